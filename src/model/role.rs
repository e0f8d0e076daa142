use serde::{Deserialize, Serialize};

/// What a user may do. The local operator of the CLI acts as `Admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    BrandManager,
    Designer,
    Press,
    Agency,
}

impl Role {
    /// Brand managers and admins review: approve, reject, archive, override.
    pub fn reviews(&self) -> bool {
        matches!(self, Self::Admin | Self::BrandManager)
    }

    /// Designers, brand managers and admins add and edit assets.
    pub fn edits(&self) -> bool {
        matches!(self, Self::Admin | Self::BrandManager | Self::Designer)
    }
}

/// Who did something, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

/// Who is looking, and when: decides what exists for them. What a viewer may not see answers
/// 404 everywhere, exactly as if it did not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// None for the public (no token).
    pub actor: Option<Actor>,
    /// RFC 3339, UTC.
    pub now: String,
}

impl Viewer {
    /// True when everything this viewer may see is published, hence approved: listings can
    /// then walk the `approved` index instead of every record.
    pub fn sees_only_published(&self) -> bool {
        self.actor
            .as_ref()
            .is_none_or(|a| matches!(a.role, Role::Press | Role::Agency))
    }

    /// The public sees published public assets; press and agencies also published press-only
    /// ones; designers also their own uploads; brand managers and admins everything.
    pub fn can_see(&self, asset: &super::Asset) -> bool {
        self.may_see(&Visibility::of(asset))
    }

    /// `can_see`, from the few fields that decide it (what the catalogue keeps apart, so a
    /// hidden asset is refused without reading its record).
    pub fn may_see(&self, v: &Visibility<'_>) -> bool {
        use super::Access;
        let published = v.is_published(&self.now);
        match &self.actor {
            None => published && v.access == Access::Public,
            Some(a) => match a.role {
                Role::Admin | Role::BrandManager => true,
                Role::Press | Role::Agency => {
                    published && matches!(v.access, Access::Public | Access::Press)
                }
                Role::Designer => {
                    (published && matches!(v.access, Access::Public | Access::Press))
                        || v.owner.as_deref() == Some(a.name.as_str())
                }
            },
        }
    }
}

/// What decides who may see an asset: its status, audience, owner and publication window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visibility<'a> {
    pub status: super::Status,
    pub access: super::Access,
    #[serde(borrow)]
    pub owner: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    pub available_from: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    pub expires_at: Option<std::borrow::Cow<'a, str>>,
}

impl<'a> Visibility<'a> {
    pub fn of(asset: &'a super::Asset) -> Self {
        Self {
            status: asset.status,
            access: asset.access,
            owner: asset.owner.as_deref().map(Into::into),
            available_from: asset.available_from.as_deref().map(Into::into),
            expires_at: asset.expires_at.as_deref().map(Into::into),
        }
    }

    /// Approved, past any embargo, not expired (times are RFC 3339 UTC, comparable as text).
    pub fn is_published(&self, now: &str) -> bool {
        self.status == super::Status::Approved
            && self.available_from.as_deref().is_none_or(|t| t <= now)
            && self.expires_at.as_deref().is_none_or(|t| t > now)
    }
}
