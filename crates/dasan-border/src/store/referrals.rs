//! Officers' work: the referral queue of each port (REFER decisions), deciding a referral
//! (admit / secondary inspection / refuse, with a reason, audited), a traveller's history, and
//! the overstay report.

use super::clearance::{
    Crossing, CrossingInput, direction_str, parse_direction, record_crossing, stay_on_entry,
};
use super::enrolment::{EnrolmentRecord, today};
use super::{Border, BorderError, db_err};
use crate::gate::{Direction, DocumentFacts, Outcome, Reason, ReasonCode};
use crate::lost_stolen::canonical_number;
use crate::types::CalendarDate;
use dasan_kernel::{Actor, Timestamp};
use dasan_store::{on_reader, on_tx};
use serde::{Deserialize, Serialize};

/// Decisions on a passport (index `border_decisions_document`).
pub(crate) const DECISIONS_BY_DOCUMENT: &str = "SELECT id, decided_at, gate_id, port, direction, outcome, reason_codes FROM border_decisions \
                 WHERE issuing_state = $1 AND document_number = $2 ORDER BY decided_at, id";

/// The live queue of a port, oldest first, at most 500 (partial index `border_referrals_queue`).
pub(crate) const REFERRAL_QUEUE: &str = "SELECT id, decision_id, port, direction, issuing_state, \
    document_number, reason_codes, status, created_at, decided_at, decided_by, decision_reason, \
    version FROM border_referrals WHERE port = $1 AND status IN ('open', 'secondary') \
    ORDER BY created_at, id LIMIT 500";

/// Still in the country past the permitted day, at most 500 (partial index
/// `border_stays_overdue`).
pub(crate) const OVERSTAY_IN_COUNTRY: &str = "SELECT issuing_state, document_number, nationality, \
    surname, given_names, entered_on, permitted_until, exited_on FROM border_stays \
    WHERE exited_on IS NULL AND permitted_until < $1 \
    ORDER BY permitted_until, issuing_state, document_number LIMIT 500";

/// Left late between two days, at most 500 (partial index `border_stays_exited`).
pub(crate) const OVERSTAY_DEPARTED: &str = "SELECT issuing_state, document_number, nationality, \
    surname, given_names, entered_on, permitted_until, exited_on FROM border_stays \
    WHERE exited_on IS NOT NULL AND exit_crossing IS NOT NULL \
    AND exited_on >= $1 AND exited_on <= $2 AND exited_on > permitted_until \
    ORDER BY exited_on, issuing_state, document_number LIMIT 500";

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    /// Waiting for an officer at the port.
    Open,
    /// Sent to secondary inspection (still to be decided).
    Secondary,
    /// Admitted (entry) or let through (exit).
    Admitted,
    /// Refused.
    Refused,
}

impl ReferralStatus {
    fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Open => "open",
            ReferralStatus::Secondary => "secondary",
            ReferralStatus::Admitted => "admitted",
            ReferralStatus::Refused => "refused",
        }
    }

    fn parse(s: &str) -> Result<Self, BorderError> {
        Ok(match s {
            "open" => ReferralStatus::Open,
            "secondary" => ReferralStatus::Secondary,
            "admitted" => ReferralStatus::Admitted,
            "refused" => ReferralStatus::Refused,
            other => return Err(BorderError::corrupt(format!("referral status {other:?}"))),
        })
    }
}

/// An officer's decision on a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum OfficerDecision {
    /// Admit (entry) or let leave (exit). On entry, the last day of the permitted stay for a
    /// foreigner; when absent it comes from the visa waiver table or the visa.
    Admit {
        /// Last day of the permitted stay (entry).
        permitted_until: Option<CalendarDate>,
    },
    /// Secondary inspection.
    Secondary,
    /// Refuse entry or exit.
    Refuse,
}

/// A referral with what the officer needs to see.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Referral {
    /// Id.
    pub id: String,
    /// The gate decision.
    pub decision_id: String,
    /// Port.
    pub port: String,
    /// Entry or exit.
    pub direction: Direction,
    /// Passport.
    pub issuing_state: String,
    /// Passport number.
    pub document_number: String,
    /// The reasons' codes.
    pub reason_codes: Vec<ReasonCode>,
    /// Status.
    pub status: ReferralStatus,
    /// When referred.
    pub created_at: Timestamp,
    /// When decided.
    pub decided_at: Option<Timestamp>,
    /// Who decided (account id).
    pub decided_by: Option<String>,
    /// The officer's reason.
    pub decision_reason: Option<String>,
    /// Optimistic concurrency.
    pub version: i64,
}

