//! `dasan bid seal`: a supplier seals and signs a bid on their own machine, so the platform
//! never sees the plaintext. Nothing is fetched: the tender's public key comes from the notice
//! file the supplier saved (`GET /api/v1/procurement/tenders/{id}`) or is given as hex.

use anyhow::{Context, bail};
use base64::Engine as _;
use clap::{Subcommand, ValueEnum};
use dasan_procurement::{SignedBid, TenderPublicKey, load_signing_key, seal_bid_file};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum BidCommand {
    /// Seal a bid to the tender's key and sign it with your bidder key.
    ///
    /// Prints the bid id (SHA-256 of the envelope, as on the receipt and the bid-box record).
    Seal {
        /// The tender notice as the API returns it (JSON with `id` and `public_key`), or a file
        /// holding only the tender's public key in hex.
        #[arg(long, value_name = "FILE")]
        tender: PathBuf,
        /// The bid: JSON with `lots` (`lot_id`, `currency`, `amount_minor`), optional
        /// `reserve_price_picks` (two numbers 1..=15), `documents` and `attachments`;
        /// `tender_id` defaults to the notice's and `supplier_id` to `--supplier`.
        #[arg(long, value_name = "FILE")]
        bid: PathBuf,
        /// Your bidder signing key: PKCS#8 Ed25519 or ECDSA P-256 (PEM or DER); its public key
        /// must be registered for you with the supplier.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The supplier's business registry id, when the bid file does not name it.
        #[arg(long)]
        supplier: Option<String>,
        /// Where to write the signed bid.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// `dsbs`: the raw signed submission; `json`: the API request body
        /// (`{"submission": "<base64>"}`) for `POST /api/v1/procurement/tenders/{id}/bids`.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Dsbs,
    Json,
}

pub fn run(cmd: BidCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BidCommand::Seal {
            tender,
            bid,
            key,
            supplier,
            out,
            format,
        } => {
            let tender_text = std::fs::read_to_string(&tender)
                .with_context(|| format!("cannot read {}", tender.display()))?;
            let (tender_id, public_key) = tender_key(&tender_text)?;
            let bid_text = std::fs::read_to_string(&bid)
                .with_context(|| format!("cannot read {}", bid.display()))?;
            let mut payload: serde_json::Value =
                serde_json::from_str(&bid_text).context("the bid file is not JSON")?;
            let fields = payload
                .as_object_mut()
                .context("the bid file must hold a JSON object")?;
            fill(fields, "tender_id", tender_id.as_deref(), "the notice")?;
            fill(fields, "supplier_id", supplier.as_deref(), "--supplier")?;
            let key_bytes =
                std::fs::read(&key).with_context(|| format!("cannot read {}", key.display()))?;
            let signer = load_signing_key(&key_bytes)?;
            let signed = seal_bid_file(&public_key, &payload.to_string(), signer.as_ref())?;
            let bid_id = SignedBid::parse_and_verify(&signed)?.sealed.id();
            let bytes = match format {
                Format::Dsbs => signed,
                Format::Json => serde_json::to_vec(&serde_json::json!({
                    "submission": base64::engine::general_purpose::STANDARD.encode(&signed),
                }))?,
            };
            std::fs::write(&out, bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!("{}", bid_id.to_hex());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The tender id (if the file says) and public key from a notice JSON or a hex key.
fn tender_key(text: &str) -> anyhow::Result<(Option<String>, TenderPublicKey)> {
    let text = text.trim();
    if let Ok(notice) = serde_json::from_str::<serde_json::Value>(text)
        && notice.is_object()
    {
        let hex = notice["public_key"]
            .as_str()
            .or_else(|| notice["ceremony"]["public_key"].as_str())
            .context("the notice has no public_key")?;
        let key = TenderPublicKey::from_hex(hex).context("the notice's public_key")?;
        return Ok((notice["id"].as_str().map(str::to_owned), key));
    }
    Ok((
        None,
        TenderPublicKey::from_hex(text)
            .context("the tender file is neither a notice (JSON) nor a hex public key")?,
    ))
}

fn fill(
    fields: &mut serde_json::Map<String, serde_json::Value>,
    name: &str,
    value: Option<&str>,
    source: &str,
) -> anyhow::Result<()> {
    match (fields.get(name).and_then(|v| v.as_str()), value) {
        (Some(given), Some(v)) if given != v => {
            bail!("the bid file's {name} {given} differs from {source} ({v})")
        }
        (Some(_), _) => Ok(()),
        (None, Some(v)) => {
            fields.insert(name.to_owned(), v.into());
            Ok(())
        }
        (None, None) => bail!("the bid file has no {name}, and {source} does not give one"),
    }
}
