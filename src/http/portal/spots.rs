//! GET /spots: the check-in spots on an offline map of the province and its surroundings (the
//! borders of brand/basemap.toml, no tiles, no outside requests). Markers carry numbers and the names are listed beside the
//! map, so no label ever covers another; a scale bar and the extent give the distances.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::map::{Context, Projection};
use super::{ok, Chrome};
use crate::http::{viewer, ApiError, State};

struct Marker {
    number: usize,
    name: String,
    href: String,
    count: String,
    has_pictures: bool,
    x: String,
    y: String,
    r: String,
    /// Where the numbered marker is drawn: moved off the true point when it would cover
    /// another marker, with a leader line back to it.
    lx: String,
    ly: String,
    moved: bool,
}

/// Centres of two numbered markers stay this far apart: a clear gap between them even when a
/// narrow screen draws them larger (radius 11, 20 below 600 px).
const MARKER_GAP: f64 = 44.0;

/// Marker positions pushed apart until no two are closer than `gap` pixels (a few rounds of
/// pairwise repulsion: enough for a province's handful of spots).
fn spread(points: &[(f64, f64)], gap: f64) -> Vec<(f64, f64)> {
    let mut placed = points.to_vec();
    for _ in 0..100 {
        let mut moved = false;
        for i in 0..placed.len() {
            for j in i + 1..placed.len() {
                let (dx, dy) = (placed[j].0 - placed[i].0, placed[j].1 - placed[i].1);
                let d = (dx * dx + dy * dy).sqrt();
                if d >= gap {
                    continue;
                }
                let (ux, uy) = if d < 1e-6 {
                    (1.0, 0.0)
                } else {
                    (dx / d, dy / d)
                };
                let push = (gap - d) / 2.0 + 0.01;
                placed[i].0 -= ux * push;
                placed[i].1 -= uy * push;
                placed[j].0 += ux * push;
                placed[j].1 += uy * push;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    placed
}

#[derive(Template)]
#[template(path = "spots.html")]
struct SpotsPage {
    chrome: Chrome,
    lead: String,
    width: String,
    height: String,
    markers: Vec<Marker>,
    /// The scale bar: its length in pixels and what it stands for.
    scale_px: String,
    scale_label: String,
    extent: String,
    has_map: bool,
    /// Countries and provinces under the markers; the view box starts at 0 with them (the box
    /// has room round the spots), at -20 without.
    context: Context,
    origin: &'static str,
}

/// A round length for the scale bar near a fifth of the map's width.
fn scale(metres_per_px: f64, width: f64) -> (f64, String) {
    let target = metres_per_px * width / 5.0;
    let steps = [1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0];
    let km = steps
        .iter()
        .copied()
        .rfind(|s| s * 1000.0 <= target)
        .unwrap_or(1.0);
    (km * 1000.0 / metres_per_px, format!("{km} km"))
}

/// GET /spots
pub async fn spots(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &req).await?;
    let chrome = Chrome::new(&state, &req, Some(&viewer));
    let lang = chrome.lang;
    let st = state.clone();
    let counts = web::block(move || crate::http::api::spot_counts(&st, viewer)).await??;
    let g = &state.brand.gazetteer;
    let projection = Projection::new(g, 560.0);
    let points: Vec<(f64, f64)> = g
        .spots
        .iter()
        .map(|spot| {
            projection
                .as_ref()
                .map_or((0.0, 0.0), |p| (p.x(spot.lon), p.y(spot.lat)))
        })
        .collect();
    let placed = spread(&points, MARKER_GAP);
    let markers = g
        .spots
        .iter()
        .zip(&counts)
        .enumerate()
        .map(|(i, (spot, count))| {
            let n = count.assets;
            let (x, y) = points[i];
            let (lx, ly) = placed[i];
            let r = projection
                .as_ref()
                .map_or(0.0, |p| spot.radius_m / p.metres_per_px());
            Marker {
                number: i + 1,
                name: lang.pick(&spot.name_vi, &spot.name_en).to_owned(),
                href: format!("/?spot={}", spot.id),
                count: match n {
                    0 => lang.t("spots.no_pictures").to_owned(),
                    1 => lang.t("spots.pictures_one").to_owned(),
                    n => lang.fill("spots.pictures_many", &[("n", &lang.number(n as u64))]),
                },
                has_pictures: n > 0,
                x: format!("{x:.1}"),
                y: format!("{y:.1}"),
                r: format!("{:.1}", r.max(12.0)),
                lx: format!("{lx:.1}"),
                ly: format!("{ly:.1}"),
                moved: (lx - x).abs() + (ly - y).abs() > 0.5,
            }
        })
        .collect();
    let (scale_px, scale_label, extent, width, height) = match &projection {
        Some(p) => {
            let (px, label) = scale(p.metres_per_px(), p.width);
            let km = |px: f64| format!("{:.0}", px * p.metres_per_px() / 1000.0);
            (
                format!("{px:.1}"),
                label,
                lang.fill("spots.extent", &[("w", &km(p.width)), ("h", &km(p.height))]),
                format!("{:.0}", p.width),
                format!("{:.0}", p.height),
            )
        }
        None => Default::default(),
    };
    let context = projection
        .as_ref()
        .map(|p| Context::of(g, p, Some(lang)))
        .unwrap_or_default();
    let page = SpotsPage {
        origin: if context.areas.is_empty() {
            "-20 -20"
        } else {
            "0 0"
        },
        context,
        lead: lang.fill("spots.lead", &[("n", &g.spots.len().to_string())]),
        has_map: projection.is_some(),
        markers,
        scale_px,
        scale_label,
        extent,
        width,
        height,
        chrome: chrome.titled(lang.t("spots.title"), "map"),
    };
    ok(&req, &page)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_scale_bar_is_a_round_length() {
        // 100 m per pixel on an 800 px map: a fifth is 16 km, so the bar shows 10 km.
        let (px, label) = super::scale(100.0, 800.0);
        assert_eq!(label, "10 km");
        assert!((px - 100.0).abs() < 1e-9);
    }

    #[test]
    fn markers_never_cover_each_other() {
        let points = [
            (100.0, 100.0),
            (104.0, 101.0),
            (100.0, 100.0),
            (300.0, 50.0),
        ];
        let placed = super::spread(&points, super::MARKER_GAP);
        for i in 0..placed.len() {
            for j in i + 1..placed.len() {
                let d = ((placed[i].0 - placed[j].0).powi(2) + (placed[i].1 - placed[j].1).powi(2))
                    .sqrt();
                assert!(
                    d >= super::MARKER_GAP - 0.1,
                    "{i} and {j} are {d:.1} px apart"
                );
            }
        }
        assert_eq!(
            placed[3],
            (300.0, 50.0),
            "a marker alone stays on its point"
        );
    }
}