/// A referral with the document and the reasons in full (from the decision record).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferralDetail {
    /// The referral.
    pub referral: Referral,
    /// The document as the MRZ describes it.
    pub document: Option<DocumentFacts>,
    /// Every reason, with the rule and words for the officer.
    pub reasons: Vec<Reason>,
}

/// One decision in a traveller's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionSummary {
    /// Id.
    pub id: String,
    /// When.
    pub decided_at: Timestamp,
    /// Gate.
    pub gate_id: String,
    /// Port.
    pub port: String,
    /// Direction.
    pub direction: Direction,
    /// OPEN or REFER.
    pub outcome: Outcome,
    /// Reason codes.
    pub reason_codes: Vec<ReasonCode>,
}

/// Everything on one passport.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TravellerHistory {
    /// Enrolments (newest first).
    pub enrolments: Vec<EnrolmentRecord>,
    /// Gate decisions (oldest first).
    pub decisions: Vec<DecisionSummary>,
    /// Referrals (oldest first).
    pub referrals: Vec<Referral>,
    /// Entries and exits (oldest first).
    pub crossings: Vec<Crossing>,
}

/// One overstay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverstayRow {
    /// Passport.
    pub issuing_state: String,
    /// Passport number.
    pub document_number: String,
    /// Nationality.
    pub nationality: String,
    /// Surname.
    pub surname: String,
    /// Given names.
    pub given_names: String,
    /// Entered on.
    pub entered_on: CalendarDate,
    /// Permitted until.
    pub permitted_until: CalendarDate,
    /// Left on (for departures).
    pub exited_on: Option<CalendarDate>,
    /// Days beyond the permitted stay (to the report day, or to departure).
    pub days_over: i64,
}

/// Overstays on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverstayReport {
    /// The report's day.
    pub on: CalendarDate,
    /// Still in the country after their permitted stay (longest first).
    pub in_country: Vec<OverstayRow>,
    /// Left after their permitted stay, since the given day (with an exit record: a stay
    /// closed by a later entry without an exit record is not a known departure).
    pub departed_late: Vec<OverstayRow>,
}

type ReferralRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    i64,
);

const REFERRAL_COLUMNS: &str = "id, decision_id, port, direction, issuing_state, document_number, \
    reason_codes, status, created_at, decided_at, decided_by, decision_reason, version";

fn referral_from_row(r: ReferralRow) -> Result<Referral, BorderError> {
    Ok(Referral {
        direction: parse_direction(&r.3)?,
        reason_codes: serde_json::from_str(&r.6).map_err(BorderError::corrupt)?,
        status: ReferralStatus::parse(&r.7)?,
        id: r.0,
        decision_id: r.1,
        port: r.2,
        issuing_state: r.4,
        document_number: r.5,
        created_at: Timestamp::from_micros(r.8),
        decided_at: r.9.map(Timestamp::from_micros),
        decided_by: r.10,
        decision_reason: r.11,
        version: r.12,
    })
}

type StayRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

fn overstay_from_row(r: StayRow, on: CalendarDate) -> Result<OverstayRow, BorderError> {
    let date = |s: &str| {
        CalendarDate::parse(s).ok_or_else(|| BorderError::corrupt(format!("stay date {s:?}")))
    };
    let permitted_until = date(&r.6)?;
    let exited_on = r.7.as_deref().map(date).transpose()?;
    let until = exited_on.unwrap_or(on);
    Ok(OverstayRow {
        issuing_state: r.0,
        document_number: r.1,
        nationality: r.2,
        surname: r.3,
        given_names: r.4,
        entered_on: date(&r.5)?,
        days_over: until.days_since_epoch() - permitted_until.days_since_epoch(),
        permitted_until,
        exited_on,
    })
}

impl Border {
    /// The live queue of a port: open and secondary referrals, oldest first.
    pub async fn referral_queue(&self, port: &str) -> Result<Vec<Referral>, BorderError> {
        let rows: Vec<ReferralRow> = on_reader!(self.db, |p| sqlx::query_as(REFERRAL_QUEUE)
            .bind(port)
            .fetch_all(p)
            .await)
        .map_err(db_err)?;
        rows.into_iter().map(referral_from_row).collect()
    }

