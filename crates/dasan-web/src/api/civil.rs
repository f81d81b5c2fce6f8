//! Civil services over the API: the catalogue for anyone; applying, tracking and answering for a
//! person's own scripts; the work queue and decisions for agency systems and officials (bearer
//! token). The same domain rules as the pages: `dasan_civil` decides, this only translates.

use crate::auth::Bearer;
use crate::error::{ProblemDocument, WebError};
use crate::extract::{ApiJson, Query};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderName, StatusCode, header};
use dasan_civil::{
    Action, Application, ApplicationId, CivilError, Event, QueueFilter, ServiceSummary,
};
use dasan_identity::Principal;
use dasan_kernel::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A service in the catalogue.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ServiceItem {
    pub code: String,
    /// The owning agency's code.
    pub agency: String,
    /// The name in every locale (`en`, `ko`).
    pub name: BTreeMap<String, String>,
    pub description: BTreeMap<String, String>,
    /// `instant` (issued at once from the registries) or `review` (an official decides).
    #[schema(pattern = "^(instant|review)$")]
    pub issuance: String,
    pub life_events: Vec<String>,
}

impl From<ServiceSummary> for ServiceItem {
    fn from(s: ServiceSummary) -> Self {
        ServiceItem {
            code: s.code,
            agency: s.agency,
            name: s.name,
            description: s.description,
            issuance: match s.issuance {
                dasan_civil::Issuance::Instant => "instant".into(),
                dasan_civil::Issuance::Review => "review".into(),
            },
            life_events: s.life_events,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogueQuery {
    /// Words to search for, in any language (all must match).
    #[param(max_length = 200)]
    q: Option<String>,
    /// Only this agency's services.
    agency: Option<String>,
    /// Only services for this life event, e.g. `moving-house`.
    event: Option<String>,
}

/// The catalogue: every service, or those matching a search, an agency or a life event.
#[utoipa::path(
    get,
    path = "/api/v1/services",
    tag = "civil",
    params(CatalogueQuery),
    responses(
        (status = 200, description = "Services, best match first when searching", body = Vec<ServiceItem>),
        (status = 400, description = "Malformed query", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A search longer than 200 characters", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn services(
    State(state): State<AppState>,
    Query(q): Query<CatalogueQuery>,
) -> Result<Json<Vec<ServiceItem>>, WebError> {
    let civil = state.civil();
    if q.q.as_ref().is_some_and(|s| s.chars().count() > 200) {
        let mut err = WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation-failed");
        err.fields
            .push(dasan_kernel::FieldError::new("q", "civil-error-too-long").with_arg("max", 200));
        return Err(err);
    }
    let list = match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(words) => civil.search(words, "en").await?,
        None => {
            civil
                .services(q.agency.as_deref(), q.event.as_deref())
                .await?
        }
    };
    Ok(Json(list.into_iter().map(ServiceItem::from).collect()))
}

/// A service's full definition: its form, fee, time limit and eligibility.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ServiceDetail {
    /// Changes each time the definition changes.
    pub version: i64,
    /// The definition, as its TOML file says (in JSON).
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
}

/// One service.
#[utoipa::path(
    get,
    path = "/api/v1/services/{code}",
    tag = "civil",
    params(("code" = String, Path, description = "The service's code, e.g. `moving-in-report`")),
    responses(
        (status = 200, description = "The service", body = ServiceDetail),
        (status = 404, description = "No such service", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn service(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<ServiceDetail>, WebError> {
    let s = state.civil().service(&code).await?;
    Ok(Json(ServiceDetail {
        version: s.version,
        definition: serde_json::to_value(&s.definition).unwrap_or_default(),
    }))
}

/// An application as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApplicationItem {
    #[schema(format = Uuid)]
    pub id: String,
    pub receipt: Option<String>,
    pub service: String,
    pub agency: String,
    /// `draft`, `submitted`, `in_review`, `info_requested`, `approved`, `rejected`, `issued` or `withdrawn`.
    pub status: String,
    /// RFC 3339.
    pub created_at: String,
    pub submitted_at: Option<String>,
    /// When the agency must have decided.
    pub due_at: Option<String>,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
    /// The official working on it (an account id).
    #[schema(format = Uuid)]
    pub assigned_to: Option<String>,
    /// Changes with every change: send it back with an action, so that two people never
    /// decide the same application at once (a stale one gets 409 `application-changed`).
    pub version: i64,
}

impl From<&Application> for ApplicationItem {
    fn from(a: &Application) -> Self {
        let ts = |t: dasan_kernel::Timestamp| t.to_jiff().to_string();
        ApplicationItem {
            id: a.id.to_string(),
            receipt: a.receipt.clone(),
            service: a.service.clone(),
            agency: a.agency.clone(),
            status: a.status.as_str().to_owned(),
            created_at: ts(a.created_at),
            submitted_at: a.submitted_at.map(ts),
            due_at: a.due_at.map(ts),
            decided_at: a.decided_at.map(ts),
            decision_reason: a.decision_reason.clone(),
            assigned_to: a.assigned_to.map(|x| x.to_string()),
            version: a.version,
        }
    }
}

/// The token holder's own applications, most recent first.
#[utoipa::path(
    get,
    path = "/api/v1/applications",
    tag = "civil",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The applications", body = Vec<ApplicationItem>),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn applications(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
) -> Result<Json<Vec<ApplicationItem>>, WebError> {
    let apps = state.civil().mine(&principal).await?;
    Ok(Json(apps.iter().map(ApplicationItem::from).collect()))
}

/// One entry of an application's timeline.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub at: String,
    pub action: String,
    pub status: String,
    pub by_official: bool,
    pub message: Option<String>,
}

/// An application with its answers and timeline.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApplicationDetail {
    #[serde(flatten)]
    pub application: ApplicationItem,
    pub answers: BTreeMap<String, String>,
    /// Facts from the registries, as read when the application was started.
    pub prefilled: BTreeMap<String, String>,
    pub timeline: Vec<TimelineEntry>,
    /// Official documents issued from it, newest first.
    pub documents: Vec<DocumentItem>,
}

/// An issued official document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DocumentItem {
    /// What a paper copy is checked by, with `check_code`.
    pub issue_number: String,
    /// Printed beside the issue number (`XXXX-XXXX`); absent on documents issued before check
    /// codes existed.
    pub check_code: Option<String>,
    /// `resident-registration`, `family-relations`, `decision-letter`, …
    pub document_type: String,
    /// The agency whose certificate signed it (the issuing agency or a parent).
    pub signed_by: String,
    pub issued_at: String,
    /// When its QR seal stops vouching for the facts.
    pub expires_at: String,
    /// `valid` or `revoked`.
    pub status: String,
    /// Hex SHA-256 of the signed PDF.
    pub sha256: String,
    pub size: i64,
    /// The QR seal's `DSN1:` payload (verifiable offline against the trust list).
    pub qr: String,
    /// Where to fetch the signed PDF.
    pub href: String,
}

