//! Subtitle files: WebVTT and SRT read into cues, checked (well-formed times, each cue after
//! the one before, none past the film's end, text NFC) and written back as one canonical
//! WebVTT, the form brandvault stores and serves. A refusal names the line and the reason.

use crate::i18n::Lang;
use crate::model::text;

/// The largest subtitle file taken (a feature film's subtitles are a few hundred KB).
pub const MAX_BYTES: usize = 4 << 20;
/// The most cues in one file.
const MAX_CUES: usize = 50_000;
/// A cue may end this long after the film's last frame (players' rounding, a last credit).
const END_SLACK_MS: u64 = 1_000;

/// One cue: from `start` to `end` (milliseconds), its text lines and (WebVTT) its settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub start_ms: u64,
    pub end_ms: u64,
    pub settings: String,
    pub text: String,
}

/// Why a subtitle file is refused: the line (1-based; 0 for the file as a whole) and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.words(Lang::En))]
pub struct SubtitleError {
    pub line: usize,
    pub problem: Problem,
}

/// What is wrong (its words, in both languages, are in `web/messages.toml`).
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    TooLarge,
    NotUtf8,
    BadHeader(String),
    ExpectedTime,
    NotATime(String),
    EndsBeforeStart { start: u64, end: u64 },
    NoText,
    ArrowInText,
    TooManyCues,
    NoCues,
    BeforePrevious { start: u64, previous: u64 },
    PastFilm { end: u64, film: u64 },
}

impl Problem {
    /// The problem's message key (`subtitle_problem.*` in `web/messages.toml`) and values.
    fn message(&self) -> (&'static str, Vec<(&'static str, String)>) {
        let t = |ms: &u64| timestamp(*ms);
        match self {
            Self::TooLarge => ("too_large", vec![("mb", (MAX_BYTES >> 20).to_string())]),
            Self::NotUtf8 => ("not_utf8", vec![]),
            Self::BadHeader(h) => ("bad_header", vec![("header", h.clone())]),
            Self::ExpectedTime => ("expected_time", vec![]),
            Self::NotATime(v) => ("not_a_time", vec![("value", v.clone())]),
            Self::EndsBeforeStart { start, end } => (
                "ends_before_start",
                vec![("start", t(start)), ("end", t(end))],
            ),
            Self::NoText => ("no_text", vec![]),
            Self::ArrowInText => ("arrow_in_text", vec![]),
            Self::TooManyCues => ("too_many_cues", vec![("n", MAX_CUES.to_string())]),
            Self::NoCues => ("no_cues", vec![]),
            Self::BeforePrevious { start, previous } => (
                "before_previous",
                vec![("start", t(start)), ("previous", t(previous))],
            ),
            Self::PastFilm { end, film } => ("past_film", vec![("end", t(end)), ("film", t(film))]),
        }
    }

    /// What is wrong, in `lang`.
    pub fn words(&self, lang: Lang) -> String {
        let (key, values) = self.message();
        let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        lang.fill(&format!("subtitle_problem.{key}"), &values)
    }
}

impl SubtitleError {
    /// The refusal in `lang`: "dòng 7: câu kết thúc … trước khi bắt đầu …".
    pub fn words(&self, lang: Lang) -> String {
        let why = self.problem.words(lang);
        match self.line {
            0 => why,
            n => lang.fill(
                "subtitle_problem.at_line",
                &[("n", &n.to_string()), ("why", &why)],
            ),
        }
    }
}

fn refuse(line: usize, problem: Problem) -> SubtitleError {
    SubtitleError { line, problem }
}

/// A time as WebVTT writes it: `hh:mm:ss.mmm`.
pub fn timestamp(ms: u64) -> String {
    let (h, m, s) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60);
    format!("{h:02}:{m:02}:{s:02}.{:03}", ms % 1000)
}

/// `[hh:]mm:ss.mmm` (WebVTT) or `hh:mm:ss,mmm` (SRT), in milliseconds.
fn parse_time(s: &str) -> Option<u64> {
    let (clock, millis) = s.split_once(['.', ','])?;
    if millis.len() != 3 || !millis.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let parts: Vec<&str> = clock.split(':').collect();
    let number = |p: &str, max: u64| -> Option<u64> {
        let ok = !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| p.parse().ok()).flatten().filter(|n| *n <= max)
    };
    let (h, m, s) = match parts.as_slice() {
        [m, s] if m.len() == 2 && s.len() == 2 => (0, number(m, 59)?, number(s, 59)?),
        [h, m, s] if m.len() == 2 && s.len() == 2 => {
            (number(h, 9999)?, number(m, 59)?, number(s, 59)?)
        }
        _ => return None,
    };
    Some(((h * 60 + m) * 60 + s) * 1000 + millis.parse::<u64>().ok()?)
}

