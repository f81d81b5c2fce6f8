//! The SQL of the registry, written once for both engines.
//!
//! Every record kind is stored the same way: a current row (indexed columns plus the record
//! as JSON) in its own table, and one row per version in `registry_versions`. Writes are
//! multi-row upserts, so a bulk import and a single change share one code path.

use crate::model::{AgencyData, BusinessData, PersonData, Version};
use dasan_kernel::{Actor, ActorKind, Timestamp};
use dasan_store::{Database, Engine, Pool, StoreError, Tx, TxConn, on_reader, on_tx};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::AssertSqlSafe;
use std::collections::HashMap;

/// Where the SQL runs: inside a change (the writer's transaction) or on the read-only pool.
pub(crate) enum Src<'a> {
    Tx(&'a mut Tx),
    Db(&'a Database),
}

/// Runs the same query code on a transaction or the reader pool, whichever the engine.
macro_rules! on_src {
    ($src:expr, |$c:ident| $body:expr) => {
        match $src {
            Src::Tx(tx) => on_tx!(tx, |$c| $body),
            Src::Db(db) => on_reader!(db, |$c| $body),
        }
    };
}

/// How one kind of record is stored.
#[derive(Debug)]
pub(crate) struct Table {
    pub kind: &'static str,
    pub table: &'static str,
    pub id_col: &'static str,
    /// The natural key's column, when it is not the id itself.
    pub key_col: Option<&'static str>,
    /// Indexed copies of some fields, all TEXT.
    pub extra: &'static [&'static str],
    /// A column returned with references (an agency's level), if any.
    pub tag_col: Option<&'static str>,
}

impl Table {
    fn key(&self) -> &'static str {
        self.key_col.unwrap_or(self.id_col)
    }
}

/// Where the versions of `kind` are kept: parcels (migration 0018) have their own table, so that
/// migration does not depend on the registry's first one.
fn versions_table(kind: &str) -> &'static str {
    if kind == crate::land::PARCELS.kind {
        "registry_parcel_versions"
    } else {
        "registry_versions"
    }
}

/// A kind of record the registry keeps with history.
pub(crate) trait Entity: Serialize + DeserializeOwned + PartialEq + Clone {
    const TABLE: Table;
    fn key(&self) -> String;
    fn extra(&self) -> Vec<Option<String>>;
}

pub(crate) const PEOPLE: Table = Table {
    kind: "person",
    table: "registry_people",
    id_col: "id",
    key_col: Some("national_id"),
    extra: &[
        "parent1_id",
        "parent2_id",
        "spouse_id",
        "status",
        "name_latin",
    ],
    tag_col: None,
};

impl Entity for PersonData {
    const TABLE: Table = PEOPLE;
    fn key(&self) -> String {
        self.national_id.clone()
    }
    fn extra(&self) -> Vec<Option<String>> {
        vec![
            self.parents.first().map(|p| p.to_string()),
            self.parents.get(1).map(|p| p.to_string()),
            self.spouse.map(|p| p.to_string()),
            Some(self.status.as_str().to_owned()),
            Some(self.name_latin.clone()),
        ]
    }
}

pub(crate) const BUSINESSES: Table = Table {
    kind: "business",
    table: "registry_businesses",
    id_col: "id",
    key_col: Some("registration_number"),
    extra: &["representative_id", "status", "name"],
    tag_col: None,
};

impl Entity for BusinessData {
    const TABLE: Table = BUSINESSES;
    fn key(&self) -> String {
        self.registration_number.clone()
    }
    fn extra(&self) -> Vec<Option<String>> {
        vec![
            Some(self.representative.to_string()),
            Some(self.status.as_str().to_owned()),
            Some(self.name.clone()),
        ]
    }
}

pub(crate) const AGENCIES: Table = Table {
    kind: "agency",
    table: "registry_agencies",
    id_col: "code",
    key_col: None,
    extra: &["parent_code", "level", "name_latin"],
    tag_col: Some("level"),
};

impl Entity for AgencyData {
    const TABLE: Table = AGENCIES;
    fn key(&self) -> String {
        self.code.clone()
    }
    fn extra(&self) -> Vec<Option<String>> {
        vec![
            self.parent.clone(),
            Some(self.level.as_str().to_owned()),
            Some(self.name_latin.clone()),
        ]
    }
}

/// A record as stored now.
#[derive(Clone, Debug)]
pub(crate) struct Current {
    pub id: String,
    pub version: i64,
    pub updated_at: i64,
    pub data: String,
    pub import_id: Option<String>,
}

