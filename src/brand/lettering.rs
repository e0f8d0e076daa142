//! Lettering in the brand's own typefaces: a line of text set in a font file of `brand/fonts/`
//! and converted to outlines (SVG path data), so a wordmark or a notice renders the same in
//! every viewer without the font installed. Glyphs come from the font's cmap, advances from its
//! metrics; no shaping engine is needed for the brand's NFC Vietnamese, whose letters the
//! typefaces carry precomposed.

use std::fmt::Write as _;
use std::path::Path;

/// A font file of the brand, kept as bytes and parsed when used (parsing is cheap).
#[derive(Debug, Clone)]
pub struct FontFile {
    pub bytes: Vec<u8>,
}

impl FontFile {
    /// Reads and checks a TrueType/OpenType file; the error names the file and the reason.
    pub fn read(path: &Path) -> Result<FontFile, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        ttf_parser::Face::parse(&bytes, 0)
            .map_err(|e| format!("{}: not a font file ({e})", path.display()))?;
        Ok(FontFile { bytes })
    }

    /// The parsed face (checked when the file was read).
    pub fn face(&self) -> ttf_parser::Face<'_> {
        ttf_parser::Face::parse(&self.bytes, 0).expect("checked when read")
    }

    /// The weight class the font declares (400 regular, 700 bold).
    pub fn weight(&self) -> u16 {
        self.face().weight().to_number()
    }

    /// The family name the font declares, for the brand book.
    pub fn family(&self) -> String {
        let face = self.face();
        face.names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::FAMILY && n.is_unicode())
            .find_map(|n| n.to_string())
            .unwrap_or_default()
    }
}

/// A typeface's lightest and heaviest files (the same file twice when it has one).
#[derive(Debug, Clone)]
pub struct Pair {
    pub regular: FontFile,
    pub bold: FontFile,
}

/// Reads the font files of `typeface` from the brand folder `dir`; None when it lists none or
/// one does not read (the guidelines check reports that).
pub fn pair(dir: &Path, typeface: &crate::model::Typeface) -> Option<Pair> {
    let mut fonts: Vec<FontFile> = typeface
        .files
        .iter()
        .map(|f| FontFile::read(&dir.join(f)))
        .collect::<Result<_, _>>()
        .ok()?;
    fonts.sort_by_key(FontFile::weight);
    Some(Pair {
        regular: fonts.first()?.clone(),
        bold: fonts.last()?.clone(),
    })
}

/// A line of text as outlines, its origin at the left end of the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// SVG path data, in user units.
    pub d: String,
    /// Advance width of the whole line, in user units.
    pub width: f64,
    /// Height of a capital letter above the baseline, in user units.
    pub cap_height: f64,
}

/// Sets `text` at `size` user units per em, with `tracking` extra space between letters (in
/// ems), its baseline at `(x, y)`. Fails naming the first character the font does not carry.
pub fn outline(
    font: &FontFile,
    text: &str,
    size: f64,
    tracking: f64,
    (x, y): (f64, f64),
) -> Result<Line, String> {
    let face = font.face();
    let scale = size / f64::from(face.units_per_em());
    let mut pen = Path2 {
        d: String::new(),
        scale,
        x,
        y,
    };
    let mut advance = 0.0;
    let chars: Vec<char> = text.chars().collect();
    for (i, ch) in chars.iter().enumerate() {
        let glyph = face
            .glyph_index(*ch)
            .ok_or_else(|| format!("the typeface has no glyph for {ch:?}"))?;
        pen.x = x + advance;
        face.outline_glyph(glyph, &mut pen);
        advance += f64::from(face.glyph_hor_advance(glyph).unwrap_or(0)) * scale;
        if i + 1 < chars.len() {
            advance += tracking * size;
        }
    }
    let cap = face
        .capital_height()
        .unwrap_or((f64::from(face.ascender()) * 0.7) as i16);
    Ok(Line {
        d: pen.d,
        width: advance,
        cap_height: f64::from(cap) * scale,
    })
}

/// The advance width of `text` (as `outline` would set it), without drawing it.
pub fn width(font: &FontFile, text: &str, size: f64, tracking: f64) -> Result<f64, String> {
    outline(font, text, size, tracking, (0.0, 0.0)).map(|l| l.width)
}

