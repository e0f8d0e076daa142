//! A small W3C WebDriver client for the end-to-end tests: chromedriver started on a free
//! port, one headless Chromium session, the commands the tests use.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use super::{free_port, wait_for_line, Guard};

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

/// A WebDriver session, with the chromedriver it runs in (stopped with it).
pub struct Browser {
    port: u16,
    session: String,
    _driver: Guard,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session in it.
    pub fn start() -> Self {
        let port = free_port();
        let mut driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("start chromedriver");
        let out = driver.stdout.take().unwrap();
        let driver = Guard(driver);
        wait_for_line(out, "started successfully");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=vi",
                         "--disable-background-networking", "--disable-component-update", "--no-first-run", "--window-size=1366,900"]
            }
        }}});
        let reply = http(port, "POST", "/session", Some(&caps));
        let session = reply["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"))
            .to_owned();
        let browser = Self {
            port,
            session,
            _driver: driver,
        };
        // Elements are waited for by the driver, up to 15 s.
        browser.cmd("POST", "/timeouts", json!({"implicit": 15000}));
        browser
    }

    pub fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
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

    pub fn go(&self, url: &str) {
        self.cmd("POST", "/url", json!({ "url": url }));
    }

    pub fn find(&self, css: &str) -> String {
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

    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        );
    }

    pub fn click(&self, css: &str) {
        let id = self.find(css);
        self.cmd("POST", &format!("/element/{id}/click"), json!({}));
    }

    /// The visible text of the element `css` selects, once it exists (read by script: no
    /// element reference to go stale while a page replaces another).
    pub fn text(&self, css: &str) -> String {
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

    /// The text of the element `css` selects once it reads `expected` (a page's answer to a
    /// click may come after a promise): watched for, not slept on; the script's timeout ends
    /// a wait that never comes, and what the element then reads is returned.
    pub fn text_once(&self, css: &str, expected: &str) -> String {
        self.find(css);
        self.cmd(
            "POST",
            "/execute/async",
            json!({"script": "const [css, want, done] = arguments;
                const el = document.querySelector(css);
                const now = () => el.innerText;
                if (now() === want) return done(now());
                const seen = new MutationObserver(() => {
                    if (now() === want) { seen.disconnect(); done(now()); }
                });
                seen.observe(el, {childList: true, characterData: true, subtree: true});
                setTimeout(() => { seen.disconnect(); done(now()); }, 5000);",
                "args": [css, expected]}),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    pub fn property(&self, css: &str, name: &str) -> String {
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

    pub fn run_async(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/async",
            json!({"script": script, "args": []}),
        )
    }

    /// Presses each key of `keys` on the page (as a person at the keyboard would).
    pub fn keys(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|c| {
                [
                    json!({"type": "keyDown", "value": c.to_string()}),
                    json!({"type": "keyUp", "value": c.to_string()}),
                ]
            })
            .collect();
        self.cmd(
            "POST",
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        );
        self.cmd("DELETE", "/actions", json!({}));
    }

    /// The value of the cookie `name` (HttpOnly cookies included: the driver sees them).
    pub fn cookie(&self, name: &str) -> String {
        self.cmd("GET", &format!("/cookie/{name}"), json!({}))["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn sign_out(&self) {
        self.cmd("DELETE", "/cookie", json!({}));
    }

    /// Signs in on the site's own form, as `user`; returns once the header names them.
    pub fn sign_in(&self, site: &str, user: &str, password: &str) {
        self.sign_out();
        self.go(&format!("{site}/login"));
        self.type_into("#user", user);
        self.type_into("#password", password);
        self.click("main form button");
        // Signed in once the header's account link is no longer the sign-in page's own.
        self.find(r#".site-tools a[href="/login"]:not([aria-current])"#);
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

impl Browser {
    /// Runs `script` (a function body; `arguments` are `args`) in the page.
    pub fn run(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": args}),
        )
    }

    /// Resizes the window (the viewport follows).
    pub fn resize(&self, width: u32, height: u32) {
        self.cmd(
            "POST",
            "/window/rect",
            json!({"width": width, "height": height}),
        );
    }

    /// A one-finger horizontal swipe of `dx` pixels across the middle of the element `css`,
    /// as a touch screen sends it (touchstart, touchmove, touchend).
    #[allow(dead_code)]
    pub fn swipe(&self, css: &str, dx: i64) {
        let middle = self.run(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect();\
             const y = Math.max(1, Math.min(r.top + r.height / 2, window.innerHeight - 1));\
             return [Math.round(r.left + r.width / 2), Math.round(y)];",
            json!([css]),
        );
        let (x, y) = (middle[0].as_i64().unwrap(), middle[1].as_i64().unwrap());
        let steps = json!([
            {"type": "pointerMove", "duration": 0, "origin": "viewport", "x": x - dx / 2, "y": y},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerMove", "duration": 250, "origin": "viewport", "x": x + dx / 2, "y": y},
            {"type": "pointerUp", "button": 0}
        ]);
        let finger = json!({"type": "pointer", "id": "finger",
            "parameters": {"pointerType": "touch"}, "actions": steps});
        self.cmd("POST", "/actions", json!({ "actions": [finger] }));
    }

    /// The page's source as the browser has it.
    pub fn source(&self) -> String {
        self.cmd("GET", "/source", json!({}))
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}
