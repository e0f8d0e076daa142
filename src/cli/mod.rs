//! Subcommands of docs/contract.md (Commands and routes). Each opens what it needs, does one thing, and prints either a
//! human summary or, with `--json`, exactly one JSON document on stdout.
//!
//! `args` holds the flags; `library` the commands that add and render; `listing` what shows
//! the catalogue to a person; `edit` edits and workflow steps; `admin` tokens, the brand
//! folder and maintenance; `people` accounts. Serving is `brandvault::service`.

mod admin;
mod args;
mod copies;
mod edit;
mod handoff;
mod library;
mod listing;
mod output;
mod people;

use std::time::Duration;

use anyhow::{bail, Context, Result};

pub use args::Cli;
use args::{BrandAction, Command};
use brandvault::brand::Brand;
use brandvault::catalog::{Catalog, Location};
use brandvault::config::Settings;
use brandvault::store::BlobStore;
use brandvault::workflow::Action;
pub use listing::printable;
use std::sync::Arc;

/// What a command opens: settings, store and catalogue, at the command's time (the brand is
/// loaded by the commands that need it, through `library`).
#[derive(Clone)]
struct Opened {
    settings: Settings,
    /// The time this command acts at (the clock, or `--now`).
    now: String,
    store: Arc<dyn BlobStore>,
    catalog: Arc<Catalog>,
}

impl Opened {
    /// The library; `reading` for a command that only reads (it opens on a full disk too).
    fn open(settings: Settings, now: String, reading: bool) -> Result<Self> {
        settings.validate().map_err(anyhow::Error::msg)?;
        let url = settings.store_url();
        let store = brandvault::store::open(&url, &settings.data_dir)
            .with_context(|| format!("opening the store {url}"))?;
        let location = catalog_location(&settings)?;
        let catalog = if reading {
            Catalog::open_to_read(&location)
        } else {
            Catalog::open(&location)
        }
        .with_context(|| format!("opening the catalogue in {location}"))?;
        Ok(Self {
            settings,
            now,
            store,
            catalog: Arc::new(catalog),
        })
    }

    /// The whole library, with the brand folder loaded (text search then finds tags by the
    /// words of the brand's vocabulary): what every command that works with the brand asks.
    fn library(&self) -> Result<brandvault::Library> {
        let brand = Brand::load(&self.settings.brand_dir).context("loading the brand folder")?;
        Ok(brandvault::Library::new(
            self.settings.clone(),
            self.store.clone(),
            self.catalog.clone(),
            brand,
        ))
    }
}

/// Who the command line acts as: the machine's operator, with every right.
fn operator() -> brandvault::model::Actor {
    brandvault::model::Actor {
        name: "cli".into(),
        role: brandvault::model::Role::Admin,
    }
}

/// Runs a command; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    let now = match &cli.now {
        Some(t) => parse_time(t)?,
        None => brandvault::library::clock(),
    };
    let mut settings = Settings::new(cli.data.clone(), cli.brand.clone());
    settings.store_url = cli.store.clone();
    settings.catalog_url = cli.catalog.clone();
    settings.limits.max_pixels = cli.max_pixels;
    settings.limits.max_decode_bytes = cli.max_decode_bytes;
    settings.poster_at = cli.poster_at;
    settings.ffmpeg_timeout = Duration::from_secs(cli.ffmpeg_timeout);
    let base_url = |given: Option<&str>| {
        given
            .map(brandvault::config::public_url)
            .transpose()
            .map_err(anyhow::Error::msg)
    };
    settings.public_url = base_url(cli.public_url.as_deref())?;
    settings.public_blob_url = base_url(cli.public_blob_url.as_deref())?;
    let json = cli.json;
    // Commands that do not open the library.
    match &cli.command {
        Command::Init => return admin::init(&settings.brand_dir, json),
        Command::Rebuild => return admin::rebuild(&settings, json),
        Command::Hash { files } => return admin::hash(files, json),
        Command::Exif { files } => return admin::exif(files, json),
        Command::Backup { dir } => return copies::backup(&settings, dir, &now, json),
        Command::Migrate {
            to_store,
            to_catalog,
        } => return copies::migrate(&settings, to_store.as_deref(), to_catalog.as_deref(), json),
        Command::Brand {
            action: BrandAction::Check,
        } => return admin::brand_check(&settings.brand_dir, json),
        _ => {}
    }
    let catalog_dir = catalog_location(&settings)?.dir().to_owned();
    // Commands that only read, and the service (whose reads must go on), open the catalogue
    // even on a full disk; their writes are refused with `disk-full`.
    let reading = matches!(
        cli.command,
        Command::Serve { .. }
            | Command::Show { .. }
            | Command::Ls(_)
            | Command::Log { .. }
            | Command::Spots(_)
            | Command::Verify
            | Command::Export { .. }
    );
    let lib = match Opened::open(settings, now.clone(), reading) {
        Ok(lib) => lib,
        Err(e) if is_locked(&e) => return handoff::send(&catalog_dir, &cli.command, &now, e),
        Err(e) => return Err(e),
    };
    match cli.command {
        Command::Serve { bind, drop } => serve(lib, &bind, &drop),
        Command::Restore { dir } => copies::restore(&lib, &dir, json),
        command => on_library(&lib, command, json),
    }
}

