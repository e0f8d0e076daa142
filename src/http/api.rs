//! The JSON API.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::ErrorBody;
use super::{viewer, ApiError, State};
use crate::catalog::{Filter, Patch};
use crate::model::{Access, Asset, AssetId, ErrorKind, Kind, Status};
use crate::workflow::Action;

/// The answer of /healthz.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the service answers.
    status: &'static str,
    /// Assets in the catalogue.
    assets: usize,
}

/// GET /healthz
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "The service is up", body = Health)))]
pub async fn healthz(state: State) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let assets = web::block(move || st.catalog.len()).await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok",
        assets,
    }))
}

/// Filters of a listing.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub kind: Option<Kind>,
    pub status: Option<Status>,
    /// A check-in spot: its id or a name (accents ignored).
    pub spot: Option<String>,
    /// A tag; a vocabulary term matches in any of its forms.
    pub tag: Option<String>,
    /// A theme of the programme (id or name, any language, accents ignored).
    pub theme: Option<String>,
    /// An audience of the programme.
    pub audience: Option<String>,
    /// Captured on or after, YYYY-MM-DD.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Captured on or before, YYYY-MM-DD.
    #[param(format = Date)]
    pub to: Option<String>,
    /// `west,south,east,north` in decimal degrees within ±180: west > east crosses the
    /// antimeridian, latitudes beyond the poles are the poles, south and north in either order.
    #[param(value_type = Option<BBox>, style = Form, explode = false)]
    pub bbox: Option<String>,
    /// Words of the names, caption, credit, tags and spot; accents and case ignored.
    pub q: Option<String>,
    /// `next_cursor` of the previous page.
    #[param(value_type = Option<AssetId>)]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
}

/// `bbox` as the schema describes it: four numbers within ±180.
pub(super) struct BBox;

impl utoipa::PartialSchema for BBox {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{ArrayBuilder, ObjectBuilder, Type};
        let degrees = ObjectBuilder::new()
            .schema_type(Type::Number)
            .minimum(Some(-180.0))
            .maximum(Some(180.0));
        ArrayBuilder::new()
            .items(degrees)
            .min_items(Some(4))
            .max_items(Some(4))
            .into()
    }
}

impl ToSchema for BBox {}

impl ListQuery {
    /// The catalogue filter for these parameters (everything but paging and the viewer),
    /// or a 400 naming the bad parameter.
    pub fn filter(&self, brand: &crate::brand::Brand) -> Result<Filter, ApiError> {
        let bad = |code: &'static str, message: String| {
            ApiError::new(ErrorKind::InvalidInput, code, &message)
        };
        let mut tags: Vec<Vec<String>> = self
            .tag
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| brand.tag_alternatives(t))
            .collect();
        for (value, audiences, code) in [
            (&self.theme, false, "unknown-theme"),
            (&self.audience, true, "unknown-audience"),
        ] {
            if let Some(v) = value.as_deref() {
                let term = brand
                    .term(audiences, v)
                    .ok_or_else(|| bad(code, format!("{v:?} is not in the vocabulary")))?;
                tags.push(term.tag_forms());
            }
        }
        let date = |d: &Option<String>| {
            d.as_deref()
                .map(|d| crate::model::parse_date(d).map_err(|m| bad("bad-date", m)))
                .transpose()
        };
        let spot = self.spot.as_deref().filter(|s| !s.is_empty()).map(|s| {
            brand
                .gazetteer
                .find(s)
                .map_or(s.to_owned(), |sp| sp.id.clone())
        });
        Ok(Filter {
            kind: self.kind,
            status: self.status,
            spot,
            tags,
            captured_from: date(&self.from)?,
            captured_to: date(&self.to)?,
            bbox: self
                .bbox
                .as_deref()
                .map(|b| crate::model::parse_bbox(b).map_err(|m| bad("bad-bbox", m)))
                .transpose()?,
            query: self.q.clone().filter(|q| !q.is_empty()),
            ..Default::default()
        })
    }
}

/// One page of a listing, as OpenAPI describes it. Never built: `list` writes this shape from
/// the stored records (`page_body`), and `tests/listing.rs` holds each item to `GET
/// /api/assets/{id}`.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct AssetPage {
    items: Vec<Asset>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<AssetId>,
}

/// GET /api/assets: filtered, cursor-paginated, only what the caller may see.
#[utoipa::path(get, path = "/api/assets", tag = "assets", params(ListQuery),
    responses(
        (status = 200, description = "A page of the assets the caller may see, in id order (stable under the cursor)", body = AssetPage),
        (status = 400, description = "A malformed filter (the code names it)", body = ErrorBody),
    ))]
