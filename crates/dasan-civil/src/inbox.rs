//! The portal inbox: messages to an account about its applications.

use crate::{Civil, CivilError};
use dasan_identity::Principal;
use dasan_kernel::Timestamp;
use dasan_store::{StoreError, on_reader};
use serde::Serialize;

/// A message in the inbox.
#[derive(Clone, Debug, Serialize)]
pub struct Message {
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: Timestamp,
}

impl Civil {
    /// The principal's messages, newest first.
    pub async fn inbox(&self, principal: &Principal) -> Result<Vec<Message>, CivilError> {
        let rows: Vec<(String, String, Option<String>, i64)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT subject, body, link, created_at FROM inbox WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT 100"
        )
        .bind(principal.account.to_string())
        .fetch_all(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        Ok(rows
            .into_iter()
            .map(|(subject, body, link, at)| Message {
                subject,
                body,
                link,
                created_at: Timestamp::from_micros(at),
            })
            .collect())
    }
}
