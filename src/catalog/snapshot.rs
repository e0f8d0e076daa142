//! A catalogue as of one journal position, read from the journal alone, and a catalogue caught
//! up from another's journal. The journal only grows and each line is fsynced before it counts,
//! so a copy of its first bytes up to a position is a consistent snapshot even while a running
//! service appends to it: what `backup` and `migrate` copy, and what `restore` adopts.

use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::journal::{Entry, Journal, Position, JOURNAL_FILE};
use super::{change, Catalog, CatalogError};
use crate::model::{Asset, AssetId};

/// What a catalogue holds at one journal position.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Where the journal ended when it was read.
    pub end: Position,
    /// Number of assets at that position.
    pub assets: usize,
    /// Every object the catalogue references at that position (each asset's original and its
    /// renditions), as BLAKE3 hashes: what a copy of the library must hold.
    pub objects: BTreeSet<[u8; 32]>,
}

impl Catalog {
    /// Reads the journal of the catalogue in `dir` (checking its chain) without opening the
    /// index, so it works while another process holds the library.
    pub fn snapshot(dir: &Path) -> Result<Snapshot, CatalogError> {
        let (entries, end) = Journal::read_all(&dir.join(JOURNAL_FILE))?;
        let mut assets: HashMap<AssetId, Asset> = HashMap::new();
        for (Entry { change, at, .. }, _) in entries {
            let Some(id) = change.asset() else {
                continue;
            };
            match change::apply_entry(assets.remove(&id), &change, &at) {
                Some(asset) => assets.insert(id, asset),
                None => None,
            };
        }
        let mut objects = BTreeSet::new();
        for (id, asset) in &assets {
            objects.insert(*id.as_bytes());
            for hash in asset.renditions.iter().filter_map(|r| r.object()) {
                if let Some(bytes) = hex32(hash) {
                    objects.insert(bytes);
                }
            }
        }
        Ok(Snapshot {
            end,
            assets: assets.len(),
            objects,
        })
    }

    /// Writes the first `end.offset` bytes of the journal in `dir` to `to` (through a temporary
    /// file, fsynced, then renamed) and checks that the copy's chain ends at `end`.
    pub fn copy_journal(dir: &Path, end: Position, to: &Path) -> Result<(), CatalogError> {
        let from = dir.join(JOURNAL_FILE);
        let tmp = to.with_extension("jsonl.partial");
        let copied = (|| {
            let mut source = std::fs::File::open(&from)?;
            let mut target = std::fs::File::create(&tmp)?;
            let n = std::io::copy(&mut (&mut source).take(end.offset), &mut target)?;
            if n != end.offset {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the journal is shorter than the snapshot",
                ));
            }
            target.sync_all()
        })();
        copied.map_err(CatalogError::io(&from))?;
        let (_, copy_end) = Journal::read_all(&tmp)?;
        if copy_end != end {
            let _ = std::fs::remove_file(&tmp);
            return Err(CatalogError::JournalTampered {
                path: from,
                seq: copy_end.seq,
                reason: "the copy does not end where the snapshot did".into(),
            });
        }
        std::fs::rename(&tmp, to).map_err(CatalogError::io(to))
    }

    /// Reads the journal at `source` up to `upto` and checks that it continues this
    /// catalogue's history (its own entries are the start of it): done before a restore or a
    /// migration copies any object, so a refused one leaves the target as it was.
    pub fn plan_adoption(&self, source: &Path, upto: Position) -> Result<Adoption, CatalogError> {
        let mine = self.journal.lock().unwrap_or_else(|p| p.into_inner()).end();
        let (mut entries, _) = Journal::read_all(source)?;
        continues(source, &entries, mine, upto)?;
        entries.truncate(upto.seq as usize);
        Ok(Adoption {
            source: source.to_owned(),
            entries,
        })
    }

    /// Catches this catalogue up with a planned adoption: the entries it lacks are appended
    /// byte for byte (so the chain and every hash stay the same) and applied, a chunk at a
    /// time, each chunk all or nothing. Checked again under the journal's lock, in case this
    /// catalogue moved since the plan. Returns the number of entries added.
    pub fn adopt(&self, adoption: &Adoption) -> Result<usize, CatalogError> {
        let Adoption { source, entries } = adoption;
        let mut journal = self.journal.lock().unwrap_or_else(|p| p.into_inner());
        let mine = journal.end();
        let upto = entries.last().map_or(Position::START, |(_, end)| *end);
        continues(source, entries, mine, upto)?;
        let mut file = std::fs::File::open(source).map_err(CatalogError::io(source))?;
        let pending = &entries[mine.seq as usize..];
        for chunk in pending.chunks(1024) {
            let before = journal.end();
            let after = chunk.last().map_or(before, |(_, end)| *end);
            let mut bytes = vec![0; (after.offset - before.offset) as usize];
            file.seek(SeekFrom::Start(before.offset))
                .and_then(|_| file.read_exact(&mut bytes))
                .map_err(CatalogError::io(source))?;
            journal.append_raw(&bytes, after)?;
            if let Err(e) = self.apply_entries(chunk, before.offset, &[]) {
                if let Err(cut) = journal.rollback(before) {
                    tracing::error!("refused entries could not be cut from the journal: {cut}");
                }
                return Err(e);
            }
        }
        self.db.flush()?;
        Ok(pending.len())
    }
}

/// Another journal's entries, read once and checked, for `Catalog::adopt`.
#[derive(Debug)]
pub struct Adoption {
    source: std::path::PathBuf,
    entries: Vec<(Entry, Position)>,
}

/// Whether `entries` (the journal at `source`) reach `upto` and pass through `mine`, this
/// catalogue's end: that is, whether they continue this catalogue's history.
fn continues(
    source: &Path,
    entries: &[(Entry, Position)],
    mine: Position,
    upto: Position,
) -> Result<(), CatalogError> {
    let reaches = |p: Position| {
        p == Position::START || entries.get(p.seq as usize - 1).map(|(_, at)| *at) == Some(p)
    };
    if !reaches(upto) {
        return Err(diverged(source, "the snapshot's last entry is not in it"));
    }
    if mine.seq > upto.seq || !reaches(mine) {
        return Err(diverged(
            source,
            "the target library already holds entries that this journal does not continue: restore or migrate into an empty library",
        ));
    }
    Ok(())
}

fn diverged(source: &Path, reason: &str) -> CatalogError {
    CatalogError::Diverged {
        path: source.to_owned(),
        reason: reason.to_owned(),
    }
}

fn hex32(hex: &str) -> Option<[u8; 32]> {
    blake3::Hash::from_hex(hex).ok().map(|h| *h.as_bytes())
}

impl Journal {
    /// Appends lines copied from another journal, whose chain was checked and ends at `end`,
    /// and fsyncs: the adopted entries are then committed as if written here.
    pub(super) fn append_raw(&mut self, lines: &[u8], end: Position) -> Result<(), CatalogError> {
        if lines.len() as u64 != end.offset - self.end().offset {
            return Err(CatalogError::Encode(
                "adopted lines do not fill the gap to their end".into(),
            ));
        }
        self.write_durably(lines)?;
        self.set_end(end);
        Ok(())
    }
}
