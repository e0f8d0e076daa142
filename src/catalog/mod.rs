//! The catalogue: the only module that imports sled or PostgreSQL. Its tables (sled trees, or
//! PostgreSQL tables) are an index over the journal (the ground truth); they can be deleted
//! and rebuilt from the journal at any time.
//!
//! Its interface speaks only model types, so a PostgreSQL backend can stand behind the same
//! methods without touching ingest, render or http.

mod change;
mod collections;
mod commit;
mod derived;
mod error;
mod history;
mod index;
mod journal;
mod listing;
mod location;
mod open;
mod people;
mod query;
mod reach;
mod reserve;
mod snapshot;
mod sorted_blocks;
mod tables;
mod words;

use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};

pub use change::{apply, Change, Patch};
pub use error::CatalogError;
pub use journal::{Entry, Journal, Position, Source, JOURNAL_FILE};
pub use listing::RenditionOwner;
pub use location::Location;
pub use people::SessionRecord;
pub use reach::{DownloadCount, Hit, Via};
pub use snapshot::{Adoption, Snapshot};

pub use query::{Browse, Filter, TagWords};

use tables::Tree;

use crate::model::{Asset, AssetId};

/// The on-disk format this build reads and writes. Bump on any change to keys or values
/// (trees added later, like `history`, are built at open instead: older catalogues still open).
pub const FORMAT_VERSION: u64 = 2;

/// Held each asset's folded text until text search moved to the in-memory word index;
/// dropped at open.
const TREE_SEARCH_RETIRED: &str = "search";
const META_SEARCH_BUILT_RETIRED: &[u8] = b"search_built";
/// Set once the visibility tree covers every asset (built at open for older catalogues).
const META_VISIBILITY_BUILT: &[u8] = b"visibility_built";

/// The shape (`model::record_shape`) the stored asset records were last written in.
const META_RECORD_SHAPE: &[u8] = b"record_shape";
const META_FORMAT: &[u8] = b"format_version";
const META_SEQ: &[u8] = b"journal_seq";
const META_HEAD: &[u8] = b"journal_head";
const META_OFFSET: &[u8] = b"journal_offset";
/// The number of assets, kept by each commit (PostgreSQL counts a large table slowly, and
/// /healthz and /metrics ask often).
const META_COUNT: &[u8] = b"asset_count";

/// An API token as stored: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenRecord {
    pub name: String,
    pub role: crate::model::Role,
    pub hash: String,
    pub created_at: String,
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

/// The catalogue: its tables (sled, or PostgreSQL) over the journal, and what it keeps in
/// memory.
pub struct Catalog {
    tables: tables::Tables,
    /// One writer at a time: the journal is a sequence.
    journal: Mutex<Journal>,
    /// The journal for reading (a connection of its own when shared).
    source: journal::Source,
    /// The last journal entry the index holds, readable without the journal's lock: a
    /// shared catalogue compares it with the journal's to know whether to catch up.
    applied_seq: AtomicU64,
    /// Every asset's facets in browsing order (newest first) and the words of its text, from
    /// the first browse or text query on.
    listing: RwLock<Option<listing::Listing>>,
    /// The words each tag stands for in text search (the brand's vocabulary), given by whoever
    /// knows the brand.
    tag_words: RwLock<std::sync::Arc<query::TagWords>>,
    /// Number of assets, counted once at open and kept by each commit (sled's `len` walks the
    /// whole tree, and /healthz and /metrics ask often).
    count: AtomicUsize,
    location: Location,
}

impl Catalog {
    /// The local folder of the index (and of an embedded catalogue's journal).
    pub fn dir(&self) -> &Path {
        self.location.dir()
    }

