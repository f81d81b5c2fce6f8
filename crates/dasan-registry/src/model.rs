//! The registry's records: people, businesses, agencies and structured addresses.
//!
//! `*Data` types are what a record *says* — the versioned content. The record types
//! ([`Person`], [`Business`], [`Agency`]) add identity and bookkeeping. No SQL, no HTTP.

use dasan_kernel::{Timestamp, define_id};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

define_id!(
    /// Identifies a person in the people registry (what `accounts.person_id` holds).
    PersonId
);
define_id!(
    /// Identifies a business in the business registry (what `accounts.business_id` holds).
    BusinessId
);
define_id!(
    /// Identifies a data-sharing rule.
    RuleId
);

/// Sex as the civil registry records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    #[serde(rename = "F")]
    Female,
    #[serde(rename = "M")]
    Male,
    /// Neither (where the law allows a third marker).
    #[serde(rename = "X")]
    Other,
}

impl Sex {
    pub fn parse(text: &str) -> Option<Sex> {
        match text.trim() {
            "F" | "f" | "female" => Some(Sex::Female),
            "M" | "m" | "male" => Some(Sex::Male),
            "X" | "x" | "other" => Some(Sex::Other),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
            Sex::Other => "X",
        }
    }
}

/// Whether a person is alive and resident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonStatus {
    Living,
    Deceased,
    Emigrated,
}

impl PersonStatus {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "living" => Some(Self::Living),
            "deceased" => Some(Self::Deceased),
            "emigrated" => Some(Self::Emigrated),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Living => "living",
            Self::Deceased => "deceased",
            Self::Emigrated => "emigrated",
        }
    }
}

/// A structured postal address (Korean road-name addresses fit: 시/도, 시/군/구, 도로명,
/// 건물번호, 상세주소, 우편번호).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Province or metropolitan city (시/도), e.g. `서울특별시`.
    pub region: String,
    /// City, county or district (시/군/구), e.g. `종로구`.
    pub locality: String,
    /// Street or road name (도로명), e.g. `세종대로`.
    pub street: String,
    /// Building number on the street (건물번호), e.g. `209` or `12-3`.
    pub building: String,
    /// Flat, floor or room (상세주소), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code, e.g. `KR`.
    pub country: String,
}

/// What the people registry says about a person (the versioned content).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonData {
    /// In the canonical form of the deployment's [`crate::NationalIdScheme`].
    pub national_id: String,
    /// The name in the local script, e.g. `김민준`.
    pub name_local: String,
    /// The name in Latin letters, e.g. `KIM Min-jun`.
    pub name_latin: String,
    pub birth_date: Date,
    pub sex: Sex,
    /// ISO 3166-1 alpha-3 nationality, e.g. `KOR`.
    pub nationality: String,
    pub address: Address,
    pub status: PersonStatus,
    /// When the status took effect (date of death or emigration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_date: Option<Date>,
    /// Legal parents (at most two).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<PersonId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spouse: Option<PersonId>,
}

/// A person as the registry holds them now (or held them at some instant).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: PersonId,
    /// 1 for the first registration, +1 per change.
    pub version: i64,
    /// When this version was recorded.
    pub recorded_at: Timestamp,
    pub data: PersonData,
    /// People naming this person as a parent (today's links; see [`crate::Registry::person_as_of`]).
    pub children: Vec<PersonId>,
}

/// The legal form of a business.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalForm {
    /// 개인사업자
    SoleProprietor,
    /// 주식회사
    StockCompany,
    /// 유한회사
    LimitedCompany,
    /// 합명회사 / 합자회사
    Partnership,
    /// 비영리법인
    NonProfit,
    /// 공공기관
    PublicBody,
}

impl LegalForm {
    pub const ALL: [LegalForm; 6] = [
        LegalForm::SoleProprietor,
        LegalForm::StockCompany,
        LegalForm::LimitedCompany,
        LegalForm::Partnership,
        LegalForm::NonProfit,
        LegalForm::PublicBody,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LegalForm::SoleProprietor => "sole_proprietor",
            LegalForm::StockCompany => "stock_company",
            LegalForm::LimitedCompany => "limited_company",
            LegalForm::Partnership => "partnership",
            LegalForm::NonProfit => "non_profit",
            LegalForm::PublicBody => "public_body",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text.trim())
    }
}

/// Whether a business trades.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessStatus {
    Active,
    Suspended,
    Closed,
}

impl BusinessStatus {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "active" => Some(Self::Active),
            "suspended" => Some(Self::Suspended),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Closed => "closed",
        }
    }
}

/// A business's standing with the tax authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxStanding {
    /// No arrears.
    Good,
    /// Taxes overdue.
    Arrears,
    /// Not yet assessed.
    Unassessed,
}