pub async fn list(
    state: State,
    req: HttpRequest,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &req).await?;
    let q = query.into_inner();
    let limit = match q.limit {
        None => 50,
        Some(n @ 1..=500) => n,
        Some(_) => {
            return Err(ApiError::new(
                ErrorKind::InvalidInput,
                "bad-limit",
                "limit is 1 to 500",
            ))
        }
    };
    let after = match q.cursor.as_deref() {
        Some(c) => Some(c.parse::<AssetId>().map_err(|_| {
            ApiError::new(
                ErrorKind::InvalidInput,
                "bad-cursor",
                "cursor is not an asset id",
            )
        })?),
        None => None,
    };
    let filter = Filter {
        after,
        limit: Some(limit + 1),
        viewer: Some(viewer),
        ..q.filter(&state.brand)?
    };
    let st = state.clone();
    let page = web::block(move || st.catalog.list_json(&filter)).await??;
    Ok(HttpResponse::Ok()
        .content_type(mime::APPLICATION_JSON)
        .body(page_body(&page, limit)))
}

/// An `AssetPage` of the first `limit` records, written from the records as stored (the
/// catalogue keeps them in the current shape): a page of 50 is then copied, not decoded and
/// encoded again. A record past `limit` means there is a next page.
fn page_body(records: &[crate::catalog::AssetJson], limit: usize) -> Vec<u8> {
    let items = &records[..records.len().min(limit)];
    let next = items.last().filter(|_| records.len() > limit).map(|r| r.id);
    let mut body =
        Vec::with_capacity(items.iter().map(|r| r.as_bytes().len() + 1).sum::<usize>() + 100);
    body.extend_from_slice(b"{\"items\":[");
    for (i, record) in items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(record.as_bytes());
    }
    body.extend_from_slice(b"],\"next_cursor\":");
    // An id or null, encoded as everywhere else (cannot fail: a hex string or null).
    body.extend(serde_json::to_vec(&next).unwrap_or_else(|_| b"null".to_vec()));
    body.push(b'}');
    body
}

/// The first of `ids` that `viewer` may not see, whether it exists or not: batch routes answer
/// for it exactly as for an id that does not exist, so a file's hash never tells an account
/// whether the file is in the library.
pub async fn first_unseen(
    state: &State,
    viewer: &crate::model::Viewer,
    ids: &[AssetId],
) -> Result<Option<AssetId>, ApiError> {
    let (st, who, wanted) = (state.clone(), viewer.clone(), ids.to_vec());
    Ok(web::block(move || st.catalog.first_refused(&wanted, |v| who.may_see(v))).await??)
}

/// Loads an asset the caller may see, or 404.
pub async fn visible_asset(
    state: &State,
    req: &HttpRequest,
    id: &str,
) -> Result<(crate::model::Asset, crate::model::Viewer), ApiError> {
    visible_asset_for(state, req, id, None).await
}

/// `visible_asset` for a submitted form carrying its CSRF field.
pub async fn visible_asset_for(
    state: &State,
    req: &HttpRequest,
    id: &str,
    form_csrf: Option<&str>,
) -> Result<(crate::model::Asset, crate::model::Viewer), ApiError> {
    let viewer = super::caller(state, req, form_csrf).await?;
    let asset = visible_to(state, &viewer, id).await?;
    Ok((asset, viewer))
}

/// The asset `id` if `viewer` may see it, else 404. Visibility is decided before the record is
/// read: a hidden asset costs what a missing one does, so timing does not tell them apart.
pub async fn visible_to(
    state: &State,
    viewer: &crate::model::Viewer,
    id: &str,
) -> Result<crate::model::Asset, ApiError> {
    let id: AssetId = id.parse().map_err(|_| ApiError::not_found())?;
    let (st, who) = (state.clone(), viewer.clone());
    let asset = web::block(move || st.catalog.asset_if(&id, |v| who.may_see(v))).await??;
    asset.ok_or_else(ApiError::not_found)
}

/// GET /api/assets/{id}
#[utoipa::path(get, path = "/api/assets/{id}", tag = "assets", params(("id" = AssetId, Path, description = "The asset's id")),
    responses(
        (status = 200, description = "The asset", body = Asset),
        (status = 404, description = "No such asset, or not one the caller may see", body = ErrorBody),
    ))]
pub async fn show(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (asset, _) = visible_asset(&state, &req, &id).await?;
    Ok(HttpResponse::Ok().json(asset))
}

/// The body of PATCH /api/assets/{id}: only the fields given change; null clears.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    #[serde(default, deserialize_with = "some")]
    caption_vi: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    caption_en: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    title_vi: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    title_en: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    credit: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    copyright: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    license: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    consent: Option<Option<bool>>,
    access: Option<Access>,
    #[serde(default)]
    add_tags: Vec<String>,
    #[serde(default)]
    remove_tags: Vec<String>,
    /// Where the subject is, for crops of another shape (social squares, vertical cuts of a
    /// film); null: the centre again.
    #[serde(default, deserialize_with = "some")]
    focus: Option<Option<crate::model::Focus>>,
}

