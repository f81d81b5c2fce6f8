//! Services as data: what a service definition (a TOML file in `services/`) says, and the checks
//! a definition must pass before the portal offers it. Pure: no SQL, no HTTP.

use dasan_kernel::FieldError;
use dasan_registry::PersonField;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The locales every text must be given in.
pub const LOCALES: [&str; 2] = ["en", "ko"];

/// A text in every locale (`en`, `ko`).
pub type Text = BTreeMap<String, String>;

/// The text for `locale`, falling back to English.
pub fn text<'a>(t: &'a Text, locale: &str) -> &'a str {
    t.get(locale)
        .or_else(|| t.get("en"))
        .map(String::as_str)
        .unwrap_or_default()
}

/// How a service's outcome is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Issuance {
    /// Every fact comes from the registries: issued at once, no official involved.
    Instant,
    /// An official of the owning agency reviews and decides.
    Review,
}

/// The kinds of form field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Number,
    Date,
    Choice,
    Address,
    Person,
    Business,
    File,
}

/// A choice's option.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    pub value: String,
    pub label: Text,
}

/// A field filled from the people registry (once-only: shown, never retyped).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prefill {
    /// The registry field, e.g. `address`.
    pub field: PersonField,
}

/// Shows a field only when another field has a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    pub equals: String,
}

/// One question of the form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub id: String,
    pub kind: FieldKind,
    pub label: Text,
    #[serde(default)]
    pub hint: Option<Text>,
    #[serde(default)]
    pub required: bool,
    /// For `choice`.
    #[serde(default)]
    pub options: Vec<ChoiceOption>,
    /// For `text`: the longest answer, in characters (default 500).
    #[serde(default)]
    pub max_length: Option<usize>,
    /// For `number`: bounds.
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    /// For `file`: allowed media types (checked by content) and the largest size.
    #[serde(default)]
    pub accept: Vec<String>,
    #[serde(default)]
    pub max_bytes: Option<u64>,
    #[serde(default)]
    pub prefill: Option<Prefill>,
    #[serde(default)]
    pub show_if: Option<Condition>,
}

impl Field {
    /// Whether the field is shown, given the answers so far.
    pub fn shown(&self, answers: &BTreeMap<String, String>) -> bool {
        self.show_if
            .as_ref()
            .is_none_or(|c| answers.get(&c.field).is_some_and(|v| *v == c.equals))
    }
}

/// A page of the form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: String,
    pub title: Text,
    pub fields: Vec<Field>,
}

/// Who may apply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// `citizen`, `business`; empty means citizens.
    #[serde(default)]
    pub account_kinds: Vec<String>,
    /// The youngest applicant, in whole years (for the person the application is about).
    #[serde(default)]
    pub min_age: Option<i16>,
    /// Nationalities (ISO 3166-1 alpha-3) allowed; empty means any.
    #[serde(default)]
    pub nationalities: Vec<String>,
    /// Shown to people before they start.
    #[serde(default)]
    pub summary: Option<Text>,
}

/// A fee exemption: who pays nothing, and on what basis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exemption {
    pub code: String,
    pub label: Text,
}

/// The fee, in integer minor units of the currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    pub amount: i64,
    pub currency: String,
    #[serde(default)]
    pub exemptions: Vec<Exemption>,
}

impl Default for Fee {
    fn default() -> Self {
        Fee {
            amount: 0,
            currency: "KRW".to_owned(),
            exemptions: Vec::new(),
        }
    }
}

