//! The HTTP service in process (actix test server over the real store, sled and brand folder):
//! the 404 rule on every route for every hidden asset, roles, token revocation, uploads and
//! their limit, Range, 304, UTF-8 downloads, the stable alias, metrics. (Catalogue pages are in
//! tests/listing.rs, video seeking in tests/video.rs, embeds in tests/portal.rs.)

mod common;

use actix_web::http::StatusCode;
use actix_web::test;
use brandvault::catalog::Change;
use brandvault::media::exif::ExifFields;
use common::{photo, Fixture};
use serde_json::Value;

use common::service::{get, multipart, post_json, publish, setup, upload, NOW};

#[actix_web::test]
async fn hidden_assets_do_not_exist_on_any_route() {
    let fx = Fixture::new();
    let (svc, draft, public) = setup(&fx);
    let app = app!(svc);
    let t = |name: &str| svc.tokens[name].clone();
    // Make `public` approved and public, with its violations overridden.
    publish(&app, &svc, &public).await;

    let asset: Value = test::call_and_read_body_json(
        &app,
        get(&format!("/api/assets/{draft}"), Some(&t("bm"))).to_request(),
    )
    .await;
    let thumb = asset["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["preset"] == "thumb")
        .unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let routes = [
        format!("/api/assets/{draft}"),
        format!("/api/assets/{draft}/download"),
        format!("/api/assets/{draft}/download?preset=press"),
        thumb.clone(),
        format!("/a/{draft}/web"),
        format!("/assets/{draft}"),
    ];
    // The public, press, agency and another designer see nothing; a bogus token is refused.
    for route in &routes {
        let resp = test::call_service(&app, get(route, Some("bv_bogus")).to_request()).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{route}");
    }
    for who in [None, Some(t("press")), Some(t("agency")), Some(t("dan"))] {
        for route in &routes {
            let resp = test::call_service(&app, get(route, who.as_deref()).to_request()).await;
            assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{route} for {who:?}");
        }
        let list: Value =
            test::call_and_read_body_json(&app, get("/api/assets", who.as_deref()).to_request())
                .await;
        let ids: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [public.as_str()], "list for {who:?}");
    }
    // Its uploader and the reviewers do see it.
    for who in ["dana", "bm", "admin"] {
        for route in &routes[..5] {
            let resp = test::call_service(&app, get(route, Some(&t(who))).to_request()).await;
            assert!(
                resp.status().is_success() || resp.status() == StatusCode::FOUND,
                "{route} for {who}: {}",
                resp.status()
            );
        }
    }
    // A revoked token is refused (401), never taken as the public.
    svc.state
        .catalog
        .commit(
            NOW,
            "test",
            &[Change::TokenRevoked {
                name: "dana".into(),
            }],
            &[],
        )
        .unwrap();
    let resp = test::call_service(
        &app,
        get(&format!("/api/assets/{draft}"), Some(&t("dana"))).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // A draft cannot be approved by a designer, and errors carry a code.
    let resp = test::call_service(
        &app,
        post_json(
            &format!("/api/assets/{draft}/approve"),
            &t("admin"),
            serde_json::json!({}),
        )
        .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["code"], "invalid-transition");
}

#[actix_web::test]
async fn renditions_are_immutable_with_etag_range_and_304() {
    let fx = Fixture::new();
    let (svc, _draft, public) = setup(&fx);
    let app = app!(svc);
    let bm = svc.tokens["bm"].clone();
    publish(&app, &svc, &public).await;
    let asset: Value = test::call_and_read_body_json(
        &app,
        get(&format!("/api/assets/{public}"), None).to_request(),
    )
    .await;
    let preview = asset["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["preset"] == "preview")
        .unwrap()
        .clone();
    let url = preview["url"].as_str().unwrap();
    let hash = &url[3..67];
    let resp = test::call_service(&app, get(url, None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers();
    assert_eq!(h.get("etag").unwrap(), &format!("\"{hash}\""));
    assert_eq!(
        h.get("cache-control").unwrap(),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(h.get("content-type").unwrap(), "image/jpeg");
    let body = test::read_body(resp).await;
    assert_eq!(body.len() as u64, preview["bytes"].as_u64().unwrap());
    assert_eq!(blake3::hash(&body).to_hex().as_str(), hash);
    let resp = test::call_service(
        &app,
        get(url, None)
            .insert_header(("range", "bytes=10-19"))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(test::read_body(resp).await.as_ref(), &body[10..20]);
    let suffix = get(url, None)
        .insert_header(("range", "bytes=-5"))
        .to_request();
    let resp = test::call_service(&app, suffix).await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        test::read_body(resp).await.as_ref(),
        &body[body.len() - 5..]
    );
    let beyond = format!("bytes={}-", body.len() + 10);
    let resp = test::call_service(
        &app,
        get(url, None).insert_header(("range", beyond)).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    let resp = test::call_service(
        &app,
        get(url, None)
            .insert_header(("if-none-match", format!("\"{hash}\"")))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    // A wrong extension for the hash is not a rendition.
    let resp = test::call_service(&app, get(&format!("/r/{hash}.png"), None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // Downloads carry the UTF-8 name.
    let resp = test::call_service(
        &app,
        get(&format!("/api/assets/{public}/download?preset=press"), None).to_request(),
    )
    .await;
    let cd = resp
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cd.contains(
            "filename*=UTF-8''Tr%E1%BA%A3ng%20c%E1%BB%8F%20B%C3%B9%20L%E1%BA%A1ch-press.jpg"
        ),
        "{cd}"
    );
    // Downloads are counted per day, asset, preset and spot, and so are the views of the
    // rendition above (five answered requests, the 304 included); only reviewers read them.
    let again = get(&format!("/api/assets/{public}/download?preset=press"), None).to_request();
    test::call_service(&app, again).await;
    let resp = test::call_service(&app, get("/api/stats", None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let stats: Value =
        test::call_and_read_body_json(&app, get("/api/stats", Some(&bm)).to_request()).await;
    assert_eq!(
        stats["downloads"],
        serde_json::json!([
            {"day": "2026-11-26", "id": public, "preset": "press", "spot": "trang-co-bu-lach", "via": "download", "count": 2},
            {"day": "2026-11-26", "id": public, "preset": "preview", "spot": "trang-co-bu-lach", "via": "view", "count": 5},
        ])
    );
    // The stable alias follows the current rendition, and is gone once the asset is withdrawn.
    let resp = test::call_service(
        &app,
        get(&format!("/a/{public}/preview"), None).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert_eq!(resp.headers().get("location").unwrap(), url);
    // An agency's embed by its stable address is counted as one.
    let stats: Value =
        test::call_and_read_body_json(&app, get("/api/stats", Some(&bm)).to_request()).await;
    let embeds: Vec<&Value> = stats["downloads"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["via"] == "embed")
        .collect();
    assert_eq!(embeds.len(), 1, "{stats}");
    assert_eq!(embeds[0]["preset"], "preview");
    assert_eq!(embeds[0]["count"], 1);
    test::call_service(
        &app,
        post_json(
            &format!("/api/assets/{public}/archive"),
            &bm,
            serde_json::json!({}),
        )
        .to_request(),
    )
    .await;
    let resp = test::call_service(
        &app,
        get(&format!("/a/{public}/preview"), None).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::GONE);
    let resp = test::call_service(&app, get(url, None).to_request()).await;
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "withdrawn renditions are no longer served"
    );
}

/// POST /api/assets with one file, as the holder of `token` (or the public).
#[actix_web::test]
async fn uploads_are_streamed_deduplicated_and_limited() {
    let fx = Fixture::new();
    let (svc, _, _) = setup(&fx);
    let app = app!(svc);
    let dana = svc.tokens["dana"].clone();
    let bytes = photo(320, 240, 9, &ExifFields::default());
    let resp = test::call_service(
        &app,
        upload(Some(&dana), "Sóc Bom Bo lễ hội.jpg", &bytes).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let asset: Value = test::read_body_json(resp).await;
    assert_eq!(asset["id"], blake3::hash(&bytes).to_hex().as_str());
    assert_eq!(asset["names"][0], "Sóc Bom Bo lễ hội.jpg");
    assert_eq!(asset["owner"], "dana");
    let health = |app| async move {
        let body: Value =
            test::call_and_read_body_json(app, get("/healthz", None).to_request()).await;
        body["assets"].as_u64().unwrap()
    };
    assert_eq!(health(&app).await, 3, "two from the setup, one uploaded");
    // The same bytes again: the existing asset, 200.
    let resp =
        test::call_service(&app, upload(Some(&dana), "again.jpg", &bytes).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(health(&app).await, 3, "a duplicate is no new asset");
    // The public and the press cannot upload; bad and oversized files are refused with codes.
    let resp = test::call_service(&app, upload(None, "x.jpg", &bytes).to_request()).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = test::call_service(
        &app,
        upload(Some(&svc.tokens["press"]), "x.jpg", &bytes).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = test::call_service(
        &app,
        upload(Some(&dana), "notes.bin", &[0x13u8; 4096]).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["code"], "unsupported-type");
    let big = photo(1400, 1000, 3, &ExifFields::default());
    assert!(big.len() > 300_000, "over the test limit: {}", big.len());
    let resp = test::call_service(&app, upload(Some(&dana), "big.jpg", &big).to_request()).await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["code"], "too-large");
    assert!(
        !body["message"].as_str().unwrap().contains('/'),
        "no path in an error body"
    );
    // An unknown field after the file is refused, and answered at once (schemathesis found
    // this hanging when the handler asked for the next field while still holding the file's).
    let other = photo(64, 48, 11, &ExifFields::default());
    let (ct, mut body) = multipart("extra.jpg", &other);
    body.truncate(body.len() - "--\r\n".len());
    body.extend_from_slice(
        b"\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n42\r\n------brandvault-test-boundary--\r\n",
    );
    let req = test::TestRequest::post()
        .uri("/api/assets")
        .insert_header(("content-type", ct))
        .insert_header(("authorization", format!("Bearer {dana}")))
        .set_payload(body)
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["code"], "unexpected-field");
    let id = blake3::hash(&other).to_hex();
    let resp = test::call_service(
        &app,
        get(&format!("/api/assets/{id}"), Some(&dana)).to_request(),
    )
    .await;
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "nothing was catalogued"
    );
}

/// Bodies and methods the API does not take are refused with JSON codes, never actix's plain
/// text: a step body that is not an object, a PATCH with an unknown field, an array or not
/// JSON, a collection made from an array (serde reads a struct from one; the contract does not), a
/// method a path does not serve (405 with Allow).
#[actix_web::test]
async fn malformed_requests_get_json_errors() {
    let fx = Fixture::new();
    let (svc, draft, _) = setup(&fx);
    let app = app!(svc);
    let bm = svc.tokens["bm"].clone();
    let send = |method: &str, path: String, content_type: &str, body: &str| {
        test::TestRequest::default()
            .method(method.parse().unwrap())
            .uri(&path)
            .insert_header(("authorization", format!("Bearer {bm}")))
            .insert_header(("content-type", content_type.to_owned()))
            .set_payload(body.to_owned())
            .to_request()
    };
    for (method, path, ct, body, status, code) in [
        (
            "POST",
            format!("/api/assets/{draft}/submit"),
            "application/json",
            "[null, null]",
            400,
            "bad-json",
        ),
        (
            "POST",
            format!("/api/assets/{draft}/reject"),
            "application/json",
            r#"{"reason": "  \u0001 "}"#,
            409,
            "invalid-transition",
        ),
        (
            "PATCH",
            format!("/api/assets/{draft}"),
            "application/json",
            r#"{"captoin_vi": "x"}"#,
            400,
            "bad-json",
        ),
        (
            "PATCH",
            format!("/api/assets/{draft}"),
            "application/json",
            r#"["Thác Mơ"]"#,
            400,
            "bad-json",
        ),
        (
            "POST",
            "/api/collections".to_owned(),
            "application/json",
            r#"["Báo chí"]"#,
            400,
            "bad-json",
        ),
        (
            "PATCH",
            format!("/api/assets/{draft}"),
            "text/plain",
            "caption",
            415,
            "bad-content-type",
        ),
        (
            "DELETE",
            format!("/api/assets/{draft}"),
            "text/plain",
            "",
            405,
            "method-not-allowed",
        ),
    ] {
        let resp = test::call_service(&app, send(method, path.clone(), ct, body)).await;
        assert_eq!(resp.status().as_u16(), status, "{method} {path} {body}");
        if status == 405 {
            assert_eq!(resp.headers().get("allow").unwrap(), "GET, HEAD, PATCH");
        }
        let json: Value = test::read_body_json(resp).await;
        assert_eq!(json["code"], code, "{method} {path} {body}");
    }
    // A reason of blanks and control characters is no reason.
    let submitted = send(
        "POST",
        format!("/api/assets/{draft}/submit"),
        "application/json",
        "",
    );
    assert_eq!(
        test::call_service(&app, submitted).await.status(),
        StatusCode::OK
    );
    let reject = send(
        "POST",
        format!("/api/assets/{draft}/reject"),
        "application/json",
        r#"{"reason": " \u0007\t"}"#,
    );
    let resp = test::call_service(&app, reject).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let json: Value = test::read_body_json(resp).await;
    assert_eq!(json["code"], "reason-required");
    // HEAD is answered wherever GET is.
    let head = test::TestRequest::default()
        .method(actix_web::http::Method::HEAD)
        .uri("/api/spots")
        .to_request();
    assert_eq!(
        test::call_service(&app, head).await.status(),
        StatusCode::OK
    );
}

#[actix_web::test]
async fn pages_spots_brand_and_health() {
    let fx = Fixture::new();
    let (svc, _, _) = setup(&fx);
    let app = app!(svc);
    let resp = test::call_service(&app, get("/healthz", None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let page = test::call_and_read_body(&app, get("/", None).to_request()).await;
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(page.contains("<html lang=\"vi\"") && page.contains("Hình ảnh Bình Phước"));
    assert!(page.contains("Trảng cỏ Bù Lạch") || page.contains("Chưa có ảnh"));
    let en = test::call_and_read_body(&app, get("/?lang=en", None).to_request()).await;
    assert!(String::from_utf8(en.to_vec())
        .unwrap()
        .contains("Images of Bình Phước"));
    let spots: Value = test::call_and_read_body_json(
        &app,
        get("/api/spots", Some(&svc.tokens["bm"])).to_request(),
    )
    .await;
    let lach = spots
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "trang-co-bu-lach")
        .unwrap();
    assert_eq!(lach["assets"], 1);
    let public: Value =
        test::call_and_read_body_json(&app, get("/api/spots", None).to_request()).await;
    let lach = public
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "trang-co-bu-lach")
        .unwrap();
    assert_eq!(lach["assets"], 0, "counts only what the caller may see");
    let geo: Value =
        test::call_and_read_body_json(&app, get("/api/spots.geojson", None).to_request()).await;
    assert_eq!(geo["type"], "FeatureCollection");
    let brand: Value =
        test::call_and_read_body_json(&app, get("/api/brand", None).to_request()).await;
    assert_eq!(brand["guidelines"]["names"]["vi"], "Tỉnh Bình Phước");
    let resp = test::call_service(&app, get("/kit.zip", None).to_request()).await;
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "application/zip"
    );
    // The offline map: an SVG of the spots, each linking to its pictures, no external tiles.
    let html = |path: &'static str| {
        let app = &app;
        async move {
            let body = test::call_and_read_body(app, get(path, None).to_request()).await;
            String::from_utf8(body.to_vec()).unwrap()
        }
    };
    let map = html("/spots").await;
    assert!(map.contains("<svg"), "{map}");
    assert!(map.contains(r#"<a href="/?spot=trang-co-bu-lach">"#));
    assert!(map.contains("Trảng cỏ Bù Lạch"));
    assert!(
        !map.contains("http://") && !map.contains("https://"),
        "no external tiles"
    );
    assert!(html("/spots?lang=en").await.contains("Bu Lach grassland"));
    // The brand page: palette, slogans, the kit.
    let brand_page = html("/brand").await;
    assert!(brand_page.contains("#1B6B3A") && brand_page.contains("Xanh rừng cao su"));
    assert!(
        brand_page.contains("năng động, hiện đại"),
        "the slogan, diacritics intact"
    );
    assert!(brand_page.contains(r#"href="/kit.zip""#));
}

/// The value of a `name="csrf"` hidden field in a page.
/// /metrics speaks Prometheus' text format: requests by route pattern (never the raw path)
/// and status, a latency histogram, ingest counters and the asset gauge.
#[actix_web::test]
async fn metrics_count_requests_by_route() {
    let fx = Fixture::new();
    let (svc, _, public) = setup(&fx);
    let app = app!(svc);
    for _ in 0..3 {
        test::call_service(&app, get("/healthz", None).to_request()).await;
    }
    let resp = test::call_service(
        &app,
        get(&format!("/api/assets/{public}"), None).to_request(),
    )
    .await;
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "a draft is hidden from the public"
    );
    let new_photo = photo(64, 48, 77, &ExifFields::default());
    let req = upload(Some(&svc.tokens["dana"]), "mới.jpg", &new_photo).to_request();
    assert_eq!(
        test::call_service(&app, req).await.status(),
        StatusCode::CREATED
    );
    let resp = test::call_service(&app, get("/metrics", None).to_request()).await;
    assert!(resp
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    for line in [
        r#"brandvault_http_requests_total{method="GET",route="/healthz",status="200"} 3"#,
        r#"brandvault_http_requests_total{method="GET",route="/api/assets/{id}",status="404"} 1"#,
        r#"brandvault_http_requests_total{method="POST",route="/api/assets",status="201"} 1"#,
        "brandvault_http_request_duration_seconds_count 5",
        "brandvault_ingest_added_total 1",
        "brandvault_assets 3",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in:\n{text}"
        );
    }
    assert!(!text.contains(&public), "no raw paths as labels");
}
