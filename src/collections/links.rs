//! Share links as objects their maker manages: a label, an expiry chosen within a year, counts
//! of opens and downloads, and the address shown again at any time. The token is never
//! stored: it is the keyed BLAKE3 of the link's id under a key kept beside the data (not in
//! the catalogue), and only the token's hash is journaled; so a backup of the journal or the
//! tables opens no link, while the owner's page can derive the address again.

use super::{clean_name, random_hex, shareable, CollectionError, Collections, Shared};
use crate::model::collection::{MAX_LABEL, MAX_SHARES, SHARE_DAYS, SHARE_MAX_DAYS};
use crate::model::{Actor, CollectionStep, Share, Viewer};

/// What a person asks of a new link; everything optional.
#[derive(Debug, Clone, Default)]
pub struct NewLink {
    /// Default: the collection's name and today's date.
    pub label: Option<String>,
    /// The last day it works (`YYYY-MM-DD` or `DD/MM/YYYY`, UTC), today up to a year ahead;
    /// none: 30 days from today (a blank date is not a date).
    pub expires: Option<String>,
}

/// What is counted of a link: it is telemetry, kept as counters, not journaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkUse {
    /// Its page was opened.
    Open,
    /// A file or the ZIP was downloaded through it.
    Download,
}

impl LinkUse {
    fn as_str(self) -> &'static str {
        match self {
            Self::Open => "opens",
            Self::Download => "downloads",
        }
    }
}

/// The counter key of one use of one link (never starts with a digit, so it cannot be
/// mistaken for a reach counter, which starts with its day).
fn counter(share: &str, what: LinkUse) -> Vec<u8> {
    format!("share\0{share}\0{}", what.as_str()).into_bytes()
}

/// The token of the link `id` under `key`: 48 hex digits, as links always had.
fn token(key: &[u8; 32], id: &str) -> String {
    let derived = blake3::keyed_hash(key, format!("brandvault share link {id}").as_bytes());
    derived.to_hex()[..48].to_owned()
}

/// The last day a link made at `at` works unless its maker chooses another.
pub fn default_last_day(at: &str) -> Option<String> {
    last_day(None, at).ok()
}

/// The last day a new link works: `asked` checked against today and a year ahead, or the
/// default length.
fn last_day(asked: Option<&str>, at: &str) -> Result<String, CollectionError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let today = time::Date::parse(at.get(..10).unwrap_or_default(), &format)
        .map_err(|_| CollectionError::BadField("the clock is not a date".into()))?;
    let Some(asked) = asked.map(str::trim) else {
        let day = today + time::Duration::days(SHARE_DAYS);
        return Ok(day.format(&format).unwrap_or_default());
    };
    let day = crate::model::parse_date(asked)
        .map_err(|e| CollectionError::BadField(format!("expires_at: {e}")))?;
    let latest = (today + time::Duration::days(SHARE_MAX_DAYS)).format(&format);
    if day.as_str() < at.get(..10).unwrap_or_default() {
        return Err(CollectionError::ExpiryPast(day));
    }
    if latest.is_ok_and(|l| day > l) {
        return Err(CollectionError::ExpiryTooFar(day));
    }
    Ok(day)
}

