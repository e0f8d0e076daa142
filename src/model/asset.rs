use serde::{Deserialize, Serialize};

use super::AssetId;

/// What an asset is for, which decides its renditions and its guideline checks.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    PartialOrd,
    Ord,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Photo,
    Video,
    Logo,
    Slogan,
    Document,
}

/// Where an asset stands in the approval workflow.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    PartialOrd,
    Ord,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    InReview,
    Approved,
    Rejected,
    Archived,
}

/// Who may see an approved asset.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Public,
    Press,
    #[default]
    Internal,
}

macro_rules! str_enum {
    ($t:ty { $($v:ident = $s:literal),* $(,)? }) => {
        impl $t {
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            pub fn as_str(&self) -> &'static str {
                match self { $(<$t>::$v => $s),* }
            }
        }
        impl std::str::FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($s => Ok(<$t>::$v),)*
                    _ => Err(format!(
                        "unknown value {s:?}; expected one of: {}",
                        [$($s),*].join(", ")
                    )),
                }
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

str_enum!(Kind { Photo = "photo", Video = "video", Logo = "logo", Slogan = "slogan", Document = "document" });
str_enum!(Status { Draft = "draft", InReview = "in_review", Approved = "approved", Rejected = "rejected", Archived = "archived" });
str_enum!(Access { Public = "public", Press = "press", Internal = "internal" });

/// The container format, recognised from magic bytes, never from the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    Jpeg,
    Png,
    Webp,
    Tiff,
    Gif,
    Heif,
    Svg,
    Mp4,
    Mov,
    /// WebM and Matroska: stored, catalogued and rendered (through ffmpeg) like MP4.
    Webm,
    Mkv,
    Pdf,
    /// Plain UTF-8 text: accepted only as a slogan.
    Text,
}

impl MediaType {
    pub fn mime(&self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Tiff => "image/tiff",
            Self::Gif => "image/gif",
            Self::Heif => "image/heif",
            Self::Svg => "image/svg+xml",
            Self::Mp4 => "video/mp4",
            Self::Mov => "video/quicktime",
            Self::Webm => "video/webm",
            Self::Mkv => "video/x-matroska",
            Self::Pdf => "application/pdf",
            Self::Text => "text/plain; charset=utf-8",
        }
    }

    pub const ALL: [Self; 13] = [
        Self::Jpeg,
        Self::Png,
        Self::Webp,
        Self::Tiff,
        Self::Gif,
        Self::Heif,
        Self::Svg,
        Self::Mp4,
        Self::Mov,
        Self::Webm,
        Self::Mkv,
        Self::Pdf,
        Self::Text,
    ];

    pub fn from_mime(mime: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.mime() == mime)
    }

    pub fn extension(&self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Tiff => "tif",
            Self::Gif => "gif",
            Self::Heif => "heic",
            Self::Svg => "svg",
            Self::Mp4 => "mp4",
            Self::Mov => "mov",
            Self::Webm => "webm",
            Self::Mkv => "mkv",
            Self::Pdf => "pdf",
            Self::Text => "txt",
        }
    }

    /// Photo containers that carry EXIF, XMP and IPTC (camera, serial numbers, GPS).
    pub fn carries_camera_metadata(&self) -> bool {
        matches!(
            self,
            Self::Jpeg | Self::Png | Self::Webp | Self::Tiff | Self::Heif
        )
    }

    pub fn is_video(&self) -> bool {
        matches!(self, Self::Mp4 | Self::Mov | Self::Webm | Self::Mkv)
    }

    /// The kind an asset of this type gets at ingest unless told otherwise.
    pub fn default_kind(&self) -> Kind {
        match self {
            Self::Svg => Kind::Logo,
            _ if self.is_video() => Kind::Video,
            Self::Pdf => Kind::Document,
            Self::Text => Kind::Slogan,
            _ => Kind::Photo,
        }
    }
}

