//! Recording changes: the journal and the tables, all or nothing; and keeping this process's
//! memory (the listing, the count) in step with commits other processes make to a shared
//! journal.

use std::sync::atomic::Ordering;

use serde::de::DeserializeOwned;

use super::journal::{Entry, Journal, Position};
use super::tables::{Tables, Tree, Writes};
use super::*;

/// What a run of journal entries does: the table writes, and each asset it touches.
pub(super) struct Staged {
    pub writes: Writes,
    touched: Touched,
    /// The number of assets after the entries.
    count: usize,
    end: Position,
}

impl Catalog {
    /// Records changes: the journal entries and the tables' writes together (in one
    /// PostgreSQL transaction; for the embedded catalogue, the journal fsynced first, then the
    /// index in one sled transaction, a crash between the two repaired at the next open),
    /// then this process's memory. Stat-cache updates ride along.
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
        let unseen = journal.begin()?;
        let caught_up = self.absorb(&mut journal, &unseen);
        let before = journal.end();
        let staged = caught_up
            .and_then(|()| self.check_steps(changes))
            .and_then(|()| journal.append(at, actor, changes))
            .and_then(|entries| self.store(&entries, before.offset, stat));
        self.conclude(&mut journal, before, staged)?;
        // The entries are durable: the commit stands. An index that could not be flushed is
        // caught up from the journal at the next open.
        if let Err(e) = self.tables.flush() {
            tracing::warn!(
                "the catalogue index could not be flushed ({e}); the journal holds the change"
            );
        }
        Ok(())
    }

    /// Ends a commit whose entries were appended after `before` and stored (`staged`): the
    /// journal's commit is finished and memory takes it in; if anything was refused, the
    /// journal is cut back to `before` (a shared transaction is rolled back whole), so entries
    /// the index refused (a full disk) never come back at the next open's replay.
    pub(super) fn conclude(
        &self,
        journal: &mut Journal,
        before: Position,
        staged: Result<Staged, CatalogError>,
    ) -> Result<(), CatalogError> {
        match staged.and_then(|staged| journal.finish().map(|()| staged)) {
            Ok(staged) => {
                self.remember(&staged);
                Ok(())
            }
            Err(e) => {
                if let Err(cut) = journal.rollback(before) {
                    tracing::error!("refused entries could not be cut from the journal: {cut}");
                }
                Err(e)
            }
        }
    }

    /// Brings this process's memory up to what other processes committed to a shared
    /// journal; nothing to do for an embedded one. Cheap when nothing changed (one query):
    /// called before answering a request, so what one node committed, every node shows.
    pub fn refresh(&self) -> Result<(), CatalogError> {
        let journal::Source::Shared(source) = &self.source else {
            return Ok(());
        };
        if source.last_seq()? <= self.applied_seq.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut journal = self.journal.lock().unwrap_or_else(|p| p.into_inner());
        let unseen = journal.unseen()?;
        self.absorb(&mut journal, &unseen)
    }

    /// Takes in entries other processes committed (already in the shared tables): the
    /// listing takes the current records of the assets they touch, and the journal's end
    /// moves past them.
    pub(super) fn absorb(
        &self,
        journal: &mut Journal,
        unseen: &[(Entry, Position)],
    ) -> Result<(), CatalogError> {
        let Some(&(_, end)) = unseen.last() else {
            return Ok(());
        };
        let ids = assets_of(unseen);
        let records = self.tables.get_many(Tree::Assets, &id_keys(&ids))?;
        let count = stored_count(&self.tables.get(Tree::Meta, META_COUNT)?);
        let mut listing = self.listing.write().unwrap_or_else(|p| p.into_inner());
        if let Some(listing) = listing.as_mut() {
            for (id, record) in ids.iter().zip(records) {
                match record {
                    Some(json) => listing.insert(&decode_asset(&json)?),
                    None => listing.remove(id),
                }
            }
            listing.settle();
        }
        self.count.store(count, Ordering::Relaxed);
        self.applied_seq.store(end.seq, Ordering::Release);
        journal.seen(end);
        Ok(())
    }

    /// A value as the commit being staged sees it (inside its transaction, when shared).
    pub(super) fn staged<T: DeserializeOwned>(
        &self,
        tree: Tree,
        key: &[u8],
    ) -> Result<Option<T>, CatalogError> {
        self.tables
            .get_staged(tree, key)?
            .map(|v| serde_json::from_slice(&v).map_err(CatalogError::encode))
            .transpose()
    }

    /// Refuses workflow steps decided on a status their asset no longer has. Checked under the
    /// journal's lock, so of two steps decided on the same status (two reviewers, two
    /// requests at once) exactly one is taken; the other changes nothing.
    fn check_steps(&self, changes: &[Change]) -> Result<(), CatalogError> {
        let mut status: std::collections::HashMap<AssetId, crate::model::Status> =
            Default::default();
        for change in changes {
            let Change::StatusChanged { id, from, to, .. } = change else {
                continue;
            };
            let current = match status.get(id) {
                Some(s) => Some(*s),
                None => self
                    .staged::<Asset>(Tree::Assets, id.as_bytes())?
                    .map(|a| a.status),
            };
            if current != Some(*from) {
                return Err(CatalogError::Changed {
                    id: id.to_hex(),
                    expected: format!("{from:?}").to_lowercase(),
                });
            }
            status.insert(*id, *to);
        }
        Ok(())
    }

    /// Writes what `entries` (each with the position after it; the first starting at byte
    /// `start`) do to the tables: in sled's transaction, taken into memory at once (under the
    /// listing's lock, so that a listing reading records sees facets and records of the same
    /// commit); in the shared journal's open transaction, taken into memory by the caller
    /// once it commits.
    pub(super) fn store(
        &self,
        entries: &[(Entry, Position)],
        start: u64,
        stat: &[StatEntry],
    ) -> Result<Staged, CatalogError> {
        let staged = self.stage(entries, start, stat)?;
        match &self.tables {
            Tables::Sled(_) => {
                let listing = self.listing.write().unwrap_or_else(|p| p.into_inner());
                self.tables.write_alone(&staged.writes)?;
                self.remember_under(listing, &staged);
            }
            Tables::Sql(sql) => sql.write_staged(&staged.writes)?,
        }
        Ok(staged)
    }

    /// Takes stored entries into memory: the listing, the count, the position.
    pub(super) fn remember(&self, staged: &Staged) {
        if let Tables::Sql(_) = self.tables {
            let listing = self.listing.write().unwrap_or_else(|p| p.into_inner());
            self.remember_under(listing, staged);
        }
    }

    fn remember_under(
        &self,
        mut listing: std::sync::RwLockWriteGuard<'_, Option<listing::Listing>>,
        staged: &Staged,
    ) {
        if staged.end.seq == 0 {
            return; // no entries: stat-cache updates only
        }
        self.applied_seq.store(staged.end.seq, Ordering::Release);
        self.count.store(staged.count, Ordering::Relaxed);
        if let Some(listing) = listing.as_mut() {
            for (id, (old, new)) in &staged.touched {
                match new {
                    Some(a) if old.as_ref() != Some(a) => listing.insert(a),
                    Some(_) => {}
                    None => listing.remove(id),
                }
            }
            listing.settle();
        }
    }

    /// What `entries` do to the tables, decided on the tables as the commit sees them.
    pub(super) fn stage(
        &self,
        entries: &[(Entry, Position)],
        start: u64,
        stat: &[StatEntry],
    ) -> Result<Staged, CatalogError> {
        let mut writes = Writes::default();
        let end = entries.last().map_or(Position::START, |(_, p)| *p);
        history::stage(&mut writes, entries, start);
        let mut accounts = people::AccountBatch::default();
        let mut collections = collections::CollectionBatch::default();
        let touched = self.touched(entries, &mut accounts, &mut collections)?;
        let mut count = stored_count(&self.tables.get_staged(Tree::Meta, META_COUNT)?);
        for (id, (old, new)) in &touched {
            stage_asset(&mut writes, *id, old.as_ref(), new.as_ref(), &mut count)?;
        }
        accounts.stage(&mut writes);
        collections.stage(&mut writes)?;
        for s in stat {
            writes.insert(
                Tree::Stat,
                s.path.as_bytes(),
                encode_stat(s.stamp, s.id).as_slice(),
            );
        }
        if !entries.is_empty() {
            writes.insert(Tree::Meta, META_SEQ, end.seq.to_be_bytes());
            writes.insert(Tree::Meta, META_HEAD, end.head);
            writes.insert(Tree::Meta, META_OFFSET, end.offset.to_be_bytes());
            writes.insert(Tree::Meta, META_COUNT, (count as u64).to_be_bytes());
        }
        Ok(Staged {
            writes,
            touched,
            count,
            end,
        })
    }
}

