//! Probing a file: its type, its displayed size, its metadata, and whether it decodes at all.

use std::io::{BufRead, Read, Seek, SeekFrom};

use image::ImageFormat;

use super::{bmff, exif, sniff, svg};
use crate::model::{ErrorKind, Exif, Gps, MediaType};

/// Longest plain text accepted (slogans are a line or two).
const MAX_TEXT_BYTES: u64 = 16 * 1024;

/// Caps applied before anything big is allocated.
#[derive(Debug, Clone, Copy)]
pub struct ProbeLimits {
    /// Largest accepted image, in decoded pixels.
    pub max_pixels: u64,
    /// Largest SVG document read into memory.
    pub max_svg_bytes: u64,
    /// Largest ISO-BMFF header region read to find image extents.
    pub max_header_bytes: u64,
    /// The memory budget of one decode, in bytes: the pixel buffer at the depth the file
    /// declares (16-bit, alpha), its 8-bit copy, a progressive JPEG's coefficients. Checked
    /// from the headers before anything is allocated.
    pub max_decode_bytes: u64,
    /// Largest metadata block decompressed or read whole (an ICC profile, PNG text chunks,
    /// XMP, EXIF).
    pub max_metadata_bytes: u64,
}

impl Default for ProbeLimits {
    fn default() -> Self {
        Self {
            max_pixels: 200_000_000,
            max_svg_bytes: 16 << 20,
            max_header_bytes: 4 << 20,
            max_decode_bytes: 512 << 20,
            max_metadata_bytes: 16 << 20,
        }
    }
}

/// What a file is, as far as cataloguing needs to know.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub media_type: MediaType,
    /// Displayed size: EXIF orientations 5–8 swap the stored width and height.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_s: Option<f64>,
    pub exif: Option<Exif>,
    pub gps: Option<Gps>,
    /// Problems that did not prevent cataloguing (a damaged EXIF block, say).
    pub warnings: Vec<String>,
    /// The content of a plain-text file (a slogan), as written.
    pub text: Option<String>,
    /// Container metadata of a video.
    pub video: Option<crate::model::VideoInfo>,
    /// What the file says about the picture in XMP and IPTC (XMP first).
    pub described: Option<super::meta::Described>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("the file is empty")]
    Empty,
    #[error("unsupported file type (not JPEG, PNG, WebP, TIFF, GIF, HEIF, SVG, MP4, MOV, PDF, or text as a slogan)")]
    Unsupported,
    #[error("the image is truncated: {0}")]
    Truncated(String),
    #[error("the image cannot be decoded: {0}")]
    Undecodable(String),
    #[error("{width}×{height} is {pixels} pixels, over the limit of {limit}")]
    TooLarge {
        width: u32,
        height: u32,
        pixels: u64,
        limit: u64,
    },
    #[error(
        "decoding it would take {needed} bytes of memory ({what}), over the budget of {limit}"
    )]
    OverBudget {
        what: &'static str,
        needed: u64,
        limit: u64,
    },
    #[error("the video cannot be read: {0}")]
    UndecodableVideo(String),
    #[error("the video has no duration")]
    ZeroDuration,
    #[error("read error: {0}")]
    Io(#[from] std::io::Error),
}

impl ProbeError {
    /// The stable code reported to users and API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty-file",
            Self::Unsupported => "unsupported-type",
            Self::Truncated(_) => "truncated-image",
            Self::Undecodable(_) => "undecodable-image",
            Self::TooLarge { .. } | Self::OverBudget { .. } => "too-large",
            Self::UndecodableVideo(_) => "undecodable-video",
            Self::ZeroDuration => "zero-duration",
            Self::Io(_) => "unreadable-file",
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Empty
            | Self::Truncated(_)
            | Self::Undecodable(_)
            | Self::UndecodableVideo(_)
            | Self::ZeroDuration => ErrorKind::InvalidInput,
            Self::Unsupported => ErrorKind::Unsupported,
            Self::TooLarge { .. } | Self::OverBudget { .. } => ErrorKind::TooLarge,
            Self::Io(_) => ErrorKind::Internal,
        }
    }
}

