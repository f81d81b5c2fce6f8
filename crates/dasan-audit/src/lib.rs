//! Dasan's tamper-evident audit log.
//!
//! Every state change already writes an `audit_events` row in its own transaction (the store's
//! [`Tx`](dasan_store::Tx) cannot commit without one). This crate makes those rows tamper-evident:
//!
//! * the **sequencer** ([`AuditLog::sequence`]) gives committed events leaf indexes in the order
//!   it sees them commit, appends their [`entry`] bytes to an RFC 9162 Merkle tree stored in Go
//!   sumdb/tlog's layout, and signs a C2SP checkpoint with a key from the key store — all in one
//!   transaction, under a PostgreSQL advisory lock so that one node sequences at a time;
//! * **proofs**: inclusion (event ↔ checkpoint) and consistency (old size ↔ new size);
//! * **verification**: [`AuditLog::verify`] recomputes the tree from the rows and checks every
//!   stored hash and checkpoint; [`check_extension`] is the outside auditor's check.

pub mod entry;
mod log;
pub mod reads;
pub mod signer;

pub use entry::EventRow;
pub use log::{
    AuditLog, AuditLogError, DEFAULT_BATCH, EventProof, Sequenced, StoredCheckpoint,
    check_extension, unverified_head,
};
pub use reads::{DataRead, reads_of};
pub use signer::{CHECKPOINT_KEY_LABEL, KeyStoreNoteSigner, SignerError, checkpoint_verifier};

use std::future::Future;
use std::time::Duration;

/// Sequences every `interval` until `stop` completes, then once more so that events committed
/// during shutdown are integrated. Errors are logged and retried: the events wait safely in
/// their table meanwhile.
pub async fn run_sequencer(log: AuditLog, interval: Duration, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        if let Err(e) = log.sequence().await {
            tracing::error!(error = %e, "audit log sequencing failed; will retry");
        }
        tokio::select! {
            () = &mut stop => break,
            () = tokio::time::sleep(interval) => {}
        }
    }
    if let Err(e) = log.sequence().await {
        tracing::error!(error = %e, "final audit log sequencing failed");
    }
}
