//! The approval workflow and metadata edits: draft → in_review → approved → archived, and
//! in_review → rejected (with a reason) → draft. Approval is refused while guideline violations
//! remain, unless a brand manager overrides them in writing; every step goes to the journal
//! with its actor, time, from, to and reason.

use std::io::Read;

use crate::brand::{compliance, Brand};
use crate::catalog::{Catalog, CatalogError, Change, Patch};
use crate::model::{
    Actor, Asset, AssetId, ErrorKind, Kind, MediaType, Rule, Status, Version, VersionState,
    Violation,
};
use crate::store::{BlobStore, Hash};

/// What comes with a workflow step besides its action.
#[derive(Debug, Clone, Copy, Default)]
pub struct Step<'a> {
    /// Why; required to reject.
    pub reason: Option<&'a str>,
    /// A reviewer's written justification for approving despite violations (journaled).
    pub justification: Option<&'a str>,
    /// Who may see the asset once approved, chosen on the review form: applied in the same
    /// commit as the step, so a refused step changes nothing.
    pub access: Option<crate::model::Access>,
}

/// A workflow step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Submit,
    Approve,
    Reject,
    Archive,
    Reopen,
}

/// Rule codes joined by `sep`, as messages and addresses carry them.
pub fn codes(rules: &[Rule], sep: &str) -> String {
    rules.iter().map(|r| r.code()).collect::<Vec<_>>().join(sep)
}

#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error("cannot {action:?} an asset that is {from}")]
    InvalidTransition { action: Action, from: Status },
    #[error("approval refused: the asset breaks the guidelines ({}); fix it, or override with a written justification", codes(rules, ", "))]
    GuidelineViolation { rules: Vec<Rule> },
    #[error("a reason is required to {0:?}")]
    ReasonRequired(Action),
    #[error("{role:?} may not {what}")]
    Forbidden {
        role: crate::model::Role,
        what: String,
    },
    #[error("only its brand managers may edit a picture once it is {0}; its owner may while it is a draft or rejected")]
    NotEditable(Status),
    #[error("no check-in spot matches {0:?}")]
    UnknownSpot(String),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

impl WorkflowError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidTransition { .. }
            | Self::GuidelineViolation { .. }
            | Self::NotEditable(_) => ErrorKind::Conflict,
            Self::ReasonRequired(_) | Self::UnknownSpot(_) => ErrorKind::InvalidInput,
            Self::Forbidden { .. } => ErrorKind::Forbidden,
            Self::Catalog(e) => e.kind(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidTransition { .. } => "invalid-transition",
            Self::GuidelineViolation { .. } => "guideline-violation",
            Self::ReasonRequired(_) => "reason-required",
            Self::Forbidden { .. } => "forbidden",
            Self::NotEditable(_) => "not-editable",
            Self::UnknownSpot(_) => "unknown-spot",
            Self::Catalog(e) => e.code(),
        }
    }
}

/// Workflow operations on one library.
pub struct Workflow<'a> {
    pub store: &'a dyn BlobStore,
    pub catalog: &'a Catalog,
    pub brand: &'a Brand,
}

