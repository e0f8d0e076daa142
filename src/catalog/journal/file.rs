//! The journal in a file beside the embedded index: appended and fsynced by the one process
//! that holds the library.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::{CatalogError, Entry, Position};

/// The journal file, open for appending.
#[derive(Debug)]
pub struct FileJournal {
    path: PathBuf,
    file: File,
    end: Position,
}

impl FileJournal {
    /// Opens the journal where an index stands at `from`. The entries after it are read in
    /// batches by `Source::read_after_each`, then `replayed` moves the end past them.
    pub fn open(path: &Path, from: Position) -> Result<Self, CatalogError> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(CatalogError::io(path))?;
        let len = file.metadata().map_err(CatalogError::io(path))?.len();
        if len < from.offset {
            return Err(CatalogError::JournalBehind {
                path: path.to_owned(),
                applied: from.seq,
            });
        }
        Ok(Self {
            path: path.to_owned(),
            file,
            end: from,
        })
    }

    /// The journal's entries were read up to `end`, its last whole line: a torn line after it,
    /// left by a crash during a write (never acknowledged, so never committed), is cut off.
    pub fn replayed(&mut self, end: Position) -> Result<(), CatalogError> {
        let len = self
            .file
            .metadata()
            .map_err(CatalogError::io(&self.path))?
            .len();
        if end.offset < len {
            self.rollback(end)?;
        }
        self.end = end;
        Ok(())
    }

    /// Reads and checks the entries after `from`, `batch` at a time, each with the position
    /// after it; returns where the last whole line ends. Memory holds one batch, however long
    /// the journal.
    pub fn read_after_each(
        path: &Path,
        from: Position,
        batch: usize,
        each: &mut super::EachBatch<'_>,
    ) -> Result<Position, CatalogError> {
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && from == Position::START => {
                return Ok(Position::START)
            }
            Err(e) => return Err(CatalogError::io(path)(e)),
        };
        file.seek(SeekFrom::Start(from.offset))
            .map_err(CatalogError::io(path))?;
        let mut reader = BufReader::new(file);
        let (mut pos, mut entries, mut line) = (from, Vec::with_capacity(batch), Vec::new());
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(CatalogError::io(path))?;
            if n == 0 || line.last() != Some(&b'\n') {
                break; // the end, or a torn final line
            }
            line.pop();
            let (entry, after) = pos.follow(&line, path)?;
            pos = after;
            entries.push((entry, pos));
            if entries.len() == batch {
                each(&entries)?;
                entries.clear();
            }
        }
        if !entries.is_empty() {
            each(&entries)?;
        }
        Ok(pos)
    }

    /// The entries starting at these byte offsets (found by an index), without reading the
    /// rest of the journal; the chain is `read_all`'s and `verify`'s to check.
    pub fn read_at(path: &Path, offsets: &[u64]) -> Result<Vec<Entry>, CatalogError> {
        let io = CatalogError::io(path);
        let mut reader = BufReader::new(File::open(path).map_err(io)?);
        let mut line = Vec::new();
        offsets
            .iter()
            .map(|&offset| {
                line.clear();
                reader
                    .seek(SeekFrom::Start(offset))
                    .and_then(|_| reader.read_until(b'\n', &mut line))
                    .map_err(CatalogError::io(path))?;
                serde_json::from_slice(line.trim_ascii_end()).map_err(CatalogError::encode)
            })
            .collect()
    }

    /// The lines (newline-terminated) from after `from` up to `to`, byte for byte.
    pub fn lines(path: &Path, from: Position, to: Position) -> Result<Vec<u8>, CatalogError> {
        let mut bytes = vec![0; to.offset.saturating_sub(from.offset) as usize];
        let mut file = File::open(path).map_err(CatalogError::io(path))?;
        file.seek(SeekFrom::Start(from.offset))
            .and_then(|_| std::io::Read::read_exact(&mut file, &mut bytes))
            .map_err(CatalogError::io(path))?;
        Ok(bytes)
    }

    pub fn end(&self) -> Position {
        self.end
    }

    /// Writes whole lines and fsyncs. A full disk may have taken part of them: they are cut
    /// off so the journal ends where it did, whole, and the next append does not follow a
    /// torn line.
    pub(super) fn write_durably(
        &mut self,
        lines: &[u8],
        end: Position,
    ) -> Result<(), CatalogError> {
        let written = self
            .file
            .write_all(lines)
            .and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            let _ = self.rollback(self.end);
            return Err(CatalogError::io(&self.path)(e));
        }
        self.end = end;
        Ok(())
    }

    /// Cuts the journal back to `to` (an earlier end), durably: used when the entries just
    /// appended could not be applied, so that a refused commit leaves no trace to be replayed.
    pub fn rollback(&mut self, to: Position) -> Result<(), CatalogError> {
        let io = CatalogError::io(&self.path);
        self.file
            .set_len(to.offset)
            .and_then(|()| self.file.sync_all())
            .map_err(io)?;
        self.end = to;
        Ok(())
    }
}
