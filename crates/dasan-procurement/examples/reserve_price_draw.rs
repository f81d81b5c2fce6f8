//! The reserve price draw from the command line, for the conformance check
//! (`conformance/procurement/run`) and for anyone recomputing a published draw.
//!
//! ```text
//! cargo run -p dasan-procurement --example reserve_price_draw -- draw INPUT.json
//!     prints the draw for one input (the ReserveDrawInput JSON) as JSON
//! cargo run -p dasan-procurement --example reserve_price_draw -- samples COUNT
//!     prints COUNT sample cases, one JSON object {"input": ..., "output": ...} per line: the
//!     first from a real tender (key ceremony, sealed bids, bid box, opening), the next ones
//!     edge cases, the rest with random seeds, roots, amounts, bands and picks
//! ```

use std::process::ExitCode;

use dasan_procurement::*;
use sha2::{Digest, Sha256};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["draw", path] => draw(path),
        ["samples", count] => match count.parse() {
            Ok(n) => samples(n),
            Err(_) => Err(format!("not a count: {count}")),
        },
        _ => Err("usage: reserve_price_draw draw INPUT.json | samples COUNT".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn draw(path: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let input: ReserveDrawInput = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let out = reserve_price_draw(&input).map_err(|e| e.to_string())?;
    println!(
        "{}",
        serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
    );
    Ok(())
}

fn print_case(input: &ReserveDrawInput) -> Result<(), String> {
    let output = reserve_price_draw(input).map_err(|e| e.to_string())?;
    let line = serde_json::json!({ "input": input, "output": output });
    println!("{line}");
    Ok(())
}

/// A deterministic-looking but random stream for sample parameters (not for secrets).
struct Stream {
    state: [u8; 32],
    counter: u64,
}

impl Stream {
    fn next_u64(&mut self) -> u64 {
        self.counter += 1;
        let mut h = Sha256::new();
        h.update(self.state);
        h.update(self.counter.to_be_bytes());
        let d = h.finalize();
        let mut w = [0u8; 8];
        w.copy_from_slice(&d[..8]);
        u64::from_be_bytes(w)
    }
    fn below(&mut self, n: u64) -> u64 {
        // Sample parameters only: a tiny modulo bias does not matter here.
        self.next_u64() % n
    }
    fn bytes32(&mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for c in out.chunks_mut(8) {
            c.copy_from_slice(&self.next_u64().to_be_bytes());
        }
        out
    }
    fn picks(&mut self) -> [u8; 2] {
        let a = self.below(15) as u8 + 1;
        let mut b = self.below(14) as u8 + 1;
        if b >= a {
            b += 1;
        }
        [a, b]
    }
}

fn input(
    tender: &str,
    base: u64,
    band_bp: u32,
    seed: [u8; 32],
    root: [u8; 32],
    picks: Vec<[u8; 2]>,
) -> ReserveDrawInput {
    ReserveDrawInput {
        tender_id: tender.into(),
        base_amount: base,
        band_bp,
        seed_commitment: commit_seed(&seed),
        seed,
        bid_box_root: root,
        picks,
    }
}

fn real_tender() -> Result<ReserveDrawInput, String> {
    let tender = "KONEPS-2026-000123";
    let members: Vec<_> = (0..3).map(|_| MemberSecretKey::generate()).collect();
    let publics: Vec<_> = members.iter().map(|m| m.1).collect();
    let ceremony = run_key_ceremony(tender, 2, &publics).map_err(|e| e.to_string())?;
    // Notice time: the draw seed is committed with the notice.
    let (seed, _commitment) = generate_seed();
    let picks = [[1, 2], [2, 7], [7, 15], [3, 7], [2, 9], [11, 14], [2, 7]];
    let mut stored = Vec::new();
    for (i, p) in picks.iter().enumerate() {
        let payload = BidPayload {
            tender_id: tender.into(),
            supplier_id: format!("supplier-{i}"),
            lots: vec![LotPrice {
                lot_id: "1".into(),
                currency: "KRW".into(),
                amount_minor: 480_000_000 + i as u64 * 1_000_000,
            }],
            reserve_price_picks: Some(*p),
            documents: vec![],
            attachments: vec![],
        };
        let sealed = seal_bid(&ceremony.public_key, &payload).map_err(|e| e.to_string())?;
        stored.push(StoredBid {
            bid_id: sealed.id(),
            envelope: sealed.into_bytes(),
        });
    }
    let record =
        BidBoxRecord::new(tender, stored.iter().map(|s| s.bid_id)).map_err(|e| e.to_string())?;
    let shares = vec![
        decrypt_share(&ceremony, 1, &members[0].0).map_err(|e| e.to_string())?,
        decrypt_share(&ceremony, 3, &members[2].0).map_err(|e| e.to_string())?,
    ];
    let key = reconstruct_tender_key(&ceremony, &shares).map_err(|e| e.to_string())?;
    let opening = open_bids(&key, &record, &stored);
    Ok(input(
        tender,
        500_000_000,
        200,
        seed,
        record.root.0,
        picks_from_opening(&opening.record),
    ))
}

fn samples(count: usize) -> Result<(), String> {
    let (start, _) = generate_seed();
    let mut s = Stream {
        state: start,
        counter: 0,
    };
    let mut cases = vec![real_tender()?];
    // Edge cases: no band, the smallest base, the widest band, a base near the top, no picks,
    // every bidder picking the same two numbers, ties everywhere.
    cases.push(input(
        "edge-zero-band",
        123_456_789,
        0,
        s.bytes32(),
        s.bytes32(),
        vec![[1, 2]],
    ));
    cases.push(input(
        "edge-base-1",
        1,
        10_000,
        s.bytes32(),
        s.bytes32(),
        vec![[14, 15]],
    ));
    cases.push(input(
        "edge-wide",
        1_000_000,
        10_000,
        s.bytes32(),
        s.bytes32(),
        vec![],
    ));
    cases.push(input(
        "edge-top",
        u64::MAX / 2,
        10_000,
        s.bytes32(),
        s.bytes32(),
        vec![[3, 4]; 5],
    ));
    cases.push(input(
        "edge-no-picks",
        77_000_000,
        300,
        s.bytes32(),
        s.bytes32(),
        vec![],
    ));
    cases.push(input(
        "edge-ties",
        10_000_000,
        200,
        s.bytes32(),
        s.bytes32(),
        vec![[15, 14], [13, 12], [11, 10], [9, 8]],
    ));
    cases.push(input(
        "한글-입찰-2026",
        990_000,
        250,
        s.bytes32(),
        s.bytes32(),
        vec![[5, 6], [6, 7]],
    ));
    while cases.len() < count {
        let base = match s.below(4) {
            0 => s.below(1_000) + 1,
            1 => s.below(100_000_000) + 1,
            2 => s.below(1_000_000_000_000) + 1,
            _ => s.below(u64::MAX / 2) + 1,
        };
        let band = match s.below(3) {
            0 => 200,
            1 => 300,
            _ => s.below(10_001) as u32,
        };
        let bidders = s.below(40) as usize;
        let picks = (0..bidders).map(|_| s.picks()).collect();
        let tender = format!("T-{}", s.below(1_000_000));
        cases.push(input(&tender, base, band, s.bytes32(), s.bytes32(), picks));
    }
    for c in cases.iter().take(count.max(1)) {
        print_case(c)?;
    }
    Ok(())
}
