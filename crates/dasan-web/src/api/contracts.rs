//! E-contracts over the API: the procuring entity makes a contract from a final award, both
//! parties sign it (PAdES: the entity's document-signing key, then the supplier's e-seal at an
//! authorised bidder's request), the entity amends it, accepts deliveries and records
//! payments. A contract is public once both parties have signed; before that only its parties
//! see it. `dasan_procurement::contracts` decides; this translates.

use crate::auth::{Auth, Bearer};
use crate::error::{ProblemDocument, WebError};
use crate::extract::{ApiJson, Query};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use dasan_identity::Principal;
use dasan_kernel::FieldError;
use dasan_procurement::contracts::{MAX_CONTRACT_TEXT, MAX_MILESTONES};
use dasan_procurement::{
    AmendmentRequest, Contract, ContractId, ContractLanguage, ContractRequest, ContractStatus,
    MilestoneInput, TenderId,
};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const P401: &str = "No token, or not a valid one";
const PROBLEM: &str = "application/problem+json";

/// Every contract route; merged into the API router with one line.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tender_contracts, create_contract))
        .routes(routes!(contract))
        .routes(routes!(my_contracts))
        .routes(routes!(search_contracts))
        .routes(routes!(contract_pdf))
        .routes(routes!(sign_entity))
        .routes(routes!(sign_supplier))
        .routes(routes!(amend))
        .routes(routes!(accept_delivery))
        .routes(routes!(record_payment))
        .routes(routes!(terminate))
}

fn invalid(field: &str, message: &'static str) -> WebError {
    let mut err = WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation-failed");
    err.fields.push(FieldError::new(field, message));
    err
}

fn tender_id(text: &str) -> Result<TenderId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

fn contract_id(text: &str) -> Result<ContractId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

fn date(field: &str, text: &str) -> Result<jiff::civil::Date, WebError> {
    let ok = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    ok.then(|| text.parse().ok())
        .flatten()
        .ok_or_else(|| invalid(field, "procurement-error-date"))
}

fn text(field: &str, s: &str) -> Result<(), WebError> {
    if s.chars().count() > MAX_CONTRACT_TEXT {
        return Err(invalid(field, "procurement-error-text"));
    }
    Ok(())
}

/// Who is asking: a bearer token or a signed-in session, if any.
fn caller(auth: &Auth) -> Option<&Principal> {
    auth.bearer.as_ref().or_else(|| auth.principal())
}

/// Whether the caller may see the contract: anyone once both parties have signed, only the
/// parties before. Otherwise it does not exist for them.
async fn visible(state: &AppState, auth: &Auth, c: &Contract) -> Result<bool, WebError> {
    if !matches!(
        c.status,
        ContractStatus::Draft | ContractStatus::EntitySigned
    ) {
        return Ok(true);
    }
    match caller(auth) {
        Some(p) => Ok(state.procurement().is_party(p, c).await?),
        None => Ok(false),
    }
}

/// A milestone as requested.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneBody {
    #[schema(min_length = 1, max_length = 2000)]
    pub title: String,
    /// ISO 8601 date (in Korea) within the contract period.
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub due_on: String,
    /// Minor units (KRW: won); the milestones sum to the contract value.
    #[schema(minimum = 1, maximum = 9_007_199_254_740_991_u64)]
    pub amount_minor: u64,
}

fn milestones(list: &[MilestoneBody]) -> Result<Vec<MilestoneInput>, WebError> {
    if list.is_empty() || list.len() > MAX_MILESTONES {
        return Err(invalid("milestones", "procurement-error-milestones"));
    }
    list.iter()
        .enumerate()
        .map(|(i, m)| {
            text(&format!("milestones[{i}].title"), &m.title)?;
            Ok(MilestoneInput {
                title: m.title.clone(),
                due_on: date(&format!("milestones[{i}].due_on"), &m.due_on)?,
                amount_minor: m.amount_minor,
            })
        })
        .collect()
}

