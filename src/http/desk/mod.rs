//! The staff side, "the desk": signing in and accounts (`account`, `people`), uploading with
//! metadata (`upload`), a designer's own work (`work`), editing (`edit`) and the review desk
//! (`review`). Every page is a template in `web/templates/desk/` inside the portal's layout;
//! every change goes through the workflow or the accounts layer, all or nothing.

pub(crate) mod account;
mod collections;
mod edit;
mod password;
mod people;
mod review;
mod subtitles;
pub(crate) mod upload;
mod versions;
mod work;

pub use account::{login, login_form, logout, me, setup, setup_form};
pub use collections::{
    add as collection_add, create as collection_create, list_page as collections_page,
    move_item as collection_move, remove as collection_remove, rename as collection_rename,
    revoke as collection_revoke, share as collection_share, show_page as collection_page,
};
pub use edit::{bulk_edit, check, edit_form, edit_save};
pub use password::change as password_change;
pub use people::{people_action, people_page, token_create, token_revoke, user_create};
pub use review::{review_batch, review_page, step_form};
pub use subtitles::{cues as subtitle_cues, remove as subtitle_remove, upload as subtitle_upload};
pub use upload::{review_script, upload_page, upload_script};
pub use versions::{restore as version_restore, upload as version_upload};
pub use work::work_page;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};

use super::portal::{error_page, Chrome, Lang};
use super::session::{self, Session};
use super::{ApiError, State};
use crate::model::{Role, Viewer};

pub(super) fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

/// A signed-in person on a desk page, with the page's chrome.
pub(super) struct Desk {
    pub session: Session,
    pub chrome: Chrome,
    pub lang: Lang,
    pub now: String,
}

impl Desk {
    pub fn viewer(&self) -> Viewer {
        Viewer {
            actor: Some(self.session.actor.clone()),
            now: self.now.clone(),
        }
    }
}

/// The desk of a page for roles `allowed` accepts; otherwise the answer: the sign-in page for
/// someone not signed in, a page saying this account may not use it (403, with a link to
/// sign in as someone else) for a signed-in person without the role. A form posted to the
/// page must carry the session's CSRF token (`form_csrf`).
pub(super) async fn desk(
    state: &State,
    req: &HttpRequest,
    allowed: fn(&Role) -> bool,
    form_csrf: Option<&str>,
) -> Result<Result<Desk, HttpResponse>, ApiError> {
    let Some(session) = session::current(state, req).await? else {
        return Ok(Err(see_other("/login")));
    };
    session::require_csrf(req, &session, form_csrf)?;
    if !allowed(&session.actor.role) {
        return Ok(Err(error_page(state, req, StatusCode::FORBIDDEN)));
    }
    let now = (state.clock)();
    let viewer = Viewer {
        actor: Some(session.actor.clone()),
        now: now.clone(),
    };
    let chrome = Chrome::new(state, req, Some(&viewer));
    Ok(Ok(Desk {
        lang: chrome.lang,
        chrome,
        session,
        now,
    }))
}

/// Runs `$page`'s desk check, returning its answer when the caller may not use the page.
macro_rules! desk_or_return {
    ($state:expr, $req:expr, $allowed:expr) => {
        desk_or_return!($state, $req, $allowed, None)
    };
    ($state:expr, $req:expr, $allowed:expr, $csrf:expr) => {
        match $crate::http::desk::desk(&$state, &$req, $allowed, $csrf).await? {
            Ok(desk) => desk,
            Err(answer) => return Ok(answer),
        }
    };
}
pub(super) use desk_or_return;

/// The words of a role in the page's language.
pub(super) fn role_name(lang: Lang, role: Role) -> &'static str {
    lang.t(&format!("role.{}", role_code(role)))
}

pub(crate) fn role_code(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::BrandManager => "brand_manager",
        Role::Designer => "designer",
        Role::Press => "press",
        Role::Agency => "agency",
    }
}

pub(crate) const ROLES: [Role; 5] = [
    Role::Admin,
    Role::BrandManager,
    Role::Designer,
    Role::Press,
    Role::Agency,
];

/// What to fix for a guideline violation, in the page's language (the rule's own message
/// when no words exist for it).
pub(super) fn fix_text(lang: Lang, rule: &str, message: &str) -> String {
    lang.lookup(&format!("fix.{rule}"))
        .or_else(|| lang.lookup(&format!("rule.{rule}")))
        .map_or_else(|| message.to_owned(), str::to_owned)
}
