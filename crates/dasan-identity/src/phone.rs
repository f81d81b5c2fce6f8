//! An account's mobile number for text messages. A number gets texts only after the person
//! typed back the code sent to it, so nobody can point the platform's texts at someone else's
//! phone; a new number replaces the old one only once it is confirmed.

use crate::ratelimit::{self, Key, Limit};
use crate::session::hash_secret;
use crate::{AccountId, IdentityError, Principal};
use dasan_kernel::{FieldError, Timestamp};
use dasan_store::{Database, StoreError, Tx, on_reader, on_tx};
use rand::Rng;

pub use dasan_notify::sms::readable;

/// How long a code works.
pub const CODE_MINUTES: i64 = 10;
/// Wrong codes allowed before a new one must be asked for.
const MAX_ATTEMPTS: i64 = 5;
/// Codes sent per account: texts cost money and can be used to pester a stranger.
const SENDS: Limit = Limit {
    free_failures: 5,
    base_delay_secs: 600,
    max_delay_secs: 86_400,
    window_secs: 86_400,
};

/// The account's numbers, as its owner sees them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PhoneStatus {
    /// The confirmed number, which gets texts.
    pub confirmed: Option<String>,
    /// A number waiting for its code.
    pub pending: Option<String>,
}

/// A code was sent to `phone`.
#[derive(Clone, Debug)]
pub struct CodeSent {
    pub phone: String,
    pub expires_at: Timestamp,
}

fn field(message: &'static str) -> IdentityError {
    IdentityError::Invalid(vec![FieldError::new("phone", message)])
}

/// The code as stored: bound to the account, so a code is worth nothing for another one.
fn code_hash(account: AccountId, code: &str) -> String {
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    hash_secret(&format!("{account}:{digits}"))
}

/// Shows the last four digits only (audit records and logs).
fn masked(phone: &str) -> String {
    let keep = phone.len().saturating_sub(4);
    format!("{}{}", "•".repeat(keep.min(8)), &phone[keep..])
}

/// The number being confirmed, its code's hash, when it expires, wrong tries so far.
type PendingCode = (Option<String>, Option<String>, Option<i64>, i64);

