//! Endpoints for operators and orchestrators.

use crate::error::{ProblemDocument, WebError};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: the process is up and serving.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "Up", body = Health))
)]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// Applied schema migrations.
    pub migrations: Vec<i64>,
}

/// Readiness: the database answers and its schema is what this version expects.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "Not ready: the database is unreachable or its schema differs", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Readiness>, WebError> {
    let unavailable = || {
        let mut e = WebError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        e.retry_after = Some(5);
        e
    };
    state.db().ping().await.map_err(|e| {
        tracing::warn!(error = %e, "not ready: database unreachable");
        unavailable()
    })?;
    let status = state.db().migration_status().await.map_err(|e| {
        tracing::warn!(error = %e, "not ready: cannot read migrations");
        unavailable()
    })?;
    if !status.is_current() {
        tracing::warn!(?status, "not ready: schema differs from this version");
        return Err(unavailable());
    }
    Ok(Json(Readiness {
        status: "ready",
        database: state.db().engine().to_string(),
        migrations: status.applied,
    }))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Metrics", body = String, content_type = "text/plain"))
)]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics().render(),
    )
}
