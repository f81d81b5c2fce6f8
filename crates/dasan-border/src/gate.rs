//! Gate decisions: **OPEN** or **REFER** (to an officer, with machine-readable reasons) — never a
//! silent reject — and a record from which the decision can be explained and replayed.
//!
//! A decision is made in two steps:
//!
//! 1. [`gather`] turns what the gate sent ([`GateRequest`]) and what the server knows
//!    ([`Context`]: configuration, trust store, watchlists, the traveller's enrolment, visa and
//!    last entry as looked up by the caller, and *now*) into [`Evidence`]: the parsed MRZ, the
//!    passive authentication summary, the lost/stolen look-up, the watchlist hits. This is
//!    where the work is (MRZ parsing, signature checks, screening).
//! 2. [`evaluate`] applies the rules — each a small named function of the evidence and the
//!    configuration — and decides. It is pure and cheap.
//!
//! [`decide`] does both and returns the [`Decision`] with its [`DecisionRecord`]: digests of
//! every input, the evidence, every rule's outcome, the configuration (with its version) and
//! the answer. [`replay`] runs step 2 again on a record and must give the same decision;
//! [`DecisionRecord::verify_inputs`] checks that a request is the one a record was made from.

use crate::lost_stolen::{LostStolenList, LostStolenRecord};
use crate::screen::{Hit, Screener, ScreeningConfig, ScreeningQuery};
use crate::types::CalendarDate;
use dasan_mrtd::pa::{CheckResult, PassiveAuthInput, TrustStore, Verdict};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// Version of the record format.
pub const RECORD_FORMAT: u32 = 1;

/// Entering or leaving the country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Arrival.
    Entry,
    /// Departure.
    Exit,
}

/// Bytes as lower-case hex in JSON.
mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::hex(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        super::unhex(&s).ok_or_else(|| serde::de::Error::custom("expected hex"))
    }
}

mod hex_map {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(m: &BTreeMap<u8, Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        m.iter()
            .map(|(k, v)| (*k, super::hex(v)))
            .collect::<BTreeMap<u8, String>>()
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<u8, Vec<u8>>, D::Error> {
        BTreeMap::<u8, String>::deserialize(d)?
            .into_iter()
            .map(|(k, v)| {
                super::unhex(&v)
                    .map(|b| (k, b))
                    .ok_or_else(|| serde::de::Error::custom("expected hex"))
            })
            .collect()
    }
}

fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn sha256_hex(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

/// Files read from the chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChipFiles {
    /// EF.SOD (with the document signer certificate inside).
    #[serde(with = "hex_bytes")]
    pub sod: Vec<u8>,
    /// Data groups by number (at least DG1).
    #[serde(with = "hex_map")]
    pub data_groups: BTreeMap<u8, Vec<u8>>,
}

/// A chip-level check the gate made itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChipCheckOutcome {
    /// Made, and the chip answered correctly.
    Passed,
    /// Made, and the answer was wrong: a cloned or emulated chip.
    Failed,
    /// The chip does not support it.
    NotSupported,
    /// Not made.
    NotPerformed,
}

/// The gate's own chip checks (active authentication / chip authentication).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChipCheck {
    /// Active authentication (Doc 9303 Part 11 §6.1) or chip authentication, as made by the gate.
    pub active_authentication: ChipCheckOutcome,
}

/// What was compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    /// Live face against the chip's DG2 or the enrolled reference.
    Face,
    /// Fingerprint against the enrolled reference.
    Fingerprint,
}

/// The gate's 1:1 biometric comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BiometricResult {
    /// Face or fingerprint.
    pub modality: Modality,
    /// Matcher and version (`vendor-face-5.2`): scores are only comparable within one.
    pub algorithm: String,
    /// Comparison score in the algorithm's integer units (higher is more similar).
    pub score: u32,
    /// The threshold the gate applied, same units.
    pub threshold: u32,
    /// The caller checked the gate's signature over this result with the gate's device key.
    pub signature_verified: bool,
}

/// What a gate sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateRequest {
    /// The gate (an API client with its own device key).
    pub gate_id: String,
    /// Port of entry code.
    pub port: String,
    /// Entry or exit.
    pub direction: Direction,
    /// The MRZ as read from the data page, lines separated by newlines.
    pub mrz: String,
    /// Chip files, when the chip was read.
    pub chip: Option<ChipFiles>,
    /// The gate's chip checks.
    pub chip_check: ChipCheck,
    /// The biometric comparison, when made.
    pub biometric: Option<BiometricResult>,
}

