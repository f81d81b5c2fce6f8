//! Acting for another person. A citizen authorises someone to act for them for named services
//! until a date (as Government24 allows); parents act for their minor children because the
//! family registry says so, without asking. [`acting_for`] is the one check every service makes
//! before a person's account acts for someone else.

use crate::principal::Principal;
use crate::{AccountKind, IdentityError};
use dasan_kernel::{FieldError, Timestamp, define_id};
use dasan_registry::{PersonId, PersonStatus, Registry};
use dasan_store::{Database, StoreError, on_reader, on_tx};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

define_id!(
    /// Identifies a delegation.
    DelegationId
);

/// Every service (the grantor's choice, spelled out on the page).
pub const ALL_SERVICES: &str = "*";
/// The longest a delegation may run.
pub const MAX_YEARS: i16 = 5;
/// At most this many named services in one delegation.
const MAX_SERVICES: usize = 20;

/// A delegation as its two parties see it.
#[derive(Clone, Debug, Serialize)]
pub struct Delegation {
    pub id: DelegationId,
    pub grantor: PersonId,
    pub grantor_name: String,
    pub grantee: PersonId,
    pub grantee_name: String,
    pub services: Vec<String>,
    /// The last day it holds (inclusive).
    pub until: Date,
    pub created_at: Timestamp,
}

/// Why an account may act for a person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "basis")]
pub enum Basis {
    /// The person is the account holder.
    Own,
    /// The person authorised the account holder.
    Delegated { delegation: DelegationId },
    /// The account holder is a parent of the person, who is a minor.
    Parent,
}

/// What a citizen fills in to authorise someone.
#[derive(Clone, Debug, Default)]
pub struct NewDelegation {
    pub grantee_national_id: String,
    /// The grantee's name, which must match the registry (local script or Latin letters).
    pub grantee_name: String,
    pub services: Vec<String>,
    /// `YYYY-MM-DD`, the last day.
    pub until: String,
}

/// Checks a service code: `*`, or 1–64 characters of `a–z`, `0–9`, `-`, `.`.
pub fn service_code(text: &str) -> Option<String> {
    let t = text.trim();
    if t == ALL_SERVICES {
        return Some(t.to_owned());
    }
    dasan_registry::sharing::purpose_code(t)
}

/// Today's date in UTC (the platform's day boundary for delegations and ages).
pub fn today(now: Timestamp) -> Date {
    now.to_jiff().to_zoned(TimeZone::UTC).date()
}

/// The first instant after `day` ends (UTC).
fn end_of(day: Date) -> Result<i64, IdentityError> {
    let next = day
        .tomorrow()
        .map_err(|_| invalid("until", "identity-error-until"))?;
    let ts = next
        .to_zoned(TimeZone::UTC)
        .map_err(|_| invalid("until", "identity-error-until"))?
        .timestamp();
    Ok(Timestamp::from_jiff(ts).as_micros())
}

fn invalid(field: &str, message: &'static str) -> IdentityError {
    IdentityError::Invalid(vec![FieldError::new(field, message)])
}

/// The person behind a citizen's account: business users, officials and API clients act for
/// no person here.
fn own_person(principal: &Principal) -> Result<PersonId, IdentityError> {
    if principal.kind != AccountKind::Citizen {
        return Err(IdentityError::NotFound);
    }
    principal
        .person
        .as_deref()
        .and_then(|p| p.parse().ok())
        .ok_or(IdentityError::NotFound)
}

/// Whether `name` is the registry's name for the person (either script, ignoring case and
/// spacing).
fn same_name(typed: &str, local: &str, latin: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let typed = squash(typed);
    !typed.is_empty() && (typed == squash(local) || typed == squash(latin))
}

