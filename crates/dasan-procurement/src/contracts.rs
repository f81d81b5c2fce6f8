//! E-contracts: the contract made from a final award, signed by both parties (PAdES), then
//! amended, delivered, accepted and paid.
//!
//! Once an award is final (after the standstill, see [`crate::awards`]) the procuring entity
//! makes one contract per winning supplier from it: the lots that supplier won, their awarded
//! prices as the value, a period, milestones (deliverables with due dates and amounts that sum
//! to the value) and a payment term. The contract is a sequence of **versions**: version 1 is
//! the contract, each later one an amendment (a reason and new value, period or milestones).
//! Every version is a PDF signed first by the entity (its agency's document-signing key, as
//! civil documents are) and then by the supplier (an e-seal certificate the platform PKI
//! issues to the business, used only when one of its authorised bidders asks); the terms in
//! force are those of the latest version both parties signed.
//!
//! ```text
//! draft ──entity signs──▶ entity_signed ──supplier signs──▶ active ──all paid──▶ completed
//!   └────────────────────────────┴───────────────terminate────────┴──────────▶ terminated
//! ```
//!
//! While active, the entity accepts or rejects each milestone's delivery (with notes) and
//! records payments: a payment is for an accepted milestone, never more than what is left of
//! the milestone or of the contract, and its late-payment days are counted from the due date
//! (the acceptance date plus the payment term) in Korean calendar days. Money is integer minor
//! units throughout.
//!
//! The rules are pure functions at the top of this file (unit-tested below); the store-backed
//! half keeps them in the database, one audited transaction per change.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use dasan_crypto::pki::{
    CertProfile, CertificateRequest, DistinguishedName, PkiLayout, Purpose, SubjectKey,
    issue_certificate,
};
use dasan_crypto::{Algorithm, KeyStore, KeyStoreError, StoreSigner};
use dasan_docs::pades::{DocumentSigner, LtvMaterial, PadesLevel, SignatureInfo, sign_pades};
use dasan_docs::seal::{Claims, make_qr_payload};
use dasan_docs::tsa::{LocalTsa, TimeStampAuthority};
use dasan_docs::{
    Agency, Amount, ContractLot, ContractMilestone, Date, DocumentSpec, Facts, Fonts, Language,
    Layout, Paper, ProcurementContract,
};
use dasan_identity::Principal;
use dasan_kernel::{FieldError, Timestamp, define_id};
use dasan_registry::BusinessId;
use dasan_store::{Tx, TxConn, on_reader, on_tx};
use jiff::civil;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::BidId;
use crate::awards::AwardStatus;
use crate::error::{ProcurementError, corrupt, invalid};
use crate::notice::clean_text;
use crate::service::{Procurement, from_json, to_json};
use crate::tenders::{TenderId, require_manage, tender_tx};

define_id!(
    /// Identifies a contract.
    ContractId
);

define_id!(
    /// Identifies a payment under a contract.
    PaymentId
);

/// At most this many milestones per contract.
pub const MAX_MILESTONES: usize = 50;
/// The most contracts a supplier's list shows.
pub const MY_CONTRACTS_LIMIT: i64 = 200;
/// Longest payment term, in days.
pub const MAX_PAYMENT_TERM_DAYS: u32 = 365;
/// Longest milestone title, reason or note, in characters.
pub const MAX_CONTRACT_TEXT: usize = 2_000;
/// Korean standard time, where contract dates are counted.
const KST_OFFSET_HOURS: i8 = 9;

// ---------------------------------------------------------------------------------------------
// Pure rules

/// Where a contract is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    /// Made from the award; nobody has signed.
    Draft,
    /// The procuring entity signed; waiting for the supplier.
    EntitySigned,
    /// Both signed: in force.
    Active,
    /// Every milestone accepted and paid in full.
    Completed,
    /// Ended early by the entity, with a reason.
    Terminated,
}

impl ContractStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ContractStatus::Draft => "draft",
            ContractStatus::EntitySigned => "entity_signed",
            ContractStatus::Active => "active",
            ContractStatus::Completed => "completed",
            ContractStatus::Terminated => "terminated",
        }
    }

    pub fn parse(s: &str) -> Option<ContractStatus> {
        [
            ContractStatus::Draft,
            ContractStatus::EntitySigned,
            ContractStatus::Active,
            ContractStatus::Completed,
            ContractStatus::Terminated,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }

    /// Whether the contract has ended (nothing more can change).
    pub fn ended(self) -> bool {
        matches!(self, ContractStatus::Completed | ContractStatus::Terminated)
    }
}

/// Something done to a contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContractAction {
    EntitySign,
    SupplierSign,
    Amend,
    AcceptDelivery,
    Pay,
    Complete,
    Terminate,
}

impl ContractAction {
    fn name(self) -> &'static str {
        match self {
            ContractAction::EntitySign => "signing by the procuring entity",
            ContractAction::SupplierSign => "signing by the supplier",
            ContractAction::Amend => "an amendment",
            ContractAction::AcceptDelivery => "accepting a delivery",
            ContractAction::Pay => "a payment",
            ContractAction::Complete => "completion",
            ContractAction::Terminate => "termination",
        }
    }
}

/// The status after `action` on a contract in `status`, or why it is refused. Signing a
/// pending amendment leaves an active contract active.
///
/// # Errors
/// [`ProcurementError::Transition`].
pub fn next_status(
    status: ContractStatus,
    action: ContractAction,
) -> Result<ContractStatus, ProcurementError> {
    use ContractAction as A;
    use ContractStatus as S;
    let to = match (status, action) {
        (S::Draft, A::EntitySign) => S::EntitySigned,
        (S::EntitySigned, A::SupplierSign) => S::Active,
        (S::Active, A::EntitySign | A::SupplierSign | A::Amend | A::AcceptDelivery | A::Pay) => {
            S::Active
        }
        (S::Active, A::Complete) => S::Completed,
        (S::Draft | S::EntitySigned | S::Active, A::Terminate) => S::Terminated,
        _ => {
            return Err(ProcurementError::Transition {
                action: action.name(),
                status: format!("the contract is {}", status.as_str()),
            });
        }
    };
    Ok(to)
}

/// A milestone as requested: ids are given by position (1, 2, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    pub title: String,
    pub due_on: civil::Date,
    pub amount_minor: u64,
}

/// A milestone of the terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: String,
    pub title: String,
    pub due_on: civil::Date,
    pub amount_minor: u64,
}

/// A lot the contract covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractLotTerms {
    pub lot_id: String,
    pub title: String,
    pub bid_id: BidId,
    pub price_minor: u64,
}

/// The terms of one version of a contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractTerms {
    pub currency: String,
    pub value_minor: u64,
    pub period_start: civil::Date,
    pub period_end: civil::Date,
    /// Days after acceptance within which a milestone is paid.
    pub payment_term_days: u32,
    pub lots: Vec<ContractLotTerms>,
    pub milestones: Vec<Milestone>,
}

/// Numbers the milestones 1, 2, ... and cleans their titles.
fn milestones_from(input: &[MilestoneInput], errors: &mut Vec<FieldError>) -> Vec<Milestone> {
    input
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let title = clean_text(&m.title, MAX_CONTRACT_TEXT).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    format!("milestones[{i}].title"),
                    "procurement-error-text",
                ));
                String::new()
            });
            Milestone {
                id: (i + 1).to_string(),
                title,
                due_on: m.due_on,
                amount_minor: m.amount_minor,
            }
        })
        .collect()
}

/// Checks terms: a period that ends after it starts, 1 to [`MAX_MILESTONES`] milestones due
/// within it with positive amounts summing exactly to the value, and a payment term of at most
/// [`MAX_PAYMENT_TERM_DAYS`].
pub fn check_terms(t: &ContractTerms) -> Vec<FieldError> {
    let mut e = Vec::new();
    if t.value_minor == 0 || i64::try_from(t.value_minor).is_err() {
        e.push(FieldError::new("value_minor", "procurement-error-amount"));
    }
    if t.period_end < t.period_start {
        e.push(FieldError::new("period_end", "procurement-error-period"));
    }
    if t.payment_term_days > MAX_PAYMENT_TERM_DAYS {
        e.push(FieldError::new(
            "payment_term_days",
            "procurement-error-payment-term",
        ));
    }
    if t.milestones.is_empty() || t.milestones.len() > MAX_MILESTONES {
        e.push(FieldError::new(
            "milestones",
            "procurement-error-milestones",
        ));
    }
    let mut sum: u128 = 0;
    for (i, m) in t.milestones.iter().enumerate() {
        if m.amount_minor == 0 {
            e.push(FieldError::new(
                format!("milestones[{i}].amount_minor"),
                "procurement-error-amount",
            ));
        }
        if m.due_on < t.period_start || m.due_on > t.period_end {
            e.push(FieldError::new(
                format!("milestones[{i}].due_on"),
                "procurement-error-milestone-due",
            ));
        }
        sum += u128::from(m.amount_minor);
    }
    if !t.milestones.is_empty() && sum != u128::from(t.value_minor) {
        e.push(FieldError::new(
            "milestones",
            "procurement-error-milestones-sum",
        ));
    }
    e
}

