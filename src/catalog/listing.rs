//! The catalogue's browsing order in memory: for every asset, what the filters look at (its
//! facets and folded text), kept newest first. A catalogue page at 100,000 assets is then one
//! pass over compact entries, with a count, and decodes only the records it shows; sled and the
//! journal stay the truth, this is built from them at the first browse and kept by each commit
//! (a commit moves only the entries it changed: rebuilding the order each time took most of an
//! upload's second at a million assets).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Arc;

use super::query::{Facets, Filter, Prepared};
use super::sorted_blocks::{Keyed, SortedBlocks};
use super::words::{fold_query, Matched, Slot, WordIndex};
use crate::model::{Asset, AssetId, Gps, Kind, Visibility};

/// Newest first: the capture time (else the time added), then the time added; the id last so
/// that every key is unique. Iterated in reverse.
type Order = (Box<str>, Box<str>, AssetId);

/// What the filters need of one asset.
pub(super) struct Listed {
    /// Its place in the browsing order.
    key: Order,
    kind: Kind,
    spot: Option<String>,
    tags: Vec<String>,
    captured_at: Option<String>,
    gps: Option<Gps>,
    visibility: Visibility<'static>,
    /// Folded names, caption, tags, credit and spot: what `q` matches.
    text: Box<str>,
    /// Its place in the word index.
    slot: Slot,
    /// Its renditions: object hash (hex), preset, media type.
    renditions: Vec<(String, String, String)>,
    /// When it was last approved (the feed's order).
    published_at: Option<Box<str>>,
}

/// An asset that holds a rendition, as delivery needs it: who may see it, and what to count.
#[derive(Debug, Clone)]
pub struct RenditionOwner {
    pub id: AssetId,
    pub preset: String,
    pub spot: Option<String>,
    pub visibility: Visibility<'static>,
}

impl Listed {
    fn of(asset: &Asset, tag_words: &super::query::TagWords) -> Listed {
        let v = Visibility::of(asset);
        let owned = |s: Option<std::borrow::Cow<'_, str>>| s.map(|c| c.into_owned().into());
        let recency = asset
            .captured_at
            .as_deref()
            .unwrap_or(&asset.ingested_at)
            .into();
        Listed {
            key: (recency, asset.ingested_at.as_str().into(), asset.id),
            kind: asset.kind,
            spot: asset.spot.as_ref().map(|s| s.id.clone()),
            tags: asset.tags.clone(),
            captured_at: asset.captured_at.clone(),
            gps: asset.gps,
            visibility: Visibility {
                status: v.status,
                access: v.access,
                owner: owned(v.owner),
                available_from: owned(v.available_from),
                expires_at: owned(v.expires_at),
            },
            text: super::query::searchable_text(asset, tag_words).into(),
            slot: 0,
            published_at: asset.published_at.as_deref().map(Into::into),
            renditions: asset
                .renditions
                .iter()
                .flat_map(|r| {
                    r.files().map(|(hash, media_type)| {
                        (hash.into(), r.preset.clone(), media_type.into())
                    })
                })
                .collect(),
        }
    }

    fn facets(&self) -> Facets<'_> {
        Facets {
            kind: self.kind,
            spot: self.spot.as_deref(),
            tags: &self.tags,
            captured_at: self.captured_at.as_deref(),
            gps: self.gps,
            // Borrowed, not cloned: a page tests every entry, and a clone would allocate.
            visibility: Visibility {
                status: self.visibility.status,
                access: self.visibility.access,
                owner: self.visibility.owner.as_deref().map(Cow::Borrowed),
                available_from: self.visibility.available_from.as_deref().map(Cow::Borrowed),
                expires_at: self.visibility.expires_at.as_deref().map(Cow::Borrowed),
            },
        }
    }
}

/// An entry as a page scans it: the few fields most pages decide on, contiguous, and the
/// rest behind a pointer. 100,000 of these are 6 MB to read, where the entries themselves
/// are 26 MB of scattered tree nodes (the scan was memory-bound: 80% of a page's time).
struct Hot {
    id: AssetId,
    kind: Kind,
    status: crate::model::Status,
    access: crate::model::Access,
    owner: Option<Box<str>>,
    /// Index of its spot in `Listing::spots`.
    spot: Option<u16>,
    /// No publication window: visibility is decided by status, access and owner.
    plain: bool,
    slot: Slot,
    listed: Arc<Listed>,
}

impl Keyed for Hot {
    type Key = Order;
    fn key(&self) -> &Order {
        &self.listed.key
    }
}

impl Hot {
    /// The facets as far as a filter without tags, dates or box needs them.
    fn facets<'a>(&'a self, spots: &'a [String]) -> Facets<'a> {
        Facets {
            kind: self.kind,
            spot: self
                .spot
                .and_then(|i| spots.get(usize::from(i)))
                .map(String::as_str),
            tags: &[],
            captured_at: None,
            gps: None,
            visibility: Visibility {
                status: self.status,
                access: self.access,
                owner: self.owner.as_deref().map(Cow::Borrowed),
                available_from: None,
                expires_at: None,
            },
        }
    }
}

