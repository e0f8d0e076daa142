//! People: accounts, journaled like tokens (so `rebuild` restores them), and their browser
//! sessions, kept in the catalogue so that a restart signs nobody out. Sessions are not
//! journaled (they are not the library's content): a rebuild signs everyone out. A shared
//! catalogue keeps them in PostgreSQL with its other tables, so every node knows every session.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::journal::Entry;
use super::tables::{Tree, Writes};
use super::{Catalog, CatalogError, Change};
use crate::model::User;

/// A browser session as stored, under the BLAKE3 hash of its id (the id itself is only in
/// the browser's cookie).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub user: String,
    pub csrf: String,
    /// Seconds since the Unix epoch.
    pub expires: u64,
}

/// The token and account changes of one commit, applied in its transaction.
#[derive(Default)]
pub(super) struct AccountBatch {
    /// Token name → its record (`None`: revoked), as they stand after the commit's entries.
    tokens: BTreeMap<String, Option<Vec<u8>>>,
    /// The accounts as they stand after the commit's entries.
    users: BTreeMap<String, Option<User>>,
}

impl AccountBatch {
    /// Stages the tokens' and accounts' writes.
    pub fn stage(&self, writes: &mut Writes) {
        for (name, record) in &self.tokens {
            match record {
                Some(bytes) => writes.insert(Tree::Tokens, name.as_bytes(), bytes.as_slice()),
                None => writes.remove(Tree::Tokens, name.as_bytes()),
            }
        }
        for (name, user) in &self.users {
            match user.as_ref().and_then(|u| serde_json::to_vec(u).ok()) {
                Some(bytes) => writes.insert(Tree::Users, name.as_bytes(), bytes),
                None => writes.remove(Tree::Users, name.as_bytes()),
            }
        }
    }
}

impl Catalog {
    /// Stages `entry` if it is about a token or an account; false if it is about an asset.
    /// A second account under a taken name is ignored, so replaying any journal is
    /// deterministic (the accounts layer refuses it before it is written).
    pub(super) fn stage_account(
        &self,
        entry: &Entry,
        batch: &mut AccountBatch,
    ) -> Result<bool, CatalogError> {
        match &entry.change {
            Change::TokenCreated { name, role, hash } => {
                let record = serde_json::json!({"name": name, "role": role, "hash": hash, "created_at": entry.at});
                batch
                    .tokens
                    .insert(name.clone(), Some(record.to_string().into_bytes()));
            }
            Change::TokenRevoked { name } => {
                batch.tokens.insert(name.clone(), None);
            }
            Change::UserCreated { user } => {
                let slot = self.staged_user(batch, &user.name)?;
                if slot.is_none() {
                    *slot = Some(user.clone());
                }
            }
            Change::UserChanged { name, patch } => {
                if let Some(user) = self.staged_user(batch, name)? {
                    patch.apply(user);
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn staged_user<'b>(
        &self,
        batch: &'b mut AccountBatch,
        name: &str,
    ) -> Result<&'b mut Option<User>, CatalogError> {
        if !batch.users.contains_key(name) {
            let current = self.staged(Tree::Users, name.as_bytes())?;
            batch.users.insert(name.to_owned(), current);
        }
        Ok(batch.users.get_mut(name).expect("just staged"))
    }

    /// Every account, by name.
    pub fn users(&self) -> Result<Vec<User>, CatalogError> {
        self.tables
            .scan_prefix(Tree::Users, &[])?
            .iter()
            .map(|(_, v)| serde_json::from_slice(v).map_err(CatalogError::encode))
            .collect()
    }

    /// One account by its sign-in name.
    pub fn user(&self, name: &str) -> Result<Option<User>, CatalogError> {
        self.tables
            .get(Tree::Users, name.as_bytes())?
            .map(|v| serde_json::from_slice(&v).map_err(CatalogError::encode))
            .transpose()
    }

    /// Whether anyone has an account yet (an empty library offers a set-up link).
    pub fn has_users(&self) -> bool {
        // Unreadable counts as "has accounts": never offer a set-up link by mistake.
        !self.tables.is_empty(Tree::Users).unwrap_or(false)
    }

    /// Stores a session under `key` (the hash of its id).
    pub fn save_session(
        &self,
        key: &[u8; 32],
        session: &SessionRecord,
    ) -> Result<(), CatalogError> {
        let bytes = serde_json::to_vec(session).map_err(CatalogError::encode)?;
        self.tables.put(Tree::Sessions, key, &bytes)?;
        self.tables.flush()
    }

    /// The session stored under `key`, if any (expiry is the caller's to judge).
    pub fn session(&self, key: &[u8; 32]) -> Result<Option<SessionRecord>, CatalogError> {
        self.tables
            .get(Tree::Sessions, key)?
            .map(|v| serde_json::from_slice(&v).map_err(CatalogError::encode))
            .transpose()
    }

    /// Ends the session under `key`.
    pub fn end_session(&self, key: &[u8; 32]) -> Result<(), CatalogError> {
        self.tables.remove(Tree::Sessions, &[key])?;
        self.tables.flush()
    }

    /// Ends every session of `user`, and every session expired by `now_secs`.
    pub fn end_sessions_of(&self, user: &str, now_secs: u64) -> Result<usize, CatalogError> {
        let stale = |v: &[u8]| {
            serde_json::from_slice::<SessionRecord>(v)
                .map_or(true, |s| s.user == user || s.expires <= now_secs)
        };
        let sessions = self.tables.scan_prefix(Tree::Sessions, &[])?;
        let ended: Vec<&[u8]> = sessions
            .iter()
            .filter(|(_, v)| stale(v))
            .map(|(k, _)| k.as_ref())
            .collect();
        self.tables.remove(Tree::Sessions, &ended)?;
        self.tables.flush()?;
        Ok(ended.len())
    }
}
