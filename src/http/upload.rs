//! POST /api/assets: an upload, streamed into the store while it is hashed, with what the
//! uploader typed about it (caption, credit, licence, tags, audience, consent) catalogued in
//! the same journal entry as the bytes: a refused upload leaves nothing behind but
//! unreferenced bytes for gc.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::{viewer, ApiError, State};
use crate::catalog::Patch;
use crate::ingest::IngestOptions;
use crate::model::{Access, Asset, ErrorKind, Kind};
use crate::store::{Durability, Put};

/// Longest text field, in bytes (a caption in two languages fits many times over).
const MAX_TEXT_FIELD: usize = 4096;
/// Most fields besides the file (tags are repeatable).
const MAX_FIELDS: usize = 64;

pub(crate) fn unexpected_field(name: &str) -> ApiError {
    ApiError::new(
        ErrorKind::InvalidInput,
        "unexpected-field",
        format!(
            "an upload has `file` and, optionally, caption_vi, caption_en, credit, license, tag, access, consent, spot and kind; not `{}`",
            name.chars().take(40).collect::<String>()
        ),
    )
}

fn bad_value(name: &str, why: &str) -> ApiError {
    ApiError::new(
        ErrorKind::InvalidInput,
        "bad-field",
        format!("the field `{name}` {why}"),
    )
}

/// The optional fields beside `file`.
#[derive(Debug, Default)]
struct Fields {
    patch: Patch,
    kind: Option<Kind>,
    /// A spot id or `none`: the uploader's choice instead of GPS matching.
    spot: Option<String>,
    count: usize,
}

impl Fields {
    fn take(&mut self, name: &str, value: String) -> Result<(), ApiError> {
        self.count += 1;
        if self.count > MAX_FIELDS {
            return Err(bad_value(name, "is one field too many"));
        }
        let text = Some(Some(value.clone())).filter(|_| !value.trim().is_empty());
        match name {
            "caption_vi" => self.patch.caption_vi = text,
            "caption_en" => self.patch.caption_en = text,
            "credit" => self.patch.credit = text,
            "license" => self.patch.license = text,
            "tag" => {
                if !value.trim().is_empty() {
                    self.patch.add_tags.push(value);
                }
            }
            "access" => {
                let access = serde_json::from_value::<Access>(serde_json::Value::String(value))
                    .map_err(|_| bad_value(name, "is public, press or internal"))?;
                self.patch.access = Some(access);
            }
            "consent" => {
                self.patch.consent = Some(Some(match value.trim() {
                    "true" | "yes" | "on" | "1" => true,
                    "false" | "no" | "0" => false,
                    _ => return Err(bad_value(name, "is true or false")),
                }));
            }
            "spot" => {
                if !value.trim().is_empty() {
                    self.spot = Some(value.trim().to_owned());
                }
            }
            "kind" => {
                self.kind = Some(
                    serde_json::from_value::<Kind>(serde_json::Value::String(value)).map_err(
                        |_| bad_value(name, "is photo, video, logo, slogan or document"),
                    )?,
                );
            }
            other => return Err(unexpected_field(other)),
        }
        Ok(())
    }
}

/// A text field's value: UTF-8, at most `MAX_TEXT_FIELD` bytes.
pub(crate) async fn read_text(
    name: &str,
    field: &mut actix_multipart::Field,
) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::new(ErrorKind::InvalidInput, "bad-multipart", e.to_string()))?;
        if bytes.len() + chunk.len() > MAX_TEXT_FIELD {
            return Err(bad_value(name, "is too long"));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| bad_value(name, "is not UTF-8 text"))
}

/// The file's base name: a client's path means nothing here.
pub(crate) fn file_name(field: &actix_multipart::Field) -> String {
    let name = field
        .content_disposition()
        .and_then(|cd| cd.get_filename().map(str::to_owned))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "upload".to_owned());
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or("upload")
        .to_owned()
}

fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())
}

