//! Where a catalogue is: its journal and the index over it.

use std::path::{Path, PathBuf};

use super::journal::{SharedSource, Source, JOURNAL_FILE};
use super::CatalogError;

/// The folder, under the data folder, of what a node of a shared catalogue keeps for itself
/// (the renditions checkpoint, the hand-off socket): never catalogue content.
const NODE_DIR: &str = "node";

/// Where a catalogue keeps its journal and its index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Journal file and sled index in one folder, used by one process at a time (others hand
    /// their commands to it).
    Embedded(PathBuf),
    /// Journal and tables in PostgreSQL, shared by any number of processes; each keeps a
    /// folder of its own for what is not catalogue content.
    Shared { url: String, local: PathBuf },
}

impl Location {
    /// The catalogue a `--catalog` URL names: `file:///path` or a path (embedded),
    /// `postgres://…` (shared; this node's own folder under `data_dir`), or, without one, the
    /// embedded catalogue in `data_dir`.
    pub fn parse(url: Option<&str>, data_dir: &Path) -> Result<Self, String> {
        let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(Self::Embedded(data_dir.to_owned()));
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            url.parse::<postgres::Config>()
                .map_err(|e| format!("the catalogue URL is not a PostgreSQL URL: {e}"))?;
            return Ok(Self::Shared {
                url: url.to_owned(),
                local: data_dir.join(NODE_DIR),
            });
        }
        let path = url.strip_prefix("file://").unwrap_or(url);
        if path.is_empty() || url.contains("://") && !url.starts_with("file://") {
            return Err(format!(
                "unsupported catalogue URL {:?}: use file:///path or postgres://user:password@host:port/database",
                super::journal::redact(url)
            ));
        }
        Ok(Self::Embedded(PathBuf::from(path)))
    }

    /// The local folder: of the index and the journal (embedded), or of this node's own
    /// files (shared).
    pub fn dir(&self) -> &Path {
        match self {
            Self::Embedded(dir) => dir,
            Self::Shared { local, .. } => local,
        }
    }

    /// Whether several processes may open this catalogue at once.
    pub fn is_shared(&self) -> bool {
        matches!(self, Self::Shared { .. })
    }

    /// The journal, opened for reading.
    pub fn source(&self) -> Result<Source, CatalogError> {
        Ok(match self {
            Self::Embedded(dir) => Source::File(dir.join(JOURNAL_FILE)),
            Self::Shared { url, .. } => Source::Shared(SharedSource::open(url)?),
        })
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Embedded(dir) => write!(f, "{}", dir.display()),
            Self::Shared { url, .. } => write!(f, "{}", super::journal::redact(url)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_folder_or_a_database_and_others_are_refused_clearly() {
        let data = Path::new("/srv/data");
        assert_eq!(
            Location::parse(None, data).unwrap(),
            Location::Embedded(data.to_owned())
        );
        assert_eq!(
            Location::parse(Some("file:///srv/thu-vien"), data).unwrap(),
            Location::Embedded("/srv/thu-vien".into())
        );
        let shared = Location::parse(Some("postgres://bv:pw@db:5432/bv"), data).unwrap();
        assert_eq!(shared.dir(), Path::new("/srv/data/node"));
        assert_eq!(shared.to_string(), "postgres://bv@db:5432/bv");
        let s3 = Location::parse(Some("s3://bucket"), data).unwrap_err();
        assert!(s3.contains("postgres://"), "{s3}");
        let bad = Location::parse(Some("postgres://bv:secret@db:notaport/bv"), data).unwrap_err();
        assert!(!bad.contains("secret"), "{bad}");
    }
}
