//! Settings: built-in defaults, overridden by BRANDVAULT_* environment variables and flags
//! (clap reads both), validated here into one value passed down.

use std::path::PathBuf;

use crate::media::ProbeLimits;

/// Everything the program needs to know about where things are and what limits apply.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The catalogue, the journal and local scratch files live here; so do the objects unless
    /// `store_url` names another place.
    pub data_dir: PathBuf,
    /// Where the objects are (`file:///path`, `s3://bucket/prefix`); None: `data_dir`.
    pub store_url: Option<String>,
    /// Where the catalogue is (`file:///path`, `postgres://…`); None: `data_dir`.
    pub catalog_url: Option<String>,
    /// The brand folder (guidelines, logos, slogans, spots, presets).
    pub brand_dir: PathBuf,
    pub limits: ProbeLimits,
    /// Largest file accepted at ingest.
    pub max_file_bytes: u64,
    /// Largest original read into memory to make renditions.
    pub max_render_source_bytes: u64,
    /// Largest image upload over HTTP (413 beyond).
    pub max_upload_image_bytes: u64,
    /// Largest video upload over HTTP (413 beyond).
    pub max_upload_video_bytes: u64,
    /// Where a video's poster frame is taken, as a fraction of its duration.
    pub poster_at: f64,
    /// Longest one ffmpeg run may take before it is stopped.
    pub ffmpeg_timeout: std::time::Duration,
    /// The address the public reaches the service at, without a trailing slash (embeds and
    /// oEmbed); None: the request's own scheme and host.
    pub public_url: Option<String>,
    /// Where a CDN or a public bucket serves the store's `public/` copies, without a trailing
    /// slash: renditions the public may see are answered with a redirect there.
    pub public_blob_url: Option<String>,
}

impl Settings {
    pub const DEFAULT_MAX_FILE_BYTES: u64 = 4 << 30;

    pub fn new(data_dir: PathBuf, brand_dir: PathBuf) -> Self {
        Self {
            data_dir,
            store_url: None,
            catalog_url: None,
            brand_dir,
            limits: ProbeLimits::default(),
            max_file_bytes: Self::DEFAULT_MAX_FILE_BYTES,
            max_render_source_bytes: 512 << 20,
            max_upload_image_bytes: 200 << 20,
            max_upload_video_bytes: 4 << 30,
            poster_at: 0.1,
            ffmpeg_timeout: std::time::Duration::from_secs(15 * 60),
            public_url: None,
            public_blob_url: None,
        }
    }

    /// The URL of the object store: the one given, or the data folder.
    pub fn store_url(&self) -> String {
        self.store_url
            .clone()
            .unwrap_or_else(|| format!("file://{}", self.data_dir.display()))
    }

    /// Checks that the settings make sense together.
    pub fn validate(&self) -> Result<(), String> {
        if self.limits.max_pixels == 0 {
            return Err("max pixels must be positive".into());
        }
        if !(0.0..1.0).contains(&self.poster_at) {
            return Err(
                "the poster point must be a fraction of the duration, from 0 to under 1".into(),
            );
        }
        if self.ffmpeg_timeout.is_zero() {
            return Err("the ffmpeg timeout must be positive".into());
        }
        if self.max_file_bytes == 0 {
            return Err("max file size must be positive".into());
        }
        if self.data_dir.exists() && !self.data_dir.is_dir() {
            return Err(format!(
                "data folder {} exists and is not a folder",
                self.data_dir.display()
            ));
        }
        Ok(())
    }
}

/// A public base URL as given on the command line: `http(s)://host[:port][/path]`, kept
/// without its trailing slash.
pub fn public_url(given: &str) -> Result<String, String> {
    let url = given.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("the public URL {given:?} must start with http:// or https://"))?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || rest.contains(['?', '#', ' ', '"', '<', '>']) {
        return Err(format!(
            "the public URL {given:?} must be a scheme and a host, with an optional path"
        ));
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn public_urls_are_a_scheme_and_a_host() {
        assert_eq!(
            super::public_url("https://anh.binhphuoc.gov.vn/").unwrap(),
            "https://anh.binhphuoc.gov.vn"
        );
        assert_eq!(
            super::public_url("http://10.0.0.2:8080/thu-vien").unwrap(),
            "http://10.0.0.2:8080/thu-vien"
        );
        for bad in [
            "anh.binhphuoc.gov.vn",
            "ftp://x",
            "https://",
            "https://a/b?c=1",
        ] {
            assert!(super::public_url(bad).is_err(), "{bad}");
        }
    }
}
