//! PKCS#11 backend: keys generated and used inside an HSM (tested against SoftHSM2).
//!
//! Each key version is a key pair on the token whose `CKA_LABEL` and `CKA_ID` are both
//! `label@vN`, plus a private `CKO_DATA` object (application `dasan-keystore/1`, same label)
//! holding the metadata the token cannot express: algorithm (RSA PKCS#1 v1.5 versus PSS is not a
//! key attribute), creation time and retirement time. Private keys are generated on the token
//! with `CKA_SENSITIVE=true`, `CKA_EXTRACTABLE=false` and only `CKA_SIGN` allowed.
//!
//! Signing: ECDSA hashes in software then uses `CKM_ECDSA` (raw `r || s`, converted to DER);
//! RSA uses `CKM_SHA256_RSA_PKCS` / `CKM_SHA256_RSA_PKCS_PSS` for messages and `CKM_RSA_PKCS`
//! (over a DigestInfo) / `CKM_RSA_PKCS_PSS` for precomputed digests; Ed25519 uses `CKM_EDDSA`.
//!
//! Retiring marks the metadata retired, then destroys the private key object; the public key
//! object and metadata stay. Version numbers are claimed by creating the metadata object first
//! and checking that no other claim for the same version exists (losers withdraw and retry), so
//! two nodes rotating the same label on a shared HSM do not produce duplicate versions.
//!
//! A PKCS#11 module is process-global state (`C_Initialize` once per process), so contexts are
//! kept in a process-wide registry and shared by every store opened on the same module path.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, SystemTime};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::Ulong;
use der::Encode;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use spki::EncodePublicKey;

use crate::algorithm::{Algorithm, KeyKind};
use crate::keystore::{
    KeyId, KeyInfo, KeyState, KeyStore, KeyStoreError, Result, assign_states, check_digest,
    unix_micros, validate_label,
};
use crate::oid;
use crate::verify::ecdsa_fixed_to_der;

const APPLICATION: &[u8] = b"dasan-keystore/1";
/// DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
const CLAIM_ATTEMPTS: u32 = 20;

/// Where the HSM is and how to log in.
pub struct Pkcs11Config {
    /// Path of the PKCS#11 module, e.g. `/usr/lib/softhsm/libsofthsm2.so` on Debian.
    pub module: PathBuf,
    /// Label of the token holding the keys.
    pub token_label: String,
    /// The token's user PIN.
    pub user_pin: SecretString,
}

impl fmt::Debug for Pkcs11Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Config")
            .field("module", &self.module)
            .field("token_label", &self.token_label)
            .field("user_pin", &"[REDACTED]")
            .finish()
    }
}

/// Metadata stored in the token's data object for each key version.
#[derive(Serialize, Deserialize)]
struct Metadata {
    algorithm: Algorithm,
    created_us: i64,
    retired_us: Option<i64>,
    /// Random value identifying the writer that claimed this version.
    claim: String,
}

/// How a private key is protected on the token, as the token reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyProtection {
    /// `CKA_SENSITIVE`: the key value cannot be read in plaintext.
    pub sensitive: bool,
    /// `CKA_EXTRACTABLE`: the key can be wrapped out of the token.
    pub extractable: bool,
    /// `CKA_ALWAYS_SENSITIVE`: the key has been sensitive since it was generated.
    pub always_sensitive: bool,
    /// `CKA_NEVER_EXTRACTABLE`: the key has never been extractable.
    pub never_extractable: bool,
}

/// A key store on a PKCS#11 token. See the module docs.
pub struct Pkcs11KeyStore {
    ctx: Pkcs11,
    slot: Slot,
    token_label: String,
    pin: SecretString,
    /// Keeps the application logged in: in PKCS#11 the login state belongs to the application
    /// and lasts while any session is open, so per-operation sessions need no PIN.
    login_session: Mutex<Session>,
    /// Serialises version allocation within this process (the claim protocol covers others).
    write_lock: Mutex<()>,
}

impl fmt::Debug for Pkcs11KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11KeyStore")
            .field("slot", &self.slot)
            .field("token_label", &self.token_label)
            .finish_non_exhaustive()
    }
}

