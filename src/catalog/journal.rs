//! The append-only journal: the ground truth of the catalogue. One JSON line per change, each
//! carrying the BLAKE3 of the line before it, so that any edit to the history breaks the chain.
//!
//! It lives in a file beside the embedded index (`file.rs`) or in a PostgreSQL table shared by
//! several processes (`postgres.rs`); both hold the same lines, byte for byte, at the same
//! offsets, so an index, a backup or a migration does not care which one it reads.

mod file;
mod postgres;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::change::Change;
use super::CatalogError;

pub use file::FileJournal;
pub use postgres::{redact, Connection, SharedJournal, SharedSource};

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
/// offset after it (in the file; the shared journal counts the same offsets). The catalogue
/// stores this to know what it has applied.
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

    /// The position after `line` (without its newline), checking that it is the entry that
    /// follows this one.
    pub(super) fn follow(
        &self,
        line: &[u8],
        name: &Path,
    ) -> Result<(Entry, Position), CatalogError> {
        let tampered = |reason: String| CatalogError::JournalTampered {
            path: name.to_owned(),
            seq: self.seq + 1,
            reason,
        };
        let entry: Entry = serde_json::from_slice(line)
            .map_err(|e| tampered(format!("line is not a journal entry: {e}")))?;
        if entry.seq != self.seq + 1 {
            return Err(tampered(format!(
                "sequence number {} where {} was expected",
                entry.seq,
                self.seq + 1
            )));
        }
        if entry.prev != hex(&self.head) {
            return Err(tampered(
                "its link does not match the previous entry: an earlier entry was altered".into(),
            ));
        }
        let after = Position {
            seq: entry.seq,
            head: *blake3::hash(line).as_bytes(),
            offset: self.offset + line.len() as u64 + 1,
        };
        Ok((entry, after))
    }
}

/// Entries, each with the position after it.
pub type Entries = Vec<(Entry, Position)>;

/// What a batched read hands each batch of entries to.
pub type EachBatch<'a> = dyn FnMut(&[(Entry, Position)]) -> Result<(), CatalogError> + 'a;

/// New entries for `changes` after `end`: each with the position after it, and their lines
/// (newline-terminated) as they are written.
fn encode(
    end: Position,
    at: &str,
    actor: &str,
    changes: &[Change],
) -> Result<(Entries, Vec<u8>), CatalogError> {
    let mut buf = Vec::new();
    let mut pos = end;
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
    Ok((entries, buf))
}

/// The journal open for appending, by the one writer of this process.
///
/// A commit is `begin` (on the shared journal: a transaction holding the library's write lock,
/// and the entries other processes wrote since), `append`, then `finish`, or `rollback` when the
/// index refused the entries: either way all or nothing.
#[derive(Debug)]
pub enum Journal {
    File(FileJournal),
    Shared(SharedJournal),
}

impl Journal {
    pub fn end(&self) -> Position {
        match self {
            Self::File(j) => j.end(),
            Self::Shared(j) => j.end(),
        }
    }

    /// Starts a commit. Returns the entries written elsewhere since `end` (none for a file,
    /// which only this process writes), to be applied before anything is decided.
    pub fn begin(&mut self) -> Result<Vec<(Entry, Position)>, CatalogError> {
        match self {
            Self::File(_) => Ok(Vec::new()),
            Self::Shared(j) => j.begin(),
        }
    }

    /// Entries written elsewhere since `end`, outside any commit (none for a file).
    pub fn unseen(&mut self) -> Result<Vec<(Entry, Position)>, CatalogError> {
        match self {
            Self::File(_) => Ok(Vec::new()),
            Self::Shared(j) => j.unseen(),
        }
    }

    /// Moves the end past the entries replayed at open (`Source::read_after_each`), cutting
    /// off a torn line after them in a file.
    pub fn replayed(&mut self, end: Position) -> Result<(), CatalogError> {
        match self {
            Self::File(j) => j.replayed(end),
            Self::Shared(j) => {
                j.set_end(end);
                Ok(())
            }
        }
    }

