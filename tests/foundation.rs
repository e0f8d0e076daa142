//! The foundation on real files: EXIF and GPS read back, dedup, NFC names, bad input, verify,
//! gc, persistence across processes, rebuild from the journal, tamper detection.

mod common;

use brandvault::media::exif::ExifFields;
use brandvault::model::Gps;
use common::{ids, photo, Fixture};
use unicode_normalization::UnicodeNormalization;

#[test]
fn exif_fields_gps_hemispheres_and_orientations_read_back() {
    let fx = Fixture::new();
    // Four hemispheres; the province itself is N/E.
    let points = [
        (11.8169, 107.0009, Some(732.0)),
        (-33.8568, 151.2153, Some(-12.5)),
        (40.6892, -74.0445, None),
        (-22.9519, -43.2105, Some(700.0)),
    ];
    let mut expected = Vec::new();
    for (i, (lat, lon, alt)) in points.into_iter().enumerate() {
        let fields = ExifFields {
            make: Some("FUJIFILM".into()),
            model: Some("X-T5".into()),
            orientation: Some(1),
            datetime_original: Some(format!("2023-05-0{}T08:30:00", i + 1)),
            offset: (i % 2 == 0).then(|| "+07:00".to_owned()),
            artist: Some("Nguyễn Văn Ảnh".into()),
            copyright: Some("© Tỉnh Bình Phước".into()),
            gps: Some(Gps {
                lat,
                lon,
                alt_m: alt,
            }),
            ..Default::default()
        };
        let path = fx.write(&format!("gps{i}.jpg"), &photo(64, 48, i as u64, &fields));
        expected.push((path, lat, lon, alt, i));
    }
    for orientation in 1..=8u16 {
        let fields = ExifFields {
            orientation: Some(orientation),
            ..Default::default()
        };
        fx.write(
            &format!("orient{orientation}.jpg"),
            &photo(64, 32, 100 + u64::from(orientation), &fields),
        );
    }
    let report = fx.ingest(&[&fx.input()], 0);
    assert_eq!(ids(&report, "added").len(), 12, "{report}");

    for (path, lat, lon, alt, i) in expected {
        let name = path.file_name().unwrap().to_str().unwrap();
        let list = fx.json(&["ls", "--query", name], 0);
        let asset = &list[0];
        assert_eq!(asset["exif"]["make"], "FUJIFILM");
        assert_eq!(asset["exif"]["model"], "X-T5");
        assert_eq!(asset["exif"]["artist"], "Nguyễn Văn Ảnh");
        assert_eq!(asset["exif"]["copyright"], "© Tỉnh Bình Phước");
        assert_eq!(asset["credit"], "Nguyễn Văn Ảnh");
        let date = format!("2023-05-0{}T08:30:00", i + 1);
        assert_eq!(asset["exif"]["datetime_original"], date.as_str());
        if i % 2 == 0 {
            assert_eq!(asset["exif"]["offset"], "+07:00");
            assert_eq!(asset["captured_at"], format!("{date}+07:00").as_str());
        } else {
            assert!(asset["exif"]["offset"].is_null());
            assert_eq!(asset["captured_at"], date.as_str());
        }
        let got_lat = asset["gps"]["lat"].as_f64().unwrap();
        let got_lon = asset["gps"]["lon"].as_f64().unwrap();
        assert!(
            (got_lat - lat).abs() < 1e-6,
            "{name}: lat {got_lat} vs {lat}"
        );
        assert!(
            (got_lon - lon).abs() < 1e-6,
            "{name}: lon {got_lon} vs {lon}"
        );
        match alt {
            Some(a) => assert!((asset["gps"]["alt_m"].as_f64().unwrap() - a).abs() < 0.01),
            None => assert!(asset["gps"]["alt_m"].is_null()),
        }
    }
    for orientation in 1..=8 {
        let list = fx.json(&["ls", "--query", &format!("orient{orientation}")], 0);
        let asset = &list[0];
        assert_eq!(asset["exif"]["orientation"], orientation);
        let (w, h) = if orientation >= 5 { (32, 64) } else { (64, 32) };
        assert_eq!(
            (asset["width"].as_u64(), asset["height"].as_u64()),
            (Some(w), Some(h)),
            "orientation {orientation} is displayed {w}×{h}"
        );
    }
}

