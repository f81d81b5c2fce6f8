//! Traveller enrolment for the automated gates and list imports over HTTP.
//!
//! Travellers who must enrol (foreigners, not nationals of a self-service state) pre-register
//! online without an account: the passport's MRZ, a contact and their consent. The answer
//! carries an access code (an HMAC of the enrolment id under the platform secret) with which
//! the traveller reads the enrolment again; officials read it with their token. A border
//! officer completes it at the desk with the chip's EF.SOD and DG1 (passively authenticated
//! against the trust store, DG1 must be the pre-registered MRZ) and biometric template
//! references for the matcher (sealed before storing). Officers suspend, reinstate and revoke.
//!
//! Border administrators import watchlists (UN XML, national CSV), the lost/stolen list, the
//! visa table and the visa waiver table as the CLI does. These uploads have their own body
//! limit (`border.list_body_limit_bytes`), set by the edge for these routes only.

use crate::api::border::{BORDER_AGENCY, border_error, border_of, plain_id, plain_text};
use crate::auth::{Auth, Bearer};
use crate::context::RequestContext;
use crate::error::{ProblemDocument, WebError};
use crate::extract::{ApiJson, Query, RawBody};
use crate::state::AppState;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use dasan_border::gate::{ChipCheckOutcome, ChipFiles, Modality};
use dasan_border::store::{
    BiometricReference, BorderError, DeskCapture, EnrolmentRecord, EnrolmentState, ListInfo,
    PreRegistration,
};
use dasan_identity::ratelimit::{self, Key, Limit};
use dasan_identity::{Permission, Principal, Scope};
use dasan_kernel::Actor;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// The header carrying a traveller's access code.
pub const ACCESS_CODE_HEADER: &str = "dasan-enrolment-code";

/// Longest MRZ accepted (TD1 is 3 × 30, TD3 2 × 44, with separators and spaces to spare).
const MAX_MRZ: usize = 200;

/// Pre-registrations per address: 20 an hour, then a minute, doubling to an hour.
pub const PRE_REGISTRATIONS: Limit = Limit {
    free_failures: 20,
    base_delay_secs: 60,
    max_delay_secs: 3600,
    window_secs: 3600,
};

/// The access code of an enrolment: the traveller's proof that they pre-registered it.
pub fn access_code(state: &AppState, id: &str) -> String {
    state.csrf().token(&format!("border-enrolment-access:{id}"))
}

fn access_code_ok(state: &AppState, id: &str, code: &str) -> bool {
    state
        .csrf()
        .verify(&format!("border-enrolment-access:{id}"), code.trim())
}

fn unb64(field: &str, text: &str) -> Result<Vec<u8>, WebError> {
    use base64::Engine;
    let compact: String = text.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| WebError::from_problem(&BorderError::invalid(field, "border-error-base64")))
}

fn text_of<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn forbidden() -> WebError {
    WebError::new(StatusCode::FORBIDDEN, "forbidden")
}

fn second_factor(principal: &Principal) -> Result<(), WebError> {
    if principal.needs_second_factor() {
        Err(WebError::new(
            StatusCode::FORBIDDEN,
            "second-factor-required",
        ))
    } else {
        Ok(())
    }
}

/// An official who decides at some port (officers, administrators).
pub fn is_border_official(principal: &Principal) -> bool {
    principal.permissions().contains(&Permission::BorderDecide)
}

/// A border administrator (of the whole agency).
pub fn is_border_admin(principal: &Principal) -> bool {
    principal.has(Permission::BorderManage, Scope::Agency(BORDER_AGENCY))
}

