//! The compliance rules: what an asset must satisfy before it can be approved. Pure: the caller
//! passes the asset, the brand, the logo's bytes when it is an SVG, and the time.

use super::svg_rules::check_logo_svg;
use super::Brand;
use crate::model::{text, Access, Asset, Guidelines, Kind, Rule, Violation};

fn v(rule: Rule, message: impl Into<String>) -> Violation {
    Violation {
        rule,
        message: message.into(),
    }
}

/// Every guideline violation of `asset` at time `now` (RFC 3339, UTC).
pub fn check_asset(asset: &Asset, brand: &Brand, svg: Option<&[u8]>, now: &str) -> Vec<Violation> {
    let Some(g) = &brand.guidelines else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match asset.kind {
        Kind::Logo => out.extend(logo_violations(asset, brand, g, svg)),
        Kind::Slogan => out.extend(slogan_violation(asset, g)),
        Kind::Photo | Kind::Video | Kind::Document => {}
    }
    if matches!(asset.kind, Kind::Photo) && matches!(asset.access, Access::Press | Access::Public) {
        let long_edge = asset.width.unwrap_or(0).max(asset.height.unwrap_or(0));
        let min = g.rules.press_min_long_edge_px;
        if long_edge < min {
            out.push(v(
                Rule::PressResolution,
                format!("long edge {long_edge} px is below the {min} px the press needs"),
            ));
        }
    }
    if matches!(asset.kind, Kind::Photo | Kind::Video | Kind::Document) {
        out.extend(rights_violations(asset, g, now));
    }
    out.extend(subtitles_missing(asset, g));
    if let Some(far) = spot_far_from_gps(asset, g.rules.spot_max_distance_m) {
        out.push(far);
    }
    if matches!(asset.kind, Kind::Photo | Kind::Video) {
        out.extend(vocabulary_violations(asset, g));
    }
    out
}

/// A public film without a subtitle track in each language the guidelines require.
fn subtitles_missing(asset: &Asset, g: &Guidelines) -> Option<Violation> {
    if asset.kind != Kind::Video || asset.access != Access::Public {
        return None;
    }
    let missing: Vec<&str> = g
        .rules
        .public_film_subtitles
        .iter()
        .map(String::as_str)
        .filter(|lang| asset.subtitle(lang).is_none())
        .collect();
    (!missing.is_empty()).then(|| {
        v(
            Rule::SubtitlesMissing,
            format!("a public film needs subtitles in: {}", missing.join(", ")),
        )
    })
}

/// A logo's SVG against the logo rules, and its proportions against its variant's.
fn logo_violations(
    asset: &Asset,
    brand: &Brand,
    g: &Guidelines,
    svg: Option<&[u8]>,
) -> Vec<Violation> {
    let mut out = svg
        .map(|bytes| check_logo_svg(bytes, g))
        .unwrap_or_default();
    if let Some((variant, (vw, vh))) = brand.variant_of(asset) {
        if let (Some(w), Some(h)) = (asset.width, asset.height) {
            let (a, b) = (f64::from(w) / f64::from(h), vw / vh);
            if (a / b - 1.0).abs() > 0.01 {
                out.push(v(
                    Rule::LogoAspectRatio,
                    format!(
                        "{w}×{h} does not have the proportions of variant {variant} ({vw}×{vh})"
                    ),
                ));
            }
        }
    }
    out
}

/// A slogan file must be an approved slogan letter for letter, in NFC.
fn slogan_violation(asset: &Asset, g: &Guidelines) -> Option<Violation> {
    let raw = asset
        .text
        .as_deref()
        .unwrap_or("")
        .trim_end_matches(['\n', '\r']);
    let approved = |t: &str| g.slogans.iter().any(|s| s.vi == t || s.en == t);
    if approved(raw) {
        None
    } else if approved(&text::nfc(raw)) {
        Some(v(
            Rule::SloganNotNfc,
            "the slogan's text is not in NFC form (decomposed diacritics): it will not match searches or copy-paste",
        ))
    } else {
        Some(v(
            Rule::SloganNotApproved,
            format!("{raw:?} is not, letter for letter, an approved slogan"),
        ))
    }
}

/// Credit, licence, consent of the people shown, and rights still running.
fn rights_violations(asset: &Asset, g: &Guidelines, now: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    if asset.credit.as_deref().is_none_or(|c| c.trim().is_empty()) {
        out.push(v(
            Rule::RightsCreditMissing,
            "no credit: who took or made it?",
        ));
    }
    if asset.license.as_deref().is_none_or(|c| c.trim().is_empty()) {
        out.push(v(
            Rule::RightsLicenseMissing,
            "no licence: under what terms may it be used?",
        ));
    }
    let shows_people = asset.tags.iter().any(|t| {
        g.rules
            .people_tags
            .iter()
            .any(|p| crate::model::text::normalise_tag(p) == *t)
    });
    if shows_people && asset.consent != Some(true) {
        out.push(v(
            Rule::RightsConsentMissing,
            "people appear: record their consent before publishing",
        ));
    }
    if let Some(exp) = asset.expires_at.as_ref().filter(|e| e.as_str() <= now) {
        out.push(v(
            Rule::RightsExpired,
            format!("the rights expired at {exp}"),
        ));
    }
    out
}

/// A photo or film is tagged with at least one theme and one audience of the programme.
fn vocabulary_violations(asset: &Asset, g: &Guidelines) -> Vec<Violation> {
    let has = |terms: &[crate::model::Term]| {
        asset.tags.iter().any(|t| {
            terms.iter().any(|term| {
                *t == term.id
                    || *t == crate::model::text::normalise_tag(&term.vi)
                    || *t == crate::model::text::normalise_tag(&term.en)
            })
        })
    };
    let mut out = Vec::new();
    if !has(&g.vocabulary.themes) {
        out.push(v(
            Rule::TagsThemeMissing,
            "tag at least one theme of the programme",
        ));
    }
    if !has(&g.vocabulary.audiences) {
        out.push(v(
            Rule::TagsAudienceMissing,
            "tag at least one audience of the programme",
        ));
    }
    out
}

/// A check-in spot chosen by hand that lies farther from the picture's own GPS than the brand
/// allows: one of the two is wrong, and a newsroom cross-checking would find it.
fn spot_far_from_gps(asset: &Asset, max_m: f64) -> Option<Violation> {
    let spot = asset.spot.as_ref()?;
    let distance = spot.distance_m.filter(|_| asset.gps.is_some())?;
    (spot.rule == crate::model::SpotRule::Manual && distance > max_m).then(|| {
        v(
            Rule::SpotFarFromGps,
            format!(
                "the chosen spot {} is {:.1} km from where the photo's GPS says it was taken (at most {:.1} km)",
                spot.name_vi,
                distance / 1000.0,
                max_m / 1000.0
            ),
        )
    })
}
