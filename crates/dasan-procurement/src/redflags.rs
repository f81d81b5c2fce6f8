//! Red flags: patterns in the platform's own procurement data that deserve a closer look, in
//! the spirit of the Open Contracting Partnership's *Red Flags for Integrity* guide. A flag is
//! not a finding of wrongdoing; it says where to look. Pure: no I/O, no clock (the caller
//! passes `now`), exact integer arithmetic.
//!
//! | flag | rule (thresholds in [`RedFlagConfig`]) |
//! |---|---|
//! | `single_bidder` | an opened tender where a lot received exactly one bid |
//! | `short_tender_period` | bid deadline − publication below `min_tender_period_hours` |
//! | `near_floor` | adequacy review (적격심사): the awarded price is at or above the floor price by less than `near_floor_margin_ppm` of the planned price |
//! | `repeated_winner` | within `repeat_window_days` before `now`, one supplier won at least `repeat_share_bp` of an entity's awarded lots, the entity having awarded at least `repeat_min_awards` |
//!
//! Worked examples (the unit tests below check each):
//!
//! * Published Monday 09:00, bid deadline Thursday 09:00: 72 hours < 168 (7 days, the default):
//!   `short_tender_period { hours: 72, threshold_hours: 168 }`.
//! * Planned price 100 000 000 won, floor rate 87.745 % → floor price 87 745 000; awarded at
//!   87 800 000: 55 000 above the floor = 550 ppm of the planned price < 1 000 ppm (the
//!   default, 0.1 percentage point): `near_floor`. At 87 900 000 (1 550 ppm) it is not.
//! * PPS awarded 4 lots in the past year, 3 to supplier S: 75 % ≥ 50 % and 4 ≥ 3 awards:
//!   `repeated_winner { won: 3, total: 4 }`. With only 2 awards in the window, no flag.

use std::collections::BTreeMap;

use dasan_kernel::Timestamp;
use serde::{Deserialize, Serialize};

/// Microseconds in an hour and a day.
const HOUR_US: i64 = 3_600_000_000;
const DAY_US: i64 = 24 * HOUR_US;

/// The thresholds of the red flags (configuration `[procurement]`, `red_flag_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedFlagConfig {
    /// A tender period (publication → bid deadline) shorter than this is flagged. Default 168
    /// hours (7 days: the shortest notice period of Korean open tenders under the Enforcement
    /// Decree of the State Contracts Act, art. 35).
    pub min_tender_period_hours: u32,
    /// Adequacy review: an award less than this far above the floor price (in ppm of the
    /// planned price) is flagged. Default 1 000 (0.1 percentage point).
    pub near_floor_margin_ppm: u32,
    /// Repeated winner: the share of an entity's awarded lots one supplier must reach, in basis
    /// points. Default 5 000 (50 %).
    pub repeat_share_bp: u32,
    /// Repeated winner: the fewest awarded lots of an entity in the window for the flag to
    /// apply (small numbers say nothing). Default 3.
    pub repeat_min_awards: u32,
    /// Repeated winner: the window before now, in days. Default 365.
    pub repeat_window_days: u32,
}

impl Default for RedFlagConfig {
    fn default() -> Self {
        RedFlagConfig {
            min_tender_period_hours: 168,
            near_floor_margin_ppm: 1_000,
            repeat_share_bp: 5_000,
            repeat_min_awards: 3,
            repeat_window_days: 365,
        }
    }
}

/// The kinds of flag, for filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedFlagKind {
    SingleBidder,
    ShortTenderPeriod,
    NearFloor,
    RepeatedWinner,
}