fn ck(operation: &'static str) -> impl Fn(CkError) -> KeyStoreError {
    move |source| KeyStoreError::Pkcs11 { operation, source }
}

fn is_rv(e: &CkError, rv: RvError) -> bool {
    matches!(e, CkError::Pkcs11(r, _) if *r == rv)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding these locks leaves no partial state worth refusing over.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One initialised context per module path for the life of the process.
fn module_context(module: &Path) -> Result<Pkcs11> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let mut modules = lock(MODULES.get_or_init(|| Mutex::new(HashMap::new())));
    if let Some(ctx) = modules.get(module) {
        return Ok(ctx.clone());
    }
    if !module.exists() {
        return Err(KeyStoreError::Token(format!(
            "PKCS#11 module {} not found (for SoftHSM2 on Debian: apt-get install softhsm2)",
            module.display()
        )));
    }
    let ctx = Pkcs11::new(module).map_err(ck("loading the module"))?;
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) => {}
        // Someone else in this process initialised it already; that is fine.
        Err(e) if is_rv(&e, RvError::CryptokiAlreadyInitialized) => {}
        Err(e) => return Err(ck("C_Initialize")(e)),
    }
    modules.insert(module.to_path_buf(), ctx.clone());
    Ok(ctx)
}

impl Pkcs11KeyStore {
    /// Load the module, find the token by label and log in as the user.
    ///
    /// # Errors
    /// [`KeyStoreError::Token`] if the module or token is missing; [`KeyStoreError::Pkcs11`]
    /// for module errors such as a wrong PIN (`CKR_PIN_INCORRECT`).
    pub fn open(config: &Pkcs11Config) -> Result<Self> {
        let ctx = module_context(&config.module)?;
        let slots = ctx
            .get_slots_with_initialized_token()
            .map_err(ck("listing slots"))?;
        let mut found = None;
        for slot in slots {
            let info = ctx.get_token_info(slot).map_err(ck("reading token info"))?;
            if info.label().trim_end() == config.token_label {
                if found.is_some() {
                    return Err(KeyStoreError::Token(format!(
                        "more than one token is labelled {:?}",
                        config.token_label
                    )));
                }
                found = Some(slot);
            }
        }
        let slot = found.ok_or_else(|| {
            KeyStoreError::Token(format!(
                "no initialised token labelled {:?} in {}",
                config.token_label,
                config.module.display()
            ))
        })?;
        let session = ctx.open_rw_session(slot).map_err(ck("opening a session"))?;
        match session.login(UserType::User, Some(&config.user_pin)) {
            Ok(()) => {}
            Err(e) if is_rv(&e, RvError::UserAlreadyLoggedIn) => {}
            Err(e) => return Err(ck("C_Login")(e)),
        }
        Ok(Pkcs11KeyStore {
            ctx,
            slot,
            token_label: config.token_label.clone(),
            pin: config.user_pin.clone(),
            login_session: Mutex::new(session),
            write_lock: Mutex::new(()),
        })
    }

    /// Run `f` in a fresh read-write session, logging in again once if the token forgot us
    /// (e.g. after it was reset).
    fn with_session<T>(&self, f: impl Fn(&Session) -> Result<T>) -> Result<T> {
        let session = self
            .ctx
            .open_rw_session(self.slot)
            .map_err(ck("opening a session"))?;
        match f(&session) {
            Err(KeyStoreError::Pkcs11 { source, .. })
                if is_rv(&source, RvError::UserNotLoggedIn) =>
            {
                let login = lock(&self.login_session);
                match login.login(UserType::User, Some(&self.pin)) {
                    Ok(()) => {}
                    Err(e) if is_rv(&e, RvError::UserAlreadyLoggedIn) => {}
                    Err(e) => return Err(ck("C_Login")(e)),
                }
                drop(login);
                f(&session)
            }
            other => other,
        }
    }

