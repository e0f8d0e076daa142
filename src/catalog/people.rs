//! People: accounts, journaled like tokens (so `rebuild` restores them), and their browser
//! sessions, kept in the catalogue so that a restart signs nobody out. Sessions are not
//! journaled (they are not the library's content): a rebuild signs everyone out. A shared
//! catalogue keeps them in PostgreSQL, so every node knows every session (`shared.rs`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::journal::Entry;
use super::shared::{self, Table};
use super::{Catalog, CatalogError, Change};
use crate::model::User;

pub(super) const TREE_USERS: &str = "users";
pub(super) const TREE_SESSIONS: &str = "sessions";

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
    pub tokens: sled::Batch,
    /// The accounts as they stand after the commit's entries.
    users: BTreeMap<String, Option<User>>,
}

impl AccountBatch {
    pub fn users(&self) -> sled::Batch {
        let mut batch = sled::Batch::default();
        for (name, user) in &self.users {
            match user.as_ref().and_then(|u| serde_json::to_vec(u).ok()) {
                Some(bytes) => batch.insert(name.as_bytes(), bytes),
                None => batch.remove(name.as_bytes()),
            }
        }
        batch
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
                    .insert(name.as_bytes(), record.to_string().as_bytes());
            }
            Change::TokenRevoked { name } => batch.tokens.remove(name.as_bytes()),
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
            let current = self.user(name)?;
            batch.users.insert(name.to_owned(), current);
        }
        Ok(batch.users.get_mut(name).expect("just staged"))
    }

    /// Every account, by name.
    pub fn users(&self) -> Result<Vec<User>, CatalogError> {
        self.users
            .iter()
            .values()
            .map(|v| serde_json::from_slice(&v?).map_err(CatalogError::encode))
            .collect()
    }

    /// One account by its sign-in name.
    pub fn user(&self, name: &str) -> Result<Option<User>, CatalogError> {
        self.users
            .get(name.as_bytes())?
            .map(|v| serde_json::from_slice(&v).map_err(CatalogError::encode))
            .transpose()
    }

    /// Whether anyone has an account yet (an empty library offers a set-up link).
    pub fn has_users(&self) -> bool {
        !self.users.is_empty()
    }

    /// Stores a session under `key` (the hash of its id).
    pub fn save_session(
        &self,
        key: &[u8; 32],
        session: &SessionRecord,
    ) -> Result<(), CatalogError> {
        let bytes = serde_json::to_vec(session).map_err(CatalogError::encode)?;
        if let Some(c) = self.shared() {
            return shared::put(c, Table::Sessions, key, bytes);
        }
        self.sessions.insert(key, bytes)?;
        self.sessions.flush()?;
        Ok(())
    }

    /// The session stored under `key`, if any (expiry is the caller's to judge).
    pub fn session(&self, key: &[u8; 32]) -> Result<Option<SessionRecord>, CatalogError> {
        let bytes = match self.shared() {
            Some(c) => shared::get(c, Table::Sessions, key)?,
            None => self.sessions.get(key)?.map(|v| v.to_vec()),
        };
        bytes
            .map(|v| serde_json::from_slice(&v).map_err(CatalogError::encode))
            .transpose()
    }

    /// Ends the session under `key`.
    pub fn end_session(&self, key: &[u8; 32]) -> Result<(), CatalogError> {
        if let Some(c) = self.shared() {
            return shared::remove(c, Table::Sessions, vec![key.to_vec()]);
        }
        self.sessions.remove(key)?;
        self.sessions.flush()?;
        Ok(())
    }

    /// Ends every session of `user`, and every session expired by `now_secs`.
    pub fn end_sessions_of(&self, user: &str, now_secs: u64) -> Result<usize, CatalogError> {
        let stale = |v: &[u8]| {
            serde_json::from_slice::<SessionRecord>(v)
                .map_or(true, |s| s.user == user || s.expires <= now_secs)
        };
        if let Some(c) = self.shared() {
            let keys: Vec<Vec<u8>> = shared::all(c, Table::Sessions)?
                .into_iter()
                .filter(|(_, v)| stale(v))
                .map(|(k, _)| k)
                .collect();
            let ended = keys.len();
            shared::remove(c, Table::Sessions, keys)?;
            return Ok(ended);
        }
        let mut ended = 0;
        for kv in self.sessions.iter() {
            let (k, v) = kv?;
            if stale(&v) {
                self.sessions.remove(k)?;
                ended += 1;
            }
        }
        self.sessions.flush()?;
        Ok(ended)
    }
}
