//! Encoding renditions: JPEG with libjpeg-turbo when the build has it, else jpeg-encoder (both
//! baseline, 4:2:0 below q90), lossy WebP with libwebp, PNG with image.

use image::{DynamicImage, ImageEncoder};

use crate::model::Format;

#[derive(Debug, thiserror::Error)]
#[error("cannot encode {format:?}: {message}")]
pub struct EncodeError {
    pub format: Format,
    pub message: String,
}

/// From this quality on, JPEG chroma is kept at full resolution (jpeg-encoder's own rule).
#[cfg(turbojpeg)]
const FULL_CHROMA_FROM: u8 = 90;

/// Encodes an image; `exif` (a TIFF-structured block) is embedded in JPEGs, `icc` keeps the
/// source's colour profile so colour-managed viewers show the same colours.
pub fn encode(
    image: &DynamicImage,
    format: Format,
    quality: u8,
    exif: Option<&[u8]>,
    icc: Option<&[u8]>,
) -> Result<Vec<u8>, EncodeError> {
    let err = |message: String| EncodeError { format, message };
    let (w, h) = (image.width(), image.height());
    match format {
        Format::Jpeg => {
            let rgb = match image {
                DynamicImage::ImageRgb8(i) => std::borrow::Cow::Borrowed(i),
                other => std::borrow::Cow::Owned(other.to_rgb8()),
            };
            let (w16, h16) = match (u16::try_from(w), u16::try_from(h)) {
                (Ok(a), Ok(b)) => (a, b),
                _ => return Err(err(format!("{w}×{h} is too large for JPEG"))),
            };
            #[cfg(turbojpeg)]
            if let Some(jpeg) = super::turbo::encode(&rgb, quality, quality >= FULL_CHROMA_FROM) {
                return Ok(with_metadata(&jpeg, exif, icc));
            }
            let mut out = Vec::new();
            // Standard Huffman tables: jpeg-encoder 0.7's optimised tables with 4:2:0 are
            // misdecoded by zune-jpeg (image's decoder), though libjpeg reads them.
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
            // Box-averaged chroma, as libjpeg does: about 0.2 dB PSNR for nothing measurable.
            encoder.set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Average);
            if let Some(exif) = exif {
                encoder
                    .add_exif_metadata(exif)
                    .map_err(|e| err(e.to_string()))?;
            }
            if let Some(icc) = icc {
                encoder
                    .add_icc_profile(icc)
                    .map_err(|e| err(e.to_string()))?;
            }
            encoder
                .encode(rgb.as_raw(), w16, h16, jpeg_encoder::ColorType::Rgb)
                .map_err(|e| err(e.to_string()))?;
            Ok(out)
        }
        Format::Webp => {
            let memory = match image {
                DynamicImage::ImageRgba8(i) => {
                    webp::Encoder::from_rgba(i.as_raw(), w, h).encode(f32::from(quality))
                }
                other => {
                    let rgb = other.to_rgb8();
                    webp::Encoder::from_rgb(rgb.as_raw(), w, h).encode(f32::from(quality))
                }
            };
            Ok(memory.to_vec())
        }
        Format::Mp4 | Format::Hls | Format::Strip => {
            Err(err("a still image cannot be encoded as a video".into()))
        }
        Format::Png => {
            let mut out = Vec::new();
            let encoder = image::codecs::png::PngEncoder::new(&mut out);
            let written = match image {
                DynamicImage::ImageRgba8(i) => {
                    encoder.write_image(i.as_raw(), w, h, image::ExtendedColorType::Rgba8)
                }
                DynamicImage::ImageRgb8(i) => {
                    encoder.write_image(i.as_raw(), w, h, image::ExtendedColorType::Rgb8)
                }
                other => encoder.write_image(
                    other.to_rgba8().as_raw(),
                    w,
                    h,
                    image::ExtendedColorType::Rgba8,
                ),
            };
            written.map_err(|e| err(e.to_string()))?;
            Ok(out)
        }
    }
}

/// A JPEG with an EXIF block (APP1) and an ICC profile (APP2 chunks, as ICC.1 Annex B says)
/// inserted after its JFIF header.
#[cfg(turbojpeg)]
fn with_metadata(jpeg: &[u8], exif: Option<&[u8]>, icc: Option<&[u8]>) -> Vec<u8> {
    const ICC_CHUNK: usize = 65_519; // 65535 - 2 (length) - 12 (signature) - 2 (numbering)
    let jpeg = match exif.and_then(|block| super::exif::insert_into_jpeg(jpeg, block)) {
        Some(with_exif) => std::borrow::Cow::Owned(with_exif),
        None => std::borrow::Cow::Borrowed(jpeg),
    };
    let Some(icc) = icc.filter(|p| !p.is_empty() && p.len() <= ICC_CHUNK * 255) else {
        return jpeg.into_owned();
    };
    // After SOI, APP0 (JFIF) and APP1 (EXIF), where readers look for the profile.
    let mut pos = 2;
    while jpeg.get(pos) == Some(&0xFF) && matches!(jpeg.get(pos + 1), Some(0xE0 | 0xE1)) {
        let len = u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]) as usize;
        pos = (pos + 2 + len).min(jpeg.len());
    }
    let chunks: Vec<&[u8]> = icc.chunks(ICC_CHUNK).collect();
    let mut out = Vec::with_capacity(jpeg.len() + icc.len() + chunks.len() * 18);
    out.extend_from_slice(&jpeg[..pos]);
    for (i, chunk) in chunks.iter().enumerate() {
        out.extend_from_slice(&[0xFF, 0xE2]);
        out.extend_from_slice(&((chunk.len() + 16) as u16).to_be_bytes());
        out.extend_from_slice(b"ICC_PROFILE\0");
        out.extend_from_slice(&[(i + 1) as u8, chunks.len() as u8]);
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&jpeg[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::exif::{read, write_block, ExifFields};
    use crate::media::synth::landscape;

    #[test]
    fn jpeg_renditions_carry_credit_and_the_colour_profile() {
        let image = DynamicImage::ImageRgb8(landscape(320, 240, 4));
        let credit = ExifFields {
            artist: Some("Phạm Thu".into()),
            copyright: Some("CC BY 4.0".into()),
            ..Default::default()
        };
        let block = write_block(&credit).unwrap();
        // A profile larger than one APP2 segment, so it is split into chunks.
        let icc: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
        for quality in [82, 92] {
            let jpeg = encode(&image, Format::Jpeg, quality, Some(&block), Some(&icc)).unwrap();
            let mut decoder = jpeg_decoder::Decoder::new(std::io::Cursor::new(&jpeg));
            decoder.decode().unwrap();
            assert_eq!(
                decoder.icc_profile().as_deref(),
                Some(&icc[..]),
                "q{quality}"
            );
            let exif = read(&mut std::io::Cursor::new(&jpeg)).unwrap().exif;
            assert_eq!(exif.artist.as_deref(), Some("Phạm Thu"));
            assert_eq!(exif.copyright.as_deref(), Some("CC BY 4.0"));
        }
    }
}
