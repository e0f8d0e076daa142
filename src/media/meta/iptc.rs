//! IPTC IIM: the record older newsroom systems read, inside a Photoshop image resource block
//! (JPEG APP13). Read with its character set (1:90), written as UTF-8 with the marker.

use super::{clean, Described, Outgoing};

/// The APP13 payload's signature.
pub const PHOTOSHOP: &[u8] = b"Photoshop 3.0\0";
/// The image resource holding the IIM record.
const IPTC_RESOURCE: u16 = 0x0404;
/// ISO 2022 escape sequence for UTF-8, the value of 1:90.
const UTF8_MARKER: &[u8] = b"\x1b%G";

/// The IIM record inside a Photoshop image resource block (an APP13 payload, with or without
/// its signature), if any.
pub fn from_resources(block: &[u8]) -> Option<&[u8]> {
    let mut rest = block.strip_prefix(PHOTOSHOP).unwrap_or(block);
    while rest.len() >= 12 && &rest[..4] == b"8BIM" {
        let id = u16::from_be_bytes([rest[4], rest[5]]);
        // A Pascal name, padded so that its length byte and text take an even count.
        let name_len = usize::from(rest[6]);
        let after_name = 6 + (1 + name_len).next_multiple_of(2);
        let size_at = rest.get(after_name..after_name + 4)?;
        let size = u32::from_be_bytes(size_at.try_into().ok()?) as usize;
        let data_at = after_name + 4;
        let data = rest.get(data_at..data_at.checked_add(size)?)?;
        if id == IPTC_RESOURCE {
            return Some(data);
        }
        rest = rest.get(data_at + size.next_multiple_of(2)..)?;
    }
    None
}

/// One dataset: record, number, bytes.
fn datasets(iim: &[u8]) -> impl Iterator<Item = (u8, u8, &[u8])> {
    let mut rest = iim;
    std::iter::from_fn(move || {
        while rest.len() >= 5 {
            if rest[0] != 0x1C {
                // Padding or garbage between datasets: skip to the next tag marker.
                let next = rest.iter().position(|&b| b == 0x1C)?;
                rest = &rest[next..];
                continue;
            }
            let (record, number) = (rest[1], rest[2]);
            let declared = u16::from_be_bytes([rest[3], rest[4]]);
            let (len, header) = if declared & 0x8000 == 0 {
                (usize::from(declared), 5)
            } else {
                // Extended dataset: the next `n` bytes give the length.
                let n = usize::from(declared & 0x7FFF);
                let bytes = rest.get(5..5 + n).filter(|_| n <= 4)?;
                let len = bytes
                    .iter()
                    .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
                (len, 5 + n)
            };
            let data = rest.get(header..header.checked_add(len)?)?;
            rest = &rest[header + len..];
            return Some((record, number, data));
        }
        None
    })
}