/// One record to write (insert or replace) with its new version.
#[derive(Clone, Debug)]
pub(crate) struct Write {
    pub id: String,
    pub key: String,
    pub extra: Vec<Option<String>>,
    pub version: i64,
    pub data: String,
    pub changes: Vec<String>,
}

/// The top-level fields that differ between two serialised records (all of `new`'s when
/// there was none before).
pub(crate) fn changed_fields(
    old: Option<&serde_json::Value>,
    new: &serde_json::Value,
) -> Vec<String> {
    let empty = serde_json::Map::new();
    let old = old.and_then(|o| o.as_object()).unwrap_or(&empty);
    let new_obj = new.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = old.keys().chain(new_obj.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| old.get(*k) != new_obj.get(*k))
        .cloned()
        .collect()
}

/// Builds the write of `data` over `current` (if any); `None` when nothing changed.
pub(crate) fn plan_write<E: Entity>(
    id: String,
    current: Option<&Current>,
    data: &E,
) -> Result<Option<Write>, StoreError> {
    let new = serde_json::to_value(data).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let (version, changes) = match current {
        None => (1, changed_fields(None, &new)),
        Some(cur) => {
            let old: serde_json::Value = serde_json::from_str(&cur.data)
                .map_err(|e| StoreError::Corrupt(format!("{} {}: {e}", E::TABLE.kind, cur.id)))?;
            let changes = changed_fields(Some(&old), &new);
            if changes.is_empty() {
                return Ok(None);
            }
            (cur.version + 1, changes)
        }
    };
    Ok(Some(Write {
        id,
        key: data.key(),
        extra: data.extra(),
        version,
        data: new.to_string(),
        changes,
    }))
}

/// Appends `($start, …)` — or `(?, …)` on SQLite, whose driver looks numbered parameters up
/// one by one in a list (quadratic in their number: 80 % of a bulk import's time at 5,000
/// parameters per statement), while anonymous ones bind in order.
fn placeholders(out: &mut String, start: usize, n: usize, sqlite: bool) {
    out.push('(');
    for i in 0..n {
        if i > 0 {
            out.push_str(", ");
        }
        if sqlite {
            out.push('?');
        } else {
            out.push('$');
            out.push_str(&(start + i).to_string());
        }
    }
    out.push(')');
}

fn tx_is_sqlite(tx: &mut Tx) -> bool {
    matches!(tx.conn(), TxConn::Sqlite(_))
}

impl Src<'_> {
    fn is_sqlite(&mut self) -> bool {
        match self {
            Src::Tx(tx) => tx_is_sqlite(tx),
            Src::Db(db) => db.engine() == Engine::Sqlite,
        }
    }
}

fn actor_kind(actor: &Actor) -> &'static str {
    match actor.kind {
        ActorKind::Anonymous => "anonymous",
        ActorKind::Account => "account",
        ActorKind::System => "system",
    }
}

/// A column of values to insert.
enum Col {
    T(Vec<Option<String>>),
    I(Vec<i64>),
}

