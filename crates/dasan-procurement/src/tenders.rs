//! Tenders: publication (with the key ceremony and the reserve-seed commitment), amendments,
//! clarifications, interest, cancellation, search and category alerts.

use dasan_identity::{AccountId, AccountKind, Permission, Principal, Scope};
use dasan_kernel::{FieldError, Timestamp, define_id};
use dasan_registry::BusinessId;
use dasan_store::{Tx, on_reader, on_tx};
use serde::{Deserialize, Serialize};

use crate::error::{ProcurementError, corrupt, invalid};
use crate::keys::MemberPublicKey;
use crate::notice::{
    HOUR_US, MAX_TEXT, TenderNotice, category_index, category_prefix, clean_text, hour_of,
    in_category,
};
use crate::service::{
    Procurement, free_hours_tx, from_json, notify_tender, release_slot, take_slot, to_json,
};
use crate::{KeyCeremony, run_key_ceremony};

define_id!(
    /// Identifies a tender (its text form is the tender id inside envelopes).
    TenderId
);

define_id!(
    /// Identifies a clarification question.
    ClarificationId
);

/// Where a tender is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderStatus {
    /// Accepting bids until the deadline.
    Published,
    /// Bid box closed and its record published; waiting for the opening.
    Closed,
    /// Opened: the opening record is published; the panel scores, the entity evaluates.
    Opened,
    /// A signed evaluation report is published (re-evaluation possible until the award).
    Evaluated,
    /// The award is notified: in standstill, suspended by a complaint, or final (see
    /// [`crate::Award`]).
    Awarded,
    Cancelled,
}

impl TenderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TenderStatus::Published => "published",
            TenderStatus::Closed => "closed",
            TenderStatus::Opened => "opened",
            TenderStatus::Evaluated => "evaluated",
            TenderStatus::Awarded => "awarded",
            TenderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<TenderStatus> {
        match s {
            "published" => Some(TenderStatus::Published),
            "closed" => Some(TenderStatus::Closed),
            "opened" => Some(TenderStatus::Opened),
            "evaluated" => Some(TenderStatus::Evaluated),
            "awarded" => Some(TenderStatus::Awarded),
            "cancelled" => Some(TenderStatus::Cancelled),
            _ => None,
        }
    }
}

/// What a procuring entity sends to publish a tender.
#[derive(Clone, Debug)]
pub struct PublishRequest {
    pub notice: TenderNotice,
    /// The opening committee: officials of the agency with a registered member key.
    pub committee: Vec<AccountId>,
    /// Shares needed to open (t of n, at least 2).
    pub threshold: u8,
}

/// A tender as stored. `notice` is the public view (estimated value withheld until opening
/// unless public) from [`Procurement::tender`], the full notice from
/// [`Procurement::tender_for_agency`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tender {
    pub id: TenderId,
    pub agency: String,
    pub status: TenderStatus,
    pub notice_version: i64,
    pub notice: TenderNotice,
    /// The key ceremony's public output (tender key, threshold, sealed shares).
    pub ceremony: KeyCeremony,
    /// Hex `SHA-256(seed)` of the reserve price draw, when the tender has one.
    pub seed_commitment: Option<String>,
    pub published_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub opened_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
    pub cancel_reason: Option<String>,
}

/// One version of a notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NoticeVersion {
    pub version: i64,
    /// `publication`, `amendment` or `outage_extension`.
    pub kind: String,
    pub material: bool,
    pub summary: String,
    pub bid_deadline: Timestamp,
    pub opening_at: Timestamp,
    pub created_at: Timestamp,
}

/// A question and its answer as everyone sees them: who asked is not shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Clarification {
    pub id: ClarificationId,
    pub question: String,
    pub asked_at: Timestamp,
    pub answer: Option<String>,
    pub answered_at: Option<Timestamp>,
}

/// A line of a search result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TenderSummary {
    pub id: TenderId,
    pub agency: String,
    pub title: String,
    pub method: String,
    pub status: TenderStatus,
    pub bid_deadline: Timestamp,
}

pub(crate) struct TenderRow {
    pub id: String,
    pub agency: String,
    pub status: TenderStatus,
    pub notice_version: i64,
    pub notice: TenderNotice,
    pub ceremony: KeyCeremony,
    pub threshold: u8,
    pub seed_commitment: Option<String>,
    pub sealed_seed: Option<String>,
    pub bid_box: Option<String>,
    pub published_at: i64,
    pub closed_at: Option<i64>,
    pub opened_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
}

