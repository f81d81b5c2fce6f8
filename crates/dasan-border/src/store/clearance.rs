//! Gate decisions through the database: a signed request from a registered gate is verified
//! (device key, timestamp, nonce), the traveller's facts are looked up (enrolment, visa, open
//! stay, lost/stolen — four index probes in one query), the pure [`decide`] runs with the
//! current screening snapshot, and one transaction stores the decision record, the nonce, the
//! referral (REFER) or the crossing and stay (OPEN), and the audit event with the record's
//! digest. [`Border::replay_decision`] runs the rules again from the stored record.

use super::enrolment::{date as stored_date, enrolment_from_row, parse_mrz, today};
use super::visas::visa_from_row;
use super::{Border, BorderError, RequestRefusal, db_err, sha256_hex};
use crate::gate::{
    Decision, DecisionRecord, Direction, DocumentFacts, GateConfig, GateRequest, Outcome, Reason,
    ReasonCode, Stay, TravellerFacts, Visa, decide, replay,
};
use crate::lost_stolen::{LostStolenList, canonical_number};
use crate::types::CalendarDate;
use crate::{Context, LostStolenRecord};
use dasan_kernel::{Actor, ActorKind, Timestamp};
use dasan_store::{StoreError, Tx, on_reader, on_tx};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// What the gate needs to know about a document, in one round trip: the newest completed
/// enrolment, the visa in force ending last, the open stay and the lost/stolen record. Each
/// part is an index probe (`border_enrolments_document_all`, `border_visas_document`, the
/// partial unique `border_stays_open`, the lost/stolen primary key); the constant row keeps
/// one result row when none matches. One query instead of four concurrent ones holds one
/// pooled connection per decision, not four.
pub(crate) const TRAVELLER_PROBE: &str = "SELECT e.id, e.valid_until, e.status, \
             v.number, v.category, v.valid_from, v.valid_until, v.stay_days, \
             s.entered_on, s.permitted_until, l.document_type, l.reported_on, l.reference \
             FROM (SELECT 1 AS one) AS probe \
             LEFT JOIN (SELECT id, valid_until, status FROM border_enrolments \
                 WHERE issuing_state = $1 AND document_number = $2 AND valid_until IS NOT NULL \
                 ORDER BY created_at DESC LIMIT 1) AS e ON TRUE \
             LEFT JOIN (SELECT number, category, valid_from, valid_until, stay_days FROM border_visas \
                 WHERE issuing_state = $1 AND document_number = $2 AND valid_from <= $3 \
                 ORDER BY valid_until DESC LIMIT 1) AS v ON TRUE \
             LEFT JOIN (SELECT entered_on, permitted_until FROM border_stays \
                 WHERE issuing_state = $1 AND document_number = $2 AND exited_on IS NULL) AS s ON TRUE \
             LEFT JOIN (SELECT document_type, reported_on, reference FROM border_lost_stolen \
                 WHERE issuing_state = $1 AND document_number = $2 \
                 ORDER BY list_key LIMIT 1) AS l ON TRUE";

/// A row of [`TRAVELLER_PROBE`]: enrolment (3), visa (5), stay (2), lost/stolen (3).
type TravellerRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Domain separation for gate signatures.
const SIGNING_CONTEXT: &[u8] = b"dasan-gate-request-v1\n";

/// Largest body accepted (MRZ, EF.SOD, DG1 and a biometric result fit in a few kilobytes; a gate
/// sends no images).
pub const MAX_GATE_BODY: usize = 256 * 1024;

/// The bytes a gate signs: a fixed context, its id, and the exact body it sends.
pub fn gate_signing_message(gate_id: &str, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNING_CONTEXT.len() + gate_id.len() + 1 + body.len());
    m.extend_from_slice(SIGNING_CONTEXT);
    m.extend_from_slice(gate_id.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(body);
    m
}

/// What a gate signs and sends as the body (JSON): the request, when it was made and a nonce
/// never used before by this gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateSubmission {
    /// The request. Its biometric result's `signature_verified` is set by the server (the
    /// whole body, biometric result included, is signed by the gate).
    pub request: GateRequest,
    /// The gate's clock, microseconds since the epoch.
    pub sent_at: i64,
    /// 16 to 128 characters of `[A-Za-z0-9_-]`, unique per gate.
    pub nonce: String,
}

