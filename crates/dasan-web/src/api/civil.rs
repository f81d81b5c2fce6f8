//! Civil services over the API: the catalogue for anyone, and a person's own applications for
//! their scripts (bearer token).

use crate::auth::Bearer;
use crate::error::{ProblemDocument, WebError};
use crate::extract::Query;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use dasan_civil::{Application, Event, ServiceSummary};
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
    let app = state.civil().application(&principal, id).await?;
    let timeline: Vec<Event> = state.civil().timeline(&principal, id).await?;
    Ok(Json(ApplicationDetail {
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
    }))
}
