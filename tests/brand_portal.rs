//! The brand portal as an agency uses it, against the real `brandvault serve` and the tools a
//! printer or designer would open the files with: the brand book read by poppler (embedded
//! fonts, no raster images, the words searchable), the logos lettered as outlines and drawn
//! alike by resvg and librsvg, the fonts with their licence, the placeholder notices following
//! the flag in `guidelines.toml`, colours with their values and contrast, do-and-don't pictures
//! and the map's context.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::Command;

use common::net::{exchange, http_get};
use common::{tool, Fixture};

fn get_bytes(port: u16, path: &str) -> (u16, String, Vec<u8>) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    exchange(port, request.as_bytes())
}

fn unzip(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().unwrap().to_string(), bytes)
        })
        .collect()
}

/// Runs a poppler tool on a file; its standard output (pdftotext is told to write there).
fn poppler(program: &str, args: &[&str], file: &Path) -> String {
    let mut command = Command::new(program);
    command.args(args).arg(file);
    if program == "pdftotext" {
        command.arg("-");
    }
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_brand_book_is_vectors_in_the_brand_fonts_and_the_same_bytes_each_time() {
    if !tool("pdffonts", "poppler-utils") {
        return;
    }
    let fx = Fixture::new();
    let (_serve, port) = fx.serve();
    let (status, head, book) = get_bytes(port, "/brand/book.pdf");
    assert_eq!(status, 200);
    assert!(
        head.to_lowercase()
            .contains("content-type: application/pdf"),
        "{head}"
    );
    assert_eq!(
        get_bytes(port, "/brand/book.pdf").2,
        book,
        "two calls, the same bytes"
    );
    let kit = unzip(&get_bytes(port, "/kit.zip").2);
    let in_kit = kit
        .iter()
        .find(|(n, _)| n == "brand-book.pdf")
        .expect("the book is in the kit");
    assert_eq!(in_kit.1, book, "the kit carries the same book");
    let file = fx.dir.path().join("book.pdf");
    std::fs::write(&file, &book).unwrap();

    let fonts = poppler("pdffonts", &[], &file);
    for family in [
        "BeVietnamPro-Bold",
        "BeVietnamPro-Regular",
        "NotoSerif-Regular",
    ] {
        let line = fonts
            .lines()
            .find(|l| l.starts_with(family))
            .unwrap_or_else(|| panic!("{family}: {fonts}"));
        let columns: Vec<&str> = line.split_whitespace().collect();
        assert!(columns.contains(&"yes"), "{family} embedded: {line}");
    }
    let images = poppler("pdfimages", &["-list"], &file);
    assert_eq!(
        images.lines().count(),
        2,
        "no raster image at all, logos are vectors: {images}"
    );

    let text = poppler("pdftotext", &["-layout"], &file);
    for words in [
        "Sổ tay nhận diện thương hiệu",
        "Brand book",
        "Logo tạm — chưa phải thiết kế chính thức",
        "HEX #1B6B3A",
        "RGB 27, 107, 58",
        "CMYK 75, 0, 46, 58",
        "Chưa định nghĩa màu Pantone tương ứng",
        "Be Vietnam Pro",
        "Noto Serif",
        "năng động, hiện đại, hiệu quả, bền vững",
        "dynamic, modern, effective, sustainable",
        "Sở Thông tin và Truyền thông tỉnh Bình Phước",
        "Khoảng trống tối thiểu: 25%",
        "Không dùng nhỏ hơn 160 px",
    ] {
        assert!(text.contains(words), "{words:?} in the book:\n{text}");
    }
}

/// How far resvg's and librsvg's drawings of one SVG at one width are apart, on white as a
/// page shows them: the mean difference per pixel (0–255) and the share of pixels that differ
/// by more than half the scale (a shape one draws and the other does not). Anti-aliasing alone
/// gives a mean near 1 and no such pixel.
fn disagreement(svg: &[u8], width: u32, dir: &Path) -> (f64, f64) {
    let ours = brandvault::media::svg::rasterise(svg, width).unwrap();
    let input = dir.join("logo.svg");
    let output = dir.join("logo.png");
    std::fs::write(&input, svg).unwrap();
    // Both sizes given: the two round the height apart by a pixel otherwise.
    let (w, h) = (ours.width().to_string(), ours.height().to_string());
    let status = Command::new("rsvg-convert")
        .args(["-w", &w, "-h", &h, "-o"])
        .arg(&output)
        .arg(&input)
        .status()
        .unwrap();
    assert!(status.success());
    let theirs = image::open(&output).unwrap().to_rgba8();
    assert_eq!(ours.dimensions(), theirs.dimensions());
    let on_white = |p: &image::Rgba<u8>| {
        let a = u32::from(p.0[3]);
        let channels = [0, 1, 2].map(|i| (u32::from(p.0[i]) * a + 255 * (255 - a)) / 255);
        f64::from(channels.iter().sum::<u32>()) / 3.0
    };
    let differences: Vec<f64> = ours
        .pixels()
        .zip(theirs.pixels())
        .map(|(a, b)| (on_white(a) - on_white(b)).abs())
        .collect();
    let n = differences.len() as f64;
    (
        differences.iter().sum::<f64>() / n,
        differences.iter().filter(|d| **d > 128.0).count() as f64 / n,
    )
}

#[test]
fn kit_logos_are_outlined_lettering_drawn_alike_everywhere_with_the_fonts_beside_them() {
    if !tool("rsvg-convert", "librsvg2-bin") {
        return;
    }
    let fx = Fixture::new();
    let zip = fx.dir.path().join("kit.zip");
    fx.json(&["kit", "-o", zip.to_str().unwrap()], 0);
    let kit = unzip(&std::fs::read(&zip).unwrap());
    let names: Vec<&str> = kit.iter().map(|(n, _)| n.as_str()).collect();
    for font in [
        "fonts/be-vietnam-pro/BeVietnamPro-Regular.ttf",
        "fonts/be-vietnam-pro/BeVietnamPro-Bold.ttf",
        "fonts/be-vietnam-pro/OFL.txt",
        "fonts/noto-serif/NotoSerif-Regular.ttf",
        "fonts/noto-serif/OFL.txt",
    ] {
        assert!(names.contains(&font), "{font} in the kit: {names:?}");
    }
    let ofl = &kit
        .iter()
        .find(|(n, _)| n == "fonts/be-vietnam-pro/OFL.txt")
        .unwrap()
        .1;
    assert!(String::from_utf8_lossy(ofl).contains("SIL Open Font License"));
    let logos: Vec<_> = kit
        .iter()
        .filter(|(n, _)| n.starts_with("logos/svg/"))
        .collect();
    assert_eq!(logos.len(), 12);
    for (name, svg) in logos {
        let text = String::from_utf8_lossy(svg);
        assert!(!text.contains("<text"), "{name}: no <text>, outlines only");
        assert!(text.matches("<path").count() >= 2, "{name}: lettered");
        let (mean, shapes) = disagreement(svg, 600, fx.dir.path());
        assert!(
            mean < 3.0 && shapes < 0.001,
            "{name}: resvg and rsvg-convert differ by {mean:.2} on average, {:.2}% of pixels by more than half",
            shapes * 100.0
        );
    }
    // The wordmark is the province's name: the Vietnamese lock-up differs from the English one
    // only in its letters.
    let vi = std::fs::read_to_string(fx.brand().join("logos/horizontal-full-vi.svg")).unwrap();
    let en = std::fs::read_to_string(fx.brand().join("logos/horizontal-full-en.svg")).unwrap();
    assert_ne!(vi, en);
}

#[test]
fn the_committed_logos_are_what_make_samples_letters() {
    let fx = Fixture::new();
    let out = Command::new(env!("CARGO_BIN_EXE_make-samples"))
        .arg("--logos")
        .arg(fx.brand())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("brand/logos");
    for entry in std::fs::read_dir(&repo).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            std::fs::read(fx.brand().join("logos").join(name)).unwrap(),
            "{name:?}: brand/logos is what `make-samples --logos brand` writes"
        );
    }
}

