//! Editing an asset's metadata on its own page (owners while it is a draft or rejected, brand
//! managers always), with the guideline checks re-run as the person types
//! (`POST /api/assets/{id}/check`, which changes nothing) and shown next to the field they
//! concern; and bulk edits of a selection (a tag, a credit, a licence for many at once), in one
//! commit: all of the selection or none of it.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::{desk_or_return, fix_text, see_other};
use crate::brand::Brand;
use crate::catalog::Patch;
use crate::http::api::visible_to;
use crate::http::portal::{cards, query_value, respond, Chrome, Lang};
use crate::http::{caller, ApiError, State};
use crate::model::{text, Access, Asset, AssetId, Role, Term, Violation};

/// A checkbox of the brand's vocabulary.
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// The metadata fields of the upload and edit forms, with the problems of each.
pub(super) struct Fields {
    pub caption_vi: String,
    pub caption_en: String,
    /// Title and copyright are asked on the edit page, not per file on upload.
    pub with_title: bool,
    pub title_vi: String,
    pub title_en: String,
    pub credit: String,
    pub copyright: String,
    pub license: String,
    pub themes: Vec<Choice>,
    pub audiences: Vec<Choice>,
    /// Tags outside the vocabularies, comma-separated.
    pub other_tags: String,
    pub consent: bool,
    pub access: &'static str,
    /// The check-in spots, the asset's own selected (id, name, selected).
    pub spots: Vec<Choice>,
    /// Whether the spot was chosen by a person (else matched from GPS).
    pub spot_by_hand: bool,
    /// Where crops of another shape centre (edit page, photos and films only).
    pub focus: Vec<Choice>,
    /// The publication window, as the reader types dates (edit page only).
    pub available_from: String,
    pub expires_at: String,
    /// (field, what to fix)
    pub problems: Vec<(&'static str, String)>,
}

impl Fields {
    /// What to fix about `field`.
    pub fn problems_of(&self, field: &str) -> Vec<&str> {
        self.problems
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, p)| p.as_str())
            .collect()
    }

    /// Problems of no field of the form (shown above it).
    pub fn general_problems(&self) -> Vec<&str> {
        self.problems_of("file")
    }

    fn of(lang: Lang, brand: &Brand, asset: Option<&Asset>) -> Fields {
        let tags: &[String] = asset.map_or(&[], |a| &a.tags);
        let terms = |list: &[Term]| -> Vec<Choice> {
            list.iter()
                .map(|t| Choice {
                    checked: tags.iter().any(|tag| term_matches(t, tag)),
                    label: lang.pick(&t.vi, &t.en).to_owned(),
                    value: t.id.clone(),
                })
                .collect()
        };
        let vocab = brand.guidelines.as_ref().map(|g| &g.vocabulary);
        let in_vocab = |tag: &String| {
            vocab.is_some_and(|v| {
                v.themes
                    .iter()
                    .chain(&v.audiences)
                    .any(|t| term_matches(t, tag))
            })
        };
        let field = |v: Option<&String>| v.cloned().unwrap_or_default();
        Fields {
            caption_vi: field(asset.and_then(|a| a.caption.vi.as_ref())),
            caption_en: field(asset.and_then(|a| a.caption.en.as_ref())),
            with_title: asset.is_some(),
            title_vi: field(asset.and_then(|a| a.title.vi.as_ref())),
            title_en: field(asset.and_then(|a| a.title.en.as_ref())),
            credit: field(asset.and_then(|a| a.credit.as_ref())),
            copyright: field(asset.and_then(|a| a.copyright.as_ref())),
            license: field(asset.and_then(|a| a.license.as_ref())),
            themes: vocab.map_or_else(Vec::new, |v| terms(&v.themes)),
            audiences: vocab.map_or_else(Vec::new, |v| terms(&v.audiences)),
            other_tags: tags
                .iter()
                .filter(|t| !in_vocab(t))
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            consent: asset.is_some_and(|a| a.consent == Some(true)),
            access: asset.map_or(Access::Internal, |a| a.access).as_str(),
            spots: brand
                .gazetteer
                .spots
                .iter()
                .map(|s| Choice {
                    checked: asset
                        .and_then(|a| a.spot.as_ref())
                        .is_some_and(|m| m.id == s.id),
                    label: lang.pick(&s.name_vi, &s.name_en).to_owned(),
                    value: s.id.clone(),
                })
                .collect(),
            spot_by_hand: asset.is_some_and(|a| a.spot_locked),
            focus: asset.map_or_else(Vec::new, |a| focus_choices(lang, a)),
            available_from: day(lang, asset.and_then(|a| a.available_from.as_deref())),
            expires_at: day(lang, asset.and_then(|a| a.expires_at.as_deref())),
            problems: asset.map_or_else(Vec::new, |a| problems(lang, &a.violations)),
        }
    }

    /// Empty fields for a new batch, credited to `credit`.
    pub fn blank(lang: Lang, brand: &Brand, credit: &str) -> Fields {
        Fields {
            credit: credit.to_owned(),
            ..Fields::of(lang, brand, None)
        }
    }
}

