//! A PNG's compressed metadata measured before any decoder inflates it: an ICC profile
//! (`iCCP`) or text (`zTXt`, `iTXt`) of a few kilobytes can inflate to gigabytes. Each is
//! inflated into nothing, counting, and refused past the metadata budget.

use std::io::{BufRead, Read};

/// The largest inflated metadata chunk, as (chunk type, bytes), stopping as soon as one goes
/// over `limit`; reads chunk headers up to the first `IDAT`.
pub fn largest_metadata<R: BufRead>(
    reader: &mut R,
    limit: u64,
) -> std::io::Result<Option<(String, u64)>> {
    let mut signature = [0u8; 8];
    reader.read_exact(&mut signature)?;
    if &signature != b"\x89PNG\r\n\x1a\n" {
        return Ok(None);
    }
    let mut largest: Option<(String, u64)> = None;
    loop {
        let mut header = [0u8; 8];
        if reader.read_exact(&mut header).is_err() {
            return Ok(largest);
        }
        let len = u64::from(u32::from_be_bytes([
            header[0], header[1], header[2], header[3],
        ]));
        let kind = String::from_utf8_lossy(&header[4..]).into_owned();
        if kind == "IDAT" || kind == "IEND" {
            return Ok(largest);
        }
        let mut data = reader.by_ref().take(len);
        let inflated = match kind.as_str() {
            "iCCP" | "zTXt" => {
                skip_to_nul(&mut data)?; // name or keyword
                skip(&mut data, 1)?; // compression method
                inflated_size(&mut data, limit)?
            }
            "iTXt" => {
                skip_to_nul(&mut data)?;
                let mut flags = [0u8; 2];
                data.read_exact(&mut flags)?;
                skip_to_nul(&mut data)?; // language
                skip_to_nul(&mut data)?; // translated keyword
                if flags[0] == 1 {
                    inflated_size(&mut data, limit)?
                } else {
                    0
                }
            }
            _ => 0,
        };
        std::io::copy(&mut data, &mut std::io::sink())?;
        skip(reader, 4)?; // CRC
        if largest.as_ref().is_none_or(|(_, n)| inflated > *n) {
            largest = Some((kind, inflated));
        }
        if inflated > limit {
            return Ok(largest);
        }
    }
}

/// Inflates zlib data into nothing; stops one byte past `limit`.
fn inflated_size(data: &mut impl Read, limit: u64) -> std::io::Result<u64> {
    let mut z = flate2::read::ZlibDecoder::new(data).take(limit + 1);
    // A damaged stream is the decoder's to report; only the size matters here.
    Ok(std::io::copy(&mut z, &mut std::io::sink()).unwrap_or(0))
}

fn skip_to_nul(data: &mut impl Read) -> std::io::Result<()> {
    let mut byte = [0u8; 1];
    for _ in 0..256 {
        if data.read(&mut byte)? == 0 || byte[0] == 0 {
            return Ok(());
        }
    }
    Ok(())
}

fn skip(data: &mut impl Read, n: u64) -> std::io::Result<()> {
    std::io::copy(&mut data.take(n), &mut std::io::sink()).map(drop)
}
