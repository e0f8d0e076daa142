//! GET /brand: the identity as the guidelines define it (every logo variant with its usage
//! rules and downloads, the palette, the typeface, the slogans, the kit), shown from the brand
//! folder itself, so a fresh library has a complete brand page before anything is approved.
//! GET /brand/files/{path}: the kit's logo files, one by one.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{ok, Chrome, Lang};
use crate::brand::kit::{self, KitFile};
use crate::brand::{usage_art, words};
use crate::http::{viewer, ApiError, State};
use crate::model::{ColourMode, Guidelines, LogoStatus, LogoVariant, WCAG_AA_TEXT};

struct Swatch {
    id: String,
    hex: String,
    name: String,
    role: &'static str,
    /// (label, value) pairs a person copies: HEX, RGB, CMYK.
    values: Vec<(&'static str, String)>,
    pantone: Option<String>,
    /// Against white and the dark neutral: (what, "6.5:1", passes AA for text).
    contrasts: Vec<(String, String, bool)>,
}

struct Logo {
    name: String,
    svg: String,
    backdrop: &'static str,
    downloads: Vec<(String, String)>,
    rules: String,
}

struct Figure {
    src: String,
    caption: String,
    dont: bool,
    /// Shown at its own size (the minimum-size picture is drawn at real scale).
    real_scale: bool,
}

struct Family {
    name: String,
    figures: Vec<Figure>,
}

struct TypefaceView {
    family: String,
    uses: String,
    specimen: Option<String>,
    downloads: Vec<(String, String)>,
    licence: Option<String>,
}

#[derive(Template)]
#[template(path = "brand.html")]
struct BrandPage {
    chrome: Chrome,
    title: String,
    kit_hint: String,
    placeholder: bool,
    swatches: Vec<Swatch>,
    logos: Vec<Logo>,
    families: Vec<Family>,
    typefaces: Vec<TypefaceView>,
    slogans: Vec<(String, String)>,
    has_guidelines: bool,
}

/// A logo's downloads: the SVG, then the kit's PNGs from the smallest width up.
fn logo_downloads(state: &State, lang: Lang, l: &LogoVariant) -> Vec<(String, String)> {
    let mut downloads = vec![(
        format!("/brand/files/logos/svg/{}.svg", l.id),
        lang.t("brand.svg").to_owned(),
    )];
    let mut pngs: Vec<(u32, &str)> = state
        .brand_files
        .iter()
        .filter_map(|f| {
            let rest = f.path.strip_prefix(&format!("logos/png/{}-", l.id))?;
            Some((rest.strip_suffix(".png")?.parse().ok()?, f.path.as_str()))
        })
        .collect();
    pngs.sort_unstable();
    for (width, path) in pngs {
        downloads.push((
            format!("/brand/files/{path}"),
            lang.fill("brand.png", &[("w", &width.to_string())]),
        ));
    }
    downloads
}

/// The kit's files that /brand/files serves, without the PNGs (a service that built the whole
/// kit replaces them with its own, PNGs included).
pub fn brand_files(brand: &crate::brand::Brand) -> Vec<KitFile> {
    kit::served(kit::vectors(brand).unwrap_or_default())
}

/// Each colour with its values and its contrast against white and the darkest neutral.
fn swatches(g: &Guidelines, lang: Lang) -> Vec<Swatch> {
    g.palette
        .iter()
        .map(|c| {
            let rgb = c.rgb().unwrap_or_default();
            let [cc, m, y, k] = c.cmyk;
            let contrasts = g
                .contrasts(c)
                .into_iter()
                .map(|(other, ratio)| {
                    let name =
                        other.map_or(lang.t("brand.white"), |o| lang.pick(&o.name_vi, &o.name_en));
                    (
                        name.to_owned(),
                        format!("{}:1", lang.decimal(ratio, 1)),
                        ratio >= WCAG_AA_TEXT,
                    )
                })
                .collect();
            Swatch {
                id: c.id.clone(),
                hex: c.hex.clone(),
                name: lang.pick(&c.name_vi, &c.name_en).to_owned(),
                role: words::colour_role(lang, c.role),
                values: vec![
                    ("HEX", c.hex.clone()),
                    ("RGB", format!("{}, {}, {}", rgb[0], rgb[1], rgb[2])),
                    ("CMYK", format!("{cc}, {m}, {y}, {k}")),
                ],
                pantone: c.pantone.clone(),
                contrasts,
            }
        })
        .collect()
}

/// Do and don't, per logo family, from the pictures the kit drew.
fn families(g: &Guidelines, lang: Lang) -> Vec<Family> {
    usage_art::families(g)
        .into_iter()
        .map(|v| {
            let layout = usage_art::layout_name(v);
            let figures = usage_art::Picture::ALL
                .iter()
                .map(|p| Figure {
                    src: format!("/brand/files/usage/{layout}/{}.svg", p.name()),
                    caption: p.caption(lang, v),
                    dont: p.is_dont(),
                    real_scale: *p == usage_art::Picture::MinimumSize,
                })
                .collect();
            Family {
                name: lang.t(&format!("logo.layout.{layout}")).to_owned(),
                figures,
            }
        })
        .collect()
}

fn typefaces(state: &State, g: &Guidelines, lang: Lang) -> Vec<TypefaceView> {
    let served = |path: &str| state.brand_files.iter().any(|f| f.path == path);
    g.typography
        .iter()
        .map(|t| {
            let specimen = format!("usage/type/{}.svg", kit::slug(&t.family));
            TypefaceView {
                family: t.family.clone(),
                uses: t
                    .uses
                    .iter()
                    .map(|u| words::typeface_use(lang, u))
                    .collect::<Vec<_>>()
                    .join(", "),
                specimen: served(&specimen).then(|| format!("/brand/files/{specimen}")),
                downloads: t
                    .files
                    .iter()
                    .filter(|f| served(f))
                    .map(|f| {
                        let name = f.rsplit('/').next().unwrap_or(f).to_owned();
                        (format!("/brand/files/{f}"), name)
                    })
                    .collect(),
                licence: t
                    .licence
                    .as_ref()
                    .filter(|l| served(l))
                    .map(|l| format!("/brand/files/{l}")),
            }
        })
        .collect()
}

/// GET /brand
pub async fn brand(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &req).await?;
    let chrome = Chrome::new(&state, &req, Some(&viewer));
    let lang = chrome.lang;
    let Some(g) = &state.brand.guidelines else {
        let page = BrandPage {
            title: lang.t("brand.no_guidelines").to_owned(),
            kit_hint: String::new(),
            placeholder: false,
            swatches: Vec::new(),
            logos: Vec::new(),
            families: Vec::new(),
            typefaces: Vec::new(),
            slogans: Vec::new(),
            has_guidelines: false,
            chrome: chrome.titled(lang.t("brand.title"), "brand"),
        };
        return ok(&req, &page);
    };
    let logos = g
        .logos
        .iter()
        .map(|l| Logo {
            name: words::variant_name(lang, l),
            svg: format!("/brand/files/logos/svg/{}.svg", l.id),
            backdrop: match l.colour_mode {
                ColourMode::MonoLight => "on-dark",
                _ => "on-light",
            },
            downloads: logo_downloads(&state, lang, l),
            rules: words::logo_rules(lang, l).join(" · "),
        })
        .collect();
    let page = BrandPage {
        title: lang.pick(&g.names.vi, &g.names.en).to_owned(),
        kit_hint: lang.fill("brand.kit_hint", &[("license", &g.kit_license)]),
        placeholder: g.logo_status == LogoStatus::Placeholder,
        swatches: swatches(g, lang),
        logos,
        families: families(g, lang),
        typefaces: typefaces(&state, g, lang),
        slogans: g
            .slogans
            .iter()
            .map(|s| (s.vi.clone(), s.en.clone()))
            .collect(),
        has_guidelines: true,
        chrome: chrome.titled(lang.t("brand.title"), "brand"),
    };
    ok(&req, &page)
}

