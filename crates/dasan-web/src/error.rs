//! Errors, mapped once at the edge.
//!
//! Handlers and extractors fail with [`WebError`], which becomes an empty response carrying an
//! [`ErrorInfo`]. The [`render_errors`] middleware turns every error response — ours, or one
//! made by axum or tower (unknown route, wrong method, body too large, timeout, panic) — into
//! an RFC 9457 problem document for API clients or a translated page for browsers.

use crate::context::RequestContext;
use crate::i18n::Tr;
use crate::pages::PageCtx;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use dasan_kernel::{ErrorKind, FieldError, Problem};
use serde::Serialize;

/// What went wrong, as a handler reports it.
#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    /// Stable, kebab-case: the problem type's last path segment and its message ids' stem.
    pub code: &'static str,
    pub fields: Vec<FieldError>,
    /// Seconds after which a retry may succeed (429, 503).
    pub retry_after: Option<u64>,
}

/// Marks a response as fully formed: the edge leaves it alone (e.g. a form re-shown with
/// field errors, or a problem document already written).
#[derive(Clone, Copy, Debug)]
pub struct Rendered;

/// The error details the edge renders, carried in response extensions.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub fields: Vec<FieldError>,
}

#[allow(non_upper_case_globals)]
impl WebError {
    pub const NotFound: WebError = WebError::new(StatusCode::NOT_FOUND, "not-found");

    pub const fn new(status: StatusCode, code: &'static str) -> WebError {
        WebError {
            status,
            code,
            fields: Vec::new(),
            retry_after: None,
        }
    }

    /// A fault of ours: logged here with its cause, shown to the client without one.
    pub fn internal(cause: &dyn std::fmt::Display) -> WebError {
        tracing::error!(error = %cause, "internal error");
        WebError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
    }

    /// Maps a domain error by its kind: the one place kinds become statuses.
    pub fn from_problem(err: &dyn Problem) -> WebError {
        let status = match err.kind() {
            ErrorKind::Invalid if err.field_errors().is_empty() => StatusCode::BAD_REQUEST,
            ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => return WebError::internal(err),
        };
        if status == StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!(error = %err, "dependency unavailable");
        }
        WebError {
            status,
            code: err.code(),
            fields: err.field_errors().to_vec(),
            retry_after: err
                .retry_after()
                .or((status == StatusCode::SERVICE_UNAVAILABLE).then_some(5)),
        }
    }
}

impl<E: Problem> From<E> for WebError {
    fn from(err: E) -> WebError {
        WebError::from_problem(&err)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(ErrorInfo {
            code: self.code,
            fields: self.fields,
        });
        response
    }
}

/// The default code for a status when nothing more specific is known.
fn code_of_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        406 => "not-acceptable",
        408 => "request-timeout",
        409 => "conflict",
        413 => "payload-too-large",
        414 => "uri-too-long",
        415 => "unsupported-media-type",
        422 => "validation-failed",
        429 => "rate-limited",
        431 => "headers-too-large",
        503 => "unavailable",
        400..=499 => "bad-request",
        _ => "internal",
    }
}

/// Every problem code the platform emits, for the `/problems/{code}` pages and tests.
pub const PROBLEM_CODES: &[&str] = &[
    "bad-request",
    "bad-tree-range",
    "lookup-refused",
    "no-checkpoint",
    "not-yet-sequenced",
    "registry-duplicate",
    "registry-import-unreadable",
    "registry-stale",
    "unknown-checkpoint",
    "unknown-event",
    "conflict",
    "cross-site-request",
    "csrf-failed",
    "database-unavailable",
    "documents-unavailable",
    "tax-arrears",
    "duplicate",
    "forbidden",
    "headers-too-large",
    "internal",
    "last-second-factor",
    "invalid-code",
    "invalid-credentials",
    "invalid-email",
    "invalid-name",
    "invalid-token",
    "malformed-form",
    "malformed-json",
    "method-not-allowed",
    "not-acceptable",
    "not-found",
    "passkey-failed",
    "password-common",
    "password-too-long",
    "password-too-short",
    "password-weak",
    "email-taken",
    "payload-too-large",
    "rate-limited",
    "request-timeout",
    "second-factor-required",
    "unauthenticated",
    "unavailable",
    "unsupported-media-type",
    "uri-too-long",
    "validation-failed",
    "gate-unknown-device",
    "gate-device-revoked",
    "gate-bad-signature",
    "gate-malformed-body",
    "gate-device-mismatch",
    "gate-stale-timestamp",
    "gate-replayed-nonce",
    "decision-record-mismatch",
    "device-key-not-accepted",
    "enrolment-not-required",
    "document-not-authentic",
    "changed-by-someone-else",
    "import-failed",
    "biometric-reference-unreadable",
    // e-procurement
    "bid-deadline-passed",
    "bid-envelope-invalid",
    "bid-invalid",
    "bid-signing-key-unknown",
    "business-not-active",
    "clarification-closed",
    "deadline-hour-full",
    "deadline-not-on-the-hour",
    "evaluation-failed",
    "key-ceremony-invalid",
    "not-enough-shares",
    "shares-do-not-match",
    "standstill-over",
    "supplier-already-registered",
    "supplier-debarred",
    "supplier-not-eligible",
    "supplier-not-registered",
    "too-early",
];

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemDocument {
    /// A URI naming the problem type; it resolves to a page describing it.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short, translated summary of the problem type.
    pub title: String,
    pub status: u16,
    /// A translated explanation of this occurrence.
    pub detail: String,
    /// The path of the request that failed.
    pub instance: String,
    /// The problem type's stable machine-readable code.
    pub code: String,
    /// Quote this when asking for help; it finds the request in the logs.
    pub request_id: String,
    /// Field-level problems, when the content was invalid.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// One invalid field.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// The field as the request spelt it.
    pub field: String,
    /// A stable code for the problem with the field.
    pub code: String,
    /// A translated message.
    pub message: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageCtx,
    status: u16,
    title: String,
    detail: String,
}

