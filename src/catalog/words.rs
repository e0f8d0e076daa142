//! The words of every asset's folded text, each with the assets that hold it: a text query
//! then looks through the vocabulary, one contiguous string searched in one SIMD pass, instead
//! of through 100,000 texts, and the scan asks one bit per asset.
//!
//! Matching is unchanged by the index: a query word matches an asset when it is a substring of
//! its folded text, and since query words hold no space, that is when it is a substring of one
//! of the text's words.

use std::collections::HashMap;

use crate::model::{text, AssetId};

/// A place in the index, given to an asset for as long as it is listed.
pub(super) type Slot = u32;

/// A word's number in the vocabulary.
type WordId = u32;

#[derive(Default)]
pub(super) struct WordIndex {
    /// Every word ever indexed, each followed by a newline (which no folded word holds, so a
    /// match never spans two words). Append-only: a word no asset holds any more keeps its
    /// place with no postings, until `compact`.
    vocabulary: String,
    /// Where each word starts in `vocabulary`, by word id (ascending).
    starts: Vec<u32>,
    ids: HashMap<Box<str>, WordId>,
    /// Word id → the slots of the assets whose text holds it (unordered).
    postings: Vec<Vec<Slot>>,
    /// Words with no postings left.
    unused: usize,
    /// Slot → its asset; `None` for a free slot.
    owners: Vec<Option<AssetId>>,
    free: Vec<Slot>,
}

/// The assets a query matched, as a set of slots.
pub(super) struct Matched(Vec<u64>);

impl Matched {
    fn empty(slots: usize) -> Self {
        Matched(vec![0; slots.div_ceil(64)])
    }

    fn set(&mut self, slot: Slot) {
        let i = slot as usize;
        if let Some(word) = self.0.get_mut(i / 64) {
            *word |= 1 << (i % 64);
        }
    }

    pub fn contains(&self, slot: Slot) -> bool {
        let i = slot as usize;
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn intersect(&mut self, other: &Matched) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= b;
        }
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    fn slots(&self) -> impl Iterator<Item = Slot> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &word)| {
            (0..64)
                .filter(move |b| word & (1 << b) != 0)
                .map(move |b| (i * 64 + b) as Slot)
        })
    }
}

/// The distinct words of a folded text.
fn words_of(folded: &str) -> impl Iterator<Item = &str> {
    let mut seen: Vec<&str> = Vec::new();
    folded.split(' ').filter(move |w| {
        if w.is_empty() || seen.contains(w) {
            return false;
        }
        seen.push(w);
        true
    })
}

impl WordIndex {
    /// Indexes `id` under the words of its folded text; returns its slot.
    pub fn add(&mut self, id: AssetId, folded: &str) -> Slot {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.owners[slot as usize] = Some(id);
                slot
            }
            None => {
                self.owners.push(Some(id));
                Slot::try_from(self.owners.len() - 1).expect("fewer than 4 billion assets")
            }
        };
        for word in words_of(folded) {
            let id = self.word_id(word);
            if self.postings[id as usize].is_empty() {
                self.unused -= 1;
            }
            self.postings[id as usize].push(slot);
        }
        slot
    }

    fn next_id(&self) -> WordId {
        WordId::try_from(self.starts.len()).expect("fewer than 4 billion words")
    }

    /// The id of `word`, added to the vocabulary if new (with no postings yet).
    fn word_id(&mut self, word: &str) -> WordId {
        if let Some(id) = self.ids.get(word) {
            return *id;
        }
        let id = self.next_id();
        let start = u32::try_from(self.vocabulary.len()).expect("a vocabulary under 4 GiB");
        self.starts.push(start);
        self.vocabulary.push_str(word);
        self.vocabulary.push('\n');
        self.postings.push(Vec::new());
        self.ids.insert(word.into(), id);
        self.unused += 1; // until the caller gives it a posting
        id
    }

    /// Forgets the asset in `slot`, indexed with `folded`.
    pub fn remove(&mut self, slot: Slot, folded: &str) {
        for word in words_of(folded) {
            let Some(&id) = self.ids.get(word) else {
                continue;
            };
            let slots = &mut self.postings[id as usize];
            if let Some(at) = slots.iter().position(|s| *s == slot) {
                slots.swap_remove(at);
                if slots.is_empty() {
                    self.unused += 1;
                }
            }
        }
        if let Some(owner) = self.owners.get_mut(slot as usize) {
            *owner = None;
            self.free.push(slot);
        }
        if self.unused > 1024 && self.unused * 2 > self.starts.len() {
            self.compact();
        }
    }

    /// Drops the words no asset holds any more (after much editing), keeping the postings.
    fn compact(&mut self) {
        let old = std::mem::take(self);
        *self = WordIndex {
            owners: old.owners,
            free: old.free,
            ..WordIndex::default()
        };
        for (id, slots) in old.postings.into_iter().enumerate() {
            if slots.is_empty() {
                continue;
            }
            let start = old.starts[id] as usize;
            let end = old.vocabulary[start..]
                .find('\n')
                .map_or(start, |n| start + n);
            let new = self.word_id(&old.vocabulary[start..end]);
            self.postings[new as usize] = slots;
            self.unused -= 1;
        }
    }

    /// The assets whose text holds every word of `query_folded`; `None` for a query without
    /// words (which matches everything).
    pub fn find(&self, query_folded: &str) -> Option<Matched> {
        let mut all: Option<Matched> = None;
        let query: Vec<&str> = words_of(query_folded).collect();
        for word in query {
            let mut matched = Matched::empty(self.owners.len());
            let mut last = None;
            for at in memchr::memmem::find_iter(self.vocabulary.as_bytes(), word.as_bytes()) {
                let at = u32::try_from(at).unwrap_or(u32::MAX);
                let id = self.starts.partition_point(|s| *s <= at).saturating_sub(1);
                if last == Some(id) {
                    continue; // the word again, further into the same vocabulary word
                }
                last = Some(id);
                self.postings[id].iter().for_each(|s| matched.set(*s));
            }
            match all.as_mut() {
                Some(all) => all.intersect(&matched),
                None => all = Some(matched),
            }
            if all.as_ref().is_some_and(Matched::is_empty) {
                break;
            }
        }
        all
    }

    /// The ids of the assets in `matched`, in id order.
    pub fn ids(&self, matched: &Matched) -> Vec<AssetId> {
        let mut ids: Vec<AssetId> = matched
            .slots()
            .filter_map(|s| self.owners.get(s as usize).copied().flatten())
            .collect();
        ids.sort_unstable();
        ids
    }
}

