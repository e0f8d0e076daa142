//! The desk's pages (sign-in, upload, review) inside the portal's layout, until they get
//! templates of their own (the desk issue): they still build their body as escaped HTML text.

use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::Chrome;
use crate::http::AppState;
use crate::model::{Asset, Viewer};

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage<'a> {
    chrome: Chrome,
    /// Already escaped by the desk's code.
    body: &'a str,
}

/// A phrase in the page's language.
pub fn t<'a>(en: bool, vi: &'a str, english: &'a str) -> &'a str {
    if en {
        english
    } else {
        vi
    }
}

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn thumb(a: &Asset) -> Option<&str> {
    ["thumb", "logo-256", "preview"]
        .iter()
        .find_map(|p| a.renditions.iter().find(|r| r.preset == *p))
        .map(|r| r.url.as_str())
}

/// A desk page: `body` (escaped HTML) in the layout, the menu for the signed-in person.
pub fn layout(state: &AppState, req: &HttpRequest, title: &str, body: &str) -> HttpResponse {
    let viewer = state.sessions.of(req).map(|s| Viewer {
        actor: Some(s.actor),
        now: String::new(),
    });
    let section = match req.path() {
        "/upload" => "upload",
        "/review" => "review",
        _ => "login",
    };
    let page = DeskPage {
        chrome: Chrome::new(state, req, viewer.as_ref()).titled(title, section),
        body,
    };
    super::ok(req, &page).unwrap_or_else(|e| actix_web::ResponseError::error_response(&e))
}
