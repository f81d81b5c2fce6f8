//! From a [`Procedure`] to its OCDS releases: one release per thing that happened, in date order,
//! each with a stable id (`{ocid}-{stage}…`) so that publishing twice gives the same data.
//!
//! | stage | tag | carries |
//! |---|---|---|
//! | planning | `planning` | budget, buyer |
//! | notice published | `tender` | the whole tender, lots, items, documents |
//! | notice amended | `tenderAmendment` (`tenderUpdate` without an amendment note) | the whole tender again, with every amendment so far |
//! | cancelled | `tenderCancellation` | status, the reason as a `cancellationDetails` document |
//! | opening | `tenderUpdate` | tenderers, bids (one per bid and lot) and bid statistics |
//! | award | `award` (then `awardUpdate` at the end of the standstill) | the award, its supplier, related bids and lots |
//! | contract signed | `contract` | the contract as first signed |
//! | contract amended (both signed) | `contractAmendment` | the amended period, value and milestones, the signed amendment, and every amendment so far |
//! | payment, milestone | `implementation` | one transaction or milestone |
//! | contract closed | `contractTermination` | status `terminated` |
//!
//! Parties carry every role they have had so far (roles are a list of strings, replaced whole
//! when merged), and each release lists the parties it mentions.

use std::collections::HashSet;

use dasan_kernel::Timestamp;

use crate::codelist::{
    AwardStatus, ContractStatus, DocumentType, InitiationType, MilestoneStatus, PartyRole,
    ReleaseTag, TenderStatus,
};
use crate::model::{self, DateTime, OrganizationReference, Release, Value};
use crate::procedure::{ImplementationEvent, ItemSpec, Party, Procedure, TenderVersion};

/// Why a procedure cannot be published as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("the OCID prefix {0:?} is not letters, digits and inner hyphens (e.g. ocds-213czf)")]
    BadPrefix(String),
    #[error("the procedure has no published notice")]
    NoTender,
    #[error("the first notice version cannot be an amendment")]
    FirstVersionIsAmendment,
    #[error("identifier {0:?} is empty or contains '#'")]
    BadId(String),
    #[error("two releases would have the id {0:?}")]
    DuplicateReleaseId(String),
    #[error("lot {0:?} is not in the notice")]
    UnknownLot(String),
    #[error("bid {0:?} is not in the opening")]
    UnknownBid(String),
    #[error("award {0:?} does not exist")]
    UnknownAward(String),
}

/// The deployment's OCID prefix (registered with the Open Contracting Partnership, e.g.
/// `ocds-213czf`); the OCID of a procedure is `{prefix}-{tender id}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcidPrefix(String);

