//! The HTTP service: the only module that imports actix. JSON API under /api, immutable
//! renditions under /r, web pages at /. Blocking work (sled, hashing, decoding) runs in
//! `web::block`, never on an actix worker thread.

mod api;
pub mod auth;
mod delivery;
mod desk;
mod error;
mod metrics;
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
            .app_data(query_errors())
            .wrap(actix_web::middleware::from_fn(track))
            .configure(configure)
    })
    .bind(bind)?
    .shutdown_timeout(30);
    actix_web::rt::System::new().block_on(server.run())
}

/// Bad query strings answer like every other error: JSON with a code (DESIGN.md §4).
pub fn query_errors() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _| {
        ApiError::new(
            crate::model::ErrorKind::InvalidInput,
            "bad-query",
            err.to_string(),
        )
        .into()
    })
}

/// Routes of the service, for `HttpServer` and for tests.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(api::healthz))
        .route("/metrics", web::get().to(metrics::metrics))
        .route("/api/assets", web::get().to(api::list))
        .route("/api/assets", web::post().to(api::upload))
        .route("/api/assets/{id}", web::get().to(api::show))
        .route("/api/assets/{id}", web::patch().to(api::edit))
        .route(
            "/api/assets/{id}/download",
            web::get().to(delivery::download),
        )
        .route("/api/assets/{id}/{action}", web::post().to(api::step))
        .route("/api/spots", web::get().to(api::spots))
        .route("/api/spots.geojson", web::get().to(api::spots_geojson))
        .route("/api/brand", web::get().to(api::brand))
        .route("/api/stats", web::get().to(delivery::stats))
        .route("/kit.zip", web::get().to(delivery::kit))
        .route("/r/{name}", web::get().to(delivery::rendition))
        .route("/r/{name}", web::head().to(delivery::rendition))
        .route("/a/{id}/{preset}", web::get().to(delivery::alias))
        .route("/login", web::get().to(desk::login_form))
        .route("/login", web::post().to(desk::login))
        .route("/logout", web::post().to(desk::logout))
        .route("/upload", web::get().to(desk::upload_page))
        .route("/static/upload.js", web::get().to(desk::upload_script))
        .route("/review", web::get().to(desk::review_page))
        .route("/assets/{id}/step", web::post().to(desk::step_form))
        .route("/spots", web::get().to(pages::spots))
        .route("/brand", web::get().to(pages::brand))
        .route("/", web::get().to(pages::catalogue))
        .route("/assets/{id}", web::get().to(pages::asset));
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
