//! Checks of logo SVGs: no active content or external references, only palette colours, the
//! variant's proportions.

use svg::node::element::tag::Type;
use svg::parser::Event;

use crate::model::{parse_hex, Guidelines, Rule, Violation};

fn violation(rule: Rule, message: String) -> Violation {
    Violation { rule, message }
}

/// Violations of an SVG logo against the guidelines: `logo-active-content` (script, event
/// handlers, foreignObject), `logo-external-reference`, `logo-off-palette`, `logo-unparsable`.
pub fn check_logo_svg(bytes: &[u8], g: &Guidelines) -> Vec<Violation> {
    let parser = match parse(bytes) {
        Ok(p) => p,
        Err(unparsable) => return vec![unparsable],
    };
    let mut out = Vec::new();
    let mut off_palette: Vec<String> = Vec::new();
    let mut saw_svg = false;
    let mut in_style = false;
    let check_colours = |value: &str, out_list: &mut Vec<String>| {
        for colour in colours_in(value) {
            let Some(rgb) = colour.1 else {
                out_list.push(colour.0);
                continue;
            };
            if nearest_delta_e(rgb, g) > g.rules.palette_delta_e && !out_list.contains(&colour.0) {
                out_list.push(colour.0);
            }
        }
    };
    for event in parser {
        match event {
            Event::Error(e) => {
                out.push(violation(
                    Rule::LogoUnparsable,
                    format!("the SVG does not parse: {e}"),
                ));
                break;
            }
            Event::Tag(name, kind, attrs) => {
                let local = name.rsplit(':').next().unwrap_or(name);
                saw_svg |= local == "svg";
                let opens = kind != Type::End;
                if opens
                    && (local.eq_ignore_ascii_case("script")
                        || local.eq_ignore_ascii_case("foreignObject"))
                {
                    out.push(violation(
                        Rule::LogoActiveContent,
                        format!("<{name}> is not allowed in a logo"),
                    ));
                }
                if local == "style" {
                    in_style = kind == Type::Start;
                }
                for (key, value) in attrs.iter() {
                    let value = value.to_string();
                    out.extend(attribute_violations(name, key, &value));
                    if PAINTS.contains(&key.to_ascii_lowercase().as_str()) {
                        check_colours(&value, &mut off_palette);
                    }
                }
            }
            Event::Text(t) if in_style => {
                if t.contains("@import") || (t.contains("url(") && !t.contains("url(#")) {
                    out.push(violation(
                        Rule::LogoExternalReference,
                        "a stylesheet loads an external resource".into(),
                    ));
                }
                check_colours(t, &mut off_palette);
            }
            _ => {}
        }
    }
    if !saw_svg && out.is_empty() {
        out.push(violation(Rule::LogoUnparsable, "no <svg> element".into()));
    }
    if !off_palette.is_empty() {
        out.push(violation(
            Rule::LogoOffPalette,
            format!(
                "colours outside the palette (ΔE > {}): {}",
                g.rules.palette_delta_e,
                off_palette.join(", ")
            ),
        ));
    }
    out
}

fn parse(bytes: &[u8]) -> Result<svg::Parser<'_>, Violation> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| violation(Rule::LogoUnparsable, "the SVG is not UTF-8".into()))?;
    svg::read(text)
        .map_err(|e| violation(Rule::LogoUnparsable, format!("the SVG does not parse: {e}")))
}

/// Attributes that carry colours (checked against the palette).
const PAINTS: [&str; 7] = [
    "fill",
    "stroke",
    "stop-color",
    "flood-color",
    "lighting-color",
    "color",
    "style",
];

/// What an attribute of element `name` may not do in a logo: run a script on an event, or
/// load anything from outside the document.
fn attribute_violations(name: &str, key: &str, value: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    let key_l = key.to_ascii_lowercase();
    if key_l.starts_with("on") {
        out.push(violation(
            Rule::LogoActiveContent,
            format!("event handler {key} on <{name}>"),
        ));
    }
    if (key_l == "href" || key_l.ends_with(":href")) && !value.trim_start().starts_with('#') {
        out.push(violation(
            Rule::LogoExternalReference,
            format!("<{name}> refers to {value:?} outside the document"),
        ));
    }
    if value.contains("url(") && !value.contains("url(#") {
        out.push(violation(
            Rule::LogoExternalReference,
            format!("{key} on <{name}> loads an external resource"),
        ));
    }
    out
}

