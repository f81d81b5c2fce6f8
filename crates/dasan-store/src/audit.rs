use crate::error::StoreError;
use crate::tx::TxConn;
use dasan_kernel::id::EventId;
use dasan_kernel::{Actor, ActorKind, Timestamp};
use futures::future::BoxFuture;

/// One audit event, written in the same transaction as the change it describes.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AuditEvent {
    pub id: EventId,
    pub at: Timestamp,
    pub actor: Actor,
    pub action: &'static str,
    pub subject: String,
    /// The legal purpose, where personal data was read.
    pub purpose: Option<String>,
    pub detail: serde_json::Value,
}

/// Where a committing [`crate::Tx`] writes its events, inside the transaction.
///
/// The tamper-evident log replaces the default with one that also queues events for the Merkle
/// tree; either way the events commit or roll back with the change.
pub trait AuditHook: Send + Sync + 'static {
    fn write<'a>(
        &'a self,
        conn: &'a mut TxConn,
        events: &'a [AuditEvent],
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// The default hook: one row per event in `audit_events`.
#[derive(Debug, Default, Clone, Copy)]
pub struct TableAuditHook;

impl AuditHook for TableAuditHook {
    fn write<'a>(
        &'a self,
        conn: &'a mut TxConn,
        events: &'a [AuditEvent],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            for event in events {
                insert_event(conn, event).await?;
            }
            Ok(())
        })
    }
}

const INSERT_EVENT: &str = "INSERT INTO audit_events \
    (id, at, actor_kind, actor_account, actor_agency, on_behalf_of, request_id, action, subject, purpose, detail) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// Inserts one event row; public so that other hooks can reuse the row format.
pub async fn insert_event(conn: &mut TxConn, event: &AuditEvent) -> Result<(), StoreError> {
    let kind = match event.actor.kind {
        ActorKind::Anonymous => "anonymous",
        ActorKind::Account => "account",
        ActorKind::System => "system",
    };
    let detail = event.detail.to_string();
    macro_rules! bind_all {
        ($q:expr) => {
            $q.bind(event.id.to_string())
                .bind(event.at.as_micros())
                .bind(kind)
                .bind(event.actor.account.map(|a| a.to_string()))
                .bind(event.actor.agency.clone())
                .bind(event.actor.on_behalf_of.map(|a| a.to_string()))
                .bind(event.actor.request_id.clone())
                .bind(event.action)
                .bind(event.subject.clone())
                .bind(event.purpose.clone())
                .bind(detail.clone())
        };
    }
    match conn {
        TxConn::Sqlite(tx) => bind_all!(sqlx::query(INSERT_EVENT))
            .execute(&mut **tx)
            .await
            .map(drop),
        TxConn::Postgres(tx) => bind_all!(sqlx::query(INSERT_EVENT))
            .execute(&mut **tx)
            .await
            .map(drop),
    }
    .map_err(StoreError::from_sqlx)
}