/// The nine places a crop can centre on (fractions of width and height), the centre (no focus
/// set) among them; a place set through the API that is none of them is offered as it is.
fn focus_choices(lang: Lang, asset: &Asset) -> Vec<Choice> {
    if !matches!(
        asset.kind,
        crate::model::Kind::Photo | crate::model::Kind::Video
    ) {
        return Vec::new();
    }
    let rows = [(0.2, "top"), (0.5, "middle"), (0.8, "bottom")];
    let columns = [(0.2, "left"), (0.5, "centre"), (0.8, "right")];
    let mut choices: Vec<Choice> = rows
        .iter()
        .flat_map(|&(y, row)| columns.iter().map(move |&(x, column)| (x, y, row, column)))
        .map(|(x, y, row, column)| {
            let centre = (x, y) == (0.5, 0.5);
            Choice {
                value: if centre {
                    String::new()
                } else {
                    format!("{x},{y}")
                },
                label: lang.t(&format!("focus.{row}_{column}")).to_owned(),
                checked: match asset.focus {
                    None => centre,
                    Some(f) => (f.x, f.y) == (x, y),
                },
            }
        })
        .collect();
    if let Some(f) = asset.focus.filter(|_| !choices.iter().any(|c| c.checked)) {
        let (x, y) = (
            (f.x * 100.0).round().to_string(),
            (f.y * 100.0).round().to_string(),
        );
        choices.push(Choice {
            value: format!("{},{}", f.x, f.y),
            label: lang.fill("focus.set", &[("x", &x), ("y", &y)]),
            checked: true,
        });
    }
    choices
}

/// The date part of an RFC 3339 time, as a date field shows it in `lang` (day first in
/// Vietnamese, whatever the browser's locale).
fn day(lang: Lang, stamp: Option<&str>) -> String {
    stamp.map(|s| lang.date_field(s)).unwrap_or_default()
}

/// A date field as the catalogue keeps it: midnight UTC of the day; empty clears it.
fn window_edge(field: &str, value: &str) -> Result<Option<String>, ApiError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    crate::model::parse_date(value)
        .map(|d| Some(format!("{d}T00:00:00Z")))
        .map_err(|e| {
            ApiError::new(
                crate::model::ErrorKind::InvalidInput,
                "bad-date",
                format!("{field}: {e}"),
            )
        })
}

fn term_matches(term: &Term, tag: &str) -> bool {
    tag == term.id || tag == text::normalise_tag(&term.vi) || tag == text::normalise_tag(&term.en)
}

/// Violations as (field, what to fix).
pub(super) fn problems(lang: Lang, violations: &[Violation]) -> Vec<(&'static str, String)> {
    violations
        .iter()
        .map(|v| (v.rule.field(), fix_text(lang, v.rule.code(), &v.message)))
        .collect()
}

