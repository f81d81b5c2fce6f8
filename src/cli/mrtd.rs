//! `dasan mrz …` and `dasan passport …`: thin command-line front ends over `dasan-mrtd`.
use anyhow::{Context, bail};
use clap::Subcommand;
use dasan_mrtd::lds;
use dasan_mrtd::mrz::Mrz;
use dasan_mrtd::{Date, PassiveAuthInput, TrustStore, Verdict, passive_authentication};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

#[derive(Subcommand)]
pub enum MrzCommand {
    /// Read MRZ lines from standard input and print the parsed zone as JSON.
    ///
    /// Exits 0 when the zone is valid, 3 when it is not (the JSON says why).
    Parse {
        /// Reference date for two-digit years (YYYY-MM-DD; default today): a birth date is
        /// the latest date not after it, an expiry date lies within 50 years before it and
        /// 49 after.
        #[arg(long)]
        reference: Option<String>,
        /// Try the OCR repair (0/O, 1/I, 2/Z, 5/S, 8/B in fields of a known type) when the
        /// zone does not validate; a repair is accepted only if every check then passes.
        #[arg(long)]
        repair: bool,
        /// Many zones, separated by blank lines: one JSON object per line, exit 0.
        #[arg(long)]
        jsonl: bool,
    },
}

#[derive(Subcommand)]
pub enum PassportCommand {
    /// Passive authentication of a folder of chip files.
    ///
    /// Prints the report as JSON. Exits 0 when every check passed, 3 when a check failed,
    /// 4 when nothing failed but the data is not proven genuine (no CSCA anchors the
    /// document signer, or a core check could not be made).
    Verify {
        /// Folder holding EF.COM, EF.SOD and the data groups (EF_COM.bin, EF_SOD.bin,
        /// Datagroup1.bin, ... as the BSI sample names them; EF.COM, EF.SOD, DG1.bin, ... too).
        dir: std::path::PathBuf,
        /// CSCA certificate(s) (DER or PEM) or a CSCA master list to anchor the chain;
        /// repeatable.
        #[arg(long)]
        csca: Vec<std::path::PathBuf>,
        /// CRL(s) of the CSCA (DER or PEM); repeatable.
        #[arg(long)]
        crl: Vec<std::path::PathBuf>,
        /// Verification time (YYYY-MM-DD, midnight UTC; default now).
        #[arg(long)]
        at: Option<String>,
        /// The MRZ printed on the data page (a text file) to compare with DG1.
        #[arg(long)]
        mrz: Option<std::path::PathBuf>,
    },
}

const EXIT_INVALID: u8 = 3;
const EXIT_NOT_PROVEN: u8 = 4;

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn parse_date(s: &str) -> anyhow::Result<Date> {
    let parts: Vec<&str> = s.split('-').collect();
    let bad = || anyhow::anyhow!("{s:?} is not a date (YYYY-MM-DD)");
    let [y, m, d] = parts[..] else {
        return Err(bad());
    };
    Date::new(
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    )
    .ok_or_else(bad)
}

fn today() -> Date {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    Date::new(y as u16, m as u8, d as u8).unwrap_or(Date {
        year: 2000,
        month: 1,
        day: 1,
    })
}

fn system_time(date: Date) -> anyhow::Result<SystemTime> {
    let days = days_from_civil(
        i64::from(date.year),
        i64::from(date.month),
        i64::from(date.day),
    );
    let secs = u64::try_from(days).context("dates before 1970 are not supported")? * 86_400;
    Ok(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

fn zone_json(text: &str, reference: Date, repair: bool) -> (serde_json::Value, bool) {
    match Mrz::analyze(text, reference) {
        Err(e) => (json!({ "valid": false, "errors": [error_json(&e)] }), false),
        Ok((mrz, problems)) if !problems.is_empty() && repair => {
            match Mrz::repair(text, reference) {
                Ok((fixed, corrections)) => (
                    json!({ "valid": true, "mrz": fixed, "errors": [], "corrections": corrections }),
                    true,
                ),
                Err(_) => (
                    json!({
                        "valid": false,
                        "mrz": mrz,
                        "errors": problems.iter().map(error_json).collect::<Vec<_>>(),
                    }),
                    false,
                ),
            }
        }
        Ok((mrz, problems)) => {
            let valid = problems.is_empty();
            (
                json!({
                    "valid": valid,
                    "mrz": mrz,
                    "errors": problems.iter().map(error_json).collect::<Vec<_>>(),
                }),
                valid,
            )
        }
    }
}

fn error_json(e: &dasan_mrtd::MrzError) -> serde_json::Value {
    json!({ "line": e.line, "column": e.column, "kind": e.kind, "message": e.to_string() })
}

pub fn run_mrz(cmd: MrzCommand) -> anyhow::Result<ExitCode> {
    let MrzCommand::Parse {
        reference,
        repair,
        jsonl,
    } = cmd;
    let reference = match reference {
        Some(r) => parse_date(&r)?,
        None => today(),
    };
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading standard input")?;
    if jsonl {
        let mut out = String::new();
        let mut zone = String::new();
        for line in input.lines().chain(std::iter::once("")) {
            if line.trim().is_empty() {
                if !zone.is_empty() {
                    out.push_str(&zone_json(&zone, reference, repair).0.to_string());
                    out.push('\n');
                    zone.clear();
                }
            } else {
                zone.push_str(line);
                zone.push('\n');
            }
        }
        print!("{out}");
        return Ok(ExitCode::SUCCESS);
    }
    let (value, valid) = zone_json(&input, reference, repair);
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INVALID)
    })
}

