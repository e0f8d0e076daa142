//! End to end in a real headless Chromium (Debian chromium + chromium-driver), driven over the
//! W3C WebDriver protocol by a small client written here: the real `brandvault serve` on a free
//! loopback port; a designer signs in, uploads a photo taken at Trảng cỏ Bù Lạch and submits
//! it; a brand manager approves it for the public from the review queue; the public finds it
//! through the spot filter, sees its name with its diacritics, and downloads the press rendition.
//! No sleeps: the server and the driver are awaited by reading their logs, page elements by
//! WebDriver's implicit wait.

mod common;

use common::webdriver::Browser;
use common::{photo_at, tool, Fixture};

#[test]
fn designer_uploads_manager_approves_public_finds_and_downloads() {
    if !tool("chromium", "chromium") || !tool("chromedriver", "chromium-driver") {
        return;
    }
    let fx = Fixture::new();
    let token = |role: &str, name: &str| {
        fx.json(&["token", "create", "--role", role, "--name", name], 0)["token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let designer = token("designer", "Thu");
    let manager = token("brand_manager", "Sở VHTTDL");
    let photo = fx.write(
        "Trảng cỏ Bù Lạch bình minh.jpg",
        &photo_at(11.8064, 107.3552, 5),
    );
    let (_server, port) = fx.serve();

    let site = format!("http://127.0.0.1:{port}");
    let browser = Browser::start();

    // The designer signs in, uploads, opens the new asset and submits it for review.
    browser.go(&format!("{site}/login"));
    browser.type_into(r#"input[name="token"]"#, &designer);
    browser.click("form button");
    browser.type_into("#files", photo.to_str().unwrap());
    let link = browser.property("#progress li.done a", "href");
    assert!(link.contains("/assets/"), "{link}");
    browser.go(&link);
    browser.click("#submit-for-review");
    browser.find(r#"#status[data-status="in_review"]"#);
    browser.sign_out();

    // The brand manager approves it for the public, overriding the missing credit and tags.
    browser.go(&format!("{site}/login"));
    browser.type_into(r#"input[name="token"]"#, &manager);
    browser.click("form button");
    // The queue, once it has replaced the login page.
    let queue = browser.text(r#"section:has(input[value="approve"])"#);
    assert!(queue.contains("Trảng cỏ Bù Lạch bình minh.jpg"), "{queue}");
    assert!(
        queue.contains("rights-credit-missing"),
        "violations are listed: {queue}"
    );
    browser.type_into(r#"input[name="override"]"#, "Ảnh kiểm tra tự động");
    browser.click(r#"input[value="approve"] ~ button"#);
    assert!(browser
        .text("#queue-empty")
        .contains("Không có gì chờ duyệt"));
    browser.sign_out();

    // The public filters by the spot and finds it, with its Vietnamese name intact.
    browser.go(&format!("{site}/"));
    browser.click(r#"select[name="spot"] option[value="trang-co-bu-lach"]"#);
    browser.click("main form button");
    browser.find(r#"option[value="trang-co-bu-lach"][selected]"#);
    browser.click(".grid a.card");
    browser.find(r#"a[href*="preset=press"]"#);
    // No caption yet: the title is the file name without its extension.
    let title = browser.text("h1");
    assert_eq!(title, "Trảng cỏ Bù Lạch bình minh");
    assert!(
        browser.text("main").contains("Trảng cỏ Bù Lạch"),
        "the spot's name"
    );

    // The press rendition downloads, named after the asset in UTF-8.
    let press = browser.property(r#"a[href*="preset=press"]"#, "href");
    let got = browser.run_async(&format!(
        "const done = arguments[arguments.length - 1];
         fetch({press:?}).then(async r => done([r.status, r.headers.get('content-type'),
             r.headers.get('content-disposition'), (await r.arrayBuffer()).byteLength]));"
    ));
    assert_eq!(got[0], 200, "{got}");
    assert_eq!(got[1], "image/jpeg");
    let disposition = got[2].as_str().unwrap();
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    assert!(got[3].as_u64().unwrap() > 1000);
}
