//! GET /feed.atom: the newly published pictures as an Atom feed (RFC 4287) for newsrooms,
//! with the listing's filters (spot, theme, audience, tag, kind, dates, text). Each entry
//! carries the caption in both languages, the credit as its author, the licence as its
//! rights, the spot and themes as categories, a preview (Media RSS thumbnail and in the HTML
//! content) and the press rendition as its enclosure.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::api::ListQuery;
use super::{viewer, ApiError, State};
use crate::catalog::Filter;
use crate::model::Asset;

/// Entries in one feed unless `limit` asks for another number (1 to 500).
const ENTRIES: usize = 50;

/// Text made safe for XML content and attribute values.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// GET /feed.atom
#[utoipa::path(get, path = "/feed.atom", tag = "delivery", params(ListQuery),
    responses(
        (status = 200, description = "The latest published pictures matching the filters, as Atom (RFC 4287)", content_type = "application/atom+xml"),
        (status = 400, description = "A malformed filter (the code names it)", body = super::error::ErrorBody),
    ))]
pub async fn feed(
    state: State,
    req: HttpRequest,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &req).await?;
    let entries = match query.limit {
        None => ENTRIES,
        Some(n @ 1..=500) => n,
        Some(_) => {
            return Err(ApiError::new(
                crate::model::ErrorKind::InvalidInput,
                "bad-limit",
                "limit is 1 to 500",
            ))
        }
    };
    let filter = Filter {
        viewer: Some(viewer.clone()),
        ..query.filter(&state.brand)?
    };
    let st = state.clone();
    let assets = web::block(move || st.catalog.newest_published(&filter, entries)).await??;
    let base = super::portal::public_base(&state, &req);
    let query = req.query_string();
    let suffix = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let site = state.brand.guidelines.as_ref().map_or_else(
        || "brandvault".to_owned(),
        |g| format!("{} · {}", g.names.vi, g.names.en),
    );
    let updated = assets
        .first()
        .and_then(|a| a.published_at.clone())
        .unwrap_or_else(|| viewer.now.clone());
    let mut out = String::with_capacity(4096 + assets.len() * 2048);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:media=\"http://search.yahoo.com/mrss/\" xml:lang=\"vi\">\n");
    out.push_str(&format!(
        "<title>{} — Ảnh mới công bố / Newly published</title>\n",
        xml(&site)
    ));
    out.push_str(&format!(
        "<id>{}</id>\n<updated>{}</updated>\n",
        xml(&format!("{base}/feed.atom{suffix}")),
        xml(&updated)
    ));
    out.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml(&format!("{base}/feed.atom{suffix}"))
    ));
    out.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml(&format!("{base}/{suffix}"))
    ));
    out.push_str(&format!(
        "<author><name>{}</name></author>\n<generator>brandvault</generator>\n",
        xml(&site)
    ));
    for asset in &assets {
        entry(&mut out, &state, &base, asset);
    }
    out.push_str("</feed>\n");
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        // Public data: a feed reader or a partner's page script may read it from anywhere.
        .insert_header((actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(out))
}

fn entry(out: &mut String, state: &State, base: &str, a: &Asset) {
    let vi = super::portal::cards::title(super::portal::Lang::Vi, &state.brand, a);
    let en = a.caption.en.clone().unwrap_or_default();
    let page = format!("{base}/assets/{}", a.id);
    let published = a
        .published_at
        .clone()
        .unwrap_or_else(|| a.ingested_at.clone());
    out.push_str("<entry>\n");
    out.push_str(&format!("<title>{}</title>\n", xml(&vi)));
    out.push_str(&format!("<id>{}</id>\n", xml(&page)));
    out.push_str(&format!(
        "<published>{0}</published>\n<updated>{0}</updated>\n",
        xml(&published)
    ));
    out.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml(&page)
    ));
    let credit = a.credit.as_deref().filter(|c| !c.trim().is_empty());
    if let Some(credit) = credit {
        out.push_str(&format!("<author><name>{}</name></author>\n", xml(credit)));
    }
    if let Some(license) = a.license.as_deref().filter(|l| !l.trim().is_empty()) {
        out.push_str(&format!("<rights>{}</rights>\n", xml(license)));
    }
    if let Some(spot) = &a.spot {
        out.push_str(&format!(
            "<category term=\"{}\" scheme=\"{}\" label=\"{}\"/>\n",
            xml(&spot.id),
            xml(&format!("{base}/spots")),
            xml(&spot.name_vi)
        ));
    }
    for tag in &a.tags {
        // The id stays the term; the label is the words a reader sees (the feed is in
        // Vietnamese).
        out.push_str(&format!(
            "<category term=\"{}\" label=\"{}\"/>\n",
            xml(tag),
            xml(state.brand.tag_label(tag, true))
        ));
    }
    let preview = ["preview", "thumb", "logo-1024"]
        .iter()
        .find_map(|p| a.renditions.iter().find(|r| &r.preset == p));
    // The stable address, not the rendition's hash: a reader's cached entry keeps working
    // after an edit rewrites the rendition.
    let stable = |r: &crate::model::Rendition| format!("{base}/a/{}/{}", a.id, r.preset);
    if let Some(r) = preview {
        out.push_str(&format!(
            "<media:thumbnail url=\"{}\" width=\"{}\" height=\"{}\"/>\n",
            xml(&stable(r)),
            r.width,
            r.height
        ));
    }
    if let Some(r) = a.renditions.iter().find(|r| r.preset == "press") {
        out.push_str(&format!(
            "<link rel=\"enclosure\" type=\"{}\" length=\"{}\" href=\"{}\"/>\n",
            xml(&r.media_type),
            r.bytes,
            xml(&format!("{base}/a/{}/press", a.id))
        ));
    }
    let summary = [
        Some(vi.as_str()),
        Some(en.as_str()).filter(|e| !e.is_empty() && *e != vi),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" / ");
    out.push_str(&format!(
        "<summary type=\"text\">{}</summary>\n",
        xml(&summary)
    ));
    let mut html = String::new();
    if let Some(r) = preview {
        html += &format!(
            "<p><img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"{}\"></p>",
            xml(&stable(r)),
            r.width,
            r.height,
            xml(&vi)
        );
    }
    html += &format!("<p lang=\"vi\">{}</p>", xml(&vi));
    if !en.is_empty() {
        html += &format!("<p lang=\"en\">{}</p>", xml(&en));
    }
    html += &format!(
        "<p>{}</p>",
        xml(&super::portal::credit_line(super::portal::Lang::Vi, a, &vi))
    );
    out.push_str(&format!(
        "<content type=\"html\">{}</content>\n",
        xml(&html)
    ));
    out.push_str("</entry>\n");
}
