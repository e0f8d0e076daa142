//! The changes recorded in the journal, and how each one changes an asset record. `apply` is the
//! one function used both live and when rebuilding, so a rebuilt catalogue is identical.

use serde::{Deserialize, Serialize};

use crate::model::{
    text, Access, Asset, AssetId, CollectionStep, Decider, FileFields, Rendition, RenditionFailure,
    Role, SpotMatch, Status, Subtitle, User, UserPatch, Version, Violation,
};

/// One change to the catalogue, as written to the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// New bytes entered the catalogue with everything probed from them.
    Ingested { asset: Box<Asset> },
    /// Known bytes were seen again under another file name.
    NameSeen { id: AssetId, name: String },
    /// Tags added at ingest or by an editor.
    TagsAdded { id: AssetId, tags: Vec<String> },
    /// Automatic spot matching (at ingest or by `spots retag`) with the violations it implies.
    /// Ignored while a person's choice stands.
    SpotMatched {
        id: AssetId,
        spot: Option<SpotMatch>,
        violations: Vec<Violation>,
    },
    /// A person chose the spot (or chose none); automatic matching never overrides it.
    SpotChosen {
        id: AssetId,
        spot: Option<SpotMatch>,
    },
    /// A rendition was made (or remade after its preset changed).
    RenditionRecorded { id: AssetId, rendition: Rendition },
    /// A rendition could not be made.
    RenditionFailed {
        id: AssetId,
        failure: RenditionFailure,
    },
    /// A workflow transition, with the reason (rejections) and, when a brand manager approved
    /// despite violations, the written justification.
    StatusChanged {
        id: AssetId,
        from: Status,
        to: Status,
        reason: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        override_justification: Option<String>,
    },
    /// Metadata edited by a person.
    Edited { id: AssetId, patch: Patch },
    /// What a file or its sidecar says, read again at a later ingest: it fills every field
    /// a person has not set.
    Described { id: AssetId, fields: FileFields },
    /// The guideline checks were re-run: their violations replace the previous ones.
    Checked {
        id: AssetId,
        violations: Vec<Violation>,
    },
    /// A new file became the asset's current version (`file`: the record probed from it,
    /// with its renditions); its words, history, collections and links stay.
    VersionAdopted {
        id: AssetId,
        file: Box<Asset>,
        version: Version,
    },
    /// A version was listed without becoming current: a new version of a published picture
    /// waiting in review, or one a reviewer turned down.
    VersionNoted { id: AssetId, version: Version },
    /// A subtitle track was added, or replaced the one in its language.
    SubtitleSet { id: AssetId, track: Subtitle },
    /// The subtitle track in `lang` was removed.
    SubtitleRemoved { id: AssetId, lang: String },
    /// An API token was issued; only its BLAKE3 hash is kept.
    TokenCreated {
        name: String,
        role: Role,
        hash: String,
    },
    /// An API token stopped working.
    TokenRevoked { name: String },
    /// A person's account was made (the password as its argon2id hash only).
    UserCreated { user: User },
    /// An account was changed: display name, organisation, role, password or disabled.
    UserChanged { name: String, patch: UserPatch },
    /// A collection was made, changed, shared or deleted.
    Collection {
        id: String,
        #[serde(flatten)]
        step: CollectionStep,
    },
}

/// An edit: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Patch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption_vi: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption_en: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_vi: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyright: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_from: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<Option<bool>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub add_tags: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remove_tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focus: Option<Option<crate::model::Focus>>,
}

impl Patch {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The edit that gives `from` the words, dates, consent, audience and tags of `to`
    /// (only the fields that differ): how a new version's reviewed words reach its picture.
    pub fn between(from: &Asset, to: &Asset) -> Patch {
        fn text(a: &Option<String>, b: &Option<String>) -> Option<Option<String>> {
            (a != b).then(|| b.clone())
        }
        let missing = |a: &Asset, b: &Asset| -> Vec<String> {
            b.tags
                .iter()
                .filter(|t| !a.tags.contains(t))
                .cloned()
                .collect()
        };
        Patch {
            caption_vi: text(&from.caption.vi, &to.caption.vi),
            caption_en: text(&from.caption.en, &to.caption.en),
            title_vi: text(&from.title.vi, &to.title.vi),
            title_en: text(&from.title.en, &to.title.en),
            credit: text(&from.credit, &to.credit),
            copyright: text(&from.copyright, &to.copyright),
            license: text(&from.license, &to.license),
            expires_at: text(&from.expires_at, &to.expires_at),
            available_from: text(&from.available_from, &to.available_from),
            consent: (from.consent != to.consent).then_some(to.consent),
            access: (from.access != to.access).then_some(to.access),
            add_tags: missing(from, to),
            remove_tags: missing(to, from),
            focus: (from.focus != to.focus).then_some(to.focus),
        }
    }
}

