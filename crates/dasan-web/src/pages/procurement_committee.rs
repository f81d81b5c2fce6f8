//! Pages for opening-committee members (officials): register their own committee public key
//! (the private half never reaches the platform: `dasan committee keygen`), and release their
//! share of a tender key — decrypted on their machine with `dasan committee share` — after the
//! opening time. Only officials find these pages, and only their own seats are listed.

use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::auth::Signed;
use crate::error::{WebError, problem_text};
use crate::extract::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use dasan_identity::AccountKind;
use dasan_kernel::FieldError;
use dasan_kernel::Problem as _;
use dasan_procurement::{KeyShare, MemberPublicKey, ProcurementError, TenderId, TenderStatus};
use serde::Deserialize;

fn when(t: dasan_kernel::Timestamp) -> String {
    super::account::when(t)
}

fn officials_only(signed: &Signed) -> Result<(), WebError> {
    if signed.principal.kind == AccountKind::Official {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

struct Seat {
    id: String,
    title: String,
    member_index: u8,
    threshold: u8,
    opening: String,
    status: String,
    released: bool,
    /// Closed and past the opening time: the share can be released now.
    open_for_release: bool,
    value: String,
}

#[derive(Template)]
#[template(path = "procurement_committee.html")]
struct SeatsPage {
    ctx: PageCtx,
    key: Option<String>,
    seats: Vec<Seat>,
    released: bool,
    errors: Vec<ShownError>,
}

impl SeatsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn seats_page(
    state: &AppState,
    ctx: PageCtx,
    signed: &Signed,
    typed: Option<(&str, &str)>,
    released: bool,
    errors: Vec<ShownError>,
) -> Result<SeatsPage, WebError> {
    let p = state.procurement();
    let now = state.db().clock().now();
    let key = p
        .member_key(signed.principal.account)
        .await?
        .map(|k| k.to_hex());
    let seats = p
        .committee_seats(&signed.principal)
        .await?
        .into_iter()
        .map(|s| {
            let id = s.tender.id.to_string();
            Seat {
                value: typed
                    .filter(|(t, _)| *t == id)
                    .map(|(_, v)| v.to_owned())
                    .unwrap_or_default(),
                title: s.tender.title,
                member_index: s.member_index,
                threshold: s.threshold,
                opening: when(s.opening_at),
                status: ctx.t(&format!("procurement-status-{}", s.tender.status.as_str())),
                released: s.released,
                open_for_release: s.tender.status == TenderStatus::Closed && now >= s.opening_at,
                id,
            }
        })
        .collect();
    Ok(SeatsPage {
        ctx,
        key,
        seats,
        released,
        errors,
    })
}

#[derive(Deserialize)]
pub struct SeatsQuery {
    #[serde(default)]
    released: String,
}

/// `GET /procurement/committee`: the member's key and seats.
pub async fn seats(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    crate::extract::Query(q): crate::extract::Query<SeatsQuery>,
) -> Result<Response, WebError> {
    officials_only(&signed)?;
    let page = seats_page(
        &state,
        ctx,
        &signed,
        None,
        !q.released.is_empty(),
        Vec::new(),
    )
    .await?;
    render(&page)
}

#[derive(Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    share: String,
}

fn share_of(text: &str) -> Option<KeyShare> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = crate::api::procurement::hex_bytes(&t)?;
    KeyShare::from_bytes(&bytes).ok()
}

/// `POST /procurement/committee/tenders/{id}/share`: releases the pasted share (audited).
pub async fn release(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(form): PageForm<ShareForm>,
) -> Result<Response, WebError> {
    officials_only(&signed)?;
    let tender: TenderId = id.parse().map_err(|_| WebError::NotFound)?;
    let field = format!("share-{tender}");
    let errors = match share_of(&form.share) {
        None => shown(
            &ctx,
            &[FieldError::new(field.clone(), "procurement-error-share")],
        ),
        Some(share) => match state
            .procurement()
            .release_share(&signed.principal, tender, &share)
            .await
        {
            Ok(()) => return Ok(see_other("/procurement/committee?released=1")),
            Err(ProcurementError::NotFound) => return Err(WebError::NotFound),
            Err(
                e @ (ProcurementError::Forbidden(_)
                | ProcurementError::TooEarly(_)
                | ProcurementError::Transition { .. }),
            ) => {
                // Not on this committee at all: the tender's seat does not exist for them.
                let seated = state
                    .procurement()
                    .committee_seats(&signed.principal)
                    .await?
                    .iter()
                    .any(|s| s.tender.id == tender);
                if !seated {
                    return Err(WebError::NotFound);
                }
                vec![ShownError {
                    field: field.clone(),
                    message: format!(
                        "{} {}",
                        problem_text(ctx.tr(), e.code(), "title"),
                        problem_text(ctx.tr(), e.code(), "detail")
                    ),
                }]
            }
            Err(e) => return Err(e.into()),
        },
    };
    let typed = tender.to_string();
    let page = seats_page(
        &state,
        ctx,
        &signed,
        Some((typed.as_str(), form.share.as_str())),
        false,
        errors,
    )
    .await?;
    render_invalid(&page)
}

#[derive(Template)]
#[template(path = "procurement_member_key.html")]
struct KeyPage {
    ctx: PageCtx,
    current: Option<String>,
    public_key: String,
    saved: bool,
    errors: Vec<ShownError>,
}

impl KeyPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// `GET /procurement/committee/key`
pub async fn key_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    crate::extract::Query(q): crate::extract::Query<SeatsQuery>,
) -> Result<Response, WebError> {
    officials_only(&signed)?;
    let current = state
        .procurement()
        .member_key(signed.principal.account)
        .await?
        .map(|k| k.to_hex());
    render(&KeyPage {
        ctx,
        current,
        public_key: String::new(),
        saved: !q.released.is_empty(),
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    public_key: String,
}

/// `POST /procurement/committee/key`: registers (or replaces) the member's public key.
pub async fn register_key(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    PageForm(form): PageForm<KeyForm>,
) -> Result<Response, WebError> {
    officials_only(&signed)?;
    let p = state.procurement();
    let errors = match MemberPublicKey::from_hex(form.public_key.trim()) {
        Ok(key) => match p.register_member_key(&signed.principal, key).await {
            Ok(()) => return Ok(see_other("/procurement/committee/key?released=saved")),
            Err(ProcurementError::Forbidden(_)) => return Err(WebError::NotFound),
            Err(e) => return Err(e.into()),
        },
        Err(_) => shown(
            &ctx,
            &[FieldError::new(
                "public_key",
                "procurement-error-member-key",
            )],
        ),
    };
    let current = p
        .member_key(signed.principal.account)
        .await?
        .map(|k| k.to_hex());
    render_invalid(&KeyPage {
        ctx,
        current,
        public_key: form.public_key,
        saved: false,
        errors,
    })
}
