//! The running service: imports `brand/logos` and the drop folder at start, watches the drop
//! folder, remakes missing renditions in the background, and serves HTTP until ctrl-c or
//! SIGTERM. `cli` only parses flags and calls [`run`]. Commands other processes hand over
//! while it runs arrive through `handoff`.

mod catch_up;
mod handoff;

use catch_up::catch_up;

pub use handoff::{socket_path, Answer};

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::catalog::CatalogError;
use crate::http::AppState;
use crate::ingest::IngestOptions;
use crate::library::Library;
use crate::model::Kind;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("serving on {bind}: {source}")]
    Bind {
        bind: String,
        source: std::io::Error,
    },
}

/// On a library without accounts, prints a one-time link that makes the first admin (the
/// link is random; only its hash is held, in memory: a restart prints a new one).
fn offer_setup(state: &AppState, bind: &str) {
    if state.catalog.has_users() {
        return;
    }
    let Ok(token) = crate::accounts::random_hex() else {
        return;
    };
    *state.setup.lock().unwrap_or_else(|p| p.into_inner()) = Some(blake3::hash(token.as_bytes()));
    let base = state
        .settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{bind}"));
    eprintln!(
        "no accounts yet: open {}/setup/{token} to create the first administrator (or run `brandvault user create NAME --role admin`)",
        base.trim_end_matches('/')
    );
}

/// Imports brand/logos and the drop folder, then serves until ctrl-c or SIGTERM.
pub fn run(
    library: Library,
    bind: &str,
    drop_folder: &Path,
    commands: Answer,
) -> Result<(), ServiceError> {
    // The kit is built once: its ZIP for /kit.zip, its logos (SVG and PNG), fonts
    // and pictures for /brand.
    let files = crate::brand::kit::build(&library.brand).unwrap_or_default();
    let kit = crate::brand::kit::zip(&files).unwrap_or_default();
    let mut state = AppState::over(Arc::new(library), kit);
    let served = crate::brand::kit::served(files);
    if !served.is_empty() {
        state.brand_files = served;
    }
    offer_setup(&state, bind);
    if state.settings.public_blob_url.is_some() {
        if let Err(e) = state.public_copies.load(&state) {
            tracing::warn!(
                "the store's public copies cannot be listed ({e}); new ones are still made"
            );
        }
    }
    let state = Arc::new(state);
    let logos = state.brand.dir.join("logos");
    import(&state, &logos, Some(Kind::Logo), vec!["brand".into()]);
    import(&state, drop_folder, None, Vec::new());
    crate::memory::release_freed();
    // The drop folder is watched by polling: unchanged files cost a stat and a lookup.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (state, stop, folder) = (state.clone(), stop.clone(), drop_folder.to_owned());
        std::thread::spawn(move || {
            catch_up(&state, &stop);
            while !stop.load(Ordering::Relaxed) {
                for _ in 0..50 {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::park_timeout(Duration::from_millis(100));
                }
                import(&state, &folder, None, Vec::new());
                flush_reach(&state);
                sweep_public_copies(&state);
            }
        })
    };
    state.catalog.load_listing()?;
    // Only a speed-up for the first commits: a full disk (where the service still serves
    // reads) must not stop the start.
    if let Err(e) = state.catalog.settle_storage() {
        tracing::warn!("the catalogue's log was not settled at start ({e}); serving anyway");
    }
    let listening = handoff::listen(socket_path(state.catalog.dir()), commands);
    tracing::info!("serving on http://{bind}/");
    crate::http::run(state.clone(), bind).map_err(|source| ServiceError::Bind {
        bind: bind.to_owned(),
        source,
    })?;
    if let Some(listening) = listening {
        listening.close();
    }
    stop.store(true, Ordering::Relaxed);
    watcher.thread().unpark();
    let _ = watcher.join();
    flush_reach(&state);
    state.catalog.flush()?;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Removes the CDN's copies of what the public may no longer see (`--public-blob-url`).
fn sweep_public_copies(state: &AppState) {
    if state.settings.public_blob_url.is_none() {
        return;
    }
    match state.public_copies.sweep(state) {
        Ok(0) => {}
        Ok(n) => tracing::info!("removed {n} public copies the public may no longer see"),
        Err(e) => tracing::warn!("removing public copies failed (tried again shortly): {e}"),
    }
}

/// Writes the embed and view counts gathered in memory to the catalogue's statistics.
fn flush_reach(state: &AppState) {
    if let Err(e) = state.reach.flush(&state.catalog) {
        tracing::warn!("writing reach counts failed (kept for the next try): {e}");
    }
}

/// Ingests a folder as the service, logging what was refused and rendering what is new.
fn import(state: &AppState, folder: &Path, kind: Option<Kind>, tags: Vec<String>) {
    if !folder.is_dir() {
        return;
    }
    let options = IngestOptions {
        tags,
        kind,
        limits: state.settings.limits,
        max_bytes: state.settings.max_file_bytes,
        actor: "serve".into(),
        at: crate::library::clock(),
        uploader: None,
        metadata: Default::default(),
        spot: None,
    };
    match state
        .ingester()
        .ingest_paths(&[folder.to_owned()], &options, &|_| {})
    {
        Ok(report) => {
            state.metrics.ingested(&report);
            for r in &report.rejected {
                tracing::warn!(code = %r.code, "rejected: {}", r.message);
            }
            if !report.added.is_empty() {
                tracing::info!(
                    "imported {} new files from {}",
                    report.added.len(),
                    folder.display()
                );
                state.render_now(&report.added);
            }
        }
        Err(e) => tracing::error!("importing {} failed: {e}", folder.display()),
    }
}
