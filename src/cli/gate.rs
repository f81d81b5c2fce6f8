//! `dasan gate …`: a simulated bank of e-gates driving the gate decision API, and the keys
//! and trust files a gate needs. `dasan border …`: watchlist, visa and gate administration
//! on the configured database.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use dasan::demo;
use dasan::gatesim::{GateKey, Traveller, gate_request, nonce, now_micros, sign_request};
use dasan_border::gate::{Direction, GateRequest};
use dasan_kernel::Actor;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Subcommand)]
pub enum GateCommand {
    /// Drive the gate decision API like a bank of gates with test e-passports (a share of
    /// them forged, expired, listed or overstaying) and print the latency distribution and
    /// the confusion matrix of decisions.
    ///
    /// The passports are signed by the demo test PKI: the server must trust it (`serve
    /// --demo` does; elsewhere add the files of `dasan gate demo-trust` to
    /// border.csca_files / border.crl_files). Listed travellers are on the demo watchlist and
    /// overstayers are the demo's (`serve --demo` loads both). Exits 0 when every decision is
    /// the expected one, 3 otherwise.
    Simulate(SimulateArgs),
    /// Create a gate device key (Ed25519, PKCS#8 PEM) and print its public key to register.
    Key {
        /// Where to write the private key (refused if it exists).
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the demo test PKI's CSCA certificates and CRLs (DER) into a folder, and the demo
    /// gate's private key, to run the simulator against a server that is not `--demo`.
    DemoTrust {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Args)]
pub struct SimulateArgs {
    /// The portal's address, e.g. http://127.0.0.1:8080
    #[arg(long)]
    url: String,
    /// Use the demo gate, its key and port (as `serve --demo` registers them).
    #[arg(long)]
    demo: bool,
    /// The gate's id (default with --demo: the demo gate).
    #[arg(long)]
    gate: Option<String>,
    /// The gate's private key, PKCS#8 (PEM or DER), Ed25519 or P-256.
    #[arg(long)]
    key: Option<PathBuf>,
    /// The gate's port (default with --demo: the demo port).
    #[arg(long)]
    port: Option<String>,
    /// How many travellers.
    #[arg(long, default_value_t = 200)]
    travellers: usize,
    /// Decisions per second asked for (the schedule is open-loop: a slow server does not slow
    /// the arrivals).
    #[arg(long, default_value_t = 50.0)]
    rate: f64,
    /// Requests in flight at most.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Share of forged passports (DG1 altered after signing).
    #[arg(long, default_value_t = 0.1)]
    forged: f64,
    /// Share of expired passports.
    #[arg(long, default_value_t = 0.1)]
    expired: f64,
    /// Share of travellers on the demo watchlist.
    #[arg(long, default_value_t = 0.1)]
    listed: f64,
    /// Share of demo overstayers leaving.
    #[arg(long, default_value_t = 0.1)]
    overstaying: f64,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Honest,
    Forged,
    Expired,
    Listed,
    Overstaying,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Honest,
        Kind::Forged,
        Kind::Expired,
        Kind::Listed,
        Kind::Overstaying,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Honest => "honest",
            Kind::Forged => "forged",
            Kind::Expired => "expired",
            Kind::Listed => "listed",
            Kind::Overstaying => "overstaying",
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Kind::Honest => "OPEN",
            _ => "REFER",
        }
    }
}

/// A small deterministic generator (xorshift64*), enough to mix the travellers.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

const SURNAMES: &[&str] = &[
    "KIM", "LEE", "CHOI", "JUNG", "KANG", "CHO", "YOON", "JANG", "LIM", "SHIN",
];
const GIVEN: &[&str] = &[
    "MIN JUN", "SEO YEON", "JI HO", "HA EUN", "DO YOON", "SU A", "JUN SEO", "YE JIN",
];