impl From<dasan_civil::documents::IssuedDocument> for DocumentItem {
    fn from(d: dasan_civil::documents::IssuedDocument) -> Self {
        DocumentItem {
            href: format!(
                "/api/v1/applications/{}/documents/{}",
                d.application, d.issue_number
            ),
            issue_number: d.issue_number,
            check_code: d.check_code,
            document_type: d.document_type,
            signed_by: d.signed_by,
            issued_at: d.issued_at.to_jiff().to_string(),
            expires_at: d.expires_at.to_jiff().to_string(),
            status: d.status,
            sha256: d.sha256,
            size: d.size,
            qr: d.qr,
        }
    }
}

/// The documents issued from the caller's own applications, newest first (their wallet).
#[utoipa::path(
    get,
    path = "/api/v1/documents",
    tag = "civil",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's documents", body = Vec<DocumentItem>),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn my_documents(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
) -> Result<Json<Vec<DocumentItem>>, WebError> {
    let docs = state.civil().my_documents(&principal).await?;
    Ok(Json(docs.into_iter().map(DocumentItem::from).collect()))
}

/// One application: its applicant's, or for an official of its agency.
#[utoipa::path(
    get,
    path = "/api/v1/applications/{id}",
    tag = "civil",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The application's id")),
    responses(
        (status = 200, description = "The application", body = ApplicationDetail),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such application, or not yours", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn application(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
) -> Result<Json<ApplicationDetail>, WebError> {
    let id = id.parse().map_err(|_| WebError::NotFound)?;
    Ok(Json(detail(&state, &principal, id).await?))
}

