//! The intrinsic size of an SVG document, from its root element's width/height or viewBox.

use svg::node::element::tag;
use svg::parser::Event;

/// Width and height in CSS pixels, or `None` if the document has no `<svg>` root or no usable
/// size. Percentages and unknown units fall back to the viewBox.
pub fn svg_size(text: &str) -> Option<(f64, f64)> {
    for event in svg::read(text).ok()? {
        match event {
            Event::Tag(tag::SVG, tag::Type::Start | tag::Type::Empty, attrs) => {
                let get = |name: &str| attrs.get(name).map(|v| v.to_string());
                let view_box = get("viewBox").and_then(|vb| {
                    let n: Vec<f64> = vb
                        .split(|c: char| c == ',' || c.is_whitespace())
                        .filter(|s| !s.is_empty())
                        .filter_map(|s| s.parse().ok())
                        .collect();
                    (n.len() == 4 && n[2] > 0.0 && n[3] > 0.0).then(|| (n[2], n[3]))
                });
                let w = get("width").and_then(|v| length(&v));
                let h = get("height").and_then(|v| length(&v));
                return match (w, h, view_box) {
                    (Some(w), Some(h), _) => Some((w, h)),
                    (Some(w), None, Some((vw, vh))) => Some((w, w * vh / vw)),
                    (None, Some(h), Some((vw, vh))) => Some((h * vw / vh, h)),
                    (_, _, vb) => vb,
                };
            }
            Event::Error(_) => return None,
            _ => {}
        }
    }
    None
}

/// An SVG length in pixels: plain numbers and px, pt, mm, cm, in.
fn length(v: &str) -> Option<f64> {
    let v = v.trim();
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e'))
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: f64 = num.parse().ok()?;
    let scale = match unit.trim() {
        "" | "px" => 1.0,
        "pt" => 96.0 / 72.0,
        "mm" => 96.0 / 25.4,
        "cm" => 96.0 / 2.54,
        "in" => 96.0,
        _ => return None,
    };
    (n > 0.0).then_some(n * scale)
}

/// Rasterises an SVG document to exactly `width` pixels wide on a transparent background.
/// External references are never followed: `<image href>` to files or URLs renders nothing
/// (usvg's default resolver would read local files named by an uploaded document).
pub fn rasterise(data: &[u8], width: u32) -> Result<image::RgbaImage, String> {
    use resvg::{tiny_skia, usvg};
    let options = usvg::Options {
        resources_dir: None,
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..Default::default()
    };
    let tree = usvg::Tree::from_data(data, &options).map_err(|e| e.to_string())?;
    let size = tree.size();
    let scale = width as f32 / size.width();
    let height = (size.height() * scale).round().max(1.0) as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| format!("cannot allocate {width}×{height}"))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let rgba: Vec<u8> = pixmap
        .pixels()
        .iter()
        .flat_map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        })
        .collect();
    image::RgbaImage::from_raw(width, height, rgba).ok_or_else(|| "pixmap size mismatch".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_from_attributes_and_view_box() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"/>"#;
        assert_eq!(svg_size(svg), Some((200.0, 100.0)));
        let svg = r#"<?xml version="1.0"?><svg viewBox="0 0 640 320"><rect/></svg>"#;
        assert_eq!(svg_size(svg), Some((640.0, 320.0)));
        let svg = r#"<svg width="100%" viewBox="0,0,30,10"></svg>"#;
        assert_eq!(svg_size(svg), Some((30.0, 10.0)));
        assert_eq!(svg_size("<html></html>"), None);
    }

    #[test]
    fn rasterising_never_reads_referenced_files() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("secret.png");
        image::RgbaImage::from_pixel(8, 8, image::Rgba([255, 0, 0, 255]))
            .save(&png)
            .unwrap();
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="8" height="8"><image href="{0}" width="8" height="8"/><image xlink:href="file://{0}" width="8" height="8"/></svg>"#,
            png.display()
        );
        let out = rasterise(svg.as_bytes(), 8).unwrap();
        assert!(
            out.pixels().all(|p| p.0[3] == 0),
            "no pixel came from the file"
        );
    }
}
