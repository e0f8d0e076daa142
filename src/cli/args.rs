//! The command line: subcommands, their arguments and defaults (docs/contract.md (Commands and routes)).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use brandvault::config::Settings;
use brandvault::model::{Kind, Status};

/// brandvault — the image library of a public brand: photos, videos, logos and slogans, stored
/// once by content, catalogued with EXIF, GPS and check-in spots, approved against the brand's
/// guidelines.
#[derive(Parser, Debug)]
// A flag given twice takes the last value (a wrapper's defaults, then the caller's).
#[command(name = "brandvault", version, about, long_about = None, args_override_self = true)]
pub struct Cli {
    /// Folder for the store, the catalogue and the journal.
    #[arg(long, global = true, env = "BRANDVAULT_DATA", default_value = "./data")]
    pub data: PathBuf,
    /// Where the stored objects are: `file:///path` (default: the data folder) or
    /// `s3://bucket/prefix` (S3-compatible storage; credentials, region and endpoint from the
    /// standard `AWS_*` variables, e.g. `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP=true`).
    #[arg(long, global = true, env = "BRANDVAULT_STORE")]
    pub store: Option<String>,
    /// Where the catalogue and its journal are: `file:///path` (default: the data folder).
    #[arg(long, global = true, env = "BRANDVAULT_CATALOG")]
    pub catalog: Option<String>,
    /// The brand folder (spots, guidelines, logos, presets).
    #[arg(
        long,
        global = true,
        env = "BRANDVAULT_BRAND",
        default_value = "./brand"
    )]
    pub brand: PathBuf,
    /// Print exactly one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// The address the public reaches the service at (`https://anh.binhphuoc.gov.vn`): embed
    /// snippets, oEmbed and the stable URL written into delivered files use it. Without it,
    /// pages use the request's own host and files carry no URL.
    #[arg(long, global = true, env = "BRANDVAULT_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Where a CDN or a public bucket serves the store's `public/` folder or prefix
    /// (`https://cdn.example.vn/anh`): `/r/` then redirects there for renditions the public
    /// may see, copied there at the first request and removed when the public may no longer
    /// see them.
    #[arg(long, global = true, env = "BRANDVAULT_PUBLIC_BLOB_URL")]
    pub public_blob_url: Option<String>,
    /// The time to act at (RFC 3339), instead of the clock: for replays and tests.
    #[arg(long, global = true, env = "BRANDVAULT_NOW", hide = true)]
    pub now: Option<String>,
    /// Largest image accepted, in decoded pixels.
    #[arg(
        long,
        global = true,
        env = "BRANDVAULT_MAX_PIXELS",
        default_value_t = 200_000_000
    )]
    pub max_pixels: u64,
    /// Memory budget of one image decode, in bytes (pixels at the file's depth, their 8-bit
    /// copy, a progressive JPEG's coefficients): larger images are refused as `too-large`.
    #[arg(
        long,
        global = true,
        env = "BRANDVAULT_MAX_DECODE_BYTES",
        default_value_t = 512 << 20
    )]
    pub max_decode_bytes: u64,
    /// Where a video's poster frame is taken, as a fraction of its duration (a nearly black
    /// frame there is passed over for a later one).
    #[arg(
        long,
        global = true,
        env = "BRANDVAULT_POSTER_AT",
        default_value_t = 0.1
    )]
    pub poster_at: f64,
    /// Longest one ffmpeg run (poster frame, web preview) may take, in seconds.
    #[arg(
        long,
        global = true,
        env = "BRANDVAULT_FFMPEG_TIMEOUT",
        default_value_t = 900
    )]
    pub ffmpeg_timeout: u64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write the starter brand compiled into this binary (Bình Phước's guidelines, spots,
    /// presets, placeholder logos and slogan) into the brand folder (`--brand`, default
    /// ./brand). Never overwrites an existing file.
    Init,
    /// Add files or folders (recursively) to the library. Exit code 2 if any file was rejected.
    Ingest(IngestArgs),
    /// Show one asset. ID is the full id or a unique prefix of at least 6 hex characters.
    Show { id: String },
    /// List assets, filtered.
    Ls(LsArgs),
    /// Make renditions (thumbnails, previews, web, press, social crops, logo PNGs) for the given
    /// assets, or all; already-made ones are reported as cached.
    Render {
        ids: Vec<String>,
        /// Only these presets (repeatable); default: every preset of brand/presets.toml.
        #[arg(long = "preset")]
        presets: Vec<String>,
    },
    /// Write an asset's original or one of its renditions to a file, as delivered: with the
    /// asset's edited caption, credit, copyright, licence and stable URL written into it.
    Export {
        id: String,
        /// A preset name from brand/presets.toml, or `original` for the original as the press
        /// receives it (edited metadata, GPS as brand/presets.toml's `[original]` allows).
        #[arg(long, default_value = "original")]
        preset: String,
        /// With `--preset original`: the stored bytes exactly, camera metadata included.
        #[arg(long)]
        exact: bool,
        /// Where to write.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Rehash every stored object and check the catalogue against the store and the journal.
    /// Exit code 1 on any problem.
    Verify,
    /// Remove stored objects that nothing references.
    Gc {
        /// Keep unreferenced objects younger than this many seconds (an upload in progress).
        #[arg(long, default_value_t = 3600)]
        grace_secs: u64,
        /// Also remove the files of pictures' earlier versions (kept by default, so any can
        /// be made current again; the versions stay listed).
        #[arg(long)]
        drop_earlier_versions: bool,
    },
    /// Recreate the catalogue index from the journal (after it was deleted or damaged).
    Rebuild,
    /// Write a restorable copy of the library into DIR, also while `serve` runs: the journal
    /// up to now and every object it references. Run again on the same DIR to bring it up to
    /// date (only new objects are copied).
    Backup { dir: PathBuf },
    /// Restore a backup made by `backup` into the library named by --data/--store/--catalog
    /// (empty, or an earlier state of the same library), then verify it.
    Restore { dir: PathBuf },
    /// Copy the library to another store and/or catalogue (resumable, each object checked by
    /// its hash, the source untouched); then use the new place with --store/--catalog.
    Migrate {
        /// The store to copy the objects to (`file:///path`, `s3://bucket/prefix`).
        #[arg(long, required_unless_present = "to_catalog")]
        to_store: Option<String>,
        /// The catalogue to copy the journal to (`file:///path`).
        #[arg(long)]
        to_catalog: Option<String>,
    },
    /// The check-in spots with asset counts; `spots retag` re-matches GPS after editing
    /// brand/spots.toml.
    Spots(SpotsArgs),
    /// Print the BLAKE3 id of files without storing them (what their asset id would be).
    Hash {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the EXIF and GPS of files without storing them.
    Exif {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Edit an asset's caption, credit, licence, tags, access, dates and consent.
    Edit(EditArgs),
    /// Send a draft for review.
    Submit(StepArgs),
    /// Approve an asset under review (refused while guideline violations remain, unless
    /// `--override "justification"`).
    Approve(StepArgs),
    /// Reject an asset under review; `--reason` is required.
    Reject(StepArgs),
    /// Withdraw an approved asset.
    Archive(StepArgs),
    /// Return a rejected asset to draft.
    Reopen(StepArgs),
    /// The audit trail of one asset: every journal entry about it.
    Log { id: String },
    /// The brand folder: `brand check` validates it; `brand recheck` re-runs the guideline
    /// checks on every asset.
    Brand {
        #[command(subcommand)]
        action: BrandAction,
    },
    /// Build the brand kit: logos (SVG, PNG), palette (JSON, CSS, SCSS, GPL, ASE), slogans,
    /// guidelines page, manifest. The same inputs give a byte-identical ZIP.
    Kit {
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Run the HTTP service: imports brand/logos and the drop folder ingest/ at start, watches
    /// it for new files, renders in the background. Stops cleanly on ctrl-c and SIGTERM.
    Serve {
        #[arg(long, env = "BRANDVAULT_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// The drop folder to import and watch.
        #[arg(long, default_value = "./ingest")]
        drop: PathBuf,
    },
    /// API tokens: `token create --role R --name N` prints a token once (stored hashed);
    /// `token list`; `token revoke NAME`.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// People's accounts: `user create NAME --role R` (the password on standard input, one
    /// line), `user passwd NAME`, `user disable NAME`, `user enable NAME`, `user list`.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Set an asset's check-in spot by hand (`none` for no spot); retagging never overrides it.
    SetSpot {
        id: String,
        /// A spot id from brand/spots.toml, or `none`.
        spot: String,
    },
}

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// Files or folders.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Tag every ingested asset (repeatable).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Catalogue as this kind instead of the one derived from the file type.
    #[arg(long)]
    pub kind: Option<Kind>,
    /// Largest file accepted, in bytes.
    #[arg(long, env = "BRANDVAULT_MAX_FILE_BYTES", default_value_t = Settings::DEFAULT_MAX_FILE_BYTES)]
    pub max_bytes: u64,
    /// Do not make the new assets' renditions now (`brandvault render` later).
    #[arg(long)]
    pub no_render: bool,
}

#[derive(Subcommand, Debug)]
pub enum TokenAction {
    /// Issue a token: admin, brand_manager, designer, press or agency.
    Create {
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: String,
    },
    /// The live tokens (names and roles, never the tokens).
    List,
    /// Revoke a token by name.
    Revoke { name: String },
}

#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// Make an account: admin, brand_manager, designer, press or agency. The password is read
    /// from standard input (one line).
    Create {
        name: String,
        #[arg(long)]
        role: String,
        /// The name shown on pages and in credit lines (default: the sign-in name).
        #[arg(long)]
        display_name: Option<String>,
        /// The organisation credit lines add after the display name.
        #[arg(long)]
        organisation: Option<String>,
    },
    /// Set a new password, read from standard input; the account's sessions end.
    Passwd { name: String },
    /// Disable an account: its sessions end at once, it can no longer sign in.
    Disable { name: String },
    /// Enable a disabled account again.
    Enable { name: String },
    /// The accounts (never their passwords).
    List,
}

#[derive(Subcommand, Debug)]
pub enum BrandAction {
    /// Validate brand/: files exist, SVGs parse and keep to the palette, slogans are NFC,
    /// vocabularies are unique. Exit code 1 listing every problem.
    Check,
    /// Re-run the guideline checks on every asset.
    Recheck,
}

#[derive(Args, Debug)]
pub struct StepArgs {
    pub id: String,
    /// Why (required to reject).
    #[arg(long)]
    pub reason: Option<String>,
    /// Approve despite guideline violations, with this written justification (audited).
    #[arg(long = "override")]
    pub justification: Option<String>,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    pub id: String,
    /// Caption in Vietnamese ("" clears it).
    #[arg(long)]
    pub caption_vi: Option<String>,
    /// Caption in English ("" clears it).
    #[arg(long)]
    pub caption_en: Option<String>,
    /// Title in Vietnamese ("" clears it).
    #[arg(long)]
    pub title_vi: Option<String>,
    /// Title in English ("" clears it).
    #[arg(long)]
    pub title_en: Option<String>,
    /// Who to credit ("" clears it).
    #[arg(long)]
    pub credit: Option<String>,
    /// Copyright notice ("" clears it).
    #[arg(long)]
    pub copyright: Option<String>,
    /// Licence ("" clears it).
    #[arg(long)]
    pub license: Option<String>,
    /// Add a tag (repeatable).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Remove a tag (repeatable).
    #[arg(long = "untag")]
    pub untags: Vec<String>,
    /// Who may see it once approved: public, press or internal.
    #[arg(long)]
    pub access: Option<brandvault::model::Access>,
    /// When the rights end: RFC 3339 or YYYY-MM-DD, or `none`.
    #[arg(long)]
    pub expires: Option<String>,
    /// Embargo until: RFC 3339 or YYYY-MM-DD, or `none`.
    #[arg(long)]
    pub available_from: Option<String>,
    /// Whether the people shown consented: yes, no or none.
    #[arg(long)]
    pub consent: Option<String>,
    /// Where crops of another shape centre: "x,y" fractions of width and height, or centre.
    #[arg(long)]
    pub focus: Option<String>,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    #[arg(long)]
    pub kind: Option<Kind>,
    #[arg(long)]
    pub status: Option<Status>,
    /// A spot: its id, or its name or alias ignoring case and diacritics ("ba ra").
    #[arg(long)]
    pub spot: Option<String>,
    /// A tag, theme or audience; repeat for all of several.
    #[arg(long)]
    pub tag: Vec<String>,
    /// Captured on or after this date (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Captured on or before this date (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<String>,
    /// Inside this box: west,south,east,north in degrees.
    #[arg(long, value_parser = brandvault::model::parse_bbox)]
    pub bbox: Option<[f64; 4]>,
    /// Text, matched ignoring case and diacritics ("bu lach" finds "Bù Lạch").
    #[arg(long)]
    pub query: Option<String>,
    #[arg(long)]
    pub limit: Option<usize>,
    /// Only what the public and the press see now: approved, past any embargo, not expired.
    #[arg(long)]
    pub published: bool,
}

#[derive(Args, Debug)]
pub struct SpotsArgs {
    #[command(subcommand)]
    pub action: Option<SpotsAction>,
    /// Print a GeoJSON FeatureCollection instead.
    #[arg(long)]
    pub geojson: bool,
}

#[derive(Subcommand, Debug)]
pub enum SpotsAction {
    /// Re-run GPS → spot matching for every asset (a person's choice is kept).
    Retag,
}
