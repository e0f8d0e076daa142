//! Encoding renditions: JPEG with jpeg-encoder (4:2:0 below q90), lossy WebP with libwebp, PNG
//! with image.

use image::{DynamicImage, ImageEncoder};

use crate::model::Format;

#[derive(Debug, thiserror::Error)]
#[error("cannot encode {format:?}: {message}")]
pub struct EncodeError {
    pub format: Format,
    pub message: String,
}

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
        Format::Mp4 => Err(err("a still image cannot be encoded as a video".into())),
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