    /// How the token protects a version's private key (for audits and tests).
    ///
    /// # Errors
    /// [`KeyStoreError::Retired`] if the private key has been destroyed.
    pub fn key_protection(&self, id: &KeyId) -> Result<KeyProtection> {
        self.with_session(|s| {
            let handle = find_one(s, ObjectClass::PRIVATE_KEY, id)?
                .ok_or_else(|| KeyStoreError::Retired(id.clone()))?;
            let attrs = s
                .get_attributes(
                    handle,
                    &[
                        AttributeType::Sensitive,
                        AttributeType::Extractable,
                        AttributeType::AlwaysSensitive,
                        AttributeType::NeverExtractable,
                    ],
                )
                .map_err(ck("reading key attributes"))?;
            let mut p = KeyProtection {
                sensitive: false,
                extractable: true,
                always_sensitive: false,
                never_extractable: false,
            };
            for a in attrs {
                match a {
                    Attribute::Sensitive(v) => p.sensitive = v,
                    Attribute::Extractable(v) => p.extractable = v,
                    Attribute::AlwaysSensitive(v) => p.always_sensitive = v,
                    Attribute::NeverExtractable(v) => p.never_extractable = v,
                    _ => {}
                }
            }
            Ok(p)
        })
    }

    fn read_metadata(&self, s: &Session, id: &KeyId) -> Result<(ObjectHandle, Metadata)> {
        validate_label(&id.label)?;
        let handles = s
            .find_objects(&metadata_template(Some(id)))
            .map_err(ck("finding key metadata"))?;
        match handles.as_slice() {
            [] => Err(KeyStoreError::NotFound(id.to_string())),
            [h] => Ok((*h, read_metadata_value(s, *h, id)?)),
            _ => Err(KeyStoreError::corrupt(
                id.to_string(),
                "more than one metadata object on the token",
            )),
        }
    }

