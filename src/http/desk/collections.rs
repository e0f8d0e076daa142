//! Collections on the desk, for anyone signed in: `/collections` lists one's own and makes a
//! new one; `/collections/{id}` renames it, orders and removes its pictures, and manages its
//! share links (label, last day, address to copy at any time, opens and downloads, revoke
//! after a confirmation); the asset page's "add to collection" form and the catalogue's
//! "add the chosen pictures" post to `/collections/add`. Every change goes through the
//! collections layer, as the API's do.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{desk_or_return, see_other, Desk};
use crate::collections::{CollectionEdit, NewLink};
use crate::http::collections::with_collections;
use crate::http::portal::{self, Chrome};
use crate::http::{ApiError, State};
use crate::model::{AssetId, Collection, Role};

fn anyone(_: &Role) -> bool {
    true
}

struct Row {
    id: String,
    name: String,
    count: usize,
    links: usize,
    created: String,
}

#[derive(Template)]
#[template(path = "desk/collections.html")]
struct ListPage {
    chrome: Chrome,
    csrf: String,
    rows: Vec<Row>,
}

struct Picture {
    id: AssetId,
    title: String,
    thumb: Option<String>,
    /// Shown by the collection's links now (published, not internal).
    shared: bool,
}

struct Link {
    id: String,
    label: String,
    /// Its address, when it can be shown again (links made before: none).
    url: Option<String>,
    created: String,
    expires: String,
    opens: u64,
    downloads: u64,
    /// Just made: its row is marked and its address offered to copy first.
    fresh: bool,
}

#[derive(Template)]
#[template(path = "desk/collection.html")]
struct CollectionPage {
    chrome: Chrome,
    csrf: String,
    id: String,
    description: Option<String>,
    pictures: Vec<Picture>,
    links: Vec<Link>,
    /// What just happened, said once at the top ("link made", "link revoked").
    notice: Option<String>,
    /// The default last day of a new link, as the field shows it.
    default_expiry: String,
}

/// GET /collections
pub async fn list_page(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let desk: Desk = desk_or_return!(state, req, anyone);
    let actor = desk.session.actor.clone();
    let mine = with_collections(&state, move |c| c.owned_by(&actor)).await?;
    let lang = desk.lang;
    let rows = mine
        .into_iter()
        .map(|c| Row {
            count: c.items.len(),
            links: c.shares.len(),
            created: lang.date(&c.created_at),
            id: c.id,
            name: c.name,
        })
        .collect();
    let title = desk.chrome.t("collections.title");
    let page = ListPage {
        chrome: desk.chrome.titled(title, "collections"),
        csrf: desk.session.csrf,
        rows,
    };
    portal::ok(&req, &page)
}

/// A share link as its owner's page shows it; `made`: the id of a link just made.
fn link(
    lang: crate::i18n::Lang,
    s: &crate::model::Share,
    (opens, downloads): (u64, u64),
    url: Option<String>,
    made: Option<&str>,
) -> Link {
    Link {
        id: s.id.clone(),
        label: s.label.clone().unwrap_or_else(|| s.id.clone()),
        url,
        created: lang.date(&s.created_at),
        expires: s.expires.as_deref().map_or_else(
            || lang.t("collections.no_expiry").to_owned(),
            |d| lang.date(d),
        ),
        opens,
        downloads,
        fresh: made == Some(s.id.as_str()),
    }
}

/// What the last step on the page did, from its address (`made`, `revoked`, `added`,
/// `saved`), said once.
fn notice(lang: crate::i18n::Lang, query: &str, links: &[Link]) -> Option<String> {
    let asked = |name: &str| portal::query_value(query, name);
    if let Some(link) = links.iter().find(|l| l.fresh) {
        Some(lang.fill("collections.link_made", &[("label", &link.label)]))
    } else if let Some(label) = asked("revoked") {
        Some(lang.fill("collections.link_revoked", &[("label", &label)]))
    } else if let Some(n) = asked("added").filter(|n| n.parse::<u32>().is_ok()) {
        Some(lang.fill("collections.added_many", &[("n", &n)]))
    } else {
        asked("saved").map(|_| lang.t("collections.saved").to_owned())
    }
}

#[derive(Deserialize)]
pub struct NewForm {
    csrf: String,
    name: String,
    #[serde(default)]
    description: String,
}

