use serde::{Deserialize, Serialize};

/// A name in both languages of the brand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Bilingual {
    pub vi: String,
    pub en: String,
}

/// The brand's identity guidelines (brand/guidelines.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Guidelines {
    pub names: Bilingual,
    /// The licence under which the brand kit is given to partners.
    pub kit_license: String,
    /// Whether the logos in brand/logos are the approved design or stand-ins for it: while
    /// they are placeholders every page, kit and download says so.
    #[serde(default)]
    pub logo_status: LogoStatus,
    /// Who answers for the brand, printed in the brand book.
    #[serde(default)]
    pub owner: Option<Owner>,
    #[serde(default)]
    pub rules: Rules,
    pub palette: Vec<Colour>,
    #[serde(default)]
    pub typography: Vec<Typeface>,
    #[serde(rename = "logo", default)]
    pub logos: Vec<LogoVariant>,
    pub vocabulary: Vocabulary,
    #[serde(rename = "year_theme", default)]
    pub year_themes: Vec<YearTheme>,
    /// Where the brand's pictures are, as delivered files name it (IPTC and XMP location).
    #[serde(default)]
    pub place: Option<Place>,
    /// Slogans, from brand/slogans.toml.
    #[serde(default, deserialize_with = "slogans_live_elsewhere")]
    pub slogans: Vec<Slogan>,
}

/// Numeric rules of the compliance checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Photos for the press and the public need at least this long edge.
    pub press_min_long_edge_px: u32,
    /// Largest CIE76 ΔE between a logo colour and the nearest palette colour.
    pub palette_delta_e: f64,
    /// Tags that say people appear in a picture, which then needs recorded consent.
    pub people_tags: Vec<String>,
    /// Farthest a check-in spot chosen by hand may lie from the photo's own GPS.
    #[serde(default = "default_spot_distance")]
    pub spot_max_distance_m: f64,
    /// The subtitle languages (BCP 47) a public film must carry.
    #[serde(default = "default_film_subtitles")]
    pub public_film_subtitles: Vec<String>,
}

fn default_spot_distance() -> f64 {
    5_000.0
}

fn default_film_subtitles() -> Vec<String> {
    vec!["vi".into(), "en".into()]
}

/// The province and country of the brand's territory, in both languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub province: Bilingual,
    pub country: Bilingual,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            press_min_long_edge_px: 2000,
            palette_delta_e: 3.0,
            people_tags: vec!["people".into(), "người".into()],
            spot_max_distance_m: default_spot_distance(),
            public_film_subtitles: default_film_subtitles(),
        }
    }
}

/// What a colour is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ColourRole {
    Primary,
    Secondary,
    Accent,
    Neutral,
}

/// Slogans are read from slogans.toml, never from guidelines.toml.
fn slogans_live_elsewhere<'de, D: serde::Deserializer<'de>>(_: D) -> Result<Vec<Slogan>, D::Error> {
    Err(serde::de::Error::custom(
        "slogans belong in brand/slogans.toml, not in guidelines.toml",
    ))
}

/// A palette colour. RGB is derived from HEX; CMYK and Pantone are for print.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Colour {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub role: ColourRole,
    /// `#RRGGBB`
    pub hex: String,
    /// Percentages C, M, Y, K.
    pub cmyk: [u8; 4],
    #[serde(default)]
    pub pantone: Option<String>,
}

impl Colour {
    /// The colour's RGB, if `hex` is well-formed.
    pub fn rgb(&self) -> Option<[u8; 3]> {
        parse_hex(&self.hex)
    }
}

