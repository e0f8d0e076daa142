//! S3-compatible object storage through the `object_store` crate: the same object names as the
//! folder (`prefix/objects/ab/cdef…`), an object that exists whole or not at all, the hash
//! computed while the bytes go out.
//!
//! Writes: up to one part (6 MiB) is hashed in memory and sent with one PUT to its final name (a
//! PUT is atomic in S3). Anything larger streams as a multipart upload to `prefix/tmp/…`, which
//! no reader ever looks at; once complete and hashed it is copied server-side to its name and
//! the temporary object removed. A crash mid-upload leaves only an incomplete multipart upload
//! (the bucket's lifecycle rule removes those) or a stray `tmp/` object, never a partial object.
//!
//! `object_store` is async; this store's callers are plain threads (rayon workers, actix's
//! blocking pool), so it owns a small runtime and waits on its answers.

use std::future::Future;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use tokio::runtime::{Handle, Runtime};

use super::hash::{self, read_full};
use super::{Blob, BlobStore, Durability, Hash, Inserted, LocalCopy, Put, StoreError, Verified};

/// Bytes per multipart part and per ranged read. S3 wants parts of at least 5 MiB and at most
/// 10,000 of them (58 GiB at this size); an upload holds three at once (`PARTS_IN_FLIGHT`).
const PART: usize = 6 << 20;

/// Longest one request to the object store may take (a part, a completion, a copy).
const REQUEST_TIMEOUT: &str = "600s";

/// Objects in an S3-compatible bucket under a prefix.
pub struct S3Store {
    bucket: String,
    prefix: String,
    client: Arc<dyn ObjectStore>,
    handle: Handle,
    /// Shut down in the background when the store goes: a runtime dropped the ordinary way
    /// panics inside another one (actix's), where the service drops its state.
    runtime: Option<Runtime>,
    scratch: PathBuf,
    counter: AtomicU64,
}

impl std::fmt::Debug for S3Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "S3Store({})", self.location())
    }
}

impl Drop for S3Store {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl S3Store {
    /// Opens `bucket/prefix` with credentials, region and endpoint from the `AWS_*` variables
    /// (`AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP` for a local server), checking that the bucket
    /// answers. `scratch_root` holds local temporary files (ffmpeg's input and output).
    pub fn open(bucket_and_prefix: &str, scratch_root: &Path) -> Result<Self, StoreError> {
        let (bucket, prefix) = bucket_and_prefix
            .split_once('/')
            .unwrap_or((bucket_and_prefix, ""));
        if bucket.is_empty() {
            return Err(StoreError::Url(
                "an S3 store URL names a bucket: s3://bucket/prefix".into(),
            ));
        }
        // Completing a multipart upload of gigabytes, and the server-side copy to the object's
        // name, can take minutes on the server's side: the default 30 s would abandon them.
        // (Set key by key: replacing the client options would drop those the AWS_* variables
        // gave, such as AWS_ALLOW_HTTP.)
        use object_store::{aws::AmazonS3ConfigKey as Config, ClientConfigKey as Client};
        let client = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_config(Config::Client(Client::Timeout), REQUEST_TIMEOUT)
            .with_config(Config::Client(Client::ConnectTimeout), "10s")
            .build()
            .map_err(|e| StoreError::Url(format!("cannot use s3://{bucket_and_prefix}: {e}")))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("brandvault-s3")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Remote(format!("cannot start the S3 client: {e}")))?;
        let scratch = scratch_root.join("scratch");
        std::fs::create_dir_all(&scratch).map_err(StoreError::io(&scratch))?;
        super::local::sweep_scratch(&scratch);
        let store = Self {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
            client: Arc::new(client),
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
            scratch,
            counter: AtomicU64::new(0),
        };
        let (client, probe) = (store.client.clone(), store.key_under("objects"));
        let missing = format!("the bucket {bucket} does not exist there: create it first");
        store.run(async move {
            let mut listing = client.list(Some(&probe));
            match listing.next().await {
                // The S3 error code every compatible server gives; the client keeps it only
                // in the message.
                Some(Err(e)) if e.to_string().contains("<Code>NoSuchBucket</Code>") => {
                    Err(StoreError::Remote(missing))
                }
                Some(Err(e)) => Err(remote(e)),
                _ => Ok(()),
            }
        })??;
        Ok(store)
    }

