//! An agency's administrators register its systems and devices (API clients) and issue and
//! revoke their tokens. Another agency's page does not exist for them.

use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::auth::Signed;
use crate::error::WebError;
use crate::extract::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use dasan_identity::IdentityError;
use dasan_identity::clients::ApiClient;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "agency_clients.html")]
struct ClientsPage {
    ctx: PageCtx,
    agency: String,
    clients: Vec<ApiClient>,
    roles: Vec<&'static str>,
    /// A token just issued: (client name, secret), shown once.
    secret: Option<(String, String)>,
    name: String,
    errors: Vec<ShownError>,
}

impl ClientsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn when(&self, t: &dasan_kernel::Timestamp) -> String {
        super::account::when(*t)
    }
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    signed: &Signed,
    agency: String,
    secret: Option<(String, String)>,
    (name, errors): (String, Vec<ShownError>),
) -> Result<ClientsPage, WebError> {
    let clients = dasan_identity::clients::list(state.db(), &signed.principal, &agency).await?;
    Ok(ClientsPage {
        ctx,
        agency,
        clients,
        roles: super::agency::agency_roles(),
        secret,
        name,
        errors,
    })
}

/// `GET /agencies/{code}/clients`
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(agency): Path<String>,
) -> Result<Response, WebError> {
    render(
        &page(
            &state,
            ctx,
            &signed,
            agency,
            None,
            (String::new(), Vec::new()),
        )
        .await?,
    )
}

#[derive(Deserialize)]
pub struct NewClient {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

/// `POST /agencies/{code}/clients`: registers a system or device.
pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(agency): Path<String>,
    PageForm(form): PageForm<NewClient>,
) -> Result<Response, WebError> {
    match dasan_identity::clients::create(
        state.db(),
        &signed.principal,
        &agency,
        &form.name,
        &form.role,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("/agencies/{agency}/clients"))),
        Err(IdentityError::Invalid(fields)) => {
            let errors = shown(&ctx, &fields);
            render_invalid(&page(&state, ctx, &signed, agency, None, (form.name, errors)).await?)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct NewToken {
    #[serde(default)]
    days: String,
}

/// `POST /agencies/{code}/clients/{id}/tokens`: issues a token, shown once.
pub async fn issue(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path((agency, client)): Path<(String, String)>,
    PageForm(form): PageForm<NewToken>,
) -> Result<Response, WebError> {
    let client = client.parse().map_err(|_| WebError::NotFound)?;
    let days = form.days.trim().parse().unwrap_or(0);
    let clients = dasan_identity::clients::list(state.db(), &signed.principal, &agency).await?;
    let client_name = clients
        .iter()
        .find(|c| c.id == client)
        .map(|c| c.name.clone())
        .ok_or(WebError::NotFound)?;
    match dasan_identity::clients::issue_token(
        state.db(),
        &signed.principal,
        &agency,
        client,
        &client_name,
        days,
    )
    .await
    {
        Ok((_, secret)) => render(
            &page(
                &state,
                ctx,
                &signed,
                agency,
                Some((client_name, secret)),
                (String::new(), Vec::new()),
            )
            .await?,
        ),
        Err(IdentityError::Invalid(fields)) => {
            let errors = shown(&ctx, &fields);
            render_invalid(
                &page(&state, ctx, &signed, agency, None, (String::new(), errors)).await?,
            )
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /agencies/{code}/clients/{id}/tokens/{token}/revoke`
pub async fn revoke(
    State(state): State<AppState>,
    signed: Signed,
    Path((agency, client, token)): Path<(String, String, String)>,
    PageForm(_): PageForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    let client = client.parse().map_err(|_| WebError::NotFound)?;
    let token = token.parse().map_err(|_| WebError::NotFound)?;
    dasan_identity::clients::revoke_token(state.db(), &signed.principal, &agency, client, token)
        .await?;
    Ok(see_other(&format!("/agencies/{agency}/clients")))
}
