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
    /// Issue certificates as an operator: an official of the issuing agency, authenticated by
    /// an API token of their own account scoped to `civil.review` (read from --token-file or
    /// DASAN_OPERATOR_TOKEN, never from the command line). Every document goes through the
    /// portal's issuance path and is audited the same way, with the operator named.
    ///
    /// One document: --type TYPE --subject ID --out FILE.pdf. A batch: --batch FILE.csv with
    /// rows `type,subject,out` (paths relative to the file). Prints one JSON line per row;
    /// a bad row does not stop the others. Exits 0 when every row was issued, 3 otherwise.
    Issue(IssueArgs),
}

#[derive(clap::Args)]
pub struct IssueArgs {
    /// resident-registration, family-relations, business-registration, tax-payment or
    /// land-register (or a service code).
    #[arg(long = "type", requires_all = ["subject", "out"], conflicts_with = "batch")]
    kind: Option<String>,
    /// National identifier, business registration number or parcel number.
    #[arg(long)]
    subject: Option<String>,
    #[arg(long)]
    out: Option<PathBuf>,
    /// CSV rows `type,subject,out`.
    #[arg(long, required_unless_present = "kind")]
    batch: Option<PathBuf>,
    /// A file holding the operator's API token.
    #[arg(long)]
    token_file: Option<PathBuf>,
}

impl DocCommand {
    /// Whether the command works on the platform's database (and so needs the configuration).
    pub fn needs_config(&self) -> bool {
        matches!(self, DocCommand::Issue(_))
    }
}

/// `dasan doc issue`.
pub async fn issue(args: IssueArgs, config: &dasan_config::Config) -> anyhow::Result<ExitCode> {
    let token = match (&args.token_file, std::env::var("DASAN_OPERATOR_TOKEN")) {
        (Some(path), _) => {
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
        }
        (None, Ok(token)) => token,
        (None, Err(_)) => {
            bail!("give the operator's API token with --token-file or DASAN_OPERATOR_TOKEN")
        }
    };
    let rows = match (&args.batch, args.kind, args.subject, args.out) {
        (Some(batch), ..) => {
            let text = std::fs::read_to_string(batch)
                .with_context(|| format!("reading {}", batch.display()))?;
            let base = batch.parent().unwrap_or(Path::new("."));
            dasan::issue::read_batch(&text, base)
        }
        (None, Some(kind), Some(subject), Some(out)) => {
            vec![(1, Ok(dasan::issue::IssueRow { kind, subject, out }))]
        }
        _ => bail!("give --type, --subject and --out, or --batch"),
    };
    let db = dasan::open_database(config).await?;
    db.migrate().await?;
    let Some(operator) = dasan::issue::operator(&db, &token).await? else {
        db.close().await;
        bail!("the API token is unknown, expired or revoked");
    };
    let keys = dasan::open_key_store(config)?;
    let civil = dasan::build_civil(config, &db, keys)?;
    let outcomes = dasan::issue::issue_rows(&civil, &operator, rows).await;
    db.close().await;
    let mut failed = 0;
    for o in &outcomes {
        match &o.result {
            Ok(number) => println!(
                "{}",
                json!({ "row": o.row, "subject": o.subject, "issued": number })
            ),
            Err(why) => {
                failed += 1;
                println!(
                    "{}",
                    json!({ "row": o.row, "subject": o.subject, "error": why })
                );
            }
        }
    }
    eprintln!("{} issued, {failed} failed", outcomes.len() - failed);
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
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
        // Routed to `issue` with the configuration (see `needs_config`).
        DocCommand::Issue(_) => bail!("`dasan doc issue` needs the platform's configuration"),
    }
}
