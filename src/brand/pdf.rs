//! A small PDF document writer for the brand book: A4 pages of text set in the brand's own
//! TrueType fonts (embedded whole, with a ToUnicode map so the words can be searched and
//! copied) and SVG artwork converted to PDF vector paths (never rasterised). The output
//! depends only on its input: no dates, a file id hashed from the content.

use std::collections::BTreeMap;
use std::io::Write as _;

use pdf_writer::types::{CidFontType, FontFlags, LineCapStyle, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use resvg::usvg;

use super::lettering::FontFile;

/// A4 portrait, in points.
pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;

/// An RGB colour from `#RRGGBB` (black when malformed).
pub fn rgb(hex: &str) -> [f32; 3] {
    crate::model::parse_hex(hex)
        .unwrap_or([0, 0, 0])
        .map(|v| f32::from(v) / 255.0)
}

struct Font {
    file: FontFile,
    /// Glyphs used, with the text they stand for (for the ToUnicode map).
    used: BTreeMap<u16, char>,
}

/// The document being written: fonts by index, pages of content.
pub struct Doc {
    fonts: Vec<Font>,
    pages: Vec<Content>,
}

/// A font of the document, by its index.
#[derive(Debug, Clone, Copy)]
pub struct FontId(usize);

impl Doc {
    pub fn new() -> Doc {
        Doc {
            fonts: Vec::new(),
            pages: Vec::new(),
        }
    }

    pub fn add_font(&mut self, file: FontFile) -> FontId {
        self.fonts.push(Font {
            file,
            used: BTreeMap::new(),
        });
        FontId(self.fonts.len() - 1)
    }

    /// Starts a new page; drawing goes to the last page.
    pub fn page(&mut self) {
        self.pages.push(Content::new());
    }

    fn content(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.page();
        }
        self.pages.last_mut().expect("a page")
    }

    /// The width of `text` at `size` points.
    pub fn width(&self, font: FontId, text: &str, size: f32) -> f32 {
        let face = self.fonts[font.0].file.face();
        let units: f32 = text
            .chars()
            .filter_map(|c| face.glyph_index(c))
            .map(|g| f32::from(face.glyph_hor_advance(g).unwrap_or(0)))
            .sum();
        units * size / f32::from(face.units_per_em())
    }

    /// One line of text, its baseline's left end at (x, y) from the page's top-left.
    pub fn text(
        &mut self,
        font: FontId,
        size: f32,
        (x, y): (f32, f32),
        colour: [f32; 3],
        text: &str,
    ) {
        let mut glyphs = Vec::with_capacity(text.len() * 2);
        {
            let f = &mut self.fonts[font.0];
            let face = f.file.face();
            for c in text.chars() {
                let g = face.glyph_index(c).map_or(0, |g| g.0);
                f.used.entry(g).or_insert(c);
                glyphs.extend_from_slice(&g.to_be_bytes());
            }
        }
        let name = format!("F{}", font.0);
        let content = self.content();
        content
            .set_fill_rgb(colour[0], colour[1], colour[2])
            .begin_text()
            .set_font(Name(name.as_bytes()), size)
            .set_text_matrix([1.0, 0.0, 0.0, 1.0, x, PAGE_H - y])
            .show(Str(&glyphs))
            .end_text();
    }

    /// `text` broken into lines no wider than `width`; returns the y below the last line.
    pub fn paragraph(
        &mut self,
        font: FontId,
        size: f32,
        (x, mut y): (f32, f32),
        width: f32,
        colour: [f32; 3],
        text: &str,
    ) -> f32 {
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && self.width(font, &candidate, size) > width {
                self.text(font, size, (x, y), colour, &line);
                y += size * 1.4;
                line = word.to_owned();
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            self.text(font, size, (x, y), colour, &line);
            y += size * 1.4;
        }
        y
    }

    /// A filled rectangle, (x, y) its top-left from the page's top-left.
    pub fn rect(
        &mut self,
        (x, y, w, h): (f32, f32, f32, f32),
        fill: [f32; 3],
        stroke: Option<[f32; 3]>,
    ) {
        let c = self.content();
        c.save_state().set_fill_rgb(fill[0], fill[1], fill[2]);
        c.rect(x, PAGE_H - y - h, w, h);
        match stroke {
            Some(s) => {
                c.set_stroke_rgb(s[0], s[1], s[2]).set_line_width(0.5);
                c.fill_nonzero_and_stroke();
            }
            None => {
                c.fill_nonzero();
            }
        }
        c.restore_state();
    }

    /// An SVG drawn as vector paths, `w` points wide with its top-left at (x, y); returns its
    /// height. Gradients are drawn as their middle colour; images and text are left out (the
    /// brand's artwork is outlines).
    pub fn svg(&mut self, svg: &[u8], (x, y): (f32, f32), w: f32) -> Result<f32, String> {
        let tree =
            usvg::Tree::from_data(svg, &usvg::Options::default()).map_err(|e| e.to_string())?;
        let size = tree.size();
        let scale = w / size.width();
        let c = self.content();
        c.save_state()
            .transform([scale, 0.0, 0.0, -scale, x, PAGE_H - y]);
        draw_group(c, tree.root());
        c.restore_state();
        Ok(size.height() * scale)
    }

    /// The finished file.
    pub fn finish(self, title: &str) -> Vec<u8> {
        let mut pdf = Pdf::new();
        let mut next = 1;
        let mut alloc = || {
            next += 1;
            Ref::new(next - 1)
        };
        let (catalog, tree, info) = (alloc(), alloc(), alloc());
        let font_refs: Vec<Ref> = self.fonts.iter().map(|_| alloc()).collect();
        let page_refs: Vec<(Ref, Ref)> = self.pages.iter().map(|_| (alloc(), alloc())).collect();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids(page_refs.iter().map(|p| p.0))
            .count(page_refs.len() as i32);
        pdf.document_info(info)
            .title(TextStr(title))
            .producer(TextStr("brandvault"));
        for ((page, content_ref), content) in page_refs.iter().zip(self.pages) {
            let mut p = pdf.page(*page);
            p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
                .parent(tree)
                .contents(*content_ref);
            let mut resources = p.resources();
            let mut fonts = resources.fonts();
            for (i, r) in font_refs.iter().enumerate() {
                fonts.pair(Name(format!("F{i}").as_bytes()), *r);
            }
            fonts.finish();
            resources.finish();
            p.finish();
            let bytes = deflate(&content.finish());
            pdf.stream(*content_ref, &bytes).filter(Filter::FlateDecode);
        }
        for (font, id) in self.fonts.iter().zip(&font_refs) {
            embed(&mut pdf, font, *id, &mut alloc);
        }
        let hash = blake3::hash(pdf.as_bytes()).as_bytes()[..16].to_vec();
        pdf.set_file_id((hash.clone(), hash));
        pdf.finish()
    }
}