/// The lines of a specimen: every letter of the Vietnamese alphabet with its tones, digits.
const SPECIMEN: [&str; 3] = [
    "Aa Ăă Ââ Bb Cc Dd Đđ Ee Êê Gg Hh Ii Kk Ll Mm Nn Oo Ôô Ơơ",
    "Pp Qq Rr Ss Tt Uu Ưư Vv Xx Yy · à á ả ã ạ · ằ ắ ẳ ẵ ặ · ờ ớ ở ỡ ợ",
    "0123456789 · “Bình Phước – năng động, hiện đại” ₫ % & ?",
];

/// A specimen of a typeface as an SVG of outlines: the family in its bold, then the alphabet
/// in its regular, so an agency sees the letters without installing anything.
pub fn specimen(pair: &Pair, family: &str) -> Result<String, String> {
    let title = outline(&pair.bold, family, 30.0, 0.0, (16.0, 44.0))?;
    let mut paths = format!(r##"<path d="{}" fill="#1F2A30"/>"##, title.d);
    let mut width = title.width;
    for (i, line) in SPECIMEN.iter().enumerate() {
        let set = outline(
            &pair.regular,
            line,
            20.0,
            0.0,
            (16.0, 84.0 + 32.0 * i as f64),
        )?;
        width = width.max(set.width);
        paths += &format!(r##"<path d="{}" fill="#1F2A30"/>"##, set.d);
    }
    let w = (width + 32.0).ceil();
    Ok(format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="166" viewBox="0 0 {w} 166"><title>{family}</title>{paths}</svg>"#
    ))
}

/// Writes glyph outlines as SVG path commands: font units scaled, y flipped to SVG's down.
struct Path2 {
    d: String,
    scale: f64,
    x: f64,
    y: f64,
}

impl Path2 {
    fn point(&mut self, x: f32, y: f32) {
        let px = self.x + f64::from(x) * self.scale;
        let py = self.y - f64::from(y) * self.scale;
        let _ = write!(self.d, "{} {}", short(px), short(py));
    }
}

/// A coordinate with two decimals and no trailing zeros: small paths, identical output (every
/// SVG the brand module draws writes its numbers so).
pub(crate) fn short(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_owned()
    }
}

impl ttf_parser::OutlineBuilder for Path2 {
    fn move_to(&mut self, x: f32, y: f32) {
        self.d.push('M');
        self.point(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.d.push('L');
        self.point(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.d.push('Q');
        self.point(x1, y1);
        self.d.push(' ');
        self.point(x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.d.push('C');
        self.point(x1, y1);
        self.d.push(' ');
        self.point(x2, y2);
        self.d.push(' ');
        self.point(x, y);
    }
    fn close(&mut self) {
        self.d.push('Z');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bold() -> FontFile {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("brand/fonts/be-vietnam-pro");
        FontFile::read(&dir.join("BeVietnamPro-Bold.ttf")).unwrap()
    }

    #[test]
    fn vietnamese_capitals_become_outlines_wider_with_tracking() {
        let font = bold();
        assert_eq!(font.weight(), 700);
        assert_eq!(font.family(), "Be Vietnam Pro");
        let line = outline(&font, "BÌNH PHƯỚC", 40.0, 0.0, (10.0, 50.0)).unwrap();
        assert!(line.d.starts_with('M') && line.d.matches('Z').count() >= 10);
        assert!(line.width > 150.0 && line.width < 300.0, "{}", line.width);
        assert!(line.cap_height > 20.0 && line.cap_height < 35.0);
        let tracked = width(&font, "BÌNH PHƯỚC", 40.0, 0.1).unwrap();
        assert!((tracked - line.width - 9.0 * 4.0).abs() < 0.01);
        // The accents rise above the capitals: some point lies above the cap height.
        let plain = outline(&font, "BINH PHUOC", 40.0, 0.0, (0.0, 50.0)).unwrap();
        assert_ne!(plain.d, line.d);
    }

    #[test]
    fn a_missing_glyph_is_named() {
        let err = outline(&bold(), "Bình 漢", 20.0, 0.0, (0.0, 0.0)).unwrap_err();
        assert!(err.contains('漢'), "{err}");
    }

    #[test]
    fn a_file_that_is_not_a_font_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fake.ttf");
        std::fs::write(&path, b"not a font").unwrap();
        let err = FontFile::read(&path).unwrap_err();
        assert!(
            err.contains("fake.ttf") && err.contains("not a font"),
            "{err}"
        );
    }
}
