//! Realistic sample procedures (deterministic), for the conformance run, examples and benchmarks.

use dasan_kernel::{Currency, Money, Timestamp};

use crate::codelist::{
    AwardCriteria, AwardStatus, BidStatus, DocumentType, MilestoneStatus, MilestoneType,
    ProcurementCategory, ProcurementMethod,
};
use crate::model::{Address, ContactPoint};
use crate::procedure::*;

const DAY: i64 = 86_400_000_000;
const HOUR: i64 = 3_600_000_000;
/// 2026-03-02T00:00:00Z.
const BASE: i64 = 1_772_409_600_000_000;

fn at(us: i64) -> Timestamp {
    Timestamp::from_micros(us)
}

fn currency(code: &str) -> Currency {
    // The codes below are ISO 4217; a failure here is a typo in this file.
    code.parse()
        .unwrap_or_else(|_| panic!("{code} is ISO 4217"))
}

fn business(n: u64, name: &str) -> Party {
    let brn = format!("{:010}", 1_208_100_000 + n);
    Party {
        id: format!("KR-BRN-{brn}"),
        name: name.to_owned(),
        identifier: Some(("KR-BRN".into(), brn)),
        address: Some(Address {
            locality: Some("Seoul".into()),
            country_name: Some("Republic of Korea".into()),
            ..Default::default()
        }),
        contact_point: None,
    }
}

fn buyer() -> Party {
    Party {
        id: "KR-BRN-1048200007".into(),
        name: "Public Procurement Service".into(),
        identifier: Some(("KR-BRN".into(), "1048200007".into())),
        address: Some(Address {
            street_address: Some("189 Cheongsa-ro, Seo-gu".into()),
            locality: Some("Daejeon".into()),
            postal_code: Some("35208".into()),
            country_name: Some("Republic of Korea".into()),
            ..Default::default()
        }),
        contact_point: Some(ContactPoint {
            name: Some("Contracts office".into()),
            email: Some("contracts@pps.example".into()),
            url: None,
        }),
    }
}

