//! Watchlists in the database, and the in-memory screening snapshot built from them.
//!
//! Each imported list is one row of `border_watchlists` (source, version, digest, import time)
//! with its entries; replacing a list deletes and inserts in one audited transaction. After an
//! import (and at start) the snapshot — the [`Screener`] index, the effective gate
//! configuration with the imported visa waivers — is rebuilt off the async threads and swapped in
//! atomically: decisions in flight keep the snapshot they started with.

use super::{Border, BorderError, db_err, sha256_hex};
use crate::gate::GateConfig;
use crate::lost_stolen::LostStolenRecord;
use crate::screen::Screener;
use crate::watchlist::WatchlistEntry;
use arc_swap::ArcSwap;
use dasan_kernel::{Actor, Timestamp};
use dasan_store::{on_reader, on_tx};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Rows per INSERT statement when loading a list (3-6 parameters each: well under both
/// engines' limits).
const BATCH: usize = 500;

/// What a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// The UN Security Council consolidated list.
    Un,
    /// A national list (CSV).
    National,
    /// Lost and stolen travel documents.
    LostStolen,
}

impl ListKind {
    fn as_str(self) -> &'static str {
        match self {
            ListKind::Un => "un",
            ListKind::National => "national",
            ListKind::LostStolen => "lost_stolen",
        }
    }

    fn parse(s: &str) -> Result<Self, BorderError> {
        Ok(match s {
            "un" => ListKind::Un,
            "national" => ListKind::National,
            "lost_stolen" => ListKind::LostStolen,
            other => return Err(BorderError::corrupt(format!("list kind {other:?}"))),
        })
    }
}

/// One imported list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListInfo {
    /// `un`, `national:<name>`, `lost-stolen:<name>`.
    pub list_key: String,
    /// What it holds.
    pub kind: ListKind,
    /// Its name.
    pub name: String,
    /// The version the importer gave.
    pub version: String,
    /// SHA-256 of the imported bytes.
    pub digest: String,
    /// Entries stored.
    pub entry_count: i64,
    /// Values the importer dropped or records it skipped.
    pub issue_count: i64,
    /// When.
    pub imported_at: Timestamp,
    /// The account that imported it (`None`: the platform itself, such as the demo or a
    /// command run on the server).
    pub imported_by: Option<String>,
}

/// What gates decide with, besides the rows looked up per traveller.
#[derive(Debug)]
pub struct ScreeningSnapshot {
    /// The screening index over every UN and national entry.
    pub screener: Screener,
    /// The lists it was built from.
    pub lists: Vec<ListInfo>,
    /// The gate configuration in force: the service's, with the imported visa waivers.
    pub config: GateConfig,
    /// Changes whenever a list or the waiver table is imported.
    pub generation: String,
}

/// A shared, atomically swapped [`ScreeningSnapshot`]. Readers never wait.
#[derive(Clone)]
pub struct Screening(Arc<ArcSwap<ScreeningSnapshot>>);

impl std::fmt::Debug for Screening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.0.load();
        f.debug_struct("Screening")
            .field("entries", &s.screener.len())
            .field("generation", &s.generation)
            .finish()
    }
}

impl Screening {
    pub(crate) fn empty() -> Self {
        Screening(Arc::new(ArcSwap::from_pointee(ScreeningSnapshot {
            screener: Screener::new(Vec::new()),
            lists: Vec::new(),
            config: GateConfig::default(),
            generation: String::new(),
        })))
    }

    /// The current snapshot (cheap; keep it for the whole decision).
    pub fn current(&self) -> Arc<ScreeningSnapshot> {
        self.0.load_full()
    }

    fn swap(&self, snapshot: ScreeningSnapshot) {
        self.0.store(Arc::new(snapshot));
    }
}

type ListRow = (
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<String>,
);

fn list_from_row(r: ListRow) -> Result<ListInfo, BorderError> {
    Ok(ListInfo {
        list_key: r.0,
        kind: ListKind::parse(&r.1)?,
        name: r.2,
        version: r.3,
        digest: r.4,
        entry_count: r.5,
        issue_count: r.6,
        imported_at: Timestamp::from_micros(r.7),
        imported_by: r.8,
    })
}

