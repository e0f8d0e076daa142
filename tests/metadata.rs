//! Photos as photo editors hand them over: XMP, IPTC, sidecars and odd EXIF written by
//! exiftool (and kamadak-exif for signed GPS) are read into the asset; every delivered file,
//! read back by exiftool, carries the edited caption in both languages, credit, copyright,
//! licence and stable URL, and GPS only where the access level allows.

mod common;

use std::path::Path;
use std::process::Command;

use brandvault::media::exif::ExifFields;
use common::{photo, photo_at, tool, Fixture};
use serde_json::Value;

/// Runs exiftool on `file` with `args`, in place.
fn exiftool_write(file: &Path, args: &[&str]) {
    let out = Command::new("exiftool")
        .args(["-q", "-overwrite_original", "-charset", "iptc=utf8"])
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "exiftool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Everything exiftool reads from `file`, grouped (`XMP-dc:Description-vi`…).
fn exiftool_read(file: &Path) -> Value {
    let out = Command::new("exiftool")
        .args(["-j", "-G1", "-a", "-charset", "iptc=utf8"])
        .arg(file)
        .output()
        .unwrap();
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    all[0].clone()
}

fn id_of(report: &Value) -> String {
    report["added"][0].as_str().unwrap().to_owned()
}

/// A JPEG whose GPS position is written as signed rationals, as some HMD/Nokia phones do.
fn signed_gps_jpeg() -> Vec<u8> {
    use exif::{Field, In, SRational, Tag, Value as V};
    let dms = |d: i32, m: i32, s: i32| {
        V::SRational(vec![
            SRational { num: d, denom: 1 },
            SRational { num: m, denom: 1 },
            SRational { num: s, denom: 100 },
        ])
    };
    let fields = [
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: V::Ascii(vec![b"N".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: dms(60, 8, 4812),
        },
        Field {
            tag: Tag::GPSLongitudeRef,
            ifd_num: In::PRIMARY,
            value: V::Ascii(vec![b"E".to_vec()]),
        },
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: dms(24, 54, 2448),
        },
    ];
    let mut writer = exif::experimental::Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut block = std::io::Cursor::new(Vec::new());
    writer.write(&mut block, false).unwrap();
    let jpeg = photo(120, 80, 5, &ExifFields::default());
    brandvault::media::exif::insert_into_jpeg(&jpeg, &block.into_inner()).unwrap()
}

#[test]
fn what_photo_editors_write_is_read_into_the_asset() {
    if !tool("exiftool", "libimage-exiftool-perl") {
        return;
    }
    let fx = Fixture::new();
    // XMP with language alternatives, location and keywords naming a brand theme.
    let xmp = fx.write("xmp.jpg", &photo(120, 80, 1, &ExifFields::default()));
    exiftool_write(
        &xmp,
        &[
            "-XMP-dc:Description-vi=Thác Mơ mùa nước đổ",
            "-XMP-dc:Description-en=Mo waterfall in the rainy season",
            "-XMP-dc:Title=Thác Mơ",
            "-XMP-dc:Creator=Nguyễn Văn Ảnh",
            "-XMP-dc:Rights=© 2025 Sở Văn hóa",
            "-XMP-xmpRights:UsageTerms=CC BY 4.0",
            "-XMP-dc:Subject=Du lịch",
            "-XMP-dc:Subject=thác nước",
            "-XMP-iptcCore:Location=Thác Mơ",
            "-XMP-photoshop:City=Phước Long",
            "-XMP-photoshop:State=Bình Phước",
            "-XMP-photoshop:Country=Việt Nam",
        ],
    );
    // IPTC IIM only, declared UTF-8.
    let iim = fx.write("iptc.jpg", &photo(120, 80, 2, &ExifFields::default()));
    exiftool_write(
        &iim,
        &[
            "-IPTC:CodedCharacterSet=UTF8",
            "-IPTC:Caption-Abstract=Sóc Bom Bo vào hội",
            "-IPTC:By-line=Trần Thị Bích",
            "-IPTC:CopyrightNotice=© Báo Bình Phước",
            "-IPTC:Keywords=lễ hội",
        ],
    );
    // IPTC in UTF-8 without the marker: kept intact and reported.
    let unmarked = fx.write("unmarked.jpg", &photo(120, 80, 3, &ExifFields::default()));
    exiftool_write(&unmarked, &["-IPTC:Caption-Abstract=Đồi chè Bù Gia Mập"]);
    // Orientation only in XMP.
    let rotated = fx.write("rotated.jpg", &photo(120, 80, 4, &ExifFields::default()));
    exiftool_write(&rotated, &["-EXIF:all=", "-XMP-tiff:Orientation#=6"]);
    // A sidecar next to a file with its own IPTC caption: the sidecar wins.
    let paired = fx.write("paired.jpg", &photo(120, 80, 6, &ExifFields::default()));
    exiftool_write(&paired, &["-IPTC:Caption-Abstract=old caption"]);
    let sidecar = fx.input().join("paired.xmp");
    let out = Command::new("exiftool")
        .args(["-q", "-o"])
        .arg(&sidecar)
        .args([
            "-XMP-dc:Description=Rừng cao su Bình Phước",
            "-XMP-photoshop:Credit=Báo Bình Phước",
        ])
        .arg(&paired)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fx.write("signed-gps.jpg", &signed_gps_jpeg());
    // XMP in PNG and WebP.
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
        40,
        30,
        image::Rgba([9, 99, 199, 128]),
    ))
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .unwrap();
    let png = fx.write("alpha.png", &png);
    exiftool_write(&png, &["-XMP-dc:Description-vi=Logo trên nền trong"]);

    let report = fx.ingest(&[&fx.input()], 0);
    assert_eq!(report["added"].as_array().unwrap().len(), 7, "{report}");
    let by_name = |name: &str| -> Value {
        let list = fx.json(&["ls"], 0);
        list.as_array()
            .unwrap()
            .iter()
            .find(|a| a["names"][0] == name)
            .unwrap_or_else(|| panic!("{name} not catalogued: {list}"))
            .clone()
    };
    let a = by_name("xmp.jpg");
    assert_eq!(a["caption"]["vi"], "Thác Mơ mùa nước đổ");
    assert_eq!(a["caption"]["en"], "Mo waterfall in the rainy season");
    assert_eq!(a["title"]["vi"], "Thác Mơ");
    assert_eq!(a["credit"], "Nguyễn Văn Ảnh");
    assert_eq!(a["copyright"], "© 2025 Sở Văn hóa");
    assert_eq!(a["license"], "CC BY 4.0");
    assert_eq!(a["location"]["sublocation"], "Thác Mơ");
    assert_eq!(a["location"]["city"], "Phước Long");
    assert_eq!(a["location"]["province"], "Bình Phước");
    assert_eq!(a["location"]["country"], "Việt Nam");
    let tags: Vec<&str> = a["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"tourism") && tags.contains(&"thác nước"),
        "{tags:?}"
    );

    let b = by_name("iptc.jpg");
    assert_eq!(b["caption"]["vi"], "Sóc Bom Bo vào hội");
    assert_eq!(b["credit"], "Trần Thị Bích");
    assert_eq!(b["copyright"], "© Báo Bình Phước");
    assert!(b["warnings"].as_array().unwrap().is_empty(), "{b}");

    let c = by_name("unmarked.jpg");
    assert_eq!(c["caption"]["vi"], "Đồi chè Bù Gia Mập");
    assert!(c["warnings"].to_string().contains("1:90"), "{c}");

    let d = by_name("rotated.jpg");
    assert_eq!(d["exif"]["orientation"], 6);
    assert_eq!(
        (d["width"].as_u64(), d["height"].as_u64()),
        (Some(80), Some(120))
    );

    let e = by_name("paired.jpg");
    assert_eq!(e["caption"]["vi"], "Rừng cao su Bình Phước");
    assert_eq!(e["credit"], "Báo Bình Phước");

    let f = by_name("signed-gps.jpg");
    assert!(
        (f["gps"]["lat"].as_f64().unwrap() - 60.1467).abs() < 1e-3,
        "{f}"
    );
    assert!(
        (f["gps"]["lon"].as_f64().unwrap() - 24.9068).abs() < 1e-3,
        "{f}"
    );

    assert_eq!(by_name("alpha.png")["caption"]["vi"], "Logo trên nền trong");

    // A person's edit wins; a changed sidecar still fills the fields nobody edited.
    let id = e["id"].as_str().unwrap();
    fx.json(
        &["edit", id, "--caption-vi", "Chú thích của biên tập viên"],
        0,
    );
    let out = Command::new("exiftool")
        .args(["-q", "-overwrite_original"])
        .args([
            "-XMP-dc:Description=sidecar changed",
            "-XMP-photoshop:Credit=Ảnh: Lê Văn Cường",
        ])
        .arg(&sidecar)
        .output()
        .unwrap();
    assert!(out.status.success());
    let again = fx.ingest(&[&paired], 0);
    assert_eq!(again["duplicates"][0], id);
    let e = fx.show(id);
    assert_eq!(e["caption"]["vi"], "Chú thích của biên tập viên");
    assert_eq!(e["credit"], "Ảnh: Lê Văn Cường");
    assert_eq!(e["edited"], serde_json::json!(["caption_vi"]));
    // Rebuilt from the journal, the record is the same.
    let before = fx.show(id);
    fx.json(&["rebuild"], 0);
    assert_eq!(fx.show(id), before);

    // The asset's page shows what the file said beyond caption and credit.
    let token = fx.token("admin", "biên tập");
    let (_server, port) = fx.serve();
    let path = format!("/assets/{}", a["id"].as_str().unwrap());
    let (code, page) = common::http_get(port, &path, Some(&token));
    assert_eq!(code, 200, "{page}");
    for shown in [
        "Tiêu đề",
        "© 2025 Sở Văn hóa",
        "CC BY 4.0",
        "Thác Mơ, Phước Long, Bình Phước, Việt Nam",
    ] {
        assert!(page.contains(shown), "{shown} not on the page");
    }
}

