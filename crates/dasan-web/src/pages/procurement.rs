//! E-procurement pages that work without JavaScript: the public list and search of tenders,
//! the tender notice, and a supplier's bid form. The form's prices are sealed by the server to
//! the tender key the moment they arrive (`Procurement::submit_form_bid`): they are never
//! stored, logged or put in an audit event; the supplier sees the platform's signed receipt.

use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::auth::Signed;
use crate::error::{WebError, problem_text};
use crate::extract::{PageForm, Query};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use dasan_identity::{AccountKind, Principal};
use dasan_kernel::{Currency, FieldError, Money, Problem, Timestamp};
use dasan_procurement::{
    BidPayload, Clarification, LotPrice, NoticeVersion, ProcurementError, Tender, TenderId,
    TenderStatus, TenderSummary,
};
use dasan_registry::BusinessId;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The procurement pages' routes (merged into the router with one line).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/procurement", get(list))
        .route("/procurement/tenders/{id}", get(notice))
        .route(
            "/procurement/tenders/{id}/bid",
            get(bid_form).post(bid_submit),
        )
        .route("/procurement/tenders/{id}/receipt", get(receipt))
        .route(
            "/procurement/office",
            get(super::procurement_office::office),
        )
        .route(
            "/procurement/office/new",
            get(super::procurement_office::new_form).post(super::procurement_office::publish),
        )
        .route(
            "/procurement/office/tenders/{id}/amend",
            get(super::procurement_office::amend_form).post(super::procurement_office::amend),
        )
        .route(
            "/procurement/office/tenders/{id}/cancel",
            get(super::procurement_office::cancel_form).post(super::procurement_office::cancel),
        )
        .route(
            "/procurement/suppliers",
            get(super::procurement_supplier::list),
        )
        .route(
            "/procurement/suppliers/{business}",
            get(super::procurement_supplier::show).post(super::procurement_supplier::register),
        )
        .route(
            "/procurement/suppliers/{business}/bidders",
            axum::routing::post(super::procurement_supplier::authorise),
        )
        .route(
            "/procurement/committee",
            get(super::procurement_committee::seats),
        )
        .route(
            "/procurement/office/tenders/{id}/opening",
            get(super::procurement_opening::opening).post(super::procurement_opening::open),
        )
        .route(
            "/procurement/tenders/{id}/bid-box",
            get(super::procurement_opening::bid_box),
        )
        .route(
            "/procurement/office/suppliers",
            get(super::procurement_debarment::find),
        )
        .route(
            "/procurement/office/suppliers/{business}",
            get(super::procurement_debarment::show),
        )
        .route(
            "/procurement/office/suppliers/{business}/debarments",
            axum::routing::post(super::procurement_debarment::debar),
        )
        .route(
            "/procurement/office/suppliers/{business}/debarments/{debarment}/lift",
            axum::routing::post(super::procurement_debarment::lift),
        )
        .route(
            "/procurement/suppliers/{business}/details",
            axum::routing::post(super::procurement_supplier::update),
        )
        .route(
            "/procurement/suppliers/{business}/bidders/{account}/remove",
            axum::routing::post(super::procurement_supplier::remove_bidder),
        )
        .route(
            "/procurement/committee/key",
            get(super::procurement_committee::key_form)
                .post(super::procurement_committee::register_key),
        )
        .route(
            "/procurement/committee/tenders/{id}/share",
            axum::routing::post(super::procurement_committee::release),
        )
        .route(
            "/procurement/office/tenders/{id}/award",
            get(super::procurement_award::office).post(super::procurement_award::award),
        )
        .route(
            "/procurement/office/tenders/{id}/evaluators",
            axum::routing::post(super::procurement_award::appoint),
        )
        .route(
            "/procurement/office/tenders/{id}/evaluation",
            axum::routing::post(super::procurement_award::evaluate),
        )
        .route(
            "/procurement/office/tenders/{id}/low-bid-decisions",
            axum::routing::post(super::procurement_award::decide_low_bid),
        )
        .route(
            "/procurement/office/tenders/{id}/complaints/{complaint}/answer",
            axum::routing::post(super::procurement_award::answer),
        )
        .route(
            "/procurement/office/tenders/{id}/complaints/{complaint}/decision",
            axum::routing::post(super::procurement_award::decide),
        )
        .route(
            "/procurement/evaluation",
            get(super::procurement_award::seats),
        )
        .route("/procurement/review", get(super::procurement_award::review))
        .route(
            "/procurement/contracts",
            get(super::procurement_contract::mine),
        )
        .route(
            "/procurement/evaluation/tenders/{id}",
            get(super::procurement_award::scores_form)
                .post(super::procurement_award::submit_scores),
        )
        .route(
            "/procurement/office/tenders/{id}/contract",
            get(super::procurement_contract::new_form).post(super::procurement_contract::create),
        )
        .route(
            "/procurement/contracts/{id}",
            get(super::procurement_contract::show),
        )
        .route(
            "/procurement/contracts/{id}/signatures/entity",
            axum::routing::post(super::procurement_contract::sign_entity),
        )
        .route(
            "/procurement/contracts/{id}/signatures/supplier",
            axum::routing::post(super::procurement_contract::sign_supplier),
        )
        .route(
            "/procurement/contracts/{id}/milestones/{milestone}/acceptance",
            axum::routing::post(super::procurement_contract::accept),
        )
        .route(
            "/procurement/contracts/{id}/payments",
            axum::routing::post(super::procurement_contract::pay),
        )
        .route(
            "/procurement/contracts/{id}/amendments",
            axum::routing::post(super::procurement_contract::amend),
        )
        .route(
            "/procurement/contracts/{id}/termination",
            axum::routing::post(super::procurement_contract::terminate),
        )
        .route(
            "/procurement/tenders/{id}/complaint",
            get(super::procurement_award::complaint_form)
                .post(super::procurement_award::file_complaint),
        )
}

