//! Signing in (password, then a second factor where owed; or a passkey) and out.

use super::{
    PageCtx, ShownError, error_for, local_path, render, render_invalid, see_other, shown, urlencode,
};
use crate::auth::{
    Auth, CsrfHeader, PRE_SESSION_COOKIE, SESSION_COOKIE, SignedPending, cookie_header,
};
use crate::context::RequestContext;
use crate::error::WebError;
use crate::extract::{ApiJson, PageForm, Query};
use crate::state::AppState;
use askama::Template;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use dasan_identity::IdentityError;
use dasan_identity::auth::SecondFactor;
use dasan_identity::session::{ClientInfo, SessionToken};
use serde::Deserialize;
use std::net::SocketAddr;

/// Where the request came from, as the session list shows it.
pub fn client(addr: SocketAddr, headers: &HeaderMap) -> ClientInfo {
    ClientInfo {
        ip: addr.ip().to_string(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    }
}

/// Sets the new session cookie (and drops the pre-session one) on a response.
pub fn with_session(mut response: Response, state: &AppState, token: &SessionToken) -> Response {
    let tls = state.settings().tls;
    let headers = response.headers_mut();
    if let Some(v) = cookie_header(SESSION_COOKIE, token.as_str(), tls, None) {
        headers.append(header::SET_COOKIE, v);
    }
    if let Some(v) = cookie_header(PRE_SESSION_COOKIE, "", tls, Some(0)) {
        headers.append(header::SET_COOKIE, v);
    }
    response
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    ctx: PageCtx,
    email: String,
    back: String,
    errors: Vec<ShownError>,
}

impl SignInPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

#[derive(Deserialize)]
pub struct Back {
    #[serde(rename = "return")]
    back: Option<String>,
}

pub async fn form(
    ctx: PageCtx,
    auth: axum::Extension<Auth>,
    Query(q): Query<Back>,
) -> Result<Response, WebError> {
    if auth.principal().is_some() {
        return Ok(see_other("/account"));
    }
    let back = q
        .back
        .as_deref()
        .and_then(local_path)
        .unwrap_or("/account")
        .to_owned();
    render(&SignInPage {
        ctx,
        email: String::new(),
        back,
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "return")]
    back: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: RequestContext,
    ctx: PageCtx,
    PageForm(form): PageForm<SignInForm>,
) -> Result<Response, WebError> {
    let back = local_path(&form.back).unwrap_or("/account").to_owned();
    let signed = dasan_identity::auth::sign_in_password(
        state.db(),
        &form.email,
        &form.password,
        &client(addr, &headers),
        state.session_policy(),
        Some(request.request_id.clone()),
    )
    .await;
    match signed {
        Ok(signed) => {
            let next = match signed.second_factor {
                SecondFactor::NotNeeded => back,
                SecondFactor::Required => {
                    format!("/sign-in/second-factor?return={}", urlencode(&back))
                }
                SecondFactor::MustEnroll => "/account/two-factor".to_owned(),
            };
            Ok(with_session(see_other(&next), &state, &signed.token))
        }
        Err(IdentityError::InvalidCredentials) => {
            let errors = shown(&ctx, &[IdentityError::InvalidCredentials.on_field("email")]);
            render_invalid(&SignInPage {
                ctx,
                email: form.email,
                back,
                errors,
            })
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    ctx: PageCtx,
    back: String,
    errors: Vec<ShownError>,
}

impl SecondFactorPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

pub async fn second_factor_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: SignedPending,
    Query(q): Query<Back>,
) -> Result<Response, WebError> {
    if !signed.session.pending_factor {
        return Ok(see_other("/account"));
    }
    if !dasan_identity::totp::confirmed(state.db(), signed.session.principal.account).await?
        && dasan_identity::passkey::list(state.db(), signed.session.principal.account)
            .await?
            .is_empty()
    {
        return Ok(see_other("/account/two-factor"));
    }
    let back = q
        .back
        .as_deref()
        .and_then(local_path)
        .unwrap_or("/account")
        .to_owned();
    render(&SecondFactorPage {
        ctx,
        back,
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default, rename = "return")]
    back: String,
}

pub async fn second_factor_submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ctx: PageCtx,
    signed: SignedPending,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, WebError> {
    let back = local_path(&form.back).unwrap_or("/account").to_owned();
    let result = dasan_identity::auth::confirm_totp(
        state.db(),
        &signed.session.id_hash,
        &form.code,
        &client(addr, &headers),
        state.session_policy(),
        Some(signed.request_id.clone()),
    )
    .await;
    match result {
        Ok(token) => Ok(with_session(see_other(&back), &state, &token)),
        Err(IdentityError::InvalidCode) => {
            let errors = shown(&ctx, &[IdentityError::InvalidCode.on_field("code")]);
            render_invalid(&SecondFactorPage { ctx, back, errors })
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /sign-out`
pub async fn sign_out(
    State(state): State<AppState>,
    signed: SignedPending,
    PageForm(_): PageForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    dasan_identity::auth::sign_out(
        state.db(),
        &signed.session.principal,
        &signed.session.id_hash,
    )
    .await?;
    let mut response = see_other("/");
    if let Some(v) = cookie_header(SESSION_COOKIE, "", state.settings().tls, Some(0)) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

/// `POST /sign-in/passkey/options`: a challenge for `navigator.credentials.get`.
pub async fn passkey_options(
    State(state): State<AppState>,
    auth: axum::Extension<Auth>,
    _csrf: CsrfHeader,
) -> Result<Json<serde_json::Value>, WebError> {
    let (ceremony, options) = state
        .passkeys()
        .begin_sign_in(state.db(), &auth.binding)
        .await?;
    Ok(Json(
        serde_json::json!({ "ceremony": ceremony, "options": options }),
    ))
}

#[derive(Deserialize)]
pub struct PasskeyAnswer {
    ceremony: String,
    credential: serde_json::Value,
    #[serde(default, rename = "return")]
    back: String,
}

/// `POST /sign-in/passkey`: the browser's answer; sets the session cookie.
pub async fn passkey_finish(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: RequestContext,
    auth: axum::Extension<Auth>,
    _csrf: CsrfHeader,
    ApiJson(answer): ApiJson<PasskeyAnswer>,
) -> Result<Response, WebError> {
    let signed = state
        .passkeys()
        .finish_sign_in(
            state.db(),
            &auth.binding,
            &answer.ceremony,
            &answer.credential,
            &client(addr, &headers),
            state.session_policy(),
            Some(request.request_id),
        )
        .await?;
    let next = local_path(&answer.back).unwrap_or("/account").to_owned();
    Ok(with_session(
        Json(serde_json::json!({ "next": next })).into_response(),
        &state,
        &signed.token,
    ))
}
