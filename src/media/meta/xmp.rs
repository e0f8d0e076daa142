//! XMP packets: reading what Lightroom, Photo Mechanic, Capture One, phones and exiftool write
//! (namespace-aware, through roxmltree: no DTD, bounded node count), and writing brandvault's
//! own packet for delivered files.

use super::{clean, Described, LangText, Outgoing};
use crate::model::Gps;

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const DC: &str = "http://purl.org/dc/elements/1.1/";
const PHOTOSHOP: &str = "http://ns.adobe.com/photoshop/1.0/";
const IPTC_CORE: &str = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/";
const RIGHTS: &str = "http://ns.adobe.com/xap/1.0/rights/";
const TIFF: &str = "http://ns.adobe.com/tiff/1.0/";
const XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Most XML nodes parsed in one packet (a real one has a few hundred).
const MAX_NODES: u32 = 200_000;

/// The value of one property: simple text, or the items of an `rdf:Alt`/`Bag`/`Seq` with
/// their `xml:lang`.
#[derive(Default)]
struct Property {
    items: Vec<(Option<String>, String)>,
}

/// Reads the descriptive fields of an XMP packet. A packet that does not parse gives a
/// warning and nothing else.
pub fn parse(packet: &[u8]) -> Described {
    let mut out = Described::default();
    if packet.len() > super::MAX_BLOCK_BYTES {
        out.warnings.push(format!(
            "XMP packet of {} bytes ignored: too large",
            packet.len()
        ));
        return out;
    }
    let text = match std::str::from_utf8(packet.trim_ascii_end()) {
        Ok(t) => t.trim_start_matches('\u{feff}').trim_end_matches('\0'),
        Err(_) => {
            out.warnings.push("XMP packet is not UTF-8: ignored".into());
            return out;
        }
    };
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..Default::default()
    };
    let doc = match roxmltree::Document::parse_with_options(text, options) {
        Ok(d) => d,
        Err(e) => {
            out.warnings.push(format!("XMP packet does not parse: {e}"));
            return out;
        }
    };
    let get = |ns: &str, name: &str| property(&doc, ns, name);
    out.caption = lang_text(get(DC, "description"));
    out.title = lang_text(get(DC, "title"));
    if out.title.vi.is_none() && out.title.en.is_none() && out.title.default.is_none() {
        out.title.default = first(get(PHOTOSHOP, "Headline"));
    }
    out.keywords = get(DC, "subject")
        .map(|p| p.items.iter().filter_map(|(_, v)| clean(v)).collect())
        .unwrap_or_default();
    out.creator = get(DC, "creator").and_then(|p| {
        let names: Vec<String> = p.items.iter().filter_map(|(_, v)| clean(v)).collect();
        (!names.is_empty()).then(|| names.join(", "))
    });
    out.credit = first(get(PHOTOSHOP, "Credit"));
    out.copyright = lang_text(get(DC, "rights")).any();
    out.usage_terms = lang_text(get(RIGHTS, "UsageTerms")).any();
    out.location.sublocation = first(get(IPTC_CORE, "Location"));
    out.location.city = first(get(PHOTOSHOP, "City"));
    out.location.province = first(get(PHOTOSHOP, "State"));
    out.location.country = first(get(PHOTOSHOP, "Country"));
    out.orientation = first(get(TIFF, "Orientation"))
        .and_then(|o| o.parse::<u16>().ok())
        .filter(|o| (1..=8).contains(o));
    out
}

/// A property wherever it is written: as an attribute of any `rdf:Description` or as an
/// element inside one. The first occurrence wins.
fn property(doc: &roxmltree::Document<'_>, ns: &str, name: &str) -> Option<Property> {
    for desc in doc
        .descendants()
        .filter(|n| n.has_tag_name((RDF, "Description")))
    {
        if let Some(v) = desc.attribute((ns, name)) {
            return Some(Property {
                items: vec![(None, v.to_owned())],
            });
        }
        if let Some(el) = desc.children().find(|n| n.has_tag_name((ns, name))) {
            return Some(element_value(el));
        }
    }
    None
}

fn element_value(el: roxmltree::Node<'_, '_>) -> Property {
    let container = el.children().find(|n| {
        n.is_element()
            && [(RDF, "Alt"), (RDF, "Bag"), (RDF, "Seq")]
                .iter()
                .any(|t| n.has_tag_name(*t))
    });
    let Some(container) = container else {
        let lang = el.attribute((XML, "lang")).map(str::to_owned);
        let text: String = el.children().filter_map(|n| n.text()).collect();
        return Property {
            items: vec![(lang, text)],
        };
    };
    let items = container
        .children()
        .filter(|n| n.has_tag_name((RDF, "li")))
        .map(|li| {
            let lang = li.attribute((XML, "lang")).map(str::to_owned);
            let text: String = li.children().filter_map(|n| n.text()).collect();
            (lang, text)
        })
        .collect();
    Property { items }
}

