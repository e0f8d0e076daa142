//! Test fixture: a temporary library (data folder, brand folder, input folder) and generated
//! media with real EXIF, driven through the real `brandvault` binary.

#![allow(dead_code)] // each test file uses a different part of the fixture

pub mod axe;
#[macro_use]
pub mod desk;
pub mod net;
pub mod service;
pub mod webdriver;

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use brandvault::media::exif::ExifFields;
use brandvault::media::synth::{jpeg_with_exif, landscape};
use brandvault::model::Gps;
use brandvault::store::{BlobStore, Hash};
use serde_json::Value;

pub use net::*;

/// The PostgreSQL server the suite runs against, if any (`tests/with-pg.sh`).
fn test_catalog_server() -> Option<String> {
    std::env::var("BRANDVAULT_TEST_CATALOG")
        .ok()
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('/').to_owned())
}

/// Runs `f` on a connection to `url` from a thread of its own: the `postgres` client runs a
/// runtime, which may not start inside an async test's.
/// Every file under `dir`, recursively.
pub fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk_files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn on_postgres(url: &str, f: impl FnOnce(&mut postgres::Client) + Send + 'static) {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls)
            .expect("connect to the test PostgreSQL server");
        f(&mut client);
    })
    .join()
    .expect("the PostgreSQL step");
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// A fresh library using a copy of the repository's brand folder.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo_brand = Path::new(env!("CARGO_MANIFEST_DIR")).join("brand");
        copy_dir(&repo_brand, &dir.path().join("brand"));
        std::fs::create_dir_all(dir.path().join("in")).unwrap();
        let fx = Self { dir };
        if let Some(server) = test_catalog_server() {
            let create = format!("CREATE DATABASE {}", fx.database());
            on_postgres(&format!("{server}/postgres"), move |client| {
                client
                    .batch_execute(&create)
                    .expect("create the test database");
            });
        }
        fx
    }

    /// This library's database on the test PostgreSQL server.
    fn database(&self) -> String {
        let name = self.dir.path().file_name().unwrap().to_string_lossy();
        let name: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        format!("bv{name}")
    }

    /// Where this library's catalogue is: embedded in its data folder, or, when the suite runs
    /// against PostgreSQL (`BRANDVAULT_TEST_CATALOG=postgres://user@host:port`, see
    /// `tests/with-pg.sh`), a database of its own there.
    pub fn catalog_url(&self) -> String {
        match test_catalog_server() {
            Some(server) => format!("{server}/{}", self.database()),
            None => format!("file://{}", self.data().display()),
        }
    }

    /// The catalogue's location, as the binary parses `--catalog`.
    pub fn location(&self) -> brandvault::catalog::Location {
        brandvault::catalog::Location::parse(Some(&self.catalog_url()), &self.data()).unwrap()
    }

    /// The journal's lines as they stand, byte for byte, from its file or its table.
    pub fn journal(&self) -> Vec<u8> {
        use brandvault::catalog::Position;
        let source = self.location().source().unwrap();
        let (_, end) = source.read_all().unwrap();
        source.lines(Position::START, end).unwrap()
    }

    /// The journal's lines without the renditions the background renderer records while a
    /// test goes on: what people's requests changed, which a refused one must leave alone.
    #[allow(dead_code)]
    pub fn decisions(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.journal())
            .lines()
            .filter(|l| !l.contains(r#""type":"rendition_"#))
            .map(str::to_owned)
            .collect()
    }

    /// Replaces the journal's lines behind the catalogue's back (damage for `verify`).
    pub fn rewrite_journal(&self, text: &str) {
        let Some(server) = test_catalog_server() else {
            std::fs::write(self.data().join("journal.jsonl"), text).unwrap();
            return;
        };
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        on_postgres(&format!("{server}/{}", self.database()), move |client| {
            let mut tx = client.transaction().unwrap();
            tx.execute("DELETE FROM brandvault_journal", &[]).unwrap();
            let mut start = 0i64;
            for (seq, line) in lines.iter().enumerate() {
                tx.execute(
                    "INSERT INTO brandvault_journal (seq, start_offset, line) VALUES ($1, $2, $3)",
                    &[&(seq as i64 + 1), &start, line],
                )
                .unwrap();
                start += line.len() as i64 + 1;
            }
            tx.commit().unwrap();
        });
    }

    /// The folder of this library's index (sled), for the suite's data folder.
    pub fn index(&self) -> PathBuf {
        self.location().dir().join("catalog.sled")
    }

    /// The PostgreSQL tables of a shared catalogue's index (what a rebuild makes again).
    const INDEX_TABLES: &'static str = "brandvault_assets, brandvault_index, brandvault_meta, \
        brandvault_tokens, brandvault_users, brandvault_collections, brandvault_visibility, \
        brandvault_history";

    /// Deletes the catalogue's index behind its back: the sled folder, or every row of the
    /// shared tables. The next open makes it again from the journal.
    pub fn delete_index(&self) {
        let Some(server) = test_catalog_server() else {
            std::fs::remove_dir_all(self.index()).unwrap();
            return;
        };
        on_postgres(&format!("{server}/{}", self.database()), |client| {
            client
                .batch_execute(&format!("TRUNCATE {}", Self::INDEX_TABLES))
                .unwrap();
        });
    }

    /// Every byte the catalogue keeps beside its journal: sled's files, or the shared tables'
    /// keys and values (sessions included), for checks of what is never stored.
    pub fn stored_bytes(&self) -> Vec<u8> {
        let Some(server) = test_catalog_server() else {
            return walk_files(&self.index())
                .iter()
                .filter_map(|p| std::fs::read(p).ok())
                .flatten()
                .collect();
        };
        let out = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = out.clone();
        on_postgres(&format!("{server}/{}", self.database()), move |client| {
            let tables = format!("{}, brandvault_sessions", Self::INDEX_TABLES);
            for table in tables.split(", ") {
                for row in client
                    .query(&format!("SELECT * FROM {table}"), &[])
                    .unwrap()
                {
                    let mut sink = sink.lock().unwrap();
                    sink.extend(row.get::<_, Vec<u8>>(0));
                    sink.extend(row.get::<_, Vec<u8>>(1));
                }
            }
        });
        let bytes = out.lock().unwrap().clone();
        bytes
    }

    /// Changes one asset's stored record with `f` and forgets the records' shape, as an older
    /// brandvault left them.
    pub fn rewrite_stored_record(&self, id: &[u8], f: impl FnOnce(&mut serde_json::Value)) {
        let Some(server) = test_catalog_server() else {
            let db = sled::open(self.index()).unwrap();
            let assets = db.open_tree("assets").unwrap();
            let mut record = serde_json::from_slice(&assets.get(id).unwrap().unwrap()).unwrap();
            f(&mut record);
            assets
                .insert(id, serde_json::to_vec(&record).unwrap())
                .unwrap();
            db.open_tree("meta")
                .unwrap()
                .remove("record_shape")
                .unwrap();
            db.flush().unwrap();
            return;
        };
        let stored = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (url, id) = (format!("{server}/{}", self.database()), id.to_vec());
        let (sink, key) = (stored.clone(), id.clone());
        on_postgres(&url, move |client| {
            let row = client
                .query_one(
                    "SELECT value FROM brandvault_assets WHERE key = $1",
                    &[&key],
                )
                .unwrap();
            *sink.lock().unwrap() = row.get::<_, Vec<u8>>(0);
        });
        let mut record = serde_json::from_slice(&stored.lock().unwrap()).unwrap();
        f(&mut record);
        let bytes = serde_json::to_vec(&record).unwrap();
        on_postgres(&url, move |client| {
            client
                .execute(
                    "UPDATE brandvault_assets SET value = $2 WHERE key = $1",
                    &[&id, &bytes],
                )
                .unwrap();
            client
                .execute(
                    "DELETE FROM brandvault_meta WHERE key = 'record_shape'::bytea",
                    &[],
                )
                .unwrap();
        });
    }

    /// Whether the suite runs with a shared (PostgreSQL) catalogue.
    pub fn shared_catalog() -> bool {
        test_catalog_server().is_some()
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn brand(&self) -> PathBuf {
        self.dir.path().join("brand")
    }

    /// The input folder files are generated in.
    pub fn input(&self) -> PathBuf {
        self.dir.path().join("in")
    }

    /// Writes bytes under the input folder (creating sub-folders) and returns the path.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let path = self.input().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Runs `brandvault --data … --brand … --json ARGS`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run brandvault")
    }

    /// `run` with `input` on standard input (a password for `user create`).
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run brandvault");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// The command `run` runs, to change its environment first.
    pub fn command(&self, args: &[&str]) -> Command {
        self.command_in(&self.data(), args)
    }

    /// `command` with another data folder: another node of this library (its own index and
    /// scratch space; the same store and catalogue).
    pub fn command_in(&self, data: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_brandvault"));
        cmd.arg("--data")
            .arg(data)
            .arg("--store")
            .arg(self.store_url())
            .arg("--catalog")
            .arg(self.catalog_url())
            .arg("--brand")
            .arg(self.brand())
            .arg("--json")
            .args(args)
            .env_remove("BRANDVAULT_DATA")
            .env_remove("BRANDVAULT_BRAND");
        cmd
    }

    /// Starts the real `brandvault serve` on a free loopback port, with an empty drop folder,
    /// and returns once it listens: the process (killed when dropped) and the port.
    pub fn serve(&self) -> (Guard, u16) {
        self.serve_in(&self.data())
    }

    /// `serve` with another data folder (see `command_in`).
    pub fn serve_in(&self, data: &Path) -> (Guard, u16) {
        let (process, port, log) = self.spawn_serve(data);
        wait_for_line(log, " workers");
        (process, port)
    }

    /// Starts `serve` and returns at once, with its log lines as they come, for a test that
    /// waits for what it did (`expect_line`).
    pub fn serve_logged(&self) -> (Guard, std::sync::mpsc::Receiver<String>) {
        let (process, _, log) = self.spawn_serve(&self.data());
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(log).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        (process, lines)
    }

    fn spawn_serve(&self, data: &Path) -> (Guard, u16, std::process::ChildStderr) {
        let empty_drop = data.join("drop");
        std::fs::create_dir_all(&empty_drop).unwrap();
        let port = free_port();
        let mut child = self
            .command_in(
                data,
                &[
                    "serve",
                    "--bind",
                    &format!("127.0.0.1:{port}"),
                    "--drop",
                    empty_drop.to_str().unwrap(),
                ],
            )
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start brandvault serve");
        let log = child.stderr.take().unwrap();
        (Guard(child), port, log)
    }

    /// A new API token for `role` (the secret, as `token create` prints it once).
    pub fn token(&self, role: &str, name: &str) -> String {
        let made = self.json(&["token", "create", "--role", role, "--name", name], 0);
        made["token"].as_str().unwrap().to_owned()
    }

    /// Runs and parses stdout as JSON, asserting the exit code.
    pub fn json(&self, args: &[&str], expected_code: i32) -> Value {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(expected_code),
            "brandvault {args:?}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "brandvault {args:?}: stdout is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Ingests paths without making renditions; returns the report.
    pub fn ingest(&self, paths: &[&Path], expected_code: i32) -> Value {
        let mut args = vec!["ingest", "--no-render"];
        let strs: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        args.extend(strs.iter().map(String::as_str));
        self.json(&args, expected_code)
    }

    pub fn show(&self, id: &str) -> Value {
        self.json(&["show", id], 0)
    }

    /// Where this library's objects are: its data folder, or, when the suite runs against
    /// object storage (`BRANDVAULT_TEST_STORE=s3://bucket`, see `.ci/run`), a prefix of its
    /// own in that bucket.
    pub fn store_url(&self) -> String {
        match std::env::var("BRANDVAULT_TEST_STORE") {
            Ok(base) if !base.is_empty() => {
                let name = self.dir.path().file_name().unwrap().to_string_lossy();
                format!(
                    "{}/{}",
                    base.trim_end_matches('/'),
                    name.trim_start_matches('.')
                )
            }
            _ => format!("file://{}", self.data().display()),
        }
    }

    /// The library's store, opened in this process.
    pub fn store(&self) -> std::sync::Arc<dyn BlobStore> {
        brandvault::store::open(&self.store_url(), &self.data()).expect("open the store")
    }

    /// Every object in the store, by name.
    pub fn objects(&self) -> Vec<String> {
        let list = self.store().list().expect("list the store");
        list.iter().map(|h| h.to_hex().to_string()).collect()
    }

    /// An object's bytes.
    pub fn object(&self, name: &str) -> Vec<u8> {
        let mut bytes = Vec::new();
        let hash = Hash::from_hex(name).unwrap();
        self.store()
            .open(&hash)
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        bytes
    }

    /// Replaces an object's bytes behind the store's back (damage for `verify` to find).
    pub fn damage_object(&self, name: &str, bytes: &[u8]) {
        match self.store_url().strip_prefix("s3://") {
            Some(bucket_prefix) => s3_put(bucket_prefix, name, bytes),
            None => {
                let path = self
                    .data()
                    .join("objects")
                    .join(&name[..2])
                    .join(&name[2..]);
                std::fs::write(path, bytes).unwrap();
            }
        }
    }
}

/// Writes `bytes` under an object's name in a bucket, as damage from outside would.
fn s3_put(bucket_prefix: &str, name: &str, bytes: &[u8]) {
    use object_store::ObjectStoreExt;
    let (bucket, prefix) = bucket_prefix.split_once('/').unwrap_or((bucket_prefix, ""));
    let client = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .build()
        .unwrap();
    let key =
        object_store::path::Path::from(format!("{prefix}/objects/{}/{}", &name[..2], &name[2..]));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(client.put(&key, bytes.to_vec().into()))
        .unwrap();
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A small generated photo with the given EXIF.
pub fn photo(width: u32, height: u32, seed: u64, fields: &ExifFields) -> Vec<u8> {
    jpeg_with_exif(&landscape(width, height, seed), 88, fields)
}

/// A photo taken at a point, with a date, as a camera would write it.
pub fn photo_at(lat: f64, lon: f64, seed: u64) -> Vec<u8> {
    photo(
        96,
        64,
        seed,
        &ExifFields {
            make: Some("Canon".into()),
            model: Some("EOS R6".into()),
            datetime_original: Some("2024-05-01T08:30:00".into()),
            gps: Some(Gps {
                lat,
                lon,
                alt_m: None,
            }),
            ..Default::default()
        },
    )
}

/// The ids in an ingest report's list.
pub fn ids(report: &Value, key: &str) -> Vec<String> {
    report[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {report}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// Whether an external program is on PATH. Under BRANDVAULT_REQUIRE_TOOLS=1 (CI) a missing tool
/// fails the test; otherwise the test skips with a loud message naming the package.
pub fn tool(program: &str, debian_package: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()));
    if found {
        return true;
    }
    if std::env::var("BRANDVAULT_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!(
            "{program} is required (BRANDVAULT_REQUIRE_TOOLS=1): apt-get install {debian_package}"
        );
    }
    eprintln!(
        "\n*** SKIPPED: {program} not found. Install the Debian package {debian_package} to run this test. ***\n"
    );
    false
}

/// Makes a small video with ffmpeg from its lavfi test sources: `inputs` are ffmpeg arguments
/// before the output options, `output` the rest; the file is written to `out`.
pub fn ffmpeg(inputs: &[&str], output: &[&str], out: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-nostdin"])
        .args(inputs)
        .args(output)
        .arg("-y")
        .arg(out)
        .status()
        .expect("run ffmpeg");
    assert!(status.success(), "ffmpeg failed making {}", out.display());
}

/// The x264 settings the tests' films are made with: fast, 4:2:0 for every player.
pub const H264: [&str; 6] = [
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
];

/// A `seconds`-long H.264 film of `size` in the fixture's input folder: a test pattern with
/// its frame counter burned in, and a tone.
pub fn test_film(fx: &Fixture, name: &str, size: &str, seconds: u32) -> PathBuf {
    std::fs::create_dir_all(fx.input()).unwrap();
    let path = fx.input().join(name);
    let pattern = format!("testsrc=s={size}:r=25:d={seconds}");
    let tone = format!("sine=f=440:d={seconds}");
    ffmpeg(&[lavfi(&pattern), lavfi(&tone)].concat(), &H264, &path);
    path
}

/// Sets a film's subtitle tracks (language, file text) through the library, as the desk and
/// the API do, as the local admin.
pub fn set_subtitles(fx: &Fixture, id: &str, tracks: &[(&str, &str)]) {
    let store = fx.store();
    let catalog = brandvault::catalog::Catalog::open(&fx.location()).unwrap();
    let brand = brandvault::brand::Brand::load(&fx.brand()).unwrap();
    let workflow = brandvault::workflow::Workflow {
        store: &*store,
        catalog: &catalog,
        brand: &brand,
    };
    let film = id.parse().unwrap();
    for (lang, body) in tracks {
        let (admin, at) = (desk::admin(), service::NOW);
        workflow
            .set_subtitle(&film, lang, "phụ đề", body.as_bytes(), &admin, at)
            .unwrap();
    }
}

/// A lavfi input: `-f lavfi -i SOURCE`.
pub fn lavfi(source: &str) -> [&str; 4] {
    ["-f", "lavfi", "-i", source]
}

/// A minimal ICC v2 RGB display profile with these primaries (D50 XYZ, as in sRGB's own
/// profile) and a 2.2 gamma: enough for a colour-managed reader to convert from it.
pub fn icc_profile(red: [f64; 3], green: [f64; 3], blue: [f64; 3]) -> Vec<u8> {
    let s15 = |v: f64| ((v * 65536.0).round() as i32).to_be_bytes();
    let xyz = |c: [f64; 3]| -> Vec<u8> {
        let mut t = b"XYZ \0\0\0\0".to_vec();
        for v in c {
            t.extend_from_slice(&s15(v));
        }
        t
    };
    let curve = b"curv\0\0\0\0\0\0\0\x01\x02\x33\0\0".to_vec();
    let d50 = [0.9642, 1.0, 0.8249];
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"rXYZ", xyz(red)),
        (b"gXYZ", xyz(green)),
        (b"bXYZ", xyz(blue)),
        (b"wtpt", xyz(d50)),
        (b"rTRC", curve.clone()),
        (b"gTRC", curve.clone()),
        (b"bTRC", curve),
    ];
    let mut data = Vec::new();
    let mut table = (tags.len() as u32).to_be_bytes().to_vec();
    let data_start = 128 + 4 + 12 * tags.len();
    for (sig, body) in &tags {
        table.extend_from_slice(*sig);
        table.extend_from_slice(&((data_start + data.len()) as u32).to_be_bytes());
        table.extend_from_slice(&(body.len() as u32).to_be_bytes());
        data.extend_from_slice(body);
        while data.len() % 4 != 0 {
            data.push(0);
        }
    }
    let mut header = vec![0u8; 128];
    let size = (128 + table.len() + data.len()) as u32;
    header[0..4].copy_from_slice(&size.to_be_bytes());
    header[8..12].copy_from_slice(&0x0210_0000u32.to_be_bytes());
    header[12..16].copy_from_slice(b"mntr");
    header[16..20].copy_from_slice(b"RGB ");
    header[20..24].copy_from_slice(b"XYZ ");
    header[36..40].copy_from_slice(b"acsp");
    for (i, v) in d50.iter().enumerate() {
        header[68 + 4 * i..72 + 4 * i].copy_from_slice(&s15(*v));
    }
    [header, table, data].concat()
}

/// Every file of a ZIP, by name (the small archives of the tests), and the share ZIP's two
/// metadata files as text and JSON.
pub fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut out).unwrap();
            (file.name().unwrap().into_owned(), out)
        })
        .collect()
}

/// `credits.csv` (without its byte-order mark) and `manifest.json` of a share ZIP's files.
pub fn share_metadata(files: &std::collections::BTreeMap<String, Vec<u8>>) -> (String, Value) {
    let csv = String::from_utf8(files["credits.csv"].clone()).unwrap();
    let manifest = serde_json::from_slice(&files["manifest.json"]).unwrap();
    (csv.trim_start_matches('\u{feff}').to_owned(), manifest)
}
