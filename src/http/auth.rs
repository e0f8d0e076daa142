//! Bearer tokens: random, shown once, stored as their BLAKE3 hash, compared in constant time
//! (blake3::Hash's equality is constant-time).

use crate::catalog::{Catalog, CatalogError};
use crate::model::{Actor, Role};

pub use crate::accounts::{new_token, random_hex, token_hash};

/// The actor a presented token belongs to, if it is live.
pub fn actor_for(catalog: &Catalog, token: &str) -> Result<Option<Actor>, CatalogError> {
    let presented = blake3::hash(token.trim().as_bytes());
    for record in catalog.tokens()? {
        if let Ok(stored) = blake3::Hash::from_hex(&record.hash) {
            if stored == presented {
                return Ok(Some(Actor {
                    name: record.name,
                    role: record.role,
                }));
            }
        }
    }
    Ok(None)
}

/// Whether a role name is one of ours.
pub fn parse_role(s: &str) -> Option<Role> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}
