//! Collections: a named, ordered set of assets gathered by one person for a story or a
//! partner, and the share links that hand it on without an account. Journaled like assets
//! (`Change::Collection`), so `rebuild` restores them; `apply` is the one function that
//! turns a step into the new collection, live and when replaying.

use serde::{Deserialize, Serialize};

use super::AssetId;

/// At most this many assets in one collection (a ZIP of 2,000 press JPEGs is already ~10 GB).
pub const MAX_ITEMS: usize = 2_000;
/// At most this many live share links per collection.
pub const MAX_SHARES: usize = 50;
/// A share link works this many days unless its maker chooses otherwise.
pub const SHARE_DAYS: i64 = 30;
/// And at most this many: a link handed on by e-mail should not outlive the campaign.
pub const SHARE_MAX_DAYS: i64 = 366;
/// At most this many characters in a link's label.
pub const MAX_LABEL: usize = 120;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    /// Random, 16 hex digits.
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The account or token that made it; only it (and admins) may see or change it.
    pub owner: String,
    pub created_at: String,
    /// In the order the owner chose.
    pub items: Vec<AssetId>,
    /// Live share links (revoked ones are removed).
    pub shares: Vec<Share>,
}

/// A share link. Only the BLAKE3 hash of its token is kept; the token is derived from the
/// link's id with a key held outside the catalogue, so its owner can be shown it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    /// Random, 12 hex digits: names the link when revoking it, never opens it.
    pub id: String,
    /// What its maker calls it ("for Tuổi Trẻ, December"); links made before labels: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// BLAKE3 (hex) of the link's token.
    pub hash: String,
    /// The last day (UTC, `YYYY-MM-DD`) the link works; none: until revoked.
    #[serde(default)]
    pub expires: Option<String>,
    pub created_at: String,
    /// Who made the link: it shows only what they may share, as their account stands when
    /// the link is opened.
    pub created_by: String,
}

impl Share {
    /// Whether the link has expired at `now` (RFC 3339, UTC): after its last day.
    pub fn is_expired(&self, now: &str) -> bool {
        self.expires
            .as_deref()
            .is_some_and(|last| now.get(..10).is_some_and(|today| today > last))
    }
}

/// One change to a collection, as journaled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum CollectionStep {
    Created {
        name: String,
        #[serde(default)]
        description: Option<String>,
        owner: String,
        created_at: String,
    },
    /// Name or description changed (`None` leaves a field alone).
    Edited {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<Option<String>>,
    },
    ItemAdded {
        asset: AssetId,
    },
    ItemRemoved {
        asset: AssetId,
    },
    /// The same items in a new order.
    Reordered {
        items: Vec<AssetId>,
    },
    Deleted,
    ShareCreated {
        share: Share,
    },
    ShareRevoked {
        share: String,
    },
}

/// Applies `step` to the collection `id` as it stands. Total: a step that does not fit (an
/// unknown collection, a second creation, an order that is not a permutation) changes
/// nothing, so replaying any journal is deterministic; the collections layer refuses such
/// steps before they are written.
pub fn apply(current: Option<Collection>, id: &str, step: &CollectionStep) -> Option<Collection> {
    use CollectionStep as S;
    if let S::Created {
        name,
        description,
        owner,
        created_at,
    } = step
    {
        return Some(current.unwrap_or_else(|| Collection {
            id: id.to_owned(),
            name: name.clone(),
            description: description.clone(),
            owner: owner.clone(),
            created_at: created_at.clone(),
            items: Vec::new(),
            shares: Vec::new(),
        }));
    }
    let mut c = current?;
    match step {
        S::Created { .. } => {}
        S::Edited { name, description } => {
            if let Some(name) = name {
                c.name = name.clone();
            }
            if let Some(description) = description {
                c.description = description.clone();
            }
        }
        S::ItemAdded { asset } => {
            if !c.items.contains(asset) && c.items.len() < MAX_ITEMS {
                c.items.push(*asset);
            }
        }
        S::ItemRemoved { asset } => c.items.retain(|a| a != asset),
        S::Reordered { items } => {
            if is_permutation(&c.items, items) {
                c.items = items.clone();
            }
        }
        S::Deleted => return None,
        S::ShareCreated { share } => {
            if !c
                .shares
                .iter()
                .any(|s| s.id == share.id || s.hash == share.hash)
            {
                c.shares.push(share.clone());
            }
        }
        S::ShareRevoked { share } => c.shares.retain(|s| &s.id != share),
    }
    Some(c)
}

/// Whether `order` holds exactly the items of `items`, each once.
pub fn is_permutation(items: &[AssetId], order: &[AssetId]) -> bool {
    let mut a = items.to_vec();
    let mut b = order.to_vec();
    a.sort();
    b.sort();
    b.dedup();
    a == b && order.len() == items.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> AssetId {
        AssetId::from_bytes([n; 32])
    }

    fn created() -> Option<Collection> {
        apply(
            None,
            "c1",
            &CollectionStep::Created {
                name: "Bù Gia Mập".into(),
                description: None,
                owner: "lan".into(),
                created_at: "2026-01-01T00:00:00Z".into(),
            },
        )
    }

    #[test]
    fn items_keep_their_order_and_appear_once() {
        let mut c = created();
        for n in [3, 1, 3, 2] {
            c = apply(c, "c1", &CollectionStep::ItemAdded { asset: id(n) });
        }
        assert_eq!(c.as_ref().unwrap().items, vec![id(3), id(1), id(2)]);
        let bad = apply(
            c.clone(),
            "c1",
            &CollectionStep::Reordered {
                items: vec![id(1), id(1), id(2)],
            },
        );
        assert_eq!(bad, c, "an order that is not a permutation changes nothing");
        let c = apply(
            c,
            "c1",
            &CollectionStep::Reordered {
                items: vec![id(2), id(3), id(1)],
            },
        );
        assert_eq!(c.unwrap().items, vec![id(2), id(3), id(1)]);
    }

    #[test]
    fn steps_on_a_missing_collection_change_nothing() {
        let step = CollectionStep::ItemAdded { asset: id(1) };
        assert_eq!(apply(None, "nope", &step), None);
        assert_eq!(apply(created(), "c1", &CollectionStep::Deleted), None);
    }

    #[test]
    fn a_link_works_through_its_last_day() {
        let share = Share {
            id: "s".into(),
            label: None,
            hash: "h".into(),
            expires: Some("2026-03-01".into()),
            created_at: String::new(),
            created_by: "lan".into(),
        };
        assert!(!share.is_expired("2026-03-01T23:59:59Z"));
        assert!(share.is_expired("2026-03-02T00:00:00Z"));
    }
}
