//! The HTTP service: the only module that imports actix. JSON API under /api, immutable
//! renditions under /r, web pages at /. Blocking work (sled, hashing, decoding) runs in
//! `web::block`, never on an actix worker thread.

mod api;
pub mod auth;
mod delivery;
mod desk;
mod error;
mod metrics;
mod openapi;
mod pages;
pub mod session;

use std::sync::Arc;

use actix_web::{web, HttpRequest};

pub use error::ApiError;
pub use metrics::{track, Metrics};

use crate::brand::Brand;
use crate::catalog::Catalog;
use crate::config::Settings;
use crate::geo::Locator;
use crate::model::Viewer;
use crate::store::FsStore;

/// Everything a request may need, shared by all workers.
pub struct AppState {
    pub settings: Settings,
    pub store: FsStore,
    pub catalog: Catalog,
    pub brand: Brand,
    pub locator: Locator,
    /// The brand kit, built once at start (it depends only on brand/).
    pub kit: Vec<u8>,
    /// The clock, injectable for tests.
    pub clock: Box<dyn Fn() -> String + Send + Sync>,
    /// Browser sessions of the pages (in memory).
    pub sessions: session::Sessions,
    /// Counters for /metrics.
    pub metrics: Metrics,
}

pub type State = web::Data<Arc<AppState>>;

impl AppState {
    pub fn workflow(&self) -> crate::workflow::Workflow<'_> {
        crate::workflow::Workflow {
            store: &self.store,
            catalog: &self.catalog,
            brand: &self.brand,
        }
    }

    pub fn ingester(&self) -> crate::ingest::Ingester<'_> {
        crate::ingest::Ingester {
            store: &self.store,
            catalog: &self.catalog,
            locator: &self.locator,
            brand: &self.brand,
        }
    }

    /// Makes the renditions of `ids` (get-or-create), counting the outcome for /metrics; a
    /// failure of the run itself is logged (failed renditions are recorded on their assets).
    pub fn render_now(&self, ids: &[crate::model::AssetId]) {
        match self
            .renderer()
            .render(ids, &[], &(self.clock)(), "serve", &|_, _| {})
        {
            Ok(report) => self.metrics.rendered(&report),
            Err(e) => tracing::error!("rendering failed: {e}"),
        }
    }

    pub fn renderer(&self) -> crate::render::Renderer<'_> {
        crate::render::Renderer::new(
            &self.store,
            &self.catalog,
            &self.brand.presets,
            &self.settings,
        )
    }
}

/// Makes the renditions of new assets on a background thread, so uploads answer at once.
pub fn render_in_background(state: Arc<AppState>, ids: Vec<crate::model::AssetId>) {
    if ids.is_empty() {
        return;
    }
    std::thread::spawn(move || {
        state.render_now(&ids);
        crate::memory::release_freed();
    });
}

/// Serves until ctrl-c or SIGTERM; in-flight requests get 30 s to finish.
pub fn run(state: Arc<AppState>, bind: &str) -> std::io::Result<()> {
    let data = web::Data::new(state);
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(64 << 10))
            .wrap(actix_web::middleware::from_fn(track))
            .configure(configure)
    })
    .bind(bind)?
    .shutdown_timeout(30);
    actix_web::rt::System::new().block_on(server.run())
}

/// Bad query strings and JSON bodies answer like every other error: JSON with a code
/// (DESIGN.md §4), never actix's plain-text defaults.
fn extractor_errors(cfg: &mut web::ServiceConfig) {
    use crate::model::ErrorKind;
    cfg.app_data(web::QueryConfig::default().error_handler(|err, _| {
        ApiError::new(ErrorKind::InvalidInput, "bad-query", err.to_string()).into()
    }))
    .app_data(
        web::JsonConfig::default()
            .limit(64 << 10)
            .error_handler(|err, _| {
                use actix_web::error::JsonPayloadError as E;
                let (kind, code) = match &err {
                    E::ContentType => (ErrorKind::Unsupported, "bad-content-type"),
                    E::OverflowKnownLength { .. } | E::Overflow { .. } => {
                        (ErrorKind::TooLarge, "too-large")
                    }
                    _ => (ErrorKind::InvalidInput, "bad-json"),
                };
                ApiError::new(kind, code, err.to_string()).into()
            }),
    );
}

