//! API tokens for agency systems, devices and people's own scripts: shown once, stored as a
//! hash, limited to named permissions, expiring, revocable, with their last use recorded.

use crate::principal::{Assurance, Permission, Principal};
use crate::session::hash_secret;
use crate::{AccountId, IdentityError, store};
use base64::Engine;
use dasan_kernel::{FieldError, Timestamp, define_id};
use dasan_store::{Database, StoreError, on_reader, on_tx};
use rand::RngCore;

define_id!(
    /// Identifies an API token (not the secret).
    TokenId
);

/// The prefix makes a leaked token recognisable to secret scanners.
pub const PREFIX: &str = "dsn_";
/// The longest a token may live.
pub const MAX_DAYS: i64 = 366;

/// A token as listed to its owner (never the secret).
#[derive(Clone, Debug, serde::Serialize)]
pub struct TokenInfo {
    pub id: TokenId,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked: bool,
}

/// Creates a token for the principal's own account, limited to `scopes` (each must be a
/// permission the principal holds). Returns the secret, which is shown once.
pub async fn create(
    db: &Database,
    principal: &Principal,
    name: &str,
    scopes: &[Permission],
    days: i64,
) -> Result<(TokenId, String), IdentityError> {
    let mut errors = check(name, days);
    let name = name.trim();
    let held = principal.permissions();
    if scopes.iter().any(|s| !held.contains(s)) {
        errors.push(FieldError::new("scopes", "identity-error-token-scope"));
    }
    if !errors.is_empty() {
        return Err(IdentityError::Invalid(errors));
    }
    let mut tx = db.begin(principal.actor(None)).await?;
    let (id, token) = insert(&mut tx, principal.account, name, scopes, days).await?;
    tx.commit().await?;
    Ok((id, token))
}

/// Creates a token for `account` in the caller's change (which is audited here); returns the
/// secret. The caller has checked the name, lifetime and scopes.
pub(crate) async fn insert(
    tx: &mut dasan_store::Tx,
    account: AccountId,
    name: &str,
    scopes: &[Permission],
    days: i64,
) -> Result<(TokenId, String), IdentityError> {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let token = format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret)
    );
    let id = TokenId::new();
    let scope_names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO api_tokens (id, account_id, name, token_hash, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(id.to_string())
    .bind(account.to_string())
    .bind(name)
    .bind(hash_secret(&token))
    .bind(serde_json::to_string(&scope_names).unwrap_or_else(|_| "[]".into()))
    .bind(now)
    .bind(now + days * 86_400_000_000)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    tx.record(
        "auth.token.create",
        format!("token:{id}"),
        serde_json::json!({ "account": account, "name": name, "scopes": scope_names, "days": days }),
    );
    Ok((id, token))
}

/// Checks a token's name and lifetime.
pub(crate) fn check(name: &str, days: i64) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = name.trim();
    if !crate::name_ok(name) || name.chars().count() > 100 {
        errors.push(FieldError::new("name", "identity-error-token-name"));
    }
    if !(1..=MAX_DAYS).contains(&days) {
        errors.push(FieldError::new("days", "identity-error-token-days").with_arg("max", MAX_DAYS));
    }
    errors
}

/// The principal a bearer token stands for, if it is valid now. Its permissions are the
/// intersection of the account's roles and the token's scopes.
pub async fn authenticate(db: &Database, bearer: &str) -> Result<Option<Principal>, IdentityError> {
    if !bearer.starts_with(PREFIX) || bearer.len() > 100 {
        return Ok(None);
    }
    let now = db.clock().now().as_micros();
    // The token, its (active) account and its roles in one round trip: every API call pays for this.
    type Row = (
        String,
        String,
        String,
        Option<i64>,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = on_reader!(db, |p| sqlx::query_as(concat!(
        "SELECT t.id, t.account_id, t.scopes, t.last_used_at, ",
        store::account_columns!(),
        " FROM api_tokens t JOIN accounts a ON a.id = t.account_id AND a.status = 'active' \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2"
    ))
    .bind(hash_secret(bearer))
    .bind(now)
    .fetch_optional(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    let Some((id, account, scopes, last_used, kind, name, agency, person, business, grants)) = row
    else {
        return Ok(None);
    };
    let account_row = (kind, name, agency, person, business, grants);
    let account: AccountId = account
        .parse()
        .map_err(|_| IdentityError::Store(StoreError::Corrupt("token account".into())))?;
    // A token stands for a machine that authenticates with a secret of 256 bits: it is not a
    // password, so officials' tokens act at the assurance of the session that created them.
    let mut principal = store::principal_of(account, account_row, Assurance::Multi)?;
    let scope_names: Vec<String> = serde_json::from_str(&scopes).unwrap_or_default();
    principal.scopes = Some(
        scope_names
            .iter()
            .filter_map(|s| Permission::parse(s))
            .collect(),
    );
    if last_used.is_none_or(|t| now - t > 60_000_000) {
        let mut tx = db.begin_bookkeeping("api token: last use").await?;
        on_tx!(tx, |c| sqlx::query(
            "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1"
        )
        .bind(&id)
        .bind(now)
        .execute(c)
        .await
        .map(drop))
        .map_err(StoreError::from_sqlx)?;
        tx.commit().await?;
    }
    Ok(Some(principal))
}

/// The account's tokens, newest first.
pub async fn list(db: &Database, account: AccountId) -> Result<Vec<TokenInfo>, IdentityError> {
    type Row = (String, String, String, i64, i64, Option<i64>, Option<i64>);
    let rows: Vec<Row> = on_reader!(db, |p| {
        sqlx::query_as(
        "SELECT id, name, scopes, created_at, expires_at, last_used_at, revoked_at FROM api_tokens \
         WHERE account_id = $1 ORDER BY created_at DESC"
    )
    .bind(account.to_string())
    .fetch_all(p)
    .await
    })
    .map_err(StoreError::from_sqlx)?;
    rows.into_iter()
        .map(|(id, name, scopes, created, expires, used, revoked)| {
            Ok(TokenInfo {
                id: id
                    .parse()
                    .map_err(|_| IdentityError::Store(StoreError::Corrupt("token id".into())))?,
                name,
                scopes: serde_json::from_str(&scopes).unwrap_or_default(),
                created_at: Timestamp::from_micros(created),
                expires_at: Timestamp::from_micros(expires),
                last_used_at: used.map(Timestamp::from_micros),
                revoked: revoked.is_some(),
            })
        })
        .collect()
}

/// Revokes one of the principal's own tokens. Another account's token is "not found".
pub async fn revoke(
    db: &Database,
    principal: &Principal,
    id: TokenId,
) -> Result<(), IdentityError> {
    let mut tx = db.begin(principal.actor(None)).await?;
    revoke_in(&mut tx, principal.account, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Revokes `account`'s token `id` in the caller's change (audited); "not found" if it is not
/// that account's, or already revoked. On failure the change is rolled back.
pub(crate) async fn revoke_in(
    tx: &mut dasan_store::Tx,
    account: AccountId,
    id: TokenId,
) -> Result<(), IdentityError> {
    let now = tx.now().as_micros();
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL"
    )
    .bind(id.to_string())
    .bind(account.to_string())
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    if n == 0 {
        return Err(IdentityError::NotFound);
    }
    tx.record(
        "auth.token.revoke",
        format!("token:{id}"),
        serde_json::json!({ "account": account }),
    );
    Ok(())
}
