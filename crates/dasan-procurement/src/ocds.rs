//! The OCDS read side: stored tenders as [`dasan_ocds::Procedure`]s — every notice version
//! (publication, amendments, outage extensions), the cancellation, and the opening record with
//! each bid's receipt time. Awards and contracts join when evaluation stores them.
//!
//! Only what is public goes out: the estimated value only once public (or after the opening),
//! bids only after the opening, suppliers by their registry name and registration number.

use std::collections::HashMap;

use dasan_kernel::{Money, Timestamp};
use dasan_ocds::codelist::AwardStatus as AwardStatusCode;
use dasan_ocds::codelist::{
    AwardCriteria, BidStatus, DocumentType, ProcurementCategory, ProcurementMethod,
};
use dasan_ocds::procedure::{
    AmendmentInfo, AwardStage, BidStage, Cancellation, DocumentSpec, ItemSpec, LotSpec,
    OpeningStage, Party, Procedure, TenderSpec, TenderVersion,
};
use dasan_ocds::{OcidPrefix, Release};
use dasan_registry::BusinessId;
use dasan_store::on_reader;

use crate::error::{ProcurementError, corrupt};
use crate::evaluation::EvaluationReport;
use crate::notice::{EvaluationMethod, Method, TenderNotice};
use crate::opening::OpeningRecord;
use crate::service::{Procurement, from_json};
use crate::tenders::TenderId;

/// The most procedures one call returns.
pub const OCDS_MAX_PAGE: u32 = 1000;

/// Where a walk over all procedures stands: after this tender (publication time, id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcdsCursor {
    pub published_at: i64,
    pub id: String,
}

