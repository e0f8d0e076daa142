//! GET /oembed?url=…&format=json: oEmbed 1.0 (oembed.com), so a CMS embeds a picture by
//! pasting its page address. Answers for what an anonymous visitor may see; anything else is
//! 404, as everywhere. A `photo` answer whose URL is the stable `/a/{id}/{preset}` address.

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
    url: String,
    width: u32,
    height: u32,
    thumbnail_url: Option<String>,
    thumbnail_width: Option<u32>,
    thumbnail_height: Option<u32>,
    license: Option<String>,
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

/// GET /oembed
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
    let presets: &[&str] = match asset.kind {
        Kind::Logo => &["logo-256", "logo-512", "logo-1024", "logo-2048"],
        Kind::Photo | Kind::Video => &["thumb", "preview", "web"],
        _ => return Err(ApiError::not_found()),
    };
    let fits = |r: &&&crate::model::Rendition| {
        max_w.is_none_or(|w| r.width <= w) && max_h.is_none_or(|h| r.height <= h)
    };
    let candidates: Vec<_> = presets
        .iter()
        .filter_map(|p| cards::rendition(&asset, p))
        .collect();
    let chosen = candidates
        .iter()
        .filter(fits)
        .max_by_key(|r| r.width)
        .or_else(|| candidates.iter().min_by_key(|r| r.width))
        .ok_or_else(ApiError::not_found)?;
    let thumb = candidates.first();
    let lang = super::language(&req).0;
    let provider_name = state.brand.guidelines.as_ref().map_or_else(
        || "brandvault".to_owned(),
        |g| lang.pick(&g.names.vi, &g.names.en).to_owned(),
    );
    let at = |preset: &str| format!("{base}/a/{}/{preset}", asset.id);
    Ok(HttpResponse::Ok().json(Answer {
        version: "1.0",
        kind: "photo",
        title: cards::title(lang, &state.brand, &asset),
        author_name: asset.credit.clone(),
        provider_name,
        provider_url: format!("{base}/"),
        url: at(&chosen.preset),
        width: chosen.width,
        height: chosen.height,
        thumbnail_url: thumb.map(|t| at(&t.preset)),
        thumbnail_width: thumb.map(|t| t.width),
        thumbnail_height: thumb.map(|t| t.height),
        license: asset.license.clone(),
    }))
}

#[cfg(test)]
mod tests {
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
