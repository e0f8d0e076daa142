//! Renditions: get-or-create, in parallel. All the presets an asset needs come from one decode
//! (at the smallest JPEG DCT scale that serves the largest of them), each resized from the
//! smallest intermediate that is still large enough. A rendition is keyed by its inputs, so the
//! same source and preset are computed once; its bytes go into the content-addressed store.

use std::io::Read;
use std::path::PathBuf;

use image::DynamicImage;
use serde::Serialize;

use crate::catalog::{Catalog, CatalogError, Change};
use crate::config::Settings;
use crate::media::colour::SourceColour;
use crate::media::ffmpeg::{Ffmpeg, PreviewSpec};
use crate::media::meta::Outgoing;
use crate::media::{decode, encode, resize, svg};
use crate::model::{Asset, AssetId, ErrorKind, Fit, Format, Kind, MediaType, Preset};
use crate::store::{BlobStore, Hash};

mod failure;
mod hls;
mod metadata;
mod original;
mod refresh;
pub mod strip;
pub use failure::Failure;
pub use metadata::{
    delivered_original, embed, keyed, movie_tags, outgoing, pixel_key, rendition_key, Wording,
};

/// Bump when the output of the same preset on the same source changes (decoder, resizer,
/// encoder, metadata written): every rendition is then remade.
pub const ENGINE_VERSION: &str = "brandvault-render/4";

/// How much larger than the largest preset a JPEG is decoded (see `make_raster`).
const DCT_MARGIN: f64 = 1.5;

/// Assets per commit: each group's records are journaled in one fsync.
const GROUP: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

/// One rendition that could not be made.
#[derive(Debug, Clone, Serialize)]
pub struct Failed {
    pub id: AssetId,
    pub preset: String,
    pub code: String,
    pub message: String,
}

/// What a render run did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct RenderReport {
    pub rendered: usize,
    pub cached: usize,
    pub failed: Vec<Failed>,
}

/// Makes renditions into one store and catalogue with one set of presets.
pub struct Renderer<'a> {
    pub store: &'a dyn BlobStore,
    pub catalog: &'a Catalog,
    pub presets: &'a [Preset],
    /// The pixel limit and the memory budget of one decode.
    pub limits: crate::media::ProbeLimits,
    /// Largest original read into memory for decoding.
    pub max_source_bytes: u64,
    /// Where a video's poster frame is taken, as a fraction of its duration.
    pub poster_at: f64,
    /// Video renditions need it; without it they fail with `ffmpeg-missing`.
    pub ffmpeg: Option<Ffmpeg>,
    /// The service's public address: delivered files carry their asset's stable URL.
    pub public_url: Option<String>,
    /// The brand's guidelines: the words and places delivered files carry.
    pub guidelines: Option<&'a crate::model::Guidelines>,
}

/// One preset of an asset: the keys of what it should be, and whether what is recorded is.
struct Planned<'p> {
    /// The brand's preset, with the asset's own focus point for a crop of another shape.
    preset: std::borrow::Cow<'p, Preset>,
    key: String,
    pixels: String,
    fresh: bool,
}

/// The outcome for one asset: records to commit, and counts.
#[derive(Default)]
struct AssetOutcome {
    changes: Vec<Change>,
    rendered: usize,
    cached: usize,
    failed: Vec<Failed>,
}

impl<'a> Renderer<'a> {
    /// A renderer with the settings' limits, and ffmpeg if it is on PATH.
    pub fn new(
        store: &'a dyn BlobStore,
        catalog: &'a Catalog,
        brand: &'a crate::brand::Brand,
        settings: &Settings,
    ) -> Self {
        Self {
            store,
            catalog,
            presets: &brand.presets,
            guidelines: brand.guidelines.as_ref(),
            limits: settings.limits,
            max_source_bytes: settings.max_render_source_bytes,
            poster_at: settings.poster_at,
            ffmpeg: Ffmpeg::on_path(settings.ffmpeg_timeout),
            public_url: settings.public_url.clone(),
        }
    }

