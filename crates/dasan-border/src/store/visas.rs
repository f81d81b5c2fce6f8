//! The visa table (imported from the visa system) and the visa waiver table (configuration),
//! each replaced whole in one audited transaction.
//!
//! Visa CSV columns: `number, issuing_state, document_number, nationality, category,
//! valid_from, valid_until, stay_days` (dates `YYYY-MM-DD`). Waiver CSV: `nationality, days`.

use super::enrolment::date;
use super::lists::values_sql;
use super::{Border, BorderError, db_err, sha256_hex};
use crate::gate::Visa;
use crate::lost_stolen::canonical_number;
use crate::types::CalendarDate;
use dasan_kernel::{Actor, FieldError};
use dasan_store::{on_reader, on_tx};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The gate's probe for a visa (index `border_visas_document`).
pub(crate) const VISA_PROBE: &str = "SELECT number, category, valid_from, valid_until, stay_days FROM border_visas \
                 WHERE issuing_state = $1 AND document_number = $2 AND valid_from <= $3 \
                 ORDER BY valid_until DESC LIMIT 1";

/// One visa.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisaRow {
    /// Visa number.
    pub number: String,
    /// The passport it is attached to: issuing state …
    pub issuing_state: String,
    /// … and number.
    pub document_number: String,
    /// Holder's nationality.
    pub nationality: String,
    /// Category (`C-3`, `E-9`).
    pub category: String,
    /// First day of use.
    pub valid_from: CalendarDate,
    /// Last day of use.
    pub valid_until: CalendarDate,
    /// Days of stay each entry permits.
    pub stay_days: u16,
}

fn csv_err(e: csv::Error) -> BorderError {
    let line = e.position().map_or(0, |p| p.line());
    BorderError::Import(format!("line {line}: {e}"))
}

