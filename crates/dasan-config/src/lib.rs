//! Dasan's configuration: defaults, then a TOML file, then `DASAN_*` environment variables.
//!
//! Environment variables name a section and a key: `DASAN_DATABASE_URL` sets `[database] url`,
//! `DASAN_SERVER_LISTEN` sets `[server] listen`. Everything is validated at start; an error
//! names the bad key and where its value came from.

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The file read when no `--config`/`DASAN_CONFIG` is given, if it exists.
pub const DEFAULT_FILE: &str = "dasan.toml";

/// Sections that environment variables may set.
const SECTIONS: &[&str] = &[
    "server",
    "database",
    "portal",
    "log",
    "smtp",
    "sms",
    "identity",
    "keys",
    "audit",
    "civil",
    "procurement",
    "border",
];

/// Environment variables with the `DASAN_` prefix that are not configuration keys.
const NOT_CONFIG: &[&str] = &[
    "CONFIG",
    "TEST_POSTGRES_URL",
    "BIN",
    "PKCS11_PIN",
    "SMS_TOKEN",
];

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: Server,
    pub database: Database,
    pub portal: Portal,
    pub log: Log,
    pub smtp: Smtp,
    pub sms: Sms,
    pub identity: Identity,
    pub keys: Keys,
    pub audit: Audit,
    pub civil: Civil,
    pub border: Border,
    pub procurement: Procurement,
}

/// Smart border clearance: who uses the gates, the thresholds, the keys and trust anchors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Border {
    /// Nationals of these states (MRZ codes) use the gates without enrolling.
    pub self_service_nationalities: Vec<String>,
    /// The youngest traveller a gate clears (years).
    pub gate_minimum_age: u8,
    /// Nationalities that may enrol; empty: every one that is not self-service.
    pub enrolment_nationalities: Vec<String>,
    /// The youngest traveller who may enrol (years, on the day of pre-registration).
    pub enrolment_minimum_age: u8,
    /// An enrolment ends after this many years, or when the passport expires if sooner.
    pub enrolment_years: u8,
    /// The consent text in force for enrolment.
    pub consent_version: String,
    /// Screening: a watchlist hit needs a final score at least this (0–1).
    pub hit_threshold: f64,
    /// Screening: … and a name score at least this (0–1).
    pub min_name_score: f64,
    /// The lowest threshold accepted per biometric matcher (`algorithm = threshold`); a
    /// matcher not listed refers.
    pub biometric_min_threshold: std::collections::BTreeMap<String, u32>,
    /// Refer when a chip cannot prove it is not a clone (active authentication not made).
    pub require_active_authentication: bool,
    /// How far a gate request's time may be from the server's clock, either way (seconds).
    pub max_clock_skew_secs: u64,
    /// File holding the 32-byte key that seals biometric template references; created on
    /// first start if missing. Keep it apart from the database backups. Empty: the file
    /// `border-biometric.key` beside `keys.kek_file`.
    pub biometric_key_file: PathBuf,
    /// If set, the name of an environment variable holding that key as 64 hex digits instead
    /// of `biometric_key_file`.
    pub biometric_key_env: String,
    /// CSCA certificates (DER or PEM) or CSCA master lists anchoring passive authentication.
    pub csca_files: Vec<PathBuf>,
    /// The CSCAs' CRLs (DER or PEM).
    pub crl_files: Vec<PathBuf>,
    /// How often a node checks whether another node imported a watchlist (seconds).
    pub refresh_interval_secs: u64,
    /// The largest list a border administrator may upload through the API or the lists page
    /// (bytes; the UN consolidated list is about 2 MB). Other routes keep
    /// `server.body_limit_bytes`.
    pub list_body_limit_bytes: usize,
}

