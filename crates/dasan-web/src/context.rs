//! Per-request context: a request id, the language, and a tracing span around the request.

use crate::i18n::{LANG_COOKIE, Locale};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// Known to every handler and to the error edge.
#[derive(Clone, Debug)]
pub struct RequestContext {
    /// Generated here, never taken from the client (which could forge log lines with it).
    pub request_id: String,
    pub locale: Locale,
    /// The request's path (without query), for problem documents' `instance`.
    pub path: String,
    /// Path and query, for returning to this page (language switch, feedback).
    pub path_and_query: String,
}

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Reads a cookie's value from the request headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub async fn request_context(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let request_id = uuid::Uuid::now_v7().simple().to_string();
    let headers = request.headers();
    let locale = Locale::negotiate(
        cookie(headers, LANG_COOKIE),
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
        state.settings().default_locale,
    );
    let uri = request.uri();
    let context = RequestContext {
        request_id: request_id.clone(),
        locale,
        path: uri.path().to_owned(),
        path_and_query: uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into()),
    };
    let span = tracing::info_span!(
        "request",
        id = %request_id,
        method = %request.method(),
        path = %context.path,
        status = tracing::field::Empty,
    );
    request.extensions_mut().insert(context);
    let started = std::time::Instant::now();
    async move {
        let mut response = next.run(request).await;
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        if status.is_server_error() {
            tracing::error!(elapsed_ms, "request failed");
        } else {
            tracing::info!(elapsed_ms, "request");
        }
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        response
    }
    .instrument(span)
    .await
}
