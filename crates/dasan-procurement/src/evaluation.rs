//! Evaluation of opened bids (pure: no database, no clock, no HTTP).
//!
//! The tender declares its evaluation rules as data ([`Evaluation`]); after opening,
//! [`evaluate`] turns the opened bids, the evaluators' scores and the procuring entity's
//! decisions on abnormally low bids ([`EvaluationInput`]) into an [`EvaluationResult`] per lot:
//! every bid with its flags, its score and how it was derived, its rank, and the winner or why
//! there is none. The same input always gives the same result, whatever order the bids and
//! scores come in (inputs are put in canonical order first), and every number that decides an
//! award is an exact rational (`num-rational` over `num-bigint`): never floating point.
//! Scores are shown as decimals rounded half up to [`SCORE_DECIMALS`] places *and* as the exact
//! fraction; ranking always compares the exact values.
//!
//! # Methods
//!
//! * **Lowest price** (`lowest_price`): the lowest valid price wins.
//! * **Best value / MEAT** (`best_value`): each evaluator scores each non-price criterion of
//!   each bid from 0 to the criterion's `max_points`, blind to the others (the store keeps
//!   sheets sealed until all are in). A bid's criterion score is the mean over evaluators;
//!   the total, out of 100 points, is `Σ (weight_bp / 100) × mean / max_points` plus
//!   `(price_weight_bp / 100) × f`, where `f` is the declared price formula:
//!   `proportional` = `lowest / price`; `linear` = `max(0, 1 − (price − lowest) / lowest)`,
//!   `lowest` being the lowest price among the lot's ranked bids. The highest total wins.
//! * **Adequacy review / 적격심사** (`adequacy_review`): the planned price (예정가격) comes from
//!   the multiple reserve price draw ([`crate::reserve`]); the tender's band table gives the
//!   floor rate (낙찰하한율, in parts per million because Korean rates have three decimals in
//!   per cent: 87.745 % = 877 450 ppm) for the planned price. Bids above the planned price or
//!   below `planned × floor rate` are not reviewed. The others are reviewed from the lowest
//!   price upward: each gets the capability score (evaluators' points per criterion, mean over
//!   evaluators, summed) plus the price score `price_points − coefficient × |base rate −
//!   price / planned| × 100`, kept between `price_min_points` and `price_points` (the shape of
//!   the Public Procurement Service's 적격심사세부기준: 70 − 4 × |88/100 − bid/planned| × 100);
//!   the first bid whose total reaches the pass mark (e.g. 92 of 100) wins, later bids are not
//!   reviewed.
//!
//! # Abnormally low bids
//!
//! Lowest price and best value may declare an [`AbnormallyLowRule`]: a bid is *abnormally low*
//! when its price is below `threshold_bp` of a reference (the mean of the lot's valid bids, or
//! the estimated value). What follows is the declared action:
//!
//! * `justify` — Directive 2014/24/EU art. 69 (and Korea's 저가심의): the bid is flagged, never
//!   rejected automatically. If it ranks first the lot's outcome is
//!   [`LotOutcome::JustificationRequired`]; the entity asks the bidder to explain and records
//!   its decision ([`LowBidDecision`]) as an input of a new evaluation: accepted, the bid stays;
//!   not accepted, it is excluded (with the reason in the report).
//! * `reject` — automatic exclusion, as national laws allow below the EU thresholds (e.g.
//!   Italy's d.lgs. 36/2023 art. 54, only with enough bids: `min_bids`). With fewer valid bids
//!   than `min_bids` the rule does not apply.
//!
//! # Ties
//!
//! Equal prices (lowest price, adequacy review) or equal exact totals (best value) are ordered
//! by the tender's [`TieBreak`]:
//!
//! * `earliest_submission`: the earlier receipt time (the signed receipt's) first;
//! * `lottery`: ascending `SHA-256("dasan-procurement/v1/tie-break-lottery" 0x00 || seed ||
//!   u16(len lot_id) || lot_id || bid_id)`, integers big-endian. The seed is the bid-box root,
//!   published at the deadline, before any price is known, and fixed by all bids together, so
//!   anyone can recompute the draw and nobody could aim it. No RNG state is involved.
//!
//! Receipt times equal to the microsecond fall back to the lottery order, so the order is
//! always total.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use dasan_kernel::{FieldError, Timestamp};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::envelope::BidId;
use crate::keys::hex32;
use crate::opening::OpeningRecord;

/// Decimal places of scores as shown (rounded half up); the exact fraction is shown as well.
pub const SCORE_DECIMALS: u32 = 4;
/// Largest `max_points` of a criterion.
pub const MAX_CRITERION_POINTS: u32 = 1_000;
/// Most criteria in a tender.
pub const MAX_CRITERIA: usize = 30;
/// Most price bands in an adequacy review table.
pub const MAX_BANDS: usize = 20;
/// Parts per million: the unit of floor and base rates.
pub const PPM: u32 = 1_000_000;
/// Longest criterion name, evaluator id or decision reason, in characters.
pub const MAX_NAME: usize = 200;
/// Format tag of the JSON evaluation report.
pub const EVALUATION_FORMAT: &str = "dasan-procurement/evaluation-report/v1";

const LOTTERY_DOMAIN: &[u8] = b"dasan-procurement/v1/tie-break-lottery\0";

// ---------------------------------------------------------------------------------------------
// The rules, as the tender declares them

/// How bids will be evaluated: the method with its rules, and the tie-break rule.
///
/// JSON: `{"method": "lowest_price", "abnormally_low": {...}, "tie_break": "lottery"}` — the
/// method's fields sit beside `method`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    #[serde(flatten)]
    pub method: EvaluationMethod,
    /// How equal bids are ordered (written in the tender, never luck).
    pub tie_break: TieBreak,
}

/// The evaluation method and its parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum EvaluationMethod {
    /// The lowest valid price wins.
    LowestPrice {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        abnormally_low: Option<AbnormallyLowRule>,
    },
    /// Weighted scoring of price and quality (most economically advantageous tender).
    BestValue(BestValueRule),
    /// The Korean adequacy review (적격심사).
    AdequacyReview(AdequacyRule),
}

impl EvaluationMethod {
    /// The method's JSON name.
    pub fn as_str(&self) -> &'static str {
        match self {
            EvaluationMethod::LowestPrice { .. } => "lowest_price",
            EvaluationMethod::BestValue(_) => "best_value",
            EvaluationMethod::AdequacyReview(_) => "adequacy_review",
        }
    }

    /// The criteria evaluators score: `(name, max_points)`; empty for lowest price.
    pub fn scored_criteria(&self) -> Vec<(&str, u32)> {
        match self {
            EvaluationMethod::LowestPrice { .. } => Vec::new(),
            EvaluationMethod::BestValue(r) => r
                .criteria
                .iter()
                .map(|c| (c.name.as_str(), c.max_points))
                .collect(),
            EvaluationMethod::AdequacyReview(r) => r
                .criteria
                .iter()
                .map(|c| (c.name.as_str(), c.max_points))
                .collect(),
        }
    }
}

/// How equal bids are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    /// The bid received first (by its receipt time) goes first.
    EarliestSubmission,
    /// A lottery recomputable by anyone from the published seed (the bid-box root).
    Lottery,
}

/// What an abnormally low price is measured against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LowBidReference {
    /// The arithmetic mean of the lot's valid bids (exact).
    MeanOfBids,
    /// The tender's estimated value (single-lot tenders only).
    EstimatedValue,
}

/// What happens to an abnormally low bid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LowBidAction {
    /// Flagged; the bidder must explain and the entity decides (Directive 2014/24/EU art. 69).
    Justify,
    /// Excluded automatically (only with at least `min_bids` valid bids).
    Reject,
}

/// The abnormally-low-bid rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbnormallyLowRule {
    pub reference: LowBidReference,
    /// A price strictly below `threshold_bp / 10 000 × reference` is abnormally low (1..=10 000).
    pub threshold_bp: u32,
    pub action: LowBidAction,
    /// The rule applies only when the lot has at least this many valid bids (0: always).
    #[serde(default)]
    pub min_bids: u32,
}

/// Best value (MEAT) rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BestValueRule {
    /// Non-price criteria; their weights plus `price_weight_bp` add up to 10 000.
    pub criteria: Vec<Criterion>,
    /// The price's weight in basis points.
    pub price_weight_bp: u32,
    pub price_formula: PriceFormula,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abnormally_low: Option<AbnormallyLowRule>,
}

/// A weighted, scored criterion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub name: String,
    /// Weight in basis points.
    pub weight_bp: u32,
    /// Evaluators give whole points from 0 to this (1..=[`MAX_CRITERION_POINTS`]).
    pub max_points: u32,
}

/// How price becomes a fraction of the price weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceFormula {
    /// `lowest / price`.
    Proportional,
    /// `max(0, 1 − (price − lowest) / lowest)`: a bid twice the lowest scores nothing.
    Linear,
}

/// Adequacy review (적격심사) rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdequacyRule {
    /// The floor rate by planned price band, ascending by `below`; the last band has no
    /// upper bound.
    pub floor_bands: Vec<FloorBand>,
    /// Capability criteria scored by evaluators, in points.
    pub criteria: Vec<ReviewCriterion>,
    /// The price score's maximum; with the criteria's maxima it adds up to 100.
    pub price_points: u32,
    /// The price ratio that scores full points, in ppm (880 000 = 88 %).
    pub price_base_rate_ppm: u32,
    /// Points lost per percentage point between the bid's ratio and the base rate.
    pub price_coefficient: u32,
    /// The price score never falls below this.
    pub price_min_points: u32,
    /// The total a bid needs to pass (out of 100).
    pub pass_mark: u32,
}

