//! Commands that need the library while `serve` holds it are handed to the running service over
//! its socket: tokens, ingest (relative paths from the asking folder), accounts (the password
//! on standard input), listings and failures, each answered as if run here; what needs the
//! library to itself is refused and changes nothing.

mod common;

use std::os::unix::fs::PermissionsExt;

use brandvault::media::exif::ExifFields;
use common::{http_status, photo, Fixture};
use serde_json::Value;

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn tokens_made_and_revoked_on_the_command_line_reach_a_running_serve_at_once() {
    let fx = Fixture::new();
    let (serve, port) = fx.serve();
    let socket = fx.location().dir().join("serve.sock");
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the socket is its user's only");
    let created = fx.json(
        &[
            "token",
            "create",
            "--role",
            "press",
            "--name",
            "báo Bình Phước",
        ],
        0,
    );
    let token = created["token"].as_str().unwrap().to_owned();
    assert_eq!(http_status(port, "/api/assets", &token), 200);
    let revoked = fx.json(&["token", "revoke", "báo Bình Phước"], 0);
    assert!(revoked.is_object(), "{revoked}");
    assert_eq!(
        http_status(port, "/api/assets", &token),
        401,
        "the very next request"
    );
    drop(serve);
    // Journaled by the service: the token is gone for good.
    assert_eq!(fx.json(&["token", "list"], 0).as_array().unwrap().len(), 0);
}

#[test]
fn ingest_and_accounts_from_the_command_line_run_inside_a_running_serve() {
    let fx = Fixture::new();
    let admin = fx.json(
        &["token", "create", "--role", "admin", "--name", "quản trị"],
        0,
    );
    let admin = admin["token"].as_str().unwrap().to_owned();
    fx.write(
        "Ảnh/thác mơ.jpg",
        &photo(320, 240, 3, &ExifFields::default()),
    );
    fx.write("Ảnh/bà rá.jpg", &photo(320, 240, 4, &ExifFields::default()));
    let (_serve, port) = fx.serve();
    // A relative folder, from the folder the command runs in.
    let out = fx
        .command(&["ingest", "Ảnh"])
        .current_dir(fx.input())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json_of(&out);
    let added = common::ids(&report, "added");
    assert_eq!(added.len(), 2, "{report}");
    assert!(
        report["renditions"].is_object(),
        "rendered inside the service: {report}"
    );
    for id in &added {
        assert_eq!(http_status(port, &format!("/api/assets/{id}"), &admin), 200);
    }
    let photos = fx.json(&["ls", "--kind", "photo"], 0);
    assert_eq!(photos.as_array().unwrap().len(), 2, "listed by the service");
    // The password travels on standard input, as it would without a service.
    let out = fx.run_with_input(
        &["user", "create", "lan", "--role", "designer"],
        "mat-khau-dai-du-12\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let users = fx.json(&["user", "list"], 0);
    assert!(users.to_string().contains("\"lan\""), "{users}");
    // A failure comes back as the same one JSON document and exit code.
    let out = fx.run(&["show", "abcdef123456"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["code"], "asset-not-found");
}

#[test]
fn what_needs_the_library_to_itself_is_refused_while_serve_runs() {
    let fx = Fixture::new();
    let file = fx.write("a.jpg", &photo(160, 120, 5, &ExifFields::default()));
    fx.ingest(&[&file], 0);
    let backup = fx.dir.path().join("backup");
    fx.json(&["backup", backup.to_str().unwrap()], 0);
    let (serve, port) = fx.serve();
    if Fixture::shared_catalog() {
        // A shared library belongs to no one process: a restore into it is refused because
        // it is not empty, and a rebuild runs beside the service (in one transaction, while
        // the service reads the rows as they were).
        let out = fx.run(&["restore", backup.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let message = json_of(&out)["message"].as_str().unwrap().to_owned();
        assert!(message.contains("empty library"), "{message}");
        let rebuilt = fx.json(&["rebuild"], 0);
        assert_eq!(
            rebuilt["assets"],
            fx.json(&["ls"], 0).as_array().unwrap().len()
        );
    } else {
        for args in [vec!["restore", backup.to_str().unwrap()], vec!["rebuild"]] {
            let out = fx.run(&args);
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            let message = json_of(&out)["message"].as_str().unwrap().to_owned();
            assert!(message.contains("in use"), "{args:?}: {message}");
        }
    }
    // The service's index was left where it is, and the service still answers.
    assert!(!fx.index().with_extension("sled.damaged").exists());
    assert_eq!(http_status(port, "/healthz", ""), 200);
    drop(serve);
    let verified = fx.json(&["verify"], 0);
    assert!(verified["journal_error"].is_null(), "{verified}");
}
