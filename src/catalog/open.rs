//! Opening a catalogue (replaying what the index has not seen, rebuilding a damaged index) and
//! rebuilding it from the journal.

use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};

use super::journal::{FileJournal, SharedJournal};
use super::tables::{SledTables, SqlTables, Tables, Tree, Writes};
use super::*;

impl Catalog {
    /// Opens the catalogue at `location`: the embedded one (`dir/catalog.sled` over
    /// `dir/journal.jsonl`), applying any journal entries the index has not seen (after a
    /// crash, or with a deleted index), or a shared one in PostgreSQL, whose tables are caught
    /// up with its journal if they lag (made from it the first time). An embedded index that
    /// cannot be read (a crash or a full disk can damage sled's files) is rebuilt from the
    /// journal, with a line in the log: a damaged index costs a rebuild, never a dead end.
    pub fn open(location: &Location) -> Result<Self, CatalogError> {
        Self::open_with(location, false)
    }

    /// `open` for a command that only reads (`ls`, `show`, `verify`…): on a full disk the
    /// space kept in reserve is released so that it still opens. The first write then meets
    /// the full disk and is refused with `disk-full`, as any write is.
    pub fn open_to_read(location: &Location) -> Result<Self, CatalogError> {
        Self::open_with(location, true)
    }

    fn open_with(location: &Location, reading: bool) -> Result<Self, CatalogError> {
        if location.is_shared() {
            return Self::open_shared(location, false);
        }
        let dir = location.dir();
        let mut opened = Self::open_guarded(location);
        if reading && matches!(&opened, Err(e) if e.is_disk_full()) && super::reserve::release(dir)
        {
            tracing::warn!(
                "the disk under {} is full: the space kept in reserve was released so the catalogue can be read; writes are refused until there is room",
                dir.display()
            );
            opened = Self::open_guarded(location);
        }
        let opened = match opened {
            Err(e) if e.is_damaged_index() => {
                tracing::warn!(
                    "the catalogue index in {} cannot be read ({e}); rebuilding it from the journal",
                    dir.display()
                );
                Self::rebuild_index(location)
            }
            other => other,
        };
        if opened.is_ok() {
            super::reserve::keep(dir);
        }
        opened
    }

