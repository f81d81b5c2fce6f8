//! Signing in and out. Every success, failure and sign-out is an audited change; failures feed
//! the rate limits; errors never say whether an account exists.

use crate::principal::Principal;
use crate::ratelimit::{self, Key};
use crate::session::{self, ClientInfo, SessionPolicy, SessionToken, SignInMethod};
use crate::{AccountId, AccountKind, IdentityError, PasswordHash, normalise_email, store, totp};
use dasan_kernel::Actor;
use dasan_store::Database;

/// The outcome of a correct password.
#[derive(Debug)]
pub struct SignedIn {
    pub token: SessionToken,
    pub account: AccountId,
    /// The session may not act yet: a second factor must be confirmed (or, for an official
    /// without one, enrolled).
    pub second_factor: SecondFactor,
}

/// What the session still needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondFactor {
    NotNeeded,
    /// Confirm the enrolled TOTP code or passkey.
    Required,
    /// An official without a second factor: enrol one now (the session can do nothing else).
    MustEnroll,
}

/// Signs in with e-mail and password.
pub async fn sign_in_password(
    db: &Database,
    email: &str,
    password: &str,
    client: &ClientInfo,
    policy: &SessionPolicy,
    request_id: Option<String>,
) -> Result<SignedIn, IdentityError> {
    let now = db.clock().now();
    let email = normalise_email(email).unwrap_or_else(|_| email.trim().to_lowercase());
    let ip_key = Key::ip("signin", &client.ip);
    let account_key = Key::account("signin", &email);
    ratelimit::check(db, &ip_key, now).await?;
    ratelimit::check(db, &account_key, now).await?;

    let found = store::credentials(db, &email).await?;
    let password_owned = password.to_owned();
    let (account, hash) = match &found {
        Some((id, _, Some(hash))) => (Some(*id), hash.clone()),
        _ => (None, PasswordHash::dummy().to_owned()),
    };
    // Same work whether or not the account exists: no timing oracle.
    let matches = tokio::task::spawn_blocking(move || {
        PasswordHash::from_stored(hash).verify(&password_owned)
    })
    .await
    .map_err(|_| IdentityError::Hashing)?;

    let actor = Actor {
        request_id: request_id.clone(),
        ..account
            .map(|a| Actor::account(a.0))
            .unwrap_or_else(|| Actor::anonymous(None))
    };
    let Some(account) = account.filter(|_| matches) else {
        let mut tx = db.begin(actor).await?;
        ratelimit::record_failure(&mut tx, &ip_key, ratelimit::SIGN_IN_IP).await?;
        let failure =
            ratelimit::record_failure(&mut tx, &account_key, ratelimit::SIGN_IN_ACCOUNT).await?;
        let subject = match account {
            Some(id) => format!("account:{id}"),
            None => format!("signin:{}", account_key.as_str()),
        };
        tx.record(
            "auth.signin.failed",
            subject,
            serde_json::json!({ "method": "password", "ip": client.ip, "failures": failure.failures }),
        );
        if failure.first_block
            && let Some((_, address, _)) = &found
        {
            crate::mail::enqueue_lockout_notice(&mut tx, address, failure.blocked_for_secs).await?;
        }
        tx.commit().await?;
        return Err(IdentityError::InvalidCredentials);
    };

    let principal = store::principal(db, account, crate::principal::Assurance::Single)
        .await?
        .ok_or(IdentityError::InvalidCredentials)?;
    let enrolled = store::has_second_factor(db, account).await?;
    let second_factor = match (enrolled, principal.kind) {
        (true, _) => SecondFactor::Required,
        (false, AccountKind::Official) => SecondFactor::MustEnroll,
        (false, _) => SecondFactor::NotNeeded,
    };
    let mut tx = db.begin(principal.actor(request_id)).await?;
    ratelimit::clear(&mut tx, &account_key).await?;
    let token = session::open(
        &mut tx,
        account,
        SignInMethod::Password,
        false,
        second_factor != SecondFactor::NotNeeded,
        client,
        policy,
    )
    .await?;
    tx.record(
        "auth.signin",
        format!("account:{account}"),
        serde_json::json!({ "method": "password", "ip": client.ip, "second_factor": second_factor != SecondFactor::NotNeeded }),
    );
    tx.commit().await?;
    Ok(SignedIn {
        token,
        account,
        second_factor,
    })
}