impl Collections<'_> {
    /// A new share link. Returns it with its token (the address's secret part).
    pub fn share(
        &self,
        actor: &Actor,
        id: &str,
        asked: NewLink,
        at: &str,
    ) -> Result<(Share, String), CollectionError> {
        let current = self.get(actor, id)?;
        if current.shares.len() >= MAX_SHARES {
            return Err(CollectionError::TooManyShares);
        }
        let expires = last_day(asked.expires.as_deref(), at)?;
        // Counted as given, before trimming: what the API's schema promises.
        if asked
            .label
            .as_deref()
            .is_some_and(|l| l.chars().count() > MAX_LABEL)
        {
            return Err(CollectionError::BadField(format!(
                "label: at most {MAX_LABEL} characters"
            )));
        }
        let label = match asked.label.as_deref().map(str::trim) {
            Some(l) if !l.is_empty() => clean_name(l).map_err(|_| {
                CollectionError::BadField(format!(
                    "label: 1 to {MAX_LABEL} characters, no control characters"
                ))
            })?,
            // Read by Vietnamese staff first: the date day first.
            _ => format!("{} · {}", current.name, crate::i18n::Lang::Vi.date(at)),
        };
        let share_id = random_hex(6)?;
        let token = token(self.link_key, &share_id);
        let share = Share {
            id: share_id,
            label: Some(label),
            hash: blake3::hash(token.as_bytes()).to_hex().to_string(),
            expires: Some(expires),
            created_at: at.to_owned(),
            created_by: actor.name.clone(),
        };
        let step = CollectionStep::ShareCreated {
            share: share.clone(),
        };
        self.commit(actor, id, vec![step], at)?;
        Ok((share, token))
    }

    /// The token of a link, to show its address again: none for a link made before tokens
    /// were derived (or under another key), which cannot be shown again.
    pub fn token_of(&self, share: &Share) -> Option<String> {
        let token = token(self.link_key, &share.id);
        (blake3::hash(token.as_bytes()).to_hex().as_str() == share.hash).then_some(token)
    }

    /// Revokes a share link: it answers 404 from now on.
    pub fn revoke(
        &self,
        actor: &Actor,
        id: &str,
        share: &str,
        at: &str,
    ) -> Result<Share, CollectionError> {
        let current = self.get(actor, id)?;
        let revoked = current
            .shares
            .into_iter()
            .find(|s| s.id == share)
            .ok_or(CollectionError::NotFound)?;
        let step = CollectionStep::ShareRevoked {
            share: share.to_owned(),
        };
        self.commit(actor, id, vec![step], at)?;
        Ok(revoked)
    }

    /// Counts a use of a link (telemetry: a failure to count is logged, never an error for
    /// the person using the link).
    pub fn count(&self, share: &Share, what: LinkUse) {
        if let Err(e) = self.catalog.add_counts(vec![(counter(&share.id, what), 1)]) {
            tracing::warn!(share = %share.id, error = %e, "a share link's use was not counted");
        }
    }

    /// How many times each link was opened and downloaded from, in the order given.
    pub fn uses(&self, shares: &[Share]) -> Result<Vec<(u64, u64)>, CollectionError> {
        let keys: Vec<Vec<u8>> = shares
            .iter()
            .flat_map(|s| {
                [
                    counter(&s.id, LinkUse::Open),
                    counter(&s.id, LinkUse::Download),
                ]
            })
            .collect();
        let counts = self.catalog.counts_of(&keys)?;
        Ok(counts.chunks(2).map(|c| (c[0], c[1])).collect())
    }

    /// What the link `token` shows at `now`: 404 (`NotFound`) for an unknown or revoked link
    /// or one whose creator lost their access, 410 (`Expired`) after its last day.
    pub fn open_link(&self, token: &str, now: &str) -> Result<Shared, CollectionError> {
        let well_formed = token.len() == 48 && token.bytes().all(|b| b.is_ascii_hexdigit());
        if !well_formed {
            return Err(CollectionError::NotFound);
        }
        let hash = blake3::hash(token.as_bytes()).to_hex().to_string();
        let collection = self
            .catalog
            .collection_by_link(&hash)?
            .ok_or(CollectionError::NotFound)?;
        let share = collection
            .shares
            .iter()
            .find(|s| s.hash == hash)
            .cloned()
            .ok_or(CollectionError::NotFound)?;
        if share.is_expired(now) {
            return Err(CollectionError::Expired);
        }
        let (creator, from) = self.creator(&share)?.ok_or(CollectionError::NotFound)?;
        let viewer = Viewer {
            actor: Some(creator),
            now: now.to_owned(),
        };
        let mut assets = Vec::new();
        for id in &collection.items {
            if let Some(asset) = self.catalog.asset_if(id, |v| shareable(&viewer, v))? {
                assets.push(asset);
            }
        }
        Ok(Shared {
            collection,
            share,
            from,
            assets,
        })
    }

    /// The link's creator as they stand now: their account's current role, or for an API
    /// token its role while it lives; none once disabled, deleted or revoked.
    fn creator(&self, share: &Share) -> Result<Option<(Actor, String)>, CollectionError> {
        if let Some(user) = self.catalog.user(&share.created_by)? {
            let from = user.credit();
            return Ok((!user.disabled).then_some((
                Actor {
                    name: user.name,
                    role: user.role,
                },
                from,
            )));
        }
        let token = self
            .catalog
            .tokens()?
            .into_iter()
            .find(|t| t.name == share.created_by);
        Ok(token.map(|t| {
            let from = t.name.clone();
            (
                Actor {
                    name: t.name,
                    role: t.role,
                },
                from,
            )
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_lasts_thirty_days_unless_told_and_never_more_than_a_year() {
        let at = "2026-12-07T10:00:00Z";
        assert_eq!(last_day(None, at).unwrap(), "2027-01-06");
        assert!(matches!(
            last_day(Some(" "), at),
            Err(CollectionError::BadField(_))
        ));
        assert_eq!(last_day(Some("2026-12-07"), at).unwrap(), "2026-12-07");
        assert!(last_day(Some("2027-03-01T00:00:00Z"), at).is_err());
        assert!(matches!(
            last_day(Some("2026-12-06"), at),
            Err(CollectionError::ExpiryPast(_))
        ));
        assert!(matches!(
            last_day(Some("2028-12-07"), at),
            Err(CollectionError::ExpiryTooFar(_))
        ));
        assert_eq!(last_day(Some("07/12/2027"), at).unwrap(), "2027-12-07");
        assert!(matches!(
            last_day(Some("12/31/2027"), at),
            Err(CollectionError::BadField(_))
        ));
    }

    #[test]
    fn a_token_is_derived_again_only_under_its_own_key() {
        let (a, b) = ([7u8; 32], [8u8; 32]);
        assert_eq!(token(&a, "abc"), token(&a, "abc"));
        assert_eq!(token(&a, "abc").len(), 48);
        assert_ne!(token(&a, "abc"), token(&a, "abd"));
        assert_ne!(token(&a, "abc"), token(&b, "abc"));
    }
}
