//! Video ingest on hand-built MP4/MOV files (the boxes a phone writes, built here byte by byte
//! so no encoder is needed): metadata, rotation, GPS in the Apple and the Android forms through
//! the same spot matching as photos, and bad containers refused with codes, never a hang.

mod common;

use common::{ids, Fixture};

fn bx(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(payload);
    v
}

fn be(v: u32) -> [u8; 4] {
    v.to_be_bytes()
}

/// A 16.16 rotation matrix for 0 or 90 degrees clockwise.
fn matrix(rotation: u32) -> Vec<u8> {
    let one = 0x0001_0000u32;
    let (a, b, c, d) = match rotation {
        90 => (0, one, (-(one as i32)) as u32, 0),
        _ => (one, 0, 0, one),
    };
    [a, b, 0, c, d, 0, 0, 0, 0x4000_0000]
        .iter()
        .flat_map(|v| be(*v))
        .collect()
}

fn track(
    handler: &[u8; 4],
    codec: &[u8; 4],
    w: u32,
    h: u32,
    rotation: u32,
    frames: u32,
) -> Vec<u8> {
    let mut tkhd = vec![0, 0, 0, 3];
    tkhd.extend(be(0)); // creation
    tkhd.extend(be(0)); // modification
    tkhd.extend(be(1)); // track id
    tkhd.extend(be(0)); // reserved
    tkhd.extend(be(10_000)); // duration
    tkhd.extend([0u8; 16]); // reserved, layer, group, volume, reserved
    tkhd.extend(matrix(rotation));
    tkhd.extend(be(w << 16));
    tkhd.extend(be(h << 16));
    let mut mdhd = vec![0u8; 4];
    mdhd.extend(be(0));
    mdhd.extend(be(0));
    mdhd.extend(be(3000)); // time scale
    mdhd.extend(be(30_000)); // 10 s
    mdhd.extend([0u8; 4]);
    let mut hdlr = vec![0u8; 8];
    hdlr.extend(handler);
    hdlr.extend([0u8; 13]);
    let mut stsd = vec![0u8; 4];
    stsd.extend(be(1));
    stsd.extend(bx(codec, &[0u8; 8]));
    let mut stts = vec![0u8; 4];
    stts.extend(be(1));
    stts.extend(be(frames));
    stts.extend(be(3000 * 10 / frames.max(1)));
    let stbl = bx(b"stbl", &[bx(b"stsd", &stsd), bx(b"stts", &stts)].concat());
    let minf = bx(b"minf", &stbl);
    let mdia = bx(
        b"mdia",
        &[bx(b"mdhd", &mdhd), bx(b"hdlr", &hdlr), minf].concat(),
    );
    bx(b"trak", &[bx(b"tkhd", &tkhd), mdia].concat())
}

fn qt_string(s: &str) -> Vec<u8> {
    let mut v = (s.len() as u16).to_be_bytes().to_vec();
    v.extend([0x15, 0xC7]); // language
    v.extend(s.as_bytes());
    v
}

