//! Subtitles over HTTP: `POST /api/assets/{id}/subtitles` (multipart `file`, `lang`) adds or
//! replaces a film's track in that language; `GET …/subtitles` lists them; `DELETE
//! …/subtitles/{lang}` removes one; `/a/{id}/subtitles/{lang}.vtt` serves a track as WebVTT to
//! whoever may see the film (a public film's tracks to any site's player). The desk's form
//! posts to `/assets/{id}/subtitles` with the same fields and its CSRF value.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;

use super::error::ErrorBody;
use super::upload::{file_name, read_text, unexpected_field};
use super::{ApiError, State};
use crate::media::subtitles::MAX_BYTES;
use crate::model::{Access, Asset, ErrorKind, Subtitle, Viewer};

/// One track as the API lists it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Track {
    /// BCP 47 tag, canonical case.
    pub lang: String,
    /// The language's name in that language.
    pub label: String,
    pub cues: u32,
    pub bytes: u64,
    /// Where the WebVTT file is served.
    pub url: String,
}

impl Track {
    pub fn of(asset: &Asset, s: &Subtitle) -> Self {
        Track {
            lang: s.lang.clone(),
            label: s.label(),
            cues: s.cues,
            bytes: s.bytes,
            url: track_url(asset, &s.lang),
        }
    }
}

/// The stable address of a film's track.
pub fn track_url(asset: &Asset, lang: &str) -> String {
    format!("/a/{}/subtitles/{lang}.vtt", asset.id)
}

/// A subtitle upload as posted: the file's name and bytes, its language, and (desk) CSRF.
pub(crate) struct TrackUpload {
    pub(crate) name: String,
    pub(crate) bytes: Vec<u8>,
    pub(crate) lang: String,
    pub(crate) csrf: String,
}

/// Reads a subtitle upload: `file` (at most `MAX_BYTES`), `lang`, and `csrf` if given.
pub(crate) async fn read_upload(
    payload: &mut actix_multipart::Multipart,
) -> Result<TrackUpload, ApiError> {
    let bad = |e: actix_multipart::MultipartError| {
        ApiError::new(ErrorKind::InvalidInput, "bad-multipart", e.to_string())
    };
    let (mut lang, mut csrf, mut file) = (String::new(), String::new(), None);
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(bad)?;
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "lang" => lang = read_text(&name, &mut field).await?,
            "csrf" => csrf = read_text(&name, &mut field).await?,
            "file" => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(bad)?;
                    if bytes.len() + chunk.len() > MAX_BYTES {
                        let why = format!("a subtitle file is at most {MAX_BYTES} bytes");
                        return Err(ApiError::new(ErrorKind::TooLarge, "too-large", why));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some((file_name(&field), bytes));
            }
            other => return Err(unexpected_field(other)),
        }
    }
    let (name, bytes) = file.ok_or_else(|| {
        ApiError::new(
            ErrorKind::InvalidInput,
            "no-file",
            "the multipart body has no `file` field",
        )
    })?;
    Ok(TrackUpload {
        name,
        bytes,
        lang,
        csrf,
    })
}

/// Sets `asset`'s track from `upload`, as `viewer` (who must be allowed to edit it).
pub(crate) async fn add(
    state: &State,
    asset: &Asset,
    viewer: &Viewer,
    upload: TrackUpload,
) -> Result<Subtitle, ApiError> {
    Ok(try_add(state, asset, viewer, upload).await??)
}

/// `add`, with the workflow's refusal (a bad file or tag) apart from other failures.
pub(crate) async fn try_add(
    state: &State,
    asset: &Asset,
    viewer: &Viewer,
    upload: TrackUpload,
) -> Result<Result<Subtitle, crate::subtitles::TrackError>, ApiError> {
    let actor = super::staff(viewer)?;
    let (st, id, now) = (state.clone(), asset.id, viewer.now.clone());
    let set = web::block(move || {
        let TrackUpload {
            name, bytes, lang, ..
        } = upload;
        st.workflow()
            .set_subtitle(&id, &lang, &name, &bytes, &actor, &now)
    })
    .await?;
    if set.is_ok() {
        // The streaming ladder's master lists the tracks.
        super::refresh_renditions(state, vec![asset.id]).await;
    }
    Ok(set)
}

/// The stored WebVTT bytes of `track`, with `then` applied to them, off the async worker.
pub(crate) async fn read_track<T: Send + 'static>(
    state: &State,
    track: &Subtitle,
    then: impl FnOnce(Vec<u8>) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let hash = crate::store::Hash::from_hex(&track.hash).map_err(|_| ApiError::not_found())?;
    let st = state.clone();
    Ok(web::block(move || st.store.read_all(&hash).map(then)).await??)
}

