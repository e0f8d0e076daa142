//! Versions of a picture's file over HTTP, in process over the real store and sled: a new
//! version keeps the id, words and tags; a published picture keeps serving its approved file
//! at its stable address until the new one is approved; a rejected picture takes its new file
//! at once and goes back to review; refused uploads change nothing; earlier versions stay in
//! the store through `gc` and can be made current again.

#[macro_use]
mod common;

use actix_web::http::StatusCode;
use actix_web::test;
use brandvault::model::AssetId;
use common::desk::*;
use common::service::{get, patch_json, post_json, publish, setup, Service};
use common::{photo, Fixture};
use serde_json::{json, Value};

/// POST /api/assets/{id}/versions with `token`, a file and a reason.
fn new_version(id: &str, token: &str, name: &str, bytes: &[u8]) -> test::TestRequest {
    let (ct, body) = multipart(&[("reason", "ảnh gốc lớn hơn")], name, bytes);
    test::TestRequest::post()
        .uri(&format!("/api/assets/{id}/versions"))
        .insert_header(("content-type", ct))
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_payload(body)
}

/// The bytes `/a/{id}/preview` leads to for an anonymous reader.
async fn preview<S, B>(app: &S, id: &str) -> Vec<u8>
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let alias = test::call_service(app, get(&format!("/a/{id}/preview"), None).to_request()).await;
    assert_eq!(alias.status(), StatusCode::FOUND, "/a/{id}/preview");
    let to = alias
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let file = test::call_service(app, get(&to, None).to_request()).await;
    assert_eq!(file.status(), StatusCode::OK, "{to}");
    test::read_body(file).await.to_vec()
}

fn render(svc: &Service, id: &str) {
    svc.state.render_now(&[id.parse::<AssetId>().unwrap()]);
}