impl Default for Border {
    fn default() -> Self {
        Self {
            self_service_nationalities: vec!["KOR".to_owned()],
            gate_minimum_age: 7,
            enrolment_nationalities: Vec::new(),
            enrolment_minimum_age: 17,
            enrolment_years: 5,
            consent_version: "ses-consent-1".to_owned(),
            hit_threshold: 0.86,
            min_name_score: 0.78,
            biometric_min_threshold: [("dasan-test-face-1".to_owned(), 6_000u32)]
                .into_iter()
                .collect(),
            require_active_authentication: false,
            max_clock_skew_secs: 60,
            biometric_key_file: PathBuf::new(),
            biometric_key_env: String::new(),
            csca_files: Vec::new(),
            crl_files: Vec::new(),
            refresh_interval_secs: 10,
            list_body_limit_bytes: 16 * 1024 * 1024,
        }
    }
}

/// An MRZ state code: three capitals or fillers (`D<<`).
fn mrz_state(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'<')
}

/// E-procurement: the deadline cap, the background worker and the outage rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Procurement {
    /// At most this many tenders may close in one hour (flattens deadline peaks).
    pub max_tenders_per_hour: u32,
    /// How often each node records its heartbeat, applies the outage rule and closes the bid
    /// boxes whose deadline has come.
    pub worker_interval_secs: u64,
    /// Unavailability within this many minutes before a deadline extends it.
    pub outage_window_minutes: u64,
    /// A gap between heartbeats longer than this is unavailability.
    pub outage_max_gap_secs: u64,
    /// An outage extension gives suppliers this many hours more (rounded up to the hour).
    pub outage_extension_hours: u32,
    /// The OCID prefix of this deployment's open contracting data (OCDS): `ocds-` and the six
    /// characters the Open Contracting Partnership registered for the publisher. Every
    /// procedure's OCID is this prefix, `-`, and the tender id. The default is a placeholder.
    pub ocid_prefix: String,
    /// Days from the notice of award to its becoming final; bidders may complain until then.
    pub standstill_days: u32,
    /// Red flag: a tender period (publication to bid deadline) shorter than this many hours.
    pub red_flag_min_tender_period_hours: u32,
    /// Red flag (adequacy review): an award less than this far above the floor price, in parts
    /// per million of the planned price.
    pub red_flag_near_floor_margin_ppm: u32,
    /// Red flag: one supplier's share of an entity's awarded lots, in basis points, at or
    /// above which it is a repeated winner.
    pub red_flag_repeat_share_bp: u32,
    /// Red flag: the fewest awarded lots of an entity in the window for the repeated-winner
    /// rule to apply.
    pub red_flag_repeat_min_awards: u32,
    /// Red flag: the repeated-winner window, in days before now.
    pub red_flag_repeat_window_days: u32,
    /// The agency (in the platform PKI) whose issuing CA certifies suppliers' e-seals for
    /// signing contracts: the central procurement authority.
    pub supplier_ca_agency: String,
    /// Folder where tender documents are stored, named by content hash (every node needs the
    /// same one, e.g. a shared volume). Uploads are also bounded by `server.body_limit_bytes`.
    pub documents_dir: PathBuf,
}

impl Default for Procurement {
    fn default() -> Self {
        Self {
            max_tenders_per_hour: 500,
            worker_interval_secs: 15,
            outage_window_minutes: 60,
            outage_max_gap_secs: 300,
            outage_extension_hours: 2,
            ocid_prefix: "ocds-dasan0".into(),
            standstill_days: 10,
            red_flag_min_tender_period_hours: 168,
            red_flag_near_floor_margin_ppm: 1_000,
            red_flag_repeat_share_bp: 5_000,
            red_flag_repeat_min_awards: 3,
            red_flag_repeat_window_days: 365,
            supplier_ca_agency: "PPS".to_owned(),
            documents_dir: PathBuf::from("./dasan-data/tender-documents"),
        }
    }
}

/// Civil services.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Civil {
    /// Folder of service definitions (`*.toml`, searched recursively), loaded and checked at
    /// start; a bad file stops the start. A missing folder loads nothing.
    pub services_dir: PathBuf,
    /// Folder where attachments are stored, named by content hash (every node needs the same
    /// one, e.g. a shared volume). Uploads are also bounded by `server.body_limit_bytes`.
    pub attachments_dir: PathBuf,
    /// Folder with the NanumGothic fonts official documents are set in (Debian's
    /// `fonts-nanum`). Without them the portal runs, and issuing a document fails clearly.
    pub fonts_dir: PathBuf,
    /// The agency (in the platform PKI) whose time-stamping unit stamps document signatures.
    pub time_stamping_agency: String,
}

