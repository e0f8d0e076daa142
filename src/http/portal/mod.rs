//! The portal: the pages press officers, agencies and the public read. Askama templates in
//! `web/templates` (checked at compile time, HTML-escaped by default), one layout, one
//! stylesheet built from the brand's palette, the brand typeface served from here, no inline
//! scripts, every string from `web/messages.toml` in the reader's language.

mod asset;
pub(crate) mod brand;
pub mod cards;
mod catalogue;
mod errors;
pub(crate) mod history;
pub use crate::i18n;
mod labels;
mod map;
pub(super) mod oembed;
pub(crate) mod player;
mod spots;
mod statics;

use actix_web::http::header;
use actix_web::HttpMessage;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

pub use asset::asset;
pub use asset::public_base;
pub use brand::{brand, brand_book, brand_file, brand_files};
pub use catalogue::catalogue;
pub use errors::{error_page, html_errors, not_found_page};
pub use i18n::Lang;
pub use labels::{
    below_press_size, credit_line, preset_label, short_of_press_size, truthful_label,
};
pub use map::MiniMap;
pub use oembed::oembed;
pub use player::player;
pub use spots::spots;
pub use statics::{font, mark, player_script, script, stylesheet, StaticFiles};

use super::{ApiError, AppState};
use crate::model::Viewer;

/// The cookie that keeps the reader's language across links.
const LANG_COOKIE: &str = "bv_lang";

/// What the layout shows around every page: the site's name, the menu for this reader, the
/// language switch.
pub struct Chrome {
    pub lang: Lang,
    /// The page's own title (the `<title>` is "title · site").
    pub title: String,
    pub site: String,
    /// The menu entry of this page: `library`, `map`, `brand`, `upload`, `mine`, `review`,
    /// `people`, `login`.
    pub section: &'static str,
    /// Staff entries: shown only to those who may use them.
    pub can_upload: bool,
    pub can_review: bool,
    pub can_admin: bool,
    /// The signed-in person's name, if any.
    pub signed_in: Option<String>,
    /// This page in the other language.
    pub switch_href: String,
    pub stylesheet: String,
    pub script: String,
}

impl Chrome {
    pub fn new(state: &AppState, req: &HttpRequest, viewer: Option<&Viewer>) -> Self {
        let lang = language(req).0;
        let actor = viewer.and_then(|v| v.actor.as_ref());
        let site = state.brand.guidelines.as_ref().map_or_else(
            || "brandvault".to_owned(),
            |g| lang.pick(&g.names.vi, &g.names.en).to_owned(),
        );
        Chrome {
            lang,
            title: String::new(),
            site,
            section: "",
            can_upload: actor.is_some_and(|a| a.role.edits()),
            can_review: actor.is_some_and(|a| a.role.reviews()),
            can_admin: actor.is_some_and(|a| a.role == crate::model::Role::Admin),
            signed_in: actor.map(|a| {
                let shown = req
                    .extensions()
                    .get::<super::session::DisplayName>()
                    .cloned();
                shown
                    .map(|d| d.0)
                    .filter(|d| !d.trim().is_empty())
                    .unwrap_or_else(|| a.name.clone())
            }),
            switch_href: with_lang(req, lang.other()),
            stylesheet: state.statics.css_url.clone(),
            script: state.statics.script_url.clone(),
        }
    }

    pub fn titled(mut self, title: impl Into<String>, section: &'static str) -> Self {
        self.title = title.into();
        self.section = section;
        self
    }

    /// The phrase `key` in the page's language.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        self.lang.fill(key, values)
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
}

/// The reader's language: `?lang=` if given (and then remembered by a cookie), else the
/// cookie, else Vietnamese. The flag says whether the cookie must be (re)set.
pub fn language(req: &HttpRequest) -> (Lang, bool) {
    let asked = query_value(req.query_string(), "lang").and_then(|l| Lang::parse(&l));
    let remembered = req.cookie(LANG_COOKIE).and_then(|c| Lang::parse(c.value()));
    match asked {
        Some(l) => (l, remembered != Some(l)),
        None => (remembered.unwrap_or_default(), false),
    }
}

/// One value of a query string, percent-decoded.
pub fn query_value(query: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// `target` when a browser would read it as a path on this site, never another host: it
/// starts with one `/`, and holds no backslash (browsers read it as `/`), no tab, line break
/// or other control character (browsers drop them, so `/\t/evil.example` is `//evil.example`)
/// and no encoded slash or backslash.
pub fn same_site(target: &str) -> Option<&str> {
    let lower = target.to_ascii_lowercase();
    let safe = target.starts_with('/')
        && !target.starts_with("//")
        && !target.chars().any(|c| c == '\\' || c.is_control())
        && !["%2f", "%5c", "%09", "%0a", "%0d"]
            .iter()
            .any(|e| lower.contains(e));
    safe.then_some(target)
}

/// This request's address with `lang` set to `lang` (other parameters kept); the home page
/// for an address that would not read as a path of this site.
fn with_lang(req: &HttpRequest, lang: Lang) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.retain(|(k, _)| k != "lang");
    pairs.push(("lang".into(), lang.code().into()));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{}?{query}", same_site(req.path()).unwrap_or("/"))
}

/// Pages may load only this site's own styles, scripts, fonts and images; no page is framed
/// elsewhere (the embeds are images, not frames). `blob:` pictures are the upload queue's
/// thumbnails, drawn by the page's own script from files the person chose (nothing remote).
const CSP: &str =
    "default-src 'none'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; \
                   font-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; \
                   base-uri 'none'; \
                   frame-ancestors 'self'";

/// A rendered page with this status, the language cookie set when the reader chose one.
pub fn respond(
    req: &HttpRequest,
    status: actix_web::http::StatusCode,
    page: &impl Template,
) -> Result<HttpResponse, ApiError> {
    let html = page.render().map_err(ApiError::internal)?;
    let mut resp = HttpResponse::build(status);
    resp.content_type("text/html; charset=utf-8")
        .insert_header(("content-security-policy", CSP))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("referrer-policy", "same-origin"))
        .insert_header((header::VARY, "Cookie"))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"));
    let (lang, set) = language(req);
    if set {
        resp.cookie(
            actix_web::cookie::Cookie::build(LANG_COOKIE, lang.code())
                .path("/")
                .max_age(actix_web::cookie::time::Duration::days(365))
                .same_site(actix_web::cookie::SameSite::Lax)
                .finish(),
        );
    }
    Ok(resp.body(html))
}

/// A rendered page answering 200.
pub fn ok(req: &HttpRequest, page: &impl Template) -> Result<HttpResponse, ApiError> {
    respond(req, actix_web::http::StatusCode::OK, page)
}

#[cfg(test)]
mod tests {
    use super::same_site;

    #[test]
    fn only_paths_of_this_site_are_redirect_targets() {
        for ok in [
            "/mine",
            "/mine?edited=1",
            "/assets/ab?lang=en",
            "/",
            "/tìm?q=bù%20lạch",
        ] {
            assert_eq!(same_site(ok), Some(ok), "{ok}");
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/%2F/evil.example",
            "/%5cevil.example",
            "/%09/evil.example",
            "https://evil.example",
            "evil.example",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(same_site(bad), None, "{bad:?}");
        }
    }
}