    /// The words and places delivered files carry.
    pub fn wording(&self) -> Wording<'_> {
        Wording {
            public_url: self.public_url.as_deref(),
            guidelines: self.guidelines,
        }
    }
    /// Renders `only` presets (all when empty) for the given assets, in parallel; one bad
    /// asset never stops the batch. `progress` is called with (assets done, total).
    pub fn render(
        &self,
        ids: &[AssetId],
        only: &[String],
        at: &str,
        actor: &str,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<RenderReport, RenderError> {
        let mut report = RenderReport::default();
        let mut done = 0;
        crate::pipeline::run(
            ids,
            GROUP,
            |id| match self.catalog.asset(id) {
                Ok(Some(asset)) => Some(self.render_asset(&asset, only)),
                _ => None,
            },
            |outcomes: Vec<Option<AssetOutcome>>| {
                let mut changes = Vec::new();
                done += outcomes.len();
                for o in outcomes.into_iter().flatten() {
                    report.rendered += o.rendered;
                    report.cached += o.cached;
                    report.failed.extend(o.failed);
                    changes.extend(o.changes);
                }
                self.catalog.commit(at, actor, &changes, &[])?;
                progress(done, ids.len());
                Ok::<_, RenderError>(())
            },
        )?;
        Ok(report)
    }

    /// The presets that apply to an asset (optionally restricted to `only`).
    pub fn presets_for<'p>(&'p self, asset: &Asset, only: &[String]) -> Vec<&'p Preset> {
        self.presets
            .iter()
            .filter(|p| p.kinds.contains(&asset.kind))
            .filter(|p| only.is_empty() || only.contains(&p.name))
            .filter(|p| {
                p.min_seconds
                    .is_none_or(|m| asset.duration_s.is_some_and(|d| d > f64::from(m)))
            })
            .collect()
    }

    /// Whether any rendition the asset should have is missing, stale or failed.
    /// What decides every rendition key and whether a failed one may now succeed: engine,
    /// presets, public URL, poster position, ffmpeg's presence, limits and store. Renditions
    /// found current under one fingerprint stay current until it changes.
    pub fn fingerprint(&self) -> String {
        let inputs = format!(
            "{ENGINE_VERSION}\n{:?}\n{:?}\n{:?}\n{}\n{}\n{:?}\n{}\n{}",
            self.presets,
            self.public_url,
            self.guidelines.map(|g| (&g.vocabulary, &g.place)),
            self.poster_at,
            self.ffmpeg.is_some(),
            self.limits,
            self.max_source_bytes,
            self.store.location()
        );
        blake3::hash(inputs.as_bytes()).to_hex().to_string()
    }

    pub fn needs_work(&self, asset: &Asset) -> bool {
        self.plan(asset, &[]).iter().any(|p| !p.fresh)
    }

    /// The ids among `ids` that need work (a crash left renditions unmade, a preset changed,
    /// ffmpeg arrived), reading a few hundred records at a time so a large library is never
    /// held whole.
    pub fn pending(&self, ids: &[AssetId]) -> Result<Vec<AssetId>, RenderError> {
        let mut pending = Vec::new();
        // Records a few hundred at a time: one query each from a shared catalogue.
        for chunk in ids.chunks(512) {
            for asset in self.catalog.assets(chunk)? {
                if self.needs_work(&asset) {
                    pending.push(asset.id);
                }
            }
        }
        Ok(pending)
    }

    /// Each applicable preset with its rendition and pixel keys and whether the recorded
    /// rendition is current and present in the store.
    fn plan<'p>(&'p self, asset: &Asset, only: &[String]) -> Vec<Planned<'p>> {
        let metadata = outgoing(asset, self.wording());
        self.presets_for(asset, only)
            .into_iter()
            .map(|preset| {
                let preset = focused(asset, preset);
                // A video's stills depend on where the poster frame is taken.
                let poster_at = (asset.kind == Kind::Video && !preset.format.is_film())
                    .then_some(self.poster_at);
                let mut pixels = pixel_key(asset.object_id(), &preset, poster_at, ENGINE_VERSION);
                if let Some(track) = burned(asset, &preset) {
                    // Burned-in words are pixels: a changed track makes the cut again.
                    pixels = blake3::hash(format!("{pixels}\nburn={}", track.hash).as_bytes())
                        .to_hex()
                        .to_string();
                }
                let key = match preset.format {
                    Format::Hls => hls::key(&pixels, &asset.subtitles),
                    _ => keyed(&pixels, &preset, &metadata),
                };
                let current = asset.renditions.iter().find(|r| r.preset == preset.name);
                // Renditions are stored without fsync: after a crash one may be missing or short.
                let fresh = current.is_some_and(|r| r.key == key && self.present(r));
                Planned {
                    preset,
                    key,
                    pixels,
                    fresh,
                }
            })
            .collect()
    }

    fn render_asset(&self, asset: &Asset, only: &[String]) -> AssetOutcome {
        let mut out = AssetOutcome::default();
        let metadata = outgoing(asset, self.wording());
        let mut todo = Vec::new();
        let mut done = Vec::new();
        for planned in self.plan(asset, only) {
            if planned.fresh {
                out.cached += 1;
            } else if let Some(made) = self.reembed(asset, &planned, &metadata) {
                done.push((planned, made));
            } else {
                todo.push(planned);
            }
        }
        if !todo.is_empty() {
            let pairs: Vec<(&Preset, String)> =
                todo.iter().map(|p| (&*p.preset, p.key.clone())).collect();
            let made = self.make(asset, &pairs, &metadata);
            done.extend(todo.into_iter().zip(made));
        }
        for (planned, made) in done {
            self.keep(asset, planned, made, &mut out);
        }
        out
    }

    /// Encoded bytes and size for each preset in `todo`, in order.
    fn make(&self, asset: &Asset, todo: &[(&Preset, String)], metadata: &Outgoing) -> Vec<Made> {
        let all_fail = |failure| fail_all(todo.len(), failure);
        let media_type = MediaType::from_mime(&asset.media_type);
        let source = match media_type {
            Some(t) if t.is_video() => return self.make_video(asset, todo, metadata),
            Some(MediaType::Heif) if !crate::media::heif::available() => {
                return all_fail(Failure::new(
                    ErrorKind::Unsupported,
                    "heif-unsupported",
                    "no HEIF decoder in this build",
                ))
            }
            Some(MediaType::Pdf) | None => {
                return all_fail(Failure::new(
                    ErrorKind::Unsupported,
                    "unsupported-type",
                    format!("cannot render {}", asset.media_type),
                ))
            }
            Some(t) => t,
        };
        let bytes = match self.read_source(asset) {
            Ok(b) => b,
            Err(failure) => return all_fail(failure),
        };
        if source == MediaType::Svg {
            return todo
                .iter()
                .map(|(preset, _)| {
                    let (w, _) = preset.target_size(
                        asset.width.unwrap_or(preset.width),
                        asset.height.unwrap_or(preset.width),
                    );
                    let width = if preset.fit == Fit::Width {
                        preset.width
                    } else {
                        w
                    };
                    let image = svg::rasterise(&bytes, width.max(1))
                        .map(DynamicImage::ImageRgba8)
                        .map_err(|e| {
                            Failure::new(ErrorKind::InvalidInput, "undecodable-image", e)
                        })?;
                    finish(&image, preset, metadata, &SourceColour::Srgb, None)
                })
                .collect();
        }
        self.make_raster(asset, source, &bytes, todo, metadata)
    }

    fn make_raster(
        &self,
        asset: &Asset,
        source: MediaType,
        bytes: &[u8],
        todo: &[(&Preset, String)],
        metadata: &Outgoing,
    ) -> Vec<Made> {
        let (w, h) = (asset.width.unwrap_or(1), asset.height.unwrap_or(1));
        let largest = todo
            .iter()
            .map(|(p, _)| scale_of(p, (w, h)))
            .fold(0.0, f64::max);
        // Decoded with a margin: a DCT-scaled decode aliases a little, and a final Lanczos
        // reduction of at least 1.5× filters that out (without it, 1024 px previews of real
        // 2560×1600 photos decoded at 1/2 lost 0.4 dB PSNR against Pillow, which decoded them
        // whole; on 12 MP photos 1/2 still qualifies).
        let largest = (largest * DCT_MARGIN).min(1.0);
        let need = (
            (f64::from(w) * largest).ceil() as u32,
            (f64::from(h) * largest).ceil() as u32,
        );
        let orientation = asset.exif.as_ref().and_then(|e| e.orientation);
        match decode::decode(bytes, source, orientation, Some(need), &self.limits) {
            Ok(d) => from_image((w, h), d.image, d.icc.as_deref(), todo, metadata),
            Err(e) => fail_all(todo.len(), Failure::from(&e)),
        }
    }

    /// Still presets from one poster frame; MP4 presets as H.264 web previews. Both by ffmpeg,
    /// reading the original where the store keeps it.
    /// What a film's renditions need: ffmpeg, a local copy of the original, and a picture
    /// size within the limits.
    fn video_source(
        &self,
        asset: &Asset,
    ) -> Result<(&Ffmpeg, crate::store::LocalCopy, (u32, u32)), Failure> {
        let ffmpeg = self.ffmpeg.as_ref().ok_or_else(|| {
            Failure::new(
                ErrorKind::Unsupported,
                "ffmpeg-missing",
                "video renditions need ffmpeg on PATH",
            )
        })?;
        let source_hash = Hash::from_bytes(*asset.object_id().as_bytes());
        let source = self.store.materialise(&source_hash).map_err(|e| {
            Failure::internal(
                "source-missing",
                format!("the original cannot be read ({})", e.code()),
            )
        })?;
        let (w, h) = (asset.width.unwrap_or(0), asset.height.unwrap_or(0));
        if w == 0 || h == 0 {
            return Err(Failure::new(
                ErrorKind::InvalidInput,
                "undecodable-video",
                "the video has no picture size",
            ));
        }
        if u64::from(w) * u64::from(h) > self.limits.max_pixels {
            return Err(Failure::too_large(format!(
                "{w}×{h} is over the limit of {} pixels",
                self.limits.max_pixels
            )));
        }
        Ok((ffmpeg, source, (w, h)))
    }

    fn make_video(
        &self,
        asset: &Asset,
        todo: &[(&Preset, String)],
        metadata: &Outgoing,
    ) -> Vec<Made> {
        let (ffmpeg, source, (w, h)) = match self.video_source(asset) {
            Ok(ready) => ready,
            Err(failure) => return fail_all(todo.len(), failure),
        };
        let (stills, movies): (Vec<usize>, Vec<usize>) =
            (0..todo.len()).partition(|&i| !todo[i].0.format.is_film());
        let mut results: Vec<Option<Made>> = (0..todo.len()).map(|_| None).collect();
        if !stills.is_empty() {
            let wanted: Vec<(&Preset, String)> = stills.iter().map(|&i| todo[i].clone()).collect();
            let duration = asset.duration_s.unwrap_or(0.0);
            let made = match ffmpeg.poster(source.path(), duration, self.poster_at) {
                Ok(frame) => from_image(
                    (w, h),
                    DynamicImage::ImageRgb8(frame),
                    None,
                    &wanted,
                    metadata,
                ),
                Err(e) => fail_all(wanted.len(), Failure::from(&e)),
            };
            for (i, m) in stills.into_iter().zip(made) {
                results[i] = Some(m);
            }
        }
        for i in movies {
            let preset = todo[i].0;
            match preset.format {
                Format::Hls => {
                    results[i] =
                        Some(self.make_ladder(ffmpeg, source.path(), asset, preset, (w, h)));
                    continue;
                }
                Format::Strip => {
                    results[i] = Some(self.make_strip(ffmpeg, source.path(), asset, preset));
                    continue;
                }
                _ => {}
            }
            let (tw, th) = preset.target_size(w, h);
            let (width, height) = ((tw & !1).max(2), (th & !1).max(2));
            let spec = PreviewSpec {
                // H.264 with 4:2:0 chroma needs even sides.
                width,
                height,
                crf: preset.crf(),
                tags: movie_tags(preset, metadata),
                crop: (preset.fit == crate::model::Fit::Cover).then(|| {
                    let (x, y, cw, ch) =
                        crate::media::resize::cover_crop(preset, (w, h), (width, height));
                    (
                        cw.floor() as u32,
                        ch.floor() as u32,
                        x.floor() as u32,
                        y.floor() as u32,
                    )
                }),
                max_seconds: preset.max_seconds,
                subtitles: None,
            };
            let out = self.store.scratch_path();
            let mut spec = spec;
            if let Some(track) = burned(asset, preset) {
                match self.scratch_track(track) {
                    Ok(path) => spec.subtitles = Some(path),
                    Err(failure) => {
                        results[i] = Some(Err(failure));
                        continue;
                    }
                }
            }
            let made = ffmpeg.web_preview(source.path(), &spec, &out);
            if let Some(path) = &spec.subtitles {
                let _ = std::fs::remove_file(path);
            }
            results[i] = Some(match made {
                Ok(()) => Ok(Encoded {
                    output: Output::Scratch(out),
                    width: spec.width,
                    height: spec.height,
                }),
                Err(e) => {
                    let _ = std::fs::remove_file(&out);
                    Err(Failure::from(&e))
                }
            });
        }
        completed(results)
    }

    /// A copy of a stored subtitle track in the scratch folder, named `….vtt`, for ffmpeg.
    fn scratch_track(&self, track: &crate::model::Subtitle) -> Result<PathBuf, Failure> {
        let unreadable = |e: String| Failure::internal("source-missing", e);
        let hash = Hash::from_hex(&track.hash).map_err(|e| unreadable(e.to_string()))?;
        let bytes = self
            .store
            .read_all(&hash)
            .map_err(|e| unreadable(e.code().to_owned()))?;
        let path = self.store.scratch_path().with_extension("vtt");
        std::fs::write(&path, bytes).map_err(|e| unreadable(e.to_string()))?;
        Ok(path)
    }

    fn read_source(&self, asset: &Asset) -> Result<Vec<u8>, Failure> {
        if asset.bytes > self.max_source_bytes {
            return Err(Failure::too_large(format!(
                "{} bytes is over the rendering limit of {} bytes",
                asset.bytes, self.max_source_bytes
            )));
        }
        let mut blob = self
            .store
            .open(&Hash::from_bytes(*asset.object_id().as_bytes()))
            .map_err(|e| Failure::internal("source-missing", e.to_string()))?;
        let mut bytes = Vec::with_capacity(asset.bytes as usize);
        blob.read_to_end(&mut bytes)
            .map_err(|e| Failure::internal("source-unreadable", e.to_string()))?;
        Ok(bytes)
    }
}