/// A request as it arrives.
#[derive(Debug, Clone)]
pub struct SignedGateRequest {
    /// The gate that claims to have signed it.
    pub gate_id: String,
    /// The body, exactly as signed (JSON of a [`GateSubmission`]).
    pub body: Vec<u8>,
    /// The signature over [`gate_signing_message`] (Ed25519 raw 64 bytes, or ECDSA DER).
    pub signature: Vec<u8>,
}

/// How long each step took, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timings {
    /// Device look-up, signature, freshness.
    pub verify_us: u64,
    /// The traveller's facts from the database.
    pub lookup_us: u64,
    /// Passive authentication, screening and the rules.
    pub decide_us: u64,
    /// Everything before the record was written (the stored copy cannot include its own
    /// writing; [`GateOutcome::store_us`] is that).
    pub total_us: u64,
}

/// The answer to a gate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateOutcome {
    /// The stored decision.
    pub decision_id: String,
    /// OPEN or REFER.
    pub outcome: Outcome,
    /// Why REFER.
    pub reasons: Vec<Reason>,
    /// The referral opened (REFER).
    pub referral_id: Option<String>,
    /// The entry or exit recorded (OPEN).
    pub crossing_id: Option<String>,
    /// Timings up to the decision, as stored with it.
    pub timings: Timings,
    /// Writing the decision and everything with it, up to the commit.
    pub store_us: u64,
}

/// A decision as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredDecision {
    /// Id.
    pub id: String,
    /// Gate.
    pub gate_id: String,
    /// Port.
    pub port: String,
    /// OPEN or REFER.
    pub outcome: Outcome,
    /// The full record.
    pub record: DecisionRecord,
    /// SHA-256 of the stored record JSON (also in the audit event).
    pub record_sha256: String,
    /// Timings.
    pub timings: Timings,
    /// When.
    pub decided_at: Timestamp,
}

/// An entry or exit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crossing {
    /// Id.
    pub id: String,
    /// Entry or exit.
    pub direction: Direction,
    /// Port.
    pub port: String,
    /// `gate` or `officer`.
    pub via: String,
    /// When.
    pub crossed_at: Timestamp,
    /// The gate decision, when through a gate.
    pub decision_id: Option<String>,
    /// The referral, when admitted by an officer.
    pub referral_id: Option<String>,
}

fn micros(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

fn valid_nonce(n: &str) -> bool {
    (16..=128).contains(&n.len())
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(crate) fn direction_str(d: Direction) -> &'static str {
    match d {
        Direction::Entry => "entry",
        Direction::Exit => "exit",
    }
}

pub(crate) fn parse_direction(s: &str) -> Result<Direction, BorderError> {
    match s {
        "entry" => Ok(Direction::Entry),
        "exit" => Ok(Direction::Exit),
        other => Err(BorderError::corrupt(format!("direction {other:?}"))),
    }
}

fn codes_json(reasons: &[Reason]) -> String {
    let codes: Vec<ReasonCode> = reasons.iter().map(|r| r.code).collect();
    serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into())
}

/// What a stay on entry is based on, and until when.
pub(crate) fn stay_on_entry(
    config: &GateConfig,
    nationality: &str,
    visa: Option<&(Visa, u16)>,
    today: CalendarDate,
) -> Option<(CalendarDate, String)> {
    let home = config.self_service_nationalities.first();
    if home.is_some_and(|h| h == nationality) {
        return None;
    }
    let plus = |days: u16| {
        CalendarDate::from_days_since_epoch(today.days_since_epoch() + i64::from(days))
            .unwrap_or(today)
    };
    if let Some(days) = config.visa.waiver_days.get(nationality) {
        return Some((plus(*days), format!("waiver:{days}")));
    }
    match visa {
        Some((v, days)) if v.valid_from <= today && today <= v.valid_until => {
            Some((plus(*days), format!("visa:{}", v.number)))
        }
        _ => None,
    }
}

/// The traveller and document a crossing is about.
pub(crate) struct CrossingInput<'a> {
    pub document: &'a DocumentFacts,
    pub direction: Direction,
    pub port: &'a str,
    pub via: &'static str,
    pub decision_id: Option<&'a str>,
    pub referral_id: Option<&'a str>,
    /// On entry: until when, and why (none for nationals).
    pub stay: Option<(CalendarDate, String)>,
}

