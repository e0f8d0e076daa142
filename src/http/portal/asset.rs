//! GET /assets/{id}: a picture as a press officer needs it: caption as title, the credit line
//! to copy, downloads per preset with sizes, where and when, what use is allowed, where it was
//! taken, more from the same spot, and an embed snippet with absolute, stable addresses.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::cards::{self, card, Card};
use super::labels::{credit_line, truthful_label};
use super::{ok, Chrome, Lang};
use crate::catalog::Filter;
use crate::http::{ApiError, AppState, State};
use crate::model::{Asset, Kind, Status};
use crate::workflow::Workflow;

/// A download button.
struct Download {
    href: String,
    label: String,
    detail: String,
}

/// A fact of the details list; `href` makes the value a link.
struct Fact {
    label: &'static str,
    value: String,
    href: Option<String>,
}

/// The picture at the top of the page.
enum Media {
    Image {
        src: String,
        srcset: String,
        width: u32,
        height: u32,
        alt: String,
    },
    Video {
        src: String,
        poster: Option<String>,
        label: String,
        tracks: Vec<super::player::TrackTag>,
    },
    Text(String),
    Nothing,
}

#[derive(Template)]
#[template(path = "asset.html")]
struct AssetPage {
    chrome: Chrome,
    /// What social sites and oEmbed consumers read from a public picture's page.
    social: Option<Social>,
    id: String,
    title: String,
    /// For staff: the workflow status (code, label).
    status: Option<(&'static str, &'static str)>,
    caption_other: Option<String>,
    media: Media,
    logo: bool,
    backdrop: &'static str,
    credit_line: String,
    access_class: &'static str,
    access: &'static str,
    downloads: Vec<Download>,
    facts: Vec<Fact>,
    themes: Vec<(String, String)>,
    tags: Vec<String>,
    logo_rules: Vec<String>,
    problems: Vec<String>,
    minimap: Option<super::map::MiniMap>,
    related_title: String,
    related: Vec<Card>,
    embed: Option<String>,
    /// What the snippet is, in words (a picture's `<picture>`, a film's player).
    embed_hint: &'static str,
    /// Why there is no embed snippet, when there is none for a picture people can see.
    no_embed: Option<&'static str>,
    /// What the picture may not be used for beyond its licence, in the reader's language.
    restrictions: Vec<String>,
    submit_csrf: Option<String>,
    /// The signed-in person may edit it now (the edit link).
    editable: bool,
    /// For staff: who did what, when and why.
    history: Vec<super::history::Line>,
    /// For anyone signed in: the form that adds it to one of their collections.
    collect: Option<Collect>,
}

/// The "add to collection" form: the person's collections, and the one just added to.
struct Collect {
    csrf: String,
    choices: Vec<(String, String)>,
    added: Option<(String, String)>,
}

/// The form for a signed-in person, from their own collections (newest first).
async fn collect_form(
    state: &State,
    req: &HttpRequest,
    session: Option<&crate::http::session::Session>,
) -> Result<Option<Collect>, ApiError> {
    let Some(session) = session else {
        return Ok(None);
    };
    let (st, actor) = (state.clone(), session.actor.clone());
    let mine = web::block(move || st.collections().owned_by(&actor)).await??;
    let choices: Vec<(String, String)> = mine.into_iter().map(|c| (c.id, c.name)).collect();
    let added = super::query_value(req.query_string(), "added")
        .and_then(|id| choices.iter().find(|(c, _)| *c == id).cloned());
    Ok(Some(Collect {
        csrf: session.csrf.clone(),
        choices,
        added,
    }))
}

/// The scheme and host the public reaches this service at: `--public-url`, else the request's.
pub fn public_base(state: &AppState, req: &HttpRequest) -> String {
    state.settings.public_url.clone().unwrap_or_else(|| {
        let info = req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    })
}

fn downloads(state: &AppState, lang: Lang, asset: &Asset) -> Vec<Download> {
    // What the press takes first (a photo's full size, a film's Full HD and web films), then
    // the web sizes, then the rest in the brand's order.
    let order = |name: &str| {
        let first = ["press", "video-hd", "video-web", "web", "preview"];
        (
            first.iter().position(|p| *p == name).unwrap_or(first.len()),
            state.brand.presets.iter().position(|p| p.name == name),
        )
    };
    let mut renditions: Vec<_> = asset
        .renditions
        .iter()
        .filter(|r| !matches!(r.preset.as_str(), "thumb" | "preview-webp"))
        // A streaming ladder and a thumbnail strip are for the player, not downloads.
        .filter(|r| {
            use crate::model::Format;
            ![Format::Hls.mime(), Format::Strip.mime()].contains(&r.media_type.as_str())
        })
        .collect();
    renditions.sort_by_key(|r| order(&r.preset));
    let mut out: Vec<Download> = renditions
        .into_iter()
        .map(|r| Download {
            href: format!("/api/assets/{}/download?preset={}", asset.id, r.preset),
            label: truthful_label(state, lang, r),
            detail: format!("{}×{} · {}", r.width, r.height, lang.bytes(r.bytes)),
        })
        .collect();
    if asset.kind == Kind::Logo || asset.kind == Kind::Slogan {
        out.insert(
            0,
            Download {
                href: format!("/api/assets/{}/download", asset.id),
                label: match asset.media_type.as_str() {
                    "image/svg+xml" => "SVG".to_owned(),
                    _ => lang.t("asset.original").to_owned(),
                },
                detail: lang.bytes(asset.bytes),
            },
        );
    }
    out
}