/// A procedure that went through every stage: planning, publication, an amendment, the
/// opening (three bids, one rejected), an award per lot with a standstill, a contract per
/// award, milestones and payments, and the close. Every third one is in USD (with cents), the
/// others in KRW. `n` varies the ids, dates and amounts.
pub fn full_cycle(n: u64) -> Procedure {
    let start = BASE + (n as i64 % 1000) * HOUR;
    let (cur, scale) = if n % 3 == 2 {
        (currency("USD"), 1)
    } else {
        (currency("KRW"), 1000)
    };
    let money =
        |major_thousandths: i64| Money::new(major_thousandths * scale / 10 + (n as i64 % 7), cur);
    let tender_id = format!("2026-{n:07}");
    let lots = vec![
        LotSpec {
            id: "1".into(),
            title: "Road resurfacing, district A".into(),
            value: Some(money(42_000_000)),
            items: vec![
                ItemSpec {
                    description: "Asphalt resurfacing".into(),
                    scheme: "CPV".into(),
                    code: "45233222".into(),
                    quantity: 12_000,
                    unit: "MTK".into(),
                },
                ItemSpec {
                    description: "Road markings".into(),
                    scheme: "CPV".into(),
                    code: "45233221".into(),
                    quantity: 3_400,
                    unit: "MTR".into(),
                },
            ],
        },
        LotSpec {
            id: "2".into(),
            title: "Traffic signals".into(),
            value: Some(money(18_500_000)),
            items: vec![ItemSpec {
                description: "LED traffic signal heads".into(),
                scheme: "UNSPSC".into(),
                code: "46161504".into(),
                quantity: 64,
                unit: "EA".into(),
            }],
        },
    ];
    let deadline = start + 20 * DAY;
    let spec = TenderSpec {
        title: format!("Road maintenance programme {n}"),
        description: "Resurfacing and traffic signals for two districts.".into(),
        method: ProcurementMethod::Open,
        method_details: Some("Open competitive bidding (일반경쟁)".into()),
        category: Some(ProcurementCategory::Works),
        award_criteria: AwardCriteria::PriceOnly,
        award_criteria_details: Some("Lowest price at or above the reserve-price floor".into()),
        estimated_value: Some(money(60_500_000)),
        eligibility: Some("Registered for CPV 45 with a valid construction licence".into()),
        lots,
        tender_period: (at(start), at(deadline)),
        enquiry_period: Some((at(start), at(deadline - 7 * DAY))),
        opening_at: at(deadline + HOUR),
        documents: vec![DocumentSpec {
            id: "notice".into(),
            kind: DocumentType::TenderNotice,
            title: "Tender notice".into(),
            url: Some(format!(
                "https://dasan.example/procurement/tenders/{tender_id}"
            )),
            format: Some("text/html".into()),
            published: at(start),
            related_lots: Vec::new(),
        }],
    };
    let mut amended = spec.clone();
    let new_deadline = deadline + 3 * DAY;
    amended.tender_period = (at(start), at(new_deadline));
    amended.opening_at = at(new_deadline + HOUR);
    amended.lots[0].items[0].quantity = 12_600;
    let opening = new_deadline + HOUR;
    let bidders = [
        business(3 * n + 1, "Hanbit Construction Co., Ltd."),
        business(3 * n + 2, "Daehan Roads Co., Ltd."),
        business(3 * n + 3, "Mirae Signals Inc."),
    ];
    let bid_id = |k: u64| format!("{:064x}", (n << 8) | k);
    let bids = vec![
        BidStage {
            id: bid_id(1),
            supplier: bidders[0].clone(),
            submitted_at: at(new_deadline - 2 * DAY),
            status: BidStatus::Valid,
            lots: vec![
                ("1".into(), money(40_100_000)),
                ("2".into(), money(18_900_000)),
            ],
        },
        BidStage {
            id: bid_id(2),
            supplier: bidders[1].clone(),
            submitted_at: at(new_deadline - DAY),
            status: BidStatus::Valid,
            lots: vec![("1".into(), money(41_250_000))],
        },
        BidStage {
            id: bid_id(3),
            supplier: bidders[2].clone(),
            submitted_at: at(new_deadline - 3 * HOUR),
            status: BidStatus::Disqualified,
            lots: Vec::new(),
        },
    ];
    let award_at = opening + 5 * DAY;
    let standstill_end = award_at + 7 * DAY;
    let signed = standstill_end + 2 * DAY;
    let awards = vec![
        AwardStage {
            id: "1".into(),
            date: at(award_at),
            title: Some("Lot 1".into()),
            status: AwardStatus::Active,
            standstill_end: Some(at(standstill_end)),
            supplier: bidders[0].clone(),
            value: money(40_100_000),
            lots: vec!["1".into()],
            bid: Some(bid_id(1)),
            contract_period: Some((at(signed + DAY), at(signed + 91 * DAY))),
            description: None,
            documents: Vec::new(),
        },
        AwardStage {
            id: "2".into(),
            date: at(award_at),
            title: Some("Lot 2".into()),
            status: AwardStatus::Active,
            standstill_end: Some(at(standstill_end)),
            supplier: bidders[0].clone(),
            value: money(18_900_000),
            lots: vec!["2".into()],
            bid: Some(bid_id(1)),
            contract_period: Some((at(signed + DAY), at(signed + 61 * DAY))),
            description: None,
            documents: Vec::new(),
        },
    ];
    let contract = |k: &str, value: Money, days: i64| ContractStage {
        id: k.to_owned(),
        award_id: k.to_owned(),
        title: Some(format!("Contract for lot {k}")),
        date_signed: at(signed),
        period: Some((at(signed + DAY), at(signed + (days + 1) * DAY))),
        value,
        implementation: vec![
            ImplementationEvent::Milestone {
                id: "delivery".into(),
                date: at(signed + days * DAY),
                title: "Works delivered and inspected".into(),
                kind: MilestoneType::Delivery,
                due: Some(at(signed + days * DAY)),
                status: MilestoneStatus::Met,
                met: Some(at(signed + days * DAY)),
            },
            ImplementationEvent::Payment {
                id: "advance".into(),
                date: at(signed + 3 * DAY),
                value: Money::new(value.minor / 10, value.currency),
            },
            ImplementationEvent::Payment {
                id: "final".into(),
                date: at(signed + (days + 10) * DAY),
                value: Money::new(value.minor - value.minor / 10, value.currency),
            },
        ],
        closed: Some(at(signed + (days + 11) * DAY)),
        documents: vec![DocumentSpec {
            id: format!("contract-{k}-signed"),
            kind: DocumentType::ContractSigned,
            title: format!("Signed contract for lot {k}"),
            url: Some(format!("https://dasan.example/contracts/{k}.pdf")),
            format: Some("application/pdf".into()),
            published: at(signed),
            related_lots: Vec::new(),
        }],
        milestones: vec![PlannedMilestone {
            id: "delivery".into(),
            title: "Works delivered and inspected".into(),
            kind: MilestoneType::Delivery,
            due: at(signed + days * DAY),
        }],
        amendments: Vec::new(),
    };
    Procedure {
        tender_id,
        buyer: buyer(),
        language: Some("en".into()),
        planning: Some(PlanningStage {
            date: at(start - 30 * DAY),
            rationale: Some("Annual road maintenance plan".into()),
            budget_id: Some("2026-ROADS-01".into()),
            budget_description: Some("Road maintenance, general account".into()),
            budget: Some(money(65_000_000)),
            project: Some("Safer roads 2026".into()),
        }),
        tender: vec![
            TenderVersion {
                date: at(start),
                amendment: None,
                spec,
            },
            TenderVersion {
                date: at(start + 6 * DAY),
                amendment: Some(AmendmentInfo {
                    rationale: "Quantities corrected after a site survey; deadline extended".into(),
                    description: Some("Lot 1 asphalt area 12 000 → 12 600 m²".into()),
                    related_lots: vec!["1".into()],
                }),
                spec: amended,
            },
        ],
        cancellation: None,
        opening: Some(OpeningStage {
            date: at(opening),
            bids,
        }),
        awards,
        contracts: vec![contract("1", money(40_100_000), 90), {
            let mut c = contract("2", money(18_900_000), 60);
            c.amendments.push(ContractAmendmentStage {
                date: at(signed + 20 * DAY),
                rationale: "Period extended by 15 days after flooding on site".into(),
                period: Some((at(signed + DAY), at(signed + 76 * DAY))),
                value: money(18_900_000),
                milestones: c.milestones.clone(),
                documents: vec![DocumentSpec {
                    id: "contract-2-amendment-1-signed".into(),
                    kind: DocumentType::ContractSigned,
                    title: "Signed amendment 1 of the contract for lot 2".into(),
                    url: Some("https://dasan.example/contracts/2-amendment-1.pdf".into()),
                    format: Some("application/pdf".into()),
                    published: at(signed + 20 * DAY),
                    related_lots: Vec::new(),
                }],
            });
            c
        }],
    }
}