/// A band of the floor-rate table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloorBand {
    /// The band covers planned prices strictly below this (minor units); `None`: no bound.
    #[serde(default)]
    pub below: Option<u64>,
    /// The floor rate in ppm (877 450 = 87.745 %).
    pub floor_rate_ppm: u32,
}

/// A capability criterion of the adequacy review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCriterion {
    pub name: String,
    /// Evaluators give whole points from 0 to this.
    pub max_points: u32,
}

impl AdequacyRule {
    /// The floor rate (ppm) for a planned price.
    pub fn floor_rate_ppm(&self, planned: u64) -> Option<u32> {
        self.floor_bands
            .iter()
            .find(|b| b.below.is_none_or(|below| planned < below))
            .map(|b| b.floor_rate_ppm)
    }
}

/// A name or reason: 1 to [`MAX_NAME`] characters, no control characters at all.
pub(crate) fn name_ok(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty() && t.chars().count() <= MAX_NAME && !t.chars().any(char::is_control)
}

fn check_low_rule(
    r: &AbnormallyLowRule,
    lots: usize,
    has_estimate: bool,
    field: &str,
    bad: &mut impl FnMut(String, &'static str),
) {
    if r.threshold_bp == 0 || r.threshold_bp > 10_000 {
        bad(
            format!("{field}.threshold_bp"),
            "procurement-error-low-bid-rule",
        );
    }
    if r.reference == LowBidReference::EstimatedValue && (!has_estimate || lots != 1) {
        bad(
            format!("{field}.reference"),
            "procurement-error-low-bid-reference",
        );
    }
}

fn check_criteria_names<'a>(
    names: impl Iterator<Item = &'a mut String>,
    bad: &mut impl FnMut(String, &'static str),
) {
    let mut seen = BTreeSet::new();
    for (i, n) in names.enumerate() {
        if !name_ok(n) || !seen.insert(n.trim().to_owned()) {
            bad(
                format!("evaluation.criteria[{i}].name"),
                "procurement-error-criterion",
            );
        } else {
            *n = n.trim().to_owned();
        }
    }
}

impl Evaluation {
    /// Checks the rules against the notice: `lots` lots, an estimated value or not, a reserve
    /// price rule or not. Puts criterion names in canonical form (trimmed).
    pub fn validate(
        &mut self,
        lots: usize,
        has_estimate: bool,
        has_reserve: bool,
    ) -> Vec<FieldError> {
        let mut e = Vec::new();
        let mut bad = |field: String, msg: &'static str| e.push(FieldError::new(field, msg));
        match &mut self.method {
            EvaluationMethod::LowestPrice { abnormally_low } => {
                if let Some(r) = abnormally_low {
                    check_low_rule(r, lots, has_estimate, "evaluation.abnormally_low", &mut bad);
                }
            }
            EvaluationMethod::BestValue(r) => {
                if r.criteria.is_empty() {
                    bad(
                        "evaluation.criteria".into(),
                        "procurement-error-weights-required",
                    );
                }
                if r.criteria.len() > MAX_CRITERIA {
                    bad("evaluation.criteria".into(), "procurement-error-criteria");
                }
                let sum: u64 = r
                    .criteria
                    .iter()
                    .map(|c| u64::from(c.weight_bp))
                    .sum::<u64>()
                    + u64::from(r.price_weight_bp);
                if sum != 10_000 || r.criteria.iter().any(|c| c.weight_bp == 0) {
                    bad(
                        "evaluation.criteria".into(),
                        "procurement-error-weights-sum",
                    );
                }
                for (i, c) in r.criteria.iter().enumerate() {
                    if c.max_points == 0 || c.max_points > MAX_CRITERION_POINTS {
                        bad(
                            format!("evaluation.criteria[{i}].max_points"),
                            "procurement-error-max-points",
                        );
                    }
                }
                check_criteria_names(r.criteria.iter_mut().map(|c| &mut c.name), &mut bad);
                if let Some(low) = &r.abnormally_low {
                    check_low_rule(
                        low,
                        lots,
                        has_estimate,
                        "evaluation.abnormally_low",
                        &mut bad,
                    );
                }
            }
            EvaluationMethod::AdequacyReview(r) => {
                // The planned price is one per tender (the reserve draw), so one lot.
                if !has_reserve || lots != 1 {
                    bad(
                        "evaluation.method".into(),
                        "procurement-error-adequacy-needs-reserve",
                    );
                }
                let bands_ok = !r.floor_bands.is_empty()
                    && r.floor_bands.len() <= MAX_BANDS
                    && r.floor_bands.iter().all(|b| {
                        b.floor_rate_ppm > 0 && b.floor_rate_ppm <= PPM && b.below != Some(0)
                    })
                    && r.floor_bands.last().is_some_and(|b| b.below.is_none())
                    && r.floor_bands[..r.floor_bands.len() - 1]
                        .iter()
                        .all(|b| b.below.is_some())
                    && r.floor_bands
                        .windows(2)
                        .all(|w| match (w[0].below, w[1].below) {
                            (Some(a), Some(b)) => a < b,
                            _ => true,
                        });
                if !bands_ok {
                    bad(
                        "evaluation.floor_bands".into(),
                        "procurement-error-floor-bands",
                    );
                }
                if r.criteria.len() > MAX_CRITERIA {
                    bad("evaluation.criteria".into(), "procurement-error-criteria");
                }
                for (i, c) in r.criteria.iter().enumerate() {
                    if c.max_points == 0 || c.max_points > MAX_CRITERION_POINTS {
                        bad(
                            format!("evaluation.criteria[{i}].max_points"),
                            "procurement-error-max-points",
                        );
                    }
                }
                check_criteria_names(r.criteria.iter_mut().map(|c| &mut c.name), &mut bad);
                let total: u64 = r
                    .criteria
                    .iter()
                    .map(|c| u64::from(c.max_points))
                    .sum::<u64>()
                    + u64::from(r.price_points);
                if total != 100
                    || r.price_points == 0
                    || r.price_min_points > r.price_points
                    || r.price_base_rate_ppm == 0
                    || r.price_base_rate_ppm > PPM
                {
                    bad(
                        "evaluation.price_points".into(),
                        "procurement-error-adequacy-points",
                    );
                }
                if r.pass_mark == 0 || r.pass_mark > 100 {
                    bad("evaluation.pass_mark".into(), "procurement-error-pass-mark");
                }
            }
        }
        e
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs

/// An opened bid as the evaluation sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BidInput {
    pub bid_id: BidId,
    pub supplier_id: String,
    /// When the platform received it (its signed receipt's time).
    pub submitted_at: Timestamp,
    /// Prices per lot, as in the opening record.
    pub lots: Vec<crate::LotPrice>,
}

/// One evaluator's points for one criterion of one bid on one lot.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreEntry {
    pub bid_id: BidId,
    pub lot_id: String,
    pub criterion: String,
    pub evaluator: String,
    pub points: u32,
}

/// The entity's decision on an abnormally low bid's explanation.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LowBidDecision {
    pub bid_id: BidId,
    pub lot_id: String,
    /// Whether the explanation accounts for the low price.
    pub accepted: bool,
    pub reason: String,
}

/// Everything an evaluation depends on. Public: the report carries it, so anyone can
/// recompute the result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationInput {
    pub tender_id: String,
    pub rules: Evaluation,
    /// The tender's lots, in notice order.
    pub lot_ids: Vec<String>,
    /// The currency prices must be in (ISO 4217).
    pub currency: String,
    #[serde(default)]
    pub estimated_value_minor: Option<u64>,
    /// The planned price (예정가격) from the reserve draw (adequacy review).
    #[serde(default)]
    pub planned_price_minor: Option<u64>,
    /// The tie-break lottery's seed: the bid-box root, hex.
    #[serde(with = "hex32")]
    pub lottery_seed: [u8; 32],
    pub bids: Vec<BidInput>,
    /// Who scores (opaque ids: account ids in the store).
    #[serde(default)]
    pub evaluators: Vec<String>,
    #[serde(default)]
    pub scores: Vec<ScoreEntry>,
    #[serde(default)]
    pub low_bid_decisions: Vec<LowBidDecision>,
}

impl EvaluationInput {
    /// The input for an opening record: its opened bids with their receipt times, the
    /// tender's rules and lots, the planned price, the seed (the bid-box root), and the scores
    /// and decisions so far.
    ///
    /// # Errors
    /// [`EvaluationError::MissingReceiptTime`] when a bid has no receipt time, and
    /// [`EvaluationError::MixedCurrencies`] when the tender names no currency (no estimated
    /// value) and the bids use several.
    pub fn from_opening(
        notice: &crate::TenderNotice,
        opening: &OpeningRecord,
        submitted_at: &BTreeMap<BidId, Timestamp>,
        planned_price_minor: Option<u64>,
        evaluators: Vec<String>,
        scores: Vec<ScoreEntry>,
        low_bid_decisions: Vec<LowBidDecision>,
    ) -> Result<EvaluationInput, EvaluationError> {
        let bids = opening
            .opened
            .iter()
            .map(|b| {
                Ok(BidInput {
                    bid_id: b.bid_id,
                    supplier_id: b.supplier_id.clone(),
                    submitted_at: *submitted_at
                        .get(&b.bid_id)
                        .ok_or(EvaluationError::MissingReceiptTime(b.bid_id))?,
                    lots: b.lots.clone(),
                })
            })
            .collect::<Result<Vec<_>, EvaluationError>>()?;
        let currency = match notice.estimated_value {
            Some(m) => m.currency.code().to_owned(),
            None => {
                let used: BTreeSet<&str> = bids
                    .iter()
                    .flat_map(|b| b.lots.iter().map(|l| l.currency.as_str()))
                    .collect();
                match used.len() {
                    0 => "KRW".to_owned(),
                    1 => used
                        .iter()
                        .next()
                        .map(|c| (*c).to_owned())
                        .unwrap_or_default(),
                    _ => return Err(EvaluationError::MixedCurrencies),
                }
            }
        };
        let mut input = EvaluationInput {
            tender_id: opening.tender_id.clone(),
            rules: notice.evaluation.clone(),
            lot_ids: notice.lots.iter().map(|l| l.id.clone()).collect(),
            currency,
            estimated_value_minor: notice
                .estimated_value
                .and_then(|m| u64::try_from(m.minor).ok()),
            planned_price_minor,
            lottery_seed: opening.bid_box_root.0,
            bids,
            evaluators,
            scores,
            low_bid_decisions,
        };
        input.canonicalise();
        Ok(input)
    }

