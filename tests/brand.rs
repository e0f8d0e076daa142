//! Brand identity on real files: compliance rules block approval, the override is audited,
//! embargo and expiry follow an injected clock, the kit is complete and reproducible, and
//! `brand check` catches a broken brand folder.

mod common;

use std::io::Read;

use brandvault::media::exif::ExifFields;
use common::{ids, photo, Fixture};
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

const NOW: &str = "2026-11-26T08:00:00Z";

fn rules(asset: &Value) -> Vec<String> {
    let mut r: Vec<String> = asset["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule"].as_str().unwrap().to_owned())
        .collect();
    r.sort();
    r
}

fn at(fx: &Fixture, now: &str, args: &[&str], code: i32) -> Value {
    let mut all = vec!["--now", now];
    all.extend_from_slice(args);
    fx.json(&all, code)
}

/// A photo that satisfies every rule: credit, licence, theme and audience tags.
fn compliant_photo(fx: &Fixture, name: &str, seed: u64) -> String {
    let fields = ExifFields {
        artist: Some("Lê Văn Tâm".into()),
        ..Default::default()
    };
    let path = fx.write(name, &photo(320, 240, seed, &fields));
    let id = ids(&fx.ingest(&[&path], 0), "added").remove(0);
    at(
        fx,
        NOW,
        &[
            "edit",
            &id,
            "--license",
            "CC BY 4.0",
            "--tag",
            "tourism",
            "--tag",
            "Công chúng, khách du lịch",
        ],
        0,
    );
    id
}

