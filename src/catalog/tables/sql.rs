//! The catalogue's tables in PostgreSQL: one table per tree, `key bytea PRIMARY KEY`, so
//! every lookup and every prefix scan of a filtered listing is a B-tree index scan in the
//! database. Writes of a commit run in the journal's transaction (`write_in`), under the
//! library's write lock: the tables are always at the journal's end, and nodes keep no index
//! of their own. Reads go through a small pool of connections, each on a thread of its own.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::super::journal::Connection;
use super::super::CatalogError;
use super::{Bytes, Row, Tree, Writes};

/// Connections reading for one process: enough for a node's concurrent requests to rarely
/// wait on one another, few enough for a database serving several nodes.
const READERS: usize = 4;

/// Rows per query when walking a whole table.
const PAGE: i64 = 2_000;

/// The table of each tree, and its value column (sessions kept the table they had before the
/// other trees moved into PostgreSQL).
fn table(tree: Tree) -> (&'static str, &'static str) {
    match tree {
        Tree::Assets => ("brandvault_assets", "value"),
        Tree::Index => ("brandvault_index", "value"),
        Tree::Meta => ("brandvault_meta", "value"),
        Tree::Stat => ("brandvault_stat", "value"),
        Tree::Tokens => ("brandvault_tokens", "value"),
        Tree::Users => ("brandvault_users", "value"),
        Tree::Sessions => ("brandvault_sessions", "record"),
        Tree::Collections => ("brandvault_collections", "value"),
        Tree::Derived => ("brandvault_derived", "value"),
        Tree::Visibility => ("brandvault_visibility", "value"),
        Tree::History => ("brandvault_history", "value"),
    }
}

/// The statements creating the tables (sessions and download counters are made with the
/// journal's), and a view of the asset records as JSON for an operator's own queries.
pub(in crate::catalog) fn schema() -> String {
    let mut sql = String::new();
    for tree in Tree::ALL.into_iter().filter(|t| *t != Tree::Sessions) {
        let (name, value) = table(tree);
        sql.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {name} (key bytea PRIMARY KEY, {value} bytea NOT NULL);\n"
        ));
    }
    sql.push_str(
        "CREATE OR REPLACE VIEW brandvault_asset_records AS
         SELECT encode(key, 'hex') AS id, convert_from(value, 'UTF8')::jsonb AS record
         FROM brandvault_assets;\n",
    );
    sql
}

/// The tables of a shared catalogue, read through a pool.
#[derive(Debug)]
pub(in crate::catalog) struct SqlTables {
    readers: Vec<Connection>,
    next: AtomicUsize,
    /// The journal's connection: what a commit reads while it stages its writes goes through
    /// its transaction, so it sees the writes staged before it in that transaction.
    writer: Connection,
}