/// State of an enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    /// In force.
    Active,
    /// Suspended by an officer.
    Suspended,
    /// Withdrawn.
    Revoked,
}

/// A traveller's enrolment for automated gates (looked up by the caller).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// Identifier.
    pub id: String,
    /// The passport enrolled: issuing state.
    pub issuing_state: String,
    /// … and number.
    pub document_number: String,
    /// Last day of validity.
    pub valid_until: CalendarDate,
    /// State.
    pub status: EnrolmentStatus,
}

/// A visa (looked up by the caller from the visa table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visa {
    /// Visa number.
    pub number: String,
    /// Category (`C-3`, `E-9`, …).
    pub category: String,
    /// First day it may be used to enter.
    pub valid_from: CalendarDate,
    /// Last day it may be used to enter.
    pub valid_until: CalendarDate,
}

/// The current stay (the last entry without an exit), looked up by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stay {
    /// Day of entry.
    pub entered_on: CalendarDate,
    /// Last day the traveller may stay.
    pub permitted_until: CalendarDate,
}

/// What the server knows about the traveller, looked up (by document) before deciding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TravellerFacts {
    /// Enrolment for automated gates.
    pub enrolment: Option<Enrolment>,
    /// Valid visa, if any.
    pub visa: Option<Visa>,
    /// Open stay, if any.
    pub stay: Option<Stay>,
}

/// Visa rules for entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VisaConfig {
    /// Nationalities that enter visa-free with the days they may stay (`USA = 90`).
    pub waiver_days: BTreeMap<String, u16>,
}

impl Default for VisaConfig {
    fn default() -> Self {
        Self {
            waiver_days: [
                ("USA", 90),
                ("JPN", 90),
                ("DEU", 90),
                ("GBR", 90),
                ("FRA", 90),
                ("D", 90),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        }
    }
}

/// The rules' configuration. Deserialisable (TOML `[border.gate]`); its `version` goes into
/// every decision record, and the record keeps the whole configuration for replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateConfig {
    /// Name of this configuration (change it whenever a value changes).
    pub version: String,
    /// Nationals of these states use gates without enrolling (the home state, partner states).
    pub self_service_nationalities: Vec<String>,
    /// Minimum age for using a gate.
    pub minimum_age: u8,
    /// Document codes a gate accepts (`P` passports; `PM`, `PO`… start with `P`).
    pub document_code_prefixes: Vec<String>,
    /// Refer when no chip was read.
    pub require_chip: bool,
    /// Accept a chip whose signer does not chain to a trusted CSCA (never in production).
    pub accept_unanchored_chain: bool,
    /// Refer when the chip cannot prove it is not a clone (active authentication not made or
    /// not supported). A *failed* check always refers.
    pub require_active_authentication: bool,
    /// The lowest threshold accepted for each biometric algorithm; an algorithm not listed
    /// refers.
    pub biometric_min_threshold: BTreeMap<String, u32>,
    /// Screening thresholds.
    pub screening: ScreeningConfig,
    /// Visa rules.
    pub visa: VisaConfig,
}

impl Default for GateConfig {
    fn default() -> Self {
        Self {
            version: "default-1".into(),
            self_service_nationalities: vec!["KOR".into()],
            minimum_age: 7,
            document_code_prefixes: vec!["P".into()],
            require_chip: true,
            accept_unanchored_chain: false,
            require_active_authentication: false,
            biometric_min_threshold: [("dasan-test-face-1".to_string(), 6_000u32)]
                .into_iter()
                .collect(),
            screening: ScreeningConfig::default(),
            visa: VisaConfig::default(),
        }
    }
}

/// Everything the server brings to a decision.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Rules' configuration.
    pub config: &'a GateConfig,
    /// CSCAs and CRLs for passive authentication.
    pub trust: &'a TrustStore,
    /// Watchlists.
    pub watchlist: &'a Screener,
    /// Lost/stolen documents.
    pub lost_stolen: &'a LostStolenList,
    /// The traveller's enrolment, visa and stay, looked up by the caller.
    pub traveller: &'a TravellerFacts,
    /// Now, microseconds since the Unix epoch (the server's clock, never the gate's).
    pub now_unix_micros: i64,
}

/// The document as the MRZ describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentFacts {
    /// Document code (`P`).
    pub document_code: String,
    /// Issuing state.
    pub issuer: String,
    /// Document number.
    pub number: String,
    /// Nationality.
    pub nationality: String,
    /// Surname.
    pub surname: String,
    /// Given names.
    pub given_names: String,
    /// Date of birth, when complete.
    pub birth_date: Option<CalendarDate>,
    /// Date of expiry, when complete.
    pub expiry_date: Option<CalendarDate>,
    /// All check digits valid.
    pub check_digits_valid: bool,
}

