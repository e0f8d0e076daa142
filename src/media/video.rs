//! MP4/MOV container metadata, parsed in Rust without ffmpeg: duration, displayed size (the
//! track matrix's rotation applied), codecs, frame rate, creation time, make/model, and GPS from
//! ISO 6709 location atoms (QuickTime `©xyz`, and `com.apple.quicktime.location.ISO6709` in
//! `meta`/`keys`/`ilst`). Only the `moov` box is read, with its size capped: a file that lies
//! about sizes ends the walk, never a huge allocation.

use std::io::{Read, Seek, SeekFrom};

use super::bmff::{boxes, child};
use crate::model::{Gps, VideoInfo};

/// The largest `moov` read into memory.
const MAX_MOOV: u64 = 64 << 20;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VideoError {
    #[error("no movie header: the file is truncated or not a movie")]
    NoMovie,
    #[error("the movie has no duration")]
    ZeroDuration,
    #[error("the movie header is {0} bytes, over the limit")]
    TooLarge(u64),
    #[error("read error: {0}")]
    Io(String),
}

/// Reads the `moov` box of a file by walking its top-level boxes with seeks.
pub fn read_moov<R: Read + Seek>(reader: &mut R) -> Result<Vec<u8>, VideoError> {
    let io = |e: std::io::Error| VideoError::Io(e.to_string());
    let len = reader.seek(SeekFrom::End(0)).map_err(io)?;
    let mut pos = 0u64;
    while pos + 8 <= len {
        reader.seek(SeekFrom::Start(pos)).map_err(io)?;
        let mut header = [0u8; 16];
        reader.read_exact(&mut header[..8]).map_err(io)?;
        let mut size = u64::from(u32::from_be_bytes([
            header[0], header[1], header[2], header[3],
        ]));
        let mut header_len = 8;
        if size == 1 {
            reader.read_exact(&mut header[8..16]).map_err(io)?;
            size = u64::from_be_bytes([
                header[8], header[9], header[10], header[11], header[12], header[13], header[14],
                header[15],
            ]);
            header_len = 16;
        } else if size == 0 {
            size = len - pos;
        }
        // `pos + 8 <= len`, so `len - pos` cannot underflow; `pos + size` could overflow.
        if size < header_len || size > len - pos {
            return Err(VideoError::NoMovie);
        }
        if &header[4..8] == b"moov" {
            let payload = size - header_len;
            if payload > MAX_MOOV {
                return Err(VideoError::TooLarge(payload));
            }
            let mut moov = vec![0u8; payload as usize];
            reader.read_exact(&mut moov).map_err(io)?;
            return Ok(moov);
        }
        pos += size;
    }
    Err(VideoError::NoMovie)
}

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Parses a `moov` payload.
pub fn parse_moov(moov: &[u8]) -> Result<VideoInfo, VideoError> {
    let mvhd = child(moov, b"mvhd").ok_or(VideoError::NoMovie)?;
    let (created, timescale, duration) = match mvhd.first() {
        Some(1) => (be_u64(mvhd, 4), be_u32(mvhd, 20), be_u64(mvhd, 24)),
        _ => (
            be_u32(mvhd, 4).map(u64::from),
            be_u32(mvhd, 12),
            be_u32(mvhd, 16).map(u64::from),
        ),
    };
    let timescale = timescale.filter(|t| *t > 0).ok_or(VideoError::NoMovie)?;
    let duration_s = duration.unwrap_or(0) as f64 / f64::from(timescale);
    if duration_s <= 0.0 {
        return Err(VideoError::ZeroDuration);
    }
    let mut info = VideoInfo {
        duration_s: (duration_s * 1000.0).round() / 1000.0,
        created_at: created.filter(|c| *c > 0).and_then(mac_epoch_to_rfc3339),
        ..Default::default()
    };
    let mut audio = Vec::new();
    for trak in boxes(moov).filter(|b| &b.kind == b"trak") {
        let mdia = child(trak.payload, b"mdia");
        let handler = mdia
            .and_then(|m| child(m, b"hdlr"))
            .and_then(|h| h.get(8..12));
        let codec = mdia
            .and_then(|m| child(m, b"minf"))
            .and_then(|m| child(m, b"stbl"))
            .and_then(|s| child(s, b"stsd"))
            .and_then(|s| s.get(12..16))
            .map(|c| String::from_utf8_lossy(c).trim().to_owned());
        match handler {
            Some(b"vide") if info.width == 0 => {
                if let Some(tkhd) = child(trak.payload, b"tkhd") {
                    let base = if tkhd.first() == Some(&1) {
                        4 + 32
                    } else {
                        4 + 20
                    };
                    // reserved 8, layer 2, alternate group 2, volume 2, reserved 2, matrix 36
                    let matrix = base + 16;
                    let a = be_u32(tkhd, matrix).map(|v| v as i32).unwrap_or(65536);
                    let b = be_u32(tkhd, matrix + 4).map(|v| v as i32).unwrap_or(0);
                    let w = be_u32(tkhd, matrix + 36).unwrap_or(0) >> 16;
                    let h = be_u32(tkhd, matrix + 40).unwrap_or(0) >> 16;
                    let angle = f64::from(b).atan2(f64::from(a)).to_degrees().round() as i32;
                    info.rotation = (angle.rem_euclid(360) as u16 / 90) * 90;
                    (info.width, info.height) = if info.rotation % 180 == 90 {
                        (h, w)
                    } else {
                        (w, h)
                    };
                }
                info.frame_rate = mdia.and_then(frame_rate);
                info.codecs.extend(codec);
            }
            Some(b"soun") => audio.extend(codec),
            _ => {}
        }
    }
    info.codecs.extend(audio);
    let udta = child(moov, b"udta");
    if let Some(udta) = udta {
        for b in boxes(udta) {
            let value = || quicktime_string(b.payload);
            match &b.kind {
                b"\xa9xyz" => info.gps = info.gps.or_else(|| value().and_then(|s| iso6709(&s))),
                b"loci" => info.gps = info.gps.or_else(|| loci(b.payload)),
                b"\xa9mak" => info.make = info.make.take().or_else(value),
                b"\xa9mod" => info.model = info.model.take().or_else(value),
                _ => {}
            }
        }
    }
    // Apple puts its keyed metadata in moov/meta; other writers (ffmpeg) in moov/udta/meta.
    let metas = [Some(moov), udta].into_iter().flatten();
    for meta in metas.filter_map(|parent| child(parent, b"meta")) {
        for (key, value) in mdta_items(meta) {
            match key.as_str() {
                "com.apple.quicktime.location.ISO6709" => {
                    info.gps = info.gps.or_else(|| iso6709(&value))
                }
                "com.apple.quicktime.make" => info.make = info.make.take().or(Some(value)),
                "com.apple.quicktime.model" => info.model = info.model.take().or(Some(value)),
                "com.apple.quicktime.creationdate" if info.created_at.is_none() => {
                    info.created_at = Some(value)
                }
                _ => {}
            }
        }
    }
    Ok(info)
}

