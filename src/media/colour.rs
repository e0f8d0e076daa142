//! Colour management: renditions are sRGB. A source whose embedded ICC profile describes
//! another RGB space (Adobe RGB, Display P3, ProPhoto…) has its pixels converted with qcms
//! (perceptual intent), after resizing, where there are fewer of them.

use image::DynamicImage;

/// What an embedded profile asks of the renditions.
pub enum SourceColour {
    /// sRGB already (or a profile that behaves as sRGB): nothing to do.
    Srgb,
    /// Another RGB space: convert the pixels.
    Convert(ToSrgb),
    /// A profile qcms cannot read or apply (grey, CMYK, damaged): carried unchanged, so a
    /// colour-managed viewer can still use it.
    Unknown,
}

/// A conversion from a source profile to sRGB, for RGB and RGBA pixels.
pub struct ToSrgb {
    rgb: qcms::Transform,
    rgba: qcms::Transform,
}

/// sRGB with its output tables computed once: what lets qcms take its SIMD path.
static SRGB: std::sync::LazyLock<Box<qcms::Profile>> = std::sync::LazyLock::new(|| {
    let mut srgb = qcms::Profile::new_sRGB();
    srgb.precache_output_transform();
    srgb
});

/// Colours that tell an sRGB-equivalent profile apart: primaries, greys, mixed tones.
const PROBES: [[u8; 3]; 8] = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [128, 128, 128],
    [32, 32, 32],
    [64, 32, 200],
    [250, 240, 10],
    [30, 160, 90],
];

impl SourceColour {
    pub fn of(icc: Option<&[u8]>) -> Self {
        let Some(icc) = icc else {
            return Self::Srgb;
        };
        let Some(source) = qcms::Profile::new_from_slice(icc, false) else {
            return Self::Unknown;
        };
        let transform = |ty| qcms::Transform::new(&source, &SRGB, ty, qcms::Intent::Perceptual);
        let (Some(rgb), Some(rgba)) = (
            transform(qcms::DataType::RGB8),
            transform(qcms::DataType::RGBA8),
        ) else {
            return Self::Unknown;
        };
        let mut probe: Vec<u8> = PROBES.concat();
        rgb.apply(&mut probe);
        let unchanged = probe
            .iter()
            .zip(PROBES.concat())
            .all(|(after, before)| after.abs_diff(before) <= 1);
        if unchanged {
            Self::Srgb
        } else {
            Self::Convert(ToSrgb { rgb, rgba })
        }
    }
}

impl ToSrgb {
    /// The image in sRGB; 8-bit RGB and RGBA are converted, anything else is returned as is
    /// (renditions are made from 8-bit RGB or RGBA).
    pub fn apply(&self, image: &DynamicImage) -> DynamicImage {
        let mut out = image.clone();
        match &mut out {
            DynamicImage::ImageRgb8(buffer) => self.rgb.apply(buffer),
            DynamicImage::ImageRgba8(buffer) => self.rgba.apply(buffer),
            _ => {}
        }
        out
    }
}
