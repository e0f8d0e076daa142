//! The HTTP service: the only module that imports actix. JSON API under /api, immutable
//! renditions under /r, web pages at /. Blocking work (sled, hashing, decoding) runs in
//! `web::block`, never on an actix worker thread.

mod api;
pub mod auth;
mod body;
pub(crate) mod collections;
mod delivery;
pub(crate) mod desk;
mod error;
mod feed;
mod iiif;
mod json;
mod metrics;
mod openapi;
pub mod portal;
pub mod public_copies;
mod reach;
pub mod session;
mod share;
pub(crate) mod subtitles;
pub mod throttle;
mod upload;
pub(crate) mod versions;

use std::sync::Arc;

use actix_web::{web, HttpRequest};

pub use api::ListQuery;
pub use error::ApiError;
pub use metrics::{track, Metrics};
pub use reach::Reach;

use crate::brand::Brand;
use crate::catalog::Catalog;
use crate::config::Settings;
use crate::library::Library;
use crate::model::Viewer;
use crate::store::BlobStore;

/// Everything a request may need, shared by all workers: the library, and what the service
/// keeps beside it (the clock, counters, caches, the brand kit).
pub struct AppState {
    pub library: Arc<Library>,
    /// The brand kit, built once at start (it depends only on brand/).
    pub kit: Vec<u8>,
    /// The clock, injectable for tests.
    pub clock: Box<dyn Fn() -> String + Send + Sync>,
    /// Sign-in attempts, slowed after a few failures.
    pub throttle: throttle::Throttle,
    /// The monotonic clock of the sign-in delays, injectable for tests.
    pub ticks: Box<dyn Fn() -> std::time::Instant + Send + Sync>,
    /// The one-time set-up link's hash, while the library has no account.
    pub setup: std::sync::Mutex<Option<blake3::Hash>>,
    /// Counters for /metrics.
    pub metrics: Metrics,
    /// The portal's stylesheet and script, with their versioned addresses.
    pub statics: portal::StaticFiles,
    /// The brand's logo files as the kit holds them (SVG; PNG too once the kit is built).
    pub brand_files: Vec<crate::brand::kit::KitFile>,
    /// Embed views counted since the last flush to the catalogue.
    pub reach: Reach,
    /// Small renditions kept in memory by object hash: the hot ones of a campaign are then
    /// served without a disk read.
    pub rendition_cache: delivery::RenditionCache,
    /// IIIF answers' decoded sources.
    pub iiif: crate::iiif::Iiif,
    /// The renditions copied for a CDN (`--public-blob-url`).
    pub public_copies: public_copies::PublicCopies,
}

/// A request reads the library's parts as the state's own (`state.catalog`, `state.brand`).
impl std::ops::Deref for AppState {
    type Target = Library;
    fn deref(&self) -> &Library {
        &self.library
    }
}

pub type State = web::Data<Arc<AppState>>;

impl AppState {
    /// A service over these parts, on the wall clock, with no sessions or counts yet.
    pub fn new(
        settings: Settings,
        store: Arc<dyn BlobStore>,
        catalog: Arc<Catalog>,
        brand: Brand,
        kit: Vec<u8>,
    ) -> Self {
        Self::over(Arc::new(Library::new(settings, store, catalog, brand)), kit)
    }

    /// The settings, to change before the service is shared (tests: `None` once it is).
    pub fn settings_mut(&mut self) -> Option<&mut Settings> {
        Arc::get_mut(&mut self.library).map(|l| &mut l.settings)
    }

    /// A service over an opened library.
    pub fn over(library: Arc<Library>, kit: Vec<u8>) -> Self {
        AppState {
            statics: portal::StaticFiles::new(&library.brand),
            brand_files: portal::brand_files(&library.brand),
            reach: Reach::default(),
            rendition_cache: Default::default(),
            iiif: Default::default(),
            public_copies: Default::default(),
            library,
            kit,
            clock: Box::new(crate::library::clock),
            throttle: Default::default(),
            ticks: Box::new(std::time::Instant::now),
            setup: Default::default(),
            metrics: Default::default(),
        }
    }

