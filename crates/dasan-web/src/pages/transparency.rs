//! Public transparency pages (no account, no JavaScript): search every tender by text, status,
//! agency, category and publication dates; a tender's public page with its bids once opened,
//! its award, its red flags and a link to its OCDS record; a supplier's public profile; and the
//! list of red flags, filterable by kind; and the contracts both parties have signed, searchable. Bad query parameters get the search form back with
//! an error summary (422), never a 500.

use super::{PageCtx, ShownError, error_for, render, render_invalid, urlencode};
use crate::error::WebError;
use crate::extract::Query;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use dasan_kernel::{FieldError, Money, Timestamp};
use dasan_procurement::redflags::{RedFlag, RedFlagKind};
use dasan_procurement::transparency::{
    ContractQuery, ContractQueryText, PUBLIC_CONTRACT_STATUSES, PublicPage, PublicTender,
    TenderQuery, TenderQueryText, parse_page,
};
use dasan_procurement::{ContractStatus, ProcurementError, TenderId, TenderStatus};
use dasan_registry::BusinessId;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/transparency", get(search))
        .route("/transparency/tenders/{id}", get(tender))
        .route("/transparency/suppliers/{business}", get(supplier))
        .route("/transparency/red-flags", get(flags))
        .route("/transparency/contracts", get(contracts))
}

fn when(t: Timestamp) -> String {
    super::account::when(t)
}

fn amount(minor: u64, currency: &str) -> String {
    match (i64::try_from(minor), currency.parse()) {
        (Ok(minor), Ok(c)) => money(&Money::new(minor, c)),
        _ => format!("{minor} {currency}"),
    }
}

/// `1,234,000 KRW`
fn money(m: &Money) -> String {
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

/// A tender in a list.
struct Row {
    id: String,
    title: String,
    agency: String,
    status: String,
    published: String,
    deadline: String,
}

fn row(ctx: &PageCtx, t: &PublicTender) -> Row {
    Row {
        id: t.id.to_string(),
        title: t.title.clone(),
        agency: t.agency.clone(),
        status: status_label(ctx, t.status),
        published: when(t.published_at),
        deadline: when(t.bid_deadline),
    }
}

/// A red flag as shown: its title, the sentence with its figures, and a link when it names a
/// supplier.
struct Flag {
    kind: &'static str,
    title: String,
    text: String,
    supplier: Option<String>,
}

fn flag(ctx: &PageCtx, f: &RedFlag) -> Flag {
    let kind = f.kind().as_str();
    let tr = ctx.tr();
    let (text, supplier) = match f {
        RedFlag::SingleBidder { lots } => (
            tr.with_args(
                "transparency-flag-single_bidder-text",
                [("lots", lots.join(", ").as_str())],
            ),
            None,
        ),
        RedFlag::ShortTenderPeriod {
            hours,
            threshold_hours,
        } => (
            tr.with_args(
                "transparency-flag-short_tender_period-text",
                [
                    ("hours", hours.to_string().as_str()),
                    ("threshold", threshold_hours.to_string().as_str()),
                ],
            ),
            None,
        ),
        RedFlag::NearFloor {
            lot_id,
            above_floor_ppm,
            threshold_ppm,
            ..
        } => (
            tr.with_args(
                "transparency-flag-near_floor-text",
                [
                    ("lot", lot_id.as_str()),
                    ("ppm", above_floor_ppm.to_string().as_str()),
                    ("threshold", threshold_ppm.to_string().as_str()),
                ],
            ),
            None,
        ),
        RedFlag::RepeatedWinner {
            agency,
            supplier_id,
            won,
            total,
            window_days,
        } => (
            tr.with_args(
                "transparency-flag-repeated_winner-text",
                [
                    ("agency", agency.as_str()),
                    ("won", won.to_string().as_str()),
                    ("total", total.to_string().as_str()),
                    ("days", window_days.to_string().as_str()),
                ],
            ),
            Some(supplier_id.clone()),
        ),
    };
    Flag {
        kind,
        title: ctx.t(&format!("transparency-flag-{kind}")),
        text,
        supplier,
    }
}

// ---------------------------------------------------------------------------------------------
// Search

#[derive(Deserialize, Default)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: String,
}