/// Whether the client wants a problem document rather than a page.
pub fn wants_json(path: &str, headers: &HeaderMap) -> bool {
    if path.starts_with("/api/")
        || path == "/api"
        || matches!(path, "/healthz" | "/readyz" | "/metrics")
    {
        return true;
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    !accept.contains("text/html")
        && (accept.contains("application/json") || accept.contains("application/problem+json"))
}

/// The edge: renders every error response that is not yet fully formed.
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let wants_json = wants_json(request.uri().path(), request.headers());
    let ctx = request.extensions().get::<RequestContext>().cloned();
    let auth = request.extensions().get::<crate::auth::Auth>().cloned();
    let response = next.run(request).await;
    let status = response.status();
    if status.as_u16() < 400 || response.extensions().get::<Rendered>().is_some() {
        return response;
    }
    let Some(ctx) = ctx else {
        return response;
    };
    let info = response
        .extensions()
        .get::<ErrorInfo>()
        .cloned()
        .unwrap_or(ErrorInfo {
            code: code_of_status(status),
            fields: Vec::new(),
        });
    // Keep the headers that tell the client what to do next.
    let mut kept = HeaderMap::new();
    for name in [
        header::ALLOW,
        header::RETRY_AFTER,
        header::WWW_AUTHENTICATE,
        header::SET_COOKIE,
    ] {
        for value in response.headers().get_all(&name) {
            kept.append(name.clone(), value.clone());
        }
    }
    let tr = state.tr(ctx.locale);
    let mut rendered = if wants_json {
        problem_response(&state, &tr, &ctx, status, &info)
    } else {
        let page = ErrorPage {
            ctx: PageCtx::new(&state, &ctx, auth.as_ref()),
            status: status.as_u16(),
            title: problem_text(&tr, info.code, "title"),
            detail: problem_text(&tr, info.code, "detail"),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "error page failed to render");
                (status, "Error").into_response()
            }
        }
    };
    rendered.headers_mut().extend(kept);
    rendered.extensions_mut().insert(Rendered);
    rendered
}

/// The translated title or detail of a problem code, falling back to the generic text.
pub fn problem_text(tr: &Tr, code: &str, part: &str) -> String {
    let id = format!("problem-{code}");
    if tr.catalog().has(&id) {
        tr.get(&format!("{id}.{part}"))
    } else {
        tr.get(&format!("problem-bad-request.{part}"))
    }
}

/// A problem document response for `info`.
pub fn problem_response(
    state: &AppState,
    tr: &Tr,
    ctx: &RequestContext,
    status: StatusCode,
    info: &ErrorInfo,
) -> Response {
    let document = ProblemDocument {
        type_uri: state.problem_type_uri(info.code),
        title: problem_text(tr, info.code, "title"),
        status: status.as_u16(),
        detail: problem_text(tr, info.code, "detail"),
        instance: ctx.path.clone(),
        code: info.code.to_owned(),
        request_id: ctx.request_id.clone(),
        errors: info
            .fields
            .iter()
            .map(|f| ProblemField {
                field: f.field.clone(),
                code: f.message.to_owned(),
                message: tr.with_args(f.message, f.args.iter().map(|(k, v)| (*k, v.as_str()))),
            })
            .collect(),
    };
    let body = serde_json::to_vec(&document).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(tr.locale.code()),
    );
    response
}