/// Folds `query` for [`WordIndex::find`]; `None` when nothing is left to match.
pub(super) fn fold_query(query: Option<&str>) -> Option<String> {
    query.map(text::fold).filter(|q| !q.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> AssetId {
        AssetId::from_slice(&[n; 32]).expect("32 bytes")
    }

    fn found(index: &WordIndex, q: &str) -> Vec<AssetId> {
        index.find(q).map(|m| index.ids(&m)).unwrap_or_default()
    }

    #[test]
    fn matches_as_a_substring_scan_would() {
        let texts = [
            "trang co bu lach",
            "nui ba ra thac mo",
            "ho suoi lam",
            "bu lach bu dop",
        ];
        let mut index = WordIndex::default();
        for (n, t) in texts.iter().enumerate() {
            index.add(id(n as u8), t);
        }
        for q in [
            "bu lach", "lach bu", "ba", "a", "ra mo", "khong co", "u", "co bu",
        ] {
            let expected: Vec<AssetId> = texts
                .iter()
                .enumerate()
                .filter(|(_, t)| text::matches(q, t))
                .map(|(n, _)| id(n as u8))
                .collect();
            assert_eq!(found(&index, q), expected, "{q:?}");
        }
        assert!(index.find("").is_none());
    }

    #[test]
    fn removed_assets_are_forgotten_and_slots_reused() {
        let mut index = WordIndex::default();
        let a = index.add(id(1), "bu lach");
        index.add(id(2), "bu dop");
        index.remove(a, "bu lach");
        assert_eq!(found(&index, "bu"), vec![id(2)]);
        assert!(found(&index, "lach").is_empty());
        assert!(index.postings[index.ids["lach"] as usize].is_empty());
        let c = index.add(id(3), "ba ra");
        assert_eq!(c, a, "the free slot is reused");
        assert_eq!(found(&index, "ra"), vec![id(3)]);
        assert!(found(&index, "lach").is_empty());
        assert_eq!(index.unused, 1, "lach");
    }

    #[test]
    fn compacting_keeps_what_is_held() {
        let mut index = WordIndex::default();
        let keep = index.add(id(0), "trang co bu lach");
        for n in 1..=3000u32 {
            let slot = index.add(id(1), &format!("anh {n:05}"));
            index.remove(slot, &format!("anh {n:05}"));
        }
        assert!(
            index.starts.len() < 3000,
            "compacted: {}",
            index.starts.len()
        );
        assert_eq!(found(&index, "bu lach"), vec![id(0)]);
        assert!(found(&index, "anh").is_empty());
        assert!(found(&index, "0001").is_empty());
        index.remove(keep, "trang co bu lach");
        assert!(found(&index, "co").is_empty());
    }
}