#[derive(Template)]
#[template(path = "transparency_search.html")]
struct SearchPage {
    ctx: PageCtx,
    q: String,
    status: String,
    agency: String,
    category: String,
    from: String,
    to: String,
    statuses: Vec<(&'static str, String)>,
    agencies: Vec<String>,
    tenders: Vec<Row>,
    total: u64,
    prev: Option<String>,
    next: Option<String>,
    page_of: String,
    errors: Vec<ShownError>,
}

impl SearchPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn shown(ctx: &PageCtx, errors: &[FieldError]) -> Vec<ShownError> {
    super::shown(ctx, errors)
}

/// `GET /transparency`: every published tender, searchable.
pub async fn search(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    let p = state.procurement();
    let parsed = TenderQuery::parse(&TenderQueryText {
        text: Some(&params.q),
        status: Some(&params.status),
        agency: Some(&params.agency),
        category: Some(&params.category),
        from: Some(&params.from),
        to: Some(&params.to),
        page: Some(&params.page),
    });
    let (found, errors) = match parsed {
        Ok(q) => (Some(p.search_public(&q).await?), Vec::new()),
        Err(fields) => (None, shown(&ctx, &fields)),
    };
    let link = |page: u32| {
        format!(
            "/transparency?q={}&status={}&agency={}&category={}&from={}&to={}&page={page}",
            urlencode(params.q.trim()),
            urlencode(params.status.trim()),
            urlencode(params.agency.trim()),
            urlencode(params.category.trim()),
            urlencode(params.from.trim()),
            urlencode(params.to.trim()),
        )
    };
    let (tenders, total, prev, next, page_of) = match &found {
        Some(f) => (
            f.items.iter().map(|t| row(&ctx, t)).collect(),
            f.total,
            (f.page > 1).then(|| link(f.page - 1)),
            f.has_next().then(|| link(f.page + 1)),
            page_of(&ctx, f),
        ),
        None => (Vec::new(), 0, None, None, String::new()),
    };
    let statuses = [
        TenderStatus::Published,
        TenderStatus::Closed,
        TenderStatus::Opened,
        TenderStatus::Evaluated,
        TenderStatus::Awarded,
        TenderStatus::Cancelled,
    ]
    .into_iter()
    .map(|s| (s.as_str(), status_label(&ctx, s)))
    .collect();
    let page = SearchPage {
        agencies: p.public_agencies().await?,
        statuses,
        q: params.q.trim().to_owned(),
        status: params.status.trim().to_owned(),
        agency: params.agency.trim().to_owned(),
        category: params.category.trim().to_owned(),
        from: params.from.trim().to_owned(),
        to: params.to.trim().to_owned(),
        tenders,
        total,
        prev,
        next,
        page_of,
        errors,
        ctx,
    };
    if page.errors.is_empty() {
        render(&page)
    } else {
        render_invalid(&page)
    }
}

// ---------------------------------------------------------------------------------------------
// Contracts

#[derive(Deserialize)]
pub struct ContractParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    page: String,
}

struct ContractRow {
    id: String,
    tender_title: String,
    supplier: String,
    supplier_id: String,
    agency: String,
    status: String,
    value: String,
    signed: String,
}

