//! The OpenAPI 3 description of the API at /openapi.json. It is generated from the handlers'
//! annotations and from the very model types the handlers serialise, so it cannot drift from
//! what the service answers; schemathesis checks that in CI (tests/openapi.rs).

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{api, delivery, metrics, State};
use crate::model::Format;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "brandvault",
        description = "Assets of Bình Phước's image programme: catalogue, approval workflow, \
                       renditions, downloads. Without a token the caller is the public and sees \
                       approved public assets only; anything a caller may not see answers 404."
    ),
    paths(
        api::healthz,
        super::desk::account::me,
        api::list,
        super::upload::upload,
        api::show,
        api::edit,
        api::submit,
        api::approve,
        api::reject,
        api::archive,
        api::reopen,
        super::versions::create,
        super::versions::list,
        super::versions::file,
        super::versions::restore,
        super::subtitles::create,
        super::subtitles::list,
        super::subtitles::remove,
        delivery::download,
        api::spots,
        api::spots_geojson,
        api::brand,
        delivery::stats,
        delivery::kit,
        super::portal::brand::brand_book,
        delivery::rendition,
        delivery::alias,
        super::feed::feed,
        super::portal::oembed::oembed,
        super::iiif::base,
        super::iiif::info,
        super::iiif::image,
        super::iiif::manifest,
        super::share::page,
        super::share::file,
        super::share::zip,
        super::share::manifest,
        super::collections::list,
        super::collections::create,
        super::collections::show,
        super::collections::edit,
        super::collections::delete,
        super::collections::add_item,
        super::collections::remove_item,
        super::collections::share,
        super::collections::revoke,
        document,
        metrics::metrics,
    ),
    components(schemas(api::BBox)),
    modifiers(&BearerToken),
    security((), ("bearer" = [])),
)]
pub struct ApiDoc;

/// API tokens (`brandvault token create`) are sent as `Authorization: Bearer`.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// GET /openapi.json: the generated document, with this brand's vocabulary as the values of
/// the `theme` and `audience` filters.
#[utoipa::path(get, path = "/openapi.json", tag = "service",
    responses((status = 200, description = "This document (OpenAPI 3.1)", content_type = "application/json", body = Object)))]
pub async fn document(state: State) -> HttpResponse {
    HttpResponse::Ok().json(for_brand(&state.brand))
}

/// The document for a brand.
pub fn for_brand(brand: &crate::brand::Brand) -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    // The media types of downloads and renditions, from the types the store accepts.
    let binary = serde_json::json!({"schema": {"type": "string", "format": "binary"}});
    let originals: serde_json::Map<_, _> = crate::model::MediaType::ALL
        .iter()
        .map(|t| (t.mime().to_owned(), binary.clone()))
        .chain(
            Format::ALL
                .iter()
                .map(|f| (f.mime().to_owned(), binary.clone())),
        )
        .collect();
    let parts = ["m4s", "vtt"].map(|ext| crate::model::served_media_type(ext).unwrap_or_default());
    let renditions: serde_json::Map<_, _> = Format::ALL
        .iter()
        .map(|f| f.mime())
        .chain(parts)
        .map(|mime| (mime.to_owned(), binary.clone()))
        .collect();
    for (path, content) in [
        (
            "/paths/~1api~1assets~1{id}~1download/get/responses",
            &originals,
        ),
        ("/paths/~1r~1{name}/get/responses", &renditions),
    ] {
        for status in ["200", "206"] {
            if let Some(response) = doc.pointer_mut(&format!("{path}/{status}")) {
                response["content"] = content.clone().into();
            }
        }
    }
    // The feed shares the listing's filters and its `limit`, not its cursor (it is always
    // the latest entries).
    if let Some(params) = doc
        .pointer_mut("/paths/~1feed.atom/get/parameters")
        .and_then(|p| p.as_array_mut())
    {
        params.retain(|p| p["name"] != "cursor");
    }
    let Some(vocabulary) = brand.guidelines.as_ref().map(|g| &g.vocabulary) else {
        return doc;
    };
    let listings = [
        "/paths/~1api~1assets/get/parameters",
        "/paths/~1feed.atom/get/parameters",
    ];
    let mut params = Vec::new();
    for path in listings {
        // Two distinct pointers into one document: taken one after the other.
        if let Some(p) = doc.pointer(path).and_then(|p| p.as_array()) {
            params.push((path, p.clone()));
        }
    }
    for (path, mut list) in params {
        for param in &mut list {
            vocabulary_enum(param, vocabulary);
        }
        if let Some(slot) = doc.pointer_mut(path) {
            *slot = list.into();
        }
    }
    doc
}

/// The brand's terms as the values of a `theme` or `audience` parameter.
fn vocabulary_enum(param: &mut serde_json::Value, vocabulary: &crate::model::Vocabulary) {
    {
        let terms = match param["name"].as_str() {
            Some("theme") => &vocabulary.themes,
            Some("audience") => &vocabulary.audiences,
            _ => return,
        };
        if !terms.is_empty() {
            let ids: Vec<&str> = terms.iter().map(|t| t.id.as_str()).collect();
            param["schema"]["enum"] = ids.into();
        }
    }
}