/// Passive authentication's verdict, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaVerdict {
    /// Every check passed, chain anchored.
    Valid,
    /// Signature and hashes valid; signer not anchored in the trust store.
    NotAnchored,
    /// A check failed.
    Invalid,
    /// A core check could not be made.
    Incomplete,
}

/// The passive authentication summary kept in the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaSummary {
    /// Verdict.
    pub verdict: PaVerdict,
    /// DG1 equals the printed MRZ: `Some(false)` when it differs.
    pub dg1_matches_printed_mrz: Option<bool>,
    /// The failed checks, `name: reason`.
    pub failed: Vec<String>,
    /// The document signer's subject, when found.
    pub signer: Option<String>,
}

/// Everything the rules read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The server's date (UTC) when deciding.
    pub today: CalendarDate,
    /// Gate.
    pub gate_id: String,
    /// Port.
    pub port: String,
    /// Direction.
    pub direction: Direction,
    /// The MRZ, parsed; `None` when it did not parse.
    pub document: Option<DocumentFacts>,
    /// Why the MRZ did not parse.
    pub mrz_error: Option<String>,
    /// Passive authentication, when chip files were sent.
    pub passive_authentication: Option<PaSummary>,
    /// The gate's chip checks.
    pub chip_check: ChipCheck,
    /// The biometric comparison.
    pub biometric: Option<BiometricResult>,
    /// The lost/stolen record for this document, if any.
    pub lost_stolen: Option<LostStolenRecord>,
    /// Watchlist hits (at the configured thresholds).
    pub watchlist_hits: Vec<Hit>,
    /// Enrolment, visa, stay.
    pub traveller: TravellerFacts,
}

/// A rule's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleId {
    /// The MRZ reads and its check digits hold; the document type is accepted.
    DocumentReadable,
    /// Passive authentication (and DG1 = printed MRZ).
    DocumentAuthentic,
    /// The chip is not a clone (active authentication).
    ChipGenuine,
    /// Not expired.
    DocumentNotExpired,
    /// Not on the lost/stolen list.
    DocumentNotLostOrStolen,
    /// National of a listed state, or enrolled (and old enough).
    TravellerEligible,
    /// 1:1 biometric score above threshold.
    BiometricMatch,
    /// No watchlist hit.
    WatchlistClear,
    /// On exit: no overstay. On entry: visa or visa waiver.
    StayRules,
}

/// Why a traveller is referred (stable, machine-readable codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonCode {
    /// The MRZ did not parse.
    MrzUnreadable,
    /// An MRZ check digit is wrong.
    MrzCheckDigit,
    /// Not a document type gates accept.
    DocumentTypeNotAccepted,
    /// No chip files.
    ChipNotRead,
    /// Passive authentication failed: chip data altered or forged.
    ChipDataInvalid,
    /// The chip's data differs from the printed MRZ.
    ChipMrzMismatch,
    /// The signer does not chain to a trusted CSCA.
    ChipNotAnchored,
    /// Passive authentication could not be completed.
    ChipCheckIncomplete,
    /// Active authentication failed: a cloned chip.
    ChipCloneSuspected,
    /// Active authentication required but not made or not supported.
    ActiveAuthenticationMissing,
    /// Expired.
    DocumentExpired,
    /// Expiry date unreadable.
    ExpiryUnknown,
    /// On the lost/stolen list.
    DocumentLostOrStolen,
    /// Neither a self-service national nor enrolled.
    NotEnrolled,
    /// Enrolled, but the enrolment is not in force.
    EnrolmentNotActive,
    /// Enrolled, but with another document.
    EnrolmentForOtherDocument,
    /// Too young for the gate (or birth date unknown).
    UnderMinimumAge,
    /// No biometric result.
    BiometricMissing,
    /// The biometric result's signature was not verified.
    BiometricUnsigned,
    /// An algorithm the configuration does not accept.
    BiometricAlgorithmNotAccepted,
    /// The gate used a threshold below the configured minimum.
    BiometricThresholdTooLow,
    /// Score below threshold.
    BiometricBelowThreshold,
    /// A watchlist hit.
    WatchlistHit,
    /// On exit: stayed beyond the permitted date.
    Overstay,
    /// On entry: neither a valid visa nor a visa waiver.
    NoVisa,
}

