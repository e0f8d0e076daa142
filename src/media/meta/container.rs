//! Where metadata blocks sit in each container, read without loading the file (segments and
//! chunks are skipped by seeking) and replaced in a copy: JPEG APP1/APP13 segments, PNG
//! `eXIf`/`iTXt` chunks, WebP `EXIF`/`XMP ` chunks. Pixels, colour profiles and everything
//! else stay byte-exact.

use std::io::{Read, Seek, SeekFrom};

use crate::model::MediaType;

const XMP_JPEG: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const EXIF_JPEG: &[u8] = b"Exif\0\0";
const XMP_PNG: &[u8] = b"XML:com.adobe.xmp";
/// Most segments or chunks looked at before giving up on a file's metadata.
const MAX_PARTS: usize = 4096;

/// The raw metadata blocks found in a file.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Found {
    pub xmp: Option<Vec<u8>>,
    /// An IIM record (from the Photoshop resources of APP13).
    pub iptc: Option<Vec<u8>>,
}

/// The XMP and IPTC blocks of a JPEG, PNG or WebP (other types: none). Blocks larger than
/// `max` are skipped; an unreadable structure ends the search with what was found.
pub fn find<R: Read + Seek>(reader: &mut R, media: MediaType, max: usize) -> Found {
    let mut found = Found::default();
    reader.seek(SeekFrom::Start(0)).ok();
    let _ = match media {
        MediaType::Jpeg => find_jpeg(reader, max, &mut found),
        MediaType::Png => find_png(reader, max, &mut found),
        MediaType::Webp => find_webp(reader, max, &mut found),
        _ => Ok(()),
    };
    reader.seek(SeekFrom::Start(0)).ok();
    found
}

fn read_exact_vec<R: Read>(reader: &mut R, len: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    reader.take(len as u64).read_to_end(&mut buf)?;
    if buf.len() != len {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(buf)
}

fn find_jpeg<R: Read + Seek>(r: &mut R, max: usize, found: &mut Found) -> std::io::Result<()> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b[..2])?;
    for _ in 0..MAX_PARTS {
        r.read_exact(&mut b)?;
        if b[0] != 0xFF {
            return Ok(());
        }
        let marker = b[1];
        // Start of scan or end of image: no metadata segment follows.
        if marker == 0xDA || marker == 0xD9 {
            return Ok(());
        }
        let len = usize::from(u16::from_be_bytes([b[2], b[3]])).saturating_sub(2);
        let wanted = match marker {
            0xE1 if found.xmp.is_none() => true,
            0xED if found.iptc.is_none() => true,
            _ => false,
        };
        if !wanted {
            r.seek(SeekFrom::Current(len as i64))?;
            continue;
        }
        let data = read_exact_vec(r, len)?;
        if let Some(packet) = data.strip_prefix(XMP_JPEG) {
            found.xmp = Some(packet.to_vec());
        } else if marker == 0xED {
            found.iptc = super::iptc::from_resources(&data)
                .filter(|iim| iim.len() <= max)
                .map(<[u8]>::to_vec);
        }
    }
    Ok(())
}

fn find_png<R: Read + Seek>(r: &mut R, max: usize, found: &mut Found) -> std::io::Result<()> {
    r.seek(SeekFrom::Start(8))?;
    let mut head = [0u8; 8];
    for _ in 0..MAX_PARTS {
        r.read_exact(&mut head)?;
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = &head[4..8];
        if kind == b"IEND" {
            return Ok(());
        }
        if kind != b"iTXt" || len > max + 64 || found.xmp.is_some() {
            r.seek(SeekFrom::Current(len as i64 + 4))?;
            continue;
        }
        let data = read_exact_vec(r, len)?;
        r.seek(SeekFrom::Current(4))?;
        found.xmp = png_itxt_xmp(&data, max);
    }
    Ok(())
}

