//! One library: the settings, the object store, the catalogue, the brand and its gazetteer,
//! put together once and shared by the service and the command line. Every part of the work
//! (edits and approvals, ingest, renditions, accounts, collections) is asked of it, so no
//! caller assembles those parts by hand.

use std::sync::Arc;

use crate::accounts::Accounts;
use crate::brand::Brand;
use crate::catalog::Catalog;
use crate::collections::Collections;
use crate::config::Settings;
use crate::geo::Locator;
use crate::ingest::Ingester;
use crate::render::Renderer;
use crate::store::BlobStore;
use crate::workflow::Workflow;

pub struct Library {
    pub settings: Settings,
    pub store: Arc<dyn BlobStore>,
    /// Shared with what runs beside the library's owner (commands handed to `serve`).
    pub catalog: Arc<Catalog>,
    pub brand: Brand,
    /// The brand's check-in spots, ready to place a GPS position.
    pub locator: Locator,
    /// The key share-link tokens are derived with (`link.key` in the data folder).
    link_key: [u8; 32],
}

impl Library {
    /// The library over these parts; text search then finds tags by the words of the brand's
    /// vocabulary ("du lich": tourism).
    pub fn new(
        settings: Settings,
        store: Arc<dyn BlobStore>,
        catalog: Arc<Catalog>,
        brand: Brand,
    ) -> Self {
        catalog.set_tag_words(brand.tag_words());
        Library {
            link_key: link_key(&settings.data_dir),
            locator: Locator::new(&brand.gazetteer),
            settings,
            store,
            catalog,
            brand,
        }
    }

    pub fn workflow(&self) -> Workflow<'_> {
        Workflow {
            store: &*self.store,
            catalog: &self.catalog,
            brand: &self.brand,
        }
    }

    pub fn ingester(&self) -> Ingester<'_> {
        Ingester {
            store: &*self.store,
            catalog: &self.catalog,
            locator: &self.locator,
            brand: &self.brand,
        }
    }

    pub fn renderer(&self) -> Renderer<'_> {
        Renderer::new(&*self.store, &self.catalog, &self.brand, &self.settings)
    }

    pub fn accounts(&self) -> Accounts<'_> {
        Accounts {
            catalog: &self.catalog,
        }
    }

    pub fn collections(&self) -> Collections<'_> {
        Collections {
            catalog: &self.catalog,
            link_key: &self.link_key,
        }
    }
}

/// The share-link key kept in `data/link.key` (made on first use, readable by its owner
/// only). Not in the catalogue, so a copy of the journal or the tables opens no link; nodes
/// sharing a catalogue share this file to show links again. Without it (a read-only folder)
/// a key for this run only: links still open everywhere (only their hash is compared), but
/// their addresses can be shown again only while this process runs.
fn link_key(data: &std::path::Path) -> [u8; 32] {
    let path = data.join("link.key");
    let read = |p: &std::path::Path| {
        let hex = std::fs::read_to_string(p).ok()?;
        blake3::Hash::from_hex(hex.trim())
            .ok()
            .map(|h| *h.as_bytes())
    };
    if let Some(key) = read(&path) {
        return key;
    }
    // Without random numbers no link can be made at all (their ids are random too).
    let mut key = [0u8; 32];
    let _ = getrandom::fill(&mut key);
    let written = std::fs::create_dir_all(data).and_then(|()| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path)?;
        std::io::Write::write_all(&mut file, blake3::Hash::from_bytes(key).to_hex().as_bytes())
    });
    match written {
        Ok(()) => key,
        // Another process made it first: theirs.
        Err(e) => read(&path).unwrap_or_else(|| {
            tracing::warn!(path = %path.display(), error = %e, "no share-link key file; links made now can be shown again only during this run");
            key
        }),
    }
}

/// Now, RFC 3339 UTC to the second: the clock of the service and of the command line.
pub fn clock() -> String {
    let t = time::OffsetDateTime::now_utc();
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// One log line per event on stderr; `BRANDVAULT_LOG=debug|info|warn|error` (default info).
pub fn init_logging() {
    let level = std::env::var("BRANDVAULT_LOG")
        .ok()
        .and_then(|l| l.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::INFO);
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
