//! `dasan pki init`: create the platform PKI from a spec file.

use clap::Subcommand;
use dasan_config::Config;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum PkiCommand {
    /// Create the root CA, the agencies' issuing CAs and their end-entity certificates (and,
    /// if the spec asks, a border test CSCA with document signers), keys in the key store,
    /// certificates and CRLs in the database for the portal to publish. Runs once.
    Init {
        /// The PKI spec (TOML); see docs/pki-spec.example.toml.
        #[arg(long, value_name = "FILE")]
        spec: PathBuf,
    },
}

pub async fn run(cmd: PkiCommand, config: &Config) -> anyhow::Result<ExitCode> {
    match cmd {
        PkiCommand::Init { spec } => {
            let text = std::fs::read_to_string(&spec)
                .map_err(|e| anyhow::anyhow!("reading {}: {e}", spec.display()))?;
            let spec: dasan_crypto::pki::PkiSpec = toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("the PKI spec {}: {e}", spec.display()))?;
            let db = dasan::open_database(config).await?;
            db.migrate().await?;
            let layout = dasan::init_pki(config, &db, spec).await?;
            db.close().await;
            println!("created the platform PKI:");
            println!("  root CA: {}", layout.root.certificate.subject);
            for a in &layout.agencies {
                println!(
                    "  {} issuing CA with {} end-entity certificate(s)",
                    a.code,
                    a.end_entities.len()
                );
            }
            if let Some(b) = &layout.border {
                println!(
                    "  border test CSCA {} with {} document signer(s)",
                    b.country,
                    b.document_signers.len()
                );
            }
            println!(
                "published at /pki/root.crt, /pki/crl/… and /.well-known/dasan/trust-list.jws"
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
