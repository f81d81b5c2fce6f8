//! File backend: one directory, one encrypted file per key version.
//!
//! ```text
//! <dir>/keystore.json              header: format, store id, KEK kind (+ Argon2id salt/costs),
//!                                  and a KEK check value (so a wrong KEK is reported as such)
//! <dir>/.lock                      advisory lock serialising writers across processes
//! <dir>/keys/<label>/v00000001.key one JSON file per key version
//! ```
//!
//! Each key file holds its metadata and public key in clear and the PKCS#8 private key sealed
//! with XChaCha20-Poly1305 under the KEK (see the `kek` module for why that AEAD). The
//! associated data binds the store id, label, version, algorithm, timestamps, retirement and
//! public key, so a file cannot be edited, renamed, swapped with another version or label, or
//! moved to another store without failing authentication. Retiring rewrites the file with an
//! empty sealed payload, destroying the private key.
//!
//! Writes go to a temporary file that is fsynced, then linked (new versions: `hard_link`
//! refuses to overwrite) or renamed (retirement) into place, and the directory is fsynced.
//! Writers take an exclusive lock on `.lock`, so nodes sharing the folder (e.g. over NFS with
//! working locks) allocate version numbers one at a time; readers need no lock because every
//! file appears atomically. Files are created with mode 0600 and directories 0700 on Unix.
//!
//! Decrypted signing keys are kept in memory for [`UNLOCKED_FOR`] after use, so a busy signer
//! (bid receipts in a deadline rush) does not read and decrypt a file per signature; a key
//! retired by another node stops signing here within that time.
//!
//! Not covered: rolling the whole folder (or one file) back to an older backup is not
//! detectable here, since there is no monotonic counter outside the folder.

use std::collections::HashMap;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::algorithm::Algorithm;
use crate::b64;
use crate::keystore::kek::{Kek, KekHeader, Sealed};
use crate::keystore::software::SoftwareKey;
use crate::keystore::{
    Argon2Params, KekSource, KeyId, KeyInfo, KeyState, KeyStore, KeyStoreError, Result,
    assign_states, unix_micros, validate_label,
};

const HEADER_FILE: &str = "keystore.json";
const LOCK_FILE: &str = ".lock";
const KEYS_DIR: &str = "keys";
const STORE_FORMAT: &str = "dasan-keystore/1";
const KEY_FORMAT: &str = "dasan-key/1";
const AEAD_NAME: &str = "xchacha20poly1305";
const KEK_CHECK_PLAINTEXT: &[u8] = b"dasan-keystore KEK check";
/// How long a decrypted signing key stays in memory after it was read from its file.
pub const UNLOCKED_FOR: Duration = Duration::from_secs(60);

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    store_id: String,
    aead: String,
    kek: KekHeader,
    check_nonce: String,
    check_ciphertext: String,
}

/// On-disk form of one key version.
#[derive(Serialize, Deserialize)]
struct KeyFile {
    format: String,
    label: String,
    version: u32,
    algorithm: Algorithm,
    created_us: i64,
    retired_us: Option<i64>,
    /// DER SubjectPublicKeyInfo, base64.
    public_key: String,
    nonce: String,
    /// Sealed PKCS#8 private key, or a sealed empty payload once retired.
    ciphertext: String,
}

/// Metadata and public key of a key file whose authenticity has been checked.
struct Verified {
    info: KeyInfo,
    public_key: Vec<u8>,
    /// The private key; `None` once retired.
    pkcs8: Option<Zeroizing<Vec<u8>>>,
}

/// A key store in a local (or shared) directory, encrypted at rest. See the module docs.
pub struct FileKeyStore {
    dir: PathBuf,
    store_id: Vec<u8>,
    kek: Kek,
    /// Signing keys decrypted in the last [`UNLOCKED_FOR`].
    unlocked: Mutex<HashMap<KeyId, Unlocked>>,
}

struct Unlocked {
    at: Instant,
    algorithm: Algorithm,
    key: Arc<SoftwareKey>,
}

