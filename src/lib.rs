//! The composition root: puts configuration, storage, domain crates and the web edge together.
//!
//! `main.rs` is only the command line over this; integration tests start the same [`Server`].

pub mod border;
pub mod demo;
pub mod gatesim;
pub mod issue;
pub mod telemetry;

use dasan_config::Config;
use dasan_identity::csrf::CsrfKey;
use dasan_identity::session::SessionPolicy;
use dasan_store::{Database, DatabaseOptions, MigrationStatus};
use dasan_web::i18n::Catalog;
use dasan_web::{AppState, IdentityKit, WebSettings};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Database(#[from] dasan_store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("translations: {0}")]
    Catalog(#[from] dasan_web::i18n::CatalogError),
    #[error("identity: {0}")]
    Identity(#[from] dasan_identity::IdentityError),
    #[error("mail or text messages: {0}")]
    Mail(#[from] dasan_notify::NotifyError),
    #[error("key store: {0}")]
    Keys(#[from] dasan_crypto::KeyStoreError),
    #[error("audit log: {0}")]
    Audit(#[from] dasan_audit::SignerError),
    #[error("service definitions:\n{0}")]
    Services(String),
    #[error("civil services: {0}")]
    Civil(#[from] dasan_civil::CivilError),
    #[error("border: {0:#}")]
    Border(anyhow::Error),
}

/// How to start beyond the configuration.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Trust the demo's test passports (`serve --demo` only).
    pub demo: bool,
}

/// Reads, checks and loads the service definitions of `civil.services_dir` into the catalogue.
pub async fn load_services(config: &Config, db: &Database) -> Result<(), StartError> {
    let dir = &config.civil.services_dir;
    if !dir.is_dir() {
        tracing::warn!(dir = %dir.display(), "no service definitions folder: the catalogue keeps what it has");
        return Ok(());
    }
    let defs = dasan_civil::catalogue::read_dir(dir).map_err(|errors| {
        StartError::Services(
            errors
                .iter()
                .map(|e| format!("  {e}"))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })?;
    let civil = dasan_civil::Civil::new(
        db.clone(),
        dasan_registry::Registry::new(db.clone()),
        config.identity.majority_age,
    );
    let summary = civil.load(dasan_kernel::Actor::system(), &defs).await?;
    tracing::info!(
        added = summary.added,
        changed = summary.changed,
        unchanged = summary.unchanged,
        "service definitions loaded"
    );
    Ok(())
}

/// Civil services over `db` as the configuration sets them up (attachments, document
/// issuer): what the server and `dasan doc issue` share.
pub fn build_civil(
    config: &Config,
    db: &Database,
    keys: Arc<dyn dasan_crypto::KeyStore>,
) -> Result<dasan_civil::Civil, StartError> {
    Ok(dasan_civil::Civil::new(
        db.clone(),
        dasan_registry::Registry::new(db.clone()),
        config.identity.majority_age,
    )
    .local_attachments(&config.civil.attachments_dir)
    .map_err(|e| {
        StartError::Services(format!(
            "cannot use the attachments folder {}: {e}",
            config.civil.attachments_dir.display()
        ))
    })?
    .with_issuer(dasan_civil::documents::Issuer::new(
        keys,
        &config.civil.fonts_dir,
        &config.civil.time_stamping_agency,
    )))
}

/// The e-mail and text gateways the configuration names; a channel without one keeps its
/// messages in the outbox.
fn outbox_channels(config: &Config) -> Result<dasan_notify::Channels, StartError> {
    if !dasan_notify::sms::known_region(&config.sms.region) {
        return Err(dasan_notify::NotifyError::Config(format!(
            "sms.region {:?} is not a country with a known numbering plan",
            config.sms.region
        ))
        .into());
    }
    let email = if config.smtp.url.is_empty() {
        tracing::warn!("no smtp.url configured: e-mail waits in the outbox");
        None
    } else {
        Some(dasan_notify::Mailer::from_url(
            &config.smtp.url,
            &config.smtp.from,
        )?)
    };
    let sms = if config.sms.gateway_url.is_empty() {
        tracing::warn!("no sms.gateway_url configured: text messages wait in the outbox");
        None
    } else {
        let token = Some(config.sms.token_env.as_str())
            .filter(|name| !name.is_empty())
            .and_then(|name| std::env::var(name).ok());
        let gateway =
            dasan_notify::HttpSmsGateway::new(&config.sms.gateway_url, token, &config.sms.sender)?;
        Some(Arc::new(gateway) as Arc<dyn dasan_notify::SmsProvider>)
    };
    Ok(dasan_notify::Channels { email, sms })
}

/// Opens the configured key store, creating it (and its key-encryption key file) on first use.
pub fn open_key_store(
    config: &Config,
) -> Result<Arc<dyn dasan_crypto::KeyStore>, dasan_crypto::KeyStoreError> {
    use dasan_crypto::{FileKeyStore, KekSource, Pkcs11Config, Pkcs11KeyStore};
    let keys = &config.keys;
    if keys.backend == "pkcs11" {
        let pin = std::env::var(&keys.pkcs11_pin_env).map_err(|_| {
            dasan_crypto::KeyStoreError::Kek(format!(
                "the environment variable {} named by keys.pkcs11_pin_env is not set",
                keys.pkcs11_pin_env
            ))
        })?;
        return Ok(Arc::new(Pkcs11KeyStore::open(&Pkcs11Config {
            module: keys.pkcs11_module.clone(),
            token_label: keys.pkcs11_token.clone(),
            user_pin: pin.into(),
        })?));
    }
    let kek = if keys.passphrase_env.is_empty() {
        if !keys.kek_file.exists() {
            if let Some(parent) = keys.kek_file.parent() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    dasan_crypto::KeyStoreError::Kek(format!("{}: {e}", parent.display()))
                })?;
            }
            KekSource::create_key_file(&keys.kek_file)?;
            tracing::warn!(
                file = %keys.kek_file.display(),
                "created a new key-encryption key file: back it up apart from the key store"
            );
        }
        KekSource::KeyFile(keys.kek_file.clone())
    } else {
        let passphrase = std::env::var(&keys.passphrase_env).map_err(|_| {
            dasan_crypto::KeyStoreError::Kek(format!(
                "the environment variable {} named by keys.passphrase_env is not set",
                keys.passphrase_env
            ))
        })?;
        KekSource::Passphrase(passphrase.into())
    };
    Ok(Arc::new(FileKeyStore::open_or_create(&keys.dir, &kek)?))
}

/// Creates the platform PKI once: keys in the key store, the layout in the database (audited).
pub async fn init_pki(
    config: &Config,
    db: &Database,
    spec: dasan_crypto::pki::PkiSpec,
) -> anyhow::Result<dasan_crypto::pki::PkiLayout> {
    if dasan_crypto::published::load_layout(db).await?.is_some() {
        anyhow::bail!("the platform PKI already exists (rotate keys instead of re-creating it)");
    }
    let keys = open_key_store(config)?;
    // Key generation is CPU work (RSA especially): keep it off the async workers.
    let layout = tokio::task::spawn_blocking(move || {
        dasan_crypto::pki::pki_init(&*keys, &spec, std::time::SystemTime::now())
    })
    .await??;
    let tx = db.begin(dasan_kernel::Actor::system()).await?;
    dasan_crypto::published::save_layout(tx, &layout).await?;
    Ok(layout)
}

/// The audit log's origin: configured, or the public address's host and port + `/audit`.
pub fn audit_origin(config: &Config, public_url: &url::Url) -> String {
    if !config.audit.origin.is_empty() {
        return config.audit.origin.clone();
    }
    let host = public_url.host_str().unwrap_or("localhost");
    match public_url.port() {
        Some(port) => format!("{host}:{port}/audit"),
        None => format!("{host}/audit"),
    }
}

/// Opens the configured database (without migrating).
pub async fn open_database(config: &Config) -> Result<Database, dasan_store::StoreError> {
    let mut options = DatabaseOptions::new(&config.database.url);
    options.max_connections = config.database.max_connections;
    options.busy_timeout = Duration::from_millis(config.database.busy_timeout_ms);
    options.statement_timeout = Duration::from_millis(config.database.statement_timeout_ms);
    Database::connect(&options).await
}

/// A server that is bound, migrated and ready to run.
pub struct Server {
    pub addr: SocketAddr,
    pub db: Database,
    pub migrations: MigrationStatus,
    listener: tokio::net::TcpListener,
    app: axum::Router,
    grace: Duration,
    /// E-mail and text gateways for the outbox worker.
    channels: dasan_notify::Channels,
    audit: dasan_audit::AuditLog,
    sequence_interval: Duration,
    keys: Arc<dyn dasan_crypto::KeyStore>,
    /// Smart border clearance.
    pub border: dasan_border::store::Border,
    border_refresh: Duration,
    procurement: dasan_procurement::Procurement,
    procurement_interval: Duration,
}

/// The procurement service's settings from the configuration.
pub fn procurement_config(config: &Config) -> dasan_procurement::ProcurementConfig {
    let p = &config.procurement;
    dasan_procurement::ProcurementConfig {
        max_tenders_per_hour: p.max_tenders_per_hour,
        outage_window: Duration::from_secs(p.outage_window_minutes * 60),
        outage_max_gap: Duration::from_secs(p.outage_max_gap_secs),
        outage_extension_hours: p.outage_extension_hours,
        // Checked by `Config::validate`; a bad prefix cannot get here.
        ocid_prefix: dasan_ocds::OcidPrefix::new(&p.ocid_prefix)
            .unwrap_or_else(|_| dasan_procurement::ProcurementConfig::default().ocid_prefix),
        standstill_days: p.standstill_days,
        public_url: Some(config.server.public_url.to_string()),
        red_flags: dasan_procurement::redflags::RedFlagConfig {
            min_tender_period_hours: p.red_flag_min_tender_period_hours,
            near_floor_margin_ppm: p.red_flag_near_floor_margin_ppm,
            repeat_share_bp: p.red_flag_repeat_share_bp,
            repeat_min_awards: p.red_flag_repeat_min_awards,
            repeat_window_days: p.red_flag_repeat_window_days,
        },
    }
}

impl Server {
    /// Connects and migrates the database, then binds the listening socket.
    pub async fn build(config: &Config) -> Result<Server, StartError> {
        Server::build_with(config, BuildOptions::default()).await
    }

    /// [`Server::build`] with options.
    pub async fn build_with(config: &Config, options: BuildOptions) -> Result<Server, StartError> {
        let db = open_database(config).await?;
        let migrations = db.migrate().await?;
        let listener = tokio::net::TcpListener::bind(config.server.listen)
            .await
            .map_err(|source| StartError::Listen {
                addr: config.server.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Listen {
            addr: config.server.listen,
            source,
        })?;
        load_services(config, &db).await?;
        let catalog = Arc::new(Catalog::load()?);
        let mut settings = WebSettings::from_config(config);
        // Left at its default, the public address follows where we actually listen; on
        // loopback as `localhost`, which browsers accept as a secure context (passkeys).
        if config.server.public_url == dasan_config::Server::default().public_url {
            let host = if addr.ip().is_loopback() {
                "localhost".to_owned()
            } else {
                addr.ip().to_string()
            };
            if let Ok(url) = url::Url::parse(&format!("http://{host}:{}/", addr.port())) {
                settings.public_url = url;
            }
        }
        let identity = IdentityKit {
            csrf: CsrfKey::new(dasan_identity::secrets::platform_secret(&db, "csrf").await?),
            passkeys: dasan_identity::passkey::Passkeys::new(&settings.public_url)?,
            sessions: SessionPolicy {
                idle: Duration::from_secs(config.identity.session_idle_minutes * 60),
                official_idle: Duration::from_secs(config.identity.session_idle_minutes * 30),
                absolute: Duration::from_secs(config.identity.session_absolute_hours * 3600),
            },
            majority_age: config.identity.majority_age,
        };
        let channels = outbox_channels(config)?;
        let keys = open_key_store(config)?;
        let signer = dasan_audit::KeyStoreNoteSigner::open_or_create(
            keys.clone(),
            &audit_origin(config, &settings.public_url),
            std::time::SystemTime::now(),
        )?;
        let audit = dasan_audit::AuditLog::new(db.clone(), signer);
        let civil = build_civil(config, &db, keys.clone())?;
        let extra = if options.demo {
            demo::border_trust().map_err(StartError::Border)?
        } else {
            border::ExtraTrust::default()
        };
        let border = border::open(config, &db, &extra)
            .await
            .map_err(StartError::Border)?;
        let procurement = dasan_procurement::Procurement::new(
            db.clone(),
            dasan_registry::Registry::new(db.clone()),
            keys.clone(),
            dasan_procurement::ProcurementConfig {
                // Links in published data follow the address actually served (see above).
                public_url: Some(settings.public_url.to_string()),
                ..procurement_config(config)
            },
        )
        .with_contract_documents(dasan_procurement::ContractDocuments::new(
            &config.civil.fonts_dir,
            &config.civil.time_stamping_agency,
            &config.procurement.supplier_ca_agency,
        ))
        .with_documents(&config.procurement.documents_dir)
        .map_err(|e| {
            StartError::Services(format!(
                "cannot use the tender documents folder {}: {e}",
                config.procurement.documents_dir.display()
            ))
        })?;
        let state = AppState::new(
            db.clone(),
            catalog,
            settings,
            identity,
            audit.clone(),
            civil,
            procurement.clone(),
        );
        state.set_border(border.clone());
        Ok(Server {
            addr,
            db,
            migrations,
            listener,
            app: dasan_web::router(state),
            grace: Duration::from_secs(config.server.shutdown_grace_secs),
            channels,
            audit,
            sequence_interval: Duration::from_millis(config.audit.sequence_interval_ms),
            keys,
            border,
            border_refresh: Duration::from_secs(config.border.refresh_interval_secs),
            procurement,
            procurement_interval: Duration::from_secs(config.procurement.worker_interval_secs),
        })
    }

    /// E-procurement over this server's database and key store.
    pub fn procurement(&self) -> &dasan_procurement::Procurement {
        &self.procurement
    }

    /// Serves until `shutdown` completes and in-flight requests have finished.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // The mail worker stops after the server has finished its in-flight requests.
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let channels = Some(self.channels).filter(|c| !c.is_empty());
        let worker = channels.map(|channels| {
            let mut stop = stop_rx.clone();
            tokio::spawn(dasan_notify::run_worker(
                self.db.clone(),
                channels,
                Duration::from_secs(2),
                async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                },
            ))
        });
        let mut stop = stop_rx.clone();
        let sequencer = tokio::spawn(dasan_audit::run_sequencer(
            self.audit,
            self.sequence_interval,
            async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            },
        ));
        let mut stop = stop_rx.clone();
        let pki = tokio::spawn(refresh_pki(self.db.clone(), self.keys, async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        }));
        let mut stop = stop_rx.clone();
        let border = tokio::spawn(border::run_tasks(
            self.border,
            self.border_refresh,
            async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            },
        ));
        let mut stop = stop_rx.clone();
        let procurement = tokio::spawn(run_procurement_worker(
            self.procurement,
            self.procurement_interval,
            async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            },
        ));
        let result = dasan_web::serve(self.listener, self.app, shutdown, self.grace).await;
        let _ = stop_tx.send(true);
        let _ = border.await;
        let _ = procurement.await;
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        let _ = sequencer.await;
        let _ = pki.await;
        self.db.close().await;
        result
    }
}

