//! A sorted sequence kept in blocks of a few thousand entries: a scan reads it as contiguously
//! as one vector, and a change moves one block's entries instead of the whole sequence (at a
//! million entries, inserting into one vector moves ~36 MB; here a few hundred kB).

/// An entry's place in the order.
pub(super) trait Keyed {
    type Key: Ord;
    fn key(&self) -> &Self::Key;
}

/// Entries past this many split a block in two (each block then holds at least half).
const MOST: usize = 4096;

/// Entries in ascending key order, every key at most once.
pub(super) struct SortedBlocks<T> {
    /// Never an empty block; each block's keys below the next block's.
    blocks: Vec<Vec<T>>,
}

impl<T> Default for SortedBlocks<T> {
    fn default() -> Self {
        SortedBlocks { blocks: Vec::new() }
    }
}

impl<T: Keyed> SortedBlocks<T> {
    /// From entries already in ascending key order.
    pub fn from_sorted(entries: Vec<T>) -> Self {
        let mut blocks = Vec::with_capacity(entries.len().div_ceil(MOST / 2));
        let mut rest = entries.into_iter().peekable();
        while rest.peek().is_some() {
            blocks.push(rest.by_ref().take(MOST / 2).collect());
        }
        SortedBlocks { blocks }
    }

    pub fn len(&self) -> usize {
        self.blocks.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// Newest last: every entry in descending key order.
    pub fn iter_descending(&self) -> impl Iterator<Item = &T> {
        self.blocks.iter().rev().flat_map(|b| b.iter().rev())
    }

    /// The block that holds `key` or would: the last whose first key is not above it.
    fn block_of(&self, key: &T::Key) -> usize {
        self.blocks
            .partition_point(|b| b[0].key() <= key)
            .saturating_sub(1)
    }

    /// Puts `entry` in its place, replacing the entry of the same key if there is one.
    pub fn put(&mut self, entry: T) {
        if self.blocks.is_empty() {
            self.blocks.push(vec![entry]);
            return;
        }
        let b = self.block_of(entry.key());
        let block = &mut self.blocks[b];
        match block.binary_search_by(|e| e.key().cmp(entry.key())) {
            Ok(i) => block[i] = entry,
            Err(i) => {
                block.insert(i, entry);
                if block.len() > MOST {
                    let upper = block.split_off(block.len() / 2);
                    self.blocks.insert(b + 1, upper);
                }
            }
        }
    }

    /// Takes out the entry of `key`, if there is one.
    pub fn remove(&mut self, key: &T::Key) -> Option<T> {
        let b = self.block_of(key);
        let block = self.blocks.get_mut(b)?;
        let i = block.binary_search_by(|e| e.key().cmp(key)).ok()?;
        let entry = block.remove(i);
        if block.is_empty() {
            self.blocks.remove(b);
        }
        Some(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    struct Entry(u32, u32);

    impl Keyed for Entry {
        type Key = u32;
        fn key(&self) -> &u32 {
            &self.0
        }
    }

    fn contents(s: &SortedBlocks<Entry>) -> Vec<(u32, u32)> {
        let mut all: Vec<_> = s.iter_descending().map(|e| (e.0, e.1)).collect();
        all.reverse();
        all
    }

    #[test]
    fn keeps_the_order_of_a_map_through_inserts_replacements_and_removals() {
        let mut model = BTreeMap::new();
        let start: Vec<Entry> = (0..10_000).map(|k| Entry(k * 4, 0)).collect();
        model.extend(start.iter().map(|e| (e.0, e.1)));
        let mut blocks = SortedBlocks::from_sorted(start);
        // A fixed pseudo-random walk: inserts, in-place replacements and removals anywhere.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for step in 0..30_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = (x % 60_000) as u32;
            if x % 3 == 0 {
                assert_eq!(blocks.remove(&key).map(|e| e.1), model.remove(&key));
            } else {
                blocks.put(Entry(key, step));
                model.insert(key, step);
            }
        }
        let expected: Vec<_> = model.into_iter().collect();
        assert_eq!(contents(&blocks), expected);
        assert_eq!(blocks.len(), expected.len());
        assert!(blocks
            .blocks
            .iter()
            .all(|b| !b.is_empty() && b.len() <= MOST));
        assert!(blocks.blocks.len() > 4, "the blocks split as they grew");
    }

    #[test]
    fn an_emptied_sequence_takes_entries_again() {
        let mut blocks = SortedBlocks::from_sorted(vec![Entry(1, 1), Entry(2, 2)]);
        assert!(blocks.remove(&3).is_none());
        assert_eq!(blocks.remove(&1).map(|e| e.1), Some(1));
        assert_eq!(blocks.remove(&2).map(|e| e.1), Some(2));
        assert!(blocks.remove(&2).is_none());
        blocks.put(Entry(5, 5));
        blocks.put(Entry(0, 0));
        assert_eq!(contents(&blocks), vec![(0, 0), (5, 5)]);
    }
}