/// Removes `asset`'s track in `lang`, as `viewer`.
pub(crate) async fn remove_track(
    state: &State,
    asset: &Asset,
    viewer: &Viewer,
    lang: String,
) -> Result<(), ApiError> {
    let actor = super::staff(viewer)?;
    let (st, id, now) = (state.clone(), asset.id, viewer.now.clone());
    web::block(move || st.workflow().remove_subtitle(&id, &lang, &actor, &now)).await??;
    super::refresh_renditions(state, vec![asset.id]).await;
    Ok(())
}

/// The multipart body of a subtitle upload.
pub(crate) struct SubtitleUpload;

impl utoipa::PartialSchema for SubtitleUpload {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, KnownFormat, SchemaFormat};
        use utoipa::openapi::{ObjectBuilder, Type};
        let file = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("A WebVTT or SRT file, UTF-8, at most 4 MiB"));
        let lang = ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(35))
            .pattern(Some("^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"))
            .description(Some("BCP 47 language tag (vi, en, km, zh-Hans…)"));
        ObjectBuilder::new()
            .property("file", file)
            .required("file")
            .property("lang", lang)
            .required("lang")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl utoipa::ToSchema for SubtitleUpload {}

/// POST /api/assets/{id}/subtitles
#[utoipa::path(post, path = "/api/assets/{id}/subtitles", tag = "assets", operation_id = "add_subtitles",
    params(("id" = crate::model::AssetId, Path, description = "The film's id")),
    request_body(content = SubtitleUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The track, stored as WebVTT (it replaces the one in that language)", body = Track),
        (status = 400, description = "No `file`, an unknown field, a bad language tag (`bad-language`), or a bad file (`bad-subtitles`: the line and the reason)", body = ErrorBody),
        (status = 403, description = "Only the film's reviewers, and its designer while it is a draft or rejected", body = ErrorBody),
        (status = 404, description = "No such asset, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "Not a film, or a published film and the caller is not its reviewer", body = ErrorBody),
        (status = 413, description = "Over 4 MiB", body = ErrorBody),
    ))]
pub async fn create(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    mut payload: actix_multipart::Multipart,
) -> Result<HttpResponse, ApiError> {
    let (asset, viewer) = super::api::visible_asset(&state, &req, &id).await?;
    super::staff(&viewer)?;
    let upload = read_upload(&mut payload).await?;
    let track = add(&state, &asset, &viewer, upload).await?;
    Ok(HttpResponse::Created().json(Track::of(&asset, &track)))
}

/// GET /api/assets/{id}/subtitles
#[utoipa::path(get, path = "/api/assets/{id}/subtitles", tag = "assets", operation_id = "list_subtitles",
    params(("id" = crate::model::AssetId, Path, description = "The film's id")),
    responses(
        (status = 200, description = "Its tracks", body = Vec<Track>),
        (status = 404, description = "No such asset, or not one the caller may see", body = ErrorBody),
    ))]
pub async fn list(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (asset, _) = super::api::visible_asset(&state, &req, &id).await?;
    let tracks: Vec<Track> = asset
        .subtitles
        .iter()
        .map(|s| Track::of(&asset, s))
        .collect();
    Ok(HttpResponse::Ok().json(tracks))
}

/// DELETE /api/assets/{id}/subtitles/{lang}
#[utoipa::path(delete, path = "/api/assets/{id}/subtitles/{lang}", tag = "assets", operation_id = "remove_subtitles",
    params(("id" = crate::model::AssetId, Path, description = "The film's id"),
        ("lang" = String, Path, description = "The track's language tag")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Only the film's reviewers, and its designer while it is a draft or rejected", body = ErrorBody),
        (status = 404, description = "No such asset or track, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "A published film and the caller is not its reviewer", body = ErrorBody),
    ))]
pub async fn remove(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, lang) = path.into_inner();
    let (asset, viewer) = super::api::visible_asset(&state, &req, &id).await?;
    super::staff(&viewer)?;
    remove_track(&state, &asset, &viewer, lang).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// GET /a/{id}/subtitles/{lang}.vtt: the track as WebVTT, for whoever may see the film.
pub async fn vtt(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, file) = path.into_inner();
    let lang = file.strip_suffix(".vtt").ok_or_else(ApiError::not_found)?;
    let (asset, _) = super::api::visible_asset(&state, &req, &id).await?;
    let track = asset.subtitle(lang).ok_or_else(ApiError::not_found)?;
    let bytes = read_track(&state, track, |bytes| bytes).await?;
    let public = asset.access == Access::Public && asset.status == crate::model::Status::Approved;
    let mut answer = HttpResponse::Ok();
    answer
        .content_type("text/vtt; charset=utf-8")
        .insert_header((header::ETAG, format!("\"{}\"", track.hash)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if public {
        // A partner site's player fetches tracks across origins (`<video crossorigin>`).
        answer
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .insert_header((header::CACHE_CONTROL, "public, max-age=300"));
    } else {
        answer.insert_header((header::CACHE_CONTROL, "private, no-store"));
    }
    Ok(answer.body(bytes))
}
