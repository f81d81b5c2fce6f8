//! Who is making the request: a session cookie, a bearer token, or nobody yet.
//!
//! Every request gets an [`Auth`]: the session (if its cookie is valid), the principal of a
//! bearer token (API), and the CSRF binding — the session, or before sign-in a random
//! pre-session cookie — with the token forms must carry. Handlers take [`Signed`] (an account
//! that may act), [`SignedPending`] (any session, even one that still owes a second factor) or
//! [`Bearer`] (an API client).

use crate::context::{RequestContext, cookie};
use crate::error::WebError;
use crate::pages::urlencode;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use dasan_identity::Principal;
use dasan_identity::session::{self, ActiveSession, SessionToken};

pub const SESSION_COOKIE: &str = "dasan_session";
pub const PRE_SESSION_COOKIE: &str = "dasan_pre";

/// What the request proved about itself.
#[derive(Clone, Debug)]
pub struct Auth {
    pub session: Option<ActiveSession>,
    pub bearer: Option<Principal>,
    /// An `Authorization: Bearer` header was sent but is not a valid token.
    pub bearer_invalid: bool,
    /// What CSRF tokens are bound to.
    pub binding: String,
    /// The CSRF token forms on this page must carry.
    pub csrf: String,
}

impl Auth {
    /// The signed-in account, if the session may act.
    pub fn principal(&self) -> Option<&Principal> {
        self.session
            .as_ref()
            .filter(|s| !s.pending_factor)
            .map(|s| &s.principal)
    }
}

/// A `Set-Cookie` value for our cookies: host-only, HttpOnly, SameSite=Lax, Secure under TLS.
pub fn cookie_header(
    name: &str,
    value: &str,
    tls: bool,
    max_age: Option<i64>,
) -> Option<HeaderValue> {
    let secure = if tls { "; Secure" } else { "" };
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{age}"
    ))
    .ok()
}

fn valid_cookie_value(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn new_pre_session() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand_bytes();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn rand_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    // uuid's v4 generator draws from the OS RNG; two of them make 32 random bytes without
    // another RNG dependency in this crate.
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes
}

/// Resolves the session or token of every request (static files excepted).
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path.starts_with("/static/") {
        return next.run(request).await;
    }
    let headers = request.headers().clone();
    let mut clear_session = false;
    let mut session = None;
    if let Some(value) = cookie(&headers, SESSION_COOKIE) {
        if valid_cookie_value(value) {
            match session::resume(
                state.db(),
                &SessionToken::from_cookie(value),
                state.session_policy(),
            )
            .await
            {
                Ok(found) => {
                    clear_session = found.is_none();
                    session = found;
                }
                // The database is down: carry on signed out; /readyz reports it.
                Err(e) => tracing::warn!(error = %e, "cannot resume session"),
            }
        } else {
            clear_session = true;
        }
    }
    let (mut bearer, mut bearer_invalid) = (None, false);
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        match value.strip_prefix("Bearer ") {
            Some(token) => {
                match dasan_identity::tokens::authenticate(state.db(), token.trim()).await {
                    Ok(Some(p)) => bearer = Some(p),
                    Ok(None) => bearer_invalid = true,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot check bearer token");
                        bearer_invalid = true;
                    }
                }
            }
            None => bearer_invalid = true,
        }
    }
    let mut new_pre = None;
    let binding = match (&session, cookie(&headers, PRE_SESSION_COOKIE)) {
        (Some(s), _) => s.id_hash.clone(),
        (None, Some(pre)) if valid_cookie_value(pre) => format!("pre:{pre}"),
        (None, _) => {
            let pre = new_pre_session();
            let binding = format!("pre:{pre}");
            new_pre = Some(pre);
            binding
        }
    };
    let csrf = state.csrf().token(&binding);
    request.extensions_mut().insert(Auth {
        session,
        bearer,
        bearer_invalid,
        binding,
        csrf,
    });
    let mut response = next.run(request).await;
    let tls = state.settings().tls;
    if clear_session
        && !response.headers().contains_key(header::SET_COOKIE)
        && let Some(v) = cookie_header(SESSION_COOKIE, "", tls, Some(0))
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    if let Some(pre) = new_pre
        && let Some(v) = cookie_header(PRE_SESSION_COOKIE, &pre, tls, None)
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// Refuses state-changing browser requests from another origin (defence in depth beside the
/// CSRF token). API calls are exempt: they authenticate with bearer tokens, not cookies.
pub async fn check_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if unsafe_method
        && !request.uri().path().starts_with("/api/")
        && !same_origin(&state, request.headers())
    {
        tracing::warn!("cross-origin form refused");
        return WebError::new(StatusCode::FORBIDDEN, "cross-site-request").into_response();
    }
    next.run(request).await
}

