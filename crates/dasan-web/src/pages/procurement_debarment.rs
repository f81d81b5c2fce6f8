//! Debarment by a procuring official: find a registered supplier by its business registration
//! number, debar it (reason, from, until) and lift a debarment the official's agency decided.
//! Only officials holding `procurement.manage` in their agency — the check
//! `Procurement::debar` makes — find these pages (404 for anyone else). The supplier's bank
//! account and contacts are not shown: the decision does not need them.

use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::auth::Signed;
use crate::error::WebError;
use crate::extract::{PageForm, Query};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use dasan_kernel::{FieldError, Timestamp};
use dasan_procurement::{DebarmentId, ProcurementError, Supplier};
use dasan_registry::BusinessId;
use serde::Deserialize;

fn when(t: Timestamp) -> String {
    super::account::when(t)
}

/// Not an official with procurement duties: the page does not exist for them.
fn hide_forbidden(e: ProcurementError) -> WebError {
    match e {
        ProcurementError::Forbidden(_) => WebError::NotFound,
        other => other.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Finding a supplier

#[derive(Template)]
#[template(path = "procurement_debar_find.html")]
struct FindPage {
    ctx: PageCtx,
    number: String,
    errors: Vec<ShownError>,
}

impl FindPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

#[derive(Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    number: String,
}

/// `GET /procurement/office/suppliers[?number=…]`: the look-up form, or the supplier found.
pub async fn find(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Query(q): Query<FindQuery>,
) -> Result<Response, WebError> {
    let p = state.procurement();
    p.debarring_agency(&signed.principal)
        .map_err(hide_forbidden)?;
    let number = q.number.trim();
    if number.is_empty() {
        return render(&FindPage {
            ctx,
            number: String::new(),
            errors: Vec::new(),
        });
    }
    let message = match p
        .supplier_by_number_for_official(&signed.principal, number)
        .await
    {
        Ok(s) => {
            return Ok(see_other(&format!(
                "/procurement/office/suppliers/{}",
                s.business_id
            )));
        }
        Err(ProcurementError::NotFound) => "procurement-error-supplier-number",
        Err(e) => return Err(hide_forbidden(e)),
    };
    let errors = shown(&ctx, &[FieldError::new("number", message)]);
    render_invalid(&FindPage {
        ctx,
        number: number
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect(),
        errors,
    })
}

// ---------------------------------------------------------------------------------------------
// One supplier: its debarments, the debarment form, and lifting

struct Row {
    id: String,
    agency: String,
    from: String,
    until: String,
    reason: String,
    in_force: bool,
    lifted: Option<(String, String)>,
    /// Decided by the official's agency and not lifted: they may lift it.
    liftable: bool,
    /// What was typed in its lift form (shown again on an error).
    lift_reason: String,
}

#[derive(Template)]
#[template(path = "procurement_debar.html")]
struct SupplierPage {
    ctx: PageCtx,
    supplier: Supplier,
    agency: String,
    rows: Vec<Row>,
    debarred_now: bool,
    reason: String,
    from: String,
    until: String,
    notice: Option<String>,
    errors: Vec<ShownError>,
}

impl SupplierPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

#[derive(Default)]
struct Typed {
    reason: String,
    from: Option<String>,
    until: String,
    lift: Option<(String, String)>,
}

async fn supplier_page(
    state: &AppState,
    ctx: PageCtx,
    signed: &Signed,
    business: BusinessId,
    typed: Typed,
    notice: Option<String>,
    errors: Vec<ShownError>,
) -> Result<SupplierPage, WebError> {
    let p = state.procurement();
    let supplier = p.supplier_for_official(&signed.principal, business).await?;
    let agency = p
        .debarring_agency(&signed.principal)
        .map_err(hide_forbidden)?;
    let now = state.db().clock().now();
    let rows: Vec<Row> = supplier
        .debarments
        .iter()
        .map(|d| {
            let id = d.id.to_string();
            Row {
                lift_reason: typed
                    .lift
                    .as_ref()
                    .filter(|(l, _)| *l == id)
                    .map(|(_, r)| r.clone())
                    .unwrap_or_default(),
                agency: d.agency.clone(),
                from: when(d.starts_at),
                until: d
                    .ends_at
                    .map(when)
                    .unwrap_or_else(|| ctx.t("procurement-supplier-until-lifted")),
                reason: d.reason.clone(),
                in_force: d.in_force(now),
                lifted: d
                    .lifted_at
                    .map(|l| (when(l), d.lift_reason.clone().unwrap_or_default())),
                liftable: d.lifted_at.is_none()
                    && d.agency == agency
                    && d.ends_at.is_none_or(|e| now < e),
                id,
            }
        })
        .collect();
    Ok(SupplierPage {
        debarred_now: rows.iter().any(|r| r.in_force),
        from: typed.from.unwrap_or_else(|| date_of(now)),
        until: typed.until,
        reason: typed.reason,
        supplier,
        agency,
        rows,
        notice,
        errors,
        ctx,
    })
}

fn date_of(t: Timestamp) -> String {
    t.to_jiff().strftime("%Y-%m-%d").to_string()
}

fn business_id(text: &str) -> Result<BusinessId, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

#[derive(Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    done: String,
}

