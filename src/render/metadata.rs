//! What a delivered file says about itself: the asset as people edited it (caption in both
//! languages, title, credit, copyright, licence, stable URL, keywords, location), written as
//! XMP into every JPEG, WebP and PNG, as IPTC IIM too into JPEG, and as EXIF Artist and
//! Copyright. GPS only where the preset allows it and the asset is not public; camera serial
//! numbers never.

use crate::media::exif::{write_block, ExifFields};
use crate::media::ffmpeg::MovieTags;
use crate::media::meta::{container, iptc, xmp, Blocks, Outgoing};
use crate::model::{
    restriction_text, restrictions, Access, Asset, AssetId, Caption, Format, Guidelines, Location,
    MediaType, MetadataPolicy, Preset,
};

/// What turns an asset's ids into the words a delivered file carries: the service's public
/// address, and the brand's vocabulary and place names.
#[derive(Clone, Copy, Default)]
pub struct Wording<'a> {
    pub public_url: Option<&'a str>,
    pub guidelines: Option<&'a Guidelines>,
}

/// The metadata every delivery of `asset` carries, GPS included when the asset's access level
/// could ever allow it (a preset or the original's policy then decides).
pub fn outgoing(asset: &Asset, wording: Wording<'_>) -> Outgoing {
    let exif = asset.exif.as_ref();
    let license = asset.license.clone();
    let (restriction_vi, restriction_en) = restriction_text(&restrictions(asset)).unzip();
    let terms = |restriction: &Option<String>| {
        let parts: Vec<&str> = license
            .iter()
            .chain(restriction)
            .map(String::as_str)
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    };
    Outgoing {
        id: asset.id.to_string(),
        caption: asset.caption.clone(),
        title: asset.title.clone(),
        credit: asset
            .credit
            .clone()
            .or_else(|| exif.and_then(|e| e.artist.clone())),
        copyright: asset
            .copyright
            .clone()
            .or_else(|| exif.and_then(|e| e.copyright.clone())),
        usage_terms: Caption {
            vi: terms(&restriction_vi),
            en: terms(&restriction_en),
        },
        instructions: restriction_vi
            .zip(restriction_en)
            .map(|(vi, en)| format!("{vi} / {en}")),
        license,
        url: wording
            .public_url
            .map(|base| format!("{}/assets/{}", base.trim_end_matches('/'), asset.id)),
        keywords: keyword_labels(&asset.tags, wording.guidelines),
        date_created: date_created(asset),
        location: place(asset, wording.guidelines),
        gps: asset.gps.filter(|_| asset.access != Access::Public),
    }
}

