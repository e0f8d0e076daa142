//! brand/spots.toml: the gazetteer of check-in spots.

use std::collections::HashSet;
use std::path::Path;

use super::BrandError;
use crate::model::{text, Basemap, Gazetteer};

/// Reads and validates a gazetteer file; names are NFC-normalised.
pub fn load_spots(path: &Path) -> Result<Gazetteer, BrandError> {
    let mut gazetteer: Gazetteer = super::read_toml(path)?;
    for spot in &mut gazetteer.spots {
        spot.name_vi = text::nfc(&spot.name_vi);
        spot.name_en = text::nfc(&spot.name_en);
        spot.aliases = spot.aliases.iter().map(|a| text::nfc(a)).collect();
    }
    let problems = validate_spots(&gazetteer);
    if problems.is_empty() {
        Ok(gazetteer)
    } else {
        Err(BrandError::Invalid {
            path: path.to_owned(),
            problems: problems.join("; "),
        })
    }
}

/// Every problem with a gazetteer, each naming its entry.
pub fn validate_spots(g: &Gazetteer) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let lat_ok = |lat: f64| (-90.0..=90.0).contains(&lat);
    let lon_ok = |lon: f64| (-180.0..=180.0).contains(&lon);
    if let Some(e) = &g.extent {
        if !(lat_ok(e.min_lat) && lat_ok(e.max_lat) && lon_ok(e.min_lon) && lon_ok(e.max_lon))
            || e.min_lat >= e.max_lat
            || e.min_lon >= e.max_lon
        {
            problems.push("[extent] has coordinates out of range or min ≥ max".to_owned());
        }
    }
    for (i, s) in g.spots.iter().enumerate() {
        let name = if s.id.is_empty() {
            format!("spot #{}", i + 1)
        } else {
            format!("spot {:?}", s.id)
        };
        let valid_id = !s.id.is_empty()
            && s.id
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
        if !valid_id {
            problems.push(format!(
                "{name}: id must be lowercase letters, digits and '-'"
            ));
        }
        if !seen.insert(s.id.as_str()) {
            problems.push(format!("{name}: duplicate id"));
        }
        if !lat_ok(s.lat) || !lon_ok(s.lon) {
            problems.push(format!(
                "{name}: coordinate out of range (lat {}, lon {})",
                s.lat, s.lon
            ));
        }
        if s.radius_m.is_nan() || s.radius_m <= 0.0 {
            problems.push(format!(
                "{name}: radius_m must be positive, not {}",
                s.radius_m
            ));
        }
        if s.name_vi.trim().is_empty() || s.name_en.trim().is_empty() {
            problems.push(format!("{name}: name_vi and name_en are required"));
        }
        if let Some(ring) = &s.polygon {
            if ring.len() < 3 || ring.iter().any(|[lon, lat]| !lat_ok(*lat) || !lon_ok(*lon)) {
                problems.push(format!(
                    "{name}: polygon needs at least 3 [lon, lat] points in range"
                ));
            }
        }
    }
    problems
}

/// Reads brand/basemap.toml when the folder has one: every ring needs three points or more,
/// every point in range.
pub fn load_basemap(path: &Path) -> Result<Option<Basemap>, BrandError> {
    if !path.exists() {
        return Ok(None);
    }
    let map: Basemap = super::read_toml(path)?;
    let b = map.bounds;
    let in_range =
        |[lon, lat]: [f64; 2]| (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat);
    let mut problems = Vec::new();
    if b.min_lon >= b.max_lon
        || b.min_lat >= b.max_lat
        || !in_range([b.min_lon, b.min_lat])
        || !in_range([b.max_lon, b.max_lat])
    {
        problems.push("[box] has coordinates out of range or min ≥ max".to_owned());
    }
    for a in &map.areas {
        let least = if a.kind == crate::model::AreaKind::Border {
            2
        } else {
            3
        };
        if a.rings
            .iter()
            .any(|r| r.len() < least || !r.iter().all(|p| in_range(*p)))
        {
            problems.push(format!(
                "area {:?}: a ring has too few points or a point out of range",
                a.name_en
            ));
        }
    }
    if problems.is_empty() {
        Ok(Some(map))
    } else {
        Err(BrandError::Invalid {
            path: path.to_owned(),
            problems: problems.join("; "),
        })
    }
}
