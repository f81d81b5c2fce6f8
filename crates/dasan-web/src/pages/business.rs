//! A business's representative manages who acts for it: the businesses they represent (from the
//! business registry), and each one's staff. Anyone else finds no such page.

use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::auth::Signed;
use crate::error::WebError;
use crate::extract::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use dasan_identity::IdentityError;
use dasan_identity::business::StaffMember;
use dasan_registry::{Business, BusinessId};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "businesses.html")]
struct BusinessesPage {
    ctx: PageCtx,
    businesses: Vec<Business>,
}

/// `GET /business`: the businesses the signed-in citizen represents.
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    let businesses =
        dasan_identity::business::represented(state.registry(), &signed.principal).await?;
    render(&BusinessesPage { ctx, businesses })
}

#[derive(Template)]
#[template(path = "business_staff.html")]
struct StaffPage {
    ctx: PageCtx,
    business: Business,
    staff: Vec<StaffMember>,
    email: String,
    name: String,
    invited: bool,
    errors: Vec<ShownError>,
}

impl StaffPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn business_id(text: &str) -> Result<BusinessId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

async fn staff_page(
    state: &AppState,
    ctx: PageCtx,
    signed: &Signed,
    id: BusinessId,
    (email, name, invited, errors): (String, String, bool, Vec<ShownError>),
) -> Result<StaffPage, WebError> {
    let business =
        dasan_identity::business::as_representative(state.registry(), &signed.principal, id)
            .await?;
    let staff =
        dasan_identity::business::staff(state.db(), state.registry(), &signed.principal, id)
            .await?;
    Ok(StaffPage {
        ctx,
        business,
        staff,
        email,
        name,
        invited,
        errors,
    })
}

/// `GET /business/{id}/staff`
pub async fn staff(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = business_id(&id)?;
    let page = staff_page(
        &state,
        ctx,
        &signed,
        id,
        (String::new(), String::new(), false, Vec::new()),
    )
    .await?;
    render(&page)
}

#[derive(Deserialize)]
pub struct Invite {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
}

/// `POST /business/{id}/staff`: invites a staff member by e-mail.
pub async fn invite(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(form): PageForm<Invite>,
) -> Result<Response, WebError> {
    let id = business_id(&id)?;
    let link_base = format!("{}recover/", state.settings().public_url);
    let result = dasan_identity::business::invite_staff(
        state.db(),
        state.registry(),
        &signed.principal,
        id,
        &form.email,
        &form.name,
        &link_base,
    )
    .await;
    let outcome = match result {
        Ok(_) => (String::new(), String::new(), true, Vec::new()),
        Err(IdentityError::Invalid(fields)) => {
            let errors = shown(&ctx, &fields);
            (form.email, form.name, false, errors)
        }
        Err(other) => return Err(other.into()),
    };
    let invited = outcome.2;
    let page = staff_page(&state, ctx, &signed, id, outcome).await?;
    if invited {
        render(&page)
    } else {
        render_invalid(&page)
    }
}

/// `POST /business/{id}/staff/{account}/remove`
pub async fn remove(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, account)): Path<(String, String)>,
    PageForm(_): PageForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    let id = business_id(&id)?;
    let account = account.parse().map_err(|_| WebError::NotFound)?;
    dasan_identity::business::remove_staff(
        state.db(),
        state.registry(),
        &signed.principal,
        id,
        account,
    )
    .await?;
    Ok(see_other(&format!("/business/{id}/staff")))
}
