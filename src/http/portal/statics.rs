//! The portal's own files: the stylesheet (the brand's palette as CSS variables ahead of
//! `web/static/site.css`), the portal's script and the film player's, and the brand typeface (Be Vietnam Pro, SIL OFL
//! 1.1, in `web/static/fonts/` with its licence). All are compiled in and served with
//! content-hashed addresses, so browsers keep them for a year and no page asks another site.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::super::State;
use crate::brand::Brand;

const SITE_CSS: &str = include_str!("../../../web/static/site.css");
const SCRIPT: &str = include_str!("../../../web/static/portal.js");
const PLAYER: &str = include_str!("../../../web/static/player.js");

macro_rules! woff2 {
    ($subset:literal) => {
        (
            concat!("be-vietnam-pro-", $subset, "-normal.woff2"),
            include_bytes!(concat!(
                "../../../web/static/fonts/be-vietnam-pro-",
                $subset,
                "-normal.woff2"
            )),
        )
    };
}

/// The brand typeface, by file name: Vietnamese, Latin and Latin Extended subsets at 400, 600
/// and 700 (the stylesheet's unicode ranges make a browser fetch only what a page uses).
const FONTS: &[(&str, &[u8])] = &[
    woff2!("latin-400"),
    woff2!("latin-600"),
    woff2!("latin-700"),
    woff2!("latin-ext-400"),
    woff2!("latin-ext-600"),
    woff2!("latin-ext-700"),
    woff2!("vietnamese-400"),
    woff2!("vietnamese-600"),
    woff2!("vietnamese-700"),
];

/// The stylesheet and script as served, with their versioned addresses.
pub struct StaticFiles {
    pub css: String,
    pub css_url: String,
    pub script_url: String,
    pub player_url: String,
    /// The brand's full-colour icon as drawn (never stamped: it is the site's own mark, not a
    /// download), for the header and the tab.
    pub mark: Option<Vec<u8>>,
}

impl StaticFiles {
    pub fn new(brand: &Brand) -> Self {
        let css = format!("{}\n{SITE_CSS}", palette_variables(brand));
        let short = |s: &str| blake3::hash(s.as_bytes()).to_hex()[..12].to_owned();
        StaticFiles {
            css_url: format!("/static/site.css?v={}", short(&css)),
            script_url: format!("/static/portal.js?v={}", short(SCRIPT)),
            player_url: format!("/static/player.js?v={}", short(PLAYER)),
            mark: mark_of(brand),
            css,
        }
    }
}

/// `:root` variables from the palette: the first colour of each role, and the ink.
fn palette_variables(brand: &Brand) -> String {
    use crate::model::ColourRole;
    let Some(g) = &brand.guidelines else {
        return String::new();
    };
    let first = |role: ColourRole| {
        g.palette
            .iter()
            .find(|c| c.role == role && c.rgb().is_some())
            .map(|c| c.hex.clone())
    };
    let ink = g
        .palette
        .iter()
        .filter(|c| c.role == ColourRole::Neutral)
        .filter_map(|c| Some((c.rgb()?, &c.hex)))
        .min_by_key(|(rgb, _)| rgb.iter().map(|&v| u32::from(v)).sum::<u32>())
        .map(|(_, hex)| hex.clone());
    let accents: Vec<String> = g
        .palette
        .iter()
        .filter(|c| c.role == ColourRole::Accent && c.rgb().is_some())
        .map(|c| c.hex.clone())
        .collect();
    let mut vars = String::from(":root{");
    for (name, value) in [
        ("--brand-primary", first(ColourRole::Primary)),
        ("--brand-secondary", first(ColourRole::Secondary)),
        ("--brand-accent", accents.first().cloned()),
        ("--brand-accent-2", accents.get(1).cloned()),
        ("--brand-ink", ink),
    ] {
        if let Some(v) = value {
            vars += &format!("{name}:{v};");
        }
    }
    vars + "}"
}

fn immutable(req: &HttpRequest) -> &'static str {
    if req.query_string().starts_with("v=") {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    }
}

/// GET /static/site.css
pub async fn stylesheet(state: State, req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, immutable(&req)))
        .body(state.statics.css.clone())
}

/// GET /static/portal.js
pub async fn script(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, immutable(&req)))
        .body(SCRIPT)
}

/// GET /static/player.js: the film player's streaming (HLS through Media Source Extensions).
pub async fn player_script(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, immutable(&req)))
        .body(PLAYER)
}

/// GET /static/fonts/{name}
pub async fn font(req: HttpRequest, name: web::Path<String>) -> HttpResponse {
    match FONTS.iter().find(|(n, _)| *n == name.as_str()) {
        Some((_, bytes)) => HttpResponse::Ok()
            .content_type("font/woff2")
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .insert_header(("access-control-allow-origin", "*"))
            .body(*bytes),
        None => super::errors::not_found_response(&req),
    }
}

/// The full-colour icon of the guidelines, read from the brand folder.
fn mark_of(brand: &Brand) -> Option<Vec<u8>> {
    use crate::model::{ColourMode, LogoLayout};
    let icon = brand
        .guidelines
        .as_ref()?
        .logos
        .iter()
        .find(|v| v.layout == LogoLayout::Icon && v.colour_mode == ColourMode::Full)?;
    std::fs::read(brand.dir.join(&icon.file)).ok()
}

/// GET /static/mark.svg: the brand's full-colour icon, for the header and the tab.
pub async fn mark(state: State, req: HttpRequest) -> HttpResponse {
    match &state.statics.mark {
        Some(bytes) => HttpResponse::Ok()
            .content_type("image/svg+xml")
            .insert_header((
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            ))
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(bytes.clone()),
        None => super::errors::not_found_response(&req),
    }
}