/// A reason to refer, with the rule and details for the officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Code.
    pub code: ReasonCode,
    /// Rule that gave it.
    pub rule: RuleId,
    /// Words for the officer.
    pub detail: String,
}

/// A rule's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleOutcome {
    /// Rule.
    pub rule: RuleId,
    /// Passed?
    pub passed: bool,
    /// Reasons to refer (empty when passed).
    pub reasons: Vec<Reason>,
    /// What the rule saw, in words.
    pub note: String,
}

/// The answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    /// Open the gate.
    Open,
    /// Send the traveller to an officer.
    Refer,
}

/// Digests of what the gate sent (SHA-256, hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputDigests {
    /// The whole request, as canonical JSON.
    pub request: String,
    /// The MRZ text.
    pub mrz: String,
    /// EF.SOD.
    pub sod: Option<String>,
    /// Each data group.
    pub data_groups: BTreeMap<u8, String>,
    /// The biometric result, as canonical JSON.
    pub biometric: Option<String>,
    /// The traveller facts looked up, as canonical JSON.
    pub traveller: String,
}

/// Everything needed to explain and replay a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// [`RECORD_FORMAT`].
    pub format: u32,
    /// The configuration's version.
    pub config_version: String,
    /// The configuration itself.
    pub config: GateConfig,
    /// Input digests.
    pub inputs: InputDigests,
    /// What the rules read.
    pub evidence: Evidence,
    /// SHA-256 of the evidence as canonical JSON.
    pub evidence_digest: String,
    /// Every rule, in order.
    pub rules: Vec<RuleOutcome>,
    /// The answer.
    pub outcome: Outcome,
    /// All reasons (empty when OPEN).
    pub reasons: Vec<Reason>,
}

/// A decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// OPEN or REFER.
    pub outcome: Outcome,
    /// Why REFER.
    pub reasons: Vec<Reason>,
    /// The full record.
    pub record: DecisionRecord,
}

/// A record that cannot be replayed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReplayError {
    /// Unknown record format.
    #[error("record format {0} is not supported")]
    Format(u32),
    /// The evidence is not what the record's digest says.
    #[error("the evidence does not match its digest")]
    EvidenceDigest,
}

fn json_digest<T: Serialize>(v: &T) -> String {
    sha256_hex(&serde_json::to_vec(v).unwrap_or_default())
}

impl DecisionRecord {
    /// Was this record made from `request` and `traveller`?
    pub fn verify_inputs(&self, request: &GateRequest, traveller: &TravellerFacts) -> bool {
        self.inputs == digests(request, traveller)
    }
}

fn digests(request: &GateRequest, traveller: &TravellerFacts) -> InputDigests {
    InputDigests {
        request: json_digest(request),
        mrz: sha256_hex(request.mrz.as_bytes()),
        sod: request.chip.as_ref().map(|c| sha256_hex(&c.sod)),
        data_groups: request
            .chip
            .as_ref()
            .map(|c| {
                c.data_groups
                    .iter()
                    .map(|(k, v)| (*k, sha256_hex(v)))
                    .collect()
            })
            .unwrap_or_default(),
        biometric: request.biometric.as_ref().map(json_digest),
        traveller: json_digest(traveller),
    }
}

/// Passive authentication's report as the record keeps it (also used at the enrolment desk).
pub fn summarize_pa(report: &dasan_mrtd::PassiveAuthReport) -> PaSummary {
    let verdict = match report.verdict {
        Verdict::Valid => PaVerdict::Valid,
        Verdict::SignatureAndHashesValidChainNotAnchored => PaVerdict::NotAnchored,
        Verdict::Invalid => PaVerdict::Invalid,
        Verdict::Incomplete => PaVerdict::Incomplete,
    };
    let mut failed = Vec::new();
    let mut check = |name: &str, r: &CheckResult| {
        if let CheckResult::Failed(m) = r {
            failed.push(format!("{name}: {m}"));
        }
    };
    check("sod", &report.sod);
    check("signed_attributes", &report.signed_attributes);
    check("signature", &report.signature);
    for dg in &report.data_groups {
        check(&format!("dg{}", dg.number), &dg.result);
    }
    check("dg1_matches_printed_mrz", &report.dg1_matches_printed_mrz);
    check("signer_validity", &report.signer_validity);
    check("signer_key_usage", &report.signer_key_usage);
    check("chain", &report.chain);
    check("csca", &report.csca);
    check("revocation", &report.revocation);
    check("country", &report.country);
    PaSummary {
        verdict,
        dg1_matches_printed_mrz: match &report.dg1_matches_printed_mrz {
            CheckResult::Passed => Some(true),
            CheckResult::Failed(_) => Some(false),
            CheckResult::NotCheckable(_) => None,
        },
        failed,
        signer: report.signer.as_ref().map(|s| s.subject.clone()),
    }
}

