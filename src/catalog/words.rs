//! The words of every asset's folded text, each with the assets that hold it: a text query
//! then looks through the vocabulary, one contiguous string searched in one SIMD pass, instead
//! of through 100,000 texts, and the scan asks one bit per asset.
//!
//! Matching is unchanged by the index: a query word matches an asset when it is a substring of
//! its folded text, and since query words hold no space, that is when it is a substring of one
//! of the text's words.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

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
    /// Query word → how far the vocabulary was searched for it and the words holding it. The
    /// vocabulary only grows (until `compact`, which starts a new index), so a query word
    /// asked again is looked for only in what was added since: at a million assets the
    /// vocabulary is tens of megabytes, mostly file numbers.
    memo: Mutex<HashMap<Box<str>, Searched>>,
}

/// How far the vocabulary was searched for a query word, and the words found holding it.
type Searched = (usize, Vec<WordId>);

/// Most query words remembered; beyond, the memo starts afresh.
const MEMO_WORDS: usize = 1024;

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

    /// The set slots, ascending: one step per set bit, none per clear one (a million-slot set
    /// is mostly empty words, and a full one is read a bit at a time only where bits are set).
    fn slots(&self) -> impl Iterator<Item = Slot> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some((i * 64 + bit) as Slot)
            })
        })
    }

    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
}

/// The distinct words of a folded text.
pub(super) fn words_of(folded: &str) -> impl Iterator<Item = &str> {
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
            for id in self.words_holding(word) {
                self.postings[id as usize]
                    .iter()
                    .for_each(|s| matched.set(*s));
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

    /// The vocabulary words that hold `word`, from the memo and a search of what was added
    /// since it was last asked.
    fn words_holding(&self, word: &str) -> Vec<WordId> {
        let mut memo = self.memo.lock().unwrap_or_else(PoisonError::into_inner);
        if memo.len() >= MEMO_WORDS && !memo.contains_key(word) {
            memo.clear();
        }
        let (searched, ids) = memo.entry(word.into()).or_default();
        let mut last = ids.last().copied();
        let tail = &self.vocabulary.as_bytes()[*searched..];
        for at in memchr::memmem::find_iter(tail, word.as_bytes()) {
            let at = u32::try_from(*searched + at).unwrap_or(u32::MAX);
            let id = self.starts.partition_point(|s| *s <= at).saturating_sub(1) as WordId;
            if last == Some(id) {
                continue; // the word again, further into the same vocabulary word
            }
            last = Some(id);
            ids.push(id);
        }
        *searched = self.vocabulary.len();
        ids.clone()
    }

    /// The `n` smallest ids in `matched` after `after`, in id order: one pass keeping the
    /// best `n` in a heap, where sorting every match (a quarter of a million for a common
    /// word) would cost more than the page.
    pub fn first_ids(&self, matched: &Matched, after: Option<AssetId>, n: usize) -> Vec<AssetId> {
        let mut best = std::collections::BinaryHeap::with_capacity(n + 1);
        let candidates = matched
            .slots()
            .filter_map(|s| self.owners.get(s as usize).copied().flatten())
            .filter(|id| after.is_none_or(|a| *id > a));
        for id in candidates {
            if best.len() < n {
                best.push(id);
            } else if let Some(mut worst) = best.peek_mut() {
                if id < *worst {
                    *worst = id;
                }
            }
        }
        best.into_sorted_vec()
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
        let all = index.owners.len();
        index
            .find(q)
            .map(|m| index.first_ids(&m, None, all))
            .unwrap_or_default()
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
    fn a_query_asked_again_finds_what_was_added_since() {
        let mut index = WordIndex::default();
        index.add(id(1), "thac mo");
        assert_eq!(found(&index, "ho"), Vec::<AssetId>::new());
        index.add(id(2), "ho suoi lam");
        index.add(id(3), "cho long thac");
        assert_eq!(found(&index, "ho"), vec![id(2), id(3)]);
        assert_eq!(found(&index, "thac"), vec![id(1), id(3)]);
        let slot = index.add(id(4), "thac nuoc");
        index.remove(slot, "thac nuoc");
        assert_eq!(found(&index, "thac"), vec![id(1), id(3)]);
    }

    #[test]
    fn a_page_of_matches_is_the_smallest_ids_after_the_cursor() {
        let mut index = WordIndex::default();
        for n in [9u8, 3, 7, 1, 5] {
            index.add(id(n), "thac mo");
        }
        index.add(id(4), "ba ra");
        let m = index.find("thac").unwrap();
        assert_eq!(index.first_ids(&m, None, 2), vec![id(1), id(3)]);
        assert_eq!(index.first_ids(&m, Some(id(3)), 2), vec![id(5), id(7)]);
        assert_eq!(index.first_ids(&m, Some(id(7)), 5), vec![id(9)]);
        assert_eq!(index.first_ids(&m, None, 0), Vec::<AssetId>::new());
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
