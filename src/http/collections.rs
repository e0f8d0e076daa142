//! The collections API: a signed-in person's named, ordered sets of assets and their share
//! links. A collection someone else owns does not exist for the caller (404), as does an
//! asset they may not see.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::{caller, ApiError, State};
use crate::collections::{CollectionEdit, Collections, NewLink};
use crate::model::{Actor, AssetId, Collection, ErrorKind, Viewer};

/// A collection as the API shows it: share links with their label, address, expiry and uses,
/// never their hash.
#[derive(Serialize, ToSchema)]
pub struct CollectionView {
    id: String,
    name: String,
    description: Option<String>,
    owner: String,
    created_at: String,
    /// Asset ids, in the collection's order.
    #[schema(value_type = Vec<AssetId>)]
    items: Vec<AssetId>,
    shares: Vec<ShareView>,
}

#[derive(Serialize, ToSchema)]
pub struct ShareView {
    id: String,
    /// What its maker calls it; null for links made before labels.
    label: Option<String>,
    /// The link's address, shown to the collection's owner at any time; null for a link made
    /// before addresses could be shown again.
    url: Option<String>,
    /// The last day the link works (UTC, `YYYY-MM-DD`); null: until revoked (old links only).
    #[schema(format = Date)]
    expires_at: Option<String>,
    /// How many times its page was opened.
    opens: u64,
    /// How many files and ZIPs were downloaded through it.
    downloads: u64,
    created_at: String,
    created_by: String,
}

