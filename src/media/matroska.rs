//! WebM and Matroska headers (EBML): the document type, duration, picture size and codecs, read
//! from the elements before the first cluster. Nothing of the media data is read.

use super::video::VideoError;
use crate::model::VideoInfo;

/// How much of the file's start is searched for the headers (writers put them first).
pub const HEADER_BYTES: u64 = 4 << 20;

const EBML: u32 = 0x1A45_DFA3;
const DOC_TYPE: u32 = 0x4282;
const SEGMENT: u32 = 0x1853_8067;
const INFO: u32 = 0x1549_A966;
const TIMESTAMP_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
const DATE_UTC: u32 = 0x4461;
const TRACKS: u32 = 0x1654_AE6B;
const TRACK_ENTRY: u32 = 0xAE;
const CODEC_ID: u32 = 0x86;
const VIDEO: u32 = 0xE0;
const PIXEL_WIDTH: u32 = 0xB0;
const PIXEL_HEIGHT: u32 = 0xBA;
const DISPLAY_WIDTH: u32 = 0x54B0;
const DISPLAY_HEIGHT: u32 = 0x54BA;
const CLUSTER: u32 = 0x1F43_B675;

/// Which of the two a file says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocType {
    Webm,
    Matroska,
}

/// The document type from an EBML header at the start of `head`.
pub fn doc_type(head: &[u8]) -> Option<DocType> {
    let (id, body, _) = element(head)?;
    if id != EBML {
        return None;
    }
    let doc = elements(body).find(|(id, ..)| *id == DOC_TYPE)?.1;
    match doc.strip_suffix(&[0]).unwrap_or(doc) {
        b"webm" => Some(DocType::Webm),
        b"matroska" => Some(DocType::Matroska),
        _ => None,
    }
}

/// Duration, size and codecs from the first `HEADER_BYTES` of the file. A header cut short by
/// the window is read as far as it goes.
pub fn parse(head: &[u8]) -> Result<VideoInfo, VideoError> {
    let (_, _, rest) = element(head).ok_or(VideoError::NoMovie)?;
    let (id, segment, _) = element(rest).ok_or(VideoError::NoMovie)?;
    if id != SEGMENT {
        return Err(VideoError::NoMovie);
    }
    let mut info = VideoInfo::default();
    let (mut scale_ns, mut duration) = (1_000_000.0, None);
    for (id, body, _) in elements(segment) {
        match id {
            INFO => {
                for (id, value, _) in elements(body) {
                    match id {
                        TIMESTAMP_SCALE => scale_ns = uint(value).unwrap_or(1_000_000) as f64,
                        DURATION => duration = float(value),
                        DATE_UTC => info.created_at = date(value),
                        _ => {}
                    }
                }
            }
            TRACKS => {
                for (_, entry, _) in elements(body).filter(|(id, ..)| *id == TRACK_ENTRY) {
                    let codec =
                        elements(entry)
                            .find(|(id, ..)| *id == CODEC_ID)
                            .map(|(_, v, _)| {
                                String::from_utf8_lossy(v).trim_end_matches('\0').to_owned()
                            });
                    if let Some((_, video, _)) = elements(entry).find(|(id, ..)| *id == VIDEO) {
                        if info.width == 0 {
                            let get = |want: u32| {
                                elements(video)
                                    .find(|(id, ..)| *id == want)
                                    .and_then(|(_, v, _)| uint(v))
                                    .and_then(|v| u32::try_from(v).ok())
                            };
                            info.width = get(DISPLAY_WIDTH).or(get(PIXEL_WIDTH)).unwrap_or(0);
                            info.height = get(DISPLAY_HEIGHT).or(get(PIXEL_HEIGHT)).unwrap_or(0);
                        }
                    }
                    info.codecs.extend(codec);
                }
            }
            CLUSTER => break,
            _ => {}
        }
    }
    let seconds = duration.map(|d| d * scale_ns / 1e9).unwrap_or(0.0);
    if !seconds.is_finite() || seconds <= 0.0 {
        return Err(VideoError::ZeroDuration);
    }
    info.duration_s = (seconds * 1000.0).round() / 1000.0;
    Ok(info)
}

