//! Collections and their share links in the catalogue: one tree holding each collection
//! under `c` + its id, and each live share link under `t` + the BLAKE3 hash of its token
//! (→ the collection's id), so opening a link is one lookup. Journaled
//! (`Change::Collection`); the tree is derived and rebuilt like the rest.

use std::collections::BTreeMap;

use super::journal::Entry;
use super::tables::{Tree, Writes};
use super::{Catalog, CatalogError, Change};
use crate::model::{collection, Collection};

const COLLECTION: u8 = b'c';
const LINK: u8 = b't';

fn key(kind: u8, name: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + name.len());
    k.push(kind);
    k.extend_from_slice(name.as_bytes());
    k
}

/// The collections a commit's entries touch, as they stand after them.
#[derive(Default)]
pub(super) struct CollectionBatch {
    /// id → (as before the commit, as after).
    touched: BTreeMap<String, (Option<Collection>, Option<Collection>)>,
}

impl CollectionBatch {
    /// Stages the writes: each touched collection, and its links added or removed.
    pub fn stage(&self, batch: &mut Writes) -> Result<(), CatalogError> {
        for (id, (before, after)) in &self.touched {
            let links = |c: &Option<Collection>| -> Vec<String> {
                c.iter()
                    .flat_map(|c| c.shares.iter().map(|s| s.hash.clone()))
                    .collect()
            };
            let (old, new) = (links(before), links(after));
            for hash in old.iter().filter(|h| !new.contains(h)) {
                batch.remove(Tree::Collections, key(LINK, hash));
            }
            for hash in new.iter().filter(|h| !old.contains(h)) {
                batch.insert(Tree::Collections, key(LINK, hash), id.as_bytes());
            }
            match after {
                Some(c) => batch.insert(
                    Tree::Collections,
                    key(COLLECTION, id),
                    serde_json::to_vec(c).map_err(CatalogError::encode)?,
                ),
                None => batch.remove(Tree::Collections, key(COLLECTION, id)),
            }
        }
        Ok(())
    }
}

impl Catalog {
    /// Stages `entry` if it is about a collection; false otherwise.
    pub(super) fn stage_collection(
        &self,
        entry: &Entry,
        batch: &mut CollectionBatch,
    ) -> Result<bool, CatalogError> {
        let Change::Collection { id, step } = &entry.change else {
            return Ok(false);
        };
        if !batch.touched.contains_key(id) {
            let current = self.staged(Tree::Collections, &key(COLLECTION, id))?;
            batch.touched.insert(id.clone(), (current.clone(), current));
        }
        let (_, after) = batch.touched.get_mut(id).expect("just staged");
        *after = collection::apply(after.take(), id, step);
        Ok(true)
    }

    /// One collection by id.
    pub fn collection(&self, id: &str) -> Result<Option<Collection>, CatalogError> {
        self.tables
            .get(Tree::Collections, &key(COLLECTION, id))?
            .map(|v| serde_json::from_slice(&v).map_err(CatalogError::encode))
            .transpose()
    }

    /// Every collection, in id order (the collections layer filters by owner: a library
    /// holds hundreds, not millions).
    pub fn collections(&self) -> Result<Vec<Collection>, CatalogError> {
        self.tables
            .scan_prefix(Tree::Collections, &[COLLECTION])?
            .iter()
            .map(|(_, v)| serde_json::from_slice(v).map_err(CatalogError::encode))
            .collect()
    }

    /// The collection a live share link (by the BLAKE3 hex of its token) opens.
    pub fn collection_by_link(&self, hash: &str) -> Result<Option<Collection>, CatalogError> {
        match self.tables.get(Tree::Collections, &key(LINK, hash))? {
            Some(id) => self.collection(&String::from_utf8_lossy(&id)),
            None => Ok(None),
        }
    }
}