    /// Moves the end past entries read by `begin` or `unseen`, once the index holds them.
    pub fn seen(&mut self, end: Position) {
        match self {
            Self::File(_) => {}
            Self::Shared(j) => j.set_end(end),
        }
    }

    /// Appends entries for `changes`, each with the position after it.
    pub fn append(
        &mut self,
        at: &str,
        actor: &str,
        changes: &[Change],
    ) -> Result<Vec<(Entry, Position)>, CatalogError> {
        let (entries, lines) = encode(self.end(), at, actor, changes)?;
        let end = entries.last().map_or(self.end(), |(_, p)| *p);
        self.append_raw(&lines, end)?;
        Ok(entries)
    }

    /// Appends lines copied from another journal (newline-terminated), whose chain was checked
    /// and ends at `end`.
    pub fn append_raw(&mut self, lines: &[u8], end: Position) -> Result<(), CatalogError> {
        if lines.len() as u64 != end.offset - self.end().offset {
            return Err(CatalogError::Encode(
                "adopted lines do not fill the gap to their end".into(),
            ));
        }
        match self {
            Self::File(j) => j.write_durably(lines, end),
            Self::Shared(j) => j.insert(lines, end),
        }
    }

    /// Makes the commit's entries durable and visible: the file's are already fsynced.
    pub fn finish(&mut self) -> Result<(), CatalogError> {
        match self {
            Self::File(_) => Ok(()),
            Self::Shared(j) => j.commit(),
        }
    }

    /// Takes back what this commit appended, ending the journal at `to` again.
    pub fn rollback(&mut self, to: Position) -> Result<(), CatalogError> {
        match self {
            Self::File(j) => j.rollback(to),
            Self::Shared(j) => j.rollback(to),
        }
    }
}

/// A journal to read: a file (of a catalogue, a backup) or a shared PostgreSQL journal.
#[derive(Debug)]
pub enum Source {
    File(PathBuf),
    Shared(SharedSource),
}

impl Source {
    /// What to call the journal in messages (never a password).
    pub fn name(&self) -> PathBuf {
        match self {
            Self::File(path) => path.clone(),
            Self::Shared(s) => s.name(),
        }
    }

    /// Reads and checks the whole chain from the first entry; each entry with the position
    /// after it.
    pub fn read_all(&self) -> Result<(Vec<(Entry, Position)>, Position), CatalogError> {
        let mut all = Vec::new();
        let end = self.read_after_each(Position::START, 4096, &mut |batch| {
            all.extend_from_slice(batch);
            Ok(())
        })?;
        Ok((all, end))
    }

    /// Reads and checks the entries after `from`, `batch` at a time, handing each batch to
    /// `each`; returns where they end. Memory holds one batch, however long the journal.
    pub fn read_after_each(
        &self,
        from: Position,
        batch: usize,
        each: &mut EachBatch<'_>,
    ) -> Result<Position, CatalogError> {
        match self {
            Self::File(path) => FileJournal::read_after_each(path, from, batch, each),
            Self::Shared(s) => s.read_after_each(from, batch, each),
        }
    }

    /// The entries starting at these byte offsets (found by an index), without reading the
    /// rest of the journal; the chain is `read_all`'s and `verify`'s to check.
    pub fn read_at(&self, offsets: &[u64]) -> Result<Vec<Entry>, CatalogError> {
        match self {
            Self::File(path) => FileJournal::read_at(path, offsets),
            Self::Shared(s) => s.read_at(offsets),
        }
    }

    /// The lines (newline-terminated) from after `from` up to `to`, byte for byte.
    pub fn lines(&self, from: Position, to: Position) -> Result<Vec<u8>, CatalogError> {
        match self {
            Self::File(path) => FileJournal::lines(path, from, to),
            Self::Shared(s) => s.lines(from, to),
        }
    }
}

pub fn hex(bytes: &[u8; 32]) -> String {
    blake3::Hash::from_bytes(*bytes).to_hex().to_string()
}
