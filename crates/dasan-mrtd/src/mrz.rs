//! Machine readable zones (Doc 9303 Parts 3-7): TD1, TD2, TD3, MRV-A and MRV-B.
//!
//! [`Mrz::parse`] is strict: the first problem is returned as an [`MrzError`] with its line and
//! column. [`Mrz::analyze`] returns the zone together with every semantic problem (check
//! digits, codes, dates), which is what a reading station shows an officer. [`Mrz::repair`] is
//! the opt-in OCR repair.
//!
//! ## Century rule
//! The MRZ holds two-digit years. The caller passes a reference date (normally today):
//! - a **birth date** is the latest date not after the reference date (so `740812` read on
//!   2026-11-24 is 1974-08-12, and `261125` is 1926-11-25);
//! - an **expiry date** is put in the hundred-year window starting 50 years before the reference
//!   year (read in 2026: `00`-`75` are 2000-2075 and `76`-`99` are 1976-1999).
//!
//! The raw six characters are always kept, so a caller with a better rule can apply it.

use crate::countries::is_known_code;
use std::fmt;

/// The five MRZ layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MrzFormat {
    /// ID-1 card: 3 lines of 30.
    Td1,
    /// ID-2 card: 2 lines of 36.
    Td2,
    /// Passport: 2 lines of 44.
    Td3,
    /// Visa, format A: 2 lines of 44.
    MrvA,
    /// Visa, format B: 2 lines of 36.
    MrvB,
}

impl MrzFormat {
    /// Number of lines and characters per line.
    pub fn shape(self) -> (usize, usize) {
        match self {
            MrzFormat::Td1 => (3, 30),
            MrzFormat::Td2 | MrzFormat::MrvB => (2, 36),
            MrzFormat::Td3 | MrzFormat::MrvA => (2, 44),
        }
    }
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Full year, e.g. 1974.
    pub year: u16,
    /// 1-12.
    pub month: u8,
    /// 1-31.
    pub day: u8,
}

impl Date {
    /// A valid Gregorian date, or `None`.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(Some(year), month))
            .then_some(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn days_in_month(year: Option<u16>, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        // Unknown year: 29 February may be right, so accept it.
        2 => match year {
            Some(y) if !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) => 28,
            _ => 29,
        },
        _ => 0,
    }
}

/// A date as printed in the MRZ (`YYMMDD`, `<` for unknown parts) and its resolved value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MrzDate {
    /// The six characters as printed.
    pub raw: String,
    /// The full date under the century rule; `None` when any part is unknown (`<`) or invalid.
    pub date: Option<Date>,
}

/// Sex as printed: F, M, X (unspecified, Doc 9303 8th ed.) or `<`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Sex {
    /// `F`.
    Female,
    /// `M`.
    Male,
    /// `X`.
    Unspecified,
    /// `<`.
    NotGiven,
}

impl Sex {
    fn from_char(c: char) -> Option<Self> {
        Some(match c {
            'F' => Sex::Female,
            'M' => Sex::Male,
            'X' => Sex::Unspecified,
            '<' => Sex::NotGiven,
            _ => return None,
        })
    }

    /// The MRZ character.
    pub fn as_char(self) -> char {
        match self {
            Sex::Female => 'F',
            Sex::Male => 'M',
            Sex::Unspecified => 'X',
            Sex::NotGiven => '<',
        }
    }
}

/// The fields an error or a correction points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Field {
    /// Document code (`P<`, `I<`, `V<`, ...).
    DocumentCode,
    /// Issuing state or organization.
    Issuer,
    /// Name (primary and secondary identifiers).
    Name,
    /// Document number.
    DocumentNumber,
    /// Nationality.
    Nationality,
    /// Date of birth.
    BirthDate,
    /// Sex.
    Sex,
    /// Date of expiry.
    ExpiryDate,
    /// Optional data / personal number (TD1: line 1).
    OptionalData,
    /// TD1 optional data of line 2.
    OptionalData2,
    /// The composite check digit.
    Composite,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MrzErrorKind {
    /// Not 2 or 3 lines.
    #[error("expected 2 or 3 lines, found {found}")]
    LineCount {
        /// Lines found.
        found: usize,
    },
    /// A line of the wrong length for the format.
    #[error("line has {found} characters, expected {expected}")]
    LineLength {
        /// Expected length.
        expected: usize,
        /// Found length.
        found: usize,
    },
    /// No format has this shape (e.g. two lines of different lengths).
    #[error("no MRZ format has lines of these lengths")]
    UnknownShape,
    /// Only `A`-`Z`, `0`-`9` and `<` may appear.
    #[error("invalid character {found:?}")]
    InvalidCharacter {
        /// The character.
        found: char,
    },
    /// A digit where a letter belongs, or the reverse.
    #[error("{field:?}: {found:?} is not allowed here")]
    WrongCharacterType {
        /// The field.
        field: Field,
        /// The character.
        found: char,
    },
    /// A check digit does not match.
    #[error("{field:?}: check digit is {found:?}, computed {expected:?}")]
    CheckDigit {
        /// The field the check digit protects.
        field: Field,
        /// Computed.
        expected: char,
        /// Printed.
        found: char,
    },
    /// Not an ISO 3166-1 alpha-3 code nor one of ICAO's codes.
    #[error("{field:?}: unknown state or organization code {code:?}")]
    UnknownCode {
        /// Issuer or nationality.
        field: Field,
        /// The code (fillers removed).
        code: String,
    },
    /// A date that does not exist.
    #[error("{field:?}: invalid date {raw:?}")]
    InvalidDate {
        /// The field.
        field: Field,
        /// The six characters.
        raw: String,
    },
    /// Sex other than F, M, X or `<`.
    #[error("invalid sex {found:?}")]
    InvalidSex {
        /// The character.
        found: char,
    },
    /// The document code does not start with a letter.
    #[error("invalid document code {code:?}")]
    InvalidDocumentCode {
        /// The code.
        code: String,
    },
    /// A filler inside a value that may only be padded at its end (document number).
    #[error("{field:?}: filler inside the value")]
    InternalFiller {
        /// The field.
        field: Field,
    },
    /// The name has no primary identifier.
    #[error("the name has no primary identifier")]
    EmptyName,
    /// Name components must be separated by one filler, the two identifiers by two; text
    /// after a longer run of fillers (a misread or a forged zone) is refused.
    #[error("malformed name field (stray characters after the fillers)")]
    InvalidName,
    /// A value that does not fit its field when formatting.
    #[error("{field:?}: value does not fit ({len} characters, room for {room})")]
    TooLong {
        /// The field.
        field: Field,
        /// Length needed.
        len: usize,
        /// Room available.
        room: usize,
    },
}

