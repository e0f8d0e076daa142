//! The catalogue: the only module that imports sled. sled is a fast index over the journal
//! (the ground truth); it can be deleted and rebuilt from the journal at any time.
//!
//! Its interface speaks only model types, so a PostgreSQL backend can stand behind the same
//! methods without touching ingest, render or http.

mod change;
mod index;
mod journal;
mod listing;
mod people;
mod query;
mod requests;
mod words;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};

use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;

pub use change::{apply, Change, Patch, SPOT_RULES};
pub use journal::{Entry, Journal, Position};
pub use listing::RenditionOwner;
pub use people::SessionRecord;

pub use query::{Browse, Filter};
pub use requests::request_revocation;

use crate::model::{Asset, AssetId, ErrorKind};

/// The on-disk format this build reads and writes. Bump on any change to keys or values.
pub const FORMAT_VERSION: u64 = 2;

const TREE_ASSETS: &str = "assets";
const TREE_INDEX: &str = "index";
const TREE_META: &str = "meta";
const TREE_STAT: &str = "stat";
const TREE_TOKENS: &str = "tokens";
const TREE_STATS: &str = "stats";
/// Held each asset's folded text until text search moved to the in-memory word index;
/// dropped at open.
const TREE_SEARCH_RETIRED: &str = "search";
const META_SEARCH_BUILT_RETIRED: &[u8] = b"search_built";
/// id → the asset's `Visibility` (status, audience, owner, window): lets a hidden asset be
/// refused without decoding its record, so it answers as fast as one that does not exist.
const TREE_VISIBILITY: &str = "visibility";
/// Set once the visibility tree covers every asset (built at open for older catalogues).
const META_VISIBILITY_BUILT: &[u8] = b"visibility_built";

const META_FORMAT: &[u8] = b"format_version";
const META_SEQ: &[u8] = b"journal_seq";
const META_HEAD: &[u8] = b"journal_head";
const META_OFFSET: &[u8] = b"journal_offset";

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("catalogue I/O on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("catalogue database error: {0}")]
    Db(#[from] sled::Error),
    #[error("cannot encode a catalogue record: {0}")]
    Encode(String),
    #[error("catalogue at {path} has format version {found}, but this brandvault reads version {FORMAT_VERSION}; use a matching brandvault, or run `brandvault rebuild`")]
    Format { path: PathBuf, found: String },
    #[error("journal {path} is damaged or was altered at entry {seq}: {reason}")]
    JournalTampered {
        path: PathBuf,
        seq: u64,
        reason: String,
    },
    #[error("journal {path} is shorter than the catalogue, which has applied {applied} entries; run `brandvault rebuild`")]
    JournalBehind { path: PathBuf, applied: u64 },
    #[error("the library at {0} is in use by another brandvault process (is `brandvault serve` running? stop it first)")]
    Locked(PathBuf),
    #[error("no asset with id {0}")]
    NotFound(String),
    #[error("id prefix {prefix} matches {count} assets; give more characters")]
    Ambiguous { prefix: String, count: usize },
    #[error("{0:?} is not an asset id or a prefix of at least 6 hexadecimal characters")]
    BadId(String),
}

impl CatalogError {
    /// Whether the write failed because the disk is full (the journal or sled could not grow).
    pub fn is_disk_full(&self) -> bool {
        match self {
            Self::Io { source, .. } => crate::model::is_disk_full(source),
            Self::Db(sled::Error::Io(e)) => crate::model::is_disk_full(e),
            _ => false,
        }
    }

    /// Whether this error means sled's files are unreadable, as opposed to a journal problem,
    /// a lock held by another process, a full disk or another format version.
    pub fn is_damaged_index(&self) -> bool {
        match self {
            Self::Db(sled::Error::Io(e)) => !crate::model::is_disk_full(e),
            Self::Db(
                sled::Error::Corruption { .. }
                | sled::Error::ReportableBug(_)
                | sled::Error::Unsupported(_),
            ) => true,
            Self::Encode(_) => true,
            _ => false,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            _ if self.is_disk_full() => ErrorKind::Unavailable,
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::Ambiguous { .. } => ErrorKind::Conflict,
            Self::BadId(_) => ErrorKind::InvalidInput,
            _ => ErrorKind::Internal,
        }
    }

    /// The stable code for users and API clients.
    pub fn code(&self) -> &'static str {
        match self {
            _ if self.is_disk_full() => "disk-full",
            Self::NotFound(_) => "asset-not-found",
            Self::Ambiguous { .. } => "ambiguous-id",
            Self::BadId(_) => "bad-id",
            Self::JournalTampered { .. } => "journal-tampered",
            Self::Format { .. } => "catalog-format",
            _ => "internal",
        }
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Io {
            path: path.to_owned(),
            source,
        }
    }

    fn encode(e: serde_json::Error) -> Self {
        Self::Encode(e.to_string())
    }
}

