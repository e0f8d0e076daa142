//! Subcommands of DESIGN.md §5. Each opens what it needs, does one thing, and prints either a
//! human summary or, with `--json`, exactly one JSON document on stdout.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use brandvault::brand::Brand;
use brandvault::catalog::{Catalog, Change, Filter};
use brandvault::config::Settings;
use brandvault::geo;
use brandvault::ingest::{IngestOptions, Ingester, Progress};
use brandvault::maintain;
use brandvault::model::{Asset, AssetId, Kind, SpotRule, Status};
use brandvault::render::{RenderReport, Renderer};
use brandvault::store::{BlobStore, FsStore, Hash};

/// brandvault — the image library of a public brand: photos, videos, logos and slogans, stored
/// once by content, catalogued with EXIF, GPS and check-in spots, approved against the brand's
/// guidelines.
#[derive(Parser, Debug)]
#[command(name = "brandvault", version, about, long_about = None)]
pub struct Cli {
    /// Folder for the store, the catalogue and the journal.
    #[arg(long, global = true, env = "BRANDVAULT_DATA", default_value = "./data")]
    data: PathBuf,
    /// The brand folder (spots, guidelines, logos, presets).
    #[arg(
        long,
        global = true,
        env = "BRANDVAULT_BRAND",
        default_value = "./brand"
    )]
    brand: PathBuf,
    /// Print exactly one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Largest image accepted, in decoded pixels.
    #[arg(
        long,
        global = true,
        env = "BRANDVAULT_MAX_PIXELS",
        default_value_t = 200_000_000
    )]
    max_pixels: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Add files or folders (recursively) to the library. Exit code 2 if any file was rejected.
    Ingest(IngestArgs),
    /// Show one asset. ID is the full id or a unique prefix of at least 6 hex characters.
    Show { id: String },
    /// List assets, filtered.
    Ls(LsArgs),
    /// Make renditions (thumbnails, previews, web, press, social crops, logo PNGs) for the given
    /// assets, or all; already-made ones are reported as cached.
    Render {
        ids: Vec<String>,
        /// Only these presets (repeatable); default: every preset of brand/presets.toml.
        #[arg(long = "preset")]
        presets: Vec<String>,
    },
    /// Write an asset's original bytes or one of its renditions to a file.
    Export {
        id: String,
        /// A preset name from brand/presets.toml, or `original` for the original bytes.
        #[arg(long, default_value = "original")]
        preset: String,
        /// Where to write.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Rehash every stored object and check the catalogue against the store and the journal.
    /// Exit code 1 on any problem.
    Verify,
    /// Remove stored objects that nothing references.
    Gc {
        /// Keep unreferenced objects younger than this many seconds (an upload in progress).
        #[arg(long, default_value_t = 3600)]
        grace_secs: u64,
    },
    /// Recreate the catalogue index from the journal (after it was deleted or damaged).
    Rebuild,
    /// The check-in spots with asset counts; `spots retag` re-matches GPS after editing
    /// brand/spots.toml.
    Spots(SpotsArgs),
    /// Print the BLAKE3 id of files without storing them (what their asset id would be).
    Hash {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the EXIF and GPS of files without storing them.
    Exif {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Set an asset's check-in spot by hand (`none` for no spot); retagging never overrides it.
    SetSpot {
        id: String,
        /// A spot id from brand/spots.toml, or `none`.
        spot: String,
    },
}

#[derive(Args, Debug)]
struct IngestArgs {
    /// Files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Tag every ingested asset (repeatable).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Catalogue as this kind instead of the one derived from the file type.
    #[arg(long)]
    kind: Option<Kind>,
    /// Largest file accepted, in bytes.
    #[arg(long, env = "BRANDVAULT_MAX_FILE_BYTES", default_value_t = Settings::DEFAULT_MAX_FILE_BYTES)]
    max_bytes: u64,
    /// Do not make the new assets' renditions now (`brandvault render` later).
    #[arg(long)]
    no_render: bool,
}

#[derive(Args, Debug)]
struct LsArgs {
    #[arg(long)]
    kind: Option<Kind>,
    #[arg(long)]
    status: Option<Status>,
    /// A spot: its id, or its name or alias ignoring case and diacritics ("ba ra").
    #[arg(long)]
    spot: Option<String>,
    #[arg(long)]
    tag: Option<String>,
    /// Text, matched ignoring case and diacritics ("bu lach" finds "Bù Lạch").
    #[arg(long)]
    query: Option<String>,
    #[arg(long)]
    limit: Option<usize>,
}

#[derive(Args, Debug)]
struct SpotsArgs {
    #[command(subcommand)]
    action: Option<SpotsAction>,
    /// Print a GeoJSON FeatureCollection instead.
    #[arg(long)]
    geojson: bool,
}

#[derive(Subcommand, Debug)]
enum SpotsAction {
    /// Re-run GPS → spot matching for every asset (a person's choice is kept).
    Retag,
}

/// The opened library: settings, store, catalogue.
struct Library {
    settings: Settings,
    store: FsStore,
    catalog: Catalog,
}

impl Library {
    fn open(settings: Settings) -> Result<Self> {
        settings.validate().map_err(anyhow::Error::msg)?;
        let store = FsStore::open(&settings.data_dir)
            .with_context(|| format!("opening the store in {}", settings.data_dir.display()))?;
        let catalog = Catalog::open(&settings.data_dir)
            .with_context(|| format!("opening the catalogue in {}", settings.data_dir.display()))?;
        Ok(Self {
            settings,
            store,
            catalog,
        })
    }

    fn brand(&self) -> Result<Brand> {
        Brand::load(&self.settings.brand_dir).context("loading the brand folder")
    }
}

/// Runs a command; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    let mut settings = Settings::new(cli.data.clone(), cli.brand.clone());
    settings.limits.max_pixels = cli.max_pixels;
    let json = cli.json;
    if let Command::Rebuild = cli.command {
        let (catalog, events) = Catalog::rebuild(&settings.data_dir).context("rebuilding")?;
        let report = serde_json::json!({"assets": catalog.len(), "events": events});
        return print(json, &report, || {
            format!(
                "rebuilt the catalogue: {} assets from {events} journal entries",
                catalog.len()
            )
        });
    }
    match &cli.command {
        Command::Hash { files } => return hash(files, json),
        Command::Exif { files } => return exif(files, json),
        _ => {}
    }
    let lib = Library::open(settings)?;
    match cli.command {
        Command::Ingest(args) => ingest(&lib, args, json),
        Command::Show { id } => {
            let id = lib.catalog.resolve(&id)?;
            let asset = lib.catalog.asset(&id)?.context("asset vanished")?;
            print(json, &asset, || describe(&asset))
        }
        Command::Ls(args) => {
            let spot = match args.spot {
                Some(s) => Some(
                    lib.brand()?
                        .gazetteer
                        .find(&s)
                        .map(|spot| spot.id.clone())
                        .with_context(|| format!("no spot matches {s:?} in brand/spots.toml"))?,
                ),
                None => None,
            };
            let filter = Filter {
                kind: args.kind,
                status: args.status,
                spot,
                tag: args.tag,
                query: args.query,
                after: None,
                limit: args.limit,
            };
            let assets = lib.catalog.list(&filter)?;
            print(json, &assets, || {
                assets.iter().map(one_line).collect::<Vec<_>>().join("\n")
            })
        }
        Command::Export { id, preset, output } => {
            let id = lib.catalog.resolve(&id)?;
            let hash = if preset == "original" {
                Hash::from_bytes(*id.as_bytes())
            } else {
                rendition_object(&lib, id, &preset)?
            };
            let mut blob = lib.store.open(&hash)?;
            let mut file = std::fs::File::create(&output)
                .with_context(|| format!("creating {}", output.display()))?;
            let n = std::io::copy(&mut blob, &mut file)
                .with_context(|| format!("writing {}", output.display()))?;
            file.sync_all()?;
            let report =
                serde_json::json!({"id": id, "preset": preset, "path": output, "bytes": n});
            print(json, &report, || {
                format!("wrote {n} bytes to {}", output.display())
            })
        }
        Command::Render { ids, presets } => {
            let ids = if ids.is_empty() {
                lib.catalog.ids()?
            } else {
                ids.iter()
                    .map(|i| lib.catalog.resolve(i))
                    .collect::<Result<_, _>>()?
            };
            let report = render(&lib, &ids, &presets)?;
            let code = i32::from(!report.failed.is_empty());
            print(json, &report, || render_summary(&report))?;
            Ok(code)
        }
        Command::Verify => {
            let report = maintain::verify(&lib.store, &lib.catalog)?;
            let code = i32::from(!report.is_clean());
            print(json, &report, || {
                let mut s = format!(
                    "{} objects checked; {} corrupt, {} missing; journal: {}",
                    report.objects,
                    report.corrupt.len(),
                    report.missing.len(),
                    report.journal_error.clone().unwrap_or_else(|| format!(
                        "{} entries, chain intact",
                        report.journal_entries
                    ))
                );
                for h in &report.corrupt {
                    s.push_str(&format!("\ncorrupt: {h}"));
                }
                for h in &report.missing {
                    s.push_str(&format!("\nmissing: {h}"));
                }
                s
            })?;
            Ok(code)
        }
        Command::Gc { grace_secs } => {
            let report = maintain::gc(&lib.store, &lib.catalog, Duration::from_secs(grace_secs))?;
            print(json, &report, || {
                format!(
                    "removed {} objects ({} bytes); kept {}",
                    report.removed, report.bytes, report.kept
                )
            })
        }
        Command::Rebuild | Command::Hash { .. } | Command::Exif { .. } => {
            unreachable!("handled before opening the library")
        }
        Command::Spots(args) => spots(&lib, args, json),
        Command::SetSpot { id, spot } => {
            let id = lib.catalog.resolve(&id)?;
            let brand = lib.brand()?;
            let chosen = if spot == "none" {
                None
            } else {
                let s = brand
                    .gazetteer
                    .find(&spot)
                    .with_context(|| format!("no spot matches {spot:?} in brand/spots.toml"))?;
                let asset = lib.catalog.asset(&id)?.context("asset vanished")?;
                let distance = asset
                    .gps
                    .map(|g| geo::haversine_m(g.lat, g.lon, s.lat, s.lon));
                Some(geo::spot_match(s, distance, SpotRule::Manual))
            };
            lib.catalog.commit(
                &now(),
                "cli",
                &[Change::SpotChosen { id, spot: chosen }],
                &[],
            )?;
            let asset = lib.catalog.asset(&id)?.context("asset vanished")?;
            print(json, &asset, || describe(&asset))
        }
    }
}

fn hash(files: &[PathBuf], json: bool) -> Result<i32> {
    let mut rows = Vec::new();
    for f in files {
        let (hash, bytes) = brandvault::store::hash_file(f)?;
        rows.push(serde_json::json!({"path": f, "id": hash.to_hex().as_str(), "bytes": bytes}));
    }
    print(json, &rows, || {
        rows.iter()
            .map(|r| {
                format!(
                    "{}  {}",
                    r["id"].as_str().unwrap_or(""),
                    r["path"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// EXIF of many files, read on every core: what the metadata step of ingest costs.
fn exif(files: &[PathBuf], json: bool) -> Result<i32> {
    use rayon::prelude::*;
    let rows: Vec<serde_json::Value> = files
        .par_iter()
        .map(|f| {
            let data = std::fs::File::open(f)
                .ok()
                .and_then(|file| brandvault::media::exif::read(&mut std::io::BufReader::new(file)));
            match data {
                Some(d) => serde_json::json!({"path": f, "exif": d.exif, "gps": d.gps, "warnings": d.warnings}),
                None => serde_json::json!({"path": f, "exif": null, "gps": null, "warnings": []}),
            }
        })
        .collect();
    print(json, &rows, || {
        rows.iter()
            .map(|r| {
                format!(
                    "{}: {} {}",
                    r["path"].as_str().unwrap_or(""),
                    r["exif"],
                    r["gps"]
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn ingest(lib: &Library, args: IngestArgs, json: bool) -> Result<i32> {
    let brand = lib.brand()?;
    let options = IngestOptions {
        tags: args.tags,
        kind: args.kind,
        limits: lib.settings.limits,
        max_bytes: args.max_bytes,
        actor: "cli".into(),
        at: now(),
    };
    let locator = geo::Locator::new(&brand.gazetteer);
    let ingester = Ingester {
        store: &lib.store,
        catalog: &lib.catalog,
        locator: &locator,
    };
    let bar = progress_bar("{bar:30} {pos}/{len} files  {msg}  {elapsed}");
    let started = Instant::now();
    let show = |p: Progress| {
        if let Some(bar) = &bar {
            let secs = started.elapsed().as_secs_f64().max(1e-3);
            bar.set_length(p.total as u64);
            bar.set_position(p.done as u64);
            bar.set_message(format!(
                "{:.0} files/s  {:.1} MB/s",
                p.done as f64 / secs,
                p.bytes as f64 / 1e6 / secs
            ));
        }
    };
    let report = ingester.ingest_paths(&args.paths, &options, &show)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let rendered = if args.no_render {
        None
    } else {
        Some(render(lib, &report.added, &[])?)
    };
    let code = if report.rejected.is_empty() { 0 } else { 2 };
    let secs = started.elapsed().as_secs_f64();
    let mut doc = serde_json::to_value(&report)?;
    if let Some(r) = &rendered {
        doc["renditions"] = serde_json::to_value(r)?;
    }
    print(json, &doc, || {
        let mut s = format!(
            "{} added, {} already present, {} rejected in {secs:.1} s",
            report.added.len(),
            report.duplicates.len(),
            report.rejected.len()
        );
        for r in &report.rejected {
            s.push_str(&format!("\nrejected [{}] {}", r.code, r.message));
        }
        if let Some(r) = &rendered {
            s.push('\n');
            s.push_str(&render_summary(r));
        }
        s
    })?;
    Ok(code)
}

/// Renders with the brand's presets, with a progress bar on a terminal.
fn render(lib: &Library, ids: &[AssetId], only: &[String]) -> Result<RenderReport> {
    let brand = lib.brand()?;
    for p in only {
        if !brand.presets.iter().any(|x| &x.name == p) {
            bail!("no preset {p:?} in brand/presets.toml");
        }
    }
    let renderer = Renderer {
        store: &lib.store,
        catalog: &lib.catalog,
        presets: &brand.presets,
        max_pixels: lib.settings.limits.max_pixels,
        max_source_bytes: lib.settings.max_render_source_bytes,
    };
    let bar = progress_bar("{bar:30} {pos}/{len} assets  {elapsed}");
    let show = |done: usize, total: usize| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    };
    let report = renderer.render(ids, only, &now(), "cli", &show)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(report)
}

fn render_summary(r: &RenderReport) -> String {
    let mut s = format!(
        "{} renditions made, {} cached, {} failed",
        r.rendered,
        r.cached,
        r.failed.len()
    );
    for f in &r.failed {
        s.push_str(&format!(
            "\nfailed [{}] {} {}: {}",
            f.code,
            &f.id.to_hex()[..12],
            f.preset,
            f.message
        ));
    }
    s
}

/// The stored object of an asset's rendition, making it first if needed.
fn rendition_object(lib: &Library, id: AssetId, preset: &str) -> Result<Hash> {
    let find = |lib: &Library| -> Result<Option<Hash>> {
        let asset = lib.catalog.asset(&id)?.context("asset vanished")?;
        Ok(asset
            .renditions
            .iter()
            .find(|r| r.preset == preset)
            .and_then(|r| r.object())
            .and_then(|h| Hash::from_hex(h).ok()))
    };
    let report = render(lib, &[id], &[preset.to_owned()])?;
    if let Some(f) = report.failed.first() {
        bail!("cannot make {preset}: [{}] {}", f.code, f.message);
    }
    find(lib)?.with_context(|| format!("preset {preset:?} does not apply to this asset's kind"))
}

/// A progress bar on stderr when it is a terminal.
fn progress_bar(template: &str) -> Option<indicatif::ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    })
}

#[derive(Serialize)]
struct SpotRow<'a> {
    #[serde(flatten)]
    spot: &'a brandvault::model::Spot,
    assets: usize,
    approved: usize,
}

fn spots(lib: &Library, args: SpotsArgs, json: bool) -> Result<i32> {
    let brand = lib.brand()?;
    if let Some(SpotsAction::Retag) = args.action {
        let report = maintain::retag(
            &lib.catalog,
            &geo::Locator::new(&brand.gazetteer),
            &now(),
            "cli",
        )?;
        return print(json, &report, || {
            format!(
                "checked {} assets: {} changed, {} chosen by a person kept",
                report.checked,
                report.changed.len(),
                report.kept_manual
            )
        });
    }
    let rows: Vec<SpotRow> = brand
        .gazetteer
        .spots
        .iter()
        .map(|spot| -> Result<SpotRow> {
            let all = lib.catalog.list(&Filter {
                spot: Some(spot.id.clone()),
                ..Default::default()
            })?;
            let approved = all.iter().filter(|a| a.status == Status::Approved).count();
            Ok(SpotRow {
                spot,
                assets: all.len(),
                approved,
            })
        })
        .collect::<Result<_>>()?;
    if args.geojson {
        let doc = geojson(&rows);
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    print(json, &rows, || {
        rows.iter()
            .map(|r| {
                format!(
                    "{:<20} {:>4} assets {:>4} approved  {} / {}",
                    r.spot.id, r.assets, r.approved, r.spot.name_vi, r.spot.name_en
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// Spots as a GeoJSON FeatureCollection: polygons where a spot has one, points otherwise.
fn geojson(rows: &[SpotRow]) -> serde_json::Value {
    let features: Vec<_> = rows
        .iter()
        .map(|r| {
            let geometry = match &r.spot.polygon {
                Some(ring) => {
                    let mut ring = ring.clone();
                    if ring.first() != ring.last() {
                        ring.extend(ring.first().copied());
                    }
                    serde_json::json!({"type": "Polygon", "coordinates": [ring]})
                }
                None => {
                    serde_json::json!({"type": "Point", "coordinates": [r.spot.lon, r.spot.lat]})
                }
            };
            serde_json::json!({
                "type": "Feature",
                "id": r.spot.id,
                "geometry": geometry,
                "properties": {
                    "id": r.spot.id, "name_vi": r.spot.name_vi, "name_en": r.spot.name_en,
                    "radius_m": r.spot.radius_m, "accuracy_m": r.spot.accuracy_m,
                    "verified": r.spot.verified, "assets": r.assets, "approved": r.approved,
                }
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

/// Prints `value` as JSON or `text()` as text.
fn print<T: Serialize>(json: bool, value: &T, text: impl FnOnce() -> String) -> Result<i32> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
    } else {
        let t = text();
        if !t.is_empty() {
            writeln!(out, "{t}")?;
        }
    }
    Ok(0)
}

fn one_line(a: &Asset) -> String {
    let size = match (a.width, a.height) {
        (Some(w), Some(h)) => format!("{w}×{h}"),
        _ => "-".into(),
    };
    let spot = a.spot.as_ref().map(|s| s.id.as_str()).unwrap_or("-");
    format!(
        "{}  {:<8} {:<9} {:>11}  {:<18} {}",
        &a.id.to_hex()[..12],
        a.kind,
        a.status,
        size,
        spot,
        a.display_name()
    )
}

fn describe(a: &Asset) -> String {
    let mut lines = vec![
        format!("id:        {}", a.id),
        format!("names:     {}", a.names.join(" | ")),
        format!(
            "kind:      {} ({}, {} bytes)",
            a.kind, a.media_type, a.bytes
        ),
        format!("status:    {} (access: {})", a.status, a.access),
    ];
    if let (Some(w), Some(h)) = (a.width, a.height) {
        lines.push(format!("size:      {w}×{h}"));
    }
    if let Some(c) = &a.captured_at {
        lines.push(format!("captured:  {c}"));
    }
    if let Some(e) = &a.exif {
        let camera: Vec<&str> = [e.make.as_deref(), e.model.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !camera.is_empty() {
            lines.push(format!("camera:    {}", camera.join(" ")));
        }
    }
    if let Some(g) = &a.gps {
        lines.push(format!("gps:       {:.6}, {:.6}", g.lat, g.lon));
    }
    if let Some(s) = &a.spot {
        let d = s
            .distance_m
            .map(|d| format!(", {d:.0} m"))
            .unwrap_or_default();
        lines.push(format!(
            "spot:      {} / {} ({}{d})",
            s.name_vi, s.name_en, s.id
        ));
    }
    if let Some(c) = &a.credit {
        lines.push(format!("credit:    {c}"));
    }
    if !a.tags.is_empty() {
        lines.push(format!("tags:      {}", a.tags.join(", ")));
    }
    for v in &a.violations {
        lines.push(format!("violation: [{}] {}", v.rule, v.message));
    }
    for w in &a.warnings {
        lines.push(format!("warning:   {w}"));
    }
    lines.join("\n")
}

/// Now, RFC 3339 UTC to the second: the only place the CLI reads the clock.
fn now() -> String {
    let t = time::OffsetDateTime::now_utc();
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