/// An MRZ problem at a position (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[error("line {line}, column {column}: {kind}")]
pub struct MrzError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub kind: MrzErrorKind,
}

/// Which check digits passed (`None`: the format has none, or `<` allowed for an empty field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CheckDigits {
    /// Document number.
    pub document_number: bool,
    /// Birth date.
    pub birth_date: bool,
    /// Expiry date.
    pub expiry_date: bool,
    /// TD3 personal number (only TD3 has this check digit).
    pub optional_data: Option<bool>,
    /// Composite (TD1, TD2, TD3).
    pub composite: Option<bool>,
}

impl CheckDigits {
    /// All present check digits pass.
    pub fn all_valid(&self) -> bool {
        self.document_number
            && self.birth_date
            && self.expiry_date
            && self.optional_data != Some(false)
            && self.composite != Some(false)
    }
}

/// A parsed machine readable zone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Mrz {
    /// Layout.
    pub format: MrzFormat,
    /// Document code without fillers (`P`, `I`, `ID`, `V`, ...).
    pub document_code: String,
    /// Issuing state or organization, without fillers (`D`, `UTO`, ...).
    pub issuer: String,
    /// Primary identifier (surname), `<` read as spaces.
    pub primary_identifier: String,
    /// Secondary identifier (given names), `<` read as spaces.
    pub secondary_identifier: String,
    /// Document number without fillers, including a TD1/TD2 long number's overflow.
    pub document_number: String,
    /// Nationality, without fillers.
    pub nationality: String,
    /// Date of birth.
    pub birth_date: MrzDate,
    /// Sex.
    pub sex: Sex,
    /// Date of expiry.
    pub expiry_date: MrzDate,
    /// Optional data (TD3: the personal number; TD1: line 1's), trailing fillers removed.
    pub optional_data: String,
    /// TD1 line 2 optional data, trailing fillers removed (empty for other formats).
    pub optional_data_2: String,
    /// Check digit results.
    pub check_digits: CheckDigits,
    /// The lines as read.
    pub lines: Vec<String>,
}

/// One OCR correction made by [`Mrz::repair`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Correction {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Character read.
    pub from: char,
    /// Character substituted.
    pub to: char,
    /// Field.
    pub field: Field,
}

/// Check digit value of one MRZ character (Doc 9303 Part 3, §4.9): digits are themselves,
/// `A`-`Z` are 10-35, `<` is 0. Anything else is `None`.
pub fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// The check digit (7-3-1 weights, modulo 10) over `data`; characters outside the MRZ set
/// count as 0 (they are reported separately).
pub fn check_digit(data: &[u8]) -> u8 {
    const W: [u32; 3] = [7, 3, 1];
    let sum: u32 = data
        .iter()
        .enumerate()
        .map(|(i, &c)| char_value(c).unwrap_or(0) * W[i % 3])
        .sum();
    // sum % 10 < 10, so this cannot truncate.
    b'0' + (sum % 10) as u8
}

/// The check digit over several pieces as if joined (without joining them).
fn composite_digit(parts: &[&[u8]]) -> u8 {
    const W: [u32; 3] = [7, 3, 1];
    let sum: u32 = parts
        .iter()
        .flat_map(|p| p.iter())
        .enumerate()
        .map(|(i, &c)| char_value(c).unwrap_or(0) * W[i % 3])
        .sum();
    b'0' + (sum % 10) as u8
}

/// Field positions of a format: (line index, start, end exclusive).
type Span = (usize, usize, usize);

struct Layout {
    code: Span,
    issuer: Span,
    name: Span,
    number: Span,
    number_cd: Span,
    nationality: Span,
    birth: Span,
    birth_cd: Span,
    sex: Span,
    expiry: Span,
    expiry_cd: Span,
    optional: Span,
    optional_cd: Option<Span>,
    optional2: Option<Span>,
    composite: Option<Span>,
    /// The spans the composite check digit covers.
    composite_over: &'static [Span],
}

const TD1: Layout = Layout {
    code: (0, 0, 2),
    issuer: (0, 2, 5),
    number: (0, 5, 14),
    number_cd: (0, 14, 15),
    optional: (0, 15, 30),
    birth: (1, 0, 6),
    birth_cd: (1, 6, 7),
    sex: (1, 7, 8),
    expiry: (1, 8, 14),
    expiry_cd: (1, 14, 15),
    nationality: (1, 15, 18),
    optional2: Some((1, 18, 29)),
    composite: Some((1, 29, 30)),
    name: (2, 0, 30),
    optional_cd: None,
    composite_over: &[(0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)],
};

const fn two_line(width: usize, visa: bool) -> Layout {
    let long = width == 44;
    Layout {
        code: (0, 0, 2),
        issuer: (0, 2, 5),
        name: (0, 5, width),
        number: (1, 0, 9),
        number_cd: (1, 9, 10),
        nationality: (1, 10, 13),
        birth: (1, 13, 19),
        birth_cd: (1, 19, 20),
        sex: (1, 20, 21),
        expiry: (1, 21, 27),
        expiry_cd: (1, 27, 28),
        optional: if visa {
            (1, 28, width)
        } else if long {
            (1, 28, 42)
        } else {
            (1, 28, 35)
        },
        optional_cd: if !visa && long {
            Some((1, 42, 43))
        } else {
            None
        },
        optional2: None,
        composite: if visa {
            None
        } else {
            Some((1, width - 1, width))
        },
        composite_over: if visa {
            &[]
        } else if long {
            &[(1, 0, 10), (1, 13, 20), (1, 21, 43)]
        } else {
            &[(1, 0, 10), (1, 13, 20), (1, 21, 35)]
        },
    }
}

