//! Rate limits on sign-in, recovery and registration, stored in the database so that they hold
//! across every node. After a number of free failures each further failure blocks the key for
//! a growing delay (doubling, capped); while blocked, attempts get 429 with `Retry-After`.

use crate::IdentityError;
use crate::secrets::hex;
use dasan_kernel::Timestamp;
use dasan_store::{Database, StoreError, Tx, on_reader, on_tx};
use sha2::{Digest, Sha256};

/// A limit: how many failures are free within a window, and the delays after that.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub free_failures: i64,
    pub base_delay_secs: i64,
    pub max_delay_secs: i64,
    pub window_secs: i64,
}

/// Per account: 5 free tries an hour, then 2 s, 4 s, 8 s … up to 15 min.
pub const SIGN_IN_ACCOUNT: Limit = Limit {
    free_failures: 5,
    base_delay_secs: 2,
    max_delay_secs: 900,
    window_secs: 3600,
};
/// Per address: a shared office network makes more room necessary.
pub const SIGN_IN_IP: Limit = Limit {
    free_failures: 30,
    base_delay_secs: 1,
    max_delay_secs: 900,
    window_secs: 3600,
};
/// Recovery and registration requests, per address and per account.
pub const REQUESTS: Limit = Limit {
    free_failures: 5,
    base_delay_secs: 60,
    max_delay_secs: 3600,
    window_secs: 3600,
};

/// A rate-limit key. Accounts are keyed by a hash of the normalised e-mail address, so that
/// unknown addresses are limited exactly like known ones (no probing) and no address is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key(String);

impl Key {
    pub fn account(purpose: &str, email: &str) -> Key {
        let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
        Key(format!("{purpose}:acct:{}", hex(&digest[..16])))
    }

    pub fn ip(purpose: &str, ip: &str) -> Key {
        Key(format!("{purpose}:ip:{ip}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Fails with `RateLimited` while `key` is blocked.
pub async fn check(db: &Database, key: &Key, now: Timestamp) -> Result<(), IdentityError> {
    let blocked_until: Option<i64> = on_reader!(db, |p| sqlx::query_scalar(
        "SELECT blocked_until FROM rate_limits WHERE key = $1"
    )
    .bind(key.as_str())
    .fetch_optional(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    match blocked_until {
        Some(until) if until > now.as_micros() => Err(IdentityError::RateLimited {
            retry_after_secs: u64::try_from((until - now.as_micros()) / 1_000_000 + 1).unwrap_or(1),
        }),
        _ => Ok(()),
    }
}

/// What a recorded failure led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    pub failures: i64,
    pub blocked_for_secs: i64,
    /// True the first time the key becomes blocked (the owner is told once).
    pub first_block: bool,
}

/// Records a failure within the caller's change. The upsert locks the row, so failures from
/// several nodes at once are all counted.
pub async fn record_failure(
    tx: &mut Tx,
    key: &Key,
    limit: Limit,
) -> Result<Failure, IdentityError> {
    let now = tx.now().as_micros();
    let window_start = now - limit.window_secs * 1_000_000;
    let (failures, notified_at): (i64, Option<i64>) = on_tx!(tx, |c| sqlx::query_as(
        "INSERT INTO rate_limits (key, failures, window_start, blocked_until) VALUES ($1, 1, $2, 0) \
         ON CONFLICT (key) DO UPDATE SET \
            failures = CASE WHEN rate_limits.window_start < $3 THEN 1 ELSE rate_limits.failures + 1 END, \
            window_start = CASE WHEN rate_limits.window_start < $3 THEN $2 ELSE rate_limits.window_start END, \
            notified_at = CASE WHEN rate_limits.window_start < $3 THEN NULL ELSE rate_limits.notified_at END \
         RETURNING failures, notified_at"
    )
    .bind(key.as_str())
    .bind(now)
    .bind(window_start)
    .fetch_one(c)
    .await)
    .map_err(StoreError::from_sqlx)?;
    let over = failures - limit.free_failures;
    let delay = if over > 0 {
        let doublings = u32::try_from((over - 1).min(30)).unwrap_or(30);
        limit
            .base_delay_secs
            .saturating_mul(1i64 << doublings)
            .min(limit.max_delay_secs)
    } else {
        0
    };
    let first_block = delay > 0 && notified_at.is_none();
    on_tx!(tx, |c| sqlx::query(
        "UPDATE rate_limits SET blocked_until = $2, notified_at = CASE WHEN $3 THEN $4 ELSE notified_at END WHERE key = $1"
    )
    .bind(key.as_str())
    .bind(now + delay * 1_000_000)
    .bind(first_block)
    .bind(now)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    Ok(Failure {
        failures,
        blocked_for_secs: delay,
        first_block,
    })
}

/// Forgets the failures of `key` (after a success).
pub async fn clear(tx: &mut Tx, key: &Key) -> Result<(), IdentityError> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM rate_limits WHERE key = $1"
    )
    .bind(key.as_str())
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}
