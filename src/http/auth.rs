//! Bearer tokens: random, shown once, stored as their BLAKE3 hash, compared in constant time
//! (blake3::Hash's equality is constant-time).

use crate::catalog::{Catalog, CatalogError};
use crate::model::{Actor, Role};

/// 256 random bits, hex: tokens, session ids, CSRF tokens.
pub fn random_hex() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(blake3::Hash::from_bytes(bytes).to_hex().to_string())
}

/// A new random token and the hash to store.
pub fn new_token() -> Result<(String, String), getrandom::Error> {
    let token = format!("bv_{}", random_hex()?);
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// What the catalogue stores of a token.
pub fn token_hash(token: &str) -> String {
    blake3::hash(token.trim().as_bytes()).to_hex().to_string()
}

/// The actor a presented token belongs to, if it is live (revocations another process asked
/// for are applied first, so they take effect at once).
pub fn actor_for(catalog: &Catalog, token: &str, now: &str) -> Result<Option<Actor>, CatalogError> {
    catalog.apply_requests(now)?;
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
