//! Evaluation, award, standstill and complaints over the store.
//!
//! After opening, the procuring entity appoints an evaluation panel (when the method scores
//! criteria); each evaluator submits one sheet, final once submitted, and nobody — the entity
//! included — reads another evaluator's points until every sheet is in. The entity then
//! evaluates ([`crate::evaluation`]): the signed [`EvaluationReport`] is stored as a new
//! version and the tender becomes `evaluated`. Abnormally low bids that must be explained are
//! decided by the entity and the tender re-evaluated. The award notifies every bidder and
//! starts the standstill period (`standstill_days`); a bidder may complain within it; the
//! entity answers; the review body (procurement.manage at platform scope: the central
//! procurement authority, not the entity itself) upholds — the award is annulled and the
//! tender goes back to `opened` for a new evaluation — or dismisses. While a complaint is
//! undecided the award is suspended: it cannot become final. [`Procurement::finalise_due`]
//! makes awards final once their standstill has passed with no open complaint. Every change is
//! one audited transaction.

use std::collections::{BTreeMap, BTreeSet};

use dasan_identity::{AccountId, Permission, Principal, Scope};
use dasan_kernel::{Timestamp, define_id};
use dasan_registry::BusinessId;
use dasan_store::{Tx, on_reader, on_tx};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ProcurementError, corrupt, invalid};
use crate::evaluation::{
    BidFlag, EvaluationInput, EvaluationReport, LotOutcome, LowBidDecision, MAX_NAME, ScoreEntry,
};
use crate::notice::{MAX_TEXT, clean_text};
use crate::openings::PublishedDraw;
use crate::service::{PlatformSignature, Procurement, from_json, notify_tender, to_json};
use crate::tenders::{TenderId, TenderStatus, require_manage, tender_tx, transition};
use crate::{BidId, OpeningRecord};

define_id!(
    /// Identifies a complaint against an award.
    ComplaintId
);

/// Microseconds in a day.
const DAY_US: i64 = 86_400_000_000;

/// A stored, signed evaluation report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedEvaluation {
    /// 1 for the first evaluation, +1 per re-evaluation.
    pub version: i64,
    pub report: EvaluationReport,
    /// Over `report.to_json_bytes()`.
    pub signature: PlatformSignature,
    pub created_at: Timestamp,
}

/// One line of an evaluator's sheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetEntry {
    pub bid_id: BidId,
    pub lot_id: String,
    pub criterion: String,
    pub points: u32,
}

/// An evaluator and whether their sheet is in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EvaluatorStatus {
    pub account: AccountId,
    pub submitted_at: Option<Timestamp>,
}

/// The scores a principal may see: their own until every sheet is in, then everyone's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScoreView {
    pub evaluators: Vec<EvaluatorStatus>,
    /// Every appointed evaluator has submitted.
    pub complete: bool,
    pub scores: Vec<ScoreEntry>,
}

/// A seat on a tender's evaluation panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EvaluationSeat {
    pub tender: crate::TenderSummary,
    /// When the evaluator's sheet went in; `None`: still to score.
    pub submitted_at: Option<Timestamp>,
}

/// Where an award is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardStatus {
    /// Notified; complaints may be filed until the standstill ends.
    Standstill,
    /// Standstill over with no open complaint: the contract may be signed.
    Final,
    /// A complaint was upheld: the tender is to be evaluated again.
    Annulled,
    /// The tender was cancelled.
    Cancelled,
}

impl AwardStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AwardStatus::Standstill => "standstill",
            AwardStatus::Final => "final",
            AwardStatus::Annulled => "annulled",
            AwardStatus::Cancelled => "cancelled",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<AwardStatus> {
        match s {
            "standstill" => Some(AwardStatus::Standstill),
            "final" => Some(AwardStatus::Final),
            "annulled" => Some(AwardStatus::Annulled),
            "cancelled" => Some(AwardStatus::Cancelled),
            _ => None,
        }
    }
}

/// A lot's winner as awarded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardedLot {
    pub lot_id: String,
    pub bid_id: BidId,
    pub supplier_id: String,
    pub price_minor: u64,
    pub currency: String,
}

/// The award of a tender.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    pub tender_id: TenderId,
    /// The evaluation report it rests on.
    pub evaluation_version: i64,
    pub status: AwardStatus,
    /// A complaint is open: the award cannot become final.
    pub suspended: bool,
    pub awarded_at: Timestamp,
    pub standstill_ends_at: Timestamp,
    pub final_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub end_reason: Option<String>,
    pub lots: Vec<AwardedLot>,
}

/// The review body's decision on a complaint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintDecision {
    /// The complaint is right: the award is annulled.
    Upheld,
    Dismissed,
}

impl ComplaintDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintDecision::Upheld => "upheld",
            ComplaintDecision::Dismissed => "dismissed",
        }
    }
}

/// A complaint against an award.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Complaint {
    pub id: ComplaintId,
    pub tender_id: TenderId,
    pub business_id: String,
    pub grounds: String,
    pub filed_at: Timestamp,
    pub answer: Option<String>,
    pub answered_at: Option<Timestamp>,
    pub decision: Option<ComplaintDecision>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<Timestamp>,
}

/// The review body: procurement.manage at platform scope, independent of procuring entities.
fn require_review_body(principal: &Principal) -> Result<(), ProcurementError> {
    principal
        .require(Permission::ProcurementManage, Scope::Platform)
        .map_err(|_| {
            ProcurementError::Forbidden("procurement.manage at platform scope (the review body)")
        })
}

