//! IIIF Image API 3.0, level 2, for approved public photos: `info.json` and image requests
//! (region, size, rotation by 90s with mirroring, color/gray/bitonal, jpg/png/webp). Each
//! answer is made once and kept in the store like a rendition (its object recorded under the
//! request's canonical key in the catalogue's `derived` tree); sources are decoded at the
//! smallest JPEG DCT scale the request allows and kept decoded for the tiles that follow
//! (`source.rs`), so a deep-zoom viewer's burst of tiles costs one decode.

mod brake;
pub mod manifest;
pub mod request;
mod source;

use std::io::Read;

use image::DynamicImage;
use serde_json::{json, Value};

use crate::catalog::{Catalog, CatalogError};
use crate::media::colour::SourceColour;
use crate::media::{decode, encode, resize, ProbeLimits};
use crate::model::{Access, Asset, ErrorKind, Format, Kind, MediaType, Viewer};
use crate::store::{BlobStore, Durability, Hash};
pub use request::{ImageRequest, Limits, OutputFormat, Quality, LIMITS};
pub use source::SourceCache;

/// Tiles are offered at this size (a common choice of IIIF viewers).
pub const TILE: u32 = 512;
/// Bump when the same request would give different bytes (cache keys include it).
const ENGINE: &str = "iiif/1";
/// Decoded sources kept between requests: three 24 MP photos at full size.
const SOURCE_BYTES: u64 = 256 << 20;

#[derive(Debug, thiserror::Error)]
pub enum IiifError {
    #[error(transparent)]
    BadRequest(#[from] request::BadRequest),
    #[error("the picture cannot be decoded: {0}")]
    Decode(String),
    #[error("the answer cannot be encoded: {0}")]
    Encode(String),
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("too many images of other sizes asked for; try again in {0} s")]
    Busy(u64),
}

impl IiifError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::BadRequest(_) => ErrorKind::InvalidInput,
            Self::Decode(_) | Self::Encode(_) => ErrorKind::Internal,
            Self::Store(e) => e.kind(),
            Self::Catalog(e) => e.kind(),
            Self::Busy(_) => ErrorKind::Busy,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(e) => match e.parameter {
                "region" => "bad-region",
                "size" => "bad-size",
                "rotation" => "bad-rotation",
                "quality" => "bad-quality",
                _ => "bad-format",
            },
            Self::Decode(_) | Self::Encode(_) => "internal",
            Self::Store(e) => e.code(),
            Self::Catalog(e) => e.code(),
            Self::Busy(_) => "too-many-requests",
        }
    }
}

/// Whether IIIF serves this asset: a photo in a raster format the public may see.
pub fn serves(asset: &Asset, now: &str) -> bool {
    let public = Viewer {
        actor: None,
        now: now.to_owned(),
    };
    asset.kind == Kind::Photo
        && asset.access == Access::Public
        && public.can_see(asset)
        && asset.width.is_some()
        && asset.height.is_some()
        && MediaType::from_mime(&asset.media_type).is_some_and(|m| !m.is_video())
}

/// The image service's description (`info.json`) for `asset` at `id` (its absolute base URI).
pub fn info(asset: &Asset, id: &str) -> Value {
    let (w, h) = (asset.width.unwrap_or(1), asset.height.unwrap_or(1));
    let factors = scale_factors(w, h);
    let sizes: Vec<Value> = factors
        .iter()
        .rev()
        .map(|f| (w.div_ceil(*f), h.div_ceil(*f)))
        .filter(|(sw, sh)| u64::from(*sw) * u64::from(*sh) <= LIMITS.max_area)
        .map(|(sw, sh)| json!({"width": sw, "height": sh}))
        .collect();
    let mut info = json!({
        "@context": "http://iiif.io/api/image/3/context.json",
        "id": id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level2",
        "width": w,
        "height": h,
        "maxWidth": LIMITS.max_width,
        "maxHeight": LIMITS.max_height,
        "maxArea": LIMITS.max_area,
        "sizes": sizes,
        "tiles": [{"width": TILE, "scaleFactors": factors}],
        "extraQualities": ["gray", "bitonal"],
        "extraFormats": ["webp"],
        "extraFeatures": ["mirroring", "sizeUpscaling"],
    });
    // `rights` must be a URI (Creative Commons, RightsStatements.org); a licence written as
    // words stays on the asset page.
    if let Some(license) = asset.license.as_deref().filter(|l| l.starts_with("http")) {
        info["rights"] = json!(license);
    }
    // The Presentation manifest a viewer opens, with labels, credit and restrictions.
    info["partOf"] = json!([{"id": format!("{id}/manifest"), "type": "Manifest"}]);
    info
}

