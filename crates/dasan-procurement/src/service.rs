//! The store-backed side of procurement: [`Procurement`] over the platform database, the
//! registries and the key store. Every change is one audited transaction ([`dasan_store::Tx`]);
//! every decision that depends on time uses the database's injected clock, read once per
//! transaction ([`dasan_store::Tx::now`]).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use dasan_crypto::{Algorithm, KeyStore, KeyStoreError};
use dasan_identity::Principal;
use dasan_kernel::Timestamp;
use dasan_registry::Registry;
use dasan_store::{Database, Tx, on_tx};
use serde::{Deserialize, Serialize};

use crate::error::{ProcurementError, corrupt};
use crate::notice::HOUR_US;

/// Key-store label of the platform key that signs receipts, bid-box records and opening
/// records (Ed25519, generated on first use).
pub const SIGNING_KEY_LABEL: &str = "procurement-signing";

/// Settings of the procurement service.
#[derive(Clone, Debug)]
pub struct ProcurementConfig {
    /// At most this many tenders may close in one hour (KONEPS flattens deadline peaks so).
    pub max_tenders_per_hour: u32,
    /// Unavailability within this window before a deadline extends it.
    pub outage_window: Duration,
    /// A gap between heartbeats longer than this is unavailability.
    pub outage_max_gap: Duration,
    /// An outage extension gives suppliers this many hours after the later of the deadline and
    /// the moment the extension is decided (rounded up to the hour).
    pub outage_extension_hours: u32,
    /// The deployment's OCID prefix for open contracting data (`ocds-` + 6 characters,
    /// registered with the Open Contracting Partnership).
    pub ocid_prefix: dasan_ocds::OcidPrefix,
    /// Days between the notice of award and its becoming final, during which bidders may
    /// complain (the EU remedies directives' standstill: 10 days when notified electronically).
    pub standstill_days: u32,
    /// The portal's public address (`server.public_url`), for links in published data (the
    /// evaluation report of an OCDS award); without it, no link.
    pub public_url: Option<String>,
    /// Thresholds of the red flags ([`crate::redflags`]).
    pub red_flags: crate::redflags::RedFlagConfig,
}

impl Default for ProcurementConfig {
    fn default() -> Self {
        ProcurementConfig {
            max_tenders_per_hour: 500,
            outage_window: Duration::from_secs(3600),
            outage_max_gap: Duration::from_secs(300),
            outage_extension_hours: 2,
            ocid_prefix: default_ocid_prefix(),
            standstill_days: 10,
            public_url: None,
            red_flags: crate::redflags::RedFlagConfig::default(),
        }
    }
}

/// The OCID prefix of a deployment that has not registered its own.
pub const DEFAULT_OCID_PREFIX: &str = "ocds-dasan0";

fn default_ocid_prefix() -> dasan_ocds::OcidPrefix {
    // A constant that passes the prefix rule (checked by a test).
    dasan_ocds::OcidPrefix::new(DEFAULT_OCID_PREFIX).unwrap_or_else(|_| unreachable!())
}

/// E-procurement over the platform's database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Procurement {
    pub(crate) db: Database,
    pub(crate) registry: Registry,
    pub(crate) keys: Arc<dyn KeyStore>,
    pub(crate) config: ProcurementConfig,
    /// The current signing key's id and public key, looked up at most every
    /// [`CURRENT_KEY_FOR`]: a deadline rush signs a receipt per bid.
    current_key: Arc<Mutex<Option<CurrentKey>>>,
    /// Fonts and PKI roles for contract documents; without them contracts cannot be signed.
    pub(crate) contract_documents: Option<Arc<crate::contracts::ContractDocuments>>,
    /// Where tender documents are kept (without one, uploading and downloading fail).
    pub(crate) documents: Option<crate::documents::DocumentStore>,
}

/// How long the current signing key is remembered: a rotation is picked up within this time.
pub const CURRENT_KEY_FOR: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct CurrentKey {
    at: Instant,
    id: dasan_crypto::KeyId,
    algorithm: Algorithm,
    public_key: String,
}

/// A platform signature over a document's exact bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformSignature {
    /// `label@vN` of the key-store key.
    pub key_id: String,
    /// `ed25519` (or another key-store algorithm if the key was made so).
    pub algorithm: Algorithm,
    /// The key's DER SubjectPublicKeyInfo, hex.
    pub public_key: String,
    /// The signature, hex.
    pub signature: String,
}

