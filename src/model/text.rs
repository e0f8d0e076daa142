//! Text at the boundary: everything stored is NFC (so "Bù Lạch" typed on a Mac and on Windows is
//! one string), and search compares a folded form that ignores case and Vietnamese diacritics.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// NFC-normalises text, keeping every diacritic.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// A file name as it is stored and shown: NFC, with control characters (CR, LF, ESC, DEL…)
/// and bidirectional controls replaced by `_` (an override makes `rtl\u{202E}gpj.exe` read
/// as `rtlexe.jpg`).
pub fn file_name(s: &str) -> String {
    nfc(s)
        .chars()
        .map(|c| {
            let bidi = matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            if c.is_control() || bidi {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// The name a download is offered under: the stored name's stem with `ext`, the extension of
/// what the bytes are (`poly.html` holding a JPEG is offered as `poly.jpg`).
pub fn download_name(name: &str, suffix: &str, ext: &str) -> String {
    let name = file_name(name);
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name.as_str(),
    };
    let stem = if stem.is_empty() { "download" } else { stem };
    format!("{stem}{suffix}.{ext}")
}

/// Folds case and diacritics, đ/Đ included, and collapses white space, so that "BU LACH",
/// "bu lach" and "Bù Lạch" compare equal.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c if c.is_whitespace() || c == '-' || c == '_' => ' ',
            c => c,
        };
        if c == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        out.extend(c.to_lowercase());
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Tags are NFC, trimmed and lowercase (diacritics kept): "Du lịch" and "du lịch" are one tag.
pub fn normalise_tag(tag: &str) -> String {
    nfc(tag.trim()).to_lowercase()
}

/// Whether `s` reads as Vietnamese rather than English: no common English word, and at least
/// a fifth of its words carry Vietnamese letters (tone marks, ă â đ ê ô ơ ư). Decides where a
/// caption without a language label goes; an English caption naming "Bà Rá" stays English.
pub fn looks_vietnamese(s: &str) -> bool {
    const ENGLISH: &[&str] = &[
        "the", "of", "and", "at", "over", "with", "from", "for", "is", "are", "by", "near",
        "during", "this", "view",
    ];
    let words: Vec<&str> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty()
        || words
            .iter()
            .any(|w| ENGLISH.contains(&w.to_lowercase().as_str()))
    {
        return false;
    }
    let marked = words
        .iter()
        .filter(|w| {
            w.nfd()
                .any(|c| is_combining_mark(c) || matches!(c, 'đ' | 'Đ'))
        })
        .count();
    marked * 5 >= words.len()
}

/// True when every word of `query` appears in `haystack`, both folded.
pub fn matches(query_folded: &str, haystack_folded: &str) -> bool {
    query_folded
        .split(' ')
        .filter(|w| !w.is_empty())
        .all(|w| haystack_folded.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_controls_and_downloads_take_the_real_extension() {
        assert_eq!(file_name("a\r\nb\u{1b}[31m\u{7f}.jpg"), "a__b_[31m_.jpg");
        assert_eq!(file_name("rtl\u{202E}gpj.exe"), "rtl_gpj.exe");
        assert_eq!(file_name("Cho\u{0300}.jpg"), "Chò.jpg", "NFC");
        assert_eq!(download_name("poly.html", "", "jpg"), "poly.jpg");
        assert_eq!(
            download_name("rtl\u{202E}gpj.exe", "", "jpg"),
            "rtl_gpj.jpg"
        );
        assert_eq!(
            download_name("Bù Lạch.JPG", "-press", "jpg"),
            "Bù Lạch-press.jpg"
        );
        assert_eq!(download_name("noext", "", "png"), "noext.png");
        assert_eq!(download_name(".hidden", "", "png"), ".hidden.png");
        assert_eq!(download_name("", "", "png"), "download.png");
    }

    #[test]
    fn vietnamese_is_told_from_english() {
        assert!(looks_vietnamese("Bình minh trên núi Bà Rá"));
        assert!(looks_vietnamese("Đồi chè"));
        assert!(!looks_vietnamese("Sunrise over Bà Rá mountain, Bình Phước"));
        assert!(!looks_vietnamese("Rubber trees"));
        assert!(!looks_vietnamese(""));
    }

    #[test]
    fn nfd_becomes_nfc() {
        let nfd: String = "Trảng cỏ Bù Lạch".nfd().collect();
        assert_ne!(nfd, "Trảng cỏ Bù Lạch");
        assert_eq!(nfc(&nfd), "Trảng cỏ Bù Lạch");
    }

    #[test]
    fn folding_ignores_case_and_diacritics() {
        assert_eq!(fold("Trảng cỏ Bù Lạch"), "trang co bu lach");
        assert_eq!(fold("ĐỒNG XOÀI"), "dong xoai");
        assert_eq!(fold("Núi Bà Rá - Thác Mơ"), "nui ba ra thac mo");
        assert!(matches(&fold("BU LACH"), &fold("Trảng cỏ Bù Lạch")));
        assert!(matches(&fold("ba ra"), &fold("Núi Bà Rá")));
        assert!(!matches(&fold("bom bo"), &fold("Núi Bà Rá")));
    }
}
