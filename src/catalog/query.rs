//! Filtered listings: one equality filter is served by an index scan, the rest are checked on
//! the records; the text query folds case and diacritics.

use super::{decode_asset, index, Catalog, CatalogError};
use crate::model::{text, Asset, AssetId, Kind, Status};

/// What `ls` and `GET /api/assets` filter on. Empty means everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<Kind>,
    pub status: Option<Status>,
    /// A spot id.
    pub spot: Option<String>,
    /// Tags, all required; each entry lists alternatives, any of which will do (a theme or an
    /// audience may be tagged by its id or its Vietnamese or English name).
    pub tags: Vec<Vec<String>>,
    /// Captured on or after this date (YYYY-MM-DD, the camera's local date).
    pub captured_from: Option<String>,
    /// Captured on or before this date (YYYY-MM-DD).
    pub captured_to: Option<String>,
    /// Inside this box: west, south, east, north (degrees).
    pub bbox: Option<[f64; 4]>,
    /// Free text, matched accent-blind against names, captions, tags, credit and spot names.
    pub query: Option<String>,
    /// Cursor: only ids after this one.
    pub after: Option<AssetId>,
    pub limit: Option<usize>,
    /// Only assets published at this time (RFC 3339, UTC): approved, past any embargo, not
    /// expired. What the public and the press see.
    pub published_at: Option<String>,
    /// Only what this viewer may see.
    pub viewer: Option<crate::model::Viewer>,
}

impl Filter {
    fn accepts(&self, asset: &Asset, folded_query: Option<&str>) -> bool {
        self.kind.is_none_or(|k| asset.kind == k)
            && self.status.is_none_or(|s| asset.status == s)
            && self
                .spot
                .as_deref()
                .is_none_or(|s| asset.spot.as_ref().is_some_and(|m| m.id == s))
            && self.tags.iter().all(|alternatives| {
                alternatives
                    .iter()
                    .any(|t| asset.tags.iter().any(|x| *x == text::normalise_tag(t)))
            })
            && self.captured_in_range(asset)
            && self.bbox.is_none_or(|b| {
                asset
                    .gps
                    .is_some_and(|g| crate::model::bbox_contains(b, g.lon, g.lat))
            })
            && folded_query.is_none_or(|q| text::matches(q, &searchable_text(asset)))
            && self
                .published_at
                .as_deref()
                .is_none_or(|now| asset.is_published(now))
            && self.viewer.as_ref().is_none_or(|v| v.can_see(asset))
    }

    /// Dates compare as text: `captured_at` starts with the local date, YYYY-MM-DD.
    fn captured_in_range(&self, asset: &Asset) -> bool {
        if self.captured_from.is_none() && self.captured_to.is_none() {
            return true;
        }
        let Some(date) = asset.captured_at.as_deref().and_then(|c| c.get(..10)) else {
            return false;
        };
        self.captured_from.as_deref().is_none_or(|f| date >= f)
            && self.captured_to.as_deref().is_none_or(|t| date <= t)
    }

    /// The most selective index for this filter, as a key prefix.
    fn index_prefix(&self) -> Option<Vec<u8>> {
        if let Some(spot) = &self.spot {
            return Some(index::prefix(index::SPOT, spot));
        }
        if let Some([tag]) = self.tags.iter().find(|a| a.len() == 1).map(Vec::as_slice) {
            return Some(index::prefix(index::TAG, &text::normalise_tag(tag)));
        }
        if let Some(status) = self.status {
            return Some(index::prefix(index::STATUS, status.as_str()));
        }
        if let Some(kind) = self.kind {
            return Some(index::prefix(index::KIND, kind.as_str()));
        }
        // The public, the press and agencies see only approved assets.
        let published_only = self.published_at.is_some()
            || self
                .viewer
                .as_ref()
                .is_some_and(|v| v.sees_only_published());
        published_only.then(|| index::prefix(index::STATUS, Status::Approved.as_str()))
    }
}

