//! Agencies administer their own officials: invite them, grant and revoke roles. Every check is
//! [`Principal::require`] with the agency as scope; another agency's officials do not exist as
//! far as the caller can tell.

use crate::principal::{Permission, Principal, Scope};
use crate::session::hash_secret;
use crate::{AccountId, AccountKind, IdentityError, PLATFORM_ADMIN, normalise_email, principal};
use base64::Engine;
use dasan_kernel::FieldError;
use dasan_store::{Database, StoreError, on_reader, on_tx};
use rand::RngCore;

/// How long an invitation to set a password works.
pub const INVITATION_HOURS: i64 = 72;

/// An official as the agency's administrators see them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Official {
    pub id: AccountId,
    pub display_name: String,
    pub email: String,
    pub roles: Vec<String>,
    pub two_factor: bool,
}

/// Only platform administrators create agency administrators and platform roles.
pub(crate) fn grantable(principal: &Principal, agency: &str, role: &str) -> bool {
    match role {
        PLATFORM_ADMIN => false,
        "agency.admin" => principal.has(Permission::PlatformAdmin, Scope::Platform),
        other => {
            principal::role(other).is_some()
                && principal.has(Permission::ManageRoles, Scope::Agency(agency))
        }
    }
}

/// The agency's officials, if the principal manages roles there (else "not found").
pub async fn officials(
    db: &Database,
    principal: &Principal,
    agency: &str,
) -> Result<Vec<Official>, IdentityError> {
    principal
        .require(Permission::ManageRoles, Scope::Agency(agency))
        .map_err(hide)?;
    type Row = (String, String, Option<String>, i64);
    let rows: Vec<Row> = on_reader!(db, |p| sqlx::query_as(
        "SELECT a.id, a.display_name, a.email, \
            (SELECT COUNT(*) FROM totp_credentials t WHERE t.account_id = a.id AND t.confirmed_at IS NOT NULL) \
          + (SELECT COUNT(*) FROM passkeys k WHERE k.account_id = a.id) \
         FROM accounts a WHERE a.kind = 'official' AND a.agency_code = $1 AND a.status = 'active' ORDER BY a.display_name"
    )
    .bind(agency)
    .fetch_all(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, display_name, email, factors) in rows {
        let roles: Vec<String> = on_reader!(db, |p| sqlx::query_scalar(
            "SELECT role FROM role_grants WHERE account_id = $1 AND scope = $2 ORDER BY role"
        )
        .bind(&id)
        .bind(agency)
        .fetch_all(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        out.push(Official {
            id: id
                .parse()
                .map_err(|_| IdentityError::Store(StoreError::Corrupt("account id".into())))?,
            display_name,
            email: email.unwrap_or_default(),
            roles,
            two_factor: factors > 0,
        });
    }
    Ok(out)
}

/// An account's display name, to show who did something (`None`: no such account).
pub async fn display_name(db: &Database, account: &str) -> Result<Option<String>, IdentityError> {
    let name = on_reader!(db, |p| sqlx::query_scalar(
        "SELECT display_name FROM accounts WHERE id = $1"
    )
    .bind(account)
    .fetch_optional(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    Ok(name)
}

/// The active officials of `agency` who hold `permission` there (through a role granted there
/// or platform-wide), by name: whom work can be assigned to. Officials of another agency or of
/// none (a platform administrator, the procurement review body) are not, even when a
/// platform-wide role would let them act: they are not the agency's staff, and the review body
/// must stay apart from the procurements it reviews. Anyone may ask: names of officials are not
/// secret inside an agency, and callers check their own permission first.
pub async fn holders(
    db: &Database,
    agency: &str,
    permission: Permission,
) -> Result<Vec<(AccountId, String)>, IdentityError> {
    let roles: Vec<&str> = principal::roles_granting(permission).collect();
    let rows: Vec<(String, String, String)> = on_reader!(db, |p| sqlx::query_as(
        "SELECT a.id, a.display_name, g.role FROM accounts a JOIN role_grants g ON g.account_id = a.id \
         WHERE a.kind = 'official' AND a.status = 'active' AND a.agency_code = $1 \
           AND (g.scope = $1 OR g.scope = 'platform') \
         ORDER BY a.display_name, a.id"
    )
    .bind(agency)
    .fetch_all(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    let mut out: Vec<(AccountId, String)> = Vec::new();
    for (id, name, role) in rows {
        let id: AccountId = id
            .parse()
            .map_err(|_| IdentityError::Store(StoreError::Corrupt("account id".into())))?;
        if roles.contains(&role.as_str()) && !out.iter().any(|(a, _)| *a == id) {
            out.push((id, name));
        }
    }
    Ok(out)
}

/// Invites an official of `agency`: an account without a password, and a one-time link to
/// choose one, sent by e-mail (`link_base` + token). Returns the new account.
pub async fn invite_official(
    db: &Database,
    principal: &Principal,
    agency: &str,
    email: &str,
    display_name: &str,
    link_base: &str,
) -> Result<AccountId, IdentityError> {
    principal
        .require(Permission::ManageRoles, Scope::Agency(agency))
        .map_err(hide)?;
    let (email, display_name) = check_invitee(email, display_name)?;
    let mut tx = db.begin(principal.actor(None)).await?;
    let id = insert_invitee(
        &mut tx,
        AccountKind::Official,
        &email,
        &display_name,
        (Some(agency), None),
        link_base,
        crate::mail::Invitation::Official { agency },
    )
    .await?;
    tx.record(
        "account.invite",
        format!("account:{id}"),
        serde_json::json!({ "kind": AccountKind::Official.as_str(), "agency": agency }),
    );
    tx.commit().await?;
    Ok(id)
}

/// Checks an invitation's e-mail address and name; returns them normalised.
pub(crate) fn check_invitee(
    email: &str,
    display_name: &str,
) -> Result<(String, String), IdentityError> {
    let mut errors = Vec::new();
    let email = match normalise_email(email) {
        Ok(e) => e,
        Err(_) => {
            errors.push(FieldError::new("email", "identity-error-email"));
            String::new()
        }
    };
    let display_name = display_name.trim().to_owned();
    if !crate::name_ok(&display_name) {
        errors.push(FieldError::new("name", "identity-error-name"));
    }
    if errors.is_empty() {
        Ok((email, display_name))
    } else {
        Err(IdentityError::Invalid(errors))
    }
}

/// Creates an invited account without a password, in the caller's change, and sends it a
/// one-time link (`link_base` + token) to choose one.
pub(crate) async fn insert_invitee(
    tx: &mut dasan_store::Tx,
    kind: AccountKind,
    email: &str,
    display_name: &str,
    (agency, business): (Option<&str>, Option<&str>),
    link_base: &str,
    invitation: crate::mail::Invitation<'_>,
) -> Result<AccountId, IdentityError> {
    let id = AccountId::new();
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
    let now = tx.now().as_micros();
    let inserted = on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO accounts (id, kind, email, display_name, created_at, updated_at, agency_code, business_id) VALUES ($1, $2, $3, $4, $5, $5, $6, $7)"
    )
    .bind(id.to_string())
    .bind(kind.as_str())
    .bind(email)
    .bind(display_name)
    .bind(now)
    .bind(agency)
    .bind(business)
    .execute(c)
    .await
    .map(drop)
    });
    if let Err(e) = inserted {
        return Err(match StoreError::from_sqlx(e) {
            StoreError::Duplicate { .. } => {
                IdentityError::Invalid(vec![FieldError::new("email", "identity-error-email-taken")])
            }
            other => IdentityError::Store(other),
        });
    }
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO recovery_tokens (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(hash_secret(&token))
    .bind(id.to_string())
    .bind(now)
    .bind(now + INVITATION_HOURS * 3_600_000_000)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    crate::mail::enqueue_invitation(tx, email, &format!("{link_base}{token}"), invitation).await?;
    Ok(id)
}

/// Grants `role` in `agency` to one of that agency's officials.
pub async fn grant_role(
    db: &Database,
    principal: &Principal,
    agency: &str,
    official: AccountId,
    role: &str,
) -> Result<(), IdentityError> {
    principal
        .require(Permission::ManageRoles, Scope::Agency(agency))
        .map_err(hide)?;
    let Some(role) = principal::role(role).filter(|r| grantable(principal, agency, r)) else {
        return Err(IdentityError::Invalid(vec![FieldError::new(
            "role",
            "identity-error-role",
        )]));
    };
    ensure_official_of(db, official, agency).await?;
    let mut tx = db.begin(principal.actor(None)).await?;
    let now = tx.now().as_micros();
    let n = on_tx!(tx, |c| sqlx::query(
        "INSERT INTO role_grants (account_id, role, scope, granted_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
    )
    .bind(official.to_string())
    .bind(role)
    .bind(agency)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    if n == 0 {
        tx.rollback().await?;
        return Ok(());
    }
    tx.record(
        "role.grant",
        format!("account:{official}"),
        serde_json::json!({ "role": role, "scope": agency }),
    );
    tx.commit().await?;
    Ok(())
}

/// Revokes `role` in `agency` from one of that agency's officials.
pub async fn revoke_role(
    db: &Database,
    principal: &Principal,
    agency: &str,
    official: AccountId,
    role: &str,
) -> Result<(), IdentityError> {
    principal
        .require(Permission::ManageRoles, Scope::Agency(agency))
        .map_err(hide)?;
    if !grantable(principal, agency, role) {
        return Err(IdentityError::Invalid(vec![FieldError::new(
            "role",
            "identity-error-role",
        )]));
    }
    ensure_official_of(db, official, agency).await?;
    let mut tx = db.begin(principal.actor(None)).await?;
    let n = on_tx!(tx, |c| sqlx::query(
        "DELETE FROM role_grants WHERE account_id = $1 AND role = $2 AND scope = $3"
    )
    .bind(official.to_string())
    .bind(role)
    .bind(agency)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    if n == 0 {
        tx.rollback().await?;
        return Err(IdentityError::NotFound);
    }
    tx.record(
        "role.revoke",
        format!("account:{official}"),
        serde_json::json!({ "role": role, "scope": agency }),
    );
    tx.commit().await?;
    Ok(())
}

async fn ensure_official_of(
    db: &Database,
    account: AccountId,
    agency: &str,
) -> Result<(), IdentityError> {
    let n: i64 = on_reader!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts WHERE id = $1 AND kind = 'official' AND agency_code = $2"
    )
    .bind(account.to_string())
    .bind(agency)
    .fetch_one(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    if n == 0 {
        Err(IdentityError::NotFound)
    } else {
        Ok(())
    }
}

/// Another agency's pages do not exist for the caller: refusals look like "not found".
pub(crate) fn hide(err: IdentityError) -> IdentityError {
    match err {
        IdentityError::Forbidden => IdentityError::NotFound,
        other => other,
    }
}