impl SqlTables {
    /// Opens the pool (the tables are made by `journal::prepare`) beside the journal's
    /// connection `writer`.
    pub fn open(url: &str, writer: Connection) -> Result<Self, CatalogError> {
        let readers = (0..READERS)
            .map(|_| Connection::open(url))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            readers,
            next: AtomicUsize::new(0),
            writer,
        })
    }

    /// `get` inside the journal's open transaction.
    pub fn get_staged(&self, tree: Tree, key: &[u8]) -> Result<Option<Bytes>, CatalogError> {
        let (name, value) = table(tree);
        let sql = format!("SELECT {value} FROM {name} WHERE key = $1");
        let key = key.to_vec();
        self.writer.call_in_transaction(move |c| {
            Ok(c.query_opt(&sql, &[&key])?
                .map(|r| Bytes::from(r.get::<_, Vec<u8>>(0))))
        })
    }

    /// Empties the journaled tables inside the journal's open transaction (a rebuild).
    pub fn clear_staged(&self) -> Result<(), CatalogError> {
        let names: Vec<&str> = Tree::ALL
            .into_iter()
            .filter(|t| !matches!(t, Tree::Sessions | Tree::Derived | Tree::Stat))
            .map(|t| table(t).0)
            .collect();
        let sql = format!("TRUNCATE {}", names.join(", "));
        self.writer
            .call_in_transaction(move |c| c.batch_execute(&sql))
    }

    /// Applies `writes` inside the journal's open transaction (which holds the library's write
    /// lock), so the tables change with the journal or not at all.
    pub fn write_staged(&self, writes: &Writes) -> Result<(), CatalogError> {
        let statements = statements(writes);
        self.writer.call_in_transaction(move |c| {
            for (sql, keys, values) in &statements {
                execute(c, sql, keys, values)?;
            }
            Ok(())
        })
    }

    fn reader(&self) -> &Connection {
        &self.readers[self.next.fetch_add(1, Ordering::Relaxed) % self.readers.len()]
    }

    pub fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Bytes>, CatalogError> {
        let (name, value) = table(tree);
        let sql = format!("SELECT {value} FROM {name} WHERE key = $1");
        let key = key.to_vec();
        self.reader().call_prepared(sql, move |c, statement| {
            Ok(c.query_opt(statement, &[&key])?
                .map(|r| Bytes::from(r.get::<_, Vec<u8>>(0))))
        })
    }

    pub fn get_many(&self, tree: Tree, keys: &[&[u8]]) -> Result<Vec<Option<Bytes>>, CatalogError> {
        get_many_on(self.reader(), false, tree, keys)
    }

    /// `get_many` inside the journal's open transaction.
    pub fn get_many_staged(
        &self,
        tree: Tree,
        keys: &[&[u8]],
    ) -> Result<Vec<Option<Bytes>>, CatalogError> {
        get_many_on(&self.writer, true, tree, keys)
    }

    pub fn keys_from(
        &self,
        tree: Tree,
        prefix: &[u8],
        start: &[u8],
        n: usize,
    ) -> Result<Vec<Bytes>, CatalogError> {
        let (name, _) = table(tree);
        let (start, limit) = (start.max(prefix).to_vec(), n.min(i64::MAX as usize) as i64);
        let keys: Vec<Vec<u8>> = match after_prefix(prefix) {
            Some(end) => {
                let sql = format!(
                    "SELECT key FROM {name} WHERE key >= $1 AND key < $2 ORDER BY key LIMIT $3"
                );
                self.reader().call_prepared(sql, move |c, statement| {
                    Ok(c.query(statement, &[&start, &end, &limit])?
                        .iter()
                        .map(|r| r.get(0))
                        .collect())
                })?
            }
            None => {
                let sql = format!("SELECT key FROM {name} WHERE key >= $1 ORDER BY key LIMIT $2");
                self.reader().call_prepared(sql, move |c, statement| {
                    Ok(c.query(statement, &[&start, &limit])?
                        .iter()
                        .map(|r| r.get(0))
                        .collect())
                })?
            }
        };
        Ok(keys.into_iter().map(Bytes::from).collect())
    }

    pub fn scan_prefix(&self, tree: Tree, prefix: &[u8]) -> Result<Vec<Row>, CatalogError> {
        let mut rows = Vec::new();
        self.walk(tree, prefix, &mut |k, v| {
            rows.push((k, v));
            Ok(())
        })?;
        Ok(rows)
    }

    pub fn for_each(
        &self,
        tree: Tree,
        each: &mut dyn FnMut(Bytes, Bytes) -> Result<(), CatalogError>,
    ) -> Result<(), CatalogError> {
        self.walk(tree, &[], each)
    }

    /// Every row under `prefix`, a page at a time, each page after the last key of the one
    /// before (an index range scan each, however large the table).
    fn walk(
        &self,
        tree: Tree,
        prefix: &[u8],
        each: &mut dyn FnMut(Bytes, Bytes) -> Result<(), CatalogError>,
    ) -> Result<(), CatalogError> {
        let (name, value) = table(tree);
        let end = after_prefix(prefix);
        let sql = format!(
            "SELECT key, {value} FROM {name} WHERE key >= $1 AND ($2::bytea IS NULL OR key < $2)
             AND ($3::bytea IS NULL OR key > $3) ORDER BY key LIMIT $4"
        );
        let mut last: Option<Vec<u8>> = None;
        loop {
            let (sql, start, end, after) = (sql.clone(), prefix.to_vec(), end.clone(), last);
            let page: Vec<(Vec<u8>, Vec<u8>)> =
                self.reader().call_prepared(sql, move |c, st| {
                    Ok(c.query(st, &[&start, &end, &after, &PAGE])?
                        .iter()
                        .map(|r| (r.get(0), r.get(1)))
                        .collect())
                })?;
            let full = page.len() as i64 == PAGE;
            last = page.last().map(|(k, _)| k.clone());
            for (k, v) in page {
                each(Bytes::from(k), Bytes::from(v))?;
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// Applies `writes` in a transaction of their own.
    pub fn write_alone(&self, writes: &Writes) -> Result<(), CatalogError> {
        let statements = statements(writes);
        self.reader().call(move |c| {
            let mut tx = c.transaction()?;
            for (sql, keys, values) in &statements {
                execute(&mut tx, sql, keys, values)?;
            }
            tx.commit()
        })
    }

    /// Adds to reach counters, all in one statement.
    pub fn add_counts(&self, counts: Vec<(Vec<u8>, u64)>) -> Result<(), CatalogError> {
        let (keys, ns): (Vec<Vec<u8>>, Vec<i64>) =
            counts.into_iter().map(|(k, n)| (k, n as i64)).unzip();
        self.reader().call(move |c| {
            c.execute(
                "INSERT INTO brandvault_downloads (key, count)
                 SELECT * FROM unnest($1::bytea[], $2::bigint[])
                 ON CONFLICT (key) DO UPDATE SET count = brandvault_downloads.count + EXCLUDED.count",
                &[&keys, &ns],
            )
            .map(|_| ())
        })
    }

    /// The counters named, in order (0 for one never counted).
    pub fn counts_of(&self, keys: &[Vec<u8>]) -> Result<Vec<u64>, CatalogError> {
        let asked = keys.to_vec();
        let found: std::collections::HashMap<Vec<u8>, u64> = self.reader().call(move |c| {
            Ok(c.query(
                "SELECT key, count FROM brandvault_downloads WHERE key = ANY($1)",
                &[&asked],
            )?
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect())
        })?;
        Ok(keys
            .iter()
            .map(|k| found.get(k).copied().unwrap_or(0))
            .collect())
    }

    /// Every reach counter, by key.
    pub fn counts(&self) -> Result<Vec<(Vec<u8>, u64)>, CatalogError> {
        self.reader().call(|c| {
            Ok(c.query(
                "SELECT key, count FROM brandvault_downloads ORDER BY key",
                &[],
            )?
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect())
        })
    }
}

/// The values of `keys` in one query on `connection` (inside its open transaction when
/// `staged`), in the keys' order.
fn get_many_on(
    connection: &Connection,
    staged: bool,
    tree: Tree,
    keys: &[&[u8]],
) -> Result<Vec<Option<Bytes>>, CatalogError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let (name, value) = table(tree);
    let sql = format!("SELECT key, {value} FROM {name} WHERE key = ANY($1)");
    let wanted: Vec<Vec<u8>> = keys.iter().map(|k| k.to_vec()).collect();
    let query = move |c: &mut postgres::Client, statement: &postgres::Statement| {
        Ok(c.query(statement, &[&wanted])?
            .iter()
            .map(|r| (r.get(0), Bytes::from(r.get::<_, Vec<u8>>(1))))
            .collect::<std::collections::HashMap<Vec<u8>, Bytes>>())
    };
    let found = match staged {
        true => connection.call_in_transaction(move |c| {
            let statement = c.prepare(&sql)?;
            query(c, &statement)
        })?,
        false => connection.call_prepared(sql, query)?,
    };
    Ok(keys.iter().map(|k| found.get(*k).cloned()).collect())
}

/// One statement with its key and value arrays.
type Statement = (String, Vec<Vec<u8>>, Option<Vec<Vec<u8>>>);

/// Per table touched, one DELETE of the removed keys and one upsert of the others.
fn statements(writes: &Writes) -> Vec<Statement> {
    let mut out = Vec::new();
    for tree in writes.trees() {
        let (name, value) = table(tree);
        let (mut gone, mut keys, mut values) = (Vec::new(), Vec::new(), Vec::new());
        for (k, v) in writes.of(tree) {
            match v {
                Some(v) => {
                    keys.push(k.to_vec());
                    values.push(v.to_vec());
                }
                None => gone.push(k.to_vec()),
            }
        }
        if !gone.is_empty() {
            out.push((
                format!("DELETE FROM {name} WHERE key = ANY($1)"),
                gone,
                None,
            ));
        }
        if !keys.is_empty() {
            out.push((
                format!(
                    "INSERT INTO {name} (key, {value}) SELECT * FROM unnest($1::bytea[], $2::bytea[])
                     ON CONFLICT (key) DO UPDATE SET {value} = EXCLUDED.{value}"
                ),
                keys,
                Some(values),
            ));
        }
    }
    out
}

fn execute(
    c: &mut impl postgres::GenericClient,
    sql: &str,
    keys: &Vec<Vec<u8>>,
    values: &Option<Vec<Vec<u8>>>,
) -> Result<(), postgres::Error> {
    match values {
        Some(values) => c.execute(sql, &[keys, values]),
        None => c.execute(sql, &[keys]),
    }
    .map(|_| ())
}

/// The smallest key after every key that begins with `prefix` (`None`: no such bound).
fn after_prefix(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::after_prefix;

    #[test]
    fn the_bound_after_a_prefix_is_past_every_key_it_begins() {
        assert_eq!(after_prefix(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(after_prefix(&[1, 0xff]), Some(vec![2]));
        assert_eq!(after_prefix(&[0xff, 0xff]), None);
        assert_eq!(after_prefix(&[]), None);
    }
}
