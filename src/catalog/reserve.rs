//! Room kept on the catalogue's disk for reading it when the disk is full. sled writes as it
//! opens, so on a full disk even `ls` and `verify` would fail; a file of reserved bytes beside
//! the index is released when an open fails for lack of space, which lets the catalogue open
//! (writes are still refused with `disk-full`), and is made again once there is room.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Enough for sled to open and settle its log a few times.
const RESERVE: u64 = 4 << 20;

fn path(dir: &Path) -> PathBuf {
    dir.join("catalog.reserve")
}

/// Frees the reserve; whether there was one to free.
pub(super) fn release(dir: &Path) -> bool {
    std::fs::remove_file(path(dir)).is_ok()
}

/// Makes the reserve if it is missing or short and there is room for it (real bytes: a
/// sparse file would reserve nothing). A partial one is removed, never left half-made.
pub(super) fn keep(dir: &Path) {
    let path = path(dir);
    if std::fs::metadata(&path).is_ok_and(|m| m.len() == RESERVE) {
        return;
    }
    let written = std::fs::File::create(&path).and_then(|mut f| {
        let block = vec![0u8; 64 << 10];
        for _ in 0..RESERVE / block.len() as u64 {
            f.write_all(&block)?;
        }
        f.sync_all()
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&path);
    }
}