/// A service, as its definition file says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceDefinition {
    /// Unique, stable: `a–z`, `0–9`, `-`.
    pub code: String,
    /// The owning agency's code in the agency registry.
    pub agency: String,
    pub name: Text,
    pub description: Text,
    pub issuance: Issuance,
    /// The purpose the agency reads the registry for (a data-sharing rule must allow it).
    #[serde(default = "default_purpose")]
    pub purpose: String,
    /// Working days the agency has to decide (0 for instant services).
    #[serde(default)]
    pub time_limit_days: u32,
    /// The document type issued on approval, if any.
    #[serde(default)]
    pub document: Option<String>,
    #[serde(default)]
    pub fee: Fee,
    #[serde(default)]
    pub eligibility: Eligibility,
    /// Life events it belongs to, e.g. `moving-house`.
    #[serde(default)]
    pub life_events: Vec<String>,
    /// Extra words people search with, in any language.
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub steps: Vec<Step>,
}

fn default_purpose() -> String {
    "civil-application".to_owned()
}

/// The life events the catalogue groups services by (labels in the locales as
/// `life-event-<code>`).
pub const LIFE_EVENTS: &[&str] = &[
    "birth",
    "moving-house",
    "starting-a-business",
    "building-a-home",
    "travelling-abroad",
    "paying-taxes",
    "buying-property",
];

/// Whether `code` has the shape of a service or step code.
pub fn code_ok(code: &str) -> bool {
    (1..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl ServiceDefinition {
    /// Parses a TOML definition.
    pub fn from_toml(text: &str) -> Result<ServiceDefinition, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Every field, in order.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.steps.iter().flat_map(|s| s.fields.iter())
    }

    /// The registry fields the form is prefilled with.
    pub fn prefilled(&self) -> BTreeSet<PersonField> {
        self.fields()
            .filter_map(|f| f.prefill.as_ref().map(|p| p.field))
            .collect()
    }

    /// Checks the definition; every problem is reported (field path, message key).
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut bad = |path: String, message: &'static str| {
            errors.push(FieldError::new(path, message));
        };
        if !code_ok(&self.code) {
            bad("code".into(), "civil-def-code");
        }
        if dasan_registry::agency_code(&self.agency).is_none() {
            bad("agency".into(), "civil-def-agency");
        }
        if dasan_registry::sharing::purpose_code(&self.purpose).is_none() {
            bad("purpose".into(), "civil-def-purpose");
        }
        for (name, t) in [("name", &self.name), ("description", &self.description)] {
            for locale in LOCALES {
                if t.get(locale).is_none_or(|v| v.trim().is_empty()) {
                    bad(format!("{name}.{locale}"), "civil-def-text");
                }
            }
        }
        if self.fee.amount < 0 || self.fee.currency.len() != 3 {
            bad("fee".into(), "civil-def-fee");
        }
        for event in &self.life_events {
            if !LIFE_EVENTS.contains(&event.as_str()) {
                bad(format!("life_events.{event}"), "civil-def-life-event");
            }
        }
        for kind in &self.eligibility.account_kinds {
            if !matches!(kind.as_str(), "citizen" | "business") {
                bad(
                    format!("eligibility.account_kinds.{kind}"),
                    "civil-def-account-kind",
                );
            }
        }
        match self.issuance {
            Issuance::Instant if self.document.is_none() => {
                bad("document".into(), "civil-def-instant-document");
            }
            Issuance::Review if self.time_limit_days == 0 => {
                bad("time_limit_days".into(), "civil-def-time-limit");
            }
            _ => {}
        }
        let mut ids = BTreeSet::new();
        let mut step_ids = BTreeSet::new();
        for step in &self.steps {
            if !code_ok(&step.id) || !step_ids.insert(step.id.as_str()) {
                bad(format!("steps.{}", step.id), "civil-def-step-id");
            }
            for locale in LOCALES {
                if step.title.get(locale).is_none_or(|v| v.trim().is_empty()) {
                    bad(
                        format!("steps.{}.title.{locale}", step.id),
                        "civil-def-text",
                    );
                }
            }
            if step.fields.is_empty() {
                bad(format!("steps.{}", step.id), "civil-def-step-empty");
            }
            for field in &step.fields {
                let path = format!("steps.{}.{}", step.id, field.id);
                if !field
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
                    || field.id.is_empty()
                    || !ids.insert(field.id.as_str())
                {
                    bad(path.clone(), "civil-def-field-id");
                }
                for locale in LOCALES {
                    if field.label.get(locale).is_none_or(|v| v.trim().is_empty()) {
                        bad(format!("{path}.label.{locale}"), "civil-def-text");
                    }
                }
                if field.kind == FieldKind::Choice && field.options.is_empty() {
                    bad(path.clone(), "civil-def-choice");
                }
                if field.kind == FieldKind::File
                    && (field.accept.is_empty()
                        || field
                            .max_bytes
                            .is_none_or(|b| b == 0 || b > 20 * 1024 * 1024))
                {
                    bad(path.clone(), "civil-def-file");
                }
                if let Some(prefill) = &field.prefill
                    && !prefill_fits(field.kind, prefill.field)
                {
                    bad(path.clone(), "civil-def-prefill");
                }
                if let Some(c) = &field.show_if
                    && !ids.contains(c.field.as_str())
                {
                    // Conditions may only look back at earlier answers.
                    bad(path.clone(), "civil-def-condition");
                }
            }
        }
        // An instant service decides without an official: nothing for anyone to review.
        if self.issuance == Issuance::Instant && self.fields().any(|f| f.kind == FieldKind::File) {
            bad("issuance".into(), "civil-def-instant-files");
        }
        errors
    }
}

