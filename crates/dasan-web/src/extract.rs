//! Extractors that fail with [`WebError`], so malformed input reaches the edge as a 4xx with a
//! precise code rather than axum's plain-text rejection.

use crate::context::RequestContext;
use crate::error::WebError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A JSON body. Wrong content type → 415, bad syntax → 400 `malformed-json`, wrong shape →
/// 422 `validation-failed`, too large → 413.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> WebError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            WebError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type")
        }
        JsonRejection::JsonSyntaxError(_) => {
            WebError::new(StatusCode::BAD_REQUEST, "malformed-json")
        }
        JsonRejection::JsonDataError(e) => {
            let mut err = WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation-failed");
            err.fields.push(dasan_kernel::FieldError::new(
                data_error_path(&e.body_text()),
                "field-error-type",
            ));
            err
        }
        other => body_rejection(&other, other.status()),
    }
}

/// serde_path_to_error's message starts with the path of the offending field.
fn data_error_path(text: &str) -> String {
    let detail = text.split_once(": ").map(|(_, d)| d).unwrap_or(text);
    match detail.split_once(": ") {
        Some((path, _)) if !path.contains(' ') && path != "." => path.to_owned(),
        _ => "body".to_owned(),
    }
}

/// A failure to read the body: too large (413), stalled past the body timeout (408), or broken.
fn body_rejection(err: &(dyn std::error::Error + 'static), status: StatusCode) -> WebError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return WebError::new(StatusCode::REQUEST_TIMEOUT, "request-timeout");
        }
        cause = e.source();
    }
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => WebError::new(status, "payload-too-large"),
        StatusCode::REQUEST_TIMEOUT => WebError::new(status, "request-timeout"),
        s if s.is_server_error() => WebError::new(StatusCode::BAD_REQUEST, "bad-request"),
        s => WebError::new(s, "bad-request"),
    }
}

/// An `application/x-www-form-urlencoded` body from one of our own pages. Its `csrf_token`
/// must be the one bound to this (pre-)session (403 `csrf-failed` otherwise). Handlers take all
/// fields as text and validate them themselves, so that a person sees their answers again with
/// messages; only an unreadable body fails here (400 `malformed-form`).
pub struct PageForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PageForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        let is_form = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(WebError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
            ));
        }
        let expected = req
            .extensions()
            .get::<crate::auth::Auth>()
            .map(|a| a.csrf.clone())
            .ok_or_else(|| WebError::internal(&"authentication middleware missing"))?;
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| body_rejection(&e, e.status()))?;
        let sent = url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf_token")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if !crate::auth::constant_eq(&sent, &expected) {
            return Err(WebError::new(StatusCode::FORBIDDEN, "csrf-failed"));
        }
        serde_urlencoded::from_bytes::<T>(&bytes)
            .map(PageForm)
            .map_err(|_| WebError::new(StatusCode::BAD_REQUEST, "malformed-form"))
    }
}

/// A raw request body (any content type): too large → 413 `payload-too-large`, stalled → 408,
/// as problem documents.
pub struct RawBody(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        axum::body::Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|e| body_rejection(&e, e.status()))
    }
}

/// Query parameters; malformed ones are a 400.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|_| WebError::new(StatusCode::BAD_REQUEST, "bad-request"))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, WebError> {
        parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .ok_or_else(|| WebError::internal(&"request context middleware missing"))
    }
}

/// A form from one of our pages that may carry files (`multipart/form-data`) or not
/// (`application/x-www-form-urlencoded`). The `csrf_token` field is checked either way.
pub struct UploadForm {
    /// One value per field name (the last one sent).
    pub fields: std::collections::BTreeMap<String, String>,
    /// Every text field in the order sent, repeated names (checkbox groups) kept.
    pub pairs: Vec<(String, String)>,
    /// (field, file name, bytes) for every file part that has content.
    pub files: Vec<(String, String, Vec<u8>)>,
}

impl<S: Send + Sync> FromRequest<S> for UploadForm {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        let multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let PageForm(pairs) =
                PageForm::<Vec<(String, String)>>::from_request(req, state).await?;
            return Ok(UploadForm {
                fields: pairs.iter().cloned().collect(),
                pairs,
                files: Vec::new(),
            });
        }
        let expected = req
            .extensions()
            .get::<crate::auth::Auth>()
            .map(|a| a.csrf.clone())
            .ok_or_else(|| WebError::internal(&"authentication middleware missing"))?;
        let mut form = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|_| WebError::new(StatusCode::BAD_REQUEST, "malformed-form"))?;
        let mut fields = std::collections::BTreeMap::new();
        let mut pairs = Vec::new();
        let mut files = Vec::new();
        loop {
            let field = match form.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => return Err(body_rejection(&e, e.status())),
            };
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field
                .bytes()
                .await
                .map_err(|e| body_rejection(&e, e.status()))?;
            match file_name {
                Some(file_name) if !bytes.is_empty() => {
                    files.push((name, file_name, bytes.to_vec()))
                }
                Some(_) => {}
                None => {
                    let text = String::from_utf8(bytes.to_vec())
                        .map_err(|_| WebError::new(StatusCode::BAD_REQUEST, "malformed-form"))?;
                    fields.insert(name.clone(), text.clone());
                    pairs.push((name, text));
                }
            }
        }
        let sent = fields.get("csrf_token").cloned().unwrap_or_default();
        if !crate::auth::constant_eq(&sent, &expected) {
            return Err(WebError::new(StatusCode::FORBIDDEN, "csrf-failed"));
        }
        Ok(UploadForm {
            fields,
            pairs,
            files,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_offending_field_in_serde_messages() {
        assert_eq!(
            data_error_path(
                "Failed to deserialize the JSON body into the target type: helpful: invalid type: string \"x\", expected a boolean at line 1 column 20"
            ),
            "helpful"
        );
        assert_eq!(
            data_error_path(
                "Failed to deserialize the JSON body into the target type: missing field `page` at line 1 column 2"
            ),
            "body"
        );
    }
}