/// Writes an entry or exit record; opens a stay on entry (closing a stale open one), closes
/// the open stay on exit.
pub(crate) async fn record_crossing(
    tx: &mut Tx,
    input: CrossingInput<'_>,
) -> Result<String, BorderError> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = tx.now();
    let day = today(now).to_string();
    let d = input.document;
    let number = canonical_number(&d.number).unwrap_or_else(|| d.number.clone());
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO border_crossings (id, issuing_state, document_number, nationality, direction, port, via, \
         decision_id, referral_id, crossed_at, crossed_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    )
    .bind(&id)
    .bind(&d.issuer)
    .bind(&number)
    .bind(&d.nationality)
    .bind(direction_str(input.direction))
    .bind(input.port)
    .bind(input.via)
    .bind(input.decision_id)
    .bind(input.referral_id)
    .bind(now.as_micros())
    .bind(&day)
    .execute(c)
    .await
    .map(drop))
    .map_err(db_err)?;
    // Entry closes a stay left open by a missed exit (without an exit record), so the new
    // stay can open; exit closes the open stay with this crossing.
    let exit_crossing: Option<&str> = match input.direction {
        Direction::Entry => None,
        Direction::Exit => Some(&id),
    };
    on_tx!(tx, |c| sqlx::query(
        "UPDATE border_stays SET exited_on = $3, exit_crossing = $4 \
         WHERE issuing_state = $1 AND document_number = $2 AND exited_on IS NULL"
    )
    .bind(&d.issuer)
    .bind(&number)
    .bind(&day)
    .bind(exit_crossing)
    .execute(c)
    .await
    .map(drop))
    .map_err(db_err)?;
    if let (Direction::Entry, Some((until, basis))) = (input.direction, &input.stay) {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO border_stays (id, issuing_state, document_number, nationality, surname, given_names, \
             entered_on, permitted_until, basis, entry_crossing) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&d.issuer)
        .bind(&number)
        .bind(&d.nationality)
        .bind(&d.surname)
        .bind(&d.given_names)
        .bind(&day)
        .bind(until.to_string())
        .bind(basis)
        .bind(&id)
        .execute(c)
        .await
        .map(drop))
        .map_err(db_err)?;
    }
    Ok(id)
}

fn gate_actor(gate_id: &str, nonce: &str) -> Actor {
    Actor {
        kind: ActorKind::System,
        account: None,
        agency: None,
        on_behalf_of: None,
        request_id: Some(format!("gate:{gate_id}:{nonce}")),
    }
}

impl Border {
    /// Verifies a gate's signed request and refuses it (typed) when it is not authentic,
    /// fresh and new; returns the request with its biometric result marked as signed.
    async fn verify_gate_request(
        &self,
        signed: &SignedGateRequest,
        now: Timestamp,
    ) -> Result<(GateRequest, String), BorderError> {
        let refuse = |r| Err(BorderError::Request(r));
        if signed.body.len() > MAX_GATE_BODY {
            return refuse(RequestRefusal::MalformedBody);
        }
        let device = match self.signing_gate(&signed.gate_id).await {
            Ok(d) => d,
            Err(BorderError::NotFound) => return refuse(RequestRefusal::UnknownDevice),
            Err(e) => return Err(e),
        };
        device
            .verify(
                &gate_signing_message(&signed.gate_id, &signed.body),
                &signed.signature,
            )
            .map_err(BorderError::Request)?;
        let Ok(submission) = serde_json::from_slice::<GateSubmission>(&signed.body) else {
            return refuse(RequestRefusal::MalformedBody);
        };
        if !valid_nonce(&submission.nonce) || submission.request.mrz.len() > 200 {
            return refuse(RequestRefusal::MalformedBody);
        }
        if submission.request.gate_id != device.id || submission.request.port != device.port {
            return refuse(RequestRefusal::DeviceMismatch);
        }
        let skew = i64::try_from(self.config.max_clock_skew.as_micros()).unwrap_or(i64::MAX);
        if submission.sent_at.abs_diff(now.as_micros()) > skew.unsigned_abs() {
            return refuse(RequestRefusal::StaleTimestamp);
        }
        let mut request = submission.request;
        // The gate signed the whole body, biometric result included; its own claim about the
        // signature is not evidence.
        if let Some(b) = request.biometric.as_mut() {
            b.signature_verified = true;
        }
        Ok((request, submission.nonce))
    }

