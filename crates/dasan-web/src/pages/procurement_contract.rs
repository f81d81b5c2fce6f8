//! E-contracts as pages, over the same domain calls as the API.
//!
//! - The procuring entity (procurement.manage in the tender's agency; 404 for anyone else), at
//!   `/procurement/office/tenders/{id}/contract`: makes the contract of a final award with one
//!   of its winners (the lots and value come from the award).
//! - Both parties, at `/procurement/contracts/{id}`: the parties, value, milestones, versions
//!   with their signatures, deliveries and payments (with the late days the domain computes),
//!   and a link to the signed PDF. The entity signs, accepts deliveries, records payments,
//!   amends and terminates there; an authorised user of the supplier signs (the platform adds
//!   the supplier's e-seal) once the entity has. Anyone else finds no page (404).
//! - A bidder finds its contract from the award notice on the public tender page.

use super::procurement_opening::{amount, supplier_name};
use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::auth::{Auth, Signed};
use crate::error::{WebError, problem_text};
use crate::extract::{PageForm, Query};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use dasan_identity::{Permission, Principal, Scope};
use dasan_kernel::{Currency, FieldError, Money, Problem as _, Timestamp};
use dasan_procurement::contracts::kst_date;
use dasan_procurement::contracts::{MAX_MILESTONES, Milestone};
use dasan_procurement::{
    AmendmentRequest, AwardStatus, Contract, ContractId, ContractLanguage, ContractRequest,
    ContractStatus, MilestoneInput, ProcurementError, TenderId,
};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Milestone rows on the contract form (empty rows are ignored).
const MILESTONE_ROWS: usize = 6;
/// Empty milestone rows the amendment form adds after the current milestones.
const AMEND_EXTRA_ROWS: usize = 2;

fn when(t: Timestamp) -> String {
    super::account::when(t)
}

fn tender_id(text: &str) -> Result<TenderId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

fn contract_id(text: &str) -> Result<ContractId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

/// Shown again as typed, without control characters other than line breaks, not endlessly.
fn typed(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(4_000)
        .collect()
}

/// `2030-06-30`, strictly.
fn day(text: &str) -> Option<jiff::civil::Date> {
    let text = text.trim();
    let ok = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    ok.then(|| text.parse().ok()).flatten()
}

/// An amount in major units (`435,000,000`) as positive minor units.
fn minor(text: &str, currency: &str) -> Option<u64> {
    let text: String = text
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    let currency: Currency = currency.parse().ok()?;
    let m = Money::parse_major(&text, currency).ok()?;
    u64::try_from(m.minor).ok().filter(|m| *m > 0)
}

/// The milestone row field a domain error names (`milestones[0].due_on` → `{prefix}-0-due`).
fn row_field(field: &str, prefix: &str) -> Option<String> {
    let (i, part) = field.strip_prefix("milestones[")?.split_once("].")?;
    let part = match part {
        "title" => "title",
        "due_on" => "due",
        _ => "amount",
    };
    Some(format!("{prefix}-{i}-{part}"))
}

/// The form field a domain error names (`milestones[0].due_on` → `m-0-due`).
fn form_field(field: &str) -> String {
    if let Some(f) = row_field(field, "m") {
        return f;
    }
    match field {
        "business_id" => "business".into(),
        "value_minor" => "milestones".into(),
        other => other.into(),
    }
}

