//! Video frames and web previews through the ffmpeg program. It runs without a shell, with the
//! input given as a `file:` URL (so no name is ever read as an option or a protocol), with
//! stdin closed and a deadline after which it is killed.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use image::RgbImage;

/// Why ffmpeg could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum FfmpegError {
    #[error("ffmpeg could not be started: {0}")]
    Start(std::io::Error),
    #[error("ffmpeg took longer than {0:?} and was stopped")]
    Timeout(Duration),
    #[error("ffmpeg failed: {0}")]
    Failed(String),
    #[error("ffmpeg gave no frame at {0:.1} s")]
    NoFrame(f64),
}

impl FfmpegError {
    /// The stable code recorded on a failed rendition.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Start(_) => "ffmpeg-missing",
            Self::Timeout(_) => "ffmpeg-timeout",
            Self::Failed(_) | Self::NoFrame(_) => "undecodable-video",
        }
    }

    /// Missing ffmpeg is this machine's lack; a timeout is a film too long for the deadline.
    pub fn kind(&self) -> crate::model::ErrorKind {
        use crate::model::ErrorKind;
        match self {
            Self::Start(_) => ErrorKind::Unsupported,
            Self::Timeout(_) => ErrorKind::TooLarge,
            Self::Failed(_) | Self::NoFrame(_) => ErrorKind::InvalidInput,
        }
    }
}

/// What an H.264 web preview is made with.
#[derive(Debug, Clone)]
pub struct PreviewSpec {
    /// Output size; both even (H.264 with 4:2:0 chroma needs it).
    pub width: u32,
    pub height: u32,
    /// x264's constant rate factor: 0 lossless … 51 worst; 23 is its default.
    pub crf: u8,
    /// Written into the file's metadata (everything else, GPS included, is dropped).
    pub tags: MovieTags,
    /// The part of the picture kept before scaling (width, height, left, top), for cuts of
    /// another shape (square, vertical).
    pub crop: Option<(u32, u32, u32, u32)>,
    /// Only the first this many seconds.
    pub max_seconds: Option<u32>,
    /// A WebVTT file burned into the picture (by libass, after scaling, so the text is sized
    /// for the cut). Named to ffmpeg from its own folder: no path is escaped into the filter.
    pub subtitles: Option<PathBuf>,
}

impl PreviewSpec {
    /// The video filter: the crop if any, then the scale, then the burned subtitles.
    fn filter(&self) -> String {
        let mut filter = format!("scale={}:{}", self.width, self.height);
        if let Some((w, h, x, y)) = self.crop {
            filter = format!("crop={w}:{h}:{x}:{y},{filter}");
        }
        if let Some(name) = self.subtitles.as_ref().and_then(|p| p.file_name()) {
            filter += &format!(
                ",subtitles=filename={}:force_style='Outline=2,MarginV=24'",
                name.to_string_lossy()
            );
        }
        filter
    }
}

/// What an HLS ladder is made with.
#[derive(Debug, Clone)]
pub struct LadderSpec {
    /// Each variant's size, smallest first; both sides even.
    pub rungs: Vec<(u32, u32)>,
    /// x264's constant rate factor for every variant.
    pub crf: u8,
    /// Whether the film has sound to carry.
    pub audio: bool,
    pub segment_seconds: u32,
    /// The film's length: the deadline grows with it.
    pub duration_s: f64,
}

impl LadderSpec {
    /// One decode split into every rung, each scaled: `[0:v:0]split=2[s0][s1];[s0]scale=…[v0];…`.
    fn filter(&self) -> String {
        let n = self.rungs.len();
        let splits: String = (0..n).map(|i| format!("[s{i}]")).collect();
        let mut graph = format!("[0:v:0]split={n}{splits}");
        for (i, (w, h)) in self.rungs.iter().enumerate() {
            graph += &format!(";[s{i}]scale={w}:{h}[v{i}]");
        }
        graph
    }

