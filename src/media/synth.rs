//! Synthetic photographs with real EXIF, for the sample drop folder, tests and benchmarks:
//! generated rather than checked in, so their origin is this code.

use image::{Rgb, RgbImage};

use super::exif::{insert_into_jpeg, write_block, ExifFields};

/// A deterministic landscape-like picture: sky gradient, rolling hills, texture and grain, so
/// that encoders and resizers see photographic statistics rather than flat colour.
pub fn landscape(width: u32, height: u32, seed: u64) -> RgbImage {
    let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let phase = (next() % 1000) as f32 / 159.0;
    let hue = (next() % 60) as f32;
    let (w, h) = (width as f32, height as f32);
    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 / w, y as f32 / h);
        let ridge = 0.55
            + 0.12 * (fx * 6.0 + phase).sin()
            + 0.05 * (fx * 23.0 + phase * 2.0).sin()
            + 0.02 * (fx * 71.0).sin();
        let grain = (next() % 23) as f32 - 11.0;
        let [r, g, b] = if fy < ridge {
            // Sky: blue to pale towards the horizon, with soft clouds.
            let cloud = 30.0 * ((fx * 9.0 + fy * 4.0 + phase).sin() * (fy * 13.0).cos()).max(0.0);
            [
                90.0 + 120.0 * fy + cloud,
                140.0 + 90.0 * fy + cloud,
                230.0 - 20.0 * fy + cloud * 0.5,
            ]
        } else {
            // Land: rubber-green rows with texture, darker towards the foreground.
            let rows = 18.0 * ((fx * 40.0 + fy * 90.0).sin() * 0.5 + 0.5);
            let depth = (fy - ridge) / (1.0 - ridge + 1e-3);
            [
                40.0 + hue + rows - 30.0 * depth,
                110.0 + rows * 1.5 - 50.0 * depth,
                40.0 + rows * 0.5 - 20.0 * depth,
            ]
        };
        let px = |v: f32| (v + grain).clamp(0.0, 255.0) as u8;
        Rgb([px(r), px(g), px(b)])
    })
}

/// Encodes `image` as a baseline JPEG at `quality` and writes `fields` into it as EXIF.
pub fn jpeg_with_exif(image: &RgbImage, quality: u8, fields: &ExifFields) -> Vec<u8> {
    let mut jpeg = Vec::new();
    let encoded =
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality).encode_image(image);
    debug_assert!(encoded.is_ok(), "encoding into memory cannot fail");
    match write_block(fields)
        .ok()
        .and_then(|block| insert_into_jpeg(&jpeg, &block))
    {
        Some(with_exif) => with_exif,
        None => jpeg,
    }
}