impl PlatformSignature {
    /// Checks the signature over `message` with the key it names (check that key against the
    /// platform's published keys separately).
    ///
    /// # Errors
    /// When the key or signature is malformed or the signature does not verify.
    pub fn verify(&self, message: &[u8]) -> Result<(), dasan_crypto::verify::VerifyError> {
        let spki = hex::decode(&self.public_key).map_err(|e| {
            dasan_crypto::verify::VerifyError::InvalidPublicKey(format!("hex: {e}"))
        })?;
        let sig = hex::decode(&self.signature).map_err(|e| {
            dasan_crypto::verify::VerifyError::MalformedSignature(format!("hex: {e}"))
        })?;
        dasan_crypto::verify::verify_signature(self.algorithm, &spki, message, &sig)
    }
}

impl Procurement {
    /// Procurement over `db` (whose clock decides every deadline), the registries and the key
    /// store holding [`SIGNING_KEY_LABEL`].
    pub fn new(
        db: Database,
        registry: Registry,
        keys: Arc<dyn KeyStore>,
        config: ProcurementConfig,
    ) -> Procurement {
        Procurement {
            db,
            registry,
            keys,
            config,
            current_key: Arc::default(),
            contract_documents: None,
            documents: None,
        }
    }

    /// Contract documents are rendered with these fonts, time-stamped and their suppliers'
    /// e-seals certified as `docs` says.
    #[must_use]
    pub fn with_contract_documents(
        mut self,
        docs: crate::contracts::ContractDocuments,
    ) -> Procurement {
        self.contract_documents = Some(Arc::new(docs));
        self
    }

    /// Keeps tender documents in the folder `dir` (created if missing).
    ///
    /// # Errors
    /// When the folder cannot be created.
    pub fn with_documents(mut self, dir: &std::path::Path) -> std::io::Result<Procurement> {
        self.documents = Some(crate::documents::DocumentStore::open(dir)?);
        Ok(self)
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub fn config(&self) -> &ProcurementConfig {
        &self.config
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.db.clock().now()
    }

    /// Signs `message` with the current platform procurement key (made on first use).
    pub(crate) fn sign(&self, message: &[u8]) -> Result<PlatformSignature, ProcurementError> {
        let err = |e: KeyStoreError| ProcurementError::Signing(e.to_string());
        let (id, algorithm, public_key) = {
            let mut current = self
                .current_key
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match current.as_ref() {
                Some(c) if c.at.elapsed() < CURRENT_KEY_FOR => {
                    (c.id.clone(), c.algorithm, c.public_key.clone())
                }
                _ => {
                    let found = self.current_signing_key().map_err(err)?;
                    let c = current.insert(found);
                    (c.id.clone(), c.algorithm, c.public_key.clone())
                }
            }
        };
        let signature = self.keys.sign(&id, message).map_err(err)?;
        Ok(PlatformSignature {
            key_id: id.to_string(),
            algorithm,
            public_key,
            signature: hex::encode(signature),
        })
    }

    /// Looks up (or, on first use, makes) the current signing key.
    fn current_signing_key(&self) -> Result<CurrentKey, KeyStoreError> {
        let info = match self.keys.current(SIGNING_KEY_LABEL) {
            Ok(info) => info,
            Err(KeyStoreError::NotFound(_)) => {
                let now = std::time::UNIX_EPOCH
                    + Duration::from_micros(u64::try_from(self.now().as_micros()).unwrap_or(0));
                self.keys
                    .generate(SIGNING_KEY_LABEL, Algorithm::Ed25519, now)?
            }
            Err(e) => return Err(e),
        };
        let public_key = hex::encode(self.keys.public_key(&info.id)?);
        Ok(CurrentKey {
            at: Instant::now(),
            id: info.id,
            algorithm: info.algorithm,
            public_key,
        })
    }

    /// The principal's audit actor.
    pub(crate) fn actor(principal: &Principal) -> dasan_kernel::Actor {
        principal.actor(None)
    }
}

pub(crate) fn to_json<T: Serialize>(v: &T) -> Result<String, ProcurementError> {
    serde_json::to_string(v).map_err(corrupt)
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, ProcurementError> {
    serde_json::from_str(s).map_err(corrupt)
}

// ---------------------------------------------------------------------------------------------
// The per-hour deadline cap

/// Takes a place in `hour` if fewer than `cap` tenders close then. One conditional UPDATE of one
/// row: concurrent publications on PostgreSQL queue on the row lock and re-check the count.
pub(crate) async fn take_slot(tx: &mut Tx, hour: i64, cap: u32) -> Result<bool, ProcurementError> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO procurement_deadline_slots (hour, used) VALUES ($1, 0) ON CONFLICT (hour) DO NOTHING"
    )
    .bind(hour)
    .execute(c)
    .await
    .map(drop)
    })?;
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE procurement_deadline_slots SET used = used + 1 WHERE hour = $1 AND used < $2"
    )
    .bind(hour)
    .bind(i64::from(cap))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Takes a place in `hour` whatever the cap (outage extensions are not the procuring entity's
/// choice and must not fail).
pub(crate) async fn force_slot(tx: &mut Tx, hour: i64) -> Result<(), ProcurementError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO procurement_deadline_slots (hour, used) VALUES ($1, 1) \
         ON CONFLICT (hour) DO UPDATE SET used = procurement_deadline_slots.used + 1"
    )
    .bind(hour)
    .execute(c)
    .await
    .map(drop))?;
    Ok(())
}

