//! Times one full opening of N sealed bids (default 10,000) phase by phase, for
//! bench/RESULTS.md on a shared machine: run it under `time` to see CPU time beside wall time.
//!
//! ```text
//! time cargo run --release -p dasan-procurement --example opening_timing -- 10000
//! ```

use std::time::Instant;

use dasan_procurement::*;

/// CPU seconds (user + system) used by this process so far, from /proc (Linux; 10 ms ticks).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    let Some(rest) = stat.rsplit(')').next() else {
        return f64::NAN;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the command name: state is field 3, utime 14, stime 15 (1-based, so 11 and 12 here).
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let tender = "KONEPS-2026-000777";
    let members: Vec<_> = (0..5).map(|_| MemberSecretKey::generate()).collect();
    let publics: Vec<_> = members.iter().map(|m| m.1).collect();
    let t = Instant::now();
    let ceremony = run_key_ceremony(tender, 3, &publics).expect("ceremony");
    println!("key ceremony 3-of-5: {:?}", t.elapsed());

    let (t, c) = (Instant::now(), cpu_seconds());
    let stored: Vec<StoredBid> = (0..n)
        .map(|i| {
            let payload = BidPayload {
                tender_id: tender.into(),
                supplier_id: format!("supplier-{i:06}"),
                lots: (1..=3)
                    .map(|l| LotPrice {
                        lot_id: format!("lot-{l}"),
                        currency: "KRW".into(),
                        amount_minor: 100_000_000 + i as u64 * 1_000 + l,
                    })
                    .collect(),
                reserve_price_picks: Some([(i % 15) as u8 + 1, ((i + 7) % 15) as u8 + 1]),
                documents: vec![DocumentRef {
                    name: "technical-proposal.pdf".into(),
                    media_type: "application/pdf".into(),
                    sha256: [i as u8; 32],
                }],
                attachments: vec![],
            };
            let s = seal_bid(&ceremony.public_key, &payload).expect("seal");
            StoredBid {
                bid_id: s.id(),
                envelope: s.into_bytes(),
            }
        })
        .collect();
    let sealing = t.elapsed();
    println!(
        "sealing {n} bids (one thread): {sealing:?} wall, {:.2} s CPU, {:?} per bid",
        cpu_seconds() - c,
        sealing / n as u32
    );

    let t = Instant::now();
    let record = BidBoxRecord::new(tender, stored.iter().map(|s| s.bid_id)).expect("box");
    println!("bid-box record: {:?}", t.elapsed());

    let t = Instant::now();
    let shares: Vec<_> = [1u8, 3, 5]
        .iter()
        .map(|&i| decrypt_share(&ceremony, i, &members[usize::from(i - 1)].0).expect("share"))
        .collect();
    let key = reconstruct_tender_key(&ceremony, &shares).expect("key");
    let rebuild = t.elapsed();
    let (t, c) = (Instant::now(), cpu_seconds());
    let opening = open_bids(&key, &record, &stored);
    let open = t.elapsed();
    let open_cpu = cpu_seconds() - c;
    assert_eq!(opening.record.opened.len(), n);
    let t = Instant::now();
    let json = opening.record.to_json_bytes();
    let reserve = reserve_price_draw(&ReserveDrawInput {
        tender_id: tender.into(),
        base_amount: 500_000_000,
        band_bp: 200,
        seed_commitment: commit_seed(&[1; 32]),
        seed: [1; 32],
        bid_box_root: record.root.0,
        picks: picks_from_opening(&opening.record),
    })
    .expect("draw");
    println!("shares + key rebuild: {rebuild:?}");
    println!(
        "opening {n} bids ({} threads): {open:?} wall, {open_cpu:.2} s CPU, {:?} wall per bid",
        std::thread::available_parallelism().map_or(1, |p| p.get()),
        open / n as u32
    );
    println!(
        "opening record JSON ({} KiB) + reserve draw ({}): {:?}",
        json.len() / 1024,
        reserve.reserve_price,
        t.elapsed()
    );
}
