//! Where the catalogue's derived state lives: sled trees beside the journal file (embedded),
//! or PostgreSQL tables beside the journal table (shared), written in the journal's own
//! transaction, so every node reads one index and none keeps a copy of its own.
//!
//! Both hold the same keys and values (written by the same `apply`), so the rest of the
//! catalogue reads either through `Tables` and never asks which one it has.

mod sql;

use std::collections::BTreeMap;

use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::{IVec, Transactional};

use super::CatalogError;

pub(super) use sql::{schema, SqlTables};

/// One keyed table of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Tree {
    /// id → the asset's record (JSON, as sent).
    Assets,
    /// Index keys (field, value, id) → nothing: the prefix scans of filtered listings.
    Index,
    /// The journal position the tables hold, the format version, the asset count.
    Meta,
    /// Path → (size, mtime, inode, id): the ingest stat cache.
    Stat,
    Tokens,
    Users,
    /// Browser sessions (not journaled).
    Sessions,
    /// Collections and their share links.
    Collections,
    /// Request key → object of files made on request (not journaled).
    Derived,
    /// id → the asset's `Visibility`.
    Visibility,
    /// (asset, seq) → the offset of the entry in the journal.
    History,
}

impl Tree {
    pub const ALL: [Tree; 11] = [
        Tree::Assets,
        Tree::Index,
        Tree::Meta,
        Tree::Stat,
        Tree::Tokens,
        Tree::Users,
        Tree::Sessions,
        Tree::Collections,
        Tree::Derived,
        Tree::Visibility,
        Tree::History,
    ];

    /// The sled tree's name (the embedded format: unchanged since these were constants).
    fn sled_name(self) -> &'static str {
        match self {
            Tree::Assets => "assets",
            Tree::Index => "index",
            Tree::Meta => "meta",
            Tree::Stat => "stat",
            Tree::Tokens => "tokens",
            Tree::Users => "users",
            Tree::Sessions => "sessions",
            Tree::Collections => "collections",
            Tree::Derived => "derived",
            Tree::Visibility => "visibility",
            Tree::History => "history",
        }
    }
}

/// The writes of one commit (or one replayed chunk), all or nothing: per key, the last value
/// staged (`None`: removed), as in a sled batch.
#[derive(Default)]
pub(super) struct Writes {
    ops: BTreeMap<(Tree, Vec<u8>), Option<Vec<u8>>>,
}

impl Writes {
    pub fn insert(&mut self, tree: Tree, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.ops.insert((tree, key.into()), Some(value.into()));
    }

    pub fn remove(&mut self, tree: Tree, key: impl Into<Vec<u8>>) {
        self.ops.insert((tree, key.into()), None);
    }

    fn of(&self, tree: Tree) -> impl Iterator<Item = (&[u8], Option<&[u8]>)> {
        self.ops
            .range((tree, Vec::new())..)
            .take_while(move |((t, _), _)| *t == tree)
            .map(|((_, k), v)| (k.as_slice(), v.as_deref()))
    }

    /// The tables these writes touch, each once.
    fn trees(&self) -> Vec<Tree> {
        let mut trees: Vec<Tree> = self.ops.keys().map(|(t, _)| *t).collect();
        trees.dedup();
        trees
    }
}

/// The embedded catalogue's trees.
pub(super) struct SledTables {
    pub db: sled::Db,
    trees: Vec<sled::Tree>,
    /// The reach counters: updated in place, outside commits.
    stats: sled::Tree,
}

impl SledTables {
    pub fn open(db: sled::Db) -> Result<Self, CatalogError> {
        let trees = Tree::ALL
            .iter()
            .map(|t| db.open_tree(t.sled_name()))
            .collect::<Result<_, _>>()?;
        let stats = db.open_tree(STATS)?;
        Ok(Self { db, trees, stats })
    }

    pub fn tree(&self, tree: Tree) -> &sled::Tree {
        &self.trees[tree as usize]
    }