/// Frames per second from the media header's time scale and the sample table's counts.
fn frame_rate(mdia: &[u8]) -> Option<f64> {
    let mdhd = child(mdia, b"mdhd")?;
    let (timescale, duration) = match mdhd.first() {
        Some(1) => (be_u32(mdhd, 20)?, be_u64(mdhd, 24)?),
        _ => (be_u32(mdhd, 12)?, u64::from(be_u32(mdhd, 16)?)),
    };
    let stts = child(child(child(mdia, b"minf")?, b"stbl")?, b"stts")?;
    let entries = be_u32(stts, 4)? as usize;
    let samples: u64 = (0..entries.min(100_000))
        .filter_map(|i| be_u32(stts, 8 + i * 8).map(u64::from))
        .sum();
    (duration > 0 && timescale > 0)
        .then(|| (samples as f64 * f64::from(timescale) / duration as f64 * 100.0).round() / 100.0)
}

/// A QuickTime user-data string: 16-bit length, 16-bit language, text.
fn quicktime_string(payload: &[u8]) -> Option<String> {
    let len = u16::from_be_bytes([*payload.first()?, *payload.get(1)?]) as usize;
    let text = payload.get(4..4 + len).or_else(|| payload.get(4..))?;
    Some(
        String::from_utf8_lossy(text)
            .trim_end_matches('\0')
            .to_owned(),
    )
}

