//! GET /brand: the identity as the guidelines define it (every logo variant with its usage
//! rules and downloads, the palette, the typeface, the slogans, the kit), shown from the brand
//! folder itself, so a fresh library has a complete brand page before anything is approved.
//! GET /brand/files/{path}: the kit's logo files, one by one.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{ok, Chrome, Lang};
use crate::brand::kit::KitFile;
use crate::brand::words;
use crate::http::{viewer, ApiError, State};
use crate::model::{ColourMode, LogoVariant};

struct Swatch {
    hex: String,
    name: String,
    role: &'static str,
    cmyk: String,
}

struct Logo {
    name: String,
    svg: String,
    backdrop: &'static str,
    downloads: Vec<(String, String)>,
    rules: String,
}

#[derive(Template)]
#[template(path = "brand.html")]
struct BrandPage {
    chrome: Chrome,
    title: String,
    kit_hint: String,
    swatches: Vec<Swatch>,
    logos: Vec<Logo>,
    fonts: Vec<String>,
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
        .logo_files
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

/// The kit's logo files (SVG, and PNG when the kit was built), by path.
pub fn logo_files(brand: &crate::brand::Brand) -> Vec<KitFile> {
    let Some(g) = &brand.guidelines else {
        return Vec::new();
    };
    g.logos
        .iter()
        .filter_map(|l| {
            Some(KitFile {
                path: format!("logos/svg/{}.svg", l.id),
                bytes: std::fs::read(brand.dir.join(&l.file)).ok()?,
                variant: Some(l.clone()),
            })
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
            swatches: Vec::new(),
            logos: Vec::new(),
            fonts: Vec::new(),
            slogans: Vec::new(),
            has_guidelines: false,
            chrome: chrome.titled(lang.t("brand.title"), "brand"),
        };
        return ok(&req, &page);
    };
    let swatches = g
        .palette
        .iter()
        .map(|c| Swatch {
            hex: c.hex.clone(),
            name: lang.pick(&c.name_vi, &c.name_en).to_owned(),
            role: words::colour_role(lang, c.role),
            cmyk: format!(
                "CMYK {}/{}/{}/{}",
                c.cmyk[0], c.cmyk[1], c.cmyk[2], c.cmyk[3]
            ),
        })
        .collect();
    let logos = g
        .logos
        .iter()
        .map(|l| {
            let downloads = logo_downloads(&state, lang, l);
            Logo {
                name: words::variant_name(lang, l),
                svg: format!("/brand/files/logos/svg/{}.svg", l.id),
                backdrop: match l.colour_mode {
                    ColourMode::MonoLight => "on-dark",
                    _ => "on-light",
                },
                downloads,
                rules: words::logo_rules(lang, l).join(" · "),
            }
        })
        .collect();
    let page = BrandPage {
        title: lang.pick(&g.names.vi, &g.names.en).to_owned(),
        kit_hint: lang.fill("brand.kit_hint", &[("license", &g.kit_license)]),
        swatches,
        logos,
        fonts: g.typography.iter().map(|t| t.family.clone()).collect(),
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
    let Some(file) = state.logo_files.iter().find(|f| f.path == *path) else {
        return super::errors::not_found_response(&req);
    };
    let svg = file.path.ends_with(".svg");
    HttpResponse::Ok()
        .content_type(if svg { "image/svg+xml" } else { "image/png" })
        .insert_header((
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        ))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(file.bytes.clone())
}