/// Where the settings say the catalogue is.
fn catalog_location(settings: &Settings) -> Result<Location> {
    Location::parse(settings.catalog_url.as_deref(), &settings.data_dir).map_err(anyhow::Error::msg)
}

/// Runs a command that works on an open library: here, or inside a running `serve` for a
/// command handed over to it.
fn on_library(lib: &Opened, command: Command, json: bool) -> Result<i32> {
    match command {
        Command::Ingest(args) => library::ingest(lib, args, json),
        Command::Render { ids, presets } => library::render_command(lib, &ids, &presets, json),
        Command::Export {
            id,
            preset,
            exact,
            output,
        } => library::export(lib, &id, &preset, exact, &output, json),
        Command::Show { id } => listing::show(lib, &id, json),
        Command::Ls(args) => listing::ls(lib, args, json),
        Command::Log { id } => listing::log(lib, &id, json),
        Command::Spots(args) => listing::spots(lib, args, json),
        Command::Edit(args) => edit::edit(lib, args, json),
        Command::Submit(a) => edit::step(lib, a, Action::Submit, json),
        Command::Approve(a) => edit::step(lib, a, Action::Approve, json),
        Command::Reject(a) => edit::step(lib, a, Action::Reject, json),
        Command::Archive(a) => edit::step(lib, a, Action::Archive, json),
        Command::Reopen(a) => edit::step(lib, a, Action::Reopen, json),
        Command::SetSpot { id, spot } => edit::set_spot(lib, &id, &spot, json),
        Command::Verify => admin::verify(lib, json),
        Command::Gc {
            grace_secs,
            drop_earlier_versions,
        } => admin::gc(lib, grace_secs, drop_earlier_versions, json),
        Command::Brand { action } => admin::brand_recheck(lib, action, json),
        Command::Token { action } => admin::token(lib, action, json),
        Command::User { action } => people::user(lib, action, json),
        Command::Kit { output } => admin::kit(lib, &output, json),
        Command::Serve { .. } => bail!("a service is already running on this library"),
        Command::Restore { .. } => {
            bail!("restore needs the library to itself: stop `brandvault serve` first")
        }
        Command::Init
        | Command::Rebuild
        | Command::Hash { .. }
        | Command::Exif { .. }
        | Command::Backup { .. }
        | Command::Migrate { .. } => {
            bail!("this command does not run on an open library")
        }
    }
}

fn is_locked(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<brandvault::catalog::CatalogError>(),
        Some(brandvault::catalog::CatalogError::Locked(_))
    )
}

/// Reports a failed command as `main` does for every command: with `--json`, one JSON document
/// `{code, message}` on standard output; a line on standard error. Returns the exit code, 1.
pub fn report_failure(e: &anyhow::Error, json: bool) -> i32 {
    let message = format!("{e:#}");
    if json {
        let body = serde_json::json!({"code": error_code(e), "message": message});
        let _ = output::out(&format!("{body}\n"));
    }
    output::complain(&message);
    1
}

/// The stable code of a command's failure: the module error's own where there is one
/// (`disk-full`, `journal-tampered`…), else `error`.
pub fn error_code(e: &anyhow::Error) -> &'static str {
    if let Some(c) = e.downcast_ref::<brandvault::catalog::CatalogError>() {
        return c.code();
    }
    if let Some(s) = e.downcast_ref::<brandvault::store::StoreError>() {
        return s.code();
    }
    if let Some(b) = e.downcast_ref::<brandvault::backup::BackupError>() {
        return b.code();
    }
    if let Some(w) = e.downcast_ref::<brandvault::workflow::WorkflowError>() {
        return w.code();
    }
    "error"
}

/// Hands the opened library to the service.
fn serve(lib: Opened, bind: &str, drop_folder: &std::path::Path) -> Result<i32> {
    let library = lib.library()?;
    let commands = handoff::answering(lib);
    brandvault::service::run(library, bind, drop_folder, commands)?;
    Ok(0)
}

/// RFC 3339 (any offset) or YYYY-MM-DD (midnight UTC) → RFC 3339 UTC, comparable as text.
fn check_date(s: &str) -> Result<String> {
    brandvault::model::parse_date(s).map_err(anyhow::Error::msg)
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
