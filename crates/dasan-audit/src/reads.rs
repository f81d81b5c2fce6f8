//! "Who looked at my data": the reads of a person's data for a stated purpose.

use crate::log::AuditLogError;
use dasan_kernel::Timestamp;
use dasan_store::{Database, StoreError, on_reader};
use serde::Serialize;

/// One read of personal data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataRead {
    pub at: Timestamp,
    /// The agency that read, if the reader acted for one.
    pub agency: Option<String>,
    /// The reading account (an official or an agency system), if any.
    pub account: Option<String>,
    /// What was done, e.g. `registry.lookup`.
    pub action: String,
    /// The legal purpose given.
    pub purpose: String,
    /// Which fields, where the event says.
    pub fields: Vec<String>,
    /// Whether the read was refused (a look-up no sharing rule allowed).
    pub refused: bool,
}

type ReadRow = (i64, Option<String>, Option<String>, String, String, String);

/// The newest reads of `subject` (e.g. `person:…`) for a purpose, newest first.
pub async fn reads_of(
    db: &Database,
    subject: &str,
    limit: u32,
) -> Result<Vec<DataRead>, AuditLogError> {
    let rows: Vec<ReadRow> = on_reader!(db, |p| sqlx::query_as(
        "SELECT at, actor_agency, actor_account, action, purpose, detail FROM audit_events \
             WHERE subject = $1 AND purpose IS NOT NULL ORDER BY at DESC LIMIT $2"
    )
    .bind(subject)
    .bind(i64::from(limit))
    .fetch_all(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    Ok(rows
        .into_iter()
        .map(|(at, agency, account, action, purpose, detail)| {
            let detail: serde_json::Value = serde_json::from_str(&detail).unwrap_or_default();
            DataRead {
                at: Timestamp::from_micros(at),
                agency,
                account,
                action,
                purpose,
                fields: detail["fields"]
                    .as_array()
                    .map(|f| {
                        f.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
                refused: detail["outcome"] == "refused",
            }
        })
        .collect())
}