fn require_official(principal: &Principal) -> Result<(), WebError> {
    second_factor(principal)?;
    if is_border_official(principal) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

fn require_admin(principal: &Principal) -> Result<(), WebError> {
    second_factor(principal)?;
    if is_border_admin(principal) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

/// A stored biometric reference (the reference itself is never shown).
#[derive(Serialize, utoipa::ToSchema)]
pub struct BiometricDoc {
    /// `face` or `fingerprint`.
    pub modality: String,
    /// The matcher that understands the reference.
    pub matcher: String,
}

/// An enrolment for the automated gates.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EnrolmentDoc {
    pub id: String,
    /// `pending` (the desk step is due), `active`, `suspended` or `revoked`.
    #[schema(pattern = "^(pending|active|suspended|revoked)$")]
    pub state: String,
    pub issuing_state: String,
    pub document_number: String,
    pub nationality: String,
    pub surname: String,
    pub given_names: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// The passport's expiry, `YYYY-MM-DD`.
    pub document_expiry: String,
    pub contact: String,
    /// The consent text the traveller agreed to.
    pub consent_version: String,
    /// Microseconds since the epoch.
    pub consent_at: i64,
    /// Passive authentication at the desk: `valid`, `not_anchored`, ... (after the desk step).
    pub passive_authentication: Option<String>,
    /// The last day the enrolment is in force (set at the desk): the passport's expiry or the
    /// configured number of years, whichever comes first.
    pub valid_until: Option<String>,
    pub created_at: i64,
    pub completed_at: Option<i64>,
    /// Why it was suspended or revoked.
    pub status_reason: Option<String>,
    pub biometrics: Vec<BiometricDoc>,
    /// Changes with every change of the enrolment.
    pub version: i64,
    /// Only in the answer to a pre-registration: the code with which the traveller reads the
    /// enrolment again (header `Dasan-Enrolment-Code`). Keep it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_code: Option<String>,
}

pub fn enrolment_doc(r: EnrolmentRecord) -> EnrolmentDoc {
    EnrolmentDoc {
        state: text_of(&r.state),
        birth_date: r.birth_date.to_string(),
        document_expiry: r.document_expiry.to_string(),
        consent_at: r.consent_at.as_micros(),
        passive_authentication: r
            .passive_authentication
            .as_ref()
            .map(|p| text_of(&p.verdict)),
        valid_until: r.valid_until.map(|d| d.to_string()),
        created_at: r.created_at.as_micros(),
        completed_at: r.completed_at.map(|t| t.as_micros()),
        biometrics: r
            .biometrics
            .iter()
            .map(|(m, matcher)| BiometricDoc {
                modality: text_of(m),
                matcher: matcher.clone(),
            })
            .collect(),
        id: r.id,
        issuing_state: r.issuing_state,
        document_number: r.document_number,
        nationality: r.nationality,
        surname: r.surname,
        given_names: r.given_names,
        contact: r.contact,
        consent_version: r.consent_version,
        status_reason: r.status_reason,
        version: r.version,
        access_code: None,
    }
}

/// Online pre-registration.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreRegistrationDoc {
    /// The passport's machine-readable zone, lines separated by `\n`.
    #[schema(min_length = 1, max_length = 200)]
    pub mrz: String,
    /// An e-mail address or phone number for the desk appointment.
    #[schema(min_length = 1, max_length = 200)]
    pub contact: String,
    /// The traveller agrees to the processing described in the consent text.
    pub consent: bool,
    /// The version of the consent text agreed to (the one in force, e.g. `ses-consent-1`).
    #[schema(min_length = 1, max_length = 100)]
    pub consent_version: String,
}

