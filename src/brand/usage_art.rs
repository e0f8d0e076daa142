//! Do and don't, drawn from the rules: for each logo family (horizontal, stacked, icon) the
//! full-colour logo with its clear-space box, at its minimum print size, on the backgrounds it
//! is made for, and crossed out in the wrong uses (stretched, recoloured, rotated, on a
//! low-contrast background, below the minimum size). Every picture is an SVG computed from
//! `guidelines.toml` and the logo file, so changing a rule in `brand/` changes the picture.

use super::lettering::short as n;
use crate::model::{Background, ColourMode, Guidelines, LogoLanguage, LogoVariant};

/// The pictures of one logo family, in the order a guide shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picture {
    ClearSpace,
    MinimumSize,
    Backgrounds,
    Stretched,
    Recoloured,
    Rotated,
    LowContrast,
    TooSmall,
}

impl Picture {
    pub const ALL: [Picture; 8] = [
        Picture::ClearSpace,
        Picture::MinimumSize,
        Picture::Backgrounds,
        Picture::Stretched,
        Picture::Recoloured,
        Picture::Rotated,
        Picture::LowContrast,
        Picture::TooSmall,
    ];

    /// The file name, also the key of its caption (`usage.<name>` in the messages).
    pub fn name(self) -> &'static str {
        match self {
            Picture::ClearSpace => "clear-space",
            Picture::MinimumSize => "minimum-size",
            Picture::Backgrounds => "backgrounds",
            Picture::Stretched => "dont-stretch",
            Picture::Recoloured => "dont-recolour",
            Picture::Rotated => "dont-rotate",
            Picture::LowContrast => "dont-low-contrast",
            Picture::TooSmall => "dont-too-small",
        }
    }

    /// What the picture shows, in words, with the family's own numbers (`usage.<name>`).
    pub fn caption(self, lang: crate::i18n::Lang, v: &LogoVariant) -> String {
        lang.fill(
            &format!("usage.{}", self.name()),
            &[
                ("n", &format!("{:.0}", v.clear_space * 100.0)),
                ("px", &v.min_width_px.to_string()),
                ("mm", &v.min_width_mm.to_string()),
            ],
        )
    }

    /// A wrong use, shown crossed out.
    pub fn is_dont(self) -> bool {
        self.name().starts_with("dont-")
    }
}

/// A logo file taken apart: its viewBox size and its inner markup, to draw it anywhere.
pub struct Artwork {
    width: f64,
    height: f64,
    view_box: String,
    inner: String,
}

impl Artwork {
    /// Reads a logo SVG (checked by the guidelines when the brand folder loaded).
    pub fn parse(svg: &[u8]) -> Option<Artwork> {
        let text = std::str::from_utf8(svg).ok()?;
        let (width, height) = crate::media::svg::svg_size(text)?;
        let doc = roxmltree::Document::parse(text).ok()?;
        let root = doc.root_element();
        let view_box = root
            .attribute("viewBox")
            .map_or_else(|| format!("0 0 {width} {height}"), str::to_owned);
        let open_end = root
            .first_child()
            .map_or(root.range().end, |c| c.range().start);
        let close = text[..root.range().end].rfind("</svg>").unwrap_or(open_end);
        Some(Artwork {
            width,
            height,
            view_box,
            inner: text[open_end..close.max(open_end)].to_owned(),
        })
    }

    /// The logo drawn `w` wide with its top-left at (x, y), in its own proportions.
    fn at(&self, x: f64, y: f64, w: f64) -> String {
        self.in_box(x, y, w, w * self.height / self.width)
    }

    /// The logo filling the box (x, y, w, h), whatever its proportions.
    fn in_box(&self, x: f64, y: f64, w: f64, h: f64) -> String {
        format!(
            r#"<svg x="{}" y="{}" width="{}" height="{}" viewBox="{}" preserveAspectRatio="none">{}</svg>"#,
            n(x),
            n(y),
            n(w),
            n(h),
            self.view_box,
            self.inner
        )
    }

    /// The same drawing with every `#RRGGBB` colour turned round the hue circle.
    fn recoloured(&self) -> Artwork {
        let mut parts = self.inner.split('#');
        let mut inner = parts.next().unwrap_or_default().to_owned();
        for part in parts {
            inner.push('#');
            inner += &recolour(part);
        }
        Artwork {
            inner,
            view_box: self.view_box.clone(),
            ..*self
        }
    }
}

/// The variant a family's pictures show: full colour, Vietnamese or bilingual first.
pub fn representative<'a>(g: &'a Guidelines, family: &LogoVariant) -> &'a LogoVariant {
    g.logos
        .iter()
        .filter(|l| l.layout == family.layout && l.colour_mode == ColourMode::Full)
        .min_by_key(|l| l.language != LogoLanguage::Vi && l.language != LogoLanguage::Bilingual)
        .unwrap_or_else(|| {
            g.logos
                .iter()
                .find(|l| l.id == family.id)
                .expect("in the list")
        })
}

