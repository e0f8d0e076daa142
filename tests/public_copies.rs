//! `--public-blob-url`: a rendition the public may see is answered with a redirect to its copy
//! in the store's public namespace (made at the first request, byte for byte the rendition);
//! what only signed-in people may see is streamed and never copied; a withdrawn asset's copies
//! are swept away and `/r/` forgets it.

#[macro_use]
mod common;

use std::io::Read;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::test as at;
use brandvault::model::AssetId;
use common::service::{get, post_json, publish, setup, Service};
use common::Fixture;
use serde_json::json;

const CDN: &str = "https://cdn.binhphuoc.example/anh";

fn with_cdn(svc: Service) -> Service {
    let mut state = Arc::try_unwrap(svc.state)
        .ok()
        .expect("the service has no other owner yet");
    state
        .settings_mut()
        .expect("not shared yet")
        .public_blob_url = Some(CDN.into());
    Service {
        state: Arc::new(state),
        tokens: svc.tokens,
    }
}

/// The `/r/…` address of an asset's rendition for `preset`.
fn rendition_url(svc: &Service, id: &str, preset: &str) -> String {
    let asset = svc
        .state
        .catalog
        .asset(&id.parse::<AssetId>().unwrap())
        .unwrap()
        .unwrap();
    let r = asset
        .renditions
        .iter()
        .find(|r| r.preset == preset)
        .unwrap();
    r.url.clone()
}

#[actix_web::test]
async fn public_renditions_redirect_to_a_public_copy_that_goes_when_the_asset_is_withdrawn() {
    let fx = Fixture::new();
    let (svc, draft, public) = setup(&fx);
    let svc = with_cdn(svc);
    let app = app!(svc);
    publish(&app, &svc, &public).await;
    let thumb = rendition_url(&svc, &public, "thumb");
    let name = thumb.trim_start_matches("/r/").to_owned();

    let resp = at::call_service(&app, get(&thumb, None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    let location = resp.headers().get("location").unwrap().to_str().unwrap();
    assert_eq!(location, format!("{CDN}/{name}"));
    let store = &svc.state.store;
    assert_eq!(store.published().unwrap(), vec![name.clone()]);
    if let Some(dir) = fx.store_url().strip_prefix("file://") {
        let copy = std::fs::read(std::path::Path::new(dir).join("public").join(&name)).unwrap();
        let hash = name.split_once('.').unwrap().0;
        let mut object = Vec::new();
        store
            .open(&brandvault::store::Hash::from_hex(hash).unwrap())
            .unwrap()
            .read_to_end(&mut object)
            .unwrap();
        assert_eq!(copy, object, "the copy is the rendition's bytes");
    }
    // Asked again: the same redirect, no second copy.
    let resp = at::call_service(&app, get(&thumb, None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert_eq!(store.published().unwrap().len(), 1);

    // A draft's rendition, seen by its designer: streamed, never copied.
    let draft_thumb = rendition_url(&svc, &draft, "thumb");
    let resp = at::call_service(
        &app,
        get(&draft_thumb, Some(&svc.tokens["dana"])).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(store.published().unwrap().len(), 1);

    // Withdrawn: the sweep removes the copy, and /r/ no longer answers the public.
    let resp = at::call_service(
        &app,
        post_json(
            &format!("/api/assets/{public}/archive"),
            &svc.tokens["bm"],
            json!({}),
        )
        .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(svc.state.public_copies.sweep(&svc.state).unwrap(), 1);
    assert!(store.published().unwrap().is_empty());
    let resp = at::call_service(&app, get(&thumb, None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // A restarted service learns the copies from the store: nothing is left to sweep.
    svc.state.public_copies.load(&svc.state).unwrap();
    assert_eq!(svc.state.public_copies.sweep(&svc.state).unwrap(), 0);
}

#[actix_web::test]
async fn without_a_public_blob_url_renditions_are_served_as_before() {
    let fx = Fixture::new();
    let (svc, _draft, public) = setup(&fx);
    let app = app!(svc);
    publish(&app, &svc, &public).await;
    let thumb = rendition_url(&svc, &public, "thumb");
    let resp = at::call_service(&app, get(&thumb, None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(svc.state.store.published().unwrap().is_empty());
}

#[actix_web::test]
async fn an_edit_replaces_the_public_copy_so_the_cdn_never_serves_the_old_words() {
    let fx = Fixture::new();
    let (svc, _, public) = setup(&fx);
    let svc = with_cdn(svc);
    let app = app!(svc);
    publish(&app, &svc, &public).await;
    let before = rendition_url(&svc, &public, "web");
    let resp = at::call_service(&app, get(&before, None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    let store = &svc.state.store;
    assert_eq!(store.published().unwrap().len(), 1);

    let caption = "Thác Mơ mùa nước lớn, tháng Chín";
    let req = at::TestRequest::patch()
        .uri(&format!("/api/assets/{public}"))
        .insert_header(("authorization", format!("Bearer {}", svc.tokens["bm"])))
        .set_json(json!({"caption_vi": caption}))
        .to_request();
    assert!(at::call_service(&app, req).await.status().is_success());
    let after = rendition_url(&svc, &public, "web");
    assert_ne!(after, before, "the edit made a new rendition");

    // The old copy is no longer any asset's: swept, and /r/ no longer answers with it.
    assert_eq!(svc.state.public_copies.sweep(&svc.state).unwrap(), 1);
    assert!(store.published().unwrap().is_empty());
    let resp = at::call_service(&app, get(&before, None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // The new one is copied at its first request and carries the new caption.
    let resp = at::call_service(&app, get(&after, None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    let name = after.trim_start_matches("/r/").to_owned();
    assert_eq!(store.published().unwrap(), vec![name.clone()]);
    if let Some(dir) = fx.store_url().strip_prefix("file://") {
        let copy = std::fs::read(std::path::Path::new(dir).join("public").join(&name)).unwrap();
        assert!(copy.windows(caption.len()).any(|w| w == caption.as_bytes()));
    }
}
