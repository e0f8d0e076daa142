//! A shared collection as one ZIP: the renditions of one preset, a film's subtitle tracks
//! beside it (`<file>.<lang>.vtt`), `credits.csv` (caption in both languages, credit, licence,
//! spot, date, file, subtitles) and `manifest.json` (the same with ids and hashes), streamed in constant memory: files are stored (JPEG does not compress), each
//! copied through a small buffer, with the ZIP's data descriptors written after each file.

use std::io::{self, Read, Write};

use serde::Serialize;
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

use super::Shared;
use crate::model::{Asset, AssetId, Preset};
use crate::store::{BlobStore, Hash};

/// One file of the package: which asset, under what name, from which object.
#[derive(Debug, Clone)]
pub struct PackedFile {
    pub name: String,
    /// The preset it was made by (films: the film preset).
    pub preset: String,
    pub asset: Asset,
    pub object: Hash,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    /// The stable address of this rendition (`/a/{id}/{preset}`), absolute.
    pub url: String,
    /// A film's subtitle tracks, packed beside it.
    pub subtitles: Vec<PackedTrack>,
}

/// A subtitle track in the package: `<file stem>.<lang>.vtt`.
#[derive(Debug, Clone)]
pub struct PackedTrack {
    pub name: String,
    pub lang: String,
    pub label: String,
    pub object: Hash,
}

/// The tracks of `asset`, named after its file `name` in the package.
fn tracks(asset: &Asset, name: &str) -> Vec<PackedTrack> {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    asset
        .subtitles
        .iter()
        .filter_map(|t| {
            Some(PackedTrack {
                name: format!("{stem}.{}.vtt", t.lang),
                lang: t.lang.clone(),
                label: t.label(),
                object: Hash::from_hex(&t.hash).ok()?,
            })
        })
        .collect()
}

/// What the package holds, decided before the first byte is written.
#[derive(Debug, Clone)]
pub struct Plan {
    pub preset: String,
    pub files: Vec<PackedFile>,
    /// Assets shown by the link that have no rendition in this preset (a video in a photo
    /// preset, a rendition that failed), named in the manifest.
    pub skipped: Vec<(AssetId, String)>,
}

/// The files of `preset` for the assets of `shared`, in the collection's order; films in
/// `film_preset` (their MP4), with their subtitle tracks.
pub fn plan(
    shared: &Shared,
    preset: &Preset,
    film_preset: Option<&Preset>,
    base_url: &str,
) -> Plan {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut taken = std::collections::HashSet::new();
    for (n, asset) in shared.assets.iter().enumerate() {
        let preset = match film_preset {
            Some(film) if asset.kind == crate::model::Kind::Video => film,
            _ => preset,
        };
        let rendition = asset
            .renditions
            .iter()
            .find(|r| r.preset == preset.name)
            .and_then(|r| Some((r, Hash::from_hex(r.object()?).ok()?)));
        let Some((r, object)) = rendition else {
            skipped.push((asset.id, asset.display_name().to_owned()));
            continue;
        };
        let stem = file_stem(asset.display_name());
        let mut name = format!("{:03}-{stem}.{}", n + 1, preset.format.extension());
        if !taken.insert(name.clone()) {
            name = format!("{:03}-{}.{}", n + 1, asset.id, preset.format.extension());
        }
        files.push(PackedFile {
            subtitles: tracks(asset, &name),
            preset: preset.name.clone(),
            name,
            asset: asset.clone(),
            object,
            bytes: r.bytes,
            width: r.width,
            height: r.height,
            url: format!("{base_url}/a/{}/{}", asset.id, preset.name),
        });
    }
    Plan {
        preset: preset.name.clone(),
        files,
        skipped,
    }
}

/// A file name's stem made safe for every unzip tool: NFC letters (Vietnamese kept), digits
/// and `-`, at most 60 characters.
pub fn file_stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let mut out = String::new();
    for c in crate::model::text::nfc(stem).chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(60).collect();
    if out.is_empty() {
        "file".into()
    } else {
        out
    }
}

#[derive(Serialize)]
struct Manifest<'a> {
    collection: &'a str,
    description: Option<&'a str>,
    preset: &'a str,
    generated_at: &'a str,
    items: Vec<ManifestItem<'a>>,
    /// Assets of the link without a file in this preset.
    skipped: Vec<Skipped<'a>>,
}

#[derive(Serialize)]
struct ManifestItem<'a> {
    file: &'a str,
    /// The asset's id: BLAKE3 of its original bytes.
    id: AssetId,
    /// BLAKE3 of this file's bytes.
    blake3: String,
    bytes: u64,
    width: u32,
    height: u32,
    caption: &'a crate::model::Caption,
    credit: Option<&'a str>,
    license: Option<&'a str>,
    /// What the picture may not be used for beyond its licence (press only, an embargo…).
    restrictions: Vec<crate::model::Restriction>,
    spot: Option<Spot<'a>>,
    captured_at: Option<&'a str>,
    url: &'a str,
    /// A film's subtitle tracks in the package.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subtitles: Vec<Track<'a>>,
}

#[derive(Serialize)]
struct Track<'a> {
    file: &'a str,
    lang: &'a str,
    label: &'a str,
}

#[derive(Serialize)]
struct Spot<'a> {
    id: &'a str,
    name_vi: &'a str,
    name_en: &'a str,
}

#[derive(Serialize)]
struct Skipped<'a> {
    id: AssetId,
    name: &'a str,
}

