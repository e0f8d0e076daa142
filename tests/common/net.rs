//! Talking to a real `brandvault serve` over a plain socket, as a client from outside would:
//! uploads, GETs, listings followed page by page; and the child processes behind it (killed
//! when a test ends, their logs waited on).

use std::io::{BufRead, Read};

use serde_json::Value;

use super::service;

/// POSTs a multipart upload to the real service; returns the status and the body.
pub fn post_photo(port: u16, token: &str, name: &str, bytes: &[u8]) -> (u16, String) {
    try_post_photo(port, token, name, bytes).expect("the service answers")
}

/// `post_photo`, or an error when the service is gone (killed mid-request).
pub fn try_post_photo(
    port: u16,
    token: &str,
    name: &str,
    bytes: &[u8],
) -> std::io::Result<(u16, String)> {
    let (ct, body) = service::multipart(name, bytes);
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
    write!(
        s,
        "POST /api/assets HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    s.write_all(&body)?;
    let mut response = Vec::new();
    s.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    Ok((status, body))
}

/// Sends a whole HTTP/1.1 request over a plain socket to the real service and reads the
/// answer to its end: (status, head, body).
pub fn exchange(port: u16, request: &[u8]) -> (u16, String, Vec<u8>) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(request).unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head, answer[split + 4..].to_vec())
}

/// A GET over a plain socket to the real service; returns the status code.
pub fn http_status(port: u16, path: &str, token: &str) -> u16 {
    http_get(port, path, Some(token)).0
}

/// A GET, with a bearer token or as the public, over a plain socket to the real service:
/// (status, body).
pub fn http_get(port: u16, path: &str, token: Option<&str>) -> (u16, String) {
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Connection: close\r\n\r\n");
    let (status, _, body) = exchange(port, request.as_bytes());
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Every item GET /api/assets lists for `query` (`&name=value…`) as `token` (or the public)
/// sees it, following `next_cursor` page by page, each page at most `limit`.
pub fn api_pages(port: u16, query: &str, token: Option<&str>, limit: usize) -> Vec<Value> {
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/api/assets?limit={limit}{query}{cursor}");
        let (code, body) = http_get(port, &path, token);
        assert_eq!(code, 200, "{path}: {body}");
        let page: Value = serde_json::from_str(&body).unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit, "{path}");
        seen.extend(items.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return seen,
        }
    }
}

/// The `id` of each item.
pub fn item_ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A child process killed when the test ends, however it ends.
pub struct Guard(pub std::process::Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Reads `pipe` line by line until one contains `needle` (the process is ready); the rest of
/// the output is drained on a thread so the process never blocks on a full pipe.
pub fn wait_for_line(pipe: impl std::io::Read + Send + 'static, needle: &str) {
    let mut lines = std::io::BufReader::new(pipe).lines();
    for line in lines.by_ref() {
        let line = line.expect("read the log");
        if line.contains(needle) {
            std::thread::spawn(move || lines.for_each(drop));
            return;
        }
    }
    panic!("the process ended before printing {needle:?}");
}

/// The next log line holding `needle` (earlier ones are passed over); fails if the process
/// ends first or says nothing for two minutes.
pub fn expect_line(lines: &std::sync::mpsc::Receiver<String>, needle: &str) -> String {
    loop {
        match lines.recv_timeout(std::time::Duration::from_secs(120)) {
            Ok(line) if line.contains(needle) => return line,
            Ok(_) => {}
            Err(e) => panic!("no log line with {needle:?}: {e}"),
        }
    }
}
