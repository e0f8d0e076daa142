//! Collections and share links over HTTP, in process over the real store and sled: the API,
//! what a link shows (only what its creator may share, withdrawn pictures gone at once), the
//! streamed ZIP with its credits and manifest read back, revoked (404) and expired (410)
//! links, refused requests that change nothing, and collections surviving a rebuild.

#[macro_use]
mod common;

use actix_web::http::StatusCode;
use actix_web::test;
use brandvault::catalog::Catalog;
use common::service::{get, patch_json, post_json, publish, setup, NOW};
use common::Fixture;
use serde_json::{json, Value};

fn delete(path: &str, token: &str) -> test::TestRequest {
    test::TestRequest::delete()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
}

async fn body_json<B: actix_web::body::MessageBody>(
    resp: actix_web::dev::ServiceResponse<B>,
) -> Value {
    serde_json::from_slice(&test::read_body(resp).await).unwrap()
}

fn journal(fx: &Fixture) -> Vec<u8> {
    fx.journal()
}

#[actix_web::test]
async fn a_press_officer_hands_a_set_on() {
    let fx = Fixture::new();
    let (svc, draft, public) = setup(&fx);
    // A clock the test moves, to see a link expire.
    let (svc, clock) = common::service::on_moving_clock(svc);
    let app = app!(svc);
    publish(&app, &svc, &public).await;
    let caption = patch_json(
        &format!("/api/assets/{public}"),
        &svc.tokens["bm"],
        json!({"caption_vi": "Trảng cỏ Bù Lạch mùa mưa", "caption_en": "Bù Lạch grassland, rainy season", "credit": "Phạm Thu, Sở VHTTDL", "license": "CC BY 4.0"}),
    );
    assert_eq!(
        test::call_service(&app, caption.to_request())
            .await
            .status(),
        StatusCode::OK
    );
    let press = &svc.tokens["press"];

    // Not signed in: 401.
    let anonymous = test::TestRequest::post()
        .uri("/api/collections")
        .set_json(json!({"name": "x"}));
    assert_eq!(
        test::call_service(&app, anonymous.to_request())
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    let made = test::call_service(
        &app,
        post_json(
            "/api/collections",
            press,
            json!({"name": "  Bù Lạch cho báo Tuổi Trẻ ", "description": "Mùa mưa"}),
        )
        .to_request(),
    )
    .await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let made = body_json(made).await;
    let id = made["id"].as_str().unwrap().to_owned();
    assert_eq!(made["name"], "Bù Lạch cho báo Tuổi Trẻ");
    let base = format!("/api/collections/{id}");

    // A hidden asset (a designer's draft) added by id is refused as not existing, and the
    // journal is untouched.
    let before = journal(&fx);
    let hidden = post_json(&format!("{base}/items"), press, json!({"asset": draft}));
    let resp = test::call_service(&app, hidden.to_request()).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(journal(&fx), before, "a refused request changes nothing");

    let added = post_json(&format!("{base}/items"), press, json!({"asset": public}));
    let resp = test::call_service(&app, added.to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(body_json(resp).await["items"], json!([public]));
    // Someone else's collection does not exist for them.
    let theirs = get(&base, Some(&svc.tokens["agency"]));
    assert_eq!(
        test::call_service(&app, theirs.to_request()).await.status(),
        StatusCode::NOT_FOUND
    );
    // A reorder that is not the same assets is refused whole.
    let bad = patch_json(
        &base,
        press,
        json!({"name": "khác", "items": [public, public]}),
    );
    let resp = test::call_service(&app, bad.to_request()).await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let now = body_json(test::call_service(&app, get(&base, Some(press)).to_request()).await).await;
    assert_eq!(
        now["name"], "Bù Lạch cho báo Tuổi Trẻ",
        "nothing of a refused edit applies"
    );

    // A link, through tomorrow.
    let share = post_json(
        &format!("{base}/shares"),
        press,
        json!({"expires": "2026-11-27"}),
    );
    let resp = test::call_service(&app, share.to_request()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let link = body_json(resp).await;
    let url = link["url"].as_str().unwrap();
    let path = &url[url.find("/s/").unwrap()..];
    let listed =
        body_json(test::call_service(&app, get(&base, Some(press)).to_request()).await).await;
    assert_eq!(listed["shares"][0]["id"], link["id"]);
    assert!(
        listed["shares"][0].get("hash").is_none(),
        "the hash never leaves"
    );
    let stored = String::from_utf8(fx.journal()).unwrap();
    let token = path.trim_start_matches("/s/");
    assert!(
        !stored.contains(token),
        "only the token's hash is journaled"
    );

    // The page, anonymous.
    let page = test::call_service(&app, get(path, None).to_request()).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(
        page.headers().get("referrer-policy").unwrap(),
        "no-referrer"
    );
    let html = String::from_utf8(test::read_body(page).await.to_vec()).unwrap();
    assert!(html.contains("Trảng cỏ Bù Lạch mùa mưa"), "{html}");
    assert!(html.contains("Phạm Thu, Sở VHTTDL"));
    assert!(html.contains(&format!("{path}/download.zip")));

    // The link as a IIIF Presentation manifest, for a viewer.
    let m = body_json(
        test::call_service(&app, get(&format!("{path}/manifest"), None).to_request()).await,
    )
    .await;
    assert_eq!(m["type"], "Manifest");
    assert_eq!(m["label"]["none"][0], "Bù Lạch cho báo Tuổi Trẻ");
    let canvas = &m["items"][0];
    let painting = &canvas["items"][0]["items"][0];
    assert_eq!(painting["target"], canvas["id"]);
    assert!(painting["body"]["id"].as_str().unwrap().contains(path));

    // The ZIP, read back.
    let zip = test::call_service(
        &app,
        get(&format!("{path}/download.zip?preset=press"), None).to_request(),
    )
    .await;
    assert_eq!(zip.status(), StatusCode::OK);
    assert_eq!(
        zip.headers().get("content-type").unwrap(),
        "application/zip"
    );
    let bytes = test::read_body(zip).await;
    let files = common::unzip(&bytes);
    let names: Vec<&String> = files.keys().collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let (csv, manifest) = common::share_metadata(&files);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "file,caption_vi,caption_en,credit,license,restrictions,spot,captured_at,id,subtitles"
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with("001-Trảng-cỏ-Bù-Lạch.jpg,Trảng cỏ Bù Lạch mùa mưa,"),
        "{row}"
    );
    assert!(row.contains("\"Phạm Thu, Sở VHTTDL\",CC BY 4.0,"), "{row}");
    let item = &manifest["items"][0];
    assert_eq!(item["id"], public.as_str());
    assert_eq!(item["caption"]["en"], "Bù Lạch grassland, rainy season");
    assert_eq!(manifest["preset"], "press");
    assert_eq!(item["restrictions"], json!([]), "a public picture: none");
    let picture = &files[item["file"].as_str().unwrap()];
    assert_eq!(
        blake3::hash(picture).to_hex().as_str(),
        item["blake3"].as_str().unwrap()
    );
    assert_eq!(&picture[..2], b"\xFF\xD8", "a JPEG");
    // An unknown preset: 400, not an empty archive.
    let bad = test::call_service(
        &app,
        get(&format!("{path}/download.zip?preset=nope"), None).to_request(),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    // Withdrawn after sharing: gone from the link at once.
    let archive_step = post_json(
        &format!("/api/assets/{public}/archive"),
        &svc.tokens["bm"],
        json!({}),
    );
    assert_eq!(
        test::call_service(&app, archive_step.to_request())
            .await
            .status(),
        StatusCode::OK
    );
    let html = test::read_body(test::call_service(&app, get(path, None).to_request()).await).await;
    let html = String::from_utf8(html.to_vec()).unwrap();
    assert!(!html.contains("Trảng cỏ Bù Lạch mùa mưa"));
    let file = get(&format!("{path}/{public}/press"), None);
    assert_eq!(
        test::call_service(&app, file.to_request()).await.status(),
        StatusCode::NOT_FOUND
    );

    // Expired after its last day: 410; revoked: 404.
    *clock.lock().unwrap() = "2026-11-28T00:00:01Z".into();
    assert_eq!(
        test::call_service(&app, get(path, None).to_request())
            .await
            .status(),
        StatusCode::GONE
    );
    *clock.lock().unwrap() = NOW.into();
    let revoke = delete(
        &format!("{base}/shares/{}", link["id"].as_str().unwrap()),
        press,
    );
    assert_eq!(
        test::call_service(&app, revoke.to_request()).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        test::call_service(&app, get(path, None).to_request())
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let zip = get(&format!("{path}/download.zip"), None);
    assert_eq!(
        test::call_service(&app, zip.to_request()).await.status(),
        StatusCode::NOT_FOUND
    );

    // Collections are catalogue content: a rebuild from the journal gives them back.
    let kept = svc.state.catalog.collection(&id).unwrap().unwrap();
    drop(app);
    drop(svc);
    fx.delete_index();
    let (rebuilt, _) = Catalog::rebuild(&fx.location()).unwrap();
    assert_eq!(rebuilt.collection(&id).unwrap(), Some(kept));
}

#[actix_web::test]
async fn a_share_link_is_an_object_its_owner_manages() {
    let fx = Fixture::new();
    let (svc, _, public) = setup(&fx);
    let app = app!(svc);
    publish(&app, &svc, &public).await;
    let press = &svc.tokens["press"];
    let made = post_json(
        "/api/collections",
        press,
        json!({"name": "Ảnh cho báo Thanh Niên"}),
    );
    let id = body_json(test::call_service(&app, made.to_request()).await).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = format!("/api/collections/{id}");
    let add = post_json(&format!("{base}/items"), press, json!({"asset": public}));
    assert_eq!(
        test::call_service(&app, add.to_request()).await.status(),
        StatusCode::OK
    );

    // Without a body: a label from the name and today, 30 days (NOW is 2026-11-26).
    let plain = post_json(&format!("{base}/shares"), press, json!({}));
    let plain = body_json(test::call_service(&app, plain.to_request()).await).await;
    assert_eq!(plain["label"], "Ảnh cho báo Thanh Niên · 26/11/2026");
    assert_eq!(plain["expires_at"], "2026-12-26");
    // A label and a day-first expiry; more than a year ahead, or an empty label, is refused
    // and makes nothing.
    for (refused, why) in [
        (json!({"expires_at": "2028-01-01"}), StatusCode::CONFLICT),
        (json!({"label": "\u{7}"}), StatusCode::BAD_REQUEST),
        (json!({"expires_at": "31/02/2027"}), StatusCode::BAD_REQUEST),
    ] {
        let r = post_json(&format!("{base}/shares"), press, refused.clone());
        let status = test::call_service(&app, r.to_request()).await.status();
        assert_eq!(status, why, "{refused}");
    }
    let labelled = post_json(
        &format!("{base}/shares"),
        press,
        json!({"label": "Gửi chị Hạnh, Thanh Niên", "expires_at": "15/01/2027"}),
    );
    let resp = test::call_service(&app, labelled.to_request()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let labelled = body_json(resp).await;
    assert_eq!(labelled["expires_at"], "2027-01-15");
    let url = labelled["url"].as_str().unwrap().to_owned();
    let path = url[url.find("/s/").unwrap()..].to_owned();

    // Two opens and one ZIP through it; the other link is not touched.
    for _ in 0..2 {
        let page = test::call_service(&app, get(&path, None).to_request()).await;
        assert_eq!(page.status(), StatusCode::OK);
    }
    let zip = test::call_service(
        &app,
        get(&format!("{path}/download.zip"), None).to_request(),
    )
    .await;
    assert_eq!(zip.status(), StatusCode::OK);
    let _ = test::read_body(zip).await;

    // The owner sees both links again, with their address, label, expiry and uses.
    let listed =
        body_json(test::call_service(&app, get(&base, Some(press)).to_request()).await).await;
    let shares = listed["shares"].as_array().unwrap();
    assert_eq!(shares.len(), 2, "refused links made nothing: {shares:?}");
    let shown = shares.iter().find(|s| s["id"] == labelled["id"]).unwrap();
    assert_eq!(shown["url"], url.as_str(), "the same address, shown again");
    assert_eq!(shown["label"], "Gửi chị Hạnh, Thanh Niên");
    assert_eq!(shown["expires_at"], "2027-01-15");
    assert_eq!(
        (shown["opens"].as_u64(), shown["downloads"].as_u64()),
        (Some(2), Some(1))
    );
    let other = shares.iter().find(|s| s["id"] == plain["id"]).unwrap();
    assert_eq!(
        (other["opens"].as_u64(), other["downloads"].as_u64()),
        (Some(0), Some(0))
    );
    let token = path.trim_start_matches("/s/");
    assert!(
        !String::from_utf8(fx.journal()).unwrap().contains(token),
        "the token is derived, never journaled"
    );
    // Someone else never sees the collection, nor its links.
    let theirs = get(&base, Some(&svc.tokens["agency"]));
    assert_eq!(
        test::call_service(&app, theirs.to_request()).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn pictures_ticked_in_the_catalogue_go_into_a_collection_in_one_step() {
    let fx = Fixture::new();
    let (svc, draft, public) = setup(&fx);
    common::desk::account(
        &svc.state,
        "lan",
        "Nguyễn Lan",
        brandvault::model::Role::Press,
    );
    let app = app!(svc);
    publish(&app, &svc, &public).await;
    let lan =
        common::desk::cookie_value(&sign_in!(app, "lan", "mật khẩu đủ dài"), "bv_session").unwrap();
    let grid = common::desk::body_text(
        test::call_service(&app, common::desk::with(&lan, get("/", None)).to_request()).await,
    )
    .await;
    assert!(grid.contains(r#"id="collect-form""#), "the grid offers it");
    assert!(grid.contains(&format!(
        r#"name="asset" value="{public}" form="collect-form""#
    )));
    let csrf = common::desk::csrf_field(&grid);
    let add = |assets: &[&str], name: &str| {
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("from", "catalogue"),
            ("new_name", name),
        ];
        form.extend(assets.iter().map(|a| ("asset", *a)));
        common::desk::with(&lan, test::TestRequest::post().uri("/collections/add"))
            .set_form(form)
            .to_request()
    };
    // A draft the press may not see among the ticked: nothing at all is made.
    let before = fx.journal();
    let resp = test::call_service(&app, add(&[&public, &draft], "Cho báo Người Lao Động")).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(fx.journal(), before, "all or nothing");
    let resp = test::call_service(&app, add(&[&public, &public], "Cho báo Người Lao Động")).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = resp
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(to.ends_with("?added=1"), "each picture counted once: {to}");
    let page = common::desk::body_text(
        test::call_service(&app, common::desk::with(&lan, get(&to, None)).to_request()).await,
    )
    .await;
    assert!(page.contains("Đã thêm 1 ảnh đã chọn"), "{page}");
    let id = to
        .trim_start_matches("/collections/")
        .split('?')
        .next()
        .unwrap();
    let made = svc.state.catalog.collection(id).unwrap().unwrap();
    assert_eq!(made.items.len(), 1, "each picture once");
}
