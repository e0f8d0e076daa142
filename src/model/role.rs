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
        use super::Access;
        let published = asset.is_published(&self.now);
        match &self.actor {
            None => published && asset.access == Access::Public,
            Some(a) => match a.role {
                Role::Admin | Role::BrandManager => true,
                Role::Press | Role::Agency => {
                    published && matches!(asset.access, Access::Public | Access::Press)
                }
                Role::Designer => {
                    (published && matches!(asset.access, Access::Public | Access::Press))
                        || asset.owner.as_deref() == Some(a.name.as_str())
                }
            },
        }
    }
}
