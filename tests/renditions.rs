//! Renditions on real files: orientation, cover sizes, never upscaling, alpha, caching,
//! failures that do not stop the batch, metadata policy, preset edits, unusual JPEGs.

mod common;

use std::io::Cursor;

use brandvault::media::exif::ExifFields;
use brandvault::media::synth::jpeg_with_exif;
use common::{ids, photo, Fixture};
use image::{DynamicImage, GenericImageView, Rgb, RgbImage};
use serde_json::Value;

/// An asymmetric picture: four differently coloured quadrants and a marker, so every flip and
/// rotation is distinguishable.
fn quadrants(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| match (x < w / 2, y < h / 2) {
        (true, true) => Rgb([220, 30, 30]),
        (false, true) => Rgb([30, 200, 40]),
        (true, false) => Rgb([30, 40, 220]),
        (false, false) => Rgb([230, 220, 40]),
    })
}

fn export(fx: &Fixture, id: &str, preset: &str) -> Vec<u8> {
    let out = fx.dir.path().join(format!("{}-{preset}.out", &id[..8]));
    fx.json(
        &[
            "export",
            id,
            "--preset",
            preset,
            "-o",
            out.to_str().unwrap(),
        ],
        0,
    );
    std::fs::read(out).unwrap()
}

fn rendition<'a>(asset: &'a Value, preset: &str) -> &'a Value {
    asset["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["preset"] == preset)
        .unwrap_or_else(|| panic!("no {preset} rendition in {asset}"))
}

fn close(a: [u8; 3], b: [u8; 3], tolerance: i32) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (i32::from(*x) - i32::from(y)).abs() <= tolerance)
}

#[test]
fn every_orientation_renders_upright() {
    let fx = Fixture::new();
    let upright = DynamicImage::ImageRgb8(quadrants(96, 64));
    for o in 1..=8u8 {
        // The stored pixels are the upright picture under the inverse transform.
        let inverse = match o {
            6 => 8,
            8 => 6,
            other => other,
        };
        let mut stored = upright.clone();
        stored.apply_orientation(image::metadata::Orientation::from_exif(inverse).unwrap());
        let fields = ExifFields {
            orientation: Some(u16::from(o)),
            ..Default::default()
        };
        fx.write(
            &format!("o{o}.jpg"),
            &jpeg_with_exif(&stored.to_rgb8(), 95, &fields),
        );
    }
    fx.ingest(&[&fx.input()], 0);
    let rendered = fx.json(&["render", "--preset", "preview"], 0);
    assert_eq!(rendered["rendered"], 8);
    for o in 1..=8 {
        let asset = &fx.json(&["ls", "--query", &format!("o{o}.jpg")], 0)[0];
        let r = rendition(asset, "preview");
        assert_eq!(
            (r["width"].as_u64(), r["height"].as_u64()),
            (Some(96), Some(64))
        );
        let out = image::load_from_memory(&export(&fx, asset["id"].as_str().unwrap(), "preview"))
            .unwrap()
            .to_rgb8();
        assert_eq!(out.dimensions(), (96, 64), "orientation {o}");
        for (x, y) in [(20, 15), (76, 15), (20, 50), (76, 50)] {
            let want = upright.get_pixel(x, y).0;
            let got = out.get_pixel(x, y).0;
            assert!(
                close([want[0], want[1], want[2]], got, 40),
                "orientation {o} at ({x},{y}): {got:?} vs {want:?}"
            );
        }
    }
}