/// A refusal the person can act on, said next to its field (`fallback` when the domain names
/// none the form has); anything else is an error page, and a refusal of the role a 404.
fn said(
    ctx: &PageCtx,
    fallback: &str,
    known: &[&str],
    e: ProcurementError,
) -> Result<Vec<ShownError>, WebError> {
    match e {
        ProcurementError::Invalid(fields) => {
            let moved: Vec<FieldError> = fields
                .into_iter()
                .map(|mut f| {
                    let name = form_field(&f.field);
                    f.field = if name.starts_with("m-") || known.contains(&name.as_str()) {
                        name
                    } else {
                        fallback.to_owned()
                    };
                    f
                })
                .collect();
            Ok(shown(ctx, &moved))
        }
        e @ ProcurementError::Transition { .. } => Ok(vec![ShownError {
            field: fallback.to_owned(),
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

fn status_label(ctx: &PageCtx, s: ContractStatus) -> String {
    ctx.t(&format!("contract-status-{}", s.as_str()))
}

// ---------------------------------------------------------------------------------------------
// Making the contract

struct Winner {
    id: String,
    label: String,
}

#[derive(Default, Clone, PartialEq, Eq)]
struct MilestoneRow {
    title: String,
    due: String,
    amount: String,
}

impl MilestoneRow {
    fn is_empty(&self) -> bool {
        self.title.trim().is_empty() && self.due.trim().is_empty() && self.amount.trim().is_empty()
    }
}

/// The rows `{prefix}-{i}-title|due|amount` of a posted form, as typed.
fn posted_rows(pairs: &[(String, String)], prefix: &str, rows: usize) -> Vec<MilestoneRow> {
    let get = |name: String| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| typed(v))
            .unwrap_or_default()
    };
    (0..rows)
        .map(|i| MilestoneRow {
            title: get(format!("{prefix}-{i}-title")),
            due: get(format!("{prefix}-{i}-due")),
            amount: get(format!("{prefix}-{i}-amount")),
        })
        .collect()
}

/// The non-empty rows as milestones, each with its row number; a row that does not parse is an
/// error on its field (`{prefix}-{i}-due`, `{prefix}-{i}-amount`).
fn parse_rows(
    rows: &[MilestoneRow],
    prefix: &str,
    currency: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<(usize, MilestoneInput)> {
    let mut out = Vec::new();
    for (i, m) in rows.iter().enumerate() {
        if m.is_empty() {
            continue;
        }
        let due = day(&m.due);
        if due.is_none() {
            errors.push(FieldError::new(
                format!("{prefix}-{i}-due"),
                "procurement-error-day",
            ));
        }
        let amount_minor = minor(&m.amount, currency);
        if amount_minor.is_none() {
            errors.push(FieldError::new(
                format!("{prefix}-{i}-amount"),
                "procurement-error-amount",
            ));
        }
        if let (Some(due_on), Some(amount_minor)) = (due, amount_minor) {
            out.push((
                i,
                MilestoneInput {
                    title: m.title.clone(),
                    due_on,
                    amount_minor,
                },
            ));
        }
    }
    out
}

/// A domain error on `milestones[k]…` renamed to the form row the k-th kept milestone came from.
fn renumbered(fields: Vec<FieldError>, rows: &[usize]) -> Vec<FieldError> {
    fields
        .into_iter()
        .map(|mut f| {
            if let Some(rest) = f.field.strip_prefix("milestones[")
                && let Some((i, part)) = rest.split_once(']')
                && let Some(row) = i.parse::<usize>().ok().and_then(|i| rows.get(i))
            {
                f.field = format!("milestones[{row}]{part}");
            }
            f
        })
        .collect()
}

#[derive(Default)]
struct ContractFields {
    business: String,
    period_start: String,
    period_end: String,
    payment_term_days: String,
    language: String,
    milestones: Vec<MilestoneRow>,
}

#[derive(Template)]
#[template(path = "procurement_contract_new.html")]
struct NewPage {
    ctx: PageCtx,
    tender_id: String,
    title: String,
    /// The award is final: a contract can be made.
    ready: bool,
    /// Final, but every winner already has its contract.
    all_made: bool,
    winners: Vec<Winner>,
    form: ContractFields,
    errors: Vec<ShownError>,
}

impl NewPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn new_page(
    state: &AppState,
    ctx: PageCtx,
    signed: &Signed,
    id: TenderId,
    form: Option<ContractFields>,
    errors: Vec<ShownError>,
) -> Result<NewPage, WebError> {
    let p = state.procurement();
    // 404 unless procurement.manage in the tender's agency (or at platform scope).
    let tender = p.tender_for_agency(&signed.principal, id).await?;
    let award = match p.award_of(id).await {
        Ok(a) => Some(a),
        Err(ProcurementError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let ready = award
        .as_ref()
        .is_some_and(|a| a.status == AwardStatus::Final);
    let contracted: Vec<String> = p
        .contracts_of(id)
        .await?
        .into_iter()
        .map(|c| c.business_id)
        .collect();
    let mut names = BTreeMap::new();
    let mut totals: BTreeMap<String, (u128, String)> = BTreeMap::new();
    for l in award.iter().flat_map(|a| a.lots.iter()) {
        let e = totals
            .entry(l.supplier_id.clone())
            .or_insert((0, l.currency.clone()));
        e.0 += u128::from(l.price_minor);
    }
    let mut winners = Vec::new();
    for (supplier, (total, currency)) in totals {
        if contracted.contains(&supplier) {
            continue;
        }
        let name = supplier_name(state, &supplier, &mut names).await;
        let value = amount(u64::try_from(total).unwrap_or(u64::MAX), &currency);
        winners.push(Winner {
            id: supplier,
            label: format!("{name} · {value}"),
        });
    }
    let mut form = form.unwrap_or_else(|| ContractFields {
        business: winners.first().map(|w| w.id.clone()).unwrap_or_default(),
        payment_term_days: "30".into(),
        language: ctx.lang.to_owned(),
        ..ContractFields::default()
    });
    form.milestones
        .resize(MILESTONE_ROWS, MilestoneRow::default());
    Ok(NewPage {
        tender_id: id.to_string(),
        title: tender.notice.title,
        ready: ready && !winners.is_empty(),
        all_made: ready && winners.is_empty(),
        winners,
        form,
        errors,
        ctx,
    })
}

/// `GET /procurement/office/tenders/{id}/contract`: the form, once the award is final.
pub async fn new_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    render(&new_page(&state, ctx, &signed, id, None, Vec::new()).await?)
}

/// `POST /procurement/office/tenders/{id}/contract`: the draft; then to its page to sign it.
pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let p = state.procurement();
    p.tender_for_agency(&signed.principal, id).await?;
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| typed(v))
            .unwrap_or_default()
    };
    let form = ContractFields {
        business: get("business"),
        period_start: get("period_start"),
        period_end: get("period_end"),
        payment_term_days: get("payment_term_days"),
        language: get("language"),
        milestones: posted_rows(&pairs, "m", MILESTONE_ROWS),
    };
    // The currency of the award (KRW when there is none yet: the domain refuses anyway).
    let currency = match p.award_of(id).await {
        Ok(a) => a
            .lots
            .iter()
            .find(|l| l.supplier_id == form.business.trim())
            .or(a.lots.first())
            .map(|l| l.currency.clone())
            .unwrap_or_else(|| "KRW".into()),
        Err(_) => "KRW".into(),
    };
    let mut errors = Vec::new();
    let bad = |errors: &mut Vec<FieldError>, field: String, message: &'static str| {
        errors.push(FieldError::new(field, message));
    };
    let business = form.business.trim().parse().ok();
    if business.is_none() {
        bad(
            &mut errors,
            "business".into(),
            "procurement-error-business-id",
        );
    }
    let start = day(&form.period_start);
    if start.is_none() {
        bad(&mut errors, "period_start".into(), "procurement-error-day");
    }
    let end = day(&form.period_end);
    if end.is_none() {
        bad(&mut errors, "period_end".into(), "procurement-error-day");
    }
    let term = form.payment_term_days.trim().parse::<u32>().ok();
    if term.is_none() {
        bad(
            &mut errors,
            "payment_term_days".into(),
            "procurement-error-payment-term",
        );
    }
    let milestones = parse_rows(&form.milestones, "m", &currency, &mut errors);
    if milestones.is_empty() && errors.iter().all(|e| !e.field.starts_with("m-")) {
        bad(
            &mut errors,
            "milestones".into(),
            "procurement-error-milestones",
        );
    }
    let language = if form.language == "en" {
        ContractLanguage::En
    } else {
        ContractLanguage::Ko
    };
    let errors = match (business, start, end, term, errors.is_empty()) {
        (Some(business_id), Some(period_start), Some(period_end), Some(term), true) => {
            // Rows are numbered as typed: the domain's `milestones[i]` is the i-th kept row.
            let rows: Vec<usize> = milestones.iter().map(|(i, _)| *i).collect();
            let req = ContractRequest {
                business_id,
                period_start,
                period_end,
                payment_term_days: term,
                milestones: milestones.into_iter().map(|(_, m)| m).collect(),
                language,
            };
            match p.create_contract(&signed.principal, id, req).await {
                Ok(c) => {
                    return Ok(see_other(&format!(
                        "/procurement/contracts/{}?done=created",
                        c.id
                    )));
                }
                Err(ProcurementError::Invalid(fields)) => said(
                    &ctx,
                    "business",
                    &[
                        "business",
                        "period_start",
                        "period_end",
                        "payment_term_days",
                        "milestones",
                    ],
                    ProcurementError::Invalid(renumbered(fields, &rows)),
                )?,
                Err(e) => said(&ctx, "business", &[], e)?,
            }
        }
        _ => shown(&ctx, &errors),
    };
    let page = new_page(&state, ctx, &signed, id, Some(form), errors).await?;
    render_invalid(&page)
}

// ---------------------------------------------------------------------------------------------
// The contract page

struct MilestoneView {
    id: String,
    title: String,
    due_on: String,
    amount: String,
    /// Accepted on …, rejected: …, or waiting.
    delivery: String,
    paid: String,
    /// The entity may decide on its delivery now.
    acceptable: bool,
}

struct VersionView {
    version: i64,
    reason: Option<String>,
    value: String,
    period: String,
    entity_signed_at: Option<String>,
    supplier_signed_at: Option<String>,
    /// Its PDF exists (the entity has signed).
    pdf: bool,
}

struct PaymentView {
    milestone: String,
    amount: String,
    paid_on: String,
    due_on: String,
    late_days: u32,
}

/// What the forms' fields held when the page comes back with errors.
#[derive(Default)]
struct Typed {
    /// (milestone id, notes)
    notes: Option<(String, String)>,
    payment: Option<(String, String, String)>,
    amendment: Option<AmendTyped>,
    termination: String,
}

/// The amendment form as typed.
#[derive(Default, Clone)]
struct AmendTyped {
    reason: String,
    value: String,
    period_end: String,
    rows: Vec<MilestoneRow>,
}

#[derive(Template)]
#[template(path = "procurement_contract.html")]
struct ContractPage {
    ctx: PageCtx,
    id: String,
    tender_id: String,
    tender_title: String,
    status: String,
    agency: String,
    supplier: String,
    supplier_number: String,
    value: String,
    period: String,
    payment_term_days: u32,
    lots: Vec<(String, String)>,
    milestones: Vec<MilestoneView>,
    versions: Vec<VersionView>,
    payments: Vec<PaymentView>,
    end_reason: Option<String>,
    /// The viewer speaks for the procuring entity (otherwise for the supplier).
    entity: bool,
    can_sign_entity: bool,
    can_sign_supplier: bool,
    /// The viewer speaks for the supplier.
    supplier_view: bool,
    /// Waiting for the entity's signature (the supplier's view says so).
    awaiting_entity: bool,
    active: bool,
    can_amend: bool,
    /// The amendment form's milestone rows: as typed, else the current milestones and empty rows.
    amend_rows: Vec<MilestoneRow>,
    can_terminate: bool,
    /// Accepted milestones with something left to pay: (id, label).
    payable: Vec<(String, String)>,
    today: String,
    typed: Typed,
    notice: Option<String>,
    errors: Vec<ShownError>,
}

impl ContractPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn notes_for(&self, milestone: &str) -> &str {
        match &self.typed.notes {
            Some((m, text)) if m == milestone => text,
            _ => "",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Entity,
    Supplier,
    /// Anyone else: the contract only once both parties have signed, without forms.
    Public,
}

/// The contract and who the viewer is to it; 404 when they may not see it.
async fn contract_seen(
    state: &AppState,
    principal: Option<&Principal>,
    id: ContractId,
) -> Result<(Contract, Role), WebError> {
    let p = state.procurement();
    let c = match p.contract(id).await {
        Ok(c) => c,
        Err(ProcurementError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let role = match principal {
        Some(pr)
            if pr.has(Permission::ProcurementManage, Scope::Agency(&c.agency))
                || pr.has(Permission::ProcurementManage, Scope::Platform) =>
        {
            Role::Entity
        }
        Some(pr) if p.is_party(pr, &c).await? => Role::Supplier,
        _ => Role::Public,
    };
    if role == Role::Public
        && matches!(
            c.status,
            ContractStatus::Draft | ContractStatus::EntitySigned
        )
    {
        return Err(WebError::NotFound);
    }
    Ok((c, role))
}

/// The contract, if `principal` is one of its parties (and for which), else 404.
async fn contract_for(
    state: &AppState,
    principal: &Principal,
    id: ContractId,
) -> Result<(Contract, Role), WebError> {
    match contract_seen(state, Some(principal), id).await? {
        (_, Role::Public) => Err(WebError::NotFound),
        seen => Ok(seen),
    }
}

/// The contract page again, with what was typed and why it was refused (422).
async fn reshow(
    state: &AppState,
    ctx: PageCtx,
    principal: &Principal,
    id: ContractId,
    typed: Typed,
    errors: Vec<ShownError>,
) -> Result<Response, WebError> {
    let page = contract_page(state, ctx, Some(principal), id, typed, None, errors).await?;
    render_invalid(&page)
}

async fn contract_page(
    state: &AppState,
    ctx: PageCtx,
    principal: Option<&Principal>,
    id: ContractId,
    typed: Typed,
    notice: Option<String>,
    errors: Vec<ShownError>,
) -> Result<ContractPage, WebError> {
    let (c, role) = contract_seen(state, principal, id).await?;
    let entity = role == Role::Entity;
    let tender = state.procurement().tender(c.tender_id).await?;
    let latest = c
        .latest()
        .cloned()
        .ok_or_else(|| WebError::internal(&"a contract without a version"))?;
    let terms = c.current().map_or(&latest.terms, |v| &v.terms).clone();
    let cur = terms.currency.clone();
    let progress = c.progress();
    let active = c.status == ContractStatus::Active;
    let milestones = terms
        .milestones
        .iter()
        .map(|m| {
            let decision = c.acceptances.iter().rev().find(|a| a.milestone_id == m.id);
            let delivery = match decision {
                Some(a) if a.accepted => {
                    ctx.tw("contract-delivery-accepted", "when", when(a.decided_at))
                }
                Some(a) => ctx.tw("contract-delivery-rejected", "notes", a.notes.clone()),
                None => ctx.t("contract-delivery-waiting"),
            };
            MilestoneView {
                id: m.id.clone(),
                title: m.title.clone(),
                due_on: m.due_on.to_string(),
                amount: amount(m.amount_minor, &cur),
                delivery,
                paid: amount(progress.paid.get(&m.id).copied().unwrap_or(0), &cur),
                acceptable: entity && active && !progress.accepted.contains_key(&m.id),
            }
        })
        .collect();
    let payable = terms
        .milestones
        .iter()
        .filter(|m| {
            progress.accepted.contains_key(&m.id)
                && progress.paid.get(&m.id).copied().unwrap_or(0) < m.amount_minor
        })
        .map(|m| (m.id.clone(), format!("{} · {}", m.id, m.title)))
        .collect();
    let versions = c
        .versions
        .iter()
        .map(|v| VersionView {
            version: v.version,
            reason: v.reason.clone(),
            value: amount(v.terms.value_minor, &v.terms.currency),
            period: format!("{} – {}", v.terms.period_start, v.terms.period_end),
            entity_signed_at: v.entity_signed_at.map(when),
            supplier_signed_at: v.supplier_signed_at.map(when),
            pdf: v.entity_signed_at.is_some(),
        })
        .collect();
    let payments = c
        .payments
        .iter()
        .map(|pay| PaymentView {
            milestone: pay.milestone_id.clone(),
            amount: amount(pay.amount_minor, &pay.currency),
            paid_on: pay.paid_on.to_string(),
            due_on: pay.due_on.to_string(),
            late_days: pay.late_days,
        })
        .collect();
    let ended = c.status.ended();
    let pending_amendment = !latest.fully_signed();
    let amend_rows = match &typed.amendment {
        Some(a) => a.rows.clone(),
        None => current_rows(&terms.milestones, &cur),
    };
    let mut names = BTreeMap::new();
    let supplier = if c.supplier_name.is_empty() {
        supplier_name(state, &c.business_id, &mut names).await
    } else {
        c.supplier_name.clone()
    };
    Ok(ContractPage {
        id: c.id.to_string(),
        tender_id: c.tender_id.to_string(),
        tender_title: tender.notice.title,
        status: status_label(&ctx, c.status),
        agency: c.agency.clone(),
        supplier,
        supplier_number: c.supplier_number.clone(),
        value: amount(terms.value_minor, &cur),
        period: format!("{} – {}", terms.period_start, terms.period_end),
        payment_term_days: terms.payment_term_days,
        lots: terms
            .lots
            .iter()
            .map(|l| {
                (
                    format!("{} · {}", l.lot_id, l.title),
                    amount(l.price_minor, &cur),
                )
            })
            .collect(),
        milestones,
        versions,
        payments,
        end_reason: c.end_reason.clone(),
        can_sign_entity: entity && !ended && latest.entity_signed_at.is_none(),
        can_sign_supplier: role == Role::Supplier
            && !ended
            && latest.entity_signed_at.is_some()
            && latest.supplier_signed_at.is_none(),
        supplier_view: role == Role::Supplier,
        awaiting_entity: !ended && latest.entity_signed_at.is_none(),
        can_amend: entity && active && !pending_amendment,
        amend_rows,
        can_terminate: entity && !ended,
        active,
        entity,
        payable,
        today: kst_date(state.db().clock().now()).to_string(),
        typed,
        notice,
        errors,
        ctx,
    })
}

#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

fn done_notice(ctx: &PageCtx, done: &str) -> Option<String> {
    match done {
        "created" | "signed" | "accepted" | "rejected" | "paid" | "amended" | "terminated" => {
            Some(ctx.t(&format!("contract-done-{done}")))
        }
        _ => None,
    }
}

fn done(id: ContractId, done: &str) -> Response {
    see_other(&format!("/procurement/contracts/{id}?done={done}"))
}

/// `GET /procurement/contracts/{id}`: the contract as its parties see it (and, once both have
/// signed, everyone).
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    axum::Extension(auth): axum::Extension<Auth>,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let id = contract_id(&id)?;
    let notice = done_notice(&ctx, &q.done);
    let page = contract_page(
        &state,
        ctx,
        auth.principal(),
        id,
        Typed::default(),
        notice,
        Vec::new(),
    )
    .await?;
    render(&page)
}

/// A contract in the supplier's list.
struct MyContractRow {
    id: String,
    tender_title: String,
    supplier: String,
    agency: String,
    status: String,
    value: String,
    /// The entity has signed the latest version and the supplier has not.
    to_sign: bool,
}

#[derive(Template)]
#[template(path = "procurement_my_contracts.html")]
struct MyContractsPage {
    ctx: PageCtx,
    contracts: Vec<MyContractRow>,
}

/// `GET /procurement/contracts`: the contracts of the businesses the person bids for, newest
/// first, those waiting for their signature marked.
pub async fn mine(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    let p = state.procurement();
    let mut titles: BTreeMap<TenderId, String> = BTreeMap::new();
    let mut contracts = Vec::new();
    for c in p.my_contracts(&signed.principal).await? {
        let tender_title = match titles.get(&c.tender_id) {
            Some(t) => t.clone(),
            None => {
                let t = p.tender(c.tender_id).await?.notice.title;
                titles.insert(c.tender_id, t.clone());
                t
            }
        };
        let latest = c.latest();
        let terms = c.current().or(latest).map(|v| &v.terms);
        contracts.push(MyContractRow {
            id: c.id.to_string(),
            tender_title,
            supplier: c.supplier_name.clone(),
            agency: c.agency.clone(),
            status: status_label(&ctx, c.status),
            value: terms.map_or_else(String::new, |t| amount(t.value_minor, &t.currency)),
            to_sign: !c.status.ended()
                && latest.is_some_and(|v| {
                    v.entity_signed_at.is_some() && v.supplier_signed_at.is_none()
                }),
        });
    }
    render(&MyContractsPage { ctx, contracts })
}

/// The form has nothing but its CSRF token.
#[derive(Deserialize)]
pub struct EmptyForm {}

/// `POST /procurement/contracts/{id}/signatures/entity`: the entity signs the latest version
/// with its agency's document-signing key.
pub async fn sign_entity(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(_form): PageForm<EmptyForm>,
) -> Result<Response, WebError> {
    let id = contract_id(&id)?;
    contract_for(&state, &signed.principal, id).await?;
    let errors = match state
        .procurement()
        .sign_contract_as_entity(&signed.principal, id)
        .await
    {
        Ok(_) => return Ok(done(id, "signed")),
        Err(e) => said(&ctx, "sign", &[], e)?,
    };
    reshow(&state, ctx, &signed.principal, id, Typed::default(), errors).await
}

/// `POST /procurement/contracts/{id}/signatures/supplier`: an authorised user of the supplier
/// signs after the entity; the platform adds the supplier's e-seal.
pub async fn sign_supplier(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(_form): PageForm<EmptyForm>,
) -> Result<Response, WebError> {
    let id = contract_id(&id)?;
    contract_for(&state, &signed.principal, id).await?;
    let errors = match state
        .procurement()
        .sign_contract_as_supplier(&signed.principal, id)
        .await
    {
        Ok(_) => return Ok(done(id, "signed")),
        Err(e) => said(&ctx, "sign", &[], e)?,
    };
    reshow(&state, ctx, &signed.principal, id, Typed::default(), errors).await
}

#[derive(Deserialize)]
pub struct AcceptanceForm {
    #[serde(default)]
    accepted: String,
    #[serde(default)]
    notes: String,
}

/// `POST /procurement/contracts/{id}/milestones/{milestone}/acceptance`
pub async fn accept(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path((id, milestone)): Path<(String, String)>,
    PageForm(form): PageForm<AcceptanceForm>,
) -> Result<Response, WebError> {
    let id = contract_id(&id)?;
    let (c, _) = contract_for(&state, &signed.principal, id).await?;
    let Some(m) = c
        .latest()
        .and_then(|v| v.terms.milestones.iter().find(|m| m.id == milestone))
        .map(|m| m.id.clone())
    else {
        return Err(WebError::NotFound);
    };
    let choice = format!("accepted-{m}");
    let notes = format!("notes-{m}");
    let accepted = match form.accepted.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let errors = match accepted {
        None => shown(
            &ctx,
            &[FieldError::new(choice, "contract-error-acceptance")],
        ),
        Some(accepted) => match state
            .procurement()
            .accept_delivery(&signed.principal, id, &m, accepted, &form.notes)
            .await
        {
            Ok(_) => return Ok(done(id, if accepted { "accepted" } else { "rejected" })),
            Err(e) => said(&ctx, &notes, &[], e)?,
        },
    };
    let t = Typed {
        notes: Some((m, typed(&form.notes))),
        ..Typed::default()
    };
    reshow(&state, ctx, &signed.principal, id, t, errors).await
}

#[derive(Deserialize)]
pub struct PaymentForm {
    #[serde(default)]
    milestone_id: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    paid_on: String,
}

/// `POST /procurement/contracts/{id}/payments`: the due date and late days are computed.
pub async fn pay(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(form): PageForm<PaymentForm>,
) -> Result<Response, WebError> {
    let id = contract_id(&id)?;
    let (c, _) = contract_for(&state, &signed.principal, id).await?;
    let currency = c
        .latest()
        .map_or_else(|| "KRW".to_owned(), |v| v.terms.currency.clone());
    let amount_minor = minor(&form.amount, &currency);
    let paid_on = day(&form.paid_on);
    let mut errors = Vec::new();
    if form.milestone_id.is_empty() || form.milestone_id.len() > 10 {
        errors.push(FieldError::new(
            "milestone_id",
            "procurement-error-milestone",
        ));
    }
    if amount_minor.is_none() {
        errors.push(FieldError::new("amount", "procurement-error-amount"));
    }
    if paid_on.is_none() {
        errors.push(FieldError::new("paid_on", "procurement-error-day"));
    }
    let errors = match (amount_minor, paid_on, errors.is_empty()) {
        (Some(a), Some(on), true) => match state
            .procurement()
            .record_payment(&signed.principal, id, &form.milestone_id, a, on)
            .await
        {
            Ok(_) => return Ok(done(id, "paid")),
            Err(ProcurementError::Invalid(mut fields)) => {
                for f in &mut fields {
                    if f.field == "amount_minor" {
                        f.field = "amount".into();
                    }
                }
                said(
                    &ctx,
                    "milestone_id",
                    &["milestone_id", "amount", "paid_on"],
                    ProcurementError::Invalid(fields),
                )?
            }
            Err(e) => said(&ctx, "milestone_id", &[], e)?,
        },
        _ => shown(&ctx, &errors),
    };
    let t = Typed {
        payment: Some((form.milestone_id, typed(&form.amount), typed(&form.paid_on))),
        ..Typed::default()
    };
    reshow(&state, ctx, &signed.principal, id, t, errors).await
}

/// The current milestones as amendment rows (amounts in major units, as typed), then empty rows.
fn current_rows(milestones: &[Milestone], currency: &str) -> Vec<MilestoneRow> {
    let major = |minor: u64| match (currency.parse::<Currency>(), i64::try_from(minor)) {
        (Ok(c), Ok(m)) => Money::new(m, c).major_string(),
        _ => minor.to_string(),
    };
    let mut rows: Vec<MilestoneRow> = milestones
        .iter()
        .map(|m| MilestoneRow {
            title: m.title.clone(),
            due: m.due_on.to_string(),
            amount: major(m.amount_minor),
        })
        .collect();
    let len = (rows.len() + AMEND_EXTRA_ROWS).min(MAX_MILESTONES.max(rows.len()));
    rows.resize(len, MilestoneRow::default());
    rows
}

/// The form field of an amendment refusal the domain names.
fn amend_field(field: &str) -> String {
    if let Some(f) = row_field(field, "am") {
        return f;
    }
    match field {
        "period_end" => "amend_period_end",
        "value_minor" => "value",
        "milestones" => "am-milestones",
        _ => "reason",
    }
    .into()
}

/// `POST /procurement/contracts/{id}/amendments`: a new version (value, end date or
/// milestones), in force once both parties have signed it. Milestone rows left as they were
/// change nothing.
pub async fn amend(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = contract_id(&id)?;
    let (c, _) = contract_for(&state, &signed.principal, id).await?;
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| typed(v))
            .unwrap_or_default()
    };
    let (currency, current) = c.latest().map_or_else(
        || ("KRW".to_owned(), Vec::new()),
        |v| (v.terms.currency.clone(), v.terms.milestones.clone()),
    );
    let mut rows = posted_rows(&pairs, "am", MAX_MILESTONES);
    // Keep what was shown: the typed rows up to the last non-empty one, and the empty rows after.
    let shown_rows = rows
        .iter()
        .rposition(|r| !r.is_empty())
        .map_or(0, |i| i + 1);
    rows.truncate(shown_rows.max(current.len()) + AMEND_EXTRA_ROWS);
    let typed_form = AmendTyped {
        reason: get("reason"),
        value: get("value"),
        period_end: get("period_end"),
        rows,
    };
    let mut errors = Vec::new();
    let value_minor = if typed_form.value.trim().is_empty() {
        None
    } else {
        let v = minor(&typed_form.value, &currency);
        if v.is_none() {
            errors.push(FieldError::new("value", "procurement-error-amount"));
        }
        v
    };
    let period_end = if typed_form.period_end.trim().is_empty() {
        None
    } else {
        let d = day(&typed_form.period_end);
        if d.is_none() {
            errors.push(FieldError::new("amend_period_end", "procurement-error-day"));
        }
        d
    };
    let kept = parse_rows(&typed_form.rows, "am", &currency, &mut errors);
    let row_numbers: Vec<usize> = kept.iter().map(|(i, _)| *i).collect();
    let inputs: Vec<MilestoneInput> = kept.into_iter().map(|(_, m)| m).collect();
    // Rows that say what the milestones already say are no change (the form shows them filled).
    let unchanged = inputs.len() == current.len()
        && inputs.iter().zip(&current).all(|(n, o)| {
            n.title.trim() == o.title && n.due_on == o.due_on && n.amount_minor == o.amount_minor
        });
    let no_rows = !pairs.iter().any(|(k, _)| k.starts_with("am-"));
    let milestones = (!no_rows && !unchanged).then_some(inputs);
    let errors = if errors.is_empty() {
        let req = AmendmentRequest {
            reason: typed_form.reason.clone(),
            value_minor,
            period_end,
            milestones,
        };
        match state
            .procurement()
            .amend_contract(&signed.principal, id, req)
            .await
        {
            Ok(_) => return Ok(done(id, "amended")),
            Err(ProcurementError::Invalid(fields)) => {
                let fields = renumbered(fields, &row_numbers)
                    .into_iter()
                    .map(|mut f| {
                        f.field = amend_field(&f.field);
                        f
                    })
                    .collect::<Vec<_>>();
                shown(&ctx, &fields)
            }
            Err(e) => said(&ctx, "reason", &[], e)?,
        }
    } else {
        shown(&ctx, &errors)
    };
    let t = Typed {
        amendment: Some(typed_form),
        ..Typed::default()
    };
    reshow(&state, ctx, &signed.principal, id, t, errors).await
}

#[derive(Deserialize)]
pub struct TerminationForm {
    #[serde(default)]
    reason: String,
}

/// `POST /procurement/contracts/{id}/termination`: ends the contract early, with a reason.
pub async fn terminate(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(form): PageForm<TerminationForm>,
) -> Result<Response, WebError> {
    let id = contract_id(&id)?;
    contract_for(&state, &signed.principal, id).await?;
    let errors = match state
        .procurement()
        .terminate_contract(&signed.principal, id, &form.reason)
        .await
    {
        Ok(_) => return Ok(done(id, "terminated")),
        Err(e) => said(&ctx, "termination", &[], e)?,
    };
    let t = Typed {
        termination: typed(&form.reason),
        ..Typed::default()
    };
    reshow(&state, ctx, &signed.principal, id, t, errors).await
}

// ---------------------------------------------------------------------------------------------
// On the award page and the public tender page

/// A contract in a list: (id, supplier, status).
pub(crate) struct ContractLink {
    pub id: String,
    pub supplier: String,
    pub status: String,
}

/// The tender's contracts the viewer may see: public once both parties have signed, the
/// parties' before.
pub(crate) async fn contract_links(
    state: &AppState,
    ctx: &PageCtx,
    viewer: Option<&Principal>,
    id: TenderId,
) -> Result<Vec<ContractLink>, WebError> {
    let p = state.procurement();
    let mut out = Vec::new();
    for c in p.contracts_of(id).await? {
        let public = !matches!(
            c.status,
            ContractStatus::Draft | ContractStatus::EntitySigned
        );
        let party = match viewer {
            Some(principal) => p.is_party(principal, &c).await?,
            None => false,
        };
        if public || party {
            out.push(ContractLink {
                id: c.id.to_string(),
                supplier: c.supplier_name.clone(),
                status: status_label(ctx, c.status),
            });
        }
    }
    Ok(out)
}
