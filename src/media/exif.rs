//! EXIF: reading camera metadata and GPS (kamadak-exif), and writing a small EXIF block into
//! JPEGs (renditions keep credit and copyright; sample and test photos carry real EXIF).

use std::io::{BufRead, Cursor, Seek};

use exif::{Field, In, Rational, Tag, Value};

use crate::model::{text, Exif, Gps};

/// What EXIF gave: camera fields, position, and problems that did not stop the reading.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ExifData {
    pub exif: Exif,
    pub gps: Option<Gps>,
    pub warnings: Vec<String>,
    /// An XMP packet (tag 700) and an IPTC IIM record (tag 33723) held in the IFD: where a
    /// TIFF keeps them.
    pub xmp: Option<Vec<u8>>,
    pub iptc: Option<Vec<u8>>,
}

/// Reads EXIF from a JPEG, TIFF, WebP, HEIF or PNG container. `None` when the file has no EXIF;
/// a damaged block yields what could be read, with warnings.
pub fn read<R: BufRead + Seek>(reader: &mut R) -> Option<ExifData> {
    let mut warnings = Vec::new();
    let parsed = exif::Reader::new()
        .continue_on_error(true)
        .read_from_container(reader)
        .or_else(|e| {
            e.distill_partial_result(|errors| {
                warnings.extend(errors.iter().map(|e| format!("damaged EXIF: {e}")))
            })
        });
    let parsed = match parsed {
        Ok(p) => p,
        Err(exif::Error::NotFound(_)) => return None,
        Err(e) => {
            return Some(ExifData {
                warnings: vec![format!("unreadable EXIF: {e}")],
                ..Default::default()
            })
        }
    };
    let ascii = |tag| field(&parsed, tag).and_then(|f| ascii_value(&f.value));
    let float = |tag| field(&parsed, tag).and_then(|f| rational_value(&f.value));
    let datetime = ascii(Tag::DateTimeOriginal).and_then(|s| iso_datetime(&s));
    let exif = Exif {
        make: ascii(Tag::Make),
        model: ascii(Tag::Model),
        lens: ascii(Tag::LensModel),
        orientation: field(&parsed, Tag::Orientation)
            .and_then(|f| f.value.get_uint(0))
            .and_then(|o| u16::try_from(o).ok())
            .filter(|o| (1..=8).contains(o)),
        datetime_original: datetime,
        offset: ascii(Tag::OffsetTimeOriginal).filter(|o| valid_offset(o)),
        exposure_time_s: float(Tag::ExposureTime),
        f_number: float(Tag::FNumber),
        iso: field(&parsed, Tag::PhotographicSensitivity).and_then(|f| f.value.get_uint(0)),
        focal_length_mm: float(Tag::FocalLength),
        artist: ascii(Tag::Artist),
        copyright: ascii(Tag::Copyright),
    };
    let gps = read_gps(&parsed, &mut warnings);
    let raw = |number| raw_bytes(&parsed, Tag(exif::Context::Tiff, number));
    Some(ExifData {
        exif,
        gps,
        warnings,
        xmp: raw(700),
        iptc: raw(33723),
    })
}

/// The bytes of a field written as BYTE, UNDEFINED or (as Photoshop writes IPTC) LONG.
fn raw_bytes(parsed: &exif::Exif, tag: Tag) -> Option<Vec<u8>> {
    match &field(parsed, tag)?.value {
        Value::Byte(b) | Value::Undefined(b, _) => Some(b.clone()),
        Value::Long(words) => Some(
            words
                .iter()
                .flat_map(|w| {
                    if parsed.little_endian() {
                        w.to_le_bytes()
                    } else {
                        w.to_be_bytes()
                    }
                })
                .collect(),
        ),
        _ => None,
    }
}

fn field(exif: &exif::Exif, tag: Tag) -> Option<&Field> {
    exif.get_field(tag, In::PRIMARY)
}

/// The first string of an ASCII field, NFC, trimmed; cameras pad with NULs and spaces. Many
/// writers put UTF-8 into ASCII fields (Vietnamese names), so bytes are decoded as UTF-8.
fn ascii_value(value: &Value) -> Option<String> {
    let Value::Ascii(strings) = value else {
        return None;
    };
    let raw = strings.first()?;
    let s = String::from_utf8_lossy(raw);
    let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!s.is_empty()).then(|| text::nfc(s))
}

fn rational_value(value: &Value) -> Option<f64> {
    match value {
        Value::Rational(v) => v
            .first()
            .filter(|r| r.denom != 0)
            .map(|r| r.num as f64 / r.denom as f64),
        Value::SRational(v) => v
            .first()
            .filter(|r| r.denom != 0)
            .map(|r| r.num as f64 / r.denom as f64),
        _ => None,
    }
}

