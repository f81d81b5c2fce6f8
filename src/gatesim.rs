//! Test travellers and a test gate: e-passports from the `dasan-mrtd` factory, gate requests
//! and their signatures, as a real gate would send them (used by the demo, the gate simulator
//! and the tests).

use anyhow::Context as _;
use dasan_border::gate::{
    BiometricResult, ChipCheck, ChipCheckOutcome, ChipFiles, Direction, GateRequest, Modality,
};
use dasan_border::store::{GateSubmission, gate_signing_message};
use dasan_mrtd::factory::{ChipImage, ChipOptions, TestCertificate, build_chip};
use dasan_mrtd::mrz::{CheckDigits, MrzDate};
use dasan_mrtd::{Mrz, MrzFormat, Sex};
use std::path::Path;

/// A traveller on a test passport. Dates are MRZ dates (`YYMMDD`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Traveller {
    pub issuer: String,
    pub surname: String,
    pub given: String,
    pub number: String,
    pub nationality: String,
    pub birth: String,
    pub expiry: String,
    pub sex: Sex,
}

impl Traveller {
    /// A traveller whose passport was issued and is held in `state`.
    pub fn new(
        state: &str,
        surname: &str,
        given: &str,
        number: &str,
        birth: &str,
        expiry: &str,
    ) -> Traveller {
        Traveller {
            issuer: state.to_owned(),
            surname: surname.to_owned(),
            given: given.to_owned(),
            number: number.to_owned(),
            nationality: state.to_owned(),
            birth: birth.to_owned(),
            expiry: expiry.to_owned(),
            sex: Sex::Female,
        }
    }

    /// The data page's machine-readable zone.
    pub fn mrz(&self) -> Mrz {
        Mrz {
            format: MrzFormat::Td3,
            document_code: "P".into(),
            issuer: self.issuer.clone(),
            primary_identifier: self.surname.clone(),
            secondary_identifier: self.given.clone(),
            document_number: self.number.clone(),
            nationality: self.nationality.clone(),
            birth_date: MrzDate {
                raw: self.birth.clone(),
                date: None,
            },
            sex: self.sex,
            expiry_date: MrzDate {
                raw: self.expiry.clone(),
                date: None,
            },
            optional_data: String::new(),
            optional_data_2: String::new(),
            check_digits: CheckDigits::default(),
            lines: vec![],
        }
    }

    /// A genuine chip signed by `signer`.
    pub fn chip(&self, signer: &TestCertificate) -> anyhow::Result<ChipImage> {
        build_chip(&self.mrz(), signer, ChipOptions::default())
            .map_err(|e| anyhow::anyhow!("test passport: {e}"))
    }
}

/// What a gate sends for `chip`: the MRZ, DG1 and EF.SOD, a passed active authentication and
/// a good face match.
pub fn gate_request(chip: &ChipImage, gate: &str, port: &str, direction: Direction) -> GateRequest {
    GateRequest {
        gate_id: gate.to_owned(),
        port: port.to_owned(),
        direction,
        mrz: chip.mrz_lines.join("\n"),
        chip: Some(ChipFiles {
            sod: chip.sod.clone(),
            data_groups: chip
                .data_groups
                .iter()
                .filter(|(n, _)| **n == 1)
                .map(|(n, d)| (*n, d.clone()))
                .collect(),
        }),
        chip_check: ChipCheck {
            active_authentication: ChipCheckOutcome::Passed,
        },
        biometric: Some(BiometricResult {
            modality: Modality::Face,
            algorithm: "dasan-test-face-1".into(),
            score: 8_100,
            threshold: 6_500,
            signature_verified: false,
        }),
    }
}

/// A gate's device key.
#[derive(Clone)]
pub enum GateKey {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
}

impl std::fmt::Debug for GateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GateKey::Ed25519(_) => f.write_str("GateKey::Ed25519"),
            GateKey::P256(_) => f.write_str("GateKey::P256"),
        }
    }
}

impl GateKey {
    /// A PKCS#8 private key (PEM or DER), Ed25519 or ECDSA P-256.
    pub fn from_file(path: &Path) -> anyhow::Result<GateKey> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        GateKey::from_pkcs8(&bytes)
            .with_context(|| format!("{}: not an Ed25519 or P-256 PKCS#8 key", path.display()))
    }

    /// From PKCS#8, PEM or DER.
    pub fn from_pkcs8(bytes: &[u8]) -> anyhow::Result<GateKey> {
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        if let Ok(text) = std::str::from_utf8(bytes)
            && text.contains("-----BEGIN")
        {
            if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_pem(text) {
                return Ok(GateKey::Ed25519(k));
            }
            if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_pem(text) {
                return Ok(GateKey::P256(k));
            }
            anyhow::bail!("unsupported PEM key");
        }
        if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_der(bytes) {
            return Ok(GateKey::Ed25519(k));
        }
        if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_der(bytes) {
            return Ok(GateKey::P256(k));
        }
        anyhow::bail!("unsupported key")
    }

    /// The private key as PKCS#8 PEM.
    pub fn to_pkcs8_pem(&self) -> anyhow::Result<String> {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        let pem = match self {
            GateKey::Ed25519(k) => k
                .to_pkcs8_pem(Default::default())
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            GateKey::P256(k) => k
                .to_pkcs8_pem(Default::default())
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        };
        Ok(pem.to_string())
    }

    /// The public key, SPKI DER (what the server registers).
    pub fn public_key_der(&self) -> anyhow::Result<Vec<u8>> {
        use ed25519_dalek::pkcs8::EncodePublicKey as _;
        Ok(match self {
            GateKey::Ed25519(k) => k
                .verifying_key()
                .to_public_key_der()
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .as_bytes()
                .to_vec(),
            GateKey::P256(k) => k
                .verifying_key()
                .to_public_key_der()
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .as_bytes()
                .to_vec(),
        })
    }

    /// The signature over what the server verifies (raw 64 bytes for Ed25519, DER for ECDSA).
    pub fn sign(&self, gate: &str, body: &[u8]) -> Vec<u8> {
        let message = gate_signing_message(gate, body);
        match self {
            GateKey::Ed25519(k) => {
                use ed25519_dalek::Signer as _;
                k.sign(&message).to_bytes().to_vec()
            }
            GateKey::P256(k) => {
                use p256::ecdsa::signature::Signer as _;
                let sig: p256::ecdsa::Signature = k.sign(&message);
                sig.to_der().as_bytes().to_vec()
            }
        }
    }
}

/// A fresh nonce (32 hex digits).
pub fn nonce() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // Never reached on supported systems; a counter keeps nonces unique within a run.
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        b[..8].copy_from_slice(&n.to_be_bytes());
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The body a gate sends (JSON of the submission) and its signature.
pub fn sign_request(
    key: &GateKey,
    request: &GateRequest,
    sent_at_micros: i64,
    nonce: &str,
) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let body = serde_json::to_vec(&GateSubmission {
        request: request.clone(),
        sent_at: sent_at_micros,
        nonce: nonce.to_owned(),
    })?;
    let signature = key.sign(&request.gate_id, &body);
    Ok((body, signature))
}

/// Microseconds since the epoch, now.
pub fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}
