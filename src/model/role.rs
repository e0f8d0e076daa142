use serde::{Deserialize, Serialize};

/// What a user may do. The local operator of the CLI acts as `Admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
