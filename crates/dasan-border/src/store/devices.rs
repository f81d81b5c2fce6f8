//! Gate devices: each gate is an API client with its own key pair (Ed25519 or ECDSA P-256,
//! verified with `dasan-crypto`). The server keeps the public key; revoking a device refuses
//! every later request signed with it.

use super::{Border, BorderError, RequestRefusal, db_err, sha256_hex};
use dasan_crypto::Algorithm;
use dasan_crypto::algorithm::KeyKind;
use dasan_crypto::verify::{VerifyError, spki_key_kind, verify_signature};
use dasan_kernel::{Actor, Timestamp};
use dasan_store::{StoreError, on_reader, on_tx};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

/// A gate device by id (primary key).
pub(crate) const DEVICE_PROBE: &str = "SELECT id, port, algorithm, public_key, key_sha256, status, registered_at, revoked_at, revoked_reason \
             FROM border_gate_devices WHERE id = $1";

/// The registered, active gates this node has seen, by id. A gate's id, port and key never
/// change once registered and revocation is one-way, so a copy stays right until the gate is
/// revoked — which every decision checks again inside its own transaction (on every node, at
/// no extra round trip; see `store_decision`), and which evicts the copy. Only registered
/// gates get in, so the map is as large as the country's gates, whatever ids requests name.
#[derive(Debug, Default, Clone)]
pub(crate) struct ActiveGates(Arc<RwLock<HashMap<String, Arc<GateDevice>>>>);

impl ActiveGates {
    fn get(&self, id: &str) -> Option<Arc<GateDevice>> {
        let map = self.0.read().unwrap_or_else(PoisonError::into_inner);
        map.get(id).cloned()
    }

    fn insert(&self, device: Arc<GateDevice>) {
        let mut map = self.0.write().unwrap_or_else(PoisonError::into_inner);
        map.insert(device.id.clone(), device);
    }

    pub(crate) fn evict(&self, id: &str) {
        let mut map = self.0.write().unwrap_or_else(PoisonError::into_inner);
        map.remove(id);
    }
}

/// A gate to register.
#[derive(Debug, Clone)]
pub struct NewGateDevice {
    /// The gate's id (`ICN-T1-G07`): upper-case letters, digits and hyphens.
    pub id: String,
    /// Its port of entry (`ICN`).
    pub port: String,
    /// Its public key, DER `SubjectPublicKeyInfo` (Ed25519 or ECDSA P-256).
    pub public_key_spki_der: Vec<u8>,
}

/// A registered gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateDevice {
    /// Id.
    pub id: String,
    /// Port.
    pub port: String,
    /// Signature algorithm of its key.
    pub algorithm: Algorithm,
    /// Its public key (SPKI DER).
    #[serde(skip)]
    pub public_key: Vec<u8>,
    /// SHA-256 of the key, to compare with the device's own display.
    pub key_sha256: String,
    /// Revoked devices are refused.
    pub revoked: bool,
    /// When registered.
    pub registered_at: Timestamp,
    /// When revoked.
    pub revoked_at: Option<Timestamp>,
    /// Why revoked.
    pub revoked_reason: Option<String>,
}

fn valid_id(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

type DeviceRow = (
    String,
    String,
    String,
    Vec<u8>,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
);

fn device_from_row(r: DeviceRow) -> Result<GateDevice, BorderError> {
    let algorithm: Algorithm =
        r.2.parse()
            .map_err(|_| BorderError::corrupt(format!("gate algorithm {:?}", r.2)))?;
    Ok(GateDevice {
        id: r.0,
        port: r.1,
        algorithm,
        public_key: r.3,
        key_sha256: r.4,
        revoked: r.5 == "revoked",
        registered_at: Timestamp::from_micros(r.6),
        revoked_at: r.7.map(Timestamp::from_micros),
        revoked_reason: r.8,
    })
}

impl GateDevice {
    /// Checks a signature made by this device; revoked devices always fail.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), RequestRefusal> {
        if self.revoked {
            return Err(RequestRefusal::DeviceRevoked);
        }
        verify_signature(self.algorithm, &self.public_key, message, signature)
            .map_err(|_| RequestRefusal::BadSignature)
    }
}

