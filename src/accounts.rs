//! People's accounts: made, changed and disabled through the journal, passwords kept as
//! argon2id hashes (OWASP's parameters: 19 MiB, 2 passes). Signing in takes the same time
//! whether the name exists or not, so the answer never tells who has an account.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::catalog::{Catalog, CatalogError, Change};
use crate::model::{text, Actor, ErrorKind, Role, User, UserPatch};

/// Shortest password accepted (NIST SP 800-63B's minimum); longer ones are encouraged.
pub const MIN_PASSWORD: usize = 8;
const MAX_PASSWORD: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("a sign-in name is 2 to 32 lowercase letters, digits, '.', '-' or '_': {0:?}")]
    InvalidName(String),
    #[error("the name {0:?} is taken")]
    NameTaken(String),
    #[error("a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")]
    WeakPassword,
    #[error("a display name cannot be empty")]
    EmptyDisplayName,
    #[error("no account is named {0:?}")]
    Unknown(String),
    #[error("{0:?} may not manage accounts")]
    Forbidden(Role),
    #[error("the last active admin cannot be disabled or lose the admin role")]
    LastAdmin,
    #[error("a token needs a new, non-empty name: {0:?}")]
    TokenName(String),
    #[error("unknown role {0:?}: admin, brand_manager, designer, press or agency")]
    UnknownRole(String),
    #[error("the password could not be hashed: {0}")]
    Hash(String),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

impl AccountError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidName(_) | Self::WeakPassword | Self::EmptyDisplayName => {
                ErrorKind::InvalidInput
            }
            Self::TokenName(_) => ErrorKind::Conflict,
            Self::UnknownRole(_) => ErrorKind::InvalidInput,
            Self::NameTaken(_) | Self::LastAdmin => ErrorKind::Conflict,
            Self::Unknown(_) => ErrorKind::NotFound,
            Self::Forbidden(_) => ErrorKind::Forbidden,
            Self::Hash(_) => ErrorKind::Internal,
            Self::Catalog(e) => e.kind(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidName(_) => "invalid-name",
            Self::NameTaken(_) => "name-taken",
            Self::WeakPassword => "weak-password",
            Self::EmptyDisplayName => "empty-display-name",
            Self::Unknown(_) => "not-found",
            Self::Forbidden(_) => "forbidden",
            Self::LastAdmin => "last-admin",
            Self::TokenName(_) => "token-name",
            Self::UnknownRole(_) => "unknown-role",
            Self::Hash(_) => "internal",
            Self::Catalog(e) => e.code(),
        }
    }
}

/// 256 random bits, hex: tokens, session ids, CSRF tokens, set-up links.
pub fn random_hex() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(blake3::Hash::from_bytes(bytes).to_hex().to_string())
}

/// A new random API token and the hash to store.
pub fn new_token() -> Result<(String, String), getrandom::Error> {
    let token = format!("bv_{}", random_hex()?);
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// What the catalogue stores of a token.
pub fn token_hash(token: &str) -> String {
    blake3::hash(token.trim().as_bytes()).to_hex().to_string()
}

/// What a new account needs.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub name: &'a str,
    pub display_name: Option<&'a str>,
    pub organisation: Option<&'a str>,
    pub role: Role,
    pub password: &'a str,
}

/// The argon2id hash (PHC string) of a password, with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash no password matches, verified for unknown names so they take as long as known ones.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy: no account has this").unwrap_or_default())
}

fn check_name(name: &str) -> Result<(), AccountError> {
    let ok = (2..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(AccountError::InvalidName(name.to_owned()))
    }
}

/// Whether `password` is long enough and not too long.
pub fn check_password(password: &str) -> Result<(), AccountError> {
    if (MIN_PASSWORD..=MAX_PASSWORD).contains(&password.chars().count()) {
        Ok(())
    } else {
        Err(AccountError::WeakPassword)
    }
}

/// Trimmed NFC text, `None` when nothing is left.
fn clean(s: Option<&str>) -> Option<String> {
    s.map(|s| text::nfc(s.trim())).filter(|s| !s.is_empty())
}

/// Account operations on one library.
pub struct Accounts<'a> {
    pub catalog: &'a Catalog,
}

