//! How an asset and its files are named to people: the credit line a newspaper prints, a
//! preset's label in the reader's language, and a press copy that says when it is smaller
//! than the brand's press size instead of promising full resolution.

use super::Lang;
use crate::http::AppState;
use crate::model::{Asset, Kind, Rendition};

/// The credit line a newspaper prints under the picture.
pub fn credit_line(lang: Lang, asset: &Asset, title: &str) -> String {
    let by = asset.credit.as_deref().unwrap_or("").trim();
    let mut line = String::new();
    if asset.caption.vi.is_some() || asset.caption.en.is_some() {
        line += title;
        line += " — ";
    }
    let word = match asset.kind {
        Kind::Video => lang.t("kind.video"),
        _ => lang.t("asset.photo_by"),
    };
    if labelled(by) {
        line += by;
    } else {
        line += &format!("{word}: {}", if by.is_empty() { "—" } else { by });
    }
    if let Some(l) = asset.license.as_deref().filter(|l| !l.is_empty()) {
        line += &format!(" ({l})");
    }
    line
}

/// A credit that names its own kind ("Ảnh: …", "Photo: …", "Video/Phim: …") is printed as
/// given, so the line never reads "Ảnh: Ảnh: …".
fn labelled(credit: &str) -> bool {
    credit.split_once(':').is_some_and(|(head, _)| {
        let head = head.trim();
        !head.is_empty()
            && head.chars().count() <= 12
            && head.split_whitespace().count() <= 2
            && !head.chars().any(|c| c.is_ascii_digit())
    })
}

/// The label of a preset in the reader's language (its name if brand/presets.toml gives none).
pub fn preset_label(state: &AppState, lang: Lang, name: &str) -> String {
    state
        .brand
        .presets
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.label.as_ref())
        .map_or_else(|| name.to_owned(), |l| lang.pick(&l.vi, &l.en).to_owned())
}

/// A rendition's name on its button: the preset's label, except that a press copy smaller
/// than the brand's press size says what it is rather than promising full resolution.
pub fn truthful_label(state: &AppState, lang: Lang, r: &Rendition) -> String {
    if below_press_size(state, r) {
        return lang.fill(
            "asset.press_small",
            &[("px", &r.width.max(r.height).to_string())],
        );
    }
    preset_label(state, lang, &r.preset)
}

/// Whether `r` is a press copy smaller than the brand's press size.
pub fn below_press_size(state: &AppState, r: &Rendition) -> bool {
    press_copy_short(r, state.brand.press_min_long_edge_px())
}

fn press_copy_short(r: &Rendition, press_min: u32) -> bool {
    r.preset == "press" && r.width.max(r.height) < press_min
}

/// Whether `asset`'s press copy is smaller than `press_min` (the brand's press size): judged
/// on the recorded press rendition, or on the original while it is not made yet; never for
/// what has no press copy (films, logos). The share page's count and each file's note agree
/// through it.
pub fn short_of_press_size(asset: &Asset, press_min: u32) -> bool {
    if asset.kind != Kind::Photo {
        return false;
    }
    match asset.renditions.iter().find(|r| r.preset == "press") {
        Some(r) => press_copy_short(r, press_min),
        None => asset.width.max(asset.height).unwrap_or(0) < press_min,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(kind: &str, width: u32, press: Option<u32>) -> Asset {
        let renditions: Vec<_> = press
            .map(|w| {
                serde_json::json!({"preset": "press", "url": "/r/x.jpg", "width": w,
                "height": w * 2 / 3, "bytes": 1, "media_type": "image/jpeg", "key": "k"})
            })
            .into_iter()
            .collect();
        serde_json::from_value(serde_json::json!({
            "id": "00".repeat(32), "kind": kind, "media_type": "image/jpeg", "bytes": 1,
            "names": ["a.jpg"], "ingested_at": "2026-11-01T00:00:00Z", "status": "approved",
            "access": "press", "caption": {}, "tags": [], "violations": [],
            "width": width, "height": width * 2 / 3, "renditions": renditions,
        }))
        .expect("an asset")
    }

    #[test]
    fn a_credit_with_its_own_label_is_not_labelled_twice() {
        for given in [
            "Ảnh: Nguyễn Thị Hồng",
            "Photo: Lê Văn Cường",
            "Ảnh/Photo: TTXVN",
        ] {
            assert!(labelled(given), "{given}");
        }
        for plain in [
            "Nguyễn Thị Hồng",
            "",
            "Sở Văn hóa, Thể thao và Du lịch tỉnh Bình Phước: phòng truyền thông",
            "12:30 Báo Bình Phước",
        ] {
            assert!(!labelled(plain), "{plain}");
        }
    }

    #[test]
    fn a_press_copy_is_short_by_what_is_delivered_and_only_for_photos() {
        assert!(short_of_press_size(&asset("photo", 1600, None), 2000));
        assert!(!short_of_press_size(&asset("photo", 2400, None), 2000));
        // The recorded copy decides once it exists (an original turned on its side, a preset
        // with a ceiling).
        assert!(short_of_press_size(&asset("photo", 2400, Some(1800)), 2000));
        assert!(!short_of_press_size(
            &asset("photo", 2400, Some(2400)),
            2000
        ));
        // A film or a logo has no press copy to fall short.
        assert!(!short_of_press_size(&asset("video", 1280, None), 2000));
        assert!(!short_of_press_size(&asset("logo", 512, None), 2000));
    }
}