/// Distinguishes a field set to null (Some(None)) from a missing one (None).
pub(super) fn some<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// PATCH /api/assets/{id}: metadata edits by its owner or a reviewer.
#[utoipa::path(patch, path = "/api/assets/{id}", tag = "assets", params(("id" = AssetId, Path, description = "The asset's id")),
    request_body = EditBody,
    responses(
        (status = 200, description = "The asset as edited", body = Asset),
        (status = 400, description = "A malformed body or value", body = ErrorBody),
        (status = 403, description = "The caller may see the asset but not edit it", body = ErrorBody),
        (status = 404, description = "No such asset, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "The asset's status forbids the edit", body = ErrorBody),
        (status = 413, description = "The body is over 64 KiB", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ))]
pub async fn edit(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    body: super::json::JsonObject<EditBody>,
) -> Result<HttpResponse, ApiError> {
    let (asset, viewer) = visible_asset(&state, &req, &id).await?;
    let actor = viewer.actor.ok_or_else(ApiError::not_found)?;
    let b = body.into_inner();
    let patch = Patch {
        caption_vi: b.caption_vi,
        caption_en: b.caption_en,
        title_vi: b.title_vi,
        title_en: b.title_en,
        credit: b.credit,
        copyright: b.copyright,
        license: b.license,
        consent: b.consent,
        access: b.access,
        add_tags: b.add_tags,
        remove_tags: b.remove_tags,
        focus: b.focus,
        ..Default::default()
    };
    if b.focus.flatten().is_some_and(|f| !f.is_valid()) {
        let why = "focus is two fractions between 0 and 1: {\"x\": 0.5, \"y\": 0.3}";
        return Err(ApiError::new(ErrorKind::InvalidInput, "bad-field", why));
    }
    let st = state.clone();
    let now = viewer.now;
    let updated = web::block(move || st.workflow().edit(&asset.id, patch, &actor, &now)).await??;
    super::refresh_renditions(&state, vec![updated.id]).await;
    // The record as the refresh left it (its renditions' new addresses).
    let st = state.clone();
    let updated = web::block(move || st.catalog.asset(&updated.id))
        .await??
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(updated))
}

/// The optional body of a workflow step.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// Why; shown to the asset's owner.
    reason: Option<String>,
    /// A reviewer's justification for approving despite violations.
    #[serde(rename = "override")]
    justification: Option<String>,
}

/// The body of a rejection: the reason is required.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only described: read as a `StepBody`, the workflow enforces the reason.
pub(super) struct RejectBody {
    /// Why, in words (at least one visible character); shown to the asset's owner.
    #[schema(pattern = r"[^\s\x00-\x1f\x7f-\x9f]")]
    reason: String,
    #[serde(rename = "override")]
    justification: Option<String>,
}

/// POST /api/assets/{id}/submit: the owner asks for review.
#[utoipa::path(post, path = "/api/assets/{id}/submit", tag = "workflow",
    params(("id" = AssetId, Path, description = "The asset's id")),
    request_body(content = Option<StepBody>, description = "Optional"),
    responses(StepResponses))]
pub async fn submit(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(state, req, &id, Action::Submit, &body).await
}

/// POST /api/assets/{id}/approve: a reviewer publishes it (`override` to approve despite
/// guideline violations).
#[utoipa::path(post, path = "/api/assets/{id}/approve", tag = "workflow",
    params(("id" = AssetId, Path, description = "The asset's id")),
    request_body(content = Option<StepBody>, description = "Optional"),
    responses(StepResponses))]
pub async fn approve(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(state, req, &id, Action::Approve, &body).await
}

/// POST /api/assets/{id}/reject: a reviewer sends it back, saying why.
#[utoipa::path(post, path = "/api/assets/{id}/reject", tag = "workflow",
    params(("id" = AssetId, Path, description = "The asset's id")),
    request_body(content = RejectBody),
    responses(StepResponses))]
pub async fn reject(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(state, req, &id, Action::Reject, &body).await
}

/// POST /api/assets/{id}/archive: withdrawn from publication.
#[utoipa::path(post, path = "/api/assets/{id}/archive", tag = "workflow",
    params(("id" = AssetId, Path, description = "The asset's id")),
    request_body(content = Option<StepBody>, description = "Optional"),
    responses(StepResponses))]
pub async fn archive(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(state, req, &id, Action::Archive, &body).await
}

/// POST /api/assets/{id}/reopen: a rejected or archived asset back to draft.
#[utoipa::path(post, path = "/api/assets/{id}/reopen", tag = "workflow",
    params(("id" = AssetId, Path, description = "The asset's id")),
    request_body(content = Option<StepBody>, description = "Optional"),
    responses(StepResponses))]