/// `manifest.json`: the package described for machines.
pub fn manifest(shared: &Shared, plan: &Plan, now: &str) -> Vec<u8> {
    let items = plan
        .files
        .iter()
        .map(|f| ManifestItem {
            file: &f.name,
            id: f.asset.id,
            blake3: f.object.to_hex().to_string(),
            bytes: f.bytes,
            width: f.width,
            height: f.height,
            caption: &f.asset.caption,
            credit: f.asset.credit.as_deref(),
            license: f.asset.license.as_deref(),
            restrictions: crate::model::restrictions(&f.asset),
            spot: f.asset.spot.as_ref().map(|s| Spot {
                id: &s.id,
                name_vi: &s.name_vi,
                name_en: &s.name_en,
            }),
            captured_at: f.asset.captured_at.as_deref(),
            url: &f.url,
            subtitles: f
                .subtitles
                .iter()
                .map(|t| Track {
                    file: &t.name,
                    lang: &t.lang,
                    label: &t.label,
                })
                .collect(),
        })
        .collect();
    let manifest = Manifest {
        collection: &shared.collection.name,
        description: shared.collection.description.as_deref(),
        preset: &plan.preset,
        generated_at: now,
        items,
        skipped: plan
            .skipped
            .iter()
            .map(|(id, name)| Skipped { id: *id, name })
            .collect(),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_vec_pretty(&manifest).unwrap_or_default()
}

/// `credits.csv`: what an editor pastes under each picture, one row per file (RFC 4180,
/// UTF-8 with a byte-order mark so that spreadsheet programs read the Vietnamese right).
pub fn credits_csv(plan: &Plan) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let header = [
        "file",
        "caption_vi",
        "caption_en",
        "credit",
        "license",
        "restrictions",
        "spot",
        "captured_at",
        "id",
        "subtitles",
    ];
    push_row(&mut out, header.iter().map(|s| s.to_string()));
    for f in &plan.files {
        let a = &f.asset;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        push_row(
            &mut out,
            [
                f.name.clone(),
                text(&a.caption.vi),
                text(&a.caption.en),
                text(&a.credit),
                text(&a.license),
                crate::model::restriction_text(&crate::model::restrictions(a))
                    .map(|(vi, en)| format!("{vi} / {en}"))
                    .unwrap_or_default(),
                a.spot
                    .as_ref()
                    .map(|s| s.name_vi.clone())
                    .unwrap_or_default(),
                text(&a.captured_at),
                a.id.to_hex(),
                f.subtitles
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ]
            .into_iter(),
        );
    }
    out.into_bytes()
}

fn push_row(out: &mut String, fields: impl Iterator<Item = String>) {
    let cells: Vec<String> = fields.map(|f| csv_field(&f)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// One CSV cell, quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-`
/// or `@` is prefixed with `'` so a spreadsheet never runs a caption as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Writes the package to `out` (a stream: nothing is sought back): the manifest and credits
/// first, then each file as the store holds it. A file missing from the store ends the
/// stream with an error (the client sees a truncated download rather than a wrong one).
pub fn write<W: Write>(
    store: &dyn BlobStore,
    shared: &Shared,
    plan: &Plan,
    now: &str,
    out: W,
) -> io::Result<W> {
    let mut zip = zip::ZipWriter::new_stream(out);
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .unix_permissions(0o644);
    let small = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o644);
    zip.start_file("manifest.json", small)
        .map_err(io::Error::other)?;
    zip.write_all(&manifest(shared, plan, now))?;
    zip.start_file("credits.csv", small)
        .map_err(io::Error::other)?;
    zip.write_all(&credits_csv(plan))?;
    let mut buf = vec![0u8; 256 << 10];
    for f in &plan.files {
        let options = stored.large_file(f.bytes >= u64::from(u32::MAX));
        zip.start_file(f.name.as_str(), options)
            .map_err(io::Error::other)?;
        copy(store, &f.object, &mut zip, &mut buf)?;
        for t in &f.subtitles {
            zip.start_file(t.name.as_str(), small)
                .map_err(io::Error::other)?;
            copy(store, &t.object, &mut zip, &mut buf)?;
        }
    }
    let inner = zip.finish().map_err(io::Error::other)?;
    Ok(inner.into_inner())
}

/// Copies the object `hash` into `out` through `buf`.
fn copy(
    store: &dyn BlobStore,
    hash: &Hash,
    out: &mut impl Write,
    buf: &mut [u8],
) -> io::Result<()> {
    let mut blob = store
        .open(hash)
        .map_err(|e| io::Error::new(io::ErrorKind::NotFound, e.to_string()))?;
    loop {
        let n = blob.read(buf)?;
        if n == 0 {
            return Ok(());
        }
        out.write_all(&buf[..n])?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_keep_vietnamese_and_drop_the_rest() {
        assert_eq!(file_stem("Trảng cỏ Bù Lạch (1).jpg"), "Trảng-cỏ-Bù-Lạch-1");
        assert_eq!(file_stem("../../etc/passwd"), "passwd");
        assert_eq!(file_stem("C:\\ảnh\\Sóc Bom Bo.JPG"), "Sóc-Bom-Bo");
        assert_eq!(file_stem("..."), "file");
    }

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("Ảnh: Lan, Sở VHTTDL"), "\"Ảnh: Lan, Sở VHTTDL\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("Bà Rá"), "Bà Rá");
    }
}