fn same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let Some(origin) = origin else {
        // No Origin (older clients, scripts): a browser that says it is cross-site is refused;
        // otherwise the CSRF token decides.
        let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        return !matches!(site, Some("cross-site") | Some("same-site"));
    };
    let public = state.settings().public_url.origin().ascii_serialization();
    if origin == public {
        return true;
    }
    let scheme = if state.settings().tls {
        "https"
    } else {
        "http"
    };
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|host| origin == format!("{scheme}://{host}"))
}

/// Sends a browser to sign in and come back, or an API client a 401.
fn sign_in_first(parts: &Parts) -> Response {
    if crate::error::wants_json(parts.uri.path(), &parts.headers) {
        return WebError::new(StatusCode::UNAUTHORIZED, "unauthenticated").into_response();
    }
    let back = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    if parts.method == Method::GET {
        Redirect::to(&format!("/sign-in?return={}", urlencode(back))).into_response()
    } else {
        WebError::new(StatusCode::UNAUTHORIZED, "unauthenticated").into_response()
    }
}

fn auth_of(parts: &Parts) -> Result<Auth, WebError> {
    parts
        .extensions
        .get::<Auth>()
        .cloned()
        .ok_or_else(|| WebError::internal(&"authentication middleware missing"))
}

/// A signed-in account whose session may act (second factor given where owed).
#[derive(Clone, Debug)]
pub struct Signed {
    pub principal: Principal,
    pub session_hash: String,
    pub request_id: String,
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let auth = auth_of(parts).map_err(IntoResponse::into_response)?;
        let ctx = RequestContext::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match auth.session {
            Some(s) if !s.pending_factor => Ok(Signed {
                principal: s.principal,
                session_hash: s.id_hash,
                request_id: ctx.request_id,
            }),
            Some(_) if parts.method == Method::GET => {
                Err(Redirect::to("/sign-in/second-factor").into_response())
            }
            Some(_) => {
                Err(WebError::new(StatusCode::FORBIDDEN, "second-factor-required").into_response())
            }
            None => Err(sign_in_first(parts)),
        }
    }
}

/// Any session, including one that still owes a second factor (for the pages that take it).
#[derive(Clone, Debug)]
pub struct SignedPending {
    pub session: ActiveSession,
    pub request_id: String,
}

impl FromRequestParts<AppState> for SignedPending {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let auth = auth_of(parts).map_err(IntoResponse::into_response)?;
        let ctx = RequestContext::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match auth.session {
            Some(session) => Ok(SignedPending {
                session,
                request_id: ctx.request_id,
            }),
            None => Err(sign_in_first(parts)),
        }
    }
}

/// An API client with a valid bearer token (or a browser session, for the same endpoints).
#[derive(Clone, Debug)]
pub struct Bearer(pub Principal);

impl FromRequestParts<AppState> for Bearer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Response> {
        let auth = auth_of(parts).map_err(IntoResponse::into_response)?;
        if auth.bearer_invalid {
            let mut response =
                WebError::new(StatusCode::UNAUTHORIZED, "invalid-token").into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
            return Err(response);
        }
        match auth.bearer {
            Some(p) => Ok(Bearer(p)),
            None => {
                let mut response =
                    WebError::new(StatusCode::UNAUTHORIZED, "unauthenticated").into_response();
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                Err(response)
            }
        }
    }
}

/// The CSRF token of a JSON request from our own scripts (`x-csrf-token` header).
pub struct CsrfHeader;

impl<S: Send + Sync> FromRequestParts<S> for CsrfHeader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Response> {
        let auth = auth_of(parts).map_err(IntoResponse::into_response)?;
        let sent = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if constant_eq(sent, &auth.csrf) {
            Ok(CsrfHeader)
        } else {
            Err(WebError::new(StatusCode::FORBIDDEN, "csrf-failed").into_response())
        }
    }
}

/// Compares two tokens without leaking where they differ.
pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
