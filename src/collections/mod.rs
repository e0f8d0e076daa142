//! Collections and share links: who may make, change and share them, and what a link shows.
//! A collection is its owner's (admins may open any); a share link shows only what its
//! creator may still share, decided when the link is opened, so a withdrawal, an expiry or a
//! creator losing access removes a picture from every link at once.

mod links;
pub mod package;

pub use links::{default_last_day, LinkUse, NewLink};

use crate::catalog::{Catalog, CatalogError, Change};
use crate::model::collection::{MAX_ITEMS, MAX_SHARES};
use crate::model::{
    text, Access, Actor, Asset, AssetId, Collection, CollectionStep, ErrorKind, Role, Share, Viewer,
};

#[derive(Debug, thiserror::Error)]
pub enum CollectionError {
    #[error("no such collection")]
    NotFound,
    #[error("no such asset")]
    AssetNotFound,
    #[error("{0}")]
    BadField(String),
    #[error("a collection holds at most {MAX_ITEMS} assets")]
    Full,
    #[error("a collection has at most {MAX_SHARES} live share links; revoke one first")]
    TooManyShares,
    #[error("the new order must list exactly the collection's assets, each once")]
    BadOrder,
    #[error("this share link has expired")]
    Expired,
    #[error("expires {0} is already past")]
    ExpiryPast(String),
    #[error("expires {0} is more than a year from today")]
    ExpiryTooFar(String),
    #[error("no random numbers: {0}")]
    Random(String),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

impl CollectionError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound | Self::AssetNotFound => ErrorKind::NotFound,
            Self::BadField(_) => ErrorKind::InvalidInput,
            // The order given does not match the collection as it now stands.
            Self::Full
            | Self::TooManyShares
            | Self::BadOrder
            | Self::ExpiryPast(_)
            | Self::ExpiryTooFar(_) => ErrorKind::Conflict,
            Self::Expired => ErrorKind::Gone,
            Self::Random(_) => ErrorKind::Internal,
            Self::Catalog(e) => e.kind(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "collection-not-found",
            Self::AssetNotFound => "asset-not-found",
            Self::BadField(_) => "bad-field",
            Self::Full => "collection-full",
            Self::TooManyShares => "too-many-shares",
            Self::BadOrder => "bad-order",
            Self::Expired => "link-expired",
            Self::ExpiryPast(_) => "expiry-past",
            Self::ExpiryTooFar(_) => "expiry-too-far",
            Self::Random(_) => "internal",
            Self::Catalog(e) => e.code(),
        }
    }
}

/// What a share link opens: the collection, the link, and the assets it shows, in order.
#[derive(Debug, Clone)]
pub struct Shared {
    pub collection: Collection,
    pub share: Share,
    /// Who shared it, as the page names them: "Display name / Organisation" for a person,
    /// the token's name for a program.
    pub from: String,
    pub assets: Vec<Asset>,
}

/// A change to a collection's name, description or order (`None` leaves it alone).
#[derive(Debug, Clone, Default)]
pub struct CollectionEdit {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub items: Option<Vec<AssetId>>,
}

pub struct Collections<'a> {
    pub catalog: &'a Catalog,
    /// The key share-link tokens are derived with (see `links`): kept outside the
    /// catalogue, so a copy of the journal or the tables opens no link.
    pub link_key: &'a [u8; 32],
}

