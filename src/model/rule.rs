//! The rules an asset can break, in one list: who decides each (the compliance checks or spot
//! matching, which replace only their own on each pass), which field of the asset it is about
//! (where the edit page shows it), and its stable code, the string the journal, the API and
//! the messages (`rule.{code}`, `fix.{code}`) use. A new rule is a variant here, its check, and
//! its two messages (a test checks every rule has them in both languages).

use serde::{Deserialize, Serialize};

/// One rule, serialised as its code (`press-resolution`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The photo's GPS lies outside the province.
    GpsOutsideExtent,
    /// A spot chosen by hand lies far from the photo's own GPS.
    SpotFarFromGps,
    LogoActiveContent,
    LogoAspectRatio,
    LogoExternalReference,
    LogoUnparsable,
    LogoOffPalette,
    PressResolution,
    RightsConsentMissing,
    RightsCreditMissing,
    RightsLicenseMissing,
    RightsExpired,
    SloganNotApproved,
    SloganNotNfc,
    TagsAudienceMissing,
    TagsThemeMissing,
    /// A public film lacks a subtitle track in a language the guidelines require.
    SubtitlesMissing,
}

/// What decides whether a rule is broken, so each pass replaces only its own violations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decider {
    /// `brand::compliance::check_asset`, run at ingest, on each edit and before approval.
    Compliance,
    /// Spot matching, at ingest and when the gazetteer changes.
    SpotMatching,
}

impl Rule {
    pub const ALL: [Rule; 17] = [
        Rule::GpsOutsideExtent,
        Rule::SpotFarFromGps,
        Rule::LogoActiveContent,
        Rule::LogoAspectRatio,
        Rule::LogoExternalReference,
        Rule::LogoUnparsable,
        Rule::LogoOffPalette,
        Rule::PressResolution,
        Rule::RightsConsentMissing,
        Rule::RightsCreditMissing,
        Rule::RightsLicenseMissing,
        Rule::RightsExpired,
        Rule::SloganNotApproved,
        Rule::SloganNotNfc,
        Rule::TagsAudienceMissing,
        Rule::TagsThemeMissing,
        Rule::SubtitlesMissing,
    ];

    /// The stable code, as serialised.
    pub fn code(self) -> &'static str {
        match self {
            Rule::GpsOutsideExtent => "gps-outside-extent",
            Rule::SpotFarFromGps => "spot-far-from-gps",
            Rule::LogoActiveContent => "logo-active-content",
            Rule::LogoAspectRatio => "logo-aspect-ratio",
            Rule::LogoExternalReference => "logo-external-reference",
            Rule::LogoUnparsable => "logo-unparsable",
            Rule::LogoOffPalette => "logo-off-palette",
            Rule::PressResolution => "press-resolution",
            Rule::RightsConsentMissing => "rights-consent-missing",
            Rule::RightsCreditMissing => "rights-credit-missing",
            Rule::RightsLicenseMissing => "rights-license-missing",
            Rule::RightsExpired => "rights-expired",
            Rule::SloganNotApproved => "slogan-not-approved",
            Rule::SloganNotNfc => "slogan-not-nfc",
            Rule::TagsAudienceMissing => "tags-audience-missing",
            Rule::TagsThemeMissing => "tags-theme-missing",
            Rule::SubtitlesMissing => "subtitles-missing",
        }
    }

    pub fn decider(self) -> Decider {
        match self {
            Rule::GpsOutsideExtent => Decider::SpotMatching,
            _ => Decider::Compliance,
        }
    }

    /// The asset field the rule is about: where the edit page shows it (`file` for the file
    /// itself).
    pub fn field(self) -> &'static str {
        match self {
            Rule::RightsCreditMissing => "credit",
            Rule::RightsLicenseMissing => "license",
            Rule::RightsConsentMissing => "consent",
            Rule::RightsExpired => "expires_at",
            Rule::TagsThemeMissing => "themes",
            Rule::TagsAudienceMissing => "audiences",
            Rule::PressResolution => "access",
            Rule::SubtitlesMissing => "subtitles",
            Rule::GpsOutsideExtent | Rule::SpotFarFromGps => "spot",
            Rule::LogoActiveContent
            | Rule::LogoAspectRatio
            | Rule::LogoExternalReference
            | Rule::LogoUnparsable
            | Rule::LogoOffPalette
            | Rule::SloganNotApproved
            | Rule::SloganNotNfc => "file",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::Rule;

    #[test]
    fn codes_are_what_the_journal_holds() {
        for rule in Rule::ALL {
            let json = serde_json::to_string(&rule).unwrap();
            assert_eq!(json, format!("\"{}\"", rule.code()));
            assert_eq!(serde_json::from_str::<Rule>(&json).unwrap(), rule);
        }
    }
}
