//! Filtered listings: one equality filter is served by an index scan, the rest are checked on
//! the records; the text query folds case and diacritics.

use super::tables::Tree;
use super::{index, AssetJson, Catalog, CatalogError};
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
    /// Only the uploads of this person (their sign-in or token name).
    pub owner: Option<String>,
}

/// What the filters look at of an asset, borrowed from its record or its in-memory listing.
pub(super) struct Facets<'a> {
    pub kind: Kind,
    pub spot: Option<&'a str>,
    pub tags: &'a [String],
    pub captured_at: Option<&'a str>,
    pub gps: Option<crate::model::Gps>,
    pub visibility: crate::model::Visibility<'a>,
}

impl<'a> Facets<'a> {
    pub fn of(asset: &'a Asset) -> Self {
        Facets {
            kind: asset.kind,
            spot: asset.spot.as_ref().map(|s| s.id.as_str()),
            tags: &asset.tags,
            captured_at: asset.captured_at.as_deref(),
            gps: asset.gps,
            visibility: crate::model::Visibility::of(asset),
        }
    }
}

/// A filter ready to test many assets: its tags normalised and its text query folded once.
pub(super) struct Prepared<'f> {
    filter: &'f Filter,
    tags: Vec<Vec<String>>,
    /// The folded words of the text query, each of which the folded text must hold.
    words: Vec<String>,
}

impl Prepared<'_> {
    /// Whether an asset's folded searchable text holds every word of the text query: the rule
    /// the word index answers for many assets at once, here for one.
    pub fn text_holds(&self, folded: &str) -> bool {
        self.words.iter().all(|w| folded.contains(w.as_str()))
    }

    /// Whether the asset passes every filter but the text query.
    pub fn accepts(&self, f: &Facets<'_>) -> bool {
        let filter = self.filter;
        filter.kind.is_none_or(|k| f.kind == k)
            && filter.status.is_none_or(|s| f.visibility.status == s)
            && filter.spot.as_deref().is_none_or(|s| f.spot == Some(s))
            && filter
                .owner
                .as_deref()
                .is_none_or(|o| f.visibility.owner.as_deref() == Some(o))
            && self
                .tags
                .iter()
                .all(|alternatives| alternatives.iter().any(|t| f.tags.contains(t)))
            && filter.captured_in_range(f.captured_at)
            && filter.bbox.is_none_or(|b| {
                f.gps
                    .is_some_and(|g| crate::model::bbox_contains(b, g.lon, g.lat))
            })
            && filter
                .published_at
                .as_deref()
                .is_none_or(|now| f.visibility.is_published(now))
            && filter
                .viewer
                .as_ref()
                .is_none_or(|v| v.may_see(&f.visibility))
    }
}

impl Filter {
    /// Whether an entry with no publication window can be decided on the listing's hot fields
    /// alone (kind, status, access, owner, spot), without its tags, capture date or position.
    /// Every field is named here: a new one does not compile until it is placed on one side,
    /// so the listing's fast path cannot silently answer wrong for it.
    pub(super) fn decidable_on_hot_fields(&self) -> bool {
        let Filter {
            // Decided on hot fields (or, for the query and paging, outside the facets).
            kind: _,
            status: _,
            spot: _,
            query: _,
            after: _,
            limit: _,
            published_at: _,
            viewer: _,
            owner: _,
            // Need the whole entry.
            tags,
            captured_from,
            captured_to,
            bbox,
        } = self;
        tags.is_empty() && captured_from.is_none() && captured_to.is_none() && bbox.is_none()
    }

    pub(super) fn prepared(&self) -> Prepared<'_> {
        Prepared {
            filter: self,
            tags: self
                .tags
                .iter()
                .map(|alternatives| {
                    alternatives
                        .iter()
                        .map(|t| text::normalise_tag(t))
                        .collect()
                })
                .collect(),
            words: super::words::fold_query(self.query.as_deref())
                .map(|q| super::words::words_of(&q).map(str::to_owned).collect())
                .unwrap_or_default(),
        }
    }

    /// Dates compare as text: `captured_at` starts with the local date, YYYY-MM-DD.
    fn captured_in_range(&self, captured_at: Option<&str>) -> bool {
        if self.captured_from.is_none() && self.captured_to.is_none() {
            return true;
        }
        let Some(date) = captured_at.and_then(|c| c.get(..10)) else {
            return false;
        };
        self.captured_from.as_deref().is_none_or(|f| date >= f)
            && self.captured_to.as_deref().is_none_or(|t| date <= t)
    }

    /// The most selective index for this filter, as key prefixes whose union holds every
    /// asset it accepts (one per alternative of a tag).
    fn index_prefixes(&self) -> Option<Vec<Vec<u8>>> {
        if let Some(spot) = &self.spot {
            return Some(vec![index::prefix(index::SPOT, spot)]);
        }
        if let Some(alternatives) = self.tags.iter().min_by_key(|a| a.len()) {
            let mut tags: Vec<String> = alternatives
                .iter()
                .map(|t| text::normalise_tag(t))
                .collect();
            tags.sort();
            tags.dedup();
            return Some(tags.iter().map(|t| index::prefix(index::TAG, t)).collect());
        }
        if let Some(status) = self.status {
            return Some(vec![index::prefix(index::STATUS, status.as_str())]);
        }
        if let Some(kind) = self.kind {
            return Some(vec![index::prefix(index::KIND, kind.as_str())]);
        }
        // The public, the press and agencies see only approved assets.
        let published_only = self.published_at.is_some()
            || self
                .viewer
                .as_ref()
                .is_some_and(|v| v.sees_only_published());
        published_only.then(|| vec![index::prefix(index::STATUS, Status::Approved.as_str())])
    }
}

