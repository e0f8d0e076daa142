//! Server-rendered pages: light, no scripts, Vietnamese by default with an English switch.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::api::{visible_asset, ListQuery};
use super::{viewer, ApiError, State};
use crate::catalog::Filter;
use crate::model::{Asset, Kind};

/// The page language; a page's filters are the API's (`ListQuery`), from the same query string.
#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

impl LangQuery {
    /// English rather than Vietnamese.
    pub fn en(&self) -> bool {
        self.lang.as_deref() == Some("en")
    }
}

/// A phrase in the page's language.
pub(super) fn t<'a>(en: bool, vi: &'a str, english: &'a str) -> &'a str {
    if en {
        english
    } else {
        vi
    }
}

/// What a link appends to stay in English.
pub(super) fn lang_suffix(en: bool) -> &'static str {
    if en {
        "?lang=en"
    } else {
        ""
    }
}

pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(super) fn layout(en: bool, title: &str, body: &str, switch: &str) -> HttpResponse {
    let html = format!(
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,"Be Vietnam Pro",Arial,sans-serif;margin:0;color:#1F2A30}}
header{{background:#1B6B3A;color:#fff;padding:.8rem 1.2rem;display:flex;gap:1rem;align-items:center}}
header a{{color:#fff}} main{{padding:1rem 1.2rem}} .grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:1rem}}
.card{{border:1px solid #ddd;border-radius:8px;overflow:hidden}} .card img{{width:100%;aspect-ratio:3/2;object-fit:cover;display:block;background:#eee}}
.card p{{margin:.4rem .6rem;font-size:.9rem}} form{{display:flex;gap:.5rem;flex-wrap:wrap;margin-bottom:1rem}}
td{{padding:.2rem .8rem .2rem 0;vertical-align:top}} pre{{background:#f4f4f4;padding:.6rem;white-space:pre-wrap}}</style></head>
<body><header><strong>brandvault</strong><a href="/">{home}</a><a href="/spots">{spots}</a><a href="/brand">{brand}</a><a href="/upload">{upload}</a><a href="/review">{review}</a><span style="flex:1"></span><a href="/login">{account}</a><a href="{switch}">{other}</a></header>
<main>{body}</main></body></html>"#,
        lang = if en { "en" } else { "vi" },
        title = esc(title),
        home = t(en, "Thư viện ảnh", "Library"),
        spots = t(en, "Bản đồ", "Map"),
        brand = t(en, "Nhận diện", "Brand"),
        upload = t(en, "Tải lên", "Upload"),
        review = t(en, "Duyệt", "Review"),
        account = t(en, "Tài khoản", "Account"),
        other = t(en, "English", "Tiếng Việt"),
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "content-security-policy",
            "default-src 'self'; style-src 'unsafe-inline'; img-src 'self'",
        ))
        .body(html)
}

pub(super) fn thumb(a: &Asset) -> Option<&str> {
    ["thumb", "logo-256", "preview"]
        .iter()
        .find_map(|p| a.renditions.iter().find(|r| r.preset == *p))
        .map(|r| r.url.as_str())
}

/// GET /: the catalogue grid with filters (spot, theme, audience, kind, dates, text).
pub async fn catalogue(
    state: State,
    req: HttpRequest,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let en = query.en();
    // A form sends every field; an empty one ("all") is no filter here, unlike in the API.
    let given: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.ends_with('='))
        .collect();
    let filters = web::Query::<ListQuery>::from_query(&given.join("&")).map_err(|e| {
        ApiError::new(
            crate::model::ErrorKind::InvalidInput,
            "bad-query",
            e.to_string(),
        )
    })?;
    let viewer = viewer(&state, &req).await?;
    let filter = Filter {
        limit: Some(200),
        viewer: Some(viewer),
        ..filters.filter(&state.brand)?
    };
    let st = state.clone();
    let assets = web::block(move || st.catalog.list(&filter)).await??;
    let f = filters.into_inner();
    let select = |name: &str, all: &str, current: &Option<String>, items: Vec<(String, String)>| {
        let mut html = format!(r#"<select name="{name}"><option value="">{all}</option>"#);
        for (value, label) in items {
            let selected = if current.as_deref() == Some(value.as_str()) {
                " selected"
            } else {
                ""
            };
            html += &format!(
                r#"<option value="{}"{selected}>{}</option>"#,
                esc(&value),
                esc(&label)
            );
        }
        html + "</select>"
    };
    let spots = state
        .brand
        .gazetteer
        .spots
        .iter()
        .map(|s| {
            (
                s.id.clone(),
                if en {
                    s.name_en.clone()
                } else {
                    s.name_vi.clone()
                },
            )
        })
        .collect();
    let terms = |audiences: bool| -> Vec<(String, String)> {
        state
            .brand
            .guidelines
            .as_ref()
            .map(|g| {
                if audiences {
                    &g.vocabulary.audiences
                } else {
                    &g.vocabulary.themes
                }
            })
            .into_iter()
            .flatten()
            .map(|t| (t.id.clone(), if en { t.en.clone() } else { t.vi.clone() }))
            .collect()
    };
    let kinds = [
        (Kind::Photo, "Ảnh", "Photos"),
        (Kind::Video, "Phim", "Videos"),
        (Kind::Logo, "Logo", "Logos"),
    ]
    .map(|(k, vi, english)| (k.as_str().to_owned(), t(en, vi, english).to_owned()))
    .to_vec();
    let options = [
        select("spot", t(en, "Mọi địa điểm", "All spots"), &f.spot, spots),
        select("theme", t(en, "Mọi chủ đề", "All themes"), &f.theme, terms(false)),
        select("audience", t(en, "Mọi đối tượng", "All audiences"), &f.audience, terms(true)),
        select("kind", t(en, "Mọi loại", "All kinds"), &f.kind.map(|k| k.as_str().to_owned()), kinds),
        format!(
            r#"<label>{} <input type="date" name="from" value="{}"></label><label>{} <input type="date" name="to" value="{}"></label>"#,
            t(en, "Từ", "From"),
            esc(f.from.as_deref().unwrap_or("")),
            t(en, "đến", "to"),
            esc(f.to.as_deref().unwrap_or("")),
        ),
    ]
    .concat();
    let mut cards = String::new();
    for a in &assets {
        let img = thumb(a)
            .map(|u| {
                format!(
                    r#"<img src="{u}" alt="{}" loading="lazy">"#,
                    esc(a.display_name())
                )
            })
            .unwrap_or_default();
        let place = a
            .spot
            .as_ref()
            .map(|s| {
                if en {
                    s.name_en.as_str()
                } else {
                    s.name_vi.as_str()
                }
            })
            .unwrap_or("");
        let lang = lang_suffix(en);
        cards += &format!(
            r#"<a class="card" href="/assets/{id}{lang}">{img}<p>{name}<br><small>{place}</small></p></a>"#,
            id = a.id,
            name = esc(a.display_name()),
            place = esc(place)
        );
    }
    if assets.is_empty() {
        cards = format!(
            "<p>{}</p>",
            t(
                en,
                "Chưa có ảnh nào được công bố.",
                "No published pictures yet."
            )
        );
    }
    let body = format!(
        r#"<h1>{title}</h1><form method="get">{lang_field}<input name="q" value="{q}" placeholder="{search}">{options}<button>{go}</button></form><div class="grid">{cards}</div>"#,
        title = t(en, "Hình ảnh Bình Phước", "Images of Binh Phuoc"),
        lang_field = if en {
            r#"<input type="hidden" name="lang" value="en">"#
        } else {
            ""
        },
        q = esc(f.q.as_deref().unwrap_or("")),
        search = t(en, "Tìm: bù lạch, bà rá…", "Search: bu lach, ba ra…"),
        go = t(en, "Lọc", "Filter"),
    );
    let switch = if en {
        "/".to_owned()
    } else {
        "/?lang=en".to_owned()
    };
    Ok(layout(en, t(en, "Thư viện ảnh", "Library"), &body, &switch))
}

/// GET /assets/{id}: preview, metadata, downloads with the credit line, embed snippet.
pub async fn asset(
    state: State,
    req: HttpRequest,
    id: web::Path<String>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let en = query.en();
    let (a, viewer) = visible_asset(&state, &req, &id).await?;
    // A draft's owner (or an editor) sends it for review from here.
    let submit = match (state.sessions.of(&req), &viewer.actor) {
        (Some(session), Some(actor))
            if a.status == crate::model::Status::Draft && actor.role.edits() =>
        {
            format!(
                r#"<form method="post" action="/assets/{id}/step{lang}"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="action" value="submit"><button id="submit-for-review">{label}</button></form>"#,
                id = a.id,
                lang = lang_suffix(en),
                csrf = session.csrf,
                label = t(en, "Gửi duyệt", "Submit for review"),
            )
        }
        _ => String::new(),
    };
    let still = ["preview", "logo-1024"]
        .iter()
        .find_map(|p| a.renditions.iter().find(|r| r.preset == *p));
    let movie = a.renditions.iter().find(|r| r.media_type == "video/mp4");
    let preview = match (movie, still) {
        // Videos play their web preview, with the poster frame shown until then.
        (Some(m), poster) => format!(
            r#"<video controls preload="metadata" src="{}"{} style="max-width:100%"></video>"#,
            m.url,
            poster
                .map(|p| format!(r#" poster="{}""#, p.url))
                .unwrap_or_default()
        ),
        (None, Some(r)) => format!(
            r#"<img src="{}" alt="{}" style="max-width:100%">"#,
            r.url,
            esc(a.display_name())
        ),
        (None, None) => String::new(),
    };
    let caption = if en {
        a.caption.en.as_deref()
    } else {
        a.caption.vi.as_deref()
    }
    .unwrap_or("");
    let credit = a.credit.as_deref().unwrap_or("");
    let credit_line = format!("{} — {}: {}", caption, t(en, "Ảnh", "Photo"), credit);
    let mut rows = vec![
        (t(en, "Tên tệp", "File"), esc(&a.names.join(", "))),
        (t(en, "Loại", "Kind"), a.kind.to_string()),
        (
            t(en, "Trạng thái", "Status"),
            format!(
                r#"<span id="status" data-status="{0}">{0}</span>"#,
                a.status
            ),
        ),
    ];
    if let (Some(w), Some(h)) = (a.width, a.height) {
        rows.push((t(en, "Kích thước", "Size"), format!("{w}×{h}")));
    }
    if let Some(s) = &a.spot {
        rows.push((
            t(en, "Địa điểm", "Spot"),
            esc(if en { &s.name_en } else { &s.name_vi }),
        ));
    }
    if let Some(c) = &a.captured_at {
        rows.push((t(en, "Chụp lúc", "Captured"), esc(c)));
    }
    if let Some(e) = &a.exif {
        let camera: Vec<&str> = [e.make.as_deref(), e.model.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        rows.push((t(en, "Máy ảnh", "Camera"), esc(&camera.join(" "))));
    }
    rows.push((t(en, "Tác giả", "Credit"), esc(credit)));
    rows.push((
        t(en, "Giấy phép", "Licence"),
        esc(a.license.as_deref().unwrap_or("")),
    ));
    let table: String = rows
        .iter()
        .map(|(k, v)| format!("<tr><td>{k}</td><td>{v}</td></tr>"))
        .collect();
    let downloads: String = a
        .renditions
        .iter()
        .map(|r| {
            format!(
                r#"<li><a href="/api/assets/{}/download?preset={}">{} ({}×{}, {} KB)</a></li>"#,
                a.id,
                r.preset,
                r.preset,
                r.width,
                r.height,
                r.bytes / 1024
            )
        })
        .collect();
    let srcset: Vec<String> = ["thumb", "preview", "web"]
        .iter()
        .filter_map(|p| a.renditions.iter().find(|r| r.preset == *p))
        .map(|r| format!("{} {}w", r.url, r.width))
        .collect();
    let embed = format!(
        r#"<img src="{}" srcset="{}" sizes="(max-width: 1024px) 100vw, 1024px" alt="{}">"#,
        a.renditions
            .iter()
            .find(|r| r.preset == "preview")
            .map_or("", |r| r.url.as_str()),
        srcset.join(", "),
        esc(caption)
    );
    let body = format!(
        r#"<h1>{name}</h1>{submit}{preview}<p>{caption}</p><table>{table}</table><h2>{dl}</h2><ul>{downloads}</ul><h2>{cl}</h2><pre>{credit_line}</pre><h2>{em}</h2><pre>{embed}</pre>"#,
        name = esc(a.display_name()),
        caption = esc(caption),
        dl = t(en, "Tải về", "Downloads"),
        cl = t(en, "Dòng ghi nguồn", "Credit line"),
        credit_line = esc(&credit_line),
        em = t(en, "Nhúng vào trang", "Embed"),
        embed = esc(&embed),
    );
    let switch = if en {
        format!("/assets/{}", a.id)
    } else {
        format!("/assets/{}?lang=en", a.id)
    };
    Ok(layout(en, a.display_name(), &body, &switch))
}

/// GET /spots: an offline map (SVG drawn from the extent and the spots, no tiles), each spot
/// linking to its pictures, with how many the viewer may see.
pub async fn spots(
    state: State,
    req: HttpRequest,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let en = query.en();
    let viewer = viewer(&state, &req).await?;
    let st = state.clone();
    let counts = web::block(move || super::api::spot_counts(&st, viewer)).await??;
    let g = &state.brand.gazetteer;
    let extent = g.extent.unwrap_or_else(|| {
        let fold = |f: fn(f64, f64) -> f64, init: f64, pick: fn(&crate::model::Spot) -> f64| {
            g.spots.iter().map(pick).fold(init, f)
        };
        crate::model::Extent {
            min_lon: fold(f64::min, 180.0, |s| s.lon) - 0.1,
            min_lat: fold(f64::min, 90.0, |s| s.lat) - 0.1,
            max_lon: fold(f64::max, -180.0, |s| s.lon) + 0.1,
            max_lat: fold(f64::max, -90.0, |s| s.lat) + 0.1,
        }
    });
    // Equirectangular with the longitude scaled by cos(latitude): right shapes at this size.
    let mid_lat = ((extent.min_lat + extent.max_lat) / 2.0).to_radians().cos();
    let (width, px_per_deg) = (800.0, 800.0 / ((extent.max_lon - extent.min_lon) * mid_lat));
    let height = (extent.max_lat - extent.min_lat) * px_per_deg;
    let x = |lon: f64| (lon - extent.min_lon) * mid_lat * px_per_deg;
    let y = |lat: f64| (extent.max_lat - lat) * px_per_deg;
    let metres_per_px = 111_320.0 / px_per_deg;
    let lang = if en { "&lang=en" } else { "" };
    let mut marks = String::new();
    let mut rows = String::new();
    for (spot, count) in g.spots.iter().zip(&counts) {
        let n = count.assets;
        let name = esc(if en { &spot.name_en } else { &spot.name_vi });
        let href = format!("/?spot={}{lang}", esc(&spot.id));
        marks += &format!(
            r##"<a href="{href}"><circle cx="{cx:.1}" cy="{cy:.1}" r="{r:.1}" fill="#1B6B3A" fill-opacity=".25" stroke="#1B6B3A"/><circle cx="{cx:.1}" cy="{cy:.1}" r="3" fill="#1B6B3A"/><text x="{tx:.1}" y="{cy:.1}" font-size="13" dominant-baseline="middle">{name} ({n})</text></a>"##,
            cx = x(spot.lon),
            cy = y(spot.lat),
            r = (spot.radius_m / metres_per_px).max(4.0),
            tx = x(spot.lon) + 6.0,
        );
        rows += &format!(r#"<li><a href="{href}">{name}</a> — {n}</li>"#);
    }
    let body = format!(
        r##"<h1>{title}</h1><svg viewBox="-10 -10 {w:.0} {h:.0}" width="100%" role="img" aria-label="{title}" style="max-width:900px;background:#F3F6F1;border-radius:8px">
<rect x="0" y="0" width="{width:.0}" height="{height:.0}" fill="none" stroke="#9AA" stroke-dasharray="4 4"/>{marks}</svg><ul>{rows}</ul>"##,
        title = t(en, "Điểm check-in", "Check-in spots"),
        w = width + 220.0,
        h = height + 20.0,
    );
    Ok(layout(
        en,
        t(en, "Điểm check-in", "Check-in spots"),
        &body,
        "/spots?lang=en",
    ))
}

/// GET /brand: palette, logos, slogans and the kit download.
pub async fn brand(
    state: State,
    req: HttpRequest,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let en = query.en();
    let viewer = viewer(&state, &req).await?;
    let st = state.clone();
    let logos = web::block(move || {
        st.catalog.list(&Filter {
            kind: Some(Kind::Logo),
            viewer: Some(viewer),
            ..Default::default()
        })
    })
    .await??;
    let Some(g) = &state.brand.guidelines else {
        let body = format!(
            "<h1>{}</h1>",
            t(en, "Chưa có bộ nhận diện", "No identity guidelines yet")
        );
        return Ok(layout(en, "Brand", &body, "/brand?lang=en"));
    };
    let palette: String = g
        .palette
        .iter()
        .map(|c| {
            format!(
                r#"<li><span style="display:inline-block;width:2.5rem;height:2.5rem;border-radius:4px;vertical-align:middle;background:{hex}"></span> {name} <code>{hex}</code> <small>CMYK {c}/{m}/{y}/{k}</small></li>"#,
                hex = esc(&c.hex),
                name = esc(if en { &c.name_en } else { &c.name_vi }),
                c = c.cmyk[0],
                m = c.cmyk[1],
                y = c.cmyk[2],
                k = c.cmyk[3],
            )
        })
        .collect();
    let logo_cards: String = logos
        .iter()
        .filter_map(|a| {
            let r = a.renditions.iter().find(|r| r.preset == "logo-256")?;
            Some(format!(
                r#"<a class="card" href="/assets/{}"><img src="{}" alt="{}" style="object-fit:contain;background:repeating-conic-gradient(#eee 0 25%,#fff 0 50%) 50%/16px 16px"><p>{}</p></a>"#,
                a.id,
                r.url,
                esc(a.display_name()),
                esc(a.display_name())
            ))
        })
        .collect();
    let slogans: String = g
        .slogans
        .iter()
        .map(|s| {
            format!(
                r#"<li lang="vi"><strong>{}</strong><br><span lang="en">{}</span></li>"#,
                esc(&s.vi),
                esc(&s.en)
            )
        })
        .collect();
    let body = format!(
        r#"<h1>{title}</h1><p><a href="/kit.zip">{kit}</a></p><h2>{pal}</h2><ul>{palette}</ul><h2>Logo</h2><div class="grid">{logo_cards}</div><h2>{slo}</h2><ul>{slogans}</ul>"#,
        title = esc(if en { &g.names.en } else { &g.names.vi }),
        kit = t(
            en,
            "Tải bộ nhận diện (kit.zip)",
            "Download the brand kit (kit.zip)"
        ),
        pal = t(en, "Bảng màu", "Palette"),
        slo = t(en, "Khẩu hiệu", "Slogans"),
    );
    Ok(layout(
        en,
        t(en, "Bộ nhận diện", "Brand identity"),
        &body,
        "/brand?lang=en",
    ))
}