impl Change {
    /// The asset this change is about, if it is about one.
    pub fn asset(&self) -> Option<AssetId> {
        match self {
            Self::TokenCreated { .. }
            | Self::TokenRevoked { .. }
            | Self::UserCreated { .. }
            | Self::UserChanged { .. }
            | Self::Collection { .. } => None,
            other => Some(other.asset_id()),
        }
    }

    /// The asset this change is about (token and account changes: the zero id, never an
    /// asset).
    pub fn asset_id(&self) -> AssetId {
        match self {
            Self::TokenCreated { .. }
            | Self::TokenRevoked { .. }
            | Self::UserCreated { .. }
            | Self::UserChanged { .. }
            | Self::Collection { .. } => AssetId::from_bytes([0; 32]),
            Self::Ingested { asset } => asset.id,
            Self::NameSeen { id, .. }
            | Self::TagsAdded { id, .. }
            | Self::SpotMatched { id, .. }
            | Self::SpotChosen { id, .. }
            | Self::RenditionRecorded { id, .. }
            | Self::RenditionFailed { id, .. }
            | Self::StatusChanged { id, .. }
            | Self::Edited { id, .. }
            | Self::Described { id, .. }
            | Self::VersionAdopted { id, .. }
            | Self::VersionNoted { id, .. }
            | Self::SubtitleSet { id, .. }
            | Self::SubtitleRemoved { id, .. }
            | Self::Checked { id, .. } => *id,
        }
    }
}

/// `apply` for a journal entry written at `at`: an approval also records when the asset
/// was published (what the Atom feed orders by). Used live and when replaying alike.
pub fn apply_entry(current: Option<Asset>, change: &Change, at: &str) -> Option<Asset> {
    let mut next = apply(current, change);
    if let (
        Some(asset),
        Change::StatusChanged {
            to: Status::Approved,
            ..
        },
    ) = (next.as_mut(), change)
    {
        asset.published_at = Some(at.to_owned());
    }
    next
}

/// Applies a change to the current record. Total: a change about an unknown asset leaves it
/// unknown, and a second `Ingested` for known bytes merges names and tags, so replaying any
/// journal is deterministic.
pub fn apply(current: Option<Asset>, change: &Change) -> Option<Asset> {
    match (current, change) {
        (None, Change::Ingested { asset }) => Some((**asset).clone()),
        (Some(mut a), Change::Ingested { asset }) => {
            for name in &asset.names {
                add_name(&mut a, name);
            }
            add_tags(&mut a, &asset.tags);
            Some(a)
        }
        (
            current,
            Change::TokenCreated { .. }
            | Change::TokenRevoked { .. }
            | Change::UserCreated { .. }
            | Change::UserChanged { .. }
            | Change::Collection { .. },
        ) => current,
        (None, _) => None,
        (Some(mut a), Change::NameSeen { name, .. }) => {
            add_name(&mut a, name);
            Some(a)
        }
        (Some(mut a), Change::TagsAdded { tags, .. }) => {
            add_tags(&mut a, tags);
            Some(a)
        }
        (
            Some(mut a),
            Change::SpotMatched {
                spot, violations, ..
            },
        ) => {
            if !a.spot_locked {
                a.spot = spot.clone();
                a.violations
                    .retain(|v| v.rule.decider() != Decider::SpotMatching);
                a.violations.extend(violations.iter().cloned());
            }
            Some(a)
        }
        (Some(mut a), Change::SpotChosen { spot, .. }) => {
            a.spot = spot.clone();
            a.spot_locked = true;
            a.violations
                .retain(|v| v.rule.decider() != Decider::SpotMatching);
            Some(a)
        }
        (Some(mut a), Change::SubtitleSet { track, .. }) => {
            upsert(&mut a.subtitles, track, |s| &s.lang);
            Some(a)
        }
        (Some(mut a), Change::SubtitleRemoved { lang, .. }) => {
            a.subtitles.retain(|s| &s.lang != lang);
            Some(a)
        }
        (Some(mut a), Change::RenditionRecorded { rendition, .. }) => {
            a.rendition_failures
                .retain(|f| f.preset != rendition.preset);
            upsert(&mut a.renditions, rendition, |r| &r.preset);
            Some(a)
        }
        (Some(mut a), Change::RenditionFailed { failure, .. }) => {
            // A stale rendition is not served in place of one that failed to be remade.
            a.renditions.retain(|r| r.preset != failure.preset);
            upsert(&mut a.rendition_failures, failure, |f| &f.preset);
            Some(a)
        }
        (Some(mut a), Change::StatusChanged { to, .. }) => {
            a.status = *to;
            Some(a)
        }
        (Some(mut a), Change::Edited { patch, .. }) => {
            edit(&mut a, patch);
            Some(a)
        }
        (Some(mut a), Change::Described { fields, .. }) => {
            a.take_file_fields(fields);
            Some(a)
        }
        (Some(mut a), Change::VersionAdopted { file, version, .. }) => {
            crate::model::version::adopt(&mut a, file, version);
            Some(a)
        }
        (Some(mut a), Change::VersionNoted { version, .. }) => {
            crate::model::version::note(&mut a, version);
            Some(a)
        }
        (Some(mut a), Change::Checked { violations, .. }) => {
            a.violations
                .retain(|v| v.rule.decider() == Decider::SpotMatching);
            a.violations.extend(violations.iter().cloned());
            Some(a)
        }
    }
}

