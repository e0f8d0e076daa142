//! The desk's work on assets over HTTP, in process over the real store and sled: uploads
//! with metadata, refused workflow steps that change nothing (asset and journal byte for
//! byte), editing one's own work and bulk edits, spots chosen by hand.

#[macro_use]
mod common;

use actix_web::http::StatusCode;
use actix_web::test;
use brandvault::model::{Actor, Role};
use common::desk::*;
use common::service::{get, setup, upload, NOW};
use common::{photo, Fixture};
use serde_json::{json, Value};

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
        ("focus", "0.2,0.8"),
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
    assert_eq!(
        a["focus"],
        json!({"x": 0.2, "y": 0.8}),
        "the crops' focus point"
    );
    let page = with(&dana, get(&format!("/assets/{draft}/edit"), None)).to_request();
    let html = body_text(test::call_service(&app, page).await).await;
    assert!(
        html.contains(r#"<option value="0.2,0.8" selected>Dưới, bên trái</option>"#),
        "the place chosen, in words: {html}"
    );
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
    // Day first, as the Vietnamese page shows it whatever the browser's locale.
    let resp = test::call_service(&app, window("02/03/2030")).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let a: Value = asset_json!(app, svc.tokens["bm"], draft);
    assert_eq!(a["available_from"], "2030-03-02T00:00:00Z");
    let page = with(
        &dana,
        test::TestRequest::get().uri(&format!("/assets/{draft}/edit")),
    )
    .to_request();
    let html = body_text(test::call_service(&app, page).await).await;
    assert!(
        html.contains(r#"name="available_from" inputmode="numeric" autocomplete="off" placeholder="ngày/tháng/năm" value="02/03/2030""#),
        "{html}"
    );
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

/// The review desk one picture at a time (what a phone shows): a tile leads to its decision
/// view, which links back to the list and to its neighbours with its place in the queue; a
/// decision taken there goes on to the next picture, not back to the top of the list.
#[actix_web::test]
async fn the_review_desk_goes_one_picture_at_a_time() {
    let fx = Fixture::new();
    let (svc, draft, _public) = setup(&fx);
    account(&svc.state, "hoa", "Nguyễn Hoa", Role::BrandManager);
    let app = app!(svc);
    let made = upload(
        Some(&svc.tokens["dana"]),
        "Sóc Bom Bo.jpg",
        &photo(320, 200, 7, &Default::default()),
    );
    let made: Value = test::call_and_read_body_json(&app, made.to_request()).await;
    let second = made["id"].as_str().unwrap().to_owned();
    for id in [&draft, &second] {
        let step = common::service::post_json(
            &format!("/api/assets/{id}/submit"),
            &svc.tokens["dana"],
            json!({}),
        );
        assert_eq!(
            test::call_service(&app, step.to_request()).await.status(),
            StatusCode::OK
        );
    }
    let hoa = cookie_value(&sign_in!(app, "hoa", "mật khẩu đủ dài"), "bv_session").unwrap();
    let list =
        body_text(test::call_service(&app, with(&hoa, get("/review", None)).to_request()).await)
            .await;
    assert!(
        list.contains(r#"<div class="review-layout">"#),
        "the list first"
    );
    let first = if list.find(&draft) < list.find(&second) {
        &draft
    } else {
        &second
    };
    let other = if first == &draft { &second } else { &draft };
    assert!(list.contains(&format!(r#"href="/review?item={first}#detail""#)));
    let one = body_text(
        test::call_service(
            &app,
            with(&hoa, get(&format!("/review?item={first}"), None)).to_request(),
        )
        .await,
    )
    .await;
    assert!(
        one.contains(r#"<div class="review-layout focused">"#),
        "one picture alone"
    );
    assert!(
        one.contains(r#"href="/review#queue""#),
        "a way back to the list"
    );
    assert!(one.contains(&format!(r#"href="/review?item={other}#detail" rel="next""#)));
    assert!(one.contains("1 / 2"));
    let csrf = csrf_field(&one);
    let reject = with(
        &hoa,
        test::TestRequest::post().uri(&format!("/assets/{first}/step")),
    )
    .set_form([
        ("csrf", csrf.as_str()),
        ("action", "reject"),
        ("reason", "Cần ảnh gốc lớn hơn"),
        ("next", other.as_str()),
    ])
    .to_request();
    let resp = test::call_service(&app, reject).await;
    assert_eq!(
        resp.headers().get("location").unwrap().to_str().unwrap(),
        format!("/review?done=rejected&item={other}"),
        "on to the next picture"
    );
}
