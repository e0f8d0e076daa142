use serde::{Deserialize, Serialize};

use super::Kind;

/// How an image is fitted into a preset's box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fit {
    /// Scale down to fit inside the box, keeping the aspect ratio; never upscale.
    #[default]
    Contain,
    /// Fill the box exactly, cropping around the focal point.
    Cover,
    /// Exactly the box's width, height following the aspect ratio (logos).
    Width,
}

/// Output encoding of a rendition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    /// H.264/AAC in MP4 with faststart, made by ffmpeg: web previews of videos.
    Mp4,
    /// An HLS ladder of a long film: the master playlist, naming variant playlists and fMP4
    /// segments stored beside it (the rendition's `parts`).
    Hls,
    /// A film's thumbnail strip for scrubbing: WebVTT cues naming tiles of one JPEG sprite
    /// (the rendition's part) by `#xywh=`.
    Strip,
}

impl Format {
    pub const ALL: [Self; 6] = [
        Self::Jpeg,
        Self::Png,
        Self::Webp,
        Self::Mp4,
        Self::Hls,
        Self::Strip,
    ];

    pub fn extension(&self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Mp4 => "mp4",
            Self::Hls => "m3u8",
            Self::Strip => "vtt",
        }
    }

    pub fn mime(&self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Mp4 => "video/mp4",
            Self::Hls => "application/vnd.apple.mpegurl",
            Self::Strip => "text/vtt",
        }
    }

    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext {
            "jpg" => Some(Self::Jpeg),
            "png" => Some(Self::Png),
            "webp" => Some(Self::Webp),
            "mp4" => Some(Self::Mp4),
            "m3u8" => Some(Self::Hls),
            "vtt" => Some(Self::Strip),
            _ => None,
        }
    }

    /// Whether ffmpeg makes it from the whole film (not from one poster frame).
    pub fn is_film(&self) -> bool {
        matches!(self, Self::Mp4 | Self::Hls | Self::Strip)
    }
}

/// The media type of a file served under `/r/` by its extension: a rendition's format, or a
/// part of a streaming ladder (fMP4 segments, subtitle files).
pub fn served_media_type(ext: &str) -> Option<&'static str> {
    Format::from_extension(ext).map(|f| f.mime()).or(match ext {
        "m4s" => Some("video/iso.segment"),
        _ => None,
    })
}

/// What metadata a rendition carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MetadataPolicy {
    /// The asset's edited description: caption (vi, en), title, credit, copyright, licence,
    /// stable URL (XMP; IPTC in JPEG; EXIF Artist and Copyright); never serial numbers.
    #[default]
    Credit,
    /// Nothing at all.
    None,
}

/// What an original carries when the press or the public download it (`[original]` in
/// brand/presets.toml): the asset's edited metadata always; GPS only with `gps = true`, and
/// never for a public asset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginalPolicy {
    #[serde(default)]
    pub gps: bool,
}

/// A rendition recipe from brand/presets.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub name: String,
    /// What the pages call it; the name is the stable id, used in URLs and the API.
    #[serde(default)]
    pub label: Option<super::Bilingual>,
    /// Box width in pixels; 0 with height 0 means full size.
    #[serde(default)]
    pub width: u32,
    #[serde(default)]
    pub height: u32,
    #[serde(default)]
    pub fit: Fit,
    pub format: Format,
    /// Encoder quality 1–100 (JPEG, WebP; for MP4 see [`Preset::crf`]); ignored for PNG.
    #[serde(default = "default_quality")]
    pub quality: u8,
    #[serde(default)]
    pub metadata: MetadataPolicy,
    /// Whether GPS is written into renditions of assets that are not public (press,
    /// internal); public assets never carry it.
    #[serde(default)]
    pub gps: bool,
    /// Focal point for cover crops, as fractions of width and height (centre by default).
    #[serde(default)]
    pub focus: Option<[f32; 2]>,
    /// For films: only the first this many seconds (social cuts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_seconds: Option<u32>,
    /// For HLS: the variants' heights (the short side), each made when the film is at least
    /// that large.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ladder: Vec<u32>,
    /// For films: the subtitle track in this language burned into the picture (social cuts,
    /// mostly watched muted); a film without that track is cut without.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burn_subtitles: Option<String>,
    /// Only for films longer than this many seconds (HLS for long films).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_seconds: Option<u32>,
    /// The kinds this preset is made for.
    pub kinds: Vec<Kind>,
}

fn default_quality() -> u8 {
    85
}

impl Preset {
    /// x264's constant rate factor for an MP4 preset: quality 100 is CRF 0 (lossless), 55 is
    /// CRF 23 (x264's default), 0 is CRF 51.
    pub fn crf(&self) -> u8 {
        ((u32::from(100 - self.quality.min(100)) * 51 + 50) / 100) as u8
    }

    /// True for presets that keep the original size.
    pub fn is_full_size(&self) -> bool {
        self.width == 0 && self.height == 0
    }

    /// The output size for a source of `w`×`h` (displayed): never larger than the source,
    /// except `Width`, which sets the exact width (vector logos scale up losslessly).
    pub fn target_size(&self, w: u32, h: u32) -> (u32, u32) {
        let (w, h) = (w.max(1), h.max(1));
        if self.is_full_size() {
            return (w, h);
        }
        let (bw, bh) = (self.width.max(1), self.height.max(1));
        match self.fit {
            Fit::Contain => {
                let bw = if self.width == 0 { u32::MAX } else { bw };
                let bh = if self.height == 0 { u32::MAX } else { bh };
                let scale = (bw as f64 / w as f64).min(bh as f64 / h as f64).min(1.0);
                (
                    ((w as f64 * scale).round() as u32).max(1),
                    ((h as f64 * scale).round() as u32).max(1),
                )
            }
            Fit::Cover => {
                // Exact box when the source is large enough; otherwise the box's aspect ratio
                // at the source's own resolution (never upscale).
                let scale = (bw as f64 / w as f64).max(bh as f64 / h as f64);
                if scale <= 1.0 {
                    (bw, bh)
                } else {
                    (
                        ((bw as f64 / scale).round() as u32).clamp(1, w),
                        ((bh as f64 / scale).round() as u32).clamp(1, h),
                    )
                }
            }
            Fit::Width => (
                bw,
                ((bw as f64 * h as f64 / w as f64).round() as u32).max(1),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preset(width: u32, height: u32, fit: Fit) -> Preset {
        Preset {
            name: "p".into(),
            label: None,
            width,
            height,
            fit,
            format: Format::Jpeg,
            quality: 85,
            metadata: MetadataPolicy::Credit,
            gps: false,
            focus: None,
            max_seconds: None,
            ladder: Vec::new(),
            burn_subtitles: None,
            min_seconds: None,
            kinds: vec![Kind::Photo],
        }
    }

    #[test]
    fn contain_never_upscales_and_keeps_aspect() {
        let p = preset(1024, 1024, Fit::Contain);
        assert_eq!(p.target_size(4000, 3000), (1024, 768));
        assert_eq!(p.target_size(3000, 4000), (768, 1024));
        assert_eq!(p.target_size(800, 600), (800, 600));
        assert_eq!(
            preset(0, 0, Fit::Contain).target_size(4000, 3000),
            (4000, 3000)
        );
        assert_eq!(
            preset(1200, 630, Fit::Cover).target_size(4000, 3000),
            (1200, 630)
        );
        assert_eq!(
            preset(1080, 1080, Fit::Cover).target_size(800, 600),
            (600, 600)
        );
        assert_eq!(preset(512, 0, Fit::Width).target_size(200, 100), (512, 256));
    }
}