/// Everything the text query looks at, folded (kept in the search tree).
pub(super) fn searchable_text(asset: &Asset) -> String {
    let mut parts: Vec<&str> = asset.names.iter().map(String::as_str).collect();
    parts.extend(asset.tags.iter().map(String::as_str));
    parts.extend(asset.caption.vi.as_deref());
    parts.extend(asset.caption.en.as_deref());
    parts.extend(asset.credit.as_deref());
    if let Some(spot) = &asset.spot {
        parts.extend([
            spot.id.as_str(),
            spot.name_vi.as_str(),
            spot.name_en.as_str(),
        ]);
    }
    text::fold(&parts.join(" "))
}

pub(super) fn run(catalog: &Catalog, filter: &Filter) -> Result<Vec<Asset>, CatalogError> {
    let folded = filter
        .query
        .as_deref()
        .map(text::fold)
        .filter(|q| !q.is_empty());
    let limit = filter.limit.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    let mut take = |asset: Asset| {
        if filter.accepts(&asset, folded.as_deref()) {
            out.push(asset);
        }
        out.len() < limit
    };
    if let Some(prefix) = filter.index_prefix() {
        let start = match filter.after {
            Some(after) => {
                let mut k = prefix.clone();
                k.extend_from_slice(after.as_bytes());
                k.push(0); // just past `after`
                k
            }
            None => prefix.clone(),
        };
        for key in catalog.index.range(start..).keys() {
            let key = key?;
            if !key.starts_with(&prefix) {
                break;
            }
            let Some(id) = AssetId::from_slice(&key[prefix.len()..]) else {
                continue;
            };
            // The text first: a few bytes, where the record is a JSON document to decode.
            if let Some(q) = folded.as_deref() {
                let text = catalog.search.get(id.as_bytes())?;
                if !text.is_some_and(|t| text::matches(q, &String::from_utf8_lossy(&t))) {
                    continue;
                }
            }
            if let Some(asset) = catalog.asset(&id)? {
                if !take(asset) {
                    break;
                }
            }
        }
    } else if let Some(q) = folded.as_deref() {
        // A text query with no index to narrow it: match the folded texts, decode only hits.
        let mut after = filter.after;
        'scan: loop {
            let hits = catalog.text_matches(q, after, 256)?;
            let Some(last) = hits.last().copied() else {
                break;
            };
            for id in hits {
                if let Some(asset) = catalog.asset(&id)? {
                    if !take(asset) {
                        break 'scan;
                    }
                }
            }
            after = Some(last);
        }
    } else {
        let range = match filter.after {
            Some(after) => {
                let mut k = after.as_bytes().to_vec();
                k.push(0);
                catalog.assets.range(k..)
            }
            None => catalog.assets.iter(),
        };
        for kv in range {
            let (_, v) = kv?;
            if !take(decode_asset(&v)?) {
                break;
            }
        }
    }
    Ok(out)
}

/// One page of a listing in display order, with how many assets match in all.
#[derive(Debug)]
pub struct Browse {
    pub total: usize,
    pub assets: Vec<Asset>,
}

/// When an asset happened, for "newest first": the capture time, else the time it was added.
/// Both are `YYYY-MM-DDTHH:MM:SS…`, so the text orders them.
fn recency(asset: &Asset) -> &str {
    asset
        .captured_at
        .as_deref()
        .unwrap_or(asset.ingested_at.as_str())
}

/// Everything `filter` accepts, newest first (capture date, then date added, then id), the
/// `per_page` assets from `offset` on.
pub(super) fn browse(
    catalog: &Catalog,
    filter: &Filter,
    offset: usize,
    per_page: usize,
) -> Result<Browse, CatalogError> {
    let everything = Filter {
        limit: None,
        after: None,
        ..filter.clone()
    };
    let mut all = run(catalog, &everything)?;
    all.sort_unstable_by(|a, b| {
        recency(b)
            .cmp(recency(a))
            .then_with(|| b.ingested_at.cmp(&a.ingested_at))
            .then_with(|| a.id.cmp(&b.id))
    });
    let total = all.len();
    let assets = all.into_iter().skip(offset).take(per_page).collect();
    Ok(Browse { total, assets })
}
