//! The listing against the records it stands for: visibility, browsing after commits, and
//! every filter field.

use super::*;

/// Asset `n`: captured on one of a few days (so keys interleave), at one of three spots.
fn asset(n: u32, status: &str, day: u32) -> Asset {
    let spot = ["ba-ra", "bu-lach", "thac-mo"][n as usize % 3];
    serde_json::from_value(serde_json::json!({
        "id": id(n), "kind": "photo", "media_type": "image/jpeg",
        "bytes": 1, "names": [format!("IMG_{n}.jpg")],
        "ingested_at": format!("2026-11-01T00:00:{:02}Z", n % 60),
        "captured_at": format!("2024-05-{day:02}T08:00:00"),
        "spot": {"id": spot, "name_vi": spot, "name_en": spot, "distance_m": 1.0,
                 "rule": "radius"},
        "status": status, "access": "public", "caption": {"vi": format!("thác {n}")},
        "tags": [], "violations": []
    }))
    .expect("an asset")
}

fn id(n: u32) -> AssetId {
    let mut id = [0u8; 32];
    id[..4].copy_from_slice(&n.to_be_bytes());
    AssetId::from_bytes(id)
}

#[test]
fn who_may_see_an_asset_reads_from_its_record_as_the_listing_keeps_it() {
    let mut embargoed = asset(7, "approved", 3);
    embargoed.owner = Some("lan".into());
    embargoed.available_from = Some("2027-01-01T00:00:00Z".into());
    for a in [asset(1, "draft", 1), asset(2, "approved", 2), embargoed] {
        let mut listing = Listing::default();
        listing.insert(&a);
        listing.settle();
        let json = serde_json::to_vec(&a).unwrap();
        assert_eq!(
            listing.visibility(&a.id),
            super::super::visibility_of(&json).as_ref()
        );
        assert_eq!(super::super::visibility_of(&json), Some(Visibility::of(&a)));
    }
}

/// Each filter field alone: the listing (fast path included) finds exactly the assets
/// whose full record the filter accepts.
#[test]
fn every_filter_field_answers_as_the_full_record_does() {
    let assets: Vec<Asset> = (0..60)
        .map(|n| {
            let mut a = asset(
                n,
                ["draft", "approved", "in_review"][n as usize % 3],
                1 + n % 9,
            );
            a.owner = Some(["lan", "thu"][n as usize % 2].into());
            a.tags = vec![["tourism", "culture"][n as usize % 2].into()];
            if n % 4 == 0 {
                a.kind = Kind::Video;
                a.gps = Some(crate::model::Gps {
                    lat: 11.8,
                    lon: 107.3,
                    alt_m: None,
                });
            }
            if n % 5 == 0 {
                a.available_from = Some("2027-01-01T00:00:00Z".into());
            }
            a
        })
        .collect();
    let mut listing = Listing::default();
    assets.iter().for_each(|a| listing.insert(a));
    listing.settle();
    let viewer = crate::model::Viewer {
        actor: None,
        now: "2026-12-01T00:00:00Z".into(),
    };
    let one_field: Vec<(&str, Filter)> = vec![
        (
            "kind",
            Filter {
                kind: Some(Kind::Video),
                ..Default::default()
            },
        ),
        (
            "status",
            Filter {
                status: Some(crate::model::Status::Approved),
                ..Default::default()
            },
        ),
        (
            "spot",
            Filter {
                spot: Some("bu-lach".into()),
                ..Default::default()
            },
        ),
        (
            "tags",
            Filter {
                tags: vec![vec!["culture".into()]],
                ..Default::default()
            },
        ),
        (
            "captured_from",
            Filter {
                captured_from: Some("2024-05-05".into()),
                ..Default::default()
            },
        ),
        (
            "captured_to",
            Filter {
                captured_to: Some("2024-05-03".into()),
                ..Default::default()
            },
        ),
        (
            "bbox",
            Filter {
                bbox: Some([107.0, 11.0, 108.0, 12.0]),
                ..Default::default()
            },
        ),
        (
            "query",
            Filter {
                query: Some("thác 1".into()),
                ..Default::default()
            },
        ),
        (
            "published_at",
            Filter {
                published_at: Some(viewer.now.clone()),
                ..Default::default()
            },
        ),
        (
            "viewer",
            Filter {
                viewer: Some(viewer.clone()),
                ..Default::default()
            },
        ),
        (
            "owner",
            Filter {
                owner: Some("lan".into()),
                ..Default::default()
            },
        ),
    ];
    for (field, filter) in one_field {
        let prepared = filter.prepared();
        let mut expected: Vec<AssetId> = assets
            .iter()
            .filter(|a| {
                let folded = crate::model::text::fold(&a.caption.vi.clone().unwrap_or_default());
                prepared.accepts(&Facets::of(a)) && prepared.text_holds(&folded)
            })
            .map(|a| a.id)
            .collect();
        let (count, mut found) = listing.page(&filter, 0, 1_000);
        expected.sort();
        found.sort();
        assert!(
            !expected.is_empty() && expected.len() < assets.len(),
            "{field} selects some"
        );
        assert_eq!(count, expected.len(), "{field}");
        assert_eq!(found, expected, "{field}");
    }
}

#[test]
fn a_listing_kept_by_commits_browses_as_one_built_afresh() {
    let mut present: BTreeMap<u32, Asset> = (0..3_000)
        .map(|n| (n, asset(n, "draft", 1 + n % 20)))
        .collect();
    let mut kept = Listing::default();
    present.values().for_each(|a| kept.insert(a));
    kept.settle();
    // One change per commit: a review (same place), a new capture date (a new place), a
    // new asset, a removal.
    for step in 0..400u32 {
        let n = (step * 7919) % 3_500;
        let changed = match step % 4 {
            0 => asset(n, "approved", 1 + n % 20),
            1 => asset(n, "draft", 1 + step % 28),
            2 => asset(3_000 + step, "in_review", 1 + step % 28),
            _ => {
                kept.remove(&id(n));
                present.remove(&n);
                kept.settle();
                continue;
            }
        };
        kept.insert(&changed);
        present.insert(
            u32::from_be_bytes(changed.id.as_bytes()[..4].try_into().unwrap()),
            changed,
        );
        kept.settle();
    }
    let mut fresh = Listing::default();
    present.values().for_each(|a| fresh.insert(a));
    fresh.settle();
    let approved = Filter {
        status: Some(crate::model::Status::Approved),
        ..Default::default()
    };
    let spot_and_text = Filter {
        spot: Some("bu-lach".into()),
        query: Some("thac".into()),
        ..Default::default()
    };
    for filter in [Filter::default(), approved, spot_and_text] {
        let page = kept.page(&filter, 0, 10_000);
        assert!(page.0 > 0);
        assert_eq!(page, fresh.page(&filter, 0, 10_000));
    }
    let all = Filter::default();
    assert_eq!(kept.count_by_spot(&all), fresh.count_by_spot(&all));
}
