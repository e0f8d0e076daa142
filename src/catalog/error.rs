//! What can go wrong in the catalogue, with the stable code and kind each error answers.

use std::path::{Path, PathBuf};

use super::FORMAT_VERSION;
use crate::model::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("catalogue I/O on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("catalogue database error: {0}")]
    Db(#[from] sled::Error),
    #[error("cannot encode a catalogue record: {0}")]
    Encode(String),
    #[error("catalogue at {path} has format version {found}, but this brandvault reads version {FORMAT_VERSION}; use a matching brandvault, or run `brandvault rebuild`")]
    Format { path: PathBuf, found: String },
    #[error("journal {path} is damaged or was altered at entry {seq}: {reason}")]
    JournalTampered {
        path: PathBuf,
        seq: u64,
        reason: String,
    },
    #[error("journal {path} is shorter than the catalogue, which has applied {applied} entries; run `brandvault rebuild`")]
    JournalBehind { path: PathBuf, applied: u64 },
    #[error("the library at {0} is in use by another brandvault process (is `brandvault serve` running? stop it first)")]
    Locked(PathBuf),
    /// A workflow step decided on a status the asset no longer has: another request (or
    /// another process) moved it first.
    #[error("asset {id} is no longer {expected}: someone else changed it meanwhile; reload and try again")]
    Changed { id: String, expected: String },
    /// A journal to adopt (a backup, another library) does not continue this catalogue's.
    #[error("cannot take the journal {path}: {reason}")]
    Diverged { path: PathBuf, reason: String },
    /// The shared catalogue (PostgreSQL) could not be reached or refused a statement.
    #[error("shared catalogue: {0}")]
    Shared(String),
    #[error("no asset with id {0}")]
    NotFound(String),
    #[error("id prefix {prefix} matches {count} assets; give more characters")]
    Ambiguous { prefix: String, count: usize },
    #[error("{0:?} is not an asset id or a prefix of at least 6 hexadecimal characters")]
    BadId(String),
}

impl CatalogError {
    /// Whether the write failed because the disk is full (the journal or sled could not grow).
    pub fn is_disk_full(&self) -> bool {
        match self {
            Self::Io { source, .. } => crate::model::is_disk_full(source),
            Self::Db(sled::Error::Io(e)) => crate::model::is_disk_full(e),
            _ => false,
        }
    }

    /// Whether this error means sled's files are unreadable, as opposed to a journal problem,
    /// a lock held by another process, a full disk or another format version.
    pub fn is_damaged_index(&self) -> bool {
        match self {
            Self::Db(sled::Error::Io(e)) => !crate::model::is_disk_full(e),
            Self::Db(
                sled::Error::Corruption { .. }
                | sled::Error::ReportableBug(_)
                | sled::Error::Unsupported(_),
            ) => true,
            Self::Encode(_) => true,
            _ => false,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            _ if self.is_disk_full() => ErrorKind::Unavailable,
            Self::Shared(_) => ErrorKind::Unavailable,
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::Ambiguous { .. } => ErrorKind::Conflict,
            Self::BadId(_) => ErrorKind::InvalidInput,
            Self::Diverged { .. } | Self::Locked(_) | Self::Changed { .. } => ErrorKind::Conflict,
            _ => ErrorKind::Internal,
        }
    }

    /// The stable code for users and API clients.
    pub fn code(&self) -> &'static str {
        match self {
            _ if self.is_disk_full() => "disk-full",
            Self::NotFound(_) => "asset-not-found",
            Self::Ambiguous { .. } => "ambiguous-id",
            Self::BadId(_) => "bad-id",
            Self::JournalTampered { .. } => "journal-tampered",
            Self::Format { .. } => "catalog-format",
            Self::Diverged { .. } => "catalog-diverged",
            Self::Changed { .. } => "changed-meanwhile",
            Self::Locked(_) => "catalog-locked",
            Self::Shared(_) => "catalog-unavailable",
            _ => "internal",
        }
    }

    pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Io {
            path: path.to_owned(),
            source,
        }
    }

    pub(super) fn encode(e: serde_json::Error) -> Self {
        Self::Encode(e.to_string())
    }
}
