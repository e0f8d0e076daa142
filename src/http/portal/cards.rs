//! A picture as a card of the grids (catalogue, related pictures, brand logos): titled by its
//! caption in the reader's language, the file name only as a fallback; logos shown whole on
//! a background their colour variant is made for.

use super::Lang;
use crate::brand::Brand;
use crate::model::{Asset, ColourMode, Kind, Rendition};

pub struct Card {
    pub href: String,
    pub title: String,
    pub image: Option<Image>,
    pub logo: bool,
    /// `on-light`, `on-dark` or `on-check` (a logo's backdrop).
    pub backdrop: &'static str,
    pub place: Option<String>,
    pub date: Option<String>,
    pub kind: &'static str,
    /// For staff: the status class and its label.
    pub status: Option<(&'static str, &'static str)>,
    /// The asset's id, when the grid lets the reader tick it (to add it to a collection).
    pub pick: Option<String>,
}

/// An `<img>` with its sources.
pub struct Image {
    pub src: String,
    pub srcset: String,
    pub width: u32,
    pub height: u32,
}

/// The title people read: the caption (first line), a logo's variant in words, else the
/// file name without extension.
pub fn title(lang: Lang, brand: &Brand, asset: &Asset) -> String {
    if let Some(caption) = lang.either(asset.caption.vi.as_deref(), asset.caption.en.as_deref()) {
        return caption.lines().next().unwrap_or(caption).trim().to_owned();
    }
    if let Some(v) = brand.logo_variant(asset) {
        return crate::brand::words::variant_name(lang, v);
    }
    if let Some(text) = asset.text.as_deref().filter(|t| !t.trim().is_empty()) {
        return text.trim().to_owned();
    }
    let name = asset.display_name();
    name.rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .to_owned()
}

pub fn rendition<'a>(asset: &'a Asset, preset: &str) -> Option<&'a Rendition> {
    asset.renditions.iter().find(|r| r.preset == preset)
}

/// The backdrop a logo needs: white for full colour and dark marks, ink for light ones.
pub fn backdrop(brand: &Brand, asset: &Asset) -> &'static str {
    match brand.logo_variant(asset).map(|v| v.colour_mode) {
        Some(ColourMode::MonoLight) => "on-dark",
        Some(ColourMode::Full | ColourMode::MonoDark) => "on-light",
        None => "on-check",
    }
}

/// The card's picture: the small rendition with the larger one for sharp high-density screens.
fn image(asset: &Asset) -> Option<Image> {
    let (small, large) = if asset.kind == Kind::Logo {
        (rendition(asset, "logo-256"), rendition(asset, "logo-1024"))
    } else {
        (rendition(asset, "thumb"), rendition(asset, "preview"))
    };
    let small = small.or(large)?;
    let srcset = [Some(small), large]
        .into_iter()
        .flatten()
        .map(|r| format!("{} {}w", r.url, r.width))
        .collect::<Vec<_>>();
    Some(Image {
        src: small.url.clone(),
        srcset: if large.is_some_and(|l| l.width != small.width) {
            srcset.join(", ")
        } else {
            String::new()
        },
        width: small.width,
        height: small.height,
    })
}

pub fn card(lang: Lang, brand: &Brand, asset: &Asset, staff: bool) -> Card {
    let logo = asset.kind == Kind::Logo;
    Card {
        href: format!("/assets/{}", asset.id),
        title: title(lang, brand, asset),
        image: image(asset),
        logo,
        backdrop: if logo { backdrop(brand, asset) } else { "" },
        place: asset
            .spot
            .as_ref()
            .map(|s| lang.pick(&s.name_vi, &s.name_en).to_owned()),
        date: asset.captured_at.as_deref().map(|c| lang.date(c)),
        kind: lang.t(&format!("kind.{}", asset.kind.as_str())),
        status: staff.then(|| {
            (
                asset.status.as_str(),
                lang.t(&format!("status.{}", asset.status.as_str())),
            )
        }),
        pick: None,
    }
}
