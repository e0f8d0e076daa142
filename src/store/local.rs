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

/// A fresh scratch file name, `{pid}-{n}.part`: the writer's process id lets `sweep_scratch`
/// tell a crashed writer's leftovers from a live process's work in progress.
pub(super) fn scratch_name(n: u64) -> String {
    format!("{}-{n}.part", std::process::id())
}

/// Removes what crashed processes left in a scratch folder (incomplete by definition), but not
/// the files of a process still running: a `backup` opening the store of a running `serve`
/// must not pull a video upload out from under it. (Where there is no `/proc`, every file goes.)
pub(super) fn sweep_scratch(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let writer = name
            .to_str()
            .and_then(|n| n.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        let alive = writer.is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
