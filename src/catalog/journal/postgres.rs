//! The journal in PostgreSQL, shared by every process of a library: one row per line, with the
//! line's bytes and the offset it would have in a file, so positions, history offsets, backups
//! and migrations read the same as the file's. Writers take the library's write lock (a
//! transaction-scoped advisory lock) before reading what others appended and adding to it,
//! so a commit is decided on the whole history, whichever process makes it.

use std::path::PathBuf;
use std::sync::mpsc;

use super::{CatalogError, Entry, Position};

/// The advisory lock every writer of a library takes for its transaction.
const WRITE_LOCK: i64 = 0x6272_616e_6476_6c74; // "brandvlt"

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS brandvault_journal (
    seq bigint PRIMARY KEY,
    start_offset bigint NOT NULL UNIQUE,
    line text NOT NULL
);
CREATE TABLE IF NOT EXISTS brandvault_sessions (
    key bytea PRIMARY KEY,
    record bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS brandvault_downloads (
    key bytea PRIMARY KEY,
    count bigint NOT NULL
);";

/// A connection's session: the client, and the statements prepared on it (a statement given
/// as text is parsed and planned at every call; a prepared one only once per session).
struct Session {
    client: postgres::Client,
    prepared: std::collections::HashMap<String, postgres::Statement>,
}

type Job = Box<dyn FnOnce(&mut Option<Session>) + Send>;

/// A connection owned by a thread of its own. The `postgres` client blocks on a runtime of
/// its own, which may not be entered from inside another (an actix worker's), so callers hand
/// it work and wait on a channel. A connection that broke is opened again at the next call.
/// Clones hand work to the same thread, so to the same session (and its transaction).
#[derive(Debug, Clone)]
pub struct Connection {
    jobs: mpsc::Sender<Job>,
    url: String,
}

impl Connection {
    pub fn open(url: &str) -> Result<Self, CatalogError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("postgres".into())
            .spawn(move || {
                let mut session = None;
                for job in queue {
                    job(&mut session);
                }
            })
            .map_err(|e| CatalogError::Shared(format!("cannot start a thread: {e}")))?;
        let connection = Self {
            jobs,
            url: url.to_owned(),
        };
        connection.call(|_| Ok(()))?;
        Ok(connection)
    }

    /// Runs `f` on the connection (opened first if needed) and waits for its answer.
    pub fn call<R, F>(&self, f: F) -> Result<R, CatalogError>
    where
        R: Send + 'static,
        F: FnOnce(&mut postgres::Client) -> Result<R, postgres::Error> + Send + 'static,
    {
        self.run(true, f)
    }

    /// `call` inside a transaction begun by an earlier call: a connection lost meanwhile took
    /// the transaction with it, so it is an error here, never a fresh session running `f`
    /// outside any transaction (and without the write lock).
    pub fn call_in_transaction<R, F>(&self, f: F) -> Result<R, CatalogError>
    where
        R: Send + 'static,
        F: FnOnce(&mut postgres::Client) -> Result<R, postgres::Error> + Send + 'static,
    {
        self.run(false, f)
    }

    /// Runs `f` with the statement `sql`, prepared once per session.
    pub fn call_prepared<R, F>(&self, sql: String, f: F) -> Result<R, CatalogError>
    where
        R: Send + 'static,
        F: FnOnce(&mut postgres::Client, &postgres::Statement) -> Result<R, postgres::Error>
            + Send
            + 'static,
    {
        self.session(true, move |session| {
            let statement = match session.prepared.get(&sql) {
                Some(statement) => statement.clone(),
                None => {
                    let statement = session.client.prepare(&sql)?;
                    session.prepared.insert(sql, statement.clone());
                    statement
                }
            };
            f(&mut session.client, &statement)
        })
    }

    fn run<R, F>(&self, reconnect: bool, f: F) -> Result<R, CatalogError>
    where
        R: Send + 'static,
        F: FnOnce(&mut postgres::Client) -> Result<R, postgres::Error> + Send + 'static,
    {
        self.session(reconnect, move |session| f(&mut session.client))
    }

    fn session<R, F>(&self, reconnect: bool, f: F) -> Result<R, CatalogError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Session) -> Result<R, postgres::Error> + Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel(1);
        let url = self.url.clone();
        let job: Job = Box::new(move |session| {
            let open = match session.as_mut() {
                Some(s) if !s.client.is_closed() => Ok(s),
                _ if reconnect => connect(session, &url),
                _ => Err(CatalogError::Shared(
                    "the connection to PostgreSQL was lost during a commit".into(),
                )),
            };
            let answer = open.and_then(|s| f(s).map_err(shared));
            let _ = tx.send(answer);
        });
        self.jobs
            .send(job)
            .map_err(|_| CatalogError::Shared("the PostgreSQL connection stopped".into()))?;
        rx.recv()
            .map_err(|_| CatalogError::Shared("the PostgreSQL connection stopped".into()))?
    }

    /// The database, as messages name it: host and database, never the password.
    pub fn name(&self) -> PathBuf {
        PathBuf::from(redact(&self.url))
    }
}

