//! Watchlist importers: the UN Security Council consolidated list (XML, streamed), national
//! lists (CSV), and the lost/stolen travel document list (CSV).
//!
//! Every importer reads from any [`BufRead`] without loading the file first. A problem with one
//! value (a date that is not a date, a row without a name) is an [`ImportIssue`] naming the line,
//! the record and the field: the record is kept without that value (or skipped when it cannot
//! stand without it) and the issue is reported in [`Imported::issues`], so one bad row never hides
//! a whole list — and [`Imported::strict`] turns any issue into an error for callers that prefer
//! to refuse the file. A file that cannot be read at all (broken XML, I/O) is an [`ImportError`].

use crate::countries;
use crate::watchlist::{
    BirthDate, EntryKind, ListSource, ListedDocument, ListedName, NameKind, WatchlistEntry,
};
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::io::{BufRead, Read};
use std::rc::Rc;

/// One bad value, with where it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("line {line}: record {record:?}, field {field}: {problem}")]
pub struct ImportIssue {
    /// 1-based line of the file where the field (or row) starts.
    pub line: u64,
    /// The record's identifier when known (`DATAID`, CSV `id`), else empty.
    pub record: String,
    /// The field (`DATE`, `YEAR`, `birth_dates`, …).
    pub field: String,
    /// What is wrong.
    pub problem: IssueKind,
}

/// What is wrong with a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum IssueKind {
    /// Not a valid date (`YYYY-MM-DD`).
    #[error("not a valid date: {0:?}")]
    BadDate(String),
    /// Not a valid year.
    #[error("not a valid year: {0:?}")]
    BadYear(String),
    /// A required value is missing; the record was skipped.
    #[error("missing; record skipped")]
    Missing,
    /// An unknown value in a closed set.
    #[error("unknown value {0:?}")]
    Unknown(String),
    /// A value with characters it cannot have.
    #[error("invalid value {0:?}")]
    Invalid(String),
    /// A duplicate of an earlier record; skipped.
    #[error("duplicate {0:?}; record skipped")]
    Duplicate(String),
}

/// A file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not well-formed XML.
    #[error("line {line}: XML: {message}")]
    Xml {
        /// 1-based line.
        line: u64,
        /// The parser's words.
        message: String,
    },
    /// Not readable CSV (or wrong header).
    #[error("line {line}: CSV: {message}")]
    Csv {
        /// 1-based line.
        line: u64,
        /// What went wrong.
        message: String,
    },
    /// Strict mode: the first issue.
    #[error(transparent)]
    Issue(#[from] ImportIssue),
    /// The input could not be read.
    #[error("read: {0}")]
    Io(#[from] std::io::Error),
}

/// What an importer produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Imported<T> {
    /// The records.
    pub records: Vec<T>,
    /// Values that were dropped or records that were skipped, and why.
    pub issues: Vec<ImportIssue>,
}

impl<T> Default for Imported<T> {
    fn default() -> Self {
        Self {
            records: Vec::new(),
            issues: Vec::new(),
        }
    }
}

impl<T> Imported<T> {
    /// The records, or the first issue as an error.
    pub fn strict(self) -> Result<Vec<T>, ImportError> {
        match self.issues.into_iter().next() {
            Some(issue) => Err(ImportError::Issue(issue)),
            None => Ok(self.records),
        }
    }
}

/// A [`BufRead`] that counts the newlines the parser has consumed.
struct LineCounting<R> {
    inner: R,
    line: Rc<Cell<u64>>,
}

impl<R: BufRead> Read for LineCounting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let nl = buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        self.line.set(self.line.get() + nl);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounting<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let nl = buf[..amt.min(buf.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            self.line.set(self.line.get() + nl);
        }
        self.inner.consume(amt);
    }
}

/// Parses `YYYY-MM-DD` (a valid Gregorian date).
pub(crate) fn parse_date(s: &str) -> Option<BirthDate> {
    let s = s.trim();
    let mut parts = s.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (year, month, day) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    dasan_mrtd::Date::new(year, month, day)?;
    Some(BirthDate::Exact { year, month, day })
}

/// Parses a four-digit year between 1800 and 2200.
pub(crate) fn parse_year(s: &str) -> Option<u16> {
    let s = s.trim();
    let y: u16 = (s.len() == 4).then(|| s.parse().ok()).flatten()?;
    (1800..=2200).contains(&y).then_some(y)
}