#[test]
fn same_bytes_under_two_names_are_one_asset_and_one_object() {
    let fx = Fixture::new();
    let bytes = photo(64, 48, 7, &ExifFields::default());
    let a = fx.write("a/Sóc Bom Bo.jpg", &bytes);
    let b = fx.write("b/bom-bo-copy.jpg", &bytes);
    let report = fx.ingest(&[&a, &b], 0);
    let added = ids(&report, "added");
    assert_eq!(added.len(), 1);
    assert_eq!(ids(&report, "duplicates"), added);
    assert_eq!(fx.objects().len(), 1);
    let asset = fx.show(&added[0]);
    assert_eq!(
        asset["id"].as_str().unwrap(),
        blake3::hash(&bytes).to_hex().as_str()
    );
    // Files of one run are processed in parallel: the order of their names is not fixed.
    let mut names: Vec<&str> = asset["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["Sóc Bom Bo.jpg", "bom-bo-copy.jpg"]);
    // Ingesting again in a later run adds nothing and keeps one object.
    let again = fx.ingest(&[&fx.input()], 0);
    assert!(ids(&again, "added").is_empty());
    assert_eq!(fx.objects().len(), 1);
}

#[test]
fn nfc_and_nfd_file_names_are_one_nfc_name() {
    let fx = Fixture::new();
    let bytes = photo(64, 48, 8, &ExifFields::default());
    let nfc = "Trảng cỏ Bù Lạch.jpg";
    let nfd: String = nfc.nfd().collect();
    assert_ne!(nfc, nfd);
    fx.write(&format!("mac/{nfd}"), &bytes);
    fx.write(&format!("win/{nfc}"), &bytes);
    let report = fx.ingest(&[&fx.input()], 0);
    let id = &ids(&report, "added")[0];
    let asset = fx.show(id);
    assert_eq!(asset["names"], serde_json::json!([nfc]));
    // Diacritic-insensitive search finds it.
    for q in ["bu lach", "Bù Lạch", "BU LACH"] {
        let found = fx.json(&["ls", "--query", q], 0);
        assert_eq!(found.as_array().unwrap().len(), 1, "query {q:?}");
    }
}

#[test]
fn bad_files_are_rejected_with_codes_and_the_rest_is_catalogued() {
    let fx = Fixture::new();
    let good = photo(64, 48, 9, &ExifFields::default());
    fx.write("good.jpg", &good);
    fx.write("empty.jpg", b"");
    fx.write("truncated.jpg", &good[..good.len() / 2]);
    // A frame header that declares no colour components: structurally invalid.
    let mut garbled = good.clone();
    let sof = garbled
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("SOF0 marker");
    garbled[sof + 9] = 0;
    fx.write("garbled.jpg", &garbled);
    fx.write("notes.txt", "Đây không phải là ảnh".as_bytes());
    fx.write("fake.png", b"\x89PNG\r\n\x1a\nnot really a png at all");
    // OS junk and hidden files are skipped silently.
    fx.write(".DS_Store", b"junk");
    fx.write("._good.jpg", b"apple double");
    fx.write("Thumbs.db", b"junk");
    std::os::unix::fs::symlink(
        fx.input().join("nowhere.jpg"),
        fx.input().join("dangling.jpg"),
    )
    .unwrap();
    std::fs::create_dir_all(fx.input().join("loop")).unwrap();
    std::os::unix::fs::symlink(fx.input(), fx.input().join("loop/back")).unwrap();

    let report = fx.ingest(&[&fx.input()], 2);
    assert_eq!(ids(&report, "added").len(), 1, "{report}");
    let mut codes: Vec<(String, String)> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let path = r["path"].as_str().unwrap();
            let msg = r["message"].as_str().unwrap();
            let file = std::path::Path::new(path)
                .file_name()
                .unwrap()
                .to_str()
                .unwrap();
            assert!(msg.contains(file), "message names the file: {msg}");
            (file.to_owned(), r["code"].as_str().unwrap().to_owned())
        })
        .collect();
    codes.sort();
    let expected = [
        ("back", "symlink-loop"),
        ("dangling.jpg", "unreadable-file"),
        ("empty.jpg", "empty-file"),
        ("fake.png", "undecodable-image"),
        ("garbled.jpg", "undecodable-image"),
        ("notes.txt", "unsupported-type"),
        ("truncated.jpg", "truncated-image"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(codes, expected);
    // The catalogue opens and lists the good file; rejected bytes were not kept.
    let list = fx.json(&["ls"], 0);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["names"][0], "good.jpg");
    assert_eq!(fx.objects().len(), 1);
    fx.json(&["verify"], 0);
}