/// Inserts rows given column by column, in one statement: multi-row `VALUES` on SQLite,
/// `UNNEST` of one array per column on PostgreSQL (a handful of parameters however many rows,
/// so the server parses and plans far less).
async fn insert_columns(
    tx: &mut Tx,
    table: &str,
    cols: Vec<(&str, Col)>,
    tail: &str,
) -> Result<(), StoreError> {
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    let rows = match cols.first() {
        Some((_, Col::T(v))) => v.len(),
        Some((_, Col::I(v))) => v.len(),
        None => 0,
    };
    match tx.conn() {
        TxConn::Sqlite(conn) => {
            let mut sql = format!("INSERT INTO {table} ({}) VALUES ", names.join(", "));
            for i in 0..rows {
                if i > 0 {
                    sql.push_str(", ");
                }
                placeholders(&mut sql, 1, names.len(), true);
            }
            sql.push(' ');
            sql.push_str(tail);
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for i in 0..rows {
                for (_, col) in &cols {
                    q = match col {
                        Col::T(v) => q.bind(v[i].clone()),
                        Col::I(v) => q.bind(v[i]),
                    };
                }
            }
            q.execute(&mut **conn).await?;
        }
        TxConn::Postgres(conn) => {
            let arrays: Vec<String> = cols
                .iter()
                .enumerate()
                .map(|(i, (_, col))| {
                    let ty = match col {
                        Col::T(_) => "text",
                        Col::I(_) => "bigint",
                    };
                    format!("${}::{ty}[]", i + 1)
                })
                .collect();
            let sql = format!(
                "INSERT INTO {table} ({}) SELECT * FROM UNNEST({}) {tail}",
                names.join(", "),
                arrays.join(", ")
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (_, col) in cols {
                q = match col {
                    Col::T(v) => q.bind(v),
                    Col::I(v) => q.bind(v),
                };
            }
            q.execute(&mut **conn).await?;
        }
    }
    Ok(())
}

/// Writes records and their version rows in multi-row statements: new records by plain
/// `INSERT`, changed ones by upsert (cheaper than upserting everything).
pub(crate) async fn write_many(
    tx: &mut Tx,
    table: &Table,
    writes: &[Write],
    reason: &str,
    import_id: Option<&str>,
) -> Result<(), StoreError> {
    let (new, changed): (Vec<&Write>, Vec<&Write>) = writes.iter().partition(|w| w.version == 1);
    write_records(tx, table, &new, false, import_id).await?;
    write_records(tx, table, &changed, true, import_id).await?;
    write_versions(tx, table, writes, reason).await
}

async fn write_records(
    tx: &mut Tx,
    table: &Table,
    writes: &[&Write],
    upsert: bool,
    import_id: Option<&str>,
) -> Result<(), StoreError> {
    if writes.is_empty() {
        return Ok(());
    }
    let now = tx.now().as_micros();
    let n = writes.len();
    let text = |f: &dyn Fn(&Write) -> Option<String>| Col::T(writes.iter().map(|w| f(w)).collect());

    let mut cols: Vec<(&str, Col)> = vec![(table.id_col, text(&|w| Some(w.id.clone())))];
    if let Some(k) = table.key_col {
        cols.push((k, text(&|w| Some(w.key.clone()))));
    }
    for (i, name) in table.extra.iter().enumerate() {
        cols.push((name, text(&|w| w.extra.get(i).cloned().flatten())));
    }
    cols.push((
        "version",
        Col::I(writes.iter().map(|w| w.version).collect()),
    ));
    cols.push(("updated_at", Col::I(vec![now; n])));
    cols.push(("import_id", Col::T(vec![import_id.map(str::to_owned); n])));
    cols.push(("data", text(&|w| Some(w.data.clone()))));
    let updates: Vec<String> = cols[1..]
        .iter()
        .map(|(c, _)| format!("{c} = excluded.{c}"))
        .collect();
    let tail = if upsert {
        format!(
            "ON CONFLICT ({}) DO UPDATE SET {}",
            table.id_col,
            updates.join(", ")
        )
    } else {
        String::new()
    };
    insert_columns(tx, table.table, cols, &tail).await
}

async fn write_versions(
    tx: &mut Tx,
    table: &Table,
    writes: &[Write],
    reason: &str,
) -> Result<(), StoreError> {
    if writes.is_empty() {
        return Ok(());
    }
    let now = tx.now().as_micros();
    let actor = tx.actor().clone();
    let n = writes.len();
    let text = |f: &dyn Fn(&Write) -> Option<String>| Col::T(writes.iter().map(f).collect());

    let versions = vec![
        ("kind", Col::T(vec![Some(table.kind.to_owned()); n])),
        ("entity_id", text(&|w| Some(w.id.clone()))),
        (
            "version",
            Col::I(writes.iter().map(|w| w.version).collect()),
        ),
        ("recorded_at", Col::I(vec![now; n])),
        (
            "actor_kind",
            Col::T(vec![Some(actor_kind(&actor).to_owned()); n]),
        ),
        (
            "actor_account",
            Col::T(vec![actor.account.map(|a| a.to_string()); n]),
        ),
        ("actor_agency", Col::T(vec![actor.agency.clone(); n])),
        ("reason", Col::T(vec![Some(reason.to_owned()); n])),
        (
            "changes",
            text(&|w| Some(serde_json::to_string(&w.changes).unwrap_or_else(|_| "[]".to_owned()))),
        ),
        ("data", text(&|w| Some(w.data.clone()))),
    ];
    insert_columns(tx, versions_table(table.kind), versions, "").await
}

/// Runs different query code per engine, on a transaction or the reader pool.
macro_rules! on_src_split {
    ($src:expr, sqlite |$c:ident| $s:expr, postgres |$d:ident| $p:expr) => {
        match $src {
            Src::Tx(tx) => match tx.conn() {
                TxConn::Sqlite(conn) => {
                    let $c = &mut **conn;
                    $s
                }
                TxConn::Postgres(conn) => {
                    let $d = &mut **conn;
                    $p
                }
            },
            Src::Db(db) => match db.reader() {
                Pool::Sqlite($c) => $s,
                Pool::Postgres($d) => $p,
            },
        }
    };
}

/// `SELECT {what} FROM {table} WHERE {col} IN keys`, as `IN (?, …)` on SQLite and
/// `= ANY($1)` on PostgreSQL.
async fn select_in<T>(
    mut src: Src<'_>,
    what: &str,
    table: &str,
    col: &str,
    keys: &[String],
) -> Result<Vec<T>, StoreError>
where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let sqlite = src.is_sqlite();
    let sql = if sqlite {
        format!(
            "SELECT {what} FROM {table} WHERE {col} IN {}",
            in_list(1, keys.len(), true)
        )
    } else {
        format!("SELECT {what} FROM {table} WHERE {col} = ANY($1)")
    };
    let rows = on_src_split!(
        src,
        sqlite | c | {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            for k in keys {
                q = q.bind(k.clone());
            }
            q.fetch_all(c).await
        },
        postgres
            | c
            | sqlx::query_as(AssertSqlSafe(sql))
                .bind(keys.to_vec())
                .fetch_all(c)
                .await
    )?;
    Ok(rows)
}

