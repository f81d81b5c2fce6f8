//! Bulk import of people, businesses and agencies from CSV or JSON Lines.
//!
//! * **Streaming**: rows are read one at a time and written in batches of [`BATCH`]; memory
//!   does not grow with the file (a JSON line is capped at [`MAX_LINE`] bytes).
//! * **All or nothing**: the whole import is one transaction. Bad rows are reported (line,
//!   field, reason) and the transaction is rolled back if there was any; a dry run always
//!   rolls back, so it reports exactly what a real import would, and changes nothing.
//! * **Idempotent**: rows are matched on their natural key (national id, registration number,
//!   agency code); a row equal to the stored record is counted `unchanged` and writes nothing.
//!   A row replaces the whole record (an empty optional field clears it).
//! * **References** (parents, spouse, representative, parent agency) name the other record's
//!   natural key; it must already be registered or appear *earlier* in the same file.
//! * **Audit**: one `registry.import` event per committed import with the counts, not one per
//!   row; each changed record still gets its own version row (reason `import <id>`).

use crate::error::RegistryError;
use crate::ident::NationalIdScheme;
use crate::model::{
    Address, AgencyData, AgencyLevel, BusinessData, BusinessStatus, LegalForm, PersonData,
    PersonId, PersonStatus, Sex, TaxStanding,
};
use crate::store::{self, AGENCIES, Entity, PEOPLE, Src, Table};
use crate::validate::{self, Bad};
use dasan_store::Tx;
use serde::Serialize;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

/// Rows per multi-row statement.
pub const BATCH: usize = 1000;
/// The longest JSON line accepted, in bytes.
pub const MAX_LINE: usize = 1 << 20;

/// Which registry a file is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    People,
    Businesses,
    Agencies,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::People => "people",
            RecordKind::Businesses => "businesses",
            RecordKind::Agencies => "agencies",
        }
    }

    /// The columns (CSV header names, JSON keys) a file of this kind may have.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            RecordKind::People => PEOPLE_COLUMNS,
            RecordKind::Businesses => BUSINESS_COLUMNS,
            RecordKind::Agencies => AGENCY_COLUMNS,
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            RecordKind::People => PEOPLE_REQUIRED,
            RecordKind::Businesses => BUSINESS_REQUIRED,
            RecordKind::Agencies => AGENCY_REQUIRED,
        }
    }
}

/// The file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// RFC 4180 CSV, UTF-8, with a header row naming the columns.
    Csv,
    /// One JSON object per line; `address` may be a nested object, `parents` an array.
    Jsonl,
}

impl Format {
    /// Guesses the format from a file name (`.jsonl`/`.ndjson` → JSON Lines, else CSV).
    pub fn from_path(path: &std::path::Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("jsonl" | "ndjson" | "json") => Format::Jsonl,
            _ => Format::Csv,
        }
    }
}

pub const PEOPLE_COLUMNS: &[&str] = &[
    "national_id",
    "name_local",
    "name_latin",
    "birth_date",
    "sex",
    "nationality",
    "status",
    "status_date",
    "address_region",
    "address_locality",
    "address_street",
    "address_building",
    "address_unit",
    "address_postal_code",
    "address_country",
    "parents",
    "spouse",
];
const PEOPLE_REQUIRED: &[&str] = &[
    "national_id",
    "name_local",
    "name_latin",
    "birth_date",
    "sex",
    "nationality",
    "address_region",
    "address_locality",
    "address_street",
    "address_building",
    "address_postal_code",
    "address_country",
];
pub const BUSINESS_COLUMNS: &[&str] = &[
    "registration_number",
    "name",
    "legal_form",
    "representative",
    "industry",
    "status",
    "tax_standing",
    "address_region",
    "address_locality",
    "address_street",
    "address_building",
    "address_unit",
    "address_postal_code",
    "address_country",
];
const BUSINESS_REQUIRED: &[&str] = &[
    "registration_number",
    "name",
    "legal_form",
    "representative",
    "industry",
    "address_region",
    "address_locality",
    "address_street",
    "address_building",
    "address_postal_code",
    "address_country",
];
pub const AGENCY_COLUMNS: &[&str] = &["code", "name_local", "name_latin", "level", "parent_code"];
const AGENCY_REQUIRED: &[&str] = &["code", "name_local", "name_latin", "level"];

