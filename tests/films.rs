//! Films in many languages, in process over the real store and sled, with a film made by
//! ffmpeg here (a test pattern whose frame counter is burned in, and a tone): subtitle tracks
//! uploaded as SRT and WebVTT, checked against the film's length (refusals name the line),
//! stored as NFC WebVTT, required in Vietnamese and English for a public film, changed only
//! by whom may edit the film, served to whoever may see it, and packed beside the film in a
//! share link's ZIP with `credits.csv` and `manifest.json` naming them; the player page, its
//! embed snippet and oEmbed answer; and, in Chromium against the real `serve`, the player
//! playing, seeking and showing the cue of the moment at 1366 and 390 px, axe-core clean.

#[macro_use]
mod common;

use actix_web::http::StatusCode;
use actix_web::test;
use common::desk::{account, body_text, cookie_value, csrf_field, multipart, with};
use common::service::{get, patch_json, post_json, setup, upload, Service};
use common::{tool, Fixture};
use serde_json::{json, Value};

/// A 6-second 320×240 film with a tone, uploaded by the designer `dana`: its id.
async fn film<S, B>(fx: &Fixture, app: &S, svc: &Service) -> String
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let path = common::test_film(fx, "Lễ hội Sóc Bom Bo.mp4", "320x240", 6);
    let bytes = std::fs::read(&path).unwrap();
    let req = upload(Some(&svc.tokens["dana"]), "Lễ hội Sóc Bom Bo.mp4", &bytes);
    let resp = test::call_service(app, req.to_request()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let asset: Value = test::read_body_json(resp).await;
    asset["id"].as_str().unwrap().to_owned()
}

/// POST /api/assets/{id}/subtitles with `token`.
fn track(id: &str, token: &str, lang: &str, name: &str, body: &str) -> test::TestRequest {
    let (ct, payload) = multipart(&[("lang", lang)], name, body.as_bytes());
    test::TestRequest::post()
        .uri(&format!("/api/assets/{id}/subtitles"))
        .insert_header(("content-type", ct))
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_payload(payload)
}

const VI_SRT: &str = "1\r\n00:00:00,500 --> 00:00:02,000\r\nLe\u{302}\u{303} ho\u{323}\u{302}i So\u{301}c Bom Bo\r\n\r\n2\r\n00:00:02,500 --> 00:00:05,500\r\nTiếng cồng chiêng của người S'tiêng\r\n";
const EN_VTT: &str = "WEBVTT\n\n00:00.500 --> 00:02.000\nSóc Bom Bo festival\n\n00:02.500 --> 00:05.500 line:85%\nThe gongs of the S'tiêng people\n";

