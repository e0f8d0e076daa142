//! Browser sessions for the pages: a login form exchanges an API token for a session cookie
//! (HttpOnly, SameSite=Strict). Sessions live in memory (a restart logs everyone out), are
//! stored by the BLAKE3 of their id, end after 12 hours, and die with the token they came from.
//! Every state-changing request made with the cookie must carry the session's CSRF token (form
//! field `csrf` or header `X-CSRF-Token`); Bearer requests carry no ambient credential and need
//! none.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;

use crate::model::Actor;

/// The session cookie's name.
pub const COOKIE: &str = "bv_session";
/// The pre-login CSRF cookie (double submit: the login form carries the same value).
pub const LOGIN_CSRF_COOKIE: &str = "bv_login_csrf";
const LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// One logged-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    /// The stored hash of the token used to log in: revoking it ends the session.
    pub token_hash: String,
    pub csrf: String,
    expires: Instant,
}

/// The live sessions, by the hash of their id.
#[derive(Default)]
pub struct Sessions(Mutex<HashMap<blake3::Hash, Session>>);

impl Sessions {
    /// Starts a session; returns its id (for the cookie).
    pub fn start(&self, actor: Actor, token_hash: String) -> Result<String, getrandom::Error> {
        let id = super::auth::random_hex()?;
        let session = Session {
            actor,
            token_hash,
            csrf: super::auth::random_hex()?,
            expires: Instant::now() + LIFETIME,
        };
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, s| s.expires > Instant::now());
        map.insert(blake3::hash(id.as_bytes()), session);
        Ok(id)
    }

    /// The live session a request's cookie names.
    pub fn of(&self, req: &HttpRequest) -> Option<Session> {
        let id = req.cookie(COOKIE)?;
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&blake3::hash(id.value().as_bytes()))
            .filter(|s| s.expires > Instant::now())
            .cloned()
    }

    /// Ends the session a request's cookie names.
    pub fn end(&self, req: &HttpRequest) {
        if let Some(id) = req.cookie(COOKIE) {
            let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            map.remove(&blake3::hash(id.value().as_bytes()));
        }
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
