//! Video: ingest of hand-built MP4/MOV files (the boxes a phone writes, built byte by byte) and
//! of files made by ffmpeg here: metadata, rotation, GPS in the Apple, Android and 3GPP forms
//! through the same spot matching as photos, poster frames and H.264 web previews, and bad
//! containers refused with codes, never a hang; in process, a video uploaded over HTTP and
//! seeked by Range.

mod common;

use actix_web::http::StatusCode;
use actix_web::test as at;
use brandvault::media::video::{parse_moov, read_moov};
use brandvault::render::Renderer;
use common::service::{get, post_json, setup, upload, NOW};
use common::{ffmpeg, ids, lavfi, tool, Fixture};
use serde_json::Value;

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
    let out = fx
        .command(&["render", mp4["id"].as_str().unwrap()])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let failed = report["failed"].as_array().unwrap();
    assert_eq!(
        failed.len(),
        9,
        "thumb, preview, preview-webp, web, video-web, video-square, video-vertical, video-hd, strip: {report}"
    );
    assert!(
        failed.iter().all(|f| f["code"] == "ffmpeg-missing"),
        "{report}"
    );
    let shown = fx.show(mp4["id"].as_str().unwrap());
    assert_eq!(shown["rendition_failures"][0]["code"], "ffmpeg-missing");
    // With ffmpeg, the same command retries them: this file's mdat holds no real frames, so
    // ffmpeg reports it undecodable (quickly, with the file's name and no store path).
    if tool("ffmpeg", "ffmpeg") {
        let report = fx.json(&["render", mp4["id"].as_str().unwrap()], 1);
        let failed = report["failed"].as_array().unwrap();
        assert_eq!(failed.len(), 9, "{report}");
        for f in failed {
            assert_eq!(f["code"], "undecodable-video", "{report}");
            let message = f["message"].as_str().unwrap();
            assert!(message.starts_with("VID_20240501.mp4: "), "{message}");
            assert!(!message.contains("objects"), "{message}");
        }
    }
}

