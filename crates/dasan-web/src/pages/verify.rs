//! `/verify`: anyone, without an account, checks an official document by its QR seal or by the
//! issue number and check code printed on it. The answer says valid / revoked / expired / forged / unknown and
//! shows exactly what the seal attests, nothing more. Looking up numbers is rate-limited per
//! address so that they cannot be enumerated.

use super::{PageCtx, ShownError, error_for, render, render_invalid, shown};
use crate::error::WebError;
use crate::extract::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use dasan_civil::documents::{Verdict, Verification};
use dasan_identity::ratelimit::{self, Key};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    ctx: PageCtx,
    payload: String,
    number: String,
    code: String,
    result: Option<Verification>,
    errors: Vec<ShownError>,
}

impl VerifyPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn verdict_key(&self, v: &Verdict) -> &'static str {
        match v {
            Verdict::Valid => "verify-valid",
            Verdict::Revoked => "verify-revoked",
            Verdict::Expired => "verify-expired",
            Verdict::Forged => "verify-forged",
            Verdict::Unknown => "verify-unknown",
        }
    }

    fn good(&self, v: &Verdict) -> bool {
        *v == Verdict::Valid
    }

    fn document_label(&self, t: &str) -> String {
        self.ctx.t(&format!("document-type-{t}"))
    }

    fn when(&self, t: &dasan_kernel::Timestamp) -> String {
        super::account::when(*t)
    }
}

/// `GET /verify`
pub async fn show(ctx: PageCtx) -> Result<Response, WebError> {
    render(&VerifyPage {
        ctx,
        payload: String::new(),
        number: String::new(),
        code: String::new(),
        result: None,
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    payload: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    code: String,
}

/// Checks a seal payload or, failing that, an issue number and its check code (rate-limited
/// per address: only numbers and codes that match nothing count against it).
pub async fn check(
    state: &AppState,
    ip: &str,
    payload: &str,
    number: &str,
    code: &str,
) -> Result<Verification, WebError> {
    if !payload.trim().is_empty() {
        return Ok(state.civil().verify_seal(payload).await?);
    }
    let key = Key::ip("verify-number", ip);
    ratelimit::check(state.db(), &key, state.db().clock().now()).await?;
    let found = state.civil().verify_number(number, code).await?;
    if found.verdict == Verdict::Unknown {
        let mut tx = state
            .db()
            .begin_bookkeeping("document verification: an unknown number")
            .await?;
        ratelimit::record_failure(&mut tx, &key, ratelimit::SIGN_IN_IP).await?;
        tx.commit().await?;
    }
    Ok(found)
}

/// `POST /verify`
pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ctx: PageCtx,
    PageForm(form): PageForm<VerifyForm>,
) -> Result<Response, WebError> {
    if form.payload.trim().is_empty() && form.number.trim().is_empty() {
        let errors = shown(
            &ctx,
            &[dasan_kernel::FieldError::new(
                "payload",
                "verify-error-empty",
            )],
        );
        return render_invalid(&VerifyPage {
            ctx,
            payload: form.payload,
            number: form.number,
            code: form.code,
            result: None,
            errors,
        });
    }
    let result = check(
        &state,
        &addr.ip().to_string(),
        &form.payload,
        &form.number,
        &form.code,
    )
    .await?;
    render(&VerifyPage {
        ctx,
        payload: form.payload,
        number: form.number,
        code: form.code,
        result: Some(result),
        errors: Vec::new(),
    })
}
