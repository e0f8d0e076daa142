//! Work on bytes and readers (recognising a file's type, reading its metadata, checking that it
//! decodes, decoding, resizing, encoding) and the one external program, ffmpeg, for video.
//! Nothing here knows about the store or the catalogue.

mod bmff;
pub mod colour;
pub mod decode;
pub mod encode;
pub mod exif;
pub mod ffmpeg;
pub mod heif;
pub mod jpeg_scan;
pub mod matroska;
pub mod meta;
pub mod png_scan;
mod probe;
pub mod resize;
mod sniff;
pub mod subtitles;
pub mod svg;
pub mod synth;
#[cfg(turbojpeg)]
mod turbo;
pub mod video;

pub use probe::{probe, Probe, ProbeError, ProbeLimits};
pub use sniff::sniff;
