//! The brand folder as data: loaded and validated at start. Nothing about a particular brand is
//! hard-coded; another brand is another folder.

mod presets;
mod spots;

use std::path::{Path, PathBuf};

pub use presets::{load_presets, validate_presets};
pub use spots::{load_spots, validate_spots};

use crate::model::{ErrorKind, Gazetteer, Preset};

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
}

impl Brand {
    /// Loads and validates `dir`. A missing spots.toml or presets.toml means none.
    pub fn load(dir: &Path) -> Result<Self, BrandError> {
        let spots_path = dir.join("spots.toml");
        let gazetteer = if spots_path.exists() {
            load_spots(&spots_path)?
        } else {
            Gazetteer {
                extent: None,
                spots: Vec::new(),
            }
        };
        let presets_path = dir.join("presets.toml");
        let presets = if presets_path.exists() {
            load_presets(&presets_path)?
        } else {
            Vec::new()
        };
        Ok(Self {
            dir: dir.to_owned(),
            gazetteer,
            presets,
        })
    }
}