fn in_list(start: usize, n: usize, sqlite: bool) -> String {
    let mut s = String::new();
    placeholders(&mut s, start, n, sqlite);
    s
}

type CurrentRow = (String, String, i64, i64, String, Option<String>);

/// Current records by natural key.
pub(crate) async fn current_by_keys(
    src: Src<'_>,
    table: &Table,
    keys: &[String],
) -> Result<HashMap<String, Current>, StoreError> {
    let what = format!(
        "{}, {}, version, updated_at, data, import_id",
        table.id_col,
        table.key()
    );
    let rows: Vec<CurrentRow> = select_in(src, &what, table.table, table.key(), keys).await?;
    Ok(rows
        .into_iter()
        .map(|(id, key, version, updated_at, data, import_id)| {
            (
                key,
                Current {
                    id,
                    version,
                    updated_at,
                    data,
                    import_id,
                },
            )
        })
        .collect())
}

/// A referenced record: its id and tag column (an agency's level).
pub(crate) async fn refs_by_keys(
    src: Src<'_>,
    table: &Table,
    keys: &[String],
) -> Result<HashMap<String, (String, Option<String>)>, StoreError> {
    let what = format!(
        "{}, {}, {}",
        table.id_col,
        table.key(),
        table.tag_col.unwrap_or("NULL")
    );
    let rows: Vec<(String, String, Option<String>)> =
        select_in(src, &what, table.table, table.key(), keys).await?;
    Ok(rows
        .into_iter()
        .map(|(id, key, tag)| (key, (id, tag)))
        .collect())
}

/// The current record with this id.
pub(crate) async fn current_by_id(
    src: Src<'_>,
    table: &Table,
    id: &str,
) -> Result<Option<Current>, StoreError> {
    let sql = format!(
        "SELECT {id}, version, updated_at, data, import_id FROM {t} WHERE {id} = $1",
        id = table.id_col,
        t = table.table,
    );
    let row: Option<(String, i64, i64, String, Option<String>)> =
        on_src!(src, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(c)
            .await)?;
    Ok(
        row.map(|(id, version, updated_at, data, import_id)| Current {
            id,
            version,
            updated_at,
            data,
            import_id,
        }),
    )
}

type VersionRow = (
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
);

fn version_from_row<T: DeserializeOwned>(
    kind: &str,
    row: VersionRow,
) -> Result<Version<T>, StoreError> {
    let (version, recorded_at, actor_kind, actor_account, actor_agency, reason, changes, data) =
        row;
    Ok(Version {
        version,
        recorded_at: Timestamp::from_micros(recorded_at),
        actor_kind,
        actor_account,
        actor_agency,
        reason,
        changes: serde_json::from_str(&changes)
            .map_err(|e| StoreError::Corrupt(format!("{kind} changes: {e}")))?,
        data: serde_json::from_str(&data)
            .map_err(|e| StoreError::Corrupt(format!("{kind} version data: {e}")))?,
    })
}

const VERSION_COLS: &str =
    "version, recorded_at, actor_kind, actor_account, actor_agency, reason, changes, data";

