//! The API's documentation page, rendered on the server from the OpenAPI document itself.

use super::{PageCtx, render};
use crate::error::WebError;
use askama::Template;
use axum::response::Response;
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::Operation;

#[derive(Clone, Debug)]
pub struct Endpoint {
    pub method: &'static str,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub anchor: String,
}

/// The endpoints of a document, in path order, for the page.
pub fn endpoints(doc: &OpenApi) -> Vec<Endpoint> {
    let mut list = Vec::new();
    for (path, item) in doc.paths.paths.iter() {
        let operations: [(&'static str, &Option<Operation>); 5] = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, operation) in operations {
            if let Some(op) = operation {
                let anchor: String = format!("{method}-{path}")
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() {
                            c.to_ascii_lowercase()
                        } else {
                            '-'
                        }
                    })
                    .collect();
                list.push(Endpoint {
                    method,
                    path: path.clone(),
                    summary: op.summary.clone().unwrap_or_default(),
                    description: op.description.clone().unwrap_or_default(),
                    anchor,
                });
            }
        }
    }
    list
}

#[derive(Template)]
#[template(path = "developers.html")]
struct Developers {
    ctx: PageCtx,
    endpoints: Vec<Endpoint>,
}

pub async fn page(ctx: PageCtx) -> Result<Response, WebError> {
    render(&Developers {
        ctx,
        endpoints: endpoints(&crate::api::openapi()),
    })
}
