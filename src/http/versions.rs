//! Versions over HTTP: `POST /api/assets/{id}/versions` (multipart `file`, optional
//! `reason`) gives a picture a new file; `GET …/versions` lists them, newest first;
//! `GET …/versions/{hash}` serves one version's file to staff; `POST …/versions/{hash}/restore`
//! makes an earlier one current again (reviewers). The desk's "upload a new version" form
//! posts to `/assets/{id}/versions` with the same fields and its CSRF value.

use actix_web::{web, HttpRequest, HttpResponse};

use super::error::ErrorBody;
use super::upload::{read_multipart, unexpected_field};
use super::{staff, ApiError, State};
use crate::ingest::IngestOptions;
use crate::model::{Actor, Asset, AssetId, Version, Viewer};
use crate::store::Put;
use crate::versions::VersionError;

/// The record probed from stored bytes, or why they are refused.
fn probed(
    st: &super::AppState,
    put: Put,
    name: &str,
    limit: u64,
    kind: crate::model::Kind,
    actor: &Actor,
    now: &str,
) -> Result<Asset, VersionError> {
    let options = IngestOptions {
        tags: Vec::new(),
        kind: Some(kind),
        metadata: Default::default(),
        spot: None,
        limits: st.settings.limits,
        max_bytes: limit,
        actor: actor.name.clone(),
        at: now.to_owned(),
        uploader: None,
    };
    st.ingester()
        .probe_file(put, name, &options)
        .map_err(|r| VersionError::Refused {
            kind: r.kind,
            code: r.code,
            message: r.message,
        })
}

/// A new version as posted: the stored file and the form's other fields.
pub(crate) struct Upload {
    name: String,
    put: Put,
    limit: u64,
    reason: String,
    /// The desk form's CSRF value (the API takes the session's from its header).
    pub(crate) csrf: String,
}

/// Reads a new version's multipart body: `file`, and `reason` and `csrf` if given.
pub(crate) async fn read_upload(
    state: &State,
    payload: &mut actix_multipart::Multipart,
) -> Result<Upload, ApiError> {
    let (mut reason, mut csrf) = (String::new(), String::new());
    let (name, put, limit) = read_multipart(state, payload, |field, value| {
        match field {
            "reason" => reason = value,
            "csrf" => csrf = value,
            other => return Err(unexpected_field(other)),
        }
        Ok(())
    })
    .await?;
    Ok(Upload {
        name,
        put,
        limit,
        reason,
        csrf,
    })
}

/// Gives `asset` the uploaded file as its new version: the id of the record to render (the
/// asset, or its new version waiting in review), rendered in the background.
pub(crate) async fn add(
    state: &State,
    asset: &Asset,
    viewer: &Viewer,
    upload: Upload,
) -> Result<AssetId, ApiError> {
    let actor = staff(viewer)?;
    let (st, id, kind, now) = (state.clone(), asset.id, asset.kind, viewer.now.clone());
    let renders = web::block(move || {
        let Upload {
            name,
            put,
            limit,
            reason,
            ..
        } = upload;
        let file = probed(&st, put, &name, limit, kind, &actor, &now)?;
        let reason = Some(reason.as_str()).filter(|r| !r.trim().is_empty());
        st.workflow().add_version(&id, file, &actor, reason, &now)
    })
    .await??;
    super::render_in_background(state.get_ref().clone(), vec![renders]);
    Ok(renders)
}

/// The multipart body of a new version: `file`, and why (optional).
pub(crate) struct VersionUpload;

impl utoipa::PartialSchema for VersionUpload {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, KnownFormat, SchemaFormat};
        use utoipa::openapi::{ObjectBuilder, Type};
        let file = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)));
        let reason = ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(4096))
            .description(Some("Why the file is replaced"));
        ObjectBuilder::new()
            .property("file", file)
            .required("file")
            .property("reason", reason)
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl utoipa::ToSchema for VersionUpload {}

/// POST /api/assets/{id}/versions
#[utoipa::path(post, path = "/api/assets/{id}/versions", tag = "assets", operation_id = "add_version",
    params(("id" = AssetId, Path, description = "The asset's id")),
    request_body(content = VersionUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The asset with its `versions`, newest first: current at once for a picture not yet published; for a published one, the new version waits in review and the approved file stays live", body = Asset),
        (status = 400, description = "No `file`, an unknown field, or a damaged file", body = ErrorBody),
        (status = 403, description = "Only the picture's reviewers and its own designer give it a new version", body = ErrorBody),
        (status = 404, description = "No such asset, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "The same file again, a file already in the library, or a new version already waiting for review", body = ErrorBody),
        (status = 413, description = "Over the upload limit", body = ErrorBody),
        (status = 415, description = "Not a supported file", body = ErrorBody),
    ))]
