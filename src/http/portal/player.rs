//! The film player a partner site embeds: `GET /v/{id}` is a lean page (no site menu) holding
//! the browser's own `<video>` with the film's web MP4, its poster and every subtitle track
//! labelled in its own language, the one matching the reader's language on by default; the
//! title and credit under it. The browser's controls are keyboard and screen-reader usable,
//! and nothing else is sent: no third-party anything. A long film's page also names its HLS
//! master and brandvault's own small player script (`web/static/player.js`), which streams
//! it where the browser cannot; the MP4 stays the fallback. It may be framed by any site
//! (this page only); everything else stays unframeable. Anyone may open the player of
//! a film they may see; the embed snippet and oEmbed offer it for public films only.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{cards, labels, public_base, Lang};
use crate::http::{ApiError, State};
use crate::model::{Asset, Kind, Rendition};

/// The film's playable MP4 (its web preview).
pub fn film(asset: &Asset) -> Option<&Rendition> {
    if asset.kind != Kind::Video {
        return None;
    }
    cards::rendition(asset, "video-web").or_else(|| {
        asset
            .renditions
            .iter()
            .find(|r| r.media_type == "video/mp4")
    })
}

/// One `<track>`: its address, language and label; `default` for the reader's language.
pub struct TrackTag {
    pub src: String,
    pub lang: String,
    pub label: String,
    pub default: bool,
}

/// The film's tracks as `<track>` elements want them (`base`: "" for this site's pages, the
/// absolute origin for snippets).
pub fn tracks(base: &str, lang: Lang, asset: &Asset) -> Vec<TrackTag> {
    let mut default_taken = false;
    asset
        .subtitles
        .iter()
        .map(|t| {
            let default = !default_taken && t.lang.split('-').next() == Some(lang.code());
            default_taken |= default;
            TrackTag {
                src: format!(
                    "{base}{}",
                    crate::http::subtitles::track_url(asset, &t.lang)
                ),
                lang: t.lang.clone(),
                label: t.label(),
                default,
            }
        })
        .collect()
}

/// The `<iframe>` a partner site pastes for a film of `width` × `height` px, its title as
/// the frame's accessible name.
pub fn iframe(base: &str, asset: &Asset, title: &str, (width, height): (u32, u32)) -> String {
    let title = askama::filters::escape(title, askama::filters::Html)
        .map(|t| t.to_string())
        .unwrap_or_default();
    format!(
        "<iframe src=\"{base}/v/{}\" width=\"{width}\" height=\"{height}\" title=\"{title}\" \
         allow=\"fullscreen; picture-in-picture\" allowfullscreen loading=\"lazy\" \
         style=\"border:0;max-width:100%;aspect-ratio:{width}/{height};height:auto\"></iframe>",
        asset.id
    )
}

#[derive(Template)]
#[template(path = "player.html")]
struct PlayerPage {
    lang: Lang,
    title: String,
    credit_line: String,
    page: String,
    site: String,
    stylesheet: String,
    src: String,
    poster: Option<String>,
    width: u32,
    height: u32,
    tracks: Vec<TrackTag>,
    label: String,
    /// The HLS master of a long film, and the script that plays it.
    hls: Option<String>,
    script: String,
    /// The thumbnail strip's tiles, and its sprite's address and size.
    strip: Vec<StripTile>,
    sprite: Option<(String, u32, u32)>,
}

/// One tile of the strip under the film: a button that seeks to its time.
struct StripTile {
    seconds: u64,
    time: String,
    label: String,
    view_box: String,
    width: u32,
    height: u32,
}

/// The film's thumbnail strip as tiles for `lang`, and its sprite (address, width, height):
/// laid out from the film's length and the sprite's size, as the strip's cues were.
fn strip(lang: Lang, asset: &Asset) -> (Vec<StripTile>, Option<(String, u32, u32)>) {
    let strip = asset
        .renditions
        .iter()
        .find(|r| r.media_type == crate::model::Format::Strip.mime());
    let Some((r, sprite)) = strip.and_then(|r| Some((r, r.parts.first()?))) else {
        return (Vec::new(), None);
    };
    let duration = asset.duration_s.unwrap_or(0.0);
    let tiles = crate::render::strip::layout(duration, (r.width, r.height))
        .into_iter()
        .map(|t| {
            let seconds = t.start_ms / 1000;
            let time = format!("{}:{:02}", seconds / 60, seconds % 60);
            StripTile {
                seconds,
                label: lang.fill("player.seek", &[("time", &time)]),
                time,
                view_box: format!("{} {} {} {}", t.x, t.y, t.width, t.height),
                width: t.width,
                height: t.height,
            }
        })
        .collect();
    (tiles, Some((sprite.clone(), r.width, r.height)))
}

/// The film's streaming ladder (its master playlist), if it has one.
pub fn stream(asset: &Asset) -> Option<&Rendition> {
    asset
        .renditions
        .iter()
        .find(|r| r.media_type == crate::model::Format::Hls.mime())
}

/// Pages that only this site may frame, except the player: any site may frame it.
/// The script is this site's own; it fetches playlists and segments from here and hands
/// them to the `<video>` as a `blob:` media source.
const CSP: &str = "default-src 'none'; img-src 'self'; media-src 'self' blob:; \
                   script-src 'self'; connect-src 'self'; style-src 'self'; font-src 'self'; \
                   base-uri 'none'; form-action 'none'; frame-ancestors *";

/// GET /v/{id}
pub async fn player(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (asset, _) = crate::http::api::visible_asset(&state, &req, &id).await?;
    let video = film(&asset).ok_or_else(ApiError::not_found)?;
    let lang = super::language(&req).0;
    let title = cards::title(lang, &state.brand, &asset);
    let chrome = super::Chrome::new(&state, &req, None);
    let (strip, sprite) = strip(lang, &asset);
    let page = PlayerPage {
        lang,
        credit_line: labels::credit_line(lang, &asset, &title),
        page: format!("{}/assets/{}", public_base(&state, &req), asset.id),
        site: chrome.site.clone(),
        stylesheet: chrome.stylesheet.clone(),
        src: format!("/a/{}/{}", asset.id, video.preset),
        poster: cards::rendition(&asset, "preview").map(|p| p.url.clone()),
        width: video.width,
        height: video.height,
        tracks: tracks("", lang, &asset),
        label: lang.fill("asset.video_label", &[("name", &title)]),
        hls: stream(&asset).map(|r| r.url.clone()),
        script: state.statics.player_url.clone(),
        strip,
        sprite,
        title,
    };
    let html = page.render().map_err(ApiError::internal)?;
    Ok(HttpResponse::build(StatusCode::OK)
        .content_type("text/html; charset=utf-8")
        .insert_header(("content-security-policy", CSP))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("referrer-policy", "strict-origin-when-cross-origin"))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-cache"))
        .body(html))
}
