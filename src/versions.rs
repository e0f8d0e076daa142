//! New versions of an asset's file, as a workflow step. A draft, rejected or in-review picture
//! takes the new file at once (a rejected one goes back to review: the new file is the answer
//! to the rejection). A published picture keeps serving its approved file: the new one waits
//! in review as a record of its own (`version_of`), carrying the asset's words; approving it
//! makes it the asset's current file, rejecting it leaves the asset as it was. Every step is
//! one commit.

use crate::catalog::{CatalogError, Change};
use crate::model::{Actor, Asset, AssetId, ErrorKind, Status, Version, VersionState};
use crate::workflow::{Workflow, WorkflowError};

#[derive(Debug, thiserror::Error)]
pub enum VersionError {
    #[error("this file is already the picture's current version")]
    Same,
    #[error("this file is already in the library as another picture")]
    Catalogued,
    #[error("a new version is already waiting for review: approve or reject it first")]
    Waiting,
    #[error("no such version of this picture")]
    NoSuchVersion,
    #[error("this version's file was removed (`gc --drop-earlier-versions`)")]
    Gone,
    #[error("{message}")]
    Refused {
        kind: ErrorKind,
        code: String,
        message: String,
    },
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}

impl From<CatalogError> for VersionError {
    fn from(e: CatalogError) -> Self {
        Self::Workflow(e.into())
    }
}

impl VersionError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Same | Self::Catalogued | Self::Waiting => ErrorKind::Conflict,
            Self::NoSuchVersion => ErrorKind::NotFound,
            Self::Gone => ErrorKind::Gone,
            Self::Refused { kind, .. } => *kind,
            Self::Workflow(e) => e.kind(),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Self::Same => "same-version",
            Self::Catalogued => "already-catalogued",
            Self::Waiting => "version-waiting",
            Self::NoSuchVersion => "version-not-found",
            Self::Gone => "version-gone",
            Self::Refused { code, .. } => code,
            Self::Workflow(e) => e.code(),
        }
    }
}

/// Who may give a picture a new version: its reviewers, and a designer their own uploads.
pub fn may_replace(asset: &Asset, actor: &Actor) -> Result<(), WorkflowError> {
    let own = asset.owner.as_deref() == Some(actor.name.as_str());
    if actor.role.edits() && (actor.role.reviews() || own) {
        Ok(())
    } else {
        Err(WorkflowError::Forbidden {
            role: actor.role,
            what: "give this picture a new version".into(),
        })
    }
}

/// The entry a new file gets in the list.
fn entry(
    file: &Asset,
    actor: &Actor,
    reason: Option<&str>,
    now: &str,
    state: VersionState,
) -> Version {
    Version {
        created_at: now.to_owned(),
        created_by: actor.name.clone(),
        reason: reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
        ..Version::of(file, state)
    }
}

impl Workflow<'_> {
    /// Gives `id` a new file (`file`: the record probed from it, not committed). Returns the
    /// record whose renditions are now wanted: the asset, or the new version waiting in review.
    pub fn add_version(
        &self,
        id: &AssetId,
        file: Asset,
        actor: &Actor,
        reason: Option<&str>,
        now: &str,
    ) -> Result<AssetId, VersionError> {
        let asset = self.load(id)?;
        may_replace(&asset, actor)?;
        if file.object_id() == asset.object_id() {
            return Err(VersionError::Same);
        }
        // Bytes already catalogued are another picture (or, the first file of this one, an
        // earlier version to restore).
        if self.catalog.contains(&file.id)? {
            return Err(VersionError::Catalogued);
        }
        let changes = if asset.status == Status::Approved {
            if asset.waiting_version().is_some() {
                return Err(VersionError::Waiting);
            }
            let waiting = self.waiting_record(&asset, file, actor, now);
            let version = entry(&waiting, actor, reason, now, VersionState::InReview);
            vec![
                Change::Ingested {
                    asset: Box::new(waiting),
                },
                Change::VersionNoted { id: *id, version },
            ]
        } else {
            let version = entry(&file, actor, reason, now, VersionState::Current);
            self.adoption(asset, file, version, now)
        };
        let renders = match &changes[0] {
            Change::Ingested { asset } => asset.id,
            _ => *id,
        };
        self.catalog.commit(now, &actor.name, &changes, &[])?;
        Ok(renders)
    }

    /// Makes an earlier version current again (reviewers only): its file is probed again
    /// from the store by the caller and given here as `file`.
    pub fn restore_version(
        &self,
        id: &AssetId,
        file: Asset,
        actor: &Actor,
        now: &str,
    ) -> Result<(), VersionError> {
        let asset = self.load(id)?;
        if !actor.role.reviews() {
            return Err(WorkflowError::Forbidden {
                role: actor.role,
                what: "restore versions".into(),
            }
            .into());
        }
        let hash = file.object_id().to_hex();
        let earlier = asset
            .versions
            .iter()
            .find(|v| v.hash == hash && v.state == VersionState::Earlier)
            .cloned()
            .ok_or(VersionError::NoSuchVersion)?;
        let version = Version {
            state: VersionState::Current,
            ..earlier
        };
        let changes = self.adoption(asset, file, version, now);
        self.catalog.commit(now, &actor.name, &changes, &[])?;
        Ok(())
    }

    /// The new file of a published picture as a record waiting in review: the asset's words,
    /// tags, audience, window and chosen spot, owned by whoever uploaded it.
    fn waiting_record(&self, asset: &Asset, file: Asset, actor: &Actor, now: &str) -> Asset {
        let mut waiting = Asset {
            kind: asset.kind,
            status: Status::InReview,
            access: asset.access,
            caption: asset.caption.clone(),
            title: asset.title.clone(),
            credit: asset.credit.clone(),
            copyright: asset.copyright.clone(),
            license: asset.license.clone(),
            location: asset.location.clone().or(file.location.clone()),
            edited: asset.edited.clone(),
            expires_at: asset.expires_at.clone(),
            available_from: asset.available_from.clone(),
            consent: asset.consent,
            owner: Some(actor.name.clone()),
            tags: asset.tags.clone(),
            focus: asset.focus,
            version_of: Some(asset.id),
            ..file
        };
        if asset.spot_locked {
            waiting.spot.clone_from(&asset.spot);
            waiting.spot_locked = true;
        }
        let (fresh, _) = self.recheck(&waiting, now);
        waiting
            .violations
            .retain(|v| v.rule.decider() == crate::model::Decider::SpotMatching);
        waiting.violations.extend(fresh);
        waiting
    }

    /// The changes that make `file` the current version of `asset`, with its checks re-run; a
    /// rejected picture goes back to review with its new file.
    pub(crate) fn adoption(
        &self,
        asset: Asset,
        file: Asset,
        version: Version,
        now: &str,
    ) -> Vec<Change> {
        let id = asset.id;
        let from = asset.status;
        let adopt = Change::VersionAdopted {
            id,
            file: Box::new(file),
            version,
        };
        let after = crate::catalog::apply(Some(asset.clone()), &adopt).unwrap_or(asset);
        let mut changes = vec![adopt];
        changes.extend(self.recheck(&after, now).1);
        if from == Status::Rejected {
            changes.push(Change::StatusChanged {
                id,
                from,
                to: Status::InReview,
                reason: Some("new version".into()),
                override_justification: None,
            });
        }
        changes
    }
}