/// One bad row: where, which field (if one), and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The line of the file the row starts on (1 is the first line; a CSV header is line 1).
    pub line: u64,
    pub field: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "line {}: {}: {}", self.line, field, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// One row as text: column name → non-empty value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawRow {
    pub line: u64,
    pub values: Vec<(String, String)>,
}

impl RawRow {
    /// The trimmed value of a column, `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

enum Inner<R: Read> {
    Csv {
        reader: csv::Reader<R>,
        headers: Vec<String>,
        record: csv::StringRecord,
    },
    Jsonl {
        reader: BufReader<R>,
        line: u64,
        buf: Vec<u8>,
    },
}

/// Reads rows of one kind from a CSV or JSON Lines stream, one at a time.
pub struct RowReader<R: Read> {
    inner: Inner<R>,
    kind: RecordKind,
}

impl<R: Read> RowReader<R> {
    /// Opens the stream; for CSV, reads and checks the header (unknown or missing required
    /// columns make the whole file unreadable, not a row error).
    pub fn new(reader: R, format: Format, kind: RecordKind) -> Result<Self, RegistryError> {
        let inner = match format {
            Format::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(false)
                    .from_reader(reader);
                let headers: Vec<String> = reader
                    .headers()
                    .map_err(|e| RegistryError::ImportFile(format!("the header row: {e}")))?
                    .iter()
                    .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
                    .collect();
                for h in &headers {
                    if !kind.columns().contains(&h.as_str()) {
                        return Err(RegistryError::ImportFile(format!(
                            "unknown column {h:?} (expected some of: {})",
                            kind.columns().join(", ")
                        )));
                    }
                }
                let missing: Vec<&str> = kind
                    .required()
                    .iter()
                    .copied()
                    .filter(|r| !headers.iter().any(|h| h == r))
                    .collect();
                if !missing.is_empty() {
                    return Err(RegistryError::ImportFile(format!(
                        "missing columns: {}",
                        missing.join(", ")
                    )));
                }
                Inner::Csv {
                    reader,
                    headers,
                    record: csv::StringRecord::new(),
                }
            }
            Format::Jsonl => Inner::Jsonl {
                reader: BufReader::with_capacity(64 * 1024, reader),
                line: 0,
                buf: Vec::new(),
            },
        };
        Ok(RowReader { inner, kind })
    }

    /// The next row, a bad row, or the end. A read failure of the stream itself is an error.
    pub fn next_row(&mut self) -> Result<Option<Result<RawRow, RowError>>, RegistryError> {
        match &mut self.inner {
            Inner::Csv {
                reader,
                headers,
                record,
            } => match reader.read_record(record) {
                Ok(false) => Ok(None),
                Ok(true) => {
                    let line = record.position().map_or(0, |p| p.line());
                    let values = headers
                        .iter()
                        .zip(record.iter())
                        .filter(|(_, v)| !v.trim().is_empty())
                        .map(|(h, v)| (h.clone(), v.to_owned()))
                        .collect();
                    Ok(Some(Ok(RawRow { line, values })))
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    match e.kind() {
                        csv::ErrorKind::Io(_) => Err(RegistryError::ImportFile(e.to_string())),
                        csv::ErrorKind::UnequalLengths {
                            expected_len, len, ..
                        } => Ok(Some(Err(RowError {
                            line,
                            field: None,
                            reason: format!("has {len} fields, the header has {expected_len}"),
                        }))),
                        csv::ErrorKind::Utf8 { .. } => Ok(Some(Err(RowError {
                            line,
                            field: None,
                            reason: "is not valid UTF-8".to_owned(),
                        }))),
                        _ => Ok(Some(Err(RowError {
                            line,
                            field: None,
                            reason: e.to_string(),
                        }))),
                    }
                }
            },
            Inner::Jsonl { reader, line, buf } => loop {
                buf.clear();
                *line += 1;
                let n = reader
                    .by_ref()
                    .take(MAX_LINE as u64 + 1)
                    .read_until(b'\n', buf)
                    .map_err(|e| RegistryError::ImportFile(e.to_string()))?;
                if n == 0 {
                    return Ok(None);
                }
                if buf.len() > MAX_LINE && buf.last() != Some(&b'\n') {
                    // Skip the rest of the over-long line without keeping it.
                    loop {
                        let chunk = reader
                            .fill_buf()
                            .map_err(|e| RegistryError::ImportFile(e.to_string()))?;
                        if chunk.is_empty() {
                            break;
                        }
                        match chunk.iter().position(|&b| b == b'\n') {
                            Some(i) => {
                                reader.consume(i + 1);
                                break;
                            }
                            None => {
                                let len = chunk.len();
                                reader.consume(len);
                            }
                        }
                    }
                    return Ok(Some(Err(RowError {
                        line: *line,
                        field: None,
                        reason: format!("is longer than {MAX_LINE} bytes"),
                    })));
                }
                let text = match std::str::from_utf8(buf) {
                    Ok(t) => t.trim(),
                    Err(_) => {
                        return Ok(Some(Err(RowError {
                            line: *line,
                            field: None,
                            reason: "is not valid UTF-8".to_owned(),
                        })));
                    }
                };
                if text.is_empty() {
                    continue;
                }
                return Ok(Some(json_row(text, *line, self.kind)));
            },
        }
    }
}

