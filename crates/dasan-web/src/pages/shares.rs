//! Sending documents from the wallet to a receiving organisation, and the organisation's
//! inbox of documents sent to it, each verified when it is looked at. `dasan_civil::shares`
//! decides who may do what; these pages only show it.

use super::civil::applications_page;
use super::{PageCtx, render, render_invalid, see_other, shown};
use crate::auth::Signed;
use crate::error::WebError;
use crate::extract::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use dasan_civil::CivilError;
use dasan_civil::shares::{ReceivedShare, ShareId};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct SendForm {
    #[serde(default)]
    recipient: String,
    #[serde(default)]
    purpose: String,
}

/// `POST /documents/{number}/send`: the holder sends a document to an organisation.
pub async fn send(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(number): Path<String>,
    PageForm(form): PageForm<SendForm>,
) -> Result<Response, WebError> {
    match state
        .civil()
        .send_document(&signed.principal, &number, &form.recipient, &form.purpose)
        .await
    {
        Ok(_) => Ok(see_other("/applications#sent")),
        Err(CivilError::Invalid(mut fields)) => {
            // One form per document: errors point at this document's fields.
            for f in &mut fields {
                f.field = format!("{}-{number}", f.field);
            }
            let errors = shown(&ctx, &fields);
            let page = applications_page(&state, ctx, &signed.principal, errors).await?;
            render_invalid(&page)
        }
        Err(e) => Err(e.into()),
    }
}

fn share_id(text: &str) -> Result<ShareId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

/// `POST /shares/{id}/withdraw`: the holder takes a sent document back.
pub async fn withdraw(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(_): PageForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    state
        .civil()
        .withdraw_share(&signed.principal, share_id(&id)?)
        .await?;
    Ok(see_other("/applications#sent"))
}

#[derive(Template)]
#[template(path = "received.html")]
struct ReceivedPage {
    ctx: PageCtx,
    shares: Vec<ReceivedShare>,
}

#[derive(Template)]
#[template(path = "received_share.html")]
struct ReceivedSharePage {
    ctx: PageCtx,
    share: ReceivedShare,
}

trait Shown {
    fn ctx(&self) -> &PageCtx;

    fn verdict(&self, s: &ReceivedShare) -> String {
        let v = serde_json::to_value(s.verification.verdict)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        self.ctx().t(&format!("verify-{v}"))
    }

    fn document_label(&self, s: &ReceivedShare) -> String {
        self.ctx().t(&format!("document-type-{}", s.document_type))
    }

    fn when(&self, t: &dasan_kernel::Timestamp) -> String {
        super::account::when(*t)
    }
}

impl Shown for ReceivedPage {
    fn ctx(&self) -> &PageCtx {
        &self.ctx
    }
}

impl Shown for ReceivedSharePage {
    fn ctx(&self) -> &PageCtx {
        &self.ctx
    }
}

/// `GET /received`: the documents sent to the official's organisation, verified now.
pub async fn received(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    let shares = state.civil().received_documents(&signed.principal).await?;
    render(&ReceivedPage { ctx, shares })
}

/// `GET /received/{id}`: one document sent to the organisation, verified now.
pub async fn received_one(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let share = state
        .civil()
        .received_document(&signed.principal, share_id(&id)?)
        .await?;
    render(&ReceivedSharePage { ctx, share })
}

/// `GET /received/{id}/pdf`: its signed PDF.
pub async fn received_pdf(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (doc, pdf) = state
        .civil()
        .received_pdf(&signed.principal, share_id(&id)?)
        .await?;
    Ok(super::civil::pdf_download(&doc, pdf))
}