type TenderHead = (
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// The registry scheme of business registration numbers (org-id.guide `KR-BRN`).
pub const BUSINESS_SCHEME: &str = "KR-BRN";

/// An award as stored: evaluation version, status, awarded, final and ended at, end reason, the
/// signed evaluation report and when it was made.
type AwardRow = (
    i64,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    String,
    i64,
);

impl Procurement {
    /// The number of tenders (procedures) ever published.
    pub async fn ocds_count(&self) -> Result<u64, ProcurementError> {
        let n: i64 = on_reader!(self.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM procurement_tenders"
        )
        .fetch_one(p)
        .await)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Procedures in publication order (then id), `limit` (at most [`OCDS_MAX_PAGE`]) after
    /// skipping `offset`: the pages of the API.
    pub async fn ocds_page(
        &self,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<Procedure>, ProcurementError> {
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let limit = i64::from(limit.min(OCDS_MAX_PAGE));
        let heads: Vec<TenderHead> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT id, agency, status, published_at, opened_at, cancelled_at, cancel_reason, \
             opening_record FROM procurement_tenders ORDER BY published_at, id LIMIT $1 OFFSET $2"
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await)?;
        self.procedures(heads).await
    }

    /// The next `limit` procedures after `after` (from the start when `None`), and the cursor
    /// for the call after (`None` at the end): a walk over everything in constant memory, for
    /// bulk exports.
    pub async fn ocds_after(
        &self,
        after: Option<&OcdsCursor>,
        limit: u32,
    ) -> Result<(Vec<Procedure>, Option<OcdsCursor>), ProcurementError> {
        self.walk(None, after, limit).await
    }

    /// Like [`Procurement::ocds_after`], only the procedures where something was published in
    /// `[from, to)`: the publication, an amendment, the opening or the cancellation.
    pub async fn ocds_active_after(
        &self,
        from: Timestamp,
        to: Timestamp,
        after: Option<&OcdsCursor>,
        limit: u32,
    ) -> Result<(Vec<Procedure>, Option<OcdsCursor>), ProcurementError> {
        self.walk(Some((from.as_micros(), to.as_micros())), after, limit)
            .await
    }

    async fn walk(
        &self,
        window: Option<(i64, i64)>,
        after: Option<&OcdsCursor>,
        limit: u32,
    ) -> Result<(Vec<Procedure>, Option<OcdsCursor>), ProcurementError> {
        let limit = limit.clamp(1, OCDS_MAX_PAGE);
        let (published_at, id) = after.map_or((i64::MIN, String::new()), |c| {
            (c.published_at, c.id.clone())
        });
        let heads: Vec<TenderHead> = match window {
            None => on_reader!(self.db, |p| {
                sqlx::query_as(
                "SELECT id, agency, status, published_at, opened_at, cancelled_at, cancel_reason, \
                 opening_record FROM procurement_tenders \
                 WHERE published_at > $1 OR (published_at = $1 AND id > $2) \
                 ORDER BY published_at, id LIMIT $3"
            )
            .bind(published_at)
            .bind(&id)
            .bind(i64::from(limit))
            .fetch_all(p)
            .await
            })?,
            Some((from, to)) => on_reader!(self.db, |p| sqlx::query_as(
                "SELECT t.id, t.agency, t.status, t.published_at, t.opened_at, t.cancelled_at, \
                 t.cancel_reason, t.opening_record FROM procurement_tenders t \
                 WHERE (t.published_at > $1 OR (t.published_at = $1 AND t.id > $2)) \
                 AND ((t.opened_at >= $4 AND t.opened_at < $5) \
                   OR (t.cancelled_at >= $4 AND t.cancelled_at < $5) \
                   OR EXISTS (SELECT 1 FROM procurement_tender_versions v WHERE v.tender_id = t.id \
                              AND v.created_at >= $4 AND v.created_at < $5)) \
                 ORDER BY t.published_at, t.id LIMIT $3"
            )
            .bind(published_at)
            .bind(&id)
            .bind(i64::from(limit))
            .bind(from)
            .bind(to)
            .fetch_all(p)
            .await)?,
        };
        let next = (heads.len() == limit as usize)
            .then(|| heads.last())
            .flatten()
            .map(|h| OcdsCursor {
                published_at: h.3,
                id: h.0.clone(),
            });
        Ok((self.procedures(heads).await?, next))
    }

    /// The procedure of one tender.
    pub async fn ocds_procedure(&self, tender: TenderId) -> Result<Procedure, ProcurementError> {
        let head: Option<TenderHead> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT id, agency, status, published_at, opened_at, cancelled_at, cancel_reason, \
             opening_record FROM procurement_tenders WHERE id = $1"
        )
        .bind(tender.to_string())
        .fetch_optional(p)
        .await)?;
        let head = head.ok_or(ProcurementError::NotFound)?;
        self.procedures(vec![head])
            .await?
            .pop()
            .ok_or(ProcurementError::NotFound)
    }

    async fn procedures(&self, heads: Vec<TenderHead>) -> Result<Vec<Procedure>, ProcurementError> {
        let mut parties: HashMap<String, Party> = HashMap::new();
        let mut out = Vec::with_capacity(heads.len());
        for (id, agency, _status, published_at, opened_at, cancelled_at, cancel_reason, opening) in
            heads
        {
            type Version = (i64, String, String, String, i64);
            let versions: Vec<Version> = on_reader!(self.db, |p| {
                sqlx::query_as(
                "SELECT version, kind, summary, notice, created_at FROM procurement_tender_versions \
                 WHERE tender_id = $1 ORDER BY version"
            )
            .bind(&id)
            .fetch_all(p)
            .await
            })?;
            // Opened at some point: an evaluated, awarded (or later cancelled) tender was opened
            // too, so its estimate stays public.
            let opened = opened_at.is_some();
            let mut tender = Vec::with_capacity(versions.len());
            for (version, kind, summary, notice, created_at) in versions {
                let notice: TenderNotice = from_json(&notice)?;
                let notice = if opened { notice } else { notice.public_view() };
                tender.push(TenderVersion {
                    date: Timestamp::from_micros(created_at),
                    amendment: (version > 1).then(|| AmendmentInfo {
                        rationale: summary,
                        description: (kind == "outage_extension")
                            .then(|| "Deadline extended after a platform outage".to_owned()),
                        related_lots: Vec::new(),
                    }),
                    spec: spec(&notice, Timestamp::from_micros(published_at), created_at),
                });
            }
            let opening = match (opening, opened_at) {
                (Some(record), Some(at)) => Some(
                    self.opening_stage(&id, &from_json(&record)?, at, &mut parties)
                        .await?,
                ),
                _ => None,
            };
            let awards = self.award_stages(&id, &mut parties).await?;
            out.push(Procedure {
                buyer: self.agency_party(&agency, &mut parties).await?,
                tender_id: id,
                language: None,
                planning: None,
                tender,
                cancellation: cancelled_at.map(|at| Cancellation {
                    date: Timestamp::from_micros(at),
                    reason: cancel_reason.unwrap_or_default(),
                }),
                opening,
                awards,
                contracts: Vec::new(),
            });
        }
        self.add_contract_stages(&mut out).await?;
        Ok(out)
    }

    /// The stored awards of a tender as OCDS awards, one per awarded lot (id
    /// `{evaluation version}-{lot}`): `pending` during the standstill; `active` once final (the
    /// update dated when it became final); `cancelled` when annulled by an upheld complaint or
    /// cancelled with the tender (the update dated then, with the reason). Each links the
    /// signed evaluation report it rests on. An award annulled and replaced by a later one is
    /// published too (from `procurement_award_history`), oldest first.
    async fn award_stages(
        &self,
        tender: &str,
        parties: &mut HashMap<String, Party>,
    ) -> Result<Vec<AwardStage>, ProcurementError> {
        let rows: Vec<AwardRow> = on_reader!(self.db, |p| {
            sqlx::query_as(
            "SELECT a.evaluation_version, a.status, a.awarded_at, a.final_at, a.ended_at, \
                a.end_reason, e.report, e.created_at FROM procurement_award_history a \
             JOIN procurement_evaluations e ON e.tender_id = a.tender_id AND e.version = a.evaluation_version \
             WHERE a.tender_id = $1 \
             UNION ALL \
             SELECT a.evaluation_version, a.status, a.awarded_at, a.final_at, a.ended_at, \
                a.end_reason, e.report, e.created_at FROM procurement_awards a \
             JOIN procurement_evaluations e ON e.tender_id = a.tender_id AND e.version = a.evaluation_version \
             WHERE a.tender_id = $1 \
             ORDER BY 1"
        )
        .bind(tender)
        .fetch_all(p)
        .await
        })?;
        let mut out = Vec::new();
        for row in rows {
            out.extend(self.award_stage(tender, row, parties).await?);
        }
        Ok(out)
    }

    /// One stored award (current or replaced) as OCDS awards, one per awarded lot.
    async fn award_stage(
        &self,
        tender: &str,
        (version, status, awarded_at, final_at, ended_at, reason, report, reported_at): AwardRow,
        parties: &mut HashMap<String, Party>,
    ) -> Result<Vec<AwardStage>, ProcurementError> {
        let report: EvaluationReport = from_json(&report)?;
        let status =
            crate::awards::AwardStatus::parse(&status).ok_or_else(|| corrupt("award status"))?;
        let (ocds_status, update) = match status {
            crate::awards::AwardStatus::Standstill => (AwardStatusCode::Pending, None),
            crate::awards::AwardStatus::Final => (AwardStatusCode::Active, final_at),
            crate::awards::AwardStatus::Annulled | crate::awards::AwardStatus::Cancelled => {
                (AwardStatusCode::Cancelled, ended_at)
            }
        };
        // A final or ended award without its date is corrupt: never publish a guess.
        if ocds_status != AwardStatusCode::Pending && update.is_none() {
            return Err(corrupt("award ended without its date"));
        }
        let document = DocumentSpec {
            id: format!("evaluation-report-{version}"),
            kind: DocumentType::EvaluationReports,
            title: format!("Signed evaluation report, version {version}"),
            url: self.config.public_url.as_ref().map(|base| {
                format!(
                    "{}/api/v1/procurement/tenders/{tender}/evaluation",
                    base.trim_end_matches('/')
                )
            }),
            format: Some("application/json".into()),
            published: Timestamp::from_micros(reported_at),
            related_lots: Vec::new(),
        };
        let mut out = Vec::new();
        for lot in crate::awards::awarded_lots(&report) {
            let currency = lot
                .currency
                .parse()
                .map_err(|_| corrupt("award currency"))?;
            let minor = i64::try_from(lot.price_minor).map_err(|_| corrupt("award amount"))?;
            out.push(AwardStage {
                id: format!("{version}-{}", lot.lot_id),
                date: Timestamp::from_micros(awarded_at),
                title: Some(format!("Lot {}", lot.lot_id)),
                status: ocds_status,
                standstill_end: update.map(Timestamp::from_micros),
                supplier: self.business_party(&lot.supplier_id, parties).await?,
                value: Money::new(minor, currency),
                bid: Some(lot.bid_id.to_hex()),
                contract_period: None,
                description: (ocds_status == AwardStatusCode::Cancelled)
                    .then(|| reason.clone())
                    .flatten(),
                documents: vec![DocumentSpec {
                    related_lots: vec![lot.lot_id.clone()],
                    ..document.clone()
                }],
                lots: vec![lot.lot_id],
            });
        }
        Ok(out)
    }

    async fn opening_stage(
        &self,
        tender: &str,
        record: &OpeningRecord,
        opened_at: i64,
        parties: &mut HashMap<String, Party>,
    ) -> Result<OpeningStage, ProcurementError> {
        let received: Vec<(String, i64)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT id, received_at FROM procurement_bids WHERE tender_id = $1"
        )
        .bind(tender)
        .fetch_all(p)
        .await)?;
        let received: HashMap<String, i64> = received.into_iter().collect();
        let at =
            |bid: &str| Timestamp::from_micros(received.get(bid).copied().unwrap_or(opened_at));
        let mut bids = Vec::new();
        for o in &record.opened {
            let id = o.bid_id.to_hex();
            let mut lots = Vec::with_capacity(o.lots.len());
            for l in &o.lots {
                let currency = l.currency.parse().map_err(|_| corrupt("bid currency"))?;
                let minor = i64::try_from(l.amount_minor).map_err(|_| corrupt("bid amount"))?;
                lots.push((l.lot_id.clone(), Money::new(minor, currency)));
            }
            bids.push(BidStage {
                submitted_at: at(&id),
                supplier: self.business_party(&o.supplier_id, parties).await?,
                // Opened and waiting for the evaluation.
                status: BidStatus::Pending,
                lots,
                id,
            });
        }
        for r in &record.rejected {
            let Some(supplier) = &r.supplier_id else {
                continue;
            };
            let id = r.bid_id.to_hex();
            bids.push(BidStage {
                submitted_at: at(&id),
                supplier: self.business_party(supplier, parties).await?,
                status: BidStatus::Disqualified,
                lots: Vec::new(),
                id,
            });
        }
        Ok(OpeningStage {
            date: Timestamp::from_micros(opened_at),
            bids,
        })
    }

    async fn agency_party(
        &self,
        code: &str,
        cache: &mut HashMap<String, Party>,
    ) -> Result<Party, ProcurementError> {
        let key = format!("agency:{code}");
        if let Some(p) = cache.get(&key) {
            return Ok(p.clone());
        }
        let agency = self.registry.agency(code).await?;
        let party = Party {
            id: format!("agency-{code}"),
            name: agency.map_or_else(|| code.to_owned(), |a| a.data.name_latin),
            identifier: None,
            address: None,
            contact_point: None,
        };
        cache.insert(key, party.clone());
        Ok(party)
    }

    async fn business_party(
        &self,
        id: &str,
        cache: &mut HashMap<String, Party>,
    ) -> Result<Party, ProcurementError> {
        if let Some(p) = cache.get(id) {
            return Ok(p.clone());
        }
        let business: BusinessId = id.parse().map_err(|_| corrupt("supplier id"))?;
        let b = self
            .registry
            .business(business)
            .await?
            .ok_or_else(|| corrupt("supplier missing from the registry"))?;
        let digits: String = b
            .data
            .registration_number
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let a = &b.data.address;
        let party = Party {
            id: format!("{BUSINESS_SCHEME}-{digits}"),
            name: b.data.name.clone(),
            identifier: Some((BUSINESS_SCHEME.to_owned(), digits)),
            address: Some(dasan_ocds::model::Address {
                street_address: Some(format!("{} {}", a.street, a.building)),
                locality: Some(a.locality.clone()),
                region: Some(a.region.clone()),
                postal_code: Some(a.postal_code.clone()),
                country_name: Some(a.country.clone()),
            }),
            contact_point: None,
        };
        cache.insert(id.to_owned(), party.clone());
        Ok(party)
    }
}

