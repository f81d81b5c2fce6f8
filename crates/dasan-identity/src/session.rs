//! Sessions, stored in the database so that any node can serve any request.
//!
//! The cookie carries 256 random bits; the database keeps only their SHA-256. A session has an
//! idle and an absolute time-out, is replaced by a new id at sign-in and whenever its privilege
//! changes (second factor), and can be ended one by one or everywhere at once.

use crate::principal::{Assurance, Principal};
use crate::secrets::hex;
use crate::{AccountId, IdentityError, store};
use base64::Engine;
use dasan_kernel::Timestamp;
use dasan_store::{Database, StoreError, Tx, on_reader, on_tx};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// Time-outs. Officials' sessions are shorter: they can do more.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
    pub official_idle: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
            official_idle: Duration::from_secs(15 * 60),
        }
    }
}

/// How the session was opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInMethod {
    Password,
    Passkey,
}

impl SignInMethod {
    fn as_str(self) -> &'static str {
        match self {
            SignInMethod::Password => "password",
            SignInMethod::Passkey => "passkey",
        }
    }
}

/// The secret session token, for the cookie. Shown to the browser only.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

impl SessionToken {
    fn generate() -> SessionToken {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SessionToken(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn from_cookie(value: &str) -> SessionToken {
        SessionToken(value.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database stores and what other records (CSRF, ceremonies) bind to.
    pub fn id_hash(&self) -> String {
        hash_secret(&self.0)
    }
}

/// SHA-256, hex: how session ids and single-use tokens are stored.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Where a request came from, as shown in the list of sessions.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: String,
}

/// An open session, as listed to its owner.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SessionInfo {
    /// A short, non-secret reference (the first characters of the id hash).
    pub reference: String,
    pub method: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub ip: String,
    pub user_agent: String,
    pub current: bool,
}

/// Opens a session in the caller's change (which records the sign-in).
pub(crate) async fn open(
    tx: &mut Tx,
    account: AccountId,
    method: SignInMethod,
    multi_factor: bool,
    pending_factor: bool,
    client: &ClientInfo,
    policy: &SessionPolicy,
) -> Result<SessionToken, IdentityError> {
    let token = SessionToken::generate();
    let now = tx.now();
    let expires = now.saturating_add(policy.absolute);
    let user_agent: String = client.user_agent.chars().take(200).collect();
    let ip: String = client.ip.chars().take(64).collect();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO sessions (id_hash, account_id, method, created_at, last_seen_at, expires_at, second_factor_at, user_agent, ip, pending_factor) \
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9)"
    )
    .bind(token.id_hash())
    .bind(account.to_string())
    .bind(method.as_str())
    .bind(now.as_micros())
    .bind(expires.as_micros())
    .bind(multi_factor.then_some(now.as_micros()))
    .bind(&user_agent)
    .bind(&ip)
    .bind(pending_factor)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    Ok(token)
}

/// Ends a session in the caller's change.
pub(crate) async fn close(tx: &mut Tx, id_hash: &str) -> Result<u64, IdentityError> {
    let now = tx.now().as_micros();
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL"
    )
    .bind(id_hash)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    Ok(n)
}

/// Ends every session of `account` (except `keep`, if given) in the caller's change.
pub(crate) async fn close_all(
    tx: &mut Tx,
    account: AccountId,
    keep: Option<&str>,
) -> Result<u64, IdentityError> {
    let now = tx.now().as_micros();
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL AND id_hash <> $3"
    )
    .bind(account.to_string())
    .bind(now)
    .bind(keep.unwrap_or(""))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    Ok(n)
}

/// A session that is still valid, with its principal.
#[derive(Clone, Debug)]
pub struct ActiveSession {
    pub id_hash: String,
    pub principal: Principal,
    /// A second factor is owed: the session may only give it (or enrol one).
    pub pending_factor: bool,
}

/// Finds the session for a cookie value, enforcing the time-outs; refreshes its last-seen time
/// at most once a minute (bookkeeping, not an audited change).
pub async fn resume(
    db: &Database,
    token: &SessionToken,
    policy: &SessionPolicy,
) -> Result<Option<ActiveSession>, IdentityError> {
    let now = db.clock().now();
    let id_hash = token.id_hash();
    // The session, its (active) account and its roles in one round trip: every page view pays for this.
    type Row = (
        String,
        i64,
        i64,
        Option<i64>,
        bool,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = on_reader!(db, |p| {
        sqlx::query_as(concat!(
        "SELECT s.account_id, s.last_seen_at, s.expires_at, s.second_factor_at, s.pending_factor, ",
        store::account_columns!(),
        " FROM sessions s JOIN accounts a ON a.id = s.account_id AND a.status = 'active' \
         WHERE s.id_hash = $1 AND s.revoked_at IS NULL"
    ))
    .bind(&id_hash)
    .fetch_optional(p)
    .await
    })
    .map_err(StoreError::from_sqlx)?;
    let Some((
        account,
        last_seen,
        expires,
        second_factor,
        pending_factor,
        kind,
        name,
        agency,
        person,
        business,
        grants,
    )) = row
    else {
        return Ok(None);
    };
    let account: AccountId = account
        .parse()
        .map_err(|_| IdentityError::Store(StoreError::Corrupt("session account".into())))?;
    let assurance = if second_factor.is_some() {
        Assurance::Multi
    } else {
        Assurance::Single
    };
    let principal = store::principal_of(
        account,
        (kind, name, agency, person, business, grants),
        assurance,
    )?;
    let idle = if principal.kind == crate::AccountKind::Official {
        policy.official_idle
    } else {
        policy.idle
    };
    let idle_micros = i64::try_from(idle.as_micros()).unwrap_or(i64::MAX);
    if now.as_micros() >= expires || now.as_micros() >= last_seen.saturating_add(idle_micros) {
        return Ok(None);
    }
    if now.as_micros() - last_seen > 60_000_000 {
        let mut tx = db.begin_bookkeeping("session: last-seen time").await?;
        on_tx!(tx, |c| sqlx::query(
            "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1"
        )
        .bind(&id_hash)
        .bind(now.as_micros())
        .execute(c)
        .await
        .map(drop))
        .map_err(StoreError::from_sqlx)?;
        tx.commit().await?;
    }
    Ok(Some(ActiveSession {
        id_hash,
        principal,
        pending_factor,
    }))
}

/// The open sessions of `account`, newest first; `current` marks the caller's own.
pub async fn list(
    db: &Database,
    account: AccountId,
    current: &str,
) -> Result<Vec<SessionInfo>, IdentityError> {
    let now = db.clock().now().as_micros();
    let rows: Vec<(String, String, i64, i64, String, String)> = on_reader!(db, |p| sqlx::query_as(
        "SELECT id_hash, method, created_at, last_seen_at, ip, user_agent FROM sessions \
         WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY last_seen_at DESC"
    )
    .bind(account.to_string())
    .bind(now)
    .fetch_all(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    Ok(rows
        .into_iter()
        .map(
            |(hash, method, created, seen, ip, user_agent)| SessionInfo {
                reference: hash.chars().take(8).collect(),
                current: hash == current,
                method,
                created_at: Timestamp::from_micros(created),
                last_seen_at: Timestamp::from_micros(seen),
                ip,
                user_agent,
            },
        )
        .collect())
}
