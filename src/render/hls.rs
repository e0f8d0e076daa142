//! Streaming for long films: an HLS ladder made by ffmpeg into a scratch folder, in fMP4
//! segments (so a browser without HLS plays them through Media Source Extensions, with no
//! transmuxing). Every file is then stored under its BLAKE3 like any rendition, the playlists
//! rewritten to name the stored files (`<hash>.m4s`, relative, so they resolve under `/r/`),
//! and a master playlist lists the variants and the film's subtitle tracks. Subtitles change
//! without the film: the master is then written again around the stored variants, with no
//! encoding.

use std::path::Path;

use super::{Failure, Made, Output, Renderer};
use crate::media::ffmpeg::LadderSpec;
use crate::model::{Asset, Preset, Rendition, Subtitle};
use crate::store::{Durability, Hash};

/// Seconds per segment: short enough to switch variants soon, long enough to compress well.
pub const SEGMENT_SECONDS: u32 = 6;

/// The subtitle group's id in the master playlist.
const SUBTITLE_GROUP: &str = "subs";

/// The sizes of a ladder for a `w`×`h` film: each rung's short side from the preset's ladder,
/// never above the film's own (a film smaller than every rung gets one rung, its own size),
/// both sides even as H.264 with 4:2:0 chroma needs.
pub fn rungs(ladder: &[u32], (w, h): (u32, u32)) -> Vec<(u32, u32)> {
    let short = w.min(h).max(2);
    let mut sides: Vec<u32> = ladder.iter().copied().filter(|&s| s <= short).collect();
    if sides.is_empty() {
        sides.push(short);
    }
    sides.sort_unstable();
    sides.dedup();
    let even = |v: f64| ((v.round() as u32) & !1).max(2);
    sides
        .into_iter()
        .map(|side| {
            let scale = f64::from(side) / f64::from(short);
            (even(f64::from(w) * scale), even(f64::from(h) * scale))
        })
        .collect()
}

/// The rendition key of a ladder: its pixels and the subtitle tracks its master lists.
pub fn key(pixels: &str, subtitles: &[Subtitle]) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(pixels.as_bytes());
    for t in subtitles {
        hasher.update(format!("\n{}={}", t.lang, t.hash).as_bytes());
    }
    hasher.finalize().to_hex().to_string()
}

/// One variant as the master lists it: its `EXT-X-STREAM-INF` attributes and playlist.
#[derive(Debug, Clone, PartialEq)]
struct Variant {
    attributes: String,
    playlist: String,
}

/// A stored ladder: its variants and every file they name (`/r/<hash>.<ext>`).
struct Ladder {
    variants: Vec<Variant>,
    parts: Vec<String>,
}

