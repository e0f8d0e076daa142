//! Subcommands of DESIGN.md §5. Each opens what it needs, does one thing, and prints either a
//! human summary or, with `--json`, exactly one JSON document on stdout.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use brandvault::brand::Brand;
use brandvault::catalog::Patch;
use brandvault::catalog::{Catalog, Change, Filter};
use brandvault::config::Settings;
use brandvault::geo;
use brandvault::ingest::{IngestOptions, Ingester, Progress};
use brandvault::maintain;
use brandvault::model::{Actor, Asset, AssetId, Kind, Role, SpotRule, Status};
use brandvault::render::{RenderReport, Renderer};
use brandvault::store::{BlobStore, FsStore, Hash};
use brandvault::workflow::{Action, Workflow};

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
    /// The time to act at (RFC 3339), instead of the clock: for replays and tests.
    #[arg(long, global = true, env = "BRANDVAULT_NOW", hide = true)]
    now: Option<String>,
    /// Largest image accepted, in decoded pixels.
    #[arg(
        long,
        global = true,
        env = "BRANDVAULT_MAX_PIXELS",
        default_value_t = 200_000_000
    )]
    max_pixels: u64,
    /// Where a video's poster frame is taken, as a fraction of its duration (a nearly black
    /// frame there is passed over for a later one).
    #[arg(
        long,
        global = true,
        env = "BRANDVAULT_POSTER_AT",
        default_value_t = 0.1
    )]
    poster_at: f64,
    /// Longest one ffmpeg run (poster frame, web preview) may take, in seconds.
    #[arg(
        long,
        global = true,
        env = "BRANDVAULT_FFMPEG_TIMEOUT",
        default_value_t = 900
    )]
    ffmpeg_timeout: u64,
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
    /// Edit an asset's caption, credit, licence, tags, access, dates and consent.
    Edit(EditArgs),
    /// Send a draft for review.
    Submit(StepArgs),
    /// Approve an asset under review (refused while guideline violations remain, unless
    /// `--override "justification"`).
    Approve(StepArgs),
    /// Reject an asset under review; `--reason` is required.
    Reject(StepArgs),
    /// Withdraw an approved asset.
    Archive(StepArgs),
    /// Return a rejected asset to draft.
    Reopen(StepArgs),
    /// The audit trail of one asset: every journal entry about it.
    Log { id: String },
    /// The brand folder: `brand check` validates it; `brand recheck` re-runs the guideline
    /// checks on every asset.
    Brand {
        #[command(subcommand)]
        action: BrandAction,
    },
    /// Build the brand kit: logos (SVG, PNG), palette (JSON, CSS, SCSS, GPL, ASE), slogans,
    /// guidelines page, manifest. The same inputs give a byte-identical ZIP.
    Kit {
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Run the HTTP service: imports brand/logos and the drop folder ingest/ at start, watches
    /// it for new files, renders in the background. Stops cleanly on ctrl-c and SIGTERM.
    Serve {
        #[arg(long, env = "BRANDVAULT_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// The drop folder to import and watch.
        #[arg(long, default_value = "./ingest")]
        drop: PathBuf,
    },
    /// API tokens: `token create --role R --name N` prints a token once (stored hashed);
    /// `token list`; `token revoke NAME`.
    Token {
        #[command(subcommand)]
        action: TokenAction,
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

#[derive(Subcommand, Debug)]
enum TokenAction {
    /// Issue a token: admin, brand_manager, designer, press or agency.
    Create {
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: String,
    },
    /// The live tokens (names and roles, never the tokens).
    List,
    /// Revoke a token by name.
    Revoke { name: String },
}

#[derive(Subcommand, Debug)]
enum BrandAction {
    /// Validate brand/: files exist, SVGs parse and keep to the palette, slogans are NFC,
    /// vocabularies are unique. Exit code 1 listing every problem.
    Check,
    /// Re-run the guideline checks on every asset.
    Recheck,
}

#[derive(Args, Debug)]
struct StepArgs {
    id: String,
    /// Why (required to reject).
    #[arg(long)]
    reason: Option<String>,
    /// Approve despite guideline violations, with this written justification (audited).
    #[arg(long = "override")]
    justification: Option<String>,
}

#[derive(Args, Debug)]
struct EditArgs {
    id: String,
    /// Caption in Vietnamese ("" clears it).
    #[arg(long)]
    caption_vi: Option<String>,
    /// Caption in English ("" clears it).
    #[arg(long)]
    caption_en: Option<String>,
    /// Who to credit ("" clears it).
    #[arg(long)]
    credit: Option<String>,
    /// Licence ("" clears it).
    #[arg(long)]
    license: Option<String>,
    /// Add a tag (repeatable).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Remove a tag (repeatable).
    #[arg(long = "untag")]
    untags: Vec<String>,
    /// Who may see it once approved: public, press or internal.
    #[arg(long)]
    access: Option<brandvault::model::Access>,
    /// When the rights end: RFC 3339 or YYYY-MM-DD, or `none`.
    #[arg(long)]
    expires: Option<String>,
    /// Embargo until: RFC 3339 or YYYY-MM-DD, or `none`.
    #[arg(long)]
    available_from: Option<String>,
    /// Whether the people shown consented: yes, no or none.
    #[arg(long)]
    consent: Option<String>,
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
    /// A tag, theme or audience; repeat for all of several.
    #[arg(long)]
    tag: Vec<String>,
    /// Captured on or after this date (YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Captured on or before this date (YYYY-MM-DD).
    #[arg(long)]
    to: Option<String>,
    /// Inside this box: west,south,east,north in degrees.
    #[arg(long, value_parser = parse_bbox)]
    bbox: Option<[f64; 4]>,
    /// Text, matched ignoring case and diacritics ("bu lach" finds "Bù Lạch").
    #[arg(long)]
    query: Option<String>,
    #[arg(long)]
    limit: Option<usize>,
    /// Only what the public and the press see now: approved, past any embargo, not expired.
    #[arg(long)]
    published: bool,
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
    /// The time this command acts at (the clock, or `--now`).
    now: String,
    store: FsStore,
    catalog: Catalog,
}

impl Library {
    fn open(settings: Settings, now: String) -> Result<Self> {
        settings.validate().map_err(anyhow::Error::msg)?;
        let store = FsStore::open(&settings.data_dir)
            .with_context(|| format!("opening the store in {}", settings.data_dir.display()))?;
        let catalog = Catalog::open(&settings.data_dir)
            .with_context(|| format!("opening the catalogue in {}", settings.data_dir.display()))?;
        Ok(Self {
            settings,
            now,
            store,
            catalog,
        })
    }

    fn brand(&self) -> Result<Brand> {
        Brand::load(&self.settings.brand_dir).context("loading the brand folder")
    }

    fn workflow<'a>(&'a self, brand: &'a Brand) -> Workflow<'a> {
        Workflow {
            store: &self.store,
            catalog: &self.catalog,
            brand,
        }
    }
}

/// Runs a command; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    let now = match &cli.now {
        Some(t) => parse_time(t)?,
        None => clock(),
    };
    let mut settings = Settings::new(cli.data.clone(), cli.brand.clone());
    settings.limits.max_pixels = cli.max_pixels;
    settings.poster_at = cli.poster_at;
    settings.ffmpeg_timeout = Duration::from_secs(cli.ffmpeg_timeout);
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
        Command::Brand {
            action: BrandAction::Check,
        } => return brand_check(&settings.brand_dir, json),
        _ => {}
    }
    let lib = Library::open(settings, now)?;
    let now = lib.now.clone();
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
                tags: {
                    let brand = lib.brand()?;
                    args.tag.iter().map(|t| brand.tag_alternatives(t)).collect()
                },
                captured_from: args.from.map(|d| check_date(&d)).transpose()?,
                captured_to: args.to.map(|d| check_date(&d)).transpose()?,
                bbox: args.bbox,
                query: args.query,
                after: None,
                limit: args.limit,
                published_at: args.published.then(|| now.clone()),
                viewer: None,
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
            let report = render(&lib, &lib.brand()?, &ids, &presets)?;
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
        Command::Edit(args) => {
            let id = lib.catalog.resolve(&args.id)?;
            let clear = |v: Option<String>| v.map(|s| Some(s).filter(|s| !s.trim().is_empty()));
            let date = |v: Option<String>| -> Result<Option<Option<String>>> {
                v.map(|s| {
                    if s == "none" {
                        Ok(None)
                    } else {
                        parse_time(&s).map(Some)
                    }
                })
                .transpose()
            };
            let consent = match args.consent.as_deref() {
                None => None,
                Some("yes") => Some(Some(true)),
                Some("no") => Some(Some(false)),
                Some("none") => Some(None),
                Some(other) => bail!("--consent takes yes, no or none, not {other:?}"),
            };
            let patch = Patch {
                caption_vi: clear(args.caption_vi),
                caption_en: clear(args.caption_en),
                credit: clear(args.credit),
                license: clear(args.license),
                expires_at: date(args.expires)?,
                available_from: date(args.available_from)?,
                consent,
                access: args.access,
                add_tags: args.tags,
                remove_tags: args.untags,
            };
            let brand = lib.brand()?;
            let asset = lib.workflow(&brand).edit(&id, patch, &operator(), &now)?;
            print(json, &asset, || describe(&asset))
        }
        Command::Submit(a) => step(&lib, a, Action::Submit, json, &now),
        Command::Approve(a) => step(&lib, a, Action::Approve, json, &now),
        Command::Reject(a) => step(&lib, a, Action::Reject, json, &now),
        Command::Archive(a) => step(&lib, a, Action::Archive, json, &now),
        Command::Reopen(a) => step(&lib, a, Action::Reopen, json, &now),
        Command::Log { id } => {
            let id = lib.catalog.resolve(&id)?;
            let entries = lib.catalog.history(&id)?;
            print(json, &entries, || {
                entries
                    .iter()
                    .map(|e| {
                        format!(
                            "{}  {:<6} {}",
                            e.at,
                            e.actor,
                            serde_json::to_string(&e.change).unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Brand { action } => match action {
            BrandAction::Check => unreachable!("handled before opening the library"),
            BrandAction::Recheck => {
                let brand = lib.brand()?;
                let changed = lib.workflow(&brand).recheck_all(&operator(), &now)?;
                let report = serde_json::json!({"changed": changed});
                print(json, &report, || {
                    format!("{} assets' violations changed", changed.len())
                })
            }
        },
        Command::Serve { bind, drop } => serve(lib, &bind, &drop),
        Command::Token { action } => token(&lib, action, json),
        Command::Kit { output } => {
            let brand = lib.brand()?;
            let files = brandvault::brand::kit::build(&brand)?;
            let bytes = brandvault::brand::kit::zip(&files)?;
            std::fs::write(&output, &bytes)
                .with_context(|| format!("writing {}", output.display()))?;
            let report = serde_json::json!({
                "path": output, "files": files.len(), "bytes": bytes.len(),
                "blake3": blake3::hash(&bytes).to_hex().as_str(),
            });
            print(json, &report, || {
                format!(
                    "wrote {} ({} files, {} bytes)",
                    output.display(),
                    files.len(),
                    bytes.len()
                )
            })
        }
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
                &lib.now,
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
        at: lib.now.clone(),
    };
    let locator = geo::Locator::new(&brand.gazetteer);
    let ingester = Ingester {
        store: &lib.store,
        catalog: &lib.catalog,
        locator: &locator,
        brand: &brand,
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
        Some(render(lib, &brand, &report.added, &[])?)
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
fn render(lib: &Library, brand: &Brand, ids: &[AssetId], only: &[String]) -> Result<RenderReport> {
    for p in only {
        if !brand.presets.iter().any(|x| &x.name == p) {
            bail!("no preset {p:?} in brand/presets.toml");
        }
    }
    let renderer = Renderer::new(&lib.store, &lib.catalog, &brand.presets, &lib.settings);
    let bar = progress_bar("{bar:30} {pos}/{len} assets  {elapsed}");
    let show = |done: usize, total: usize| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    };
    let report = renderer.render(ids, only, &lib.now, "cli", &show)?;
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
    let report = render(lib, &lib.brand()?, &[id], &[preset.to_owned()])?;
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
            &lib.now,
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
        let rows: Vec<_> = rows
            .iter()
            .map(|r| (r.spot, r.assets, r.approved))
            .collect();
        let doc = geo::geojson(&rows);
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
fn clock() -> String {
    let t = time::OffsetDateTime::now_utc();
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// RFC 3339 (any offset) or YYYY-MM-DD (midnight UTC) → RFC 3339 UTC, comparable as text.
fn check_date(s: &str) -> Result<String> {
    brandvault::model::parse_date(s).map_err(anyhow::Error::msg)
}

fn parse_bbox(s: &str) -> Result<[f64; 4], String> {
    brandvault::model::parse_bbox(s)
}

fn parse_time(s: &str) -> Result<String> {
    use time::format_description::well_known::Rfc3339;
    let t = match time::OffsetDateTime::parse(s, &Rfc3339) {
        Ok(t) => t,
        Err(_) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(s, &format)
                .with_context(|| format!("{s:?} is not a date (YYYY-MM-DD) or an RFC 3339 time"))?
                .midnight()
                .assume_utc()
        }
    };
    let t = t.to_offset(time::UtcOffset::UTC);
    Ok(t.replace_nanosecond(0).unwrap_or(t).format(&Rfc3339)?)
}

fn token(lib: &Library, action: TokenAction, json: bool) -> Result<i32> {
    match action {
        TokenAction::Create { role, name } => {
            let role = brandvault::http::auth::parse_role(&role).with_context(|| {
                format!("unknown role {role:?}: admin, brand_manager, designer, press or agency")
            })?;
            let name = name.trim().to_owned();
            if name.is_empty() || lib.catalog.tokens()?.iter().any(|t| t.name == name) {
                bail!("a token needs a new, non-empty name");
            }
            let (token, hash) = brandvault::http::auth::new_token()
                .map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
            lib.catalog.commit(
                &lib.now,
                "cli",
                &[Change::TokenCreated {
                    name: name.clone(),
                    role,
                    hash,
                }],
                &[],
            )?;
            let report = serde_json::json!({"name": name, "role": role, "token": token});
            print(json, &report, || {
                format!("{token}\n(shown once: store it now; the library keeps only its hash)")
            })
        }
        TokenAction::List => {
            let tokens: Vec<serde_json::Value> = lib
                .catalog
                .tokens()?
                .into_iter()
                .map(|t| serde_json::json!({"name": t.name, "role": t.role, "created_at": t.created_at}))
                .collect();
            print(json, &tokens, || {
                tokens
                    .iter()
                    .map(|t| format!("{} {} {}", t["name"], t["role"], t["created_at"]))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        TokenAction::Revoke { name } => {
            if !lib.catalog.tokens()?.iter().any(|t| t.name == name) {
                bail!("no token named {name:?}");
            }
            lib.catalog.commit(
                &lib.now,
                "cli",
                &[Change::TokenRevoked { name: name.clone() }],
                &[],
            )?;
            print(json, &serde_json::json!({"revoked": name}), || {
                format!("revoked {name}")
            })
        }
    }
}

/// Imports brand/logos and the drop folder, then serves until ctrl-c or SIGTERM.
fn serve(lib: Library, bind: &str, drop_folder: &std::path::Path) -> Result<i32> {
    // One line per event on stderr; BRANDVAULT_LOG=debug|info|warn|error (default info).
    let level = std::env::var("BRANDVAULT_LOG")
        .ok()
        .and_then(|l| l.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let brand = lib.brand()?;
    let kit = brandvault::brand::kit::build(&brand)
        .and_then(|files| brandvault::brand::kit::zip(&files))
        .unwrap_or_default();
    let Library {
        settings,
        now: _,
        store,
        catalog,
    } = lib;
    let state = Arc::new(brandvault::http::AppState {
        locator: geo::Locator::new(&brand.gazetteer),
        settings,
        store,
        catalog,
        brand,
        kit,
        clock: Box::new(clock),
        sessions: Default::default(),
        metrics: Default::default(),
    });
    let logos = state.brand.dir.join("logos");
    let import = |state: &brandvault::http::AppState,
                  folder: &std::path::Path,
                  kind: Option<Kind>,
                  tags: Vec<String>| {
        if !folder.is_dir() {
            return;
        }
        let options = IngestOptions {
            tags,
            kind,
            limits: state.settings.limits,
            max_bytes: state.settings.max_file_bytes,
            actor: "serve".into(),
            at: clock(),
        };
        match state
            .ingester()
            .ingest_paths(&[folder.to_owned()], &options, &|_| {})
        {
            Ok(report) => {
                state.metrics.ingested(&report);
                for r in &report.rejected {
                    tracing::warn!(code = %r.code, "rejected: {}", r.message);
                }
                if !report.added.is_empty() {
                    tracing::info!(
                        "imported {} new files from {}",
                        report.added.len(),
                        folder.display()
                    );
                    state.render_now(&report.added);
                }
            }
            Err(e) => tracing::error!("importing {} failed: {e}", folder.display()),
        }
    };
    import(&state, &logos, Some(Kind::Logo), vec!["brand".into()]);
    import(&state, drop_folder, None, Vec::new());
    brandvault::memory::release_freed();
    // The drop folder is watched by polling: unchanged files cost a stat and a lookup.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (state, stop, folder) = (state.clone(), stop.clone(), drop_folder.to_owned());
        std::thread::spawn(move || {
            catch_up(&state, &stop);
            while !stop.load(Ordering::Relaxed) {
                for _ in 0..50 {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::park_timeout(Duration::from_millis(100));
                }
                import(&state, &folder, None, Vec::new());
            }
        })
    };
    state.catalog.load_text_search()?;
    tracing::info!("serving on http://{bind}/");
    brandvault::http::run(state.clone(), bind).with_context(|| format!("serving on {bind}"))?;
    stop.store(true, Ordering::Relaxed);
    watcher.thread().unpark();
    let _ = watcher.join();
    state.catalog.flush()?;
    tracing::info!("stopped cleanly");
    Ok(0)
}

/// Makes the renditions that are missing, stale or failed (ffmpeg installed since, a preset
/// edited, a crash), a few assets at a time so a stop request is honoured between them.
fn catch_up(state: &brandvault::http::AppState, stop: &std::sync::atomic::AtomicBool) {
    let renderer = state.renderer();
    // One record at a time: a large library is never held in memory whole.
    let pending: Result<Vec<AssetId>, _> = state.catalog.ids().and_then(|ids| {
        let mut pending = Vec::new();
        for id in ids {
            if state
                .catalog
                .asset(&id)?
                .is_some_and(|a| renderer.needs_work(&a))
            {
                pending.push(id);
            }
        }
        Ok(pending)
    });
    let pending = match pending {
        Ok(p) => p,
        Err(e) => {
            tracing::error!("listing assets to render failed: {e}");
            return;
        }
    };
    if !pending.is_empty() {
        tracing::info!("rendering {} assets in the background", pending.len());
    }
    for ids in pending.chunks(8) {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        state.render_now(ids);
    }
    brandvault::memory::release_freed();
}

/// The local operator: the CLI acts as admin.
fn operator() -> Actor {
    Actor {
        name: "cli".into(),
        role: Role::Admin,
    }
}

fn step(lib: &Library, a: StepArgs, action: Action, json: bool, now: &str) -> Result<i32> {
    let id = lib.catalog.resolve(&a.id)?;
    let brand = lib.brand()?;
    let result = lib.workflow(&brand).transition(
        &id,
        action,
        &operator(),
        a.reason.as_deref(),
        a.justification.as_deref(),
        now,
    );
    match result {
        Ok(asset) => print(json, &asset, || describe(&asset)),
        Err(e) => {
            if json {
                let body = serde_json::json!({"code": e.code(), "message": e.to_string()});
                println!("{}", serde_json::to_string_pretty(&body)?);
            }
            eprintln!("brandvault: {e}");
            Ok(3)
        }
    }
}

fn brand_check(dir: &std::path::Path, json: bool) -> Result<i32> {
    let mut problems = Vec::new();
    match brandvault::brand::read_guidelines(dir) {
        Ok(g) => problems.extend(brandvault::brand::check_guidelines(dir, &g)),
        Err(e) => problems.push(e.to_string()),
    }
    for (file, load) in [
        (
            "spots.toml",
            brandvault::brand::load_spots(&dir.join("spots.toml")).err(),
        ),
        (
            "presets.toml",
            brandvault::brand::load_presets(&dir.join("presets.toml")).err(),
        ),
    ] {
        if let Some(e) = load {
            problems.push(format!("{file}: {e}"));
        }
    }
    let report = serde_json::json!({"ok": problems.is_empty(), "problems": problems});
    print(json, &report, || {
        if problems.is_empty() {
            format!("{}: the brand folder is valid", dir.display())
        } else {
            problems.join("\n")
        }
    })?;
    Ok(i32::from(!problems.is_empty()))
}