/// The assets `entries` are about, each once, in id order.
fn assets_of(entries: &[(Entry, Position)]) -> Vec<AssetId> {
    let mut ids: Vec<AssetId> = entries
        .iter()
        .filter_map(|(e, _)| e.change.asset())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Each asset some entries touch: as it stood, and as they leave it (`None`: absent).
type Touched = std::collections::BTreeMap<AssetId, (Option<Asset>, Option<Asset>)>;

impl Catalog {
    /// The assets `entries` touch, each applied up to its latest version (several entries may
    /// touch one asset); account and collection entries are staged on the way.
    fn touched(
        &self,
        entries: &[(Entry, Position)],
        accounts: &mut people::AccountBatch,
        collections: &mut collections::CollectionBatch,
    ) -> Result<Touched, CatalogError> {
        // The assets' records as they stand, read at once (one query for PostgreSQL).
        let ids = assets_of(entries);
        let keys = id_keys(&ids);
        let mut stored = std::collections::HashMap::new();
        for (id, json) in ids
            .iter()
            .zip(self.tables.get_many_staged(Tree::Assets, &keys)?)
        {
            stored.insert(*id, json.map(|j| decode_asset(&j)).transpose()?);
        }
        let mut touched = Touched::new();
        for (entry, _) in entries {
            if self.stage_account(entry, accounts)? || self.stage_collection(entry, collections)? {
                continue;
            }
            let id = entry.change.asset_id();
            let (_, current) = match touched.entry(id) {
                std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => {
                    let old = match stored.remove(&id) {
                        Some(old) => old,
                        None => self.staged(Tree::Assets, id.as_bytes())?,
                    };
                    v.insert((old.clone(), old))
                }
            };
            *current = change::apply_entry(current.take(), &entry.change, &entry.at);
        }
        Ok(touched)
    }
}

/// Stages asset `id` going from `old` to `new` (`None`: absent): its record, its index keys
/// (only those that changed) and its visibility, counting it in or out of `count`.
fn stage_asset(
    writes: &mut Writes,
    id: AssetId,
    old: Option<&Asset>,
    new: Option<&Asset>,
    count: &mut usize,
) -> Result<(), CatalogError> {
    if old == new {
        return Ok(());
    }
    let old_keys = old.map(index::keys).unwrap_or_default();
    let new_keys = new.map(index::keys).unwrap_or_default();
    for k in old_keys.iter().filter(|k| !new_keys.contains(k)) {
        writes.remove(Tree::Index, k.as_slice());
    }
    for k in new_keys.iter().filter(|k| !old_keys.contains(k)) {
        writes.insert(Tree::Index, k.as_slice(), []);
    }
    match (old, new) {
        (None, Some(_)) => *count += 1,
        (Some(_), None) => *count = count.saturating_sub(1),
        _ => {}
    }
    match new {
        Some(a) => {
            let record = serde_json::to_vec(a).map_err(CatalogError::encode)?;
            writes.insert(Tree::Assets, id.as_bytes(), record);
            writes.insert(Tree::Visibility, id.as_bytes(), encode_visibility(a)?);
        }
        None => {
            writes.remove(Tree::Assets, id.as_bytes());
            writes.remove(Tree::Visibility, id.as_bytes());
        }
    }
    Ok(())
}

/// The count stored in the meta table (absent: none yet).
pub(super) fn stored_count(value: &Option<super::tables::Bytes>) -> usize {
    value
        .as_ref()
        .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
        .map_or(0, |b| u64::from_be_bytes(b) as usize)
}
