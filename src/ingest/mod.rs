//! Ingest: walk → stat cache → hash and store → probe → metadata → spot → catalogue.
//! Files are processed in parallel (rayon) while one thread commits them in groups, so one
//! fsync of the journal covers many files and no core waits for it. One bad file never stops the batch: it is reported and the rest go on.

mod described;
mod record;
mod walk;

use std::collections::HashSet;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use record::{new_asset, placement, NewAsset};

use crate::catalog::{Catalog, CatalogError, Change, FileStamp, StatEntry};
use crate::geo::Locator;
use crate::media::meta::Described;
use crate::media::{self, ProbeLimits};
use crate::model::{text, Asset, AssetId, ErrorKind, Kind};
use crate::store::{BlobStore, Inserted, Put};

/// Most files per commit: enough to amortise the journal fsync, few enough that a crash loses
/// little work and progress stays smooth.
const GROUP: usize = 64;

/// How to ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub tags: Vec<String>,
    /// Overrides the kind derived from the media type.
    pub kind: Option<Kind>,
    pub limits: ProbeLimits,
    /// Largest accepted file.
    pub max_bytes: u64,
    /// Who is ingesting, for the journal.
    pub actor: String,
    /// When, RFC 3339 (passed in so tests control the clock).
    pub at: String,
    /// Who uploads, when it is not the local operator: bytes already catalogued as an asset
    /// this viewer may not see are neither named nor tagged, and are reported as `withheld`,
    /// never as that asset (which does not exist for them).
    pub uploader: Option<crate::model::Viewer>,
    /// What the uploader typed (caption, credit, licence, tags…): part of the new asset's
    /// record from its first journal entry, checked with it. Not applied to known bytes.
    pub metadata: crate::catalog::Patch,
    /// The check-in spot the uploader chose (a spot id, or `none`), instead of matching it
    /// from GPS; kept as a person's choice.
    pub spot: Option<String>,
}

/// A file that was not ingested, with a stable code and a message naming it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Rejected {
    pub path: String,
    pub code: String,
    pub message: String,
    /// What kind of refusal it is, for a caller that answers for one file (an upload): the
    /// stable `code` is for people and programs, the kind decides the answer.
    #[serde(skip)]
    pub kind: ErrorKind,
}

/// The outcome of an ingest run: partial success is the normal case.
#[derive(Debug, Default, Clone, Serialize)]
pub struct IngestReport {
    pub added: Vec<AssetId>,
    pub duplicates: Vec<AssetId>,
    pub rejected: Vec<Rejected>,
    /// Bytes already held as an asset the uploader may not see (only with `uploader`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<AssetId>,
}

/// Progress after each file: files done of total, bytes read.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

/// The result of the parallel stage for one file.
enum Prepared {
    New {
        asset: Box<crate::model::Asset>,
        shown: String,
        stat: Option<StatEntry>,
    },
    Known {
        id: AssetId,
        name: String,
        shown: String,
        stat: Option<StatEntry>,
        /// The file's sidecar, read again: it may have changed since.
        sidecar: Option<Box<Described>>,
    },
    Rejected(Rejected),
}

/// Ingests into one store and catalogue, placing GPS against one gazetteer.
pub struct Ingester<'a> {
    pub store: &'a dyn BlobStore,
    pub catalog: &'a Catalog,
    pub locator: &'a Locator,
    /// Guidelines to check new assets against.
    pub brand: &'a crate::brand::Brand,
}