impl RedFlagKind {
    pub const ALL: [RedFlagKind; 4] = [
        RedFlagKind::SingleBidder,
        RedFlagKind::ShortTenderPeriod,
        RedFlagKind::NearFloor,
        RedFlagKind::RepeatedWinner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RedFlagKind::SingleBidder => "single_bidder",
            RedFlagKind::ShortTenderPeriod => "short_tender_period",
            RedFlagKind::NearFloor => "near_floor",
            RedFlagKind::RepeatedWinner => "repeated_winner",
        }
    }

    pub fn parse(s: &str) -> Option<RedFlagKind> {
        RedFlagKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One red flag with the figures it rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RedFlag {
    /// These lots of an opened tender received exactly one bid.
    SingleBidder { lots: Vec<String> },
    /// The tender period, in whole hours (rounded down), and the threshold.
    ShortTenderPeriod { hours: i64, threshold_hours: u32 },
    /// The lot's award was `above_floor_ppm` (of the planned price) above its floor price.
    NearFloor {
        lot_id: String,
        price_minor: u64,
        floor_price_minor: u64,
        planned_price_minor: u64,
        above_floor_ppm: u64,
        threshold_ppm: u32,
    },
    /// The supplier won `won` of the entity's `total` awarded lots in the window.
    RepeatedWinner {
        agency: String,
        supplier_id: String,
        won: u32,
        total: u32,
        window_days: u32,
    },
}

impl RedFlag {
    pub fn kind(&self) -> RedFlagKind {
        match self {
            RedFlag::SingleBidder { .. } => RedFlagKind::SingleBidder,
            RedFlag::ShortTenderPeriod { .. } => RedFlagKind::ShortTenderPeriod,
            RedFlag::NearFloor { .. } => RedFlagKind::NearFloor,
            RedFlag::RepeatedWinner { .. } => RedFlagKind::RepeatedWinner,
        }
    }
}

/// An awarded lot (the award in standstill or final).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardedLotFacts {
    pub lot_id: String,
    pub supplier_id: String,
    pub price_minor: u64,
    /// Adequacy review: the planned price and the floor price of the lot.
    pub planned_price_minor: Option<u64>,
    pub floor_price_minor: Option<u64>,
}

/// What the flags of one tender are computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenderFacts {
    pub published_at: Timestamp,
    /// The current bid deadline: the time bidders actually had, amendments and extensions
    /// included.
    pub bid_deadline: Timestamp,
    /// `None` until opened; then the number of opened bids pricing each lot (lots with no bid
    /// included, as 0).
    pub bids_per_lot: Option<Vec<(String, u32)>>,
    pub awarded: Vec<AwardedLotFacts>,
}

/// The flags of one tender on its own facts (not the repeated winner, which needs the
/// entity's other awards: see [`repeated_winners`]).
pub fn tender_flags(t: &TenderFacts, config: &RedFlagConfig) -> Vec<RedFlag> {
    let mut out = Vec::new();
    if let Some(lots) = &t.bids_per_lot {
        let single: Vec<String> = lots
            .iter()
            .filter(|(_, n)| *n == 1)
            .map(|(l, _)| l.clone())
            .collect();
        if !single.is_empty() {
            out.push(RedFlag::SingleBidder { lots: single });
        }
    }
    let period = t
        .bid_deadline
        .as_micros()
        .saturating_sub(t.published_at.as_micros());
    if period < i64::from(config.min_tender_period_hours).saturating_mul(HOUR_US) {
        out.push(RedFlag::ShortTenderPeriod {
            hours: period.div_euclid(HOUR_US),
            threshold_hours: config.min_tender_period_hours,
        });
    }
    for lot in &t.awarded {
        let (Some(planned), Some(floor)) = (lot.planned_price_minor, lot.floor_price_minor) else {
            continue;
        };
        if planned == 0 || lot.price_minor < floor {
            continue;
        }
        // (price − floor) / planned in ppm, rounded down; compared exactly below.
        let above = u128::from(lot.price_minor - floor) * 1_000_000;
        if above < u128::from(config.near_floor_margin_ppm) * u128::from(planned) {
            out.push(RedFlag::NearFloor {
                lot_id: lot.lot_id.clone(),
                price_minor: lot.price_minor,
                floor_price_minor: floor,
                planned_price_minor: planned,
                above_floor_ppm: u64::try_from(above / u128::from(planned)).unwrap_or(u64::MAX),
                threshold_ppm: config.near_floor_margin_ppm,
            });
        }
    }
    out
}