impl Accounts<'_> {
    fn require_admin(actor: &Actor) -> Result<(), AccountError> {
        if actor.role == Role::Admin {
            Ok(())
        } else {
            Err(AccountError::Forbidden(actor.role))
        }
    }

    fn existing(&self, name: &str) -> Result<User, AccountError> {
        self.catalog
            .user(name)?
            .ok_or_else(|| AccountError::Unknown(name.to_owned()))
    }

    /// Makes an account (admins only; the CLI acts as an admin).
    pub fn create(
        &self,
        new: &NewUser<'_>,
        actor: &Actor,
        now: &str,
    ) -> Result<User, AccountError> {
        Self::require_admin(actor)?;
        check_name(new.name)?;
        check_password(new.password)?;
        if self.catalog.user(new.name)?.is_some() {
            return Err(AccountError::NameTaken(new.name.to_owned()));
        }
        let user = User {
            name: new.name.to_owned(),
            display_name: clean(new.display_name).unwrap_or_else(|| new.name.to_owned()),
            organisation: clean(new.organisation),
            role: new.role,
            password_hash: hash_password(new.password)?,
            disabled: false,
            created_at: now.to_owned(),
        };
        let change = Change::UserCreated { user: user.clone() };
        self.catalog.commit(now, &actor.name, &[change], &[])?;
        Ok(user)
    }

    /// Changes an account (admins: anything; a person: their own display name and
    /// organisation). A role change or a disabling ends the account's sessions; the last
    /// active admin keeps the role.
    pub fn change(
        &self,
        name: &str,
        mut patch: UserPatch,
        actor: &Actor,
        now: &str,
    ) -> Result<User, AccountError> {
        let own_profile = actor.name == name && patch.role.is_none() && patch.disabled.is_none();
        if !own_profile {
            Self::require_admin(actor)?;
        }
        let mut user = self.existing(name)?;
        if let Some(display) = &patch.display_name {
            patch.display_name = Some(clean(Some(display)).ok_or(AccountError::EmptyDisplayName)?);
        }
        if let Some(org) = &patch.organisation {
            patch.organisation = Some(clean(org.as_deref()));
        }
        patch.password_hash = None; // only through set_password
        let loses_admin = user.role == Role::Admin
            && !user.disabled
            && (patch.disabled == Some(true) || patch.role.is_some_and(|r| r != Role::Admin));
        if loses_admin && self.active_admins()? <= 1 {
            return Err(AccountError::LastAdmin);
        }
        let ends_sessions = patch.disabled == Some(true) || patch.role.is_some();
        patch.apply(&mut user);
        let change = Change::UserChanged {
            name: name.to_owned(),
            patch,
        };
        self.catalog.commit(now, &actor.name, &[change], &[])?;
        if ends_sessions {
            self.catalog.end_sessions_of(name, unix_seconds(now))?;
        }
        Ok(user)
    }

    /// Sets a password (an admin for anyone; a person for themselves, with the current one).
    /// Every session of the account ends: whoever knew the old password is signed out.
    pub fn set_password(
        &self,
        name: &str,
        password: &str,
        actor: &Actor,
        now: &str,
    ) -> Result<(), AccountError> {
        if actor.name != name {
            Self::require_admin(actor)?;
        }
        check_password(password)?;
        self.existing(name)?;
        let change = Change::UserChanged {
            name: name.to_owned(),
            patch: UserPatch {
                password_hash: Some(hash_password(password)?),
                ..Default::default()
            },
        };
        self.catalog.commit(now, &actor.name, &[change], &[])?;
        self.catalog.end_sessions_of(name, unix_seconds(now))?;
        Ok(())
    }

    /// The account `name` if `password` is its password and it is not disabled. Unknown names
    /// cost one argon2 verification too.
    pub fn authenticate(&self, name: &str, password: &str) -> Result<Option<User>, AccountError> {
        let user = self.catalog.user(name.trim())?;
        let hash = user
            .as_ref()
            .map_or(decoy_hash(), |u| u.password_hash.as_str());
        let matches = verify_password(password, hash);
        Ok(user.filter(|u| matches && !u.disabled))
    }

    /// Issues an API token (admins only); returns it, to be shown once.
    pub fn create_token(
        &self,
        name: &str,
        role: Role,
        actor: &Actor,
        now: &str,
    ) -> Result<String, AccountError> {
        Self::require_admin(actor)?;
        let name = text::nfc(name.trim());
        if name.is_empty() || self.catalog.tokens()?.iter().any(|t| t.name == name) {
            return Err(AccountError::TokenName(name));
        }
        let (token, hash) = new_token().map_err(|e| AccountError::Hash(e.to_string()))?;
        let change = Change::TokenCreated { name, role, hash };
        self.catalog.commit(now, &actor.name, &[change], &[])?;
        Ok(token)
    }

    /// Revokes an API token (admins only).
    pub fn revoke_token(&self, name: &str, actor: &Actor, now: &str) -> Result<(), AccountError> {
        Self::require_admin(actor)?;
        if !self.catalog.tokens()?.iter().any(|t| t.name == name) {
            return Err(AccountError::Unknown(name.to_owned()));
        }
        let change = Change::TokenRevoked {
            name: name.to_owned(),
        };
        self.catalog.commit(now, &actor.name, &[change], &[])?;
        Ok(())
    }

    fn active_admins(&self) -> Result<usize, AccountError> {
        Ok(self
            .catalog
            .users()?
            .iter()
            .filter(|u| u.role == Role::Admin && !u.disabled)
            .count())
    }
}

/// Seconds since the Unix epoch of an RFC 3339 time (0 if it cannot be read).
pub fn unix_seconds(rfc3339: &str) -> u64 {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .map(|t| u64::try_from(t.unix_timestamp()).unwrap_or(0))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_against_their_hash_only() {
        let h = hash_password("mật khẩu dài").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("mật khẩu dài", &h));
        assert!(!verify_password("mat khau dai", &h));
        assert!(!verify_password("mật khẩu dài", "not a hash"));
        assert_ne!(h, hash_password("mật khẩu dài").unwrap(), "salted");
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("thu.pham").is_ok());
        assert!(check_name("a").is_err());
        assert!(check_name("Thu").is_err());
        assert!(check_name("thu pham").is_err());
        assert!(check_password("short").is_err());
        assert!(check_password("long enough").is_ok());
    }
}
