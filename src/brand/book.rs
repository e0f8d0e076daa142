//! The brand book: one PDF an agency or a printer asks for, built from `brand/` by the program
//! and identical byte for byte for the same folder. Logos are vectors (the kit's SVGs,
//! placeholder band included while they are stand-ins), text is set in the brand's typefaces
//! (embedded), every heading in Vietnamese then English: cover, logos with their rules, clear
//! space and minimum sizes, do and don't, palette with every colour value and its contrast,
//! typefaces, slogans, and who answers for the brand.

use super::kit::KitFile;
use super::lettering::Pair;
use super::pdf::{rgb, Doc, FontId, PAGE_H, PAGE_W};
use super::usage_art::{self, Picture};
use super::Brand;
use crate::i18n::Lang::{En, Vi};
use crate::model::{ColourMode, Guidelines, LogoStatus, WCAG_AA_TEXT};

const MARGIN: f32 = 48.0;
const INK: &str = "#1F2A30";
const MUTED: &str = "#5B6770";

/// The fonts the book sets its words in.
struct Type {
    bold: FontId,
    regular: FontId,
    body: FontId,
}

struct Book<'a> {
    doc: Doc,
    t: Type,
    g: &'a Guidelines,
    files: &'a [KitFile],
}

/// "Logo / Logos": a message in both languages.
fn both(key: &str) -> String {
    let (vi, en) = (Vi.t(key), En.t(key));
    if vi == en {
        vi.to_owned()
    } else {
        format!("{vi} / {en}")
    }
}

/// The brand book of `brand`, drawing the logos and pictures from the kit's `files`. None when
/// the brand has no guidelines or no typeface with font files (there is nothing to set it in).
pub fn build(brand: &Brand, files: &[KitFile]) -> Option<Vec<u8>> {
    let g = brand.guidelines.as_ref()?;
    let heads: Pair = brand.wordmark_fonts()?;
    let body = brand
        .fonts_for("body text")
        .map_or(heads.regular.clone(), |p| p.regular);
    let mut doc = Doc::new();
    let t = Type {
        bold: doc.add_font(heads.bold),
        regular: doc.add_font(heads.regular),
        body: doc.add_font(body),
    };
    let mut book = Book { doc, t, g, files };
    book.cover();
    book.logos();
    book.usage();
    book.palette();
    book.typography();
    book.slogans_and_contact();
    let title = format!("{} — {}", g.names.vi, both("book.title"));
    Some(book.doc.finish(&title))
}

