//! The review desk: what waits for review as a grid of thumbnails at their natural size, each
//! with what it lacks; the selected picture in a detail pane (preview, metadata, position on
//! the map, similar pictures already published there) with the audience pre-selected to one it
//! meets and what each audience requires; approve and reject one (keyboard: j/k move, a
//! approve, r reject) or a selection in one batch. A refused step is shown on the page and
//! changes nothing: the workflow commits a step whole or not at all.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::edit::problems;
use super::{desk_or_return, fix_text, see_other};
use crate::catalog::Filter;
use crate::http::portal::{cards, query_value, respond, Chrome, Lang, MiniMap};
use crate::http::{caller, ApiError, State};
use crate::model::{Access, Asset, AssetId, Role, Status};
use crate::workflow::{Action, Step, WorkflowError};

/// Most pictures shown in the queue at once (the oldest first).
const QUEUE_MAX: usize = 200;

struct Tile {
    id: String,
    title: String,
    thumb: Option<(String, u32, u32)>,
    problems: Vec<String>,
    owner: String,
    /// The audience its designer asked for, in words.
    audience: String,
    selected: bool,
}

/// An audience the reviewer may approve for, with what it requires and whether the picture
/// meets it.
struct Audience {
    code: &'static str,
    label: &'static str,
    requires: String,
    /// What is still missing for it.
    missing: Vec<String>,
    chosen: bool,
}

