use crate::database::{Database, Pool};
use crate::error::StoreError;
use sqlx::migrate::Migrator;

/// Migrations for each engine, embedded in the binary. `migrations/sqlite` and
/// `migrations/postgres` change together: the same versions, the same meaning.
static SQLITE: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("../../migrations/postgres");

/// How the database's schema compares with this program's migrations.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MigrationStatus {
    /// Versions applied successfully.
    pub applied: Vec<i64>,
    /// Versions this program knows but the database lacks.
    pub pending: Vec<i64>,
    /// Versions applied but unknown to this program (a newer program migrated it).
    pub unknown: Vec<i64>,
    /// A migration started and failed part-way.
    pub dirty: bool,
}

impl MigrationStatus {
    /// The schema is exactly what this program expects.
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty() && !self.dirty
    }
}

impl Database {
    fn migrator(&self) -> &'static Migrator {
        match self.writer() {
            Pool::Sqlite(_) => &SQLITE,
            Pool::Postgres(_) => &POSTGRES,
        }
    }

    /// Applies pending migrations. Safe to run from several nodes at once: sqlx takes an
    /// advisory lock on PostgreSQL, and SQLite has one writer.
    pub async fn migrate(&self) -> Result<MigrationStatus, StoreError> {
        let before = self.migration_status().await?;
        if let Some(&v) = before.unknown.first() {
            return Err(StoreError::SchemaTooNew(v));
        }
        match self.writer() {
            Pool::Sqlite(p) => SQLITE.run(p).await?,
            Pool::Postgres(p) => POSTGRES.run(p).await?,
        }
        self.migration_status().await
    }

    /// Compares applied and known migrations without changing anything.
    pub async fn migration_status(&self) -> Result<MigrationStatus, StoreError> {
        let rows: Vec<(i64, bool)> = match self.reader() {
            Pool::Sqlite(p) => {
                let exists: Option<(String,)> = sqlx::query_as(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
                )
                .fetch_optional(p)
                .await?;
                if exists.is_none() {
                    Vec::new()
                } else {
                    sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
                        .fetch_all(p)
                        .await?
                }
            }
            Pool::Postgres(p) => {
                let exists: Option<(String,)> = sqlx::query_as(
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() AND tablename = '_sqlx_migrations'",
                )
                .fetch_optional(p)
                .await?;
                if exists.is_none() {
                    Vec::new()
                } else {
                    sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
                        .fetch_all(p)
                        .await?
                }
            }
        };
        let known: Vec<i64> = self
            .migrator()
            .iter()
            .filter(|m| m.migration_type.is_up_migration())
            .map(|m| m.version)
            .collect();
        let applied: Vec<i64> = rows.iter().filter(|(_, ok)| *ok).map(|(v, _)| *v).collect();
        Ok(MigrationStatus {
            pending: known
                .iter()
                .copied()
                .filter(|v| !applied.contains(v))
                .collect(),
            unknown: applied
                .iter()
                .copied()
                .filter(|v| !known.contains(v))
                .collect(),
            dirty: rows.iter().any(|(_, ok)| !ok),
            applied,
        })
    }
}