    /// All metadata objects on the token, keyed by id. Versions whose public key is missing
    /// (a generation interrupted after its claim) are left out.
    fn all_metadata(&self, s: &Session, label: Option<&str>) -> Result<Vec<(KeyId, Metadata)>> {
        let handles = s
            .find_objects(&metadata_template(None))
            .map_err(ck("finding key metadata"))?;
        let mut out = Vec::new();
        for h in handles {
            let attrs = s
                .get_attributes(h, &[AttributeType::Label])
                .map_err(ck("reading metadata label"))?;
            let Some(Attribute::Label(raw)) = attrs.into_iter().next() else {
                continue;
            };
            let name = String::from_utf8_lossy(&raw).into_owned();
            let id: KeyId = name.parse().map_err(|_| {
                KeyStoreError::corrupt(format!("token object {name:?}"), "not a label@vN name")
            })?;
            if label.is_some_and(|l| l != id.label) {
                continue;
            }
            if find_one(s, ObjectClass::PUBLIC_KEY, &id)?.is_none() {
                continue;
            }
            let meta = read_metadata_value(s, h, &id)?;
            out.push((id, meta));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    fn infos(&self, s: &Session, label: Option<&str>) -> Result<Vec<KeyInfo>> {
        let all = self.all_metadata(s, label)?;
        let mut result = Vec::new();
        let mut group: Vec<KeyInfo> = Vec::new();
        for (id, meta) in all {
            if group.first().is_some_and(|g| g.id.label != id.label) {
                assign_states(&mut group);
                result.append(&mut group);
            }
            group.push(info_from(id, &meta));
        }
        assign_states(&mut group);
        result.append(&mut group);
        Ok(result)
    }

    /// Claim `label@v(next)` and generate its key pair. `expect_existing` distinguishes
    /// `rotate` (label must exist) from `generate` (label must not).
    fn new_version(
        &self,
        label: &str,
        algorithm: Option<Algorithm>,
        expect_existing: bool,
        now: SystemTime,
    ) -> Result<KeyInfo> {
        validate_label(label)?;
        let _guard = lock(&self.write_lock);
        for attempt in 0..CLAIM_ATTEMPTS {
            let claimed = self.with_session(|s| {
                // Count every claim, including ones whose key pair is not there yet, so a
                // version number is never reused.
                let existing = claimed_versions(s, label)?;
                let newest = existing.iter().max().copied();
                let algorithm = match (newest, expect_existing) {
                    (None, true) => return Err(KeyStoreError::NotFound(label.to_owned())),
                    (Some(_), false) => return Err(KeyStoreError::AlreadyExists(label.to_owned())),
                    (None, false) => algorithm.unwrap_or_default(),
                    (Some(v), true) => match algorithm {
                        Some(a) => a,
                        None => self.read_metadata(s, &KeyId::new(label, v))?.1.algorithm,
                    },
                };
                let version = newest.unwrap_or(0).checked_add(1).ok_or_else(|| {
                    KeyStoreError::Conflict(format!("{label}: version numbers exhausted"))
                })?;
                let id = KeyId::new(label, version);
                let meta = Metadata {
                    algorithm,
                    created_us: unix_micros(now),
                    retired_us: None,
                    claim: random_hex()?,
                };
                let handle = create_metadata(s, &id, &meta)?;
                let claims = s
                    .find_objects(&metadata_template(Some(&id)))
                    .map_err(ck("finding key metadata"))?;
                // A concurrent generate() of a new label can also race at version 1.
                let rival_labels = !expect_existing && claimed_versions(s, label)?.len() > 1;
                if claims.len() > 1 || rival_labels {
                    s.destroy_object(handle)
                        .map_err(ck("withdrawing a claim"))?;
                    return Ok(None);
                }
                if let Err(e) = generate_key_pair(s, &id, algorithm) {
                    let _ = s.destroy_object(handle);
                    return Err(e);
                }
                Ok(Some(info_from(id, &meta)))
            })?;
            if let Some(mut info) = claimed {
                info.state = KeyState::Active;
                return Ok(info);
            }
            // Lost a race with another node: back off a random, growing while and retry.
            let jitter = u64::from(random_u8()?) + 10 * u64::from(attempt);
            std::thread::sleep(Duration::from_millis(jitter));
        }
        Err(KeyStoreError::Conflict(format!("key label {label}")))
    }

    fn sign_with(&self, id: &KeyId, data: &[u8], prehashed: bool) -> Result<Vec<u8>> {
        self.with_session(|s| {
            let (_, meta) = self.read_metadata(s, id)?;
            if meta.retired_us.is_some() {
                return Err(KeyStoreError::Retired(id.clone()));
            }
            let algorithm = meta.algorithm;
            let key = find_one(s, ObjectClass::PRIVATE_KEY, id)?
                .ok_or_else(|| KeyStoreError::Retired(id.clone()))?;
            let pss = PkcsPssParams {
                hash_alg: MechanismType::SHA256,
                mgf: PkcsMgfType::MGF1_SHA256,
                s_len: Ulong::new(32),
            };
            let sign = |mechanism: &Mechanism, input: &[u8]| {
                s.sign(mechanism, key, input).map_err(ck("C_Sign"))
            };
            if prehashed {
                check_digest(algorithm, data)?;
            }
            match algorithm {
                Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => {
                    let digest = match (prehashed, algorithm.hash()) {
                        (true, _) => data.to_vec(),
                        (false, Some(h)) => h.digest(data),
                        (false, None) => unreachable_hash(algorithm)?,
                    };
                    let raw = sign(&Mechanism::Ecdsa, &digest)?;
                    ecdsa_fixed_to_der(algorithm, &raw)
                        .map_err(|e| KeyStoreError::Crypto(format!("token returned {e}")))
                }
                Algorithm::Rsa2048Pkcs1v15Sha256 | Algorithm::Rsa3072Pkcs1v15Sha256 => {
                    if prehashed {
                        let mut digest_info = SHA256_DIGEST_INFO_PREFIX.to_vec();
                        digest_info.extend_from_slice(data);
                        sign(&Mechanism::RsaPkcs, &digest_info)
                    } else {
                        sign(&Mechanism::Sha256RsaPkcs, data)
                    }
                }
                Algorithm::Rsa2048PssSha256 | Algorithm::Rsa3072PssSha256 => {
                    if prehashed {
                        sign(&Mechanism::RsaPkcsPss(pss), data)
                    } else {
                        sign(&Mechanism::Sha256RsaPkcsPss(pss), data)
                    }
                }
                Algorithm::Ed25519 => {
                    if prehashed {
                        return Err(KeyStoreError::Unsupported {
                            algorithm,
                            operation: "signing a precomputed digest",
                        });
                    }
                    sign(
                        &Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure)),
                        data,
                    )
                }
            }
        })
    }
}

fn unreachable_hash(algorithm: Algorithm) -> Result<Vec<u8>> {
    Err(KeyStoreError::Unsupported {
        algorithm,
        operation: "hashing",
    })
}

