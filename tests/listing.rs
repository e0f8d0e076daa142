//! GET /api/assets through a real server: candidates from the indexes (a theme's tag forms
//! merged in id order), pages that follow the cursor for every viewer, and items sent as the
//! records are stored — which must be what the asset's own page says, also for a record written
//! in an older shape.

mod common;

use brandvault::media::exif::ExifFields;
use common::{api_pages, item_ids, photo, Fixture};
use serde_json::Value;

/// Ingests `n` photos tagged `tag` (seeds from `seed`), renditions made, so that `serve` has
/// nothing left to change; returns their ids, sorted.
fn ingest_tagged(fx: &Fixture, tag: &str, n: u64, seed: u64) -> Vec<String> {
    let dir = fx.input().join(format!("batch-{seed}"));
    for i in 0..n {
        let bytes = photo(24, 16, seed + i, &ExifFields::default());
        fx.write(&format!("batch-{seed}/{i}.jpg"), &bytes);
    }
    let report = fx.json(&["ingest", "--tag", tag, dir.to_str().unwrap()], 0);
    let mut ids = common::ids(&report, "added");
    ids.sort();
    ids
}

#[test]
fn a_theme_lists_every_form_of_its_tag_in_id_order_for_every_viewer() {
    let fx = Fixture::new();
    let by_id = ingest_tagged(&fx, "tourism", 12, 0);
    let by_name = ingest_tagged(&fx, "Du lịch", 12, 100);
    let other = ingest_tagged(&fx, "culture", 6, 200);
    let mut tourism: Vec<String> = by_id.iter().chain(&by_name).cloned().collect();
    tourism.sort();
    // Three published, from both forms; one approved but not public stays with the staff.
    let public = [&by_id[3], &by_name[0], &by_name[7]];
    for id in public {
        fx.json(&["edit", id, "--access", "public"], 0);
    }
    for id in public.iter().copied().chain([&by_id[5]]) {
        fx.json(&["submit", id], 0);
        fx.json(&["approve", id, "--override", "kiểm thử danh sách"], 0);
    }
    let mut public: Vec<String> = public.into_iter().cloned().collect();
    public.sort();
    let token = fx.token("admin", "qt");
    let (server, port) = fx.serve();
    for query in ["&theme=tourism", "&tag=du%20lich", "&tag=tourism"] {
        for limit in [500, 5, 1] {
            assert_eq!(
                item_ids(&api_pages(port, query, Some(&token), limit)),
                tourism,
                "{query}"
            );
        }
        assert_eq!(
            item_ids(&api_pages(port, query, None, 2)),
            public,
            "{query}"
        );
    }
    assert_eq!(
        item_ids(&api_pages(port, "&theme=culture", Some(&token), 4)),
        other
    );
    // Everything: the photos and the brand's logos, which `serve` imports.
    let logos = item_ids(&api_pages(port, "&kind=logo", Some(&token), 500));
    assert!(!logos.is_empty());
    let mut all: Vec<String> = tourism
        .iter()
        .chain(&other)
        .chain(&logos)
        .cloned()
        .collect();
    all.sort();
    let listed = api_pages(port, "", Some(&token), 7);
    assert_eq!(item_ids(&listed), all);
    // A tag and a text query: candidates from the tag's index, the words checked on each.
    let holding_1: Vec<String> = listed
        .iter()
        .filter(|a| tourism.iter().any(|t| a["id"] == t.as_str()))
        .filter(|a| a["names"][0].as_str().unwrap().contains('1'))
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!holding_1.is_empty() && holding_1.len() < tourism.len());
    let both = "&theme=tourism&q=1";
    assert_eq!(item_ids(&api_pages(port, both, Some(&token), 3)), holding_1);
    // Each item, sent as stored, is what the asset's own page says.
    for item in &listed {
        let id = item["id"].as_str().unwrap();
        let (code, body) = common::http_get(port, &format!("/api/assets/{id}"), Some(&token));
        assert_eq!(code, 200);
        assert!(
            &serde_json::from_str::<Value>(&body).unwrap() == item,
            "{id}: {body}"
        );
    }
    // The command line, with no listing in memory, decides on the records by the same rules.
    drop(server);
    let cli = fx.json(&["ls", "--tag", "du lịch", "--query", "1"], 0);
    assert_eq!(item_ids(cli.as_array().unwrap()), holding_1);
}

#[test]
fn a_record_in_an_older_shape_is_rewritten_when_the_catalogue_opens() {
    let fx = Fixture::new();
    let id = ingest_tagged(&fx, "tourism", 1, 7).remove(0);
    let current = fx.show(&id);
    assert!(current.get("title").is_some() && current.get("copyright").is_some());
    // As an older brandvault wrote it: without the fields added since (read with defaults).
    {
        let db = sled::open(fx.index()).unwrap();
        let assets = db.open_tree("assets").unwrap();
        let key = hex_bytes(&id);
        let mut record: Value =
            serde_json::from_slice(&assets.get(&key).unwrap().unwrap()).unwrap();
        let fields = record.as_object_mut().unwrap();
        fields.remove("title");
        fields.remove("copyright");
        assets
            .insert(&key, serde_json::to_vec(&record).unwrap())
            .unwrap();
        db.open_tree("meta")
            .unwrap()
            .remove("record_shape")
            .unwrap();
        db.flush().unwrap();
    }
    let token = fx.token("admin", "qt");
    let (_server, port) = fx.serve();
    let listed = api_pages(port, "&kind=photo", Some(&token), 50);
    assert!(
        listed == [current.clone()],
        "the listing sends the record rewritten: {listed:?}"
    );
    let (_, body) = common::http_get(port, &format!("/api/assets/{id}"), Some(&token));
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), current);
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}
