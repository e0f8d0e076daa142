//! Recording changes: the journal first, then the index, all or nothing; and catching an
//! index up with a shared journal that other processes write to.

use std::sync::atomic::Ordering;

use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;

use super::journal::{Entry, Journal, Position};
use super::*;

impl Catalog {
    /// Records changes: journal first (fsynced, or committed in PostgreSQL), then the index,
    /// atomically, then flushed. Stat-cache updates ride along in the same index transaction.
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
        self.writable()?;
        let unseen = journal.begin()?;
        let caught_up = self.apply_unseen(&mut journal, &unseen);
        let before = journal.end();
        let applied = caught_up
            .and_then(|()| self.check_steps(changes))
            .and_then(|()| journal.append(at, actor, changes))
            .and_then(|entries| self.apply_entries(&entries, before.offset, stat));
        if let Err(e) = applied {
            // All or nothing: entries the index refused (a full disk) must not come back at
            // the next open's replay.
            if let Err(cut) = journal.rollback(before) {
                tracing::error!("refused entries could not be cut from the journal: {cut}");
            }
            return Err(e);
        }
        if let Err(e) = journal.finish() {
            self.ahead.store(true, Ordering::Relaxed);
            tracing::error!("the shared journal refused a commit this index already holds ({e}); this process writes no more until it is restarted");
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

    /// Catches the index up with entries other processes wrote to a shared journal; nothing
    /// to do for an embedded one. Cheap when nothing changed (one query): called before
    /// answering a request, so what one node committed, every node shows.
    pub fn refresh(&self) -> Result<(), CatalogError> {
        let journal::Source::Shared(source) = &self.source else {
            return Ok(());
        };
        if source.last_seq()? <= self.applied_seq.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut journal = self.journal.lock().unwrap_or_else(|p| p.into_inner());
        let unseen = journal.unseen()?;
        self.apply_unseen(&mut journal, &unseen)
    }

    /// Applies entries read after the journal's end, a chunk at a time, moving the end with
    /// each chunk the index holds.
    pub(super) fn apply_unseen(
        &self,
        journal: &mut Journal,
        unseen: &[(Entry, Position)],
    ) -> Result<(), CatalogError> {
        for chunk in unseen.chunks(1024) {
            self.apply_entries(chunk, journal.end().offset, &[])?;
            journal.seen(chunk.last().expect("chunks are not empty").1);
        }
        Ok(())
    }

    pub(super) fn writable(&self) -> Result<(), CatalogError> {
        if self.ahead.load(Ordering::Relaxed) {
            return Err(CatalogError::Shared(
                "this process's index holds a commit the shared journal refused; restart it".into(),
            ));
        }
        Ok(())
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
                None => self.asset(id)?.map(|a| a.status),
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

    /// Applies journal entries (each with the position after it; the first starting at byte
    /// `start`) to the trees in one transaction and records the position after the last.
    pub(super) fn apply_entries(
        &self,
        entries: &[(Entry, Position)],
        start: u64,
        stat: &[StatEntry],
    ) -> Result<(), CatalogError> {
        let Some(&(_, end)) = entries.last() else {
            return Ok(());
        };
        let mut history_batch = sled::Batch::default();
        history::stage(&mut history_batch, entries, start);
        let mut accounts = people::AccountBatch::default();
        let mut collections = collections::CollectionBatch::default();
        let touched = self.touched(entries, &mut accounts, &mut collections)?;
        let mut writes = AssetWrites::default();
        for (id, (old, new)) in &touched {
            writes.stage(*id, old.as_ref(), new.as_ref())?;
        }
        let mut meta_batch = sled::Batch::default();
        meta_batch.insert(META_SEQ, &end.seq.to_be_bytes());
        meta_batch.insert(META_HEAD, &end.head);
        meta_batch.insert(META_OFFSET, &end.offset.to_be_bytes());
        let user_batch = accounts.users();
        let collection_batch = collections.writes()?;
        let mut stat_batch = sled::Batch::default();
        for s in stat {
            stat_batch.insert(s.path.as_bytes(), encode_stat(s.stamp, s.id).as_slice());
        }
        // Held across the write, so that a listing reading records under it sees facets and
        // records of the same commit.
        let mut listing = self.listing.write().unwrap_or_else(|p| p.into_inner());
        (
            &self.assets,
            &self.index,
            &self.meta,
            &self.stat,
            &self.tokens,
            &self.users,
            &self.visibility,
            &self.history,
            &self.collections,
        )
            .transaction(|(a, i, m, s, t, u, v, h, c)| {
                a.apply_batch(&writes.assets)?;
                i.apply_batch(&writes.index)?;
                m.apply_batch(&meta_batch)?;
                s.apply_batch(&stat_batch)?;
                t.apply_batch(&accounts.tokens)?;
                u.apply_batch(&user_batch)?;
                v.apply_batch(&writes.visibility)?;
                h.apply_batch(&history_batch)?;
                c.apply_batch(&collection_batch)?;
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                TransactionError::Storage(e) => CatalogError::Db(e),
                TransactionError::Abort(()) => CatalogError::Encode("transaction aborted".into()),
            })?;
        self.applied_seq.store(end.seq, Ordering::Release);
        self.count.fetch_add(writes.added, Ordering::Relaxed);
        self.count.fetch_sub(writes.removed, Ordering::Relaxed);
        if let Some(listing) = listing.as_mut() {
            for (id, (old, new)) in &touched {
                match new {
                    Some(a) if old.as_ref() != Some(a) => listing.insert(a),
                    Some(_) => {}
                    None => listing.remove(id),
                }
            }
            listing.settle();
        }
        drop(listing);
        Ok(())
    }
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
        let mut touched = Touched::new();
        for (entry, _) in entries {
            if self.stage_account(entry, accounts)? || self.stage_collection(entry, collections)? {
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
            *current = change::apply_entry(current.take(), &entry.change, &entry.at);
        }
        Ok(touched)
    }
}

/// What a run of entries does to the asset trees, staged for the one transaction.
#[derive(Default)]
struct AssetWrites {
    assets: sled::Batch,
    index: sled::Batch,
    visibility: sled::Batch,
    added: usize,
    removed: usize,
}

impl AssetWrites {
    /// Stages asset `id` going from `old` to `new` (`None`: absent): its record, its index
    /// keys (only those that changed) and its visibility.
    fn stage(
        &mut self,
        id: AssetId,
        old: Option<&Asset>,
        new: Option<&Asset>,
    ) -> Result<(), CatalogError> {
        if old == new {
            return Ok(());
        }
        let old_keys = old.map(index::keys).unwrap_or_default();
        let new_keys = new.map(index::keys).unwrap_or_default();
        for k in old_keys.iter().filter(|k| !new_keys.contains(k)) {
            self.index.remove(k.as_slice());
        }
        for k in new_keys.iter().filter(|k| !old_keys.contains(k)) {
            self.index.insert(k.as_slice(), &[]);
        }
        match (old, new) {
            (None, Some(_)) => self.added += 1,
            (Some(_), None) => self.removed += 1,
            _ => {}
        }
        match new {
            Some(a) => {
                let record = serde_json::to_vec(a).map_err(CatalogError::encode)?;
                self.assets.insert(id.as_bytes(), record);
                self.visibility.insert(id.as_bytes(), encode_visibility(a)?);
            }
            None => {
                self.assets.remove(id.as_bytes());
                self.visibility.remove(id.as_bytes());
            }
        }
        Ok(())
    }
}
