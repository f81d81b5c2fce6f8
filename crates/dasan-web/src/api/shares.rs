//! Sending documents to receiving organisations over the API: the holder sends, lists and
//! withdraws; the organisation's officials and systems (a token scoped `civil.review` in that
//! agency) list what they received, each document verified at the moment they look, and fetch
//! its PDF. `dasan_civil::shares` decides; this only translates.

use crate::auth::Bearer;
use crate::error::{ProblemDocument, WebError};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use dasan_civil::CivilError;
use dasan_civil::shares::{PURPOSE_MAX, RECIPIENT_MAX, ReceivedShare, SentShare, ShareId};
use dasan_kernel::FieldError;
use serde::{Deserialize, Serialize};

/// What to send, to whom.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct SendRequest {
    /// The issue number of one of your documents.
    #[schema(max_length = 64)]
    pub document: String,
    /// The receiving organisation's agency code, e.g. `NTS`.
    #[schema(max_length = 40)]
    pub recipient: String,
    /// Why you send it (shown to the organisation).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub purpose: Option<String>,
}

/// One look at a sent document by the organisation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ViewItem {
    pub at: String,
    /// The agency whose official or system looked.
    pub agency: Option<String>,
    /// `list`, `details` or `pdf`.
    pub what: String,
}

/// A document you sent, and what became of it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SentItem {
    pub id: String,
    /// The document's issue number.
    pub document: String,
    pub recipient: String,
    pub recipient_name: String,
    pub purpose: Option<String>,
    pub sent_at: String,
    pub withdrawn_at: Option<String>,
    pub first_viewed_at: Option<String>,
    pub views: Vec<ViewItem>,
}

impl From<SentShare> for SentItem {
    fn from(s: SentShare) -> Self {
        SentItem {
            id: s.id.to_string(),
            document: s.issue_number,
            recipient: s.recipient,
            recipient_name: s.recipient_name,
            purpose: s.purpose,
            sent_at: s.created_at.to_jiff().to_string(),
            withdrawn_at: s.withdrawn_at.map(|t| t.to_jiff().to_string()),
            first_viewed_at: s.first_viewed_at.map(|t| t.to_jiff().to_string()),
            views: s
                .views
                .into_iter()
                .map(|v| ViewItem {
                    at: v.at.to_jiff().to_string(),
                    agency: v.agency,
                    what: v.what,
                })
                .collect(),
        }
    }
}

/// A document sent to your organisation, verified now.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReceivedItem {
    pub id: String,
    pub issue_number: String,
    pub document_type: String,
    pub purpose: Option<String>,
    pub sent_at: String,
    /// `valid`, `revoked` or `expired`, as of this request.
    pub verdict: String,
    pub revoked_reason: Option<String>,
    /// Exactly what the document's seal attests.
    #[schema(value_type = Option<Object>)]
    pub attested: Option<dasan_civil::documents::Attested>,
    /// Where its signed PDF is.
    pub pdf: String,
}

impl From<ReceivedShare> for ReceivedItem {
    fn from(s: ReceivedShare) -> Self {
        ReceivedItem {
            pdf: format!("/api/v1/shares/received/{}/pdf", s.id),
            id: s.id.to_string(),
            issue_number: s.issue_number,
            document_type: s.document_type,
            purpose: s.purpose,
            sent_at: s.sent_at.to_jiff().to_string(),
            verdict: serde_json::to_value(s.verification.verdict)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            revoked_reason: s.verification.revoked_reason,
            attested: s.verification.attested,
        }
    }
}

fn share_id(text: &str) -> Result<ShareId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

/// Sends one of your documents to an organisation.
#[utoipa::path(
    post,
    path = "/api/v1/shares",
    tag = "civil",
    security(("bearer" = [])),
    request_body = SendRequest,
    responses(
        (status = 201, description = "Sent", body = SentItem),
        (status = 400, description = "The body is not JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such document, or not yours", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The document is revoked", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No such organisation, or a purpose too long", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn send(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    ApiJson(body): ApiJson<SendRequest>,
) -> Result<(StatusCode, Json<SentItem>), WebError> {
    // What the schema promises is what is accepted: overlong values are refused here too.
    let mut errors = Vec::new();
    if body.document.chars().count() > 64 {
        errors.push(FieldError::new("document", "civil-error-document"));
    }
    if body.recipient.chars().count() > RECIPIENT_MAX {
        errors.push(FieldError::new("recipient", "civil-error-recipient"));
    }
    let purpose = body.purpose.unwrap_or_default();
    if purpose.chars().count() > PURPOSE_MAX {
        errors.push(FieldError::new("purpose", "civil-error-purpose"));
    }
    if !errors.is_empty() {
        return Err(CivilError::Invalid(errors).into());
    }
    let civil = state.civil();
    let id = civil
        .send_document(&principal, body.document.trim(), &body.recipient, &purpose)
        .await?;
    let sent = civil
        .my_shares(&principal)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(WebError::NotFound)?;
    Ok((StatusCode::CREATED, Json(sent.into())))
}

/// Where you sent your documents, newest first, with every look the organisation took.
#[utoipa::path(
    get,
    path = "/api/v1/shares/sent",
    tag = "civil",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your sent documents", body = Vec<SentItem>),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn sent(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
) -> Result<Json<Vec<SentItem>>, WebError> {
    let list = state.civil().my_shares(&principal).await?;
    Ok(Json(list.into_iter().map(SentItem::from).collect()))
}

/// Withdraws a document you sent: the organisation no longer sees it.
#[utoipa::path(
    post,
    path = "/api/v1/shares/{id}/withdraw",
    tag = "civil",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The share's id")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such share, or not yours", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already withdrawn", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn withdraw(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
) -> Result<StatusCode, WebError> {
    state
        .civil()
        .withdraw_share(&principal, share_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The documents sent to your organisation, newest first, each verified now (each listing is
/// recorded as a look, shown to the holder).
#[utoipa::path(
    get,
    path = "/api/v1/shares/received",
    tag = "civil",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Documents sent to your organisation", body = Vec<ReceivedItem>),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "You do not receive documents for an organisation", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn received(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
) -> Result<Json<Vec<ReceivedItem>>, WebError> {
    let list = state.civil().received_documents(&principal).await?;
    Ok(Json(list.into_iter().map(ReceivedItem::from).collect()))
}

/// One document sent to your organisation, verified now.
#[utoipa::path(
    get,
    path = "/api/v1/shares/received/{id}",
    tag = "civil",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The share's id")),
    responses(
        (status = 200, description = "The document, verified", body = ReceivedItem),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such share, not sent to you, or withdrawn", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn received_one(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
) -> Result<Json<ReceivedItem>, WebError> {
    let share = state
        .civil()
        .received_document(&principal, share_id(&id)?)
        .await?;
    Ok(Json(share.into()))
}

/// The signed PDF of a document sent to your organisation.
#[utoipa::path(
    get,
    path = "/api/v1/shares/received/{id}/pdf",
    tag = "civil",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The share's id")),
    responses(
        (status = 200, description = "The signed PDF", content_type = "application/pdf", body = String),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such share, not sent to you, or withdrawn", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "Documents cannot be served now", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn received_pdf(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
) -> Result<axum::response::Response, WebError> {
    let (doc, pdf) = state
        .civil()
        .received_pdf(&principal, share_id(&id)?)
        .await?;
    Ok(crate::pages::civil::pdf_download(&doc, pdf))
}