/// The times and settings of a `start --> end [settings]` line.
fn timing(line: &str, n: usize) -> Result<(u64, u64, String), SubtitleError> {
    let (start, rest) = line
        .split_once("-->")
        .ok_or_else(|| refuse(n, Problem::ExpectedTime))?;
    let mut rest = rest.split_whitespace();
    let end = rest.next().unwrap_or_default();
    let settings = rest.collect::<Vec<_>>().join(" ");
    let bad = |t: &str| refuse(n, Problem::NotATime(t.trim().to_owned()));
    let start_ms = parse_time(start.trim()).ok_or_else(|| bad(start))?;
    let end_ms = parse_time(end).ok_or_else(|| bad(end))?;
    if end_ms <= start_ms {
        return Err(refuse(
            n,
            Problem::EndsBeforeStart {
                start: start_ms,
                end: end_ms,
            },
        ));
    }
    Ok((start_ms, end_ms, settings))
}

/// Reads a WebVTT or SRT file (told apart by its first line) into cues, checked against a
/// film of `duration_ms` (when known).
pub fn parse(bytes: &[u8], duration_ms: Option<u64>) -> Result<Vec<Cue>, SubtitleError> {
    if bytes.len() > MAX_BYTES {
        return Err(refuse(0, Problem::TooLarge));
    }
    let raw = std::str::from_utf8(bytes)
        .map_err(|e| refuse(line_of(bytes, e.valid_up_to()), Problem::NotUtf8))?;
    let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    let lines: Vec<&str> = raw.lines().collect();
    let vtt = lines.first().is_some_and(|l| l.starts_with("WEBVTT"));
    if let Some(first) = lines.first().filter(|l| !vtt && l.starts_with("WEBVTT")) {
        return Err(refuse(1, Problem::BadHeader((*first).to_owned())));
    }
    let cues = blocks(&lines, vtt)?;
    if cues.is_empty() {
        return Err(refuse(0, Problem::NoCues));
    }
    check_order(&cues, duration_ms)?;
    Ok(cues.into_iter().map(|(_, cue)| cue).collect())
}

/// The 1-based line at byte `at`.
fn line_of(bytes: &[u8], at: usize) -> usize {
    bytes[..at].iter().filter(|b| **b == b'\n').count() + 1
}

/// The cues of the blank-line separated blocks, with the line each starts on. WebVTT's header
/// block, `NOTE`, `STYLE` and `REGION` blocks are skipped; a cue's identifier (an SRT index)
/// may precede its time line.
fn blocks(lines: &[&str], vtt: bool) -> Result<Vec<(usize, Cue)>, SubtitleError> {
    let mut cues = Vec::new();
    let mut i = usize::from(vtt);
    if vtt {
        // The rest of the header block.
        while i < lines.len() && !lines[i].trim().is_empty() {
            i += 1;
        }
    }
    while i < lines.len() {
        if lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && !lines[i].trim().is_empty() {
            i += 1;
        }
        let block = &lines[start..i];
        let head = block[0].trim();
        if vtt
            && ["NOTE", "STYLE", "REGION"]
                .iter()
                .any(|k| head.starts_with(k))
        {
            continue;
        }
        let at = usize::from(!block[0].contains("-->") && block.len() > 1);
        let (start_ms, end_ms, settings) = timing(block[at], start + at + 1)?;
        let body = &block[at + 1..];
        if body.is_empty() {
            return Err(refuse(start + at + 1, Problem::NoText));
        }
        if let Some(k) = body.iter().position(|l| l.contains("-->")) {
            return Err(refuse(start + at + k + 2, Problem::ArrowInText));
        }
        let text = body
            .iter()
            .map(|l| text::nfc(l.trim_end()))
            .collect::<Vec<_>>()
            .join("\n");
        let settings = if vtt { settings } else { String::new() };
        cues.push((
            start + at + 1,
            Cue {
                start_ms,
                end_ms,
                settings,
                text,
            },
        ));
        if cues.len() > MAX_CUES {
            return Err(refuse(start + 1, Problem::TooManyCues));
        }
    }
    Ok(cues)
}

