//! The SQL of the registry, written once for both engines.
//!
//! Every record kind is stored the same way: a current row (indexed columns plus the record
//! as JSON) in its own table, and one row per version in `registry_versions`. Writes are
//! multi-row upserts, so a bulk import and a single change share one code path.

use crate::model::{AgencyData, BusinessData, PersonData, Version};
use dasan_kernel::{Actor, ActorKind, Timestamp};
use dasan_store::{Database, StoreError, Tx, on_reader, on_tx};
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

/// A bound value.
#[derive(Clone, Debug)]
pub(crate) enum Val {
    T(Option<String>),
    I(i64),
}

macro_rules! bind_vals {
    ($q:expr, $vals:expr) => {{
        let mut q = $q;
        for v in $vals {
            q = match v {
                Val::T(s) => q.bind(s.clone()),
                Val::I(i) => q.bind(*i),
            };
        }
        q
    }};
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

fn placeholders(out: &mut String, start: usize, n: usize) {
    out.push('(');
    for i in 0..n {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('$');
        out.push_str(&(start + i).to_string());
    }
    out.push(')');
}

fn actor_kind(actor: &Actor) -> &'static str {
    match actor.kind {
        ActorKind::Anonymous => "anonymous",
        ActorKind::Account => "account",
        ActorKind::System => "system",
    }
}

/// Writes records and their version rows in two multi-row statements.
pub(crate) async fn write_many(
    tx: &mut Tx,
    table: &Table,
    writes: &[Write],
    reason: &str,
    import_id: Option<&str>,
) -> Result<(), StoreError> {
    if writes.is_empty() {
        return Ok(());
    }
    let now = tx.now().as_micros();
    let actor = tx.actor().clone();

    let mut cols: Vec<&str> = vec![table.id_col];
    if let Some(k) = table.key_col {
        cols.push(k);
    }
    cols.extend(table.extra);
    cols.extend(["version", "updated_at", "import_id", "data"]);
    let mut sql = format!("INSERT INTO {} ({}) VALUES ", table.table, cols.join(", "));
    let mut vals: Vec<Val> = Vec::with_capacity(writes.len() * cols.len());
    for (i, w) in writes.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        placeholders(&mut sql, vals.len() + 1, cols.len());
        vals.push(Val::T(Some(w.id.clone())));
        if table.key_col.is_some() {
            vals.push(Val::T(Some(w.key.clone())));
        }
        vals.extend(w.extra.iter().cloned().map(Val::T));
        vals.push(Val::I(w.version));
        vals.push(Val::I(now));
        vals.push(Val::T(import_id.map(str::to_owned)));
        vals.push(Val::T(Some(w.data.clone())));
    }
    let updates: Vec<String> = cols[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    sql.push_str(&format!(
        " ON CONFLICT ({}) DO UPDATE SET {}",
        table.id_col,
        updates.join(", ")
    ));
    on_tx!(tx, |c| bind_vals!(
        sqlx::query(AssertSqlSafe(sql.clone())),
        &vals
    )
    .execute(c)
    .await
    .map(drop))?;

    const VCOLS: usize = 10;
    let mut sql = String::from(
        "INSERT INTO registry_versions (kind, entity_id, version, recorded_at, actor_kind, \
         actor_account, actor_agency, reason, changes, data) VALUES ",
    );
    let mut vals: Vec<Val> = Vec::with_capacity(writes.len() * VCOLS);
    let account = actor.account.map(|a| a.to_string());
    for (i, w) in writes.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        placeholders(&mut sql, vals.len() + 1, VCOLS);
        vals.push(Val::T(Some(table.kind.to_owned())));
        vals.push(Val::T(Some(w.id.clone())));
        vals.push(Val::I(w.version));
        vals.push(Val::I(now));
        vals.push(Val::T(Some(actor_kind(&actor).to_owned())));
        vals.push(Val::T(account.clone()));
        vals.push(Val::T(actor.agency.clone()));
        vals.push(Val::T(Some(reason.to_owned())));
        vals.push(Val::T(Some(
            serde_json::to_string(&w.changes).unwrap_or_else(|_| "[]".to_owned()),
        )));
        vals.push(Val::T(Some(w.data.clone())));
    }
    on_tx!(tx, |c| bind_vals!(
        sqlx::query(AssertSqlSafe(sql.clone())),
        &vals
    )
    .execute(c)
    .await
    .map(drop))?;
    Ok(())
}

fn in_list(start: usize, n: usize) -> String {
    let mut s = String::new();
    placeholders(&mut s, start, n);
    s
}

type CurrentRow = (String, String, i64, i64, String, Option<String>);

/// Current records by natural key.
pub(crate) async fn current_by_keys(
    src: Src<'_>,
    table: &Table,
    keys: &[String],
) -> Result<HashMap<String, Current>, StoreError> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT {id}, {key}, version, updated_at, data, import_id FROM {t} WHERE {key} IN {list}",
        id = table.id_col,
        key = table.key(),
        t = table.table,
        list = in_list(1, keys.len())
    );
    let rows: Vec<CurrentRow> = on_src!(src, |c| {
        let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
        for k in keys {
            q = q.bind(k.clone());
        }
        q.fetch_all(c).await
    })?;
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
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT {id}, {key}, {tag} FROM {t} WHERE {key} IN {list}",
        id = table.id_col,
        key = table.key(),
        tag = table.tag_col.unwrap_or("NULL"),
        t = table.table,
        list = in_list(1, keys.len())
    );
    let rows: Vec<(String, String, Option<String>)> = on_src!(src, |c| {
        let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
        for k in keys {
            q = q.bind(k.clone());
        }
        q.fetch_all(c).await
    })?;
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
        "SELECT {VERSION_COLS} FROM registry_versions WHERE kind = $1 AND entity_id = $2 ORDER BY version"
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
        "SELECT {VERSION_COLS} FROM registry_versions WHERE kind = $1 AND entity_id = $2 \
         AND recorded_at <= $3 ORDER BY version DESC LIMIT 1"
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
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {id} FROM {t} WHERE {id} IN {list}",
        id = table.id_col,
        t = table.table,
        list = in_list(1, ids.len())
    );
    let found: Vec<String> = on_tx!(tx, |c| {
        let mut q = sqlx::query_scalar(AssertSqlSafe(sql.clone()));
        for k in ids {
            q = q.bind(k.clone());
        }
        q.fetch_all(c).await
    })?;
    Ok(ids.iter().filter(|i| !found.contains(i)).cloned().collect())
}
