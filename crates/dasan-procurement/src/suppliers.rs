//! Suppliers: businesses of the business registry registered once for procurement, with
//! categories, licences, authorised bidders, bank account, category alerts and debarments.

use dasan_identity::{AccountId, AccountKind, Permission, Principal, Scope};
use dasan_kernel::{FieldError, Timestamp, define_id};
use dasan_registry::{BusinessId, BusinessStatus};
use dasan_store::{Tx, TxConn, on_reader, on_tx};
use serde::{Deserialize, Serialize};

use crate::error::{ProcurementError, corrupt, invalid};
use crate::notice::{TenderNotice, category_index, category_prefix, classification, clean_text};
use crate::service::{Procurement, from_json, to_json};

define_id!(
    /// Identifies a debarment decision.
    DebarmentId
);

define_id!(
    /// Identifies a category alert.
    AlertId
);

/// A licence the supplier holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    /// What it licenses (`construction.general`, `security.guarding`): tenders require kinds.
    pub kind: String,
    pub number: String,
    pub issuer: String,
    pub valid_until: Option<Timestamp>,
}

/// Where payments go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankAccount {
    pub bank: String,
    pub account_number: String,
    pub holder: String,
}

/// What a business adds when it registers as a supplier (the rest comes from the registry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierDetails {
    /// CPV (`cpv:45233120`) or UNSPSC (`unspsc:43211500`) codes.
    pub categories: Vec<String>,
    pub licences: Vec<Licence>,
    pub bank_account: BankAccount,
    /// Where tender notices (amendments, answers, openings) are sent.
    pub contact_email: String,
}

/// A debarment decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Debarment {
    pub id: DebarmentId,
    pub agency: String,
    pub starts_at: Timestamp,
    pub ends_at: Option<Timestamp>,
    pub reason: String,
    pub lifted_at: Option<Timestamp>,
    pub lift_reason: Option<String>,
}

impl Debarment {
    /// Whether it bars bidding at `at`.
    pub fn in_force(&self, at: Timestamp) -> bool {
        self.lifted_at.is_none_or(|l| l > at)
            && self.starts_at <= at
            && self.ends_at.is_none_or(|e| at < e)
    }
}

/// A registered supplier, with its registry facts as of now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Supplier {
    pub business_id: BusinessId,
    pub name: String,
    pub registration_number: String,
    pub registry_status: BusinessStatus,
    pub details: SupplierDetails,
    pub registered_at: Timestamp,
    pub version: i64,
    pub debarments: Vec<Debarment>,
}

fn check_details(d: &mut SupplierDetails) -> Vec<FieldError> {
    let mut e = Vec::new();
    if d.categories.is_empty() || d.categories.len() > 200 {
        e.push(FieldError::new(
            "categories",
            "procurement-error-categories",
        ));
    }
    for (i, c) in d.categories.iter_mut().enumerate() {
        match classification(c) {
            Some(code) => *c = code,
            None => e.push(FieldError::new(
                format!("categories[{i}]"),
                "procurement-error-classification",
            )),
        }
    }
    d.categories.sort();
    d.categories.dedup();
    for (i, l) in d.licences.iter_mut().enumerate() {
        for (name, v) in [
            ("kind", &mut l.kind),
            ("number", &mut l.number),
            ("issuer", &mut l.issuer),
        ] {
            match clean_text(v, 200) {
                Some(t) => *v = t,
                None => e.push(FieldError::new(
                    format!("licences[{i}].{name}"),
                    "procurement-error-text",
                )),
            }
        }
    }
    let b = &mut d.bank_account;
    for (name, v) in [
        ("bank", &mut b.bank),
        ("account_number", &mut b.account_number),
        ("holder", &mut b.holder),
    ] {
        match clean_text(v, 200) {
            Some(t) => *v = t,
            None => e.push(FieldError::new(
                format!("bank_account.{name}"),
                "procurement-error-text",
            )),
        }
    }
    if !b
        .account_number
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ' ')
    {
        e.push(FieldError::new(
            "bank_account.account_number",
            "procurement-error-account-number",
        ));
    }
    match dasan_identity::normalise_email(&d.contact_email) {
        Ok(m) => d.contact_email = m,
        Err(_) => e.push(FieldError::new("contact_email", "procurement-error-email")),
    }
    e
}

type DebarmentRow = (
    String,
    String,
    i64,
    Option<i64>,
    String,
    Option<i64>,
    Option<String>,
);

