//! In Chromium at a phone's width (390 px), against the real `serve`: a designer uploads a
//! photo and sends it for review from the upload queue; the reviewer, one picture at a time,
//! rejects it asking for a larger file; the designer uploads a new version from their work;
//! the reviewer approves it; the picture's stable address serves the new, larger file.
//! axe-core checks the pages on the way.

mod common;

use common::axe::{audit, axe_source};
use common::webdriver::Browser;
use common::{tool, Fixture};

const PASSWORD: &str = "một mật khẩu đủ dài";

fn create_user(fx: &Fixture, name: &str, role: &str, display: &str) {
    let args = [
        "user",
        "create",
        name,
        "--role",
        role,
        "--display-name",
        display,
    ];
    let out = fx.run_with_input(&args, &format!("{PASSWORD}\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether the element `css` is laid out (not `display: none`).
fn shown(browser: &Browser, css: &str) -> bool {
    let script = "const e = document.querySelector(arguments[0]); return !!e && getComputedStyle(e).display !== 'none';";
    browser.run(script, serde_json::json!([css])) == serde_json::json!(true)
}

/// The width of the picture `/a/{id}/preview` leads to, as the browser decodes it.
fn preview_width(browser: &Browser, id: &str) -> u64 {
    let script = format!(
        "const done = arguments[arguments.length - 1]; const i = new Image(); \
         i.src = '/a/{id}/preview?' + Date.now(); i.decode().then(() => done(i.naturalWidth), () => done(0));"
    );
    browser.run_async(&script).as_u64().unwrap_or(0)
}

#[test]
fn a_rejected_photo_gets_a_larger_file_on_a_phone() {
    if !tool("chromium", "chromium") || !tool("chromedriver", "chromium-driver") {
        return;
    }
    let axe = axe_source();
    let fx = Fixture::new();
    create_user(&fx, "thu", "designer", "Phạm Thu");
    create_user(&fx, "hoa", "brand_manager", "Nguyễn Hoa");
    let small = fx.write(
        "Thác Mơ.jpg",
        &common::photo(480, 320, 31, &Default::default()),
    );
    let large = fx.write(
        "Thác Mơ gốc.jpg",
        &common::photo(1800, 1200, 32, &Default::default()),
    );
    let other = fx.write(
        "Hồ Suối Lam.jpg",
        &common::photo(640, 427, 33, &Default::default()),
    );
    let (_server, port) = fx.serve();
    let site = format!("http://127.0.0.1:{port}");
    let browser = Browser::start();
    browser.resize(390, 844);

    // The designer uploads the small photo and sends it for review from the queue.
    browser.sign_in(&site, "thu", PASSWORD);
    browser.go(&format!("{site}/upload"));
    browser.type_into("#files", small.to_str().unwrap());
    browser.type_into("#caption_vi", "Thác Mơ mùa nước lớn");
    browser.click("#send");
    browser.find("#queue li.done");
    let id = browser.run(
        "return document.querySelector('#queue li.done a').getAttribute('href').split('/').pop()",
        serde_json::json!([]),
    );
    let id = id.as_str().unwrap().to_owned();
    browser.click("#queue li.done button.submit-one");
    let said = browser.text("#queue li.done .submitted");
    assert!(said.contains("Đã gửi duyệt"), "{said}");
    // A second photo, so the reviewer has a neighbour to swipe to.
    browser.go(&format!("{site}/upload"));
    browser.type_into("#files", other.to_str().unwrap());
    browser.type_into("#caption_vi", "Hồ Suối Lam buổi sáng");
    browser.click("#send");
    browser.click("#queue li.done button.submit-one");
    browser.text("#queue li.done .submitted");

    // The reviewer, on the phone: the list alone, then one picture alone near the top.
    browser.sign_in(&site, "hoa", PASSWORD);
    browser.go(&format!("{site}/review"));
    browser.find("#queue");
    assert!(
        !shown(&browser, "#detail"),
        "the list first, not every tile above a panel"
    );
    if let Some(axe) = &axe {
        audit(&browser, axe, &format!("{site}/review"));
        // The audit looks at both widths and leaves the window wide: a phone again.
        browser.resize(390, 844);
        browser.go(&format!("{site}/review"));
    }
    browser.click(&format!(r#".tile[data-id="{id}"] a"#));
    browser.find(".review-layout.focused #detail");
    assert!(!shown(&browser, ".review-queue"), "one picture alone");
    let top = browser.run(
        "return Math.round(document.getElementById('reject').getBoundingClientRect().top + window.scrollY)",
        serde_json::json!([]),
    );
    assert!(
        top.as_i64().unwrap() < 2000,
        "the decision is within reach: {top}"
    );
    assert!(shown(&browser, ".back-to-list"));
    // A swipe across the picture moves to its neighbour, and back.
    let neighbour = |key: &str| {
        let href = browser.run(
            &format!("return document.getElementById('detail').dataset.{key} || ''"),
            serde_json::json!([]),
        );
        href.as_str().unwrap_or_default().to_owned()
    };
    let (next, previous) = (neighbour("next"), neighbour("previous"));
    let (href, dx) = if next.is_empty() {
        (previous, 200)
    } else {
        (next, -200)
    };
    assert!(!href.is_empty(), "two pictures in review, one neighbour");
    browser.swipe("#detail", dx);
    let item = |h: &str| {
        let after = h.split("item=").nth(1).unwrap_or_default();
        after.split('#').next().unwrap_or_default().to_owned()
    };
    browser.find(&format!(r#"#detail[data-id="{}"]"#, item(&href)));
    browser.swipe("#detail", -dx);
    browser.find(&format!(r#"#detail[data-id="{id}"]"#));
    if let Some(axe) = &axe {
        audit(&browser, axe, &format!("{site}/review?item={id}"));
        browser.resize(390, 844);
        browser.go(&format!("{site}/review?item={id}"));
    }
    browser.type_into("#reason", "Cần ảnh gốc lớn hơn để in báo");
    browser.click("#reject");
    browser.find("#review-notice");
    let before = preview_width(&browser, &id);
    assert!(before > 0 && before <= 480, "{before}");

    // The designer reads why in their work and uploads a new version.
    browser.sign_in(&site, "thu", PASSWORD);
    browser.go(&format!("{site}/mine"));
    let work = browser.text("#work-rejected");
    assert!(work.contains("Cần ảnh gốc lớn hơn"), "{work}");
    browser.click(&format!(
        r##"#work-rejected a[href="/assets/{id}/edit#new-version"]"##
    ));
    browser.type_into("#version-file", large.to_str().unwrap());
    browser.type_into("#version-reason", "ảnh gốc lớn hơn");
    browser.click("#version-upload");
    let said = browser.text("#version-notice");
    assert!(said.contains("Đã tải phiên bản mới"), "{said}");
    if let Some(axe) = &axe {
        audit(&browser, axe, &format!("{site}/assets/{id}/edit"));
        browser.resize(390, 844);
    }

    // Back in review with its new file; approved on the phone; the address serves it.
    browser.sign_in(&site, "hoa", PASSWORD);
    browser.go(&format!("{site}/review?item={id}"));
    browser.find(".review-layout.focused #detail");
    browser.type_into("#override", "Ảnh của Sở, chú thích bổ sung sau");
    browser.click("#approve");
    browser.find("#review-notice");
    let after = preview_width(&browser, &id);
    assert!(after > before, "the new, larger file: {after} > {before}");
    let asset = fx.show(&id);
    assert_eq!(asset["status"], "approved");
    assert_eq!(asset["width"], 1800);
    assert_eq!(asset["versions"][0]["state"], "current");
    assert_eq!(asset["versions"][0]["created_by"], "thu");
}
