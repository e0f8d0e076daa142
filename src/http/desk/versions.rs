//! New versions on the desk: the "upload a new version" form (on the edit page, and on the
//! page a person gets instead of the edit form when they may not edit the picture), and its
//! handler. That page says in words why the picture cannot be edited and what to do instead.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{desk_or_return, see_other, Desk};
use crate::http::api::visible_to;
use crate::http::portal::{cards, query_value, respond, Chrome, Lang};
use crate::http::{session, versions, ApiError, State};
use crate::model::{Actor, Asset, Role, Status};

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