    /// Makes the renditions of `ids` (get-or-create), counting the outcome for /metrics; a
    /// failure of the run itself is logged (failed renditions are recorded on their assets).
    pub fn render_now(&self, ids: &[crate::model::AssetId]) {
        self.render_presets(ids, &[]);
    }

    /// `render_now` for the presets `only` (all when empty).
    pub fn render_presets(&self, ids: &[crate::model::AssetId], only: &[String]) {
        match self
            .renderer()
            .render(ids, only, &(self.clock)(), "serve", &|_, _| {})
        {
            Ok(report) => self.metrics.rendered(&report),
            Err(e) => tracing::error!("rendering failed: {e}"),
        }
    }
}

/// After an edit or a workflow step on `ids`: their renditions get the new metadata before
/// the answer (a rewrite of their own bytes, no decode), so every copy delivered afterwards
/// says what the catalogue says; what must be made anew is made in the background.
pub async fn refresh_renditions(state: &State, ids: Vec<crate::model::AssetId>) {
    let st = state.clone();
    let left = web::block(move || {
        // A new version decided changes the picture it was a version of; an edit to a
        // picture reaches the new version waiting for it (its renditions carry the words).
        let mut all = ids.clone();
        for a in st.catalog.assets(&ids)? {
            all.extend(a.version_of);
            all.extend(a.waiting_version().and_then(|v| v.object()));
        }
        st.renderer().refresh_metadata(&all, &(st.clock)(), "serve")
    })
    .await;
    match left {
        Ok(Ok(left)) => render_in_background(state.get_ref().clone(), left),
        Ok(Err(e)) => tracing::error!("refreshing renditions failed: {e}"),
        Err(e) => tracing::error!("refreshing renditions failed: {e}"),
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
/// (docs/contract.md, Errors), never actix's plain-text defaults.
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

/// One path of the service and its handlers by method. GET also answers HEAD (actix leaves
/// the body out); any other method gets 405 with an `Allow` header derived from the handlers
/// (RFC 9110).
macro_rules! endpoint {
    ($path:literal, $($method:ident => $handler:path),+ $(,)?) => {{
        let allow: Vec<&str> = vec![$(endpoint!(@allow $method)),+];
        let allow = allow.join(", ");
        web::resource($path)
            $(.route(endpoint!(@route $method).to($handler)))+
            .default_service(web::to(move || method_not_allowed(allow.clone())))
    }};
    (@allow GET) => { "GET, HEAD" };
    (@allow $method:ident) => { stringify!($method) };
    (@route GET) => { web::route().guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head())) };
    (@route POST) => { web::post() };
    (@route PATCH) => { web::patch() };
    (@route DELETE) => { web::delete() };
}

/// An `endpoint!` whose errors a browser sees as a page in its language (the page routes).
macro_rules! page {
    ($($t:tt)*) => {
        endpoint!($($t)*).wrap(actix_web::middleware::from_fn(portal::html_errors))
    };
}

/// 405 for a known path asked with a method it does not serve.
async fn method_not_allowed(allow: String) -> actix_web::HttpResponse {
    actix_web::HttpResponse::MethodNotAllowed()
        .insert_header((actix_web::http::header::ALLOW, allow.clone()))
        .json(error::ErrorBody {
            code: "method-not-allowed".into(),
            message: format!("this address answers {allow} only"),
        })
}

