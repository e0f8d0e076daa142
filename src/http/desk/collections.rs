//! Collections on the desk, for anyone signed in: `/collections` lists one's own and makes a
//! new one; `/collections/{id}` shows its pictures (remove, in order) and its share links
//! (make one, with an optional last day: its address shown once; revoke); the asset page's
//! "add to collection" form posts to `/collections/add`. Every change goes through the
//! collections layer, as the API's do.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{desk_or_return, see_other, Desk};
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
    created: String,
    expires: String,
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
    /// A link just made: its address, shown this once.
    new_link: Option<String>,
    today: String,
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

/// GET /collections/{id}
pub async fn show_page(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let desk: Desk = desk_or_return!(state, req, anyone);
    collection_page(&state, &req, desk, &id, None).await
}

async fn collection_page(
    state: &State,
    req: &HttpRequest,
    desk: Desk,
    id: &str,
    new_link: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let (actor, viewer, id) = (desk.session.actor.clone(), desk.viewer(), id.to_owned());
    let st = state.clone();
    let (collection, assets) = web::block(move || {
        let c = st.collections().get(&actor, &id)?;
        let mut assets = Vec::new();
        for item in &c.items {
            // What the owner may no longer see (withdrawn from press, say) is not shown to
            // them either; the item stays until removed.
            if let Some(a) = st.catalog.asset_if(item, |v| viewer.may_see(v))? {
                assets.push(a);
            }
        }
        Ok::<_, crate::collections::CollectionError>((c, assets))
    })
    .await??;
    let lang = desk.lang;
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
    let links = shares
        .iter()
        .map(|s| Link {
            id: s.id.clone(),
            created: lang.date(&s.created_at),
            expires: s.expires.as_deref().map_or_else(
                || lang.t("collections.no_expiry").to_owned(),
                |d| lang.date(d),
            ),
        })
        .collect();
    let page = CollectionPage {
        chrome: desk.chrome.titled(name, "collections"),
        csrf: desk.session.csrf,
        id,
        description,
        pictures,
        links,
        new_link,
        today: desk.now.chars().take(10).collect(),
    };
    portal::ok(req, &page)
}

#[derive(Deserialize)]
pub struct AddForm {
    csrf: String,
    asset: String,
    /// An existing collection's id, or empty with `new_name`.
    #[serde(default)]
    collection: String,
    #[serde(default)]
    new_name: String,
}

/// POST /collections/add: from an asset page, into a chosen or a new collection; back to the
/// asset page, which says where it went.
pub async fn add(
    state: State,
    req: HttpRequest,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, ApiError> {
    let f = form.into_inner();
    let desk: Desk = desk_or_return!(state, req, anyone, Some(&f.csrf));
    let asset: AssetId = f.asset.parse().map_err(|_| ApiError::not_found())?;
    let (viewer, now) = (desk.viewer(), desk.now.clone());
    let into = with_collections(&state, move |c| {
        if f.new_name.trim().is_empty() {
            c.add(&viewer, &f.collection, &asset, &now)
        } else {
            c.create_with(&viewer, &f.new_name, &asset, &now)
        }
    })
    .await?;
    Ok(see_other(&format!("/assets/{asset}?added={}", into.id)))
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
    expires: String,
}

/// POST /collections/{id}/shares: a new link, its address shown on the page this once.
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
    let (_, token) = with_collections(&state, move |c| {
        c.share(
            &actor,
            &at,
            Some(f.expires.as_str()).filter(|e| !e.is_empty()),
            &now,
        )
    })
    .await?;
    let url = format!("{}/s/{token}", portal::public_base(&state, &req));
    collection_page(&state, &req, desk, &id, Some(url)).await
}

/// POST /collections/{id}/shares/{share}/revoke
pub async fn revoke(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<super::account::CsrfForm>,
) -> Result<HttpResponse, ApiError> {
    let csrf = form.into_inner().csrf;
    let desk: Desk = desk_or_return!(state, req, anyone, Some(&csrf));
    let (id, link) = path.into_inner();
    let (actor, back) = (desk.session.actor.clone(), format!("/collections/{id}"));
    with_collections(&state, move |c| c.revoke(&actor, &id, &link, &desk.now)).await?;
    Ok(see_other(&back))
}