/// Step 1: everything the rules will read.
pub fn gather(request: &GateRequest, ctx: &Context<'_>) -> Evidence {
    let today = CalendarDate::from_unix_micros(ctx.now_unix_micros).unwrap_or(CalendarDate {
        year: 1970,
        month: 1,
        day: 1,
    });
    let reference = dasan_mrtd::Date::new(today.year, today.month, today.day)
        .or_else(|| dasan_mrtd::Date::new(2000, 1, 1));
    let parsed = reference.map(|r| dasan_mrtd::Mrz::parse(request.mrz.trim(), r));
    let (mrz, mrz_error) = match parsed {
        Some(Ok(m)) => (Some(m), None),
        Some(Err(e)) => (None, Some(e.to_string())),
        None => (None, Some("no reference date".into())),
    };
    let document = mrz.as_ref().map(|m| DocumentFacts {
        document_code: m.document_code.clone(),
        issuer: m.issuer.clone(),
        number: m.document_number.clone(),
        nationality: m.nationality.clone(),
        surname: m.primary_identifier.clone(),
        given_names: m.secondary_identifier.clone(),
        birth_date: m.birth_date.date.map(CalendarDate::from),
        expiry_date: m.expiry_date.date.map(CalendarDate::from),
        check_digits_valid: m.check_digits.all_valid(),
    });
    let passive_authentication = request.chip.as_ref().map(|chip| {
        let at = SystemTime::UNIX_EPOCH
            + Duration::from_micros(u64::try_from(ctx.now_unix_micros).unwrap_or(0));
        let input = PassiveAuthInput {
            sod: &chip.sod,
            data_groups: &chip.data_groups,
            ef_com: None,
            printed_mrz: mrz.as_ref(),
        };
        summarize_pa(&dasan_mrtd::passive_authentication(&input, ctx.trust, at))
    });
    let lost_stolen = document
        .as_ref()
        .and_then(|d| ctx.lost_stolen.lookup(&d.issuer, &d.number).cloned());
    let watchlist_hits = document
        .as_ref()
        .map(|d| {
            let query = ScreeningQuery {
                name: format!("{} {}", d.surname, d.given_names),
                birth_date: d.birth_date,
                nationality: Some(d.nationality.clone()),
            };
            ctx.watchlist.screen(&query, &ctx.config.screening)
        })
        .unwrap_or_default();
    Evidence {
        today,
        gate_id: request.gate_id.clone(),
        port: request.port.clone(),
        direction: request.direction,
        document,
        mrz_error,
        passive_authentication,
        chip_check: request.chip_check,
        biometric: request.biometric.clone(),
        lost_stolen,
        watchlist_hits,
        traveller: ctx.traveller.clone(),
    }
}

/// Builds rule outcomes.
struct Rule {
    id: RuleId,
    reasons: Vec<Reason>,
    note: String,
}

impl Rule {
    fn new(id: RuleId) -> Self {
        Rule {
            id,
            reasons: Vec::new(),
            note: String::new(),
        }
    }

    fn refer(mut self, code: ReasonCode, detail: impl Into<String>) -> Self {
        self.reasons.push(Reason {
            code,
            rule: self.id,
            detail: detail.into(),
        });
        self
    }

    fn note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    fn done(self) -> RuleOutcome {
        RuleOutcome {
            rule: self.id,
            passed: self.reasons.is_empty(),
            reasons: self.reasons,
            note: self.note,
        }
    }
}

/// The MRZ reads, its check digits hold, and the document type is accepted.
pub fn rule_document_readable(ev: &Evidence, cfg: &GateConfig) -> RuleOutcome {
    let r = Rule::new(RuleId::DocumentReadable);
    let Some(d) = &ev.document else {
        let why = ev.mrz_error.clone().unwrap_or_default();
        return r.refer(ReasonCode::MrzUnreadable, why).done();
    };
    let mut r = r.note(format!("{} {} {}", d.document_code, d.issuer, d.number));
    if !d.check_digits_valid {
        r = r.refer(ReasonCode::MrzCheckDigit, "an MRZ check digit is wrong");
    }
    if !cfg
        .document_code_prefixes
        .iter()
        .any(|p| d.document_code.starts_with(p.as_str()))
    {
        r = r.refer(
            ReasonCode::DocumentTypeNotAccepted,
            format!("document code {}", d.document_code),
        );
    }
    r.done()
}

