//! The brand kit: everything an agency needs to use the identity, generated from brand/ and
//! reproducible (the same inputs give a byte-identical ZIP: fixed order, fixed timestamps).

use std::io::{Cursor, Write};

use serde::Serialize;

use super::Brand;
use crate::media::{encode, svg};
use crate::model::{Fit, Format, Guidelines, LogoVariant};

#[derive(Debug, thiserror::Error)]
pub enum KitError {
    #[error("the brand folder has no guidelines.toml: there is no kit to build")]
    NoGuidelines,
    #[error("logo {id}: {message}")]
    Logo { id: String, message: String },
    #[error("cannot write the ZIP: {0}")]
    Zip(String),
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
    let g = brand.guidelines.as_ref().ok_or(KitError::NoGuidelines)?;
    let mut files = Vec::new();
    let logo_presets: Vec<_> = brand
        .presets
        .iter()
        .filter(|p| p.kinds.contains(&crate::model::Kind::Logo) && p.format == Format::Png)
        .filter(|p| p.fit == Fit::Width)
        .collect();
    for logo in &g.logos {
        let err = |message: String| KitError::Logo {
            id: logo.id.clone(),
            message,
        };
        let svg_bytes =
            std::fs::read(brand.dir.join(&logo.file)).map_err(|e| err(e.to_string()))?;
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
    files.push(file("guidelines.html", html(brand, g)));
    files.push(file("README.txt", readme(g)));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = manifest(&files, g);
    files.push(file("manifest.json", manifest));
    Ok(files)
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

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html(brand: &Brand, g: &Guidelines) -> String {
    let mut swatches = String::new();
    for c in &g.palette {
        let [r, gr, b] = rgb_of(c);
        let [cc, m, y, k] = c.cmyk;
        let pantone = c
            .pantone
            .as_deref()
            .map(|p| format!("<br>Pantone {}", esc(p)))
            .unwrap_or_default();
        swatches += &format!(
            r#"<figure class="sw"><div style="background:{hex}"></div><figcaption><b>{vi}</b><br><i>{en}</i><br>{role:?}<br>HEX {hex}<br>RGB {r}, {gr}, {b}<br>CMYK {cc} {m} {y} {k}{pantone}</figcaption></figure>"#,
            hex = esc(&c.hex),
            vi = esc(&c.name_vi),
            en = esc(&c.name_en),
            role = c.role
        );
    }
    let mut logos = String::new();
    for l in &g.logos {
        let svg = std::fs::read_to_string(brand.dir.join(&l.file)).unwrap_or_default();
        let bg = if l.backgrounds.contains(&crate::model::Background::Light) {
            "#ffffff"
        } else {
            "#1F2A30"
        };
        let pad = (l.clear_space * 100.0).round();
        logos += &format!(
            r#"<figure class="logo"><div class="clear" style="background:{bg};padding:{pad}px">{svg}</div><figcaption><b>{id}</b> — {layout:?}, {mode:?}, {lang:?}<br>Tối thiểu / minimum: {px} px, {mm} mm · Khoảng trống / clear space: {cs}× chiều cao / height<br>Nền / backgrounds: {bgs:?}</figcaption></figure>"#,
            id = esc(&l.id),
            layout = l.layout,
            mode = l.colour_mode,
            lang = l.language,
            px = l.min_width_px,
            mm = l.min_width_mm,
            cs = l.clear_space,
            bgs = l.backgrounds
        );
    }
    let slogans: String = g
        .slogans
        .iter()
        .map(|s| {
            format!(
                "<blockquote lang=\"vi\">{}</blockquote><blockquote lang=\"en\">{}</blockquote>",
                esc(&s.vi),
                esc(&s.en)
            )
        })
        .collect();
    let type_rows: String = g
        .typography
        .iter()
        .map(|t| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&t.family),
                esc(&t.fallbacks.join(", ")),
                esc(&t.uses.join(", "))
            )
        })
        .collect();
    let terms = |ts: &[crate::model::Term]| -> String {
        ts.iter()
            .map(|t| {
                format!(
                    "<li>{} / <i>{}</i> <code>{}</code></li>",
                    esc(&t.vi),
                    esc(&t.en),
                    esc(&t.id)
                )
            })
            .collect()
    };
    format!(
        r#"<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Hướng dẫn nhận diện — {vi} / Brand guidelines — {en}</title>
<style>
body{{font-family:"Be Vietnam Pro",Arial,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1F2A30}}
h1,h2{{font-weight:700}} .grid{{display:flex;flex-wrap:wrap;gap:1rem}}
.sw{{width:11rem;margin:0}} .sw div{{height:5rem;border:1px solid #ccc;border-radius:6px}} .sw figcaption{{font-size:.85rem}}
.logo{{margin:0;width:21rem}} .logo .clear{{outline:1px dashed #D9822B;display:inline-block}} .logo svg{{display:block;max-width:18rem;height:auto}}
.logo figcaption{{font-size:.85rem}} blockquote{{font-size:1.3rem;margin:.5rem 0}} td,th{{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:left}}
.dont li::marker{{content:"✗ "}} .do li::marker{{content:"✓ "}}
</style></head><body>
<h1>{vi}<br><small>{en}</small></h1>
<p>Hướng dẫn sử dụng bộ nhận diện, tạo từ dữ liệu trong thư mục brand/. / How to use the identity, generated from the brand/ folder.</p>
<p><b>Giấy phép / Licence:</b> {license}</p>
<h2>Bảng màu / Palette</h2><div class="grid">{swatches}</div>
<h2>Logo</h2>
<p>Đường viền chấm là khoảng trống tối thiểu. / The dotted outline is the minimum clear space.</p>
<div class="grid">{logos}</div>
<h3>Nên / Do</h3><ul class="do"><li>Dùng đúng tệp logo trong bộ này. / Use the files of this kit as they are.</li><li>Giữ khoảng trống và kích thước tối thiểu. / Keep the clear space and minimum sizes.</li><li>Chọn phiên bản hợp với nền (sáng, tối, ảnh). / Choose the variant made for the background (light, dark, photo).</li></ul>
<h3>Không nên / Don't</h3><ul class="dont"><li>Kéo giãn, xoay, cắt logo. / Stretch, rotate or crop the logo.</li><li>Đổi màu ngoài bảng màu. / Recolour it outside the palette.</li><li>Thêm hiệu ứng, bóng đổ, viền. / Add effects, shadows or outlines.</li><li>Đặt trên nền rối làm mất logo. / Place it on busy backgrounds that hide it.</li></ul>
<h2>Khẩu hiệu / Slogans</h2>{slogans}
<h2>Kiểu chữ / Typography</h2><table><tr><th>Họ phông / Family</th><th>Dự phòng / Fallbacks</th><th>Dùng cho / Uses</th></tr>{type_rows}</table>
<h2>Chủ đề / Themes</h2><ul>{themes}</ul>
<h2>Đối tượng / Audiences</h2><ul>{audiences}</ul>
</body></html>
"#,
        vi = esc(&g.names.vi),
        en = esc(&g.names.en),
        license = esc(&g.kit_license),
        themes = terms(&g.vocabulary.themes),
        audiences = terms(&g.vocabulary.audiences),
    )
}

fn readme(g: &Guidelines) -> String {
    format!(
        "BỘ NHẬN DIỆN THƯƠNG HIỆU — {vi}\n\
         ================================\n\
         logos/svg/    logo dạng vector (SVG), mỗi phiên bản một tệp\n\
         logos/png/    logo dạng PNG nền trong suốt, theo chiều rộng 256–2048 px\n\
         palette/      bảng màu: JSON, CSS, SCSS, GIMP (.gpl), Adobe (.ase)\n\
         slogans/      khẩu hiệu tiếng Việt và tiếng Anh, đúng từng chữ\n\
         guidelines.html  hướng dẫn sử dụng (mở bằng trình duyệt)\n\
         manifest.json    danh sách tệp với mã BLAKE3 để kiểm tra toàn vẹn\n\
         Giấy phép: {license}\n\n\
         BRAND KIT — {en}\n\
         ================\n\
         logos/svg/    vector logos (SVG), one file per variant\n\
         logos/png/    transparent PNG logos, 256–2048 px wide\n\
         palette/      the palette as JSON, CSS, SCSS, GIMP (.gpl) and Adobe (.ase)\n\
         slogans/      the slogans in Vietnamese and English, exact text\n\
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