/// The most complaints one page of the review body's queue shows.
pub const REVIEW_LIST_LIMIT: i64 = 200;

/// A complaint in the review body's queue, with the tender it is against.
#[derive(Clone, Debug, Serialize)]
pub struct ComplaintForReview {
    #[serde(flatten)]
    pub complaint: Complaint,
    pub tender_title: String,
    pub agency: String,
}

fn sheet_hash(entries: &[SheetEntry]) -> String {
    hex::encode(Sha256::digest(
        serde_json::to_vec(entries).unwrap_or_default(),
    ))
}

async fn opening_tx(tx: &mut Tx, tender: &str) -> Result<OpeningRecord, ProcurementError> {
    let record: Option<Option<String>> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT opening_record FROM procurement_tenders WHERE id = $1"
    )
    .bind(tender)
    .fetch_optional(c)
    .await)?;
    from_json(
        record
            .flatten()
            .as_deref()
            .ok_or_else(|| corrupt("opened without an opening record"))?,
    )
}

async fn panel_tx(
    tx: &mut Tx,
    tender: &str,
) -> Result<Vec<(String, Option<i64>)>, ProcurementError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT account_id, submitted_at FROM procurement_evaluators WHERE tender_id = $1 ORDER BY account_id"
    )
    .bind(tender)
    .fetch_all(c)
    .await
    })?)
}

async fn latest_evaluation_tx(
    tx: &mut Tx,
    tender: &str,
) -> Result<Option<SignedEvaluation>, ProcurementError> {
    let row: Option<(i64, String, String, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT version, report, signature, created_at FROM procurement_evaluations \
         WHERE tender_id = $1 ORDER BY version DESC LIMIT 1"
    )
    .bind(tender)
    .fetch_optional(c)
    .await)?;
    row.map(signed_from).transpose()
}

fn signed_from(r: (i64, String, String, i64)) -> Result<SignedEvaluation, ProcurementError> {
    Ok(SignedEvaluation {
        version: r.0,
        report: from_json(&r.1)?,
        signature: from_json(&r.2)?,
        created_at: Timestamp::from_micros(r.3),
    })
}

type AwardRow = (
    i64,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

const AWARD_COLUMNS: &str = "SELECT evaluation_version, status, awarded_at, standstill_ends_at, final_at, ended_at, end_reason \
     FROM procurement_awards WHERE tender_id = $1";

fn award_from(
    tender: TenderId,
    r: AwardRow,
    report: &EvaluationReport,
    suspended: bool,
) -> Result<Award, ProcurementError> {
    Ok(Award {
        tender_id: tender,
        evaluation_version: r.0,
        status: AwardStatus::parse(&r.1).ok_or_else(|| corrupt("award status"))?,
        suspended,
        awarded_at: Timestamp::from_micros(r.2),
        standstill_ends_at: Timestamp::from_micros(r.3),
        final_at: r.4.map(Timestamp::from_micros),
        ended_at: r.5.map(Timestamp::from_micros),
        end_reason: r.6,
        lots: awarded_lots(report),
    })
}

pub(crate) fn awarded_lots(report: &EvaluationReport) -> Vec<AwardedLot> {
    report
        .result
        .lots
        .iter()
        .filter_map(|l| match &l.outcome {
            LotOutcome::Award {
                bid_id,
                supplier_id,
                price_minor,
            } => Some(AwardedLot {
                lot_id: l.lot_id.clone(),
                bid_id: *bid_id,
                supplier_id: supplier_id.clone(),
                price_minor: *price_minor,
                currency: l.currency.clone(),
            }),
            _ => None,
        })
        .collect()
}

async fn open_complaints_tx(tx: &mut Tx, tender: &str) -> Result<i64, ProcurementError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM procurement_complaints WHERE tender_id = $1 AND decision IS NULL"
    )
    .bind(tender)
    .fetch_one(c)
    .await)?)
}

fn tender_id_of(s: &str) -> Result<TenderId, ProcurementError> {
    s.parse().map_err(|_| corrupt("tender id"))
}