/// Each cue starts no earlier than the one before, and none ends past the film.
fn check_order(cues: &[(usize, Cue)], duration_ms: Option<u64>) -> Result<(), SubtitleError> {
    for pair in cues.windows(2) {
        let ((_, before), (n, cue)) = (&pair[0], &pair[1]);
        if cue.start_ms < before.start_ms {
            return Err(refuse(
                *n,
                Problem::BeforePrevious {
                    start: cue.start_ms,
                    previous: before.start_ms,
                },
            ));
        }
    }
    if let Some(film) = duration_ms {
        if let Some((n, cue)) = cues.iter().find(|(_, c)| c.end_ms > film + END_SLACK_MS) {
            return Err(refuse(
                *n,
                Problem::PastFilm {
                    end: cue.end_ms,
                    film,
                },
            ));
        }
    }
    Ok(())
}

/// The cues as one canonical WebVTT file: numbered, times in full, text NFC.
pub fn to_webvtt(cues: &[Cue]) -> String {
    let mut out = String::from("WEBVTT\n");
    for (n, cue) in cues.iter().enumerate() {
        let settings = if cue.settings.is_empty() {
            String::new()
        } else {
            format!(" {}", cue.settings)
        };
        out.push_str(&format!(
            "\n{}\n{} --> {}{settings}\n{}\n",
            n + 1,
            timestamp(cue.start_ms),
            timestamp(cue.end_ms),
            cue.text
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srt_becomes_webvtt_in_nfc() {
        // "Bình Phước" written decomposed (NFD), as some editors save it.
        let srt = "1\r\n00:00:01,000 --> 00:00:03,500\r\nBi\u{300}nh Phu\u{31b}o\u{31b}\u{301}c\r\n\r\n2\r\n00:00:04,000 --> 00:00:06,000\r\n<i>Thác Mơ</i>\r\n";
        let cues = parse(srt.as_bytes(), Some(10_000)).unwrap();
        assert_eq!(cues.len(), 2);
        assert_eq!(cues[0].text, "Bình Phước");
        let vtt = to_webvtt(&cues);
        assert!(vtt.starts_with("WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.500\nBình Phước\n"));
        assert_eq!(
            parse(vtt.as_bytes(), Some(10_000)).unwrap(),
            cues,
            "round trip"
        );
    }

    #[test]
    fn webvtt_notes_styles_ids_and_settings() {
        let vtt = "\u{feff}WEBVTT - phim\n\nNOTE dịch: Sở VHTTDL\n\nSTYLE\n::cue { color: yellow }\n\nmo-dau\n01:02.000 --> 01:04.250 line:90%\nXin chào\nBình Phước\n";
        let cues = parse(vtt.as_bytes(), None).unwrap();
        assert_eq!(cues.len(), 1);
        assert_eq!((cues[0].start_ms, cues[0].end_ms), (62_000, 64_250));
        assert_eq!(cues[0].settings, "line:90%");
        assert_eq!(cues[0].text, "Xin chào\nBình Phước");
    }

    #[test]
    fn refusals_name_the_line_and_reason() {
        let cases: [(&str, Option<u64>, usize, &str); 6] = [
            (
                "WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nx\n",
                None,
                3,
                "ends (00:00:04.000) before it starts",
            ),
            (
                "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\na\n\n00:00:00.500 --> 00:00:03.000\nb\n",
                None,
                6,
                "before the cue above it",
            ),
            (
                "1\n00:00:01,000 --> 00:03:02,000\nx\n",
                Some(180_000),
                2,
                "after the film ends (00:03:00.000)",
            ),
            (
                "1\n00:00:01 --> 00:00:02,000\nx\n",
                None,
                2,
                "is not a time",
            ),
            (
                "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n",
                None,
                3,
                "no text",
            ),
            ("WEBVTT\n", None, 0, "no cues"),
        ];
        for (file, film, line, why) in cases {
            let e = parse(file.as_bytes(), film).unwrap_err();
            assert_eq!(e.line, line, "{file:?}: {e}");
            assert!(e.to_string().contains(why), "{file:?}: {e}");
        }
        let e = parse(b"1\n00:00:01,000 --> 00:00:02,000\n\xff\xfe\n", None).unwrap_err();
        assert_eq!((e.line, e.problem.clone()), (3, Problem::NotUtf8));
        assert_eq!(e.to_string(), "line 3: not UTF-8 text");
        assert_eq!(e.words(Lang::Vi), "dòng 3: không phải văn bản UTF-8");
    }
}