pub async fn create(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    mut payload: actix_multipart::Multipart,
) -> Result<HttpResponse, ApiError> {
    let (asset, viewer) = super::api::visible_asset(&state, &req, &id).await?;
    staff(&viewer)?;
    let upload = read_upload(&state, &mut payload).await?;
    add(&state, &asset, &viewer, upload).await?;
    let now = super::api::visible_to(&state, &viewer, &id).await?;
    Ok(HttpResponse::Created().json(now))
}

/// The versions of an asset, newest first (its one file while it has never been replaced).
fn listed(asset: &Asset) -> Vec<Version> {
    if asset.versions.is_empty() {
        vec![Version::of(asset, crate::model::VersionState::Current)]
    } else {
        asset.versions.clone()
    }
}

/// GET /api/assets/{id}/versions
#[utoipa::path(get, path = "/api/assets/{id}/versions", tag = "assets", operation_id = "list_versions",
    params(("id" = AssetId, Path, description = "The asset's id")),
    responses(
        (status = 200, description = "Its versions, newest first", body = Vec<Version>),
        (status = 404, description = "No such asset, or the caller is not staff or may not see it", body = ErrorBody),
    ))]
pub async fn list(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (asset, viewer) = super::api::visible_asset(&state, &req, &id).await?;
    staff(&viewer)?;
    Ok(HttpResponse::Ok().json(listed(&asset)))
}

/// The version `hash` of `asset`.
fn find(asset: &Asset, hash: &str) -> Result<Version, ApiError> {
    listed(asset)
        .into_iter()
        .find(|v| v.hash == hash)
        .ok_or_else(ApiError::not_found)
}

/// The version `hash` of a visible asset, for staff.
async fn version_of(
    state: &State,
    req: &HttpRequest,
    id: &str,
    hash: &str,
) -> Result<(Asset, Viewer, Version), ApiError> {
    let (asset, viewer) = super::api::visible_asset(state, req, id).await?;
    staff(&viewer)?;
    let version = find(&asset, hash)?;
    Ok((asset, viewer, version))
}

/// GET /api/assets/{id}/versions/{hash}: that version's file, as stored.
#[utoipa::path(get, path = "/api/assets/{id}/versions/{hash}", tag = "assets", operation_id = "version_file",
    params(("id" = AssetId, Path, description = "The asset's id"),
        ("hash" = String, Path, description = "The version's BLAKE3 (from the list)")),
    responses(
        (status = 200, description = "The file"),
        (status = 404, description = "No such asset or version, or the caller is not staff", body = ErrorBody),
    ))]
pub async fn file(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, hash) = path.into_inner();
    let (_, _, version) = version_of(&state, &req, &id, &hash).await?;
    let object = crate::store::Hash::from_hex(&version.hash).map_err(|_| ApiError::not_found())?;
    let etag = format!("\"{}\"", version.hash);
    let answer = super::delivery::Answer {
        mime: &version.media_type,
        download_name: Some(version.name.as_str()),
        etag: &etag,
        cache: "private, max-age=3600",
    };
    super::delivery::serve_object(&req, &state, object, answer).await
}

/// POST /api/assets/{id}/versions/{hash}/restore: an earlier version current again.
#[utoipa::path(post, path = "/api/assets/{id}/versions/{hash}/restore", tag = "assets", operation_id = "restore_version",
    params(("id" = AssetId, Path, description = "The asset's id"),
        ("hash" = String, Path, description = "An earlier version's BLAKE3")),
    responses(
        (status = 200, description = "The asset, that version current", body = Asset),
        (status = 403, description = "Only reviewers restore versions", body = ErrorBody),
        (status = 404, description = "No such asset or earlier version, or the caller is not staff", body = ErrorBody),
        (status = 410, description = "That version's file was removed (`gc --drop-earlier-versions`)", body = ErrorBody),
    ))]
pub async fn restore(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, hash) = path.into_inner();
    let (asset, viewer) = super::api::visible_asset(&state, &req, &id).await?;
    restore_version(&state, asset, &viewer, &hash).await?;
    Ok(HttpResponse::Ok().json(super::api::visible_to(&state, &viewer, &id).await?))
}

/// Makes the version `hash` of `asset` (visible to `viewer`) current again.
pub(crate) async fn restore_version(
    state: &State,
    asset: Asset,
    viewer: &Viewer,
    hash: &str,
) -> Result<(), ApiError> {
    let actor = staff(viewer)?;
    let version = find(&asset, hash)?;
    let object = crate::store::Hash::from_hex(&version.hash).map_err(|_| ApiError::not_found())?;
    let (st, now, kind, id) = (state.clone(), viewer.now.clone(), asset.kind, asset.id);
    web::block(move || {
        if !st.store.exists(&object) {
            return Err(VersionError::Gone);
        }
        let put = Put {
            hash: object,
            bytes: version.bytes,
            inserted: crate::store::Inserted::Existing,
        };
        let file = probed(&st, put, &version.name, u64::MAX, kind, &actor, &now)?;
        st.workflow().restore_version(&id, file, &actor, &now)
    })
    .await??;
    super::refresh_renditions(state, vec![id]).await;
    Ok(())
}