fn connect<'a>(
    session: &'a mut Option<Session>,
    url: &str,
) -> Result<&'a mut Session, CatalogError> {
    let client = postgres::Client::connect(url, postgres::NoTls).map_err(shared)?;
    Ok(session.insert(Session {
        client,
        prepared: Default::default(),
    }))
}

fn shared(e: postgres::Error) -> CatalogError {
    CatalogError::Shared(e.to_string())
}

/// `postgres://user:password@host/db` without the password.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user = &url[scheme + 3..at];
            let user = user.split(':').next().unwrap_or("");
            format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Creates the tables if this database has none yet (under a lock: two processes starting
/// at once on an empty database would otherwise both create them).
pub fn prepare(connection: &Connection) -> Result<(), CatalogError> {
    connection.call(|c| {
        let mut tx = c.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
        tx.batch_execute(SCHEMA)?;
        tx.batch_execute(&super::super::tables::schema())?;
        tx.commit()
    })
}

/// Reads the shared journal: the history, entries by offset, and how far it goes.
#[derive(Debug)]
pub struct SharedSource {
    connection: Connection,
}

impl SharedSource {
    pub fn open(url: &str) -> Result<Self, CatalogError> {
        let connection = Connection::open(url)?;
        prepare(&connection)?;
        Ok(Self { connection })
    }

    pub fn name(&self) -> PathBuf {
        self.connection.name()
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// The last sequence number written by anyone.
    pub fn last_seq(&self) -> Result<u64, CatalogError> {
        let sql = "SELECT coalesce(max(seq), 0) FROM brandvault_journal".to_owned();
        self.connection.call_prepared(sql, |c, statement| {
            Ok(c.query_one(statement, &[])?.get::<_, i64>(0) as u64)
        })
    }

    /// Every entry after `from` (which must be in the journal), checked, and where they end.
    pub fn read_after(
        &self,
        from: Position,
    ) -> Result<(Vec<(Entry, Position)>, Position), CatalogError> {
        let lines = self.connection.call(move |c| lines_after(c, from.seq))?;
        self.follow(from, lines)
    }

    /// Reads and checks the entries after `from`, `batch` at a time (one query each), each
    /// with the position after it; returns where they end. Memory holds one batch.
    pub fn read_after_each(
        &self,
        from: Position,
        batch: usize,
        each: &mut super::EachBatch<'_>,
    ) -> Result<Position, CatalogError> {
        let mut pos = from;
        loop {
            let (seq, limit) = (pos.seq as i64, batch as i64);
            let lines = self.connection.call(move |c| {
                let rows = c.query(
                    "SELECT line FROM brandvault_journal WHERE seq > $1 ORDER BY seq LIMIT $2",
                    &[&seq, &limit],
                )?;
                Ok(rows.iter().map(|r| r.get(0)).collect::<Vec<String>>())
            })?;
            let full = lines.len() == batch;
            let (entries, end) = self.follow(pos, lines)?;
            if !entries.is_empty() {
                each(&entries)?;
            }
            pos = end;
            if !full {
                return Ok(pos);
            }
        }
    }

    /// Checks `lines`, the entries after `from`, link by link.
    fn follow(
        &self,
        from: Position,
        lines: Vec<String>,
    ) -> Result<(Vec<(Entry, Position)>, Position), CatalogError> {
        let name = self.name();
        let mut pos = from;
        let mut entries = Vec::with_capacity(lines.len());
        for line in lines {
            let (entry, after) = pos.follow(line.as_bytes(), &name)?;
            pos = after;
            entries.push((entry, pos));
        }
        Ok((entries, pos))
    }

    pub fn read_at(&self, offsets: &[u64]) -> Result<Vec<Entry>, CatalogError> {
        let wanted: Vec<i64> = offsets.iter().map(|&o| o as i64).collect();
        let rows = self.connection.call(move |c| {
            let rows = c.query(
                "SELECT start_offset, line FROM brandvault_journal WHERE start_offset = ANY($1)",
                &[&wanted],
            )?;
            Ok(rows
                .iter()
                .map(|r| (r.get::<_, i64>(0) as u64, r.get::<_, String>(1)))
                .collect::<std::collections::HashMap<_, _>>())
        })?;
        offsets
            .iter()
            .map(|o| {
                let line = rows.get(o).ok_or_else(|| CatalogError::JournalTampered {
                    path: self.name(),
                    seq: 0,
                    reason: format!("no entry starts at offset {o}"),
                })?;
                serde_json::from_str(line).map_err(CatalogError::encode)
            })
            .collect()
    }

    pub fn lines(&self, from: Position, to: Position) -> Result<Vec<u8>, CatalogError> {
        let lines = self.connection.call(move |c| {
            let rows = c.query(
                "SELECT line FROM brandvault_journal WHERE seq > $1 AND seq <= $2 ORDER BY seq",
                &[&(from.seq as i64), &(to.seq as i64)],
            )?;
            Ok(rows
                .iter()
                .map(|r| r.get::<_, String>(0))
                .collect::<Vec<_>>())
        })?;
        let mut bytes = Vec::with_capacity((to.offset - from.offset) as usize);
        for line in lines {
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
        }
        Ok(bytes)
    }
}

fn lines_after(
    c: &mut impl postgres::GenericClient,
    seq: u64,
) -> Result<Vec<String>, postgres::Error> {
    let rows = c.query(
        "SELECT line FROM brandvault_journal WHERE seq > $1 ORDER BY seq",
        &[&(seq as i64)],
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The shared journal, open for appending by this process.
#[derive(Debug)]
pub struct SharedJournal {
    source: SharedSource,
    end: Position,
}

impl SharedJournal {
    /// Opens the journal for appending after `from` (where the tables stand).
    pub fn open(url: &str, from: Position) -> Result<Self, CatalogError> {
        Ok(Self {
            source: SharedSource::open(url)?,
            end: from,
        })
    }

    /// The connection its transactions run on.
    pub fn connection(&self) -> &Connection {
        &self.source.connection
    }

    /// Whether `at` is a position of this journal: the line ending there has that hash.
    pub fn holds(&self, at: Position) -> Result<bool, CatalogError> {
        if at == Position::START {
            return Ok(true);
        }
        let seq = at.seq as i64;
        let line = self.source.connection.call_in_transaction(move |c| {
            let row = c.query_opt(
                "SELECT start_offset, line FROM brandvault_journal WHERE seq = $1",
                &[&seq],
            )?;
            Ok(row.map(|r| (r.get::<_, i64>(0) as u64, r.get::<_, String>(1))))
        })?;
        Ok(line.is_some_and(|(start, line)| {
            start + line.len() as u64 + 1 == at.offset
                && *blake3::hash(line.as_bytes()).as_bytes() == at.head
        }))
    }

    pub fn end(&self) -> Position {
        self.end
    }

    pub fn set_end(&mut self, end: Position) {
        self.end = end;
    }

    /// Opens a transaction holding the library's write lock.
    pub fn lock(&mut self) -> Result<(), CatalogError> {
        self.source.connection.call(|c| {
            c.batch_execute("BEGIN")?;
            c.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
                .map(|_| ())
        })
    }

    /// Opens a transaction holding the library's write lock and returns what others appended.
    pub(super) fn begin(&mut self) -> Result<Vec<(Entry, Position)>, CatalogError> {
        let begun = self.lock();
        let unseen = begun.and_then(|()| {
            let end = self.end;
            let lines = self
                .source
                .connection
                .call_in_transaction(move |c| lines_after(c, end.seq))?;
            self.source.follow(end, lines).map(|(entries, _)| entries)
        });
        if unseen.is_err() {
            // Whatever failed, the next commit starts from no transaction.
            let _ = self
                .source
                .connection
                .call_in_transaction(|c| c.batch_execute("ROLLBACK"));
        }
        unseen
    }

    pub(super) fn unseen(&mut self) -> Result<Vec<(Entry, Position)>, CatalogError> {
        Ok(self.source.read_after(self.end)?.0)
    }

    /// Inserts lines (newline-terminated) into the open transaction.
    pub(super) fn insert(&mut self, lines: &[u8], end: Position) -> Result<(), CatalogError> {
        let text = std::str::from_utf8(lines)
            .map_err(|_| CatalogError::Encode("a journal line is not UTF-8".into()))?;
        let (mut seqs, mut starts, mut rows) = (Vec::new(), Vec::new(), Vec::new());
        let (mut seq, mut offset) = (self.end.seq as i64, self.end.offset as i64);
        for line in text.split_terminator('\n') {
            seq += 1;
            seqs.push(seq);
            starts.push(offset);
            offset += line.len() as i64 + 1;
            rows.push(line.to_owned());
        }
        if seq as u64 != end.seq {
            return Err(CatalogError::Encode(
                "adopted lines do not end at their last entry".into(),
            ));
        }
        self.source.connection.call_in_transaction(move |c| {
            c.execute(
                "INSERT INTO brandvault_journal (seq, start_offset, line)
                 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[])",
                &[&seqs, &starts, &rows],
            )
            .map(|_| ())
        })?;
        self.end = end;
        Ok(())
    }

    pub fn commit(&mut self) -> Result<(), CatalogError> {
        self.source
            .connection
            .call_in_transaction(|c| c.batch_execute("COMMIT"))
    }

    pub fn rollback(&mut self, to: Position) -> Result<(), CatalogError> {
        self.end = to;
        self.source
            .connection
            .call_in_transaction(|c| c.batch_execute("ROLLBACK"))
    }
}
