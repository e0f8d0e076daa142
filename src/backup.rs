//! Copies of a whole library: `backup` into a folder while the library is in use, `restore`
//! from such a folder, `migrate` between stores and catalogues.
//!
//! All three take a snapshot of the source catalogue from its journal (which only grows, so a
//! prefix of it is consistent without stopping the service), copy the objects that snapshot
//! references by hash (each one rehashed on the way in; those already at the target skipped,
//! so an interrupted run resumes where it stopped), and only then the journal: a copy never
//! references an object it lacks. The source is only read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, CatalogError, Location, Position, Snapshot, Source, JOURNAL_FILE};
use crate::store::{BlobStore, Durability, FsStore, Hash, Inserted, StoreError};

/// The file that marks a finished backup and says what it holds.
pub const MANIFEST: &str = "backup.json";
/// The manifest format this build writes and reads.
const MANIFEST_FORMAT: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {reason}")]
    NotABackup { path: PathBuf, reason: String },
}

impl BackupError {
    /// The stable code for users (`--json` output).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Catalog(e) => e.code(),
            Self::Store(e) => e.code(),
            Self::NotABackup { .. } => "not-a-backup",
        }
    }
}

/// Objects copied from one store to another.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Copied {
    /// Objects the snapshot references.
    pub objects: usize,
    /// Of which copied now (the rest were at the target already).
    pub copied: usize,
    pub bytes: u64,
    /// Referenced objects the source does not have (`verify` of the source reports them too).
    pub missing: Vec<String>,
    /// Source objects whose bytes do not hash to their name: not copied.
    pub corrupt: Vec<String>,
}

/// Objects copied at the same time.
const COPIES_AT_ONCE: usize = 8;

/// Called with (objects done, objects in all) as the copy goes.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Copies `objects` from `from` to `to`, several at a time, skipping those `to` has.
pub fn copy_objects(
    from: &dyn BlobStore,
    to: &dyn BlobStore,
    objects: &BTreeSet<[u8; 32]>,
    progress: Progress<'_>,
) -> Result<Copied, StoreError> {
    enum Outcome {
        Present,
        Copied(u64),
        Missing,
        Corrupt,
    }
    let done = AtomicUsize::new(0);
    let list: Vec<Hash> = objects.iter().map(|b| Hash::from_bytes(*b)).collect();
    // Copies wait on the network (object storage) more than on the CPU: more than one per core.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(COPIES_AT_ONCE)
        .build()
        .map_err(|e| StoreError::Remote(format!("cannot start the copy threads: {e}")))?;
    let outcomes: Vec<(Hash, Outcome)> = pool.install(|| {
        list.par_iter()
            .with_max_len(1)
            .map(|hash| {
                let outcome = if to.exists(hash) {
                    Outcome::Present
                } else {
                    match from.open(hash) {
                        Err(StoreError::NotFound(_)) => Outcome::Missing,
                        Err(e) => return Err(e),
                        Ok(mut blob) => {
                            let put = to.put_reader(&mut blob, Durability::Durable)?;
                            if put.hash == *hash {
                                Outcome::Copied(put.bytes)
                            } else {
                                // The bytes went in under their own name: take them out again.
                                if put.inserted == Inserted::New {
                                    to.remove(&put.hash)?;
                                }
                                Outcome::Corrupt
                            }
                        }
                    }
                };
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, list.len());
                Ok((*hash, outcome))
            })
            .collect::<Result<_, StoreError>>()
    })?;
    let mut copied = Copied {
        objects: list.len(),
        ..Default::default()
    };
    for (hash, outcome) in outcomes {
        match outcome {
            Outcome::Present => {}
            Outcome::Copied(bytes) => {
                copied.copied += 1;
                copied.bytes += bytes;
            }
            Outcome::Missing => copied.missing.push(hash.to_hex().to_string()),
            Outcome::Corrupt => copied.corrupt.push(hash.to_hex().to_string()),
        }
    }
    Ok(copied)
}

/// What a backup folder's manifest says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// When the backup was taken.
    pub taken_at: String,
    /// The journal position it holds: entries, hash of the last line, bytes.
    pub entries: u64,
    pub head: String,
    pub journal_bytes: u64,
    pub assets: usize,
    pub objects: usize,
    /// Objects the library referenced but did not have when the backup was taken.
    pub missing: Vec<String>,
}

impl Manifest {
    fn position(&self) -> Option<Position> {
        let head = Hash::from_hex(&self.head).ok()?;
        Some(Position {
            seq: self.entries,
            head: *head.as_bytes(),
            offset: self.journal_bytes,
        })
    }
}

/// What `backup` did.
#[derive(Debug, Serialize)]
pub struct BackupReport {
    pub dir: PathBuf,
    pub entries: u64,
    pub assets: usize,
    #[serde(flatten)]
    pub copied: Copied,
}

