//! Streaming for long films, over the real store, sled, ffmpeg and `serve`: a film longer than
//! the brand's set length (lowered here, so the film stays short) gets an HLS ladder whose
//! master lists a variant per rung the film reaches, every segment stored by its hash; a film
//! under the length gets none; subtitle tracks join the master as a `TYPE=SUBTITLES` group
//! without the film being encoded again; ffprobe reads the variants over HTTP; `gc` keeps
//! every part; the player page streams it in Chromium (through its own script where the
//! browser has no HLS), seeks, and shows the cue of the moment.

#[macro_use]
mod common;

use common::net::http_get;
use common::{tool, Fixture};
use serde_json::Value;

const VI_VTT: &str = "WEBVTT\n\n00:00.500 --> 00:03.000\nRừng Bù Gia Mập\n\n00:04.000 --> 00:07.500\nVườn quốc gia ở Bình Phước\n";
const EN_VTT: &str = "WEBVTT\n\n00:00.500 --> 00:03.000\nBù Gia Mập forest\n\n00:04.000 --> 00:07.500\nA national park in Bình Phước\n";

/// The film's `hls` rendition, as `show` gives it.
fn ladder(fx: &Fixture, id: &str) -> Option<Value> {
    let asset = fx.show(id);
    let renditions = asset["renditions"].as_array().unwrap().clone();
    renditions.into_iter().find(|r| r["preset"] == "hls")
}

/// The stored text of a `/r/<hash>.<ext>` URL.
fn stored_text(fx: &Fixture, url: &str) -> String {
    let hash = url.trim_start_matches("/r/").split('.').next().unwrap();
    String::from_utf8(fx.object(hash)).unwrap()
}

/// The variant playlists a master names.
fn variants(master: &str) -> Vec<String> {
    let lines: Vec<&str> = master.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[0].starts_with("#EXT-X-STREAM-INF:"))
        .map(|w| w[1].to_owned())
        .collect()
}

/// Gives the film its Vietnamese and English tracks.
fn add_subtitles(fx: &Fixture, id: &str) {
    common::set_subtitles(fx, id, &[("vi", VI_VTT), ("en", EN_VTT)]);
}

