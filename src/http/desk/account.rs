//! Signing in and out, the one-time set-up of the first admin, and `GET /api/me`.
//!
//! Sign-in never tells whether a name exists: an unknown name, a wrong password and a
//! disabled account get the same answer after the same argon2 work; attempts are slowed per
//! account and per address (`throttle`).

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::{role_name, see_other};
use crate::accounts::NewUser;
use crate::http::portal::{respond, Chrome};
use crate::http::session::{self, Session};
use crate::http::{auth, caller, ApiError, State};
use crate::model::{Actor, ErrorKind, Role, Viewer};

#[derive(Template)]
#[template(path = "desk/login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    user: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "desk/account.html")]
pub(super) struct AccountPage {
    chrome: Chrome,
    session: Session,
    role: &'static str,
    /// What just happened ("password changed"), said once.
    notice: Option<String>,
    /// Why the password form was refused, next to it.
    error: Option<String>,
}

impl AccountPage {
    /// The signed-in person's account page, with what just happened or why a change was
    /// refused.
    pub(super) fn new(
        chrome: Chrome,
        session: Session,
        notice: Option<String>,
        error: Option<String>,
    ) -> Self {
        let title = chrome.t("account.title");
        AccountPage {
            role: role_name(chrome.lang, session.actor.role),
            chrome: chrome.titled(title, "login"),
            session,
            notice,
            error,
        }
    }
}

/// A fresh pre-login CSRF value, set as a cookie on `resp`.
fn with_login_csrf(
    req: &HttpRequest,
    csrf: String,
    mut resp: HttpResponse,
) -> Result<HttpResponse, ApiError> {
    resp.add_cookie(&session::cookie(req, session::LOGIN_CSRF_COOKIE, csrf))
        .map_err(ApiError::internal)?;
    Ok(resp)
}

fn login_page(
    state: &State,
    req: &HttpRequest,
    status: StatusCode,
    user: String,
    error: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let chrome = Chrome::new(state, req, None);
    let csrf = auth::random_hex().map_err(ApiError::internal)?;
    let title = chrome.t("login.title");
    let page = LoginPage {
        chrome: chrome.titled(title, "login"),
        csrf: csrf.clone(),
        user,
        error,
    };
    with_login_csrf(req, csrf, respond(req, status, &page)?)
}

/// GET /login: the sign-in form, or the signed-in person's account with a sign-out button.
pub async fn login_form(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if let Some(session) = session::current(&state, &req).await? {
        let viewer = Viewer {
            actor: Some(session.actor.clone()),
            now: String::new(),
        };
        let chrome = Chrome::new(&state, &req, Some(&viewer));
        let changed = crate::http::portal::query_value(req.query_string(), "changed").is_some();
        let notice = changed.then(|| chrome.t("account.password_changed").to_owned());
        let page = AccountPage::new(chrome, session, notice, None);
        return respond(&req, StatusCode::OK, &page);
    }
    login_page(&state, &req, StatusCode::OK, String::new(), None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    user: String,
    password: String,
    csrf: String,
}

/// Where a role starts its day.
fn home(role: Role) -> &'static str {
    if role.reviews() {
        "/review"
    } else if role.edits() {
        "/mine"
    } else {
        "/"
    }
}

/// POST /login: a name, its password and the form's own CSRF value open a session (303).
pub async fn login(
    state: State,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let expected = req.cookie(session::LOGIN_CSRF_COOKIE);
    if !expected.is_some_and(|c| session::same_secret(c.value(), &form.csrf)) {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "csrf-failed",
            "the form is stale or was not sent by this site: reload the page",
        ));
    }
    let address = req.peer_addr().map(|a| a.ip());
    let lang = crate::http::portal::language(&req).0;
    if let Some(wait) = state.throttle.wait(&form.user, address, (state.ticks)()) {
        let secs = wait.as_secs().max(1);
        let message = lang.fill("login.wait", &[("n", &secs.to_string())]);
        let mut resp = login_page(
            &state,
            &req,
            StatusCode::TOO_MANY_REQUESTS,
            form.user.clone(),
            Some(message),
        )?;
        resp.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        return Ok(resp);
    }
    let (st, name, password) = (state.clone(), form.user.clone(), form.password);
    let user = web::block(move || st.accounts().authenticate(&name, &password))
        .await?
        .map_err(|e| ApiError::new(e.kind(), e.code(), e.to_string()))?;
    let Some(user) = user else {
        state.throttle.failed(&form.user, address, (state.ticks)());
        let message = lang.t("login.failed").to_owned();
        return login_page(
            &state,
            &req,
            StatusCode::UNAUTHORIZED,
            form.user,
            Some(message),
        );
    };
    state.throttle.succeeded(&form.user);
    let (st, now, name) = (state.clone(), (state.clock)(), user.name.clone());
    let id = web::block(move || session::start(&st.catalog, &name, &now)).await??;
    let mut resp = see_other(home(user.role));
    resp.add_cookie(&session::cookie(&req, session::COOKIE, id))
        .map_err(ApiError::internal)?;
    resp.add_removal_cookie(&session::expired(session::LOGIN_CSRF_COOKIE))
        .map_err(ApiError::internal)?;
    Ok(resp)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub(super) csrf: String,
}

