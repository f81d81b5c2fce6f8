//! `dasan committee`: an opening-committee member's own key, kept off the platform. `keygen`
//! makes the key pair (the private half in a file only its owner can read; the public half to
//! register with `PUT /api/v1/procurement/member-key` or on the portal's committee page);
//! `share` decrypts the member's share of a tender key from the published tender, on the
//! member's machine, and prints what to release after the opening time.

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use dasan_procurement::{MemberSecretKey, committee_key_file, member_share, read_committee_key};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum CommitteeCommand {
    /// Make your committee key pair.
    ///
    /// Writes the private key to FILE (readable by you only; never give it to anyone, the
    /// platform included) and prints the public key (hex) to register.
    Keygen {
        /// Where to write the private key (refused if the file exists).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Decrypt your share of a tender's key, on your own machine.
    ///
    /// Prints the request body for `POST /api/v1/procurement/tenders/{id}/shares` (or the
    /// share's hex, to paste into the portal's committee page).
    Share {
        /// The tender as `GET /api/v1/procurement/tenders/{id}` returns it (with `ceremony`).
        #[arg(long, value_name = "FILE")]
        tender: PathBuf,
        /// Your private key file, as `dasan committee keygen` wrote it.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        #[arg(long, value_enum, default_value_t = ShareFormat::Json)]
        format: ShareFormat,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ShareFormat {
    /// `{"share": "<hex>"}`
    Json,
    /// The share's bytes in hex.
    Hex,
}

pub fn run(cmd: CommitteeCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        CommitteeCommand::Keygen { out } => {
            let (secret, public) = MemberSecretKey::generate();
            let text = committee_key_file(&secret);
            write_private(&out, text.as_bytes())?;
            println!("{}", public.to_hex());
            Ok(ExitCode::SUCCESS)
        }
        CommitteeCommand::Share {
            tender,
            key,
            format,
        } => {
            let tender_text = std::fs::read_to_string(&tender)
                .with_context(|| format!("cannot read {}", tender.display()))?;
            let key_text = zeroize::Zeroizing::new(
                std::fs::read_to_string(&key)
                    .with_context(|| format!("cannot read {}", key.display()))?,
            );
            let secret = read_committee_key(&key_text)?;
            let (tender_id, share) = member_share(&tender_text, &secret)?;
            let hex = zeroize::Zeroizing::new(
                share
                    .to_bytes()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>(),
            );
            match format {
                ShareFormat::Json => {
                    println!("{}", serde_json::json!({ "share": hex.as_str() }))
                }
                ShareFormat::Hex => println!("{}", hex.as_str()),
            }
            eprintln!(
                "member {} of tender {tender_id}: release after the opening time with \
                 POST /api/v1/procurement/tenders/{tender_id}/shares",
                share.member_index()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Creates `path` for its owner only (0600 on Unix), refusing to replace an existing file.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{} exists: choose another file", path.display())
        }
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
    };
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}
