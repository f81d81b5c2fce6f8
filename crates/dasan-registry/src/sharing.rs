//! Data-sharing rules: which agency may read which fields of a person, for which purpose (the
//! X-Road model). A pure decision; the registry stores the rules and logs every decision.

use crate::model::{Address, PersonId, PersonStatus, RuleId, Sex};
use dasan_kernel::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A field of a person's record that a look-up may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonField {
    NationalId,
    NameLocal,
    NameLatin,
    BirthDate,
    Sex,
    Nationality,
    Address,
    /// Parents, spouse and children.
    Family,
    /// Status and the date it took effect.
    Status,
}

impl PersonField {
    pub const ALL: [PersonField; 9] = [
        PersonField::NationalId,
        PersonField::NameLocal,
        PersonField::NameLatin,
        PersonField::BirthDate,
        PersonField::Sex,
        PersonField::Nationality,
        PersonField::Address,
        PersonField::Family,
        PersonField::Status,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PersonField::NationalId => "national_id",
            PersonField::NameLocal => "name_local",
            PersonField::NameLatin => "name_latin",
            PersonField::BirthDate => "birth_date",
            PersonField::Sex => "sex",
            PersonField::Nationality => "nationality",
            PersonField::Address => "address",
            PersonField::Family => "family",
            PersonField::Status => "status",
        }
    }

    pub fn parse(text: &str) -> Option<PersonField> {
        Self::ALL.into_iter().find(|f| f.as_str() == text.trim())
    }
}

/// Agency `agency` may read `fields` of anyone for `purpose`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SharingRule {
    pub id: RuleId,
    pub agency: String,
    pub purpose: String,
    pub fields: BTreeSet<PersonField>,
    /// The law or agreement that allows it, shown to the person in their access log.
    pub legal_basis: String,
    pub created_at: Timestamp,
}

/// A rule to add.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct NewSharingRule {
    pub agency: String,
    pub purpose: String,
    pub fields: BTreeSet<PersonField>,
    pub legal_basis: String,
}

/// Checks a purpose code: 1–64 characters of `a–z`, `0–9`, `-`, `.`.
pub fn purpose_code(text: &str) -> Option<String> {
    let t = text.trim();
    let ok = (1..=64).contains(&t.len())
        && t.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    ok.then(|| t.to_owned())
}

/// Decides a look-up: the fields not covered by any rule for this agency and purpose (empty
/// when the look-up is allowed). Rules for other agencies or purposes never count.
pub fn refused_fields(
    rules: &[SharingRule],
    agency: &str,
    purpose: &str,
    fields: &BTreeSet<PersonField>,
) -> BTreeSet<PersonField> {
    let allowed: BTreeSet<PersonField> = rules
        .iter()
        .filter(|r| r.agency == agency && r.purpose == purpose)
        .flat_map(|r| r.fields.iter().copied())
        .collect();
    fields.difference(&allowed).copied().collect()
}

/// A once-only look-up: who asks, about whom, for which fields and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupRequest {
    pub subject: PersonId,
    pub fields: BTreeSet<PersonField>,
    /// A purpose code, e.g. `tax-assessment`.
    pub purpose: String,
    /// The requesting agency's code.
    pub requester: String,
}

/// A person's family links.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Family {
    pub parents: Vec<PersonId>,
    pub spouse: Option<PersonId>,
    pub children: Vec<PersonId>,
}

/// The answer to an allowed look-up: exactly the fields asked for, nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SharedPerson {
    pub subject: PersonId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub national_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_local: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_latin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<Family>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<PersonStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_date: Option<Date>,
}

/// How a logged look-up ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LookupOutcome {
    Allowed,
    Refused,
    NotFound,
}

/// One entry of a person's access log: who read (or tried to read) their data, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccessLogEntry {
    pub at: Timestamp,
    /// `registry.lookup` for look-ups by agencies, `registry.person.read` for registrars.
    pub action: String,
    pub agency: Option<String>,
    pub purpose: Option<String>,
    pub fields: Vec<String>,
    pub outcome: Option<LookupOutcome>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(agency: &str, purpose: &str, fields: &[PersonField]) -> SharingRule {
        SharingRule {
            id: RuleId::new(),
            agency: agency.into(),
            purpose: purpose.into(),
            fields: fields.iter().copied().collect(),
            legal_basis: "test".into(),
            created_at: Timestamp::from_micros(0),
        }
    }

    #[test]
    fn rules_combine_per_agency_and_purpose_only() {
        use PersonField::*;
        let rules = [
            rule("NTS", "tax", &[NameLocal, Address]),
            rule("NTS", "tax", &[Status]),
            rule("NTS", "audit", &[Family]),
            rule("MOHW", "tax", &[Family]),
        ];
        let ask = |f: &[PersonField]| f.iter().copied().collect::<BTreeSet<_>>();
        assert!(refused_fields(&rules, "NTS", "tax", &ask(&[NameLocal, Status])).is_empty());
        assert_eq!(
            refused_fields(&rules, "NTS", "tax", &ask(&[NameLocal, Family])),
            ask(&[Family])
        );
        assert_eq!(
            refused_fields(&rules, "PPS", "tax", &ask(&[NameLocal])),
            ask(&[NameLocal])
        );
        assert!(purpose_code("tax-assessment").is_some());
        assert!(purpose_code("Tax").is_none());
        assert!(purpose_code("").is_none());
    }
}