/// Camera metadata read from EXIF. Times are kept as written by the camera (local time), with the
/// offset when the camera recorded one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Exif {
    pub make: Option<String>,
    pub model: Option<String>,
    pub lens: Option<String>,
    pub orientation: Option<u16>,
    /// `YYYY-MM-DDTHH:MM:SS`, local time of capture.
    pub datetime_original: Option<String>,
    /// `+07:00` style offset from EXIF OffsetTimeOriginal, when present.
    pub offset: Option<String>,
    /// Seconds, e.g. 0.004 for 1/250.
    pub exposure_time_s: Option<f64>,
    pub f_number: Option<f64>,
    pub iso: Option<u32>,
    pub focal_length_mm: Option<f64>,
    pub artist: Option<String>,
    pub copyright: Option<String>,
}

impl Exif {
    /// The camera as people name it: make and model, when either is known.
    pub fn camera(&self) -> Option<String> {
        let parts: Vec<&str> = [self.make.as_deref(), self.model.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// A position in signed decimal degrees (south and west negative), WGS84.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Gps {
    pub lat: f64,
    pub lon: f64,
    pub alt_m: Option<f64>,
}

/// How an asset was placed at a check-in spot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpotRule {
    /// The point lies inside the spot's polygon.
    Polygon,
    /// The point lies within the spot's radius.
    Radius,
    /// A person chose the spot; automatic matching never overrides it.
    Manual,
}

/// The check-in spot an asset belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SpotMatch {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    /// Distance from the asset's GPS point to the spot's centre; null for a person's choice
    /// without GPS.
    pub distance_m: Option<f64>,
    pub rule: SpotRule,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Caption {
    pub vi: Option<String>,
    pub en: Option<String>,
}

/// Where the file says the picture was taken, as its photographer wrote it (IPTC and XMP
/// location fields); kept as written, next to the check-in spot matched from GPS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Location {
    pub sublocation: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub country: Option<String>,
}

impl Location {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A broken identity guideline or a data problem, by rule name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Violation {
    pub rule: super::Rule,
    pub message: String,
}

/// A derived file made from an asset by a preset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rendition {
    pub preset: String,
    /// Immutable, content-addressed: `/r/<blake3 of the rendition's bytes>.<ext>`.
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    pub media_type: String,
    /// BLAKE3 of (source id, preset spec, engine version, embedded metadata): what was made.
    pub key: String,
    /// BLAKE3 of what decides its pixels alone (source id, preset spec, engine version):
    /// when only the metadata changed, the new metadata is written into these bytes again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pixels: Option<String>,
    /// The files a streaming ladder's master playlist names, each `/r/<hash>.<ext>`: variant
    /// playlists, fMP4 segments, subtitle playlists and files. Empty for one-file renditions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
}

impl Rendition {
    /// The object hash (hex) named by the URL.
    pub fn object(&self) -> Option<&str> {
        object_of(&self.url)
    }

    /// Every file served for this rendition, the URL's and its parts': (object hash, media
    /// type).
    pub fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        let own = self.object().map(|h| (h, self.media_type.as_str()));
        let parts = self.parts.iter().filter_map(|p| {
            let ext = p.rsplit('.').next()?;
            Some((object_of(p)?, super::served_media_type(ext)?))
        });
        own.into_iter().chain(parts)
    }
}

/// Where a picture's subject is, as fractions of its displayed width and height: crops of
/// another shape (social squares, vertical cuts of a film) keep it in frame.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Focus {
    /// From the left edge (0) to the right (1).
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub x: f32,
    /// From the top (0) to the bottom (1).
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub y: f32,
}

impl Focus {
    /// Whether both fractions lie within the picture.
    pub fn is_valid(&self) -> bool {
        (0.0..=1.0).contains(&self.x) && (0.0..=1.0).contains(&self.y)
    }