impl Border {
    /// Registers a gate with its public key.
    pub async fn register_gate(
        &self,
        actor: Actor,
        new: NewGateDevice,
    ) -> Result<GateDevice, BorderError> {
        if !valid_id(&new.id, 64) {
            return Err(BorderError::invalid("id", "border-error-gate-id"));
        }
        if !valid_id(&new.port, 10) {
            return Err(BorderError::invalid("port", "border-error-port"));
        }
        let kind = spki_key_kind(&new.public_key_spki_der)
            .map_err(|e| BorderError::DeviceKey(e.to_string()))?;
        let algorithm = match kind {
            KeyKind::Ed25519 => Algorithm::Ed25519,
            KeyKind::P256 => Algorithm::EcdsaP256Sha256,
            other => {
                return Err(BorderError::DeviceKey(format!(
                    "{other:?} keys are not accepted for gates (Ed25519 or P-256)"
                )));
            }
        };
        // The key must parse as one (a wrong signature is expected; a wrong key is not).
        if let Err(VerifyError::InvalidPublicKey(e)) =
            verify_signature(algorithm, &new.public_key_spki_der, b"probe", &[0u8; 64])
        {
            return Err(BorderError::DeviceKey(e));
        }
        let key_sha256 = sha256_hex(&new.public_key_spki_der);
        let mut tx = self.db.begin(actor).await?;
        let now = tx.now();
        let inserted = on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO border_gate_devices (id, port, algorithm, public_key, key_sha256, status, registered_at) \
             VALUES ($1, $2, $3, $4, $5, 'active', $6)"
        )
        .bind(&new.id)
        .bind(&new.port)
        .bind(algorithm.as_str())
        .bind(&new.public_key_spki_der)
        .bind(&key_sha256)
        .bind(now.as_micros())
        .execute(c)
        .await
        .map(drop)
        });
        match inserted.map_err(StoreError::from_sqlx) {
            Ok(()) => {}
            Err(StoreError::Duplicate { .. }) => {
                return Err(BorderError::invalid("id", "border-error-gate-exists"));
            }
            Err(e) => return Err(e.into()),
        }
        tx.record(
            "border.gate.register",
            format!("border-gate:{}", new.id),
            serde_json::json!({ "port": new.port, "algorithm": algorithm.as_str(), "key_sha256": key_sha256 }),
        );
        tx.commit().await?;
        self.gate_device(&new.id).await
    }

    /// Revokes a gate's key: every later request from it is refused.
    pub async fn revoke_gate(
        &self,
        actor: Actor,
        id: &str,
        reason: &str,
    ) -> Result<GateDevice, BorderError> {
        if reason.trim().is_empty() {
            return Err(BorderError::invalid(
                "reason",
                "border-error-reason-required",
            ));
        }
        let mut tx = self.db.begin(actor).await?;
        let now = tx.now();
        let n = on_tx!(tx, |c| sqlx::query(
            "UPDATE border_gate_devices SET status = 'revoked', revoked_at = $2, revoked_reason = $3 \
             WHERE id = $1 AND status = 'active'"
        )
        .bind(id)
        .bind(now.as_micros())
        .bind(reason.trim())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(db_err)?;
        if n == 0 {
            drop(tx);
            let device = self.gate_device(id).await?;
            return Err(BorderError::Transition {
                what: "gate",
                action: "revoke",
                status: if device.revoked { "revoked" } else { "active" }.into(),
            });
        }
        tx.record(
            "border.gate.revoke",
            format!("border-gate:{id}"),
            serde_json::json!({ "reason": reason.trim() }),
        );
        tx.commit().await?;
        self.active_gates.evict(id);
        self.gate_device(id).await
    }

    /// A registered gate.
    pub async fn gate_device(&self, id: &str) -> Result<GateDevice, BorderError> {
        let row: Option<DeviceRow> = on_reader!(self.db, |p| sqlx::query_as(DEVICE_PROBE)
            .bind(id)
            .fetch_optional(p)
            .await)
        .map_err(db_err)?;
        device_from_row(row.ok_or(BorderError::NotFound)?)
    }

    /// The gate that signed a request: from memory once seen active, else from the database.
    pub(crate) async fn signing_gate(&self, id: &str) -> Result<Arc<GateDevice>, BorderError> {
        if let Some(device) = self.active_gates.get(id) {
            return Ok(device);
        }
        let device = Arc::new(self.gate_device(id).await?);
        if !device.revoked {
            self.active_gates.insert(device.clone());
        }
        Ok(device)
    }

    pub(crate) fn forget_gate(&self, id: &str) {
        self.active_gates.evict(id);
    }
}
