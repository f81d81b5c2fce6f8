//! `dasan registry …` and `dasan demo generate`: thin command-line front ends over
//! `dasan-registry`.
use clap::{Subcommand, ValueEnum};
use dasan_kernel::Actor;
use dasan_registry::demo::{self, DemoSpec};
use dasan_registry::{Format, ImportOptions, KoreanRrn, RecordKind, Registry, RowError};
use dasan_store::Database;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum RegistryCommand {
    /// Import records from a CSV or JSON Lines file, all or nothing (bad rows are listed on
    /// standard error; any bad row means nothing is written).
    Import {
        /// Which registry the file is for.
        #[arg(value_enum)]
        kind: KindArg,
        /// The file (`-` for standard input).
        file: PathBuf,
        /// Check every row and report what would change, without changing anything.
        #[arg(long)]
        dry_run: bool,
        /// The file format (default: from the file name; CSV unless `.jsonl`/`.ndjson`).
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
    },
}

#[derive(Subcommand)]
pub enum DemoCommand {
    /// Write a deterministic demo country as import files (agencies, people, businesses).
    Generate {
        #[arg(long, default_value_t = 200)]
        people: usize,
        #[arg(long, default_value_t = 30)]
        businesses: usize,
        /// The same seed always gives the same files.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Folder to write into.
        #[arg(long, default_value = "demo-data")]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
        format: FormatArg,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    People,
    Businesses,
    Agencies,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Csv,
    Jsonl,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Csv => Format::Csv,
            FormatArg::Jsonl => Format::Jsonl,
        }
    }
}

impl From<KindArg> for RecordKind {
    fn from(k: KindArg) -> RecordKind {
        match k {
            KindArg::People => RecordKind::People,
            KindArg::Businesses => RecordKind::Businesses,
            KindArg::Agencies => RecordKind::Agencies,
        }
    }
}

/// Runs a registry command on an open, migrated database. Exit status 1 when rows were bad.
pub async fn run_registry(cmd: RegistryCommand, db: &Database) -> anyhow::Result<ExitCode> {
    match cmd {
        RegistryCommand::Import {
            kind,
            file,
            dry_run,
            format,
        } => {
            let format = format.map_or_else(|| Format::from_path(&file), Format::from);
            let reader: Box<dyn std::io::Read + Send> = if file.as_os_str() == "-" {
                Box::new(std::io::stdin())
            } else {
                let f = std::fs::File::open(&file)
                    .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", file.display()))?;
                Box::new(std::io::BufReader::with_capacity(1 << 16, f))
            };
            let registry = Registry::new(db.clone());
            let started = std::time::Instant::now();
            let mut report = |e: &RowError| eprintln!("{}: {e}", file.display());
            let summary = registry
                .import(
                    Actor::system(),
                    kind.into(),
                    format,
                    reader,
                    ImportOptions {
                        dry_run,
                        keep_errors: 0,
                    },
                    &mut report,
                )
                .await?;
            let c = summary.counts;
            println!(
                "{}: {} rows: {} inserted, {} updated, {} unchanged, {} bad ({:.1} s)",
                summary.kind.as_str(),
                c.rows,
                c.inserted,
                c.updated,
                c.unchanged,
                c.errors,
                started.elapsed().as_secs_f64()
            );
            if summary.committed {
                println!("committed (import {})", summary.import_id);
                Ok(ExitCode::SUCCESS)
            } else if dry_run && c.errors == 0 {
                println!("dry run: nothing was changed");
                Ok(ExitCode::SUCCESS)
            } else {
                println!("nothing was changed: fix the rows listed above and import again");
                Ok(ExitCode::FAILURE)
            }
        }
    }
}

/// Runs a demo command (no database needed).
pub fn run_demo(cmd: DemoCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        DemoCommand::Generate {
            people,
            businesses,
            seed,
            out,
            format,
        } => {
            let spec = DemoSpec {
                people,
                businesses,
                seed,
            };
            let files = demo::generate_to_dir(&spec, &KoreanRrn, &out, format.into())?;
            println!(
                "wrote {} agencies, {people} people and {} businesses (seed {seed}):",
                demo::AGENCIES.len(),
                files.business_count
            );
            for path in [&files.agencies, &files.people, &files.businesses] {
                println!("  {}", path.display());
            }
            println!("import them in this order with `dasan registry import <kind> <file>`");
            Ok(ExitCode::SUCCESS)
        }
    }
}
