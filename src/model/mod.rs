//! Pure domain types: identifiers, assets, metadata, spots. No I/O lives here, so every other
//! module can share these types without pulling in storage, decoding or HTTP.

mod asset;
pub mod collection;
mod error;
mod guidelines;
mod id;
mod preset;
mod role;
mod rule;
mod spot;
pub mod subtitle;
mod terms;
pub mod text;
mod usage;
mod user;
pub mod version;
mod video;

pub use asset::{
    Access, Asset, Caption, Exif, FileFields, Focus, Gps, Kind, Location, MediaType, Rendition,
    RenditionFailure, SpotMatch, SpotRule, Status, Violation,
};
pub use collection::{Collection, CollectionStep, Share};
pub use error::{is_disk_full, ErrorKind};
pub use guidelines::{
    contrast_ratio, parse_hex, Background, Bilingual, Colour, ColourMode, ColourRole, Guidelines,
    LogoLanguage, LogoLayout, LogoStatus, LogoVariant, Owner, Place, Rules, Slogan, TagWords, Term,
    Typeface, Vocabulary, YearTheme, WCAG_AA_TEXT,
};
pub use id::{AssetId, IdParseError};
pub use preset::{served_media_type, Fit, Format, MetadataPolicy, OriginalPolicy, Preset};
pub use role::{Actor, Role, Viewer, Visibility};
pub use rule::{Decider, Rule};
pub use spot::{Area, AreaKind, Basemap, Extent, Gazetteer, Spot};
pub use subtitle::Subtitle;
pub use terms::{bbox_contains, parse_bbox, parse_date};
pub use usage::{restriction_text, restrictions, Restriction};
pub use user::{User, UserPatch};
pub use version::{Version, VersionState};
pub use video::VideoInfo;