    /// `open_index`, with a panic inside sled reported as a damaged index.
    fn open_guarded(location: &Location) -> Result<Self, CatalogError> {
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
            })
    }

    /// The catalogue over `tables` and `journal`, with nothing in memory yet.
    fn over(tables: Tables, journal: Journal, location: &Location) -> Result<Self, CatalogError> {
        let applied = journal.end();
        Ok(Self {
            tables,
            journal: Mutex::new(journal),
            source: location.source()?,
            applied_seq: AtomicU64::new(applied.seq),
            listing: RwLock::new(None),
            tag_words: RwLock::default(),
            count: AtomicUsize::new(0),
            location: location.clone(),
        })
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
        let tables = Tables::Sled(SledTables::open(db)?);
        check_format(&tables, &sled_path)?;
        let applied = read_position(&tables)?;
        let journal = Journal::File(FileJournal::open(
            &location.dir().join(JOURNAL_FILE),
            applied,
        )?);
        let catalog = Self::over(tables, journal, location)?;
        catalog.count_if_missing(&|w| catalog.tables.write_alone(w))?;
        // What the index has not seen (after a crash, a deleted index), a batch at a time:
        // memory never holds the journal.
        let mut start = applied.offset;
        let end = catalog
            .source
            .read_after_each(applied, 1024, &mut |batch| {
                catalog.store(batch, start, &[])?;
                start = batch.last().map_or(start, |(_, end)| end.offset);
                Ok(())
            })?;
        catalog
            .journal
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replayed(end)?;
        catalog.maintain(applied == Position::START, &|w| {
            catalog.tables.write_alone(w)
        })?;
        if let Tables::Sled(sled) = &catalog.tables {
            if sled
                .tree(Tree::Meta)
                .remove(META_SEARCH_BUILT_RETIRED)?
                .is_some()
            {
                sled.db.drop_tree(TREE_SEARCH_RETIRED)?;
            }
        }
        catalog.tables.flush()?;
        catalog.count_from_tables()?;
        Ok(catalog)
    }

    /// Opens a shared catalogue: its tables are caught up with the journal (or, for
    /// `rebuild`, emptied and made again from it) in one transaction holding the library's
    /// write lock, so every node sees them before or after, never half made; commits of other
    /// nodes wait for it.
    fn open_shared(location: &Location, rebuild: bool) -> Result<Self, CatalogError> {
        let Location::Shared { url, local } = location else {
            unreachable!("open_shared is called for shared locations only");
        };
        std::fs::create_dir_all(local).map_err(CatalogError::io(local))?;
        let journal = SharedJournal::open(url, Position::START)?;
        let tables = Tables::Sql(SqlTables::open(url, journal.connection().clone())?);
        check_format(&tables, &location.source()?.name())?;
        let catalog = Self::over(tables, Journal::Shared(journal), location)?;
        let mut journal = catalog.journal.lock().unwrap_or_else(|p| p.into_inner());
        let Journal::Shared(shared) = &mut *journal else {
            unreachable!("a shared location has a shared journal");
        };
        let (from, end) =
            in_transaction(shared, |shared| catalog.catch_up_tables(shared, rebuild))?;
        // A second transaction: what `maintain` reads through the pool must be committed.
        in_transaction(shared, |_| {
            let Tables::Sql(sql) = &catalog.tables else {
                unreachable!("shared tables are PostgreSQL's");
            };
            catalog.maintain(from == Position::START, &|w| sql.write_staged(w))
        })?;
        shared.set_end(end);
        catalog
            .applied_seq
            .store(journal.end().seq, Ordering::Release);
        drop(journal);
        catalog.count_from_tables()?;
        Ok(catalog)
    }

    /// Inside the shared journal's open transaction: applies the entries after the tables'
    /// position (all of them after emptying the tables, for `rebuild`). Returns where the
    /// tables stood and where they then stand.
    fn catch_up_tables(
        &self,
        shared: &SharedJournal,
        rebuild: bool,
    ) -> Result<(Position, Position), CatalogError> {
        let Tables::Sql(sql) = &self.tables else {
            unreachable!("shared tables are PostgreSQL's");
        };
        if rebuild {
            sql.clear_staged()?;
        }
        let mut from = read_staged_position(&self.tables)?;
        if !shared.holds(from)? {
            // Tables of another history (the journal restored to an earlier state, or
            // another library's): made again from the journal, which is checked on the way.
            tracing::warn!(
                "the catalogue tables in {} are not at a position of its journal; making them again from the journal",
                shared.connection().name().display()
            );
            sql.clear_staged()?;
            from = Position::START;
        }
        if from != Position::START {
            // Emptied tables start from no assets; others may predate the count.
            self.count_if_missing(&|w| sql.write_staged(w))?;
        }
        let mut start = from.offset;
        let end = self.source.read_after_each(from, 1024, &mut |batch| {
            let staged = self.stage(batch, start, &[])?;
            sql.write_staged(&staged.writes)?;
            start = batch.last().map_or(start, |(_, end)| end.offset);
            Ok(())
        })?;
        if end != from {
            tracing::info!(
                "catalogue tables: {} journal entries applied",
                end.seq - from.seq
            );
        }
        Ok((from, end))
    }

    /// Keeps the number of assets from the tables.
    fn count_from_tables(&self) -> Result<(), CatalogError> {
        let count = super::commit::stored_count(&self.tables.get(Tree::Meta, META_COUNT)?);
        self.count.store(count, Ordering::Relaxed);
        Ok(())
    }

    /// Tables made before the asset count was kept get it counted, before any entry is
    /// replayed onto them: each replayed entry adds to or takes from the stored count.
    fn count_if_missing(
        &self,
        write: &dyn Fn(&Writes) -> Result<(), CatalogError>,
    ) -> Result<(), CatalogError> {
        if self.tables.get_staged(Tree::Meta, META_COUNT)?.is_some() {
            return Ok(());
        }
        let mut count = 0u64;
        self.tables.for_each(Tree::Assets, &mut |_, _| {
            count += 1;
            Ok(())
        })?;
        let mut writes = Writes::default();
        writes.insert(Tree::Meta, META_COUNT, count.to_be_bytes());
        write(&writes)
    }

    /// What tables made by an older brandvault lack, made once: the visibility table,
    /// records in the current shape, the history table (all made by a replay of the whole
    /// journal, `replayed_all`). `write` applies each step's writes (in the
    /// shared journal's transaction, for PostgreSQL).
    fn maintain(
        &self,
        replayed_all: bool,
        write: &dyn Fn(&Writes) -> Result<(), CatalogError>,
    ) -> Result<(), CatalogError> {
        let missing = |key: &[u8]| -> Result<bool, CatalogError> {
            Ok(self.tables.get_staged(Tree::Meta, key)?.is_none())
        };
        if replayed_all {
            let mut done = Writes::default();
            for flag in [META_VISIBILITY_BUILT, history::META_HISTORY_BUILT] {
                done.insert(Tree::Meta, flag, [1]);
            }
            done.insert(Tree::Meta, META_RECORD_SHAPE, Asset::record_shape());
            return write(&done);
        }
        if missing(META_VISIBILITY_BUILT)? {
            let mut writes = Writes::default();
            self.tables.for_each(Tree::Assets, &mut |id, v| {
                writes.insert(
                    Tree::Visibility,
                    id.as_ref(),
                    encode_visibility(&decode_asset(&v)?)?,
                );
                Ok(())
            })?;
            writes.insert(Tree::Meta, META_VISIBILITY_BUILT, [1]);
            write(&writes)?;
        }
        self.reshape_records(write)?;
        self.build_history(write)
    }

    /// Listings send stored records as they are (`list_json`), so records must have the
    /// current shape: after an upgrade that changed it, the records that differ are rewritten,
    /// once.
    fn reshape_records(
        &self,
        write: &dyn Fn(&Writes) -> Result<(), CatalogError>,
    ) -> Result<(), CatalogError> {
        let shape = Asset::record_shape();
        if self
            .tables
            .get_staged(Tree::Meta, META_RECORD_SHAPE)?
            .is_some_and(|v| v.as_ref() == shape)
        {
            return Ok(());
        }
        let mut writes = Writes::default();
        let mut rewritten = 0;
        self.tables.for_each(Tree::Assets, &mut |id, stored| {
            let current =
                serde_json::to_vec(&decode_asset(&stored)?).map_err(CatalogError::encode)?;
            if current != stored.as_ref() {
                writes.insert(Tree::Assets, id.as_ref(), current);
                rewritten += 1;
            }
            Ok(())
        })?;
        writes.insert(Tree::Meta, META_RECORD_SHAPE, shape);
        write(&writes)?;
        if rewritten > 0 {
            tracing::info!("catalogue: {rewritten} records rewritten in the current record shape");
        }
        Ok(())
    }

    /// Recreates the index from the journal alone. Returns the number of assets and of
    /// journal entries.
    pub fn rebuild(location: &Location) -> Result<(Self, usize), CatalogError> {
        let catalog = match location.is_shared() {
            true => Self::open_shared(location, true)?,
            false => Self::rebuild_index(location)?,
        };
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

/// Runs `f` in a transaction of the shared journal holding the library's write lock:
/// committed if it succeeds, rolled back if not.
fn in_transaction<T>(
    shared: &mut SharedJournal,
    f: impl FnOnce(&SharedJournal) -> Result<T, CatalogError>,
) -> Result<T, CatalogError> {
    shared.lock()?;
    match f(shared) {
        Ok(value) => shared.commit().map(|()| value),
        Err(e) => {
            let _ = shared.rollback(shared.end());
            Err(e)
        }
    }
}

/// Refuses tables written in another format version; marks new ones with this one.
fn check_format(tables: &Tables, name: &Path) -> Result<(), CatalogError> {
    match tables.get(Tree::Meta, META_FORMAT)? {
        None => tables.put(
            Tree::Meta,
            META_FORMAT,
            FORMAT_VERSION.to_string().as_bytes(),
        ),
        Some(v) if v.as_ref() == FORMAT_VERSION.to_string().as_bytes() => Ok(()),
        Some(v) => Err(CatalogError::Format {
            path: name.to_owned(),
            found: String::from_utf8_lossy(&v).into_owned(),
        }),
    }
}

/// The journal position the tables hold.
pub(super) fn read_position(tables: &Tables) -> Result<Position, CatalogError> {
    position_from(&|key| tables.get(Tree::Meta, key))
}

/// `read_position` inside the shared journal's open transaction.
fn read_staged_position(tables: &Tables) -> Result<Position, CatalogError> {
    position_from(&|key| tables.get_staged(Tree::Meta, key))
}

type MetaRead<'a> = dyn Fn(&[u8]) -> Result<Option<super::tables::Bytes>, CatalogError> + 'a;

fn position_from(meta: &MetaRead<'_>) -> Result<Position, CatalogError> {
    let u64_at = |key: &[u8]| -> Result<Option<u64>, CatalogError> {
        Ok(meta(key)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map(u64::from_be_bytes))
    };
    let head = meta(META_HEAD)?.and_then(|v| <[u8; 32]>::try_from(v.as_ref()).ok());
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