/// POST /logout
pub async fn logout(
    state: State,
    req: HttpRequest,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, ApiError> {
    caller(&state, &req, Some(&form.csrf)).await?;
    session::end(&state, &req).await?;
    let mut resp = see_other("/");
    resp.add_removal_cookie(&session::expired(session::COOKIE))
        .map_err(ApiError::internal)?;
    Ok(resp)
}

/// Who is asking, for scripts and pages.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    /// The account's sign-in name, or the API token's name.
    user: String,
    role: Role,
    /// How pages show the person (an account's display name; a token's name).
    display_name: String,
}

/// GET /api/me: the signed-in account or the Bearer token's owner; 401 for nobody.
#[utoipa::path(get, path = "/api/me", tag = "service",
    responses(
        (status = 200, description = "Who the session or token belongs to", body = Me),
        (status = 401, description = "No session and no token", body = crate::http::error::ErrorBody),
    ))]
pub async fn me(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (viewer, session) = crate::http::signed_in(&state, &req, None).await?;
    let Actor { name, role } = viewer.actor.ok_or_else(|| {
        ApiError::new(
            ErrorKind::Unauthenticated,
            "unauthenticated",
            "sign in, or send an API token as `Authorization: Bearer …`",
        )
    })?;
    let me = Me {
        // A token's owner is shown by the token's name.
        display_name: session.map_or_else(|| name.clone(), |s| s.display_name),
        user: name,
        role,
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(me))
}

#[derive(Template)]
#[template(path = "desk/setup.html")]
struct SetupPage {
    chrome: Chrome,
    token: String,
    error: Option<String>,
    name: String,
    display_name: String,
}

/// Whether `token` is the live set-up link.
fn setup_allowed(state: &State, token: &str) -> bool {
    let guard = state.setup.lock().unwrap_or_else(|p| p.into_inner());
    guard.is_some_and(|h| h == blake3::hash(token.as_bytes()))
}

/// Takes the live set-up link if `token` is it (nobody else can use it meanwhile).
fn take_setup(state: &State, token: &str) -> Option<blake3::Hash> {
    let mut guard = state.setup.lock().unwrap_or_else(|p| p.into_inner());
    guard.take_if(|h| *h == blake3::hash(token.as_bytes()))
}

/// GET /setup/{token}: the form making the first admin, from the link `serve` printed.
pub async fn setup_form(
    state: State,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if !setup_allowed(&state, &token) {
        return Err(ApiError::not_found());
    }
    let chrome = Chrome::new(&state, &req, None);
    let title = chrome.t("setup.title");
    let page = SetupPage {
        chrome: chrome.titled(title, "login"),
        token: token.into_inner(),
        error: None,
        name: String::new(),
        display_name: String::new(),
    };
    respond(&req, StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct SetupForm {
    name: String,
    display_name: String,
    password: String,
    password_again: String,
}

/// POST /setup/{token}: makes the first admin, spends the link and signs them in.
pub async fn setup(
    state: State,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<SetupForm>,
) -> Result<HttpResponse, ApiError> {
    // Taken while the account is made, so two submissions cannot make two admins; given back
    // if this one is refused.
    let Some(link) = take_setup(&state, &token) else {
        return Err(ApiError::not_found());
    };
    let form = form.into_inner();
    let lang = crate::http::portal::language(&req).0;
    let made = if form.password != form.password_again {
        Err(lang.t("people.password_mismatch").to_owned())
    } else {
        let (st, now) = (state.clone(), (state.clock)());
        let (name, display, password) = (
            form.name.clone(),
            form.display_name.clone(),
            form.password.clone(),
        );
        web::block(move || {
            let new = NewUser {
                name: &name,
                display_name: Some(&display),
                organisation: None,
                role: Role::Admin,
                password: &password,
            };
            let operator = Actor {
                name: "setup".into(),
                role: Role::Admin,
            };
            st.accounts().create(&new, &operator, &now)
        })
        .await
        .map_err(|_| lang.t("people.error.other").to_owned())
        .and_then(|made| made.map_err(|e| super::people::account_error_text(lang, &e)))
    };
    match made {
        Ok(user) => {
            let (st, now) = (state.clone(), (state.clock)());
            let id = web::block(move || session::start(&st.catalog, &user.name, &now)).await??;
            let mut resp = see_other("/admin");
            resp.add_cookie(&session::cookie(&req, session::COOKIE, id))
                .map_err(ApiError::internal)?;
            Ok(resp)
        }
        Err(error) => {
            *state.setup.lock().unwrap_or_else(|p| p.into_inner()) = Some(link);
            let chrome = Chrome::new(&state, &req, None);
            let title = chrome.t("setup.title");
            let page = SetupPage {
                chrome: chrome.titled(title, "login"),
                token: token.into_inner(),
                error: Some(error),
                name: form.name,
                display_name: form.display_name,
            };
            respond(&req, StatusCode::BAD_REQUEST, &page)
        }
    }
}
