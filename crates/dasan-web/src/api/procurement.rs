//! E-procurement over the API: tender search and notices, bid-box and opening records for
//! anyone; supplier registration, sealed bids (sealed and signed by the supplier's own client,
//! e.g. `dasan bid seal`), withdrawal, receipts and questions for suppliers' authorised users;
//! publication, amendments, cancellation, answers and debarment for procuring officials; share
//! release and opening for committee members; the evaluation panel's sheets, the signed
//! evaluation report, the award, and complaints with their answers and review decisions.
//! `dasan_procurement` decides; this translates.
//!
//! Times inside notices are integers: microseconds since 1970-01-01T00:00:00Z (UTC), as the
//! platform stores them; the summaries also give RFC 3339.

use crate::auth::Bearer;
use crate::error::{ProblemDocument, WebError};
use crate::extract::{ApiJson, Query, RawBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use base64::Engine as _;
use dasan_kernel::{FieldError, Timestamp};
use dasan_procurement::{
    BankAccount, ClarificationId, KeyShare, Licence, MemberPublicKey, PublishRequest, SignedBid,
    SupplierDetails, TenderId, TenderNotice, TenderSummary,
};
use dasan_registry::BusinessId;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every procurement route; merged into the API router with one line.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tenders, publish))
        .routes(routes!(tender))
        .routes(routes!(upload_document))
        .routes(routes!(tender_document))
        .routes(routes!(bid_box))
        .routes(routes!(opening, open))
        .routes(routes!(submit_bid))
        .routes(routes!(withdraw_bid))
        .routes(routes!(receipt))
        .routes(routes!(ask))
        .routes(routes!(answer))
        .routes(routes!(amend))
        .routes(routes!(cancel))
        .routes(routes!(release_share))
        .routes(routes!(member_key))
        .routes(routes!(register_supplier))
        .routes(routes!(authorise_bidder))
        .routes(routes!(debar))
        .routes(routes!(appoint_evaluators))
        .routes(routes!(scores, submit_scores))
        .routes(routes!(evaluation, evaluate))
        .routes(routes!(decide_low_bid))
        .routes(routes!(award, make_award))
        .routes(routes!(complaints, file_complaint))
        .routes(routes!(answer_complaint))
        .routes(routes!(review_queue))
        .routes(routes!(decide_complaint))
}

fn invalid(field: &str, message: &'static str) -> WebError {
    let mut err = WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation-failed");
    err.fields.push(FieldError::new(field, message));
    err
}

fn tender_id(text: &str) -> Result<TenderId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

fn business_id(field: &str, text: &str) -> Result<BusinessId, WebError> {
    text.trim()
        .parse()
        .map_err(|_| invalid(field, "procurement-error-business-id"))
}

fn rfc3339(t: Timestamp) -> String {
    t.to_jiff().to_string()
}

/// A tender in a list.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TenderItem {
    #[schema(format = Uuid)]
    pub id: String,
    /// The procuring entity's agency code.
    pub agency: String,
    pub title: String,
    /// `open`, `restricted` or `limited`.
    pub method: String,
    /// `published`, `closed`, `opened` or `cancelled`.
    pub status: String,
    /// RFC 3339: bids received strictly before this instant are accepted.
    pub bid_deadline: String,
}