fn debarment_from(r: DebarmentRow) -> Result<Debarment, ProcurementError> {
    Ok(Debarment {
        id: r.0.parse().map_err(|_| corrupt("debarment id"))?,
        agency: r.1,
        starts_at: Timestamp::from_micros(r.2),
        ends_at: r.3.map(Timestamp::from_micros),
        reason: r.4,
        lifted_at: r.5.map(Timestamp::from_micros),
        lift_reason: r.6,
    })
}

const DEBARMENT_COLUMNS: &str = "SELECT id, agency, starts_at, ends_at, reason, lifted_at, lift_reason \
     FROM procurement_debarments WHERE business_id = $1 ORDER BY starts_at, id";

/// What a bid submission needs to know about the supplier, read inside its transaction.
pub(crate) struct SupplierFacts {
    pub details: SupplierDetails,
    pub debarments: Vec<Debarment>,
}

pub(crate) async fn lock_supplier_facts(
    tx: &mut Tx,
    business: &str,
) -> Result<Option<SupplierFacts>, ProcurementError> {
    // The supplier and its debarments in one round trip (every bid pays for this): one row per
    // debarment, the supplier's columns repeated, or one row with no debarment.
    macro_rules! select {
        ($lock:literal) => {
            concat!(
                "SELECT s.categories, s.licences, s.bank_account, s.contact_email, \
                 d.id, d.agency, d.starts_at, d.ends_at, d.reason, d.lifted_at, d.lift_reason \
                 FROM procurement_suppliers s \
                 LEFT JOIN procurement_debarments d ON d.business_id = s.business_id \
                 WHERE s.business_id = $1 ORDER BY d.starts_at, d.id",
                $lock
            )
        };
    }
    type Row = (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<String>,
    );
    // Locked: a supplier's submissions queue on its row (replacing its active bid is
    // read-then-write). SQLite has no row locks: its writers are serialised anyway.
    let rows: Vec<Row> = match tx.conn() {
        TxConn::Postgres(c) => sqlx::query_as(select!(" FOR NO KEY UPDATE OF s"))
            .bind(business)
            .fetch_all(&mut **c)
            .await
            .map_err(dasan_store::StoreError::from_sqlx)?,
        _ => on_tx!(tx, |c| sqlx::query_as(select!(""))
            .bind(business)
            .fetch_all(c)
            .await)?,
    };
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let details = SupplierDetails {
        categories: from_json(&first.0)?,
        licences: from_json(&first.1)?,
        bank_account: from_json(&first.2)?,
        contact_email: first.3.clone(),
    };
    let debarments = rows
        .into_iter()
        .filter_map(|r| match (r.4, r.5, r.6, r.8) {
            (Some(id), Some(agency), Some(starts_at), Some(reason)) => Some(debarment_from((
                id, agency, starts_at, r.7, reason, r.9, r.10,
            ))),
            _ => None,
        })
        .collect::<Result<_, _>>()?;
    Ok(Some(SupplierFacts {
        details,
        debarments,
    }))
}

/// The eligibility rules of a bid, in order: registered, not debarred at `at`, invited (for
/// restricted and limited tenders), in a required category, holding every required licence
/// valid at the deadline.
pub(crate) fn check_eligibility(
    business: &str,
    facts: Option<&SupplierFacts>,
    notice: &TenderNotice,
    at: Timestamp,
) -> Result<(), ProcurementError> {
    let facts = facts.ok_or(ProcurementError::NotRegistered)?;
    if let Some(d) = facts.debarments.iter().find(|d| d.in_force(at)) {
        return Err(ProcurementError::Debarred {
            from: d.starts_at,
            until: d.ends_at,
            reason: d.reason.clone(),
        });
    }
    if notice.method != crate::notice::Method::Open && !notice.invited.iter().any(|b| b == business)
    {
        return Err(ProcurementError::NotEligible("the tender is by invitation"));
    }
    let cats = &notice.eligibility.categories;
    if !cats.is_empty()
        && !facts.details.categories.iter().any(|code| {
            cats.iter()
                .any(|prefix| crate::notice::in_category(code, prefix))
        })
    {
        return Err(ProcurementError::NotEligible(
            "the supplier is not registered in a required category",
        ));
    }
    let deadline = notice.timeline.bid_deadline;
    for kind in &notice.eligibility.licences {
        let ok = facts
            .details
            .licences
            .iter()
            .any(|l| &l.kind == kind && l.valid_until.is_none_or(|until| until >= deadline));
        if !ok {
            return Err(ProcurementError::NotEligible(
                "the supplier lacks a required licence",
            ));
        }
    }
    Ok(())
}