/// Reads the descriptive fields of an IIM record. Text is UTF-8 when 1:90 says so; without
/// the marker, text that is valid UTF-8 (Vietnamese from tools that never set it) is read as
/// UTF-8 and reported, anything else as Latin-1 and reported.
pub fn parse(iim: &[u8]) -> Described {
    let mut out = Described::default();
    if iim.len() > super::MAX_BLOCK_BYTES {
        out.warnings.push(format!(
            "IPTC record of {} bytes ignored: too large",
            iim.len()
        ));
        return out;
    }
    let utf8 = datasets(iim).any(|(r, n, d)| r == 1 && n == 90 && d == UTF8_MARKER);
    let mut guessed = None;
    let mut decode = |bytes: &[u8]| -> Option<String> {
        let text = match std::str::from_utf8(bytes) {
            Ok(s) => {
                if !utf8 && !s.is_ascii() {
                    guessed.get_or_insert("UTF-8 (Vietnamese or other non-Latin-1 text)");
                }
                s.to_owned()
            }
            Err(_) if utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Err(_) => {
                guessed.get_or_insert("Latin-1");
                bytes.iter().map(|&b| char::from(b)).collect()
            }
        };
        clean(&text)
    };
    for (record, number, data) in datasets(iim) {
        if record != 2 {
            continue;
        }
        let Some(value) = decode(data) else { continue };
        match number {
            5 => {
                out.title.default.get_or_insert(value);
            }
            25 => out.keywords.push(value),
            // 40 is Special Instructions (a restriction), not a licence: not read as one.
            80 => {
                out.creator = Some(match out.creator.take() {
                    Some(earlier) => format!("{earlier}, {value}"),
                    None => value,
                })
            }
            90 => {
                out.location.city.get_or_insert(value);
            }
            92 => {
                out.location.sublocation.get_or_insert(value);
            }
            95 => {
                out.location.province.get_or_insert(value);
            }
            101 => {
                out.location.country.get_or_insert(value);
            }
            // The headline stands in for a title only when there is no object name.
            105 => {
                out.title.default.get_or_insert(value);
            }
            110 => {
                out.credit.get_or_insert(value);
            }
            116 => {
                out.copyright.get_or_insert(value);
            }
            120 => {
                out.caption.default.get_or_insert(value);
            }
            _ => {}
        }
    }
    if let Some(charset) = guessed {
        out.warnings.push(format!(
            "IPTC text declares no character set (1:90); read as {charset}"
        ));
    }
    out
}

