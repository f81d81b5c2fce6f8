//! Acting for others: the delegations a citizen gave and received, and the people they may act
//! for (including their minor children, from the family registry).

use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::auth::Signed;
use crate::error::WebError;
use crate::extract::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use dasan_identity::IdentityError;
use dasan_identity::delegation::{Basis, Delegation, NewDelegation, Principalship};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "delegations.html")]
struct DelegationsPage {
    ctx: PageCtx,
    given: Vec<Delegation>,
    received: Vec<Delegation>,
    represented: Vec<Principalship>,
    form: DelegationForm,
    errors: Vec<ShownError>,
}

impl DelegationsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn services(&self, services: &[String]) -> String {
        if services
            .iter()
            .any(|s| s == dasan_identity::delegation::ALL_SERVICES)
        {
            self.ctx.t("delegation-all-services")
        } else {
            services.join(", ")
        }
    }

    fn basis(&self, basis: &Basis) -> String {
        self.ctx.t(match basis {
            Basis::Own => "delegation-basis-own",
            Basis::Delegated { .. } => "delegation-basis-delegated",
            Basis::Parent => "delegation-basis-parent",
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DelegationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    national_id: String,
    /// Service codes, separated by commas or spaces.
    #[serde(default)]
    services: String,
    /// "all" to authorise every service.
    #[serde(default)]
    all: String,
    #[serde(default)]
    until: String,
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    signed: &Signed,
    form: DelegationForm,
    errors: Vec<ShownError>,
) -> Result<DelegationsPage, WebError> {
    let p = &signed.principal;
    let (given, received) = dasan_identity::delegation::list(state.db(), p).await?;
    let represented = dasan_identity::delegation::represented(
        state.db(),
        state.registry(),
        p,
        state.majority_age(),
    )
    .await?;
    Ok(DelegationsPage {
        ctx,
        given,
        received,
        represented,
        form,
        errors,
    })
}

/// `GET /account/delegations`: citizens only (others: not found).
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    render(&page(&state, ctx, &signed, DelegationForm::default(), Vec::new()).await?)
}

/// `POST /account/delegations`: authorises someone.
pub async fn grant(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    PageForm(form): PageForm<DelegationForm>,
) -> Result<Response, WebError> {
    let services = if form.all == "all" {
        vec![dasan_identity::delegation::ALL_SERVICES.to_owned()]
    } else {
        form.services
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let result = dasan_identity::delegation::grant(
        state.db(),
        state.registry(),
        &signed.principal,
        &NewDelegation {
            grantee_national_id: form.national_id.clone(),
            grantee_name: form.name.clone(),
            services,
            until: form.until.clone(),
        },
    )
    .await;
    match result {
        Ok(_) => Ok(see_other("/account/delegations")),
        Err(IdentityError::Invalid(fields)) => {
            let errors = shown(&ctx, &fields);
            render_invalid(&page(&state, ctx, &signed, form, errors).await?)
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /account/delegations/{id}/revoke`: the grantor withdraws, or the grantee declines.
pub async fn revoke(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(_): PageForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    let id = id.parse().map_err(|_| WebError::NotFound)?;
    dasan_identity::delegation::revoke(state.db(), &signed.principal, id).await?;
    Ok(see_other("/account/delegations"))
}
