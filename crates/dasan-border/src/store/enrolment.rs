//! Traveller enrolment for automated gates: online pre-registration (passport MRZ, contact,
//! consent), then a desk step (the chip read and passively authenticated, biometric template
//! references sealed). Valid until the passport expires or a set number of years, whichever
//! comes first. Nationals of self-service states do not enrol.

use super::seal::aad;
use super::{Border, BorderError, db_err};
use crate::gate::{
    ChipCheckOutcome, ChipFiles, Enrolment, EnrolmentStatus, Modality, PaSummary, PaVerdict,
    summarize_pa,
};
use crate::lost_stolen::canonical_number;
use crate::types::CalendarDate;
use dasan_kernel::{Actor, Timestamp};
use dasan_mrtd::Mrz;
use dasan_mrtd::pa::PassiveAuthInput;
use dasan_store::{StoreError, on_reader, on_tx};
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime};
use zeroize::Zeroizing;

/// The desk's queue: enrolments in one state, oldest first (index `border_enrolments_status`).
pub(crate) const ENROLMENTS_BY_STATE: &str = "SELECT id FROM border_enrolments WHERE status = $1 \
                 ORDER BY created_at, id LIMIT 200";

/// Largest biometric reference accepted (a reference or handle, not raw images).
const MAX_REFERENCE: usize = 64 * 1024;

/// Who may enrol and for how long (configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnrolmentRules {
    /// Nationalities that may enrol; empty means every nationality that is not self-service.
    pub eligible_nationalities: Vec<String>,
    /// Minimum age on the day of pre-registration.
    pub minimum_age: u8,
    /// An enrolment ends after this many years, or when the passport expires if sooner.
    pub validity_years: u8,
    /// The consent text in force (travellers agree to this version).
    pub consent_version: String,
}

impl Default for EnrolmentRules {
    fn default() -> Self {
        Self {
            eligible_nationalities: Vec::new(),
            minimum_age: 17,
            validity_years: 5,
            consent_version: "ses-consent-1".into(),
        }
    }
}

/// Online pre-registration.
#[derive(Debug, Clone)]
pub struct PreRegistration {
    /// The passport's MRZ (lines separated by newlines).
    pub mrz: String,
    /// E-mail or phone, for the desk appointment.
    pub contact: String,
    /// The consent text version the traveller agreed to.
    pub consent_version: String,
    /// The traveller ticked the consent box.
    pub consent_given: bool,
}

/// One biometric template reference for the matcher.
#[derive(Clone)]
pub struct BiometricReference {
    /// Face or fingerprint.
    pub modality: Modality,
    /// The matcher that understands the reference (`vendor-face-5.2`).
    pub matcher: String,
    /// The reference (a template handle or template bytes), sealed before storing.
    pub reference: Vec<u8>,
}

impl std::fmt::Debug for BiometricReference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BiometricReference")
            .field("modality", &self.modality)
            .field("matcher", &self.matcher)
            .finish_non_exhaustive()
    }
}

/// What the desk captures.
#[derive(Debug, Clone)]
pub struct DeskCapture {
    /// The chip's EF.SOD and data groups (at least DG1).
    pub chip: ChipFiles,
    /// The desk reader's active authentication.
    pub active_authentication: ChipCheckOutcome,
    /// At least one reference; one per modality.
    pub biometrics: Vec<BiometricReference>,
}

/// State of an enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentState {
    /// Pre-registered online; the desk step is pending.
    Pending,
    /// In force.
    Active,
    /// Suspended by an officer.
    Suspended,
    /// Withdrawn (by the traveller or an officer).
    Revoked,
}

impl EnrolmentState {
    fn as_str(self) -> &'static str {
        match self {
            EnrolmentState::Pending => "pending",
            EnrolmentState::Active => "active",
            EnrolmentState::Suspended => "suspended",
            EnrolmentState::Revoked => "revoked",
        }
    }

    fn parse(s: &str) -> Result<Self, BorderError> {
        Ok(match s {
            "pending" => EnrolmentState::Pending,
            "active" => EnrolmentState::Active,
            "suspended" => EnrolmentState::Suspended,
            "revoked" => EnrolmentState::Revoked,
            other => return Err(BorderError::corrupt(format!("enrolment status {other:?}"))),
        })
    }
}