impl Default for Civil {
    fn default() -> Self {
        Self {
            services_dir: PathBuf::from("services"),
            attachments_dir: PathBuf::from("./dasan-data/attachments"),
            fonts_dir: PathBuf::from("/usr/share/fonts/truetype/nanum"),
            time_stamping_agency: "MOIS".to_owned(),
        }
    }
}

/// The key store that holds the platform's signing keys (audit checkpoints, PKI).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Keys {
    /// `file` (encrypted key files) or `pkcs11` (a hardware security module).
    pub backend: String,
    /// Folder of the encrypted key files. Every node that signs needs the same store.
    pub dir: PathBuf,
    /// File holding the 32-byte key-encryption key; created on first start if missing. Keep it
    /// on other storage than the key files and the database backups.
    pub kek_file: PathBuf,
    /// If set, the name of an environment variable holding a passphrase to derive the
    /// key-encryption key from (Argon2id) instead of `kek_file`.
    pub passphrase_env: String,
    /// `pkcs11`: the module, e.g. `/usr/lib/softhsm/libsofthsm2.so`.
    pub pkcs11_module: PathBuf,
    /// `pkcs11`: the token's label.
    pub pkcs11_token: String,
    /// `pkcs11`: the name of the environment variable holding the token's user PIN.
    pub pkcs11_pin_env: String,
}

impl Default for Keys {
    fn default() -> Self {
        Self {
            backend: "file".to_owned(),
            dir: PathBuf::from("./dasan-data/keys"),
            kek_file: PathBuf::from("./dasan-data/kek.bin"),
            passphrase_env: String::new(),
            pkcs11_module: PathBuf::new(),
            pkcs11_token: String::new(),
            pkcs11_pin_env: "DASAN_PKCS11_PIN".to_owned(),
        }
    }
}

/// The tamper-evident audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Audit {
    /// The log's origin line in checkpoints (default: the public URL's host + `/audit`).
    pub origin: String,
    /// How often the sequencer integrates new events and signs a checkpoint.
    pub sequence_interval_ms: u64,
}

impl Default for Audit {
    fn default() -> Self {
        Self {
            origin: String::new(),
            sequence_interval_ms: 1_000,
        }
    }
}

/// Outgoing mail. Without a URL, messages wait in the outbox until one is configured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Smtp {
    /// `smtp://HOST:PORT` (a local relay), `smtp://USER:PASSWORD@HOST:587?tls=required`
    /// (STARTTLS) or `smtps://USER:PASSWORD@HOST:465`. Empty: do not send.
    pub url: String,
    /// The sender, e.g. `Dasan <no-reply@portal.example>`.
    pub from: String,
}

impl Default for Smtp {
    fn default() -> Self {
        Self {
            url: String::new(),
            from: "Dasan <no-reply@localhost>".to_owned(),
        }
    }
}

/// Text messages. Without a gateway, texts wait in the outbox until one is configured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Sms {
    /// The HTTP gateway that relays texts to the operator: `POST` of `{"from","to","text"}` as
    /// JSON. Empty: do not send.
    pub gateway_url: String,
    /// The name of the environment variable holding the gateway's bearer token (a secret is
    /// never kept in the configuration file). Unset or empty: no `Authorization` header.
    pub token_env: String,
    /// The sender id registered with the operator.
    pub sender: String,
    /// The country whose numbering plan reads mobile numbers typed without a country code
    /// (ISO 3166-1 alpha-2, e.g. `KR`).
    pub region: String,
}

impl Default for Sms {
    fn default() -> Self {
        Self {
            gateway_url: String::new(),
            token_env: "DASAN_SMS_TOKEN".to_owned(),
            sender: "DASAN".to_owned(),
            region: "KR".to_owned(),
        }
    }
}

