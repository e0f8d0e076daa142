//! Geography: distances on the sphere and matching a GPS point to the gazetteer's spots.

use crate::model::{Gazetteer, Gps, Spot, SpotMatch, SpotRule};

/// Mean Earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two points in decimal degrees.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// Whether (lon, lat) lies inside a ring of `[lon, lat]` points (even-odd rule; the ring may or
/// may not repeat its first point).
pub fn in_polygon(ring: &[[f64; 2]], lon: f64, lat: f64) -> bool {
    let mut inside = false;
    let n = ring.len();
    let mut j = n.wrapping_sub(1);
    for i in 0..n {
        let ([xi, yi], [xj, yj]) = (ring[i], ring[j]);
        if (yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Where a GPS point falls.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    Spot(SpotMatch),
    /// Inside the territory, but at no spot.
    NoSpot,
    /// Outside the brand's territory: never a spot.
    OutsideExtent,
}

/// Grid cell size in degrees (about 2.2 km of latitude): small enough that a cell holds few
/// spots at 10,000 spots, large enough that a spot covers few cells.
const CELL_DEG: f64 = 0.02;

/// A gazetteer with a uniform grid over the spots' bounding boxes, so that placing a point
/// looks only at the spots whose circle or polygon can contain it. Build once, place many.
#[derive(Debug, Clone)]
pub struct Locator {
    gazetteer: Gazetteer,
    cells: std::collections::HashMap<(i32, i32), Vec<u32>>,
}

fn cell_of(lat: f64, lon: f64) -> (i32, i32) {
    (
        (lat / CELL_DEG).floor() as i32,
        (lon / CELL_DEG).floor() as i32,
    )
}

/// The bounding box (min_lat, min_lon, max_lat, max_lon) of everything a spot can match.
fn reach(spot: &Spot) -> (f64, f64, f64, f64) {
    // Metres → degrees, with a 1 % margin over the spherical distance.
    let dlat = spot.radius_m / 111_195.0 * 1.01;
    let widest = (spot.lat.abs() + dlat).min(89.0);
    let dlon = dlat / widest.to_radians().cos();
    let mut b = (
        spot.lat - dlat,
        spot.lon - dlon,
        spot.lat + dlat,
        spot.lon + dlon,
    );
    for [lon, lat] in spot.polygon.iter().flatten() {
        b = (b.0.min(*lat), b.1.min(*lon), b.2.max(*lat), b.3.max(*lon));
    }
    b
}

impl Locator {
    pub fn new(gazetteer: &Gazetteer) -> Self {
        let mut cells: std::collections::HashMap<(i32, i32), Vec<u32>> = Default::default();
        for (i, spot) in gazetteer.spots.iter().enumerate() {
            let (min_lat, min_lon, max_lat, max_lon) = reach(spot);
            let (r0, c0) = cell_of(min_lat.max(-90.0), min_lon.max(-180.0));
            let (r1, c1) = cell_of(max_lat.min(90.0), max_lon.min(180.0));
            for r in r0..=r1 {
                for c in c0..=c1 {
                    cells.entry((r, c)).or_default().push(i as u32);
                }
            }
        }
        Self {
            gazetteer: gazetteer.clone(),
            cells,
        }
    }

    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// Matches a point: a spot matches when the point is inside its polygon or else within its
    /// radius; among matches the nearest centre wins, ties going to the smaller radius.
    pub fn place(&self, gps: &Gps) -> Placement {
        if let Some(extent) = &self.gazetteer.extent {
            if !extent.contains(gps.lat, gps.lon) {
                return Placement::OutsideExtent;
            }
        }
        let candidates = self
            .cells
            .get(&cell_of(gps.lat, gps.lon))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let best = candidates
            .iter()
            .filter_map(|&i| {
                let spot = &self.gazetteer.spots[i as usize];
                let d = haversine_m(gps.lat, gps.lon, spot.lat, spot.lon);
                let rule = match &spot.polygon {
                    Some(ring) if in_polygon(ring, gps.lon, gps.lat) => SpotRule::Polygon,
                    _ if d <= spot.radius_m => SpotRule::Radius,
                    _ => return None,
                };
                Some((d, spot, rule))
            })
            .min_by(|(da, a, _), (db, b, _)| {
                da.total_cmp(db)
                    .then(a.radius_m.total_cmp(&b.radius_m))
                    .then(a.id.cmp(&b.id))
            });
        match best {
            Some((d, spot, rule)) => Placement::Spot(spot_match(spot, Some(d), rule)),
            None => Placement::NoSpot,
        }
    }
}

/// Spots as a GeoJSON FeatureCollection with their asset counts (all, approved): polygons where
/// a spot has one, points otherwise.
pub fn geojson(rows: &[(&Spot, usize, usize)]) -> serde_json::Value {
    let features: Vec<_> = rows
        .iter()
        .map(|(spot, assets, approved)| {
            let geometry = match &spot.polygon {
                Some(ring) => {
                    let mut ring = ring.clone();
                    if ring.first() != ring.last() {
                        ring.extend(ring.first().copied());
                    }
                    serde_json::json!({"type": "Polygon", "coordinates": [ring]})
                }
                None => serde_json::json!({"type": "Point", "coordinates": [spot.lon, spot.lat]}),
            };
            serde_json::json!({
                "type": "Feature",
                "id": spot.id,
                "geometry": geometry,
                "properties": {
                    "id": spot.id, "name_vi": spot.name_vi, "name_en": spot.name_en,
                    "radius_m": spot.radius_m, "accuracy_m": spot.accuracy_m,
                    "verified": spot.verified, "assets": assets, "approved": approved,
                }
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

/// A spot as recorded on an asset.
pub fn spot_match(spot: &Spot, distance_m: Option<f64>, rule: SpotRule) -> SpotMatch {
    SpotMatch {
        id: spot.id.clone(),
        name_vi: spot.name_vi.clone(),
        name_en: spot.name_en.clone(),
        // Centimetre precision is plenty and keeps the JSON readable.
        distance_m: distance_m.map(|d| (d * 100.0).round() / 100.0),
        rule,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_known_distance() {
        // One degree of latitude is about 111.2 km.
        let d = haversine_m(11.0, 107.0, 12.0, 107.0);
        assert!((d - 111_195.0).abs() < 50.0, "{d}");
        assert_eq!(haversine_m(11.8, 107.0, 11.8, 107.0), 0.0);
    }

    fn spot(id: &str, lat: f64, lon: f64, radius_m: f64) -> Spot {
        Spot {
            id: id.into(),
            name_vi: id.into(),
            name_en: id.into(),
            lat,
            lon,
            radius_m,
            accuracy_m: None,
            verified: false,
            source: None,
            aliases: Vec::new(),
            polygon: None,
        }
    }

    #[test]
    fn nearest_wins_and_ties_go_to_the_smaller_radius() {
        let g = Gazetteer {
            extent: None,
            basemap: None,
            spots: vec![
                spot("wide", 11.8, 107.0, 5000.0),
                spot("narrow", 11.8, 107.0, 1000.0),
                spot("near", 11.801, 107.0, 500.0),
            ],
        };
        let locator = Locator::new(&g);
        let at = |lat| {
            locator.place(&Gps {
                lat,
                lon: 107.0,
                alt_m: None,
            })
        };
        let Placement::Spot(m) = at(11.8) else {
            panic!()
        };
        assert_eq!(m.id, "narrow");
        let Placement::Spot(m) = at(11.8012) else {
            panic!()
        };
        assert_eq!(m.id, "near");
        let Placement::Spot(m) = at(11.83) else {
            panic!()
        };
        assert_eq!(m.id, "wide");
        assert_eq!(at(12.5), Placement::NoSpot);
    }

    /// The grid must never change an answer: compare with checking every spot.
    #[test]
    fn grid_agrees_with_brute_force() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut spots: Vec<Spot> = (0..500)
            .map(|i| {
                spot(
                    &format!("s{i}"),
                    11.3 + next(),
                    106.4 + next(),
                    200.0 + 9000.0 * next(),
                )
            })
            .collect();
        spots[0].polygon = Some(vec![
            [106.5, 11.4],
            [106.9, 11.4],
            [106.9, 11.6],
            [106.5, 11.6],
        ]);
        let g = Gazetteer {
            extent: None,
            basemap: None,
            spots,
        };
        let locator = Locator::new(&g);
        for _ in 0..20_000 {
            let (lat, lon) = (11.2 + 1.2 * next(), 106.3 + 1.2 * next());
            let brute = g
                .spots
                .iter()
                .filter_map(|s| {
                    let d = haversine_m(lat, lon, s.lat, s.lon);
                    let inside = s.polygon.as_ref().is_some_and(|r| in_polygon(r, lon, lat));
                    (inside || d <= s.radius_m).then_some((d, s))
                })
                .min_by(|(da, a), (db, b)| {
                    da.total_cmp(db)
                        .then(a.radius_m.total_cmp(&b.radius_m))
                        .then(a.id.cmp(&b.id))
                })
                .map(|(_, s)| s.id.clone());
            let got = match locator.place(&Gps {
                lat,
                lon,
                alt_m: None,
            }) {
                Placement::Spot(m) => Some(m.id),
                _ => None,
            };
            assert_eq!(got, brute, "at {lat}, {lon}");
        }
    }

    #[test]
    fn polygon_containment() {
        let square = [[107.0, 12.0], [107.2, 12.0], [107.2, 12.2], [107.0, 12.2]];
        assert!(in_polygon(&square, 107.1, 12.1));
        assert!(!in_polygon(&square, 107.3, 12.1));
        assert!(!in_polygon(&square, 107.1, 11.9));
    }
}