/// A walk over every procedure, or over those with releases dated in a window, one batch of
/// procedures at a time: what the bulk download, the daily package and `dasan ocds export`
/// stream (memory stays flat whatever the number of procedures).
#[derive(Clone, Debug)]
pub struct OcdsExport {
    prefix: OcidPrefix,
    window: Option<(Timestamp, Timestamp)>,
    cursor: Option<OcdsCursor>,
    done: bool,
    batch: u32,
}

impl OcdsExport {
    /// Every procedure.
    pub fn all(prefix: OcidPrefix) -> OcdsExport {
        OcdsExport {
            prefix,
            window: None,
            cursor: None,
            done: false,
            batch: 100,
        }
    }

    /// Only the releases dated in `[from, to)` (e.g. one UTC day).
    pub fn between(prefix: OcidPrefix, from: Timestamp, to: Timestamp) -> OcdsExport {
        OcdsExport {
            window: Some((from, to)),
            ..OcdsExport::all(prefix)
        }
    }

    /// The releases of the next batch of procedures, one list per procedure (date order);
    /// `None` when the walk is over.
    pub async fn next_batch(
        &mut self,
        p: &Procurement,
    ) -> Result<Option<Vec<Vec<Release>>>, ProcurementError> {
        if self.done {
            return Ok(None);
        }
        let (procedures, next) = match self.window {
            None => p.ocds_after(self.cursor.as_ref(), self.batch).await?,
            Some((from, to)) => {
                p.ocds_active_after(from, to, self.cursor.as_ref(), self.batch)
                    .await?
            }
        };
        self.done = next.is_none();
        self.cursor = next;
        let mut out = Vec::with_capacity(procedures.len());
        for procedure in &procedures {
            // Stored data that cannot be published is corruption, not a client error.
            let mut rs = dasan_ocds::releases(&self.prefix, procedure).map_err(corrupt)?;
            if let Some((from, to)) = self.window {
                rs.retain(|r| r.date.0 >= from && r.date.0 < to);
            }
            if !rs.is_empty() {
                out.push(rs);
            }
        }
        Ok(Some(out))
    }
}

