//! Once-only look-ups for agency systems: an API token with `registry.read`, a purpose, and the
//! fields wanted. The data-sharing rules decide; every look-up is an audit event the person sees.

use crate::auth::Bearer;
use crate::context::RequestContext;
use crate::error::{ProblemDocument, WebError};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use dasan_identity::{Permission, Scope};
use dasan_registry::{LookupRequest, PersonField};
use serde::Deserialize;
use std::collections::BTreeSet;

/// What an agency system asks for.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupBody {
    /// The person's registry id.
    #[schema(format = Uuid)]
    pub subject: String,
    /// The fields wanted (only these are returned).
    #[schema(value_type = Vec<String>, min_items = 1, example = json!(["name_local", "address"]))]
    pub fields: Vec<PersonField>,
    /// The legal purpose, as a purpose code, e.g. `tax-assessment`.
    #[schema(pattern = "^[a-z0-9.-]{1,64}$")]
    pub purpose: String,
}

/// Read a person's registry data for a purpose (once-only).
#[utoipa::path(
    post,
    path = "/api/v1/registry/lookup",
    tag = "registry",
    security(("bearer" = [])),
    request_body = LookupBody,
    responses(
        (status = 200, description = "Exactly the fields asked for", body = Object),
        (status = 400, description = "Malformed request", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "No registry.read permission for an agency, or no sharing rule allows this (the refusal is recorded)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or purpose", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn lookup(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    ctx: RequestContext,
    ApiJson(body): ApiJson<LookupBody>,
) -> Result<Json<serde_json::Value>, WebError> {
    let Some(agency) = principal.agency.clone() else {
        return Err(WebError::new(StatusCode::FORBIDDEN, "forbidden"));
    };
    if !principal.has(Permission::RegistryRead, Scope::Agency(&agency)) {
        return Err(WebError::new(StatusCode::FORBIDDEN, "forbidden"));
    }
    let subject = body.subject.parse().map_err(|_| WebError::NotFound)?;
    let mut actor = principal.actor(Some(ctx.request_id));
    actor.agency = Some(agency.clone());
    let shared = state
        .registry()
        .lookup(
            actor,
            &LookupRequest {
                subject,
                fields: body.fields.into_iter().collect::<BTreeSet<_>>(),
                purpose: body.purpose,
                requester: agency,
            },
        )
        .await?;
    Ok(Json(
        serde_json::to_value(shared).map_err(|e| WebError::internal(&e))?,
    ))
}
