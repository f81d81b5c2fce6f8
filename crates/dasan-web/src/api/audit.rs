//! The tamper-evident audit log, for anyone to check: signed checkpoints, their archive, the
//! verification key, and inclusion and consistency proofs. Nothing here reveals an event's
//! content: proofs carry hashes only.

use crate::error::{ProblemDocument, WebError};
use crate::extract::Query;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

const NOTE: [(header::HeaderName, &str); 1] = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];

/// Parameters out of the ranges the OpenAPI document declares.
const BAD_REQUEST: WebError = WebError::new(axum::http::StatusCode::BAD_REQUEST, "bad-request");

/// Largest tree size a query may name (the database stores sizes as signed 64-bit integers).
const MAX_SIZE: u64 = i64::MAX as u64;

/// The newest signed checkpoint (C2SP `tlog-checkpoint`, an Ed25519 signed note).
#[utoipa::path(
    get,
    path = "/api/v1/audit/checkpoint",
    tag = "audit",
    responses(
        (status = 200, description = "The signed checkpoint text", body = String, content_type = "text/plain"),
        (status = 404, description = "No checkpoint yet", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn checkpoint(State(state): State<AppState>) -> Result<impl IntoResponse, WebError> {
    let cp = state.audit().latest_checkpoint().await?;
    Ok((NOTE, cp.note))
}

/// The note verifier key (Go `sumdb/note` format) that signs checkpoints.
#[utoipa::path(
    get,
    path = "/api/v1/audit/key",
    tag = "audit",
    responses((status = 200, description = "The verifier key, e.g. `portal.example/audit+1a2b3c4d+AQ…`", body = String, content_type = "text/plain"))
)]
pub async fn key(State(state): State<AppState>) -> impl IntoResponse {
    let keys: Vec<String> = state
        .audit()
        .verifiers()
        .iter()
        .map(|v| v.to_vkey())
        .collect();
    (NOTE, keys.join("\n") + "\n")
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ArchiveQuery {
    /// Only checkpoints with a larger tree size than this.
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_u64)]
    pub after: Option<u64>,
    /// At most this many (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// One archived checkpoint.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ArchivedCheckpoint {
    pub size: u64,
    /// Root hash, base64.
    pub root: String,
    /// The signed checkpoint text.
    pub note: String,
    /// When it was signed (RFC 3339).
    pub signed_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CheckpointArchive {
    /// Oldest first.
    pub checkpoints: Vec<ArchivedCheckpoint>,
}

