//! The portal end to end, in a real headless Chromium against the real `brandvault serve`: a
//! press officer searches "bu lach" without accents, opens the photo, copies its credit line
//! and downloads the press rendition; an agency's embed snippet, pasted into a page of another
//! origin, shows the picture; every page type passes axe-core's WCAG 2.1 AA rules with no
//! serious or critical violation, fits a 390 px phone, and shows no English status, kind or
//! preset word when Vietnamese; a missing asset and a bad filter answer a page, not JSON.
//! In process: embeds and oEmbed use the configured public address.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;

use actix_web::http::StatusCode;
use actix_web::test as at;
use brandvault::media::exif::ExifFields;
use common::axe::{axe_source, axe_violations, CODES};
use common::service::{get, patch_json, publish, setup};
use common::webdriver::Browser;
use common::{photo, tool, Fixture};
use serde_json::{json, Value};

/// A one-page web server on another origin (another port), serving `html` to every request.
fn other_origin(html: String) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0; 4096];
            let _ = stream.read(&mut buf);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
                html.len()
            );
        }
    });
    port
}

#[test]
fn press_officer_and_agency_use_the_portal() {
    if !tool("chromium", "chromium") || !tool("chromedriver", "chromium-driver") {
        return;
    }
    let Some(axe) = axe_source() else { return };
    let fx = Fixture::new();
    let fields = ExifFields {
        gps: Some(brandvault::model::Gps {
            lat: 11.8064,
            lon: 107.3552,
            alt_m: None,
        }),
        datetime_original: Some("2024-07-14T06:42:00".into()),
        ..Default::default()
    };
    let file = fx.write(
        "Bình minh trên trảng cỏ.jpg",
        &photo(2400, 1600, 3, &fields),
    );
    let report = fx.ingest(&[&file], 0);
    let id = report["added"][0].as_str().unwrap().to_owned();
    fx.json(
        &[
            "edit",
            &id,
            "--caption-vi",
            "Bình minh trên trảng cỏ Bù Lạch",
            "--caption-en",
            "Dawn over the Bù Lạch grassland",
            "--credit",
            "Phạm Thu",
            "--license",
            "CC BY 4.0",
            "--title-vi",
            "Bình minh Bù Lạch",
            "--copyright",
            "© 2026 Sở VHTTDL Bình Phước",
            "--tag",
            "tourism",
            "--tag",
            "public-tourists",
            "--access",
            "public",
        ],
        0,
    );
    fx.json(&["submit", &id], 0);
    fx.json(&["approve", &id], 0);
    fx.json(&["render"], 0);
    let (_server, port) = fx.serve();
    let site = format!("http://127.0.0.1:{port}");
    let browser = Browser::start();

    // The press officer searches without accents and finds the photo, counted.
    browser.go(&format!("{site}/"));
    browser.type_into("#q", "bu lach");
    browser.click(r#"form[role="search"] button"#);
    assert_eq!(browser.text("#result-count"), "1 kết quả");
    let card = browser.text(".grid a.card .title");
    assert_eq!(
        card, "Bình minh trên trảng cỏ Bù Lạch",
        "cards are titled by caption"
    );
    browser.click(".grid a.card");
    assert_eq!(browser.text("h1"), "Bình minh trên trảng cỏ Bù Lạch");

    // The credit line is copied as shown.
    let credit = browser.text("#credit-line");
    assert_eq!(
        credit,
        "Bình minh trên trảng cỏ Bù Lạch — Ảnh: Phạm Thu (CC BY 4.0)"
    );
    // Headline and copyright notice among the facts (audited with the rest of the page below).
    let facts = browser.text(".facts");
    assert!(
        facts.contains("Bình minh Bù Lạch") && facts.contains("© 2026 Sở VHTTDL Bình Phước"),
        "{facts}"
    );
    for name in ["clipboard-read", "clipboard-write"] {
        browser.cmd(
            "POST",
            "/permissions",
            json!({"descriptor": {"name": name}, "state": "granted"}),
        );
    }
    browser.click("#copy-credit");
    assert_eq!(
        browser.text_once("#copy-credit", "Đã sao chép"),
        "Đã sao chép"
    );
    let copied = browser.run_async(
        "const done = arguments[arguments.length - 1];
         navigator.clipboard.readText().then(done, e => done('read failed: ' + e));",
    );
    assert_eq!(copied, credit);
    assert!(browser.text("#access").starts_with("Công khai"));

    // The press rendition downloads at full size.
    let press = browser.property(r#"a[href*="preset=press"]"#, "href");
    let got = browser.run_async(&format!(
        "const done = arguments[arguments.length - 1];
         fetch({press:?}).then(async r => done([r.status, r.headers.get('content-type'),
             (await r.arrayBuffer()).byteLength]));"
    ));
    assert_eq!(got[0], 200, "{got}");
    assert_eq!(got[1], "image/jpeg");

    // The agency's snippet: absolute /a/ addresses in a <picture>, shown on another origin.
    let snippet = browser.property("#embed-code", "textContent");
    assert!(snippet.contains("<picture>"), "{snippet}");
    assert!(
        snippet.contains(&format!("{site}/a/{id}/preview")),
        "{snippet}"
    );
    assert!(snippet.contains(r#"alt="Bình minh trên trảng cỏ Bù Lạch""#));
    let elsewhere = other_origin(format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Báo</title></head><body>{snippet}</body></html>"
    ));
    browser.go(&format!("http://127.0.0.1:{elsewhere}/"));
    let shown = browser.run_async(
        "const done = arguments[arguments.length - 1];
         const img = document.querySelector('img');
         img.decode().then(() => done([img.naturalWidth, img.currentSrc]), e => done([0, String(e)]));",
    );
    assert!(shown[0].as_u64().unwrap() > 0, "the embed shows: {shown}");

    // Every page type: axe clean, no sideways scrolling at 390 px, no codes in Vietnamese.
    let pages = [
        ("/", 200),
        ("/?q=bu+lach", 200),
        (&format!("/assets/{id}") as &str, 200),
        ("/spots", 200),
        ("/brand", 200),
        ("/login", 200),
        ("/assets/0123456789", 404),
        ("/?from=2024-13-01", 400),
    ];
    for (width, height) in [(1366, 900), (390, 844)] {
        browser.resize(width, height);
        for (path, status) in pages {
            browser.go(&format!("{site}{path}"));
            browser.find("main");
            let violations = axe_violations(&browser, &axe);
            assert!(
                violations.is_empty(),
                "{path} at {width} px: {violations:?}"
            );
            let overflow = browser.run(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
                json!([]),
            );
            assert_eq!(overflow, 0, "{path} is wider than {width} px");
            let text = browser.run(
                "const main = document.body.cloneNode(true);
                 main.querySelectorAll('pre, code').forEach(e => e.remove());
                 return main.innerText",
                json!([]),
            );
            let text = text.as_str().unwrap().to_lowercase();
            for code in CODES {
                assert!(!text.contains(code), "{path} shows {code:?}: {text}");
            }
            // What a browser is answered: a page of the asked status, never JSON.
            let answer = browser.run_async(&format!(
                "const done = arguments[arguments.length - 1];
                 fetch({:?}, {{headers: {{Accept: 'text/html'}}}})
                   .then(r => done([r.status, r.headers.get('content-type')]));",
                format!("{site}{path}")
            ));
            assert_eq!(answer[0], status, "{path}");
            assert!(
                answer[1].as_str().unwrap().starts_with("text/html"),
                "{path}: {answer}"
            );
        }
    }
    // The bad filter is shown next to its field.
    browser.go(&format!("{site}/?from=2024-13-01"));
    assert!(browser.text("#e-from").contains("2024-07-14"));
    // The language sticks across links once chosen.
    browser.go(&format!("{site}/?lang=en"));
    browser.go(&format!("{site}/spots"));
    assert_eq!(browser.text("h1"), "Check-in spots");
    assert!(browser.source().contains("<html lang=\"en\""));
}

/// Embeds and oEmbed use the configured public address; page routes answer browsers with
/// pages and programs with JSON.
#[actix_web::test]
async fn embeds_oembed_and_error_pages() {
    let fx = Fixture::new();
    let (mut svc, draft, public) = setup(&fx);
    std::sync::Arc::get_mut(&mut svc.state)
        .and_then(|s| s.settings_mut())
        .expect("not shared yet")
        .public_url = Some("https://anh.example.vn".into());
    let app = app!(svc);
    publish(&app, &svc, &public).await;
    let req = patch_json(
        &format!("/api/assets/{public}"),
        &svc.tokens["bm"],
        json!({"consent": false}),
    );
    assert_eq!(at::call_service(&app, req.to_request()).await.status(), 200);
    let page =
        at::call_and_read_body(&app, get(&format!("/assets/{public}"), None).to_request()).await;
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(page.contains("&#60;picture&#62;"), "{page}");
    assert!(page.contains(&format!("https://anh.example.vn/a/{public}/preview")));

    let oembed = |url: String| get(&format!("/oembed?format=json&url={url}"), None).to_request();
    let answer: Value = at::call_and_read_body_json(
        &app,
        oembed(format!("https://anh.example.vn/assets/{public}")),
    )
    .await;
    assert_eq!(answer["type"], "photo");
    assert_eq!(answer["version"], "1.0");
    assert_eq!(answer["author_name"], "Phạm Thu");
    assert_eq!(
        answer["restrictions"][0]["code"], "consent-missing",
        "the rights travel with the embed: {answer}"
    );
    let url = answer["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("https://anh.example.vn/a/{public}/")),
        "{url}"
    );
    let small: Value = at::call_and_read_body_json(
        &app,
        get(
            &format!("/oembed?url=https://anh.example.vn/assets/{public}&maxwidth=260"),
            None,
        )
        .to_request(),
    )
    .await;
    // Never larger than asked, and the largest that fits: an exact IIIF size of the picture.
    assert_eq!(small["width"], 260, "the largest that fits: {small}");
    assert!(small["height"].as_u64().unwrap() <= 260);
    assert!(
        small["url"]
            .as_str()
            .unwrap()
            .ends_with("/full/260,173/0/default.jpg"),
        "{small}"
    );
    let xml = at::call_service(
        &app,
        get(
            &format!("/oembed?format=xml&url=https://anh.example.vn/assets/{public}"),
            None,
        )
        .to_request(),
    )
    .await;
    assert_eq!(xml.status(), StatusCode::NOT_IMPLEMENTED);
    let hidden = at::call_service(
        &app,
        oembed(format!("https://anh.example.vn/assets/{draft}")),
    )
    .await;
    assert_eq!(
        hidden.status(),
        StatusCode::NOT_FOUND,
        "a draft does not exist for the public"
    );

    // A browser gets pages; a program gets JSON.
    let html = |path: &str| {
        get(path, None)
            .insert_header(("accept", "text/html,application/xhtml+xml"))
            .to_request()
    };
    for (path, status) in [
        ("/no/such/page", StatusCode::NOT_FOUND),
        (&format!("/assets/{draft}") as &str, StatusCode::NOT_FOUND),
        ("/?from=2024-13-01", StatusCode::BAD_REQUEST),
    ] {
        let resp = at::call_service(&app, html(path)).await;
        assert_eq!(resp.status(), status, "{path}");
        let kind = resp
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
        let body = String::from_utf8(at::read_body(resp).await.to_vec()).unwrap();
        assert!(body.contains("<html lang=\"vi\""), "{path}");
        assert!(!body.contains("not-found\""), "{path}: {body}");
    }
    // A status with no words of its own (401 here) still gets a page, and keeps its header.
    let bogus = get("/", Some("bv_not_a_token"))
        .insert_header(("accept", "text/html"))
        .to_request();
    let resp = at::call_service(&app, bogus).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.headers().contains_key("www-authenticate"));
    let body = String::from_utf8(at::read_body(resp).await.to_vec()).unwrap();
    assert!(body.contains("Cần đăng nhập"), "{body}");
    let json = at::call_service(&app, get(&format!("/assets/{draft}"), None).to_request()).await;
    assert_eq!(json.status(), StatusCode::NOT_FOUND);
    let body: Value = at::read_body_json(json).await;
    assert_eq!(body["code"], "not-found");
}