/// Confirms a TOTP code for a half-open session: the session is replaced by a new one (new
/// id) with two-factor assurance.
pub async fn confirm_totp(
    db: &Database,
    session_hash: &str,
    code: &str,
    client: &ClientInfo,
    policy: &SessionPolicy,
    request_id: Option<String>,
) -> Result<SessionToken, IdentityError> {
    let account = store::session_account(db, session_hash)
        .await?
        .ok_or(IdentityError::Unauthenticated)?;
    let now = db.clock().now();
    let key = Key::account("totp", &account.to_string());
    ratelimit::check(db, &key, now).await?;
    let mut tx = db
        .begin(Actor {
            request_id: request_id.clone(),
            ..Actor::account(account.0)
        })
        .await?;
    match totp::check_code(&mut tx, account, code, true).await {
        Ok(()) => {}
        Err(IdentityError::InvalidCode) => {
            // The burnt step (none here) and the failure count must survive the error.
            let failure =
                ratelimit::record_failure(&mut tx, &key, ratelimit::SIGN_IN_ACCOUNT).await?;
            tx.record(
                "auth.second_factor.failed",
                format!("account:{account}"),
                serde_json::json!({ "method": "totp", "failures": failure.failures }),
            );
            tx.commit().await?;
            return Err(IdentityError::InvalidCode);
        }
        Err(other) => return Err(other),
    }
    ratelimit::clear(&mut tx, &key).await?;
    session::close(&mut tx, session_hash).await?;
    let token = session::open(
        &mut tx,
        account,
        SignInMethod::Password,
        true,
        false,
        client,
        policy,
    )
    .await?;
    tx.record(
        "auth.second_factor",
        format!("account:{account}"),
        serde_json::json!({ "method": "totp" }),
    );
    tx.commit().await?;
    Ok(token)
}

/// Marks a session two-factor after the account enrolled its first second factor while signed
/// in with a password: the proof was the enrolment itself. Rotates the session id.
pub async fn upgrade_after_enrolment(
    db: &Database,
    principal: &Principal,
    session_hash: &str,
    client: &ClientInfo,
    policy: &SessionPolicy,
) -> Result<SessionToken, IdentityError> {
    let mut tx = db.begin(principal.actor(None)).await?;
    session::close(&mut tx, session_hash).await?;
    let token = session::open(
        &mut tx,
        principal.account,
        SignInMethod::Password,
        true,
        false,
        client,
        policy,
    )
    .await?;
    tx.record(
        "auth.second_factor",
        format!("account:{}", principal.account),
        serde_json::json!({ "method": "enrolment" }),
    );
    tx.commit().await?;
    Ok(token)
}

/// Ends this session.
pub async fn sign_out(
    db: &Database,
    principal: &Principal,
    session_hash: &str,
) -> Result<(), IdentityError> {
    let mut tx = db.begin(principal.actor(None)).await?;
    session::close(&mut tx, session_hash).await?;
    tx.record(
        "auth.signout",
        format!("account:{}", principal.account),
        serde_json::json!({}),
    );
    tx.commit().await?;
    Ok(())
}

/// Ends every session of the account, this one included.
pub async fn sign_out_everywhere(
    db: &Database,
    principal: &Principal,
) -> Result<u64, IdentityError> {
    let mut tx = db.begin(principal.actor(None)).await?;
    let n = session::close_all(&mut tx, principal.account, None).await?;
    tx.record(
        "auth.signout.everywhere",
        format!("account:{}", principal.account),
        serde_json::json!({ "sessions": n }),
    );
    tx.commit().await?;
    Ok(n)
}
