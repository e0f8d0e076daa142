//! Errors of the pages as pages: in the reader's language, with a way back, never JSON to a
//! browser. The API keeps its JSON (docs/contract.md, Errors); a page route answers JSON only to a client
//! that does not accept HTML.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::{respond, Chrome};
use crate::http::{AppState, State};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    status: u16,
    heading: &'static str,
    text: String,
    retry: bool,
}

/// Whether the client reads HTML (a browser), rather than JSON (a program).
pub fn accepts_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

/// The error page for `status`. The stable error code is not shown: it is English, and a
/// person needs what to do next, not the code.
pub fn error_page(state: &AppState, req: &HttpRequest, status: StatusCode) -> HttpResponse {
    let chrome = Chrome::new(state, req, None);
    let lang = chrome.lang;
    let key = |prefix: &str| format!("{prefix}.{}", status.as_u16());
    // A status without words of its own reads as its class.
    let class = if status.is_server_error() { 500 } else { 400 };
    let heading = lang
        .lookup(&key("error.title"))
        .unwrap_or_else(|| lang.t(&format!("error.title.{class}")));
    let text = lang
        .lookup(&key("error.text"))
        .unwrap_or_else(|| lang.t(&format!("error.text.{class}")))
        .to_owned();
    let page = ErrorPage {
        status: status.as_u16(),
        heading,
        text,
        retry: status.is_server_error(),
        chrome: chrome.titled(heading, ""),
    };
    respond(req, status, &page).unwrap_or_else(|_| HttpResponse::build(status).finish())
}

/// 404 for a page route: a page for browsers, the API's JSON for programs.
pub fn not_found_response(req: &HttpRequest) -> HttpResponse {
    match req.app_data::<State>() {
        Some(state) if accepts_html(req) => error_page(state, req, StatusCode::NOT_FOUND),
        _ => actix_web::ResponseError::error_response(&crate::http::ApiError::not_found()),
    }
}

/// The default service: an address the service does not have.
pub async fn not_found_page(req: HttpRequest) -> HttpResponse {
    not_found_response(&req)
}

/// Middleware of the page routes: an error answered as JSON (by an extractor, the shared
/// access checks, a refused step) becomes the error page when the client reads HTML. Headers
/// that matter to the client (Retry-After, WWW-Authenticate, Allow) are kept.
pub async fn html_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error())
        || !is_json
        || !accepts_html(res.request())
    {
        return Ok(res);
    }
    let Some(state) = res.request().app_data::<State>().cloned() else {
        return Ok(res);
    };
    let (req, res) = res.into_parts();
    let kept: Vec<_> = [header::RETRY_AFTER, header::WWW_AUTHENTICATE, header::ALLOW]
        .into_iter()
        .filter_map(|h| Some((h.clone(), res.headers().get(&h)?.clone())))
        .collect();
    let mut page = error_page(&state, &req, status);
    for (name, value) in kept {
        page.headers_mut().insert(name, value);
    }
    Ok(ServiceResponse::new(req, page))
}
