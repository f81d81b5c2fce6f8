//! Accounts, credentials and roles.
//!
//! This crate decides who someone is and what they may do. The pure rules (password policy,
//! e-mail normalisation, roles) live in their own modules; `store` holds the SQL.

pub mod admin;
pub mod auth;
pub mod business;
pub mod clients;
pub mod csrf;
pub mod delegation;
pub mod enrolment;
mod error;
mod mail;
pub mod passkey;
mod password;
pub mod phone;
pub mod principal;
pub mod ratelimit;
pub mod recovery;
pub mod secrets;
pub mod session;
mod store;
pub mod tokens;
pub mod totp;

pub use error::IdentityError;
pub use password::{PasswordHash, PasswordPolicy};
pub use principal::{Assurance, Permission, Principal, Scope};

use dasan_kernel::{Actor, define_id};
use dasan_store::Database;
use serde::Serialize;

define_id!(
    /// Identifies an account of any kind.
    AccountId
);

/// The four kinds of account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Citizen,
    Business,
    Official,
    ApiClient,
}

impl AccountKind {
    pub fn parse(text: &str) -> Option<AccountKind> {
        match text {
            "citizen" => Some(AccountKind::Citizen),
            "business" => Some(AccountKind::Business),
            "official" => Some(AccountKind::Official),
            "api_client" => Some(AccountKind::ApiClient),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Citizen => "citizen",
            AccountKind::Business => "business",
            AccountKind::Official => "official",
            AccountKind::ApiClient => "api_client",
        }
    }
}

/// A role held platform-wide or in one agency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleGrant {
    pub role: &'static str,
    /// `platform`, or the agency code the role holds in.
    pub scope: String,
}

/// The role that administers the whole platform.
pub const PLATFORM_ADMIN: &str = "platform.admin";

/// What a new account looks like.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub kind: AccountKind,
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<RoleGrant>,
    /// An official's or API client's agency.
    pub agency: Option<String>,
}

/// A person's or system's name: 1–200 characters, no control characters.
pub(crate) fn name_ok(name: &str) -> bool {
    !name.is_empty() && name.chars().count() <= 200 && !name.chars().any(char::is_control)
}

/// Normalises an e-mail address (trimmed, lower-case) and checks its shape.
pub fn normalise_email(email: &str) -> Result<String, IdentityError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && local.len() <= 64
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email)
    } else {
        Err(IdentityError::InvalidEmail)
    }
}

/// Creates an account with a password and roles, as one audited change.
pub async fn create_account(
    db: &Database,
    actor: Actor,
    new: NewAccount,
) -> Result<AccountId, IdentityError> {
    let email = normalise_email(&new.email)?;
    let display_name = new.display_name.trim().to_owned();
    if !name_ok(&display_name) {
        return Err(IdentityError::InvalidName);
    }
    PasswordPolicy::default().check_with(&new.password, &[&email, &display_name])?;
    // Hashing is deliberately slow (argon2id): keep it off the async worker threads.
    let password = new.password;
    let hash = tokio::task::spawn_blocking(move || PasswordHash::create(&password))
        .await
        .map_err(|_| IdentityError::Hashing)??;
    let id = AccountId::new();
    let mut tx = db.begin(actor).await?;
    store::insert_account(
        &mut tx,
        id,
        new.kind,
        &email,
        &display_name,
        &hash,
        new.agency.as_deref(),
    )
    .await?;
    for grant in &new.roles {
        store::grant_role(&mut tx, id, grant).await?;
    }
    tx.record(
        "account.create",
        format!("account:{id}"),
        serde_json::json!({
            "kind": new.kind.as_str(),
            "roles": new.roles,
        }),
    );
    tx.commit().await?;
    Ok(id)
}

/// Whether any platform administrator exists yet.
pub async fn platform_admin_exists(db: &Database) -> Result<bool, IdentityError> {
    Ok(store::count_role(db, PLATFORM_ADMIN).await? > 0)
}

/// Whether an account with this e-mail address exists (for idempotent demo loading only:
/// user-facing flows must never reveal this).
pub async fn account_exists(db: &Database, email: &str) -> Result<bool, IdentityError> {
    let email = normalise_email(email)?;
    Ok(store::find_by_email(db, &email).await?.is_some())
}

/// Checks a password against the account's stored hash; `None` when it does not match or the
/// account does not exist (the same answer either way, and the same work: no timing oracle).
pub async fn verify_password(
    db: &Database,
    email: &str,
    password: &str,
) -> Result<Option<AccountId>, IdentityError> {
    let email = normalise_email(email).unwrap_or_default();
    let found = store::find_by_email(db, &email).await?;
    let password = password.to_owned();
    let (id, hash) = match found {
        Some((id, Some(hash))) => (Some(id), hash),
        _ => (None, PasswordHash::dummy().to_owned()),
    };
    let ok = tokio::task::spawn_blocking(move || PasswordHash::from_stored(hash).verify(&password))
        .await
        .map_err(|_| IdentityError::Hashing)?;
    Ok(id.filter(|_| ok))
}

/// Links an account to its person in the people registry (once-only: name and birth date then
/// come from there). Audited; the caller has established that the person is the account holder.
pub async fn link_person(
    db: &Database,
    actor: Actor,
    account: AccountId,
    person: &str,
) -> Result<(), IdentityError> {
    let mut tx = db.begin(actor).await?;
    let now = tx.now().as_micros();
    let changed = dasan_store::on_tx!(tx, |c| sqlx::query(
        "UPDATE accounts SET person_id = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(account.to_string())
    .bind(person)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(dasan_store::StoreError::from_sqlx)?;
    if changed == 0 {
        tx.rollback().await?;
        return Err(IdentityError::NotFound);
    }
    tx.record(
        "account.link_person",
        format!("account:{account}"),
        serde_json::json!({ "person": person }),
    );
    tx.commit().await?;
    Ok(())
}
