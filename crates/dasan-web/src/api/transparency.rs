//! Public transparency data for anyone: the red flags computed on the platform's own
//! procurement data (`dasan_procurement::redflags`), a tender's OCDS record, and a supplier's
//! public profile. `dasan_procurement` reads and computes; this translates.

use crate::error::{ProblemDocument, WebError};
use crate::extract::Query;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use dasan_kernel::Timestamp;
use dasan_ocds::package::{PackageMeta, Publisher};
use dasan_procurement::redflags::{RedFlag, RedFlagKind};
use dasan_procurement::transparency::{FlaggedTender, PUBLIC_MAX_PAGE, PublicTender};
use dasan_procurement::{ProcurementError, TenderId};
use dasan_registry::BusinessId;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(red_flags))
        .routes(routes!(tender_red_flags))
        .routes(routes!(tender_record))
        .routes(routes!(supplier_profile))
}

const BAD_REQUEST: WebError = WebError::new(StatusCode::BAD_REQUEST, "bad-request");

fn rfc3339(t: Timestamp) -> String {
    t.to_jiff().to_string()
}

/// The kinds of red flag.
#[derive(Clone, Copy, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    SingleBidder,
    ShortTenderPeriod,
    NearFloor,
    RepeatedWinner,
}

impl From<FlagKind> for RedFlagKind {
    fn from(k: FlagKind) -> Self {
        match k {
            FlagKind::SingleBidder => RedFlagKind::SingleBidder,
            FlagKind::ShortTenderPeriod => RedFlagKind::ShortTenderPeriod,
            FlagKind::NearFloor => RedFlagKind::NearFloor,
            FlagKind::RepeatedWinner => RedFlagKind::RepeatedWinner,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FlagQuery {
    /// Only tenders with a flag of this kind.
    #[param(inline)]
    pub kind: Option<FlagKind>,
    /// The page, from 1 (20 tenders a page).
    #[param(minimum = 1, maximum = 1000)]
    pub page: Option<u32>,
}

/// A tender as the public lists show it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicTenderItem {
    #[schema(format = Uuid)]
    pub id: String,
    pub agency: String,
    pub title: String,
    /// `published`, `closed`, `opened`, `evaluated`, `awarded` or `cancelled`.
    pub status: String,
    /// RFC 3339.
    pub published_at: String,
    /// RFC 3339.
    pub bid_deadline: String,
}

impl From<PublicTender> for PublicTenderItem {
    fn from(t: PublicTender) -> Self {
        PublicTenderItem {
            id: t.id.to_string(),
            agency: t.agency,
            title: t.title,
            status: t.status.as_str().to_owned(),
            published_at: rfc3339(t.published_at),
            bid_deadline: rfc3339(t.bid_deadline),
        }
    }
}

/// One red flag as JSON: `kind` and the figures it rests on (by kind: `lots` for
/// `single_bidder`; `hours`, `threshold_hours` for `short_tender_period`; `lot_id`,
/// `price_minor`, `floor_price_minor`, `planned_price_minor`, `above_floor_ppm`,
/// `threshold_ppm` for `near_floor`; `agency`, `supplier_id`, `won`, `total`, `window_days` for
/// `repeated_winner`).
fn flag_item(f: &RedFlag) -> Result<serde_json::Value, WebError> {
    serde_json::to_value(f).map_err(|e| WebError::internal(&e))
}

/// A tender with its flags.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FlaggedTenderItem {
    pub tender: PublicTenderItem,
    /// Each flag: `kind` (`single_bidder`, `short_tender_period`, `near_floor`,
    /// `repeated_winner`) and the figures it rests on.
    #[schema(value_type = Vec<Object>)]
    pub flags: Vec<serde_json::Value>,
}

fn flagged(t: FlaggedTender) -> Result<FlaggedTenderItem, WebError> {
    Ok(FlaggedTenderItem {
        flags: t.flags.iter().map(flag_item).collect::<Result<_, _>>()?,
        tender: t.tender.into(),
    })
}

/// A page of flagged tenders.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FlagPage {
    pub items: Vec<FlaggedTenderItem>,
    /// Flagged tenders in all (with the filter).
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
}