/// Writes a restorable copy of the library (catalogue at `catalog`, objects in `store`)
/// into `dir`: `dir/objects/…` (the local store layout), `dir/journal.jsonl` up to the
/// snapshot's position, and `dir/backup.json`, written last. A folder holding an earlier
/// backup of the same library is brought up to date (only new objects are copied).
pub fn backup(
    store: &dyn BlobStore,
    catalog: &Location,
    dir: &Path,
    taken_at: &str,
    progress: Progress<'_>,
) -> Result<BackupReport, BackupError> {
    let snapshot = Catalog::snapshot(catalog)?;
    let target = FsStore::open(dir)?;
    let copied = copy_objects(store, &target, &snapshot.objects, progress)?;
    Catalog::copy_journal(catalog, snapshot.end, &dir.join(JOURNAL_FILE))?;
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        taken_at: taken_at.to_owned(),
        entries: snapshot.end.seq,
        head: Hash::from_bytes(snapshot.end.head).to_hex().to_string(),
        journal_bytes: snapshot.end.offset,
        assets: snapshot.assets,
        objects: snapshot.objects.len(),
        missing: copied.missing.clone(),
    };
    write_manifest(dir, &manifest)?;
    Ok(BackupReport {
        dir: dir.to_owned(),
        entries: snapshot.end.seq,
        assets: snapshot.assets,
        copied,
    })
}

fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), BackupError> {
    let path = dir.join(MANIFEST);
    let tmp = dir.join(format!("{MANIFEST}.partial"));
    let json =
        serde_json::to_vec_pretty(manifest).map_err(|e| CatalogError::Encode(e.to_string()))?;
    std::fs::write(&tmp, json)
        .and_then(|()| std::fs::File::open(&tmp)?.sync_all())
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(StoreError::io(&path))?;
    Ok(())
}

/// What `restore` and `migrate` did.
#[derive(Debug, Serialize)]
pub struct CopyReport {
    pub entries: u64,
    pub assets: usize,
    /// Journal entries the target catalogue took (0 when only the objects moved).
    pub adopted: usize,
    #[serde(flatten)]
    pub copied: Copied,
}

/// Restores the backup in `dir` into a library: its objects into `store`, then its journal
/// into `catalog` (which must be empty, or an earlier state of the same library).
pub fn restore(
    dir: &Path,
    store: &dyn BlobStore,
    catalog: &Catalog,
    progress: Progress<'_>,
) -> Result<CopyReport, BackupError> {
    let manifest = read_manifest(dir)?;
    let journal = Source::File(dir.join(JOURNAL_FILE));
    let snapshot = Catalog::snapshot_of(&journal)?;
    if manifest.position() != Some(snapshot.end) {
        return Err(not_a_backup(
            dir,
            "its journal does not end where backup.json says: the backup was interrupted; take it again",
        ));
    }
    let source = FsStore::open(dir)?;
    copy_into(
        &source,
        journal,
        &snapshot,
        Some(store),
        Some(catalog),
        progress,
    )
}

fn read_manifest(dir: &Path) -> Result<Manifest, BackupError> {
    let path = dir.join(MANIFEST);
    let bytes = std::fs::read(&path)
        .map_err(|_| not_a_backup(dir, "no backup.json: not a finished brandvault backup"))?;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| not_a_backup(&path, &format!("unreadable: {e}")))?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(not_a_backup(
            &path,
            &format!(
                "backup format {} (this brandvault reads {MANIFEST_FORMAT})",
                manifest.format
            ),
        ));
    }
    Ok(manifest)
}

fn not_a_backup(path: &Path, reason: &str) -> BackupError {
    BackupError::NotABackup {
        path: path.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Copies the library (catalogue at `catalog`, objects in `store`) to another store, another
/// catalogue, or both. Run again after an interruption, it copies only what is left.
pub fn migrate(
    store: &dyn BlobStore,
    catalog: &Location,
    to_store: Option<&dyn BlobStore>,
    to_catalog: Option<&Catalog>,
    progress: Progress<'_>,
) -> Result<CopyReport, BackupError> {
    let journal = catalog.source()?;
    let snapshot = Catalog::snapshot_of(&journal)?;
    copy_into(store, journal, &snapshot, to_store, to_catalog, progress)
}

/// Objects first, then the journal: the target catalogue never names an object its store lacks.
fn copy_into(
    from: &dyn BlobStore,
    journal: Source,
    snapshot: &Snapshot,
    to_store: Option<&dyn BlobStore>,
    to_catalog: Option<&Catalog>,
    progress: Progress<'_>,
) -> Result<CopyReport, BackupError> {
    let adoption = to_catalog
        .map(|catalog| catalog.plan_adoption(journal, snapshot.end))
        .transpose()?;
    let copied = match to_store {
        Some(to) => copy_objects(from, to, &snapshot.objects, progress)?,
        None => Copied::default(),
    };
    let adopted = match (to_catalog, &adoption) {
        (Some(catalog), Some(adoption)) => catalog.adopt(adoption)?,
        _ => 0,
    };
    Ok(CopyReport {
        entries: snapshot.end.seq,
        assets: snapshot.assets,
        adopted,
        copied,
    })
}