/// Passive authentication: the chip's data is what the issuing state signed, the signer chains
/// to a trusted CSCA, and DG1 is the printed MRZ.
pub fn rule_document_authentic(ev: &Evidence, cfg: &GateConfig) -> RuleOutcome {
    let r = Rule::new(RuleId::DocumentAuthentic);
    let Some(pa) = &ev.passive_authentication else {
        return if cfg.require_chip {
            r.refer(ReasonCode::ChipNotRead, "no chip files were sent")
                .done()
        } else {
            r.note("no chip read; not required by configuration").done()
        };
    };
    let mut r = r.note(format!(
        "passive authentication {:?}; signer {}",
        pa.verdict,
        pa.signer.as_deref().unwrap_or("unknown")
    ));
    if pa.dg1_matches_printed_mrz == Some(false) {
        r = r.refer(
            ReasonCode::ChipMrzMismatch,
            "DG1 differs from the printed MRZ",
        );
    }
    match pa.verdict {
        PaVerdict::Valid => {}
        PaVerdict::NotAnchored if cfg.accept_unanchored_chain => {}
        PaVerdict::NotAnchored => {
            r = r.refer(
                ReasonCode::ChipNotAnchored,
                "the document signer does not chain to a trusted CSCA",
            );
        }
        PaVerdict::Invalid => {
            r = r.refer(ReasonCode::ChipDataInvalid, pa.failed.join("; "));
        }
        PaVerdict::Incomplete => {
            r = r.refer(
                ReasonCode::ChipCheckIncomplete,
                "a core check could not be made",
            );
        }
    }
    r.done()
}

/// The chip is genuine (active authentication, as checked by the gate).
pub fn rule_chip_genuine(ev: &Evidence, cfg: &GateConfig) -> RuleOutcome {
    let r =
        Rule::new(RuleId::ChipGenuine).note(format!("{:?}", ev.chip_check.active_authentication));
    match ev.chip_check.active_authentication {
        ChipCheckOutcome::Passed => r.done(),
        ChipCheckOutcome::Failed => r
            .refer(
                ReasonCode::ChipCloneSuspected,
                "active authentication failed",
            )
            .done(),
        ChipCheckOutcome::NotSupported | ChipCheckOutcome::NotPerformed
            if cfg.require_active_authentication =>
        {
            r.refer(
                ReasonCode::ActiveAuthenticationMissing,
                "active authentication is required",
            )
            .done()
        }
        ChipCheckOutcome::NotSupported | ChipCheckOutcome::NotPerformed => r.done(),
    }
}

/// The document has not expired (it is valid through its expiry date).
pub fn rule_document_not_expired(ev: &Evidence, _cfg: &GateConfig) -> RuleOutcome {
    let r = Rule::new(RuleId::DocumentNotExpired);
    let Some(d) = &ev.document else {
        return r.refer(ReasonCode::ExpiryUnknown, "no MRZ").done();
    };
    match d.expiry_date {
        None => r
            .refer(ReasonCode::ExpiryUnknown, "the expiry date is not a date")
            .done(),
        Some(exp) if exp < ev.today => r
            .refer(ReasonCode::DocumentExpired, format!("expired on {exp}"))
            .done(),
        Some(exp) => r.note(format!("valid until {exp}")).done(),
    }
}

/// The document is not on the lost/stolen list.
pub fn rule_document_not_lost_or_stolen(ev: &Evidence, _cfg: &GateConfig) -> RuleOutcome {
    let r = Rule::new(RuleId::DocumentNotLostOrStolen);
    match &ev.lost_stolen {
        Some(rec) => r
            .refer(
                ReasonCode::DocumentLostOrStolen,
                format!(
                    "{} {} reported {} ({})",
                    rec.issuing_state, rec.document_number, rec.reported_on, rec.reference
                ),
            )
            .done(),
        None => r.done(),
    }
}

