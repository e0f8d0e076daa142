//! The brand kit: everything an agency needs to use the identity, generated from brand/ and
//! reproducible (the same inputs give a byte-identical ZIP: fixed order, fixed timestamps).

use std::io::{Cursor, Write};

use serde::Serialize;

use super::Brand;
use crate::media::{encode, svg};
use crate::model::{Fit, Format, Guidelines, LogoStatus, LogoVariant};

#[derive(Debug, thiserror::Error)]
pub enum KitError {
    #[error("the brand folder has no guidelines.toml: there is no kit to build")]
    NoGuidelines,
    #[error("logo {id}: {message}")]
    Logo { id: String, message: String },
    #[error("font file {path}: {message}")]
    Font { path: String, message: String },
    #[error("cannot write the ZIP: {0}")]
    Zip(String),
    #[error("cannot write guidelines.html: {0}")]
    Guide(String),
}

/// One file of the kit.
#[derive(Debug, Clone)]
pub struct KitFile {
    pub path: String,
    pub bytes: Vec<u8>,
    /// The logo variant this file shows, for the manifest.
    pub variant: Option<LogoVariant>,
}

fn file(path: &str, bytes: impl Into<Vec<u8>>) -> KitFile {
    KitFile {
        path: path.to_owned(),
        bytes: bytes.into(),
        variant: None,
    }
}

/// Every file of the kit, sorted by path, the manifest last.
pub fn build(brand: &Brand) -> Result<Vec<KitFile>, KitError> {
    build_with(brand, true)
}

/// The kit without its PNG logos (quick to make: nothing is rasterised), for a service that
/// has not built the whole kit.
pub fn vectors(brand: &Brand) -> Result<Vec<KitFile>, KitError> {
    build_with(brand, false)
}

/// The files `/brand/files/…` serves one by one: logos, fonts and their licences, the
/// do-and-don't pictures.
pub fn served(files: Vec<KitFile>) -> Vec<KitFile> {
    files
        .into_iter()
        .filter(|f| {
            ["logos/", "fonts/", "usage/"]
                .iter()
                .any(|p| f.path.starts_with(p))
                || f.path == "brand-book.pdf"
        })
        .collect()
}

fn build_with(brand: &Brand, rasters: bool) -> Result<Vec<KitFile>, KitError> {
    let g = brand.guidelines.as_ref().ok_or(KitError::NoGuidelines)?;
    let mut files = Vec::new();
    let logo_presets: Vec<_> = brand
        .presets
        .iter()
        .filter(|_| rasters)
        .filter(|p| p.kinds.contains(&crate::model::Kind::Logo) && p.format == Format::Png)
        .filter(|p| p.fit == Fit::Width)
        .collect();
    let placeholder = g.logo_status == LogoStatus::Placeholder;
    let notice_font = brand.wordmark_fonts().map(|p| p.bold);
    for logo in &g.logos {
        let err = |message: String| KitError::Logo {
            id: logo.id.clone(),
            message,
        };
        let mut svg_bytes =
            std::fs::read(brand.dir.join(&logo.file)).map_err(|e| err(e.to_string()))?;
        if placeholder {
            svg_bytes = super::placeholder::stamp(&svg_bytes, notice_font.as_ref()).map_err(err)?;
        }
        for preset in &logo_presets {
            let image = svg::rasterise(&svg_bytes, preset.width).map_err(err)?;
            let png = encode::encode(
                &image::DynamicImage::ImageRgba8(image),
                Format::Png,
                100,
                None,
                None,
            )
            .map_err(|e| err(e.to_string()))?;
            files.push(KitFile {
                path: format!("logos/png/{}-{}.png", logo.id, preset.width),
                bytes: png,
                variant: Some(logo.clone()),
            });
        }
        files.push(KitFile {
            path: format!("logos/svg/{}.svg", logo.id),
            bytes: svg_bytes,
            variant: Some(logo.clone()),
        });
    }
    for (path, svg) in super::usage_art::pictures(brand) {
        files.push(file(&path, svg));
    }
    for typeface in &g.typography {
        if let Some(pair) = super::lettering::pair(&brand.dir, typeface) {
            let svg = super::lettering::specimen(&pair, &typeface.family).map_err(|message| {
                KitError::Font {
                    path: typeface.family.clone(),
                    message,
                }
            })?;
            files.push(file(
                &format!("usage/type/{}.svg", slug(&typeface.family)),
                svg,
            ));
        }
        for path in typeface.files.iter().chain(&typeface.licence) {
            let bytes = std::fs::read(brand.dir.join(path)).map_err(|e| KitError::Font {
                path: path.clone(),
                message: e.to_string(),
            })?;
            files.push(file(path, bytes));
        }
    }
    if let Some(pdf) = super::book::build(brand, &files) {
        files.push(file("brand-book.pdf", pdf));
    }
    files.push(file("palette/palette.json", json(&g.palette)));
    files.push(file("palette/palette.css", css(g)));
    files.push(file("palette/_palette.scss", scss(g)));
    files.push(file("palette/palette.gpl", gpl(g)));
    files.push(file("palette/palette.ase", ase(g)));
    files.push(file("slogans/slogans.json", json(&g.slogans)));
    let slogans_txt: String = g
        .slogans
        .iter()
        .map(|s| format!("{}\n{}\n\n", s.vi, s.en))
        .collect();
    files.push(file("slogans/slogans.txt", slogans_txt));
    let guide = html(g, &files)?;
    files.push(file("guidelines.html", guide));
    files.push(file("README.txt", readme(g)));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = manifest(&files, g);
    files.push(file("manifest.json", manifest));
    Ok(files)
}

