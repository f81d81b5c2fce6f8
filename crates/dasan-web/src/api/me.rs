use crate::auth::Bearer;
use crate::error::ProblemDocument;
use axum::Json;
use serde::Serialize;

/// The account a token acts for.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub account: String,
    pub kind: String,
    pub name: String,
    pub agency: Option<String>,
    /// What this token may do: the account's permissions narrowed by the token's scopes.
    pub permissions: Vec<String>,
}

/// Who am I? The account and permissions of the bearer token.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "identity",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The token's account", body = Me),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn me(Bearer(principal): Bearer) -> Json<Me> {
    Json(Me {
        account: principal.account.to_string(),
        kind: principal.kind.as_str().to_owned(),
        name: principal.display_name.clone(),
        agency: principal.agency.clone(),
        permissions: principal
            .permissions()
            .into_iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
    })
}