fn when(t: Timestamp) -> String {
    super::account::when(t)
}

fn tender_id(text: &str) -> Result<TenderId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

/// `1,234,000 KRW`
pub(crate) fn money(m: &Money) -> String {
    let exp = m.currency.exponent();
    let scale = 10i64.pow(exp);
    let (major, minor) = (m.minor / scale, (m.minor % scale).abs());
    let digits = major.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if m.minor < 0 { "-" } else { "" };
    if exp == 0 {
        format!("{sign}{grouped} {}", m.currency.code())
    } else {
        format!(
            "{sign}{grouped}.{minor:0width$} {}",
            m.currency.code(),
            width = exp as usize
        )
    }
}

fn status_label(ctx: &PageCtx, status: TenderStatus) -> String {
    ctx.t(&format!("procurement-status-{}", status.as_str()))
}

fn method_label(ctx: &PageCtx, method: &str) -> String {
    ctx.t(&format!("procurement-method-{method}"))
}

// ---------------------------------------------------------------------------------------------
// The list

struct TenderRow {
    id: String,
    title: String,
    agency: String,
    method: String,
    deadline: String,
}

#[derive(Template)]
#[template(path = "procurement_tenders.html")]
struct ListPage {
    ctx: PageCtx,
    category: String,
    tenders: Vec<TenderRow>,
    errors: Vec<ShownError>,
}

impl ListPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    category: String,
}

/// `GET /procurement`: tenders accepting bids, or those in a category.
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let p = state.procurement();
    let category = q.category.trim().to_owned();
    let (found, errors) = if category.is_empty() {
        (p.published().await?, Vec::new())
    } else {
        match p.search(&category).await {
            Ok(found) => (found, Vec::new()),
            Err(ProcurementError::Invalid(fields)) => (Vec::new(), shown(&ctx, &fields)),
            Err(e) => return Err(e.into()),
        }
    };
    let tenders = found
        .into_iter()
        .map(|t: TenderSummary| TenderRow {
            id: t.id.to_string(),
            title: t.title,
            agency: t.agency,
            method: method_label(&ctx, &t.method),
            deadline: when(t.bid_deadline),
        })
        .collect();
    let page = ListPage {
        ctx,
        category,
        tenders,
        errors,
    };
    if page.errors.is_empty() {
        render(&page)
    } else {
        render_invalid(&page)
    }
}

