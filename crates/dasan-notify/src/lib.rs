//! Notifications: an outbox written in the caller's transaction, delivered by a worker.
//!
//! [`enqueue`] (e-mail) and [`enqueue_sms`] (text messages) add a message inside the same [`Tx`]
//! as the change that causes it, so a message exists if and only if the change committed.
//! [`deliver_due`] claims due messages of the configured [`Channels`] (several workers on
//! several nodes never claim the same one), sends them and records the outcome: transient
//! failures are retried with growing delays, permanent ones (a mailbox or number the server
//! refuses) are marked failed and never retried. Delivery is at least once: a crash between
//! sending and recording may send a message twice, never lose it.

pub mod sms;
#[cfg(feature = "testing")]
pub mod testing;

pub use sms::{HttpSmsGateway, Sms, SmsProvider, normalise_mobile};

use dasan_kernel::Timestamp;
use dasan_store::{Database, Pool, StoreError, Tx, TxConn, on_tx};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;

/// A message to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    /// Plain text: readable everywhere, and nothing for a mail client to render unsafely.
    pub body: String,
}

/// Why a message could not be queued or delivered.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("the recipient address is not valid")]
    BadRecipient,
    #[error("the number cannot receive text messages")]
    NotMobile,
    #[error("SMTP configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Queues `email` as part of the caller's change.
pub async fn enqueue(tx: &mut Tx, email: &Email) -> Result<String, NotifyError> {
    email
        .to
        .parse::<Mailbox>()
        .map_err(|_| NotifyError::BadRecipient)?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO outbox (id, channel, recipient, subject, body, created_at, next_attempt_at) \
         VALUES ($1, 'email', $2, $3, $4, $5, $5)"
    )
    .bind(&id)
    .bind(&email.to)
    .bind(&email.subject)
    .bind(&email.body)
    .bind(now)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    Ok(id)
}

/// Queues a text message as part of the caller's change. `sms.to` must already be in E.164
/// form (see [`normalise_mobile`]).
pub async fn enqueue_sms(tx: &mut Tx, sms: &Sms) -> Result<String, NotifyError> {
    if !sms::is_e164(&sms.to) {
        return Err(NotifyError::BadRecipient);
    }
    let id = uuid::Uuid::now_v7().to_string();
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO outbox (id, channel, recipient, subject, body, created_at, next_attempt_at) \
         VALUES ($1, 'sms', $2, '', $3, $4, $4)"
    )
    .bind(&id)
    .bind(&sms.to)
    .bind(&sms.body)
    .bind(now)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    Ok(id)
}

/// Why one message was not delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    /// The server refused the message itself (not a passing outage): retrying cannot help.
    pub permanent: bool,
}

/// The ways out that are configured. A message whose channel is not configured waits in the
/// outbox until one is.
#[derive(Clone, Debug, Default)]
pub struct Channels {
    pub email: Option<Mailer>,
    pub sms: Option<Arc<dyn SmsProvider>>,
}

impl Channels {
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.sms.is_none()
    }
}

/// How to reach the mail server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport may hold credentials.
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// `url` as lettre reads it: `smtp://host:port` (plain, for a local relay),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://host:465`.
    ///
    /// Must be called within a Tokio runtime (the connection pool lives there).
    pub fn from_url(url: &str, from: &str) -> Result<Mailer, NotifyError> {
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| NotifyError::Config(format!("from address: {e}")))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| NotifyError::Config(e.to_string()))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Mailer { transport, from })
    }

    async fn send(&self, email: &Email) -> Result<(), SendError> {
        let refused = |message: String| SendError {
            message,
            permanent: true,
        };
        let to = email
            .to
            .parse::<Mailbox>()
            .map_err(|e| refused(e.to_string()))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .map_err(|e| refused(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| SendError {
                message: e.to_string(),
                // A 5xx reply to this message (unknown mailbox, policy); not a lost connection.
                permanent: e.is_permanent(),
            })
    }
}

/// The outcome of one delivery pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    /// Failed this time; will be retried.
    pub failed: usize,
    /// Refused for good; never retried.
    pub refused: usize,
}

/// A claimed message: id, channel, recipient, subject, body, attempts so far.
type Claimed = (String, String, String, String, String, i64);

/// How long a claim lasts: a worker that dies mid-send releases its messages after this.
const CLAIM: Duration = Duration::from_secs(120);

/// Waits before the next attempt: 30 s, 1 min, 2 min … capped at 1 h.
fn backoff(attempts: i64) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 8) - 1).unwrap_or(0);
    Duration::from_secs((30u64 << exponent).min(3600))
}