/// POST /collections: a new collection, then its page.
pub async fn create(
    state: State,
    req: HttpRequest,
    form: web::Form<NewForm>,
) -> Result<HttpResponse, ApiError> {
    let f = form.into_inner();
    let desk: Desk = desk_or_return!(state, req, anyone, Some(&f.csrf));
    let actor = desk.session.actor.clone();
    let made = with_collections(&state, move |c| {
        let description = Some(f.description.as_str()).filter(|d| !d.trim().is_empty());
        c.create(&actor, &f.name, description, &desk.now)
    })
    .await?;
    Ok(see_other(&format!("/collections/{}", made.id)))
}

/// GET /collections/{id}: `?made=` names a link just made, `?revoked=` one just revoked,
/// `?saved` a rename or a new order.
pub async fn show_page(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let desk: Desk = desk_or_return!(state, req, anyone);
    let (actor, viewer, id) = (desk.session.actor.clone(), desk.viewer(), id.into_inner());
    let st = state.clone();
    let base = portal::public_base(&state, &req);
    let (collection, assets, uses, urls) = web::block(move || {
        let c = st.collections();
        let collection = c.get(&actor, &id)?;
        let mut assets = Vec::new();
        for item in &collection.items {
            // What the owner may no longer see (withdrawn from press, say) is not shown to
            // them either; the item stays until removed.
            if let Some(a) = st.catalog.asset_if(item, |v| viewer.may_see(v))? {
                assets.push(a);
            }
        }
        let uses = c.uses(&collection.shares)?;
        let urls: Vec<Option<String>> = collection
            .shares
            .iter()
            .map(|s| c.token_of(s).map(|t| format!("{base}/s/{t}")))
            .collect();
        Ok::<_, crate::collections::CollectionError>((collection, assets, uses, urls))
    })
    .await??;
    let lang = desk.lang;
    let query = req.query_string();
    let made = portal::query_value(query, "made");
    let viewer = desk.viewer();
    let pictures = assets
        .iter()
        .map(|a| Picture {
            id: a.id,
            title: portal::cards::title(lang, &state.brand, a),
            thumb: a
                .renditions
                .iter()
                .find(|r| r.preset == "thumb")
                .map(|r| r.url.clone()),
            shared: crate::collections::shareable(&viewer, &crate::model::Visibility::of(a)),
        })
        .collect();
    let Collection {
        id,
        name,
        description,
        shares,
        ..
    } = collection;
    let links: Vec<Link> = shares
        .iter()
        .zip(uses)
        .zip(urls)
        .map(|((s, uses), url)| link(lang, s, uses, url, made.as_deref()))
        .collect();
    let notice = notice(lang, query, &links);
    let default_expiry = crate::collections::default_last_day(&desk.now)
        .map(|d| lang.date_field(&d))
        .unwrap_or_default();
    let page = CollectionPage {
        chrome: desk.chrome.titled(name, "collections"),
        csrf: desk.session.csrf,
        id,
        description,
        pictures,
        links,
        notice,
        default_expiry,
    };
    portal::ok(&req, &page)
}

/// POST /collections/add: pictures into one of the person's collections (`collection`) or a
/// new one (`new_name`), in one commit: from an asset page (one `asset`; back to it, which
/// says where it went) or from the catalogue (any number of `asset`; on to the collection,
/// which says how many were added).
pub async fn add(
    state: State,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or_else(String::new, |(_, v)| v.clone())
    };
    let (csrf, collection, new_name) = (field("csrf"), field("collection"), field("new_name"));
    let desk: Desk = desk_or_return!(state, req, anyone, Some(&csrf));
    let assets: Vec<AssetId> = pairs
        .iter()
        .filter(|(k, _)| k == "asset")
        .map(|(_, v)| v.parse().map_err(|_| ApiError::not_found()))
        .collect::<Result<_, _>>()?;
    let Some(first) = assets.first().copied() else {
        return Ok(see_other("/"));
    };
    let distinct = assets
        .iter()
        .collect::<std::collections::HashSet<_>>()
        .len();
    let (viewer, now, many) = (
        desk.viewer(),
        desk.now.clone(),
        assets.len() > 1 || field("from") == "catalogue",
    );
    let into = with_collections(&state, move |c| {
        if new_name.trim().is_empty() {
            c.add(&viewer, &collection, &assets, &now)
        } else {
            c.create_with(&viewer, &new_name, &assets, &now)
        }
    })
    .await?;
    if many {
        return Ok(see_other(&format!(
            "/collections/{}?added={distinct}",
            into.id
        )));
    }
    Ok(see_other(&format!("/assets/{first}?added={}", into.id)))
}

#[derive(Deserialize)]
pub struct ItemForm {
    csrf: String,
    asset: String,
}

