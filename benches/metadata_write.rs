//! Writes a caption (vi, en) and a credit into every JPEG of a folder, in place, the way
//! brandvault writes delivered files (EXIF Artist and Copyright, XMP, IPTC IIM), on every core
//! as renditions are made: the brandvault side of `benches/exiftool_compare.sh`. Prints one
//! line: files and seconds.
//! Usage: cargo bench --bench metadata_write -- DIR

use std::time::Instant;

use rayon::prelude::*;

use brandvault::media::exif::{write_block, ExifFields};
use brandvault::media::meta::{container, iptc, xmp, Blocks, Outgoing};
use brandvault::model::{Caption, MediaType};

fn main() {
    let Some(dir) = std::env::args().skip(1).find(|a| !a.starts_with("--")) else {
        eprintln!("usage: metadata_write DIR (skipped under `cargo bench` without one)");
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("read the folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    files.sort();
    let started = Instant::now();
    files.par_iter().enumerate().for_each(|(i, path)| {
        let m = Outgoing {
            id: format!("{i:064}"),
            caption: Caption {
                vi: Some(format!("Trảng cỏ Bù Lạch, ảnh {i}")),
                en: Some(format!("Bu Lach grassland, photo {i}")),
            },
            credit: Some("Ảnh: Nguyễn Thị Hồng".into()),
            ..Default::default()
        };
        let exif = write_block(&ExifFields {
            artist: m.credit.clone(),
            ..Default::default()
        })
        .expect("EXIF block");
        let packet = xmp::write(&m);
        let iim = iptc::write(&m);
        let bytes = std::fs::read(path).expect("read a JPEG");
        let out = container::replace(
            &bytes,
            MediaType::Jpeg,
            &Blocks {
                exif: Some(&exif),
                xmp: Some(packet.as_bytes()),
                iptc: Some(&iim),
            },
        )
        .expect("a JPEG");
        std::fs::write(path, out).expect("write the JPEG");
    });
    println!(
        "{} files in {:.3} s",
        files.len(),
        started.elapsed().as_secs_f64()
    );
}
