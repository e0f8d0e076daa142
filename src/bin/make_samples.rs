//! Writes the sample photos of the `ingest/` drop folder: small synthetic landscapes, each with
//! real EXIF (camera, date with offset, credit, copyright) and GPS at one of the check-in spots
//! of brand/spots.toml, so the first run of `brandvault serve` shows a populated catalogue.
//!
//! Usage: make-samples [OUT_DIR] [BRAND_DIR]   (defaults: ingest, brand)
//!        make-samples --corpus N WIDTH HEIGHT OUT_DIR [BRAND_DIR]
//! The second form writes N distinct photos for benchmarks, GPS cycling through the spots.

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
    if args.first().map(String::as_str) == Some("--corpus") {
        return corpus(&args[1..]);
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
