//! Recognises a file's type from its first bytes, never from its name.

use crate::model::MediaType;

/// How many leading bytes `sniff` looks at.
pub const HEAD_LEN: usize = 4096;

/// The media type of a file whose first bytes are `head` (up to `HEAD_LEN`), if supported.
pub fn sniff(head: &[u8]) -> Option<MediaType> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(MediaType::Jpeg);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(MediaType::Png);
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Some(MediaType::Gif);
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some(MediaType::Webp);
    }
    if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        return Some(MediaType::Tiff);
    }
    if head.starts_with(b"%PDF-") {
        return Some(MediaType::Pdf);
    }
    if let Some(doc) = super::matroska::doc_type(head) {
        return Some(match doc {
            super::matroska::DocType::Webm => MediaType::Webm,
            super::matroska::DocType::Matroska => MediaType::Mkv,
        });
    }
    if let Some(t) = sniff_bmff(head) {
        return Some(t);
    }
    if looks_like_svg(head) {
        return Some(MediaType::Svg);
    }
    if looks_like_text(head) {
        return Some(MediaType::Text);
    }
    None
}

/// UTF-8 without control characters other than tab and line breaks.
fn looks_like_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) if head.len() - e.valid_up_to() < 4 && e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && valid
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
}

/// ISO base media files (HEIF, MP4, QuickTime) by their `ftyp` brands; old QuickTime files start
/// with another atom.
fn sniff_bmff(head: &[u8]) -> Option<MediaType> {
    if head.len() < 12 {
        return None;
    }
    match &head[4..8] {
        b"ftyp" => {
            let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
            let end = size.clamp(12, head.len());
            let major = &head[8..12];
            // Compatible brands follow the minor version.
            let compatible = head.get(16..end).unwrap_or(&[]);
            let brands = std::iter::once(major).chain(compatible.chunks_exact(4));
            let mut kind = None;
            for brand in brands {
                match brand {
                    b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1"
                    | b"msf1" | b"avif" | b"avis" => return Some(MediaType::Heif),
                    b"qt  " => kind = kind.or(Some(MediaType::Mov)),
                    b"isom" | b"iso2" | b"iso4" | b"iso5" | b"iso6" | b"mp41" | b"mp42"
                    | b"avc1" | b"M4V " | b"M4VP" | b"dash" | b"3gp4" | b"3gp5" | b"3gp6"
                    | b"3g2a" | b"MSNV" => kind = kind.or(Some(MediaType::Mp4)),
                    _ => {}
                }
            }
            kind
        }
        b"moov" | b"mdat" | b"wide" | b"pnot" => Some(MediaType::Mov),
        _ => None,
    }
}

fn looks_like_svg(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    // The head may end in the middle of a UTF-8 sequence.
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => match std::str::from_utf8(&head[..e.valid_up_to()]) {
            Ok(t) if head.len() - e.valid_up_to() < 4 => t,
            _ => return false,
        },
    };
    let trimmed = text.trim_start();
    trimmed.starts_with('<') && text.contains("<svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_by_magic_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some(MediaType::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(MediaType::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(MediaType::Webp));
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"),
            Some(MediaType::Heif)
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypqt  \0\0\0\0qt  \0\0\0\0"),
            Some(MediaType::Mov)
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2"),
            Some(MediaType::Mp4)
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some(MediaType::Svg)
        );
        assert_eq!(
            sniff("Bình Phước – năng động".as_bytes()),
            Some(MediaType::Text)
        );
        assert_eq!(sniff(b"\x00\x01binary"), None);
        assert_eq!(sniff(b""), None);
    }
}
