//! The HTTP service in process (actix test server over the real store, sled and brand
//! folder), shared by the HTTP tests: a library with a token per role and two photos.

use std::sync::Arc;

use actix_web::test;
use brandvault::brand::Brand;
use brandvault::catalog::{Catalog, Change};
use brandvault::config::Settings;
use brandvault::geo::Locator;
use brandvault::http::{auth, AppState};
use brandvault::ingest::{IngestOptions, Ingester};
use brandvault::media::exif::ExifFields;
use brandvault::model::Role;
use brandvault::render::Renderer;
use serde_json::{json, Value};

use super::{photo, Fixture};

pub const NOW: &str = "2026-11-26T08:00:00Z";

pub struct Service {
    pub state: Arc<AppState>,
    pub tokens: std::collections::HashMap<&'static str, String>,
}

/// A library with tokens for each role and two photos ingested and rendered: one uploaded by
/// the designer `dana` (still a draft), one approved and public.
pub fn setup(fx: &Fixture) -> (Service, String, String) {
    let mut settings = Settings::new(fx.data(), fx.brand());
    settings.max_upload_image_bytes = 300_000;
    let store = fx.store();
    let catalog = Catalog::open(&fx.location()).unwrap();
    let brand = Brand::load(&fx.brand()).unwrap();
    let mut tokens = std::collections::HashMap::new();
    for (name, role) in [
        ("admin", Role::Admin),
        ("bm", Role::BrandManager),
        ("dana", Role::Designer),
        ("dan", Role::Designer),
        ("press", Role::Press),
        ("agency", Role::Agency),
    ] {
        let (token, hash) = auth::new_token().unwrap();
        catalog
            .commit(
                NOW,
                "test",
                &[Change::TokenCreated {
                    name: name.into(),
                    role,
                    hash,
                }],
                &[],
            )
            .unwrap();
        tokens.insert(name, token);
    }
    let fields = ExifFields {
        artist: Some("Phạm Thu".into()),
        datetime_original: Some("2023-11-20T10:00:00".into()),
        offset: Some("+07:00".into()),
        ..Default::default()
    };
    let draft = fx.write("Bù Gia Mập nháp.jpg", &photo(300, 200, 1, &fields));
    let at_lach = ExifFields {
        gps: Some(brandvault::model::Gps {
            lat: 11.8064,
            lon: 107.3552,
            alt_m: None,
        }),
        datetime_original: Some("2024-05-01T08:30:00".into()),
        ..fields.clone()
    };
    let public = fx.write("Trảng cỏ Bù Lạch.jpg", &photo(300, 200, 2, &at_lach));
    let locator = Locator::new(&brand.gazetteer);
    let ingester = Ingester {
        store: &*store,
        catalog: &catalog,
        locator: &locator,
        brand: &brand,
    };
    let options = |actor: &str| IngestOptions {
        tags: vec!["tourism".into(), "investors".into()],
        kind: None,
        limits: settings.limits,
        max_bytes: u64::MAX,
        actor: actor.into(),
        at: NOW.into(),
        uploader: None,
        metadata: Default::default(),
        spot: None,
    };
    let draft_id = ingester
        .ingest_paths(&[draft], &options("dana"), &|_| {})
        .unwrap()
        .added[0];
    let public_id = ingester
        .ingest_paths(&[public], &options("cli"), &|_| {})
        .unwrap()
        .added[0];
    Renderer::new(&*store, &catalog, &brand, &settings)
        .render(&[draft_id, public_id], &[], NOW, "test", &|_, _| {})
        .unwrap();
    let state = Arc::new(AppState {
        clock: Box::new(|| NOW.to_owned()),
        ..AppState::new(
            settings,
            store,
            std::sync::Arc::new(catalog),
            brand,
            b"PK".to_vec(),
        )
    });
    (
        Service { state, tokens },
        draft_id.to_hex(),
        public_id.to_hex(),
    )
}

/// `svc` on a clock the test moves (starting at NOW), returned with the clock's hand.
pub fn on_moving_clock(svc: Service) -> (Service, Arc<std::sync::Mutex<String>>) {
    let clock = Arc::new(std::sync::Mutex::new(NOW.to_owned()));
    let mut state = Arc::try_unwrap(svc.state)
        .ok()
        .expect("the service has no other owner yet");
    let hand = clock.clone();
    state.clock = Box::new(move || hand.lock().unwrap().clone());
    let svc = Service {
        state: Arc::new(state),
        tokens: svc.tokens,
    };
    (svc, clock)
}

#[macro_export]
macro_rules! app {
    ($svc:expr) => {
        actix_web::test::init_service(
            actix_web::App::new()
                .app_data(actix_web::web::Data::new($svc.state.clone()))
                .wrap(actix_web::middleware::from_fn(brandvault::http::track))
                .configure(brandvault::http::configure),
        )
        .await
    };
}

pub fn get(path: &str, token: Option<&str>) -> test::TestRequest {
    let req = test::TestRequest::get().uri(path);
    match token {
        Some(t) => req.insert_header(("authorization", format!("Bearer {t}"))),
        None => req,
    }
}

pub fn post_json(path: &str, token: &str, body: Value) -> test::TestRequest {
    test::TestRequest::post()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_json(body)
}

pub fn patch_json(path: &str, token: &str, body: Value) -> test::TestRequest {
    test::TestRequest::patch()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_json(body)
}

pub fn upload(token: Option<&str>, name: &str, bytes: &[u8]) -> test::TestRequest {
    let (ct, body) = multipart(name, bytes);
    let req = test::TestRequest::post()
        .uri("/api/assets")
        .insert_header(("content-type", ct))
        .set_payload(body);
    match token {
        Some(t) => req.insert_header(("authorization", format!("Bearer {t}"))),
        None => req,
    }
}

pub fn multipart(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----brandvault-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Approves `id` for the public as the brand manager (its violations overridden).
pub async fn publish<S, B>(app: &S, svc: &Service, id: &str)
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
{
    let bm = &svc.tokens["bm"];
    for (action, body) in [
        ("submit", json!({})),
        ("approve", json!({"override": "test fixture"})),
    ] {
        let path = format!("/api/assets/{id}/{action}");
        let resp = test::call_service(app, post_json(&path, bm, body).to_request()).await;
        assert_eq!(resp.status(), actix_web::http::StatusCode::OK, "{path}");
    }
    let req = patch_json(
        &format!("/api/assets/{id}"),
        bm,
        json!({"access": "public"}),
    );
    let resp = test::call_service(app, req.to_request()).await;
    assert_eq!(resp.status(), actix_web::http::StatusCode::OK);
}