fn video_error(e: super::video::VideoError) -> ProbeError {
    use super::video::VideoError;
    match e {
        VideoError::ZeroDuration => ProbeError::ZeroDuration,
        VideoError::TooLarge(n) => {
            ProbeError::UndecodableVideo(format!("movie header of {n} bytes"))
        }
        other => ProbeError::UndecodableVideo(other.to_string()),
    }
}

/// Size, duration, GPS and camera from a video's container metadata.
fn set_video(probe: &mut Probe, info: crate::model::VideoInfo) {
    probe.width = Some(info.width).filter(|w| *w > 0);
    probe.height = Some(info.height).filter(|h| *h > 0);
    probe.duration_s = Some(info.duration_s);
    probe.gps = info.gps;
    if info.make.is_some() || info.model.is_some() {
        probe.exif = Some(Exif {
            make: info.make.clone(),
            model: info.model.clone(),
            ..Default::default()
        });
    }
    probe.video = Some(info);
}

/// Probes a file: sniffs its type, reads its size and metadata, and checks that images decode.
pub fn probe<R: BufRead + Seek>(reader: &mut R, limits: &ProbeLimits) -> Result<Probe, ProbeError> {
    let mut head = Vec::with_capacity(sniff::HEAD_LEN);
    reader
        .by_ref()
        .take(sniff::HEAD_LEN as u64)
        .read_to_end(&mut head)?;
    if head.is_empty() {
        return Err(ProbeError::Empty);
    }
    let media_type = sniff::sniff(&head).ok_or(ProbeError::Unsupported)?;
    reader.seek(SeekFrom::Start(0))?;
    let mut probe = Probe {
        media_type,
        width: None,
        height: None,
        duration_s: None,
        exif: None,
        gps: None,
        warnings: Vec::new(),
        text: None,
        video: None,
        described: None,
    };
    if let Some(format) = raster_format(media_type) {
        probe_raster(reader, format, limits, &mut probe)?;
    } else if media_type == MediaType::Heif {
        read_exif(reader, &mut probe)?;
        if super::heif::available() {
            probe_heif(reader, limits, &mut probe)?;
        } else {
            let header = read_prefix(reader, limits.max_header_bytes)?;
            if let Some((w, h)) = bmff::heif_size(&header) {
                check_pixels(w, h, limits)?;
                set_displayed_size(&mut probe, w, h);
            }
        }
    } else if matches!(media_type, MediaType::Mp4 | MediaType::Mov) {
        use super::video::{parse_moov, read_moov};
        let info = read_moov(reader)
            .and_then(|m| parse_moov(&m))
            .map_err(video_error)?;
        set_video(&mut probe, info);
        reader.seek(SeekFrom::Start(0))?;
    } else if matches!(media_type, MediaType::Webm | MediaType::Mkv) {
        let head = read_prefix(reader, super::matroska::HEADER_BYTES)?;
        let info = super::matroska::parse(&head).map_err(video_error)?;
        set_video(&mut probe, info);
        reader.seek(SeekFrom::Start(0))?;
    } else if media_type == MediaType::Text {
        let bytes = read_prefix(reader, MAX_TEXT_BYTES + 1)?;
        if bytes.len() as u64 > MAX_TEXT_BYTES {
            return Err(ProbeError::Undecodable(format!(
                "text longer than {MAX_TEXT_BYTES} bytes is not a slogan"
            )));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| ProbeError::Undecodable("text is not UTF-8".into()))?;
        probe.text = Some(text);
    } else if media_type == MediaType::Svg {
        let bytes = read_prefix(reader, limits.max_svg_bytes + 1)?;
        if bytes.len() as u64 > limits.max_svg_bytes {
            return Err(ProbeError::Undecodable(format!(
                "SVG larger than {} bytes",
                limits.max_svg_bytes
            )));
        }
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| ProbeError::Undecodable("SVG is not UTF-8".into()))?;
        let (w, h) = svg::svg_size(text)
            .ok_or_else(|| ProbeError::Undecodable("SVG has no usable size".into()))?;
        probe.width = Some(w.round().max(1.0) as u32);
        probe.height = Some(h.round().max(1.0) as u32);
    }
    Ok(probe)
}