/// An API token as stored: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenRecord {
    pub name: String,
    pub role: crate::model::Role,
    pub hash: String,
    pub created_at: String,
}

/// Uses (downloads or embed views) of one preset of one asset on one day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DownloadCount {
    pub day: String,
    pub id: String,
    pub preset: String,
    pub spot: Option<String>,
    /// `download` (from the asset's page or the API), `embed` (asked by its stable `/a/`
    /// address, as agencies embed it) or `view` (its rendition fetched by `/r/`).
    pub via: String,
    pub count: u64,
}

/// How an asset reached someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Via {
    Download,
    Embed,
    View,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Download => "download",
            Via::Embed => "embed",
            Via::View => "view",
        }
    }
}

/// One counted use of an asset's preset on a day (YYYY-MM-DD, UTC), with its spot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hit {
    pub day: String,
    pub id: AssetId,
    pub preset: String,
    pub spot: Option<String>,
    pub via: Via,
}

/// What the stat cache remembers about a file, so an unchanged file is not hashed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub size: u64,
    pub mtime_ns: i128,
    pub inode: u64,
}

/// A stat-cache update: this path, with this stamp, holds these bytes.
#[derive(Debug, Clone)]
pub struct StatEntry {
    pub path: String,
    pub stamp: FileStamp,
    pub id: AssetId,
}

/// The catalogue: sled trees over the journal.
pub struct Catalog {
    db: sled::Db,
    assets: sled::Tree,
    index: sled::Tree,
    meta: sled::Tree,
    stat: sled::Tree,
    tokens: sled::Tree,
    users: sled::Tree,
    sessions: sled::Tree,
    visibility: sled::Tree,
    /// Download counters: telemetry, not catalogue content, so not journaled.
    stats: sled::Tree,
    /// One writer at a time: the journal is a sequence.
    journal: Mutex<Journal>,
    /// Every asset's facets in browsing order (newest first) and the words of its text, from
    /// the first browse or text query on.
    listing: RwLock<Option<listing::Listing>>,
    /// Number of assets, counted once at open and kept by each commit (sled's `len` walks the
    /// whole tree, and /healthz and /metrics ask often).
    count: AtomicUsize,
    dir: PathBuf,
}

