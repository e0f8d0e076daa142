//! Descriptive metadata (who, what, where, under which terms) as photo editors write it into
//! files, and as brandvault writes it into what it delivers: XMP packets, IPTC IIM records,
//! and the containers that hold them (JPEG segments, PNG chunks, WebP chunks, TIFF tags).
//! Camera data (EXIF) lives in `media::exif`; this module never writes GPS unless told to.

pub mod container;
pub mod iptc;
pub mod xmp;

pub use container::Blocks;

use crate::model::{text, Caption, Gps, Location};

/// Largest XMP packet or IPTC record read: real ones are a few KiB; a bigger one is hostile.
pub const MAX_BLOCK_BYTES: usize = 4 << 20;

/// Text in several languages, as XMP's language alternatives carry it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LangText {
    pub vi: Option<String>,
    pub en: Option<String>,
    /// `x-default`, or text of a source that names no language (IPTC IIM, EXIF).
    pub default: Option<String>,
}

impl LangText {
    /// One language each: `vi` and `en` as given; the unlabelled text goes to the language it
    /// is written in when that language has nothing (Vietnamese when it carries Vietnamese
    /// letters, English otherwise), and is dropped when it repeats a labelled one.
    pub fn to_caption(&self) -> Caption {
        let mut caption = Caption {
            vi: self.vi.clone(),
            en: self.en.clone(),
        };
        if let Some(d) = &self.default {
            let repeats = [&caption.vi, &caption.en]
                .iter()
                .any(|s| s.as_deref() == Some(d.as_str()));
            let slot = if text::looks_vietnamese(d) {
                &mut caption.vi
            } else {
                &mut caption.en
            };
            if !repeats && slot.is_none() {
                *slot = Some(d.clone());
            }
        }
        caption
    }

    fn or(self, lower: Self) -> Self {
        // The languages of one source stay together: a sidecar's English caption is not
        // paired with an older Vietnamese one from the file.
        if self.is_empty() {
            lower
        } else {
            self
        }
    }

    fn is_empty(&self) -> bool {
        self.vi.is_none() && self.en.is_none() && self.default.is_none()
    }
}

/// What a file says about itself in XMP, IPTC IIM or a sidecar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Described {
    pub caption: LangText,
    pub title: LangText,
    pub keywords: Vec<String>,
    /// The photographer (XMP `dc:creator`, IPTC By-line).
    pub creator: Option<String>,
    /// The credit line (`photoshop:Credit`, IPTC Credit).
    pub credit: Option<String>,
    pub copyright: Option<String>,
    /// Usage terms (`xmpRights:UsageTerms`): the licence.
    pub usage_terms: Option<String>,
    pub location: Location,
    /// `tiff:Orientation` of XMP, 1–8.
    pub orientation: Option<u16>,
    /// Problems met while reading (a character set guessed, a packet that did not parse).
    pub warnings: Vec<String>,
}

impl Described {
    /// Field by field, this source's value where it has one, else `lower`'s: the order of
    /// precedence is sidecar, then XMP in the file, then IPTC IIM (see ARCHITECTURE.md).
    pub fn or(self, lower: Described) -> Described {
        let mut warnings = self.warnings;
        warnings.extend(lower.warnings);
        Described {
            caption: self.caption.or(lower.caption),
            title: self.title.or(lower.title),
            keywords: if self.keywords.is_empty() {
                lower.keywords
            } else {
                self.keywords
            },
            creator: self.creator.or(lower.creator),
            credit: self.credit.or(lower.credit),
            copyright: self.copyright.or(lower.copyright),
            usage_terms: self.usage_terms.or(lower.usage_terms),
            location: Location {
                sublocation: self.location.sublocation.or(lower.location.sublocation),
                city: self.location.city.or(lower.location.city),
                province: self.location.province.or(lower.location.province),
                country: self.location.country.or(lower.location.country),
            },
            orientation: self.orientation.or(lower.orientation),
            warnings,
        }
    }

    pub fn is_empty(&self) -> bool {
        Described {
            warnings: Vec::new(),
            ..self.clone()
        } == Described::default()
    }
}

/// What brandvault writes into a delivered file: the asset as people edited it, never camera
/// serial numbers, GPS only when the preset and the asset's access level allow it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Outgoing {
    /// The asset's id (`dc:identifier`).
    pub id: String,
    pub caption: Caption,
    pub title: Caption,
    pub credit: Option<String>,
    pub copyright: Option<String>,
    pub license: Option<String>,
    /// The licence followed by the asset's restrictions, in each language
    /// (`xmpRights:UsageTerms`).
    pub usage_terms: Caption,
    /// The restrictions alone, both languages in one line (`photoshop:Instructions`, IPTC
    /// Special Instructions).
    pub instructions: Option<String>,
    /// When the picture was taken: `YYYY-MM-DDTHH:MM:SS`, with the offset when known.
    pub date_created: Option<String>,
    /// The asset's stable page (`xmpRights:WebStatement`), when the service's public address
    /// is known.
    pub url: Option<String>,
    pub keywords: Vec<String>,
    pub location: Location,
    pub gps: Option<Gps>,
}

/// Trimmed, NFC, `None` when blank: every text read from a file goes through here.
pub(crate) fn clean(s: &str) -> Option<String> {
    let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!s.is_empty()).then(|| text::nfc(s))
}
