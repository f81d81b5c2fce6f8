//! Evaluation, award and complaints as pages, over the same domain calls as the API.
//!
//! - The procuring entity (procurement.manage in the tender's agency; 404 for anyone else), at
//!   `/procurement/office/tenders/{id}/award`: appoints the evaluation panel when the method
//!   scores criteria, evaluates once the bids are opened (and every sheet is in), decides on
//!   abnormally low bids the report flags, reads the signed report, awards, sees the award
//!   notice with its standstill end, and answers complaints. The review body
//!   (procurement.manage at platform scope) decides them on the same page.
//! - An evaluator, at `/procurement/evaluation`: the tenders waiting for their sheet, and a
//!   score form per bid, lot and criterion. Until every sheet is in they see their own points
//!   only: the page shows what `Procurement::scores` returns, which enforces that.
//! - A bidder, from the public tender page: the award notice and, during the standstill
//!   period, a complaint form at `/procurement/tenders/{id}/complaint`.

use super::procurement_opening::{amount, supplier_name};
use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::auth::Signed;
use crate::error::{WebError, problem_text};
use crate::extract::{PageForm, Query};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use dasan_identity::{AccountKind, Permission, Scope};
use dasan_kernel::{FieldError, Problem as _, Timestamp};
use dasan_procurement::evaluation::BidFlag;
use dasan_procurement::{
    Award, AwardStatus, BidId, Complaint, ComplaintDecision, ComplaintId, LotOutcome,
    ProcurementError, ScoreView, SheetEntry, SignedEvaluation, Tender, TenderId, TenderStatus,
};
use dasan_registry::BusinessId;
use serde::Deserialize;
use std::collections::BTreeMap;

fn when(t: Timestamp) -> String {
    super::account::when(t)
}

fn tender_id(text: &str) -> Result<TenderId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

fn complaint_id(text: &str) -> Result<ComplaintId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

/// A refusal the person can act on, said next to `field`; anything else is an error page.
fn said(ctx: &PageCtx, field: &str, e: ProcurementError) -> Result<Vec<ShownError>, WebError> {
    match e {
        ProcurementError::Invalid(fields) => {
            let moved: Vec<FieldError> = fields
                .into_iter()
                .map(|mut f| {
                    f.field = field.to_owned();
                    f
                })
                .collect();
            Ok(shown(ctx, &moved))
        }
        e @ (ProcurementError::Transition { .. }
        | ProcurementError::StandstillOver(_)
        | ProcurementError::TooEarly(_)) => Ok(vec![ShownError {
            field: field.to_owned(),
            message: format!(
                "{} {}",
                problem_text(ctx.tr(), e.code(), "title"),
                problem_text(ctx.tr(), e.code(), "detail")
            ),
        }]),
        ProcurementError::Forbidden(_) => Err(WebError::NotFound),
        e => Err(e.into()),
    }
}