const TD2: Layout = two_line(36, false);
const TD3: Layout = two_line(44, false);
const MRVA: Layout = two_line(44, true);
const MRVB: Layout = two_line(36, true);

fn layout(format: MrzFormat) -> &'static Layout {
    match format {
        MrzFormat::Td1 => &TD1,
        MrzFormat::Td2 => &TD2,
        MrzFormat::Td3 => &TD3,
        MrzFormat::MrvA => &MRVA,
        MrzFormat::MrvB => &MRVB,
    }
}

/// How a field's characters are typed (what OCR repair may assume).
#[derive(Clone, Copy, PartialEq, Eq)]
enum CharType {
    Alpha,
    Numeric,
}

fn trim_fillers(s: &[u8]) -> String {
    let end = s.iter().rposition(|&c| c != b'<').map_or(0, |p| p + 1);
    String::from_utf8_lossy(&s[..end]).into_owned()
}

fn name_part(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split(|&c| c == b'<').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&String::from_utf8_lossy(w));
    }
    out
}

/// Resolves a two-digit year: see the module documentation for the rule.
fn resolve_date(raw: &[u8], field: Field, reference: Date) -> Option<Date> {
    let mut d = [0u8; 6];
    if raw.len() != 6 {
        return None;
    }
    for (slot, &c) in d.iter_mut().zip(raw) {
        *slot = c.is_ascii_digit().then_some(c - b'0')?;
    }
    let yy = u16::from(d[0]) * 10 + u16::from(d[1]);
    let month = d[2] * 10 + d[3];
    let day = d[4] * 10 + d[5];
    let century = reference.year - reference.year % 100;
    let year = match field {
        Field::BirthDate => {
            let y = century + yy;
            let candidate = (y, month, day);
            if candidate > (reference.year, reference.month, reference.day) {
                y.checked_sub(100)?
            } else {
                y
            }
        }
        _ => {
            let low = reference.year.saturating_sub(50);
            let mut y = century + yy;
            if y < low {
                y += 100;
            } else if y >= low + 100 {
                y -= 100;
            }
            y
        }
    };
    Date::new(year, month, day)
}

struct Lines<'a> {
    lines: Vec<&'a [u8]>,
}

impl<'a> Lines<'a> {
    fn get(&self, span: Span) -> &'a [u8] {
        self.lines
            .get(span.0)
            .and_then(|l| l.get(span.1..span.2))
            .unwrap_or(&[])
    }
}

fn err(span: Span, offset: usize, kind: MrzErrorKind) -> MrzError {
    MrzError {
        line: span.0 + 1,
        column: span.1 + offset + 1,
        kind,
    }
}

fn detect(lines: &[&[u8]]) -> Result<MrzFormat, MrzError> {
    let first_is_v = lines.first().and_then(|l| l.first()) == Some(&b'V');
    match lines.len() {
        3 => {
            for (i, l) in lines.iter().enumerate() {
                if l.len() != 30 {
                    return Err(MrzError {
                        line: i + 1,
                        column: l.len().min(30) + 1,
                        kind: MrzErrorKind::LineLength {
                            expected: 30,
                            found: l.len(),
                        },
                    });
                }
            }
            Ok(MrzFormat::Td1)
        }
        2 => {
            let width = lines[0].len();
            let format = match (width, first_is_v) {
                (44, false) => MrzFormat::Td3,
                (44, true) => MrzFormat::MrvA,
                (36, false) => MrzFormat::Td2,
                (36, true) => MrzFormat::MrvB,
                _ => {
                    return Err(MrzError {
                        line: 1,
                        column: 1,
                        kind: MrzErrorKind::UnknownShape,
                    });
                }
            };
            if lines[1].len() != width {
                return Err(MrzError {
                    line: 2,
                    column: lines[1].len().min(width) + 1,
                    kind: MrzErrorKind::LineLength {
                        expected: width,
                        found: lines[1].len(),
                    },
                });
            }
            Ok(format)
        }
        n => Err(MrzError {
            line: n.min(1),
            column: 1,
            kind: MrzErrorKind::LineCount { found: n },
        }),
    }
}

/// Splits input into lines: trims surrounding whitespace, drops blank lines.
fn split_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

impl Mrz {
    /// Strict parse of an MRZ given as text (one line per MRZ line; surrounding whitespace and
    /// blank lines are ignored). The first problem found is the error.
    pub fn parse(text: &str, reference: Date) -> Result<Mrz, MrzError> {
        let (mrz, mut problems) = Self::analyze(text, reference)?;
        if problems.is_empty() {
            Ok(mrz)
        } else {
            Err(problems.swap_remove(0))
        }
    }