/// `GET /procurement/office/suppliers/{business}`
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let notice = match q.done.as_str() {
        "debarred" => Some(ctx.t("procurement-debar-done")),
        "lifted" => Some(ctx.t("procurement-debar-lifted")),
        _ => None,
    };
    let page = supplier_page(
        &state,
        ctx,
        &signed,
        business_id(&id)?,
        Typed::default(),
        notice,
        Vec::new(),
    )
    .await?;
    render(&page)
}

/// Midnight UTC at the start of `date` (`YYYY-MM-DD`), `days` days later.
fn day_start(date: &str, days: i64) -> Option<Timestamp> {
    let d = date.trim().parse::<jiff::civil::Date>().ok()?;
    let d = d.checked_add(jiff::Span::new().days(days)).ok()?;
    let z = d.at(0, 0, 0, 0).to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(Timestamp::from_micros(z.timestamp().as_microsecond()))
}

#[derive(Deserialize)]
pub struct DebarForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
}

/// `POST /procurement/office/suppliers/{business}/debarments`: debars (audited).
pub async fn debar(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(form): PageForm<DebarForm>,
) -> Result<Response, WebError> {
    let business = business_id(&id)?;
    let p = state.procurement();
    // Only the officials who may debar get past this (404 otherwise).
    p.supplier_for_official(&signed.principal, business).await?;
    let mut fields = Vec::new();
    let starts_at = day_start(&form.from, 0);
    if starts_at.is_none() {
        fields.push(FieldError::new("from", "procurement-error-day"));
    }
    // The last day given is included: the debarment ends at the next midnight (UTC).
    let ends_at = if form.until.trim().is_empty() {
        Ok(None)
    } else {
        day_start(&form.until, 1).map(Some).ok_or(())
    };
    if ends_at.is_err() {
        fields.push(FieldError::new("until", "procurement-error-day"));
    }
    let errors = match (starts_at, ends_at) {
        (Some(starts_at), Ok(ends_at)) => {
            match p
                .debar(
                    &signed.principal,
                    business,
                    starts_at,
                    ends_at,
                    &form.reason,
                )
                .await
            {
                Ok(_) => {
                    return Ok(see_other(&format!(
                        "/procurement/office/suppliers/{business}?done=debarred"
                    )));
                }
                Err(ProcurementError::Invalid(fields)) => {
                    let moved: Vec<FieldError> = fields
                        .into_iter()
                        .map(|mut f| {
                            if f.field == "ends_at" {
                                f.field = "until".into();
                            }
                            f
                        })
                        .collect();
                    shown(&ctx, &moved)
                }
                Err(e) => return Err(hide_forbidden(e)),
            }
        }
        _ => shown(&ctx, &fields),
    };
    let typed = Typed {
        reason: form.reason,
        from: Some(form.from),
        until: form.until,
        lift: None,
    };
    let page = supplier_page(&state, ctx, &signed, business, typed, None, errors).await?;
    render_invalid(&page)
}

#[derive(Deserialize)]
pub struct LiftForm {
    #[serde(default)]
    reason: String,
}

/// `POST /procurement/office/suppliers/{business}/debarments/{debarment}/lift` (audited).
pub async fn lift(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path((id, debarment)): Path<(String, String)>,
    PageForm(form): PageForm<LiftForm>,
) -> Result<Response, WebError> {
    let business = business_id(&id)?;
    let p = state.procurement();
    let supplier = p.supplier_for_official(&signed.principal, business).await?;
    // Only a debarment of this supplier (the service checks the agency and that it is in force).
    let debarment: DebarmentId = debarment.parse().map_err(|_| WebError::NotFound)?;
    if !supplier.debarments.iter().any(|d| d.id == debarment) {
        return Err(WebError::NotFound);
    }
    let field = format!("lift-{debarment}");
    let errors = match p
        .lift_debarment(&signed.principal, debarment, &form.reason)
        .await
    {
        Ok(()) => {
            return Ok(see_other(&format!(
                "/procurement/office/suppliers/{business}?done=lifted"
            )));
        }
        Err(ProcurementError::Invalid(fields)) => {
            let moved: Vec<FieldError> = fields
                .into_iter()
                .map(|mut f| {
                    f.field = field.clone();
                    f
                })
                .collect();
            shown(&ctx, &moved)
        }
        Err(e) => return Err(hide_forbidden(e)),
    };
    let typed = Typed {
        lift: Some((debarment.to_string(), form.reason)),
        ..Typed::default()
    };
    let page = supplier_page(&state, ctx, &signed, business, typed, None, errors).await?;
    render_invalid(&page)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_whole_utc_days_and_until_is_inclusive() {
        let from = day_start("2026-03-01", 0).unwrap();
        let until = day_start("2026-03-01", 1).unwrap();
        assert_eq!(until.as_micros() - from.as_micros(), 86_400_000_000);
        assert!(day_start("01/03/2026", 0).is_none());
        assert!(day_start("", 0).is_none());
        assert!(day_start("9999-12-31", 1).is_none());
    }
}
