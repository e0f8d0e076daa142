//! What shows the catalogue to a person: show, ls, log, spots, and the one printer. Text a
//! file or a user supplied (names, captions, credits) goes through [`printable`], so a file
//! name cannot move the cursor or recolour a terminal.

use anyhow::{Context, Result};
use serde::Serialize;

use super::args::{LsArgs, SpotsAction, SpotsArgs};
use super::{check_date, Opened};
use brandvault::catalog::Filter;
use brandvault::geo;
use brandvault::maintain;
use brandvault::model::{Asset, Status};

/// `show ID`
pub(super) fn show(lib: &Opened, id: &str, json: bool) -> Result<i32> {
    let id = lib.catalog.resolve(id)?;
    let asset = lib.catalog.asset(&id)?.context("asset vanished")?;
    print(json, &asset, || describe(&asset))
}

/// `ls [filters]`
pub(super) fn ls(lib: &Opened, args: LsArgs, json: bool) -> Result<i32> {
    let library = lib.library()?;
    let brand = &library.brand;
    let spot = match args.spot {
        Some(s) => Some(
            brand
                .gazetteer
                .find(&s)
                .map(|spot| spot.id.clone())
                .with_context(|| format!("no spot matches {s:?} in brand/spots.toml"))?,
        ),
        None => None,
    };
    let filter = Filter {
        kind: args.kind,
        status: args.status,
        spot,
        tags: args.tag.iter().map(|t| brand.tag_alternatives(t)).collect(),
        captured_from: args.from.map(|d| check_date(&d)).transpose()?,
        captured_to: args.to.map(|d| check_date(&d)).transpose()?,
        bbox: args.bbox,
        query: args.query,
        after: None,
        limit: args.limit,
        published_at: args.published.then(|| lib.now.clone()),
        viewer: None,
        owner: None,
    };
    let assets = lib.catalog.list(&filter)?;
    print(json, &assets, || {
        assets.iter().map(one_line).collect::<Vec<_>>().join("\n")
    })
}

/// `log ID`: the asset's audit trail.
pub(super) fn log(lib: &Opened, id: &str, json: bool) -> Result<i32> {
    let id = lib.catalog.resolve(id)?;
    let entries = lib.catalog.history(&id)?;
    print(json, &entries, || {
        entries
            .iter()
            .map(|e| {
                let change = serde_json::to_string(&e.change).unwrap_or_default();
                printable(&format!("{}  {:<6} {change}", e.at, e.actor))
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// Text safe to print on a terminal: control characters (escape sequences, carriage
/// returns, bidi overrides) are shown as `\u{..}` escapes; everything else, Vietnamese
/// included, is kept as it is.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Serialize)]
struct SpotRow<'a> {
    #[serde(flatten)]
    spot: &'a brandvault::model::Spot,
    assets: usize,
    approved: usize,
}

pub(super) fn spots(lib: &Opened, args: SpotsArgs, json: bool) -> Result<i32> {
    let library = lib.library()?;
    let brand = &library.brand;
    if let Some(SpotsAction::Retag) = args.action {
        let report = maintain::retag(&lib.catalog, &library.locator, &lib.now, "cli")?;
        return print(json, &report, || {
            format!(
                "checked {} assets: {} changed, {} chosen by a person kept",
                report.checked,
                report.changed.len(),
                report.kept_manual
            )
        });
    }
    let rows: Vec<SpotRow> = brand
        .gazetteer
        .spots
        .iter()
        .map(|spot| -> Result<SpotRow> {
            let all = lib.catalog.list(&Filter {
                spot: Some(spot.id.clone()),
                ..Default::default()
            })?;
            let approved = all.iter().filter(|a| a.status == Status::Approved).count();
            Ok(SpotRow {
                spot,
                assets: all.len(),
                approved,
            })
        })
        .collect::<Result<_>>()?;
    if args.geojson {
        let rows: Vec<_> = rows
            .iter()
            .map(|r| (r.spot, r.assets, r.approved))
            .collect();
        let doc = geo::geojson(&rows);
        super::output::out(&format!("{}\n", serde_json::to_string_pretty(&doc)?))?;
        return Ok(0);
    }
    print(json, &rows, || {
        rows.iter()
            .map(|r| {
                format!(
                    "{:<20} {:>4} assets {:>4} approved  {} / {}",
                    r.spot.id, r.assets, r.approved, r.spot.name_vi, r.spot.name_en
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// Prints `value` as JSON or `text()` as text.
pub(super) fn print<T: Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce() -> String,
) -> Result<i32> {
    if json {
        super::output::out(&format!("{}\n", serde_json::to_string_pretty(value)?))?;
    } else {
        let t = text();
        if !t.is_empty() {
            super::output::out(&format!("{t}\n"))?;
        }
    }
    Ok(0)
}

fn one_line(a: &Asset) -> String {
    let size = match (a.width, a.height) {
        (Some(w), Some(h)) => format!("{w}×{h}"),
        _ => "-".into(),
    };
    let spot = a.spot.as_ref().map(|s| s.id.as_str()).unwrap_or("-");
    printable(&format!(
        "{}  {:<8} {:<9} {:>11}  {:<18} {}",
        &a.id.to_hex()[..12],
        a.kind,
        a.status,
        size,
        spot,
        a.display_name()
    ))
}

pub(super) fn describe(a: &Asset) -> String {
    let mut lines = vec![
        format!("id:        {}", a.id),
        format!("names:     {}", a.names.join(" | ")),
        format!(
            "kind:      {} ({}, {} bytes)",
            a.kind, a.media_type, a.bytes
        ),
        format!("status:    {} (access: {})", a.status, a.access),
    ];
    if let (Some(w), Some(h)) = (a.width, a.height) {
        lines.push(format!("size:      {w}×{h}"));
    }
    if let Some(c) = &a.captured_at {
        lines.push(format!("captured:  {c}"));
    }
    if let Some(e) = &a.exif {
        if let Some(camera) = e.camera() {
            lines.push(format!("camera:    {camera}"));
        }
    }
    if let Some(g) = &a.gps {
        lines.push(format!("gps:       {:.6}, {:.6}", g.lat, g.lon));
    }
    if let Some(s) = &a.spot {
        let d = s
            .distance_m
            .map(|d| format!(", {d:.0} m"))
            .unwrap_or_default();
        lines.push(format!(
            "spot:      {} / {} ({}{d})",
            s.name_vi, s.name_en, s.id
        ));
    }
    if let Some(c) = &a.credit {
        lines.push(format!("credit:    {c}"));
    }
    if !a.tags.is_empty() {
        lines.push(format!("tags:      {}", a.tags.join(", ")));
    }
    for v in &a.violations {
        lines.push(format!("violation: [{}] {}", v.rule, v.message));
    }
    for w in &a.warnings {
        lines.push(format!("warning:   {w}"));
    }
    lines
        .iter()
        .map(|l| printable(l))
        .collect::<Vec<_>>()
        .join("\n")
}