impl Default for Doc {
    fn default() -> Self {
        Doc::new()
    }
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = e.write_all(bytes);
    e.finish().unwrap_or_default()
}

/// A TrueType font as a Type 0 composite font (Identity-H, glyph ids as codes), the file
/// embedded whole, with the widths and Unicode of the glyphs used.
fn embed(pdf: &mut Pdf, font: &Font, type0: Ref, alloc: &mut impl FnMut() -> Ref) {
    let (cid, descriptor, file, cmap) = (alloc(), alloc(), alloc(), alloc());
    let face = font.file.face();
    let units = f32::from(face.units_per_em());
    let per_mille = |v: f32| v * 1000.0 / units;
    let ps_name: String = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string())
        .unwrap_or_else(|| "BrandFont".into())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let name = Name(ps_name.as_bytes());
    let info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(type0)
        .base_font(name)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);
    let mut c = pdf.cid_font(cid);
    c.subtype(CidFontType::Type2)
        .base_font(name)
        .system_info(info)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    let mut widths = c.widths();
    for g in font.used.keys() {
        let adv = f32::from(face.glyph_hor_advance(ttf_parser::GlyphId(*g)).unwrap_or(0));
        widths.consecutive(*g, [per_mille(adv)]);
    }
    widths.finish();
    c.finish();
    let bbox = face.global_bounding_box();
    pdf.font_descriptor(descriptor)
        .name(name)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            per_mille(f32::from(bbox.x_min)),
            per_mille(f32::from(bbox.y_min)),
            per_mille(f32::from(bbox.x_max)),
            per_mille(f32::from(bbox.y_max)),
        ))
        .italic_angle(0.0)
        .ascent(per_mille(f32::from(face.ascender())))
        .descent(per_mille(f32::from(face.descender())))
        .cap_height(per_mille(f32::from(
            face.capital_height().unwrap_or(face.ascender()),
        )))
        .stem_v(80.0)
        .font_file2(file);
    let data = deflate(&font.file.bytes);
    pdf.stream(file, &data)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), font.file.bytes.len() as i32);
    let mut map = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), info);
    for (g, c) in &font.used {
        map.pair(*g, *c);
    }
    let map = map.finish();
    pdf.cmap(cmap, &map).system_info(info);
}