// ---------------------------------------------------------------------------------------------
// The notice

struct ItemRow {
    lot: String,
    description: String,
    classification: String,
    quantity: String,
}

#[derive(Template)]
#[template(path = "procurement_tender.html")]
struct NoticePage {
    ctx: PageCtx,
    tender: Tender,
    status: String,
    method: String,
    estimated: Option<String>,
    items: Vec<ItemRow>,
    versions: Vec<NoticeVersion>,
    clarifications: Vec<Clarification>,
    open_for_bids: bool,
    /// The award notice and complaints, once awarded.
    award: Option<super::procurement_award::PublicAward>,
    /// The tender's contracts the viewer may see.
    contracts: Vec<super::procurement_contract::ContractLink>,
    complaint_filed: bool,
}

impl NoticePage {
    fn when(&self, t: &Timestamp) -> String {
        when(*t)
    }

    /// A document's size in KiB, rounded up.
    fn size(&self, bytes: &u64) -> String {
        self.ctx
            .tw("procurement-document-size", "kib", bytes.div_ceil(1024))
    }

    fn version_kind(&self, kind: &str) -> String {
        self.ctx.t(&format!("procurement-version-{kind}"))
    }
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    complaint: String,
}

/// `GET /procurement/tenders/{id}`: the notice as everyone sees it (and, once awarded, the
/// award notice with its complaints).
pub async fn notice(
    State(state): State<AppState>,
    ctx: PageCtx,
    axum::Extension(auth): axum::Extension<crate::auth::Auth>,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let p = state.procurement();
    let tender = p.tender(id).await?;
    let versions = p.notice_versions(id).await?;
    let clarifications = p.clarifications(id).await?;
    let items = tender
        .notice
        .lots
        .iter()
        .flat_map(|lot| {
            lot.items.iter().map(move |i| ItemRow {
                lot: format!("{} · {}", lot.id, lot.title),
                description: i.description.clone(),
                classification: i.classification.clone(),
                quantity: format!("{} {}", i.quantity, i.unit),
            })
        })
        .collect();
    let open_for_bids = tender.status == TenderStatus::Published
        && state.db().clock().now() < tender.notice.timeline.bid_deadline;
    let award = super::procurement_award::public_award(&state, &ctx, id).await?;
    let contracts =
        super::procurement_contract::contract_links(&state, &ctx, auth.principal(), id).await?;
    render(&NoticePage {
        award,
        contracts,
        complaint_filed: q.complaint == "filed",
        status: status_label(&ctx, tender.status),
        method: method_label(&ctx, tender.notice.method.as_str()),
        estimated: tender.notice.estimated_value.as_ref().map(money),
        ctx,
        items,
        versions,
        clarifications,
        open_for_bids,
        tender,
    })
}

// ---------------------------------------------------------------------------------------------
// The bid form

struct LotField {
    id: String,
    title: String,
    value: String,
}

#[derive(Template)]
#[template(path = "procurement_bid.html")]
struct BidPage {
    ctx: PageCtx,
    tender_id: String,
    title: String,
    deadline: String,
    currency: String,
    businesses: Vec<(String, String)>,
    business: String,
    lots: Vec<LotField>,
    picks: bool,
    pick1: String,
    pick2: String,
    errors: Vec<ShownError>,
}

