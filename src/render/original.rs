//! Originals as the press and the public receive them: a copy carrying the asset's edited
//! metadata (see `metadata::delivered_original`), made once per asset and metadata and kept
//! in the store like an IIIF answer (the `derived` tree; `gc` may drop it, the next download
//! makes it again). The stored original is never touched.

use std::io::Read;

use super::{delivered_original, outgoing, RenderError, Renderer};
use crate::model::{Asset, OriginalPolicy};
use crate::store::{Durability, Hash};

/// Bump when the copies' bytes change for the same asset and metadata.
const ORIGINAL_ENGINE: &str = "brandvault-original/2";

impl Renderer<'_> {
    /// The object holding the press and public copy of `asset`'s original, made if needed;
    /// `None` when its type cannot be rewritten (TIFF, HEIF) or it is too large to rewrite.
    pub fn delivered_original(
        &self,
        asset: &Asset,
        policy: OriginalPolicy,
    ) -> Result<Option<Hash>, RenderError> {
        let metadata = outgoing(asset, self.wording());
        let spec = serde_json::json!({"engine": ORIGINAL_ENGINE, "gps": policy.gps, "described": metadata});
        let mut hasher = blake3::Hasher::new();
        hasher.update(asset.object_id().as_bytes());
        hasher.update(spec.to_string().as_bytes());
        let key = *hasher.finalize().as_bytes();
        if let Some(object) = self.catalog.derived(&key)? {
            if let Ok(hash) = Hash::from_hex(&object) {
                if self.store.size(&hash).is_ok() {
                    return Ok(Some(hash));
                }
            }
        }
        if asset.bytes > self.max_source_bytes {
            return Ok(None);
        }
        let source = Hash::from_bytes(*asset.object_id().as_bytes());
        let mut bytes = Vec::with_capacity(asset.bytes as usize);
        let read = self
            .store
            .open(&source)
            .map_err(std::io::Error::other)
            .and_then(|mut blob| blob.read_to_end(&mut bytes));
        if read.is_err() {
            return Ok(None);
        }
        let Some(copy) = delivered_original(asset, &bytes, &metadata, policy.gps) else {
            return Ok(None);
        };
        let put = match self
            .store
            .put_reader(&mut copy.as_slice(), Durability::Derived)
        {
            Ok(put) => put,
            Err(e) => {
                tracing::error!("storing the delivered original of {}: {e}", asset.id);
                return Ok(None);
            }
        };
        self.catalog.remember_derived(&key, &put.hash.to_hex())?;
        Ok(Some(put.hash))
    }
}