/// Each tag as people read it: a theme, audience or lead agency by its Vietnamese and English
/// names (never its id), any other tag as written.
fn keyword_labels(tags: &[String], guidelines: Option<&Guidelines>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let term = guidelines.and_then(|g| {
            let v = &g.vocabulary;
            [&v.themes, &v.audiences, &v.lead_agencies]
                .into_iter()
                .find_map(|terms| terms.iter().find(|t| t.id == *tag))
        });
        let words = match term {
            Some(t) => vec![t.vi.clone(), t.en.clone()],
            None => vec![tag.clone()],
        };
        for w in words {
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

/// When the picture was taken, as XMP writes it: the camera's local time with its offset.
fn date_created(asset: &Asset) -> Option<String> {
    let exif = asset.exif.as_ref();
    let at = exif
        .and_then(|e| e.datetime_original.clone())
        .or_else(|| asset.captured_at.clone())?;
    let at = at.get(..19).unwrap_or(&at).to_owned();
    Some(match exif.and_then(|e| e.offset.as_deref()) {
        Some(offset) => format!("{at}{offset}"),
        None => at,
    })
}

/// Where the picture was taken: what its file said, else its check-in spot within the brand's
/// province and country (in Vietnamese, the language of the place names).
fn place(asset: &Asset, guidelines: Option<&Guidelines>) -> Location {
    let written = asset.location.clone().unwrap_or_default();
    let Some(spot) = &asset.spot else {
        return written;
    };
    let region = guidelines.and_then(|g| g.place.as_ref());
    Location {
        sublocation: written.sublocation.or_else(|| Some(spot.name_vi.clone())),
        city: written.city,
        province: written
            .province
            .or_else(|| region.map(|p| p.province.vi.clone())),
        country: written
            .country
            .or_else(|| region.map(|p| p.country.vi.clone())),
    }
}

/// `m` as a delivery under `gps_allowed` may carry it.
fn with_gps_policy(m: &Outgoing, gps_allowed: bool) -> std::borrow::Cow<'_, Outgoing> {
    if gps_allowed || m.gps.is_none() {
        std::borrow::Cow::Borrowed(m)
    } else {
        std::borrow::Cow::Owned(Outgoing {
            gps: None,
            ..m.clone()
        })
    }
}

/// BLAKE3 of everything that determines a rendition's pixels (source, preset, engine, poster
/// position): renditions with the same pixel key differ only in the metadata written into
/// them, so an edit re-embeds instead of decoding again.
pub fn pixel_key(id: AssetId, preset: &Preset, poster_at: Option<f64>, engine: &str) -> String {
    let mut spec = serde_json::json!({
        "engine": engine,
        "width": preset.width, "height": preset.height, "fit": preset.fit,
        "format": preset.format, "quality": preset.quality, "focus": preset.focus,
    });
    if let Some(at) = poster_at {
        spec["poster_at"] = at.into();
    }
    // Only when set, so every key made before cuts existed stays the same.
    if let Some(seconds) = preset.max_seconds {
        spec["max_seconds"] = seconds.into();
    }
    if !preset.ladder.is_empty() {
        spec["ladder"] = preset.ladder.clone().into();
    }
    let mut hasher = blake3::Hasher::new();
    hasher.update(id.as_bytes());
    hasher.update(spec.to_string().as_bytes());
    hasher.finalize().to_hex().to_string()
}

/// BLAKE3 of everything that determines a rendition's bytes: its pixels and the metadata
/// written into them.
pub fn rendition_key(
    id: AssetId,
    preset: &Preset,
    metadata: &Outgoing,
    poster_at: Option<f64>,
    engine: &str,
) -> String {
    keyed(&pixel_key(id, preset, poster_at, engine), preset, metadata)
}

/// The rendition key of pixels `pixels` carrying `metadata` under `preset`'s policy.
pub fn keyed(pixels: &str, preset: &Preset, metadata: &Outgoing) -> String {
    let metadata = with_gps_policy(metadata, preset.gps);
    // A film carries only its credit and copyright: a caption edit leaves it as it is.
    let described = match preset.format {
        // A ladder carries no metadata (its key is `hls::key`: pixels and subtitles).
        _ if preset.metadata == MetadataPolicy::None => serde_json::Value::Null,
        Format::Hls | Format::Strip => serde_json::Value::Null,
        Format::Mp4 => {
            let tags = movie_tags(preset, &metadata);
            serde_json::json!({ "artist": tags.artist, "copyright": tags.copyright })
        }
        _ => serde_json::json!(&*metadata),
    };
    let spec = serde_json::json!({
        "pixels": pixels,
        "metadata": preset.metadata,
        "described": described,
    });
    blake3::hash(spec.to_string().as_bytes())
        .to_hex()
        .to_string()
}

/// The tags an MP4 rendition in `preset` carries.
pub fn movie_tags(preset: &Preset, m: &Outgoing) -> MovieTags {
    if preset.metadata == MetadataPolicy::None {
        return MovieTags::default();
    }
    MovieTags {
        artist: m.credit.clone(),
        copyright: m.copyright.clone(),
    }
}

/// An encoded rendition with the preset's metadata written into it.
pub fn embed(bytes: Vec<u8>, preset: &Preset, m: &Outgoing) -> Result<Vec<u8>, String> {
    let media = match preset.format {
        Format::Jpeg => MediaType::Jpeg,
        Format::Png => MediaType::Png,
        Format::Webp => MediaType::Webp,
        Format::Mp4 | Format::Hls | Format::Strip => return Ok(bytes),
    };
    if preset.metadata == MetadataPolicy::None {
        return Ok(bytes);
    }
    let m = with_gps_policy(m, preset.gps);
    let exif = ExifFields {
        artist: ascii_only(&m.credit),
        copyright: ascii_only(&m.copyright.clone().or_else(|| m.license.clone())),
        gps: m.gps,
        ..Default::default()
    };
    write_into(&bytes, media, &m, &exif).ok_or_else(|| "metadata could not be written".into())
}

/// A copy of an original for the press and the public: its EXIF, XMP and IPTC replaced by
/// the asset's edited metadata, keeping what the pixels need (orientation) and the capture
/// time and camera, without serial numbers, and GPS only under `gps_allowed`. `None` for types
/// whose metadata brandvault cannot rewrite (TIFF, HEIF).
pub fn delivered_original(
    asset: &Asset,
    bytes: &[u8],
    m: &Outgoing,
    gps_allowed: bool,
) -> Option<Vec<u8>> {
    let media = MediaType::from_mime(&asset.media_type)?;
    let m = with_gps_policy(m, gps_allowed);
    let camera = asset.exif.clone().unwrap_or_default();
    let exif = ExifFields {
        make: camera.make,
        model: camera.model,
        orientation: camera.orientation,
        datetime_original: camera.datetime_original,
        offset: camera.offset,
        artist: ascii_only(&m.credit),
        copyright: ascii_only(&m.copyright.clone().or_else(|| m.license.clone())),
        description: None,
        gps: m.gps,
    };
    write_into(bytes, media, &m, &exif)
}

/// EXIF's Artist and Copyright are ASCII by the standard: text with other letters (most
/// Vietnamese names) is left to XMP and IPTC, which carry it in UTF-8.
fn ascii_only(text: &Option<String>) -> Option<String> {
    text.clone().filter(|t| t.is_ascii())
}

fn write_into(bytes: &[u8], media: MediaType, m: &Outgoing, exif: &ExifFields) -> Option<Vec<u8>> {
    let exif = write_block(exif).ok();
    let packet = xmp::write(m);
    let iim = (media == MediaType::Jpeg).then(|| iptc::write(m));
    container::replace(
        bytes,
        media,
        &Blocks {
            exif: exif.as_deref(),
            xmp: Some(packet.as_bytes()),
            iptc: iim.as_deref(),
        },
    )
}