impl BidPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// The businesses the principal may bid for: a business user's own, a representative's.
pub(crate) async fn businesses_of(
    state: &AppState,
    principal: &Principal,
) -> Result<Vec<(String, String)>, WebError> {
    match principal.kind {
        AccountKind::Business => {
            let Some(id) = principal
                .business
                .as_deref()
                .and_then(|b| b.parse::<BusinessId>().ok())
            else {
                return Ok(Vec::new());
            };
            Ok(state
                .registry()
                .business(id)
                .await
                .map_err(|e| WebError::from_problem(&e))?
                .map(|b| vec![(b.id.to_string(), b.data.name)])
                .unwrap_or_default())
        }
        AccountKind::Citizen => Ok(dasan_identity::business::represented(
            state.registry(),
            principal,
        )
        .await?
        .into_iter()
        .map(|b| (b.id.to_string(), b.data.name))
        .collect()),
        _ => Ok(Vec::new()),
    }
}

/// The currency bids are priced in: the estimated value's, else the won.
pub(crate) fn currency_of(tender: &Tender) -> Currency {
    tender
        .notice
        .estimated_value
        .map(|m| m.currency)
        .or_else(|| "KRW".parse().ok())
        .unwrap_or_else(|| unreachable!("KRW is an ISO 4217 currency"))
}

async fn bid_page(
    state: &AppState,
    ctx: PageCtx,
    principal: &Principal,
    tender: &Tender,
    form: &BTreeMap<String, String>,
    errors: Vec<ShownError>,
) -> Result<BidPage, WebError> {
    let businesses = businesses_of(state, principal).await?;
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    Ok(BidPage {
        tender_id: tender.id.to_string(),
        title: tender.notice.title.clone(),
        deadline: when(tender.notice.timeline.bid_deadline),
        currency: currency_of(tender).code().to_owned(),
        business: form
            .get("business")
            .cloned()
            .or_else(|| businesses.first().map(|b| b.0.clone()))
            .unwrap_or_default(),
        businesses,
        lots: tender
            .notice
            .lots
            .iter()
            .map(|l| LotField {
                id: l.id.clone(),
                title: l.title.clone(),
                value: field(&format!("price-{}", l.id)),
            })
            .collect(),
        picks: tender.notice.reserve_price.is_some(),
        pick1: field("pick1"),
        pick2: field("pick2"),
        errors,
        ctx,
    })
}

/// `GET /procurement/tenders/{id}/bid`
pub async fn bid_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let tender = state.procurement().tender(tender_id(&id)?).await?;
    let page = bid_page(
        &state,
        ctx,
        &signed.principal,
        &tender,
        &BTreeMap::new(),
        Vec::new(),
    )
    .await?;
    render(&page)
}

/// Reads the form into a payload, or the field errors to show.
fn payload_of(
    tender: &Tender,
    form: &BTreeMap<String, String>,
) -> Result<(BusinessId, BidPayload), Vec<FieldError>> {
    let mut errors = Vec::new();
    let business = form
        .get("business")
        .and_then(|b| b.trim().parse::<BusinessId>().ok());
    if business.is_none() {
        errors.push(FieldError::new("business", "procurement-error-business"));
    }
    let currency = currency_of(tender);
    let mut lots = Vec::new();
    for lot in &tender.notice.lots {
        let name = format!("price-{}", lot.id);
        let text: String = form
            .get(&name)
            .map(|v| {
                v.chars()
                    .filter(|c| *c != ',' && !c.is_whitespace())
                    .collect()
            })
            .unwrap_or_default();
        if text.is_empty() {
            continue;
        }
        match Money::parse_major(&text, currency)
            .ok()
            .and_then(|m| u64::try_from(m.minor).ok())
        {
            Some(amount_minor) => lots.push(LotPrice {
                lot_id: lot.id.clone(),
                currency: currency.code().to_owned(),
                amount_minor,
            }),
            None => errors.push(FieldError::new(name, "procurement-error-price")),
        }
    }
    if lots.is_empty() && errors.iter().all(|e| !e.field.starts_with("price-")) {
        let first = tender
            .notice
            .lots
            .first()
            .map(|l| l.id.as_str())
            .unwrap_or("1");
        errors.push(FieldError::new(
            format!("price-{first}"),
            "procurement-error-price-required",
        ));
    }
    let mut picks = None;
    if tender.notice.reserve_price.is_some() {
        let pick = |n: &str| {
            form.get(n)
                .and_then(|v| v.trim().parse::<u8>().ok())
                .filter(|v| (1..=15).contains(v))
        };
        match (pick("pick1"), pick("pick2")) {
            (Some(a), Some(b)) if a != b => picks = Some([a.min(b), a.max(b)]),
            _ => errors.push(FieldError::new("pick1", "procurement-error-picks")),
        }
    }
    match business {
        Some(business) if errors.is_empty() => Ok((
            business,
            BidPayload {
                tender_id: tender.id.to_string(),
                supplier_id: business.to_string(),
                lots,
                reserve_price_picks: picks,
                documents: Vec::new(),
                attachments: Vec::new(),
            },
        )),
        _ => Err(errors),
    }
}

