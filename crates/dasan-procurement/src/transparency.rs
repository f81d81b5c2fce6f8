//! The public read side of transparency: tender search over every published tender (not only
//! the open ones), a supplier's public profile, and the red flags ([`crate::redflags`]) of the
//! platform's own data. Reads only what is public — bids and who bid only once opened, a
//! supplier's registration facts without its bank account, contact or licence numbers — so
//! none of it is audited (no personal data is read).
//!
//! Red flags are computed on read from the stored tenders and awards: simple and always
//! current, linear in the number of tenders. A deployment with hundreds of thousands of
//! tenders would keep them in a table refreshed by the worker instead.

use std::collections::HashMap;

use dasan_kernel::{FieldError, Timestamp};
use dasan_registry::{BusinessId, BusinessStatus};
use dasan_store::on_reader;
use serde::Serialize;

use crate::awards::{AwardStatus, awarded_lots};
use crate::contracts::{Contract, ContractStatus};
use crate::error::{ProcurementError, corrupt};
use crate::evaluation::EvaluationReport;
use crate::notice::category_prefix;
use crate::opening::OpeningRecord;
use crate::redflags::{
    AwardedLotFacts, EntityAward, RedFlag, RedFlagKind, TenderFacts, repeated_winners, tender_flags,
};
use crate::service::{Procurement, from_json};
use crate::suppliers::Debarment;
use crate::tenders::{TenderId, TenderStatus};

/// Results per page of a public search or list.
pub const PUBLIC_PAGE_SIZE: u32 = 20;
/// The last page a search may ask for.
pub const PUBLIC_MAX_PAGE: u32 = 1_000;
/// The longest search text, in characters.
pub const MAX_SEARCH_TEXT: usize = 100;

/// A public tender search, checked ([`TenderQuery::parse`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TenderQuery {
    /// Words of the title (case-insensitive for Latin letters).
    pub text: Option<String>,
    pub status: Option<TenderStatus>,
    /// The procuring entity's agency code.
    pub agency: Option<String>,
    /// A classification prefix (`cpv:45`).
    pub category: Option<String>,
    /// Published at or after this instant.
    pub from: Option<Timestamp>,
    /// Published before this instant.
    pub to: Option<Timestamp>,
    /// From 1.
    pub page: u32,
}

/// The raw fields of a search (query string or form), all optional text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TenderQueryText<'a> {
    pub text: Option<&'a str>,
    pub status: Option<&'a str>,
    pub agency: Option<&'a str>,
    pub category: Option<&'a str>,
    /// `YYYY-MM-DD` (UTC), inclusive.
    pub from: Option<&'a str>,
    /// `YYYY-MM-DD` (UTC), inclusive.
    pub to: Option<&'a str>,
    pub page: Option<&'a str>,
}

fn blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// A `YYYY-MM-DD` date as the UTC midnight starting it.
pub fn parse_day(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if d > days_in[(m - 1) as usize] {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y2, m2) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(Timestamp::from_micros(days * 86_400_000_000))
}

/// A page number from text: 1 when absent, refused outside `1..=PUBLIC_MAX_PAGE`.
pub fn parse_page(s: Option<&str>) -> Result<u32, FieldError> {
    match blank(s) {
        None => Ok(1),
        Some(p) => p
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=PUBLIC_MAX_PAGE).contains(n))
            .ok_or_else(|| FieldError::new("page", "transparency-error-page")),
    }
}

/// Words to search for (field `q`), if any; too long or with control characters is an error.
fn search_text(text: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let text = blank(text)?;
    if text.chars().count() > MAX_SEARCH_TEXT || text.chars().any(char::is_control) {
        errors.push(FieldError::new("q", "transparency-error-text"));
        None
    } else {
        Some(text.to_owned())
    }
}

/// An agency code (field `agency`), if any, upper-cased.
fn agency_code(code: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let a = blank(code)?;
    if a.len() <= 32 && a.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        Some(a.to_ascii_uppercase())
    } else {
        errors.push(FieldError::new("agency", "transparency-error-agency"));
        None
    }
}

/// A public contract search, checked ([`ContractQuery::parse`]): contracts both parties have
/// signed (in force, completed or terminated), newest signature first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContractQuery {
    /// Words of the tender's title (case-insensitive for Latin letters).
    pub text: Option<String>,
    /// `active`, `completed` or `terminated`.
    pub status: Option<ContractStatus>,
    /// The procuring entity's agency code.
    pub agency: Option<String>,
    /// From 1.
    pub page: u32,
}