/// The IIIF image service: where its answers and decoded sources are kept, and the brake on
/// answers made for requests outside the picture's own sizes and tiles.
pub struct Iiif {
    sources: SourceCache,
    brake: brake::Brake,
}

impl Default for Iiif {
    fn default() -> Self {
        Iiif {
            sources: SourceCache::new(SOURCE_BYTES),
            brake: brake::Brake::default(),
        }
    }
}

/// The scale factors of an asset's tiles (1, 2, 4… until a tile holds the whole picture).
fn scale_factors(w: u32, h: u32) -> Vec<u32> {
    let mut factors = vec![1u32];
    while w.div_ceil(*factors.last().unwrap_or(&1)) > TILE
        || h.div_ceil(*factors.last().unwrap_or(&1)) > TILE
    {
        factors.push(factors.last().unwrap_or(&1) * 2);
    }
    factors
}

/// Whether `req` is one of the answers `info.json` offers (a size of `sizes`, or a tile at one
/// of its scale factors), unrotated: a finite set per picture, kept once made. Any other
/// request is made on the fly, never kept, and braked.
pub fn is_offered(asset: &Asset, req: &ImageRequest) -> bool {
    let (w, h) = (asset.width.unwrap_or(1), asset.height.unwrap_or(1));
    if req.rotation != 0 || req.mirror {
        return false;
    }
    let (x, y, rw, rh) = req.region;
    scale_factors(w, h).into_iter().any(|f| {
        let size = (rw.div_ceil(f), rh.div_ceil(f));
        let whole = (x, y, rw, rh) == (0, 0, w, h);
        let span = TILE * f;
        let tile = x % span == 0
            && y % span == 0
            && rw == span.min(w - x.min(w))
            && rh == span.min(h - y.min(h));
        req.size == size && (whole || tile)
    })
}

/// An answer: its bytes and the object that holds them (its ETag).
pub struct Answer {
    pub bytes: Vec<u8>,
    pub object: Hash,
}

impl Iiif {
    /// The image `req` asks of `asset`, from the store if made before, else made and kept;
    /// a request outside what `info.json` offers is made on the fly and not kept, if the
    /// brake lets `client` have one more now.
    pub fn image(
        &self,
        store: &dyn BlobStore,
        catalog: &Catalog,
        limits: &ProbeLimits,
        asset: &Asset,
        req: &ImageRequest,
        client: Option<std::net::IpAddr>,
    ) -> Result<Answer, IiifError> {
        if !is_offered(asset, req) {
            self.brake.take(client, std::time::Instant::now())?;
            let bytes = self.make(store, limits, asset, req)?;
            let object = Hash::from_bytes(*blake3::hash(&bytes).as_bytes());
            return Ok(Answer { bytes, object });
        }
        let mut hasher = blake3::Hasher::new();
        hasher.update(ENGINE.as_bytes());
        hasher.update(asset.object_id().as_bytes());
        hasher.update(req.canonical().as_bytes());
        let key = *hasher.finalize().as_bytes();
        if let Some(object) = catalog.derived(&key)? {
            if let Ok(hash) = Hash::from_hex(&object) {
                if let Some(bytes) = read(store, &hash) {
                    return Ok(Answer {
                        bytes,
                        object: hash,
                    });
                }
            }
        }
        let bytes = self.make(store, limits, asset, req)?;
        let put = store.put_reader(&mut bytes.as_slice(), Durability::Derived)?;
        catalog.remember_derived(&key, &put.hash.to_hex())?;
        Ok(Answer {
            bytes,
            object: put.hash,
        })
    }

