//! Browser sessions for the pages: signing in with a name and password opens a session whose
//! id lives only in an HttpOnly, SameSite=Strict cookie; the catalogue keeps the BLAKE3 hash of
//! the id (so a restart signs nobody out, and a copy of the catalogue signs nobody in). A
//! session lasts 12 hours, and is checked against the account at every request: a disabled
//! account or a changed role ends it at once. Every state-changing request made with the cookie
//! must carry the session's CSRF token (form field `csrf` or header `X-CSRF-Token`); Bearer
//! requests carry no ambient credential and need none.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpMessage;
use actix_web::{web, HttpRequest};

use super::{ApiError, State};
use crate::accounts::unix_seconds;
use crate::catalog::{Catalog, CatalogError, SessionRecord};
use crate::model::Actor;

/// The session cookie's name.
pub const COOKIE: &str = "bv_session";
/// The pre-login CSRF cookie (double submit: the login form carries the same value).
pub const LOGIN_CSRF_COOKIE: &str = "bv_login_csrf";
const LIFETIME_SECS: u64 = 12 * 3600;

/// One signed-in person, as the account stands now.
#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    pub display_name: String,
    /// The credit line their uploads default to.
    pub credit: String,
    pub csrf: String,
}

fn key(id: &str) -> [u8; 32] {
    *blake3::hash(id.as_bytes()).as_bytes()
}

/// Opens a session for `user`; returns its id, for the cookie (blocking: writes the catalogue).
pub fn start(catalog: &Catalog, user: &str, now: &str) -> Result<String, ApiError> {
    let id = super::auth::random_hex().map_err(ApiError::internal)?;
    let record = SessionRecord {
        user: user.to_owned(),
        csrf: super::auth::random_hex().map_err(ApiError::internal)?,
        expires: unix_seconds(now) + LIFETIME_SECS,
    };
    catalog.save_session(&key(&id), &record)?;
    Ok(id)
}

/// The live session `id` names, if its account is still enabled (blocking).
fn resolve(catalog: &Catalog, id: &str, now: &str) -> Result<Option<Session>, CatalogError> {
    let Some(record) = catalog.session(&key(id))? else {
        return Ok(None);
    };
    if record.expires <= unix_seconds(now) {
        catalog.end_session(&key(id))?;
        return Ok(None);
    }
    Ok(catalog
        .user(&record.user)?
        .filter(|u| !u.disabled)
        .map(|u| Session {
            credit: u.credit(),
            actor: Actor {
                name: u.name,
                role: u.role,
            },
            display_name: u.display_name,
            csrf: record.csrf,
        }))
}

/// The session of a request's cookie, if live.
pub async fn current(state: &State, req: &HttpRequest) -> Result<Option<Session>, ApiError> {
    let Some(id) = req.cookie(COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(None);
    };
    let (st, now) = (state.clone(), (state.clock)());
    let session = web::block(move || resolve(&st.catalog, &id, &now)).await??;
    if let Some(s) = &session {
        req.extensions_mut()
            .insert(DisplayName(s.display_name.clone()));
    }
    Ok(session)
}

/// The signed-in person's display name, left on the request when its session is read, so
/// the page header greets them by it rather than by their sign-in name.
#[derive(Clone)]
pub struct DisplayName(pub String);

/// Ends the session a request's cookie names.
pub async fn end(state: &State, req: &HttpRequest) -> Result<(), ApiError> {
    if let Some(id) = req.cookie(COOKIE).map(|c| c.value().to_owned()) {
        let st = state.clone();
        web::block(move || st.catalog.end_session(&key(&id))).await??;
    }
    Ok(())
}

/// A state-changing request made with the session cookie must carry the session's CSRF token,
/// as the form field `form_csrf` or the `X-CSRF-Token` header; else 403 `csrf-failed`.
pub fn require_csrf(
    req: &HttpRequest,
    session: &Session,
    form_csrf: Option<&str>,
) -> Result<(), ApiError> {
    if req.method().is_safe() {
        return Ok(());
    }
    let header = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok());
    let presented = form_csrf.filter(|c| !c.is_empty()).or(header);
    if presented.is_some_and(|p| same_secret(p, &session.csrf)) {
        Ok(())
    } else {
        Err(ApiError::new(
            crate::model::ErrorKind::Forbidden,
            "csrf-failed",
            "the form is stale or was not sent by this site: reload the page",
        ))
    }
}

/// Equality of two secrets in constant time (blake3::Hash compares in constant time).
pub fn same_secret(a: &str, b: &str) -> bool {
    blake3::hash(a.as_bytes()) == blake3::hash(b.as_bytes())
}

/// A cookie only this site's own pages send back, never readable by scripts.
pub fn cookie<'a>(req: &HttpRequest, name: &'a str, value: String) -> Cookie<'a> {
    let mut c = Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish();
    c.set_secure(req.connection_info().scheme() == "https");
    c
}

/// A cookie that tells the browser to forget `name`.
pub fn expired(name: &str) -> Cookie<'_> {
    let mut c = Cookie::build(name, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish();
    c.make_removal();
    c
}