/// The raw fields of a contract search, all optional text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContractQueryText<'a> {
    pub text: Option<&'a str>,
    pub status: Option<&'a str>,
    pub agency: Option<&'a str>,
    pub page: Option<&'a str>,
}

impl ContractQuery {
    /// Checks every field; returns each bad one (message ids in `transparency.ftl`).
    pub fn parse(t: &ContractQueryText<'_>) -> Result<ContractQuery, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut q = ContractQuery {
            text: search_text(t.text, &mut errors),
            agency: agency_code(t.agency, &mut errors),
            page: 1,
            ..ContractQuery::default()
        };
        if let Some(s) = blank(t.status) {
            match ContractStatus::parse(s).filter(|s| PUBLIC_CONTRACT_STATUSES.contains(s)) {
                Some(status) => q.status = Some(status),
                None => errors.push(FieldError::new("status", "transparency-error-status")),
            }
        }
        match parse_page(t.page) {
            Ok(p) => q.page = p,
            Err(e) => errors.push(e),
        }
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }
}

/// The statuses of a contract anyone may see (both parties have signed).
pub const PUBLIC_CONTRACT_STATUSES: [ContractStatus; 3] = [
    ContractStatus::Active,
    ContractStatus::Completed,
    ContractStatus::Terminated,
];

impl TenderQuery {
    /// Checks every field; returns each bad one (message ids in `transparency.ftl`).
    pub fn parse(t: &TenderQueryText<'_>) -> Result<TenderQuery, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut q = TenderQuery {
            page: 1,
            ..TenderQuery::default()
        };
        q.text = search_text(t.text, &mut errors);
        if let Some(s) = blank(t.status) {
            match TenderStatus::parse(s) {
                Some(status) => q.status = Some(status),
                None => errors.push(FieldError::new("status", "transparency-error-status")),
            }
        }
        q.agency = agency_code(t.agency, &mut errors);
        if let Some(c) = blank(t.category) {
            match category_prefix(c) {
                Some(p) => q.category = Some(p),
                None => errors.push(FieldError::new("category", "transparency-error-category")),
            }
        }
        if let Some(f) = blank(t.from) {
            match parse_day(f) {
                Some(day) => q.from = Some(day),
                None => errors.push(FieldError::new("from", "transparency-error-date")),
            }
        }
        if let Some(f) = blank(t.to) {
            match parse_day(f) {
                // Inclusive: up to the end of that day.
                Some(day) => q.to = Some(Timestamp::from_micros(day.as_micros() + 86_400_000_000)),
                None => errors.push(FieldError::new("to", "transparency-error-date")),
            }
        }
        if let (Some(from), Some(to)) = (q.from, q.to)
            && to <= from
        {
            errors.push(FieldError::new("to", "transparency-error-date-order"));
        }
        match parse_page(t.page) {
            Ok(p) => q.page = p,
            Err(e) => errors.push(e),
        }
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }
}

/// A tender as the public lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicTender {
    pub id: TenderId,
    pub agency: String,
    pub title: String,
    pub status: TenderStatus,
    pub published_at: Timestamp,
    pub bid_deadline: Timestamp,
}

/// One page of results and how many there are in all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicPage<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
}

impl<T> PublicPage<T> {
    /// Whether a later page has results.
    pub fn has_next(&self) -> bool {
        u64::from(self.page) * u64::from(self.page_size) < self.total
    }
}

/// A supplier's award, as public.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicAward {
    pub tender: PublicTender,
    pub lot_id: String,
    pub price_minor: u64,
    pub currency: String,
    pub status: AwardStatus,
    pub awarded_at: Timestamp,
}

/// A licence as public: what it licenses, who issued it, until when (not its number).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicLicence {
    pub kind: String,
    pub issuer: String,
    pub valid_until: Option<Timestamp>,
}

/// A supplier's public profile: registration facts only (never the bank account, contact
/// address or anyone's personal data), tenders bid once opened, awards, debarments, red flags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SupplierProfile {
    pub business_id: BusinessId,
    pub name: String,
    pub registration_number: String,
    pub registry_status: BusinessStatus,
    pub registered_at: Timestamp,
    pub categories: Vec<String>,
    pub licences: Vec<PublicLicence>,
    pub debarments: Vec<Debarment>,
    pub tenders_bid: Vec<PublicTender>,
    pub awards: Vec<PublicAward>,
    /// Flags of tenders it won, and repeated-winner flags naming it.
    pub red_flags: Vec<(PublicTender, RedFlag)>,
}