/// What has happened under the contract so far, per milestone id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Milestones whose latest decision is acceptance, with the acceptance date.
    pub accepted: BTreeMap<String, civil::Date>,
    /// Paid so far per milestone.
    pub paid: BTreeMap<String, u64>,
}

impl Progress {
    pub fn total_paid(&self) -> u128 {
        self.paid.values().map(|v| u128::from(*v)).sum()
    }
}

/// Checks an amendment against what has happened: an accepted or (partly) paid milestone keeps
/// its id, title, due date and amount; the value is never below what has been paid.
pub fn check_amendment(old: &ContractTerms, new: &ContractTerms, p: &Progress) -> Vec<FieldError> {
    let mut e = check_terms(new);
    if u128::from(new.value_minor) < p.total_paid() {
        e.push(FieldError::new(
            "value_minor",
            "procurement-error-value-below-paid",
        ));
    }
    for m in &old.milestones {
        let delivered = p.accepted.contains_key(&m.id) || p.paid.contains_key(&m.id);
        if delivered && !new.milestones.iter().any(|n| n == m) {
            e.push(FieldError::new(
                "milestones",
                "procurement-error-milestone-delivered",
            ));
            break;
        }
    }
    e
}

/// A calendar date in Korea of an instant.
pub fn kst_date(t: Timestamp) -> civil::Date {
    let offset = jiff::tz::Offset::constant(KST_OFFSET_HOURS);
    offset.to_datetime(t.to_jiff()).date()
}

/// The day a milestone accepted on `accepted_on` must be paid by.
pub fn payment_due(accepted_on: civil::Date, term_days: u32) -> civil::Date {
    accepted_on
        .checked_add(jiff::Span::new().days(i64::from(term_days)))
        .unwrap_or(civil::Date::MAX)
}

/// Whole days a payment made on `paid_on` is late for `due_on` (0 when on time).
pub fn late_days(due_on: civil::Date, paid_on: civil::Date) -> u32 {
    if paid_on <= due_on {
        return 0;
    }
    let days = due_on
        .until((jiff::Unit::Day, paid_on))
        .map(|s| s.get_days())
        .unwrap_or(i32::MAX);
    u32::try_from(days).unwrap_or(0)
}

/// Checks a payment of `amount` for milestone `id` on `paid_on` (`today` being the date in
/// Korea now) and returns its due date and late days.
///
/// # Errors
/// [`ProcurementError::Invalid`] for an unknown milestone, a zero amount, a payment before
/// acceptance or in the future; [`ProcurementError::Transition`] when the milestone is not
/// accepted; [`ProcurementError::Invalid`] (`procurement-error-overpayment`) when it would pay
/// more than the milestone or the contract.
pub fn check_payment(
    terms: &ContractTerms,
    p: &Progress,
    milestone: &str,
    amount: u64,
    paid_on: civil::Date,
    today: civil::Date,
) -> Result<(civil::Date, u32), ProcurementError> {
    let m = terms
        .milestones
        .iter()
        .find(|m| m.id == milestone)
        .ok_or_else(|| invalid("milestone_id", "procurement-error-milestone"))?;
    if amount == 0 || i64::try_from(amount).is_err() {
        return Err(invalid("amount_minor", "procurement-error-amount"));
    }
    let accepted_on = *p
        .accepted
        .get(milestone)
        .ok_or(ProcurementError::Transition {
            action: "a payment",
            status: "the milestone's delivery is not accepted".into(),
        })?;
    if paid_on < accepted_on || paid_on > today {
        return Err(invalid("paid_on", "procurement-error-paid-on"));
    }
    let already = u128::from(p.paid.get(milestone).copied().unwrap_or(0));
    if already + u128::from(amount) > u128::from(m.amount_minor)
        || p.total_paid() + u128::from(amount) > u128::from(terms.value_minor)
    {
        return Err(invalid("amount_minor", "procurement-error-overpayment"));
    }
    let due = payment_due(accepted_on, terms.payment_term_days);
    Ok((due, late_days(due, paid_on)))
}

/// Whether every milestone is accepted and paid in full.
pub fn fully_performed(terms: &ContractTerms, p: &Progress) -> bool {
    terms.milestones.iter().all(|m| {
        p.accepted.contains_key(&m.id) && p.paid.get(&m.id).copied() == Some(m.amount_minor)
    })
}

// ---------------------------------------------------------------------------------------------
// What the store keeps

/// The document language of a contract.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractLanguage {
    #[default]
    Ko,
    En,
}

impl ContractLanguage {
    fn as_str(self) -> &'static str {
        match self {
            ContractLanguage::Ko => "ko",
            ContractLanguage::En => "en",
        }
    }
}

/// What the entity states when it makes a contract from an award.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractRequest {
    pub business_id: BusinessId,
    pub period_start: civil::Date,
    pub period_end: civil::Date,
    pub payment_term_days: u32,
    pub milestones: Vec<MilestoneInput>,
    #[serde(default)]
    pub language: ContractLanguage,
}

/// An amendment: a reason and whatever changes (unchanged parts stay as they are).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmendmentRequest {
    pub reason: String,
    #[serde(default)]
    pub value_minor: Option<u64>,
    #[serde(default)]
    pub period_end: Option<civil::Date>,
    #[serde(default)]
    pub milestones: Option<Vec<MilestoneInput>>,
}

/// One version of a contract (1: the contract; 2, 3, ...: amendments).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContractVersion {
    pub version: i64,
    pub terms: ContractTerms,
    /// Why it was amended (none for version 1).
    pub reason: Option<String>,
    pub created_at: Timestamp,
    pub entity_signed_at: Option<Timestamp>,
    pub supplier_signed_at: Option<Timestamp>,
    /// Hex SHA-256 of the signed PDF (after the entity's signature, then after both).
    pub pdf_sha256: Option<String>,
}

impl ContractVersion {
    pub fn fully_signed(&self) -> bool {
        self.entity_signed_at.is_some() && self.supplier_signed_at.is_some()
    }
}

/// The entity's decision on a milestone's delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Acceptance {
    pub milestone_id: String,
    pub accepted: bool,
    pub notes: String,
    pub decided_at: Timestamp,
}

/// A payment made under a contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Payment {
    pub id: PaymentId,
    pub milestone_id: String,
    pub amount_minor: u64,
    pub currency: String,
    pub paid_on: civil::Date,
    pub due_on: civil::Date,
    pub late_days: u32,
    pub recorded_at: Timestamp,
}

/// A contract with its versions, acceptances and payments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Contract {
    pub id: ContractId,
    pub tender_id: TenderId,
    pub business_id: String,
    pub supplier_name: String,
    /// The supplier's business registration number.
    pub supplier_number: String,
    pub agency: String,
    pub status: ContractStatus,
    pub language: ContractLanguage,
    pub created_at: Timestamp,
    /// When both parties had signed version 1.
    pub signed_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub end_reason: Option<String>,
    /// Oldest first; the terms in force are those of the latest fully signed one.
    pub versions: Vec<ContractVersion>,
    pub acceptances: Vec<Acceptance>,
    pub payments: Vec<Payment>,
}

impl Contract {
    /// The latest version both parties signed (the terms in force), if any.
    pub fn current(&self) -> Option<&ContractVersion> {
        self.versions.iter().rev().find(|v| v.fully_signed())
    }

    /// The latest version, signed or not.
    pub fn latest(&self) -> Option<&ContractVersion> {
        self.versions.last()
    }

    /// What has happened so far.
    pub fn progress(&self) -> Progress {
        let mut p = Progress::default();
        for a in &self.acceptances {
            if a.accepted {
                p.accepted
                    .insert(a.milestone_id.clone(), kst_date(a.decided_at));
            } else {
                p.accepted.remove(&a.milestone_id);
            }
        }
        for pay in &self.payments {
            *p.paid.entry(pay.milestone_id.clone()).or_default() += pay.amount_minor;
        }
        p
    }
}

/// Where the contract documents get their fonts, time-stamps and the suppliers' e-seal
/// certificates.
#[derive(Clone)]
pub struct ContractDocuments {
    fonts: Result<Arc<Fonts>, String>,
    /// The agency whose time-stamping unit stamps the signatures.
    pub tsa_agency: String,
    /// The agency whose issuing CA certifies suppliers' e-seals (the central procurement
    /// authority).
    pub supplier_ca_agency: String,
}

impl std::fmt::Debug for ContractDocuments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContractDocuments")
            .field("fonts", &self.fonts.is_ok())
            .field("tsa_agency", &self.tsa_agency)
            .field("supplier_ca_agency", &self.supplier_ca_agency)
            .finish()
    }
}

impl ContractDocuments {
    /// Fonts from `fonts_dir` (Debian's `fonts-nanum`); without them contracts can still be
    /// made, and signing fails with a clear error.
    pub fn new(
        fonts_dir: &std::path::Path,
        tsa_agency: &str,
        supplier_ca_agency: &str,
    ) -> ContractDocuments {
        ContractDocuments {
            fonts: Fonts::nanum_gothic(fonts_dir)
                .map(Arc::new)
                .map_err(|e| e.to_string()),
            tsa_agency: tsa_agency.to_owned(),
            supplier_ca_agency: supplier_ca_agency.to_owned(),
        }
    }
}

/// The deployment lacks something signing needs (PKI, fonts): 503, not the caller's fault.
fn unavailable(what: impl std::fmt::Display) -> ProcurementError {
    ProcurementError::Unavailable(what.to_string())
}

