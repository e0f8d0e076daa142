//! What the press receives tells the truth: a picture uploaded bare and described afterwards
//! is delivered with its description (read back by exiftool), restrictions travel into the
//! file, themes are words and not ids, place and date travel, a batch approval publishes each
//! picture for the audience its designer asked, embeds are offered only where they work, and
//! dead links answer a browser with a page.

#[macro_use]
mod common;

use std::path::Path;
use std::process::Command;

use actix_web::http::StatusCode;
use actix_web::test;
use brandvault::media::exif::ExifFields;
use brandvault::model::{Gps, Role};
use common::desk::*;
use common::service::{get, patch_json, post_json, setup, upload};
use common::{photo, tool, Fixture};
use serde_json::{json, Value};

/// Everything exiftool reads from `bytes`, grouped (`XMP-dc:Description-vi`…).
fn exiftool_read(dir: &Path, bytes: &[u8]) -> Value {
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join("delivered.jpg");
    std::fs::write(&file, bytes).unwrap();
    let out = Command::new("exiftool")
        .args(["-j", "-G1", "-a", "-charset", "iptc=utf8"])
        .arg(&file)
        .output()
        .unwrap();
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    all[0].clone()
}

/// exiftool's validation warnings on `bytes` (empty: none).
fn exiftool_warnings(dir: &Path, bytes: &[u8]) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join("validated.jpg");
    std::fs::write(&file, bytes).unwrap();
    let out = Command::new("exiftool")
        .args(["-validate", "-warning", "-a", "-s"])
        .arg(&file)
        .output()
        .unwrap();
    let all = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(all.contains("Validate"), "exiftool validated: {all}");
    all.lines()
        .filter(|l| l.contains("Warning") || (l.starts_with("Validate") && !l.ends_with(": OK")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The body of a download of `id` in `preset` as `token`.
macro_rules! download {
    ($app:expr, $token:expr, $id:expr, $preset:expr) => {{
        let path = format!("/api/assets/{}/download?preset={}", $id, $preset);
        let resp = test::call_service(&$app, get(&path, Some($token)).to_request()).await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        test::read_body(resp).await.to_vec()
    }};
}

fn text(v: &Value) -> String {
    v.to_string()
}

/// The test service with room for uploads of press size.
fn roomy(svc: common::service::Service) -> common::service::Service {
    let mut state = std::sync::Arc::try_unwrap(svc.state)
        .ok()
        .expect("the service has no other owner yet");
    state
        .settings_mut()
        .expect("not shared yet")
        .max_upload_image_bytes = 64 << 20;
    common::service::Service {
        state: std::sync::Arc::new(state),
        tokens: svc.tokens,
    }
}

/// Uploaded bare, rendered, then described, approved and edited again: every download and
/// the stable address carry the description of the moment, with the theme in words, the
/// restriction, the place and the date; exiftool finds nothing to warn about.
#[actix_web::test]
async fn edits_reach_every_delivered_copy() {
    if !tool("exiftool", "libimage-exiftool-perl") {
        return;
    }
    let fx = Fixture::new();
    let svc = roomy(setup(&fx).0);
    let app = app!(svc);
    let (dana, bm) = (&svc.tokens["dana"], &svc.tokens["bm"]);
    let fields = ExifFields {
        gps: Some(Gps {
            lat: 11.8064,
            lon: 107.3552,
            alt_m: None,
        }),
        datetime_original: Some("2024-05-01T06:30:00".into()),
        offset: Some("+07:00".into()),
        ..Default::default()
    };
    let bytes = photo(2400, 1600, 77, &fields);
    let resp = test::call_service(&app, upload(Some(dana), "bare.jpg", &bytes).to_request()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let asset: Value = test::read_body_json(resp).await;
    let id = asset["id"].as_str().unwrap().to_owned();
    // Its renditions exist before anyone describes it.
    svc.state.render_now(&[id.parse().unwrap()]);
    let bare = download!(app, bm, id, "press");
    let seen = exiftool_read(fx.input().as_path(), &bare);
    assert!(seen.get("XMP-dc:Description").is_none(), "{seen}");

    let edit = json!({
        "caption_vi": "Bình minh trên trảng cỏ Bù Lạch",
        "caption_en": "Dawn over the Bù Lạch grassland",
        "credit": "Nguyễn Văn Ánh / Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch",
        "license": "CC BY 4.0",
        "add_tags": ["tourism", "public-tourists"],
        "access": "public",
        "consent": true,
    });
    let resp = test::call_service(
        &app,
        patch_json(&format!("/api/assets/{id}"), dana, edit).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    for (action, who) in [("submit", dana), ("approve", bm)] {
        let path = format!("/api/assets/{id}/{action}");
        let resp = test::call_service(&app, post_json(&path, who, json!({})).to_request()).await;
        assert_eq!(resp.status(), StatusCode::OK, "{action}");
    }
    let approved: Value = test::call_and_read_body_json(
        &app,
        get(&format!("/api/assets/{id}"), Some(bm)).to_request(),
    )
    .await;
    assert_eq!(approved["access"], "public", "the audience asked for");

    for preset in ["press", "web"] {
        let file = download!(app, bm, id, preset);
        let seen = exiftool_read(fx.input().as_path(), &file);
        let all = text(&seen);
        assert!(
            all.contains("Bình minh trên trảng cỏ Bù Lạch"),
            "{preset}: {all}"
        );
        assert!(all.contains("Nguyễn Văn Ánh"), "{preset}: {all}");
        assert!(
            text(&seen["XMP-xmpRights:UsageTerms"]).contains("CC BY 4.0"),
            "{preset}: {all}"
        );
        let keywords = text(&seen["XMP-dc:Subject"]) + &text(&seen["IPTC:Keywords"]);
        assert!(keywords.contains("Du lịch"), "{preset}: {keywords}");
        assert!(keywords.contains("Công chúng, khách du lịch"), "{keywords}");
        assert!(
            !keywords.contains("public-tourists") && !keywords.contains("\"tourism\""),
            "{keywords}"
        );
        assert!(
            text(&seen["XMP-photoshop:DateCreated"]).contains("2024:05:01 06:30:00"),
            "{all}"
        );
        assert_eq!(seen["XMP-iptcCore:Location"], "Trảng cỏ Bù Lạch", "{all}");
        assert_eq!(seen["XMP-photoshop:State"], "Bình Phước", "{all}");
        assert_eq!(seen["XMP-photoshop:Country"], "Việt Nam", "{all}");
        assert_eq!(seen["IPTC:Province-State"], "Bình Phước", "{all}");
        assert!(
            seen.get("IFD0:Artist").is_none(),
            "no UTF-8 in an ASCII tag: {all}"
        );
        let warnings = exiftool_warnings(fx.input().as_path(), &file);
        assert!(warnings.trim().is_empty(), "{preset}: {warnings}");
    }

    // Edited again while approved and press-only: the next download says so at once.
    let edit = json!({"caption_vi": "Trảng cỏ Bù Lạch mùa mưa", "access": "press"});
    let resp = test::call_service(
        &app,
        patch_json(&format!("/api/assets/{id}"), bm, edit).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let file = download!(app, &svc.tokens["press"], id, "press");
    let seen = exiftool_read(fx.input().as_path(), &file);
    assert!(text(&seen).contains("Trảng cỏ Bù Lạch mùa mưa"), "{seen}");
    let terms = text(&seen["XMP-xmpRights:UsageTerms"]);
    assert!(terms.contains("Chỉ dùng cho tin tức, báo chí"), "{terms}");
    assert!(terms.contains("CC BY 4.0"), "{terms}");
    let terms_en = text(&seen["XMP-xmpRights:UsageTerms-en"]);
    assert!(terms_en.contains("News use only"), "{terms_en}");
    assert!(
        text(&seen["XMP-photoshop:Instructions"]).contains("báo chí"),
        "{seen}"
    );
    assert!(text(&seen["IPTC:SpecialInstructions"]).contains("News use only"));
    // The stable address leads to the same, current copy.
    let resp = test::call_service(
        &app,
        get(&format!("/a/{id}/press"), Some(&svc.tokens["press"])).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    let to = resp.headers().get("location").unwrap().to_str().unwrap();
    let r = test::call_service(&app, get(to, Some(&svc.tokens["press"])).to_request()).await;
    assert_eq!(
        test::read_body(r).await.to_vec(),
        file,
        "/a/ serves the current copy"
    );
}

/// Themes and audiences are found by their names, accent-blind, in both languages.
#[actix_web::test]
async fn themes_are_found_by_their_words() {
    let fx = Fixture::new();
    let (svc, _, public) = setup(&fx);
    let app = app!(svc);
    common::service::publish(&app, &svc, &public).await;
    let bm = &svc.tokens["bm"];
    let resp = test::call_service(
        &app,
        patch_json(
            &format!("/api/assets/{public}"),
            bm,
            json!({"add_tags": ["culture"]}),
        )
        .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    for q in [
        "du%20lich",
        "du%20l%E1%BB%8Bch",
        "van%20hoa",
        "Tourism",
        "nha%20dau%20tu",
    ] {
        let page: Value = test::call_and_read_body_json(
            &app,
            get(&format!("/api/assets?q={q}"), None).to_request(),
        )
        .await;
        let ids: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["id"].as_str())
            .collect();
        assert_eq!(ids, [public.as_str()], "q={q}");
    }
}

/// A press-only picture's page offers no embed and says why; a public one's does; its
/// restriction is on the page. A dead delivery link answers a browser with a page.
#[actix_web::test]
async fn embeds_only_where_they_work_and_dead_links_are_pages() {
    let fx = Fixture::new();
    let (svc, _, public) = setup(&fx);
    let app = app!(svc);
    common::service::publish(&app, &svc, &public).await;
    macro_rules! page {
        ($token:expr) => {{
            let req = get(&format!("/assets/{public}"), Some(&svc.tokens[$token]))
                .insert_header(("accept", "text/html"));
            body_text(test::call_service(&app, req.to_request()).await).await
        }};
    }
    let shown = page!("press");
    assert!(shown.contains("&lt;picture") || shown.contains("&#60;picture"));
    let resp = test::call_service(
        &app,
        patch_json(
            &format!("/api/assets/{public}"),
            &svc.tokens["bm"],
            json!({"access": "press"}),
        )
        .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    for who in ["press", "agency"] {
        let shown = page!(who);
        assert!(
            !shown.contains("&lt;picture") && !shown.contains("&#60;picture"),
            "{who}"
        );
        assert!(
            shown.contains("id=\"no-embed\""),
            "{who}: why there is none"
        );
        assert!(shown.contains("Chỉ dùng cho tin tức, báo chí"), "{who}");
    }
    for path in [
        format!("/a/{}/preview", "ab".repeat(32)),
        format!("/r/{}.jpg", "cd".repeat(32)),
        format!("/api/assets/{}/download", "ef".repeat(32)),
    ] {
        let req = get(&path, None).insert_header(("accept", "text/html"));
        let resp = test::call_service(&app, req.to_request()).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        let kind = resp
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
    }
}

/// A batch approval publishes each picture for the audience its designer asked for, and
/// the notice says how many went to which audience.
#[actix_web::test]
async fn a_batch_approval_keeps_each_asked_audience() {
    let fx = Fixture::new();
    let svc = roomy(setup(&fx).0);
    account(&svc.state, "hoa", "Nguyễn Hoa", Role::BrandManager);
    let app = app!(svc);
    let dana = &svc.tokens["dana"];
    let mut ids = Vec::new();
    for (n, access) in [(0u64, "public"), (1, "public"), (2, "press")] {
        let bytes = photo(2400, 1600, 300 + n, &Default::default());
        let resp = test::call_service(
            &app,
            upload(Some(dana), &format!("lô {n}.jpg"), &bytes).to_request(),
        )
        .await;
        let a: Value = test::read_body_json(resp).await;
        let id = a["id"].as_str().unwrap().to_owned();
        let edit = json!({"credit": "Dana", "license": "CC BY 4.0", "access": access,
            "add_tags": ["tourism", "investors"]});
        let path = format!("/api/assets/{id}");
        let resp = test::call_service(&app, patch_json(&path, dana, edit).to_request()).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let path = format!("/api/assets/{id}/submit");
        let resp = test::call_service(&app, post_json(&path, dana, json!({})).to_request()).await;
        assert_eq!(resp.status(), StatusCode::OK);
        ids.push(id);
    }
    let hoa = cookie_value(&sign_in!(app, "hoa", "mật khẩu đủ dài"), "bv_session").unwrap();
    let review =
        body_text(test::call_service(&app, with(&hoa, get("/review", None)).to_request()).await)
            .await;
    let csrf = csrf_field(&review);
    assert!(
        review.contains("Như người gửi đề nghị"),
        "the batch keeps what was asked"
    );
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("action", "approve"),
        ("access", ""),
    ];
    form.extend(ids.iter().map(|id| ("id", id.as_str())));
    let req = with(&hoa, test::TestRequest::post().uri("/review/batch")).set_form(form);
    let resp = test::call_service(&app, req.to_request()).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = resp
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    for (id, asked) in ids.iter().zip(["public", "public", "press"]) {
        let a: Value = test::call_and_read_body_json(
            &app,
            get(&format!("/api/assets/{id}"), Some(&svc.tokens["bm"])).to_request(),
        )
        .await;
        assert_eq!(a["status"], "approved");
        assert_eq!(a["access"], asked, "{id}");
    }
    let notice =
        body_text(test::call_service(&app, with(&hoa, get(&to, None)).to_request()).await).await;
    assert!(notice.contains("2 Công khai"), "{to}");
    assert!(notice.contains("1 Báo chí"), "{to}");
}

/// A spot chosen by hand far from the photo's own GPS is a violation that needs an override.
#[actix_web::test]
async fn a_spot_far_from_the_gps_is_flagged() {
    let fx = Fixture::new();
    let (svc, _, public) = setup(&fx);
    let workflow = svc.state.workflow();
    let id = public.parse().unwrap();
    let placed = workflow
        .choose_spot(&id, Some("soc-bom-bo"), "test", common::service::NOW)
        .unwrap();
    let rules: Vec<&str> = placed.violations.iter().map(|v| v.rule.code()).collect();
    assert!(rules.contains(&"spot-far-from-gps"), "{rules:?}");
    // The spot of its own GPS is not far.
    let placed = workflow
        .choose_spot(&id, Some("trang-co-bu-lach"), "test", common::service::NOW)
        .unwrap();
    assert!(
        !placed
            .violations
            .iter()
            .any(|v| v.rule == brandvault::model::Rule::SpotFarFromGps),
        "{:?}",
        placed.violations
    );
}

/// A public picture's IIIF Presentation 3.0 manifest, named by its info.json: a canvas painted
/// by the picture with its image service, labels in both languages, credit and rights.
#[actix_web::test]
async fn public_pictures_have_a_presentation_manifest() {
    let fx = Fixture::new();
    let (svc, draft, public) = setup(&fx);
    let app = app!(svc);
    common::service::publish(&app, &svc, &public).await;
    let info: Value = test::call_and_read_body_json(
        &app,
        get(&format!("/iiif/3/{public}/info.json"), None).to_request(),
    )
    .await;
    let id = info["partOf"][0]["id"].as_str().unwrap().to_owned();
    assert!(id.ends_with(&format!("/iiif/3/{public}/manifest")), "{id}");
    let path = &id[id.find("/iiif/").unwrap()..];
    let resp = test::call_service(&app, get(path, None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers().get("access-control-allow-origin").unwrap(),
        "*"
    );
    let m: Value = test::read_body_json(resp).await;
    // The Presentation 3.0 rules a viewer relies on.
    assert_eq!(
        m["@context"],
        "http://iiif.io/api/presentation/3/context.json"
    );
    assert_eq!(
        (m["id"].as_str(), m["type"].as_str()),
        (Some(id.as_str()), Some("Manifest"))
    );
    assert!(m["label"].is_object(), "a language map");
    let canvas = &m["items"][0];
    assert_eq!(canvas["type"], "Canvas");
    assert!(canvas["width"].as_u64().unwrap() > 0 && canvas["height"].as_u64().unwrap() > 0);
    let page = &canvas["items"][0];
    assert_eq!(page["type"], "AnnotationPage");
    let painting = &page["items"][0];
    assert_eq!(painting["motivation"], "painting");
    assert_eq!(painting["target"], canvas["id"]);
    assert_eq!(painting["body"]["type"], "Image");
    assert_eq!(painting["body"]["service"][0]["type"], "ImageService3");
    assert_eq!(m["requiredStatement"]["value"]["none"][0], "Phạm Thu");
    // A draft has none, as it has no image service.
    let resp = test::call_service(
        &app,
        get(&format!("/iiif/3/{draft}/manifest"), None).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

/// A phone's original with vendor segments and a trailer: the copy the press downloads
/// carries none of them, and exiftool finds nothing to warn about.
#[actix_web::test]
async fn a_phone_original_reaches_the_press_clean() {
    if !tool("exiftool", "libimage-exiftool-perl") {
        return;
    }
    let fx = Fixture::new();
    let svc = roomy(setup(&fx).0);
    let app = app!(svc);
    let jpeg = photo(2400, 1600, 91, &Default::default());
    let segment = |marker: u8, payload: &[u8]| {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        s.extend_from_slice(payload);
        s
    };
    let mut phone = jpeg[..2].to_vec();
    phone.extend(segment(0xE4, b"ssuniqueid\0SM-S918B-R5CW1234567"));
    phone.extend(segment(0xE5, b"vendor data"));
    phone.extend(segment(0xEB, b"JP\0\0jumbf box"));
    phone.extend_from_slice(&jpeg[2..]);
    phone.extend_from_slice(b"\0\0SEFHImage_UTC_Data1700000000000SEFT");
    let (dana, bm) = (&svc.tokens["dana"], &svc.tokens["bm"]);
    let resp = test::call_service(
        &app,
        upload(Some(dana), "20240501_063000.jpg", &phone).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let a: Value = test::read_body_json(resp).await;
    let id = a["id"].as_str().unwrap().to_owned();
    let edit = json!({"credit": "Lê Minh", "license": "CC BY 4.0", "access": "press",
        "add_tags": ["tourism", "investors"]});
    let path = format!("/api/assets/{id}");
    let resp = test::call_service(&app, patch_json(&path, dana, edit).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    for (action, who) in [("submit", dana), ("approve", bm)] {
        let path = format!("/api/assets/{id}/{action}");
        let resp = test::call_service(&app, post_json(&path, who, json!({})).to_request()).await;
        assert_eq!(resp.status(), StatusCode::OK, "{action}");
    }
    let original = download!(app, &svc.tokens["press"], id, "original");
    let has = |needle: &[u8]| original.windows(needle.len()).any(|w| w == needle);
    for gone in [
        &b"ssuniqueid"[..],
        b"R5CW1234567",
        b"vendor data",
        b"jumbf",
        b"Image_UTC_Data",
    ] {
        assert!(!has(gone), "{}", String::from_utf8_lossy(gone));
    }
    assert!(original.ends_with(&[0xFF, 0xD9]));
    let warnings = exiftool_warnings(fx.input().as_path(), &original);
    assert!(warnings.trim().is_empty(), "{warnings}");
    let seen = exiftool_read(fx.input().as_path(), &original);
    assert!(
        text(&seen["XMP-xmpRights:UsageTerms"]).contains("báo chí"),
        "{seen}"
    );
}

/// Removes `id`'s original and its press rendition from the store, then edits its caption
/// through the workflow itself (no background pass to race a reading of the journal): its
/// renditions are stale and cannot be made again.
fn lose_original_and_press_then_edit(state: &brandvault::http::AppState, id: &str) {
    let asset = state.catalog.asset(&id.parse().unwrap()).unwrap().unwrap();
    let press = asset
        .renditions
        .iter()
        .find(|r| r.preset == "press")
        .unwrap();
    for gone in [id, &press.url[3..67]] {
        let hash = brandvault::store::Hash::from_hex(gone).unwrap();
        state.store.remove(&hash).unwrap();
    }
    let patch = brandvault::catalog::Patch {
        caption_vi: Some(Some("Mô tả mới".into())),
        ..Default::default()
    };
    let actor = brandvault::model::Actor {
        name: "bm".into(),
        role: Role::BrandManager,
    };
    state
        .workflow()
        .edit(&asset.id, patch, &actor, common::service::NOW)
        .unwrap();
}

/// A delivery that cannot bring a stale rendition up to date (its original is gone) answers
/// 404 and writes nothing, however often it is asked: requests never fill the journal.
#[actix_web::test]
async fn a_rendition_that_cannot_be_refreshed_is_not_served_and_journals_nothing() {
    let fx = Fixture::new();
    let (svc, draft, _) = setup(&fx);
    let app = app!(svc);
    let dana = &svc.tokens["dana"];
    // The picture and its press rendition are lost from the store, then it is edited.
    lose_original_and_press_then_edit(&svc.state, &draft);
    let journal = fx.journal();
    for _ in 0..3 {
        let path = format!("/api/assets/{draft}/download?preset=press");
        let resp = test::call_service(&app, get(&path, Some(dana)).to_request()).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(fx.journal(), journal, "nothing journaled by the requests");
}

/// A share ZIP whose picture's press copy cannot be remade (its original is gone) records the
/// failure once, and later downloads of the link write nothing more: anonymous requests never
/// fill the journal.
#[actix_web::test]
async fn a_share_zip_records_a_failed_rendition_once() {
    let fx = Fixture::new();
    let (svc, _, public) = setup(&fx);
    let app = app!(svc);
    common::service::publish(&app, &svc, &public).await;
    let press = &svc.tokens["press"];
    let made = test::call_service(
        &app,
        post_json("/api/collections", press, json!({"name": "Bù Lạch"})).to_request(),
    )
    .await;
    let collection: Value = test::read_body_json(made).await;
    let base = format!("/api/collections/{}", collection["id"].as_str().unwrap());
    let added = post_json(&format!("{base}/items"), press, json!({"asset": public}));
    assert_eq!(
        test::call_service(&app, added.to_request()).await.status(),
        StatusCode::OK
    );
    let share = post_json(&format!("{base}/shares"), press, json!({}));
    let link: Value =
        test::read_body_json(test::call_service(&app, share.to_request()).await).await;
    let url = link["url"].as_str().unwrap();
    let zip = format!(
        "{}/download.zip?preset=press",
        &url[url.find("/s/").unwrap()..]
    );

    // The picture and its press copy are lost from the store, then the picture is edited.
    lose_original_and_press_then_edit(&svc.state, &public);

    let first = test::call_service(&app, get(&zip, None).to_request()).await;
    assert_eq!(first.status(), StatusCode::OK);
    let files = common::unzip(&test::read_body(first).await);
    assert!(
        files.keys().all(|n| !n.ends_with(".jpg")),
        "no stale copy is packed: {:?}",
        files.keys()
    );
    let journal = fx.journal();
    for _ in 0..3 {
        let again = test::call_service(&app, get(&zip, None).to_request()).await;
        assert_eq!(again.status(), StatusCode::OK);
        test::read_body(again).await;
    }
    assert_eq!(
        fx.journal(),
        journal,
        "nothing more journaled by the requests"
    );
}
