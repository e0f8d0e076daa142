//! The Atom feed of newly published pictures, in process over the real store and sled: read
//! back namespace-aware and held to RFC 4287's rules (one id, title and updated per feed and
//! per entry, an author for each entry, RFC 3339 dates, an alternate link), latest approval
//! first, only what is published, and the listing's filters.

mod common;

use actix_web::http::StatusCode;
use actix_web::test;
use common::service::{get, patch_json, publish, setup};
use common::Fixture;
use serde_json::json;

const ATOM: &str = "http://www.w3.org/2005/Atom";

/// The RFC 4287 constraints a feed reader relies on; returns the entries' ids in order.
fn check_atom(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().namespace(), Some(ATOM));
    assert_eq!(feed.tag_name().name(), "feed");
    let children = |n: roxmltree::Node<'_, '_>, name: &str| -> Vec<String> {
        n.children()
            .filter(|c| c.tag_name().namespace() == Some(ATOM) && c.tag_name().name() == name)
            .map(|c| c.text().unwrap_or_default().to_owned())
            .collect()
    };
    let date = |s: &str| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|e| panic!("{s:?} is not RFC 3339: {e}"))
    };
    for one in ["id", "title", "updated"] {
        assert_eq!(children(feed, one).len(), 1, "feed/{one}");
    }
    date(&children(feed, "updated")[0]);
    let feed_author = !children(feed, "author").is_empty();
    let mut ids = Vec::new();
    for entry in feed.children().filter(|c| c.tag_name().name() == "entry") {
        for one in ["id", "title", "updated"] {
            assert_eq!(children(entry, one).len(), 1, "entry/{one}");
        }
        date(&children(entry, "updated")[0]);
        assert!(
            feed_author || !children(entry, "author").is_empty(),
            "entry/author"
        );
        let alternate = entry
            .children()
            .filter(|c| c.tag_name().name() == "link" && c.attribute("rel") == Some("alternate"))
            .count();
        assert_eq!(alternate, 1, "one alternate link");
        let id = &children(entry, "id")[0];
        assert!(id.starts_with("http"), "an IRI: {id}");
        ids.push(id.rsplit('/').next().unwrap().to_owned());
    }
    ids
}

#[actix_web::test]
async fn newly_published_pictures_as_atom() {
    let fx = Fixture::new();
    let (svc, draft, public) = setup(&fx);
    let (svc, clock) = common::service::on_moving_clock(svc);
    let app = app!(svc);
    let feed = |path: &str| get(path, None).to_request();

    let resp = test::call_service(&app, feed("/feed.atom")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let empty = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    assert!(check_atom(&empty).is_empty(), "nothing published yet");

    publish(&app, &svc, &public).await;
    let edit = patch_json(
        &format!("/api/assets/{public}"),
        &svc.tokens["bm"],
        json!({"caption_vi": "Trảng cỏ Bù Lạch & mây", "caption_en": "Bù Lạch\u{b} grassland", "credit": "Phạm Thu <Sở VHTTDL>", "license": "CC BY 4.0"}),
    );
    assert_eq!(
        test::call_service(&app, edit.to_request()).await.status(),
        StatusCode::OK
    );
    *clock.lock().unwrap() = "2026-11-27T09:00:00Z".into();
    publish(&app, &svc, &draft).await;

    let resp = test::call_service(&app, feed("/feed.atom")).await;
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "application/atom+xml; charset=utf-8"
    );
    let xml = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    assert_eq!(
        check_atom(&xml),
        vec![draft.clone(), public.clone()],
        "latest approval first"
    );
    assert!(
        xml.contains("<title>Trảng cỏ Bù Lạch &amp; mây</title>"),
        "{xml}"
    );
    assert!(xml.contains("<author><name>Phạm Thu &lt;Sở VHTTDL&gt;</name></author>"));
    assert!(xml.contains("<rights>CC BY 4.0</rights>"));
    // A character XML forbids (a vertical tab pasted from a camera's caption) is dropped.
    assert!(xml.contains("Bù Lạch grassland"));
    assert!(
        xml.contains(&format!(
            "<media:thumbnail url=\"http://localhost:8080/a/{public}/preview\""
        )),
        "a stable address that outlives an edit: {xml}"
    );

    // The listing's filters: the spot of one of them only.
    let resp = test::call_service(&app, feed("/feed.atom?spot=trang-co-bu-lach")).await;
    let xml = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    assert_eq!(check_atom(&xml), vec![public.clone()]);
    let resp = test::call_service(&app, feed("/feed.atom?theme=nope")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

    // Withdrawn: gone from the feed.
    let archive = common::service::post_json(
        &format!("/api/assets/{draft}/archive"),
        &svc.tokens["bm"],
        json!({}),
    );
    assert_eq!(
        test::call_service(&app, archive.to_request())
            .await
            .status(),
        StatusCode::OK
    );
    let resp = test::call_service(&app, feed("/feed.atom")).await;
    let xml = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    assert_eq!(check_atom(&xml), vec![public]);
}