/// The IIM record for a delivered JPEG, UTF-8 with its 1:90 marker. IIM has one caption: the
/// Vietnamese and English texts, one paragraph each. Each field is cut to the length the IIM
/// standard allows it (in bytes, at a character boundary): XMP carries the whole text.
pub fn write(m: &Outgoing) -> Vec<u8> {
    let mut out = Vec::new();
    push(&mut out, 1, 90, UTF8_MARKER, 32);
    push(&mut out, 2, 0, &4u16.to_be_bytes(), 2);
    let mut text = |number: u8, value: Option<&str>, limit: usize| {
        if let Some(v) = value {
            push(&mut out, 2, number, v.as_bytes(), limit);
        }
    };
    let title = m.title.vi.as_deref().or(m.title.en.as_deref());
    text(5, title, 64);
    for k in &m.keywords {
        text(25, Some(k), 64);
    }
    text(40, m.instructions.as_deref(), 256);
    if let Some((date, time)) = m.date_created.as_deref().and_then(iim_date_time) {
        text(55, Some(&date), 8);
        text(60, Some(&time), 11);
    }
    text(80, m.credit.as_deref(), 32);
    text(90, m.location.city.as_deref(), 32);
    text(92, m.location.sublocation.as_deref(), 32);
    text(95, m.location.province.as_deref(), 32);
    text(101, m.location.country.as_deref(), 64);
    text(105, title, 256);
    text(110, m.credit.as_deref(), 32);
    text(116, m.copyright.as_deref(), 128);
    let caption: Vec<&str> = [m.caption.vi.as_deref(), m.caption.en.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !caption.is_empty() {
        text(120, Some(&caption.join("\n\n")), 2000);
    }
    out
}

/// IIM's Date Created (CCYYMMDD) and Time Created (HHMMSS±HHMM) of an XMP date.
fn iim_date_time(xmp: &str) -> Option<(String, String)> {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let date = digits(xmp.get(..10)?);
    let time = digits(xmp.get(11..19)?);
    if date.len() != 8 || time.len() != 6 {
        return None;
    }
    let offset = xmp
        .get(19..)
        .filter(|o| o.len() == 6)
        .map_or("+0000".to_owned(), |o| format!("{}{}", &o[..1], digits(o)));
    Some((date, format!("{time}{offset}")))
}

/// One dataset, cut to `limit` bytes at a character boundary.
fn push(out: &mut Vec<u8>, record: u8, number: u8, value: &[u8], limit: usize) {
    let mut len = value.len().min(limit);
    while len < value.len() && len > 0 && (value[len] & 0xC0) == 0x80 {
        len -= 1;
    }
    out.extend_from_slice(&[0x1C, record, number]);
    out.extend_from_slice(&(len as u16).to_be_bytes());
    out.extend_from_slice(&value[..len]);
}

/// An APP13 payload: the Photoshop signature and one image resource holding `iim`.
pub fn resources(iim: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(iim.len() + 28);
    out.extend_from_slice(PHOTOSHOP);
    out.extend_from_slice(b"8BIM");
    out.extend_from_slice(&IPTC_RESOURCE.to_be_bytes());
    out.extend_from_slice(&[0, 0]); // empty name, padded to even
    out.extend_from_slice(&(iim.len() as u32).to_be_bytes());
    out.extend_from_slice(iim);
    if iim.len() % 2 == 1 {
        out.push(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Caption;

    #[test]
    fn written_record_reads_back_through_its_resource_block() {
        let m = Outgoing {
            caption: Caption {
                vi: Some("Sóc Bom Bo".into()),
                en: Some("Bom Bo village".into()),
            },
            credit: Some("Lê Văn C".into()),
            copyright: Some("© Bình Phước".into()),
            keywords: vec!["văn hoá".into(), "lễ hội".into()],
            ..Default::default()
        };
        let block = resources(&write(&m));
        let d = parse(from_resources(&block).unwrap());
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!(
            d.caption.default.as_deref(),
            Some("Sóc Bom Bo\n\nBom Bo village")
        );
        assert_eq!(d.creator.as_deref(), Some("Lê Văn C"));
        assert_eq!(d.credit.as_deref(), Some("Lê Văn C"));
        assert_eq!(d.copyright, m.copyright);
        assert_eq!(d.keywords, m.keywords);
    }

    #[test]
    fn fields_keep_to_their_byte_limits_and_dates_take_iim_form() {
        let m = Outgoing {
            credit: Some("Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch".into()),
            date_created: Some("2024-05-01T06:30:00+07:00".into()),
            instructions: Some("Chỉ dùng cho tin tức / News use only".into()),
            ..Default::default()
        };
        let iim = write(&m);
        let fields: Vec<(u8, Vec<u8>)> = datasets(&iim)
            .filter(|(r, _, _)| *r == 2)
            .map(|(_, n, d)| (n, d.to_vec()))
            .collect();
        let field = |n: u8| fields.iter().find(|(f, _)| *f == n).map(|(_, d)| d.clone());
        let credit = field(80).unwrap();
        assert!(credit.len() <= 32, "{}", credit.len());
        let credit = String::from_utf8(credit).expect("cut at a character boundary");
        assert!(credit.starts_with("Trung tâm Xúc tiến"), "{credit}");
        assert_eq!(field(55).unwrap(), b"20240501");
        assert_eq!(field(60).unwrap(), b"063000+0700");
        assert_eq!(
            field(40).unwrap(),
            "Chỉ dùng cho tin tức / News use only".as_bytes()
        );
    }

    #[test]
    fn unmarked_utf8_is_kept_and_reported_and_latin1_is_decoded() {
        let mut iim = Vec::new();
        push(&mut iim, 2, 120, "Thác Mơ".as_bytes(), 2000);
        let d = parse(&iim);
        assert_eq!(d.caption.default.as_deref(), Some("Thác Mơ"));
        assert!(d.warnings[0].contains("UTF-8"), "{:?}", d.warnings);
        let mut iim = Vec::new();
        push(&mut iim, 2, 80, b"Jos\xe9", 32);
        let d = parse(&iim);
        assert_eq!(d.creator.as_deref(), Some("José"));
        assert!(d.warnings[0].contains("Latin-1"));
    }

    #[test]
    fn damaged_records_end_quietly() {
        let m = Outgoing {
            caption: Caption {
                vi: Some("Bù Gia Mập".into()),
                en: None,
            },
            ..Default::default()
        };
        let block = resources(&write(&m));
        for cut in 0..block.len() {
            let _ = from_resources(&block[..cut]).map(parse);
            let _ = parse(&block[..cut]);
        }
        assert!(from_resources(b"8BIM\x04\x04\xff").is_none());
    }
}