/// What to check.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct VerifyRequest {
    /// What the document's QR code says (`DSN1:…`), or the issue number printed on it (issue
    /// numbers are looked up at a limited rate per address).
    #[schema(pattern = r"\S")]
    pub document: String,
    /// With an issue number: the check code printed beside it (`XXXX-XXXX`).
    #[serde(default)]
    #[schema(max_length = 64)]
    pub check_code: Option<String>,
}

/// Longest check code accepted as typed (spaces and dashes included).
const MAX_CHECK_CODE: usize = 64;

/// The answer: a verdict and, for a genuine document, exactly what its seal attests.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VerifyAnswer {
    /// `valid`, `revoked`, `expired`, `forged` or `unknown`.
    pub verdict: String,
    pub revoked_reason: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub attested: Option<dasan_civil::documents::Attested>,
}

/// Checks an official document, for anyone (no token needed).
#[utoipa::path(
    post,
    path = "/api/v1/documents/verify",
    tag = "civil",
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "The verdict", body = VerifyAnswer),
        (status = 400, description = "The body is not JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Nothing to check, or a check code too long to be one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many unknown numbers from this address", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(addr): axum::extract::ConnectInfo<std::net::SocketAddr>,
    ApiJson(body): ApiJson<VerifyRequest>,
) -> Result<Json<VerifyAnswer>, WebError> {
    // What the schema promises is what is accepted: an overlong code is refused, not ignored.
    if body
        .check_code
        .as_deref()
        .is_some_and(|c| c.chars().count() > MAX_CHECK_CODE)
    {
        return Err(dasan_civil::CivilError::Invalid(vec![FieldError::new(
            "check_code",
            "verify-error-code",
        )])
        .into());
    }
    let document = body.document.trim();
    if document.is_empty() {
        return Err(dasan_civil::CivilError::Invalid(vec![FieldError::new(
            "document",
            "verify-error-empty",
        )])
        .into());
    }
    // A seal says what it is; anything else is taken for an issue number.
    let (payload, number) = if document.starts_with("DSN1:") {
        (document, "")
    } else {
        ("", document)
    };
    let found = crate::pages::verify::check(
        &state,
        &addr.ip().to_string(),
        payload,
        number,
        body.check_code.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(VerifyAnswer {
        verdict: serde_json::to_value(found.verdict)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        revoked_reason: found.revoked_reason,
        attested: found.attested,
    }))
}

/// Why a document is revoked.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct RevokeRequest {
    /// Shown to the holder and to everyone who checks the document.
    pub reason: String,
}