/// Authorises another person to act for the principal; audited.
pub async fn grant(
    db: &Database,
    registry: &Registry,
    principal: &Principal,
    new: &NewDelegation,
) -> Result<DelegationId, IdentityError> {
    let grantor = own_person(principal)?;
    let now = db.clock().now();
    let mut errors = Vec::new();
    let national_id = registry
        .scheme()
        .normalise(&new.grantee_national_id)
        .map_err(|_| errors.push(FieldError::new("national_id", "identity-error-national-id")))
        .unwrap_or_default();
    if !crate::name_ok(new.grantee_name.trim()) {
        errors.push(FieldError::new("name", "identity-error-name"));
    }
    let typed: Vec<&str> = new
        .services
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    let mut services: Vec<String> = typed.iter().filter_map(|s| service_code(s)).collect();
    if typed.is_empty() || typed.len() > MAX_SERVICES || services.len() != typed.len() {
        errors.push(FieldError::new("services", "identity-error-services"));
    }
    services.sort();
    services.dedup();
    if services.iter().any(|s| s == ALL_SERVICES) {
        services = vec![ALL_SERVICES.to_owned()];
    }
    let today = today(now);
    let until = match new.until.trim().parse::<Date>() {
        Ok(d)
            if d >= today
                && d <= today
                    .checked_add(jiff::Span::new().years(MAX_YEARS))
                    .unwrap_or(today) =>
        {
            Some(d)
        }
        _ => {
            errors.push(FieldError::new("until", "identity-error-until"));
            None
        }
    };
    if !errors.is_empty() {
        return Err(IdentityError::Invalid(errors));
    }
    let until = until.ok_or_else(|| invalid("until", "identity-error-until"))?;
    let actor = principal.actor(None);
    let mismatch = || invalid("national_id", "identity-error-person-mismatch");
    let grantee = registry
        .find_person(actor.clone(), &national_id, "delegation")
        .await?
        .ok_or_else(mismatch)?;
    if grantee == grantor {
        return Err(invalid("national_id", "identity-error-delegate-self"));
    }
    let record = registry
        .person(actor.clone(), grantee, "delegation")
        .await?;
    if record.data.status != PersonStatus::Living
        || !same_name(
            &new.grantee_name,
            &record.data.name_local,
            &record.data.name_latin,
        )
    {
        return Err(mismatch());
    }
    // The grantee sees the grantor's name as the registry has it.
    let own = registry
        .person(actor.clone(), grantor, "delegation")
        .await?;
    let grantor_name = format!("{} {}", own.data.name_local, own.data.name_latin);
    let id = DelegationId::new();
    let services_json = serde_json::to_string(&services).unwrap_or_else(|_| "[]".into());
    let valid_until = end_of(until)?;
    let mut tx = db.begin(actor).await?;
    let created = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO delegations (id, grantor, grantee, grantor_name, grantee_name, services, valid_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(id.to_string())
    .bind(grantor.to_string())
    .bind(grantee.to_string())
    .bind(&grantor_name)
    .bind(new.grantee_name.trim())
    .bind(&services_json)
    .bind(valid_until)
    .bind(created)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    tx.record(
        "delegation.grant",
        format!("person:{grantor}"),
        serde_json::json!({
            "delegation": id.to_string(),
            "grantee": grantee.to_string(),
            "services": services,
            "until": until.to_string(),
        }),
    );
    tx.commit().await?;
    Ok(id)
}

type Row = (String, String, String, String, String, String, i64, i64);

fn from_row(row: Row) -> Result<Delegation, IdentityError> {
    let (id, grantor, grantee, grantor_name, grantee_name, services, valid_until, created_at) = row;
    let corrupt =
        |what: &str| IdentityError::Store(StoreError::Corrupt(format!("delegation {what}")));
    let last_instant = Timestamp::from_micros(valid_until - 1);
    Ok(Delegation {
        id: id.parse().map_err(|_| corrupt("id"))?,
        grantor: grantor.parse().map_err(|_| corrupt("grantor"))?,
        grantor_name,
        grantee: grantee.parse().map_err(|_| corrupt("grantee"))?,
        grantee_name,
        services: serde_json::from_str(&services).map_err(|_| corrupt("services"))?,
        until: today(last_instant),
        created_at: Timestamp::from_micros(created_at),
    })
}

const COLUMNS: &str =
    "id, grantor, grantee, grantor_name, grantee_name, services, valid_until, created_at";

/// The principal's delegations in force: those they gave, and those they received.
pub async fn list(
    db: &Database,
    principal: &Principal,
) -> Result<(Vec<Delegation>, Vec<Delegation>), IdentityError> {
    let me = own_person(principal)?.to_string();
    let now = db.clock().now().as_micros();
    let sql = format!(
        "SELECT {COLUMNS} FROM delegations WHERE revoked_at IS NULL AND valid_until > $2 AND \
         (grantor = $1 OR grantee = $1) ORDER BY created_at DESC"
    );
    let rows: Vec<Row> = on_reader!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(&me)
        .bind(now)
        .fetch_all(p)
        .await)
    .map_err(StoreError::from_sqlx)?;
    let all: Vec<Delegation> = rows.into_iter().map(from_row).collect::<Result<_, _>>()?;
    let (given, received) = all.into_iter().partition(|d| d.grantor.to_string() == me);
    Ok((given, received))
}

