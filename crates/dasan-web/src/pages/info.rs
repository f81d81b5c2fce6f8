//! The home page, about, the accessibility statement, and the problem-type pages.

use super::{PageCtx, render};
use crate::error::{PROBLEM_CODES, WebError, problem_text};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    ctx: PageCtx,
}

pub async fn home(ctx: PageCtx) -> Result<Response, WebError> {
    render(&Home { ctx })
}

#[derive(Template)]
#[template(path = "about.html")]
struct About {
    ctx: PageCtx,
    version: &'static str,
}

pub async fn about(ctx: PageCtx) -> Result<Response, WebError> {
    render(&About {
        ctx,
        version: env!("CARGO_PKG_VERSION"),
    })
}

#[derive(Template)]
#[template(path = "accessibility.html")]
struct Accessibility {
    ctx: PageCtx,
}

pub async fn accessibility(ctx: PageCtx) -> Result<Response, WebError> {
    render(&Accessibility { ctx })
}

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemType {
    ctx: PageCtx,
    code: String,
    title: String,
    detail: String,
}

/// `/problems/{code}`: what a problem document's `type` URI resolves to.
pub async fn problem_type(ctx: PageCtx, Path(code): Path<String>) -> Result<Response, WebError> {
    if !PROBLEM_CODES.contains(&code.as_str()) {
        return Err(WebError::NotFound);
    }
    let title = problem_text(ctx.tr(), &code, "title");
    let detail = problem_text(ctx.tr(), &code, "detail");
    render(&ProblemType {
        ctx,
        code,
        title,
        detail,
    })
}
