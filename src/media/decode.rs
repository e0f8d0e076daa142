//! Decoding for renditions: JPEGs at reduced scale (DCT scaling by 1/2, 1/4, 1/8) when the largest output needs no more, every format to 8-bit RGB or
//! RGBA, EXIF orientation applied. JPEGs go to libjpeg-turbo when the build has it (`turbo`),
//! else, and for CMYK or damaged files, to jpeg-decoder.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, RgbImage};

use super::probe::{classify, ProbeError};
use crate::model::MediaType;

/// A decoded, upright image and the colour profile it came with.
pub struct Decoded {
    pub image: DynamicImage,
    pub icc: Option<Vec<u8>>,
}

/// Decodes `bytes` so that the displayed result is at least `need` (w, h) wherever the source
/// allows (`None`: full size), refusing images over the pixel limit or the memory budget of
/// `limits` before allocating them.
pub fn decode(
    bytes: &[u8],
    media_type: MediaType,
    orientation: Option<u16>,
    need: Option<(u32, u32)>,
    limits: &super::ProbeLimits,
) -> Result<Decoded, ProbeError> {
    if media_type == MediaType::Heif {
        // libheif applies the file's own transformations (irot, imir); the EXIF orientation
        // of a HEIF file only repeats them and must not be applied a second time.
        let d = super::heif::decode(bytes, need, limits)?;
        return Ok(Decoded {
            image: d.image,
            icc: d.icc,
        });
    }
    let orientation = orientation.and_then(|o| Orientation::from_exif(o as u8));
    let swaps = matches!(
        orientation,
        Some(
            Orientation::Rotate90
                | Orientation::Rotate270
                | Orientation::Rotate90FlipH
                | Orientation::Rotate270FlipH
        )
    );
    // What is needed in stored (unrotated) pixels.
    let need = need.map(|(w, h)| if swaps { (h, w) } else { (w, h) });
    let mut decoded = match media_type {
        MediaType::Jpeg => decode_jpeg(bytes, need, limits)?,
        other => decode_other(bytes, other, limits)?,
    };
    if let Some(o) = orientation {
        decoded.image.apply_orientation(o);
    }
    Ok(decoded)
}

fn check(w: u32, h: u32, max_pixels: u64) -> Result<(), ProbeError> {
    let pixels = u64::from(w) * u64::from(h);
    if pixels > max_pixels {
        return Err(ProbeError::TooLarge {
            width: w,
            height: h,
            pixels,
            limit: max_pixels,
        });
    }
    Ok(())
}

fn decode_jpeg(
    bytes: &[u8],
    need: Option<(u32, u32)>,
    limits: &super::ProbeLimits,
) -> Result<Decoded, ProbeError> {
    let fail = |e: jpeg_decoder::Error| classify(e.to_string());
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(fail)?;
    let info = decoder
        .info()
        .ok_or_else(|| ProbeError::Undecodable("no frame header".into()))?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    check(w, h, limits.max_pixels)?;
    // The scale actually used is at most 1/8 per axis smaller than `need`'s; budget for the
    // worst of the decoders (a progressive file's coefficients, the output buffer).
    let scale = need.map_or(1, |(nw, nh)| {
        let s = (w / nw.max(1)).min(h / nh.max(1));
        [8, 4, 2, 1].into_iter().find(|f| *f <= s).unwrap_or(1)
    });
    if let Some(layout) = super::jpeg_scan::frame(&mut Cursor::new(bytes))
        .ok()
        .flatten()
    {
        let needed = layout.decode_bytes(scale);
        if needed > limits.max_decode_bytes {
            return Err(ProbeError::OverBudget {
                what: "JPEG decode",
                needed,
                limit: limits.max_decode_bytes,
            });
        }
    }
    #[cfg(turbojpeg)]
    if let Some(image) = super::turbo::decode(bytes, need) {
        return Ok(Decoded {
            image: DynamicImage::ImageRgb8(image),
            icc: decoder.icc_profile(),
        });
    }
    if let Some((nw, nh)) = need {
        // Request the source's aspect ratio at the scale that covers both axes of `need`.
        let s = (f64::from(nw) / f64::from(w))
            .max(f64::from(nh) / f64::from(h))
            .min(1.0);
        let rw = (f64::from(w) * s).ceil().clamp(1.0, 65535.0) as u16;
        let rh = (f64::from(h) * s).ceil().clamp(1.0, 65535.0) as u16;
        decoder.scale(rw, rh).map_err(fail)?;
    }
    let pixels = decoder.decode().map_err(fail)?;
    let icc = decoder.icc_profile();
    let info = decoder
        .info()
        .ok_or_else(|| ProbeError::Undecodable("no frame header".into()))?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let rgb: Vec<u8> = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
        jpeg_decoder::PixelFormat::L16 => pixels
            .chunks_exact(2)
            .flat_map(|c| {
                let l = c[0]; // big-endian: the high byte
                [l, l, l]
            })
            .collect(),
        jpeg_decoder::PixelFormat::CMYK32 => pixels
            .chunks_exact(4)
            .flat_map(|c| {
                // jpeg-decoder yields plain CMYK (Adobe's inversion already undone).
                let k = 255 - u32::from(c[3]);
                let ch = |v: u8| ((255 - u32::from(v)) * k / 255) as u8;
                [ch(c[0]), ch(c[1]), ch(c[2])]
            })
            .collect(),
    };
    let image = RgbImage::from_raw(w, h, rgb)
        .map(DynamicImage::ImageRgb8)
        .ok_or_else(|| ProbeError::Undecodable("decoded buffer has the wrong size".into()))?;
    Ok(Decoded { image, icc })
}

fn decode_other(
    bytes: &[u8],
    media_type: MediaType,
    limits: &super::ProbeLimits,
) -> Result<Decoded, ProbeError> {
    let format = match media_type {
        MediaType::Png => ImageFormat::Png,
        MediaType::Webp => ImageFormat::WebP,
        MediaType::Tiff => ImageFormat::Tiff,
        MediaType::Gif => ImageFormat::Gif,
        _ => return Err(ProbeError::Unsupported),
    };
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut budget = image::Limits::no_limits();
    budget.max_alloc = Some(limits.max_decode_bytes);
    reader.limits(budget);
    let undecodable = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => ProbeError::OverBudget {
            what: "pixels",
            needed: limits.max_decode_bytes.saturating_add(1),
            limit: limits.max_decode_bytes,
        },
        other => classify(other.to_string()),
    };
    let mut decoder = reader.into_decoder().map_err(undecodable)?;
    let (w, h) = decoder.dimensions();
    check(w, h, limits.max_pixels)?;
    let needed = super::probe::decode_cost(w, h, decoder.color_type());
    if needed > limits.max_decode_bytes {
        return Err(ProbeError::OverBudget {
            what: "pixels",
            needed,
            limit: limits.max_decode_bytes,
        });
    }
    let icc = decoder.icc_profile().ok().flatten();
    let image = DynamicImage::from_decoder(decoder).map_err(undecodable)?;
    // 16-bit and float images are reduced to 8 bits per channel (rounded, not truncated).
    let image = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.to_rgb8())
    };
    Ok(Decoded { image, icc })
}