struct Detail {
    id: String,
    title: String,
    preview: Option<(String, u32, u32)>,
    facts: Vec<(&'static str, String)>,
    problems: Vec<String>,
    audiences: Vec<Audience>,
    minimap: Option<MiniMap>,
    similar: Vec<cards::Card>,
    next: Option<String>,
    previous: Option<String>,
}

#[derive(Template)]
#[template(path = "desk/review.html")]
struct ReviewPage {
    chrome: Chrome,
    csrf: String,
    tiles: Vec<Tile>,
    detail: Option<Detail>,
    /// A picture was asked for by address: on a phone, it is shown alone (the list is one
    /// tap away), where the list is shown alone otherwise.
    focused: bool,
    /// Where the picture shown stands in the queue ("3 / 12").
    position: String,
    /// What the last action did, or why it was refused.
    notice: Option<String>,
    refused: Option<Vec<String>>,
}

fn image(a: &Asset, preset: &str) -> Option<(String, u32, u32)> {
    let r = cards::rendition(a, preset)?;
    Some((r.url.clone(), r.width, r.height))
}

/// The three audiences, widest first, with what each still lacks; the one the designer asked for is chosen,
/// never silently a wider or narrower one: if it falls short, its missing points are shown
/// beside it and the reviewer decides.
fn audiences(state: &State, lang: Lang, a: &Asset, now: &str) -> Vec<Audience> {
    let press_px = state.brand.press_min_long_edge_px();
    [Access::Public, Access::Press, Access::Internal]
        .into_iter()
        .map(|access| {
            let mut trial = a.clone();
            trial.access = access;
            let missing = state
                .workflow()
                .violations(&trial, now)
                .iter()
                .map(|v| fix_text(lang, v.rule.code(), &v.message))
                .collect();
            let code = access.as_str();
            Audience {
                code,
                label: lang.t(&format!("access.short.{code}")),
                requires: lang.fill(
                    &format!("review.requires.{code}"),
                    &[("px", &lang.number(u64::from(press_px)))],
                ),
                missing,
                chosen: access == a.access,
            }
        })
        .collect()
}

fn detail(
    state: &State,
    lang: Lang,
    a: &Asset,
    similar: Vec<Asset>,
    neighbours: (Option<String>, Option<String>),
    now: &str,
) -> Detail {
    let mut facts = vec![
        ("review.owner", a.owner.clone().unwrap_or_default()),
        ("asset.file", a.display_name().to_owned()),
    ];
    if let (Some(w), Some(h)) = (a.width, a.height) {
        facts.push(("asset.size", format!("{w} × {h} px")));
    }
    if let Some(t) = &a.captured_at {
        facts.push(("asset.captured", lang.datetime(t)));
    }
    if let Some(s) = &a.spot {
        facts.push(("asset.spot", lang.pick(&s.name_vi, &s.name_en).to_owned()));
    }
    for (key, value) in [
        ("review.caption_vi", &a.caption.vi),
        ("review.caption_en", &a.caption.en),
        ("asset.credit", &a.credit),
        ("asset.license", &a.license),
    ] {
        facts.push((key, value.clone().unwrap_or_else(|| "—".into())));
    }
    if !a.tags.is_empty() {
        let vietnamese = lang == Lang::Vi;
        let labels: Vec<&str> = a
            .tags
            .iter()
            .map(|t| state.brand.tag_label(t, vietnamese))
            .collect();
        facts.push(("asset.tags", labels.join(", ")));
    }
    Detail {
        id: a.id.to_hex(),
        title: cards::title(lang, &state.brand, a),
        preview: image(a, "preview").or_else(|| image(a, "thumb")),
        facts,
        problems: problems(lang, &a.violations)
            .into_iter()
            .map(|(_, p)| p)
            .collect(),
        audiences: audiences(state, lang, a, now),
        minimap: MiniMap::of(&state.brand.gazetteer, a),
        similar: similar
            .iter()
            .filter(|s| s.id != a.id)
            .take(4)
            .map(|s| cards::card(lang, &state.brand, s, true))
            .collect(),
        previous: neighbours.0,
        next: neighbours.1,
    }
}

/// GET /review[?item=ID]
pub async fn review_page(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let desk = desk_or_return!(state, req, Role::reviews);
    let lang = desk.lang;
    let st = state.clone();
    // Oldest first (first come, first reviewed): the listing is newest first, so the last
    // page of it, reversed.
    let waiting = web::block(move || {
        let filter = Filter {
            status: Some(Status::InReview),
            ..Default::default()
        };
        let total = st.catalog.browse(&filter, 0, 0)?.total;
        let mut page = st
            .catalog
            .browse(&filter, total.saturating_sub(QUEUE_MAX), QUEUE_MAX)?
            .assets;
        page.reverse();
        Ok::<_, ApiError>(page)
    })
    .await??;
    let chosen = query_value(req.query_string(), "item")
        .and_then(|i| waiting.iter().position(|a| a.id.to_hex() == i))
        .or((!waiting.is_empty()).then_some(0));
    let detail = match chosen {
        Some(at) => {
            let a = waiting[at].clone();
            let published = Filter {
                spot: a.spot.as_ref().map(|s| s.id.clone()),
                status: Some(Status::Approved),
                ..Default::default()
            };
            let href = |i: usize| waiting.get(i).map(|n| n.id.to_hex());
            let neighbours = (at.checked_sub(1).and_then(href), href(at + 1));
            // The checks per audience may read a logo's SVG from the store: off the worker.
            let (st, now) = (state.clone(), desk.now.clone());
            Some(
                web::block(move || {
                    let similar = match published.spot {
                        Some(_) => st.catalog.browse(&published, 0, 5)?.assets,
                        None => Vec::new(),
                    };
                    Ok::<_, ApiError>(detail(&st, lang, &a, similar, neighbours, &now))
                })
                .await??,
            )
        }
        None => None,
    };
    let tiles = waiting
        .iter()
        .enumerate()
        .map(|(i, a)| Tile {
            id: a.id.to_hex(),
            title: cards::title(lang, &state.brand, a),
            thumb: image(a, "thumb"),
            problems: problems(lang, &a.violations)
                .into_iter()
                .map(|(_, p)| p)
                .collect(),
            owner: a.owner.clone().unwrap_or_default(),
            audience: lang.t(&format!("access.short.{}", a.access)).to_owned(),
            selected: Some(i) == chosen,
        })
        .collect();
    let q = req.query_string();
    let notice = notice(lang, q);
    let refused = refused(lang, q);
    let title = desk.chrome.t("review.title");
    let page = ReviewPage {
        csrf: desk.session.csrf.clone(),
        focused: query_value(q, "item").is_some(),
        position: chosen.map_or_else(String::new, |at| {
            format!(
                "{} / {}",
                lang.number(at as u64 + 1),
                lang.number(waiting.len() as u64)
            )
        }),
        tiles,
        detail,
        notice,
        refused,
        chrome: desk.chrome.titled(title, "review"),
    };
    respond(&req, actix_web::http::StatusCode::OK, &page)
}

/// What the last action did, from the address it redirected to: "Đã duyệt 3 ảnh … 2 Công
/// khai, 1 Báo chí".
fn notice(lang: Lang, q: &str) -> Option<String> {
    query_value(q, "done").and_then(|d| {
        let n = query_value(q, "n").unwrap_or_else(|| "1".into());
        lang.lookup(&format!("review.done.{d}"))?;
        let mut text = lang.fill(&format!("review.done.{d}"), &[("n", &n)]);
        // What each approved picture was published for, in words.
        let split: Vec<String> = crate::model::Access::ALL
            .iter()
            .filter_map(|a| {
                let n = query_value(q, a.as_str())?.parse::<usize>().ok()?;
                (n > 0).then(|| format!("{n} {}", lang.t(&format!("access.short.{a}"))))
            })
            .collect();
        if !split.is_empty() {
            text = format!(
                "{text} {}: {}.",
                lang.t("review.done.for"),
                split.join(", ")
            );
        }
        Some(text)
    })
}

/// Why the last action was refused, from the address. Only codes with words of their own are
/// shown: the address is not a place for text.
fn refused(lang: Lang, q: &str) -> Option<Vec<String>> {
    query_value(q, "refused").map(|codes| {
        codes
            .split(',')
            .filter_map(|c| {
                lang.lookup(&format!("fix.{c}"))
                    .or_else(|| lang.lookup(&format!("rule.{c}")))
            })
            .map(str::to_owned)
            .collect()
    })
}

#[derive(Deserialize)]
pub struct StepForm {
    csrf: String,
    action: String,
    reason: Option<String>,
    #[serde(rename = "override")]
    justification: Option<String>,
    /// On approval: who may see the asset (public, press, internal).
    access: Option<Access>,
    /// The picture to show after this one (the review desk's one-at-a-time view).
    #[serde(default)]
    next: Option<String>,
}

fn action_of(name: &str) -> Option<Action> {
    match name {
        "submit" => Some(Action::Submit),
        "approve" => Some(Action::Approve),
        "reject" => Some(Action::Reject),
        _ => None,
    }
}

/// Where the review desk goes after a refused step: the same picture, with why.
fn refused_at(id: &AssetId, e: &WorkflowError) -> String {
    let codes = match e {
        WorkflowError::GuidelineViolation { rules } => crate::workflow::codes(rules, ","),
        other => other.code().to_owned(),
    };
    format!("/review?item={id}&refused={codes}")
}

/// POST /assets/{id}/step: submit (the owner, from the asset page or their work), approve
/// (setting who may see it, with an override when it breaks the guidelines) or reject (with a
/// reason). The workflow checks the roles; what the caller may not see is 404. A refused
/// approval or rejection is shown on the review desk, the asset unchanged.
pub async fn step_form(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    form: web::Form<StepForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let (asset, viewer) =
        crate::http::api::visible_asset_for(&state, &req, &id, Some(&form.csrf)).await?;
    let actor = viewer.actor.ok_or_else(ApiError::not_found)?;
    let action = action_of(&form.action).ok_or_else(ApiError::not_found)?;
    let (st, now, id) = (state.clone(), viewer.now, asset.id);
    let reviewer = actor.role.reviews();
    let next = form
        .next
        .as_deref()
        .and_then(|n| n.parse::<AssetId>().ok())
        .map(|n| format!("&item={n}"))
        .unwrap_or_default();
    let outcome = web::block(move || {
        let step = Step {
            reason: form.reason.as_deref().filter(|r| !r.is_empty()),
            justification: form.justification.as_deref().filter(|j| !j.is_empty()),
            // The audience is chosen when approving; any other step ignores the field.
            access: form.access.filter(|_| action == Action::Approve),
        };
        st.workflow().transition(&id, action, &actor, step, &now)
    })
    .await?;
    if outcome.is_ok() {
        crate::http::refresh_renditions(&state, vec![id]).await;
    }
    match (outcome, action) {
        (Ok(_), Action::Submit) if !reviewer => Ok(see_other("/mine?submitted=1")),
        (Ok(_), Action::Submit) => Ok(see_other(&format!("/assets/{id}"))),
        (Ok(_), _) => Ok(see_other(&format!(
            "/review?done={}{next}",
            if action == Action::Approve {
                "approved"
            } else {
                "rejected"
            }
        ))),
        (Err(e), _)
            if reviewer
                && (e.kind() == crate::model::ErrorKind::Conflict
                    || matches!(e, WorkflowError::ReasonRequired(_))) =>
        {
            Ok(see_other(&refused_at(&id, &e)))
        }
        (Err(e), _) => Err(e.into()),
    }
}

/// POST /review/batch: approve (for one audience) or reject (with one reason) every selected
/// picture, in one commit: if any is refused, none is changed, and the page shows the first
/// refused picture with why.
pub async fn review_batch(
    state: State,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let viewer = caller(&state, &req, get("csrf").as_deref()).await?;
    let actor = viewer.actor.clone().ok_or_else(ApiError::not_found)?;
    // The page does not exist for a caller who may not review.
    if !actor.role.reviews() {
        return Err(ApiError::not_found());
    }
    let action = match get("action").as_deref() {
        Some("approve") => Action::Approve,
        Some("reject") => Action::Reject,
        _ => return Err(ApiError::not_found()),
    };
    let ids: Vec<AssetId> = pairs
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let access: Option<Access> =
        get("access").and_then(|a| serde_json::from_value(serde_json::Value::String(a)).ok());
    let reason = get("reason");
    // A picture the reviewer may not see is refused as one that does not exist.
    if let Some(unseen) = crate::http::api::first_unseen(&state, &viewer, &ids).await? {
        let missing =
            WorkflowError::Catalog(crate::catalog::CatalogError::NotFound(unseen.to_hex()));
        return Ok(see_other(&refused_at(&unseen, &missing)));
    }
    let (st, now) = (state.clone(), viewer.now);
    let count = ids.len();
    let stepped = ids.clone();
    let outcome = web::block(move || {
        let step = Step {
            reason: reason.as_deref().filter(|r| !r.trim().is_empty()),
            justification: None,
            access: access.filter(|_| action == Action::Approve),
        };
        st.workflow()
            .transition_many(&ids, action, &actor, step, &now)?;
        // The audience each picture now has, for the notice.
        let decided = st.catalog.assets(&ids).unwrap_or_default();
        Ok(crate::model::Access::ALL
            .iter()
            .map(|a| (*a, decided.iter().filter(|x| x.access == *a).count()))
            .collect::<Vec<_>>())
    })
    .await?;
    if outcome.is_ok() {
        crate::http::refresh_renditions(&state, stepped).await;
    }
    batch_answer(action, count, outcome)
}

/// Where a batch decision leads: back to the queue with what was done (and, for approvals,
/// how many went to each audience), or to the refused picture with the reason.
fn batch_answer(
    action: Action,
    count: usize,
    outcome: Result<Vec<(Access, usize)>, (AssetId, WorkflowError)>,
) -> Result<HttpResponse, ApiError> {
    let verb = if action == Action::Approve {
        "approved"
    } else {
        "rejected"
    };
    match outcome {
        Ok(split) => {
            let split: String = split
                .iter()
                .filter(|_| action == Action::Approve)
                .map(|(a, n)| format!("&{a}={n}"))
                .collect();
            Ok(see_other(&format!("/review?done={verb}&n={count}{split}")))
        }
        // The page does not exist for a caller who may not review.
        Err((_, WorkflowError::Forbidden { .. })) => Err(ApiError::not_found()),
        Err((id, e)) if e.kind() == crate::model::ErrorKind::Internal => {
            tracing::error!("batch {verb} of {id}: {e}");
            Err(e.into())
        }
        Err((id, e)) => Ok(see_other(&refused_at(&id, &e))),
    }
}