/// Routes of the service, for `HttpServer` and for tests. Each path is one resource, so a
/// method it does not serve answers 405 with `Allow`, not 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    extractor_errors(cfg);
    // Renditions first: routes are tried in order, each dynamic one by a regex (a rendition
    // matched 17th spent 18% of its time in route matching). Delivery routes are `page!`s:
    // a browser that follows a dead link reads the error page, a program the JSON.
    cfg.service(page!("/r/{name}", GET => delivery::rendition))
        .service(page!("/a/{id}/subtitles/{file}", GET => subtitles::vtt))
        .service(page!("/a/{id}/{preset}", GET => delivery::alias))
        .service(endpoint!("/iiif/3/{id}/{region}/{size}/{rotation}/{file}", GET => iiif::image))
        .service(endpoint!("/iiif/3/{id}/info.json", GET => iiif::info))
        .service(endpoint!("/iiif/3/{id}/manifest", GET => iiif::manifest))
        .service(endpoint!("/iiif/3/{id}", GET => iiif::base))
        .service(endpoint!("/healthz", GET => api::healthz))
        .service(endpoint!("/metrics", GET => metrics::metrics))
        .service(endpoint!("/openapi.json", GET => openapi::document))
        .service(endpoint!("/api/assets", GET => api::list, POST => upload::upload))
        .service(endpoint!("/api/assets/{id}", GET => api::show, PATCH => api::edit))
        .service(page!("/api/assets/{id}/download", GET => delivery::download))
        .service(endpoint!("/api/assets/{id}/submit", POST => api::submit))
        .service(endpoint!("/api/assets/{id}/approve", POST => api::approve))
        .service(endpoint!("/api/assets/{id}/reject", POST => api::reject))
        .service(endpoint!("/api/assets/{id}/archive", POST => api::archive))
        .service(endpoint!("/api/assets/{id}/reopen", POST => api::reopen))
        .service(endpoint!("/api/assets/{id}/versions", GET => versions::list, POST => versions::create))
        .service(endpoint!("/api/assets/{id}/versions/{hash}", GET => versions::file))
        .service(endpoint!("/api/assets/{id}/versions/{hash}/restore", POST => versions::restore))
        .service(endpoint!("/api/assets/{id}/subtitles", GET => subtitles::list, POST => subtitles::create))
        .service(endpoint!("/api/assets/{id}/subtitles/{lang}", DELETE => subtitles::remove))
        .service(endpoint!("/api/spots", GET => api::spots))
        .service(endpoint!("/api/spots.geojson", GET => api::spots_geojson))
        .service(endpoint!("/api/brand", GET => api::brand))
        .service(endpoint!("/api/stats", GET => delivery::stats))
        .service(endpoint!("/kit.zip", GET => delivery::kit))
        .service(endpoint!("/feed.atom", GET => feed::feed))
        .service(endpoint!("/oembed", GET => portal::oembed))
        .service(endpoint!("/static/site.css", GET => portal::stylesheet))
        .service(endpoint!("/static/portal.js", GET => portal::script))
        .service(endpoint!("/static/player.js", GET => portal::player_script))
        .service(endpoint!("/static/mark.svg", GET => portal::mark))
        .service(endpoint!("/static/fonts/{name}", GET => portal::font))
        .service(endpoint!("/brand/files/{path:.*}", GET => portal::brand_file))
        .service(endpoint!("/brand/book.pdf", GET => portal::brand_book))
        .service(endpoint!("/api/me", GET => desk::me))
        .service(endpoint!("/api/collections", GET => collections::list, POST => collections::create))
        .service(endpoint!("/api/collections/{id}", GET => collections::show, PATCH => collections::edit, DELETE => collections::delete))
        .service(endpoint!("/api/collections/{id}/items", POST => collections::add_item))
        .service(endpoint!("/api/collections/{id}/items/{asset}", DELETE => collections::remove_item))
        .service(endpoint!("/api/collections/{id}/shares", POST => collections::share))
        .service(endpoint!("/api/collections/{id}/shares/{share}", DELETE => collections::revoke))
        .service(endpoint!("/api/assets/{id}/check", POST => desk::check))
        .service(page!("/login", GET => desk::login_form, POST => desk::login))
        .service(page!("/account/password", POST => desk::password_change))
        .service(page!("/logout", POST => desk::logout))
        .service(page!("/setup/{token}", GET => desk::setup_form, POST => desk::setup))
        .service(page!("/admin", GET => desk::people_page))
        .service(page!("/admin/users", POST => desk::user_create))
        .service(page!("/admin/users/{name}", POST => desk::people_action))
        .service(page!("/admin/tokens", POST => desk::token_create))
        .service(page!("/admin/tokens/{name}/revoke", POST => desk::token_revoke))
        .service(page!("/upload", GET => desk::upload_page))
        .service(endpoint!("/static/upload.js", GET => desk::upload_script))
        .service(endpoint!("/static/review.js", GET => desk::review_script))
        .service(page!("/mine", GET => desk::work_page))
        .service(page!("/review", GET => desk::review_page))
        .service(page!("/review/batch", POST => desk::review_batch))
        .service(page!("/bulk", POST => desk::bulk_edit))
        .service(page!("/assets/{id}/step", POST => desk::step_form))
        .service(page!("/assets/{id}/edit", GET => desk::edit_form, POST => desk::edit_save))
        .service(page!("/assets/{id}/versions", POST => desk::version_upload))
        .service(page!("/assets/{id}/versions/{hash}/restore", POST => desk::version_restore))
        .service(page!("/assets/{id}/subtitles", POST => desk::subtitle_upload))
        .service(page!("/assets/{id}/subtitles/{lang}", GET => desk::subtitle_cues))
        .service(page!("/assets/{id}/subtitles/{lang}/remove", POST => desk::subtitle_remove))
        .service(page!("/s/{token}/download.zip", GET => share::zip))
        .service(endpoint!("/s/{token}/manifest", GET => share::manifest))
        .service(page!("/s/{token}/{asset}/{preset}", GET => share::file))
        .service(page!("/s/{token}", GET => share::page))
        .service(page!("/collections", GET => desk::collections_page, POST => desk::collection_create))
        .service(page!("/collections/add", POST => desk::collection_add))
        .service(page!("/collections/{id}", GET => desk::collection_page))
        .service(page!("/collections/{id}/remove", POST => desk::collection_remove))
        .service(page!("/collections/{id}/rename", POST => desk::collection_rename))
        .service(page!("/collections/{id}/move", POST => desk::collection_move))
        .service(page!("/collections/{id}/shares", POST => desk::collection_share))
        .service(page!("/collections/{id}/shares/{share}/revoke", POST => desk::collection_revoke))
        .service(page!("/spots", GET => portal::spots))
        .service(page!("/brand", GET => portal::brand))
        .service(page!("/", GET => portal::catalogue))
        .service(page!("/assets/{id}", GET => portal::asset))
        .service(page!("/v/{id}", GET => portal::player))
        .default_service(web::to(portal::not_found_page));
}

