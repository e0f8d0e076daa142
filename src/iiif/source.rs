//! Decoded sources kept in memory between IIIF requests. A deep-zoom viewer asks for dozens
//! of tiles of one picture at once; decoding a 24 MP JPEG for each would cost a full decode
//! per 512 px tile. Each (asset, scale) is decoded once — concurrent requests for it wait for
//! the one decode — and kept, least recently used first out, within a byte budget.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use image::DynamicImage;

use crate::model::AssetId;

type Slot = Arc<Mutex<Option<Arc<DynamicImage>>>>;

struct Entry {
    slot: Slot,
    bytes: u64,
    used: u64,
}

/// Decoded images by (asset, DCT scale denominator), within `capacity` bytes.
pub struct SourceCache {
    entries: Mutex<HashMap<(AssetId, u32), Entry>>,
    capacity: u64,
    tick: std::sync::atomic::AtomicU64,
}

impl SourceCache {
    pub fn new(capacity: u64) -> Self {
        SourceCache {
            entries: Mutex::new(HashMap::new()),
            capacity,
            tick: Default::default(),
        }
    }

    /// The decoded image for `key`, decoding it with `decode` if nobody has (or is).
    pub fn get_or_decode<E>(
        &self,
        key: (AssetId, u32),
        decode: impl FnOnce() -> Result<DynamicImage, E>,
    ) -> Result<Arc<DynamicImage>, E> {
        let tick = self.tick.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let slot = {
            let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            let entry = entries.entry(key).or_insert_with(|| Entry {
                slot: Slot::default(),
                bytes: 0,
                used: tick,
            });
            entry.used = tick;
            entry.slot.clone()
        };
        // Others asking for the same source wait here for the one decode.
        let mut guard = slot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(image) = guard.as_ref() {
            return Ok(image.clone());
        }
        let image = match decode() {
            Ok(image) => Arc::new(image),
            Err(e) => {
                drop(guard);
                self.forget(&key);
                return Err(e);
            }
        };
        *guard = Some(image.clone());
        drop(guard);
        self.account(key, image.as_bytes().len() as u64);
        Ok(image)
    }

    fn forget(&self, key: &(AssetId, u32)) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(key);
    }

    /// Records the size of a new image and evicts the least recently used others until the
    /// budget holds (the newest stays even if alone over budget).
    fn account(&self, key: (AssetId, u32), bytes: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = entries.get_mut(&key) {
            e.bytes = bytes;
        }
        loop {
            let total: u64 = entries.values().map(|e| e.bytes).sum();
            if total <= self.capacity {
                break;
            }
            let oldest = entries
                .iter()
                .filter(|(k, e)| **k != key && e.bytes > 0)
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| *k);
            match oldest {
                Some(k) => {
                    entries.remove(&k);
                }
                None => break,
            }
        }
    }

    /// Bytes held now (for tests and /metrics).
    pub fn held(&self) -> u64 {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.values().map(|e| e.bytes).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(side: u32) -> DynamicImage {
        DynamicImage::new_rgb8(side, side)
    }

    #[test]
    fn decodes_once_and_evicts_the_least_recently_used() {
        let cache = SourceCache::new(3 * 100 * 100 * 3);
        let decodes = std::sync::atomic::AtomicUsize::new(0);
        let get = |n: u8| {
            cache
                .get_or_decode::<()>((AssetId::from_bytes([n; 32]), 1), || {
                    decodes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    Ok(image(100))
                })
                .unwrap()
        };
        get(1);
        get(1);
        assert_eq!(decodes.load(std::sync::atomic::Ordering::Relaxed), 1);
        get(2);
        get(3);
        get(1);
        get(4); // over budget: 2 is the least recently used
        assert!(cache.held() <= 3 * 100 * 100 * 3);
        get(1);
        assert_eq!(decodes.load(std::sync::atomic::Ordering::Relaxed), 4);
        get(2);
        assert_eq!(decodes.load(std::sync::atomic::Ordering::Relaxed), 5);
    }

    #[test]
    fn a_failed_decode_is_not_kept() {
        let cache = SourceCache::new(1 << 20);
        let key = (AssetId::from_bytes([9; 32]), 1);
        assert!(cache
            .get_or_decode(key, || Err::<DynamicImage, _>("bad"))
            .is_err());
        assert!(cache.get_or_decode::<()>(key, || Ok(image(2))).is_ok());
    }
}
