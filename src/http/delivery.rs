//! Delivery: immutable renditions by content address, downloads with their UTF-8 names, the
//! stable alias that follows an asset's current rendition, the brand kit.

use actix_web::body::SizedStream;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::api::visible_asset;
use super::error::ErrorBody;
use super::{viewer, ApiError, State};
use crate::catalog::{DownloadCount, Hit, Via};
use crate::model::{Asset, AssetId, Format, Status, Visibility};
use crate::store::Hash;

/// GET /r/{hash}.{ext}: served only if the caller may see an asset that has this rendition.
/// Immutable: ETag is the hash, cacheable for a year (publicly only when the public may see it).
#[utoipa::path(get, path = "/r/{name}", tag = "delivery",
    params(("name" = String, Path, description = "`<blake3 of the bytes>.<jpg|png|webp|mp4|m3u8|m4s|vtt>`, as in an asset's renditions and their parts")),
    responses(
        (status = 200, description = "The rendition; ETag is its hash, cacheable for a year"),
        (status = 206, description = "The requested byte range"),
        (status = 302, description = "With `--public-blob-url`, a rendition the public may see: to its public copy"),
        (status = 304, description = "If-None-Match matched"),
        (status = 404, description = "No such rendition, or none the caller may see", body = ErrorBody),
        (status = 416, description = "The range lies outside the file"),
    ))]
pub async fn rendition(
    state: State,
    req: HttpRequest,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (hash_hex, ext) = name.split_once('.').ok_or_else(ApiError::not_found)?;
    let mime = crate::model::served_media_type(ext).ok_or_else(ApiError::not_found)?;
    let hash = Hash::from_hex(hash_hex).map_err(|_| ApiError::not_found())?;
    let viewer = viewer(&state, &req).await?;
    // Who holds these bytes, and who may see them, from the in-memory listing: no record is
    // read and no blocking-pool trip is made for a rendition already in memory.
    let owners = state.catalog.rendition_owners(hash_hex, mime)?;
    let Some(owner) = owners.iter().find(|o| viewer.may_see(&o.visibility)) else {
        return Err(ApiError::not_found());
    };
    // Cacheable by anyone when the public may see it too.
    let anyone = crate::model::Viewer {
        actor: None,
        now: viewer.now.clone(),
    };
    let public = owners.iter().any(|o| anyone.may_see(&o.visibility));
    let spot = owner.spot.clone();
    count(
        &state,
        &viewer.now,
        Via::View,
        owner.id,
        &owner.preset,
        spot,
    );
    // A playlist names its files relative to itself: served here, so that they resolve here
    // (each of them then goes to its own public copy).
    if public && ext != Format::Hls.extension() {
        if let Some(location) = super::public_copies::location(&state, hash, mime, ext).await {
            // Its target only ever holds these bytes, and is removed when the public may no
            // longer see them: the redirect may be kept a while.
            return Ok(HttpResponse::Found()
                .insert_header((header::LOCATION, location))
                .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
                .finish());
        }
    }
    let etag = format!("\"{hash_hex}\"");
    let cache = if public {
        "public, max-age=31536000, immutable"
    } else {
        "private, max-age=31536000, immutable"
    };
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish());
    }
    let bytes = match state.rendition_cache.get(&hash) {
        Some(bytes) => Some(bytes),
        None => {
            let st = state.clone();
            let read = web::block(move || {
                let small = st.store.size(&hash).is_ok_and(|n| n <= IN_MEMORY);
                small.then(|| read_all(&*st.store, &hash)).flatten()
            })
            .await?;
            read.map(|b| state.rendition_cache.put(hash, web::Bytes::from(b)))
        }
    };
    if let Some(bytes) = bytes {
        return Ok(serve_bytes(&req, bytes, mime, &etag, cache));
    }
    let answer = Answer {
        mime,
        download_name: None,
        etag: &etag,
        cache,
    };
    serve_object(&req, &state, hash, answer).await
}

fn read_all(store: &dyn crate::store::BlobStore, hash: &Hash) -> Option<Vec<u8>> {
    store.read_all(hash).ok()
}

/// Small renditions by object hash, up to a total size; when full, it starts again empty
/// (a campaign's hot set refills it at once, and nothing is ever served stale: the bytes of
/// a hash never change).
#[derive(Default)]
pub struct RenditionCache {
    entries: std::sync::RwLock<std::collections::HashMap<Hash, web::Bytes>>,
    bytes: std::sync::atomic::AtomicU64,
}