impl Procurement {
    /// Registers a business as a supplier, once: its name, number and standing come from the
    /// business registry; the caller (its representative or staff) adds what only it knows.
    pub async fn register_supplier(
        &self,
        principal: &Principal,
        business: BusinessId,
        mut details: SupplierDetails,
    ) -> Result<(), ProcurementError> {
        if !dasan_identity::business::acts_for(&self.registry, principal, business).await? {
            return Err(ProcurementError::Forbidden("not acting for this business"));
        }
        let found = self
            .registry
            .business(business)
            .await?
            .ok_or(ProcurementError::NotFound)?;
        if found.data.status != BusinessStatus::Active {
            return Err(ProcurementError::BusinessNotActive(
                found.data.status.as_str(),
            ));
        }
        let errors = check_details(&mut details);
        if !errors.is_empty() {
            return Err(ProcurementError::Invalid(errors));
        }
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let now = tx.now().as_micros();
        let id = business.to_string();
        let inserted = on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_suppliers (business_id, categories, category_index, licences, bank_account, \
                contact_email, registered_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 1) \
             ON CONFLICT (business_id) DO NOTHING"
        )
        .bind(&id)
        .bind(to_json(&details.categories)?)
        .bind(category_index(details.categories.iter().map(String::as_str)))
        .bind(to_json(&details.licences)?)
        .bind(to_json(&details.bank_account)?)
        .bind(&details.contact_email)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        if inserted == 0 {
            return Err(ProcurementError::AlreadyRegistered);
        }
        tx.record(
            "procurement.supplier.register",
            format!("supplier:{id}"),
            serde_json::json!({
                "registration_number": found.data.registration_number,
                "registry_version": found.version,
                "categories": details.categories,
                "licences": details.licences.iter().map(|l| &l.kind).collect::<Vec<_>>(),
            }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// Changes what the supplier itself declared; returns the new version.
    pub async fn update_supplier(
        &self,
        principal: &Principal,
        business: BusinessId,
        mut details: SupplierDetails,
        expected_version: i64,
    ) -> Result<i64, ProcurementError> {
        if !dasan_identity::business::acts_for(&self.registry, principal, business).await? {
            return Err(ProcurementError::Forbidden("not acting for this business"));
        }
        let errors = check_details(&mut details);
        if !errors.is_empty() {
            return Err(ProcurementError::Invalid(errors));
        }
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let now = tx.now().as_micros();
        let id = business.to_string();
        let n = on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE procurement_suppliers SET categories = $2, category_index = $3, licences = $4, \
                bank_account = $5, contact_email = $6, updated_at = $7, version = version + 1 \
             WHERE business_id = $1 AND version = $8"
        )
        .bind(&id)
        .bind(to_json(&details.categories)?)
        .bind(category_index(details.categories.iter().map(String::as_str)))
        .bind(to_json(&details.licences)?)
        .bind(to_json(&details.bank_account)?)
        .bind(&details.contact_email)
        .bind(now)
        .bind(expected_version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        if n == 0 {
            return Err(ProcurementError::Transition {
                action: "update",
                status: "changed by someone else, or not registered".into(),
            });
        }
        tx.record(
            "procurement.supplier.update",
            format!("supplier:{id}"),
            serde_json::json!({ "version": expected_version + 1, "categories": details.categories }),
        );
        tx.commit().await?;
        Ok(expected_version + 1)
    }

    /// The supplier with its registry facts as of now, if registered.
    pub async fn supplier(&self, business: BusinessId) -> Result<Supplier, ProcurementError> {
        let id = business.to_string();
        let row: Option<(String, String, String, String, i64, i64)> = on_reader!(self.db, |p| {
            sqlx::query_as(
                "SELECT categories, licences, bank_account, contact_email, registered_at, version \
                 FROM procurement_suppliers WHERE business_id = $1",
            )
            .bind(&id)
            .fetch_optional(p)
            .await
        })?;
        let (categories, licences, bank, email, registered_at, version) =
            row.ok_or(ProcurementError::NotFound)?;
        let found = self
            .registry
            .business(business)
            .await?
            .ok_or(ProcurementError::NotFound)?;
        let rows: Vec<DebarmentRow> = on_reader!(self.db, |p| sqlx::query_as(DEBARMENT_COLUMNS)
            .bind(&id)
            .fetch_all(p)
            .await)?;
        Ok(Supplier {
            business_id: business,
            name: found.data.name,
            registration_number: found.data.registration_number,
            registry_status: found.data.status,
            details: SupplierDetails {
                categories: from_json(&categories)?,
                licences: from_json(&licences)?,
                bank_account: from_json(&bank)?,
                contact_email: email,
            },
            registered_at: Timestamp::from_micros(registered_at),
            version,
            debarments: rows
                .into_iter()
                .map(debarment_from)
                .collect::<Result<_, _>>()?,
        })
    }

    /// The agency in which the principal may debar suppliers (`procurement.manage` there), as
    /// [`Procurement::debar`] checks it.
    pub fn debarring_agency(&self, principal: &Principal) -> Result<String, ProcurementError> {
        let agency = principal
            .agency
            .clone()
            .ok_or(ProcurementError::Forbidden("only officials debar"))?;
        principal
            .require(Permission::ProcurementManage, Scope::Agency(&agency))
            .map_err(|_| ProcurementError::Forbidden("procurement.manage in the agency"))?;
        Ok(agency)
    }

    /// The registered supplier with this business registration number, for a procuring
    /// official (`Forbidden` for anyone else; `NotFound` when no registered supplier has it).
    pub async fn supplier_by_number_for_official(
        &self,
        principal: &Principal,
        number: &str,
    ) -> Result<Supplier, ProcurementError> {
        self.debarring_agency(principal)?;
        let business = self
            .registry
            .business_by_number(number)
            .await?
            .ok_or(ProcurementError::NotFound)?;
        self.supplier(business.id).await
    }

    /// The supplier as a procuring official sees it before debarring it or lifting a
    /// debarment: the same check as [`Procurement::debar`] (`procurement.manage` in their
    /// agency), `NotFound` for anyone else.
    pub async fn supplier_for_official(
        &self,
        principal: &Principal,
        business: BusinessId,
    ) -> Result<Supplier, ProcurementError> {
        self.debarring_agency(principal)
            .map_err(|_| ProcurementError::NotFound)?;
        self.supplier(business).await
    }

    /// The business's representative authorises one of its business users (or themself) to
    /// bid, with the public key (DER SubjectPublicKeyInfo) their client signs bids with, if any.
    pub async fn authorise_bidder(
        &self,
        principal: &Principal,
        business: BusinessId,
        account: AccountId,
        signing_spki: Option<&[u8]>,
    ) -> Result<(), ProcurementError> {
        dasan_identity::business::as_representative(&self.registry, principal, business)
            .await
            .map_err(|_| {
                ProcurementError::Forbidden("only the representative authorises bidders")
            })?;
        if account != principal.account {
            let staff =
                dasan_identity::business::staff(&self.db, &self.registry, principal, business)
                    .await?;
            if !staff.iter().any(|s| s.id == account) {
                return Err(invalid("account", "procurement-error-not-staff"));
            }
        }
        if let Some(spki) = signing_spki {
            let kind = dasan_crypto::verify::spki_key_kind(spki)
                .map_err(|_| invalid("signing_key", "procurement-error-signing-key"))?;
            if !matches!(
                kind,
                dasan_crypto::algorithm::KeyKind::Ed25519 | dasan_crypto::algorithm::KeyKind::P256
            ) {
                return Err(invalid("signing_key", "procurement-error-signing-key"));
            }
        }
        let spki_hex = signing_spki.map(hex::encode);
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let now = tx.now().as_micros();
        let (bid, acc) = (business.to_string(), account.to_string());
        let registered: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT version FROM procurement_suppliers WHERE business_id = $1"
        )
        .bind(&bid)
        .fetch_optional(c)
        .await)?;
        if registered.is_none() {
            return Err(ProcurementError::NotRegistered);
        }
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_bidders (business_id, account_id, signing_spki, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (business_id, account_id) DO UPDATE SET signing_spki = $3, added_at = $4, removed_at = NULL"
        )
        .bind(&bid)
        .bind(&acc)
        .bind(&spki_hex)
        .bind(now)
        .execute(c)
        .await
        .map(drop)
        })?;
        tx.record(
            "procurement.bidder.authorise",
            format!("supplier:{bid}"),
            serde_json::json!({ "account": acc, "signing_key": spki_hex }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// The representative withdraws a bidder's authority.
    pub async fn remove_bidder(
        &self,
        principal: &Principal,
        business: BusinessId,
        account: AccountId,
    ) -> Result<(), ProcurementError> {
        dasan_identity::business::as_representative(&self.registry, principal, business)
            .await
            .map_err(|_| ProcurementError::Forbidden("only the representative removes bidders"))?;
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let now = tx.now().as_micros();
        let (bid, acc) = (business.to_string(), account.to_string());
        let n = on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE procurement_bidders SET removed_at = $3 WHERE business_id = $1 AND account_id = $2 AND removed_at IS NULL"
        )
        .bind(&bid)
        .bind(&acc)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        if n == 0 {
            return Err(ProcurementError::NotFound);
        }
        tx.record(
            "procurement.bidder.remove",
            format!("supplier:{bid}"),
            serde_json::json!({ "account": acc }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// The submitting principal's registered signing key (hex SPKI) if they may bid for
    /// `business`: acting for it, and an authorised bidder of it.
    pub(crate) async fn bidder_key(
        &self,
        principal: &Principal,
        business: BusinessId,
    ) -> Result<Option<String>, ProcurementError> {
        Ok(self.bidder(principal, business).await?.key)
    }

    /// [`Self::bidder_key`], with the registry's record of the business when deciding read it.
    pub(crate) async fn bidder(
        &self,
        principal: &Principal,
        business: BusinessId,
    ) -> Result<BidderCheck, ProcurementError> {
        use dasan_identity::business::{ActingFor, acting_for};
        if !matches!(principal.kind, AccountKind::Business | AccountKind::Citizen) {
            return Err(ProcurementError::Forbidden("not acting for this business"));
        }
        let record = match acting_for(&self.registry, principal, business).await? {
            ActingFor::No => {
                return Err(ProcurementError::Forbidden("not acting for this business"));
            }
            ActingFor::Staff => None,
            ActingFor::Representative(found) => Some(*found),
        };
        let row: Option<Option<String>> = on_reader!(self.db, |p| {
            sqlx::query_scalar(
            "SELECT signing_spki FROM procurement_bidders WHERE business_id = $1 AND account_id = $2 AND removed_at IS NULL"
        )
        .bind(business.to_string())
        .bind(principal.account.to_string())
        .fetch_optional(p)
        .await
        })?;
        match row {
            Some(key) => Ok(BidderCheck { key, record }),
            None => {
                // Say "not registered" rather than "not authorised" when that is the reason.
                let registered: Option<i64> = on_reader!(self.db, |p| sqlx::query_scalar(
                    "SELECT version FROM procurement_suppliers WHERE business_id = $1"
                )
                .bind(business.to_string())
                .fetch_optional(p)
                .await)?;
                Err(match registered {
                    None => ProcurementError::NotRegistered,
                    Some(_) => ProcurementError::Forbidden("not an authorised bidder"),
                })
            }
        }
    }

    /// An official of a procuring entity debars a supplier from `starts_at` until `ends_at`
    /// (`None`: until lifted), for a stated reason.
    pub async fn debar(
        &self,
        principal: &Principal,
        business: BusinessId,
        starts_at: Timestamp,
        ends_at: Option<Timestamp>,
        reason: &str,
    ) -> Result<DebarmentId, ProcurementError> {
        let agency = principal
            .agency
            .clone()
            .ok_or(ProcurementError::Forbidden("only officials debar"))?;
        principal.require(Permission::ProcurementManage, Scope::Agency(&agency))?;
        let reason =
            clean_text(reason, 2000).ok_or_else(|| invalid("reason", "procurement-error-text"))?;
        if ends_at.is_some_and(|e| e <= starts_at) {
            return Err(invalid("ends_at", "procurement-error-timeline-order"));
        }
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let now = tx.now().as_micros();
        let bid = business.to_string();
        let registered: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT version FROM procurement_suppliers WHERE business_id = $1"
        )
        .bind(&bid)
        .fetch_optional(c)
        .await)?;
        if registered.is_none() {
            return Err(ProcurementError::NotRegistered);
        }
        let id = DebarmentId::new();
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_debarments (id, business_id, agency, starts_at, ends_at, reason, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(id.to_string())
        .bind(&bid)
        .bind(&agency)
        .bind(starts_at.as_micros())
        .bind(ends_at.map(Timestamp::as_micros))
        .bind(&reason)
        .bind(now)
        .execute(c)
        .await
        .map(drop)
        })?;
        tx.record(
            "procurement.supplier.debar",
            format!("supplier:{bid}"),
            serde_json::json!({
                "debarment": id, "agency": agency, "starts_at": starts_at, "ends_at": ends_at, "reason": reason,
            }),
        );
        tx.commit().await?;
        Ok(id)
    }

    /// Lifts a debarment early, for a stated reason (an official of the agency that decided it).
    pub async fn lift_debarment(
        &self,
        principal: &Principal,
        id: DebarmentId,
        reason: &str,
    ) -> Result<(), ProcurementError> {
        let agency = principal.agency.clone().ok_or(ProcurementError::Forbidden(
            "only officials lift debarments",
        ))?;
        principal.require(Permission::ProcurementManage, Scope::Agency(&agency))?;
        let reason =
            clean_text(reason, 2000).ok_or_else(|| invalid("reason", "procurement-error-text"))?;
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let now = tx.now().as_micros();
        let n = on_tx!(tx, |c| sqlx::query(
            "UPDATE procurement_debarments SET lifted_at = $3, lift_reason = $4 \
             WHERE id = $1 AND agency = $2 AND lifted_at IS NULL"
        )
        .bind(id.to_string())
        .bind(&agency)
        .bind(now)
        .bind(&reason)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(ProcurementError::NotFound);
        }
        tx.record(
            "procurement.supplier.debarment_lift",
            format!("debarment:{id}"),
            serde_json::json!({ "reason": reason }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// Asks for an e-mail to `email` whenever a tender is published under `category` (a code
    /// prefix such as `cpv:45`).
    pub async fn add_alert(
        &self,
        principal: &Principal,
        business: BusinessId,
        category: &str,
        email: &str,
    ) -> Result<AlertId, ProcurementError> {
        if !dasan_identity::business::acts_for(&self.registry, principal, business).await? {
            return Err(ProcurementError::Forbidden("not acting for this business"));
        }
        let category = category_prefix(category)
            .ok_or_else(|| invalid("category", "procurement-error-classification"))?;
        let email = dasan_identity::normalise_email(email)
            .map_err(|_| invalid("email", "procurement-error-email"))?;
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let now = tx.now().as_micros();
        let id = AlertId::new();
        let bid = business.to_string();
        let registered: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT version FROM procurement_suppliers WHERE business_id = $1"
        )
        .bind(&bid)
        .fetch_optional(c)
        .await)?;
        if registered.is_none() {
            return Err(ProcurementError::NotRegistered);
        }
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_alerts (id, business_id, category, email, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (business_id, category, email) DO NOTHING"
        )
        .bind(id.to_string())
        .bind(&bid)
        .bind(&category)
        .bind(&email)
        .bind(now)
        .execute(c)
        .await
        .map(drop)
        })?;
        tx.record(
            "procurement.alert.add",
            format!("supplier:{bid}"),
            serde_json::json!({ "category": category }),
        );
        tx.commit().await?;
        Ok(id)
    }
}