pub use crate::model::TagWords;

/// Everything the text query looks at, folded (indexed word by word in the listing).
pub(super) fn searchable_text(asset: &Asset, tag_words: &TagWords) -> String {
    let mut parts: Vec<&str> = asset.names.iter().map(String::as_str).collect();
    parts.extend(asset.tags.iter().map(String::as_str));
    parts.extend(
        asset
            .tags
            .iter()
            .filter_map(|t| tag_words.get(t))
            .map(String::as_str),
    );
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

/// Where a listing's candidate ids come from, in id order: the most selective source the
/// filter allows. Candidates are then checked against every filter.
enum Candidates {
    /// The union of index prefix scans (the text, if any, is checked with the other filters).
    Index(Vec<Vec<u8>>),
    /// The word index: the smallest matching ids after a cursor.
    Words(String),
    /// Every asset.
    All,
}

impl Candidates {
    fn of(filter: &Filter) -> Candidates {
        let words = super::words::fold_query(filter.query.as_deref()).is_some();
        match (filter.index_prefixes(), words) {
            (Some(prefixes), _) => Candidates::Index(prefixes),
            (None, true) => Candidates::Words(filter.query.clone().unwrap_or_default()),
            (None, false) => Candidates::All,
        }
    }

    /// Up to `n` candidate ids after `after`, in id order; fewer only at the end.
    fn next(
        &self,
        catalog: &Catalog,
        after: Option<AssetId>,
        n: usize,
    ) -> Result<Vec<AssetId>, CatalogError> {
        let keys_after = |tree: Tree, prefix: &[u8], n: usize| {
            let mut start = prefix.to_vec();
            if let Some(after) = after {
                start.extend_from_slice(after.as_bytes());
                start.push(0); // just past `after`
            }
            catalog.tables.keys_from(tree, prefix, &start, n)
        };
        match self {
            Candidates::Index(prefixes) => {
                let mut ids = Vec::new();
                for prefix in prefixes {
                    let keys = keys_after(Tree::Index, prefix, n)?;
                    ids.extend(
                        keys.iter()
                            .filter_map(|k| AssetId::from_slice(&k[prefix.len()..])),
                    );
                }
                // The union of the alternatives' first `n`: its first `n` are the first of all.
                ids.sort_unstable();
                ids.dedup();
                ids.truncate(n);
                Ok(ids)
            }
            Candidates::Words(query) => Ok(catalog
                .text_page(Some(query), after, n)?
                .unwrap_or_default()),
            Candidates::All => Ok(keys_after(Tree::Assets, &[], n)?
                .iter()
                .filter_map(|k| AssetId::from_slice(k))
                .collect()),
        }
    }
}

/// The records `filter` accepts, in id order after `filter.after`, as stored. Candidates come
/// in batches that double while the filter turns some down, so that a viewer who may see few of
/// them costs no more than one pass.
pub(super) fn records(catalog: &Catalog, filter: &Filter) -> Result<Vec<AssetJson>, CatalogError> {
    let limit = filter.limit.unwrap_or(usize::MAX);
    let prepared = filter.prepared();
    let source = Candidates::of(filter);
    let (mut out, mut after) = (Vec::new(), filter.after);
    let mut batch = limit.saturating_add(1).clamp(16, 4096);
    while out.len() < limit {
        let ids = source.next(catalog, after, batch)?;
        catalog.accepted(&prepared, &ids, limit, &mut out)?;
        if ids.len() < batch {
            break;
        }
        after = ids.last().copied();
        batch = batch.saturating_mul(2).min(1 << 16);
    }
    Ok(out)
}

/// One page of a listing in display order, with how many assets match in all.
#[derive(Debug)]
pub struct Browse {
    pub total: usize,
    pub assets: Vec<Asset>,
}

/// Everything `filter` accepts, newest first (capture date, then date added, then id), the
/// `per_page` assets from `offset` on: filtered and counted in the in-memory listing, only the
/// page's records read.
pub(super) fn browse(
    catalog: &Catalog,
    filter: &Filter,
    offset: usize,
    per_page: usize,
) -> Result<Browse, CatalogError> {
    catalog.with_listing(|listing| {
        let (total, ids) = listing.page(filter, offset, per_page);
        let assets = catalog.records_of(&ids, filter)?;
        Ok(Browse { total, assets })
    })?
}