    fn key_under(&self, rest: &str) -> Key {
        if self.prefix.is_empty() {
            Key::from(rest)
        } else {
            Key::from(format!("{}/{rest}", self.prefix))
        }
    }

    fn key(&self, hash: &Hash) -> Key {
        let hex = hash.to_hex();
        self.key_under(&format!("objects/{}/{}", &hex[..2], &hex[2..]))
    }

    /// Every key under `prefix/rest`.
    fn keys_under(&self, rest: &str) -> Result<Vec<Key>, StoreError> {
        let (client, prefix) = (self.client.clone(), self.key_under(rest));
        self.run(async move {
            let mut listing = client.list(Some(&prefix));
            let mut keys = Vec::new();
            while let Some(meta) = listing.next().await {
                keys.push(meta.map_err(remote)?.location);
            }
            Ok::<_, StoreError>(keys)
        })?
    }

    fn run<F>(&self, f: F) -> Result<F::Output, StoreError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        run_on(&self.handle, f)
    }

    /// The object's metadata, or `None` when there is no such object.
    fn head(&self, hash: &Hash) -> Result<Option<object_store::ObjectMeta>, StoreError> {
        self.head_key(self.key(hash))
    }

    fn head_key(&self, key: Key) -> Result<Option<object_store::ObjectMeta>, StoreError> {
        let client = self.client.clone();
        match self.run(async move { client.head(&key).await })? {
            Ok(meta) => Ok(Some(meta)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(remote(e)),
        }
    }

    fn not_found(hash: &Hash) -> StoreError {
        StoreError::NotFound(hash.to_hex().to_string())
    }

    /// Stores a stream: one PUT when it fits in a part, else a multipart upload to a temporary
    /// name, copied to its object name once its hash is known.
    fn put_stream(&self, reader: &mut dyn Read, source: &Path) -> Result<Put, StoreError> {
        let mut hasher = blake3::Hasher::new();
        let read = |reader: &mut dyn Read| {
            read_part(reader).map_err(|source_err| StoreError::Read {
                path: source.to_owned(),
                source: source_err,
            })
        };
        let first = read(reader)?;
        let n = first.len();
        hash::update(&mut hasher, &first);
        if n < PART {
            let hash = hasher.finalize();
            if self.head(&hash)?.is_some() {
                return Ok(existing(hash, n as u64));
            }
            let (client, key) = (self.client.clone(), self.key(&hash));
            self.run(async move { client.put(&key, PutPayload::from(first)).await })?
                .map_err(remote)?;
            return Ok(Put {
                hash,
                bytes: n as u64,
                inserted: Inserted::New,
            });
        }
        let tmp = self.key_under(&format!(
            "tmp/{}-{}-{}",
            std::process::id(),
            self.counter.fetch_add(1, Ordering::Relaxed),
            random_suffix()
        ));
        let mut upload = Upload::start(self, tmp.clone(), Default::default())?;
        let mut bytes = n as u64;
        let mut part = first;
        loop {
            upload.send(part)?;
            part = read(reader)?;
            if part.is_empty() {
                break;
            }
            hash::update(&mut hasher, &part);
            bytes += part.len() as u64;
        }
        upload.complete(self)?;
        let hash = hasher.finalize();
        let (client, key) = (self.client.clone(), self.key(&hash));
        let exists = self.head(&hash)?.is_some();
        self.run(async move {
            let copied = if exists {
                Ok(())
            } else {
                client.copy(&tmp, &key).await
            };
            let _ = client.delete(&tmp).await;
            copied
        })?
        .map_err(remote)?;
        Ok(if exists {
            existing(hash, bytes)
        } else {
            Put {
                hash,
                bytes,
                inserted: Inserted::New,
            }
        })
    }
}

