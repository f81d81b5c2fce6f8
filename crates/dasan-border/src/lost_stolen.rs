//! The lost/stolen travel document list (as INTERPOL SLTD extracts or national lists give it):
//! issuing state + document number, matched exactly.
//!
//! CSV columns (header required, order free): `issuing_state` (MRZ code: `KOR`, `D`, `GBR`),
//! `document_number`, and optionally `document_type`, `reported_on` (`YYYY-MM-DD`),
//! `reference`. Numbers are compared as the MRZ prints them: upper case, without spaces,
//! hyphens or `<` fillers.

use crate::import::{ImportError, ImportIssue, Imported, IssueKind, parse_date};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One reported document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostStolenRecord {
    /// Issuing state, MRZ code.
    pub issuing_state: String,
    /// Document number, canonical (see [`canonical_number`]).
    pub document_number: String,
    /// Document type as reported, may be empty.
    pub document_type: String,
    /// Date reported, may be empty.
    pub reported_on: String,
    /// The reporting source's reference, may be empty.
    pub reference: String,
}

/// A document number as the MRZ prints it: `" m-1234 5678 "` → `M12345678`; `None` when a
/// character other than A-Z, 0-9 remains or nothing does.
pub fn canonical_number(n: &str) -> Option<String> {
    let s: String = n
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '<' | '\t'))
        .flat_map(char::to_uppercase)
        .collect();
    (!s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(s)
}

/// The list, for exact look-ups.
#[derive(Debug, Clone, Default)]
pub struct LostStolenList {
    by_document: HashMap<(String, String), LostStolenRecord>,
}

impl LostStolenList {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a record (after canonicalising its number); a later record replaces an earlier one.
    pub fn insert(&mut self, mut record: LostStolenRecord) {
        if let Some(n) = canonical_number(&record.document_number) {
            record.document_number = n;
        }
        record.issuing_state = record.issuing_state.trim().to_ascii_uppercase();
        self.by_document.insert(
            (record.issuing_state.clone(), record.document_number.clone()),
            record,
        );
    }

    /// Builds a list from records.
    pub fn from_records(records: impl IntoIterator<Item = LostStolenRecord>) -> Self {
        let mut list = Self::new();
        for r in records {
            list.insert(r);
        }
        list
    }

    /// The record for this document, exactly (state and canonical number).
    pub fn lookup(&self, issuing_state: &str, document_number: &str) -> Option<&LostStolenRecord> {
        let number = canonical_number(document_number)?;
        self.by_document
            .get(&(issuing_state.trim().to_ascii_uppercase(), number))
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.by_document.len()
    }

    /// No records?
    pub fn is_empty(&self) -> bool {
        self.by_document.is_empty()
    }
}

#[derive(Debug, Deserialize)]
struct Row {
    issuing_state: Option<String>,
    document_number: Option<String>,
    document_type: Option<String>,
    reported_on: Option<String>,
    reference: Option<String>,
}

/// Imports a lost/stolen list in CSV (columns above).
pub fn import_lost_stolen_csv<R: std::io::Read>(
    input: R,
) -> Result<Imported<LostStolenRecord>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let csv_err = |e: csv::Error| ImportError::Csv {
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    };
    let headers = reader.headers().map_err(csv_err)?.clone();
    for required in ["issuing_state", "document_number"] {
        if !headers.iter().any(|h| h == required) {
            return Err(ImportError::Csv {
                line: 1,
                message: format!("header has no {required:?} column"),
            });
        }
    }
    let mut out = Imported::default();
    for rec in reader.records() {
        let rec = rec.map_err(csv_err)?;
        let line = rec.position().map_or(0, |p| p.line());
        let row: Row = rec.deserialize(Some(&headers)).map_err(csv_err)?;
        let issue = |field: &str, problem| ImportIssue {
            line,
            record: row.document_number.clone().unwrap_or_default(),
            field: field.to_string(),
            problem,
        };
        let state = row
            .issuing_state
            .clone()
            .unwrap_or_default()
            .to_ascii_uppercase();
        if state.is_empty() {
            out.issues.push(issue("issuing_state", IssueKind::Missing));
            continue;
        }
        if !dasan_mrtd::countries::is_known_code(&state) {
            out.issues
                .push(issue("issuing_state", IssueKind::Unknown(state)));
            continue;
        }
        let raw = row.document_number.clone().unwrap_or_default();
        if raw.is_empty() {
            out.issues
                .push(issue("document_number", IssueKind::Missing));
            continue;
        }
        let Some(number) = canonical_number(&raw) else {
            out.issues
                .push(issue("document_number", IssueKind::Invalid(raw)));
            continue;
        };
        let mut reported_on = row.reported_on.clone().unwrap_or_default();
        if !reported_on.is_empty() && parse_date(&reported_on).is_none() {
            out.issues.push(issue(
                "reported_on",
                IssueKind::BadDate(reported_on.clone()),
            ));
            reported_on.clear();
        }
        out.records.push(LostStolenRecord {
            issuing_state: state,
            document_number: number,
            document_type: row.document_type.clone().unwrap_or_default(),
            reported_on,
            reference: row.reference.clone().unwrap_or_default(),
        });
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn exact_match_after_canonicalisation() {
        let csv = "issuing_state,document_number,document_type,reported_on\n\
                   KOR,M1234 5678,P,2026-01-02\n\
                   D,c01x00t47,P,\n\
                   QQQ,123,P,\n\
                   KOR,,P,\n\
                   KOR,AB#12,P,\n\
                   GBR,999,P,2026-13-01\n";
        let imported = import_lost_stolen_csv(csv.as_bytes()).unwrap();
        assert_eq!(
            imported.records.len(),
            3,
            "a bad date drops the date, not the row"
        );
        assert_eq!(imported.records[2].reported_on, "");
        let fields: Vec<(u64, &str)> = imported
            .issues
            .iter()
            .map(|i| (i.line, i.field.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                (4, "issuing_state"),
                (5, "document_number"),
                (6, "document_number"),
                (7, "reported_on")
            ]
        );
        let list = LostStolenList::from_records(imported.records);
        assert!(list.lookup("KOR", "M12345678").is_some());
        assert!(list.lookup("kor", "m1234-5678<<").is_some());
        assert!(list.lookup("D", "C01X00T47").is_some());
        assert!(list.lookup("KOR", "M12345679").is_none());
        assert!(list.lookup("PRK", "M12345678").is_none());
        assert!(list.lookup("KOR", "").is_none());
    }

    #[test]
    fn missing_header_is_an_error() {
        let err = import_lost_stolen_csv("state,number\nKOR,1\n".as_bytes()).unwrap_err();
        assert!(matches!(err, ImportError::Csv { line: 1, .. }), "{err}");
    }
}
