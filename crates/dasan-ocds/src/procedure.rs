//! The input: one procurement procedure with what happened at each stage, in Dasan's terms.
//!
//! This is deliberately our own small model (not the procurement crate's types), so the OCDS
//! mapping does not move whenever the tender, evaluation or contract code does: a read side
//! fills it from whatever is stored. Money is exact ([`Money`]: integer minor units), instants
//! are [`Timestamp`]s.

use dasan_kernel::{Money, Timestamp};

use crate::codelist::{
    AwardCriteria, AwardStatus, BidStatus, DocumentType, MilestoneStatus, MilestoneType,
    ProcurementCategory, ProcurementMethod,
};
use crate::model::{Address, ContactPoint};

/// An organisation taking part: a buyer, a bidder, a supplier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    /// The id used in `parties` (stable across all the publisher's data, e.g. `KR-BRN-1208147521`).
    pub id: String,
    pub name: String,
    /// The organisation's legal identifier: scheme from org-id.guide (`KR-BRN`) and its id.
    pub identifier: Option<(String, String)>,
    pub address: Option<Address>,
    pub contact_point: Option<ContactPoint>,
}

/// Planning: the budget the procedure draws on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanningStage {
    pub date: Timestamp,
    pub rationale: Option<String>,
    pub budget_id: Option<String>,
    pub budget_description: Option<String>,
    pub budget: Option<Money>,
    pub project: Option<String>,
}

/// One item to supply, in a lot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemSpec {
    pub description: String,
    /// Classification scheme from the itemClassificationScheme codelist (`CPV`, `UNSPSC`).
    pub scheme: String,
    pub code: String,
    pub quantity: u64,
    /// UN/CEFACT Recommendation 20 unit code.
    pub unit: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LotSpec {
    pub id: String,
    pub title: String,
    pub value: Option<Money>,
    pub items: Vec<ItemSpec>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSpec {
    pub id: String,
    pub kind: DocumentType,
    pub title: String,
    pub url: Option<String>,
    /// Media type.
    pub format: Option<String>,
    pub published: Timestamp,
    pub related_lots: Vec<String>,
}

/// What the notice says (one version of it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenderSpec {
    pub title: String,
    pub description: String,
    pub method: ProcurementMethod,
    /// The method in local terms (`Open competitive bidding (일반경쟁)`).
    pub method_details: Option<String>,
    /// Goods, works or services, when known.
    pub category: Option<ProcurementCategory>,
    pub award_criteria: AwardCriteria,
    pub award_criteria_details: Option<String>,
    /// `None` while the estimate is not public.
    pub estimated_value: Option<Money>,
    pub eligibility: Option<String>,
    pub lots: Vec<LotSpec>,
    /// Publication → bid deadline.
    pub tender_period: (Timestamp, Timestamp),
    /// Publication → clarification deadline.
    pub enquiry_period: Option<(Timestamp, Timestamp)>,
    /// The opening (start of the award period).
    pub opening_at: Timestamp,
    pub documents: Vec<DocumentSpec>,
}

/// Why a notice version replaced the previous one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmendmentInfo {
    pub rationale: String,
    pub description: Option<String>,
    pub related_lots: Vec<String>,
}

/// A published notice version: the first is the publication, every later one an amendment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenderVersion {
    pub date: Timestamp,
    /// `None` for the publication; required for amendments.
    pub amendment: Option<AmendmentInfo>,
    pub spec: TenderSpec,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cancellation {
    pub date: Timestamp,
    pub reason: String,
}

/// A bid as known after the opening.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BidStage {
    /// The bid id (Dasan: the hex SHA-256 of the envelope).
    pub id: String,
    pub supplier: Party,
    pub submitted_at: Timestamp,
    pub status: BidStatus,
    /// Price per lot (none for a bid rejected at the opening).
    pub lots: Vec<(String, Money)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpeningStage {
    pub date: Timestamp,
    pub bids: Vec<BidStage>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardStage {
    pub id: String,
    pub date: Timestamp,
    pub title: Option<String>,
    /// The current status. With a standstill, the award is published `pending` at `date` and
    /// updated to this status at the end of the standstill.
    pub status: AwardStatus,
    pub standstill_end: Option<Timestamp>,
    pub supplier: Party,
    pub value: Money,
    pub lots: Vec<String>,
    /// The winning bid (its id in [`BidStage::id`]).
    pub bid: Option<String>,
    pub contract_period: Option<(Timestamp, Timestamp)>,
    /// Why a cancelled (or annulled) award ended; published with its update.
    pub description: Option<String>,
    /// Documents of the award decision (e.g. the signed evaluation report).
    pub documents: Vec<DocumentSpec>,
}

/// Something that happened while the contract ran; each becomes one implementation release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImplementationEvent {
    /// A payment from the buyer to the supplier.
    Payment {
        id: String,
        date: Timestamp,
        value: Money,
    },
    /// A milestone reported (scheduled, met, ...).
    Milestone {
        id: String,
        date: Timestamp,
        title: String,
        kind: MilestoneType,
        due: Option<Timestamp>,
        status: MilestoneStatus,
        met: Option<Timestamp>,
    },
}

impl ImplementationEvent {
    pub fn date(&self) -> Timestamp {
        match self {
            ImplementationEvent::Payment { date, .. }
            | ImplementationEvent::Milestone { date, .. } => *date,
        }
    }

    fn id(&self) -> &str {
        match self {
            ImplementationEvent::Payment { id, .. } | ImplementationEvent::Milestone { id, .. } => {
                id
            }
        }
    }

    pub(crate) fn key(&self) -> &str {
        self.id()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractStage {
    pub id: String,
    pub award_id: String,
    pub title: Option<String>,
    pub date_signed: Timestamp,
    pub period: Option<(Timestamp, Timestamp)>,
    pub value: Money,
    pub implementation: Vec<ImplementationEvent>,
    /// When the contract came to a close (completed or terminated early).
    pub closed: Option<Timestamp>,
    /// Its documents (the signed contract), published with the contract stage.
    pub documents: Vec<DocumentSpec>,
    /// The milestones agreed in the contract (scheduled deliveries).
    pub milestones: Vec<PlannedMilestone>,
    /// Amendments both parties signed, in order; the fields above are the contract as first
    /// signed.
    pub amendments: Vec<ContractAmendmentStage>,
}

/// An amendment of a signed contract: the terms as amended, in force from `date` (when both
/// parties had signed it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractAmendmentStage {
    pub date: Timestamp,
    pub rationale: String,
    pub period: Option<(Timestamp, Timestamp)>,
    pub value: Money,
    pub milestones: Vec<PlannedMilestone>,
    /// The amended contract as signed.
    pub documents: Vec<DocumentSpec>,
}

/// A milestone as agreed in a contract: what is due and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedMilestone {
    pub id: String,
    pub title: String,
    pub kind: MilestoneType,
    pub due: Timestamp,
}

/// A whole procedure, as far as it has gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Procedure {
    /// The tender id: the OCID is the deployment's prefix, `-`, and this.
    pub tender_id: String,
    pub buyer: Party,
    /// ISO 639-1 language of the texts (`ko`, `en`).
    pub language: Option<String>,
    pub planning: Option<PlanningStage>,
    /// At least one: the publication, then the amendments in order.
    pub tender: Vec<TenderVersion>,
    pub cancellation: Option<Cancellation>,
    pub opening: Option<OpeningStage>,
    pub awards: Vec<AwardStage>,
    pub contracts: Vec<ContractStage>,
}