impl RenditionCache {
    /// At most this many bytes of renditions are held.
    const CAPACITY: u64 = 128 << 20;
    /// Only renditions up to this size are held (thumbnails, previews, web sizes).
    const LARGEST: usize = 2 << 20;

    fn get(&self, hash: &Hash) -> Option<web::Bytes> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries.get(hash).cloned()
    }

    fn put(&self, hash: Hash, bytes: web::Bytes) -> web::Bytes {
        use std::sync::atomic::Ordering;
        if bytes.len() > Self::LARGEST {
            return bytes;
        }
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if self.bytes.load(Ordering::Relaxed) + bytes.len() as u64 > Self::CAPACITY {
            entries.clear();
            self.bytes.store(0, Ordering::Relaxed);
        }
        if entries.insert(hash, bytes.clone()).is_none() {
            self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        }
        bytes
    }
}

/// Renditions up to this size are answered from memory in one response (most are); larger
/// files stream from disk.
const IN_MEMORY: u64 = 8 << 20;

/// What a request's `Range` header asks of a body of `len` bytes: one range (`bytes=a-b`,
/// `a-`, `-n`); other range forms get the whole body, as RFC 9110 allows.
enum Requested {
    Whole,
    Part { start: u64, end: u64 },
    Unsatisfiable,
}

fn requested(req: &HttpRequest, len: u64) -> Requested {
    let last = len.saturating_sub(1);
    let range = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="))
        .filter(|r| !r.contains(','))
        .and_then(|r| r.split_once('-'))
        .map(|(a, b)| match (a.trim(), b.trim()) {
            ("", n) => n.parse::<u64>().ok().map(|n| (len.saturating_sub(n), last)),
            (a, "") => a.parse::<u64>().ok().map(|a| (a, last)),
            (a, b) => a
                .parse::<u64>()
                .ok()
                .zip(b.parse::<u64>().ok().map(|b| b.min(last))),
        });
    match range {
        None => Requested::Whole,
        Some(Some((start, end))) if start <= end && end < len => Requested::Part { start, end },
        Some(_) => Requested::Unsatisfiable,
    }
}

/// How a stored body is answered: its type, validators, caching and download name.
pub(super) struct Answer<'a> {
    pub mime: &'a str,
    pub download_name: Option<&'a str>,
    pub etag: &'a str,
    pub cache: &'a str,
}

impl Answer<'_> {
    /// The response to this request for a body of `len` bytes: the requested range (or all of
    /// it), made by `body(start, count)`, with our headers; 416 for a range outside it.
    fn respond<B>(
        &self,
        req: &HttpRequest,
        len: u64,
        body: impl FnOnce(u64, u64) -> B,
    ) -> HttpResponse
    where
        B: actix_web::body::MessageBody + 'static,
    {
        let (mut response, start, count) = match requested(req, len) {
            Requested::Whole => (HttpResponse::Ok(), 0, len),
            Requested::Part { start, end } => {
                let mut r = HttpResponse::PartialContent();
                r.insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}")));
                (r, start, end - start + 1)
            }
            Requested::Unsatisfiable => {
                return HttpResponse::RangeNotSatisfiable()
                    .insert_header((header::CONTENT_RANGE, format!("bytes */{len}")))
                    .finish()
            }
        };
        response
            .insert_header((header::ACCEPT_RANGES, "bytes"))
            .insert_header((header::ETAG, self.etag))
            .insert_header((header::CACHE_CONTROL, self.cache))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .content_type(self.mime);
        if let Some(name) = self.download_name {
            response.insert_header((header::CONTENT_DISPOSITION, content_disposition(name)));
        }
        response.body(body(start, count))
    }
}

/// A body held in memory, whole or the requested range.
fn serve_bytes(
    req: &HttpRequest,
    body: web::Bytes,
    mime: &str,
    etag: &str,
    cache: &str,
) -> HttpResponse {
    let answer = Answer {
        mime,
        download_name: None,
        etag,
        cache,
    };
    let len = body.len() as u64;
    answer.respond(req, len, |start, count| {
        body.slice(start as usize..(start + count) as usize)
    })
}

/// Streams a stored object, whole or the requested range, read through the store on the
/// blocking pool (a local file or ranged reads from object storage alike).
pub(super) async fn serve_object(
    req: &HttpRequest,
    state: &State,
    hash: Hash,
    answer: Answer<'_>,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let (blob, len) = web::block(move || {
        let mut blob = st.store.open(&hash)?;
        let len = std::io::Seek::seek(&mut blob, std::io::SeekFrom::End(0))
            .map_err(|e| crate::store::StoreError::Remote(e.to_string()))?;
        Ok::<_, crate::store::StoreError>((blob, len))
    })
    .await??;
    Ok(answer.respond(req, len, |start, count| {
        SizedStream::new(count, super::body::from_blob(blob, start, count))
    }))
}

