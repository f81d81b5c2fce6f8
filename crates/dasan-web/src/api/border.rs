//! Smart border clearance over HTTP: gates post signed requests and get OPEN or REFER with
//! machine-readable reasons; officials read a decision and replay it; border administrators
//! register and revoke gate devices.
//!
//! A gate signs the request body exactly as it sends it: the signature (base64, standard
//! alphabet) covers `"dasan-gate-request-v1\n" || gate id || "\n" || body` and travels in the
//! `Dasan-Gate-Signature` header; the gate id is the path's `{gate}`. Ed25519 signatures are the
//! raw 64 bytes, ECDSA P-256 ones DER. The body is the JSON of a [`GateSubmissionDoc`].

use crate::auth::Bearer;
use crate::context::RequestContext;
use crate::error::{ProblemDocument, WebError};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dasan_border::gate::{Outcome, Reason};
use dasan_border::store::{
    Border, BorderError, GateDevice, NewGateDevice, RequestRefusal, SignedGateRequest,
};
use dasan_identity::{Permission, Principal, Scope};
use serde::{Deserialize, Serialize};

/// The header carrying a gate's signature over the body.
pub const SIGNATURE_HEADER: &str = "dasan-gate-signature";

/// The agency that runs the border; a port's officers are granted in `KIS-{port}`.
pub const BORDER_AGENCY: &str = "KIS";

/// The agency code of a port's officers.
pub fn port_agency(port: &str) -> String {
    format!("{BORDER_AGENCY}-{port}")
}

/// The border service, or 503 while it is not configured.
pub fn border_of(state: &AppState) -> Result<&Border, WebError> {
    state.border().ok_or(WebError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
    ))
}

/// Ids in paths: gates, decisions, referrals (letters, digits, `-`, `_`; at most 64). Anything
/// else cannot exist, and never reaches the database (PostgreSQL refuses NUL bytes).
pub fn plain_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Free text without control characters other than line breaks and tabs.
pub fn plain_text(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// `permission` for the whole border agency, or for this port.
pub fn may(principal: &Principal, permission: Permission, port: Option<&str>) -> bool {
    principal.has(permission, Scope::Agency(BORDER_AGENCY))
        || port.is_some_and(|p| principal.has(permission, Scope::Agency(&port_agency(p))))
}

fn require(
    principal: &Principal,
    permission: Permission,
    port: Option<&str>,
) -> Result<(), WebError> {
    if principal.needs_second_factor() {
        return Err(WebError::new(
            StatusCode::FORBIDDEN,
            "second-factor-required",
        ));
    }
    if may(principal, permission, port) {
        Ok(())
    } else {
        Err(WebError::new(StatusCode::FORBIDDEN, "forbidden"))
    }
}

/// `border.decide` at some port at least (before reading what names the port).
fn require_somewhere(principal: &Principal) -> Result<(), WebError> {
    if principal.needs_second_factor() {
        return Err(WebError::new(
            StatusCode::FORBIDDEN,
            "second-factor-required",
        ));
    }
    if principal.permissions().contains(&Permission::BorderDecide) {
        Ok(())
    } else {
        Err(WebError::new(StatusCode::FORBIDDEN, "forbidden"))
    }
}

/// Border errors at the edge: a replay that does not match is an answer (409), not a fault.
pub fn border_error(e: BorderError) -> WebError {
    match e {
        BorderError::ReplayMismatch(id) => {
            tracing::error!(decision = %id, "a stored border decision does not replay");
            WebError::new(StatusCode::CONFLICT, "decision-record-mismatch")
        }
        e => WebError::from_problem(&e),
    }
}

/// One reason to refer, for the gate's display and the officer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReasonDoc {
    /// Stable kebab-case code, e.g. `watchlist-hit`, `chip-data-invalid`, `document-expired`.
    pub code: String,
    /// The rule that gave it, e.g. `watchlist-clear`.
    pub rule: String,
    /// Words for the officer (not for the traveller's screen).
    pub detail: String,
}

fn reason_doc(r: &Reason) -> ReasonDoc {
    let text = |v: serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    ReasonDoc {
        code: text(serde_json::to_value(r.code).unwrap_or_default()),
        rule: text(serde_json::to_value(r.rule).unwrap_or_default()),
        detail: r.detail.clone(),
    }
}

fn outcome_str(o: Outcome) -> &'static str {
    match o {
        Outcome::Open => "OPEN",
        Outcome::Refer => "REFER",
    }
}

