//! Copies of the whole library: `backup` (also while `serve` runs), `restore`, `migrate`.

use std::path::Path;

use anyhow::{Context, Result};

use super::admin::verify_summary;
use super::library::progress_bar;
use super::listing::{print, printable};
use super::Opened;
use brandvault::backup::{self, Copied};
use brandvault::catalog::{Catalog, Location};
use brandvault::config::Settings;
use brandvault::maintain;
use brandvault::store::{self, BlobStore};

/// `backup DIR`: reads the journal and the store only, so it needs no lock on the library.
pub(super) fn backup(settings: &Settings, dir: &Path, now: &str, json: bool) -> Result<i32> {
    settings.validate().map_err(anyhow::Error::msg)?;
    let catalog = super::catalog_location(settings)?;
    let store = open_store(&settings.store_url(), settings)?;
    let bar = objects_bar();
    let report = backup::backup(&*store, &catalog, dir, now, &|done, all| {
        show(&bar, done, all)
    })
    .with_context(|| format!("backing up into {}", dir.display()))?;
    finish(bar);
    let code = i32::from(!report.copied.missing.is_empty() || !report.copied.corrupt.is_empty());
    print(json, &report, || {
        format!(
            "backed up {} journal entries and {} assets into {}: {}",
            report.entries,
            report.assets,
            printable(&dir.display().to_string()),
            copied_summary(&report.copied)
        )
    })?;
    Ok(code)
}

/// `restore DIR` into the opened library, then `verify` of the result.
pub(super) fn restore(lib: &Opened, dir: &Path, json: bool) -> Result<i32> {
    let bar = objects_bar();
    let report = backup::restore(dir, &*lib.store, &lib.catalog, &|done, all| {
        show(&bar, done, all)
    })
    .with_context(|| format!("restoring from {}", dir.display()))?;
    finish(bar);
    let verified = maintain::verify(&*lib.store, &lib.catalog)?;
    let code = i32::from(!verified.is_clean());
    let doc = serde_json::json!({"restored": report, "verify": verified});
    print(json, &doc, || {
        format!(
            "restored {} journal entries ({} new here) and {} assets: {}\nverify: {}",
            report.entries,
            report.adopted,
            report.assets,
            copied_summary(&report.copied),
            verify_summary(&verified)
        )
    })?;
    Ok(code)
}

/// `migrate --to-store URL --to-catalog URL`: the source is read only (its catalogue through
/// its journal), so it may be in use; the target catalogue is opened, so it must not be.
pub(super) fn migrate(
    settings: &Settings,
    to_store: Option<&str>,
    to_catalog: Option<&str>,
    json: bool,
) -> Result<i32> {
    settings.validate().map_err(anyhow::Error::msg)?;
    let catalog = super::catalog_location(settings)?;
    let store = open_store(&settings.store_url(), settings)?;
    let target_store = to_store.map(|url| open_store(url, settings)).transpose()?;
    let target_catalog = match to_catalog {
        Some(url) => {
            let target =
                Location::parse(Some(url), &settings.data_dir).map_err(anyhow::Error::msg)?;
            if target.dir() == catalog.dir() {
                anyhow::bail!("the target catalogue is the library's own: name another");
            }
            Some(
                Catalog::open(&target)
                    .with_context(|| format!("opening the target catalogue {target}"))?,
            )
        }
        None => None,
    };
    let bar = objects_bar();
    let report = backup::migrate(
        &*store,
        &catalog,
        target_store.as_deref(),
        target_catalog.as_ref(),
        &|done, all| show(&bar, done, all),
    )?;
    finish(bar);
    // With both halves at the target, it is a library of its own: verified like one.
    let verified = match &target_catalog {
        Some(catalog) => Some(maintain::verify(
            target_store.as_deref().unwrap_or(&*store),
            catalog,
        )?),
        None => None,
    };
    let clean = report.copied.missing.is_empty()
        && report.copied.corrupt.is_empty()
        && verified.as_ref().is_none_or(|v| v.is_clean());
    let doc = serde_json::json!({"migrated": report, "verify": verified});
    print(json, &doc, || {
        let mut s = format!(
            "{} journal entries ({} new at the target catalogue) and {} assets; objects: {}",
            report.entries,
            report.adopted,
            report.assets,
            copied_summary(&report.copied)
        );
        if let Some(v) = &verified {
            s.push_str(&format!("\nverify of the target: {}", verify_summary(v)));
        }
        s
    })?;
    Ok(i32::from(!clean))
}

fn open_store(url: &str, settings: &Settings) -> Result<std::sync::Arc<dyn BlobStore>> {
    store::open(url, &settings.data_dir).with_context(|| format!("opening the store {url}"))
}

fn copied_summary(c: &Copied) -> String {
    let mut s = format!(
        "{} objects, {} copied ({} bytes), {} already there",
        c.objects,
        c.copied,
        c.bytes,
        c.objects - c.copied - c.missing.len() - c.corrupt.len()
    );
    for h in &c.missing {
        s.push_str(&format!("\nmissing at the source: {h}"));
    }
    for h in &c.corrupt {
        s.push_str(&format!("\ncorrupt at the source (not copied): {h}"));
    }
    s
}

fn objects_bar() -> Option<indicatif::ProgressBar> {
    progress_bar("{bar:30} {pos}/{len} objects  {elapsed}")
}

fn show(bar: &Option<indicatif::ProgressBar>, done: usize, all: usize) {
    if let Some(bar) = bar {
        bar.set_length(all as u64);
        bar.set_position(done as u64);
    }
}

fn finish(bar: Option<indicatif::ProgressBar>) {
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}
