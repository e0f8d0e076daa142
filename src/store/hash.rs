//! Streaming BLAKE3: large inputs are hashed on every core, with bounded memory.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::StoreError;

/// Inputs below this size are read and hashed on one thread: mapping and fanning out cost more.
const SMALL: u64 = 1 << 20;
/// Large files are mapped one window at a time so that resident memory stays bounded
/// (a whole-file map would count the whole file in RSS).
const WINDOW: u64 = 16 << 20;
/// Chunk size for streamed input: large enough for blake3's multi-threaded update to pay.
pub(crate) const CHUNK: usize = 1 << 20;

/// Hashes a file, using every core and windowed memory maps for large files.
pub fn hash_file(path: &Path) -> Result<(blake3::Hash, u64), StoreError> {
    let read_err = |source| StoreError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(read_err)?;
    let len = file.metadata().map_err(read_err)?.len();
    if len < SMALL {
        return hash_reader(&mut file).map_err(read_err);
    }
    let mut hasher = blake3::Hasher::new();
    let mut offset = 0;
    while offset < len {
        let window = WINDOW.min(len - offset);
        // SAFETY: the map is read-only and dropped before the next window. Only files the
        // store owns (its temporary files and objects) are hashed here, which nothing else
        // truncates; a user's file goes through `hash_foreign_file`.
        let map = unsafe {
            memmap2::MmapOptions::new()
                .offset(offset)
                .len(window as usize)
                .map(&file)
        }
        .map_err(read_err)?;
        hasher.update_rayon(&map);
        offset += window;
    }
    Ok((hasher.finalize(), len))
}

/// Hashes a file that another program may change while it is read (a user's file given to
/// `brandvault hash`): read in windows, never mapped, since a mapped file truncated underneath
/// faults (SIGBUS) instead of failing a read.
pub fn hash_foreign_file(path: &Path) -> Result<(blake3::Hash, u64), StoreError> {
    let read_err = |source| StoreError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(read_err)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; WINDOW as usize];
    let mut total = 0u64;
    loop {
        let n = read_full(&mut file, &mut buf).map_err(read_err)?;
        if n == 0 {
            break;
        }
        update(&mut hasher, &buf[..n]);
        total += n as u64;
    }
    Ok((hasher.finalize(), total))
}

/// Hashes everything `reader` yields.
pub fn hash_reader(reader: &mut dyn Read) -> std::io::Result<(blake3::Hash, u64)> {
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = read_full(reader, &mut buf)?;
        if n == 0 {
            break;
        }
        update(&mut hasher, &buf[..n]);
        total += n as u64;
    }
    Ok((hasher.finalize(), total))
}

/// Feeds a chunk to the hasher, on every core when the chunk is big enough to pay.
pub(crate) fn update(hasher: &mut blake3::Hasher, chunk: &[u8]) {
    if chunk.len() >= 128 * 1024 {
        hasher.update_rayon(chunk);
    } else {
        hasher.update(chunk);
    }
}

/// Reads until `buf` is full or the input ends; returns the number of bytes read.
pub(crate) fn read_full(reader: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn windowed_hash_equals_one_shot_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        // Not a multiple of the window, so the last window is partial.
        let data: Vec<u8> = (0..(WINDOW as usize + 12_345))
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        File::create(&path).unwrap().write_all(&data).unwrap();
        let (hash, len) = hash_file(&path).unwrap();
        assert_eq!(len, data.len() as u64);
        assert_eq!(hash, blake3::hash(&data));
        let (hash2, _) = hash_reader(&mut data.as_slice()).unwrap();
        assert_eq!(hash2, hash);
        assert_eq!(hash_foreign_file(&path).unwrap(), (hash, len));
        let empty = dir.path().join("empty.bin");
        File::create(&empty).unwrap();
        assert_eq!(hash_foreign_file(&empty).unwrap().0, blake3::hash(b""));
    }
}