impl OcidPrefix {
    pub fn new(prefix: &str) -> Result<Self, BuildError> {
        let ok = !prefix.is_empty()
            && prefix.len() <= 64
            && prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !prefix.starts_with('-')
            && !prefix.ends_with('-');
        if ok {
            Ok(Self(prefix.to_owned()))
        } else {
            Err(BuildError::BadPrefix(prefix.chars().take(80).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn ocid(&self, tender_id: &str) -> String {
        format!("{}-{tender_id}", self.0)
    }
}

/// What happens, in the order it is published (ties keep this stage order).
#[derive(Clone, Copy)]
enum Event {
    Planning,
    Tender(usize),
    Opening,
    Award(usize),
    AwardUpdate(usize),
    Contract(usize),
    ContractAmendment(usize, usize),
    Implementation(usize, usize),
    Close(usize),
    Cancellation,
}

struct KnownParty {
    org: model::Organization,
    touched: bool,
}

struct Builder<'a> {
    p: &'a Procedure,
    ocid: String,
    parties: Vec<KnownParty>,
    /// Lots covered by an active award so far.
    awarded_lots: HashSet<&'a str>,
    last_tender_release: Option<String>,
    amendments: Vec<model::Amendment>,
}

fn check_id(id: &str) -> Result<(), BuildError> {
    if id.is_empty() || id.contains('#') {
        Err(BuildError::BadId(id.chars().take(80).collect()))
    } else {
        Ok(())
    }
}

fn dt(t: Timestamp) -> DateTime {
    DateTime(t)
}

fn period(p: (Timestamp, Timestamp)) -> model::Period {
    model::Period {
        start_date: Some(dt(p.0)),
        end_date: Some(dt(p.1)),
        duration_in_days: None,
    }
}

/// The releases of a procedure, oldest first.
pub fn releases(prefix: &OcidPrefix, p: &Procedure) -> Result<Vec<Release>, BuildError> {
    check_id(&p.tender_id)?;
    let first = p.tender.first().ok_or(BuildError::NoTender)?;
    if first.amendment.is_some() {
        return Err(BuildError::FirstVersionIsAmendment);
    }
    let latest = p.tender.last().unwrap_or(first);
    let lots: HashSet<&str> = latest.spec.lots.iter().map(|l| l.id.as_str()).collect();

    let mut events: Vec<(Timestamp, Event)> = Vec::new();
    if let Some(planning) = &p.planning {
        events.push((planning.date, Event::Planning));
    }
    for (i, v) in p.tender.iter().enumerate() {
        events.push((v.date, Event::Tender(i)));
    }
    if let Some(opening) = &p.opening {
        events.push((opening.date, Event::Opening));
        for bid in &opening.bids {
            check_id(&bid.id)?;
            for (lot, _) in &bid.lots {
                if !lots.contains(lot.as_str()) {
                    return Err(BuildError::UnknownLot(lot.clone()));
                }
            }
        }
    }
    for (i, a) in p.awards.iter().enumerate() {
        check_id(&a.id)?;
        for lot in &a.lots {
            if !lots.contains(lot.as_str()) {
                return Err(BuildError::UnknownLot(lot.clone()));
            }
        }
        if let Some(bid) = &a.bid
            && !p
                .opening
                .as_ref()
                .is_some_and(|o| o.bids.iter().any(|b| &b.id == bid))
        {
            return Err(BuildError::UnknownBid(bid.clone()));
        }
        events.push((a.date, Event::Award(i)));
        if let Some(end) = a.standstill_end
            && a.status != AwardStatus::Pending
        {
            events.push((end, Event::AwardUpdate(i)));
        }
    }
    for (i, c) in p.contracts.iter().enumerate() {
        check_id(&c.id)?;
        if !p.awards.iter().any(|a| a.id == c.award_id) {
            return Err(BuildError::UnknownAward(c.award_id.clone()));
        }
        events.push((c.date_signed, Event::Contract(i)));
        for (k, a) in c.amendments.iter().enumerate() {
            // Never before the contract it amends (the sort below is stable).
            events.push((a.date.max(c.date_signed), Event::ContractAmendment(i, k)));
        }
        for (j, e) in c.implementation.iter().enumerate() {
            check_id(e.key())?;
            events.push((e.date(), Event::Implementation(i, j)));
        }
        if let Some(closed) = c.closed {
            events.push((closed, Event::Close(i)));
        }
    }
    if let Some(c) = &p.cancellation {
        events.push((c.date, Event::Cancellation));
    }
    // Stable: equal dates keep the stage order above.
    events.sort_by_key(|(date, _)| *date);

    let mut b = Builder {
        p,
        ocid: prefix.ocid(&p.tender_id),
        parties: Vec::new(),
        awarded_lots: HashSet::new(),
        last_tender_release: None,
        amendments: Vec::new(),
    };
    let mut out = Vec::with_capacity(events.len());
    let mut ids = HashSet::with_capacity(events.len());
    for (date, event) in events {
        let r = b.release(date, event);
        if !ids.insert(r.id.clone()) {
            return Err(BuildError::DuplicateReleaseId(r.id));
        }
        out.push(r);
    }
    Ok(out)
}

impl<'a> Builder<'a> {
    fn touch(&mut self, party: &Party, role: PartyRole) -> OrganizationReference {
        let known = match self.parties.iter_mut().position(|k| k.org.id == party.id) {
            Some(i) => &mut self.parties[i],
            None => {
                self.parties.push(KnownParty {
                    org: model::Organization {
                        id: party.id.clone(),
                        name: Some(party.name.clone()),
                        identifier: party.identifier.as_ref().map(|(scheme, id)| {
                            model::Identifier {
                                scheme: Some(scheme.clone()),
                                id: Some(id.clone()),
                                legal_name: Some(party.name.clone()),
                            }
                        }),
                        address: party.address.clone(),
                        contact_point: party.contact_point.clone(),
                        roles: Vec::new(),
                    },
                    touched: false,
                });
                let last = self.parties.len() - 1;
                &mut self.parties[last]
            }
        };
        if !known.org.roles.contains(&role) {
            known.org.roles.push(role);
        }
        known.touched = true;
        OrganizationReference {
            id: party.id.clone(),
            name: party.name.clone(),
        }
    }

    fn new_release(&mut self, id: String, date: Timestamp, tag: ReleaseTag) -> Release {
        Release {
            ocid: self.ocid.clone(),
            id,
            date: dt(date),
            tag: vec![tag],
            initiation_type: InitiationType::Tender,
            parties: Vec::new(),
            buyer: None,
            planning: None,
            tender: None,
            bids: None,
            awards: Vec::new(),
            contracts: Vec::new(),
            language: self.p.language.clone(),
        }
    }

    fn release(&mut self, date: Timestamp, event: Event) -> Release {
        let p = self.p;
        let ocid = self.ocid.clone();
        let mut r = match event {
            Event::Planning => {
                let mut r =
                    self.new_release(format!("{ocid}-planning"), date, ReleaseTag::Planning);
                let planning = p.planning.as_ref();
                r.buyer = Some(self.touch(&p.buyer, PartyRole::Buyer));
                r.planning = planning.map(|pl| model::Planning {
                    rationale: pl.rationale.clone(),
                    budget: Some(model::Budget {
                        id: pl.budget_id.clone(),
                        description: pl.budget_description.clone(),
                        amount: pl.budget.map(Value::from),
                        project: pl.project.clone(),
                        project_id: None,
                    }),
                    documents: Vec::new(),
                    milestones: Vec::new(),
                });
                r
            }
            Event::Tender(i) => {
                let v = &p.tender[i];
                let (id, tag) = match (i, &v.amendment) {
                    (0, _) => (format!("{ocid}-tender"), ReleaseTag::Tender),
                    (_, Some(_)) => (format!("{ocid}-tender-{i}"), ReleaseTag::TenderAmendment),
                    (_, None) => (format!("{ocid}-tender-{i}"), ReleaseTag::TenderUpdate),
                };
                let mut r = self.new_release(id.clone(), date, tag);
                if let Some(a) = &v.amendment {
                    self.amendments.push(model::Amendment {
                        id: format!("{}", self.amendments.len() + 1),
                        date: Some(dt(v.date)),
                        rationale: Some(a.rationale.clone()),
                        description: a.description.clone(),
                        amends_release_id: self.last_tender_release.clone(),
                        release_id: Some(id.clone()),
                        related_lots: a.related_lots.clone(),
                    });
                }
                self.last_tender_release = Some(id);
                r.buyer = Some(self.touch(&p.buyer, PartyRole::Buyer));
                r.tender = Some(self.tender(v));
                r
            }
            Event::Cancellation => {
                let c = p.cancellation.as_ref();
                let mut r = self.new_release(
                    format!("{ocid}-cancellation"),
                    date,
                    ReleaseTag::TenderCancellation,
                );
                r.tender = Some(model::Tender {
                    id: p.tender_id.clone(),
                    status: Some(TenderStatus::Cancelled),
                    documents: vec![model::Document {
                        id: "cancellation".into(),
                        document_type: Some(DocumentType::CancellationDetails),
                        title: Some("Cancellation".into()),
                        description: c.map(|c| c.reason.clone()),
                        date_published: Some(dt(date)),
                        ..Default::default()
                    }],
                    lots: self.lots_with_status(TenderStatus::Cancelled),
                    ..Default::default()
                });
                r
            }
            Event::Opening => self.opening(date),
            Event::Award(i) => {
                let a = &p.awards[i];
                let mut r =
                    self.new_release(format!("{ocid}-award-{}", a.id), date, ReleaseTag::Award);
                let status = if a.standstill_end.is_some() {
                    AwardStatus::Pending
                } else {
                    a.status
                };
                let supplier = self.touch(&a.supplier, PartyRole::Supplier);
                r.awards = vec![model::Award {
                    id: a.id.clone(),
                    title: a.title.clone(),
                    status: Some(status),
                    date: Some(dt(a.date)),
                    value: Some(Value::from(a.value)),
                    suppliers: vec![supplier],
                    contract_period: a.contract_period.map(period),
                    items: self.award_items(i),
                    documents: a.documents.iter().map(document).collect(),
                    related_lots: a.lots.clone(),
                    related_bids: self.related_bids(i),
                    ..Default::default()
                }];
                r.tender = self.tender_after_award(i, status);
                r
            }
            Event::AwardUpdate(i) => {
                let a = &p.awards[i];
                let mut r = self.new_release(
                    format!("{ocid}-award-{}-update", a.id),
                    date,
                    ReleaseTag::AwardUpdate,
                );
                r.awards = vec![model::Award {
                    id: a.id.clone(),
                    status: Some(a.status),
                    // An award becomes active (the decision final) when its standstill ends;
                    // a cancelled one says why.
                    date: (a.status == AwardStatus::Active).then(|| dt(date)),
                    description: a.description.clone(),
                    ..Default::default()
                }];
                r.tender = self.tender_after_award(i, a.status);
                r
            }
            Event::Contract(i) => {
                let c = &p.contracts[i];
                let mut r = self.new_release(
                    format!("{ocid}-contract-{}", c.id),
                    date,
                    ReleaseTag::Contract,
                );
                let award = p.awards.iter().position(|a| a.id == c.award_id);
                r.contracts = vec![model::Contract {
                    id: c.id.clone(),
                    award_id: c.award_id.clone(),
                    title: c.title.clone(),
                    status: Some(ContractStatus::Active),
                    period: c.period.map(period),
                    value: Some(Value::from(c.value)),
                    date_signed: Some(dt(c.date_signed)),
                    related_bids: award.map(|a| self.related_bids(a)).unwrap_or_default(),
                    documents: c.documents.iter().map(document).collect(),
                    milestones: c.milestones.iter().map(planned_milestone).collect(),
                    ..Default::default()
                }];
                r
            }
            Event::ContractAmendment(i, k) => {
                let c = &p.contracts[i];
                let a = &c.amendments[k];
                let release_id = |k: usize| match k {
                    0 => format!("{ocid}-contract-{}", c.id),
                    k => format!("{ocid}-contract-{}-amendment-{k}", c.id),
                };
                let mut r =
                    self.new_release(release_id(k + 1), date, ReleaseTag::ContractAmendment);
                r.contracts = vec![model::Contract {
                    id: c.id.clone(),
                    award_id: c.award_id.clone(),
                    period: a.period.map(period),
                    value: Some(Value::from(a.value)),
                    documents: a.documents.iter().map(document).collect(),
                    milestones: a.milestones.iter().map(planned_milestone).collect(),
                    amendments: c.amendments[..=k]
                        .iter()
                        .enumerate()
                        .map(|(n, a)| model::Amendment {
                            id: (n + 1).to_string(),
                            date: Some(dt(a.date.max(c.date_signed))),
                            rationale: Some(a.rationale.clone()),
                            amends_release_id: Some(release_id(n)),
                            release_id: Some(release_id(n + 1)),
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                }];
                r
            }
            Event::Implementation(i, j) => {
                let c = &p.contracts[i];
                let e = &c.implementation[j];
                let mut r = self.new_release(
                    format!("{ocid}-contract-{}-{}", c.id, e.key()),
                    date,
                    ReleaseTag::Implementation,
                );
                let mut implementation = model::Implementation::default();
                match e {
                    ImplementationEvent::Payment { id, date, value } => {
                        let payer = self.touch(&p.buyer, PartyRole::Payer);
                        let payee = p
                            .awards
                            .iter()
                            .find(|a| a.id == c.award_id)
                            .map(|a| self.touch(&a.supplier, PartyRole::Payee));
                        implementation.transactions.push(model::Transaction {
                            id: id.clone(),
                            date: Some(dt(*date)),
                            value: Some(Value::from(*value)),
                            payer: Some(payer),
                            payee,
                        });
                    }
                    ImplementationEvent::Milestone {
                        id,
                        date,
                        title,
                        kind,
                        due,
                        status,
                        met,
                    } => implementation.milestones.push(model::Milestone {
                        id: id.clone(),
                        title: Some(title.clone()),
                        kind: Some(*kind),
                        due_date: due.map(dt),
                        date_met: met.map(dt),
                        date_modified: Some(dt(*date)),
                        status: Some(*status),
                        description: None,
                    }),
                }
                r.contracts = vec![model::Contract {
                    id: c.id.clone(),
                    award_id: c.award_id.clone(),
                    implementation: Some(implementation),
                    ..Default::default()
                }];
                r
            }
            Event::Close(i) => {
                let c = &p.contracts[i];
                let mut r = self.new_release(
                    format!("{ocid}-contract-{}-close", c.id),
                    date,
                    ReleaseTag::ContractTermination,
                );
                r.contracts = vec![model::Contract {
                    id: c.id.clone(),
                    award_id: c.award_id.clone(),
                    status: Some(ContractStatus::Terminated),
                    ..Default::default()
                }];
                r
            }
        };
        r.parties = self
            .parties
            .iter_mut()
            .filter(|k| k.touched)
            .map(|k| {
                k.touched = false;
                k.org.clone()
            })
            .collect();
        r
    }

    fn tender(&mut self, v: &TenderVersion) -> model::Tender {
        let s = &v.spec;
        let p = self.p;
        let procuring_entity = self.touch(&p.buyer, PartyRole::ProcuringEntity);
        let items = s
            .lots
            .iter()
            .flat_map(|lot| {
                lot.items
                    .iter()
                    .enumerate()
                    .map(|(n, item)| item_of(&lot.id, n, item))
            })
            .collect();
        model::Tender {
            id: self.p.tender_id.clone(),
            title: Some(s.title.clone()),
            description: Some(s.description.clone()),
            status: Some(TenderStatus::Active),
            procuring_entity: Some(procuring_entity),
            items,
            value: s.estimated_value.map(Value::from),
            procurement_method: Some(s.method),
            procurement_method_details: s.method_details.clone(),
            main_procurement_category: s.category,
            award_criteria: Some(s.award_criteria),
            award_criteria_details: s.award_criteria_details.clone(),
            submission_method: vec!["electronicSubmission".into()],
            tender_period: Some(period(s.tender_period)),
            enquiry_period: s.enquiry_period.map(period),
            has_enquiries: None,
            eligibility_criteria: s.eligibility.clone(),
            award_period: Some(model::Period {
                start_date: Some(dt(s.opening_at)),
                ..Default::default()
            }),
            number_of_tenderers: None,
            tenderers: Vec::new(),
            documents: s
                .documents
                .iter()
                .map(|d| model::Document {
                    id: d.id.clone(),
                    document_type: Some(d.kind),
                    title: Some(d.title.clone()),
                    description: None,
                    url: d.url.clone(),
                    date_published: Some(dt(d.published)),
                    format: d.format.clone(),
                    related_lots: d.related_lots.clone(),
                })
                .collect(),
            milestones: Vec::new(),
            amendments: self.amendments.clone(),
            lots: s
                .lots
                .iter()
                .map(|l| model::Lot {
                    id: l.id.clone(),
                    title: Some(l.title.clone()),
                    description: None,
                    status: Some(TenderStatus::Active),
                    value: l.value.map(Value::from),
                })
                .collect(),
        }
    }

    fn latest_lot_ids(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.p
            .tender
            .last()
            .into_iter()
            .flat_map(|v| v.spec.lots.iter().map(|l| l.id.as_str()))
    }

    fn lots_with_status(&self, status: TenderStatus) -> Vec<model::Lot> {
        self.latest_lot_ids()
            .map(|id| model::Lot {
                id: id.to_owned(),
                status: Some(status),
                ..Default::default()
            })
            .collect()
    }

    fn opening(&mut self, date: Timestamp) -> Release {
        let p = self.p;
        let ocid = self.ocid.clone();
        let mut r = self.new_release(format!("{ocid}-opening"), date, ReleaseTag::TenderUpdate);
        let Some(opening) = &p.opening else {
            return r;
        };
        let mut tenderers: Vec<OrganizationReference> = Vec::new();
        let mut details = Vec::new();
        for bid in &opening.bids {
            let who = self.touch(&bid.supplier, PartyRole::Tenderer);
            if !tenderers.iter().any(|t| t.id == who.id) {
                tenderers.push(who.clone());
            }
            let base = model::Bid {
                id: bid.id.clone(),
                date: Some(dt(bid.submitted_at)),
                status: Some(bid.status),
                tenderers: vec![who],
                ..Default::default()
            };
            if bid.lots.is_empty() {
                details.push(base);
            } else {
                for (lot, price) in &bid.lots {
                    details.push(model::Bid {
                        id: bid_lot_id(&bid.id, lot),
                        value: Some(Value::from(*price)),
                        related_lots: vec![lot.clone()],
                        ..base.clone()
                    });
                }
            }
        }
        let count = |f: &dyn Fn(&crate::procedure::BidStage) -> bool| {
            opening.bids.iter().filter(|b| f(b)).count() as u64
        };
        let stat =
            |id: String, measure: &'static str, value: u64, lot: Option<&str>| model::Statistic {
                id,
                measure,
                date: Some(dt(date)),
                value,
                related_lot: lot.map(str::to_owned),
            };
        let mut statistics = vec![
            stat("bids".into(), "bids", opening.bids.len() as u64, None),
            stat(
                "validBids".into(),
                "validBids",
                count(&|b| b.status == crate::codelist::BidStatus::Valid),
                None,
            ),
            stat(
                "disqualifiedBids".into(),
                "disqualifiedBids",
                count(&|b| b.status == crate::codelist::BidStatus::Disqualified),
                None,
            ),
            stat("bidders".into(), "bidders", tenderers.len() as u64, None),
        ];
        for lot in self.latest_lot_ids() {
            statistics.push(stat(
                format!("bids-lot-{lot}"),
                "bids",
                count(&|b| b.lots.iter().any(|(l, _)| l == lot)),
                Some(lot),
            ));
        }
        r.tender = Some(model::Tender {
            id: p.tender_id.clone(),
            status: Some(TenderStatus::Active),
            number_of_tenderers: Some(tenderers.len() as u64),
            tenderers,
            award_period: Some(model::Period {
                start_date: Some(dt(date)),
                ..Default::default()
            }),
            ..Default::default()
        });
        r.bids = Some(model::Bids {
            statistics,
            details,
        });
        r
    }

    /// The items of an award's lots, as the latest notice lists them.
    fn award_items(&self, award: usize) -> Vec<model::Item> {
        let a = &self.p.awards[award];
        self.p
            .tender
            .last()
            .into_iter()
            .flat_map(|v| v.spec.lots.iter())
            .filter(|l| a.lots.contains(&l.id))
            .flat_map(|l| {
                l.items
                    .iter()
                    .enumerate()
                    .map(|(n, item)| item_of(&l.id, n, item))
            })
            .collect()
    }

    /// The bids (per lot) an award refers to.
    fn related_bids(&self, award: usize) -> Vec<String> {
        let a = &self.p.awards[award];
        let Some(bid) = &a.bid else {
            return Vec::new();
        };
        let priced: Vec<&str> = self
            .p
            .opening
            .iter()
            .flat_map(|o| o.bids.iter())
            .filter(|b| &b.id == bid)
            .flat_map(|b| b.lots.iter().map(|(l, _)| l.as_str()))
            .collect();
        if priced.is_empty() {
            return vec![bid.clone()];
        }
        a.lots
            .iter()
            .filter(|l| priced.contains(&l.as_str()))
            .map(|l| bid_lot_id(bid, l))
            .collect()
    }

    /// After an award becomes active, its lots are complete; the tender is complete once every
    /// lot is.
    fn tender_after_award(&mut self, award: usize, status: AwardStatus) -> Option<model::Tender> {
        if status != AwardStatus::Active {
            return None;
        }
        let a = &self.p.awards[award];
        self.awarded_lots.extend(a.lots.iter().map(String::as_str));
        let all: Vec<&str> = self.latest_lot_ids().collect();
        let complete = all.iter().all(|l| self.awarded_lots.contains(l));
        Some(model::Tender {
            id: self.p.tender_id.clone(),
            status: complete.then_some(TenderStatus::Complete),
            lots: a
                .lots
                .iter()
                .map(|l| model::Lot {
                    id: l.clone(),
                    status: Some(TenderStatus::Complete),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        })
    }
}

/// Item `n` (from 0) of a lot, with the id the tender and the awards share (`{lot}-{n + 1}`).
fn item_of(lot: &str, n: usize, item: &ItemSpec) -> model::Item {
    model::Item {
        id: format!("{lot}-{}", n + 1),
        description: Some(item.description.clone()),
        classification: Some(model::Classification {
            scheme: Some(item.scheme.clone()),
            id: Some(item.code.clone()),
            description: None,
        }),
        quantity: Some(item.quantity),
        unit: Some(model::Unit {
            scheme: Some("UNCEFACT".into()),
            id: Some(item.unit.clone()),
            name: None,
            value: None,
        }),
        related_lot: Some(lot.to_owned()),
    }
}

/// A milestone as agreed (scheduled).
fn planned_milestone(m: &crate::procedure::PlannedMilestone) -> model::Milestone {
    model::Milestone {
        id: m.id.clone(),
        title: Some(m.title.clone()),
        kind: Some(m.kind),
        due_date: Some(dt(m.due)),
        status: Some(MilestoneStatus::Scheduled),
        ..Default::default()
    }
}

fn document(d: &crate::procedure::DocumentSpec) -> model::Document {
    model::Document {
        id: d.id.clone(),
        document_type: Some(d.kind),
        title: Some(d.title.clone()),
        description: None,
        url: d.url.clone(),
        date_published: Some(dt(d.published)),
        format: d.format.clone(),
        related_lots: d.related_lots.clone(),
    }
}

/// The OCDS id of a bid's offer for one lot.
pub fn bid_lot_id(bid: &str, lot: &str) -> String {
    format!("{bid}-{lot}")
}
