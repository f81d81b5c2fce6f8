//! The SQL of this crate, written once for both engines.

use crate::{AccountId, AccountKind, PasswordHash, RoleGrant};
use dasan_store::{Database, StoreError, Tx, on_reader, on_tx};

pub(crate) async fn insert_account(
    tx: &mut Tx,
    id: AccountId,
    kind: AccountKind,
    email: &str,
    display_name: &str,
    hash: &PasswordHash,
    agency: Option<&str>,
) -> Result<(), StoreError> {
    let now = tx.now().as_micros();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO accounts (id, kind, email, display_name, password_hash, created_at, updated_at, agency_code) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7)"
    )
    .bind(id.to_string())
    .bind(kind.as_str())
    .bind(email)
    .bind(display_name)
    .bind(hash.as_str())
    .bind(now)
    .bind(agency)
    .execute(c)
    .await
    .map(drop)
    })?;
    Ok(())
}

pub(crate) async fn grant_role(
    tx: &mut Tx,
    account: AccountId,
    grant: &RoleGrant,
) -> Result<(), StoreError> {
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO role_grants (account_id, role, scope, granted_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(account.to_string())
    .bind(grant.role)
    .bind(&grant.scope)
    .bind(now)
    .execute(c)
    .await
    .map(drop))?;
    Ok(())
}

pub(crate) async fn count_role(db: &Database, role: &str) -> Result<i64, StoreError> {
    let n = on_reader!(db, |p| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM role_grants g JOIN accounts a ON a.id = g.account_id \
         WHERE g.role = $1 AND a.status = 'active'"
    )
    .bind(role)
    .fetch_one(p)
    .await)?;
    Ok(n)
}

pub(crate) async fn find_by_email(
    db: &Database,
    email: &str,
) -> Result<Option<(AccountId, Option<String>)>, StoreError> {
    let row: Option<(String, Option<String>)> = on_reader!(db, |p| sqlx::query_as(
        "SELECT id, password_hash FROM accounts WHERE email = $1 AND status = 'active'"
    )
    .bind(email)
    .fetch_optional(p)
    .await)?;
    row.map(|(id, hash)| {
        id.parse::<AccountId>()
            .map(|id| (id, hash))
            .map_err(|_| StoreError::Corrupt(format!("account id {id:?}")))
    })
    .transpose()
}

/// The account columns a principal is built from, roles included, for queries that join
/// `accounts a`: one round trip for a token or a session, its account and its roles. Each grant
/// is `role US scope`, grants separated by RS (ASCII 0x1f, 0x1e: neither occurs in a role or a
/// scope); `string_agg` is in both engines (SQLite since 3.44). A macro so that queries stay
/// `&'static str`.
macro_rules! account_columns {
    () => {
        "a.kind, a.display_name, a.agency_code, a.person_id, a.business_id, \
         (SELECT string_agg(g.role || '\x1f' || g.scope, '\x1e') FROM role_grants g \
          WHERE g.account_id = a.id)"
    };
}
pub(crate) use account_columns;

/// The [`account_columns`] of one row: kind, display name, agency, person, business, grants.
pub(crate) type AccountRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The principal for an active account, with its roles; `None` if the account is not active.
pub(crate) async fn principal(
    db: &Database,
    account: AccountId,
    assurance: crate::principal::Assurance,
) -> Result<Option<crate::principal::Principal>, StoreError> {
    let row: Option<AccountRow> = on_reader!(db, |p| sqlx::query_as(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts a WHERE a.id = $1 AND a.status = 'active'"
    ))
    .bind(account.to_string())
    .fetch_optional(p)
    .await)?;
    row.map(|row| principal_of(account, row, assurance))
        .transpose()
}

/// The principal for an active account from its [`account_columns`].
pub(crate) fn principal_of(
    account: AccountId,
    (kind, display_name, agency, person, business, grants): AccountRow,
    assurance: crate::principal::Assurance,
) -> Result<crate::principal::Principal, StoreError> {
    let kind = AccountKind::parse(&kind)
        .ok_or_else(|| StoreError::Corrupt(format!("account kind {kind:?}")))?;
    let mut roles: Vec<RoleGrant> = grants
        .as_deref()
        .unwrap_or_default()
        .split('\x1e')
        .filter_map(|grant| {
            let (role, scope) = grant.split_once('\x1f')?;
            crate::principal::role(role).map(|role| RoleGrant {
                role,
                scope: scope.to_owned(),
            })
        })
        .collect();
    roles.sort_by(|a, b| (a.role, &a.scope).cmp(&(b.role, &b.scope)));
    Ok(crate::principal::Principal {
        account,
        kind,
        display_name,
        agency,
        person,
        business,
        roles,
        assurance,
        scopes: None,
    })
}

/// The account's id, e-mail and password hash for sign-in, if it is active.
pub(crate) async fn credentials(
    db: &Database,
    email: &str,
) -> Result<Option<(AccountId, String, Option<String>)>, StoreError> {
    let row: Option<(String, String, Option<String>)> = on_reader!(db, |p| sqlx::query_as(
        "SELECT id, email, password_hash FROM accounts WHERE email = $1 AND status = 'active'"
    )
    .bind(email)
    .fetch_optional(p)
    .await)?;
    row.map(|(id, email, hash)| {
        id.parse::<AccountId>()
            .map(|id| (id, email, hash))
            .map_err(|_| StoreError::Corrupt(format!("account id {id:?}")))
    })
    .transpose()
}

/// The e-mail address of an account.
pub(crate) async fn email_of(
    db: &Database,
    account: AccountId,
) -> Result<Option<String>, StoreError> {
    let email: Option<Option<String>> = on_reader!(db, |p| sqlx::query_scalar(
        "SELECT email FROM accounts WHERE id = $1"
    )
    .bind(account.to_string())
    .fetch_optional(p)
    .await)?;
    Ok(email.flatten())
}

/// Whether the account has a confirmed second factor (TOTP or a passkey).
pub(crate) async fn has_second_factor(
    db: &Database,
    account: AccountId,
) -> Result<bool, StoreError> {
    let n: i64 = on_reader!(db, |p| {
        sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM totp_credentials WHERE account_id = $1 AND confirmed_at IS NOT NULL) \
              + (SELECT COUNT(*) FROM passkeys WHERE account_id = $1)"
    )
    .bind(account.to_string())
    .fetch_one(p)
    .await
    })?;
    Ok(n > 0)
}

/// The account behind a session id hash, if the session is open.
pub(crate) async fn session_account(
    db: &Database,
    id_hash: &str,
) -> Result<Option<AccountId>, StoreError> {
    let id: Option<String> = on_reader!(db, |p| sqlx::query_scalar(
        "SELECT account_id FROM sessions WHERE id_hash = $1 AND revoked_at IS NULL"
    )
    .bind(id_hash)
    .fetch_optional(p)
    .await)?;
    id.map(|id| {
        id.parse()
            .map_err(|_| StoreError::Corrupt("session account".into()))
    })
    .transpose()
}