impl fmt::Debug for FileKeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileKeyStore")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl FileKeyStore {
    /// Create a new store in `dir` (created if missing). Passphrase KEKs use the OWASP
    /// Argon2id parameters.
    ///
    /// # Errors
    /// [`KeyStoreError::StoreExists`] if `dir` already holds a store.
    pub fn create(dir: impl AsRef<Path>, kek: &KekSource) -> Result<Self> {
        Self::create_with_params(dir, kek, Argon2Params::default())
    }

    /// As [`create`](Self::create), with explicit Argon2id costs (refused if below the OWASP
    /// minimum).
    ///
    /// # Errors
    /// As [`create`](Self::create), plus [`KeyStoreError::Kek`] for weak parameters.
    pub fn create_with_params(
        dir: impl AsRef<Path>,
        kek_source: &KekSource,
        params: Argon2Params,
    ) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        create_private_dir(&dir)?;
        let _lock = lock(&dir)?;
        let header_path = dir.join(HEADER_FILE);
        if header_path.exists() {
            return Err(KeyStoreError::StoreExists(dir));
        }
        let kek_header = KekHeader::new(kek_source.kind(), params)?;
        let kek = Kek::resolve(kek_source, &kek_header)?;
        let mut store_id = vec![0u8; 16];
        getrandom::fill(&mut store_id)
            .map_err(|e| KeyStoreError::Crypto(format!("operating system RNG failed: {e}")))?;
        let check = kek.seal(KEK_CHECK_PLAINTEXT, &header_aad(&store_id))?;
        let header = Header {
            format: STORE_FORMAT.into(),
            store_id: b64::encode(&store_id),
            aead: AEAD_NAME.into(),
            kek: kek_header,
            check_nonce: b64::encode(&check.nonce),
            check_ciphertext: b64::encode(&check.ciphertext),
        };
        let json = serde_json::to_vec_pretty(&header).map_err(KeyStoreError::crypto)?;
        write_new(&header_path, &json)?;
        create_private_dir(&dir.join(KEYS_DIR))?;
        Ok(FileKeyStore {
            dir,
            store_id,
            kek,
            unlocked: Mutex::default(),
        })
    }

    /// Open an existing store.
    ///
    /// # Errors
    /// [`KeyStoreError::NoStore`] if there is none; [`KeyStoreError::WrongKek`] if the KEK
    /// does not match; [`KeyStoreError::Corrupt`] for a damaged header.
    pub fn open(dir: impl AsRef<Path>, kek_source: &KekSource) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        let header_path = dir.join(HEADER_FILE);
        let bytes = match fs::read(&header_path) {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::NotFound => return Err(KeyStoreError::NoStore(dir)),
            Err(e) => return Err(KeyStoreError::io(&header_path, e)),
        };
        let corrupt =
            |reason: &str| KeyStoreError::corrupt(header_path.display().to_string(), reason);
        let header: Header =
            serde_json::from_slice(&bytes).map_err(|e| corrupt(&format!("not a header: {e}")))?;
        if header.format != STORE_FORMAT {
            return Err(corrupt(&format!("unsupported format {:?}", header.format)));
        }
        if header.aead != AEAD_NAME {
            return Err(corrupt(&format!("unsupported AEAD {:?}", header.aead)));
        }
        let store_id = b64::decode(&header.store_id).map_err(|_| corrupt("bad store id"))?;
        let check = Sealed {
            nonce: b64::decode(&header.check_nonce)
                .ok()
                .and_then(|n| n.try_into().ok())
                .ok_or_else(|| corrupt("bad check nonce"))?,
            ciphertext: b64::decode(&header.check_ciphertext)
                .map_err(|_| corrupt("bad check value"))?,
        };
        let kek = Kek::resolve(kek_source, &header.kek)?;
        match kek.open(&check, &header_aad(&store_id)) {
            Some(p) if p.as_slice() == KEK_CHECK_PLAINTEXT => {}
            _ => return Err(KeyStoreError::WrongKek(dir)),
        }
        Ok(FileKeyStore {
            dir,
            store_id,
            kek,
            unlocked: Mutex::default(),
        })
    }

    /// Open the store in `dir`, creating it if there is none. Safe when several nodes start at
    /// once: creation is serialised by the lock and never overwrites a header.
    ///
    /// # Errors
    /// As [`open`](Self::open) and [`create`](Self::create).
    pub fn open_or_create(dir: impl AsRef<Path>, kek: &KekSource) -> Result<Self> {
        match Self::open(&dir, kek) {
            Err(KeyStoreError::NoStore(_)) => match Self::create(&dir, kek) {
                Err(KeyStoreError::StoreExists(_)) => Self::open(&dir, kek),
                other => other,
            },
            other => other,
        }
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn label_dir(&self, label: &str) -> PathBuf {
        self.dir.join(KEYS_DIR).join(label)
    }

    fn key_path(&self, id: &KeyId) -> PathBuf {
        self.label_dir(&id.label)
            .join(format!("v{:08}.key", id.version))
    }

    /// Version numbers present for a label, ascending (names only; nothing is decrypted).
    fn version_numbers(&self, label: &str) -> Result<Vec<u32>> {
        let dir = self.label_dir(label);
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(KeyStoreError::io(&dir, e)),
        };
        let mut versions = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| KeyStoreError::io(&dir, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            // Temporary files of interrupted writes start with '.', and are ignored.
            if let Some(v) = parse_version_file_name(name) {
                versions.push(v);
            }
        }
        versions.sort_unstable();
        Ok(versions)
    }

    fn read_key_file(&self, id: &KeyId) -> Result<Verified> {
        validate_label(&id.label)?;
        let path = self.key_path(id);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(KeyStoreError::NotFound(id.to_string()));
            }
            Err(e) => return Err(KeyStoreError::io(&path, e)),
        };
        let object = path.display().to_string();
        let corrupt = |reason: String| KeyStoreError::corrupt(object.clone(), reason);
        let file: KeyFile =
            serde_json::from_slice(&bytes).map_err(|e| corrupt(format!("not a key file: {e}")))?;
        if file.format != KEY_FORMAT {
            return Err(corrupt(format!("unsupported format {:?}", file.format)));
        }
        if file.label != id.label || file.version != id.version {
            return Err(corrupt(format!(
                "file claims to be {}@v{} but is stored as {id}",
                file.label, file.version
            )));
        }
        let public_key = b64::decode(&file.public_key)
            .map_err(|_| corrupt("public key is not base64".into()))?;
        let sealed = Sealed {
            nonce: b64::decode(&file.nonce)
                .ok()
                .and_then(|n| n.try_into().ok())
                .ok_or_else(|| corrupt("bad nonce".into()))?,
            ciphertext: b64::decode(&file.ciphertext)
                .map_err(|_| corrupt("ciphertext is not base64".into()))?,
        };
        let aad = key_aad(
            &self.store_id,
            id,
            file.algorithm,
            file.created_us,
            file.retired_us,
            &public_key,
        );
        // The header check already proved the KEK right, so a failure here means the file
        // was modified, swapped with another, or copied from another store.
        let plaintext = self.kek.open(&sealed, &aad).ok_or_else(|| {
            corrupt("authentication failed (modified, swapped, or from another store)".into())
        })?;
        let pkcs8 = match (file.retired_us, plaintext.is_empty()) {
            (None, false) => Some(plaintext),
            (Some(_), true) => None,
            _ => return Err(corrupt("retirement state and payload disagree".into())),
        };
        let mut info = KeyInfo {
            id: id.clone(),
            algorithm: file.algorithm,
            created_us: file.created_us,
            retired_us: file.retired_us,
            state: KeyState::Active,
        };
        let newest = self.version_numbers(&id.label)?.into_iter().max();
        info.state = if info.retired_us.is_some() {
            KeyState::Retired
        } else if newest == Some(id.version) {
            KeyState::Active
        } else {
            KeyState::Superseded
        };
        Ok(Verified {
            info,
            public_key,
            pkcs8,
        })
    }

    fn write_key_file(
        &self,
        info: &KeyInfo,
        public_key: &[u8],
        pkcs8: Option<&[u8]>,
        replace_existing: bool,
    ) -> Result<()> {
        let aad = key_aad(
            &self.store_id,
            &info.id,
            info.algorithm,
            info.created_us,
            info.retired_us,
            public_key,
        );
        let sealed = self.kek.seal(pkcs8.unwrap_or_default(), &aad)?;
        let file = KeyFile {
            format: KEY_FORMAT.into(),
            label: info.id.label.clone(),
            version: info.id.version,
            algorithm: info.algorithm,
            created_us: info.created_us,
            retired_us: info.retired_us,
            public_key: b64::encode(public_key),
            nonce: b64::encode(&sealed.nonce),
            ciphertext: b64::encode(&sealed.ciphertext),
        };
        let json = serde_json::to_vec_pretty(&file).map_err(KeyStoreError::crypto)?;
        let path = self.key_path(&info.id);
        if replace_existing {
            replace(&path, &json)
        } else {
            write_new(&path, &json)
        }
    }

    /// Generate a key and write it as `id`. Caller holds the lock.
    fn create_version(&self, id: KeyId, algorithm: Algorithm, now: SystemTime) -> Result<KeyInfo> {
        let key = SoftwareKey::generate(algorithm)?;
        let pkcs8 = key.to_pkcs8()?;
        let public_key = key.public_key_der()?;
        drop(key);
        create_private_dir(&self.label_dir(&id.label))?;
        let info = KeyInfo {
            id,
            algorithm,
            created_us: unix_micros(now),
            retired_us: None,
            state: KeyState::Active,
        };
        self.write_key_file(&info, &public_key, Some(&pkcs8), false)?;
        Ok(info)
    }

    fn signing_key(&self, id: &KeyId) -> Result<(Algorithm, Arc<SoftwareKey>)> {
        let now = Instant::now();
        let mut unlocked = self.unlocked.lock().unwrap_or_else(PoisonError::into_inner);
        unlocked.retain(|_, u| now.duration_since(u.at) < UNLOCKED_FOR);
        if let Some(u) = unlocked.get(id) {
            return Ok((u.algorithm, Arc::clone(&u.key)));
        }
        drop(unlocked);
        let verified = self.read_key_file(id)?;
        let pkcs8 = verified
            .pkcs8
            .ok_or_else(|| KeyStoreError::Retired(id.clone()))?;
        let key = Arc::new(
            SoftwareKey::from_pkcs8(verified.info.algorithm, &pkcs8)
                .map_err(|e| KeyStoreError::corrupt(id.to_string(), e.to_string()))?,
        );
        let algorithm = verified.info.algorithm;
        self.unlocked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                id.clone(),
                Unlocked {
                    at: now,
                    algorithm,
                    key: Arc::clone(&key),
                },
            );
        Ok((algorithm, key))
    }
}

