//! `dasan ocds export`: the open contracting data of this installation's database, offline —
//! the same packages as `/api/v1/ocds/bulk` and `/api/v1/ocds/daily/{date}`, streamed to a file.

use anyhow::{Context, bail};
use clap::Subcommand;
use dasan_config::Config;
use dasan_kernel::Timestamp;
use dasan_ocds::package::{PackageMeta, Publisher};
use dasan_ocds::{RecordPackageWriter, ReleasePackageWriter, record_linked};
use dasan_procurement::OcdsExport;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum OcdsCommand {
    /// Write every procedure's OCDS releases (a release package), or their records, to a file.
    Export {
        /// Where to write the package (`-` for standard output).
        #[arg(long)]
        out: PathBuf,
        /// Write a record package (compiled releases; releases linked into the bulk download)
        /// instead of a release package.
        #[arg(long)]
        records: bool,
        /// Only the releases dated on this UTC day (`YYYY-MM-DD`): the daily package.
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
}

pub async fn run(cmd: OcdsCommand, config: &Config) -> anyhow::Result<ExitCode> {
    let OcdsCommand::Export { out, records, date } = cmd;
    let db = dasan::open_database(config).await?;
    let keys = dasan::open_key_store(config)?;
    let procurement = dasan_procurement::Procurement::new(
        db.clone(),
        dasan_registry::Registry::new(db.clone()),
        keys,
        dasan::procurement_config(config),
    );
    let prefix = procurement.config().ocid_prefix.clone();
    let base = config
        .server
        .public_url
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    let (mut export, uri) = match &date {
        None => (
            OcdsExport::all(prefix),
            if records {
                format!("{base}/api/v1/ocds/bulk?package=records")
            } else {
                format!("{base}/api/v1/ocds/bulk")
            },
        ),
        Some(day) => {
            if records {
                bail!("--records and --date cannot be combined (the daily package holds releases)");
            }
            let day: jiff::civil::Date = day
                .parse()
                .with_context(|| format!("--date {day}: not a YYYY-MM-DD date"))?;
            let from = Timestamp::from_jiff(day.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp());
            let to = Timestamp::from_micros(from.as_micros() + 86_400_000_000);
            (
                OcdsExport::between(prefix, from, to),
                format!("{base}/api/v1/ocds/daily/{day}"),
            )
        }
    };
    let meta = PackageMeta {
        uri,
        published_date: db.clock().now(),
        publisher: Publisher {
            name: "Dasan".into(),
            scheme: None,
            uid: None,
            uri: Some(format!("{base}/")),
        },
        license: None,
        publication_policy: None,
        links: None,
    };
    let sink: Box<dyn Write> = if out.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(
            std::fs::File::create(&out).with_context(|| format!("creating {}", out.display()))?,
        )
    };
    let sink = BufWriter::with_capacity(1 << 16, sink);
    let release_url = format!("{base}/api/v1/ocds/bulk");
    let (count, procedures) = if records {
        let mut w = RecordPackageWriter::new(sink, &meta)?;
        let mut n = 0;
        while let Some(batch) = export.next_batch(&procurement).await? {
            for rs in batch {
                w.write(&record_linked(&rs, &release_url)?)?;
                n += 1;
            }
        }
        let count = w.count();
        w.finish()?.flush()?;
        (count, n)
    } else {
        let mut w = ReleasePackageWriter::new(sink, &meta)?;
        let mut n = 0;
        while let Some(batch) = export.next_batch(&procurement).await? {
            for rs in batch {
                for r in &rs {
                    w.write(r)?;
                }
                n += 1;
            }
        }
        let count = w.count();
        w.finish()?.flush()?;
        (count, n)
    };
    db.close().await;
    eprintln!(
        "wrote {count} {} of {procedures} procedures",
        if records { "records" } else { "releases" }
    );
    Ok(ExitCode::SUCCESS)
}