/// Colour tokens in a paint value or a stylesheet: (as written, RGB if understood).
fn colours_in(value: &str) -> Vec<(String, Option<[u8; 3]>)> {
    let mut out = Vec::new();
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'#' {
            let end = value[i + 1..]
                .find(|c: char| !c.is_ascii_hexdigit())
                .map_or(value.len(), |e| i + 1 + e);
            let token = &value[i..end];
            if token.len() == 4 || token.len() == 7 {
                out.push((token.to_owned(), parse_hex(token)));
            }
            i = end.max(i + 1);
        } else if bytes[i..].starts_with(b"rgb(") {
            // `i` is on an ASCII byte here, so a char boundary (the text may hold Vietnamese).
            let end = value[i..].find(')').map_or(value.len(), |e| i + e + 1);
            let token = &value[i..end];
            let inner = token.strip_prefix("rgb(").unwrap_or("");
            let nums: Vec<u8> = inner
                .strip_suffix(')')
                .unwrap_or(inner)
                .split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect();
            let rgb = (nums.len() == 3).then(|| [nums[0], nums[1], nums[2]]);
            out.push((token.to_owned(), rgb));
            i = end;
        } else {
            i += 1;
        }
    }
    // Named colours in plain paint values (not in styles, where property names abound).
    let plain = value.trim().to_ascii_lowercase();
    let named = match plain.as_str() {
        "black" => Some([0, 0, 0]),
        "white" => Some([255, 255, 255]),
        "none" | "transparent" | "currentcolor" | "inherit" => None,
        p if !p.is_empty() && p.chars().all(|c| c.is_ascii_alphabetic()) => {
            out.push((p.to_owned(), None));
            None
        }
        _ => None,
    };
    if let Some(rgb) = named {
        out.push((plain, Some(rgb)));
    }
    out
}

/// CIE76 ΔE from `rgb` to the nearest palette colour.
pub fn nearest_delta_e(rgb: [u8; 3], g: &Guidelines) -> f64 {
    let lab = to_lab(rgb);
    g.palette
        .iter()
        .filter_map(|c| c.rgb())
        .map(|p| {
            let q = to_lab(p);
            ((lab[0] - q[0]).powi(2) + (lab[1] - q[1]).powi(2) + (lab[2] - q[2]).powi(2)).sqrt()
        })
        .fold(f64::INFINITY, f64::min)
}

/// sRGB (D65) → CIELAB.
fn to_lab(rgb: [u8; 3]) -> [f64; 3] {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let (r, g, b) = (lin(rgb[0]), lin(rgb[1]), lin(rgb[2]));
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let f = |t: f64| {
        if t > 216.0 / 24389.0 {
            t.cbrt()
        } else {
            (24389.0 / 27.0 * t + 16.0) / 116.0
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `svg_rules` fuzz target: colour scanning stepped byte by byte and sliced
    /// the text inside a multi-byte character (an em dash, a Vietnamese letter), and an
    /// unterminated `rgb(` sliced past its end. Both panicked.
    #[test]
    fn colours_in_non_ascii_or_unterminated_values_do_not_panic() {
        let found = colours_in("#1 — chưa phải màu rgb(1,2,3) — rgb(");
        assert!(found
            .iter()
            .any(|(t, rgb)| t == "rgb(1,2,3)" && *rgb == Some([1, 2, 3])));
        assert!(found.iter().any(|(t, _)| t == "rgb("));
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("brand");
        let g = super::super::read_guidelines(&dir).unwrap();
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">\
                   <rect width=\"9\" height=\"9\" fill=\"#1 — không\"/></svg>";
        let _ = check_logo_svg(svg.as_bytes(), &g);
    }
}
