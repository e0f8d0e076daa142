//! The desk end to end, in a real headless Chromium (Debian chromium + chromium-driver) driven
//! over the W3C WebDriver protocol by a small client written here, against the real
//! `brandvault serve` on a free loopback port:
//! - the first admin is made on the command line (password on standard input) and makes a
//!   designer and a brand manager on the people page;
//! - the designer signs in with a password, uploads three photos with a caption, credit and
//!   themes, sees on their work page what is missing in Vietnamese, fixes it for all three at
//!   once and submits them;
//! - the manager approves two in one batch from the keyboard; approving the third for the
//!   public is refused on the page and changes nothing (asset and journal byte for byte); they
//!   reject it with a reason;
//! - the designer reads the reason, edits the picture and submits it again;
//! - the service restarts and both stay signed in;
//! - every desk page passes axe-core with no serious or critical violation and fits 390 px;
//! - the pictures, approved for staff only, stay hidden from the public;
//! - and, in a second test, a press officer hands three published photos on by a share link
//!   that an anonymous browser opens and downloads as a ZIP (see its doc comment).
//!
//! No sleeps: the server and the driver are awaited by reading their logs, page elements by
//! WebDriver's implicit wait.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::axe::{audit, axe_source};
use common::webdriver::Browser;
use common::{photo_at, tool, Fixture};

const ADMIN_PASSWORD: &str = "quản trị thư viện ảnh";
const PASSWORD: &str = "một mật khẩu đủ dài";

/// `brandvault user create …` with the password on standard input.
fn create_user(fx: &Fixture, name: &str, role: &str, display: &str, password: &str) {
    let mut child = fx
        .command(&[
            "user",
            "create",
            name,
            "--role",
            role,
            "--display-name",
            display,
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["user"], name);
    assert_eq!(report["role"], role);
}

fn create_admin(fx: &Fixture) {
    create_user(fx, "quan", "admin", "Quản trị viên", ADMIN_PASSWORD);
}

/// Describes `id` on the command line (caption, the designer's credit, a licence, `tags`, the
/// audience asked for) and submits it for review.
fn describe_and_submit(fx: &Fixture, id: &str, access: &str, caption: &str, tags: &[&str]) {
    let mut args = vec![
        "edit",
        id,
        "--access",
        access,
        "--caption-vi",
        caption,
        "--credit",
        "Phạm Thu, Sở VHTTDL",
        "--license",
        "CC BY 4.0",
    ];
    for tag in tags {
        args.extend(["--tag", tag]);
    }
    fx.json(&args, 0);
    fx.json(&["submit", id], 0);
}

/// GET /api/me with a session cookie, over a plain socket: (status line, body).
fn me(port: u16, session: &str) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET /api/me HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: bv_session={session}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or_default();
    (
        head.lines().next().unwrap_or_default().to_owned(),
        body.to_owned(),
    )
}