/// A bid as published after the opening.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicBid {
    pub supplier_id: String,
    pub supplier_name: String,
    /// (lot, currency, price in minor units).
    pub lots: Vec<(String, String, u64)>,
}

/// An awarded lot as published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicAwardLine {
    pub lot_id: String,
    pub supplier_id: String,
    pub supplier_name: String,
    pub price_minor: u64,
    pub currency: String,
    pub status: AwardStatus,
    pub awarded_at: Timestamp,
    pub final_at: Option<Timestamp>,
}

/// What the public page of a tender shows beyond its notice: the bids once opened, the award
/// and the red flags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TenderOutcome {
    pub bids: Option<Vec<PublicBid>>,
    pub awards: Vec<PublicAwardLine>,
    pub flags: Vec<RedFlag>,
}

/// A tender with its red flags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlaggedTender {
    pub tender: PublicTender,
    pub flags: Vec<RedFlag>,
}

type PublicRow = (String, String, String, String, i64, i64);

const PUBLIC_COLUMNS: &str = "id, agency, title, status, published_at, bid_deadline";

fn public_from(r: PublicRow) -> Result<PublicTender, ProcurementError> {
    Ok(PublicTender {
        id: r.0.parse().map_err(|_| corrupt("tender id"))?,
        agency: r.1,
        title: r.2,
        status: TenderStatus::parse(&r.3).ok_or_else(|| corrupt("tender status"))?,
        published_at: Timestamp::from_micros(r.4),
        bid_deadline: Timestamp::from_micros(r.5),
    })
}

/// `%`, `_` and `\` escaped for `LIKE … ESCAPE '\'`.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

const CONTRACT_SEARCH_WHERE: &str = "c.status IN ('active', 'completed', 'terminated') \
     AND ($1 = '' OR LOWER(t.title) LIKE $2 ESCAPE '\\') AND ($3 = '' OR c.status = $3) \
     AND ($4 = '' OR c.agency = $4)";

const SEARCH_WHERE: &str = "($1 = '' OR LOWER(title) LIKE $2 ESCAPE '\\') AND ($3 = '' OR status = $3) \
     AND ($4 = '' OR agency = $4) AND ($5 = '' OR category_index LIKE $5) \
     AND published_at >= $6 AND published_at < $7";

/// A stored award with its lots, for the flags and profiles.
struct StoredAward {
    tender: String,
    status: AwardStatus,
    awarded_at: Timestamp,
    report: EvaluationReport,
}

