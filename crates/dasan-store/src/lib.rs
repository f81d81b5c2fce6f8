//! Dasan's storage layer: one codebase over two engines.
//!
//! * [`Database`] holds two pools per engine: a **writer** reached only through [`Tx`], and a
//!   **reader** whose connections the database itself keeps read-only. A state change that
//!   bypasses [`Tx`] is therefore refused by SQLite or PostgreSQL, not merely discouraged.
//! * [`Tx`] is the only way to change state. It cannot commit without at least one audit event,
//!   and it hands its events to the [`AuditHook`] inside the same database transaction.
//! * Domain crates own their SQL; where it is the same on both engines they write it once with
//!   [`on_tx!`] and [`on_reader!`].

mod audit;
mod database;
mod error;
mod migrate;
mod tx;

#[cfg(feature = "testing")]
pub mod testing;

pub use audit::{AuditEvent, AuditHook, TableAuditHook, insert_event};
pub use database::{Database, DatabaseOptions, Engine, Pool};
pub use error::StoreError;
pub use migrate::MigrationStatus;
pub use sqlx;
pub use tx::{Tx, TxConn};

/// Runs the same statement code on whichever engine the transaction uses.
///
/// `on_tx!(tx, |c| sqlx::query("…").bind(x).execute(c).await)`: `c` is `&mut SqliteConnection` in
/// one arm and `&mut PgConnection` in the other; the body must compile for both.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx.conn() {
            $crate::TxConn::Sqlite(conn) => {
                let $c = &mut **conn;
                $body
            }
            $crate::TxConn::Postgres(conn) => {
                let $c = &mut **conn;
                $body
            }
        }
    };
}

/// Runs the same read-only query code on the database's reader pool, whichever the engine.
#[macro_export]
macro_rules! on_reader {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db.reader() {
            $crate::Pool::Sqlite($p) => $body,
            $crate::Pool::Postgres($p) => $body,
        }
    };
}
