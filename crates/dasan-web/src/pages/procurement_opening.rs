//! The bid opening page of the procuring entity and the public bid-box check.
//!
//! Opening: an official holding `procurement.manage` in the tender's agency (the check
//! `Procurement::open` makes; 404 for anyone else) sees why the bids cannot be opened yet
//! (shares released k of t, opening time not reached, box not closed), opens them when they
//! can be (`Procurement::open`), and then reads the signed opening record, the reserve price
//! draw and the bid-box record, with links to the signed JSON.
//!
//! Bid-box check: anyone holding a receipt gives its bid id and learns whether the bid is in
//! the tender's signed bid-box record (no account needed; a GET form, nothing changes).

use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::auth::Signed;
use crate::error::{WebError, problem_text};
use crate::extract::{PageForm, Query};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use dasan_kernel::{Currency, FieldError, Money, Problem as _, Timestamp};
use dasan_procurement::{
    BidId, OpeningReadiness, ProcurementError, SignedBidBox, SignedOpening, Tender, TenderId,
};
use serde::Deserialize;
use std::collections::BTreeMap;

fn when(t: Timestamp) -> String {
    super::account::when(t)
}

/// Lower-case hex, as the API and the receipts print hashes.
fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn tender_id(text: &str) -> Result<TenderId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

/// An amount in minor units of the currency code it was bid in (`KRW` if the code is not one).
pub(crate) fn amount(minor: u64, currency: &str) -> String {
    let currency: Currency = currency
        .parse()
        .or_else(|_| "KRW".parse())
        .unwrap_or_else(|_| unreachable!("KRW is an ISO 4217 currency"));
    match i64::try_from(minor) {
        Ok(minor) => super::procurement::money(&Money::new(minor, currency)),
        Err(_) => format!("{minor} ({})", currency.code()),
    }
}

// ---------------------------------------------------------------------------------------------
// The opening page

struct OpenedRow {
    bid_id: String,
    supplier: String,
    prices: Vec<(String, String)>,
    picks: String,
}

struct RejectedRow {
    bid_id: String,
    supplier: String,
    reason: String,
}

struct Draw {
    reserve_price: String,
    chosen: String,
    /// (number, price, picks, chosen)
    prices: Vec<(u8, String, u32, bool)>,
    seed: String,
}

struct Record {
    signed_by: String,
    opened: Vec<OpenedRow>,
    rejected: Vec<RejectedRow>,
    missing: Vec<String>,
    draw: Option<Draw>,
}

#[derive(Template)]
#[template(path = "procurement_opening.html")]
struct OpeningPage {
    ctx: PageCtx,
    tender_id: String,
    title: String,
    status: String,
    opening_at: String,
    readiness: OpeningReadiness,
    /// "k of t shares released", and the same as a reason not to open yet.
    shares_count: String,
    shares_missing: String,
    /// The bid box, once closed: (size, root as the signed record writes it, base64).
    bid_box: Option<(u64, String)>,
    record: Option<Record>,
    just_opened: bool,
    errors: Vec<ShownError>,
}

impl OpeningPage {
    fn short_of_shares(&self) -> bool {
        self.readiness.released < usize::from(self.readiness.threshold)
    }
}

pub(crate) async fn supplier_name(
    state: &AppState,
    id: &str,
    cache: &mut BTreeMap<String, String>,
) -> String {
    if let Some(name) = cache.get(id) {
        return name.clone();
    }
    let name = match id.parse() {
        Ok(b) => state
            .registry()
            .business(b)
            .await
            .ok()
            .flatten()
            .map(|b| b.data.name),
        Err(_) => None,
    }
    .unwrap_or_else(|| id.to_owned());
    cache.insert(id.to_owned(), name.clone());
    name
}

async fn record_of(
    state: &AppState,
    ctx: &PageCtx,
    tender: &Tender,
    signed: SignedOpening,
) -> Record {
    let mut names = BTreeMap::new();
    let mut opened = Vec::new();
    for b in &signed.record.opened {
        opened.push(OpenedRow {
            bid_id: b.bid_id.to_hex(),
            supplier: supplier_name(state, &b.supplier_id, &mut names).await,
            prices: b
                .lots
                .iter()
                .map(|l| (l.lot_id.clone(), amount(l.amount_minor, &l.currency)))
                .collect(),
            picks: b
                .reserve_price_picks
                .map(|[a, c]| format!("{a}, {c}"))
                .unwrap_or_else(|| "–".into()),
        });
    }
    let mut rejected = Vec::new();
    for r in &signed.record.rejected {
        rejected.push(RejectedRow {
            bid_id: r.bid_id.to_hex(),
            supplier: match &r.supplier_id {
                Some(s) => supplier_name(state, s, &mut names).await,
                None => "–".into(),
            },
            reason: ctx.t(&format!("procurement-rejection-{}", r.reason.code())),
        });
    }
    let currency = super::procurement::currency_of(tender);
    let draw = signed.reserve.as_ref().map(|r| Draw {
        reserve_price: amount(r.draw.reserve_price, currency.code()),
        chosen: r
            .draw
            .chosen
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        prices: r
            .draw
            .preliminary_prices
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let n = u8::try_from(i + 1).unwrap_or(u8::MAX);
                (
                    n,
                    amount(*p, currency.code()),
                    r.draw.pick_counts.get(i).copied().unwrap_or(0),
                    r.draw.chosen.contains(&n),
                )
            })
            .collect(),
        seed: to_hex(&r.input.seed),
    });
    Record {
        signed_by: signed.signature.key_id.clone(),
        opened,
        rejected,
        missing: signed.record.missing.iter().map(BidId::to_hex).collect(),
        draw,
    }
}