/// Signing itself failed.
fn signing(what: impl std::fmt::Display) -> ProcurementError {
    ProcurementError::Signing(what.to_string())
}

fn date_of(d: civil::Date) -> Date {
    Date::new(
        u16::try_from(d.year()).unwrap_or(0),
        u8::try_from(d.month()).unwrap_or(1),
        u8::try_from(d.day()).unwrap_or(1),
    )
}

fn system_time(t: Timestamp) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_micros(u64::try_from(t.as_micros()).unwrap_or(0))
}

fn minor(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

type ContractRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

const CONTRACT_BY_ID: &str = "SELECT c.id, c.tender_id, c.business_id, c.agency, c.status, c.language, c.created_at, \
     c.signed_at, c.ended_at, c.end_reason FROM procurement_contracts c WHERE c.id = $1";

type VersionRow = (
    i64,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

type PaymentRow = (String, String, i64, String, String, String, i64, i64);

async fn contract_tx(tx: &mut Tx, id: &str) -> Result<Contract, ProcurementError> {
    let row: Option<ContractRow> = on_tx!(tx, |c| sqlx::query_as(CONTRACT_BY_ID)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    let row = row.ok_or(ProcurementError::NotFound)?;
    let versions: Vec<VersionRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT version, terms, reason, created_at, entity_signed_at, supplier_signed_at, pdf_sha256 \
         FROM procurement_contract_versions WHERE contract_id = $1 ORDER BY version"
    )
    .bind(id)
    .fetch_all(c)
    .await
    })?;
    let acceptances: Vec<(String, bool, String, i64)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT milestone_id, accepted, notes, decided_at FROM procurement_contract_acceptances \
         WHERE contract_id = $1 ORDER BY decided_at, id"
    )
    .bind(id)
    .fetch_all(c)
    .await
    })?;
    let payments: Vec<PaymentRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, milestone_id, amount_minor, currency, paid_on, due_on, late_days, recorded_at \
         FROM procurement_contract_payments WHERE contract_id = $1 ORDER BY recorded_at, id"
    )
    .bind(id)
    .fetch_all(c)
    .await
    })?;
    let supplier: Option<(String, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT name, registration_number FROM registry_businesses WHERE id = $1"
    )
    .bind(&row.2)
    .fetch_optional(c)
    .await)?;
    let date = |s: &str| s.parse::<civil::Date>().map_err(corrupt);
    Ok(Contract {
        id: row.0.parse().map_err(|_| corrupt("contract id"))?,
        tender_id: row.1.parse().map_err(|_| corrupt("tender id"))?,
        business_id: row.2,
        supplier_name: supplier.clone().unwrap_or_default().0,
        supplier_number: supplier.unwrap_or_default().1,
        agency: row.3,
        status: ContractStatus::parse(&row.4).ok_or_else(|| corrupt("contract status"))?,
        language: if row.5 == "en" {
            ContractLanguage::En
        } else {
            ContractLanguage::Ko
        },
        created_at: Timestamp::from_micros(row.6),
        signed_at: row.7.map(Timestamp::from_micros),
        ended_at: row.8.map(Timestamp::from_micros),
        end_reason: row.9,
        versions: versions
            .into_iter()
            .map(|v| {
                Ok(ContractVersion {
                    version: v.0,
                    terms: from_json(&v.1)?,
                    reason: v.2,
                    created_at: Timestamp::from_micros(v.3),
                    entity_signed_at: v.4.map(Timestamp::from_micros),
                    supplier_signed_at: v.5.map(Timestamp::from_micros),
                    pdf_sha256: v.6,
                })
            })
            .collect::<Result<_, ProcurementError>>()?,
        acceptances: acceptances
            .into_iter()
            .map(|a| Acceptance {
                milestone_id: a.0,
                accepted: a.1,
                notes: a.2,
                decided_at: Timestamp::from_micros(a.3),
            })
            .collect(),
        payments: payments
            .into_iter()
            .map(|p| {
                Ok(Payment {
                    id: p.0.parse().map_err(|_| corrupt("payment id"))?,
                    milestone_id: p.1,
                    amount_minor: u64::try_from(p.2).map_err(corrupt)?,
                    currency: p.3,
                    paid_on: date(&p.4)?,
                    due_on: date(&p.5)?,
                    late_days: u32::try_from(p.6).map_err(corrupt)?,
                    recorded_at: Timestamp::from_micros(p.7),
                })
            })
            .collect::<Result<_, ProcurementError>>()?,
    })
}

/// Locks the contract row (PostgreSQL) so that concurrent changes queue.
async fn lock_contract(tx: &mut Tx, id: &str) -> Result<(), ProcurementError> {
    // SQLite's write transactions are serial already (BEGIN IMMEDIATE).
    let found: Option<String> = match tx.conn() {
        TxConn::Postgres(c) => {
            sqlx::query_scalar("SELECT id FROM procurement_contracts WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut **c)
                .await?
        }
        TxConn::Sqlite(c) => {
            sqlx::query_scalar("SELECT id FROM procurement_contracts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **c)
                .await?
        }
    };
    found.map(drop).ok_or(ProcurementError::NotFound)
}

async fn set_status(tx: &mut Tx, id: &str, status: ContractStatus) -> Result<(), ProcurementError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE procurement_contracts SET status = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(status.as_str())
    .execute(c)
    .await
    .map(drop))?;
    Ok(())
}

/// The facts printed on a version's PDF.
struct PrintFacts {
    contract: Contract,
    version: ContractVersion,
    tender_title: String,
    entity_name: (String, String),
}

impl Procurement {
    /// The contract documents' settings, if the deployment gave them.
    fn documents(&self) -> Result<Arc<ContractDocuments>, ProcurementError> {
        self.contract_documents
            .clone()
            .ok_or_else(|| unavailable("contract documents are not configured (fonts, PKI)"))
    }

