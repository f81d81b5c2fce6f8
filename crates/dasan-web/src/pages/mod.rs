//! Server-rendered pages: they work without JavaScript, in every supported language.

pub mod account;
pub mod agency;
pub mod border;
pub mod border_enrolment;
pub mod business;
pub mod civil;
pub mod clients;
pub mod delegation;
pub mod developers;
pub mod feedback;
pub mod info;
pub mod language;
pub mod phone;
pub mod procurement;
pub mod procurement_award;
pub mod procurement_committee;
pub mod procurement_contract;
pub mod procurement_debarment;
pub mod procurement_office;
pub mod procurement_opening;
pub mod procurement_supplier;
pub mod recovery;
pub mod registry;
pub mod services_admin;
pub mod shares;
pub mod sign_in;
pub mod sign_up;
pub mod transparency;
pub mod verify;

use crate::assets;
use crate::context::RequestContext;
use crate::error::WebError;
use crate::i18n::{Locale, Tr};
use crate::state::AppState;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};

/// One entry of the language switcher.
#[derive(Clone, Debug)]
pub struct LanguageLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// What every page template needs: translations, asset URLs, where we are.
#[derive(Clone, Debug)]
pub struct PageCtx {
    tr: Tr,
    pub lang: &'static str,
    pub css: String,
    pub icon: String,
    /// The current path, without query (what feedback is about).
    pub path: String,
    pub request_id: String,
    pub languages: Vec<LanguageLink>,
    /// The token every form on the page carries.
    pub csrf: String,
    /// The signed-in person's name, for the header (None: signed out or second factor owed).
    pub user: Option<String>,
    pub passkey_js: String,
}

impl PageCtx {
    pub fn new(
        state: &AppState,
        ctx: &RequestContext,
        auth: Option<&crate::auth::Auth>,
    ) -> PageCtx {
        let return_to = urlencode(&ctx.path_and_query);
        PageCtx {
            tr: state.tr(ctx.locale),
            lang: ctx.locale.code(),
            css: assets::url("app.css"),
            icon: assets::url("favicon.svg"),
            path: ctx.path.clone(),
            request_id: ctx.request_id.clone(),
            languages: Locale::ALL
                .iter()
                .map(|l| LanguageLink {
                    code: l.code(),
                    name: l.endonym(),
                    href: format!("/language?lang={}&return={return_to}", l.code()),
                    current: *l == ctx.locale,
                })
                .collect(),
            csrf: auth.map(|a| a.csrf.clone()).unwrap_or_default(),
            user: auth
                .and_then(|a| a.principal())
                .map(|p| p.display_name.clone()),
            passkey_js: assets::url("passkey.js"),
        }
    }

    /// A translated message: `{{ ctx.t("home-title") }}`.
    pub fn t(&self, id: &str) -> String {
        self.tr.get(id)
    }

    /// A translated message with one argument.
    pub fn tw(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.tr.with(id, name, value)
    }

    pub fn tr(&self) -> &Tr {
        &self.tr
    }

    /// The feedback link for this page.
    pub fn feedback_href(&self) -> String {
        format!("/feedback?page={}", urlencode(&self.path))
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let ctx = RequestContext::from_request_parts(parts, state).await?;
        let auth = parts.extensions.get::<crate::auth::Auth>();
        Ok(PageCtx::new(state, &ctx, auth))
    }
}

/// Percent-encodes for a query value.
pub fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Renders a page template as HTML, or a 500 at the edge if the template fails.
pub fn render(template: &impl Template) -> Result<Response, WebError> {
    template
        .render()
        .map(|html| Html(html).into_response())
        .map_err(|e| WebError::internal(&e))
}

/// Renders a form page again with field errors (422), as the GOV.UK pattern does.
pub fn render_invalid(template: &impl Template) -> Result<Response, WebError> {
    let mut response = render(template)?;
    *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    response.extensions_mut().insert(crate::error::Rendered);
    Ok(response)
}

/// A field error shown on a page: the field's id and the translated message.
#[derive(Clone, Debug)]
pub struct ShownError {
    pub field: String,
    pub message: String,
}

/// Translates field errors for a page.
pub fn shown(ctx: &PageCtx, errors: &[dasan_kernel::FieldError]) -> Vec<ShownError> {
    errors
        .iter()
        .map(|f| ShownError {
            field: f.field.clone(),
            message: ctx
                .tr()
                .with_args(f.message, f.args.iter().map(|(k, v)| (*k, v.as_str()))),
        })
        .collect()
}

/// The message for `field`, if it has one (templates: `error_for(errors, "email")`).
pub fn error_for<'a>(errors: &'a [ShownError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

/// A 303 redirect (after a successful POST).
pub fn see_other(location: &str) -> Response {
    axum::response::Redirect::to(location).into_response()
}

/// A local path that is safe to redirect to: `/x…`, never `//host` or `/\host`.
pub fn local_path(candidate: &str) -> Option<&str> {
    let ok = candidate.starts_with('/')
        && !candidate.starts_with("//")
        && !candidate.starts_with("/\\")
        && candidate.len() <= 2000
        && !candidate.chars().any(|c| c.is_control());
    ok.then_some(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_redirect_targets() {
        assert_eq!(local_path("/about?x=1"), Some("/about?x=1"));
        for bad in [
            "",
            "about",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/\r\nSet-Cookie:x",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
