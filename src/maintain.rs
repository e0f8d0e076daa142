//! Work that spans the store and the catalogue: checking integrity, collecting garbage,
//! re-placing assets after the gazetteer changes.

use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use serde::Serialize;

use crate::catalog::{Catalog, CatalogError, Change};
use crate::geo::Locator;
use crate::ingest::placement;
use crate::model::{AssetId, Status};
use crate::store::{BlobStore, Hash, StoreError, Verified};

#[derive(Debug, thiserror::Error)]
pub enum MaintainError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `verify` found.
#[derive(Debug, Default, Serialize)]
pub struct VerifyReport {
    pub objects: usize,
    /// Objects whose bytes no longer hash to their name.
    pub corrupt: Vec<String>,
    /// Catalogued assets whose object is gone.
    pub missing: Vec<String>,
    /// Journal entries whose chain was checked.
    pub journal_entries: usize,
    /// What is wrong with the journal, if anything.
    pub journal_error: Option<String>,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.corrupt.is_empty() && self.missing.is_empty() && self.journal_error.is_none()
    }
}

/// Rehashes every object (on every core), checks every asset has its object, and checks the
/// journal's chain.
pub fn verify(store: &dyn BlobStore, catalog: &Catalog) -> Result<VerifyReport, MaintainError> {
    let objects = store.list()?;
    let states: Vec<(Hash, Result<Verified, StoreError>)> =
        objects.par_iter().map(|h| (*h, store.verify(h))).collect();
    let mut report = VerifyReport {
        objects: objects.len(),
        ..Default::default()
    };
    for (hash, state) in states {
        if state? == Verified::Corrupt {
            report.corrupt.push(hash.to_hex().to_string());
        }
    }
    let ids = catalog.ids()?;
    for chunk in ids.chunks(512) {
        for asset in catalog.assets(chunk)? {
            let object = asset.object_id();
            if !store.exists(&Hash::from_bytes(*object.as_bytes())) {
                report.missing.push(object.to_hex());
            }
        }
    }
    match catalog.verify_journal() {
        Ok(n) => report.journal_entries = n,
        Err(e) => report.journal_error = Some(e.to_string()),
    }
    Ok(report)
}

/// What `gc` removed.
#[derive(Debug, Default, Serialize)]
pub struct GcReport {
    pub removed: usize,
    pub bytes: u64,
    pub kept: usize,
}

/// What `gc` does with the files of a picture's earlier versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EarlierVersions {
    /// Kept, so any of them can be made current again (the default).
    Keep,
    /// Removed: the list still names them, but they can no longer be restored.
    Drop,
}

/// Removes objects nothing references (neither an asset's file, an earlier version's unless
/// told, nor a current rendition). Objects younger than `grace` are kept: an upload may have
/// stored its bytes and not yet committed its catalogue entry.
pub fn gc(
    store: &dyn BlobStore,
    catalog: &Catalog,
    grace: Duration,
    earlier: EarlierVersions,
) -> Result<GcReport, MaintainError> {
    let mut referenced: std::collections::HashSet<[u8; 32]> = Default::default();
    let ids = catalog.ids()?;
    // Records a few hundred at a time: one query each from a shared catalogue.
    for chunk in ids.chunks(512) {
        for asset in catalog.assets(chunk)? {
            // A new version's own record once decided (made current, or turned down) holds
            // nothing the picture serves: under `Drop`, its file goes with the earlier ones.
            let decided_version = asset.version_of.is_some() && asset.status != Status::InReview;
            if earlier == EarlierVersions::Drop && decided_version {
                continue;
            }
            match earlier {
                EarlierVersions::Keep => {
                    referenced.extend(asset.objects().map(|o| *o.as_bytes()));
                }
                EarlierVersions::Drop => {
                    referenced.extend(asset.served_objects().map(|o| *o.as_bytes()));
                }
            }
            for r in asset.renditions {
                for (hash, _) in r.files() {
                    if let Ok(hash) = Hash::from_hex(hash) {
                        referenced.insert(*hash.as_bytes());
                    }
                }
            }
        }
    }
    let now = SystemTime::now();
    let mut report = GcReport::default();
    for hash in store.list()? {
        if referenced.contains(hash.as_bytes()) {
            report.kept += 1;
            continue;
        }
        let young = store
            .modified(&hash)
            .is_ok_and(|t| now.duration_since(t).unwrap_or_default() < grace);
        if young {
            report.kept += 1;
            continue;
        }
        let size = store.size(&hash).unwrap_or(0);
        if store.remove(&hash)? {
            report.removed += 1;
            report.bytes += size;
        }
    }
    Ok(report)
}

/// What `spots retag` changed.
#[derive(Debug, Default, Serialize)]
pub struct RetagReport {
    pub checked: usize,
    pub changed: Vec<AssetId>,
    /// Assets whose spot a person chose: left alone.
    pub kept_manual: usize,
}

/// Re-runs spot matching for every asset with GPS after the gazetteer changed. A person's
/// choice is never overwritten.
pub fn retag(
    catalog: &Catalog,
    locator: &Locator,
    at: &str,
    actor: &str,
) -> Result<RetagReport, MaintainError> {
    let mut report = RetagReport::default();
    let mut changes = Vec::new();
    let ids = catalog.ids()?;
    for chunk in ids.chunks(512) {
        for asset in catalog.assets(chunk)? {
            let id = asset.id;
            report.checked += 1;
            if asset.spot_locked {
                report.kept_manual += 1;
                continue;
            }
            let (spot, violations) = placement(locator, asset.gps.as_ref());
            let current_spot_violations: Vec<_> = asset
                .violations
                .iter()
                .filter(|v| v.rule.decider() == crate::model::Decider::SpotMatching)
                .cloned()
                .collect();
            if spot != asset.spot || violations != current_spot_violations {
                report.changed.push(id);
                changes.push(Change::SpotMatched {
                    id,
                    spot,
                    violations,
                });
            }
        }
    }
    catalog.commit(at, actor, &changes, &[])?;
    Ok(report)
}
