//! What a delivered file says about itself: the asset as people edited it (caption in both
//! languages, title, credit, copyright, licence, stable URL, keywords, location), written as
//! XMP into every JPEG, WebP and PNG, as IPTC IIM too into JPEG, and as EXIF Artist and
//! Copyright. GPS only where the preset allows it and the asset is not public; camera serial
//! numbers never.

use crate::media::exif::{write_block, ExifFields};
use crate::media::meta::{container, iptc, xmp, Blocks, Outgoing};
use crate::model::{Access, Asset, AssetId, Format, MediaType, MetadataPolicy, Preset};

/// The metadata every delivery of `asset` carries, GPS included when the asset's access level
/// could ever allow it (a preset or the original's policy then decides).
pub fn outgoing(asset: &Asset, public_url: Option<&str>) -> Outgoing {
    let exif = asset.exif.as_ref();
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
        license: asset.license.clone(),
        url: public_url.map(|base| format!("{}/assets/{}", base.trim_end_matches('/'), asset.id)),
        keywords: asset.tags.clone(),
        location: asset.location.clone().unwrap_or_default(),
        gps: asset.gps.filter(|_| asset.access != Access::Public),
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

/// BLAKE3 of everything that determines a rendition's bytes.
pub fn rendition_key(
    id: AssetId,
    preset: &Preset,
    metadata: &Outgoing,
    poster_at: Option<f64>,
    engine: &str,
) -> String {
    let metadata = with_gps_policy(metadata, preset.gps);
    let mut spec = serde_json::json!({
        "engine": engine,
        "width": preset.width, "height": preset.height, "fit": preset.fit,
        "format": preset.format, "quality": preset.quality, "metadata": preset.metadata,
        "focus": preset.focus,
        "described": (preset.metadata != MetadataPolicy::None).then_some(&*metadata),
    });
    if let Some(at) = poster_at {
        spec["poster_at"] = at.into();
    }
    let mut hasher = blake3::Hasher::new();
    hasher.update(id.as_bytes());
    hasher.update(spec.to_string().as_bytes());
    hasher.finalize().to_hex().to_string()
}

/// An encoded rendition with the preset's metadata written into it.
pub fn embed(bytes: Vec<u8>, preset: &Preset, m: &Outgoing) -> Result<Vec<u8>, String> {
    let media = match preset.format {
        Format::Jpeg => MediaType::Jpeg,
        Format::Png => MediaType::Png,
        Format::Webp => MediaType::Webp,
        Format::Mp4 => return Ok(bytes),
    };
    if preset.metadata == MetadataPolicy::None {
        return Ok(bytes);
    }
    let m = with_gps_policy(m, preset.gps);
    let exif = ExifFields {
        artist: m.credit.clone(),
        copyright: m.copyright.clone().or_else(|| m.license.clone()),
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
        artist: m.credit.clone(),
        copyright: m.copyright.clone().or_else(|| m.license.clone()),
        description: None,
        gps: m.gps,
    };
    write_into(bytes, media, &m, &exif)
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