fn facts(lang: Lang, asset: &Asset, staff: bool) -> Vec<Fact> {
    let mut facts = Vec::new();
    let mut add = |label: &str, value: String, href: Option<String>| {
        facts.push(Fact {
            label: lang.t(label),
            value,
            href,
        })
    };
    if let Some(s) = &asset.spot {
        let name = lang.pick(&s.name_vi, &s.name_en).to_owned();
        add("asset.spot", name, Some(format!("/?spot={}", s.id)));
    }
    if let Some(c) = &asset.captured_at {
        add("asset.captured", lang.datetime(c), None);
    }
    if let (Some(w), Some(h)) = (asset.width, asset.height) {
        add("asset.size", format!("{w} × {h} px"), None);
    }
    if let Some(d) = asset.duration_s {
        add("asset.duration", lang.duration(d), None);
    }
    if let Some(t) = lang.either(asset.title.vi.as_deref(), asset.title.en.as_deref()) {
        add("asset.headline", t.to_owned(), None);
    }
    let credit = asset.credit.clone().unwrap_or_else(|| "—".into());
    add("asset.credit", credit, None);
    if let Some(c) = asset.copyright.as_deref().filter(|c| !c.trim().is_empty()) {
        add("asset.copyright", c.to_owned(), None);
    }
    if let Some(place) = asset.location.as_ref().and_then(place_named) {
        add("asset.place", place, None);
    }
    let license = asset
        .license
        .clone()
        .unwrap_or_else(|| lang.t("asset.no_license").to_owned());
    add("asset.license", license, None);
    if let Some(camera) = asset.exif.as_ref().and_then(|e| e.camera()) {
        add("asset.camera", camera, None);
    }
    add(
        "asset.kind",
        lang.t(&format!("kind.{}", asset.kind.as_str())).to_owned(),
        None,
    );
    if staff {
        add("asset.file", asset.names.join(", "), None);
        add("asset.added", lang.datetime(&asset.ingested_at), None);
    }
    facts
}

/// Where the file says the picture was taken, as one line (sublocation first).
fn place_named(l: &crate::model::Location) -> Option<String> {
    let parts: Vec<&str> = [&l.sublocation, &l.city, &l.province, &l.country]
        .into_iter()
        .filter_map(|p| p.as_deref().map(str::trim).filter(|p| !p.is_empty()))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The asset's themes and audiences (named in the reader's language, linked to their
/// filter), and its other tags.
fn terms(state: &AppState, lang: Lang, asset: &Asset) -> (Vec<(String, String)>, Vec<String>) {
    let mut named = Vec::new();
    let mut other = Vec::new();
    for tag in &asset.tags {
        let theme = state.brand.term(false, tag).map(|t| ("theme", t));
        match theme.or_else(|| state.brand.term(true, tag).map(|t| ("audience", t))) {
            Some((field, term)) => {
                let entry = (
                    lang.pick(&term.vi, &term.en).to_owned(),
                    format!("/?{field}={}", term.id),
                );
                if !named.contains(&entry) {
                    named.push(entry);
                }
            }
            None if tag != "brand" => {
                other.push(state.brand.tag_label(tag, lang == Lang::Vi).to_owned())
            }
            None => {}
        }
    }
    (named, other)
}

fn logo_rules(state: &AppState, lang: Lang, asset: &Asset) -> Vec<String> {
    state.brand.logo_variant(asset).map_or_else(Vec::new, |v| {
        crate::brand::words::logo_rules(lang, v).to_vec()
    })
}

/// More pictures from the same spot that the viewer may see (four at most).
async fn related(
    state: &State,
    lang: Lang,
    viewer: &crate::model::Viewer,
    a: &Asset,
    staff: bool,
) -> Result<Vec<Card>, ApiError> {
    let Some(spot) = &a.spot else {
        return Ok(Vec::new());
    };
    let filter = Filter {
        spot: Some(spot.id.clone()),
        viewer: Some(viewer.clone()),
        ..Default::default()
    };
    let st = state.clone();
    let page = web::block(move || st.catalog.browse(&filter, 0, 5)).await??;
    Ok(page
        .assets
        .iter()
        .filter(|r| r.id != a.id)
        .take(4)
        .map(|r| card(lang, &state.brand, r, staff))
        .collect())
}

/// The asset's audit trail in the reader's words, for staff; nothing for anyone else.
async fn history(
    state: &State,
    lang: Lang,
    id: crate::model::AssetId,
    staff: bool,
) -> Result<Vec<super::history::Line>, ApiError> {
    if !staff {
        return Ok(Vec::new());
    }
    let st = state.clone();
    let entries = web::block(move || st.catalog.history(&id)).await??;
    Ok(super::history::lines(lang, &entries))
}

/// Why there is no embed snippet, for what could have one: not public, or not published yet.
fn no_embed(lang: Lang, a: &Asset) -> Option<&'static str> {
    matches!(a.kind, Kind::Photo | Kind::Video | Kind::Logo).then(|| {
        if a.access == crate::model::Access::Public {
            lang.t("asset.no_embed.unpublished")
        } else {
            lang.t(&format!("asset.no_embed.{}", a.access))
        }
    })
}