    /// A referral.
    pub async fn referral(&self, id: &str) -> Result<Referral, BorderError> {
        let sql = format!("SELECT {REFERRAL_COLUMNS} FROM border_referrals WHERE id = $1");
        let row: Option<ReferralRow> = on_reader!(self.db, |p| sqlx::query_as(
            sqlx::AssertSqlSafe(sql.as_str())
        )
        .bind(id)
        .fetch_optional(p)
        .await)
        .map_err(db_err)?;
        referral_from_row(row.ok_or(BorderError::NotFound)?)
    }

    /// A referral with the traveller's document and the reasons in full.
    pub async fn referral_detail(&self, id: &str) -> Result<ReferralDetail, BorderError> {
        let referral = self.referral(id).await?;
        let decision = self.decision(&referral.decision_id).await?;
        Ok(ReferralDetail {
            referral,
            document: decision.record.evidence.document,
            reasons: decision.record.reasons,
        })
    }

    /// An officer decides a referral, with a reason. Admitting records the entry or exit
    /// (and the stay on entry). `version` is the referral's version the officer saw.
    pub async fn decide_referral(
        &self,
        officer: Actor,
        id: &str,
        version: i64,
        decision: OfficerDecision,
        reason: &str,
    ) -> Result<Referral, BorderError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.len() > 2000 {
            return Err(BorderError::invalid(
                "reason",
                "border-error-reason-required",
            ));
        }
        let referral = self.referral(id).await?;
        let to = match decision {
            OfficerDecision::Admit { .. } => ReferralStatus::Admitted,
            OfficerDecision::Secondary => ReferralStatus::Secondary,
            OfficerDecision::Refuse => ReferralStatus::Refused,
        };
        let allowed = matches!(
            (referral.status, to),
            (ReferralStatus::Open, _)
                | (
                    ReferralStatus::Secondary,
                    ReferralStatus::Admitted | ReferralStatus::Refused
                )
        );
        if !allowed {
            return Err(BorderError::Transition {
                what: "referral",
                action: to.as_str(),
                status: referral.status.as_str().into(),
            });
        }
        if referral.version != version {
            return Err(BorderError::Stale);
        }
        // What an admission records.
        let mut admission = None;
        if let OfficerDecision::Admit { permitted_until } = decision {
            let stored = self.decision(&referral.decision_id).await?;
            let Some(document) = stored.record.evidence.document.clone() else {
                return Err(BorderError::Transition {
                    what: "referral",
                    action: "admit",
                    status: "without a readable document".into(),
                });
            };
            let today = today(self.now());
            let stay = match referral.direction {
                Direction::Exit => None,
                Direction::Entry => match permitted_until {
                    Some(until) if until < today => {
                        return Err(BorderError::invalid(
                            "permitted_until",
                            "border-error-permitted-until-past",
                        ));
                    }
                    Some(until) => Some((until, "officer".to_string())),
                    None => {
                        let number = canonical_number(&document.number).unwrap_or_default();
                        let visa = self.visa_lookup(&document.issuer, &number, today).await?;
                        let config = &self.screening.current().config;
                        let computed =
                            stay_on_entry(config, &document.nationality, visa.as_ref(), today);
                        let home = config.self_service_nationalities.first();
                        if computed.is_none() && home != Some(&document.nationality) {
                            return Err(BorderError::invalid(
                                "permitted_until",
                                "border-error-permitted-until-required",
                            ));
                        }
                        computed
                    }
                },
            };
            admission = Some((document, stay));
        }
        let decided_by = officer
            .account
            .map(|a| a.to_string())
            .unwrap_or_else(|| "system".into());
        let mut tx = self.db.begin(officer).await?;
        let at = tx.now().as_micros();
        let n = on_tx!(tx, |c| sqlx::query(
            "UPDATE border_referrals SET status = $2, decided_at = $3, decided_by = $4, \
             decision_reason = $5, version = version + 1 WHERE id = $1 AND version = $6"
        )
        .bind(id)
        .bind(to.as_str())
        .bind(at)
        .bind(&decided_by)
        .bind(reason)
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(db_err)?;
        if n == 0 {
            return Err(BorderError::Stale);
        }
        let mut crossing = None;
        if let Some((document, stay)) = &admission {
            crossing = Some(
                record_crossing(
                    &mut tx,
                    CrossingInput {
                        document,
                        direction: referral.direction,
                        port: &referral.port,
                        via: "officer",
                        decision_id: None,
                        referral_id: Some(id),
                        stay: stay.clone(),
                    },
                )
                .await?,
            );
        }
        tx.record(
            "border.referral.decide",
            format!("border-referral:{id}"),
            serde_json::json!({
                "decision": to.as_str(), "reason": reason, "from": referral.status.as_str(),
                "decision_id": referral.decision_id, "port": referral.port,
                "direction": direction_str(referral.direction), "crossing": crossing,
                "permitted_until": admission.as_ref().and_then(|(_, s)| s.as_ref().map(|(d, _)| d.to_string())),
            }),
        );
        tx.commit().await?;
        self.referral(id).await
    }

