//! The desk over HTTP, in process over the real store and sled: people's accounts and
//! sessions (password sign-in with CSRF, sessions ending with the account; surviving a
//! restart is checked end to end, in tests/e2e.rs), the brute-force brake, uploads with metadata, refused workflow steps that change
//! nothing (asset and journal byte for byte), bulk edits and the desk's pages.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::test;
use brandvault::accounts::{Accounts, NewUser};
use brandvault::model::{Actor, Role, UserPatch};
use common::service::{get, post_json, setup, upload, NOW};
use common::{photo, Fixture};
use serde_json::{json, Value};

fn admin() -> Actor {
    Actor {
        name: "cli".into(),
        role: Role::Admin,
    }
}

/// Makes the account `name` with `role` and the password "mật khẩu đủ dài".
fn account(state: &brandvault::http::AppState, name: &str, display: &str, role: Role) {
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

fn csrf_field(page: &str) -> String {
    let at =
        page.find(r#"name="csrf" value=""#).expect("a csrf field") + r#"name="csrf" value=""#.len();
    page[at..at + 64].to_owned()
}

fn cookie_value<B>(resp: &actix_web::dev::ServiceResponse<B>, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

async fn body_text<B: actix_web::body::MessageBody>(
    resp: actix_web::dev::ServiceResponse<B>,
) -> String {
    String::from_utf8(test::read_body(resp).await.to_vec()).unwrap()
}

/// Signs in through the form; returns the answer (303 with the session cookie on success).
macro_rules! sign_in {
    ($app:expr, $user:expr, $password:expr) => {{
        let resp = test::call_service(&$app, get("/login", None).to_request()).await;
        let pre = cookie_value(&resp, "bv_login_csrf").expect("a login CSRF cookie");
        let csrf = pre["bv_login_csrf=".len()..].to_owned();
        let req = test::TestRequest::post()
            .uri("/login")
            .peer_addr("192.0.2.10:5000".parse().unwrap())
            .insert_header(("cookie", pre))
            .insert_header(("accept", "text/html"))
            .set_form([("user", $user), ("password", $password), ("csrf", &csrf)])
            .to_request();
        test::call_service(&$app, req).await
    }};
}

/// An asset's JSON as `token` sees it (`asset_bytes!`: the body as it came, byte for byte).
macro_rules! asset_json {
    ($app:expr, $token:expr, $id:expr) => {
        test::call_and_read_body_json::<_, _, Value>(
            &$app,
            get(&format!("/api/assets/{}", $id), Some(&$token)).to_request(),
        )
        .await
    };
}
macro_rules! asset_bytes {
    ($app:expr, $token:expr, $id:expr) => {
        test::call_and_read_body(
            &$app,
            get(&format!("/api/assets/{}", $id), Some(&$token)).to_request(),
        )
        .await
    };
}

/// A workflow step over the API with a Bearer token; the response.
macro_rules! step {
    ($app:expr, $token:expr, $id:expr, $action:expr, $body:expr) => {
        test::call_service(
            &$app,
            post_json(&format!("/api/assets/{}/{}", $id, $action), &$token, $body).to_request(),
        )
        .await
    };
}

fn with(cookie: &str, req: test::TestRequest) -> test::TestRequest {
    req.insert_header(("cookie", cookie.to_owned()))
        .insert_header(("accept", "text/html"))
}

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
    let sled_bytes = std::fs::read_dir(fx.index())
        .unwrap()
        .filter_map(|e| std::fs::read(e.unwrap().path()).ok())
        .flatten()
        .collect::<Vec<u8>>();
    assert!(
        !sled_bytes
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

fn multipart(fields: &[(&str, &str)], name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
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

fn upload_with(
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

/// An upload carries its metadata into the asset's first journal entry; unknown fields and
/// bad values are 400 with nothing catalogued; a person's uploads are credited to them; a
/// text file is a slogan.
#[actix_web::test]
async fn uploads_carry_their_metadata() {
    let fx = Fixture::new();
    let (svc, _, _) = setup(&fx);
    account(&svc.state, "thu", "Phạm Thu", Role::Designer);
    let app = app!(svc);
    let bearer = format!("Bearer {}", svc.tokens["dana"]);
    let auth = ("authorization", bearer.as_str());
    let bytes = photo(120, 80, 41, &Default::default());
    let fields = [
        ("caption_vi", "Bình minh trên trảng cỏ Bù Lạch"),
        ("caption_en", "Dawn over the Bù Lạch grassland"),
        ("credit", "Phạm Thu / Sở VHTTDL"),
        ("license", "CC BY 4.0"),
        ("tag", "du-lich"),
        ("tag", "Du khách"),
        ("access", "press"),
        ("consent", "true"),
    ];
    let resp = test::call_service(
        &app,
        upload_with(auth, &fields, "bình minh.jpg", &bytes).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let a: Value = test::read_body_json(resp).await;
    assert_eq!(a["caption"]["vi"], "Bình minh trên trảng cỏ Bù Lạch");
    assert_eq!(a["caption"]["en"], "Dawn over the Bù Lạch grassland");
    assert_eq!(a["credit"], "Phạm Thu / Sở VHTTDL");
    assert_eq!(a["license"], "CC BY 4.0");
    assert_eq!(a["access"], "press");
    assert_eq!(a["consent"], true);
    let tags: Vec<&str> = a["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"du-lich") && tags.contains(&"du khách"),
        "{tags:?}"
    );
    let rules: Vec<&str> = a["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule"].as_str().unwrap())
        .collect();
    assert!(
        !rules.contains(&"rights-credit-missing") && !rules.contains(&"rights-license-missing"),
        "{rules:?}"
    );
    // One journal entry holds it all (renditions made in the background may follow it).
    let journal = String::from_utf8(fx.journal()).unwrap();
    let id = a["id"].as_str().unwrap();
    let ingested = journal
        .lines()
        .find(|l| l.contains("\"ingested\"") && l.contains(id))
        .unwrap();
    assert!(
        ingested.contains("Bình minh trên trảng cỏ Bù Lạch"),
        "{ingested}"
    );

    for (fields, code) in [
        (vec![("note", "42")], "unexpected-field"),
        (vec![("access", "everyone")], "bad-field"),
        (vec![("consent", "maybe")], "bad-field"),
    ] {
        let other = photo(64, 48, 42, &Default::default());
        let resp = test::call_service(
            &app,
            upload_with(auth, &fields, "x.jpg", &other).to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{fields:?}");
        let body: Value = test::read_body_json(resp).await;
        assert_eq!(body["code"], code);
        let id = blake3::hash(&other).to_hex();
        let resp = test::call_service(
            &app,
            get(&format!("/api/assets/{id}"), Some(&svc.tokens["bm"])).to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "nothing catalogued");
    }

    // A person signed in: the credit defaults to their name and organisation (CSRF header).
    let thu = cookie_value(&sign_in!(app, "thu", "mật khẩu đủ dài"), "bv_session").unwrap();
    let page =
        body_text(test::call_service(&app, with(&thu, get("/upload", None)).to_request()).await)
            .await;
    let csrf = {
        let at = page.find("data-csrf=\"").unwrap() + "data-csrf=\"".len();
        page[at..at + 64].to_owned()
    };
    let (ct, body) = multipart(
        &[("tag", "du-lich")],
        "trưa.jpg",
        &photo(100, 70, 43, &Default::default()),
    );
    let req = test::TestRequest::post()
        .uri("/api/assets")
        .insert_header(("content-type", ct))
        .insert_header(("cookie", thu.clone()))
        .insert_header(("x-csrf-token", csrf.clone()))
        .set_payload(body)
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let a: Value = test::read_body_json(resp).await;
    assert_eq!(a["credit"], "Phạm Thu / Sở VHTTDL");
    assert_eq!(a["owner"], "thu");

    // A slogan as a text file: catalogued as a slogan and checked against the approved text.
    let resp = test::call_service(
        &app,
        upload(
            Some(&svc.tokens["dana"]),
            "khẩu hiệu.txt",
            "Không phải khẩu hiệu\n".as_bytes(),
        )
        .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let a: Value = test::read_body_json(resp).await;
    assert_eq!(a["kind"], "slogan");
    assert_eq!(a["violations"][0]["rule"], "slogan-not-approved");
}

/// A refused approval changes nothing, over the workflow and over HTTP (form and API): the
/// asset's JSON and the journal are byte for byte as before. The review desk says why.
#[actix_web::test]
async fn refused_steps_change_nothing() {
    let fx = Fixture::new();
    let (svc, draft, _) = setup(&fx);
    account(&svc.state, "hoa", "Nguyễn Hoa", Role::BrandManager);
    let app = app!(svc);
    // Meets every guideline for staff, but is too small for the press. Catalogued and
    // rendered here, not by the upload's background thread, so nothing moves meanwhile.
    let small = fx.write("nhỏ.jpg", &photo(300, 200, 44, &Default::default()));
    let options = brandvault::ingest::IngestOptions {
        tags: vec!["tourism".into(), "investors".into()],
        kind: None,
        limits: svc.state.settings.limits,
        max_bytes: u64::MAX,
        actor: "dana".into(),
        at: NOW.into(),
        uploader: None,
        metadata: brandvault::catalog::Patch {
            credit: Some(Some("Phạm Thu".into())),
            license: Some(Some("CC BY 4.0".into())),
            ..Default::default()
        },
        spot: None,
    };
    let added = svc
        .state
        .ingester()
        .ingest_paths(&[small], &options, &|_| {})
        .unwrap()
        .added;
    svc.state.render_now(&added);
    let a: Value = test::call_and_read_body_json(
        &app,
        get(
            &format!("/api/assets/{}", added[0]),
            Some(&svc.tokens["bm"]),
        )
        .to_request(),
    )
    .await;
    assert_eq!(
        a["violations"],
        json!([]),
        "internal by default: nothing to fix"
    );
    let id = a["id"].as_str().unwrap().to_owned();
    let resp = step!(app, svc.tokens["dana"], id, "submit", json!({}));
    assert_eq!(resp.status(), StatusCode::OK);

    let before_journal = fx.journal();
    let before = asset_bytes!(app, svc.tokens["bm"], id);

    // The workflow itself: approving for the public is refused and writes nothing.
    let step = brandvault::workflow::Step {
        access: Some(brandvault::model::Access::Public),
        ..Default::default()
    };
    let manager = Actor {
        name: "hoa".into(),
        role: Role::BrandManager,
    };
    let err = svc
        .state
        .workflow()
        .transition(
            &id.parse().unwrap(),
            brandvault::workflow::Action::Approve,
            &manager,
            step,
            NOW,
        )
        .unwrap_err();
    assert_eq!(err.code(), "guideline-violation");
    assert_eq!(fx.journal(), before_journal);

    // The review desk's form, audience public: refused, shown, nothing changed.
    let hoa = cookie_value(&sign_in!(app, "hoa", "mật khẩu đủ dài"), "bv_session").unwrap();
    let page = body_text(
        test::call_service(
            &app,
            with(&hoa, get(&format!("/review?item={id}"), None)).to_request(),
        )
        .await,
    )
    .await;
    let csrf = csrf_field(&page);
    assert!(
        page.contains(r#"name="access" value="internal" checked"#),
        "the audience it meets is chosen"
    );
    let journal_after_login = fx.journal();
    let req = with(
        &hoa,
        test::TestRequest::post().uri(&format!("/assets/{id}/step")),
    )
    .set_form([
        ("csrf", csrf.as_str()),
        ("action", "approve"),
        ("access", "public"),
        ("override", ""),
    ])
    .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = resp
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(to.contains("refused=press-resolution"), "{to}");
    let page =
        body_text(test::call_service(&app, with(&hoa, get(&to, None)).to_request()).await).await;
    assert!(
        page.contains("Ảnh quá nhỏ cho báo chí"),
        "the refusal in Vietnamese"
    );
    // Over the API: approving with violations and no override.
    let resp = step!(app, svc.tokens["bm"], id, "reject", json!({"reason": " "}));
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let after = asset_bytes!(app, svc.tokens["bm"], id);
    assert_eq!(after, before, "the asset is byte for byte as it was");
    assert_eq!(fx.journal(), journal_after_login, "no journal entry");
    assert_eq!(
        journal_after_login, before_journal,
        "sessions are not journaled"
    );

    // Over the API: approving a picture that breaks the guidelines, without an override, is
    // 409; its JSON and the journal stay as they were.
    let bm = &svc.tokens["bm"];
    let resp = step!(app, svc.tokens["dana"], draft, "submit", json!({}));
    assert_eq!(resp.status(), StatusCode::OK);
    let before_api = asset_bytes!(app, *bm, draft);
    let journal_before_api = fx.journal();
    let resp = step!(app, *bm, draft, "approve", json!({}));
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["code"], "guideline-violation");
    let after_api = asset_bytes!(app, *bm, draft);
    assert_eq!(after_api, before_api);
    assert_eq!(fx.journal(), journal_before_api);

    // A batch is one commit: with one picture that breaks the guidelines, none is approved.
    let journal_before_batch = fx.journal();
    let req = with(&hoa, test::TestRequest::post().uri("/review/batch"))
        .set_form([
            ("csrf", csrf.as_str()),
            ("action", "approve"),
            ("access", "internal"),
            ("id", id.as_str()),
            ("id", draft.as_str()),
        ])
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = resp.headers().get("location").unwrap().to_str().unwrap();
    assert!(
        to.contains(&format!("item={draft}")) && to.contains("refused="),
        "{to}"
    );
    assert_eq!(fx.journal(), journal_before_batch, "none approved");

    // For staff only, it is approved, and the history says who did what.
    let req = with(
        &hoa,
        test::TestRequest::post().uri(&format!("/assets/{id}/step")),
    )
    .set_form([
        ("csrf", csrf.as_str()),
        ("action", "approve"),
        ("access", "internal"),
    ])
    .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(
        resp.headers().get("location").unwrap(),
        "/review?done=approved"
    );
    let page = body_text(
        test::call_service(
            &app,
            with(&hoa, get(&format!("/assets/{id}"), None)).to_request(),
        )
        .await,
    )
    .await;
    assert!(
        page.contains(r#"id="history""#)
            && page.contains("Chờ duyệt → Đã duyệt")
            && page.contains("hoa"),
        "history"
    );
}

/// Editing on the page (checks re-run, shown by field), the live check that changes nothing,
/// the designer's work page, and a bulk edit that is all or nothing.
#[actix_web::test]
async fn editing_my_work_and_bulk_edits() {
    let fx = Fixture::new();
    let (svc, draft, public) = setup(&fx);
    account(&svc.state, "dana", "Dana", Role::Designer);
    let app = app!(svc);
    let dana = cookie_value(&sign_in!(app, "dana", "mật khẩu đủ dài"), "bv_session").unwrap();
    let page =
        body_text(test::call_service(&app, with(&dana, get("/mine", None)).to_request()).await)
            .await;
    assert!(page.contains("Bù Gia Mập nháp"), "their draft");
    assert!(
        page.contains("Chọn giấy phép sử dụng"),
        "what to fix, in Vietnamese"
    );
    assert!(!page.contains("rights-license-missing"), "no rule codes");
    let csrf = csrf_field(&page);

    // The live check: what the form would leave to fix, nothing saved.
    let before = fx.journal();
    let req = with(
        &dana,
        test::TestRequest::post().uri(&format!("/api/assets/{draft}/check")),
    )
    .insert_header(("x-csrf-token", csrf.clone()))
    .set_form([
        ("credit", "Dana"),
        ("license", "CC BY 4.0"),
        ("themes", "tourism"),
    ])
    .to_request();
    let problems: Value = test::call_and_read_body_json(&app, req).await;
    let fields: Vec<&str> = problems
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["audiences"], "{problems}");
    assert_eq!(fx.journal(), before);

    // Saving the edit form.
    let req = with(
        &dana,
        test::TestRequest::post().uri(&format!("/assets/{draft}/edit")),
    )
    .set_form([
        ("csrf", csrf.as_str()),
        ("caption_vi", "Vườn quốc gia Bù Gia Mập"),
        ("credit", "Dana"),
        ("license", "CC BY 4.0"),
        ("themes", "tourism"),
        ("audiences", "investors"),
        ("other_tags", "rừng, mùa mưa"),
        ("access", "internal"),
    ])
    .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "{}",
        body_text(resp).await
    );
    let a: Value = asset_json!(app, svc.tokens["bm"], draft);
    assert_eq!(a["caption"]["vi"], "Vườn quốc gia Bù Gia Mập");
    assert_eq!(a["violations"], json!([]), "{a}");
    let tags: Vec<&str> = a["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"rừng") && tags.contains(&"mùa mưa") && tags.contains(&"tourism"),
        "{tags:?}"
    );

    // The publication window: a date, a cleared date, a bad date (400, nothing changed).
    let window = |from: &'static str| {
        with(
            &dana,
            test::TestRequest::post().uri(&format!("/assets/{draft}/edit")),
        )
        .set_form([
            ("csrf", csrf.as_str()),
            ("credit", "Dana"),
            ("license", "CC BY 4.0"),
            ("themes", "tourism"),
            ("audiences", "investors"),
            ("available_from", from),
            ("expires_at", ""),
        ])
        .to_request()
    };
    let resp = test::call_service(&app, window("2030-01-01")).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let a: Value = asset_json!(app, svc.tokens["bm"], draft);
    assert_eq!(a["available_from"], "2030-01-01T00:00:00Z");
    assert_eq!(a["expires_at"], Value::Null);
    let resp = test::call_service(&app, window("2030-13-01")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = test::call_service(&app, window("")).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);

    // Bulk: a selection with an asset dana may not edit changes nothing (404: not hers to see).
    let bulk = |ids: &[&str]| {
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("license", "Bản quyền Sở VHTTDL"),
            ("add_tag", "2025"),
        ];
        form.extend(ids.iter().map(|i| ("id", *i)));
        with(&dana, test::TestRequest::post().uri("/bulk"))
            .set_form(form)
            .to_request()
    };
    let before = fx.journal();
    let resp = test::call_service(&app, bulk(&[&draft, &public])).await;
    assert!(resp.status().is_client_error(), "{}", resp.status());
    assert_eq!(fx.journal(), before, "all or nothing");
    let resp = test::call_service(&app, bulk(&[&draft])).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let a: Value = asset_json!(app, svc.tokens["bm"], draft);
    assert_eq!(a["license"], "Bản quyền Sở VHTTDL");

    // Submitted, it is no longer the designer's to edit.
    let req = with(
        &dana,
        test::TestRequest::post().uri(&format!("/assets/{draft}/step")),
    )
    .set_form([("csrf", csrf.as_str()), ("action", "submit")])
    .to_request();
    assert_eq!(
        test::call_service(&app, req).await.status(),
        StatusCode::SEE_OTHER
    );
    let resp = test::call_service(
        &app,
        with(&dana, get(&format!("/assets/{draft}/edit"), None)).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
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

/// A spot chosen by the uploader, or later on the edit page, is a person's choice: kept,
/// locked against GPS matching; an unknown spot is refused with nothing catalogued.
#[actix_web::test]
async fn spots_chosen_by_hand() {
    let fx = Fixture::new();
    let (svc, draft, _) = setup(&fx);
    account(&svc.state, "dana", "Dana", Role::Designer);
    let app = app!(svc);
    let bearer = format!("Bearer {}", svc.tokens["dana"]);
    let auth = ("authorization", bearer.as_str());
    let bytes = photo(90, 60, 45, &Default::default());
    let resp = test::call_service(
        &app,
        upload_with(
            auth,
            &[("spot", "trang-co-bu-lach")],
            "không gps.jpg",
            &bytes,
        )
        .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let a: Value = test::read_body_json(resp).await;
    assert_eq!(a["spot"]["id"], "trang-co-bu-lach");
    assert_eq!(a["spot_locked"], true);
    let other = photo(90, 60, 46, &Default::default());
    let resp = test::call_service(
        &app,
        upload_with(auth, &[("spot", "sao-hoa")], "x.jpg", &other).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["code"], "unknown-spot");

    let dana = cookie_value(&sign_in!(app, "dana", "mật khẩu đủ dài"), "bv_session").unwrap();
    let page = body_text(
        test::call_service(
            &app,
            with(&dana, get(&format!("/assets/{draft}/edit"), None)).to_request(),
        )
        .await,
    )
    .await;
    assert!(page.contains(r#"<select id="spot" name="spot""#));
    let csrf = csrf_field(&page);
    let req = with(
        &dana,
        test::TestRequest::post().uri(&format!("/assets/{draft}/edit")),
    )
    .set_form([("csrf", csrf.as_str()), ("spot", "trang-co-bu-lach")])
    .to_request();
    assert_eq!(
        test::call_service(&app, req).await.status(),
        StatusCode::SEE_OTHER
    );
    let a: Value = asset_json!(app, svc.tokens["bm"], draft);
    assert_eq!(a["spot"]["id"], "trang-co-bu-lach");
    assert_eq!(a["spot_locked"], true);
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