/// Keeps the published CRLs and trust list current: checks at start, then hourly.
async fn refresh_pki(
    db: Database,
    keys: Arc<dyn dasan_crypto::KeyStore>,
    stop: impl Future<Output = ()>,
) {
    tokio::pin!(stop);
    loop {
        match dasan_crypto::published::refresh(&db, &*keys, std::time::SystemTime::now()).await {
            Ok(Some(done)) if !done.crls.is_empty() || done.trust_list => {
                tracing::info!(crls = ?done.crls, trust_list = done.trust_list, "re-issued PKI publications");
            }
            Ok(Some(done)) if !done.skipped.is_empty() => {
                tracing::warn!(crls = ?done.skipped, "CRLs are due but their CA key is not in the key store");
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "refreshing the PKI publications failed; will retry")
            }
        }
        tokio::select! {
            () = &mut stop => break,
            () = tokio::time::sleep(Duration::from_secs(3600)) => {}
        }
    }
}

/// Each interval: records this node's heartbeat, extends deadlines after an outage, and closes
/// the bid boxes whose deadline has come (in that order, so an outage extends before closing).
/// Every node runs it; closing is idempotent across nodes.
pub async fn run_procurement_worker(
    procurement: dasan_procurement::Procurement,
    interval: Duration,
    stop: impl Future<Output = ()>,
) {
    let node = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros())
            .unwrap_or_default()
    );
    tokio::pin!(stop);
    loop {
        if let Err(e) = dasan_procurement::record_heartbeat(procurement.database(), &node).await {
            tracing::warn!(error = %e, "cannot record the procurement heartbeat");
        }
        match procurement.apply_outage_rule().await {
            Ok(extended) => {
                for x in extended {
                    tracing::warn!(tender = %x.tender, deadline = %x.new_deadline, "deadline extended after an outage");
                }
            }
            Err(e) => tracing::error!(error = %e, "applying the outage rule failed; will retry"),
        }
        match procurement.close_due().await {
            Ok(closed) if !closed.is_empty() => {
                tracing::info!(tenders = ?closed, "bid boxes closed at their deadline");
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "closing bid boxes failed; will retry"),
        }
        match procurement.finalise_due().await {
            Ok(done) if !done.is_empty() => {
                tracing::info!(tenders = ?done, "awards final after their standstill period");
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "finalising awards failed; will retry"),
        }
        tokio::select! {
            () = &mut stop => break,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

/// Completes on SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