enum Location<'a> {
    /// Apple: meta / keys / ilst with com.apple.quicktime.location.ISO6709.
    Apple(&'a str),
    /// Android and older QuickTime: udta / ©xyz.
    Android(&'a str),
}

fn movie(brand: &[u8; 4], duration: u32, rotation: u32, location: Location) -> Vec<u8> {
    let mut mvhd = vec![0u8; 4];
    mvhd.extend(be(3_786_912_000)); // 2024-01-01 in seconds since 1904
    mvhd.extend(be(0));
    mvhd.extend(be(1000)); // time scale
    mvhd.extend(be(duration)); // milliseconds
    mvhd.extend([0u8; 80]);
    let mut moov = bx(b"mvhd", &mvhd);
    moov.extend(track(b"vide", b"avc1", 1920, 1080, rotation, 300));
    moov.extend(track(b"soun", b"mp4a", 0, 0, 0, 430));
    match location {
        Location::Android(iso) => {
            let mut udta = bx(b"\xa9xyz", &qt_string(iso));
            udta.extend(bx(b"\xa9mak", &qt_string("samsung")));
            udta.extend(bx(b"\xa9mod", &qt_string("SM-S918B")));
            moov.extend(bx(b"udta", &udta));
        }
        Location::Apple(iso) => {
            let mut hdlr = vec![0u8; 8];
            hdlr.extend(b"mdta");
            hdlr.extend([0u8; 13]);
            let names = [
                "com.apple.quicktime.location.ISO6709",
                "com.apple.quicktime.make",
                "com.apple.quicktime.model",
            ];
            let mut keys = vec![0u8; 4];
            keys.extend(be(names.len() as u32));
            for n in names {
                keys.extend(bx(b"mdta", n.as_bytes()));
            }
            let mut ilst = Vec::new();
            for (i, value) in [iso, "Apple", "iPhone 15 Pro"].iter().enumerate() {
                let mut data = be(1).to_vec();
                data.extend(be(0));
                data.extend(value.as_bytes());
                ilst.extend(bx(&be(i as u32 + 1), &bx(b"data", &data)));
            }
            let meta = [bx(b"hdlr", &hdlr), bx(b"keys", &keys), bx(b"ilst", &ilst)].concat();
            moov.extend(bx(b"meta", &meta));
        }
    }
    let mut ftyp = brand.to_vec();
    ftyp.extend(be(0));
    ftyp.extend(brand);
    let mut file = bx(b"ftyp", &ftyp);
    file.extend(bx(b"mdat", &[0x42u8; 4096]));
    file.extend(bx(b"moov", &moov));
    file
}

#[test]
fn video_metadata_and_gps_in_both_forms() {
    let fx = Fixture::new();
    fx.write(
        "IMG_0420.MOV",
        &movie(
            b"qt  ",
            10_000,
            90,
            Location::Apple("+11.8169+107.0009+350.0/"),
        ),
    );
    fx.write(
        "VID_20240501.mp4",
        &movie(b"isom", 10_000, 0, Location::Android("+11.8064+107.3552/")),
    );
    let report = fx.ingest(&[&fx.input()], 0);
    assert_eq!(ids(&report, "added").len(), 2, "{report}");
    let find = |q: &str| fx.json(&["ls", "--query", q], 0)[0].clone();

    let mov = find("IMG_0420");
    assert_eq!(mov["kind"], "video");
    assert_eq!(mov["media_type"], "video/quicktime");
    assert_eq!(mov["duration_s"], 10.0);
    assert_eq!(
        (mov["width"].as_u64(), mov["height"].as_u64()),
        (Some(1080), Some(1920)),
        "rotation applied"
    );
    assert_eq!(mov["video"]["rotation"], 90);
    assert_eq!(mov["video"]["codecs"], serde_json::json!(["avc1", "mp4a"]));
    assert_eq!(mov["video"]["frame_rate"], 30.0);
    assert_eq!(mov["exif"]["make"], "Apple");
    assert_eq!(mov["exif"]["model"], "iPhone 15 Pro");
    assert_eq!(mov["captured_at"], "2024-01-01T00:00:00Z");
    assert_eq!(mov["gps"]["alt_m"], 350.0);
    assert_eq!(mov["spot"]["id"], "nui-ba-ra");

    let mp4 = find("VID_20240501");
    assert_eq!(mp4["media_type"], "video/mp4");
    assert_eq!(
        (mp4["width"].as_u64(), mp4["height"].as_u64()),
        (Some(1920), Some(1080))
    );
    assert_eq!(mp4["exif"]["make"], "samsung");
    assert_eq!(mp4["spot"]["id"], "trang-co-bu-lach");

    // Without ffmpeg, renditions say so (and are made once it is there).
    let out = fx.run(&["render", mp4["id"].as_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let code = report["failed"][0]["code"].as_str().unwrap();
    assert!(
        code == "ffmpeg-missing" || code == "video-unsupported",
        "{code}"
    );
}

#[test]
fn bad_videos_are_refused_with_codes() {
    let fx = Fixture::new();
    let good = movie(b"isom", 10_000, 0, Location::Android("+11.8+107.0/"));
    // Truncated: the moov box at the end is cut.
    fx.write("truncated.mp4", &good[..good.len() - 200]);
    // A moov whose first child claims 4 GiB.
    let mut lying = good.clone();
    let moov = lying.windows(4).rposition(|w| w == b"moov").unwrap();
    lying[moov + 4..moov + 8].copy_from_slice(&u32::MAX.to_be_bytes());
    fx.write("lying.mp4", &lying);
    fx.write(
        "zero.mp4",
        &movie(b"isom", 0, 0, Location::Android("+11.8+107.0/")),
    );
    fx.write(
        "random.mp4",
        &(0..5000u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    );
    let report = fx.ingest(&[&fx.input()], 2);
    let mut codes: Vec<(String, String)> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let p = std::path::Path::new(r["path"].as_str().unwrap());
            (
                p.file_name().unwrap().to_str().unwrap().to_owned(),
                r["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            ("lying.mp4", "undecodable-video"),
            ("random.mp4", "unsupported-type"),
            ("truncated.mp4", "undecodable-video"),
            ("zero.mp4", "zero-duration"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert!(ids(&report, "added").is_empty());
}