/// What the entity states when it makes a contract (the lots and value come from the award).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractBody {
    /// The winning supplier (its business id).
    #[schema(format = Uuid)]
    pub business_id: String,
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub period_start: String,
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub period_end: String,
    /// Days after a milestone's acceptance within which it is paid.
    #[schema(minimum = 0, maximum = 365)]
    pub payment_term_days: u32,
    #[schema(min_items = 1, max_items = 50)]
    pub milestones: Vec<MilestoneBody>,
    /// The document's language: `ko` (default) or `en`.
    #[schema(value_type = Option<String>, pattern = "^(ko|en)$")]
    #[serde(default)]
    pub language: Option<ContractLanguage>,
}

/// A tender's contracts that the caller may see, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/tenders/{id}/contracts",
    tag = "procurement",
    params(("id" = String, Path, description = "The tender's id")),
    responses(
        (status = 200, description = "The contracts", body = Vec<Object>),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = PROBLEM),
    )
)]
pub async fn tender_contracts(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> Result<Json<Vec<Contract>>, WebError> {
    let id = tender_id(&id)?;
    state.procurement().tender(id).await?;
    let mut out = Vec::new();
    for c in state.procurement().contracts_of(id).await? {
        if visible(&state, &auth, &c).await? {
            out.push(c);
        }
    }
    Ok(Json(out))
}

/// Make the contract of a final award with one of its winners (an official of the procuring
/// entity): a draft, to be signed by the entity and then the supplier.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders/{id}/contracts",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    request_body = ContractBody,
    responses(
        (status = 201, description = "The draft contract", body = Object),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = PROBLEM),
        (status = 401, description = P401, body = ProblemDocument, content_type = PROBLEM),
        (status = 403, description = "Not an official of the procuring entity", body = ProblemDocument, content_type = PROBLEM),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = PROBLEM),
        (status = 409, description = "The award is not final, or the supplier already has a contract", body = ProblemDocument, content_type = PROBLEM),
        (status = 422, description = "Not a winner, bad dates, or milestones that do not sum to the value", body = ProblemDocument, content_type = PROBLEM),
    )
)]
pub async fn create_contract(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ContractBody>,
) -> Result<(StatusCode, Json<Contract>), WebError> {
    let tender = tender_id(&id)?;
    let req = ContractRequest {
        business_id: body
            .business_id
            .trim()
            .parse()
            .map_err(|_| invalid("business_id", "procurement-error-business-id"))?,
        period_start: date("period_start", &body.period_start)?,
        period_end: date("period_end", &body.period_end)?,
        payment_term_days: body.payment_term_days,
        milestones: milestones(&body.milestones)?,
        language: body.language.unwrap_or_default(),
    };
    let c = state
        .procurement()
        .create_contract(&principal, tender, req)
        .await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// A contract: its versions (the contract and its amendments, with who signed when),
/// deliveries accepted or rejected, and payments with their late days.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/contracts/{id}",
    tag = "procurement",
    params(("id" = String, Path, description = "The contract's id")),
    responses(
        (status = 200, description = "The contract", body = Object),
        (status = 404, description = "No such contract (or not yet signed by both, and you are not a party)", body = ProblemDocument, content_type = PROBLEM),
    )
)]
pub async fn contract(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> Result<Json<Contract>, WebError> {
    let c = state.procurement().contract(contract_id(&id)?).await?;
    if !visible(&state, &auth, &c).await? {
        return Err(WebError::NotFound);
    }
    Ok(Json(c))
}

/// The contracts of the businesses you are an authorised bidder for, newest first (at most
/// 200), whatever their status.
#[utoipa::path(
    get,
    path = "/api/v1/me/contracts",
    tag = "procurement",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contracts", body = Vec<Object>),
        (status = 401, description = P401, body = ProblemDocument, content_type = PROBLEM),
    )
)]
pub async fn my_contracts(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
) -> Result<Json<Vec<Contract>>, WebError> {
    Ok(Json(state.procurement().my_contracts(&principal).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractSearch {
    /// Words of the tender's title.
    #[param(max_length = 100, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    #[serde(default)]
    q: String,
    /// `active`, `completed` or `terminated`.
    #[param(pattern = "^(active|completed|terminated)?$")]
    #[serde(default)]
    status: String,
    /// The procuring entity's agency code.
    #[param(pattern = "^[A-Za-z0-9-]{0,32}$")]
    #[serde(default)]
    agency: String,
    /// The page, from 1 (20 contracts a page).
    #[param(minimum = 1, maximum = 1000)]
    page: Option<u32>,
}

/// A page of contracts.
#[derive(serde::Serialize)]
pub struct ContractPage {
    items: Vec<Contract>,
    total: u64,
    page: u32,
    page_size: u32,
}

/// Contracts both parties have signed (in force, completed or terminated), searched by the
/// tender's title, status and agency, newest signature first; public.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/contracts",
    tag = "procurement",
    params(ContractSearch),
    responses(
        (status = 200, description = "`items` (contracts), `total`, `page`, `page_size`", body = Object),
        (status = 400, description = "A malformed query", body = ProblemDocument, content_type = PROBLEM),
        (status = 422, description = "A search field out of range", body = ProblemDocument, content_type = PROBLEM),
    )
)]
pub async fn search_contracts(
    State(state): State<AppState>,
    Query(s): Query<ContractSearch>,
) -> Result<Json<ContractPage>, WebError> {
    use dasan_procurement::transparency::{ContractQuery, ContractQueryText};
    // Exactly as documented: the pages trim what people type, the API does not.
    if s.q.chars().any(char::is_control) {
        return Err(invalid("q", "transparency-error-text"));
    }
    if s.status.trim() != s.status {
        return Err(invalid("status", "transparency-error-status"));
    }
    if s.agency.trim() != s.agency {
        return Err(invalid("agency", "transparency-error-agency"));
    }
    let page = s.page.map(|p| p.to_string());
    let q = ContractQuery::parse(&ContractQueryText {
        text: Some(&s.q),
        status: Some(&s.status),
        agency: Some(&s.agency),
        page: page.as_deref(),
    })
    .map_err(|fields| {
        let mut err = WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation-failed");
        err.fields = fields;
        err
    })?;
    let found = state.procurement().search_contracts(&q).await?;
    Ok(Json(ContractPage {
        items: found.items,
        total: found.total,
        page: found.page,
        page_size: found.page_size,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PdfQuery {
    /// The version (1: the contract; 2, ...: amendments); the latest by default.
    #[param(minimum = 1, maximum = 1_000_000)]
    version: Option<i64>,
}

/// The signed PDF of a version: the entity's signature, then the supplier's as an incremental
/// update. Check both with any PAdES validator against the platform root.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/contracts/{id}/pdf",
    tag = "procurement",
    params(("id" = String, Path, description = "The contract's id"), PdfQuery),
    responses(
        (status = 200, description = "The signed PDF", content_type = "application/pdf", body = String),
        (status = 400, description = "Malformed query", body = ProblemDocument, content_type = PROBLEM),
        (status = 404, description = "No such contract or version, or not signed yet", body = ProblemDocument, content_type = PROBLEM),
    )
)]
pub async fn contract_pdf(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Query(q): Query<PdfQuery>,
) -> Result<Response, WebError> {
    let id = contract_id(&id)?;
    let c = state.procurement().contract(id).await?;
    if !visible(&state, &auth, &c).await? {
        return Err(WebError::NotFound);
    }
    let pdf = state.procurement().contract_pdf(id, q.version).await?;
    let name = format!(
        "attachment; filename=\"contract-{id}-v{}.pdf\"",
        q.version
            .unwrap_or_else(|| c.latest().map_or(1, |v| v.version))
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        pdf,
    )
        .into_response())
}

/// The procuring entity signs the latest version (the contract or a pending amendment): the
/// PDF is made and signed with its agency's document-signing key.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/contracts/{id}/signatures/entity",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The contract's id")),
    responses(
        (status = 200, description = "Signed by the entity", body = Object),
        (status = 401, description = P401, body = ProblemDocument, content_type = PROBLEM),
        (status = 403, description = "Not an official of the procuring entity", body = ProblemDocument, content_type = PROBLEM),
        (status = 404, description = "No such contract", body = ProblemDocument, content_type = PROBLEM),
        (status = 409, description = "Already signed by the entity, or the contract has ended", body = ProblemDocument, content_type = PROBLEM),
        (status = 503, description = "The platform PKI or the document fonts are missing", body = ProblemDocument, content_type = PROBLEM),
    )
)]
pub async fn sign_entity(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Contract>, WebError> {
    Ok(Json(
        state
            .procurement()
            .sign_contract_as_entity(&principal, contract_id(&id)?)
            .await?,
    ))
}

/// An authorised bidder of the supplier signs the latest version after the entity: the
/// platform adds the supplier's e-seal signature (certified by the platform PKI, its key
/// used only at such a request) to the entity-signed PDF.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/contracts/{id}/signatures/supplier",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The contract's id")),
    responses(
        (status = 200, description = "Signed by the supplier", body = Object),
        (status = 401, description = P401, body = ProblemDocument, content_type = PROBLEM),
        (status = 403, description = "Not an authorised bidder of the supplier", body = ProblemDocument, content_type = PROBLEM),
        (status = 404, description = "No such contract", body = ProblemDocument, content_type = PROBLEM),
        (status = 409, description = "The entity has not signed yet, already signed, or the contract has ended", body = ProblemDocument, content_type = PROBLEM),
        (status = 503, description = "The platform PKI is missing", body = ProblemDocument, content_type = PROBLEM),
    )
)]
pub async fn sign_supplier(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Contract>, WebError> {
    Ok(Json(
        state
            .procurement()
            .sign_contract_as_supplier(&principal, contract_id(&id)?)
            .await?,
    ))
}

/// An amendment.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentBody {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// The new value (minor units), if it changes.
    #[schema(minimum = 1, maximum = 9_007_199_254_740_991_u64)]
    pub value_minor: Option<u64>,
    /// The new last day, if it changes.
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub period_end: Option<String>,
    /// The whole new list of milestones, if it changes (delivered ones unchanged).
    #[schema(min_items = 1, max_items = 50)]
    pub milestones: Option<Vec<MilestoneBody>>,
}

