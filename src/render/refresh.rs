//! Keeping renditions true to the catalogue: a rendition whose asset was edited since it was
//! made gets the new metadata written into its own bytes (no decode, no resize), and a
//! delivery asks for the current rendition, made or refreshed on the spot if the catalogue
//! says something it does not. No copy is served with an older caption, credit or restriction.

use std::io::Read;

use super::{embed, AssetOutcome, Encoded, Failed, Made, Output, Planned, RenderError, Renderer};
use crate::catalog::Change;
use crate::media::ffmpeg::MovieTags;
use crate::media::meta::Outgoing;
use crate::model::{Asset, ErrorKind, Format, Rendition, RenditionFailure};
use crate::store::{Durability, Hash};

impl Renderer<'_> {
    /// Whether a recorded rendition's object is in the store whole.
    pub(super) fn present(&self, r: &Rendition) -> bool {
        r.object()
            .and_then(|h| Hash::from_hex(h).ok())
            .is_some_and(|h| self.store.size(&h).ok() == Some(r.bytes))
    }

    /// The recorded rendition of `planned` with `metadata` written into it again, when only
    /// the metadata changed (same pixel key) and the format carries written metadata.
    pub(super) fn reembed(
        &self,
        asset: &Asset,
        planned: &Planned<'_>,
        metadata: &Outgoing,
    ) -> Option<Made> {
        let r = asset
            .renditions
            .iter()
            .find(|r| r.preset == planned.preset.name)
            .filter(|r| r.pixels.as_deref() == Some(planned.pixels.as_str()))?;
        match planned.preset.format {
            Format::Hls => return self.remaster(r, asset),
            // Made of the film's frames alone: nothing to write into it again.
            Format::Strip => return None,
            _ => {}
        }
        let hash = Hash::from_hex(r.object()?).ok()?;
        if planned.preset.format == Format::Mp4 {
            return self.retag(r, &hash, &super::movie_tags(&planned.preset, metadata));
        }
        let mut bytes = Vec::with_capacity(r.bytes as usize);
        self.store.open(&hash).ok()?.read_to_end(&mut bytes).ok()?;
        let bytes = embed(bytes, &planned.preset, metadata).ok()?;
        Some(Ok(Encoded {
            output: Output::Memory(bytes),
            width: r.width,
            height: r.height,
        }))
    }

    /// The recorded film `r` (object `hash`) copied with `tags` in place of its own, streams
    /// untouched: seconds for a long film where encoding it again would take minutes.
    fn retag(&self, r: &Rendition, hash: &Hash, tags: &MovieTags) -> Option<Made> {
        let ffmpeg = self.ffmpeg.as_ref()?;
        let movie = self.store.materialise(hash).ok()?;
        let out = self.store.scratch_path();
        if let Err(e) = ffmpeg.retag(movie.path(), tags, &out) {
            tracing::warn!("retagging a film rendition failed: {e}");
            let _ = std::fs::remove_file(&out);
            return None;
        }
        Some(Ok(Encoded {
            output: Output::Scratch(out),
            width: r.width,
            height: r.height,
        }))
    }

    /// Stores a made rendition and records it (or its failure) in `out`.
    pub(super) fn keep(
        &self,
        asset: &Asset,
        planned: Planned<'_>,
        made: Made,
        out: &mut AssetOutcome,
    ) {
        let preset = planned.preset.clone();
        let stored = made.and_then(|made| {
            let mut parts = Vec::new();
            let put = match made.output {
                Output::Memory(bytes) => self
                    .store
                    .put_reader(&mut bytes.as_slice(), Durability::Derived),
                Output::Scratch(path) => {
                    let put = std::fs::File::open(&path)
                        .map_err(crate::store::StoreError::io(&path))
                        .and_then(|mut f| self.store.put_reader(&mut f, Durability::Derived));
                    let _ = std::fs::remove_file(&path);
                    put
                }
                Output::WithParts { main, parts: p } => {
                    parts = p;
                    self.store
                        .put_reader(&mut main.as_slice(), Durability::Derived)
                }
            };
            let put = put.map_err(|e| super::store_failure(&e))?;
            Ok(Rendition {
                preset: preset.name.clone(),
                url: format!("/r/{}.{}", put.hash.to_hex(), preset.format.extension()),
                width: made.width,
                height: made.height,
                bytes: put.bytes,
                media_type: preset.format.mime().to_owned(),
                key: planned.key,
                pixels: Some(planned.pixels),
                parts,
            })
        });
        match stored {
            Ok(rendition) => {
                out.rendered += 1;
                out.changes.push(Change::RenditionRecorded {
                    id: asset.id,
                    rendition,
                });
            }
            Err(failure) => {
                if failure.kind() == ErrorKind::Internal {
                    tracing::warn!(
                        "{} ({}): {}",
                        failure.code(),
                        preset.name,
                        failure.message()
                    );
                }
                let failure = RenditionFailure {
                    preset: preset.name.clone(),
                    code: failure.code().to_owned(),
                    message: format!("{}: {}", asset.display_name(), failure.message()),
                };
                out.failed.push(Failed {
                    id: asset.id,
                    preset: failure.preset.clone(),
                    code: failure.code.clone(),
                    message: failure.message.clone(),
                });
                out.changes.push(Change::RenditionFailed {
                    id: asset.id,
                    failure,
                });
            }
        }
    }

    /// After an edit: the new metadata written into every rendition of `ids` whose pixels are
    /// current (milliseconds each, no decode), in one commit. Returns the assets that still
    /// need renditions made (pixels missing or made by another engine), for the background.
    pub fn refresh_metadata(
        &self,
        ids: &[crate::model::AssetId],
        at: &str,
        actor: &str,
    ) -> Result<Vec<crate::model::AssetId>, RenderError> {
        let mut changes = Vec::new();
        let mut left = Vec::new();
        for asset in self.catalog.assets(ids)? {
            let metadata = super::outgoing(&asset, self.wording());
            let mut out = AssetOutcome::default();
            let mut whole = true;
            for planned in self.plan(&asset, &[]) {
                if planned.fresh {
                    continue;
                }
                match self.reembed(&asset, &planned, &metadata) {
                    Some(made) => self.keep(&asset, planned, made, &mut out),
                    None => whole = false,
                }
            }
            changes.extend(out.changes);
            if !whole {
                left.push(asset.id);
            }
        }
        self.catalog.commit(at, actor, &changes, &[])?;
        Ok(left)
    }

    /// Whether `asset`'s rendition in `preset` is missing or says less than the catalogue.
    pub fn is_stale(&self, asset: &Asset, preset: &str) -> bool {
        self.plan(asset, &[preset.to_owned()])
            .first()
            .is_some_and(|p| !p.fresh)
    }

    /// The rendition of `asset` in `preset` as the catalogue now describes it: the recorded one
    /// when it is current, else made again (or its metadata rewritten) now and recorded, so
    /// that a delivery never hands out a copy carrying older metadata. `None` when the asset
    /// has no rendition in that preset (never made, or failed: the renderer's own pass deals
    /// with those, not a request) or it cannot be remade now. A failure is not journaled here,
    /// so requests cannot fill the journal.
    pub fn current(
        &self,
        asset: &Asset,
        preset: &str,
        at: &str,
        actor: &str,
    ) -> Result<Option<Rendition>, RenderError> {
        let Some(recorded) = asset.renditions.iter().find(|r| r.preset == preset) else {
            return Ok(None);
        };
        let only = [preset.to_owned()];
        let mut plan = self.plan(asset, &only);
        let changes = match plan.pop() {
            None => return Ok(None),
            Some(planned) if planned.fresh => return Ok(Some(recorded.clone())),
            // A film is retagged here (seconds), never encoded again inside a request: if it
            // cannot be, nothing is served until the background pass has made it.
            Some(planned) if planned.preset.format.is_film() => {
                let metadata = super::outgoing(asset, self.wording());
                let Some(made) = self.reembed(asset, &planned, &metadata) else {
                    return Ok(None);
                };
                let mut out = AssetOutcome::default();
                self.keep(asset, planned, made, &mut out);
                out.changes
            }
            Some(_) => self.render_asset(asset, &only).changes,
        };
        let made: Vec<Change> = changes
            .into_iter()
            .filter(|c| matches!(c, Change::RenditionRecorded { .. }))
            .collect();
        self.catalog.commit(at, actor, &made, &[])?;
        Ok(made.into_iter().find_map(|c| match c {
            Change::RenditionRecorded { rendition, .. } => Some(rendition),
            _ => None,
        }))
    }
}
