//! Share links, without an account: `/s/{token}` shows a collection as a page, each picture
//! with its caption and credit line; `/s/{token}/{asset}/{preset}` serves one of its files and
//! `/s/{token}/download.zip?preset=P` the whole set with `credits.csv` and `manifest.json`,
//! streamed. A revoked or unknown link answers 404, an expired one 410; the token never
//! leaves the page (no referrer is sent from it) and the page is not indexed.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::portal::{self, Chrome, Lang};
use super::{viewer, ApiError, AppState, State};
use crate::catalog::Via;
use crate::collections::{package, LinkUse, Shared};
use crate::model::{AssetId, ErrorKind, Format, Kind, Preset};

struct Item {
    id: AssetId,
    title: String,
    caption_other: Option<String>,
    credit_line: String,
    image: Option<(String, u32, u32)>,
    facts: String,
    /// What it may not be used for beyond its licence, in the reader's language.
    restrictions: Vec<String>,
    /// The file's address and, when it is smaller than its preset promises, what it is.
    download: Option<(String, Option<String>)>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "share.html")]
struct SharePage {
    chrome: Chrome,
    token: String,
    description: Option<String>,
    about: String,
    count: String,
    presets: Vec<Choice>,
    /// How many pictures fall short of the press size, in words (none when all reach it).
    size_note: Option<String>,
    items: Vec<Item>,
}

/// The presets a share offers: full pictures for print and web (JPEG, made for photos).
fn offered(state: &AppState) -> impl Iterator<Item = &Preset> {
    state
        .brand
        .presets
        .iter()
        .filter(|p| p.format == Format::Jpeg && p.kinds.contains(&Kind::Photo))
}

/// The preset films travel in, in a share's ZIP: the brand's MP4 preset for films
/// (`video-web`, the web preview, unless another is defined).
fn film_preset(state: &AppState) -> Option<&Preset> {
    let films = || {
        state
            .brand
            .presets
            .iter()
            .filter(|p| p.format == Format::Mp4 && p.kinds.contains(&Kind::Video))
    };
    films()
        .find(|p| p.name == "video-web")
        .or_else(|| films().next())
}

/// The preset a share's downloads use unless another is asked for: `press` if the brand has it.
fn default_preset(state: &AppState) -> Option<&Preset> {
    offered(state)
        .find(|p| p.name == "press")
        .or_else(|| offered(state).next())
}

/// Opens the link on a blocking thread: 404 unknown or revoked, 410 expired.
async fn open(state: &State, token: String) -> Result<Shared, ApiError> {
    let now = (state.clock)();
    super::collections::with_collections(state, move |c| c.open_link(&token, &now)).await
}

/// Headers every answer under a link carries: no referrer (the token is in the address),
/// not indexed, not cached by shared caches.
fn private(mut response: HttpResponse) -> HttpResponse {
    let headers = response.headers_mut();
    for (name, value) in [
        ("referrer-policy", "no-referrer"),
        ("x-robots-tag", "noindex, nofollow"),
    ] {
        headers.insert(
            header::HeaderName::from_static(name),
            header::HeaderValue::from_static(value),
        );
    }
    response
}

/// GET /s/{token}: the collection as a page.
#[utoipa::path(get, path = "/s/{token}", tag = "shares",
    params(("token" = String, Path, description = "The secret of a share link")),
    responses(
        (status = 200, description = "The shared pictures as a page, with captions, credit lines and restrictions", content_type = "text/html"),
        (status = 404, description = "No such link, or revoked", body = crate::http::error::ErrorBody),
        (status = 410, description = "The link expired", body = crate::http::error::ErrorBody),
    ))]
pub async fn page(
    state: State,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let shared = open(&state, token.clone()).await?;
    used(&state, &shared, LinkUse::Open).await;
    let who = viewer(&state, &req).await?;
    let chrome = Chrome::new(&state, &req, Some(&who));
    let lang = chrome.lang;
    let chosen = default_preset(&state).map(|p| p.name.clone());
    let items = shared
        .assets
        .iter()
        .map(|a| item(&state, lang, &token, a, chosen.as_deref()))
        .collect();
    // The press size promises full resolution: say how many pictures fall short of it.
    let small = shared
        .assets
        .iter()
        .filter(|a| portal::short_of_press_size(a, state.brand.press_min_long_edge_px()))
        .count();
    let presets = offered(&state)
        .map(|p| Choice {
            value: p.name.clone(),
            label: match small {
                n if n > 0 && p.name == "press" => lang.t("share.press_small").to_owned(),
                _ => portal::preset_label(&state, lang, &p.name),
            },
            selected: Some(&p.name) == chosen.as_ref(),
        })
        .collect();
    let mut about = lang
        .t("share.by")
        .replace("{who}", &shared.from)
        .replace("{date}", &lang.date(&shared.share.created_at));
    if let Some(last) = &shared.share.expires {
        about += " · ";
        about += &lang.t("share.until").replace("{date}", &lang.date(last));
    }
    let count = match shared.assets.len() {
        1 => lang.t("share.count_one").to_owned(),
        n => lang.t("share.count_many").replace("{n}", &n.to_string()),
    };
    let page = SharePage {
        chrome: chrome.titled(shared.collection.name.clone(), ""),
        token,
        description: shared.collection.description.clone(),
        about,
        count,
        presets,
        size_note: (small > 0).then(|| {
            lang.fill(
                "share.press_small_note",
                &[
                    ("n", &small.to_string()),
                    ("all", &shared.assets.len().to_string()),
                    (
                        "px",
                        &lang.number(u64::from(state.brand.press_min_long_edge_px())),
                    ),
                ],
            )
        }),
        items,
    };
    Ok(private(portal::ok(&req, &page)?))
}