/// GET /brand/files/{path}: a logo of the kit. The brand's own files are public (the kit is);
/// an SVG is served so that it can never run a script, even opened directly.
pub async fn brand_file(state: State, req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    let Some(file) = state.brand_files.iter().find(|f| f.path == *path) else {
        return super::errors::not_found_response(&req);
    };
    let kind = match file.path.rsplit('.').next() {
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ttf") => "font/ttf",
        Some("pdf") => "application/pdf",
        _ => "text/plain; charset=utf-8",
    };
    HttpResponse::Ok()
        .content_type(kind)
        .insert_header((
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        ))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(file.bytes.clone())
}

/// GET /brand/book.pdf: the brand book, built with the kit from the brand folder.
#[utoipa::path(get, path = "/brand/book.pdf", tag = "brand",
    responses(
        (status = 200, description = "The brand book: logos as vectors, palette, typefaces, do and don't, slogans, contact", content_type = "application/pdf"),
        (status = 404, description = "The brand folder has no guidelines or no typeface with font files")))]
pub async fn brand_book(state: State, req: HttpRequest) -> HttpResponse {
    let Some(book) = state
        .brand_files
        .iter()
        .find(|f| f.path == "brand-book.pdf")
    else {
        return super::errors::not_found_response(&req);
    };
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            crate::http::delivery::content_disposition("brand-book.pdf"),
        ))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(book.bytes.clone())
}