#[derive(Default)]
pub(super) struct Listing {
    /// Id → its entry, in id order (the order API pages follow).
    by_id: BTreeMap<AssetId, Arc<Listed>>,
    /// Rendition object hash (hex) → the assets holding it (usually one).
    objects: HashMap<String, Vec<AssetId>>,
    /// Every entry in browsing order, as pages scan it; changed by `settle`.
    scan: SortedBlocks<Hot>,
    /// Changes `settle` has yet to make to `scan`, by key: the new entry, or `None` to drop.
    pending: BTreeMap<Order, Option<Arc<Listed>>>,
    /// The spot ids the scan order refers to by number, and their numbers; only ever added
    /// to (a spot no asset is at any more counts 0).
    spots: Vec<String>,
    spot_numbers: HashMap<String, u16>,
    words: WordIndex,
    /// What each tag stands for in text search, fixed when the listing is built.
    tag_words: Arc<super::query::TagWords>,
}

impl Listing {
    /// An empty listing whose text search finds tags by `tag_words`.
    pub fn with_tag_words(tag_words: Arc<super::query::TagWords>) -> Self {
        Listing {
            tag_words,
            ..Default::default()
        }
    }

    pub fn insert(&mut self, asset: &Asset) {
        self.remove(&asset.id);
        let mut listed = Listed::of(asset, &self.tag_words);
        listed.slot = self.words.add(asset.id, &listed.text);
        for (hash, _, _) in &listed.renditions {
            self.objects.entry(hash.clone()).or_default().push(asset.id);
        }
        let listed = Arc::new(listed);
        // Replaces the `None` of `remove` when its place is unchanged (a rendition, a review).
        // An empty scan order is built whole by `settle`: nothing to note.
        if !self.scan.is_empty() {
            self.pending
                .insert(listed.key.clone(), Some(listed.clone()));
        }
        self.by_id.insert(asset.id, listed);
    }

    pub fn remove(&mut self, id: &AssetId) {
        let Some(listed) = self.by_id.remove(id) else {
            return;
        };
        if !self.scan.is_empty() {
            self.pending.insert(listed.key.clone(), None);
        }
        self.words.remove(listed.slot, &listed.text);
        for (hash, _, _) in &listed.renditions {
            if let Some(owners) = self.objects.get_mut(hash) {
                owners.retain(|o| o != id);
                if owners.is_empty() {
                    self.objects.remove(hash);
                }
            }
        }
    }

    /// Brings the scan order up to date with the changes since the last call: entry by entry,
    /// or, when it is empty (the first build) or they change more than an eighth of it, by one
    /// sort. Done once per commit, under the write lock, so pages never see it half-made.
    pub fn settle(&mut self) {
        if self.scan.is_empty() || self.pending.len() > self.scan.len() / 8 {
            self.pending.clear();
            let mut all: Vec<Arc<Listed>> = self.by_id.values().cloned().collect();
            all.sort_unstable_by(|a, b| a.key.cmp(&b.key));
            let hot = all.into_iter().map(|l| self.hot(l)).collect();
            self.scan = SortedBlocks::from_sorted(hot);
            return;
        }
        for (key, change) in std::mem::take(&mut self.pending) {
            match change {
                Some(listed) => {
                    let hot = self.hot(listed);
                    self.scan.put(hot);
                }
                None => {
                    self.scan.remove(&key);
                }
            }
        }
    }

    /// An entry as the scan holds it.
    fn hot(&mut self, listed: Arc<Listed>) -> Hot {
        let spot = listed.spot.as_deref().and_then(|s| self.spot_number(s));
        Hot {
            spot,
            id: listed.key.2,
            kind: listed.kind,
            status: listed.visibility.status,
            access: listed.visibility.access,
            owner: listed.visibility.owner.as_deref().map(Into::into),
            // (a spot beyond the numbers' range is read from the entry itself)
            plain: listed.visibility.available_from.is_none()
                && listed.visibility.expires_at.is_none()
                && (listed.spot.is_none() || spot.is_some()),
            slot: listed.slot,
            listed,
        }
    }

    /// The number of spot `id`, given at its first sight; `None` past 65,536 spots.
    fn spot_number(&mut self, id: &str) -> Option<u16> {
        if let Some(n) = self.spot_numbers.get(id) {
            return Some(*n);
        }
        let n = u16::try_from(self.spots.len()).ok()?;
        self.spots.push(id.to_owned());
        self.spot_numbers.insert(id.to_owned(), n);
        Some(n)
    }

    /// The assets holding rendition object `hash` (hex) as `media_type`.
    pub fn owners(&self, hash: &str, media_type: &str) -> Vec<RenditionOwner> {
        let Some(ids) = self.objects.get(hash) else {
            return Vec::new();
        };
        ids.iter()
            .filter_map(|id| {
                let listed = self.by_id.get(id)?;
                let (_, preset, _) = listed
                    .renditions
                    .iter()
                    .find(|(h, _, m)| h == hash && m == media_type)?;
                Some(RenditionOwner {
                    id: *id,
                    preset: preset.clone(),
                    spot: listed.spot.clone(),
                    visibility: listed.visibility.clone(),
                })
            })
            .collect()
    }