    /// Everything on one passport: enrolments, decisions, referrals, crossings.
    pub async fn traveller_history(
        &self,
        issuing_state: &str,
        document_number: &str,
    ) -> Result<TravellerHistory, BorderError> {
        let number = canonical_number(document_number).ok_or_else(|| {
            BorderError::invalid("document_number", "border-error-document-number")
        })?;
        let enrolment_ids: Vec<(String,)> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT id FROM border_enrolments WHERE issuing_state = $1 AND document_number = $2 \
             ORDER BY created_at DESC"
        )
        .bind(issuing_state)
        .bind(&number)
        .fetch_all(p)
        .await
        })
        .map_err(db_err)?;
        let mut enrolments = Vec::with_capacity(enrolment_ids.len());
        for (id,) in enrolment_ids {
            enrolments.push(self.enrolment(&id).await?);
        }
        let rows: Vec<(String, i64, String, String, String, String, String)> =
            on_reader!(self.db, |p| sqlx::query_as(DECISIONS_BY_DOCUMENT)
                .bind(issuing_state)
                .bind(&number)
                .fetch_all(p)
                .await)
            .map_err(db_err)?;
        let decisions = rows
            .into_iter()
            .map(|r| {
                Ok(DecisionSummary {
                    id: r.0,
                    decided_at: Timestamp::from_micros(r.1),
                    gate_id: r.2,
                    port: r.3,
                    direction: parse_direction(&r.4)?,
                    outcome: if r.5 == "OPEN" {
                        Outcome::Open
                    } else {
                        Outcome::Refer
                    },
                    reason_codes: serde_json::from_str(&r.6).map_err(BorderError::corrupt)?,
                })
            })
            .collect::<Result<Vec<_>, BorderError>>()?;
        let sql = format!(
            "SELECT {REFERRAL_COLUMNS} FROM border_referrals \
             WHERE issuing_state = $1 AND document_number = $2 ORDER BY created_at, id"
        );
        let rows: Vec<ReferralRow> = on_reader!(self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.as_str()
        ))
        .bind(issuing_state)
        .bind(&number)
        .fetch_all(p)
        .await)
        .map_err(db_err)?;
        let referrals = rows
            .into_iter()
            .map(referral_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let crossings = self.crossings(issuing_state, &number).await?;
        Ok(TravellerHistory {
            enrolments,
            decisions,
            referrals,
            crossings,
        })
    }

    /// Overstays on day `on`: travellers still in the country after their permitted stay,
    /// and those who left late since `departed_since`.
    pub async fn overstay_report(
        &self,
        on: CalendarDate,
        departed_since: CalendarDate,
    ) -> Result<OverstayReport, BorderError> {
        let rows: Vec<StayRow> = on_reader!(self.db, |p| sqlx::query_as(OVERSTAY_IN_COUNTRY)
            .bind(on.to_string())
            .fetch_all(p)
            .await)
        .map_err(db_err)?;
        let in_country = rows
            .into_iter()
            .map(|r| overstay_from_row(r, on))
            .collect::<Result<Vec<_>, _>>()?;
        let rows: Vec<StayRow> = on_reader!(self.db, |p| sqlx::query_as(OVERSTAY_DEPARTED)
            .bind(departed_since.to_string())
            .bind(on.to_string())
            .fetch_all(p)
            .await)
        .map_err(db_err)?;
        let departed_late = rows
            .into_iter()
            .map(|r| overstay_from_row(r, on))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(OverstayReport {
            on,
            in_country,
            departed_late,
        })
    }
}
