//! Acting for a business from the business registry. Its representative (대표자), signed in as a
//! citizen, acts for it and invites and removes staff: business-user accounts bound to that one
//! business. Who the representative is comes from the registry at the moment of each check, so
//! a change of representative there takes effect here at once.

use crate::admin::{check_invitee, insert_invitee};
use crate::principal::Principal;
use crate::{AccountId, AccountKind, IdentityError, session};
use dasan_registry::{Business, BusinessId, BusinessStatus, PersonId, Registry};
use dasan_store::{Database, StoreError, on_reader, on_tx};
use serde::Serialize;

/// A staff member as the representative sees them.
#[derive(Clone, Debug, Serialize)]
pub struct StaffMember {
    pub id: AccountId,
    pub display_name: String,
    pub email: String,
    /// Whether they have chosen a password yet.
    pub active: bool,
}

fn own_person(principal: &Principal) -> Option<PersonId> {
    (principal.kind == AccountKind::Citizen)
        .then(|| principal.person.as_deref()?.parse().ok())
        .flatten()
}

/// The businesses the principal represents (none for anyone but a linked citizen).
pub async fn represented(
    registry: &Registry,
    principal: &Principal,
) -> Result<Vec<Business>, IdentityError> {
    match own_person(principal) {
        Some(person) => Ok(registry.businesses_represented_by(person).await?),
        None => Ok(Vec::new()),
    }
}

/// The business, if the principal is its representative; otherwise "not found".
pub async fn as_representative(
    registry: &Registry,
    principal: &Principal,
    business: BusinessId,
) -> Result<Business, IdentityError> {
    let person = own_person(principal).ok_or(IdentityError::NotFound)?;
    registry
        .business(business)
        .await?
        .filter(|b| b.data.representative == person && b.data.status != BusinessStatus::Closed)
        .ok_or(IdentityError::NotFound)
}

/// Whether the principal may act for `business`: its representative, or one of its staff.
pub async fn acts_for(
    registry: &Registry,
    principal: &Principal,
    business: BusinessId,
) -> Result<bool, IdentityError> {
    Ok(!matches!(
        acting_for(registry, principal, business).await?,
        ActingFor::No
    ))
}

/// How the principal may act for a business, with the registry's record when deciding read it.
#[derive(Debug)]
pub enum ActingFor {
    No,
    /// A business user of that business (the registry was not asked).
    Staff,
    /// Its representative, per this record (read now; the business is not closed).
    Representative(Box<Business>),
}

/// Like [`acts_for`], but hands back the registry record it read, so that a caller that needs
/// the business's standing too does not read it twice.
pub async fn acting_for(
    registry: &Registry,
    principal: &Principal,
    business: BusinessId,
) -> Result<ActingFor, IdentityError> {
    if principal.kind == AccountKind::Business {
        let own = principal.business.as_deref() == Some(business.to_string().as_str());
        return Ok(if own { ActingFor::Staff } else { ActingFor::No });
    }
    match as_representative(registry, principal, business).await {
        Ok(found) => Ok(ActingFor::Representative(Box::new(found))),
        Err(IdentityError::NotFound) => Ok(ActingFor::No),
        Err(e) => Err(e),
    }
}

/// The business's staff, for its representative.
pub async fn staff(
    db: &Database,
    registry: &Registry,
    principal: &Principal,
    business: BusinessId,
) -> Result<Vec<StaffMember>, IdentityError> {
    as_representative(registry, principal, business).await?;
    type Row = (String, String, Option<String>, Option<String>);
    let rows: Vec<Row> = on_reader!(db, |p| sqlx::query_as(
        "SELECT id, display_name, email, password_hash FROM accounts \
         WHERE kind = 'business' AND business_id = $1 AND status = 'active' ORDER BY display_name, id"
    )
    .bind(business.to_string())
    .fetch_all(p)
    .await)
    .map_err(StoreError::from_sqlx)?;
    rows.into_iter()
        .map(|(id, display_name, email, hash)| {
            Ok(StaffMember {
                id: id
                    .parse()
                    .map_err(|_| StoreError::Corrupt("account id".into()))?,
                display_name,
                email: email.unwrap_or_default(),
                active: hash.is_some(),
            })
        })
        .collect()
}

/// Invites a staff member: a business-user account for this business and a one-time link to
/// choose a password. Only the representative may.
pub async fn invite_staff(
    db: &Database,
    registry: &Registry,
    principal: &Principal,
    business: BusinessId,
    email: &str,
    display_name: &str,
    link_base: &str,
) -> Result<AccountId, IdentityError> {
    let found = as_representative(registry, principal, business).await?;
    let (email, display_name) = check_invitee(email, display_name)?;
    let mut tx = db.begin(principal.actor(None)).await?;
    let business_id = business.to_string();
    let id = insert_invitee(
        &mut tx,
        AccountKind::Business,
        &email,
        &display_name,
        (None, Some(&business_id)),
        link_base,
        crate::mail::Invitation::Staff {
            business: &found.data.name,
        },
    )
    .await?;
    tx.record(
        "business.staff.invite",
        format!("business:{business}"),
        serde_json::json!({ "account": id.to_string() }),
    );
    tx.commit().await?;
    Ok(id)
}

/// Removes a staff member: the account is closed and its sessions and API tokens end at once.
pub async fn remove_staff(
    db: &Database,
    registry: &Registry,
    principal: &Principal,
    business: BusinessId,
    account: AccountId,
) -> Result<(), IdentityError> {
    as_representative(registry, principal, business).await?;
    let mut tx = db.begin(principal.actor(None)).await?;
    let now = tx.now().as_micros();
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE accounts SET status = 'closed', updated_at = $3 \
         WHERE id = $1 AND kind = 'business' AND business_id = $2 AND status = 'active'"
    )
    .bind(account.to_string())
    .bind(business.to_string())
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    if n == 0 {
        tx.rollback().await?;
        return Err(IdentityError::NotFound);
    }
    let sessions = session::close_all(&mut tx, account, None).await?;
    let tokens = on_tx!(tx, |c| sqlx::query(
        "UPDATE api_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL"
    )
    .bind(account.to_string())
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    tx.record(
        "business.staff.remove",
        format!("business:{business}"),
        serde_json::json!({
            "account": account.to_string(),
            "sessions_ended": sessions,
            "tokens_revoked": tokens,
        }),
    );
    tx.commit().await?;
    Ok(())
}