/// Microseconds the server spent per step.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TimingsDoc {
    /// The gate's key, signature and freshness.
    pub verify_us: u64,
    /// The traveller's facts from the database.
    pub lookup_us: u64,
    /// Passive authentication, screening and the rules.
    pub decide_us: u64,
    /// Writing the decision record (and referral or crossing) and committing it.
    pub store_us: u64,
    /// From receiving the request to the committed decision.
    pub total_us: u64,
}

/// The answer to a gate: OPEN, or REFER to an officer with every reason. Never a silent reject.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GateDecisionDoc {
    /// The stored decision (officials read and replay it).
    pub decision_id: String,
    /// `OPEN` or `REFER`.
    #[schema(pattern = "^(OPEN|REFER)$")]
    pub outcome: String,
    /// Why REFER (empty when OPEN).
    pub reasons: Vec<ReasonDoc>,
    /// The referral opened for an officer (REFER).
    pub referral_id: Option<String>,
    /// The entry or exit recorded (OPEN).
    pub crossing_id: Option<String>,
    pub timings: TimingsDoc,
}

/// Chip files read by the gate (hex).
#[allow(dead_code)]
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ChipFilesDoc {
    /// EF.SOD, hex.
    pub sod: String,
    /// Data groups by number, hex (at least `"1"`).
    #[schema(value_type = Object, example = json!({"1": "615b5f1f58..."}))]
    pub data_groups: serde_json::Value,
}

/// The gate's own chip check.
#[allow(dead_code)]
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ChipCheckDoc {
    /// `passed`, `failed`, `not_supported` or `not_performed`.
    pub active_authentication: String,
}

/// The gate's 1:1 biometric comparison (signed with the rest of the body).
#[allow(dead_code)]
#[derive(Deserialize, utoipa::ToSchema)]
pub struct BiometricDoc {
    /// `face` or `fingerprint`.
    pub modality: String,
    /// Matcher and version, e.g. `dasan-test-face-1`.
    pub algorithm: String,
    pub score: u32,
    pub threshold: u32,
    /// Ignored: the server sets it from the request signature.
    pub signature_verified: bool,
}

/// The request a gate makes.
#[allow(dead_code)]
#[derive(Deserialize, utoipa::ToSchema)]
pub struct GateRequestDoc {
    /// Must be the path's gate.
    pub gate_id: String,
    /// Must be the gate's registered port.
    pub port: String,
    /// `entry` or `exit`.
    pub direction: String,
    /// The MRZ as read from the data page, lines separated by `\n`.
    pub mrz: String,
    pub chip: Option<ChipFilesDoc>,
    pub chip_check: ChipCheckDoc,
    pub biometric: Option<BiometricDoc>,
}

/// What a gate signs and sends.
#[allow(dead_code)]
#[derive(Deserialize, utoipa::ToSchema)]
pub struct GateSubmissionDoc {
    pub request: GateRequestDoc,
    /// The gate's clock, microseconds since the Unix epoch (within the accepted skew).
    pub sent_at: i64,
    /// 16 to 128 characters of `[A-Za-z0-9_-]`, never used before by this gate.
    pub nonce: String,
}