async fn opening_page(
    state: &AppState,
    ctx: PageCtx,
    signed: &Signed,
    id: TenderId,
    just_opened: bool,
    errors: Vec<ShownError>,
) -> Result<OpeningPage, WebError> {
    let p = state.procurement();
    // Checks procurement.manage in the tender's agency first (404 otherwise).
    let readiness = p.opening_readiness(&signed.principal, id).await?;
    let tender = p.tender_for_agency(&signed.principal, id).await?;
    let bid_box = match p.bid_box(id).await {
        Ok(b) => Some((b.record.tree_size, b.record.root.to_base64())),
        Err(ProcurementError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let record = match p.opening(id).await {
        Ok(signed) => Some(record_of(state, &ctx, &tender, signed).await),
        Err(ProcurementError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let (released, threshold) = (
        readiness.released.to_string(),
        readiness.threshold.to_string(),
    );
    let args = [
        ("released", released.as_str()),
        ("threshold", threshold.as_str()),
    ];
    Ok(OpeningPage {
        shares_count: ctx.tr().with_args("procurement-opening-shares-count", args),
        shares_missing: ctx
            .tr()
            .with_args("procurement-opening-shares-missing", args),
        tender_id: id.to_string(),
        status: ctx.t(&format!("procurement-status-{}", tender.status.as_str())),
        opening_at: when(readiness.opening_at),
        title: tender.notice.title,
        readiness,
        bid_box,
        record,
        just_opened,
        errors,
        ctx,
    })
}

#[derive(Deserialize)]
pub struct OpeningQuery {
    #[serde(default)]
    opened: String,
}

/// `GET /procurement/office/tenders/{id}/opening`
pub async fn opening(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<OpeningQuery>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let page = opening_page(&state, ctx, &signed, id, !q.opened.is_empty(), Vec::new()).await?;
    render(&page)
}

/// The form has nothing but its CSRF token.
#[derive(Deserialize)]
pub struct OpenForm {}

/// `POST /procurement/office/tenders/{id}/opening`: opens the bids (audited, one transaction).
pub async fn open(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(_form): PageForm<OpenForm>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    // Not of the procuring entity: no such page (before anything else is said).
    state
        .procurement()
        .opening_readiness(&signed.principal, id)
        .await?;
    let errors = match state.procurement().open(&signed.principal, id).await {
        Ok(_) => {
            return Ok(see_other(&format!(
                "/procurement/office/tenders/{id}/opening?opened=1"
            )));
        }
        Err(ProcurementError::Forbidden(_)) => return Err(WebError::NotFound),
        Err(
            e @ (ProcurementError::NotEnoughShares { .. }
            | ProcurementError::TooEarly(_)
            | ProcurementError::Transition { .. }),
        ) => vec![ShownError {
            field: "open".into(),
            message: format!(
                "{} {}",
                problem_text(ctx.tr(), e.code(), "title"),
                problem_text(ctx.tr(), e.code(), "detail")
            ),
        }],
        Err(e) => return Err(e.into()),
    };
    let page = opening_page(&state, ctx, &signed, id, false, errors).await?;
    render_invalid(&page)
}

// ---------------------------------------------------------------------------------------------
// The public bid-box check

#[derive(Template)]
#[template(path = "procurement_bid_box.html")]
struct BidBoxPage {
    ctx: PageCtx,
    tender_id: String,
    title: String,
    deadline: String,
    bid_box: Option<SignedBidBox>,
    bid: String,
    /// The answer to a check: counted or not.
    counted: Option<bool>,
    errors: Vec<ShownError>,
}

impl BidBoxPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn root(&self) -> String {
        self.bid_box
            .as_ref()
            .map(|b| b.record.root.to_base64())
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
pub struct BidBoxQuery {
    #[serde(default)]
    bid: String,
}

/// `GET /procurement/tenders/{id}/bid-box[?bid=…]`: the signed record and, given a bid id
/// from a receipt, whether that bid is in it.
pub async fn bid_box(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<BidBoxQuery>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let p = state.procurement();
    let tender = p.tender(id).await?;
    let bid_box = match p.bid_box(id).await {
        Ok(b) => Some(b),
        Err(ProcurementError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    // Receipts show the id in lower-case hex; accept spaces and capitals as typed or pasted.
    let typed: String = q.bid.chars().filter(|c| !c.is_whitespace()).collect();
    let mut errors = Vec::new();
    let mut counted = None;
    if !q.bid.is_empty() {
        match BidId::from_hex(&typed.to_ascii_lowercase()) {
            None => errors = shown(&ctx, &[FieldError::new("bid", "procurement-error-bid-id")]),
            Some(bid) => match &bid_box {
                Some(b) => counted = Some(b.record.contains(&bid)),
                None => {
                    errors = shown(
                        &ctx,
                        &[FieldError::new("bid", "procurement-error-box-not-closed")],
                    );
                }
            },
        }
    }
    let page = BidBoxPage {
        tender_id: id.to_string(),
        title: tender.notice.title,
        deadline: when(tender.notice.timeline.bid_deadline),
        bid_box,
        // Shown again as typed, without control characters and not endlessly.
        bid: q
            .bid
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect(),
        counted,
        errors,
        ctx,
    };
    if page.errors.is_empty() {
        render(&page)
    } else {
        render_invalid(&page)
    }
}