fn is_code(s: &str) -> bool {
    (1..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// Reads a visa CSV, refusing the whole file on the first bad row (a visa table is exact data).
pub fn parse_visa_csv(csv_bytes: &[u8]) -> Result<Vec<VisaRow>, BorderError> {
    #[derive(Deserialize)]
    struct Row {
        number: String,
        issuing_state: String,
        document_number: String,
        nationality: String,
        category: String,
        valid_from: String,
        valid_until: String,
        stay_days: String,
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(csv_bytes);
    let mut out: BTreeMap<String, VisaRow> = BTreeMap::new();
    for (i, row) in reader.deserialize::<Row>().enumerate() {
        let row = row.map_err(csv_err)?;
        let line = i + 2;
        let bad = |field: &str| {
            BorderError::Invalid(vec![
                FieldError::new(field, "border-error-visa-row").with_arg("line", line),
            ])
        };
        let state = row.issuing_state.to_ascii_uppercase();
        let nationality = row.nationality.to_ascii_uppercase();
        if !is_code(&state) {
            return Err(bad("issuing_state"));
        }
        if !is_code(&nationality) {
            return Err(bad("nationality"));
        }
        let document_number =
            canonical_number(&row.document_number).ok_or_else(|| bad("document_number"))?;
        if row.number.is_empty() || row.number.len() > 40 {
            return Err(bad("number"));
        }
        let valid_from = CalendarDate::parse(&row.valid_from).ok_or_else(|| bad("valid_from"))?;
        let valid_until =
            CalendarDate::parse(&row.valid_until).ok_or_else(|| bad("valid_until"))?;
        if valid_until < valid_from {
            return Err(bad("valid_until"));
        }
        let stay_days: u16 = row.stay_days.parse().map_err(|_| bad("stay_days"))?;
        if out.contains_key(&row.number) {
            return Err(bad("number"));
        }
        out.insert(
            row.number.clone(),
            VisaRow {
                number: row.number,
                issuing_state: state,
                document_number,
                nationality,
                category: row.category,
                valid_from,
                valid_until,
                stay_days,
            },
        );
    }
    Ok(out.into_values().collect())
}

/// Reads a waiver CSV (`nationality, days`).
pub fn parse_waiver_csv(csv_bytes: &[u8]) -> Result<BTreeMap<String, u16>, BorderError> {
    #[derive(Deserialize)]
    struct Row {
        nationality: String,
        days: String,
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(csv_bytes);
    let mut out = BTreeMap::new();
    for (i, row) in reader.deserialize::<Row>().enumerate() {
        let row = row.map_err(csv_err)?;
        let bad = |field: &str| {
            BorderError::Invalid(vec![
                FieldError::new(field, "border-error-waiver-row").with_arg("line", i + 2),
            ])
        };
        let n = row.nationality.to_ascii_uppercase();
        if !is_code(&n) || out.contains_key(&n) {
            return Err(bad("nationality"));
        }
        let days: u16 = row.days.parse().map_err(|_| bad("days"))?;
        if days == 0 {
            return Err(bad("days"));
        }
        out.insert(n, days);
    }
    Ok(out)
}

async fn set_table_version(
    tx: &mut dasan_store::Tx,
    name: &str,
    version: &str,
    digest: &str,
    rows: usize,
) -> Result<(), BorderError> {
    let now = tx.now().as_micros();
    let rows = i64::try_from(rows).unwrap_or(i64::MAX);
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO border_table_versions (name, version, digest, row_count, imported_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO UPDATE SET version = excluded.version, \
         digest = excluded.digest, row_count = excluded.row_count, imported_at = excluded.imported_at"
    )
    .bind(name)
    .bind(version)
    .bind(digest)
    .bind(rows)
    .bind(now)
    .execute(c)
    .await
    .map(drop))
    .map_err(db_err)
}

impl Border {
    /// Replaces the visa table with a CSV export of the visa system.
    pub async fn import_visas(
        &self,
        actor: Actor,
        version: &str,
        csv: &[u8],
    ) -> Result<usize, BorderError> {
        if version.trim().is_empty() {
            return Err(BorderError::invalid("version", "border-error-label"));
        }
        let rows = parse_visa_csv(csv)?;
        let mut tx = self.db.begin(actor).await?;
        on_tx!(tx, |c| sqlx::query("DELETE FROM border_visas")
            .execute(c)
            .await
            .map(drop))
        .map_err(db_err)?;
        for chunk in rows.chunks(400) {
            let sql = values_sql(
                "INSERT INTO border_visas (number, issuing_state, document_number, nationality, category, valid_from, valid_until, stay_days) VALUES ",
                8,
                chunk.len(),
            );
            on_tx!(tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for v in chunk {
                    q = q
                        .bind(&v.number)
                        .bind(&v.issuing_state)
                        .bind(&v.document_number)
                        .bind(&v.nationality)
                        .bind(&v.category)
                        .bind(v.valid_from.to_string())
                        .bind(v.valid_until.to_string())
                        .bind(i64::from(v.stay_days));
                }
                q.execute(c).await.map(drop)
            })
            .map_err(db_err)?;
        }
        let digest = sha256_hex(csv);
        set_table_version(&mut tx, "visas", version, &digest, rows.len()).await?;
        tx.record(
            "border.visas.import",
            "border-table:visas",
            serde_json::json!({ "version": version, "digest": digest, "rows": rows.len() }),
        );
        tx.commit().await?;
        Ok(rows.len())
    }

    /// Replaces the visa waiver table (configuration) and rebuilds the gate configuration.
    pub async fn import_visa_waivers(
        &self,
        actor: Actor,
        version: &str,
        csv: &[u8],
    ) -> Result<usize, BorderError> {
        if version.trim().is_empty() {
            return Err(BorderError::invalid("version", "border-error-label"));
        }
        let waivers = parse_waiver_csv(csv)?;
        let mut tx = self.db.begin(actor).await?;
        on_tx!(tx, |c| sqlx::query("DELETE FROM border_visa_waivers")
            .execute(c)
            .await
            .map(drop))
        .map_err(db_err)?;
        let rows: Vec<(&String, &u16)> = waivers.iter().collect();
        for chunk in rows.chunks(400) {
            let sql = values_sql(
                "INSERT INTO border_visa_waivers (nationality, days) VALUES ",
                2,
                chunk.len(),
            );
            on_tx!(tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for (n, d) in chunk {
                    q = q.bind(*n).bind(i64::from(**d));
                }
                q.execute(c).await.map(drop)
            })
            .map_err(db_err)?;
        }
        let digest = sha256_hex(csv);
        set_table_version(&mut tx, "visa_waivers", version, &digest, waivers.len()).await?;
        tx.record(
            "border.visa-waivers.import",
            "border-table:visa_waivers",
            serde_json::json!({ "version": version, "digest": digest, "waivers": waivers }),
        );
        tx.commit().await?;
        self.refresh_screening().await?;
        Ok(waivers.len())
    }

    /// The imported waiver table with its version, when one was imported.
    pub(crate) async fn waiver_table(
        &self,
    ) -> Result<Option<(String, BTreeMap<String, u16>)>, BorderError> {
        let version: Option<(String,)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT version FROM border_table_versions WHERE name = 'visa_waivers'"
        )
        .fetch_optional(p)
        .await)
        .map_err(db_err)?;
        let Some((version,)) = version else {
            return Ok(None);
        };
        let rows: Vec<(String, i64)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT nationality, days FROM border_visa_waivers ORDER BY nationality"
        )
        .fetch_all(p)
        .await)
        .map_err(db_err)?;
        let days = rows
            .into_iter()
            .map(|(n, d)| (n, u16::try_from(d).unwrap_or(u16::MAX)))
            .collect();
        Ok(Some((version, days)))
    }

    /// The visa for a passport usable on `today`: the one ending last among those already in
    /// force (it may have ended; the rule says so).
    pub(crate) async fn visa_lookup(
        &self,
        issuing_state: &str,
        document_number: &str,
        today: CalendarDate,
    ) -> Result<Option<(Visa, u16)>, BorderError> {
        let row: Option<(String, String, String, String, i64)> =
            on_reader!(self.db, |p| sqlx::query_as(VISA_PROBE)
                .bind(issuing_state)
                .bind(document_number)
                .bind(today.to_string())
                .fetch_optional(p)
                .await)
            .map_err(db_err)?;
        row.map(|(number, category, from, until, stay)| {
            visa_from_row(number, category, &from, &until, stay)
        })
        .transpose()
    }
}

/// A visa and the days it lets its holder stay, from its stored columns.
pub(crate) fn visa_from_row(
    number: String,
    category: String,
    valid_from: &str,
    valid_until: &str,
    stay_days: i64,
) -> Result<(Visa, u16), BorderError> {
    Ok((
        Visa {
            number,
            category,
            valid_from: date(valid_from)?,
            valid_until: date(valid_until)?,
        },
        u16::try_from(stay_days).unwrap_or(u16::MAX),
    ))
}
