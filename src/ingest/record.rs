//! Turning a probed file into a catalogue record, and placing it at a check-in spot.

use crate::geo::{Locator, Placement};
use crate::media::Probe;
use crate::model::{
    text, Access, Asset, AssetId, Caption, Gps, Kind, SpotMatch, Status, Violation,
};

/// The spot and the spot-related violations for a GPS point. Shared by ingest and retag, and by
/// video once its GPS is read, so every source of positions goes through the same rules.
pub fn placement(locator: &Locator, gps: Option<&Gps>) -> (Option<SpotMatch>, Vec<Violation>) {
    let Some(gps) = gps else {
        return (None, Vec::new());
    };
    match locator.place(gps) {
        Placement::Spot(m) => (Some(m), Vec::new()),
        Placement::NoSpot => (None, Vec::new()),
        Placement::OutsideExtent => (
            None,
            vec![Violation {
                rule: crate::model::Rule::GpsOutsideExtent,
                message: format!(
                    "GPS position {:.5}, {:.5} lies outside the brand's territory",
                    gps.lat, gps.lon
                ),
            }],
        ),
    }
}

/// What the ingest caller decides about new assets.
pub struct NewAsset<'a> {
    pub id: AssetId,
    pub bytes: u64,
    pub name: &'a str,
    pub kind: Option<Kind>,
    pub tags: &'a [String],
    pub at: &'a str,
    pub owner: &'a str,
    /// The brand's themes and audiences, which keywords in the file are matched to.
    pub vocabulary: Option<&'a crate::model::Vocabulary>,
}

/// A draft record for newly seen bytes.
pub fn new_asset(new: NewAsset<'_>, probe: Probe, locator: &Locator) -> Asset {
    let (spot, violations) = placement(locator, probe.gps.as_ref());
    let captured_at = probe
        .exif
        .as_ref()
        .and_then(|e| {
            let dt = e.datetime_original.as_ref()?;
            Some(match &e.offset {
                Some(off) => format!("{dt}{off}"),
                None => dt.clone(),
            })
        })
        .or_else(|| probe.video.as_ref().and_then(|v| v.created_at.clone()));
    let fields = super::described::file_fields(probe.described.as_ref(), probe.exif.as_ref());
    let keywords = probe
        .described
        .as_ref()
        .map(|d| super::described::keyword_tags(&d.keywords, new.vocabulary))
        .unwrap_or_default();
    let mut tags: Vec<String> = Vec::new();
    for t in new.tags.iter().chain(&keywords) {
        let t = crate::model::text::normalise_tag(t);
        if !t.is_empty() && !tags.contains(&t) {
            tags.push(t);
        }
    }
    let mut asset = Asset {
        id: new.id,
        kind: new.kind.unwrap_or_else(|| probe.media_type.default_kind()),
        media_type: probe.media_type.mime().to_owned(),
        bytes: new.bytes,
        width: probe.width,
        height: probe.height,
        duration_s: probe.duration_s,
        video: probe.video,
        names: vec![text::file_name(new.name)],
        ingested_at: new.at.to_owned(),
        captured_at,
        exif: probe.exif,
        gps: probe.gps,
        spot,
        spot_locked: false,
        focus: None,
        status: Status::Draft,
        access: Access::default(),
        caption: Caption::default(),
        title: Caption::default(),
        credit: None,
        copyright: None,
        license: None,
        location: None,
        edited: Vec::new(),
        expires_at: None,
        available_from: None,
        published_at: None,
        consent: None,
        text: probe.text,
        owner: Some(new.owner.to_owned()),
        tags,
        warnings: probe.warnings,
        violations,
        renditions: Vec::new(),
        rendition_failures: Vec::new(),
        source: None,
        versions: Vec::new(),
        version_of: None,
        subtitles: Vec::new(),
    };
    asset.take_file_fields(&fields);
    asset
}