#[test]
fn logo_rules_block_approval() {
    let fx = Fixture::new();
    let svg = |body: &str| {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="80" height="92">{body}</svg>"#
        )
    };
    fx.write(
        "ok.svg",
        svg(r##"<rect width="80" height="92" fill="#1B6B3A"/><circle r="5" fill="#d9822b"/>"##)
            .as_bytes(),
    );
    fx.write(
        "near.svg",
        svg(r##"<rect width="80" height="92" fill="#1C6B3B"/>"##).as_bytes(),
    );
    fx.write(
        "off.svg",
        svg(r##"<rect width="80" height="92" fill="#FF00FF"/>"##).as_bytes(),
    );
    fx.write("script.svg", svg(r##"<script>alert(1)</script><rect width="8" height="8" fill="#1B6B3A" onclick="x()"/>"##).as_bytes());
    fx.write(
        "href.svg",
        svg(r##"<image xlink:href="https://example.org/x.png" width="8" height="8"/>"##).as_bytes(),
    );
    // Named after a variant, with the wrong proportions.
    fx.write(
        "icon-full.svg",
        svg(r##"<rect width="80" height="92" fill="#1B6B3A"/>"##)
            .replace(r#"height="92""#, r#"height="40""#)
            .as_bytes(),
    );
    fx.ingest(&[&fx.input()], 0);
    let find = |name: &str| fx.json(&["ls", "--query", name], 0)[0].clone();
    assert_eq!(rules(&find("ok.svg")), Vec::<String>::new());
    assert_eq!(
        rules(&find("near.svg")),
        Vec::<String>::new(),
        "within ΔE tolerance"
    );
    assert_eq!(rules(&find("off.svg")), ["logo-off-palette"]);
    assert_eq!(
        rules(&find("script.svg")),
        ["logo-active-content", "logo-active-content"]
    );
    assert_eq!(rules(&find("href.svg")), ["logo-external-reference"]);
    assert_eq!(rules(&find("icon-full.svg")), ["logo-aspect-ratio"]);
    for name in ["off.svg", "script.svg", "href.svg", "icon-full.svg"] {
        let id = find(name)["id"].as_str().unwrap().to_owned();
        at(&fx, NOW, &["submit", &id], 0);
        let refused = at(&fx, NOW, &["approve", &id], 3);
        assert_eq!(refused["code"], "guideline-violation", "{name}");
        assert_eq!(fx.show(&id)["status"], "in_review");
    }
    let ok = find("ok.svg")["id"].as_str().unwrap().to_owned();
    at(&fx, NOW, &["submit", &ok], 0);
    assert_eq!(at(&fx, NOW, &["approve", &ok], 0)["status"], "approved");
}

#[test]
fn photo_rules_and_the_audited_override() {
    let fx = Fixture::new();
    let good = compliant_photo(&fx, "good.jpg", 1);
    assert_eq!(rules(&fx.show(&good)), Vec::<String>::new());
    // Meant for the press, but only 320 px wide.
    let asset = at(&fx, NOW, &["edit", &good, "--access", "press"], 0);
    assert_eq!(rules(&asset), ["press-resolution"]);
    // No credit, no licence, no tags, people without consent.
    let path = fx.write("bare.jpg", &photo(320, 240, 2, &ExifFields::default()));
    let bare = ids(&fx.ingest(&[&path], 0), "added").remove(0);
    at(&fx, NOW, &["edit", &bare, "--tag", "people"], 0);
    assert_eq!(
        rules(&fx.show(&bare)),
        [
            "rights-consent-missing",
            "rights-credit-missing",
            "rights-license-missing",
            "tags-audience-missing",
            "tags-theme-missing"
        ]
    );
    at(&fx, NOW, &["submit", &bare], 0);
    let refused = at(&fx, NOW, &["approve", &bare], 3);
    assert_eq!(refused["code"], "guideline-violation");
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("rights-credit-missing"));
    // A brand manager overrides in writing; the journal keeps it.
    let justification = "Ảnh lưu trữ 1998, tác giả không rõ; Sở VHTTDL chấp thuận sử dụng";
    let approved = at(
        &fx,
        NOW,
        &["approve", &bare, "--override", justification],
        0,
    );
    assert_eq!(approved["status"], "approved");
    let log = fx.json(&["log", &bare], 0);
    let step = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["change"]["to"] == "approved")
        .expect("the approval is in the journal");
    assert_eq!(step["change"]["from"], "in_review");
    assert_eq!(step["change"]["override_justification"], justification);
    assert_eq!(step["actor"], "cli");
    assert_eq!(step["at"], NOW);
    // The trail is read through the index of where each entry lies: the same after a rebuild
    // and after the index is deleted and replayed from the journal at open.
    fx.json(&["rebuild"], 0);
    assert_eq!(fx.json(&["log", &bare], 0), log);
    fx.delete_index();
    assert_eq!(fx.json(&["log", &bare], 0), log);
}

#[test]
fn slogan_rules() {
    let fx = Fixture::new();
    let exact = "Bình Phước – năng động, hiện đại, hiệu quả, bền vững";
    let typo = "Bình Phước – năng động, hiện đại, hiệu quả, bền vửng";
    let nfd: String = exact.nfd().collect();
    fx.write("exact.txt", format!("{exact}\n").as_bytes());
    fx.write("typo.txt", typo.as_bytes());
    fx.write("nfd.txt", nfd.as_bytes());
    fx.write(
        "english.txt",
        b"Binh Phuoc \xE2\x80\x93 dynamic, modern, effective, sustainable",
    );
    // Text is a slogan only when a person says so.
    let refused = fx.ingest(&[&fx.input().join("exact.txt")], 2);
    assert_eq!(refused["rejected"][0]["code"], "unsupported-type");
    let out = fx.run(&[
        "ingest",
        "--no-render",
        "--kind",
        "slogan",
        fx.input().to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let find = |name: &str| fx.json(&["ls", "--query", name], 0)[0].clone();
    assert_eq!(find("exact.txt")["kind"], "slogan");
    assert_eq!(rules(&find("exact.txt")), Vec::<String>::new());
    assert_eq!(rules(&find("english.txt")), Vec::<String>::new());
    assert_eq!(rules(&find("typo.txt")), ["slogan-not-approved"]);
    assert_eq!(rules(&find("nfd.txt")), ["slogan-not-nfc"]);
    for name in ["typo.txt", "nfd.txt"] {
        let id = find(name)["id"].as_str().unwrap().to_owned();
        at(&fx, NOW, &["submit", &id], 0);
        assert_eq!(
            at(&fx, NOW, &["approve", &id], 3)["code"],
            "guideline-violation"
        );
    }
}

#[test]
fn workflow_transitions_embargo_and_expiry() {
    let fx = Fixture::new();
    let id = compliant_photo(&fx, "festival.jpg", 3);
    // Only reviewable assets can be approved; a rejection needs a reason.
    assert_eq!(
        at(&fx, NOW, &["approve", &id], 3)["code"],
        "invalid-transition"
    );
    at(&fx, NOW, &["submit", &id], 0);
    assert_eq!(at(&fx, NOW, &["reject", &id], 3)["code"], "reason-required");
    let rejected = at(
        &fx,
        NOW,
        &["reject", &id, "--reason", "Chú thích thiếu địa danh"],
        0,
    );
    assert_eq!(rejected["status"], "rejected");
    // Editing a rejected asset returns it to draft.
    let edited = at(
        &fx,
        NOW,
        &["edit", &id, "--caption-vi", "Lễ hội Sóc Bom Bo"],
        0,
    );
    assert_eq!(edited["status"], "draft");
    at(&fx, NOW, &["submit", &id], 0);
    at(
        &fx,
        NOW,
        &[
            "edit",
            &id,
            "--available-from",
            "2026-12-01",
            "--expires",
            "2027-01-01T00:00:00+07:00",
        ],
        0,
    );
    assert_eq!(at(&fx, NOW, &["approve", &id], 0)["status"], "approved");
    let published = |now: &str| {
        at(&fx, now, &["ls", "--published"], 0)
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(published(NOW), 0, "embargoed until 1 December");
    assert_eq!(published("2026-12-01T00:00:00Z"), 1);
    assert_eq!(published("2026-12-31T16:59:59Z"), 1);
    assert_eq!(
        published("2026-12-31T17:00:00Z"),
        0,
        "expired at midnight in Vietnam"
    );
    // After expiry the rights rule fires on recheck.
    at(&fx, "2027-02-01T00:00:00Z", &["brand", "recheck"], 0);
    assert_eq!(rules(&fx.show(&id)), ["rights-expired"]);
    // Archive, and the whole history is audited.
    assert_eq!(at(&fx, NOW, &["archive", &id], 0)["status"], "archived");
    let steps: Vec<(String, String)> = fx
        .json(&["log", &id], 0)
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["change"]["type"] == "status_changed")
        .map(|e| {
            (
                e["change"]["from"].as_str().unwrap().to_owned(),
                e["change"]["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("draft", "in_review"),
        ("in_review", "rejected"),
        ("rejected", "draft"),
        ("draft", "in_review"),
        ("in_review", "approved"),
        ("approved", "archived"),
    ];
    assert_eq!(
        steps,
        expected.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec()
    );
}

/// Reads an Adobe Swatch Exchange file back: (name, RGB) per colour entry.
fn read_ase(bytes: &[u8]) -> Vec<(String, [u8; 3])> {
    assert_eq!(&bytes[..4], b"ASEF");
    assert_eq!(&bytes[4..8], &[0, 1, 0, 0]);
    let count = u32::from_be_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let mut pos = 12;
    let mut out = Vec::new();
    for _ in 0..count {
        let kind = u16::from_be_bytes([bytes[pos], bytes[pos + 1]]);
        let len = u32::from_be_bytes(bytes[pos + 2..pos + 6].try_into().unwrap()) as usize;
        let block = &bytes[pos + 6..pos + 6 + len];
        pos += 6 + len;
        assert_eq!(kind, 1, "colour entry");
        let n = u16::from_be_bytes([block[0], block[1]]) as usize;
        let units: Vec<u16> = block[2..2 + 2 * n]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        let name = String::from_utf16(&units[..n - 1]).unwrap();
        let rest = &block[2 + 2 * n..];
        assert_eq!(&rest[..4], b"RGB ");
        let f = |i: usize| f32::from_be_bytes(rest[4 + 4 * i..8 + 4 * i].try_into().unwrap());
        out.push((name, [0, 1, 2].map(|i| (f(i) * 255.0).round() as u8)));
    }
    assert_eq!(pos, bytes.len());
    out
}

#[test]
fn the_kit_is_complete_and_reproducible() {
    let fx = Fixture::new();
    let a = fx.dir.path().join("kit-a.zip");
    let b = fx.dir.path().join("kit-b.zip");
    fx.json(&["kit", "-o", a.to_str().unwrap()], 0);
    fx.json(&["kit", "-o", b.to_str().unwrap()], 0);
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(bytes, std::fs::read(&b).unwrap(), "byte-identical");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut v = Vec::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the kit"))
            .read_to_end(&mut v)
            .unwrap();
        v
    };
    let guidelines: toml::Value =
        toml::from_str(&std::fs::read_to_string(fx.brand().join("guidelines.toml")).unwrap())
            .unwrap();
    let palette = guidelines["palette"].as_array().unwrap();
    let ase = read_ase(&read("palette/palette.ase"));
    let css = String::from_utf8(read("palette/palette.css")).unwrap();
    assert_eq!(ase.len(), palette.len());
    for (colour, (name, rgb)) in palette.iter().zip(&ase) {
        let hex = colour["hex"].as_str().unwrap();
        assert!(css.contains(&format!(
            "--brand-{}: {hex};",
            colour["id"].as_str().unwrap()
        )));
        assert_eq!(name, colour["name_en"].as_str().unwrap());
        assert_eq!(format!("#{:02X}{:02X}{:02X}", rgb[0], rgb[1], rgb[2]), hex);
    }
    let gpl = String::from_utf8(read("palette/palette.gpl")).unwrap();
    assert!(gpl.starts_with("GIMP Palette\n"));
    let html = String::from_utf8(read("guidelines.html")).unwrap();
    assert!(html.contains("Bảng màu / Palette") && html.contains("năng động, hiện đại"));
    assert!(!html.contains("<script"), "self-contained, no scripts");
    // Terms in words in both languages, never a code from the brand folder.
    assert!(html.contains("màu chính / <i>primary</i>"), "{html}");
    assert!(html.contains("<b>Logo ngang · đủ màu · chữ tiếng Việt</b>"));
    assert!(html.contains("Dùng trên nền: nền sáng / <i>Use on: light backgrounds</i>"));
    for code in [
        "<br>Primary",
        "Horizontal, Full",
        "MonoDark",
        "[Light",
        "<code>",
    ] {
        assert!(!html.contains(code), "{code} in guidelines.html");
    }
    let png = read("logos/png/horizontal-full-vi-512.png");
    let logo = image::load_from_memory(&png).unwrap();
    assert_eq!(logo.width(), 512);
    assert_eq!(
        logo.to_rgba8().get_pixel(0, 0).0[3],
        0,
        "transparent background"
    );
    // The manifest lists every other file with its BLAKE3.
    let manifest: Value = serde_json::from_slice(&read("manifest.json")).unwrap();
    let files = manifest["files"].as_array().unwrap();
    let entries = zip::ZipArchive::new(std::io::Cursor::new(std::fs::read(&a).unwrap()))
        .unwrap()
        .len();
    assert_eq!(files.len() + 1, entries);
    for f in files {
        let name = f["path"].as_str().unwrap();
        let content = read(name);
        assert_eq!(
            f["blake3"],
            blake3::hash(&content).to_hex().as_str(),
            "{name}"
        );
    }
    assert!(manifest["license"].as_str().unwrap().contains("Bình Phước"));
}

#[test]
fn brand_check_catches_a_broken_brand_folder() {
    let fx = Fixture::new();
    assert_eq!(fx.json(&["brand", "check"], 0)["ok"], true);
    let dir = fx.brand();
    std::fs::remove_file(dir.join("logos/icon-mono-dark.svg")).unwrap();
    std::fs::write(
        dir.join("logos/icon-full.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="80" height="92"><rect width="80" height="92" fill="#00FF00"/></svg>"##,
    )
    .unwrap();
    let slogans = std::fs::read_to_string(dir.join("slogans.toml")).unwrap();
    let nfd: String = "bền vững\"\n".nfd().collect();
    std::fs::write(
        dir.join("slogans.toml"),
        slogans.replacen("bền vững\"\n", &nfd, 1),
    )
    .unwrap();
    let g = std::fs::read_to_string(dir.join("guidelines.toml")).unwrap();
    std::fs::write(
        dir.join("guidelines.toml"),
        g.replacen(r#"{ id = "culture""#, r#"{ id = "investment""#, 1),
    )
    .unwrap();
    let report = fx.json(&["brand", "check"], 1);
    let problems: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let has = |needle: &str| problems.iter().any(|p| p.contains(needle));
    assert!(
        has("logo \"icon-mono-dark\": cannot read logos/icon-mono-dark.svg"),
        "{problems:#?}"
    );
    assert!(
        has("logo \"icon-full\": colours outside the palette"),
        "{problems:#?}"
    );
    assert!(
        has("slogan \"image-2030\": the vi text is not NFC"),
        "{problems:#?}"
    );
    assert!(
        has("vocabulary.themes \"investment\": duplicate id"),
        "{problems:#?}"
    );
    // Other commands refuse a broken brand folder too, naming the problems.
    let out = fx.run(&["kit", "-o", "/dev/null"]);
    assert_eq!(out.status.code(), Some(1));
}

/// Run where there is no brand folder, the binary says so and how to make one, instead of
/// running without spots or presets; `init` writes the starter brand, which then checks out.
#[test]
fn without_a_brand_folder_it_says_so_and_init_writes_one() {
    let fx = Fixture::new();
    std::fs::remove_dir_all(fx.brand()).unwrap();
    let out = fx.run(&["spots"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("brandvault init"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["code"], "error");
    let init = fx.json(&["init"], 0);
    assert!(init["files"].as_array().unwrap().len() > 10);
    assert_eq!(fx.json(&["brand", "check"], 0)["ok"], true);
    let spots = fx.json(&["spots"], 0);
    assert!(spots
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == "nui-ba-ra"));
    // A second init never overwrites.
    assert_eq!(fx.run(&["init"]).status.code(), Some(1));
}
