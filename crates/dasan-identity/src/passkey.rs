//! Passkeys (WebAuthn, `webauthn-rs`): the preferred way to sign in. A passkey with user
//! verification is two factors in one (something you have, unlocked by something you are or
//! know), so a passkey sign-in satisfies officials' second-factor rule.
//!
//! Ceremony state lives in the database, bound to the (pre-)session that started it and used
//! once, so any node can finish a ceremony another node began.

use crate::principal::Principal;
use crate::ratelimit::{self, Key};
use crate::session::{self, ClientInfo, SessionPolicy, SignInMethod};
use crate::{AccountId, IdentityError, auth::SecondFactor, auth::SignedIn, store};
use dasan_kernel::{Actor, FieldError, Timestamp, define_id};
use dasan_store::{Database, StoreError, on_reader, on_tx};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Webauthn, WebauthnBuilder,
};

define_id!(
    /// Identifies a registered passkey.
    PasskeyId
);

/// How long a started ceremony may take.
const CEREMONY_SECS: i64 = 300;

/// A registered passkey, as listed to its owner.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PasskeyInfo {
    pub id: PasskeyId,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// The relying party: this portal's origin.
#[derive(Clone)]
pub struct Passkeys {
    webauthn: std::sync::Arc<Webauthn>,
}

impl std::fmt::Debug for Passkeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passkeys(..)")
    }
}

fn passkey_error(e: impl std::fmt::Display) -> IdentityError {
    tracing::info!(error = %e, "passkey ceremony refused");
    IdentityError::Passkey
}

impl Passkeys {
    /// For the portal at `public_url` (its host is the relying-party id).
    pub fn new(public_url: &Url) -> Result<Passkeys, IdentityError> {
        let host = public_url.host_str().ok_or(IdentityError::Passkey)?;
        let webauthn = WebauthnBuilder::new(host, public_url)
            .and_then(|b| b.rp_name("Dasan").build())
            .map_err(passkey_error)?;
        Ok(Passkeys {
            webauthn: std::sync::Arc::new(webauthn),
        })
    }

    /// Starts adding a passkey to the principal's account; returns the ceremony id and the
    /// options for `navigator.credentials.create`.
    pub async fn begin_registration(
        &self,
        db: &Database,
        principal: &Principal,
        binding: &str,
    ) -> Result<(String, serde_json::Value), IdentityError> {
        let existing: Vec<String> = on_reader!(db, |p| sqlx::query_scalar(
            "SELECT passkey FROM passkeys WHERE account_id = $1"
        )
        .bind(principal.account.to_string())
        .fetch_all(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        let exclude = existing
            .iter()
            .filter_map(|json| serde_json::from_str::<Passkey>(json).ok())
            .map(|pk| pk.cred_id().clone())
            .collect::<Vec<_>>();
        let email = store::email_of(db, principal.account)
            .await?
            .unwrap_or_default();
        let user_name = if email.is_empty() {
            principal.display_name.clone()
        } else {
            email
        };
        let (options, state) = self
            .webauthn
            .start_passkey_registration(
                principal.account.0,
                &user_name,
                &principal.display_name,
                Some(exclude),
            )
            .map_err(passkey_error)?;
        let id = store_ceremony(db, binding, "register", Some(principal.account), &state).await?;
        let mut options = serde_json::to_value(options).map_err(passkey_error)?;
        // Sign-in is usernameless (the passkey names its account), so the credential must be
        // discoverable. webauthn-rs asks for "discouraged"; phones create discoverable passkeys
        // anyway, but security keys and test authenticators honour the request.
        if let Some(selection) = options
            .pointer_mut("/publicKey/authenticatorSelection")
            .and_then(|v| v.as_object_mut())
        {
            selection.insert("residentKey".into(), "required".into());
            selection.insert("requireResidentKey".into(), true.into());
        }
        Ok((id, options))
    }

    /// Finishes adding a passkey with the browser's answer.
    pub async fn finish_registration(
        &self,
        db: &Database,
        principal: &Principal,
        binding: &str,
        ceremony: &str,
        credential: &serde_json::Value,
        name: &str,
    ) -> Result<PasskeyId, IdentityError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(IdentityError::Invalid(vec![FieldError::new(
                "name",
                "identity-error-passkey-name",
            )]));
        }
        let credential: RegisterPublicKeyCredential =
            serde_json::from_value(credential.clone()).map_err(passkey_error)?;
        let (account, state): (Option<AccountId>, PasskeyRegistration) =
            take_ceremony(db, binding, "register", ceremony).await?;
        if account != Some(principal.account) {
            return Err(IdentityError::Passkey);
        }
        let passkey = self
            .webauthn
            .finish_passkey_registration(&credential, &state)
            .map_err(passkey_error)?;
        let id = PasskeyId::new();
        let mut tx = db.begin(principal.actor(None)).await?;
        let now = tx.now().as_micros();
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO passkeys (id, account_id, credential_id, name, passkey, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(id.to_string())
        .bind(principal.account.to_string())
        .bind(credential_key(passkey.cred_id()))
        .bind(name)
        .bind(serde_json::to_string(&passkey).map_err(passkey_error)?)
        .bind(now)
        .execute(c)
        .await
        .map(drop))
        .map_err(StoreError::from_sqlx)?;
        tx.record(
            "auth.passkey.add",
            format!("account:{}", principal.account),
            serde_json::json!({ "passkey": id, "name": name }),
        );
        tx.commit().await?;
        Ok(id)
    }

