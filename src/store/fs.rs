//! The local backend: objects/<2 hex>/<62 hex>, written through a temp file, fsynced and renamed
//! so that an object either exists whole or not at all.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use super::hash::{self, hash_file, read_full, CHUNK};
use super::{Blob, BlobStore, Durability, Hash, Inserted, LocalCopy, Put, StoreError, Verified};

/// Objects on the local file system under one root folder.
#[derive(Debug)]
pub struct FsStore {
    objects: PathBuf,
    tmp: PathBuf,
    counter: AtomicU64,
}

impl FsStore {
    /// Opens (creating if needed) the store rooted at `root`; objects live in `root/objects`.
    pub fn open(root: &Path) -> Result<Self, StoreError> {
        let objects = root.join("objects");
        let tmp = objects.join("tmp");
        fs::create_dir_all(&tmp).map_err(StoreError::io(&tmp))?;
        super::local::sweep_scratch(&tmp);
        Ok(Self {
            objects,
            tmp,
            counter: AtomicU64::new(0),
        })
    }

    /// Where an object lives: objects/ab/cdef…
    pub fn object_path(&self, hash: &Hash) -> PathBuf {
        let hex = hash.to_hex();
        self.objects.join(&hex[..2]).join(&hex[2..])
    }

    /// The folder of public copies: `public/` beside `objects/`.
    fn public_dir(&self) -> PathBuf {
        self.objects
            .parent()
            .unwrap_or(&self.objects)
            .join("public")
    }

    fn public_path(&self, name: &str) -> Result<PathBuf, StoreError> {
        if !super::is_public_name(name) {
            return Err(StoreError::NotFound(name.to_owned()));
        }
        Ok(self.public_dir().join(name))
    }

    fn temp_path(&self) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.tmp.join(super::local::scratch_name(n))
    }

    /// Moves a complete, hashed temp file to its object name, durably, unless the object exists.
    fn commit(
        &self,
        tmp: &Path,
        hash: Hash,
        bytes: u64,
        durability: Durability,
    ) -> Result<Put, StoreError> {
        let durable = durability == Durability::Durable;
        let dest = self.object_path(&hash);
        if dest.exists() {
            let _ = fs::remove_file(tmp);
            return Ok(Put {
                hash,
                bytes,
                inserted: Inserted::Existing,
            });
        }
        if durable {
            File::open(tmp)
                .and_then(|f| f.sync_all())
                .map_err(StoreError::io(tmp))?;
        }
        let dir = dest.parent().unwrap_or(&self.objects);
        if !dir.exists() {
            fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
            if durable {
                sync_dir(&self.objects)?;
            }
        }
        fs::rename(tmp, &dest).map_err(StoreError::io(&dest))?;
        if durable {
            sync_dir(dir)?;
        }
        Ok(Put {
            hash,
            bytes,
            inserted: Inserted::New,
        })
    }
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io(dir))
}

/// Removes the temp file if the put did not complete.
struct TempGuard<'a>(&'a Path, bool);
impl Drop for TempGuard<'_> {
    fn drop(&mut self) {
        if !self.1 {
            let _ = fs::remove_file(self.0);
        }
    }
}

impl BlobStore for FsStore {
    fn put_file(&self, path: &Path) -> Result<Put, StoreError> {
        let tmp = self.temp_path();
        let mut guard = TempGuard(&tmp, false);
        // Copy first (in the kernel: copy_file_range), then hash our own copy: the object's bytes
        // are exactly the hashed bytes even if the source changes meanwhile.
        // A full disk is the copy's write side, not the source's fault.
        fs::copy(path, &tmp).map_err(|source| {
            if crate::model::is_disk_full(&source) {
                StoreError::Io {
                    path: tmp.clone(),
                    source,
                }
            } else {
                StoreError::Read {
                    path: path.to_owned(),
                    source,
                }
            }
        })?;
        let (hash, bytes) = hash_file(&tmp)?;
        let put = self.commit(&tmp, hash, bytes, Durability::Durable)?;
        guard.1 = true;
        Ok(put)
    }

    fn put_reader(&self, reader: &mut dyn Read, durability: Durability) -> Result<Put, StoreError> {
        let tmp = self.temp_path();
        let mut guard = TempGuard(&tmp, false);
        let mut file = File::create(&tmp).map_err(StoreError::io(&tmp))?;
        let mut hasher = blake3::Hasher::new();
        let mut buf = vec![0u8; CHUNK];
        let mut bytes = 0u64;
        loop {
            let n = read_full(reader, &mut buf).map_err(|source| StoreError::Read {
                path: PathBuf::from("<upload>"),
                source,
            })?;
            if n == 0 {
                break;
            }
            hash::update(&mut hasher, &buf[..n]);
            file.write_all(&buf[..n]).map_err(StoreError::io(&tmp))?;
            bytes += n as u64;
        }
        drop(file);
        let put = self.commit(&tmp, hasher.finalize(), bytes, durability)?;
        guard.1 = true;
        Ok(put)
    }