    /// The procuring entity makes the contract of a final award with one of its winners.
    pub async fn create_contract(
        &self,
        principal: &Principal,
        tender: TenderId,
        req: ContractRequest,
    ) -> Result<Contract, ProcurementError> {
        let tid = tender.to_string();
        let business = req.business_id.to_string();
        let mut errors = Vec::new();
        let milestones = milestones_from(&req.milestones, &mut errors);
        require_manage(principal, &self.tender(tender).await?.agency)?;
        // Read before the write transaction: SQLite has one writer at a time.
        let award = match self.award_of(tender).await {
            Ok(a) => a,
            Err(ProcurementError::NotFound) => {
                return Err(ProcurementError::Transition {
                    action: "a contract",
                    status: "the tender is not awarded".into(),
                });
            }
            Err(e) => return Err(e),
        };
        if award.status != AwardStatus::Final {
            return Err(ProcurementError::Transition {
                action: "a contract",
                status: format!("the award is {} (not final)", award.status.as_str()),
            });
        }
        let won: Vec<_> = award
            .lots
            .iter()
            .filter(|l| l.supplier_id == business)
            .collect();
        let Some(first) = won.first() else {
            return Err(invalid("business_id", "procurement-error-not-a-winner"));
        };
        let currency = first.currency.clone();
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let row = tender_tx(&mut tx, &tid).await?;
        require_manage(principal, &row.agency)?;
        if won.iter().any(|l| l.currency != currency) {
            return Err(invalid("business_id", "procurement-error-currency"));
        }
        let value: u128 = won.iter().map(|l| u128::from(l.price_minor)).sum();
        let terms = ContractTerms {
            currency,
            value_minor: u64::try_from(value).unwrap_or(u64::MAX),
            period_start: req.period_start,
            period_end: req.period_end,
            payment_term_days: req.payment_term_days,
            lots: won
                .iter()
                .map(|l| ContractLotTerms {
                    lot_id: l.lot_id.clone(),
                    title: row
                        .notice
                        .lots
                        .iter()
                        .find(|n| n.id == l.lot_id)
                        .map(|n| n.title.clone())
                        .unwrap_or_default(),
                    bid_id: l.bid_id,
                    price_minor: l.price_minor,
                })
                .collect(),
            milestones,
        };
        errors.extend(check_terms(&terms));
        if !errors.is_empty() {
            return Err(ProcurementError::Invalid(errors));
        }
        let existing: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT id FROM procurement_contracts WHERE tender_id = $1 AND business_id = $2"
        )
        .bind(&tid)
        .bind(&business)
        .fetch_optional(c)
        .await)?;
        if existing.is_some() {
            return Err(ProcurementError::Transition {
                action: "a contract",
                status: "the supplier already has a contract for this tender".into(),
            });
        }
        let id = ContractId::new();
        let now = tx.now().as_micros();
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_contracts (id, tender_id, business_id, agency, status, language, created_by, created_at) \
             VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7)"
        )
        .bind(id.to_string())
        .bind(&tid)
        .bind(&business)
        .bind(&row.agency)
        .bind(req.language.as_str())
        .bind(principal.account.to_string())
        .bind(now)
        .execute(c)
        .await
        .map(drop)
        })?;
        insert_version(&mut tx, &id.to_string(), 1, &terms, None, principal, now).await?;
        tx.record(
            "procurement.contract.create",
            format!("contract:{id}"),
            serde_json::json!({
                "tender": tid,
                "supplier": business,
                "value_minor": terms.value_minor,
                "currency": terms.currency,
                "lots": terms.lots.iter().map(|l| &l.lot_id).collect::<Vec<_>>(),
            }),
        );
        let contract = contract_tx(&mut tx, &id.to_string()).await?;
        tx.commit().await?;
        Ok(contract)
    }

    /// A contract as its parties see it.
    pub async fn contract(&self, id: ContractId) -> Result<Contract, ProcurementError> {
        let mut tx = self
            .db
            .begin_bookkeeping("procurement contract read")
            .await?;
        let c = contract_tx(&mut tx, &id.to_string()).await;
        tx.rollback().await?;
        c
    }

    /// The contracts of every business `principal` is an authorised bidder for (and still acts
    /// for), newest first, at most [`MY_CONTRACTS_LIMIT`]: a supplier's "my contracts".
    pub async fn my_contracts(
        &self,
        principal: &Principal,
    ) -> Result<Vec<Contract>, ProcurementError> {
        let rows: Vec<(String, String)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT c.id, c.business_id FROM procurement_contracts c \
             WHERE c.business_id IN (SELECT b.business_id FROM procurement_bidders b \
                                     WHERE b.account_id = $1 AND b.removed_at IS NULL) \
             ORDER BY c.created_at DESC, c.id DESC LIMIT $2"
        )
        .bind(principal.account.to_string())
        .bind(MY_CONTRACTS_LIMIT)
        .fetch_all(p)
        .await)?;
        // An authorisation the registry no longer backs (a former director) shows nothing.
        let mut acting: BTreeMap<String, bool> = BTreeMap::new();
        let mut ids = Vec::new();
        for (id, business) in rows {
            let acts = match acting.get(&business) {
                Some(a) => *a,
                None => {
                    let b: BusinessId = business.parse().map_err(|_| corrupt("business id"))?;
                    let a = self.bidder_key(principal, b).await.is_ok();
                    acting.insert(business, a);
                    a
                }
            };
            if acts {
                ids.push(id);
            }
        }
        let mut tx = self
            .db
            .begin_bookkeeping("procurement contracts read")
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(contract_tx(&mut tx, &id).await?);
        }
        tx.rollback().await?;
        Ok(out)
    }

    /// Whether `principal` is a party to the contract: an official who manages the entity's
    /// procurement, or an authorised bidder of the supplier.
    pub async fn is_party(
        &self,
        principal: &Principal,
        contract: &Contract,
    ) -> Result<bool, ProcurementError> {
        if require_manage(principal, &contract.agency).is_ok() {
            return Ok(true);
        }
        let business: BusinessId = contract
            .business_id
            .parse()
            .map_err(|_| corrupt("business id"))?;
        Ok(self.bidder_key(principal, business).await.is_ok())
    }

    /// A tender's contracts, oldest first.
    pub async fn contracts_of(&self, tender: TenderId) -> Result<Vec<Contract>, ProcurementError> {
        let ids: Vec<String> = on_reader!(self.db, |p| sqlx::query_scalar(
            "SELECT id FROM procurement_contracts WHERE tender_id = $1 ORDER BY created_at, id"
        )
        .bind(tender.to_string())
        .fetch_all(p)
        .await)?;
        let mut out = Vec::with_capacity(ids.len());
        let mut tx = self
            .db
            .begin_bookkeeping("procurement contracts read")
            .await?;
        for id in ids {
            out.push(contract_tx(&mut tx, &id).await?);
        }
        tx.rollback().await?;
        Ok(out)
    }

    /// The signed PDF of a version (the latest when `version` is `None`), if signed yet.
    pub async fn contract_pdf(
        &self,
        id: ContractId,
        version: Option<i64>,
    ) -> Result<Vec<u8>, ProcurementError> {
        let row: Option<Option<Vec<u8>>> = match version {
            Some(v) => on_reader!(self.db, |p| {
                sqlx::query_scalar(
                "SELECT pdf FROM procurement_contract_versions WHERE contract_id = $1 AND version = $2"
            )
            .bind(id.to_string())
            .bind(v)
            .fetch_optional(p)
            .await
            })?,
            None => on_reader!(self.db, |p| sqlx::query_scalar(
                "SELECT pdf FROM procurement_contract_versions WHERE contract_id = $1 \
                 ORDER BY version DESC LIMIT 1"
            )
            .bind(id.to_string())
            .fetch_optional(p)
            .await)?,
        };
        row.flatten().ok_or(ProcurementError::NotFound)
    }

    /// The procuring entity signs the latest version: the PDF is made and signed with the
    /// agency's document-signing key.
    pub async fn sign_contract_as_entity(
        &self,
        principal: &Principal,
        id: ContractId,
    ) -> Result<Contract, ProcurementError> {
        let cid = id.to_string();
        let docs = self.documents()?.clone();
        let before = self.contract(id).await?;
        require_manage(principal, &before.agency)?;
        let latest = before
            .latest()
            .cloned()
            .ok_or_else(|| corrupt("a contract without a version"))?;
        next_status(before.status, ContractAction::EntitySign)?;
        if latest.entity_signed_at.is_some() {
            return Err(ProcurementError::Transition {
                action: "signing by the procuring entity",
                status: format!("version {} is already signed by the entity", latest.version),
            });
        }
        let layout = dasan_crypto::published::load_layout(&self.db)
            .await?
            .ok_or_else(|| unavailable("no platform PKI: run `dasan pki init`"))?;
        let signing_agency = self.signing_agency(&layout, &before.agency).await?;
        let tender = self.tender(before.tender_id).await?;
        let entity = self.registry.agency(&before.agency).await?;
        let entity_name = entity
            .map(|a| (a.data.name_local, a.data.name_latin))
            .unwrap_or_else(|| (before.agency.clone(), before.agency.clone()));
        let now = self.now();
        let facts = PrintFacts {
            contract: before.clone(),
            version: latest.clone(),
            tender_title: tender.notice.title.clone(),
            entity_name,
        };
        let keys = self.keys.clone();
        let pdf = tokio::task::spawn_blocking(move || {
            entity_sign(&*keys, &layout, &docs, &facts, &signing_agency, now)
        })
        .await
        .map_err(unavailable)??;
        let sha = hex::encode(Sha256::digest(&pdf));

        let mut tx = self.db.begin(Self::actor(principal)).await?;
        lock_contract(&mut tx, &cid).await?;
        let current = contract_tx(&mut tx, &cid).await?;
        // Someone else signed meanwhile: refuse rather than sign twice.
        if current.latest() != Some(&latest) || current.status != before.status {
            return Err(ProcurementError::Transition {
                action: "signing by the procuring entity",
                status: "the contract changed meanwhile".into(),
            });
        }
        let at = tx.now().as_micros();
        on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE procurement_contract_versions SET pdf = $3, pdf_sha256 = $4, entity_signed_at = $5, entity_signed_by = $6 \
             WHERE contract_id = $1 AND version = $2 AND entity_signed_at IS NULL"
        )
        .bind(&cid)
        .bind(latest.version)
        .bind(&pdf)
        .bind(&sha)
        .bind(at)
        .bind(principal.account.to_string())
        .execute(c)
        .await
        .map(drop)
        })?;
        let status = next_status(current.status, ContractAction::EntitySign)?;
        set_status(&mut tx, &cid, status).await?;
        tx.record(
            "procurement.contract.sign.entity",
            format!("contract:{cid}"),
            serde_json::json!({ "version": latest.version, "pdf_sha256": sha }),
        );
        let after = contract_tx(&mut tx, &cid).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// An authorised bidder of the supplier signs the latest version, after the entity: the
    /// platform adds the supplier's e-seal signature (its certificate is issued on first use)
    /// to the entity-signed PDF as an incremental update.
    pub async fn sign_contract_as_supplier(
        &self,
        principal: &Principal,
        id: ContractId,
    ) -> Result<Contract, ProcurementError> {
        let cid = id.to_string();
        let docs = self.documents()?.clone();
        let before = self.contract(id).await?;
        let business: BusinessId = before
            .business_id
            .parse()
            .map_err(|_| corrupt("business id"))?;
        // Acting for the business and authorised by its representative to bid (and so sign).
        self.bidder_key(principal, business).await?;
        next_status(before.status, ContractAction::SupplierSign)?;
        let latest = before
            .latest()
            .cloned()
            .ok_or_else(|| corrupt("a contract without a version"))?;
        if latest.entity_signed_at.is_none() {
            return Err(ProcurementError::Transition {
                action: "signing by the supplier",
                status: "the procuring entity has not signed yet".into(),
            });
        }
        if latest.supplier_signed_at.is_some() {
            return Err(ProcurementError::Transition {
                action: "signing by the supplier",
                status: format!(
                    "version {} is already signed by the supplier",
                    latest.version
                ),
            });
        }
        let entity_pdf = self.contract_pdf(id, Some(latest.version)).await?;
        let layout = dasan_crypto::published::load_layout(&self.db)
            .await?
            .ok_or_else(|| unavailable("no platform PKI: run `dasan pki init`"))?;
        let seal = self
            .supplier_seal(&layout, &docs, &before.business_id, &before.supplier_name)
            .await?;
        let now = self.now();
        let keys = self.keys.clone();
        let name = before.supplier_name.clone();
        let serial = seal.serial.clone();
        let pdf = tokio::task::spawn_blocking(move || {
            supplier_sign(&*keys, &layout, &docs, &entity_pdf, &seal, &name, now)
        })
        .await
        .map_err(unavailable)??;
        let sha = hex::encode(Sha256::digest(&pdf));

        let mut tx = self.db.begin(Self::actor(principal)).await?;
        lock_contract(&mut tx, &cid).await?;
        let current = contract_tx(&mut tx, &cid).await?;
        if current.latest() != Some(&latest) || current.status != before.status {
            return Err(ProcurementError::Transition {
                action: "signing by the supplier",
                status: "the contract changed meanwhile".into(),
            });
        }
        let at = tx.now().as_micros();
        on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE procurement_contract_versions SET pdf = $3, pdf_sha256 = $4, supplier_signed_at = $5, supplier_signed_by = $6 \
             WHERE contract_id = $1 AND version = $2 AND supplier_signed_at IS NULL"
        )
        .bind(&cid)
        .bind(latest.version)
        .bind(&pdf)
        .bind(&sha)
        .bind(at)
        .bind(principal.account.to_string())
        .execute(c)
        .await
        .map(drop)
        })?;
        let status = next_status(current.status, ContractAction::SupplierSign)?;
        set_status(&mut tx, &cid, status).await?;
        if latest.version == 1 {
            on_tx!(tx, |c| sqlx::query(
                "UPDATE procurement_contracts SET signed_at = $2 WHERE id = $1"
            )
            .bind(&cid)
            .bind(at)
            .execute(c)
            .await
            .map(drop))?;
        }
        tx.record(
            "procurement.contract.sign.supplier",
            format!("contract:{cid}"),
            serde_json::json!({
                "version": latest.version,
                "supplier": before.business_id,
                "certificate_serial": serial,
                "pdf_sha256": sha,
            }),
        );
        let after = contract_tx(&mut tx, &cid).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The entity proposes an amendment of an active contract: a new version, to be signed
    /// again by both parties. Only one amendment may wait for signatures at a time.
    pub async fn amend_contract(
        &self,
        principal: &Principal,
        id: ContractId,
        req: AmendmentRequest,
    ) -> Result<Contract, ProcurementError> {
        let cid = id.to_string();
        let reason = clean_text(&req.reason, MAX_CONTRACT_TEXT)
            .ok_or_else(|| invalid("reason", "procurement-error-text"))?;
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        lock_contract(&mut tx, &cid).await?;
        let c = contract_tx(&mut tx, &cid).await?;
        require_manage(principal, &c.agency)?;
        next_status(c.status, ContractAction::Amend)?;
        let latest = c.latest().ok_or_else(|| corrupt("no version"))?;
        if !latest.fully_signed() {
            return Err(ProcurementError::Transition {
                action: "an amendment",
                status: format!("version {} still waits for signatures", latest.version),
            });
        }
        let old = &latest.terms;
        let mut errors = Vec::new();
        let mut new = old.clone();
        if let Some(v) = req.value_minor {
            new.value_minor = v;
        }
        if let Some(end) = req.period_end {
            new.period_end = end;
        }
        if let Some(ms) = &req.milestones {
            new.milestones = milestones_from(ms, &mut errors);
        }
        if new == *old {
            errors.push(FieldError::new("reason", "procurement-error-no-change"));
        }
        errors.extend(check_amendment(old, &new, &c.progress()));
        if !errors.is_empty() {
            return Err(ProcurementError::Invalid(errors));
        }
        let version = latest.version + 1;
        let now = tx.now().as_micros();
        insert_version(&mut tx, &cid, version, &new, Some(&reason), principal, now).await?;
        tx.record(
            "procurement.contract.amend",
            format!("contract:{cid}"),
            serde_json::json!({
                "version": version,
                "reason": reason,
                "value_minor": new.value_minor,
                "period_end": new.period_end,
                "milestones": new.milestones.len(),
            }),
        );
        let after = contract_tx(&mut tx, &cid).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The entity accepts or rejects the delivery of a milestone, with notes.
    pub async fn accept_delivery(
        &self,
        principal: &Principal,
        id: ContractId,
        milestone: &str,
        accepted: bool,
        notes: &str,
    ) -> Result<Contract, ProcurementError> {
        let cid = id.to_string();
        let notes = if notes.trim().is_empty() {
            String::new()
        } else {
            clean_text(notes, MAX_CONTRACT_TEXT)
                .ok_or_else(|| invalid("notes", "procurement-error-text"))?
        };
        if !accepted && notes.is_empty() {
            // A rejection says why.
            return Err(invalid("notes", "procurement-error-text"));
        }
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        lock_contract(&mut tx, &cid).await?;
        let c = contract_tx(&mut tx, &cid).await?;
        require_manage(principal, &c.agency)?;
        next_status(c.status, ContractAction::AcceptDelivery)?;
        let terms = &c.current().ok_or_else(|| corrupt("active unsigned"))?.terms;
        if !terms.milestones.iter().any(|m| m.id == milestone) {
            return Err(invalid("milestone_id", "procurement-error-milestone"));
        }
        let p = c.progress();
        if p.accepted.contains_key(milestone) {
            return Err(ProcurementError::Transition {
                action: "accepting a delivery",
                status: "the milestone is already accepted".into(),
            });
        }
        let now = tx.now().as_micros();
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_contract_acceptances (id, contract_id, milestone_id, accepted, notes, decided_by, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&cid)
        .bind(milestone)
        .bind(accepted)
        .bind(&notes)
        .bind(principal.account.to_string())
        .bind(now)
        .execute(c)
        .await
        .map(drop)
        })?;
        tx.record(
            if accepted {
                "procurement.contract.delivery.accept"
            } else {
                "procurement.contract.delivery.reject"
            },
            format!("contract:{cid}"),
            serde_json::json!({ "milestone": milestone, "notes": notes }),
        );
        let after = contract_tx(&mut tx, &cid).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The entity records a payment for an accepted milestone; the contract completes when
    /// every milestone is accepted and paid in full.
    pub async fn record_payment(
        &self,
        principal: &Principal,
        id: ContractId,
        milestone: &str,
        amount_minor: u64,
        paid_on: civil::Date,
    ) -> Result<Contract, ProcurementError> {
        let cid = id.to_string();
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        lock_contract(&mut tx, &cid).await?;
        let c = contract_tx(&mut tx, &cid).await?;
        require_manage(principal, &c.agency)?;
        next_status(c.status, ContractAction::Pay)?;
        let terms = c
            .current()
            .ok_or_else(|| corrupt("active unsigned"))?
            .terms
            .clone();
        let mut p = c.progress();
        let today = kst_date(tx.now());
        let (due, late) = check_payment(&terms, &p, milestone, amount_minor, paid_on, today)?;
        let pid = PaymentId::new();
        let now = tx.now().as_micros();
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_contract_payments (id, contract_id, milestone_id, amount_minor, currency, paid_on, due_on, late_days, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )
        .bind(pid.to_string())
        .bind(&cid)
        .bind(milestone)
        .bind(minor(amount_minor))
        .bind(&terms.currency)
        .bind(paid_on.to_string())
        .bind(due.to_string())
        .bind(i64::from(late))
        .bind(principal.account.to_string())
        .bind(now)
        .execute(c)
        .await
        .map(drop)
        })?;
        tx.record(
            "procurement.contract.payment",
            format!("contract:{cid}"),
            serde_json::json!({
                "payment": pid,
                "milestone": milestone,
                "amount_minor": amount_minor,
                "currency": terms.currency,
                "paid_on": paid_on,
                "due_on": due,
                "late_days": late,
            }),
        );
        *p.paid.entry(milestone.to_owned()).or_default() += amount_minor;
        let pending_amendment = c.latest().is_some_and(|v| !v.fully_signed());
        if fully_performed(&terms, &p) && !pending_amendment {
            let status = next_status(c.status, ContractAction::Complete)?;
            set_status(&mut tx, &cid, status).await?;
            on_tx!(tx, |c| sqlx::query(
                "UPDATE procurement_contracts SET ended_at = $2 WHERE id = $1"
            )
            .bind(&cid)
            .bind(now)
            .execute(c)
            .await
            .map(drop))?;
            tx.record(
                "procurement.contract.complete",
                format!("contract:{cid}"),
                serde_json::json!({ "value_minor": terms.value_minor }),
            );
        }
        let after = contract_tx(&mut tx, &cid).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The entity terminates a contract early, with a reason.
    pub async fn terminate_contract(
        &self,
        principal: &Principal,
        id: ContractId,
        reason: &str,
    ) -> Result<Contract, ProcurementError> {
        let cid = id.to_string();
        let reason = clean_text(reason, MAX_CONTRACT_TEXT)
            .ok_or_else(|| invalid("reason", "procurement-error-text"))?;
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        lock_contract(&mut tx, &cid).await?;
        let c = contract_tx(&mut tx, &cid).await?;
        require_manage(principal, &c.agency)?;
        let status = next_status(c.status, ContractAction::Terminate)?;
        let now = tx.now().as_micros();
        set_status(&mut tx, &cid, status).await?;
        on_tx!(tx, |c| sqlx::query(
            "UPDATE procurement_contracts SET ended_at = $2, end_reason = $3 WHERE id = $1"
        )
        .bind(&cid)
        .bind(now)
        .bind(&reason)
        .execute(c)
        .await
        .map(drop))?;
        tx.record(
            "procurement.contract.terminate",
            format!("contract:{cid}"),
            serde_json::json!({ "reason": reason }),
        );
        let after = contract_tx(&mut tx, &cid).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The agency whose document-signing certificate signs for `agency`: itself or its nearest
    /// parent with one (an office signs with its ministry's certificate).
    async fn signing_agency(
        &self,
        layout: &PkiLayout,
        agency: &str,
    ) -> Result<String, ProcurementError> {
        let mut code = agency.to_owned();
        for _ in 0..8 {
            if layout
                .agency(&code)
                .is_some_and(|a| a.end_entities.contains_key(&Purpose::DocumentSigning))
            {
                return Ok(code);
            }
            match self
                .registry
                .agency(&code)
                .await?
                .and_then(|a| a.data.parent)
            {
                Some(parent) if !parent.is_empty() => code = parent,
                _ => break,
            }
        }
        Err(unavailable(format!(
            "agency {agency} (and its parents) has no document-signing certificate in the platform PKI"
        )))
    }

    /// The supplier's e-seal key and certificate: issued by the supplier CA agency's issuing
    /// CA on first use (audited), its key kept in the platform key store.
    async fn supplier_seal(
        &self,
        layout: &PkiLayout,
        docs: &ContractDocuments,
        business: &str,
        name: &str,
    ) -> Result<SupplierSeal, ProcurementError> {
        let row: Option<(String, Vec<u8>, String)> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT key_id, certificate, serial FROM procurement_supplier_seals WHERE business_id = $1"
        )
        .bind(business)
        .fetch_optional(p)
        .await
        })?;
        if let Some((key, certificate, serial)) = row {
            return Ok(SupplierSeal {
                key: key.parse().map_err(|_| corrupt("seal key id"))?,
                certificate,
                serial,
            });
        }
        let ca_agency = layout
            .agency(&docs.supplier_ca_agency)
            .ok_or_else(|| {
                unavailable(format!(
                    "no supplier CA agency {} in the PKI",
                    docs.supplier_ca_agency
                ))
            })?
            .clone();
        let keys = self.keys.clone();
        let label = format!("procurement-seal-{}", business.to_ascii_lowercase());
        let now = self.now();
        let subject = DistinguishedName {
            country: layout.root.certificate.certificate().ok().and_then(|c| {
                c.tbs_certificate()
                    .subject()
                    .country()
                    .ok()
                    .flatten()
                    .map(|c| c.to_string())
            }),
            organization: Some(name.chars().take(64).collect()),
            organizational_unit: None,
            common_name: format!("{} e-seal", name.chars().take(50).collect::<String>()),
            serial_number: Some(
                business
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .take(64)
                    .collect(),
            ),
        };
        let issued = tokio::task::spawn_blocking(move || {
            let err = |e: KeyStoreError| unavailable(e);
            let info = match keys.current(&label) {
                Ok(info) => info,
                Err(KeyStoreError::NotFound(_)) => keys
                    .generate(&label, Algorithm::EcdsaP256Sha256, system_time(now))
                    .map_err(err)?,
                Err(e) => return Err(err(e)),
            };
            let at = system_time(now);
            let cert = issue_certificate(
                &*keys,
                Some(ca_agency.issuing_ca.issuer()),
                &CertificateRequest {
                    subject,
                    subject_key: SubjectKey::Store(info.id.clone()),
                    profile: CertProfile::EndEntity {
                        purpose: Purpose::DocumentSigning,
                    },
                    not_before: at,
                    not_after: at + Duration::from_secs(3 * 365 * 86_400),
                    crl_distribution_point: Some(ca_agency.issuing_ca.crl_url.clone()),
                    private_key_usage_period: None,
                },
            )
            .map_err(unavailable)?;
            Ok::<_, ProcurementError>((info.id, cert))
        })
        .await
        .map_err(unavailable)??;
        let (key, cert) = issued;
        let serial = cert.serial.clone();
        let mut tx = self.db.begin(dasan_kernel::Actor::system()).await?;
        // Another node may have issued one meanwhile: the first stays, this one is unused.
        let n = on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_supplier_seals (business_id, key_id, certificate, serial, issued_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (business_id) DO NOTHING"
        )
        .bind(business)
        .bind(key.to_string())
        .bind(&cert.der)
        .bind(&serial)
        .bind(now.as_micros())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        if n == 0 {
            tx.rollback().await?;
            return Box::pin(self.supplier_seal(layout, docs, business, name)).await;
        }
        tx.record(
            "procurement.supplier.seal.issue",
            format!("supplier:{business}"),
            serde_json::json!({
                "serial": serial,
                "issuer": docs.supplier_ca_agency,
                "subject": cert.subject,
            }),
        );
        tx.commit().await?;
        Ok(SupplierSeal {
            key,
            certificate: cert.der,
            serial,
        })
    }
}