type RawTender = (
    String,
    String,
    String,
    i64,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

pub(crate) const TENDER_COLUMNS: &str = "SELECT id, agency, status, notice_version, notice, ceremony, threshold, \
    seed_commitment, sealed_seed, bid_box, published_at, closed_at, opened_at, cancelled_at, cancel_reason \
    FROM procurement_tenders WHERE id = $1";

fn tender_from(r: RawTender) -> Result<TenderRow, ProcurementError> {
    Ok(TenderRow {
        id: r.0,
        agency: r.1,
        status: TenderStatus::parse(&r.2).ok_or_else(|| corrupt("tender status"))?,
        notice_version: r.3,
        notice: from_json(&r.4)?,
        ceremony: from_json(&r.5)?,
        threshold: u8::try_from(r.6).map_err(|_| corrupt("threshold"))?,
        seed_commitment: r.7,
        sealed_seed: r.8,
        bid_box: r.9,
        published_at: r.10,
        closed_at: r.11,
        opened_at: r.12,
        cancelled_at: r.13,
        cancel_reason: r.14,
    })
}

pub(crate) async fn tender_tx(tx: &mut Tx, id: &str) -> Result<TenderRow, ProcurementError> {
    let row: Option<RawTender> = on_tx!(tx, |c| sqlx::query_as(TENDER_COLUMNS)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    tender_from(row.ok_or(ProcurementError::NotFound)?)
}

impl TenderRow {
    fn into_tender(self, full: bool) -> Result<Tender, ProcurementError> {
        // After opening the estimated value is public.
        let notice = if full || self.opened_at.is_some() {
            self.notice
        } else {
            self.notice.public_view()
        };
        Ok(Tender {
            id: self.id.parse().map_err(|_| corrupt("tender id"))?,
            agency: self.agency,
            status: self.status,
            notice_version: self.notice_version,
            notice,
            ceremony: self.ceremony,
            seed_commitment: self.seed_commitment,
            published_at: Timestamp::from_micros(self.published_at),
            closed_at: self.closed_at.map(Timestamp::from_micros),
            opened_at: self.opened_at.map(Timestamp::from_micros),
            cancelled_at: self.cancelled_at.map(Timestamp::from_micros),
            cancel_reason: self.cancel_reason,
        })
    }
}

pub(crate) fn transition(action: &'static str, status: TenderStatus) -> ProcurementError {
    ProcurementError::Transition {
        action,
        status: status.as_str().to_owned(),
    }
}

pub(crate) fn require_manage(principal: &Principal, agency: &str) -> Result<(), ProcurementError> {
    principal
        .require(Permission::ProcurementManage, Scope::Agency(agency))
        .map_err(|_| ProcurementError::Forbidden("procurement.manage in the procuring entity"))
}

async fn insert_version(
    tx: &mut Tx,
    id: &str,
    version: i64,
    kind: &str,
    material: bool,
    summary: &str,
    notice: &TenderNotice,
) -> Result<(), ProcurementError> {
    let now = tx.now().as_micros();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO procurement_tender_versions (tender_id, version, kind, material, summary, notice, bid_deadline, opening_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(id)
    .bind(version)
    .bind(kind)
    .bind(material)
    .bind(summary)
    .bind(to_json(notice)?)
    .bind(notice.timeline.bid_deadline.as_micros())
    .bind(notice.timeline.opening_at.as_micros())
    .bind(now)
    .execute(c)
    .await
    .map(drop)
    })?;
    Ok(())
}

pub(crate) async fn update_timeline(
    tx: &mut Tx,
    id: &str,
    version: i64,
    notice: &TenderNotice,
) -> Result<(), ProcurementError> {
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE procurement_tenders SET notice = $2, notice_version = $3, title = $4, method = $5, \
            category_index = $6, clarification_deadline = $7, bid_deadline = $8, opening_at = $9 WHERE id = $1"
    )
    .bind(id)
    .bind(to_json(notice)?)
    .bind(version)
    .bind(&notice.title)
    .bind(notice.method.as_str())
    .bind(category_index(notice.categories().iter().map(String::as_str)))
    .bind(notice.timeline.clarification_deadline.as_micros())
    .bind(notice.timeline.bid_deadline.as_micros())
    .bind(notice.timeline.opening_at.as_micros())
    .execute(c)
    .await
    .map(drop)
    })?;
    Ok(())
}

pub(crate) async fn record_version(
    tx: &mut Tx,
    id: &str,
    version: i64,
    kind: &str,
    material: bool,
    summary: &str,
    notice: &TenderNotice,
) -> Result<(), ProcurementError> {
    insert_version(tx, id, version, kind, material, summary, notice).await
}

