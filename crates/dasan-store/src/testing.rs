//! Fresh, throw-away databases on both engines for tests of every crate.
//!
//! SQLite: a file in a temporary folder. PostgreSQL: a new database on the server named by
//! `DASAN_TEST_POSTGRES_URL` (e.g. `postgres://postgres@127.0.0.1:5432/postgres`), created per
//! test and dropped when the [`TestDatabase`] is dropped. `scripts/test` sets the variable.

use crate::{Database, DatabaseOptions, Engine};
use sqlx::{Connection, Executor, PgConnection};

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_ENV: &str = "DASAN_TEST_POSTGRES_URL";

/// The PostgreSQL server URL for tests, if one is configured.
pub fn postgres_server() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|s| !s.is_empty())
}

/// A database that exists for one test.
pub struct TestDatabase {
    pub db: Database,
    /// The URL the database was opened with, for starting more app instances on it.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        server: String,
        name: String,
    },
    /// A view of a database another `TestDatabase` owns.
    None,
}

impl TestDatabase {
    /// Creates an empty database (not migrated) on `engine`.
    pub async fn empty(engine: Engine) -> TestDatabase {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder for a test database");
                let url = format!("sqlite://{}", dir.path().join("dasan.db").display());
                let db = Database::connect(&DatabaseOptions::new(&url))
                    .await
                    .expect("open a fresh SQLite database");
                TestDatabase {
                    db,
                    url,
                    cleanup: Cleanup::Sqlite(dir),
                }
            }
            Engine::Postgres => {
                let server = postgres_server().unwrap_or_else(|| {
                    panic!("{POSTGRES_ENV} must name a PostgreSQL server for PostgreSQL tests")
                });
                let name = format!("dasan_test_{}", uuid::Uuid::now_v7().simple());
                let mut admin = PgConnection::connect(&server).await.unwrap_or_else(|e| {
                    panic!("cannot reach the PostgreSQL server in {POSTGRES_ENV}: {e}")
                });
                admin
                    .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .await
                    .expect("create a fresh PostgreSQL database");
                let _ = admin.close().await;
                let mut url = url::Url::parse(&server).expect("DASAN_TEST_POSTGRES_URL is a URL");
                url.set_path(&name);
                let url = url.to_string();
                let db = Database::connect(&DatabaseOptions::new(&url))
                    .await
                    .expect("open the fresh PostgreSQL database");
                TestDatabase {
                    db,
                    url,
                    cleanup: Cleanup::Postgres { server, name },
                }
            }
        }
    }

    /// Opens another handle on an existing test database (as a second node would); dropping
    /// it leaves the database to its owner.
    pub async fn attach(url: &str) -> TestDatabase {
        let db = Database::connect(&DatabaseOptions::new(url))
            .await
            .expect("open the shared test database");
        TestDatabase {
            db,
            url: url.to_owned(),
            cleanup: Cleanup::None,
        }
    }

    /// Another handle on the same pools, which owns nothing.
    pub fn borrow(&self) -> TestDatabase {
        TestDatabase {
            db: self.db.clone(),
            url: self.url.clone(),
            cleanup: Cleanup::None,
        }
    }

    /// Creates a database on `engine` with every migration applied.
    pub async fn migrated(engine: Engine) -> TestDatabase {
        let t = Self::empty(engine).await;
        t.db.migrate()
            .await
            .expect("migrations apply to a fresh database");
        t
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Postgres { server, name } = &self.cleanup {
            // Drop runs outside async context: use a private runtime on a plain thread.
            let (server, db_name) = (server.clone(), name.clone());
            let dropped = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let mut admin = PgConnection::connect(&server).await.ok()?;
                    admin
                        .execute(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"
                        )))
                        .await
                        .ok()?;
                    admin.close().await.ok()
                })
            })
            .join();
            if !matches!(dropped, Ok(Some(()))) {
                eprintln!("warning: could not drop test database {name}");
            }
        }
    }
}

/// Declares async tests that run once per engine: `mod name { fn sqlite(); fn postgres(); }`.
///
/// ```text
/// dasan_store::engine_tests! {
///     async fn saves_a_thing(engine) {
///         let t = TestDatabase::migrated(engine).await;
///         // ...
///     }
/// }
/// ```
/// The PostgreSQL variant needs `DASAN_TEST_POSTGRES_URL`; without it, it says so and passes
/// (`scripts/test` always sets it, and checks that the server is reachable first).
#[macro_export]
macro_rules! engine_tests {
    ($( $(#[$meta:meta])* async fn $name:ident($engine:ident) $body:block )*) => {
        $(
            $(#[$meta])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let $engine = $crate::Engine::Sqlite;
                    $body
                }

                #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::testing::postgres_server().is_none() {
                        eprintln!("not run on PostgreSQL: {} is not set", $crate::testing::POSTGRES_ENV);
                        return;
                    }
                    let $engine = $crate::Engine::Postgres;
                    $body
                }
            }
        )*
    };
}
