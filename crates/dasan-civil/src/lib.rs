//! Civil services (Minwon 24 / Government24): every agency's services in one catalogue, defined
//! as data; applications made online with registry facts filled in (once-only), tracked, and
//! decided by the agency's officials.
//!
//! `definition`, `form` and `status` are pure rules; `catalogue` and `application` keep them in
//! the database, one audited transaction per change; `documents` issues the signed documents
//! (PDF with a QR seal, by `dasan-docs`) that services produce.

pub mod application;
pub mod attachments;
pub mod catalogue;
pub mod definition;
pub mod documents;
mod error;
pub mod form;
pub mod inbox;
pub mod operator;
mod reissue;
pub mod shares;
pub mod status;

pub use application::{Application, ApplicationId, Event, QueueFilter, QueuePage};
pub use catalogue::{LoadSummary, Service, ServiceSummary};
pub use definition::{Issuance, ServiceDefinition};
pub use error::CivilError;
pub use status::{Action, Status};

use dasan_registry::Registry;
use dasan_store::Database;

/// Civil services over the platform's database and registries. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Civil {
    db: Database,
    registry: Registry,
    majority_age: i16,
    blobs: Option<std::sync::Arc<dyn object_store::ObjectStore>>,
    issuer: Option<documents::Issuer>,
}

impl Civil {
    pub fn new(db: Database, registry: Registry, majority_age: i16) -> Civil {
        Civil {
            db,
            registry,
            majority_age,
            blobs: None,
            issuer: None,
        }
    }

    /// Issues signed documents for services that produce one (without an issuer they are
    /// issued without a document).
    pub fn with_issuer(mut self, issuer: documents::Issuer) -> Civil {
        self.issuer = Some(issuer);
        self
    }

    /// Stores attachments in `store` (without one, attaching fails).
    pub fn with_attachments(
        mut self,
        store: std::sync::Arc<dyn object_store::ObjectStore>,
    ) -> Civil {
        self.blobs = Some(store);
        self
    }

    /// A local folder as the attachment store (created if missing).
    pub fn local_attachments(self, dir: &std::path::Path) -> std::io::Result<Civil> {
        std::fs::create_dir_all(dir)?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(std::io::Error::other)?;
        Ok(self.with_attachments(std::sync::Arc::new(store)))
    }
}