/// Amend an active contract (an official of the procuring entity): a new version with a
/// reason, in force once both parties have signed it.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/contracts/{id}/amendments",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The contract's id")),
    request_body = AmendmentBody,
    responses(
        (status = 201, description = "The contract with the new version", body = Object),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = PROBLEM),
        (status = 401, description = P401, body = ProblemDocument, content_type = PROBLEM),
        (status = 403, description = "Not an official of the procuring entity", body = ProblemDocument, content_type = PROBLEM),
        (status = 404, description = "No such contract", body = ProblemDocument, content_type = PROBLEM),
        (status = 409, description = "Not active, or an amendment waits for signatures", body = ProblemDocument, content_type = PROBLEM),
        (status = 422, description = "No change, bad terms, or a delivered milestone changed", body = ProblemDocument, content_type = PROBLEM),
    )
)]
pub async fn amend(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AmendmentBody>,
) -> Result<(StatusCode, Json<Contract>), WebError> {
    let id = contract_id(&id)?;
    text("reason", &body.reason)?;
    let req = AmendmentRequest {
        reason: body.reason,
        value_minor: body.value_minor,
        period_end: body
            .period_end
            .as_deref()
            .map(|d| date("period_end", d))
            .transpose()?,
        milestones: body.milestones.as_deref().map(milestones).transpose()?,
    };
    let c = state
        .procurement()
        .amend_contract(&principal, id, req)
        .await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// The entity's decision on a delivery.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptanceBody {
    pub accepted: bool,
    /// Why (required when rejected).
    #[schema(max_length = 2000)]
    #[serde(default)]
    pub notes: String,
}