/// POST /collections/{id}/remove
pub async fn remove(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    form: web::Form<ItemForm>,
) -> Result<HttpResponse, ApiError> {
    let f = form.into_inner();
    let desk: Desk = desk_or_return!(state, req, anyone, Some(&f.csrf));
    let asset: AssetId = f.asset.parse().map_err(|_| ApiError::not_found())?;
    let (actor, id) = (desk.session.actor.clone(), id.into_inner());
    let back = format!("/collections/{id}");
    with_collections(&state, move |c| c.remove(&actor, &id, &asset, &desk.now)).await?;
    Ok(see_other(&back))
}

#[derive(Deserialize)]
pub struct ShareForm {
    csrf: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    expires: String,
}

/// POST /collections/{id}/shares: a new link, then the page with its row marked and its
/// address ready to copy.
pub async fn share(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    form: web::Form<ShareForm>,
) -> Result<HttpResponse, ApiError> {
    let f = form.into_inner();
    let desk: Desk = desk_or_return!(state, req, anyone, Some(&f.csrf));
    let (actor, id, now) = (
        desk.session.actor.clone(),
        id.into_inner(),
        desk.now.clone(),
    );
    let at = id.clone();
    // The form's empty fields mean "as by default".
    let given = |v: String| Some(v).filter(|v| !v.trim().is_empty());
    let asked = NewLink {
        label: given(f.label),
        expires: given(f.expires),
    };
    let (link, _) = with_collections(&state, move |c| c.share(&actor, &at, asked, &now)).await?;
    Ok(see_other(&format!(
        "/collections/{id}?made={}#link-{}",
        link.id, link.id
    )))
}

/// POST /collections/{id}/shares/{share}/revoke: after the confirmation the page asks for;
/// back to the page, which says which link stopped working.
pub async fn revoke(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<super::account::CsrfForm>,
) -> Result<HttpResponse, ApiError> {
    let csrf = form.into_inner().csrf;
    let desk: Desk = desk_or_return!(state, req, anyone, Some(&csrf));
    let (id, link) = path.into_inner();
    let actor = desk.session.actor.clone();
    let at = id.clone();
    let revoked =
        with_collections(&state, move |c| c.revoke(&actor, &at, &link, &desk.now)).await?;
    let label = revoked.label.unwrap_or(revoked.id);
    let query = serde_urlencoded::to_string([("revoked", label)]).unwrap_or_default();
    Ok(see_other(&format!("/collections/{id}?{query}")))
}

#[derive(Deserialize)]
pub struct RenameForm {
    csrf: String,
    name: String,
    #[serde(default)]
    description: String,
}

/// POST /collections/{id}/rename: a new name and description, in one commit.
pub async fn rename(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    form: web::Form<RenameForm>,
) -> Result<HttpResponse, ApiError> {
    let f = form.into_inner();
    let desk: Desk = desk_or_return!(state, req, anyone, Some(&f.csrf));
    let (actor, id) = (desk.session.actor.clone(), id.into_inner());
    let edit = CollectionEdit {
        name: Some(f.name),
        description: Some(Some(f.description).filter(|d| !d.trim().is_empty())),
        items: None,
    };
    let at = id.clone();
    with_collections(&state, move |c| c.edit(&actor, &at, edit, &desk.now)).await?;
    Ok(see_other(&format!("/collections/{id}?saved")))
}

#[derive(Deserialize)]
pub struct MoveForm {
    csrf: String,
    asset: String,
    /// `up` or `down`.
    to: String,
}

/// POST /collections/{id}/move: one picture a place earlier or later.
pub async fn move_item(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    form: web::Form<MoveForm>,
) -> Result<HttpResponse, ApiError> {
    let f = form.into_inner();
    let desk: Desk = desk_or_return!(state, req, anyone, Some(&f.csrf));
    let asset: AssetId = f.asset.parse().map_err(|_| ApiError::not_found())?;
    let (actor, id) = (desk.session.actor.clone(), id.into_inner());
    let at = id.clone();
    with_collections(&state, move |c| {
        let mut items = c.get(&actor, &at)?.items;
        let from = items
            .iter()
            .position(|a| *a == asset)
            .ok_or(crate::collections::CollectionError::AssetNotFound)?;
        let to = match f.to.as_str() {
            "up" => from.saturating_sub(1),
            _ => (from + 1).min(items.len() - 1),
        };
        items.swap(from, to);
        let edit = CollectionEdit {
            items: Some(items),
            ..CollectionEdit::default()
        };
        c.edit(&actor, &at, edit, &desk.now)
    })
    .await?;
    Ok(see_other(&format!("/collections/{id}?saved#item-{asset}")))
}
