//! Dasan's base registries: people, businesses and agencies — the authoritative source other
//! modules look data up in instead of asking citizens again (once-only).
//!
//! * Every record keeps its versions (what changed, when, by whom, why); any record can be
//!   read "as of" an instant.
//! * [`Registry::lookup`] is the only way other modules read a person's data. A table of
//!   data-sharing rules (agency X may read fields F for purpose P) decides; every look-up,
//!   allowed or refused, is an audit event the person can see ([`Registry::access_log`]).
//! * Bulk import from CSV and JSON Lines ([`Registry::import`]): streaming, dry run, all or
//!   nothing, idempotent.
//! * A deterministic demo country ([`demo`]).
//!
//! Pure rules live in [`ident`], [`model`], [`sharing`] and [`validate`]; SQL in `store`.

pub mod demo;
mod error;
pub mod ident;
pub mod import;
pub mod land;
pub mod model;
pub mod sharing;
mod store;
pub mod validate;

pub use error::RegistryError;
pub use ident::{KoreanRrn, Luhn, Mod11_10, NationalIdScheme};
pub use import::{Counts, Format, RecordKind, RowError};
pub use model::*;
pub use sharing::{
    AccessLogEntry, Family, LookupOutcome, LookupRequest, NewSharingRule, PersonField,
    SharedPerson, SharingRule,
};

use dasan_kernel::{Actor, Timestamp};
use dasan_store::{Database, Tx, on_reader, on_tx};
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::Arc;
use store::{AGENCIES, BUSINESSES, Entity, PEOPLE, Src};

/// The registries, over the platform's database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Registry {
    db: Database,
    scheme: Arc<dyn NationalIdScheme>,
}

/// What an import did (or, for a dry run or a failed import, would have done).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub kind: RecordKind,
    pub dry_run: bool,
    /// Whether the changes were committed (never for a dry run or when any row was bad).
    pub committed: bool,
    pub counts: Counts,
    /// The first [`ImportOptions::keep_errors`] bad rows (all of them go to the sink).
    pub errors: Vec<RowError>,
    /// Names the import in version rows and the audit event.
    pub import_id: String,
}

/// How to import.
#[derive(Clone, Copy, Debug)]
pub struct ImportOptions {
    pub dry_run: bool,
    /// How many bad rows to keep in the summary.
    pub keep_errors: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            keep_errors: 1000,
        }
    }
}

fn invalid(bads: Vec<validate::Bad>) -> RegistryError {
    RegistryError::Invalid(bads.iter().map(validate::Bad::to_field_error).collect())
}