/// The logo families of the guidelines, one representative variant each, in file order.
pub fn families(g: &Guidelines) -> Vec<&LogoVariant> {
    let mut out: Vec<&LogoVariant> = Vec::new();
    for l in &g.logos {
        if !out.iter().any(|o| o.layout == l.layout) {
            out.push(representative(g, l));
        }
    }
    out
}

const W: f64 = 360.0;
const H: f64 = 240.0;

/// One picture as SVG text. `light` is the logo in its light colour mode, for the backgrounds
/// picture (None when the family has none).
pub fn draw(
    g: &Guidelines,
    v: &LogoVariant,
    art: &Artwork,
    light: Option<&Artwork>,
    p: Picture,
) -> String {
    let hex = |role: &str, fallback: &str| {
        g.palette
            .iter()
            .find(|c| c.id == role)
            .map_or_else(|| fallback.to_owned(), |c| c.hex.clone())
    };
    let (ink, accent) = (hex("ink", "#1F2A30"), hex("basalt-red", "#A63D2A"));
    let fit = |max_w: f64, max_h: f64| max_w.min(max_h * art.width / art.height);
    let centred = |a: &Artwork, w: f64| {
        let h = w * a.height / a.width;
        a.at((W - w) / 2.0, (H - h) / 2.0, w)
    };
    let body = match p {
        Picture::ClearSpace => {
            let w = fit(W * 0.6, H * 0.5);
            let h = w * art.height / art.width;
            let (x, y) = ((W - w) / 2.0, (H - h) / 2.0);
            let m = h * v.clear_space;
            format!(
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#F6E3D1" stroke="{accent}" stroke-dasharray="6 4"/><rect x="{}" y="{}" width="{}" height="{}" fill="#fff"/>{}<path d="M{} {}h{}M{} {}v{}" stroke="{accent}" stroke-width="2"/>"##,
                n(x - m),
                n(y - m),
                n(w + 2.0 * m),
                n(h + 2.0 * m),
                n(x),
                n(y),
                n(w),
                n(h),
                art.at(x, y, w),
                n(x - m),
                n(y + h / 2.0),
                n(m),
                n(x + w / 2.0),
                n(y - m),
                n(m)
            )
        }
        Picture::MinimumSize => {
            // Real size on screen: the minimum in CSS pixels between two rulers, the top one
            // as long as the logo, the bottom one as long as the print minimum (96 px = 1 in).
            let w = f64::from(v.min_width_px);
            let h = w * art.height / art.width;
            let mm = v.min_width_mm * 96.0 / 25.4;
            let (top, y, bottom) = ((H - h) / 2.0 - 22.0, (H - h) / 2.0, (H + h) / 2.0 + 10.0);
            let ruler = |len: f64, y: f64, colour: &str| {
                format!(
                    r#"<path d="M{x0} {y0}v12M{x0} {y1}h{len}M{x1} {y0}v12" stroke="{colour}" stroke-width="1.5"/>"#,
                    x0 = n((W - len) / 2.0),
                    x1 = n((W + len) / 2.0),
                    y0 = n(y),
                    y1 = n(y + 6.0),
                    len = n(len)
                )
            };
            ruler(w, top, &ink) + &art.at((W - w) / 2.0, y, w) + &ruler(mm, bottom, &accent)
        }
        Picture::Backgrounds => {
            let tile = W / 3.0;
            let w = fit(tile * 0.8, H * 0.5);
            let mut out = String::new();
            for (i, bg) in [Background::Light, Background::Dark, Background::Photo]
                .iter()
                .enumerate()
            {
                let fill = match bg {
                    Background::Light => "#FFFFFF".to_owned(),
                    Background::Dark => ink.clone(),
                    Background::Photo => "url(#photo)".to_owned(),
                };
                let drawn = match bg {
                    Background::Dark if !v.backgrounds.contains(bg) => light,
                    _ => Some(art),
                };
                out += &format!(
                    r#"<rect x="{}" width="{}" height="{H}" fill="{fill}"/>"#,
                    n(tile * i as f64),
                    n(tile)
                );
                if let Some(a) = drawn {
                    let h = w * a.height / a.width;
                    out += &a.at(tile * i as f64 + (tile - w) / 2.0, (H - h) / 2.0, w);
                }
            }
            out
        }
        Picture::Stretched => {
            // Squeezed to 60 % of its width and pulled to 140 % of its height.
            let w = fit(W * 0.7, H * 0.45);
            let (sw, sh) = (w * 0.6, w * art.height / art.width * 1.4);
            art.in_box((W - sw) / 2.0, (H - sh) / 2.0, sw, sh)
        }
        Picture::Recoloured => centred(&art.recoloured(), fit(W * 0.6, H * 0.5)),
        Picture::Rotated => format!(
            r#"<g transform="rotate(-18 {} {})">{}</g>"#,
            n(W / 2.0),
            n(H / 2.0),
            centred(art, fit(W * 0.55, H * 0.45))
        ),
        Picture::LowContrast => format!(
            r#"<rect width="{W}" height="{H}" fill="{}"/>{}"#,
            hex("lake-blue", "#2F7FC1"),
            centred(art, fit(W * 0.6, H * 0.5))
        ),
        Picture::TooSmall => centred(art, f64::from(v.min_width_px) * 0.45),
    };
    let mark = if p.is_dont() {
        format!(
            r##"<rect x="1.5" y="1.5" width="{}" height="{}" fill="none" stroke="{accent}" stroke-width="3"/><circle cx="{}" cy="26" r="16" fill="{accent}"/><path d="M{} 18l16 16M{} 18l-16 16" stroke="#fff" stroke-width="3.5" stroke-linecap="round"/>"##,
            n(W - 3.0),
            n(H - 3.0),
            n(W - 26.0),
            n(W - 34.0),
            n(W - 18.0)
        )
    } else {
        String::new()
    };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}"><defs><linearGradient id="photo" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#7A9A6B"/><stop offset=".55" stop-color="#C9B07A"/><stop offset="1" stop-color="#5B6E7E"/></linearGradient></defs><rect width="{W}" height="{H}" fill="#F7F8F6"/>{body}{mark}</svg>"##
    )
}

