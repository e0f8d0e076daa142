//! Nothing lost, nothing leaked, round two: a clean stop whatever happened to the files.

#[macro_use]
mod common;

use std::time::{Duration, Instant};

use common::Fixture;

/// `serve` stops within seconds of SIGTERM after its hand-over socket and then its whole data
/// folder were removed under it (a tmp cleaner, an operator, a second node's stop).
#[test]
fn serve_stops_on_sigterm_when_its_socket_and_folder_are_gone() {
    if Fixture::shared_catalog() {
        eprintln!("skipped: with a shared catalogue the data folder holds no journal to lose");
        return;
    }
    let fx = Fixture::new();
    let (mut serve, lines) = fx.serve_logged();
    common::net::expect_line(&lines, " workers");
    let socket = fx.data().join("serve.sock");
    assert!(socket.exists(), "the hand-over socket is there");
    std::fs::remove_file(&socket).unwrap();
    // The service may be writing in it (its rendition pass): removed until it is gone.
    while fx.data().exists() {
        let _ = std::fs::remove_dir_all(fx.data());
    }
    let pid = i32::try_from(serve.0.id()).unwrap();
    // SAFETY: kill sends a signal to a child process this test started; no memory is passed.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let asked = Instant::now();
    // The log closes when the process ends: wait for that, at most 10 s.
    loop {
        let left = Duration::from_secs(10).saturating_sub(asked.elapsed());
        match lines.recv_timeout(left) {
            Ok(_) => continue,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                panic!("serve still running 10 s after SIGTERM")
            }
        }
    }
    let status = serve.0.wait().unwrap();
    assert!(asked.elapsed() < Duration::from_secs(10));
    assert!(status.code().is_some(), "it exited by itself: {status:?}");
}

/// `POST /bulk` and `POST /review/batch` answer about a picture the caller may not see
/// exactly as about one that does not exist: status, body and redirect alike.
#[actix_web::test]
async fn hidden_and_missing_ids_answer_alike_on_batch_routes() {
    use actix_web::test;
    let fx = Fixture::new();
    let (svc, draft, _) = common::service::setup(&fx);
    let app = app!(svc);
    // `dana`'s draft is hidden from the other designer, `dan`.
    let random = "ab".repeat(32);
    let dan = format!("Bearer {}", svc.tokens["dan"]);
    let mut answers = Vec::new();
    for id in [draft.as_str(), random.as_str()] {
        for (path, form) in [
            (
                "/bulk",
                vec![("id", id), ("credit", "X"), ("back", "/mine")],
            ),
            ("/review/batch", vec![("id", id), ("action", "approve")]),
        ] {
            let req = test::TestRequest::post()
                .uri(path)
                .insert_header(("authorization", dan.as_str()))
                .set_form(form);
            let resp = test::call_service(&app, req.to_request()).await;
            let status = resp.status();
            let location = resp
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().replace(id, "ID"));
            let body = test::read_body(resp).await;
            answers.push((path, status, location, body));
        }
    }
    let (hidden, missing) = answers.split_at(2);
    assert_eq!(hidden, missing, "a hidden draft answers as a missing one");
    // A reviewer's batch with a missing id is refused by name, and the same with nothing else.
    assert_eq!(hidden[0].1, actix_web::http::StatusCode::NOT_FOUND);
}

/// A JPEG uploaded as `poly.html` is offered as `poly.jpg`; a name with control and
/// right-to-left characters is stored and offered without them; page numbers are clamped.
#[actix_web::test]
async fn names_are_safe_and_pages_do_not_wrap() {
    use actix_web::test;
    let fx = Fixture::new();
    let (svc, _, public) = common::service::setup(&fx);
    let app = app!(svc);
    let dana = &svc.tokens["dana"];
    for (n, (uploaded, offered)) in [
        ("poly.html", "poly.jpg"),
        ("rtl\u{202E}gpj.exe", "rtl_gpj.jpg"),
        // What a multipart header can carry of control characters: a tab, C1 controls.
        ("a\tb\u{85}.jpg", "a_b_.jpg"),
    ]
    .into_iter()
    .enumerate()
    {
        let bytes = common::photo(64, 48, n as u64 + 900, &Default::default());
        let resp = test::call_service(
            &app,
            common::service::upload(Some(dana), uploaded, &bytes).to_request(),
        )
        .await;
        assert_eq!(
            resp.status(),
            actix_web::http::StatusCode::CREATED,
            "{uploaded:?}"
        );
        let a: serde_json::Value = test::read_body_json(resp).await;
        let stored = a["names"][0].as_str().unwrap();
        assert!(
            !stored.chars().any(|c| c.is_control() || c == '\u{202E}'),
            "{stored:?}"
        );
        let path = format!("/api/assets/{}/download", a["id"].as_str().unwrap());
        let resp =
            test::call_service(&app, common::service::get(&path, Some(dana)).to_request()).await;
        let disposition = resp
            .headers()
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            // All three are ASCII once made safe: the same in `filename` and `filename*`.
            disposition.ends_with(&format!(
                "filename=\"{offered}\"; filename*=UTF-8''{offered}"
            )),
            "{disposition}"
        );
        assert!(!disposition.contains("%E2%80%AE"), "{disposition}");
    }
    // Line breaks, ESC and DEL come in through folders (a multipart header cannot carry them).
    let cli = Fixture::new();
    cli.write(
        "lô/x\r\ny\u{1b}\u{7f}.jpg",
        &common::photo(64, 48, 990, &Default::default()),
    );
    let report = cli.ingest(&[&cli.input().join("lô")], 0);
    let id = &common::ids(&report, "added")[0];
    assert_eq!(cli.show(id)["names"][0], "x__y__.jpg");
    common::service::publish(&app, &svc, &public).await;
    let page = |q: &'static str| {
        let req = common::service::get(q, None).insert_header(("accept", "text/html"));
        test::call_service(&app, req.to_request())
    };
    let first = String::from_utf8(test::read_body(page("/").await).await.to_vec()).unwrap();
    assert!(first.contains(&public), "the first page lists the picture");
    let resp = page("/?page=384307168202282327").await;
    assert_eq!(resp.status(), actix_web::http::StatusCode::OK);
    let far = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    assert!(
        !far.contains(&format!("/assets/{public}")),
        "not the first page again"
    );
}

