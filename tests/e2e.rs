//! End to end in a real headless Chromium (Debian chromium + chromium-driver), driven over the
//! W3C WebDriver protocol by a small client written here: the real `brandvault serve` on a free
//! loopback port; a designer signs in, uploads a photo taken at Trảng cỏ Bù Lạch and submits
//! it; a brand manager approves it for the public from the review queue; the public finds it
//! through the spot filter, sees its name with its diacritics, and downloads the press rendition.
//! No sleeps: the server and the driver are awaited by reading their logs, page elements by
//! WebDriver's implicit wait.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use common::{free_port, photo_at, tool, wait_for_line, Fixture, Guard};
use serde_json::{json, Value};

/// One HTTP/1.1 exchange with JSON bodies, enough for WebDriver.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    // A driver that stops answering fails the test instead of hanging it.
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let payload = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    )
    .unwrap();
    // chromedriver keeps the connection open: read the head, then exactly Content-Length bytes.
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("a response line");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().expect("a length");
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("the response body");
    serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&body)))
}

/// A WebDriver session.
struct Browser {
    port: u16,
    session: String,
}

impl Browser {
    fn start(port: u16) -> Self {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=vi"]
            }
        }}});
        let reply = http(port, "POST", "/session", Some(&caps));
        let session = reply["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"))
            .to_owned();
        let browser = Self { port, session };
        // Elements are waited for by the driver, up to 15 s.
        browser.cmd("POST", "/timeouts", json!({"implicit": 15000}));
        browser
    }

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        eprintln!("webdriver: {method} {path}");
        let body = (method == "POST").then_some(body);
        let reply = http(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        );
        if let Some(error) = reply["value"]["error"].as_str() {
            // What the browser shows makes the failure readable.
            let page = http(
                self.port,
                "GET",
                &format!("/session/{}/source", self.session),
                None,
            );
            panic!(
                "WebDriver {method} {path}: {error}: {}\npage: {}",
                reply["value"]["message"], page["value"]
            );
        }
        reply["value"].clone()
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", json!({ "url": url }));
    }

    fn find(&self, css: &str) -> String {
        let element = self.cmd(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        element
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_owned()
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        );
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.cmd("POST", &format!("/element/{id}/click"), json!({}));
    }

    /// The visible text of the element `css` selects, once it exists (read by script: no
    /// element reference to go stale while a page replaces another).
    fn text(&self, css: &str) -> String {
        self.find(css);
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": "return document.querySelector(arguments[0]).innerText", "args": [css]}),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    fn property(&self, css: &str, name: &str) -> String {
        self.find(css);
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": "return document.querySelector(arguments[0])[arguments[1]]", "args": [css, name]}),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    fn run_async(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/async",
            json!({"script": script, "args": []}),
        )
    }

    fn sign_out(&self) {
        self.cmd("DELETE", "/cookie", json!({}));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
    }
}

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

    let driver_port = free_port();
    let mut driver = Command::new("chromedriver")
        .arg(format!("--port={driver_port}"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("start chromedriver");
    let out = driver.stdout.take().unwrap();
    let _driver = Guard(driver);
    wait_for_line(out, "started successfully");

    let site = format!("http://127.0.0.1:{port}");
    let browser = Browser::start(driver_port);

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
