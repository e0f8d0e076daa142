//! Several `serve` nodes on one library: a shared catalogue (PostgreSQL) and one store, each
//! node with a data folder of its own (its index and scratch space). What one node commits,
//! every node shows at its next request; of two steps on one asset taken on two nodes at once,
//! exactly one wins; a node killed mid-upload leaves nothing half-made.
//!
//! Run by `tests/with-pg.sh` (`.ci/run` does, with the store on S3 too). Without a test
//! PostgreSQL server these tests say so and check nothing else: the embedded catalogue admits
//! one process, and `tests/handoff.rs` covers it.

mod common;

use std::io::Write;
use std::path::PathBuf;

use brandvault::media::exif::ExifFields;
use common::{photo, post_photo, Fixture, Guard};
use serde_json::Value;

/// A library, its running nodes (process and port) and their data folders.
type Nodes = (Fixture, Vec<(Guard, u16)>, Vec<PathBuf>);

/// The library and two nodes serving it, or None without a shared catalogue to test.
fn two_nodes() -> Option<Nodes> {
    if !Fixture::shared_catalog() {
        eprintln!("skipped: several nodes need a shared catalogue (run under tests/with-pg.sh)");
        return None;
    }
    let fx = Fixture::new();
    let dirs: Vec<PathBuf> = ["node-a", "node-b"]
        .iter()
        .map(|n| fx.dir.path().join(n))
        .collect();
    let nodes = dirs.iter().map(|d| fx.serve_in(d)).collect();
    Some((fx, nodes, dirs))
}

/// A request to a node over a plain socket: (status, body).
fn http(port: u16, method: &str, path: &str, token: &str, body: Option<&str>) -> (u16, Vec<u8>) {
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, _, body) = common::exchange(port, request.as_bytes());
    (status, body)
}