    fn make(
        &self,
        store: &dyn BlobStore,
        limits: &ProbeLimits,
        asset: &Asset,
        req: &ImageRequest,
    ) -> Result<Vec<u8>, IiifError> {
        let (w, h) = (asset.width.unwrap_or(1), asset.height.unwrap_or(1));
        let (rx, ry, rw, rh) = req.region;
        let (ow, oh) = req.size;
        let media = MediaType::from_mime(&asset.media_type)
            .ok_or_else(|| IiifError::Decode(asset.media_type.clone()))?;
        // The smallest DCT scale that still gives the output its pixels (JPEG only).
        let denominator = if media == MediaType::Jpeg {
            [8, 4, 2]
                .into_iter()
                .find(|d| rw / d >= ow && rh / d >= oh)
                .unwrap_or(1)
        } else {
            1
        };
        let source = self
            .sources
            .get_or_decode((asset.object_id(), denominator), || {
                let hash = Hash::from_bytes(*asset.object_id().as_bytes());
                let bytes = read(store, &hash).ok_or_else(|| {
                    IiifError::Decode("the original is missing from the store".into())
                })?;
                let orientation = asset.exif.as_ref().and_then(|e| e.orientation);
                let need = (w.div_ceil(denominator), h.div_ceil(denominator));
                let decoded = decode::decode(&bytes, media, orientation, Some(need), limits)
                    .map_err(|e| IiifError::Decode(e.to_string()))?;
                Ok::<_, IiifError>(match SourceColour::of(decoded.icc.as_deref()) {
                    SourceColour::Convert(to_srgb) => to_srgb.apply(&decoded.image),
                    _ => decoded.image,
                })
            })?;
        let (sx, sy) = (
            f64::from(source.width()) / f64::from(w),
            f64::from(source.height()) / f64::from(h),
        );
        let crop = (
            f64::from(rx) * sx,
            f64::from(ry) * sy,
            f64::from(rw) * sx,
            f64::from(rh) * sy,
        );
        let same_size =
            (crop.2 - f64::from(ow)).abs() < 0.5 && (crop.3 - f64::from(oh)).abs() < 0.5;
        let image = if same_size {
            // A tile at full scale: a copy of its pixels, no resampling.
            source.crop_imm(crop.0.round() as u32, crop.1.round() as u32, ow, oh)
        } else {
            resize::resize(&source, ow, oh, crop)
        };
        drop(source);
        let image = turned_and_toned(image, req);
        let format = match req.format {
            OutputFormat::Jpg => Format::Jpeg,
            OutputFormat::Png => Format::Png,
            OutputFormat::Webp => Format::Webp,
        };
        encode::encode(&image, format, 90, None, None).map_err(|e| IiifError::Encode(e.to_string()))
    }
}

/// The request's mirroring, rotation and quality applied to the region at its size.
fn turned_and_toned(mut image: DynamicImage, req: &ImageRequest) -> DynamicImage {
    if req.mirror {
        image = image.fliph();
    }
    image = match req.rotation {
        90 => image.rotate90(),
        180 => image.rotate180(),
        270 => image.rotate270(),
        _ => image,
    };
    match req.quality {
        Quality::Color => image,
        Quality::Gray => {
            DynamicImage::ImageRgb8(DynamicImage::ImageLuma8(image.to_luma8()).to_rgb8())
        }
        Quality::Bitonal => {
            let mut luma = image.to_luma8();
            for p in luma.pixels_mut() {
                p.0[0] = if p.0[0] >= 128 { 255 } else { 0 };
            }
            DynamicImage::ImageRgb8(DynamicImage::ImageLuma8(luma).to_rgb8())
        }
    }
}

fn read(store: &dyn BlobStore, hash: &Hash) -> Option<Vec<u8>> {
    let mut blob = store.open(hash).ok()?;
    let mut bytes = Vec::new();
    blob.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}