#[test]
fn cover_is_exact_contain_never_upscales_and_alpha_survives() {
    let fx = Fixture::new();
    std::fs::write(
        fx.brand().join("presets.toml"),
        r#"
[[preset]]
name = "banner"
width = 120
height = 63
fit = "cover"
format = "jpeg"
quality = 85
kinds = ["photo"]

[[preset]]
name = "tall"
width = 90
height = 160
fit = "cover"
format = "webp"
quality = 80
kinds = ["photo"]

[[preset]]
name = "big"
width = 2048
height = 2048
fit = "contain"
format = "png"
kinds = ["photo"]

[[preset]]
name = "logo-300"
width = 300
fit = "width"
format = "png"
metadata = "none"
kinds = ["logo", "photo"]
"#,
    )
    .unwrap();
    fx.write("wide.jpg", &photo(400, 300, 1, &ExifFields::default()));
    // A PNG with a transparent half.
    let rgba = image::RgbaImage::from_fn(200, 100, |x, _| {
        image::Rgba([200, 20, 20, if x < 100 { 0 } else { 255 }])
    });
    let mut png = Vec::new();
    rgba.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    fx.write("half.png", &png);
    fx.write(
        "logo.svg",
        br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"><circle cx="25" cy="25" r="20" fill="#0a7f3f"/></svg>"##,
    );
    let report = fx.ingest(&[&fx.input()], 0);
    assert_eq!(ids(&report, "added").len(), 3);
    fx.json(&["render"], 0);
    let find = |q: &str| fx.json(&["ls", "--query", q], 0)[0].clone();

    let wide = find("wide.jpg");
    let id = wide["id"].as_str().unwrap();
    let banner = image::load_from_memory(&export(&fx, id, "banner")).unwrap();
    assert_eq!(banner.dimensions(), (120, 63));
    let tall = image::load_from_memory(&export(&fx, id, "tall")).unwrap();
    assert_eq!(tall.dimensions(), (90, 160));
    let big = rendition(&wide, "big");
    assert_eq!(
        (big["width"].as_u64(), big["height"].as_u64()),
        (Some(400), Some(300))
    );

    let half = find("half.png");
    let out = image::load_from_memory(&export(&fx, half["id"].as_str().unwrap(), "logo-300"))
        .unwrap()
        .to_rgba8();
    assert_eq!(out.dimensions(), (300, 150));
    assert_eq!(
        out.get_pixel(30, 75).0[3],
        0,
        "transparent stays transparent"
    );
    assert_eq!(out.get_pixel(270, 75).0, [200, 20, 20, 255]);

    let logo = find("logo.svg");
    assert_eq!(logo["kind"], "logo");
    let out = image::load_from_memory(&export(&fx, logo["id"].as_str().unwrap(), "logo-300"))
        .unwrap()
        .to_rgba8();
    assert_eq!(out.dimensions(), (300, 150));
    assert_eq!(out.get_pixel(250, 10).0[3], 0, "background is transparent");
    let centre = out.get_pixel(75, 75).0;
    assert!(close([centre[0], centre[1], centre[2]], [0x0a, 0x7f, 0x3f], 2) && centre[3] == 255);
}

#[test]
fn renditions_are_made_once_and_remade_when_a_preset_changes() {
    let fx = Fixture::new();
    fx.write("a.jpg", &photo(300, 200, 1, &ExifFields::default()));
    fx.write("b.jpg", &photo(300, 200, 2, &ExifFields::default()));
    fx.ingest(&[&fx.input()], 0);
    let first = fx.json(&["render"], 0);
    assert_eq!(first["rendered"], 16, "8 photo presets × 2");
    assert_eq!(first["cached"], 0);
    let second = fx.json(&["render"], 0);
    assert_eq!(second["rendered"], 0);
    assert_eq!(second["cached"], 16);
    let objects_before = fx.objects().len();

    // A new quality for `preview` makes new previews; the old ones become garbage.
    let presets = fx.brand().join("presets.toml");
    let text = std::fs::read_to_string(&presets).unwrap();
    std::fs::write(&presets, text.replacen("quality = 82", "quality = 70", 1)).unwrap();
    let third = fx.json(&["render"], 0);
    assert_eq!(third["rendered"], 2);
    assert_eq!(third["cached"], 14);
    assert_eq!(fx.objects().len(), objects_before + 2);
    let gc = fx.json(&["gc", "--grace-secs", "0"], 0);
    assert_eq!(gc["removed"], 2);
    fx.json(&["verify"], 0);
    assert_eq!(fx.json(&["render"], 0)["cached"], 16);
}