/// The next part of `reader`: up to `PART` bytes, empty at its end. Its buffer is mapped from
/// the system for it alone and unmapped once the part is sent: taken from the allocator, 8 MiB
/// blocks stayed behind in the arenas of the threads that had handled them (a 4 GiB upload's
/// server grew by 33 MiB where its parts need ~24).
fn read_part(reader: &mut dyn Read) -> std::io::Result<Bytes> {
    let mut buffer = memmap2::MmapMut::map_anon(PART)?;
    let n = read_full(reader, &mut buffer)?;
    Ok(Bytes::from_owner(buffer).slice(..n))
}

fn existing(hash: Hash, bytes: u64) -> Put {
    Put {
        hash,
        bytes,
        inserted: Inserted::Existing,
    }
}

/// Runs `f` on the store's runtime and waits for it from a plain thread. Waiting on a channel
/// rather than `block_on` works from any thread, including one inside another runtime.
fn run_on<F>(handle: &Handle, f: F) -> Result<F::Output, StoreError>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    handle.spawn(async move {
        let _ = tx.send(f.await);
    });
    rx.recv()
        .map_err(|_| StoreError::Remote("the S3 client stopped".into()))
}

fn remote(e: object_store::Error) -> StoreError {
    StoreError::Remote(e.to_string())
}

