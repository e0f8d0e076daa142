//! The desk's people over HTTP, in process over the real store and sled: accounts and sessions
//! (password sign-in with CSRF, sessions ending with the account; surviving a restart is
//! checked end to end, in tests/e2e.rs), the brute-force brake, people and tokens managed by an
//! admin, the first admin's setup link and the user commands of the CLI. The desk's work on
//! assets is in tests/desk_work.rs.

#[macro_use]
mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::test;
use brandvault::accounts::Accounts;
use brandvault::model::{Role, UserPatch};
use common::desk::*;
use common::service::{get, setup, NOW};
use common::Fixture;
use serde_json::{json, Value};

/// Password sign-in: CSRF required, no user enumeration, a session cookie that is HttpOnly
/// and SameSite=Strict, `/api/me` for sessions and tokens, pages by role, the session ended
/// by disabling the account.
#[actix_web::test]
async fn sign_in_sessions_and_roles() {
    let fx = Fixture::new();
    let (svc, _draft, _public) = setup(&fx);
    account(&svc.state, "hoa", "Nguyễn Hoa", Role::BrandManager);
    account(&svc.state, "thu", "Phạm Thu", Role::Designer);
    let app = app!(svc);

    // A forged form (no matching cookie) is refused.
    let req = test::TestRequest::post()
        .uri("/login")
        .set_form([
            ("user", "hoa"),
            ("password", "mật khẩu đủ dài"),
            ("csrf", "forged"),
        ])
        .to_request();
    assert_eq!(
        test::call_service(&app, req).await.status(),
        StatusCode::FORBIDDEN
    );
    // A wrong password and an unknown name get the same answer.
    let wrong = sign_in!(app, "hoa", "sai mật khẩu");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wrong = body_text(wrong).await;
    let unknown = sign_in!(app, "khong-co-ai", "sai mật khẩu");
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let unknown = body_text(unknown).await;
    assert!(wrong.contains("Tên đăng nhập hoặc mật khẩu không đúng"));
    assert!(unknown.contains("Tên đăng nhập hoặc mật khẩu không đúng"));

    let resp = sign_in!(app, "hoa", "mật khẩu đủ dài");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers().get("location").unwrap(), "/review");
    let raw = resp
        .headers()
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("bv_session="))
        .unwrap();
    assert!(
        raw.contains("HttpOnly") && raw.contains("SameSite=Strict"),
        "{raw}"
    );
    let hoa = cookie_value(&resp, "bv_session").unwrap();
    let session_id = &hoa["bv_session=".len()..];
    // Only the hash of the id is stored.
    let stored = fx.stored_bytes();
    assert!(stored.len() > 1000, "the catalogue's bytes were read");
    assert!(
        !stored
            .windows(session_id.len())
            .any(|w| w == session_id.as_bytes()),
        "the session id itself is not stored"
    );

    let me: Value =
        test::call_and_read_body_json(&app, with(&hoa, get("/api/me", None)).to_request()).await;
    assert_eq!(me["user"], "hoa");
    assert_eq!(me["role"], "brand_manager");
    let me: Value = test::call_and_read_body_json(
        &app,
        get("/api/me", Some(&svc.tokens["press"])).to_request(),
    )
    .await;
    assert_eq!(me["role"], "press");
    let resp = test::call_service(&app, get("/api/me", None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // Pages by role: the manager reviews; a designer has upload and their work, and the review
    // desk explains it is not for them and links to sign in.
    let resp = test::call_service(&app, with(&hoa, get("/review", None)).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let page = body_text(resp).await;
    assert!(page.contains(r#"href="/review" aria-current="page""#));
    assert!(
        !page.contains(r#"href="/admin""#),
        "no admin menu for a manager"
    );
    let thu = cookie_value(&sign_in!(app, "thu", "mật khẩu đủ dài"), "bv_session").unwrap();
    for (path, status) in [
        ("/upload", StatusCode::OK),
        ("/mine", StatusCode::OK),
        ("/review", StatusCode::FORBIDDEN),
        ("/admin", StatusCode::FORBIDDEN),
    ] {
        let resp = test::call_service(&app, with(&thu, get(path, None)).to_request()).await;
        assert_eq!(resp.status(), status, "{path}");
        let ct = resp
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
        if status == StatusCode::FORBIDDEN {
            assert!(body_text(resp).await.contains(r#"href="/login""#));
        }
    }
    let resp = test::call_service(&app, get("/mine", None).to_request()).await;
    assert_eq!(resp.headers().get("location").unwrap(), "/login");

    // Disabling an account ends its sessions at once.
    Accounts {
        catalog: &svc.state.catalog,
    }
    .change(
        "thu",
        UserPatch {
            disabled: Some(true),
            ..Default::default()
        },
        &admin(),
        NOW,
    )
    .unwrap();
    let resp = test::call_service(&app, with(&thu, get("/api/me", None)).to_request()).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = sign_in!(app, "thu", "mật khẩu đủ dài");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "disabled");
}

/// A person changes their own password: the current one is required (a wrong one changes
/// nothing), the header greets them by their display name, the other sessions end and this
/// one continues; the new password signs in, the old one no longer does.
#[actix_web::test]
async fn a_person_changes_their_own_password() {
    let fx = Fixture::new();
    let (svc, _draft, _public) = setup(&fx);
    account(&svc.state, "thu", "Phạm Thu", Role::Designer);
    let app = app!(svc);
    let here = cookie_value(&sign_in!(app, "thu", "mật khẩu đủ dài"), "bv_session").unwrap();
    let elsewhere = cookie_value(&sign_in!(app, "thu", "mật khẩu đủ dài"), "bv_session").unwrap();
    let page =
        body_text(test::call_service(&app, with(&here, get("/login", None)).to_request()).await)
            .await;
    assert!(
        page.contains(r#"<a href="/login">Phạm Thu</a>"#),
        "the display name in the header"
    );
    assert!(page.contains(r#"action="/account/password""#));
    let csrf = csrf_field(&page);
    let change = |current: &str, new: &str| {
        with(&here, test::TestRequest::post().uri("/account/password"))
            .peer_addr("192.0.2.10:5000".parse().unwrap())
            .set_form([("csrf", csrf.as_str()), ("current", current), ("new", new)])
            .to_request()
    };
    let before = fx.journal();
    let resp = test::call_service(&app, change("không phải mật khẩu", "mật khẩu mới dài")).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(body_text(resp)
        .await
        .contains("Mật khẩu hiện tại không đúng"));
    let resp = test::call_service(&app, change("mật khẩu đủ dài", "ngắn")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(fx.journal(), before, "a refused change changes nothing");
    // Without the form's CSRF value: refused.
    let forged = with(&here, test::TestRequest::post().uri("/account/password"))
        .set_form([
            ("csrf", "x"),
            ("current", "mật khẩu đủ dài"),
            ("new", "mật khẩu mới dài"),
        ])
        .to_request();
    assert_eq!(
        test::call_service(&app, forged).await.status(),
        StatusCode::FORBIDDEN
    );

    let resp = test::call_service(&app, change("mật khẩu đủ dài", "mật khẩu mới dài")).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers().get("location").unwrap(), "/login?changed");
    let renewed = cookie_value(&resp, "bv_session").expect("this person stays signed in");
    let me = |cookie: &str| with(cookie, get("/api/me", None)).to_request();
    assert_eq!(
        test::call_service(&app, me(&renewed)).await.status(),
        StatusCode::OK
    );
    for ended in [&here, &elsewhere] {
        assert_eq!(
            test::call_service(&app, me(ended)).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let said = body_text(
        test::call_service(
            &app,
            with(&renewed, get("/login?changed", None)).to_request(),
        )
        .await,
    )
    .await;
    assert!(said.contains("Đã đổi mật khẩu"), "{said}");
    assert_eq!(
        sign_in!(app, "thu", "mật khẩu đủ dài").status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in!(app, "thu", "mật khẩu mới dài").status(),
        StatusCode::SEE_OTHER
    );
}

/// 1,000 wrong passwords for one account from one address, as fast as they can be sent over
/// ten (simulated) seconds: after the first few, fewer than one is even checked per second;
/// the right password works once the delay has passed.
#[actix_web::test]
async fn sign_in_brute_force_is_slowed() {
    let fx = Fixture::new();
    let (mut svc, _, _) = setup(&fx);
    account(&svc.state, "hoa", "Nguyễn Hoa", Role::BrandManager);
    let elapsed = Arc::new(AtomicU64::new(0));
    let base = Instant::now();
    let clock = elapsed.clone();
    Arc::get_mut(&mut svc.state).unwrap().ticks =
        Box::new(move || base + Duration::from_millis(clock.load(Ordering::Relaxed)));
    let app = app!(svc);
    let (mut checked, mut slowed) = (0, 0);
    for _ in 0..1000 {
        elapsed.fetch_add(10, Ordering::Relaxed);
        let resp = sign_in!(app, "hoa", "đoán mò");
        match resp.status() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(resp.headers().contains_key("retry-after"));
                slowed += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    let seconds = 10;
    assert!(
        checked <= 5 + seconds,
        "{checked} passwords checked in {seconds} s"
    );
    assert_eq!(checked + slowed, 1000);
    // Within the delay even the right password waits (it is not checked)…
    let resp = sign_in!(app, "hoa", "mật khẩu đủ dài");
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(body_text(resp).await.contains("giây"));
    // …and after it, it works.
    elapsed.fetch_add(3_600_000, Ordering::Relaxed);
    let resp = sign_in!(app, "hoa", "mật khẩu đủ dài");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
}

/// The admin's page makes an account, issues a token shown once, and refuses a taken name in
/// words, changing nothing.
#[actix_web::test]
async fn admin_manages_people_and_tokens() {
    let fx = Fixture::new();
    let (svc, _, _) = setup(&fx);
    account(&svc.state, "quan", "Quản trị", Role::Admin);
    let app = app!(svc);
    let quan = cookie_value(&sign_in!(app, "quan", "mật khẩu đủ dài"), "bv_session").unwrap();
    let page =
        body_text(test::call_service(&app, with(&quan, get("/admin", None)).to_request()).await)
            .await;
    let csrf = csrf_field(&page);
    let create = |name: &'static str| {
        with(&quan, test::TestRequest::post().uri("/admin/users"))
            .set_form([
                ("csrf", csrf.as_str()),
                ("name", name),
                ("display_name", "Lê Minh"),
                ("organisation", "Báo Bình Phước"),
                ("role", "press"),
                ("password", "một mật khẩu dài"),
            ])
            .to_request()
    };
    let resp = test::call_service(&app, create("minh")).await;
    assert_eq!(
        resp.headers().get("location").unwrap(),
        "/admin?done=created"
    );
    let resp = test::call_service(&app, create("minh")).await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert!(body_text(resp)
        .await
        .contains("Tên đăng nhập này đã có người dùng"));
    let resp = sign_in!(app, "minh", "một mật khẩu dài");
    assert_eq!(resp.headers().get("location").unwrap(), "/");

    // An unknown role is refused in words, nothing changed.
    let req = with(&quan, test::TestRequest::post().uri("/admin/users/minh"))
        .set_form([
            ("csrf", csrf.as_str()),
            ("action", "role"),
            ("role", "chief"),
        ])
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(resp).await.contains("Vai trò này không hợp lệ"));

    let req = with(&quan, test::TestRequest::post().uri("/admin/tokens"))
        .set_form([
            ("csrf", csrf.as_str()),
            ("name", "cổng thông tin"),
            ("role", "agency"),
        ])
        .to_request();
    let page = body_text(test::call_service(&app, req).await).await;
    let at = page.find("bv_").expect("the token, shown once");
    let token = page[at..at + 67].to_owned();
    let me: Value =
        test::call_and_read_body_json(&app, get("/api/me", Some(&token)).to_request()).await;
    assert_eq!(me["role"], "agency");
    let page =
        body_text(test::call_service(&app, with(&quan, get("/admin", None)).to_request()).await)
            .await;
    assert!(!page.contains(&token), "shown once only");
}

/// On a library without accounts, the one-time link makes the first admin and signs them
/// in; then it is spent.
#[actix_web::test]
async fn the_setup_link_makes_the_first_admin_once() {
    let fx = Fixture::new();
    let (mut svc, _, _) = setup(&fx);
    let token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    *Arc::get_mut(&mut svc.state)
        .unwrap()
        .setup
        .get_mut()
        .unwrap() = Some(blake3::hash(token.as_bytes()));
    let app = app!(svc);
    let resp = test::call_service(&app, get("/setup/wrong", None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = test::call_service(&app, get(&format!("/setup/{token}"), None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let form = |again: &'static str| {
        test::TestRequest::post()
            .uri(&format!("/setup/{token}"))
            .insert_header(("accept", "text/html"))
            .set_form([
                ("name", "quan"),
                ("display_name", "Quản trị viên"),
                ("password", "quản trị thư viện"),
                ("password_again", again),
            ])
            .to_request()
    };
    let resp = test::call_service(&app, form("khác")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(resp)
        .await
        .contains("Hai mật khẩu không giống nhau"));
    let resp = test::call_service(&app, form("quản trị thư viện")).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let quan = cookie_value(&resp, "bv_session").unwrap();
    let me: Value =
        test::call_and_read_body_json(&app, with(&quan, get("/api/me", None)).to_request()).await;
    assert_eq!(me["role"], "admin");
    let resp = test::call_service(&app, form("quản trị thư viện")).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND, "spent");
}

/// `brandvault user …` on the command line: create (password on standard input), passwd,
/// disable, list; bad input is refused with a message and nothing changes.
#[::core::prelude::v1::test]
fn user_commands_on_the_cli() {
    let fx = Fixture::new();
    let run = |args: &[&str], stdin: &str| fx.run_with_input(args, stdin);
    let out = run(
        &[
            "user",
            "create",
            "thu",
            "--role",
            "designer",
            "--display-name",
            "Phạm Thu",
        ],
        "một mật khẩu dài\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(made["user"], "thu");
    assert_eq!(made["display_name"], "Phạm Thu");
    let out = run(
        &["user", "create", "thu", "--role", "designer"],
        "khác nữa đủ dài\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("taken"));
    let out = run(&["user", "create", "ngan", "--role", "press"], "ngắn\n");
    assert!(!out.status.success(), "a short password is refused");
    let out = run(&["user", "passwd", "thu"], "mật khẩu mới đủ dài\n");
    assert!(out.status.success());
    let out = run(&["user", "disable", "thu"], "");
    assert!(out.status.success());
    let list: Value = serde_json::from_slice(&run(&["user", "list"], "").stdout).unwrap();
    assert_eq!(
        list,
        json!([{"user": "thu", "display_name": "Phạm Thu", "role": "designer", "disabled": true}])
    );
    let journal = String::from_utf8(fx.journal()).unwrap();
    assert!(!journal.contains("mật khẩu"), "no password in the journal");
    assert!(journal.contains("$argon2id$"));
}
