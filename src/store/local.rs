//! Local files standing in for objects, for the one external program (ffmpeg) that needs a path.

use std::path::{Path, PathBuf};

/// A local file holding an object's bytes. A store that keeps files hands out the object itself;
/// one that does not writes a copy to its scratch folder, and the copy goes when this is dropped.
#[derive(Debug)]
pub struct LocalCopy {
    path: PathBuf,
    temporary: bool,
}

impl LocalCopy {
    /// The object's own file: never removed.
    pub fn object(path: PathBuf) -> Self {
        Self {
            path,
            temporary: false,
        }
    }

    /// A copy made for the caller: removed on drop.
    pub fn temporary(path: PathBuf) -> Self {
        Self {
            path,
            temporary: true,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LocalCopy {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
