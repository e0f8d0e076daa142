use serde::{Deserialize, Serialize};

use super::Gps;

/// What the container says about the video.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VideoInfo {
    pub duration_s: f64,
    /// Displayed size: rotation applied.
    pub width: u32,
    pub height: u32,
    /// Clockwise rotation from the track matrix: 0, 90, 180 or 270.
    pub rotation: u16,
    /// Sample entry types, video first: "avc1", "hvc1", "mp4a"...
    pub codecs: Vec<String>,
    pub frame_rate: Option<f64>,
    /// RFC 3339, UTC, from the movie header.
    pub created_at: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub gps: Option<Gps>,
}
