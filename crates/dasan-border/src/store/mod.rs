//! The border service over the platform database: enrolment, watchlists, gate devices, gate
//! decisions with their records, entry/exit records and stays, visas, and officers' referrals.
//!
//! Every change is one audited transaction ([`dasan_store::Tx`]). The pure modules of this crate
//! decide; this layer looks facts up, keeps records and hands the decision its inputs. Gate
//! decisions read only indexed rows by document and an in-memory [`Screening`] snapshot that is
//! swapped atomically after an import, so a gate never waits for an import.

mod clearance;
mod devices;
mod enrolment;
mod error;
mod lists;
mod referrals;
mod seal;
mod visas;

pub use clearance::{
    Crossing, GateOutcome, GateSubmission, MAX_GATE_BODY, SignedGateRequest, StoredDecision,
    Timings, gate_signing_message,
};
pub use devices::{GateDevice, NewGateDevice};
pub use enrolment::{
    BiometricReference, DeskCapture, EnrolmentRecord, EnrolmentRules, EnrolmentState,
    PreRegistration,
};
pub use error::{BorderError, RequestRefusal};
pub use lists::{ListInfo, ListKind, Screening, ScreeningSnapshot};
pub use referrals::{
    DecisionSummary, OfficerDecision, OverstayReport, OverstayRow, Referral, ReferralDetail,
    ReferralStatus, TravellerHistory,
};
pub use seal::BiometricKey;
pub use visas::{VisaRow, parse_visa_csv, parse_waiver_csv};

use crate::gate::GateConfig;
use dasan_kernel::Timestamp;
use dasan_mrtd::TrustStore;
use dasan_store::Database;
use std::sync::Arc;
use std::time::Duration;

/// The border service's configuration.
#[derive(Debug, Clone)]
pub struct BorderConfig {
    /// The rules' configuration (visa waivers are replaced by the imported waiver table).
    pub gate: GateConfig,
    /// Who may enrol and for how long.
    pub enrolment: EnrolmentRules,
    /// How far a gate request's timestamp may be from the server's clock, either way.
    pub max_clock_skew: Duration,
    /// The key that seals biometric template references.
    pub biometric_key: BiometricKey,
}

/// Smart border clearance over the platform database. Cheap to clone.
#[derive(Clone)]
pub struct Border {
    db: Database,
    config: Arc<BorderConfig>,
    trust: Arc<TrustStore>,
    screening: Screening,
    active_gates: devices::ActiveGates,
}

impl std::fmt::Debug for Border {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Border")
            .field("db", &self.db)
            .field("config_version", &self.config.gate.version)
            .finish_non_exhaustive()
    }
}

impl Border {
    /// Opens the service and builds the screening index from the database. Time comes from the
    /// database's clock (injected with [`Database::configure`]), the same one its transactions
    /// use.
    pub async fn open(
        db: Database,
        config: BorderConfig,
        trust: TrustStore,
    ) -> Result<Border, BorderError> {
        let border = Border {
            db,
            config: Arc::new(config),
            trust: Arc::new(trust),
            screening: Screening::empty(),
            active_gates: devices::ActiveGates::default(),
        };
        border.refresh_screening().await?;
        Ok(border)
    }

    /// The database.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// The configuration.
    pub fn config(&self) -> &BorderConfig {
        &self.config
    }

    /// The screening handle (shared by every clone of this service).
    pub fn screening(&self) -> &Screening {
        &self.screening
    }

    fn now(&self) -> Timestamp {
        self.db.clock().now()
    }
}

/// Maps a driver error.
pub(crate) fn db_err(e: sqlx::Error) -> BorderError {
    BorderError::Store(dasan_store::StoreError::from_sqlx(e))
}

/// SHA-256, lower-case hex.
pub(crate) fn sha256_hex(b: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let d = Sha256::digest(b);
    let mut s = String::with_capacity(64);
    for x in d {
        let _ = write!(s, "{x:02x}");
    }
    s
}

/// The queries on the gate's path and the officers' pages read indexes, on both engines: no
/// table scan, and on SQLite no sort either.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod plans {
    use dasan_store::testing::TestDatabase;
    use dasan_store::{Engine, Pool};
    use sqlx::Executor;

    const QUERIES: &[(&str, &str)] = &[
        ("device", super::devices::DEVICE_PROBE),
        ("traveller", super::clearance::TRAVELLER_PROBE),
        ("enrolment desk", super::enrolment::ENROLMENTS_BY_STATE),
        ("visa", super::visas::VISA_PROBE),
        ("decisions", super::referrals::DECISIONS_BY_DOCUMENT),
        ("queue", super::referrals::REFERRAL_QUEUE),
        ("overstay", super::referrals::OVERSTAY_IN_COUNTRY),
        ("departed", super::referrals::OVERSTAY_DEPARTED),
    ];

    fn params(sql: &str) -> usize {
        (1..10).filter(|n| sql.contains(&format!("${n}"))).count()
    }

    async fn plans(engine: Engine) {
        let t = TestDatabase::migrated(engine).await;
        // A scan of a one-row derived table (the traveller probe's parts) is fine; a scan of a
        // stored table is not.
        let tables: Vec<String> = match t.db.reader() {
            Pool::Sqlite(p) => {
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .fetch_all(p)
                    .await
                    .unwrap()
            }
            Pool::Postgres(_) => Vec::new(),
        };
        let scans_table = |line: &str| {
            line.strip_prefix("SCAN ")
                .and_then(|rest| rest.split_whitespace().next())
                .is_some_and(|name| tables.iter().any(|t| t == name))
        };
        for (name, sql) in QUERIES {
            let explain = match engine {
                Engine::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
                Engine::Postgres => format!("EXPLAIN {sql}"),
            };
            let explain = sqlx::AssertSqlSafe(explain);
            let lines: Vec<String> = match t.db.reader() {
                Pool::Sqlite(p) => {
                    let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(explain);
                    for _ in 0..params(sql) {
                        q = q.bind("X");
                    }
                    q.fetch_all(p)
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|r| r.3)
                        .collect()
                }
                Pool::Postgres(p) => {
                    // Empty tables: tell the planner scans are dear, as they are at 1M rows.
                    let mut c = p.acquire().await.unwrap();
                    c.execute("SET enable_seqscan = off").await.unwrap();
                    let mut q = sqlx::query_as::<_, (String,)>(explain);
                    for _ in 0..params(sql) {
                        q = q.bind("X");
                    }
                    let rows = q.fetch_all(&mut *c).await.unwrap();
                    c.execute("RESET enable_seqscan").await.unwrap();
                    rows.into_iter().map(|r| r.0).collect()
                }
            };
            let plan = lines.join("\n");
            let bad = match engine {
                Engine::Sqlite => {
                    lines.iter().any(|l| scans_table(l)) || plan.contains("TEMP B-TREE")
                }
                Engine::Postgres => plan.contains("Seq Scan"),
            };
            assert!(!bad, "{name} on {engine}:\n{plan}");
        }
    }

    #[tokio::test]
    async fn sqlite() {
        plans(Engine::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        if dasan_store::testing::postgres_server().is_some() {
            plans(Engine::Postgres).await;
        }
    }
}
