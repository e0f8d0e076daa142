//! An IIIF Image API 3.0 image request, parsed and resolved against an image's size: the
//! region in pixels, the output size, rotation, mirroring, quality and format. Pure: what the
//! request means is decided here, and every refusal is a 400 with the parameter named.

/// The largest output a request may ask for, as `info.json` states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_width: u32,
    pub max_height: u32,
    pub max_area: u64,
}

pub const LIMITS: Limits = Limits {
    max_width: 10_000,
    max_height: 10_000,
    max_area: 16 * 1024 * 1024,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    Color,
    Gray,
    Bitonal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Jpg,
    Png,
    Webp,
}

impl OutputFormat {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Jpg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
        }
    }
}

/// A request resolved against an image: everything needed to make the pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRequest {
    /// x, y, w, h in the image's displayed pixels (EXIF orientation applied).
    pub region: (u32, u32, u32, u32),
    /// Width and height after scaling, before rotation.
    pub size: (u32, u32),
    /// Clockwise degrees: 0, 90, 180 or 270.
    pub rotation: u16,
    pub mirror: bool,
    pub quality: Quality,
    pub format: OutputFormat,
}

impl ImageRequest {
    /// The request's canonical form (IIIF §4.7 in spirit: pixels everywhere), so that two
    /// spellings of the same image share one cached file.
    pub fn canonical(&self) -> String {
        let (x, y, w, h) = self.region;
        let quality = match self.quality {
            Quality::Color => "default",
            Quality::Gray => "gray",
            Quality::Bitonal => "bitonal",
        };
        format!(
            "{x},{y},{w},{h}/{},{}/{}{}/{quality}.{}",
            self.size.0,
            self.size.1,
            if self.mirror { "!" } else { "" },
            self.rotation,
            self.format.name()
        )
    }
}

/// Why a request was refused: the parameter and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter}: {reason}")]
pub struct BadRequest {
    pub parameter: &'static str,
    pub reason: String,
}

fn bad(parameter: &'static str, reason: impl Into<String>) -> BadRequest {
    BadRequest {
        parameter,
        reason: reason.into(),
    }
}

/// Parses `region/size/rotation/quality.format` for an image of `width`×`height`.
pub fn parse(
    region: &str,
    size: &str,
    rotation: &str,
    quality_format: &str,
    (width, height): (u32, u32),
    limits: Limits,
) -> Result<ImageRequest, BadRequest> {
    let region = parse_region(region, width, height)?;
    let size = parse_size(size, (region.2, region.3), limits)?;
    let (mirror, rotation) = parse_rotation(rotation)?;
    let (quality, format) = quality_format
        .rsplit_once('.')
        .ok_or_else(|| bad("format", "missing: quality.format, e.g. default.jpg"))?;
    let quality = match quality {
        "default" | "color" => Quality::Color,
        "gray" => Quality::Gray,
        "bitonal" => Quality::Bitonal,
        other => {
            return Err(bad(
                "quality",
                format!("{other:?} is not one of default, color, gray, bitonal"),
            ))
        }
    };
    let format = match format {
        "jpg" => OutputFormat::Jpg,
        "png" => OutputFormat::Png,
        "webp" => OutputFormat::Webp,
        other => {
            return Err(bad(
                "format",
                format!("{other:?} is not one of jpg, png, webp"),
            ))
        }
    };
    Ok(ImageRequest {
        region,
        size,
        rotation,
        mirror,
        quality,
        format,
    })
}

fn numbers<const N: usize>(s: &str, parameter: &'static str) -> Result<[f64; N], BadRequest> {
    let parts: Vec<&str> = s.split(',').collect();
    if parts.len() != N {
        return Err(bad(parameter, format!("expected {N} numbers, got {s:?}")));
    }
    let mut out = [0.0; N];
    for (slot, part) in out.iter_mut().zip(parts) {
        let v: f64 = part
            .parse()
            .map_err(|_| bad(parameter, format!("{part:?} is not a number")))?;
        if !v.is_finite() || v < 0.0 {
            return Err(bad(
                parameter,
                format!("{part:?} is not a non-negative number"),
            ));
        }
        *slot = v;
    }
    Ok(out)
}

fn parse_region(s: &str, width: u32, height: u32) -> Result<(u32, u32, u32, u32), BadRequest> {
    let (x, y, w, h) = match s {
        "full" => return Ok((0, 0, width, height)),
        "square" => {
            let side = width.min(height);
            return Ok(((width - side) / 2, (height - side) / 2, side, side));
        }
        _ => match s.strip_prefix("pct:") {
            Some(pct) => {
                let [x, y, w, h] = numbers::<4>(pct, "region")?;
                let (fw, fh) = (f64::from(width), f64::from(height));
                (
                    (x * fw / 100.0).round(),
                    (y * fh / 100.0).round(),
                    (w * fw / 100.0).round(),
                    (h * fh / 100.0).round(),
                )
            }
            None => {
                let [x, y, w, h] = numbers::<4>(s, "region")?;
                if [x, y, w, h].iter().any(|v| v.fract() != 0.0) {
                    return Err(bad("region", "pixel regions are whole numbers"));
                }
                (x, y, w, h)
            }
        },
    };
    if w < 1.0 || h < 1.0 {
        return Err(bad("region", "width and height must be at least one pixel"));
    }
    if x >= f64::from(width) || y >= f64::from(height) {
        return Err(bad("region", "lies entirely outside the image"));
    }
    // Cut to the image (IIIF §4.1): a region reaching past the edge returns what exists.
    let (x, y) = (x as u32, y as u32);
    let w = (w.min(f64::from(width - x))) as u32;
    let h = (h.min(f64::from(height - y))) as u32;
    Ok((x, y, w.max(1), h.max(1)))
}

