//! Notifications: an outbox written in the caller's transaction, delivered by a worker.
//!
//! [`enqueue`] adds a message inside the same [`Tx`] as the change that causes it, so a message
//! exists if and only if the change committed. [`deliver_due`] claims due messages (several
//! workers on several nodes never claim the same one), sends them and records the outcome;
//! failures are retried with growing delays. Delivery is at least once: a crash between sending
//! and recording may send a message twice, never lose it.

#[cfg(feature = "testing")]
pub mod testing;

use dasan_kernel::Timestamp;
use dasan_store::{Database, Pool, StoreError, Tx, TxConn, on_tx};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
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

    async fn send(&self, email: &Email) -> Result<(), String> {
        let to = email.to.parse::<Mailbox>().map_err(|e| e.to_string())?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// The outcome of one delivery pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub failed: usize,
}

/// A claimed message.
type Claimed = (String, String, String, String, i64);

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
    mailer: &Mailer,
    batch: i64,
) -> Result<Delivery, NotifyError> {
    let claimed = claim(db, batch).await?;
    let mut delivery = Delivery::default();
    for (id, recipient, subject, body, attempts) in claimed {
        let email = Email {
            to: recipient,
            subject,
            body,
        };
        let outcome = mailer.send(&email).await;
        let mut tx = db
            .begin_bookkeeping("outbox: record a delivery attempt")
            .await?;
        let now = tx.now();
        match &outcome {
            Ok(()) => {
                delivery.sent += 1;
                on_tx!(tx, |c| sqlx::query(
                    "UPDATE outbox SET sent_at = $2, attempts = attempts + 1, claimed_until = NULL, last_error = NULL WHERE id = $1"
                )
                .bind(&id)
                .bind(now.as_micros())
                .execute(c)
                .await
                .map(drop))
                .map_err(StoreError::from_sqlx)?;
            }
            Err(error) => {
                delivery.failed += 1;
                tracing::warn!(outbox = %id, %error, "mail not delivered; will retry");
                let next = now.saturating_add(backoff(attempts + 1));
                on_tx!(tx, |c| sqlx::query(
                    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, claimed_until = NULL, last_error = $3 WHERE id = $1"
                )
                .bind(&id)
                .bind(next.as_micros())
                .bind(error.chars().take(500).collect::<String>())
                .execute(c)
                .await
                .map(drop))
                .map_err(StoreError::from_sqlx)?;
            }
        }
        tx.commit().await?;
    }
    Ok(delivery)
}

/// Claims due messages for this worker. The claim conditions are repeated in the outer WHERE so
/// that PostgreSQL re-checks them on rows another worker claimed meanwhile.
async fn claim(db: &Database, batch: i64) -> Result<Vec<Claimed>, NotifyError> {
    let mut tx = db.begin_bookkeeping("outbox: claim due messages").await?;
    let now = tx.now();
    let until = now.saturating_add(CLAIM).as_micros();
    let now = now.as_micros();
    let rows: Vec<Claimed> = match tx.conn() {
        TxConn::Sqlite(c) => sqlx::query_as(
            "UPDATE outbox SET claimed_until = $1 WHERE id IN (\
                SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $2 \
                AND (claimed_until IS NULL OR claimed_until < $2) ORDER BY next_attempt_at LIMIT $3) \
             RETURNING id, recipient, subject, body, attempts",
        )
        .bind(until)
        .bind(now)
        .bind(batch)
        .fetch_all(&mut **c)
        .await
        .map_err(StoreError::from_sqlx)?,
        TxConn::Postgres(c) => sqlx::query_as(
            "UPDATE outbox SET claimed_until = $1 WHERE id IN (\
                SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $2 \
                AND (claimed_until IS NULL OR claimed_until < $2) ORDER BY next_attempt_at LIMIT $3 \
                FOR UPDATE SKIP LOCKED) \
             AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < $2) \
             RETURNING id, recipient, subject, body, attempts",
        )
        .bind(until)
        .bind(now)
        .bind(batch)
        .fetch_all(&mut **c)
        .await
        .map_err(StoreError::from_sqlx)?,
    };
    tx.commit().await?;
    Ok(rows)
}

/// Messages not yet sent (for operators and tests).
pub async fn pending(db: &Database) -> Result<i64, NotifyError> {
    let sql = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL";
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
    mailer: Mailer,
    interval: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        match deliver_due(&db, &mailer, 50).await {
            Ok(d) if d.sent + d.failed > 0 => {
                tracing::info!(sent = d.sent, failed = d.failed, "outbox")
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