async fn insert_version(
    tx: &mut Tx,
    id: &str,
    version: i64,
    terms: &ContractTerms,
    reason: Option<&str>,
    principal: &Principal,
    now: i64,
) -> Result<(), ProcurementError> {
    let json = to_json(terms)?;
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO procurement_contract_versions (contract_id, version, terms, reason, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(id)
    .bind(version)
    .bind(&json)
    .bind(reason)
    .bind(principal.account.to_string())
    .bind(now)
    .execute(c)
    .await
    .map(drop)
    })?;
    Ok(())
}

/// A supplier's e-seal: its key in the store and its certificate.
#[derive(Clone, Debug)]
struct SupplierSeal {
    key: dasan_crypto::KeyId,
    certificate: Vec<u8>,
    serial: String,
}

/// The document of one version (pure: the caller signs it).
fn contract_spec(f: &PrintFacts, signing_agency: &str, at: Timestamp) -> DocumentSpec {
    let t = &f.version.terms;
    let amount = |minor: u64| Amount {
        minor: i64::try_from(minor).unwrap_or(i64::MAX),
        currency: t.currency.clone(),
    };
    let language = match f.contract.language {
        ContractLanguage::Ko => Language::Ko,
        ContractLanguage::En => Language::En,
    };
    DocumentSpec {
        facts: Facts::ProcurementContract(ProcurementContract {
            contract_number: f.contract.id.to_string(),
            tender_reference: f.contract.tender_id.to_string(),
            title: f.tender_title.clone(),
            entity: match language {
                Language::Ko => f.entity_name.0.clone(),
                Language::En => f.entity_name.1.clone(),
            },
            supplier_name: f.contract.supplier_name.clone(),
            supplier_number: f.contract.supplier_number.clone(),
            lots: t
                .lots
                .iter()
                .map(|l| ContractLot {
                    lot_id: l.lot_id.clone(),
                    title: l.title.clone(),
                    price: amount(l.price_minor),
                })
                .collect(),
            value: amount(t.value_minor),
            period_start: date_of(t.period_start),
            period_end: date_of(t.period_end),
            milestones: t
                .milestones
                .iter()
                .map(|m| ContractMilestone {
                    id: m.id.clone(),
                    title: m.title.clone(),
                    due: date_of(m.due_on),
                    amount: amount(m.amount_minor),
                })
                .collect(),
            payment_term_days: t.payment_term_days,
            amendment: f.version.reason.clone().map(|r| {
                (
                    u32::try_from(f.version.version.saturating_sub(1)).unwrap_or(0),
                    r,
                )
            }),
        }),
        issue_number: format!("{}-v{}", f.contract.id, f.version.version),
        check_code: None,
        agency: Agency {
            code: signing_agency.to_owned(),
            name_ko: f.entity_name.0.clone(),
            name_en: f.entity_name.1.clone(),
        },
        issued_at: system_time(at),
        utc_offset_minutes: i32::from(KST_OFFSET_HOURS) * 60,
        language,
        layout: Layout::Single,
        paper: Paper::A4,
    }
}