fn first(p: Option<Property>) -> Option<String> {
    p?.items.iter().find_map(|(_, v)| clean(v))
}

fn lang_text(p: Option<Property>) -> LangText {
    let mut out = LangText::default();
    for (lang, value) in p.map(|p| p.items).unwrap_or_default() {
        let Some(value) = clean(&value) else { continue };
        let lang = lang.unwrap_or_default().to_ascii_lowercase();
        let slot = match lang.split('-').next().unwrap_or("") {
            "vi" => &mut out.vi,
            "en" => &mut out.en,
            _ if lang == "x-default" || lang.is_empty() => &mut out.default,
            _ => continue,
        };
        slot.get_or_insert(value);
    }
    out
}

impl LangText {
    /// Any one of the texts, the default first (copyright and terms are one text).
    fn any(self) -> Option<String> {
        self.default.or(self.vi).or(self.en)
    }
}

/// brandvault's XMP packet for a delivered file: caption and title as language alternatives
/// (`x-default` is the Vietnamese text, the brand's first language), credit, copyright,
/// licence, the asset's stable URL and id, keywords, location, and GPS only when given.
pub fn write(m: &Outgoing) -> String {
    let mut props = String::new();
    let alt = |props: &mut String, name: &str, vi: Option<&str>, en: Option<&str>| {
        let Some(default) = vi.or(en) else { return };
        props.push_str(&format!("   <{name}><rdf:Alt>"));
        props.push_str(&format!(
            "<rdf:li xml:lang=\"x-default\">{}</rdf:li>",
            escape(default)
        ));
        for (lang, text) in [("vi", vi), ("en", en)] {
            if let Some(t) = text {
                props.push_str(&format!(
                    "<rdf:li xml:lang=\"{lang}\">{}</rdf:li>",
                    escape(t)
                ));
            }
        }
        props.push_str(&format!("</rdf:Alt></{name}>\n"));
    };
    alt(
        &mut props,
        "dc:description",
        m.caption.vi.as_deref(),
        m.caption.en.as_deref(),
    );
    alt(
        &mut props,
        "dc:title",
        m.title.vi.as_deref(),
        m.title.en.as_deref(),
    );
    alt(&mut props, "dc:rights", m.copyright.as_deref(), None);
    alt(
        &mut props,
        "xmpRights:UsageTerms",
        m.usage_terms.vi.as_deref(),
        m.usage_terms.en.as_deref(),
    );
    let mut simple = |name: &str, value: Option<&str>| {
        if let Some(v) = value {
            props.push_str(&format!("   <{name}>{}</{name}>\n", escape(v)));
        }
    };
    simple("dc:identifier", Some(&m.id));
    simple("photoshop:Credit", m.credit.as_deref());
    simple(
        "photoshop:Headline",
        m.title.vi.as_deref().or(m.title.en.as_deref()),
    );
    simple("xmpRights:WebStatement", m.url.as_deref());
    simple("photoshop:Instructions", m.instructions.as_deref());
    simple("photoshop:DateCreated", m.date_created.as_deref());
    simple("xmpRights:Marked", m.copyright.as_ref().map(|_| "True"));
    simple("Iptc4xmpCore:Location", m.location.sublocation.as_deref());
    simple("photoshop:City", m.location.city.as_deref());
    simple("photoshop:State", m.location.province.as_deref());
    simple("photoshop:Country", m.location.country.as_deref());
    if let Some(gps) = m.gps {
        let (lat, lon) = xmp_gps(gps);
        simple("exif:GPSLatitude", Some(&lat));
        simple("exif:GPSLongitude", Some(&lon));
    }
    let list = |props: &mut String, name: &str, kind: &str, items: &[&str]| {
        if items.is_empty() {
            return;
        }
        props.push_str(&format!("   <{name}><rdf:{kind}>"));
        for i in items {
            props.push_str(&format!("<rdf:li>{}</rdf:li>", escape(i)));
        }
        props.push_str(&format!("</rdf:{kind}></{name}>\n"));
    };
    let creators: Vec<&str> = m.credit.as_deref().into_iter().collect();
    list(&mut props, "dc:creator", "Seq", &creators);
    let keywords: Vec<&str> = m.keywords.iter().map(String::as_str).collect();
    list(&mut props, "dc:subject", "Bag", &keywords);
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"brandvault\">\n\
         <rdf:RDF xmlns:rdf=\"{RDF}\">\n\
         \x20 <rdf:Description rdf:about=\"\" xmlns:dc=\"{DC}\" xmlns:photoshop=\"{PHOTOSHOP}\" \
         xmlns:xmpRights=\"{RIGHTS}\" xmlns:Iptc4xmpCore=\"{IPTC_CORE}\" \
         xmlns:exif=\"http://ns.adobe.com/exif/1.0/\">\n\
         {props}  </rdf:Description>\n\
         </rdf:RDF>\n\
         </x:xmpmeta>\n\
         <?xpacket end=\"r\"?>"
    )
}

