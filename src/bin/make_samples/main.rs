//! Writes the sample photos of the `ingest/` drop folder: small synthetic landscapes, each with
//! real EXIF (camera, date with offset, credit, copyright) and GPS at one of the check-in spots
//! of brand/spots.toml, so the first run of `brandvault serve` shows a populated catalogue.
//!
//! Usage: make-samples [OUT_DIR] [BRAND_DIR]   (defaults: ingest, brand)
//!        make-samples --corpus N WIDTH HEIGHT OUT_DIR [BRAND_DIR]
//!        make-samples --catalog N TEMPLATE_DATA TARGET_CATALOG TARGET_DATA
//!        make-samples --logos BRAND_DIR
//! The second form writes N distinct photos for benchmarks, GPS cycling through the spots. The
//! third commits N synthetic assets to a catalogue (embedded folder or `postgres://…`) without
//! files: copies of the assets of a small real library (their renditions included, so they
//! exist in its store), each with an id, name, caption, capture time and tags of its own, as
//! the catalogue benchmarks at a million assets need (ingesting a million files takes hours).
//! Their rendition keys are recomputed for them, so that a service started on them finds its
//! renditions current (run from the repository root: presets come from `brand/`). The fourth
//! letters the starter brand's placeholder logos in the brand typeface (see `logos.rs`).

mod logos;

use std::path::PathBuf;

use brandvault::brand::Brand;
use brandvault::media::exif::ExifFields;
use brandvault::media::synth::{jpeg_with_exif, landscape};
use brandvault::model::Gps;

/// Spots with a sample, the file name given to each, and the capture time.
const SAMPLES: &[(&str, &str, &str)] = &[
    (
        "trang-co-bu-lach",
        "Trảng cỏ Bù Lạch mùa mưa.jpg",
        "2024-07-14T06:42:10",
    ),
    (
        "nui-ba-ra",
        "Núi Bà Rá nhìn từ hồ Thác Mơ.jpg",
        "2024-03-02T16:05:44",
    ),
    (
        "soc-bom-bo",
        "Sóc Bom Bo - nhà dài.jpg",
        "2024-05-19T09:12:03",
    ),
    (
        "bu-gia-map",
        "Vườn quốc gia Bù Gia Mập.jpg",
        "2023-12-28T07:30:00",
    ),
    (
        "dong-xoai",
        "Đồng Xoài - trung tâm.jpg",
        "2024-01-09T18:20:31",
    ),
    ("ta-thiet", "Căn cứ Tà Thiết.jpg", "2024-04-30T10:00:00"),
];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--corpus") => return corpus(&args[1..]),
        Some("--catalog") => return catalog(&args[1..]),
        Some("--logos") => {
            return logos::write(std::path::Path::new(
                args.get(1).map_or("brand", String::as_str),
            ))
        }
        _ => {}
    }
    let mut args = args.into_iter();
    let out = PathBuf::from(args.next().unwrap_or_else(|| "ingest".into()));
    let brand_dir = PathBuf::from(args.next().unwrap_or_else(|| "brand".into()));
    let brand = Brand::load(&brand_dir)?;
    std::fs::create_dir_all(&out)?;
    for (i, (spot_id, name, when)) in SAMPLES.iter().enumerate() {
        let spot = brand
            .gazetteer
            .spots
            .iter()
            .find(|s| s.id == *spot_id)
            .ok_or_else(|| anyhow::anyhow!("spot {spot_id} is not in {}", brand_dir.display()))?;
        let image = landscape(960, 640, i as u64 + 1);
        let fields = ExifFields {
            make: Some("brandvault".into()),
            model: Some("sample generator".into()),
            orientation: Some(1),
            datetime_original: Some((*when).into()),
            offset: Some("+07:00".into()),
            artist: Some("Sở Văn hóa, Thể thao và Du lịch (ảnh mẫu)".into()),
            copyright: Some("CC BY 4.0 — ảnh mẫu tổng hợp / synthetic sample".into()),
            description: Some(format!("{} — {}", spot.name_vi, spot.name_en)),
            // A little off the centre, as a real photo would be.
            gps: Some(Gps {
                lat: spot.lat + 0.001,
                lon: spot.lon - 0.0012,
                alt_m: Some(120.0),
            }),
        };
        let bytes = jpeg_with_exif(&image, 85, &fields);
        std::fs::write(out.join(name), &bytes)?;
        println!("{} ({} bytes)", out.join(name).display(), bytes.len());
    }
    Ok(())
}