    /// Looks up what the server knows about the traveller on the document the MRZ names.
    async fn traveller_facts(
        &self,
        request: &GateRequest,
        today: CalendarDate,
    ) -> Result<
        (
            TravellerFacts,
            Option<LostStolenRecord>,
            Option<(Visa, u16)>,
        ),
        BorderError,
    > {
        let Ok(mrz) = parse_mrz(&request.mrz, today) else {
            return Ok((TravellerFacts::default(), None, None));
        };
        let Some(number) = canonical_number(&mrz.document_number) else {
            return Ok((TravellerFacts::default(), None, None));
        };
        let state = mrz.issuer.trim().to_ascii_uppercase();
        let row: TravellerRow = on_reader!(self.db, |p| sqlx::query_as(TRAVELLER_PROBE)
            .bind(&state)
            .bind(&number)
            .bind(today.to_string())
            .fetch_one(p)
            .await)
        .map_err(db_err)?;
        let (
            e_id,
            e_until,
            e_status,
            v_number,
            v_category,
            v_from,
            v_until,
            v_days,
            s_entered,
            s_until,
            l_type,
            l_reported,
            l_reference,
        ) = row;
        let enrolment = match (e_id, e_until, e_status) {
            (Some(id), Some(until), Some(status)) => Some(enrolment_from_row(
                id,
                state.clone(),
                number.clone(),
                &until,
                &status,
            )?),
            _ => None,
        };
        let visa = match (v_number, v_category, v_from, v_until, v_days) {
            (Some(n), Some(c), Some(from), Some(until), Some(days)) => {
                Some(visa_from_row(n, c, &from, &until, days)?)
            }
            _ => None,
        };
        let stay = match (s_entered, s_until) {
            (Some(entered), Some(until)) => Some(Stay {
                entered_on: stored_date(&entered)?,
                permitted_until: stored_date(&until)?,
            }),
            _ => None,
        };
        let lost = match (l_type, l_reported, l_reference) {
            (Some(document_type), Some(reported_on), Some(reference)) => Some(LostStolenRecord {
                issuing_state: state,
                document_number: number,
                document_type,
                reported_on,
                reference,
            }),
            _ => None,
        };
        Ok((
            TravellerFacts {
                enrolment,
                visa: visa.as_ref().map(|(v, _)| v.clone()),
                stay,
            },
            lost,
            visa,
        ))
    }

    /// Decides for one traveller at a gate: verifies the signed request, decides, and stores
    /// the decision record (with a referral on REFER, an entry/exit record on OPEN) in one
    /// audited transaction. A request that is not authentic, fresh and new is refused with
    /// [`BorderError::Request`] and nothing is stored.
    pub async fn gate_decide(
        &self,
        signed: &SignedGateRequest,
    ) -> Result<GateOutcome, BorderError> {
        let started = Instant::now();
        let now = self.now();
        let today = today(now);
        let (request, nonce) = self.verify_gate_request(signed, now).await?;
        let verified = Instant::now();
        let (facts, lost, visa) = self.traveller_facts(&request, today).await?;
        let looked_up = Instant::now();
        let snapshot = self.screening.current();
        let trust = self.trust.clone();
        let lost_list = LostStolenList::from_records(lost);
        let (decision, request) = {
            let snapshot = snapshot.clone();
            let facts = facts.clone();
            tokio::task::spawn_blocking(move || {
                let ctx = Context {
                    config: &snapshot.config,
                    trust: &trust,
                    watchlist: &snapshot.screener,
                    lost_stolen: &lost_list,
                    traveller: &facts,
                    now_unix_micros: now.as_micros(),
                };
                (decide(&request, &ctx), request)
            })
            .await
            .map_err(|e| BorderError::corrupt(format!("decision task: {e}")))?
        };
        let decided = Instant::now();
        let timings = Timings {
            verify_us: micros(verified - started),
            lookup_us: micros(looked_up - verified),
            decide_us: micros(decided - looked_up),
            total_us: micros(decided - started),
        };
        self.store_decision(
            &request,
            &nonce,
            decision,
            visa.as_ref(),
            (timings, decided),
            now,
        )
        .await
    }