impl Procurement {
    /// An official registers their own committee key (the HPKE public key their share of
    /// every tender key they sit on is sealed to; they keep the private key).
    pub async fn register_member_key(
        &self,
        principal: &Principal,
        key: MemberPublicKey,
    ) -> Result<(), ProcurementError> {
        if principal.kind != AccountKind::Official {
            return Err(ProcurementError::Forbidden(
                "only officials sit on committees",
            ));
        }
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let now = tx.now().as_micros();
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_member_keys (account_id, public_key, registered_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id) DO UPDATE SET public_key = $2, registered_at = $3"
        )
        .bind(principal.account.to_string())
        .bind(key.to_hex())
        .bind(now)
        .execute(c)
        .await
        .map(drop)
        })?;
        tx.record(
            "procurement.member_key.register",
            format!("account:{}", principal.account),
            serde_json::json!({ "public_key": key.to_hex() }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// Publishes a tender: checks the notice, takes a place in its deadline hour (or refuses,
    /// naming the next free hours), runs the key ceremony with the committee's keys, commits to
    /// a reserve-price seed sealed to the new tender key, and mails category alerts.
    pub async fn publish(
        &self,
        principal: &Principal,
        request: PublishRequest,
    ) -> Result<TenderId, ProcurementError> {
        let agency = principal.agency.clone().ok_or(ProcurementError::Forbidden(
            "only officials publish tenders",
        ))?;
        require_manage(principal, &agency)?;
        let PublishRequest {
            mut notice,
            committee,
            threshold,
        } = request;
        let mut errors = notice.validate();
        let now = self.now();
        if notice.timeline.clarification_deadline <= now {
            errors.push(FieldError::new(
                "timeline.clarification_deadline",
                "procurement-error-in-the-past",
            ));
        }
        if !errors.is_empty() {
            return Err(ProcurementError::Invalid(errors));
        }
        crate::documents::check_listed_now(self, &agency, &notice).await?;
        // The committee: distinct officials of the agency who may manage or evaluate, each with
        // a registered key.
        let mut eligible =
            dasan_identity::admin::holders(&self.db, &agency, Permission::ProcurementManage)
                .await?;
        eligible.extend(
            dasan_identity::admin::holders(&self.db, &agency, Permission::ProcurementEvaluate)
                .await?,
        );
        let mut keys = Vec::with_capacity(committee.len());
        for (i, member) in committee.iter().enumerate() {
            if committee[..i].contains(member) || !eligible.iter().any(|(a, _)| a == member) {
                return Err(invalid(
                    &format!("committee[{i}]"),
                    "procurement-error-committee-member",
                ));
            }
            let key: Option<String> = on_reader!(self.db, |p| sqlx::query_scalar(
                "SELECT public_key FROM procurement_member_keys WHERE account_id = $1"
            )
            .bind(member.to_string())
            .fetch_optional(p)
            .await)?;
            let key = key
                .as_deref()
                .map(MemberPublicKey::from_hex)
                .transpose()
                .map_err(|_| corrupt("member key"))?
                .ok_or_else(|| {
                    invalid(&format!("committee[{i}]"), "procurement-error-member-key")
                })?;
            keys.push(key);
        }
        let id = TenderId::new();
        let id_text = id.to_string();
        let ceremony = run_key_ceremony(&id_text, threshold, &keys)?;
        let (seed_commitment, sealed_seed) = match notice.reserve_price {
            Some(_) => {
                let (seed, commitment) = crate::generate_seed();
                let sealed = crate::seed::seal_seed(&id_text, &ceremony.public_key, &seed)
                    .map_err(|e| ProcurementError::Seed(e.to_string()))?;
                // The seed itself goes out of scope here: only its sealed form is kept.
                (Some(hex::encode(commitment)), Some(hex::encode(sealed)))
            }
            None => (None, None),
        };

        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let cap = self.config.max_tenders_per_hour;
        let hour = hour_of(notice.timeline.bid_deadline);
        if !take_slot(&mut tx, hour, cap).await? {
            let next_free = free_hours_tx(&mut tx, hour, cap, 5).await?;
            return Err(ProcurementError::HourFull {
                hour: notice.timeline.bid_deadline,
                cap,
                next_free,
            });
        }
        let now = tx.now().as_micros();
        let categories = notice.categories();
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_tenders (id, agency, title, method, status, notice_version, notice, category_index, \
                clarification_deadline, bid_deadline, opening_at, threshold, ceremony, seed_commitment, sealed_seed, \
                created_by, published_at) \
             VALUES ($1, $2, $3, $4, 'published', 1, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        )
        .bind(&id_text)
        .bind(&agency)
        .bind(&notice.title)
        .bind(notice.method.as_str())
        .bind(to_json(&notice)?)
        .bind(category_index(categories.iter().map(String::as_str)))
        .bind(notice.timeline.clarification_deadline.as_micros())
        .bind(notice.timeline.bid_deadline.as_micros())
        .bind(notice.timeline.opening_at.as_micros())
        .bind(i64::from(threshold))
        .bind(to_json(&ceremony)?)
        .bind(&seed_commitment)
        .bind(&sealed_seed)
        .bind(principal.account.to_string())
        .bind(now)
        .execute(c)
        .await
        .map(drop)
        })?;
        for (i, (member, key)) in committee.iter().zip(&keys).enumerate() {
            on_tx!(tx, |c| {
                sqlx::query(
                "INSERT INTO procurement_committee (tender_id, member_index, account_id, public_key) VALUES ($1, $2, $3, $4)"
            )
            .bind(&id_text)
            .bind(i64::try_from(i + 1).unwrap_or(i64::MAX))
            .bind(member.to_string())
            .bind(key.to_hex())
            .execute(c)
            .await
            .map(drop)
            })?;
        }
        insert_version(
            &mut tx,
            &id_text,
            1,
            "publication",
            false,
            "published",
            &notice,
        )
        .await?;

        // Category alerts: one mail per address whose prefix covers one of the tender's codes.
        let alerts: Vec<(String, String)> = on_tx!(tx, |c| sqlx::query_as(
            "SELECT category, email FROM procurement_alerts ORDER BY email"
        )
        .fetch_all(c)
        .await)?;
        let mut to: Vec<String> = alerts
            .into_iter()
            .filter(|(prefix, _)| categories.iter().any(|code| in_category(code, prefix)))
            .map(|(_, email)| email)
            .collect();
        to.dedup();
        for email in &to {
            dasan_notify::enqueue(
                &mut tx,
                &dasan_notify::Email {
                    to: email.clone(),
                    subject: format!("New tender: {}", notice.title),
                    body: format!(
                        "A tender in a category you follow was published.\n\n{}\nTender {}\nBids by {}\n",
                        notice.title, id_text, notice.timeline.bid_deadline
                    ),
                },
            )
            .await?;
        }
        tx.record(
            "procurement.tender.publish",
            format!("tender:{id_text}"),
            serde_json::json!({
                "agency": agency,
                "method": notice.method.as_str(),
                "bid_deadline": notice.timeline.bid_deadline,
                "opening_at": notice.timeline.opening_at,
                "threshold": threshold,
                "committee": committee,
                "tender_public_key": ceremony.public_key.to_hex(),
                "seed_commitment": seed_commitment,
                "alerts_sent": to.len(),
            }),
        );
        tx.commit().await?;
        Ok(id)
    }

    /// The tender as the public sees it.
    pub async fn tender(&self, id: TenderId) -> Result<Tender, ProcurementError> {
        self.tender_row(&id.to_string()).await?.into_tender(false)
    }

    /// The tender with its full notice, for officials of its procuring entity.
    pub async fn tender_for_agency(
        &self,
        principal: &Principal,
        id: TenderId,
    ) -> Result<Tender, ProcurementError> {
        let row = self.tender_row(&id.to_string()).await?;
        require_manage(principal, &row.agency).map_err(|_| ProcurementError::NotFound)?;
        row.into_tender(true)
    }

    pub(crate) async fn tender_row(&self, id: &str) -> Result<TenderRow, ProcurementError> {
        let row: Option<RawTender> = on_reader!(self.db, |p| sqlx::query_as(TENDER_COLUMNS)
            .bind(id)
            .fetch_optional(p)
            .await)?;
        tender_from(row.ok_or(ProcurementError::NotFound)?)
    }

    /// Every version of the tender's notice, oldest first.
    pub async fn notice_versions(
        &self,
        id: TenderId,
    ) -> Result<Vec<NoticeVersion>, ProcurementError> {
        type Row = (i64, String, bool, String, i64, i64, i64);
        let rows: Vec<Row> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT version, kind, material, summary, bid_deadline, opening_at, created_at \
             FROM procurement_tender_versions WHERE tender_id = $1 ORDER BY version"
        )
        .bind(id.to_string())
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| NoticeVersion {
                version: r.0,
                kind: r.1,
                material: r.2,
                summary: r.3,
                bid_deadline: Timestamp::from_micros(r.4),
                opening_at: Timestamp::from_micros(r.5),
                created_at: Timestamp::from_micros(r.6),
            })
            .collect())
    }

    /// Amends a published tender before its deadline: a new notice version; every interested
    /// or bidding supplier is told. A `material` amendment moves the deadline by the tender's
    /// own [`crate::notice::AmendmentRule`] (to the first hour with room at or after it), and the
    /// opening time with it. The committee, threshold, lots already offered and the reserve
    /// price rule cannot change (keys and seed are committed).
    pub async fn amend(
        &self,
        principal: &Principal,
        id: TenderId,
        mut notice: TenderNotice,
        material: bool,
        summary: &str,
    ) -> Result<i64, ProcurementError> {
        let summary = clean_text(summary, MAX_TEXT)
            .ok_or_else(|| invalid("summary", "procurement-error-text"))?;
        let mut errors = notice.validate();
        if !errors.is_empty() {
            return Err(ProcurementError::Invalid(std::mem::take(&mut errors)));
        }
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let id_text = id.to_string();
        let row = tender_tx(&mut tx, &id_text).await?;
        require_manage(principal, &row.agency)?;
        let now = tx.now();
        if row.status != TenderStatus::Published {
            return Err(transition("amend", row.status));
        }
        crate::documents::check_listed(&mut tx, &row.agency, &notice).await?;
        let old = &row.notice;
        if now >= old.timeline.bid_deadline {
            return Err(ProcurementError::DeadlinePassed {
                deadline: old.timeline.bid_deadline,
                received: now,
            });
        }
        if old.reserve_price != notice.reserve_price {
            errors.push(FieldError::new(
                "reserve_price",
                "procurement-error-reserve-fixed",
            ));
        }
        let new_lots = notice.lot_ids();
        if old.lot_ids().iter().any(|l| !new_lots.contains(l)) {
            errors.push(FieldError::new("lots", "procurement-error-lot-removed"));
        }
        let cap = self.config.max_tenders_per_hour;
        let old_deadline = old.timeline.bid_deadline;
        let mut deadline = if material {
            old.amendment_rule
                .extended_deadline(now, notice.timeline.bid_deadline.max(old_deadline))
        } else {
            notice.timeline.bid_deadline
        };
        if deadline <= now {
            errors.push(FieldError::new(
                "timeline.bid_deadline",
                "procurement-error-in-the-past",
            ));
        }
        if !errors.is_empty() {
            return Err(ProcurementError::Invalid(errors));
        }
        if hour_of(deadline) != hour_of(old_deadline) {
            release_slot(&mut tx, hour_of(old_deadline)).await?;
            if !take_slot(&mut tx, hour_of(deadline), cap).await? {
                let free = free_hours_tx(&mut tx, hour_of(deadline), cap, 5).await?;
                match (material, free.first()) {
                    // A material amendment takes the first hour with room.
                    (true, Some(first)) => {
                        deadline = *first;
                        if !take_slot(&mut tx, hour_of(deadline), cap).await? {
                            return Err(corrupt("a free hour was taken"));
                        }
                    }
                    _ => {
                        return Err(ProcurementError::HourFull {
                            hour: deadline,
                            cap,
                            next_free: free,
                        });
                    }
                }
            }
        }
        let moved = deadline.as_micros() - notice.timeline.bid_deadline.as_micros();
        notice.timeline.bid_deadline = deadline;
        if notice.timeline.opening_at < deadline || moved > 0 {
            let gap = (old.timeline.opening_at.as_micros() - old_deadline.as_micros()).max(0);
            notice.timeline.opening_at = Timestamp::from_micros(
                notice
                    .timeline
                    .opening_at
                    .as_micros()
                    .max(deadline.as_micros() + gap),
            );
        }
        if notice.timeline.clarification_deadline >= deadline {
            return Err(invalid(
                "timeline.clarification_deadline",
                "procurement-error-timeline-order",
            ));
        }
        let version = row.notice_version + 1;
        update_timeline(&mut tx, &id_text, version, &notice).await?;
        insert_version(
            &mut tx,
            &id_text,
            version,
            "amendment",
            material,
            &summary,
            &notice,
        )
        .await?;
        let told = notify_tender(
            &mut tx,
            &id_text,
            &format!("Tender amended: {} (version {version})", notice.title),
            &format!(
                "The tender {id_text} was amended{}.\n\n{summary}\n\nBids by {} (opening {}).\n",
                if material { " (material change)" } else { "" },
                notice.timeline.bid_deadline,
                notice.timeline.opening_at
            ),
        )
        .await?;
        tx.record(
            "procurement.tender.amend",
            format!("tender:{id_text}"),
            serde_json::json!({
                "version": version,
                "material": material,
                "summary": summary,
                "bid_deadline": notice.timeline.bid_deadline,
                "previous_bid_deadline": old_deadline,
                "opening_at": notice.timeline.opening_at,
                "suppliers_told": told,
            }),
        );
        tx.commit().await?;
        Ok(version)
    }

    /// Cancels a tender with a reason — before or after opening, after evaluation, or during
    /// the award's standstill (not once the award is final); bidders and interested suppliers
    /// are told, and a deadline hour still held is freed.
    pub async fn cancel(
        &self,
        principal: &Principal,
        id: TenderId,
        reason: &str,
    ) -> Result<(), ProcurementError> {
        let reason = clean_text(reason, MAX_TEXT)
            .ok_or_else(|| invalid("reason", "procurement-error-text"))?;
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let id_text = id.to_string();
        let row = tender_tx(&mut tx, &id_text).await?;
        require_manage(principal, &row.agency)?;
        if row.status == TenderStatus::Cancelled {
            return Err(transition("cancel", row.status));
        }
        if row.status == TenderStatus::Awarded {
            // A final award stands: the contract follows; cancelling is for before that.
            let status: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
                "SELECT status FROM procurement_awards WHERE tender_id = $1"
            )
            .bind(&id_text)
            .fetch_optional(c)
            .await)?;
            if status.as_deref() == Some("final") {
                return Err(ProcurementError::Transition {
                    action: "cancel",
                    status: "awarded (final)".into(),
                });
            }
            crate::awards::cancel_award_tx(&mut tx, &id_text, &reason).await?;
        }
        let now = tx.now().as_micros();
        on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE procurement_tenders SET status = 'cancelled', cancelled_at = $2, cancel_reason = $3 WHERE id = $1"
        )
        .bind(&id_text)
        .bind(now)
        .bind(&reason)
        .execute(c)
        .await
        .map(drop)
        })?;
        if row.status == TenderStatus::Published {
            release_slot(&mut tx, hour_of(row.notice.timeline.bid_deadline)).await?;
        }
        let told = notify_tender(
            &mut tx,
            &id_text,
            &format!("Tender cancelled: {}", row.notice.title),
            &format!("The tender {id_text} was cancelled.\n\nReason: {reason}\n"),
        )
        .await?;
        tx.record(
            "procurement.tender.cancel",
            format!("tender:{id_text}"),
            serde_json::json!({ "reason": reason, "previous_status": row.status.as_str(), "suppliers_told": told }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// A supplier says it is interested (it will be told of amendments and answers).
    pub async fn register_interest(
        &self,
        principal: &Principal,
        business: BusinessId,
        id: TenderId,
    ) -> Result<(), ProcurementError> {
        if !dasan_identity::business::acts_for(&self.registry, principal, business).await? {
            return Err(ProcurementError::Forbidden("not acting for this business"));
        }
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let id_text = id.to_string();
        let row = tender_tx(&mut tx, &id_text).await?;
        if row.status != TenderStatus::Published {
            return Err(transition("register interest", row.status));
        }
        let registered: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT version FROM procurement_suppliers WHERE business_id = $1"
        )
        .bind(business.to_string())
        .fetch_optional(c)
        .await)?;
        if registered.is_none() {
            return Err(ProcurementError::NotRegistered);
        }
        add_interest(&mut tx, &id_text, &business.to_string()).await?;
        tx.record(
            "procurement.tender.interest",
            format!("tender:{id_text}"),
            serde_json::json!({ "supplier": business }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// A supplier asks a question before the clarification deadline. Other suppliers never
    /// learn who asked; the procuring entity does.
    pub async fn ask(
        &self,
        principal: &Principal,
        business: BusinessId,
        id: TenderId,
        question: &str,
    ) -> Result<ClarificationId, ProcurementError> {
        if !dasan_identity::business::acts_for(&self.registry, principal, business).await? {
            return Err(ProcurementError::Forbidden("not acting for this business"));
        }
        let question = clean_text(question, MAX_TEXT)
            .ok_or_else(|| invalid("question", "procurement-error-text"))?;
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let id_text = id.to_string();
        let row = tender_tx(&mut tx, &id_text).await?;
        if row.status != TenderStatus::Published {
            return Err(transition("ask", row.status));
        }
        let now = tx.now();
        if now >= row.notice.timeline.clarification_deadline {
            return Err(ProcurementError::ClarificationClosed(
                row.notice.timeline.clarification_deadline,
            ));
        }
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
        let qid = ClarificationId::new();
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO procurement_clarifications (id, tender_id, business_id, question, asked_at) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(qid.to_string())
        .bind(&id_text)
        .bind(&bid)
        .bind(&question)
        .bind(now.as_micros())
        .execute(c)
        .await
        .map(drop)
        })?;
        add_interest(&mut tx, &id_text, &bid).await?;
        tx.record(
            "procurement.clarification.ask",
            format!("tender:{id_text}"),
            serde_json::json!({ "clarification": qid, "supplier": bid }),
        );
        tx.commit().await?;
        Ok(qid)
    }

    /// The procuring entity answers a question publicly; every interested supplier is told.
    pub async fn answer(
        &self,
        principal: &Principal,
        question: ClarificationId,
        answer: &str,
    ) -> Result<(), ProcurementError> {
        let answer = clean_text(answer, MAX_TEXT)
            .ok_or_else(|| invalid("answer", "procurement-error-text"))?;
        let mut tx = self.db.begin(Self::actor(principal)).await?;
        let tender: Option<(String, Option<i64>)> = on_tx!(tx, |c| sqlx::query_as(
            "SELECT tender_id, answered_at FROM procurement_clarifications WHERE id = $1"
        )
        .bind(question.to_string())
        .fetch_optional(c)
        .await)?;
        let (tender_id, answered) = tender.ok_or(ProcurementError::NotFound)?;
        let row = tender_tx(&mut tx, &tender_id).await?;
        require_manage(principal, &row.agency).map_err(|_| ProcurementError::NotFound)?;
        if answered.is_some() {
            return Err(ProcurementError::Transition {
                action: "answer",
                status: "already answered".into(),
            });
        }
        if !matches!(row.status, TenderStatus::Published) {
            return Err(transition("answer", row.status));
        }
        let now = tx.now().as_micros();
        on_tx!(tx, |c| sqlx::query(
            "UPDATE procurement_clarifications SET answer = $2, answered_at = $3 WHERE id = $1"
        )
        .bind(question.to_string())
        .bind(&answer)
        .bind(now)
        .execute(c)
        .await
        .map(drop))?;
        let told = notify_tender(
            &mut tx,
            &tender_id,
            &format!("Clarification answered: {}", row.notice.title),
            &format!("A question on tender {tender_id} was answered.\n\n{answer}\n"),
        )
        .await?;
        tx.record(
            "procurement.clarification.answer",
            format!("tender:{tender_id}"),
            serde_json::json!({ "clarification": question, "suppliers_told": told }),
        );
        tx.commit().await?;
        Ok(())
    }

    /// The tender's questions and answers as everyone sees them (no asker).
    pub async fn clarifications(
        &self,
        id: TenderId,
    ) -> Result<Vec<Clarification>, ProcurementError> {
        type Row = (String, String, i64, Option<String>, Option<i64>);
        let rows: Vec<Row> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT id, question, asked_at, answer, answered_at FROM procurement_clarifications \
             WHERE tender_id = $1 ORDER BY asked_at, id"
        )
        .bind(id.to_string())
        .fetch_all(p)
        .await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(Clarification {
                    id: r.0.parse().map_err(|_| corrupt("clarification id"))?,
                    question: r.1,
                    asked_at: Timestamp::from_micros(r.2),
                    answer: r.3,
                    answered_at: r.4.map(Timestamp::from_micros),
                })
            })
            .collect()
    }

    /// Every published tender (accepting bids), soonest deadline first, at most 100.
    pub async fn published(&self) -> Result<Vec<TenderSummary>, ProcurementError> {
        type Row = (String, String, String, String, String, i64);
        let rows: Vec<Row> = on_reader!(self.db, |p| {
            sqlx::query_as(
                "SELECT id, agency, title, method, status, bid_deadline FROM procurement_tenders \
             WHERE status = 'published' ORDER BY bid_deadline, id LIMIT 100",
            )
            .fetch_all(p)
            .await
        })?;
        summaries(rows)
    }

    /// Published tenders (accepting bids) with an item under `category` (a code prefix such as
    /// `cpv:45`), soonest deadline first, at most 100.
    pub async fn search(&self, category: &str) -> Result<Vec<TenderSummary>, ProcurementError> {
        let prefix = category_prefix(category)
            .ok_or_else(|| invalid("category", "procurement-error-classification"))?;
        // The prefix is only [a-z:0-9], so it cannot carry LIKE wildcards.
        let pattern = format!("% {prefix}%");
        type Row = (String, String, String, String, String, i64);
        let rows: Vec<Row> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT id, agency, title, method, status, bid_deadline FROM procurement_tenders \
             WHERE status = 'published' AND category_index LIKE $1 ORDER BY bid_deadline, id LIMIT 100"
        )
        .bind(&pattern)
        .fetch_all(p)
        .await
        })?;
        summaries(rows)
    }
}