#[::core::prelude::v1::test]
fn a_long_film_streams_as_an_hls_ladder_with_its_subtitles() {
    if !tool("ffmpeg", "ffmpeg") || !tool("ffprobe", "ffmpeg") {
        return;
    }
    let fx = Fixture::new();
    let presets = fx.brand().join("presets.toml");
    let text = std::fs::read_to_string(&presets).unwrap();
    assert!(text.contains("min_seconds = 180"), "the brand's set length");
    std::fs::write(
        &presets,
        text.replace("min_seconds = 180", "min_seconds = 5"),
    )
    .unwrap();
    let long = common::test_film(&fx, "Rừng Bù Gia Mập.mp4", "1280x720", 8);
    let short = common::test_film(&fx, "Cổng chào.mp4", "640x360", 3);
    let report = fx.ingest(&[&long, &short], 0);
    let named = |name: &str| {
        let ids = common::ids(&report, "added");
        ids.into_iter()
            .find(|id| fx.show(id)["names"][0] == name)
            .unwrap()
    };
    let (id, short_id) = (named("Rừng Bù Gia Mập.mp4"), named("Cổng chào.mp4"));
    fx.json(&["render"], 0);
    assert!(
        ladder(&fx, &short_id).is_none(),
        "a short film has no ladder"
    );

    // A thumbnail strip: a tile every 2 s of the 8-s film, 160 px wide, in one sprite.
    let asset = fx.show(&id);
    let strip = asset["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["preset"] == "strip");
    let strip = strip.expect("a thumbnail strip");
    let sprite = strip["parts"][0]
        .as_str()
        .unwrap()
        .trim_start_matches("/r/");
    assert!(sprite.ends_with(".jpg"), "{strip}");
    assert_eq!(
        (strip["width"].as_u64(), strip["height"].as_u64()),
        (Some(640), Some(90))
    );
    let cues = stored_text(&fx, strip["url"].as_str().unwrap());
    assert_eq!(cues.matches("#xywh=").count(), 4, "{cues}");
    let last = format!("00:00:06.000 --> 00:00:08.000\n{sprite}#xywh=480,0,160,90");
    assert!(cues.contains(&last), "{cues}");
    let tiles = image::load_from_memory(&fx.object(sprite.trim_end_matches(".jpg"))).unwrap();
    let tile = |n: u32| tiles.crop_imm(n * 160, 0, 160, 90).to_luma8().into_raw();
    let moved = tile(0)
        .iter()
        .zip(tile(3))
        .filter(|(a, b)| a.abs_diff(*b) > 40)
        .count();
    // testsrc changes from frame to frame in its counter only: a few dozen pixels at 160 px.
    assert!(
        moved > 20,
        "frames from different times: {moved} pixels differ"
    );

    // A variant per rung the 720p film reaches (360p, 720p), each segment stored by its hash.
    let made = ladder(&fx, &id).expect("the long film's ladder");
    let url = made["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("/r/") && url.ends_with(".m3u8"), "{made}");
    assert_eq!(made["media_type"], "application/vnd.apple.mpegurl");
    let master = stored_text(&fx, &url);
    assert!(
        master.contains("RESOLUTION=640x360") && master.contains("RESOLUTION=1280x720"),
        "{master}"
    );
    assert!(!master.contains("TYPE=SUBTITLES"), "{master}");
    let before = variants(&master);
    assert_eq!(before.len(), 2, "{master}");
    let playlist = stored_text(&fx, &format!("/r/{}", before[0]));
    assert!(playlist.contains("#EXT-X-MAP:URI=\""), "{playlist}");
    let segments: Vec<&str> = playlist.lines().filter(|l| l.ends_with(".m4s")).collect();
    assert_eq!(segments.len(), 2, "8 s in 6-s segments: {playlist}");
    let parts: Vec<String> = made["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    for s in &segments {
        assert!(
            parts.contains(&format!("/r/{s}")),
            "{s} is a part: {parts:?}"
        );
    }

    // Subtitles join the master; the variants are the same files (nothing encoded again).
    add_subtitles(&fx, &id);
    fx.json(&["render"], 0);
    let remade = ladder(&fx, &id).unwrap();
    let master_url = remade["url"].as_str().unwrap().to_owned();
    assert_ne!(master_url, url);
    let master = stored_text(&fx, &master_url);
    assert_eq!(variants(&master), before, "{master}");
    assert_eq!(master.matches("TYPE=SUBTITLES").count(), 2, "{master}");
    assert!(
        master.contains("LANGUAGE=\"vi\"") && master.contains("NAME=\"Tiếng Việt\""),
        "{master}"
    );
    assert_eq!(
        master.matches("SUBTITLES=\"subs\"").count(),
        2,
        "each variant names the group"
    );

    // Published, then every unreferenced object collected: the ladder's parts stay.
    fx.json(
        &[
            "edit",
            &id,
            "--caption-vi",
            "Rừng Bù Gia Mập",
            "--credit",
            "Trung tâm Xúc tiến",
        ],
        0,
    );
    fx.json(
        &["edit", &id, "--license", "CC BY 4.0", "--access", "public"],
        0,
    );
    fx.json(&["render"], 0);
    fx.json(&["submit", &id], 0);
    fx.json(&["approve", &id, "--override", "phim thử"], 0);
    fx.json(&["gc", "--grace-secs", "0"], 0);
    let objects = fx.objects();
    for part in remade["parts"].as_array().unwrap() {
        let hash = part
            .as_str()
            .unwrap()
            .trim_start_matches("/r/")
            .split('.')
            .next()
            .unwrap();
        assert!(objects.iter().any(|o| o == hash), "gc kept {part}");
    }

    let (_server, port) = fx.serve();
    // Anyone reads a public film's segments, typed; ffprobe reads both variants over HTTP.
    let (status, _) = http_get(port, &format!("/r/{}", segments[1]), None);
    assert_eq!(status, 200);
    let probe = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,width,height",
            "-of",
            "json",
        ])
        .arg(format!("http://127.0.0.1:{port}{master_url}"))
        .output()
        .unwrap();
    assert!(
        probe.status.success(),
        "{}",
        String::from_utf8_lossy(&probe.stderr)
    );
    let streams: Value = serde_json::from_slice(&probe.stdout).unwrap();
    let mut widths: Vec<u64> = streams["streams"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["codec_type"] == "video")
        .filter_map(|s| s["width"].as_u64())
        .collect();
    widths.sort_unstable();
    widths.dedup();
    assert_eq!(widths, [640, 1280], "{streams}");
    let (_, page) = http_get(port, &format!("/v/{id}"), None);
    assert!(
        page.contains(&format!(r#"data-hls="{master_url}""#)),
        "{page}"
    );
    assert!(
        page.contains(r#"<script src="/static/player.js?v="#),
        "{page}"
    );
    assert_eq!(
        page.matches("<button type=\"button\" data-seek=").count(),
        4,
        "{page}"
    );
    assert!(page.contains(r#"aria-label="Tua đến 0:04""#), "{page}");
    play_in_chromium(port, &id);
}

/// Streams the film, seeks to 5 s and reads the cue then showing.
const STREAM_AND_SEEK: &str = "const done = arguments[arguments.length - 1];
const v = document.getElementById('film');
const track = [...v.textTracks].find((t) => t.mode === 'showing');
const read = () => track && track.activeCues && track.activeCues.length ? track.activeCues[0].text : null;
const fetched = () => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.m4s')).length;
const report = () => done({time: v.currentTime, cue: read(), src: v.currentSrc, segments: fetched()});
const start = () => {
  v.muted = true;
  v.addEventListener('seeked', () => {
    if (read()) return report();
    track.addEventListener('cuechange', report, {once: true});
  }, {once: true});
  v.play().then(() => { v.currentTime = 5.0; }, (e) => done({error: String(e)}));
};
// The page starts on the MP4; the script swaps in the stream once its playlists have come.
const streaming = () => v.currentSrc.startsWith('blob:') || v.currentSrc.endsWith('.m3u8');
const wait = (n) => streaming() && v.readyState >= 1 ? start()
  : n > 400 ? done({error: 'never streamed', src: v.currentSrc}) : setTimeout(() => wait(n + 1), 50);
wait(0);";

fn play_in_chromium(port: u16, id: &str) {
    let tools = ["chromium", "chromedriver"];
    let packages = ["chromium", "chromium-driver"];
    if !tools.iter().zip(packages).all(|(t, p)| tool(t, p)) {
        return;
    }
    let browser = common::webdriver::Browser::start();
    browser.resize(390, 844);
    // As the browser is (Chromium plays HLS itself), then as one without HLS: the page's
    // script then streams the ladder through Media Source Extensions.
    for native in [true, false] {
        browser.go(&format!("http://127.0.0.1:{port}/v/{id}?lang=vi"));
        browser.find("#film");
        if !native {
            browser.run(WITHOUT_NATIVE_HLS, serde_json::json!([]));
        }
        let seen = browser.run_async(STREAM_AND_SEEK);
        assert!(seen.get("error").is_none(), "{seen}");
        assert_eq!(seen["cue"], "Vườn quốc gia ở Bình Phước", "{seen}");
        assert!(seen["time"].as_f64().unwrap() >= 5.0, "{seen}");
        let src = seen["src"].as_str().unwrap();
        if native {
            let streamed = src.ends_with(".m3u8") || src.starts_with("blob:");
            assert!(streamed, "played from the ladder, not the MP4: {seen}");
        } else {
            assert!(src.starts_with("blob:"), "a media source: {seen}");
            assert!(seen["segments"].as_u64().unwrap() >= 2, "{seen}");
        }
    }
    // The strip's third scene plays the film from 4 s.
    browser.go(&format!("http://127.0.0.1:{port}/v/{id}?lang=vi"));
    browser.click(r#".player-strip button[data-seek="4"]"#);
    let at = browser.run_async(
        "const done = arguments[arguments.length - 1]; const v = document.getElementById('film');
         v.muted = true;
         const check = (n) => v.currentTime >= 4 || n > 200 ? done(v.currentTime) : setTimeout(() => check(n + 1), 25);
         check(0);",
    );
    assert!(at.as_f64().unwrap() >= 4.0, "{at}");
}

/// Makes the page a browser without HLS and starts the player's script again on it.
const WITHOUT_NATIVE_HLS: &str = "HTMLMediaElement.prototype.canPlayType = () => '';
const v = document.getElementById('film');
v.removeAttribute('src');
v.load();
const again = document.createElement('script');
again.src = document.querySelector('script[src^=\"/static/player.js\"]').src;
document.body.appendChild(again);";

/// The grey pixels of the frame at 1 s of a stored MP4 rendition, and its width.
fn frame_at_one_second(fx: &Fixture, url: &str) -> (Vec<u8>, usize) {
    let hash = url.trim_start_matches("/r/").split('.').next().unwrap();
    let path = fx.dir.path().join(format!("{hash}.mp4"));
    std::fs::write(&path, fx.object(hash)).unwrap();
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-ss", "1", "-i"])
        .arg(&path)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let width = (out.stdout.len() as f64).sqrt() as usize;
    (out.stdout, width)
}

/// Mean absolute difference of two grey frames over rows `rows` (fractions of the height).
fn difference(a: &[u8], b: &[u8], width: usize, rows: std::ops::Range<f64>) -> f64 {
    let height = a.len() / width;
    let (from, to) = (
        (rows.start * height as f64) as usize,
        (rows.end * height as f64) as usize,
    );
    let span = from * width..to * width;
    let sum: u64 = a[span.clone()]
        .iter()
        .zip(&b[span.clone()])
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / span.len() as f64
}

#[::core::prelude::v1::test]
fn social_cuts_carry_the_vietnamese_subtitles_burned_in() {
    if !tool("ffmpeg", "ffmpeg") {
        return;
    }
    let fx = Fixture::new();
    let film = common::test_film(&fx, "Thác Mơ.mp4", "640x360", 8);
    let report = fx.ingest(&[&film], 0);
    let id = common::ids(&report, "added")[0].clone();
    fx.json(&["render"], 0);
    let url = |preset: &str| {
        let asset = fx.show(&id);
        let r = asset["renditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["preset"] == preset)
            .cloned();
        r.unwrap()["url"].as_str().unwrap().to_owned()
    };
    let (clean, web) = (url("video-square"), url("video-web"));

    // With the Vietnamese track, the square cut is made again with the words in its picture
    // (the cue "Rừng Bù Gia Mập" runs from 0.5 to 3 s); the web film is left as it was.
    add_subtitles(&fx, &id);
    fx.json(&["render"], 0);
    let burned = url("video-square");
    assert_ne!(burned, clean, "the cut is made again");
    assert_eq!(url("video-web"), web, "a film without burned words is not");
    let (before, width) = frame_at_one_second(&fx, &clean);
    let (after, _) = frame_at_one_second(&fx, &burned);
    assert_eq!((width, before.len()), (360, 360 * 360), "a 360-px square");
    let top = difference(&before, &after, width, 0.0..0.5);
    let bottom = difference(&before, &after, width, 0.75..1.0);
    assert!(top < 2.0, "the picture above the words is the same: {top}");
    assert!(
        bottom > 4.0 * top.max(0.5),
        "words in the bottom quarter: {bottom} vs {top}"
    );

    // The designer's focus point moves the cuts (a 360-px square of a 640-px film: at 20 %
    // across it starts at the left edge) and leaves the web film alone.
    fx.json(&["edit", &id, "--focus", "0.2,0.5"], 0);
    fx.json(&["render"], 0);
    assert_ne!(url("video-square"), burned, "cut again around the focus");
    assert_eq!(url("video-web"), web);
    let (left, _) = frame_at_one_second(&fx, &url("video-square"));
    let moved = difference(&after, &left, width, 0.0..0.5);
    assert!(moved > 10.0, "another part of the picture: {moved}");
}