/// RFC 6266 / 5987: an ASCII fallback and the exact UTF-8 name.
pub fn content_disposition(name: &str) -> String {
    let ascii: String = crate::model::text::fold(name)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DownloadQuery {
    /// A preset of GET /api/brand, or `original` (the default).
    preset: Option<String>,
}

/// GET /api/assets/{id}/download?preset=P: the original or a rendition, named after the asset.
#[utoipa::path(get, path = "/api/assets/{id}/download", tag = "delivery",
    params(("id" = AssetId, Path, description = "The asset's id"), DownloadQuery),
    responses(
        (status = 200, description = "The file, with a Content-Disposition carrying its UTF-8 name; counted in /api/stats"),
        (status = 206, description = "The requested byte range"),
        (status = 400, description = "A malformed query", body = ErrorBody),
        (status = 404, description = "No such asset or preset, or an asset the caller may not see", body = ErrorBody),
        (status = 416, description = "The range lies outside the file"),
    ))]
pub async fn download(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    query: web::Query<DownloadQuery>,
) -> Result<HttpResponse, ApiError> {
    let (asset, viewer) = visible_asset(&state, &req, &id).await?;
    let preset = query.preset.clone().unwrap_or_else(|| "original".into());
    let (hash, mime, name) = if preset == "original" {
        let staff = viewer.actor.as_ref().is_some_and(|a| a.role.edits());
        let hash = if staff {
            Hash::from_bytes(*asset.object_id().as_bytes())
        } else {
            original_for_outside(&state, &asset).await?
        };
        (hash, asset.media_type.clone(), original_name(&asset))
    } else {
        let (r, hash) = current_rendition(&state, &asset, &preset).await?;
        (hash, r.media_type.clone(), download_name(&asset, &r))
    };
    let st = state.clone();
    let hit = Hit {
        day: today(&state),
        id: asset.id,
        preset: preset.clone(),
        spot: asset.spot.as_ref().map(|s| s.id.clone()),
        via: Via::Download,
    };
    web::block(move || st.catalog.count_hits(&[(hit, 1)])).await??;
    let etag = format!("\"{}\"", hash.to_hex());
    let answer = Answer {
        mime: &mime,
        download_name: Some(&name),
        etag: &etag,
        cache: "private, max-age=3600",
    };
    serve_object(&req, &state, hash, answer).await
}

/// The original as the press and the public get it: a copy with the asset's edited
/// metadata in place of the camera's (serial numbers, GPS unless the brand allows it). A
/// photo whose metadata cannot be rewritten is not offered to them (404); types that carry
/// no camera metadata (GIF, SVG, PDF, text, video) are served as stored.
async fn original_for_outside(state: &State, asset: &Asset) -> Result<Hash, ApiError> {
    let media = crate::model::MediaType::from_mime(&asset.media_type);
    let st = state.clone();
    let copy = {
        let asset = asset.clone();
        web::block(move || st.renderer().delivered_original(&asset, st.brand.original)).await??
    };
    match (copy, media) {
        (Some(hash), _) => Ok(hash),
        (None, Some(t)) if t.carries_camera_metadata() => Err(ApiError::not_found()),
        (None, _) => Ok(Hash::from_bytes(*asset.object_id().as_bytes())),
    }
}

/// A rendition's download name: the asset's first name, the preset, the rendition's extension.
pub(super) fn download_name(asset: &Asset, r: &crate::model::Rendition) -> String {
    let ext = r.url.rsplit('.').next().unwrap_or("bin");
    crate::model::text::download_name(asset.display_name(), &format!("-{}", r.preset), ext)
}

/// An original's download name: its stored name with the extension of its detected type.
fn original_name(asset: &Asset) -> String {
    match crate::model::MediaType::from_mime(&asset.media_type) {
        Some(t) => crate::model::text::download_name(asset.display_name(), "", t.extension()),
        None => crate::model::text::file_name(asset.display_name()),
    }
}

/// The rendition of `asset` in `preset` as the catalogue describes it now, and the object
/// holding it, or 404. One that an edit left behind is brought up to date first (its new
/// metadata written in, or made again), so no delivery carries older words.
pub(super) async fn current_rendition(
    state: &State,
    asset: &Asset,
    preset: &str,
) -> Result<(crate::model::Rendition, Hash), ApiError> {
    let (st, asset, preset) = (state.clone(), asset.clone(), preset.to_owned());
    let r = web::block(move || {
        st.renderer()
            .current(&asset, &preset, &(st.clock)(), "serve")
    })
    .await??
    .ok_or_else(ApiError::not_found)?;
    let hash = r
        .object()
        .and_then(|h| Hash::from_hex(h).ok())
        .ok_or_else(ApiError::not_found)?;
    Ok((r, hash))
}

