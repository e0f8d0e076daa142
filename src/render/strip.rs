//! A film's thumbnail strip, for scrubbing: one JPEG sprite of frames taken at even steps
//! (one ffmpeg run, one decode) stored as the rendition's part, and WebVTT cues naming each
//! tile by `<sprite>.jpg#xywh=x,y,w,h` (the form players with preview thumbnails read). The
//! player page draws the tiles as buttons that seek to their time.

use std::path::Path;

use super::{Failure, Made, Output, Renderer};
use crate::media::ffmpeg::Ffmpeg;
use crate::media::subtitles::timestamp;
use crate::model::{Asset, Preset};
use crate::store::Durability;

/// At most this many tiles, whatever the film's length.
const MAX_TILES: u32 = 100;
/// Tiles per row of the sprite.
const COLUMNS: u32 = 10;
/// No two tiles closer than this many seconds.
const MIN_STEP: f64 = 2.0;

/// One tile: when its part of the film starts and ends (ms), and where it is in the sprite.
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    pub start_ms: u64,
    pub end_ms: u64,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// The step between tiles and their count for a film of `duration_s`.
fn steps(duration_s: f64) -> (f64, u32) {
    let step = (duration_s / f64::from(MAX_TILES)).max(MIN_STEP);
    let count = ((duration_s / step).ceil() as u32).clamp(1, MAX_TILES);
    (step, count)
}

/// The cues of a strip of `count` tiles of `w`×`h` px, one every `step` seconds, in `sprite`.
fn cues(sprite: &str, step: f64, count: u32, (w, h): (u32, u32), duration_s: f64) -> String {
    let mut vtt = String::from("WEBVTT\n");
    let end_of_film = (duration_s * 1000.0).round() as u64;
    for i in 0..count {
        let start = (f64::from(i) * step * 1000.0).round() as u64;
        let end = ((f64::from(i + 1) * step * 1000.0).round() as u64).min(end_of_film);
        let (x, y) = ((i % COLUMNS) * w, (i / COLUMNS) * h);
        vtt += &format!(
            "\n{} --> {}\n{sprite}#xywh={x},{y},{w},{h}\n",
            timestamp(start),
            timestamp(end.max(start + 1))
        );
    }
    vtt
}

/// A strip's cues read back: every tile (cues that do not name a tile are skipped).
pub fn tiles(vtt: &str) -> Vec<Tile> {
    let mut out = Vec::new();
    let mut lines = vtt.lines();
    while let Some(line) = lines.next() {
        let Some((start, end)) = line.split_once(" --> ") else {
            continue;
        };
        let Some(area) = lines.next().and_then(|l| l.split_once("#xywh=")) else {
            continue;
        };
        let n: Vec<u32> = area.1.split(',').filter_map(|v| v.parse().ok()).collect();
        let (Some(start_ms), Some(end_ms), [x, y, width, height]) =
            (millis(start), millis(end), n.as_slice())
        else {
            continue;
        };
        out.push(Tile {
            start_ms,
            end_ms,
            x: *x,
            y: *y,
            width: *width,
            height: *height,
        });
    }
    out
}

/// `hh:mm:ss.mmm` → milliseconds.
fn millis(t: &str) -> Option<u64> {
    let (hms, ms) = t.trim().split_once('.')?;
    let parts: Vec<u64> = hms.split(':').filter_map(|p| p.parse().ok()).collect();
    let [h, m, s] = parts.as_slice() else {
        return None;
    };
    Some(((h * 60 + m) * 60 + s) * 1000 + ms.parse::<u64>().ok()?)
}

impl Renderer<'_> {
    /// The strip of `preset` (its `width`: a tile's) for `asset` from the local original.
    pub(super) fn make_strip(
        &self,
        ffmpeg: &Ffmpeg,
        source: &Path,
        asset: &Asset,
        preset: &Preset,
    ) -> Made {
        let duration = asset.duration_s.unwrap_or(0.0);
        let (step, count) = steps(duration);
        let rows = count.div_ceil(COLUMNS);
        let columns = count.min(COLUMNS);
        let width = (preset.width.max(16) & !1).min(480);
        let jpeg = ffmpeg
            .sprite(source, step, width, (columns, rows))
            .map_err(|e| Failure::from(&e))?;
        let (sprite_w, sprite_h) = image::ImageReader::new(std::io::Cursor::new(&jpeg))
            .with_guessed_format()
            .ok()
            .and_then(|r| r.into_dimensions().ok())
            .ok_or_else(|| Failure::internal("strip-failed", "ffmpeg gave no picture"))?;
        let put = self
            .store
            .put_reader(&mut jpeg.as_slice(), Durability::Derived)
            .map_err(|e| super::store_failure(&e))?;
        let sprite = format!("{}.jpg", put.hash.to_hex());
        let tile = (sprite_w / columns, sprite_h / rows);
        Ok(super::Encoded {
            output: Output::WithParts {
                main: cues(&sprite, step, count, tile, duration).into_bytes(),
                parts: vec![format!("/r/{sprite}")],
            },
            width: sprite_w,
            height: sprite_h,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strip_has_a_tile_every_step_up_to_a_hundred() {
        assert_eq!(steps(8.0), (2.0, 4));
        assert_eq!(steps(1200.0), (12.0, 100));
        assert_eq!(steps(0.5), (2.0, 1));
        let vtt = cues("ab.jpg", 2.0, 12, (160, 90), 23.5);
        let read = tiles(&vtt);
        assert_eq!(read.len(), 12);
        assert_eq!(
            read[11],
            Tile {
                start_ms: 22_000,
                end_ms: 23_500,
                x: 160,
                y: 90,
                width: 160,
                height: 90
            }
        );
        assert!(vtt.contains("\n00:00:02.000 --> 00:00:04.000\nab.jpg#xywh=160,0,160,90\n"));
    }
}
