//! Property tests of the threshold: for random `2 ≤ t ≤ n ≤ 10`, any `t` shares open the bid
//! box, and any `t − 1` shares neither rebuild the key nor decrypt a bid.
#![allow(clippy::unwrap_used)]

use hpke::Serializable as _;
use proptest::prelude::*;

use crate::ceremony::{combine_raw, unchecked_key};
use crate::*;

/// A committee size, a threshold, two subsets of member indexes (a `t`-set and a `t−1`-set) and
/// a bid amount.
fn scenario() -> impl Strategy<Value = (u8, u8, Vec<u8>, Vec<u8>, u64)> {
    (2u8..=10)
        .prop_flat_map(|n| (Just(n), 2u8..=n))
        .prop_flat_map(|(n, t)| {
            let members: Vec<u8> = (1..=n).collect();
            (
                Just(n),
                Just(t),
                Just(members.clone()).prop_shuffle(),
                Just(members).prop_shuffle(),
                any::<u64>(),
            )
        })
        .prop_map(|(n, t, a, b, amount)| {
            (
                n,
                t,
                a[..usize::from(t)].to_vec(),
                b[..usize::from(t - 1)].to_vec(),
                amount,
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_t_shares_open_and_t_minus_1_do_not((n, t, enough, too_few, amount) in scenario()) {
        let members: Vec<_> = (0..n).map(|_| MemberSecretKey::generate()).collect();
        let publics: Vec<_> = members.iter().map(|m| m.1).collect();
        let ceremony = run_key_ceremony("T-prop", t, &publics).unwrap();
        let payload = BidPayload {
            tender_id: "T-prop".into(),
            supplier_id: "S".into(),
            lots: vec![LotPrice { lot_id: "1".into(), currency: "KRW".into(), amount_minor: amount }],
            reserve_price_picks: None,
            documents: vec![],
            attachments: vec![],
        };
        let sealed = seal_bid(&ceremony.public_key, &payload).unwrap();
        let record = BidBoxRecord::new("T-prop", [sealed.id()]).unwrap();
        let stored = [StoredBid { bid_id: sealed.id(), envelope: sealed.as_bytes().to_vec() }];
        let share = |i: u8| decrypt_share(&ceremony, i, &members[usize::from(i - 1)].0).unwrap();

        // Any t shares: the key is rebuilt and the bid opens.
        let shares: Vec<_> = enough.iter().map(|&i| share(i)).collect();
        let key = reconstruct_tender_key(&ceremony, &shares).unwrap();
        let opening = open_bids(&key, &record, &stored);
        prop_assert_eq!(opening.record.opened.len(), 1);
        prop_assert_eq!(opening.record.opened[0].lots[0].amount_minor, amount);

        // Any t − 1 shares: refused up front...
        let few: Vec<_> = too_few.iter().map(|&i| share(i)).collect();
        prop_assert_eq!(
            reconstruct_tender_key(&ceremony, &few).unwrap_err(),
            ReconstructError::NotEnoughShares { have: usize::from(t - 1), need: t }
        );
        // ...and even interpolated regardless, they give some other key, which opens nothing.
        let refs: Vec<_> = few.iter().collect();
        if let Some(wrong) = combine_raw(&refs) {
            let right = key.sk.to_bytes();
            prop_assert_ne!(wrong.as_slice(), right.as_slice());
            let wrong_key = unchecked_key(&wrong, ceremony.public_key).unwrap();
            let opening = open_bids(&wrong_key, &record, &stored);
            prop_assert!(opening.record.opened.is_empty());
            prop_assert_eq!(opening.record.rejected[0].reason, RejectionReason::DecryptionFailed);
        }
    }
}

mod evaluation_order {
    use proptest::prelude::*;

    use crate::LotPrice;
    use crate::evaluation::tests::{bid, input};
    use crate::evaluation::*;

    /// A method: 0 lowest price (with a mean-of-bids rule that asks for justification), 1 best
    /// value, 2 adequacy review.
    fn method(kind: u8, formula: bool) -> EvaluationMethod {
        match kind {
            0 => EvaluationMethod::LowestPrice {
                abnormally_low: Some(AbnormallyLowRule {
                    reference: LowBidReference::MeanOfBids,
                    threshold_bp: 9_000,
                    action: if formula {
                        LowBidAction::Reject
                    } else {
                        LowBidAction::Justify
                    },
                    min_bids: 0,
                }),
            },
            1 => EvaluationMethod::BestValue(BestValueRule {
                criteria: vec![
                    Criterion {
                        name: "q".into(),
                        weight_bp: 5_000,
                        max_points: 4,
                    },
                    Criterion {
                        name: "d".into(),
                        weight_bp: 1_000,
                        max_points: 3,
                    },
                ],
                price_weight_bp: 4_000,
                price_formula: if formula {
                    PriceFormula::Linear
                } else {
                    PriceFormula::Proportional
                },
                abnormally_low: None,
            }),
            _ => EvaluationMethod::AdequacyReview(AdequacyRule {
                floor_bands: vec![
                    FloorBand {
                        below: Some(1_000),
                        floor_rate_ppm: 800_000,
                    },
                    FloorBand {
                        below: None,
                        floor_rate_ppm: 850_000,
                    },
                ],
                criteria: vec![ReviewCriterion {
                    name: "q".into(),
                    max_points: 30,
                }],
                price_points: 70,
                price_base_rate_ppm: 880_000,
                price_coefficient: 4,
                price_min_points: 2,
                pass_mark: 85,
            }),
        }
    }

    type Scenario = (u8, bool, bool, Vec<(u64, i64, u64)>, u8, Vec<u32>, u64);

    /// Few distinct prices and times so that ties are common; a second lot on some bids.
    fn scenario() -> impl Strategy<Value = Scenario> {
        (
            0u8..3,
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec((0u64..6, 0i64..3, 0u64..4), 1..8),
            1u8..4,
            prop::collection::vec(0u32..=30, 8 * 3 * 2),
            900u64..1_200,
        )
    }

    fn build(s: &Scenario) -> EvaluationInput {
        let (kind, formula, lottery, bids, evaluators, points, planned) = s;
        let bids: Vec<_> = bids
            .iter()
            .enumerate()
            .map(|(i, &(p, t, second))| {
                let mut b = bid(i as u8 + 1, 900 + 20 * p, t);
                if second > 1 {
                    b.lots.push(LotPrice {
                        lot_id: "2".into(),
                        currency: "KRW".into(),
                        amount_minor: 100 * second,
                    });
                }
                b
            })
            .collect();
        let tie = if *lottery {
            TieBreak::Lottery
        } else {
            TieBreak::EarliestSubmission
        };
        let mut inp = input(method(*kind, *formula), tie, bids);
        if *kind == 2 {
            inp.planned_price_minor = Some(*planned);
        } else {
            inp.lot_ids.push("2".into());
        }
        inp.evaluators = (1..=*evaluators).map(|e| format!("E{e}")).collect();
        let criteria = inp.rules.method.scored_criteria();
        let mut k = 0;
        for b in &inp.bids {
            for l in &b.lots {
                for (c, max) in &criteria {
                    for e in &inp.evaluators {
                        inp.scores.push(ScoreEntry {
                            bid_id: b.bid_id,
                            lot_id: l.lot_id.clone(),
                            criterion: (*c).to_owned(),
                            evaluator: e.clone(),
                            points: points[k % points.len()] % (max + 1),
                        });
                        k += 1;
                    }
                }
            }
        }
        inp
    }

    /// An input and permutations of its bids, scores and evaluators.
    fn permuted() -> impl Strategy<Value = (EvaluationInput, Vec<usize>, Vec<usize>, Vec<usize>)> {
        scenario().prop_map(|s| build(&s)).prop_flat_map(|inp| {
            let perm = |n: usize| Just((0..n).collect::<Vec<usize>>()).prop_shuffle();
            let (b, sc, e) = (inp.bids.len(), inp.scores.len(), inp.evaluators.len());
            (Just(inp), perm(b), perm(sc), perm(e))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Processing the bids (and scores, and evaluators) in any order gives the same result,
        /// and every winner is a ranked bid of its lot.
        #[test]
        fn the_order_of_bids_does_not_matter((inp, bids, scores, evaluators) in permuted()) {
            let expected = evaluate(&inp);
            let mut shuffled = inp.clone();
            shuffled.bids = bids.iter().map(|&i| inp.bids[i].clone()).collect();
            shuffled.scores = scores.iter().map(|&i| inp.scores[i].clone()).collect();
            shuffled.evaluators = evaluators.iter().map(|&i| inp.evaluators[i].clone()).collect();
            for b in &mut shuffled.bids {
                b.lots.reverse();
            }
            prop_assert_eq!(evaluate(&shuffled), expected.clone());
            // Complete inputs: the evaluation succeeds, and each winner is the first ranked
            // bid (or the one that passed the review).
            let result = expected.unwrap();
            for l in &result.lots {
                if let LotOutcome::Award { bid_id, .. } = &l.outcome {
                    let b = l.bids.iter().find(|b| b.bid_id == *bid_id).unwrap();
                    prop_assert!(b.rank == Some(1) || b.status == BidStatus::Passed);
                }
            }
        }
    }
}