#[derive(Template)]
#[template(path = "desk/edit.html")]
struct EditPage {
    chrome: Chrome,
    csrf: String,
    id: String,
    title: String,
    thumb: Option<String>,
    status: &'static str,
    fields: Fields,
    saved: bool,
    /// A new version was just uploaded and made current.
    version_added: bool,
    error: Option<String>,
    version: Option<super::versions::VersionForm>,
    versions: Vec<super::versions::VersionRow>,
    /// An earlier version was just made current again.
    restored: bool,
    subtitles: Option<super::subtitles::Section>,
    /// A subtitle track was just added or removed.
    subtitles_changed: bool,
}

pub(super) fn edit_page(
    state: &State,
    req: &HttpRequest,
    desk: super::Desk,
    asset: &Asset,
    status: StatusCode,
    error: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let lang = desk.lang;
    let title = cards::title(lang, &state.brand, asset);
    let page = EditPage {
        csrf: desk.session.csrf.clone(),
        id: asset.id.to_hex(),
        thumb: cards::rendition(asset, "thumb").map(|r| r.url.clone()),
        status: lang.t(&format!("status.{}", asset.status.as_str())),
        fields: Fields::of(lang, &state.brand, Some(asset)),
        saved: query_value(req.query_string(), "saved").is_some(),
        version_added: query_value(req.query_string(), "version").is_some(),
        version: super::versions::VersionForm::of(lang, asset, &desk.session.actor),
        versions: super::versions::rows(lang, asset, &desk.session.actor),
        restored: query_value(req.query_string(), "restored").is_some(),
        subtitles: super::subtitles::section(lang, asset, &desk.session.actor),
        subtitles_changed: query_value(req.query_string(), "subtitles").is_some(),
        error,
        chrome: desk
            .chrome
            .titled(format!("{} · {title}", lang.t("edit.title")), "mine"),
        title,
    };
    respond(req, status, &page)
}

/// GET /assets/{id}/edit
pub async fn edit_form(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let desk = desk_or_return!(state, req, Role::edits);
    let asset = visible_to(&state, &desk.viewer(), &id).await?;
    if crate::workflow::Workflow::may_edit(&asset, &desk.session.actor).is_err() {
        return super::versions::locked_page(&req, desk, &asset, &state);
    }
    edit_page(&state, &req, desk, &asset, StatusCode::OK, None)
}

/// The edit form as posted: every field, tags as checkboxes plus free text.
#[derive(Deserialize, Default, Debug)]
pub struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    caption_vi: String,
    #[serde(default)]
    caption_en: String,
    #[serde(default)]
    title_vi: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    credit: String,
    #[serde(default)]
    copyright: String,
    #[serde(default)]
    license: String,
    #[serde(default)]
    other_tags: String,
    #[serde(default)]
    consent: Option<String>,
    #[serde(default)]
    access: Option<Access>,
    #[serde(default)]
    themes: Vec<String>,
    #[serde(default)]
    audiences: Vec<String>,
    /// A spot id, `none`, or empty (leave it as matched).
    #[serde(default)]
    spot: Option<String>,
    /// The publication window (DD/MM/YYYY or YYYY-MM-DD; empty: none); absent on the upload
    /// form.
    #[serde(default)]
    available_from: Option<String>,
    #[serde(default)]
    expires_at: Option<String>,
    /// "x,y" or empty (the centre); absent on the upload form.
    #[serde(default)]
    focus: Option<String>,
}

impl EditForm {
    /// The spot field as the workflow takes it: `None` to leave it (empty), `Some(None)` for
    /// no spot (`none`), else the spot chosen.
    fn spot_choice(&self) -> Option<Option<String>> {
        let spot = self.spot.as_deref().filter(|s| !s.is_empty())?;
        Some(Some(spot.to_owned()).filter(|s| s != "none"))
    }