fn corrupt(e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Store(dasan_store::StoreError::Corrupt(e.to_string()))
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, RegistryError> {
    serde_json::from_str(text).map_err(corrupt)
}

impl Registry {
    /// The registries with Korean resident registration numbers.
    pub fn new(db: Database) -> Registry {
        Registry::with_scheme(db, Arc::new(KoreanRrn))
    }

    /// The registries with another country's national identifier.
    pub fn with_scheme(db: Database, scheme: Arc<dyn NationalIdScheme>) -> Registry {
        Registry { db, scheme }
    }

    pub fn scheme(&self) -> &dyn NationalIdScheme {
        &*self.scheme
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    // -----------------------------------------------------------------------------------------
    // Writing records

    /// Writes `data` as a new record (`id: None`) or a new version of record `id`, checking
    /// `expected_version` if given. Returns the id and the version now current (unchanged
    /// data writes nothing and returns the current version).
    #[allow(clippy::too_many_arguments)]
    async fn write_one<E: Entity>(
        &self,
        actor: Actor,
        id: Option<String>,
        data: E,
        reason: &str,
        expected_version: Option<i64>,
        action: &'static str,
        refs: &[(&'static store::Table, Vec<String>, &'static str)],
    ) -> Result<(String, i64), RegistryError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(RegistryError::Invalid(vec![dasan_kernel::FieldError::new(
                "reason",
                "registry-error-reason",
            )]));
        }
        let table = &E::TABLE;
        let mut tx = self.db.begin(actor).await?;
        for (ref_table, ids, field) in refs {
            if !store::missing_ids(&mut tx, ref_table, ids)
                .await?
                .is_empty()
            {
                return Err(RegistryError::Invalid(vec![dasan_kernel::FieldError::new(
                    *field,
                    "registry-error-unknown-reference",
                )]));
            }
        }
        let current = match &id {
            Some(id) => Some(
                store::current_by_id(Src::Tx(&mut tx), table, id)
                    .await?
                    .ok_or(RegistryError::NotFound)?,
            ),
            None => {
                let by_key = store::current_by_keys(Src::Tx(&mut tx), table, &[data.key()]).await?;
                if by_key.contains_key(&data.key()) {
                    return Err(RegistryError::Duplicate(
                        table.key_col.unwrap_or(table.id_col).to_owned(),
                    ));
                }
                None
            }
        };
        if let (Some(expected), Some(cur)) = (expected_version, &current)
            && cur.version != expected
        {
            return Err(RegistryError::Stale {
                current: cur.version,
            });
        }
        let id = id.unwrap_or_else(|| {
            if table.key_col.is_none() {
                data.key()
            } else {
                uuid::Uuid::now_v7().to_string()
            }
        });
        let Some(write) = store::plan_write(id.clone(), current.as_ref(), &data)? else {
            tx.rollback().await?;
            return Ok((id, current.map_or(0, |c| c.version)));
        };
        let version = write.version;
        let changes = write.changes.clone();
        store::write_many(&mut tx, table, &[write], reason, None).await?;
        tx.record(
            action,
            format!("{}:{id}", table.kind),
            serde_json::json!({ "version": version, "changes": changes, "reason": reason }),
        );
        tx.commit().await?;
        Ok((id, version))
    }

    /// Registers a person (birth, immigration, first registration).
    pub async fn register_person(
        &self,
        actor: Actor,
        mut data: PersonData,
        reason: &str,
    ) -> Result<PersonId, RegistryError> {
        let bads = validate::person(self.scheme(), &mut data);
        if !bads.is_empty() {
            return Err(invalid(bads));
        }
        let refs = person_refs(&data);
        let (id, _) = self
            .write_one(
                actor,
                None,
                data,
                reason,
                None,
                "registry.person.register",
                &refs,
            )
            .await?;
        id.parse().map_err(corrupt)
    }

    /// Records a change to a person (a move, a marriage, a death); returns the new version.
    pub async fn update_person(
        &self,
        actor: Actor,
        id: PersonId,
        mut data: PersonData,
        reason: &str,
        expected_version: Option<i64>,
    ) -> Result<i64, RegistryError> {
        let bads = validate::person(self.scheme(), &mut data);
        if !bads.is_empty() {
            return Err(invalid(bads));
        }
        if data.parents.contains(&id) || data.spouse == Some(id) {
            return Err(RegistryError::Invalid(vec![dasan_kernel::FieldError::new(
                "parents",
                "registry-error-parents",
            )]));
        }
        let refs = person_refs(&data);
        let (_, version) = self
            .write_one(
                actor,
                Some(id.to_string()),
                data,
                reason,
                expected_version,
                "registry.person.update",
                &refs,
            )
            .await?;
        Ok(version)
    }

    /// Registers a business.
    pub async fn register_business(
        &self,
        actor: Actor,
        mut data: BusinessData,
        reason: &str,
    ) -> Result<BusinessId, RegistryError> {
        let bads = validate::business(&mut data);
        if !bads.is_empty() {
            return Err(invalid(bads));
        }
        let refs = [(
            &PEOPLE,
            vec![data.representative.to_string()],
            "representative",
        )];
        let (id, _) = self
            .write_one(
                actor,
                None,
                data,
                reason,
                None,
                "registry.business.register",
                &refs,
            )
            .await?;
        id.parse().map_err(corrupt)
    }

    /// Records a change to a business; returns the new version.
    pub async fn update_business(
        &self,
        actor: Actor,
        id: BusinessId,
        mut data: BusinessData,
        reason: &str,
        expected_version: Option<i64>,
    ) -> Result<i64, RegistryError> {
        let bads = validate::business(&mut data);
        if !bads.is_empty() {
            return Err(invalid(bads));
        }
        let refs = [(
            &PEOPLE,
            vec![data.representative.to_string()],
            "representative",
        )];
        let (_, version) = self
            .write_one(
                actor,
                Some(id.to_string()),
                data,
                reason,
                expected_version,
                "registry.business.update",
                &refs,
            )
            .await?;
        Ok(version)
    }

    /// Registers an agency, or records a change to it (agencies are keyed by their code);
    /// returns the version now current.
    pub async fn put_agency(
        &self,
        actor: Actor,
        mut data: AgencyData,
        reason: &str,
    ) -> Result<i64, RegistryError> {
        let bads = validate::agency(&mut data);
        if !bads.is_empty() {
            return Err(invalid(bads));
        }
        let parent_level = match &data.parent {
            None => None,
            Some(code) => Some(
                self.agency(code)
                    .await?
                    .ok_or_else(|| {
                        RegistryError::Invalid(vec![dasan_kernel::FieldError::new(
                            "parent_code",
                            "registry-error-unknown-reference",
                        )])
                    })?
                    .data
                    .level,
            ),
        };
        if !data.level.may_sit_under(parent_level) {
            return Err(RegistryError::Invalid(vec![dasan_kernel::FieldError::new(
                "level",
                "registry-error-agency-level",
            )]));
        }
        let exists = self.agency(&data.code).await?.is_some();
        let code = data.code.clone();
        let (_, version) = self
            .write_one(
                actor,
                exists.then_some(code),
                data,
                reason,
                None,
                "registry.agency.put",
                &[],
            )
            .await?;
        Ok(version)
    }

    // -----------------------------------------------------------------------------------------
    // Reading people: always logged

    /// Opens a change that only records a read of a person's data.
    async fn logged_read(
        &self,
        actor: Actor,
        subject: PersonId,
        purpose: &str,
        detail: serde_json::Value,
    ) -> Result<Tx, RegistryError> {
        let purpose = sharing::purpose_code(purpose).ok_or_else(|| {
            RegistryError::Invalid(vec![dasan_kernel::FieldError::new(
                "purpose",
                "registry-error-purpose",
            )])
        })?;
        let mut tx = self.db.begin(actor).await?;
        tx.record_read(
            "registry.person.read",
            format!("person:{subject}"),
            purpose,
            detail,
        );
        Ok(tx)
    }

    /// A person's current record; with `family`, their children and a spouse recorded only
    /// on the spouse's row are filled in.
    async fn person_in(
        &self,
        tx: &mut Tx,
        id: PersonId,
        family: bool,
    ) -> Result<Option<Person>, RegistryError> {
        let Some(cur) = store::current_by_id(Src::Tx(tx), &PEOPLE, &id.to_string()).await? else {
            return Ok(None);
        };
        let mut data: PersonData = parse_json(&cur.data)?;
        let mut children = Vec::new();
        if family {
            children = store::children(Src::Tx(tx), &id.to_string())
                .await?
                .iter()
                .filter_map(|c| c.parse().ok())
                .collect();
            if data.spouse.is_none() {
                data.spouse = store::spouse_of(Src::Tx(tx), &id.to_string())
                    .await?
                    .and_then(|s| s.parse().ok());
            }
        }
        Ok(Some(Person {
            id,
            version: cur.version,
            recorded_at: Timestamp::from_micros(cur.updated_at),
            data,
            children,
        }))
    }

    /// A person's whole record, for a registrar; the read is logged with `purpose`.
    pub async fn person(
        &self,
        actor: Actor,
        id: PersonId,
        purpose: &str,
    ) -> Result<Person, RegistryError> {
        let mut tx = self
            .logged_read(actor, id, purpose, serde_json::json!({ "what": "current" }))
            .await?;
        let person = self.person_in(&mut tx, id, true).await?;
        tx.commit().await?;
        person.ok_or(RegistryError::NotFound)
    }

    /// A person's record as it stood at `at` (the version recorded last at or before it);
    /// `children` are the people whose own record, as it stood at `at`, named this person as a
    /// parent. The read is logged with `purpose`.
    pub async fn person_as_of(
        &self,
        actor: Actor,
        id: PersonId,
        at: Timestamp,
        purpose: &str,
    ) -> Result<Person, RegistryError> {
        let mut tx = self
            .logged_read(
                actor,
                id,
                purpose,
                serde_json::json!({ "what": "as-of", "at": at.as_micros() }),
            )
            .await?;
        let version: Option<Version<PersonData>> =
            store::version_as_of(Src::Tx(&mut tx), "person", &id.to_string(), at).await?;
        let mut children = Vec::new();
        if version.is_some() {
            for c in store::children(Src::Tx(&mut tx), &id.to_string()).await? {
                let first: Option<Version<PersonData>> =
                    store::version_as_of(Src::Tx(&mut tx), "person", &c, at).await?;
                if let Some(v) = first
                    && v.data.parents.contains(&id)
                    && let Ok(c) = c.parse()
                {
                    children.push(c);
                }
            }
        }
        tx.commit().await?;
        let v = version.ok_or(RegistryError::NotFound)?;
        Ok(Person {
            id,
            version: v.version,
            recorded_at: v.recorded_at,
            data: v.data,
            children,
        })
    }

    /// Every version of a person's record, oldest first; the read is logged.
    pub async fn person_history(
        &self,
        actor: Actor,
        id: PersonId,
        purpose: &str,
    ) -> Result<Vec<Version<PersonData>>, RegistryError> {
        let mut tx = self
            .logged_read(actor, id, purpose, serde_json::json!({ "what": "history" }))
            .await?;
        let versions = store::versions(Src::Tx(&mut tx), "person", &id.to_string()).await?;
        tx.commit().await?;
        if versions.is_empty() {
            return Err(RegistryError::NotFound);
        }
        Ok(versions)
    }

    /// The person with this national identifier, if registered (the identifier is normalised
    /// first). Only the id is returned; the look-up of the number is logged.
    pub async fn find_person(
        &self,
        actor: Actor,
        national_id: &str,
        purpose: &str,
    ) -> Result<Option<PersonId>, RegistryError> {
        let canonical = self.scheme.normalise(national_id).map_err(|e| {
            RegistryError::Invalid(vec![dasan_kernel::FieldError::new(
                "national_id",
                e.message(),
            )])
        })?;
        let found =
            store::current_by_keys(Src::Db(&self.db), &PEOPLE, std::slice::from_ref(&canonical))
                .await?;
        let Some(cur) = found.get(&canonical) else {
            return Ok(None);
        };
        let id: PersonId = cur.id.parse().map_err(corrupt)?;
        let tx = self
            .logged_read(
                actor,
                id,
                purpose,
                serde_json::json!({ "what": "find-by-national-id" }),
            )
            .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Finds people for a registrar: by national identifier (exact, when `query` is one) or by
    /// the start of the Latin name (case ignored), at most `limit`. Each person listed is a
    /// logged read with `purpose`, as if viewed: a search shows names and birth dates.
    pub async fn search_people(
        &self,
        actor: Actor,
        query: &str,
        purpose: &str,
        limit: i64,
    ) -> Result<Vec<Person>, RegistryError> {
        let purpose = sharing::purpose_code(purpose).ok_or_else(|| {
            RegistryError::Invalid(vec![dasan_kernel::FieldError::new(
                "purpose",
                "registry-error-purpose",
            )])
        })?;
        let query = query.replace(|c: char| c.is_control(), " ");
        let query = query.trim();
        if query.chars().count() < 2 {
            return Err(RegistryError::Invalid(vec![dasan_kernel::FieldError::new(
                "q",
                "registry-error-query",
            )]));
        }
        let ids: Vec<String> = match self.scheme.normalise(query) {
            Ok(canonical) => {
                store::current_by_keys(Src::Db(&self.db), &PEOPLE, std::slice::from_ref(&canonical))
                    .await?
                    .into_values()
                    .map(|c| c.id)
                    .collect()
            }
            Err(_) => {
                let escaped: String = query
                    .to_lowercase()
                    .chars()
                    .flat_map(|c| match c {
                        '%' | '_' | '\\' => vec!['\\', c],
                        c => vec![c],
                    })
                    .collect();
                store::people_by_name_prefix(Src::Db(&self.db), &format!("{escaped}%"), limit)
                    .await?
            }
        };
        let mut tx = self.db.begin(actor).await?;
        let mut out = Vec::new();
        for id in ids {
            let id: PersonId = id.parse().map_err(corrupt)?;
            if let Some(person) = self.person_in(&mut tx, id, false).await? {
                tx.record_read(
                    "registry.person.read",
                    format!("person:{id}"),
                    purpose.clone(),
                    serde_json::json!({ "what": "search-result" }),
                );
                out.push(person);
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    // -----------------------------------------------------------------------------------------
    // Once-only look-ups

    /// Reads the `fields` of a person that agency `requester` may read for `purpose`.
    ///
    /// The data-sharing rules decide; a refusal is [`RegistryError::LookupRefused`] (also when
    /// `actor` acts for an agency other than `requester`). Either
    /// way (and when the person does not exist) the look-up is an audit event with subject
    /// `person:<id>`, the purpose, and the agency and fields in its detail.
    pub async fn lookup(
        &self,
        actor: Actor,
        request: &LookupRequest,
    ) -> Result<SharedPerson, RegistryError> {
        let purpose = sharing::purpose_code(&request.purpose).ok_or_else(|| {
            RegistryError::Invalid(vec![dasan_kernel::FieldError::new(
                "purpose",
                "registry-error-purpose",
            )])
        })?;
        if request.fields.is_empty() {
            return Err(RegistryError::Invalid(vec![dasan_kernel::FieldError::new(
                "fields",
                "registry-error-required",
            )]));
        }
        let mut tx = self.db.begin(actor).await?;
        tx.records_reads_only();
        let rules = rules_for(&mut tx, &request.requester, &purpose).await?;
        // An account acting for an agency can only ask as that agency.
        let impersonating = tx
            .actor()
            .agency
            .as_ref()
            .is_some_and(|a| *a != request.requester);
        let refused = if impersonating {
            request.fields.clone()
        } else {
            sharing::refused_fields(&rules, &request.requester, &purpose, &request.fields)
        };
        let fields: Vec<&str> = request.fields.iter().map(|f| f.as_str()).collect();
        let subject = format!("person:{}", request.subject);
        if !refused.is_empty() {
            let refused_names: Vec<&str> = refused.iter().map(|f| f.as_str()).collect();
            tx.record_read(
                "registry.lookup",
                subject,
                purpose.clone(),
                serde_json::json!({
                    "agency": request.requester,
                    "fields": fields,
                    "outcome": LookupOutcome::Refused,
                    "refused": refused_names,
                    "agency_mismatch": impersonating,
                }),
            );
            tx.commit().await?;
            return Err(RegistryError::LookupRefused {
                agency: request.requester.clone(),
                purpose,
                fields: refused.into_iter().collect(),
            });
        }
        let person = self
            .person_in(
                &mut tx,
                request.subject,
                request.fields.contains(&PersonField::Family),
            )
            .await?;
        let rule_ids: Vec<String> = rules
            .iter()
            .filter(|r| r.fields.iter().any(|f| request.fields.contains(f)))
            .map(|r| r.id.to_string())
            .collect();
        tx.record_read(
            "registry.lookup",
            subject,
            purpose,
            serde_json::json!({
                "agency": request.requester,
                "fields": fields,
                "outcome": if person.is_some() { LookupOutcome::Allowed } else { LookupOutcome::NotFound },
                "rules": rule_ids,
            }),
        );
        tx.commit().await?;
        let person = person.ok_or(RegistryError::NotFound)?;
        Ok(share(person, &request.fields))
    }

    /// Who read this person's data, when and why (newest first): the person's own view.
    pub async fn access_log(
        &self,
        person: PersonId,
        limit: i64,
    ) -> Result<Vec<AccessLogEntry>, RegistryError> {
        let rows: Vec<LogRow> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT at, action, actor_agency, purpose, detail FROM audit_events \
                 WHERE subject = $1 AND purpose IS NOT NULL ORDER BY at DESC, id DESC LIMIT $2"
        )
        .bind(format!("person:{person}"))
        .bind(limit)
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .map(|(at, action, actor_agency, purpose, detail)| {
                let detail: serde_json::Value = parse_json(&detail)?;
                Ok(AccessLogEntry {
                    at: Timestamp::from_micros(at),
                    action,
                    agency: detail
                        .get("agency")
                        .and_then(|a| a.as_str())
                        .map(str::to_owned)
                        .or(actor_agency),
                    purpose,
                    fields: detail
                        .get("fields")
                        .and_then(|f| f.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|f| f.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default(),
                    outcome: detail
                        .get("outcome")
                        .and_then(|o| serde_json::from_value(o.clone()).ok()),
                })
            })
            .collect()
    }

    // -----------------------------------------------------------------------------------------
    // Sharing rules

    /// Adds a data-sharing rule.
    pub async fn add_sharing_rule(
        &self,
        actor: Actor,
        rule: NewSharingRule,
    ) -> Result<RuleId, RegistryError> {
        let mut bads = Vec::new();
        let purpose = sharing::purpose_code(&rule.purpose);
        if purpose.is_none() {
            bads.push(dasan_kernel::FieldError::new(
                "purpose",
                "registry-error-purpose",
            ));
        }
        if rule.fields.is_empty() {
            bads.push(dasan_kernel::FieldError::new(
                "fields",
                "registry-error-required",
            ));
        }
        let basis = rule.legal_basis.trim().to_owned();
        if basis.is_empty() || basis.chars().count() > 500 {
            bads.push(dasan_kernel::FieldError::new(
                "legal_basis",
                "registry-error-required",
            ));
        }
        if self.agency(&rule.agency).await?.is_none() {
            bads.push(dasan_kernel::FieldError::new(
                "agency",
                "registry-error-unknown-reference",
            ));
        }
        let Some(purpose) = purpose.filter(|_| bads.is_empty()) else {
            return Err(RegistryError::Invalid(bads));
        };
        let id = RuleId::new();
        let fields = serde_json::to_string(&rule.fields).map_err(corrupt)?;
        let mut tx = self.db.begin(actor).await?;
        let now = tx.now().as_micros();
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO registry_sharing_rules (id, agency_code, purpose, fields, legal_basis, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(id.to_string())
        .bind(&rule.agency)
        .bind(&purpose)
        .bind(&fields)
        .bind(&basis)
        .bind(now)
        .execute(c)
        .await
        .map(drop)
        })?;
        tx.record(
            "registry.sharing_rule.add",
            format!("sharing-rule:{id}"),
            serde_json::json!({ "agency": rule.agency, "purpose": purpose, "fields": rule.fields, "legal_basis": basis }),
        );
        tx.commit().await?;
        Ok(id)
    }

    /// Revokes a rule: look-ups it allowed are refused from now on.
    pub async fn revoke_sharing_rule(&self, actor: Actor, id: RuleId) -> Result<(), RegistryError> {
        let mut tx = self.db.begin(actor).await?;
        let now = tx.now().as_micros();
        let n = on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE registry_sharing_rules SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL"
        )
        .bind(now)
        .bind(id.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        if n == 0 {
            return Err(RegistryError::NotFound);
        }
        tx.record(
            "registry.sharing_rule.revoke",
            format!("sharing-rule:{id}"),
            serde_json::json!({}),
        );
        tx.commit().await?;
        Ok(())
    }

    /// The rules in force, by agency and purpose.
    pub async fn sharing_rules(&self) -> Result<Vec<SharingRule>, RegistryError> {
        let rows: Vec<RuleRow> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT id, agency_code, purpose, fields, legal_basis, created_at FROM registry_sharing_rules \
             WHERE revoked_at IS NULL ORDER BY agency_code, purpose, created_at"
        )
        .fetch_all(p)
        .await
        })?;
        rows.into_iter().map(rule_from_row).collect()
    }

    // -----------------------------------------------------------------------------------------
    // Businesses and agencies (not personal data: plain reads)

    fn business_from(cur: store::Current) -> Result<Business, RegistryError> {
        Ok(Business {
            id: cur.id.parse().map_err(corrupt)?,
            version: cur.version,
            recorded_at: Timestamp::from_micros(cur.updated_at),
            data: parse_json(&cur.data)?,
        })
    }

    pub async fn business(&self, id: BusinessId) -> Result<Option<Business>, RegistryError> {
        store::current_by_id(Src::Db(&self.db), &BUSINESSES, &id.to_string())
            .await?
            .map(Self::business_from)
            .transpose()
    }

    /// The businesses `person` represents today (a business user's representative acts for
    /// these and manages their staff).
    pub async fn businesses_represented_by(
        &self,
        person: PersonId,
    ) -> Result<Vec<Business>, RegistryError> {
        let mut out = Vec::new();
        for id in store::represented_by(Src::Db(&self.db), &person.to_string()).await? {
            if let Some(cur) = store::current_by_id(Src::Db(&self.db), &BUSINESSES, &id).await? {
                out.push(Self::business_from(cur)?);
            }
        }
        Ok(out)
    }

    /// The business with this registration number (normalised first), if registered.
    pub async fn business_by_number(
        &self,
        number: &str,
    ) -> Result<Option<Business>, RegistryError> {
        let Ok(canonical) = ident::business_number(number) else {
            return Ok(None);
        };
        let mut found = store::current_by_keys(
            Src::Db(&self.db),
            &BUSINESSES,
            std::slice::from_ref(&canonical),
        )
        .await?;
        found
            .remove(&canonical)
            .map(Self::business_from)
            .transpose()
    }

    pub async fn business_as_of(
        &self,
        id: BusinessId,
        at: Timestamp,
    ) -> Result<Option<Business>, RegistryError> {
        let v: Option<Version<BusinessData>> =
            store::version_as_of(Src::Db(&self.db), "business", &id.to_string(), at).await?;
        Ok(v.map(|v| Business {
            id,
            version: v.version,
            recorded_at: v.recorded_at,
            data: v.data,
        }))
    }

    pub async fn business_history(
        &self,
        id: BusinessId,
    ) -> Result<Vec<Version<BusinessData>>, RegistryError> {
        Ok(store::versions(Src::Db(&self.db), "business", &id.to_string()).await?)
    }

    fn agency_from(cur: store::Current) -> Result<Agency, RegistryError> {
        Ok(Agency {
            version: cur.version,
            recorded_at: Timestamp::from_micros(cur.updated_at),
            data: parse_json(&cur.data)?,
        })
    }

    pub async fn agency(&self, code: &str) -> Result<Option<Agency>, RegistryError> {
        store::current_by_id(Src::Db(&self.db), &AGENCIES, code)
            .await?
            .map(Self::agency_from)
            .transpose()
    }

    /// Every agency, ordered by code (build the tree from `data.parent`).
    pub async fn agencies(&self) -> Result<Vec<Agency>, RegistryError> {
        store::all_current(&self.db, &AGENCIES)
            .await?
            .into_iter()
            .map(Self::agency_from)
            .collect()
    }

    pub async fn agency_as_of(
        &self,
        code: &str,
        at: Timestamp,
    ) -> Result<Option<Agency>, RegistryError> {
        let v: Option<Version<AgencyData>> =
            store::version_as_of(Src::Db(&self.db), "agency", code, at).await?;
        Ok(v.map(|v| Agency {
            version: v.version,
            recorded_at: v.recorded_at,
            data: v.data,
        }))
    }

    pub async fn agency_history(
        &self,
        code: &str,
    ) -> Result<Vec<Version<AgencyData>>, RegistryError> {
        Ok(store::versions(Src::Db(&self.db), "agency", code).await?)
    }

    /// How many records each registry holds: (people, businesses, agencies).
    pub async fn counts(&self) -> Result<(i64, i64, i64), RegistryError> {
        let counts: (i64, i64, i64) = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM registry_people), (SELECT COUNT(*) FROM registry_businesses), \
             (SELECT COUNT(*) FROM registry_agencies)"
        )
        .fetch_one(p)
        .await
        })?;
        Ok(counts)
    }

    // -----------------------------------------------------------------------------------------
    // Bulk import

    /// Imports a file of `kind` records (see [`import`] for the rules). Bad rows go to
    /// `on_error` as they are found; the summary keeps the first few.
    pub async fn import(
        &self,
        actor: Actor,
        kind: RecordKind,
        format: Format,
        reader: impl std::io::Read + Send,
        options: ImportOptions,
        on_error: &mut (dyn FnMut(&RowError) + Send),
    ) -> Result<ImportSummary, RegistryError> {
        let mut rows = import::RowReader::new(reader, format, kind)?;
        let import_id = uuid::Uuid::now_v7().to_string();
        let mut kept = Vec::new();
        let keep = options.keep_errors;
        let mut sink = |e: &RowError| {
            if kept.len() < keep {
                kept.push(e.clone());
            }
            on_error(e);
        };
        let mut tx = self.db.begin(actor).await?;
        let counts = import::run(
            &mut tx,
            kind,
            &mut rows,
            self.scheme(),
            &import_id,
            &mut sink,
        )
        .await?;
        let committed = !options.dry_run && counts.errors == 0;
        if committed {
            tx.record(
                "registry.import",
                format!("registry:{}", kind.as_str()),
                serde_json::json!({ "import": import_id, "format": format, "counts": counts }),
            );
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(ImportSummary {
            kind,
            dry_run: options.dry_run,
            committed,
            counts,
            errors: kept,
            import_id,
        })
    }
}