/// A made rendition: its bytes (in memory, or a scratch file for video) and size.
struct Encoded {
    output: Output,
    width: u32,
    height: u32,
}

enum Output {
    Memory(Vec<u8>),
    /// A file in the store's scratch folder, removed once stored.
    Scratch(PathBuf),
    /// A file naming others already stored (`/r/<hash>.<ext>`): a streaming ladder's master
    /// playlist, a thumbnail strip's cues.
    WithParts {
        main: Vec<u8>,
        parts: Vec<String>,
    },
}

/// Why a made file could not be stored, as journaled and shown to staff: no store path.
fn store_failure(e: &crate::store::StoreError) -> Failure {
    if e.is_disk_full() {
        Failure::new(
            ErrorKind::Unavailable,
            "disk-full",
            "not stored: the disk is full",
        )
    } else {
        tracing::warn!("storing a rendition failed: {e}");
        Failure::internal("store-failed", "the rendition could not be stored")
    }
}

/// A rendition, or why not.
type Made = Result<Encoded, Failure>;

/// Every still preset of `todo` from one decoded image of a `w`×`h` (displayed) original:
/// the largest first, each resized from the smallest intermediate still big enough.
fn from_image(
    (w, h): (u32, u32),
    image: DynamicImage,
    icc: Option<&[u8]>,
    todo: &[(&Preset, String)],
    metadata: &Outgoing,
) -> Vec<Made> {
    let scale_of = |p: &Preset| scale_of(p, (w, h));
    let colour = SourceColour::of(icc);
    // Largest first, so each preset can start from the smallest image still big enough.
    let mut order: Vec<usize> = (0..todo.len()).collect();
    order.sort_by(|&a, &b| scale_of(todo[b].0).total_cmp(&scale_of(todo[a].0)));
    let mut intermediates: Vec<DynamicImage> = vec![image];
    let mut results: Vec<Option<Made>> = (0..todo.len()).map(|_| None).collect();
    for i in order {
        let preset = todo[i].0;
        let needed_width = (f64::from(w) * scale_of(preset)).ceil() as u32;
        let from = intermediates
            .iter()
            .filter(|im| im.width() >= needed_width.min(intermediates[0].width()))
            .min_by_key(|im| im.width())
            .unwrap_or(&intermediates[0]);
        let image = resize::resize_for(from, preset, (w, h));
        results[i] = Some(finish(&image, preset, metadata, &colour, icc));
        if preset.fit == Fit::Contain {
            intermediates.push(image);
        }
    }
    completed(results)
}