impl Catalog {
    /// Opens the catalogue in `dir` (`dir/catalog.sled`, `dir/journal.jsonl`), applying any
    /// journal entries the index has not seen (after a crash, or with a deleted index). An index
    /// that cannot be read (a crash or a full disk can damage sled's files) is rebuilt from the
    /// journal, with a line in the log: a damaged index costs a rebuild, never a dead end.
    pub fn open(dir: &Path) -> Result<Self, CatalogError> {
        let opened =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Self::open_index(dir)))
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
                Self::rebuild_index(dir)
            }
            other => other,
        }
    }

    fn open_index(dir: &Path) -> Result<Self, CatalogError> {
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
        let (journal, pending) = Journal::open(&dir.join("journal.jsonl"), applied)?;
        let catalog = Self {
            assets: db.open_tree(TREE_ASSETS)?,
            index: db.open_tree(TREE_INDEX)?,
            stat: db.open_tree(TREE_STAT)?,
            tokens: db.open_tree(TREE_TOKENS)?,
            users: db.open_tree(people::TREE_USERS)?,
            sessions: db.open_tree(people::TREE_SESSIONS)?,
            visibility: db.open_tree(TREE_VISIBILITY)?,
            stats: db.open_tree(TREE_STATS)?,
            meta,
            db,
            journal: Mutex::new(journal),
            listing: RwLock::new(None),
            count: AtomicUsize::new(0),
            dir: dir.to_owned(),
        };
        for chunk in pending.chunks(1024) {
            if let Some((_, end)) = chunk.last() {
                let entries: Vec<Entry> = chunk.iter().map(|(e, _)| e.clone()).collect();
                catalog.apply_entries(&entries, *end, &[])?;
            }
        }
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
        if catalog.meta.remove(META_SEARCH_BUILT_RETIRED)?.is_some() {
            catalog.db.drop_tree(TREE_SEARCH_RETIRED)?;
        }
        catalog.db.flush()?;
        Ok(catalog)
    }

    /// Recreates the index from the journal alone. Returns the number of assets and of
    /// journal entries.
    pub fn rebuild(dir: &Path) -> Result<(Self, usize), CatalogError> {
        let catalog = Self::rebuild_index(dir)?;
        let entries = catalog.position()?.seq as usize;
        Ok((catalog, entries))
    }

    /// Sets the old index aside as `catalog.sled.damaged` (replacing an older one) and
    /// replays the whole journal, which checks every link, into a new one. If the journal does
    /// not check out, the old index is put back: nothing is destroyed for a bad journal.
    /// Download counters, telemetry that is not journaled, start again from zero.
    fn rebuild_index(dir: &Path) -> Result<Self, CatalogError> {
        let sled_path = dir.join("catalog.sled");
        let aside = dir.join("catalog.sled.damaged");
        if aside.exists() {
            std::fs::remove_dir_all(&aside).map_err(CatalogError::io(&aside))?;
        }
        if sled_path.exists() {
            std::fs::rename(&sled_path, &aside).map_err(CatalogError::io(&sled_path))?;
        }
        let catalog = match Self::open_index(dir) {
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

    /// The folder holding the catalogue.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Records changes: journal first (fsynced), then the index, atomically, then flushed.
    /// Stat-cache updates ride along in the same index transaction.
    pub fn commit(
        &self,
        at: &str,
        actor: &str,
        changes: &[Change],
        stat: &[StatEntry],
    ) -> Result<(), CatalogError> {
        if changes.is_empty() && stat.is_empty() {
            return Ok(());
        }
        // A poisoned lock only means another writer panicked; the journal itself is intact.
        let mut journal = self.journal.lock().unwrap_or_else(|p| p.into_inner());
        let before = journal.end();
        let entries = journal.append(at, actor, changes)?;
        if let Err(e) = self.apply_entries(&entries, journal.end(), stat) {
            // All or nothing: entries the index refused (a full disk) must not come back at
            // the next open's replay.
            if let Err(cut) = journal.rollback(before) {
                tracing::error!("refused entries could not be cut from the journal: {cut}");
            }
            return Err(e);
        }
        // The entries are durable in the journal: the commit stands. An index that could not
        // be flushed is caught up from the journal at the next open (or rebuilt if damaged).
        if let Err(e) = self.db.flush() {
            tracing::warn!(
                "the catalogue index could not be flushed ({e}); the journal holds the change"
            );
        }
        Ok(())
    }

    /// Applies journal entries to the trees in one transaction and records the position.
    fn apply_entries(
        &self,
        entries: &[Entry],
        end: Position,
        stat: &[StatEntry],
    ) -> Result<(), CatalogError> {
        let mut asset_batch = sled::Batch::default();
        let mut index_batch = sled::Batch::default();
        let mut visibility_batch = sled::Batch::default();
        let mut listed: Vec<(AssetId, Option<&Asset>)> = Vec::new();
        let (mut added, mut removed) = (0, 0);
        // Several entries may touch the same asset: work on the latest version of each.
        let mut touched: std::collections::BTreeMap<AssetId, (Option<Asset>, Option<Asset>)> =
            Default::default();
        let mut accounts = people::AccountBatch::default();
        for entry in entries {
            if self.stage_account(entry, &mut accounts)? {
                continue;
            }
            let id = entry.change.asset_id();
            let (_, current) = match touched.entry(id) {
                std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => {
                    let old = self.asset(&id)?;
                    v.insert((old.clone(), old))
                }
            };
            *current = change::apply(current.take(), &entry.change);
        }
        for (id, (old, new)) in &touched {
            if old == new {
                continue;
            }
            let old_keys = old.as_ref().map(index::keys).unwrap_or_default();
            let new_keys = new.as_ref().map(index::keys).unwrap_or_default();
            for k in old_keys.iter().filter(|k| !new_keys.contains(k)) {
                index_batch.remove(k.as_slice());
            }
            for k in new_keys.iter().filter(|k| !old_keys.contains(k)) {
                index_batch.insert(k.as_slice(), &[]);
            }
            match (old, new) {
                (None, Some(_)) => added += 1,
                (Some(_), None) => removed += 1,
                _ => {}
            }
            match new {
                Some(a) => {
                    asset_batch.insert(
                        id.as_bytes(),
                        serde_json::to_vec(a).map_err(CatalogError::encode)?,
                    );
                    visibility_batch.insert(id.as_bytes(), encode_visibility(a)?);
                    listed.push((*id, Some(a)));
                }
                None => {
                    asset_batch.remove(id.as_bytes());
                    visibility_batch.remove(id.as_bytes());
                    listed.push((*id, None));
                }
            }
        }
        let mut meta_batch = sled::Batch::default();
        meta_batch.insert(META_SEQ, &end.seq.to_be_bytes());
        meta_batch.insert(META_HEAD, &end.head);
        meta_batch.insert(META_OFFSET, &end.offset.to_be_bytes());
        let user_batch = accounts.users();
        let mut stat_batch = sled::Batch::default();
        for s in stat {
            stat_batch.insert(s.path.as_bytes(), encode_stat(s.stamp, s.id).as_slice());
        }
        (
            &self.assets,
            &self.index,
            &self.meta,
            &self.stat,
            &self.tokens,
            &self.users,
            &self.visibility,
        )
            .transaction(|(a, i, m, s, t, u, v)| {
                a.apply_batch(&asset_batch)?;
                i.apply_batch(&index_batch)?;
                m.apply_batch(&meta_batch)?;
                s.apply_batch(&stat_batch)?;
                t.apply_batch(&accounts.tokens)?;
                u.apply_batch(&user_batch)?;
                v.apply_batch(&visibility_batch)?;
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                TransactionError::Storage(e) => CatalogError::Db(e),
                TransactionError::Abort(()) => CatalogError::Encode("transaction aborted".into()),
            })?;
        self.count.fetch_add(added, Ordering::Relaxed);
        self.count.fetch_sub(removed, Ordering::Relaxed);
        let mut listing = self.listing.write().unwrap_or_else(|p| p.into_inner());
        if let Some(listing) = listing.as_mut() {
            for (id, asset) in listed {
                match asset {
                    Some(a) => listing.insert(a),
                    None => listing.remove(&id),
                }
            }
            listing.settle();
        }
        drop(listing);
        Ok(())
    }

    /// Builds the in-memory listing now rather than at the first browse (`serve` does, at
    /// start): every record is decoded once.
    pub fn load_listing(&self) -> Result<(), CatalogError> {
        self.with_listing(|_| ())
    }

    /// The assets that hold the rendition object `hash` (hex) as `media_type`, from memory:
    /// what delivery needs to decide visibility and count the hit without reading a record.
    pub fn rendition_owners(
        &self,
        hash: &str,
        media_type: &str,
    ) -> Result<Vec<RenditionOwner>, CatalogError> {
        self.with_listing(|l| l.owners(hash, media_type))
    }

    /// Runs `f` on the in-memory listing, building it first if needed.
    fn with_listing<T>(&self, f: impl FnOnce(&listing::Listing) -> T) -> Result<T, CatalogError> {
        {
            let guard = self.listing.read().unwrap_or_else(|p| p.into_inner());
            if let Some(listing) = guard.as_ref() {
                return Ok(f(listing));
            }
        }
        let mut guard = self.listing.write().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let mut built = listing::Listing::default();
            for kv in self.assets.iter() {
                let (_, v) = kv?;
                built.insert(&decode_asset(&v)?);
            }
            built.settle();
            *guard = Some(built);
        }
        Ok(f(guard.as_ref().expect("just built")))
    }

    /// The ids of the assets whose folded text holds every word of `query`, in id order, from
    /// the in-memory word index; `None` for a query without words.
    pub(crate) fn text_matches(
        &self,
        query: Option<&str>,
    ) -> Result<Option<Vec<AssetId>>, CatalogError> {
        self.with_listing(|l| l.text_matches(query))
    }

    /// Writes everything to disk (also done at each commit; used at shutdown).
    pub fn flush(&self) -> Result<(), CatalogError> {
        self.db.flush()?;
        Ok(())
    }

    /// One asset by id.
    pub fn asset(&self, id: &AssetId) -> Result<Option<Asset>, CatalogError> {
        match self.assets.get(id.as_bytes())? {
            Some(v) => Ok(Some(decode_asset(&v)?)),
            None => Ok(None),
        }
    }

    /// One asset by id, if `allowed` says yes from its visibility alone: a hidden asset is
    /// refused after one small lookup, like one that does not exist, and never decoded.
    pub fn asset_if(
        &self,
        id: &AssetId,
        allowed: impl Fn(&crate::model::Visibility<'_>) -> bool,
    ) -> Result<Option<Asset>, CatalogError> {
        let Some(v) = self.visibility.get(id.as_bytes())? else {
            return Ok(None);
        };
        let visibility: crate::model::Visibility<'_> =
            serde_json::from_slice(&v).map_err(CatalogError::encode)?;
        if !allowed(&visibility) {
            return Ok(None);
        }
        self.asset(id)
    }

    /// Whether these bytes are catalogued.
    pub fn contains(&self, id: &AssetId) -> Result<bool, CatalogError> {
        Ok(self.assets.contains_key(id.as_bytes())?)
    }

    /// Resolves a full id or a unique prefix of at least 6 hexadecimal characters.
    pub fn resolve(&self, id_or_prefix: &str) -> Result<AssetId, CatalogError> {
        let s = id_or_prefix.trim().to_ascii_lowercase();
        if let Ok(id) = s.parse::<AssetId>() {
            return if self.contains(&id)? {
                Ok(id)
            } else {
                Err(CatalogError::NotFound(s))
            };
        }
        if s.len() < 6 || s.len() > 64 || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(CatalogError::BadId(id_or_prefix.to_owned()));
        }
        let even = &s[..s.len() / 2 * 2];
        let prefix: Vec<u8> = (0..even.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(&even[i..i + 2], 16).ok())
            .collect();
        let mut found = Vec::new();
        for kv in self.assets.scan_prefix(&prefix).keys() {
            let key = kv?;
            if let Some(id) = AssetId::from_slice(&key) {
                if id.to_hex().starts_with(&s) {
                    found.push(id);
                    if found.len() > 1 {
                        break;
                    }
                }
            }
        }
        match found.as_slice() {
            [id] => Ok(*id),
            [] => Err(CatalogError::NotFound(s)),
            _ => Err(CatalogError::Ambiguous {
                prefix: s,
                count: found.len(),
            }),
        }
    }

    /// Assets matching `filter`, in id order, starting after `filter.after`.
    pub fn list(&self, filter: &Filter) -> Result<Vec<Asset>, CatalogError> {
        query::run(self, filter)
    }

    /// What `filter` accepts, newest first, one page of it with the total count.
    pub fn browse(
        &self,
        filter: &Filter,
        offset: usize,
        per_page: usize,
    ) -> Result<Browse, CatalogError> {
        query::browse(self, filter, offset, per_page)
    }

    /// What `filter` accepts, counted per spot id: (all, approved), from memory.
    pub fn count_by_spot(
        &self,
        filter: &Filter,
    ) -> Result<std::collections::HashMap<String, (usize, usize)>, CatalogError> {
        self.with_listing(|l| l.count_by_spot(filter))
    }

    /// Every catalogued id.
    pub fn ids(&self) -> Result<Vec<AssetId>, CatalogError> {
        self.assets
            .iter()
            .keys()
            .map(|k| Ok(k?).map(|k| AssetId::from_slice(&k)))
            .filter_map(Result::transpose)
            .collect()
    }

    /// Number of catalogued assets.
    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What the stat cache knows about `path`: the id, if the file still has the same stamp.
    pub fn cached_id(&self, path: &str, stamp: FileStamp) -> Result<Option<AssetId>, CatalogError> {
        Ok(self
            .stat
            .get(path.as_bytes())?
            .and_then(|v| decode_stat(&v))
            .filter(|(s, _)| *s == stamp)
            .map(|(_, id)| id))
    }

    /// Every journal entry about one asset, oldest first: its audit trail.
    pub fn history(&self, id: &AssetId) -> Result<Vec<Entry>, CatalogError> {
        let (entries, _) = Journal::read_all(&self.dir.join("journal.jsonl"))?;
        Ok(entries
            .into_iter()
            .filter(|e| e.change.asset() == Some(*id))
            .collect())
    }

    /// Every live API token: (name, role, BLAKE3 hash hex, created at).
    pub fn tokens(&self) -> Result<Vec<TokenRecord>, CatalogError> {
        self.tokens
            .iter()
            .values()
            .map(|v| serde_json::from_slice(&v?).map_err(CatalogError::encode))
            .collect()
    }

    /// Adds counted uses of assets (downloads, embed views) to the reach statistics.
    pub fn count_hits(&self, hits: &[(Hit, u64)]) -> Result<(), CatalogError> {
        for (hit, n) in hits {
            let mut parts = vec![
                hit.day.clone(),
                hit.id.to_hex(),
                hit.preset.clone(),
                hit.spot.clone().unwrap_or_default(),
            ];
            // Downloads keep the four-part key they always had; other uses name themselves.
            if hit.via != Via::Download {
                parts.push(hit.via.as_str().to_owned());
            }
            self.stats
                .update_and_fetch(parts.join("\0").as_bytes(), |old| {
                    let before = old
                        .and_then(|v| <[u8; 8]>::try_from(v).ok())
                        .map_or(0, u64::from_be_bytes);
                    Some((before + n).to_be_bytes().to_vec())
                })?;
        }
        Ok(())
    }

    /// Every reach counter, by day, asset, preset, spot and way of use.
    pub fn download_stats(&self) -> Result<Vec<DownloadCount>, CatalogError> {
        let mut out = Vec::new();
        for kv in self.stats.iter() {
            let (k, v) = kv?;
            let key = String::from_utf8_lossy(&k).into_owned();
            let parts: Vec<&str> = key.split('\0').collect();
            let Some(count) = <[u8; 8]>::try_from(v.as_ref()).ok().map(u64::from_be_bytes) else {
                continue;
            };
            let (day, id, preset, spot, via) = match parts.as_slice() {
                [day, id, preset, spot] => (day, id, preset, spot, "download"),
                [day, id, preset, spot, via] => (day, id, preset, spot, *via),
                _ => continue,
            };
            out.push(DownloadCount {
                day: (*day).to_owned(),
                id: (*id).to_owned(),
                preset: (*preset).to_owned(),
                spot: (!spot.is_empty()).then(|| (*spot).to_owned()),
                via: via.to_owned(),
                count,
            });
        }
        Ok(out)
    }

    /// Every asset that has a rendition stored under this object hash (hex).
    pub fn assets_with_rendition(&self, hash: &str) -> Result<Vec<AssetId>, CatalogError> {
        let prefix = index::prefix(index::RENDITION, hash);
        self.index
            .scan_prefix(&prefix)
            .keys()
            .map(|k| Ok(AssetId::from_slice(&k?[prefix.len()..])))
            .filter_map(Result::transpose)
            .collect()
    }

    /// The journal position the index has applied.
    pub fn position(&self) -> Result<Position, CatalogError> {
        read_position(&self.meta)
    }

    /// Checks the whole journal chain and that it ends where the index says it does (which
    /// catches an edit to the last entry too).
    pub fn verify_journal(&self) -> Result<usize, CatalogError> {
        let path = self.dir.join("journal.jsonl");
        let (entries, end) = Journal::read_all(&path)?;
        let applied = self.position()?;
        if end.head != applied.head || end.seq != applied.seq {
            return Err(CatalogError::JournalTampered {
                path,
                seq: end.seq,
                reason: "the journal's last entry differs from the one the catalogue applied"
                    .into(),
            });
        }
        Ok(entries.len())
    }
}

