//! Copies of a whole library through the real binary: `backup` of a library a running `serve`
//! is adding to, `restore` of it into an empty library, refusal to restore over another
//! library, and a `migrate` round trip between stores and catalogues.

mod common;

use brandvault::media::exif::ExifFields;
use common::{photo, post_photo, Fixture};
use serde_json::Value;

/// `ls --json` of a library, as a comparable value.
fn listing(fx: &Fixture, extra: &[&str]) -> Value {
    let mut args = extra.to_vec();
    args.extend(["ls", "--limit", "1000"]);
    fx.json(&args, 0)
}

/// A library with photos, renditions, one approved asset and a token.
fn library_with_history(fx: &Fixture) -> Vec<String> {
    let files: Vec<_> = (0..3)
        .map(|i| {
            fx.write(
                &format!("ảnh {i}.jpg"),
                &photo(320, 240, 40 + i, &ExifFields::default()),
            )
        })
        .collect();
    let paths: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
    let report = fx.json(&[&["ingest"], &paths[..]].concat(), 0);
    let ids = common::ids(&report, "added");
    fx.json(&["edit", &ids[0], "--caption-vi", "Thác Mơ mùa nước"], 0);
    fx.json(&["submit", &ids[0]], 0);
    fx.json(&["approve", &ids[0], "--override", "ảnh mẫu"], 0);
    fx.json(&["token", "create", "--role", "press", "--name", "báo"], 0);
    ids
}

fn object_count(report: &Value) -> u64 {
    report["objects"].as_u64().unwrap()
}

#[test]
fn a_backup_taken_while_serve_takes_uploads_restores_to_a_clean_library() {
    let fx = Fixture::new();
    library_with_history(&fx);
    let designer = fx.token("designer", "lan");
    let backups = fx.dir.path().join("backups");
    let during = backups.join("during");
    let (serve, port) = fx.serve();
    // 200 uploads, and the backup taken in the middle of them: it holds a consistent prefix.
    let (tx, rx) = std::sync::mpsc::channel();
    let uploads = std::thread::spawn(move || {
        for i in 0..200u64 {
            let bytes = photo(64, 48, 1000 + i, &ExifFields::default());
            let (status, body) = post_photo(port, &designer, &format!("tải {i}.jpg"), &bytes);
            assert_eq!(status, 201, "{body}");
            let _ = tx.send(i);
        }
    });
    rx.iter().find(|&i| i == 50);
    let taken = fx.json(&["backup", during.to_str().unwrap()], 0);
    uploads.join().unwrap();
    let assets = taken["assets"].as_u64().unwrap();
    assert!(
        (3 + 51..3 + 200).contains(&assets),
        "taken mid-upload: {taken}"
    );
    assert!(taken["copied"].as_u64().unwrap() >= taken["assets"].as_u64().unwrap());
    assert!(during.join("backup.json").is_file());
    // Taken again into the same folder: only what is new is copied.
    let again = fx.json(&["backup", during.to_str().unwrap()], 0);
    assert!(
        again["entries"].as_u64() > taken["entries"].as_u64(),
        "{again}"
    );
    assert!(
        again["copied"].as_u64().unwrap() < object_count(&again),
        "objects already in the folder are not copied again: {again}"
    );
    drop(serve);
    let final_backup = backups.join("final");
    fx.json(&["backup", final_backup.to_str().unwrap()], 0);

    // The mid-ingest backup restores into an empty library that verifies clean.
    let restored = Fixture::new();
    let report = restored.json(&["restore", during.to_str().unwrap()], 0);
    assert_eq!(
        report["verify"]["missing"],
        serde_json::json!([]),
        "{report}"
    );
    assert!(report["verify"]["journal_error"].is_null(), "{report}");
    assert_eq!(report["restored"]["entries"], again["entries"]);
    restored.json(&["verify"], 0);
    let listed = listing(&restored, &[]);
    assert_eq!(
        listed.as_array().unwrap().len() as u64,
        again["assets"].as_u64().unwrap()
    );
    // The final backup restores to exactly the library it was taken from.
    let copy = Fixture::new();
    copy.json(&["restore", final_backup.to_str().unwrap()], 0);
    assert_eq!(listing(&copy, &[]), listing(&fx, &[]));
    assert_eq!(
        copy.json(&["token", "list"], 0),
        fx.json(&["token", "list"], 0)
    );
}

#[test]
fn restore_refuses_another_library_and_changes_nothing() {
    let fx = Fixture::new();
    library_with_history(&fx);
    let dir = fx.dir.path().join("backup");
    fx.json(&["backup", dir.to_str().unwrap()], 0);
    let other = Fixture::new();
    let own = other.write("khác.jpg", &photo(200, 150, 7, &ExifFields::default()));
    other.ingest(&[&own], 0);
    let before = (other.objects(), listing(&other, &[]));
    let refused = other.run(&["restore", dir.to_str().unwrap()]);
    assert!(!refused.status.success());
    let text = String::from_utf8_lossy(&refused.stdout);
    assert!(text.contains("catalog-diverged"), "{text}");
    assert_eq!((other.objects(), listing(&other, &[])), before);
    // A folder that is not a finished backup is named as such.
    let empty = Fixture::new();
    let out = empty.run(&["restore", other.input().to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success() && text.contains("not-a-backup"),
        "{text}"
    );
}

#[test]
fn migrate_to_another_store_and_catalogue_and_back_gives_the_same_library() {
    let fx = Fixture::new();
    library_with_history(&fx);
    let journal = fx.journal();
    let elsewhere = fx.dir.path().join("elsewhere");
    let store = format!("file://{}", elsewhere.join("objects-home").display());
    let catalog = format!("file://{}", elsewhere.join("catalogue").display());
    let moved = fx.json(
        &["migrate", "--to-store", &store, "--to-catalog", &catalog],
        0,
    );
    assert!(
        moved["verify"]["journal_entries"].as_u64().unwrap() > 0,
        "{moved}"
    );
    assert_eq!(moved["migrated"]["copied"], moved["migrated"]["objects"]);
    let there = ["--store", store.as_str(), "--catalog", catalog.as_str()];
    assert_eq!(listing(&fx, &there), listing(&fx, &[]));
    fx.json(&[&there[..], &["verify"]].concat(), 0);
    // Interrupted or not, running it again copies nothing.
    let again = fx.json(
        &["migrate", "--to-store", &store, "--to-catalog", &catalog],
        0,
    );
    assert_eq!(again["migrated"]["copied"], 0);
    assert_eq!(again["migrated"]["adopted"], 0);

    // And back into a new library of the fixture's own kind (local or S3).
    let back = Fixture::new();
    let out = back
        .command(&[
            "--store",
            &store,
            "--catalog",
            &catalog,
            "migrate",
            "--to-store",
            &back.store_url(),
            "--to-catalog",
            &back.catalog_url(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(listing(&back, &[]), listing(&fx, &[]));
    back.json(&["verify"], 0);
    // The source was only read.
    assert_eq!(fx.journal(), journal);
    fx.json(&["verify"], 0);
}