fn item(
    state: &AppState,
    lang: Lang,
    token: &str,
    a: &crate::model::Asset,
    preset: Option<&str>,
) -> Item {
    let title = portal::cards::title(lang, &state.brand, a);
    let other = lang
        .other()
        .either(a.caption.vi.as_deref(), a.caption.en.as_deref())
        .filter(|o| Some(*o) != lang.either(a.caption.vi.as_deref(), a.caption.en.as_deref()))
        .map(str::to_owned);
    let preview = ["preview", "thumb"]
        .iter()
        .find_map(|p| a.renditions.iter().find(|r| &r.preset == p));
    let mut facts = Vec::new();
    if let Some(s) = &a.spot {
        facts.push(lang.pick(&s.name_vi, &s.name_en).to_owned());
    }
    if let Some(t) = &a.captured_at {
        facts.push(lang.date(t));
    }
    Item {
        id: a.id,
        credit_line: portal::credit_line(lang, a, &title),
        title,
        caption_other: other,
        image: preview.map(|r| {
            (
                format!("/s/{token}/{}/{}", a.id, r.preset),
                r.width,
                r.height,
            )
        }),
        facts: facts.join(" · "),
        restrictions: crate::model::restrictions(a)
            .into_iter()
            .map(|r| lang.pick(&r.vi, &r.en).to_owned())
            .collect(),
        download: preset
            .and_then(|p| a.renditions.iter().find(|r| r.preset == p))
            .map(|r| {
                let href = format!("/s/{token}/{}/{}?download=1", a.id, r.preset);
                let small = portal::below_press_size(state, r);
                (href, small.then(|| portal::truthful_label(state, lang, r)))
            }),
    }
}

/// GET /s/{token}/{asset}/{preset}: one file of the link (`?download=1` as an attachment).
#[utoipa::path(get, path = "/s/{token}/{asset}/{preset}", tag = "shares",
    params(("token" = String, Path, description = "The secret of a share link"),
        ("asset" = AssetId, Path, description = "A picture of the link"),
        ("preset" = String, Path, description = "A preset of GET /api/brand"),
        ("download" = Option<String>, Query, description = "Present: as an attachment, counted"),
    ),
    responses(
        (status = 200, description = "The file"),
        (status = 206, description = "The requested byte range"),
        (status = 304, description = "If-None-Match matched"),
        (status = 404, description = "No such link, picture or file", body = crate::http::error::ErrorBody),
        (status = 410, description = "The link expired", body = crate::http::error::ErrorBody),
        (status = 416, description = "The range lies outside the file"),
    ))]
pub async fn file(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (token, id, preset) = path.into_inner();
    let shared = open(&state, token).await?;
    let id: AssetId = id.parse().map_err(|_| ApiError::not_found())?;
    let asset = shared
        .assets
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(ApiError::not_found)?;
    let (r, hash) = super::delivery::current_rendition(&state, asset, &preset).await?;
    let attachment = portal::query_value(req.query_string(), "download").is_some();
    if attachment {
        count(&state, asset, &preset);
        used(&state, &shared, LinkUse::Download).await;
    }
    let name = super::delivery::download_name(asset, &r);
    let etag = format!("\"{}\"", hash.to_hex());
    let answer = super::delivery::Answer {
        mime: &r.media_type,
        download_name: attachment.then_some(name.as_str()),
        etag: &etag,
        cache: "private, max-age=3600",
    };
    let response = super::delivery::serve_object(&req, &state, hash, answer).await?;
    Ok(private(response))
}

/// A use of the link itself, for its owner's page (a failure to count is only logged).
async fn used(state: &State, shared: &Shared, what: LinkUse) {
    let (st, share) = (state.clone(), shared.share.clone());
    let _ = web::block(move || st.collections().count(&share, what)).await;
}

/// A download through a link, counted in the reach statistics like any other.
fn count(state: &State, asset: &crate::model::Asset, preset: &str) {
    let spot = asset.spot.as_ref().map(|s| s.id.clone());
    super::delivery::count(
        state,
        &(state.clock)(),
        Via::Download,
        asset.id,
        preset,
        spot,
    );
}