/// An authorised bidder of a supplier, as its representative sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bidder {
    pub account: AccountId,
    /// Whether a signing key is registered (bids sealed on the bidder's own machine).
    pub has_signing_key: bool,
    pub added_at: Timestamp,
}

impl Procurement {
    /// The supplier's current authorised bidders (its representative only).
    pub async fn bidders(
        &self,
        principal: &Principal,
        business: BusinessId,
    ) -> Result<Vec<Bidder>, ProcurementError> {
        dasan_identity::business::as_representative(&self.registry, principal, business)
            .await
            .map_err(|_| ProcurementError::NotFound)?;
        let rows: Vec<(String, Option<String>, i64)> = on_reader!(self.db, |p| {
            sqlx::query_as(
                "SELECT account_id, signing_spki, added_at FROM procurement_bidders \
                 WHERE business_id = $1 AND removed_at IS NULL ORDER BY added_at, account_id",
            )
            .bind(business.to_string())
            .fetch_all(p)
            .await
        })?;
        rows.into_iter()
            .map(|(account, spki, added_at)| {
                Ok(Bidder {
                    account: account.parse().map_err(|_| corrupt("account id"))?,
                    has_signing_key: spki.is_some(),
                    added_at: Timestamp::from_micros(added_at),
                })
            })
            .collect()
    }
}

/// An authorised bidder of a business: its registered signing key (if any), and the registry's
/// record of the business when checking the bidder read it.
pub(crate) struct BidderCheck {
    pub key: Option<String>,
    pub record: Option<dasan_registry::Business>,
}