/// Accept or reject the delivery of a milestone (an official of the procuring entity).
#[utoipa::path(
    post,
    path = "/api/v1/procurement/contracts/{id}/milestones/{milestone}/acceptance",
    tag = "procurement",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The contract's id"),
        ("milestone" = String, Path, description = "The milestone's id (1, 2, ...)"),
    ),
    request_body = AcceptanceBody,
    responses(
        (status = 200, description = "Decided", body = Object),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = PROBLEM),
        (status = 401, description = P401, body = ProblemDocument, content_type = PROBLEM),
        (status = 403, description = "Not an official of the procuring entity", body = ProblemDocument, content_type = PROBLEM),
        (status = 404, description = "No such contract", body = ProblemDocument, content_type = PROBLEM),
        (status = 409, description = "Not active, or already accepted", body = ProblemDocument, content_type = PROBLEM),
        (status = 422, description = "No such milestone, or a rejection without notes", body = ProblemDocument, content_type = PROBLEM),
    )
)]
pub async fn accept_delivery(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path((id, milestone)): Path<(String, String)>,
    ApiJson(body): ApiJson<AcceptanceBody>,
) -> Result<Json<Contract>, WebError> {
    text("notes", &body.notes)?;
    Ok(Json(
        state
            .procurement()
            .accept_delivery(
                &principal,
                contract_id(&id)?,
                &milestone,
                body.accepted,
                &body.notes,
            )
            .await?,
    ))
}

