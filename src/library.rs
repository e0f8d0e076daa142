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
        }
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