/// GET over a plain socket: (status code, body), never chunked.
fn get(port: u16, path: &str) -> (u16, Vec<u8>) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    let (code, head, body) = common::exchange(port, request.as_bytes());
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{head}"
    );
    (code, body)
}

#[test]
fn delivered_files_carry_the_edited_metadata_and_gps_only_where_allowed() {
    if !tool("exiftool", "libimage-exiftool-perl") {
        return;
    }
    let fx = Fixture::new();
    let path = fx.write("Bù Lạch.jpg", &photo_at(11.95, 107.05, 8));
    exiftool_write(
        &path,
        &["-EXIF:SerialNumber=SN-12345", "-EXIF:Orientation#=6"],
    );
    let id = id_of(&fx.ingest(&[&path], 0));
    fx.json(
        &[
            "edit",
            &id,
            "--caption-vi",
            "Trảng cỏ Bù Lạch mùa mưa",
            "--caption-en",
            "Bu Lach grassland in the rainy season",
            "--credit",
            "Ảnh: Nguyễn Thị Hồng",
            "--copyright",
            "© 2025 UBND tỉnh Bình Phước",
            "--license",
            "CC BY 4.0",
            "--access",
            "press",
        ],
        0,
    );
    let url = "https://anh.example.vn";
    let render = fx
        .command(&["render"])
        .env("BRANDVAULT_PUBLIC_URL", url)
        .output()
        .unwrap();
    assert!(
        render.status.success(),
        "{}",
        String::from_utf8_lossy(&render.stderr)
    );
    let out = fx.dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let export = |preset: &str, file: &str| {
        let target = out.join(file);
        let run = fx
            .command(&[
                "export",
                &id,
                "--preset",
                preset,
                "-o",
                target.to_str().unwrap(),
            ])
            .env("BRANDVAULT_PUBLIC_URL", url)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        exiftool_read(&target)
    };
    let check = |m: &Value, what: &str| {
        assert_eq!(
            m["XMP-dc:Description-vi"], "Trảng cỏ Bù Lạch mùa mưa",
            "{what}: {m}"
        );
        assert_eq!(
            m["XMP-dc:Description-en"], "Bu Lach grassland in the rainy season",
            "{what}"
        );
        assert_eq!(m["XMP-dc:Creator"], "Ảnh: Nguyễn Thị Hồng", "{what}");
        assert_eq!(m["XMP-photoshop:Credit"], "Ảnh: Nguyễn Thị Hồng", "{what}");
        assert_eq!(m["XMP-dc:Rights"], "© 2025 UBND tỉnh Bình Phước", "{what}");
        // The licence, then what the audience restricts (this picture is press-only).
        let terms = m["XMP-xmpRights:UsageTerms"].as_str().unwrap_or_default();
        assert!(terms.starts_with("CC BY 4.0"), "{what}: {terms}");
        assert_eq!(
            m["XMP-xmpRights:WebStatement"],
            format!("{url}/assets/{id}"),
            "{what}"
        );
        assert!(
            !m.to_string().contains("SN-12345"),
            "{what}: serial number kept"
        );
    };
    let has_gps = |m: &Value| m.as_object().unwrap().keys().any(|k| k.contains("GPS"));
    // Press access: the press preset carries GPS, the thumbnail does not.
    let press = export("press", "press.jpg");
    check(&press, "press rendition");
    assert_eq!(
        press["IPTC:Caption-Abstract"],
        "Trảng cỏ Bù Lạch mùa mưa\n\nBu Lach grassland in the rainy season"
    );
    assert_eq!(press["IPTC:By-line"], "Ảnh: Nguyễn Thị Hồng");
    assert!(has_gps(&press), "press preset, press asset: GPS allowed");
    let thumb = export("thumb", "thumb.webp");
    check(&thumb, "WebP thumbnail");
    assert!(!has_gps(&thumb));

    // Public: no delivered file carries GPS, the original's copy included.
    fx.json(&["edit", &id, "--access", "public"], 0);
    fx.json(&["submit", &id], 0);
    fx.json(&["approve", &id, "--override", "test"], 0);
    let render = fx
        .command(&["render"])
        .env("BRANDVAULT_PUBLIC_URL", url)
        .output()
        .unwrap();
    assert!(render.status.success());
    let press = export("press", "press-public.jpg");
    check(&press, "public press rendition");
    assert!(!has_gps(&press), "public asset: no GPS: {press}");
    let original = export("original", "original.jpg");
    check(&original, "edited original");
    assert!(!has_gps(&original));
    assert_eq!(
        original["IFD0:Orientation"], "Rotate 90 CW",
        "the pixels still need it"
    );
    assert_eq!(original["IFD0:Model"], "EOS R6");

    // The stored original is untouched.
    let exact = out.join("exact.jpg");
    fx.json(
        &["export", &id, "--exact", "-o", exact.to_str().unwrap()],
        0,
    );
    assert_eq!(
        blake3::hash(&std::fs::read(&exact).unwrap())
            .to_hex()
            .as_str(),
        id
    );
    assert_eq!(fx.json(&["verify"], 0)["corrupt"], serde_json::json!([]));
    // Over HTTP, anonymously: the original is the edited copy.
    let (_server, port) = {
        std::env::set_var("BRANDVAULT_PUBLIC_URL", url);
        let s = fx.serve();
        std::env::remove_var("BRANDVAULT_PUBLIC_URL");
        s
    };
    let (code, body) = get(port, &format!("/api/assets/{id}/download"));
    assert_eq!(code, 200);
    assert_eq!(body, std::fs::read(out.join("original.jpg")).unwrap());
}
