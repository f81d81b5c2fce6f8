//! `dasan doc issue`: an authorised operator issues certificates, one or a batch, through the
//! same path as the portal (`Civil::issue_by_operator`: same numbering, check code, signing
//! and audit events). The operator is whoever holds the API token given: a token of an
//! official's own account, scoped to `civil.review`, used in the agency whose certificates
//! are issued. Each row succeeds or fails on its own; a bad row never stops the batch.

use dasan_civil::Civil;
use dasan_identity::Principal;
use dasan_store::Database;
use std::path::{Path, PathBuf};

/// One document to issue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueRow {
    /// A document type code (`business-registration`) or a service code.
    pub kind: String,
    /// National identifier, business registration number or parcel number.
    pub subject: String,
    /// Where to write the signed PDF.
    pub out: PathBuf,
}

/// What happened to one row (numbered from 1 as in the file, header excluded).
#[derive(Clone, Debug)]
pub struct RowOutcome {
    pub row: usize,
    pub subject: String,
    /// The issue number, or why nothing was issued.
    pub result: Result<String, String>,
}

/// The operator the token belongs to; `None` when it is unknown, expired or revoked.
pub async fn operator(db: &Database, token: &str) -> anyhow::Result<Option<Principal>> {
    Ok(dasan_identity::tokens::authenticate(db, token.trim()).await?)
}

/// Reads a batch file: CSV rows `type,subject,out`, an optional header row starting with
/// `type`. A row that cannot be read is an error of its own, reported with its number.
pub fn read_batch(text: &str, base: &Path) -> Vec<(usize, Result<IssueRow, String>)> {
    let mut out = Vec::new();
    let mut n = 0;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if n == 0 && cols.first().is_some_and(|c| c.eq_ignore_ascii_case("type")) {
            continue;
        }
        n += 1;
        let row = match cols.as_slice() {
            [kind, subject, file]
                if !kind.is_empty() && !subject.is_empty() && !file.is_empty() =>
            {
                Ok(IssueRow {
                    kind: (*kind).to_owned(),
                    subject: (*subject).to_owned(),
                    out: base.join(file),
                })
            }
            _ => Err("expected three columns: type,subject,out".to_owned()),
        };
        out.push((n, row));
    }
    out
}

/// Why a refused issuance was refused, in words an operator can act on.
fn explain(e: &dasan_civil::CivilError) -> String {
    use dasan_kernel::Problem;
    let fields: Vec<String> = e
        .field_errors()
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect();
    if fields.is_empty() {
        format!("{} ({e})", e.code())
    } else {
        format!("{} ({})", e.code(), fields.join("; "))
    }
}

/// Issues every row, each on its own: a failure is reported and the next row goes on.
pub async fn issue_rows(
    civil: &Civil,
    operator: &Principal,
    rows: Vec<(usize, Result<IssueRow, String>)>,
) -> Vec<RowOutcome> {
    let mut outcomes = Vec::new();
    for (n, row) in rows {
        let (subject, result) = match row {
            Err(why) => (String::new(), Err(why)),
            Ok(row) => {
                let result = match civil
                    .issue_by_operator(operator, &row.kind, &row.subject)
                    .await
                {
                    Ok(issued) => std::fs::write(&row.out, &issued.pdf)
                        .map(|()| issued.document.issue_number.clone())
                        .map_err(|e| {
                            format!(
                                "issued {} but cannot write {}: {e}",
                                issued.document.issue_number,
                                row.out.display()
                            )
                        }),
                    Err(e) => Err(explain(&e)),
                };
                (row.subject, result)
            }
        };
        outcomes.push(RowOutcome {
            row: n,
            subject,
            result,
        });
    }
    outcomes
}
