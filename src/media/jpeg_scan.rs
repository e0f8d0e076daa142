//! What a JPEG's headers promise against what its file holds: the memory a decode needs (from
//! the frame header, read before decoding), and whether the entropy-coded data can cover the
//! frame at all (counted by a [`Scanner`] as the bytes stream into the decoder, so the file is
//! read once).
//!
//! Every 8×8 block of a baseline scan costs at least two bits (a DC code and an end-of-block
//! code, each at least one bit long), and of a progressive image's first DC scan at least one.
//! A file whose scans hold fewer bits than its frame has blocks is truncated, however its last
//! marker looks: decoders pad the missing data silently and would make a 14000² picture of
//! whatever 1600×1200 the file really holds.

//!
//! The scanner refuses a short file the moment it sees the end-of-image marker, before the
//! decoder would spend seconds padding a 14000² frame with nothing.

use std::io::Read;

/// The frame of a JPEG and how much entropy-coded data follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JpegLayout {
    pub width: u32,
    pub height: u32,
    pub components: u32,
    pub progressive: bool,
    /// 8×8 blocks in the frame, all components (after subsampling).
    pub blocks: u64,
    /// Bytes of entropy-coded data in every scan (stuffing and restart markers excluded).
    pub entropy_bytes: u64,
}

impl JpegLayout {
    /// Whether the scans hold too few bits to code every block even once.
    pub fn too_short(&self) -> bool {
        let min_bits_per_block = if self.progressive { 1 } else { 2 };
        self.entropy_bytes * 8 < self.blocks * min_bits_per_block
    }

    /// Bytes a decoder must hold: progressive files keep every coefficient (2 bytes each)
    /// until the last scan; baseline ones only the output, at `scale` (1 to 8) per axis.
    pub fn decode_bytes(&self, scale: u32) -> u64 {
        let coefficients = if self.progressive {
            self.blocks * 64 * 2
        } else {
            0
        };
        let scale = u64::from(scale.clamp(1, 8));
        let out = u64::from(self.width).div_ceil(scale)
            * u64::from(self.height).div_ceil(scale)
            * u64::from(self.components.max(3));
        coefficients + out
    }
}

/// Where the scanner stands in the marker structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before or between segments, waiting for 0xFF.
    Between,
    /// After 0xFF: a marker code (or fill bytes) follows.
    Code,
    /// The high byte of a segment's length, then the low byte.
    Length(u8),
    LengthLow(u8, u8),
    /// Inside a segment's payload: bytes left, and its marker code.
    Segment(u8, usize),
    /// Entropy-coded data of a scan, then after a 0xFF inside it.
    Entropy,
    EntropyFf,
    /// After the end-of-image marker.
    Done,
}

/// Reads a JPEG's markers incrementally: the frame header, and the entropy-coded bytes of
/// every scan (stuffing and restart markers excluded). Data runs are skipped with `memchr`.
#[derive(Debug)]
pub struct Scanner {
    state: State,
    /// The frame header's payload, kept while it arrives.
    sof: Vec<u8>,
    frame: Option<JpegLayout>,
    entropy_bytes: u64,
    started: bool,
}

impl Default for Scanner {
    fn default() -> Self {
        Self {
            state: State::Between,
            sof: Vec::new(),
            frame: None,
            entropy_bytes: 0,
            started: false,
        }
    }
}

fn is_sof(code: u8) -> bool {
    matches!(code, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF)
}

impl Scanner {
    /// Takes the next bytes of the file.
    pub fn feed(&mut self, mut buf: &[u8]) {
        self.started = true;
        while let Some((&byte, rest)) = buf.split_first() {
            match self.state {
                State::Entropy => {
                    let run = memchr::memchr(0xFF, buf).unwrap_or(buf.len());
                    self.entropy_bytes += run as u64;
                    buf = &buf[run..];
                    if !buf.is_empty() {
                        self.state = State::EntropyFf;
                        buf = &buf[1..];
                    }
                    continue;
                }
                State::Segment(code, left) => {
                    let n = left.min(buf.len());
                    if is_sof(code) && self.frame.is_none() {
                        self.sof.extend_from_slice(&buf[..n.min(64)]);
                    }
                    buf = &buf[n..];
                    self.end_segment(code, left - n);
                    continue;
                }
                State::Between => {
                    if byte == 0xFF {
                        self.state = State::Code;
                    }
                }
                State::Code => self.marker(byte),
                State::EntropyFf => match byte {
                    0x00 => {
                        self.entropy_bytes += 1; // a stuffed 0xFF data byte
                        self.state = State::Entropy;
                    }
                    0xD0..=0xD7 => self.state = State::Entropy,
                    0xFF => {}
                    code => self.marker(code),
                },
                State::Length(code) => self.state = State::LengthLow(code, byte),
                State::LengthLow(code, hi) => {
                    let len = usize::from(u16::from_be_bytes([hi, byte])).saturating_sub(2);
                    self.end_segment(code, len);
                }
                State::Done => return,
            }
            buf = rest;
        }
    }

    fn marker(&mut self, code: u8) {
        self.state = match code {
            0xFF => State::Code,
            0xD9 => State::Done,
            0x00 | 0x01 | 0xD0..=0xD8 => State::Between,
            code => State::Length(code),
        };
    }

    fn end_segment(&mut self, code: u8, left: usize) {
        if left > 0 {
            self.state = State::Segment(code, left);
            return;
        }
        if is_sof(code) && self.frame.is_none() {
            self.frame = parse_frame(&self.sof, matches!(code, 0xC2 | 0xC6 | 0xCA | 0xCE));
        }
        self.state = if code == 0xDA {
            State::Entropy
        } else {
            State::Between
        };
    }

