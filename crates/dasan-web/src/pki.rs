//! The platform PKI's public face: CRLs, the root certificate and the signed trust list, for
//! relying parties and offline verifiers. Plain files over HTTP, as RFC 5280 expects.

use crate::error::WebError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use dasan_crypto::pki::PkiLayout;

async fn layout(state: &AppState) -> Result<PkiLayout, WebError> {
    dasan_crypto::published::load_layout(state.db())
        .await?
        .ok_or(WebError::NotFound)
}

/// `GET /pki/crl/{file}`: a CA's current CRL (DER).
pub async fn crl(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<impl IntoResponse, WebError> {
    let layout = layout(&state).await?;
    let der = dasan_crypto::published::crl_named(&layout, &file)
        .ok_or(WebError::NotFound)?
        .to_vec();
    Ok((
        [
            (header::CONTENT_TYPE, "application/pkix-crl"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        der,
    ))
}

/// `GET /pki/root.crt`: the root CA certificate (DER), the anchor relying parties install.
pub async fn root_certificate(
    State(state): State<AppState>,
) -> Result<impl IntoResponse, WebError> {
    let layout = layout(&state).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pkix-cert"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        layout.root.certificate.der,
    ))
}

/// `GET /.well-known/dasan/trust-list.jws`: the signed trust list (compact JWS with `x5c`).
pub async fn trust_list(State(state): State<AppState>) -> Result<impl IntoResponse, WebError> {
    let layout = layout(&state).await?;
    let jws = layout.trust_list.ok_or(WebError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/jose"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        jws,
    ))
}

/// Largest time-stamp request accepted (a real one is about 100 bytes).
const TSA_REQUEST_LIMIT: usize = 16 * 1024;

/// `POST /pki/tsa`: the platform's RFC 3161 time-stamping service over HTTP (RFC 3161 §3.4):
/// `application/timestamp-query` in, `application/timestamp-reply` out.
pub async fn time_stamp(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<impl IntoResponse, WebError> {
    let query = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == "application/timestamp-query");
    if !query {
        return Err(WebError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
        ));
    }
    if body.len() > TSA_REQUEST_LIMIT {
        return Err(WebError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
        ));
    }
    let reply = state.civil().time_stamp(body.to_vec()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/timestamp-reply"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        reply,
    ))
}
