//! brand/presets.toml: the rendition presets.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use super::BrandError;
use crate::model::{OriginalPolicy, Preset};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetsFile {
    #[serde(rename = "preset", default)]
    presets: Vec<Preset>,
    #[serde(default)]
    original: OriginalPolicy,
}

/// Reads and validates the presets file: the presets and the originals' policy.
pub fn load_presets(path: &Path) -> Result<(Vec<Preset>, OriginalPolicy), BrandError> {
    let file: PresetsFile = super::read_toml(path)?;
    let problems = validate_presets(&file.presets);
    if problems.is_empty() {
        Ok((file.presets, file.original))
    } else {
        Err(BrandError::Invalid {
            path: path.to_owned(),
            problems: problems.join("; "),
        })
    }
}

/// Every problem with a preset list, each naming its preset.
pub fn validate_presets(presets: &[Preset]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for p in presets {
        let name = format!("preset {:?}", p.name);
        let valid = !p.name.is_empty()
            && p.name
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
        if !valid || p.name == "original" {
            problems.push(format!(
                "{name}: names are lowercase letters, digits and '-', and not \"original\""
            ));
        }
        if !seen.insert(p.name.as_str()) {
            problems.push(format!("{name}: duplicate name"));
        }
        if !(1..=100).contains(&p.quality) {
            problems.push(format!("{name}: quality must be 1–100"));
        }
        if p.width > 16_384 || p.height > 16_384 {
            problems.push(format!("{name}: box larger than 16384 px"));
        }
        if p.fit == crate::model::Fit::Cover && (p.width == 0 || p.height == 0) {
            problems.push(format!("{name}: cover needs both width and height"));
        }
        if p.fit == crate::model::Fit::Width && p.width == 0 {
            problems.push(format!("{name}: fit = \"width\" needs a width"));
        }
        if let Some([x, y]) = p.focus {
            if !(0.0..=1.0).contains(&x) || !(0.0..=1.0).contains(&y) {
                problems.push(format!("{name}: focus is two fractions between 0 and 1"));
            }
        }
        if p.kinds.is_empty() {
            problems.push(format!("{name}: kinds must list at least one kind"));
        }
        if p.format == crate::model::Format::Mp4
            && (p.kinds != [crate::model::Kind::Video] || p.fit == crate::model::Fit::Width)
        {
            problems.push(format!(
                "{name}: format \"mp4\" is for kinds = [\"video\"] with fit = \"contain\" or \"cover\""
            ));
        }
        if p.format == crate::model::Format::Hls
            && (p.kinds != [crate::model::Kind::Video] || p.ladder.is_empty())
        {
            problems.push(format!(
                "{name}: format \"hls\" is for kinds = [\"video\"] with a ladder of heights"
            ));
        }
        if p.format == crate::model::Format::Strip
            && (p.kinds != [crate::model::Kind::Video] || p.width == 0)
        {
            problems.push(format!(
                "{name}: format \"strip\" is for kinds = [\"video\"] with a tile width"
            ));
        }
        if p.ladder.iter().any(|h| !(144..=4320).contains(h)) {
            problems.push(format!("{name}: ladder heights are 144–4320 px"));
        }
        if !p.ladder.is_empty() && p.format != crate::model::Format::Hls {
            problems.push(format!("{name}: ladder is for format \"hls\""));
        }
        if let Some(lang) = &p.burn_subtitles {
            if p.format != crate::model::Format::Mp4 {
                problems.push(format!("{name}: burn_subtitles is for format \"mp4\""));
            }
            if crate::model::subtitle::language_tag(lang).as_deref() != Some(lang.as_str()) {
                problems.push(format!(
                    "{name}: burn_subtitles is a language tag (vi, en, zh-Hans)"
                ));
            }
        }
        if p.max_seconds.is_some() && p.format != crate::model::Format::Mp4 {
            problems.push(format!("{name}: max_seconds is for format \"mp4\""));
        }
        if p.max_seconds == Some(0) {
            problems.push(format!("{name}: max_seconds is at least 1"));
        }
    }
    problems
}
