//! Checking a step's answers against the definition: every problem on its field, with a
//! message key the pages translate. Pure.

use crate::definition::{Field, FieldKind, Step};
use dasan_kernel::FieldError;
use std::collections::BTreeMap;

/// The longest text answer when the definition sets none.
pub const DEFAULT_MAX_LENGTH: usize = 500;

/// What the form may ask the registries to check (national identifiers, business numbers).
pub trait Identifiers {
    /// The canonical form of a national identifier, if valid.
    fn person(&self, text: &str) -> Option<String>;
}

/// Checks the answers typed on `step` (prefilled fields are not typed and are ignored). Returns
/// the cleaned answers of the step's shown fields, or every problem.
pub fn check_step(
    step: &Step,
    typed: &BTreeMap<String, String>,
    earlier: &BTreeMap<String, String>,
    ids: &dyn Identifiers,
) -> Result<BTreeMap<String, String>, Vec<FieldError>> {
    let mut clean = BTreeMap::new();
    let mut errors = Vec::new();
    for field in &step.fields {
        if field.prefill.is_some() || field.kind == FieldKind::File {
            continue;
        }
        // Conditions look at earlier answers and at this step's answers so far.
        let mut known = earlier.clone();
        known.extend(
            clean
                .iter()
                .map(|(k, v): (&String, &String)| (k.clone(), v.clone())),
        );
        if !field.shown(&known) {
            continue;
        }
        let value = typed.get(&field.id).map(|v| v.trim()).unwrap_or_default();
        match check_field(field, value, ids) {
            Ok(Some(v)) => {
                clean.insert(field.id.clone(), v);
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(errors)
    }
}

fn check_field(
    field: &Field,
    value: &str,
    ids: &dyn Identifiers,
) -> Result<Option<String>, FieldError> {
    let err = |message: &'static str| FieldError::new(field.id.clone(), message);
    if value.is_empty() {
        return if field.required {
            Err(err(match field.kind {
                FieldKind::Choice => "civil-error-choose",
                _ => "civil-error-required",
            }))
        } else {
            Ok(None)
        };
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(err("civil-error-control"));
    }
    let value = match field.kind {
        FieldKind::Text | FieldKind::Address => {
            let max = field.max_length.unwrap_or(DEFAULT_MAX_LENGTH);
            if value.chars().count() > max {
                return Err(err("civil-error-too-long").with_arg("max", max));
            }
            value.to_owned()
        }
        FieldKind::Number => {
            let n: i64 = value
                .replace([',', ' '], "")
                .parse()
                .map_err(|_| err("civil-error-number"))?;
            if field.min.is_some_and(|m| n < m) || field.max.is_some_and(|m| n > m) {
                return Err(err("civil-error-range")
                    .with_arg("min", field.min.unwrap_or(i64::MIN))
                    .with_arg("max", field.max.unwrap_or(i64::MAX)));
            }
            n.to_string()
        }
        FieldKind::Date => value
            .parse::<jiff::civil::Date>()
            .map_err(|_| err("civil-error-date"))?
            .to_string(),
        FieldKind::Choice => {
            if !field.options.iter().any(|o| o.value == value) {
                return Err(err("civil-error-choose"));
            }
            value.to_owned()
        }
        FieldKind::Person => ids.person(value).ok_or_else(|| err("civil-error-person"))?,
        FieldKind::Business => dasan_registry::ident::business_number(value)
            .map_err(|_| err("civil-error-business"))?,
        FieldKind::File => return Ok(None),
    };
    Ok(Some(value))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::definition::ServiceDefinition;

    struct Ids;
    impl Identifiers for Ids {
        fn person(&self, text: &str) -> Option<String> {
            (text.len() == 14).then(|| text.to_owned())
        }
    }

    fn def() -> ServiceDefinition {
        ServiceDefinition::from_toml(
            r#"
code = "x"
agency = "MOIS"
issuance = "review"
time_limit_days = 3
name = { en = "X", ko = "X" }
description = { en = "X", ko = "X" }
[[steps]]
id = "one"
title = { en = "One", ko = "하나" }
[[steps.fields]]
id = "reason"
kind = "choice"
required = true
label = { en = "Reason", ko = "사유" }
options = [{ value = "move", label = { en = "Move", ko = "이사" } }, { value = "other", label = { en = "Other", ko = "기타" } }]
[[steps.fields]]
id = "other_reason"
kind = "text"
required = true
max_length = 10
label = { en = "Which?", ko = "무엇?" }
show_if = { field = "reason", equals = "other" }
[[steps.fields]]
id = "people"
kind = "number"
min = 1
max = 9
label = { en = "People", ko = "인원" }
[[steps.fields]]
id = "date"
kind = "date"
required = true
label = { en = "Date", ko = "날짜" }
"#,
        )
        .unwrap()
    }

    fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_problem_is_on_its_field() {
        let d = def();
        let errors = check_step(
            &d.steps[0],
            &answers(&[
                ("reason", "other"),
                ("other_reason", "far too long a reason"),
                ("people", "12"),
                ("date", "2026-02-30"),
            ]),
            &BTreeMap::new(),
            &Ids,
        )
        .unwrap_err();
        let got: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.message))
            .collect();
        assert_eq!(
            got,
            vec![
                ("other_reason", "civil-error-too-long"),
                ("people", "civil-error-range"),
                ("date", "civil-error-date")
            ]
        );
    }

    #[test]
    fn hidden_fields_are_neither_required_nor_kept() {
        let d = def();
        let clean = check_step(
            &d.steps[0],
            &answers(&[
                ("reason", "move"),
                ("other_reason", "ignored"),
                ("date", "2026-03-01"),
                ("people", "1,2"),
            ]),
            &BTreeMap::new(),
            &Ids,
        );
        // "1,2" reads as 12: out of range.
        assert!(clean.is_err());
        let clean = check_step(
            &d.steps[0],
            &answers(&[
                ("reason", "move"),
                ("other_reason", "ignored"),
                ("date", "2026-03-01"),
            ]),
            &BTreeMap::new(),
            &Ids,
        )
        .unwrap();
        assert_eq!(
            clean,
            answers(&[("date", "2026-03-01"), ("reason", "move")])
        );
    }

    #[test]
    fn a_choice_must_be_one_of_the_options() {
        let d = def();
        let errors = check_step(
            &d.steps[0],
            &answers(&[("reason", "bribe"), ("date", "2026-03-01")]),
            &BTreeMap::new(),
            &Ids,
        )
        .unwrap_err();
        assert_eq!(errors[0].message, "civil-error-choose");
    }
}