/// A colour turned round the hue circle: the same logo in colours the palette never had.
fn recolour(after_hash: &str) -> String {
    let (hex, rest) = after_hash.split_at(after_hash.len().min(6));
    let Some([r, g, b]) = crate::model::parse_hex(&format!("#{hex}")).filter(|_| hex.len() == 6)
    else {
        return after_hash.to_owned();
    };
    // Swapping the channels moves every hue a third of the way round, keeping lightness.
    format!("{:02X}{:02X}{:02X}{rest}", b, r, g)
}

/// Every picture of every family, by its path in the kit (`usage/<layout>/<name>.svg`).
pub fn pictures(brand: &super::Brand) -> Vec<(String, String)> {
    let Some(g) = &brand.guidelines else {
        return Vec::new();
    };
    let read = |l: &LogoVariant| Artwork::parse(&std::fs::read(brand.dir.join(&l.file)).ok()?);
    let mut out = Vec::new();
    for family in families(g) {
        let Some(art) = read(family) else { continue };
        let light = g
            .logos
            .iter()
            .find(|l| l.layout == family.layout && l.colour_mode == ColourMode::MonoLight)
            .and_then(read);
        for p in Picture::ALL {
            out.push((
                format!("usage/{}/{}.svg", layout_name(family), p.name()),
                draw(g, family, &art, light.as_ref(), p),
            ));
        }
    }
    out
}

/// "horizontal", "stacked", "icon": the family's folder.
pub fn layout_name(v: &LogoVariant) -> String {
    serde_json::to_value(v.layout)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brand() -> super::super::Brand {
        super::super::Brand::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("brand"))
            .unwrap()
    }

    #[test]
    fn every_family_has_every_picture_and_each_parses() {
        let pictures = pictures(&brand());
        assert_eq!(pictures.len(), 3 * Picture::ALL.len());
        for (path, svg) in &pictures {
            roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(!svg.contains("<text"), "{path}: outlines only");
            let crossed = svg.contains("stroke-linecap=\"round\"");
            assert_eq!(crossed, path.contains("/dont-"), "{path}");
        }
    }

    #[test]
    fn changing_a_rule_changes_its_picture() {
        let mut b = brand();
        let before = pictures(&b);
        let g = b.guidelines.as_mut().unwrap();
        for l in &mut g.logos {
            l.clear_space = 0.5;
            l.min_width_px = 200;
        }
        let after = pictures(&b);
        let changed = |name: &str| {
            before
                .iter()
                .zip(&after)
                .filter(|(a, _)| a.0.ends_with(name))
                .all(|(a, b)| a.1 != b.1)
        };
        assert!(
            changed("clear-space.svg")
                && changed("minimum-size.svg")
                && changed("dont-too-small.svg")
        );
        assert!(
            !changed("dont-rotate.svg"),
            "a picture the rule does not touch stays"
        );
    }

    #[test]
    fn recolouring_leaves_no_palette_colour() {
        let art = Artwork::parse(br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path fill="#1B6B3A" d="M0 0h1v1z"/></svg>"##).unwrap();
        let r = art.recoloured();
        assert!(
            !r.inner.contains("#1B6B3A") && r.inner.contains("#3A1B6B"),
            "{}",
            r.inner
        );
    }
}
