//! Secondary index keys: `field \0 value \0 id`, so that every asset with a given kind, status,
//! spot, tag or capture date is one prefix scan, already in id order.

use crate::model::Asset;

pub const KIND: &str = "kind";
pub const STATUS: &str = "status";
pub const SPOT: &str = "spot";
pub const TAG: &str = "tag";
pub const CAPTURED: &str = "captured";
pub const RENDITION: &str = "rendition";

/// The prefix shared by every key of `field` = `value`.
pub fn prefix(field: &str, value: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(field.len() + value.len() + 34);
    k.extend_from_slice(field.as_bytes());
    k.push(0);
    k.extend_from_slice(value.as_bytes());
    k.push(0);
    k
}

/// Every index key of an asset.
pub fn keys(asset: &Asset) -> Vec<Vec<u8>> {
    let mut pairs: Vec<(&str, &str)> =
        vec![(KIND, asset.kind.as_str()), (STATUS, asset.status.as_str())];
    if let Some(spot) = &asset.spot {
        pairs.push((SPOT, &spot.id));
    }
    for tag in &asset.tags {
        pairs.push((TAG, tag));
    }
    if let Some(date) = asset.captured_at.as_deref().and_then(|c| c.get(..10)) {
        pairs.push((CAPTURED, date));
    }
    for r in &asset.renditions {
        if let Some(hash) = r.object() {
            pairs.push((RENDITION, hash));
        }
    }
    pairs
        .into_iter()
        .map(|(f, v)| {
            let mut k = prefix(f, v);
            k.extend_from_slice(asset.id.as_bytes());
            k
        })
        .collect()
}
