//! Sealed-bidding costs: sealing one bid (supplier side), checking a signed submission (server
//! side, per bid at the deadline rush), building the bid-box record, and opening 10,000 bids
//! (rebuilding the key from shares, decrypting, checking against the record).
//!
//! `cargo bench -p dasan-procurement` (results in bench/RESULTS.md).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use dasan_procurement::*;

const BIDS: usize = 10_000;

fn payload(i: usize) -> BidPayload {
    BidPayload {
        tender_id: "KONEPS-2026-000777".into(),
        supplier_id: format!("{:03}-{:02}-{:05}", i % 1000, i % 100, i),
        lots: (1..=3)
            .map(|l| LotPrice {
                lot_id: format!("lot-{l}"),
                currency: "KRW".into(),
                amount_minor: 100_000_000 + (i as u64) * 1_000 + l,
            })
            .collect(),
        reserve_price_picks: Some([(i % 15) as u8 + 1, ((i + 7) % 15) as u8 + 1]),
        documents: vec![
            DocumentRef {
                name: "technical-proposal.pdf".into(),
                media_type: "application/pdf".into(),
                sha256: [i as u8; 32],
            },
            DocumentRef {
                name: "bid-security.pdf".into(),
                media_type: "application/pdf".into(),
                sha256: [(i >> 8) as u8; 32],
            },
        ],
        attachments: vec![],
    }
}

fn benches(c: &mut Criterion) {
    let members: Vec<_> = (0..5).map(|_| MemberSecretKey::generate()).collect();
    let publics: Vec<_> = members.iter().map(|m| m.1).collect();
    let ceremony = run_key_ceremony("KONEPS-2026-000777", 3, &publics).expect("ceremony");
    let signer = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);

    let mut g = c.benchmark_group("procurement");
    g.measurement_time(Duration::from_secs(5));
    g.bench_function("key ceremony 3-of-5", |b| {
        b.iter(|| run_key_ceremony("KONEPS-2026-000777", 3, black_box(&publics)))
    });
    let one = payload(1);
    g.bench_function("seal one bid", |b| {
        b.iter(|| seal_bid(&ceremony.public_key, black_box(&one)))
    });
    let json = one.to_json();
    g.bench_function("seal and sign one bid (seal_bid_file, Ed25519)", |b| {
        b.iter(|| seal_bid_file(&ceremony.public_key, black_box(&json), &signer))
    });
    let submission = seal_bid_file(&ceremony.public_key, &json, &signer).expect("seal");
    g.bench_function(
        "check one signed submission (parse + Ed25519 verify)",
        |b| b.iter(|| SignedBid::parse_and_verify(black_box(&submission))),
    );

    let stored: Vec<StoredBid> = (0..BIDS)
        .map(|i| {
            let s = seal_bid(&ceremony.public_key, &payload(i)).expect("seal");
            StoredBid {
                bid_id: s.id(),
                envelope: s.into_bytes(),
            }
        })
        .collect();
    g.sample_size(10);
    g.bench_function("bid-box record of 10,000 bids", |b| {
        b.iter(|| BidBoxRecord::new("KONEPS-2026-000777", stored.iter().map(|s| s.bid_id)))
    });
    let record =
        BidBoxRecord::new("KONEPS-2026-000777", stored.iter().map(|s| s.bid_id)).expect("box");
    g.bench_function("inclusion proofs for all 10,000 bids", |b| {
        b.iter(|| record.all_inclusion_proofs())
    });
    g.measurement_time(Duration::from_secs(20));
    g.bench_function(
        "open 10,000 bids (3 shares, rebuild, decrypt, check)",
        |b| {
            b.iter(|| {
                let shares: Vec<_> = [1u8, 3, 5]
                    .iter()
                    .map(|&i| {
                        decrypt_share(&ceremony, i, &members[usize::from(i - 1)].0).expect("share")
                    })
                    .collect();
                let key = reconstruct_tender_key(&ceremony, &shares).expect("key");
                let opening = open_bids(&key, &record, black_box(&stored));
                assert_eq!(opening.record.opened.len(), BIDS);
                opening
            })
        },
    );
    g.finish();
}

criterion_group!(procurement, benches);
criterion_main!(procurement);