impl Workflow<'_> {
    /// The guideline violations of an asset now (reads an SVG logo's bytes from the store).
    pub fn violations(&self, asset: &Asset, now: &str) -> Vec<Violation> {
        let svg = (asset.kind == Kind::Logo
            && MediaType::from_mime(&asset.media_type) == Some(MediaType::Svg))
        .then(|| {
            let mut bytes = Vec::new();
            self.store
                .open(&Hash::from_bytes(*asset.object_id().as_bytes()))
                .ok()?
                .take(16 << 20)
                .read_to_end(&mut bytes)
                .ok()?;
            Some(bytes)
        })
        .flatten();
        compliance::check_asset(asset, self.brand, svg.as_deref(), now)
    }

    /// The fresh guideline violations, and a `Checked` change if they differ from the
    /// recorded ones.
    pub(crate) fn recheck(&self, asset: &Asset, now: &str) -> (Vec<Violation>, Option<Change>) {
        let fresh = self.violations(asset, now);
        let current: Vec<Violation> = asset
            .violations
            .iter()
            .filter(|v| v.rule.decider() != crate::model::Decider::SpotMatching)
            .cloned()
            .collect();
        let change = (fresh != current).then(|| Change::Checked {
            id: asset.id,
            violations: fresh.clone(),
        });
        (fresh, change)
    }

    pub(crate) fn load(&self, id: &AssetId) -> Result<Asset, WorkflowError> {
        self.catalog
            .asset(id)?
            .ok_or_else(|| CatalogError::NotFound(id.to_hex()).into())
    }

    /// Re-runs the checks on every asset (after the guidelines changed, or as time passes and
    /// rights expire); returns the ids whose violations changed.
    pub fn recheck_all(&self, actor: &Actor, now: &str) -> Result<Vec<AssetId>, WorkflowError> {
        let mut changes = Vec::new();
        for id in self.catalog.ids()? {
            let asset = self.load(&id)?;
            changes.extend(self.recheck(&asset, now).1);
        }
        let ids = changes.iter().map(Change::asset_id).collect();
        self.catalog.commit(now, &actor.name, &changes, &[])?;
        Ok(ids)
    }

    /// Whether `actor` may edit `asset` now: brand managers and admins always; a designer
    /// their own uploads while they are drafts or rejected (a picture in review or published
    /// changes only through its reviewers).
    pub fn may_edit(asset: &Asset, actor: &Actor) -> Result<(), WorkflowError> {
        if !actor.role.edits() {
            return Err(WorkflowError::Forbidden {
                role: actor.role,
                what: "edit assets".into(),
            });
        }
        let own = asset.owner.as_deref() == Some(actor.name.as_str());
        if actor.role.reviews() || (own && matches!(asset.status, Status::Draft | Status::Rejected))
        {
            Ok(())
        } else {
            Err(WorkflowError::NotEditable(asset.status))
        }
    }

    /// A person's choice of check-in spot for `asset` (`None`: no spot), as the journal
    /// records it; never overridden by automatic matching.
    pub fn spot_choice(&self, asset: &Asset, spot: Option<&str>) -> Result<Change, WorkflowError> {
        let chosen = match spot {
            None => None,
            Some(query) => {
                let s = self
                    .brand
                    .gazetteer
                    .find(query)
                    .ok_or_else(|| WorkflowError::UnknownSpot(query.to_owned()))?;
                let distance = asset
                    .gps
                    .map(|g| crate::geo::haversine_m(g.lat, g.lon, s.lat, s.lon));
                Some(crate::geo::spot_match(
                    s,
                    distance,
                    crate::model::SpotRule::Manual,
                ))
            }
        };
        Ok(Change::SpotChosen {
            id: asset.id,
            spot: chosen,
        })
    }

    /// A spot chosen by hand (`None`: no spot) with the checks re-run, in one commit: a spot
    /// far from the picture's GPS is flagged at once.
    pub fn choose_spot(
        &self,
        id: &AssetId,
        spot: Option<&str>,
        actor: &str,
        now: &str,
    ) -> Result<Asset, WorkflowError> {
        let asset = self.load(id)?;
        let choice = self.spot_choice(&asset, spot)?;
        let after = crate::catalog::apply(Some(asset.clone()), &choice).unwrap_or(asset);
        let mut changes = vec![choice];
        changes.extend(self.recheck(&after, now).1);
        self.catalog.commit(now, actor, &changes, &[])?;
        self.load(id)
    }

    /// The changes that edit `before` with `patch` (and, if given, a spot chosen by hand):
    /// the edit, a rejected asset's return to draft, and the re-run checks.
    fn edit_changes(
        &self,
        before: Asset,
        patch: Patch,
        spot: Option<Option<&str>>,
        actor: &Actor,
        now: &str,
    ) -> Result<Vec<Change>, WorkflowError> {
        Self::may_edit(&before, actor)?;
        let id = before.id;
        // A new version waiting in review carries the picture's words: an edit to the
        // picture reaches it too, so approving it never brings older words back.
        let waiting = match before.waiting_version().and_then(|v| v.object()) {
            Some(record) if record != id => {
                let record = self.load(&record)?;
                self.edit_changes(record, patch.clone(), spot, actor, now)?
            }
            _ => Vec::new(),
        };
        let mut changes = vec![Change::Edited { id, patch }];
        if let Some(spot) = spot {
            let current = before.spot.as_ref().map(|s| s.id.as_str());
            if current != spot {
                changes.push(self.spot_choice(&before, spot)?);
            }
        }
        let mut after = before;
        for change in &changes {
            after = crate::catalog::apply(Some(after.clone()), change).unwrap_or(after);
        }
        if after.status == Status::Rejected {
            let reopen = Change::StatusChanged {
                id,
                from: Status::Rejected,
                to: Status::Draft,
                reason: Some("edited after rejection".into()),
                override_justification: None,
            };
            after = crate::catalog::apply(Some(after.clone()), &reopen).unwrap_or(after);
            changes.push(reopen);
        }
        changes.extend(self.recheck(&after, now).1);
        changes.extend(waiting);
        Ok(changes)
    }

    /// Edits metadata; a rejected asset goes back to draft; checks are re-run.
    pub fn edit(
        &self,
        id: &AssetId,
        patch: Patch,
        actor: &Actor,
        now: &str,
    ) -> Result<Asset, WorkflowError> {
        self.edit_placed(id, patch, None, actor, now)
    }

    /// `edit`, with the spot chosen by hand in the same commit (`Some(None)`: no spot).
    pub fn edit_placed(
        &self,
        id: &AssetId,
        patch: Patch,
        spot: Option<Option<&str>>,
        actor: &Actor,
        now: &str,
    ) -> Result<Asset, WorkflowError> {
        let changes = self.edit_changes(self.load(id)?, patch, spot, actor, now)?;
        self.catalog.commit(now, &actor.name, &changes, &[])?;
        self.load(id)
    }

    /// The violations `asset` would have after this edit, written nowhere: the edit page's
    /// live check, through the very changes `edit_placed` would commit.
    pub fn preview_edit(
        &self,
        asset: Asset,
        patch: Patch,
        spot: Option<Option<&str>>,
        actor: &Actor,
        now: &str,
    ) -> Result<Vec<Violation>, WorkflowError> {
        let changes = self.edit_changes(asset.clone(), patch, spot, actor, now)?;
        let id = Some(asset.id);
        let own = changes.iter().filter(|c| c.asset() == id);
        let after = own.fold(asset, |a, change| {
            crate::catalog::apply(Some(a.clone()), change).unwrap_or(a)
        });
        Ok(after.violations)
    }

    /// The same edit on many assets, in one commit: if any of them may not be edited by
    /// `actor`, none is.
    pub fn edit_many(
        &self,
        ids: &[AssetId],
        patch: &Patch,
        actor: &Actor,
        now: &str,
    ) -> Result<(), WorkflowError> {
        let mut changes = Vec::new();
        for id in ids {
            changes.extend(self.edit_changes(self.load(id)?, patch.clone(), None, actor, now)?);
        }
        self.catalog.commit(now, &actor.name, &changes, &[])?;
        Ok(())
    }

    /// One workflow step, all or nothing: the checks run on the asset as it would be after
    /// the step's own edit (`step.access`), and nothing is committed unless the whole step is
    /// allowed. `reason` is required to reject; `justification` lets a reviewer approve despite
    /// violations (it is journaled).
    pub fn transition(
        &self,
        id: &AssetId,
        action: Action,
        actor: &Actor,
        step: Step<'_>,
        now: &str,
    ) -> Result<Asset, WorkflowError> {
        let changes = self.transition_changes(self.load(id)?, action, actor, step, now)?;
        self.catalog.commit(now, &actor.name, &changes, &[])?;
        self.load(id)
    }

    /// The same step for many assets (a reviewer's batch), in one commit: if any of them is
    /// refused, none is taken, and the error names the first refused asset.
    pub fn transition_many(
        &self,
        ids: &[AssetId],
        action: Action,
        actor: &Actor,
        step: Step<'_>,
        now: &str,
    ) -> Result<(), (AssetId, WorkflowError)> {
        let mut changes = Vec::new();
        for id in ids {
            let asset = self.load(id).map_err(|e| (*id, e))?;
            changes.extend(
                self.transition_changes(asset, action, actor, step, now)
                    .map_err(|e| (*id, e))?,
            );
        }
        let first = ids.first().copied().unwrap_or(AssetId::from_bytes([0; 32]));
        self.catalog
            .commit(now, &actor.name, &changes, &[])
            .map_err(|e| (first, e.into()))
    }

    /// The changes of one step on `asset`, or why it is refused (nothing is written here).
    fn transition_changes(
        &self,
        mut asset: Asset,
        action: Action,
        actor: &Actor,
        step: Step<'_>,
        now: &str,
    ) -> Result<Vec<Change>, WorkflowError> {
        let id = &asset.id.clone();
        let from = asset.status;
        let to = match (action, from) {
            (Action::Submit, Status::Draft) => Status::InReview,
            (Action::Approve, Status::InReview) => Status::Approved,
            (Action::Reject, Status::InReview) => Status::Rejected,
            (Action::Archive, Status::Approved) => Status::Archived,
            (Action::Reopen, Status::Rejected) => Status::Draft,
            _ => return Err(WorkflowError::InvalidTransition { action, from }),
        };
        let needs_review_role =
            matches!(action, Action::Approve | Action::Reject | Action::Archive)
                || step.access.is_some();
        if (needs_review_role && !actor.role.reviews()) || !actor.role.edits() {
            return Err(WorkflowError::Forbidden {
                role: actor.role,
                what: format!("{action:?} assets").to_lowercase(),
            });
        }
        // A reason of only blanks or control characters is no reason.
        let reason = step
            .reason
            .map(str::trim)
            .filter(|r| r.chars().any(|c| !c.is_whitespace() && !c.is_control()));
        if action == Action::Reject && reason.is_none() {
            return Err(WorkflowError::ReasonRequired(action));
        }
        let mut changes = Vec::new();
        if let Some(access) = step.access.filter(|a| *a != asset.access) {
            let edit = Change::Edited {
                id: *id,
                patch: Patch {
                    access: Some(access),
                    ..Default::default()
                },
            };
            asset = crate::catalog::apply(Some(asset.clone()), &edit).unwrap_or(asset);
            changes.push(edit);
        }
        let (violations, checked) = self.recheck(&asset, now);
        changes.extend(checked);
        let justification = step.justification.map(str::trim).filter(|j| !j.is_empty());
        if action == Action::Approve {
            let mut rules: Vec<Rule> = asset
                .violations
                .iter()
                .filter(|v| v.rule.decider() == crate::model::Decider::SpotMatching)
                .chain(&violations)
                .map(|v| v.rule)
                .collect();
            rules.sort_by_key(|r| r.code());
            rules.dedup();
            if !rules.is_empty() && justification.is_none() {
                return Err(WorkflowError::GuidelineViolation { rules });
            }
        }
        let mut status = Change::StatusChanged {
            id: *id,
            from,
            to,
            reason: reason.map(str::to_owned),
            override_justification: if action == Action::Approve {
                justification.map(str::to_owned)
            } else {
                None
            },
        };
        match asset.version_of {
            Some(of) if matches!(action, Action::Approve | Action::Reject) => {
                let decided = self.version_decided(&asset, of, &mut status, now)?;
                changes.push(status);
                changes.extend(decided);
            }
            _ => changes.push(status),
        }
        Ok(changes)
    }

    /// A new version of a published picture decided: approved, it becomes the picture's
    /// current file and its own record is archived (it is not a second picture); rejected,
    /// the picture's list says so. `status` is the step on the version's own record.
    fn version_decided(
        &self,
        waiting: &Asset,
        of: AssetId,
        status: &mut Change,
        now: &str,
    ) -> Result<Vec<Change>, WorkflowError> {
        let asset = self.load(&of)?;
        let hash = waiting.object_id().to_hex();
        let listed = asset
            .versions
            .iter()
            .find(|v| v.hash == hash)
            .cloned()
            .unwrap_or_else(|| crate::model::Version::of(waiting, VersionState::InReview));
        if let Change::StatusChanged { to, reason, .. } = status {
            if *to == Status::Rejected {
                let version = Version {
                    state: VersionState::Rejected,
                    reason: reason.clone().or(listed.reason.clone()),
                    ..listed
                };
                return Ok(vec![Change::VersionNoted { id: of, version }]);
            }
            *to = Status::Archived;
            *reason = Some(format!("made the current version of {of}"));
        }
        let version = Version {
            state: VersionState::Current,
            ..listed
        };
        // What the reviewer saw on the new version (its words, audience, chosen spot) is
        // what the picture publishes from now on.
        let mut changes = Vec::new();
        let mut asset = asset;
        let patch = Patch::between(&asset, waiting);
        if !patch.is_empty() {
            changes.push(Change::Edited { id: of, patch });
        }
        if waiting.spot_locked && waiting.spot != asset.spot {
            changes.push(Change::SpotChosen {
                id: of,
                spot: waiting.spot.clone(),
            });
        }
        for change in &changes {
            asset = crate::catalog::apply(Some(asset.clone()), change).unwrap_or(asset);
        }
        changes.extend(self.adoption(asset, waiting.clone(), version, now));
        Ok(changes)
    }
}
