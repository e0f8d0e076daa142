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

/// The feed's escaper (askama, `.atom` templates): XML's five entities, and the characters
/// XML 1.0 forbids (C0 controls other than tab and line breaks) dropped, since a caption read
/// from a camera file may carry them and one would make the whole feed unreadable.
#[derive(Debug, Clone, Copy, Default)]
pub struct Xml;

impl askama::filters::Escaper for Xml {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, text: &str) -> std::fmt::Result {
        for c in text.chars() {
            self.write_escaped_char(&mut dest, c)?;
        }
        Ok(())
    }

    fn write_escaped_char<W: std::fmt::Write>(&self, mut dest: W, c: char) -> std::fmt::Result {
        match c {
            '&' => dest.write_str("&amp;"),
            '<' => dest.write_str("&lt;"),
            '>' => dest.write_str("&gt;"),
            '"' => dest.write_str("&quot;"),
            '\'' => dest.write_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => Ok(()),
            c => dest.write_char(c),
        }
    }
}

/// A picture in the feed: where it is and how large.
struct Picture {
    url: String,
    width: u32,
    height: u32,
    media_type: String,
    bytes: u64,
}

struct Category {
    term: String,
    scheme: Option<String>,
    label: String,
}

struct Entry {
    title: String,
    page: String,
    published: String,
    credit: Option<String>,
    license: Option<String>,
    categories: Vec<Category>,
    preview: Option<Picture>,
    enclosure: Option<Picture>,
    summary: String,
    /// The entry's HTML, escaped once more as the feed's text.
    content: String,
}

#[derive(askama::Template)]
#[template(path = "feed.atom")]
struct Feed {
    site: String,
    self_url: String,
    home: String,
    updated: String,
    entries: Vec<Entry>,
}

/// The HTML a feed reader shows for an entry.
#[derive(askama::Template)]
#[template(path = "feed_entry.html")]
struct EntryHtml<'a> {
    preview: Option<&'a Picture>,
    vi: &'a str,
    en: &'a str,
    credit_line: String,
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
    let self_url = format!("{base}/feed.atom{suffix}");
    let feed = Feed {
        site,
        home: format!("{base}/{suffix}"),
        updated,
        entries: assets
            .iter()
            .map(|a| entry(&state, &base, a))
            .collect::<Result<_, _>>()
            .map_err(ApiError::internal)?,
        self_url,
    };
    let out = askama::Template::render(&feed).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        // Public data: a feed reader or a partner's page script may read it from anywhere.
        .insert_header((actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(out))
}

fn entry(state: &State, base: &str, a: &Asset) -> Result<Entry, askama::Error> {
    let vi = super::portal::cards::title(super::portal::Lang::Vi, &state.brand, a);
    let en = a.caption.en.clone().unwrap_or_default();
    let nonblank = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    let mut categories: Vec<Category> = a
        .spot
        .iter()
        .map(|spot| Category {
            term: spot.id.clone(),
            scheme: Some(format!("{base}/spots")),
            label: spot.name_vi.clone(),
        })
        .collect();
    // The id stays the term; the label is the words a reader sees (the feed is in Vietnamese).
    categories.extend(a.tags.iter().map(|tag| Category {
        term: tag.clone(),
        scheme: None,
        label: state.brand.tag_label(tag, true).to_owned(),
    }));
    // The stable address, not the rendition's hash: a reader's cached entry keeps working
    // after an edit rewrites the rendition.
    let picture = |r: &crate::model::Rendition| Picture {
        url: format!("{base}/a/{}/{}", a.id, r.preset),
        width: r.width,
        height: r.height,
        media_type: r.media_type.clone(),
        bytes: r.bytes,
    };
    let preview = ["preview", "thumb", "logo-1024"]
        .iter()
        .find_map(|p| a.renditions.iter().find(|r| &r.preset == p))
        .map(picture);
    let summary = [
        Some(vi.as_str()),
        Some(en.as_str()).filter(|e| !e.is_empty() && *e != vi),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" / ");
    let content = EntryHtml {
        preview: preview.as_ref(),
        vi: &vi,
        en: &en,
        credit_line: super::portal::credit_line(super::portal::Lang::Vi, a, &vi),
    };
    Ok(Entry {
        page: format!("{base}/assets/{}", a.id),
        published: a
            .published_at
            .clone()
            .unwrap_or_else(|| a.ingested_at.clone()),
        credit: nonblank(&a.credit),
        license: nonblank(&a.license),
        categories,
        enclosure: a
            .renditions
            .iter()
            .find(|r| r.preset == "press")
            .map(picture),
        summary,
        content: askama::Template::render(&content)?,
        preview,
        title: vi,
    })
}

#[cfg(test)]
mod tests {
    use askama::filters::Escaper;

    #[test]
    fn xml_escapes_five_entities_and_drops_what_xml_forbids() {
        let mut out = String::new();
        super::Xml
            .write_escaped_str(&mut out, "Ảnh \"Bù Lạch\" & <mây>'\u{b}\u{0}\t\n")
            .unwrap();
        assert_eq!(out, "Ảnh &quot;Bù Lạch&quot; &amp; &lt;mây&gt;&apos;\t\n");
    }
}
