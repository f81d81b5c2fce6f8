//! Platform secrets: random keys created once and shared by every node through the database.

use crate::IdentityError;
use dasan_kernel::Actor;
use dasan_store::{Database, StoreError, on_reader, on_tx};
use rand::RngCore;

/// Returns the 32-byte secret named `name`, creating it on first use. Concurrent first uses on
/// several nodes agree: the first insert wins and everyone reads it back.
pub async fn platform_secret(db: &Database, name: &'static str) -> Result<[u8; 32], IdentityError> {
    if let Some(secret) = read(db, name).await? {
        return Ok(secret);
    }
    let mut fresh = [0u8; 32];
    rand::rng().fill_bytes(&mut fresh);
    let mut tx = db.begin(Actor::system()).await?;
    let now = tx.now().as_micros();
    let encoded = hex(&fresh);
    let inserted = on_tx!(tx, |c| sqlx::query(
        "INSERT INTO platform_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING"
    )
    .bind(name)
    .bind(&encoded)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    if inserted > 0 {
        // The value itself is never logged.
        tx.record(
            "platform.secret.create",
            format!("secret:{name}"),
            serde_json::json!({}),
        );
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    read(db, name)
        .await?
        .ok_or_else(|| IdentityError::Store(StoreError::Corrupt(format!("secret {name} missing"))))
}

async fn read(db: &Database, name: &str) -> Result<Option<[u8; 32]>, IdentityError> {
    let value: Option<String> = on_reader!(db, |p| sqlx::query_scalar(
        "SELECT value FROM platform_secrets WHERE name = $1"
    )
    .bind(name)
    .fetch_optional(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    match value {
        None => Ok(None),
        Some(text) => unhex(&text)
            .map(Some)
            .ok_or_else(|| IdentityError::Store(StoreError::Corrupt(format!("secret {name}")))),
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}
