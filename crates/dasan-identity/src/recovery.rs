//! Account recovery by e-mail: a one-time link that expires, stored only as a hash. The answer
//! to a request is the same whether or not the address has an account.

use crate::ratelimit::{self, Key};
use crate::session::hash_secret;
use crate::{IdentityError, PasswordHash, PasswordPolicy, normalise_email, session, store};
use base64::Engine;
use dasan_kernel::Actor;
use dasan_store::{Database, StoreError, on_tx};
use rand::RngCore;

/// How long a link works.
pub const LINK_MINUTES: i64 = 30;

/// Sends a recovery link to `email` if it names an active account; rate-limited per address and
/// per account. `link_base` is e.g. `https://portal.example/recover/`.
pub async fn request(
    db: &Database,
    email: &str,
    ip: &str,
    link_base: &str,
    request_id: Option<String>,
) -> Result<(), IdentityError> {
    let now = db.clock().now();
    let email = normalise_email(email)?;
    let ip_key = Key::ip("recovery", ip);
    let account_key = Key::account("recovery", &email);
    ratelimit::check(db, &ip_key, now).await?;
    ratelimit::check(db, &account_key, now).await?;
    let found = store::credentials(db, &email).await?;
    let mut tx = db.begin(Actor::anonymous(request_id)).await?;
    // Every request counts, so that the link cannot be used to flood a mailbox.
    ratelimit::record_failure(&mut tx, &ip_key, ratelimit::REQUESTS).await?;
    ratelimit::record_failure(&mut tx, &account_key, ratelimit::REQUESTS).await?;
    match found {
        Some((account, address, _)) => {
            let mut secret = [0u8; 32];
            rand::rng().fill_bytes(&mut secret);
            let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
            let now_us = tx.now().as_micros();
            on_tx!(tx, |c| sqlx::query(
                "INSERT INTO recovery_tokens (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
            )
            .bind(hash_secret(&token))
            .bind(account.to_string())
            .bind(now_us)
            .bind(now_us + LINK_MINUTES * 60_000_000)
            .execute(c)
            .await
            .map(drop))
            .map_err(StoreError::from_sqlx)?;
            crate::mail::enqueue_recovery(
                &mut tx,
                &address,
                &format!("{link_base}{token}"),
                LINK_MINUTES,
            )
            .await?;
            tx.record(
                "auth.recovery.request",
                format!("account:{account}"),
                serde_json::json!({ "ip": ip }),
            );
        }
        None => {
            tx.record(
                "auth.recovery.request",
                format!("recovery:{}", account_key.as_str()),
                serde_json::json!({ "ip": ip, "account": false }),
            );
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Whether a link is currently valid (to show the form or an explanation).
pub async fn is_valid(db: &Database, token: &str) -> Result<bool, IdentityError> {
    let now = db.clock().now().as_micros();
    let n: i64 = dasan_store::on_reader!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2"
    )
    .bind(hash_secret(token))
    .bind(now)
    .fetch_one(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    Ok(n > 0)
}

/// Sets a new password with a valid link; the link is used up and every session of the account
/// is ended. A second factor is still needed at the next sign-in: recovery never bypasses it.
pub async fn complete(
    db: &Database,
    token: &str,
    new_password: &str,
    request_id: Option<String>,
) -> Result<(), IdentityError> {
    PasswordPolicy::default().check_with(new_password, &[])?;
    let password = new_password.to_owned();
    let hash = tokio::task::spawn_blocking(move || PasswordHash::create(&password))
        .await
        .map_err(|_| IdentityError::Hashing)??;
    let mut tx = db.begin(Actor::anonymous(request_id)).await?;
    let now = tx.now().as_micros();
    let account: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE recovery_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING account_id"
    )
    .bind(hash_secret(token))
    .bind(now)
    .fetch_optional(c)
    .await)
    .map_err(StoreError::from_sqlx)?;
    let account: crate::AccountId = account
        .ok_or(IdentityError::InvalidToken)?
        .parse()
        .map_err(|_| IdentityError::Store(StoreError::Corrupt("recovery account".into())))?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(account.to_string())
    .bind(hash.as_str())
    .bind(now)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    let ended = session::close_all(&mut tx, account, None).await?;
    tx.record(
        "auth.recovery.complete",
        format!("account:{account}"),
        serde_json::json!({ "sessions_ended": ended }),
    );
    tx.commit().await?;
    Ok(())
}