fn person_refs(data: &PersonData) -> Vec<(&'static store::Table, Vec<String>, &'static str)> {
    vec![
        (
            &PEOPLE,
            data.parents.iter().map(|p| p.to_string()).collect(),
            "parents",
        ),
        (
            &PEOPLE,
            data.spouse.iter().map(|p| p.to_string()).collect(),
            "spouse",
        ),
    ]
}

/// at, action, actor agency, purpose, detail.
type LogRow = (i64, String, Option<String>, Option<String>, String);

type RuleRow = (String, String, String, String, String, i64);

fn rule_from_row(row: RuleRow) -> Result<SharingRule, RegistryError> {
    let (id, agency, purpose, fields, legal_basis, created_at) = row;
    Ok(SharingRule {
        id: id.parse().map_err(corrupt)?,
        agency,
        purpose,
        fields: parse_json(&fields)?,
        legal_basis,
        created_at: Timestamp::from_micros(created_at),
    })
}

async fn rules_for(
    tx: &mut Tx,
    agency: &str,
    purpose: &str,
) -> Result<Vec<SharingRule>, RegistryError> {
    let rows: Vec<RuleRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, agency_code, purpose, fields, legal_basis, created_at FROM registry_sharing_rules \
         WHERE agency_code = $1 AND purpose = $2 AND revoked_at IS NULL"
    )
    .bind(agency)
    .bind(purpose)
    .fetch_all(c)
    .await
    })?;
    rows.into_iter().map(rule_from_row).collect()
}

/// Exactly the asked-for fields of a person.
fn share(p: Person, fields: &BTreeSet<PersonField>) -> SharedPerson {
    let has = |f| fields.contains(&f);
    let d = p.data;
    SharedPerson {
        subject: p.id,
        national_id: has(PersonField::NationalId).then_some(d.national_id),
        name_local: has(PersonField::NameLocal).then_some(d.name_local),
        name_latin: has(PersonField::NameLatin).then_some(d.name_latin),
        birth_date: has(PersonField::BirthDate).then_some(d.birth_date),
        sex: has(PersonField::Sex).then_some(d.sex),
        nationality: has(PersonField::Nationality).then_some(d.nationality),
        address: has(PersonField::Address).then_some(d.address),
        family: has(PersonField::Family).then_some(Family {
            parents: d.parents,
            spouse: d.spouse,
            children: p.children,
        }),
        status: has(PersonField::Status).then_some(d.status),
        status_date: if has(PersonField::Status) {
            d.status_date
        } else {
            None
        },
    }
}