/// `meta` (QuickTime style: hdlr `mdta`, `keys`, `ilst`) → (key, UTF-8 value) pairs.
fn mdta_items(meta: &[u8]) -> Vec<(String, String)> {
    // QuickTime's meta has no version/flags; ISO's has 4 bytes of them.
    let body = if child(meta, b"hdlr").is_some() {
        meta
    } else {
        meta.get(4..).unwrap_or(&[])
    };
    let (Some(keys), Some(ilst)) = (child(body, b"keys"), child(body, b"ilst")) else {
        return Vec::new();
    };
    let names: Vec<String> = boxes(keys.get(8..).unwrap_or(&[]))
        .map(|k| String::from_utf8_lossy(k.payload).into_owned())
        .collect();
    boxes(ilst)
        .filter_map(|item| {
            let index = u32::from_be_bytes(item.kind) as usize;
            let name = names.get(index.checked_sub(1)?)?;
            let data = child(item.payload, b"data")?;
            // data: type (4) + locale (4) + value
            Some((
                name.clone(),
                String::from_utf8_lossy(data.get(8..)?).into_owned(),
            ))
        })
        .collect()
}

/// ISO 6709 "+11.8169+107.0009+120.5/" → position.
/// The 3GPP location box (TS 26.244 `loci`, what ffmpeg's MP4 muxer writes): a name, a role,
/// then longitude, latitude and altitude as signed 16.16 fixed point.
fn loci(payload: &[u8]) -> Option<Gps> {
    let name = payload.get(6..)?;
    let name_len = if name.starts_with(&[0xFE, 0xFF]) {
        // UTF-16 with a byte-order mark, ended by two zero bytes.
        name.chunks(2).position(|c| c == [0, 0])? * 2 + 2
    } else {
        name.iter().position(|&b| b == 0)? + 1
    };
    let at = 6 + name_len + 1; // then one byte of role
    let fixed = |i: usize| be_u32(payload, at + i * 4).map(|v| f64::from(v as i32) / 65536.0);
    let (lon, lat, alt) = (fixed(0)?, fixed(1)?, fixed(2));
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then(|| Gps {
        lat: (lat * 1e6).round() / 1e6,
        lon: (lon * 1e6).round() / 1e6,
        alt_m: alt.filter(|a| *a != 0.0),
    })
}

pub fn iso6709(s: &str) -> Option<Gps> {
    let s = s.trim().trim_end_matches('/');
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices().skip(1) {
        if c == '+' || c == '-' {
            parts.push(&s[start..i]);
            start = i;
        }
    }
    parts.push(&s[start..]);
    let lat: f64 = parts.first()?.parse().ok()?;
    let lon: f64 = parts.get(1)?.parse().ok()?;
    let alt_m = parts.get(2).and_then(|a| a.parse().ok());
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some(Gps {
        lat,
        lon,
        alt_m,
    })
}

/// Seconds since 1904-01-01 (QuickTime) → RFC 3339 UTC.
fn mac_epoch_to_rfc3339(secs: u64) -> Option<String> {
    const MAC_TO_UNIX: i64 = 2_082_844_800;
    let unix = i64::try_from(secs).ok()? - MAC_TO_UNIX;
    let t = time::OffsetDateTime::from_unix_timestamp(unix).ok()?;
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

#[cfg(test)]
mod tests {

    /// Found by the `bmff` fuzz target: a 64-bit box size near u64::MAX made `pos + size`
    /// overflow (a panic in debug builds, a wrapped position and a loop in release ones).
    #[test]
    fn a_box_size_near_the_limit_is_refused() {
        let mut file = Vec::new();
        file.extend_from_slice(&1u32.to_be_bytes());
        file.extend_from_slice(b"free");
        file.extend_from_slice(&(u64::MAX - 4).to_be_bytes());
        file.extend_from_slice(&[0u8; 32]);
        let err = read_moov(&mut std::io::Cursor::new(&file)).unwrap_err();
        assert!(matches!(err, VideoError::NoMovie), "{err:?}");
    }
    use super::*;

    #[test]
    fn iso6709_forms() {
        let g = iso6709("+11.8169+107.0009+120.5/").unwrap();
        assert_eq!((g.lat, g.lon, g.alt_m), (11.8169, 107.0009, Some(120.5)));
        let g = iso6709("-33.8568+151.2153/").unwrap();
        assert_eq!((g.lat, g.lon, g.alt_m), (-33.8568, 151.2153, None));
        let g = iso6709("+40.6892-074.0445/").unwrap();
        assert_eq!((g.lat, g.lon), (40.6892, -74.0445));
        assert!(iso6709("garbage").is_none());
        assert!(iso6709("+95.0+10.0/").is_none());
    }
}
