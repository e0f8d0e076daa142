//! What files say about their pictures, mapped onto the asset: XMP and IPTC in the file, an
//! `.xmp` sidecar next to it, EXIF's Artist and Copyright.
//!
//! Precedence, field by field: what a person typed (always; kept through re-ingest), then the
//! sidecar (the editor's latest word: Lightroom writes it after the file), then XMP in the
//! file, then IPTC IIM, then EXIF.

use std::path::{Path, PathBuf};

use crate::media::meta::{self, Described};
use crate::model::{text, Exif, FileFields, Term, Vocabulary};

/// The sidecar of `path`: `photo.xmp` (Lightroom, Capture One) or `photo.jpg.xmp` (darktable,
/// digiKam), in either case of extension.
pub fn sidecar_of(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let stem = path.file_stem()?.to_str()?;
    let dir = path.parent()?;
    [stem, name]
        .iter()
        .flat_map(|base| [format!("{base}.xmp"), format!("{base}.XMP")])
        .map(|candidate| dir.join(candidate))
        .find(|p| p.is_file())
}

/// Whether `path` is a sidecar (by extension): those are read with their picture, never
/// ingested alone.
pub fn is_sidecar(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xmp"))
}

/// Reads a sidecar, bounded like an embedded packet. A problem is a warning, not a refusal:
/// the picture is still worth having.
pub fn read_sidecar(path: &Path) -> Described {
    use std::io::Read;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| {
        f.take(meta::MAX_BLOCK_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
    });
    match read {
        Err(e) => Described {
            warnings: vec![format!("sidecar {name}: cannot read: {e}")],
            ..Default::default()
        },
        Ok(_) => {
            let mut d = meta::xmp::parse(&bytes);
            for w in &mut d.warnings {
                *w = format!("sidecar {name}: {w}");
            }
            d
        }
    }
}

/// The asset fields a file's description gives, EXIF's Artist and Copyright last.
pub fn file_fields(described: Option<&Described>, exif: Option<&Exif>) -> FileFields {
    let d = described.cloned().unwrap_or_default();
    let artist = exif.and_then(|e| e.artist.clone());
    let exif_copyright = exif.and_then(|e| e.copyright.clone());
    let location = Some(d.location).filter(|l| !l.is_empty());
    FileFields {
        caption: d.caption.to_caption(),
        title: d.title.to_caption(),
        credit: d
            .creator
            .or(d.credit)
            .or(artist)
            .or_else(|| exif_copyright.clone()),
        copyright: d.copyright.or(exif_copyright),
        license: d.usage_terms,
        location,
    }
}

/// Keywords as tags: a keyword naming a theme or an audience of the brand (by id or either
/// name, ignoring case and diacritics) becomes that term's id, so "Đầu tư" and "investment"
/// file the picture under the same theme; any other keyword is kept as a tag of its own.
pub fn keyword_tags(keywords: &[String], vocabulary: Option<&Vocabulary>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for k in keywords {
        let term = vocabulary
            .and_then(|v| Term::find(&v.themes, k).or_else(|| Term::find(&v.audiences, k)));
        let tag = term.map_or_else(|| text::normalise_tag(k), |t| t.id.clone());
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::meta::LangText;

    fn vocabulary() -> Vocabulary {
        let term = |id: &str, vi: &str, en: &str| Term {
            id: id.into(),
            vi: vi.into(),
            en: en.into(),
        };
        Vocabulary {
            themes: vec![term("investment", "Đầu tư", "Investment")],
            audiences: vec![term("tourists", "Du khách", "Tourists")],
            lead_agencies: vec![],
        }
    }

    #[test]
    fn keywords_name_brand_terms_in_either_language() {
        let keywords = ["DAU TU", "du khách", "Cao su", "investment"].map(String::from);
        assert_eq!(
            keyword_tags(&keywords, Some(&vocabulary())),
            ["investment", "tourists", "cao su"]
        );
    }

    #[test]
    fn creator_is_the_credit_and_exif_comes_last() {
        let exif = Exif {
            artist: Some("Camera Owner".into()),
            copyright: Some("© Old".into()),
            ..Default::default()
        };
        let d = Described {
            caption: LangText {
                default: Some("Đồi chè Bù Gia Mập".into()),
                ..Default::default()
            },
            creator: Some("Nguyễn Văn A".into()),
            ..Default::default()
        };
        let f = file_fields(Some(&d), Some(&exif));
        assert_eq!(f.credit.as_deref(), Some("Nguyễn Văn A"));
        assert_eq!(f.copyright.as_deref(), Some("© Old"));
        assert_eq!(f.caption.vi.as_deref(), Some("Đồi chè Bù Gia Mập"));
        assert_eq!(
            file_fields(None, Some(&exif)).credit.as_deref(),
            Some("Camera Owner")
        );
    }
}