/// XMP's GPS form: "11,49.0140N" (degrees, decimal minutes, hemisphere).
fn xmp_gps(gps: Gps) -> (String, String) {
    let part = |deg: f64, pos: char, neg: char| {
        let hemisphere = if deg < 0.0 { neg } else { pos };
        let deg = deg.abs();
        let whole = deg.trunc();
        format!("{},{:.6}{hemisphere}", whole as u32, (deg - whole) * 60.0)
    };
    (part(gps.lat, 'N', 'S'), part(gps.lon, 'E', 'W'))
}

/// XML text and attribute escaping; control characters XML cannot carry are dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Caption, Location};

    #[test]
    fn lightroom_style_packet_is_read() {
        let packet = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
  xmlns:tiff="http://ns.adobe.com/tiff/1.0/" photoshop:City="Đồng Xoài" tiff:Orientation="6"/>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
 <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Thác Mơ</rdf:li>
   <rdf:li xml:lang="en-US">Mo waterfall</rdf:li></rdf:Alt></dc:description>
 <dc:subject><rdf:Bag><rdf:li>du lịch</rdf:li><rdf:li> </rdf:li><rdf:li>cao su</rdf:li></rdf:Bag></dc:subject>
 <dc:creator><rdf:Seq><rdf:li>Nguyễn Văn A</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#;
        let d = parse(packet.as_bytes());
        assert_eq!(d.caption.en.as_deref(), Some("Mo waterfall"));
        assert_eq!(
            d.caption.to_caption(),
            Caption {
                vi: Some("Thác Mơ".into()),
                en: Some("Mo waterfall".into())
            }
        );
        assert_eq!(d.keywords, ["du lịch", "cao su"]);
        assert_eq!(d.creator.as_deref(), Some("Nguyễn Văn A"));
        assert_eq!(d.location.city.as_deref(), Some("Đồng Xoài"));
        assert_eq!(d.orientation, Some(6));
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn what_is_written_reads_back() {
        let out = Outgoing {
            id: "ab".repeat(32),
            caption: Caption {
                vi: Some("Rừng <cao su> & \"đồi\"".into()),
                en: Some("Rubber forest".into()),
            },
            title: Caption {
                vi: Some("Cao su".into()),
                en: None,
            },
            credit: Some("Trần Thị B".into()),
            copyright: Some("© 2025 Sở VHTTDL".into()),
            license: Some("CC BY 4.0".into()),
            usage_terms: Caption {
                vi: Some("CC BY 4.0".into()),
                en: Some("CC BY 4.0".into()),
            },
            instructions: Some("Chỉ dùng cho tin tức / News use only".into()),
            date_created: Some("2024-05-01T06:30:00+07:00".into()),
            url: Some("https://anh.example.vn/assets/ab".into()),
            keywords: vec!["cao su".into()],
            location: Location {
                city: Some("Bù Đăng".into()),
                ..Default::default()
            },
            gps: None,
        };
        let d = parse(write(&out).as_bytes());
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!(d.caption.to_caption(), out.caption);
        assert_eq!(d.title.vi.as_deref(), Some("Cao su"));
        assert_eq!(d.creator, out.credit);
        assert_eq!(d.credit, out.credit);
        assert_eq!(d.copyright, out.copyright);
        assert_eq!(d.usage_terms, out.license);
        assert_eq!(d.keywords, out.keywords);
        assert_eq!(d.location, out.location);
        assert!(!write(&out).contains("GPS"));
        let packet = write(&out);
        assert!(packet.contains("<photoshop:DateCreated>2024-05-01T06:30:00+07:00<"));
        assert!(packet.contains("<photoshop:Instructions>Chỉ dùng cho tin tức / News use only<"));
    }

    #[test]
    fn hostile_packets_give_warnings_not_panics() {
        for bad in [
            &b"<x:xmpmeta"[..],
            b"\xff\xfe<",
            b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>",
            b"",
        ] {
            let d = parse(bad);
            assert!(d.caption.default.is_none());
            assert!(!d.warnings.is_empty(), "{bad:?}");
        }
    }
}