/// Pre-register a traveller for the automated gates.
///
/// No account is needed. The MRZ must read with valid check digits; the traveller must be
/// eligible by the configured rules (nationality, age, an unexpired passport) and agree to the
/// consent text in force. Nationals of self-service states do not enrol (403
/// `enrolment-not-required`). The answer's `access_code` lets the traveller read the enrolment
/// again. Limited per address (429 with `Retry-After`).
#[utoipa::path(
    post,
    path = "/api/v1/border/enrolments",
    tag = "border",
    request_body = PreRegistrationDoc,
    responses(
        (status = 201, description = "Pre-registered; the desk step is due", body = EnrolmentDoc),
        (status = 400, description = "The body is not JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not eligible (`not-eligible`), or a national who uses the gates without enrolling (`enrolment-not-required`)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 408, description = "The body did not arrive in time", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "This passport is already enrolled or pre-registered", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No consent, an outdated consent version, an unreadable MRZ or contact; `errors` says which", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many pre-registrations from this address; retry after `Retry-After` seconds", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The border service is not available", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn pre_register(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ctx: RequestContext,
    ApiJson(body): ApiJson<PreRegistrationDoc>,
) -> Result<Response, WebError> {
    let record = pre_register_as(
        &state,
        &addr.ip().to_string(),
        Actor::anonymous(Some(ctx.request_id.clone())),
        body,
    )
    .await?;
    let id = record.id.clone();
    let mut doc = enrolment_doc(record);
    doc.access_code = Some(access_code(&state, &id));
    let mut response = (StatusCode::CREATED, Json(doc)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/border/enrolments/{id}")) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// Pre-registration shared by the API and the page: counted against the address's limit
/// whatever the outcome (a public write).
pub async fn pre_register_as(
    state: &AppState,
    ip: &str,
    actor: Actor,
    body: PreRegistrationDoc,
) -> Result<EnrolmentRecord, WebError> {
    let border = border_of(state)?;
    let key = Key::ip("border-enrol", ip);
    ratelimit::check(state.db(), &key, state.db().clock().now()).await?;
    let mut tx = state
        .db()
        .begin_bookkeeping("border enrolment: a pre-registration from this address")
        .await?;
    ratelimit::record_failure(&mut tx, &key, PRE_REGISTRATIONS).await?;
    tx.commit().await?;
    if body.mrz.len() > MAX_MRZ {
        return Err(WebError::from_problem(&BorderError::invalid(
            "mrz",
            "border-error-mrz",
        )));
    }
    let pre = PreRegistration {
        // Lines may arrive with CR LF (forms) or padded: the parser takes `\n`.
        mrz: body
            .mrz
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        contact: body.contact,
        consent_version: body.consent_version,
        consent_given: body.consent,
    };
    border.pre_register(actor, pre).await.map_err(border_error)
}

/// Read an enrolment: the traveller with the access code they were given
/// (`Dasan-Enrolment-Code`), or a border official with a token.
#[utoipa::path(
    get,
    path = "/api/v1/border/enrolments/{id}",
    tag = "border",
    security((), ("bearer" = [])),
    params(
        ("id" = String, Path, description = "The enrolment's id"),
        ("Dasan-Enrolment-Code" = Option<String>, Header, description = "The access code given at pre-registration (travellers)"),
    ),
    responses(
        (status = 200, description = "The enrolment", body = EnrolmentDoc),
        (status = 401, description = "Neither a valid access code nor a valid token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "A token without border.decide permission", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such enrolment", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The border service is not available", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn enrolment(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<EnrolmentDoc>, WebError> {
    let border = border_of(&state)?;
    let code = headers
        .get(ACCESS_CODE_HEADER)
        .and_then(|v| v.to_str().ok());
    let by_code = plain_id(&id) && code.is_some_and(|c| access_code_ok(&state, &id, c));
    if !by_code {
        if auth.bearer_invalid {
            return Err(WebError::new(StatusCode::UNAUTHORIZED, "invalid-token"));
        }
        let principal = auth
            .bearer
            .as_ref()
            .ok_or(WebError::new(StatusCode::UNAUTHORIZED, "unauthenticated"))?;
        require_official(principal)?;
        if !plain_id(&id) {
            return Err(WebError::NotFound);
        }
    }
    Ok(Json(enrolment_doc(
        border.enrolment(&id).await.map_err(border_error)?,
    )))
}

/// The chip files read at the desk.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeskChipDoc {
    /// EF.SOD, base64.
    #[schema(min_length = 1, max_length = 65536)]
    pub sod: String,
    /// DG1 (the MRZ on the chip), base64.
    #[schema(min_length = 1, max_length = 4096)]
    pub dg1: String,
}

/// One biometric template reference for the pluggable matcher.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BiometricReferenceDoc {
    /// `face` or `fingerprint` (one reference per modality).
    #[schema(pattern = "^(face|fingerprint)$")]
    pub modality: String,
    /// The matcher that understands the reference, e.g. `vendor-face-5.2`.
    #[schema(min_length = 1, max_length = 100)]
    pub matcher: String,
    /// The template reference (a handle or template bytes), base64; at most 64 KiB decoded.
    /// Sealed before it is stored.
    #[schema(min_length = 1, max_length = 90000)]
    pub reference: String,
}

/// The desk step.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletionDoc {
    pub chip: DeskChipDoc,
    /// The desk reader's active authentication: `passed`, `failed`, `not_supported` or
    /// `not_performed`.
    #[schema(pattern = "^(passed|failed|not_supported|not_performed)$")]
    pub active_authentication: String,
    /// At least one, one per modality.
    #[schema(min_items = 1, max_items = 2)]
    pub biometrics: Vec<BiometricReferenceDoc>,
}

fn invalid(field: &str, message: &'static str) -> WebError {
    WebError::from_problem(&BorderError::invalid(field, message))
}

fn desk_capture(body: CompletionDoc) -> Result<DeskCapture, WebError> {
    let active_authentication = match body.active_authentication.as_str() {
        "passed" => ChipCheckOutcome::Passed,
        "failed" => ChipCheckOutcome::Failed,
        "not_supported" => ChipCheckOutcome::NotSupported,
        "not_performed" => ChipCheckOutcome::NotPerformed,
        _ => {
            return Err(invalid(
                "active_authentication",
                "border-error-active-authentication",
            ));
        }
    };
    let sod = unb64("chip.sod", &body.chip.sod)?;
    let dg1 = unb64("chip.dg1", &body.chip.dg1)?;
    if sod.is_empty() {
        return Err(invalid("chip.sod", "border-error-base64"));
    }
    if dg1.is_empty() {
        return Err(invalid("chip.dg1", "border-error-dg1-required"));
    }
    let mut biometrics = Vec::with_capacity(body.biometrics.len());
    for (i, b) in body.biometrics.into_iter().enumerate() {
        let field = format!("biometrics[{i}]");
        let modality = match b.modality.as_str() {
            "face" => Modality::Face,
            "fingerprint" => Modality::Fingerprint,
            _ => return Err(invalid(&field, "border-error-modality")),
        };
        if !plain_text(&b.matcher) || b.matcher.contains(['\n', '\r', '\t']) {
            return Err(invalid(&field, "border-error-matcher"));
        }
        biometrics.push(BiometricReference {
            modality,
            matcher: b.matcher.trim().to_owned(),
            reference: unb64(&field, &b.reference)?,
        });
    }
    Ok(DeskCapture {
        chip: ChipFiles {
            sod,
            data_groups: [(1u8, dg1)].into_iter().collect(),
        },
        active_authentication,
        biometrics,
    })
}

/// Complete an enrolment at the desk (border officers).
///
/// The chip's EF.SOD and DG1 are passively authenticated against the trust store and DG1 must
/// be the pre-registered MRZ (otherwise 400 `document-not-authentic`, nothing stored); the
/// biometric references are sealed; the enrolment is in force until the passport expires or
/// the configured number of years, whichever comes first.
#[utoipa::path(
    post,
    path = "/api/v1/border/enrolments/{id}/completion",
    tag = "border",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The enrolment's id")),
    request_body = CompletionDoc,
    responses(
        (status = 200, description = "Completed: the enrolment is active", body = EnrolmentDoc),
        (status = 400, description = "The body is not JSON, or the chip is not authentic or not the pre-registered passport (`document-not-authentic`)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "No border.decide permission", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such enrolment", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 408, description = "The body did not arrive in time", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Not pending (completed, suspended or revoked), or changed meanwhile", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Bad base64, no DG1, no or duplicate biometric references; `errors` says which", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The border service is not available", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn complete(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    ctx: RequestContext,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CompletionDoc>,
) -> Result<Json<EnrolmentDoc>, WebError> {
    let border = border_of(&state)?;
    require_official(&principal)?;
    if !plain_id(&id) {
        return Err(WebError::NotFound);
    }
    // Unknown ids are 404 before the body is judged.
    border.enrolment(&id).await.map_err(border_error)?;
    let capture = desk_capture(body)?;
    Ok(Json(enrolment_doc(
        border
            .complete_enrolment(principal.actor(Some(ctx.request_id)), &id, capture)
            .await
            .map_err(border_error)?,
    )))
}

/// A change of state with its reason.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateChangeDoc {
    /// `suspended` (from active), `active` (reinstate, from suspended) or `revoked` (from any
    /// state but revoked).
    #[schema(pattern = "^(active|suspended|revoked)$")]
    pub state: String,
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Parses a requested state: `active`, `suspended` or `revoked`.
pub fn requested_state(s: &str) -> Option<EnrolmentState> {
    match s {
        "active" => Some(EnrolmentState::Active),
        "suspended" => Some(EnrolmentState::Suspended),
        "revoked" => Some(EnrolmentState::Revoked),
        _ => None,
    }
}

/// Suspend, reinstate or revoke an enrolment, with a reason (border officers and
/// administrators). A suspended or revoked enrolment sends the traveller to an officer at the
/// gate.
#[utoipa::path(
    post,
    path = "/api/v1/border/enrolments/{id}/state",
    tag = "border",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The enrolment's id")),
    request_body = StateChangeDoc,
    responses(
        (status = 200, description = "Changed", body = EnrolmentDoc),
        (status = 400, description = "The body is not JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "No border.decide permission", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such enrolment", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 408, description = "The body did not arrive in time", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Not possible from the current state, or changed meanwhile", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An unknown state or no reason", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The border service is not available", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn set_state(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    ctx: RequestContext,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StateChangeDoc>,
) -> Result<Json<EnrolmentDoc>, WebError> {
    let border = border_of(&state)?;
    require_official(&principal)?;
    if !plain_id(&id) {
        return Err(WebError::NotFound);
    }
    border.enrolment(&id).await.map_err(border_error)?;
    let to = requested_state(&body.state)
        .ok_or_else(|| invalid("state", "border-error-enrolment-state"))?;
    if !plain_text(&body.reason) || body.reason.len() > 2000 {
        return Err(invalid("reason", "border-error-reason-required"));
    }
    Ok(Json(enrolment_doc(
        border
            .set_enrolment_state(principal.actor(Some(ctx.request_id)), &id, to, &body.reason)
            .await
            .map_err(border_error)?,
    )))
}

/// An imported list or table.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ListDoc {
    /// `un`, `national`, `lost-stolen`, `visas` or `waivers`.
    pub kind: String,
    /// The list's key: `un`, `national:<name>`, `lost-stolen:<name>`, `visas`, `waivers`.
    pub list_key: String,
    pub name: String,
    /// The version the importer gave.
    pub version: String,
    /// SHA-256 of the imported file (lists).
    pub digest: Option<String>,
    /// Entries (rows) stored.
    pub entries: i64,
    /// Values the importer dropped or records it skipped (lists).
    pub issues: Option<i64>,
    /// Microseconds since the epoch (lists).
    pub imported_at: Option<i64>,
    /// The account that imported it (lists; null: the platform itself, such as the demo or a
    /// command run on the server, and for tables).
    #[schema(format = Uuid)]
    pub imported_by: Option<String>,
}

fn kind_name(info: &ListInfo) -> &'static str {
    match info.kind {
        dasan_border::store::ListKind::Un => "un",
        dasan_border::store::ListKind::National => "national",
        dasan_border::store::ListKind::LostStolen => "lost-stolen",
    }
}

pub fn list_doc(info: ListInfo) -> ListDoc {
    ListDoc {
        kind: kind_name(&info).to_owned(),
        list_key: info.list_key,
        name: info.name,
        version: info.version,
        digest: Some(info.digest),
        entries: info.entry_count,
        issues: Some(info.issue_count),
        imported_at: Some(info.imported_at.as_micros()),
        imported_by: info.imported_by,
    }
}

/// The lists in force.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ListsDoc {
    pub lists: Vec<ListDoc>,
}

/// The imported watchlists and lost/stolen lists (border officials).
#[utoipa::path(
    get,
    path = "/api/v1/border/lists",
    tag = "border",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The lists in force", body = ListsDoc),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "No border.decide permission", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The border service is not available", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn lists(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
) -> Result<Json<ListsDoc>, WebError> {
    let border = border_of(&state)?;
    require_official(&principal)?;
    let lists = border.lists().await.map_err(border_error)?;
    Ok(Json(ListsDoc {
        lists: lists.into_iter().map(list_doc).collect(),
    }))
}

/// Which list to import and under what name.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The list's name (required for `national` and `lost-stolen`, e.g. `KOR-MOJ`, `SLTD`).
    pub name: Option<String>,
    /// The file's version (default: today's date).
    pub version: Option<String>,
}