/// A national of a self-service state, or enrolled with this document; old enough.
pub fn rule_traveller_eligible(ev: &Evidence, cfg: &GateConfig) -> RuleOutcome {
    let r = Rule::new(RuleId::TravellerEligible);
    let Some(d) = &ev.document else {
        return r.refer(ReasonCode::NotEnrolled, "no MRZ").done();
    };
    let mut r = match d.birth_date.map(|b| b.age_on(ev.today)) {
        Some(age) if age >= i32::from(cfg.minimum_age) => r,
        Some(age) => r.refer(
            ReasonCode::UnderMinimumAge,
            format!("age {age}, minimum {}", cfg.minimum_age),
        ),
        None => r.refer(ReasonCode::UnderMinimumAge, "birth date unknown"),
    };
    if cfg.self_service_nationalities.contains(&d.nationality) {
        return r.note(format!("national of {}", d.nationality)).done();
    }
    match &ev.traveller.enrolment {
        None => {
            r = r.refer(
                ReasonCode::NotEnrolled,
                format!("{} national, not enrolled", d.nationality),
            )
        }
        Some(e) if e.issuing_state != d.issuer || e.document_number != d.number => {
            r = r.refer(
                ReasonCode::EnrolmentForOtherDocument,
                format!(
                    "enrolment {} is for {} {}",
                    e.id, e.issuing_state, e.document_number
                ),
            );
        }
        Some(e) if e.status != EnrolmentStatus::Active || e.valid_until < ev.today => {
            r = r.refer(
                ReasonCode::EnrolmentNotActive,
                format!("enrolment {} {:?} until {}", e.id, e.status, e.valid_until),
            );
        }
        Some(e) => r = r.note(format!("enrolled ({})", e.id)),
    }
    r.done()
}

/// The 1:1 biometric comparison, signed by the gate, scored at or above a threshold no lower
/// than the configured minimum for its algorithm.
pub fn rule_biometric_match(ev: &Evidence, cfg: &GateConfig) -> RuleOutcome {
    let r = Rule::new(RuleId::BiometricMatch);
    let Some(b) = &ev.biometric else {
        return r
            .refer(ReasonCode::BiometricMissing, "no biometric result")
            .done();
    };
    let mut r = r.note(format!(
        "{:?} {} score {} threshold {}",
        b.modality, b.algorithm, b.score, b.threshold
    ));
    if !b.signature_verified {
        r = r.refer(
            ReasonCode::BiometricUnsigned,
            "the gate's signature was not verified",
        );
    }
    match cfg.biometric_min_threshold.get(&b.algorithm) {
        None => {
            r = r.refer(
                ReasonCode::BiometricAlgorithmNotAccepted,
                format!("algorithm {}", b.algorithm),
            );
        }
        Some(min) if b.threshold < *min => {
            r = r.refer(
                ReasonCode::BiometricThresholdTooLow,
                format!("threshold {} below the minimum {min}", b.threshold),
            );
        }
        Some(_) => {}
    }
    if b.score < b.threshold {
        r = r.refer(
            ReasonCode::BiometricBelowThreshold,
            format!("score {} below {}", b.score, b.threshold),
        );
    }
    r.done()
}

/// No watchlist hit at the configured thresholds.
pub fn rule_watchlist_clear(ev: &Evidence, _cfg: &GateConfig) -> RuleOutcome {
    let mut r =
        Rule::new(RuleId::WatchlistClear).note(format!("{} hit(s)", ev.watchlist_hits.len()));
    for h in &ev.watchlist_hits {
        r = r.refer(
            ReasonCode::WatchlistHit,
            format!(
                "{} {} ({}) matched as {:?}: score {}, name {}, birth date {:?}, nationality {:?}",
                h.reference,
                h.primary_name,
                h.entry_id,
                h.matched_name,
                h.score,
                h.name_score,
                h.birth_date,
                h.nationality
            ),
        );
    }
    r.done()
}

/// On exit: no overstay. On entry: nationals and visa-waiver nationals pass; others need a
/// visa valid today.
pub fn rule_stay(ev: &Evidence, cfg: &GateConfig) -> RuleOutcome {
    let r = Rule::new(RuleId::StayRules);
    let Some(d) = &ev.document else {
        return r.refer(ReasonCode::NoVisa, "no MRZ").done();
    };
    let national = cfg
        .self_service_nationalities
        .first()
        .is_some_and(|home| *home == d.nationality);
    match ev.direction {
        Direction::Exit => match &ev.traveller.stay {
            Some(s) if s.permitted_until < ev.today => {
                let days = ev.today.days_since_epoch() - s.permitted_until.days_since_epoch();
                r.refer(
                    ReasonCode::Overstay,
                    format!(
                        "entered {}, permitted until {}, {days} day(s) over",
                        s.entered_on, s.permitted_until
                    ),
                )
                .done()
            }
            Some(s) => r
                .note(format!("permitted until {}", s.permitted_until))
                .done(),
            None => r.note("no open stay").done(),
        },
        Direction::Entry if national => r.note("national").done(),
        Direction::Entry => {
            if let Some(days) = cfg.visa.waiver_days.get(&d.nationality) {
                return r.note(format!("visa waiver, {days} days")).done();
            }
            match &ev.traveller.visa {
                Some(v) if v.valid_from <= ev.today && ev.today <= v.valid_until => {
                    r.note(format!("visa {} {}", v.category, v.number)).done()
                }
                Some(v) => r
                    .refer(
                        ReasonCode::NoVisa,
                        format!(
                            "visa {} valid {} to {}",
                            v.number, v.valid_from, v.valid_until
                        ),
                    )
                    .done(),
                None => r
                    .refer(
                        ReasonCode::NoVisa,
                        format!("{} national without visa or waiver", d.nationality),
                    )
                    .done(),
            }
        }
    }
}