/// A serde enum's JSON name (`abnormally_low`).
fn code_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Shown again as typed, without control characters other than line breaks, not endlessly.
fn typed(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(20_000)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// What the pages share: the report, the award and the complaints as people read them

struct BidLine {
    bid_id: String,
    supplier: String,
    price: String,
    rank: String,
    status: String,
    total: Option<String>,
    flags: Vec<String>,
    decision_reason: Option<String>,
    /// An abnormally low bid waiting for the entity's decision: its form's field id.
    decide: Option<String>,
    lot_id: String,
    /// What was typed in its decision form (shown again on an error).
    typed_reason: String,
}

struct LotView {
    lot_id: String,
    outcome: String,
    bids: Vec<BidLine>,
}

struct ReportView {
    version: i64,
    signed_by: String,
    created_at: String,
    lots: Vec<LotView>,
    needs_justification: bool,
    has_winner: bool,
}

async fn report_view(
    state: &AppState,
    ctx: &PageCtx,
    ev: &SignedEvaluation,
    names: &mut BTreeMap<String, String>,
) -> ReportView {
    let mut lots = Vec::new();
    for l in &ev.report.result.lots {
        let mut bids = Vec::new();
        for b in &l.bids {
            let undecided = b.flags.contains(&BidFlag::AbnormallyLow)
                && b.decision_reason.is_none()
                && !b.flags.contains(&BidFlag::AutomaticallyExcluded);
            bids.push(BidLine {
                bid_id: b.bid_id.to_hex(),
                supplier: supplier_name(state, &b.supplier_id, names).await,
                price: amount(b.price_minor, &b.currency),
                rank: b.rank.map(|r| r.to_string()).unwrap_or_else(|| "–".into()),
                status: ctx.t(&format!("procurement-bid-status-{}", code_of(&b.status))),
                total: b.score.as_ref().map(|s| s.total.decimal.clone()),
                flags: b
                    .flags
                    .iter()
                    .map(|f| ctx.t(&format!("procurement-flag-{}", code_of(f))))
                    .collect(),
                decision_reason: b.decision_reason.clone(),
                decide: undecided.then(|| low_field(&l.lot_id, &b.bid_id)),
                lot_id: l.lot_id.clone(),
                typed_reason: String::new(),
            });
        }
        let outcome = match &l.outcome {
            LotOutcome::Award {
                supplier_id,
                price_minor,
                ..
            } => {
                let name = supplier_name(state, supplier_id, names).await;
                let price = amount(*price_minor, &l.currency);
                ctx.tr().with_args(
                    "procurement-outcome-award",
                    [("supplier", name.as_str()), ("price", price.as_str())],
                )
            }
            LotOutcome::JustificationRequired { supplier_id, .. } => {
                let name = supplier_name(state, supplier_id, names).await;
                ctx.tw("procurement-outcome-justification", "supplier", name)
            }
            LotOutcome::NoAward { reason } => {
                ctx.t(&format!("procurement-outcome-none-{}", code_of(reason)))
            }
        };
        lots.push(LotView {
            lot_id: l.lot_id.clone(),
            outcome,
            bids,
        });
    }
    ReportView {
        version: ev.version,
        signed_by: ev.signature.key_id.clone(),
        created_at: when(ev.created_at),
        needs_justification: ev.report.result.needs_justification(),
        has_winner: !ev.report.result.winners().is_empty(),
        lots,
    }
}

/// The field id of an abnormally low bid's decision form.
fn low_field(lot: &str, bid: &BidId) -> String {
    let lot: String = lot
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("low-{lot}-{}", bid.to_hex())
}

pub(crate) struct AwardView {
    pub status: String,
    pub suspended: bool,
    pub awarded_at: String,
    pub standstill_ends_at: String,
    pub end_reason: Option<String>,
    /// (lot, "awarded to … at …")
    pub winners: Vec<(String, String)>,
}

async fn award_view(
    state: &AppState,
    ctx: &PageCtx,
    a: &Award,
    names: &mut BTreeMap<String, String>,
) -> AwardView {
    let mut winners = Vec::new();
    for l in &a.lots {
        let name = supplier_name(state, &l.supplier_id, names).await;
        let price = amount(l.price_minor, &l.currency);
        winners.push((
            l.lot_id.clone(),
            ctx.tr().with_args(
                "procurement-outcome-award",
                [("supplier", name.as_str()), ("price", price.as_str())],
            ),
        ));
    }
    AwardView {
        status: ctx.t(&format!("procurement-award-status-{}", a.status.as_str())),
        suspended: a.suspended && a.status == AwardStatus::Standstill,
        awarded_at: when(a.awarded_at),
        standstill_ends_at: when(a.standstill_ends_at),
        end_reason: a.end_reason.clone(),
        winners,
    }
}

async fn award_of(state: &AppState, id: TenderId) -> Result<Option<Award>, WebError> {
    match state.procurement().award_of(id).await {
        Ok(a) => Ok(Some(a)),
        Err(ProcurementError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub(crate) struct ComplaintView {
    pub id: String,
    pub bidder: String,
    pub grounds: String,
    pub filed_at: String,
    pub status: String,
    pub answer: Option<(String, String)>,
    /// (decision, reason, when)
    pub decision: Option<(String, String, String)>,
    /// The entity may answer (not answered, not decided).
    pub answerable: bool,
    /// Answered, not decided: the review body may decide.
    pub decidable: bool,
    pub typed_answer: String,
    pub typed_reason: String,
}

async fn complaint_views(
    state: &AppState,
    ctx: &PageCtx,
    list: Vec<Complaint>,
    names: &mut BTreeMap<String, String>,
    typed_for: Option<(&str, &str)>,
) -> Vec<ComplaintView> {
    let mut out = Vec::new();
    for c in list {
        let id = c.id.to_string();
        let typed_in = |prefix: &str| {
            typed_for
                .filter(|(f, _)| *f == format!("{prefix}-{id}"))
                .map(|(_, t)| t.to_owned())
                .unwrap_or_default()
        };
        let (typed_answer, typed_reason) = (typed_in("answer"), typed_in("reason"));
        let status = match (c.decision, c.answer.is_some()) {
            (Some(d), _) => format!("procurement-complaint-status-{}", d.as_str()),
            (None, true) => "procurement-complaint-status-answered".into(),
            (None, false) => "procurement-complaint-status-filed".into(),
        };
        out.push(ComplaintView {
            bidder: supplier_name(state, &c.business_id, names).await,
            grounds: c.grounds,
            filed_at: when(c.filed_at),
            status: ctx.t(&status),
            answerable: c.answer.is_none() && c.decision.is_none(),
            decidable: c.answer.is_some() && c.decision.is_none(),
            answer: c
                .answer
                .map(|a| (a, c.answered_at.map(when).unwrap_or_default())),
            decision: c.decision.map(|d| {
                (
                    ctx.t(&format!("procurement-complaint-status-{}", d.as_str())),
                    c.decision_reason.unwrap_or_default(),
                    c.decided_at.map(when).unwrap_or_default(),
                )
            }),
            typed_answer,
            typed_reason,
            id,
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The procuring entity's page

struct PanelRow {
    name: String,
    submitted_at: Option<String>,
}

struct Candidate {
    id: String,
    name: String,
    checked: bool,
}

/// A visible score: (evaluator, bidder, lot, criterion, points).
type ScoreRow = (String, String, String, String, u32);

#[derive(Template)]
#[template(path = "procurement_award.html")]
struct AwardPage {
    ctx: PageCtx,
    tender_id: String,
    title: String,
    status: String,
    method: String,
    /// (criterion, max points) the panel scores; empty: no panel.
    criteria: Vec<(String, u32)>,
    panel: Vec<PanelRow>,
    panel_complete: bool,
    candidates: Vec<Candidate>,
    can_appoint: bool,
    scores: Vec<ScoreRow>,
    can_evaluate: bool,
    evaluate_again: bool,
    report: Option<ReportView>,
    can_award: bool,
    award: Option<AwardView>,
    complaints: Vec<ComplaintView>,
    /// The tender's contracts, and whether one can be made (the award is final).
    contracts: Vec<super::procurement_contract::ContractLink>,
    can_contract: bool,
    /// The principal is the review body (procurement.manage at platform scope).
    reviewer: bool,
    notice: Option<String>,
    errors: Vec<ShownError>,
}

impl AwardPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// Evaluator labels in panel order: `Evaluator 1`, … (their names where the agency knows them).
fn panel_names(
    ctx: &PageCtx,
    view: &ScoreView,
    known: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    view.evaluators
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let id = e.account.to_string();
            let name = known
                .get(&id)
                .cloned()
                .unwrap_or_else(|| ctx.tw("procurement-evaluator-n", "n", i + 1));
            (id, name)
        })
        .collect()
}

#[derive(Default)]
struct Typed {
    evaluators: Vec<String>,
    /// (field id, text) of a low-bid decision or a complaint form.
    text: Option<(String, String)>,
}

async fn award_page(
    state: &AppState,
    ctx: PageCtx,
    signed: &Signed,
    id: TenderId,
    typed: Typed,
    notice: Option<String>,
    errors: Vec<ShownError>,
) -> Result<AwardPage, WebError> {
    let p = state.procurement();
    // 404 unless procurement.manage in the tender's agency (or at platform scope).
    let tender: Tender = p.tender_for_agency(&signed.principal, id).await?;
    let criteria: Vec<(String, u32)> = tender
        .notice
        .evaluation
        .method
        .scored_criteria()
        .into_iter()
        .map(|(n, m)| (n.to_owned(), m))
        .collect();
    let view = p.scores(&signed.principal, id).await?;
    let known: BTreeMap<String, String> = match p.committee_candidates(&signed.principal).await {
        Ok(c) => c
            .into_iter()
            .map(|c| (c.account.to_string(), c.name))
            .collect(),
        Err(_) => BTreeMap::new(),
    };
    let labels = panel_names(&ctx, &view, &known);
    let panel = view
        .evaluators
        .iter()
        .map(|e| PanelRow {
            name: labels
                .get(&e.account.to_string())
                .cloned()
                .unwrap_or_default(),
            submitted_at: e.submitted_at.map(when),
        })
        .collect();
    let can_appoint =
        tender.status == TenderStatus::Opened && !criteria.is_empty() && view.evaluators.is_empty();
    let candidates = if can_appoint {
        known
            .iter()
            .map(|(id, name)| Candidate {
                checked: typed.evaluators.contains(id),
                id: id.clone(),
                name: name.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut names = BTreeMap::new();
    let mut scores = Vec::new();
    for s in &view.scores {
        scores.push((
            labels.get(&s.evaluator).cloned().unwrap_or_default(),
            bidder_of(state, id, &s.bid_id, &mut names).await,
            s.lot_id.clone(),
            s.criterion.clone(),
            s.points,
        ));
    }
    let report = match p.evaluation(id).await {
        Ok(ev) => Some(report_view(state, &ctx, &ev, &mut names).await),
        Err(ProcurementError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let ready = criteria.is_empty() || view.complete;
    let can_evaluate = match tender.status {
        TenderStatus::Opened => ready,
        TenderStatus::Evaluated => true,
        _ => false,
    };
    let can_award = tender.status == TenderStatus::Evaluated
        && report
            .as_ref()
            .is_some_and(|r| !r.needs_justification && r.has_winner);
    let award = award_of(state, id).await?;
    let can_contract = award
        .as_ref()
        .is_some_and(|a| a.status == AwardStatus::Final);
    let award = match award {
        Some(a) => Some(award_view(state, &ctx, &a, &mut names).await),
        None => None,
    };
    let contracts =
        super::procurement_contract::contract_links(state, &ctx, Some(&signed.principal), id)
            .await?;
    let typed_text = typed.text.as_ref().map(|(f, t)| (f.as_str(), t.as_str()));
    let complaints =
        complaint_views(state, &ctx, p.complaints(id).await?, &mut names, typed_text).await;
    let mut report = report;
    // What was typed in a low-bid decision form comes back with it.
    if let (Some(r), Some((field, text))) = (report.as_mut(), typed_text) {
        for l in &mut r.lots {
            for b in &mut l.bids {
                if b.decide.as_deref() == Some(field) {
                    b.typed_reason = text.to_owned();
                }
            }
        }
    }
    Ok(AwardPage {
        tender_id: id.to_string(),
        status: ctx.t(&format!("procurement-status-{}", tender.status.as_str())),
        method: ctx.t(&format!(
            "procurement-evaluation-method-{}",
            tender.notice.evaluation.method.as_str()
        )),
        title: tender.notice.title,
        panel_complete: view.complete,
        evaluate_again: tender.status == TenderStatus::Evaluated,
        reviewer: signed
            .principal
            .has(Permission::ProcurementManage, Scope::Platform),
        criteria,
        panel,
        candidates,
        can_appoint,
        scores,
        can_evaluate,
        report,
        can_award,
        award,
        complaints,
        contracts,
        can_contract,
        notice,
        errors,
        ctx,
    })
}

/// The bidder of an opened bid (the opening record names it).
async fn bidder_of(
    state: &AppState,
    tender: TenderId,
    bid: &BidId,
    names: &mut BTreeMap<String, String>,
) -> String {
    let supplier = match state.procurement().opening(tender).await {
        Ok(o) => o
            .record
            .opened
            .iter()
            .find(|b| b.bid_id == *bid)
            .map(|b| b.supplier_id.clone()),
        Err(_) => None,
    };
    match supplier {
        Some(s) => supplier_name(state, &s, names).await,
        None => bid.to_hex(),
    }
}

#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

fn done_notice(ctx: &PageCtx, done: &str) -> Option<String> {
    match done {
        "appointed" | "evaluated" | "decided" | "awarded" | "answered" | "reviewed" => {
            Some(ctx.t(&format!("procurement-award-done-{done}")))
        }
        _ => None,
    }
}

/// `GET /procurement/office/tenders/{id}/award`
pub async fn office(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let notice = done_notice(&ctx, &q.done);
    let page = award_page(
        &state,
        ctx,
        &signed,
        id,
        Typed::default(),
        notice,
        Vec::new(),
    )
    .await?;
    render(&page)
}

fn office_done(id: TenderId, done: &str) -> Response {
    see_other(&format!(
        "/procurement/office/tenders/{id}/award?done={done}"
    ))
}

/// `POST /procurement/office/tenders/{id}/evaluators` (repeated `evaluators` fields).
pub async fn appoint(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let p = state.procurement();
    p.tender_for_agency(&signed.principal, id).await?;
    let chosen: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "evaluators")
        .map(|(_, v)| v)
        .take(100)
        .collect();
    let accounts: Result<Vec<dasan_identity::AccountId>, _> =
        chosen.iter().map(|a| a.trim().parse()).collect();
    let errors = match accounts {
        Err(_) => shown(
            &ctx,
            &[FieldError::new("evaluators", "procurement-error-evaluator")],
        ),
        Ok(accounts) => match p.appoint_evaluators(&signed.principal, id, &accounts).await {
            Ok(()) => return Ok(office_done(id, "appointed")),
            Err(e) => said(&ctx, "evaluators", e)?,
        },
    };
    let typed = Typed {
        evaluators: chosen,
        text: None,
    };
    let page = award_page(&state, ctx, &signed, id, typed, None, errors).await?;
    render_invalid(&page)
}

/// The form has nothing but its CSRF token.
#[derive(Deserialize)]
pub struct EmptyForm {}

/// `POST /procurement/office/tenders/{id}/evaluation`: evaluates (again); the signed report.
pub async fn evaluate(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(_form): PageForm<EmptyForm>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let p = state.procurement();
    p.tender_for_agency(&signed.principal, id).await?;
    let errors = match p.evaluate(&signed.principal, id).await {
        Ok(_) => return Ok(office_done(id, "evaluated")),
        Err(e) => said(&ctx, "evaluate", e)?,
    };
    let page = award_page(&state, ctx, &signed, id, Typed::default(), None, errors).await?;
    render_invalid(&page)
}

#[derive(Deserialize)]
pub struct LowBidForm {
    #[serde(default)]
    bid: String,
    #[serde(default)]
    lot: String,
    #[serde(default)]
    accepted: String,
    #[serde(default)]
    reason: String,
}

/// `POST /procurement/office/tenders/{id}/low-bid-decisions`: accept or reject an abnormally
/// low bid's explanation (evaluate again to apply it).
pub async fn decide_low_bid(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(form): PageForm<LowBidForm>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let p = state.procurement();
    p.tender_for_agency(&signed.principal, id).await?;
    let bid = BidId::from_hex(form.bid.trim()).ok_or(WebError::NotFound)?;
    let field = low_field(&form.lot, &bid);
    let accepted = match form.accepted.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let errors = match accepted {
        None => shown(
            &ctx,
            &[FieldError::new(
                format!("{field}-accepted"),
                "procurement-error-low-bid-choice",
            )],
        ),
        Some(accepted) => match p
            .decide_low_bid(
                &signed.principal,
                id,
                bid,
                &form.lot,
                accepted,
                &form.reason,
            )
            .await
        {
            Ok(()) => return Ok(office_done(id, "decided")),
            Err(e) => said(&ctx, &field, e)?,
        },
    };
    let typed = Typed {
        evaluators: Vec::new(),
        text: Some((field, typed(&form.reason))),
    };
    let page = award_page(&state, ctx, &signed, id, typed, None, errors).await?;
    render_invalid(&page)
}

/// `POST /procurement/office/tenders/{id}/award`: awards; every bidder is told; the
/// standstill period starts.
pub async fn award(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(_form): PageForm<EmptyForm>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let p = state.procurement();
    p.tender_for_agency(&signed.principal, id).await?;
    let errors = match p.award(&signed.principal, id).await {
        Ok(_) => return Ok(office_done(id, "awarded")),
        Err(e) => said(&ctx, "award", e)?,
    };
    let page = award_page(&state, ctx, &signed, id, Typed::default(), None, errors).await?;
    render_invalid(&page)
}

/// The complaint `cid` of tender `id` (404 if it is another tender's).
async fn complaint_of(state: &AppState, id: TenderId, cid: &str) -> Result<ComplaintId, WebError> {
    let cid = complaint_id(cid)?;
    if state
        .procurement()
        .complaints(id)
        .await?
        .iter()
        .any(|c| c.id == cid)
    {
        Ok(cid)
    } else {
        Err(WebError::NotFound)
    }
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
}

/// `POST /procurement/office/tenders/{id}/complaints/{complaint}/answer`
pub async fn answer(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path((id, cid)): Path<(String, String)>,
    PageForm(form): PageForm<AnswerForm>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let p = state.procurement();
    p.tender_for_agency(&signed.principal, id).await?;
    let cid = complaint_of(&state, id, &cid).await?;
    let field = format!("answer-{cid}");
    let errors = match p
        .answer_complaint(&signed.principal, cid, &form.answer)
        .await
    {
        Ok(()) => return Ok(office_done(id, "answered")),
        Err(ProcurementError::NotFound) => return Err(WebError::NotFound),
        Err(e) => said(&ctx, &field, e)?,
    };
    let typed = Typed {
        evaluators: Vec::new(),
        text: Some((field, typed(&form.answer))),
    };
    let page = award_page(&state, ctx, &signed, id, typed, None, errors).await?;
    render_invalid(&page)
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /procurement/office/tenders/{id}/complaints/{complaint}/decision`: the review body
/// (procurement.manage at platform scope) upholds — the award is annulled — or dismisses.
pub async fn decide(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path((id, cid)): Path<(String, String)>,
    PageForm(form): PageForm<DecisionForm>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    if !signed
        .principal
        .has(Permission::ProcurementManage, Scope::Platform)
    {
        return Err(WebError::NotFound);
    }
    let p = state.procurement();
    p.tender_for_agency(&signed.principal, id).await?;
    let cid = complaint_of(&state, id, &cid).await?;
    let field = format!("reason-{cid}");
    let decision = match form.decision.as_str() {
        "upheld" => Some(ComplaintDecision::Upheld),
        "dismissed" => Some(ComplaintDecision::Dismissed),
        _ => None,
    };
    let errors = match decision {
        None => shown(
            &ctx,
            &[FieldError::new(
                format!("decision-{cid}"),
                "procurement-error-complaint-decision",
            )],
        ),
        Some(d) => match p
            .decide_complaint(&signed.principal, cid, d, &form.reason)
            .await
        {
            Ok(()) => return Ok(office_done(id, "reviewed")),
            Err(e) => said(&ctx, &field, e)?,
        },
    };
    let typed = Typed {
        evaluators: Vec::new(),
        text: Some((field, typed(&form.reason))),
    };
    let page = award_page(&state, ctx, &signed, id, typed, None, errors).await?;
    render_invalid(&page)
}

// ---------------------------------------------------------------------------------------------
// The evaluator's pages

struct SeatRow {
    id: String,
    title: String,
    status: String,
    submitted_at: Option<String>,
    /// Opened and the sheet not in: waiting for this evaluator.
    waiting: bool,
}

#[derive(Template)]
#[template(path = "procurement_evaluations.html")]
struct SeatsPage {
    ctx: PageCtx,
    seats: Vec<SeatRow>,
}

fn officials_only(signed: &Signed) -> Result<(), WebError> {
    if signed.principal.kind == AccountKind::Official {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

/// `GET /procurement/evaluation`: the tenders on whose panel the official sits.
pub async fn seats(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    officials_only(&signed)?;
    let seats = state
        .procurement()
        .evaluation_seats(&signed.principal)
        .await?
        .into_iter()
        .map(|s| SeatRow {
            id: s.tender.id.to_string(),
            waiting: s.submitted_at.is_none() && s.tender.status == TenderStatus::Opened,
            status: ctx.t(&format!("procurement-status-{}", s.tender.status.as_str())),
            title: s.tender.title,
            submitted_at: s.submitted_at.map(when),
        })
        .collect();
    render(&SeatsPage { ctx, seats })
}

/// A complaint in the review body's queue.
struct ReviewRow {
    tender_id: String,
    tender_title: String,
    agency: String,
    complaint: ComplaintView,
}

#[derive(Template)]
#[template(path = "procurement_review.html")]
struct ReviewPage {
    ctx: PageCtx,
    open: Vec<ReviewRow>,
    decided: Vec<ReviewRow>,
}

async fn review_rows(
    state: &AppState,
    ctx: &PageCtx,
    signed: &Signed,
    decided: bool,
    names: &mut BTreeMap<String, String>,
) -> Result<Vec<ReviewRow>, WebError> {
    let list = match state
        .procurement()
        .complaints_for_review(&signed.principal, decided)
        .await
    {
        Ok(l) => l,
        Err(ProcurementError::Forbidden(_)) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let mut out = Vec::with_capacity(list.len());
    for r in list {
        let tender_id = r.complaint.tender_id.to_string();
        let complaint = complaint_views(state, ctx, vec![r.complaint], names, None)
            .await
            .pop()
            .ok_or_else(|| WebError::internal(&"a complaint view"))?;
        out.push(ReviewRow {
            tender_id,
            tender_title: r.tender_title,
            agency: r.agency,
            complaint,
        });
    }
    Ok(out)
}

/// `GET /procurement/review`: the review body's queue (procurement.manage at platform scope;
/// 404 for anyone else): complaints across every agency waiting for a decision, oldest first,
/// then the decided ones. Each is decided on its tender's award page.
pub async fn review(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    let mut names = BTreeMap::new();
    let open = review_rows(&state, &ctx, &signed, false, &mut names).await?;
    let decided = review_rows(&state, &ctx, &signed, true, &mut names).await?;
    render(&ReviewPage { ctx, open, decided })
}

struct ScoreField {
    id: String,
    label: String,
    max: u32,
    value: String,
}

struct ScoreBid {
    supplier: String,
    bid_id: String,
    fields: Vec<ScoreField>,
}

#[derive(Template)]
#[template(path = "procurement_scores.html")]
struct ScoresPage {
    ctx: PageCtx,
    tender_id: String,
    title: String,
    status: String,
    submitted: Option<String>,
    /// k of n sheets in.
    progress: String,
    complete: bool,
    can_score: bool,
    bids: Vec<ScoreBid>,
    /// What the domain lets this evaluator see: (evaluator, bidder, lot, criterion, points).
    scores: Vec<ScoreRow>,
    just_submitted: bool,
    errors: Vec<ShownError>,
}

impl ScoresPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// One line of the sheet the form asks for: (field id, bid, lot, criterion, max).
type SheetSlot = (String, BidId, String, String, u32);

async fn scores_page(
    state: &AppState,
    ctx: PageCtx,
    signed: &Signed,
    id: TenderId,
    form: &BTreeMap<String, String>,
    just_submitted: bool,
    errors: Vec<ShownError>,
) -> Result<(ScoresPage, Vec<SheetSlot>), WebError> {
    officials_only(signed)?;
    let p = state.procurement();
    let view = p.scores(&signed.principal, id).await?;
    let me = signed.principal.account;
    // Only the panel's members have this page (the entity has its own).
    let mine = view
        .evaluators
        .iter()
        .find(|e| e.account == me)
        .ok_or(WebError::NotFound)?;
    let submitted = mine.submitted_at.map(when);
    let tender = p.tender(id).await?;
    let criteria: Vec<(String, u32)> = tender
        .notice
        .evaluation
        .method
        .scored_criteria()
        .into_iter()
        .map(|(n, m)| (n.to_owned(), m))
        .collect();
    let mut names = BTreeMap::new();
    let mut bids = Vec::new();
    let mut slots = Vec::new();
    if let Ok(opening) = p.opening(id).await {
        for (bi, b) in opening.record.opened.iter().enumerate() {
            let mut fields = Vec::new();
            for (li, l) in b.lots.iter().enumerate() {
                for (ci, (name, max)) in criteria.iter().enumerate() {
                    let field = format!("s-{bi}-{li}-{ci}");
                    fields.push(ScoreField {
                        label: ctx.tr().with_args(
                            "procurement-score-label",
                            [
                                ("lot", l.lot_id.as_str()),
                                ("criterion", name.as_str()),
                                ("max", max.to_string().as_str()),
                            ],
                        ),
                        max: *max,
                        value: form.get(&field).map(|v| typed(v)).unwrap_or_default(),
                        id: field.clone(),
                    });
                    slots.push((field, b.bid_id, l.lot_id.clone(), name.clone(), *max));
                }
            }
            bids.push(ScoreBid {
                supplier: supplier_name(state, &b.supplier_id, &mut names).await,
                bid_id: b.bid_id.to_hex(),
                fields,
            });
        }
    }
    let labels = panel_names(&ctx, &view, &BTreeMap::new());
    let mut scores = Vec::new();
    for s in &view.scores {
        let who = if s.evaluator == me.to_string() {
            ctx.t("procurement-evaluator-you")
        } else {
            labels.get(&s.evaluator).cloned().unwrap_or_default()
        };
        scores.push((
            who,
            bidder_of(state, id, &s.bid_id, &mut names).await,
            s.lot_id.clone(),
            s.criterion.clone(),
            s.points,
        ));
    }
    let done = view
        .evaluators
        .iter()
        .filter(|e| e.submitted_at.is_some())
        .count()
        .to_string();
    let all = view.evaluators.len().to_string();
    Ok((
        ScoresPage {
            tender_id: id.to_string(),
            status: ctx.t(&format!("procurement-status-{}", tender.status.as_str())),
            title: tender.notice.title,
            progress: ctx.tr().with_args(
                "procurement-panel-progress",
                [("done", done.as_str()), ("all", all.as_str())],
            ),
            complete: view.complete,
            can_score: submitted.is_none() && tender.status == TenderStatus::Opened,
            submitted,
            bids,
            scores,
            just_submitted,
            errors,
            ctx,
        },
        slots,
    ))
}

#[derive(Deserialize)]
pub struct SubmittedQuery {
    #[serde(default)]
    submitted: String,
}

/// `GET /procurement/evaluation/tenders/{id}`: the score form, or the sheet as submitted.
pub async fn scores_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<SubmittedQuery>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let (page, _) = scores_page(
        &state,
        ctx,
        &signed,
        id,
        &BTreeMap::new(),
        !q.submitted.is_empty(),
        Vec::new(),
    )
    .await?;
    render(&page)
}

/// `POST /procurement/evaluation/tenders/{id}`: submits the whole sheet (final).
pub async fn submit_scores(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(form): PageForm<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let (_, slots) =
        scores_page(&state, ctx.clone(), &signed, id, &form, false, Vec::new()).await?;
    let mut fields = Vec::new();
    let mut sheet = Vec::new();
    for (field, bid, lot, criterion, max) in &slots {
        let text = form.get(field).map(|v| v.trim()).unwrap_or_default();
        match text.parse::<u32>() {
            Ok(points) if points <= *max => sheet.push(SheetEntry {
                bid_id: *bid,
                lot_id: lot.clone(),
                criterion: criterion.clone(),
                points,
            }),
            _ => fields.push(FieldError::new(field.clone(), "procurement-error-points")),
        }
    }
    let errors = if fields.is_empty() {
        match state
            .procurement()
            .submit_scores(&signed.principal, id, sheet)
            .await
        {
            Ok(()) => {
                return Ok(see_other(&format!(
                    "/procurement/evaluation/tenders/{id}?submitted=1"
                )));
            }
            // A line the domain refuses: `sheet[i]` is the i-th field of the form.
            Err(ProcurementError::Invalid(errs)) => {
                let moved: Vec<FieldError> = errs
                    .into_iter()
                    .map(|mut f| {
                        let index = f
                            .field
                            .strip_prefix("sheet[")
                            .and_then(|r| r.strip_suffix(']'))
                            .and_then(|i| i.parse::<usize>().ok());
                        f.field = index
                            .and_then(|i| slots.get(i))
                            .or_else(|| slots.first())
                            .map(|s| s.0.clone())
                            .unwrap_or_else(|| "scores".into());
                        f
                    })
                    .collect();
                shown(&ctx, &moved)
            }
            Err(e) => said(
                &ctx,
                slots.first().map(|s| s.0.as_str()).unwrap_or("scores"),
                e,
            )?,
        }
    } else {
        shown(&ctx, &fields)
    };
    let (page, _) = scores_page(&state, ctx, &signed, id, &form, false, errors).await?;
    render_invalid(&page)
}

// ---------------------------------------------------------------------------------------------
// The bidder's complaint form

#[derive(Template)]
#[template(path = "procurement_complaint.html")]
struct ComplaintPage {
    ctx: PageCtx,
    tender_id: String,
    title: String,
    award: AwardView,
    businesses: Vec<(String, String)>,
    business: String,
    grounds: String,
    errors: Vec<ShownError>,
}

impl ComplaintPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn complaint_page(
    state: &AppState,
    ctx: PageCtx,
    signed: &Signed,
    id: TenderId,
    business: Option<String>,
    grounds: String,
    errors: Vec<ShownError>,
) -> Result<ComplaintPage, WebError> {
    let p = state.procurement();
    let tender = p.tender(id).await?;
    let award = award_of(state, id).await?.ok_or(WebError::NotFound)?;
    let mut names = BTreeMap::new();
    let award = award_view(state, &ctx, &award, &mut names).await;
    let businesses = super::procurement::businesses_of(state, &signed.principal).await?;
    Ok(ComplaintPage {
        tender_id: id.to_string(),
        title: tender.notice.title,
        award,
        business: business
            .or_else(|| businesses.first().map(|b| b.0.clone()))
            .unwrap_or_default(),
        businesses,
        grounds,
        errors,
        ctx,
    })
}

/// `GET /procurement/tenders/{id}/complaint`: the complaint form (an awarded tender only).
pub async fn complaint_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let page = complaint_page(&state, ctx, &signed, id, None, String::new(), Vec::new()).await?;
    render(&page)
}

#[derive(Deserialize)]
pub struct ComplaintForm {
    #[serde(default)]
    business: String,
    #[serde(default)]
    grounds: String,
}

/// `POST /procurement/tenders/{id}/complaint`: files it (the award is suspended meanwhile).
pub async fn file_complaint(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(form): PageForm<ComplaintForm>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let errors = match form.business.trim().parse::<BusinessId>() {
        Err(_) => shown(
            &ctx,
            &[FieldError::new("business", "procurement-error-business")],
        ),
        Ok(business) => match state
            .procurement()
            .file_complaint(&signed.principal, business, id, &form.grounds)
            .await
        {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/procurement/tenders/{id}?complaint=filed#complaints"
                )));
            }
            Err(ProcurementError::Forbidden(_)) => shown(
                &ctx,
                &[FieldError::new(
                    "business",
                    "procurement-error-complaint-bidder",
                )],
            ),
            Err(e) => said(&ctx, "grounds", e)?,
        },
    };
    let page = complaint_page(
        &state,
        ctx,
        &signed,
        id,
        Some(form.business),
        typed(&form.grounds),
        errors,
    )
    .await?;
    render_invalid(&page)
}

// ---------------------------------------------------------------------------------------------
// On the public tender page

/// The award notice and the complaints, as the public tender page shows them.
pub(crate) struct PublicAward {
    pub award: AwardView,
    pub complaints: Vec<ComplaintView>,
    /// In the standstill period now: a bidder may complain.
    pub open_for_complaints: bool,
}

pub(crate) async fn public_award(
    state: &AppState,
    ctx: &PageCtx,
    id: TenderId,
) -> Result<Option<PublicAward>, WebError> {
    let Some(a) = award_of(state, id).await? else {
        return Ok(None);
    };
    let mut names = BTreeMap::new();
    let open_for_complaints =
        a.status == AwardStatus::Standstill && state.db().clock().now() < a.standstill_ends_at;
    let award = award_view(state, ctx, &a, &mut names).await;
    let list = state.procurement().complaints(id).await?;
    let complaints = complaint_views(state, ctx, list, &mut names, None).await;
    Ok(Some(PublicAward {
        award,
        complaints,
        open_for_complaints,
    }))
}
