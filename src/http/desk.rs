//! The working pages behind the login: sign in and out, the designers' upload page (drag and
//! drop with progress, through the API with the session's CSRF token) and the brand managers'
//! review queue (violations, approve, reject, approve with a written override).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::portal::desk_layout::{esc, layout, t, thumb};
use super::portal::language;
use super::session::{self, Session};
use super::{auth, caller, ApiError, State};
use crate::catalog::Filter;
use crate::model::{ErrorKind, Status};
use crate::workflow::{Action, Step};

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

/// GET /login: the sign-in form, or who is signed in with a sign-out button.
pub async fn login_form(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let en = language(&req).0.is_en();
    if let Some(s) = state.sessions.of(&req) {
        let body = format!(
            r#"<h1>{title}</h1><p>{who} <strong>{name}</strong> ({role})</p>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="{csrf}"><button>{out}</button></form>"#,
            title = t(en, "Tài khoản", "Account"),
            who = t(en, "Đang đăng nhập:", "Signed in as"),
            name = esc(&s.actor.name),
            role = serde_json::to_value(s.actor.role)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            csrf = s.csrf,
            out = t(en, "Đăng xuất", "Sign out"),
        );
        return Ok(layout(&state, &req, t(en, "Tài khoản", "Account"), &body));
    }
    let csrf = auth::random_hex().map_err(ApiError::internal)?;
    let body = format!(
        r#"<h1>{title}</h1><form method="post" action="/login{lang}"><input type="hidden" name="csrf" value="{csrf}">
<label>{label} <input type="password" name="token" autocomplete="current-password" required></label><button>{go}</button></form>
<p><small>{hint}</small></p>"#,
        title = t(en, "Đăng nhập", "Sign in"),
        lang = "",
        label = t(en, "Mã truy cập", "Access token"),
        go = t(en, "Đăng nhập", "Sign in"),
        hint = t(
            en,
            "Mã do quản trị viên cấp (brandvault token create).",
            "A token from your administrator (brandvault token create)."
        ),
    );
    let mut resp = layout(&state, &req, t(en, "Đăng nhập", "Sign in"), &body);
    resp.add_cookie(&session::cookie(&req, session::LOGIN_CSRF_COOKIE, csrf))
        .map_err(ApiError::internal)?;
    Ok(resp)
}

#[derive(Deserialize)]
pub struct LoginForm {
    token: String,
    csrf: String,
}

/// POST /login: a valid token and the form's own CSRF value open a session.
pub async fn login(
    state: State,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, ApiError> {
    let en = language(&req).0.is_en();
    let form = form.into_inner();
    let expected = req.cookie(session::LOGIN_CSRF_COOKIE);
    if !expected.is_some_and(|c| session::same_secret(c.value(), &form.csrf)) {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "csrf-failed",
            "the form is stale or was not sent by this site: reload the page",
        ));
    }
    let (st, now) = (state.clone(), (state.clock)());
    let token = form.token.clone();
    let actor = web::block(move || auth::actor_for(&st.catalog, &token, &now)).await??;
    let Some(actor) = actor else {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "bad-token",
            t(en, "Mã truy cập không đúng", "This token is not valid"),
        ));
    };
    let to = if actor.role.reviews() {
        "/review"
    } else if actor.role.edits() {
        "/upload"
    } else {
        "/"
    };
    let token_hash = auth::token_hash(&form.token);
    let id = state
        .sessions
        .start(actor, token_hash)
        .map_err(ApiError::internal)?;
    let mut resp = see_other(to);
    resp.add_cookie(&session::cookie(&req, session::COOKIE, id))
        .map_err(ApiError::internal)?;
    resp.add_removal_cookie(&session::expired(session::LOGIN_CSRF_COOKIE))
        .map_err(ApiError::internal)?;
    Ok(resp)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// POST /logout
pub async fn logout(
    state: State,
    req: HttpRequest,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, ApiError> {
    caller(&state, &req, Some(&form.csrf)).await?;
    state.sessions.end(&req);
    let mut resp = see_other("/");
    resp.add_removal_cookie(&session::expired(session::COOKIE))
        .map_err(ApiError::internal)?;
    Ok(resp)
}

/// The session of a page that needs one with a role that `allowed` accepts, its token still
/// live; else the login page (not signed in) or 404 (signed in without the role: the page does
/// not exist for it).
async fn session_for(
    state: &State,
    req: &HttpRequest,
    allowed: fn(&crate::model::Role) -> bool,
) -> Result<Result<Session, HttpResponse>, ApiError> {
    let viewer = caller(state, req, None).await?;
    Ok(match (state.sessions.of(req), viewer.actor) {
        (Some(s), Some(actor)) if allowed(&actor.role) => Ok(s),
        (Some(_), Some(_)) => Err(HttpResponse::NotFound().finish()),
        _ => Err(see_other("/login")),
    })
}

/// GET /upload: drag and drop, one request per file, with progress.
pub async fn upload_page(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let en = language(&req).0.is_en();
    let s = match session_for(&state, &req, crate::model::Role::edits).await? {
        Ok(s) => s,
        Err(resp) => return Ok(resp),
    };
    let body = format!(
        r#"<h1>{title}</h1><p>{intro}</p>
<div id="drop" data-csrf="{csrf}" data-done="{done}" data-failed="{failed}" class="dropzone">
<p>{drop}</p><input id="files" type="file" name="file" multiple accept="image/*,video/*,.svg,.txt"></div>
<ul id="progress"></ul><script src="/static/upload.js"></script>"#,
        title = t(en, "Tải lên", "Upload"),
        intro = t(
            en,
            "Ảnh, phim, logo (SVG) và khẩu hiệu (văn bản). Mỗi tệp được lưu một lần, kiểm tra theo bộ nhận diện.",
            "Photos, films, logos (SVG) and slogans (text). Each file is stored once and checked against the identity guidelines."
        ),
        csrf = s.csrf,
        done = t(en, "Đã tải lên", "Uploaded"),
        failed = t(en, "Lỗi", "Failed"),
        drop = t(en, "Kéo thả tệp vào đây, hoặc chọn tệp:", "Drop files here, or choose them:"),
    );
    Ok(layout(&state, &req, t(en, "Tải lên", "Upload"), &body))
}

/// GET /static/upload.js: the upload page's script (a file, so the pages' CSP forbids inline
/// scripts). Each file goes to POST /api/assets with the session's CSRF token.
pub async fn upload_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(include_str!("upload.js"))
}

