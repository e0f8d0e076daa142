//! What an asset may be used for beyond its licence, in words: the restrictions a newsroom
//! must read before it republishes (press only, an embargo, rights that end, consent not
//! recorded). Derived from the asset's own fields, so every copy (page, share, ZIP, the file's
//! XMP and IPTC) says the same thing in the same words.

use serde::Serialize;

use super::{Access, Asset};

/// One restriction, in both languages, with a stable code for machines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Restriction {
    /// `press-only`, `embargo`, `rights-expire` or `consent-missing`.
    pub code: &'static str,
    pub vi: String,
    pub en: String,
}

/// The restrictions that go with every copy of `asset`, most binding first.
pub fn restrictions(asset: &Asset) -> Vec<Restriction> {
    let mut out = Vec::new();
    if asset.access == Access::Press {
        out.push(Restriction {
            code: "press-only",
            vi: "Chỉ dùng cho tin tức, báo chí; không đăng lại cho mục đích khác.".into(),
            en: "News use only; no republication for any other purpose.".into(),
        });
    }
    if let Some(from) = asset.available_from.as_deref().and_then(day) {
        out.push(Restriction {
            code: "embargo",
            vi: format!("Không công bố trước ngày {}.", from.vi),
            en: format!("Embargoed until {}.", from.en),
        });
    }
    if let Some(until) = asset.expires_at.as_deref().and_then(day) {
        out.push(Restriction {
            code: "rights-expire",
            vi: format!("Quyền sử dụng hết hạn ngày {}.", until.vi),
            en: format!("Rights expire on {}.", until.en),
        });
    }
    if asset.consent == Some(false) {
        out.push(Restriction {
            code: "consent-missing",
            vi: "Chưa có sự đồng ý của người trong ảnh: không dùng cho quảng cáo.".into(),
            en: "No consent recorded from the people shown: not for advertising.".into(),
        });
    }
    out
}

/// The restrictions as one text per language (`None` when there are none).
pub fn restriction_text(list: &[Restriction]) -> Option<(String, String)> {
    if list.is_empty() {
        return None;
    }
    let join = |f: fn(&Restriction) -> &str| list.iter().map(f).collect::<Vec<_>>().join(" ");
    Some((join(|r| &r.vi), join(|r| &r.en)))
}

/// A date as each language writes it: 31/12/2025 and 2025-12-31.
struct Day {
    vi: String,
    en: String,
}

fn day(rfc3339: &str) -> Option<Day> {
    let date = rfc3339.get(..10)?;
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    Some(Day {
        vi: format!("{d}/{m}/{y}"),
        en: date.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restrictions_are_read_from_the_asset() {
        let mut a: Asset = serde_json::from_value(serde_json::json!({
            "id": "0".repeat(64), "kind": "photo", "media_type": "image/jpeg", "bytes": 1,
            "width": null, "height": null, "duration_s": null, "names": [], "ingested_at": "",
            "captured_at": null, "exif": null, "gps": null, "spot": null, "status": "approved",
            "access": "press", "caption": {}, "credit": null, "license": null,
            "expires_at": "2027-06-30T00:00:00Z", "tags": [], "violations": []
        }))
        .unwrap();
        let list = restrictions(&a);
        let codes: Vec<_> = list.iter().map(|r| r.code).collect();
        assert_eq!(codes, ["press-only", "rights-expire"]);
        let (vi, en) = restriction_text(&list).unwrap();
        assert!(vi.contains("30/06/2027") && vi.contains("báo chí"), "{vi}");
        assert!(
            en.contains("2027-06-30") && en.contains("News use only"),
            "{en}"
        );
        a.access = Access::Public;
        a.expires_at = None;
        assert!(restrictions(&a).is_empty());
        assert_eq!(restriction_text(&[]), None);
    }
}
