//! "Forgot your password?": a one-time link by e-mail. The answer never says whether the
//! address has an account.

use super::{PageCtx, ShownError, error_for, render, render_invalid, shown};
use crate::context::RequestContext;
use crate::error::WebError;
use crate::extract::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, Path, State};
use axum::response::Response;
use dasan_identity::IdentityError;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "recover.html")]
struct RequestPage {
    ctx: PageCtx,
    email: String,
    sent: bool,
    errors: Vec<ShownError>,
}

impl RequestPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

pub async fn form(ctx: PageCtx) -> Result<Response, WebError> {
    render(&RequestPage {
        ctx,
        email: String::new(),
        sent: false,
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request: RequestContext,
    ctx: PageCtx,
    PageForm(form): PageForm<EmailForm>,
) -> Result<Response, WebError> {
    let link_base = format!("{}recover/", state.settings().public_url);
    match dasan_identity::recovery::request(
        state.db(),
        &form.email,
        &addr.ip().to_string(),
        &link_base,
        Some(request.request_id),
    )
    .await
    {
        Ok(()) => render(&RequestPage {
            ctx,
            email: String::new(),
            sent: true,
            errors: Vec::new(),
        }),
        Err(IdentityError::InvalidEmail) => {
            let errors = shown(&ctx, &[IdentityError::InvalidEmail.on_field("email")]);
            render_invalid(&RequestPage {
                ctx,
                email: form.email,
                sent: false,
                errors,
            })
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "recover_set.html")]
struct SetPage {
    ctx: PageCtx,
    token: String,
    valid: bool,
    done: bool,
    errors: Vec<ShownError>,
}

impl SetPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

pub async fn set_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let valid = token.len() <= 64 && dasan_identity::recovery::is_valid(state.db(), &token).await?;
    render(&SetPage {
        ctx,
        token,
        valid,
        done: false,
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn set_submit(
    State(state): State<AppState>,
    request: RequestContext,
    ctx: PageCtx,
    Path(token): Path<String>,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response, WebError> {
    match dasan_identity::recovery::complete(
        state.db(),
        &token,
        &form.password,
        Some(request.request_id),
    )
    .await
    {
        Ok(()) => render(&SetPage {
            ctx,
            token: String::new(),
            valid: true,
            done: true,
            errors: Vec::new(),
        }),
        Err(IdentityError::InvalidToken) => render(&SetPage {
            ctx,
            token,
            valid: false,
            done: false,
            errors: Vec::new(),
        }),
        Err(
            e @ (IdentityError::PasswordTooShort { .. }
            | IdentityError::PasswordTooLong { .. }
            | IdentityError::PasswordCommon
            | IdentityError::PasswordWeak),
        ) => {
            let errors = shown(&ctx, &[e.on_field("password")]);
            render_invalid(&SetPage {
                ctx,
                token,
                valid: true,
                done: false,
                errors,
            })
        }
        Err(other) => Err(other.into()),
    }
}
