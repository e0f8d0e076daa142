//! Search terms given as text by the CLI and the API, parsed and checked in one place.

/// A calendar date, YYYY-MM-DD, checked to exist.
pub fn parse_date(s: &str) -> Result<String, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &format)
        .map(|d| d.format(&format).unwrap_or_default())
        .map_err(|_| format!("{s:?} is not a date as YYYY-MM-DD"))
}

/// A bounding box "west,south,east,north" in degrees (GeoJSON's order), west ≤ east and
/// south ≤ north.
pub fn parse_bbox(s: &str) -> Result<[f64; 4], String> {
    let bad = || format!("{s:?} is not a box as west,south,east,north in degrees");
    let parts: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [w, so, e, n] = <[f64; 4]>::try_from(parts).map_err(|_| bad())?;
    let valid = [w, e].iter().all(|x| (-180.0..=180.0).contains(x))
        && [so, n].iter().all(|y| (-90.0..=90.0).contains(y))
        && w <= e
        && so <= n;
    valid.then_some([w, so, e, n]).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_boxes_are_checked() {
        assert_eq!(parse_date("2024-05-01").unwrap(), "2024-05-01");
        assert!(parse_date("2024-02-30").is_err());
        assert!(parse_date("01/05/2024").is_err());
        assert_eq!(
            parse_bbox("106.5, 11.3,107.6,12.3").unwrap(),
            [106.5, 11.3, 107.6, 12.3]
        );
        for bad in ["107.6,11.3,106.5,12.3", "1,2,3", "a,b,c,d", "0,0,0,95"] {
            assert!(parse_bbox(bad).is_err(), "{bad}");
        }
    }
}
