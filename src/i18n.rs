//! The pages' two languages: Vietnamese (the default) and English. Every visible string is a
//! key of `web/messages.toml`; dates, sizes and counts are written in the reader's convention.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The language of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

type Table = HashMap<String, [String; 2]>;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str(include_str!("../web/messages.toml"))
            .expect("web/messages.toml is a table of [vi, en] pairs (checked by a unit test)")
    })
}

impl Lang {
    /// `vi` or `en`, for `<html lang>`, cookies and links.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    pub fn is_en(self) -> bool {
        self == Lang::En
    }

    /// The phrase `key` in this language. A key missing from the table shows as nothing (a
    /// unit test keeps that from happening for every key the code names).
    pub fn t(self, key: &str) -> &'static str {
        self.lookup(key).unwrap_or_else(|| {
            debug_assert!(false, "no message {key:?} in web/messages.toml");
            ""
        })
    }

    /// The phrase `key`, for keys made from data (a status, a rule) that may have none.
    pub fn lookup(self, key: &str) -> Option<&'static str> {
        table().get(key).map(|pair| pair[self as usize].as_str())
    }

    /// `t(key)` with each `{name}` replaced by its value.
    pub fn fill(self, key: &str, values: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_owned();
        for (name, value) in values {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// One of two texts kept in the data (a spot's or term's name in both languages).
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// The Vietnamese text, or the English one on an English page, falling back to the
    /// other language rather than to nothing.
    pub fn either<'a>(self, vi: Option<&'a str>, en: Option<&'a str>) -> Option<&'a str> {
        let (first, second) = match self {
            Lang::Vi => (vi, en),
            Lang::En => (en, vi),
        };
        first
            .filter(|s| !s.trim().is_empty())
            .or(second.filter(|s| !s.trim().is_empty()))
    }

    /// A whole number with the thousands separated: `12.345` in Vietnamese, `12,345` in English.
    pub fn number(self, n: u64) -> String {
        let digits = n.to_string();
        let sep = match self {
            Lang::Vi => '.',
            Lang::En => ',',
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    /// A number with `places` decimals and the language's decimal mark: `6,5` / `6.5`.
    pub fn decimal(self, value: f64, places: usize) -> String {
        let text = format!("{value:.places$}");
        match self {
            Lang::Vi => text.replace('.', ","),
            Lang::En => text,
        }
    }

    /// A file size in decimal units with one decimal: `2,9 MB` in Vietnamese, `2.9 MB` in
    /// English; bytes below 1 kB counted whole.
    pub fn bytes(self, n: u64) -> String {
        const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
        if n < 1000 {
            return self.fill("unit.bytes", &[("n", &n.to_string())]);
        }
        let mut value = n as f64 / 1000.0;
        let mut unit = 0;
        while value >= 999.95 && unit < UNITS.len() - 1 {
            value /= 1000.0;
            unit += 1;
        }
        let text = format!("{value:.1}");
        let text = match self {
            Lang::Vi => text.replace('.', ","),
            Lang::En => text,
        };
        format!("{text} {}", UNITS[unit])
    }

    /// A date and time as recorded (`2024-07-14T06:42:10`, with or without an offset or `Z`),
    /// written `14/07/2024 06:42` in Vietnamese and `14 Jul 2024, 06:42` in English. The
    /// camera's local time is shown as it was: a picture taken at dawn reads dawn.
    pub fn datetime(self, stamp: &str) -> String {
        let Some((date, time)) = stamp.split_once('T') else {
            return self.date(stamp);
        };
        let hm = time.get(..5).unwrap_or(time);
        match self {
            Lang::Vi => format!("{} {hm}", self.date(date)),
            Lang::En => format!("{}, {hm}", self.date(date)),
        }
    }

    /// A date (`YYYY-MM-DD…`) as `14/07/2024` or `14 Jul 2024`.
    pub fn date(self, stamp: &str) -> String {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let parts: Vec<&str> = stamp.get(..10).unwrap_or(stamp).split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return stamp.to_owned();
        };
        match (self, m.parse::<usize>()) {
            (Lang::Vi, _) => format!("{d}/{m}/{y}"),
            (Lang::En, Ok(month @ 1..=12)) => {
                format!("{} {} {y}", d.trim_start_matches('0'), MONTHS[month - 1])
            }
            _ => stamp.to_owned(),
        }
    }

    /// A day (from an RFC 3339 time or `YYYY-MM-DD`) as a date field shows it for typing:
    /// `DD/MM/YYYY` in Vietnamese, `YYYY-MM-DD` in English; `model::parse_date` reads both.
    pub fn date_field(self, stamp: &str) -> String {
        match (self, stamp.get(..10)) {
            (Lang::Vi, Some(day)) => Lang::Vi.date(day),
            (_, Some(day)) => day.to_owned(),
            (_, None) => stamp.to_owned(),
        }
    }

    /// A date field's placeholder: the order `date_field` writes, in words (an example date
    /// would read as a value already filled in).
    pub fn date_example(self) -> &'static str {
        match self {
            Lang::Vi => "ngày/tháng/năm",
            Lang::En => "year-month-day",
        }
    }

    /// A duration in seconds as `1:05` or `1:02:03`.
    pub fn duration(self, seconds: f64) -> String {
        let s = seconds.round() as u64;
        match (s / 3600, s / 60 % 60, s % 60) {
            (0, m, s) => format!("{m}:{s:02}"),
            (h, m, s) => format!("{h}:{m:02}:{s:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_dates_and_numbers_follow_the_reader() {
        assert_eq!(Lang::Vi.bytes(2_900_000), "2,9 MB");
        assert_eq!(Lang::En.bytes(2_900_000), "2.9 MB");
        assert_eq!(Lang::Vi.bytes(999_960), "1,0 MB");
        assert_eq!(Lang::Vi.bytes(512), "512 byte");
        assert_eq!(Lang::Vi.datetime("2024-07-14T06:42:10"), "14/07/2024 06:42");
        assert_eq!(
            Lang::En.datetime("2024-07-14T06:42:10+07:00"),
            "14 Jul 2024, 06:42"
        );
        assert_eq!(Lang::Vi.date("2024-07-04"), "04/07/2024");
        assert_eq!(Lang::Vi.number(1_234_567), "1.234.567");
        assert_eq!(Lang::En.number(999), "999");
        assert_eq!(Lang::En.number(1000), "1,000");
        assert_eq!(Lang::Vi.duration(65.4), "1:05");
    }

    #[test]
    fn every_message_has_both_languages() {
        for (key, [vi, en]) in table() {
            assert!(!vi.trim().is_empty() && !en.trim().is_empty(), "{key}");
        }
        assert_eq!(
            Lang::En.fill("catalogue.count_many", &[("n", "3")]),
            "3 results"
        );
        assert_eq!(Lang::Vi.either(None, Some("Lake")), Some("Lake"));
        assert_eq!(Lang::Vi.either(Some(" "), Some("Lake")), Some("Lake"));
    }

    /// Every `t("key")` and `fill("key", …)` of the templates and the portal's code, and every
    /// status, kind and access level, has its message.
    /// Every rule reads as words in both languages, and one about a field of the edit page
    /// says how to fix it there.
    #[test]
    fn every_rule_has_its_words() {
        let table = table();
        let has = |key: String| table.iter().any(|(k, _)| **k == key);
        for rule in crate::model::Rule::ALL {
            assert!(has(format!("rule.{}", rule.code())), "rule.{rule}");
            if rule.field() != "file" {
                assert!(has(format!("fix.{}", rule.code())), "fix.{rule}");
            }
        }
    }

    #[test]
    fn every_key_used_is_in_the_table() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = Vec::new();
        for dir in [
            "web/templates",
            "web/templates/desk",
            "src/http/portal",
            "src/http/desk",
        ] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    sources.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        let mut used = Vec::new();
        for text in &sources {
            for opener in ["t(\"", "fill(\"", "fill(\n            \""] {
                for (at, _) in text.match_indices(opener) {
                    let rest = &text[at + opener.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    let plain = key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
                    if plain && key.contains('.') && !key.ends_with('.') {
                        used.push(key.to_owned());
                    }
                }
            }
        }
        assert!(used.len() > 50, "found {} keys", used.len());
        use crate::model::{Access, Kind, Status};
        used.extend(Kind::ALL.iter().map(|k| format!("kind.{}", k.as_str())));
        used.extend(Status::ALL.iter().map(|s| format!("status.{}", s.as_str())));
        used.extend(Access::ALL.iter().map(|a| format!("access.{}", a.as_str())));
        used.extend(
            Status::ALL
                .iter()
                .map(|s| format!("work.hint.{}", s.as_str())),
        );
        used.extend(
            Access::ALL
                .iter()
                .map(|a| format!("review.requires.{}", a.as_str())),
        );
        used.extend(
            Access::ALL
                .iter()
                .map(|a| format!("access.short.{}", a.as_str())),
        );
        for role in crate::http::desk::ROLES {
            used.push(format!("role.{}", crate::http::desk::role_code(role)));
        }
        for code in crate::http::desk::upload::UPLOAD_CODES {
            used.push(format!("upload.code.{code}"));
        }
        for key in used {
            assert!(
                table().contains_key(&key),
                "{key} is used but not in web/messages.toml"
            );
        }
    }

    /// A Vietnamese page shows no English: a message the same in both languages is a name.
    #[test]
    fn vietnamese_messages_are_vietnamese() {
        let names = [
            "Logo",
            "SVG",
            "PNG {w} px",
            "{n} byte",
            "B",
            "{from} → {to}",
        ];
        for (key, [vi, en]) in table() {
            if vi == en {
                assert!(
                    names.contains(&vi.as_str()),
                    "{key}: {vi:?} is not translated"
                );
            }
        }
    }
}