#[derive(Template)]
#[template(path = "transparency_contracts.html")]
struct ContractsPage {
    ctx: PageCtx,
    q: String,
    status: String,
    agency: String,
    statuses: Vec<(&'static str, String)>,
    agencies: Vec<String>,
    contracts: Vec<ContractRow>,
    total: u64,
    prev: Option<String>,
    next: Option<String>,
    page_of: String,
    errors: Vec<ShownError>,
}

impl ContractsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// "Page 2 of 5".
fn page_of<T>(ctx: &PageCtx, f: &PublicPage<T>) -> String {
    ctx.tr().with_args(
        "transparency-page-of",
        [
            ("page", f.page.to_string().as_str()),
            (
                "pages",
                f.total
                    .div_ceil(u64::from(f.page_size))
                    .max(1)
                    .to_string()
                    .as_str(),
            ),
        ],
    )
}

/// `GET /transparency/contracts`: every contract both parties have signed, searchable by the
/// tender's title, status and procuring entity.
pub async fn contracts(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(params): Query<ContractParams>,
) -> Result<Response, WebError> {
    let p = state.procurement();
    let parsed = ContractQuery::parse(&ContractQueryText {
        text: Some(&params.q),
        status: Some(&params.status),
        agency: Some(&params.agency),
        page: Some(&params.page),
    });
    let (found, errors) = match parsed {
        Ok(q) => (Some(p.search_contracts(&q).await?), Vec::new()),
        Err(fields) => (None, shown(&ctx, &fields)),
    };
    let link = |page: u32| {
        format!(
            "/transparency/contracts?q={}&status={}&agency={}&page={page}",
            urlencode(params.q.trim()),
            urlencode(params.status.trim()),
            urlencode(params.agency.trim()),
        )
    };
    let status_label = |s: ContractStatus| ctx.t(&format!("contract-status-{}", s.as_str()));
    let (contracts, total, prev, next, page_of) = match &found {
        Some(f) => {
            let mut rows = Vec::with_capacity(f.items.len());
            let mut titles: std::collections::HashMap<TenderId, String> =
                std::collections::HashMap::new();
            for c in &f.items {
                let title = match titles.get(&c.tender_id) {
                    Some(t) => t.clone(),
                    None => {
                        let t = p.tender(c.tender_id).await?.notice.title;
                        titles.insert(c.tender_id, t.clone());
                        t
                    }
                };
                let terms = c.current().map(|v| &v.terms);
                rows.push(ContractRow {
                    id: c.id.to_string(),
                    tender_title: title,
                    supplier: c.supplier_name.clone(),
                    supplier_id: c.business_id.clone(),
                    agency: c.agency.clone(),
                    status: status_label(c.status),
                    value: terms.map_or_else(String::new, |t| amount(t.value_minor, &t.currency)),
                    signed: c.signed_at.map(when).unwrap_or_default(),
                });
            }
            (
                rows,
                f.total,
                (f.page > 1).then(|| link(f.page - 1)),
                f.has_next().then(|| link(f.page + 1)),
                page_of(&ctx, f),
            )
        }
        None => (Vec::new(), 0, None, None, String::new()),
    };
    let page = ContractsPage {
        agencies: p.public_agencies().await?,
        statuses: PUBLIC_CONTRACT_STATUSES
            .into_iter()
            .map(|s| (s.as_str(), status_label(s)))
            .collect(),
        q: params.q.trim().to_owned(),
        status: params.status.trim().to_owned(),
        agency: params.agency.trim().to_owned(),
        contracts,
        total,
        prev,
        next,
        page_of,
        errors,
        ctx,
    };
    if page.errors.is_empty() {
        render(&page)
    } else {
        render_invalid(&page)
    }
}

// ---------------------------------------------------------------------------------------------
// A tender

struct BidLine {
    supplier_id: String,
    supplier: String,
    prices: String,
}

struct AwardLine {
    lot: String,
    supplier_id: String,
    supplier: String,
    price: String,
    status: String,
    date: String,
}

#[derive(Template)]
#[template(path = "transparency_tender.html")]
struct TenderPage {
    ctx: PageCtx,
    id: String,
    title: String,
    description: String,
    agency: String,
    status: String,
    published: String,
    deadline: String,
    estimated: Option<String>,
    lots: Vec<(String, String)>,
    cancel_reason: Option<String>,
    bids: Option<Vec<BidLine>>,
    awards: Vec<AwardLine>,
    flags: Vec<Flag>,
}

fn tender_id(text: &str) -> Result<TenderId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

/// `GET /transparency/tenders/{id}`
pub async fn tender(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let p = state.procurement();
    let t = p.tender(id).await?;
    let outcome = p.tender_outcome(id).await?;
    let bids = outcome.bids.map(|bids| {
        bids.into_iter()
            .map(|b| BidLine {
                prices: b
                    .lots
                    .iter()
                    .map(|(lot, currency, minor)| {
                        ctx.tr().with_args(
                            "transparency-lot-price",
                            [
                                ("lot", lot.as_str()),
                                ("price", amount(*minor, currency).as_str()),
                            ],
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                supplier_id: b.supplier_id,
                supplier: b.supplier_name,
            })
            .collect()
    });
    let awards = outcome
        .awards
        .into_iter()
        .map(|a| AwardLine {
            lot: a.lot_id,
            price: amount(a.price_minor, &a.currency),
            status: ctx.t(&format!("transparency-award-{}", a.status.as_str())),
            date: when(a.final_at.unwrap_or(a.awarded_at)),
            supplier_id: a.supplier_id,
            supplier: a.supplier_name,
        })
        .collect();
    render(&TenderPage {
        id: id.to_string(),
        title: t.notice.title.clone(),
        description: t.notice.description.clone(),
        agency: t.agency.clone(),
        status: status_label(&ctx, t.status),
        published: when(t.published_at),
        deadline: when(t.notice.timeline.bid_deadline),
        estimated: t.notice.estimated_value.as_ref().map(money),
        lots: t
            .notice
            .lots
            .iter()
            .map(|l| (l.id.clone(), l.title.clone()))
            .collect(),
        cancel_reason: t.cancel_reason.clone(),
        bids,
        awards,
        flags: outcome.flags.iter().map(|f| flag(&ctx, f)).collect(),
        ctx,
    })
}

// ---------------------------------------------------------------------------------------------
// A supplier

struct DebarmentLine {
    agency: String,
    from: String,
    until: String,
    reason: String,
    in_force: bool,
}

#[derive(Template)]
#[template(path = "transparency_supplier.html")]
struct SupplierPage {
    ctx: PageCtx,
    name: String,
    number: String,
    standing: String,
    registered: String,
    categories: Vec<String>,
    licences: Vec<String>,
    debarments: Vec<DebarmentLine>,
    tenders: Vec<Row>,
    awards: Vec<(Row, AwardLine)>,
    flags: Vec<(Row, Flag)>,
}

/// `GET /transparency/suppliers/{business}`: a registered supplier's public profile.
pub async fn supplier(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(business): Path<String>,
) -> Result<Response, WebError> {
    let business: BusinessId = business.parse().map_err(|_| WebError::NotFound)?;
    let profile = match state.procurement().supplier_profile(business).await {
        Ok(p) => p,
        Err(ProcurementError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let now = state.db().clock().now();
    let standing = serde_json::to_value(profile.registry_status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    render(&SupplierPage {
        standing: ctx.t(&format!("transparency-standing-{standing}")),
        name: profile.name,
        number: profile.registration_number,
        registered: when(profile.registered_at),
        categories: profile.categories,
        licences: profile
            .licences
            .iter()
            .map(|l| match l.valid_until {
                Some(until) => format!("{} ({}, {})", l.kind, l.issuer, when(until)),
                None => format!("{} ({})", l.kind, l.issuer),
            })
            .collect(),
        debarments: profile
            .debarments
            .iter()
            .map(|d| DebarmentLine {
                agency: d.agency.clone(),
                from: when(d.starts_at),
                until: d
                    .lifted_at
                    .or(d.ends_at)
                    .map_or_else(|| ctx.t("transparency-open-ended"), when),
                reason: d.reason.clone(),
                in_force: d.in_force(now),
            })
            .collect(),
        tenders: profile.tenders_bid.iter().map(|t| row(&ctx, t)).collect(),
        awards: profile
            .awards
            .iter()
            .map(|a| {
                (
                    row(&ctx, &a.tender),
                    AwardLine {
                        lot: a.lot_id.clone(),
                        supplier_id: String::new(),
                        supplier: String::new(),
                        price: amount(a.price_minor, &a.currency),
                        status: ctx.t(&format!("transparency-award-{}", a.status.as_str())),
                        date: when(a.awarded_at),
                    },
                )
            })
            .collect(),
        flags: profile
            .red_flags
            .iter()
            .map(|(t, f)| (row(&ctx, t), flag(&ctx, f)))
            .collect(),
        ctx,
    })
}

// ---------------------------------------------------------------------------------------------
// Red flags

#[derive(Deserialize, Default)]
pub struct FlagParams {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    page: String,
}

#[derive(Template)]
#[template(path = "transparency_flags.html")]
struct FlagsPage {
    ctx: PageCtx,
    kind: String,
    kinds: Vec<(&'static str, String)>,
    tenders: Vec<(Row, Vec<Flag>)>,
    total: u64,
    prev: Option<String>,
    next: Option<String>,
    errors: Vec<ShownError>,
}

impl FlagsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// `GET /transparency/red-flags[?kind=…&page=…]`
pub async fn flags(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(params): Query<FlagParams>,
) -> Result<Response, WebError> {
    let mut fields = Vec::new();
    let kind_text = params.kind.trim();
    let kind = if kind_text.is_empty() {
        None
    } else {
        let k = RedFlagKind::parse(kind_text);
        if k.is_none() {
            fields.push(FieldError::new("kind", "transparency-error-kind"));
        }
        k
    };
    let page = parse_page(Some(params.page.as_str())).unwrap_or_else(|e| {
        fields.push(e);
        1
    });
    let kinds = RedFlagKind::ALL
        .into_iter()
        .map(|k| {
            (
                k.as_str(),
                ctx.t(&format!("transparency-flag-{}", k.as_str())),
            )
        })
        .collect();
    let mut out = FlagsPage {
        kind: kind_text.to_owned(),
        kinds,
        tenders: Vec::new(),
        total: 0,
        prev: None,
        next: None,
        errors: shown(&ctx, &fields),
        ctx,
    };
    if !out.errors.is_empty() {
        return render_invalid(&out);
    }
    let found = state.procurement().red_flags(kind, page).await?;
    let link = |n: u32| {
        format!(
            "/transparency/red-flags?kind={}&page={n}",
            urlencode(kind_text)
        )
    };
    out.total = found.total;
    out.prev = (found.page > 1).then(|| link(found.page - 1));
    out.next = found.has_next().then(|| link(found.page + 1));
    out.tenders = found
        .items
        .iter()
        .map(|t| {
            (
                row(&out.ctx, &t.tender),
                t.flags.iter().map(|f| flag(&out.ctx, f)).collect(),
            )
        })
        .collect();
    render(&out)
}
