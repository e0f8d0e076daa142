//! Derived files made on request (IIIF images): request key → the object holding the
//! answer. Not journaled and not part of the catalogue's content: a lost entry, or an
//! object `gc` removed, is made again at the next request.

use super::tables::Tree;
use super::{Catalog, CatalogError};

impl Catalog {
    /// The object (BLAKE3 hex) made earlier for the request `key`, if any.
    pub fn derived(&self, key: &[u8; 32]) -> Result<Option<String>, CatalogError> {
        Ok(self
            .tables
            .get(Tree::Derived, key)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Remembers that `object` answers the request `key` (not flushed: derived data).
    pub fn remember_derived(&self, key: &[u8; 32], object: &str) -> Result<(), CatalogError> {
        self.tables.put(Tree::Derived, key, object.as_bytes())
    }
}