#[test]
fn verify_finds_corruption_and_loss_and_gc_removes_only_garbage() {
    let fx = Fixture::new();
    fx.write("one.jpg", &photo(64, 48, 1, &ExifFields::default()));
    fx.write("two.jpg", &photo(64, 48, 2, &ExifFields::default()));
    fx.write("three.jpg", &photo(64, 48, 3, &ExifFields::default()));
    let report = fx.ingest(&[&fx.input()], 0);
    let added = ids(&report, "added");
    let clean = fx.json(&["verify"], 0);
    assert_eq!(clean["objects"], 3);

    // An object nobody references (as a crashed upload would leave).
    let store = fx.store();
    let orphan = store
        .put_reader(
            &mut &b"orphan bytes"[..],
            brandvault::store::Durability::Durable,
        )
        .unwrap();

    let mut bytes = fx.object(&added[0]);
    bytes[100] ^= 0x01;
    fx.damage_object(&added[0], &bytes);
    store
        .remove(&brandvault::store::Hash::from_hex(&added[1]).unwrap())
        .unwrap();
    let bad = fx.json(&["verify"], 1);
    assert_eq!(bad["corrupt"], serde_json::json!([added[0]]));
    assert_eq!(bad["missing"], serde_json::json!([added[1]]));

    // Young garbage is kept (an upload may be about to commit); old garbage goes.
    let kept = fx.json(&["gc"], 0);
    assert_eq!(kept["removed"], 0);
    let gc = fx.json(&["gc", "--grace-secs", "0"], 0);
    assert_eq!(gc["removed"], 1);
    assert!(!store.exists(&orphan.hash));
    let left = fx.objects();
    assert!(left.contains(&added[0]) && left.contains(&added[2]));
}