impl Procurement {
    /// Every published tender matching the query, newest first, one page.
    pub async fn search_public(
        &self,
        q: &TenderQuery,
    ) -> Result<PublicPage<PublicTender>, ProcurementError> {
        let text = q.text.clone().unwrap_or_default();
        let pattern = format!("%{}%", like_escape(&text.to_lowercase()));
        let status = q.status.map(|s| s.as_str()).unwrap_or_default();
        let agency = q.agency.clone().unwrap_or_default();
        // The prefix is only [a-z:0-9], so it cannot carry LIKE wildcards.
        let category = q
            .category
            .as_ref()
            .map(|c| format!("% {c}%"))
            .unwrap_or_default();
        let from = q.from.map_or(i64::MIN, Timestamp::as_micros);
        let to = q.to.map_or(i64::MAX, Timestamp::as_micros);
        let page = q.page.clamp(1, PUBLIC_MAX_PAGE);
        let offset = i64::from(page - 1) * i64::from(PUBLIC_PAGE_SIZE);
        let count_sql = format!("SELECT COUNT(*) FROM procurement_tenders WHERE {SEARCH_WHERE}");
        let total: i64 = on_reader!(self.db, |p| sqlx::query_scalar(sqlx::AssertSqlSafe(
            count_sql.clone()
        ))
        .bind(&text)
        .bind(&pattern)
        .bind(status)
        .bind(&agency)
        .bind(&category)
        .bind(from)
        .bind(to)
        .fetch_one(p)
        .await)?;
        let list_sql = format!(
            "SELECT {PUBLIC_COLUMNS} FROM procurement_tenders WHERE {SEARCH_WHERE} \
             ORDER BY published_at DESC, id DESC LIMIT $8 OFFSET $9"
        );
        let rows: Vec<PublicRow> = on_reader!(self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            list_sql.clone()
        ))
        .bind(&text)
        .bind(&pattern)
        .bind(status)
        .bind(&agency)
        .bind(&category)
        .bind(from)
        .bind(to)
        .bind(i64::from(PUBLIC_PAGE_SIZE))
        .bind(offset)
        .fetch_all(p)
        .await)?;
        Ok(PublicPage {
            items: rows
                .into_iter()
                .map(public_from)
                .collect::<Result<_, _>>()?,
            total: u64::try_from(total).unwrap_or(0),
            page,
            page_size: PUBLIC_PAGE_SIZE,
        })
    }

    /// Contracts both parties have signed, searched by the tender's title, status and agency,
    /// newest signature first, a page at a time (public data, so not audited).
    pub async fn search_contracts(
        &self,
        q: &ContractQuery,
    ) -> Result<PublicPage<Contract>, ProcurementError> {
        let text = q.text.clone().unwrap_or_default();
        let pattern = format!("%{}%", like_escape(&text.to_lowercase()));
        let status = q.status.map(ContractStatus::as_str).unwrap_or_default();
        let agency = q.agency.clone().unwrap_or_default();
        let page = q.page.clamp(1, PUBLIC_MAX_PAGE);
        let offset = i64::from(page - 1) * i64::from(PUBLIC_PAGE_SIZE);
        let from = "FROM procurement_contracts c JOIN procurement_tenders t ON t.id = c.tender_id";
        let count_sql = format!("SELECT COUNT(*) {from} WHERE {CONTRACT_SEARCH_WHERE}");
        let total: i64 = on_reader!(self.db, |p| sqlx::query_scalar(sqlx::AssertSqlSafe(
            count_sql.clone()
        ))
        .bind(&text)
        .bind(&pattern)
        .bind(status)
        .bind(&agency)
        .fetch_one(p)
        .await)?;
        let list_sql = format!(
            "SELECT c.id {from} WHERE {CONTRACT_SEARCH_WHERE} \
             ORDER BY c.signed_at DESC, c.id DESC LIMIT $5 OFFSET $6"
        );
        let ids: Vec<String> = on_reader!(self.db, |p| sqlx::query_scalar(sqlx::AssertSqlSafe(
            list_sql.clone()
        ))
        .bind(&text)
        .bind(&pattern)
        .bind(status)
        .bind(&agency)
        .bind(i64::from(PUBLIC_PAGE_SIZE))
        .bind(offset)
        .fetch_all(p)
        .await)?;
        let mut items = Vec::with_capacity(ids.len());
        for id in ids {
            items.push(
                self.contract(id.parse().map_err(|_| corrupt("contract id"))?)
                    .await?,
            );
        }
        Ok(PublicPage {
            items,
            total: u64::try_from(total).unwrap_or(0),
            page,
            page_size: PUBLIC_PAGE_SIZE,
        })
    }

    /// One tender as the public lists show it.
    pub async fn public_tender(&self, tender: TenderId) -> Result<PublicTender, ProcurementError> {
        let sql = format!("SELECT {PUBLIC_COLUMNS} FROM procurement_tenders WHERE id = $1");
        let row: Option<PublicRow> = on_reader!(self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(tender.to_string())
        .fetch_optional(p)
        .await)?;
        public_from(row.ok_or(ProcurementError::NotFound)?)
    }

    /// The agencies that published tenders (for the search's filter).
    pub async fn public_agencies(&self) -> Result<Vec<String>, ProcurementError> {
        Ok(on_reader!(self.db, |p| sqlx::query_scalar(
            "SELECT DISTINCT agency FROM procurement_tenders ORDER BY agency"
        )
        .fetch_all(p)
        .await)?)
    }

    async fn stored_awards(&self) -> Result<Vec<StoredAward>, ProcurementError> {
        type Row = (String, String, i64, String);
        let rows: Vec<Row> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT a.tender_id, a.status, a.awarded_at, e.report FROM procurement_awards a \
             JOIN procurement_evaluations e ON e.tender_id = a.tender_id AND e.version = a.evaluation_version \
             ORDER BY a.awarded_at, a.tender_id"
        )
        .fetch_all(p)
        .await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(StoredAward {
                    tender: r.0,
                    status: AwardStatus::parse(&r.1).ok_or_else(|| corrupt("award status"))?,
                    awarded_at: Timestamp::from_micros(r.2),
                    report: from_json(&r.3)?,
                })
            })
            .collect()
    }

    /// Every tender with at least one red flag, in publication order (newest first): the flags
    /// of its own facts, and a repeated-winner flag on each tender whose award counts towards
    /// one (the award in standstill or final, in the window).
    pub async fn all_red_flags(&self) -> Result<Vec<FlaggedTender>, ProcurementError> {
        type Row = (String, String, String, String, i64, i64, Option<String>);
        let rows: Vec<Row> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT id, agency, title, status, published_at, bid_deadline, opening_record \
             FROM procurement_tenders ORDER BY published_at DESC, id DESC"
        )
        .fetch_all(p)
        .await)?;
        let awards = self.stored_awards().await?;
        let live: Vec<&StoredAward> = awards
            .iter()
            .filter(|a| matches!(a.status, AwardStatus::Standstill | AwardStatus::Final))
            .collect();
        let mut by_tender: HashMap<&str, &StoredAward> = HashMap::new();
        for a in &live {
            by_tender.insert(a.tender.as_str(), a);
        }
        let mut tenders = Vec::with_capacity(rows.len());
        let mut entity_awards = Vec::new();
        for (id, agency, title, status, published_at, bid_deadline, opening) in rows {
            let opening: Option<OpeningRecord> = opening.as_deref().map(from_json).transpose()?;
            let award = by_tender.get(id.as_str()).copied();
            let public = public_from((id, agency, title, status, published_at, bid_deadline))?;
            // Lots nobody priced are left out: zero bids is not a single bidder.
            let bids_per_lot = opening.as_ref().map(|o| {
                let mut counts: Vec<(String, u32)> = Vec::new();
                for bid in &o.opened {
                    for l in &bid.lots {
                        match counts.iter_mut().find(|(id, _)| *id == l.lot_id) {
                            Some((_, n)) => *n += 1,
                            None => counts.push((l.lot_id.clone(), 1)),
                        }
                    }
                }
                counts
            });
            let mut awarded = Vec::new();
            if let Some(a) = award {
                for (lot, result) in
                    awarded_lots(&a.report)
                        .into_iter()
                        .zip(a.report.result.lots.iter().filter(|l| {
                            matches!(l.outcome, crate::evaluation::LotOutcome::Award { .. })
                        }))
                {
                    entity_awards.push((
                        public.id,
                        EntityAward {
                            agency: public.agency.clone(),
                            supplier_id: lot.supplier_id.clone(),
                            awarded_at: a.awarded_at,
                        },
                    ));
                    awarded.push(AwardedLotFacts {
                        lot_id: lot.lot_id,
                        supplier_id: lot.supplier_id,
                        price_minor: lot.price_minor,
                        planned_price_minor: result.planned_price_minor,
                        floor_price_minor: result.floor_price_minor,
                    });
                }
            }
            let facts = TenderFacts {
                published_at: public.published_at,
                bid_deadline: public.bid_deadline,
                bids_per_lot,
                awarded,
            };
            let flags = tender_flags(&facts, &self.config.red_flags);
            tenders.push(FlaggedTender {
                tender: public,
                flags,
            });
        }
        let all: Vec<EntityAward> = entity_awards.iter().map(|(_, a)| a.clone()).collect();
        let now = self.now();
        let window_from = now.as_micros().saturating_sub(
            i64::from(self.config.red_flags.repeat_window_days).saturating_mul(86_400_000_000),
        );
        for flag in repeated_winners(&all, now, &self.config.red_flags) {
            let RedFlag::RepeatedWinner {
                agency,
                supplier_id,
                ..
            } = &flag
            else {
                continue;
            };
            for (tender, a) in &entity_awards {
                let t = a.awarded_at.as_micros();
                if &a.agency == agency
                    && &a.supplier_id == supplier_id
                    && t > window_from
                    && t <= now.as_micros()
                    && let Some(ft) = tenders.iter_mut().find(|ft| ft.tender.id == *tender)
                    && !ft.flags.contains(&flag)
                {
                    ft.flags.push(flag.clone());
                }
            }
        }
        tenders.retain(|t| !t.flags.is_empty());
        Ok(tenders)
    }

    /// One page of flagged tenders, optionally only those with a flag of `kind`.
    pub async fn red_flags(
        &self,
        kind: Option<RedFlagKind>,
        page: u32,
    ) -> Result<PublicPage<FlaggedTender>, ProcurementError> {
        let mut all = self.all_red_flags().await?;
        if let Some(kind) = kind {
            all.retain(|t| t.flags.iter().any(|f| f.kind() == kind));
        }
        let page = page.clamp(1, PUBLIC_MAX_PAGE);
        let size = PUBLIC_PAGE_SIZE as usize;
        let total = all.len() as u64;
        let items = all
            .into_iter()
            .skip((page as usize - 1) * size)
            .take(size)
            .collect();
        Ok(PublicPage {
            items,
            total,
            page,
            page_size: PUBLIC_PAGE_SIZE,
        })
    }

    /// The red flags of one tender (empty when none).
    pub async fn tender_red_flags(
        &self,
        tender: TenderId,
    ) -> Result<Vec<RedFlag>, ProcurementError> {
        // Checks the tender exists (404 otherwise).
        self.public_tender(tender).await?;
        Ok(self
            .all_red_flags()
            .await?
            .into_iter()
            .find(|t| t.tender.id == tender)
            .map(|t| t.flags)
            .unwrap_or_default())
    }

    /// The bids (once opened), the award and the red flags of a tender.
    pub async fn tender_outcome(
        &self,
        tender: TenderId,
    ) -> Result<TenderOutcome, ProcurementError> {
        let id = tender.to_string();
        let row: Option<(Option<i64>, Option<String>)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT opened_at, opening_record FROM procurement_tenders WHERE id = $1"
        )
        .bind(&id)
        .fetch_optional(p)
        .await)?;
        let (opened_at, record) = row.ok_or(ProcurementError::NotFound)?;
        let mut names: HashMap<String, String> = HashMap::new();
        let bids = match (opened_at, record) {
            (Some(_), Some(record)) => {
                let record: OpeningRecord = from_json(&record)?;
                let mut bids = Vec::with_capacity(record.opened.len());
                for o in &record.opened {
                    bids.push(PublicBid {
                        supplier_name: self.supplier_name(&o.supplier_id, &mut names).await?,
                        supplier_id: o.supplier_id.clone(),
                        lots: o
                            .lots
                            .iter()
                            .map(|l| (l.lot_id.clone(), l.currency.clone(), l.amount_minor))
                            .collect(),
                    });
                }
                Some(bids)
            }
            _ => None,
        };
        type Row = (String, i64, Option<i64>, String);
        let award: Option<Row> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT a.status, a.awarded_at, a.final_at, e.report FROM procurement_awards a \
             JOIN procurement_evaluations e ON e.tender_id = a.tender_id AND e.version = a.evaluation_version \
             WHERE a.tender_id = $1"
        )
        .bind(&id)
        .fetch_optional(p)
        .await
        })?;
        let mut awards = Vec::new();
        if let Some((status, awarded_at, final_at, report)) = award {
            let status = AwardStatus::parse(&status).ok_or_else(|| corrupt("award status"))?;
            let report: EvaluationReport = from_json(&report)?;
            for lot in awarded_lots(&report) {
                awards.push(PublicAwardLine {
                    supplier_name: self.supplier_name(&lot.supplier_id, &mut names).await?,
                    supplier_id: lot.supplier_id,
                    lot_id: lot.lot_id,
                    price_minor: lot.price_minor,
                    currency: lot.currency,
                    status,
                    awarded_at: Timestamp::from_micros(awarded_at),
                    final_at: final_at.map(Timestamp::from_micros),
                });
            }
        }
        Ok(TenderOutcome {
            bids,
            awards,
            flags: self.tender_red_flags(tender).await?,
        })
    }

    /// A business's registry name (its id when the registry lost it).
    async fn supplier_name(
        &self,
        id: &str,
        cache: &mut HashMap<String, String>,
    ) -> Result<String, ProcurementError> {
        if let Some(n) = cache.get(id) {
            return Ok(n.clone());
        }
        let name = match id.parse::<BusinessId>() {
            Ok(b) => self
                .registry
                .business(b)
                .await?
                .map_or_else(|| id.to_owned(), |b| b.data.name),
            Err(_) => id.to_owned(),
        };
        cache.insert(id.to_owned(), name.clone());
        Ok(name)
    }

    /// A registered supplier's public profile.
    pub async fn supplier_profile(
        &self,
        business: BusinessId,
    ) -> Result<SupplierProfile, ProcurementError> {
        let s = self.supplier(business).await?;
        let id = business.to_string();
        // Who bid is public only once the tender is opened.
        let sql = format!(
            "SELECT {} FROM procurement_tenders t WHERE t.opened_at IS NOT NULL AND EXISTS \
             (SELECT 1 FROM procurement_bids b WHERE b.tender_id = t.id AND b.business_id = $1 \
              AND b.status = 'active') ORDER BY t.published_at DESC, t.id DESC LIMIT 200",
            "t.id, t.agency, t.title, t.status, t.published_at, t.bid_deadline"
        );
        let rows: Vec<PublicRow> = on_reader!(self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(&id)
        .fetch_all(p)
        .await)?;
        let tenders_bid: Vec<PublicTender> = rows
            .into_iter()
            .map(public_from)
            .collect::<Result<_, _>>()?;
        let mut awards = Vec::new();
        for a in self.stored_awards().await?.iter().rev() {
            for lot in awarded_lots(&a.report) {
                if lot.supplier_id == id {
                    let tender: TenderId = a.tender.parse().map_err(|_| corrupt("tender id"))?;
                    awards.push(PublicAward {
                        tender: self.public_tender(tender).await?,
                        lot_id: lot.lot_id,
                        price_minor: lot.price_minor,
                        currency: lot.currency,
                        status: a.status,
                        awarded_at: a.awarded_at,
                    });
                }
            }
        }
        let mut red_flags = Vec::new();
        for t in self.all_red_flags().await? {
            let won = awards
                .iter()
                .any(|a| a.tender.id == t.tender.id && a.status != AwardStatus::Annulled);
            for f in &t.flags {
                let mine = match f {
                    RedFlag::RepeatedWinner { supplier_id, .. } => *supplier_id == id,
                    RedFlag::NearFloor { .. } | RedFlag::SingleBidder { .. } => won,
                    RedFlag::ShortTenderPeriod { .. } => false,
                };
                if mine {
                    red_flags.push((t.tender.clone(), f.clone()));
                }
            }
        }
        Ok(SupplierProfile {
            business_id: business,
            name: s.name,
            registration_number: s.registration_number,
            registry_status: s.registry_status,
            registered_at: s.registered_at,
            categories: s.details.categories,
            licences: s
                .details
                .licences
                .into_iter()
                .map(|l| PublicLicence {
                    kind: l.kind,
                    issuer: l.issuer,
                    valid_until: l.valid_until,
                })
                .collect(),
            debarments: s.debarments,
            tenders_bid,
            awards,
            red_flags,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_midnights_and_bad_ones_are_refused() {
        assert_eq!(parse_day("1970-01-01"), Some(Timestamp::from_micros(0)));
        assert_eq!(
            parse_day("2026-11-25").map(|t| t.as_micros() / 86_400_000_000),
            Some(20_782)
        );
        assert!(parse_day("2024-02-29").is_some());
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "yesterday",
            "+026-01-01",
            "2026-01-32",
            "",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_query_is_checked_field_by_field() {
        let q = TenderQuery::parse(&TenderQueryText {
            text: Some("  road "),
            status: Some("awarded"),
            agency: Some("pps"),
            category: Some("CPV:45"),
            from: Some("2026-01-01"),
            to: Some("2026-01-31"),
            page: Some("2"),
        })
        .unwrap();
        assert_eq!(q.text.as_deref(), Some("road"));
        assert_eq!(q.status, Some(TenderStatus::Awarded));
        assert_eq!(q.agency.as_deref(), Some("PPS"));
        assert_eq!(q.category.as_deref(), Some("cpv:45"));
        assert_eq!(q.page, 2);
        let errors = TenderQuery::parse(&TenderQueryText {
            text: Some(&"x".repeat(101)),
            status: Some("won"),
            agency: Some("P P S"),
            category: Some("roads"),
            from: Some("2026-02-01"),
            to: Some("2026-01-01"),
            page: Some("0"),
        })
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["q", "status", "agency", "category", "to", "page"]);
        assert!(
            TenderQuery::parse(&TenderQueryText {
                page: Some("1001"),
                ..Default::default()
            })
            .is_err()
        );
        assert_eq!(
            TenderQuery::parse(&TenderQueryText::default())
                .unwrap()
                .page,
            1
        );
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_escape(r"50%_a\b"), r"50\%\_a\\b");
    }
}
