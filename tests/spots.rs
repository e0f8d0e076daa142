//! Check-in spots on real files: GPS at, near, between and far from spots, outside the
//! territory, polygons, retag after editing the gazetteer, a person's choice kept, accent-blind
//! search (paged by cursor, as each viewer sees it), and a broken gazetteer refused.

mod common;

use brandvault::media::exif::ExifFields;
use common::{ids, photo, photo_at, Fixture};
use serde_json::Value;

fn spot_of(fx: &Fixture, id: &str) -> Value {
    fx.show(id)["spot"].clone()
}

fn ingest_one(fx: &Fixture, name: &str, lat: f64, lon: f64, seed: u64) -> String {
    let path = fx.write(name, &photo_at(lat, lon, seed));
    let report = fx.ingest(&[&path], 0);
    ids(&report, "added").remove(0)
}

#[test]
fn gps_is_placed_at_the_nearest_matching_spot() {
    let fx = Fixture::new();
    // At the mountain's point.
    let at = ingest_one(&fx, "at.jpg", 11.8169, 107.0009, 1);
    let s = spot_of(&fx, &at);
    assert_eq!(s["id"], "nui-ba-ra");
    assert_eq!(s["rule"], "radius");
    assert!(s["distance_m"].as_f64().unwrap() < 1.0);
    // Near the shrine, 1 km from the mountain's point and inside both radii: the nearer wins.
    let shrine = ingest_one(&fx, "shrine.jpg", 11.8105, 106.9945, 2);
    let s = spot_of(&fx, &shrine);
    assert_eq!(s["id"], "mieu-ba-ra");
    assert!(s["distance_m"].as_f64().unwrap() < 100.0);
    // Between the two, nearer the mountain.
    let between = ingest_one(&fx, "between.jpg", 11.8150, 106.9990, 3);
    assert_eq!(spot_of(&fx, &between)["id"], "nui-ba-ra");
    // Inside the territory, far from every spot: no spot, no violation.
    let far = ingest_one(&fx, "far.jpg", 11.40, 106.50, 4);
    let asset = fx.show(&far);
    assert!(asset["spot"].is_null());
    assert!(!asset["violations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["rule"] == "gps-outside-extent"));
    // Outside the territory (southern and western hemispheres too): a violation, never a spot.
    for (i, (lat, lon)) in [(10.7769, 106.7009), (-33.86, 151.21), (40.69, -74.04)]
        .into_iter()
        .enumerate()
    {
        let id = ingest_one(&fx, &format!("outside{i}.jpg"), lat, lon, 10 + i as u64);
        let asset = fx.show(&id);
        assert!(asset["spot"].is_null());
        assert!(asset["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["rule"] == "gps-outside-extent"));
        let got = asset["gps"]["lat"].as_f64().unwrap();
        assert!((got - lat).abs() < 1e-6 && got.signum() == lat.signum());
    }
}

#[test]
fn polygons_retag_and_a_persons_choice() {
    let fx = Fixture::new();
    // 9 km east of Đồng Xoài's point: outside its 6 km radius.
    let outside_radius = ingest_one(&fx, "east.jpg", 11.53495, 106.96600, 1);
    assert!(spot_of(&fx, &outside_radius).is_null());
    let mountain = ingest_one(&fx, "mountain.jpg", 11.8169, 107.0009, 2);

    // Give Đồng Xoài an outline that reaches that point, and a new spot near nothing else.
    let spots = fx.brand().join("spots.toml");
    let mut text = std::fs::read_to_string(&spots).unwrap();
    text = text.replacen(
        "id = \"dong-xoai\"",
        "id = \"dong-xoai\"\npolygon = [[106.80, 11.45], [107.00, 11.45], [107.00, 11.62], [106.80, 11.62]]\naliases = [\"Đồng Xoài city\"]",
        1,
    );
    std::fs::write(&spots, &text).unwrap();
    // A person decides the mountain photo shows the shrine.
    let chosen = fx.json(&["set-spot", &mountain, "mieu-ba-ra"], 0);
    assert_eq!(chosen["spot"]["id"], "mieu-ba-ra");
    assert_eq!(chosen["spot"]["rule"], "manual");

    let retag = fx.json(&["spots", "retag"], 0);
    assert_eq!(retag["changed"], serde_json::json!([outside_radius]));
    assert_eq!(retag["kept_manual"], 1);
    let s = spot_of(&fx, &outside_radius);
    assert_eq!(s["id"], "dong-xoai");
    assert_eq!(s["rule"], "polygon");
    assert!(s["distance_m"].as_f64().unwrap() > 8000.0);
    assert_eq!(spot_of(&fx, &mountain)["id"], "mieu-ba-ra");

    // "none" is a choice too, and survives retagging.
    fx.json(&["set-spot", &mountain, "none"], 0);
    fx.json(&["spots", "retag"], 0);
    assert!(spot_of(&fx, &mountain).is_null());

    // Counts and GeoJSON.
    let list = fx.json(&["spots"], 0);
    let dx = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "dong-xoai")
        .unwrap();
    assert_eq!(dx["assets"], 1);
    assert_eq!(dx["approved"], 0);
    let out = fx.run(&["spots", "--geojson"]);
    let geo: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(geo["type"], "FeatureCollection");
    let feature = geo["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "dong-xoai")
        .unwrap();
    assert_eq!(feature["geometry"]["type"], "Polygon");
    let ring = feature["geometry"]["coordinates"][0].as_array().unwrap();
    assert_eq!(ring.first(), ring.last(), "GeoJSON rings are closed");
    assert_eq!(feature["properties"]["assets"], 1);
    let point = geo["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "soc-bom-bo")
        .unwrap();
    assert_eq!(
        point["geometry"]["coordinates"],
        serde_json::json!([107.1942, 11.8388])
    );
}

#[test]
fn search_is_blind_to_case_and_diacritics() {
    let fx = Fixture::new();
    let lach = ingest_one(&fx, "IMG_0001.jpg", 11.8064, 107.3552, 1);
    let ra = ingest_one(&fx, "IMG_0002.jpg", 11.8169, 107.0009, 2);
    let xoai = ingest_one(&fx, "IMG_0003.jpg", 11.53495, 106.88324, 3);
    let found = |args: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = fx
            .json(args, 0)
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    for q in ["bu lach", "Bù Lạch", "BU LACH", "trảng cỏ"] {
        assert_eq!(
            found(&["ls", "--query", q]),
            vec![lach.clone()],
            "query {q:?}"
        );
    }
    assert_eq!(found(&["ls", "--query", "ba ra"]), vec![ra.clone()]);
    assert_eq!(found(&["ls", "--query", "dong xoai"]), vec![xoai.clone()]);
    assert_eq!(found(&["ls", "--query", "ĐỒNG XOÀI"]), vec![xoai.clone()]);
    // --spot takes an id or a name.
    assert_eq!(
        found(&["ls", "--spot", "trang-co-bu-lach"]),
        vec![lach.clone()]
    );
    assert_eq!(found(&["ls", "--spot", "bu lach"]), vec![lach]);
    assert_eq!(found(&["ls", "--spot", "Núi Bà Rá - Thác Mơ"]), vec![ra]);
}

#[test]
fn a_broken_gazetteer_is_refused_naming_the_entry() {
    let fx = Fixture::new();
    let spots = fx.brand().join("spots.toml");
    let text = std::fs::read_to_string(&spots).unwrap();
    let broken = text
        .replacen("id = \"mieu-ba-ra\"", "id = \"nui-ba-ra\"", 1)
        .replacen("radius_m = 2500", "radius_m = 0", 1)
        .replacen("lat = 11.5703", "lat = 95.5703", 1);
    std::fs::write(&spots, broken).unwrap();
    let path = fx.write("x.jpg", &photo_at(11.8, 107.0, 1));
    let out = fx.run(&["ingest", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("spot \"nui-ba-ra\": duplicate id"), "{err}");
    assert!(
        err.contains("spot \"trang-co-bu-lach\": radius_m must be positive"),
        "{err}"
    );
    assert!(
        err.contains("spot \"tay-cat-tien\": coordinate out of range"),
        "{err}"
    );
}

/// The JSON text query in pages: following the cursor gives what one long page gives, in id
/// order, for an admin who sees every match and for the public who sees three of forty (the
/// last three, past the query's first batch of matches, so it has to look further).
#[test]
fn text_query_pages_follow_the_cursor_for_every_viewer() {
    let fx = Fixture::new();
    for i in 0..40 {
        let name = format!("thác mơ {i:02}.jpg");
        fx.write(&name, &photo(32, 24, i, &ExifFields::default()));
    }
    for i in 0..5 {
        let name = format!("hồ suối lam {i}.jpg");
        fx.write(&name, &photo(32, 24, 100 + i, &ExifFields::default()));
    }
    let input = fx.input();
    fx.json(&["ingest", "--no-render", input.to_str().unwrap()], 0);
    let mut thac: Vec<String> = fx
        .json(&["ls"], 0)
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["names"][0].as_str().unwrap().starts_with("thác"))
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    thac.sort();
    assert_eq!(thac.len(), 40);
    let public = thac[37..].to_vec();
    for id in &public {
        fx.json(&["edit", id, "--access", "public"], 0);
        fx.json(&["submit", id], 0);
        fx.json(&["approve", id, "--override", "kiểm thử phân trang"], 0);
    }
    let token = fx.token("admin", "qt");
    let (_server, port) = fx.serve();
    let pages = |token: Option<&str>, limit: usize| {
        common::item_ids(&common::api_pages(port, "&q=thac%20mo", token, limit))
    };
    assert_eq!(pages(Some(&token), 500), thac);
    assert_eq!(pages(Some(&token), 7), thac);
    assert_eq!(pages(None, 500), public);
    assert_eq!(pages(None, 1), public);
}