    /// Puts lists in canonical order (bids by id, scores and decisions sorted, evaluators
    /// sorted): the order things arrived in never matters.
    pub fn canonicalise(&mut self) {
        self.bids.sort_by_key(|b| b.bid_id);
        for b in &mut self.bids {
            b.lots.sort_by(|x, y| x.lot_id.cmp(&y.lot_id));
        }
        self.evaluators.sort();
        self.scores.sort();
        self.low_bid_decisions.sort();
    }
}

// ---------------------------------------------------------------------------------------------
// Outputs

/// An exact score: the fraction, and the decimal rounded half up to [`SCORE_DECIMALS`] places.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExactScore {
    /// `12.3457`.
    pub decimal: String,
    /// `p/q` in lowest terms (or `p` when whole).
    pub exact: String,
}

impl ExactScore {
    fn of(r: &BigRational) -> ExactScore {
        ExactScore {
            decimal: decimal(r, SCORE_DECIMALS),
            exact: r.to_string(),
        }
    }
}

/// `r` rounded half away from zero to `places` decimals.
fn decimal(r: &BigRational, places: u32) -> String {
    let scale = BigInt::from(10u32).pow(places);
    let n = r.numer().abs() * &scale * 2 + r.denom();
    let scaled: BigInt = n / (r.denom() * 2);
    let digits = scaled.to_string();
    let places = places as usize;
    let padded = format!("{digits:0>width$}", width = places + 1);
    let (int, frac) = padded.split_at(padded.len() - places);
    let sign = if r.is_negative() && !scaled.is_zero() {
        "-"
    } else {
        ""
    };
    if places == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// One criterion's score for a bid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionScore {
    pub criterion: String,
    /// The mean of the evaluators' points.
    pub mean_points: ExactScore,
    /// What it adds to the total.
    pub points: ExactScore,
}

/// How a bid's score was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreBreakdown {
    pub criteria: Vec<CriterionScore>,
    /// The price's contribution.
    pub price_points: ExactScore,
    /// Out of 100.
    pub total: ExactScore,
}

/// Something the evaluation noticed about a bid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BidFlag {
    /// Priced in another currency than the tender's: excluded.
    WrongCurrency,
    /// A zero price: excluded.
    ZeroPrice,
    /// Below the abnormally-low threshold.
    AbnormallyLow,
    /// Its explanation was accepted: it stays.
    JustificationAccepted,
    /// Its explanation was not accepted: excluded.
    JustificationRejected,
    /// Excluded automatically by the abnormally-low rule.
    AutomaticallyExcluded,
    /// Adequacy review: above the planned price, excluded.
    AbovePlannedPrice,
    /// Adequacy review: below the floor price, not reviewed.
    BelowFloor,
}

/// Where a bid ended up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BidStatus {
    /// Ranked (lowest price, best value).
    Ranked,
    /// Adequacy review: reviewed and passed (the winner).
    Passed,
    /// Adequacy review: reviewed, below the pass mark.
    Failed,
    /// Adequacy review: not reached (a lower bid passed).
    NotReviewed,
    /// Not ranked (see the flags).
    Excluded,
}

/// One bid's evaluation on one lot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidEvaluation {
    pub bid_id: BidId,
    pub supplier_id: String,
    pub price_minor: u64,
    pub currency: String,
    pub status: BidStatus,
    /// 1 = best (review order in the adequacy review); `None` when excluded.
    pub rank: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<BidFlag>,
    /// The entity's reason when it decided on an explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<ScoreBreakdown>,
    /// Bids with the same price (or exact total) that the tie-break rule ordered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tied_with: Vec<BidId>,
    /// The bid's lottery key (hex), present when it was tied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lottery_key: Option<String>,
}

/// Why a lot has no winner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoAwardReason {
    /// No bid on the lot, or every bid excluded.
    NoValidBids,
    /// Adequacy review: no reviewed bid reached the pass mark.
    NonePassed,
}

/// A lot's outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LotOutcome {
    /// The winning bid.
    Award {
        bid_id: BidId,
        supplier_id: String,
        price_minor: u64,
    },
    /// The best bid is abnormally low and its explanation is not decided yet.
    JustificationRequired {
        bid_id: BidId,
        supplier_id: String,
    },
    NoAward {
        reason: NoAwardReason,
    },
}

/// A lot's evaluation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotResult {
    pub lot_id: String,
    pub currency: String,
    /// Adequacy review: the planned price, its floor rate and the floor price (the lowest
    /// reviewed price, rounded up to the minor unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_price_minor: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor_rate_ppm: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor_price_minor: Option<u64>,
    /// Prices strictly below this (minor units, exact) are abnormally low, when the rule
    /// applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abnormally_low_below: Option<ExactScore>,
    /// Ranked bids in rank order, then excluded bids by id.
    pub bids: Vec<BidEvaluation>,
    pub outcome: LotOutcome,
}

/// The evaluation of a tender: one result per lot, in notice order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationResult {
    pub tender_id: String,
    pub method: String,
    pub tie_break: TieBreak,
    pub lots: Vec<LotResult>,
}

impl EvaluationResult {
    /// `(lot, bid, supplier, price)` of every lot with a winner.
    pub fn winners(&self) -> Vec<(&str, BidId, &str, u64)> {
        self.lots
            .iter()
            .filter_map(|l| match &l.outcome {
                LotOutcome::Award {
                    bid_id,
                    supplier_id,
                    price_minor,
                } => Some((
                    l.lot_id.as_str(),
                    *bid_id,
                    supplier_id.as_str(),
                    *price_minor,
                )),
                _ => None,
            })
            .collect()
    }

    /// Whether any lot waits for a decision on an abnormally low bid.
    pub fn needs_justification(&self) -> bool {
        self.lots
            .iter()
            .any(|l| matches!(l.outcome, LotOutcome::JustificationRequired { .. }))
    }
}

/// Why an evaluation could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvaluationError {
    #[error("bid {0} appears twice")]
    DuplicateBid(BidId),
    #[error("no receipt time for bid {0}")]
    MissingReceiptTime(BidId),
    #[error("the tender names no currency and the bids use several")]
    MixedCurrencies,
    #[error("the rules are not valid: {0}")]
    InvalidRules(String),
    #[error("the adequacy review needs the planned price")]
    NoPlannedPrice,
    #[error("the planned price {0} has no floor band")]
    NoFloorBand(u64),
    #[error("criteria are scored but no evaluator is named")]
    NoEvaluators,
    #[error("evaluator {0:?} is named twice or is not a valid id")]
    BadEvaluator(String),
    #[error("a score names an unknown evaluator, bid, lot or criterion: {0}")]
    UnknownInScore(String),
    #[error("{evaluator} gave {points} points on {criterion}, over the maximum {max}")]
    PointsOverMax {
        evaluator: String,
        criterion: String,
        points: u32,
        max: u32,
    },
    #[error("{evaluator} scored {criterion} of bid {bid_id} on lot {lot_id} twice")]
    DuplicateScore {
        evaluator: String,
        bid_id: BidId,
        lot_id: String,
        criterion: String,
    },
    #[error("{evaluator} has not scored {criterion} of bid {bid_id} on lot {lot_id}")]
    MissingScore {
        evaluator: String,
        bid_id: BidId,
        lot_id: String,
        criterion: String,
    },
    #[error("a decision names bid {0} on a lot where it is not abnormally low, or twice")]
    BadDecision(BidId),
}

// ---------------------------------------------------------------------------------------------
// The engine

fn ratio(n: impl Into<BigInt>, d: impl Into<BigInt>) -> BigRational {
    BigRational::new(n.into(), d.into())
}

fn whole(n: impl Into<BigInt>) -> BigRational {
    BigRational::from_integer(n.into())
}

/// The lottery key of a bid on a lot.
pub fn lottery_key(seed: &[u8; 32], lot_id: &str, bid: &BidId) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(LOTTERY_DOMAIN);
    h.update(seed);
    let lot = lot_id.as_bytes();
    let len = u16::try_from(lot.len()).unwrap_or(u16::MAX);
    h.update(len.to_be_bytes());
    h.update(&lot[..usize::from(len)]);
    h.update(bid.0);
    h.finalize().into()
}

struct Candidate<'a> {
    bid: &'a BidInput,
    price: u64,
    currency: &'a str,
    flags: Vec<BidFlag>,
    excluded: bool,
    pending_justification: bool,
    decision_reason: Option<String>,
    lottery: [u8; 32],
    score: Option<(BigRational, ScoreBreakdown)>,
}

type ScoreKey<'a> = (BidId, &'a str, &'a str);