/// The name of an XML document's root element (`None`: not XML, or no element).
fn xml_root(xml: &[u8]) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) => {
                return Some(String::from_utf8_lossy(e.name().as_ref()).into_owned());
            }
            Event::Eof => return None,
            _ => buf.clear(),
        }
    }
}

fn check_label(field: &str, s: &str) -> Result<(), BorderError> {
    if s.trim().is_empty() || s.len() > 200 || s.chars().any(|c| c.is_control()) || s.trim() != s {
        return Err(BorderError::invalid(field, "border-error-label"));
    }
    Ok(())
}

impl Border {
    /// Imports (replacing) the UN Security Council consolidated list from its published XML.
    pub async fn import_un_list(
        &self,
        actor: Actor,
        version: &str,
        xml: &[u8],
    ) -> Result<ListInfo, BorderError> {
        check_label("version", version)?;
        // Another XML file (well-formed, but no list) would replace the list with nothing.
        match xml_root(xml).as_deref() {
            Some("CONSOLIDATED_LIST") => {}
            Some(root) => {
                return Err(BorderError::Import(format!(
                    "not the UN consolidated list: the root element is {root}"
                )));
            }
            None => return Err(BorderError::Import("no XML element".into())),
        }
        let imported =
            crate::import::import_un_xml(xml).map_err(|e| BorderError::Import(e.to_string()))?;
        let issues = imported.issues.len();
        self.replace_screening_list(
            actor,
            ListKind::Un,
            "UN",
            version,
            sha256_hex(xml),
            imported.records,
            issues,
        )
        .await
    }

    /// Imports (replacing) a national list in CSV under the list name `name` (`KOR-MOJ`).
    pub async fn import_national_list(
        &self,
        actor: Actor,
        name: &str,
        version: &str,
        csv: &[u8],
    ) -> Result<ListInfo, BorderError> {
        check_label("name", name)?;
        check_label("version", version)?;
        let imported = crate::import::import_national_csv(name, csv)
            .map_err(|e| BorderError::Import(e.to_string()))?;
        let issues = imported.issues.len();
        self.replace_screening_list(
            actor,
            ListKind::National,
            name,
            version,
            sha256_hex(csv),
            imported.records,
            issues,
        )
        .await
    }

