//! Time-based one-time passwords (RFC 6238): SHA-1, 6 digits, 30-second steps, one step of
//! clock drift either way, and no code accepted twice.

use crate::principal::Principal;
use crate::{AccountId, IdentityError};
use dasan_kernel::Timestamp;
use dasan_store::{Database, StoreError, Tx, on_reader, on_tx};
use rand::RngCore;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, Totp};

const STEP_SECS: i64 = 30;

/// What a person needs to add the account to an authenticator app.
#[derive(Clone, Debug)]
pub struct Enrollment {
    /// The secret in Base32, for typing in by hand.
    pub secret: String,
    /// The `otpauth://` URI, for a QR code.
    pub uri: String,
}

fn totp(secret: &[u8], issuer: &str, label: &str) -> Result<Totp, IdentityError> {
    totp_rs::Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret.to_vec())
        .with_issuer(Some(issuer.to_owned()))
        .with_account_name(label.to_owned())
        .build()
        .map_err(|_| IdentityError::InvalidCode)
}

fn decode(secret: &str) -> Result<Vec<u8>, IdentityError> {
    Secret::try_from_base32(secret)
        .map(|s| s.as_bytes().to_vec())
        .map_err(|_| IdentityError::Store(StoreError::Corrupt("TOTP secret".into())))
}

/// Starts (or restarts) enrolment: a new secret, not yet usable until confirmed with a code.
/// Refused while a confirmed one exists (remove it first).
pub async fn begin(
    db: &Database,
    principal: &Principal,
    issuer: &str,
    label: &str,
) -> Result<Enrollment, IdentityError> {
    if confirmed(db, principal.account).await? {
        return Err(IdentityError::Invalid(vec![dasan_kernel::FieldError::new(
            "code",
            "identity-error-totp-exists",
        )]));
    }
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    let secret = Secret::from(bytes.to_vec()).to_base32();
    let uri = totp(&bytes, issuer, label)?
        .to_url()
        .map_err(|_| IdentityError::InvalidCode)?;
    let mut tx = db.begin(principal.actor(None)).await?;
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO totp_credentials (account_id, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id) DO UPDATE SET secret = $2, created_at = $3, confirmed_at = NULL, last_step = 0"
    )
    .bind(principal.account.to_string())
    .bind(&secret)
    .bind(now)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    tx.record(
        "auth.totp.begin",
        format!("account:{}", principal.account),
        serde_json::json!({}),
    );
    tx.commit().await?;
    Ok(Enrollment { secret, uri })
}

/// Confirms enrolment with a first code from the app.
pub async fn confirm(
    db: &Database,
    principal: &Principal,
    code: &str,
) -> Result<(), IdentityError> {
    let mut tx = db.begin(principal.actor(None)).await?;
    check_code(&mut tx, principal.account, code, false).await?;
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "UPDATE totp_credentials SET confirmed_at = $2 WHERE account_id = $1"
    )
    .bind(principal.account.to_string())
    .bind(now)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    tx.record(
        "auth.totp.confirm",
        format!("account:{}", principal.account),
        serde_json::json!({}),
    );
    tx.commit().await?;
    Ok(())
}

/// Installs an already confirmed credential with a known secret: for documented demo accounts
/// only (their secret is published), and for moving existing authenticators in from another
/// system. Audited like any enrolment.
pub async fn install_confirmed(
    db: &Database,
    account: AccountId,
    secret: &str,
) -> Result<(), IdentityError> {
    decode(secret)?;
    let mut tx = db.begin(dasan_kernel::Actor::system()).await?;
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO totp_credentials (account_id, secret, created_at, confirmed_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (account_id) DO UPDATE SET secret = $2, created_at = $3, confirmed_at = $3, last_step = 0"
    )
    .bind(account.to_string())
    .bind(secret)
    .bind(now)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    tx.record(
        "auth.totp.install",
        format!("account:{account}"),
        serde_json::json!({}),
    );
    tx.commit().await?;
    Ok(())
}

/// Removes the account's TOTP credential.
pub async fn remove(db: &Database, principal: &Principal) -> Result<(), IdentityError> {
    let mut tx = db.begin(principal.actor(None)).await?;
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM totp_credentials WHERE account_id = $1"
    )
    .bind(principal.account.to_string())
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    tx.record(
        "auth.totp.remove",
        format!("account:{}", principal.account),
        serde_json::json!({}),
    );
    tx.commit().await?;
    Ok(())
}

/// Whether the account has a confirmed TOTP credential.
pub async fn confirmed(db: &Database, account: AccountId) -> Result<bool, IdentityError> {
    let n: i64 = on_reader!(db, |p| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM totp_credentials WHERE account_id = $1 AND confirmed_at IS NOT NULL"
    )
    .bind(account.to_string())
    .fetch_one(p)
    .await
    })
    .map_err(StoreError::from_sqlx)?;
    Ok(n > 0)
}

/// Checks `code` in the caller's change and burns its time step, so that a code seen over a
/// shoulder or in a log cannot be used again. `require_confirmed`: only a confirmed credential.
pub(crate) async fn check_code(
    tx: &mut Tx,
    account: AccountId,
    code: &str,
    require_confirmed: bool,
) -> Result<(), IdentityError> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdentityError::InvalidCode);
    }
    let row: Option<(String, Option<i64>, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT secret, confirmed_at, last_step FROM totp_credentials WHERE account_id = $1"
    )
    .bind(account.to_string())
    .fetch_optional(c)
    .await)
    .map_err(StoreError::from_sqlx)?;
    let Some((secret, confirmed_at, last_step)) = row else {
        return Err(IdentityError::InvalidCode);
    };
    if require_confirmed && confirmed_at.is_none() {
        return Err(IdentityError::InvalidCode);
    }
    let generator = totp(&decode(&secret)?, "Dasan", "account")?;
    let step = step_of(tx.now());
    let matched = (step - 1..=step + 1).find(|s| {
        let expected = generator
            .generate(u64::try_from(s * STEP_SECS).unwrap_or(0))
            .to_string();
        bool::from(expected.as_bytes().ct_eq(code.as_bytes()))
    });
    match matched {
        Some(s) if s > last_step => {
            on_tx!(tx, |c| sqlx::query(
                "UPDATE totp_credentials SET last_step = $2 WHERE account_id = $1"
            )
            .bind(account.to_string())
            .bind(s)
            .execute(c)
            .await
            .map(drop))
            .map_err(StoreError::from_sqlx)?;
            Ok(())
        }
        _ => Err(IdentityError::InvalidCode),
    }
}

fn step_of(now: Timestamp) -> i64 {
    now.as_micros().div_euclid(1_000_000) / STEP_SECS
}

/// The code an authenticator would show at `now` for a Base32 `secret` (for tests and demos).
pub fn code_at(secret: &str, now: Timestamp) -> Result<String, IdentityError> {
    let generator = totp(&decode(secret)?, "Dasan", "account")?;
    Ok(generator
        .generate(u64::try_from(step_of(now) * STEP_SECS).unwrap_or(0))
        .to_string())
}