/// Tenders with red flags, newest first: patterns in the platform's own data that deserve a
/// closer look (not findings of wrongdoing). Thresholds are the deployment's configuration.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/red-flags",
    tag = "procurement",
    params(FlagQuery),
    responses(
        (status = 200, description = "Flagged tenders", body = FlagPage),
        (status = 400, description = "Unknown kind, bad page, or unknown parameter", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn red_flags(
    State(state): State<AppState>,
    Query(q): Query<FlagQuery>,
) -> Result<Json<FlagPage>, WebError> {
    let page = q.page.unwrap_or(1);
    if !(1..=PUBLIC_MAX_PAGE).contains(&page) {
        return Err(BAD_REQUEST);
    }
    let found = state
        .procurement()
        .red_flags(q.kind.map(Into::into), page)
        .await?;
    Ok(Json(FlagPage {
        total: found.total,
        page: found.page,
        page_size: found.page_size,
        items: found
            .items
            .into_iter()
            .map(flagged)
            .collect::<Result<_, _>>()?,
    }))
}

fn tender_id(text: &str) -> Result<TenderId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

/// The red flags of one tender (an empty list when none).
#[utoipa::path(
    get,
    path = "/api/v1/procurement/tenders/{id}/red-flags",
    tag = "procurement",
    params(("id" = String, Path, description = "The tender's id")),
    responses(
        (status = 200, description = "The tender's flags: each with `kind` and the figures it rests on", body = Vec<Object>),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn tender_red_flags(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<serde_json::Value>>, WebError> {
    let flags = state
        .procurement()
        .tender_red_flags(tender_id(&id)?)
        .await?;
    Ok(Json(flags.iter().map(flag_item).collect::<Result<_, _>>()?))
}

/// A tender's OCDS record (OCDS 1.1.5 with the bids and lots extensions): a record package
/// with the one record, its releases embedded and its compiled release.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/tenders/{id}/ocds",
    tag = "ocds",
    params(("id" = String, Path, description = "The tender's id")),
    responses(
        (status = 200, description = "An OCDS 1.1 record package", body = Object, content_type = "application/json"),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn tender_record(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = tender_id(&id)?;
    let p = state.procurement();
    let procedure = p.ocds_procedure(id).await?;
    let rs = dasan_ocds::releases(&p.config().ocid_prefix, &procedure)
        .map_err(|e| WebError::internal(&e))?;
    let record = dasan_ocds::record_embedded(&rs).map_err(|e| WebError::internal(&e))?;
    let base = state
        .settings()
        .public_url
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    let meta = PackageMeta {
        publisher: Publisher {
            name: "Dasan".into(),
            scheme: None,
            uid: None,
            uri: Some(format!("{base}/")),
        },
        uri: format!("{base}/api/v1/procurement/tenders/{id}/ocds"),
        published_date: state.db().clock().now(),
        license: None,
        publication_policy: None,
        links: None,
    };
    let io = |e: std::io::Error| WebError::internal(&e);
    let mut w = dasan_ocds::RecordPackageWriter::new(Vec::new(), &meta).map_err(io)?;
    w.write(&record).map_err(io)?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        w.finish().map_err(io)?,
    )
        .into_response())
}

/// A supplier's public profile.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SupplierProfileItem {
    #[schema(format = Uuid)]
    pub business_id: String,
    pub name: String,
    pub registration_number: String,
    /// The registry's standing of the business.
    pub registry_status: String,
    pub registered_at: String,
    pub categories: Vec<String>,
    /// Kinds of licence held (`construction.general`), with issuer and expiry.
    #[schema(value_type = Vec<Object>)]
    pub licences: serde_json::Value,
    /// Debarments, in force or not, with their reasons.
    #[schema(value_type = Vec<Object>)]
    pub debarments: serde_json::Value,
    /// Tenders it bid in, once opened (who bid is secret until then).
    pub tenders_bid: Vec<PublicTenderItem>,
    /// Lots awarded to it.
    #[schema(value_type = Vec<Object>)]
    pub awards: serde_json::Value,
    pub red_flags: Vec<FlaggedTenderItem>,
}

/// A registered supplier's public profile: registration facts (never its bank account,
/// contact address or anyone's personal data), tenders bid once opened, awards, debarments
/// and the red flags concerning it.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/suppliers/{business}/profile",
    tag = "procurement",
    params(("business" = String, Path, description = "The business's registry id")),
    responses(
        (status = 200, description = "The profile", body = SupplierProfileItem),
        (status = 404, description = "No such registered supplier", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn supplier_profile(
    State(state): State<AppState>,
    Path(business): Path<String>,
) -> Result<Json<SupplierProfileItem>, WebError> {
    let business: BusinessId = business.parse().map_err(|_| WebError::NotFound)?;
    let p = match state.procurement().supplier_profile(business).await {
        Ok(p) => p,
        Err(ProcurementError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let mut red_flags: Vec<FlaggedTenderItem> = Vec::new();
    for (tender, flag) in &p.red_flags {
        let item = flag_item(flag)?;
        match red_flags
            .iter_mut()
            .find(|f| f.tender.id == tender.id.to_string())
        {
            Some(f) => f.flags.push(item),
            None => red_flags.push(FlaggedTenderItem {
                tender: tender.clone().into(),
                flags: vec![item],
            }),
        }
    }
    let awards: Vec<serde_json::Value> = p
        .awards
        .iter()
        .map(|a| {
            serde_json::json!({
                "tender": PublicTenderItem::from(a.tender.clone()),
                "lot_id": a.lot_id,
                "price_minor": a.price_minor,
                "currency": a.currency,
                "status": a.status,
                "awarded_at": rfc3339(a.awarded_at),
            })
        })
        .collect();
    Ok(Json(SupplierProfileItem {
        business_id: p.business_id.to_string(),
        name: p.name,
        registration_number: p.registration_number,
        registry_status: json(&p.registry_status)
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        registered_at: rfc3339(p.registered_at),
        categories: p.categories,
        licences: json(&p.licences),
        debarments: json(&p.debarments),
        tenders_bid: p.tenders_bid.into_iter().map(Into::into).collect(),
        awards: serde_json::Value::Array(awards),
        red_flags,
    }))
}

/// A JSON value of anything serialisable (the profile's nested lists).
fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}