/// Ends a delegation: its grantor withdraws it, or its grantee declines it. Anyone else gets
/// "not found".
pub async fn revoke(
    db: &Database,
    principal: &Principal,
    id: DelegationId,
) -> Result<(), IdentityError> {
    let me = own_person(principal)?.to_string();
    let mut tx = db.begin(principal.actor(None)).await?;
    let now = tx.now().as_micros();
    let grantor: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE delegations SET revoked_at = $3 WHERE id = $1 AND revoked_at IS NULL AND (grantor = $2 OR grantee = $2) RETURNING grantor"
    )
    .bind(id.to_string())
    .bind(&me)
    .bind(now)
    .fetch_optional(c)
    .await)
    .map_err(StoreError::from_sqlx)?;
    let Some(grantor) = grantor else {
        tx.rollback().await?;
        return Err(IdentityError::NotFound);
    };
    tx.record(
        "delegation.revoke",
        format!("person:{grantor}"),
        serde_json::json!({ "delegation": id.to_string(), "by_grantor": grantor == me }),
    );
    tx.commit().await?;
    Ok(())
}

/// Whether `birth` makes someone a minor on `today` at `majority_age`.
pub fn is_minor(birth: Date, today: Date, majority_age: i16) -> bool {
    birth
        .checked_add(jiff::Span::new().years(majority_age))
        .is_ok_and(|adult| today < adult)
}

/// Decides whether the principal may act for `subject` in `service` now: as themself, by a
/// delegation in force that names the service (or all services), or as a parent of a minor
/// (the family registry decides; the read of the child's record is logged). Otherwise "not
/// found": nobody learns whether the person exists.
pub async fn acting_for(
    db: &Database,
    registry: &Registry,
    principal: &Principal,
    subject: PersonId,
    service: &str,
    majority_age: i16,
) -> Result<Basis, IdentityError> {
    let me = own_person(principal)?;
    if subject == me {
        return Ok(Basis::Own);
    }
    let now = db.clock().now();
    let sql = format!(
        "SELECT {COLUMNS} FROM delegations WHERE grantor = $1 AND grantee = $2 AND revoked_at IS NULL AND valid_until > $3"
    );
    let rows: Vec<Row> = on_reader!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(subject.to_string())
        .bind(me.to_string())
        .bind(now.as_micros())
        .fetch_all(p)
        .await)
    .map_err(StoreError::from_sqlx)?;
    for row in rows {
        let d = from_row(row)?;
        if d.services.iter().any(|s| s == ALL_SERVICES || s == service) {
            return Ok(Basis::Delegated { delegation: d.id });
        }
    }
    if is_parent_of_minor(registry, principal, me, subject, today(now), majority_age).await? {
        return Ok(Basis::Parent);
    }
    Err(IdentityError::NotFound)
}