fn json_row(text: &str, line: u64, kind: RecordKind) -> Result<RawRow, RowError> {
    let bad = |field: Option<String>, reason: String| RowError {
        line,
        field,
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| bad(None, format!("is not valid JSON: {e}")))?;
    let serde_json::Value::Object(map) = value else {
        return Err(bad(None, "is not a JSON object".to_owned()));
    };
    let mut values = Vec::with_capacity(map.len());
    let mut put = |key: String, v: &serde_json::Value| -> Result<(), RowError> {
        if !kind.columns().contains(&key.as_str()) {
            return Err(bad(Some(key), "is not a known field".to_owned()));
        }
        let text = match v {
            serde_json::Value::Null => return Ok(()),
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Array(items) => {
                let mut parts = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        serde_json::Value::String(s) => parts.push(s.clone()),
                        _ => return Err(bad(Some(key), "must hold only strings".to_owned())),
                    }
                }
                parts.join(";")
            }
            serde_json::Value::Object(_) => {
                return Err(bad(Some(key), "must not be an object".to_owned()));
            }
        };
        values.push((key, text));
        Ok(())
    };
    for (key, v) in &map {
        match (key.as_str(), v) {
            ("address", serde_json::Value::Object(inner)) => {
                for (k, v) in inner {
                    put(format!("address_{k}"), v)?;
                }
            }
            _ => put(key.clone(), v)?,
        }
    }
    Ok(RawRow { line, values })
}

// ---------------------------------------------------------------------------------------------
// Rows to records

/// A person's row: the record without its links, and the links by national id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonRow {
    pub data: PersonData,
    pub parents: Vec<String>,
    pub spouse: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessRow {
    pub data: BusinessData,
    /// The representative's national id.
    pub representative: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgencyRow {
    pub data: AgencyData,
}

fn required<'a>(row: &'a RawRow, out: &mut Vec<Bad>, field: &str) -> &'a str {
    match row.get(field) {
        Some(v) => v,
        None => {
            out.push(Bad::new(field, "registry-error-required", "is required"));
            ""
        }
    }
}

fn date(row: &RawRow, out: &mut Vec<Bad>, field: &str, need: bool) -> Option<jiff::civil::Date> {
    let text = if need {
        Some(required(row, out, field)).filter(|t| !t.is_empty())
    } else {
        row.get(field)
    }?;
    match text.parse::<jiff::civil::Date>() {
        Ok(d) if text.len() == 10 => Some(d),
        _ => {
            out.push(Bad::new(
                field,
                "registry-error-date",
                "is not a date (YYYY-MM-DD)",
            ));
            None
        }
    }
}

