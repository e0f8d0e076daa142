//! Where each asset's journal entries are: (asset id, sequence number) → the byte offset of the
//! entry's line, written in the same transaction as the entries. An asset's history (its page,
//! a designer's rejection reasons, `brandvault log`) is then read line by line from those
//! offsets instead of reading and hashing the whole journal. Derived, like every tree: `rebuild`
//! makes it again, and catalogues made before it get it built once at open.

use super::journal::{Entry, Position};
use super::tables::{Tree, Writes};
use super::{Catalog, CatalogError};
use crate::model::AssetId;

pub(super) const META_HISTORY_BUILT: &[u8] = b"history_built";

fn key(id: &AssetId, seq: u64) -> [u8; 40] {
    let mut k = [0; 40];
    k[..32].copy_from_slice(id.as_bytes());
    k[32..].copy_from_slice(&seq.to_be_bytes());
    k
}

/// Stages the offsets of `entries` (each with the position after it); the first starts at
/// `start`.
pub(super) fn stage(writes: &mut Writes, entries: &[(Entry, Position)], start: u64) {
    let mut offset = start;
    for (entry, after) in entries {
        if let Some(id) = entry.change.asset() {
            writes.insert(
                Tree::History,
                &key(&id, entry.seq)[..],
                &offset.to_be_bytes()[..],
            );
        }
        offset = after.offset;
    }
}

impl Catalog {
    /// The assets that entries after `from` changed (up to what the index has applied), each
    /// once, in journal order; `None` when `from` is not a point of this journal's chain (a
    /// restored or other library) or more than 256 MiB of journal lies after it, so a caller
    /// falls back to looking at everything.
    pub fn changed_since(&self, from: Position) -> Result<Option<Vec<AssetId>>, CatalogError> {
        let to = self.position()?;
        // Past this much journal, reading it costs more memory than looking at everything.
        const MOST: u64 = 256 << 20;
        if from.seq > to.seq || from.offset > to.offset || to.offset - from.offset > MOST {
            return Ok(None);
        }
        let name = self.source.name();
        let lines = self.source.lines(from, to)?;
        let mut at = from;
        let mut seen = std::collections::HashSet::new();
        let mut changed = Vec::new();
        for line in lines.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let Ok((entry, after)) = at.follow(line, &name) else {
                return Ok(None);
            };
            if let Some(id) = entry.change.asset().filter(|id| seen.insert(*id)) {
                changed.push(id);
            }
            at = after;
        }
        // The chain must end where the index stands (the last line is checked by its hash).
        Ok((at == to).then_some(changed))
    }

    /// The journal entries about one asset, oldest first.
    pub fn history(&self, id: &AssetId) -> Result<Vec<Entry>, CatalogError> {
        let mut offsets = Vec::new();
        for (_, v) in self.tables.scan_prefix(Tree::History, id.as_bytes())? {
            let bytes = <[u8; 8]>::try_from(v.as_ref())
                .map_err(|_| CatalogError::Encode("a history offset is not 8 bytes".into()))?;
            offsets.push(u64::from_be_bytes(bytes));
        }
        self.source.read_at(&offsets)
    }

    /// Builds the history tree once for a catalogue made before it (one pass over the
    /// journal); a catalogue whose whole journal was just replayed has it already (`maintain`
    /// only marks it built).
    pub(super) fn build_history(
        &self,
        write: &dyn Fn(&Writes) -> Result<(), CatalogError>,
    ) -> Result<(), CatalogError> {
        if self
            .tables
            .get_staged(Tree::Meta, META_HISTORY_BUILT)?
            .is_some()
        {
            return Ok(());
        }
        let mut writes = Writes::default();
        let (entries, _) = self.source.read_all()?;
        stage(&mut writes, &entries, 0);
        writes.insert(Tree::Meta, META_HISTORY_BUILT, [1]);
        write(&writes)
    }
}
