use crate::audit::{AuditHook, TableAuditHook};
use crate::error::StoreError;
use crate::tx::Tx;
use dasan_kernel::{Actor, Clock, SystemClock};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, PgPool, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Which database engine a [`Database`] runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// Tells the engine from a database URL.
    pub fn of_url(url: &str) -> Result<Engine, StoreError> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Engine::Sqlite),
            "postgres" | "postgresql" => Ok(Engine::Postgres),
            _ => Err(StoreError::BadUrl(
                "it must start with sqlite: or postgres://".to_owned(),
            )),
        }
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        })
    }
}

/// A connection pool on one engine.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    async fn close(&self) {
        match self {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// How to connect.
#[derive(Clone, Debug)]
pub struct DatabaseOptions {
    pub url: String,
    /// Connections in the reader pool (the writer pool has one on SQLite, this many on PostgreSQL).
    pub max_connections: u32,
    /// How long SQLite waits for a lock, and how long anyone waits for a pooled connection.
    pub busy_timeout: Duration,
    /// PostgreSQL `statement_timeout`: no statement may run longer.
    pub statement_timeout: Duration,
}

impl DatabaseOptions {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 10,
            busy_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
        }
    }
}

struct Inner {
    engine: Engine,
    writer: Pool,
    reader: Pool,
    audit: Arc<dyn AuditHook>,
    clock: Arc<dyn Clock>,
    /// Background work (SQLite's checkpointer) runs while this lives: it holds only a `Weak`.
    _alive: Arc<()>,
}

/// The platform's database: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Database {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("engine", &self.inner.engine)
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Connects (creating an SQLite file and its folder if missing). Does not migrate.
    pub async fn connect(options: &DatabaseOptions) -> Result<Database, StoreError> {
        let engine = Engine::of_url(&options.url)?;
        let (writer, reader) = match engine {
            Engine::Sqlite => connect_sqlite(options).await?,
            Engine::Postgres => connect_postgres(options).await?,
        };
        let alive = Arc::new(());
        if let Pool::Sqlite(reader) = &reader {
            spawn_checkpointer(reader.clone(), Arc::downgrade(&alive));
        }
        Ok(Database {
            inner: Arc::new(Inner {
                engine,
                writer,
                reader,
                audit: Arc::new(TableAuditHook),
                clock: Arc::new(SystemClock),
                _alive: alive,
            }),
        })
    }

    /// Replaces the audit hook (the tamper-evident log plugs in here) and the clock.
    ///
    /// Only possible before the handle is cloned, so every transaction sees the same hook and
    /// clock; returns `false` (changing nothing) on a shared handle.
    pub fn configure(&mut self, audit: Arc<dyn AuditHook>, clock: Arc<dyn Clock>) -> bool {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => {
                inner.audit = audit;
                inner.clock = clock;
                true
            }
            None => false,
        }
    }

    pub fn engine(&self) -> Engine {
        self.inner.engine
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// The read-only pool, for queries. Writes through it are refused by the database.
    pub fn reader(&self) -> &Pool {
        &self.inner.reader
    }

    pub(crate) fn writer(&self) -> &Pool {
        &self.inner.writer
    }

    /// Starts a state change on behalf of `actor`. See [`Tx`].
    pub async fn begin(&self, actor: Actor) -> Result<Tx, StoreError> {
        Tx::begin(self, actor, self.inner.audit.clone()).await
    }

    /// Starts a transaction for operational bookkeeping that is not a business change and would
    /// only flood the audit log: a session's last-seen time, a token's last use, a delivery
    /// attempt. It may commit without an audit event (events recorded in it are still written).
    ///
    /// Every use names its reason and is reviewed as such; anything a person or an auditor would
    /// call a change (a sign-in, a decision, a grant) goes through [`Database::begin`].
    pub async fn begin_bookkeeping(&self, why: &'static str) -> Result<Tx, StoreError> {
        Ok(self.begin(Actor::system()).await?.into_bookkeeping(why))
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let sql = "SELECT 1";
        match self.reader() {
            Pool::Sqlite(p) => p.execute(sql).await.map(drop),
            Pool::Postgres(p) => p.execute(sql).await.map(drop),
        }
        .map_err(StoreError::from_sqlx)
    }

    /// Closes both pools, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.inner.writer.close().await;
        self.inner.reader.close().await;
    }
}

async fn connect_sqlite(options: &DatabaseOptions) -> Result<(Pool, Pool), StoreError> {
    let base = SqliteConnectOptions::from_str(&options.url)
        .map_err(|e| StoreError::BadUrl(e.to_string()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(options.busy_timeout);
    if let Some(dir) = base.get_filename().parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Location {
            path: dir.display().to_string(),
            source,
        })?;
    }
    // One writer connection: SQLite serialises writers anyway, and queueing in the pool is
    // fairer than spinning on SQLITE_BUSY.
    // No ping before each acquire (a file connection does not go away; see connect_postgres).
    let writer = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(options.busy_timeout)
        .test_before_acquire(false)
        .connect_with(base.clone())
        .await
        .map_err(StoreError::Connect)?;
    let reader = SqlitePoolOptions::new()
        .max_connections(options.max_connections.max(1))
        .acquire_timeout(options.busy_timeout)
        .test_before_acquire(false)
        .connect_with(base.create_if_missing(false).pragma("query_only", "ON"))
        .await
        .map_err(StoreError::Connect)?;
    Ok((Pool::Sqlite(writer), Pool::Sqlite(reader)))
}

/// How often SQLite's WAL is checkpointed in the background.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Copies SQLite's write-ahead log into the database file every [`CHECKPOINT_EVERY`], on a
/// reader connection (`query_only` still allows checkpoints), so that the commit that crosses
/// `wal_autocheckpoint` (1,000 pages) finds little left to copy and fsync: without this, one
/// commit in a few hundred paid for the whole checkpoint, and that was the tail of every write
/// (a registry look-up's p99 was the checkpoint). PASSIVE never waits for readers or the
/// writer. Stops when the `Database` is dropped (`alive` gone) or its pools are closed.
fn spawn_checkpointer(reader: SqlitePool, alive: std::sync::Weak<()>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if alive.strong_count() == 0 || reader.is_closed() {
                break;
            }
            if let Err(e) = reader.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
                tracing::debug!(error = %e, "background WAL checkpoint");
            }
        }
    });
}

async fn connect_postgres(options: &DatabaseOptions) -> Result<(Pool, Pool), StoreError> {
    let statement_timeout = options.statement_timeout.as_millis().to_string();
    let base = PgConnectOptions::from_str(&options.url)
        .map_err(|e| StoreError::BadUrl(e.to_string()))?
        .application_name("dasan")
        .options([("statement_timeout", statement_timeout.as_str())]);
    // No ping before each acquire (sqlx's default): it doubled the round trips of every
    // statement outside a transaction. A connection that died since its last use fails its
    // next statement instead (a 503 for that one request) and is then dropped from the pool.
    let writer = PgPoolOptions::new()
        .max_connections(options.max_connections.max(1))
        .acquire_timeout(options.busy_timeout)
        .test_before_acquire(false)
        .connect_with(base.clone())
        .await
        .map_err(StoreError::Connect)?;
    let reader = PgPoolOptions::new()
        .max_connections(options.max_connections.max(1))
        .acquire_timeout(options.busy_timeout)
        .test_before_acquire(false)
        .connect_with(base.options([("default_transaction_read_only", "on")]))
        .await
        .map_err(StoreError::Connect)?;
    Ok((Pool::Postgres(writer), Pool::Postgres(reader)))
}