/// The kinds of file a border administrator imports.
pub const LIST_KINDS: &[&str] = &["un", "national", "lost-stolen", "visas", "waivers"];

/// Imports a file of `kind` (shared by the API and the page).
pub async fn import_list(
    state: &AppState,
    actor: Actor,
    kind: &str,
    name: Option<&str>,
    version: Option<&str>,
    bytes: &[u8],
) -> Result<ListDoc, WebError> {
    let border = border_of(state)?;
    let today = dasan_border::CalendarDate::from_unix_micros(state.db().clock().now().as_micros())
        .map(|d| d.to_string())
        .unwrap_or_else(|| "1".into());
    let version = version
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or(&today)
        .to_owned();
    if !plain_text(&version) {
        return Err(invalid("version", "border-error-label"));
    }
    let need_name = || {
        name.map(str::trim)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| invalid("name", "border-error-label"))
    };
    let table = |kind: &str, rows: usize| ListDoc {
        kind: kind.to_owned(),
        list_key: kind.to_owned(),
        name: kind.to_owned(),
        version: version.clone(),
        digest: None,
        entries: i64::try_from(rows).unwrap_or(i64::MAX),
        issues: None,
        imported_at: None,
        imported_by: None,
    };
    Ok(match kind {
        "un" => list_doc(
            border
                .import_un_list(actor, &version, bytes)
                .await
                .map_err(border_error)?,
        ),
        "national" => list_doc(
            border
                .import_national_list(actor, need_name()?, &version, bytes)
                .await
                .map_err(border_error)?,
        ),
        "lost-stolen" => list_doc(
            border
                .import_lost_stolen(actor, need_name()?, &version, bytes)
                .await
                .map_err(border_error)?,
        ),
        "visas" => table(
            "visas",
            border
                .import_visas(actor, &version, bytes)
                .await
                .map_err(border_error)?,
        ),
        "waivers" => table(
            "waivers",
            border
                .import_visa_waivers(actor, &version, bytes)
                .await
                .map_err(border_error)?,
        ),
        _ => return Err(WebError::NotFound),
    })
}