fn tsa_for<'a>(
    keys: &'a dyn KeyStore,
    layout: &PkiLayout,
    tsa_agency: &str,
    at: SystemTime,
) -> Result<LocalTsa<'a>, ProcurementError> {
    let a = layout
        .agency(tsa_agency)
        .ok_or_else(|| unavailable(format!("no time-stamping agency {tsa_agency} in the PKI")))?;
    let ee = a
        .end_entities
        .get(&Purpose::TimeStamping)
        .ok_or_else(|| unavailable(format!("{tsa_agency} has no time-stamping key")))?;
    Ok(LocalTsa::new(
        TimeStampAuthority::new(
            StoreSigner::new(keys, &ee.key).map_err(unavailable)?,
            &ee.certificate.der,
            vec![a.issuing_ca.certificate.der.clone()],
        )
        .map_err(unavailable)?,
        move || at,
    ))
}

/// Renders a version and signs it with the entity's document-signing key (PAdES B-LT).
fn entity_sign(
    keys: &dyn KeyStore,
    layout: &PkiLayout,
    docs: &ContractDocuments,
    facts: &PrintFacts,
    signing_agency: &str,
    now: Timestamp,
) -> Result<Vec<u8>, ProcurementError> {
    let fonts = docs.fonts.as_ref().map_err(unavailable)?;
    let a = layout
        .agency(signing_agency)
        .ok_or_else(|| unavailable("signing agency left the PKI"))?;
    let ee = a
        .end_entities
        .get(&Purpose::DocumentSigning)
        .ok_or_else(|| unavailable("no document-signing key"))?;
    let spec = contract_spec(facts, signing_agency, now);
    let at = spec.issued_at;
    // The seal stays valid as long as a contract record is kept (ten years).
    let claims = Claims::from_spec(&spec, at + Duration::from_secs(10 * 365 * 86_400))
        .map_err(unavailable)?;
    let seal_signer = StoreSigner::new(keys, &ee.key).map_err(unavailable)?;
    let qr = make_qr_payload(&claims, &seal_signer, &ee.certificate.der).map_err(unavailable)?;
    let pdf = dasan_docs::render(&spec, fonts, &qr).map_err(unavailable)?;
    let signer = DocumentSigner {
        signer: StoreSigner::new(keys, &ee.key).map_err(unavailable)?,
        certificate: ee.certificate.der.clone(),
        chain: vec![a.issuing_ca.certificate.der.clone()],
    };
    let tsa = tsa_for(keys, layout, &docs.tsa_agency, at)?;
    let ltv = LtvMaterial::from_layout(layout, signing_agency, &docs.tsa_agency)
        .ok_or_else(|| unavailable("no revocation material in the PKI layout"))?;
    sign_pades(
        &pdf,
        &signer,
        PadesLevel::BLT,
        at,
        Some(&tsa),
        Some(&ltv),
        &SignatureInfo {
            reason: Some("Procurement contract signed by the procuring entity".to_owned()),
            location: None,
            name: Some(a.name.clone()),
        },
    )
    .map_err(signing)
}