fn raster_format(t: MediaType) -> Option<ImageFormat> {
    Some(match t {
        MediaType::Jpeg => ImageFormat::Jpeg,
        MediaType::Png => ImageFormat::Png,
        MediaType::Webp => ImageFormat::WebP,
        MediaType::Tiff => ImageFormat::Tiff,
        MediaType::Gif => ImageFormat::Gif,
        _ => return None,
    })
}

fn probe_raster<R: BufRead + Seek>(
    reader: &mut R,
    format: ImageFormat,
    limits: &ProbeLimits,
    probe: &mut Probe,
) -> Result<(), ProbeError> {
    if format == ImageFormat::Tiff {
        // A TIFF is its own EXIF container and the reader would take the whole file into
        // memory: it gets the metadata budget's worth (IFDs come first in practice).
        let head = read_prefix(reader, limits.max_metadata_bytes)?;
        read_exif(&mut std::io::Cursor::new(head), probe)?;
    } else {
        read_exif(reader, probe)?;
    }
    if format == ImageFormat::Jpeg {
        let (w, h) = decodes_jpeg(reader, limits)?;
        set_displayed_size(probe, w, h);
        return Ok(());
    }
    if format == ImageFormat::Png {
        let largest = super::png_scan::largest_metadata(reader, limits.max_metadata_bytes)?;
        reader.seek(SeekFrom::Start(0))?;
        if let Some((chunk, bytes)) = largest.filter(|(_, n)| *n > limits.max_metadata_bytes) {
            return Err(ProbeError::OverBudget {
                what: if chunk == "iCCP" {
                    "ICC profile"
                } else {
                    "text chunk"
                },
                needed: bytes,
                limit: limits.max_metadata_bytes,
            });
        }
    }
    // The header pass may decompress metadata (a PNG's ICC profile and text chunks): bounded
    // by the metadata budget, so a 1 MB file cannot inflate a 1 GiB profile.
    let mut header = image::ImageReader::with_format(&mut *reader, format);
    header.limits(budget(limits.max_metadata_bytes));
    let (w, h) = header
        .into_dimensions()
        .map_err(|e| image_error(e, "metadata", limits.max_metadata_bytes))?;
    check_pixels(w, h, limits)?;
    set_displayed_size(probe, w, h);
    reader.seek(SeekFrom::Start(0))?;
    decodes(reader, format, limits)
}

/// Limits for the image crate: no size caps of its own (ours come first, with their own
/// code), an allocation budget.
fn budget(bytes: u64) -> image::Limits {
    let mut limits = image::Limits::no_limits();
    limits.max_alloc = Some(bytes);
    limits
}

/// The image crate's errors: a limit reached is our `too-large`, the rest by their message.
fn image_error(e: image::ImageError, what: &'static str, limit: u64) -> ProbeError {
    match e {
        image::ImageError::Limits(_) => ProbeError::OverBudget {
            what,
            needed: limit.saturating_add(1),
            limit,
        },
        other => classify(other.to_string()),
    }
}

/// The bytes a full decode allocates: the buffer at the file's own depth, plus the 8-bit copy
/// renditions are made from when the file is deeper or has another layout.
pub(super) fn decode_cost(w: u32, h: u32, colour: image::ColorType) -> u64 {
    let pixels = u64::from(w) * u64::from(h);
    let native = pixels * u64::from(colour.bytes_per_pixel());
    let eight_bit = if matches!(colour, image::ColorType::Rgb8 | image::ColorType::Rgba8) {
        0
    } else {
        pixels * if colour.has_alpha() { 4 } else { 3 }
    };
    native + eight_bit
}