/// Nationality as an alpha-3 code when the name is known, else as published; `None` for
/// placeholders (`na`, empty).
fn nationality(published: &str) -> Option<String> {
    let t = published.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("na") || t.eq_ignore_ascii_case("n/a") {
        return None;
    }
    Some(countries::alpha3(t).unwrap_or_else(|| t.to_string()))
}

/// One published alias field may hold several names: `A; B` or `A (B; C)` (the UN list
/// does this with names in their original script followed by transliterations).
pub(crate) fn split_alias(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in text.split([';', '(', ')']) {
        let p = part
            .trim()
            .trim_matches(|c: char| c == ',' || c.is_whitespace());
        if !p.is_empty() && !out.iter().any(|o: &String| o == p) {
            out.push(p.to_string());
        }
    }
    out
}

#[derive(Default)]
struct DobBuilder {
    kind: String,
    date: Option<(String, u64)>,
    year: Option<(String, u64)>,
    from: Option<(String, u64)>,
    to: Option<(String, u64)>,
}

#[derive(Default)]
struct DocBuilder {
    kind: String,
    number: String,
    issuing: String,
    note: String,
}

#[derive(Default)]
struct RecordBuilder {
    kind: Option<EntryKind>,
    line: u64,
    id: String,
    reference: String,
    listed_on: String,
    name_parts: [String; 4],
    original: String,
    aliases: Vec<ListedName>,
    alias_quality: String,
    alias_name: String,
    dobs: Vec<BirthDate>,
    dob: DobBuilder,
    nationalities: Vec<String>,
    documents: Vec<ListedDocument>,
    doc: DocBuilder,
}

impl RecordBuilder {
    fn issue(&self, line: u64, field: &str, problem: IssueKind) -> ImportIssue {
        ImportIssue {
            line,
            record: self.id.clone(),
            field: field.to_string(),
            problem,
        }
    }

    fn finish_dob(&mut self, issues: &mut Vec<ImportIssue>) {
        let dob = std::mem::take(&mut self.dob);
        let approximate = dob.kind.trim().eq_ignore_ascii_case("APPROXIMATELY");
        if let Some((d, line)) = dob.date {
            match parse_date(&d) {
                Some(b) => self.dobs.push(b),
                None => issues.push(self.issue(line, "DATE", IssueKind::BadDate(d))),
            }
        }
        if let Some((y, line)) = dob.year {
            match parse_year(&y) {
                Some(year) => self.dobs.push(BirthDate::Year { year, approximate }),
                None => issues.push(self.issue(line, "YEAR", IssueKind::BadYear(y))),
            }
        }
        match (dob.from, dob.to) {
            (Some((f, fl)), Some((t, tl))) => match (parse_year(&f), parse_year(&t)) {
                (Some(from), Some(to)) => self.dobs.push(BirthDate::Between {
                    from: from.min(to),
                    to: from.max(to),
                }),
                (None, _) => issues.push(self.issue(fl, "FROM_YEAR", IssueKind::BadYear(f))),
                (_, None) => issues.push(self.issue(tl, "TO_YEAR", IssueKind::BadYear(t))),
            },
            (Some((_, line)), None) => issues.push(self.issue(line, "TO_YEAR", IssueKind::Missing)),
            (None, Some((_, line))) => {
                issues.push(self.issue(line, "FROM_YEAR", IssueKind::Missing))
            }
            (None, None) => {}
        }
    }

    fn finish(mut self, issues: &mut Vec<ImportIssue>) -> Option<WatchlistEntry> {
        let kind = self.kind?;
        let primary = self
            .name_parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if self.id.trim().is_empty() {
            issues.push(self.issue(self.line, "DATAID", IssueKind::Missing));
            return None;
        }
        let mut names = Vec::new();
        if !primary.is_empty() {
            names.push(ListedName {
                text: primary,
                kind: NameKind::Primary,
            });
        }
        if !self.original.trim().is_empty() {
            names.push(ListedName {
                text: self.original.trim().to_string(),
                kind: NameKind::OriginalScript,
            });
        }
        names.append(&mut self.aliases);
        if names.is_empty() {
            issues.push(self.issue(self.line, "FIRST_NAME", IssueKind::Missing));
            return None;
        }
        self.dobs.dedup();
        Some(WatchlistEntry {
            id: self.id.trim().to_string(),
            reference: self.reference.trim().to_string(),
            source: ListSource::Un,
            kind,
            names,
            birth_dates: self.dobs,
            nationalities: self.nationalities,
            documents: self.documents,
            listed_on: self.listed_on.trim().to_string(),
        })
    }
}

