//! Renditions handed to a CDN or a public bucket (`--public-blob-url`). `/r/` answers a
//! rendition the public may see with a redirect to its public copy (`public/{hash}.{ext}` in the
//! store, made at the first such request), so the bytes of a campaign's images leave from the
//! CDN rather than from this service. Renditions only signed-in people may see are never copied:
//! they are streamed and checked at every request. `sweep`, run by the service every few
//! seconds, removes the copies of renditions the public may no longer see (withdrawn, expired,
//! made press-only, or no longer any asset's).

use std::collections::HashSet;
use std::sync::RwLock;

use super::AppState;
use crate::model::Viewer;
use crate::store::{Hash, StoreError};

/// The names of the public copies in the store, as far as this process knows.
#[derive(Default)]
pub struct PublicCopies {
    names: RwLock<HashSet<String>>,
}

impl PublicCopies {
    /// Learns which copies the store holds (at start: a restarted service keeps sweeping the
    /// copies an earlier one made).
    pub fn load(&self, state: &AppState) -> Result<(), StoreError> {
        let names = state.store.published()?;
        *self.names.write().unwrap_or_else(|p| p.into_inner()) = names.into_iter().collect();
        Ok(())
    }

    fn has(&self, name: &str) -> bool {
        let names = self.names.read().unwrap_or_else(|p| p.into_inner());
        names.contains(name)
    }

    fn add(&self, name: String) {
        let mut names = self.names.write().unwrap_or_else(|p| p.into_inner());
        names.insert(name);
    }

    /// Removes the copies of renditions the public may not see now. Returns how many went.
    pub fn sweep(&self, state: &AppState) -> Result<usize, StoreError> {
        let names: Vec<String> = {
            let names = self.names.read().unwrap_or_else(|p| p.into_inner());
            names.iter().cloned().collect()
        };
        let public = Viewer {
            actor: None,
            now: (state.clock)(),
        };
        let mut removed = 0;
        for name in names {
            let (hash, ext) = name.split_once('.').unwrap_or((&name, ""));
            let visible = crate::model::served_media_type(ext).is_some_and(|mime| {
                state
                    .catalog
                    .rendition_owners(hash, mime)
                    .is_ok_and(|owners| owners.iter().any(|o| public.may_see(&o.visibility)))
            });
            if !visible {
                state.store.unpublish(&name)?;
                self.names
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&name);
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// Where the public copy of this rendition is, made first if needed; `None` without
/// `--public-blob-url`, or when the copy cannot be made (the caller then serves the bytes).
pub(super) async fn location(
    state: &super::State,
    hash: Hash,
    mime: &'static str,
    ext: &str,
) -> Option<String> {
    let base = state.settings.public_blob_url.as_deref()?;
    let name = format!("{}.{ext}", hash.to_hex());
    if !state.public_copies.has(&name) {
        let (st, n) = (state.clone(), name.clone());
        let made = actix_web::web::block(move || st.store.publish(&hash, &n, mime)).await;
        match made {
            Ok(Ok(())) => state.public_copies.add(name.clone()),
            Ok(Err(e)) => {
                tracing::warn!("no public copy of {name} ({e}); serving it directly");
                return None;
            }
            Err(_) => return None,
        }
    }
    Some(format!("{base}/{name}"))
}
