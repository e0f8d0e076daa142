//! The JSON API.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::ErrorBody;
use super::{viewer, ApiError, State};
use crate::catalog::{Filter, Patch};
use crate::ingest::IngestOptions;
use crate::model::{Access, Asset, AssetId, ErrorKind, Kind, Status};
use crate::store::{BlobStore, Durability};
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

/// One page of a listing.
#[derive(Serialize, ToSchema)]
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
    let page = web::block(move || st.catalog.list(&filter)).await??;
    let more = page.len() > limit;
    let items: Vec<_> = page.into_iter().take(limit).collect();
    let next = if more {
        items.last().map(|a| a.id)
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(AssetPage {
        items,
        next_cursor: next,
    }))
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
    let id: AssetId = id.parse().map_err(|_| ApiError::not_found())?;
    let (st, who) = (state.clone(), viewer.clone());
    // Visibility is decided before the record is read: a hidden asset costs what a missing
    // one does, so timing does not tell them apart.
    let asset = web::block(move || st.catalog.asset_if(&id, |v| who.may_see(v))).await??;
    asset.map(|a| (a, viewer)).ok_or_else(ApiError::not_found)
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
    credit: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    license: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    consent: Option<Option<bool>>,
    access: Option<Access>,
    #[serde(default)]
    add_tags: Vec<String>,
    #[serde(default)]
    remove_tags: Vec<String>,
}

/// Distinguishes a field set to null (Some(None)) from a missing one (None).
fn some<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
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
    body: web::Json<EditBody>,
) -> Result<HttpResponse, ApiError> {
    let (asset, viewer) = visible_asset(&state, &req, &id).await?;
    let actor = viewer.actor.ok_or_else(ApiError::not_found)?;
    let b = body.into_inner();
    let patch = Patch {
        caption_vi: b.caption_vi,
        caption_en: b.caption_en,
        credit: b.credit,
        license: b.license,
        consent: b.consent,
        access: b.access,
        add_tags: b.add_tags,
        remove_tags: b.remove_tags,
        ..Default::default()
    };
    let st = state.clone();
    let now = viewer.now;
    let updated = web::block(move || st.workflow().edit(&asset.id, patch, &actor, &now)).await??;
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
    let bad = |message: String| ApiError::new(ErrorKind::InvalidInput, "bad-json", message);
    let body: StepBody = if body.trim_ascii().is_empty() {
        StepBody::default()
    } else {
        // An object or null: serde would also read a struct from an array.
        match serde_json::from_slice(body).map_err(|e| bad(e.to_string()))? {
            serde_json::Value::Null => StepBody::default(),
            v @ serde_json::Value::Object(_) => {
                serde_json::from_value(v).map_err(|e| bad(e.to_string()))?
            }
            _ => return Err(bad("the body is a JSON object".into())),
        }
    };
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
    Ok(HttpResponse::Ok().json(updated))
}

fn unexpected_field() -> ApiError {
    ApiError::new(
        ErrorKind::InvalidInput,
        "unexpected-field",
        "an upload has one field, `file`",
    )
}

/// A blocking reader fed with the chunks of an upload, so the store can hash and write the
/// stream as it arrives without ever holding the whole file.
struct ChannelReader {
    rx: std::sync::mpsc::Receiver<web::Bytes>,
    current: web::Bytes,
    /// Set by the sender when the upload failed or went over the limit: the end of the
    /// channel is then an error, never a short but valid object.
    aborted: Arc<AtomicBool>,
}

impl std::io::Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.recv() {
                Ok(chunk) => self.current = chunk,
                Err(_) if self.aborted.load(Ordering::Relaxed) => {
                    return Err(std::io::Error::other("upload aborted"))
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// The multipart body of an upload: one field, `file`, whose name is kept (NFC) as the
/// asset's name.
struct UploadForm;

impl utoipa::PartialSchema for UploadForm {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, KnownFormat, SchemaFormat};
        use utoipa::openapi::{ObjectBuilder, Type};
        let file = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)));
        ObjectBuilder::new()
            .property("file", file)
            .required("file")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl ToSchema for UploadForm {}

/// POST /api/assets (multipart, field `file`): designers and reviewers upload; the bytes are
/// streamed into the store while hashing; over the limit answers 413.
#[utoipa::path(post, path = "/api/assets", tag = "assets",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "A new asset", body = Asset),
        (status = 200, description = "These bytes were already catalogued as an asset the caller may see: that asset", body = Asset),
        (status = 202, description = "Received; the bytes are handled by the brand team (nothing about them is shown to this caller)", body = ErrorBody),
        (status = 400, description = "Not a multipart body with a `file`, or a damaged file", body = ErrorBody),
        (status = 403, description = "Uploading needs a designer's or brand manager's token", body = ErrorBody),
        (status = 413, description = "Over the upload limit (images 200 MiB, videos 4 GiB by default)", body = ErrorBody),
        (status = 415, description = "Not a supported image, video or logo", body = ErrorBody),
    ))]
