//! The upload page: many files dropped at once, the batch's caption, credit (the person's own
//! by default), licence, themes, audiences, tags, consent and audience, with a caption per file
//! if wanted; each file is sent to `POST /api/assets` with those fields, and its progress and
//! result shown in the page's language. Slogans come as text files or typed in.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::desk_or_return;
use super::edit::Fields;
use crate::http::portal::{respond, Chrome};
use crate::http::{ApiError, State};
use crate::model::Role;

/// The error codes an upload may answer, each explained on the page.
pub(crate) const UPLOAD_CODES: [&str; 15] = [
    "unknown-spot",
    "unsupported-type",
    "too-large",
    "empty-file",
    "truncated-image",
    "undecodable-image",
    "undecodable-video",
    "zero-duration",
    "upload-failed",
    "bad-field",
    "forbidden",
    "csrf-failed",
    "disk-full",
    "received",
    "other",
];

#[derive(Template)]
#[template(path = "desk/upload.html")]
struct UploadPage {
    chrome: Chrome,
    csrf: String,
    fields: Fields,
    /// (code, explanation) for the script.
    codes: Vec<(&'static str, &'static str)>,
}

/// GET /upload
pub async fn upload_page(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let desk = desk_or_return!(state, req, Role::edits);
    let lang = desk.lang;
    let title = desk.chrome.t("upload.title");
    let page = UploadPage {
        csrf: desk.session.csrf.clone(),
        fields: Fields::blank(lang, &state.brand, &desk.session.credit),
        codes: UPLOAD_CODES
            .iter()
            .map(|c| (*c, lang.t(&format!("upload.code.{c}"))))
            .collect(),
        chrome: desk.chrome.titled(title, "upload"),
    };
    respond(&req, actix_web::http::StatusCode::OK, &page)
}

/// GET /static/upload.js: the upload page's script (a file: the pages' CSP forbids inline
/// scripts).
pub async fn upload_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(include_str!("../../../web/static/upload.js"))
}

/// GET /static/review.js: the review desk's keyboard.
pub async fn review_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(include_str!("../../../web/static/review.js"))
}