fn choice<T>(
    row: &RawRow,
    out: &mut Vec<Bad>,
    field: &str,
    default: Option<T>,
    parse: impl Fn(&str) -> Option<T>,
    allowed: &str,
) -> Option<T> {
    match row.get(field) {
        None if default.is_some() => default,
        None => {
            out.push(Bad::new(field, "registry-error-required", "is required"));
            None
        }
        Some(text) => {
            let v = parse(text);
            if v.is_none() {
                out.push(Bad::new(
                    field,
                    "registry-error-choice",
                    format!("must be one of: {allowed}"),
                ));
            }
            v
        }
    }
}

fn address(row: &RawRow, out: &mut Vec<Bad>) -> Address {
    let mut a = Address {
        region: required(row, out, "address_region").to_owned(),
        locality: required(row, out, "address_locality").to_owned(),
        street: required(row, out, "address_street").to_owned(),
        building: required(row, out, "address_building").to_owned(),
        unit: row.get("address_unit").map(str::to_owned),
        postal_code: required(row, out, "address_postal_code").to_owned(),
        country: required(row, out, "address_country").to_owned(),
    };
    // Missing fields are already reported; validate the rest without repeating them.
    let mut more = Vec::new();
    validate::address(&mut more, "address", &mut a);
    out.extend(more.into_iter().filter(|b| row.get(&b.field).is_some()));
    a
}

/// Deduplicates problems on the same field (the first reason wins).
fn dedup(mut out: Vec<Bad>) -> Vec<Bad> {
    let mut seen = Vec::new();
    out.retain(|b| {
        if seen.contains(&b.field) {
            false
        } else {
            seen.push(b.field.clone());
            true
        }
    });
    out
}

/// Parses and checks a person's row.
pub fn parse_person(row: &RawRow, scheme: &dyn NationalIdScheme) -> Result<PersonRow, Vec<Bad>> {
    let mut out = Vec::new();
    let national_id = required(row, &mut out, "national_id").to_owned();
    let name_local = required(row, &mut out, "name_local").to_owned();
    let name_latin = required(row, &mut out, "name_latin").to_owned();
    let birth_date = date(row, &mut out, "birth_date", true);
    let sex = choice(row, &mut out, "sex", None, Sex::parse, "F, M, X");
    let nationality = required(row, &mut out, "nationality").to_owned();
    let status = choice(
        row,
        &mut out,
        "status",
        Some(PersonStatus::Living),
        PersonStatus::parse,
        "living, deceased, emigrated",
    );
    let status_date = date(row, &mut out, "status_date", false);
    let address = address(row, &mut out);
    let mut link = |field: &str, text: &str| -> Option<String> {
        match scheme.normalise(text) {
            Ok(id) => Some(id),
            Err(e) => {
                out.push(Bad::new(
                    field,
                    e.message(),
                    format!("{text:?} is not a valid national id: {e}"),
                ));
                None
            }
        }
    };
    let parents: Vec<String> = row
        .get("parents")
        .map(|p| {
            p.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .filter_map(|s| link("parents", s))
                .collect()
        })
        .unwrap_or_default();
    let spouse = row.get("spouse").and_then(|s| link("spouse", s));
    let (Some(birth_date), Some(sex), Some(status)) = (birth_date, sex, status) else {
        return Err(dedup(out));
    };
    let mut data = PersonData {
        national_id,
        name_local,
        name_latin,
        birth_date,
        sex,
        nationality,
        address,
        status,
        status_date,
        parents: Vec::new(),
        spouse: None,
    };
    let mut more = validate::person(scheme, &mut data);
    more.retain(|b| !b.field.starts_with("address") && row.get(&b.field).is_some());
    out.extend(more);
    if parents.len() > 2 {
        out.push(Bad::new(
            "parents",
            "registry-error-parents",
            "at most two parents",
        ));
    }
    if parents.len() == 2 && parents[0] == parents[1] {
        out.push(Bad::new(
            "parents",
            "registry-error-parents",
            "the same parent twice",
        ));
    }
    if parents.contains(&data.national_id) {
        out.push(Bad::new(
            "parents",
            "registry-error-parents",
            "a person cannot be their own parent",
        ));
    }
    if spouse.as_ref() == Some(&data.national_id) {
        out.push(Bad::new(
            "spouse",
            "registry-error-spouse",
            "a person cannot be their own spouse",
        ));
    }
    if out.is_empty() {
        Ok(PersonRow {
            data,
            parents,
            spouse,
        })
    } else {
        Err(dedup(out))
    }
}