impl Renderer<'_> {
    /// Makes the ladder of `preset` for `asset` from the local original at `source`.
    pub(super) fn make_ladder(
        &self,
        ffmpeg: &crate::media::ffmpeg::Ffmpeg,
        source: &Path,
        asset: &Asset,
        preset: &Preset,
        size: (u32, u32),
    ) -> Made {
        let dir = self.store.scratch_path();
        let spec = LadderSpec {
            rungs: rungs(&preset.ladder, size),
            crf: preset.crf(),
            audio: asset.video.as_ref().is_some_and(|v| v.codecs.len() > 1),
            segment_seconds: SEGMENT_SECONDS,
            duration_s: asset.duration_s.unwrap_or(0.0),
        };
        let made = std::fs::create_dir(&dir)
            .map_err(|e| Failure::internal("scratch-failed", e.to_string()))
            .and_then(|()| {
                ffmpeg
                    .hls_ladder(source, &spec, &dir)
                    .map_err(|e| Failure::from(&e))
            })
            .and_then(|()| self.store_ladder(&dir, spec.rungs.len()));
        let _ = std::fs::remove_dir_all(&dir);
        let ladder = made?;
        let (width, height) = spec.rungs.last().copied().unwrap_or(size);
        self.with_master(ladder, asset, (width, height))
    }

    /// The recorded ladder `r` with a master naming `asset`'s subtitle tracks as they are now.
    pub(super) fn remaster(&self, r: &Rendition, asset: &Asset) -> Option<Made> {
        let hash = Hash::from_hex(r.object()?).ok()?;
        let master = String::from_utf8(self.store.read_all(&hash).ok()?).ok()?;
        let (variants, named) = parse_master(&master);
        let parts = r
            .parts
            .iter()
            .filter(|p| !p.ends_with(".vtt") && !named.iter().any(|n| p.ends_with(n.as_str())))
            .cloned()
            .collect();
        Some(self.with_master(Ladder { variants, parts }, asset, (r.width, r.height)))
    }

    /// Stores a subtitle playlist per track and the master naming them and the variants.
    fn with_master(&self, mut ladder: Ladder, asset: &Asset, size: (u32, u32)) -> Made {
        let duration = asset.duration_s.unwrap_or(0.0);
        let mut media = Vec::new();
        for track in &asset.subtitles {
            let vtt = format!("{}.vtt", track.hash);
            let name = self.put(subtitle_playlist(&vtt, duration).as_bytes(), "m3u8")?;
            ladder.parts.push(format!("/r/{vtt}"));
            ladder.parts.push(format!("/r/{name}"));
            media.push((track, name));
        }
        let mut text = String::from("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        for (track, name) in &media {
            text += &format!(
                "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"{SUBTITLE_GROUP}\",NAME=\"{}\",\
                 LANGUAGE=\"{}\",AUTOSELECT=YES,DEFAULT=NO,URI=\"{name}\"\n",
                track.label().replace('"', "'"),
                track.lang
            );
        }
        for v in &ladder.variants {
            let group = if media.is_empty() {
                String::new()
            } else {
                format!(",SUBTITLES=\"{SUBTITLE_GROUP}\"")
            };
            text += &format!(
                "#EXT-X-STREAM-INF:{}{group}\n{}\n",
                v.attributes, v.playlist
            );
        }
        Ok(super::Encoded {
            output: Output::WithParts {
                main: text.into_bytes(),
                parts: ladder.parts,
            },
            width: size.0,
            height: size.1,
        })
    }

    /// Stores every file of the `count` variants ffmpeg wrote into `dir`, rewriting each
    /// playlist to name the stored files, with each variant's bandwidth measured from its
    /// segments (ffmpeg's own figure counts only the audio of a constant-quality encode).
    fn store_ladder(&self, dir: &Path, count: usize) -> Result<Ladder, Failure> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .map_err(|e| Failure::internal("hls-failed", format!("{name}: {e}")))
        };
        let codecs = codecs_by_variant(&read("master.m3u8")?);
        let mut ladder = Ladder {
            variants: Vec::new(),
            parts: Vec::new(),
        };
        for i in 0..count {
            let mut text = String::new();
            let (mut peak, mut total_bits, mut total_seconds) = (0.0f64, 0.0, 0.0);
            let mut duration = None;
            for line in read(&format!("p{i}.m3u8"))?.lines() {
                if let Some(uri) = line
                    .strip_prefix("#EXT-X-MAP:URI=\"")
                    .and_then(|s| s.strip_suffix('"'))
                {
                    let name = self.put_file(&dir.join(uri), &mut ladder.parts)?;
                    text += &format!("#EXT-X-MAP:URI=\"{name}\"\n");
                } else if let Some(d) = line.strip_prefix("#EXTINF:") {
                    duration = d.trim_end_matches(',').parse::<f64>().ok();
                    text += &format!("{line}\n");
                } else if !line.starts_with('#') && !line.trim().is_empty() {
                    let path = dir.join(line.trim());
                    let bits = std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 * 8.0;
                    let seconds = duration.take().unwrap_or(1.0).max(0.5);
                    peak = peak.max(bits / seconds);
                    (total_bits, total_seconds) = (total_bits + bits, total_seconds + seconds);
                    text += &format!("{}\n", self.put_file(&path, &mut ladder.parts)?);
                } else {
                    text += &format!("{line}\n");
                }
            }
            let playlist = self.put(text.as_bytes(), "m3u8")?;
            ladder.parts.push(format!("/r/{playlist}"));
            let (resolution, codecs) = codecs.get(i).cloned().unwrap_or_default();
            let average = total_bits / total_seconds.max(0.001);
            ladder.variants.push(Variant {
                attributes: format!(
                    "BANDWIDTH={},AVERAGE-BANDWIDTH={},RESOLUTION={resolution},CODECS=\"{codecs}\"",
                    peak.ceil() as u64,
                    average.ceil() as u64
                ),
                playlist,
            });
        }
        Ok(ladder)
    }

    /// Stores a scratch file; its name under `/r/` is added to `parts` and returned.
    fn put_file(&self, path: &Path, parts: &mut Vec<String>) -> Result<String, Failure> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("m4s");
        let mut file = std::fs::File::open(path)
            .map_err(|e| Failure::internal("hls-failed", format!("a segment is missing: {e}")))?;
        let put = self
            .store
            .put_reader(&mut file, Durability::Derived)
            .map_err(|e| super::store_failure(&e))?;
        let name = format!("{}.{ext}", put.hash.to_hex());
        parts.push(format!("/r/{name}"));
        Ok(name)
    }

    /// Stores a small playlist; returns its name under `/r/`.
    fn put(&self, bytes: &[u8], ext: &str) -> Result<String, Failure> {
        let put = self
            .store
            .put_reader(&mut &bytes[..], Durability::Derived)
            .map_err(|e| super::store_failure(&e))?;
        Ok(format!("{}.{ext}", put.hash.to_hex()))
    }
}