/// One notice version as an OCDS tender.
fn spec(n: &TenderNotice, published_at: Timestamp, version_at: i64) -> TenderSpec {
    let classified = |code: &str| -> (String, String) {
        match code.split_once(':') {
            Some((scheme, code)) => (scheme.to_ascii_uppercase(), code.to_owned()),
            None => (String::new(), code.to_owned()),
        }
    };
    let first = n
        .lots
        .first()
        .and_then(|l| l.items.first())
        .map(|i| classified(&i.classification));
    let mut eligibility: Vec<String> = Vec::new();
    if !n.eligibility.categories.is_empty() {
        eligibility.push(format!(
            "Registered in: {}",
            n.eligibility.categories.join(", ")
        ));
    }
    if !n.eligibility.licences.is_empty() {
        eligibility.push(format!("Licences: {}", n.eligibility.licences.join(", ")));
    }
    eligibility.extend(n.eligibility.criteria.iter().cloned());
    let percent = |bp: u32| format!("{}.{:02} %", bp / 100, bp % 100);
    let criteria = match &n.evaluation.method {
        EvaluationMethod::LowestPrice { .. } => Vec::new(),
        EvaluationMethod::BestValue(r) => r
            .criteria
            .iter()
            .map(|c| format!("{} {}", c.name, percent(c.weight_bp)))
            .chain(std::iter::once(format!(
                "price {}",
                percent(r.price_weight_bp)
            )))
            .collect(),
        EvaluationMethod::AdequacyReview(r) => r
            .criteria
            .iter()
            .map(|c| format!("{} ({} points)", c.name, c.max_points))
            .chain(std::iter::once(format!(
                "price ({} points)",
                r.price_points
            )))
            .collect(),
    }
    .join(", ");
    let ties = match n.evaluation.tie_break {
        crate::evaluation::TieBreak::EarliestSubmission => "earliest submission",
        crate::evaluation::TieBreak::Lottery => "lottery seeded by the bid-box root",
    };
    TenderSpec {
        title: n.title.clone(),
        description: n.description.clone(),
        method: match n.method {
            Method::Open => ProcurementMethod::Open,
            Method::Restricted => ProcurementMethod::Selective,
            Method::Limited => ProcurementMethod::Limited,
        },
        method_details: Some(n.method.as_str().to_owned()),
        category: first.and_then(|(scheme, code)| category(&scheme, &code)),
        award_criteria: match n.evaluation.method {
            EvaluationMethod::LowestPrice { .. } => AwardCriteria::PriceOnly,
            EvaluationMethod::AdequacyReview(_) | EvaluationMethod::BestValue(_) => {
                AwardCriteria::RatedCriteria
            }
        },
        award_criteria_details: Some(if criteria.is_empty() {
            format!("Ties: {ties}")
        } else {
            format!("{criteria}; ties: {ties}")
        }),
        estimated_value: n.estimated_value,
        eligibility: (!eligibility.is_empty()).then(|| eligibility.join("; ")),
        lots: n
            .lots
            .iter()
            .map(|l| LotSpec {
                id: l.id.clone(),
                title: l.title.clone(),
                value: None,
                items: l
                    .items
                    .iter()
                    .map(|i| {
                        let (scheme, code) = classified(&i.classification);
                        ItemSpec {
                            description: i.description.clone(),
                            scheme,
                            code,
                            quantity: i.quantity,
                            unit: i.unit.clone(),
                        }
                    })
                    .collect(),
            })
            .collect(),
        tender_period: (published_at, n.timeline.bid_deadline),
        enquiry_period: Some((published_at, n.timeline.clarification_deadline)),
        opening_at: n.timeline.opening_at,
        documents: n
            .documents
            .iter()
            .map(|d| DocumentSpec {
                id: d.sha256.clone(),
                kind: DocumentType::BiddingDocuments,
                title: d.name.clone(),
                url: None,
                format: Some(d.media_type.clone()),
                published: Timestamp::from_micros(version_at),
                related_lots: Vec::new(),
            })
            .collect(),
    }
}