/// Revokes an issued document (an official of its agency).
#[utoipa::path(
    post,
    path = "/api/v1/applications/{id}/documents/{number}/revoke",
    tag = "civil",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The application's id"),
        ("number" = String, Path, description = "The document's issue number"),
    ),
    request_body = RevokeRequest,
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such document, or not your agency's", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path((id, number)): Path<(String, String)>,
    ApiJson(body): ApiJson<RevokeRequest>,
) -> Result<StatusCode, WebError> {
    let id = id.parse().map_err(|_| WebError::NotFound)?;
    state
        .civil()
        .revoke_document(&principal, id, &number, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reissues a valid document (its applicant or an official of its agency): a new document with
/// a new number, made from the registry as it stands now, that names the one it replaces; the
/// old one is revoked with the reason "reissued as …".
#[utoipa::path(
    post,
    path = "/api/v1/applications/{id}/documents/{number}/reissue",
    tag = "civil",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The application's id"),
        ("number" = String, Path, description = "The document's issue number"),
    ),
    responses(
        (status = 201, description = "The new document", body = DocumentItem),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "No longer entitled (e.g. no longer the business's representative)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such document, or not yours", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked or reissued, or taxes now in arrears", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "The registry no longer allows it (e.g. no longer the business's representative)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "Documents cannot be issued right now", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn reissue(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path((id, number)): Path<(String, String)>,
) -> Result<(StatusCode, Json<DocumentItem>), WebError> {
    let id = id.parse().map_err(|_| WebError::NotFound)?;
    let doc = state
        .civil()
        .reissue_document(&principal, id, &number)
        .await?;
    Ok((StatusCode::CREATED, Json(doc.into())))
}

/// An issued document's signed PDF (PAdES B-LT, with its QR seal on every page).
#[utoipa::path(
    get,
    path = "/api/v1/applications/{id}/documents/{number}",
    tag = "civil",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The application's id"),
        ("number" = String, Path, description = "The document's issue number"),
    ),
    responses(
        (status = 200, description = "The signed PDF", content_type = "application/pdf", body = String),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such document, or not yours", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "Documents cannot be served now", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn document(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path((id, number)): Path<(String, String)>,
) -> Result<axum::response::Response, WebError> {
    let id = id.parse().map_err(|_| WebError::NotFound)?;
    let (doc, pdf) = state.civil().document_pdf(&principal, id, &number).await?;
    Ok(crate::pages::civil::pdf_download(&doc, pdf))
}

async fn detail(
    state: &AppState,
    principal: &Principal,
    id: ApplicationId,
) -> Result<ApplicationDetail, WebError> {
    let app = state.civil().application(principal, id).await?;
    let timeline: Vec<Event> = state.civil().timeline(principal, id).await?;
    let documents = state.civil().documents(principal, id).await?;
    Ok(ApplicationDetail {
        documents: documents.into_iter().map(DocumentItem::from).collect(),
        application: ApplicationItem::from(&app),
        answers: app.answers.clone(),
        prefilled: app.prefilled.clone(),
        timeline: timeline
            .into_iter()
            .map(|e| TimelineEntry {
                at: e.at.to_jiff().to_string(),
                action: e.action,
                status: e.status.as_str().to_owned(),
                by_official: e.by_official,
                message: e.message,
            })
            .collect(),
    })
}

/// A new application, sent complete.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    /// The service's code.
    #[schema(pattern = "^[a-z0-9-]{1,64}$", example = "moving-in-report")]
    pub service: String,
    /// The registry id of the person it is for, when the token holder acts for someone else
    /// (a delegation, or a parent for a minor child). Leave out to apply for oneself.
    #[schema(format = Uuid)]
    #[serde(default)]
    pub on_behalf_of: Option<String>,
    /// Answers by field id (see the service's definition). Facts from the registries are
    /// filled in by the platform and must not be sent.
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
}

/// Apply for a service in one request: checked as a whole (nothing is kept if anything is
/// wrong), then submitted with a receipt number. Forms that need a file are made in the portal.
#[utoipa::path(
    post,
    path = "/api/v1/applications",
    tag = "civil",
    security(("bearer" = [])),
    request_body = NewApplication,
    responses(
        (status = 201, description = "Submitted (or issued at once, for an instant service)", body = ApplicationDetail),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not eligible for this service", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such service, or nobody you may act for", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Answers to fix, each on its field", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn apply(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    ApiJson(body): ApiJson<NewApplication>,
) -> Result<
    (
        StatusCode,
        [(HeaderName, String); 1],
        Json<ApplicationDetail>,
    ),
    WebError,
> {
    let subject = match &body.on_behalf_of {
        Some(p) => Some(p.parse().map_err(|_| WebError::NotFound)?),
        None => None,
    };
    let (id, _receipt) = state
        .civil()
        .apply(&principal, &body.service, subject, &body.answers)
        .await?;
    let detail = detail(&state, &principal, id).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/applications/{id}"))],
        Json(detail),
    ))
}

