//! Content-addressed blobs: every object is named by the BLAKE3 hash of its bytes, so the same
//! bytes are stored once and an object can always be checked against its name.
//!
//! `BlobStore` is the only way the rest of the crate reaches objects: reads, ranges, ages for
//! gc and local copies for external programs all go through it. `FsStore` keeps objects on the
//! local file system; `S3Store` in an S3-compatible bucket. `open` picks one from a URL.

mod fs;
mod hash;
mod local;
#[cfg(feature = "s3")]
mod s3;

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

pub use blake3::Hash;
pub use fs::FsStore;
pub use hash::{hash_file, hash_foreign_file, hash_reader};
pub use local::LocalCopy;
#[cfg(feature = "s3")]
pub use s3::S3Store;

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
    /// The object store answered with an error or could not be reached.
    #[error("object storage: {0}")]
    Remote(String),
    /// A `--store` URL this build cannot open.
    #[error("{0}")]
    Url(String),
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
            Self::Remote(_) => "store-unavailable",
            Self::Io { .. } | Self::Url(_) => "internal",
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            _ if self.is_disk_full() => ErrorKind::Unavailable,
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::Read { .. } => ErrorKind::InvalidInput,
            Self::Remote(_) => ErrorKind::Unavailable,
            Self::Io { .. } | Self::Url(_) => ErrorKind::Internal,
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
    /// A small object's bytes, whole (a subtitle track, a rendition for the memory cache).
    fn read_all(&self, hash: &Hash) -> Result<Vec<u8>, StoreError> {
        let mut bytes = Vec::new();
        self.open(hash)?
            .read_to_end(&mut bytes)
            .map_err(|e| StoreError::Remote(e.to_string()))?;
        Ok(bytes)
    }
    /// The object's size in bytes.
    fn size(&self, hash: &Hash) -> Result<u64, StoreError>;
    fn exists(&self, hash: &Hash) -> bool;
    /// Removes an object; returns whether it was there.
    fn remove(&self, hash: &Hash) -> Result<bool, StoreError>;
    /// Rehashes one object.
    fn verify(&self, hash: &Hash) -> Result<Verified, StoreError>;
    /// Every object name in the store.
    fn list(&self) -> Result<Vec<Hash>, StoreError>;
    /// When the object was written: gc keeps unreferenced objects younger than its grace, since
    /// an upload stores its bytes before it commits its catalogue entry.
    fn modified(&self, hash: &Hash) -> Result<SystemTime, StoreError>;
    /// A local file with the object's bytes, for an external program (ffmpeg): the object
    /// itself where the backend keeps files, otherwise a copy in scratch space, removed when
    /// the `LocalCopy` is dropped.
    fn materialise(&self, hash: &Hash) -> Result<LocalCopy, StoreError>;
    /// A fresh path for a temporary local file (an external tool's output, stored with
    /// `put_file`), in a folder the store empties when it opens.
    fn scratch_path(&self) -> PathBuf;
    /// Where the objects are, for messages and `verify` (`file:///…`, `s3://bucket/prefix`).
    fn location(&self) -> String;
    /// Makes every object written so far durable, `Derived` ones included: done before
    /// recording that renditions are complete, so a crash cannot undo what was recorded.
    fn sync_derived(&self) -> Result<(), StoreError>;
    /// Puts a copy of an object under `public/{name}` with its media type, for a CDN or a
    /// public bucket policy to serve directly (`--public-blob-url`): a namespace that holds
    /// only what the public may see, never the objects themselves (an original's name is its
    /// asset id, which is public). Does nothing when the copy is there.
    fn publish(&self, hash: &Hash, name: &str, media_type: &str) -> Result<(), StoreError>;
    /// Removes a public copy; returns whether it was there.
    fn unpublish(&self, name: &str) -> Result<bool, StoreError>;
    /// The names of the public copies.
    fn published(&self) -> Result<Vec<String>, StoreError>;
}

/// Whether `name` can be a public copy's name: `{hash}.{ext}` in lowercase letters and digits,
/// never a path.
pub fn is_public_name(name: &str) -> bool {
    name.split_once('.').is_some_and(|(hash, ext)| {
        Hash::from_hex(hash).is_ok()
            && !ext.is_empty()
            && ext
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// The store named by `url`: `file:///path` (or a bare path) for a folder, `s3://bucket/prefix`
/// for S3-compatible object storage configured by the standard `AWS_*` variables. `scratch` is
/// a local folder for temporary files (under `--data`).
pub fn open(url: &str, scratch: &Path) -> Result<Arc<dyn BlobStore>, StoreError> {
    if let Some(rest) = url.strip_prefix("s3://") {
        return open_s3(rest, scratch);
    }
    let path = url.strip_prefix("file://").unwrap_or(url);
    if path.is_empty() || url.contains("://") && !url.starts_with("file://") {
        return Err(StoreError::Url(format!(
            "unsupported store URL {url:?}: use file:///path or s3://bucket/prefix"
        )));
    }
    Ok(Arc::new(FsStore::open(Path::new(path))?))
}

#[cfg(feature = "s3")]
fn open_s3(rest: &str, scratch: &Path) -> Result<Arc<dyn BlobStore>, StoreError> {
    Ok(Arc::new(S3Store::open(rest, scratch)?))
}

#[cfg(not(feature = "s3"))]
fn open_s3(_: &str, _: &Path) -> Result<Arc<dyn BlobStore>, StoreError> {
    Err(StoreError::Url(
        "this build has no S3 support (built without the `s3` feature)".into(),
    ))
}