/// Every checkpoint ever signed, oldest first: what auditors compare their copies with.
#[utoipa::path(
    get,
    path = "/api/v1/audit/checkpoints",
    tag = "audit",
    params(ArchiveQuery),
    responses(
        (status = 200, description = "A page of the archive", body = CheckpointArchive),
        (status = 400, description = "Bad parameters", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn archive(
    State(state): State<AppState>,
    Query(q): Query<ArchiveQuery>,
) -> Result<Json<CheckpointArchive>, WebError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) || q.after.is_some_and(|a| a > MAX_SIZE) {
        return Err(BAD_REQUEST);
    }
    let cps = state.audit().checkpoints(q.after, limit, false).await?;
    Ok(Json(CheckpointArchive {
        checkpoints: cps
            .into_iter()
            .map(|c| ArchivedCheckpoint {
                size: c.size,
                root: c.root.to_base64(),
                note: c.note,
                signed_at: dasan_kernel::Timestamp::from_micros(c.created_at)
                    .to_jiff()
                    .to_string(),
            })
            .collect(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InclusionQuery {
    /// The event's id.
    #[param(max_length = 64)]
    pub event: String,
    /// The checkpoint's tree size (default: the newest checkpoint).
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_u64)]
    pub size: Option<u64>,
}

/// An RFC 9162 inclusion proof.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InclusionProofBody {
    pub leaf_index: u64,
    pub tree_size: u64,
    /// `SHA-256(0x00 || entry)`, base64.
    pub leaf_hash: String,
    /// The audit path, base64, from the leaf's sibling upward.
    pub hashes: Vec<String>,
    /// The signed checkpoint the path leads to.
    pub checkpoint: String,
}

/// Proof that an event is in the log, up to a signed checkpoint.
#[utoipa::path(
    get,
    path = "/api/v1/audit/proof/inclusion",
    tag = "audit",
    params(InclusionQuery),
    responses(
        (status = 200, description = "The proof", body = InclusionProofBody),
        (status = 400, description = "Bad parameters", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such event or checkpoint", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The event is not in a checkpoint yet; retry shortly", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn inclusion(
    State(state): State<AppState>,
    Query(q): Query<InclusionQuery>,
) -> Result<Json<InclusionProofBody>, WebError> {
    // The schema's maxLength counts characters, not bytes.
    if q.event.chars().count() > 64 || q.size.is_some_and(|s| s > MAX_SIZE) {
        return Err(BAD_REQUEST);
    }
    let p = state.audit().inclusion_proof(&q.event, q.size).await?;
    Ok(Json(proof_body(p)))
}

fn proof_body(p: dasan_audit::EventProof) -> InclusionProofBody {
    InclusionProofBody {
        leaf_index: p.proof.leaf_index,
        tree_size: p.proof.tree_size,
        leaf_hash: p.leaf_hash.to_base64(),
        hashes: p.proof.hashes.iter().map(|h| h.to_base64()).collect(),
        checkpoint: p.checkpoint,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LeafQuery {
    /// The leaf's index in the tree.
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_u64)]
    pub index: u64,
    /// The checkpoint's tree size (default: the newest checkpoint).
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_u64)]
    pub size: Option<u64>,
}

/// Proof that the leaf at an index is in the log, up to a signed checkpoint (for auditors who
/// walk the whole tree; it reveals the leaf's hash, never the event).
#[utoipa::path(
    get,
    path = "/api/v1/audit/proof/leaf",
    tag = "audit",
    params(LeafQuery),
    responses(
        (status = 200, description = "The proof", body = InclusionProofBody),
        (status = 400, description = "Bad parameters", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such checkpoint", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The leaf is beyond the checkpoint", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn leaf(
    State(state): State<AppState>,
    Query(q): Query<LeafQuery>,
) -> Result<Json<InclusionProofBody>, WebError> {
    if q.index > MAX_SIZE || q.size.is_some_and(|s| s > MAX_SIZE) {
        return Err(BAD_REQUEST);
    }
    let p = state.audit().proof_at(q.index, q.size).await?;
    Ok(Json(proof_body(p)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    /// The older tree size (one an auditor holds a checkpoint for).
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_u64)]
    pub from: u64,
    /// A newer checkpointed tree size.
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_u64)]
    pub to: u64,
}

/// An RFC 9162 consistency proof.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConsistencyProofBody {
    pub old_size: u64,
    pub new_size: u64,
    /// Base64 hashes.
    pub hashes: Vec<String>,
}

/// Proof that the log at one checkpoint is an append-only extension of an older size.
#[utoipa::path(
    get,
    path = "/api/v1/audit/proof/consistency",
    tag = "audit",
    params(ConsistencyQuery),
    responses(
        (status = 200, description = "The proof", body = ConsistencyProofBody),
        (status = 400, description = "Bad parameters", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No checkpoint at the newer size, or the older size is larger", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn consistency(
    State(state): State<AppState>,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Json<ConsistencyProofBody>, WebError> {
    if q.from > MAX_SIZE || q.to > MAX_SIZE {
        return Err(BAD_REQUEST);
    }
    let p = state.audit().consistency_proof(q.from, q.to).await?;
    Ok(Json(ConsistencyProofBody {
        old_size: p.old_size,
        new_size: p.new_size,
        hashes: p.hashes.iter().map(|h| h.to_base64()).collect(),
    }))
}
