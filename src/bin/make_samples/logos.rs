//! The starter brand's placeholder logos, lettered: the emblem (a rubber leaf over red earth
//! with the cashew sun) and the wordmark set in the brand's wordmark typeface and converted to
//! outlines, in every layout, colour mode and language of `guidelines.toml`. The wordmark is
//! the province's name from `[place]`, the stacked lock-up adds the slogan in both languages.
//! The same brand folder always gives the same files (the test compares them with brand/logos).

use std::path::Path;

use anyhow::Context;
use brandvault::brand::lettering::{outline, FontFile};
use brandvault::brand::Brand;
use brandvault::model::{ColourMode, Guidelines, LogoLanguage, LogoLayout, LogoVariant};

const EMBLEM: &str = r#"<path d="M40 8 C62 24 66 52 40 72 C14 52 18 24 40 8 Z" fill="{leaf}"/><circle cx="40" cy="44" r="10" fill="{sun}"/><rect x="36" y="72" width="8" height="12" fill="{earth}"/>"#;

/// The colours of one colour mode: leaf, sun, earth, name, second line.
fn inks(g: &Guidelines, mode: ColourMode) -> [String; 5] {
    let hex = |id: &str| {
        g.palette
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| "#000000".to_owned(), |c| c.hex.clone())
    };
    match mode {
        ColourMode::Full => [
            hex("rubber-green"),
            hex("cashew"),
            hex("basalt-red"),
            hex("ink"),
            hex("rubber-green"),
        ],
        ColourMode::MonoDark => std::array::from_fn(|_| hex("ink")),
        ColourMode::MonoLight => std::array::from_fn(|_| hex("white")),
    }
}

fn emblem(inks: &[String; 5], dx: f64) -> String {
    let e = EMBLEM
        .replace("{leaf}", &inks[0])
        .replace("{sun}", &inks[1])
        .replace("{earth}", &inks[2]);
    if dx == 0.0 {
        e
    } else {
        format!(r#"<g transform="translate({dx} 0)">{e}</g>"#)
    }
}

/// One lettered logo as SVG text.
fn draw(
    g: &Guidelines,
    logo: &LogoVariant,
    regular: &FontFile,
    bold: &FontFile,
) -> anyhow::Result<String> {
    let place = g.place.as_ref().context("guidelines.toml has no [place]")?;
    let inks = inks(g, logo.colour_mode);
    let (name, country) = match logo.language {
        LogoLanguage::En => (&place.province.en, &place.country.en),
        _ => (&place.province.vi, &place.country.vi),
    };
    let (name, country) = (name.to_uppercase(), country.to_uppercase());
    let path = |d: &str, fill: &str| format!(r#"<path d="{d}" fill="{fill}"/>"#);
    let (width, height, body) = match logo.layout {
        LogoLayout::Icon => (80.0, 92.0, emblem(&inks, 0.0)),
        LogoLayout::Horizontal => {
            let word =
                outline(bold, &name, 34.0, 0.02, (96.0, 52.0)).map_err(anyhow::Error::msg)?;
            let line =
                outline(regular, &country, 13.0, 0.32, (97.0, 74.0)).map_err(anyhow::Error::msg)?;
            let width = (96.0 + word.width.max(line.width) + 10.0).ceil();
            let body = emblem(&inks, 0.0) + &path(&word.d, &inks[3]) + &path(&line.d, &inks[4]);
            (width, 92.0, body)
        }
        LogoLayout::Stacked => {
            let slogan = g.slogans.first().context("slogans.toml has no slogan")?;
            let measure = |font, text: &str, size, tracking| {
                outline(font, text, size, tracking, (0.0, 0.0)).map(|l| l.width)
            };
            let widths = [
                measure(bold, &name, 30.0, 0.02),
                measure(regular, &slogan.vi, 11.0, 0.0),
                measure(regular, &slogan.en, 11.0, 0.0),
            ];
            let widths: Vec<f64> = widths
                .into_iter()
                .collect::<Result<_, _>>()
                .map_err(anyhow::Error::msg)?;
            let width = (widths.iter().cloned().fold(80.0, f64::max) + 24.0).ceil();
            let centre = |w: f64| (width - w) / 2.0;
            let word = outline(bold, &name, 30.0, 0.02, (centre(widths[0]), 128.0));
            let vi = outline(regular, &slogan.vi, 11.0, 0.0, (centre(widths[1]), 150.0));
            let en = outline(regular, &slogan.en, 11.0, 0.0, (centre(widths[2]), 166.0));
            let (word, vi, en) = (
                word.map_err(anyhow::Error::msg)?,
                vi.map_err(anyhow::Error::msg)?,
                en.map_err(anyhow::Error::msg)?,
            );
            let body = emblem(&inks, (width - 80.0) / 2.0)
                + &path(&word.d, &inks[3])
                + &path(&vi.d, &inks[4])
                + &path(&en.d, &inks[4]);
            (width, 176.0, body)
        }
    };
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n  \
         <title>PLACEHOLDER logo ({id}) — not the final design / logo tạm, chưa phải thiết kế chính thức</title>\n  \
         {body}\n</svg>\n",
        id = logo.id
    ))
}

/// Writes every logo of the brand folder `dir` into its `logos/`, lettered.
pub fn write(dir: &Path) -> anyhow::Result<()> {
    let brand = Brand::load(dir)?;
    let g = brand.guidelines.as_ref().context("no guidelines.toml")?;
    let fonts = brand
        .wordmark_fonts()
        .context("no wordmark typeface with font files")?;
    for logo in &g.logos {
        let svg = draw(g, logo, &fonts.regular, &fonts.bold)?;
        let path = dir.join(&logo.file);
        std::fs::write(&path, svg).with_context(|| path.display().to_string())?;
    }
    Ok(())
}