    /// `v:0,a:0 v:1,a:1 …`: which outputs make each variant.
    fn stream_map(&self) -> String {
        (0..self.rungs.len())
            .map(|i| {
                if self.audio {
                    format!("v:{i},a:{i}")
                } else {
                    format!("v:{i}")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What a delivered MP4 says about itself: the credit and the copyright, nothing else.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MovieTags {
    pub artist: Option<String>,
    pub copyright: Option<String>,
}

impl MovieTags {
    /// `-metadata key=value` for each tag that is set.
    fn apply(&self, cmd: &mut Command) {
        for (key, value) in [("artist", &self.artist), ("copyright", &self.copyright)] {
            if let Some(value) = value {
                cmd.arg("-metadata").arg(format!("{key}={value}"));
            }
        }
    }
}

/// The ffmpeg program and how long it may run.
#[derive(Debug, Clone)]
pub struct Ffmpeg {
    program: PathBuf,
    timeout: Duration,
}

/// Frames whose mean luma is under this are "black" (fades, lens cap, title cards).
const DARK_LUMA: f64 = 24.0;

impl Ffmpeg {
    /// ffmpeg from PATH, if it is there.
    pub fn on_path(timeout: Duration) -> Option<Self> {
        let paths = std::env::var_os("PATH")?;
        std::env::split_paths(&paths)
            .map(|dir| dir.join("ffmpeg"))
            .find(|p| p.is_file())
            .map(|program| Self { program, timeout })
    }

    /// A poster frame in display orientation (ffmpeg applies the rotation matrix): the frame at
    /// `at` (a fraction of the duration), or, when that one is nearly black, the first later
    /// candidate that is not (else the brightest seen).
    pub fn poster(&self, source: &Path, duration_s: f64, at: f64) -> Result<RgbImage, FfmpegError> {
        let at = at.clamp(0.0, 0.95);
        let mut candidates = vec![at];
        candidates.extend([0.25, 0.5, 0.75].into_iter().filter(|&c| c > at));
        let mut best: Option<(f64, RgbImage)> = None;
        let mut first_error = None;
        for fraction in candidates {
            // A later point can still give a frame (a damaged stretch), so errors are kept
            // and reported only when no frame came at all.
            let frame = match self.frame(source, duration_s * fraction) {
                Ok(frame) => frame,
                // A hung or missing ffmpeg will not do better at another point.
                Err(e @ (FfmpegError::Timeout(_) | FfmpegError::Start(_))) => return Err(e),
                Err(e) => {
                    first_error.get_or_insert(e);
                    continue;
                }
            };
            let luma = mean_luma(&frame);
            if luma >= DARK_LUMA {
                return Ok(frame);
            }
            if best.as_ref().is_none_or(|(l, _)| luma > *l) {
                best = Some((luma, frame));
            }
        }
        match (best, first_error) {
            (Some((_, frame)), _) => Ok(frame),
            (None, Some(e)) => Err(e),
            (None, None) => Err(FfmpegError::NoFrame(duration_s * at)),
        }
    }

    /// One decoded frame at `seconds` (fast seek to the keyframe before it, then decode to it).
    fn frame(&self, source: &Path, seconds: f64) -> Result<RgbImage, FfmpegError> {
        let mut cmd = self.command();
        cmd.args(["-ss", &format!("{seconds:.3}"), "-i"])
            .arg(file_url(source))
            .args(["-map", "0:v:0", "-frames:v", "1", "-an", "-sn", "-dn"])
            .args(["-f", "image2pipe", "-c:v", "ppm", "pipe:1"]);
        let stdout = self.run(cmd, source)?;
        parse_ppm(&stdout).ok_or(FfmpegError::NoFrame(seconds))
    }

    /// One JPEG of `columns` × `rows` tiles, each `width` px wide: a frame every `every`
    /// seconds from the start, in display orientation (a film's thumbnail strip). One decode.
    pub fn sprite(
        &self,
        source: &Path,
        every: f64,
        width: u32,
        (columns, rows): (u32, u32),
    ) -> Result<Vec<u8>, FfmpegError> {
        let mut cmd = self.command();
        let filter = format!("fps=1/{every:.3},scale={width}:-2,tile={columns}x{rows}");
        cmd.arg("-i")
            .arg(file_url(source))
            .args(["-map", "0:v:0", "-an", "-sn", "-dn", "-vf", &filter])
            .args(["-frames:v", "1", "-q:v", "5"])
            .args(["-f", "image2pipe", "-c:v", "mjpeg", "pipe:1"]);
        let jpeg = self.run(cmd, source)?;
        if jpeg.is_empty() {
            return Err(FfmpegError::NoFrame(0.0));
        }
        Ok(jpeg)
    }

    /// Writes an H.264/AAC MP4 to `out` with the index at the front (faststart: a browser can
    /// start playing and seeking before the whole file has arrived).
    pub fn web_preview(
        &self,
        source: &Path,
        spec: &PreviewSpec,
        out: &Path,
    ) -> Result<(), FfmpegError> {
        let mut cmd = self.command();
        if let Some(folder) = spec.subtitles.as_ref().and_then(|p| p.parent()) {
            cmd.current_dir(folder);
        }
        cmd.arg("-i").arg(file_url(source));
        cmd.args(["-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn"])
            .args(["-map_metadata", "-1", "-map_chapters", "-1"])
            .args(["-vf", &spec.filter()]);
        h264_aac(&mut cmd, spec.crf);
        cmd.args(["-movflags", "+faststart"]);
        if let Some(seconds) = spec.max_seconds {
            cmd.args(["-t", &seconds.to_string()]);
        }
        spec.tags.apply(&mut cmd);
        cmd.args(["-f", "mp4", "-y"]).arg(file_url(out));
        self.run(cmd, source).map(drop)
    }

    /// Writes `movie` to `out` with `tags` in place of its own, streams copied as they are: an
    /// edited credit reaches a delivered film in the time it takes to copy the file, without
    /// encoding it again.
    pub fn retag(&self, movie: &Path, tags: &MovieTags, out: &Path) -> Result<(), FfmpegError> {
        let mut cmd = self.command();
        cmd.arg("-i").arg(file_url(movie));
        cmd.args(["-map", "0", "-c", "copy"])
            .args(["-map_metadata", "-1", "-map_chapters", "-1"])
            .args(["-movflags", "+faststart"]);
        tags.apply(&mut cmd);
        cmd.args(["-f", "mp4", "-y"]).arg(file_url(out));
        self.run(cmd, movie).map(drop)
    }

    /// Writes an HLS ladder into `dir`: for variant `i`, `p{i}.m3u8`, `init_{i}.mp4` and its
    /// fMP4 segments, and `master.m3u8`. One decode feeds every rung, and a keyframe starts
    /// every segment so all variants cut at the same times (a player switches between them at
    /// any segment). ffmpeg streams from the file: nothing is held whole, whatever its size.
    /// A whole film may take longer than the deadline of one still: three times its length.
    pub fn hls_ladder(
        &self,
        source: &Path,
        spec: &LadderSpec,
        dir: &Path,
    ) -> Result<(), FfmpegError> {
        let mut cmd = self.command();
        cmd.arg("-i").arg(file_url(source));
        cmd.args(["-filter_complex", &spec.filter()]);
        for i in 0..spec.rungs.len() {
            cmd.args(["-map", &format!("[v{i}]")]);
            if spec.audio {
                cmd.args(["-map", "0:a:0"]);
            }
        }
        let keyframes = format!("expr:gte(t,n_forced*{})", spec.segment_seconds);
        cmd.args(["-map_metadata", "-1", "-map_chapters", "-1", "-sn", "-dn"]);
        h264_aac(&mut cmd, spec.crf);
        cmd.args(["-force_key_frames", &keyframes, "-sc_threshold", "0"])
            .args(["-f", "hls", "-hls_time", &spec.segment_seconds.to_string()])
            .args(["-hls_playlist_type", "vod", "-hls_segment_type", "fmp4"])
            .args(["-hls_flags", "independent_segments"])
            .args(["-hls_fmp4_init_filename", "init.mp4"])
            .args(["-master_pl_name", "master.m3u8"])
            .args(["-var_stream_map", &spec.stream_map()])
            .arg("-hls_segment_filename")
            .arg(dir.join("s%v_%d.m4s"))
            .arg("-y")
            .arg(dir.join("p%v.m3u8"));
        let deadline = self
            .timeout
            .max(Duration::from_secs_f64(spec.duration_s.max(0.0) * 3.0));
        self.run_until(cmd, source, deadline).map(drop)
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(["-hide_banner", "-nostdin", "-loglevel", "error"]);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs to completion or the deadline; returns stdout. The source's path never appears in
    /// an error (it is the store's internal layout).
    fn run(&self, cmd: Command, source: &Path) -> Result<Vec<u8>, FfmpegError> {
        self.run_until(cmd, source, self.timeout)
    }

    /// `run` with its own deadline.
    fn run_until(
        &self,
        mut cmd: Command,
        source: &Path,
        timeout: Duration,
    ) -> Result<Vec<u8>, FfmpegError> {
        let mut child = cmd.spawn().map_err(FfmpegError::Start)?;
        let stdout = drain(&mut child, true);
        let stderr = drain(&mut child, false);
        let deadline = Instant::now() + timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(FfmpegError::Timeout(timeout));
                }
            }
        };
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();
        if !status.success() {
            let text = String::from_utf8_lossy(&stderr)
                .replace(&*file_url(source).to_string_lossy(), "input")
                .replace(&*source.to_string_lossy(), "input");
            return Err(FfmpegError::Failed(summary(&text)));
        }
        Ok(stdout)
    }
}

/// The encoders every film rendition uses: H.264 High at constant quality `crf` (`veryfast`,
/// 4:2:0 for every player), AAC stereo at 128 kb/s.
fn h264_aac(cmd: &mut Command, crf: u8) {
    cmd.args([
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-profile:v",
        "high",
    ])
    .args(["-crf", &crf.to_string(), "-pix_fmt", "yuv420p"])
    .args(["-c:a", "aac", "-b:a", "128k", "-ac", "2"]);
}

/// Reads a child's stdout or stderr on its own thread, so neither pipe can fill and stall it.
/// Stdout is capped at one uncompressed 8K frame; stderr keeps its first 64 KiB.
fn drain(child: &mut Child, stdout: bool) -> std::thread::JoinHandle<Vec<u8>> {
    let cap: u64 = if stdout {
        8192 * 8192 * 3 + 64
    } else {
        64 << 10
    };
    let pipe: Option<Box<dyn Read + Send>> = if stdout {
        child.stdout.take().map(|p| Box::new(p) as _)
    } else {
        child.stderr.take().map(|p| Box::new(p) as _)
    };
    std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.by_ref().take(cap).read_to_end(&mut out);
            // Keep reading (and dropping) so the child never blocks on a full pipe.
            let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        }
        out
    })
}