    async fn store_decision(
        &self,
        request: &GateRequest,
        nonce: &str,
        decision: Decision,
        visa: Option<&(Visa, u16)>,
        (timings, decided): (Timings, Instant),
        now: Timestamp,
    ) -> Result<GateOutcome, BorderError> {
        let id = uuid::Uuid::now_v7().to_string();
        let record_json = serde_json::to_string(&decision.record).map_err(BorderError::corrupt)?;
        let record_sha256 = sha256_hex(record_json.as_bytes());
        let timings_json = serde_json::to_string(&timings).map_err(BorderError::corrupt)?;
        let ev = &decision.record.evidence;
        let (state, number, nationality) = ev
            .document
            .as_ref()
            .map(|d| {
                (
                    d.issuer.clone(),
                    canonical_number(&d.number).unwrap_or_else(|| d.number.clone()),
                    d.nationality.clone(),
                )
            })
            .unwrap_or_default();
        let outcome = match decision.outcome {
            Outcome::Open => "OPEN",
            Outcome::Refer => "REFER",
        };
        let reason_codes = codes_json(&decision.reasons);

        let mut tx = self.db.begin(gate_actor(&request.gate_id, nonce)).await?;
        // The nonce is new (its primary key) and the gate still active: the request was
        // verified with a key kept in memory, and another node may have revoked it since.
        let seen = on_tx!(tx, |c| sqlx::query(
            "INSERT INTO border_gate_nonces (gate_id, nonce, seen_at) SELECT $1, $2, $3 \
             WHERE EXISTS (SELECT 1 FROM border_gate_devices WHERE id = $1 AND status = 'active')"
        )
        .bind(&request.gate_id)
        .bind(nonce)
        .bind(now.as_micros())
        .execute(c)
        .await
        .map(|done| done.rows_affected()));
        match seen.map_err(StoreError::from_sqlx) {
            Ok(0) => {
                self.forget_gate(&request.gate_id);
                return Err(BorderError::Request(RequestRefusal::DeviceRevoked));
            }
            Ok(_) => {}
            Err(StoreError::Duplicate { .. }) => {
                return Err(BorderError::Request(RequestRefusal::ReplayedNonce));
            }
            Err(e) => return Err(e.into()),
        }
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO border_decisions (id, gate_id, port, direction, outcome, issuing_state, document_number, \
             nationality, reason_codes, config_version, request_sha256, record_sha256, record, timings, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        )
        .bind(&id)
        .bind(&request.gate_id)
        .bind(&request.port)
        .bind(direction_str(request.direction))
        .bind(outcome)
        .bind(&state)
        .bind(&number)
        .bind(&nationality)
        .bind(&reason_codes)
        .bind(&decision.record.config_version)
        .bind(&decision.record.inputs.request)
        .bind(&record_sha256)
        .bind(&record_json)
        .bind(&timings_json)
        .bind(now.as_micros())
        .execute(c)
        .await
        .map(drop))
        .map_err(db_err)?;
        let mut referral_id = None;
        let mut crossing_id = None;
        match (decision.outcome, ev.document.as_ref()) {
            (Outcome::Open, Some(doc)) => {
                let stay = match request.direction {
                    Direction::Entry => {
                        stay_on_entry(&decision.record.config, &doc.nationality, visa, ev.today)
                    }
                    Direction::Exit => None,
                };
                crossing_id = Some(
                    record_crossing(
                        &mut tx,
                        CrossingInput {
                            document: doc,
                            direction: request.direction,
                            port: &request.port,
                            via: "gate",
                            decision_id: Some(&id),
                            referral_id: None,
                            stay,
                        },
                    )
                    .await?,
                );
            }
            _ => {
                let rid = uuid::Uuid::now_v7().to_string();
                on_tx!(tx, |c| sqlx::query(
                    "INSERT INTO border_referrals (id, decision_id, port, direction, issuing_state, document_number, \
                     reason_codes, status, created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, 1)"
                )
                .bind(&rid)
                .bind(&id)
                .bind(&request.port)
                .bind(direction_str(request.direction))
                .bind(&state)
                .bind(&number)
                .bind(&reason_codes)
                .bind(now.as_micros())
                .execute(c)
                .await
                .map(drop))
                .map_err(db_err)?;
                referral_id = Some(rid);
            }
        }
        tx.record(
            "border.gate.decision",
            format!("border-decision:{id}"),
            serde_json::json!({
                "gate": request.gate_id, "port": request.port,
                "direction": request.direction, "outcome": decision.outcome,
                "reasons": decision.reasons.iter().map(|r| r.code).collect::<Vec<_>>(),
                "config_version": decision.record.config_version,
                "inputs": decision.record.inputs,
                "rules": decision.record.rules.iter()
                    .map(|r| serde_json::json!({ "rule": r.rule, "passed": r.passed }))
                    .collect::<Vec<_>>(),
                "evidence_sha256": decision.record.evidence_digest,
                "record_sha256": record_sha256,
                "referral": referral_id, "crossing": crossing_id,
                "timings": timings,
            }),
        );
        tx.commit().await?;
        Ok(GateOutcome {
            decision_id: id,
            outcome: decision.outcome,
            reasons: decision.reasons,
            referral_id,
            crossing_id,
            timings,
            store_us: micros(decided.elapsed()),
        })
    }

    /// A stored decision.
    pub async fn decision(&self, id: &str) -> Result<StoredDecision, BorderError> {
        let row: Option<(String, String, String, String, String, String, i64)> =
            on_reader!(self.db, |p| sqlx::query_as(
                "SELECT id, gate_id, port, record, record_sha256, timings, decided_at \
                 FROM border_decisions WHERE id = $1"
            )
            .bind(id)
            .fetch_optional(p)
            .await)
            .map_err(db_err)?;
        let (id, gate_id, port, record_json, record_sha256, timings, decided_at) =
            row.ok_or(BorderError::NotFound)?;
        if sha256_hex(record_json.as_bytes()) != record_sha256 {
            return Err(BorderError::ReplayMismatch(id));
        }
        let record: DecisionRecord = serde_json::from_str(&record_json)
            .map_err(|e| BorderError::corrupt(format!("decision record: {e}")))?;
        Ok(StoredDecision {
            outcome: record.outcome,
            record,
            timings: serde_json::from_str(&timings).unwrap_or_default(),
            id,
            gate_id,
            port,
            record_sha256,
            decided_at: Timestamp::from_micros(decided_at),
        })
    }

    /// Replays a stored decision: the record must be the one the audit log names (by its
    /// SHA-256), and running the rules again on its evidence and configuration must give the
    /// same outcome, reasons and rule results. Returns the replayed decision.
    pub async fn replay_decision(&self, id: &str) -> Result<Decision, BorderError> {
        let stored = self.decision(id).await?;
        let audited: Vec<(String,)> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT detail FROM audit_events WHERE subject = $1 AND action = 'border.gate.decision'"
        )
        .bind(format!("border-decision:{id}"))
        .fetch_all(p)
        .await
        })
        .map_err(db_err)?;
        let audited_digest = audited
            .first()
            .and_then(|(d,)| serde_json::from_str::<serde_json::Value>(d).ok())
            .and_then(|v| v["record_sha256"].as_str().map(str::to_owned));
        if audited.len() != 1 || audited_digest.as_deref() != Some(stored.record_sha256.as_str()) {
            return Err(BorderError::ReplayMismatch(id.to_string()));
        }
        let again = replay(&stored.record).map_err(|_| BorderError::ReplayMismatch(id.into()))?;
        if again.outcome != stored.record.outcome
            || again.reasons != stored.record.reasons
            || again.record != stored.record
        {
            return Err(BorderError::ReplayMismatch(id.to_string()));
        }
        Ok(again)
    }

    /// Removes nonces older than twice the accepted clock skew (they can no longer be
    /// replayed: the timestamp check refuses them). Bookkeeping, not a business change.
    pub async fn prune_gate_nonces(&self) -> Result<u64, BorderError> {
        let skew = i64::try_from(self.config.max_clock_skew.as_micros()).unwrap_or(i64::MAX);
        let before = self
            .now()
            .as_micros()
            .saturating_sub(skew.saturating_mul(2));
        let mut tx = self.db.begin_bookkeeping("expired gate nonces").await?;
        let n = on_tx!(tx, |c| sqlx::query(
            "DELETE FROM border_gate_nonces WHERE seen_at < $1"
        )
        .bind(before)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(db_err)?;
        tx.commit().await?;
        Ok(n)
    }

    /// Entry and exit records of a passport, oldest first.
    pub async fn crossings(
        &self,
        issuing_state: &str,
        document_number: &str,
    ) -> Result<Vec<Crossing>, BorderError> {
        let number = canonical_number(document_number).unwrap_or_default();
        type CrossingRow = (
            String,
            String,
            String,
            String,
            i64,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<CrossingRow> =
            on_reader!(self.db, |p| sqlx::query_as(
                "SELECT id, direction, port, via, crossed_at, decision_id, referral_id FROM border_crossings \
                 WHERE issuing_state = $1 AND document_number = $2 ORDER BY crossed_at, id"
            )
            .bind(issuing_state)
            .bind(&number)
            .fetch_all(p)
            .await)
            .map_err(db_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(Crossing {
                    id: r.0,
                    direction: parse_direction(&r.1)?,
                    port: r.2,
                    via: r.3,
                    crossed_at: Timestamp::from_micros(r.4),
                    decision_id: r.5,
                    referral_id: r.6,
                })
            })
            .collect()
    }
}