/// Every version of a record, oldest first.
pub(crate) async fn versions<T: DeserializeOwned>(
    src: Src<'_>,
    kind: &'static str,
    id: &str,
) -> Result<Vec<Version<T>>, StoreError> {
    let sql = format!(
        "SELECT {VERSION_COLS} FROM {} WHERE kind = $1 AND entity_id = $2 ORDER BY version",
        versions_table(kind)
    );
    let rows: Vec<VersionRow> = on_src!(src, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(kind)
        .bind(id)
        .fetch_all(c)
        .await)?;
    rows.into_iter()
        .map(|r| version_from_row(kind, r))
        .collect()
}

/// The version of a record in force at `at` (the last one recorded at or before it).
pub(crate) async fn version_as_of<T: DeserializeOwned>(
    src: Src<'_>,
    kind: &'static str,
    id: &str,
    at: Timestamp,
) -> Result<Option<Version<T>>, StoreError> {
    let sql = format!(
        "SELECT {VERSION_COLS} FROM {} WHERE kind = $1 AND entity_id = $2 \
         AND recorded_at <= $3 ORDER BY version DESC LIMIT 1",
        versions_table(kind)
    );
    let row: Option<VersionRow> = on_src!(src, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(kind)
        .bind(id)
        .bind(at.as_micros())
        .fetch_optional(c)
        .await)?;
    row.map(|r| version_from_row(kind, r)).transpose()
}

/// People naming `id` as a parent, today.
pub(crate) async fn children(src: Src<'_>, id: &str) -> Result<Vec<String>, StoreError> {
    on_src!(src, |c| sqlx::query_scalar(
        "SELECT id FROM registry_people WHERE parent1_id = $1 OR parent2_id = $1 ORDER BY id"
    )
    .bind(id)
    .fetch_all(c)
    .await)
    .map_err(StoreError::from_sqlx)
}

/// People whose Latin name, lower-cased, is LIKE `pattern` (escaped with `\\`), by name.
pub(crate) async fn people_by_name_prefix(
    src: Src<'_>,
    pattern: &str,
    limit: i64,
) -> Result<Vec<String>, StoreError> {
    on_src!(src, |c| sqlx::query_scalar(
        "SELECT id FROM registry_people WHERE lower(name_latin) LIKE $1 ESCAPE '\\' ORDER BY name_latin, id LIMIT $2"
    )
    .bind(pattern)
    .bind(limit)
    .fetch_all(c)
    .await)
    .map_err(StoreError::from_sqlx)
}

/// Businesses whose representative is `person`, today.
pub(crate) async fn represented_by(src: Src<'_>, person: &str) -> Result<Vec<String>, StoreError> {
    on_src!(src, |c| sqlx::query_scalar(
        "SELECT id FROM registry_businesses WHERE representative_id = $1 ORDER BY name, id"
    )
    .bind(person)
    .fetch_all(c)
    .await)
    .map_err(StoreError::from_sqlx)
}

/// The person who names `id` as their spouse (a marriage may be recorded on either row).
pub(crate) async fn spouse_of(src: Src<'_>, id: &str) -> Result<Option<String>, StoreError> {
    on_src!(src, |c| sqlx::query_scalar(
        "SELECT id FROM registry_people WHERE spouse_id = $1 ORDER BY id LIMIT 1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)
    .map_err(StoreError::from_sqlx)
}

/// All agencies, ordered by code.
pub(crate) async fn all_current(db: &Database, table: &Table) -> Result<Vec<Current>, StoreError> {
    let sql = format!(
        "SELECT {id}, version, updated_at, data, import_id FROM {t} ORDER BY {id}",
        id = table.id_col,
        t = table.table
    );
    let rows: Vec<(String, i64, i64, String, Option<String>)> =
        on_reader!(db, |p| sqlx::query_as(AssertSqlSafe(sql.clone()))
            .fetch_all(p)
            .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, version, updated_at, data, import_id)| Current {
            id,
            version,
            updated_at,
            data,
            import_id,
        })
        .collect())
}

/// Whether a person, business or agency with each of these ids exists; returns the missing.
pub(crate) async fn missing_ids(
    tx: &mut Tx,
    table: &Table,
    ids: &[String],
) -> Result<Vec<String>, StoreError> {
    let found: Vec<(String,)> =
        select_in(Src::Tx(tx), table.id_col, table.table, table.id_col, ids).await?;
    Ok(ids
        .iter()
        .filter(|i| !found.iter().any(|(f,)| f == *i))
        .cloned()
        .collect())
}