/// Sends every due message once (up to `batch`). Safe to run on several nodes at once.
pub async fn deliver_due(
    db: &Database,
    channels: &Channels,
    batch: i64,
) -> Result<Delivery, NotifyError> {
    let claimed = claim(db, channels, batch).await?;
    let mut delivery = Delivery::default();
    for (id, channel, recipient, subject, body, attempts) in claimed {
        let outcome = match (channel.as_str(), &channels.email, &channels.sms) {
            ("email", Some(mailer), _) => {
                let email = Email {
                    to: recipient,
                    subject,
                    body,
                };
                mailer.send(&email).await
            }
            ("sms", _, Some(provider)) => {
                let sms = Sms {
                    to: recipient,
                    body,
                };
                provider.send(&sms).await
            }
            // claim() only takes channels that are configured.
            _ => continue,
        };
        let mut tx = db
            .begin_bookkeeping("outbox: record a delivery attempt")
            .await?;
        let now = tx.now();
        let (sql, at) = match &outcome {
            Ok(()) => {
                delivery.sent += 1;
                (
                    "UPDATE outbox SET sent_at = $2, attempts = attempts + 1, claimed_until = NULL, last_error = $3 WHERE id = $1",
                    now,
                )
            }
            Err(e) if e.permanent => {
                delivery.refused += 1;
                tracing::warn!(outbox = %id, %channel, error = %e.message, "message refused by the server; not retried");
                (
                    "UPDATE outbox SET failed_at = $2, attempts = attempts + 1, claimed_until = NULL, last_error = $3 WHERE id = $1",
                    now,
                )
            }
            Err(e) => {
                delivery.failed += 1;
                tracing::warn!(outbox = %id, %channel, error = %e.message, "message not delivered; will retry");
                (
                    "UPDATE outbox SET next_attempt_at = $2, attempts = attempts + 1, claimed_until = NULL, last_error = $3 WHERE id = $1",
                    now.saturating_add(backoff(attempts + 1)),
                )
            }
        };
        let error = outcome
            .err()
            .map(|e| e.message.chars().take(500).collect::<String>());
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(&id)
            .bind(at.as_micros())
            .bind(&error)
            .execute(c)
            .await
            .map(drop))
        .map_err(StoreError::from_sqlx)?;
        tx.commit().await?;
    }
    Ok(delivery)
}

/// Claims due messages for this worker. The claim conditions are repeated in the outer WHERE so
/// that PostgreSQL re-checks them on rows another worker claimed meanwhile.
async fn claim(
    db: &Database,
    channels: &Channels,
    batch: i64,
) -> Result<Vec<Claimed>, NotifyError> {
    if channels.is_empty() {
        return Ok(Vec::new());
    }
    let (email, sms) = (channels.email.is_some(), channels.sms.is_some());
    let mut tx = db.begin_bookkeeping("outbox: claim due messages").await?;
    let now = tx.now();
    let until = now.saturating_add(CLAIM).as_micros();
    let now = now.as_micros();
    let rows: Vec<Claimed> = match tx.conn() {
        TxConn::Sqlite(c) => sqlx::query_as(
            "UPDATE outbox SET claimed_until = $1 WHERE id IN (\
                SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
                AND (claimed_until IS NULL OR claimed_until < $2) \
                AND ((channel = 'email' AND $4) OR (channel = 'sms' AND $5)) \
                ORDER BY next_attempt_at LIMIT $3) \
             RETURNING id, channel, recipient, subject, body, attempts",
        )
        .bind(until)
        .bind(now)
        .bind(batch)
        .bind(email)
        .bind(sms)
        .fetch_all(&mut **c)
        .await
        .map_err(StoreError::from_sqlx)?,
        TxConn::Postgres(c) => sqlx::query_as(
            "UPDATE outbox SET claimed_until = $1 WHERE id IN (\
                SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
                AND (claimed_until IS NULL OR claimed_until < $2) \
                AND ((channel = 'email' AND $4) OR (channel = 'sms' AND $5)) \
                ORDER BY next_attempt_at LIMIT $3 \
                FOR UPDATE SKIP LOCKED) \
             AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < $2) \
             RETURNING id, channel, recipient, subject, body, attempts",
        )
        .bind(until)
        .bind(now)
        .bind(batch)
        .bind(email)
        .bind(sms)
        .fetch_all(&mut **c)
        .await
        .map_err(StoreError::from_sqlx)?,
    };
    tx.commit().await?;
    Ok(rows)
}

/// Messages still to be sent (not sent, not refused), for operators and tests.
pub async fn pending(db: &Database) -> Result<i64, NotifyError> {
    let sql = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL";
    let n = match db.reader() {
        Pool::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
    }
    .map_err(StoreError::from_sqlx)?;
    Ok(n)
}

/// Delivers due messages every `interval` until `shutdown` completes.
pub async fn run_worker(
    db: Database,
    channels: Channels,
    interval: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        match deliver_due(&db, &channels, 50).await {
            Ok(d) if d.sent + d.failed + d.refused > 0 => {
                tracing::info!(
                    sent = d.sent,
                    failed = d.failed,
                    refused = d.refused,
                    "outbox"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "outbox pass failed"),
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

/// The time a message will next be tried, for display.
pub fn next_attempt(attempts: i64, now: Timestamp) -> Timestamp {
    now.saturating_add(backoff(attempts))
}