/// The text of an `iTXt` chunk whose keyword is XMP's, inflated if compressed.
fn png_itxt_xmp(data: &[u8], max: usize) -> Option<Vec<u8>> {
    let rest = data.strip_prefix(XMP_PNG)?.strip_prefix(b"\0")?;
    let (&compressed, rest) = rest.split_first()?;
    let rest = rest.get(1..)?; // compression method
    let lang_end = rest.iter().position(|&b| b == 0)?;
    let rest = &rest[lang_end + 1..];
    let key_end = rest.iter().position(|&b| b == 0)?;
    let text = &rest[key_end + 1..];
    if compressed == 0 {
        return Some(text.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(text)
        .take(max as u64 + 1)
        .read_to_end(&mut out)
        .ok()?;
    (out.len() <= max).then_some(out)
}

fn find_webp<R: Read + Seek>(r: &mut R, max: usize, found: &mut Found) -> std::io::Result<()> {
    r.seek(SeekFrom::Start(12))?;
    let mut head = [0u8; 8];
    for _ in 0..MAX_PARTS {
        r.read_exact(&mut head)?;
        let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let padded = len + len % 2;
        if &head[..4] == b"XMP " && len <= max {
            found.xmp = Some(read_exact_vec(r, len)?);
            return Ok(());
        }
        r.seek(SeekFrom::Current(padded as i64))?;
    }
    Ok(())
}

/// What to write into a copy. `exif` is a TIFF-structured block (no `Exif\0\0` header);
/// `iptc` an IIM record, written into JPEG only.
#[derive(Debug, Default, Clone, Copy)]
pub struct Blocks<'a> {
    pub exif: Option<&'a [u8]>,
    pub xmp: Option<&'a [u8]>,
    pub iptc: Option<&'a [u8]>,
}

/// A copy of `bytes` whose EXIF, XMP, IPTC and comments are replaced by `blocks` (what the
/// original said about the camera, its serial number or its position is gone). `None` for
/// types other than JPEG, PNG and WebP, a damaged structure, or a block too big for its place.
pub fn replace(bytes: &[u8], media: MediaType, blocks: &Blocks<'_>) -> Option<Vec<u8>> {
    match media {
        MediaType::Jpeg => replace_jpeg(bytes, blocks),
        MediaType::Png => replace_png(bytes, blocks),
        MediaType::Webp => replace_webp(bytes, blocks),
        _ => None,
    }
}

fn replace_jpeg(bytes: &[u8], blocks: &Blocks<'_>) -> Option<Vec<u8>> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut pos = 2;
    let mut app0: Vec<&[u8]> = Vec::new();
    let mut kept: Vec<&[u8]> = Vec::new();
    loop {
        let marker = *bytes.get(pos + 1)?;
        if bytes[pos] != 0xFF {
            return None;
        }
        if marker == 0xFF {
            pos += 1; // fill byte
            continue;
        }
        if marker == 0xDA {
            break;
        }
        let len = usize::from(u16::from_be_bytes([
            *bytes.get(pos + 2)?,
            *bytes.get(pos + 3)?,
        ]));
        let segment = bytes.get(pos..pos + 2 + len)?;
        match marker {
            0xE0 => app0.push(segment),
            // What the pixels need: the colour profile (APP2 ICC_PROFILE) and Adobe's colour
            // transform (APP14).
            0xE2 if segment[4..].starts_with(b"ICC_PROFILE\0") => kept.push(segment),
            0xEE if segment[4..].starts_with(b"Adobe") => kept.push(segment),
            // EXIF and XMP (APP1), IPTC (APP13), comments, and every vendor's own APPn
            // (Samsung's APP4/APP5/APP11 with device ids, MPF's pointers to extra pictures).
            0xE1..=0xEF | 0xFE => {}
            _ => kept.push(segment),
        }
        pos += 2 + len;
    }
    let mut out = Vec::with_capacity(bytes.len() + 4096);
    out.extend_from_slice(&[0xFF, 0xD8]);
    for s in app0 {
        out.extend_from_slice(s);
    }
    let mut segment = |marker: u8, header: &[u8], data: &[u8]| -> Option<()> {
        let len = u16::try_from(2 + header.len() + data.len()).ok()?;
        out.extend_from_slice(&[0xFF, marker]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(header);
        out.extend_from_slice(data);
        Some(())
    };
    if let Some(exif) = blocks.exif {
        segment(0xE1, EXIF_JPEG, exif)?;
    }
    if let Some(xmp) = blocks.xmp {
        segment(0xE1, XMP_JPEG, xmp)?;
    }
    if let Some(iim) = blocks.iptc {
        segment(0xED, &[], &super::iptc::resources(iim))?;
    }
    for s in kept {
        out.extend_from_slice(s);
    }
    out.extend_from_slice(&bytes[pos..end_of_image(bytes, pos)]);
    Some(out)
}

/// Where the image whose first scan starts at `pos` ends: just past its EOI marker. What
/// follows (a vendor's trailer such as Samsung's `Image_UTC_Data`, the extra pictures of an
/// MPF set) is not part of the picture. A file cut short ends where it ends.
fn end_of_image(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(at) = bytes
        .get(pos..)
        .and_then(|b| b.iter().position(|&x| x == 0xFF))
    {
        pos += at;
        let Some(&marker) = bytes.get(pos + 1) else {
            break;
        };
        pos += match marker {
            0xD9 => return pos + 2,
            // A fill byte, a stuffed zero in entropy-coded data, a restart marker.
            0xFF => 1,
            0x00 | 0xD0..=0xD7 => 2,
            // A segment with a length (SOS, DHT, DRI between progressive scans).
            _ => match bytes.get(pos + 2..pos + 4) {
                Some(len) => 2 + usize::from(u16::from_be_bytes([len[0], len[1]])),
                None => break,
            },
        };
    }
    bytes.len()
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) -> Option<()> {
    out.extend_from_slice(&u32::try_from(data.len()).ok()?.to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    Some(())
}

fn replace_png(bytes: &[u8], blocks: &Blocks<'_>) -> Option<Vec<u8>> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !bytes.starts_with(SIGNATURE) {
        return None;
    }
    // IHDR comes first in every PNG; the metadata goes right after it.
    if bytes.get(SIGNATURE.len() + 4..SIGNATURE.len() + 8) != Some(b"IHDR") {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() + 4096);
    out.extend_from_slice(SIGNATURE);
    let mut pos = SIGNATURE.len();
    while pos < bytes.len() {
        let len = u32::from_be_bytes(bytes.get(pos..pos + 4)?.try_into().ok()?) as usize;
        let end = pos.checked_add(12)?.checked_add(len)?;
        let chunk = bytes.get(pos..end)?;
        let kind = &chunk[4..8];
        if !matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt") {
            out.extend_from_slice(chunk);
        }
        if kind == b"IHDR" {
            if let Some(exif) = blocks.exif {
                png_chunk(&mut out, b"eXIf", exif)?;
            }
            if let Some(xmp) = blocks.xmp {
                // Keyword, uncompressed, no language, no translated keyword, then the text.
                let mut data = Vec::with_capacity(xmp.len() + 24);
                data.extend_from_slice(XMP_PNG);
                data.extend_from_slice(&[0, 0, 0, 0, 0]);
                data.extend_from_slice(xmp);
                png_chunk(&mut out, b"iTXt", &data)?;
            }
        }
        pos = end;
    }
    Some(out)
}

fn replace_webp(bytes: &[u8], blocks: &Blocks<'_>) -> Option<Vec<u8>> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WEBP" {
        return None;
    }
    let mut chunks: Vec<(&[u8], &[u8])> = Vec::new();
    let mut pos = 12;
    while pos + 8 <= bytes.len() {
        let kind = &bytes[pos..pos + 4];
        let len = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().ok()?) as usize;
        let data = bytes.get(pos + 8..pos + 8 + len)?;
        chunks.push((kind, data));
        pos += 8 + len + len % 2;
    }
    let (mut flags, width, height) = canvas(&chunks)?;
    flags &= !0x0C; // EXIF and XMP: set again below for what is written
    let has = |k: &[u8]| chunks.iter().any(|(kind, _)| *kind == k);
    if has(b"ALPH") {
        flags |= 0x10;
    }
    if has(b"ICCP") {
        flags |= 0x20;
    }
    if blocks.exif.is_some() {
        flags |= 0x08;
    }
    if blocks.xmp.is_some() {
        flags |= 0x04;
    }
    let mut vp8x = vec![flags, 0, 0, 0];
    vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut body = Vec::with_capacity(bytes.len() + 4096);
    body.extend_from_slice(b"WEBP");
    let mut chunk = |kind: &[u8], data: &[u8]| -> Option<()> {
        body.extend_from_slice(kind);
        body.extend_from_slice(&u32::try_from(data.len()).ok()?.to_le_bytes());
        body.extend_from_slice(data);
        if data.len() % 2 == 1 {
            body.push(0);
        }
        Some(())
    };
    chunk(b"VP8X", &vp8x)?;
    for (kind, data) in &chunks {
        if !matches!(*kind, b"VP8X" | b"EXIF" | b"XMP ") {
            chunk(kind, data)?;
        }
    }
    if let Some(exif) = blocks.exif {
        chunk(b"EXIF", exif)?;
    }
    if let Some(xmp) = blocks.xmp {
        chunk(b"XMP ", xmp)?;
    }
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&u32::try_from(body.len()).ok()?.to_le_bytes());
    out.extend_from_slice(&body);
    Some(out)
}

