//! The offline maps' drawing: degrees to pixels over the brand's territory, and the context
//! under the markers (the countries and provinces of brand/basemap.toml), shared by /spots and
//! the small map of the asset pages and the review desk.

use crate::i18n::Lang;
use crate::model::{AreaKind, Asset, Extent, Gazetteer};

/// Degrees to pixels: equirectangular with longitude scaled by cos(mid-latitude), which keeps
/// shapes right at a province's size.
pub struct Projection {
    pub extent: Extent,
    cos_lat: f64,
    px_per_deg: f64,
    pub width: f64,
    pub height: f64,
}

impl Projection {
    /// Over the basemap's box when the brand has one (the province with its surroundings),
    /// else over the territory's extent, else round the spots.
    pub fn new(g: &Gazetteer, width: f64) -> Option<Self> {
        let extent = g
            .basemap
            .as_ref()
            .map(|b| b.bounds)
            .or(g.extent)
            .or_else(|| {
                let first = g.spots.first()?;
                let mut e = Extent {
                    min_lon: first.lon,
                    min_lat: first.lat,
                    max_lon: first.lon,
                    max_lat: first.lat,
                };
                for s in &g.spots {
                    e.min_lon = e.min_lon.min(s.lon);
                    e.max_lon = e.max_lon.max(s.lon);
                    e.min_lat = e.min_lat.min(s.lat);
                    e.max_lat = e.max_lat.max(s.lat);
                }
                Some(Extent {
                    min_lon: e.min_lon - 0.1,
                    min_lat: e.min_lat - 0.1,
                    max_lon: e.max_lon + 0.1,
                    max_lat: e.max_lat + 0.1,
                })
            })?;
        let cos_lat = ((extent.min_lat + extent.max_lat) / 2.0).to_radians().cos();
        let px_per_deg = width / ((extent.max_lon - extent.min_lon) * cos_lat);
        Some(Projection {
            width,
            height: (extent.max_lat - extent.min_lat) * px_per_deg,
            extent,
            cos_lat,
            px_per_deg,
        })
    }

    pub fn x(&self, lon: f64) -> f64 {
        (lon - self.extent.min_lon) * self.cos_lat * self.px_per_deg
    }

    pub fn y(&self, lat: f64) -> f64 {
        (self.extent.max_lat - lat) * self.px_per_deg
    }

    pub fn metres_per_px(&self) -> f64 {
        111_320.0 / self.px_per_deg
    }
}

/// The small map of an asset page: the province, its spots, the asset's position.
pub struct MiniMap {
    pub context: Context,
    pub width: u32,
    pub height: u32,
    pub x: String,
    pub y: String,
    pub spots: Vec<(String, String)>,
}

impl MiniMap {
    /// Where the asset was taken (its GPS, else its spot's centre), if the brand has a map.
    pub fn of(g: &Gazetteer, asset: &Asset) -> Option<MiniMap> {
        let (lat, lon) = match (&asset.gps, &asset.spot) {
            (Some(gps), _) => (gps.lat, gps.lon),
            (None, Some(m)) => {
                let s = g.spots.iter().find(|s| s.id == m.id)?;
                (s.lat, s.lon)
            }
            _ => return None,
        };
        let p = Projection::new(g, 320.0)?;
        if !p.extent.contains(lat, lon) {
            return None;
        }
        Some(MiniMap {
            context: Context::of(g, &p, None),
            width: 320,
            height: p.height.round() as u32,
            x: format!("{:.1}", p.x(lon)),
            y: format!("{:.1}", p.y(lat)),
            spots: g
                .spots
                .iter()
                .map(|s| (format!("{:.1}", p.x(s.lon)), format!("{:.1}", p.y(s.lat))))
                .collect(),
        })
    }
}

/// The basemap as drawn on one projection: every area as an SVG path (the countries, the
/// neighbouring provinces, the brand's own, the national border on top) and the countries'
/// names.
#[derive(Default)]
pub struct Context {
    /// (CSS class, path data).
    pub areas: Vec<(&'static str, String)>,
    /// (x, y, name): in capitals, at the middle of each country's part of the map.
    pub labels: Vec<(String, String, String)>,
}

impl Context {
    /// Empty without a basemap; names only when a language is given (the small maps have none).
    pub fn of(g: &Gazetteer, p: &Projection, lang: Option<Lang>) -> Context {
        let Some(map) = &g.basemap else {
            return Context::default();
        };
        let mut context = Context::default();
        for kind in [
            AreaKind::Home,
            AreaKind::Country,
            AreaKind::Neighbour,
            AreaKind::Province,
            AreaKind::Border,
        ] {
            for area in map.areas.iter().filter(|a| a.kind == kind) {
                let rings: Vec<Vec<(f64, f64)>> = area
                    .rings
                    .iter()
                    .map(|r| r.iter().map(|[lon, lat]| (p.x(*lon), p.y(*lat))).collect())
                    .collect();
                let mut d = String::new();
                for ring in &rings {
                    for (i, (x, y)) in ring.iter().enumerate() {
                        d += &format!("{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
                    }
                    if kind != AreaKind::Border {
                        d.push('Z');
                    }
                }
                context.areas.push((kind.class(), d));
                if let (AreaKind::Home | AreaKind::Country, Some(lang)) = (kind, lang) {
                    let largest = rings
                        .iter()
                        .max_by(|a, b| area_of(a).total_cmp(&area_of(b)));
                    // The home country's middle is the province itself, covered by markers: its
                    // name goes near the bottom of the map, which is home too.
                    let at = largest.and_then(|r| centroid(r)).map(|(x, y)| match kind {
                        AreaKind::Home => (p.width / 2.0, p.height * 0.93),
                        _ => (x, y),
                    });
                    if let Some((x, y)) = at {
                        let name = lang.pick(&area.name_vi, &area.name_en).to_uppercase();
                        context
                            .labels
                            .push((format!("{x:.1}"), format!("{y:.1}"), name));
                    }
                }
            }
        }
        context
    }
}

/// A ring's area (shoelace), in square pixels.
fn area_of(ring: &[(f64, f64)]) -> f64 {
    shoelace(ring).abs() / 2.0
}

fn shoelace(ring: &[(f64, f64)]) -> f64 {
    ring.iter()
        .zip(ring.iter().cycle().skip(1))
        .map(|((x0, y0), (x1, y1))| x0 * y1 - x1 * y0)
        .sum()
}

/// A ring's centroid, None when it has no area.
fn centroid(ring: &[(f64, f64)]) -> Option<(f64, f64)> {
    let twice = shoelace(ring);
    if twice.abs() < 1e-9 {
        return None;
    }
    let (mut cx, mut cy) = (0.0, 0.0);
    for ((x0, y0), (x1, y1)) in ring.iter().zip(ring.iter().cycle().skip(1)) {
        let cross = x0 * y1 - x1 * y0;
        cx += (x0 + x1) * cross;
        cy += (y0 + y1) * cross;
    }
    Some((cx / (3.0 * twice), cy / (3.0 * twice)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_centroid_of_a_square_is_its_middle() {
        let square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        assert_eq!(super::centroid(&square), Some((5.0, 5.0)));
        assert!((super::area_of(&square) - 100.0).abs() < 1e-9);
        assert_eq!(super::centroid(&[(0.0, 0.0), (1.0, 1.0), (2.0, 2.0)]), None);
    }
}