impl Ingester<'_> {
    /// Ingests files and folders (recursively). Errors only if the catalogue itself fails;
    /// problems with files are in the report.
    pub fn ingest_paths(
        &self,
        roots: &[PathBuf],
        options: &IngestOptions,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<IngestReport, IngestError> {
        let mut report = IngestReport::default();
        let mut files = Vec::new();
        for found in walk::walk(roots) {
            match found {
                walk::Found::File(p) => files.push(p),
                walk::Found::Problem {
                    path,
                    code,
                    message,
                } => report.rejected.push(Rejected {
                    path: path.display().to_string(),
                    code: code.into(),
                    message,
                    kind: ErrorKind::InvalidInput,
                }),
            }
        }
        // Sidecars are read with their picture; one without a picture is worth a word.
        let (sidecars, pictures): (Vec<PathBuf>, Vec<PathBuf>) =
            files.into_iter().partition(|p| described::is_sidecar(p));
        let claimed: HashSet<PathBuf> = pictures
            .iter()
            .filter_map(|p| described::sidecar_of(p))
            .collect();
        for p in sidecars.into_iter().filter(|p| !claimed.contains(p)) {
            report.rejected.push(Rejected {
                message: format!(
                    "{}: an XMP sidecar without its picture next to it",
                    p.display()
                ),
                path: p.display().to_string(),
                code: "orphan-sidecar".into(),
                kind: ErrorKind::InvalidInput,
            });
        }
        let files = pictures;
        let total = files.len();
        let (mut done, mut bytes) = (0, 0);
        crate::pipeline::run(
            &files,
            GROUP,
            |path| self.prepare(path, options),
            |prepared: Vec<(Prepared, u64)>| {
                done += prepared.len();
                bytes += prepared.iter().map(|(_, b)| b).sum::<u64>();
                self.commit_group(prepared.into_iter().map(|(p, _)| p), options, &mut report)?;
                progress(Progress { done, total, bytes });
                Ok::<_, IngestError>(())
            },
        )?;
        Ok(report)
    }

    /// The parallel stage: everything but the catalogue write. Returns the bytes read.
    fn prepare(&self, path: &Path, options: &IngestOptions) -> (Prepared, u64) {
        use ErrorKind::InvalidInput;
        let shown = path.display().to_string();
        // A refusal reads no bytes.
        let reject = |kind: ErrorKind, code: &str, message: String| {
            let rejected = Rejected {
                path: shown.clone(),
                code: code.into(),
                message: format!("{shown}: {message}"),
                kind,
            };
            (Prepared::Rejected(rejected), 0)
        };
        let name = text::file_name(
            &path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => return reject(InvalidInput, "unreadable-file", format!("cannot read: {e}")),
        };
        if meta.len() == 0 {
            return reject(InvalidInput, "empty-file", "the file is empty".into());
        }
        if meta.len() > options.max_bytes {
            let msg = format!(
                "{} bytes is over the limit of {} bytes",
                meta.len(),
                options.max_bytes
            );
            return reject(ErrorKind::TooLarge, "too-large", msg);
        }
        let key = std::fs::canonicalize(path)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| shown.clone());
        let stamp = file_stamp(&meta);
        let sidecar = described::sidecar_of(path).map(|p| Box::new(described::read_sidecar(&p)));
        if let Ok(Some(id)) = self.catalog.cached_id(&key, stamp) {
            if matches!(self.catalog.contains(&id), Ok(true)) {
                return (
                    Prepared::Known {
                        id,
                        name,
                        shown,
                        stat: None,
                        sidecar,
                    },
                    0,
                );
            }
        }
        let put = match self.store.put_file(path) {
            Ok(p) => p,
            Err(e) if e.is_disk_full() => {
                let full = "not stored: the disk is full".into();
                return reject(ErrorKind::Unavailable, "disk-full", full);
            }
            Err(e) => return reject(ErrorKind::Internal, "unreadable-file", e.to_string()),
        };
        let stat = StatEntry {
            path: key,
            stamp,
            id: AssetId::from_hash(put.hash),
        };
        (
            self.prepare_stored(put, &shown, name, Some(stat), sidecar, options),
            put.bytes,
        )
    }

    /// Catalogues bytes already in the store (an upload): probe, record, check, commit.
    /// Returns the report of this one item.
    pub fn ingest_stored(
        &self,
        put: Put,
        name: &str,
        options: &IngestOptions,
    ) -> Result<IngestReport, IngestError> {
        let mut report = IngestReport::default();
        let prepared = self.prepare_stored(put, name, text::nfc(name), None, None, options);
        self.commit_group(std::iter::once(prepared), options, &mut report)?;
        Ok(report)
    }

    /// The record ingest would make of stored bytes, without committing it (the file of a
    /// new version), or why they are refused (removed again if this upload brought them).
    /// Whether the bytes are already catalogued is the caller's to decide.
    pub fn probe_file(
        &self,
        put: Put,
        name: &str,
        options: &IngestOptions,
    ) -> Result<Asset, Rejected> {
        self.record_of(put, name, &text::nfc(name), None, options)
            .map(|a| *a)
    }

    /// Everything after the bytes are stored: known or new, probe, record, checks.
    /// The workflow over the same store, catalogue and brand: its rules judge new assets.
    fn workflow(&self) -> crate::workflow::Workflow<'_> {
        crate::workflow::Workflow {
            store: self.store,
            catalog: self.catalog,
            brand: self.brand,
        }
    }

    /// What the stored bytes are. Bytes refused here are removed again if this upload brought
    /// them: nothing keeps bytes no record references.
    fn probe_stored(
        &self,
        put: &Put,
        options: &IngestOptions,
    ) -> Result<media::Probe, media::ProbeError> {
        let probed = self
            .store
            .open(&put.hash)
            .map_err(|e| media::ProbeError::Io(std::io::Error::other(e.to_string())))
            .and_then(|blob| media::probe(&mut BufReader::new(blob), &options.limits))
            .and_then(|p| {
                // Plain text is a slogan when a person says so, never by accident.
                if p.media_type == crate::model::MediaType::Text
                    && options.kind != Some(Kind::Slogan)
                {
                    Err(media::ProbeError::Unsupported)
                } else {
                    Ok(p)
                }
            });
        if probed.is_err() && put.inserted == Inserted::New {
            let _ = self.store.remove(&put.hash);
        }
        probed
    }

    fn prepare_stored(
        &self,
        put: Put,
        shown: &str,
        name: String,
        stat: Option<StatEntry>,
        sidecar: Option<Box<Described>>,
        options: &IngestOptions,
    ) -> Prepared {
        let id = AssetId::from_hash(put.hash);
        if matches!(self.catalog.contains(&id), Ok(true)) {
            return Prepared::Known {
                id,
                name,
                shown: shown.to_owned(),
                stat,
                sidecar,
            };
        }
        match self.record_of(put, shown, &name, sidecar, options) {
            Ok(asset) => Prepared::New {
                asset,
                shown: shown.to_owned(),
                stat,
            },
            Err(rejected) => Prepared::Rejected(rejected),
        }
    }

    /// The record of stored bytes as ingest makes it (probe, metadata, spot, checks), or why
    /// they are refused.
    fn record_of(
        &self,
        put: Put,
        shown: &str,
        name: &str,
        sidecar: Option<Box<Described>>,
        options: &IngestOptions,
    ) -> Result<Box<Asset>, Rejected> {
        let reject = |kind: ErrorKind, code: &str, message: String| Rejected {
            path: shown.to_owned(),
            code: code.into(),
            message: format!("{shown}: {message}"),
            kind,
        };
        let id = AssetId::from_hash(put.hash);
        let mut probe = self
            .probe_stored(&put, options)
            .map_err(|e| reject(e.kind(), e.code(), e.to_string()))?;
        if let Some(mut sidecar) = sidecar {
            probe.warnings.append(&mut sidecar.warnings);
            let embedded = probe.described.take().unwrap_or_default();
            probe.described = Some(sidecar.or(embedded));
        }
        let mut asset = new_asset(
            NewAsset {
                id,
                bytes: put.bytes,
                name,
                kind: options.kind,
                tags: &options.tags,
                at: &options.at,
                owner: &options.actor,
                vocabulary: self.vocabulary(),
            },
            probe,
            self.locator,
        );
        let workflow = self.workflow();
        let mut typed = Vec::new();
        if !options.metadata.is_empty() {
            typed.push(Change::Edited {
                id,
                patch: options.metadata.clone(),
            });
        }
        if let Some(spot) = &options.spot {
            let spot = Some(spot.as_str()).filter(|s| *s != "none");
            let choice = workflow
                .spot_choice(&asset, spot)
                .map_err(|e| reject(ErrorKind::InvalidInput, "unknown-spot", e.to_string()))?;
            typed.push(choice);
        }
        for change in &typed {
            asset = crate::catalog::apply(Some(asset.clone()), change).unwrap_or(asset);
        }
        asset
            .violations
            .extend(workflow.violations(&asset, &options.at));
        Ok(Box::new(asset))
    }

    /// The sequential stage: decide new or duplicate, and commit the group in one transaction.
    /// A full disk refuses the whole group (nothing of it is catalogued) with `disk-full` for
    /// each file, and the run goes on to report the rest: the caller always gets its report.
    fn commit_group(
        &self,
        prepared: impl Iterator<Item = Prepared>,
        options: &IngestOptions,
        report: &mut IngestReport,
    ) -> Result<(), IngestError> {
        let mut changes = Vec::new();
        let mut stats = Vec::new();
        let mut added_here: HashSet<AssetId> = HashSet::new();
        let mut group = IngestReport::default();
        let mut shown_all = Vec::new();
        for p in prepared {
            match p {
                Prepared::New { asset, shown, stat } => {
                    shown_all.push(shown);
                    stats.extend(stat);
                    let (id, name) = (asset.id, asset.display_name().to_owned());
                    if added_here.contains(&id) {
                        // The same bytes twice in one group: the first is being added.
                        changes.push(Change::NameSeen { id, name });
                        group.duplicates.push(id);
                    } else if self.catalog.contains(&id)? {
                        // Added by another writer since this file was prepared.
                        self.known(id, name, options, &mut changes, &mut group)?;
                    } else {
                        added_here.insert(asset.id);
                        group.added.push(asset.id);
                        changes.push(Change::Ingested { asset });
                    }
                }
                Prepared::Known {
                    id,
                    name,
                    shown,
                    stat,
                    sidecar,
                } => {
                    shown_all.push(shown);
                    stats.extend(stat);
                    if !added_here.contains(&id) {
                        self.known(id, name, options, &mut changes, &mut group)?;
                        self.described_again(id, sidecar.as_deref(), &mut changes)?;
                    } else {
                        changes.push(Change::NameSeen { id, name });
                        group.duplicates.push(id);
                    }
                }
                Prepared::Rejected(r) => group.rejected.push(r),
            }
        }
        match self
            .catalog
            .commit(&options.at, &options.actor, &changes, &stats)
        {
            Ok(()) => {
                report.added.extend(group.added);
                report.duplicates.extend(group.duplicates);
                report.withheld.extend(group.withheld);
            }
            Err(e) if e.is_disk_full() => {
                report
                    .rejected
                    .extend(shown_all.into_iter().map(|shown| Rejected {
                        message: format!("{shown}: not catalogued: the disk is full"),
                        path: shown,
                        code: "disk-full".into(),
                        kind: ErrorKind::Unavailable,
                    }));
            }
            Err(e) => return Err(e.into()),
        }
        report.rejected.extend(group.rejected);
        Ok(())
    }

    /// Changes for bytes already catalogued: a new name and new tags, if any, and only on a
    /// record the uploader may see (else the bytes are `withheld`, the record untouched).
    fn known(
        &self,
        id: AssetId,
        name: String,
        options: &IngestOptions,
        changes: &mut Vec<Change>,
        report: &mut IngestReport,
    ) -> Result<(), IngestError> {
        let Some(asset) = self.catalog.asset(&id)? else {
            return Ok(());
        };
        if options
            .uploader
            .as_ref()
            .is_some_and(|v| !v.can_see(&asset))
        {
            report.withheld.push(id);
            return Ok(());
        }
        report.duplicates.push(id);
        if !asset.names.contains(&name) {
            changes.push(Change::NameSeen { id, name });
        }
        let new_tags: Vec<String> = options
            .tags
            .iter()
            .map(|t| crate::model::text::normalise_tag(t))
            .filter(|t| !t.is_empty() && !asset.tags.contains(t))
            .collect();
        if !new_tags.is_empty() {
            changes.push(Change::TagsAdded { id, tags: new_tags });
        }
        Ok(())
    }
}

