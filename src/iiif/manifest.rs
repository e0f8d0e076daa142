//! IIIF Presentation API 3.0 manifests: what Mirador, Universal Viewer and museum portals open.
//! One per public picture (a canvas painted by the picture, with its image service for deep
//! zoom) and one per shared collection (a canvas per picture of the link). Labels, summary,
//! credit and restrictions are language maps in Vietnamese and English; pure JSON, no I/O.

use serde_json::{json, Value};

use crate::model::{restrictions, Asset, Caption};

/// One picture of a manifest: the asset, where its image is, and its image service if the
/// public may zoom it.
pub struct Painting<'a> {
    pub asset: &'a Asset,
    /// A JPEG of the picture (its stable address).
    pub image: String,
    pub width: u32,
    pub height: u32,
    /// The IIIF Image API base URI, when the picture is served there.
    pub service: Option<String>,
}

/// A language map of a caption: both languages where given, `none` when neither is.
fn language_map(text: &Caption, fallback: &str) -> Value {
    let mut map = serde_json::Map::new();
    for (lang, t) in [("vi", &text.vi), ("en", &text.en)] {
        if let Some(t) = t.as_deref().filter(|t| !t.trim().is_empty()) {
            map.insert(lang.into(), json!([t]));
        }
    }
    if map.is_empty() {
        map.insert("none".into(), json!([fallback]));
    }
    Value::Object(map)
}

fn pair(vi: &str, en: &str) -> Value {
    json!({"vi": [vi], "en": [en]})
}

/// The label of an asset: its title, else its caption, else its file name.
fn label(asset: &Asset) -> Value {
    let titled = asset.title.vi.is_some() || asset.title.en.is_some();
    language_map(
        if titled { &asset.title } else { &asset.caption },
        asset.display_name(),
    )
}

/// The descriptive pairs viewers show beside the picture.
fn metadata(asset: &Asset) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(spot) = &asset.spot {
        out.push(json!({
            "label": pair("Địa điểm", "Place"),
            "value": pair(&spot.name_vi, &spot.name_en),
        }));
    }
    if let Some(at) = asset.captured_at.as_deref() {
        out.push(json!({"label": pair("Ngày chụp", "Date taken"), "value": {"none": [at]}}));
    }
    if let Some(license) = asset.license.as_deref() {
        out.push(json!({"label": pair("Giấy phép", "Licence"), "value": {"none": [license]}}));
    }
    for r in restrictions(asset) {
        out.push(json!({
            "label": pair("Điều kiện sử dụng", "Restriction"),
            "value": pair(&r.vi, &r.en),
        }));
    }
    out
}

/// The canvas `n` (from 1) of `manifest`, painted by `p`.
fn canvas(manifest: &str, n: usize, p: &Painting<'_>) -> Value {
    let canvas = format!("{manifest}/canvas/{n}");
    let mut body = json!({
        "id": p.image,
        "type": "Image",
        "format": "image/jpeg",
        "width": p.width,
        "height": p.height,
    });
    if let Some(service) = &p.service {
        body["service"] = json!([{"id": service, "type": "ImageService3", "profile": "level2"}]);
    }
    json!({
        "id": canvas,
        "type": "Canvas",
        "label": label(p.asset),
        "width": p.width,
        "height": p.height,
        "metadata": metadata(p.asset),
        "items": [{
            "id": format!("{canvas}/page"),
            "type": "AnnotationPage",
            "items": [{
                "id": format!("{canvas}/page/painting"),
                "type": "Annotation",
                "motivation": "painting",
                "body": body,
                "target": canvas,
            }],
        }],
    })
}

/// The manifest `id` of one picture, with its page as homepage.
pub fn of_asset(id: &str, page: &str, p: &Painting<'_>) -> Value {
    let a = p.asset;
    let mut m = json!({
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": id,
        "type": "Manifest",
        "label": label(a),
        "metadata": metadata(a),
        "homepage": [{"id": page, "type": "Text", "format": "text/html", "label": label(a)}],
        "items": [canvas(id, 1, p)],
    });
    if a.caption.vi.is_some() || a.caption.en.is_some() {
        m["summary"] = language_map(&a.caption, "");
    }
    if let Some(credit) = a.credit.as_deref() {
        m["requiredStatement"] =
            json!({"label": pair("Nguồn", "Credit"), "value": {"none": [credit]}});
    }
    if let Some(license) = a.license.as_deref().filter(|l| l.starts_with("http")) {
        m["rights"] = json!(license);
    }
    m
}

/// The manifest `id` of a shared collection: a canvas per picture, in the link's order.
pub fn of_collection(id: &str, page: &str, name: &str, pictures: &[Painting<'_>]) -> Value {
    json!({
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": id,
        "type": "Manifest",
        "label": {"none": [name]},
        "homepage": [{"id": page, "type": "Text", "format": "text/html", "label": {"none": [name]}}],
        "items": pictures
            .iter()
            .enumerate()
            .map(|(i, p)| canvas(id, i + 1, p))
            .collect::<Vec<_>>(),
    })
}