impl From<TenderSummary> for TenderItem {
    fn from(t: TenderSummary) -> Self {
        TenderItem {
            id: t.id.to_string(),
            agency: t.agency,
            title: t.title,
            method: t.method,
            status: t.status.as_str().to_owned(),
            bid_deadline: rfc3339(t.bid_deadline),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenderQuery {
    /// Only tenders with an item in this category: a code prefix such as `cpv:45` or
    /// `unspsc:4321`.
    #[param(pattern = r"^(([cC][pP][vV]|[uU][nN][sS][pP][sS][cC]):[0-9]{2,8})?$")]
    category: Option<String>,
}

/// Tenders accepting bids, soonest deadline first (at most 100), optionally by category.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/tenders",
    tag = "procurement",
    params(TenderQuery),
    responses(
        (status = 200, description = "Published tenders", body = Vec<TenderItem>),
        (status = 400, description = "Malformed query", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Not a category prefix", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn tenders(
    State(state): State<AppState>,
    Query(q): Query<TenderQuery>,
) -> Result<Json<Vec<TenderItem>>, WebError> {
    let p = state.procurement();
    let list = match q.category.as_deref().filter(|c| !c.is_empty()) {
        // The API takes the code as documented, unpadded (the search page trims what people
        // type; a client sending whitespace has a bug worth hearing about).
        Some(category) if category.trim() != category => {
            return Err(invalid("category", "procurement-error-classification"));
        }
        Some(category) => p.search(category).await?,
        None => p.published().await?,
    };
    Ok(Json(list.into_iter().map(TenderItem::from).collect()))
}

/// A version of a notice.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VersionItem {
    pub version: i64,
    /// `publication`, `amendment` or `outage_extension`.
    pub kind: String,
    pub material: bool,
    pub summary: String,
    pub bid_deadline: String,
    pub opening_at: String,
    pub created_at: String,
}

/// A question and its public answer (who asked is never shown).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ClarificationItem {
    #[schema(format = Uuid)]
    pub id: String,
    pub question: String,
    pub asked_at: String,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
}

/// A tender notice as the public sees it, with what a supplier needs to seal a bid.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TenderDetail {
    #[schema(format = Uuid)]
    pub id: String,
    pub agency: String,
    pub status: String,
    pub notice_version: i64,
    /// The notice (estimated value withheld until opening unless the tender makes it public).
    /// Times are microseconds since the epoch (UTC).
    #[schema(value_type = Object)]
    pub notice: serde_json::Value,
    /// The tender's HPKE public key (X25519, hex): seal bids to it (`dasan bid seal`).
    pub public_key: String,
    /// Committee shares needed to open.
    pub threshold: u8,
    pub committee_size: usize,
    /// The key ceremony's public output: `tender_id`, `threshold`, `public_key` and `shares`,
    /// one per committee member (`member_index` 1..=n, `member_public_key`, HPKE `enc` and
    /// `ciphertext`, hex), each sealed to that member's own key. Only the member can open
    /// theirs: save this document and run `dasan committee share --tender FILE --key KEY`.
    #[schema(value_type = Object)]
    pub ceremony: dasan_procurement::KeyCeremony,
    /// Hex SHA-256 of the reserve-price seed, revealed at opening.
    pub seed_commitment: Option<String>,
    pub published_at: String,
    pub closed_at: Option<String>,
    pub opened_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub cancel_reason: Option<String>,
    pub versions: Vec<VersionItem>,
    pub clarifications: Vec<ClarificationItem>,
}

/// Everything public about a tender (shared by the pages).
pub async fn tender_detail(state: &AppState, id: TenderId) -> Result<TenderDetail, WebError> {
    let p = state.procurement();
    let t = p.tender(id).await?;
    let versions = p.notice_versions(id).await?;
    let clarifications = p.clarifications(id).await?;
    Ok(TenderDetail {
        id: t.id.to_string(),
        agency: t.agency,
        status: t.status.as_str().to_owned(),
        notice_version: t.notice_version,
        notice: serde_json::to_value(&t.notice).map_err(|e| WebError::internal(&e))?,
        public_key: t.ceremony.public_key.to_hex(),
        threshold: t.ceremony.threshold,
        committee_size: t.ceremony.shares.len(),
        ceremony: t.ceremony.clone(),
        seed_commitment: t.seed_commitment,
        published_at: rfc3339(t.published_at),
        closed_at: t.closed_at.map(rfc3339),
        opened_at: t.opened_at.map(rfc3339),
        cancelled_at: t.cancelled_at.map(rfc3339),
        cancel_reason: t.cancel_reason,
        versions: versions
            .into_iter()
            .map(|v| VersionItem {
                version: v.version,
                kind: v.kind,
                material: v.material,
                summary: v.summary,
                bid_deadline: rfc3339(v.bid_deadline),
                opening_at: rfc3339(v.opening_at),
                created_at: rfc3339(v.created_at),
            })
            .collect(),
        clarifications: clarifications
            .into_iter()
            .map(|c| ClarificationItem {
                id: c.id.to_string(),
                question: c.question,
                asked_at: rfc3339(c.asked_at),
                answer: c.answer,
                answered_at: c.answered_at.map(rfc3339),
            })
            .collect(),
    })
}

/// A tender notice with its versions and public clarifications.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/tenders/{id}",
    tag = "procurement",
    params(("id" = String, Path, description = "The tender's id")),
    responses(
        (status = 200, description = "The tender", body = TenderDetail),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn tender(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<TenderDetail>, WebError> {
    Ok(Json(tender_detail(&state, tender_id(&id)?).await?))
}

/// The signed bid-box record of a closed tender: the sorted bid ids, their RFC 9162 Merkle
/// root, and the platform's signature. A receipt holder checks their bid id is listed.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/tenders/{id}/bid-box",
    tag = "procurement",
    params(("id" = String, Path, description = "The tender's id")),
    responses(
        (status = 200, description = "The signed bid-box record", body = Object),
        (status = 404, description = "No such tender, or its box is not closed yet", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn bid_box(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<dasan_procurement::SignedBidBox>, WebError> {
    Ok(Json(state.procurement().bid_box(tender_id(&id)?).await?))
}

/// The signed opening record of an opened tender (bidders, prices per lot, rejected bids
/// with reasons) and the reserve price draw with its public inputs.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/tenders/{id}/opening",
    tag = "procurement",
    params(("id" = String, Path, description = "The tender's id")),
    responses(
        (status = 200, description = "The signed opening record", body = Object),
        (status = 404, description = "No such tender, or not opened yet", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn opening(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<dasan_procurement::SignedOpening>, WebError> {
    Ok(Json(state.procurement().opening(tender_id(&id)?).await?))
}

/// Open the bids (an official with `procurement.manage` in the procuring entity), once at
/// least `t` committee members have released their shares after the opening time.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders/{id}/opening",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    responses(
        (status = 201, description = "Opened: the signed opening record", body = Object),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not an official of the procuring entity", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Not closed yet, too early, or fewer than t shares released", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn open(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<dasan_procurement::SignedOpening>), WebError> {
    let opened = state
        .procurement()
        .open(&principal, tender_id(&id)?)
        .await?;
    Ok((StatusCode::CREATED, Json(opened)))
}

/// A sealed and signed bid, as `dasan bid seal` writes it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BidSubmission {
    /// The signed submission (`DSBS` bytes: the envelope sealed to the tender key and the
    /// bidder's signature), standard base64. The supplier is the one the envelope names.
    pub submission: String,
}

/// What the platform signs for a bidder.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReceiptItem {
    /// Hex SHA-256 of the envelope: look for it in the bid-box record after the deadline.
    pub bid_id: String,
    /// RFC 3339 time of receipt (the platform's signed statement).
    pub received_at: String,
    /// The signed receipt: `receipt` (its JSON is what is signed) and `signature`.
    #[schema(value_type = Object)]
    pub signed: dasan_procurement::SignedReceipt,
}

impl From<dasan_procurement::SignedReceipt> for ReceiptItem {
    fn from(signed: dasan_procurement::SignedReceipt) -> Self {
        ReceiptItem {
            bid_id: signed.receipt.bid_id.to_hex(),
            received_at: rfc3339(Timestamp::from_micros(signed.receipt.received_at_us)),
            signed,
        }
    }
}

/// Submit a bid sealed and signed on the supplier's side: the platform never sees the
/// plaintext. It must be signed with the submitting bidder's registered key and arrive
/// strictly before the deadline; it replaces the supplier's earlier bid.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders/{id}/bids",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    request_body = BidSubmission,
    responses(
        (status = 201, description = "Received: the signed receipt", body = ReceiptItem),
        (status = 400, description = "Not a valid signed envelope for this tender", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not an authorised bidder, not registered, debarred, not eligible, or signed with an unknown key", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The deadline has passed, or the tender was cancelled", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Malformed request", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn submit_bid(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BidSubmission>,
) -> Result<(StatusCode, Json<ReceiptItem>), WebError> {
    let tender = tender_id(&id)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.submission.trim())
        .map_err(|_| invalid("submission", "procurement-error-submission"))?;
    // The service checks the signature (once); here only the supplier it names is needed.
    let supplier =
        SignedBid::supplier_of(&bytes).map_err(dasan_procurement::ProcurementError::from)?;
    let business = business_id("submission", &supplier)?;
    let receipt = state
        .procurement()
        .submit_signed_bid(&principal, business, tender, &bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(receipt.into())))
}

/// Which supplier.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierRef {
    /// The business's registry id.
    #[schema(format = Uuid)]
    pub business_id: String,
}

/// The bid withdrawn.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Withdrawn {
    pub bid_id: String,
}

/// Withdraw the supplier's bid before the deadline.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders/{id}/bids/withdrawal",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    request_body = SupplierRef,
    responses(
        (status = 200, description = "Withdrawn", body = Withdrawn),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not an authorised bidder", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such tender, or no bid to withdraw", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The deadline has passed", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Not a business id", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn withdraw_bid(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SupplierRef>,
) -> Result<Json<Withdrawn>, WebError> {
    let business = business_id("business_id", &body.business_id)?;
    let bid = state
        .procurement()
        .withdraw_bid(&principal, business, tender_id(&id)?)
        .await?;
    Ok(Json(Withdrawn {
        bid_id: bid.to_hex(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceiptQuery {
    /// The business's registry id.
    business: String,
}

/// The signed receipt of the supplier's current bid.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/tenders/{id}/receipt",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id"), ReceiptQuery),
    responses(
        (status = 200, description = "The signed receipt", body = ReceiptItem),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not an authorised bidder", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No current bid", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn receipt(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    Query(q): Query<ReceiptQuery>,
) -> Result<Json<ReceiptItem>, WebError> {
    let business = business_id("business", &q.business)?;
    let signed = state
        .procurement()
        .receipt(&principal, business, tender_id(&id)?)
        .await?;
    Ok(Json(signed.into()))
}

/// A supplier's question.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    #[schema(format = Uuid)]
    pub business_id: String,
    pub question: String,
}

/// The id of something created.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: String,
}

/// Ask a question before the clarification deadline (other suppliers never learn who asked).
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders/{id}/clarifications",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    request_body = Question,
    responses(
        (status = 201, description = "Asked", body = Created),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not acting for this supplier, or not registered", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Questions are closed", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An empty or too long question", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn ask(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Question>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let business = business_id("business_id", &body.business_id)?;
    let q = state
        .procurement()
        .ask(&principal, business, tender_id(&id)?, &body.question)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: q.to_string() })))
}

/// The procuring entity's public answer.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub answer: String,
}

/// Answer a question publicly (an official of the procuring entity); interested suppliers are
/// told.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/clarifications/{id}/answer",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The question's id")),
    request_body = Answer,
    responses(
        (status = 204, description = "Answered"),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such question in your agency's tenders", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already answered, or the tender is no longer published", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An empty or too long answer", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn answer(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Answer>,
) -> Result<StatusCode, WebError> {
    let id: ClarificationId = id.parse().map_err(|_| WebError::NotFound)?;
    state
        .procurement()
        .answer(&principal, id, &body.answer)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A tender to publish.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTender {
    /// The notice (see the crate documentation; times in microseconds since the epoch, on the
    /// hour).
    #[schema(value_type = Object)]
    pub notice: TenderNotice,
    /// The opening committee: account ids of officials of the agency with a registered member
    /// key.
    pub committee: Vec<String>,
    /// Shares needed to open (at least 2, at most the committee's size).
    pub threshold: u8,
}

/// Publish a tender (an official with `procurement.manage`): runs the key ceremony with the
/// committee's keys and commits to the reserve-price seed.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders",
    tag = "procurement",
    security(("bearer" = [])),
    request_body = NewTender,
    responses(
        (status = 201, description = "Published", body = Created),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not a procurement official", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The deadline's hour is full", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Fields to fix", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn publish(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    ApiJson(body): ApiJson<NewTender>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let committee = body
        .committee
        .iter()
        .map(|a| {
            a.parse()
                .map_err(|_| invalid("committee", "procurement-error-committee-member"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let id = state
        .procurement()
        .publish(
            &principal,
            PublishRequest {
                notice: body.notice,
                committee,
                threshold: body.threshold,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// An amendment: the whole new notice.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    #[schema(value_type = Object)]
    pub notice: TenderNotice,
    /// A material amendment moves the deadline by the tender's own rule.
    pub material: bool,
    /// What changed, for the suppliers told.
    pub summary: String,
}

/// The new notice version.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Amended {
    pub version: i64,
}

/// Amend a published tender before its deadline; every interested or bidding supplier is told.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders/{id}/amendments",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    request_body = Amendment,
    responses(
        (status = 201, description = "Amended", body = Amended),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not an official of the procuring entity", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Not published any more", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Fields to fix", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn amend(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Amendment>,
) -> Result<(StatusCode, Json<Amended>), WebError> {
    let version = state
        .procurement()
        .amend(
            &principal,
            tender_id(&id)?,
            body.notice,
            body.material,
            &body.summary,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Amended { version })))
}

/// A tender document as a notice lists it: put it in the notice's `documents` to publish or
/// amend with it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DocumentItem {
    /// The file name (no path, at most 120 characters).
    pub name: String,
    /// The type its content was checked to be.
    pub media_type: String,
    /// Hex SHA-256 of the bytes.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub sha256: String,
    /// Bytes.
    pub size: u64,
}

impl From<dasan_procurement::notice::TenderDocument> for DocumentItem {
    fn from(d: dasan_procurement::notice::TenderDocument) -> Self {
        DocumentItem {
            name: d.name,
            media_type: d.media_type,
            sha256: d.sha256,
            size: d.size,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// The file's name, as shown to suppliers.
    #[param(min_length = 1, max_length = 255)]
    name: String,
}

/// The bytes of a file.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(#[allow(dead_code)] Vec<u8>);

/// Upload a tender document (an official with `procurement.manage`) before publishing or
/// amending a notice that lists it. The body is the file itself; its content decides its type:
/// PDF, ODF or OOXML documents, ZIP archives, PNG, JPEG or TIFF images, at most 20 MiB (and the
/// server's body limit). The answer is the entry to put in the notice's `documents`; a notice
/// listing a document its agency never uploaded is refused.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/documents",
    tag = "procurement",
    security(("bearer" = [])),
    params(DocumentQuery),
    request_body(content = FileBytes, content_type = "application/octet-stream"),
    responses(
        (status = 201, description = "Stored: the notice's entry for it", body = DocumentItem),
        (status = 400, description = "Malformed query or body", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not an official with procurement.manage", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Empty, too large, not an accepted type, or a bad name", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn upload_document(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Query(q): Query<DocumentQuery>,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<DocumentItem>), WebError> {
    let name = q.name.trim();
    if name.is_empty() || name.chars().count() > 255 {
        return Err(invalid("name", "procurement-error-text"));
    }
    let doc = state
        .procurement()
        .upload_document(&principal, name, body.to_vec())
        .await?;
    Ok((StatusCode::CREATED, Json(doc.into())))
}

/// A download of a tender document: the type its content was checked to be, never rendered
/// inline.
pub fn document_download(
    doc: &dasan_procurement::notice::TenderDocument,
    bytes: Vec<u8>,
) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    // An ASCII fallback name and the exact one (RFC 6266 / RFC 8187).
    let ascii: String = doc
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '\\' && c != '"' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let exact: String = url::form_urlencoded::byte_serialize(doc.name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    (
        [
            (header::CONTENT_TYPE, doc.media_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{exact}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "public, max-age=300".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// Download a document the tender's current notice lists (anyone). Any other hash is not
/// found, whatever the store holds.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/tenders/{id}/documents/{sha256}",
    tag = "procurement",
    params(
        ("id" = String, Path, description = "The tender's id"),
        ("sha256" = String, Path, description = "The document's hex SHA-256, as the notice lists it"),
    ),
    responses(
        (status = 200, description = "The document, as an attachment", content(
            (FileBytes = "application/pdf"),
            (FileBytes = "application/vnd.oasis.opendocument.text"),
            (FileBytes = "application/vnd.oasis.opendocument.spreadsheet"),
            (FileBytes = "application/vnd.oasis.opendocument.presentation"),
            (FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (FileBytes = "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            (FileBytes = "application/zip"),
            (FileBytes = "image/png"),
            (FileBytes = "image/jpeg"),
            (FileBytes = "image/tiff"),
        )),
        (status = 404, description = "No such tender, or its notice lists no such document", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn tender_document(
    State(state): State<AppState>,
    Path((id, sha256)): Path<(String, String)>,
) -> Result<axum::response::Response, WebError> {
    let (doc, bytes) = state
        .procurement()
        .tender_document(tender_id(&id)?, &sha256)
        .await?;
    Ok(document_download(&doc, bytes))
}

/// Why a tender is cancelled.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cancellation {
    pub reason: String,
}

/// Cancel a tender with a reason — before or after opening, or during the award's standstill
/// (not once the award is final); suppliers are told.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders/{id}/cancellation",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    request_body = Cancellation,
    responses(
        (status = 204, description = "Cancelled"),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not an official of the procuring entity", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already cancelled, or the award is final", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An empty reason", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Cancellation>,
) -> Result<StatusCode, WebError> {
    state
        .procurement()
        .cancel(&principal, tender_id(&id)?, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A committee member's share, decrypted on their own machine with their own key.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareRelease {
    /// The share's bytes, hex.
    pub share: String,
}

/// Release one's share after the opening time (each release is audited).
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders/{id}/shares",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    request_body = ShareRelease,
    responses(
        (status = 204, description = "Released"),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not on this committee, or another member's share", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Too early, not closed, or already released", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Not a share", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn release_share(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ShareRelease>,
) -> Result<StatusCode, WebError> {
    let bytes =
        hex_bytes(&body.share).ok_or_else(|| invalid("share", "procurement-error-share"))?;
    let share =
        KeyShare::from_bytes(&bytes).map_err(|_| invalid("share", "procurement-error-share"))?;
    state
        .procurement()
        .release_share(&principal, tender_id(&id)?, &share)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    let t = text.trim();
    if !t.len().is_multiple_of(2) || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..t.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(t.get(i..i + 2)?, 16).ok())
        .collect()
}

/// An official's committee key.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberKey {
    /// The member's own HPKE public key (X25519, 32 bytes hex); they keep the private half.
    pub public_key: String,
}

/// Register (or replace) one's own committee key: shares of future tenders are sealed to it.
#[utoipa::path(
    put,
    path = "/api/v1/procurement/member-key",
    tag = "procurement",
    security(("bearer" = [])),
    request_body = MemberKey,
    responses(
        (status = 204, description = "Registered"),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not an official", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Not an X25519 public key", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn member_key(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    ApiJson(body): ApiJson<MemberKey>,
) -> Result<StatusCode, WebError> {
    let key = MemberPublicKey::from_hex(body.public_key.trim())
        .map_err(|_| invalid("public_key", "procurement-error-member-key"))?;
    state
        .procurement()
        .register_member_key(&principal, key)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a business adds to register as a supplier (name, number and standing come from the
/// business registry).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierRegistration {
    #[schema(format = Uuid)]
    pub business_id: String,
    /// CPV (`cpv:45233120`) or UNSPSC (`unspsc:43211500`) codes.
    pub categories: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub licences: Vec<Licence>,
    #[schema(value_type = Object)]
    pub bank_account: BankAccount,
    /// Where tender notices are sent.
    pub contact_email: String,
}

/// Register a business as a supplier, once (its representative or staff).
#[utoipa::path(
    post,
    path = "/api/v1/procurement/suppliers",
    tag = "procurement",
    security(("bearer" = [])),
    request_body = SupplierRegistration,
    responses(
        (status = 201, description = "Registered: the supplier with its registry facts", body = Object),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not acting for this business, or the business is not trading", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such business", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already registered", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Fields to fix", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn register_supplier(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    ApiJson(body): ApiJson<SupplierRegistration>,
) -> Result<(StatusCode, Json<dasan_procurement::Supplier>), WebError> {
    let business = business_id("business_id", &body.business_id)?;
    let p = state.procurement();
    p.register_supplier(
        &principal,
        business,
        SupplierDetails {
            categories: body.categories,
            licences: body.licences,
            bank_account: body.bank_account,
            contact_email: body.contact_email,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(p.supplier(business).await?)))
}

/// An authorised bidder.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BidderAuthorisation {
    /// The business user (or the representative themself when left out).
    #[schema(format = Uuid)]
    #[serde(default)]
    pub account: Option<String>,
    /// The public key their client signs bids with: a PEM `PUBLIC KEY` or base64 DER
    /// SubjectPublicKeyInfo (Ed25519 or ECDSA P-256). Leave out to bid only through the portal's
    /// form.
    #[serde(default)]
    pub signing_key: Option<String>,
}

/// Authorise a bidder for the supplier (its representative).
#[utoipa::path(
    put,
    path = "/api/v1/procurement/suppliers/{business}/bidders",
    tag = "procurement",
    security(("bearer" = [])),
    params(("business" = String, Path, description = "The business's registry id")),
    request_body = BidderAuthorisation,
    responses(
        (status = 204, description = "Authorised"),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not the business's representative, or not registered", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such business", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Not a staff member, or not a usable key", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn authorise_bidder(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(business): Path<String>,
    ApiJson(body): ApiJson<BidderAuthorisation>,
) -> Result<StatusCode, WebError> {
    let business = business.parse().map_err(|_| WebError::NotFound)?;
    let account = match body.account.as_deref() {
        Some(a) => a
            .trim()
            .parse()
            .map_err(|_| invalid("account", "procurement-error-not-staff"))?,
        None => principal.account,
    };
    let spki = match body.signing_key.as_deref() {
        Some(text) => Some(
            spki_of(text).ok_or_else(|| invalid("signing_key", "procurement-error-signing-key"))?,
        ),
        None => None,
    };
    state
        .procurement()
        .authorise_bidder(&principal, business, account, spki.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// DER bytes of a PEM `PUBLIC KEY` or of base64 DER.
pub fn spki_of(text: &str) -> Option<Vec<u8>> {
    let body: String = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()
        .filter(|b| !b.is_empty())
}

/// A debarment decision.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DebarmentRequest {
    pub reason: String,
    /// From (microseconds since the epoch); now when left out.
    #[serde(default)]
    pub starts_at: Option<i64>,
    /// Until (microseconds since the epoch, exclusive); until lifted when left out.
    #[serde(default)]
    pub ends_at: Option<i64>,
}

/// Debar a supplier (an official with `procurement.manage`): it cannot bid meanwhile.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/suppliers/{business}/debarments",
    tag = "procurement",
    security(("bearer" = [])),
    params(("business" = String, Path, description = "The business's registry id")),
    request_body = DebarmentRequest,
    responses(
        (status = 201, description = "Debarred", body = Created),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not a procurement official", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "Not a registered supplier", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Fields to fix", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn debar(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(business): Path<String>,
    ApiJson(body): ApiJson<DebarmentRequest>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let business = business.parse().map_err(|_| WebError::NotFound)?;
    let now = state.db().clock().now();
    let id = state
        .procurement()
        .debar(
            &principal,
            business,
            body.starts_at.map_or(now, Timestamp::from_micros),
            body.ends_at.map(Timestamp::from_micros),
            &body.reason,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

// ---------------------------------------------------------------------------------------------
// Evaluation, award and complaints

const P401: &str = "No token, or not a valid one";

/// The evaluation panel.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Panel {
    /// Account ids of officials of the agency holding procurement.manage or
    /// procurement.evaluate.
    #[schema(max_items = 50, min_items = 1)]
    pub evaluators: Vec<uuid::Uuid>,
}

/// Appoint the evaluation panel of an opened tender whose method scores criteria (once).
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders/{id}/evaluators",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    request_body = Panel,
    responses(
        (status = 204, description = "Appointed"),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = P401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not an official of the procuring entity", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Not opened, or a panel is already appointed", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No criteria to score, or an evaluator who may not evaluate", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn appoint_evaluators(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Panel>,
) -> Result<StatusCode, WebError> {
    let accounts: Vec<dasan_identity::AccountId> = body
        .evaluators
        .iter()
        .map(|u| u.to_string().parse())
        .collect::<Result<_, _>>()
        .map_err(|_| invalid("evaluators", "procurement-error-evaluator"))?;
    state
        .procurement()
        .appoint_evaluators(&principal, tender_id(&id)?, &accounts)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One line of a score sheet.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetLine {
    /// The opened bid's id (64 hex digits).
    #[schema(pattern = "^[0-9a-fA-F]{64}$")]
    pub bid_id: String,
    #[schema(max_length = 32)]
    pub lot_id: String,
    /// The criterion's name as the notice gives it.
    #[schema(max_length = 200)]
    pub criterion: String,
    #[schema(minimum = 0, maximum = 1000)]
    pub points: u32,
}

/// An evaluator's whole sheet.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sheet {
    #[schema(max_items = 100000)]
    pub sheet: Vec<SheetLine>,
}

/// Submit one's score sheet (an appointed evaluator; final once submitted): points for every
/// criterion of every opened bid on every lot it prices.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders/{id}/scores",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    request_body = Sheet,
    responses(
        (status = 204, description = "Submitted"),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = P401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not on this tender's panel", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already submitted, or the tender is past scoring", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A line that does not fit the tender, or a sheet that is not complete", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn submit_scores(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Sheet>,
) -> Result<StatusCode, WebError> {
    let sheet = body
        .sheet
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            Ok(dasan_procurement::SheetEntry {
                bid_id: dasan_procurement::BidId::from_hex(&l.bid_id)
                    .ok_or_else(|| invalid(&format!("sheet[{i}]"), "procurement-error-score"))?,
                lot_id: l.lot_id,
                criterion: l.criterion,
                points: l.points,
            })
        })
        .collect::<Result<Vec<_>, WebError>>()?;
    state
        .procurement()
        .submit_scores(&principal, tender_id(&id)?, sheet)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The scores the caller may see: an evaluator their own sheet until every sheet is in, the
/// procuring entity none until then; afterwards every sheet.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/tenders/{id}/scores",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    responses(
        (status = 200, description = "The panel's progress and the visible scores", body = Object),
        (status = 401, description = P401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such tender, or neither on its panel nor of its procuring entity", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn scores(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
) -> Result<Json<dasan_procurement::ScoreView>, WebError> {
    Ok(Json(
        state
            .procurement()
            .scores(&principal, tender_id(&id)?)
            .await?,
    ))
}

/// The current signed evaluation report: its inputs (opening record hash, rules, bids, scores,
/// decisions) and result. Anyone can recompute it.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/tenders/{id}/evaluation",
    tag = "procurement",
    params(("id" = String, Path, description = "The tender's id")),
    responses(
        (status = 200, description = "The signed evaluation report", body = Object),
        (status = 404, description = "No such tender, or not evaluated yet", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn evaluation(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<dasan_procurement::SignedEvaluation>, WebError> {
    Ok(Json(state.procurement().evaluation(tender_id(&id)?).await?))
}

/// Evaluate an opened tender (or evaluate again before the award), by the rules in its
/// notice; every panel sheet must be in when the method scores criteria.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders/{id}/evaluation",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    responses(
        (status = 201, description = "The signed evaluation report", body = Object),
        (status = 401, description = P401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not an official of the procuring entity", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Not opened, waiting for sheets, or inconsistent inputs", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn evaluate(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<dasan_procurement::SignedEvaluation>), WebError> {
    let ev = state
        .procurement()
        .evaluate(&principal, tender_id(&id)?)
        .await?;
    Ok((StatusCode::CREATED, Json(ev)))
}

/// The procuring entity's decision on an abnormally low bid's explanation.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LowBidDecisionBody {
    #[schema(pattern = "^[0-9a-fA-F]{64}$")]
    pub bid_id: String,
    #[schema(max_length = 32)]
    pub lot_id: String,
    /// Whether the explanation accounts for the low price.
    pub accepted: bool,
    #[schema(max_length = 200)]
    pub reason: String,
}

/// Decide on an abnormally low bid that the current evaluation flags (evaluate again to apply).
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders/{id}/low-bid-decisions",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    request_body = LowBidDecisionBody,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = P401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not an official of the procuring entity", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Not evaluated, or already decided", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Not an undecided abnormally low bid on that lot, or an empty reason", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn decide_low_bid(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LowBidDecisionBody>,
) -> Result<StatusCode, WebError> {
    let bid = dasan_procurement::BidId::from_hex(&body.bid_id)
        .ok_or_else(|| invalid("bid_id", "procurement-error-not-abnormally-low"))?;
    state
        .procurement()
        .decide_low_bid(
            &principal,
            tender_id(&id)?,
            bid,
            &body.lot_id,
            body.accepted,
            &body.reason,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The award of a tender: winners per lot, standstill end, and whether a complaint suspends
/// it.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/tenders/{id}/award",
    tag = "procurement",
    params(("id" = String, Path, description = "The tender's id")),
    responses(
        (status = 200, description = "The award", body = Object),
        (status = 404, description = "No such tender, or not awarded", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn award(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<dasan_procurement::Award>, WebError> {
    Ok(Json(state.procurement().award_of(tender_id(&id)?).await?))
}

/// Award an evaluated tender on its current report: every bidder is told and the standstill
/// period starts.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders/{id}/award",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    responses(
        (status = 201, description = "Awarded", body = Object),
        (status = 401, description = P401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not an official of the procuring entity", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Not evaluated, an abnormally low bid waits for a decision, or no winner", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn make_award(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<dasan_procurement::Award>), WebError> {
    let a = state
        .procurement()
        .award(&principal, tender_id(&id)?)
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// A bidder's complaint against an award.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintBody {
    #[schema(format = Uuid)]
    pub business_id: String,
    #[schema(max_length = 20000)]
    pub grounds: String,
}

/// The complaints against a tender's award, with answers and decisions.
#[utoipa::path(
    get,
    path = "/api/v1/procurement/tenders/{id}/complaints",
    tag = "procurement",
    params(("id" = String, Path, description = "The tender's id")),
    responses(
        (status = 200, description = "The complaints, oldest first", body = Vec<Object>),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn complaints(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<dasan_procurement::Complaint>>, WebError> {
    let id = tender_id(&id)?;
    state.procurement().tender(id).await?;
    Ok(Json(state.procurement().complaints(id).await?))
}

/// File a complaint during the standstill period (a bidder's authorised user); the award
/// cannot become final while it is undecided.
#[utoipa::path(
    post,
    path = "/api/v1/procurement/tenders/{id}/complaints",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender's id")),
    request_body = ComplaintBody,
    responses(
        (status = 201, description = "Filed", body = Created),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = P401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not acting for this business, or it did not bid", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such tender", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Not awarded, or the standstill period is over", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Empty or too long grounds, or not a business id", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn file_complaint(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ComplaintBody>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let business = business_id("business_id", &body.business_id)?;
    let c = state
        .procurement()
        .file_complaint(&principal, business, tender_id(&id)?, &body.grounds)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: c.to_string() })))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// `true`: the decided complaints, newest decision first; otherwise the undecided ones,
    /// oldest first.
    #[serde(default)]
    decided: bool,
}

/// The review body's queue: complaints against awards across every agency (at most 200), each
/// with its tender's title and agency (procurement.manage at platform scope).
#[utoipa::path(
    get,
    path = "/api/v1/procurement/complaints",
    tag = "procurement",
    security(("bearer" = [])),
    params(ReviewQuery),
    responses(
        (status = 200, description = "The complaints", body = Vec<Object>),
        (status = 400, description = "A malformed query", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = P401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not the review body", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn review_queue(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Query(q): Query<ReviewQuery>,
) -> Result<Json<Vec<dasan_procurement::awards::ComplaintForReview>>, WebError> {
    Ok(Json(
        state
            .procurement()
            .complaints_for_review(&principal, q.decided)
            .await?,
    ))
}

fn complaint_id(text: &str) -> Result<dasan_procurement::ComplaintId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

/// Answer a complaint (an official of the procuring entity; once, before the decision).
#[utoipa::path(
    post,
    path = "/api/v1/procurement/complaints/{id}/answer",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The complaint's id")),
    request_body = Answer,
    responses(
        (status = 204, description = "Answered"),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = P401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such complaint in your agency's tenders", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already answered or decided", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An empty or too long answer", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn answer_complaint(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Answer>,
) -> Result<StatusCode, WebError> {
    state
        .procurement()
        .answer_complaint(&principal, complaint_id(&id)?, &body.answer)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The review body's decision.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintDecisionBody {
    /// `upheld` annuls the award (the tender is evaluated again); `dismissed` does not.
    #[schema(value_type = String, pattern = "^(upheld|dismissed)$")]
    pub decision: dasan_procurement::ComplaintDecision,
    #[schema(max_length = 20000)]
    pub reason: String,
}

/// Decide an answered complaint (the review body: procurement.manage at platform scope).
#[utoipa::path(
    post,
    path = "/api/v1/procurement/complaints/{id}/decision",
    tag = "procurement",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The complaint's id")),
    request_body = ComplaintDecisionBody,
    responses(
        (status = 204, description = "Decided"),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = P401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not the review body", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such complaint", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Not answered yet, or already decided", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An empty or too long reason", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn decide_complaint(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ComplaintDecisionBody>,
) -> Result<StatusCode, WebError> {
    state
        .procurement()
        .decide_complaint(&principal, complaint_id(&id)?, body.decision, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
