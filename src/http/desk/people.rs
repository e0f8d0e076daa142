//! The admin's page of people: accounts (make, change role, reset password, disable, enable)
//! and API tokens (issue, shown once; revoke). Every action is a form with the session's CSRF
//! token, answered by a redirect back with what happened, or the page with the error.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{desk_or_return, role_code, role_name, see_other, Desk, ROLES};
use crate::accounts::{AccountError, Accounts, NewUser};
use crate::http::portal::{query_value, respond, Chrome, Lang};
use crate::http::{ApiError, State};
use crate::model::{Role, UserPatch};

pub(super) fn account_error_text(lang: Lang, e: &AccountError) -> String {
    lang.lookup(&format!("people.error.{}", e.code()))
        .map_or_else(|| lang.t("people.error.other").to_owned(), str::to_owned)
}

struct Row {
    name: String,
    display_name: String,
    organisation: String,
    role: &'static str,
    role_code: &'static str,
    disabled: bool,
}

struct TokenRow {
    name: String,
    role: &'static str,
    created: String,
}

struct RoleChoice {
    code: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "desk/people.html")]
struct PeoplePage {
    chrome: Chrome,
    csrf: String,
    users: Vec<Row>,
    tokens: Vec<TokenRow>,
    roles: Vec<RoleChoice>,
    notice: Option<String>,
    error: Option<String>,
    /// A token just issued: shown this once.
    new_token: Option<(String, String)>,
}

async fn render(
    state: &State,
    req: &HttpRequest,
    desk: Desk,
    status: StatusCode,
    error: Option<String>,
    new_token: Option<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let lang = desk.lang;
    let st = state.clone();
    let (users, tokens) =
        web::block(move || Ok::<_, ApiError>((st.catalog.users()?, st.catalog.tokens()?)))
            .await??;
    let notice = query_value(req.query_string(), "done")
        .and_then(|k| lang.lookup(&format!("people.done.{k}")))
        .map(str::to_owned);
    let title = desk.chrome.t("people.title");
    let page = PeoplePage {
        csrf: desk.session.csrf.clone(),
        users: users
            .into_iter()
            .map(|u| Row {
                role: role_name(lang, u.role),
                role_code: role_code(u.role),
                organisation: u.organisation.unwrap_or_default(),
                name: u.name,
                display_name: u.display_name,
                disabled: u.disabled,
            })
            .collect(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                role: role_name(lang, t.role),
                created: lang.datetime(&t.created_at),
                name: t.name,
            })
            .collect(),
        roles: ROLES
            .iter()
            .map(|r| RoleChoice {
                code: role_code(*r),
                label: role_name(lang, *r),
            })
            .collect(),
        notice,
        error,
        new_token,
        chrome: desk.chrome.titled(title, "people"),
    };
    respond(req, status, &page)
}

/// GET /admin: people and tokens.
pub async fn people_page(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let desk = desk_or_return!(state, req, |r| *r == Role::Admin);
    render(&state, &req, desk, StatusCode::OK, None, None).await
}

fn parse_role(code: &str) -> Result<Role, AccountError> {
    crate::http::auth::parse_role(code).ok_or_else(|| AccountError::UnknownRole(code.to_owned()))
}

/// A token just issued, to show once: (its name, the token).
type Issued = Option<(String, String)>;

/// Runs an account operation as the signed-in admin: a redirect to /admin saying `done`, the
/// page showing a token just issued, or the page with the error (400/409), nothing changed.
async fn act(
    state: State,
    req: HttpRequest,
    csrf: &str,
    done: &str,
    op: impl FnOnce(&Accounts<'_>, &crate::model::Actor, &str) -> Result<Issued, AccountError>
        + Send
        + 'static,
) -> Result<HttpResponse, ApiError> {
    let desk = desk_or_return!(state, req, |r| *r == Role::Admin, Some(csrf));
    let actor = desk.session.actor.clone();
    let st = state.clone();
    let now = desk.now.clone();
    let outcome = web::block(move || op(&st.accounts(), &actor, &now)).await?;
    match outcome {
        Ok(None) => Ok(see_other(&format!("/admin?done={done}"))),
        Ok(issued @ Some(_)) => render(&state, &req, desk, StatusCode::OK, None, issued).await,
        Err(e) => {
            let status =
                actix_web::ResponseError::status_code(&ApiError::new(e.kind(), e.code(), ""));
            let text = account_error_text(desk.lang, &e);
            render(&state, &req, desk, status, Some(text), None).await
        }
    }
}

#[derive(Deserialize)]
pub struct CreateForm {
    csrf: String,
    name: String,
    display_name: String,
    #[serde(default)]
    organisation: String,
    role: String,
    password: String,
}

/// POST /admin/users: a new account.
pub async fn user_create(
    state: State,
    req: HttpRequest,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, ApiError> {
    let f = form.into_inner();
    let csrf = f.csrf.clone();
    act(state, req, &csrf, "created", move |accounts, actor, now| {
        let new = NewUser {
            name: f.name.trim(),
            display_name: Some(&f.display_name),
            organisation: Some(&f.organisation),
            role: parse_role(&f.role)?,
            password: &f.password,
        };
        accounts.create(&new, actor, now).map(|_| None)
    })
    .await
}

#[derive(Deserialize)]
pub struct UserActionForm {
    csrf: String,
    /// `role`, `password`, `disable` or `enable`.
    action: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

/// POST /admin/users/{name}: change a role, reset a password, disable or enable.
pub async fn people_action(
    state: State,
    req: HttpRequest,
    name: web::Path<String>,
    form: web::Form<UserActionForm>,
) -> Result<HttpResponse, ApiError> {
    let f = form.into_inner();
    let name = name.into_inner();
    let csrf = f.csrf.clone();
    let done = match f.action.as_str() {
        "role" => "role",
        "password" => "password",
        "disable" => "disabled",
        "enable" => "enabled",
        _ => return Err(ApiError::not_found()),
    };
    act(state, req, &csrf, done, move |accounts, actor, now| {
        let patch = |p: UserPatch| accounts.change(&name, p, actor, now).map(|_| None);
        match f.action.as_str() {
            "role" => patch(UserPatch {
                role: Some(parse_role(&f.role)?),
                ..Default::default()
            }),
            "password" => accounts
                .set_password(&name, &f.password, actor, now)
                .map(|()| None),
            disable => patch(UserPatch {
                disabled: Some(disable == "disable"),
                ..Default::default()
            }),
        }
    })
    .await
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
    name: String,
    role: String,
}

/// POST /admin/tokens: issues an API token, shown once on the page that answers.
pub async fn token_create(
    state: State,
    req: HttpRequest,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, ApiError> {
    let f = form.into_inner();
    let csrf = f.csrf.clone();
    act(state, req, &csrf, "token", move |accounts, actor, now| {
        let token = accounts.create_token(&f.name, parse_role(&f.role)?, actor, now)?;
        Ok(Some((f.name.trim().to_owned(), token)))
    })
    .await
}

/// POST /admin/tokens/{name}/revoke
pub async fn token_revoke(
    state: State,
    req: HttpRequest,
    name: web::Path<String>,
    form: web::Form<super::account::CsrfForm>,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    let csrf = form.into_inner().csrf;
    act(state, req, &csrf, "revoked", move |accounts, actor, now| {
        accounts.revoke_token(&name, actor, now).map(|()| None)
    })
    .await
}
