//! The border officers' console: the referral queue at a port, a referral with the
//! traveller's document, the reasons and the history, the officer's decision (admit /
//! secondary inspection / refuse, with a reason), and the overstay report.
//!
//! Officers hold `border.decide` in `KIS-{port}` (one port) or `KIS` (every port). Another
//! port's pages do not exist for them (404, never 403).

use super::{PageCtx, ShownError, error_for, render, render_invalid, see_other, shown};
use crate::api::border::{BORDER_AGENCY, border_of, may, plain_id, plain_text};
use crate::auth::Signed;
use crate::error::WebError;
use crate::extract::{PageForm, Query};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use dasan_border::CalendarDate;
use dasan_border::gate::Direction;
use dasan_border::store::{
    Border, BorderError, OfficerDecision, Referral, ReferralStatus, TravellerHistory,
};
use dasan_identity::{Permission, Principal};
use dasan_kernel::Timestamp;
use serde::{Deserialize, Serialize};

/// The serde name of a value (`"watchlist-hit"`, `"entry"`).
fn name_of(v: impl Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn when(t: Timestamp) -> String {
    super::account::when(t)
}

fn today(border: &Border) -> CalendarDate {
    CalendarDate::from_unix_micros(border.db().clock().now().as_micros()).unwrap_or(CalendarDate {
        year: 1970,
        month: 1,
        day: 1,
    })
}

fn port_ok(port: &str) -> bool {
    (1..=10).contains(&port.len())
        && port
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The ports an officer works at, from their grants (`KIS-ICN` → `ICN`); `None` when they
/// may see every port.
fn ports_of(principal: &Principal) -> Option<Vec<String>> {
    if may(principal, Permission::BorderDecide, None) {
        return None;
    }
    let prefix = format!("{BORDER_AGENCY}-");
    let mut ports: Vec<String> = principal
        .roles
        .iter()
        .filter_map(|g| g.scope.strip_prefix(&prefix).map(str::to_owned))
        .filter(|p| may(principal, Permission::BorderDecide, Some(p)))
        .collect();
    ports.sort();
    ports.dedup();
    Some(ports)
}

fn allowed(principal: &Principal, port: &str) -> Result<(), WebError> {
    if may(principal, Permission::BorderDecide, Some(port)) {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

#[derive(Template)]
#[template(path = "border_index.html")]
struct IndexPage {
    ctx: PageCtx,
    ports: Vec<String>,
    any_port: bool,
    admin: bool,
}

/// `GET /border`: the officer's ports.
pub async fn index(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
) -> Result<Response, WebError> {
    border_of(&state)?;
    let admin = crate::api::border_enrolment::is_border_admin(&signed.principal);
    match ports_of(&signed.principal) {
        Some(ports) if ports.is_empty() => Err(WebError::NotFound),
        Some(ports) if ports.len() == 1 => {
            Ok(see_other(&format!("/border/ports/{}/referrals", ports[0])))
        }
        Some(ports) => render(&IndexPage {
            ctx,
            ports,
            any_port: false,
            admin,
        }),
        None => render(&IndexPage {
            ctx,
            ports: Vec::new(),
            any_port: true,
            admin,
        }),
    }
}

#[derive(Deserialize)]
pub struct PortQuery {
    #[serde(default)]
    port: String,
}

/// `GET /border/ports?port=ICN`: the form on the index page for officers of every port.
pub async fn go_to_port(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<PortQuery>,
) -> Result<Response, WebError> {
    border_of(&state)?;
    let port = q.port.trim().to_ascii_uppercase();
    if !port_ok(&port) {
        return Ok(see_other("/border"));
    }
    allowed(&signed.principal, &port)?;
    Ok(see_other(&format!("/border/ports/{port}/referrals")))
}

/// A referral as a row of the queue.
struct QueueRow {
    id: String,
    created: String,
    direction: String,
    document: String,
    reasons: Vec<String>,
    status: String,
}

#[derive(Template)]
#[template(path = "border_queue.html")]
struct QueuePage {
    ctx: PageCtx,
    port: String,
    rows: Vec<QueueRow>,
    decided: bool,
    admin: bool,
}

fn reason_label(ctx: &PageCtx, code: &str) -> String {
    let id = format!("border-reason-{code}");
    if ctx.tr().catalog().has(&id) {
        ctx.t(&id)
    } else {
        code.to_owned()
    }
}

fn queue_row(ctx: &PageCtx, r: &Referral) -> QueueRow {
    QueueRow {
        id: r.id.clone(),
        created: when(r.created_at),
        direction: ctx.t(&format!("border-direction-{}", name_of(r.direction))),
        document: format!("{} {}", r.issuing_state, r.document_number),
        reasons: r
            .reason_codes
            .iter()
            .map(|c| reason_label(ctx, &name_of(c)))
            .collect(),
        status: ctx.t(&format!("border-status-{}", name_of(r.status))),
    }
}

#[derive(Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    decided: Option<String>,
}

/// `GET /border/ports/{port}/referrals`: the live queue (open and in secondary inspection).
pub async fn queue(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(port): Path<String>,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let border = border_of(&state)?;
    if !port_ok(&port) {
        return Err(WebError::NotFound);
    }
    allowed(&signed.principal, &port)?;
    let referrals = border.referral_queue(&port).await?;
    let rows = referrals.iter().map(|r| queue_row(&ctx, r)).collect();
    render(&QueuePage {
        ctx,
        port,
        rows,
        decided: q.decided.is_some(),
        admin: crate::api::border_enrolment::is_border_admin(&signed.principal),
    })
}

/// One line of the history.
struct HistoryLine {
    when: String,
    what: String,
}

struct ReasonView {
    label: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "border_referral.html")]
struct ReferralPage {
    ctx: PageCtx,
    referral: Referral,
    status: String,
    direction: String,
    document: Vec<(String, String)>,
    reasons: Vec<ReasonView>,
    history: Vec<HistoryLine>,
    open: bool,
    entry: bool,
    decision: String,
    reason: String,
    permitted_until: String,
    errors: Vec<ShownError>,
    conflict: bool,
}

impl ReferralPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn history_lines(ctx: &PageCtx, h: &TravellerHistory) -> Vec<HistoryLine> {
    let mut lines: Vec<(Timestamp, HistoryLine)> = Vec::new();
    for d in &h.decisions {
        let mut what = ctx.tr().with_args(
            "border-history-decision",
            [
                ("outcome", name_of(d.outcome).as_str()),
                ("gate", d.gate_id.as_str()),
                (
                    "direction",
                    ctx.t(&format!("border-direction-{}", name_of(d.direction)))
                        .as_str(),
                ),
            ],
        );
        if !d.reason_codes.is_empty() {
            let reasons: Vec<String> = d
                .reason_codes
                .iter()
                .map(|c| reason_label(ctx, &name_of(c)))
                .collect();
            what = format!("{what}: {}", reasons.join(", "));
        }
        lines.push((
            d.decided_at,
            HistoryLine {
                when: when(d.decided_at),
                what,
            },
        ));
    }
    for c in &h.crossings {
        lines.push((
            c.crossed_at,
            HistoryLine {
                when: when(c.crossed_at),
                what: ctx.tr().with_args(
                    "border-history-crossing",
                    [
                        (
                            "direction",
                            ctx.t(&format!("border-direction-{}", name_of(c.direction)))
                                .as_str(),
                        ),
                        ("port", c.port.as_str()),
                        ("via", ctx.t(&format!("border-via-{}", c.via)).as_str()),
                    ],
                ),
            },
        ));
    }
    for r in &h.referrals {
        if let (Some(at), ReferralStatus::Admitted | ReferralStatus::Refused) =
            (r.decided_at, r.status)
        {
            lines.push((
                at,
                HistoryLine {
                    when: when(at),
                    what: format!(
                        "{} — {}",
                        ctx.t(&format!("border-status-{}", name_of(r.status))),
                        r.decision_reason.clone().unwrap_or_default()
                    ),
                },
            ));
        }
    }
    for e in &h.enrolments {
        lines.push((
            e.created_at,
            HistoryLine {
                when: when(e.created_at),
                what: ctx.tw("border-history-enrolment", "state", name_of(e.state)),
            },
        ));
    }
    lines.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
    lines.into_iter().map(|(_, l)| l).collect()
}

async fn referral_page(
    state: &AppState,
    ctx: PageCtx,
    principal: &Principal,
    id: &str,
) -> Result<ReferralPage, WebError> {
    let border = border_of(state)?;
    if !plain_id(id) {
        return Err(WebError::NotFound);
    }
    let detail = match border.referral_detail(id).await {
        Ok(d) => d,
        Err(BorderError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    allowed(principal, &detail.referral.port)?;
    let r = &detail.referral;
    let history = border
        .traveller_history(&r.issuing_state, &r.document_number)
        .await
        .map(|h| history_lines(&ctx, &h))
        .unwrap_or_default();
    let mut document = Vec::new();
    if let Some(d) = &detail.document {
        let date = |d: Option<CalendarDate>| d.map(|d| d.to_string()).unwrap_or_default();
        document = vec![
            (ctx.t("border-doc-surname"), d.surname.clone()),
            (ctx.t("border-doc-given-names"), d.given_names.clone()),
            (ctx.t("border-doc-nationality"), d.nationality.clone()),
            (ctx.t("border-doc-birth-date"), date(d.birth_date)),
            (ctx.t("border-doc-type"), d.document_code.clone()),
            (ctx.t("border-doc-issuer"), d.issuer.clone()),
            (ctx.t("border-doc-number"), d.number.clone()),
            (ctx.t("border-doc-expiry"), date(d.expiry_date)),
        ];
    } else {
        document.push((
            ctx.t("border-doc-number"),
            format!("{} {}", r.issuing_state, r.document_number),
        ));
    }
    let reasons = detail
        .reasons
        .iter()
        .map(|x| ReasonView {
            label: reason_label(&ctx, &name_of(x.code)),
            detail: x.detail.clone(),
        })
        .collect();
    Ok(ReferralPage {
        status: ctx.t(&format!("border-status-{}", name_of(r.status))),
        direction: ctx.t(&format!("border-direction-{}", name_of(r.direction))),
        open: matches!(r.status, ReferralStatus::Open | ReferralStatus::Secondary),
        entry: r.direction == Direction::Entry,
        referral: detail.referral.clone(),
        document,
        reasons,
        history,
        decision: String::new(),
        reason: String::new(),
        permitted_until: String::new(),
        errors: Vec::new(),
        conflict: false,
        ctx,
    })
}

/// `GET /border/referrals/{id}`
pub async fn referral(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    render(&referral_page(&state, ctx, &signed.principal, &id).await?)
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    permitted_until: String,
    #[serde(default)]
    version: String,
}

/// `POST /border/referrals/{id}/decide`
pub async fn decide(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(form): PageForm<DecideForm>,
) -> Result<Response, WebError> {
    let border = border_of(&state)?.clone();
    let mut page = referral_page(&state, ctx, &signed.principal, &id).await?;
    let mut errors = Vec::new();
    let permitted_until = match form.permitted_until.trim() {
        "" => None,
        text => match CalendarDate::parse(text) {
            Some(d) => Some(d),
            None => {
                errors.push(dasan_kernel::FieldError::new(
                    "permitted_until",
                    "border-error-date",
                ));
                None
            }
        },
    };
    let decision = match form.decision.as_str() {
        "admit" => Some(OfficerDecision::Admit { permitted_until }),
        "secondary" => Some(OfficerDecision::Secondary),
        "refuse" => Some(OfficerDecision::Refuse),
        _ => {
            errors.push(dasan_kernel::FieldError::new(
                "decision",
                "border-error-decision-required",
            ));
            None
        }
    };
    if form.reason.trim().is_empty() || !plain_text(&form.reason) {
        errors.push(dasan_kernel::FieldError::new(
            "reason",
            "border-error-reason-required",
        ));
    }
    let version: i64 = form.version.parse().unwrap_or(-1);
    let result = match decision {
        Some(decision) if errors.is_empty() => {
            let mut actor = signed.principal.actor(Some(signed.request_id.clone()));
            actor.agency = signed.principal.agency.clone();
            border
                .decide_referral(actor, &id, version, decision, &form.reason)
                .await
        }
        _ => Err(BorderError::Invalid(errors)),
    };
    match result {
        Ok(r) => Ok(see_other(&format!(
            "/border/ports/{}/referrals?decided=1",
            r.port
        ))),
        Err(BorderError::Invalid(fields)) => {
            page.errors = shown(&page.ctx, &fields);
            page.decision = form.decision;
            page.reason = form.reason;
            page.permitted_until = form.permitted_until;
            render_invalid(&page)
        }
        Err(BorderError::Stale | BorderError::Transition { .. }) => {
            page.conflict = true;
            page.decision = form.decision;
            page.reason = form.reason;
            page.permitted_until = form.permitted_until;
            let mut response = render(&page)?;
            *response.status_mut() = axum::http::StatusCode::CONFLICT;
            response.extensions_mut().insert(crate::error::Rendered);
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

struct OverstayView {
    document: String,
    name: String,
    nationality: String,
    entered: String,
    until: String,
    exited: String,
    days: i64,
}

#[derive(Template)]
#[template(path = "border_overstays.html")]
struct OverstayPage {
    ctx: PageCtx,
    on: String,
    since: String,
    in_country: Vec<OverstayView>,
    departed: Vec<OverstayView>,
    errors: Vec<ShownError>,
}

impl OverstayPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

#[derive(Deserialize)]
pub struct OverstayQuery {
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    since: Option<String>,
}

/// `GET /border/overstays?on=YYYY-MM-DD&since=YYYY-MM-DD`: still in the country past the
/// permitted stay on `on`, and departed late since `since` (default: 90 days before).
pub async fn overstays(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Query(q): Query<OverstayQuery>,
) -> Result<Response, WebError> {
    let border = border_of(&state)?;
    if ports_of(&signed.principal).is_some_and(|p| p.is_empty()) {
        return Err(WebError::NotFound);
    }
    let mut errors = Vec::new();
    let mut date = |field: &str, text: Option<&str>, default: CalendarDate| match text
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => default,
        Some(t) => CalendarDate::parse(t).unwrap_or_else(|| {
            errors.push(dasan_kernel::FieldError::new(field, "border-error-date"));
            default
        }),
    };
    let today = today(border);
    let on = date("on", q.on.as_deref(), today);
    let default_since =
        CalendarDate::from_days_since_epoch(on.days_since_epoch() - 90).unwrap_or(on);
    let since = date("since", q.since.as_deref(), default_since);
    let report = border.overstay_report(on, since).await?;
    let view = |r: &dasan_border::store::OverstayRow| OverstayView {
        document: format!("{} {}", r.issuing_state, r.document_number),
        name: format!("{} {}", r.surname, r.given_names).trim().to_owned(),
        nationality: r.nationality.clone(),
        entered: r.entered_on.to_string(),
        until: r.permitted_until.to_string(),
        exited: r.exited_on.map(|d| d.to_string()).unwrap_or_default(),
        days: r.days_over,
    };
    let page = OverstayPage {
        in_country: report.in_country.iter().map(view).collect(),
        departed: report.departed_late.iter().map(view).collect(),
        on: on.to_string(),
        since: since.to_string(),
        errors: shown(&ctx, &errors),
        ctx,
    };
    if page.errors.is_empty() {
        render(&page)
    } else {
        render_invalid(&page)
    }
}