/// "Be Vietnam Pro" → "be-vietnam-pro": a typeface's file name.
pub fn slug(family: &str) -> String {
    family
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    out
}

#[derive(Serialize)]
struct ManifestEntry<'a> {
    path: &'a str,
    bytes: usize,
    blake3: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    variant: Option<&'a LogoVariant>,
}

fn manifest(files: &[KitFile], g: &Guidelines) -> Vec<u8> {
    let entries: Vec<ManifestEntry> = files
        .iter()
        .map(|f| ManifestEntry {
            path: &f.path,
            bytes: f.bytes.len(),
            blake3: blake3::hash(&f.bytes).to_hex().to_string(),
            variant: f.variant.as_ref(),
        })
        .collect();
    json(&serde_json::json!({
        "brand": g.names,
        "license": g.kit_license,
        "files": entries,
    }))
}

fn rgb_of(c: &crate::model::Colour) -> [u8; 3] {
    c.rgb().unwrap_or([0, 0, 0])
}

fn css(g: &Guidelines) -> String {
    let mut s = format!(
        "/* {} / {} — brand palette */\n:root {{\n",
        g.names.vi, g.names.en
    );
    for c in &g.palette {
        let [r, gr, b] = rgb_of(c);
        s += &format!(
            "  --brand-{id}: {hex}; /* {vi} / {en}, {role:?} */\n  --brand-{id}-rgb: {r}, {gr}, {b};\n",
            id = c.id,
            hex = c.hex,
            vi = c.name_vi,
            en = c.name_en,
            role = c.role
        );
    }
    s + "}\n"
}

fn scss(g: &Guidelines) -> String {
    let mut s = format!("// {} / {} — brand palette\n", g.names.vi, g.names.en);
    for c in &g.palette {
        s += &format!("$brand-{}: {};\n", c.id, c.hex);
    }
    s += "$brand-palette: (\n";
    for c in &g.palette {
        s += &format!("  \"{}\": {},\n", c.id, c.hex);
    }
    s + ");\n"
}

fn gpl(g: &Guidelines) -> String {
    let mut s = format!("GIMP Palette\nName: {}\nColumns: 3\n#\n", g.names.en);
    for c in &g.palette {
        let [r, gr, b] = rgb_of(c);
        s += &format!("{r:3} {gr:3} {b:3}\t{} ({})\n", c.name_en, c.id);
    }
    s
}

/// Adobe Swatch Exchange 1.0: one global RGB swatch per colour, names in UTF-16BE.
pub fn ase(g: &Guidelines) -> Vec<u8> {
    let mut out = b"ASEF".to_vec();
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(&(g.palette.len() as u32).to_be_bytes());
    for c in &g.palette {
        let name: Vec<u16> = c.name_en.encode_utf16().chain(std::iter::once(0)).collect();
        let mut block = Vec::new();
        block.extend_from_slice(&(name.len() as u16).to_be_bytes());
        for unit in &name {
            block.extend_from_slice(&unit.to_be_bytes());
        }
        block.extend_from_slice(b"RGB ");
        for v in rgb_of(c) {
            block.extend_from_slice(&(f32::from(v) / 255.0).to_be_bytes());
        }
        block.extend_from_slice(&0u16.to_be_bytes()); // global colour
        out.extend_from_slice(&1u16.to_be_bytes()); // colour entry
        out.extend_from_slice(&(block.len() as u32).to_be_bytes());
        out.extend_from_slice(&block);
    }
    out
}

struct SwatchWords {
    hex: String,
    vi: String,
    en: String,
    /// In Vietnamese and English.
    role: (&'static str, &'static str),
    rgb: String,
    cmyk: String,
    pantone: Option<String>,
}

struct LogoWords {
    /// The brand's own SVG (from brand/, checked when the folder is read), drawn inline.
    svg: String,
    background: &'static str,
    padding: f64,
    name: (String, String),
    rules: Vec<(String, String)>,
}

/// guidelines.html: the kit's guide, in Vietnamese and English side by side.
#[derive(askama::Template)]
#[template(path = "kit/guidelines.html")]
struct Guide<'a> {
    placeholder: bool,
    vi: &'a str,
    en: &'a str,
    license: &'a str,
    swatches: Vec<SwatchWords>,
    logos: Vec<LogoWords>,
    slogans: Vec<(&'a str, &'a str)>,
    typefaces: &'a [crate::model::Typeface],
    themes: &'a [crate::model::Term],
    audiences: &'a [crate::model::Term],
}

