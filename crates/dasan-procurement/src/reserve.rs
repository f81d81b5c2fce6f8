//! The Korean multiple reserve price draw (복수예비가격): 15 preliminary prices in a published
//! band around the base amount, derived from a seed committed at notice time and the bid-box
//! root; each bidder picks 2; the 4 most picked are averaged.
//!
//! Everything is integer arithmetic on public inputs, so anyone can recompute the draw
//! (`conformance/procurement/reserve_price.py` does, with Python's standard library only).
//!
//! # The rule (version 1)
//!
//! Public inputs: `tender_id`, `base_amount` (minor units, > 0), `band_bp` (half-width of the
//! band in basis points, 0..=10000: 200 is ±2 %), `seed_commitment` (published with the notice),
//! `seed` (32 bytes, revealed at opening), `bid_box_root` (the bid-box record's root) and the
//! opened bids' picks.
//!
//! 1. `SHA-256(seed)` must equal `seed_commitment`.
//! 2. `delta = ⌊base_amount × band_bp / 10000⌋`, `low = base_amount − delta`,
//!    `high = base_amount + delta` (must fit in 64 bits), `span = high − low + 1`.
//! 3. A byte stream of blocks `B_i = SHA-256(D || u16(len tender_id) || tender_id || seed ||
//!    bid_box_root || u64(base_amount) || u32(band_bp) || u32(i))` for `i = 0, 1, 2, …`, where
//!    `D` is `"dasan-procurement/v1/reserve-price-draw"` followed by one zero byte and integers
//!    are big-endian. Each block is read as four big-endian `u64` words, in order.
//! 4. Rejection sampling without modulo bias: with `limit = 2^64 − (2^64 mod span)`, a word
//!    `x < limit` is accepted as the price `low + (x mod span)`; other words are skipped. The
//!    first 15 accepted words are preliminary prices 1 to 15.
//! 5. Each opened bid with picks adds one to the count of each of its two numbers.
//! 6. The 4 chosen numbers are the 4 highest counts; **ties go to the lower number** (the numbers
//!    are assigned before anyone can know the prices, so this favours no price). With no picks
//!    at all, numbers 1 to 4 are chosen by the same rule.
//! 7. `reserve_price = ⌊(sum of the 4 chosen prices) / 4⌋` (rounded down to the minor unit).
//!
//! Neither the platform (which commits to the seed before any bid exists) nor a bidder (whose
//! bid changes the root, but who cannot know the seed) nor both separately can steer the result.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::keys::hex32;

/// Number of preliminary prices.
pub const PRELIMINARY_PRICES: usize = 15;
/// Number of most-picked prices averaged.
pub const CHOSEN_PRICES: usize = 4;
/// Largest band half-width, in basis points (±100 %).
pub const MAX_BAND_BP: u32 = 10_000;
const DOMAIN: &[u8] = b"dasan-procurement/v1/reserve-price-draw\0";

/// Why the draw could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReserveError {
    /// The revealed seed does not match the commitment published with the notice.
    #[error("the revealed seed does not match the published commitment")]
    SeedMismatch,
    /// Base amount zero.
    #[error("the base amount must be positive")]
    ZeroBase,
    /// Band over ±100 %.
    #[error("band {0} bp is over the {MAX_BAND_BP} bp allowed")]
    Band(u32),
    /// `base + delta` overflows.
    #[error("the band's upper end does not fit in 64 bits")]
    Overflow,
    /// A bidder's picks are not two different numbers from 1 to 15.
    #[error("picks {0:?} are not two different numbers from 1 to 15")]
    Picks([u8; 2]),
}

/// Commitment to a draw seed: `SHA-256(seed)`, published with the tender notice.
pub fn commit_seed(seed: &[u8; 32]) -> [u8; 32] {
    Sha256::digest(seed).into()
}

/// A fresh random seed and its commitment. Keep the seed secret (in the key store or sealed
/// like a bid) until opening.
pub fn generate_seed() -> ([u8; 32], [u8; 32]) {
    let mut seed = [0u8; 32];
    rand_core::Rng::fill_bytes(&mut crate::keys::sys_rng(), &mut seed);
    (seed, commit_seed(&seed))
}

/// The public inputs of a draw (the JSON the conformance script reads).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveDrawInput {
    /// The tender.
    pub tender_id: String,
    /// Base amount in minor units.
    pub base_amount: u64,
    /// Band half-width in basis points.
    pub band_bp: u32,
    /// `SHA-256(seed)`, hex, published at notice time.
    #[serde(with = "hex32")]
    pub seed_commitment: [u8; 32],
    /// The seed, hex, revealed at opening.
    #[serde(with = "hex32")]
    pub seed: [u8; 32],
    /// The bid-box root, hex.
    #[serde(with = "hex32")]
    pub bid_box_root: [u8; 32],
    /// Each opened bid's two picks.
    pub picks: Vec<[u8; 2]>,
}