#[actix_web::test]
async fn a_published_picture_keeps_its_file_until_the_new_version_is_approved() {
    let fx = Fixture::new();
    let (svc, _draft, public) = setup(&fx);
    let app = app!(svc);
    publish(&app, &svc, &public).await;
    let bm = svc.tokens["bm"].clone();
    let words = patch_json(
        &format!("/api/assets/{public}"),
        &bm,
        json!({"caption_vi": "Trảng cỏ Bù Lạch", "credit": "Phạm Thu, Sở VHTTDL", "add_tags": ["mùa mưa"]}),
    );
    assert_eq!(
        test::call_service(&app, words.to_request()).await.status(),
        StatusCode::OK
    );
    let old_preview = preview(&app, &public).await;

    // Refused: the same file again; a file that is another picture; a stranger's upload.
    let before = fx.decisions();
    let same = fx.object(&public);
    let resp = test::call_service(
        &app,
        new_version(&public, &bm, "lại.jpg", &same).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let resp = test::call_service(
        &app,
        new_version(
            &public,
            &svc.tokens["press"],
            "x.jpg",
            &photo(320, 200, 9, &Default::default()),
        )
        .to_request(),
    )
    .await;
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "press has no versions to give"
    );
    assert_eq!(fx.decisions(), before, "refused uploads change nothing");

    // A larger file: the id, words and tags stay; it waits in review.
    let larger = photo(600, 400, 3, &Default::default());
    let resp = test::call_service(
        &app,
        new_version(&public, &bm, "Bù Lạch lớn.jpg", &larger).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let asset: Value = test::read_body_json(resp).await;
    assert_eq!(asset["id"], public.as_str());
    assert_eq!(asset["caption"]["vi"], "Trảng cỏ Bù Lạch");
    assert_eq!(asset["credit"], "Phạm Thu, Sở VHTTDL");
    assert!(asset["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("mùa mưa")));
    assert_eq!(asset["status"], "approved", "the approved file stays live");
    let versions = asset["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{versions:?}");
    let new_hash = blake3::hash(&larger).to_hex().to_string();
    assert_eq!(versions[0]["hash"], new_hash.as_str(), "newest first");
    assert_eq!(
        (
            versions[0]["width"].as_u64(),
            versions[0]["height"].as_u64()
        ),
        (Some(600), Some(400))
    );
    assert_eq!(versions[0]["created_by"], "bm");
    assert_eq!(versions[0]["state"], "in_review");
    assert_eq!(versions[1]["hash"], public.as_str());
    assert_eq!(versions[1]["state"], "current");
    for key in [
        "hash",
        "bytes",
        "width",
        "height",
        "created_at",
        "created_by",
    ] {
        assert!(versions[0].get(key).is_some(), "{key}");
    }
    let listed: Value = test::call_and_read_body_json(
        &app,
        get(&format!("/api/assets/{public}/versions"), Some(&bm)).to_request(),
    )
    .await;
    assert_eq!(&listed, &asset["versions"]);
    // A second new version while one waits: refused.
    let resp = test::call_service(
        &app,
        new_version(
            &public,
            &bm,
            "khác.jpg",
            &photo(640, 400, 4, &Default::default()),
        )
        .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);

    // Until approved, the stable address serves the approved file.
    assert_eq!(preview(&app, &public).await, old_preview);
    // The waiting version is a record in review, with the picture's words.
    let waiting_id = new_hash.clone();
    let waiting: Value = asset_json!(app, bm, waiting_id);
    assert_eq!(waiting["status"], "in_review");
    assert_eq!(waiting["version_of"], public.as_str());
    assert_eq!(waiting["caption"]["vi"], "Trảng cỏ Bù Lạch");
    render(&svc, &waiting_id);
    let approve = post_json(
        &format!("/api/assets/{waiting_id}/approve"),
        &bm,
        json!({"override": "ảnh lớn hơn, cùng nội dung"}),
    );
    assert_eq!(
        test::call_service(&app, approve.to_request())
            .await
            .status(),
        StatusCode::OK
    );

    // Approved: the same address serves the new file; the old one is an earlier version.
    let asset: Value = asset_json!(app, bm, public);
    assert_eq!(asset["status"], "approved");
    assert_eq!(asset["width"], 600);
    assert_eq!(asset["versions"][0]["state"], "current");
    assert_eq!(asset["versions"][1]["state"], "earlier");
    let new_preview = preview(&app, &public).await;
    assert_ne!(new_preview, old_preview);
    let decoded = image::load_from_memory(&new_preview).unwrap();
    assert!(
        decoded.width() > 300,
        "made from the larger file: {}",
        decoded.width()
    );
    let archived: Value = asset_json!(app, bm, waiting_id);
    assert_eq!(archived["status"], "archived", "not a second picture");

    // The earlier file stays in the store through gc, and can be made current again.
    use brandvault::maintain::{gc, EarlierVersions};
    let (store, catalog) = (&*svc.state.store, &svc.state.catalog);
    gc(
        store,
        catalog,
        std::time::Duration::ZERO,
        EarlierVersions::Keep,
    )
    .unwrap();
    assert_eq!(fx.object(&public), same, "the first file is kept");
    let restore = post_json(
        &format!("/api/assets/{public}/versions/{public}/restore"),
        &bm,
        json!({}),
    );
    let resp = test::call_service(&app, restore.to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let asset: Value = test::read_body_json(resp).await;
    assert_eq!(asset["width"], 300);
    assert_eq!(asset["versions"][1]["state"], "current");
    assert_eq!(asset["versions"][0]["state"], "earlier");

    // Told to, gc removes the earlier file: still listed, no longer restorable (410). (The
    // renditions of the file restored are made first: gc here has no grace period.)
    render(&svc, &public);
    let report = gc(
        store,
        catalog,
        std::time::Duration::ZERO,
        EarlierVersions::Drop,
    )
    .unwrap();
    assert!(report.removed >= 1, "{report:?}");
    assert!(!svc
        .state
        .store
        .exists(&brandvault::store::Hash::from_hex(&new_hash).unwrap()));
    assert_eq!(fx.object(&public), same, "the current file stays");
    let restore = post_json(
        &format!("/api/assets/{public}/versions/{new_hash}/restore"),
        &bm,
        json!({}),
    );
    let resp = test::call_service(&app, restore.to_request()).await;
    assert_eq!(resp.status(), StatusCode::GONE);
    assert!(
        !preview(&app, &public).await.is_empty(),
        "the current file still served"
    );
}

/// A PATCH of `id`'s words by `token`, which must succeed.
async fn edit<S, B>(app: &S, id: &str, token: &str, words: Value)
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let resp = test::call_service(
        app,
        patch_json(&format!("/api/assets/{id}"), token, words).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK, "edit {id}");
}

#[actix_web::test]
async fn words_reviewed_on_a_new_version_are_what_the_picture_publishes() {
    let fx = Fixture::new();
    let (svc, _draft, public) = setup(&fx);
    let app = app!(svc);
    publish(&app, &svc, &public).await;
    let bm = svc.tokens["bm"].clone();
    edit(
        &app,
        &public,
        &bm,
        json!({"caption_vi": "Trảng cỏ", "credit": "Phạm Thu"}),
    )
    .await;
    let larger = photo(600, 400, 3, &Default::default());
    let resp = test::call_service(
        &app,
        new_version(&public, &bm, "lớn.jpg", &larger).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let waiting = blake3::hash(&larger).to_hex().to_string();

    // An edit to the published picture while its new version waits reaches the version…
    edit(&app, &public, &bm, json!({"credit": "Phạm Thu, Sở VHTTDL"})).await;
    let record: Value = asset_json!(app, bm, waiting);
    assert_eq!(record["credit"], "Phạm Thu, Sở VHTTDL");
    // …and the words the reviewer corrects on the version are published with it.
    edit(
        &app,
        &waiting,
        &bm,
        json!({"caption_vi": "Trảng cỏ Bù Lạch mùa mưa", "caption_en": "Bù Lạch grassland", "add_tags": ["mùa mưa"]}),
    )
    .await;
    let live: Value = asset_json!(app, bm, public);
    assert_eq!(live["caption"]["vi"], "Trảng cỏ", "unreviewed words wait");
    render(&svc, &waiting);
    let approve = post_json(
        &format!("/api/assets/{waiting}/approve"),
        &bm,
        json!({"override": "ảnh lớn hơn"}),
    );
    assert_eq!(
        test::call_service(&app, approve.to_request())
            .await
            .status(),
        StatusCode::OK
    );
    let live: Value = asset_json!(app, bm, public);
    assert_eq!(live["width"], 600);
    assert_eq!(live["caption"]["vi"], "Trảng cỏ Bù Lạch mùa mưa");
    assert_eq!(live["caption"]["en"], "Bù Lạch grassland");
    assert_eq!(live["credit"], "Phạm Thu, Sở VHTTDL");
    assert!(live["tags"].as_array().unwrap().contains(&json!("mùa mưa")));
    // The anonymous reader's JSON says the same.
    let public_json: Value = test::call_and_read_body_json(
        &app,
        get(&format!("/api/assets/{public}"), None).to_request(),
    )
    .await;
    assert_eq!(public_json["caption"]["vi"], "Trảng cỏ Bù Lạch mùa mưa");
}

#[actix_web::test]
async fn a_rejected_draft_takes_its_new_file_at_once_and_goes_back_to_review() {
    let fx = Fixture::new();
    let (svc, draft, _) = setup(&fx);
    let app = app!(svc);
    let (bm, dana) = (svc.tokens["bm"].clone(), svc.tokens["dana"].clone());
    for (action, token, body) in [
        ("submit", &dana, json!({})),
        ("reject", &bm, json!({"reason": "Cần ảnh gốc lớn hơn"})),
    ] {
        let step = post_json(&format!("/api/assets/{draft}/{action}"), token, body);
        assert_eq!(
            test::call_service(&app, step.to_request()).await.status(),
            StatusCode::OK
        );
    }
    // Another designer may not replace dana's picture.
    let larger = photo(900, 600, 5, &Default::default());
    let resp = test::call_service(
        &app,
        new_version(&draft, &svc.tokens["dan"], "x.jpg", &larger).to_request(),
    )
    .await;
    assert!(resp.status().is_client_error(), "{}", resp.status());
    let resp = test::call_service(
        &app,
        new_version(&draft, &dana, "Bù Gia Mập lớn.jpg", &larger).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let asset: Value = test::read_body_json(resp).await;
    assert_eq!(asset["id"], draft.as_str());
    assert_eq!(asset["status"], "in_review", "back to its reviewer");
    assert_eq!(
        (asset["width"].as_u64(), asset["height"].as_u64()),
        (Some(900), Some(600))
    );
    assert_eq!(asset["versions"][0]["state"], "current");
    assert_eq!(asset["versions"][0]["created_by"], "dana");
    assert_eq!(asset["versions"][1]["state"], "earlier");
    render(&svc, &draft);
    let asset: Value = asset_json!(app, bm, draft);
    let thumb = asset["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["preset"] == "preview")
        .unwrap();
    assert!(
        thumb["width"].as_u64().unwrap() > 300,
        "renditions of the new file: {thumb}"
    );
    // The history says so, in words.
    let page = test::call_service(
        &app,
        get(&format!("/assets/{draft}"), Some(&bm))
            .insert_header(("accept", "text/html"))
            .to_request(),
    )
    .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = body_text(page).await;
    assert!(
        html.contains("Phiên bản mới thành bản hiện hành: 900 × 600 px"),
        "{html}"
    );
}

#[actix_web::test]
async fn a_designer_opening_a_published_pictures_edit_page_is_told_why_and_offered_a_new_version() {
    let fx = Fixture::new();
    let (svc, draft, _) = setup(&fx);
    account(
        &svc.state,
        "dana",
        "Dana",
        brandvault::model::Role::Designer,
    );
    let app = app!(svc);
    publish(&app, &svc, &draft).await;
    let dana = cookie_value(&sign_in!(app, "dana", "mật khẩu đủ dài"), "bv_session").unwrap();
    let resp = test::call_service(
        &app,
        with(&dana, get(&format!("/assets/{draft}/edit"), None)).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let page = body_text(resp).await;
    assert!(
        page.contains("Ảnh đã được duyệt: chỉ quản lý thương hiệu sửa được thông tin"),
        "{page}"
    );
    assert!(page.contains(&format!(r#"action="/assets/{draft}/versions""#)));
    let csrf = csrf_field(&page);
    let larger = photo(700, 450, 6, &Default::default());
    let (ct, body) = multipart(
        &[("csrf", csrf.as_str()), ("reason", "ảnh gốc lớn hơn")],
        "Bù Gia Mập lớn.jpg",
        &larger,
    );
    let post = |ct: &str, body: Vec<u8>| {
        with(
            &dana,
            test::TestRequest::post().uri(&format!("/assets/{draft}/versions")),
        )
        .insert_header(("content-type", ct.to_owned()))
        .set_payload(body)
        .to_request()
    };
    // Without the form's CSRF value: refused, nothing changes.
    let before = fx.decisions();
    let (forged_ct, forged) = multipart(&[("csrf", "x")], "x.jpg", &larger);
    let resp = test::call_service(&app, post(&forged_ct, forged)).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(fx.decisions(), before);
    let resp = test::call_service(&app, post(&ct, body)).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let back = resp
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(back, format!("/assets/{draft}/edit?version"));
    let page =
        body_text(test::call_service(&app, with(&dana, get(&back, None)).to_request()).await).await;
    assert!(
        page.contains("Đã tải phiên bản mới; nó đang chờ duyệt."),
        "{page}"
    );
    assert!(
        !page.contains(r#"id="version-form""#),
        "one new version waits at a time"
    );
    let asset: Value = asset_json!(app, svc.tokens["bm"], draft);
    assert_eq!(asset["versions"][0]["state"], "in_review");
    assert_eq!(asset["versions"][0]["reason"], "ảnh gốc lớn hơn");
    assert_eq!(asset["versions"][0]["created_by"], "dana");

    // Approved for the press from the review desk: the picture takes the new file and the
    // audience chosen for it.
    let waiting: AssetId = asset["versions"][0]["hash"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let reviewer = brandvault::model::Actor {
        name: "bm".into(),
        role: brandvault::model::Role::BrandManager,
    };
    let step = brandvault::workflow::Step {
        access: Some(brandvault::model::Access::Press),
        justification: Some("ảnh gốc lớn hơn"),
        ..Default::default()
    };
    let now = common::service::NOW;
    svc.state
        .workflow()
        .transition(
            &waiting,
            brandvault::workflow::Action::Approve,
            &reviewer,
            step,
            now,
        )
        .unwrap();
    let asset: Value = asset_json!(app, svc.tokens["bm"], draft);
    assert_eq!(asset["width"], 700);
    assert_eq!(
        asset["access"], "press",
        "the audience chosen travels with the file"
    );

    // The versions listed in words on the desk; only a reviewer gets "make this one current".
    let page = body_text(
        test::call_service(
            &app,
            with(&dana, get(&format!("/assets/{draft}/edit"), None)).to_request(),
        )
        .await,
    )
    .await;
    assert!(
        page.contains("Các phiên bản") && page.contains("700 × 450 px"),
        "{page}"
    );
    assert!(page.contains("Bản hiện hành") && page.contains("Bản trước"));
    assert!(!page.contains("/restore"), "a designer restores nothing");
    account(
        &svc.state,
        "mai",
        "Mai",
        brandvault::model::Role::BrandManager,
    );
    let mai = cookie_value(&sign_in!(app, "mai", "mật khẩu đủ dài"), "bv_session").unwrap();
    let edit = format!("/assets/{draft}/edit");
    let page =
        body_text(test::call_service(&app, with(&mai, get(&edit, None)).to_request()).await).await;
    let restore = format!("/assets/{draft}/versions/{draft}/restore");
    assert!(page.contains(&format!(r#"action="{restore}""#)), "{page}");
    let form = |csrf: &str| {
        with(&mai, test::TestRequest::post().uri(&restore))
            .set_form([("csrf", csrf)])
            .to_request()
    };
    let before = fx.decisions();
    assert_eq!(
        test::call_service(&app, form("x")).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(fx.decisions(), before, "a forged restore changes nothing");
    let resp = test::call_service(&app, form(&csrf_field(&page))).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = body_text(
        test::call_service(
            &app,
            with(&mai, get(&format!("{edit}?restored"), None)).to_request(),
        )
        .await,
    )
    .await;
    assert!(page.contains("Đã dùng lại phiên bản trước"), "{page}");
    let asset: Value = asset_json!(app, svc.tokens["bm"], draft);
    assert_ne!(asset["width"], 700, "the first file is current again");
    assert_eq!(asset["versions"][1]["state"], "current");
}