impl KeyStore for Pkcs11KeyStore {
    fn backend(&self) -> &'static str {
        "pkcs11"
    }

    fn generate(&self, label: &str, algorithm: Algorithm, now: SystemTime) -> Result<KeyInfo> {
        self.new_version(label, Some(algorithm), false, now)
    }

    fn rotate(
        &self,
        label: &str,
        algorithm: Option<Algorithm>,
        now: SystemTime,
    ) -> Result<KeyInfo> {
        self.new_version(label, algorithm, true, now)
    }

    fn retire(&self, id: &KeyId, now: SystemTime) -> Result<KeyInfo> {
        self.with_session(|s| {
            let (handle, mut meta) = self.read_metadata(s, id)?;
            if meta.retired_us.is_none() {
                // Mark retired first: if the destroy below is interrupted, signing already
                // refuses, and the next retire() finishes the job.
                meta.retired_us = Some(unix_micros(now));
                update_metadata(s, handle, id, &meta)?;
            }
            if let Some(key) = find_one(s, ObjectClass::PRIVATE_KEY, id)? {
                s.destroy_object(key)
                    .map_err(ck("destroying the private key"))?;
            }
            Ok(())
        })?;
        self.key_info(id)
    }

    fn key_info(&self, id: &KeyId) -> Result<KeyInfo> {
        validate_label(&id.label)?;
        let infos = self.versions(&id.label).map_err(|e| match e {
            KeyStoreError::NotFound(_) => KeyStoreError::NotFound(id.to_string()),
            other => other,
        })?;
        infos
            .into_iter()
            .find(|k| k.id == *id)
            .ok_or_else(|| KeyStoreError::NotFound(id.to_string()))
    }

    fn versions(&self, label: &str) -> Result<Vec<KeyInfo>> {
        validate_label(label)?;
        let infos = self.with_session(|s| self.infos(s, Some(label)))?;
        if infos.is_empty() {
            return Err(KeyStoreError::NotFound(label.to_owned()));
        }
        Ok(infos)
    }

    fn list(&self) -> Result<Vec<KeyInfo>> {
        self.with_session(|s| self.infos(s, None))
    }

    fn public_key(&self, id: &KeyId) -> Result<Vec<u8>> {
        self.with_session(|s| {
            let (_, meta) = self.read_metadata(s, id)?;
            let handle = find_one(s, ObjectClass::PUBLIC_KEY, id)?
                .ok_or_else(|| KeyStoreError::NotFound(id.to_string()))?;
            public_key_spki(s, handle, id, meta.algorithm)
        })
    }

    fn sign(&self, id: &KeyId, message: &[u8]) -> Result<Vec<u8>> {
        self.sign_with(id, message, false)
    }

    fn sign_digest(&self, id: &KeyId, digest: &[u8]) -> Result<Vec<u8>> {
        self.sign_with(id, digest, true)
    }
}

fn info_from(id: KeyId, meta: &Metadata) -> KeyInfo {
    KeyInfo {
        id,
        algorithm: meta.algorithm,
        created_us: meta.created_us,
        retired_us: meta.retired_us,
        state: if meta.retired_us.is_some() {
            KeyState::Retired
        } else {
            KeyState::Active
        },
    }
}

fn metadata_template(id: Option<&KeyId>) -> Vec<Attribute> {
    let mut t = vec![
        Attribute::Class(ObjectClass::DATA),
        Attribute::Application(APPLICATION.to_vec()),
    ];
    if let Some(id) = id {
        t.push(Attribute::Label(id.to_string().into_bytes()));
    }
    t
}

/// Version numbers claimed for `label` (metadata objects, complete or not).
fn claimed_versions(s: &Session, label: &str) -> Result<Vec<u32>> {
    let handles = s
        .find_objects(&metadata_template(None))
        .map_err(ck("finding key metadata"))?;
    let mut versions = Vec::new();
    for h in handles {
        let attrs = s
            .get_attributes(h, &[AttributeType::Label])
            .map_err(ck("reading metadata label"))?;
        if let Some(Attribute::Label(raw)) = attrs.into_iter().next()
            && let Ok(id) = String::from_utf8_lossy(&raw).parse::<KeyId>()
            && id.label == label
        {
            versions.push(id.version);
        }
    }
    Ok(versions)
}

