//! `/account/phone`: the mobile number that gets text messages, confirmed by a code texted to it.

use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::auth::Signed;
use crate::error::WebError;
use crate::extract::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use dasan_identity::IdentityError;
use dasan_identity::phone::PhoneStatus;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "phone.html")]
struct PhonePage {
    ctx: PageCtx,
    status: PhoneStatus,
    /// What was typed, shown again when it was refused.
    typed: String,
    errors: Vec<ShownError>,
}

impl PhonePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    signed: &Signed,
    typed: String,
    errors: &[dasan_kernel::FieldError],
) -> Result<Response, WebError> {
    let status = dasan_identity::phone::status(state.db(), signed.principal.account).await?;
    let readable = |n: Option<String>| n.map(|n| dasan_identity::phone::readable(&n));
    let status = PhoneStatus {
        confirmed: readable(status.confirmed),
        pending: readable(status.pending),
    };
    let shown = shown(&ctx, errors);
    let page = PhonePage {
        ctx,
        status,
        typed,
        errors: shown,
    };
    if errors.is_empty() {
        render(&page)
    } else {
        render_invalid(&page)
    }
}

/// `GET /account/phone`
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    page(&state, ctx, &signed, String::new(), &[]).await
}

#[derive(Deserialize)]
pub struct NumberForm {
    #[serde(default)]
    phone: String,
}

/// `POST /account/phone`: texts a code to the number.
pub async fn send_code(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    PageForm(form): PageForm<NumberForm>,
) -> Result<Response, WebError> {
    let region = &state.settings().sms_region;
    match dasan_identity::phone::send_code(state.db(), &signed.principal, &form.phone, region).await
    {
        Ok(_) => Ok(see_other("/account/phone")),
        Err(IdentityError::Invalid(errors)) => {
            page(&state, ctx, &signed, form.phone, &errors).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /account/phone/confirm`
pub async fn confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, WebError> {
    match dasan_identity::phone::confirm(state.db(), &signed.principal, &form.code).await {
        Ok(_) => Ok(see_other("/account/phone")),
        Err(IdentityError::InvalidCode) => {
            let errors = [dasan_kernel::FieldError::new(
                "code",
                "identity-error-phone-code",
            )];
            page(&state, ctx, &signed, String::new(), &errors).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /account/phone/remove`
pub async fn remove(
    State(state): State<AppState>,
    signed: Signed,
    PageForm(_): PageForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    dasan_identity::phone::remove(state.db(), &signed.principal).await?;
    Ok(see_other("/account/phone"))
}
