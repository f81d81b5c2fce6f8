//! Validation of records, shared by the API (typed input) and bulk import (text rows).

use crate::ident::NationalIdScheme;
use crate::model::{Address, AgencyData, BusinessData, PersonData, agency_code, isic_class};
use dasan_kernel::FieldError;

/// One problem with one field: a Fluent message id for screens, an English reason for reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bad {
    pub field: String,
    pub message: &'static str,
    pub reason: String,
}

impl Bad {
    pub fn new(field: impl Into<String>, message: &'static str, reason: impl Into<String>) -> Bad {
        Bad {
            field: field.into(),
            message,
            reason: reason.into(),
        }
    }

    pub fn to_field_error(&self) -> FieldError {
        FieldError::new(self.field.clone(), self.message)
    }
}

/// A free-text field: trimmed, 1..=`max` characters, no control characters.
pub(crate) fn text(out: &mut Vec<Bad>, field: &str, value: &mut String, max: usize) {
    let t = value.trim();
    if t.len() != value.len() {
        *value = t.to_owned();
    }
    if value.is_empty() {
        out.push(Bad::new(field, "registry-error-required", "is required"));
    } else if value.chars().count() > max {
        out.push(Bad::new(
            field,
            "registry-error-too-long",
            format!("is longer than {max} characters"),
        ));
    } else if value.chars().any(char::is_control) {
        out.push(Bad::new(
            field,
            "registry-error-control-characters",
            "contains control characters",
        ));
    }
}

/// A name in Latin letters: letters (with diacritics), digits, spaces and `-'.,&()`.
pub(crate) fn latin_name(out: &mut Vec<Bad>, field: &str, value: &mut String) {
    let before = out.len();
    text(out, field, value, 100);
    if out.len() == before
        && !value.chars().all(|c| {
            (c.is_alphabetic() && (c.is_ascii() || ('\u{00C0}'..='\u{024F}').contains(&c)))
                || c.is_ascii_digit()
                || matches!(c, ' ' | '-' | '\'' | '.' | ',' | '&' | '(' | ')')
        })
    {
        out.push(Bad::new(
            field,
            "registry-error-latin",
            "must be written in Latin letters",
        ));
    }
}

fn upper_code(out: &mut Vec<Bad>, field: &str, value: &mut String, len: usize) {
    *value = value.trim().to_owned();
    if value.len() != len || !value.bytes().all(|b| b.is_ascii_uppercase()) {
        out.push(Bad::new(
            field,
            "registry-error-code",
            format!("must be {len} capital letters"),
        ));
    }
}

pub(crate) fn address(out: &mut Vec<Bad>, prefix: &str, a: &mut Address) {
    text(out, &format!("{prefix}_region"), &mut a.region, 100);
    text(out, &format!("{prefix}_locality"), &mut a.locality, 100);
    text(out, &format!("{prefix}_street"), &mut a.street, 200);
    text(out, &format!("{prefix}_building"), &mut a.building, 50);
    if let Some(unit) = &mut a.unit {
        text(out, &format!("{prefix}_unit"), unit, 100);
    }
    let code = a.postal_code.trim().to_owned();
    if code.is_empty()
        || code.len() > 10
        || !code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
    {
        out.push(Bad::new(
            format!("{prefix}_postal_code"),
            "registry-error-postal-code",
            "is not a postal code",
        ));
    }
    a.postal_code = code;
    upper_code(out, &format!("{prefix}_country"), &mut a.country, 2);
}

/// Checks and normalises a person's record (national id canonical, text trimmed).
pub fn person(scheme: &dyn NationalIdScheme, p: &mut PersonData) -> Vec<Bad> {
    let mut out = Vec::new();
    match scheme.normalise(&p.national_id) {
        Ok(canonical) => {
            let implied = scheme.implied(&canonical);
            if implied.birth_date.is_some_and(|d| d != p.birth_date) {
                out.push(Bad::new(
                    "birth_date",
                    "registry-error-birth-date-mismatch",
                    "does not match the national identifier",
                ));
            }
            if implied.sex.is_some_and(|s| s != p.sex) {
                out.push(Bad::new(
                    "sex",
                    "registry-error-sex-mismatch",
                    "does not match the national identifier",
                ));
            }
            p.national_id = canonical;
        }
        Err(e) => out.push(Bad::new(
            "national_id",
            e.message(),
            format!("is not a valid {} number: {e}", scheme.name()),
        )),
    }
    text(&mut out, "name_local", &mut p.name_local, 100);
    latin_name(&mut out, "name_latin", &mut p.name_latin);
    if p.birth_date.year() < 1850 {
        out.push(Bad::new(
            "birth_date",
            "registry-error-date",
            "is before 1850",
        ));
    }
    upper_code(&mut out, "nationality", &mut p.nationality, 3);
    address(&mut out, "address", &mut p.address);
    if p.status_date.is_some_and(|d| d < p.birth_date) {
        out.push(Bad::new(
            "status_date",
            "registry-error-date",
            "is before the birth date",
        ));
    }
    if p.parents.len() > 2 {
        out.push(Bad::new(
            "parents",
            "registry-error-parents",
            "at most two parents",
        ));
    }
    if p.parents.len() == 2 && p.parents[0] == p.parents[1] {
        out.push(Bad::new(
            "parents",
            "registry-error-parents",
            "the same parent twice",
        ));
    }
    out
}

/// Checks and normalises a business's record.
pub fn business(b: &mut BusinessData) -> Vec<Bad> {
    let mut out = Vec::new();
    match crate::ident::business_number(&b.registration_number) {
        Ok(n) => b.registration_number = n,
        Err(e) => out.push(Bad::new(
            "registration_number",
            e.message(),
            format!("is not a valid business registration number: {e}"),
        )),
    }
    text(&mut out, "name", &mut b.name, 200);
    address(&mut out, "address", &mut b.address);
    match isic_class(&b.industry) {
        Some(c) => b.industry = c,
        None => out.push(Bad::new(
            "industry",
            "registry-error-isic",
            "is not an ISIC Rev. 4 class (four digits)",
        )),
    }
    out
}

/// Checks and normalises an agency's record (the parent's level is checked with the store).
pub fn agency(a: &mut AgencyData) -> Vec<Bad> {
    let mut out = Vec::new();
    match agency_code(&a.code) {
        Some(c) => a.code = c,
        None => out.push(Bad::new(
            "code",
            "registry-error-agency-code",
            "must be 2-32 capital letters, digits or hyphens",
        )),
    }
    if let Some(parent) = &a.parent {
        match agency_code(parent) {
            Some(c) if c == a.code => out.push(Bad::new(
                "parent_code",
                "registry-error-agency-parent",
                "an agency cannot be its own parent",
            )),
            Some(c) => a.parent = Some(c),
            None => out.push(Bad::new(
                "parent_code",
                "registry-error-agency-code",
                "is not an agency code",
            )),
        }
    }
    text(&mut out, "name_local", &mut a.name_local, 200);
    latin_name(&mut out, "name_latin", &mut a.name_latin);
    out
}