    /// Whether `prepared` accepts asset `id`, text query included, from its facets and folded
    /// text in memory; `None` for an id the listing does not hold.
    pub fn accepts(&self, id: &AssetId, prepared: &Prepared<'_>) -> Option<bool> {
        let listed = self.by_id.get(id)?;
        Some(prepared.accepts(&listed.facets()) && prepared.text_holds(&listed.text))
    }

    /// Who may see `id`, as this listing knows it.
    pub fn visibility(&self, id: &AssetId) -> Option<&Visibility<'static>> {
        self.by_id.get(id).map(|listed| &listed.visibility)
    }

    /// The entries `filter` accepts, newest first.
    fn matching<'a>(&'a self, filter: &'a Filter) -> impl Iterator<Item = &'a Hot> + 'a {
        let words = fold_query(filter.query.as_deref()).and_then(|q| self.words.find(&q));
        let prepared = filter.prepared();
        let hot_only = filter.decidable_on_hot_fields();
        debug_assert!(self.pending.is_empty(), "a scan of an unsettled listing");
        self.scan.iter_descending().filter(move |hot| {
            if words.as_ref().is_some_and(|w| !w.contains(hot.slot)) {
                return false;
            }
            if hot_only && hot.plain {
                prepared.accepts(&hot.facets(&self.spots))
            } else {
                prepared.accepts(&hot.listed.facets())
            }
        })
    }

    /// The `n` smallest ids after `after` whose text holds every word of `query`, in id
    /// order; `None` for a query without words.
    pub fn text_page(
        &self,
        query: Option<&str>,
        after: Option<AssetId>,
        n: usize,
    ) -> Option<Vec<AssetId>> {
        let query = fold_query(query)?;
        Some(
            self.words
                .find(&query)
                .map(|m| self.first_matching(&m, after, n))
                .unwrap_or_default(),
        )
    }

    /// The `n` smallest ids in `matched` after `after`. Walking the id order takes about
    /// `n × all / matches` steps, going through the matches one step each: for a common word
    /// (a quarter of a million matches) the walk is a few hundred steps instead.
    fn first_matching(&self, matched: &Matched, after: Option<AssetId>, n: usize) -> Vec<AssetId> {
        let matches = matched.len() as u128;
        if matches * matches <= n as u128 * self.by_id.len() as u128 {
            return self.words.first_ids(matched, after, n);
        }
        let from = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.by_id
            .range((from, Bound::Unbounded))
            .filter(|(_, listed)| matched.contains(listed.slot))
            .map(|(id, _)| *id)
            .take(n)
            .collect()
    }

    /// How many assets `filter` accepts, and the ids of `per_page` of them from `offset` on,
    /// newest first.
    pub fn page(&self, filter: &Filter, offset: usize, per_page: usize) -> (usize, Vec<AssetId>) {
        let mut total = 0;
        let mut ids = Vec::with_capacity(per_page);
        for hot in self.matching(filter) {
            if total >= offset && ids.len() < per_page {
                ids.push(hot.id);
            }
            total += 1;
        }
        (total, ids)
    }

    /// The `n` assets `filter` accepts that were approved last, latest first, in one pass.
    pub fn newest_published(&self, filter: &Filter, n: usize) -> Vec<AssetId> {
        use std::cmp::Reverse;
        let mut top = std::collections::BinaryHeap::with_capacity(n + 1);
        for hot in self.matching(filter) {
            let Some(at) = hot.listed.published_at.as_deref() else {
                continue;
            };
            top.push(Reverse((at, hot.id)));
            if top.len() > n {
                top.pop();
            }
        }
        let mut newest: Vec<(&str, AssetId)> = top.into_iter().map(|Reverse(e)| e).collect();
        newest.sort_by(|a, b| b.cmp(a));
        newest.into_iter().map(|(_, id)| id).collect()
    }

    /// What `filter` accepts, counted per spot id: (all, approved), in one pass.
    pub fn count_by_spot(&self, filter: &Filter) -> HashMap<String, (usize, usize)> {
        let mut counts = vec![(0, 0); self.spots.len()];
        let mut beyond: HashMap<String, (usize, usize)> = HashMap::new();
        for hot in self.matching(filter) {
            let approved = usize::from(hot.status == crate::model::Status::Approved);
            let slot = match hot.spot {
                Some(i) => counts.get_mut(usize::from(i)),
                None => hot
                    .listed
                    .spot
                    .as_ref()
                    .map(|id| beyond.entry(id.clone()).or_default()),
            };
            if let Some((all, ok)) = slot {
                *all += 1;
                *ok += approved;
            }
        }
        beyond.extend(self.spots.iter().cloned().zip(counts));
        beyond
    }
}

#[cfg(test)]
mod tests;