impl Book<'_> {
    fn file(&self, path: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.bytes.as_slice())
    }

    /// A new page with its heading; returns the y where the content starts.
    fn page(&mut self, heading: &str) -> f32 {
        self.doc.page();
        self.doc.rect((0.0, 0.0, PAGE_W, 6.0), rgb("#1B6B3A"), None);
        self.doc.text(
            self.t.bold,
            20.0,
            (MARGIN, MARGIN + 14.0),
            rgb(INK),
            heading,
        );
        let footer = format!("{} · {}", self.g.names.vi, self.g.names.en);
        self.doc.text(
            self.t.regular,
            8.0,
            (MARGIN, PAGE_H - 24.0),
            rgb(MUTED),
            &footer,
        );
        MARGIN + 44.0
    }

    fn placeholder(&self) -> bool {
        self.g.logo_status == LogoStatus::Placeholder
    }

    fn cover(&mut self) {
        self.doc.page();
        self.doc
            .rect((0.0, 0.0, PAGE_W, PAGE_H), rgb("#F7F8F6"), None);
        let stacked = self
            .g
            .logos
            .iter()
            .find(|l| {
                l.colour_mode == ColourMode::Full && l.layout == crate::model::LogoLayout::Stacked
            })
            .or_else(|| self.g.logos.first());
        let mut y = 150.0;
        if let Some(svg) = stacked.and_then(|l| self.file(&format!("logos/svg/{}.svg", l.id))) {
            let svg = svg.to_vec();
            y += self
                .doc
                .svg(&svg, ((PAGE_W - 300.0) / 2.0, y), 300.0)
                .unwrap_or(0.0)
                + 60.0;
        }
        for (size, font, text) in [
            (26.0, self.t.bold, Vi.t("book.title")),
            (16.0, self.t.regular, En.t("book.title")),
        ] {
            let w = self.doc.width(font, text, size);
            self.doc
                .text(font, size, ((PAGE_W - w) / 2.0, y), rgb(INK), text);
            y += size * 1.6;
        }
        let names = format!("{} · {}", self.g.names.vi, self.g.names.en);
        let w = self.doc.width(self.t.regular, &names, 12.0);
        self.doc.text(
            self.t.regular,
            12.0,
            ((PAGE_W - w) / 2.0, y + 10.0),
            rgb(MUTED),
            &names,
        );
        if self.placeholder() {
            let top = PAGE_H - 170.0;
            self.doc.rect(
                (MARGIN, top, PAGE_W - 2.0 * MARGIN, 84.0),
                rgb("#A63D2A"),
                None,
            );
            let mut y = top + 24.0;
            for key in ["brand.placeholder_title", "brand.placeholder_body"] {
                for lang in [Vi, En] {
                    let font = if key.ends_with("title") {
                        self.t.bold
                    } else {
                        self.t.regular
                    };
                    y = self.doc.paragraph(
                        font,
                        8.5,
                        (MARGIN + 14.0, y),
                        PAGE_W - 2.0 * MARGIN - 28.0,
                        [1.0; 3],
                        lang.t(key),
                    );
                }
            }
        }
    }

    /// Every variant on its backdrop with its name and rules, six to a page.
    fn logos(&mut self) {
        let per_page = 6;
        let (cell_w, cell_h) = ((PAGE_W - 2.0 * MARGIN - 20.0) / 2.0, 220.0);
        for (i, logo) in self.g.logos.iter().enumerate() {
            let top = if i % per_page == 0 {
                self.page(&both("brand.logos"))
            } else {
                MARGIN + 44.0
            };
            let (col, row) = ((i % per_page) % 2, (i % per_page) / 2);
            let (x, y) = (
                MARGIN + col as f32 * (cell_w + 20.0),
                top + row as f32 * (cell_h + 8.0),
            );
            let dark = logo.colour_mode == ColourMode::MonoLight;
            self.doc.rect(
                (x, y, cell_w, 120.0),
                rgb(if dark { INK } else { "#FFFFFF" }),
                Some(rgb("#D9DED8")),
            );
            if let Some(svg) = self
                .file(&format!("logos/svg/{}.svg", logo.id))
                .map(<[u8]>::to_vec)
            {
                let tree_w = crate::media::svg::svg_size(&String::from_utf8_lossy(&svg))
                    .map_or(1.0, |s| s.0 / s.1);
                let w = (cell_w * 0.7).min(84.0 * tree_w as f32);
                let h = w / tree_w as f32;
                let _ = self
                    .doc
                    .svg(&svg, (x + (cell_w - w) / 2.0, y + (120.0 - h) / 2.0), w);
            }
            let mut ty = y + 136.0;
            let name = format!(
                "{} / {}",
                super::words::variant_name(Vi, logo),
                super::words::variant_name(En, logo)
            );
            ty = self
                .doc
                .paragraph(self.t.bold, 8.5, (x, ty), cell_w, rgb(INK), &name);
            for (vi, en) in super::words::logo_rules(Vi, logo)
                .iter()
                .zip(super::words::logo_rules(En, logo))
            {
                ty = self.doc.paragraph(
                    self.t.body,
                    7.5,
                    (x, ty),
                    cell_w,
                    rgb(MUTED),
                    &format!("{vi} / {en}"),
                );
            }
        }
    }

    /// Per family: the clear-space and minimum-size pictures, then the do and don't, with the
    /// logo also drawn at its true minimum print width.
    fn usage(&mut self) {
        for family in usage_art::families(self.g) {
            let layout = usage_art::layout_name(family);
            let heading = format!(
                "{} — {}",
                both("brand.usage"),
                Vi.t(&format!("logo.layout.{layout}"))
            );
            let top = self.page(&heading);
            let (cell_w, gap) = ((PAGE_W - 2.0 * MARGIN - 24.0) / 3.0, 12.0);
            for (i, p) in Picture::ALL.iter().enumerate() {
                let (col, row) = (i % 3, i / 3);
                let (x, y) = (
                    MARGIN + col as f32 * (cell_w + gap),
                    top + row as f32 * 190.0,
                );
                let path = format!("usage/{layout}/{}.svg", p.name());
                if let Some(svg) = self.file(&path).map(<[u8]>::to_vec) {
                    let _ = self.doc.svg(&svg, (x, y), cell_w);
                }
                let mut ty = y + cell_w * 240.0 / 360.0 + 12.0;
                for (lang, colour) in [(Vi, INK), (En, MUTED)] {
                    let mark = if p.is_dont() { lang.t("book.dont") } else { "" };
                    let words = format!("{mark}{}", p.caption(lang, family));
                    ty = self.doc.paragraph(
                        self.t.regular,
                        7.5,
                        (x, ty),
                        cell_w,
                        rgb(colour),
                        &words,
                    );
                }
            }
            self.true_minimum(family, top + 3.0 * 190.0);
        }
    }

    /// The family's logo at exactly its minimum print width.
    fn true_minimum(&mut self, family: &crate::model::LogoVariant, y: f32) {
        let width_pt = (family.min_width_mm * 72.0 / 25.4) as f32;
        if let Some(svg) = self
            .file(&format!("logos/svg/{}.svg", family.id))
            .map(<[u8]>::to_vec)
        {
            let _ = self.doc.svg(&svg, (MARGIN, y), width_pt);
        }
        let words = format!(
            "{} mm: {} / {}",
            family.min_width_mm,
            Vi.t("book.true_minimum"),
            En.t("book.true_minimum")
        );
        self.doc.paragraph(
            self.t.regular,
            8.0,
            (MARGIN + width_pt + 16.0, y + 10.0),
            300.0,
            rgb(MUTED),
            &words,
        );
    }

    fn palette(&mut self) {
        let mut y = self.page(&both("brand.palette"));
        for c in &self.g.palette {
            let value = c.rgb().unwrap_or_default();
            self.doc
                .rect((MARGIN, y, 90.0, 78.0), rgb(&c.hex), Some(rgb("#D9DED8")));
            let x = MARGIN + 106.0;
            let role = format!(
                "{} / {}",
                super::words::colour_role(Vi, c.role),
                super::words::colour_role(En, c.role)
            );
            self.doc.text(
                self.t.bold,
                11.0,
                (x, y + 11.0),
                rgb(INK),
                &format!("{} · {}", c.name_vi, c.name_en),
            );
            self.doc
                .text(self.t.regular, 8.0, (x, y + 24.0), rgb(MUTED), &role);
            let [cc, m, yy, k] = c.cmyk;
            let pantone = c
                .pantone
                .clone()
                .unwrap_or_else(|| both("brand.no_pantone"));
            let values = format!(
                "HEX {}   RGB {}, {}, {}   CMYK {cc}, {m}, {yy}, {k}",
                c.hex, value[0], value[1], value[2]
            );
            self.doc
                .text(self.t.regular, 9.0, (x, y + 38.0), rgb(INK), &values);
            self.doc.text(
                self.t.regular,
                8.0,
                (x, y + 51.0),
                rgb(INK),
                &format!("Pantone: {pantone}"),
            );
            let mut line = Vec::new();
            for (other, ratio) in self.g.contrasts(c) {
                let name = other.map_or_else(
                    || both("brand.white"),
                    |o| format!("{} / {}", o.name_vi, o.name_en),
                );
                let verdict = both(if ratio >= WCAG_AA_TEXT {
                    "brand.aa_pass"
                } else {
                    "brand.aa_fail"
                });
                line.push(format!("{name}: {}:1 {verdict}", En.decimal(ratio, 1)));
            }
            let contrast = format!("{}: {}", both("book.contrast"), line.join(" · "));
            self.doc.paragraph(
                self.t.regular,
                8.0,
                (x, y + 64.0),
                PAGE_W - x - MARGIN,
                rgb(MUTED),
                &contrast,
            );
            y += 96.0;
        }
    }

    /// Each typeface named, shown in its own letters, with what it is for and its licence.
    fn typography(&mut self) {
        let mut y = self.page(&both("brand.typography"));
        for typeface in &self.g.typography {
            let font = if typeface.uses.iter().any(|u| u == "body text") {
                self.t.body
            } else {
                self.t.regular
            };
            self.doc
                .text(self.t.bold, 14.0, (MARGIN, y), rgb(INK), &typeface.family);
            y += 20.0;
            for line in [
                "Aa Ăă Ââ Bb Cc Dd Đđ Ee Êê Gg Hh Ii Kk Ll Mm Nn Oo Ôô Ơơ",
                "Pp Qq Rr Ss Tt Uu Ưư Vv Xx Yy · à á ả ã ạ · 0123456789",
            ] {
                self.doc.text(font, 14.0, (MARGIN, y), rgb(INK), line);
                y += 20.0;
            }
            let uses: Vec<String> = typeface
                .uses
                .iter()
                .map(|u| {
                    format!(
                        "{} / {}",
                        super::words::typeface_use(Vi, u),
                        super::words::typeface_use(En, u)
                    )
                })
                .collect();
            let about = format!(
                "{}: {} · {}: {}",
                both("brand.font_uses"),
                uses.join(", "),
                both("book.fallbacks"),
                typeface.fallbacks.join(", ")
            );
            y = self.doc.paragraph(
                self.t.regular,
                8.5,
                (MARGIN, y),
                PAGE_W - 2.0 * MARGIN,
                rgb(MUTED),
                &about,
            );
            if let Some(source) = &typeface.source {
                y = self.doc.paragraph(
                    self.t.regular,
                    8.0,
                    (MARGIN, y),
                    PAGE_W - 2.0 * MARGIN,
                    rgb(MUTED),
                    source,
                );
            }
            y += 18.0;
        }
    }

    fn slogans_and_contact(&mut self) {
        let mut y = self.page(&both("brand.slogans"));
        let width = PAGE_W - 2.0 * MARGIN;
        for s in &self.g.slogans {
            y = self
                .doc
                .paragraph(self.t.bold, 15.0, (MARGIN, y), width, rgb(INK), &s.vi);
            y = self.doc.paragraph(
                self.t.regular,
                12.0,
                (MARGIN, y + 2.0),
                width,
                rgb(MUTED),
                &s.en,
            ) + 14.0;
        }
        y += 20.0;
        self.doc.text(
            self.t.bold,
            14.0,
            (MARGIN, y),
            rgb(INK),
            &both("book.contact"),
        );
        y += 22.0;
        if let Some(owner) = &self.g.owner {
            for line in [
                Some(&owner.name.vi),
                Some(&owner.name.en),
                owner.address.as_ref(),
                owner.email.as_ref(),
                owner.phone.as_ref(),
                owner.web.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                y = self
                    .doc
                    .paragraph(self.t.regular, 10.0, (MARGIN, y), width, rgb(INK), line);
            }
        }
        y += 16.0;
        self.doc.text(
            self.t.bold,
            11.0,
            (MARGIN, y),
            rgb(INK),
            &both("book.licence"),
        );
        self.doc.paragraph(
            self.t.body,
            9.0,
            (MARGIN, y + 16.0),
            width,
            rgb(MUTED),
            &self.g.kit_license,
        );
    }
}