    fn open(&self, hash: &Hash) -> Result<Box<dyn Blob>, StoreError> {
        let path = self.object_path(hash);
        match File::open(&path) {
            Ok(f) => Ok(Box::new(f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(StoreError::NotFound(hash.to_hex().to_string()))
            }
            Err(e) => Err(StoreError::io(&path)(e)),
        }
    }

    fn size(&self, hash: &Hash) -> Result<u64, StoreError> {
        let path = self.object_path(hash);
        match fs::metadata(&path) {
            Ok(m) => Ok(m.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(StoreError::NotFound(hash.to_hex().to_string()))
            }
            Err(e) => Err(StoreError::io(&path)(e)),
        }
    }

    fn exists(&self, hash: &Hash) -> bool {
        self.object_path(hash).is_file()
    }

    fn remove(&self, hash: &Hash) -> Result<bool, StoreError> {
        let path = self.object_path(hash);
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(StoreError::io(&path)(e)),
        }
    }

    fn verify(&self, hash: &Hash) -> Result<Verified, StoreError> {
        let path = self.object_path(hash);
        if !path.is_file() {
            return Ok(Verified::Missing);
        }
        let (actual, _) = hash_file(&path)?;
        Ok(if actual == *hash {
            Verified::Ok
        } else {
            Verified::Corrupt
        })
    }

    fn list(&self) -> Result<Vec<Hash>, StoreError> {
        let mut out = Vec::new();
        let entries = fs::read_dir(&self.objects).map_err(StoreError::io(&self.objects))?;
        for dir in entries {
            let dir = dir.map_err(StoreError::io(&self.objects))?;
            let prefix = dir.file_name();
            let Some(prefix) = prefix.to_str().filter(|p| p.len() == 2) else {
                continue;
            };
            for file in fs::read_dir(dir.path()).map_err(StoreError::io(&dir.path()))? {
                let file = file.map_err(StoreError::io(&dir.path()))?;
                let name = file.file_name();
                if let Some(rest) = name.to_str() {
                    if let Ok(hash) = Hash::from_hex(format!("{prefix}{rest}")) {
                        out.push(hash);
                    }
                }
            }
        }
        out.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        Ok(out)
    }

    fn modified(&self, hash: &Hash) -> Result<SystemTime, StoreError> {
        let path = self.object_path(hash);
        match fs::metadata(&path).and_then(|m| m.modified()) {
            Ok(t) => Ok(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(StoreError::NotFound(hash.to_hex().to_string()))
            }
            Err(e) => Err(StoreError::io(&path)(e)),
        }
    }

    fn materialise(&self, hash: &Hash) -> Result<LocalCopy, StoreError> {
        let path = self.object_path(hash);
        if !path.is_file() {
            return Err(StoreError::NotFound(hash.to_hex().to_string()));
        }
        Ok(LocalCopy::object(path))
    }

    fn scratch_path(&self) -> PathBuf {
        self.temp_path()
    }

    /// A hard link where the file system allows (no bytes copied), else a copy renamed into
    /// place. A file server pointed at `public/` maps the media type from the extension.
    fn publish(&self, hash: &Hash, name: &str, _media_type: &str) -> Result<(), StoreError> {
        let path = self.public_path(name)?;
        if path.exists() {
            return Ok(());
        }
        let dir = path.parent().unwrap_or(&self.objects);
        fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
        let object = self.object_path(hash);
        if !object.exists() {
            return Err(StoreError::NotFound(hash.to_hex().to_string()));
        }
        if fs::hard_link(&object, &path).is_ok() {
            return Ok(());
        }
        let tmp = self.temp_path();
        fs::copy(&object, &tmp)
            .and_then(|_| fs::rename(&tmp, &path))
            .map_err(|e| {
                let _ = fs::remove_file(&tmp);
                StoreError::io(&path)(e)
            })
    }

    fn unpublish(&self, name: &str) -> Result<bool, StoreError> {
        let path = self.public_path(name)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(StoreError::io(&path)(e)),
        }
    }

    fn published(&self) -> Result<Vec<String>, StoreError> {
        let dir = self.public_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StoreError::io(&dir)(e)),
        };
        Ok(entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| super::is_public_name(n))
            .collect())
    }

    fn location(&self) -> String {
        format!(
            "file://{}",
            self.objects.parent().unwrap_or(&self.objects).display()
        )
    }

    fn sync_derived(&self) -> Result<(), StoreError> {
        use std::os::fd::AsRawFd;
        // One syncfs of the store's file system: cheaper than remembering every rendition.
        let dir = File::open(&self.objects).map_err(StoreError::io(&self.objects))?;
        // SAFETY: `dir` is an open descriptor for the duration of the call.
        if unsafe { libc::syncfs(dir.as_raw_fd()) } != 0 {
            return Err(StoreError::io(&self.objects)(
                std::io::Error::last_os_error(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::open(dir.path()).unwrap();
        let a = store
            .put_reader(&mut &b"logo v1"[..], Durability::Durable)
            .unwrap();
        let b = store
            .put_reader(&mut &b"logo v1"[..], Durability::Derived)
            .unwrap();
        assert_eq!(a.inserted, Inserted::New);
        assert_eq!(b.inserted, Inserted::Existing);
        assert_eq!(a.hash, blake3::hash(b"logo v1"));
        assert_eq!(store.list().unwrap(), vec![a.hash]);
        let mut back = String::new();
        store
            .open(&a.hash)
            .unwrap()
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, "logo v1");
        assert_eq!(
            fs::read_dir(dir.path().join("objects/tmp"))
                .unwrap()
                .count(),
            0
        );
    }
}
