//! Citizen sign-up, linked to the people registry with an enrolment code (once-only: the name
//! comes from the registry, never retyped).

use super::sign_in::{client, with_session};
use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other};
use crate::auth::Auth;
use crate::context::RequestContext;
use crate::error::WebError;
use crate::extract::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::Response;
use dasan_identity::IdentityError;
use dasan_identity::enrolment::SignUp;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "sign_up.html")]
struct SignUpPage {
    ctx: PageCtx,
    national_id: String,
    code: String,
    email: String,
    errors: Vec<ShownError>,
}

impl SignUpPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

pub async fn form(ctx: PageCtx, auth: axum::Extension<Auth>) -> Result<Response, WebError> {
    if auth.principal().is_some() {
        return Ok(see_other("/account"));
    }
    render(&SignUpPage {
        ctx,
        national_id: String::new(),
        code: String::new(),
        email: String::new(),
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    national_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: RequestContext,
    ctx: PageCtx,
    PageForm(form): PageForm<SignUpForm>,
) -> Result<Response, WebError> {
    let result = dasan_identity::enrolment::sign_up(
        state.db(),
        state.registry(),
        &SignUp {
            national_id: form.national_id.clone(),
            code: form.code.clone(),
            email: form.email.clone(),
            password: form.password,
        },
        &client(addr, &headers),
        state.session_policy(),
        Some(request.request_id),
    )
    .await;
    match result {
        Ok(signed) => Ok(with_session(see_other("/account"), &state, &signed.token)),
        Err(IdentityError::Invalid(fields)) => {
            let errors = super::shown(&ctx, &fields);
            render_invalid(&SignUpPage {
                ctx,
                national_id: form.national_id,
                code: form.code,
                email: form.email,
                errors,
            })
        }
        Err(other) => Err(other.into()),
    }
}