fn read_position(meta: &sled::Tree) -> Result<Position, CatalogError> {
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

fn encode_visibility(asset: &Asset) -> Result<Vec<u8>, CatalogError> {
    serde_json::to_vec(&crate::model::Visibility::of(asset)).map_err(CatalogError::encode)
}

fn decode_asset(bytes: &[u8]) -> Result<Asset, CatalogError> {
    serde_json::from_slice(bytes).map_err(CatalogError::encode)
}

fn encode_stat(stamp: FileStamp, id: AssetId) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..8].copy_from_slice(&stamp.size.to_be_bytes());
    out[8..24].copy_from_slice(&stamp.mtime_ns.to_be_bytes());
    out[24..32].copy_from_slice(&stamp.inode.to_be_bytes());
    out[32..].copy_from_slice(id.as_bytes());
    out
}

fn decode_stat(bytes: &[u8]) -> Option<(FileStamp, AssetId)> {
    let bytes: &[u8; 64] = bytes.try_into().ok()?;
    let stamp = FileStamp {
        size: u64::from_be_bytes(bytes[..8].try_into().ok()?),
        mtime_ns: i128::from_be_bytes(bytes[8..24].try_into().ok()?),
        inode: u64::from_be_bytes(bytes[24..32].try_into().ok()?),
    };
    Some((stamp, AssetId::from_slice(&bytes[32..])?))
}
