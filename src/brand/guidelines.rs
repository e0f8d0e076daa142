//! brand/guidelines.toml and brand/slogans.toml, and `brandvault brand check`.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use super::svg_rules;
use super::BrandError;
use crate::model::{text, Guidelines, Slogan};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlogansFile {
    #[serde(rename = "slogan", default)]
    slogans: Vec<Slogan>,
}

/// Reads guidelines.toml and slogans.toml (if present) from `dir`, without checking them.
pub fn read_guidelines(dir: &Path) -> Result<Guidelines, BrandError> {
    let mut g: Guidelines = super::read_toml(&dir.join("guidelines.toml"))?;
    let slogans_path = dir.join("slogans.toml");
    if slogans_path.exists() {
        let file: SlogansFile = super::read_toml(&slogans_path)?;
        g.slogans = file.slogans;
    }
    Ok(g)
}

/// Every problem with the guidelines, each naming its entry: referenced files exist, logo SVGs
/// parse and use only palette colours and no active content, colours are well-formed, slogans
/// are NFC, vocabularies have unique ids.
pub fn check_guidelines(dir: &Path, g: &Guidelines) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    for c in &g.palette {
        if !ids.insert(&c.id) {
            problems.push(format!("palette {:?}: duplicate id", c.id));
        }
        if c.rgb().is_none() || c.hex.len() != 7 {
            problems.push(format!(
                "palette {:?}: hex {:?} is not #RRGGBB",
                c.id, c.hex
            ));
        }
        if c.cmyk.iter().any(|v| *v > 100) {
            problems.push(format!("palette {:?}: CMYK values are percentages", c.id));
        }
    }
    if g.palette.is_empty() {
        problems.push("palette: at least one colour is needed".into());
    }
    let mut logo_ids = HashSet::new();
    for logo in &g.logos {
        let name = format!("logo {:?}", logo.id);
        if !logo_ids.insert(&logo.id) {
            problems.push(format!("{name}: duplicate id"));
        }
        if logo.min_width_px == 0 || logo.min_width_mm <= 0.0 || logo.clear_space < 0.0 {
            problems.push(format!(
                "{name}: minimum widths must be positive, clear space ≥ 0"
            ));
        }
        let path = dir.join(&logo.file);
        match std::fs::read(&path) {
            Err(e) => problems.push(format!("{name}: cannot read {}: {e}", logo.file)),
            Ok(bytes) => {
                for v in svg_rules::check_logo_svg(&bytes, g) {
                    problems.push(format!("{name}: {} ({})", v.message, v.rule));
                }
            }
        }
    }
    for (what, terms) in [
        ("themes", &g.vocabulary.themes),
        ("audiences", &g.vocabulary.audiences),
        ("lead_agencies", &g.vocabulary.lead_agencies),
    ] {
        let mut seen = HashSet::new();
        for t in terms {
            if !seen.insert(&t.id) {
                problems.push(format!("vocabulary.{what} {:?}: duplicate id", t.id));
            }
            if text::nfc(&t.vi) != t.vi {
                problems.push(format!(
                    "vocabulary.{what} {:?}: Vietnamese name is not NFC",
                    t.id
                ));
            }
        }
        if terms.is_empty() {
            problems.push(format!("vocabulary.{what}: empty"));
        }
    }
    for y in &g.year_themes {
        if !g.vocabulary.themes.iter().any(|t| t.id == y.theme) {
            problems.push(format!(
                "year_theme {}: unknown theme {:?}",
                y.year, y.theme
            ));
        }
    }
    for t in &g.typography {
        let name = format!("typography {:?}", t.family);
        for file in &t.files {
            if let Err(e) = super::lettering::FontFile::read(&dir.join(file)) {
                problems.push(format!("{name}: {e}"));
            }
        }
        if let Some(licence) = &t.licence {
            if !dir.join(licence).is_file() {
                problems.push(format!("{name}: licence file {licence} is missing"));
            }
        } else if !t.files.is_empty() {
            problems.push(format!(
                "{name}: font files need their licence (`licence = \"fonts/…/OFL.txt\"`)"
            ));
        }
    }
    let mut slogan_ids = HashSet::new();
    for s in &g.slogans {
        if !slogan_ids.insert(&s.id) {
            problems.push(format!("slogan {:?}: duplicate id", s.id));
        }
        for (lang, t) in [("vi", &s.vi), ("en", &s.en)] {
            if text::nfc(t) != *t {
                problems.push(format!("slogan {:?}: the {lang} text is not NFC", s.id));
            }
            if t.trim() != t || t.is_empty() {
                problems.push(format!(
                    "slogan {:?}: the {lang} text is empty or padded",
                    s.id
                ));
            }
        }
    }
    problems
}
