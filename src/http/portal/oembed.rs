//! GET /oembed?url=…&format=json: oEmbed 1.0 (oembed.com), so a CMS embeds a picture by
//! pasting its page address. Answers for what an anonymous visitor may see; anything else is
//! 404, as everywhere. A `photo` answer whose URL is the stable `/a/{id}/{preset}` address;
//! for a film, a `video` answer whose `html` frames its player (`/v/{id}`).

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::asset::public_base;
use super::cards;
use crate::http::api::visible_asset;
use crate::http::{ApiError, State};
use crate::model::{ErrorKind, Kind};

#[derive(Serialize)]
struct Answer {
    version: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    author_name: Option<String>,
    provider_name: String,
    provider_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    /// A film's player, framed (`video` answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<String>,
    width: u32,
    height: u32,
    thumbnail_url: Option<String>,
    thumbnail_width: Option<u32>,
    thumbnail_height: Option<u32>,
    license: Option<String>,
    /// What the picture may not be used for beyond its licence (an extension: oEmbed has no
    /// rights field), the same words every delivered copy carries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    restrictions: Vec<crate::model::Restriction>,
}

/// The asset id of one of this service's addresses (`/assets/{id}` or `/a/{id}/…`).
fn asset_id(base: &str, url: &str) -> Option<String> {
    let path = url.strip_prefix(base).or_else(|| {
        // Any scheme and host that reached us: the path decides.
        let rest = url.split_once("://")?.1;
        Some(&rest[rest.find('/')?..])
    })?;
    let path = path.split(['?', '#']).next()?;
    let rest = path
        .strip_prefix("/assets/")
        .or_else(|| path.strip_prefix("/a/"))?;
    Some(rest.split('/').next()?.to_owned())
}

/// What an oEmbed answer points at.
#[derive(Debug, PartialEq)]
enum Picture<'a> {
    Rendition(&'a crate::model::Rendition),
    /// An exact size of the IIIF image service.
    Iiif(u32, u32),
}

/// The largest picture within `max` (width, height) that never exceeds it: a rendition of that
/// exact size, else (for a picture IIIF serves) the IIIF size that fills the bounds, else the
/// largest rendition that fits. `None` when nothing fits.
fn choose<'a>(
    candidates: &[&'a crate::model::Rendition],
    (max_w, max_h): (Option<u32>, Option<u32>),
    iiif: bool,
) -> Option<Picture<'a>> {
    let fits = |w: u32, h: u32| max_w.is_none_or(|m| w <= m) && max_h.is_none_or(|m| h <= m);
    let best = candidates
        .iter()
        .filter(|r| fits(r.width, r.height))
        .max_by_key(|r| r.width)
        .copied();
    let largest = candidates.iter().max_by_key(|r| r.width)?;
    let bounded = max_w.is_some() || max_h.is_some();
    if !(bounded && iiif) {
        return best.map(Picture::Rendition);
    }
    // The size of the largest rendition scaled down to the tighter bound, rounded.
    let (lw, lh) = (u64::from(largest.width), u64::from(largest.height));
    let scaled = |a: u64, m: u32, b: u64| ((a * u64::from(m) + b / 2) / b).max(1) as u32;
    let by_width = max_w
        .filter(|&m| u64::from(m) < lw)
        .map(|m| (m, scaled(lh, m, lw)));
    let by_height = max_h
        .filter(|&m| u64::from(m) < lh)
        .map(|m| (scaled(lw, m, lh), m));
    let (w, h) = if by_width.is_none() && by_height.is_none() {
        (largest.width, largest.height)
    } else {
        [by_width, by_height]
            .into_iter()
            .flatten()
            .filter(|&(w, h)| fits(w, h))
            .max_by_key(|&(w, _)| w)?
    };
    match best {
        Some(r) if r.width == w || r.height == h => Some(Picture::Rendition(r)),
        _ if fits(w, h) => Some(Picture::Iiif(w, h)),
        _ => best.map(Picture::Rendition),
    }
}

/// The picture an answer points at within the bounds: its address and size.
fn picture(
    base: &str,
    asset: &crate::model::Asset,
    candidates: &[&crate::model::Rendition],
    bounds: (Option<u32>, Option<u32>),
    state: &State,
) -> Result<(String, u32, u32), ApiError> {
    let now = (state.clock)();
    let picture = choose(candidates, bounds, crate::iiif::serves(asset, &now))
        .ok_or_else(ApiError::not_found)?;
    Ok(match picture {
        Picture::Rendition(r) => (
            format!("{base}/a/{}/{}", asset.id, r.preset),
            r.width,
            r.height,
        ),
        Picture::Iiif(w, h) => (
            format!("{base}/iiif/3/{}/full/{w},{h}/0/default.jpg", asset.id),
            w,
            h,
        ),
    })
}

/// `width` × `height` scaled down to fit the bounds (never up), or `None` when it cannot.
fn fit(width: u32, height: u32, max_w: Option<u32>, max_h: Option<u32>) -> Option<(u32, u32)> {
    let scale = [
        max_w.map(|m| f64::from(m) / f64::from(width)),
        max_h.map(|m| f64::from(m) / f64::from(height)),
    ]
    .into_iter()
    .flatten()
    .fold(1.0_f64, f64::min);
    let (w, h) = (
        (f64::from(width) * scale).floor() as u32,
        (f64::from(height) * scale).floor() as u32,
    );
    (w > 0 && h > 0).then_some((w, h))
}

