//! The append-only journal: the ground truth of the catalogue. One JSON line per change, each
//! carrying the BLAKE3 of the line before it, so that any edit to the history breaks the chain.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::change::Change;
use super::CatalogError;

/// The file holding the journal inside a catalogue folder (and a backup).
pub const JOURNAL_FILE: &str = "journal.jsonl";

/// The hash the first entry links to.
pub const GENESIS: [u8; 32] = [0; 32];

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    /// BLAKE3 (hex) of the previous line's bytes, without its newline.
    pub prev: String,
    pub change: Change,
}

/// Where the journal ends: the last sequence number, the hash of the last line, and the byte
/// offset after it. The catalogue stores this to know what it has applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub seq: u64,
    pub head: [u8; 32],
    pub offset: u64,
}

impl Position {
    pub const START: Self = Self {
        seq: 0,
        head: GENESIS,
        offset: 0,
    };
}

/// The journal file, open for appending.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    end: Position,
}

impl Journal {
    /// Opens the journal and reads every entry after `from` (whose chain it checks), dropping a
    /// torn last line left by a crash during a write (never acknowledged, so never committed).
    pub fn open(
        path: &Path,
        from: Position,
    ) -> Result<(Self, Vec<(Entry, Position)>), CatalogError> {
        let io = CatalogError::io(path);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        let len = file.metadata().map_err(CatalogError::io(path))?.len();
        if len < from.offset {
            return Err(CatalogError::JournalBehind {
                path: path.to_owned(),
                applied: from.seq,
            });
        }
        file.seek(SeekFrom::Start(from.offset))
            .map_err(CatalogError::io(path))?;
        let (entries, end, complete_len) = read_entries(path, &mut file, from)?;
        if complete_len < len {
            file.set_len(complete_len).map_err(CatalogError::io(path))?;
            file.sync_all().map_err(CatalogError::io(path))?;
        }
        Ok((
            Self {
                path: path.to_owned(),
                file,
                end,
            },
            entries,
        ))
    }

    /// Reads and checks the whole chain from the first entry; each entry with the position
    /// after it.
    pub fn read_all(path: &Path) -> Result<(Vec<(Entry, Position)>, Position), CatalogError> {
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Vec::new(), Position::START))
            }
            Err(e) => return Err(CatalogError::io(path)(e)),
        };
        let (entries, end, _) = read_entries(path, &mut file, Position::START)?;
        Ok((entries, end))
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

    pub fn end(&self) -> Position {
        self.end
    }

    /// Appends entries and fsyncs before returning: once this returns, they are committed.
    /// Each entry comes with the position after it (as `open` gives them).
    pub fn append(
        &mut self,
        at: &str,
        actor: &str,
        changes: &[Change],
    ) -> Result<Vec<(Entry, Position)>, CatalogError> {
        let mut buf = Vec::new();
        let mut pos = self.end;
        let mut entries = Vec::with_capacity(changes.len());
        for change in changes {
            let entry = Entry {
                seq: pos.seq + 1,
                at: at.to_owned(),
                actor: actor.to_owned(),
                prev: hex(&pos.head),
                change: change.clone(),
            };
            let line = serde_json::to_vec(&entry).map_err(CatalogError::encode)?;
            pos.head = *blake3::hash(&line).as_bytes();
            pos.seq += 1;
            pos.offset += line.len() as u64 + 1;
            buf.extend_from_slice(&line);
            buf.push(b'\n');
            entries.push((entry, pos));
        }
        self.write_durably(&buf)?;
        self.end = pos;
        Ok(entries)
    }

    /// Writes whole lines and fsyncs. A full disk may have taken part of them: they are cut
    /// off so the journal ends where it did, whole, and the next append does not follow a
    /// torn line.
    pub(super) fn write_durably(&mut self, lines: &[u8]) -> Result<(), CatalogError> {
        let written = self
            .file
            .write_all(lines)
            .and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            let _ = self.rollback(self.end);
            return Err(CatalogError::io(&self.path)(e));
        }
        Ok(())
    }

    /// Moves the end after lines written by `write_durably`.
    pub(super) fn set_end(&mut self, end: Position) {
        self.end = end;
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

/// Reads entries from the file's current position, checking each link; returns them with the
/// position after each, the end position, and the length of the complete lines.
type Read = (Vec<(Entry, Position)>, Position, u64);
fn read_entries(path: &Path, file: &mut File, from: Position) -> Result<Read, CatalogError> {
    let mut reader = BufReader::new(file);
    let mut pos = from;
    let mut entries = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(CatalogError::io(path))?;
        if n == 0 || line.last() != Some(&b'\n') {
            break; // end, or a torn final line
        }
        line.pop();
        let tampered = |reason: String| CatalogError::JournalTampered {
            path: path.to_owned(),
            seq: pos.seq + 1,
            reason,
        };
        let entry: Entry = serde_json::from_slice(&line)
            .map_err(|e| tampered(format!("line is not a journal entry: {e}")))?;
        if entry.seq != pos.seq + 1 {
            return Err(tampered(format!(
                "sequence number {} where {} was expected",
                entry.seq,
                pos.seq + 1
            )));
        }
        if entry.prev != hex(&pos.head) {
            return Err(tampered(
                "its link does not match the previous entry: an earlier entry was altered".into(),
            ));
        }
        pos.head = *blake3::hash(&line).as_bytes();
        pos.seq = entry.seq;
        pos.offset += line.len() as u64 + 1;
        entries.push((entry, pos));
    }
    Ok((entries, pos, pos.offset))
}

pub fn hex(bytes: &[u8; 32]) -> String {
    blake3::Hash::from_bytes(*bytes).to_hex().to_string()
}