/// One element at the start of `bytes`: id, body (cut at the end of `bytes` when its size runs
/// past it, or is "unknown"), and what follows it.
fn element(bytes: &[u8]) -> Option<(u32, &[u8], &[u8])> {
    let (id, id_len) = vint(bytes, true)?;
    let (size, size_len) = vint(bytes.get(id_len..)?, false)?;
    let start = id_len + size_len;
    let end = match size {
        Some(size) => start
            .saturating_add(usize::try_from(size).ok()?)
            .min(bytes.len()),
        None => bytes.len(),
    };
    Some((u32::try_from(id?).ok()?, &bytes[start..end], &bytes[end..]))
}

fn elements(mut bytes: &[u8]) -> impl Iterator<Item = (u32, &[u8], &[u8])> {
    std::iter::from_fn(move || {
        let (id, body, rest) = element(bytes)?;
        bytes = rest;
        Some((id, body, rest))
    })
}

/// An EBML variable-length integer and its length; a size of all ones is "unknown" (None).
/// Ids keep their marker bit, as the specification writes them.
fn vint(bytes: &[u8], keep_marker: bool) -> Option<(Option<u64>, usize)> {
    let first = *bytes.first()?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 {
        return None;
    }
    let mut value = if keep_marker {
        u64::from(first)
    } else {
        u64::from(first) & (0xFF >> len)
    };
    for &b in bytes.get(1..len)? {
        value = (value << 8) | u64::from(b);
    }
    let unknown = !keep_marker && value == (1u64 << (7 * len)) - 1;
    Some((if unknown { None } else { Some(value) }, len))
}

fn uint(bytes: &[u8]) -> Option<u64> {
    (bytes.len() <= 8).then(|| bytes.iter().fold(0, |v, &b| (v << 8) | u64::from(b)))
}

fn float(bytes: &[u8]) -> Option<f64> {
    match bytes.len() {
        4 => Some(f64::from(f32::from_be_bytes(bytes.try_into().ok()?))),
        8 => Some(f64::from_be_bytes(bytes.try_into().ok()?)),
        _ => None,
    }
}

/// Nanoseconds since 2001-01-01T00:00:00Z, as RFC 3339.
fn date(bytes: &[u8]) -> Option<String> {
    const MILLENNIUM: i64 = 978_307_200;
    let ns = i64::from_be_bytes(bytes.try_into().ok()?);
    let at = time::OffsetDateTime::from_unix_timestamp(MILLENNIUM + ns / 1_000_000_000).ok()?;
    at.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(id: u32, body: &[u8]) -> Vec<u8> {
        let id_bytes = id.to_be_bytes();
        let skip = id_bytes.iter().position(|&b| b != 0).unwrap();
        let mut v = id_bytes[skip..].to_vec();
        v.extend((body.len() as u64 | (1 << 56)).to_be_bytes()); // an 8-byte size

        v.extend(body);
        v
    }

    #[test]
    fn a_webm_header_gives_type_duration_size_and_codecs() {
        let header = el(EBML, &el(DOC_TYPE, b"webm"));
        let info = el(
            INFO,
            &[
                el(TIMESTAMP_SCALE, &[0x0F, 0x42, 0x40]),
                el(DURATION, &2500.0f64.to_be_bytes()),
            ]
            .concat(),
        );
        let video = el(
            VIDEO,
            &[
                el(PIXEL_WIDTH, &[0x05, 0x00]),
                el(PIXEL_HEIGHT, &[0x02, 0xD0]),
            ]
            .concat(),
        );
        let tracks = el(
            TRACKS,
            &[
                el(TRACK_ENTRY, &[el(CODEC_ID, b"V_VP9"), video].concat()),
                el(TRACK_ENTRY, &el(CODEC_ID, b"A_OPUS")),
            ]
            .concat(),
        );
        let file = [
            header,
            el(SEGMENT, &[info, tracks, el(CLUSTER, &[0; 64])].concat()),
        ]
        .concat();
        assert_eq!(doc_type(&file), Some(DocType::Webm));
        let parsed = parse(&file).unwrap();
        assert_eq!(parsed.duration_s, 2.5);
        assert_eq!((parsed.width, parsed.height), (1280, 720));
        assert_eq!(parsed.codecs, ["V_VP9", "A_OPUS"]);
        // Cut anywhere, it never panics.
        for n in 0..file.len() {
            let _ = parse(&file[..n]);
        }
        assert!(parse(&file[..40]).is_err());
        assert_eq!(doc_type(&el(EBML, &el(DOC_TYPE, b"other"))), None);
    }
}
