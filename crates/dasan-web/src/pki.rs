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