/// Adds the supplier's e-seal signature to the entity-signed PDF (PAdES B-LT, incremental).
fn supplier_sign(
    keys: &dyn KeyStore,
    layout: &PkiLayout,
    docs: &ContractDocuments,
    entity_pdf: &[u8],
    seal: &SupplierSeal,
    supplier_name: &str,
    now: Timestamp,
) -> Result<Vec<u8>, ProcurementError> {
    let ca = layout
        .agency(&docs.supplier_ca_agency)
        .ok_or_else(|| unavailable("supplier CA agency left the PKI"))?;
    let signer = DocumentSigner {
        signer: StoreSigner::new(keys, &seal.key).map_err(unavailable)?,
        certificate: seal.certificate.clone(),
        chain: vec![ca.issuing_ca.certificate.der.clone()],
    };
    let at = system_time(now);
    let tsa = tsa_for(keys, layout, &docs.tsa_agency, at)?;
    let mut ltv = LtvMaterial::from_layout(layout, &docs.supplier_ca_agency, &docs.tsa_agency)
        .ok_or_else(|| unavailable("no revocation material in the PKI layout"))?;
    ltv.certificates.push(seal.certificate.clone());
    sign_pades(
        entity_pdf,
        &signer,
        PadesLevel::BLT,
        at,
        Some(&tsa),
        Some(&ltv),
        &SignatureInfo {
            reason: Some("Procurement contract signed by the supplier".to_owned()),
            location: None,
            name: Some(supplier_name.to_owned()),
        },
    )
    .map_err(signing)
}

// ---------------------------------------------------------------------------------------------
// Open contracting data: the contract and implementation stages

/// Midnight in Korea at the start of `d`.
fn kst_midnight(d: civil::Date) -> Timestamp {
    let offset = jiff::tz::Offset::constant(KST_OFFSET_HOURS);
    offset
        .to_timestamp(d.to_datetime(civil::Time::midnight()))
        .map(Timestamp::from_jiff)
        .unwrap_or(Timestamp::from_micros(0))
}

/// The OCDS contract stage of a signed contract, under the award stage it came from (matched
/// by the lots it covers): the contract as first signed, each amendment both parties signed
/// since, its milestones met (accepted deliveries) and payments as implementation events.
/// `None` for a contract not yet signed by both parties, or whose award is not in the procedure
/// (the builder refuses a contract without its award).
pub fn contract_stage(
    c: &Contract,
    awards: &[dasan_ocds::procedure::AwardStage],
    public_url: Option<&str>,
) -> Option<dasan_ocds::procedure::ContractStage> {
    use dasan_ocds::codelist::{DocumentType, MilestoneStatus, MilestoneType};
    use dasan_ocds::procedure::{
        ContractAmendmentStage, ContractStage, DocumentSpec, ImplementationEvent, PlannedMilestone,
    };
    let signed = c.signed_at?;
    let first = c.versions.iter().find(|v| v.fully_signed())?;
    let current = c.current()?;
    let award = awards
        .iter()
        .find(|a| first.terms.lots.iter().any(|l| a.lots.contains(&l.lot_id)))?;
    let currency: dasan_kernel::Currency = current.terms.currency.parse().ok()?;
    let money = |minor: u64| dasan_kernel::Money::new(minor_i64(minor), currency);
    let period =
        |t: &ContractTerms| Some((kst_midnight(t.period_start), kst_midnight(t.period_end)));
    let planned = |t: &ContractTerms| -> Vec<PlannedMilestone> {
        t.milestones
            .iter()
            .map(|m| PlannedMilestone {
                id: m.id.clone(),
                title: m.title.clone(),
                kind: MilestoneType::Delivery,
                due: kst_midnight(m.due_on),
            })
            .collect()
    };
    // The PDF both parties signed (public once signed), when the portal has an address.
    let documents = |v: &ContractVersion| -> Vec<DocumentSpec> {
        public_url
            .map(|base| DocumentSpec {
                id: format!("contract-{}-v{}", c.id, v.version),
                kind: DocumentType::ContractSigned,
                title: format!("Signed contract, version {}", v.version),
                url: Some(format!(
                    "{}/api/v1/procurement/contracts/{}/pdf?version={}",
                    base.trim_end_matches('/'),
                    c.id,
                    v.version
                )),
                format: Some("application/pdf".into()),
                published: v.supplier_signed_at.unwrap_or(signed),
                related_lots: v.terms.lots.iter().map(|l| l.lot_id.clone()).collect(),
            })
            .into_iter()
            .collect()
    };
    let mut implementation = Vec::new();
    for (n, a) in c.acceptances.iter().enumerate().filter(|(_, a)| a.accepted) {
        let Some(m) = current
            .terms
            .milestones
            .iter()
            .find(|m| m.id == a.milestone_id)
        else {
            continue;
        };
        implementation.push(ImplementationEvent::Milestone {
            id: format!("milestone-{}-{}", m.id, n + 1),
            date: a.decided_at,
            title: m.title.clone(),
            kind: MilestoneType::Delivery,
            due: Some(kst_midnight(m.due_on)),
            status: MilestoneStatus::Met,
            met: Some(a.decided_at),
        });
    }
    for p in &c.payments {
        implementation.push(ImplementationEvent::Payment {
            id: format!("payment-{}", p.id),
            date: p.recorded_at,
            value: money(p.amount_minor),
        });
    }
    let amendments = c
        .versions
        .iter()
        .filter(|v| v.version > first.version && v.fully_signed())
        .map(|v| ContractAmendmentStage {
            // In force once the second party has signed.
            date: v
                .supplier_signed_at
                .max(v.entity_signed_at)
                .unwrap_or(signed),
            rationale: v.reason.clone().unwrap_or_default(),
            period: period(&v.terms),
            value: money(v.terms.value_minor),
            milestones: planned(&v.terms),
            documents: documents(v),
        })
        .collect();
    Some(ContractStage {
        id: c.id.to_string(),
        award_id: award.id.clone(),
        title: None,
        date_signed: signed,
        period: period(&first.terms),
        value: money(first.terms.value_minor),
        implementation,
        closed: c.ended_at.filter(|_| c.status.ended()),
        documents: documents(first),
        milestones: planned(&first.terms),
        amendments,
    })
}

