//! `dasan audit verify`: recompute the log from the database, or check a remote log against a
//! checkpoint an auditor kept.

use anyhow::{Context, bail};
use clap::Subcommand;
use dasan_audit::{AuditLog, check_extension};
use dasan_config::Config;
use dasan_tlog::{ConsistencyProof, Hash, NoteVerifier, VerifierSet};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the audit log. Without --url: recompute the whole Merkle tree from this
    /// installation's database and check every stored hash and signed checkpoint. With --url and
    /// --checkpoint: check that a running portal's log is an append-only extension of a
    /// checkpoint you kept.
    Verify {
        /// A portal's address, e.g. https://portal.example.go.kr
        #[arg(long, requires = "checkpoint")]
        url: Option<String>,
        /// A signed checkpoint you saved earlier (from /api/v1/audit/checkpoint).
        #[arg(long, requires = "url")]
        checkpoint: Option<PathBuf>,
        /// The log's verifier key (`name+hash+key`, or a file holding it). Default: the key
        /// store's checkpoint key (database mode) or the portal's published key, which the kept
        /// checkpoint's signature must match (remote mode).
        #[arg(long)]
        key: Option<String>,
        /// Remote mode: write the portal's current checkpoint here once it checks out, to use
        /// as `--checkpoint` next time.
        #[arg(long, requires = "url")]
        save: Option<PathBuf>,
    },
}

pub async fn run(cmd: AuditCommand, config: &Config) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify {
            url: Some(url),
            checkpoint: Some(file),
            key,
            save,
        } => verify_remote(&url, &file, key.as_deref(), save.as_deref()).await,
        AuditCommand::Verify { key, .. } => verify_database(config, key.as_deref()).await,
    }
}

fn read_key(key: &str) -> anyhow::Result<NoteVerifier> {
    let text = if std::path::Path::new(key).is_file() {
        std::fs::read_to_string(key).with_context(|| format!("reading {key}"))?
    } else {
        key.to_owned()
    };
    NoteVerifier::from_vkey(text.trim()).map_err(|e| anyhow::anyhow!("the verifier key: {e}"))
}

async fn verify_database(config: &Config, key: Option<&str>) -> anyhow::Result<ExitCode> {
    let db = dasan::open_database(config).await?;
    let verifier = match key {
        Some(k) => read_key(k)?,
        None => {
            let store = dasan::open_key_store(config)?;
            // The key's name is the log's origin, which the newest stored checkpoint names.
            let origin = newest_origin(&db).await?;
            dasan_audit::checkpoint_verifier(&*store, &origin).with_context(
                || "no usable checkpoint key in the key store (give the log's key with --key)",
            )?
        }
    };
    let origin = verifier.name().to_owned();
    let log = AuditLog::verifier_only(db.clone(), &origin, VerifierSet::single(verifier));
    let report = log.verify().await?;
    db.close().await;
    if report.is_ok() {
        println!(
            "audit log OK: {} events, {} checkpoints and {} stored hashes match; root {}",
            report.size,
            report.checkpoints_checked,
            report.stored_hashes_checked,
            report.root.to_base64()
        );
        return Ok(ExitCode::SUCCESS);
    }
    match report.first_bad_records() {
        Some(r) if r.end - r.start == 1 => {
            println!(
                "audit log TAMPERED: the first event that differs is at index {}",
                r.start
            )
        }
        Some(r) => println!(
            "audit log TAMPERED: the first difference is among events {}..{}",
            r.start, r.end
        ),
        None => println!("audit log TAMPERED"),
    }
    println!("{} finding(s):", report.findings_total);
    for f in &report.findings {
        println!("  {}", serde_json::to_string(f)?);
    }
    Ok(ExitCode::FAILURE)
}

async fn newest_origin(db: &dasan_store::Database) -> anyhow::Result<String> {
    let note: Option<(String,)> = dasan_store::on_reader!(db, |p| sqlx::query_as(
        "SELECT note FROM audit_checkpoints ORDER BY size DESC LIMIT 1"
    )
    .fetch_optional(p)
    .await)?;
    match note {
        Some((note,)) => Ok(note.lines().next().unwrap_or_default().to_owned()),
        None => bail!("the database holds no checkpoint yet: nothing to verify against"),
    }
}

async fn verify_remote(
    url: &str,
    file: &std::path::Path,
    key: Option<&str>,
    save: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    // reqwest is built without a default TLS provider; use ring, like the database driver.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let base = url.trim_end_matches('/');
    let old_note =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let origin = old_note.lines().next().unwrap_or_default().to_owned();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()?;
    let get = |path: String| {
        let client = client.clone();
        async move {
            let r = client.get(&path).send().await?;
            if !r.status().is_success() {
                bail!("{path}: HTTP {}", r.status());
            }
            Ok::<_, anyhow::Error>(r)
        }
    };
    let verifier = match key {
        Some(k) => read_key(k)?,
        None => {
            let text = get(format!("{base}/api/v1/audit/key"))
                .await?
                .text()
                .await?;
            read_key(text.lines().next().unwrap_or_default())?
        }
    };
    let verifiers = VerifierSet::single(verifier);
    let new_note = get(format!("{base}/api/v1/audit/checkpoint"))
        .await?
        .text()
        .await?;
    let heads = |note: &str| dasan_audit::unverified_head(note).map(|h| h.size);
    let (Some(old_size), Some(new_size)) = (heads(&old_note), heads(&new_note)) else {
        bail!("a checkpoint is malformed");
    };
    let proof: serde_json::Value = get(format!(
        "{base}/api/v1/audit/proof/consistency?from={old_size}&to={new_size}"
    ))
    .await?
    .json()
    .await?;
    let hashes = proof["hashes"]
        .as_array()
        .context("the consistency proof has no hashes")?
        .iter()
        .map(|h| {
            h.as_str()
                .and_then(|s| Hash::from_base64(s).ok())
                .context("a proof hash is not base64 of 32 bytes")
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let proof = ConsistencyProof {
        old_size,
        new_size,
        hashes,
    };
    match check_extension(&old_note, &new_note, &proof, &verifiers, &origin) {
        Ok((old, new)) => {
            println!(
                "OK: the log {origin} at size {} is an append-only extension of your checkpoint at size {}",
                new.size, old.size
            );
            if let Some(path) = save {
                std::fs::write(path, &new_note)
                    .with_context(|| format!("writing {}", path.display()))?;
                println!("saved the current checkpoint to {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("FAILED: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
