//! The JSON API.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;

use super::{viewer, ApiError, State};
use crate::catalog::{Filter, Patch};
use crate::ingest::IngestOptions;
use crate::model::{Access, AssetId, ErrorKind, Kind, Status};
use crate::store::{BlobStore, Durability};
use crate::workflow::Action;

pub async fn healthz(state: State) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let assets = web::block(move || st.catalog.len()).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ok", "assets": assets})))
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default, deserialize_with = "empty_is_none")]
    pub kind: Option<Kind>,
    #[serde(default, deserialize_with = "empty_is_none")]
    pub status: Option<Status>,
    pub spot: Option<String>,
    pub tag: Option<String>,
    /// A theme of the programme (id or name, any language, accents ignored).
    pub theme: Option<String>,
    /// An audience of the programme.
    pub audience: Option<String>,
    /// Captured on or after, YYYY-MM-DD.
    pub from: Option<String>,
    /// Captured on or before, YYYY-MM-DD.
    pub to: Option<String>,
    /// west,south,east,north in degrees.
    pub bbox: Option<String>,
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

/// An empty query value (`kind=`, what a form's "all" option sends) means no filter.
fn empty_is_none<'de, D, T>(de: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr<Err = String>,
{
    let s: Option<String> = Option::deserialize(de)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

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
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                let term = brand
                    .term(audiences, v)
                    .ok_or_else(|| bad(code, format!("{v:?} is not in the vocabulary")))?;
                tags.push(term.tag_forms());
            }
        }
        let date = |d: &Option<String>| {
            d.as_deref()
                .filter(|d| !d.is_empty())
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
                .filter(|b| !b.is_empty())
                .map(|b| crate::model::parse_bbox(b).map_err(|m| bad("bad-bbox", m)))
                .transpose()?,
            query: self.q.clone().filter(|q| !q.is_empty()),
            ..Default::default()
        })
    }
}

/// GET /api/assets: filtered, cursor-paginated, only what the caller may see.
pub async fn list(
    state: State,
    req: HttpRequest,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &req).await?;
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
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
    Ok(HttpResponse::Ok().json(serde_json::json!({"items": items, "next_cursor": next})))
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
    let st = state.clone();
    let asset = web::block(move || st.catalog.asset(&id)).await??;
    match asset {
        Some(a) if viewer.can_see(&a) => Ok((a, viewer)),
        _ => Err(ApiError::not_found()),
    }
}

pub async fn show(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (asset, _) = visible_asset(&state, &req, &id).await?;
    Ok(HttpResponse::Ok().json(asset))
}

/// The body of PATCH /api/assets/{id}: only the fields given change; null clears.
#[derive(Deserialize, Default)]
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

#[derive(Deserialize, Default)]
pub struct StepBody {
    reason: Option<String>,
    #[serde(rename = "override")]
    justification: Option<String>,
}

/// POST /api/assets/{id}/{submit|approve|reject|archive|reopen}
pub async fn step(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Option<web::Json<StepBody>>,
) -> Result<HttpResponse, ApiError> {
    let (id, action) = path.into_inner();
    let action = match action.as_str() {
        "submit" => Action::Submit,
        "approve" => Action::Approve,
        "reject" => Action::Reject,
        "archive" => Action::Archive,
        "reopen" => Action::Reopen,
        _ => return Err(ApiError::not_found()),
    };
    let (asset, viewer) = visible_asset(&state, &req, &id).await?;
    let actor = viewer.actor.ok_or_else(ApiError::not_found)?;
    let body = body.map(web::Json::into_inner).unwrap_or_default();
    let st = state.clone();
    let now = viewer.now;
    let updated = web::block(move || {
        st.workflow().transition(
            &asset.id,
            action,
            &actor,
            body.reason.as_deref(),
            body.justification.as_deref(),
            &now,
        )
    })
    .await??;
    Ok(HttpResponse::Ok().json(updated))
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

/// POST /api/assets (multipart, field `file`): designers and reviewers upload; the bytes are
/// streamed into the store while hashing; over the limit answers 413.
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
    while let Some(field) = payload.next().await {
        let mut field = field
            .map_err(|e| ApiError::new(ErrorKind::InvalidInput, "bad-multipart", e.to_string()))?;
        if field.name() != Some("file") {
            continue;
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
            Err(e) => {
                return Err(ApiError::new(
                    ErrorKind::InvalidInput,
                    "upload-failed",
                    e.to_string(),
                ))
            }
        };
        let st = state.clone();
        let now = viewer.now.clone();
        let report = web::block(move || {
            let options = IngestOptions {
                tags: Vec::new(),
                kind: None,
                limits: st.settings.limits,
                max_bytes: limit,
                actor: actor.name.clone(),
                at: now,
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
                _ => ErrorKind::InvalidInput,
            };
            return Err(ApiError::new(kind, &r.code, r.message.clone()));
        }
        let id = report.added.first().or(report.duplicates.first()).copied();
        let st = state.clone();
        let asset = web::block(move || id.map(|id| st.catalog.asset(&id)).transpose())
            .await??
            .flatten()
            .ok_or_else(|| ApiError::internal("uploaded asset vanished"))?;
        super::render_in_background(state.get_ref().clone(), report.added.clone());
        let status = if report.added.is_empty() { 200 } else { 201 };
        return Ok(HttpResponse::build(
            actix_web::http::StatusCode::from_u16(status).unwrap_or_default(),
        )
        .json(asset));
    }
    Err(ApiError::new(
        ErrorKind::InvalidInput,
        "no-file",
        "the multipart body has no `file` field",
    ))
}

pub async fn spots(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &req).await?;
    let st = state.clone();
    let counts = web::block(move || spot_counts(&st, viewer)).await??;
    Ok(HttpResponse::Ok().json(counts))
}

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
            .map(|(s, c)| {
                (
                    s,
                    c["assets"].as_u64().unwrap_or(0) as usize,
                    c["approved"].as_u64().unwrap_or(0) as usize,
                )
            })
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
) -> Result<Vec<serde_json::Value>, crate::catalog::CatalogError> {
    st.brand
        .gazetteer
        .spots
        .iter()
        .map(|spot| {
            let all = st.catalog.list(&Filter {
                spot: Some(spot.id.clone()),
                viewer: Some(viewer.clone()),
                ..Default::default()
            })?;
            let approved = all.iter().filter(|a| a.status == Status::Approved).count();
            let mut v = serde_json::to_value(spot).unwrap_or_default();
            v["assets"] = all.len().into();
            v["approved"] = approved.into();
            Ok(v)
        })
        .collect()
}

pub async fn brand(state: State) -> HttpResponse {
    let b = &state.brand;
    HttpResponse::Ok().json(serde_json::json!({
        "guidelines": b.guidelines,
        "presets": b.presets,
        "extent": b.gazetteer.extent,
    }))
}
