//! `POST /account/password`: a person changes their own password. The current one is asked
//! for (a session left open on a shared computer must not be enough), wrong guesses are slowed
//! like sign-ins, and every other session of the account ends; this one continues under a new
//! session id.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::account::AccountPage;
use super::see_other;
use crate::http::portal::{respond, Chrome};
use crate::http::session::{self, Session};
use crate::http::{ApiError, State};
use crate::model::{ErrorKind, Viewer};

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    /// The new password typed again, when the page asks for it.
    #[serde(default)]
    repeat: Option<String>,
}

/// The account page again with why the change was refused.
fn refused(
    state: &State,
    req: &HttpRequest,
    session: Session,
    status: StatusCode,
    key: &str,
) -> Result<HttpResponse, ApiError> {
    let viewer = Viewer {
        actor: Some(session.actor.clone()),
        now: String::new(),
    };
    let chrome = Chrome::new(state, req, Some(&viewer));
    let error = Some(chrome.t(key).to_owned());
    respond(req, status, &AccountPage::new(chrome, session, None, error))
}

/// POST /account/password (form: `current`, `new`, `csrf`): 303 to the account page, which
/// says the password changed; a wrong current password 403, a new one too short or too long
/// 400, each on the page and changing nothing.
pub async fn change(
    state: State,
    req: HttpRequest,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, ApiError> {
    let f = form.into_inner();
    let session = session::current(&state, &req).await?.ok_or_else(|| {
        ApiError::new(
            ErrorKind::Unauthenticated,
            "unauthenticated",
            "sign in first",
        )
    })?;
    session::require_csrf(&req, &session, Some(&f.csrf))?;
    let name = session.actor.name.clone();
    let address = req.peer_addr().map(|a| a.ip());
    if state
        .throttle
        .wait(&name, address, (state.ticks)())
        .is_some()
    {
        return refused(
            &state,
            &req,
            session,
            StatusCode::TOO_MANY_REQUESTS,
            "account.password_wait",
        );
    }
    if crate::accounts::check_password(&f.new).is_err() {
        return refused(
            &state,
            &req,
            session,
            StatusCode::BAD_REQUEST,
            "account.password_weak",
        );
    }
    if f.repeat.as_deref().is_some_and(|r| r != f.new) {
        return refused(
            &state,
            &req,
            session,
            StatusCode::BAD_REQUEST,
            "account.password_mismatch",
        );
    }
    let (st, who, current) = (state.clone(), name.clone(), f.current);
    let known = web::block(move || st.accounts().authenticate(&who, &current))
        .await?
        .map_err(|e| ApiError::new(e.kind(), e.code(), e.to_string()))?;
    if known.is_none() {
        state.throttle.failed(&name, address, (state.ticks)());
        return refused(
            &state,
            &req,
            session,
            StatusCode::FORBIDDEN,
            "account.password_wrong",
        );
    }
    state.throttle.succeeded(&name);
    let (st, actor, now) = (state.clone(), session.actor.clone(), (state.clock)());
    let id = web::block(move || {
        st.accounts()
            .set_password(&actor.name, &f.new, &actor, &now)
            .map_err(|e| ApiError::new(e.kind(), e.code(), e.to_string()))?;
        // Every session ended with the old password; this person continues in a new one.
        session::start(&st.catalog, &actor.name, &now)
    })
    .await??;
    let mut resp = see_other("/login?changed");
    resp.add_cookie(&session::cookie(&req, session::COOKIE, id))
        .map_err(ApiError::internal)?;
    Ok(resp)
}
