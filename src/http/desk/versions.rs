//! New versions on the desk: the "upload a new version" form (on the edit page, and on the
//! page a person gets instead of the edit form when they may not edit the picture), and its
//! handler. That page says in words why the picture cannot be edited and what to do instead.
//! Both pages list the picture's versions; a reviewer can make an earlier one current again.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{desk_or_return, see_other, Desk};
use crate::http::api::visible_to;
use crate::http::portal::{cards, query_value, respond, Chrome, Lang};
use crate::http::{session, versions, ApiError, State};
use crate::model::{Actor, Asset, Role, Status, VersionState};

/// The new-version form as a page shows it.
pub(super) struct VersionForm {
    /// What happens to the new file, in words (at once, or after review).
    pub(super) hint: &'static str,
}

impl VersionForm {
    /// The form for `actor` on `asset`, if they may give it a new version.
    pub(super) fn of(lang: Lang, asset: &Asset, actor: &Actor) -> Option<Self> {
        let allowed = crate::versions::may_replace(asset, actor).is_ok();
        let waiting = asset.waiting_version().is_some();
        (allowed && asset.version_of.is_none() && !waiting).then(|| VersionForm {
            hint: lang.t(if asset.status == Status::Approved {
                "version.hint_published"
            } else {
                "version.hint_now"
            }),
        })
    }
}

/// One version as the desk lists it, in words.
pub(super) struct VersionRow {
    pub(super) state: &'static str,
    pub(super) current: bool,
    /// "4000 × 3000 px, 5,2 MB".
    pub(super) size: String,
    pub(super) when: String,
    pub(super) who: String,
    pub(super) why: Option<String>,
    /// The file as stored, for staff.
    pub(super) file: String,
    /// Where to post to make it current again, if this person may.
    pub(super) restore: Option<String>,
}

/// The versions of `asset`, newest first, as `actor` may act on them (none while the
/// picture has only ever had one file).
pub(super) fn rows(lang: Lang, asset: &Asset, actor: &Actor) -> Vec<VersionRow> {
    let id = asset.id;
    let state_key = |s: VersionState| match s {
        VersionState::Current => "version.state.current",
        VersionState::InReview => "version.state.in_review",
        VersionState::Rejected => "version.state.rejected",
        VersionState::Earlier => "version.state.earlier",
    };
    asset
        .versions
        .iter()
        .map(|v| VersionRow {
            state: lang.t(state_key(v.state)),
            current: v.state == VersionState::Current,
            size: crate::http::portal::history::size(lang, v),
            when: lang.datetime(&v.created_at),
            who: v.created_by.clone(),
            why: v.reason.clone(),
            file: format!("/api/assets/{id}/versions/{}", v.hash),
            restore: (v.state == VersionState::Earlier && actor.role.reviews())
                .then(|| format!("/assets/{id}/versions/{}/restore", v.hash)),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "desk/locked.html")]
struct LockedPage {
    chrome: Chrome,
    csrf: String,
    id: String,
    title: String,
    thumb: Option<String>,
    /// Why this person may not edit it, in words.
    why: &'static str,
    /// A new version was just uploaded.
    uploaded: bool,
    waiting: bool,
    version: Option<VersionForm>,
    versions: Vec<VersionRow>,
    subtitles: Option<super::subtitles::Section>,
    subtitles_changed: bool,
}

/// Why `actor` may not edit `asset`, as a message key.
fn why_locked(asset: &Asset, actor: &Actor) -> &'static str {
    let own = asset.owner.as_deref() == Some(actor.name.as_str());
    match asset.status {
        _ if !own && !actor.role.reviews() => "locked.not_yours",
        Status::InReview => "locked.in_review",
        Status::Approved => "locked.approved",
        _ => "locked.archived",
    }
}

/// The page a person gets instead of the edit form of a picture they may not edit (409).
pub(super) fn locked_page(
    req: &HttpRequest,
    desk: Desk,
    asset: &Asset,
    state: &State,
) -> Result<HttpResponse, ApiError> {
    let lang = desk.lang;
    let title = cards::title(lang, &state.brand, asset);
    let actor = &desk.session.actor;
    let page = LockedPage {
        csrf: desk.session.csrf.clone(),
        id: asset.id.to_hex(),
        thumb: cards::rendition(asset, "thumb").map(|r| r.url.clone()),
        why: lang.t(why_locked(asset, actor)),
        uploaded: query_value(req.query_string(), "version").is_some(),
        waiting: asset.waiting_version().is_some(),
        version: VersionForm::of(lang, asset, actor),
        versions: rows(lang, asset, actor),
        subtitles: super::subtitles::section(lang, asset, actor),
        subtitles_changed: false,
        chrome: desk
            .chrome
            .titled(format!("{} · {title}", lang.t("locked.title")), "mine"),
        title,
    };
    respond(req, StatusCode::CONFLICT, &page)
}

/// POST /assets/{id}/versions (multipart: `csrf`, `file`, `reason`): back to the picture's
/// edit page, which says what became of the new file.
pub async fn upload(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    mut payload: actix_multipart::Multipart,
) -> Result<HttpResponse, ApiError> {
    // No bytes are read for someone not signed in.
    if session::current(&state, &req).await?.is_none() {
        return Ok(see_other("/login"));
    }
    let upload = versions::read_upload(&state, &mut payload).await?;
    let csrf = upload.csrf.clone();
    let desk: Desk = desk_or_return!(state, req, Role::edits, Some(&csrf));
    let asset = visible_to(&state, &desk.viewer(), &id).await?;
    versions::add(&state, &asset, &desk.viewer(), upload).await?;
    Ok(see_other(&format!("/assets/{}/edit?version", asset.id)))
}

/// POST /assets/{id}/versions/{hash}/restore (form: `csrf`): an earlier version current
/// again (reviewers), then back to the edit page, which says so.
pub async fn restore(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<super::account::CsrfForm>,
) -> Result<HttpResponse, ApiError> {
    let (id, hash) = path.into_inner();
    let desk: Desk = desk_or_return!(state, req, Role::reviews, Some(&form.csrf));
    let viewer = desk.viewer();
    let asset = visible_to(&state, &viewer, &id).await?;
    versions::restore_version(&state, asset, &viewer, &hash).await?;
    Ok(see_other(&format!("/assets/{id}/edit?restored")))
}