/// The guide draws each logo from the SVG the kit already read (`files`), not from disk again.
fn html(g: &Guidelines, files: &[KitFile]) -> Result<String, KitError> {
    use super::words;
    use crate::i18n::Lang::{En, Vi};
    let swatches = g
        .palette
        .iter()
        .map(|c| {
            let [r, gr, b] = rgb_of(c);
            let [cc, m, y, k] = c.cmyk;
            SwatchWords {
                hex: c.hex.clone(),
                vi: c.name_vi.clone(),
                en: c.name_en.clone(),
                role: (
                    words::colour_role(Vi, c.role),
                    words::colour_role(En, c.role),
                ),
                rgb: format!("{r}, {gr}, {b}"),
                cmyk: format!("{cc} {m} {y} {k}"),
                pantone: c.pantone.clone(),
            }
        })
        .collect();
    let logos = g
        .logos
        .iter()
        .map(|l| LogoWords {
            svg: files
                .iter()
                .find(|f| f.path == format!("logos/svg/{}.svg", l.id))
                .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
                .unwrap_or_default(),
            background: if l.backgrounds.contains(&crate::model::Background::Light) {
                "#ffffff"
            } else {
                "#1F2A30"
            },
            padding: (l.clear_space * 100.0).round(),
            name: (words::variant_name(Vi, l), words::variant_name(En, l)),
            rules: words::logo_rules(Vi, l)
                .into_iter()
                .zip(words::logo_rules(En, l))
                .collect(),
        })
        .collect();
    let guide = Guide {
        placeholder: g.logo_status == LogoStatus::Placeholder,
        vi: &g.names.vi,
        en: &g.names.en,
        license: &g.kit_license,
        swatches,
        logos,
        slogans: g.slogans.iter().map(|s| (&*s.vi, &*s.en)).collect(),
        typefaces: &g.typography,
        themes: &g.vocabulary.themes,
        audiences: &g.vocabulary.audiences,
    };
    askama::Template::render(&guide).map_err(|e| KitError::Guide(e.to_string()))
}

/// The kit's README: a placeholder notice first while the logos are stand-ins.
fn readme(g: &Guidelines) -> String {
    let notice = if g.logo_status == LogoStatus::Placeholder {
        "!! LOGO TẠM — CHƯA PHẢI THIẾT KẾ CHÍNH THỨC. Không dùng các logo này để in ấn hay công bố.\n\
         !! PLACEHOLDER LOGOS — NOT THE FINAL DESIGN. Do not print or publish these logos.\n\n"
    } else {
        ""
    };
    notice.to_owned()
        + &format!(
            "BỘ NHẬN DIỆN THƯƠNG HIỆU — {vi}\n\
         ================================\n\
         logos/svg/    logo dạng vector (SVG), mỗi phiên bản một tệp\n\
         logos/png/    logo dạng PNG nền trong suốt, theo chiều rộng 256–2048 px\n\
         palette/      bảng màu: JSON, CSS, SCSS, GIMP (.gpl), Adobe (.ase)\n\
         slogans/      khẩu hiệu tiếng Việt và tiếng Anh, đúng từng chữ\n\
         fonts/        phông chữ thương hiệu (TrueType) kèm giấy phép OFL\n\
         guidelines.html  hướng dẫn sử dụng (mở bằng trình duyệt)\n\
         manifest.json    danh sách tệp với mã BLAKE3 để kiểm tra toàn vẹn\n\
         Giấy phép: {license}\n\n\
         BRAND KIT — {en}\n\
         ================\n\
         logos/svg/    vector logos (SVG), one file per variant\n\
         logos/png/    transparent PNG logos, 256–2048 px wide\n\
         palette/      the palette as JSON, CSS, SCSS, GIMP (.gpl) and Adobe (.ase)\n\
         slogans/      the slogans in Vietnamese and English, exact text\n\
         fonts/        the brand typefaces (TrueType) with their OFL licence\n\
         guidelines.html  how to use the identity (open in a browser)\n\
         manifest.json    every file with its BLAKE3 hash, to check integrity\n\
         Licence: {license}\n",
            vi = g.names.vi,
            en = g.names.en,
            license = g.kit_license,
        )
}

/// Packs the files into a ZIP with fixed timestamps and permissions, in the given order.
pub fn zip(files: &[KitFile]) -> Result<Vec<u8>, KitError> {
    let err = |e: &dyn std::fmt::Display| KitError::Zip(e.to_string());
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let fixed = zip::DateTime::from_date_and_time(2024, 1, 1, 0, 0, 0).map_err(|e| err(&e))?;
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(fixed)
        .unix_permissions(0o644);
    for f in files {
        writer
            .start_file(f.path.as_str(), options)
            .map_err(|e| err(&e))?;
        writer.write_all(&f.bytes).map_err(|e| err(&e))?;
    }
    Ok(writer.finish().map_err(|e| err(&e))?.into_inner())
}
