//! `dasan mrz …` and `dasan passport …`: thin command-line front ends over `dasan-mrtd`.
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum MrzCommand {
    /// Read MRZ lines from standard input and print the parsed zone as JSON.
    Parse,
}

#[derive(Subcommand)]
pub enum PassportCommand {
    /// Passive authentication of a folder of chip files.
    Verify {
        /// Folder holding EF.COM, EF.SOD and the data groups.
        dir: std::path::PathBuf,
        /// CSCA certificate(s) or master list to anchor the chain.
        #[arg(long)]
        csca: Option<std::path::PathBuf>,
    },
}

pub fn run_mrz(_cmd: MrzCommand) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}

pub fn run_passport(_cmd: PassportCommand) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