/// The extended header's flags and the canvas size: from `VP8X` when present, else from
/// the `VP8 ` or `VP8L` bitstream header.
fn canvas(chunks: &[(&[u8], &[u8])]) -> Option<(u8, u32, u32)> {
    let u24 = |b: &[u8]| u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16;
    for (kind, data) in chunks {
        match *kind {
            b"VP8X" if data.len() >= 10 => {
                return Some((data[0], u24(&data[4..7]) + 1, u24(&data[7..10]) + 1))
            }
            b"VP8 " if data.len() >= 10 && data[3..6] == [0x9D, 0x01, 0x2A] => {
                let w = u32::from(u16::from_le_bytes([data[6], data[7]]) & 0x3FFF);
                let h = u32::from(u16::from_le_bytes([data[8], data[9]]) & 0x3FFF);
                return (w > 0 && h > 0).then_some((0, w, h));
            }
            b"VP8L" if data.len() >= 5 && data[0] == 0x2F => {
                let bits = u32::from_le_bytes([data[1], data[2], data[3], data[4]]);
                let alpha = if bits >> 28 & 1 == 1 { 0x10 } else { 0 };
                return Some((alpha, (bits & 0x3FFF) + 1, (bits >> 14 & 0x3FFF) + 1));
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn image() -> image::RgbaImage {
        image::RgbaImage::from_fn(40, 30, |x, y| {
            image::Rgba([x as u8 * 6, y as u8 * 8, 90, 200])
        })
    }

    fn encoded(format: image::ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let img = image::DynamicImage::ImageRgba8(image());
        let img = if format == image::ImageFormat::Jpeg {
            image::DynamicImage::ImageRgb8(img.to_rgb8())
        } else {
            img
        };
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn xmp_and_iptc_go_in_and_come_out_and_pixels_stay() {
        let xmp = b"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>";
        let iim = b"\x1c\x02\x78\x00\x03abc";
        for (format, media) in [
            (image::ImageFormat::Jpeg, MediaType::Jpeg),
            (image::ImageFormat::Png, MediaType::Png),
            (image::ImageFormat::WebP, MediaType::Webp),
        ] {
            let original = encoded(format);
            let blocks = Blocks {
                exif: None,
                xmp: Some(xmp),
                iptc: Some(iim),
            };
            let with = replace(&original, media, &blocks).unwrap();
            let found = find(&mut Cursor::new(&with), media, 1 << 20);
            assert_eq!(found.xmp.as_deref(), Some(&xmp[..]), "{media:?}");
            if media == MediaType::Jpeg {
                assert_eq!(found.iptc.as_deref(), Some(&iim[..]));
            }
            let before = image::load_from_memory(&original).unwrap();
            let after = image::load_from_memory(&with).unwrap();
            assert_eq!(before.to_rgba8(), after.to_rgba8(), "{media:?}");
            // Replacing again leaves one block, not two.
            let twice = replace(&with, media, &blocks).unwrap();
            assert_eq!(twice.len(), with.len(), "{media:?}");
        }
    }

    #[test]
    fn vendor_segments_and_trailers_are_dropped_and_the_colour_profile_kept() {
        let jpeg = encoded(image::ImageFormat::Jpeg);
        let segment = |marker: u8, payload: &[u8]| {
            let mut s = vec![0xFF, marker];
            s.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
            s.extend_from_slice(payload);
            s
        };
        let mut camera = jpeg[..2].to_vec();
        camera.extend(segment(0xE2, b"ICC_PROFILE\0\x01\x01profile"));
        camera.extend(segment(0xE4, b"ssuniqueid 1234"));
        camera.extend(segment(0xE5, b"vendor"));
        camera.extend(segment(0xEB, b"JP\0\0jumbf"));
        camera.extend(segment(0xE2, b"MPF\0pointers"));
        camera.extend_from_slice(&jpeg[2..]);
        camera.extend_from_slice(b"\0\0Image_UTC_Data1700000000000");
        let out = replace(&camera, MediaType::Jpeg, &Blocks::default()).unwrap();
        let has = |needle: &[u8]| out.windows(needle.len()).any(|w| w == needle);
        assert!(has(b"ICC_PROFILE"));
        for gone in [
            &b"ssuniqueid"[..],
            b"vendor",
            b"jumbf",
            b"MPF",
            b"Image_UTC_Data",
        ] {
            assert!(!has(gone), "{}", String::from_utf8_lossy(gone));
        }
        assert!(out.ends_with(&[0xFF, 0xD9]));
        let before = image::load_from_memory(&jpeg).unwrap();
        assert_eq!(
            before.to_rgb8(),
            image::load_from_memory(&out).unwrap().to_rgb8()
        );
    }

    #[test]
    fn damaged_files_are_refused_or_searched_without_panic() {
        let blocks = Blocks {
            exif: Some(b"MM\0*\0\0\0\x08\0\0"),
            xmp: Some(b"<x/>"),
            iptc: None,
        };
        for (format, media) in [
            (image::ImageFormat::Jpeg, MediaType::Jpeg),
            (image::ImageFormat::Png, MediaType::Png),
            (image::ImageFormat::WebP, MediaType::Webp),
        ] {
            let with = replace(&encoded(format), media, &blocks).unwrap();
            for cut in (0..with.len()).step_by(7) {
                let _ = replace(&with[..cut], media, &blocks);
                let _ = find(&mut Cursor::new(&with[..cut]), media, 1 << 20);
            }
        }
    }
}
