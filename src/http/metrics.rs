//! Prometheus metrics at /metrics (text format 0.0.4) and one trace line per request. Routes
//! are labelled by their pattern (`/r/{name}`), never the raw path, so the label set stays small.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};

use super::State;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Counters since the process started.
#[derive(Default)]
pub struct Metrics {
    /// (method, route pattern, status) → requests.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// Cumulative counts per bucket, then +Inf.
    latency: [AtomicU64; BUCKETS.len() + 1],
    latency_sum_us: AtomicU64,
    pub renditions_made: AtomicU64,
    pub renditions_failed: AtomicU64,
    pub ingest_added: AtomicU64,
    pub ingest_known: AtomicU64,
    pub ingest_rejected: AtomicU64,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        {
            let mut map = self.requests.lock().unwrap_or_else(|e| e.into_inner());
            *map.entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        let bucket = BUCKETS
            .iter()
            .position(|&b| seconds <= b)
            .unwrap_or(BUCKETS.len());
        self.latency[bucket].fetch_add(1, Ordering::Relaxed);
        self.latency_sum_us
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// Adds a render run's outcome.
    pub fn rendered(&self, report: &crate::render::RenderReport) {
        self.renditions_made
            .fetch_add(report.rendered as u64, Ordering::Relaxed);
        self.renditions_failed
            .fetch_add(report.failed.len() as u64, Ordering::Relaxed);
    }

    /// Adds an ingest run's outcome.
    pub fn ingested(&self, report: &crate::ingest::IngestReport) {
        self.ingest_added
            .fetch_add(report.added.len() as u64, Ordering::Relaxed);
        self.ingest_known
            .fetch_add(report.duplicates.len() as u64, Ordering::Relaxed);
        self.ingest_rejected
            .fetch_add(report.rejected.len() as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition, with `assets` as a gauge.
    pub fn render(&self, assets: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP brandvault_http_requests_total HTTP requests by route pattern and status.\n# TYPE brandvault_http_requests_total counter");
        let map = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        for ((method, route, status), n) in map.iter() {
            let _ = writeln!(
                out,
                "brandvault_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                route.replace('\\', "\\\\").replace('"', "\\\"")
            );
        }
        drop(map);
        let _ = writeln!(out, "# HELP brandvault_http_request_duration_seconds Time to answer, to the first byte.\n# TYPE brandvault_http_request_duration_seconds histogram");
        let mut cumulative = 0;
        for (i, bound) in BUCKETS
            .iter()
            .map(|b| b.to_string())
            .chain(["+Inf".to_owned()])
            .enumerate()
        {
            cumulative += self.latency[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "brandvault_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        let sum = self.latency_sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "brandvault_http_request_duration_seconds_sum {sum}\nbrandvault_http_request_duration_seconds_count {cumulative}");
        for (name, help, value) in [
            (
                "brandvault_renditions_made_total",
                "Renditions made by this process.",
                &self.renditions_made,
            ),
            (
                "brandvault_renditions_failed_total",
                "Renditions that failed (recorded on their asset).",
                &self.renditions_failed,
            ),
            (
                "brandvault_ingest_added_total",
                "Files added to the library (uploads and the drop folder).",
                &self.ingest_added,
            ),
            (
                "brandvault_ingest_known_total",
                "Files whose bytes were already stored.",
                &self.ingest_known,
            ),
            (
                "brandvault_ingest_rejected_total",
                "Files refused at ingest.",
                &self.ingest_rejected,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(out, "# HELP brandvault_assets Assets in the catalogue.\n# TYPE brandvault_assets gauge\nbrandvault_assets {assets}");
        out
    }
}

/// Middleware: catches a shared catalogue up with what other nodes committed (so each
/// request sees everything committed before it arrived, whichever node took it), then counts
/// and times the request and logs it as one trace event.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let state = req.app_data::<State>().cloned();
    let method = req.method().to_string();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    // A set-up link is a secret: its route is logged, never the link.
    let path = if route == "/setup/{token}" {
        route.clone()
    } else {
        req.path().to_owned()
    };
    // A round trip to PostgreSQL: on the blocking pool, not the worker; nothing to do (and no
    // hop) for an embedded catalogue.
    if let Some(state) = state.as_ref().filter(|s| s.catalog.location().is_shared()) {
        let catalog = state.catalog.clone();
        let refreshed = web::block(move || catalog.refresh())
            .await
            .map_err(|e| crate::catalog::CatalogError::Shared(e.to_string()))
            .and_then(|r| r);
        if let Err(e) = refreshed {
            tracing::warn!("the shared catalogue cannot be read: {e}");
            return Err(super::ApiError::from(e).into());
        }
    }
    let res = next.call(req).await?;
    let seconds = started.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    if let Some(state) = state {
        state.metrics.observe(&method, &route, status, seconds);
    }
    // Delivered renditions are the bulk of the traffic and need no line each at the default
    // level (they are counted in /metrics and the reach statistics); everything else is logged.
    let delivery = status < 400 && (route == "/r/{name}" || route == "/a/{id}/{preset}");
    if delivery {
        tracing::debug!(target: "brandvault::http", %method, %path, status, ms = seconds * 1e3, "request");
    } else {
        tracing::info!(target: "brandvault::http", %method, %path, status, ms = seconds * 1e3, "request");
    }
    Ok(res)
}

/// GET /metrics
#[utoipa::path(get, path = "/metrics", tag = "service",
    responses((status = 200, description = "Prometheus text: requests, latencies, renditions, ingests", content_type = "text/plain")))]
pub async fn metrics(state: State) -> HttpResponse {
    let st = state.clone();
    let assets = web::block(move || st.catalog.len()).await.unwrap_or(0);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(assets))
}