pub(crate) fn summaries(
    rows: Vec<(String, String, String, String, String, i64)>,
) -> Result<Vec<TenderSummary>, ProcurementError> {
    rows.into_iter()
        .map(|r| {
            Ok(TenderSummary {
                id: r.0.parse().map_err(|_| corrupt("tender id"))?,
                agency: r.1,
                title: r.2,
                method: r.3,
                status: TenderStatus::parse(&r.4).ok_or_else(|| corrupt("tender status"))?,
                bid_deadline: Timestamp::from_micros(r.5),
            })
        })
        .collect()
}

pub(crate) async fn add_interest(
    tx: &mut Tx,
    tender: &str,
    business: &str,
) -> Result<(), ProcurementError> {
    let now = tx.now().as_micros();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO procurement_interest (tender_id, business_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (tender_id, business_id) DO NOTHING"
    )
    .bind(tender)
    .bind(business)
    .bind(now)
    .execute(c)
    .await
    .map(drop))?;
    Ok(())
}

/// Microseconds of one hour, re-exported for callers building timelines.
pub const ONE_HOUR_US: i64 = HOUR_US;

/// A committee seat of an official: the tender, their member index and whether they released.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommitteeSeat {
    pub tender: TenderSummary,
    pub member_index: u8,
    pub threshold: u8,
    pub opening_at: Timestamp,
    pub released: bool,
}