impl KeyStore for FileKeyStore {
    fn backend(&self) -> &'static str {
        "file"
    }

    fn generate(&self, label: &str, algorithm: Algorithm, now: SystemTime) -> Result<KeyInfo> {
        validate_label(label)?;
        let _lock = lock(&self.dir)?;
        if !self.version_numbers(label)?.is_empty() {
            return Err(KeyStoreError::AlreadyExists(label.to_owned()));
        }
        self.create_version(KeyId::new(label, 1), algorithm, now)
    }

    fn rotate(
        &self,
        label: &str,
        algorithm: Option<Algorithm>,
        now: SystemTime,
    ) -> Result<KeyInfo> {
        validate_label(label)?;
        let _lock = lock(&self.dir)?;
        let newest = self
            .version_numbers(label)?
            .into_iter()
            .max()
            .ok_or_else(|| KeyStoreError::NotFound(label.to_owned()))?;
        let newest_id = KeyId::new(label, newest);
        let algorithm = match algorithm {
            Some(a) => a,
            None => self.read_key_file(&newest_id)?.info.algorithm,
        };
        let next = newest.checked_add(1).ok_or_else(|| {
            KeyStoreError::Conflict(format!("{label}: version numbers exhausted"))
        })?;
        self.create_version(KeyId::new(label, next), algorithm, now)
    }

    fn retire(&self, id: &KeyId, now: SystemTime) -> Result<KeyInfo> {
        let _lock = lock(&self.dir)?;
        self.unlocked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
        let verified = self.read_key_file(id)?;
        if verified.info.retired_us.is_some() {
            return Ok(verified.info);
        }
        let mut info = verified.info;
        info.retired_us = Some(unix_micros(now));
        info.state = KeyState::Retired;
        // Rewriting without the payload destroys the private key (the old ciphertext is
        // unlinked; it was only ever stored encrypted).
        self.write_key_file(&info, &verified.public_key, None, true)?;
        Ok(info)
    }

    fn key_info(&self, id: &KeyId) -> Result<KeyInfo> {
        Ok(self.read_key_file(id)?.info)
    }

    fn versions(&self, label: &str) -> Result<Vec<KeyInfo>> {
        validate_label(label)?;
        let numbers = self.version_numbers(label)?;
        if numbers.is_empty() {
            return Err(KeyStoreError::NotFound(label.to_owned()));
        }
        let mut infos = numbers
            .into_iter()
            .map(|v| Ok(self.read_key_file(&KeyId::new(label, v))?.info))
            .collect::<Result<Vec<_>>>()?;
        // Recompute states from one directory scan so the list is self-consistent.
        assign_states(&mut infos);
        Ok(infos)
    }

    fn list(&self) -> Result<Vec<KeyInfo>> {
        let keys_dir = self.dir.join(KEYS_DIR);
        let entries = match fs::read_dir(&keys_dir) {
            Ok(e) => e,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(KeyStoreError::io(&keys_dir, e)),
        };
        let mut labels = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| KeyStoreError::io(&keys_dir, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if validate_label(name).is_ok() {
                labels.push(name.to_owned());
            }
        }
        labels.sort();
        let mut all = Vec::new();
        for label in labels {
            match self.versions(&label) {
                Ok(v) => all.extend(v),
                // A label directory left empty by an interrupted first write has no key.
                Err(KeyStoreError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(all)
    }

    fn public_key(&self, id: &KeyId) -> Result<Vec<u8>> {
        Ok(self.read_key_file(id)?.public_key)
    }

    fn current(&self, label: &str) -> Result<KeyInfo> {
        // Only the newest file needs reading (the default reads every version).
        validate_label(label)?;
        let newest = self
            .version_numbers(label)?
            .into_iter()
            .max()
            .ok_or_else(|| KeyStoreError::NotFound(label.to_owned()))?;
        let info = self.read_key_file(&KeyId::new(label, newest))?.info;
        if info.state == KeyState::Retired {
            return Err(KeyStoreError::NoActiveVersion(label.to_owned()));
        }
        Ok(info)
    }

    fn sign(&self, id: &KeyId, message: &[u8]) -> Result<Vec<u8>> {
        let (algorithm, key) = self.signing_key(id)?;
        key.sign(algorithm, message)
    }

    fn sign_digest(&self, id: &KeyId, digest: &[u8]) -> Result<Vec<u8>> {
        let (algorithm, key) = self.signing_key(id)?;
        key.sign_digest(algorithm, digest)
    }
}

fn parse_version_file_name(name: &str) -> Option<u32> {
    let digits = name.strip_prefix('v')?.strip_suffix(".key")?;
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|v| *v > 0)
}

fn header_aad(store_id: &[u8]) -> Vec<u8> {
    let mut aad = Vec::new();
    push_field(&mut aad, STORE_FORMAT.as_bytes());
    push_field(&mut aad, b"header");
    push_field(&mut aad, store_id);
    aad
}

/// Length-prefixed encoding of everything a key file's ciphertext is bound to.
fn key_aad(
    store_id: &[u8],
    id: &KeyId,
    algorithm: Algorithm,
    created_us: i64,
    retired_us: Option<i64>,
    public_key: &[u8],
) -> Vec<u8> {
    let mut aad = Vec::new();
    push_field(&mut aad, KEY_FORMAT.as_bytes());
    push_field(&mut aad, store_id);
    push_field(&mut aad, id.label.as_bytes());
    push_field(&mut aad, &id.version.to_be_bytes());
    push_field(&mut aad, algorithm.as_str().as_bytes());
    push_field(&mut aad, &created_us.to_be_bytes());
    match retired_us {
        None => push_field(&mut aad, b""),
        Some(t) => push_field(&mut aad, &t.to_be_bytes()),
    }
    push_field(&mut aad, public_key);
    aad
}

fn push_field(out: &mut Vec<u8>, field: &[u8]) {
    // Fields here are far below 4 GiB; saturate rather than panic if that ever changed.
    let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(field);
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| KeyStoreError::io(dir, e))
}