/// GET /a/{id}/{preset}: a stable address that redirects to the current rendition, and answers
/// 410 once the asset is withdrawn or its rights expired.
#[utoipa::path(get, path = "/a/{id}/{preset}", tag = "delivery",
    params(
        ("id" = AssetId, Path, description = "The asset's id"),
        ("preset" = String, Path, description = "A preset name"),
    ),
    responses(
        (status = 302, description = "To the current rendition at /r/…"),
        (status = 404, description = "No such asset or rendition, or one the caller may not see", body = ErrorBody),
        (status = 410, description = "The asset was withdrawn or its rights expired", body = ErrorBody),
    ))]
pub async fn alias(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, preset) = path.into_inner();
    let viewer = viewer(&state, &req).await?;
    let id: AssetId = id.parse().map_err(|_| ApiError::not_found())?;
    // Withdrawn (archived, or its rights expired) and once seen by this caller: 410. Decided,
    // like visibility, before the record is read.
    let gone = |v: &Visibility<'_>, viewer: &crate::model::Viewer| {
        let withdrawn = v.status == Status::Archived
            || (v.status == Status::Approved
                && v.expires_at
                    .as_deref()
                    .is_some_and(|e| e <= viewer.now.as_str()));
        withdrawn && (v.access == crate::model::Access::Public || viewer.actor.is_some())
    };
    let (st, who) = (state.clone(), viewer.clone());
    let asset: Option<Asset> = web::block(move || {
        st.catalog
            .asset_if(&id, |v| gone(v, &who) || who.may_see(v))
    })
    .await??;
    let asset = asset.ok_or_else(ApiError::not_found)?;
    if gone(&Visibility::of(&asset), &viewer) {
        return Ok(HttpResponse::Gone().json(ErrorBody {
            code: "withdrawn".into(),
            message: "this asset is no longer published".into(),
        }));
    }
    let (r, _) = current_rendition(&state, &asset, &preset).await?;
    let spot = asset.spot.as_ref().map(|s| s.id.clone());
    count(&state, &viewer.now, Via::Embed, asset.id, &r.preset, spot);
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, r.url.clone()))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .finish())
}

/// Counts one embed, view or download at `now` (RFC 3339, UTC) in memory; `Reach::flush`
/// writes it.
pub(super) fn count(
    state: &State,
    now: &str,
    via: Via,
    id: AssetId,
    preset: &str,
    spot: Option<String>,
) {
    state.reach.hit(Hit {
        day: now.get(..10).unwrap_or_default().to_owned(),
        id,
        preset: preset.to_owned(),
        spot,
        via,
    });
}

/// Today (UTC) by the service's clock.
fn today(state: &State) -> String {
    (state.clock)().chars().take(10).collect()
}

/// Download counts.
#[derive(Serialize, ToSchema)]
pub struct Stats {
    total: u64,
    /// Per day, asset, preset and spot.
    downloads: Vec<DownloadCount>,
}

/// GET /api/stats: download counts per day, asset, preset and spot, for reviewers only.
#[utoipa::path(get, path = "/api/stats", tag = "delivery",
    responses(
        (status = 200, description = "Downloads per day, asset, preset and spot", body = Stats),
        (status = 404, description = "For brand managers and admins only", body = ErrorBody),
    ))]
pub async fn stats(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &req).await?;
    if !viewer.actor.is_some_and(|a| a.role.reviews()) {
        return Err(ApiError::not_found());
    }
    let st = state.clone();
    let rows = web::block(move || {
        st.reach.flush(&st.catalog)?;
        st.catalog.download_stats()
    })
    .await??;
    let total: u64 = rows.iter().map(|r| r.count).sum();
    Ok(HttpResponse::Ok().json(Stats {
        total,
        downloads: rows,
    }))
}

/// GET /kit.zip
#[utoipa::path(get, path = "/kit.zip", tag = "brand",
    responses((status = 200, description = "The brand kit: logos, palette, slogans, guidelines", content_type = "application/zip")))]
pub async fn kit(state: State) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            header::CONTENT_DISPOSITION,
            content_disposition("brand-kit.zip"),
        ))
        .body(state.kit.clone())
}
