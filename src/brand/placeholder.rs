//! Honest placeholders: while `guidelines.toml` says `logo_status = "placeholder"`, every logo
//! that leaves brandvault (the kit's SVGs and PNGs, `/brand/files/…`, the brand book) carries a
//! visible band under the artwork, "LOGO TẠM · PLACEHOLDER", lettered in the brand typeface.
//! The artwork itself is untouched: the band extends the canvas below it, so nobody mistakes
//! the stand-in for the brand, and removing the flag gives the files back as drawn.

use super::lettering::{outline, short as num, FontFile};

/// The words of the band, in both languages.
pub const NOTICE: &str = "LOGO TẠM · PLACEHOLDER";

/// The band's colours: the palette's accent red with white lettering reads on every backdrop.
const BAND: &str = "#A63D2A";
const LETTERS: &str = "#FFFFFF";

/// `svg` with the placeholder band added below its artwork. Fails when the root element has
/// no usable size (such a logo is refused by the guidelines check anyway).
pub fn stamp(svg: &[u8], font: Option<&FontFile>) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(svg).map_err(|_| "the SVG is not UTF-8".to_owned())?;
    let doc =
        roxmltree::Document::parse(text).map_err(|e| format!("the SVG does not parse: {e}"))?;
    let root = doc.root_element();
    let (vx, vy, vw, vh) = view_box(&root).ok_or("the SVG has no viewBox or size")?;
    let band = (vh * 0.24).max(vw * 0.06);
    let start_end =
        start_tag_end(text, root.range().start).ok_or("the SVG's root tag does not end")?;
    let close = text.rfind("</svg>").ok_or("the SVG has no closing tag")?;
    let mut attrs = String::new();
    for ns in root.namespaces() {
        if let Some(prefix) = ns.name().filter(|p| *p != "xml") {
            attrs += &format!(" xmlns:{prefix}=\"{}\"", escape(ns.uri()));
        }
    }
    for a in root.attributes() {
        if matches!(a.name(), "viewBox" | "width" | "height") && a.namespace().is_none() {
            continue;
        }
        let name = match a.namespace().and_then(|uri| root.lookup_prefix(uri)) {
            Some(prefix) => format!("{prefix}:{}", a.name()),
            None => a.name().to_owned(),
        };
        attrs += &format!(" {name}=\"{}\"", escape(a.value()));
    }
    let scale = root
        .attribute("height")
        .and_then(|h| h.trim_end_matches("px").parse::<f64>().ok())
        .map_or(1.0, |h| h / vh);
    let total = vh + band;
    let size = fit(font, band * 0.5, vw * 0.9);
    let lettering = match font.map(|f| outline(f, NOTICE, size, 0.04, (0.0, 0.0))) {
        Some(Ok(line)) => {
            let x = vx + (vw - line.width) / 2.0;
            let y = vy + vh + (band + line.cap_height) / 2.0;
            format!(
                r#"<path transform="translate({} {})" d="{}" fill="{LETTERS}"/>"#,
                num(x),
                num(y),
                line.d
            )
        }
        _ => String::new(),
    };
    let mut out = String::with_capacity(text.len() + lettering.len() + 400);
    out += &text[..root.range().start];
    out += &format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg"{attrs} width="{}" height="{}" viewBox="{} {} {} {}">"#,
        num(vw * scale),
        num(total * scale),
        num(vx),
        num(vy),
        num(vw),
        num(total)
    );
    out += &text[start_end..close];
    out += &format!(
        r#"<g aria-label="{NOTICE}"><rect x="{}" y="{}" width="{}" height="{}" fill="{BAND}"/>{lettering}</g>"#,
        num(vx),
        num(vy + vh),
        num(vw),
        num(band)
    );
    out += &text[close..];
    Ok(out.into_bytes())
}

/// The largest size up to `max` at which the notice fits `width`.
fn fit(font: Option<&FontFile>, max: f64, width: f64) -> f64 {
    let Some(at_one) = font.and_then(|f| super::lettering::width(f, NOTICE, 1.0, 0.04).ok()) else {
        return max;
    };
    max.min(width / at_one)
}

/// The root's viewBox, else its width and height from the origin.
fn view_box(root: &roxmltree::Node) -> Option<(f64, f64, f64, f64)> {
    if let Some(vb) = root.attribute("viewBox") {
        let v: Vec<f64> = vb
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        return (v.len() == 4 && v[2] > 0.0 && v[3] > 0.0).then(|| (v[0], v[1], v[2], v[3]));
    }
    let px = |name| {
        root.attribute(name)?
            .trim_end_matches("px")
            .parse::<f64>()
            .ok()
    };
    Some((0.0, 0.0, px("width")?, px("height")?))
}

/// Where the start tag that begins at `from` ends (just after its `>`), quotes respected.
fn start_tag_end(text: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, c) in text[from..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(from + i + 1),
            _ => {}
        }
    }
    None
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_band_extends_the_canvas_below_the_untouched_artwork() {
        let svg = br##"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="300" height="100" viewBox="0 0 150 50" data-x="a>b"><path d="M0 0H10V10Z" fill="#1B6B3A"/></svg>"##;
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("brand/fonts/be-vietnam-pro");
        let font = FontFile::read(&dir.join("BeVietnamPro-Bold.ttf")).unwrap();
        let out = String::from_utf8(stamp(svg, Some(&font)).unwrap()).unwrap();
        assert!(out.starts_with("<?xml version=\"1.0\"?><svg "), "{out}");
        assert!(
            out.contains(r#"width="300" height="124" viewBox="0 0 150 62""#),
            "{out}"
        );
        assert!(
            out.contains(r#"data-x="a>b""#)
                && out.contains(r##"<path d="M0 0H10V10Z" fill="#1B6B3A"/>"##)
        );
        assert!(out.contains(r#"<rect x="0" y="50" width="150" height="12""#));
        assert!(!out.contains("<text"), "the notice is outlined");
        roxmltree::Document::parse(&out).unwrap();
        // Without a font the band is still there, without letters.
        let bare = String::from_utf8(stamp(svg, None).unwrap()).unwrap();
        assert!(bare.contains("<rect") && !bare.contains("translate("));
    }

    #[test]
    fn an_svg_without_a_size_is_refused() {
        let err = stamp(br#"<svg xmlns="http://www.w3.org/2000/svg"/>"#, None).unwrap_err();
        assert!(err.contains("no viewBox"), "{err}");
    }
}