/// Checks the scores against the evaluators, bids, lots and criteria; returns the points by
/// `(bid, lot, criterion)` → evaluator → points.
fn index_scores(
    input: &EvaluationInput,
) -> Result<BTreeMap<ScoreKey<'_>, BTreeMap<&str, u32>>, EvaluationError> {
    let criteria: BTreeMap<&str, u32> = input.rules.method.scored_criteria().into_iter().collect();
    let mut evaluators = BTreeSet::new();
    for e in &input.evaluators {
        if !name_ok(e) || !evaluators.insert(e.as_str()) {
            return Err(EvaluationError::BadEvaluator(e.clone()));
        }
    }
    let bids: BTreeMap<BidId, &BidInput> = input.bids.iter().map(|b| (b.bid_id, b)).collect();
    let mut out: BTreeMap<ScoreKey<'_>, BTreeMap<&str, u32>> = BTreeMap::new();
    for s in &input.scores {
        let max = criteria
            .get(s.criterion.as_str())
            .ok_or_else(|| EvaluationError::UnknownInScore(format!("criterion {}", s.criterion)))?;
        if !evaluators.contains(s.evaluator.as_str()) {
            return Err(EvaluationError::UnknownInScore(format!(
                "evaluator {}",
                s.evaluator
            )));
        }
        let bid = bids
            .get(&s.bid_id)
            .ok_or_else(|| EvaluationError::UnknownInScore(format!("bid {}", s.bid_id)))?;
        if !bid.lots.iter().any(|l| l.lot_id == s.lot_id) {
            return Err(EvaluationError::UnknownInScore(format!(
                "lot {} of bid {}",
                s.lot_id, s.bid_id
            )));
        }
        if s.points > *max {
            return Err(EvaluationError::PointsOverMax {
                evaluator: s.evaluator.clone(),
                criterion: s.criterion.clone(),
                points: s.points,
                max: *max,
            });
        }
        let slot = out
            .entry((s.bid_id, s.lot_id.as_str(), s.criterion.as_str()))
            .or_default();
        if slot.insert(s.evaluator.as_str(), s.points).is_some() {
            return Err(EvaluationError::DuplicateScore {
                evaluator: s.evaluator.clone(),
                bid_id: s.bid_id,
                lot_id: s.lot_id.clone(),
                criterion: s.criterion.clone(),
            });
        }
    }
    Ok(out)
}

/// The mean points per criterion of a bid on a lot, in the rules' criterion order.
fn criterion_means(
    input: &EvaluationInput,
    scores: &BTreeMap<ScoreKey<'_>, BTreeMap<&str, u32>>,
    bid: BidId,
    lot: &str,
) -> Result<Vec<(String, u32, BigRational)>, EvaluationError> {
    let criteria = input.rules.method.scored_criteria();
    if !criteria.is_empty() && input.evaluators.is_empty() {
        return Err(EvaluationError::NoEvaluators);
    }
    criteria
        .into_iter()
        .map(|(name, max)| {
            let given = scores.get(&(bid, lot, name));
            let mut sum: u64 = 0;
            for e in &input.evaluators {
                let p = given.and_then(|g| g.get(e.as_str())).ok_or_else(|| {
                    EvaluationError::MissingScore {
                        evaluator: e.clone(),
                        bid_id: bid,
                        lot_id: lot.to_owned(),
                        criterion: name.to_owned(),
                    }
                })?;
                sum += u64::from(*p);
            }
            Ok((name.to_owned(), max, ratio(sum, input.evaluators.len())))
        })
        .collect()
}

/// Evaluates the bids by the tender's rules. Deterministic and independent of the order of
/// `input`'s lists.
///
/// # Errors
/// [`EvaluationError`] for inconsistent inputs: duplicate bids, scores that name unknown
/// things or exceed the maximum, missing scores for a bid that needs them, an adequacy review
/// without a planned price, decisions on bids that are not abnormally low.
pub fn evaluate(input: &EvaluationInput) -> Result<EvaluationResult, EvaluationError> {
    let mut input = input.clone();
    input.canonicalise();
    let input = &input;
    for w in input.bids.windows(2) {
        if w[0].bid_id == w[1].bid_id {
            return Err(EvaluationError::DuplicateBid(w[0].bid_id));
        }
    }
    let mut rules = input.rules.clone();
    let errors = rules.validate(
        input.lot_ids.len(),
        input.estimated_value_minor.is_some(),
        input.planned_price_minor.is_some()
            || !matches!(rules.method, EvaluationMethod::AdequacyReview(_)),
    );
    if let Some(first) = errors.first() {
        return Err(EvaluationError::InvalidRules(format!(
            "{}: {}",
            first.field, first.message
        )));
    }
    let scores = index_scores(input)?;
    let mut decisions: BTreeMap<(BidId, &str), &LowBidDecision> = BTreeMap::new();
    for d in &input.low_bid_decisions {
        if !name_ok(&d.reason) || decisions.insert((d.bid_id, &d.lot_id), d).is_some() {
            return Err(EvaluationError::BadDecision(d.bid_id));
        }
    }
    let mut used_decisions = BTreeSet::new();
    let mut lots = Vec::with_capacity(input.lot_ids.len());
    for lot in &input.lot_ids {
        lots.push(evaluate_lot(
            input,
            lot,
            &scores,
            &decisions,
            &mut used_decisions,
        )?);
    }
    if let Some(((bid, _), _)) = decisions.iter().find(|(k, _)| !used_decisions.contains(*k)) {
        return Err(EvaluationError::BadDecision(*bid));
    }
    Ok(EvaluationResult {
        tender_id: input.tender_id.clone(),
        method: input.rules.method.as_str().to_owned(),
        tie_break: input.rules.tie_break,
        lots,
    })
}

fn low_rule(method: &EvaluationMethod) -> Option<&AbnormallyLowRule> {
    match method {
        EvaluationMethod::LowestPrice { abnormally_low } => abnormally_low.as_ref(),
        EvaluationMethod::BestValue(r) => r.abnormally_low.as_ref(),
        EvaluationMethod::AdequacyReview(_) => None,
    }
}

