//! `dasan doc verify FILE.pdf` and `dasan doc verify-qr PAYLOAD`: check an official document
//! offline, against a saved trust list (`/.well-known/dasan/trust-list.jws`) and the pinned
//! platform root (`/pki/root.crt`). Nothing is fetched: revocation is for the online check
//! (`/verify`), and the output says so.
use anyhow::{Context, bail};
use clap::Subcommand;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

#[derive(Subcommand)]
pub enum DocCommand {
    /// Check a signed PDF: the signature's mathematics (byte range, digest, signature,
    /// time-stamp) and that its signer is a document-signing key of the trust list.
    ///
    /// Prints JSON. Exits 0 when genuine, 3 when not.
    Verify {
        file: PathBuf,
        #[command(flatten)]
        trust: Trust,
    },
    /// Check a QR seal's payload (`DSN1:…`) against the trust list's document-signing keys and
    /// print what it attests.
    ///
    /// Prints JSON. Exits 0 when genuine and current, 3 when not genuine, 4 when expired.
    VerifyQr {
        payload: String,
        #[command(flatten)]
        trust: Trust,
    },
}

#[derive(clap::Args)]
pub struct Trust {
    /// The platform's signed trust list (compact JWS), saved from
    /// /.well-known/dasan/trust-list.jws.
    #[arg(long)]
    trust_list: PathBuf,
    /// The platform root certificate (DER or PEM) the trust list must chain to.
    #[arg(long)]
    root: PathBuf,
}

/// The document-signing certificates (DER) of a verified trust list.
fn signing_certificates(trust: &Trust) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    use base64::Engine;
    let root = read(&trust.root)?;
    let root = super::mrtd::der_blocks(&root, "CERTIFICATE")
        .into_iter()
        .next()
        .context("no certificate in the root file")?;
    let jws = std::fs::read_to_string(&trust.trust_list)
        .with_context(|| format!("reading {}", trust.trust_list.display()))?;
    let list = dasan_crypto::trust_list::verify_trust_list(&jws, &root, SystemTime::now())
        .context("the trust list does not verify against the root")?;
    let mut certs = Vec::new();
    for entry in list
        .entries
        .iter()
        .filter(|e| e.purpose == "document-signing")
    {
        if let Some(leaf) = entry.certificate_chain.first() {
            let der = base64::engine::general_purpose::STANDARD
                .decode(leaf)
                .context("a trust list certificate is not base64")?;
            certs.push((entry.agency.clone().unwrap_or_default(), der));
        }
    }
    if certs.is_empty() {
        bail!("the trust list names no document-signing key");
    }
    Ok(certs)
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn print(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

pub fn run(cmd: DocCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        DocCommand::Verify { file, trust } => {
            let certs = signing_certificates(&trust)?;
            let pdf = read(&file)?;
            match dasan_docs::pades::verify_integrity(&pdf) {
                Ok(report) => {
                    let signer = certs
                        .iter()
                        .find(|(_, der)| *der == report.signer_certificate)
                        .map(|(agency, _)| agency.clone());
                    let time_stamp = report.time_stamp.map(|t| {
                        jiff::Timestamp::try_from(t)
                            .map(|t| t.to_string())
                            .unwrap_or_default()
                    });
                    print(&json!({
                        "genuine": signer.is_some(),
                        "signature": "intact",
                        "signed_by": signer,
                        "time_stamp": time_stamp,
                        "revocation": "not checked offline: check the document at the portal's /verify",
                    }));
                    Ok(ExitCode::from(if signer.is_some() { 0 } else { 3 }))
                }
                Err(e) => {
                    print(&json!({ "genuine": false, "signature": e.to_string() }));
                    Ok(ExitCode::from(3))
                }
            }
        }
        DocCommand::VerifyQr { payload, trust } => {
            let certs = signing_certificates(&trust)?;
            let ders: Vec<&[u8]> = certs.iter().map(|(_, d)| d.as_slice()).collect();
            match dasan_docs::seal::verify_qr_payload(&payload, &ders) {
                Ok(claims) => {
                    let expired = claims.is_expired_at(SystemTime::now());
                    let at = |s: u64| {
                        jiff::Timestamp::from_second(i64::try_from(s).unwrap_or(0))
                            .map(|t| t.to_string())
                            .unwrap_or_default()
                    };
                    print(&json!({
                        "verdict": if expired { "expired" } else { "valid" },
                        "document_type": claims.document_type,
                        "issue_number": claims.issue_number,
                        "issuer": claims.issuer,
                        "subject_id": claims.subject_id,
                        "subject_name": claims.subject_name,
                        "facts": claims.facts,
                        "issued_at": at(claims.issued_at),
                        "expires_at": at(claims.expires_at),
                        "revocation": "not checked offline: check the document at the portal's /verify",
                    }));
                    Ok(ExitCode::from(if expired { 4 } else { 0 }))
                }
                Err(e) => {
                    print(&json!({ "verdict": "forged", "reason": e.to_string() }));
                    Ok(ExitCode::from(3))
                }
            }
        }
    }
}