/// Fifty anonymous IIIF requests for distinct odd sizes: none is kept in the store, and past
/// the brake's allowance they are refused with 429 and Retry-After; the sizes `info.json`
/// offers are still made and kept.
#[actix_web::test]
async fn odd_iiif_sizes_are_neither_kept_nor_unbounded() {
    use actix_web::test;
    let fx = Fixture::new();
    let (svc, _, public) = common::service::setup(&fx);
    let app = app!(svc);
    common::service::publish(&app, &svc, &public).await;
    let before = fx.objects().len();
    let (mut made, mut refused) = (0, 0);
    for n in 0..50 {
        let path = format!("/iiif/3/{public}/full/^{},/0/default.jpg", 900 + n);
        let req = common::service::get(&path, None).peer_addr("203.0.113.9:4000".parse().unwrap());
        let resp = test::call_service(&app, req.to_request()).await;
        match resp.status().as_u16() {
            200 => made += 1,
            429 => {
                assert!(resp.headers().get("retry-after").is_some());
                refused += 1;
            }
            other => panic!("{path}: {other}"),
        }
    }
    assert_eq!(made, 30, "one address's allowance a minute");
    assert_eq!(refused, 20);
    assert_eq!(fx.objects().len(), before, "nothing kept of odd sizes");
    // A size info.json offers is made and kept, brake or not.
    let info: serde_json::Value = test::call_and_read_body_json(
        &app,
        common::service::get(&format!("/iiif/3/{public}/info.json"), None).to_request(),
    )
    .await;
    let size = &info["sizes"][0];
    let path = format!(
        "/iiif/3/{public}/full/{},{}/0/default.jpg",
        size["width"], size["height"]
    );
    let req = common::service::get(&path, None).peer_addr("203.0.113.9:4000".parse().unwrap());
    let resp = test::call_service(&app, req.to_request()).await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(fx.objects().len(), before + 1, "an offered size is kept");
}

/// Redirect targets taken from a parameter, checked against the browser's own URL parser
/// (Chromium's `new URL`, what it applies to a `Location` header): every target
/// `portal::same_site` lets through stays on this site, the known bypasses are refused, and
/// plain paths of the site are kept. The table's second column is what Chromium does with
/// the target, asserted too, so the table cannot drift from the browser.
#[test]
fn redirect_targets_stay_on_the_site_as_a_browser_reads_them() {
    use brandvault::http::portal::same_site;
    if !common::tool("chromium", "chromium") || !common::tool("chromedriver", "chromium-driver") {
        return;
    }
    // (target, Chromium leaves the site, a plain path of the site that must be kept)
    let table: &[(&str, bool, bool)] = &[
        ("/", false, true),
        ("/review?item=ab12&refused=x", false, true),
        ("/?q=du%20lich&page=2", false, true),
        ("/assets/ab12#details", false, true),
        ("/bộ-sưu-tập/Bù Lạch", false, true),
        ("//evil.example", true, false),
        ("///evil.example", true, false),
        ("/\\evil.example", true, false),
        ("\\/evil.example", true, false),
        ("/\t/evil.example", true, false),
        ("/\n/evil.example", true, false),
        ("/\r\n/evil.example", true, false),
        ("\t//evil.example", true, false),
        (" //evil.example", true, false),
        ("https://evil.example/", true, false),
        ("https:evil.example", false, false),
        ("javascript:alert(1)", true, false),
        ("/%2F/evil.example", false, false),
        ("/%5Cevil.example", false, false),
        ("/%09/evil.example", false, false),
        ("/.//evil.example", false, false),
    ];
    let browser = common::webdriver::Browser::start();
    let base = "https://anh.binhphuoc.gov.vn/review";
    for &(target, leaves, plain) in table {
        let origin = browser.run(
            "try { return new URL(arguments[0], arguments[1]).origin; } catch (e) { return 'invalid'; }",
            serde_json::json!([target, base]),
        );
        let browser_leaves = origin != "https://anh.binhphuoc.gov.vn";
        assert_eq!(browser_leaves, leaves, "Chromium on {target:?}: {origin}");
        match same_site(target) {
            Some(kept) => {
                assert!(!browser_leaves, "{target:?} is kept but leaves the site");
                assert_eq!(kept, target);
            }
            None => assert!(!plain, "{target:?} is a plain path of the site, refused"),
        }
    }
}