#[actix_web::test]
async fn subtitles_are_checked_stored_required_and_delivered() {
    if !tool("ffmpeg", "ffmpeg") {
        return;
    }
    let fx = Fixture::new();
    let (svc, _draft, photo) = setup(&fx);
    let app = app!(svc);
    let id = film(&fx, &app, &svc).await;
    let (dana, bm) = (svc.tokens["dana"].clone(), svc.tokens["bm"].clone());

    // Refused, with the line and the reason; nothing changes.
    let before = fx.decisions();
    let late =
        "1\n00:00:01,000 --> 00:00:02,000\nMở đầu\n\n2\n00:00:03,000 --> 00:00:09,000\nQuá dài\n";
    for (lang, body, status, says) in [
        (
            "vi",
            late,
            StatusCode::BAD_REQUEST,
            "line 6: the cue ends at 00:00:09.000, after the film ends (00:00:06.000)",
        ),
        (
            "tiếng việt",
            VI_SRT,
            StatusCode::BAD_REQUEST,
            "not a language tag",
        ),
        (
            "vi",
            "WEBVTT\n\n00:02.000 --> 00:01.000\nx\n",
            StatusCode::BAD_REQUEST,
            "line 3: the cue ends (00:00:01.000) before it starts",
        ),
    ] {
        let resp = test::call_service(
            &app,
            track(&id, &dana, lang, "phụ đề.srt", body).to_request(),
        )
        .await;
        assert_eq!(resp.status(), status, "{body}");
        let error: Value = test::read_body_json(resp).await;
        assert!(error["message"].as_str().unwrap().contains(says), "{error}");
    }
    let resp =
        test::call_service(&app, track(&photo, &bm, "vi", "x.srt", VI_SRT).to_request()).await;
    assert_eq!(
        resp.status(),
        StatusCode::CONFLICT,
        "a photo has no subtitles"
    );
    assert_eq!(fx.decisions(), before, "refused tracks change nothing");

    // Vietnamese as SRT (written decomposed), English as WebVTT: stored as NFC WebVTT.
    let resp = test::call_service(
        &app,
        track(&id, &dana, "VI", "Sóc Bom Bo.srt", VI_SRT).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let vi: Value = test::read_body_json(resp).await;
    assert_eq!(
        (vi["lang"].as_str(), vi["cues"].as_u64()),
        (Some("vi"), Some(2))
    );
    assert_eq!(vi["label"], "Tiếng Việt");
    let url = vi["url"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("/a/{id}/subtitles/vi.vtt"));
    let resp = test::call_service(&app, get(&url, Some(&dana)).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "text/vtt; charset=utf-8"
    );
    let vtt = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    assert!(
        vtt.starts_with("WEBVTT\n\n1\n00:00:00.500 --> 00:00:02.000\nLễ hội Sóc Bom Bo\n"),
        "{vtt}"
    );
    let resp = test::call_service(&app, get(&url, None).to_request()).await;
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "a draft's tracks are nobody else's"
    );

    // A public film needs both languages: the rule says which is missing.
    let public = patch_json(
        &format!("/api/assets/{id}"),
        &dana,
        json!({"access": "public", "credit": "Trung tâm Xúc tiến", "license": "CC BY 4.0", "add_tags": ["culture", "public-tourists"]}),
    );
    assert_eq!(
        test::call_service(&app, public.to_request()).await.status(),
        StatusCode::OK
    );
    let asset: Value = asset_json!(app, bm, id);
    let rules: Vec<&str> = asset["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"subtitles-missing"), "{rules:?}");
    let resp = test::call_service(
        &app,
        track(&id, &dana, "en", "festival.vtt", EN_VTT).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let asset: Value = asset_json!(app, bm, id);
    assert!(
        !asset["violations"]
            .to_string()
            .contains("subtitles-missing"),
        "{}",
        asset["violations"]
    );
    let listed: Value = test::call_and_read_body_json(
        &app,
        get(&format!("/api/assets/{id}/subtitles"), Some(&bm)).to_request(),
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 2);

    // Published: the tracks are served to any site's player; only reviewers change them now.
    svc.state.render_now(&[id.parse().unwrap()]);
    for (action, body) in [
        ("submit", json!({})),
        ("approve", json!({"override": "phim thử"})),
    ] {
        let token = if action == "submit" { &dana } else { &bm };
        let resp = test::call_service(
            &app,
            post_json(&format!("/api/assets/{id}/{action}"), token, body).to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::OK, "{action}");
    }
    let resp = test::call_service(&app, get(&url, None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers().get("access-control-allow-origin").unwrap(),
        "*"
    );
    let remove = |token: &str| {
        test::TestRequest::delete()
            .uri(&format!("/api/assets/{id}/subtitles/en"))
            .insert_header(("authorization", format!("Bearer {token}")))
            .to_request()
    };
    let before = fx.decisions();
    assert_eq!(
        test::call_service(&app, remove(&dana)).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(fx.decisions(), before);

    // The share link's ZIP of the web preview carries both tracks beside the film.
    let made: Value = test::call_and_read_body_json(
        &app,
        post_json("/api/collections", &bm, json!({"name": "Phim lễ hội"})).to_request(),
    )
    .await;
    let base = format!("/api/collections/{}", made["id"].as_str().unwrap());
    let resp = test::call_service(
        &app,
        post_json(&format!("{base}/items"), &bm, json!({"asset": id})).to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let link: Value = test::call_and_read_body_json(
        &app,
        post_json(&format!("{base}/shares"), &bm, json!({})).to_request(),
    )
    .await;
    let link = link["url"].as_str().unwrap();
    let path = &link[link.find("/s/").unwrap()..];
    let zip = test::call_service(
        &app,
        get(&format!("{path}/download.zip"), None).to_request(),
    )
    .await;
    assert_eq!(zip.status(), StatusCode::OK);
    let files = common::unzip(&test::read_body(zip).await);
    let names: Vec<&String> = files.keys().collect();
    let film_name = names
        .iter()
        .find(|n| n.ends_with(".mp4"))
        .unwrap()
        .to_string();
    let stem = film_name.trim_end_matches(".mp4");
    let vi_name = format!("{stem}.vi.vtt");
    assert!(files.contains_key(&vi_name), "{names:?}");
    assert!(files.contains_key(&format!("{stem}.en.vtt")), "{names:?}");
    assert_eq!(String::from_utf8_lossy(&files[&vi_name]), vtt);
    let credits = String::from_utf8_lossy(&files["credits.csv"]).to_string();
    assert!(credits.contains(&vi_name), "{credits}");
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(
        manifest["items"][0]["subtitles"][0]["file"],
        vi_name.as_str()
    );
    assert_eq!(manifest["items"][0]["subtitles"][1]["label"], "English");

    player_and_oembed(&app, &id, &photo).await;
    // The cuts burn the Vietnamese track in: changed above, they are made again (the
    // background pass, done here and now); until then `/a/` serves none of them.
    svc.state.render_now(&[id.parse().unwrap()]);
    social_cuts(&fx, &app, &id).await;

    // A reviewer removes one: the film is flagged again.
    assert_eq!(
        test::call_service(&app, remove(&bm)).await.status(),
        StatusCode::NO_CONTENT
    );
    let asset: Value = asset_json!(app, bm, id);
    assert!(asset["violations"]
        .to_string()
        .contains("subtitles-missing"));
    assert_eq!(asset["subtitles"].as_array().unwrap().len(), 1);
}

/// The published film's player page, its embed snippet and its oEmbed answer.
async fn player_and_oembed<S, B>(app: &S, id: &str, photo: &str)
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let resp = test::call_service(app, get(&format!("/v/{id}"), None).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let csp = resp.headers().get("content-security-policy").unwrap();
    assert!(
        csp.to_str().unwrap().contains("frame-ancestors *"),
        "{csp:?}"
    );
    let page = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    assert!(
        page.contains(&format!(
            r#"<source src="/a/{id}/video-web" type="video/mp4">"#
        )),
        "{page}"
    );
    assert!(page.contains(&format!(r#"<track kind="subtitles" src="/a/{id}/subtitles/vi.vtt" srclang="vi" label="Tiếng Việt" default>"#)), "{page}");
    assert!(page.contains(r#"srclang="en" label="English">"#), "{page}");
    let scripts = page.match_indices("<script").map(|(i, _)| &page[i..]);
    assert!(
        scripts
            .into_iter()
            .all(|s| s.starts_with(r#"<script src="/static/player.js?v="#)),
        "no script but this site's own player script: {page}"
    );
    let resp = test::call_service(app, get(&format!("/v/{photo}"), None).to_request()).await;
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "a photo has no player"
    );
    // The asset page frames the player in its snippet, and offers the tracks.
    let page =
        test::call_and_read_body(app, get(&format!("/assets/{id}"), None).to_request()).await;
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(
        page.contains(&format!(
            "&#60;iframe src=&#34;http://localhost:8080/v/{id}&#34;"
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"href="/a/{id}/subtitles/en.vtt" download"#)),
        "{page}"
    );
    // oEmbed: a video answer framing the player, within the bounds asked.
    let ask = format!("/oembed?url=http://localhost:8080/assets/{id}&maxwidth=200");
    let answer: Value = test::call_and_read_body_json(app, get(&ask, None).to_request()).await;
    assert_eq!(answer["type"], "video");
    assert_eq!(
        (answer["width"].as_u64(), answer["height"].as_u64()),
        (Some(200), Some(150))
    );
    let html = answer["html"].as_str().unwrap();
    assert!(
        html.starts_with(&format!(
            r#"<iframe src="http://localhost:8080/v/{id}" width="200" height="150""#
        )),
        "{html}"
    );
    assert!(answer.get("url").is_none(), "{answer}");
}

/// A film made by ffmpeg, ingested, given Vietnamese and English tracks through the library,
/// made public and approved by the command line: its id.
fn published_film(fx: &Fixture) -> String {
    let path = common::test_film(fx, "Sóc Bom Bo.mp4", "640x360", 6);
    let report = fx.json(&["ingest", path.to_str().unwrap()], 0);
    let id = common::ids(&report, "added")[0].clone();
    common::set_subtitles(fx, &id, &[("vi", VI_SRT), ("en", EN_VTT)]);
    let edit = [
        "edit",
        &id,
        "--caption-vi",
        "Lễ hội Sóc Bom Bo",
        "--credit",
        "Trung tâm Xúc tiến",
    ];
    fx.json(&edit, 0);
    fx.json(
        &["edit", &id, "--license", "CC BY 4.0", "--access", "public"],
        0,
    );
    fx.json(&["render"], 0);
    fx.json(&["submit", &id], 0);
    fx.json(&["approve", &id, "--override", "phim thử"], 0);
    id
}

/// Plays the player's film muted, seeks to 3 s and reads the cue then showing.
const PLAY_AND_SEEK: &str = "const done = arguments[arguments.length - 1];
const v = document.getElementById('film');
const track = [...v.textTracks].find((t) => t.mode === 'showing');
const read = () => track && track.activeCues && track.activeCues.length ? track.activeCues[0].text : null;
const report = () => done({time: v.currentTime, cue: read(), lang: track && track.language,
  width: Math.round(v.getBoundingClientRect().width), page: document.documentElement.scrollWidth});
v.muted = true;
v.addEventListener('seeked', () => {
  if (read()) return report();
  track.addEventListener('cuechange', report, {once: true});
}, {once: true});
v.play().then(() => { v.currentTime = 3.0; }, (e) => done({error: String(e)}));";

// `test` here is actix's test module: the plain test attribute by its full path.
#[::core::prelude::v1::test]
fn the_player_plays_seeks_and_shows_subtitles_in_chromium() {
    let tools = ["ffmpeg", "chromium", "chromedriver"];
    let packages = ["ffmpeg", "chromium", "chromium-driver"];
    if !tools.iter().zip(packages).all(|(t, p)| tool(t, p)) {
        return;
    }
    let fx = Fixture::new();
    let id = published_film(&fx);
    let (_server, port) = fx.serve();
    let site = format!("http://127.0.0.1:{port}");
    let browser = common::webdriver::Browser::start();
    if let Some(axe) = common::axe::axe_source() {
        common::axe::audit(&browser, &axe, &format!("{site}/v/{id}"));
    }
    for (width, lang, cue) in [
        (1366, "vi", "Tiếng cồng chiêng của người S'tiêng"),
        (390, "en", "The gongs of the S'tiêng people"),
    ] {
        browser.resize(width, 844);
        browser.go(&format!("{site}/v/{id}?lang={lang}"));
        browser.find("#film");
        let seen = browser.run_async(PLAY_AND_SEEK);
        assert!(seen.get("error").is_none(), "{seen}");
        assert_eq!(seen["cue"], cue, "{seen}");
        assert_eq!(seen["lang"], lang, "{seen}");
        assert!(seen["time"].as_f64().unwrap() >= 3.0, "{seen}");
        let (film, page) = (
            seen["width"].as_u64().unwrap(),
            seen["page"].as_u64().unwrap(),
        );
        assert!(
            film > 300 && page <= u64::from(width) + 1,
            "fits the screen: {seen}"
        );
    }
}

#[actix_web::test]
async fn subtitles_on_the_desk_say_what_is_wrong_in_words() {
    if !tool("ffmpeg", "ffmpeg") {
        return;
    }
    let fx = Fixture::new();
    let (svc, _, _) = setup(&fx);
    account(
        &svc.state,
        "dana",
        "Dana",
        brandvault::model::Role::Designer,
    );
    let app = app!(svc);
    let id = film(&fx, &app, &svc).await;
    let dana = cookie_value(&sign_in!(app, "dana", "mật khẩu đủ dài"), "bv_session").unwrap();
    let edit = format!("/assets/{id}/edit");
    let page =
        body_text(test::call_service(&app, with(&dana, get(&edit, None)).to_request()).await).await;
    assert!(
        page.contains(r#"id="subtitles-form""#) && page.contains("Phim chưa có phụ đề."),
        "{page}"
    );
    let csrf = csrf_field(&page);
    let post = |fields: &[(&str, &str)], name: &str, body: &str| {
        let (ct, payload) = multipart(fields, name, body.as_bytes());
        with(
            &dana,
            test::TestRequest::post().uri(&format!("/assets/{id}/subtitles")),
        )
        .insert_header(("content-type", ct))
        .set_payload(payload)
        .to_request()
    };
    // A file past the film's end: the edit page again, the line and reason in Vietnamese.
    let late =
        "1\n00:00:01,000 --> 00:00:02,000\nMở đầu\n\n2\n00:00:03,000 --> 00:00:09,000\nQuá dài\n";
    let before = fx.decisions();
    let resp = test::call_service(
        &app,
        post(&[("csrf", &csrf), ("lang", "vi")], "dài.srt", late),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let page = body_text(resp).await;
    assert!(page.contains("Không nhận tệp phụ đề «dài.srt»: dòng 6: câu kết thúc lúc 00:00:09.000, sau khi phim đã hết (00:00:06.000)"), "{page}");
    let resp = test::call_service(
        &app,
        post(&[("csrf", "x"), ("lang", "vi")], "vi.srt", VI_SRT),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(fx.decisions(), before, "refused forms change nothing");
    // Accepted: listed in words, its cues readable on their own page, then removed.
    let resp = test::call_service(
        &app,
        post(&[("csrf", &csrf), ("lang", "vi")], "vi.srt", VI_SRT),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = body_text(
        test::call_service(
            &app,
            with(&dana, get(&format!("{edit}?subtitles"), None)).to_request(),
        )
        .await,
    )
    .await;
    assert!(
        page.contains("Đã lưu phụ đề.") && page.contains("Tiếng Việt") && page.contains("2 câu"),
        "{page}"
    );
    let cues = body_text(
        test::call_service(
            &app,
            with(&dana, get(&format!("/assets/{id}/subtitles/vi"), None)).to_request(),
        )
        .await,
    )
    .await;
    assert!(
        cues.contains("00:00:02.500") && cues.contains("Tiếng cồng chiêng của người S&#39;tiêng"),
        "{cues}"
    );
    let remove = with(
        &dana,
        test::TestRequest::post().uri(&format!("/assets/{id}/subtitles/vi/remove")),
    )
    .set_form([("csrf", csrf.as_str())])
    .to_request();
    assert_eq!(
        test::call_service(&app, remove).await.status(),
        StatusCode::SEE_OTHER
    );
    let asset: Value = asset_json!(app, svc.tokens["bm"], id);
    assert!(asset.get("subtitles").is_none(), "{asset}");
    // The film's history says both, in words.
    let page = body_text(
        test::call_service(
            &app,
            with(&dana, get(&format!("/assets/{id}"), None)).to_request(),
        )
        .await,
    )
    .await;
    assert!(page.contains("Lưu phụ đề Tiếng Việt: 2 câu"), "{page}");
    assert!(page.contains("Gỡ phụ đề Tiếng Việt"), "{page}");
}

/// The square and vertical cuts of the published film, as ffprobe reads them.
async fn social_cuts<S, B>(fx: &Fixture, app: &S, id: &str)
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    for (preset, shape) in [("video-square", 1.0), ("video-vertical", 9.0 / 16.0)] {
        let alias =
            test::call_service(app, get(&format!("/a/{id}/{preset}"), None).to_request()).await;
        assert_eq!(alias.status(), StatusCode::FOUND, "{preset}");
        let to = alias
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let bytes = test::call_and_read_body(app, get(&to, None).to_request()).await;
        let path = fx.input().join(format!("{preset}.mp4"));
        std::fs::write(&path, &bytes).unwrap();
        let probe = std::process::Command::new("ffprobe")
            .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
            .args(["stream=width,height,codec_name", "-of", "csv=p=0"])
            .arg(&path)
            .output()
            .unwrap();
        let line = String::from_utf8_lossy(&probe.stdout).trim().to_owned();
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[0], "h264", "{preset}: {line}");
        let (w, h): (f64, f64) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
        assert!((w / h - shape).abs() < 0.03, "{preset}: {line}");
        assert!(
            h >= 200.0,
            "cut from the 240-px film, not enlarged past it: {line}"
        );
    }
}
