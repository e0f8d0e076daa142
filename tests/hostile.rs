//! Hostile input, made by the tests: decompression and memory bombs under the pixel limit,
//! a JPEG whose header promises more than its data holds, and file names with terminal escape
//! sequences. Each bomb is ingested by the real binary, whose peak RSS is read from the kernel
//! (`wait4`) and must stay under 256 MiB: refused before anything big is allocated.

mod common;

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use brandvault::media::exif::ExifFields;
use common::{photo, Fixture};
use serde_json::Value;

const RSS_LIMIT_KIB: i64 = 256 * 1024;

/// One PNG chunk: length, type, data, CRC.
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// zlib of `len` zero bytes, streamed (nothing that large is ever held).
fn zlib_zeros(len: u64) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        z.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
    z.finish().unwrap()
}

fn png(
    width: u32,
    height: u32,
    depth: u8,
    colour: u8,
    extra: &[(&[u8; 4], Vec<u8>)],
    idat: Vec<u8>,
) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[depth, colour, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    for (kind, data) in extra {
        chunk(&mut out, kind, data);
    }
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A 64×64 PNG carrying an ICC profile that inflates to `icc_bytes`.
fn icc_bomb(icc_bytes: u64) -> Vec<u8> {
    let mut iccp = b"bomb\0\0".to_vec();
    iccp.extend(zlib_zeros(icc_bytes));
    let rows = 64 * (1 + 64 * 3);
    png(64, 64, 8, 2, &[(b"iCCP", iccp)], zlib_zeros(rows))
}

/// A GIF of `frames` one-pixel frames on a `side`² screen: tiny on disk, a screen-sized
/// canvas in memory.
fn gif_bomb(side: u16, frames: usize) -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&side.to_le_bytes());
    out.extend_from_slice(&side.to_le_bytes());
    out.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 255, 255, 255]);
    for _ in 0..frames {
        out.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]);
        // LZW, minimum code size 2: clear (4), index 0, end (5), three bits each.
        out.extend_from_slice(&[2, 2, 0x44, 0x01, 0]);
    }
    out.push(0x3B);
    out
}

/// Ingests one file with the real binary; returns the report and the peak RSS in KiB.
fn ingest_measured(fx: &Fixture, path: &std::path::Path) -> (Value, i64) {
    let child = fx
        .command(&["ingest", "--no-render", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let output = std::thread::spawn(move || {
        let mut child = child;
        let mut stdout = Vec::new();
        std::io::Read::read_to_end(child.stdout.as_mut().unwrap(), &mut stdout).unwrap();
        stdout
    });
    let stdout = output.join().unwrap();
    let mut status = 0;
    // SAFETY: plain libc call on our own child; `usage` is written by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    let exit = std::process::ExitStatus::from_raw(status);
    assert_eq!(exit.code(), Some(2), "{}", String::from_utf8_lossy(&stdout));
    (serde_json::from_slice(&stdout).unwrap(), usage.ru_maxrss)
}

fn assert_refused(fx: &Fixture, name: &str, bytes: &[u8], code: &str) -> i64 {
    let path = fx.write(name, bytes);
    let (report, rss_kib) = ingest_measured(fx, &path);
    assert_eq!(report["rejected"][0]["code"], code, "{name}: {report}");
    assert!(
        rss_kib < RSS_LIMIT_KIB,
        "{name}: peak RSS {rss_kib} KiB, over {RSS_LIMIT_KIB}"
    );
    println!(
        "{name}: {} bytes, refused as {code}, peak RSS {} MiB",
        bytes.len(),
        rss_kib / 1024
    );
    rss_kib
}

#[test]
fn bombs_are_refused_before_they_are_allocated() {
    let fx = Fixture::new();
    // A 1 GiB ICC profile in a PNG of about a megabyte.
    assert_refused(&fx, "icc.png", &icc_bomb(1 << 30), "too-large");
    // 14000² at 16 bits per channel with alpha: 1.5 GiB of pixels from 1.5 MB of zlib.
    let side = 14_000u32;
    let rows = u64::from(side) * (1 + u64::from(side) * 8);
    let deep = png(side, side, 16, 6, &[], zlib_zeros(rows));
    assert_refused(&fx, "deep.png", &deep, "too-large");
    // 2,000 frames on a 12000² screen in a few kilobytes.
    assert_refused(&fx, "frames.gif", &gif_bomb(12_000, 2_000), "too-large");
    // A JPEG header that says 14000² over the scan of a 1600×1200 photo.
    let mut jpeg = photo(1600, 1200, 7, &ExifFields::default());
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpeg[sof + 5..sof + 7].copy_from_slice(&14_000u16.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&14_000u16.to_be_bytes());
    assert_refused(&fx, "liar.jpg", &jpeg, "truncated-image");
    // Nothing of them was kept.
    assert_eq!(fx.json(&["ls"], 0).as_array().unwrap().len(), 0);
    assert!(fx.objects().is_empty(), "refused bytes are not stored");
}

#[test]
fn control_characters_in_names_are_escaped_on_the_terminal() {
    let fx = Fixture::new();
    let path = fx.write(
        "a\x1b[31mb\rc.jpg",
        &photo(64, 48, 3, &ExifFields::default()),
    );
    fx.ingest(&[&path], 0);
    let plain = fx.command(&["ls"]);
    let args: Vec<_> = plain
        .get_args()
        .filter(|a| *a != "--json")
        .map(|a| a.to_owned())
        .collect();
    let out = std::process::Command::new(plain.get_program())
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(!text.contains('\x1b') && !text.contains('\r'), "{text:?}");
    // Names are stored without their control characters (replaced by `_`), so neither the
    // terminal nor the JSON ever carries them.
    assert!(text.contains("a_[31mb_c.jpg"), "{text:?}");
    let listed = fx.json(&["ls"], 0);
    assert_eq!(listed[0]["names"][0], "a_[31mb_c.jpg");
}