#[test]
fn a_day_at_the_desk() {
    if !tool("chromium", "chromium") || !tool("chromedriver", "chromium-driver") {
        return;
    }
    let axe = axe_source();
    let fx = Fixture::new();
    create_admin(&fx);
    let photos: Vec<_> = (0..3u32)
        .map(|n| {
            fx.write(
                &format!("Bù Lạch {n}.jpg"),
                &photo_at(11.8064 + f64::from(n) * 0.001, 107.3552, 20 + u64::from(n)),
            )
        })
        .collect();
    let (server, port) = fx.serve();
    let site = format!("http://127.0.0.1:{port}");
    let browser = Browser::start();

    // The admin makes a designer and a brand manager.
    browser.sign_in(&site, "quan", ADMIN_PASSWORD);
    browser.find("#queue-empty");
    browser.go(&format!("{site}/admin"));
    for (name, display, role) in [
        ("thu", "Phạm Thu", "designer"),
        ("hoa", "Nguyễn Hoa", "brand_manager"),
    ] {
        browser.type_into("#new-name", name);
        browser.type_into("#new-display", display);
        browser.type_into("#new-org", "Sở VHTTDL");
        browser.click(&format!(r#"#new-role option[value="{role}"]"#));
        browser.type_into("#new-password", PASSWORD);
        browser.click("#create-user button");
        browser.find(&format!(r#"#people li[data-user="{name}"]"#));
    }
    if let Some(axe) = &axe {
        audit(&browser, axe, &format!("{site}/admin"));
    }

    // The designer uploads three photos with the batch's caption, themes and audience; the
    // credit is theirs already. The licence is forgotten.
    browser.sign_in(&site, "thu", PASSWORD);
    browser.find("main h1");
    browser.go(&format!("{site}/upload"));
    assert_eq!(browser.property("#credit", "value"), "Phạm Thu / Sở VHTTDL");
    let paths: Vec<&str> = photos.iter().map(|p| p.to_str().unwrap()).collect();
    browser.type_into("#files", &paths.join("\n"));
    browser.type_into("#caption_vi", "Trảng cỏ Bù Lạch mùa khô");
    browser.type_into("#caption_en", "The Bù Lạch grassland in the dry season");
    browser.click(r#"input[name="themes"][value="tourism"]"#);
    browser.click(r#"input[name="audiences"][value="investors"]"#);
    // Each file in the queue shows itself, drawn by the browser before anything is sent.
    let drawn = browser.run_async(
        "const done = arguments[arguments.length - 1]; \
         Promise.all(Array.from(document.querySelectorAll('#queue img.queue-thumb')).map((i) => i.decode().then(() => i.naturalWidth > 0, () => false))) \
           .then((ok) => done(ok.filter(Boolean).length));",
    );
    assert_eq!(drawn, 3, "a thumbnail per queued photo");
    browser.click("#send");
    browser.find("#queue li.done:nth-child(3)");
    assert_eq!(browser.text("#summary"), "3 / 3");
    // Each draft can be sent for review from here, one by one or all at once.
    let offered = browser.run(
        "return [document.querySelectorAll('#queue li.done button.submit-one').length, document.getElementById('submit-all').hidden]",
        serde_json::json!([]),
    );
    assert_eq!(offered, serde_json::json!([3, false]));

    // Their work page says what is missing, in words; one bulk edit fixes all three.
    browser.go(&format!("{site}/mine"));
    let drafts = browser.text("#work-draft");
    assert!(drafts.contains("Chọn giấy phép sử dụng"), "{drafts}");
    assert!(!drafts.contains("license"), "no rule code: {drafts}");
    for n in 1..=3 {
        browser.click(&format!(
            "#work-draft li:nth-child({n}) input[type=checkbox]"
        ));
    }
    browser.click("details.bulk summary");
    browser.type_into("#bulk-license", "CC BY 4.0");
    browser.click("#bulk-form button");
    browser.find("main .notice");
    assert!(!browser.text("#work-draft").contains("Chọn giấy phép"));
    if let Some(axe) = &axe {
        audit(&browser, axe, &format!("{site}/mine"));
        audit(&browser, axe, &format!("{site}/upload"));
    }
    browser.go(&format!("{site}/mine"));
    for n in 1..=3 {
        browser.click("#work-draft form button");
        // The page after the submission, not the one it replaces.
        browser.find(&format!("#work-in_review li:nth-child({n})"));
    }
    browser.go(&format!("{site}/mine"));
    assert!(browser.text("#work-in_review").contains("(3)"));

    // The manager: two approved in one batch from the keyboard, one rejected with a reason.
    browser.sign_in(&site, "hoa", PASSWORD);
    browser.find("#detail");
    if let Some(axe) = &axe {
        audit(&browser, axe, &format!("{site}/review"));
    }
    browser.go(&format!("{site}/review"));
    browser.find("#detail");
    browser.keys("x");
    let picked = browser.run(
        "return document.querySelector('.tile.selected input').checked",
        serde_json::json!([]),
    );
    assert_eq!(picked, true, "x selects the picture shown");
    browser.keys("j");
    browser.find(".tile:nth-child(2).selected");
    browser.keys("xa");
    let notice = browser.text("#review-notice");
    assert!(notice.contains("Đã duyệt 2 ảnh"), "{notice}");
    assert_eq!(
        browser
            .run(
                "return document.querySelectorAll('.tile').length",
                serde_json::json!([])
            )
            .as_u64(),
        Some(1)
    );
    // Approving the last one for the public is refused (too small for the press): the page
    // says why in words, and the asset and the journal are byte for byte as before.
    let id = browser.run(
        "return document.getElementById('detail').dataset.id",
        serde_json::json!([]),
    );
    let fetch_asset = format!(
        "const done = arguments[arguments.length - 1];
         fetch('/api/assets/{}').then(r => r.text()).then(done);",
        id.as_str().unwrap()
    );
    let (before, before_journal) = (browser.run_async(&fetch_asset), fx.journal());
    browser.click(r#"#approve-form input[value="public"]"#);
    browser.click("#approve");
    let refused = browser.text("#review-refused");
    assert!(refused.contains("Ảnh quá nhỏ cho báo chí"), "{refused}");
    assert_eq!(
        browser.run_async(&fetch_asset),
        before,
        "the asset is unchanged"
    );
    assert_eq!(fx.journal(), before_journal, "no journal entry");
    browser.keys("r");
    let focused = browser.run("return document.activeElement.id", serde_json::json!([]));
    assert_eq!(focused, "reason", "r goes to the reason");
    browser.type_into(
        "#reason",
        "Ảnh bị nghiêng, hãy cân lại đường chân trời\u{E007}",
    );
    assert!(browser.text("#review-notice").contains("Đã từ chối 1 ảnh"));
    browser.find("#queue-empty");
    let manager_session = browser.cookie("bv_session");
    assert!(!manager_session.is_empty());

    // The designer reads why, edits, and submits again.
    browser.sign_in(&site, "thu", PASSWORD);
    browser.go(&format!("{site}/mine"));
    let rejected = browser.text("#work-rejected");
    assert!(rejected.contains("Ảnh bị nghiêng"), "{rejected}");
    browser.click("#work-rejected a.btn");
    browser.find("#edit-form");
    let edit_url = browser.run("return location.href", serde_json::json!([]));
    browser.type_into("#caption_vi", ", đã cân lại");
    browser.click("#edit-form button[type=submit]");
    browser.find("#saved");
    if let Some(axe) = &axe {
        audit(&browser, axe, edit_url.as_str().unwrap());
    }
    browser.go(&format!("{site}/mine"));
    browser.click("#work-draft form button");
    assert!(browser.text("#work-in_review").contains("đã cân lại"));
    let designer_session = browser.cookie("bv_session");

    // A restart: both still signed in.
    drop(server);
    let (_server, port) = fx.serve();
    let site = format!("http://127.0.0.1:{port}");
    browser.go(&format!("{site}/mine"));
    assert!(browser.text("main h1").contains("Việc của tôi"));
    for (session, who) in [(&manager_session, "hoa"), (&designer_session, "thu")] {
        let (status, body) = me(port, session);
        assert!(status.contains("200"), "{who}: {status}");
        assert!(body.contains(&format!("\"user\":\"{who}\"")), "{body}");
    }

    // Approved for staff only, they stay hidden from the public.
    browser.sign_out();
    browser.go(&format!("{site}/?spot=trang-co-bu-lach"));
    assert!(
        browser.text("#result-count").starts_with('0'),
        "staff-only pictures stay hidden"
    );
}

/// Fetches `url` in the browser's page (its cookies, same origin) and returns the status and
/// the body's bytes.
fn fetch(browser: &Browser, url: &str, init: &str) -> (u64, Vec<u8>) {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         fetch({url:?}, {init}).then(async r => done([r.status, Array.from(new Uint8Array(await r.arrayBuffer()))]))
           .catch(e => done([0, []]));"
    );
    let answer = browser.run_async(&script);
    let status = answer[0].as_u64().unwrap();
    let bytes = answer[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_u64().unwrap() as u8)
        .collect();
    (status, bytes)
}

/// A press officer gathers three published photos into a collection and makes a share link;
/// an anonymous browser opens it and downloads the ZIP (files, credits.csv and manifest.json
/// checked); a hidden draft added by id is refused; a picture withdrawn after sharing leaves
/// the link; the revoked link answers 404. Pages pass axe at both widths.
#[test]
fn a_press_officer_shares_a_collection() {
    if !tool("chromium", "chromium") || !tool("chromedriver", "chromium-driver") {
        return;
    }
    let axe = axe_source();
    let fx = Fixture::new();
    create_user(&fx, "lan", "press", "Nguyễn Lan", PASSWORD);
    let paths: Vec<_> = (0..4u32)
        .map(|n| {
            fx.write(
                &format!("Bù Lạch {n}.jpg"),
                &photo_at(11.8064 + f64::from(n) * 0.001, 107.3552, 40 + u64::from(n)),
            )
        })
        .collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let ids = common::ids(&fx.ingest(&refs, 0), "added");
    // The names in the ZIP: the collection's order, then the file's stem.
    let expected: Vec<String> = ids
        .iter()
        .take(3)
        .enumerate()
        .map(|(n, id)| {
            let name = fx.show(id)["names"][0].as_str().unwrap().replace(' ', "-");
            format!("{:03}-{name}", n + 1)
        })
        .collect();
    for (n, id) in ids.iter().take(3).enumerate() {
        let caption = format!("Trảng cỏ Bù Lạch, ảnh {}", n + 1);
        describe_and_submit(&fx, id, "public", &caption, &[]);
        fx.json(&["approve", id, "--override", "test fixture"], 0);
    }
    let draft = &ids[3];
    let manager = fx.token("brand_manager", "bm");
    let (_server, port) = fx.serve();
    let site = format!("http://127.0.0.1:{port}");
    let browser = Browser::start();

    // Three photos into a new collection, from their pages.
    browser.sign_in(&site, "lan", PASSWORD);
    for (n, id) in ids.iter().take(3).enumerate() {
        browser.go(&format!("{site}/assets/{id}"));
        if n == 0 {
            browser.type_into("#collect-new", "Bù Lạch cho báo Tuổi Trẻ");
        }
        browser.click("#collect-add");
        assert!(browser
            .text("#added-note")
            .contains("Bù Lạch cho báo Tuổi Trẻ"));
    }
    browser.click("#added-note a");
    browser.find("#collection-items");
    let collection_url = browser.run("return location.href", serde_json::json!([]));
    let collection_url = collection_url.as_str().unwrap().to_owned();
    let collection = collection_url.rsplit('/').next().unwrap().to_owned();
    let count = browser.run(
        "return document.querySelectorAll('#collection-items li').length",
        serde_json::json!([]),
    );
    assert_eq!(count, 3);

    // A hidden draft added by id: refused as not existing, nothing added.
    let csrf = browser.property("input[name=csrf]", "value");
    let init = format!(
        "{{method: 'POST', headers: {{'content-type': 'application/json', 'x-csrf-token': {csrf:?}}}, body: JSON.stringify({{asset: {draft:?}}})}}"
    );
    let (status, _) = fetch(
        &browser,
        &format!("/api/collections/{collection}/items"),
        &init,
    );
    assert_eq!(status, 404);

    // A share link: its row marked, its address ready to copy.
    browser.click("#make-link");
    let link = browser.property("#links .fresh .link-url", "value");
    assert!(link.starts_with(&format!("{site}/s/")), "{link}");
    if let Some(axe) = &axe {
        audit(&browser, axe, &collection_url);
    }

    // Anonymous: the page and the ZIP.
    browser.sign_out();
    browser.go(&link);
    assert_eq!(browser.text("#share-title"), "Bù Lạch cho báo Tuổi Trẻ");
    let shown = || {
        browser.run(
            "return document.querySelectorAll('#share-items li').length",
            serde_json::json!([]),
        )
    };
    assert_eq!(shown(), 3);
    assert!(browser.text("#share-items").contains("Phạm Thu, Sở VHTTDL"));
    // The photos are smaller than the press size: the size menu says so, not "full resolution".
    let menu = browser.text("#zip-preset");
    assert!(menu.contains("cỡ lớn nhất có"), "{menu}");
    let note = browser.text("#size-note");
    assert!(note.contains("3/3 ảnh nhỏ hơn chuẩn báo chí"), "{note}");
    let (status, bytes) = fetch(&browser, &format!("{link}/download.zip?preset=press"), "{}");
    assert_eq!(status, 200);
    let files = common::unzip(&bytes);
    let names: Vec<&String> = files.keys().collect();
    assert_eq!(names.len(), 5, "{names:?}");
    assert_eq!(names[..3], expected.iter().collect::<Vec<_>>()[..]);
    let (csv, manifest) = common::share_metadata(&files);
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.contains("Trảng cỏ Bù Lạch, ảnh 2"), "{csv}");
    assert_eq!(manifest["items"].as_array().unwrap().len(), 3);
    assert_eq!(manifest["items"][0]["license"], "CC BY 4.0");
    if let Some(axe) = &axe {
        audit(&browser, axe, &link);
    }

    // Withdrawn after sharing: gone from the link.
    let init = format!("{{method: 'POST', headers: {{'authorization': 'Bearer {manager}', 'content-type': 'application/json'}}, body: '{{}}'}}");
    let (status, _) = fetch(&browser, &format!("/api/assets/{}/archive", ids[1]), &init);
    assert_eq!(status, 200);
    browser.go(&link);
    browser.find("#share-items");
    assert_eq!(shown(), 2);

    // The owner sees its opens and downloads, and revokes it after a confirmation: 404.
    browser.sign_in(&site, "lan", PASSWORD);
    browser.go(&collection_url);
    assert_ne!(
        browser.text("#links [data-opens]"),
        "0",
        "the opens were counted"
    );
    browser.click("#links li[data-share] details.confirm summary");
    browser.click("#links li[data-share] details.confirm button");
    let said = browser.text("#notice");
    assert!(said.contains("Đã thu hồi liên kết"), "{said}");
    browser.sign_out();
    let (status, _) = fetch(&browser, &link, "{}");
    assert_eq!(status, 404);
}

/// A brand manager approves, from the keyboard, a batch of three pictures whose designers
/// asked for two different audiences: the panel shows what each asked for, the batch bar
/// keeps it by default, the page says how many went to which audience, and each picture is
/// published exactly as asked (the public ones reach an anonymous browser, the press one
/// does not).
#[test]
fn a_batch_is_approved_as_each_designer_asked() {
    if !tool("chromium", "chromium") || !tool("chromedriver", "chromium-driver") {
        return;
    }
    let fx = Fixture::new();
    create_user(&fx, "hoa", "brand_manager", "Nguyễn Hoa", PASSWORD);
    let asked = ["public", "press", "public"];
    let paths: Vec<_> = (0..3u32)
        .map(|n| {
            let fields = brandvault::media::exif::ExifFields {
                datetime_original: Some("2024-05-01T08:30:00".into()),
                ..Default::default()
            };
            fx.write(
                &format!("Đồi chè {n}.jpg"),
                &common::photo(2400, 1600, 60 + u64::from(n), &fields),
            )
        })
        .collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let ids = common::ids(&fx.ingest(&refs, 0), "added");
    for (id, access) in ids.iter().zip(asked) {
        let caption = format!("Đồi chè, ảnh dành cho {access}");
        describe_and_submit(&fx, id, access, &caption, &["tourism", "investors"]);
    }
    let (_server, port) = fx.serve();
    let site = format!("http://127.0.0.1:{port}");
    let browser = Browser::start();

    browser.sign_in(&site, "hoa", PASSWORD);
    browser.go(&format!("{site}/review"));
    browser.find("#detail");
    // The panel offers what the designer of the picture shown asked for.
    let shown = browser.run(
        "return document.getElementById('detail').dataset.id",
        serde_json::json!([]),
    );
    let shown_asked = asked[ids.iter().position(|id| shown == id.as_str()).unwrap()];
    assert_eq!(
        browser.property("#approve-form input[name=access]:checked", "value"),
        shown_asked
    );
    assert_eq!(
        browser.property("#batch-access", "value"),
        "",
        "the batch keeps what each designer asked for"
    );
    browser.keys("x");
    for n in 2..=3 {
        browser.keys("j");
        browser.find(&format!(".tile:nth-child({n}).selected"));
        browser.keys("x");
    }
    let selected = browser.run(
        "return document.querySelectorAll('.tile input:checked').length",
        serde_json::json!([]),
    );
    assert_eq!(selected, 3);
    browser.keys("a");
    let notice = browser.text("#review-notice");
    assert!(notice.contains("Đã duyệt 3 ảnh"), "{notice}");
    assert!(notice.contains("2 Công khai"), "{notice}");
    assert!(notice.contains("1 Báo chí"), "{notice}");
    browser.find("#queue-empty");
    for (id, access) in ids.iter().zip(asked) {
        let asset = fx.show(id);
        assert_eq!(asset["status"], "approved", "{id}");
        assert_eq!(asset["access"], access, "{id} is published as asked");
    }

    // Anonymous: the public pictures are there, the press one is not.
    browser.sign_out();
    for (id, access) in ids.iter().zip(asked) {
        let (status, _) = fetch(&browser, &format!("/a/{id}/thumb"), "{}");
        let expected = if access == "public" { 200 } else { 404 };
        assert_eq!(status, expected, "{id} ({access})");
    }
}