/// Routes of the service, for `HttpServer` and for tests. Each path is one resource, so a
/// method it does not serve answers 405 with `Allow`, not 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    use web::{patch, post};
    extractor_errors(cfg);
    cfg.service(resource("/healthz", "GET, HEAD").route(read().to(api::healthz)))
        .service(resource("/metrics", "GET, HEAD").route(read().to(metrics::metrics)))
        .service(resource("/openapi.json", "GET, HEAD").route(read().to(openapi::document)))
        .service(
            resource("/api/assets", "GET, HEAD, POST")
                .route(read().to(api::list))
                .route(post().to(api::upload)),
        )
        .service(
            resource("/api/assets/{id}", "GET, HEAD, PATCH")
                .route(read().to(api::show))
                .route(patch().to(api::edit)),
        )
        .service(
            resource("/api/assets/{id}/download", "GET, HEAD").route(read().to(delivery::download)),
        )
        .service(resource("/api/assets/{id}/submit", "POST").route(post().to(api::submit)))
        .service(resource("/api/assets/{id}/approve", "POST").route(post().to(api::approve)))
        .service(resource("/api/assets/{id}/reject", "POST").route(post().to(api::reject)))
        .service(resource("/api/assets/{id}/archive", "POST").route(post().to(api::archive)))
        .service(resource("/api/assets/{id}/reopen", "POST").route(post().to(api::reopen)))
        .service(resource("/api/spots", "GET, HEAD").route(read().to(api::spots)))
        .service(resource("/api/spots.geojson", "GET, HEAD").route(read().to(api::spots_geojson)))
        .service(resource("/api/brand", "GET, HEAD").route(read().to(api::brand)))
        .service(resource("/api/stats", "GET, HEAD").route(read().to(delivery::stats)))
        .service(resource("/kit.zip", "GET, HEAD").route(read().to(delivery::kit)))
        .service(resource("/r/{name}", "GET, HEAD").route(read().to(delivery::rendition)))
        .service(resource("/a/{id}/{preset}", "GET, HEAD").route(read().to(delivery::alias)))
        .service(
            resource("/login", "GET, HEAD, POST")
                .route(read().to(desk::login_form))
                .route(post().to(desk::login)),
        )
        .service(resource("/logout", "POST").route(post().to(desk::logout)))
        .service(resource("/upload", "GET, HEAD").route(read().to(desk::upload_page)))
        .service(resource("/static/upload.js", "GET, HEAD").route(read().to(desk::upload_script)))
        .service(resource("/review", "GET, HEAD").route(read().to(desk::review_page)))
        .service(resource("/assets/{id}/step", "POST").route(post().to(desk::step_form)))
        .service(resource("/spots", "GET, HEAD").route(read().to(pages::spots)))
        .service(resource("/brand", "GET, HEAD").route(read().to(pages::brand)))
        .service(resource("/", "GET, HEAD").route(read().to(pages::catalogue)))
        .service(resource("/assets/{id}", "GET, HEAD").route(read().to(pages::asset)));
}

/// GET, and HEAD with the same headers and no body (actix leaves the body out).
fn read() -> actix_web::Route {
    use actix_web::guard;
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// A path of the service; a method it does not serve answers 405 with `Allow` (RFC 9110).
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move {
        actix_web::HttpResponse::MethodNotAllowed()
            .insert_header((actix_web::http::header::ALLOW, allow))
            .json(error::ErrorBody {
                code: "method-not-allowed".into(),
                message: format!("this address answers {allow} only"),
            })
    }))
}

/// Who is asking: the actor of a valid Bearer token or session cookie, or the public. A bad
/// token is the public.
pub async fn viewer(state: &State, req: &HttpRequest) -> Result<Viewer, ApiError> {
    caller(state, req, None).await
}

/// `viewer`, for a submitted form whose `csrf` field is `form_csrf`. A state-changing request
/// authenticated by the session cookie without the session's CSRF token is refused (403).
pub async fn caller(
    state: &State,
    req: &HttpRequest,
    form_csrf: Option<&str>,
) -> Result<Viewer, ApiError> {
    let now = (state.clock)();
    let bearer = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    if let Some(token) = bearer {
        let st = state.clone();
        let actor = web::block(move || auth::actor_for(&st.catalog, &token)).await??;
        return Ok(Viewer { actor, now });
    }
    let Some(session) = state.sessions.of(req) else {
        return Ok(Viewer { actor: None, now });
    };
    if !req.method().is_safe() {
        let header = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok());
        if !form_csrf
            .or(header)
            .is_some_and(|p| session::same_secret(p, &session.csrf))
        {
            return Err(ApiError::new(
                crate::model::ErrorKind::Forbidden,
                "csrf-failed",
                "the form is stale or was not sent by this site: reload the page",
            ));
        }
    }
    // A session lives no longer than the token it was opened with.
    let st = state.clone();
    let hash = session.token_hash.clone();
    let live = web::block(move || {
        st.catalog
            .tokens()
            .map(|tokens| tokens.iter().any(|t| t.hash == hash))
    })
    .await??;
    Ok(Viewer {
        actor: live.then_some(session.actor),
        now,
    })
}