    /// Applies `writes` to every tree they touch in one sled transaction.
    fn write(&self, writes: &Writes) -> Result<(), CatalogError> {
        let touched = writes.trees();
        if touched.is_empty() {
            return Ok(());
        }
        let trees: Vec<&sled::Tree> = touched.iter().map(|t| self.tree(*t)).collect();
        let batches: Vec<sled::Batch> = touched
            .iter()
            .map(|t| {
                let mut batch = sled::Batch::default();
                for (k, v) in writes.of(*t) {
                    match v {
                        Some(v) => batch.insert(k, v),
                        None => batch.remove(k),
                    }
                }
                batch
            })
            .collect();
        trees
            .as_slice()
            .transaction(|views| {
                for (view, batch) in views.iter().zip(&batches) {
                    view.apply_batch(batch)?;
                }
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                TransactionError::Storage(e) => CatalogError::Db(e),
                TransactionError::Abort(()) => CatalogError::Encode("transaction aborted".into()),
            })
    }
}

/// The catalogue's tables, in sled or in PostgreSQL.
pub(super) enum Tables {
    Sled(SledTables),
    Sql(SqlTables),
}

/// A key or value as a table holds it: sled's own buffer, shared without a copy, or bytes read
/// from PostgreSQL. Callers read it as `&[u8]`; neither home's type leaks into the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Bytes {
    Sled(IVec),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Self::Sled(v) => v,
            Self::Owned(v) => v,
        }
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl From<IVec> for Bytes {
    fn from(v: IVec) -> Self {
        Self::Sled(v)
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Self::Owned(v)
    }
}

/// A key and its value.
pub(super) type Row = (Bytes, Bytes);

impl Tables {
    pub fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Bytes>, CatalogError> {
        match self {
            Self::Sled(s) => Ok(s.tree(tree).get(key)?.map(Bytes::from)),
            Self::Sql(s) => s.get(tree, key),
        }
    }

    /// `get` for a commit staging its writes: inside its transaction, for PostgreSQL.
    pub fn get_staged(&self, tree: Tree, key: &[u8]) -> Result<Option<Bytes>, CatalogError> {
        match self {
            Self::Sled(s) => Ok(s.tree(tree).get(key)?.map(Bytes::from)),
            Self::Sql(s) => s.get_staged(tree, key),
        }
    }

    /// `get_many` for a commit staging its writes: inside its transaction, for PostgreSQL.
    pub fn get_many_staged(
        &self,
        tree: Tree,
        keys: &[&[u8]],
    ) -> Result<Vec<Option<Bytes>>, CatalogError> {
        match self {
            Self::Sled(_) => self.get_many(tree, keys),
            Self::Sql(s) => s.get_many_staged(tree, keys),
        }
    }

    /// The values of `keys`, in their order (`None` for a key that is absent): one query for
    /// PostgreSQL.
    pub fn get_many(&self, tree: Tree, keys: &[&[u8]]) -> Result<Vec<Option<Bytes>>, CatalogError> {
        match self {
            Self::Sled(s) => keys
                .iter()
                .map(|k| Ok(s.tree(tree).get(k)?.map(Bytes::from)))
                .collect(),
            Self::Sql(s) => s.get_many(tree, keys),
        }
    }

    /// Up to `n` keys from `start` on (inclusive) that begin with `prefix`, in key order.
    pub fn keys_from(
        &self,
        tree: Tree,
        prefix: &[u8],
        start: &[u8],
        n: usize,
    ) -> Result<Vec<Bytes>, CatalogError> {
        match self {
            Self::Sled(s) => s
                .tree(tree)
                .range(start..)
                .keys()
                .take_while(|k| k.as_ref().map_or(true, |k| k.starts_with(prefix)))
                .take(n)
                .map(|k| Ok(k?.into()))
                .collect(),
            Self::Sql(s) => s.keys_from(tree, prefix, start, n),
        }
    }

    /// Every row whose key begins with `prefix`, in key order (for prefixes that hold a few:
    /// an asset's history, the collections).
    pub fn scan_prefix(&self, tree: Tree, prefix: &[u8]) -> Result<Vec<Row>, CatalogError> {
        match self {
            Self::Sled(s) => s
                .tree(tree)
                .scan_prefix(prefix)
                .map(|kv| {
                    let (k, v) = kv?;
                    Ok((k.into(), v.into()))
                })
                .collect(),
            Self::Sql(s) => s.scan_prefix(tree, prefix),
        }
    }