/// Decodes the whole image once, so that truncated and corrupt files are refused at the door
/// rather than discovered when a press officer asks for a rendition; the decode's memory is
/// checked against the budget first.
fn decodes<R: BufRead + Seek>(
    reader: &mut R,
    format: ImageFormat,
    limits: &ProbeLimits,
) -> Result<(), ProbeError> {
    use image::ImageDecoder;
    let mut image_reader = image::ImageReader::with_format(reader, format);
    image_reader.limits(budget(limits.max_decode_bytes));
    let decoder = image_reader
        .into_decoder()
        .map_err(|e| image_error(e, "metadata", limits.max_decode_bytes))?;
    let (w, h) = decoder.dimensions();
    let needed = decode_cost(w, h, decoder.color_type());
    if needed > limits.max_decode_bytes {
        return Err(ProbeError::OverBudget {
            what: "pixels",
            needed,
            limit: limits.max_decode_bytes,
        });
    }
    image::DynamicImage::from_decoder(decoder)
        .map(drop)
        .map_err(|e| image_error(e, "pixels", limits.max_decode_bytes))
}

/// JPEGs: the decode's memory is checked against the budget from the frame header, then the
/// file is decoded at 1/8 scale: every entropy-coded bit is still read (so truncation and
/// corruption are found) but the inverse DCT and colour conversion mostly are not. The bytes
/// stream through a `jpeg_scan::Counting` reader, which refuses a frame its data cannot
/// cover as soon as the file ends. Returns the stored size.
fn decodes_jpeg<R: BufRead + Seek>(
    reader: &mut R,
    limits: &ProbeLimits,
) -> Result<(u32, u32), ProbeError> {
    let layout = super::jpeg_scan::frame(reader)?
        .ok_or_else(|| ProbeError::Undecodable("no JPEG frame header".into()))?;
    reader.seek(SeekFrom::Start(0))?;
    check_pixels(layout.width, layout.height, limits)?;
    let needed = layout.decode_bytes(8);
    if needed > limits.max_decode_bytes {
        return Err(ProbeError::OverBudget {
            what: "JPEG coefficients",
            needed,
            limit: limits.max_decode_bytes,
        });
    }
    let mut counting = super::jpeg_scan::Counting::new(reader);
    let decoded = {
        // The decoder reads a byte at a time: the scanner sees large chunks through a buffer.
        let mut decoder =
            jpeg_decoder::Decoder::new(std::io::BufReader::with_capacity(64 << 10, &mut counting));
        decoder
            .read_info()
            .and_then(|()| decoder.scale(1, 1).map(drop))
            .and_then(|()| decoder.decode().map(drop))
    };
    // The decoder may stop at the end-of-image marker before the scanner has seen it.
    let rest = decoded.as_ref().ok().map(|()| counting.finish());
    let short = counting.is_short() || counting.scanner.layout().is_some_and(|l| l.too_short());
    if short {
        return Err(ProbeError::Truncated(format!(
            "the header says {}×{} but the file holds too little image data for that",
            layout.width, layout.height
        )));
    }
    decoded.map_err(|e| classify(e.to_string()))?;
    if let Some(Err(e)) = rest {
        return Err(ProbeError::Io(e));
    }
    Ok((layout.width, layout.height))
}

/// A HEIF file decoded whole, as a JPEG is at ingest (a truncated one is refused here, not at
/// its first rendition); its size is the displayed one (libheif applies `irot`), and XMP
/// stored as a metadata item is read.
fn probe_heif<R: BufRead + Seek>(
    reader: &mut R,
    limits: &ProbeLimits,
    probe: &mut Probe,
) -> Result<(), ProbeError> {
    let bytes = read_prefix(reader, limits.max_decode_bytes)?;
    let info = super::heif::info(&bytes)?;
    super::heif::decode(&bytes, None, limits)?;
    probe.width = Some(info.width);
    probe.height = Some(info.height);
    if let Some(packet) = info.xmp {
        let mut from_xmp = super::meta::xmp::parse(&packet);
        probe.warnings.append(&mut from_xmp.warnings);
        let embedded = probe.described.take().unwrap_or_default();
        probe.described = Some(from_xmp.or(embedded)).filter(|d| !d.is_empty());
    }
    Ok(())
}

