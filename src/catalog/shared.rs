//! What a shared catalogue keeps outside its journal: browser sessions and reach counters, in
//! PostgreSQL tables every node reads, so a person signed in on one node is signed in on all
//! of them and counts add up across nodes. (An embedded catalogue keeps them in sled trees.)

use super::journal::{Connection, Source};
use super::{Catalog, CatalogError};

/// A table of byte keys and byte values.
#[derive(Clone, Copy)]
pub(super) enum Table {
    Sessions,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Sessions => "brandvault_sessions",
        }
    }
}

impl Catalog {
    /// The connection of a shared catalogue; None for an embedded one.
    pub(super) fn shared(&self) -> Option<&Connection> {
        match &self.source {
            Source::Shared(s) => Some(s.connection()),
            Source::File(_) => None,
        }
    }
}

pub(super) fn get(
    c: &Connection,
    table: Table,
    key: &[u8],
) -> Result<Option<Vec<u8>>, CatalogError> {
    let (sql, key) = (
        format!("SELECT record FROM {} WHERE key = $1", table.name()),
        key.to_vec(),
    );
    c.call(move |c| Ok(c.query_opt(&sql, &[&key])?.map(|r| r.get(0))))
}

pub(super) fn put(
    c: &Connection,
    table: Table,
    key: &[u8],
    value: Vec<u8>,
) -> Result<(), CatalogError> {
    let sql = format!(
        "INSERT INTO {} (key, record) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET record = EXCLUDED.record",
        table.name()
    );
    let key = key.to_vec();
    c.call(move |c| c.execute(&sql, &[&key, &value]).map(|_| ()))
}

pub(super) fn remove(c: &Connection, table: Table, keys: Vec<Vec<u8>>) -> Result<(), CatalogError> {
    let sql = format!("DELETE FROM {} WHERE key = ANY($1)", table.name());
    c.call(move |c| c.execute(&sql, &[&keys]).map(|_| ()))
}

/// A key and its value.
type Row = (Vec<u8>, Vec<u8>);

pub(super) fn all(c: &Connection, table: Table) -> Result<Vec<Row>, CatalogError> {
    let sql = format!("SELECT key, record FROM {} ORDER BY key", table.name());
    c.call(move |c| {
        Ok(c.query(&sql, &[])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    })
}

/// Adds to reach counters, all in one statement.
pub(super) fn add_counts(c: &Connection, counts: Vec<(Vec<u8>, i64)>) -> Result<(), CatalogError> {
    let (keys, ns): (Vec<Vec<u8>>, Vec<i64>) = counts.into_iter().unzip();
    c.call(move |c| {
        c.execute(
            "INSERT INTO brandvault_downloads (key, count)
             SELECT * FROM unnest($1::bytea[], $2::bigint[])
             ON CONFLICT (key) DO UPDATE SET count = brandvault_downloads.count + EXCLUDED.count",
            &[&keys, &ns],
        )
        .map(|_| ())
    })
}

/// Every reach counter, by key.
pub(super) fn counts(c: &Connection) -> Result<Vec<(Vec<u8>, u64)>, CatalogError> {
    c.call(|c| {
        Ok(c.query(
            "SELECT key, count FROM brandvault_downloads ORDER BY key",
            &[],
        )?
        .iter()
        .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
        .collect())
    })
}