/// GET /review: what waits for review, with its violations and the decisions.
pub async fn review_page(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let en = language(&req).0.is_en();
    let s = match session_for(&state, &req, crate::model::Role::reviews).await? {
        Ok(s) => s,
        Err(resp) => return Ok(resp),
    };
    let st = state.clone();
    let waiting = web::block(move || {
        st.catalog.list(&Filter {
            status: Some(Status::InReview),
            limit: Some(200),
            ..Default::default()
        })
    })
    .await??;
    let mut rows = String::new();
    for a in &waiting {
        let img = thumb(a)
            .map(|u| format!(r#"<img src="{u}" alt="" width="160">"#))
            .unwrap_or_default();
        let violations: String = a
            .violations
            .iter()
            .map(|v| format!("<li><code>{}</code> {}</li>", esc(&v.rule), esc(&v.message)))
            .collect();
        let verdict = if a.violations.is_empty() {
            format!(
                "<p>✓ {}</p>",
                t(en, "Đạt bộ nhận diện", "Meets the guidelines")
            )
        } else {
            format!("<ul>{violations}</ul>")
        };
        let override_field = if a.violations.is_empty() {
            String::new()
        } else {
            format!(
                r#"<input name="override" placeholder="{}" required>"#,
                t(en, "Lý do duyệt dù vi phạm", "Why approve despite this")
            )
        };
        rows += &format!(
            r#"<section class="card review-item"><a href="/assets/{id}{lang}">{img}</a>
<h3>{name}</h3><p><small>{owner}</small></p>{verdict}
<form method="post" action="/assets/{id}/step{lang}"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="action" value="approve">{override_field}<select name="access"><option value="public">{public}</option><option value="press">{press}</option><option value="internal">{internal}</option></select><button>{approve}</button></form>
<form method="post" action="/assets/{id}/step{lang}"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="action" value="reject"><input name="reason" placeholder="{why}" required><button>{reject}</button></form></section>"#,
            id = a.id,
            lang = "",
            name = esc(a.display_name()),
            owner = esc(a.owner.as_deref().unwrap_or("")),
            csrf = s.csrf,
            approve = t(en, "Duyệt", "Approve"),
            public = t(en, "Công khai", "Public"),
            press = t(en, "Chỉ báo chí", "Press only"),
            internal = t(en, "Nội bộ", "Internal"),
            why = t(en, "Lý do từ chối", "Reason"),
            reject = t(en, "Từ chối", "Reject"),
        );
    }
    if waiting.is_empty() {
        rows = format!(
            r#"<p id="queue-empty">{}</p>"#,
            t(en, "Không có gì chờ duyệt.", "Nothing waits for review.")
        );
    }
    let body = format!("<h1>{}</h1>{rows}", t(en, "Chờ duyệt", "Review queue"));
    Ok(layout(
        &state,
        &req,
        t(en, "Chờ duyệt", "Review queue"),
        &body,
    ))
}

#[derive(Deserialize)]
pub struct StepForm {
    csrf: String,
    action: String,
    reason: Option<String>,
    #[serde(rename = "override")]
    justification: Option<String>,
    /// On approval: who may see the asset (public, press, internal).
    access: Option<crate::model::Access>,
}

/// POST /assets/{id}/step: submit (the owner, from the asset page), approve (setting who may
/// see it, with an override when it breaks the guidelines) or reject (from the queue). The
/// workflow checks the roles; what the caller may not see is 404.
pub async fn step_form(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    form: web::Form<StepForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let (asset, viewer) =
        super::api::visible_asset_for(&state, &req, &id, Some(&form.csrf)).await?;
    let actor = viewer.actor.ok_or_else(ApiError::not_found)?;
    let action = match form.action.as_str() {
        "submit" => Action::Submit,
        "approve" => Action::Approve,
        "reject" => Action::Reject,
        _ => return Err(ApiError::not_found()),
    };
    let st = state.clone();
    let now = viewer.now;
    let id = asset.id;
    web::block(move || {
        let step = Step {
            reason: form.reason.as_deref().filter(|r| !r.is_empty()),
            justification: form.justification.as_deref().filter(|j| !j.is_empty()),
            // The audience is chosen when approving; any other step ignores the field.
            access: form.access.filter(|_| action == Action::Approve),
        };
        st.workflow().transition(&id, action, &actor, step, &now)
    })
    .await??;
    let back = match action {
        Action::Submit => format!("/assets/{id}"),
        _ => "/review".to_owned(),
    };
    Ok(see_other(&back))
}
