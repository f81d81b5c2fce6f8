//! API clients: an agency's systems and devices (an e-gate, a records system). They have no
//! password and no session; they act only through bearer tokens that the agency's
//! administrators issue, with the permissions of the roles the client holds in that agency.

use crate::admin::{grantable, hide};
use crate::principal::{self, Permission, Principal, Scope};
use crate::tokens::{self, TokenId, TokenInfo};
use crate::{AccountId, AccountKind, IdentityError, RoleGrant, store};
use dasan_kernel::FieldError;
use dasan_store::{Database, StoreError, on_reader, on_tx};
use serde::Serialize;

/// A client as the agency's administrators see it.
#[derive(Clone, Debug, Serialize)]
pub struct ApiClient {
    pub id: AccountId,
    pub name: String,
    pub roles: Vec<String>,
    pub tokens: Vec<TokenInfo>,
}

/// Registers a system or device of `agency` holding `role` there.
pub async fn create(
    db: &Database,
    principal: &Principal,
    agency: &str,
    name: &str,
    role: &str,
) -> Result<AccountId, IdentityError> {
    principal
        .require(Permission::ManageRoles, Scope::Agency(agency))
        .map_err(hide)?;
    let mut errors = Vec::new();
    let name = name.trim();
    if !crate::name_ok(name) || name.chars().count() > 100 {
        errors.push(FieldError::new("name", "identity-error-token-name"));
    }
    let role = principal::role(role).filter(|r| grantable(principal, agency, r));
    if role.is_none() {
        errors.push(FieldError::new("role", "identity-error-role"));
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        return Err(IdentityError::Invalid(errors));
    };
    let id = AccountId::new();
    let mut tx = db.begin(principal.actor(None)).await?;
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO accounts (id, kind, display_name, created_at, updated_at, agency_code) VALUES ($1, 'api_client', $2, $3, $3, $4)"
    )
    .bind(id.to_string())
    .bind(name)
    .bind(now)
    .bind(agency)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    store::grant_role(
        &mut tx,
        id,
        &RoleGrant {
            role,
            scope: agency.to_owned(),
        },
    )
    .await?;
    tx.record(
        "account.create",
        format!("account:{id}"),
        serde_json::json!({ "kind": AccountKind::ApiClient.as_str(), "agency": agency, "roles": [role] }),
    );
    tx.commit().await?;
    Ok(id)
}

/// The agency's clients with their tokens.
pub async fn list(
    db: &Database,
    principal: &Principal,
    agency: &str,
) -> Result<Vec<ApiClient>, IdentityError> {
    principal
        .require(Permission::ManageRoles, Scope::Agency(agency))
        .map_err(hide)?;
    let rows: Vec<(String, String)> = on_reader!(db, |p| sqlx::query_as(
        "SELECT id, display_name FROM accounts WHERE kind = 'api_client' AND agency_code = $1 AND status = 'active' ORDER BY display_name, id"
    )
    .bind(agency)
    .fetch_all(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, name) in rows {
        let id: AccountId = id
            .parse()
            .map_err(|_| StoreError::Corrupt("account id".into()))?;
        out.push(ApiClient {
            id,
            name,
            roles: roles_of(db, id, agency).await?,
            tokens: tokens::list(db, id).await?,
        });
    }
    Ok(out)
}

async fn roles_of(
    db: &Database,
    client: AccountId,
    agency: &str,
) -> Result<Vec<String>, IdentityError> {
    Ok(on_reader!(db, |p| sqlx::query_scalar(
        "SELECT role FROM role_grants WHERE account_id = $1 AND scope = $2 ORDER BY role"
    )
    .bind(client.to_string())
    .bind(agency)
    .fetch_all(p)
    .await)
    .map_err(StoreError::from_sqlx)?)
}

async fn ensure_client_of(
    db: &Database,
    client: AccountId,
    agency: &str,
) -> Result<(), IdentityError> {
    let n: i64 = on_reader!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts WHERE id = $1 AND kind = 'api_client' AND agency_code = $2 AND status = 'active'"
    )
    .bind(client.to_string())
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

/// Issues a token for one of the agency's clients, with every permission its roles grant;
/// returns the secret, shown once.
pub async fn issue_token(
    db: &Database,
    principal: &Principal,
    agency: &str,
    client: AccountId,
    name: &str,
    days: i64,
) -> Result<(TokenId, String), IdentityError> {
    principal
        .require(Permission::ManageRoles, Scope::Agency(agency))
        .map_err(hide)?;
    ensure_client_of(db, client, agency).await?;
    let errors = tokens::check(name, days);
    if !errors.is_empty() {
        return Err(IdentityError::Invalid(errors));
    }
    // Exactly what the client's roles in this agency grant.
    let held = roles_of(db, client, agency).await?;
    let scopes: Vec<Permission> = Permission::ALL
        .into_iter()
        .filter(|p| {
            principal::ROLES
                .iter()
                .any(|(role, perms)| held.iter().any(|h| h == role) && perms.contains(p))
        })
        .collect();
    let mut tx = db.begin(principal.actor(None)).await?;
    let issued = tokens::insert(&mut tx, client, name.trim(), &scopes, days).await?;
    tx.commit().await?;
    Ok(issued)
}

/// Revokes a token of one of the agency's clients.
pub async fn revoke_token(
    db: &Database,
    principal: &Principal,
    agency: &str,
    client: AccountId,
    token: TokenId,
) -> Result<(), IdentityError> {
    principal
        .require(Permission::ManageRoles, Scope::Agency(agency))
        .map_err(hide)?;
    ensure_client_of(db, client, agency).await?;
    let mut tx = db.begin(principal.actor(None)).await?;
    tokens::revoke_in(&mut tx, client, token).await?;
    tx.commit().await?;
    Ok(())
}