    /// The frame with the entropy-coded bytes seen so far.
    pub fn layout(&self) -> Option<JpegLayout> {
        self.frame.clone().map(|f| JpegLayout {
            entropy_bytes: self.entropy_bytes,
            ..f
        })
    }

    /// Whether the first scan has begun (everything the frame header says is known).
    fn in_first_scan(&self) -> bool {
        self.frame.is_some() && matches!(self.state, State::Entropy | State::EntropyFf)
    }

    fn finished(&self) -> bool {
        self.state == State::Done
    }
}

/// The frame alone, reading only up to the first scan: what a decode's memory budget needs.
pub fn frame<R: Read>(reader: &mut R) -> std::io::Result<Option<JpegLayout>> {
    let mut scanner = Scanner::default();
    let mut byte = [0u8; 1];
    while !scanner.in_first_scan() && !scanner.finished() {
        if reader.read(&mut byte)? == 0 {
            break;
        }
        scanner.feed(&byte);
    }
    Ok(scanner.layout())
}

/// The whole file scanned: the frame and every scan's entropy-coded bytes.
pub fn layout<R: Read>(reader: &mut R) -> std::io::Result<Option<JpegLayout>> {
    let mut counting = Counting::new(reader);
    std::io::copy(&mut counting, &mut std::io::sink())?;
    Ok(counting.scanner.layout())
}

/// A reader that scans what passes through it for a decoder, and fails with `InvalidData` at
/// the end-of-image marker if the scans were too short for the frame (`is_short` then says
/// so), so a lying header costs no decoding time.
pub struct Counting<R> {
    inner: R,
    pub scanner: Scanner,
    short: bool,
}

impl<R: Read> Counting<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            scanner: Scanner::default(),
            short: false,
        }
    }

    /// Whether the read failed because the data could not cover the frame.
    pub fn is_short(&self) -> bool {
        self.short
    }

    /// Reads on to the end-of-image marker (a decoder may stop just before it), never past
    /// it: data after the image (a phone's appended video) is not read.
    pub fn finish(&mut self) -> std::io::Result<()> {
        let mut buf = [0u8; 8192];
        while !self.scanner.finished() {
            if self.read(&mut buf)? == 0 {
                break;
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.short {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "truncated",
            ));
        }
        let n = self.inner.read(buf)?;
        self.scanner.feed(&buf[..n]);
        let ended = self.scanner.finished() || n == 0;
        if ended && self.scanner.layout().is_some_and(|l| l.too_short()) {
            self.short = true;
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the scans end before the frame is covered",
            ));
        }
        Ok(n)
    }
}

fn parse_frame(segment: &[u8], progressive: bool) -> Option<JpegLayout> {
    let height = u32::from(u16::from_be_bytes([*segment.get(1)?, *segment.get(2)?]));
    let width = u32::from(u16::from_be_bytes([*segment.get(3)?, *segment.get(4)?]));
    let count = usize::from(*segment.get(5)?);
    let sampling: Vec<(u64, u64)> = (0..count)
        .map(|i| {
            let hv = *segment.get(6 + i * 3 + 1)?;
            Some((u64::from(hv >> 4).max(1), u64::from(hv & 0x0F).max(1)))
        })
        .collect::<Option<_>>()?;
    let hmax = sampling.iter().map(|s| s.0).max()?;
    let vmax = sampling.iter().map(|s| s.1).max()?;
    let mcus_x = u64::from(width).div_ceil(8 * hmax);
    let mcus_y = u64::from(height).div_ceil(8 * vmax);
    let per_mcu: u64 = if count == 1 {
        1 // a single component is not interleaved: one block per 8×8
    } else {
        sampling.iter().map(|(h, v)| h * v).sum()
    };
    let blocks = if count == 1 {
        u64::from(width).div_ceil(8) * u64::from(height).div_ceil(8)
    } else {
        mcus_x * mcus_y * per_mcu
    };
    Some(JpegLayout {
        width,
        height,
        components: count as u32,
        progressive,
        blocks,
        entropy_bytes: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let image = crate::media::synth::landscape(w, h, 5);
        crate::media::synth::jpeg_with_exif(&image, 80, &Default::default())
    }

    #[test]
    fn a_whole_jpeg_covers_its_frame() {
        let bytes = jpeg(320, 200);
        let l = layout(&mut bytes.as_slice()).unwrap().unwrap();
        assert_eq!((l.width, l.height, l.components), (320, 200, 3));
        // Fed one byte at a time, the same count.
        let mut one = Scanner::default();
        bytes.chunks(1).for_each(|b| one.feed(b));
        assert_eq!(one.layout(), Some(l.clone()));
        assert_eq!(frame(&mut bytes.as_slice()).unwrap().unwrap().width, 320);
        assert!(!l.progressive);
        assert!(l.entropy_bytes > 1000 && l.entropy_bytes < bytes.len() as u64);
        assert!(!l.too_short(), "{l:?}");
    }

    #[test]
    fn a_frame_header_larger_than_its_scan_is_too_short() {
        let mut bytes = jpeg(320, 200);
        // Rewrite the frame header (SOF0) to claim 14000×14000.
        let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        bytes[sof + 5..sof + 7].copy_from_slice(&14000u16.to_be_bytes());
        bytes[sof + 7..sof + 9].copy_from_slice(&14000u16.to_be_bytes());
        let mut counting = Counting::new(bytes.as_slice());
        let read = std::io::copy(&mut counting, &mut std::io::sink());
        assert!(read.is_err() && counting.is_short());
        let l = counting.scanner.layout().unwrap();
        assert_eq!((l.width, l.height), (14000, 14000));
        assert!(l.too_short(), "{l:?}");
    }
}