    /// The patch that makes `asset` what the form shows: every field set, tags replaced.
    fn patch(&self, asset: &Asset, may_set_access: bool) -> Result<Patch, ApiError> {
        let window = |field: &str, v: &Option<String>| {
            v.as_deref().map(|v| window_edge(field, v)).transpose()
        };
        let available_from = window("available_from", &self.available_from)?;
        let focus = match self.focus.as_deref().map(crate::model::Focus::parse) {
            None => None,
            Some(Some(focus)) => Some(focus),
            Some(None) => {
                let why = "focus is \"x,y\", two fractions between 0 and 1";
                return Err(ApiError::new(
                    crate::model::ErrorKind::InvalidInput,
                    "bad-field",
                    why,
                ));
            }
        };
        let expires_at = window("expires_at", &self.expires_at)?;
        // Only what the person changed is an edit: a field left as the file gave it is
        // still the file's, and a later sidecar may update it.
        let changed = |typed: &str, current: &Option<String>| {
            let typed = Some(text::nfc(typed.trim())).filter(|s| !s.is_empty());
            (typed != *current).then_some(typed)
        };
        let mut wanted: Vec<String> = self
            .themes
            .iter()
            .chain(&self.audiences)
            .map(|t| text::normalise_tag(t))
            .collect();
        wanted.extend(
            self.other_tags
                .split([',', ';'])
                .map(text::normalise_tag)
                .filter(|t| !t.is_empty()),
        );
        Ok(Patch {
            available_from,
            expires_at,
            caption_vi: changed(&self.caption_vi, &asset.caption.vi),
            caption_en: changed(&self.caption_en, &asset.caption.en),
            title_vi: changed(&self.title_vi, &asset.title.vi),
            title_en: changed(&self.title_en, &asset.title.en),
            credit: changed(&self.credit, &asset.credit),
            copyright: changed(&self.copyright, &asset.copyright),
            license: changed(&self.license, &asset.license),
            consent: Some(Some(self.consent.is_some())),
            focus: focus.filter(|f| *f != asset.focus),
            access: self.access.filter(|_| may_set_access),
            add_tags: wanted
                .iter()
                .filter(|t| !asset.tags.contains(t))
                .cloned()
                .collect(),
            remove_tags: asset
                .tags
                .iter()
                .filter(|t| !wanted.contains(t))
                .cloned()
                .collect(),
        })
    }
}

/// Parses a form body where checkboxes repeat their name.
fn parse_form(body: &[u8]) -> EditForm {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let mut f = EditForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "csrf" => f.csrf = v,
            "caption_vi" => f.caption_vi = v,
            "caption_en" => f.caption_en = v,
            "title_vi" => f.title_vi = v,
            "title_en" => f.title_en = v,
            "credit" => f.credit = v,
            "copyright" => f.copyright = v,
            "license" => f.license = v,
            "other_tags" => f.other_tags = v,
            "consent" => f.consent = Some(v),
            "access" => {
                f.access = serde_json::from_value(serde_json::Value::String(v)).ok();
            }
            "themes" => f.themes.push(v),
            "audiences" => f.audiences.push(v),
            "spot" => f.spot = Some(v),
            "available_from" => f.available_from = Some(v),
            "expires_at" => f.expires_at = Some(v),
            "focus" => f.focus = Some(v),
            _ => {}
        }
    }
    f
}