/// What the picture still lacks under the brand's rules, in the reader's words (staff only).
fn problems(lang: Lang, a: &Asset) -> Vec<String> {
    a.violations
        .iter()
        .map(|v| {
            lang.lookup(&format!("rule.{}", v.rule))
                .map_or_else(|| v.message.clone(), str::to_owned)
        })
        .collect()
}

/// Open Graph and Twitter card tags and the oEmbed discovery link of a public page.
struct Social {
    page: String,
    oembed: String,
    description: String,
    image: String,
    width: u32,
    height: u32,
}

/// The social tags of `asset`'s page, when the public may see it: the picture at the size
/// social sites take (1200×630 where made), by its stable address.
fn social(base: &str, lang: Lang, asset: &Asset, now: &str) -> Option<Social> {
    if asset.access != crate::model::Access::Public || !asset.is_published(now) {
        return None;
    }
    let r = ["social-facebook", "web", "preview", "logo-1024"]
        .iter()
        .find_map(|p| cards::rendition(asset, p))?;
    let page = format!("{base}/assets/{}", asset.id);
    let caption = lang.either(asset.caption.vi.as_deref(), asset.caption.en.as_deref());
    Some(Social {
        oembed: format!(
            "{base}/oembed?{}",
            serde_urlencoded::to_string([("format", "json"), ("url", page.as_str())])
                .unwrap_or_default()
        ),
        page,
        description: caption.unwrap_or_default().to_owned(),
        image: format!("{base}/a/{}/{}", asset.id, r.preset),
        width: r.width,
        height: r.height,
    })
}

fn media(lang: Lang, asset: &Asset, title: &str) -> Media {
    let find = |p: &str| cards::rendition(asset, p);
    // The film's web MP4, never one of its social cuts.
    if let Some(m) = super::player::film(asset) {
        return Media::Video {
            src: m.url.clone(),
            poster: find("preview").map(|p| p.url.clone()),
            label: lang.fill("asset.video_label", &[("name", title)]),
            tracks: super::player::tracks("", lang, asset),
        };
    }
    if asset.kind == Kind::Slogan {
        return asset.text.clone().map_or(Media::Nothing, Media::Text);
    }
    let (main, large) = if asset.kind == Kind::Logo {
        (find("logo-1024"), find("logo-2048"))
    } else {
        (find("preview"), find("web"))
    };
    let Some(main) = main else {
        return Media::Nothing;
    };
    let srcset = match large {
        Some(l) if l.width != main.width => {
            format!("{} {}w, {} {}w", main.url, main.width, l.url, l.width)
        }
        _ => String::new(),
    };
    Media::Image {
        src: main.url.clone(),
        srcset,
        width: main.width,
        height: main.height,
        alt: title.to_owned(),
    }
}

