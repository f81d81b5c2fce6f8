//! Static assets embedded in the binary, served under content-hashed names.
//!
//! `app.css` is served as `/static/app.<hash>.css` with a one-year immutable cache: a new
//! release changes the hash, so browsers never see a stale file and never revalidate.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::LazyLock;

use crate::error::WebError;

#[derive(Embed)]
#[folder = "static/"]
struct StaticFiles;

struct Asset {
    bytes: &'static [u8],
    content_type: &'static str,
}

struct Assets {
    /// Hashed name → asset.
    by_hashed: HashMap<String, Asset>,
    /// Plain name → hashed name.
    hashed_of: HashMap<String, String>,
}

static ASSETS: LazyLock<Assets> = LazyLock::new(|| {
    let mut by_hashed = HashMap::new();
    let mut hashed_of = HashMap::new();
    for name in StaticFiles::iter() {
        let Some(file) = StaticFiles::get(&name) else {
            continue;
        };
        let bytes: &'static [u8] = match file.data {
            std::borrow::Cow::Borrowed(b) => b,
            // Only in builds that read from disk; leaking once per asset at start is bounded.
            std::borrow::Cow::Owned(v) => Box::leak(v.into_boxed_slice()),
        };
        let digest = Sha256::digest(bytes);
        let hash: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        let hashed = match name.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
            None => format!("{name}.{hash}"),
        };
        let content_type = match name.rsplit_once('.').map(|(_, e)| e) {
            Some("css") => "text/css; charset=utf-8",
            Some("svg") => "image/svg+xml",
            Some("png") => "image/png",
            Some("ico") => "image/x-icon",
            Some("js") => "text/javascript; charset=utf-8",
            Some("woff2") => "font/woff2",
            _ => "application/octet-stream",
        };
        hashed_of.insert(name.to_string(), hashed.clone());
        by_hashed.insert(
            hashed,
            Asset {
                bytes,
                content_type,
            },
        );
    }
    Assets {
        by_hashed,
        hashed_of,
    }
});

/// The URL of a static file, e.g. `url("app.css")` → `/static/app.3f2a1b9c0d4e.css`.
pub fn url(name: &str) -> String {
    match ASSETS.hashed_of.get(name) {
        Some(hashed) => format!("/static/{hashed}"),
        None => format!("/static/{name}"),
    }
}

/// Serves `/static/{file}`; only hashed names exist, so every hit can be cached for good.
pub async fn serve(Path(file): Path<String>) -> Result<Response, WebError> {
    let asset = ASSETS.by_hashed.get(&file).ok_or(WebError::NotFound)?;
    let mut response = asset.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}