/// Benchmark corpus: `n` distinct photos of `w`×`h`, each with camera EXIF and GPS near a spot.
fn corpus(args: &[String]) -> anyhow::Result<()> {
    let [n, w, h, out, rest @ ..] = args else {
        anyhow::bail!("usage: make-samples --corpus N WIDTH HEIGHT OUT_DIR [BRAND_DIR]");
    };
    let (n, w, h): (usize, u32, u32) = (n.parse()?, w.parse()?, h.parse()?);
    let brand = Brand::load(&PathBuf::from(rest.first().map_or("brand", String::as_str)))?;
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out)?;
    use rayon::prelude::*;
    (0..n)
        .into_par_iter()
        .try_for_each(|i| -> anyhow::Result<()> {
            let spot = &brand.gazetteer.spots[i % brand.gazetteer.spots.len().max(1)];
            let fields = ExifFields {
                make: Some("Canon".into()),
                model: Some("EOS R6".into()),
                orientation: Some(1),
                datetime_original: Some(format!(
                    "2024-{:02}-{:02}T08:{:02}:00",
                    1 + i % 12,
                    1 + i % 28,
                    i % 60
                )),
                offset: Some("+07:00".into()),
                artist: Some("Ảnh: Cổng thông tin tỉnh".into()),
                gps: Some(Gps {
                    lat: spot.lat + (i % 7) as f64 * 1e-4,
                    lon: spot.lon - (i % 5) as f64 * 1e-4,
                    alt_m: None,
                }),
                ..Default::default()
            };
            let bytes = jpeg_with_exif(&landscape(w, h, i as u64 + 1000), 92, &fields);
            std::fs::write(out.join(format!("IMG_{i:05}.jpg")), bytes)?;
            Ok(())
        })
}

/// Words the synthetic captions and names are made of (text search needs a vocabulary).
const WORDS: &[&str] = &[
    "thác",
    "hồ",
    "rừng",
    "đồi",
    "suối",
    "chùa",
    "chợ",
    "cầu",
    "làng",
    "sóc",
    "nhà dài",
    "điều",
    "cao su",
    "tiêu",
    "lễ hội",
    "mùa mưa",
    "bình minh",
    "hoàng hôn",
    "trảng cỏ",
    "voọc",
];

/// Gives a copy's renditions the keys the renderer computes for it (they hash the asset's id
/// and metadata), so a service started on the copies finds them current and renders nothing.
/// The stored files are the template's, with its caption inside: these are benchmark data.
fn current_keys(asset: &mut brandvault::model::Asset, brand: &Brand) {
    use brandvault::render::{keyed, outgoing, pixel_key, Wording, ENGINE_VERSION};
    let wording = Wording {
        public_url: None,
        guidelines: brand.guidelines.as_ref(),
    };
    let metadata = outgoing(asset, wording);
    let id = asset.id;
    for r in &mut asset.renditions {
        if let Some(preset) = brand.presets.iter().find(|p| p.name == r.preset) {
            let pixels = pixel_key(id, preset, None, ENGINE_VERSION);
            r.key = keyed(&pixels, preset, &metadata);
            r.pixels = Some(pixels);
        }
    }
}

/// `--catalog N TEMPLATE_DATA TARGET_CATALOG TARGET_DATA`: see the header.
fn catalog(args: &[String]) -> anyhow::Result<()> {
    use brandvault::catalog::{Catalog, Change, Filter, Location};
    use brandvault::model::AssetId;
    let [n, template, target, data] = args else {
        anyhow::bail!("usage: make-samples --catalog N TEMPLATE_DATA TARGET_CATALOG TARGET_DATA");
    };
    let n: usize = n.parse()?;
    let templates = Catalog::open(&Location::Embedded(template.into()))?.list(&Filter::default())?;
    anyhow::ensure!(!templates.is_empty(), "{template} holds no assets to copy");
    anyhow::ensure!(
        templates
            .iter()
            .all(|a| a.kind != brandvault::model::Kind::Video),
        "{template} holds videos: only photos are copied"
    );
    let brand = Brand::load(std::path::Path::new("brand"))?;
    let target =
        Location::parse(Some(target), std::path::Path::new(data)).map_err(anyhow::Error::msg)?;
    let catalog = Catalog::open(&target)?;
    let started = std::time::Instant::now();
    for first in (0..n).step_by(5_000) {
        let changes: Vec<Change> = (first..(first + 5_000).min(n))
            .map(|i| {
                let mut asset = templates[i % templates.len()].clone();
                let id = blake3::hash(format!("synthetic {i}").as_bytes());
                asset.id = AssetId::from_slice(id.as_bytes()).expect("32 bytes");
                let (a, b) = (
                    WORDS[i % WORDS.len()],
                    WORDS[(i / WORDS.len()) % WORDS.len()],
                );
                asset.names = vec![format!("{a} {b} {i:07}.jpg")];
                asset.caption.vi = Some(format!("Ảnh {a}, {b} số {i}"));
                asset.captured_at = Some(format!(
                    "20{:02}-{:02}-{:02}T08:{:02}:00+07:00",
                    18 + i % 8,
                    1 + i % 12,
                    1 + i % 28,
                    i % 60
                ));
                asset.tags = vec![["tourism", "culture", "nature", "press"][i % 4].to_owned()];
                current_keys(&mut asset, &brand);
                Change::Ingested {
                    asset: Box::new(asset),
                }
            })
            .collect();
        catalog.commit("2026-11-29T00:00:00Z", "make-samples", &changes, &[])?;
        if (first / 5_000) % 20 == 19 {
            eprintln!(
                "{} assets, {:.0} s",
                first + changes.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    catalog.flush()?;
    println!(
        "{} assets in {:.0} s",
        catalog.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
