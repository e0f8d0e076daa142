//! What the desk's tests share: accounts made directly, the sign-in form driven as a browser
//! does (CSRF cookie and field), and a workflow step or an asset's JSON over the API.

#![allow(unused_macros)] // each test file uses a different part

use actix_web::test;
use brandvault::accounts::{Accounts, NewUser};
use brandvault::model::{Actor, Role};

use super::service::NOW;

/// The command line's administrator, who makes the accounts.
pub fn admin() -> Actor {
    Actor {
        name: "cli".into(),
        role: Role::Admin,
    }
}

/// Makes the account `name` with `role` and the password "mật khẩu đủ dài".
pub fn account(state: &brandvault::http::AppState, name: &str, display: &str, role: Role) {
    Accounts {
        catalog: &state.catalog,
    }
    .create(
        &NewUser {
            name,
            display_name: Some(display),
            organisation: Some("Sở VHTTDL"),
            role,
            password: "mật khẩu đủ dài",
        },
        &admin(),
        NOW,
    )
    .unwrap();
}

/// The CSRF token of the first form on `page`.
pub fn csrf_field(page: &str) -> String {
    let at =
        page.find(r#"name="csrf" value=""#).expect("a csrf field") + r#"name="csrf" value=""#.len();
    page[at..at + 64].to_owned()
}

/// The cookie `name` the answer sets, as `name=value`.
pub fn cookie_value<B>(resp: &actix_web::dev::ServiceResponse<B>, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

/// The answer's body as text.
pub async fn body_text<B: actix_web::body::MessageBody>(
    resp: actix_web::dev::ServiceResponse<B>,
) -> String {
    String::from_utf8(test::read_body(resp).await.to_vec()).unwrap()
}

/// Signs in through the form; returns the answer (303 with the session cookie on success).
macro_rules! sign_in {
    ($app:expr, $user:expr, $password:expr) => {{
        let resp = ::actix_web::test::call_service(
            &$app,
            $crate::common::service::get("/login", None).to_request(),
        )
        .await;
        let pre = $crate::common::desk::cookie_value(&resp, "bv_login_csrf")
            .expect("a login CSRF cookie");
        let csrf = pre["bv_login_csrf=".len()..].to_owned();
        let req = ::actix_web::test::TestRequest::post()
            .uri("/login")
            .peer_addr("192.0.2.10:5000".parse().unwrap())
            .insert_header(("cookie", pre))
            .insert_header(("accept", "text/html"))
            .set_form([("user", $user), ("password", $password), ("csrf", &csrf)])
            .to_request();
        ::actix_web::test::call_service(&$app, req).await
    }};
}

/// An asset's JSON as `token` sees it (`asset_bytes!`: the body as it came, byte for byte).
macro_rules! asset_json {
    ($app:expr, $token:expr, $id:expr) => {
        ::actix_web::test::call_and_read_body_json::<_, _, ::serde_json::Value>(
            &$app,
            $crate::common::service::get(&format!("/api/assets/{}", $id), Some(&$token))
                .to_request(),
        )
        .await
    };
}
macro_rules! asset_bytes {
    ($app:expr, $token:expr, $id:expr) => {
        ::actix_web::test::call_and_read_body(
            &$app,
            $crate::common::service::get(&format!("/api/assets/{}", $id), Some(&$token))
                .to_request(),
        )
        .await
    };
}

/// A workflow step over the API with a Bearer token; the response.
macro_rules! step {
    ($app:expr, $token:expr, $id:expr, $action:expr, $body:expr) => {
        ::actix_web::test::call_service(
            &$app,
            $crate::common::service::post_json(
                &format!("/api/assets/{}/{}", $id, $action),
                &$token,
                $body,
            )
            .to_request(),
        )
        .await
    };
}

/// A request with the session `cookie`, as a browser asks for a page.
pub fn with(cookie: &str, req: test::TestRequest) -> test::TestRequest {
    req.insert_header(("cookie", cookie.to_owned()))
        .insert_header(("accept", "text/html"))
}

/// A multipart body with `fields` and one file; (content type, body).
pub fn multipart(fields: &[(&str, &str)], name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----brandvault-desk-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// POST /api/assets with the header `auth`, `fields` and one file.
pub fn upload_with(
    auth: (&str, &str),
    fields: &[(&str, &str)],
    name: &str,
    bytes: &[u8],
) -> test::TestRequest {
    let (ct, body) = multipart(fields, name, bytes);
    test::TestRequest::post()
        .uri("/api/assets")
        .insert_header(("content-type", ct))
        .insert_header(auth)
        .set_payload(body)
}