/// The snippet an agency pastes: `<picture>` with WebP and JPEG sources at distinct widths,
/// absolute `/a/{id}/{preset}` addresses (stable across re-renders), the caption as `alt`.
fn embed(base: &str, lang: Lang, asset: &Asset, title: &str, credit_line: &str) -> Option<String> {
    // A film: its player, framed.
    if let Some(film) = super::player::film(asset) {
        return Some(super::player::iframe(
            base,
            asset,
            title,
            (film.width, film.height),
        ));
    }
    let at = |p: &str| format!("{base}/a/{}/{p}", asset.id);
    let srcset = |presets: &[&str]| -> Vec<String> {
        let mut widths = Vec::new();
        let mut parts = Vec::new();
        for p in presets {
            if let Some(r) = cards::rendition(asset, p) {
                if !widths.contains(&r.width) {
                    widths.push(r.width);
                    parts.push(format!("{} {}w", at(p), r.width));
                }
            }
        }
        parts
    };
    let alt = askama::filters::escape(title, askama::filters::Html)
        .ok()?
        .to_string();
    let figcaption = askama::filters::escape(credit_line, askama::filters::Html)
        .ok()?
        .to_string();
    let (img_preset, jpeg, webp) = match asset.kind {
        Kind::Logo => ("logo-512", srcset(&["logo-512", "logo-1024"]), Vec::new()),
        Kind::Photo | Kind::Video => (
            "preview",
            srcset(&["preview", "web"]),
            srcset(&["thumb", "preview-webp"]),
        ),
        _ => return None,
    };
    let r = cards::rendition(asset, img_preset)?;
    let (w, h) = (r.width, r.height);
    let sizes = format!("(max-width: {w}px) 100vw, {w}px");
    let mut html = format!("<figure lang=\"{}\">\n<picture>\n", lang.code());
    if !webp.is_empty() {
        html += &format!(
            "  <source type=\"image/webp\" srcset=\"{}\" sizes=\"{sizes}\">\n",
            webp.join(", ")
        );
    }
    let jpeg_type = if asset.kind == Kind::Logo {
        "image/png"
    } else {
        "image/jpeg"
    };
    html += &format!(
        "  <source type=\"{jpeg_type}\" srcset=\"{}\" sizes=\"{sizes}\">\n  <img src=\"{}\" width=\"{w}\" height=\"{h}\" alt=\"{alt}\" loading=\"lazy\" style=\"max-width:100%;height:auto\">\n</picture>\n<figcaption>{figcaption}</figcaption>\n</figure>",
        jpeg.join(", "),
        at(img_preset),
    );
    Some(html)
}

/// GET /assets/{id}
pub async fn asset(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (viewer, session) = crate::http::signed_in(&state, &req, None).await?;
    let a = crate::http::api::visible_to(&state, &viewer, &id).await?;
    let chrome = Chrome::new(&state, &req, Some(&viewer));
    let lang = chrome.lang;
    let staff = viewer.actor.as_ref().is_some_and(|x| x.role.edits());
    let related = related(&state, lang, &viewer, &a, staff).await?;
    let title = cards::title(lang, &state.brand, &a);
    let other = lang
        .other()
        .either(a.caption.vi.as_deref(), a.caption.en.as_deref());
    let caption_other = other.filter(|c| *c != title).map(str::to_owned);
    let credit_line = credit_line(lang, &a, &title);
    let base = public_base(&state, &req);
    let (themes, tags) = terms(&state, lang, &a);
    let editable = viewer
        .actor
        .as_ref()
        .is_some_and(|x| Workflow::may_edit(&a, x).is_ok());
    let submit_csrf = session
        .as_ref()
        .filter(|_| editable && a.status == Status::Draft)
        .map(|s| s.csrf.clone());
    let page = AssetPage {
        social: social(&base, lang, &a, &viewer.now),
        id: a.id.to_hex(),
        status: staff.then(|| {
            let code = a.status.as_str();
            (code, lang.t(&format!("status.{code}")))
        }),
        media: media(lang, &a, &title),
        logo: a.kind == Kind::Logo,
        backdrop: cards::backdrop(&state.brand, &a),
        access_class: a.access.as_str(),
        access: lang.t(&format!("access.{}", a.access.as_str())),
        downloads: downloads(&state, lang, &a),
        facts: facts(lang, &a, staff),
        themes,
        tags,
        logo_rules: logo_rules(&state, lang, &a),
        problems: if staff {
            problems(lang, &a)
        } else {
            Vec::new()
        },
        minimap: super::map::MiniMap::of(&state.brand.gazetteer, &a),
        related_title: a.spot.as_ref().map_or_else(String::new, |s| {
            lang.fill(
                "asset.related",
                &[("spot", lang.pick(&s.name_vi, &s.name_en))],
            )
        }),
        related,
        // Only where it works: `/a/` answers the public for public, published pictures.
        embed: (a.access == crate::model::Access::Public && a.is_published(&viewer.now))
            .then(|| embed(&base, lang, &a, &title, &credit_line))
            .flatten(),
        embed_hint: lang.t(if super::player::film(&a).is_some() {
            "asset.embed_hint_film"
        } else {
            "asset.embed_hint"
        }),
        no_embed: no_embed(lang, &a),
        restrictions: crate::model::restrictions(&a)
            .into_iter()
            .map(|r| lang.pick(&r.vi, &r.en).to_owned())
            .collect(),
        submit_csrf,
        editable: editable && session.is_some(),
        history: history(&state, lang, a.id, staff).await?,
        collect: collect_form(&state, &req, session.as_ref()).await?,
        caption_other,
        credit_line,
        chrome: chrome.titled(title.clone(), "library"),
        title,
    };
    ok(&req, &page)
}
