use serde::{Deserialize, Serialize};

use super::Role;

/// A person's account. The password is kept only as its argon2id hash (a PHC string); the
/// name is the sign-in name and what the journal records as the actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    pub role: Role,
    pub password_hash: String,
    #[serde(default)]
    pub disabled: bool,
    pub created_at: String,
}

impl User {
    /// The credit line a designer's uploads default to: "Name / Organisation".
    pub fn credit(&self) -> String {
        match &self.organisation {
            Some(org) => format!("{} / {org}", self.display_name),
            None => self.display_name.clone(),
        }
    }
}

/// A change to an account: `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

impl UserPatch {
    pub fn apply(&self, user: &mut User) {
        if let Some(v) = &self.display_name {
            user.display_name = v.clone();
        }
        if let Some(v) = &self.organisation {
            user.organisation = v.clone();
        }
        if let Some(v) = self.role {
            user.role = v;
        }
        if let Some(v) = &self.password_hash {
            user.password_hash = v.clone();
        }
        if let Some(v) = self.disabled {
            user.disabled = v;
        }
    }
}
