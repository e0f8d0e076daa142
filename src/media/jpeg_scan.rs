//! What a JPEG's headers promise against what its file holds, before anything is decoded:
//! the memory a decode needs, and whether the entropy-coded data can cover the frame at all.
//!
//! Every 8×8 block of a baseline scan costs at least two bits (a DC code and an end-of-block
//! code, each at least one bit long), and of a progressive image's first DC scan at least one.
//! A file whose scans hold fewer bits than its frame has blocks is truncated, however its last
//! marker looks: decoders pad the missing data silently and would make a 14000² picture of
//! whatever 1600×1200 the file really holds.

use std::io::BufRead;

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

/// Reads the markers and counts the entropy-coded bytes of every scan. `None` when the file
/// is not a JPEG with a frame header (the decoder then says what is wrong).
pub fn layout<R: BufRead>(reader: &mut R) -> std::io::Result<Option<JpegLayout>> {
    read(reader, true)
}

/// The frame alone, read up to the first scan (`entropy_bytes` is 0): what a decode's memory
/// budget needs, without reading the image data.
pub fn frame<R: BufRead>(reader: &mut R) -> std::io::Result<Option<JpegLayout>> {
    read(reader, false)
}

fn read<R: BufRead>(reader: &mut R, whole: bool) -> std::io::Result<Option<JpegLayout>> {
    let mut two = [0u8; 2];
    reader.read_exact(&mut two)?;
    if two != [0xFF, 0xD8] {
        return Ok(None);
    }
    let mut frame: Option<JpegLayout> = None;
    let mut pending = None;
    while let Some(marker) = pending
        .take()
        .map_or_else(|| next_marker(reader), |m| Ok(Some(m)))?
    {
        match marker {
            0xD9 => break,                  // EOI
            0x01 | 0xD0..=0xD7 => continue, // no length
            _ => {}
        }
        reader.read_exact(&mut two)?;
        let len = usize::from(u16::from_be_bytes(two)).saturating_sub(2);
        let mut segment = vec![0u8; len];
        reader.read_exact(&mut segment)?;
        match marker {
            // Start of frame: baseline, extended, progressive (Huffman or arithmetic).
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF if frame.is_none() => {
                frame = parse_frame(&segment, matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE));
            }
            0xDA if !whole => break,
            0xDA => {
                let (n, marker) = skip_entropy(reader)?;
                pending = marker;
                if let Some(f) = frame.as_mut() {
                    f.entropy_bytes += n;
                }
            }
            _ => {}
        }
    }
    Ok(frame)
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

/// The next marker code, skipping fill bytes; `None` at the end of the file.
fn next_marker<R: BufRead>(reader: &mut R) -> std::io::Result<Option<u8>> {
    let mut byte = [0u8; 1];
    loop {
        if reader.read(&mut byte)? == 0 {
            return Ok(None);
        }
        if byte[0] != 0xFF {
            continue;
        }
        loop {
            if reader.read(&mut byte)? == 0 {
                return Ok(None);
            }
            if byte[0] != 0xFF {
                break;
            }
        }
        if byte[0] != 0x00 {
            return Ok(Some(byte[0]));
        }
    }
}

/// Consumes entropy-coded data up to the next marker other than a restart; returns its length,
/// and the marker's code when it had to be read (else the reader stands on its 0xFF).
fn skip_entropy<R: BufRead>(reader: &mut R) -> std::io::Result<(u64, Option<u8>)> {
    let mut count = 0u64;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((count, None));
        }
        let mut i = 0;
        while i < buf.len() {
            // Data bytes run until the next 0xFF: skip them in one step.
            let run = buf[i..]
                .iter()
                .position(|&b| b == 0xFF)
                .unwrap_or(buf.len() - i);
            i += run;
            count += run as u64;
            if i == buf.len() {
                break;
            }
            // Need the byte after 0xFF.
            if i + 1 >= buf.len() {
                break;
            }
            match buf[i + 1] {
                0x00 => {
                    count += 1; // a stuffed 0xFF data byte
                    i += 2;
                }
                0xD0..=0xD7 | 0xFF => i += 1 + usize::from(buf[i + 1] != 0xFF),
                _ => {
                    reader.consume(i);
                    return Ok((count, None));
                }
            }
        }
        if i == 0 {
            // A lone 0xFF at the end of the buffer: read one more byte to decide.
            let mut pair = [0u8; 2];
            if reader.read_exact(&mut pair).is_err() {
                return Ok((count, None));
            }
            match pair[1] {
                0x00 => count += 1,
                0xD0..=0xD7 => {}
                code => return Ok((count, Some(code))),
            }
        } else {
            reader.consume(i);
        }
    }
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
        let l = layout(&mut bytes.as_slice()).unwrap().unwrap();
        assert_eq!((l.width, l.height), (14000, 14000));
        assert!(l.too_short(), "{l:?}");
    }
}