#[test]
fn bombs_and_broken_sources_fail_alone() {
    let fx = Fixture::new();
    // A decompression bomb: a valid PNG header declaring 100 000 × 100 000 pixels.
    let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    bomb.extend_from_slice(&13u32.to_be_bytes());
    bomb.extend_from_slice(&ihdr);
    bomb.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    // An IDAT holding an empty zlib stream (one stored block), then IEND.
    for (kind, payload) in [
        (
            &b"IDAT"[..],
            &[0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0, 0, 0, 1][..],
        ),
        (&b"IEND"[..], &[][..]),
    ] {
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(payload);
        bomb.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        bomb.extend_from_slice(&chunk);
        bomb.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    fx.write("bomb.png", &bomb);
    fx.write("good1.jpg", &photo(200, 150, 1, &ExifFields::default()));
    fx.write("good2.jpg", &photo(200, 150, 2, &ExifFields::default()));
    let report = fx.ingest(&[&fx.input()], 2);
    assert_eq!(report["rejected"][0]["code"], "too-large");
    assert!(report["rejected"][0]["message"]
        .as_str()
        .unwrap()
        .contains("bomb.png"));
    let added = ids(&report, "added");
    assert_eq!(added.len(), 2);

    // One stored original is damaged after ingest: its renditions fail, the other's succeed.
    let bytes = fx.object(&added[0]);
    fx.damage_object(&added[0], &bytes[..bytes.len() / 3]);
    let out = fx.json(&["render"], 1);
    assert_eq!(out["rendered"], 8);
    let failed = out["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 8);
    assert!(failed.iter().all(|f| f["id"] == added[0].as_str()));
    assert_eq!(failed[0]["code"], "truncated-image");
    let asset = fx.show(&added[0]);
    assert_eq!(asset["rendition_failures"].as_array().unwrap().len(), 8);
    assert_eq!(
        fx.show(&added[1])["renditions"].as_array().unwrap().len(),
        8
    );
}

#[test]
fn renditions_keep_credit_and_drop_serials_and_gps_unless_the_preset_allows() {
    let fx = Fixture::new();
    let fields = ExifFields {
        make: Some("Canon".into()),
        model: Some("EOS R6".into()),
        artist: Some("Trần Thị Hoa".into()),
        copyright: Some("© 2024 Sở VHTTDL Bình Phước".into()),
        gps: Some(brandvault::model::Gps {
            lat: 11.8064,
            lon: 107.3552,
            alt_m: None,
        }),
        ..Default::default()
    };
    fx.write("credit.jpg", &photo(300, 200, 5, &fields));
    let report = fx.ingest(&[&fx.input()], 0);
    let id = &ids(&report, "added")[0];
    fx.json(&["render"], 0);
    for preset in ["press", "preview", "social-square"] {
        let bytes = export(&fx, id, preset);
        let exif = exif::Reader::new()
            .read_from_container(&mut Cursor::new(&bytes))
            .unwrap_or_else(|e| panic!("{preset} has EXIF: {e}"));
        let text = |tag| {
            exif.get_field(tag, exif::In::PRIMARY)
                .map(|f| match &f.value {
                    exif::Value::Ascii(v) => String::from_utf8_lossy(&v[0]).into_owned(),
                    other => format!("{other:?}"),
                })
        };
        // EXIF's Artist and Copyright are ASCII by the standard: Vietnamese names are left to
        // XMP and IPTC (UTF-8), never written as bytes a reader shows as mojibake.
        assert_eq!(text(exif::Tag::Artist), None, "{preset}");
        assert_eq!(text(exif::Tag::Copyright), None, "{preset}");
        let xmp = String::from_utf8_lossy(&bytes);
        assert!(xmp.contains("<photoshop:Credit>Trần Thị Hoa<"), "{preset}");
        assert!(xmp.contains("© 2024 Sở VHTTDL Bình Phước"), "{preset}");
        // `press` has `gps = true` in brand/presets.toml and this draft is not public.
        assert_eq!(
            text(exif::Tag::GPSLatitude).is_some(),
            preset == "press",
            "{preset}: GPS only where the preset allows it"
        );
        assert!(text(exif::Tag::Make).is_none() && text(exif::Tag::BodySerialNumber).is_none());
    }
}

#[test]
fn cmyk_grayscale_and_16_bit_sources() {
    let fx = Fixture::new();
    // CMYK JPEG: pure cyan.
    let mut cmyk = Vec::new();
    let pixels: Vec<u8> = (0..64 * 48).flat_map(|_| [255u8, 0, 0, 0]).collect();
    jpeg_encoder::Encoder::new(&mut cmyk, 95)
        .encode(&pixels, 64, 48, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    fx.write("cmyk.jpg", &cmyk);
    // Grayscale JPEG.
    let gray = image::GrayImage::from_fn(64, 48, |x, _| image::Luma([(x * 4) as u8]));
    let mut gjpeg = Vec::new();
    DynamicImage::ImageLuma8(gray)
        .write_to(&mut Cursor::new(&mut gjpeg), image::ImageFormat::Jpeg)
        .unwrap();
    fx.write("gray.jpg", &gjpeg);
    // 16-bit RGB PNG.
    let deep = image::ImageBuffer::<image::Rgb<u16>, _>::from_fn(64, 48, |_, _| {
        image::Rgb([0xFFFF, 0x8080, 0x0000])
    });
    let mut png = Vec::new();
    DynamicImage::ImageRgb16(deep)
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    fx.write("deep.png", &png);
    fx.ingest(&[&fx.input()], 0);
    fx.json(&["render", "--preset", "preview"], 0);
    let pixel = |name: &str| {
        let asset = &fx.json(&["ls", "--query", name], 0)[0];
        let img = image::load_from_memory(&export(&fx, asset["id"].as_str().unwrap(), "preview"))
            .unwrap()
            .to_rgb8();
        img.get_pixel(32, 24).0
    };
    let c = pixel("cmyk.jpg");
    assert!(close(c, [0, 255, 255], 12), "cyan: {c:?}");
    let g = pixel("gray.jpg");
    assert!(close(g, [128, 128, 128], 10), "gray: {g:?}");
    let d = pixel("deep.png");
    assert!(close(d, [255, 128, 0], 6), "16-bit: {d:?}");
}

/// CRC-32 (IEEE) for the hand-made PNG chunk.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Renditions are sRGB. A source whose profile puts sRGB's green where red is stored (a stand-in
/// for Adobe RGB or Display P3, exact to check) comes out with its colours converted and no
/// profile; a profile that cannot be read travels unchanged with the pixels untouched.
#[test]
fn other_colour_spaces_are_converted_to_srgb() {
    use brandvault::media::encode::encode;
    use brandvault::model::Format;
    use image::ImageDecoder;
    let (red, green, blue) = (
        [0.4361, 0.2225, 0.0139],
        [0.3851, 0.7169, 0.0971],
        [0.1431, 0.0606, 0.7141],
    );
    let swapped = common::icc_profile(green, red, blue);
    let halves = DynamicImage::ImageRgb8(RgbImage::from_fn(64, 48, |x, _| {
        if x < 32 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 255, 0])
        }
    }));
    let fx = Fixture::new();
    fx.write(
        "swapped.jpg",
        &encode(&halves, Format::Jpeg, 95, None, Some(&swapped)).unwrap(),
    );
    let unreadable = b"not an ICC profile, but kept for whoever can read it".to_vec();
    fx.write(
        "unreadable.jpg",
        &encode(&halves, Format::Jpeg, 95, None, Some(&unreadable)).unwrap(),
    );
    let report = fx.ingest(&[&fx.input()], 0);
    fx.json(&["render"], 0);
    let id_of = |name: &str| {
        report["added"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .find(|id| fx.show(id)["names"][0] == name)
            .unwrap()
    };
    let read = |bytes: &[u8]| {
        let mut decoder = image::codecs::jpeg::JpegDecoder::new(Cursor::new(bytes)).unwrap();
        let icc = decoder.icc_profile().unwrap();
        let image = DynamicImage::from_decoder(decoder).unwrap().to_rgb8();
        (image, icc)
    };
    let (swapped_id, kept_id) = (id_of("swapped.jpg"), id_of("unreadable.jpg"));
    for preset in ["press", "preview"] {
        let (image, icc) = read(&export(&fx, &swapped_id, preset));
        let (w, h) = image.dimensions();
        let left = image.get_pixel(w / 4, h / 2).0;
        let right = image.get_pixel(3 * w / 4, h / 2).0;
        assert!(
            close(left, [0, 255, 0], 40),
            "{preset}: stored red is sRGB green: {left:?}"
        );
        assert!(
            close(right, [255, 0, 0], 40),
            "{preset}: stored green is sRGB red: {right:?}"
        );
        assert_eq!(icc, None, "{preset}: sRGB needs no profile");

        let (image, icc) = read(&export(&fx, &kept_id, preset));
        let left = image.get_pixel(w / 4, h / 2).0;
        assert!(
            close(left, [255, 0, 0], 40),
            "{preset}: untouched: {left:?}"
        );
        assert_eq!(icc.as_deref(), Some(&unreadable[..]), "{preset}: carried");
    }
    // The WebP thumbnail is converted too.
    let thumb = image::load_from_memory(&export(&fx, &swapped_id, "thumb"))
        .unwrap()
        .to_rgb8();
    let left = thumb.get_pixel(thumb.width() / 4, thumb.height() / 2).0;
    assert!(close(left, [0, 255, 0], 40), "thumb: {left:?}");
}

/// A start of the service looks at every asset once and leaves a checkpoint; the next start
/// looks only at what the journal changed since. An edited preset, or a checkpoint that is not
/// on this journal, means every asset again.
#[test]
fn a_restart_checks_only_what_changed_since_the_last_complete_pass() {
    let fx = Fixture::new();
    fx.write("a.jpg", &photo(300, 200, 1, &ExifFields::default()));
    fx.write("b.jpg", &photo(300, 200, 2, &ExifFields::default()));
    let first = ids(
        &fx.json(&["ingest", "--no-render", fx.input().to_str().unwrap()], 0),
        "added",
    );
    // Starts the service, waits for its pass over the renditions, stops it; returns what the
    // pass said it would check.
    let pass = || {
        let (server, log) = fx.serve_logged();
        let checking = common::expect_line(&log, "renditions: checking");
        common::expect_line(&log, "renditions: pass complete");
        drop(server);
        checking
    };
    // (the service imports the brand's logos at its first start too)
    let line = pass();
    assert!(line.contains("checking all "), "{line}");
    for id in &first {
        assert_eq!(
            fx.show(id)["renditions"].as_array().unwrap().len(),
            8,
            "made at start"
        );
    }
    // What the first pass rendered is looked at once more (its commits came after its start).
    let line = pass();
    assert!(line.contains("checking 2 of "), "{line}");
    let line = pass();
    assert!(line.contains("checking 0 of "), "{line}");

    let c = fx.write("c.jpg", &photo(300, 200, 3, &ExifFields::default()));
    let added = ids(
        &fx.json(&["ingest", "--no-render", c.to_str().unwrap()], 0),
        "added",
    );
    let line = pass();
    assert!(line.contains("checking 1 of "), "{line}");
    assert_eq!(
        fx.show(&added[0])["renditions"].as_array().unwrap().len(),
        8
    );

    let presets = fx.brand().join("presets.toml");
    let text = std::fs::read_to_string(&presets).unwrap();
    std::fs::write(&presets, text.replacen("quality = 82", "quality = 70", 1)).unwrap();
    let line = pass();
    assert!(line.contains("checking all "), "{line}");
    let render = fx.json(&["render"], 0);
    assert_eq!(
        render["rendered"], 0,
        "the start made the new previews: {render}"
    );

    // A checkpoint from another history of the journal counts for nothing.
    let checkpoint = fx.location().dir().join("render-checkpoint.json");
    let mut saved: Value = serde_json::from_slice(&std::fs::read(&checkpoint).unwrap()).unwrap();
    saved["head"] = Value::from("00".repeat(32));
    std::fs::write(&checkpoint, saved.to_string()).unwrap();
    let line = pass();
    assert!(line.contains("checking all "), "{line}");
}

#[test]
fn a_focus_point_moves_the_crops_and_only_them() {
    let fx = Fixture::new();
    // Left half red over blue, right half green over yellow: a 400-px square crop of this
    // 800 × 400 picture shows both halves when centred, the left one only when the focus is
    // at 20 % across.
    let bytes = jpeg_with_exif(&quadrants(800, 400), 92, &ExifFields::default());
    let path = fx.write("in/Hồ Suối Lam.jpg", &bytes);
    let id = ids(&fx.ingest(&[&path], 0), "added")[0].clone();
    fx.json(&["render"], 0);
    let pixel = |fx: &Fixture| {
        let square = image::load_from_memory(&export(fx, &id, "social-square")).unwrap();
        let (w, h) = square.dimensions();
        let p = square.get_pixel(w * 3 / 4, h / 4).0;
        [p[0], p[1], p[2]]
    };
    assert!(
        close(pixel(&fx), [30, 200, 40], 40),
        "centred: green on the right"
    );
    let before = fx.show(&id);

    // Refused: out of the picture; nothing changes.
    let out = fx
        .command(&["edit", &id, "--focus", "1.5,0.5"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--focus"),
        "{out:?}"
    );
    assert_eq!(fx.show(&id), before);

    let edited = fx.json(&["edit", &id, "--focus", "0.2,0.5"], 0);
    assert_eq!(edited["focus"], serde_json::json!({"x": 0.2, "y": 0.5}));
    fx.json(&["render"], 0);
    let after = fx.show(&id);
    assert!(close(pixel(&fx), [220, 30, 30], 40), "the left half: red");
    assert_ne!(
        rendition(&after, "social-square")["url"],
        rendition(&before, "social-square")["url"]
    );
    for preset in ["thumb", "web"] {
        assert_eq!(
            rendition(&after, preset)["url"],
            rendition(&before, preset)["url"],
            "{preset} keeps the whole picture: not made again"
        );
    }
    // Back to the centre.
    fx.json(&["edit", &id, "--focus", "centre"], 0);
    assert!(fx.show(&id).get("focus").is_none());
}