/// The collection as the API shows it, its links with their addresses (under `base`) and
/// their counted uses.
pub(crate) fn described(
    c: &Collections<'_>,
    collection: Collection,
    base: &str,
) -> Result<CollectionView, crate::collections::CollectionError> {
    let uses = c.uses(&collection.shares)?;
    let shares = collection
        .shares
        .into_iter()
        .zip(uses)
        .map(|(s, (opens, downloads))| ShareView {
            url: c.token_of(&s).map(|t| format!("{base}/s/{t}")),
            id: s.id,
            label: s.label,
            expires_at: s.expires,
            opens,
            downloads,
            created_at: s.created_at,
            created_by: s.created_by,
        })
        .collect();
    Ok(CollectionView {
        shares,
        id: collection.id,
        name: collection.name,
        description: collection.description,
        owner: collection.owner,
        created_at: collection.created_at,
        items: collection.items,
    })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCollection {
    /// 1 to 120 characters, not only spaces, no control characters.
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: String,
    #[schema(max_length = 2000)]
    description: Option<String>,
}

/// Only the fields given change; `items` must be the same assets in a new order.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionPatch {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: Option<String>,
    #[serde(default, deserialize_with = "super::api::some")]
    #[schema(max_length = 2000)]
    description: Option<Option<String>>,
    #[schema(value_type = Option<Vec<AssetId>>)]
    items: Option<Vec<AssetId>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    #[schema(value_type = AssetId)]
    asset: AssetId,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewShare {
    /// What to call the link (at most 120 characters, no control characters); omitted or
    /// blank: the collection's name and today.
    #[schema(max_length = 120, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    label: Option<String>,
    /// The last day the link works, `YYYY-MM-DD` (UTC), from today to a year ahead; omitted:
    /// 30 days from today. `expires` is the same field's older name.
    #[serde(alias = "expires")]
    #[schema(format = Date)]
    expires_at: Option<String>,
}

/// A new share link; its owner sees its `url` again in `GET /api/collections/{id}`.
#[derive(Serialize, ToSchema)]
pub struct ShareCreated {
    id: String,
    label: Option<String>,
    url: String,
    #[schema(format = Date)]
    expires_at: Option<String>,
}

/// The signed-in caller, or 401.
async fn signed_in(state: &State, req: &HttpRequest) -> Result<(Viewer, Actor), ApiError> {
    let viewer = caller(state, req, None).await?;
    let actor = viewer.actor.clone().ok_or_else(|| {
        ApiError::new(
            ErrorKind::Unauthenticated,
            "unauthenticated",
            "sign in, or send an API token as `Authorization: Bearer …`",
        )
    })?;
    Ok((viewer, actor))
}

/// Runs `f` with the collections layer on a blocking thread.
pub(crate) async fn with_collections<T: Send + 'static>(
    state: &State,
    f: impl FnOnce(Collections<'_>) -> Result<T, crate::collections::CollectionError> + Send + 'static,
) -> Result<T, ApiError> {
    let st = state.clone();
    Ok(web::block(move || f(st.collections())).await??)
}

/// GET /api/collections: the caller's collections, newest first.
#[utoipa::path(get, path = "/api/collections", tag = "collections", operation_id = "list_collections",
    responses(
        (status = 200, description = "The caller's collections", body = Vec<CollectionView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn list(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (_, actor) = signed_in(&state, &req).await?;
    let base = super::portal::public_base(&state, &req);
    let views = with_collections(&state, move |c| {
        let mine = c.owned_by(&actor)?;
        mine.into_iter()
            .map(|m| described(&c, m, &base))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(views))
}

/// POST /api/collections
#[utoipa::path(post, path = "/api/collections", tag = "collections", request_body = NewCollection,
    responses(
        (status = 201, description = "The new collection", body = CollectionView),
        (status = 400, description = "A bad name or description", body = ErrorBody),
        (status = 413, description = "The body is over 64 KiB", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn create(
    state: State,
    req: HttpRequest,
    body: super::json::JsonObject<NewCollection>,
) -> Result<HttpResponse, ApiError> {
    let (viewer, actor) = signed_in(&state, &req).await?;
    let NewCollection { name, description } = body.into_inner();
    let base = super::portal::public_base(&state, &req);
    let made = with_collections(&state, move |c| {
        let made = c.create(&actor, &name, description.as_deref(), &viewer.now)?;
        described(&c, made, &base)
    })
    .await?;
    Ok(HttpResponse::Created().json(made))
}

/// GET /api/collections/{id}
#[utoipa::path(get, path = "/api/collections/{id}", tag = "collections", operation_id = "show_collection",
    params(("id" = String, Path, description = "The collection's id")),
    responses(
        (status = 200, description = "The collection with its share links", body = CollectionView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such collection, or not the caller's", body = ErrorBody),
    ))]
pub async fn show(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (_, actor) = signed_in(&state, &req).await?;
    let base = super::portal::public_base(&state, &req);
    let found =
        with_collections(&state, move |c| described(&c, c.get(&actor, &id)?, &base)).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// PATCH /api/collections/{id}: rename, describe or reorder, in one commit.
#[utoipa::path(patch, path = "/api/collections/{id}", tag = "collections", operation_id = "edit_collection",
    params(("id" = String, Path, description = "The collection's id")),
    request_body = CollectionPatch,
    responses(
        (status = 200, description = "The collection as changed", body = CollectionView),
        (status = 400, description = "A bad value", body = ErrorBody),
        (status = 413, description = "The body is over 64 KiB", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such collection, or not the caller's", body = ErrorBody),
        (status = 409, description = "`items` is not the collection's assets in a new order", body = ErrorBody),
    ))]
pub async fn edit(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    body: super::json::JsonObject<CollectionPatch>,
) -> Result<HttpResponse, ApiError> {
    let (viewer, actor) = signed_in(&state, &req).await?;
    let CollectionPatch {
        name,
        description,
        items,
    } = body.into_inner();
    let edit = CollectionEdit {
        name,
        description,
        items,
    };
    let base = super::portal::public_base(&state, &req);
    let changed = with_collections(&state, move |c| {
        described(&c, c.edit(&actor, &id, edit, &viewer.now)?, &base)
    })
    .await?;
    Ok(HttpResponse::Ok().json(changed))
}

/// DELETE /api/collections/{id}: its share links stop working.
#[utoipa::path(delete, path = "/api/collections/{id}", tag = "collections",
    params(("id" = String, Path, description = "The collection's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such collection, or not the caller's", body = ErrorBody),
    ))]
pub async fn delete(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (viewer, actor) = signed_in(&state, &req).await?;
    with_collections(&state, move |c| c.delete(&actor, &id, &viewer.now)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// POST /api/collections/{id}/items: adds an asset the caller may see.
#[utoipa::path(post, path = "/api/collections/{id}/items", tag = "collections",
    params(("id" = String, Path, description = "The collection's id")),
    request_body = NewItem,
    responses(
        (status = 200, description = "The collection with the asset (already there: unchanged)", body = CollectionView),
        (status = 400, description = "A malformed body", body = ErrorBody),
        (status = 413, description = "The body is over 64 KiB", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such collection or asset, or one the caller may not see", body = ErrorBody),
        (status = 409, description = "The collection is full", body = ErrorBody),
    ))]
pub async fn add_item(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    body: super::json::JsonObject<NewItem>,
) -> Result<HttpResponse, ApiError> {
    let (viewer, _) = signed_in(&state, &req).await?;
    let asset = body.asset;
    let base = super::portal::public_base(&state, &req);
    let changed = with_collections(&state, move |c| {
        let at = viewer.now.clone();
        described(&c, c.add(&viewer, &id, &[asset], &at)?, &base)
    })
    .await?;
    Ok(HttpResponse::Ok().json(changed))
}

/// DELETE /api/collections/{id}/items/{asset}
#[utoipa::path(delete, path = "/api/collections/{id}/items/{asset}", tag = "collections",
    params(
        ("id" = String, Path, description = "The collection's id"),
        ("asset" = AssetId, Path, description = "An asset in it"),
    ),
    responses(
        (status = 200, description = "The collection without the asset", body = CollectionView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such collection, or the asset is not in it", body = ErrorBody),
    ))]
pub async fn remove_item(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (viewer, actor) = signed_in(&state, &req).await?;
    let (id, asset) = path.into_inner();
    let asset: AssetId = asset.parse().map_err(|_| ApiError::not_found())?;
    let base = super::portal::public_base(&state, &req);
    let changed = with_collections(&state, move |c| {
        described(&c, c.remove(&actor, &id, &asset, &viewer.now)?, &base)
    })
    .await?;
    Ok(HttpResponse::Ok().json(changed))
}

/// POST /api/collections/{id}/shares: a new share link, shown once.
#[utoipa::path(post, path = "/api/collections/{id}/shares", tag = "collections",
    params(("id" = String, Path, description = "The collection's id")),
    request_body(content = Option<NewShare>, description = "Optional: `label`, `expires_at`"),
    responses(
        (status = 201, description = "The link, with its address", body = ShareCreated),
        (status = 400, description = "A bad label, or an expiry that is not a date", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such collection, or not the caller's", body = ErrorBody),
        (status = 409, description = "Too many live links, or `expires_at` is already past or more than a year ahead", body = ErrorBody),
    ))]
pub async fn share(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (viewer, actor) = signed_in(&state, &req).await?;
    // The body is optional: no body is a link with the default label and length.
    let body: NewShare = super::json::optional_object(&body)?;
    let asked = NewLink {
        label: body.label,
        expires: body.expires_at,
    };
    let (link, token) =
        with_collections(&state, move |c| c.share(&actor, &id, asked, &viewer.now)).await?;
    let base = super::portal::public_base(&state, &req);
    Ok(HttpResponse::Created().json(ShareCreated {
        url: format!("{base}/s/{token}"),
        id: link.id,
        label: link.label,
        expires_at: link.expires,
    }))
}

/// DELETE /api/collections/{id}/shares/{share}: the link answers 404 from now on.
#[utoipa::path(delete, path = "/api/collections/{id}/shares/{share}", tag = "collections",
    params(
        ("id" = String, Path, description = "The collection's id"),
        ("share" = String, Path, description = "The link's id (from GET /api/collections/{id})"),
    ),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such collection or link", body = ErrorBody),
    ))]
pub async fn revoke(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (viewer, actor) = signed_in(&state, &req).await?;
    let (id, link) = path.into_inner();
    with_collections(&state, move |c| c.revoke(&actor, &id, &link, &viewer.now)).await?;
    Ok(HttpResponse::NoContent().finish())
}