    /// Parses the structure (line count, lengths, character set) and returns the zone with
    /// every semantic problem found, in reading order.
    pub fn analyze(text: &str, reference: Date) -> Result<(Mrz, Vec<MrzError>), MrzError> {
        let lines = split_lines(text);
        let raw: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        // Character set first, so a multi-byte character is reported where it is.
        for (i, line) in lines.iter().enumerate() {
            for (col, c) in line.chars().enumerate() {
                if !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<') {
                    return Err(MrzError {
                        line: i + 1,
                        column: col + 1,
                        kind: MrzErrorKind::InvalidCharacter { found: c },
                    });
                }
            }
        }
        let format = detect(&raw)?;
        Ok(analyze_lines(format, &Lines { lines: raw }, reference))
    }

    /// Formats the zone's fields back into MRZ lines, computing every check digit.
    /// `lines` and `check_digits` are ignored; dates are written from their `raw` form.
    pub fn to_lines(&self) -> Result<Vec<String>, MrzError> {
        let l = layout(self.format);
        let (count, width) = self.format.shape();
        let mut out = vec![vec![b'<'; width]; count];
        let put = |out: &mut Vec<Vec<u8>>, span: Span, field: Field, value: &[u8]| {
            if let Some(i) = value.iter().position(|&c| char_value(c).is_none()) {
                let found = String::from_utf8_lossy(&value[i..])
                    .chars()
                    .next()
                    .unwrap_or('?');
                return Err(err(span, i, MrzErrorKind::InvalidCharacter { found }));
            }
            let room = span.2 - span.1;
            if value.len() > room {
                return Err(err(
                    span,
                    0,
                    MrzErrorKind::TooLong {
                        field,
                        len: value.len(),
                        room,
                    },
                ));
            }
            if let Some(line) = out.get_mut(span.0) {
                line[span.1..span.1 + value.len()].copy_from_slice(value);
            }
            Ok(())
        };
        put(
            &mut out,
            l.code,
            Field::DocumentCode,
            self.document_code.as_bytes(),
        )?;
        put(&mut out, l.issuer, Field::Issuer, self.issuer.as_bytes())?;
        let mut name = self.primary_identifier.replace(' ', "<");
        if !self.secondary_identifier.is_empty() {
            name.push_str("<<");
            name.push_str(&self.secondary_identifier.replace(' ', "<"));
        }
        put(&mut out, l.name, Field::Name, name.as_bytes())?;
        let number = self.document_number.as_bytes();
        let number_cd = check_digit(number);
        let mut optional = self.optional_data.as_bytes().to_vec();
        let long_number = number.len() > 9 && l.optional_cd.is_none() && l.composite.is_some();
        if long_number {
            // TD1/TD2 long number: 9 characters, a filler where the check digit was, and the
            // rest plus the check digit at the start of the optional data (Part 5, §4.2.4).
            put(&mut out, l.number, Field::DocumentNumber, &number[..9])?;
            let mut opt = number[9..].to_vec();
            opt.push(number_cd);
            opt.push(b'<');
            opt.extend_from_slice(&optional);
            optional = opt;
        } else {
            put(&mut out, l.number, Field::DocumentNumber, number)?;
            put(&mut out, l.number_cd, Field::DocumentNumber, &[number_cd])?;
        }
        put(
            &mut out,
            l.nationality,
            Field::Nationality,
            self.nationality.as_bytes(),
        )?;
        put(
            &mut out,
            l.birth,
            Field::BirthDate,
            self.birth_date.raw.as_bytes(),
        )?;
        put(
            &mut out,
            l.birth_cd,
            Field::BirthDate,
            &[check_digit(self.birth_date.raw.as_bytes())],
        )?;
        put(&mut out, l.sex, Field::Sex, &[self.sex.as_char() as u8])?;
        put(
            &mut out,
            l.expiry,
            Field::ExpiryDate,
            self.expiry_date.raw.as_bytes(),
        )?;
        put(
            &mut out,
            l.expiry_cd,
            Field::ExpiryDate,
            &[check_digit(self.expiry_date.raw.as_bytes())],
        )?;
        put(&mut out, l.optional, Field::OptionalData, &optional)?;
        if let Some(span) = l.optional2 {
            put(
                &mut out,
                span,
                Field::OptionalData2,
                self.optional_data_2.as_bytes(),
            )?;
        }
        if let Some(span) = l.optional_cd {
            let field = &out[span.0][l.optional.1..l.optional.2];
            // An empty personal number may carry `<` as its check digit; we write 0 (Part 4, §4.2.2.2
            // allows either).
            let cd = check_digit(field);
            put(&mut out, span, Field::OptionalData, &[cd])?;
        }
        if let Some(span) = l.composite {
            let parts: Vec<&[u8]> = l
                .composite_over
                .iter()
                .map(|s| &out[s.0][s.1..s.2])
                .collect();
            let cd = composite_digit(&parts);
            put(&mut out, span, Field::Composite, &[cd])?;
        }
        Ok(out
            .into_iter()
            .map(|l| String::from_utf8_lossy(&l).into_owned())
            .collect())
    }

    /// Opt-in OCR repair: when `text` does not parse cleanly, tries the usual confusions
    /// (0/O, 1/I, 2/Z, 5/S, 8/B) in fields whose character type is known — digits in dates
    /// and check digits, letters in codes, names and sex — and, in the alphanumeric document
    /// number and optional data, every combination of those confusions. A repair is accepted
    /// only when the repaired zone then passes every check (check digits, dates, codes) and
    /// no other combination does too. Returns the zone and the corrections made (empty when
    /// nothing needed repair), or the original problem.
    pub fn repair(text: &str, reference: Date) -> Result<(Mrz, Vec<Correction>), MrzError> {
        let lines = split_lines(text);
        let mut raw: Vec<Vec<u8>> = lines.iter().map(|l| l.as_bytes().to_vec()).collect();
        let original_error = match Self::parse(text, reference) {
            Ok(m) => return Ok((m, Vec::new())),
            Err(e) => e,
        };
        let refs: Vec<&[u8]> = raw.iter().map(|l| l.as_slice()).collect();
        // Structure must be right (OCR repair does not invent characters or lines).
        let format = detect(&refs)?;
        if raw.iter().flatten().any(|&c| char_value(c).is_none()) {
            return Err(original_error);
        }
        let l = layout(format);
        let mut corrections = Vec::new();
        let typed: Vec<(Span, CharType, Field)> = {
            let mut v = vec![
                (l.code, CharType::Alpha, Field::DocumentCode),
                (l.issuer, CharType::Alpha, Field::Issuer),
                (l.name, CharType::Alpha, Field::Name),
                (l.nationality, CharType::Alpha, Field::Nationality),
                (l.sex, CharType::Alpha, Field::Sex),
                (l.birth, CharType::Numeric, Field::BirthDate),
                (l.birth_cd, CharType::Numeric, Field::BirthDate),
                (l.expiry, CharType::Numeric, Field::ExpiryDate),
                (l.expiry_cd, CharType::Numeric, Field::ExpiryDate),
            ];
            if let Some(s) = l.composite {
                v.push((s, CharType::Numeric, Field::Composite));
            }
            if let Some(s) = l.optional_cd {
                v.push((s, CharType::Numeric, Field::OptionalData));
            }
            // A long TD1/TD2 number moves the check digit; only a short one is typed.
            if raw[l.number_cd.0][l.number_cd.1] != b'<' {
                v.push((l.number_cd, CharType::Numeric, Field::DocumentNumber));
            }
            v
        };
        for (span, ty, field) in typed {
            #[allow(clippy::needless_range_loop)]
            for col in span.1..span.2 {
                let c = raw[span.0][col];
                if let Some(to) = confusion(c, ty) {
                    raw[span.0][col] = to;
                    corrections.push(Correction {
                        line: span.0 + 1,
                        column: col + 1,
                        from: c as char,
                        to: to as char,
                        field,
                    });
                }
            }
        }
        let joined = |raw: &[Vec<u8>]| {
            raw.iter()
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect::<Vec<_>>()
                .join("\n")
        };
        if let Ok(m) = Self::parse(&joined(&raw), reference) {
            return Ok((m, corrections));
        }
        // Alphanumeric fields: try each combination of confusable characters.
        let mut ambiguous: Vec<(usize, usize, Field)> = Vec::new();
        for (span, field) in [
            (l.number, Field::DocumentNumber),
            (l.optional, Field::OptionalData),
        ]
        .into_iter()
        .chain(l.optional2.map(|s| (s, Field::OptionalData2)))
        {
            #[allow(clippy::needless_range_loop)]
            for col in span.1..span.2 {
                if swap(raw[span.0][col]).is_some() {
                    ambiguous.push((span.0, col, field));
                }
            }
        }
        // 2^12 parses at most: bounded work on any input.
        if ambiguous.is_empty() || ambiguous.len() > 12 {
            return Err(original_error);
        }
        // Fewest changes first; at the first size where something passes it must be unique.
        let n = ambiguous.len();
        for weight in 1..=n as u32 {
            let mut found: Option<(Mrz, Vec<Correction>)> = None;
            for mask in (1u32..(1 << n)).filter(|m| m.count_ones() == weight) {
                let mut candidate = raw.clone();
                let mut extra = Vec::new();
                for (bit, &(line, col, field)) in ambiguous.iter().enumerate() {
                    if mask & (1 << bit) != 0 {
                        let from = candidate[line][col];
                        if let Some(to) = swap(from) {
                            candidate[line][col] = to;
                            extra.push(Correction {
                                line: line + 1,
                                column: col + 1,
                                from: from as char,
                                to: to as char,
                                field,
                            });
                        }
                    }
                }
                if let Ok(m) = Self::parse(&joined(&candidate), reference) {
                    if found.is_some() {
                        // Two different readings pass: refuse to guess.
                        return Err(original_error);
                    }
                    let mut all = corrections.clone();
                    all.extend(extra);
                    found = Some((m, all));
                }
            }
            if let Some(f) = found {
                return Ok(f);
            }
        }
        Err(original_error)
    }
}

