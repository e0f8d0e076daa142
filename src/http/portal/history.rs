//! An asset's history as staff read it on its page: who, when, what changed and why, from the
//! journal, in the page's language. Renditions made and names seen are the machine's business
//! and left out.

use super::Lang;
use crate::catalog::{Change, Entry, Patch};

pub struct Line {
    pub when: String,
    pub who: String,
    pub what: String,
    pub why: Option<String>,
}

/// The fields a patch changed, in words.
fn fields(lang: Lang, patch: &Patch) -> String {
    let mut names: Vec<String> = Vec::new();
    let mut add = |set: bool, key: &str| {
        if set {
            names.push(lang.t(key).to_owned());
        }
    };
    add(
        patch.caption_vi.is_some() || patch.caption_en.is_some(),
        "history.field.caption",
    );
    add(patch.credit.is_some(), "asset.credit");
    add(patch.license.is_some(), "asset.license");
    add(patch.consent.is_some(), "history.field.consent");
    add(patch.focus.is_some(), "history.field.focus");
    add(
        !patch.add_tags.is_empty() || !patch.remove_tags.is_empty(),
        "asset.tags",
    );
    add(
        patch.expires_at.is_some() || patch.available_from.is_some(),
        "history.field.window",
    );
    if let Some(access) = patch.access {
        // The audience decided, in words: "Quyền sử dụng: Công khai".
        names.push(format!(
            "{}: {}",
            lang.t("asset.access"),
            lang.t(&format!("access.short.{access}"))
        ));
    }
    names.join(", ")
}

fn status(lang: Lang, s: crate::model::Status) -> &'static str {
    lang.t(&format!("status.{}", s.as_str()))
}

/// A version's picture size and file size in words ("4000 × 3000 px, 5,2 MB").
pub(crate) fn size(lang: Lang, v: &crate::model::Version) -> String {
    let bytes = lang.bytes(v.bytes);
    match (v.width, v.height) {
        (Some(w), Some(h)) => format!("{w} × {h} px, {bytes}"),
        _ => bytes,
    }
}

/// The lines of `entries`, newest first.
pub fn lines(lang: Lang, entries: &[Entry]) -> Vec<Line> {
    let mut out: Vec<Line> = entries
        .iter()
        .filter_map(|e| {
            let (what, why) = match &e.change {
                Change::Ingested { .. } => (lang.t("history.ingested").to_owned(), None),
                Change::Edited { patch, .. } => (
                    lang.fill("history.edited", &[("fields", &fields(lang, patch))]),
                    None,
                ),
                Change::StatusChanged {
                    from,
                    to,
                    reason,
                    override_justification,
                    ..
                } => (
                    lang.fill(
                        "history.status",
                        &[("from", status(lang, *from)), ("to", status(lang, *to))],
                    ),
                    override_justification
                        .as_ref()
                        .map(|j| lang.fill("history.override", &[("why", j)]))
                        .or_else(|| reason.clone()),
                ),
                Change::SpotChosen { spot, .. } => (
                    lang.fill(
                        "history.spot",
                        &[(
                            "spot",
                            spot.as_ref()
                                .map_or("—", |s| lang.pick(&s.name_vi, &s.name_en)),
                        )],
                    ),
                    None,
                ),
                Change::TagsAdded { tags, .. } => (
                    lang.fill("history.tags", &[("tags", &tags.join(", "))]),
                    None,
                ),
                Change::VersionAdopted { version, .. } => (
                    lang.fill("history.version_current", &[("size", &size(lang, version))]),
                    version.reason.clone(),
                ),
                Change::VersionNoted { version, .. } => (
                    lang.fill(
                        match version.state {
                            crate::model::VersionState::Rejected => "history.version_rejected",
                            _ => "history.version_waiting",
                        },
                        &[("size", &size(lang, version))],
                    ),
                    version.reason.clone(),
                ),
                Change::SubtitleSet { track, .. } => (
                    lang.fill(
                        "history.subtitles_set",
                        &[("lang", &track.label()), ("n", &track.cues.to_string())],
                    ),
                    None,
                ),
                Change::SubtitleRemoved { lang: tag, .. } => (
                    lang.fill(
                        "history.subtitles_removed",
                        &[("lang", &crate::model::subtitle::language_label(tag))],
                    ),
                    None,
                ),
                Change::Checked { violations, .. } => (
                    lang.fill("history.checked", &[("n", &violations.len().to_string())]),
                    None,
                ),
                _ => return None,
            };
            Some(Line {
                when: lang.datetime(&e.at),
                who: e.actor.clone(),
                what,
                why,
            })
        })
        .collect();
    out.reverse();
    out
}
