use crate::audit::{AuditEvent, AuditHook};
use crate::database::{Database, Pool};
use crate::error::StoreError;
use dasan_kernel::id::EventId;
use dasan_kernel::{Actor, Timestamp};
use sqlx::{Postgres, Sqlite, Transaction};
use std::sync::Arc;

/// The open transaction on whichever engine, for [`crate::on_tx!`].
pub enum TxConn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A state change in progress: the only way to write to the database.
///
/// Every change says what it did with [`Tx::record`]; [`Tx::commit`] refuses a change that
/// recorded nothing, and writes the recorded events through the audit hook in the same
/// transaction, so a change and its audit trail commit or vanish together. Dropping a `Tx`
/// without committing rolls it back.
pub struct Tx {
    conn: TxConn,
    actor: Actor,
    now: Timestamp,
    events: Vec<AuditEvent>,
    audit: Arc<dyn AuditHook>,
    /// Set only by [`Database::begin_bookkeeping`]: why this transaction may commit unaudited.
    bookkeeping: Option<&'static str>,
    /// Set by [`Tx::records_reads_only`].
    reads_only: bool,
}

impl Tx {
    pub(crate) async fn begin(
        db: &Database,
        actor: Actor,
        audit: Arc<dyn AuditHook>,
    ) -> Result<Tx, StoreError> {
        let conn = match db.writer() {
            // IMMEDIATE takes the write lock at once: a deferred transaction that later upgrades
            // can fail with SQLITE_BUSY without waiting, whatever the busy timeout.
            Pool::Sqlite(p) => TxConn::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => TxConn::Postgres(p.begin().await?),
        };
        Ok(Tx {
            conn,
            actor,
            now: db.clock().now(),
            events: Vec::new(),
            audit,
            bookkeeping: None,
            reads_only: false,
        })
    }

    pub(crate) fn into_bookkeeping(mut self, why: &'static str) -> Tx {
        self.bookkeeping = Some(why);
        self
    }

    /// The connection, for statements. Use through [`crate::on_tx!`].
    pub fn conn(&mut self) -> &mut TxConn {
        &mut self.conn
    }

    /// The instant this change happens at: one value for the whole transaction.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Records what this change did, for the audit log.
    ///
    /// `action` is a dotted verb (`feedback.submit`), `subject` names the thing changed
    /// (`feedback:0193…`), `detail` adds what an auditor needs (never a secret).
    pub fn record(
        &mut self,
        action: &'static str,
        subject: impl Into<String>,
        detail: serde_json::Value,
    ) -> EventId {
        self.push(action, subject.into(), None, detail)
    }

    /// Records a read of personal data for a stated legal purpose.
    pub fn record_read(
        &mut self,
        action: &'static str,
        subject: impl Into<String>,
        purpose: impl Into<String>,
        detail: serde_json::Value,
    ) -> EventId {
        self.push(action, subject.into(), Some(purpose.into()), detail)
    }

    fn push(
        &mut self,
        action: &'static str,
        subject: String,
        purpose: Option<String>,
        detail: serde_json::Value,
    ) -> EventId {
        let id = EventId::new();
        self.events.push(AuditEvent {
            id,
            at: self.now,
            actor: self.actor.clone(),
            action,
            subject,
            purpose,
            detail,
        });
        id
    }

    /// Declares that this transaction only reads, and writes nothing but its read records
    /// ([`Tx::record_read`]), such as a once-only look-up. On PostgreSQL it then commits
    /// without waiting for the write-ahead log to reach the disk (`synchronous_commit = off`,
    /// for this transaction alone): the durability SQLite's WAL mode with `synchronous=NORMAL`
    /// gives every commit. A crash can lose the last fraction of a second of such records,
    /// never a change, and nothing is ever half-written. The look-up then costs no disk flush.
    ///
    /// Checked at commit: if any event is not a read record, the commit waits as usual.
    pub fn records_reads_only(&mut self) {
        self.reads_only = true;
    }

    /// Writes the audit events and commits everything, or nothing.
    pub async fn commit(mut self) -> Result<Vec<EventId>, StoreError> {
        if self.events.is_empty() {
            let Some(why) = self.bookkeeping else {
                return Err(StoreError::Unaudited);
            };
            tracing::trace!(why, "bookkeeping commit");
            match self.conn {
                TxConn::Sqlite(tx) => tx.commit().await?,
                TxConn::Postgres(tx) => tx.commit().await?,
            }
            return Ok(Vec::new());
        }
        let events = std::mem::take(&mut self.events);
        if self.reads_only
            && events.iter().all(|e| e.purpose.is_some())
            && let TxConn::Postgres(tx) = &mut self.conn
        {
            sqlx::query("SET LOCAL synchronous_commit = off")
                .execute(&mut **tx)
                .await
                .map_err(StoreError::from_sqlx)?;
        }
        self.audit.write(&mut self.conn, &events).await?;
        match self.conn {
            TxConn::Sqlite(tx) => tx.commit().await?,
            TxConn::Postgres(tx) => tx.commit().await?,
        }
        Ok(events.into_iter().map(|e| e.id).collect())
    }

    /// Abandons the change explicitly (dropping the `Tx` does the same, later).
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.conn {
            TxConn::Sqlite(tx) => tx.rollback().await?,
            TxConn::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}
