//! The store's contract, on whichever backend the suite runs against (the data folder, or
//! S3-compatible storage under `tests/with-s3.sh`): objects named by their hash and stored
//! once, whole or not at all, readable by range, listed, aged, copied out for ffmpeg.

mod common;

use std::io::{Read, Seek, SeekFrom};

use brandvault::store::{hash_file, Durability, Inserted, Verified};
use common::Fixture;

/// Bytes that differ everywhere, so a misplaced range shows.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3] ^ seed)
        .collect()
}

/// A reader that fails after `left` bytes, as a dropped upload does.
struct Broken {
    bytes: Vec<u8>,
    pos: usize,
    fail_at: usize,
}

impl Read for Broken {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.fail_at {
            return Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "the client went away",
            ));
        }
        let n = buf.len().min(self.fail_at - self.pos);
        buf[..n].copy_from_slice(&self.bytes[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn objects_are_stored_once_whole_and_read_back_by_range() {
    let fx = Fixture::new();
    let store = fx.store();

    // A small object (one request on object storage) and the same bytes again.
    let small = pattern(70_000, 1);
    let put = store
        .put_reader(&mut small.as_slice(), Durability::Durable)
        .unwrap();
    assert_eq!(put.hash, blake3::hash(&small));
    assert_eq!(put.inserted, Inserted::New);
    let again = store
        .put_reader(&mut small.as_slice(), Durability::Derived)
        .unwrap();
    assert_eq!(again.inserted, Inserted::Existing);

    // A large one from a file: several parts on object storage, not a multiple of a part.
    let large = pattern(21 << 20 | 12_345, 2);
    let path = fx.write("large.bin", &large);
    let big = store.put_file(&path).unwrap();
    assert_eq!(big.hash, hash_file(&path).unwrap().0);
    assert_eq!(
        (big.bytes, big.inserted),
        (large.len() as u64, Inserted::New)
    );
    assert_eq!(store.size(&big.hash).unwrap(), large.len() as u64);
    assert_eq!(
        store.put_file(&path).unwrap().inserted,
        Inserted::Existing,
        "the same file is stored once"
    );

    // Ranges across part boundaries (the object store's 6 MiB, the local store has none), from
    // the end, and the whole.
    let mut blob = store.open(&big.hash).unwrap();
    let part = 6u64 << 20;
    for start in [
        0,
        part - 3,
        2 * part - 5,
        3 * part + 1,
        large.len() as u64 - 10,
    ] {
        let mut got = vec![0u8; 10];
        blob.seek(SeekFrom::Start(start)).unwrap();
        blob.read_exact(&mut got).unwrap();
        assert_eq!(
            got,
            large[start as usize..start as usize + 10],
            "at {start}"
        );
    }
    assert_eq!(
        blob.seek(SeekFrom::End(0)).unwrap(),
        large.len() as u64,
        "seeking to the end gives the size"
    );
    let mut whole = Vec::new();
    blob.seek(SeekFrom::Start(0)).unwrap();
    blob.read_to_end(&mut whole).unwrap();
    assert!(whole == large, "the object reads back whole");

    // ffmpeg's local copy holds the same bytes, and goes when dropped if it was a copy.
    let copy = store.materialise(&put.hash).unwrap();
    assert_eq!(std::fs::read(copy.path()).unwrap(), small);
    let copy_path = copy.path().to_owned();
    drop(copy);
    assert!(
        copy_path.exists() == fx.store_url().starts_with("file://"),
        "a copy is removed, the object's own file is not"
    );

    // Listed, aged, verified, removed.
    let mut expected = vec![put.hash.to_hex().to_string(), big.hash.to_hex().to_string()];
    expected.sort();
    assert_eq!(fx.objects(), expected);
    let age = std::time::SystemTime::now()
        .duration_since(store.modified(&big.hash).unwrap())
        .unwrap_or_default();
    assert!(age.as_secs() < 600, "written just now: {age:?}");
    assert_eq!(store.verify(&big.hash).unwrap(), Verified::Ok);
    assert!(store.remove(&put.hash).unwrap());
    assert!(!store.remove(&put.hash).unwrap(), "already gone");
    assert_eq!(store.verify(&put.hash).unwrap(), Verified::Missing);
    assert!(store.open(&put.hash).is_err());
}

#[test]
fn an_upload_cut_off_leaves_no_object() {
    let fx = Fixture::new();
    let store = fx.store();
    for fail_at in [100_000, 13 << 20] {
        let mut reader = Broken {
            bytes: pattern(20 << 20, 3),
            pos: 0,
            fail_at,
        };
        let err = store
            .put_reader(&mut reader, Durability::Durable)
            .unwrap_err();
        assert!(err.to_string().contains("went away"), "{err}");
        assert!(
            fx.objects().is_empty(),
            "nothing stored after {fail_at} bytes"
        );
    }
}

/// A bucket that does not exist is said to be one, by name, when the store is opened, not
/// reported as the server's XML (object storage only: a folder is made when missing).
#[test]
fn a_missing_bucket_is_named_when_the_store_is_opened() {
    let fx = Fixture::new();
    if !fx.store_url().starts_with("s3://") {
        return;
    }
    let err = brandvault::store::open("s3://brandvault-no-such-bucket/thu-vien", &fx.data())
        .err()
        .expect("a missing bucket is refused");
    let message = err.to_string();
    assert!(
        message.contains("the bucket brandvault-no-such-bucket does not exist"),
        "{message}"
    );
    assert!(!message.contains("<Error>"), "{message}");
}
