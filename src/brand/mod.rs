//! The brand folder as data: loaded and validated at start. Nothing about a particular brand is
//! hard-coded; another brand is another folder.

mod spots;

use std::path::{Path, PathBuf};

pub use spots::{load_spots, validate_spots};

use crate::model::{ErrorKind, Gazetteer};

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
}

impl Brand {
    /// Loads and validates `dir`. A missing spots.toml means an empty gazetteer.
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
        Ok(Self {
            dir: dir.to_owned(),
            gazetteer,
        })
    }
}
