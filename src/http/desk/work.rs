//! "My work": a designer's own uploads by status, with what to fix (in words, not rule codes),
//! why a picture was rejected, and the way to resubmit it.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::desk_or_return;
use super::edit::problems;
use crate::catalog::{Change, Filter};
use crate::http::portal::{cards, query_value, respond, Chrome, Lang};
use crate::http::{ApiError, State};
use crate::model::{Asset, Role, Status};

/// One of the person's pictures.
pub(super) struct Item {
    pub id: String,
    pub title: String,
    pub thumb: Option<String>,
    pub problems: Vec<String>,
    /// Why it was last rejected.
    pub reason: Option<String>,
    pub editable: bool,
    pub submittable: bool,
    /// May take a new version (not itself one, not archived).
    pub replaceable: bool,
    /// Who an approved picture was published for, in words.
    pub audience: Option<String>,
}

/// A status with its pictures.
struct Group {
    key: &'static str,
    heading: &'static str,
    hint: &'static str,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "desk/work.html")]
struct WorkPage {
    chrome: Chrome,
    csrf: String,
    groups: Vec<Group>,
    total: usize,
    notice: Option<String>,
}

/// Most uploads listed, newest first.
const MOST: usize = 1000;

const ORDER: [Status; 5] = [
    Status::Rejected,
    Status::Draft,
    Status::InReview,
    Status::Approved,
    Status::Archived,
];

/// The reason of the latest rejection of `asset`, from its history.
fn rejection_reason(history: &[crate::catalog::Entry]) -> Option<String> {
    history.iter().rev().find_map(|e| match &e.change {
        Change::StatusChanged {
            to: Status::Rejected,
            reason,
            ..
        } => reason.clone(),
        _ => None,
    })
}

fn item(state: &State, lang: Lang, a: &Asset, reason: Option<String>) -> Item {
    Item {
        id: a.id.to_hex(),
        title: cards::title(lang, &state.brand, a),
        thumb: cards::rendition(a, "thumb").map(|r| r.url.clone()),
        // Decided work is not "to fix": an approval passed (or overrode) every check.
        problems: if matches!(a.status, Status::Approved | Status::Archived) {
            Vec::new()
        } else {
            problems(lang, &a.violations)
                .into_iter()
                .map(|(_, p)| p)
                .collect()
        },
        reason,
        editable: matches!(a.status, Status::Draft | Status::Rejected),
        submittable: a.status == Status::Draft,
        replaceable: a.version_of.is_none() && a.status != Status::Archived,
        audience: (a.status == Status::Approved)
            .then(|| lang.t(&format!("access.short.{}", a.access)).to_owned()),
    }
}

/// GET /mine
pub async fn work_page(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let desk = desk_or_return!(state, req, Role::edits);
    let lang = desk.lang;
    let filter = Filter {
        viewer: Some(desk.viewer()),
        owner: Some(desk.session.actor.name.clone()),
        ..Default::default()
    };
    let st = state.clone();
    let mine = web::block(move || {
        let page = st.catalog.browse(&filter, 0, MOST)?;
        let mut out = Vec::with_capacity(page.assets.len());
        for a in page.assets {
            // The reason is read from the asset's own journal entries (found by index).
            let reason = if a.status == Status::Rejected {
                rejection_reason(&st.catalog.history(&a.id)?)
            } else {
                None
            };
            out.push((a, reason));
        }
        Ok::<_, ApiError>(out)
    })
    .await??;
    let total = mine.len();
    let groups = ORDER
        .iter()
        .map(|status| {
            let code = status.as_str();
            Group {
                key: code,
                heading: lang.t(&format!("status.{code}")),
                hint: lang.t(&format!("work.hint.{code}")),
                items: mine
                    .iter()
                    .filter(|(a, _)| a.status == *status)
                    .map(|(a, reason)| item(&state, lang, a, reason.clone()))
                    .collect(),
            }
        })
        .filter(|g| !g.items.is_empty())
        .collect();
    let notice =
        query_value(req.query_string(), "edited").map(|n| lang.fill("work.edited", &[("n", &n)]));
    let title = desk.chrome.t("work.title");
    let page = WorkPage {
        csrf: desk.session.csrf.clone(),
        groups,
        total,
        notice,
        chrome: desk.chrome.titled(title, "mine"),
    };
    respond(&req, actix_web::http::StatusCode::OK, &page)
}