#[test]
fn placeholder_notices_follow_the_flag_in_the_guidelines() {
    let fx = Fixture::new();
    let drawn = std::fs::read(fx.brand().join("logos/horizontal-full-vi.svg")).unwrap();
    {
        let (_serve, port) = fx.serve();
        let (_, page) = http_get(port, "/brand", None);
        assert!(
            page.contains("placeholder-notice")
                && page.contains("Logo tạm — chưa phải thiết kế chính thức")
        );
        let (_, en) = http_get(port, "/brand?lang=en", None);
        assert!(en.contains("Placeholder logos — not the final design"));
        let (status, svg) = http_get(port, "/brand/files/logos/svg/horizontal-full-vi.svg", None);
        assert_eq!(status, 200);
        assert!(
            svg.contains("LOGO TẠM · PLACEHOLDER") && svg.len() > drawn.len(),
            "the download is stamped"
        );
        let png = get_bytes(port, "/brand/files/logos/png/horizontal-full-vi-512.png").2;
        let png = image::load_from_memory(&png).unwrap().to_rgba8();
        let band = png.get_pixel(256, png.height() - 3).0;
        assert_eq!(
            &band[..3],
            &[0xA6, 0x3D, 0x2A],
            "the PNG carries the red band"
        );
        let kit = unzip(&get_bytes(port, "/kit.zip").2);
        let readme = &kit.iter().find(|(n, _)| n == "README.txt").unwrap().1;
        assert!(String::from_utf8_lossy(readme).starts_with("!! LOGO TẠM"));
    }
    // The real logos arrive: the flag goes, and so do the notices.
    let path = fx.brand().join("guidelines.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("logo_status = \"placeholder\"\n", "")).unwrap();
    let (_serve, port) = fx.serve();
    let (_, page) = http_get(port, "/brand", None);
    assert!(!page.contains("placeholder-notice") && !page.contains("Logo tạm"));
    let (_, svg) = http_get(port, "/brand/files/logos/svg/horizontal-full-vi.svg", None);
    assert_eq!(svg.as_bytes(), drawn, "the logo as drawn");
    let kit = unzip(&get_bytes(port, "/kit.zip").2);
    let readme = &kit.iter().find(|(n, _)| n == "README.txt").unwrap().1;
    assert!(!String::from_utf8_lossy(readme).contains("LOGO TẠM"));
}