/// A procedure whose first award of lot 2 was annulled (a complaint upheld) before the lot was
/// awarded again: the annulled award stays published, cancelled, with the reason.
pub fn reawarded(n: u64) -> Procedure {
    let mut p = full_cycle(n);
    let again = p.awards[1].clone();
    let first_at = again.date.as_micros() - 3 * DAY;
    p.awards.insert(
        1,
        AwardStage {
            id: "2-annulled".into(),
            date: Timestamp::from_micros(first_at),
            status: AwardStatus::Cancelled,
            // The update: annulled two days later.
            standstill_end: Some(Timestamp::from_micros(first_at + 2 * DAY)),
            description: Some(
                "Complaint upheld: lot 2's price was scored with the wrong formula".into(),
            ),
            contract_period: None,
            ..again
        },
    );
    p
}

/// A procedure published and then cancelled before the deadline.
pub fn cancelled(n: u64) -> Procedure {
    let mut p = full_cycle(n);
    p.tender.truncate(1);
    p.opening = None;
    p.awards.clear();
    p.contracts.clear();
    let published = p.tender[0].date;
    p.cancellation = Some(Cancellation {
        date: Timestamp::from_micros(published.as_micros() + 4 * DAY),
        reason: "The requirement was withdrawn by the requesting agency".into(),
    });
    p
}