/// WCAG 2 contrast ratio of two colours, from 1 (the same) to 21 (black on white).
pub fn contrast_ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    let luminance = |c: [u8; 3]| {
        let lin = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

impl Guidelines {
    /// What a colour is read against: white (None) and the darkest neutral of the palette,
    /// each with the WCAG contrast ratio; a colour is never paired with itself.
    pub fn contrasts(&self, c: &Colour) -> Vec<(Option<&Colour>, f64)> {
        let rgb = c.rgb().unwrap_or_default();
        let darkest = self
            .palette
            .iter()
            .filter(|n| n.role == ColourRole::Neutral)
            .filter_map(|n| Some((n, n.rgb()?)))
            .min_by(|a, b| contrast_ratio(a.1, [0; 3]).total_cmp(&contrast_ratio(b.1, [0; 3])));
        std::iter::once((None, [255, 255, 255]))
            .chain(darkest.map(|(n, other)| (Some(n), other)))
            .filter(|(_, other)| *other != rgb)
            .map(|(n, other)| (n, contrast_ratio(rgb, other)))
            .collect()
    }
}

/// WCAG AA for body text: a contrast of at least 4.5:1.
pub const WCAG_AA_TEXT: f64 = 4.5;

/// `#RRGGBB` or `#RGB` → RGB.
pub fn parse_hex(hex: &str) -> Option<[u8; 3]> {
    let h = hex.strip_prefix('#')?;
    let digit = |i: usize, len: usize| u8::from_str_radix(h.get(i..i + len)?, 16).ok();
    match h.len() {
        6 => Some([digit(0, 2)?, digit(2, 2)?, digit(4, 2)?]),
        3 => Some([digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17]),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Typeface {
    pub family: String,
    pub fallbacks: Vec<String>,
    /// What it is used for ("headings", "body"...).
    pub uses: Vec<String>,
    /// The font files (TrueType), relative to the brand folder: offered in the kit, used to
    /// letter the logos and embedded in the brand book.
    #[serde(default)]
    pub files: Vec<String>,
    /// The font's licence file, relative to the brand folder (OFL.txt for an OFL font).
    #[serde(default)]
    pub licence: Option<String>,
    /// Where the files came from (package, version), so the next maintainer can update them.
    #[serde(default)]
    pub source: Option<String>,
}

/// Whether the logos are the approved design.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogoStatus {
    #[default]
    Final,
    Placeholder,
}

/// The brand's owner, as the brand book names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Owner {
    pub name: Bilingual,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub web: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogoLayout {
    Horizontal,
    Stacked,
    Icon,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ColourMode {
    Full,
    MonoDark,
    MonoLight,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogoLanguage {
    Vi,
    En,
    Bilingual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Background {
    Light,
    Dark,
    Photo,
}

/// One logo variant: layout × colour mode × language, with its usage rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoVariant {
    pub id: String,
    pub layout: LogoLayout,
    pub colour_mode: ColourMode,
    pub language: LogoLanguage,
    /// Relative to the brand folder.
    pub file: String,
    pub min_width_px: u32,
    pub min_width_mm: f64,
    /// Clear space around the logo as a fraction of its height.
    pub clear_space: f64,
    pub backgrounds: Vec<Background>,
}

/// A controlled term with its names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub id: String,
    pub vi: String,
    pub en: String,
}

/// The programme's controlled vocabularies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    pub themes: Vec<Term>,
    pub audiences: Vec<Term>,
    pub lead_agencies: Vec<Term>,
}

impl Term {
    /// The tags that stand for this term: its id, and its Vietnamese and English names.
    pub fn tag_forms(&self) -> Vec<String> {
        [&self.id, &self.vi, &self.en]
            .into_iter()
            .map(|t| super::text::normalise_tag(t))
            .collect()
    }

    /// The term of `terms` that `s` names: its id, or its name in either language ignoring
    /// case and diacritics.
    pub fn find<'a>(terms: &'a [Term], s: &str) -> Option<&'a Term> {
        let folded = super::text::fold(s);
        terms.iter().find(|t| {
            t.id == s.trim()
                || super::text::fold(&t.vi) == folded
                || super::text::fold(&t.en) == folded
        })
    }
}

/// The words a tag stands for besides itself, for text search: "du lich" finds `tourism`.
pub type TagWords = std::collections::HashMap<String, String>;

impl Vocabulary {
    /// Each form of a theme, audience or lead agency tag, with its names in both languages.
    pub fn tag_words(&self) -> TagWords {
        let mut out = TagWords::new();
        for term in [&self.themes, &self.audiences, &self.lead_agencies]
            .into_iter()
            .flatten()
        {
            let words = format!("{} {}", term.vi, term.en);
            for form in term.tag_forms() {
                out.insert(form, words.clone());
            }
        }
        out
    }

    /// The tag forms to match for a tag given in a filter: all forms of the theme or audience
    /// it names, else the tag itself.
    pub fn tag_alternatives(&self, tag: &str) -> Vec<String> {
        Term::find(&self.themes, tag)
            .or_else(|| Term::find(&self.audiences, tag))
            .map_or_else(|| vec![super::text::normalise_tag(tag)], Term::tag_forms)
    }
}

/// The main theme of a year of the programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct YearTheme {
    pub year: u16,
    pub theme: String,
}

/// An approved slogan, exact text in both languages (NFC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Slogan {
    pub id: String,
    pub vi: String,
    pub en: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[cfg(test)]
mod contrast_tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert!((contrast_ratio([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio([255, 255, 255], [255, 255, 255]) - 1.0).abs() < 1e-9);
        // #777777 on white is the classic just-failing grey: 4.48:1.
        let grey = contrast_ratio([0x77, 0x77, 0x77], [255, 255, 255]);
        assert!((grey - 4.48).abs() < 0.01 && grey < WCAG_AA_TEXT, "{grey}");
    }
}