/// Import (replacing) a list or table (border administrators).
///
/// The body is the file as published: `un` the UN Security Council consolidated list XML,
/// `national` and `lost-stolen` CSV (give `name`), `visas` and `waivers` CSV. Gates on every
/// node decide with the new list within `border.refresh_interval_secs`; this node at once.
/// Bodies up to `border.list_body_limit_bytes` (16 MiB by default) are accepted here.
#[utoipa::path(
    put,
    path = "/api/v1/border/lists/{kind}",
    tag = "border",
    security(("bearer" = [])),
    params(
        ("kind" = String, Path, description = "`un`, `national`, `lost-stolen`, `visas` or `waivers`"),
        ImportParams,
    ),
    request_body(content = crate::api::procurement::FileBytes, description = "The file (XML or CSV)", content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "Imported", body = ListDoc),
        (status = 400, description = "The file cannot be imported (`import-failed`), or bad parameters", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "No border.manage permission for the border agency", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such kind of list", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 408, description = "The body did not arrive in time", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than `border.list_body_limit_bytes`", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A missing or unusable name or version", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The border service is not available", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn import(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    ctx: RequestContext,
    Path(kind): Path<String>,
    Query(params): Query<ImportParams>,
    RawBody(body): RawBody,
) -> Result<Json<ListDoc>, WebError> {
    border_of(&state)?;
    require_admin(&principal)?;
    if !LIST_KINDS.contains(&kind.as_str()) {
        return Err(WebError::NotFound);
    }
    Ok(Json(
        import_list(
            &state,
            principal.actor(Some(ctx.request_id)),
            &kind,
            params.name.as_deref(),
            params.version.as_deref(),
            &body,
        )
        .await?,
    ))
}

/// Whether a request is a list upload (its own body limit).
pub fn is_list_upload(method: &axum::http::Method, path: &str) -> bool {
    (*method == axum::http::Method::PUT && path.starts_with("/api/v1/border/lists/"))
        || (*method == axum::http::Method::POST && path == "/border/lists")
}