/// POST /assets/{id}/edit: saves the form through the workflow (checks re-run), then back to
/// the form saying so.
pub async fn edit_save(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let form = parse_form(&body);
    let desk = desk_or_return!(state, req, Role::edits, Some(&form.csrf));
    let asset = visible_to(&state, &desk.viewer(), &id).await?;
    let actor = desk.session.actor.clone();
    crate::workflow::Workflow::may_edit(&asset, &actor)?;
    let patch = form.patch(&asset, true)?;
    let (st, now, asset_id) = (state.clone(), desk.now.clone(), asset.id);
    let spot = form.spot_choice();
    let saved = web::block(move || {
        let spot = spot.as_ref().map(|s| s.as_deref());
        st.workflow()
            .edit_placed(&asset_id, patch, spot, &actor, &now)
    })
    .await?;
    match saved {
        Ok(a) => {
            crate::http::refresh_renditions(&state, vec![a.id]).await;
            Ok(see_other(&format!("/assets/{}/edit?saved=1", a.id)))
        }
        Err(e) => {
            let text = desk.lang.t("edit.failed").to_owned();
            tracing::debug!("edit refused: {e}");
            edit_page(&state, &req, desk, &asset, StatusCode::CONFLICT, Some(text))
        }
    }
}

/// A violation as the edit page shows it.
#[derive(Serialize)]
struct Problem {
    rule: String,
    field: &'static str,
    text: String,
}

/// POST /api/assets/{id}/check: the guideline violations the asset would have with this
/// form's values; nothing is changed. The edit page calls it as the person types.
pub async fn check(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let form = parse_form(&body);
    let (asset, viewer) =
        crate::http::api::visible_asset_for(&state, &req, &id, Some(&form.csrf)).await?;
    let actor = viewer.actor.clone().ok_or_else(ApiError::not_found)?;
    let lang = crate::http::portal::language(&req).0;
    let patch = form.patch(&asset, true)?;
    let (st, now, spot) = (state.clone(), viewer.now, form.spot_choice());
    let violations = web::block(move || {
        let spot = spot.as_ref().map(|s| s.as_deref());
        st.workflow().preview_edit(asset, patch, spot, &actor, &now)
    })
    .await??;
    let out: Vec<Problem> = violations
        .iter()
        .map(|v| Problem {
            field: v.rule.field(),
            text: fix_text(lang, v.rule.code(), &v.message),
            rule: v.rule.code().to_owned(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// The bulk form: the selected ids and what to set on all of them.
#[derive(Debug, Default)]
struct BulkForm {
    csrf: String,
    ids: Vec<String>,
    add_tag: String,
    credit: String,
    license: String,
    back: String,
}

/// POST /bulk: one tag added, and the credit and licence set, on every selected asset, in one
/// commit; a selection with any asset the person may not edit changes nothing.
pub async fn bulk_edit(
    state: State,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let mut form = BulkForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "csrf" => form.csrf = v,
            "id" => form.ids.push(v),
            "add_tag" => form.add_tag = v,
            "credit" => form.credit = v,
            "license" => form.license = v,
            "back" => form.back = v,
            _ => {}
        }
    }
    let viewer = caller(&state, &req, Some(&form.csrf)).await?;
    let actor = viewer.actor.clone().ok_or_else(ApiError::not_found)?;
    let ids: Vec<AssetId> = form
        .ids
        .iter()
        .map(|i| i.parse().map_err(|_| ApiError::not_found()))
        .collect::<Result<_, _>>()?;
    // A picture the person may not see is answered as one that does not exist.
    if crate::http::api::first_unseen(&state, &viewer, &ids)
        .await?
        .is_some()
    {
        return Err(ApiError::not_found());
    }
    let opt = |s: &str| Some(Some(s.trim().to_owned())).filter(|_| !s.trim().is_empty());
    let patch = Patch {
        credit: opt(&form.credit),
        license: opt(&form.license),
        add_tags: Some(form.add_tag.trim().to_owned())
            .filter(|t| !t.is_empty())
            .into_iter()
            .collect(),
        ..Default::default()
    };
    let (st, now) = (state.clone(), viewer.now);
    let count = ids.len();
    let edited = ids.clone();
    web::block(move || st.workflow().edit_many(&ids, &patch, &actor, &now)).await??;
    crate::http::refresh_renditions(&state, edited).await;
    let back = crate::http::portal::same_site(&form.back)
        .unwrap_or("/mine")
        .to_owned();
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(see_other(&format!("{back}{sep}edited={count}")))
}