/// Parses and checks a business's row.
pub fn parse_business(
    row: &RawRow,
    scheme: &dyn NationalIdScheme,
) -> Result<BusinessRow, Vec<Bad>> {
    let mut out = Vec::new();
    let registration_number = required(row, &mut out, "registration_number").to_owned();
    let name = required(row, &mut out, "name").to_owned();
    let legal_form = choice(
        row,
        &mut out,
        "legal_form",
        None,
        LegalForm::parse,
        "sole_proprietor, stock_company, limited_company, partnership, non_profit, public_body",
    );
    let representative = match row.get("representative") {
        None => {
            out.push(Bad::new(
                "representative",
                "registry-error-required",
                "is required",
            ));
            String::new()
        }
        Some(text) => match scheme.normalise(text) {
            Ok(id) => id,
            Err(e) => {
                out.push(Bad::new(
                    "representative",
                    e.message(),
                    format!("is not a valid national id: {e}"),
                ));
                String::new()
            }
        },
    };
    let industry = required(row, &mut out, "industry").to_owned();
    let status = choice(
        row,
        &mut out,
        "status",
        Some(BusinessStatus::Active),
        BusinessStatus::parse,
        "active, suspended, closed",
    );
    let tax_standing = choice(
        row,
        &mut out,
        "tax_standing",
        Some(TaxStanding::Unassessed),
        TaxStanding::parse,
        "good, arrears, unassessed",
    );
    let address = address(row, &mut out);
    let (Some(legal_form), Some(status), Some(tax_standing)) = (legal_form, status, tax_standing)
    else {
        return Err(dedup(out));
    };
    let mut data = BusinessData {
        registration_number,
        name,
        legal_form,
        representative: PersonId(uuid::Uuid::nil()),
        address,
        industry,
        status,
        tax_standing,
    };
    let mut more = validate::business(&mut data);
    more.retain(|b| !b.field.starts_with("address") && row.get(&b.field).is_some());
    out.extend(more);
    if out.is_empty() {
        Ok(BusinessRow {
            data,
            representative,
        })
    } else {
        Err(dedup(out))
    }
}

/// Parses and checks an agency's row.
pub fn parse_agency(row: &RawRow) -> Result<AgencyRow, Vec<Bad>> {
    let mut out = Vec::new();
    let code = required(row, &mut out, "code").to_owned();
    let name_local = required(row, &mut out, "name_local").to_owned();
    let name_latin = required(row, &mut out, "name_latin").to_owned();
    let level = choice(
        row,
        &mut out,
        "level",
        None,
        AgencyLevel::parse,
        "ministry, agency, office",
    );
    let Some(level) = level else {
        return Err(dedup(out));
    };
    let mut data = AgencyData {
        code,
        name_local,
        name_latin,
        level,
        parent: row.get("parent_code").map(str::to_owned),
    };
    let mut more = validate::agency(&mut data);
    more.retain(|b| row.get(&b.field).is_some());
    out.extend(more);
    if out.is_empty() {
        Ok(AgencyRow { data })
    } else {
        Err(dedup(out))
    }
}

// ---------------------------------------------------------------------------------------------
// Applying rows

/// A referenced record: its id and tag.
type RefInfo = (String, Option<String>);

