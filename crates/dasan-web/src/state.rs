//! What every request handler shares.

use crate::i18n::{Catalog, Locale, Tr};
use crate::metrics::Metrics;
use dasan_store::Database;
use std::sync::Arc;
use std::time::Duration;

/// Web settings taken from the configuration.
#[derive(Clone, Debug)]
pub struct WebSettings {
    /// The portal's public address (problem type URIs, absolute links).
    pub public_url: url::Url,
    /// TLS in front of us: `Secure` cookies and HSTS.
    pub tls: bool,
    pub default_locale: Locale,
    pub body_limit_bytes: usize,
    /// The body limit of border list uploads (`border.list_body_limit_bytes`).
    pub border_list_body_limit_bytes: usize,
    pub request_timeout: Duration,
    /// How mobile numbers typed without a country code are read (ISO 3166-1 alpha-2).
    pub sms_region: String,
}

impl WebSettings {
    pub fn from_config(config: &dasan_config::Config) -> WebSettings {
        WebSettings {
            public_url: config.server.public_url.clone(),
            tls: config.tls(),
            default_locale: Locale::from_code(&config.portal.default_locale).unwrap_or(Locale::En),
            body_limit_bytes: config.server.body_limit_bytes,
            border_list_body_limit_bytes: config.border.list_body_limit_bytes,
            request_timeout: Duration::from_secs(config.server.request_timeout_secs),
            sms_region: config.sms.region.clone(),
        }
    }
}

struct Inner {
    db: Database,
    catalog: Arc<Catalog>,
    settings: WebSettings,
    metrics: Metrics,
    identity: IdentityKit,
    audit: dasan_audit::AuditLog,
    registry: dasan_registry::Registry,
    civil: dasan_civil::Civil,
    border: std::sync::OnceLock<dasan_border::store::Border>,
    procurement: dasan_procurement::Procurement,
}

/// What the web edge needs from identity, built once at start.
#[derive(Clone, Debug)]
pub struct IdentityKit {
    pub csrf: dasan_identity::csrf::CsrfKey,
    pub passkeys: dasan_identity::passkey::Passkeys,
    pub sessions: dasan_identity::session::SessionPolicy,
    /// Parents act for their children younger than this.
    pub majority_age: i16,
}

/// Shared state: cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

impl AppState {
    pub fn new(
        db: Database,
        catalog: Arc<Catalog>,
        settings: WebSettings,
        identity: IdentityKit,
        audit: dasan_audit::AuditLog,
        civil: dasan_civil::Civil,
        procurement: dasan_procurement::Procurement,
    ) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                db: db.clone(),
                catalog,
                settings,
                metrics: Metrics::new(),
                audit,
                registry: dasan_registry::Registry::new(db.clone()),
                civil,
                procurement,
                identity,
                border: std::sync::OnceLock::new(),
            }),
        }
    }

    pub fn csrf(&self) -> &dasan_identity::csrf::CsrfKey {
        &self.inner.identity.csrf
    }

    pub fn passkeys(&self) -> &dasan_identity::passkey::Passkeys {
        &self.inner.identity.passkeys
    }

    pub fn session_policy(&self) -> &dasan_identity::session::SessionPolicy {
        &self.inner.identity.sessions
    }

    pub fn majority_age(&self) -> i16 {
        self.inner.identity.majority_age
    }

    /// The base registries (people, businesses, agencies).
    pub fn registry(&self) -> &dasan_registry::Registry {
        &self.inner.registry
    }

    /// Civil services: the catalogue and applications.
    pub fn civil(&self) -> &dasan_civil::Civil {
        &self.inner.civil
    }

    /// Smart border clearance, once [`AppState::set_border`] gave it (the border routes answer
    /// 503 `unavailable` before).
    pub fn border(&self) -> Option<&dasan_border::store::Border> {
        self.inner.border.get()
    }

    /// Gives the border service (once, at start).
    pub fn set_border(&self, border: dasan_border::store::Border) {
        let _ = self.inner.border.set(border);
    }

    /// E-procurement: suppliers, tenders, sealed bids, openings.
    pub fn procurement(&self) -> &dasan_procurement::Procurement {
        &self.inner.procurement
    }

    pub fn audit(&self) -> &dasan_audit::AuditLog {
        &self.inner.audit
    }

    pub fn db(&self) -> &Database {
        &self.inner.db
    }

    pub fn settings(&self) -> &WebSettings {
        &self.inner.settings
    }

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub fn tr(&self, locale: Locale) -> Tr {
        Tr::new(self.inner.catalog.clone(), locale)
    }

    /// `https://portal.example/problems/not-found`: dereferences to a page explaining it.
    pub fn problem_type_uri(&self, code: &str) -> String {
        let base = self
            .inner
            .settings
            .public_url
            .as_str()
            .trim_end_matches('/');
        format!("{base}/problems/{code}")
    }
}
