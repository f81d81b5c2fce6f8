//! The `dasan` binary: one command for every part of the platform.

use clap::{Parser, Subcommand};
use dasan::{Server, demo, telemetry};
use dasan_config::Config;
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

mod cli;

#[derive(Parser)]
#[command(
    name = "dasan",
    version,
    about = "Dasan: an open smart e-Government platform"
)]
struct Cli {
    /// Configuration file (default: ./dasan.toml if it exists). DASAN_* variables override it.
    #[arg(long, global = true, env = "DASAN_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the portal and API.
    Serve {
        /// Load demo data and documented demo accounts (never in production).
        #[arg(long)]
        demo: bool,
        /// Listen on this address instead of the configured `server.listen`.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Check the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Administer accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Print the version.
    Version,
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(cli::audit::AuditCommand),
    /// The platform's own PKI.
    #[command(subcommand)]
    Pki(cli::pki::PkiCommand),
    /// Machine-readable zones (ICAO Doc 9303).
    #[command(subcommand)]
    Mrz(cli::mrtd::MrzCommand),
    /// e-Passport chip data.
    #[command(subcommand)]
    Passport(cli::mrtd::PassportCommand),
    /// Official documents: check a PDF or a QR seal offline.
    #[command(subcommand)]
    Doc(cli::doc::DocCommand),
    /// Base registries: people, businesses, agencies.
    #[command(subcommand)]
    Registry(cli::registry::RegistryCommand),
    /// Demo data files.
    #[command(subcommand)]
    Demo(cli::registry::DemoCommand),
    /// A simulated e-gate: drive the gate decision API, make gate keys.
    #[command(subcommand)]
    Gate(cli::gate::GateCommand),
    /// Border clearance administration: watchlists, visas, gate devices.
    #[command(subcommand)]
    Border(cli::gate::BorderCommand),
    /// Sealed bids, for suppliers: seal and sign on your own machine.
    #[command(subcommand)]
    Bid(cli::bid::BidCommand),
    /// Opening committees, for their members: your key, your share of a tender key.
    #[command(subcommand)]
    Committee(cli::committee::CommitteeCommand),
    /// Open contracting data (OCDS 1.1.5): export release or record packages offline.
    #[command(subcommand)]
    Ocds(cli::ocds::OcdsCommand),
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate the configuration and print it with secrets masked.
    Check,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a platform administrator (the first one, on a new installation).
    Create {
        #[arg(long)]
        email: String,
        /// The administrator's full name.
        #[arg(long)]
        name: String,
        /// Read the password from standard input instead of asking for it.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Configuration problems exit with 2, like other usage errors.
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Version => {
            println!("dasan {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Mrz(cmd) => report(cli::mrtd::run_mrz(cmd)),
        Command::Passport(cmd) => report(cli::mrtd::run_passport(cmd)),
        Command::Doc(cmd) if !cmd.needs_config() => report(cli::doc::run(cmd)),
        Command::Demo(cmd) => report(cli::registry::run_demo(cmd)),
        Command::Gate(cli::gate::GateCommand::Simulate(args)) => {
            match tokio::runtime::Runtime::new() {
                Ok(rt) => report(rt.block_on(cli::gate::simulate(args))),
                Err(err) => {
                    eprintln!("error: cannot start the async runtime: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Gate(cmd) => report(cli::gate::run_gate_offline(&cmd)),
        Command::Bid(cmd) => report(cli::bid::run(cmd)),
        Command::Committee(cmd) => report(cli::committee::run(cmd)),
        Command::Config(ConfigCommand::Check) => config_check(cli.config),
        command => {
            let loaded = match Config::load(cli.config.as_deref()) {
                Ok(loaded) => loaded,
                Err(err) => {
                    eprintln!("error: {err}");
                    return ExitCode::from(EXIT_CONFIG);
                }
            };
            telemetry::init(&loaded.config.log);
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(rt) => rt,
                Err(err) => {
                    eprintln!("error: cannot start the async runtime: {err}");
                    return ExitCode::FAILURE;
                }
            };
            report(runtime.block_on(run(command, loaded.config)))
        }
    }
}

fn report(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn config_check(file: Option<PathBuf>) -> ExitCode {
    match Config::load(file.as_deref()) {
        Ok(loaded) => {
            match &loaded.file {
                Some(path) => println!("# configuration file: {}", path.display()),
                None => println!("# no configuration file: defaults and DASAN_* variables"),
            }
            for name in &loaded.ignored_env {
                println!("# warning: {name} is not a configuration key and was ignored");
            }
            print!("{}", loaded.config.to_masked_toml());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(EXIT_CONFIG)
        }
    }
}

async fn run(command: Command, mut config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { demo, listen } => {
            if let Some(addr) = listen {
                config.server.listen = addr;
            }
            serve(config, demo).await
        }
        Command::Migrate => {
            let db = dasan::open_database(&config).await?;
            let status = db.migrate().await?;
            println!(
                "database ({}) is at migration {}",
                db.engine(),
                status.applied.last().copied().unwrap_or_default()
            );
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin(AdminCommand::Create {
            email,
            name,
            password_stdin,
        }) => admin_create(config, email, name, password_stdin).await,
        Command::Audit(cmd) => cli::audit::run(cmd, &config).await,
        Command::Ocds(cmd) => cli::ocds::run(cmd, &config).await,
        Command::Border(cmd) => cli::gate::run_border(cmd, &config).await,
        Command::Pki(cmd) => cli::pki::run(cmd, &config).await,
        Command::Doc(cli::doc::DocCommand::Issue(args)) => cli::doc::issue(args, &config).await,
        Command::Registry(cmd) => {
            let db = dasan::open_database(&config).await?;
            db.migrate().await?;
            let code = cli::registry::run_registry(cmd, &db).await;
            db.close().await;
            code
        }
        Command::Version
        | Command::Config(_)
        | Command::Mrz(_)
        | Command::Passport(_)
        | Command::Doc(_)
        | Command::Gate(_)
        | Command::Bid(_)
        | Command::Committee(_)
        | Command::Demo(_) => Ok(ExitCode::SUCCESS),
    }
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<ExitCode> {
    let server = Server::build_with(&config, dasan::BuildOptions { demo }).await?;
    let url = local_url(server.addr);
    let accounts = if demo {
        let accounts = demo::load(&server.db).await?;
        demo::load_border(&config, &server.border).await?;
        if dasan_crypto::published::load_layout(&server.db)
            .await?
            .is_none()
        {
            dasan::init_pki(&config, &server.db, demo::pki_spec(&url)?).await?;
        }
        let procurement = demo::load_procurement(&server.db, server.procurement()).await?;
        demo::load_procurement_history(&config, server.procurement()).await?;
        [accounts, procurement].concat()
    } else {
        Vec::new()
    };
    tracing::info!(%url, engine = %server.db.engine(), demo, "Dasan is ready");
    println!("Dasan is running at {url}");
    if demo {
        println!("Demo accounts (demo data only: never use --demo for a real deployment):");
        for account in &accounts {
            println!(
                "  {:<24} {:<38} password: {}",
                account.role, account.email, account.password
            );
        }
        println!(
            "  Officials confirm sign-in with a code from an authenticator app holding the key {}",
            demo::DEMO_TOTP_SECRET
        );
        println!(
            "  Demo gate {} at port {}: try `dasan gate simulate --demo --url {url}`",
            demo::DEMO_GATE,
            demo::DEMO_PORT
        );
    }
    println!("Press Ctrl-C to stop.");
    server.run(dasan::shutdown_signal()).await?;
    println!("Dasan stopped.");
    Ok(ExitCode::SUCCESS)
}

/// The URL to print: a wildcard listen address is reached through localhost.
fn local_url(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("http://localhost:{}/", addr.port())
    } else {
        format!("http://{addr}/")
    }
}

async fn admin_create(
    config: Config,
    email: String,
    name: String,
    password_stdin: bool,
) -> anyhow::Result<ExitCode> {
    let password = if password_stdin {
        let mut text = String::new();
        std::io::stdin().take(4096).read_to_string(&mut text)?;
        text.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = rpassword::prompt_password("New administrator's password: ")?;
        let second = rpassword::prompt_password("Repeat the password: ")?;
        if first != second {
            anyhow::bail!("the two passwords differ");
        }
        first
    };
    let db = dasan::open_database(&config).await?;
    db.migrate().await?;
    let id = dasan_identity::create_account(
        &db,
        dasan_kernel::Actor::system(),
        dasan_identity::NewAccount {
            kind: dasan_identity::AccountKind::Official,
            email,
            display_name: name,
            password,
            roles: vec![dasan_identity::RoleGrant {
                role: dasan_identity::PLATFORM_ADMIN,
                scope: "platform".to_owned(),
            }],
            agency: None,
        },
    )
    .await?;
    db.close().await;
    println!("created platform administrator {id}");
    Ok(ExitCode::SUCCESS)
}