/// Replaces the item with the same key, or appends it.
fn upsert<T: Clone>(items: &mut Vec<T>, item: &T, key: impl Fn(&T) -> &String) {
    match items.iter_mut().find(|x| key(x) == key(item)) {
        Some(x) => *x = item.clone(),
        None => items.push(item.clone()),
    }
}

/// A person's edit: texts NFC and trimmed (empty clears), each one marked as edited so a
/// later import of the file's own metadata never overwrites it; dates, consent, audience, tags.
fn edit(a: &mut Asset, patch: &Patch) {
    let text_field = |v: &Option<String>| {
        v.as_deref()
            .map(|s| text::nfc(s.trim()))
            .filter(|s| !s.is_empty())
    };
    let texts = [
        ("caption_vi", &patch.caption_vi, &mut a.caption.vi),
        ("caption_en", &patch.caption_en, &mut a.caption.en),
        ("title_vi", &patch.title_vi, &mut a.title.vi),
        ("title_en", &patch.title_en, &mut a.title.en),
        ("credit", &patch.credit, &mut a.credit),
        ("copyright", &patch.copyright, &mut a.copyright),
        ("license", &patch.license, &mut a.license),
    ];
    let mut edited = Vec::new();
    for (name, given, slot) in texts {
        if let Some(v) = given {
            *slot = text_field(v);
            edited.push(name);
        }
    }
    if !patch.remove_tags.is_empty() {
        edited.push("tags");
    }
    for name in edited {
        a.mark_edited(name);
    }
    if let Some(v) = &patch.expires_at {
        a.expires_at = v.clone();
    }
    if let Some(v) = &patch.available_from {
        a.available_from = v.clone();
    }
    if let Some(v) = patch.consent {
        a.consent = v;
    }
    if let Some(v) = patch.access {
        a.access = v;
    }
    if let Some(v) = patch.focus {
        a.focus = v;
    }
    add_tags(a, &patch.add_tags);
    let removed: Vec<String> = patch
        .remove_tags
        .iter()
        .map(|t| text::normalise_tag(t))
        .collect();
    a.tags.retain(|t| !removed.contains(t));
}

fn add_name(asset: &mut Asset, name: &str) {
    let name = text::file_name(name);
    if !asset.names.contains(&name) {
        asset.names.push(name);
    }
}

fn add_tags(asset: &mut Asset, tags: &[String]) {
    for tag in tags {
        let tag = text::normalise_tag(tag);
        if !tag.is_empty() && !asset.tags.contains(&tag) {
            asset.tags.push(tag);
        }
    }
}
