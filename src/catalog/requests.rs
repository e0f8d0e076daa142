//! Requests left for a running service by another process. sled admits one process, so while
//! `serve` holds the catalogue, `brandvault token revoke` cannot commit; it leaves a request
//! file in `requests/` instead, and the service applies it before it authorises the next
//! request (a listing of a folder that is almost always empty: a few microseconds per
//! authenticated request). A revocation is thus effective at once, and journaled as usual.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Catalog, CatalogError, Change};

pub(super) const REQUESTS_DIR: &str = "requests";

#[derive(serde::Serialize, serde::Deserialize)]
struct RevokeRequest {
    revoke_token: String,
}

/// Leaves a request to revoke the token `name` for the process holding the catalogue in `dir`.
/// Written whole (temp file, fsync, rename, fsync of the folder) or not at all.
pub fn request_revocation(dir: &Path, name: &str) -> Result<PathBuf, CatalogError> {
    let folder = dir.join(REQUESTS_DIR);
    fs::create_dir_all(&folder).map_err(CatalogError::io(&folder))?;
    let file = folder.join(format!(
        "revoke-{}.json",
        blake3::hash(name.as_bytes()).to_hex()
    ));
    let tmp = folder.join(format!(".{}.tmp", std::process::id()));
    let body = serde_json::to_vec(&RevokeRequest {
        revoke_token: name.to_owned(),
    })
    .map_err(CatalogError::encode)?;
    let written = fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(&body).and_then(|()| f.sync_all()))
        .and_then(|()| fs::rename(&tmp, &file))
        .and_then(|()| fs::File::open(&folder).and_then(|d| d.sync_all()));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(CatalogError::io(&file)(e));
    }
    Ok(file)
}

impl Catalog {
    /// Applies the requests other processes left (token revocations). Returns the names of
    /// the tokens revoked now. A request is removed only once its commit stands, so one that
    /// could not be applied (a full disk) is tried again at the next call.
    pub fn apply_requests(&self, at: &str) -> Result<Vec<String>, CatalogError> {
        let folder = self.dir.join(REQUESTS_DIR);
        let mut files: Vec<PathBuf> = match fs::read_dir(&folder) {
            Ok(entries) => entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(CatalogError::io(&folder)(e)),
        };
        if files.is_empty() {
            return Ok(Vec::new());
        }
        files.sort();
        let live = self.tokens()?;
        let mut revoked = Vec::new();
        for file in &files {
            let request: Option<RevokeRequest> = fs::read(file)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            if let Some(r) = request {
                if live.iter().any(|t| t.name == r.revoke_token)
                    && !revoked.contains(&r.revoke_token)
                {
                    revoked.push(r.revoke_token);
                }
            }
        }
        let changes: Vec<Change> = revoked
            .iter()
            .map(|name| Change::TokenRevoked { name: name.clone() })
            .collect();
        self.commit(at, "cli", &changes, &[])?;
        for file in &files {
            let _ = fs::remove_file(file);
        }
        if !revoked.is_empty() {
            tracing::info!(
                "revoked tokens at another process's request: {}",
                revoked.join(", ")
            );
        }
        Ok(revoked)
    }
}
