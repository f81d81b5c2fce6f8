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