    /// Where this catalogue is.
    pub fn location(&self) -> &Location {
        &self.location
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

    /// Has text search find a tag by the words it stands for (a theme's names in both
    /// languages). A listing built with other words is dropped and built again when next used.
    pub fn set_tag_words(&self, words: query::TagWords) {
        let mut current = self.tag_words.write().unwrap_or_else(|p| p.into_inner());
        if **current == words {
            return;
        }
        *current = std::sync::Arc::new(words);
        *self.listing.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn tag_words(&self) -> std::sync::Arc<query::TagWords> {
        self.tag_words
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
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
            let mut built = listing::Listing::with_tag_words(self.tag_words());
            self.tables.for_each(Tree::Assets, &mut |_, v| {
                built.insert(&decode_asset(&v)?);
                Ok(())
            })?;
            built.settle();
            *guard = Some(built);
        }
        Ok(f(guard.as_ref().expect("just built")))
    }

    /// The `n` smallest ids after `after` whose folded text holds every word of `query`, from
    /// the in-memory word index: a page of a text query without sorting every match.
    pub(crate) fn text_page(
        &self,
        query: Option<&str>,
        after: Option<AssetId>,
        n: usize,
    ) -> Result<Option<Vec<AssetId>>, CatalogError> {
        self.with_listing(|l| l.text_page(query, after, n))
    }

    /// Has sled settle its log now, at start, rather than in the first commit that crosses one
    /// of its segments: sled 0.34 opens with no stable position, and its first stabilisation
    /// visits every segment of the file, counting all of them for each (1.3–1.7 s at a
    /// million assets, paid by the third upload after a start). A megabyte of scratch entries,
    /// written, flushed and dropped, crosses a segment.
    /// (Nothing to do for PostgreSQL.)
    pub fn settle_storage(&self) -> Result<(), CatalogError> {
        const SCRATCH: &[u8] = b"scratch";
        let tables::Tables::Sled(sled) = &self.tables else {
            return Ok(());
        };
        let scratch = sled.db.open_tree(SCRATCH)?;
        // Entries of 64 KiB: larger values would go to files of their own, not the log.
        for i in 0u8..16 {
            scratch.insert([i], vec![0u8; 64 << 10])?;
        }
        sled.db.flush()?;
        sled.db.drop_tree(SCRATCH)?;
        sled.db.flush()?;
        Ok(())
    }

    /// Writes everything to disk (also done at each commit; used at shutdown).
    pub fn flush(&self) -> Result<(), CatalogError> {
        self.tables.flush()
    }

    /// Whether the tables are PostgreSQL's, shared with other processes: then records may be
    /// newer than this process's listing, and what it shows is checked on the record.
    fn records_may_be_newer(&self) -> bool {
        matches!(self.tables, tables::Tables::Sql(_))
    }

    /// One asset by id.
    pub fn asset(&self, id: &AssetId) -> Result<Option<Asset>, CatalogError> {
        match self.tables.get(Tree::Assets, id.as_bytes())? {
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
        if !self.allows(id, &allowed)? {
            return Ok(None);
        }
        self.asset(id)
    }

    /// The first of `ids` that `allowed` refuses or that does not exist, from visibility alone
    /// (the same small lookup for both, so a batch cannot time one against the other).
    pub fn first_refused(
        &self,
        ids: &[AssetId],
        allowed: impl Fn(&crate::model::Visibility<'_>) -> bool,
    ) -> Result<Option<AssetId>, CatalogError> {
        for id in ids {
            if !self.allows(id, &allowed)? {
                return Ok(Some(*id));
            }
        }
        Ok(None)
    }

    /// Whether `id` exists and `allowed` says yes from its visibility record.
    fn allows(
        &self,
        id: &AssetId,
        allowed: &impl Fn(&crate::model::Visibility<'_>) -> bool,
    ) -> Result<bool, CatalogError> {
        let Some(v) = self.tables.get(Tree::Visibility, id.as_bytes())? else {
            return Ok(false);
        };
        let visibility: crate::model::Visibility<'_> =
            serde_json::from_slice(&v).map_err(CatalogError::encode)?;
        Ok(allowed(&visibility))
    }

    /// Whether these bytes are catalogued.
    pub fn contains(&self, id: &AssetId) -> Result<bool, CatalogError> {
        Ok(self.tables.get(Tree::Assets, id.as_bytes())?.is_some())
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
        let mut start = prefix.clone();
        // Keys in order from the prefix on: an odd last digit may skip a few, so read on
        // until two match or the prefix's keys end.
        'keys: loop {
            let keys = self.tables.keys_from(Tree::Assets, &prefix, &start, 64)?;
            for key in &keys {
                if let Some(id) = AssetId::from_slice(key) {
                    if id.to_hex().starts_with(&s) {
                        found.push(id);
                        if found.len() > 1 {
                            break 'keys;
                        }
                    }
                }
            }
            match keys.last() {
                Some(last) if keys.len() == 64 => {
                    start = last.to_vec();
                    start.push(0);
                }
                _ => break,
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
        query::records(self, filter)?
            .iter()
            .map(|r| decode_asset(&r.json))
            .collect()
    }

    /// `list` as the records are stored: each asset's JSON, ready to send as it is.
    pub fn list_json(&self, filter: &Filter) -> Result<Vec<AssetJson>, CatalogError> {
        query::records(self, filter)
    }

    /// The records of `ids` that `prepared` accepts, appended to `out` until it holds `limit`.
    /// Decided on the in-memory listing when it is loaded (only accepted records are read),
    /// else on the decoded record; under the listing's lock, which a commit holds while it
    /// writes, so that facets and record are of the same commit. Shared tables may hold a
    /// record newer than the listing (another node's commit since this request's refresh):
    /// it is sent on the listing's word only if who may see it is unchanged, else decided on
    /// itself; other facets may lag by that one commit, never visibility.
    fn accepted(
        &self,
        prepared: &query::Prepared<'_>,
        ids: &[AssetId],
        limit: usize,
        out: &mut Vec<AssetJson>,
    ) -> Result<(), CatalogError> {
        let listing = self.listing.read().unwrap_or_else(|p| p.into_inner());
        let listing = listing.as_ref();
        let newer = self.records_may_be_newer();
        let mut wanted = Vec::new();
        for id in ids {
            match listing.and_then(|l| l.accepts(id, prepared)) {
                Some(false) => {}
                Some(true) => wanted.push((id, true)),
                None => wanted.push((id, false)),
            }
        }
        // A page at a time, so a filter that accepts all reads no more than it sends.
        for chunk in wanted.chunks(limit.saturating_sub(out.len()).clamp(1, 512)) {
            if out.len() >= limit {
                break;
            }
            let keys: Vec<&[u8]> = chunk
                .iter()
                .map(|(id, _)| id.as_bytes().as_slice())
                .collect();
            let records = self.tables.get_many(Tree::Assets, &keys)?;
            for ((id, listed), json) in chunk.iter().zip(records) {
                let Some(json) = json else {
                    continue;
                };
                // A record newer than the listing (another node's commit) is taken on its own
                // word, unless who may see it is unchanged (read without decoding the rest).
                let known = *listed
                    && (!newer
                        || listing.and_then(|l| l.visibility(id)) == visibility_of(&json).as_ref());
                if out.len() < limit
                    && (known || accepts(prepared, &decode_asset(&json)?, &self.tag_words()))
                {
                    out.push(AssetJson { id: **id, json });
                }
            }
        }
        Ok(())
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

    /// The `n` assets `filter` accepts that were approved last, latest first (the feed).
    pub fn newest_published(&self, filter: &Filter, n: usize) -> Result<Vec<Asset>, CatalogError> {
        self.with_listing(|l| self.records_of(&l.newest_published(filter, n), filter))?
    }

    /// The records of `ids` that `filter` accepts, in that order. Called under the listing's
    /// lock (which a commit holds while it writes), so the records are of the commit whose
    /// facets chose them; shared tables may hold newer ones, checked again.
    fn records_of(&self, ids: &[AssetId], filter: &Filter) -> Result<Vec<Asset>, CatalogError> {
        let mut assets = self.assets(ids)?;
        if self.records_may_be_newer() {
            let prepared = filter.prepared();
            let words = self.tag_words();
            assets.retain(|asset| accepts(&prepared, asset, &words));
        }
        Ok(assets)
    }

    /// The assets of `ids` that exist, in that order: one query for PostgreSQL.
    pub fn assets(&self, ids: &[AssetId]) -> Result<Vec<Asset>, CatalogError> {
        let stored = self.tables.get_many(Tree::Assets, &id_keys(ids))?;
        stored
            .into_iter()
            .flatten()
            .map(|json| decode_asset(&json))
            .collect()
    }

    /// Every catalogued id.
    pub fn ids(&self) -> Result<Vec<AssetId>, CatalogError> {
        let mut ids = Vec::new();
        self.tables.for_each(Tree::Assets, &mut |k, _| {
            ids.extend(AssetId::from_slice(&k));
            Ok(())
        })?;
        Ok(ids)
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
            .tables
            .get(Tree::Stat, path.as_bytes())?
            .and_then(|v| decode_stat(&v))
            .filter(|(s, _)| *s == stamp)
            .map(|(_, id)| id))
    }

    /// Every live API token: (name, role, BLAKE3 hash hex, created at).
    pub fn tokens(&self) -> Result<Vec<TokenRecord>, CatalogError> {
        self.tables
            .scan_prefix(Tree::Tokens, &[])?
            .iter()
            .map(|(_, v)| serde_json::from_slice(v).map_err(CatalogError::encode))
            .collect()
    }

    /// Every asset that has a rendition stored under this object hash (hex).
    pub fn assets_with_rendition(&self, hash: &str) -> Result<Vec<AssetId>, CatalogError> {
        let prefix = index::prefix(index::RENDITION, hash);
        Ok(self
            .tables
            .scan_prefix(Tree::Index, &prefix)?
            .iter()
            .filter_map(|(k, _)| AssetId::from_slice(&k[prefix.len()..]))
            .collect())
    }

    /// The journal position the index has applied.
    pub fn position(&self) -> Result<Position, CatalogError> {
        open::read_position(&self.tables)
    }

    /// Checks the whole journal chain and that the entry the index says it applied last is on
    /// it (which catches an edit to that entry too). The position is read first: the journal
    /// only grows, so the entries read after it hold it even while other commits go on.
    pub fn verify_journal(&self) -> Result<usize, CatalogError> {
        self.refresh()?;
        let applied = self.position()?;
        let (entries, end) = self.source.read_all()?;
        let on_chain = applied == Position::START
            || entries.get(applied.seq as usize - 1).map(|(_, p)| *p) == Some(applied);
        if !on_chain {
            return Err(CatalogError::JournalTampered {
                path: self.source.name(),
                seq: end.seq,
                reason: "the journal's last entry differs from the one the catalogue applied"
                    .into(),
            });
        }
        Ok(entries.len())
    }
}

/// Who may see the asset whose record is `json`, read from it without decoding the rest.
fn visibility_of(json: &[u8]) -> Option<crate::model::Visibility<'_>> {
    serde_json::from_slice(json).ok()
}

/// Asset ids as table keys.
fn id_keys(ids: &[AssetId]) -> Vec<&[u8]> {
    ids.iter().map(|id| id.as_bytes().as_slice()).collect()
}

/// Whether `prepared` takes `asset`, its text included.
fn accepts(prepared: &query::Prepared<'_>, asset: &Asset, tag_words: &query::TagWords) -> bool {
    prepared.accepts(&query::Facets::of(asset))
        && prepared.text_holds(&query::searchable_text(asset, tag_words))
}

fn encode_visibility(asset: &Asset) -> Result<Vec<u8>, CatalogError> {
    serde_json::to_vec(&crate::model::Visibility::of(asset)).map_err(CatalogError::encode)
}

/// An asset's record as the catalogue stores it: its JSON in the current shape (opening a
/// catalogue rewrites records of an older one), so a listing can send it without decoding and
/// encoding it again.
pub struct AssetJson {
    pub id: AssetId,
    json: tables::Bytes,
}

impl AssetJson {
    pub fn as_bytes(&self) -> &[u8] {
        &self.json
    }
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