/// A rule: a pure function of the evidence and the configuration.
pub type RuleFn = fn(&Evidence, &GateConfig) -> RuleOutcome;

/// The rules, in the order they are evaluated and recorded.
pub const RULES: &[(RuleId, RuleFn)] = &[
    (RuleId::DocumentReadable, rule_document_readable),
    (RuleId::DocumentAuthentic, rule_document_authentic),
    (RuleId::ChipGenuine, rule_chip_genuine),
    (RuleId::DocumentNotExpired, rule_document_not_expired),
    (
        RuleId::DocumentNotLostOrStolen,
        rule_document_not_lost_or_stolen,
    ),
    (RuleId::TravellerEligible, rule_traveller_eligible),
    (RuleId::BiometricMatch, rule_biometric_match),
    (RuleId::WatchlistClear, rule_watchlist_clear),
    (RuleId::StayRules, rule_stay),
];

/// Step 2: every rule on the evidence (all of them, so the record explains everything);
/// OPEN only when all pass.
pub fn evaluate(ev: &Evidence, cfg: &GateConfig) -> (Outcome, Vec<Reason>, Vec<RuleOutcome>) {
    let rules: Vec<RuleOutcome> = RULES.iter().map(|(_, f)| f(ev, cfg)).collect();
    let reasons: Vec<Reason> = rules.iter().flat_map(|r| r.reasons.clone()).collect();
    let outcome = if reasons.is_empty() {
        Outcome::Open
    } else {
        Outcome::Refer
    };
    (outcome, reasons, rules)
}

fn finish(config: &GateConfig, inputs: InputDigests, evidence: Evidence) -> Decision {
    let (outcome, reasons, rules) = evaluate(&evidence, config);
    let record = DecisionRecord {
        format: RECORD_FORMAT,
        config_version: config.version.clone(),
        config: config.clone(),
        inputs,
        evidence_digest: json_digest(&evidence),
        evidence,
        rules,
        outcome,
        reasons: reasons.clone(),
    };
    Decision {
        outcome,
        reasons,
        record,
    }
}

/// Decides for one traveller at a gate.
pub fn decide(request: &GateRequest, ctx: &Context<'_>) -> Decision {
    let evidence = gather(request, ctx);
    finish(ctx.config, digests(request, ctx.traveller), evidence)
}

/// Runs the rules again on a record's evidence and configuration: the same decision, or an
/// error when the record is not self-consistent.
pub fn replay(record: &DecisionRecord) -> Result<Decision, ReplayError> {
    if record.format != RECORD_FORMAT {
        return Err(ReplayError::Format(record.format));
    }
    if json_digest(&record.evidence) != record.evidence_digest {
        return Err(ReplayError::EvidenceDigest);
    }
    Ok(finish(
        &record.config,
        record.inputs.clone(),
        record.evidence.clone(),
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert_eq!(unhex("000fff"), Some(vec![0, 15, 255]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("é0"), None);
    }

    #[test]
    fn config_from_toml() {
        let c: GateConfig = toml::from_str(
            r#"
            version = "2026-11-a"
            self_service_nationalities = ["KOR"]
            minimum_age = 17
            [biometric_min_threshold]
            "vendor-face-5" = 4200
            [screening]
            hit_threshold = 0.9
            [visa.waiver_days]
            USA = 90
            "#,
        )
        .unwrap();
        assert_eq!(c.version, "2026-11-a");
        assert_eq!(c.minimum_age, 17);
        assert_eq!(c.screening.hit_threshold, 0.9);
        assert_eq!(c.biometric_min_threshold["vendor-face-5"], 4200);
        assert!(c.require_chip);
    }
}