/// Imports the UN Security Council consolidated list (its published XML format), streaming.
pub fn import_un_xml<R: BufRead>(input: R) -> Result<Imported<WatchlistEntry>, ImportError> {
    let line = Rc::new(Cell::new(1u64));
    let mut reader = quick_xml::Reader::from_reader(LineCounting {
        inner: input,
        line: line.clone(),
    });
    reader.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut text_line = 1u64;
    let mut rec: Option<RecordBuilder> = None;
    let mut out = Imported::default();
    let mut seen = std::collections::HashSet::new();
    let xml_err = |e: &dyn std::fmt::Display, line: &Rc<Cell<u64>>| ImportError::Xml {
        line: line.get(),
        message: e.to_string(),
    };
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_err(&e, &line))?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                match name.as_str() {
                    "INDIVIDUAL" | "ENTITY" => {
                        rec = Some(RecordBuilder {
                            kind: Some(if name == "INDIVIDUAL" {
                                EntryKind::Individual
                            } else {
                                EntryKind::Entity
                            }),
                            line: line.get(),
                            ..Default::default()
                        });
                    }
                    "INDIVIDUAL_DATE_OF_BIRTH" => {
                        if let Some(r) = rec.as_mut() {
                            r.dob = DobBuilder::default();
                        }
                    }
                    _ => {}
                }
                path.push(name);
                text.clear();
                text_line = line.get();
            }
            Event::Empty(_) => {}
            Event::Text(t) => {
                let s = t.xml_content().map_err(|e| xml_err(&e, &line))?;
                text.push_str(&s);
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| xml_err(&e, &line))?;
                text.push_str(&s);
            }
            Event::GeneralRef(r) => {
                if let Some(c) = r.resolve_char_ref().map_err(|e| xml_err(&e, &line))? {
                    text.push(c);
                } else {
                    let name = r.decode().map_err(|e| xml_err(&e, &line))?;
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => text.push_str(s),
                        None => {
                            return Err(ImportError::Xml {
                                line: line.get(),
                                message: format!("unknown entity &{name};"),
                            });
                        }
                    }
                }
            }
            Event::End(_) => {
                let Some(name) = path.pop() else {
                    return Err(ImportError::Xml {
                        line: line.get(),
                        message: "end tag without start".into(),
                    });
                };
                let parent = path.last().map(String::as_str).unwrap_or("");
                let value = std::mem::take(&mut text);
                if let Some(r) = rec.as_mut() {
                    let at = text_line;
                    match (parent, name.as_str()) {
                        ("INDIVIDUAL" | "ENTITY", "DATAID") => r.id = value,
                        ("INDIVIDUAL" | "ENTITY", "REFERENCE_NUMBER") => r.reference = value,
                        ("INDIVIDUAL" | "ENTITY", "LISTED_ON") => r.listed_on = value,
                        ("INDIVIDUAL" | "ENTITY", "FIRST_NAME") => r.name_parts[0] = value,
                        ("INDIVIDUAL" | "ENTITY", "SECOND_NAME") => r.name_parts[1] = value,
                        ("INDIVIDUAL" | "ENTITY", "THIRD_NAME") => r.name_parts[2] = value,
                        ("INDIVIDUAL" | "ENTITY", "FOURTH_NAME") => r.name_parts[3] = value,
                        ("INDIVIDUAL" | "ENTITY", "NAME_ORIGINAL_SCRIPT") => r.original = value,
                        ("NATIONALITY", "VALUE") => {
                            if let Some(n) = nationality(&value)
                                && !r.nationalities.contains(&n)
                            {
                                r.nationalities.push(n);
                            }
                        }
                        ("INDIVIDUAL_ALIAS" | "ENTITY_ALIAS", "QUALITY") => r.alias_quality = value,
                        ("INDIVIDUAL_ALIAS" | "ENTITY_ALIAS", "ALIAS_NAME") => r.alias_name = value,
                        (_, "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS") => {
                            let name = std::mem::take(&mut r.alias_name);
                            let quality = std::mem::take(&mut r.alias_quality);
                            for name in split_alias(&name) {
                                r.aliases.push(ListedName {
                                    text: name,
                                    kind: NameKind::Alias {
                                        quality: quality.trim().to_string(),
                                    },
                                });
                            }
                        }
                        ("INDIVIDUAL_DATE_OF_BIRTH", "TYPE_OF_DATE") => r.dob.kind = value,
                        ("INDIVIDUAL_DATE_OF_BIRTH", "DATE") => r.dob.date = Some((value, at)),
                        ("INDIVIDUAL_DATE_OF_BIRTH", "YEAR") => r.dob.year = Some((value, at)),
                        ("INDIVIDUAL_DATE_OF_BIRTH", "FROM_YEAR") => r.dob.from = Some((value, at)),
                        ("INDIVIDUAL_DATE_OF_BIRTH", "TO_YEAR") => r.dob.to = Some((value, at)),
                        (_, "INDIVIDUAL_DATE_OF_BIRTH") => r.finish_dob(&mut out.issues),
                        ("INDIVIDUAL_DOCUMENT", "TYPE_OF_DOCUMENT") => r.doc.kind = value,
                        ("INDIVIDUAL_DOCUMENT", "NUMBER") => r.doc.number = value,
                        ("INDIVIDUAL_DOCUMENT", "ISSUING_COUNTRY" | "COUNTRY_OF_ISSUE")
                            if r.doc.issuing.is_empty() =>
                        {
                            r.doc.issuing = value;
                        }
                        ("INDIVIDUAL_DOCUMENT", "NOTE") => r.doc.note = value,
                        (_, "INDIVIDUAL_DOCUMENT") => {
                            let d = std::mem::take(&mut r.doc);
                            if !d.number.trim().is_empty() || !d.kind.trim().is_empty() {
                                r.documents.push(ListedDocument {
                                    kind: d.kind.trim().to_string(),
                                    number: d.number.trim().to_string(),
                                    issuing_country: d.issuing.trim().to_string(),
                                    note: d.note.trim().to_string(),
                                });
                            }
                        }
                        (_, "INDIVIDUAL" | "ENTITY") => {
                            if let Some(done) = rec.take()
                                && let Some(entry) = done.finish(&mut out.issues)
                            {
                                if !seen.insert(entry.id.clone()) {
                                    out.issues.push(ImportIssue {
                                        line: text_line,
                                        record: entry.id.clone(),
                                        field: "DATAID".into(),
                                        problem: IssueKind::Duplicate(entry.id),
                                    });
                                } else {
                                    out.records.push(entry);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !path.is_empty() {
        return Err(ImportError::Xml {
            line: line.get(),
            message: format!("unexpected end of file inside <{}>", path.join("/")),
        });
    }
    Ok(out)
}

/// One row of a national watchlist CSV file.
///
/// Columns (a header row is required; column order is free; only `id` and `name` are needed):
///
/// | column | content |
/// |---|---|
/// | `id` | the list's identifier for the record (unique in the file) |
/// | `kind` | `individual` (default) or `entity` |
/// | `name` | the primary name, in any script |
/// | `aliases` | other names, separated by `\|` |
/// | `birth_dates` | `\|`-separated: `YYYY-MM-DD`, `YYYY`, `~YYYY` (approximately) or `YYYY/YYYY` (between) |
/// | `nationalities` | `\|`-separated alpha-3 codes or country names |
/// | `documents` | `\|`-separated `TYPE:ISSUER:NUMBER` (e.g. `P:KOR:M12345678`) |
/// | `listed_on` | `YYYY-MM-DD` |
#[derive(Debug, Deserialize)]
struct NationalRow {
    id: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    aliases: Option<String>,
    birth_dates: Option<String>,
    nationalities: Option<String>,
    documents: Option<String>,
    listed_on: Option<String>,
}

fn csv_error(e: &csv::Error) -> ImportError {
    ImportError::Csv {
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    }
}

fn split_list(s: Option<&str>) -> impl Iterator<Item = &str> {
    s.unwrap_or("")
        .split('|')
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

/// Parses one `birth_dates` value of a national list.
pub(crate) fn parse_birth_date(s: &str) -> Option<BirthDate> {
    if let Some(y) = s.strip_prefix('~') {
        return parse_year(y).map(|year| BirthDate::Year {
            year,
            approximate: true,
        });
    }
    if let Some((a, b)) = s.split_once('/') {
        let (from, to) = (parse_year(a)?, parse_year(b)?);
        return Some(BirthDate::Between {
            from: from.min(to),
            to: from.max(to),
        });
    }
    if s.len() == 4 {
        return parse_year(s).map(|year| BirthDate::Year {
            year,
            approximate: false,
        });
    }
    parse_date(s)
}

/// Imports a national watchlist in CSV (see the columns above) under the list name `list`.
pub fn import_national_csv<R: std::io::Read>(
    list: &str,
    input: R,
) -> Result<Imported<WatchlistEntry>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers = reader.headers().map_err(|e| csv_error(&e))?.clone();
    for required in ["id", "name"] {
        if !headers.iter().any(|h| h == required) {
            return Err(ImportError::Csv {
                line: 1,
                message: format!("header has no {required:?} column"),
            });
        }
    }
    let mut out = Imported::default();
    let mut seen = std::collections::HashSet::new();
    for row in reader.records() {
        let record = row.map_err(|e| csv_error(&e))?;
        let line = record.position().map_or(0, |p| p.line());
        let row: NationalRow = record
            .deserialize(Some(&headers))
            .map_err(|e| csv_error(&e))?;
        let id = row.id.clone().unwrap_or_default();
        let issue = |field: &str, problem| ImportIssue {
            line,
            record: id.clone(),
            field: field.to_string(),
            problem,
        };
        if id.is_empty() {
            out.issues.push(issue("id", IssueKind::Missing));
            continue;
        }
        let Some(name) = row.name.as_deref().filter(|n| !n.is_empty()) else {
            out.issues.push(issue("name", IssueKind::Missing));
            continue;
        };
        let kind = match row.kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("") | Some("individual") | Some("person") => EntryKind::Individual,
            Some("entity") | Some("organisation") | Some("organization") => EntryKind::Entity,
            Some(other) => {
                out.issues
                    .push(issue("kind", IssueKind::Unknown(other.to_string())));
                continue;
            }
        };
        if !seen.insert(id.clone()) {
            out.issues
                .push(issue("id", IssueKind::Duplicate(id.clone())));
            continue;
        }
        let mut names = vec![ListedName {
            text: name.to_string(),
            kind: NameKind::Primary,
        }];
        for a in split_list(row.aliases.as_deref()) {
            names.push(ListedName {
                text: a.to_string(),
                kind: NameKind::Alias {
                    quality: String::new(),
                },
            });
        }
        let mut birth_dates = Vec::new();
        for d in split_list(row.birth_dates.as_deref()) {
            match parse_birth_date(d) {
                Some(b) => birth_dates.push(b),
                None => out
                    .issues
                    .push(issue("birth_dates", IssueKind::BadDate(d.to_string()))),
            }
        }
        let nationalities = split_list(row.nationalities.as_deref())
            .filter_map(nationality)
            .collect();
        let mut documents = Vec::new();
        for d in split_list(row.documents.as_deref()) {
            let parts: Vec<&str> = d.splitn(3, ':').map(str::trim).collect();
            match parts.as_slice() {
                [kind, issuer, number] if !number.is_empty() => documents.push(ListedDocument {
                    kind: kind.to_string(),
                    number: number.to_string(),
                    issuing_country: issuer.to_string(),
                    note: String::new(),
                }),
                _ => out
                    .issues
                    .push(issue("documents", IssueKind::Invalid(d.to_string()))),
            }
        }
        let listed_on = row.listed_on.unwrap_or_default();
        if !listed_on.is_empty() && parse_date(&listed_on).is_none() {
            out.issues
                .push(issue("listed_on", IssueKind::BadDate(listed_on.clone())));
        }
        out.records.push(WatchlistEntry {
            id,
            reference: String::new(),
            source: ListSource::National(list.to_string()),
            kind,
            names,
            birth_dates,
            nationalities,
            documents,
            listed_on,
        });
    }
    Ok(out)
}