    /// Starts a passkey sign-in (no e-mail needed: the passkey names its account).
    pub async fn begin_sign_in(
        &self,
        db: &Database,
        binding: &str,
    ) -> Result<(String, serde_json::Value), IdentityError> {
        let (options, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(passkey_error)?;
        let id = store_ceremony(db, binding, "authenticate", None, &state).await?;
        Ok((id, serde_json::to_value(options).map_err(passkey_error)?))
    }

    /// Finishes a passkey sign-in: a new session with two-factor assurance.
    #[allow(clippy::too_many_arguments)]
    pub async fn finish_sign_in(
        &self,
        db: &Database,
        binding: &str,
        ceremony: &str,
        credential: &serde_json::Value,
        client: &ClientInfo,
        policy: &SessionPolicy,
        request_id: Option<String>,
    ) -> Result<SignedIn, IdentityError> {
        let now = db.clock().now();
        let ip_key = Key::ip("passkey", &client.ip);
        ratelimit::check(db, &ip_key, now).await?;
        let credential: PublicKeyCredential =
            serde_json::from_value(credential.clone()).map_err(passkey_error)?;
        let (_, state): (Option<AccountId>, DiscoverableAuthentication) =
            take_ceremony(db, binding, "authenticate", ceremony).await?;
        let outcome = self.verify_sign_in(db, &credential, state).await;
        let Ok((account, passkey_id, mut passkey, result)) = outcome else {
            let mut tx = db.begin(Actor::anonymous(request_id)).await?;
            ratelimit::record_failure(&mut tx, &ip_key, ratelimit::SIGN_IN_IP).await?;
            tx.record(
                "auth.signin.failed",
                "signin:passkey",
                serde_json::json!({ "method": "passkey", "ip": client.ip }),
            );
            tx.commit().await?;
            return Err(IdentityError::Passkey);
        };
        passkey.update_credential(&result);
        let principal = store::principal(db, account, crate::principal::Assurance::Multi)
            .await?
            .ok_or(IdentityError::Passkey)?;
        let mut tx = db.begin(principal.actor(request_id)).await?;
        let now_us = tx.now().as_micros();
        on_tx!(tx, |c| sqlx::query(
            "UPDATE passkeys SET passkey = $2, last_used_at = $3 WHERE id = $1"
        )
        .bind(passkey_id.to_string())
        .bind(serde_json::to_string(&passkey).map_err(passkey_error)?)
        .bind(now_us)
        .execute(c)
        .await
        .map(drop))
        .map_err(StoreError::from_sqlx)?;
        // A half-open password session in this browser is replaced, not kept alongside.
        session::close(&mut tx, binding).await?;
        let token = session::open(
            &mut tx,
            account,
            SignInMethod::Passkey,
            true,
            false,
            client,
            policy,
        )
        .await?;
        tx.record(
            "auth.signin",
            format!("account:{account}"),
            serde_json::json!({ "method": "passkey", "passkey": passkey_id, "ip": client.ip }),
        );
        tx.commit().await?;
        Ok(SignedIn {
            token,
            account,
            second_factor: SecondFactor::NotNeeded,
        })
    }

    async fn verify_sign_in(
        &self,
        db: &Database,
        credential: &PublicKeyCredential,
        state: DiscoverableAuthentication,
    ) -> Result<
        (
            AccountId,
            PasskeyId,
            Passkey,
            webauthn_rs::prelude::AuthenticationResult,
        ),
        IdentityError,
    > {
        let (user, cred_id) = self
            .webauthn
            .identify_discoverable_authentication(credential)
            .map_err(passkey_error)?;
        let cred_id = credential_key(cred_id);
        let row: Option<(String, String, String)> = on_reader!(db, |p| sqlx::query_as(
            "SELECT id, account_id, passkey FROM passkeys WHERE credential_id = $1"
        )
        .bind(&cred_id)
        .fetch_optional(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        let (id, account, json) = row.ok_or(IdentityError::Passkey)?;
        let account: AccountId = account.parse().map_err(passkey_error)?;
        if account.0 != user {
            return Err(IdentityError::Passkey);
        }
        let passkey: Passkey = serde_json::from_str(&json).map_err(passkey_error)?;
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(credential, state, &passkey)
            .map_err(passkey_error)?;
        Ok((account, id.parse().map_err(passkey_error)?, passkey, result))
    }
}

/// The account's passkeys.
pub async fn list(db: &Database, account: AccountId) -> Result<Vec<PasskeyInfo>, IdentityError> {
    let rows: Vec<(String, String, i64, Option<i64>)> = on_reader!(db, |p| sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM passkeys WHERE account_id = $1 ORDER BY created_at"
    )
    .bind(account.to_string())
    .fetch_all(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    rows.into_iter()
        .map(|(id, name, created, used)| {
            Ok(PasskeyInfo {
                id: id.parse().map_err(passkey_error)?,
                name,
                created_at: Timestamp::from_micros(created),
                last_used_at: used.map(Timestamp::from_micros),
            })
        })
        .collect()
}

/// Removes one of the principal's passkeys; another account's is "not found".
pub async fn remove(
    db: &Database,
    principal: &Principal,
    id: PasskeyId,
) -> Result<(), IdentityError> {
    let mut tx = db.begin(principal.actor(None)).await?;
    let n = on_tx!(tx, |c| sqlx::query(
        "DELETE FROM passkeys WHERE id = $1 AND account_id = $2"
    )
    .bind(id.to_string())
    .bind(principal.account.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    if n == 0 {
        tx.rollback().await?;
        return Err(IdentityError::NotFound);
    }
    tx.record(
        "auth.passkey.remove",
        format!("account:{}", principal.account),
        serde_json::json!({ "passkey": id }),
    );
    tx.commit().await?;
    Ok(())
}

async fn store_ceremony<S: serde::Serialize>(
    db: &Database,
    binding: &str,
    kind: &'static str,
    account: Option<AccountId>,
    state: &S,
) -> Result<String, IdentityError> {
    let id = uuid::Uuid::now_v7().to_string();
    let state = serde_json::to_string(state).map_err(passkey_error)?;
    // Ceremony state is not a change anyone would audit; the ceremony's outcome is.
    let mut tx = db.begin_bookkeeping("webauthn: ceremony state").await?;
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM webauthn_ceremonies WHERE expires_at < $1"
    )
    .bind(now)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO webauthn_ceremonies (id, binding, kind, account_id, state, expires_at) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(&id)
    .bind(binding)
    .bind(kind)
    .bind(account.map(|a| a.to_string()))
    .bind(&state)
    .bind(now + CEREMONY_SECS * 1_000_000)
    .execute(c)
    .await
    .map(drop))
        .map_err(StoreError::from_sqlx)?;
    tx.commit().await?;
    Ok(id)
}

/// Takes a ceremony's state (once): it must exist, be unexpired, of this kind, and bound to the
/// same (pre-)session that started it.
async fn take_ceremony<S: serde::de::DeserializeOwned>(
    db: &Database,
    binding: &str,
    kind: &'static str,
    id: &str,
) -> Result<(Option<AccountId>, S), IdentityError> {
    let mut tx = db.begin_bookkeeping("webauthn: use ceremony state").await?;
    let now = tx.now().as_micros();
    let row: Option<(Option<String>, String)> = on_tx!(tx, |c| sqlx::query_as(
        "DELETE FROM webauthn_ceremonies WHERE id = $1 AND binding = $2 AND kind = $3 AND expires_at > $4 RETURNING account_id, state"
    )
    .bind(id)
    .bind(binding)
    .bind(kind)
    .bind(now)
    .fetch_optional(c)
    .await)
    .map_err(StoreError::from_sqlx)?;
    tx.commit().await?;
    let (account, state) = row.ok_or(IdentityError::Passkey)?;
    let account = account.and_then(|a| a.parse().ok());
    Ok((
        account,
        serde_json::from_str(&state).map_err(passkey_error)?,
    ))
}

/// How a credential id is stored and looked up: unpadded base64url of its bytes.
fn credential_key(id: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}
