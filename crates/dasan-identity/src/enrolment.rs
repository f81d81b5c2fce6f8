//! Citizen sign-up, linked to the people registry (once-only: name and birth date come from
//! there, never retyped).
//!
//! A national identifier is no secret, so knowing one proves nothing. Sign-up therefore also
//! needs an **enrolment code**: one-time, expiring, bound to one person, stored only as a hash,
//! and handed over by an official who has checked an identity document at a counter (or posted
//! to the registered address). With a valid code the holder has proved who they are, so only then
//! does the form say whether an e-mail address is taken: before it, every failure looks alike.

use crate::auth::{SecondFactor, SignedIn};
use crate::principal::{Permission, Principal, Scope};
use crate::ratelimit::{self, Key};
use crate::session::{self, ClientInfo, SessionPolicy, SignInMethod, hash_secret};
use crate::{
    AccountId, AccountKind, IdentityError, PasswordHash, PasswordPolicy, normalise_email, store,
};
use dasan_kernel::{Actor, FieldError, Timestamp};
use dasan_registry::{PersonId, PersonStatus, Registry};
use dasan_store::{Database, StoreError, on_reader, on_tx};
use rand::Rng;

/// How long an enrolment code works.
pub const CODE_DAYS: i64 = 30;

/// Letters and digits nobody confuses when reading a code aloud or off paper (no 0/O, 1/I/L, U).
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";
const CODE_LEN: usize = 12;

/// An issued code, shown once to the official who prints or reads it out.
#[derive(Clone, Debug)]
pub struct IssuedCode {
    /// `XXXX-XXXX-XXXX`.
    pub code: String,
    pub expires_at: Timestamp,
}

/// A new random code (about 59 bits: with the rate limits, far beyond guessing).
fn new_code() -> String {
    let mut rng = rand::rng();
    let raw: String = (0..CODE_LEN)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12])
}

