//! Who is acting: recorded with every audit event and checked by every permission decision.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The kind of party behind a request or a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// Nobody signed in (a citizen browsing, a feedback form).
    Anonymous,
    /// A signed-in account (citizen, business user, official) or an API client.
    Account,
    /// The platform itself: migrations, demo loading, the command line, background jobs.
    System,
}

/// The acting party as the audit log records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub kind: ActorKind,
    /// The account acting, if any.
    pub account: Option<Uuid>,
    /// The agency the account acts for, if any.
    pub agency: Option<String>,
    /// The person or business on whose behalf the account acts (delegation), if any.
    pub on_behalf_of: Option<Uuid>,
    /// The request that caused the change, to join logs with audit events.
    pub request_id: Option<String>,
}

impl Actor {
    pub fn anonymous(request_id: Option<String>) -> Self {
        Self {
            kind: ActorKind::Anonymous,
            account: None,
            agency: None,
            on_behalf_of: None,
            request_id,
        }
    }

    /// The platform acting on its own, e.g. `dasan admin create` from a shell.
    pub fn system() -> Self {
        Self {
            kind: ActorKind::System,
            account: None,
            agency: None,
            on_behalf_of: None,
            request_id: None,
        }
    }

    pub fn account(account: Uuid) -> Self {
        Self {
            kind: ActorKind::Account,
            account: Some(account),
            agency: None,
            on_behalf_of: None,
            request_id: None,
        }
    }
}