impl Collections<'_> {
    /// A new, empty collection owned by `actor`.
    pub fn create(
        &self,
        actor: &Actor,
        name: &str,
        description: Option<&str>,
        at: &str,
    ) -> Result<Collection, CollectionError> {
        let id = random_hex(8)?;
        let step = CollectionStep::Created {
            name: clean_name(name)?,
            description: description.map(clean_description).transpose()?.flatten(),
            owner: actor.name.clone(),
            created_at: at.to_owned(),
        };
        self.commit(actor, &id, vec![step], at)?;
        self.catalog
            .collection(&id)?
            .ok_or(CollectionError::NotFound)
    }

    /// A new collection holding `assets`, which `viewer` must all see, in one commit (refused
    /// whole if any is hidden from them).
    pub fn create_with(
        &self,
        viewer: &Viewer,
        name: &str,
        assets: &[AssetId],
        at: &str,
    ) -> Result<Collection, CollectionError> {
        let actor = viewer.actor.as_ref().ok_or(CollectionError::NotFound)?;
        let mut steps = vec![CollectionStep::Created {
            name: clean_name(name)?,
            description: None,
            owner: actor.name.clone(),
            created_at: at.to_owned(),
        }];
        steps.extend(self.additions(viewer, &[], assets)?);
        let id = random_hex(8)?;
        self.commit(actor, &id, steps, at)?;
        self.get(actor, &id)
    }

    /// The steps adding those of `assets` not already in `items`, each once; refused whole if
    /// any is hidden from `viewer` (it does not exist for them) or the collection would
    /// overflow.
    fn additions(
        &self,
        viewer: &Viewer,
        items: &[AssetId],
        assets: &[AssetId],
    ) -> Result<Vec<CollectionStep>, CollectionError> {
        let mut steps = Vec::new();
        let mut seen: Vec<AssetId> = items.to_vec();
        for asset in assets {
            if self
                .catalog
                .asset_if(asset, |v| viewer.may_see(v))?
                .is_none()
            {
                return Err(CollectionError::AssetNotFound);
            }
            if !seen.contains(asset) {
                seen.push(*asset);
                steps.push(CollectionStep::ItemAdded { asset: *asset });
            }
        }
        if seen.len() > MAX_ITEMS {
            return Err(CollectionError::Full);
        }
        Ok(steps)
    }

    /// The collections `actor` owns, newest first.
    pub fn owned_by(&self, actor: &Actor) -> Result<Vec<Collection>, CollectionError> {
        let mut mine: Vec<Collection> = self
            .catalog
            .collections()?
            .into_iter()
            .filter(|c| c.owner == actor.name)
            .collect();
        mine.sort_by(|a, b| b.created_at.cmp(&a.created_at));
        Ok(mine)
    }

    /// The collection `id` if `actor` may manage it (its owner, or an admin); otherwise it
    /// does not exist for them.
    pub fn get(&self, actor: &Actor, id: &str) -> Result<Collection, CollectionError> {
        self.catalog
            .collection(id)?
            .filter(|c| c.owner == actor.name || actor.role == Role::Admin)
            .ok_or(CollectionError::NotFound)
    }

    /// Renames, describes or reorders, in one commit.
    pub fn edit(
        &self,
        actor: &Actor,
        id: &str,
        edit: CollectionEdit,
        at: &str,
    ) -> Result<Collection, CollectionError> {
        let current = self.get(actor, id)?;
        let mut steps = Vec::new();
        if edit.name.is_some() || edit.description.is_some() {
            steps.push(CollectionStep::Edited {
                name: edit.name.as_deref().map(clean_name).transpose()?,
                description: edit
                    .description
                    .map(|d| d.as_deref().map(clean_description).transpose())
                    .transpose()?
                    .map(Option::flatten),
            });
        }
        if let Some(items) = edit.items {
            if !crate::model::collection::is_permutation(&current.items, &items) {
                return Err(CollectionError::BadOrder);
            }
            steps.push(CollectionStep::Reordered { items });
        }
        self.commit(actor, id, steps, at)?;
        self.get(actor, id)
    }

    /// Adds assets `viewer` may see, in one commit (one they may not see does not exist for
    /// them, and nothing is added); those already there change nothing.
    pub fn add(
        &self,
        viewer: &Viewer,
        id: &str,
        assets: &[AssetId],
        at: &str,
    ) -> Result<Collection, CollectionError> {
        let actor = viewer.actor.as_ref().ok_or(CollectionError::NotFound)?;
        let current = self.get(actor, id)?;
        let steps = self.additions(viewer, &current.items, assets)?;
        if steps.is_empty() {
            return Ok(current);
        }
        self.commit(actor, id, steps, at)?;
        self.get(actor, id)
    }

    /// Takes an asset out (one not in it: 404).
    pub fn remove(
        &self,
        actor: &Actor,
        id: &str,
        asset: &AssetId,
        at: &str,
    ) -> Result<Collection, CollectionError> {
        let current = self.get(actor, id)?;
        if !current.items.contains(asset) {
            return Err(CollectionError::AssetNotFound);
        }
        let step = CollectionStep::ItemRemoved { asset: *asset };
        self.commit(actor, id, vec![step], at)?;
        self.get(actor, id)
    }

    /// Deletes the collection; its links stop working.
    pub fn delete(&self, actor: &Actor, id: &str, at: &str) -> Result<(), CollectionError> {
        self.get(actor, id)?;
        self.commit(actor, id, vec![CollectionStep::Deleted], at)
    }

    pub(crate) fn commit(
        &self,
        actor: &Actor,
        id: &str,
        steps: Vec<CollectionStep>,
        at: &str,
    ) -> Result<(), CollectionError> {
        let changes: Vec<Change> = steps
            .into_iter()
            .map(|step| Change::Collection {
                id: id.to_owned(),
                step,
            })
            .collect();
        self.catalog.commit(at, &actor.name, &changes, &[])?;
        Ok(())
    }
}

/// Whether a link made by `creator` shows an asset: one they may see, published (approved,
/// in its window) and not for internal use.
pub fn shareable(creator: &Viewer, v: &crate::model::Visibility<'_>) -> bool {
    creator.may_see(v) && v.is_published(&creator.now) && v.access != Access::Internal
}

pub(crate) fn clean_name(name: &str) -> Result<String, CollectionError> {
    let name = text::nfc(name.trim());
    let length = name.chars().count();
    if length == 0 || length > 120 || name.chars().any(char::is_control) {
        return Err(CollectionError::BadField(
            "name: 1 to 120 characters, no control characters".into(),
        ));
    }
    Ok(name)
}

fn clean_description(text: &str) -> Result<Option<String>, CollectionError> {
    let text = crate::model::text::nfc(text.trim());
    if text.chars().count() > 2_000 {
        return Err(CollectionError::BadField(
            "description: at most 2,000 characters".into(),
        ));
    }
    Ok((!text.is_empty()).then_some(text))
}

pub(crate) fn random_hex(bytes: usize) -> Result<String, CollectionError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| CollectionError::Random(e.to_string()))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}