/// The draw's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReserveDraw {
    /// Preliminary prices 1..=15 (index 0 is price number 1).
    pub preliminary_prices: Vec<u64>,
    /// How many bidders picked each number (index 0 is number 1).
    pub pick_counts: Vec<u32>,
    /// The 4 chosen numbers (1..=15), in ascending order.
    pub chosen: Vec<u8>,
    /// The reserve price (예정가격).
    pub reserve_price: u64,
}

fn block(input: &ReserveDrawInput, i: u32) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    // Tender ids are at most 200 bytes (validated at the ceremony); clamp defensively.
    let id = input.tender_id.as_bytes();
    let len = u16::try_from(id.len()).unwrap_or(u16::MAX);
    h.update(len.to_be_bytes());
    h.update(&id[..usize::from(len)]);
    h.update(input.seed);
    h.update(input.bid_box_root);
    h.update(input.base_amount.to_be_bytes());
    h.update(input.band_bp.to_be_bytes());
    h.update(i.to_be_bytes());
    h.finalize().into()
}

/// The 15 preliminary prices (steps 1–4 of the rule).
///
/// # Errors
/// [`ReserveError`] for a seed that does not match its commitment or invalid amounts.
pub fn preliminary_prices(
    input: &ReserveDrawInput,
) -> Result<[u64; PRELIMINARY_PRICES], ReserveError> {
    if commit_seed(&input.seed) != input.seed_commitment {
        return Err(ReserveError::SeedMismatch);
    }
    if input.base_amount == 0 {
        return Err(ReserveError::ZeroBase);
    }
    if input.band_bp > MAX_BAND_BP {
        return Err(ReserveError::Band(input.band_bp));
    }
    let base = u128::from(input.base_amount);
    let delta = base * u128::from(input.band_bp) / 10_000;
    let low = base - delta;
    let high = base + delta;
    if high > u128::from(u64::MAX) {
        return Err(ReserveError::Overflow);
    }
    let span = high - low + 1;
    let two64: u128 = 1 << 64;
    let limit = two64 - (two64 % span);
    let mut prices = [0u64; PRELIMINARY_PRICES];
    let mut filled = 0;
    let mut i: u32 = 0;
    while filled < PRELIMINARY_PRICES {
        let b = block(input, i);
        for word in b.chunks_exact(8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            let x = u128::from(u64::from_be_bytes(w));
            if x < limit && filled < PRELIMINARY_PRICES {
                // low + (x mod span) ≤ high ≤ u64::MAX, checked above.
                prices[filled] =
                    u64::try_from(low + x % span).map_err(|_| ReserveError::Overflow)?;
                filled += 1;
            }
        }
        // A word is rejected with probability below span / 2^64 ≤ 2^-63·(base+1): in practice
        // the loop runs 4 times. The counter cannot wrap before the heat death of the universe.
        i = i.wrapping_add(1);
    }
    Ok(prices)
}

/// The whole draw (steps 1–7 of the rule).
///
/// # Errors
/// [`ReserveError`] as [`preliminary_prices`], and for invalid picks.
pub fn reserve_price_draw(input: &ReserveDrawInput) -> Result<ReserveDraw, ReserveError> {
    let prices = preliminary_prices(input)?;
    let mut counts = [0u32; PRELIMINARY_PRICES];
    for &[a, b] in &input.picks {
        let ok = |p: u8| (1..=PRELIMINARY_PRICES as u8).contains(&p);
        if a == b || !ok(a) || !ok(b) {
            return Err(ReserveError::Picks([a, b]));
        }
        counts[usize::from(a - 1)] += 1;
        counts[usize::from(b - 1)] += 1;
    }
    let mut ranked: Vec<usize> = (0..PRELIMINARY_PRICES).collect();
    // Most picks first; ties to the lower number (stable sort keeps ascending order).
    ranked.sort_by(|&x, &y| counts[y].cmp(&counts[x]));
    let mut chosen: Vec<usize> = ranked[..CHOSEN_PRICES].to_vec();
    chosen.sort_unstable();
    let sum: u128 = chosen.iter().map(|&k| u128::from(prices[k])).sum();
    let reserve_price =
        u64::try_from(sum / CHOSEN_PRICES as u128).map_err(|_| ReserveError::Overflow)?;
    Ok(ReserveDraw {
        preliminary_prices: prices.to_vec(),
        pick_counts: counts.to_vec(),
        chosen: chosen.iter().map(|&k| (k + 1) as u8).collect(),
        reserve_price,
    })
}

