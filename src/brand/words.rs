//! The identity's terms in words, in either language: a logo variant's name, its usage rules,
//! a colour's role, a background. The `/brand` page, asset pages and the kit's guide all say
//! them the same way, and none shows a code such as `mono_dark` to a reader.

use crate::i18n::Lang;
use crate::model::{Background, ColourRole, LogoLayout, LogoVariant};

/// "Logo ngang · đủ màu · song ngữ": layout, colour and (except the symbol) language.
pub fn variant_name(lang: Lang, v: &LogoVariant) -> String {
    fn key(lang: Lang, prefix: &str, value: &impl serde::Serialize) -> &'static str {
        let code = serde_json::to_value(value)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        lang.t(&format!("{prefix}.{code}"))
    }
    let mut parts = vec![
        key(lang, "logo.layout", &v.layout),
        key(lang, "logo.colour", &v.colour_mode),
    ];
    if v.layout != LogoLayout::Icon {
        parts.push(key(lang, "logo.language", &v.language));
    }
    parts.join(" · ")
}

/// A logo's rules, one sentence each: clear space, minimum sizes, the backgrounds it is for.
pub fn logo_rules(lang: Lang, v: &LogoVariant) -> [String; 3] {
    let backgrounds: Vec<&str> = v.backgrounds.iter().map(|b| background(lang, *b)).collect();
    [
        lang.fill(
            "asset.clear_space",
            &[("n", &format!("{:.0}", v.clear_space * 100.0))],
        ),
        lang.fill(
            "asset.min_size",
            &[
                ("px", &v.min_width_px.to_string()),
                ("mm", &v.min_width_mm.to_string()),
            ],
        ),
        format!(
            "{}: {}",
            lang.t("asset.backgrounds"),
            backgrounds.join(", ")
        ),
    ]
}

/// "nền sáng" / "light backgrounds": where a logo variant may stand.
pub fn background(lang: Lang, b: Background) -> &'static str {
    lang.t(match b {
        Background::Light => "background.light",
        Background::Dark => "background.dark",
        Background::Photo => "background.photo",
    })
}

/// What a typeface is for, in words ("tiêu đề" for "headings"); a use the messages do not
/// know is shown as the guidelines write it.
pub fn typeface_use(lang: Lang, used_for: &str) -> String {
    let key = format!("typeface.use.{}", used_for.replace(' ', "_"));
    lang.lookup(&key).unwrap_or(used_for).to_owned()
}

/// "màu chính" / "primary": a palette colour's place in the identity.
pub fn colour_role(lang: Lang, r: ColourRole) -> &'static str {
    lang.t(match r {
        ColourRole::Primary => "brand.role.primary",
        ColourRole::Secondary => "brand.role.secondary",
        ColourRole::Accent => "brand.role.accent",
        ColourRole::Neutral => "brand.role.neutral",
    })
}
