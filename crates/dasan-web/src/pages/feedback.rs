//! "Was this page useful?" and "Report a problem with this page", without JavaScript.

use super::{PageCtx, ShownError, local_path, render, render_invalid, shown, urlencode};
use crate::context::RequestContext;
use crate::error::WebError;
use crate::extract::{PageForm, Query};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dasan_feedback::{FeedbackError, FeedbackInput, MAX_COMMENT_CHARS};
use dasan_kernel::{Actor, FieldError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "feedback.html")]
struct FeedbackPage {
    ctx: PageCtx,
    page: String,
    helpful: String,
    comment: String,
    max_chars: usize,
    errors: Vec<ShownError>,
}

impl FeedbackPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

pub async fn form(ctx: PageCtx, Query(q): Query<PageQuery>) -> Result<Response, WebError> {
    let page = q
        .page
        .as_deref()
        .and_then(local_path)
        .unwrap_or("/")
        .to_owned();
    render(&FeedbackPage {
        ctx,
        page,
        helpful: String::new(),
        comment: String::new(),
        max_chars: MAX_COMMENT_CHARS,
        errors: Vec::new(),
    })
}

/// The form as posted: all text, so that anything typed can be shown again.
#[derive(Deserialize)]
pub struct FeedbackForm {
    #[serde(default)]
    page: String,
    helpful: Option<String>,
    #[serde(default)]
    comment: String,
}

pub async fn submit(
    State(state): State<AppState>,
    request: RequestContext,
    ctx: PageCtx,
    PageForm(form): PageForm<FeedbackForm>,
) -> Result<Response, WebError> {
    let helpful = match form.helpful.as_deref() {
        None | Some("") => Ok(None),
        Some("yes") => Ok(Some(true)),
        Some("no") => Ok(Some(false)),
        Some(_) => Err(FieldError::new("helpful", "feedback-error-helpful")),
    };
    let result = match helpful {
        Ok(helpful) => {
            let input = FeedbackInput {
                page: form.page.clone(),
                helpful,
                comment: form.comment.clone(),
            };
            let actor = Actor::anonymous(Some(request.request_id.clone()));
            dasan_feedback::submit(state.db(), actor, input, ctx.lang).await
        }
        Err(field) => Err(FeedbackError::Invalid(vec![field])),
    };
    match result {
        Ok(_) => {
            let page = local_path(form.page.trim()).unwrap_or("/");
            let location = format!("/feedback/thanks?page={}", urlencode(page));
            let mut response = StatusCode::SEE_OTHER.into_response();
            response.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_str(&location).map_err(|e| WebError::internal(&e))?,
            );
            Ok(response)
        }
        Err(FeedbackError::Invalid(fields)) => {
            let errors = shown(&ctx, &fields);
            let page = FeedbackPage {
                ctx,
                page: form.page,
                helpful: form.helpful.unwrap_or_default(),
                comment: form.comment,
                max_chars: MAX_COMMENT_CHARS,
                errors,
            };
            render_invalid(&page)
        }
        Err(other) => Err(WebError::from(other)),
    }
}

#[derive(Template)]
#[template(path = "feedback_thanks.html")]
struct Thanks {
    ctx: PageCtx,
    back: String,
}

pub async fn thanks(ctx: PageCtx, Query(q): Query<PageQuery>) -> Result<Response, WebError> {
    let back = q
        .page
        .as_deref()
        .and_then(local_path)
        .unwrap_or("/")
        .to_owned();
    render(&Thanks { ctx, back })
}