#[test]
fn catalogue_survives_reopening_deletion_and_rebuild_and_detects_tampering() {
    let fx = Fixture::new();
    let bytes = photo(64, 48, 11, &ExifFields::default());
    fx.write("a/Núi Bà Rá.jpg", &bytes);
    fx.write("b/ba-ra.jpg", &bytes);
    fx.write("c.jpg", &common::photo_at(11.8169, 107.0009, 12));
    let out = fx.run(&["ingest", "--tag", "Du lịch", fx.input().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    // Each CLI call is a new process: the catalogue was closed and reopened.
    let before = fx.json(&["ls"], 0);
    assert_eq!(before.as_array().unwrap().len(), 2);
    let by_tag = fx.json(&["ls", "--tag", "du lịch"], 0);
    assert_eq!(by_tag, before);
    let by_spot = fx.json(&["ls", "--spot", "nui-ba-ra"], 0);
    assert_eq!(by_spot.as_array().unwrap().len(), 1);

    // Deleting the index costs a rebuild, never data.
    fx.delete_index();
    let rebuilt = fx.json(&["rebuild"], 0);
    assert_eq!(rebuilt["assets"], 2);
    assert!(rebuilt["events"].as_u64().unwrap() >= 3);
    assert_eq!(fx.json(&["ls"], 0), before);
    assert_eq!(fx.json(&["ls", "--tag", "du lịch"], 0), before);
    assert_eq!(fx.json(&["ls", "--spot", "nui-ba-ra"], 0), by_spot);
    // Even without an explicit rebuild, a missing index is replayed from the journal at open.
    fx.delete_index();
    assert_eq!(fx.json(&["ls"], 0), before);
    fx.json(&["verify"], 0);

    // Altering a journal entry by hand is detected: in place (same length) by `verify`…
    let text = String::from_utf8(fx.journal()).unwrap();
    let same_length = text.replacen("Núi Bà Rá.jpg", "Núi Bà Rá.JPG", 1);
    assert_ne!(same_length, text);
    fx.rewrite_journal(&same_length);
    let report = fx.json(&["verify"], 1);
    let problem = report["journal_error"].as_str().unwrap();
    assert!(problem.contains("altered"), "{problem}");
    let out = fx.run(&["rebuild"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("altered"), "{stderr}");
    // …and an edit that moves the lines refuses to open the catalogue at all.
    fx.rewrite_journal(&text.replacen("Núi Bà Rá.jpg", "Núi Bà Rá (sửa).jpg", 1));
    let out = fx.run(&["ls"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("altered"));
}

#[test]
fn show_resolves_unique_prefixes_only() {
    let fx = Fixture::new();
    fx.write("x.jpg", &photo(64, 48, 21, &ExifFields::default()));
    let report = fx.ingest(&[&fx.input()], 0);
    let id = &ids(&report, "added")[0];
    assert_eq!(fx.show(&id[..6])["id"], id.as_str());
    assert_eq!(fx.show(&id.to_uppercase()[..9])["id"], id.as_str());
    let out = fx.run(&["show", &id[..5]]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 6"));
    let other = if id.starts_with('0') {
        "111111"
    } else {
        "000000"
    };
    assert_eq!(fx.run(&["show", other]).status.code(), Some(1));
}

#[test]
fn damaged_exif_gives_a_warning_not_a_rejection() {
    let fx = Fixture::new();
    let fields = ExifFields {
        make: Some("Sony".into()),
        model: Some("ILCE-7M4".into()),
        ..Default::default()
    };
    let mut bytes = photo(64, 48, 31, &fields);
    // Point the IFD0 entry count past the end of the block.
    let tiff = bytes.windows(6).position(|w| w == b"Exif\0\0").unwrap() + 6;
    bytes[tiff + 8] = 0x7F;
    fx.write("damaged.jpg", &bytes);
    let report = fx.ingest(&[&fx.input()], 0);
    let asset = fx.show(&ids(&report, "added")[0]);
    assert_eq!(asset["width"], 64);
    let warnings = asset["warnings"].as_array().unwrap();
    assert!(!warnings.is_empty(), "{asset}");
    assert!(warnings[0].as_str().unwrap().contains("EXIF"));
}

#[test]
fn exif_agrees_with_exiftool_on_the_shipped_samples() {
    if !common::tool("exiftool", "libimage-exiftool-perl") {
        return;
    }
    let fx = Fixture::new();
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ingest");
    let report = fx.ingest(&[&samples], 0);
    let added = ids(&report, "added");
    assert!(added.len() >= 5, "the drop folder ships samples: {report}");
    for id in added {
        let asset = fx.show(&id);
        let file = samples.join(asset["names"][0].as_str().unwrap());
        let out = std::process::Command::new("exiftool")
            .args([
                "-j",
                "-n",
                "-GPSLatitude",
                "-GPSLongitude",
                "-DateTimeOriginal",
            ])
            .args(["-Artist", "-Orientation", "-ImageWidth", "-ImageHeight"])
            .arg(&file)
            .output()
            .unwrap();
        let tool: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let tool = &tool[0];
        let close = |a: &serde_json::Value, b: &serde_json::Value| {
            (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-6
        };
        assert!(
            close(&asset["gps"]["lat"], &tool["GPSLatitude"]),
            "{file:?}"
        );
        assert!(
            close(&asset["gps"]["lon"], &tool["GPSLongitude"]),
            "{file:?}"
        );
        assert_eq!(asset["exif"]["artist"], tool["Artist"]);
        assert_eq!(asset["exif"]["orientation"], tool["Orientation"]);
        assert_eq!(asset["width"], tool["ImageWidth"]);
        assert_eq!(asset["height"], tool["ImageHeight"]);
        let exiftool_date = tool["DateTimeOriginal"]
            .as_str()
            .unwrap()
            .replacen(':', "-", 2);
        assert_eq!(
            asset["exif"]["datetime_original"].as_str().unwrap(),
            exiftool_date.replace(' ', "T")
        );
        // Every sample lies at a check-in spot.
        assert!(asset["spot"]["id"].is_string(), "{file:?} has a spot");
    }
}

/// The text query reads a folded copy of each asset's searchable text kept beside the record:
/// it follows edits, comes back with `rebuild`, and a catalogue made before it existed gets it
/// built when opened.
#[test]
fn text_search_follows_edits_and_is_rebuilt() {
    let fx = Fixture::new();
    fx.write("a.jpg", &photo(64, 48, 21, &ExifFields::default()));
    fx.write("b.jpg", &photo(64, 48, 22, &ExifFields::default()));
    let report = fx.ingest(&[&fx.input()], 0);
    let (a, b) = (&ids(&report, "added")[0], &ids(&report, "added")[1]);
    let found = |q: &str| -> Vec<String> {
        let list = fx.json(&["ls", "--query", q], 0);
        list.as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_owned())
            .collect()
    };
    fx.json(&["edit", a, "--caption-vi", "Lễ hội Sóc Bom Bo"], 0);
    assert_eq!(found("bom bo"), [a.as_str()]);
    assert!(found("le hoi soc").contains(a));
    fx.json(&["edit", a, "--caption-vi", "Núi Bà Rá lúc bình minh"], 0);
    assert!(found("bom bo").is_empty(), "the old caption is forgotten");
    assert_eq!(found("ba ra binh minh"), [a.as_str()]);
    fx.json(&["edit", b, "--credit", "Sở VHTTDL Bình Phước"], 0);
    assert_eq!(found("binh phuoc"), [b.as_str()]);

    fx.json(&["rebuild"], 0);
    assert_eq!(found("ba ra"), [a.as_str()]);

    // A catalogue from before the search tree (embedded only: shared tables came later):
    // it is built at the next open.
    if !Fixture::shared_catalog() {
        let db = sled::open(fx.index()).unwrap();
        db.drop_tree("search").unwrap();
        db.open_tree("meta")
            .unwrap()
            .remove("search_built")
            .unwrap();
        db.flush().unwrap();
    }
    assert_eq!(found("binh phuoc"), [b.as_str()]);
    assert_eq!(found("ba ra binh minh"), [a.as_str()]);
}

/// A journal longer than a replay batch (1,024 entries) comes back whole into a new index, a
/// batch at a time; a torn last line (a crash in the middle of a write) is cut off, not replayed.
#[test]
fn a_long_journal_is_replayed_into_a_new_index_and_a_torn_line_is_cut_off() {
    let fx = Fixture::new();
    for i in 0..1100 {
        fx.write(
            &format!("many/{i}.jpg"),
            &photo(8, 8, 5000 + i, &ExifFields::default()),
        );
    }
    fx.json(&["ingest", "--no-render", fx.input().to_str().unwrap()], 0);
    let before = fx.json(&["ls"], 0);
    assert_eq!(before.as_array().unwrap().len(), 1100);
    let journal = fx.journal();
    assert!(journal.iter().filter(|b| **b == b'\n').count() > 1024);
    fx.delete_index();
    let file = fx.data().join("journal.jsonl");
    if !Fixture::shared_catalog() {
        let mut torn = journal.clone();
        torn.extend_from_slice(br#"{"seq":1103,"at":"2026-11-29T"#);
        std::fs::write(&file, torn).unwrap();
    }
    assert_eq!(fx.json(&["ls"], 0), before);
    if !Fixture::shared_catalog() {
        assert!(
            std::fs::read(&file).unwrap() == journal,
            "the torn line is cut off"
        );
    }
    fx.json(&["verify"], 0);
}

/// An index made before it kept the asset count, whose last run crashed between the journal
/// write and the index write: the entry it missed is replayed at the next open, and the count
/// is taken from the stored records before that replay adds to it (embedded only: shared tables
/// have always kept the count).
#[test]
fn an_older_index_behind_its_journal_counts_its_assets_before_the_replay() {
    if Fixture::shared_catalog() {
        return;
    }
    let fx = Fixture::new();
    fx.write("a.jpg", &photo(64, 48, 31, &ExifFields::default()));
    fx.write("b.jpg", &photo(64, 48, 32, &ExifFields::default()));
    fx.ingest(&[&fx.input()], 0);
    let older = fx.dir.path().join("older-index");
    common::copy_dir(&fx.index(), &older);
    fx.write("c.jpg", &photo(64, 48, 33, &ExifFields::default()));
    assert_eq!(ids(&fx.ingest(&[&fx.input()], 0), "added").len(), 1);

    std::fs::remove_dir_all(fx.index()).unwrap();
    std::fs::rename(&older, fx.index()).unwrap();
    let db = sled::open(fx.index()).unwrap();
    assert!(db
        .open_tree("meta")
        .unwrap()
        .remove("asset_count")
        .unwrap()
        .is_some());
    db.flush().unwrap();
    drop(db);

    let catalog = brandvault::catalog::Catalog::open(&fx.location()).unwrap();
    assert_eq!(catalog.len(), 3, "two counted, one replayed");
    drop(catalog);
    assert_eq!(fx.json(&["ls"], 0).as_array().unwrap().len(), 3);
}