/// The line of ffmpeg's log worth showing: its own first message (decoder lines start with
/// "[h264 @ 0x…]" and repeat by the hundred), else the first decoder message.
fn summary(log: &str) -> String {
    let lines = || log.lines().map(str::trim).filter(|l| !l.is_empty());
    lines()
        .find(|l| !l.starts_with('['))
        .or_else(|| {
            lines()
                .next()
                .map(|l| l.split_once("] ").map_or(l, |(_, m)| m))
        })
        .unwrap_or("no message")
        .to_owned()
}

/// `file:` plus an absolute path: ffmpeg then never takes the name for an option or protocol.
fn file_url(path: &Path) -> std::ffi::OsString {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut url = std::ffi::OsString::from("file:");
    url.push(absolute.as_os_str());
    url
}

/// A binary PPM (P6, 8 bit) as ffmpeg writes it.
fn parse_ppm(bytes: &[u8]) -> Option<RgbImage> {
    let mut fields = Vec::with_capacity(4);
    let mut pos = 0;
    while fields.len() < 4 {
        while bytes.get(pos)?.is_ascii_whitespace() {
            pos += 1;
        }
        let start = pos;
        while !bytes.get(pos)?.is_ascii_whitespace() {
            pos += 1;
        }
        fields.push(std::str::from_utf8(&bytes[start..pos]).ok()?);
    }
    pos += 1; // the single whitespace byte before the pixels
    let (w, h, max): (u32, u32, u32) = (
        fields[1].parse().ok()?,
        fields[2].parse().ok()?,
        fields[3].parse().ok()?,
    );
    if fields[0] != "P6" || max != 255 {
        return None;
    }
    let len = (w as usize).checked_mul(h as usize)?.checked_mul(3)?;
    let pixels = bytes.get(pos..pos.checked_add(len)?)?;
    RgbImage::from_raw(w, h, pixels.to_vec())
}

