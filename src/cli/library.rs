//! Commands that add to the library and make renditions: ingest, render, export.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use super::args::IngestArgs;
use super::listing::{print, printable};
use super::Opened;
use brandvault::ingest::{IngestOptions, IngestReport, Progress};
use brandvault::model::{AssetId, MediaType};
use brandvault::render::RenderReport;
use brandvault::store::Hash;
use brandvault::Library;

pub(super) fn ingest(lib: &Opened, args: IngestArgs, json: bool) -> Result<i32> {
    let library = lib.library()?;
    let options = IngestOptions {
        tags: args.tags,
        kind: args.kind,
        limits: lib.settings.limits,
        max_bytes: args.max_bytes,
        actor: "cli".into(),
        at: lib.now.clone(),
        uploader: None,
        metadata: Default::default(),
        spot: None,
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
    let report = library
        .ingester()
        .ingest_paths(&args.paths, &options, &show)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    // Files already known may be from a run that was stopped (a crash, ctrl-c) after they
    // were catalogued but before their renditions were made: this run finishes that job.
    let unfinished = library.renderer().pending(&report.duplicates)?;
    let rendered = if args.no_render {
        None
    } else {
        let ids: Vec<AssetId> = report.added.iter().chain(&unfinished).copied().collect();
        Some(render(lib, &library, &ids, &[])?)
    };
    let code = if report.rejected.is_empty() { 0 } else { 2 };
    let secs = started.elapsed().as_secs_f64();
    let mut doc = serde_json::to_value(&report)?;
    if let Some(r) = &rendered {
        doc["renditions"] = serde_json::to_value(r)?;
    }
    doc["unfinished"] = serde_json::json!(unfinished.len());
    print(json, &doc, || {
        ingest_summary(&report, rendered.as_ref(), unfinished.len(), secs)
    })?;
    Ok(code)
}

/// What `ingest` says to a person: counts, each refusal, the renditions, unfinished work.
fn ingest_summary(
    report: &IngestReport,
    rendered: Option<&RenderReport>,
    unfinished: usize,
    secs: f64,
) -> String {
    let mut s = format!(
        "{} added, {} already present, {} rejected in {secs:.1} s",
        report.added.len(),
        report.duplicates.len(),
        report.rejected.len()
    );
    for r in &report.rejected {
        s.push_str(&format!(
            "\nrejected [{}] {}",
            r.code,
            printable(&r.message)
        ));
    }
    if let Some(r) = rendered {
        s.push('\n');
        s.push_str(&render_summary(r));
    }
    if unfinished > 0 {
        s.push_str(&format!(
            "\n{unfinished} known assets had renditions left unmade by an earlier run{}",
            if rendered.is_some() {
                ": made now"
            } else {
                "; run `brandvault render` to make them"
            }
        ));
    }
    s
}

/// Renders with the brand's presets, with a progress bar on a terminal.
fn render(
    lib: &Opened,
    library: &Library,
    ids: &[AssetId],
    only: &[String],
) -> Result<RenderReport> {
    for p in only {
        if !library.brand.presets.iter().any(|x| &x.name == p) {
            bail!("no preset {p:?} in brand/presets.toml");
        }
    }
    let renderer = library.renderer();
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
            printable(&f.message)
        ));
    }
    s
}

/// The stored object of an asset's rendition, making it first if needed.
fn rendition_object(lib: &Opened, id: AssetId, preset: &str) -> Result<Hash> {
    let find = |lib: &Opened| -> Result<Option<Hash>> {
        let asset = lib.catalog.asset(&id)?.context("asset vanished")?;
        Ok(asset
            .renditions
            .iter()
            .find(|r| r.preset == preset)
            .and_then(|r| r.object())
            .and_then(|h| Hash::from_hex(h).ok()))
    };
    let report = render(lib, &lib.library()?, &[id], &[preset.to_owned()])?;
    if let Some(f) = report.failed.first() {
        bail!("cannot make {preset}: [{}] {}", f.code, f.message);
    }
    find(lib)?.with_context(|| format!("preset {preset:?} does not apply to this asset's kind"))
}

/// A progress bar on stderr when it is a terminal.
pub(super) fn progress_bar(template: &str) -> Option<indicatif::ProgressBar> {
    (std::io::stderr().is_terminal() && !super::output::is_captured()).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    })
}

/// `render [ID...] [--preset P]...`: exit code 1 if any rendition failed.
pub(super) fn render_command(
    lib: &Opened,
    ids: &[String],
    presets: &[String],
    json: bool,
) -> Result<i32> {
    let ids = if ids.is_empty() {
        lib.catalog.ids()?
    } else {
        ids.iter()
            .map(|i| lib.catalog.resolve(i))
            .collect::<Result<_, _>>()?
    };
    let report = render(lib, &lib.library()?, &ids, presets)?;
    let code = i32::from(!report.failed.is_empty());
    print(json, &report, || render_summary(&report))?;
    Ok(code)
}

/// `export ID --preset P [--exact] -o FILE`: a rendition (made if needed), the original as the
/// press receives it, or (`--exact`) the stored original.
pub(super) fn export(
    lib: &Opened,
    id: &str,
    preset: &str,
    exact: bool,
    output: &PathBuf,
    json: bool,
) -> Result<i32> {
    let id = lib.catalog.resolve(id)?;
    let current = lib
        .catalog
        .asset(&id)?
        .context("asset vanished")?
        .object_id();
    let hash = if preset == "original" && exact {
        Hash::from_bytes(*current.as_bytes())
    } else if preset == "original" {
        let library = lib.library()?;
        let asset = lib.catalog.asset(&id)?.context("asset vanished")?;
        match library
            .renderer()
            .delivered_original(&asset, library.brand.original)?
        {
            Some(hash) => hash,
            None if MediaType::from_mime(&asset.media_type)
                .is_some_and(|t| t.carries_camera_metadata()) =>
            {
                bail!(
                    "the metadata of a {} original cannot be rewritten: use --exact for the stored bytes, or a preset",
                    asset.media_type
                )
            }
            None => Hash::from_bytes(*current.as_bytes()),
        }
    } else {
        rendition_object(lib, id, preset)?
    };
    let mut blob = lib.store.open(&hash)?;
    let mut file =
        std::fs::File::create(output).with_context(|| format!("creating {}", output.display()))?;
    let n = std::io::copy(&mut blob, &mut file)
        .with_context(|| format!("writing {}", output.display()))?;
    file.sync_all()?;
    let report = serde_json::json!({"id": id, "preset": preset, "path": output, "bytes": n});
    print(json, &report, || {
        format!(
            "wrote {n} bytes to {}",
            printable(&output.display().to_string())
        )
    })
}