/// Goods, works or services from the main classification: CPV division 45 is works, 50–98
/// services, the rest goods; UNSPSC segment 72 (building and construction) works, 70–94
/// services, the rest goods.
fn category(scheme: &str, code: &str) -> Option<ProcurementCategory> {
    let head: u32 = code.get(..2)?.parse().ok()?;
    Some(match scheme {
        "CPV" if head == 45 => ProcurementCategory::Works,
        "CPV" if head >= 50 => ProcurementCategory::Services,
        "CPV" => ProcurementCategory::Goods,
        "UNSPSC" if head == 72 => ProcurementCategory::Works,
        "UNSPSC" if (70..=94).contains(&head) => ProcurementCategory::Services,
        "UNSPSC" => ProcurementCategory::Goods,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_ocid_prefix_is_valid() {
        assert!(dasan_ocds::OcidPrefix::new(crate::service::DEFAULT_OCID_PREFIX).is_ok());
    }

    #[test]
    fn categories_follow_the_classification() {
        assert_eq!(
            category("CPV", "45233120"),
            Some(ProcurementCategory::Works)
        );
        assert_eq!(
            category("CPV", "72000000"),
            Some(ProcurementCategory::Services)
        );
        assert_eq!(
            category("CPV", "30213100"),
            Some(ProcurementCategory::Goods)
        );
        assert_eq!(
            category("UNSPSC", "72141000"),
            Some(ProcurementCategory::Works)
        );
        assert_eq!(
            category("UNSPSC", "80101500"),
            Some(ProcurementCategory::Services)
        );
        assert_eq!(
            category("UNSPSC", "43211500"),
            Some(ProcurementCategory::Goods)
        );
        assert_eq!(category("XYZ", "43211500"), None);
        assert_eq!(category("CPV", "4"), None);
    }
}