/// An enrolment as stored (without the sealed references).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnrolmentRecord {
    /// Id.
    pub id: String,
    /// State.
    pub state: EnrolmentState,
    /// Passport issuing state.
    pub issuing_state: String,
    /// Passport number.
    pub document_number: String,
    /// Nationality.
    pub nationality: String,
    /// Surname.
    pub surname: String,
    /// Given names.
    pub given_names: String,
    /// Birth date.
    pub birth_date: CalendarDate,
    /// Passport expiry.
    pub document_expiry: CalendarDate,
    /// Contact.
    pub contact: String,
    /// Consent text agreed to.
    pub consent_version: String,
    /// When.
    pub consent_at: Timestamp,
    /// Passive authentication at the desk.
    pub passive_authentication: Option<PaSummary>,
    /// Last day of validity (set at the desk).
    pub valid_until: Option<CalendarDate>,
    /// Pre-registered at.
    pub created_at: Timestamp,
    /// Desk step done at.
    pub completed_at: Option<Timestamp>,
    /// Why suspended or revoked.
    pub status_reason: Option<String>,
    /// Modalities and matchers of the stored references.
    pub biometrics: Vec<(Modality, String)>,
    /// Optimistic concurrency.
    pub version: i64,
}

const COLUMNS: &str = "id, status, issuing_state, document_number, nationality, surname, given_names, \
    birth_date, document_expiry, contact, consent_version, consent_at, pa_detail, valid_until, \
    created_at, completed_at, status_reason, version";

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    status: String,
    issuing_state: String,
    document_number: String,
    nationality: String,
    surname: String,
    given_names: String,
    birth_date: String,
    document_expiry: String,
    contact: String,
    consent_version: String,
    consent_at: i64,
    pa_detail: Option<String>,
    valid_until: Option<String>,
    created_at: i64,
    completed_at: Option<i64>,
    status_reason: Option<String>,
    version: i64,
}

/// A date column as stored (`YYYY-MM-DD`); anything else is a corrupt row.
pub(crate) fn date(s: &str) -> Result<CalendarDate, BorderError> {
    CalendarDate::parse(s).ok_or_else(|| BorderError::corrupt(format!("date {s:?}")))
}

fn modality_str(m: Modality) -> &'static str {
    match m {
        Modality::Face => "face",
        Modality::Fingerprint => "fingerprint",
    }
}

fn parse_modality(s: &str) -> Result<Modality, BorderError> {
    match s {
        "face" => Ok(Modality::Face),
        "fingerprint" => Ok(Modality::Fingerprint),
        other => Err(BorderError::corrupt(format!("modality {other:?}"))),
    }
}

/// `date` plus whole years (29 February becomes 28 February).
fn add_years(d: CalendarDate, years: u8) -> CalendarDate {
    let year = d.year.saturating_add(u16::from(years));
    CalendarDate::new(year, d.month, d.day)
        .or_else(|| CalendarDate::new(year, d.month, 28))
        .unwrap_or(d)
}

pub(crate) fn today(now: Timestamp) -> CalendarDate {
    CalendarDate::from_unix_micros(now.as_micros()).unwrap_or(CalendarDate {
        year: 1970,
        month: 1,
        day: 1,
    })
}

/// Parses an MRZ against `today`'s century rule.
pub(crate) fn parse_mrz(text: &str, today: CalendarDate) -> Result<Mrz, BorderError> {
    let reference = dasan_mrtd::Date::new(today.year, today.month, today.day)
        .ok_or_else(|| BorderError::corrupt("clock outside the calendar"))?;
    Mrz::parse(text.trim(), reference).map_err(|_| BorderError::invalid("mrz", "border-error-mrz"))
}