trait Kind {
    type E: Entity;
    type Row;
    const REF: &'static Table;
    /// References point into the kind's own table (people to people, agencies to agencies).
    const REF_SELF: bool;
    fn parse(row: &RawRow, scheme: &dyn NationalIdScheme) -> Result<Self::Row, Vec<Bad>>;
    fn key(row: &Self::Row) -> &str;
    fn refs(row: &Self::Row) -> Vec<(&'static str, String)>;
    /// The record with its references resolved; `lookup` finds a referenced record.
    fn resolve(
        row: Self::Row,
        lookup: &dyn Fn(&str) -> Option<RefInfo>,
    ) -> Result<Self::E, Vec<Bad>>;
    /// The tag of a record of this kind (what `REF.tag_col` holds).
    fn tag(e: &Self::E) -> Option<String>;
    /// The tag of a stored record, from its JSON.
    fn tag_of_stored(data: &str) -> Option<String> {
        serde_json::from_str::<Self::E>(data)
            .ok()
            .and_then(|e| Self::tag(&e))
    }
}

fn unknown(field: &str, key: &str, what: &str) -> Bad {
    Bad::new(
        field,
        "registry-error-unknown-reference",
        format!("{what} {key} is not registered (nor earlier in this file)"),
    )
}

fn parse_person_id(id: &str) -> PersonId {
    id.parse().unwrap_or(PersonId(uuid::Uuid::nil()))
}

struct PeopleKind;
impl Kind for PeopleKind {
    type E = PersonData;
    type Row = PersonRow;
    const REF: &'static Table = &PEOPLE;
    const REF_SELF: bool = true;
    fn parse(row: &RawRow, scheme: &dyn NationalIdScheme) -> Result<PersonRow, Vec<Bad>> {
        parse_person(row, scheme)
    }
    fn key(row: &PersonRow) -> &str {
        &row.data.national_id
    }
    fn refs(row: &PersonRow) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> =
            row.parents.iter().map(|p| ("parents", p.clone())).collect();
        if let Some(s) = &row.spouse {
            out.push(("spouse", s.clone()));
        }
        out
    }
    fn resolve(
        mut row: PersonRow,
        lookup: &dyn Fn(&str) -> Option<RefInfo>,
    ) -> Result<PersonData, Vec<Bad>> {
        let mut out = Vec::new();
        for p in &row.parents {
            match lookup(p) {
                Some((id, _)) => row.data.parents.push(parse_person_id(&id)),
                None => out.push(unknown("parents", p, "parent")),
            }
        }
        if let Some(s) = &row.spouse {
            match lookup(s) {
                Some((id, _)) => row.data.spouse = Some(parse_person_id(&id)),
                None => out.push(unknown("spouse", s, "spouse")),
            }
        }
        if out.is_empty() {
            Ok(row.data)
        } else {
            Err(out)
        }
    }
    fn tag(_: &PersonData) -> Option<String> {
        None
    }
}

struct BusinessKind;
impl Kind for BusinessKind {
    type E = BusinessData;
    type Row = BusinessRow;
    const REF: &'static Table = &PEOPLE;
    const REF_SELF: bool = false;
    fn parse(row: &RawRow, scheme: &dyn NationalIdScheme) -> Result<BusinessRow, Vec<Bad>> {
        parse_business(row, scheme)
    }
    fn key(row: &BusinessRow) -> &str {
        &row.data.registration_number
    }
    fn refs(row: &BusinessRow) -> Vec<(&'static str, String)> {
        vec![("representative", row.representative.clone())]
    }
    fn resolve(
        mut row: BusinessRow,
        lookup: &dyn Fn(&str) -> Option<RefInfo>,
    ) -> Result<BusinessData, Vec<Bad>> {
        match lookup(&row.representative) {
            Some((id, _)) => {
                row.data.representative = parse_person_id(&id);
                Ok(row.data)
            }
            None => Err(vec![Bad::new(
                "representative",
                "registry-error-unknown-reference",
                format!("person {} is not registered", row.representative),
            )]),
        }
    }
    fn tag(_: &BusinessData) -> Option<String> {
        None
    }
}