fn evaluate_lot<'a>(
    input: &'a EvaluationInput,
    lot: &'a str,
    scores: &BTreeMap<ScoreKey<'_>, BTreeMap<&str, u32>>,
    decisions: &BTreeMap<(BidId, &'a str), &'a LowBidDecision>,
    used_decisions: &mut BTreeSet<(BidId, &'a str)>,
) -> Result<LotResult, EvaluationError> {
    let mut cands: Vec<Candidate<'a>> = input
        .bids
        .iter()
        .filter_map(|b| {
            let p = b.lots.iter().find(|l| l.lot_id == lot)?;
            let mut flags = Vec::new();
            if p.currency != input.currency {
                flags.push(BidFlag::WrongCurrency);
            }
            if p.amount_minor == 0 {
                flags.push(BidFlag::ZeroPrice);
            }
            Some(Candidate {
                bid: b,
                price: p.amount_minor,
                currency: &p.currency,
                excluded: !flags.is_empty(),
                flags,
                pending_justification: false,
                decision_reason: None,
                lottery: lottery_key(&input.lottery_seed, lot, &b.bid_id),
                score: None,
            })
        })
        .collect();

    let mut result = LotResult {
        lot_id: lot.to_owned(),
        currency: input.currency.clone(),
        planned_price_minor: None,
        floor_rate_ppm: None,
        floor_price_minor: None,
        abnormally_low_below: None,
        bids: Vec::new(),
        outcome: LotOutcome::NoAward {
            reason: NoAwardReason::NoValidBids,
        },
    };

    // Adequacy review: planned price, floor.
    if let EvaluationMethod::AdequacyReview(rule) = &input.rules.method {
        let planned = input
            .planned_price_minor
            .ok_or(EvaluationError::NoPlannedPrice)?;
        let rate = rule
            .floor_rate_ppm(planned)
            .ok_or(EvaluationError::NoFloorBand(planned))?;
        result.planned_price_minor = Some(planned);
        result.floor_rate_ppm = Some(rate);
        let floor_num = u128::from(planned) * u128::from(rate);
        result.floor_price_minor = u64::try_from(floor_num.div_ceil(u128::from(PPM))).ok();
        for c in cands.iter_mut().filter(|c| !c.excluded) {
            if c.price > planned {
                c.flags.push(BidFlag::AbovePlannedPrice);
                c.excluded = true;
            } else if u128::from(c.price) * u128::from(PPM) < floor_num {
                c.flags.push(BidFlag::BelowFloor);
                c.excluded = true;
            }
        }
    }

    // Abnormally low bids.
    if let Some(rule) = low_rule(&input.rules.method) {
        let valid: Vec<u64> = cands
            .iter()
            .filter(|c| !c.excluded)
            .map(|c| c.price)
            .collect();
        let reference = match rule.reference {
            LowBidReference::MeanOfBids if !valid.is_empty() => Some(ratio(
                valid.iter().map(|&p| u128::from(p)).sum::<u128>(),
                valid.len(),
            )),
            LowBidReference::EstimatedValue => input.estimated_value_minor.map(whole),
            LowBidReference::MeanOfBids => None,
        };
        let applies = valid.len() >= rule.min_bids as usize;
        if let (Some(reference), true) = (reference, applies) {
            let below = reference * ratio(rule.threshold_bp, 10_000u32);
            for c in cands.iter_mut().filter(|c| !c.excluded) {
                if whole(c.price) >= below {
                    continue;
                }
                c.flags.push(BidFlag::AbnormallyLow);
                match rule.action {
                    LowBidAction::Reject => {
                        c.flags.push(BidFlag::AutomaticallyExcluded);
                        c.excluded = true;
                    }
                    LowBidAction::Justify => match decisions.get(&(c.bid.bid_id, lot)) {
                        Some(d) => {
                            used_decisions.insert((c.bid.bid_id, lot));
                            c.decision_reason = Some(d.reason.clone());
                            if d.accepted {
                                c.flags.push(BidFlag::JustificationAccepted);
                            } else {
                                c.flags.push(BidFlag::JustificationRejected);
                                c.excluded = true;
                            }
                        }
                        None => c.pending_justification = true,
                    },
                }
            }
            result.abnormally_low_below = Some(ExactScore::of(&below));
        }
    }

    // Best value: scores of every ranked bid (the price part needs the lowest ranked price).
    if let EvaluationMethod::BestValue(rule) = &input.rules.method {
        let lowest = cands.iter().filter(|c| !c.excluded).map(|c| c.price).min();
        if let Some(lowest) = lowest {
            for c in cands.iter_mut().filter(|c| !c.excluded) {
                let means = criterion_means(input, scores, c.bid.bid_id, lot)?;
                let mut total = BigRational::zero();
                let mut criteria = Vec::with_capacity(means.len());
                for ((name, max, mean), crit) in means.into_iter().zip(&rule.criteria) {
                    let pts = &mean * ratio(crit.weight_bp, 100u32) / whole(max);
                    total += &pts;
                    criteria.push(CriterionScore {
                        criterion: name,
                        mean_points: ExactScore::of(&mean),
                        points: ExactScore::of(&pts),
                    });
                }
                let f = match rule.price_formula {
                    PriceFormula::Proportional => ratio(lowest, c.price),
                    PriceFormula::Linear => {
                        let f = whole(2u32) - ratio(c.price, lowest);
                        if f.is_negative() {
                            BigRational::zero()
                        } else {
                            f
                        }
                    }
                };
                let price_pts = f * ratio(rule.price_weight_bp, 100u32);
                total += &price_pts;
                c.score = Some((
                    total.clone(),
                    ScoreBreakdown {
                        criteria,
                        price_points: ExactScore::of(&price_pts),
                        total: ExactScore::of(&total),
                    },
                ));
            }
        }
    }

    // Ranking: the primary key, then the tie-break rule.
    let tie = input.rules.tie_break;
    let tie_cmp = |a: &Candidate<'_>, b: &Candidate<'_>| -> Ordering {
        let by_lottery = a
            .lottery
            .cmp(&b.lottery)
            .then(a.bid.bid_id.cmp(&b.bid.bid_id));
        match tie {
            TieBreak::EarliestSubmission => {
                a.bid.submitted_at.cmp(&b.bid.submitted_at).then(by_lottery)
            }
            TieBreak::Lottery => by_lottery,
        }
    };
    let primary = |a: &Candidate<'_>, b: &Candidate<'_>| -> Ordering {
        match (&a.score, &b.score) {
            // Best value: higher exact total first.
            (Some((x, _)), Some((y, _))) => y.cmp(x),
            _ => a.price.cmp(&b.price),
        }
    };
    let (mut ranked, mut excluded): (Vec<Candidate<'a>>, Vec<Candidate<'a>>) =
        cands.into_iter().partition(|c| !c.excluded);
    ranked.sort_by(|a, b| primary(a, b).then_with(|| tie_cmp(a, b)));
    excluded.sort_by_key(|c| c.bid.bid_id);

    let mut statuses = vec![BidStatus::Ranked; ranked.len()];
    if let EvaluationMethod::AdequacyReview(rule) = &input.rules.method {
        // Reviewed from the lowest price upward until one passes.
        let planned = input.planned_price_minor.unwrap_or(1).max(1);
        let mut winner = None;
        for (i, c) in ranked.iter_mut().enumerate() {
            if winner.is_some() {
                statuses[i] = BidStatus::NotReviewed;
                continue;
            }
            let means = criterion_means(input, scores, c.bid.bid_id, lot)?;
            let mut total = BigRational::zero();
            let criteria = means
                .into_iter()
                .map(|(name, _, mean)| {
                    total += &mean;
                    CriterionScore {
                        criterion: name,
                        mean_points: ExactScore::of(&mean),
                        points: ExactScore::of(&mean),
                    }
                })
                .collect();
            let deviation = (ratio(rule.price_base_rate_ppm, PPM) - ratio(c.price, planned)).abs();
            let price = (whole(rule.price_points)
                - deviation * whole(u64::from(rule.price_coefficient) * 100))
            .max(whole(rule.price_min_points))
            .min(whole(rule.price_points));
            total += &price;
            let passed = total >= whole(rule.pass_mark);
            statuses[i] = if passed {
                BidStatus::Passed
            } else {
                BidStatus::Failed
            };
            if passed {
                winner = Some(i);
            }
            c.score = Some((
                total.clone(),
                ScoreBreakdown {
                    criteria,
                    price_points: ExactScore::of(&price),
                    total: ExactScore::of(&total),
                },
            ));
        }
        result.outcome = match winner {
            Some(i) => LotOutcome::Award {
                bid_id: ranked[i].bid.bid_id,
                supplier_id: ranked[i].bid.supplier_id.clone(),
                price_minor: ranked[i].price,
            },
            None if ranked.is_empty() => LotOutcome::NoAward {
                reason: NoAwardReason::NoValidBids,
            },
            None => LotOutcome::NoAward {
                reason: NoAwardReason::NonePassed,
            },
        };
    } else if let Some(first) = ranked.first() {
        result.outcome = if first.pending_justification {
            LotOutcome::JustificationRequired {
                bid_id: first.bid.bid_id,
                supplier_id: first.bid.supplier_id.clone(),
            }
        } else {
            LotOutcome::Award {
                bid_id: first.bid.bid_id,
                supplier_id: first.bid.supplier_id.clone(),
                price_minor: first.price,
            }
        };
    }

    // Ties: bids equal on the primary key, recorded with their lottery keys.
    let mut tied: Vec<Vec<BidId>> = vec![Vec::new(); ranked.len()];
    for i in 0..ranked.len() {
        for j in 0..ranked.len() {
            if i != j && primary(&ranked[i], &ranked[j]) == Ordering::Equal {
                tied[i].push(ranked[j].bid.bid_id);
            }
        }
    }
    for (i, c) in ranked.into_iter().enumerate() {
        let was_tied = !tied[i].is_empty();
        let mut t = std::mem::take(&mut tied[i]);
        t.sort();
        result.bids.push(BidEvaluation {
            bid_id: c.bid.bid_id,
            supplier_id: c.bid.supplier_id.clone(),
            price_minor: c.price,
            currency: c.currency.to_owned(),
            status: statuses[i],
            rank: u32::try_from(i + 1).ok(),
            flags: c.flags,
            decision_reason: c.decision_reason,
            score: c.score.map(|(_, s)| s),
            tied_with: t,
            lottery_key: was_tied.then(|| hex::encode(c.lottery)),
        });
    }
    for c in excluded {
        result.bids.push(BidEvaluation {
            bid_id: c.bid.bid_id,
            supplier_id: c.bid.supplier_id.clone(),
            price_minor: c.price,
            currency: c.currency.to_owned(),
            status: BidStatus::Excluded,
            rank: None,
            flags: c.flags,
            decision_reason: c.decision_reason,
            score: None,
            tied_with: Vec::new(),
            lottery_key: None,
        });
    }
    Ok(result)
}

// ---------------------------------------------------------------------------------------------
// The report

/// The evaluation report: its inputs (with the hash of the opening record they come from) and
/// its result. Publish it signed; anyone can recompute it ([`EvaluationReport::recompute`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationReport {
    /// [`EVALUATION_FORMAT`].
    pub format: String,
    pub tender_id: String,
    /// Hex SHA-256 of the signed opening record's canonical JSON bytes.
    pub opening_record_sha256: String,
    pub input: EvaluationInput,
    pub result: EvaluationResult,
}

/// Why a report does not stand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("unknown report format {0:?}")]
    Format(String),
    #[error("the report's inputs do not evaluate: {0}")]
    Evaluation(#[from] EvaluationError),
    #[error("the published result differs from the result recomputed from the inputs")]
    ResultMismatch,
    #[error("the report names another tender than its inputs or opening record")]
    TenderMismatch,
    #[error("the opening record's hash differs from the report's")]
    OpeningHashMismatch,
    #[error("the report's bids differ from the opening record's opened bids")]
    BidsMismatch,
}

impl EvaluationReport {
    /// Evaluates `input` and makes the report.
    ///
    /// # Errors
    /// As [`evaluate`].
    pub fn new(
        mut input: EvaluationInput,
        opening: &OpeningRecord,
    ) -> Result<EvaluationReport, EvaluationError> {
        input.canonicalise();
        let result = evaluate(&input)?;
        Ok(EvaluationReport {
            format: EVALUATION_FORMAT.to_owned(),
            tender_id: input.tender_id.clone(),
            opening_record_sha256: hex::encode(Sha256::digest(opening.to_json_bytes())),
            input,
            result,
        })
    }

    /// Canonical JSON bytes (fixed field order, lists in canonical order) for signing.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Recomputes the result from the report's inputs and checks it is the published one.
    ///
    /// # Errors
    /// [`ReportError`] naming what does not match.
    pub fn recompute(&self) -> Result<(), ReportError> {
        if self.format != EVALUATION_FORMAT {
            return Err(ReportError::Format(self.format.clone()));
        }
        if self.tender_id != self.input.tender_id || self.tender_id != self.result.tender_id {
            return Err(ReportError::TenderMismatch);
        }
        if evaluate(&self.input)? != self.result {
            return Err(ReportError::ResultMismatch);
        }
        Ok(())
    }