    /// "x,y" (fractions, as the desk's form and the command line give it), or empty or
    /// `centre` for none set; `None` when it is neither.
    pub fn parse(text: &str) -> Option<Option<Focus>> {
        let text = text.trim();
        if text.is_empty() || text == "centre" {
            return Some(None);
        }
        let (x, y) = text.split_once(',')?;
        let focus = Focus {
            x: x.trim().parse().ok()?,
            y: y.trim().parse().ok()?,
        };
        focus.is_valid().then_some(Some(focus))
    }
}

/// The object hash (hex) a `/r/<hash>.<ext>` URL names.
fn object_of(url: &str) -> Option<&str> {
    let name = url.strip_prefix("/r/")?;
    name.split('.').next().filter(|h| h.len() == 64)
}

/// A rendition that could not be made, recorded on its asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RenditionFailure {
    pub preset: String,
    pub code: String,
    pub message: String,
}

/// One catalogued asset, as shown by `show --json` and the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Asset {
    pub id: AssetId,
    pub kind: Kind,
    pub media_type: String,
    pub bytes: u64,
    /// As displayed: EXIF orientation applied.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_s: Option<f64>,
    /// Container metadata of a video: codecs, frame rate, rotation, creation time.
    #[serde(default)]
    pub video: Option<super::VideoInfo>,
    /// Every original file name seen for these bytes, NFC, in the order first seen.
    pub names: Vec<String>,
    pub ingested_at: String,
    pub captured_at: Option<String>,
    pub exif: Option<Exif>,
    pub gps: Option<Gps>,
    pub spot: Option<SpotMatch>,
    /// True once a person has chosen the spot (or chosen none): retagging leaves it alone.
    #[serde(default)]
    pub spot_locked: bool,
    /// The subject's place, set by a person: crops of another shape centre on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focus: Option<Focus>,
    pub status: Status,
    pub access: Access,
    pub caption: Caption,
    /// Title or headline in both languages (XMP `dc:title`, IPTC Object Name or Headline).
    #[serde(default)]
    pub title: Caption,
    pub credit: Option<String>,
    /// The copyright notice, as the file or a person gave it.
    #[serde(default)]
    pub copyright: Option<String>,
    pub license: Option<String>,
    /// Where the file says the picture was taken, as written.
    #[serde(default)]
    pub location: Option<Location>,
    /// The descriptive fields a person has set (`caption_vi`, `caption_en`, `title_vi`,
    /// `title_en`, `credit`, `copyright`, `license`, `tags`): metadata read from files again
    /// later never overwrites them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edited: Vec<String>,
    /// When the rights end: the asset leaves the public catalogue then (RFC 3339, UTC).
    pub expires_at: Option<String>,
    /// Embargo: the asset appears only from then (RFC 3339, UTC).
    #[serde(default)]
    pub available_from: Option<String>,
    /// When it was last approved (RFC 3339, UTC): the Atom feed's order. Assets approved
    /// before this was recorded get it from `rebuild`.
    #[serde(default)]
    pub published_at: Option<String>,
    /// Whether the people shown consented to publication.
    #[serde(default)]
    pub consent: Option<bool>,
    /// Who added it (the token's name for uploads; "cli" for the command line).
    #[serde(default)]
    pub owner: Option<String>,
    /// The exact text of a slogan asset, as written (not normalised, so NFD can be flagged).
    #[serde(default)]
    pub text: Option<String>,
    pub tags: Vec<String>,
    /// Problems noticed while reading the file that did not prevent cataloguing it.
    #[serde(default)]
    pub warnings: Vec<String>,
    pub violations: Vec<Violation>,
    #[serde(default)]
    pub renditions: Vec<Rendition>,
    #[serde(default)]
    pub rendition_failures: Vec<RenditionFailure>,
    /// The object holding the current version's bytes, when a new version replaced the
    /// first (`id` names the first bytes, and stays the asset's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<AssetId>,
    /// Every version of the file, newest first; empty while it has only ever had one.
    #[serde(default)]
    pub versions: Vec<super::Version>,
    /// On a new version of a published picture, waiting in review: the asset it would
    /// replace once approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_of: Option<AssetId>,
    /// A film's subtitle tracks, one per language, in the order added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subtitles: Vec<super::Subtitle>,
}