/// An official who may sit on the agency's opening committees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommitteeCandidate {
    pub account: AccountId,
    pub name: String,
    /// Whether they registered their committee key (without one they cannot be chosen).
    pub has_key: bool,
}

impl Procurement {
    /// Every tender of the official's agency, newest first (at most 200): their working list.
    pub async fn agency_tenders(
        &self,
        principal: &Principal,
    ) -> Result<Vec<TenderSummary>, ProcurementError> {
        let agency = principal
            .agency
            .clone()
            .ok_or(ProcurementError::Forbidden("only officials manage tenders"))?;
        require_manage(principal, &agency)?;
        type Row = (String, String, String, String, String, i64);
        let rows: Vec<Row> = on_reader!(self.db, |p| {
            sqlx::query_as(
                "SELECT id, agency, title, method, status, bid_deadline FROM procurement_tenders \
                 WHERE agency = $1 ORDER BY published_at DESC, id DESC LIMIT 200",
            )
            .bind(&agency)
            .fetch_all(p)
            .await
        })?;
        summaries(rows)
    }

    /// The officials of the principal's agency who may sit on its committees (procurement
    /// managers and evaluators), for the publication form.
    pub async fn committee_candidates(
        &self,
        principal: &Principal,
    ) -> Result<Vec<CommitteeCandidate>, ProcurementError> {
        let agency = principal.agency.clone().ok_or(ProcurementError::Forbidden(
            "only officials publish tenders",
        ))?;
        require_manage(principal, &agency)?;
        let mut eligible =
            dasan_identity::admin::holders(&self.db, &agency, Permission::ProcurementManage)
                .await?;
        for candidate in
            dasan_identity::admin::holders(&self.db, &agency, Permission::ProcurementEvaluate)
                .await?
        {
            if !eligible.iter().any(|(a, _)| *a == candidate.0) {
                eligible.push(candidate);
            }
        }
        let mut out = Vec::with_capacity(eligible.len());
        for (account, name) in eligible {
            out.push(CommitteeCandidate {
                has_key: self.member_key(account).await?.is_some(),
                account,
                name,
            });
        }
        Ok(out)
    }