/// Mean luma (BT.601) over a sparse grid of pixels.
fn mean_luma(image: &RgbImage) -> f64 {
    let (w, h) = image.dimensions();
    let step = ((w * h / 4096) as f64).sqrt().max(1.0) as u32;
    let (mut sum, mut n) = (0.0, 0.0);
    for y in (0..h).step_by(step as usize) {
        for x in (0..w).step_by(step as usize) {
            let [r, g, b] = image.get_pixel(x, y).0;
            sum += 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
            n += 1.0;
        }
    }
    if n == 0.0 {
        0.0
    } else {
        sum / n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ppm_is_parsed_and_bad_ppm_refused() {
        let mut ppm = b"P6\n2 1\n255\n".to_vec();
        ppm.extend([255, 0, 0, 0, 0, 255]);
        let image = parse_ppm(&ppm).unwrap();
        assert_eq!(image.dimensions(), (2, 1));
        assert_eq!(image.get_pixel(1, 0).0, [0, 0, 255]);
        assert!(parse_ppm(&ppm[..ppm.len() - 1]).is_none(), "short");
        assert!(parse_ppm(b"P5\n2 1\n255\n\0\0").is_none(), "grey");
        assert!(parse_ppm(b"P6\n99999999 99999999\n255\n").is_none());
    }

    #[test]
    fn a_hung_ffmpeg_is_stopped_at_its_deadline() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("ffmpeg");
        std::fs::write(&program, "#!/bin/sh\nexec sleep 60\n").unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        let ffmpeg = Ffmpeg {
            program,
            timeout: Duration::from_millis(200),
        };
        let err = ffmpeg.poster(Path::new("clip.mp4"), 10.0, 0.1).unwrap_err();
        assert!(matches!(err, FfmpegError::Timeout(_)), "{err}");
        assert_eq!(err.code(), "ffmpeg-timeout");
    }

    #[test]
    fn the_summary_is_ffmpegs_own_message() {
        let log = "[h264 @ 0x55] Invalid NAL unit size\n[h264 @ 0x55] missing picture\n\
                   Error while decoding stream #0:0: Invalid data\n";
        assert_eq!(
            summary(log),
            "Error while decoding stream #0:0: Invalid data"
        );
        assert_eq!(
            summary("[mov @ 0x1] moov atom not found\n"),
            "moov atom not found"
        );
        assert_eq!(summary(""), "no message");
    }

    #[test]
    fn cuts_crop_then_scale() {
        let mut spec = PreviewSpec {
            width: 1080,
            height: 1920,
            crf: 23,
            tags: MovieTags::default(),
            crop: Some((606, 1080, 657, 0)),
            max_seconds: Some(60),
            subtitles: None,
        };
        assert_eq!(spec.filter(), "crop=606:1080:657:0,scale=1080:1920");
        spec.crop = None;
        assert_eq!(spec.filter(), "scale=1080:1920");
        spec.subtitles = Some(PathBuf::from("/data/my store: 'x'/tmp-1.vtt"));
        assert_eq!(
            spec.filter(),
            "scale=1080:1920,subtitles=filename=tmp-1.vtt:force_style='Outline=2,MarginV=24'"
        );
    }

    #[test]
    fn names_are_never_options() {
        let url = file_url(Path::new("/tmp/-i evil;rm -rf.mp4"));
        assert_eq!(url, "file:/tmp/-i evil;rm -rf.mp4");
    }
}
