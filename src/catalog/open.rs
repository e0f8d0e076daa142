//! Opening a catalogue (replaying what the index has not seen, rebuilding a damaged index) and
//! rebuilding it from the journal.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};

use super::journal::{FileJournal, SharedJournal};
use super::*;

impl Catalog {
    /// Opens the catalogue at `location` (`dir/catalog.sled` over `dir/journal.jsonl`, or a
    /// node's index over a shared journal), applying any
    /// journal entries the index has not seen (after a crash, or with a deleted index). An index
    /// that cannot be read (a crash or a full disk can damage sled's files) is rebuilt from the
    /// journal, with a line in the log: a damaged index costs a rebuild, never a dead end.
    pub fn open(location: &Location) -> Result<Self, CatalogError> {
        let dir = location.dir();
        let opened =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Self::open_index(location)))
                .unwrap_or_else(|panic| {
                    let what = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_default();
                    Err(CatalogError::Encode(format!(
                        "the index panicked while opening: {what}"
                    )))
                });
        match opened {
            Err(e) if e.is_damaged_index() => {
                tracing::warn!(
                    "the catalogue index in {} cannot be read ({e}); rebuilding it from the journal",
                    dir.display()
                );
                Self::rebuild_index(location)
            }
            other => other,
        }
    }

    fn open_index(location: &Location) -> Result<Self, CatalogError> {
        let dir = location.dir();
        std::fs::create_dir_all(dir).map_err(CatalogError::io(dir))?;
        let sled_path = dir.join("catalog.sled");
        let db = sled::Config::new().path(&sled_path).open().map_err(|e| {
            if e.to_string().contains("could not acquire lock") {
                CatalogError::Locked(sled_path.clone())
            } else {
                CatalogError::Db(e)
            }
        })?;
        let meta = db.open_tree(TREE_META)?;
        match meta.get(META_FORMAT)? {
            None => {
                meta.insert(META_FORMAT, FORMAT_VERSION.to_string().as_bytes())?;
            }
            Some(v) if v.as_ref() == FORMAT_VERSION.to_string().as_bytes() => {}
            Some(v) => {
                return Err(CatalogError::Format {
                    path: sled_path,
                    found: String::from_utf8_lossy(&v).into_owned(),
                })
            }
        }
        let applied = read_position(&meta)?;
        let journal = match location {
            Location::Embedded(dir) => {
                Journal::File(FileJournal::open(&dir.join(JOURNAL_FILE), applied)?)
            }
            Location::Shared { url, .. } => Journal::Shared(SharedJournal::open(url, applied)?),
        };
        let mut catalog = Self {
            assets: db.open_tree(TREE_ASSETS)?,
            index: db.open_tree(TREE_INDEX)?,
            stat: db.open_tree(TREE_STAT)?,
            tokens: db.open_tree(TREE_TOKENS)?,
            users: db.open_tree(people::TREE_USERS)?,
            sessions: db.open_tree(people::TREE_SESSIONS)?,
            collections: db.open_tree(collections::TREE_COLLECTIONS)?,
            derived: db.open_tree(derived::TREE_DERIVED)?,
            visibility: db.open_tree(TREE_VISIBILITY)?,
            history: db.open_tree(history::TREE_HISTORY)?,
            stats: db.open_tree(TREE_STATS)?,
            meta,
            db,
            journal: Mutex::new(journal),
            source: location.source()?,
            applied_seq: AtomicU64::new(applied.seq),
            ahead: AtomicBool::new(false),
            listing: RwLock::new(None),
            count: AtomicUsize::new(0),
            location: location.clone(),
        };
        // What the index has not seen (after a crash, a deleted index, a new node), a batch at
        // a time: a new node of a million-asset library never holds the journal in memory.
        let mut start = applied.offset;
        let end = catalog
            .source
            .read_after_each(applied, 1024, &mut |batch| {
                catalog.apply_entries(batch, start, &[])?;
                start = batch.last().map_or(start, |(_, end)| end.offset);
                Ok(())
            })?;
        catalog
            .journal
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .replayed(end)?;
        catalog.count.store(catalog.assets.len(), Ordering::Relaxed);
        // Trees added after catalogues already existed are built once, in one pass.
        if catalog.meta.get(META_VISIBILITY_BUILT)?.is_none() {
            for kv in catalog.assets.iter() {
                let (id, v) = kv?;
                catalog
                    .visibility
                    .insert(&id, encode_visibility(&decode_asset(&v)?)?)?;
            }
            catalog.meta.insert(META_VISIBILITY_BUILT, &[1])?;
        }
        catalog.reshape_records()?;
        catalog.build_history(applied == Position::START)?;
        if catalog.meta.remove(META_SEARCH_BUILT_RETIRED)?.is_some() {
            catalog.db.drop_tree(TREE_SEARCH_RETIRED)?;
        }
        catalog.db.flush()?;
        Ok(catalog)
    }

    /// Listings send stored records as they are (`list_json`), so records must have the
    /// current shape: after an upgrade that changed it, the records that differ are rewritten,
    /// once.
    fn reshape_records(&self) -> Result<(), CatalogError> {
        let shape = Asset::record_shape();
        if self
            .meta
            .get(META_RECORD_SHAPE)?
            .is_some_and(|v| v.as_ref() == shape)
        {
            return Ok(());
        }
        let mut rewritten = 0;
        for kv in self.assets.iter() {
            let (id, stored) = kv?;
            let current =
                serde_json::to_vec(&decode_asset(&stored)?).map_err(CatalogError::encode)?;
            if current != stored.as_ref() {
                self.assets.insert(id, current)?;
                rewritten += 1;
            }
        }
        self.meta.insert(META_RECORD_SHAPE, &shape)?;
        if rewritten > 0 {
            tracing::info!("catalogue: {rewritten} records rewritten in the current record shape");
        }
        Ok(())
    }

    /// Recreates the index from the journal alone. Returns the number of assets and of
    /// journal entries.
    pub fn rebuild(location: &Location) -> Result<(Self, usize), CatalogError> {
        let catalog = Self::rebuild_index(location)?;
        let entries = catalog.position()?.seq as usize;
        Ok((catalog, entries))
    }

    /// Sets the old index aside as `catalog.sled.damaged` (replacing an older one) and
    /// replays the whole journal, which checks every link, into a new one. If the journal does
    /// not check out, the old index is put back: nothing is destroyed for a bad journal.
    /// Download counters, telemetry that is not journaled, start again from zero.
    fn rebuild_index(location: &Location) -> Result<Self, CatalogError> {
        let dir = location.dir();
        let sled_path = dir.join("catalog.sled");
        // Set aside, the index of a running service would leave it writing to a folder nobody
        // reads, and two processes appending to one journal.
        if in_use(&sled_path) {
            return Err(CatalogError::Locked(sled_path));
        }
        let aside = dir.join("catalog.sled.damaged");
        if aside.exists() {
            std::fs::remove_dir_all(&aside).map_err(CatalogError::io(&aside))?;
        }
        if sled_path.exists() {
            std::fs::rename(&sled_path, &aside).map_err(CatalogError::io(&sled_path))?;
        }
        let catalog = match Self::open_index(location) {
            Ok(c) => c,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&sled_path);
                if aside.exists() {
                    let _ = std::fs::rename(&aside, &sled_path);
                }
                return Err(e);
            }
        };
        tracing::warn!(
            "rebuilt the catalogue index in {}: {} assets; the old index is kept in {}",
            dir.display(),
            catalog.len(),
            aside.display()
        );
        Ok(catalog)
    }
}

pub(super) fn read_position(meta: &sled::Tree) -> Result<Position, CatalogError> {
    let u64_at = |key: &[u8]| -> Result<Option<u64>, CatalogError> {
        Ok(meta
            .get(key)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map(u64::from_be_bytes))
    };
    let head = meta
        .get(META_HEAD)?
        .and_then(|v| <[u8; 32]>::try_from(v.as_ref()).ok());
    match (u64_at(META_SEQ)?, head, u64_at(META_OFFSET)?) {
        (Some(seq), Some(head), Some(offset)) => Ok(Position { seq, head, offset }),
        _ => Ok(Position::START),
    }
}

/// Whether another process holds the index at `sled_path`: sled takes an exclusive `flock` on
/// its `db` file for as long as it is open.
fn in_use(sled_path: &Path) -> bool {
    use std::os::fd::AsRawFd;
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(sled_path.join("db"))
    else {
        return false;
    };
    // SAFETY: flock on a file descriptor this function owns; the lock goes with the file.
    let status = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    status != 0
}