/// Take the store's exclusive writer lock; released when the returned file is dropped.
fn lock(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK_FILE);
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&path)
        .map_err(|e| KeyStoreError::io(&path, e))?;
    file.lock().map_err(|e| KeyStoreError::io(&path, e))?;
    Ok(file)
}

/// Write `bytes` to a fresh temporary file next to `target` and fsync it.
fn write_temp(target: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let dir = target
        .parent()
        .ok_or_else(|| KeyStoreError::io(target, ErrorKind::InvalidInput.into()))?;
    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix)
        .map_err(|e| KeyStoreError::Crypto(format!("operating system RNG failed: {e}")))?;
    let tmp = dir.join(format!(".tmp-{}", hex(&suffix)));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = options.open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(KeyStoreError::io(&tmp, e));
    }
    Ok(tmp)
}

/// Atomically create `target` with `bytes`; fails if it exists.
fn write_new(target: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = write_temp(target, bytes)?;
    // hard_link never replaces an existing file: a second writer cannot clobber a version.
    let linked = fs::hard_link(&tmp, target);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => sync_dir(target),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            Err(KeyStoreError::Conflict(target.display().to_string()))
        }
        Err(e) => Err(KeyStoreError::io(target, e)),
    }
}

/// Atomically replace `target` with `bytes`.
fn replace(target: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = write_temp(target, bytes)?;
    if let Err(e) = fs::rename(&tmp, target) {
        let _ = fs::remove_file(&tmp);
        return Err(KeyStoreError::io(target, e));
    }
    sync_dir(target)
}

/// fsync the directory holding `path`, so the new directory entry survives a crash.
fn sync_dir(path: &Path) -> Result<()> {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| KeyStoreError::io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_file_names() {
        assert_eq!(parse_version_file_name("v00000001.key"), Some(1));
        assert_eq!(parse_version_file_name("v00000120.key"), Some(120));
        for bad in [
            "v1.key",
            "v00000000.key",
            ".tmp-abc",
            "v0000000a.key",
            "x00000001.key",
        ] {
            assert_eq!(parse_version_file_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn aad_fields_are_unambiguous() {
        let id = KeyId::new("ab", 1);
        let a = key_aad(b"s", &id, Algorithm::Ed25519, 1, None, b"pk");
        let b = key_aad(b"s", &id, Algorithm::Ed25519, 1, Some(0), b"pk");
        let c = key_aad(
            b"s",
            &KeyId::new("a", 1),
            Algorithm::Ed25519,
            1,
            None,
            b"bpk",
        );
        assert_ne!(a, b);
        assert_ne!(a, c);
    }
}