fn parse_size(s: &str, (rw, rh): (u32, u32), limits: Limits) -> Result<(u32, u32), BadRequest> {
    let (upscale, s) = match s.strip_prefix('^') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (fw, fh) = (f64::from(rw), f64::from(rh));
    let (w, h) = if s == "max" {
        // The region itself, shrunk to fit the limits.
        let by_area = (limits.max_area as f64 / (fw * fh)).sqrt();
        let k = 1f64
            .min(f64::from(limits.max_width) / fw)
            .min(f64::from(limits.max_height) / fh)
            .min(by_area);
        return Ok((
            ((fw * k).floor() as u32).max(1),
            ((fh * k).floor() as u32).max(1),
        ));
    } else if let Some(pct) = s.strip_prefix("pct:") {
        let [n] = numbers::<1>(pct, "size")?;
        ((fw * n / 100.0).round(), (fh * n / 100.0).round())
    } else if let Some(confined) = s.strip_prefix('!') {
        let [bw, bh] = numbers::<2>(confined, "size")?;
        let k = (bw / fw).min(bh / fh);
        ((fw * k).round(), (fh * k).round())
    } else {
        let (a, b) = s
            .split_once(',')
            .ok_or_else(|| bad("size", format!("{s:?} is not a IIIF size")))?;
        let number = |v: &str| -> Result<Option<f64>, BadRequest> {
            if v.is_empty() {
                return Ok(None);
            }
            let n: f64 = v
                .parse()
                .map_err(|_| bad("size", format!("{v:?} is not a number")))?;
            if n.fract() != 0.0 || n < 0.0 {
                return Err(bad(
                    "size",
                    format!("{v:?} is not a whole number of pixels"),
                ));
            }
            Ok(Some(n))
        };
        match (number(a)?, number(b)?) {
            (Some(w), Some(h)) => (w, h),
            (Some(w), None) => (w, (fh * w / fw).round()),
            (None, Some(h)) => ((fw * h / fh).round(), h),
            (None, None) => return Err(bad("size", "give a width, a height or both")),
        }
    };
    if w < 1.0 || h < 1.0 {
        return Err(bad("size", "the result would be empty"));
    }
    if !upscale && (w > fw || h > fh) {
        return Err(bad("size", "larger than the region: ask with ^ to upscale"));
    }
    if w > f64::from(limits.max_width)
        || h > f64::from(limits.max_height)
        || w * h > limits.max_area as f64
    {
        return Err(bad(
            "size",
            "larger than this server's maxWidth, maxHeight or maxArea",
        ));
    }
    Ok((w as u32, h as u32))
}

fn parse_rotation(s: &str) -> Result<(bool, u16), BadRequest> {
    let (mirror, degrees) = match s.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let d: f64 = degrees
        .parse()
        .map_err(|_| bad("rotation", format!("{s:?} is not a number of degrees")))?;
    if !(0.0..=360.0).contains(&d) {
        return Err(bad("rotation", "degrees run from 0 to 360"));
    }
    if d.fract() != 0.0 || d as u16 % 90 != 0 {
        return Err(bad(
            "rotation",
            "only multiples of 90 degrees are supported",
        ));
    }
    Ok((mirror, (d as u16) % 360))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(region: &str, size: &str) -> Result<ImageRequest, BadRequest> {
        parse(region, size, "0", "default.jpg", (1000, 800), LIMITS)
    }

    #[test]
    fn regions() {
        assert_eq!(req("full", "max").unwrap().region, (0, 0, 1000, 800));
        assert_eq!(req("square", "max").unwrap().region, (100, 0, 800, 800));
        assert_eq!(
            req("900,700,500,500", "max").unwrap().region,
            (900, 700, 100, 100)
        );
        assert_eq!(
            req("pct:10,10,50,50", "max").unwrap().region,
            (100, 80, 500, 400)
        );
        for bad in [
            "1000,0,10,10",
            "0,0,0,10",
            "a,b,c,d",
            "1,2,3",
            "1.5,0,10,10",
            "-1,0,5,5",
        ] {
            assert!(req(bad, "max").is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(req("full", "500,").unwrap().size, (500, 400));
        assert_eq!(req("full", ",400").unwrap().size, (500, 400));
        assert_eq!(req("full", "pct:50").unwrap().size, (500, 400));
        assert_eq!(req("full", "!500,500").unwrap().size, (500, 400));
        assert_eq!(req("full", "300,300").unwrap().size, (300, 300));
        assert_eq!(req("full", "^2000,").unwrap().size, (2000, 1600));
        for bad in ["1100,", "pct:200", "!2000,3000", "0,", ",", "full", "abc"] {
            assert!(req("full", bad).is_err(), "{bad}");
        }
        // max stays within the limits.
        let huge = parse("full", "max", "0", "default.jpg", (8000, 6000), LIMITS).unwrap();
        assert!(u64::from(huge.size.0) * u64::from(huge.size.1) <= LIMITS.max_area);
    }

    #[test]
    fn rotations_qualities_formats() {
        let r = parse("full", "max", "!90", "gray.png", (10, 10), LIMITS).unwrap();
        assert_eq!(
            (r.mirror, r.rotation, r.quality, r.format),
            (true, 90, Quality::Gray, OutputFormat::Png)
        );
        assert!(parse("full", "max", "45", "default.jpg", (10, 10), LIMITS).is_err());
        assert!(parse("full", "max", "0", "native.jpg", (10, 10), LIMITS).is_err());
        assert!(parse("full", "max", "0", "default.gif", (10, 10), LIMITS).is_err());
        assert_eq!(
            parse("full", "max", "360", "color.jpg", (10, 10), LIMITS)
                .unwrap()
                .canonical(),
            "0,0,10,10/10,10/0/default.jpg"
        );
    }
}