    /// Imports (replacing) a lost/stolen travel document list in CSV under `name` (`SLTD`).
    pub async fn import_lost_stolen(
        &self,
        actor: Actor,
        name: &str,
        version: &str,
        csv: &[u8],
    ) -> Result<ListInfo, BorderError> {
        check_label("name", name)?;
        check_label("version", version)?;
        let imported = crate::lost_stolen::import_lost_stolen_csv(csv)
            .map_err(|e| BorderError::Import(e.to_string()))?;
        // One row per document (a later record replaces an earlier one, as in the list type).
        let mut records: BTreeMap<(String, String), LostStolenRecord> = BTreeMap::new();
        for r in imported.records {
            records.insert((r.issuing_state.clone(), r.document_number.clone()), r);
        }
        let list_key = format!("lost-stolen:{name}");
        let mut tx = self.db.begin(actor).await?;
        let now = tx.now();
        upsert_list(
            &mut tx,
            &list_key,
            ListKind::LostStolen,
            name,
            version,
            &sha256_hex(csv),
            records.len(),
            imported.issues.len(),
            now,
        )
        .await?;
        on_tx!(tx, |c| sqlx::query(
            "DELETE FROM border_lost_stolen WHERE list_key = $1"
        )
        .bind(&list_key)
        .execute(c)
        .await
        .map(drop))
        .map_err(db_err)?;
        let rows: Vec<&LostStolenRecord> = records.values().collect();
        for chunk in rows.chunks(BATCH) {
            let sql = values_sql(
                "INSERT INTO border_lost_stolen (issuing_state, document_number, list_key, document_type, reported_on, reference) VALUES ",
                6,
                chunk.len(),
            );
            on_tx!(tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for r in chunk {
                    q = q
                        .bind(&r.issuing_state)
                        .bind(&r.document_number)
                        .bind(&list_key)
                        .bind(&r.document_type)
                        .bind(&r.reported_on)
                        .bind(&r.reference);
                }
                q.execute(c).await.map(drop)
            })
            .map_err(db_err)?;
        }
        tx.record(
            "border.list.import",
            format!("border-list:{list_key}"),
            serde_json::json!({
                "kind": "lost_stolen", "name": name, "version": version,
                "digest": sha256_hex(csv), "entries": records.len(),
                "issues": imported.issues.len(),
            }),
        );
        tx.commit().await?;
        self.refresh_screening().await?;
        self.list(&list_key).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn replace_screening_list(
        &self,
        actor: Actor,
        kind: ListKind,
        name: &str,
        version: &str,
        digest: String,
        records: Vec<WatchlistEntry>,
        issues: usize,
    ) -> Result<ListInfo, BorderError> {
        let list_key = match kind {
            ListKind::Un => "un".to_string(),
            _ => format!("national:{name}"),
        };
        // One row per entry id: a later record replaces an earlier one.
        let mut entries: BTreeMap<String, String> = BTreeMap::new();
        for e in &records {
            let json = serde_json::to_string(e).map_err(BorderError::corrupt)?;
            entries.insert(e.id.clone(), json);
        }
        let mut tx = self.db.begin(actor).await?;
        let now = tx.now();
        upsert_list(
            &mut tx,
            &list_key,
            kind,
            name,
            version,
            &digest,
            entries.len(),
            issues,
            now,
        )
        .await?;
        on_tx!(tx, |c| sqlx::query(
            "DELETE FROM border_watchlist_entries WHERE list_key = $1"
        )
        .bind(&list_key)
        .execute(c)
        .await
        .map(drop))
        .map_err(db_err)?;
        let rows: Vec<(&String, &String)> = entries.iter().collect();
        for chunk in rows.chunks(BATCH) {
            let sql = values_sql(
                "INSERT INTO border_watchlist_entries (list_key, entry_id, entry) VALUES ",
                3,
                chunk.len(),
            );
            on_tx!(tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for (id, json) in chunk {
                    q = q.bind(&list_key).bind(*id).bind(*json);
                }
                q.execute(c).await.map(drop)
            })
            .map_err(db_err)?;
        }
        tx.record(
            "border.list.import",
            format!("border-list:{list_key}"),
            serde_json::json!({
                "kind": kind.as_str(), "name": name, "version": version,
                "digest": digest, "entries": entries.len(), "issues": issues,
            }),
        );
        tx.commit().await?;
        self.refresh_screening().await?;
        self.list(&list_key).await
    }

    /// One list's import record.
    pub async fn list(&self, list_key: &str) -> Result<ListInfo, BorderError> {
        let row: Option<ListRow> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT list_key, kind, name, version, digest, entry_count, issue_count, imported_at, imported_by \
             FROM border_watchlists WHERE list_key = $1"
        )
        .bind(list_key)
        .fetch_optional(p)
        .await
        })
        .map_err(db_err)?;
        list_from_row(row.ok_or(BorderError::NotFound)?)
    }

    /// Every imported list.
    pub async fn lists(&self) -> Result<Vec<ListInfo>, BorderError> {
        let rows: Vec<ListRow> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT list_key, kind, name, version, digest, entry_count, issue_count, imported_at, imported_by \
             FROM border_watchlists ORDER BY list_key"
        )
        .fetch_all(p)
        .await
        })
        .map_err(db_err)?;
        rows.into_iter().map(list_from_row).collect()
    }

    /// The generation of the stored lists and tables: changes with every import.
    async fn stored_generation(&self) -> Result<String, BorderError> {
        let rows: Vec<(String, i64, String)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT list_key, generation, digest FROM border_watchlists \
             UNION ALL SELECT name, imported_at, digest FROM border_table_versions \
             ORDER BY 1"
        )
        .fetch_all(p)
        .await)
        .map_err(db_err)?;
        Ok(rows
            .iter()
            .map(|(k, g, d)| format!("{k}@{g}:{d}"))
            .collect::<Vec<_>>()
            .join(";"))
    }

    /// Rebuilds the screening snapshot from the database and swaps it in. Runs at start and
    /// after every import on this node; other nodes call [`Border::refresh_if_changed`]
    /// periodically.
    pub async fn refresh_screening(&self) -> Result<(), BorderError> {
        let generation = self.stored_generation().await?;
        let lists = self.lists().await?;
        let rows: Vec<(String,)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT e.entry FROM border_watchlist_entries e \
             JOIN border_watchlists l ON l.list_key = e.list_key \
             WHERE l.kind IN ('un', 'national') ORDER BY e.list_key, e.entry_id"
        )
        .fetch_all(p)
        .await)
        .map_err(db_err)?;
        let waivers = self.waiver_table().await?;
        let mut config = self.config.gate.clone();
        if let Some((version, days)) = waivers {
            config.visa.waiver_days = days;
            config.version = format!("{}+waivers:{version}", config.version);
        }
        let snapshot = tokio::task::spawn_blocking(move || {
            let mut entries = Vec::with_capacity(rows.len());
            for (json,) in rows {
                let e: WatchlistEntry = serde_json::from_str(&json)
                    .map_err(|e| BorderError::corrupt(format!("watchlist entry: {e}")))?;
                entries.push(e);
            }
            Ok::<_, BorderError>(ScreeningSnapshot {
                screener: Screener::new(entries),
                lists,
                config,
                generation,
            })
        })
        .await
        .map_err(|e| BorderError::corrupt(format!("index build: {e}")))??;
        tracing::info!(
            entries = snapshot.screener.len(),
            generation = %snapshot.generation,
            "border screening index rebuilt"
        );
        self.screening.swap(snapshot);
        Ok(())
    }

    /// Rebuilds the snapshot only when another node imported something since; `true` when it
    /// did.
    pub async fn refresh_if_changed(&self) -> Result<bool, BorderError> {
        let stored = self.stored_generation().await?;
        if stored == self.screening.current().generation {
            return Ok(false);
        }
        self.refresh_screening().await?;
        Ok(true)
    }
}