fn travellers(
    args: &SimulateArgs,
    gate: &str,
    port: &str,
) -> anyhow::Result<Vec<(Kind, GateRequest)>> {
    let n = args.travellers;
    let count = |share: f64| -> usize {
        let share = if share.is_finite() {
            share.clamp(0.0, 1.0)
        } else {
            0.0
        };
        (share * n as f64).round() as usize
    };
    let mut kinds = Vec::with_capacity(n);
    for (kind, share) in [
        (Kind::Forged, args.forged),
        (Kind::Expired, args.expired),
        (Kind::Listed, args.listed),
        (Kind::Overstaying, args.overstaying),
    ] {
        kinds.extend(std::iter::repeat_n(kind, count(share)));
    }
    if kinds.len() > n {
        bail!("the shares add up to more than all travellers");
    }
    kinds.resize(n, Kind::Honest);
    let run = u64::try_from(now_micros()).unwrap_or(1) | 1;
    let mut mix = Mix(run);
    for i in (1..kinds.len()).rev() {
        let j = usize::try_from(mix.next() % (i as u64 + 1)).unwrap_or(0);
        kinds.swap(i, j);
    }
    let (_, kor) = demo::demo_pki("KOR")?;
    let (_, usa) = demo::demo_pki("USA")?;
    // Document numbers unique to this run: a letter, then 8 digits.
    let base = (run / 1_000) % 100_000;
    let mut out = Vec::with_capacity(n);
    for (i, kind) in kinds.into_iter().enumerate() {
        let r = mix.next();
        let surname = SURNAMES[usize::try_from(r % SURNAMES.len() as u64).unwrap_or(0)];
        let given = GIVEN[usize::try_from((r >> 8) % GIVEN.len() as u64).unwrap_or(0)];
        let birth = format!(
            "{:02}{:02}{:02}",
            60 + (r >> 16) % 40,
            1 + (r >> 24) % 12,
            1 + (r >> 32) % 28
        );
        let number = format!("S{:05}{:03}", base, i % 1000);
        let number = if n > 1000 {
            format!("S{:08}", (base * 1000 + i as u64) % 100_000_000)
        } else {
            number
        };
        let (chip, direction) = match kind {
            Kind::Honest => (
                Traveller::new("KOR", surname, given, &number, &birth, "341231").chip(&kor)?,
                Direction::Entry,
            ),
            Kind::Forged => (
                Traveller::new("KOR", surname, given, &number, &birth, "341231")
                    .chip(&kor)?
                    .with_altered_dg1(),
                Direction::Entry,
            ),
            Kind::Expired => (
                Traveller::new("KOR", surname, given, &number, &birth, "250101").chip(&kor)?,
                Direction::Entry,
            ),
            Kind::Listed => {
                let (s, g, b, state) = demo::DEMO_LISTED[i % demo::DEMO_LISTED.len()];
                (
                    Traveller::new(state, s, g, &number, b, "341231").chip(&kor)?,
                    Direction::Entry,
                )
            }
            Kind::Overstaying => (
                demo::demo_overstayer(i % demo::DEMO_OVERSTAYERS).chip(&usa)?,
                Direction::Exit,
            ),
        };
        out.push((kind, gate_request(&chip, gate, port, direction)));
    }
    Ok(out)
}

struct Result1 {
    kind: Kind,
    /// OPEN, REFER, or the problem code / transport error.
    answer: String,
    latency: Duration,
    server_us: Option<u64>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub async fn simulate(args: SimulateArgs) -> anyhow::Result<ExitCode> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (gate, key, port) = if args.demo {
        (
            args.gate
                .clone()
                .unwrap_or_else(|| demo::DEMO_GATE.to_owned()),
            match &args.key {
                Some(path) => GateKey::from_file(path)?,
                None => demo::demo_gate_key(),
            },
            args.port
                .clone()
                .unwrap_or_else(|| demo::DEMO_PORT.to_owned()),
        )
    } else {
        let (Some(gate), Some(key), Some(port)) = (&args.gate, &args.key, &args.port) else {
            bail!("give --gate, --key and --port, or --demo");
        };
        (gate.clone(), GateKey::from_file(key)?, port.clone())
    };
    if !(args.rate.is_finite() && args.rate > 0.0) {
        bail!("--rate must be a positive number");
    }
    eprintln!("building {} test passports…", args.travellers);
    let requests = travellers(&args, &gate, &port)?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .context("HTTP client")?;
    let url = format!(
        "{}/api/v1/border/gates/{gate}/decisions",
        args.url.trim_end_matches('/')
    );
    let key = Arc::new(key);
    let limit = Arc::new(tokio::sync::Semaphore::new(args.concurrency.max(1)));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(requests.len());
    for (i, (kind, request)) in requests.into_iter().enumerate() {
        let due = start + Duration::from_secs_f64(i as f64 / args.rate);
        tokio::time::sleep_until(due.into()).await;
        let permit = limit.clone().acquire_owned().await?;
        let (client, url, key) = (client.clone(), url.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let (body, signature) = match sign_request(&key, &request, now_micros(), &nonce()) {
                Ok(x) => x,
                Err(e) => {
                    return Result1 {
                        kind,
                        answer: format!("error: {e}"),
                        latency: Duration::ZERO,
                        server_us: None,
                    };
                }
            };
            use base64::Engine;
            let sent = Instant::now();
            let response = client
                .post(&url)
                .header("content-type", "application/json")
                .header(
                    dasan_web::api::border::SIGNATURE_HEADER,
                    base64::engine::general_purpose::STANDARD.encode(&signature),
                )
                .body(body)
                .send()
                .await;
            let (answer, server_us) = match response {
                Ok(r) => {
                    let ok = r.status().is_success();
                    let v: serde_json::Value = r.json().await.unwrap_or_default();
                    if ok {
                        (
                            v["outcome"].as_str().unwrap_or("?").to_owned(),
                            v["timings"]["total_us"].as_u64(),
                        )
                    } else {
                        (v["code"].as_str().unwrap_or("error").to_owned(), None)
                    }
                }
                Err(e) => (format!("transport: {e}"), None),
            };
            Result1 {
                kind,
                answer,
                latency: sent.elapsed(),
                server_us,
            }
        }));
    }
    let mut results = Vec::with_capacity(tasks.len());
    for t in tasks {
        results.push(t.await?);
    }
    let elapsed = start.elapsed();
    report(&args, &results, elapsed)
}