pub async fn upload(
    state: State,
    req: HttpRequest,
    mut payload: actix_multipart::Multipart,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &req).await?;
    let actor = viewer
        .actor
        .clone()
        .filter(|a| a.role.edits())
        .ok_or_else(|| {
            ApiError::new(
                ErrorKind::Forbidden,
                "forbidden",
                "uploading needs a designer's or brand manager's token",
            )
        })?;
    let Some(field) = payload.next().await else {
        return Err(ApiError::new(
            ErrorKind::InvalidInput,
            "no-file",
            "the multipart body has no `file` field",
        ));
    };
    let mut field = field
        .map_err(|e| ApiError::new(ErrorKind::InvalidInput, "bad-multipart", e.to_string()))?;
    if field.name() != Some("file") {
        return Err(unexpected_field());
    }
    let name = field
        .content_disposition()
        .and_then(|cd| cd.get_filename().map(str::to_owned))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "upload".to_owned());
    // Only the base name: a client's path means nothing here.
    let name = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("upload")
        .to_owned();
    let (tx, rx) = std::sync::mpsc::sync_channel(8);
    let aborted = Arc::new(AtomicBool::new(false));
    let reader_aborted = aborted.clone();
    let st = state.clone();
    let writer = web::block(move || {
        st.store.put_reader(
            &mut ChannelReader {
                rx,
                current: web::Bytes::new(),
                aborted: reader_aborted,
            },
            Durability::Durable,
        )
    });
    let writer = actix_web::rt::spawn(writer);
    // The limit is chosen from the name before the bytes arrive, and enforced as they do.
    let is_video = matches!(
        name.rsplit('.')
            .next()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("mp4" | "mov" | "m4v" | "webm" | "mkv")
    );
    let limit = if is_video {
        state.settings.max_upload_video_bytes
    } else {
        state.settings.max_upload_image_bytes
    };
    let mut total: u64 = 0;
    let mut too_large = false;
    while let Some(chunk) = field.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(_) => {
                aborted.store(true, Ordering::Relaxed);
                break;
            }
        };
        total += chunk.len() as u64;
        if total > limit {
            too_large = true;
            aborted.store(true, Ordering::Relaxed);
            break;
        }
        // The blocking writer drains the channel; wait without blocking this worker.
        let mut pending = Some(chunk);
        while let Some(c) = pending.take() {
            match tx.try_send(c) {
                Ok(()) => {}
                Err(std::sync::mpsc::TrySendError::Full(c)) => {
                    pending = Some(c);
                    actix_web::rt::task::yield_now().await;
                }
                Err(_) => break,
            }
        }
    }
    drop(tx);
    let put = writer
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let put = match put {
        Ok(p) => p,
        Err(_) if too_large => {
            return Err(ApiError::new(
                ErrorKind::TooLarge,
                "too-large",
                format!("the upload is over the limit of {limit} bytes"),
            ))
        }
        Err(e) if e.is_disk_full() => return Err(ApiError::disk_full(e)),
        Err(e) => {
            tracing::warn!("upload failed: {e}");
            return Err(ApiError::new(
                ErrorKind::InvalidInput,
                "upload-failed",
                "the upload did not arrive whole; send it again",
            ));
        }
    };
    // Nothing may follow the file; the stored bytes are then unreferenced, for gc. (The
    // multipart stream yields the next field only once this one is dropped.)
    drop(field);
    if payload.next().await.is_some() {
        return Err(unexpected_field());
    }
    let st = state.clone();
    let uploader = viewer.clone();
    let report = web::block(move || {
        let options = IngestOptions {
            tags: Vec::new(),
            kind: None,
            limits: st.settings.limits,
            max_bytes: limit,
            actor: actor.name.clone(),
            at: uploader.now.clone(),
            uploader: Some(uploader),
        };
        st.ingester().ingest_stored(put, &name, &options)
    })
    .await?
    .map_err(ApiError::internal)?;
    state.metrics.ingested(&report);
    if let Some(r) = report.rejected.first() {
        let kind = match r.code.as_str() {
            "unsupported-type" => ErrorKind::Unsupported,
            "too-large" => ErrorKind::TooLarge,
            "disk-full" => return Err(ApiError::disk_full(&r.message)),
            // Reading back our own stored copy failed: ours to log, not the caller's to read.
            "unreadable-file" => return Err(ApiError::internal(&r.message)),
            _ => ErrorKind::InvalidInput,
        };
        return Err(ApiError::new(kind, &r.code, r.message.clone()));
    }
    if !report.withheld.is_empty() {
        // The bytes are an asset this uploader may not see: it does not exist for them, so
        // neither its record nor its existence is told; the upload is simply received.
        return Ok(HttpResponse::Accepted().json(ErrorBody {
            code: "received".into(),
            message: "the file was received and passed to the brand team".into(),
        }));
    }
    let id = report.added.first().or(report.duplicates.first()).copied();
    let st = state.clone();
    let asset = web::block(move || id.map(|id| st.catalog.asset(&id)).transpose())
        .await??
        .flatten()
        .ok_or_else(|| ApiError::internal("uploaded asset vanished"))?;
    super::render_in_background(state.get_ref().clone(), report.added.clone());
    let status = if report.added.is_empty() { 200 } else { 201 };
    Ok(
        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default())
            .json(asset),
    )
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