#[allow(clippy::too_many_arguments)]
async fn upsert_list(
    tx: &mut dasan_store::Tx,
    list_key: &str,
    kind: ListKind,
    name: &str,
    version: &str,
    digest: &str,
    entries: usize,
    issues: usize,
    now: Timestamp,
) -> Result<(), BorderError> {
    let entries = i64::try_from(entries).unwrap_or(i64::MAX);
    let issues = i64::try_from(issues).unwrap_or(i64::MAX);
    let by = tx.actor().account.map(|a| a.to_string());
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO border_watchlists (list_key, kind, name, version, digest, entry_count, issue_count, imported_at, generation, imported_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) \
         ON CONFLICT (list_key) DO UPDATE SET name = excluded.name, version = excluded.version, \
         digest = excluded.digest, entry_count = excluded.entry_count, \
         issue_count = excluded.issue_count, imported_at = excluded.imported_at, \
         generation = excluded.generation, imported_by = excluded.imported_by"
    )
    .bind(list_key)
    .bind(kind.as_str())
    .bind(name)
    .bind(version)
    .bind(digest)
    .bind(entries)
    .bind(issues)
    .bind(now.as_micros())
    .bind(&by)
    .execute(c)
    .await
    .map(drop))
    .map_err(db_err)
}

/// `prefix` followed by `rows` groups of `columns` numbered placeholders.
pub(crate) fn values_sql(prefix: &str, columns: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(prefix.len() + rows * columns * 5);
    sql.push_str(prefix);
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for col in 0..columns {
            if col > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push('$');
            sql.push_str(&n.to_string());
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_root_element_names_the_file() {
        let un = b"<?xml version=\"1.0\"?>\n<!-- x --><CONSOLIDATED_LIST a=\"1\"><INDIVIDUALS/></CONSOLIDATED_LIST>";
        assert_eq!(super::xml_root(un).as_deref(), Some("CONSOLIDATED_LIST"));
        assert_eq!(super::xml_root(b"<nope/>").as_deref(), Some("nope"));
        assert_eq!(super::xml_root(b"id,kind\n1,2\n"), None);
        assert_eq!(super::xml_root(b""), None);
    }
}