/// "2023:05:01 08:30:00" → "2023-05-01T08:30:00"; blank or malformed dates give `None`.
fn iso_datetime(s: &str) -> Option<String> {
    let dt = exif::DateTime::from_ascii(s.as_bytes()).ok()?;
    let valid = (1..=12).contains(&dt.month)
        && (1..=31).contains(&dt.day)
        && dt.hour < 24
        && dt.minute < 60
        && dt.second < 61;
    valid.then(|| {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second
        )
    })
}

fn valid_offset(o: &str) -> bool {
    let b = o.as_bytes();
    b.len() == 6
        && (b[0] == b'+' || b[0] == b'-')
        && b[1..3].iter().all(u8::is_ascii_digit)
        && b[3] == b':'
        && b[4..6].iter().all(u8::is_ascii_digit)
}

fn read_gps(exif: &exif::Exif, warnings: &mut Vec<String>) -> Option<Gps> {
    let lat = dms(field(exif, Tag::GPSLatitude)?)?;
    let lon = dms(field(exif, Tag::GPSLongitude)?)?;
    let hemisphere = |tag| {
        field(exif, tag)
            .and_then(|f| ascii_value(&f.value))
            .and_then(|s| s.chars().next())
    };
    let lat = match hemisphere(Tag::GPSLatitudeRef) {
        Some('S' | 's') => -lat,
        _ => lat,
    };
    let lon = match hemisphere(Tag::GPSLongitudeRef) {
        Some('W' | 'w') => -lon,
        _ => lon,
    };
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        warnings.push(format!("GPS position out of range: {lat}, {lon}"));
        return None;
    }
    let below_sea = field(exif, Tag::GPSAltitudeRef).and_then(|f| f.value.get_uint(0)) == Some(1);
    let alt_m = field(exif, Tag::GPSAltitude)
        .and_then(|f| rational_value(&f.value))
        .map(|a| if below_sea { -a } else { a });
    Some(Gps { lat, lon, alt_m })
}

/// Degrees, minutes, seconds as three rationals → decimal degrees. Some phones (HMD/Nokia)
/// write them as signed rationals; a negative part is not a position.
fn dms(field: &Field) -> Option<f64> {
    // A zero denominator (some cameras write 0/0 for unknown seconds) is a missing part.
    let parts: Vec<Option<f64>> = match &field.value {
        Value::Rational(v) => v
            .iter()
            .map(|r| (r.denom != 0).then(|| f64::from(r.num) / f64::from(r.denom)))
            .collect(),
        Value::SRational(v) => v
            .iter()
            .map(|r| (r.denom != 0).then(|| f64::from(r.num) / f64::from(r.denom)))
            .collect(),
        _ => return None,
    };
    if parts.iter().flatten().any(|p| *p < 0.0) {
        return None;
    }
    let part = |i: usize| parts.get(i).copied().flatten();
    Some(part(0)? + part(1).unwrap_or(0.0) / 60.0 + part(2).unwrap_or(0.0) / 3600.0)
}

/// The fields `write_block` can write. Only what brandvault itself needs to write: the credit
/// and copyright kept on renditions, and the metadata of generated sample and test photos.
#[derive(Debug, Clone, Default)]
pub struct ExifFields {
    pub make: Option<String>,
    pub model: Option<String>,
    pub orientation: Option<u16>,
    /// `YYYY-MM-DDTHH:MM:SS`
    pub datetime_original: Option<String>,
    /// `+07:00`
    pub offset: Option<String>,
    pub artist: Option<String>,
    pub copyright: Option<String>,
    pub description: Option<String>,
    pub gps: Option<Gps>,
}