/// Sessions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Identity {
    /// Minutes of inactivity after which a session ends (officials: half of it).
    pub session_idle_minutes: u64,
    /// Hours after which a session ends however active it is.
    pub session_absolute_hours: u64,
    /// The age of majority: parents act for their children younger than this (Korea's Civil
    /// Act, art. 4: 19).
    pub majority_age: i16,
}

impl Default for Identity {
    fn default() -> Self {
        Self {
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            majority_age: 19,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Server {
    /// The address and port to listen on.
    pub listen: SocketAddr,
    /// The address citizens use to reach the portal. `https://` turns on secure cookies and HSTS
    /// (TLS is terminated by a reverse proxy in front of Dasan).
    pub public_url: url::Url,
    /// A request taking longer than this is answered with 408/503 and abandoned.
    pub request_timeout_secs: u64,
    /// The largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// On SIGTERM/SIGINT, in-flight requests get this long to finish.
    pub shutdown_grace_secs: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Database {
    /// `sqlite://PATH` (embedded) or `postgres://USER:PASSWORD@HOST:PORT/DB`.
    pub url: String,
    pub max_connections: u32,
    pub busy_timeout_ms: u64,
    pub statement_timeout_ms: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Portal {
    /// The language shown when the browser states no preference we support: `en` or `ko`.
    pub default_locale: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Log {
    /// A `tracing` filter, e.g. `info` or `dasan=debug,sqlx=warn`.
    pub level: String,
    /// `text` for people, `json` for log collectors.
    pub format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Server {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: url::Url::parse("http://127.0.0.1:8080/")
                .unwrap_or_else(|_| unreachable!("a constant URL parses")),
            request_timeout_secs: 30,
            body_limit_bytes: 1024 * 1024,
            shutdown_grace_secs: 30,
        }
    }
}

impl Default for Database {
    fn default() -> Self {
        Self {
            url: "sqlite://./dasan-data/dasan.db".to_owned(),
            max_connections: 10,
            busy_timeout_ms: 5_000,
            statement_timeout_ms: 30_000,
        }
    }
}

impl Default for Portal {
    fn default() -> Self {
        Self {
            default_locale: "en".to_owned(),
        }
    }
}

impl Default for Log {
    fn default() -> Self {
        Self {
            level: "info".to_owned(),
            format: LogFormat::Text,
        }
    }
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("{0}")]
    Parse(String),
    #[error("configuration key `{key}` is not valid: {reason}")]
    Invalid { key: &'static str, reason: String },
}

/// The effective configuration plus what the loader noticed on the way.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub config: Config,
    /// The file read, if any.
    pub file: Option<PathBuf>,
    /// `DASAN_*` variables that match no key (likely typos), for `dasan config check` to show.
    pub ignored_env: Vec<String>,
}

impl Config {
    /// Loads from `file` (or `dasan.toml` if present) and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Loaded, ConfigError> {
        Self::load_from(file, std::env::vars())
    }

    /// Loads with an explicit environment (for tests and embedding).
    pub fn load_from(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Loaded, ConfigError> {
        let file = match file {
            Some(path) if !path.exists() => return Err(ConfigError::MissingFile(path.into())),
            Some(path) => Some(path.to_path_buf()),
            None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.exists()),
        };
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = &file {
            figment = figment.merge(Toml::file_exact(path));
        }
        let (vars, ignored_env) = config_vars(env);
        for (name, value) in vars {
            // Each variable is its own provider so that errors name the variable.
            figment = figment.merge(EnvVar { name, value });
        }
        let config: Config = figment
            .extract()
            .map_err(|e| ConfigError::Parse(describe(e)))?;
        config.validate()?;
        Ok(Loaded {
            config,
            file,
            ignored_env,
        })
    }

    /// Checks what serde cannot: cross-field rules and value ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, reason: &str| {
            Err(ConfigError::Invalid {
                key,
                reason: reason.to_owned(),
            })
        };
        let url = &self.database.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return invalid(
                "database.url",
                "it must start with sqlite:// or postgres://",
            );
        }
        if url.starts_with("postgres") && url::Url::parse(url).is_err() {
            return invalid("database.url", "it is not a valid postgres:// URL");
        }
        if self.database.max_connections == 0 {
            return invalid("database.max_connections", "it must be at least 1");
        }
        if !matches!(self.server.public_url.scheme(), "http" | "https") {
            return invalid("server.public_url", "it must be an http:// or https:// URL");
        }
        if self.server.request_timeout_secs == 0 {
            return invalid("server.request_timeout_secs", "it must be at least 1");
        }
        if self.server.body_limit_bytes < 1024 {
            return invalid("server.body_limit_bytes", "it must be at least 1024");
        }
        if !["en", "ko"].contains(&self.portal.default_locale.as_str()) {
            return invalid("portal.default_locale", "it must be one of: en, ko");
        }
        let smtp_ok = self.smtp.url.is_empty()
            || self.smtp.url.starts_with("smtp://")
            || self.smtp.url.starts_with("smtps://");
        if !smtp_ok {
            return invalid("smtp.url", "it must start with smtp:// or smtps://");
        }
        let gateway = &self.sms.gateway_url;
        let gateway_ok =
            gateway.is_empty() || gateway.starts_with("http://") || gateway.starts_with("https://");
        if !gateway_ok {
            return invalid("sms.gateway_url", "it must start with http:// or https://");
        }
        if self.sms.region.len() != 2 || !self.sms.region.bytes().all(|b| b.is_ascii_uppercase()) {
            return invalid(
                "sms.region",
                "it must be a two-letter country code in capitals (ISO 3166-1), e.g. KR",
            );
        }
        match self.keys.backend.as_str() {
            "file" => {}
            "pkcs11" => {
                if self.keys.pkcs11_module.as_os_str().is_empty()
                    || self.keys.pkcs11_token.is_empty()
                {
                    return invalid(
                        "keys.pkcs11_module",
                        "the pkcs11 backend needs keys.pkcs11_module and keys.pkcs11_token",
                    );
                }
            }
            _ => return invalid("keys.backend", "it must be file or pkcs11"),
        }
        if self.procurement.max_tenders_per_hour == 0 {
            return invalid("procurement.max_tenders_per_hour", "it must be at least 1");
        }
        if self.procurement.worker_interval_secs == 0
            || self.procurement.worker_interval_secs * 2 > self.procurement.outage_max_gap_secs
        {
            return invalid(
                "procurement.worker_interval_secs",
                "it must be at least 1 and at most half of procurement.outage_max_gap_secs",
            );
        }
        let prefix = &self.procurement.ocid_prefix;
        if prefix.is_empty()
            || prefix.len() > 64
            || !prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            || prefix.starts_with('-')
            || prefix.ends_with('-')
        {
            return invalid(
                "procurement.ocid_prefix",
                "it must be letters, digits and inner hyphens, e.g. ocds-213czf",
            );
        }
        if !(1..=365).contains(&self.procurement.standstill_days) {
            return invalid(
                "procurement.standstill_days",
                "it must be between 1 and 365",
            );
        }
        let p = &self.procurement;
        if p.red_flag_near_floor_margin_ppm > 1_000_000 {
            return invalid(
                "procurement.red_flag_near_floor_margin_ppm",
                "it must be at most 1000000 (100 %)",
            );
        }
        if !(1..=10_000).contains(&p.red_flag_repeat_share_bp) {
            return invalid(
                "procurement.red_flag_repeat_share_bp",
                "it must be between 1 and 10000",
            );
        }
        if !(1..=3_650).contains(&p.red_flag_repeat_window_days) {
            return invalid(
                "procurement.red_flag_repeat_window_days",
                "it must be between 1 and 3650",
            );
        }
        if self.audit.sequence_interval_ms == 0 {
            return invalid("audit.sequence_interval_ms", "it must be at least 1");
        }
        if !self.audit.origin.is_empty()
            && (self.audit.origin.contains(char::is_whitespace) || self.audit.origin.contains('+'))
        {
            return invalid(
                "audit.origin",
                "it must not contain spaces or '+' (e.g. portal.example.go.kr/audit)",
            );
        }
        if self.identity.session_idle_minutes == 0 || self.identity.session_absolute_hours == 0 {
            return invalid(
                "identity.session_idle_minutes",
                "session time-outs must be at least 1",
            );
        }
        if !(1..=30).contains(&self.identity.majority_age) {
            return invalid(
                "identity.majority_age",
                "it must be between 1 and 30 (years)",
            );
        }
        let b = &self.border;
        if !b
            .self_service_nationalities
            .iter()
            .chain(&b.enrolment_nationalities)
            .all(|c| mrz_state(c))
        {
            return invalid(
                "border.self_service_nationalities",
                "nationalities must be three-letter MRZ codes in capitals, e.g. KOR or D<<",
            );
        }
        if b.gate_minimum_age > 120 || b.enrolment_minimum_age > 120 {
            return invalid("border.gate_minimum_age", "ages must be at most 120");
        }
        if !(1..=10).contains(&b.enrolment_years) {
            return invalid("border.enrolment_years", "it must be between 1 and 10");
        }
        for (key, v) in [
            ("border.hit_threshold", b.hit_threshold),
            ("border.min_name_score", b.min_name_score),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return invalid(key, "it must be above 0 and at most 1");
            }
        }
        if !(1..=600).contains(&b.max_clock_skew_secs) {
            return invalid(
                "border.max_clock_skew_secs",
                "it must be between 1 and 600 (seconds)",
            );
        }
        if b.refresh_interval_secs == 0 {
            return invalid("border.refresh_interval_secs", "it must be at least 1");
        }
        if b.list_body_limit_bytes < 1024 {
            return invalid("border.list_body_limit_bytes", "it must be at least 1024");
        }
        if b.consent_version.trim().is_empty() {
            return invalid("border.consent_version", "it must not be empty");
        }
        if tracing_filter_is_empty(&self.log.level) {
            return invalid("log.level", "it must not be empty");
        }
        Ok(())
    }

    /// Whether the public address is HTTPS: cookies get `Secure` and responses get HSTS.
    pub fn tls(&self) -> bool {
        self.server.public_url.scheme() == "https"
    }

    /// A copy safe to print: passwords and other secrets replaced by `********`.
    pub fn masked(&self) -> Config {
        let mut copy = self.clone();
        copy.database.url = mask_url_password(&self.database.url);
        copy.smtp.url = mask_url_password(&self.smtp.url);
        copy.sms.gateway_url = mask_url_password(&self.sms.gateway_url);
        copy
    }

    /// The configuration as TOML (masked), as `dasan config check` prints it.
    pub fn to_masked_toml(&self) -> String {
        toml::to_string(&self.masked()).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }
}