fn draw_group(c: &mut Content, group: &usvg::Group) {
    for node in group.children() {
        match node {
            usvg::Node::Group(g) => draw_group(c, g),
            usvg::Node::Path(p) if p.is_visible() => draw_path(c, p),
            _ => {}
        }
    }
}

fn colour_of(paint: &usvg::Paint) -> [f32; 3] {
    let c = match paint {
        usvg::Paint::Color(c) => *c,
        usvg::Paint::LinearGradient(g) => middle(g.stops()),
        usvg::Paint::RadialGradient(g) => middle(g.stops()),
        usvg::Paint::Pattern(_) => usvg::Color::black(),
    };
    [c.red, c.green, c.blue].map(|v| f32::from(v) / 255.0)
}

fn middle(stops: &[usvg::Stop]) -> usvg::Color {
    stops
        .get(stops.len() / 2)
        .map_or(usvg::Color::black(), usvg::Stop::color)
}

fn draw_path(c: &mut Content, p: &usvg::Path) {
    let t = p.abs_transform();
    c.save_state()
        .transform([t.sx, t.ky, t.kx, t.sy, t.tx, t.ty]);
    let mut last = (0.0f32, 0.0f32);
    for segment in p.data().segments() {
        use usvg::tiny_skia_path::PathSegment as S;
        match segment {
            S::MoveTo(a) => {
                c.move_to(a.x, a.y);
                last = (a.x, a.y);
            }
            S::LineTo(a) => {
                c.line_to(a.x, a.y);
                last = (a.x, a.y);
            }
            S::QuadTo(q, a) => {
                // A quadratic Bézier as the cubic with the same curve.
                let (c1x, c1y) = (
                    last.0 + 2.0 / 3.0 * (q.x - last.0),
                    last.1 + 2.0 / 3.0 * (q.y - last.1),
                );
                let (c2x, c2y) = (a.x + 2.0 / 3.0 * (q.x - a.x), a.y + 2.0 / 3.0 * (q.y - a.y));
                c.cubic_to(c1x, c1y, c2x, c2y, a.x, a.y);
                last = (a.x, a.y);
            }
            S::CubicTo(a, b, d) => {
                c.cubic_to(a.x, a.y, b.x, b.y, d.x, d.y);
                last = (d.x, d.y);
            }
            S::Close => {
                c.close_path();
            }
        }
    }
    if let Some(fill) = p.fill() {
        let [r, g, b] = colour_of(fill.paint());
        c.set_fill_rgb(r, g, b);
    }
    if let Some(stroke) = p.stroke() {
        let [r, g, b] = colour_of(stroke.paint());
        c.set_stroke_rgb(r, g, b)
            .set_line_width(stroke.width().get());
        if stroke.linecap() == usvg::LineCap::Round {
            c.set_line_cap(LineCapStyle::RoundCap);
        }
        if let Some(dashes) = stroke.dasharray() {
            c.set_dash_pattern(dashes.iter().copied(), stroke.dashoffset());
        }
    }
    let even_odd = p
        .fill()
        .is_some_and(|f| f.rule() == usvg::FillRule::EvenOdd);
    match (p.fill().is_some(), p.stroke().is_some(), even_odd) {
        (true, true, false) => c.fill_nonzero_and_stroke(),
        (true, true, true) => c.fill_even_odd_and_stroke(),
        (true, false, false) => c.fill_nonzero(),
        (true, false, true) => c.fill_even_odd(),
        (false, true, _) => c.stroke(),
        (false, false, _) => c.end_path(),
    };
    c.restore_state();
}
