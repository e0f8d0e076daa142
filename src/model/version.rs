//! Versions of an asset's file: a picture replaced by a better one keeps its id, words,
//! history, collections and links. The file of each version stays in the store (gc keeps
//! every version's bytes unless told otherwise); the asset record lists them, newest first.
//! A new version of a published picture waits in review as a record of its own
//! (`Asset::version_of`) while the approved one stays live; approving it makes it current.

use serde::{Deserialize, Serialize};

use super::{Asset, AssetId};

/// Where a version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    /// The file the asset serves now.
    Current,
    /// Uploaded for a published picture, waiting for review; the current one stays live.
    InReview,
    /// A reviewer turned it down; the current one stayed.
    Rejected,
    /// Served before; can be made current again.
    Earlier,
}

/// One version of an asset's file, as listed on the asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Version {
    /// BLAKE3 of the file's bytes (hex): its name in the store.
    pub hash: String,
    pub bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub media_type: String,
    /// The file's name as uploaded.
    pub name: String,
    pub created_at: String,
    /// Who uploaded it (an account's name or a token's).
    pub created_by: String,
    /// Why it was uploaded, as its uploader said ("a larger original").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub state: VersionState,
}

impl Version {
    /// The version an asset's own fields describe: its file now.
    pub fn of(asset: &Asset, state: VersionState) -> Self {
        Version {
            hash: asset.object_id().to_hex(),
            bytes: asset.bytes,
            width: asset.width,
            height: asset.height,
            media_type: asset.media_type.clone(),
            name: asset.display_name().to_owned(),
            created_at: asset.ingested_at.clone(),
            created_by: asset.owner.clone().unwrap_or_default(),
            reason: None,
            state,
        }
    }

    /// The object it names.
    pub fn object(&self) -> Option<AssetId> {
        self.hash.parse().ok()
    }
}

/// Records `version` in `asset`'s list, newest first: the first time, the asset's file until
/// now becomes the first entry; an entry for the same bytes is replaced (a version in review
/// approved or rejected). Becoming current turns the current one into an earlier one.
pub fn note(asset: &mut Asset, version: &Version) {
    if asset.versions.is_empty() {
        asset
            .versions
            .push(Version::of(asset, VersionState::Current));
    }
    if version.state == VersionState::Current {
        for v in &mut asset.versions {
            if v.state == VersionState::Current {
                v.state = VersionState::Earlier;
            }
        }
    }
    match asset.versions.iter().position(|v| v.hash == version.hash) {
        // An earlier version made current again keeps its place and first upload.
        Some(i)
            if version.state == VersionState::Current
                && asset.versions[i].state == VersionState::Earlier =>
        {
            asset.versions[i].state = VersionState::Current;
        }
        Some(i) => asset.versions[i] = version.clone(),
        None => asset.versions.insert(0, version.clone()),
    }
}

/// Makes `file` (a record probed from the new bytes) the asset's file: size, type, camera
/// metadata, GPS and renditions come from it; the words, tags, status, history, collections
/// and links stay. The spot follows the new GPS unless a person chose it, or the new file has
/// no GPS (then the old placement stands).
pub fn adopt(asset: &mut Asset, file: &Asset, version: &Version) {
    note(asset, version);
    asset.source = Some(file.object_id()).filter(|o| *o != asset.id);
    asset.media_type.clone_from(&file.media_type);
    asset.bytes = file.bytes;
    asset.width = file.width;
    asset.height = file.height;
    asset.duration_s = file.duration_s;
    asset.video.clone_from(&file.video);
    asset.captured_at.clone_from(&file.captured_at);
    asset.exif.clone_from(&file.exif);
    asset.warnings.clone_from(&file.warnings);
    if file.gps.is_some() {
        asset.gps = file.gps;
        if !asset.spot_locked {
            asset.spot.clone_from(&file.spot);
        }
    }
    for name in &file.names {
        if !asset.names.contains(name) {
            asset.names.push(name.clone());
        }
    }
    asset.renditions.clone_from(&file.renditions);
    asset
        .rendition_failures
        .clone_from(&file.rendition_failures);
}