/// `POST /procurement/tenders/{id}/bid`: sealed by the server at once; then the receipt.
pub async fn bid_submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(form): PageForm<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let p = state.procurement();
    let tender = p.tender(id).await?;
    let errors = match payload_of(&tender, &form) {
        Ok((business, payload)) => {
            match p
                .submit_form_bid(&signed.principal, business, id, payload)
                .await
            {
                Ok(_) => {
                    return Ok(see_other(&format!(
                        "/procurement/tenders/{id}/receipt?business={business}"
                    )));
                }
                Err(ProcurementError::Invalid(fields)) => shown(&ctx, &fields),
                Err(e) if e.kind() == dasan_kernel::ErrorKind::Internal => return Err(e.into()),
                Err(ProcurementError::Store(e)) => return Err(e.into()),
                // Debarred, not registered, not eligible, deadline passed…: said on the form.
                Err(e) => vec![ShownError {
                    field: "business".into(),
                    message: format!(
                        "{} {}",
                        problem_text(ctx.tr(), e.code(), "title"),
                        problem_text(ctx.tr(), e.code(), "detail")
                    ),
                }],
            }
        }
        Err(fields) => shown(&ctx, &fields),
    };
    // The prices typed are shown again to their author only, never kept.
    let page = bid_page(&state, ctx, &signed.principal, &tender, &form, errors).await?;
    render_invalid(&page)
}

// ---------------------------------------------------------------------------------------------
// The receipt

#[derive(Template)]
#[template(path = "procurement_receipt.html")]
struct ReceiptPage {
    ctx: PageCtx,
    tender_id: String,
    title: String,
    business: String,
    bid_id: String,
    received_at: String,
    key_id: String,
    algorithm: String,
    signature: String,
    receipt_json: String,
}

#[derive(Deserialize)]
pub struct ReceiptQuery {
    #[serde(default)]
    business: String,
}

/// `GET /procurement/tenders/{id}/receipt?business=…`: the signed receipt of the current bid.
pub async fn receipt(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<ReceiptQuery>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let business: BusinessId = q.business.parse().map_err(|_| WebError::NotFound)?;
    let p = state.procurement();
    let r = p.receipt(&signed.principal, business, id).await?;
    let tender = p.tender(id).await?;
    let name = state
        .registry()
        .business(business)
        .await
        .map_err(|e| WebError::from_problem(&e))?
        .map(|b| b.data.name)
        .unwrap_or_else(|| business.to_string());
    render(&ReceiptPage {
        ctx,
        tender_id: id.to_string(),
        title: tender.notice.title,
        business: name,
        bid_id: r.receipt.bid_id.to_hex(),
        received_at: format!(
            "{} ({} µs)",
            when(Timestamp::from_micros(r.receipt.received_at_us)),
            r.receipt.received_at_us
        ),
        key_id: r.signature.key_id.clone(),
        algorithm: r.signature.algorithm.to_string(),
        signature: r.signature.signature.clone(),
        receipt_json: serde_json::to_string_pretty(&r).map_err(|e| WebError::internal(&e))?,
    })
}
