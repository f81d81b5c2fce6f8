//! The OCDS 1.1.5 release model: only the fields Dasan emits, with the bids and lots extensions.
//!
//! Absent values are omitted (never `null`), and empty lists are omitted too: in a release, an
//! omitted field means "no news", which is exactly what the merging rules expect
//! ([`crate::merge`]).

use serde::Serialize;
use serde_with::skip_serializing_none;

use crate::amount::Amount;
use crate::codelist::{
    AwardCriteria, AwardStatus, BidStatus, ContractStatus, DocumentType, InitiationType,
    MilestoneStatus, MilestoneType, PartyRole, ProcurementCategory, ProcurementMethod, ReleaseTag,
    TenderStatus,
};

/// An OCDS date-time: RFC 3339 in UTC (`2026-11-24T09:00:00Z`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub dasan_kernel::Timestamp);

impl Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// `{amount, currency}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Value {
    pub amount: Amount,
    pub currency: &'static str,
}

impl From<dasan_kernel::Money> for Value {
    fn from(m: dasan_kernel::Money) -> Self {
        Value {
            amount: Amount::from(m),
            currency: m.currency.code(),
        }
    }
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    pub start_date: Option<DateTime>,
    pub end_date: Option<DateTime>,
    pub duration_in_days: Option<u64>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identifier {
    pub scheme: Option<String>,
    pub id: Option<String>,
    pub legal_name: Option<String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub street_address: Option<String>,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country_name: Option<String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactPoint {
    pub name: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
}

/// An entry of `parties`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub name: Option<String>,
    pub identifier: Option<Identifier>,
    pub address: Option<Address>,
    pub contact_point: Option<ContactPoint>,
    /// Every role the party has had in the process so far (a list of strings is replaced
    /// wholesale when merged, so each release carries them all).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<PartyRole>,
}

/// A reference to an entry of `parties`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OrganizationReference {
    pub id: String,
    pub name: String,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Classification {
    pub scheme: Option<String>,
    pub id: Option<String>,
    pub description: Option<String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unit {
    pub scheme: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub value: Option<Value>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub id: String,
    pub description: Option<String>,
    pub classification: Option<Classification>,
    pub quantity: Option<u64>,
    pub unit: Option<Unit>,
    /// Lots extension.
    pub related_lot: Option<String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub id: String,
    pub document_type: Option<DocumentType>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub date_published: Option<DateTime>,
    pub format: Option<String>,
    /// Lots extension.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_lots: Vec<String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Milestone {
    pub id: String,
    pub title: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<MilestoneType>,
    pub description: Option<String>,
    pub due_date: Option<DateTime>,
    pub date_met: Option<DateTime>,
    pub date_modified: Option<DateTime>,
    pub status: Option<MilestoneStatus>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Amendment {
    pub id: String,
    pub date: Option<DateTime>,
    pub rationale: Option<String>,
    pub description: Option<String>,
    #[serde(rename = "amendsReleaseID")]
    pub amends_release_id: Option<String>,
    #[serde(rename = "releaseID")]
    pub release_id: Option<String>,
    /// Lots extension.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_lots: Vec<String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    pub id: Option<String>,
    pub description: Option<String>,
    pub amount: Option<Value>,
    pub project: Option<String>,
    #[serde(rename = "projectID")]
    pub project_id: Option<String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Planning {
    pub rationale: Option<String>,
    pub budget: Option<Budget>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<Milestone>,
}

/// Lots extension: a lot of the tender.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lot {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<TenderStatus>,
    pub value: Option<Value>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tender {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<TenderStatus>,
    pub procuring_entity: Option<OrganizationReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    pub value: Option<Value>,
    pub procurement_method: Option<ProcurementMethod>,
    pub procurement_method_details: Option<String>,
    pub main_procurement_category: Option<ProcurementCategory>,
    pub award_criteria: Option<AwardCriteria>,
    pub award_criteria_details: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub submission_method: Vec<String>,
    pub tender_period: Option<Period>,
    pub enquiry_period: Option<Period>,
    pub has_enquiries: Option<bool>,
    pub eligibility_criteria: Option<String>,
    pub award_period: Option<Period>,
    pub number_of_tenderers: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tenderers: Vec<OrganizationReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<Milestone>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub amendments: Vec<Amendment>,
    /// Lots extension.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lots: Vec<Lot>,
}

/// Bids extension: a summary statistic.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Statistic {
    pub id: String,
    /// From the (open) statistic codelist.
    pub measure: &'static str,
    pub date: Option<DateTime>,
    /// A count (this model only publishes counts, so an integer is exact).
    pub value: u64,
    pub related_lot: Option<String>,
}

/// Bids extension: one bid (Dasan publishes one per bid and lot, so each has one value).
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bid {
    pub id: String,
    pub date: Option<DateTime>,
    pub status: Option<BidStatus>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tenderers: Vec<OrganizationReference>,
    pub value: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_lots: Vec<String>,
}

/// Bids extension.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Bids {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statistics: Vec<Statistic>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<Bid>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Award {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<AwardStatus>,
    pub date: Option<DateTime>,
    pub value: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppliers: Vec<OrganizationReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    pub contract_period: Option<Period>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
    /// Lots extension.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_lots: Vec<String>,
    /// Bids extension.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_bids: Vec<String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    pub id: String,
    pub date: Option<DateTime>,
    pub value: Option<Value>,
    pub payer: Option<OrganizationReference>,
    pub payee: Option<OrganizationReference>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Implementation {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transactions: Vec<Transaction>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<Milestone>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    pub id: String,
    #[serde(rename = "awardID")]
    pub award_id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<ContractStatus>,
    pub period: Option<Period>,
    pub value: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    pub date_signed: Option<DateTime>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
    pub implementation: Option<Implementation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<Milestone>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub amendments: Vec<Amendment>,
    /// Bids extension.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_bids: Vec<String>,
}

/// One OCDS release.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Release {
    pub ocid: String,
    pub id: String,
    pub date: DateTime,
    pub tag: Vec<ReleaseTag>,
    pub initiation_type: InitiationType,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<Organization>,
    pub buyer: Option<OrganizationReference>,
    pub planning: Option<Planning>,
    pub tender: Option<Tender>,
    /// Bids extension.
    pub bids: Option<Bids>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub awards: Vec<Award>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contracts: Vec<Contract>,
    pub language: Option<String>,
}
