//! Smart border clearance in the server: the `[border]` configuration made into a
//! [`Border`] service, its trust anchors and key, and its background tasks.

use anyhow::Context as _;
use dasan_border::gate::GateConfig;
use dasan_border::store::{BiometricKey, Border, BorderConfig, EnrolmentRules};
use dasan_config::Config;
use dasan_mrtd::{TrustStore, lds};
use dasan_store::Database;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// DER, or the DER inside PEM blocks with `label`.
pub fn der_blocks(bytes: &[u8], label: &str) -> Vec<Vec<u8>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return vec![bytes.to_vec()];
    };
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(b) = rest.find(&begin) {
        let after = &rest[b + begin.len()..];
        let Some(e) = after.find(&end) else { break };
        let b64: String = after[..e].split_whitespace().collect();
        use base64::Engine;
        if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(&b64) {
            out.push(der);
        }
        rest = &after[e + end.len()..];
    }
    if out.is_empty() {
        out.push(bytes.to_vec());
    }
    out
}

/// Reads CSCA certificates or master lists (DER or PEM) and CRLs into a trust store.
pub fn load_trust(cscas: &[PathBuf], crls: &[PathBuf]) -> anyhow::Result<TrustStore> {
    let mut trust = TrustStore::new();
    for path in cscas {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        for der in der_blocks(&bytes, "CERTIFICATE") {
            if trust.add_csca_der(&der).is_ok() {
                continue;
            }
            let list = lds::parse_master_list(&der).with_context(|| {
                format!(
                    "{}: neither a certificate nor a CSCA master list",
                    path.display()
                )
            })?;
            trust.add_master_list(&list).map_err(|why| {
                anyhow::anyhow!("{}: master list refused: {why:?}", path.display())
            })?;
        }
    }
    for path in crls {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        for der in der_blocks(&bytes, "X509 CRL") {
            trust
                .add_crl_der(&der)
                .with_context(|| format!("{}: not a CRL", path.display()))?;
        }
    }
    Ok(trust)
}

fn hex32(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn key_id(key: &[u8; 32]) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(key);
    format!(
        "bio-{}",
        d.iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

/// The key sealing biometric template references: from the environment variable the
/// configuration names, or from the key file (created with a random key on first use).
pub fn biometric_key(config: &Config) -> anyhow::Result<BiometricKey> {
    let b = &config.border;
    if !b.biometric_key_env.is_empty() {
        let text = std::env::var(&b.biometric_key_env).with_context(|| {
            format!(
                "the environment variable {} named by border.biometric_key_env is not set",
                b.biometric_key_env
            )
        })?;
        let key = hex32(&text)
            .with_context(|| format!("{} must hold 64 hexadecimal digits", b.biometric_key_env))?;
        return Ok(BiometricKey::new(key_id(&key), key));
    }
    let path: PathBuf = if b.biometric_key_file.as_os_str().is_empty() {
        config
            .keys
            .kek_file
            .parent()
            .unwrap_or(Path::new("."))
            .join("border-biometric.key")
    } else {
        b.biometric_key_file.clone()
    };
    let path: &Path = &path;
    if !path.exists() {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("random key: {e}"))?;
        write_secret(path, &key)?;
        tracing::warn!(file = %path.display(), "created a new biometric reference key file: back it up apart from the database");
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
        anyhow::anyhow!(
            "{}: a biometric key file holds exactly 32 bytes",
            path.display()
        )
    })?;
    Ok(BiometricKey::new(key_id(&key), key))
}

fn write_secret(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The rules' configuration from `[border]`. Its version names the values (a digest of the
/// section), so a decision record says which configuration decided it.
pub fn gate_config(config: &Config) -> GateConfig {
    use sha2::{Digest, Sha256};
    let b = &config.border;
    let mut gate = GateConfig {
        self_service_nationalities: b.self_service_nationalities.clone(),
        minimum_age: b.gate_minimum_age,
        require_active_authentication: b.require_active_authentication,
        biometric_min_threshold: b.biometric_min_threshold.clone(),
        ..GateConfig::default()
    };
    gate.screening.hit_threshold = b.hit_threshold;
    gate.screening.min_name_score = b.min_name_score;
    let digest = Sha256::digest(serde_json::to_vec(b).unwrap_or_default());
    gate.version = format!(
        "config-{}",
        digest
            .iter()
            .take(6)
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    );
    gate
}

/// Trust anchors given in code rather than files (the demo's test PKI).
#[derive(Clone, Debug, Default)]
pub struct ExtraTrust {
    /// CSCA certificates, DER.
    pub csca_der: Vec<Vec<u8>>,
    /// CRLs, DER.
    pub crl_der: Vec<Vec<u8>>,
}

/// Opens the border service: configuration, key, trust anchors (plus `extra`, e.g. the demo
/// PKI), and the screening index built from the database.
pub async fn open(config: &Config, db: &Database, extra: &ExtraTrust) -> anyhow::Result<Border> {
    let b = &config.border;
    let mut trust = load_trust(&b.csca_files, &b.crl_files)?;
    for der in &extra.csca_der {
        trust
            .add_csca_der(der)
            .map_err(|e| anyhow::anyhow!("CSCA: {e}"))?;
    }
    for der in &extra.crl_der {
        trust
            .add_crl_der(der)
            .map_err(|e| anyhow::anyhow!("CRL: {e}"))?;
    }
    if trust.cscas().is_empty() {
        tracing::warn!(
            "no CSCA configured (border.csca_files): every chip will be referred as not anchored"
        );
    }
    let border_config = BorderConfig {
        gate: gate_config(config),
        enrolment: EnrolmentRules {
            eligible_nationalities: b.enrolment_nationalities.clone(),
            minimum_age: b.enrolment_minimum_age,
            validity_years: b.enrolment_years,
            consent_version: b.consent_version.clone(),
        },
        max_clock_skew: Duration::from_secs(b.max_clock_skew_secs),
        biometric_key: biometric_key(config)?,
    };
    Ok(Border::open(db.clone(), border_config, trust).await?)
}

/// Keeps a node's screening snapshot current (another node may import a list) and prunes
/// expired gate nonces, until `stop` completes.
pub async fn run_tasks(border: Border, refresh: Duration, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    let prune_every = Duration::from_secs(60);
    let mut since_prune = Duration::ZERO;
    loop {
        tokio::select! {
            () = &mut stop => break,
            () = tokio::time::sleep(refresh) => {}
        }
        match border.refresh_if_changed().await {
            Ok(true) => tracing::info!("watchlists changed on another node: screening refreshed"),
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "refreshing the screening index failed; will retry")
            }
        }
        since_prune += refresh;
        if since_prune >= prune_every {
            since_prune = Duration::ZERO;
            match border.prune_gate_nonces().await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(pruned = n, "expired gate nonces removed"),
                Err(e) => tracing::warn!(error = %e, "pruning gate nonces failed; will retry"),
            }
        }
    }
}