/// Decide for one traveller at a gate.
///
/// Sign `"dasan-gate-request-v1\n" || gate || "\n" || body` with the gate's device key and send
/// the signature in base64 in `Dasan-Gate-Signature`. A request that is not authentic, fresh
/// and new is refused with a problem document (`gate-unknown-device`, `gate-device-revoked`,
/// `gate-bad-signature`, `gate-malformed-body`, `gate-device-mismatch`, `gate-stale-timestamp`,
/// `gate-replayed-nonce`) and nothing is stored: the gate retries or calls an officer.
#[utoipa::path(
    post,
    path = "/api/v1/border/gates/{gate}/decisions",
    tag = "border",
    params(
        ("gate" = String, Path, description = "The gate's registered id"),
        ("Dasan-Gate-Signature" = String, Header, description = "Base64 signature over the context, gate id and body"),
    ),
    request_body(content = GateSubmissionDoc, content_type = "application/json"),
    responses(
        (status = 201, description = "Decided and recorded: OPEN or REFER with reasons", body = GateDecisionDoc),
        (status = 400, description = "The body is not a gate request, or its time is outside the accepted skew", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "Unknown or revoked gate, missing or bad signature", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "The body names another gate or port", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The nonce was used before (a replayed request)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The border service is not available", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn decide(
    State(state): State<AppState>,
    Path(gate): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let border = border_of(&state)?;
    if !plain_id(&gate) {
        return Err(WebError::from_problem(&BorderError::Request(
            RequestRefusal::UnknownDevice,
        )));
    }
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(v.trim())
                .ok()
        })
        .ok_or_else(|| {
            WebError::from_problem(&BorderError::Request(RequestRefusal::BadSignature))
        })?;
    let signed = SignedGateRequest {
        gate_id: gate,
        body: body.to_vec(),
        signature,
    };
    let out = border.gate_decide(&signed).await.map_err(border_error)?;
    let doc = GateDecisionDoc {
        outcome: outcome_str(out.outcome).to_owned(),
        reasons: out.reasons.iter().map(reason_doc).collect(),
        referral_id: out.referral_id,
        crossing_id: out.crossing_id,
        timings: TimingsDoc {
            verify_us: out.timings.verify_us,
            lookup_us: out.timings.lookup_us,
            decide_us: out.timings.decide_us,
            store_us: out.store_us,
            total_us: out.timings.total_us + out.store_us,
        },
        decision_id: out.decision_id,
    };
    let location = format!("/api/v1/border/decisions/{}", doc.decision_id);
    let mut response = (StatusCode::CREATED, Json(doc)).into_response();
    if let Ok(v) = header::HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// Read a stored gate decision: the whole record (every input digest, the evidence, each
/// rule's outcome, the configuration) and its SHA-256, for officials of the port.
#[utoipa::path(
    get,
    path = "/api/v1/border/decisions/{id}",
    tag = "border",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The decision's id")),
    responses(
        (status = 200, description = "The decision record", body = Object),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "No border.decide permission at this port", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such decision", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The border service is not available", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn decision(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, WebError> {
    let border = border_of(&state)?;
    require_somewhere(&principal)?;
    if !plain_id(&id) {
        return Err(WebError::NotFound);
    }
    let stored = border.decision(&id).await.map_err(border_error)?;
    require(&principal, Permission::BorderDecide, Some(&stored.port))?;
    Ok(Json(
        serde_json::to_value(&stored).map_err(|e| WebError::internal(&e))?,
    ))
}

/// The result of a replay.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReplayDoc {
    pub decision_id: String,
    /// Always true in a 200 answer: the record is the audited one and the rules, run again on
    /// its evidence and configuration, gave the same outcome, reasons and rule results.
    pub matches: bool,
    /// `OPEN` or `REFER`.
    pub outcome: String,
    pub reasons: Vec<ReasonDoc>,
}

/// Replay a stored decision from its record (independent of today's lists, tables and
/// clock). A record that was altered, or that decides otherwise now, is a 409
/// `decision-record-mismatch`.
#[utoipa::path(
    post,
    path = "/api/v1/border/decisions/{id}/replay",
    tag = "border",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The decision's id")),
    responses(
        (status = 200, description = "The replay matches the stored decision", body = ReplayDoc),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "No border.decide permission at this port", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such decision", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The record was altered or decides otherwise", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The border service is not available", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn replay(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(id): Path<String>,
) -> Result<Json<ReplayDoc>, WebError> {
    let border = border_of(&state)?;
    require_somewhere(&principal)?;
    if !plain_id(&id) {
        return Err(WebError::NotFound);
    }
    let port = match border.decision(&id).await {
        Ok(d) => d.port,
        Err(BorderError::NotFound) => return Err(WebError::NotFound),
        // An altered record: still only for officials of the border agency.
        Err(BorderError::ReplayMismatch(_)) => String::new(),
        Err(e) => return Err(border_error(e)),
    };
    require(
        &principal,
        Permission::BorderDecide,
        Some(&port).filter(|p| !p.is_empty()).map(String::as_str),
    )?;
    let again = border.replay_decision(&id).await.map_err(border_error)?;
    Ok(Json(ReplayDoc {
        decision_id: id,
        matches: true,
        outcome: outcome_str(again.outcome).to_owned(),
        reasons: again.reasons.iter().map(reason_doc).collect(),
    }))
}

/// A gate device to register.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGateDoc {
    /// The gate's id, e.g. `ICN-T1-G07`.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub id: String,
    /// Its port of entry, e.g. `ICN`.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,10}$")]
    pub port: String,
    /// The device's public key: SPKI, PEM (`-----BEGIN PUBLIC KEY-----`) or base64 DER;
    /// Ed25519 or ECDSA P-256.
    pub public_key: String,
}

