//! Remaking what the renditions lack at start (a crash left some unmade, a preset was edited,
//! ffmpeg arrived), without looking at a whole large library on every start.
//!
//! A pass that finished leaves a checkpoint in the node's catalogue folder: the journal
//! position it started from and the fingerprint of everything that decides a rendition (the
//! presets, the engine, the public URL, ffmpeg's presence, the limits, the store). The next
//! start looks only at the assets the journal changed since, as long as the fingerprint is the
//! same and the position is on this journal's chain; otherwise, or with no checkpoint, at every
//! asset. At a million assets that is the difference between a few records and a million
//! records decoded and six million objects asked for their size (on S3, HEAD requests).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::catalog::Position;
use crate::http::AppState;
use crate::model::AssetId;

const CHECKPOINT_FILE: &str = "render-checkpoint.json";

/// Where a finished pass started, under which rendition fingerprint.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Checkpoint {
    fingerprint: String,
    seq: u64,
    offset: u64,
    /// BLAKE3 (hex) of the journal line at `seq`.
    head: String,
}

impl Checkpoint {
    fn position(&self) -> Option<Position> {
        let head = blake3::Hash::from_hex(&self.head).ok()?;
        Some(Position {
            seq: self.seq,
            head: *head.as_bytes(),
            offset: self.offset,
        })
    }
}

fn checkpoint_path(state: &AppState) -> PathBuf {
    state.catalog.dir().join(CHECKPOINT_FILE)
}

fn read_checkpoint(path: &Path) -> Option<Checkpoint> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Writes the checkpoint whole (a temporary file renamed over the old one).
fn write_checkpoint(path: &Path, checkpoint: &Checkpoint) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec(checkpoint)?)?;
    std::fs::rename(&tmp, path)
}

/// The assets to look at: those changed since a valid checkpoint, else all.
fn candidates(
    state: &AppState,
    fingerprint: &str,
) -> Result<Vec<AssetId>, crate::catalog::CatalogError> {
    let since = read_checkpoint(&checkpoint_path(state))
        .filter(|c| c.fingerprint == fingerprint)
        .and_then(|c| c.position());
    if let Some(from) = since {
        if let Some(changed) = state.catalog.changed_since(from)? {
            tracing::info!(
                "renditions: checking {} of {} assets (changed since the last complete pass)",
                changed.len(),
                state.catalog.len()
            );
            return Ok(changed);
        }
    }
    let all = state.catalog.ids()?;
    tracing::info!("renditions: checking all {} assets", all.len());
    Ok(all)
}

/// Makes the renditions that are missing, stale or failed, a few assets at a time so a stop
/// request is honoured between them; records a checkpoint when everything was looked at.
pub(super) fn catch_up(state: &AppState, stop: &AtomicBool) {
    let renderer = state.renderer();
    let fingerprint = renderer.fingerprint();
    let plan = || -> Result<(Position, Vec<AssetId>), crate::render::RenderError> {
        let start = state.catalog.position()?;
        let ids = candidates(state, &fingerprint)?;
        Ok((start, renderer.pending(&ids)?))
    };
    let (start, pending) = match plan() {
        Ok(p) => p,
        Err(e) => {
            tracing::error!("listing assets to render failed: {e}");
            return;
        }
    };
    if !pending.is_empty() {
        tracing::info!("rendering {} assets in the background", pending.len());
    }
    for ids in pending.chunks(8) {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        state.render_now(ids);
    }
    crate::memory::release_freed();
    record(state, fingerprint, start);
}

/// Records that every asset as of `start` has been looked at, once what was rendered is on
/// disk for good.
fn record(state: &AppState, fingerprint: String, start: Position) {
    if let Err(e) = state.store.sync_derived() {
        tracing::warn!("renditions not synced ({e}); the next start checks every asset");
        return;
    }
    let checkpoint = Checkpoint {
        fingerprint,
        seq: start.seq,
        offset: start.offset,
        head: blake3::Hash::from_bytes(start.head).to_hex().to_string(),
    };
    match write_checkpoint(&checkpoint_path(state), &checkpoint) {
        Ok(()) => tracing::info!("renditions: pass complete"),
        Err(e) => {
            tracing::warn!("render checkpoint not written ({e}); the next start checks every asset")
        }
    }
}