fn tracing_filter_is_empty(level: &str) -> bool {
    level.trim().is_empty()
}

/// Splits `DASAN_*` variables into configuration keys and unrecognised names.
fn config_vars(
    env: impl IntoIterator<Item = (String, String)>,
) -> (Vec<(String, String)>, Vec<String>) {
    let mut vars = Vec::new();
    let mut ignored = Vec::new();
    for (name, value) in env {
        let Some(rest) = name.strip_prefix("DASAN_") else {
            continue;
        };
        if NOT_CONFIG.contains(&rest) {
            continue;
        }
        let section = rest
            .split('_')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if SECTIONS.contains(&section.as_str()) && rest.len() > section.len() + 1 {
            vars.push((name, value));
        } else {
            ignored.push(name);
        }
    }
    vars.sort();
    ignored.sort();
    (vars, ignored)
}

/// One `DASAN_SECTION_KEY` variable as a configuration source.
struct EnvVar {
    name: String,
    value: String,
}

impl Provider for EnvVar {
    fn metadata(&self) -> Metadata {
        Metadata::named(format!("`{}` environment variable", self.name))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        // `DASAN_DATABASE_MAX_CONNECTIONS` → `database.max_connections`.
        let lower = self.name.to_ascii_lowercase();
        let rest = lower.strip_prefix("dasan_").unwrap_or(&lower);
        let (section, field) = rest.split_once('_').unwrap_or((rest, ""));
        // Values parse as figment's environment values do: numbers, booleans, else strings.
        let value: Value = self
            .value
            .parse()
            .unwrap_or_else(|_| Value::from(self.value.clone()));
        let mut inner = Dict::new();
        inner.insert(field.to_owned(), value);
        let mut outer = Dict::new();
        outer.insert(section.to_owned(), Value::from(inner));
        Ok(Profile::Default.collect(outer))
    }
}