fn read_metadata_value(s: &Session, handle: ObjectHandle, id: &KeyId) -> Result<Metadata> {
    let attrs = s
        .get_attributes(handle, &[AttributeType::Value])
        .map_err(ck("reading key metadata"))?;
    let Some(Attribute::Value(value)) = attrs.into_iter().next() else {
        return Err(KeyStoreError::corrupt(
            id.to_string(),
            "metadata has no value",
        ));
    };
    serde_json::from_slice(&value)
        .map_err(|e| KeyStoreError::corrupt(id.to_string(), format!("bad metadata: {e}")))
}

fn create_metadata(s: &Session, id: &KeyId, meta: &Metadata) -> Result<ObjectHandle> {
    let value = serde_json::to_vec(meta).map_err(KeyStoreError::crypto)?;
    let mut template = metadata_template(Some(id));
    template.extend([
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Modifiable(true),
        Attribute::Value(value),
    ]);
    s.create_object(&template)
        .map_err(ck("creating key metadata"))
}

fn update_metadata(s: &Session, handle: ObjectHandle, id: &KeyId, meta: &Metadata) -> Result<()> {
    let value = serde_json::to_vec(meta).map_err(KeyStoreError::crypto)?;
    match s.update_attributes(handle, &[Attribute::Value(value)]) {
        Ok(()) => Ok(()),
        // Some tokens treat a data object's value as read-only: replace the object instead,
        // creating the new one first so the metadata is never missing.
        Err(e) if is_rv(&e, RvError::AttributeReadOnly) => {
            create_metadata(s, id, meta)?;
            s.destroy_object(handle)
                .map_err(ck("replacing key metadata"))
        }
        Err(e) => Err(ck("updating key metadata")(e)),
    }
}

fn find_one(s: &Session, class: ObjectClass, id: &KeyId) -> Result<Option<ObjectHandle>> {
    let name = id.to_string().into_bytes();
    let handles = s
        .find_objects(&[
            Attribute::Class(class),
            Attribute::Label(name.clone()),
            Attribute::Id(name),
        ])
        .map_err(ck("finding key objects"))?;
    match handles.as_slice() {
        [] => Ok(None),
        [h] => Ok(Some(*h)),
        _ => Err(KeyStoreError::corrupt(
            id.to_string(),
            "more than one key object with this label on the token",
        )),
    }
}

fn ec_params(kind: KeyKind) -> Result<Vec<u8>> {
    let curve = match kind {
        KeyKind::P256 => oid::SECP256R1,
        KeyKind::P384 => oid::SECP384R1,
        // PKCS#11 3.0 identifies Edwards curves by their RFC 8410 OID.
        KeyKind::Ed25519 => oid::ED25519,
        KeyKind::Rsa { .. } => return Ok(Vec::new()),
    };
    curve.to_der().map_err(KeyStoreError::crypto)
}

fn generate_key_pair(s: &Session, id: &KeyId, algorithm: Algorithm) -> Result<()> {
    let name = id.to_string().into_bytes();
    let kind = algorithm.key_kind();
    let mut public = vec![
        Attribute::Token(true),
        Attribute::Private(false),
        Attribute::Verify(true),
        Attribute::Encrypt(false),
        Attribute::Wrap(false),
        Attribute::Label(name.clone()),
        Attribute::Id(name.clone()),
    ];
    let private = vec![
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Sign(true),
        Attribute::Decrypt(false),
        Attribute::Unwrap(false),
        Attribute::Derive(false),
        Attribute::Label(name.clone()),
        Attribute::Id(name),
    ];
    let mechanism = match kind {
        KeyKind::P256 | KeyKind::P384 => {
            public.push(Attribute::EcParams(ec_params(kind)?));
            Mechanism::EccKeyPairGen
        }
        KeyKind::Ed25519 => {
            public.push(Attribute::EcParams(ec_params(kind)?));
            Mechanism::EccEdwardsKeyPairGen
        }
        KeyKind::Rsa { bits } => {
            let bits = bits.try_into().map_err(KeyStoreError::crypto)?;
            public.push(Attribute::ModulusBits(Ulong::new(bits)));
            public.push(Attribute::PublicExponent(vec![0x01, 0x00, 0x01]));
            Mechanism::RsaPkcsKeyPairGen
        }
    };
    s.generate_key_pair(&mechanism, &public, &private)
        .map_err(ck("generating a key pair"))?;
    Ok(())
}