impl TaxStanding {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "good" => Some(Self::Good),
            "arrears" => Some(Self::Arrears),
            "unassessed" => Some(Self::Unassessed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Good => "good",
            Self::Arrears => "arrears",
            Self::Unassessed => "unassessed",
        }
    }
}

/// ISIC Rev. 4 divisions (two-digit codes) that exist.
const ISIC_DIVISIONS: &[u8] = &[
    1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
    28, 29, 30, 31, 32, 33, 35, 36, 37, 38, 39, 41, 42, 43, 45, 46, 47, 49, 50, 51, 52, 53, 55, 56,
    58, 59, 60, 61, 62, 63, 64, 65, 66, 68, 69, 70, 71, 72, 73, 74, 75, 77, 78, 79, 80, 81, 82, 84,
    85, 86, 87, 88, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99,
];

/// Checks an ISIC Rev. 4 class code (four digits, in an existing division) and returns it.
pub fn isic_class(text: &str) -> Option<String> {
    let t = text.trim();
    if t.len() != 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let division = t[..2].parse::<u8>().ok()?;
    ISIC_DIVISIONS.contains(&division).then(|| t.to_owned())
}

/// The ISIC Rev. 4 section letter (A–U) of a valid class code.
pub fn isic_section(class: &str) -> Option<char> {
    let division = class.get(..2)?.parse::<u8>().ok()?;
    Some(match division {
        1..=3 => 'A',
        5..=9 => 'B',
        10..=33 => 'C',
        35 => 'D',
        36..=39 => 'E',
        41..=43 => 'F',
        45..=47 => 'G',
        49..=53 => 'H',
        55..=56 => 'I',
        58..=63 => 'J',
        64..=66 => 'K',
        68 => 'L',
        69..=75 => 'M',
        77..=82 => 'N',
        84 => 'O',
        85 => 'P',
        86..=88 => 'Q',
        90..=93 => 'R',
        94..=96 => 'S',
        97..=98 => 'T',
        99 => 'U',
        _ => return None,
    })
}

/// What the business registry says about a business (the versioned content).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessData {
    /// Canonical `XXX-XX-XXXXX`.
    pub registration_number: String,
    pub name: String,
    pub legal_form: LegalForm,
    /// The representative (대표자), a person in the people registry.
    pub representative: PersonId,
    pub address: Address,
    /// ISIC Rev. 4 class, four digits.
    pub industry: String,
    pub status: BusinessStatus,
    pub tax_standing: TaxStanding,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Business {
    pub id: BusinessId,
    pub version: i64,
    pub recorded_at: Timestamp,
    pub data: BusinessData,
}

/// A level in the hierarchy of government.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyLevel {
    /// 부/처: no parent.
    Ministry,
    /// 청/본부: under a ministry.
    Agency,
    /// 사무소/세무서: under a ministry or an agency.
    Office,
}

impl AgencyLevel {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "ministry" => Some(Self::Ministry),
            "agency" => Some(Self::Agency),
            "office" => Some(Self::Office),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ministry => "ministry",
            Self::Agency => "agency",
            Self::Office => "office",
        }
    }

    /// Whether an entity at this level may sit under one at `parent` (`None`: at the top).
    pub fn may_sit_under(self, parent: Option<AgencyLevel>) -> bool {
        matches!(
            (self, parent),
            (AgencyLevel::Ministry, None)
                | (AgencyLevel::Agency, Some(AgencyLevel::Ministry))
                | (
                    AgencyLevel::Office,
                    Some(AgencyLevel::Ministry | AgencyLevel::Agency)
                )
        )
    }
}

/// Checks an agency code: 2–32 characters of `A–Z`, `0–9`, `-`, starting with a letter or digit.
pub fn agency_code(text: &str) -> Option<String> {
    let t = text.trim();
    let ok = (2..=32).contains(&t.len())
        && t.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        && !t.starts_with('-');
    ok.then(|| t.to_owned())
}

/// What the registry says about an agency (the versioned content).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyData {
    pub code: String,
    pub name_local: String,
    pub name_latin: String,
    pub level: AgencyLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Agency {
    pub version: i64,
    pub recorded_at: Timestamp,
    pub data: AgencyData,
}

/// One version of a record: what it said, and when, by whom and why it came to say it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Version<T> {
    pub version: i64,
    pub recorded_at: Timestamp,
    /// `system`, `account`, or `anonymous`.
    pub actor_kind: String,
    pub actor_account: Option<String>,
    pub actor_agency: Option<String>,
    pub reason: String,
    /// Names of the top-level fields that changed (all of them for version 1).
    pub changes: Vec<String>,
    pub data: T,
}