pub async fn reopen(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(state, req, &id, Action::Reopen, &body).await
}

/// What every workflow step may answer.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // Only described.
enum StepResponses {
    /// The asset after the step
    #[response(status = 200)]
    Done(#[to_schema] Box<Asset>),
    /// A malformed body, or a rejection without a reason
    #[response(status = 400)]
    Invalid(#[to_schema] ErrorBody),
    /// The caller's role may not take this step
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such asset, or one the caller may not see
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Not a step from the asset's status, or guideline violations without an override
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The body is over 64 KiB
    #[response(status = 413)]
    TooLarge(ErrorBody),
}

/// A workflow step; the body is optional JSON (empty, `null` or a `StepBody`).
async fn step(
    state: State,
    req: HttpRequest,
    id: &str,
    action: Action,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let body: StepBody = super::json::optional_object(body)?;
    let (asset, viewer) = visible_asset(&state, &req, id).await?;
    let actor = viewer.actor.ok_or_else(ApiError::not_found)?;
    let st = state.clone();
    let now = viewer.now;
    let updated = web::block(move || {
        let step = crate::workflow::Step {
            reason: body.reason.as_deref(),
            justification: body.justification.as_deref(),
            access: None,
        };
        st.workflow()
            .transition(&asset.id, action, &actor, step, &now)
    })
    .await??;
    super::refresh_renditions(&state, vec![updated.id]).await;
    // The record as the refresh left it (its renditions' new addresses).
    let st = state.clone();
    let updated = web::block(move || st.catalog.asset(&updated.id))
        .await??
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(updated))
}

/// A check-in spot with what the caller may see there.
#[derive(Serialize, ToSchema)]
pub struct SpotCount {
    #[serde(flatten)]
    pub spot: crate::model::Spot,
    /// Assets at the spot the caller may see.
    pub assets: usize,
    /// Of those, the approved ones.
    pub approved: usize,
}

/// GET /api/spots
#[utoipa::path(get, path = "/api/spots", tag = "spots",
    responses((status = 200, description = "The gazetteer with asset counts", body = Vec<SpotCount>)))]
pub async fn spots(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &req).await?;
    let st = state.clone();
    let counts = web::block(move || spot_counts(&st, viewer)).await??;
    Ok(HttpResponse::Ok().json(counts))
}

/// GET /api/spots.geojson
#[utoipa::path(get, path = "/api/spots.geojson", tag = "spots",
    responses((status = 200, description = "The spots as a GeoJSON FeatureCollection of points", content_type = "application/geo+json", body = Object)))]
pub async fn spots_geojson(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &req).await?;
    let st = state.clone();
    let doc = web::block(move || {
        let counts = spot_counts(&st, viewer)?;
        let rows: Vec<(&crate::model::Spot, usize, usize)> = st
            .brand
            .gazetteer
            .spots
            .iter()
            .zip(counts.iter())
            .map(|(s, c)| (s, c.assets, c.approved))
            .collect();
        Ok::<_, crate::catalog::CatalogError>(crate::geo::geojson(&rows))
    })
    .await??;
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .json(doc))
}

/// Each spot with the number of assets (and approved assets) the viewer may see there.
pub(super) fn spot_counts(
    st: &super::AppState,
    viewer: crate::model::Viewer,
) -> Result<Vec<SpotCount>, crate::catalog::CatalogError> {
    // One pass over the in-memory listing: no record is read.
    let counts = st.catalog.count_by_spot(&Filter {
        viewer: Some(viewer),
        ..Default::default()
    })?;
    Ok(st
        .brand
        .gazetteer
        .spots
        .iter()
        .map(|spot| {
            let (assets, approved) = counts.get(&spot.id).copied().unwrap_or_default();
            SpotCount {
                spot: spot.clone(),
                assets,
                approved,
            }
        })
        .collect())
}

/// The identity an agency builds with.
#[derive(Serialize, ToSchema)]
pub struct BrandInfo<'a> {
    guidelines: &'a Option<crate::model::Guidelines>,
    presets: &'a [crate::model::Preset],
    extent: Option<crate::model::Extent>,
}

/// GET /api/brand
#[utoipa::path(get, path = "/api/brand", tag = "brand",
    responses((status = 200, description = "Guidelines (palette, typefaces, logo rules, slogans, vocabulary), rendition presets and the territory's extent", body = BrandInfo)))]
pub async fn brand(state: State) -> HttpResponse {
    let b = &state.brand;
    HttpResponse::Ok().json(BrandInfo {
        guidelines: &b.guidelines,
        presets: &b.presets,
        extent: b.gazetteer.extent,
    })
}