/// Decoders say "unexpected end of file" in several ways; those are truncations.
pub(super) fn classify(message: String) -> ProbeError {
    let lower = message.to_ascii_lowercase();
    if lower.contains("eof")
        || lower.contains("end of file")
        || lower.contains("unexpected end")
        || lower.contains("truncated")
        || lower.contains("no more data")
        || lower.contains("fill whole buffer")
    {
        ProbeError::Truncated(message)
    } else {
        ProbeError::Undecodable(message)
    }
}

pub(super) fn check_pixels(w: u32, h: u32, limits: &ProbeLimits) -> Result<(), ProbeError> {
    let pixels = u64::from(w) * u64::from(h);
    if pixels > limits.max_pixels {
        return Err(ProbeError::TooLarge {
            width: w,
            height: h,
            pixels,
            limit: limits.max_pixels,
        });
    }
    if pixels == 0 {
        return Err(ProbeError::Undecodable(format!("image has size {w}×{h}")));
    }
    Ok(())
}

/// EXIF, then XMP and IPTC: from the container's own places, or (TIFF) from the IFD's tags.
/// XMP's orientation stands in where EXIF has none.
fn read_exif<R: BufRead + Seek>(reader: &mut R, probe: &mut Probe) -> Result<(), ProbeError> {
    use super::meta::{container, iptc, xmp, Described, MAX_BLOCK_BYTES};
    let mut blocks = container::find(reader, probe.media_type, MAX_BLOCK_BYTES);
    if let Some(data) = exif::read(reader) {
        probe.exif = Some(data.exif);
        probe.gps = data.gps;
        probe.warnings.extend(data.warnings);
        blocks.xmp = blocks.xmp.or(data.xmp);
        blocks.iptc = blocks.iptc.or(data.iptc);
    }
    let from_xmp = blocks.xmp.as_deref().map(xmp::parse).unwrap_or_default();
    let from_iptc = blocks.iptc.as_deref().map(iptc::parse).unwrap_or_default();
    let mut described: Described = from_xmp.or(from_iptc);
    probe.warnings.append(&mut described.warnings);
    if let Some(o) = described.orientation {
        let exif = probe.exif.get_or_insert_with(Default::default);
        exif.orientation.get_or_insert(o);
    }
    probe.described = Some(described).filter(|d| !d.is_empty());
    reader.seek(SeekFrom::Start(0))?;
    Ok(())
}

fn set_displayed_size(probe: &mut Probe, w: u32, h: u32) {
    let rotated = probe
        .exif
        .as_ref()
        .and_then(|e| e.orientation)
        .is_some_and(|o| o >= 5);
    let (w, h) = if rotated { (h, w) } else { (w, h) };
    probe.width = Some(w);
    probe.height = Some(h);
}

fn read_prefix<R: Read + Seek>(reader: &mut R, max: u64) -> Result<Vec<u8>, ProbeError> {
    reader.seek(SeekFrom::Start(0))?;
    let mut buf = Vec::new();
    reader.by_ref().take(max).read_to_end(&mut buf)?;
    reader.seek(SeekFrom::Start(0))?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn noisy_jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            let v = (x * 7 + y * 13 + (x * y) % 17) as u8;
            image::Rgb([v, v.wrapping_mul(3), 255 - v])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .unwrap();
        out
    }

    #[test]
    fn truncated_and_garbled_jpegs_are_refused() {
        let jpeg = noisy_jpeg(320, 240);
        let ok = probe(&mut Cursor::new(&jpeg), &ProbeLimits::default()).unwrap();
        assert_eq!((ok.width, ok.height), (Some(320), Some(240)));
        for cut in [jpeg.len() / 2, jpeg.len() - 3] {
            let err = probe(&mut Cursor::new(&jpeg[..cut]), &ProbeLimits::default()).unwrap_err();
            assert_eq!(err.code(), "truncated-image", "cut at {cut}: {err}");
        }
        let empty = probe(&mut Cursor::new(b""), &ProbeLimits::default()).unwrap_err();
        assert_eq!(empty.code(), "empty-file");
    }
}
