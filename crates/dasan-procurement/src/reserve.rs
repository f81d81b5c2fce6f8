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
pub fn preliminary_prices(input: &ReserveDrawInput) -> Result<[u64; PRELIMINARY_PRICES], ReserveError> {
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
                prices[filled] = u64::try_from(low + x % span).map_err(|_| ReserveError::Overflow)?;
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