/// The descriptive fields a file carries (XMP, IPTC, EXIF, a sidecar), mapped to the asset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileFields {
    #[serde(default)]
    pub caption: Caption,
    #[serde(default)]
    pub title: Caption,
    #[serde(default)]
    pub credit: Option<String>,
    #[serde(default)]
    pub copyright: Option<String>,
    #[serde(default)]
    pub license: Option<String>,
    #[serde(default)]
    pub location: Option<Location>,
}

impl Asset {
    /// Whether a person has set this field (a name as in `edited`).
    pub fn is_edited(&self, field: &str) -> bool {
        self.edited.iter().any(|f| f == field)
    }

    /// Takes what a file says for every field a person has not set; what the file leaves
    /// blank leaves the field as it is.
    pub fn take_file_fields(&mut self, from: &FileFields) {
        let slots: [(&str, &mut Option<String>, &Option<String>); 7] = [
            ("caption_vi", &mut self.caption.vi, &from.caption.vi),
            ("caption_en", &mut self.caption.en, &from.caption.en),
            ("title_vi", &mut self.title.vi, &from.title.vi),
            ("title_en", &mut self.title.en, &from.title.en),
            ("credit", &mut self.credit, &from.credit),
            ("copyright", &mut self.copyright, &from.copyright),
            ("license", &mut self.license, &from.license),
        ];
        for (name, slot, value) in slots {
            if value.is_some() && !self.edited.iter().any(|f| f == name) {
                slot.clone_from(value);
            }
        }
        if from.location.is_some() {
            self.location.clone_from(&from.location);
        }
    }

    /// Records that a person set `field`.
    pub fn mark_edited(&mut self, field: &str) {
        if !self.is_edited(field) {
            self.edited.push(field.to_owned());
        }
    }

    /// Whether the public and the press can see it at `now` (RFC 3339, UTC): approved, past any
    /// embargo, not expired.
    pub fn is_published(&self, now: &str) -> bool {
        super::Visibility::of(self).is_published(now)
    }

    /// A fingerprint of the JSON shape of a record: the schema of `Asset` and of every type it
    /// holds. When a field is added, renamed or retyped it changes, and the catalogue rewrites
    /// its stored records once, so that listings can send them as they are stored.
    pub fn record_shape() -> [u8; 32] {
        use utoipa::{PartialSchema, ToSchema};
        let mut held = Vec::new();
        Asset::schemas(&mut held);
        let shape = serde_json::to_vec(&(Asset::schema(), held)).unwrap_or_default();
        *blake3::hash(&shape).as_bytes()
    }

    /// The object holding the current version's bytes (the id until a new version came).
    pub fn object_id(&self) -> AssetId {
        self.source.unwrap_or(self.id)
    }

    /// Every object this asset keeps in the store: what it serves, its first file and every
    /// version's.
    pub fn objects(&self) -> impl Iterator<Item = AssetId> + '_ {
        self.served_objects()
            .chain(std::iter::once(self.id))
            .chain(self.versions.iter().filter_map(super::Version::object))
    }

    /// The objects it serves now: the current file and its subtitle tracks.
    pub fn served_objects(&self) -> impl Iterator<Item = AssetId> + '_ {
        std::iter::once(self.object_id())
            .chain(self.subtitles.iter().filter_map(|s| s.hash.parse().ok()))
    }

    /// The subtitle track in `lang`, if the film has one.
    pub fn subtitle(&self, lang: &str) -> Option<&super::Subtitle> {
        self.subtitles.iter().find(|s| s.lang == lang)
    }

    /// The new version waiting in review, if one is.
    pub fn waiting_version(&self) -> Option<&super::Version> {
        self.versions
            .iter()
            .find(|v| v.state == super::VersionState::InReview)
    }

    /// The first name seen, for display and downloads.
    pub fn display_name(&self) -> &str {
        self.names.first().map(String::as_str).unwrap_or("")
    }
}
