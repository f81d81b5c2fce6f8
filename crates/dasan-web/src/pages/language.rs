//! The language switcher: a plain link, so it works without JavaScript.

use super::local_path;
use crate::error::WebError;
use crate::extract::Query;
use crate::i18n::{LANG_COOKIE, Locale};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Switch {
    lang: String,
    #[serde(rename = "return")]
    return_to: Option<String>,
}

/// `GET /language?lang=ko&return=/about`: remembers the choice for a year, then goes back.
pub async fn switch(
    State(state): State<AppState>,
    Query(q): Query<Switch>,
) -> Result<Response, WebError> {
    let locale =
        Locale::from_code(&q.lang).ok_or(WebError::new(StatusCode::BAD_REQUEST, "bad-request"))?;
    let target = q.return_to.as_deref().and_then(local_path).unwrap_or("/");
    let secure = if state.settings().tls { "; Secure" } else { "" };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
        locale.code()
    );
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::LOCATION,
        HeaderValue::from_str(target)
            .map_err(|_| WebError::new(StatusCode::BAD_REQUEST, "bad-request"))?,
    );
    headers.insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| WebError::internal(&e))?,
    );
    Ok(response)
}