pub(crate) async fn release_slot(tx: &mut Tx, hour: i64) -> Result<(), ProcurementError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE procurement_deadline_slots SET used = used - 1 WHERE hour = $1 AND used > 0"
    )
    .bind(hour)
    .execute(c)
    .await
    .map(drop))?;
    Ok(())
}

/// The first `n` hours at or after `from_hour` with room, as instants.
pub(crate) async fn free_hours_tx(
    tx: &mut Tx,
    from_hour: i64,
    cap: u32,
    n: usize,
) -> Result<Vec<Timestamp>, ProcurementError> {
    let horizon = from_hour + 24 * 366;
    let full: Vec<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT hour FROM procurement_deadline_slots WHERE hour >= $1 AND hour < $2 AND used >= $3 ORDER BY hour"
    )
    .bind(from_hour)
    .bind(horizon)
    .bind(i64::from(cap))
    .fetch_all(c)
    .await
    })?;
    let mut out = Vec::with_capacity(n);
    let mut h = from_hour;
    while out.len() < n && h < horizon {
        if full.binary_search(&h).is_err() {
            out.push(Timestamp::from_micros(h.saturating_mul(HOUR_US)));
        }
        h += 1;
    }
    Ok(out)
}

impl Procurement {
    /// The first `n` hours at or after `from` (rounded up to the hour) where a tender may still
    /// close.
    pub async fn free_hours(
        &self,
        from: Timestamp,
        n: usize,
    ) -> Result<Vec<Timestamp>, ProcurementError> {
        let from_hour = crate::notice::hour_of(crate::notice::ceil_hour(from));
        let cap = i64::from(self.config.max_tenders_per_hour);
        let horizon = from_hour + 24 * 366;
        let full: Vec<i64> = dasan_store::on_reader!(self.db, |p| {
            sqlx::query_scalar(
            "SELECT hour FROM procurement_deadline_slots WHERE hour >= $1 AND hour < $2 AND used >= $3 ORDER BY hour"
        )
        .bind(from_hour)
        .bind(horizon)
        .bind(cap)
        .fetch_all(p)
        .await
        })?;
        Ok((from_hour..horizon)
            .filter(|h| full.binary_search(h).is_err())
            .take(n)
            .map(|h| Timestamp::from_micros(h.saturating_mul(HOUR_US)))
            .collect())
    }
}

// ---------------------------------------------------------------------------------------------
// Notifications

/// Queues one e-mail to every supplier interested in or bidding on `tender_id`; returns how many.
pub(crate) async fn notify_tender(
    tx: &mut Tx,
    tender_id: &str,
    subject: &str,
    body: &str,
) -> Result<usize, ProcurementError> {
    let emails: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT DISTINCT s.contact_email FROM procurement_suppliers s WHERE s.business_id IN \
           (SELECT business_id FROM procurement_interest WHERE tender_id = $1 \
            UNION SELECT business_id FROM procurement_bids WHERE tender_id = $1) \
         ORDER BY s.contact_email"
    )
    .bind(tender_id)
    .fetch_all(c)
    .await)?;
    for to in &emails {
        dasan_notify::enqueue(
            tx,
            &dasan_notify::Email {
                to: to.clone(),
                subject: subject.to_owned(),
                body: body.to_owned(),
            },
        )
        .await?;
    }
    Ok(emails.len())
}