/// 64 random bits in hex, so two processes never share a temporary name.
fn random_suffix() -> String {
    let mut b = [0u8; 8];
    let _ = getrandom::fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Parts of one upload on the wire at once: while they travel the next is read and hashed.
/// Each costs a part of memory (plus the one being read): two keep a 4 GiB upload's server
/// under its 96 MiB, and send it 1.2 times as fast as one.
const PARTS_IN_FLIGHT: usize = 2;

type PartResult = Result<(), object_store::Error>;

/// A multipart upload in progress; aborted if dropped before `complete`.
struct Upload {
    inner: Option<Box<dyn object_store::MultipartUpload>>,
    handle: Handle,
    /// Where each part sent reports its outcome.
    sent: (
        std::sync::mpsc::Sender<PartResult>,
        std::sync::mpsc::Receiver<PartResult>,
    ),
    in_flight: usize,
}

impl Upload {
    fn start(
        store: &S3Store,
        key: Key,
        options: object_store::PutMultipartOptions,
    ) -> Result<Self, StoreError> {
        let client = store.client.clone();
        let inner = store
            .run(async move { client.put_multipart_opts(&key, options).await })?
            .map_err(remote)?;
        Ok(Self {
            inner: Some(inner),
            handle: store.handle.clone(),
            sent: std::sync::mpsc::channel(),
            in_flight: 0,
        })
    }

    /// Sends the next part (numbered now, in call order) without waiting for it, once fewer
    /// than `PARTS_IN_FLIGHT` are travelling; a part that failed fails the upload.
    fn send(&mut self, part: Bytes) -> Result<(), StoreError> {
        if self.in_flight == PARTS_IN_FLIGHT {
            self.wait_for_one()?;
        }
        let Some(inner) = self.inner.as_mut() else {
            return Err(StoreError::Remote("the upload was closed".into()));
        };
        let sending = inner.put_part(PutPayload::from(part));
        let report = self.sent.0.clone();
        self.handle.spawn(async move {
            let _ = report.send(sending.await);
        });
        self.in_flight += 1;
        Ok(())
    }

    fn wait_for_one(&mut self) -> Result<(), StoreError> {
        let outcome = self
            .sent
            .1
            .recv()
            .map_err(|_| StoreError::Remote("the S3 client stopped".into()))?;
        self.in_flight -= 1;
        outcome.map_err(remote)
    }

    fn complete(mut self, store: &S3Store) -> Result<(), StoreError> {
        while self.in_flight > 0 {
            self.wait_for_one()?;
        }
        let Some(mut inner) = self.inner.take() else {
            return Err(StoreError::Remote("the upload was closed".into()));
        };
        store
            .run(async move { inner.complete().await.map(|_| ()) })?
            .map_err(remote)
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if let Some(mut inner) = self.inner.take() {
            let _ = run_on(&self.handle, async move { inner.abort().await });
        }
    }
}

impl BlobStore for S3Store {
    fn put_file(&self, path: &Path) -> Result<Put, StoreError> {
        let mut file = std::fs::File::open(path).map_err(|source| StoreError::Read {
            path: path.to_owned(),
            source,
        })?;
        self.put_stream(&mut file, path)
    }

    fn put_reader(&self, reader: &mut dyn Read, _: Durability) -> Result<Put, StoreError> {
        self.put_stream(reader, Path::new("<upload>"))
    }

    fn open(&self, hash: &Hash) -> Result<Box<dyn Blob>, StoreError> {
        let meta = self.head(hash)?.ok_or_else(|| Self::not_found(hash))?;
        Ok(Box::new(RangedReader {
            client: self.client.clone(),
            handle: self.handle.clone(),
            key: self.key(hash),
            size: meta.size,
            pos: 0,
            chunk: Bytes::new(),
            chunk_start: 0,
        }))
    }

    fn size(&self, hash: &Hash) -> Result<u64, StoreError> {
        Ok(self.head(hash)?.ok_or_else(|| Self::not_found(hash))?.size)
    }

    fn exists(&self, hash: &Hash) -> bool {
        matches!(self.head(hash), Ok(Some(_)))
    }

    fn remove(&self, hash: &Hash) -> Result<bool, StoreError> {
        if self.head(hash)?.is_none() {
            return Ok(false);
        }
        let (client, key) = (self.client.clone(), self.key(hash));
        self.run(async move { client.delete(&key).await })?
            .map_err(remote)?;
        Ok(true)
    }

    fn verify(&self, hash: &Hash) -> Result<Verified, StoreError> {
        let (client, key) = (self.client.clone(), self.key(hash));
        let actual = self.run(async move {
            let mut stream = match client.get(&key).await {
                Ok(got) => got.into_stream(),
                Err(object_store::Error::NotFound { .. }) => return Ok(None),
                Err(e) => return Err(remote(e)),
            };
            let mut hasher = blake3::Hasher::new();
            while let Some(chunk) = stream.next().await {
                hasher.update(&chunk.map_err(remote)?);
            }
            Ok(Some(hasher.finalize()))
        })??;
        Ok(match actual {
            None => Verified::Missing,
            Some(h) if h == *hash => Verified::Ok,
            Some(_) => Verified::Corrupt,
        })
    }

    fn list(&self) -> Result<Vec<Hash>, StoreError> {
        let keys = self.keys_under("objects")?;
        let mut out: Vec<Hash> = keys
            .iter()
            .filter_map(|key| {
                let parts: Vec<_> = key.parts().collect();
                let [.., dir, file] = parts.as_slice() else {
                    return None;
                };
                Hash::from_hex(format!("{}{}", dir.as_ref(), file.as_ref())).ok()
            })
            .collect();
        out.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        Ok(out)
    }

    fn modified(&self, hash: &Hash) -> Result<SystemTime, StoreError> {
        let meta = self.head(hash)?.ok_or_else(|| Self::not_found(hash))?;
        Ok(SystemTime::from(meta.last_modified))
    }

    fn materialise(&self, hash: &Hash) -> Result<LocalCopy, StoreError> {
        let copy = LocalCopy::temporary(self.scratch_path());
        let mut file = std::fs::File::create(copy.path()).map_err(StoreError::io(copy.path()))?;
        let mut blob = self.open(hash)?;
        std::io::copy(&mut blob, &mut file).map_err(StoreError::io(copy.path()))?;
        file.flush().map_err(StoreError::io(copy.path()))?;
        Ok(copy)
    }

    fn scratch_path(&self) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.scratch.join(super::local::scratch_name(n))
    }

    /// Copied through this process rather than server-side, so that the copy carries its
    /// media type and cache policy for whatever serves it (S3's copy keeps the source's).
    fn publish(&self, hash: &Hash, name: &str, media_type: &str) -> Result<(), StoreError> {
        if !super::is_public_name(name) {
            return Err(StoreError::NotFound(name.to_owned()));
        }
        let key = self.key_under(&format!("public/{name}"));
        if self.head_key(key.clone())?.is_some() {
            return Ok(());
        }
        let attributes = object_store::Attributes::from_iter([
            (object_store::Attribute::ContentType, media_type.to_owned()),
            (
                object_store::Attribute::CacheControl,
                "public, max-age=31536000, immutable".to_owned(),
            ),
        ]);
        let mut blob = self.open(hash)?;
        let source = Path::new(name);
        let mut next_part = || read_part(&mut blob).map_err(StoreError::io(source));
        let first = next_part()?;
        if first.len() < PART {
            let (client, options) = (self.client.clone(), attributes.into());
            return self
                .run(async move { client.put_opts(&key, first.into(), options).await })?
                .map(|_| ())
                .map_err(remote);
        }
        let options = object_store::PutMultipartOptions {
            attributes,
            ..Default::default()
        };
        let mut upload = Upload::start(self, key, options)?;
        let mut part = first;
        while !part.is_empty() {
            upload.send(part)?;
            part = next_part()?;
        }
        upload.complete(self)
    }

    fn unpublish(&self, name: &str) -> Result<bool, StoreError> {
        if !super::is_public_name(name) {
            return Ok(false);
        }
        let key = self.key_under(&format!("public/{name}"));
        if self.head_key(key.clone())?.is_none() {
            return Ok(false);
        }
        let client = self.client.clone();
        self.run(async move { client.delete(&key).await })?
            .map_err(remote)?;
        Ok(true)
    }

    fn published(&self) -> Result<Vec<String>, StoreError> {
        Ok(self
            .keys_under("public")?
            .iter()
            .filter_map(|key| key.filename().map(str::to_owned))
            .filter(|n| super::is_public_name(n))
            .collect())
    }

    fn location(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.prefix)
        }
    }

    fn sync_derived(&self) -> Result<(), StoreError> {
        Ok(()) // an acknowledged PUT is durable
    }
}

/// An object read through ranged GETs of one part at a time: seekable, bounded memory.
struct RangedReader {
    client: Arc<dyn ObjectStore>,
    handle: Handle,
    key: Key,
    size: u64,
    pos: u64,
    chunk: Bytes,
    chunk_start: u64,
}

impl RangedReader {
    fn fetch(&mut self) -> std::io::Result<()> {
        let end = (self.pos + PART as u64).min(self.size);
        let (client, key, start) = (self.client.clone(), self.key.clone(), self.pos);
        let got = run_on(&self.handle, async move {
            client.get_range(&key, start..end).await
        })
        .map_err(std::io::Error::other)?
        .map_err(std::io::Error::other)?;
        self.chunk = got;
        self.chunk_start = start;
        Ok(())
    }
}

impl Read for RangedReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let in_chunk =
            self.pos >= self.chunk_start && self.pos < self.chunk_start + self.chunk.len() as u64;
        if !in_chunk {
            self.fetch()?;
        }
        let offset = (self.pos - self.chunk_start) as usize;
        let available = &self.chunk[offset..];
        let n = available.len().min(buf.len());
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the object is shorter than its size",
            ));
        }
        buf[..n].copy_from_slice(&available[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for RangedReader {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.size.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.pos)
    }
}
