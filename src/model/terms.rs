//! Search terms given as text by the CLI and the API, parsed and checked in one place.

/// A calendar date, checked to exist, as `YYYY-MM-DD`. Read as `YYYY-MM-DD` or day first
/// (`DD/MM/YYYY`, also with `.` or `-`, leading zeros optional), as Vietnamese write dates:
/// a date field means the same whatever the browser's locale.
pub fn parse_date(s: &str) -> Result<String, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let bad = || format!("{s:?} is not a date as DD/MM/YYYY or YYYY-MM-DD");
    let parts: Vec<&str> = s.trim().split(['/', '.', '-']).collect();
    let numbers: Vec<u16> = parts
        .iter()
        .map(|p| {
            (!p.is_empty() && p.len() <= 4)
                .then(|| p.parse().ok())
                .flatten()
        })
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    let (year, month, day) = match (parts.as_slice(), numbers.as_slice()) {
        ([y, ..], [yy, m, d]) if y.len() == 4 => (*yy, *m, *d),
        ([_, _, y], [d, m, yy]) if y.len() == 4 => (*yy, *m, *d),
        _ => return Err(bad()),
    };
    let month =
        time::Month::try_from(u8::try_from(month).map_err(|_| bad())?).map_err(|_| bad())?;
    let day = u8::try_from(day).map_err(|_| bad())?;
    time::Date::from_calendar_date(i32::from(year), month, day)
        .map(|d| d.format(&format).unwrap_or_default())
        .map_err(|_| bad())
}

/// A bounding box "west,south,east,north" in degrees (GeoJSON's order), each within ±180.
/// As in RFC 7946 §5.2, west > east is a box across the antimeridian; latitudes beyond the
/// poles are the poles, and south and north may come in either order.
pub fn parse_bbox(s: &str) -> Result<[f64; 4], String> {
    let bad = || format!("{s:?} is not a box as west,south,east,north in degrees");
    let parts: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [w, so, e, n] = <[f64; 4]>::try_from(parts).map_err(|_| bad())?;
    if ![w, so, e, n].iter().all(|x| (-180.0..=180.0).contains(x)) {
        return Err(bad());
    }
    let (so, n) = (so.clamp(-90.0, 90.0), n.clamp(-90.0, 90.0));
    Ok([w, so.min(n), e, so.max(n)])
}

/// Whether a point lies in a box of `parse_bbox`.
pub fn bbox_contains([w, s, e, n]: [f64; 4], lon: f64, lat: f64) -> bool {
    let lon_inside = if w <= e {
        (w..=e).contains(&lon)
    } else {
        lon >= w || lon <= e
    };
    lon_inside && (s..=n).contains(&lat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_reads_day_first_or_year_first_and_must_exist() {
        for given in [
            "2027-01-06",
            "06/01/2027",
            "6/1/2027",
            "06.01.2027",
            " 06-01-2027 ",
        ] {
            assert_eq!(parse_date(given).unwrap(), "2027-01-06", "{given}");
        }
        for bad in [
            "31/02/2027",
            "2027-13-01",
            "01/06/27",
            "2027/01",
            "",
            "hôm nay",
            "1/1/20270",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_and_boxes_are_checked() {
        assert_eq!(parse_date("2024-05-01").unwrap(), "2024-05-01");
        assert!(parse_date("2024-02-30").is_err());
        assert_eq!(parse_date("01/05/2024").unwrap(), "2024-05-01");
        assert_eq!(
            parse_bbox("106.5, 11.3,107.6,12.3").unwrap(),
            [106.5, 11.3, 107.6, 12.3]
        );
        for bad in ["1,2,3", "a,b,c,d", "0,0,0,181", "NaN,0,1,1", "0,0,inf,1"] {
            assert!(parse_bbox(bad).is_err(), "{bad}");
        }
        // Latitudes in either order, clamped to the poles.
        assert_eq!(parse_bbox("0,95,1,-10").unwrap(), [0.0, -10.0, 1.0, 90.0]);
        // Across the antimeridian (west > east): Fiji, not the rest of the world.
        let fiji = parse_bbox("177,-19,-179,-16").unwrap();
        assert!(bbox_contains(fiji, 178.4, -18.1));
        assert!(bbox_contains(fiji, -179.5, -17.0));
        assert!(!bbox_contains(fiji, 106.9, 11.8));
        let binh_phuoc = parse_bbox("106.5,11.3,107.6,12.3").unwrap();
        assert!(bbox_contains(binh_phuoc, 106.9, 11.8));
        assert!(!bbox_contains(binh_phuoc, 178.4, 11.8));
    }
}