impl Ingester<'_> {
    fn vocabulary(&self) -> Option<&crate::model::Vocabulary> {
        self.brand.guidelines.as_ref().map(|g| &g.vocabulary)
    }

    /// Changes for known bytes whose sidecar says something the record does not: the fields
    /// a person has not set, and its keywords as tags unless a person has edited the tags.
    fn described_again(
        &self,
        id: AssetId,
        sidecar: Option<&Described>,
        changes: &mut Vec<Change>,
    ) -> Result<(), IngestError> {
        let Some(sidecar) = sidecar else {
            return Ok(());
        };
        let Some(asset) = self.catalog.asset(&id)? else {
            return Ok(());
        };
        let fields = described::file_fields(Some(sidecar), None);
        let mut after = asset.clone();
        after.take_file_fields(&fields);
        if after != asset {
            changes.push(Change::Described { id, fields });
        }
        let tags: Vec<String> = described::keyword_tags(&sidecar.keywords, self.vocabulary())
            .into_iter()
            .filter(|t| !asset.tags.contains(t))
            .collect();
        if !tags.is_empty() && !asset.is_edited("tags") {
            changes.push(Change::TagsAdded { id, tags });
        }
        Ok(())
    }
}

fn file_stamp(meta: &std::fs::Metadata) -> FileStamp {
    use std::os::unix::fs::MetadataExt;
    FileStamp {
        size: meta.len(),
        mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        inode: meta.ino(),
    }
}