/// The OCR confusion pairs.
const PAIRS: [(u8, u8); 5] = [
    (b'0', b'O'),
    (b'1', b'I'),
    (b'2', b'Z'),
    (b'5', b'S'),
    (b'8', b'B'),
];

fn swap(c: u8) -> Option<u8> {
    PAIRS.iter().find_map(|&(d, a)| {
        if c == d {
            Some(a)
        } else if c == a {
            Some(d)
        } else {
            None
        }
    })
}

fn confusion(c: u8, ty: CharType) -> Option<u8> {
    match ty {
        CharType::Numeric if c.is_ascii_uppercase() => swap(c),
        CharType::Alpha if c.is_ascii_digit() => swap(c),
        _ => None,
    }
}

fn analyze_lines(format: MrzFormat, lines: &Lines<'_>, reference: Date) -> (Mrz, Vec<MrzError>) {
    let l = layout(format);
    let mut problems = Vec::new();

    // Character types of the fields whose type is fixed.
    let expect = |span: Span, ty: CharType, field: Field, problems: &mut Vec<MrzError>| {
        for (i, &c) in lines.get(span).iter().enumerate() {
            let bad = match ty {
                CharType::Alpha => c.is_ascii_digit(),
                CharType::Numeric => c.is_ascii_uppercase(),
            };
            if bad {
                problems.push(err(
                    span,
                    i,
                    MrzErrorKind::WrongCharacterType {
                        field,
                        found: c as char,
                    },
                ));
                return;
            }
        }
    };

    let code_raw = lines.get(l.code);
    expect(l.code, CharType::Alpha, Field::DocumentCode, &mut problems);
    if !code_raw.first().is_some_and(u8::is_ascii_uppercase) {
        problems.push(err(
            l.code,
            0,
            MrzErrorKind::InvalidDocumentCode {
                code: trim_fillers(code_raw),
            },
        ));
    }

    let code_check = |span: Span, field: Field, problems: &mut Vec<MrzError>| {
        let code = trim_fillers(lines.get(span));
        if !is_known_code(&code) {
            problems.push(err(span, 0, MrzErrorKind::UnknownCode { field, code }));
        }
    };
    code_check(l.issuer, Field::Issuer, &mut problems);

    // Name: split at the first "<<".
    let name_raw = lines.get(l.name);
    expect(l.name, CharType::Alpha, Field::Name, &mut problems);
    let (primary, secondary) = match name_raw.windows(2).position(|w| w == b"<<") {
        Some(p) => (&name_raw[..p], &name_raw[p + 2..]),
        None => (name_raw, &[][..]),
    };
    let primary_identifier = name_part(primary);
    if primary_identifier.is_empty() {
        problems.push(err(l.name, 0, MrzErrorKind::EmptyName));
    } else {
        let end = name_raw
            .iter()
            .rposition(|&c| c != b'<')
            .map_or(0, |p| p + 1);
        let used = &name_raw[..end];
        let doubles = used.windows(2).filter(|w| w == b"<<").count();
        if let Some(p) = used.windows(3).position(|w| w == b"<<<") {
            problems.push(err(l.name, p, MrzErrorKind::InvalidName));
        } else if doubles > 1 {
            let p = used.windows(2).rposition(|w| w == b"<<").unwrap_or(0);
            problems.push(err(l.name, p, MrzErrorKind::InvalidName));
        }
    }

    // Document number, with the TD1/TD2 long-number overflow.
    let number_raw = lines.get(l.number);
    let number_cd_raw = lines.get(l.number_cd).first().copied().unwrap_or(b'<');
    let optional_raw = lines.get(l.optional);
    let mut optional_data = trim_fillers(optional_raw);
    let long = l.composite.is_some() && l.optional_cd.is_none() && number_cd_raw == b'<';
    let (document_number, number_ok, number_err) = if long {
        // Overflow: extra characters, then the check digit, then a filler.
        let end = optional_raw
            .iter()
            .position(|&c| c == b'<')
            .unwrap_or(optional_raw.len());
        if end == 0 {
            // A filler where the check digit belongs and no overflow: the check digit is missing.
            let expected = check_digit(number_raw) as char;
            (
                trim_fillers(number_raw),
                false,
                Some(err(
                    l.number_cd,
                    0,
                    MrzErrorKind::CheckDigit {
                        field: Field::DocumentNumber,
                        expected,
                        found: '<',
                    },
                )),
            )
        } else {
            let mut full = number_raw.to_vec();
            full.extend_from_slice(&optional_raw[..end - 1]);
            let found = optional_raw[end - 1];
            let expected = check_digit(&full);
            optional_data = trim_fillers(optional_raw.get(end + 1..).unwrap_or(&[]));
            let ok = found == expected;
            (
                trim_fillers(&full),
                ok,
                (!ok).then(|| {
                    err(
                        l.optional,
                        end - 1,
                        MrzErrorKind::CheckDigit {
                            field: Field::DocumentNumber,
                            expected: expected as char,
                            found: found as char,
                        },
                    )
                }),
            )
        }
    } else {
        let expected = check_digit(number_raw);
        let ok = number_cd_raw == expected;
        (
            trim_fillers(number_raw),
            ok,
            (!ok).then(|| {
                err(
                    l.number_cd,
                    0,
                    MrzErrorKind::CheckDigit {
                        field: Field::DocumentNumber,
                        expected: expected as char,
                        found: number_cd_raw as char,
                    },
                )
            }),
        )
    };

    // Problems are reported in reading order: sort at the end.
    problems.extend(number_err);
    if let Some(p) = document_number.find('<') {
        problems.push(err(
            l.number,
            p.min(l.number.2 - l.number.1 - 1),
            MrzErrorKind::InternalFiller {
                field: Field::DocumentNumber,
            },
        ));
    }

    let digit = |span: Span, over: Span, field: Field, problems: &mut Vec<MrzError>| {
        let found = lines.get(span).first().copied().unwrap_or(b'<');
        let expected = check_digit(lines.get(over));
        let ok = found == expected;
        if !ok {
            problems.push(err(
                span,
                0,
                MrzErrorKind::CheckDigit {
                    field,
                    expected: expected as char,
                    found: found as char,
                },
            ));
        }
        ok
    };

    code_check(l.nationality, Field::Nationality, &mut problems);
    expect(
        l.nationality,
        CharType::Alpha,
        Field::Nationality,
        &mut problems,
    );

    let date = |span: Span, cd: Span, field: Field, problems: &mut Vec<MrzError>| {
        let raw = lines.get(span);
        expect(span, CharType::Numeric, field, problems);
        let resolved = resolve_date(raw, field, reference);
        let unknown = raw.contains(&b'<');
        let bad = if unknown {
            !partial_date_ok(raw)
        } else {
            resolved.is_none()
        };
        if bad {
            problems.push(err(
                span,
                0,
                MrzErrorKind::InvalidDate {
                    field,
                    raw: String::from_utf8_lossy(raw).into_owned(),
                },
            ));
        }
        expect(cd, CharType::Numeric, field, problems);
        let ok = digit(cd, span, field, problems);
        (
            MrzDate {
                raw: String::from_utf8_lossy(raw).into_owned(),
                date: resolved,
            },
            ok,
        )
    };
    let (birth_date, birth_ok) = date(l.birth, l.birth_cd, Field::BirthDate, &mut problems);

    let sex_char = lines.get(l.sex).first().copied().unwrap_or(b'<') as char;
    let sex = Sex::from_char(sex_char).unwrap_or_else(|| {
        problems.push(err(l.sex, 0, MrzErrorKind::InvalidSex { found: sex_char }));
        Sex::NotGiven
    });

    let (expiry_date, expiry_ok) = date(l.expiry, l.expiry_cd, Field::ExpiryDate, &mut problems);

    let optional_ok = l.optional_cd.map(|span| {
        // An all-filler personal number may have `<` as its check digit (Part 4, §4.2.2.2).
        let empty = optional_raw.iter().all(|&c| c == b'<');
        let found = lines.get(span).first().copied().unwrap_or(b'<');
        if empty && found == b'<' {
            true
        } else {
            digit(span, l.optional, Field::OptionalData, &mut problems)
        }
    });

    let optional_data_2 = l
        .optional2
        .map(|s| trim_fillers(lines.get(s)))
        .unwrap_or_default();

    let composite_ok = l.composite.map(|span| {
        let mut parts: [&[u8]; 4] = [&[]; 4];
        for (slot, &s) in parts.iter_mut().zip(l.composite_over) {
            *slot = lines.get(s);
        }
        let expected = composite_digit(&parts);
        let found = lines.get(span).first().copied().unwrap_or(b'<');
        let ok = found == expected;
        if !ok {
            problems.push(err(
                span,
                0,
                MrzErrorKind::CheckDigit {
                    field: Field::Composite,
                    expected: expected as char,
                    found: found as char,
                },
            ));
        }
        ok
    });

    problems.sort_by_key(|e| (e.line, e.column));
    let mrz = Mrz {
        format,
        document_code: trim_fillers(code_raw),
        issuer: trim_fillers(lines.get(l.issuer)),
        primary_identifier,
        secondary_identifier: name_part(secondary),
        document_number,
        nationality: trim_fillers(lines.get(l.nationality)),
        birth_date,
        sex,
        expiry_date,
        optional_data,
        optional_data_2,
        check_digits: CheckDigits {
            document_number: number_ok,
            birth_date: birth_ok,
            expiry_date: expiry_ok,
            optional_data: optional_ok,
            composite: composite_ok,
        },
        lines: lines
            .lines
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect(),
    };
    (mrz, problems)
}

