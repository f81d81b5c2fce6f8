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