    /// Checks the report against the opening record it names: the hash, the tender, the
    /// seed (the bid-box root), and the bids' suppliers and prices.
    ///
    /// # Errors
    /// [`ReportError`] naming what does not match.
    pub fn check_opening(&self, opening: &OpeningRecord) -> Result<(), ReportError> {
        if hex::encode(Sha256::digest(opening.to_json_bytes())) != self.opening_record_sha256 {
            return Err(ReportError::OpeningHashMismatch);
        }
        if opening.tender_id != self.tender_id {
            return Err(ReportError::TenderMismatch);
        }
        let mut mine: Vec<_> = self
            .input
            .bids
            .iter()
            .map(|b| (b.bid_id, &b.supplier_id, &b.lots))
            .collect();
        mine.sort_by_key(|x| x.0);
        let theirs: Vec<_> = opening
            .opened
            .iter()
            .map(|b| (b.bid_id, &b.supplier_id, &b.lots))
            .collect();
        if mine != theirs || self.input.lottery_seed != opening.bid_box_root.0 {
            return Err(ReportError::BidsMismatch);
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;
    use crate::LotPrice;

    pub(crate) fn bid(n: u8, price: u64, at: i64) -> BidInput {
        BidInput {
            bid_id: BidId([n; 32]),
            supplier_id: format!("S{n}"),
            submitted_at: Timestamp::from_micros(at),
            lots: vec![LotPrice {
                lot_id: "1".into(),
                currency: "KRW".into(),
                amount_minor: price,
            }],
        }
    }

    pub(crate) fn input(
        method: EvaluationMethod,
        tie: TieBreak,
        bids: Vec<BidInput>,
    ) -> EvaluationInput {
        EvaluationInput {
            tender_id: "T-1".into(),
            rules: Evaluation {
                method,
                tie_break: tie,
            },
            lot_ids: vec!["1".into()],
            currency: "KRW".into(),
            estimated_value_minor: Some(1_000_000),
            planned_price_minor: None,
            lottery_seed: [7; 32],
            bids,
            evaluators: Vec::new(),
            scores: Vec::new(),
            low_bid_decisions: Vec::new(),
        }
    }

    fn lowest(rule: Option<AbnormallyLowRule>) -> EvaluationMethod {
        EvaluationMethod::LowestPrice {
            abnormally_low: rule,
        }
    }

    fn ids(l: &LotResult) -> Vec<u8> {
        l.bids.iter().map(|b| b.bid_id.0[0]).collect()
    }

    fn winner(l: &LotResult) -> u8 {
        match &l.outcome {
            LotOutcome::Award { bid_id, .. } => bid_id.0[0],
            other => panic!("no winner: {other:?}"),
        }
    }

    fn score(entries: &mut Vec<ScoreEntry>, bid: u8, criterion: &str, per_evaluator: &[u32]) {
        for (i, p) in per_evaluator.iter().enumerate() {
            entries.push(ScoreEntry {
                bid_id: BidId([bid; 32]),
                lot_id: "1".into(),
                criterion: criterion.into(),
                evaluator: format!("E{}", i + 1),
                points: *p,
            });
        }
    }

    #[test]
    fn decimals_round_half_up() {
        assert_eq!(decimal(&ratio(1, 3), 4), "0.3333");
        assert_eq!(decimal(&ratio(2, 3), 4), "0.6667");
        assert_eq!(decimal(&ratio(1, 20000), 4), "0.0001");
        assert_eq!(decimal(&ratio(1, 20001), 4), "0.0000");
        assert_eq!(decimal(&whole(100), 4), "100.0000");
        assert_eq!(decimal(&ratio(-1, 8), 2), "-0.13");
        assert_eq!(decimal(&ratio(7, 2), 0), "4");
    }

    /// Lowest price, mean-of-bids rule with justification: prices 1 000 000, 1 100 000,
    /// 1 200 000 and 600 000; mean 975 000; threshold 80 % → 780 000. The 600 000 bid is
    /// abnormally low, ranks first, and the award waits for its explanation.
    #[test]
    fn lowest_price_with_abnormally_low_justification() {
        let rule = AbnormallyLowRule {
            reference: LowBidReference::MeanOfBids,
            threshold_bp: 8_000,
            action: LowBidAction::Justify,
            min_bids: 0,
        };
        let bids = vec![
            bid(1, 1_000_000, 10),
            bid(2, 1_100_000, 20),
            bid(3, 1_200_000, 30),
            bid(4, 600_000, 40),
        ];
        let mut inp = input(lowest(Some(rule)), TieBreak::EarliestSubmission, bids);
        let r = evaluate(&inp).unwrap();
        let l = &r.lots[0];
        assert_eq!(l.abnormally_low_below.as_ref().unwrap().exact, "780000");
        assert_eq!(ids(l), vec![4, 1, 2, 3]);
        assert_eq!(l.bids[0].flags, vec![BidFlag::AbnormallyLow]);
        assert_eq!(
            l.outcome,
            LotOutcome::JustificationRequired {
                bid_id: BidId([4; 32]),
                supplier_id: "S4".into()
            }
        );
        assert!(r.needs_justification());

        // Explanation not accepted: excluded, the 1 000 000 bid wins.
        inp.low_bid_decisions = vec![LowBidDecision {
            bid_id: BidId([4; 32]),
            lot_id: "1".into(),
            accepted: false,
            reason: "labour costs below the minimum wage".into(),
        }];
        let r = evaluate(&inp).unwrap();
        let l = &r.lots[0];
        assert_eq!(winner(l), 1);
        assert_eq!(ids(l), vec![1, 2, 3, 4]);
        assert_eq!(l.bids[3].status, BidStatus::Excluded);
        assert_eq!(
            l.bids[3].flags,
            vec![BidFlag::AbnormallyLow, BidFlag::JustificationRejected]
        );
        // Accepted: it wins.
        inp.low_bid_decisions[0].accepted = true;
        let r = evaluate(&inp).unwrap();
        assert_eq!(winner(&r.lots[0]), 4);
        // A decision on a bid that is not abnormally low is refused.
        inp.low_bid_decisions[0].bid_id = BidId([2; 32]);
        assert_eq!(
            evaluate(&inp).unwrap_err(),
            EvaluationError::BadDecision(BidId([2; 32]))
        );
    }

    /// Automatic rejection against the estimate (1 000 000 × 85 % = 850 000), and the
    /// `min_bids` condition on the mean.
    #[test]
    fn lowest_price_automatic_rejection() {
        let rule = AbnormallyLowRule {
            reference: LowBidReference::EstimatedValue,
            threshold_bp: 8_500,
            action: LowBidAction::Reject,
            min_bids: 0,
        };
        let bids = vec![bid(1, 849_999, 1), bid(2, 850_000, 2), bid(3, 900_000, 3)];
        let inp = input(
            lowest(Some(rule)),
            TieBreak::EarliestSubmission,
            bids.clone(),
        );
        let l = &evaluate(&inp).unwrap().lots[0];
        assert_eq!(winner(l), 2);
        assert_eq!(
            l.bids[2].flags,
            vec![BidFlag::AbnormallyLow, BidFlag::AutomaticallyExcluded]
        );
        // Mean rule with min_bids 4: three bids, the rule does not apply.
        let rule = AbnormallyLowRule {
            reference: LowBidReference::MeanOfBids,
            threshold_bp: 9_900,
            action: LowBidAction::Reject,
            min_bids: 4,
        };
        let inp = input(lowest(Some(rule)), TieBreak::EarliestSubmission, bids);
        let l = &evaluate(&inp).unwrap().lots[0];
        assert_eq!(winner(l), 1);
        assert!(l.abnormally_low_below.is_none());
    }

    /// Three bids at 900 000: earliest submission picks the one received first (bid 3 at
    /// t = 5), then bid 1 (t = 7), then bid 2 (t = 9).
    #[test]
    fn lowest_price_tie_by_earliest_submission() {
        let bids = vec![
            bid(1, 900_000, 7),
            bid(2, 900_000, 9),
            bid(3, 900_000, 5),
            bid(4, 950_000, 1),
        ];
        let l = &evaluate(&input(lowest(None), TieBreak::EarliestSubmission, bids))
            .unwrap()
            .lots[0];
        assert_eq!(ids(l), vec![3, 1, 2, 4]);
        assert_eq!(winner(l), 3);
        assert_eq!(l.bids[0].tied_with, vec![BidId([1; 32]), BidId([2; 32])]);
        assert!(l.bids[3].tied_with.is_empty());
        assert!(l.bids[3].lottery_key.is_none());
    }

    /// The same tie by lottery: the order is the ascending SHA-256 keys, recomputed here with
    /// the published seed ([7; 32]), independently of the engine.
    #[test]
    fn lowest_price_tie_by_lottery() {
        let bids = vec![bid(1, 900_000, 7), bid(2, 900_000, 9), bid(3, 900_000, 5)];
        let l = &evaluate(&input(lowest(None), TieBreak::Lottery, bids))
            .unwrap()
            .lots[0];
        let mut expected: Vec<(String, u8)> = (1u8..=3)
            .map(|n| {
                let mut h = Sha256::new();
                h.update(b"dasan-procurement/v1/tie-break-lottery\0");
                h.update([7u8; 32]);
                h.update(1u16.to_be_bytes());
                h.update(b"1");
                h.update([n; 32]);
                (hex::encode(h.finalize()), n)
            })
            .collect();
        expected.sort();
        assert_eq!(ids(l), expected.iter().map(|e| e.1).collect::<Vec<_>>());
        assert_eq!(
            l.bids[0].lottery_key.as_deref(),
            Some(expected[0].0.as_str())
        );
        // Pinned from Python's hashlib: keys 787a5e4a… (bid 1), 8776cab3… (bid 3), bbb22e73…
        // (bid 2).
        assert_eq!(ids(l), vec![1, 3, 2]);
        assert!(
            l.bids[0]
                .lottery_key
                .as_deref()
                .unwrap()
                .starts_with("787a5e4a")
        );
    }

    fn meat(formula: PriceFormula) -> EvaluationMethod {
        EvaluationMethod::BestValue(BestValueRule {
            criteria: vec![
                Criterion {
                    name: "technical merit".into(),
                    weight_bp: 4_000,
                    max_points: 10,
                },
                Criterion {
                    name: "delivery".into(),
                    weight_bp: 2_000,
                    max_points: 5,
                },
            ],
            price_weight_bp: 4_000,
            price_formula: formula,
            abnormally_low: None,
        })
    }

    /// Best value, worked by hand. Weights: technical 40 (of 10 points), delivery 20 (of 5),
    /// price 40 (proportional). Two evaluators.
    ///
    /// * Bid 1, 800 000: technical 8 and 6 → mean 7 → 40 × 7/10 = 28; delivery 5, 4 → 4.5 →
    ///   20 × 4.5/5 = 18; price 40 × 800/800 = 40. Total 86.
    /// * Bid 2, 1 000 000: technical 10, 9 → 9.5 → 38; delivery 5, 5 → 20; price
    ///   40 × 0.8 = 32. Total 90. Wins.
    /// * Bid 3, 960 000: technical 9, 9 → 36; delivery 3, 4 → 3.5 → 14; price
    ///   40 × 800/960 = 100/3 = 33.3333…; total 83.3333… (exact 250/3).
    #[test]
    fn best_value_worked_example() {
        let bids = vec![bid(1, 800_000, 1), bid(2, 1_000_000, 2), bid(3, 960_000, 3)];
        let mut inp = input(meat(PriceFormula::Proportional), TieBreak::Lottery, bids);
        inp.evaluators = vec!["E1".into(), "E2".into()];
        let s = &mut inp.scores;
        score(s, 1, "technical merit", &[8, 6]);
        score(s, 1, "delivery", &[5, 4]);
        score(s, 2, "technical merit", &[10, 9]);
        score(s, 2, "delivery", &[5, 5]);
        score(s, 3, "technical merit", &[9, 9]);
        score(s, 3, "delivery", &[3, 4]);
        let l = &evaluate(&inp).unwrap().lots[0];
        assert_eq!(ids(l), vec![2, 1, 3]);
        assert_eq!(winner(l), 2);
        let totals: Vec<&str> = l
            .bids
            .iter()
            .map(|b| b.score.as_ref().unwrap().total.decimal.as_str())
            .collect();
        assert_eq!(totals, vec!["90.0000", "86.0000", "83.3333"]);
        let b3 = l.bids[2].score.as_ref().unwrap();
        assert_eq!(b3.total.exact, "250/3");
        assert_eq!(b3.price_points.exact, "100/3");
        assert_eq!(b3.criteria[1].mean_points.decimal, "3.5000");
        assert_eq!(b3.criteria[1].points.exact, "14");

        // Linear formula: bid 3's price part is 40 × (2 − 960/800) = 32, total 82; bid 2's
        // 40 × (2 − 1.25) = 30, total 88.
        inp.rules.method = meat(PriceFormula::Linear);
        let l = &evaluate(&inp).unwrap().lots[0];
        let totals: Vec<&str> = l
            .bids
            .iter()
            .map(|b| b.score.as_ref().unwrap().total.exact.as_str())
            .collect();
        assert_eq!(totals, vec!["88", "86", "82"]);

        // A missing sheet stops the evaluation; points over the maximum too.
        inp.scores.pop();
        assert!(matches!(
            evaluate(&inp).unwrap_err(),
            EvaluationError::MissingScore { .. }
        ));
        score(&mut inp.scores, 3, "delivery", &[3, 9]);
        inp.scores.remove(inp.scores.len() - 2);
        assert!(matches!(
            evaluate(&inp).unwrap_err(),
            EvaluationError::PointsOverMax {
                points: 9,
                max: 5,
                ..
            }
        ));
    }

    /// Best value tie. Weights: quality 60 (of 10 points), price 40 (proportional); two
    /// evaluators.
    ///
    /// * Bid 1, 1 000 000 (t = 50): quality 8 and 2 → 5 → 30; price 40. Total 70.
    /// * Bid 2, 2 000 000 (t = 10): quality 10 and 7 → 8.5 → 51; price 40 × 0.5 = 20. Total 71.
    /// * Bid 3, 1 000 000 (t = 40): quality 6 and 4 → 5 → 30; price 40. Total 70.
    ///
    /// Bids 1 and 3 tie at exactly 70: earliest submission puts bid 3 first; the lottery
    /// orders them by their keys.
    #[test]
    fn best_value_tie() {
        let method = EvaluationMethod::BestValue(BestValueRule {
            criteria: vec![Criterion {
                name: "quality".into(),
                weight_bp: 6_000,
                max_points: 10,
            }],
            price_weight_bp: 4_000,
            price_formula: PriceFormula::Proportional,
            abnormally_low: None,
        });
        let bids = vec![
            bid(1, 1_000_000, 50),
            bid(2, 2_000_000, 10),
            bid(3, 1_000_000, 40),
        ];
        let mut inp = input(method, TieBreak::EarliestSubmission, bids);
        inp.evaluators = vec!["E1".into(), "E2".into()];
        score(&mut inp.scores, 1, "quality", &[8, 2]);
        score(&mut inp.scores, 2, "quality", &[10, 7]);
        score(&mut inp.scores, 3, "quality", &[6, 4]);
        let l = &evaluate(&inp).unwrap().lots[0];
        let totals: Vec<&str> = l
            .bids
            .iter()
            .map(|b| b.score.as_ref().unwrap().total.exact.as_str())
            .collect();
        assert_eq!(totals, vec!["71", "70", "70"]);
        // Bid 3 (t = 40) before bid 1 (t = 50).
        assert_eq!(ids(l), vec![2, 3, 1]);
        assert_eq!(l.bids[1].tied_with, vec![BidId([1; 32])]);
        inp.rules.tie_break = TieBreak::Lottery;
        let l = &evaluate(&inp).unwrap().lots[0];
        let k1 = lottery_key(&[7; 32], "1", &BidId([1; 32]));
        let k3 = lottery_key(&[7; 32], "1", &BidId([3; 32]));
        let expected = if k1 < k3 {
            vec![2, 1, 3]
        } else {
            vec![2, 3, 1]
        };
        assert_eq!(ids(l), expected);
    }

    fn adequacy() -> EvaluationMethod {
        EvaluationMethod::AdequacyReview(AdequacyRule {
            floor_bands: vec![
                FloorBand {
                    below: Some(300_000_000),
                    floor_rate_ppm: 877_450,
                },
                FloorBand {
                    below: Some(5_000_000_000),
                    floor_rate_ppm: 867_450,
                },
                FloorBand {
                    below: None,
                    floor_rate_ppm: 854_950,
                },
            ],
            criteria: vec![ReviewCriterion {
                name: "capability".into(),
                max_points: 30,
            }],
            price_points: 70,
            price_base_rate_ppm: 880_000,
            price_coefficient: 4,
            price_min_points: 2,
            pass_mark: 92,
        })
    }

    /// Adequacy review, worked by hand. Planned price 1 000 000 000 → band 2 (below 5 bn):
    /// floor 86.745 % → floor price 867 450 000.
    ///
    /// * Bid 1, 860 000 000: below the floor, not reviewed.
    /// * Bid 2, 1 000 000 001: above the planned price, excluded.
    /// * Bid 3, 870 000 000: ratio 0.87, |0.88 − 0.87| × 100 = 1 → price 70 − 4 = 66;
    ///   capability (20 + 24) / 2 = 22 → 88 < 92: fails.
    /// * Bid 4, 880 000 000 (received t = 9) and bid 5, 880 000 000 (t = 3): ratio 0.88 →
    ///   price 70; bid 5 capability (25 + 20) / 2 = 22.5 → 92.5 ≥ 92: passes and wins (earliest
    ///   of the tie); bid 4 is not reviewed.
    /// * Bid 6, 950 000 000: not reviewed.
    #[test]
    fn adequacy_review_worked_example() {
        let bids = vec![
            bid(1, 860_000_000, 1),
            bid(2, 1_000_000_001, 1),
            bid(3, 870_000_000, 1),
            bid(4, 880_000_000, 9),
            bid(5, 880_000_000, 3),
            bid(6, 950_000_000, 1),
        ];
        let mut inp = input(adequacy(), TieBreak::EarliestSubmission, bids);
        inp.planned_price_minor = Some(1_000_000_000);
        inp.evaluators = vec!["E1".into(), "E2".into()];
        score(&mut inp.scores, 3, "capability", &[20, 24]);
        score(&mut inp.scores, 4, "capability", &[30, 30]);
        score(&mut inp.scores, 5, "capability", &[25, 20]);
        // Bid 6 need not be scored: it is never reached.
        let l = &evaluate(&inp).unwrap().lots[0];
        assert_eq!(l.floor_rate_ppm, Some(867_450));
        assert_eq!(l.floor_price_minor, Some(867_450_000));
        assert_eq!(ids(l), vec![3, 5, 4, 6, 1, 2]);
        let st: Vec<BidStatus> = l.bids.iter().map(|b| b.status).collect();
        use BidStatus::*;
        assert_eq!(
            st,
            vec![Failed, Passed, NotReviewed, NotReviewed, Excluded, Excluded]
        );
        assert_eq!(l.bids[4].flags, vec![BidFlag::BelowFloor]);
        assert_eq!(l.bids[5].flags, vec![BidFlag::AbovePlannedPrice]);
        let s3 = l.bids[0].score.as_ref().unwrap();
        assert_eq!(s3.price_points.exact, "66");
        assert_eq!(s3.total.exact, "88");
        let s5 = l.bids[1].score.as_ref().unwrap();
        assert_eq!(s5.total.decimal, "92.5000");
        assert_eq!(winner(l), 5);

        // Bid 5's capability drops to 21.5 (25 + 18): 91.5 fails; bid 4 (equal price, next)
        // is reviewed: 30 + 70 = 100, passes.
        inp.scores
            .retain(|s| !(s.bid_id.0[0] == 5 && s.evaluator == "E2"));
        score_one(&mut inp.scores, 5, "E2", 18);
        let l = &evaluate(&inp).unwrap().lots[0];
        assert_eq!(winner(l), 4);
        // Price score clamps: a ratio of 0.8675 (bid 867 500 000) is |0.0125| × 400 = 5 → 65.
        // Nobody passes: no award.
        let bids = vec![bid(7, 867_500_000, 1)];
        let mut inp2 = input(adequacy(), TieBreak::Lottery, bids);
        inp2.planned_price_minor = Some(1_000_000_000);
        inp2.evaluators = vec!["E1".into()];
        score_one(&mut inp2.scores, 7, "E1", 26);
        let l = &evaluate(&inp2).unwrap().lots[0];
        assert_eq!(l.bids[0].score.as_ref().unwrap().price_points.exact, "65");
        assert_eq!(
            l.outcome,
            LotOutcome::NoAward {
                reason: NoAwardReason::NonePassed
            }
        );
        // No planned price: refused.
        inp2.planned_price_minor = None;
        assert!(evaluate(&inp2).is_err());
    }

    /// The minimum price score: a bid at exactly the floor of the top band with a huge
    /// coefficient still scores `price_min_points`; the band table picks the last band above
    /// 5 bn.
    #[test]
    fn adequacy_bands_and_minimum() {
        let EvaluationMethod::AdequacyReview(mut rule) = adequacy() else {
            unreachable!()
        };
        assert_eq!(rule.floor_rate_ppm(299_999_999), Some(877_450));
        assert_eq!(rule.floor_rate_ppm(300_000_000), Some(867_450));
        assert_eq!(rule.floor_rate_ppm(u64::MAX), Some(854_950));
        rule.price_coefficient = 1_000;
        let mut inp = input(
            EvaluationMethod::AdequacyReview(rule),
            TieBreak::Lottery,
            vec![bid(1, 9_000_000_000, 1)],
        );
        inp.planned_price_minor = Some(10_000_000_000);
        inp.evaluators = vec!["E1".into()];
        score_one(&mut inp.scores, 1, "E1", 30);
        let l = &evaluate(&inp).unwrap().lots[0];
        assert_eq!(l.floor_price_minor, Some(8_549_500_000));
        assert_eq!(l.bids[0].score.as_ref().unwrap().price_points.exact, "2");
    }

    fn score_one(entries: &mut Vec<ScoreEntry>, bid: u8, evaluator: &str, points: u32) {
        entries.push(ScoreEntry {
            bid_id: BidId([bid; 32]),
            lot_id: "1".into(),
            criterion: "capability".into(),
            evaluator: evaluator.into(),
            points,
        });
    }

    #[test]
    fn currencies_zero_prices_and_lots() {
        let mut b2 = bid(2, 500, 1);
        b2.lots[0].currency = "USD".into();
        let mut b3 = bid(3, 0, 1);
        b3.lots.push(LotPrice {
            lot_id: "2".into(),
            currency: "KRW".into(),
            amount_minor: 10,
        });
        let mut inp = input(
            lowest(None),
            TieBreak::Lottery,
            vec![bid(1, 1_000, 1), b2, b3],
        );
        inp.lot_ids = vec!["1".into(), "2".into(), "3".into()];
        inp.estimated_value_minor = None;
        let r = evaluate(&inp).unwrap();
        assert_eq!(winner(&r.lots[0]), 1);
        assert_eq!(r.lots[0].bids[1].flags, vec![BidFlag::WrongCurrency]);
        assert_eq!(r.lots[0].bids[2].flags, vec![BidFlag::ZeroPrice]);
        assert_eq!(winner(&r.lots[1]), 3);
        assert_eq!(
            r.lots[2].outcome,
            LotOutcome::NoAward {
                reason: NoAwardReason::NoValidBids
            }
        );
        assert_eq!(
            r.winners(),
            vec![
                ("1", BidId([1; 32]), "S1", 1_000),
                ("2", BidId([3; 32]), "S3", 10)
            ]
        );
        inp.bids.push(bid(1, 5, 5));
        assert_eq!(
            evaluate(&inp).unwrap_err(),
            EvaluationError::DuplicateBid(BidId([1; 32]))
        );
    }

    #[test]
    fn rules_validate() {
        let mut e = Evaluation {
            method: meat(PriceFormula::Linear),
            tie_break: TieBreak::Lottery,
        };
        assert!(e.validate(2, false, false).is_empty());
        if let EvaluationMethod::BestValue(r) = &mut e.method {
            r.price_weight_bp = 3_999;
        }
        let errs = e.validate(2, false, false);
        assert_eq!(errs[0].message, "procurement-error-weights-sum");
        let mut a = Evaluation {
            method: adequacy(),
            tie_break: TieBreak::EarliestSubmission,
        };
        assert!(a.validate(1, false, true).is_empty());
        assert!(!a.validate(2, false, true).is_empty());
        assert!(!a.validate(1, false, false).is_empty());
        if let EvaluationMethod::AdequacyReview(r) = &mut a.method {
            r.floor_bands.swap(0, 1);
        }
        assert_eq!(
            a.validate(1, false, true)[0].field,
            "evaluation.floor_bands"
        );
        let mut l = Evaluation {
            method: lowest(Some(AbnormallyLowRule {
                reference: LowBidReference::EstimatedValue,
                threshold_bp: 8_000,
                action: LowBidAction::Justify,
                min_bids: 0,
            })),
            tie_break: TieBreak::Lottery,
        };
        assert!(l.validate(1, true, false).is_empty());
        assert!(!l.validate(1, false, false).is_empty());
    }

    #[test]
    fn json_shape() {
        let e = Evaluation {
            method: lowest(None),
            tie_break: TieBreak::EarliestSubmission,
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"method":"lowest_price","tie_break":"earliest_submission"}"#
        );
        let json = r#"{"method":"best_value","criteria":[{"name":"q","weight_bp":6000,"max_points":10}],
            "price_weight_bp":4000,"price_formula":"proportional","tie_break":"lottery"}"#;
        let e: Evaluation = serde_json::from_str(json).unwrap();
        assert_eq!(e.method.as_str(), "best_value");
        let back: Evaluation = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
        assert!(
            serde_json::from_str::<Evaluation>(r#"{"method":"lowest_price","tie_break":"luck"}"#)
                .is_err()
        );
    }

    /// A real opening (sealed, boxed, opened), its report, and the checks anyone can run.
    #[test]
    fn report_recomputes_and_detects_tampering() {
        use crate::*;
        let members: Vec<_> = (0..2).map(|_| MemberSecretKey::generate()).collect();
        let publics: Vec<_> = members.iter().map(|(_, pk)| *pk).collect();
        let ceremony = run_key_ceremony("T-R", 2, &publics).unwrap();
        let sealed: Vec<_> = [("S1", 900_u64), ("S2", 800), ("S3", 800)]
            .iter()
            .map(|(s, p)| {
                let payload = BidPayload {
                    tender_id: "T-R".into(),
                    supplier_id: (*s).into(),
                    lots: vec![LotPrice {
                        lot_id: "1".into(),
                        currency: "KRW".into(),
                        amount_minor: *p,
                    }],
                    reserve_price_picks: None,
                    documents: vec![],
                    attachments: vec![],
                };
                seal_bid(&ceremony.public_key, &payload).unwrap()
            })
            .collect();
        let record = BidBoxRecord::new("T-R", sealed.iter().map(SealedBid::id)).unwrap();
        let shares: Vec<_> = (0..2)
            .map(|i| decrypt_share(&ceremony, i as u8 + 1, &members[i].0).unwrap())
            .collect();
        let key = reconstruct_tender_key(&ceremony, &shares).unwrap();
        let stored: Vec<_> = sealed
            .iter()
            .map(|s| StoredBid {
                bid_id: s.id(),
                envelope: s.as_bytes().to_vec(),
            })
            .collect();
        let opening = open_bids(&key, &record, &stored).record;
        // S3's bid arrived first: it wins the tie at 800.
        let times: BTreeMap<BidId, Timestamp> = sealed
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id(), Timestamp::from_micros(100 - i as i64)))
            .collect();
        let notice_rules = Evaluation {
            method: EvaluationMethod::LowestPrice {
                abnormally_low: None,
            },
            tie_break: TieBreak::EarliestSubmission,
        };
        let mut inp = input(notice_rules.method.clone(), notice_rules.tie_break, vec![]);
        inp.tender_id = "T-R".into();
        inp.lottery_seed = opening.bid_box_root.0;
        inp.bids = opening
            .opened
            .iter()
            .map(|b| BidInput {
                bid_id: b.bid_id,
                supplier_id: b.supplier_id.clone(),
                submitted_at: times[&b.bid_id],
                lots: b.lots.clone(),
            })
            .collect();
        let report = EvaluationReport::new(inp, &opening).unwrap();
        assert_eq!(report.result.winners()[0].2, "S3");
        report.recompute().unwrap();
        report.check_opening(&opening).unwrap();
        // Through JSON and back, it still recomputes.
        let back: EvaluationReport = serde_json::from_slice(&report.to_json_bytes()).unwrap();
        assert_eq!(back, report);
        back.recompute().unwrap();

        let mut forged = report.clone();
        forged.result.lots[0].outcome = LotOutcome::Award {
            bid_id: forged.result.lots[0].bids[1].bid_id,
            supplier_id: "S2".into(),
            price_minor: 800,
        };
        assert_eq!(forged.recompute().unwrap_err(), ReportError::ResultMismatch);
        let mut forged = report.clone();
        forged.input.bids[0].lots[0].amount_minor -= 1;
        assert_eq!(
            forged.check_opening(&opening).unwrap_err(),
            ReportError::BidsMismatch
        );
        let mut other = opening.clone();
        other.missing.push(BidId([9; 32]));
        assert_eq!(
            report.check_opening(&other).unwrap_err(),
            ReportError::OpeningHashMismatch
        );
        let mut forged = report.clone();
        forged.format = "v0".into();
        assert!(matches!(forged.recompute(), Err(ReportError::Format(_))));
    }
}