/// A date with unknown parts: the unknown parts are whole (`<<`) and the known ones valid.
fn partial_date_ok(raw: &[u8]) -> bool {
    raw.chunks(2).enumerate().all(|(i, pair)| {
        if pair == b"<<" {
            return true;
        }
        if !pair.iter().all(u8::is_ascii_digit) {
            return false;
        }
        let v = (pair[0] - b'0') * 10 + (pair[1] - b'0');
        match i {
            1 => (1..=12).contains(&v),
            2 => (1..=31).contains(&v),
            _ => true,
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const TODAY: Date = Date {
        year: 2026,
        month: 11,
        day: 24,
    };
    /// Doc 9303 was written around 2008-2015; its specimens expire in 2012.
    const SPEC: Date = Date {
        year: 2008,
        month: 6,
        day: 1,
    };

    fn d(y: u16, m: u8, day: u8) -> Option<Date> {
        Date::new(y, m, day)
    }

    #[test]
    fn check_digits_of_the_specimens() {
        assert_eq!(check_digit(b"L898902C3"), b'6');
        assert_eq!(check_digit(b"740812"), b'2');
        assert_eq!(check_digit(b"120415"), b'9');
        assert_eq!(check_digit(b"ZE184226B<<<<<"), b'1');
        assert_eq!(check_digit(b"D23145890"), b'7');
    }

    #[test]
    fn td3_specimen() {
        let m = Mrz::parse(
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
            SPEC,
        )
        .unwrap();
        assert_eq!(m.format, MrzFormat::Td3);
        assert_eq!(m.document_code, "P");
        assert_eq!(m.issuer, "UTO");
        assert_eq!(m.primary_identifier, "ERIKSSON");
        assert_eq!(m.secondary_identifier, "ANNA MARIA");
        assert_eq!(m.document_number, "L898902C3");
        assert_eq!(m.nationality, "UTO");
        assert_eq!(m.birth_date.date, d(1974, 8, 12));
        assert_eq!(m.sex, Sex::Female);
        assert_eq!(m.expiry_date.date, d(2012, 4, 15));
        assert_eq!(m.optional_data, "ZE184226B");
        assert!(m.check_digits.all_valid());
        assert_eq!(m.check_digits.optional_data, Some(true));
        assert_eq!(m.to_lines().unwrap(), m.lines);
    }

    #[test]
    fn td1_specimen() {
        let m = Mrz::parse(
            "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
            SPEC,
        )
        .unwrap();
        assert_eq!(m.format, MrzFormat::Td1);
        assert_eq!(m.document_code, "I");
        assert_eq!(m.document_number, "D23145890");
        assert_eq!(m.birth_date.date, d(1974, 8, 12));
        assert_eq!(m.expiry_date.date, d(2012, 4, 15));
        assert_eq!(m.primary_identifier, "ERIKSSON");
        assert_eq!(m.secondary_identifier, "ANNA MARIA");
        assert_eq!(m.check_digits.composite, Some(true));
        assert_eq!(m.to_lines().unwrap(), m.lines);
    }

    #[test]
    fn td2_specimen() {
        let m = Mrz::parse(
            "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6",
            SPEC,
        )
        .unwrap();
        assert_eq!(m.format, MrzFormat::Td2);
        assert_eq!(m.document_number, "D23145890");
        assert_eq!(m.secondary_identifier, "ANNA MARIA");
        assert_eq!(m.to_lines().unwrap(), m.lines);
    }

    #[test]
    fn mrv_specimens() {
        // Doc 9303 Part 7 specimens (MRV-A and MRV-B).
        let a = Mrz::parse(
            "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<",
            SPEC,
        )
        .unwrap();
        assert_eq!(a.format, MrzFormat::MrvA);
        assert_eq!(a.nationality, "XXX");
        assert_eq!(a.birth_date.date, d(1940, 9, 7));
        assert_eq!(a.expiry_date.date, d(1996, 12, 10));
        assert_eq!(a.optional_data, "6ZE184226B");
        assert_eq!(a.check_digits.composite, None);
        let b = Mrz::parse(
            "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<",
            SPEC,
        )
        .unwrap();
        assert_eq!(b.format, MrzFormat::MrvB);
        assert_eq!(b.document_number, "L8988901C");
        for m in [a, b] {
            assert_eq!(m.to_lines().unwrap(), m.lines);
        }
    }

    #[test]
    fn td1_long_document_number() {
        // Doc 9303 Part 5 §4.2.4 example: number D23145890734 (check digit 9).
        let text = "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<";
        let (m, problems) = Mrz::analyze(text, SPEC).unwrap();
        assert_eq!(m.document_number, "D23145890734");
        assert!(m.check_digits.document_number, "{problems:?}");
        assert_eq!(m.optional_data, "");
        let lines = m.to_lines().unwrap();
        assert_eq!(lines[0], "I<UTOD23145890<7349<<<<<<<<<<<");
        assert_eq!(
            Mrz::parse(&lines.join("\n"), SPEC).unwrap().document_number,
            m.document_number
        );
    }

    #[test]
    fn germany_and_sex_x() {
        let m = Mrz {
            format: MrzFormat::Td3,
            document_code: "P".into(),
            issuer: "D".into(),
            primary_identifier: "MUSTERMANN".into(),
            secondary_identifier: "ERIKA".into(),
            document_number: "C01X00T47".into(),
            nationality: "D".into(),
            birth_date: MrzDate {
                raw: "640812".into(),
                date: None,
            },
            sex: Sex::Unspecified,
            expiry_date: MrzDate {
                raw: "310131".into(),
                date: None,
            },
            optional_data: String::new(),
            optional_data_2: String::new(),
            check_digits: CheckDigits::default(),
            lines: vec![],
        };
        let lines = m.to_lines().unwrap();
        assert_eq!(lines[0], "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<");
        let p = Mrz::parse(&lines.join("\n"), TODAY).unwrap();
        assert_eq!(p.issuer, "D");
        assert_eq!(p.sex, Sex::Unspecified);
        assert_eq!(p.expiry_date.date, d(2031, 1, 31));
        let bad = Mrz {
            primary_identifier: "MÜLLER".into(),
            ..p
        };
        assert!(matches!(
            bad.to_lines().unwrap_err().kind,
            MrzErrorKind::InvalidCharacter { found: 'Ü' }
        ));
    }

    #[test]
    fn century_rule() {
        let r = TODAY;
        assert_eq!(resolve_date(b"740812", Field::BirthDate, r), d(1974, 8, 12));
        assert_eq!(
            resolve_date(b"261124", Field::BirthDate, r),
            d(2026, 11, 24)
        );
        assert_eq!(
            resolve_date(b"261125", Field::BirthDate, r),
            d(1926, 11, 25)
        );
        assert_eq!(resolve_date(b"750101", Field::ExpiryDate, r), d(2075, 1, 1));
        assert_eq!(resolve_date(b"760101", Field::ExpiryDate, r), d(1976, 1, 1));
        assert_eq!(resolve_date(b"000229", Field::BirthDate, r), d(2000, 2, 29));
        assert_eq!(resolve_date(b"010229", Field::BirthDate, r), None);
    }

    #[test]
    fn errors_carry_line_and_column() {
        let bad = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C37UTO7408122F1204159ZE184226B<<<<<10";
        let e = Mrz::parse(bad, SPEC).unwrap_err();
        assert_eq!((e.line, e.column), (2, 10));
        assert!(matches!(
            e.kind,
            MrzErrorKind::CheckDigit {
                field: Field::DocumentNumber,
                expected: '6',
                found: '7'
            }
        ));
        let (_, all) = Mrz::analyze(bad, SPEC).unwrap();
        // The document number's check digit and the composite.
        assert_eq!(all.len(), 2);
        assert_eq!((all[1].line, all[1].column), (2, 44));

        let e = Mrz::parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<1", SPEC).unwrap_err();
        assert_eq!((e.line, e.column), (2, 44));
        assert!(matches!(
            e.kind,
            MrzErrorKind::LineLength {
                expected: 44,
                found: 43
            }
        ));
        let e = Mrz::parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122Q1204159ZE184226B<<<<<10", SPEC).unwrap_err();
        assert_eq!((e.line, e.column), (2, 21));
        assert!(matches!(e.kind, MrzErrorKind::InvalidSex { found: 'Q' }));
        let e = Mrz::parse("P<QQQERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10", SPEC).unwrap_err();
        assert_eq!((e.line, e.column), (1, 3));
        let e = Mrz::parse("P<UTOERIKSSON<<ANNA<MARIä<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10", SPEC).unwrap_err();
        assert_eq!((e.line, e.column), (1, 25));
        assert!(Mrz::parse("", SPEC).is_err());
        assert!(Mrz::parse("ABC", SPEC).is_err());
    }

    #[test]
    fn stray_name_characters_and_inner_fillers_are_refused() {
        let e = Mrz::parse(
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<X\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
            SPEC,
        )
        .unwrap_err();
        assert_eq!(e.kind, MrzErrorKind::InvalidName);
        let (m, problems) = Mrz::analyze(
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL89<902C36UTO7408122F1204159ZE184226B<<<<<10",
            SPEC,
        )
        .unwrap();
        assert_eq!(m.document_number, "L89<902C3");
        assert!(problems.iter().any(|p| p.kind
            == MrzErrorKind::InternalFiller {
                field: Field::DocumentNumber
            }));
    }

    #[test]
    fn ocr_repair() {
        // O for 0 in the birth date, 1 for I in the name, 0/O confusion in the document number.
        let read = "P<UTOER1KSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO74O8122F1204159ZE184226B<<<<<10";
        assert!(Mrz::parse(read, SPEC).is_err());
        let (m, fixes) = Mrz::repair(read, SPEC).unwrap();
        assert_eq!(m.primary_identifier, "ERIKSSON");
        assert_eq!(m.birth_date.raw, "740812");
        assert_eq!(fixes.len(), 2);
        assert_eq!((fixes[0].line, fixes[0].column, fixes[0].to), (1, 8, 'I'));

        let read = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8989O2C36UTO7408122F1204159ZE184226B<<<<<10";
        let (m, fixes) = Mrz::repair(read, SPEC).unwrap();
        assert_eq!(m.document_number, "L898902C3");
        assert_eq!(fixes.len(), 1);

        // A wrong check digit that no confusion explains stays an error.
        let read = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C37UTO7408122F1204159ZE184226B<<<<<10";
        assert!(Mrz::repair(read, SPEC).is_err());
    }
}
