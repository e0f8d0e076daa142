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

/// Makes the reserve, or tops it up, with real bytes (a sparse file would reserve nothing) as
/// far as there is room: after a full disk let a reading command open, the room it freed goes
/// back into the reserve, so the disk is full again for writes (refused with `disk-full`)
/// and the next reader finds a reserve to release.
pub(super) fn keep(dir: &Path) {
    let path = path(dir);
    let have = std::fs::metadata(&path).map_or(0, |m| m.len());
    if have >= RESERVE {
        return;
    }
    let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    else {
        return;
    };
    let block = vec![0u8; 64 << 10];
    let mut left = RESERVE - have;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        if file.write_all(&block[..n]).is_err() {
            break;
        }
        left -= n as u64;
    }
    let _ = file.sync_all();
}