/// The picks of an opening record's opened bids (bids without picks are skipped).
pub fn picks_from_opening(record: &crate::opening::OpeningRecord) -> Vec<[u8; 2]> {
    record
        .opened
        .iter()
        .filter_map(|b| b.reserve_price_picks)
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn kat() -> ReserveDrawInput {
        let seed = [1u8; 32];
        ReserveDrawInput {
            tender_id: "T-KAT".into(),
            base_amount: 500_000_000,
            band_bp: 200,
            seed_commitment: commit_seed(&seed),
            seed,
            bid_box_root: [2; 32],
            picks: vec![[1, 2], [2, 3], [3, 4], [4, 5], [2, 7], [9, 3]],
        }
    }

    /// Pinned from conformance/procurement/reserve_price.py (computed there first).
    #[test]
    fn known_answer() {
        let d = reserve_price_draw(&kat()).unwrap();
        assert_eq!(
            d.preliminary_prices,
            vec![
                507969922, 508965896, 509155199, 502914192, 505075925, 507144450, 498628536,
                505708499, 503473380, 502404000, 507355903, 509866171, 497065536, 501019069,
                508095372
            ]
        );
        assert_eq!(
            d.pick_counts,
            vec![1, 3, 3, 2, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]
        );
        // 2 and 3 (three picks), 4 (two), then a four-way tie at one pick (1, 5, 7, 9): the
        // lowest number, 1, takes the last place.
        assert_eq!(d.chosen, vec![1, 2, 3, 4]);
        // (507969922 + 508965896 + 509155199 + 502914192) / 4 = 507251302.25, rounded down.
        assert_eq!(d.reserve_price, 507_251_302);
        for p in &d.preliminary_prices {
            assert!((490_000_000..=510_000_000).contains(p));
        }
    }

    #[test]
    fn every_input_changes_the_prices() {
        let base = preliminary_prices(&kat()).unwrap();
        let mut other = kat();
        other.bid_box_root[0] ^= 1;
        assert_ne!(preliminary_prices(&other).unwrap(), base);
        let mut other = kat();
        other.tender_id = "T-KAT2".into();
        assert_ne!(preliminary_prices(&other).unwrap(), base);
        let mut other = kat();
        other.seed[0] ^= 1;
        other.seed_commitment = commit_seed(&other.seed);
        assert_ne!(preliminary_prices(&other).unwrap(), base);
        // Picks change the choice, never the prices.
        let mut other = kat();
        other.picks = vec![[14, 15]];
        let d = reserve_price_draw(&other).unwrap();
        assert_eq!(d.preliminary_prices, base.to_vec());
        assert_eq!(d.chosen, vec![1, 2, 14, 15]);
    }

    #[test]
    fn errors_and_edges() {
        let mut bad = kat();
        bad.seed[5] ^= 1;
        assert_eq!(
            reserve_price_draw(&bad).unwrap_err(),
            ReserveError::SeedMismatch
        );
        let mut bad = kat();
        bad.base_amount = 0;
        assert_eq!(
            reserve_price_draw(&bad).unwrap_err(),
            ReserveError::ZeroBase
        );
        let mut bad = kat();
        bad.band_bp = 10_001;
        assert_eq!(
            reserve_price_draw(&bad).unwrap_err(),
            ReserveError::Band(10_001)
        );
        let mut bad = kat();
        bad.base_amount = u64::MAX;
        assert_eq!(
            reserve_price_draw(&bad).unwrap_err(),
            ReserveError::Overflow
        );
        let mut bad = kat();
        bad.picks.push([4, 4]);
        assert_eq!(
            reserve_price_draw(&bad).unwrap_err(),
            ReserveError::Picks([4, 4])
        );
        bad.picks.pop();
        bad.picks.push([0, 4]);
        assert_eq!(
            reserve_price_draw(&bad).unwrap_err(),
            ReserveError::Picks([0, 4])
        );

        // No band: every price is the base amount.
        let mut flat = kat();
        flat.band_bp = 0;
        let d = reserve_price_draw(&flat).unwrap();
        assert!(d.preliminary_prices.iter().all(|&p| p == 500_000_000));
        assert_eq!(d.reserve_price, 500_000_000);
        // The smallest base and widest band: prices in 0..=2.
        let mut tiny = kat();
        tiny.base_amount = 1;
        tiny.band_bp = 10_000;
        let d = reserve_price_draw(&tiny).unwrap();
        assert!(d.preliminary_prices.iter().all(|&p| p <= 2));
        // No picks: numbers 1 to 4.
        let mut none = kat();
        none.picks.clear();
        assert_eq!(reserve_price_draw(&none).unwrap().chosen, vec![1, 2, 3, 4]);
    }

    #[test]
    fn json_round_trip() {
        let json = serde_json::to_string(&kat()).unwrap();
        assert!(json.contains("\"seed\":\"0101"));
        let back: ReserveDrawInput = serde_json::from_str(&json).unwrap();
        assert_eq!(back, kat());
    }
}
