//! The upload route, `POST /api/assets`, with the fuzzer's bytes as its multipart body: the
//! real actix service over a real store and sled in a temporary folder, as a designer. Any
//! body is an asset or a 4xx, never a panic or a 500.
#![no_main]
use std::sync::{Arc, OnceLock};

use actix_web::{test, web, App};
use brandvault::http::{auth, configure, AppState};

const BOUNDARY: &str = "XyZ";

struct Library {
    state: Arc<AppState>,
    token: String,
    _dir: tempfile::TempDir,
}

fn library() -> &'static Library {
    static L: OnceLock<Library> = OnceLock::new();
    L.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let data = dir.path().join("data");
        let brand_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../brand");
        let mut settings = brandvault::config::Settings::new(data.clone(), brand_dir.clone());
        settings.max_upload_image_bytes = 64 << 10;
        let store = std::sync::Arc::new(brandvault::store::FsStore::open(&data).expect("store"));
        let catalog = brandvault::catalog::Catalog::open(&brandvault::catalog::Location::Embedded(data.clone()))
            .expect("catalog");
        let brand = brandvault::brand::Brand::load(&brand_dir).expect("brand/");
        let (token, hash) = auth::new_token().expect("token");
        let change = brandvault::catalog::Change::TokenCreated {
            name: "dana".into(),
            role: brandvault::model::Role::Designer,
            hash,
        };
        catalog
            .commit("2026-11-28T00:00:00Z", "fuzz", &[change], &[])
            .expect("token");
        let state = Arc::new(AppState::new(settings, store, Arc::new(catalog), brand, Vec::new()));
        Library {
            state,
            token,
            _dir: dir,
        }
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let lib = library();
    actix_web::rt::System::new().block_on(async {
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(lib.state.clone()))
                .configure(configure),
        )
        .await;
        let req = test::TestRequest::post()
            .uri("/api/assets")
            .insert_header(("authorization", format!("Bearer {}", lib.token)))
            .insert_header((
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            ))
            .set_payload(data.to_vec())
            .to_request();
        let status = test::call_service(&app, req).await.status();
        assert!(
            status.is_success() || status.is_client_error(),
            "upload answered {status}"
        );
    });
});