/// A request's status and its body as text, for messages.
fn step(port: u16, path: &str, token: &str, body: Option<&str>) -> (u16, String) {
    let (status, body) = http(port, "POST", path, token, body);
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Whether `verify` found the library whole.
fn clean(verify: &Value) -> bool {
    verify["missing"].as_array().is_some_and(Vec::is_empty)
        && verify["corrupt"].as_array().is_some_and(Vec::is_empty)
        && verify["journal_error"].is_null()
}

fn json(port: u16, path: &str, token: &str) -> Value {
    let (status, body) = http(port, "GET", path, token, None);
    assert_eq!(
        status,
        200,
        "GET {path}: {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).unwrap()
}

/// A token made on the command line, with a data folder of its own: a third process on the
/// library while both nodes run.
fn token(fx: &Fixture, role: &str, name: &str) -> String {
    let cli = fx.dir.path().join("cli");
    let out = fx
        .command_in(&cli, &["token", "create", "--role", role, "--name", name])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    created["token"].as_str().unwrap().to_owned()
}

/// Uploads a new photo to a node; its id.
fn uploaded(port: u16, token: &str, name: &str, bytes: &[u8]) -> String {
    let (status, body) = post_photo(port, token, name, bytes);
    assert_eq!(status, 201, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    created["id"].as_str().unwrap().to_owned()
}

fn ids(listing: &Value) -> Vec<String> {
    listing["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_upload_on_one_node_is_listed_downloaded_and_approved_on_the_other() {
    let Some((fx, nodes, _)) = two_nodes() else {
        return;
    };
    let (a, b) = (nodes[0].1, nodes[1].1);
    // Made on the command line while both nodes run: both know it at their next request.
    let designer = token(&fx, "designer", "Nhà thiết kế");
    let manager = token(&fx, "brand_manager", "Quản lý thương hiệu");
    let bytes = photo(640, 480, 7, &ExifFields::default());
    let id = uploaded(a, &designer, "Hồ Suối Lam.jpg", &bytes);
    assert_eq!(
        ids(&json(b, "/api/assets?kind=photo", &manager)),
        vec![id.clone()]
    );
    let (status, original) = http(
        b,
        "GET",
        &format!("/api/assets/{id}/download?preset=original"),
        &manager,
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(original, bytes, "the original, byte for byte, from node B");
    let submit = step(b, &format!("/api/assets/{id}/submit"), &designer, None);
    assert_eq!(submit.0, 200, "{}", submit.1);
    let approval = r#"{"override":"ảnh của chương trình"}"#;
    let approve = step(
        b,
        &format!("/api/assets/{id}/approve"),
        &manager,
        Some(approval),
    );
    assert_eq!(approve.0, 200, "{}", approve.1);
    assert_eq!(
        json(a, &format!("/api/assets/{id}"), &manager)["status"],
        "approved"
    );
    drop(nodes);
    let verify = fx.json(&["verify"], 0);
    assert!(clean(&verify), "{verify}");
}

#[test]
fn an_approval_and_a_rejection_sent_to_two_nodes_at_once_have_one_winner() {
    let Some((fx, nodes, _)) = two_nodes() else {
        return;
    };
    let (a, b) = (nodes[0].1, nodes[1].1);
    let designer = token(&fx, "designer", "Nhà thiết kế");
    let manager = token(&fx, "brand_manager", "Quản lý");
    for seed in 0..6 {
        let bytes = photo(320, 240, 100 + seed, &ExifFields::default());
        let id = uploaded(a, &designer, &format!("ảnh {seed}.jpg"), &bytes);
        let submit = step(a, &format!("/api/assets/{id}/submit"), &designer, None);
        assert_eq!(submit.0, 200, "{}", submit.1);
        let start = std::sync::Barrier::new(2);
        let outcomes: Vec<(u16, String)> = std::thread::scope(|scope| {
            let steps = [
                (a, "approve", r#"{"override":"đồng ý"}"#),
                (b, "reject", r#"{"reason":"thiếu chú thích"}"#),
            ];
            let running: Vec<_> = steps
                .into_iter()
                .map(|(port, action, body)| {
                    let (start, id, manager) = (&start, &id, &manager);
                    scope.spawn(move || {
                        start.wait();
                        let path = format!("/api/assets/{id}/{action}");
                        step(port, &path, manager, Some(body))
                    })
                })
                .collect();
            running.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let won: Vec<_> = outcomes.iter().filter(|(s, _)| *s == 200).collect();
        assert_eq!(won.len(), 1, "exactly one winner: {outcomes:?}");
        let lost = outcomes.iter().find(|(s, _)| *s != 200).unwrap();
        assert_eq!(lost.0, 409, "{outcomes:?}");
        let shown = json(b, &format!("/api/assets/{id}"), &manager);
        let expected = if outcomes[0].0 == 200 {
            "approved"
        } else {
            "rejected"
        };
        assert_eq!(shown["status"], expected, "both nodes show the winner");
        assert_eq!(
            json(a, &format!("/api/assets/{id}"), &manager)["status"],
            expected
        );
    }
}

#[test]
fn a_node_killed_mid_upload_leaves_no_partial_asset() {
    let Some((fx, mut nodes, dirs)) = two_nodes() else {
        return;
    };
    let designer = token(&fx, "designer", "Nhà thiết kế");
    let (a, b) = (nodes[0].1, nodes[1].1);
    let bytes = photo(2400, 1600, 9, &ExifFields::default());
    let (ct, body) = common::service::multipart("nửa chừng.jpg", &bytes);
    let mut s = std::net::TcpStream::connect(("127.0.0.1", a)).unwrap();
    write!(
        s,
        "POST /api/assets HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {designer}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(&body[..body.len() / 2]).unwrap();
    s.flush().unwrap();
    // SIGKILL: no handler runs, nothing is cleaned up by the dying process.
    let (mut killed, _) = nodes.remove(0);
    killed.0.kill().unwrap();
    killed.0.wait().unwrap();
    drop(s);
    assert_eq!(ids(&json(b, "/api/assets?kind=photo", &designer)).len(), 0);
    // The node comes back on the same folder and the library is whole.
    let (_again, a) = fx.serve_in(&dirs[0]);
    assert_eq!(ids(&json(a, "/api/assets?kind=photo", &designer)).len(), 0);
    let (status, body) = post_photo(a, &designer, "lần nữa.jpg", &bytes);
    assert_eq!(status, 201, "{body}");
    assert_eq!(ids(&json(b, "/api/assets?kind=photo", &designer)).len(), 1);
    let verify = fx.json(&["verify"], 0);
    assert!(clean(&verify), "{verify}");
}

#[test]
fn migrate_embedded_to_shared_and_back_gives_the_same_library() {
    if !Fixture::shared_catalog() {
        eprintln!("skipped: needs a shared catalogue to migrate to (run under tests/with-pg.sh)");
        return;
    }
    let fx = Fixture::new();
    let embedded = format!("file://{}", fx.dir.path().join("embedded").display());
    let run = |catalog: &str, args: &[&str]| fx.json(&[&["--catalog", catalog], args].concat(), 0);
    let files: Vec<String> = (0..3)
        .map(|i| {
            let bytes = photo(320, 240, 60 + i, &ExifFields::default());
            let path = fx.write(&format!("Thác Mơ {i}.jpg"), &bytes);
            path.to_str().unwrap().to_owned()
        })
        .collect();
    let paths: Vec<&str> = files.iter().map(String::as_str).collect();
    let report = run(&embedded, &[&["ingest"], &paths[..]].concat());
    let id = common::ids(&report, "added")[0].clone();
    run(
        &embedded,
        &["edit", &id, "--caption-vi", "Hồ Thác Mơ mùa nước"],
    );
    run(
        &embedded,
        &["token", "create", "--role", "press", "--name", "báo"],
    );
    let listing = |catalog: &str| run(catalog, &["ls", "--limit", "1000"]);
    let before = listing(&embedded);
    let shared = fx.catalog_url();
    let moved = run(&embedded, &["migrate", "--to-catalog", &shared]);
    assert!(clean(&moved["verify"]), "{moved}");
    assert_eq!(listing(&shared), before);
    assert_eq!(
        run(&shared, &["token", "list"]).as_array().unwrap().len(),
        1
    );
    let back = format!("file://{}", fx.dir.path().join("back").display());
    let returned = run(&shared, &["migrate", "--to-catalog", &back]);
    assert!(clean(&returned["verify"]), "{returned}");
    assert_eq!(listing(&back), before);
    assert!(clean(&run(&back, &["verify"])));
    // The same history, byte for byte, in all three.
    let journal = |dir: &str| std::fs::read(fx.dir.path().join(dir).join("journal.jsonl")).unwrap();
    assert_eq!(journal("embedded"), journal("back"));
    assert_eq!(fx.journal(), journal("back"));
}

/// Sends a whole request; returns the status and the response's head.
fn raw(port: u16, request: &str) -> (u16, String) {
    let (status, head, _) = common::exchange(port, request.as_bytes());
    (status, head)
}

/// The value a response sets for a cookie.
fn cookie(head: &str, name: &str) -> String {
    let prefix = format!("set-cookie: {name}=");
    head.lines()
        .find_map(|l| {
            let lower = l.to_ascii_lowercase();
            lower
                .starts_with(&prefix)
                .then(|| l[prefix.len()..].split(';').next().unwrap().to_owned())
        })
        .unwrap_or_else(|| panic!("no {name} cookie in {head}"))
}

#[test]
fn signed_in_on_one_node_is_signed_in_on_every_node() {
    let Some((fx, nodes, _)) = two_nodes() else {
        return;
    };
    let (a, b) = (nodes[0].1, nodes[1].1);
    let cli = fx.dir.path().join("cli");
    let mut create = fx
        .command_in(&cli, &["user", "create", "hoa", "--role", "brand_manager"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    create
        .stdin
        .take()
        .unwrap()
        .write_all(b"mat-khau-dai-du-12\n")
        .unwrap();
    assert!(create.wait_with_output().unwrap().status.success());
    let (_, form) = raw(
        a,
        "GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    let csrf = cookie(&form, "bv_login_csrf");
    let body = format!("user=hoa&password=mat-khau-dai-du-12&csrf={csrf}");
    let (status, signed_in) = raw(
        a,
        &format!(
            "POST /login HTTP/1.1\r\nHost: localhost\r\nCookie: bv_login_csrf={csrf}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert_eq!(status, 303, "{signed_in}");
    let session = cookie(&signed_in, "bv_session");
    let review = |port: u16, cookie: &str| {
        raw(
            port,
            &format!("GET /review HTTP/1.1\r\nHost: localhost\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"),
        )
        .0
    };
    assert_eq!(
        review(b, &format!("bv_session={session}")),
        200,
        "node B knows the session"
    );
    assert_ne!(review(b, "bv_session=nonsense"), 200);
}