/// Streams the file into the store, enforcing `limit` as the bytes arrive.
async fn store_file(
    state: &State,
    field: &mut actix_multipart::Field,
    limit: u64,
) -> Result<Put, ApiError> {
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
    Ok(put)
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

/// The multipart body of an upload: `file` (its name is kept, NFC, as the asset's name) and
/// the optional metadata fields.
struct UploadForm;

impl utoipa::PartialSchema for UploadForm {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AdditionalProperties, ArrayBuilder, KnownFormat, SchemaFormat,
        };
        use utoipa::openapi::{ObjectBuilder, Type};
        let text = |what: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(MAX_TEXT_FIELD))
                .description(Some(what))
        };
        let choice = |values: &[&str], what: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(values.iter().copied()))
                .description(Some(what))
        };
        let file = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)));
        ObjectBuilder::new()
            .property("file", file)
            .required("file")
            .property("caption_vi", text("Caption in Vietnamese"))
            .property("caption_en", text("Caption in English"))
            .property(
                "credit",
                text("Credit line (default: the uploader's display name and organisation)"),
            )
            .property("license", text("Licence or usage terms"))
            .property(
                "tag",
                ArrayBuilder::new()
                    .items(text("A tag; themes and audiences of the brand are tags"))
                    .description(Some("Repeatable")),
            )
            .property(
                "access",
                choice(
                    &["public", "press", "internal"],
                    "Who may see it once approved",
                ),
            )
            .property(
                "consent",
                ObjectBuilder::new()
                    .schema_type(Type::Boolean)
                    .description(Some("People shown have consented")),
            )
            .property(
                "kind",
                choice(
                    &["photo", "video", "logo", "slogan", "document"],
                    "Overrides the kind derived from the file (`.txt` files are slogans)",
                ),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl ToSchema for UploadForm {}

/// The form's fields, and its one `file` stored as it arrives (with the byte limit that was
/// applied to it, chosen from its name: films may be larger than pictures).
async fn read_form(
    state: &State,
    payload: &mut actix_multipart::Multipart,
) -> Result<(Fields, String, Put, u64), ApiError> {
    let mut fields = Fields::default();
    let (name, put, limit) = read_multipart(state, payload, |n, v| fields.take(n, v)).await?;
    Ok((fields, name, put, limit))
}

/// Reads a multipart body: its one `file` streamed into the store (its name, the stored
/// bytes, the limit applied), every other field handed to `text` as it comes.
pub(crate) async fn read_multipart(
    state: &State,
    payload: &mut actix_multipart::Multipart,
    mut text: impl FnMut(&str, String) -> Result<(), ApiError>,
) -> Result<(String, Put, u64), ApiError> {
    let mut file: Option<(String, Put, u64)> = None;
    while let Some(field) = payload.next().await {
        let mut field = field
            .map_err(|e| ApiError::new(ErrorKind::InvalidInput, "bad-multipart", e.to_string()))?;
        let name = field.name().unwrap_or_default().to_owned();
        if name != "file" {
            let value = read_text(&name, &mut field).await?;
            text(&name, value)?;
            continue;
        }
        if file.is_some() {
            return Err(bad_value("file", "comes once per upload"));
        }
        let file_name = file_name(&field);
        // The limit is chosen from the name before the bytes arrive, and enforced as they do.
        let is_video = matches!(
            extension(&file_name).as_deref(),
            Some("mp4" | "mov" | "m4v" | "webm" | "mkv")
        );
        let limit = if is_video {
            state.settings.max_upload_video_bytes
        } else {
            state.settings.max_upload_image_bytes
        };
        let put = store_file(state, &mut field, limit).await?;
        file = Some((file_name, put, limit));
    }
    file.ok_or_else(|| {
        ApiError::new(
            ErrorKind::InvalidInput,
            "no-file",
            "the multipart body has no `file` field",
        )
    })
}

/// POST /api/assets (multipart: `file` and the optional metadata fields): designers and
/// reviewers upload; the bytes are streamed into the store while hashing; over the limit
/// answers 413.
#[utoipa::path(post, path = "/api/assets", tag = "assets",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "A new asset", body = Asset),
        (status = 200, description = "These bytes were already catalogued as an asset the caller may see: that asset", body = Asset),
        (status = 202, description = "Received; the bytes are handled by the brand team (nothing about them is shown to this caller)", body = ErrorBody),
        (status = 400, description = "Not a multipart body with a `file`, an unknown field (`unexpected-field`), a bad value (`bad-field`), an unknown spot, or a damaged file", body = ErrorBody),
        (status = 403, description = "Uploading needs a designer's or brand manager's account or token", body = ErrorBody),
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
                "uploading needs a designer's or brand manager's account or token",
            )
        })?;
    let (fields, name, put, limit) = read_form(&state, &mut payload).await?;
    // A text file sent here is a slogan: the upload page offers them.
    let kind = fields
        .kind
        .or_else(|| (extension(&name).as_deref() == Some("txt")).then_some(Kind::Slogan));
    let st = state.clone();
    let uploader = viewer.clone();
    let report = web::block(move || {
        let mut metadata = fields.patch;
        // A person's uploads are credited to them unless they say otherwise.
        if metadata.credit.is_none() {
            if let Some(user) = st.catalog.user(&actor.name)? {
                metadata.credit = Some(Some(user.credit()));
            }
        }
        let options = IngestOptions {
            tags: Vec::new(),
            kind,
            metadata,
            spot: fields.spot,
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
        return Err(match r.kind {
            ErrorKind::Unavailable => ApiError::disk_full(&r.message),
            // Reading back our own stored copy failed: ours to log, not the caller's to read.
            ErrorKind::Internal => ApiError::internal(&r.message),
            kind => ApiError::new(kind, &r.code, r.message.clone()),
        });
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