impl Border {
    /// Online pre-registration: checks the passport's MRZ and the eligibility rules, records
    /// consent. The desk step ([`Border::complete_enrolment`]) follows.
    pub async fn pre_register(
        &self,
        actor: Actor,
        pre: PreRegistration,
    ) -> Result<EnrolmentRecord, BorderError> {
        let rules = &self.config.enrolment;
        let gate = &self.config.gate;
        if !pre.consent_given {
            return Err(BorderError::invalid(
                "consent",
                "border-error-consent-required",
            ));
        }
        if pre.consent_version != rules.consent_version {
            return Err(BorderError::invalid(
                "consent",
                "border-error-consent-outdated",
            ));
        }
        let contact = pre.contact.trim();
        if contact.is_empty() || contact.len() > 200 || contact.chars().any(char::is_control) {
            return Err(BorderError::invalid("contact", "border-error-contact"));
        }
        let now = self.now();
        let today = today(now);
        let mrz = parse_mrz(&pre.mrz, today)?;
        if !mrz.check_digits.all_valid() {
            return Err(BorderError::invalid("mrz", "border-error-mrz-check-digit"));
        }
        if !gate
            .document_code_prefixes
            .iter()
            .any(|p| mrz.document_code.starts_with(p.as_str()))
        {
            return Err(BorderError::NotEligible("document-type"));
        }
        if gate.self_service_nationalities.contains(&mrz.nationality) {
            return Err(BorderError::EnrolmentNotRequired(mrz.nationality));
        }
        if !rules.eligible_nationalities.is_empty()
            && !rules.eligible_nationalities.contains(&mrz.nationality)
        {
            return Err(BorderError::NotEligible("nationality"));
        }
        let (Some(birth), Some(expiry)) = (mrz.birth_date.date, mrz.expiry_date.date) else {
            return Err(BorderError::invalid("mrz", "border-error-mrz-dates"));
        };
        let (birth, expiry) = (CalendarDate::from(birth), CalendarDate::from(expiry));
        if birth.age_on(today) < i32::from(rules.minimum_age) {
            return Err(BorderError::NotEligible("age"));
        }
        if expiry < today {
            return Err(BorderError::NotEligible("document-expired"));
        }
        let number = canonical_number(&mrz.document_number)
            .ok_or_else(|| BorderError::invalid("mrz", "border-error-mrz"))?;
        let id = uuid::Uuid::now_v7().to_string();
        let mut tx = self.db.begin(actor).await?;
        let at = tx.now().as_micros();
        let inserted = on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO border_enrolments (id, status, issuing_state, document_number, nationality, surname, \
             given_names, birth_date, document_expiry, mrz, contact, consent_version, consent_at, created_at, \
             updated_at, version) VALUES ($1, 'pending', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $12, 1)"
        )
        .bind(&id)
        .bind(&mrz.issuer)
        .bind(&number)
        .bind(&mrz.nationality)
        .bind(&mrz.primary_identifier)
        .bind(&mrz.secondary_identifier)
        .bind(birth.to_string())
        .bind(expiry.to_string())
        .bind(pre.mrz.trim())
        .bind(contact)
        .bind(&pre.consent_version)
        .bind(at)
        .execute(c)
        .await
        .map(drop)
        });
        match inserted.map_err(StoreError::from_sqlx) {
            Ok(()) => {}
            Err(StoreError::Duplicate { .. }) => {
                return Err(BorderError::Transition {
                    what: "passport",
                    action: "pre-register",
                    status: "already enrolled".into(),
                });
            }
            Err(e) => return Err(e.into()),
        }
        tx.record(
            "border.enrolment.pre-register",
            format!("border-enrolment:{id}"),
            serde_json::json!({
                "issuing_state": mrz.issuer, "document_number": number,
                "nationality": mrz.nationality, "consent_version": pre.consent_version,
            }),
        );
        tx.commit().await?;
        self.enrolment(&id).await
    }

    /// The desk step: the chip is read and passively authenticated against the trust store
    /// (its DG1 must be the pre-registered MRZ), the biometric references are sealed, and the
    /// enrolment becomes active until the passport's expiry or the configured years.
    pub async fn complete_enrolment(
        &self,
        officer: Actor,
        id: &str,
        capture: DeskCapture,
    ) -> Result<EnrolmentRecord, BorderError> {
        let current = self.enrolment(id).await?;
        if current.state != EnrolmentState::Pending {
            return Err(BorderError::Transition {
                what: "enrolment",
                action: "complete",
                status: current.state.as_str().into(),
            });
        }
        if capture.biometrics.is_empty() {
            return Err(BorderError::invalid(
                "biometrics",
                "border-error-biometric-required",
            ));
        }
        for (i, b) in capture.biometrics.iter().enumerate() {
            let field = format!("biometrics[{i}]");
            if b.matcher.trim().is_empty() || b.matcher.len() > 100 {
                return Err(BorderError::invalid(&field, "border-error-matcher"));
            }
            if b.reference.is_empty() || b.reference.len() > MAX_REFERENCE {
                return Err(BorderError::invalid(
                    &field,
                    "border-error-biometric-reference",
                ));
            }
            if capture.biometrics[..i]
                .iter()
                .any(|o| o.modality == b.modality)
            {
                return Err(BorderError::invalid(
                    &field,
                    "border-error-biometric-duplicate",
                ));
            }
        }
        if !capture.chip.data_groups.contains_key(&1) {
            return Err(BorderError::invalid("chip", "border-error-dg1-required"));
        }
        let now = self.now();
        let today = today(now);
        let mrz_text: (String,) = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT mrz FROM border_enrolments WHERE id = $1"
        )
        .bind(id)
        .fetch_one(p)
        .await)
        .map_err(db_err)?;
        let printed = parse_mrz(&mrz_text.0, today)?;
        let at = SystemTime::UNIX_EPOCH
            + Duration::from_micros(u64::try_from(now.as_micros()).unwrap_or(0));
        let report = dasan_mrtd::passive_authentication(
            &PassiveAuthInput {
                sod: &capture.chip.sod,
                data_groups: &capture.chip.data_groups,
                ef_com: None,
                printed_mrz: Some(&printed),
            },
            &self.trust,
            at,
        );
        let pa = summarize_pa(&report);
        let anchored = match pa.verdict {
            PaVerdict::Valid => true,
            PaVerdict::NotAnchored => self.config.gate.accept_unanchored_chain,
            PaVerdict::Invalid | PaVerdict::Incomplete => false,
        };
        if !anchored || pa.dg1_matches_printed_mrz != Some(true) {
            let why = if pa.dg1_matches_printed_mrz == Some(false) {
                "the chip's DG1 differs from the pre-registered passport".to_string()
            } else {
                format!(
                    "passive authentication {:?}: {}",
                    pa.verdict,
                    pa.failed.join("; ")
                )
            };
            return Err(BorderError::DocumentNotAuthentic(why));
        }
        if capture.active_authentication == ChipCheckOutcome::Failed {
            return Err(BorderError::DocumentNotAuthentic(
                "active authentication failed".into(),
            ));
        }
        let valid_until =
            add_years(today, self.config.enrolment.validity_years).min(current.document_expiry);
        let digest = |b: &[u8]| super::sha256_hex(b);
        let dg1 = capture.chip.data_groups.get(&1).map(|d| digest(d));
        let pa_json = serde_json::to_string(&pa).map_err(BorderError::corrupt)?;
        let aa = serde_json::to_value(capture.active_authentication)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let key = &self.config.biometric_key;
        let mut sealed = Vec::with_capacity(capture.biometrics.len());
        for b in &capture.biometrics {
            let modality = modality_str(b.modality);
            let (nonce, ct) = key.seal(&b.reference, &aad(id, modality, &b.matcher))?;
            sealed.push((modality, b.matcher.clone(), nonce, ct));
        }

        let mut tx = self.db.begin(officer).await?;
        let at = tx.now().as_micros();
        let n = on_tx!(tx, |c| sqlx::query(
            "UPDATE border_enrolments SET status = 'active', sod_sha256 = $2, dg1_sha256 = $3, \
             pa_verdict = $4, pa_detail = $5, aa_outcome = $6, valid_until = $7, completed_at = $8, \
             updated_at = $8, version = version + 1 WHERE id = $1 AND status = 'pending' AND version = $9"
        )
        .bind(id)
        .bind(digest(&capture.chip.sod))
        .bind(&dg1)
        .bind(format!("{:?}", pa.verdict).to_lowercase())
        .bind(&pa_json)
        .bind(&aa)
        .bind(valid_until.to_string())
        .bind(at)
        .bind(current.version)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(db_err)?;
        if n == 0 {
            return Err(BorderError::Stale);
        }
        for (modality, matcher, nonce, ct) in &sealed {
            on_tx!(tx, |c| sqlx::query(
                "INSERT INTO border_biometric_refs (enrolment_id, modality, matcher, key_id, nonce, ciphertext, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            )
            .bind(id)
            .bind(*modality)
            .bind(matcher)
            .bind(key.id())
            .bind(nonce.as_slice())
            .bind(ct)
            .bind(at)
            .execute(c)
            .await
            .map(drop))
            .map_err(db_err)?;
        }
        tx.record(
            "border.enrolment.complete",
            format!("border-enrolment:{id}"),
            serde_json::json!({
                "passive_authentication": pa.verdict, "signer": pa.signer,
                "active_authentication": aa, "valid_until": valid_until.to_string(),
                "biometrics": sealed.iter().map(|(m, matcher, _, _)| format!("{m}:{matcher}")).collect::<Vec<_>>(),
            }),
        );
        tx.commit().await?;
        self.enrolment(id).await
    }

    /// Suspends, reinstates (from suspended) or revokes an enrolment, with a reason.
    pub async fn set_enrolment_state(
        &self,
        officer: Actor,
        id: &str,
        to: EnrolmentState,
        reason: &str,
    ) -> Result<EnrolmentRecord, BorderError> {
        if reason.trim().is_empty() {
            return Err(BorderError::invalid(
                "reason",
                "border-error-reason-required",
            ));
        }
        let current = self.enrolment(id).await?;
        let allowed = matches!(
            (current.state, to),
            (EnrolmentState::Active, EnrolmentState::Suspended)
                | (EnrolmentState::Suspended, EnrolmentState::Active)
                | (
                    EnrolmentState::Pending | EnrolmentState::Active | EnrolmentState::Suspended,
                    EnrolmentState::Revoked
                )
        );
        if !allowed {
            return Err(BorderError::Transition {
                what: "enrolment",
                action: to.as_str(),
                status: current.state.as_str().into(),
            });
        }
        let mut tx = self.db.begin(officer).await?;
        let at = tx.now().as_micros();
        let n = on_tx!(tx, |c| sqlx::query(
            "UPDATE border_enrolments SET status = $2, status_reason = $3, updated_at = $4, \
             version = version + 1 WHERE id = $1 AND version = $5"
        )
        .bind(id)
        .bind(to.as_str())
        .bind(reason.trim())
        .bind(at)
        .bind(current.version)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(db_err)?;
        if n == 0 {
            return Err(BorderError::Stale);
        }
        tx.record(
            "border.enrolment.state",
            format!("border-enrolment:{id}"),
            serde_json::json!({ "from": current.state, "to": to, "reason": reason.trim() }),
        );
        tx.commit().await?;
        self.enrolment(id).await
    }

    /// Enrolments in `state`, oldest first (at most 200): the desk's queue of pending ones.
    pub async fn enrolments_in_state(
        &self,
        state: EnrolmentState,
    ) -> Result<Vec<EnrolmentRecord>, BorderError> {
        let ids: Vec<(String,)> = on_reader!(self.db, |p| sqlx::query_as(ENROLMENTS_BY_STATE)
            .bind(state.as_str())
            .fetch_all(p)
            .await)
        .map_err(db_err)?;
        let mut out = Vec::with_capacity(ids.len());
        for (id,) in ids {
            out.push(self.enrolment(&id).await?);
        }
        Ok(out)
    }

    /// An enrolment.
    pub async fn enrolment(&self, id: &str) -> Result<EnrolmentRecord, BorderError> {
        let sql = format!("SELECT {COLUMNS} FROM border_enrolments WHERE id = $1");
        let row: Option<Row> = on_reader!(self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.as_str()
        ))
        .bind(id)
        .fetch_optional(p)
        .await)
        .map_err(db_err)?;
        let row = row.ok_or(BorderError::NotFound)?;
        let refs: Vec<(String, String)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT modality, matcher FROM border_biometric_refs WHERE enrolment_id = $1 ORDER BY modality"
        )
        .bind(id)
        .fetch_all(p)
        .await)
        .map_err(db_err)?;
        let biometrics = refs
            .into_iter()
            .map(|(m, matcher)| Ok((parse_modality(&m)?, matcher)))
            .collect::<Result<Vec<_>, BorderError>>()?;
        Ok(EnrolmentRecord {
            state: EnrolmentState::parse(&row.status)?,
            birth_date: date(&row.birth_date)?,
            document_expiry: date(&row.document_expiry)?,
            passive_authentication: row
                .pa_detail
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(BorderError::corrupt)?,
            valid_until: row.valid_until.as_deref().map(date).transpose()?,
            id: row.id,
            issuing_state: row.issuing_state,
            document_number: row.document_number,
            nationality: row.nationality,
            surname: row.surname,
            given_names: row.given_names,
            contact: row.contact,
            consent_version: row.consent_version,
            consent_at: Timestamp::from_micros(row.consent_at),
            created_at: Timestamp::from_micros(row.created_at),
            completed_at: row.completed_at.map(Timestamp::from_micros),
            status_reason: row.status_reason,
            biometrics,
            version: row.version,
        })
    }

    /// Opens a sealed biometric reference for the matcher; the read is audited with its
    /// purpose.
    pub async fn biometric_reference(
        &self,
        actor: Actor,
        enrolment_id: &str,
        modality: Modality,
        purpose: &str,
    ) -> Result<Zeroizing<Vec<u8>>, BorderError> {
        if purpose.trim().is_empty() {
            return Err(BorderError::invalid(
                "purpose",
                "border-error-purpose-required",
            ));
        }
        let m = modality_str(modality);
        let row: Option<(String, String, Vec<u8>, Vec<u8>)> =
            on_reader!(self.db, |p| sqlx::query_as(
                "SELECT matcher, key_id, nonce, ciphertext FROM border_biometric_refs \
             WHERE enrolment_id = $1 AND modality = $2"
            )
            .bind(enrolment_id)
            .bind(m)
            .fetch_optional(p)
            .await)
            .map_err(db_err)?;
        let (matcher, key_id, nonce, ct) = row.ok_or(BorderError::NotFound)?;
        let key = &self.config.biometric_key;
        if key_id != key.id() {
            return Err(BorderError::Sealed);
        }
        let plain = key.open(&nonce, &ct, &aad(enrolment_id, m, &matcher))?;
        let mut tx = self.db.begin(actor).await?;
        tx.record_read(
            "border.enrolment.biometric-read",
            format!("border-enrolment:{enrolment_id}"),
            purpose.trim(),
            serde_json::json!({ "modality": m, "matcher": matcher }),
        );
        tx.commit().await?;
        Ok(plain)
    }
}

/// The gate's view of an enrolment from its stored columns (see
/// [`super::clearance::TRAVELLER_PROBE`]).
pub(crate) fn enrolment_from_row(
    id: String,
    issuing_state: String,
    document_number: String,
    valid_until: &str,
    status: &str,
) -> Result<Enrolment, BorderError> {
    Ok(Enrolment {
        id,
        issuing_state,
        document_number,
        valid_until: date(valid_until)?,
        status: match status {
            "active" => EnrolmentStatus::Active,
            "suspended" => EnrolmentStatus::Suspended,
            _ => EnrolmentStatus::Revoked,
        },
    })
}
