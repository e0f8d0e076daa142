//! A catalogue as of one journal position, read from the journal alone, and a catalogue caught
//! up from another's journal. The journal only grows and each line is fsynced before it counts,
//! so a copy of its first bytes up to a position is a consistent snapshot even while a running
//! service appends to it: what `backup` and `migrate` copy, and what `restore` adopts.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;

use super::journal::{Entry, Journal, Position, Source};
use super::{change, Catalog, CatalogError, Location};
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
    /// Reads the journal of the catalogue at `location` (checking its chain) without opening
    /// the index, so it works while another process holds the library.
    pub fn snapshot(location: &Location) -> Result<Snapshot, CatalogError> {
        Self::snapshot_of(&location.source()?)
    }

    /// The snapshot of the journal `source` as it stands.
    pub fn snapshot_of(source: &Source) -> Result<Snapshot, CatalogError> {
        let (entries, end) = source.read_all()?;
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
        for asset in assets.values() {
            objects.extend(asset.objects().map(|o| *o.as_bytes()));
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

    /// Writes the journal of `location` up to `end` to the file `to` (through a temporary
    /// file, fsynced, then renamed) and checks that the copy's chain ends at `end`.
    pub fn copy_journal(location: &Location, end: Position, to: &Path) -> Result<(), CatalogError> {
        let source = location.source()?;
        let lines = source.lines(Position::START, end)?;
        let tmp = to.with_extension("jsonl.partial");
        let written = std::fs::File::create(&tmp)
            .and_then(|mut file| file.write_all(&lines).and_then(|()| file.sync_all()));
        written.map_err(CatalogError::io(&tmp))?;
        let (_, copy_end) = Source::File(tmp.clone()).read_all()?;
        if copy_end != end {
            let _ = std::fs::remove_file(&tmp);
            return Err(CatalogError::JournalTampered {
                path: source.name(),
                seq: copy_end.seq,
                reason: "the copy does not end where the snapshot did".into(),
            });
        }
        std::fs::rename(&tmp, to).map_err(CatalogError::io(to))
    }

    /// Reads the journal at `source` up to `upto` and checks that it continues this
    /// catalogue's history (its own entries are the start of it): done before a restore or a
    /// migration copies any object, so a refused one leaves the target as it was.
    pub fn plan_adoption(&self, source: Source, upto: Position) -> Result<Adoption, CatalogError> {
        self.refresh()?;
        let mine = self.journal.lock().unwrap_or_else(|p| p.into_inner()).end();
        let (mut entries, _) = source.read_all()?;
        continues(&source.name(), &entries, mine, upto)?;
        entries.truncate(upto.seq as usize);
        Ok(Adoption { source, entries })
    }

    /// Catches this catalogue up with a planned adoption: the entries it lacks are appended
    /// byte for byte (so the chain and every hash stay the same) and applied, a chunk at a
    /// time, each chunk all or nothing. Checked again under the journal's lock, in case this
    /// catalogue moved since the plan. Returns the number of entries added.
    pub fn adopt(&self, adoption: &Adoption) -> Result<usize, CatalogError> {
        let Adoption { source, entries } = adoption;
        let name = source.name();
        let mut journal = self.journal.lock().unwrap_or_else(|p| p.into_inner());
        let unseen = journal.unseen()?;
        self.absorb(&mut journal, &unseen)?;
        let mine = journal.end();
        let upto = entries.last().map_or(Position::START, |(_, end)| *end);
        continues(&name, entries, mine, upto)?;
        let pending = &entries[mine.seq as usize..];
        for chunk in pending.chunks(1024) {
            self.adopt_chunk(&mut journal, source, chunk)?;
        }
        self.tables.flush()?;
        Ok(pending.len())
    }

    /// Appends and applies one chunk of adopted entries, all or nothing; refused if another
    /// process wrote to a shared journal meanwhile.
    fn adopt_chunk(
        &self,
        journal: &mut Journal,
        source: &Source,
        chunk: &[(Entry, Position)],
    ) -> Result<(), CatalogError> {
        let before = journal.end();
        let after = chunk.last().map_or(before, |(_, end)| *end);
        let written = journal.begin().and_then(|unseen| match unseen.is_empty() {
            true => Ok(()),
            false => Err(diverged(
                &source.name(),
                "another process wrote to the target library meanwhile",
            )),
        });
        let staged = written
            .and_then(|()| source.lines(before, after))
            .and_then(|lines| journal.append_raw(&lines, after))
            .and_then(|()| self.store(chunk, before.offset, &[]));
        self.conclude(journal, before, staged)
    }
}

/// Another journal's entries, read once and checked, for `Catalog::adopt`.
#[derive(Debug)]
pub struct Adoption {
    source: Source,
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
