//! The brand folder as data: loaded and validated at start. Nothing about a particular brand is
//! hard-coded; another brand is another folder.

pub mod book;
pub mod compliance;
mod guidelines;
pub mod kit;
pub mod lettering;
mod pdf;
pub mod placeholder;
mod presets;
mod spots;
pub mod starter;
mod svg_rules;
pub mod usage_art;
pub mod words;

use std::path::{Path, PathBuf};

pub use guidelines::{check_guidelines, read_guidelines};
pub use presets::{load_presets, validate_presets};
pub use spots::{load_basemap, load_spots, validate_spots};
pub use svg_rules::{check_logo_svg, nearest_delta_e};

use crate::model::{Asset, ErrorKind, Gazetteer, Guidelines, Preset};

#[derive(Debug, thiserror::Error)]
pub enum BrandError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid TOML for this file: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: {problems}")]
    Invalid { path: PathBuf, problems: String },
    #[error("there is no brand folder at {0}: `brandvault init` writes the starter brand there (Bình Phước's), or give another with --brand DIR")]
    Missing(PathBuf),
}

/// Reads a TOML file of the brand folder into `T`; the error names the file and the reason.
fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, BrandError> {
    let raw = std::fs::read_to_string(path).map_err(|source| BrandError::Read {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&raw).map_err(|e| BrandError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

impl BrandError {
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
}

/// The loaded brand folder.
#[derive(Debug, Clone)]
pub struct Brand {
    pub dir: PathBuf,
    pub gazetteer: Gazetteer,
    pub presets: Vec<Preset>,
    /// What originals downloaded by the press and the public carry.
    pub original: crate::model::OriginalPolicy,
    /// None when the folder has no guidelines.toml (no identity rules to enforce).
    pub guidelines: Option<Guidelines>,
    /// Each logo variant's intrinsic size, for the proportions rule.
    pub logo_sizes: Vec<(String, (f64, f64))>,
}

impl Brand {
    /// What a tag given in a filter matches: every form of the theme or audience it names,
    /// else the tag itself.
    pub fn tag_alternatives(&self, tag: &str) -> Vec<String> {
        match &self.guidelines {
            Some(g) => g.vocabulary.tag_alternatives(tag),
            None => vec![crate::model::text::normalise_tag(tag)],
        }
    }

    /// The theme (`audiences == false`) or audience a filter names, by id or name.
    pub fn term(&self, audiences: bool, s: &str) -> Option<&crate::model::Term> {
        let v = &self.guidelines.as_ref()?.vocabulary;
        crate::model::Term::find(if audiences { &v.audiences } else { &v.themes }, s)
    }

    /// For text search: the words each vocabulary tag stands for (none without guidelines).
    pub fn tag_words(&self) -> crate::model::TagWords {
        self.guidelines
            .as_ref()
            .map(|g| g.vocabulary.tag_words())
            .unwrap_or_default()
    }

    /// A tag as people read it, in Vietnamese (`vietnamese`) or English: a theme, audience or
    /// lead agency by its name, any other tag as written. Ids stay in the API and the journal.
    pub fn tag_label<'a>(&'a self, tag: &'a str, vietnamese: bool) -> &'a str {
        let Some(g) = &self.guidelines else {
            return tag;
        };
        let v = &g.vocabulary;
        [&v.themes, &v.audiences, &v.lead_agencies]
            .into_iter()
            .find_map(|terms| crate::model::Term::find(terms, tag))
            .map_or(tag, |t| if vietnamese { &t.vi } else { &t.en })
    }

    /// The font files of the typeface the guidelines name for `usage` ("logo wordmark",
    /// "body text"), else of the first typeface with files.
    pub fn fonts_for(&self, usage: &str) -> Option<lettering::Pair> {
        let typography = &self.guidelines.as_ref()?.typography;
        let typeface = typography
            .iter()
            .find(|t| !t.files.is_empty() && t.uses.iter().any(|u| u == usage))
            .or_else(|| typography.iter().find(|t| !t.files.is_empty()))?;
        lettering::pair(&self.dir, typeface)
    }

    /// The typeface the logos are lettered in.
    pub fn wordmark_fonts(&self) -> Option<lettering::Pair> {
        self.fonts_for("logo wordmark")
    }

    /// The long edge a picture needs for the press (0 without guidelines: no such rule).
    pub fn press_min_long_edge_px(&self) -> u32 {
        self.guidelines
            .as_ref()
            .map_or(0, |g| g.rules.press_min_long_edge_px)
    }

    /// The logo variant an asset claims to be: its file name is the variant's id or file name.
    pub fn logo_variant(&self, asset: &Asset) -> Option<&crate::model::LogoVariant> {
        let name = asset.display_name();
        let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
        self.guidelines.as_ref()?.logos.iter().find(|l| {
            l.id == stem
                || std::path::Path::new(&l.file)
                    .file_name()
                    .and_then(|f| f.to_str())
                    == Some(name)
        })
    }

    /// The variant's id and its master's proportions (width, height), for the aspect check.
    pub fn variant_of(&self, asset: &Asset) -> Option<(&str, (f64, f64))> {
        let variant = self.logo_variant(asset)?;
        let size = self.logo_sizes.iter().find(|(id, _)| *id == variant.id)?.1;
        Some((variant.id.as_str(), size))
    }

    /// Loads and validates `dir`. A missing folder is an error that says how to make one
    /// (never a quiet run without spots or presets); in a folder, a missing spots.toml,
    /// presets.toml or guidelines.toml means none; a present but broken one is an error listing
    /// every problem.
    pub fn load(dir: &Path) -> Result<Self, BrandError> {
        if !dir.is_dir() {
            return Err(BrandError::Missing(dir.to_owned()));
        }
        let spots_path = dir.join("spots.toml");
        let gazetteer = if spots_path.exists() {
            load_spots(&spots_path)?
        } else {
            Gazetteer {
                extent: None,
                spots: Vec::new(),
                basemap: None,
            }
        };
        let mut gazetteer = gazetteer;
        gazetteer.basemap = load_basemap(&dir.join("basemap.toml"))?;
        let presets_path = dir.join("presets.toml");
        let (presets, original) = if presets_path.exists() {
            load_presets(&presets_path)?
        } else {
            Default::default()
        };
        let guidelines = if dir.join("guidelines.toml").exists() {
            let g = read_guidelines(dir)?;
            let problems = check_guidelines(dir, &g);
            if !problems.is_empty() {
                return Err(BrandError::Invalid {
                    path: dir.join("guidelines.toml"),
                    problems: problems.join("; "),
                });
            }
            Some(g)
        } else {
            None
        };
        let logo_sizes = guidelines
            .iter()
            .flat_map(|g| &g.logos)
            .filter_map(|l| {
                let text = std::fs::read_to_string(dir.join(&l.file)).ok()?;
                Some((l.id.clone(), crate::media::svg::svg_size(&text)?))
            })
            .collect();
        Ok(Self {
            dir: dir.to_owned(),
            gazetteer,
            presets,
            original,
            guidelines,
            logo_sizes,
        })
    }
}