struct AgencyKind;
impl Kind for AgencyKind {
    type E = AgencyData;
    type Row = AgencyRow;
    const REF: &'static Table = &AGENCIES;
    const REF_SELF: bool = true;
    fn parse(row: &RawRow, _: &dyn NationalIdScheme) -> Result<AgencyRow, Vec<Bad>> {
        parse_agency(row)
    }
    fn key(row: &AgencyRow) -> &str {
        &row.data.code
    }
    fn refs(row: &AgencyRow) -> Vec<(&'static str, String)> {
        row.data
            .parent
            .iter()
            .map(|p| ("parent_code", p.clone()))
            .collect()
    }
    fn resolve(
        row: AgencyRow,
        lookup: &dyn Fn(&str) -> Option<RefInfo>,
    ) -> Result<AgencyData, Vec<Bad>> {
        let parent_level = match &row.data.parent {
            None => None,
            Some(code) => match lookup(code) {
                Some((_, level)) => level.as_deref().and_then(AgencyLevel::parse),
                None => return Err(vec![unknown("parent_code", code, "agency")]),
            },
        };
        if !row.data.level.may_sit_under(parent_level) {
            return Err(vec![Bad::new(
                if row.data.parent.is_some() {
                    "parent_code"
                } else {
                    "level"
                },
                "registry-error-agency-level",
                format!(
                    "a {} cannot sit under {}",
                    row.data.level.as_str(),
                    parent_level.map_or("nothing", AgencyLevel::as_str)
                ),
            )]);
        }
        Ok(row.data)
    }
    fn tag(e: &AgencyData) -> Option<String> {
        Some(e.level.as_str().to_owned())
    }
}

/// Counts of an import run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Rows read (good and bad).
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Bad rows.
    pub errors: u64,
}

/// The sink bad rows are reported to, as they are found.
pub type ErrorSink<'a> = &'a mut (dyn FnMut(&RowError) + Send);

fn report(
    sink: &mut (dyn FnMut(&RowError) + Send),
    counts: &mut Counts,
    line: u64,
    bads: Vec<Bad>,
) {
    counts.errors += 1;
    for b in bads {
        sink(&RowError {
            line,
            field: Some(b.field),
            reason: b.reason,
        });
    }
}

pub(crate) async fn run(
    tx: &mut Tx,
    kind: RecordKind,
    reader: &mut RowReader<impl Read + Send>,
    scheme: &dyn NationalIdScheme,
    import_id: &str,
    sink: ErrorSink<'_>,
) -> Result<Counts, RegistryError> {
    match kind {
        RecordKind::People => run_kind::<PeopleKind>(tx, reader, scheme, import_id, sink).await,
        RecordKind::Businesses => {
            run_kind::<BusinessKind>(tx, reader, scheme, import_id, sink).await
        }
        RecordKind::Agencies => run_kind::<AgencyKind>(tx, reader, scheme, import_id, sink).await,
    }
}