/// Reads the first of `names` that exists in `dir`.
fn read_any(dir: &Path, names: &[String]) -> anyhow::Result<Option<Vec<u8>>> {
    for n in names {
        let p = dir.join(n);
        if p.is_file() {
            return Ok(Some(
                std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?,
            ));
        }
    }
    Ok(None)
}

/// DER, or the DER inside PEM blocks with `label`.
pub(crate) fn der_blocks(bytes: &[u8], label: &str) -> Vec<Vec<u8>> {
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
        if let Ok(der) = base64_decode(&b64) {
            out.push(der);
        }
        rest = &after[e + end.len()..];
    }
    if out.is_empty() {
        out.push(bytes.to_vec());
    }
    out
}

fn base64_decode(s: &str) -> anyhow::Result<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .context("bad base64 in PEM")
}

fn load_trust(cscas: &[PathBuf], crls: &[PathBuf]) -> anyhow::Result<TrustStore> {
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

pub fn run_passport(cmd: PassportCommand) -> anyhow::Result<ExitCode> {
    let PassportCommand::Verify {
        dir,
        csca,
        crl,
        at,
        mrz,
    } = cmd;
    let (at_time, at_date) = match at {
        Some(a) => {
            let d = parse_date(&a)?;
            (system_time(d)?, d)
        }
        None => (SystemTime::now(), today()),
    };
    let names = |stems: &[&str]| -> Vec<String> {
        stems
            .iter()
            .flat_map(|s| [format!("{s}.bin"), s.to_string()])
            .collect()
    };
    let sod = read_any(&dir, &names(&["EF_SOD", "EF.SOD", "SOD"]))?
        .with_context(|| format!("no EF_SOD.bin in {}", dir.display()))?;
    let ef_com = read_any(&dir, &names(&["EF_COM", "EF.COM", "COM"]))?;
    let mut data_groups = BTreeMap::new();
    for n in 1u8..=16 {
        let stems = [
            format!("Datagroup{n}"),
            format!("DG{n}"),
            format!("EF_DG{n}"),
        ];
        let stems: Vec<&str> = stems.iter().map(String::as_str).collect();
        if let Some(d) = read_any(&dir, &names(&stems))? {
            data_groups.insert(n, d);
        }
    }
    if data_groups.is_empty() {
        bail!("no data groups (Datagroup1.bin, ...) in {}", dir.display());
    }
    let printed = match mrz {
        Some(p) => {
            let text =
                std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            Some(Mrz::parse(&text, at_date).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?)
        }
        None => None,
    };
    let trust = load_trust(&csca, &crl)?;
    let input = PassiveAuthInput {
        sod: &sod,
        data_groups: &data_groups,
        ef_com: ef_com.as_deref(),
        printed_mrz: printed.as_ref(),
    };
    let report = passive_authentication(&input, &trust, at_time);
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(match report.verdict {
        Verdict::Valid => ExitCode::SUCCESS,
        Verdict::Invalid => ExitCode::from(EXIT_INVALID),
        Verdict::SignatureAndHashesValidChainNotAnchored | Verdict::Incomplete => {
            ExitCode::from(EXIT_NOT_PROVEN)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2008, 6, 1), 14_031);
        assert_eq!(civil_from_days(14_031), (2008, 6, 1));
        assert_eq!(
            civil_from_days(days_from_civil(2026, 11, 24)),
            (2026, 11, 24)
        );
    }
}