fn report(args: &SimulateArgs, results: &[Result1], elapsed: Duration) -> anyhow::Result<ExitCode> {
    let mut lat: Vec<f64> = results
        .iter()
        .filter(|r| r.answer == "OPEN" || r.answer == "REFER")
        .map(|r| r.latency.as_secs_f64() * 1000.0)
        .collect();
    lat.sort_by(f64::total_cmp);
    let mut server: Vec<f64> = results
        .iter()
        .filter_map(|r| r.server_us)
        .map(|u| u as f64 / 1000.0)
        .collect();
    server.sort_by(f64::total_cmp);
    let mut matrix: BTreeMap<Kind, BTreeMap<String, usize>> = BTreeMap::new();
    for r in results {
        *matrix
            .entry(r.kind)
            .or_default()
            .entry(r.answer.clone())
            .or_default() += 1;
    }
    let wrong = results
        .iter()
        .filter(|r| r.answer != r.kind.expected())
        .count();
    let rate = results.len() as f64 / elapsed.as_secs_f64().max(1e-9);
    let stats = |v: &[f64]| {
        serde_json::json!({
            "p50": percentile(v, 50.0), "p90": percentile(v, 90.0), "p99": percentile(v, 99.0),
            "max": v.last().copied().unwrap_or(0.0),
            "mean": if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 },
        })
    };
    if args.json {
        let m: BTreeMap<&str, &BTreeMap<String, usize>> =
            matrix.iter().map(|(k, v)| (k.name(), v)).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "travellers": results.len(),
                "seconds": elapsed.as_secs_f64(),
                "achieved_rate": rate,
                "latency_ms": stats(&lat),
                "server_ms": stats(&server),
                "confusion": m,
                "unexpected": wrong,
            }))?
        );
    } else {
        println!(
            "{} travellers in {:.2} s ({:.1} decisions/s; asked {:.1})",
            results.len(),
            elapsed.as_secs_f64(),
            rate,
            args.rate
        );
        for (label, v) in [("round trip", &lat), ("server", &server)] {
            println!(
                "{label:>10} ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
                percentile(v, 50.0),
                percentile(v, 90.0),
                percentile(v, 99.0),
                v.last().copied().unwrap_or(0.0)
            );
        }
        let mut columns: Vec<String> = vec!["OPEN".into(), "REFER".into()];
        for row in matrix.values() {
            for k in row.keys() {
                if !columns.contains(k) {
                    columns.push(k.clone());
                }
            }
        }
        print!("\n{:<12} {:>8}", "expected", "");
        for c in &columns {
            print!(" {c:>8}");
        }
        println!();
        for kind in Kind::ALL {
            let Some(row) = matrix.get(&kind) else {
                continue;
            };
            print!("{:<12} {:>8}", kind.name(), kind.expected());
            for c in &columns {
                print!(" {:>8}", row.get(c).copied().unwrap_or(0));
            }
            println!();
        }
        println!("\nunexpected decisions: {wrong}");
    }
    Ok(if wrong == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

pub fn run_gate_offline(cmd: &GateCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        GateCommand::Simulate(_) => unreachable_simulate(),
        GateCommand::Key { out } => {
            if out.exists() {
                bail!("{} exists", out.display());
            }
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("random: {e}"))?;
            let key = GateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed));
            write_private(out, key.to_pkcs8_pem()?.as_bytes())?;
            println!("{}", public_pem(&key.public_key_der()?));
            Ok(ExitCode::SUCCESS)
        }
        GateCommand::DemoTrust { out } => {
            std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
            let trust = demo::border_trust()?;
            for ((state, _), (csca, crl)) in demo::DEMO_STATES
                .iter()
                .zip(trust.csca_der.iter().zip(&trust.crl_der))
            {
                std::fs::write(out.join(format!("demo-csca-{state}.der")), csca)?;
                std::fs::write(out.join(format!("demo-crl-{state}.der")), crl)?;
            }
            let key_path = out.join("demo-gate.pem");
            if !key_path.exists() {
                write_private(&key_path, demo::demo_gate_key().to_pkcs8_pem()?.as_bytes())?;
            }
            println!(
                "wrote the demo CSCAs, CRLs and gate key to {}",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn unreachable_simulate() -> anyhow::Result<ExitCode> {
    bail!("simulate runs asynchronously")
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)?;
    Ok(())
}

fn public_pem(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----");
    pem
}

#[derive(Subcommand)]
pub enum BorderCommand {
    /// Import (replacing) a watchlist, the lost/stolen list, the visa table or the visa
    /// waiver table. Running servers pick the change up within border.refresh_interval_secs.
    Import {
        /// un (UN consolidated list XML), national (CSV), lost-stolen (CSV), visas (CSV),
        /// waivers (CSV).
        kind: String,
        file: PathBuf,
        /// The list's name (national and lost-stolen lists), e.g. KOR-MOJ or SLTD.
        #[arg(long)]
        name: Option<String>,
        /// The file's version (default: its date of import).
        #[arg(long)]
        version: Option<String>,
    },
    /// The lists in force.
    Lists,
    /// Register a gate device with its public key (PEM or DER SPKI).
    RegisterGate {
        #[arg(long)]
        id: String,
        #[arg(long)]
        port: String,
        #[arg(long)]
        public_key: PathBuf,
    },
    /// Revoke a gate device's key.
    RevokeGate {
        #[arg(long)]
        id: String,
        #[arg(long)]
        reason: String,
    },
}

pub async fn run_border(
    cmd: BorderCommand,
    config: &dasan_config::Config,
) -> anyhow::Result<ExitCode> {
    let db = dasan::open_database(config).await?;
    db.migrate().await?;
    let border = dasan::border::open(config, &db, &dasan::border::ExtraTrust::default()).await?;
    let actor = Actor::system();
    match cmd {
        BorderCommand::Import {
            kind,
            file,
            name,
            version,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let version = version.unwrap_or_else(|| {
                let today = dasan_border::CalendarDate::from_unix_micros(now_micros());
                today.map(|d| d.to_string()).unwrap_or_else(|| "1".into())
            });
            let need_name = || name.clone().context("give --name for this kind of list");
            match kind.as_str() {
                "un" => print_list(&border.import_un_list(actor, &version, &bytes).await?),
                "national" => print_list(
                    &border
                        .import_national_list(actor, &need_name()?, &version, &bytes)
                        .await?,
                ),
                "lost-stolen" => print_list(
                    &border
                        .import_lost_stolen(actor, &need_name()?, &version, &bytes)
                        .await?,
                ),
                "visas" => println!(
                    "{} visas imported",
                    border.import_visas(actor, &version, &bytes).await?
                ),
                "waivers" => println!(
                    "{} visa waivers imported",
                    border.import_visa_waivers(actor, &version, &bytes).await?
                ),
                other => {
                    bail!("unknown kind {other:?}: un, national, lost-stolen, visas or waivers")
                }
            }
        }
        BorderCommand::Lists => {
            for l in border.lists().await? {
                print_list(&l);
            }
        }
        BorderCommand::RegisterGate {
            id,
            port,
            public_key,
        } => {
            let bytes = std::fs::read(&public_key)
                .with_context(|| format!("reading {}", public_key.display()))?;
            let der = match std::str::from_utf8(&bytes) {
                Ok(text) if text.contains("-----BEGIN") => {
                    dasan_web::api::border::public_key_der(text).context("not a PEM public key")?
                }
                _ => bytes,
            };
            let d = border
                .register_gate(
                    actor,
                    dasan_border::store::NewGateDevice {
                        id,
                        port,
                        public_key_spki_der: der,
                    },
                )
                .await?;
            println!("registered gate {} at {} ({:?})", d.id, d.port, d.algorithm);
        }
        BorderCommand::RevokeGate { id, reason } => {
            let d = border.revoke_gate(actor, &id, &reason).await?;
            println!("revoked gate {}", d.id);
        }
    }
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

fn print_list(l: &dasan_border::store::ListInfo) {
    println!(
        "{:<28} version {:<16} {:>8} entries {:>5} issues  sha256 {}",
        l.list_key, l.version, l.entry_count, l.issue_count, l.digest
    );
}