/// Which registry fields a form field of `kind` can show.
fn prefill_fits(kind: FieldKind, field: PersonField) -> bool {
    match kind {
        FieldKind::Address => field == PersonField::Address,
        FieldKind::Date => field == PersonField::BirthDate,
        FieldKind::Text => matches!(
            field,
            PersonField::NameLocal
                | PersonField::NameLatin
                | PersonField::NationalId
                | PersonField::Nationality
                | PersonField::Sex
        ),
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
code = "moving-in-report"
agency = "MOIS"
issuance = "review"
time_limit_days = 3
life_events = ["moving-house"]
[name]
en = "Moving-in report"
ko = "전입신고"
[description]
en = "Tell us your new address."
ko = "새 주소를 신고합니다."
[[steps]]
id = "address"
[steps.title]
en = "Your new address"
ko = "새 주소"
[[steps.fields]]
id = "current_address"
kind = "address"
prefill = { field = "address" }
[steps.fields.label]
en = "Current address"
ko = "현재 주소"
[[steps.fields]]
id = "new_address"
kind = "text"
required = true
[steps.fields.label]
en = "New address"
ko = "새 주소"
"#;

    #[test]
    fn a_good_definition_passes() {
        let def = ServiceDefinition::from_toml(MINIMAL).unwrap();
        assert_eq!(def.validate(), vec![]);
        assert_eq!(def.purpose, "civil-application");
        assert_eq!(
            def.prefilled().into_iter().collect::<Vec<_>>(),
            vec![PersonField::Address]
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let text = MINIMAL
            .replace("ko = \"전입신고\"", "")
            .replace("\"moving-house\"", "\"retiring\"")
            .replace("time_limit_days = 3", "")
            .replace(
                "prefill = { field = \"address\" }",
                "prefill = { field = \"family\" }",
            );
        let def = ServiceDefinition::from_toml(&text).unwrap();
        let paths: Vec<String> = def.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(
            paths,
            vec![
                "name.ko",
                "life_events.retiring",
                "time_limit_days",
                "steps.address.current_address"
            ]
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = ServiceDefinition::from_toml(&format!("colour = \"blue\"\n{MINIMAL}"));
        assert!(err.is_err());
    }

    #[test]
    fn instant_services_need_a_document_and_no_attachments() {
        let text = MINIMAL.replace("issuance = \"review\"", "issuance = \"instant\"");
        let def = ServiceDefinition::from_toml(&text).unwrap();
        let paths: Vec<String> = def.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(paths, vec!["document"]);
    }
}