/// One awarded lot for the repeated-winner rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityAward {
    pub agency: String,
    pub supplier_id: String,
    pub awarded_at: Timestamp,
}

/// Every (entity, supplier) pair where the supplier won at least `repeat_share_bp` of the
/// entity's awarded lots in the window `(now − repeat_window_days, now]`, when the entity
/// awarded at least `repeat_min_awards` there. Sorted by entity, then supplier.
pub fn repeated_winners(
    awards: &[EntityAward],
    now: Timestamp,
    config: &RedFlagConfig,
) -> Vec<RedFlag> {
    let from = now
        .as_micros()
        .saturating_sub(i64::from(config.repeat_window_days).saturating_mul(DAY_US));
    let mut per_entity: BTreeMap<&str, BTreeMap<&str, u32>> = BTreeMap::new();
    for a in awards {
        let t = a.awarded_at.as_micros();
        if t > from && t <= now.as_micros() {
            *per_entity
                .entry(a.agency.as_str())
                .or_default()
                .entry(a.supplier_id.as_str())
                .or_default() += 1;
        }
    }
    let mut out = Vec::new();
    for (agency, suppliers) in per_entity {
        let total: u32 = suppliers.values().sum();
        if total < config.repeat_min_awards.max(1) {
            continue;
        }
        for (supplier, won) in suppliers {
            // won / total ≥ share_bp / 10 000, exactly.
            if u64::from(won) * 10_000 >= u64::from(config.repeat_share_bp) * u64::from(total) {
                out.push(RedFlag::RepeatedWinner {
                    agency: agency.to_owned(),
                    supplier_id: supplier.to_owned(),
                    won,
                    total,
                    window_days: config.repeat_window_days,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(h: i64) -> Timestamp {
        Timestamp::from_micros(1_800_000_000_000_000 + h * HOUR_US)
    }

    fn facts() -> TenderFacts {
        TenderFacts {
            published_at: hours(0),
            bid_deadline: hours(240),
            bids_per_lot: None,
            awarded: Vec::new(),
        }
    }

    #[test]
    fn a_clean_tender_has_no_flag() {
        let mut t = facts();
        t.bids_per_lot = Some(vec![("1".into(), 3), ("2".into(), 0)]);
        assert!(tender_flags(&t, &RedFlagConfig::default()).is_empty());
    }

    #[test]
    fn a_lot_with_one_bid_is_flagged_once_opened() {
        let mut t = facts();
        assert!(
            tender_flags(&t, &RedFlagConfig::default()).is_empty(),
            "not opened yet"
        );
        t.bids_per_lot = Some(vec![("1".into(), 1), ("2".into(), 2), ("3".into(), 1)]);
        assert_eq!(
            tender_flags(&t, &RedFlagConfig::default()),
            [RedFlag::SingleBidder {
                lots: vec!["1".into(), "3".into()]
            }]
        );
    }

    #[test]
    fn a_tender_period_below_the_threshold_is_flagged_to_the_microsecond() {
        let config = RedFlagConfig::default();
        let mut t = facts();
        // Monday 09:00 → Thursday 09:00: 72 hours.
        t.bid_deadline = hours(72);
        assert_eq!(
            tender_flags(&t, &config),
            [RedFlag::ShortTenderPeriod {
                hours: 72,
                threshold_hours: 168
            }]
        );
        // Exactly seven days is not short; one microsecond less is.
        t.bid_deadline = hours(168);
        assert!(tender_flags(&t, &config).is_empty());
        t.bid_deadline = Timestamp::from_micros(hours(168).as_micros() - 1);
        assert_eq!(
            tender_flags(&t, &config),
            [RedFlag::ShortTenderPeriod {
                hours: 167,
                threshold_hours: 168
            }]
        );
        // A configured threshold.
        let strict = RedFlagConfig {
            min_tender_period_hours: 240,
            ..config
        };
        t.bid_deadline = hours(200);
        assert_eq!(
            tender_flags(&t, &strict)[0].kind(),
            RedFlagKind::ShortTenderPeriod
        );
    }

    fn adequacy(price: u64) -> AwardedLotFacts {
        AwardedLotFacts {
            lot_id: "1".into(),
            supplier_id: "s".into(),
            price_minor: price,
            planned_price_minor: Some(100_000_000),
            // 87.745 % of 100 000 000.
            floor_price_minor: Some(87_745_000),
        }
    }

    #[test]
    fn an_award_just_above_the_floor_is_flagged() {
        let config = RedFlagConfig::default();
        let mut t = facts();
        // 55 000 above the floor: 550 ppm of the planned price.
        t.awarded = vec![adequacy(87_800_000)];
        assert_eq!(
            tender_flags(&t, &config),
            [RedFlag::NearFloor {
                lot_id: "1".into(),
                price_minor: 87_800_000,
                floor_price_minor: 87_745_000,
                planned_price_minor: 100_000_000,
                above_floor_ppm: 550,
                threshold_ppm: 1_000,
            }]
        );
        // On the floor itself: flagged (0 ppm).
        t.awarded = vec![adequacy(87_745_000)];
        assert_eq!(tender_flags(&t, &config).len(), 1);
        // 1 550 ppm above, or exactly at the margin (1 000 ppm): not flagged.
        t.awarded = vec![adequacy(87_900_000)];
        assert!(tender_flags(&t, &config).is_empty());
        t.awarded = vec![adequacy(87_845_000)];
        assert!(tender_flags(&t, &config).is_empty());
        // Not an adequacy review (no floor): never.
        t.awarded = vec![AwardedLotFacts {
            planned_price_minor: None,
            floor_price_minor: None,
            ..adequacy(87_800_000)
        }];
        assert!(tender_flags(&t, &config).is_empty());
    }

    fn award(agency: &str, supplier: &str, day: i64) -> EntityAward {
        EntityAward {
            agency: agency.into(),
            supplier_id: supplier.into(),
            awarded_at: hours(day * 24),
        }
    }

    #[test]
    fn a_supplier_winning_most_of_an_entitys_awards_is_flagged() {
        let config = RedFlagConfig::default();
        let now = hours(400 * 24);
        let awards = vec![
            award("PPS", "S", 100),
            award("PPS", "S", 200),
            award("PPS", "T", 300),
            award("PPS", "S", 390),
            // Another entity: 2 awards, too few to say anything.
            award("MOLIT", "T", 390),
            award("MOLIT", "T", 391),
            // Outside the window (more than 365 days before now).
            award("PPS", "T", 30),
        ];
        assert_eq!(
            repeated_winners(&awards, now, &config),
            [RedFlag::RepeatedWinner {
                agency: "PPS".into(),
                supplier_id: "S".into(),
                won: 3,
                total: 4,
                window_days: 365,
            }]
        );
        // Exactly at the share (2 of 4 = 50 %) both suppliers are flagged.
        let even = vec![
            award("PPS", "S", 100),
            award("PPS", "S", 200),
            award("PPS", "T", 300),
            award("PPS", "T", 390),
        ];
        assert_eq!(repeated_winners(&even, now, &config).len(), 2);
        // A higher share threshold clears them.
        let strict = RedFlagConfig {
            repeat_share_bp: 6_000,
            ..config
        };
        assert!(repeated_winners(&even, now, &strict).is_empty());
        // Future awards (after now) do not count.
        assert!(repeated_winners(&awards, hours(0), &config).is_empty());
    }

    #[test]
    fn kinds_round_trip() {
        for k in RedFlagKind::ALL {
            assert_eq!(RedFlagKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(RedFlagKind::parse("bogus"), None);
    }
}
