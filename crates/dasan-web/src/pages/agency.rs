//! An agency's administrators manage its officials. Another agency's page does not exist for
//! them (404, never 403: no probing for which agencies or officials exist).

use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::auth::Signed;
use crate::error::WebError;
use crate::extract::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use dasan_identity::IdentityError;
use dasan_identity::admin::Official;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "agency_officials.html")]
struct OfficialsPage {
    ctx: PageCtx,
    agency: String,
    officials: Vec<Official>,
    roles: Vec<&'static str>,
    email: String,
    name: String,
    invited: bool,
    errors: Vec<ShownError>,
}

impl OfficialsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

pub(crate) fn agency_roles() -> Vec<&'static str> {
    dasan_identity::principal::ROLES
        .iter()
        .map(|(r, _)| *r)
        .filter(|r| *r != dasan_identity::PLATFORM_ADMIN)
        .collect()
}

pub async fn officials(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(agency): Path<String>,
) -> Result<Response, WebError> {
    let officials =
        dasan_identity::admin::officials(state.db(), &signed.principal, &agency).await?;
    render(&OfficialsPage {
        ctx,
        agency,
        officials,
        roles: agency_roles(),
        email: String::new(),
        name: String::new(),
        invited: false,
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct Invite {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
}

/// `POST /agencies/{code}/officials`: invites an official by e-mail.
pub async fn invite(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(agency): Path<String>,
    PageForm(form): PageForm<Invite>,
) -> Result<Response, WebError> {
    let link_base = format!("{}recover/", state.settings().public_url);
    let result = dasan_identity::admin::invite_official(
        state.db(),
        &signed.principal,
        &agency,
        &form.email,
        &form.name,
        &link_base,
    )
    .await;
    let (invited, errors, email, name) = match result {
        Ok(_) => (true, Vec::new(), String::new(), String::new()),
        Err(IdentityError::Invalid(fields)) => (false, shown(&ctx, &fields), form.email, form.name),
        Err(other) => return Err(other.into()),
    };
    let officials =
        dasan_identity::admin::officials(state.db(), &signed.principal, &agency).await?;
    let page = OfficialsPage {
        ctx,
        agency,
        officials,
        roles: agency_roles(),
        email,
        name,
        invited,
        errors,
    };
    if invited {
        render(&page)
    } else {
        render_invalid(&page)
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// `POST /agencies/{code}/officials/{id}/roles`
pub async fn grant(
    State(state): State<AppState>,
    signed: Signed,
    Path((agency, official)): Path<(String, String)>,
    PageForm(form): PageForm<RoleForm>,
) -> Result<Response, WebError> {
    let official = official.parse().map_err(|_| WebError::NotFound)?;
    dasan_identity::admin::grant_role(state.db(), &signed.principal, &agency, official, &form.role)
        .await?;
    Ok(see_other(&format!("/agencies/{agency}/officials")))
}

/// `POST /agencies/{code}/officials/{id}/roles/remove`
pub async fn revoke(
    State(state): State<AppState>,
    signed: Signed,
    Path((agency, official)): Path<(String, String)>,
    PageForm(form): PageForm<RoleForm>,
) -> Result<Response, WebError> {
    let official = official.parse().map_err(|_| WebError::NotFound)?;
    dasan_identity::admin::revoke_role(
        state.db(),
        &signed.principal,
        &agency,
        official,
        &form.role,
    )
    .await?;
    Ok(see_other(&format!("/agencies/{agency}/officials")))
}
