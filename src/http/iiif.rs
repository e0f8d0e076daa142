//! IIIF Image API 3.0 over HTTP: `/iiif/3/{id}` (redirects to its `info.json`),
//! `/iiif/3/{id}/info.json` and `/iiif/3/{id}/{region}/{size}/{rotation}/{quality}.{format}`,
//! for approved public photos only (anything else is 404, as everywhere). Answers carry
//! `Access-Control-Allow-Origin: *` so any viewer on any site may use them.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{ApiError, State};
use crate::iiif::{self, LIMITS};
use crate::model::{Asset, AssetId, Viewer};

impl From<iiif::IiifError> for ApiError {
    fn from(e: iiif::IiifError) -> Self {
        ApiError::classified(e.kind(), e.code(), e)
    }
}

/// The asset `id` if IIIF serves it (an approved public photo), else 404.
async fn served(state: &State, id: &str) -> Result<Asset, ApiError> {
    let id: AssetId = id.parse().map_err(|_| ApiError::not_found())?;
    let now = (state.clock)();
    let public = Viewer {
        actor: None,
        now: now.clone(),
    };
    let st = state.clone();
    let asset = web::block(move || st.catalog.asset_if(&id, |v| public.may_see(v))).await??;
    asset
        .filter(|a| iiif::serves(a, &now))
        .ok_or_else(ApiError::not_found)
}

fn base_uri(state: &State, req: &HttpRequest, id: &str) -> String {
    format!("{}/iiif/3/{id}", super::portal::public_base(state, req))
}

/// GET /iiif/3/{id}: the image's base URI redirects to its description.
#[utoipa::path(get, path = "/iiif/3/{id}", tag = "iiif",
    params(("id" = AssetId, Path, description = "A public picture's id")),
    responses(
        (status = 303, description = "To its info.json"),
        (status = 404, description = "No such picture, or not a public one", body = crate::http::error::ErrorBody),
    ))]
pub async fn base(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let asset = served(&state, &id).await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("{}/info.json", base_uri(&state, &req, &asset.id.to_hex())),
        ))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .finish())
}

/// GET /iiif/3/{id}/info.json: JSON-LD when asked for (`Accept: application/ld+json`).
#[utoipa::path(get, path = "/iiif/3/{id}/info.json", tag = "iiif",
    params(("id" = AssetId, Path, description = "A public picture's id")),
    responses(
        (status = 200, description = "The IIIF Image API 3.0 description (level 2), naming its Presentation manifest in `partOf`", content_type = "application/json", body = Object),
        (status = 404, description = "No such picture, or not a public one", body = crate::http::error::ErrorBody),
    ))]
pub async fn info(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let asset = served(&state, &id).await?;
    let body = iiif::info(&asset, &base_uri(&state, &req, &asset.id.to_hex()));
    let ld = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/ld+json"));
    let content_type = if ld {
        "application/ld+json;profile=\"http://iiif.io/api/image/3/context.json\""
    } else {
        "application/json"
    };
    Ok(description(content_type)
        .insert_header((header::VARY, "Accept"))
        .body(body.to_string()))
}

/// GET /iiif/3/{id}/{region}/{size}/{rotation}/{quality}.{format}
#[utoipa::path(get, path = "/iiif/3/{id}/{region}/{size}/{rotation}/{file}", tag = "iiif",
    params(
        ("id" = AssetId, Path, description = "A public picture's id"),
        ("region" = String, Path, description = "`full`, `square`, `x,y,w,h` or `pct:x,y,w,h`"),
        ("size" = String, Path, description = "`max`, `w,`, `,h`, `pct:n`, `w,h`, `!w,h`, `^` to upscale"),
        ("rotation" = String, Path, description = "`0`, `90`, `180`, `270`, `!` to mirror"),
        ("file" = String, Path, description = "`{quality}.{format}`: default, color, gray or bitonal; jpg, png or webp"),
    ),
    responses(
        (status = 200, description = "The image", content(("image/jpeg"), ("image/png"), ("image/webp"))),
        (status = 304, description = "If-None-Match matched"),
        (status = 400, description = "A malformed or impossible request", body = crate::http::error::ErrorBody),
        (status = 404, description = "No such picture, or not a public one", body = crate::http::error::ErrorBody),
        (status = 429, description = "A size or region `info.json` does not offer, past the allowance of 30 a minute per address and 120 in all: try again after Retry-After", body = crate::http::error::ErrorBody),
    ))]
pub async fn image(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String, String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, region, size, rotation, file) = path.into_inner();
    let asset = served(&state, &id).await?;
    let dims = (asset.width.unwrap_or(1), asset.height.unwrap_or(1));
    let request = iiif::request::parse(&region, &size, &rotation, &file, dims, LIMITS)
        .map_err(iiif::IiifError::from)?;
    let st = state.clone();
    let client = req.peer_addr().map(|a| a.ip());
    let answer = web::block(move || {
        st.iiif.image(
            &*st.store,
            &st.catalog,
            &st.settings.limits,
            &asset,
            &request,
            client,
        )
    })
    .await??;
    let etag = format!("\"{}\"", answer.object.to_hex());
    let cached = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if cached {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((header::ETAG, etag))
        // Not immutable: a withdrawn picture must stop being served.
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::LINK,
            "<http://iiif.io/api/image/3/level2.json>;rel=\"profile\"",
        ));
    if cached {
        return Ok(response.finish());
    }
    Ok(response
        .content_type(request.format.mime())
        .body(answer.bytes))
}

/// GET /iiif/3/{id}/manifest: the IIIF Presentation 3.0 manifest of a public picture, for
/// Mirador, Universal Viewer and museum portals.
#[utoipa::path(get, path = "/iiif/3/{id}/manifest", tag = "iiif", operation_id = "iiif_manifest",
    params(("id" = AssetId, Path, description = "A public picture's id")),
    responses(
        (status = 200, description = "Its IIIF Presentation 3.0 manifest", content_type = "application/ld+json", body = Object),
        (status = 404, description = "No such picture, or not a public one", body = crate::http::error::ErrorBody),
    ))]
pub async fn manifest(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let asset = served(&state, &id).await?;
    let base = super::portal::public_base(&state, &req);
    let service = base_uri(&state, &req, &asset.id.to_hex());
    let painting = iiif::manifest::Painting {
        asset: &asset,
        image: format!("{service}/full/max/0/default.jpg"),
        width: asset.width.unwrap_or(1),
        height: asset.height.unwrap_or(1),
        service: Some(service.clone()),
    };
    let page = format!("{base}/assets/{}", asset.id);
    let body = iiif::manifest::of_asset(&format!("{service}/manifest"), &page, &painting);
    Ok(presentation(body))
}

/// A Presentation manifest as viewers fetch it: JSON-LD, readable from any site.
pub(super) fn presentation(body: serde_json::Value) -> HttpResponse {
    description("application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\"")
        .body(body.to_string())
}

/// A IIIF description (image information or manifest): readable from any site, cached an hour.
fn description(content_type: &str) -> actix_web::HttpResponseBuilder {
    let mut answer = HttpResponse::Ok();
    answer
        .content_type(content_type)
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"));
    answer
}
