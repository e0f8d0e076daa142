//! A film's subtitle tracks: one per language (a BCP 47 tag), stored as WebVTT in the store
//! under its BLAKE3 like any other object, and listed on the asset.

use serde::{Deserialize, Serialize};

/// One subtitle track as the asset lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Subtitle {
    /// BCP 47 language tag, in its canonical case (`vi`, `en`, `zh-Hans`, `km`).
    pub lang: String,
    /// BLAKE3 of the stored WebVTT file (hex).
    pub hash: String,
    pub bytes: u64,
    pub cues: u32,
    pub added_at: String,
    pub added_by: String,
}

impl Subtitle {
    /// The language's name in that language ("Tiếng Việt", "English"): the player's label.
    pub fn label(&self) -> String {
        language_label(&self.lang)
    }
}

/// `tag` in the canonical case of BCP 47 (language lower case, script title case, region
/// upper case), or `None` when it is not a well-formed tag.
pub fn language_tag(tag: &str) -> Option<String> {
    let parts: Vec<&str> = tag.trim().split(['-', '_']).collect();
    let (first, rest) = parts.split_first()?;
    let alpha = |s: &str| s.bytes().all(|b| b.is_ascii_alphabetic());
    if !(2..=3).contains(&first.len()) || !alpha(first) || tag.len() > 35 {
        return None;
    }
    let mut out = vec![first.to_ascii_lowercase()];
    for part in rest {
        let ok = (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok {
            return None;
        }
        out.push(match part.len() {
            4 if alpha(part) => {
                let lower = part.to_ascii_lowercase();
                lower[..1].to_ascii_uppercase() + &lower[1..]
            }
            2 if alpha(part) => part.to_ascii_uppercase(),
            _ => part.to_ascii_lowercase(),
        });
    }
    Some(out.join("-"))
}

/// The name of the language of `tag` in that language, for the languages the programme's
/// films are likely to carry; others are named by their tag.
pub fn language_label(tag: &str) -> String {
    let names: [(&str, &str); 16] = [
        ("vi", "Tiếng Việt"),
        ("en", "English"),
        ("km", "ភាសាខ្មែរ"),
        ("lo", "ພາສາລາວ"),
        ("th", "ภาษาไทย"),
        ("zh-Hans", "中文（简体）"),
        ("zh-Hant", "中文（繁體）"),
        ("zh", "中文"),
        ("ja", "日本語"),
        ("ko", "한국어"),
        ("fr", "Français"),
        ("de", "Deutsch"),
        ("ru", "Русский"),
        ("es", "Español"),
        ("id", "Bahasa Indonesia"),
        ("ms", "Bahasa Melayu"),
    ];
    names
        .iter()
        .find(|(t, _)| *t == tag)
        .or_else(|| {
            let primary = tag.split('-').next().unwrap_or(tag);
            names.iter().find(|(t, _)| *t == primary)
        })
        .map_or_else(|| tag.to_owned(), |(_, name)| (*name).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_checked_and_put_in_canonical_case() {
        assert_eq!(language_tag("VI").as_deref(), Some("vi"));
        assert_eq!(language_tag("zh_hans").as_deref(), Some("zh-Hans"));
        assert_eq!(language_tag("en-gb").as_deref(), Some("en-GB"));
        for bad in ["", "v", "vietnamese", "vi-", "vi--VN", "../x", "vi VN"] {
            assert_eq!(language_tag(bad), None, "{bad:?}");
        }
        assert_eq!(language_label("vi"), "Tiếng Việt");
        assert_eq!(language_label("en-GB"), "English");
        assert_eq!(language_label("zh-Hans"), "中文（简体）");
        assert_eq!(language_label("tlh"), "tlh");
    }
}