#[test]
fn colours_fonts_do_and_dont_and_the_map_as_an_agency_sees_them() {
    let fx = Fixture::new();
    let at_the_mountain = fx.write("ba-ra.jpg", &common::photo_at(11.8169, 107.0009, 3));
    let id = common::ids(&fx.ingest(&[&at_the_mountain], 0), "added").remove(0);
    let manager = fx.token("brand_manager", "hoa");
    let (_serve, port) = fx.serve();
    let (_, page) = http_get(port, "/brand", None);
    // Every value of a colour, copyable, and its contrast in words.
    for words in [
        r#"<code id="c-rubber-green-HEX">#1B6B3A</code>"#,
        r#"<code id="c-rubber-green-RGB">27, 107, 58</code>"#,
        r#"<code id="c-rubber-green-CMYK">75, 0, 46, 58</code>"#,
        r#"data-copy="c-rubber-green-CMYK""#,
        "Chưa định nghĩa màu Pantone tương ứng",
        // #1B6B3A on white is 6.5:1, on the ink 2.2:1.
        "Tương phản với trắng: <strong>6,5:1</strong> — ✓ đạt AA cho chữ",
        "Tương phản với Mực đậm: <strong>2,2:1</strong> — ✗ không đạt AA cho chữ",
        r#"href="/brand/files/fonts/be-vietnam-pro/BeVietnamPro-Bold.ttf""#,
        r#"href="/brand/files/fonts/be-vietnam-pro/OFL.txt""#,
        r#"src="/brand/files/usage/horizontal/dont-stretch.svg""#,
        "Không dùng nhỏ hơn 160 px (30 mm khi in)",
        r#"href="/brand/book.pdf""#,
    ] {
        assert!(page.contains(words), "{words:?} on /brand");
    }
    let (status, head, font) = get_bytes(
        port,
        "/brand/files/fonts/be-vietnam-pro/BeVietnamPro-Bold.ttf",
    );
    assert_eq!(status, 200);
    assert!(head.to_lowercase().contains("content-type: font/ttf"));
    assert_eq!(
        font,
        std::fs::read(
            fx.brand()
                .join("fonts/be-vietnam-pro/BeVietnamPro-Bold.ttf")
        )
        .unwrap()
    );
    let (status, picture) = http_get(port, "/brand/files/usage/stacked/clear-space.svg", None);
    assert_eq!(status, 200);
    assert!(picture.contains("stroke-dasharray") && !picture.contains("<text"));
    assert_eq!(
        http_get(port, "/brand/files/../guidelines.toml", None).0,
        404
    );
    // The map: the countries round the province and the border between them.
    let (_, map) = http_get(port, "/spots", None);
    for words in [
        r#"class="home""#,
        r#"class="country""#,
        r#"class="border""#,
        r#"class="province""#,
        "CAMPUCHIA",
        "VIỆT NAM",
    ] {
        assert!(map.contains(words), "{words} on /spots");
    }
    assert!(http_get(port, "/spots?lang=en", None)
        .1
        .contains("CAMBODIA"));
    // The asset page's small map draws the same borders under the photo's point.
    let (status, asset) = http_get(port, &format!("/assets/{id}"), Some(&manager));
    assert_eq!(status, 200);
    let minimap = &asset[asset.find(r#"class="minimap""#).expect("a small map")..];
    assert!(minimap.contains(r#"class="province""#) && minimap.contains(r#"class="border""#));
}
