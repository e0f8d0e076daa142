//! GET /api/assets through a real server: candidates from the indexes (a theme's tag forms
//! merged in id order), pages that follow the cursor for every viewer, and items sent as the
//! records are stored — which must be what the asset's own page says, also for a record written
//! in an older shape. In process: the catalogue's filters (theme, audience, dates, box) and its
//! newest-first pages, counted.

mod common;

use actix_web::http::StatusCode;
use actix_web::test as at;
use brandvault::media::exif::ExifFields;
use common::service::{get, patch_json, publish, setup, NOW};
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
    fx.rewrite_stored_record(&hex_bytes(&id), |record| {
        let fields = record.as_object_mut().unwrap();
        fields.remove("title");
        fields.remove("copyright");
    });
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

/// Theme and audience (by id or by name, accent-blind), date range and bounding box, alone
/// and together; bad values are 400 with a code.
#[actix_web::test]
async fn catalogue_filters_theme_audience_dates_and_box() {
    let fx = Fixture::new();
    let (svc, draft, public) = setup(&fx);
    let app = app!(svc);
    let admin = svc.tokens["admin"].clone();
    let ids = |query: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let resp = at::call_service(
                app,
                get(&format!("/api/assets?{query}"), Some(&admin)).to_request(),
            )
            .await;
            assert_eq!(resp.status(), StatusCode::OK, "{query}");
            let body: Value = at::read_body_json(resp).await;
            let mut ids: Vec<String> = body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        }
    };
    let mut both = vec![draft.clone(), public.clone()];
    both.sort();
    assert_eq!(ids("theme=tourism").await, both);
    assert_eq!(
        ids("theme=du%20lich").await,
        both,
        "by its Vietnamese name, accent-blind"
    );
    assert_eq!(ids("audience=investors&theme=tourism").await, both);
    assert!(ids("audience=workers").await.is_empty());
    assert_eq!(ids("from=2024-01-01").await, [public.as_str()]);
    assert_eq!(ids("to=2023-12-31").await, [draft.as_str()]);
    assert_eq!(ids("from=2023-11-20&to=2023-11-20").await, [draft.as_str()]);
    assert_eq!(ids("bbox=107.3,11.7,107.4,11.9").await, [public.as_str()]);
    assert!(ids("bbox=106.0,11.0,106.5,11.5").await.is_empty());
    assert_eq!(
        ids("bbox=107.3,11.7,107.4,11.9&from=2024-05-01&theme=tourism").await,
        [public.as_str()]
    );
    // Text: the in-memory copy of the folded texts, loaded by the first query, follows edits.
    assert!(ids("q=le%20hoi%20bom%20bo").await.is_empty());
    let req = at::TestRequest::patch()
        .uri(&format!("/api/assets/{draft}"))
        .insert_header(("authorization", format!("Bearer {admin}")))
        .set_json(serde_json::json!({"caption_vi": "Lễ hội Sóc Bom Bo"}))
        .to_request();
    assert_eq!(at::call_service(&app, req).await.status(), StatusCode::OK);
    assert_eq!(ids("q=le%20hoi%20bom%20bo").await, [draft.as_str()]);
    let req = at::TestRequest::patch()
        .uri(&format!("/api/assets/{draft}"))
        .insert_header(("authorization", format!("Bearer {admin}")))
        .set_json(serde_json::json!({"caption_vi": null}))
        .to_request();
    assert_eq!(at::call_service(&app, req).await.status(), StatusCode::OK);
    assert!(ids("q=le%20hoi%20bom%20bo").await.is_empty());
    // The API takes no empty filters; the catalogue page (a form sends every field) ignores them.
    let page = at::call_and_read_body(
        &app,
        get("/?kind=&status=&spot=&theme=&from=", Some(&admin)).to_request(),
    )
    .await;
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(
        page.contains(&draft) && page.contains(&public),
        "empty means all on the page"
    );
    for (query, code) in [
        ("kind=", "bad-query"),
        ("from=", "bad-date"),
        ("limit=0", "bad-limit"),
        ("limit=501", "bad-limit"),
        ("bbox=0,0,0,181", "bad-bbox"),
        ("kind=painting", "bad-query"),
        ("theme=gardening", "unknown-theme"),
        ("audience=robots", "unknown-audience"),
        ("from=2024-13-01", "bad-date"),
        ("bbox=1,2,3", "bad-bbox"),
    ] {
        let resp = at::call_service(
            &app,
            get(&format!("/api/assets?{query}"), Some(&admin)).to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{query}");
        let body: Value = at::read_body_json(resp).await;
        assert_eq!(body["code"], code, "{query}");
    }
    // The catalogue page offers the same filters, in Vietnamese.
    let page =
        at::call_and_read_body(&app, get("/?theme=tourism", Some(&admin)).to_request()).await;
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(
        page.contains(r#"<option value="tourism" selected>Du lịch</option>"#),
        "{page}"
    );
    // A text field read day first, whatever the browser's locale.
    assert!(page.contains(r#"<input id="f-from" name="from" inputmode="numeric" autocomplete="off" placeholder="ngày/tháng/năm""#));
}

/// The catalogue page: newest first by capture date, counted, 48 to a page, kept current by
/// every commit (the in-memory listing), and only what the viewer may see.
#[actix_web::test]
async fn catalogue_is_newest_first_counted_and_paged() {
    let fx = Fixture::new();
    let (svc, draft, public) = setup(&fx);
    // 50 more photos, taken one day apart in 2022: older than the two of the fixture.
    for day in 0..50u64 {
        let fields = brandvault::media::exif::ExifFields {
            datetime_original: Some(format!("2022-01-{:02}T09:00:00", 1 + day % 28)),
            ..Default::default()
        };
        fx.write(
            &format!("batch/p{day:02}.jpg"),
            &photo(64, 48, 100 + day, &fields),
        );
    }
    let options = brandvault::ingest::IngestOptions {
        tags: Vec::new(),
        kind: None,
        limits: svc.state.settings.limits,
        max_bytes: u64::MAX,
        actor: "dana".into(),
        at: NOW.into(),
        uploader: None,
        metadata: Default::default(),
        spot: None,
    };
    let report = svc
        .state
        .ingester()
        .ingest_paths(&[fx.input().join("batch")], &options, &|_| {})
        .unwrap();
    assert_eq!(report.added.len(), 50);
    let app = app!(svc);
    let bm = svc.tokens["bm"].clone();
    let page = |path: &str, token: Option<&str>| {
        let req = get(path, token).to_request();
        let app = &app;
        async move { String::from_utf8(at::call_and_read_body(app, req).await.to_vec()).unwrap() }
    };
    let first = page("/", Some(&bm)).await;
    assert!(first.contains("52 kết quả"), "counted");
    assert!(first.contains("đang xem 1–48"));
    let order: Vec<usize> = [public.as_str(), draft.as_str()]
        .iter()
        .map(|id| {
            first
                .find(&format!("/assets/{id}"))
                .expect("on the first page")
        })
        .collect();
    assert!(order[0] < order[1], "2024 before 2023");
    assert_eq!(first.matches("class=\"card").count(), 48);
    assert!(first.contains(r#"href="/?page=2" rel="next""#));
    let second = page("/?page=2", Some(&bm)).await;
    assert_eq!(second.matches("class=\"card").count(), 4);
    assert!(second.contains("Trang 2 / 2"));
    // The public sees nothing until one is published; then exactly that one.
    assert!(page("/", None)
        .await
        .contains("Chưa có ảnh nào được công bố."));
    publish(&app, &svc, &public).await;
    let public_page = page("/", None).await;
    assert!(public_page.contains("1 kết quả"), "{public_page}");
    // An edit shows at once: the card is titled by its new caption.
    let caption = serde_json::json!({"caption_vi": "Trảng cỏ mùa nước nổi"});
    let req = patch_json(&format!("/api/assets/{public}"), &bm, caption).to_request();
    assert_eq!(at::call_service(&app, req).await.status(), StatusCode::OK);
    assert!(page("/?q=mua+nuoc", None)
        .await
        .contains("Trảng cỏ mùa nước nổi"));
}
