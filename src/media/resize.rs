//! Resizing with fast_image_resize (SIMD convolution, Lanczos3): contain, cover around a
//! focal point, exact width. Alpha is premultiplied during the resize so edges do not darken.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, RgbImage, RgbaImage};

use crate::model::{Fit, Preset};

/// Resizes `src` (already upright) to the preset's target size.
pub fn resize_for(src: &DynamicImage, preset: &Preset, source_size: (u32, u32)) -> DynamicImage {
    let (tw, th) = preset.target_size(source_size.0, source_size.1);
    let (sw, sh) = (src.width(), src.height());
    // The crop, in `src` pixels, that has the target's aspect ratio (cover), or all of it.
    let crop = match preset.fit {
        Fit::Cover => cover_crop(preset, (sw, sh), (tw, th)),
        _ => (0.0, 0.0, f64::from(sw), f64::from(sh)),
    };
    if (tw, th) == (sw, sh) && crop == (0.0, 0.0, f64::from(sw), f64::from(sh)) {
        return src.clone();
    }
    resize(src, tw, th, crop)
}

/// The part of a `sw`×`sh` picture a cover crop to `tw`×`th` keeps: (left, top, width,
/// height), with the target's aspect ratio, centred on the preset's focal point as far as the
/// edges allow. Films are cropped by the same rule (through ffmpeg).
pub fn cover_crop(
    preset: &Preset,
    (sw, sh): (u32, u32),
    (tw, th): (u32, u32),
) -> (f64, f64, f64, f64) {
    let target_aspect = f64::from(tw) / f64::from(th);
    let (cw, ch) = if f64::from(sw) / f64::from(sh) > target_aspect {
        (f64::from(sh) * target_aspect, f64::from(sh))
    } else {
        (f64::from(sw), f64::from(sw) / target_aspect)
    };
    let [fx, fy] = preset.focus.unwrap_or([0.5, 0.5]);
    let left = (f64::from(fx) * f64::from(sw) - cw / 2.0).clamp(0.0, f64::from(sw) - cw);
    let top = (f64::from(fy) * f64::from(sh) - ch / 2.0).clamp(0.0, f64::from(sh) - ch);
    (left, top, cw, ch)
}

/// Resizes a crop of `src` to exactly `tw`×`th`.
pub fn resize(src: &DynamicImage, tw: u32, th: u32, crop: (f64, f64, f64, f64)) -> DynamicImage {
    let (buf, pixel_type) = match src {
        DynamicImage::ImageRgba8(i) => (i.as_raw().as_slice(), PixelType::U8x4),
        DynamicImage::ImageRgb8(i) => (i.as_raw().as_slice(), PixelType::U8x3),
        other => return resize(&DynamicImage::ImageRgba8(other.to_rgba8()), tw, th, crop),
    };
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .crop(crop.0, crop.1, crop.2, crop.3)
        .use_alpha(true);
    let mut dst = Image::new(tw, th, pixel_type);
    let resized = ImageRef::new(src.width(), src.height(), buf, pixel_type)
        .map_err(|e| e.to_string())
        .and_then(|src| {
            Resizer::new()
                .resize(&src, &mut dst, &options)
                .map_err(|e| e.to_string())
        });
    // Both buffers were sized from their own dimensions and share a pixel type: resize cannot
    // fail here. Fall back to image's resize rather than panic if that ever changes.
    if resized.is_err() {
        return src.resize_exact(tw, th, image::imageops::FilterType::Lanczos3);
    }
    let raw = dst.into_vec();
    let out = match pixel_type {
        PixelType::U8x4 => RgbaImage::from_raw(tw, th, raw).map(DynamicImage::ImageRgba8),
        _ => RgbImage::from_raw(tw, th, raw).map(DynamicImage::ImageRgb8),
    };
    out.unwrap_or_else(|| src.resize_exact(tw, th, image::imageops::FilterType::Lanczos3))
}