impl Procurement {
    /// Appoints the evaluation panel of an opened tender whose method scores criteria: distinct
    /// officials of the agency holding procurement.manage or procurement.evaluate. Once only.
    pub async fn appoint_evaluators(
        &self,
        principal: &Principal,
        tender: TenderId,
        evaluators: &[AccountId],
    ) -> Result<(), ProcurementError> {
        let id = tender.to_string();
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let row = tender_tx(&mut tx, &id).await?;
        require_manage(principal, &row.agency)?;
        if row.status != TenderStatus::Opened {
            return Err(transition("appoint evaluators", row.status));
        }
        if row.notice.evaluation.method.scored_criteria().is_empty() {
            return Err(invalid("evaluators", "procurement-error-no-criteria"));
        }
        if evaluators.is_empty() || evaluators.len() > 50 {
            return Err(invalid("evaluators", "procurement-error-evaluators"));
        }
        if !panel_tx(&mut tx, &id).await?.is_empty() {
            return Err(ProcurementError::Transition {
                action: "appoint evaluators",
                status: "already appointed".into(),
            });
        }
        let mut eligible =
            dasan_identity::admin::holders(&self.db, &row.agency, Permission::ProcurementManage)
                .await?;
        eligible.extend(
            dasan_identity::admin::holders(&self.db, &row.agency, Permission::ProcurementEvaluate)
                .await?,
        );
        let now = tx.now().as_micros();
        for (i, e) in evaluators.iter().enumerate() {
            if evaluators[..i].contains(e) || !eligible.iter().any(|(a, _)| a == e) {
                return Err(invalid(
                    &format!("evaluators[{i}]"),
                    "procurement-error-evaluator",
                ));
            }
            on_tx!(tx, |c| {
                sqlx::query(
                "INSERT INTO procurement_evaluators (tender_id, account_id, appointed_at) VALUES ($1, $2, $3)"
            )
            .bind(&id)
            .bind(e.to_string())
            .bind(now)
            .execute(c)
            .await
            .map(drop)
            })?;
        }
        tx.record(
            "procurement.evaluators.appoint",
            format!("tender:{id}"),
            serde_json::json!({ "evaluators": evaluators }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// An appointed evaluator submits their whole sheet: points for every criterion of every
    /// opened bid on every lot it prices, each from 0 to the criterion's maximum. Final once
    /// submitted. The audit log keeps the sheet's hash, not the points.
    pub async fn submit_scores(
        &self,
        principal: &Principal,
        tender: TenderId,
        sheet: Vec<SheetEntry>,
    ) -> Result<(), ProcurementError> {
        let id = tender.to_string();
        let me = principal.account.to_string();
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let row = tender_tx(&mut tx, &id).await?;
        let panel = panel_tx(&mut tx, &id).await?;
        let mine = panel
            .iter()
            .find(|(a, _)| *a == me)
            .ok_or(ProcurementError::Forbidden(
                "not on this tender's evaluation panel",
            ))?;
        if mine.1.is_some() {
            return Err(ProcurementError::Transition {
                action: "submit scores",
                status: "already submitted".into(),
            });
        }
        if row.status != TenderStatus::Opened {
            return Err(transition("submit scores", row.status));
        }
        let opening = opening_tx(&mut tx, &id).await?;
        let criteria: BTreeMap<&str, u32> = row
            .notice
            .evaluation
            .method
            .scored_criteria()
            .into_iter()
            .collect();
        let mut needed: BTreeSet<(BidId, &str, &str)> = BTreeSet::new();
        for b in &opening.opened {
            for l in &b.lots {
                for c in criteria.keys() {
                    needed.insert((b.bid_id, l.lot_id.as_str(), c));
                }
            }
        }
        let mut given = BTreeSet::new();
        for (i, e) in sheet.iter().enumerate() {
            let max = criteria.get(e.criterion.as_str());
            let key = (e.bid_id, e.lot_id.as_str(), e.criterion.as_str());
            if max.is_none_or(|m| e.points > *m) || !needed.contains(&key) || !given.insert(key) {
                return Err(invalid(&format!("sheet[{i}]"), "procurement-error-score"));
            }
        }
        if given.len() != needed.len() {
            return Err(invalid("sheet", "procurement-error-sheet-incomplete"));
        }
        for e in &sheet {
            on_tx!(tx, |c| {
                sqlx::query(
                "INSERT INTO procurement_scores (tender_id, account_id, bid_id, lot_id, criterion, points) \
                 VALUES ($1, $2, $3, $4, $5, $6)"
            )
            .bind(&id)
            .bind(&me)
            .bind(e.bid_id.to_hex())
            .bind(&e.lot_id)
            .bind(&e.criterion)
            .bind(i64::from(e.points))
            .execute(c)
            .await
            .map(drop)
            })?;
        }
        let mut sorted = sheet;
        sorted.sort_by(|a, b| {
            (a.bid_id, &a.lot_id, &a.criterion).cmp(&(b.bid_id, &b.lot_id, &b.criterion))
        });
        let hash = sheet_hash(&sorted);
        let now = tx.now().as_micros();
        on_tx!(tx, |c| sqlx::query(
            "UPDATE procurement_evaluators SET submitted_at = $3, sheet_sha256 = $4 \
             WHERE tender_id = $1 AND account_id = $2"
        )
        .bind(&id)
        .bind(&me)
        .bind(now)
        .bind(&hash)
        .execute(c)
        .await
        .map(drop))?;
        tx.record(
            "procurement.scores.submit",
            format!("tender:{id}"),
            serde_json::json!({ "evaluator": me, "entries": sorted.len(), "sheet_sha256": hash }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// The tenders on whose evaluation panel `principal` sits, newest first, with when their
    /// sheet went in (`None`: still to score). Officials only; anyone else has none.
    pub async fn evaluation_seats(
        &self,
        principal: &Principal,
    ) -> Result<Vec<EvaluationSeat>, ProcurementError> {
        if principal.kind != dasan_identity::AccountKind::Official {
            return Ok(Vec::new());
        }
        type Row = (String, String, String, String, String, i64, Option<i64>);
        let rows: Vec<Row> = on_reader!(self.db, |p| {
            sqlx::query_as(
                "SELECT t.id, t.agency, t.title, t.method, t.status, t.bid_deadline, e.submitted_at \
                 FROM procurement_evaluators e JOIN procurement_tenders t ON t.id = e.tender_id \
                 WHERE e.account_id = $1 ORDER BY e.appointed_at DESC, t.id LIMIT 200",
            )
            .bind(principal.account.to_string())
            .fetch_all(p)
            .await
        })?;
        rows.into_iter()
            .map(|r| {
                let tender = crate::tenders::summaries(vec![(r.0, r.1, r.2, r.3, r.4, r.5)])?
                    .pop()
                    .ok_or_else(|| corrupt("tender"))?;
                Ok(EvaluationSeat {
                    tender,
                    submitted_at: r.6.map(Timestamp::from_micros),
                })
            })
            .collect()
    }

    /// The scores `principal` may see: an evaluator sees their own sheet until every sheet is
    /// in; the procuring entity sees none until then; afterwards both see every sheet.
    pub async fn scores(
        &self,
        principal: &Principal,
        tender: TenderId,
    ) -> Result<ScoreView, ProcurementError> {
        let id = tender.to_string();
        let me = principal.account.to_string();
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let row = tender_tx(&mut tx, &id).await?;
        let panel = panel_tx(&mut tx, &id).await?;
        let on_panel = panel.iter().any(|(a, _)| *a == me);
        if !on_panel && require_manage(principal, &row.agency).is_err() {
            return Err(ProcurementError::NotFound);
        }
        let complete = !panel.is_empty() && panel.iter().all(|(_, s)| s.is_some());
        type Row = (String, String, String, String, i64);
        let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(
            "SELECT account_id, bid_id, lot_id, criterion, points FROM procurement_scores \
             WHERE tender_id = $1 ORDER BY bid_id, lot_id, criterion, account_id"
        )
        .bind(&id)
        .fetch_all(c)
        .await)?;
        // Blind until all are in: only the reader's own rows leave the database layer.
        let scores = rows
            .into_iter()
            .filter(|r| complete || r.0 == me)
            .map(|r| {
                Ok(ScoreEntry {
                    evaluator: r.0,
                    bid_id: BidId::from_hex(&r.1).ok_or_else(|| corrupt("bid id"))?,
                    lot_id: r.2,
                    criterion: r.3,
                    points: u32::try_from(r.4).map_err(|_| corrupt("points"))?,
                })
            })
            .collect::<Result<Vec<_>, ProcurementError>>()?;
        let evaluators = panel
            .into_iter()
            .map(|(a, s)| {
                Ok(EvaluatorStatus {
                    account: a.parse().map_err(|_| corrupt("account id"))?,
                    submitted_at: s.map(Timestamp::from_micros),
                })
            })
            .collect::<Result<Vec<_>, ProcurementError>>()?;
        // A read: nothing to record.
        tx.rollback().await?;
        Ok(ScoreView {
            evaluators,
            complete,
            scores,
        })
    }

    /// Evaluates an opened (or re-evaluates an evaluated) tender: every sheet must be in when
    /// the method scores criteria. The signed report is stored as a new version.
    pub async fn evaluate(
        &self,
        principal: &Principal,
        tender: TenderId,
    ) -> Result<SignedEvaluation, ProcurementError> {
        let id = tender.to_string();
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let row = tender_tx(&mut tx, &id).await?;
        require_manage(principal, &row.agency)?;
        if !matches!(row.status, TenderStatus::Opened | TenderStatus::Evaluated) {
            return Err(transition("evaluate", row.status));
        }
        let opening = opening_tx(&mut tx, &id).await?;
        let panel = panel_tx(&mut tx, &id).await?;
        let scored = !row.notice.evaluation.method.scored_criteria().is_empty();
        if scored && (panel.is_empty() || panel.iter().any(|(_, s)| s.is_none())) {
            return Err(ProcurementError::Transition {
                action: "evaluate",
                status: "waiting for the evaluators' sheets".into(),
            });
        }
        let times: Vec<(String, i64)> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT id, received_at FROM procurement_bids WHERE tender_id = $1 AND status = 'active'"
        )
        .bind(&id)
        .fetch_all(c)
        .await
        })?;
        let submitted_at: BTreeMap<BidId, Timestamp> = times
            .into_iter()
            .filter_map(|(b, t)| Some((BidId::from_hex(&b)?, Timestamp::from_micros(t))))
            .collect();
        let draw: Option<Option<String>> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT reserve_draw FROM procurement_tenders WHERE id = $1"
        )
        .bind(&id)
        .fetch_optional(c)
        .await)?;
        let planned = draw
            .flatten()
            .as_deref()
            .map(from_json::<PublishedDraw>)
            .transpose()?
            .map(|d| d.draw.reserve_price);
        type ScoreRow = (String, String, String, String, i64);
        let rows: Vec<ScoreRow> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT account_id, bid_id, lot_id, criterion, points FROM procurement_scores WHERE tender_id = $1"
        )
        .bind(&id)
        .fetch_all(c)
        .await
        })?;
        let scores = rows
            .into_iter()
            .map(|r| {
                Ok(ScoreEntry {
                    evaluator: r.0,
                    bid_id: BidId::from_hex(&r.1).ok_or_else(|| corrupt("bid id"))?,
                    lot_id: r.2,
                    criterion: r.3,
                    points: u32::try_from(r.4).map_err(|_| corrupt("points"))?,
                })
            })
            .collect::<Result<Vec<_>, ProcurementError>>()?;
        type DecisionRow = (String, String, bool, String);
        let rows: Vec<DecisionRow> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT bid_id, lot_id, accepted, reason FROM procurement_low_bid_decisions WHERE tender_id = $1"
        )
        .bind(&id)
        .fetch_all(c)
        .await
        })?;
        let decisions = rows
            .into_iter()
            .map(|r| {
                Ok(LowBidDecision {
                    bid_id: BidId::from_hex(&r.0).ok_or_else(|| corrupt("bid id"))?,
                    lot_id: r.1,
                    accepted: r.2,
                    reason: r.3,
                })
            })
            .collect::<Result<Vec<_>, ProcurementError>>()?;
        let evaluators = if scored {
            panel.into_iter().map(|(a, _)| a).collect()
        } else {
            Vec::new()
        };
        let input = EvaluationInput::from_opening(
            &row.notice,
            &opening,
            &submitted_at,
            planned,
            evaluators,
            scores,
            decisions,
        )?;
        let report = EvaluationReport::new(input, &opening)?;
        let bytes = report.to_json_bytes();
        let signature = self.sign(&bytes)?;
        let previous: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT MAX(version) FROM procurement_evaluations WHERE tender_id = $1"
        )
        .bind(&id)
        .fetch_one(c)
        .await)?;
        let version = previous.unwrap_or(0) + 1;
        let now = tx.now();
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_evaluations (tender_id, version, report, signature, created_at) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(&id)
        .bind(version)
        .bind(String::from_utf8(bytes.clone()).map_err(corrupt)?)
        .bind(to_json(&signature)?)
        .bind(now.as_micros())
        .execute(c)
        .await
        .map(drop)
        })?;
        on_tx!(tx, |c| sqlx::query(
            "UPDATE procurement_tenders SET status = 'evaluated' WHERE id = $1"
        )
        .bind(&id)
        .execute(c)
        .await
        .map(drop))?;
        let outcomes: Vec<serde_json::Value> = report
            .result
            .lots
            .iter()
            .map(|l| serde_json::json!({ "lot": l.lot_id, "outcome": l.outcome }))
            .collect();
        tx.record(
            "procurement.tender.evaluate",
            format!("tender:{id}"),
            serde_json::json!({
                "version": version,
                "method": report.result.method,
                "report_sha256": hex::encode(Sha256::digest(&bytes)),
                "lots": outcomes,
                "key": signature.key_id,
            }),
        );
        tx.commit().await?;
        Ok(SignedEvaluation {
            version,
            report,
            signature,
            created_at: now,
        })
    }

    /// The current (latest) evaluation report of a tender.
    pub async fn evaluation(&self, tender: TenderId) -> Result<SignedEvaluation, ProcurementError> {
        let row: Option<(i64, String, String, i64)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT version, report, signature, created_at FROM procurement_evaluations \
             WHERE tender_id = $1 ORDER BY version DESC LIMIT 1"
        )
        .bind(tender.to_string())
        .fetch_optional(p)
        .await)?;
        signed_from(row.ok_or(ProcurementError::NotFound)?)
    }

    /// The procuring entity decides on an abnormally low bid's explanation (the current report
    /// must flag it on that lot, undecided). Evaluate again to apply it.
    pub async fn decide_low_bid(
        &self,
        principal: &Principal,
        tender: TenderId,
        bid: BidId,
        lot_id: &str,
        accepted: bool,
        reason: &str,
    ) -> Result<(), ProcurementError> {
        // The report's rule for reasons (one line): checked here so a stored decision always
        // evaluates.
        let reason = clean_text(reason, MAX_NAME)
            .filter(|r| crate::evaluation::name_ok(r))
            .ok_or_else(|| invalid("reason", "procurement-error-text"))?;
        let id = tender.to_string();
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let row = tender_tx(&mut tx, &id).await?;
        require_manage(principal, &row.agency)?;
        if row.status != TenderStatus::Evaluated {
            return Err(transition("decide on a low bid", row.status));
        }
        let current = latest_evaluation_tx(&mut tx, &id)
            .await?
            .ok_or_else(|| corrupt("evaluated without a report"))?;
        let flagged = current.report.result.lots.iter().any(|l| {
            l.lot_id == lot_id
                && l.bids.iter().any(|b| {
                    b.bid_id == bid
                        && b.flags.contains(&BidFlag::AbnormallyLow)
                        && b.decision_reason.is_none()
                        && !b.flags.contains(&BidFlag::AutomaticallyExcluded)
                })
        });
        if !flagged {
            return Err(invalid("bid", "procurement-error-not-abnormally-low"));
        }
        let now = tx.now().as_micros();
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_low_bid_decisions (tender_id, bid_id, lot_id, accepted, reason, decided_by, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(&id)
        .bind(bid.to_hex())
        .bind(lot_id)
        .bind(accepted)
        .bind(&reason)
        .bind(principal.account.to_string())
        .bind(now)
        .execute(c)
        .await
        .map(drop)
        })?;
        tx.record(
            "procurement.low_bid.decide",
            format!("tender:{id}"),
            serde_json::json!({ "bid": bid.to_hex(), "lot": lot_id, "accepted": accepted, "reason": reason }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// Awards an evaluated tender on its current report: every bidder and interested supplier
    /// is told, and the standstill period starts (`standstill_days`).
    pub async fn award(
        &self,
        principal: &Principal,
        tender: TenderId,
    ) -> Result<Award, ProcurementError> {
        let id = tender.to_string();
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let row = tender_tx(&mut tx, &id).await?;
        require_manage(principal, &row.agency)?;
        if row.status != TenderStatus::Evaluated {
            return Err(transition("award", row.status));
        }
        let current = latest_evaluation_tx(&mut tx, &id)
            .await?
            .ok_or_else(|| corrupt("evaluated without a report"))?;
        if current.report.result.needs_justification() {
            return Err(ProcurementError::Transition {
                action: "award",
                status: "waiting for a decision on an abnormally low bid".into(),
            });
        }
        let lots = awarded_lots(&current.report);
        if lots.is_empty() {
            return Err(ProcurementError::Transition {
                action: "award",
                status: "without a winning bid (cancel the tender instead)".into(),
            });
        }
        let now = tx.now();
        let ends = Timestamp::from_micros(
            now.as_micros()
                .saturating_add(i64::from(self.config.standstill_days).saturating_mul(DAY_US)),
        );
        // A tender awarded again after an annulment replaces its award row; the annulled award
        // moves to the history first, so that open data keeps publishing it.
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_award_history (tender_id, evaluation_version, status, awarded_at, \
                standstill_ends_at, final_at, ended_at, end_reason) \
             SELECT tender_id, evaluation_version, status, awarded_at, standstill_ends_at, final_at, \
                ended_at, end_reason FROM procurement_awards WHERE tender_id = $1 \
             ON CONFLICT (tender_id, evaluation_version) DO NOTHING"
        )
        .bind(&id)
        .execute(c)
        .await
        .map(drop)
        })?;
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_awards (tender_id, evaluation_version, status, awarded_at, standstill_ends_at) \
             VALUES ($1, $2, 'standstill', $3, $4) \
             ON CONFLICT (tender_id) DO UPDATE SET evaluation_version = $2, status = 'standstill', \
                awarded_at = $3, standstill_ends_at = $4, final_at = NULL, ended_at = NULL, end_reason = NULL"
        )
        .bind(&id)
        .bind(current.version)
        .bind(now.as_micros())
        .bind(ends.as_micros())
        .execute(c)
        .await
        .map(drop)
        })?;
        on_tx!(tx, |c| sqlx::query(
            "UPDATE procurement_tenders SET status = 'awarded' WHERE id = $1"
        )
        .bind(&id)
        .execute(c)
        .await
        .map(drop))?;
        let lines: String = current
            .report
            .result
            .lots
            .iter()
            .map(|l| match &l.outcome {
                LotOutcome::Award {
                    supplier_id,
                    price_minor,
                    ..
                } => format!(
                    "Lot {}: awarded to {supplier_id} at {price_minor} {} (minor units).\n",
                    l.lot_id, l.currency
                ),
                _ => format!("Lot {}: no award.\n", l.lot_id),
            })
            .collect();
        let told = notify_tender(
            &mut tx,
            &id,
            &format!("Notice of award: {}", row.notice.title),
            &format!(
                "The tender {id} was awarded.\n\n{lines}\nThe standstill period ends at {ends}: until then a bidder may file a complaint. \
                 The signed evaluation report (version {}) is published.\n",
                current.version
            ),
        )
        .await?;
        tx.record(
            "procurement.tender.award",
            format!("tender:{id}"),
            serde_json::json!({
                "evaluation_version": current.version,
                "lots": lots,
                "standstill_ends_at": ends,
                "suppliers_told": told,
            }),
        );
        tx.commit().await?;
        Ok(Award {
            tender_id: tender,
            evaluation_version: current.version,
            status: AwardStatus::Standstill,
            suspended: false,
            awarded_at: now,
            standstill_ends_at: ends,
            final_at: None,
            ended_at: None,
            end_reason: None,
            lots,
        })
    }

    /// The award of a tender, with whether an open complaint suspends it.
    pub async fn award_of(&self, tender: TenderId) -> Result<Award, ProcurementError> {
        let id = tender.to_string();
        let mut tx = self.db.begin_bookkeeping("procurement award read").await?;
        let row: Option<AwardRow> = on_tx!(tx, |c| sqlx::query_as(AWARD_COLUMNS)
            .bind(&id)
            .fetch_optional(c)
            .await)?;
        let row = row.ok_or(ProcurementError::NotFound)?;
        let report: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT report FROM procurement_evaluations WHERE tender_id = $1 AND version = $2"
        )
        .bind(&id)
        .bind(row.0)
        .fetch_optional(c)
        .await)?;
        let report: EvaluationReport =
            from_json(&report.ok_or_else(|| corrupt("award without its report"))?)?;
        let open = open_complaints_tx(&mut tx, &id).await?;
        tx.rollback().await?;
        award_from(tender, row, &report, open > 0)
    }

    /// A bidder files a complaint against the award during the standstill period.
    pub async fn file_complaint(
        &self,
        principal: &Principal,
        business: BusinessId,
        tender: TenderId,
        grounds: &str,
    ) -> Result<ComplaintId, ProcurementError> {
        if !dasan_identity::business::acts_for(&self.registry, principal, business).await? {
            return Err(ProcurementError::Forbidden("not acting for this business"));
        }
        let grounds = clean_text(grounds, MAX_TEXT)
            .ok_or_else(|| invalid("grounds", "procurement-error-text"))?;
        let id = tender.to_string();
        let bid = business.to_string();
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let row = tender_tx(&mut tx, &id).await?;
        let bidder: Option<String> = on_tx!(tx, |c| {
            sqlx::query_scalar(
            "SELECT id FROM procurement_bids WHERE tender_id = $1 AND business_id = $2 AND status = 'active'"
        )
        .bind(&id)
        .bind(&bid)
        .fetch_optional(c)
        .await
        })?;
        if bidder.is_none() {
            return Err(ProcurementError::Forbidden("only bidders may complain"));
        }
        if row.status != TenderStatus::Awarded {
            return Err(transition("complain", row.status));
        }
        let award: Option<AwardRow> = on_tx!(tx, |c| sqlx::query_as(AWARD_COLUMNS)
            .bind(&id)
            .fetch_optional(c)
            .await)?;
        let award = award.ok_or_else(|| corrupt("awarded without an award"))?;
        let now = tx.now();
        if award.1 != AwardStatus::Standstill.as_str() || now.as_micros() >= award.3 {
            return Err(ProcurementError::StandstillOver(Timestamp::from_micros(
                award.3,
            )));
        }
        let cid = ComplaintId::new();
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_complaints (id, tender_id, business_id, filed_by, grounds, filed_at) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(cid.to_string())
        .bind(&id)
        .bind(&bid)
        .bind(principal.account.to_string())
        .bind(&grounds)
        .bind(now.as_micros())
        .execute(c)
        .await
        .map(drop)
        })?;
        tx.record(
            "procurement.complaint.file",
            format!("tender:{id}"),
            serde_json::json!({ "complaint": cid, "supplier": bid }),
        );
        tx.commit().await?;
        Ok(cid)
    }

    async fn complaint_tx(
        tx: &mut Tx,
        complaint: ComplaintId,
    ) -> Result<Complaint, ProcurementError> {
        type Row = (
            String,
            String,
            String,
            i64,
            Option<String>,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<i64>,
        );
        let r: Option<Row> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT tender_id, business_id, grounds, filed_at, answer, answered_at, decision, decision_reason, decided_at \
             FROM procurement_complaints WHERE id = $1"
        )
        .bind(complaint.to_string())
        .fetch_optional(c)
        .await
        })?;
        let r = r.ok_or(ProcurementError::NotFound)?;
        Ok(Complaint {
            id: complaint,
            tender_id: tender_id_of(&r.0)?,
            business_id: r.1,
            grounds: r.2,
            filed_at: Timestamp::from_micros(r.3),
            answer: r.4,
            answered_at: r.5.map(Timestamp::from_micros),
            decision: match r.6.as_deref() {
                None => None,
                Some("upheld") => Some(ComplaintDecision::Upheld),
                Some("dismissed") => Some(ComplaintDecision::Dismissed),
                Some(_) => return Err(corrupt("complaint decision")),
            },
            decision_reason: r.7,
            decided_at: r.8.map(Timestamp::from_micros),
        })
    }

    /// The procuring entity answers a complaint (once, before the review decision).
    pub async fn answer_complaint(
        &self,
        principal: &Principal,
        complaint: ComplaintId,
        answer: &str,
    ) -> Result<(), ProcurementError> {
        let answer = clean_text(answer, MAX_TEXT)
            .ok_or_else(|| invalid("answer", "procurement-error-text"))?;
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let c = Self::complaint_tx(&mut tx, complaint).await?;
        let id = c.tender_id.to_string();
        let row = tender_tx(&mut tx, &id).await?;
        require_manage(principal, &row.agency).map_err(|_| ProcurementError::NotFound)?;
        if c.answer.is_some() || c.decision.is_some() {
            return Err(ProcurementError::Transition {
                action: "answer a complaint",
                status: "already answered".into(),
            });
        }
        let now = tx.now().as_micros();
        on_tx!(tx, |x| sqlx::query(
            "UPDATE procurement_complaints SET answer = $2, answered_at = $3 WHERE id = $1"
        )
        .bind(complaint.to_string())
        .bind(&answer)
        .bind(now)
        .execute(x)
        .await
        .map(drop))?;
        tx.record(
            "procurement.complaint.answer",
            format!("tender:{id}"),
            serde_json::json!({ "complaint": complaint }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// The review body (procurement.manage at platform scope, independent of the procuring
    /// entity) decides an answered complaint. Upheld: the award is annulled and the tender
    /// returns to `opened` for a new evaluation; bidders are told either way.
    pub async fn decide_complaint(
        &self,
        principal: &Principal,
        complaint: ComplaintId,
        decision: ComplaintDecision,
        reason: &str,
    ) -> Result<(), ProcurementError> {
        require_review_body(principal)?;
        let reason = clean_text(reason, MAX_TEXT)
            .ok_or_else(|| invalid("reason", "procurement-error-text"))?;
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let c = Self::complaint_tx(&mut tx, complaint).await?;
        let id = c.tender_id.to_string();
        if c.decision.is_some() {
            return Err(ProcurementError::Transition {
                action: "decide a complaint",
                status: "already decided".into(),
            });
        }
        if c.answer.is_none() {
            return Err(ProcurementError::Transition {
                action: "decide a complaint",
                status: "waiting for the procuring entity's answer".into(),
            });
        }
        let row = tender_tx(&mut tx, &id).await?;
        let now = tx.now().as_micros();
        on_tx!(tx, |x| {
            sqlx::query(
            "UPDATE procurement_complaints SET decision = $2, decision_reason = $3, decided_by = $4, decided_at = $5 WHERE id = $1"
        )
        .bind(complaint.to_string())
        .bind(decision.as_str())
        .bind(&reason)
        .bind(principal.account.to_string())
        .bind(now)
        .execute(x)
        .await
        .map(drop)
        })?;
        let annul = decision == ComplaintDecision::Upheld && row.status == TenderStatus::Awarded;
        if annul {
            on_tx!(tx, |x| sqlx::query(
                "UPDATE procurement_awards SET status = 'annulled', ended_at = $2, end_reason = $3 \
                 WHERE tender_id = $1 AND status = 'standstill'"
            )
            .bind(&id)
            .bind(now)
            .bind(&reason)
            .execute(x)
            .await
            .map(drop))?;
            on_tx!(tx, |x| {
                sqlx::query(
                "UPDATE procurement_tenders SET status = 'opened' WHERE id = $1 AND status = 'awarded'"
            )
            .bind(&id)
            .execute(x)
            .await
            .map(drop)
            })?;
        }
        let told = notify_tender(
            &mut tx,
            &id,
            &format!("Complaint {}: {}", decision.as_str(), row.notice.title),
            &format!(
                "A complaint against the award of tender {id} was {}.\n\nReason: {reason}\n{}",
                decision.as_str(),
                if annul {
                    "\nThe award is annulled; the tender will be evaluated again.\n"
                } else {
                    ""
                }
            ),
        )
        .await?;
        tx.record(
            "procurement.complaint.decide",
            format!("tender:{id}"),
            serde_json::json!({
                "complaint": complaint,
                "decision": decision.as_str(),
                "reason": reason,
                "award_annulled": annul,
                "suppliers_told": told,
            }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// The complaints against a tender's award (grounds, answers and decisions are public).
    pub async fn complaints(&self, tender: TenderId) -> Result<Vec<Complaint>, ProcurementError> {
        let ids: Vec<String> = on_reader!(self.db, |p| sqlx::query_scalar(
            "SELECT id FROM procurement_complaints WHERE tender_id = $1 ORDER BY filed_at, id"
        )
        .bind(tender.to_string())
        .fetch_all(p)
        .await)?;
        let mut tx = self
            .db
            .begin_bookkeeping("procurement complaints read")
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for i in ids {
            let cid: ComplaintId = i.parse().map_err(|_| corrupt("complaint id"))?;
            out.push(Self::complaint_tx(&mut tx, cid).await?);
        }
        tx.rollback().await?;
        Ok(out)
    }

    /// The review body's queue (procurement.manage at platform scope): complaints across every
    /// agency, either the undecided ones oldest first or the decided ones newest first, at
    /// most [`REVIEW_LIST_LIMIT`], each with its tender's title and agency.
    pub async fn complaints_for_review(
        &self,
        principal: &Principal,
        decided: bool,
    ) -> Result<Vec<ComplaintForReview>, ProcurementError> {
        require_review_body(principal)?;
        let sql = if decided {
            "SELECT c.id, t.title, t.agency FROM procurement_complaints c \
             JOIN procurement_tenders t ON t.id = c.tender_id \
             WHERE c.decided_at IS NOT NULL ORDER BY c.decided_at DESC, c.id DESC LIMIT $1"
        } else {
            "SELECT c.id, t.title, t.agency FROM procurement_complaints c \
             JOIN procurement_tenders t ON t.id = c.tender_id \
             WHERE c.decided_at IS NULL ORDER BY c.filed_at, c.id LIMIT $1"
        };
        let rows: Vec<(String, String, String)> = on_reader!(self.db, |p| sqlx::query_as(sql)
            .bind(REVIEW_LIST_LIMIT)
            .fetch_all(p)
            .await)?;
        let mut tx = self
            .db
            .begin_bookkeeping("procurement complaints read")
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, tender_title, agency) in rows {
            let cid: ComplaintId = id.parse().map_err(|_| corrupt("complaint id"))?;
            out.push(ComplaintForReview {
                complaint: Self::complaint_tx(&mut tx, cid).await?,
                tender_title,
                agency,
            });
        }
        tx.rollback().await?;
        Ok(out)
    }

    /// Makes final every award whose standstill has ended with no open complaint; returns the
    /// tenders made final. Run by each node's worker; a suspended award waits for its
    /// complaints' decisions.
    pub async fn finalise_due(&self) -> Result<Vec<TenderId>, ProcurementError> {
        let now = self.now();
        let due: Vec<String> = on_reader!(self.db, |p| {
            sqlx::query_scalar(
            "SELECT a.tender_id FROM procurement_awards a WHERE a.status = 'standstill' AND a.standstill_ends_at <= $1 \
               AND NOT EXISTS (SELECT 1 FROM procurement_complaints c WHERE c.tender_id = a.tender_id AND c.decision IS NULL) \
             ORDER BY a.standstill_ends_at, a.tender_id LIMIT 100"
        )
        .bind(now.as_micros())
        .fetch_all(p)
        .await
        })?;
        let mut done = Vec::new();
        for id in due {
            let mut tx = self.db.begin(dasan_kernel::Actor::system()).await?;
            if open_complaints_tx(&mut tx, &id).await? > 0 {
                tx.rollback().await?;
                continue;
            }
            let at = tx.now().as_micros();
            // Conditional: another node may have finalised it meanwhile.
            let n = on_tx!(tx, |c| sqlx::query(
                "UPDATE procurement_awards SET status = 'final', final_at = $2 \
                 WHERE tender_id = $1 AND status = 'standstill' AND standstill_ends_at <= $2"
            )
            .bind(&id)
            .bind(at)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
            if n == 0 {
                tx.rollback().await?;
                continue;
            }
            tx.record(
                "procurement.award.final",
                format!("tender:{id}"),
                serde_json::json!({}),
            );
            tx.commit().await?;
            done.push(tender_id_of(&id)?);
        }
        Ok(done)
    }
}

/// Cancels the award of a tender being cancelled after opening (called from
/// [`Procurement::cancel`]). A final award cannot be cancelled here.
pub(crate) async fn cancel_award_tx(
    tx: &mut Tx,
    tender: &str,
    reason: &str,
) -> Result<(), ProcurementError> {
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "UPDATE procurement_awards SET status = 'cancelled', ended_at = $2, end_reason = $3 \
         WHERE tender_id = $1 AND status = 'standstill'"
    )
    .bind(tender)
    .bind(now)
    .bind(reason)
    .execute(c)
    .await
    .map(drop))?;
    Ok(())
}
