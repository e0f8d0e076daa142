//! Response bodies made on blocking threads: bytes read from the store or written by a ZIP
//! writer go to the response through a small bounded channel, so memory stays constant whatever
//! the size, and a client that goes away stops the thread at its next chunk.

use actix_web::web::Bytes;
use futures_util::Stream;
use std::io::{Read, Seek, SeekFrom};

use crate::store::Blob;

/// Chunks in flight between the thread and the response.
const DEPTH: usize = 4;
/// Bytes per chunk read from an object.
const CHUNK: usize = 256 << 10;

type Sender = tokio::sync::mpsc::Sender<std::io::Result<Bytes>>;

/// A body fed by `make`, run on a thread of its own with a writer into the response.
pub fn from_writer<F>(make: F) -> impl Stream<Item = std::io::Result<Bytes>>
where
    F: FnOnce(ChannelWriter) + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(DEPTH);
    std::thread::spawn(move || make(ChannelWriter { tx }));
    receive(rx)
}

/// `len` bytes of `blob` from `start`, read on the blocking pool in chunks.
pub fn from_blob(
    mut blob: Box<dyn Blob>,
    start: u64,
    len: u64,
) -> impl Stream<Item = std::io::Result<Bytes>> {
    let (tx, rx) = tokio::sync::mpsc::channel(DEPTH);
    actix_web::rt::task::spawn_blocking(move || {
        let sent = blob.seek(SeekFrom::Start(start)).and_then(|_| {
            let mut left = len;
            while left > 0 {
                let mut chunk = vec![0u8; CHUNK.min(left as usize)];
                blob.read_exact(&mut chunk)?;
                left -= chunk.len() as u64;
                if tx.blocking_send(Ok(Bytes::from(chunk))).is_err() {
                    break; // the client went away
                }
            }
            Ok(())
        });
        if let Err(e) = sent {
            tracing::warn!("stopped streaming an object: {e}");
            let _ = tx.blocking_send(Err(e));
        }
    });
    receive(rx)
}

fn receive(
    rx: tokio::sync::mpsc::Receiver<std::io::Result<Bytes>>,
) -> impl Stream<Item = std::io::Result<Bytes>> {
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    })
}

/// Bytes written on a thread, handed to the response as they come; a client that went away
/// closes the channel and the writer fails with `BrokenPipe` at its next write.
#[derive(Clone)]
pub struct ChannelWriter {
    tx: Sender,
}

impl ChannelWriter {
    /// Ends the body with an error (the client sees a cut-off response, never a short file
    /// that looks whole).
    pub fn fail(&self, e: std::io::Error) {
        let _ = self.tx.blocking_send(Err(e));
    }
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tx
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
