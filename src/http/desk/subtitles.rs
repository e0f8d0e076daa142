//! A film's subtitles on the desk: the "Phụ đề" section of its edit page (each track with its
//! language, number of cues, the file, the cue list and, for who may change it, remove; a
//! form to add or replace one), its handlers, and the cue list page. A refused file comes
//! back on the edit page with the line and the reason in the reader's language.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{desk_or_return, see_other, Desk};
use crate::http::api::visible_to;
use crate::http::portal::{cards, respond, Chrome, Lang};
use crate::http::subtitles::{self as api, track_url};
use crate::http::{session, ApiError, State};
use crate::media::subtitles::{parse, timestamp};
use crate::model::{Actor, Asset, Kind, Role};
use crate::subtitles::TrackError;

/// One track as the section lists it.
pub(super) struct TrackRow {
    pub(super) label: String,
    pub(super) lang: String,
    /// "12 câu".
    pub(super) count: String,
    pub(super) file: String,
    pub(super) cue_page: String,
    pub(super) remove: Option<String>,
}

/// The section on a film's edit page.
pub(super) struct Section {
    pub(super) tracks: Vec<TrackRow>,
    /// Whether this person may add, replace and remove tracks.
    pub(super) may_change: bool,
    /// What the guidelines still want (a public film without its languages), in words.
    pub(super) problems: Vec<String>,
}

/// The section for `asset` (films only).
pub(super) fn section(lang: Lang, asset: &Asset, actor: &Actor) -> Option<Section> {
    if asset.kind != Kind::Video {
        return None;
    }
    let may_change = crate::workflow::Workflow::may_edit(asset, actor).is_ok();
    let id = asset.id;
    let tracks = asset
        .subtitles
        .iter()
        .map(|t| TrackRow {
            label: t.label(),
            lang: t.lang.clone(),
            count: lang.fill("subtitles.cues", &[("n", &t.cues.to_string())]),
            file: track_url(asset, &t.lang),
            cue_page: format!("/assets/{id}/subtitles/{}", t.lang),
            remove: may_change.then(|| format!("/assets/{id}/subtitles/{}/remove", t.lang)),
        })
        .collect();
    let problems = super::edit::problems(lang, &asset.violations)
        .into_iter()
        .filter(|(field, _)| *field == "subtitles")
        .map(|(_, text)| text)
        .collect();
    Some(Section {
        tracks,
        may_change,
        problems,
    })
}

/// The words of a refused track for the desk, or the error as it stands.
fn refusal(lang: Lang, e: TrackError) -> Result<String, ApiError> {
    match e {
        TrackError::BadFile { name, error } => Ok(lang.fill(
            "subtitles.refused",
            &[("name", &name), ("why", &error.words(lang))],
        )),
        TrackError::BadLanguage(tag) => Ok(lang.fill("subtitles.bad_language", &[("tag", &tag)])),
        other => Err(other.into()),
    }
}

/// POST /assets/{id}/subtitles (multipart: `csrf`, `lang`, `file`): back to the edit page,
/// which shows the new track, or the line and reason the file was refused for.
pub async fn upload(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    mut payload: actix_multipart::Multipart,
) -> Result<HttpResponse, ApiError> {
    if session::current(&state, &req).await?.is_none() {
        return Ok(see_other("/login"));
    }
    let upload = api::read_upload(&mut payload).await?;
    let csrf = upload.csrf.clone();
    let desk: Desk = desk_or_return!(state, req, Role::edits, Some(&csrf));
    let viewer = desk.viewer();
    let asset = visible_to(&state, &viewer, &id).await?;
    match api::try_add(&state, &asset, &viewer, upload).await? {
        Ok(_) => Ok(see_other(&format!("/assets/{id}/edit?subtitles#subtitles"))),
        Err(e) => {
            let words = refusal(desk.lang, e)?;
            super::edit::edit_page(
                &state,
                &req,
                desk,
                &asset,
                StatusCode::BAD_REQUEST,
                Some(words),
            )
        }
    }
}

/// POST /assets/{id}/subtitles/{lang}/remove (form: `csrf`).
pub async fn remove(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<super::account::CsrfForm>,
) -> Result<HttpResponse, ApiError> {
    let (id, lang) = path.into_inner();
    let desk: Desk = desk_or_return!(state, req, Role::edits, Some(&form.csrf));
    let viewer = desk.viewer();
    let asset = visible_to(&state, &viewer, &id).await?;
    api::remove_track(&state, &asset, &viewer, lang).await?;
    Ok(see_other(&format!("/assets/{id}/edit?subtitles#subtitles")))
}

/// One cue as the cue list shows it.
struct CueRow {
    start: String,
    end: String,
    text: String,
}

#[derive(Template)]
#[template(path = "desk/cues.html")]
struct CuePage {
    chrome: Chrome,
    id: String,
    title: String,
    label: String,
    file: String,
    count: String,
    cues: Vec<CueRow>,
}

/// GET /assets/{id}/subtitles/{lang}: the track's cues, in order, for staff.
pub async fn cues(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, lang) = path.into_inner();
    let desk: Desk = desk_or_return!(state, req, Role::edits);
    let lang_ui = desk.lang;
    let asset = visible_to(&state, &desk.viewer(), &id).await?;
    let track = asset
        .subtitle(&lang)
        .ok_or_else(ApiError::not_found)?
        .clone();
    // Parsed where it is read: a long film's track is thousands of cues.
    let cues: Vec<CueRow> = api::read_track(&state, &track, |bytes| parse(&bytes, None))
        .await?
        .map_err(ApiError::internal)?
        .into_iter()
        .map(|c| CueRow {
            start: timestamp(c.start_ms),
            end: timestamp(c.end_ms),
            text: c.text,
        })
        .collect();
    let title = cards::title(lang_ui, &state.brand, &asset);
    let page = CuePage {
        id: asset.id.to_hex(),
        label: track.label(),
        file: track_url(&asset, &track.lang),
        count: lang_ui.fill("subtitles.cues", &[("n", &cues.len().to_string())]),
        cues,
        chrome: desk.chrome.titled(
            format!(
                "{} · {} · {title}",
                lang_ui.t("subtitles.title"),
                track.label()
            ),
            "mine",
        ),
        title,
    };
    respond(&req, StatusCode::OK, &page)
}