    /// Hands every row to `each`, in key order, a page at a time (memory holds one page).
    pub fn for_each(
        &self,
        tree: Tree,
        each: &mut dyn FnMut(Bytes, Bytes) -> Result<(), CatalogError>,
    ) -> Result<(), CatalogError> {
        match self {
            Self::Sled(s) => {
                for kv in s.tree(tree).iter() {
                    let (k, v) = kv?;
                    each(k.into(), v.into())?;
                }
                Ok(())
            }
            Self::Sql(s) => s.for_each(tree, each),
        }
    }

    pub fn is_empty(&self, tree: Tree) -> Result<bool, CatalogError> {
        match self {
            Self::Sled(s) => Ok(s.tree(tree).is_empty()),
            Self::Sql(s) => Ok(s.keys_from(tree, &[], &[], 1)?.is_empty()),
        }
    }

    /// A write of its own, outside any commit: what is not journaled (sessions, derived
    /// files) and what opening a catalogue maintains.
    pub fn put(&self, tree: Tree, key: &[u8], value: &[u8]) -> Result<(), CatalogError> {
        match self {
            Self::Sled(s) => Ok(s.tree(tree).insert(key, value).map(drop)?),
            Self::Sql(_) => {
                let mut writes = Writes::default();
                writes.insert(tree, key, value);
                self.write_alone(&writes)
            }
        }
    }

    /// Removes `keys`, outside any commit.
    pub fn remove(&self, tree: Tree, keys: &[&[u8]]) -> Result<(), CatalogError> {
        let mut writes = Writes::default();
        for k in keys {
            writes.remove(tree, *k);
        }
        self.write_alone(&writes)
    }

    /// Applies `writes` in a transaction of their own.
    pub fn write_alone(&self, writes: &Writes) -> Result<(), CatalogError> {
        match self {
            Self::Sled(s) => s.write(writes),
            Self::Sql(s) => s.write_alone(writes),
        }
    }

    /// Adds `n` to each counter (8-byte big-endian values; the reach statistics).
    pub fn add_counts(&self, counts: Vec<(Vec<u8>, u64)>) -> Result<(), CatalogError> {
        match self {
            Self::Sled(s) => {
                for (key, n) in counts {
                    s.stats.update_and_fetch(key, |old| {
                        let before = old
                            .and_then(|v| <[u8; 8]>::try_from(v).ok())
                            .map_or(0, u64::from_be_bytes);
                        Some((before + n).to_be_bytes().to_vec())
                    })?;
                }
                Ok(())
            }
            Self::Sql(s) => s.add_counts(counts),
        }
    }

    /// Every counter, by key.
    pub fn counts(&self) -> Result<Vec<(Vec<u8>, u64)>, CatalogError> {
        match self {
            Self::Sled(s) => {
                let mut all = Vec::new();
                for kv in s.stats.iter() {
                    let (k, v) = kv?;
                    if let Ok(n) = <[u8; 8]>::try_from(v.as_ref()) {
                        all.push((k.to_vec(), u64::from_be_bytes(n)));
                    }
                }
                Ok(all)
            }
            Self::Sql(s) => s.counts(),
        }
    }

    /// The counters named, in order (0 for one never counted).
    pub fn counts_of(&self, keys: &[Vec<u8>]) -> Result<Vec<u64>, CatalogError> {
        match self {
            Self::Sled(s) => keys
                .iter()
                .map(|k| {
                    let v = s.stats.get(k)?;
                    Ok(v.and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
                        .map_or(0, u64::from_be_bytes))
                })
                .collect(),
            Self::Sql(s) => s.counts_of(keys),
        }
    }

    /// Makes what was written durable (sled; PostgreSQL commits are).
    pub fn flush(&self) -> Result<(), CatalogError> {
        if let Self::Sled(s) = self {
            s.db.flush()?;
        }
        Ok(())
    }
}

/// The sled tree of the reach counters (telemetry: read-modify-write, not a batch).
const STATS: &str = "stats";