/// GET /oembed
#[utoipa::path(get, path = "/oembed", tag = "delivery",
    params(
        ("url" = String, Query, description = "An asset page (`/assets/{id}`) or stable address (`/a/{id}/{preset}`) of this service"),
        ("maxwidth" = Option<u32>, Query, description = "The answer is never wider"),
        ("maxheight" = Option<u32>, Query, description = "The answer is never taller"),
        ("format" = Option<String>, Query, description = "`json` (the only format served)"),
    ),
    responses(
        (status = 200, description = "An oEmbed 1.0 `photo` answer, or `video` (with `html` framing the player) for a film; any origin may read it", content_type = "application/json", body = Object),
        (status = 400, description = "`url` is missing", body = crate::http::error::ErrorBody),
        (status = 404, description = "No such picture, or none the public may see, or none that fits the bounds", body = crate::http::error::ErrorBody),
        (status = 501, description = "A format other than JSON", body = crate::http::error::ErrorBody),
    ))]
pub async fn oembed(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let q = req.query_string();
    let value = |name: &str| super::query_value(q, name);
    let url = value("url")
        .ok_or_else(|| ApiError::new(ErrorKind::InvalidInput, "bad-query", "`url` is required"))?;
    match value("format").as_deref() {
        None | Some("json") => {}
        Some(_) => {
            return Ok(
                HttpResponse::NotImplemented().json(crate::http::error::ErrorBody {
                    code: "format-not-implemented".into(),
                    message: "only format=json is served".into(),
                }),
            )
        }
    }
    let bound = |name: &str| value(name).and_then(|v| v.parse::<u32>().ok());
    let (max_w, max_h) = (bound("maxwidth"), bound("maxheight"));
    let base = public_base(&state, &req);
    let id = asset_id(&base, &url).ok_or_else(ApiError::not_found)?;
    let (asset, _) = visible_asset(&state, &req, &id).await?;
    let lang = super::language(&req).0;
    let title = cards::title(lang, &state.brand, &asset);
    // A film: its player at the largest size within the bounds, never above its own.
    let film = super::player::film(&asset).and_then(|f| fit(f.width, f.height, max_w, max_h));
    let presets: &[&str] = match asset.kind {
        Kind::Logo => &["logo-256", "logo-512", "logo-1024", "logo-2048"],
        Kind::Photo | Kind::Video => &["thumb", "preview", "web"],
        _ => return Err(ApiError::not_found()),
    };
    let candidates: Vec<&crate::model::Rendition> = presets
        .iter()
        .filter_map(|p| cards::rendition(&asset, p))
        .collect();
    let (kind, url, html, width, height) = match film {
        Some((w, h)) => {
            let html = super::player::iframe(&base, &asset, &title, (w, h));
            ("video", None, Some(html), w, h)
        }
        None => {
            let (url, w, h) = picture(&base, &asset, &candidates, (max_w, max_h), &state)?;
            ("photo", Some(url), None, w, h)
        }
    };
    // The thumbnail keeps to the same bounds: oEmbed never answers larger than asked.
    let thumb = candidates
        .first()
        .filter(|t| max_w.is_none_or(|m| t.width <= m) && max_h.is_none_or(|m| t.height <= m));
    let provider_name = state.brand.guidelines.as_ref().map_or_else(
        || "brandvault".to_owned(),
        |g| lang.pick(&g.names.vi, &g.names.en).to_owned(),
    );
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(Answer {
            version: "1.0",
            kind,
            title,
            author_name: asset.credit.clone(),
            provider_name,
            provider_url: format!("{base}/"),
            url,
            html,
            width,
            height,
            thumbnail_url: thumb.map(|t| format!("{base}/a/{}/{}", asset.id, t.preset)),
            thumbnail_width: thumb.map(|t| t.width),
            thumbnail_height: thumb.map(|t| t.height),
            license: asset.license.clone(),
            restrictions: crate::model::restrictions(&asset),
        }))
}

#[cfg(test)]
mod tests {
    use super::{choose, Picture};
    use crate::model::Rendition;

    fn r(preset: &str, width: u32, height: u32) -> Rendition {
        Rendition {
            preset: preset.into(),
            url: String::new(),
            width,
            height,
            bytes: 0,
            media_type: "image/jpeg".into(),
            key: String::new(),
            pixels: None,
            parts: Vec::new(),
        }
    }

    #[test]
    fn never_larger_than_asked_and_the_largest_that_fits() {
        let (thumb, preview, web) = (
            r("thumb", 256, 171),
            r("preview", 1024, 683),
            r("web", 2048, 1365),
        );
        let all = [&thumb, &preview, &web];
        assert_eq!(
            choose(&all, (Some(100), None), true),
            Some(Picture::Iiif(100, 67))
        );
        assert_eq!(
            choose(&all, (Some(600), None), true),
            Some(Picture::Iiif(600, 400))
        );
        assert_eq!(
            choose(&all, (Some(1024), None), true),
            Some(Picture::Rendition(&preview))
        );
        assert_eq!(
            choose(&all, (None, None), true),
            Some(Picture::Rendition(&web))
        );
        // Without IIIF: the largest rendition that fits, or nothing.
        assert_eq!(
            choose(&all, (Some(600), None), false),
            Some(Picture::Rendition(&thumb))
        );
        assert_eq!(choose(&all, (Some(100), None), false), None);
        assert_eq!(
            choose(&all, (Some(5000), Some(5000)), true),
            Some(Picture::Rendition(&web))
        );
    }

    #[test]
    fn addresses_name_their_asset() {
        let base = "https://anh.example.vn";
        assert_eq!(
            super::asset_id(base, "https://anh.example.vn/assets/abc?lang=en").as_deref(),
            Some("abc")
        );
        assert_eq!(
            super::asset_id(base, "http://127.0.0.1:8080/a/abc/web").as_deref(),
            Some("abc")
        );
        assert_eq!(super::asset_id(base, "https://anh.example.vn/spots"), None);
    }
}
