//! Commands that look after the library: verify, gc, rebuild, tokens, the brand folder and
//! kit, and the file tools hash and exif (which store nothing).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use super::args::{BrandAction, TokenAction};
use super::listing::{print, printable};
use super::Opened;
use brandvault::catalog::Catalog;
use brandvault::config::Settings;
use brandvault::maintain;

/// `init`: the starter brand written into the brand folder.
pub(super) fn init(dir: &Path, json: bool) -> Result<i32> {
    let written = brandvault::brand::starter::write(dir)?;
    let report = serde_json::json!({"brand": dir, "files": written});
    print(json, &report, || {
        format!(
            "wrote the starter brand ({} files) to {}; its logos and slogan are placeholders: replace them, then run `brandvault brand check`",
            written.len(),
            printable(&dir.display().to_string())
        )
    })
}

/// `rebuild`: the index again from the journal.
pub(super) fn rebuild(settings: &Settings, json: bool) -> Result<i32> {
    let location = super::catalog_location(settings)?;
    let (catalog, events) = Catalog::rebuild(&location).context("rebuilding")?;
    let report = serde_json::json!({"assets": catalog.len(), "events": events});
    print(json, &report, || {
        format!(
            "rebuilt the catalogue: {} assets from {events} journal entries",
            catalog.len()
        )
    })
}

/// `verify`: exit code 1 on any problem.
pub(super) fn verify(lib: &Opened, json: bool) -> Result<i32> {
    let report = maintain::verify(&*lib.store, &lib.catalog)?;
    let code = i32::from(!report.is_clean());
    print(json, &report, || verify_summary(&report))?;
    Ok(code)
}

/// What `verify` found, for a person.
pub(super) fn verify_summary(report: &maintain::VerifyReport) -> String {
    let mut s = format!(
        "{} objects checked; {} corrupt, {} missing; journal: {}",
        report.objects,
        report.corrupt.len(),
        report.missing.len(),
        report
            .journal_error
            .clone()
            .unwrap_or_else(|| format!("{} entries, chain intact", report.journal_entries))
    );
    for h in &report.corrupt {
        s.push_str(&format!("\ncorrupt: {h}"));
    }
    for h in &report.missing {
        s.push_str(&format!("\nmissing: {h}"));
    }
    s
}

/// `gc`: unreferenced objects older than the grace period.
pub(super) fn gc(lib: &Opened, grace_secs: u64, drop_earlier: bool, json: bool) -> Result<i32> {
    let earlier = if drop_earlier {
        maintain::EarlierVersions::Drop
    } else {
        maintain::EarlierVersions::Keep
    };
    let grace = Duration::from_secs(grace_secs);
    let report = maintain::gc(&*lib.store, &lib.catalog, grace, earlier)?;
    print(json, &report, || {
        format!(
            "removed {} objects ({} bytes); kept {}",
            report.removed, report.bytes, report.kept
        )
    })
}

/// `brand recheck`: the guideline checks again on every asset.
pub(super) fn brand_recheck(lib: &Opened, action: BrandAction, json: bool) -> Result<i32> {
    if let BrandAction::Check = action {
        return brand_check(&lib.settings.brand_dir, json);
    }
    let library = lib.library()?;
    let operator = brandvault::model::Actor {
        name: "cli".into(),
        role: brandvault::model::Role::Admin,
    };
    let changed = library.workflow().recheck_all(&operator, &lib.now)?;
    let report = serde_json::json!({"changed": changed});
    print(json, &report, || {
        format!("{} assets' violations changed", changed.len())
    })
}

/// `kit -o FILE.zip`: byte-identical for the same brand folder.
pub(super) fn kit(lib: &Opened, output: &PathBuf, json: bool) -> Result<i32> {
    let library = lib.library()?;
    let brand = &library.brand;
    let files = brandvault::brand::kit::build(brand)?;
    let bytes = brandvault::brand::kit::zip(&files)?;
    std::fs::write(output, &bytes).with_context(|| format!("writing {}", output.display()))?;
    let report = serde_json::json!({
        "path": output, "files": files.len(), "bytes": bytes.len(),
        "blake3": blake3::hash(&bytes).to_hex().as_str(),
    });
    print(json, &report, || {
        format!(
            "wrote {} ({} files, {} bytes)",
            printable(&output.display().to_string()),
            files.len(),
            bytes.len()
        )
    })
}

pub(super) fn hash(files: &[PathBuf], json: bool) -> Result<i32> {
    let mut rows = Vec::new();
    for f in files {
        let (hash, bytes) = brandvault::store::hash_foreign_file(f)?;
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
pub(super) fn exif(files: &[PathBuf], json: bool) -> Result<i32> {
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

fn accounts(lib: &Opened) -> brandvault::accounts::Accounts<'_> {
    brandvault::accounts::Accounts {
        catalog: &lib.catalog,
    }
}

pub(super) fn token(lib: &Opened, action: TokenAction, json: bool) -> Result<i32> {
    match action {
        TokenAction::Create { role, name } => {
            let role = brandvault::http::auth::parse_role(&role).with_context(|| {
                format!("unknown role {role:?}: admin, brand_manager, designer, press or agency")
            })?;
            let name = brandvault::model::text::nfc(name.trim());
            let token = accounts(lib).create_token(&name, role, &super::operator(), &lib.now)?;
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
            accounts(lib).revoke_token(&name, &super::operator(), &lib.now)?;
            print(json, &serde_json::json!({"revoked": name}), || {
                format!("revoked {name}")
            })
        }
    }
}

pub(super) fn brand_check(dir: &Path, json: bool) -> Result<i32> {
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