/// A registered gate device.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GateDoc {
    pub id: String,
    pub port: String,
    /// `ed25519` or `ecdsa-p256`.
    pub algorithm: String,
    pub revoked: bool,
    /// Microseconds since the epoch.
    pub registered_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
}

fn gate_doc(d: GateDevice) -> GateDoc {
    GateDoc {
        algorithm: serde_json::to_value(d.algorithm)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("{:?}", d.algorithm).to_lowercase()),
        id: d.id,
        port: d.port,
        revoked: d.revoked,
        registered_at: d.registered_at.as_micros(),
        revoked_at: d.revoked_at.map(|t| t.as_micros()),
        revoked_reason: d.revoked_reason,
    }
}

/// SPKI DER from PEM or base64 DER.
pub fn public_key_der(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let text = text.trim();
    let b64: String = if text.starts_with("-----BEGIN PUBLIC KEY-----") {
        text.lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<Vec<_>>()
            .concat()
    } else {
        text.split_whitespace().collect()
    };
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

/// Register a gate device with its public key (border administrators).
#[utoipa::path(
    post,
    path = "/api/v1/border/gates",
    tag = "border",
    security(("bearer" = [])),
    request_body = NewGateDoc,
    responses(
        (status = 201, description = "Registered", body = GateDoc),
        (status = 400, description = "Malformed request or unusable key", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "No border.manage permission", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "A gate with this id exists", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Invalid id or port", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The border service is not available", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn register_gate(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    ctx: RequestContext,
    ApiJson(body): ApiJson<NewGateDoc>,
) -> Result<Response, WebError> {
    let border = border_of(&state)?;
    require(&principal, Permission::BorderManage, None)?;
    let Some(key) = public_key_der(&body.public_key) else {
        return Err(WebError::from_problem(&BorderError::DeviceKey(
            "not PEM or base64".into(),
        )));
    };
    let device = border
        .register_gate(
            principal.actor(Some(ctx.request_id)),
            NewGateDevice {
                id: body.id,
                port: body.port,
                public_key_spki_der: key,
            },
        )
        .await
        .map_err(border_error)?;
    Ok((StatusCode::CREATED, Json(gate_doc(device))).into_response())
}

/// Read a gate device (border administrators).
#[utoipa::path(
    get,
    path = "/api/v1/border/gates/{gate}",
    tag = "border",
    security(("bearer" = [])),
    params(("gate" = String, Path, description = "The gate's id")),
    responses(
        (status = 200, description = "The gate", body = GateDoc),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "No border.manage permission", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such gate", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The border service is not available", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn gate(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    Path(gate): Path<String>,
) -> Result<Json<GateDoc>, WebError> {
    let border = border_of(&state)?;
    require(&principal, Permission::BorderManage, None)?;
    if !plain_id(&gate) {
        return Err(WebError::NotFound);
    }
    Ok(Json(gate_doc(
        border.gate_device(&gate).await.map_err(border_error)?,
    )))
}

/// Why a gate's key is revoked.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeDoc {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Revoke a gate's key: every later request from it is refused (border administrators).
#[utoipa::path(
    post,
    path = "/api/v1/border/gates/{gate}/revoke",
    tag = "border",
    security(("bearer" = [])),
    params(("gate" = String, Path, description = "The gate's id")),
    request_body = RevokeDoc,
    responses(
        (status = 200, description = "Revoked", body = GateDoc),
        (status = 400, description = "Malformed request", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No token, or not a valid one", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "No border.manage permission", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such gate", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The border service is not available", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn revoke_gate(
    State(state): State<AppState>,
    Bearer(principal): Bearer,
    ctx: RequestContext,
    Path(gate): Path<String>,
    ApiJson(body): ApiJson<RevokeDoc>,
) -> Result<Json<GateDoc>, WebError> {
    let border = border_of(&state)?;
    require(&principal, Permission::BorderManage, None)?;
    if !plain_id(&gate) {
        return Err(WebError::NotFound);
    }
    if !plain_text(&body.reason) {
        return Err(WebError::from_problem(&BorderError::invalid(
            "reason",
            "border-error-reason-required",
        )));
    }
    Ok(Json(gate_doc(
        border
            .revoke_gate(principal.actor(Some(ctx.request_id)), &gate, &body.reason)
            .await
            .map_err(border_error)?,
    )))
}