/// Something to do to an application.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// The applicant: `answer`, `message`, `withdraw`. An official of the agency: `claim`,
    /// `release`, `assign`, `request_info`, `approve`, `reject`, `issue`, `message`.
    #[schema(
        pattern = "^(claim|release|assign|request_info|answer|approve|reject|issue|withdraw|message)$"
    )]
    pub action: String,
    /// The application's `version` as last read.
    pub version: i64,
    /// The reason, question, answer or message (required for `reject`, `request_info`,
    /// `answer` and `message`; at most 5,000 characters).
    #[serde(default)]
    pub message: Option<String>,
    /// For `assign`: the account id of an official of the agency who reviews applications.
    #[schema(format = Uuid)]
    #[serde(default)]
    pub assignee: Option<String>,
}

/// Take an action on an application: the same rules as the portal (who may do what in which
/// status; a rejection says why; the version guards against two decisions at once).
#[utoipa::path(
    post,
    path = "/api/v1/applications/{id}/actions",
    tag = "civil",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The application's id")),
    request_body = ActionBody,
    responses(
        (status = 200, description = "Done: the application as it is now", body = ApplicationDetail),
        (status = 400, description = "Malformed JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such application, or not yours to act on", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile, not possible in its status, or another official works on it", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A message or assignee is missing or wrong", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn act(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActionBody>,
) -> Result<Json<ApplicationDetail>, WebError> {
    let id: ApplicationId = id.parse().map_err(|_| WebError::NotFound)?;
    let invalid = |field: &str, key: &'static str| {
        WebError::from(CivilError::Invalid(vec![FieldError::new(field, key)]))
    };
    let action = Action::parse(&body.action)
        .filter(|a| *a != Action::Submit)
        .ok_or_else(|| invalid("action", "civil-error-choose"))?;
    if action == Action::Assign {
        let to = body
            .assignee
            .as_deref()
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| invalid("assignee", "civil-error-assignee"))?;
        state
            .civil()
            .assign(&principal, id, body.version, to)
            .await?;
    } else {
        state
            .civil()
            .act(
                &principal,
                id,
                action,
                body.version,
                body.message.as_deref(),
            )
            .await?;
    }
    Ok(Json(detail(&state, &principal, id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// `open` (default: submitted or in review), `unassigned`, `mine`, `overdue` or `waiting`
    /// (for the applicant).
    #[param(pattern = "^(open|unassigned|mine|overdue|waiting)$")]
    #[serde(default)]
    pub filter: Option<String>,
    /// The page, from 1 (50 applications a page; the `Link` header names the next one).
    #[param(minimum = 1, maximum = 10000)]
    #[serde(default)]
    pub page: Option<u32>,
}

/// An agency's work queue, oldest first (officials and agency systems with `civil.review`).
#[utoipa::path(
    get,
    path = "/api/v1/agencies/{code}/applications",
    tag = "civil",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The agency's code"), QueueParams),
    responses(
        (status = 200, description = "The applications", body = Vec<ApplicationItem>),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such agency, or not yours", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Unknown filter", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn queue(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(code): Path<String>,
    Query(params): Query<QueueParams>,
) -> Result<
    (
        Option<[(HeaderName, String); 1]>,
        Json<Vec<ApplicationItem>>,
    ),
    WebError,
> {
    let filter = match params.filter.as_deref() {
        None => QueueFilter::Open,
        Some(f) => QueueFilter::parse(f).ok_or_else(|| {
            WebError::from(CivilError::Invalid(vec![FieldError::new(
                "filter",
                "civil-error-choose",
            )]))
        })?,
    };
    let page = params.page.unwrap_or(1);
    if !(1..=10_000).contains(&page) {
        return Err(
            CivilError::Invalid(vec![FieldError::new("page", "civil-error-choose")]).into(),
        );
    }
    let found = state.civil().queue(&principal, &code, filter, page).await?;
    let items = Json(found.items.iter().map(ApplicationItem::from).collect());
    let next = found.more.then(|| {
        let name = QueueFilter::ALL
            .iter()
            .find(|(_, f)| *f == filter)
            .map_or("open", |(n, _)| *n);
        format!(
            "</api/v1/agencies/{code}/applications?filter={name}&page={}>; rel=\"next\"",
            page + 1
        )
    });
    Ok((next.map(|l| [(header::LINK, l)]), items))
}