/// The code as stored (hashed): upper-case, without separators or spaces.
fn canonical_code(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether the person already has an account.
async fn has_account(db: &Database, person: PersonId) -> Result<bool, IdentityError> {
    let n: i64 = on_reader!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts WHERE person_id = $1"
    )
    .bind(person.to_string())
    .fetch_one(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    Ok(n > 0)
}

/// Issues an enrolment code for `person`, replacing any open one. The official must hold
/// `identity.proof` in their own agency; the read of the registry is logged.
pub async fn issue_code(
    db: &Database,
    registry: &Registry,
    principal: &Principal,
    person: PersonId,
) -> Result<IssuedCode, IdentityError> {
    let agency = principal
        .agency
        .as_deref()
        .ok_or(IdentityError::Forbidden)?;
    principal.require(Permission::IdentityProof, Scope::Agency(agency))?;
    let record = registry
        .person(principal.actor(None), person, "identity-proofing")
        .await?;
    if record.data.status != PersonStatus::Living {
        return Err(IdentityError::Invalid(vec![FieldError::new(
            "person",
            "identity-error-person-not-living",
        )]));
    }
    if has_account(db, person).await? {
        return Err(IdentityError::Invalid(vec![FieldError::new(
            "person",
            "identity-error-person-has-account",
        )]));
    }
    let code = new_code();
    let mut tx = db.begin(principal.actor(None)).await?;
    let now = tx.now();
    let expires_at = Timestamp::from_micros(now.as_micros() + CODE_DAYS * 86_400_000_000);
    // One open code per person: a new one replaces a lost one.
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM enrolment_codes WHERE person_id = $1 AND used_at IS NULL"
    )
    .bind(person.to_string())
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO enrolment_codes (code_hash, person_id, issued_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(hash_secret(&canonical_code(&code)))
    .bind(person.to_string())
    .bind(principal.account.to_string())
    .bind(now.as_micros())
    .bind(expires_at.as_micros())
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    tx.record(
        "enrolment.code.issue",
        format!("person:{person}"),
        serde_json::json!({ "agency": agency, "expires_at": expires_at.as_micros() }),
    );
    tx.commit().await?;
    Ok(IssuedCode { code, expires_at })
}

/// What a citizen types to sign up.
#[derive(Clone, Debug, Default)]
pub struct SignUp {
    pub national_id: String,
    pub code: String,
    pub email: String,
    pub password: String,
}

/// Creates a citizen account linked to the registry's person and opens a session for it.
///
/// Rate-limited per address and per national identifier; a wrong identifier or code is one
/// answer ("they do not match"), whichever was wrong.
pub async fn sign_up(
    db: &Database,
    registry: &Registry,
    form: &SignUp,
    client: &ClientInfo,
    policy: &SessionPolicy,
    request_id: Option<String>,
) -> Result<SignedIn, IdentityError> {
    let now = db.clock().now();
    let ip_key = Key::ip("signup", &client.ip);
    ratelimit::check(db, &ip_key, now).await?;

    // Shape first: nothing is looked up for a form that cannot succeed.
    let mut errors = Vec::new();
    let national_id = match registry.scheme().normalise(&form.national_id) {
        Ok(id) => id,
        Err(_) => {
            errors.push(FieldError::new("national_id", "identity-error-national-id"));
            String::new()
        }
    };
    let code = canonical_code(&form.code);
    if code.len() != CODE_LEN {
        errors.push(FieldError::new("code", "identity-error-enrolment-code"));
    }
    let email = match normalise_email(&form.email) {
        Ok(e) => e,
        Err(e) => {
            errors.push(e.on_field("email"));
            String::new()
        }
    };
    if let Err(e) = PasswordPolicy::default().check_with(&form.password, &[&email, &national_id]) {
        errors.push(e.on_field("password"));
    }
    if !errors.is_empty() {
        return Err(IdentityError::Invalid(errors));
    }
    let person_key = Key::account("signup", &national_id);
    ratelimit::check(db, &person_key, now).await?;

    let actor = Actor::anonymous(request_id.clone());
    let person = registry
        .find_person(actor.clone(), &national_id, "account-enrolment")
        .await?;
    let valid = match person {
        Some(person) => code_matches(db, person, &code, now).await?,
        None => false,
    };
    let Some(person) = person.filter(|_| valid) else {
        let mut tx = db.begin(actor).await?;
        ratelimit::record_failure(&mut tx, &ip_key, ratelimit::REQUESTS).await?;
        ratelimit::record_failure(&mut tx, &person_key, ratelimit::REQUESTS).await?;
        tx.record(
            "auth.signup.failed",
            format!("signup:{}", person_key.as_str()),
            serde_json::json!({ "ip": client.ip }),
        );
        tx.commit().await?;
        return Err(IdentityError::Invalid(vec![FieldError::new(
            "code",
            "identity-error-enrolment-mismatch",
        )]));
    };
    let record = registry
        .person(actor.clone(), person, "account-enrolment")
        .await?;
    let display_name = format!("{} {}", record.data.name_local, record.data.name_latin);

    let password = form.password.clone();
    let hash = tokio::task::spawn_blocking(move || PasswordHash::create(&password))
        .await
        .map_err(|_| IdentityError::Hashing)??;
    let account = AccountId::new();
    let mut tx = db
        .begin(Actor {
            request_id,
            ..Actor::account(account.0)
        })
        .await?;
    let now_us = tx.now().as_micros();
    let used = on_tx!(tx, |c| sqlx::query(
        "UPDATE enrolment_codes SET used_at = $3 WHERE code_hash = $1 AND person_id = $2 AND used_at IS NULL AND expires_at > $3"
    )
    .bind(hash_secret(&code))
    .bind(person.to_string())
    .bind(now_us)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    if used != 1 {
        // Another sign-up used the code a moment ago.
        tx.rollback().await?;
        return Err(IdentityError::Invalid(vec![FieldError::new(
            "code",
            "identity-error-enrolment-mismatch",
        )]));
    }
    if let Err(e) = store::insert_account(
        &mut tx,
        account,
        AccountKind::Citizen,
        &email,
        &display_name,
        &hash,
        None,
    )
    .await
    {
        tx.rollback().await?;
        return Err(match e {
            StoreError::Duplicate { .. } => {
                IdentityError::Invalid(vec![IdentityError::EmailTaken.on_field("email")])
            }
            other => IdentityError::Store(other),
        });
    }
    let linked = on_tx!(tx, |c| sqlx::query(
        "UPDATE accounts SET person_id = $2 WHERE id = $1"
    )
    .bind(account.to_string())
    .bind(person.to_string())
    .execute(c)
    .await
    .map(drop));
    if let Err(e) = linked {
        tx.rollback().await?;
        return Err(match StoreError::from_sqlx(e) {
            StoreError::Duplicate { .. } => IdentityError::Invalid(vec![FieldError::new(
                "national_id",
                "identity-error-person-has-account",
            )]),
            other => IdentityError::Store(other),
        });
    }
    ratelimit::clear(&mut tx, &person_key).await?;
    let token = session::open(
        &mut tx,
        account,
        SignInMethod::Password,
        false,
        false,
        client,
        policy,
    )
    .await?;
    tx.record(
        "account.sign_up",
        format!("account:{account}"),
        serde_json::json!({ "kind": "citizen", "person": person.to_string(), "ip": client.ip }),
    );
    tx.commit().await?;
    Ok(SignedIn {
        token,
        account,
        second_factor: SecondFactor::NotNeeded,
    })
}

async fn code_matches(
    db: &Database,
    person: PersonId,
    code: &str,
    now: Timestamp,
) -> Result<bool, IdentityError> {
    let n: i64 = on_reader!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM enrolment_codes WHERE code_hash = $1 AND person_id = $2 AND used_at IS NULL AND expires_at > $3"
    )
    .bind(hash_secret(code))
    .bind(person.to_string())
    .bind(now.as_micros())
    .fetch_one(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    Ok(n > 0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_and_read_back_in_any_case_or_spacing() {
        let code = new_code();
        assert_eq!(code.len(), 14);
        assert_eq!(code.matches('-').count(), 2);
        let canonical = canonical_code(&code);
        assert_eq!(canonical.len(), CODE_LEN);
        assert!(canonical.bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(
            canonical_code(&format!(" {} ", code.to_lowercase().replace('-', " "))),
            canonical
        );
        assert_ne!(new_code(), code, "random");
    }
}
