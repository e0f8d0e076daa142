//! Reach counters of delivery: every rendition shown through `/r/` or `/a/` is counted by day,
//! asset, preset and spot in memory, and written to the catalogue's statistics every few
//! seconds and at shutdown, so counting costs a hash-map increment per request, not a write.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::catalog::{Catalog, CatalogError, Hit};

#[derive(Default)]
pub struct Reach(Mutex<HashMap<Hit, u64>>);

impl Reach {
    pub fn hit(&self, hit: Hit) {
        let mut counts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *counts.entry(hit).or_default() += 1;
    }

    /// Adds what was counted since the last flush to the catalogue's statistics. Counts are
    /// telemetry: on a failure they are kept for the next flush.
    pub fn flush(&self, catalog: &Catalog) -> Result<(), CatalogError> {
        let pending: Vec<(Hit, u64)> = {
            let mut counts = self.0.lock().unwrap_or_else(|p| p.into_inner());
            counts.drain().collect()
        };
        if pending.is_empty() {
            return Ok(());
        }
        catalog.count_hits(&pending).inspect_err(|_| {
            let mut counts = self.0.lock().unwrap_or_else(|p| p.into_inner());
            for (hit, n) in pending {
                *counts.entry(hit).or_default() += n;
            }
        })
    }
}
