//! Content-addressed blobs: every object is named by the BLAKE3 hash of its bytes, so the same
//! bytes are stored once and an object can always be checked against its name.
//!
//! `BlobStore` is the interface the rest of the crate uses; `FsStore` keeps objects on the local
//! file system. An object-storage backend (S3-compatible) is another implementation of the trait.

mod fs;
mod hash;

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

pub use blake3::Hash;
pub use fs::FsStore;
pub use hash::{hash_file, hash_reader};

use crate::model::ErrorKind;

/// What `put` did: whether the bytes were new to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    New,
    Existing,
}

/// The outcome of a put: the object's name, its size, and whether it was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Put {
    pub hash: Hash,
    pub bytes: u64,
    pub inserted: Inserted,
}

/// Whether a put must survive a crash. Originals must; renditions are derived and remade if a
/// crash loses them, so they skip the fsyncs (which cost more than encoding a thumbnail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Durable,
    Derived,
}

/// The state of one object after rehashing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    Ok,
    Corrupt,
    Missing,
}

/// A readable, seekable object (for Range requests and streaming exports).
pub trait Blob: Read + Seek + Send {}
impl<T: Read + Seek + Send> Blob for T {}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("object {0} is not in the store")]
    NotFound(String),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("store I/O on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl StoreError {
    /// Whether the store could not write because the disk is full.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, Self::Io { source, .. } if crate::model::is_disk_full(source))
    }

    /// The stable code for users and API clients.
    pub fn code(&self) -> &'static str {
        match self {
            _ if self.is_disk_full() => "disk-full",
            Self::NotFound(_) => "not-found",
            Self::Read { .. } => "unreadable-file",
            Self::Io { .. } => "internal",
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            _ if self.is_disk_full() => ErrorKind::Unavailable,
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::Read { .. } => ErrorKind::InvalidInput,
            Self::Io { .. } => ErrorKind::Internal,
        }
    }

    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Content-addressed storage of immutable blobs.
pub trait BlobStore: Send + Sync {
    /// Stores a local file's bytes, reading them once into the store.
    fn put_file(&self, path: &Path) -> Result<Put, StoreError>;
    /// Stores bytes streamed from `reader` (an upload, a rendition), hashing while writing.
    fn put_reader(&self, reader: &mut dyn Read, durability: Durability) -> Result<Put, StoreError>;
    /// Opens an object for reading.
    fn open(&self, hash: &Hash) -> Result<Box<dyn Blob>, StoreError>;
    /// The object's size in bytes.
    fn size(&self, hash: &Hash) -> Result<u64, StoreError>;
    fn exists(&self, hash: &Hash) -> bool;
    /// Removes an object; returns whether it was there.
    fn remove(&self, hash: &Hash) -> Result<bool, StoreError>;
    /// Rehashes one object.
    fn verify(&self, hash: &Hash) -> Result<Verified, StoreError>;
    /// Every object name in the store.
    fn list(&self) -> Result<Vec<Hash>, StoreError>;
    /// A local path for the object, where the backend has one (external tools such as ffmpeg
    /// read from it).
    fn local_path(&self, hash: &Hash) -> Option<PathBuf>;
    /// A fresh path for a temporary file (an external tool's output, stored with `put_file`
    /// or `put_reader`), in a place the store empties after a crash.
    fn scratch_path(&self) -> Option<PathBuf>;
}