/// `preset` as it applies to `asset`: a crop of another shape centred on the asset's own
/// focus point, when a person set one (it then decides the crop's pixel key too).
fn focused<'p>(asset: &Asset, preset: &'p Preset) -> std::borrow::Cow<'p, Preset> {
    match asset.focus {
        Some(f) if preset.fit == Fit::Cover => std::borrow::Cow::Owned(Preset {
            focus: Some([f.x, f.y]),
            ..preset.clone()
        }),
        _ => std::borrow::Cow::Borrowed(preset),
    }
}

/// The subtitle track `preset` burns into `asset`'s picture, when the film has it.
fn burned<'a>(asset: &'a Asset, preset: &Preset) -> Option<&'a crate::model::Subtitle> {
    let lang = preset.burn_subtitles.as_deref()?;
    asset.subtitles.iter().find(|t| t.lang == lang)
}

/// The same failure for each of `n` renditions.
fn fail_all(n: usize, failure: Failure) -> Vec<Made> {
    (0..n).map(|_| Err(failure.clone())).collect()
}

/// Results filled in out of order; a slot left empty is a bug reported, never a panic.
fn completed(results: Vec<Option<Made>>) -> Vec<Made> {
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Failure::internal("internal", "rendition not produced"))))
        .collect()
}

/// How much of a `w`×`h` (displayed) original a preset needs, as a scale.
fn scale_of(preset: &Preset, (w, h): (u32, u32)) -> f64 {
    let (tw, th) = preset.target_size(w, h);
    (f64::from(tw) / f64::from(w)).max(f64::from(th) / f64::from(h))
}

/// Encodes one rendition in sRGB: pixels of another RGB space are converted and carry no
/// profile; a profile that cannot be applied travels with the pixels unchanged.
fn finish(
    image: &DynamicImage,
    preset: &Preset,
    metadata: &Outgoing,
    colour: &SourceColour,
    icc: Option<&[u8]>,
) -> Made {
    let (image, icc) = match colour {
        SourceColour::Srgb => (std::borrow::Cow::Borrowed(image), None),
        SourceColour::Convert(to_srgb) => (std::borrow::Cow::Owned(to_srgb.apply(image)), None),
        SourceColour::Unknown => (std::borrow::Cow::Borrowed(image), icc),
    };
    let image = image.as_ref();
    let bytes = encode::encode(image, preset.format, preset.quality, None, icc)
        .map_err(|e| Failure::internal("encode-failed", e.to_string()))?;
    let bytes =
        embed(bytes, preset, metadata).map_err(|e| Failure::internal("encode-failed", e))?;
    Ok(Encoded {
        output: Output::Memory(bytes),
        width: image.width(),
        height: image.height(),
    })
}