fn minor_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Procurement {
    /// Adds the contract and implementation stages of each procedure's signed contracts.
    pub(crate) async fn add_contract_stages(
        &self,
        procedures: &mut [dasan_ocds::Procedure],
    ) -> Result<(), ProcurementError> {
        for p in procedures.iter_mut() {
            if p.awards.is_empty() {
                continue;
            }
            let tender: TenderId = p.tender_id.parse().map_err(|_| corrupt("tender id"))?;
            for c in self.contracts_of(tender).await? {
                if let Some(stage) =
                    contract_stage(&c, &p.awards, self.config.public_url.as_deref())
                {
                    p.contracts.push(stage);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> civil::Date {
        s.parse().unwrap_or(civil::Date::MIN)
    }

    fn terms() -> ContractTerms {
        ContractTerms {
            currency: "KRW".into(),
            value_minor: 300,
            period_start: d("2027-01-01"),
            period_end: d("2027-12-31"),
            payment_term_days: 14,
            lots: vec![],
            milestones: vec![
                Milestone {
                    id: "1".into(),
                    title: "first".into(),
                    due_on: d("2027-03-31"),
                    amount_minor: 100,
                },
                Milestone {
                    id: "2".into(),
                    title: "second".into(),
                    due_on: d("2027-06-30"),
                    amount_minor: 200,
                },
            ],
        }
    }

    #[test]
    fn the_status_machine_refuses_what_is_out_of_order() {
        use ContractAction as A;
        use ContractStatus as S;
        assert_eq!(
            next_status(S::Draft, A::EntitySign).ok(),
            Some(S::EntitySigned)
        );
        assert_eq!(
            next_status(S::EntitySigned, A::SupplierSign).ok(),
            Some(S::Active)
        );
        assert!(
            next_status(S::Draft, A::SupplierSign).is_err(),
            "supplier before entity"
        );
        assert!(
            next_status(S::EntitySigned, A::EntitySign).is_err(),
            "entity twice"
        );
        assert!(next_status(S::Draft, A::Pay).is_err());
        assert!(next_status(S::Draft, A::Amend).is_err());
        assert_eq!(next_status(S::Active, A::Complete).ok(), Some(S::Completed));
        for ended in [S::Completed, S::Terminated] {
            for a in [
                A::EntitySign,
                A::SupplierSign,
                A::Amend,
                A::AcceptDelivery,
                A::Pay,
                A::Complete,
                A::Terminate,
            ] {
                assert!(next_status(ended, a).is_err(), "{ended:?} {a:?}");
            }
        }
    }

    #[test]
    fn terms_need_milestones_that_sum_to_the_value_within_the_period() {
        assert!(check_terms(&terms()).is_empty());
        let mut t = terms();
        t.milestones[1].amount_minor = 199;
        assert!(
            check_terms(&t)
                .iter()
                .any(|e| e.message == "procurement-error-milestones-sum")
        );
        let mut t = terms();
        t.milestones[0].due_on = d("2028-01-01");
        assert!(
            check_terms(&t)
                .iter()
                .any(|e| e.field == "milestones[0].due_on")
        );
        let mut t = terms();
        t.period_end = d("2026-12-31");
        assert!(!check_terms(&t).is_empty());
        let mut t = terms();
        t.milestones.clear();
        assert!(!check_terms(&t).is_empty());
        let mut t = terms();
        t.payment_term_days = 366;
        assert!(!check_terms(&t).is_empty());
    }

    #[test]
    fn late_days_count_calendar_days_after_the_due_date() {
        let due = payment_due(d("2027-04-10"), 14);
        assert_eq!(due, d("2027-04-24"));
        assert_eq!(late_days(due, d("2027-04-24")), 0);
        assert_eq!(late_days(due, d("2027-04-01")), 0);
        assert_eq!(late_days(due, d("2027-04-25")), 1);
        assert_eq!(late_days(due, d("2027-05-24")), 30);
        assert_eq!(
            late_days(d("2027-12-31"), d("2028-03-01")),
            61,
            "2028 is a leap year"
        );
    }

    #[test]
    fn korean_dates_turn_at_midnight_in_seoul() {
        // 2027-01-01T14:59:59Z is 23:59:59 in Seoul; a second later it is the next day.
        let t = Timestamp::from_jiff("2027-01-01T14:59:59Z".parse().unwrap_or_default());
        assert_eq!(kst_date(t), d("2027-01-01"));
        let t = Timestamp::from_micros(t.as_micros() + 1_000_000);
        assert_eq!(kst_date(t), d("2027-01-02"));
    }

    #[test]
    fn payments_need_acceptance_and_never_exceed_the_milestone_or_the_value() {
        let t = terms();
        let mut p = Progress::default();
        let today = d("2027-12-01");
        assert!(matches!(
            check_payment(&t, &p, "1", 100, d("2027-04-01"), today),
            Err(ProcurementError::Transition { .. })
        ));
        p.accepted.insert("1".into(), d("2027-04-10"));
        assert!(check_payment(&t, &p, "1", 101, d("2027-04-20"), today).is_err());
        assert!(check_payment(&t, &p, "1", 0, d("2027-04-20"), today).is_err());
        assert!(check_payment(&t, &p, "9", 1, d("2027-04-20"), today).is_err());
        assert!(
            check_payment(&t, &p, "1", 1, d("2027-04-09"), today).is_err(),
            "before acceptance"
        );
        assert!(
            check_payment(&t, &p, "1", 1, d("2027-12-02"), today).is_err(),
            "in the future"
        );
        assert_eq!(
            check_payment(&t, &p, "1", 60, d("2027-04-30"), today).ok(),
            Some((d("2027-04-24"), 6))
        );
        p.paid.insert("1".into(), 60);
        assert!(check_payment(&t, &p, "1", 41, d("2027-04-30"), today).is_err());
        assert!(check_payment(&t, &p, "1", 40, d("2027-04-30"), today).is_ok());
        assert!(!fully_performed(&t, &p));
    }

    #[test]
    fn an_amendment_keeps_delivered_milestones_and_paid_money() {
        let old = terms();
        let mut p = Progress::default();
        p.accepted.insert("1".into(), d("2027-04-10"));
        p.paid.insert("1".into(), 100);
        let mut new = old.clone();
        new.value_minor = 350;
        new.milestones[1].amount_minor = 250;
        assert!(check_amendment(&old, &new, &p).is_empty());
        let mut new = old.clone();
        new.milestones[0].amount_minor = 50;
        new.milestones[1].amount_minor = 250;
        assert!(
            !check_amendment(&old, &new, &p).is_empty(),
            "milestone 1 was delivered"
        );
        let mut new = old.clone();
        new.value_minor = 90;
        new.milestones = vec![Milestone {
            amount_minor: 90,
            ..old.milestones[1].clone()
        }];
        assert!(
            !check_amendment(&old, &new, &p).is_empty(),
            "below what was paid"
        );
    }

    #[test]
    fn the_contract_stage_links_the_signed_pdf_and_lists_the_agreed_milestones() {
        let at = Timestamp::from_micros(1_800_000_000_000_000);
        let mut t = terms();
        t.lots = vec![ContractLotTerms {
            lot_id: "1".into(),
            title: "lot".into(),
            bid_id: crate::envelope::BidId([7; 32]),
            price_minor: 300,
        }];
        let c = Contract {
            id: ContractId::new(),
            tender_id: TenderId::new(),
            business_id: "b".into(),
            supplier_name: "s".into(),
            supplier_number: "n".into(),
            agency: "PPS".into(),
            status: ContractStatus::Active,
            language: ContractLanguage::Ko,
            created_at: at,
            signed_at: Some(at),
            ended_at: None,
            end_reason: None,
            versions: vec![ContractVersion {
                version: 1,
                terms: t,
                reason: None,
                created_at: at,
                entity_signed_at: Some(at),
                supplier_signed_at: Some(at),
                pdf_sha256: None,
            }],
            acceptances: vec![],
            payments: vec![],
        };
        let award = dasan_ocds::procedure::AwardStage {
            id: "1-1".into(),
            date: at,
            title: None,
            status: dasan_ocds::codelist::AwardStatus::Active,
            standstill_end: None,
            supplier: dasan_ocds::procedure::Party {
                id: "s".into(),
                name: "s".into(),
                identifier: None,
                address: None,
                contact_point: None,
            },
            value: dasan_kernel::Money::new(300, "KRW".parse().unwrap_or_else(|_| unreachable!())),
            lots: vec!["1".into()],
            bid: None,
            contract_period: None,
            description: None,
            documents: vec![],
        };
        let stage = contract_stage(
            &c,
            std::slice::from_ref(&award),
            Some("https://portal.example/"),
        );
        let stage = stage.unwrap_or_else(|| unreachable!("signed"));
        assert_eq!(stage.documents.len(), 1);
        assert_eq!(
            stage.documents[0].url.as_deref(),
            Some(
                format!(
                    "https://portal.example/api/v1/procurement/contracts/{}/pdf?version=1",
                    c.id
                )
                .as_str()
            )
        );
        assert_eq!(stage.documents[0].related_lots, vec!["1".to_owned()]);
        assert_eq!(stage.milestones.len(), 2);
        assert_eq!(stage.milestones[1].due, kst_midnight(d("2027-06-30")));
        let none = contract_stage(&c, &[award], None).unwrap_or_else(|| unreachable!("signed"));
        assert!(none.documents.is_empty(), "no public address, no link");
    }

    proptest! {
        #[test]
        fn late_days_are_the_day_difference_when_late(due_off in 0i64..3000, delta in -400i64..400) {
            let base = d("2020-01-01");
            let due = base.checked_add(jiff::Span::new().days(due_off)).unwrap_or(base);
            let paid = due.checked_add(jiff::Span::new().days(delta)).unwrap_or(due);
            prop_assert_eq!(i64::from(late_days(due, paid)), delta.max(0));
        }

        #[test]
        fn payments_never_sum_beyond_the_value(amounts in proptest::collection::vec(1u64..150, 1..12)) {
            let t = terms();
            let mut p = Progress::default();
            p.accepted.insert("1".into(), d("2027-04-10"));
            p.accepted.insert("2".into(), d("2027-04-10"));
            for (i, a) in amounts.iter().enumerate() {
                let m = if i % 2 == 0 { "1" } else { "2" };
                if check_payment(&t, &p, m, *a, d("2027-05-01"), d("2027-12-01")).is_ok() {
                    *p.paid.entry(m.to_owned()).or_default() += a;
                }
                prop_assert!(p.total_paid() <= u128::from(t.value_minor));
                prop_assert!(p.paid.get("1").copied().unwrap_or(0) <= 100);
            }
        }
    }
}