/// The Apple form (keyed metadata, as `-movflags use_metadata_tags` writes it), the ©xyz form
/// (what Android and ffmpeg's MOV muxer write) and the 3GPP `loci` form (ffmpeg's MP4 muxer).
#[test]
fn ffmpeg_made_videos_get_metadata_posters_and_web_previews() {
    if !tool("ffmpeg", "ffmpeg") {
        return;
    }
    let fx = Fixture::new();
    let dir = fx.input();
    std::fs::create_dir_all(&dir).unwrap();
    // One black second, then three of a colour test pattern, with a tone: the poster point
    // (10 % = 0.4 s) is black, so the poster must come from later.
    let fade_in = "[0:v][1:v]concat=n=2:v=1[v]";
    let pattern = [
        lavfi("color=black:s=480x270:r=25:d=1"),
        lavfi("testsrc=s=480x270:r=25:d=3"),
        lavfi("sine=f=440:d=4"),
    ]
    .concat();
    let av = ["-filter_complex", fade_in, "-map", "[v]", "-map", "2:a"];
    let h264 = common::H264;
    ffmpeg(
        &pattern,
        &[
            &av[..],
            &h264,
            &["-c:a", "aac", "-metadata", "location=+11.8064+107.3552/"],
            &[
                "-metadata",
                "creation_time=2024-05-01T10:00:00Z",
                "-f",
                "mp4",
            ],
        ]
        .concat(),
        &dir.join("Bù Lạch 3gpp.mp4"),
    );
    ffmpeg(
        &pattern,
        &[
            &av[..],
            &h264,
            &[
                "-c:a",
                "aac",
                "-metadata",
                "location=+11.5349+106.8832/",
                "-f",
                "mov",
            ],
        ]
        .concat(),
        &dir.join("android-xyz.mov"),
    );
    // Apple: keyed metadata; the picture is stored landscape and displayed portrait.
    let apple_landscape = fx.data().join("apple.mov");
    std::fs::create_dir_all(fx.data()).unwrap();
    ffmpeg(
        &lavfi("testsrc2=s=640x360:r=30:d=2"),
        &[
            &h264[..],
            &["-movflags", "use_metadata_tags"],
            &[
                "-metadata",
                "com.apple.quicktime.location.ISO6709=+11.8169+107.0009+350.000/",
            ],
            &["-metadata", "com.apple.quicktime.make=Apple"],
            &["-metadata", "com.apple.quicktime.model=iPhone 15 Pro"],
        ]
        .concat(),
        &apple_landscape,
    );
    ffmpeg(
        &["-i", apple_landscape.to_str().unwrap()],
        &[
            "-c",
            "copy",
            "-movflags",
            "use_metadata_tags",
            "-metadata:s:v:0",
            "rotate=90",
        ],
        &dir.join("IMG_0001.MOV"),
    );
    // WebM (VP9/Opus) and Matroska (H.264): stored, read and rendered like the others.
    let small = lavfi("testsrc=s=320x180:r=25:d=2");
    let vp9 = [
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
    ];
    ffmpeg(
        &[&small[..], &lavfi("sine=d=2")].concat(),
        &[&vp9[..], &["-c:a", "libopus"]].concat(),
        &dir.join("clip.webm"),
    );
    ffmpeg(&small, &h264, &dir.join("clip.mkv"));
    let report = fx.ingest(&[&dir], 0);
    assert_eq!(ids(&report, "added").len(), 5, "{report}");
    let rendered = fx.json(&["render"], 0);
    // Nine renditions each: four stills from the poster, the web film, two social cuts, the
    // Full HD film, the thumbnail strip (no ladder: each is shorter than the set length).
    assert_eq!(rendered["rendered"], 45, "{rendered}");
    let find = |q: &str| fx.json(&["ls", "--query", q], 0)[0].clone();
    for (name, media_type, codecs) in [
        (
            "clip.webm",
            "video/webm",
            serde_json::json!(["V_VP9", "A_OPUS"]),
        ),
        (
            "clip.mkv",
            "video/x-matroska",
            serde_json::json!(["V_MPEG4/ISO/AVC"]),
        ),
    ] {
        let asset = find(name);
        assert_eq!(asset["kind"], "video");
        assert_eq!(asset["media_type"], media_type);
        assert_eq!(
            (asset["width"].as_u64(), asset["height"].as_u64()),
            (Some(320), Some(180))
        );
        assert!(
            (asset["duration_s"].as_f64().unwrap() - 2.0).abs() < 0.05,
            "{asset}"
        );
        assert_eq!(asset["video"]["codecs"], codecs);
    }

    let gpp = find("3gpp");
    assert_eq!(gpp["duration_s"], 4.0);
    assert_eq!(gpp["video"]["codecs"], serde_json::json!(["avc1", "mp4a"]));
    assert_eq!(gpp["video"]["frame_rate"], 25.0);
    assert_eq!(gpp["captured_at"], "2024-05-01T10:00:00Z");
    assert_eq!(gpp["spot"]["id"], "trang-co-bu-lach");
    assert_eq!(find("android")["spot"]["id"], "dong-xoai");
    let apple = find("IMG_0001");
    assert_eq!(apple["exif"]["model"], "iPhone 15 Pro");
    assert_eq!(apple["gps"]["alt_m"], 350.0);
    assert_eq!(apple["spot"]["id"], "nui-ba-ra");
    assert_eq!(apple["video"]["rotation"].as_u64().unwrap() % 180, 90);
    assert_eq!(
        (apple["width"].as_u64(), apple["height"].as_u64()),
        (Some(360), Some(640))
    );

    let rendition = |asset: &serde_json::Value, preset: &str| {
        let out = fx.data().join(format!("{preset}.out"));
        let code = fx.run(&[
            "export",
            asset["id"].as_str().unwrap(),
            "--preset",
            preset,
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(
            code.status.success(),
            "{}",
            String::from_utf8_lossy(&code.stderr)
        );
        std::fs::read(out).unwrap()
    };
    // Posters: each still preset at its size, upright (portrait for the rotated file), and
    // taken past the black opening.
    for (asset, sizes) in [
        (&gpp, [(256, 144), (480, 270), (480, 270)]),
        (&apple, [(144, 256), (360, 640), (360, 640)]),
    ] {
        for (preset, size) in ["thumb", "preview", "web"].into_iter().zip(sizes) {
            let image = image::load_from_memory(&rendition(asset, preset)).unwrap();
            assert_eq!((image.width(), image.height()), size, "{preset}");
            let luma = image.to_luma8();
            let mean = luma.pixels().map(|p| f64::from(p.0[0])).sum::<f64>() / luma.len() as f64;
            assert!(mean > 40.0, "{preset} poster is dark: {mean}");
        }
    }
    // Web preview: H.264/AAC MP4, even sides within 720 px, index first, no GPS left.
    let preview = rendition(&gpp, "video-web");
    let info = parse_moov(&read_moov(&mut std::io::Cursor::new(&preview)).unwrap()).unwrap();
    assert_eq!(info.codecs, ["avc1", "mp4a"]);
    assert_eq!((info.width, info.height), (480, 270));
    assert!(info.gps.is_none(), "GPS is dropped from previews");
    assert!((info.duration_s - 4.0).abs() < 0.1, "{}", info.duration_s);
    let moov = preview.windows(4).position(|w| w == b"moov").unwrap();
    let mdat = preview.windows(4).position(|w| w == b"mdat").unwrap();
    assert!(moov < mdat, "faststart: the index comes before the media");
    let shown = fx.show(gpp["id"].as_str().unwrap());
    let web = shown["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["preset"] == "video-web")
        .unwrap()
        .clone();
    assert_eq!(web["media_type"], "video/mp4");
    assert!(web["url"].as_str().unwrap().ends_with(".mp4"));

    // Rendered once: a second run finds all of them cached.
    let again = fx.json(&["render"], 0);
    assert_eq!(again["rendered"], 0, "{again}");
    assert_eq!(again["cached"], 45, "{again}");

    // A film carries only its credit and copyright: a caption edit leaves it as it is; an
    // edited credit reaches it by a copy of its streams (no second encode, same film).
    let id = gpp["id"].as_str().unwrap();
    let web_url = |fx: &Fixture| {
        fx.show(id)["renditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["preset"] == "video-web")
            .map(|r| r["url"].clone())
            .unwrap()
    };
    let made = web_url(&fx);
    fx.json(&["edit", id, "--caption-vi", "Trảng cỏ Bù Lạch mùa mưa"], 0);
    let captioned = fx.json(&["render", id], 0);
    assert_eq!(
        captioned["cached"], 5,
        "only the films (web, square, vertical, Full HD, strip) are left as they were: {captioned}"
    );
    assert_eq!(web_url(&fx), made, "a caption edit does not touch the film");
    let credit = "Trung tâm Văn hoá tỉnh";
    fx.json(&["edit", id, "--credit", credit], 0);
    let retagged = rendition(&gpp, "video-web");
    assert_ne!(web_url(&fx), made);
    let says = |bytes: &[u8], text: &str| bytes.windows(text.len()).any(|w| w == text.as_bytes());
    assert!(says(&retagged, credit), "the new credit is in the film");
    assert!(!says(&preview, credit));
    let again = parse_moov(&read_moov(&mut std::io::Cursor::new(&retagged)).unwrap()).unwrap();
    assert_eq!(
        (again.width, again.height, again.codecs),
        (480, 270, info.codecs)
    );
    let mdat = |bytes: &[u8]| bytes.windows(4).position(|w| w == b"mdat").unwrap();
    assert!(mdat(&retagged) > retagged.windows(4).position(|w| w == b"moov").unwrap());
    assert_eq!(
        retagged.len() - mdat(&retagged),
        preview.len() - mdat(&preview),
        "the streams are copied, not encoded again"
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
    // A WebM cut right after its EBML header.
    fx.write(
        "cut.webm",
        &[
            0x1A, 0x45, 0xDF, 0xA3, 0x87, 0x42, 0x82, 0x84, b'w', b'e', b'b', b'm',
        ],
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
            ("cut.webm", "undecodable-video"),
            ("lying.mp4", "undecodable-video"),
            ("random.mp4", "unsupported-type"),
            ("truncated.mp4", "undecodable-video"),
            ("zero.mp4", "zero-duration"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert!(ids(&report, "added").is_empty());
}

/// A video uploaded by a designer streams into the store; once approved, its original and its
/// H.264 web preview are served with Range so a browser can seek.
#[actix_web::test]
async fn videos_upload_and_seek_with_range() {
    if !common::tool("ffmpeg", "ffmpeg") {
        return;
    }
    let fx = Fixture::new();
    let (svc, _, _) = setup(&fx);
    let app = app!(svc);
    let clip = fx.input().join("clip.mp4");
    std::fs::create_dir_all(fx.input()).unwrap();
    common::ffmpeg(
        &[
            common::lavfi("testsrc=s=320x240:r=25:d=2"),
            common::lavfi("sine=d=2"),
        ]
        .concat(),
        &[
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
        ],
        &clip,
    );
    let original = std::fs::read(&clip).unwrap();
    let req = upload(
        Some(&svc.tokens["dana"]),
        "Lễ hội Sóc Bom Bo.mp4",
        &original,
    )
    .to_request();
    let resp = at::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let asset: Value = at::read_body_json(resp).await;
    assert_eq!(asset["kind"], "video");
    let id = asset["id"].as_str().unwrap().to_owned();
    // Rendered here as well as in the background: get-or-create, so both agree.
    let report = Renderer::new(
        &*svc.state.store,
        &svc.state.catalog,
        &svc.state.brand,
        &svc.state.settings,
    )
    .render(&[id.parse().unwrap()], &[], NOW, "test", &|_, _| {})
    .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let bm = svc.tokens["bm"].clone();
    for (action, body) in [
        ("submit", serde_json::json!({})),
        ("approve", serde_json::json!({"override": "test clip"})),
    ] {
        let resp = at::call_service(
            &app,
            post_json(&format!("/api/assets/{id}/{action}"), &bm, body).to_request(),
        )
        .await;
        assert!(resp.status().is_success(), "{action}: {}", resp.status());
    }
    let req = at::TestRequest::patch()
        .uri(&format!("/api/assets/{id}"))
        .insert_header(("authorization", format!("Bearer {bm}")))
        .set_json(serde_json::json!({"access": "public"}))
        .to_request();
    assert!(at::call_service(&app, req).await.status().is_success());

    // The original, as a browser seeks into it.
    let resp = at::call_service(
        &app,
        get(&format!("/api/assets/{id}/download"), None)
            .insert_header(("range", "bytes=1000-1999"))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(resp.headers().get("content-type").unwrap(), "video/mp4");
    assert_eq!(
        resp.headers()
            .get("content-range")
            .unwrap()
            .to_str()
            .unwrap(),
        format!("bytes 1000-1999/{}", original.len())
    );
    assert_eq!(at::read_body(resp).await.as_ref(), &original[1000..2000]);

    // The web preview, through its stable alias.
    let resp = at::call_service(&app, get(&format!("/a/{id}/video-web"), None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    let url = resp
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(url.starts_with("/r/") && url.ends_with(".mp4"), "{url}");
    let resp = at::call_service(&app, get(&url, None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers().get("content-type").unwrap(), "video/mp4");
    assert_eq!(resp.headers().get("accept-ranges").unwrap(), "bytes");
    let full = at::read_body(resp).await;
    let resp = at::call_service(
        &app,
        get(&url, None)
            .insert_header(("range", "bytes=100-"))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(at::read_body(resp).await.as_ref(), &full[100..]);
    // The asset page plays it, with the poster frame until then.
    let page = at::call_and_read_body(&app, get(&format!("/assets/{id}"), None).to_request()).await;
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(
        page.contains(&format!(
            r#"<video controls preload="metadata" src="{url}" poster="/r/"#
        )),
        "{page}"
    );
    // An edited credit is in the film the alias leads to as soon as the edit has answered.
    let credit = "Phòng Văn hoá Bù Gia Mập";
    let req = at::TestRequest::patch()
        .uri(&format!("/api/assets/{id}"))
        .insert_header(("authorization", format!("Bearer {bm}")))
        .set_json(serde_json::json!({"credit": credit}))
        .to_request();
    assert!(at::call_service(&app, req).await.status().is_success());
    let resp = at::call_service(&app, get(&format!("/a/{id}/video-web"), None).to_request()).await;
    let retagged_url = resp.headers().get("location").unwrap().to_str().unwrap();
    assert_ne!(retagged_url, url);
    let retagged = at::call_and_read_body(&app, get(retagged_url, None).to_request()).await;
    assert!(retagged
        .windows(credit.len())
        .any(|w| w == credit.as_bytes()));
}
