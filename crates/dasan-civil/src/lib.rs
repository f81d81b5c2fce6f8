//! Civil services (Minwon 24 / Government24): every agency's services in one catalogue, defined
//! as data; applications made online with registry facts filled in (once-only), tracked, and
//! decided by the agency's officials.
//!
//! `definition`, `form` and `status` are pure rules; `catalogue` and `application` keep them in
//! the database, one audited transaction per change.

pub mod application;
pub mod catalogue;
pub mod definition;
mod error;
pub mod form;
pub mod inbox;
pub mod status;

pub use application::{Application, ApplicationId, Event, QueueFilter};
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
}

impl Civil {
    pub fn new(db: Database, registry: Registry, majority_age: i16) -> Civil {
        Civil {
            db,
            registry,
            majority_age,
        }
    }
}