/// Encodes `fields` as a TIFF-structured EXIF block (the payload of a JPEG APP1 segment, without
/// the `Exif\0\0` header).
pub fn write_block(fields: &ExifFields) -> Result<Vec<u8>, exif::Error> {
    let ascii = |tag: Tag, s: &str| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![s.as_bytes().to_vec()]),
    };
    let short = |tag: Tag, ifd_num: In, v: u16| Field {
        tag,
        ifd_num,
        value: Value::Short(vec![v]),
    };
    let undefined = |tag: Tag, v: &[u8]| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Undefined(v.to_vec(), 0),
    };
    // What the standard requires of every JPEG's EXIF, so validators find nothing missing.
    let dpi = || vec![Rational { num: 72, denom: 1 }];
    let mut list: Vec<Field> = vec![
        rationals(Tag::XResolution, dpi()),
        rationals(Tag::YResolution, dpi()),
        short(Tag::ResolutionUnit, In::PRIMARY, 2),
        short(Tag::YCbCrPositioning, In::PRIMARY, 1),
    ];
    if fields.datetime_original.is_some() || fields.offset.is_some() {
        list.push(undefined(Tag::ExifVersion, b"0232"));
        list.push(undefined(Tag::ComponentsConfiguration, &[1, 2, 3, 0]));
        list.push(undefined(Tag::FlashpixVersion, b"0100"));
        list.push(short(Tag::ColorSpace, In::PRIMARY, 1));
    }
    let strings = [
        (Tag::Make, &fields.make),
        (Tag::Model, &fields.model),
        (Tag::Artist, &fields.artist),
        (Tag::Copyright, &fields.copyright),
        (Tag::ImageDescription, &fields.description),
        (Tag::OffsetTimeOriginal, &fields.offset),
    ];
    for (tag, value) in strings {
        if let Some(v) = value {
            list.push(ascii(tag, v));
        }
    }
    if let Some(o) = fields.orientation {
        list.push(Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![o]),
        });
    }
    if let Some(dt) = &fields.datetime_original {
        list.push(ascii(
            Tag::DateTimeOriginal,
            &dt.replacen('-', ":", 2).replace('T', " "),
        ));
    }
    if let Some(gps) = fields.gps {
        let (lat_ref, lon_ref) = (
            if gps.lat < 0.0 { "S" } else { "N" },
            if gps.lon < 0.0 { "W" } else { "E" },
        );
        list.push(Field {
            tag: Tag::GPSVersionID,
            ifd_num: In::PRIMARY,
            value: Value::Byte(vec![2, 3, 0, 0]),
        });
        list.push(ascii(Tag::GPSLatitudeRef, lat_ref));
        list.push(rationals(Tag::GPSLatitude, to_dms(gps.lat.abs())));
        list.push(ascii(Tag::GPSLongitudeRef, lon_ref));
        list.push(rationals(Tag::GPSLongitude, to_dms(gps.lon.abs())));
        if let Some(alt) = gps.alt_m {
            list.push(Field {
                tag: Tag::GPSAltitudeRef,
                ifd_num: In::PRIMARY,
                value: Value::Byte(vec![u8::from(alt < 0.0)]),
            });
            list.push(rationals(
                Tag::GPSAltitude,
                vec![Rational {
                    num: (alt.abs() * 100.0).round() as u32,
                    denom: 100,
                }],
            ));
        }
    }
    let mut writer = exif::experimental::Writer::new();
    for f in &list {
        writer.push_field(f);
    }
    let mut out = Cursor::new(Vec::new());
    writer.write(&mut out, false)?;
    Ok(out.into_inner())
}

fn rationals(tag: Tag, v: Vec<Rational>) -> Field {
    Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Rational(v),
    }
}

/// Decimal degrees → whole degrees, whole minutes, seconds with 1/10000 precision (~3 mm).
fn to_dms(deg: f64) -> Vec<Rational> {
    let d = deg.trunc();
    let m = ((deg - d) * 60.0).trunc();
    let s = ((deg - d) * 60.0 - m) * 60.0;
    vec![
        Rational {
            num: d as u32,
            denom: 1,
        },
        Rational {
            num: m as u32,
            denom: 1,
        },
        Rational {
            num: (s * 10_000.0).round() as u32,
            denom: 10_000,
        },
    ]
}

/// Inserts an EXIF block into a JPEG as an APP1 segment after SOI and any APP0 (JFIF), replacing
/// any existing EXIF APP1. Returns `None` if `jpeg` is not a JPEG or the block is too big for a
/// segment.
pub fn insert_into_jpeg(jpeg: &[u8], block: &[u8]) -> Option<Vec<u8>> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) || block.len() + 8 > 0xFFFF {
        return None;
    }
    let mut pos = 2;
    let mut keep: Vec<&[u8]> = Vec::new();
    // Walk the leading APPn segments: keep APP0, drop an old EXIF APP1, stop at anything else.
    while pos + 4 <= jpeg.len() && jpeg[pos] == 0xFF && (0xE0..=0xEF).contains(&jpeg[pos + 1]) {
        let len = u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]) as usize;
        let end = (pos + 2 + len).min(jpeg.len());
        let segment = &jpeg[pos..end];
        let is_exif = jpeg[pos + 1] == 0xE1 && segment.get(4..10) == Some(b"Exif\0\0");
        if !is_exif {
            keep.push(segment);
        }
        pos = end;
    }
    let mut out = Vec::with_capacity(jpeg.len() + block.len() + 10);
    out.extend_from_slice(&[0xFF, 0xD8]);
    let (app0, other): (Vec<&[u8]>, Vec<&[u8]>) = keep.into_iter().partition(|s| s[1] == 0xE0);
    for s in app0 {
        out.extend_from_slice(s);
    }
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((block.len() + 8) as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(block);
    for s in other {
        out.extend_from_slice(s);
    }
    out.extend_from_slice(&jpeg[pos..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dms_round_trip_is_close() {
        let d = to_dms(11.8169);
        let back = d[0].num as f64 + d[1].num as f64 / 60.0 + d[2].num as f64 / 10_000.0 / 3600.0;
        assert!((back - 11.8169).abs() < 1e-7);
    }

    #[test]
    fn datetime_is_iso() {
        assert_eq!(
            iso_datetime("2023:05:01 08:30:00").as_deref(),
            Some("2023-05-01T08:30:00")
        );
        assert_eq!(iso_datetime("    :  :     :  :  "), None);
        assert_eq!(iso_datetime("2023:13:01 08:30:00"), None);
    }
}