/// (RESOLUTION, CODECS) of each variant of ffmpeg's master playlist, in its order.
fn codecs_by_variant(master: &str) -> Vec<(String, String)> {
    master
        .lines()
        .filter_map(|l| l.strip_prefix("#EXT-X-STREAM-INF:"))
        .map(|attributes| {
            let get = |key: &str| attribute(attributes, key).unwrap_or_default();
            (get("RESOLUTION"), get("CODECS"))
        })
        .collect()
}

/// One attribute of an HLS attribute list (`KEY=value,KEY="quoted, value"`), unquoted.
fn attribute(list: &str, key: &str) -> Option<String> {
    let at = list.find(&format!("{key}="))? + key.len() + 1;
    let rest = &list[at..];
    Some(match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?.to_owned(),
        None => rest.split(',').next()?.to_owned(),
    })
}

/// A recorded master's variants (without their subtitle group) and the subtitle playlists
/// it names.
fn parse_master(master: &str) -> (Vec<Variant>, Vec<String>) {
    let mut variants = Vec::new();
    let mut subtitles = Vec::new();
    let mut lines = master.lines();
    while let Some(line) = lines.next() {
        if let Some(attributes) = line.strip_prefix("#EXT-X-STREAM-INF:") {
            let attributes = attributes.replace(&format!(",SUBTITLES=\"{SUBTITLE_GROUP}\""), "");
            if let Some(playlist) = lines.next() {
                variants.push(Variant {
                    attributes,
                    playlist: playlist.to_owned(),
                });
            }
        } else if line.starts_with("#EXT-X-MEDIA:TYPE=SUBTITLES") {
            subtitles.extend(attribute(line, "URI"));
        }
    }
    (variants, subtitles)
}

/// A subtitle track's media playlist: the whole WebVTT file as one segment.
fn subtitle_playlist(vtt: &str, duration_s: f64) -> String {
    format!(
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:{}\n#EXT-X-MEDIA-SEQUENCE:0\n\
         #EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:{duration_s:.3},\n{vtt}\n#EXT-X-ENDLIST\n",
        duration_s.ceil().max(1.0) as u64
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rungs_never_enlarge_and_keep_the_shape() {
        let ladder = [360, 720, 1080];
        assert_eq!(
            rungs(&ladder, (1920, 1080)),
            [(640, 360), (1280, 720), (1920, 1080)]
        );
        assert_eq!(rungs(&ladder, (1280, 720)), [(640, 360), (1280, 720)]);
        // A vertical film: the short side is its width.
        assert_eq!(
            rungs(&ladder, (1080, 1920)),
            [(360, 640), (720, 1280), (1080, 1920)]
        );
        // Smaller than every rung: one, its own size.
        assert_eq!(rungs(&ladder, (320, 240)), [(320, 240)]);
    }

    #[test]
    fn a_master_read_back_gives_its_variants_and_subtitle_playlists() {
        let master = "#EXTM3U\n#EXT-X-VERSION:7\n\
            #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",AUTOSELECT=YES,DEFAULT=NO,URI=\"aa.m3u8\"\n\
            #EXT-X-STREAM-INF:BANDWIDTH=900,RESOLUTION=640x360,CODECS=\"avc1.64001e,mp4a.40.2\",SUBTITLES=\"subs\"\n\
            bb.m3u8\n";
        let (variants, subtitles) = parse_master(master);
        assert_eq!(subtitles, ["aa.m3u8"]);
        assert_eq!(
            variants,
            [Variant {
                attributes: "BANDWIDTH=900,RESOLUTION=640x360,CODECS=\"avc1.64001e,mp4a.40.2\""
                    .into(),
                playlist: "bb.m3u8".into()
            }]
        );
        assert_eq!(
            attribute(&variants[0].attributes, "CODECS").as_deref(),
            Some("avc1.64001e,mp4a.40.2")
        );
        assert_eq!(
            attribute(&variants[0].attributes, "RESOLUTION").as_deref(),
            Some("640x360")
        );
    }
}