/// Figment's messages say "for key default.server.listen"; drop the profile name.
fn describe(err: figment::Error) -> String {
    err.into_iter()
        .map(|e| e.to_string().replace("key \"default.", "key \""))
        .collect::<Vec<_>>()
        .join("; ")
}

fn mask_url_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("********"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dasan.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    fn error_of(result: Result<Loaded, ConfigError>) -> String {
        result
            .expect_err("configuration should be refused")
            .to_string()
    }

    #[test]
    fn defaults_are_valid_and_use_embedded_sqlite() {
        let loaded = Config::load_from(None, env(&[])).unwrap();
        assert_eq!(loaded.config, Config::default());
        assert_eq!(loaded.config.database.url, "sqlite://./dasan-data/dasan.db");
        assert!(!loaded.config.tls());
    }

    #[test]
    fn environment_overrides_file_overrides_defaults() {
        let (_dir, path) = file(
            "[server]\nlisten = \"0.0.0.0:9000\"\n[database]\nurl = \"sqlite://x.db\"\nmax_connections = 3\n",
        );
        let loaded = Config::load_from(
            Some(&path),
            env(&[
                ("DASAN_DATABASE_URL", "postgres://dasan:pw@db:5432/dasan"),
                ("DASAN_SERVER_PUBLIC_URL", "https://gov.example/"),
                ("DASAN_LOG_FORMAT", "json"),
                ("DASAN_SERVER_LISTEN", "[::1]:8443"),
                ("HOME", "/root"),
            ]),
        )
        .unwrap();
        let c = loaded.config;
        assert_eq!(c.server.listen.to_string(), "[::1]:8443");
        assert_eq!(c.database.url, "postgres://dasan:pw@db:5432/dasan");
        assert_eq!(c.database.max_connections, 3);
        assert_eq!(c.log.format, LogFormat::Json);
        assert!(c.tls());
        assert_eq!(loaded.file, Some(path));
    }

    #[test]
    fn errors_name_the_bad_key_and_its_source() {
        let msg = error_of(Config::load_from(
            None,
            env(&[("DASAN_SERVER_LISTEN", "not-an-address")]),
        ));
        assert!(
            msg.contains("server.listen") && msg.contains("DASAN_SERVER_LISTEN"),
            "{msg}"
        );

        let (_dir, path) = file("[server]\nrequest_timeout_secs = \"soon\"\n");
        let msg = error_of(Config::load_from(Some(&path), env(&[])));
        assert!(
            msg.contains("server.request_timeout_secs") && msg.contains("dasan.toml"),
            "{msg}"
        );

        let (_dir, path) = file("[server]\nlisen = \"0.0.0.0:1\"\n");
        let msg = error_of(Config::load_from(Some(&path), env(&[])));
        assert!(msg.contains("lisen"), "{msg}");

        let msg = error_of(Config::load_from(
            None,
            env(&[("DASAN_DATABASE_URL", "mysql://x/y")]),
        ));
        assert!(msg.contains("database.url"), "{msg}");

        let msg = error_of(Config::load_from(
            None,
            env(&[("DASAN_PORTAL_DEFAULT_LOCALE", "fr")]),
        ));
        assert!(msg.contains("portal.default_locale"), "{msg}");

        let msg = error_of(Config::load_from(
            None,
            env(&[("DASAN_SMS_GATEWAY_URL", "ftp://gateway/send")]),
        ));
        assert!(msg.contains("sms.gateway_url"), "{msg}");
        let msg = error_of(Config::load_from(None, env(&[("DASAN_SMS_REGION", "kor")])));
        assert!(msg.contains("sms.region"), "{msg}");
        // The gateway's token is a secret read from its own variable, not a configuration key.
        let loaded = Config::load_from(
            None,
            env(&[
                ("DASAN_SMS_GATEWAY_URL", "https://sms.example/send"),
                ("DASAN_SMS_TOKEN", "s3cret"),
            ]),
        )
        .unwrap();
        assert_eq!(loaded.config.sms.gateway_url, "https://sms.example/send");
        assert!(loaded.ignored_env.is_empty(), "{:?}", loaded.ignored_env);

        let msg = error_of(Config::load_from(
            Some(Path::new("/nonexistent/dasan.toml")),
            env(&[]),
        ));
        assert!(msg.contains("/nonexistent/dasan.toml"), "{msg}");
    }

    #[test]
    fn border_settings_are_checked() {
        let (_dir, path) = file(
            "[border]\nself_service_nationalities = [\"KOR\", \"D<<\"]\nhit_threshold = 0.9\ncsca_files = [\"csca.pem\"]\n[border.biometric_min_threshold]\nvendor-face-5 = 7000\n",
        );
        let c = Config::load_from(Some(&path), env(&[])).unwrap().config;
        assert_eq!(c.border.self_service_nationalities, ["KOR", "D<<"]);
        assert_eq!(c.border.biometric_min_threshold["vendor-face-5"], 7000);
        assert_eq!(c.border.csca_files, [PathBuf::from("csca.pem")]);
        for (var, value, key) in [
            (
                "DASAN_BORDER_SELF_SERVICE_NATIONALITIES",
                "[\"kor\"]",
                "border.self_service_nationalities",
            ),
            ("DASAN_BORDER_HIT_THRESHOLD", "0", "border.hit_threshold"),
            (
                "DASAN_BORDER_MIN_NAME_SCORE",
                "1.5",
                "border.min_name_score",
            ),
            (
                "DASAN_BORDER_ENROLMENT_YEARS",
                "0",
                "border.enrolment_years",
            ),
            (
                "DASAN_BORDER_MAX_CLOCK_SKEW_SECS",
                "3600",
                "border.max_clock_skew_secs",
            ),
        ] {
            let msg = error_of(Config::load_from(None, env(&[(var, value)])));
            assert!(msg.contains(key), "{var}: {msg}");
        }
    }

    #[test]
    fn the_ocid_prefix_is_checked() {
        let c = Config::load_from(
            None,
            env(&[("DASAN_PROCUREMENT_OCID_PREFIX", "ocds-213czf")]),
        )
        .unwrap()
        .config;
        assert_eq!(c.procurement.ocid_prefix, "ocds-213czf");
        for bad in [
            "",
            "ocds 213czf",
            "ocds-213czf-",
            "-ocds",
            "ocds/1",
            "ocds-#1",
        ] {
            let msg = error_of(Config::load_from(
                None,
                env(&[("DASAN_PROCUREMENT_OCID_PREFIX", bad)]),
            ));
            assert!(msg.contains("procurement.ocid_prefix"), "{bad:?}: {msg}");
        }
    }

    #[test]
    fn unknown_dasan_variables_are_reported_not_applied() {
        let loaded = Config::load_from(
            None,
            env(&[
                ("DASAN_DATABSE_URL", "postgres://typo/x"),
                ("DASAN_TEST_POSTGRES_URL", "postgres://test/x"),
                ("DASAN_CONFIG", "x.toml"),
            ]),
        )
        .unwrap();
        assert_eq!(loaded.ignored_env, vec!["DASAN_DATABSE_URL".to_owned()]);
        assert_eq!(loaded.config, Config::default());
    }

    #[test]
    fn printed_configuration_masks_secrets() {
        let loaded = Config::load_from(
            None,
            env(&[(
                "DASAN_DATABASE_URL",
                "postgres://dasan:s3cret-pw@db:5432/dasan",
            )]),
        )
        .unwrap();
        let text = loaded.config.to_masked_toml();
        assert!(!text.contains("s3cret-pw"), "{text}");
        assert!(
            text.contains("postgres://dasan:********@db:5432/dasan"),
            "{text}"
        );
        // The effective configuration still has the real secret.
        assert!(loaded.config.database.url.contains("s3cret-pw"));
        // What is printed is itself a valid configuration file.
        let (_dir, path) = file(&text);
        assert!(Config::load_from(Some(&path), env(&[])).is_ok());
    }
}
