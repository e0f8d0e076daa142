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

/// The sprite's grid for a film of `duration_s`: (columns, rows).
fn grid(duration_s: f64) -> (u32, u32) {
    let (_, count) = steps(duration_s);
    (count.min(COLUMNS), count.div_ceil(COLUMNS))
}

/// Every tile of the strip of a film of `duration_s` whose sprite is `sprite_w`×`sprite_h`:
/// what the cues say, and what the player draws, from the same two facts the asset records
/// (no file read to show a page).
pub fn layout(duration_s: f64, (sprite_w, sprite_h): (u32, u32)) -> Vec<Tile> {
    let (step, count) = steps(duration_s);
    let (columns, rows) = grid(duration_s);
    let (width, height) = (sprite_w / columns, sprite_h / rows.max(1));
    let end_of_film = (duration_s * 1000.0).round() as u64;
    (0..count)
        .map(|i| {
            let start_ms = (f64::from(i) * step * 1000.0).round() as u64;
            let end_ms = ((f64::from(i + 1) * step * 1000.0).round() as u64).min(end_of_film);
            Tile {
                start_ms,
                end_ms: end_ms.max(start_ms + 1),
                x: (i % COLUMNS) * width,
                y: (i / COLUMNS) * height,
                width,
                height,
            }
        })
        .collect()
}

/// The WebVTT cues naming each tile of `sprite`.
fn cues(sprite: &str, tiles: &[Tile]) -> String {
    let mut vtt = String::from("WEBVTT\n");
    for t in tiles {
        vtt += &format!(
            "\n{} --> {}\n{sprite}#xywh={},{},{},{}\n",
            timestamp(t.start_ms),
            timestamp(t.end_ms),
            t.x,
            t.y,
            t.width,
            t.height
        );
    }
    vtt
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
        let (step, _) = steps(duration);
        let (columns, rows) = grid(duration);
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
        let tiles = layout(duration, (sprite_w, sprite_h));
        Ok(super::Encoded {
            output: Output::WithParts {
                main: cues(&sprite, &tiles).into_bytes(),
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
        assert_eq!(grid(23.5), (10, 2));
        let tiles = layout(23.5, (1600, 180));
        assert_eq!(tiles.len(), 12);
        assert_eq!(
            tiles[11],
            Tile {
                start_ms: 22_000,
                end_ms: 23_500,
                x: 160,
                y: 90,
                width: 160,
                height: 90
            }
        );
        let vtt = cues("ab.jpg", &tiles);
        assert!(vtt.contains("\n00:00:02.000 --> 00:00:04.000\nab.jpg#xywh=160,0,160,90\n"));
    }
}
