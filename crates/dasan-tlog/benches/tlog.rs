//! Benchmarks: leaf appends in batches, verification of a 1,000,000-record log, proof
//! generation and checking, checkpoint signing and opening.
//!
//! `cargo bench -p dasan-tlog` (results recorded in bench/tlog/RESULTS.md).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use dasan_tlog::*;
use std::hint::black_box;
use std::time::Duration;

/// A 300-byte record, like a JSON audit event, varied by its index.
fn entry(i: u64, buf: &mut [u8; 300]) {
    buf[..8].copy_from_slice(&i.to_le_bytes());
}

fn template() -> [u8; 300] {
    let mut b = [b'x'; 300];
    b[8..].copy_from_slice(&[b'{'; 292]);
    b
}

fn store_of(n: u64) -> MemoryHashStore {
    let mut buf = template();
    let leaves: Vec<Hash> = (0..n)
        .map(|i| {
            entry(i, &mut buf);
            leaf_hash(&buf)
        })
        .collect();
    let mut s = MemoryHashStore::new();
    s.append(&leaves).expect("append");
    s
}

const MILLION: u64 = 1_000_000;

fn bench_append(c: &mut Criterion) {
    let base = store_of(100_000);
    let size = 100_000u64;
    let frontier = base
        .read_hashes(&tree_hash_indexes(size).expect("indexes"))
        .expect("frontier");
    let mut g = c.benchmark_group("append");
    for batch in [1usize, 100, 1000, 5000] {
        let entries: Vec<Vec<u8>> = (0..batch as u64)
            .map(|i| {
                let mut b = template();
                entry(size + i, &mut b);
                b.to_vec()
            })
            .collect();
        g.throughput(Throughput::Elements(batch as u64));
        // What a sequencer does per batch: hash the records, extend the tree from its frontier.
        g.bench_function(format!("batch_{batch}_records_300B"), |b| {
            b.iter(|| {
                let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
                black_box(append_leaves(size, &frontier, &leaves).expect("append"))
            })
        });
    }
    g.finish();
}

fn bench_verify(c: &mut Criterion) {
    let store = store_of(MILLION);
    let checkpoints: Vec<TreeHead> = (1..=1000u64)
        .map(|k| TreeHead {
            size: k * 1000,
            root: tree_hash(k * 1000, &store).expect("root"),
        })
        .collect();
    let mut g = c.benchmark_group("verify");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(MILLION));
    g.bench_function("1M_records_300B_1000_checkpoints", |b| {
        b.iter(|| {
            let mut v = LogVerifier::new(checkpoints.iter().copied());
            let mut buf = template();
            for i in 0..MILLION {
                entry(i, &mut buf);
                v.push_record(i, &buf);
            }
            let r = v.finish();
            assert!(r.is_ok());
            black_box(r)
        })
    });
    g.bench_function("1M_records_300B_1000_checkpoints_and_stored_hashes", |b| {
        b.iter(|| {
            let mut v = LogVerifier::with_stored_hashes(checkpoints.iter().copied());
            let mut buf = template();
            let hashes = store.hashes();
            let mut next = 0usize;
            for i in 0..MILLION {
                entry(i, &mut buf);
                v.push_record(i, &buf);
                let upto = usize::try_from(stored_hash_count(i + 1).expect("count")).expect("fits");
                while next < upto {
                    v.push_stored_hash(next as u64, hashes[next]);
                    next += 1;
                }
            }
            let r = v.finish();
            assert!(r.is_ok());
            black_box(r)
        })
    });
    g.finish();
}

fn bench_proofs(c: &mut Criterion) {
    let store = store_of(MILLION);
    let root = tree_hash(MILLION, &store).expect("root");
    let old_root = tree_hash(654_321, &store).expect("root");
    let leaf =
        store.hashes()[usize::try_from(leaf_stored_index(123_456).expect("i")).expect("fits")];
    let inc = prove_record(MILLION, 123_456, &store).expect("prove");
    let con = prove_tree(MILLION, 654_321, &store).expect("prove");
    let mut g = c.benchmark_group("proof_1M_tree");
    g.bench_function("tree_hash", |b| {
        b.iter(|| black_box(tree_hash(black_box(MILLION), &store).expect("root")))
    });
    g.bench_function("prove_record", |b| {
        b.iter(|| black_box(prove_record(MILLION, black_box(123_456), &store).expect("prove")))
    });
    g.bench_function("check_record", |b| {
        b.iter(|| inc.verify(black_box(&leaf), &root).expect("verify"))
    });
    g.bench_function("prove_tree", |b| {
        b.iter(|| black_box(prove_tree(MILLION, black_box(654_321), &store).expect("prove")))
    });
    g.bench_function("check_tree", |b| {
        b.iter(|| con.verify(black_box(&old_root), &root).expect("verify"))
    });
    g.finish();
}

fn bench_checkpoint(c: &mut Criterion) {
    let signer = Ed25519NoteSigner::new(
        "gov.example/audit",
        ed25519_dalek::SigningKey::from_bytes(&[3; 32]),
    )
    .expect("key");
    let verifiers = VerifierSet::single(signer.verifier());
    let cp = Checkpoint::new("gov.example/audit", MILLION, leaf_hash(b"root"));
    let note = cp.sign(&signer).expect("sign");
    let mut g = c.benchmark_group("checkpoint");
    g.bench_function("sign", |b| {
        b.iter(|| black_box(cp.sign(&signer).expect("sign")))
    });
    g.bench_function("open", |b| {
        b.iter_batched(
            || note.clone(),
            |n| black_box(Checkpoint::open(&n, &verifiers, "gov.example/audit").expect("open")),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_append,
    bench_verify,
    bench_proofs,
    bench_checkpoint
);
criterion_main!(benches);
