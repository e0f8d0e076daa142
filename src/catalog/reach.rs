//! Reach statistics: how often each asset's presets were downloaded, embedded or viewed, per
//! day and spot. Telemetry, not catalogue content: not journaled, kept in the `stats` tree (in
//! PostgreSQL for a shared catalogue, where every node adds to the same counters).

use super::{Catalog, CatalogError};
use crate::model::AssetId;

/// Uses (downloads or embed views) of one preset of one asset on one day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DownloadCount {
    pub day: String,
    pub id: String,
    pub preset: String,
    pub spot: Option<String>,
    /// `download` (from the asset's page or the API), `embed` (asked by its stable `/a/`
    /// address, as agencies embed it) or `view` (its rendition fetched by `/r/`).
    pub via: String,
    pub count: u64,
}

/// How an asset reached someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Via {
    Download,
    Embed,
    View,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Download => "download",
            Via::Embed => "embed",
            Via::View => "view",
        }
    }
}

/// One counted use of an asset's preset on a day (YYYY-MM-DD, UTC), with its spot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hit {
    pub day: String,
    pub id: AssetId,
    pub preset: String,
    pub spot: Option<String>,
    pub via: Via,
}

impl Catalog {
    /// Adds counted uses of assets (downloads, embed views) to the reach statistics.
    pub fn count_hits(&self, hits: &[(Hit, u64)]) -> Result<(), CatalogError> {
        let mut counts = std::collections::BTreeMap::<Vec<u8>, u64>::new();
        for (hit, n) in hits {
            let mut parts = vec![
                hit.day.clone(),
                hit.id.to_hex(),
                hit.preset.clone(),
                hit.spot.clone().unwrap_or_default(),
            ];
            // Downloads keep the four-part key they always had; other uses name themselves.
            if hit.via != Via::Download {
                parts.push(hit.via.as_str().to_owned());
            }
            *counts.entry(parts.join("\0").into_bytes()).or_default() += n;
        }
        self.tables.add_counts(counts.into_iter().collect())
    }

    /// Every reach counter, by day, asset, preset, spot and way of use.
    pub fn download_stats(&self) -> Result<Vec<DownloadCount>, CatalogError> {
        let counters = self.tables.counts()?;
        let mut out = Vec::new();
        for (k, count) in counters {
            let key = String::from_utf8_lossy(&k).into_owned();
            let parts: Vec<&str> = key.split('\0').collect();
            let (day, id, preset, spot, via) = match parts.as_slice() {
                [day, id, preset, spot] => (day, id, preset, spot, "download"),
                [day, id, preset, spot, via] => (day, id, preset, spot, *via),
                _ => continue,
            };
            out.push(DownloadCount {
                day: (*day).to_owned(),
                id: (*id).to_owned(),
                preset: (*preset).to_owned(),
                spot: (!spot.is_empty()).then(|| (*spot).to_owned()),
                via: via.to_owned(),
                count,
            });
        }
        Ok(out)
    }

    /// Adds to counters of other telemetry (a share link's opens), by key.
    pub fn add_counts(&self, counts: Vec<(Vec<u8>, u64)>) -> Result<(), CatalogError> {
        self.tables.add_counts(counts)
    }

    /// The counters named, in order (0 for one never counted).
    pub fn counts_of(&self, keys: &[Vec<u8>]) -> Result<Vec<u64>, CatalogError> {
        self.tables.counts_of(keys)
    }
}