async fn run_kind<K: Kind>(
    tx: &mut Tx,
    reader: &mut RowReader<impl Read + Send>,
    scheme: &dyn NationalIdScheme,
    import_id: &str,
    sink: ErrorSink<'_>,
) -> Result<Counts, RegistryError>
where
    K::Row: Send,
{
    let table = &K::E::TABLE;
    let reason = format!("import {import_id}");
    let mut counts = Counts::default();
    let mut batch: Vec<(u64, K::Row)> = Vec::with_capacity(BATCH);
    let mut done = false;
    while !done {
        batch.clear();
        while batch.len() < BATCH {
            let Some(next) = reader.next_row()? else {
                done = true;
                break;
            };
            counts.rows += 1;
            match next {
                Err(e) => {
                    counts.errors += 1;
                    sink(&e);
                }
                Ok(raw) => match K::parse(&raw, scheme) {
                    Ok(row) => batch.push((raw.line, row)),
                    Err(bads) => report(sink, &mut counts, raw.line, bads),
                },
            }
        }
        if batch.is_empty() {
            continue;
        }
        let keys: Vec<String> = batch.iter().map(|(_, r)| K::key(r).to_owned()).collect();
        let existing = store::current_by_keys(Src::Tx(tx), table, &keys).await?;
        let key_set: std::collections::HashSet<&str> = keys.iter().map(String::as_str).collect();
        // References to records of this batch are answered from the batch and `existing`;
        // only the others are looked up (families mostly sit together in a file).
        let mut ref_keys: Vec<String> = batch
            .iter()
            .flat_map(|(_, r)| K::refs(r).into_iter().map(|(_, k)| k))
            .filter(|k| !(K::REF_SELF && key_set.contains(k.as_str())))
            .collect();
        ref_keys.sort();
        ref_keys.dedup();
        let known_refs = store::refs_by_keys(Src::Tx(tx), K::REF, &ref_keys).await?;
        // Records of this batch so far: key → (id, tag, line).
        let mut local: HashMap<String, (String, Option<String>, u64)> = HashMap::new();
        let mut writes = Vec::with_capacity(batch.len());
        for (line, row) in batch.drain(..) {
            let key = K::key(&row).to_owned();
            if let Some((_, _, first)) = local.get(&key) {
                report(
                    sink,
                    &mut counts,
                    line,
                    vec![Bad::new(
                        table.key_col.unwrap_or(table.id_col),
                        "registry-error-duplicate",
                        format!("{key} already appears on line {first}"),
                    )],
                );
                continue;
            }
            let current = existing.get(&key);
            if current.is_some_and(|c| c.import_id.as_deref() == Some(import_id)) {
                report(
                    sink,
                    &mut counts,
                    line,
                    vec![Bad::new(
                        table.key_col.unwrap_or(table.id_col),
                        "registry-error-duplicate",
                        format!("{key} already appears earlier in this file"),
                    )],
                );
                continue;
            }
            let lookup = |k: &str| -> Option<RefInfo> {
                if K::REF_SELF {
                    if let Some((id, tag, _)) = local.get(k) {
                        return Some((id.clone(), tag.clone()));
                    }
                    // Stored before this import, and appearing later in this batch.
                    if let Some(c) = existing.get(k) {
                        return Some((c.id.clone(), K::tag_of_stored(&c.data)));
                    }
                }
                known_refs.get(k).cloned()
            };
            let data = match K::resolve(row, &lookup) {
                Ok(d) => d,
                Err(bads) => {
                    report(sink, &mut counts, line, bads);
                    continue;
                }
            };
            let id = match current {
                Some(c) => c.id.clone(),
                None if table.key_col.is_none() => key.clone(),
                None => uuid::Uuid::now_v7().to_string(),
            };
            match store::plan_write(id.clone(), current, &data)? {
                None => counts.unchanged += 1,
                Some(w) => {
                    if current.is_some() {
                        counts.updated += 1;
                    } else {
                        counts.inserted += 1;
                    }
                    writes.push(w);
                }
            }
            local.insert(key, (id, K::tag(&data), line));
        }
        store::write_many(tx, table, &writes, &reason, Some(import_id)).await?;
    }
    Ok(counts)
}

/// Reads every row of `data` as each kind and format and parses it, checking the invariants
/// of the parser: no panic, line numbers that only grow, and errors only on known fields.
/// The body of the fuzz target (`crates/dasan-registry/fuzz`) and of a stable-toolchain loop.
#[doc(hidden)]
pub fn fuzz_parse(data: &[u8]) {
    let scheme = crate::ident::KoreanRrn;
    for kind in [
        RecordKind::People,
        RecordKind::Businesses,
        RecordKind::Agencies,
    ] {
        for format in [Format::Csv, Format::Jsonl] {
            let Ok(mut reader) = RowReader::new(data, format, kind) else {
                continue;
            };
            let mut last = 0u64;
            let mut rows = 0usize;
            while let Ok(Some(next)) = reader.next_row() {
                rows += 1;
                assert!(rows <= data.len() + 1, "more rows than bytes");
                let line = match next {
                    Ok(raw) => {
                        let bads = match kind {
                            RecordKind::People => parse_person(&raw, &scheme).err(),
                            RecordKind::Businesses => parse_business(&raw, &scheme).err(),
                            RecordKind::Agencies => parse_agency(&raw).err(),
                        };
                        for b in bads.unwrap_or_default() {
                            assert!(
                                kind.columns().contains(&b.field.as_str()),
                                "error on unknown field {}",
                                b.field
                            );
                        }
                        raw.line
                    }
                    Err(e) => e.line,
                };
                assert!(line >= 1 && line >= last, "line numbers go backwards");
                last = line;
            }
        }
    }
}