/// A payment.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    #[schema(min_length = 1, max_length = 10)]
    pub milestone_id: String,
    #[schema(minimum = 1, maximum = 9_007_199_254_740_991_u64)]
    pub amount_minor: u64,
    /// The day it was paid (in Korea): not before the acceptance, not in the future.
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub paid_on: String,
}

/// Record a payment for an accepted milestone (an official of the procuring entity); its due
/// date and late days are computed. The contract completes once everything is paid.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/contracts/{id}/payments",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The contract's id")),
    request_body = PaymentBody,
    responses(
        (status = 201, description = "Recorded", body = Object),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = PROBLEM),
        (status = 401, description = P401, body = ProblemDocument, content_type = PROBLEM),
        (status = 403, description = "Not an official of the procuring entity", body = ProblemDocument, content_type = PROBLEM),
        (status = 404, description = "No such contract", body = ProblemDocument, content_type = PROBLEM),
        (status = 409, description = "Not active, or the milestone is not accepted", body = ProblemDocument, content_type = PROBLEM),
        (status = 422, description = "More than is owed, or a bad date or milestone", body = ProblemDocument, content_type = PROBLEM),
    )
)]
pub async fn record_payment(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PaymentBody>,
) -> Result<(StatusCode, Json<Contract>), WebError> {
    let id = contract_id(&id)?;
    if body.milestone_id.is_empty() || body.milestone_id.len() > 10 {
        return Err(invalid("milestone_id", "procurement-error-milestone"));
    }
    let paid_on = date("paid_on", &body.paid_on)?;
    let c = state
        .procurement()
        .record_payment(
            &principal,
            id,
            &body.milestone_id,
            body.amount_minor,
            paid_on,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// Why a contract ends early.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminationBody {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Terminate a contract early, with a reason (an official of the procuring entity).
#[utoipa::path(
    post,
    path = "/api/v1/procurement/contracts/{id}/termination",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The contract's id")),
    request_body = TerminationBody,
    responses(
        (status = 200, description = "Terminated", body = Object),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = PROBLEM),
        (status = 401, description = P401, body = ProblemDocument, content_type = PROBLEM),
        (status = 403, description = "Not an official of the procuring entity", body = ProblemDocument, content_type = PROBLEM),
        (status = 404, description = "No such contract", body = ProblemDocument, content_type = PROBLEM),
        (status = 409, description = "Already completed or terminated", body = ProblemDocument, content_type = PROBLEM),
        (status = 422, description = "An empty or too long reason", body = ProblemDocument, content_type = PROBLEM),
    )
)]
pub async fn terminate(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TerminationBody>,
) -> Result<Json<Contract>, WebError> {
    text("reason", &body.reason)?;
    Ok(Json(
        state
            .procurement()
            .terminate_contract(&principal, contract_id(&id)?, &body.reason)
            .await?,
    ))
}