    /// The committee key an official registered, if any.
    pub async fn member_key(
        &self,
        account: AccountId,
    ) -> Result<Option<MemberPublicKey>, ProcurementError> {
        let key: Option<String> = on_reader!(self.db, |p| sqlx::query_scalar(
            "SELECT public_key FROM procurement_member_keys WHERE account_id = $1"
        )
        .bind(account.to_string())
        .fetch_optional(p)
        .await)?;
        key.as_deref()
            .map(MemberPublicKey::from_hex)
            .transpose()
            .map_err(|_| corrupt("member key"))
    }

    /// The committees the official sits on, latest opening first (at most 200).
    pub async fn committee_seats(
        &self,
        principal: &Principal,
    ) -> Result<Vec<CommitteeSeat>, ProcurementError> {
        if principal.kind != AccountKind::Official {
            return Ok(Vec::new());
        }
        type Row = (
            String,
            String,
            String,
            String,
            String,
            i64,
            i64,
            i64,
            i64,
            i64,
        );
        let rows: Vec<Row> = on_reader!(self.db, |p| {
            sqlx::query_as(
                "SELECT t.id, t.agency, t.title, t.method, t.status, t.bid_deadline, c.member_index, \
                    t.threshold, t.opening_at, \
                    (SELECT COUNT(*) FROM procurement_share_releases r \
                     WHERE r.tender_id = t.id AND r.member_index = c.member_index) \
                 FROM procurement_committee c JOIN procurement_tenders t ON t.id = c.tender_id \
                 WHERE c.account_id = $1 ORDER BY t.opening_at DESC, t.id LIMIT 200",
            )
            .bind(principal.account.to_string())
            .fetch_all(p)
            .await
        })?;
        rows.into_iter()
            .map(|r| {
                let tender = summaries(vec![(r.0, r.1, r.2, r.3, r.4, r.5)])?
                    .pop()
                    .ok_or_else(|| corrupt("tender"))?;
                Ok(CommitteeSeat {
                    tender,
                    member_index: u8::try_from(r.6).map_err(|_| corrupt("member index"))?,
                    threshold: u8::try_from(r.7).map_err(|_| corrupt("threshold"))?,
                    opening_at: Timestamp::from_micros(r.8),
                    released: r.9 > 0,
                })
            })
            .collect()
    }
}