/// Strip the DER OCTET STRING some tokens (SoftHSM2 included) wrap around `CKA_EC_POINT`;
/// others return the bare point. The lengths tell the two apart.
fn ec_point(raw: &[u8], expected_len: usize) -> Option<Vec<u8>> {
    if raw.len() == expected_len {
        return Some(raw.to_vec());
    }
    let octets = <der::asn1::OctetString as der::Decode>::from_der(raw).ok()?;
    (octets.as_bytes().len() == expected_len).then(|| octets.as_bytes().to_vec())
}

fn public_key_spki(
    s: &Session,
    handle: ObjectHandle,
    id: &KeyId,
    algorithm: Algorithm,
) -> Result<Vec<u8>> {
    let corrupt = |why: &str| KeyStoreError::corrupt(id.to_string(), why.to_owned());
    let kind = algorithm.key_kind();
    let doc = match kind {
        KeyKind::P256 | KeyKind::P384 | KeyKind::Ed25519 => {
            let attrs = s
                .get_attributes(handle, &[AttributeType::EcPoint])
                .map_err(ck("reading the public key"))?;
            let Some(Attribute::EcPoint(raw)) = attrs.into_iter().next() else {
                return Err(corrupt("public key has no EC point"));
            };
            match kind {
                KeyKind::P256 => {
                    let point = ec_point(&raw, 65).ok_or_else(|| corrupt("bad P-256 point"))?;
                    p256::PublicKey::from_sec1_bytes(&point)
                        .map_err(|_| corrupt("P-256 point not on the curve"))?
                        .to_public_key_der()
                }
                KeyKind::P384 => {
                    let point = ec_point(&raw, 97).ok_or_else(|| corrupt("bad P-384 point"))?;
                    p384::PublicKey::from_sec1_bytes(&point)
                        .map_err(|_| corrupt("P-384 point not on the curve"))?
                        .to_public_key_der()
                }
                _ => {
                    let point: [u8; 32] = ec_point(&raw, 32)
                        .and_then(|p| p.try_into().ok())
                        .ok_or_else(|| corrupt("bad Ed25519 public key"))?;
                    ed25519_dalek::VerifyingKey::from_bytes(&point)
                        .map_err(|_| corrupt("invalid Ed25519 public key"))?
                        .to_public_key_der()
                }
            }
        }
        KeyKind::Rsa { bits } => {
            let attrs = s
                .get_attributes(
                    handle,
                    &[AttributeType::Modulus, AttributeType::PublicExponent],
                )
                .map_err(ck("reading the public key"))?;
            let (mut n, mut e) = (None, None);
            for a in attrs {
                match a {
                    Attribute::Modulus(v) => n = Some(v),
                    Attribute::PublicExponent(v) => e = Some(v),
                    _ => {}
                }
            }
            let (n, e) = n
                .zip(e)
                .ok_or_else(|| corrupt("RSA public key incomplete"))?;
            let key = rsa::RsaPublicKey::new(
                rsa::BoxedUint::from_be_slice_vartime(&n),
                rsa::BoxedUint::from_be_slice_vartime(&e),
            )
            .map_err(|e| corrupt(&format!("invalid RSA public key: {e}")))?;
            if rsa::traits::PublicKeyParts::size(&key) * 8 != bits {
                return Err(corrupt("RSA modulus size does not match the algorithm"));
            }
            key.to_public_key_der()
        }
    }
    .map_err(KeyStoreError::crypto)?;
    Ok(doc.as_bytes().to_vec())
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b)
        .map_err(|e| KeyStoreError::Crypto(format!("operating system RNG failed: {e}")))?;
    Ok(b)
}

fn random_hex() -> Result<String> {
    Ok(random_bytes::<16>()?
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn random_u8() -> Result<u8> {
    Ok(random_bytes::<1>()?[0] % 64)
}