/// Who is asking: the actor of a valid Bearer token or session cookie, or the public. A bad
/// Bearer token is refused with 401 `bad-token`.
pub async fn viewer(state: &State, req: &HttpRequest) -> Result<Viewer, ApiError> {
    caller(state, req, None).await
}

/// `viewer`, for a submitted form whose `csrf` field is `form_csrf`. A state-changing request
/// authenticated by the session cookie without the session's CSRF token is refused (403).
/// The caller, who must be staff (designers and reviewers): anyone else finds nothing there
/// (404), as if it did not exist.
pub(crate) fn staff(viewer: &crate::model::Viewer) -> Result<crate::model::Actor, ApiError> {
    viewer
        .actor
        .clone()
        .filter(|a| a.role.edits())
        .ok_or_else(ApiError::not_found)
}

pub async fn caller(
    state: &State,
    req: &HttpRequest,
    form_csrf: Option<&str>,
) -> Result<Viewer, ApiError> {
    Ok(signed_in(state, req, form_csrf).await?.0)
}

/// `caller`, with the session the cookie names, if any (a page that shows forms needs its
/// CSRF token): one lookup for both.
pub async fn signed_in(
    state: &State,
    req: &HttpRequest,
    form_csrf: Option<&str>,
) -> Result<(Viewer, Option<session::Session>), ApiError> {
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
        // A presented token that is not live is refused, never taken as the public: a client
        // whose token was revoked must be told, not quietly shown less.
        return match actor {
            Some(actor) => Ok((
                Viewer {
                    actor: Some(actor),
                    now,
                },
                None,
            )),
            None => Err(ApiError::new(
                crate::model::ErrorKind::Unauthenticated,
                "bad-token",
                "the token is not valid (unknown or revoked)",
            )),
        };
    }
    let Some(session) = session::current(state, req).await? else {
        return Ok((Viewer { actor: None, now }, None));
    };
    session::require_csrf(req, &session, form_csrf)?;
    let viewer = Viewer {
        actor: Some(session.actor.clone()),
        now,
    };
    Ok((viewer, Some(session)))
}