async fn is_parent_of_minor(
    registry: &Registry,
    principal: &Principal,
    me: PersonId,
    child: PersonId,
    today: Date,
    majority_age: i16,
) -> Result<bool, IdentityError> {
    let mine = registry
        .person(principal.actor(None), me, "parental-authority")
        .await?;
    if !mine.children.contains(&child) {
        return Ok(false);
    }
    let record = registry
        .person(principal.actor(None), child, "parental-authority")
        .await?;
    Ok(record.data.parents.contains(&me)
        && record.data.status == PersonStatus::Living
        && is_minor(record.data.birth_date, today, majority_age))
}

/// A person the principal may act for, with why.
#[derive(Clone, Debug, Serialize)]
pub struct Principalship {
    pub person: PersonId,
    pub name: String,
    pub basis: Basis,
    /// For delegations: which services, and until when.
    pub services: Vec<String>,
    pub until: Option<Date>,
}

/// Everyone the principal may act for today: grantors of delegations in force, and their minor
/// children from the family registry.
pub async fn represented(
    db: &Database,
    registry: &Registry,
    principal: &Principal,
    majority_age: i16,
) -> Result<Vec<Principalship>, IdentityError> {
    let me = own_person(principal)?;
    let (_, received) = list(db, principal).await?;
    let mut out: Vec<Principalship> = received
        .into_iter()
        .map(|d| Principalship {
            person: d.grantor,
            name: d.grantor_name,
            basis: Basis::Delegated { delegation: d.id },
            services: d.services,
            until: Some(d.until),
        })
        .collect();
    let today = today(db.clock().now());
    let mine = registry
        .person(principal.actor(None), me, "parental-authority")
        .await?;
    for child in mine.children {
        let record = registry
            .person(principal.actor(None), child, "parental-authority")
            .await?;
        if record.data.status == PersonStatus::Living
            && is_minor(record.data.birth_date, today, majority_age)
        {
            out.push(Principalship {
                person: child,
                name: format!("{} {}", record.data.name_local, record.data.name_latin),
                basis: Basis::Parent,
                services: vec![ALL_SERVICES.to_owned()],
                until: record
                    .data
                    .birth_date
                    .checked_add(jiff::Span::new().years(majority_age))
                    .ok()
                    .and_then(|d| d.yesterday().ok()),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_minor_until_the_birthday_of_majority() {
        let birth = date(2008, 3, 1);
        assert!(is_minor(birth, date(2027, 2, 28), 19));
        assert!(!is_minor(birth, date(2027, 3, 1), 19));
        assert!(!is_minor(birth, date(2026, 3, 1), 18));
    }

    #[test]
    fn names_match_in_either_script_ignoring_case_and_spacing() {
        assert!(same_name("kim min-jun", "김민준", "KIM Min-jun"));
        assert!(same_name("김 민준", "김민준", "KIM Min-jun"));
        assert!(!same_name("Kim Min", "김민준", "KIM Min-jun"));
        assert!(!same_name("  ", "김민준", "KIM Min-jun"));
    }

    #[test]
    fn service_codes_are_checked() {
        assert_eq!(service_code(" * ").as_deref(), Some("*"));
        assert_eq!(
            service_code("resident-certificate").as_deref(),
            Some("resident-certificate")
        );
        assert!(service_code("Resident Certificate").is_none());
    }

    #[test]
    fn a_delegation_lasts_to_the_end_of_its_last_day() {
        let end = end_of(date(2026, 12, 31)).unwrap();
        assert_eq!(today(Timestamp::from_micros(end - 1)), date(2026, 12, 31));
        assert_eq!(today(Timestamp::from_micros(end)), date(2027, 1, 1));
    }
}
