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

/// Matches a point: a spot matches when the point is inside its polygon or else within its
/// radius; among matches the nearest centre wins, ties going to the smaller radius.
pub fn place(gazetteer: &Gazetteer, gps: &Gps) -> Placement {
    if let Some(extent) = &gazetteer.extent {
        if !extent.contains(gps.lat, gps.lon) {
            return Placement::OutsideExtent;
        }
    }
    let best = gazetteer
        .spots
        .iter()
        .filter_map(|spot| {
            let d = haversine_m(gps.lat, gps.lon, spot.lat, spot.lon);
            let rule = match &spot.polygon {
                Some(ring) if in_polygon(ring, gps.lon, gps.lat) => SpotRule::Polygon,
                _ if d <= spot.radius_m => SpotRule::Radius,
                _ => return None,
            };
            Some((d, spot, rule))
        })
        .min_by(|(da, a, _), (db, b, _)| da.total_cmp(db).then(a.radius_m.total_cmp(&b.radius_m)));
    match best {
        Some((d, spot, rule)) => Placement::Spot(spot_match(spot, Some(d), rule)),
        None => Placement::NoSpot,
    }
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
            spots: vec![
                spot("wide", 11.8, 107.0, 5000.0),
                spot("narrow", 11.8, 107.0, 1000.0),
                spot("near", 11.801, 107.0, 500.0),
            ],
        };
        let at = |lat| {
            place(
                &g,
                &Gps {
                    lat,
                    lon: 107.0,
                    alt_m: None,
                },
            )
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

    #[test]
    fn polygon_containment() {
        let square = [[107.0, 12.0], [107.2, 12.0], [107.2, 12.2], [107.0, 12.2]];
        assert!(in_polygon(&square, 107.1, 12.1));
        assert!(!in_polygon(&square, 107.3, 12.1));
        assert!(!in_polygon(&square, 107.1, 11.9));
    }
}