/// The principal's numbers.
pub async fn status(db: &Database, account: AccountId) -> Result<PhoneStatus, IdentityError> {
    let row: Option<(Option<String>, Option<String>)> = on_reader!(db, |p| sqlx::query_as(
        "SELECT phone, pending_phone FROM account_phones WHERE account_id = $1"
    )
    .bind(account.to_string())
    .fetch_optional(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    Ok(row
        .map(|(confirmed, pending)| PhoneStatus { confirmed, pending })
        .unwrap_or_default())
}

/// Starts confirming `typed` (read as a number of `region` when it has no country code) and
/// texts it a six-digit code.
pub async fn send_code(
    db: &Database,
    principal: &Principal,
    typed: &str,
    region: &str,
) -> Result<CodeSent, IdentityError> {
    let phone = dasan_notify::normalise_mobile(typed, region).map_err(|e| match e {
        dasan_notify::NotifyError::NotMobile => field("identity-error-phone-not-mobile"),
        _ => field("identity-error-phone-invalid"),
    })?;
    let account = principal.account;
    let key = Key::account("phone-code", &account.to_string());
    ratelimit::check(db, &key, db.clock().now()).await?;
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    let mut tx = db.begin(principal.actor(None)).await?;
    let now = tx.now();
    let expires_at = Timestamp::from_micros(now.as_micros() + CODE_MINUTES * 60_000_000);
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO account_phones (account_id, pending_phone, code_hash, code_expires_at, code_attempts, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5) \
         ON CONFLICT (account_id) DO UPDATE SET pending_phone = $2, code_hash = $3, \
            code_expires_at = $4, code_attempts = 0, updated_at = $5"
    )
    .bind(account.to_string())
    .bind(&phone)
    .bind(code_hash(account, &code))
    .bind(expires_at.as_micros())
    .bind(now.as_micros())
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    // Every send counts against the limit, not only failures.
    ratelimit::record_failure(&mut tx, &key, SENDS).await?;
    let text = format!(
        "[Dasan] {code} — your code, valid {CODE_MINUTES} min. Never share it. / 다산 인증번호 {code} ({CODE_MINUTES}분). 타인에게 알려주지 마세요."
    );
    dasan_notify::enqueue_sms(&mut tx, &dasan_notify::Sms::new(phone.clone(), &text))
        .await
        .map_err(|e| match e {
            dasan_notify::NotifyError::Store(s) => IdentityError::Store(s),
            _ => field("identity-error-phone-invalid"),
        })?;
    tx.record(
        "account.phone.code",
        format!("account:{account}"),
        serde_json::json!({ "phone": masked(&phone) }),
    );
    tx.commit().await?;
    Ok(CodeSent { phone, expires_at })
}

/// Confirms the pending number with the code that was texted to it.
pub async fn confirm(
    db: &Database,
    principal: &Principal,
    code: &str,
) -> Result<String, IdentityError> {
    let account = principal.account;
    let mut tx = db.begin(principal.actor(None)).await?;
    let now = tx.now().as_micros();
    let row: Option<PendingCode> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT pending_phone, code_hash, code_expires_at, code_attempts FROM account_phones WHERE account_id = $1"
    )
    .bind(account.to_string())
    .fetch_optional(c)
    .await)
    .map_err(StoreError::from_sqlx)?;
    let Some((Some(phone), Some(hash), Some(expires_at), attempts)) = row else {
        return Err(IdentityError::InvalidCode);
    };
    if expires_at <= now || attempts >= MAX_ATTEMPTS {
        return Err(IdentityError::InvalidCode);
    }
    if code_hash(account, code) != hash {
        on_tx!(tx, |c| sqlx::query(
            "UPDATE account_phones SET code_attempts = code_attempts + 1 WHERE account_id = $1"
        )
        .bind(account.to_string())
        .execute(c)
        .await
        .map(drop))
        .map_err(StoreError::from_sqlx)?;
        tx.record(
            "account.phone.code-wrong",
            format!("account:{account}"),
            serde_json::json!({ "attempt": attempts + 1 }),
        );
        tx.commit().await?;
        return Err(IdentityError::InvalidCode);
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE account_phones SET phone = pending_phone, verified_at = $2, pending_phone = NULL, \
            code_hash = NULL, code_expires_at = NULL, code_attempts = 0, updated_at = $2 \
         WHERE account_id = $1"
    )
    .bind(account.to_string())
    .bind(now)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    tx.record(
        "account.phone.confirm",
        format!("account:{account}"),
        serde_json::json!({ "phone": masked(&phone) }),
    );
    tx.commit().await?;
    Ok(phone)
}

/// Removes the account's numbers: no more texts.
pub async fn remove(db: &Database, principal: &Principal) -> Result<(), IdentityError> {
    let account = principal.account;
    let mut tx = db.begin(principal.actor(None)).await?;
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM account_phones WHERE account_id = $1"
    )
    .bind(account.to_string())
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    tx.record(
        "account.phone.remove",
        format!("account:{account}"),
        serde_json::json!({}),
    );
    tx.commit().await?;
    Ok(())
}

/// The confirmed number that texts about the account go to, read within the caller's change.
pub async fn text_recipient(tx: &mut Tx, account: AccountId) -> Result<Option<String>, StoreError> {
    let phone: Option<Option<String>> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT phone FROM account_phones WHERE account_id = $1"
    )
    .bind(account.to_string())
    .fetch_optional(c)
    .await)
    .map_err(StoreError::from_sqlx)?;
    Ok(phone.flatten())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_bound_to_the_account_and_ignore_spacing() {
        let a = AccountId::new();
        let b = AccountId::new();
        assert_eq!(code_hash(a, "123 456"), code_hash(a, "123456"));
        assert_ne!(code_hash(a, "123456"), code_hash(b, "123456"));
        assert_ne!(code_hash(a, "123456"), code_hash(a, "123457"));
    }

    #[test]
    fn audit_records_show_the_last_four_digits() {
        assert_eq!(masked("+821012345678"), "••••••••5678");
        assert_eq!(masked("12"), "12");
    }
}