/// GET /s/{token}/download.zip?preset=P: the whole link as one streamed ZIP.
#[utoipa::path(get, path = "/s/{token}/download.zip", tag = "shares",
    params(("token" = String, Path, description = "The secret of a share link"),
        ("preset" = Option<String>, Query, description = "A JPEG preset (default `press`)"),
    ),
    responses(
        (status = 200, description = "The files with `credits.csv` and `manifest.json`, streamed", content_type = "application/zip"),
        (status = 400, description = "An unknown preset", body = crate::http::error::ErrorBody),
        (status = 404, description = "No such link, or revoked", body = crate::http::error::ErrorBody),
        (status = 410, description = "The link expired", body = crate::http::error::ErrorBody),
    ))]
pub async fn zip(
    state: State,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let shared = open(&state, token.clone()).await?;
    let asked = portal::query_value(req.query_string(), "preset");
    let preset = match asked.as_deref() {
        None | Some("") => default_preset(&state).cloned(),
        Some(name) => offered(&state).find(|p| p.name == name).cloned(),
    }
    .ok_or_else(|| {
        ApiError::new(
            ErrorKind::InvalidInput,
            "unknown-preset",
            "preset: one of the share's JPEG presets (see GET /api/brand)",
        )
    })?;
    let base = portal::public_base(&state, &req);
    let now = (state.clock)();
    // Renditions not made yet (an asset approved minutes ago) or made before its last edit
    // are brought up to date first, so the package says what the page says. One that already
    // failed is left to the renderer's own pass: requests never journal a failure twice.
    let renderer = state.renderer();
    let failed =
        |a: &crate::model::Asset| a.rendition_failures.iter().any(|f| f.preset == preset.name);
    let missing: Vec<AssetId> = shared
        .assets
        .iter()
        .filter(|a| a.kind == Kind::Photo && !failed(a) && renderer.is_stale(a, &preset.name))
        .map(|a| a.id)
        .collect();
    let shared = if missing.is_empty() {
        shared
    } else {
        let (st, only) = (state.clone(), [preset.name.clone()]);
        web::block(move || st.render_presets(&missing, &only)).await?;
        open(&state, token).await?
    };
    let plan = package::plan(&shared, &preset, film_preset(&state), &base);
    for f in &plan.files {
        count(&state, &f.asset, &f.preset);
    }
    used(&state, &shared, LinkUse::Download).await;
    let file_name = format!(
        "{}-{}.zip",
        package::file_stem(&shared.collection.name),
        preset.name
    );
    let st: Arc<AppState> = state.get_ref().clone();
    let body = super::body::from_writer(move |writer| {
        let out = std::io::BufWriter::with_capacity(256 << 10, writer.clone());
        let written = package::write(&*st.store, &shared, &plan, &now, out)
            .and_then(|mut w| std::io::Write::flush(&mut w));
        if let Err(e) = written {
            tracing::warn!("share ZIP stopped: {e}");
            writer.fail(e);
        }
        crate::memory::release_freed();
    });
    Ok(private(
        HttpResponse::Ok()
            .content_type("application/zip")
            .insert_header((
                header::CONTENT_DISPOSITION,
                super::delivery::content_disposition(&file_name),
            ))
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .streaming(body),
    ))
}

/// GET /s/{token}/manifest: the link's pictures as one IIIF Presentation 3.0 manifest, for a
/// viewer such as Mirador; each canvas shows the link's web-size file (with deep zoom where
/// the picture is public).
#[utoipa::path(get, path = "/s/{token}/manifest", tag = "shares", operation_id = "share_manifest",
    params(("token" = String, Path, description = "The secret of a share link")),
    responses(
        (status = 200, description = "The link's pictures as one IIIF Presentation 3.0 manifest", content_type = "application/ld+json", body = Object),
        (status = 404, description = "No such link, or revoked", body = crate::http::error::ErrorBody),
        (status = 410, description = "The link expired", body = crate::http::error::ErrorBody),
    ))]
pub async fn manifest(
    state: State,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let shared = open(&state, token.clone()).await?;
    let base = portal::public_base(&state, &req);
    let now = (state.clock)();
    let pictures: Vec<crate::iiif::manifest::Painting<'_>> = shared
        .assets
        .iter()
        .filter_map(|a| {
            let r = ["web", "preview"]
                .iter()
                .find_map(|p| a.renditions.iter().find(|r| &r.preset == p))?;
            Some(crate::iiif::manifest::Painting {
                asset: a,
                image: format!("{base}/s/{token}/{}/{}", a.id, r.preset),
                width: r.width,
                height: r.height,
                service: crate::iiif::serves(a, &now).then(|| format!("{base}/iiif/3/{}", a.id)),
            })
        })
        .collect();
    let page = format!("{base}/s/{token}");
    let body = crate::iiif::manifest::of_collection(
        &format!("{page}/manifest"),
        &page,
        &shared.collection.name,
        &pictures,
    );
    let mut response = super::iiif::presentation(body);
    // A link may be revoked at any time: no shared cache keeps its manifest.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, max-age=300"),
    );
    Ok(private(response))
}
