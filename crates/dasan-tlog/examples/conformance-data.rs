//! Writes test data for the independent Go checker in `conformance/tlog/`: records, every
//! stored hash, signed checkpoints at several sizes, inclusion and consistency proofs and
//! `tlog-proof`s, all produced by this crate.
//!
//! Usage: `cargo run -p dasan-tlog --example conformance-data -- OUT.json [--tamper KIND]`
//!
//! With `--tamper KIND` one item is corrupted after everything was produced, so the run script
//! can check that the Go checker rejects it. KIND is one of: `inclusion-proof`,
//! `consistency-proof`, `checkpoint-root`, `checkpoint-size`, `signature`, `record`,
//! `stored-hash`, `tlog-proof`.

use dasan_tlog::ed25519_dalek::SigningKey;
use dasan_tlog::*;
use serde::Serialize;
use std::process::ExitCode;

const ORIGIN: &str = "dasan.example/conformance";
const RECORDS: u64 = 300;
const CHECKPOINT_SIZES: &[u64] = &[
    0, 1, 2, 3, 4, 5, 7, 8, 9, 100, 127, 128, 129, 255, 256, 257, 300,
];
const PROOF_SIZES: &[u64] = &[1, 2, 3, 5, 8, 9, 100, 129, 256, 257, 300];

#[derive(Serialize)]
struct SignedCheckpoint {
    size: u64,
    root: Hash,
    note: String,
}

#[derive(Serialize)]
struct Data {
    origin: String,
    /// Verifier key, as read by Go's `note.NewVerifier`.
    vkey: String,
    /// The signer key in Go's `note.NewSigner` encoding. A throw-away test key, included so
    /// the checker can sign the same texts with Go and compare the notes byte for byte.
    test_only_skey: String,
    /// Record data, base64.
    entries: Vec<String>,
    stored_hashes: Vec<Hash>,
    checkpoints: Vec<SignedCheckpoint>,
    /// A checkpoint whose origin is Go's own "go.sum database tree", so that `tlog.ParseTree`
    /// parses a body formatted by this crate.
    go_sum_checkpoint: SignedCheckpoint,
    /// A checkpoint with extension lines.
    extension_checkpoint: SignedCheckpoint,
    inclusion_proofs: Vec<InclusionProof>,
    consistency_proofs: Vec<ConsistencyProof>,
    tlog_proofs: Vec<String>,
}

fn entry(i: u64) -> Vec<u8> {
    // Varied lengths (including empty and multi-block) so leaf hashing is exercised properly.
    match i % 5 {
        0 => Vec::new(),
        1 => vec![u8::try_from(i % 256).unwrap_or(0)],
        2 => format!("{{\"event\":{i},\"kind\":\"civil.certificate.issued\"}}").into_bytes(),
        3 => (0..200).map(|k| ((i * 31 + k) % 251) as u8).collect(),
        _ => format!("record {i} \u{b2e4}\u{c0b0}").into_bytes(),
    }
}

fn build() -> Result<Data, Box<dyn std::error::Error>> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;

    let signer = Ed25519NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[0x5a; 32]))?;
    let entries: Vec<Vec<u8>> = (0..RECORDS).map(entry).collect();

    // Append in uneven batches, as a sequencer would.
    let mut store = MemoryHashStore::new();
    let mut start = 0usize;
    for (i, len) in [1usize, 2, 5, 13, 40, 100, 139].iter().enumerate() {
        let end = (start + len).min(entries.len());
        let leaves: Vec<Hash> = entries[start..end].iter().map(|e| leaf_hash(e)).collect();
        store.append(&leaves)?;
        start = end;
        if i == 6 && end != entries.len() {
            return Err("batches do not cover all records".into());
        }
    }

    let sign = |origin: &str,
                size: u64,
                ext: &[&str]|
     -> Result<SignedCheckpoint, Box<dyn std::error::Error>> {
        let root = tree_hash(size, &store)?;
        let mut cp = Checkpoint::new(origin, size, root);
        cp.extensions = ext.iter().map(|s| (*s).to_owned()).collect();
        Ok(SignedCheckpoint {
            size,
            root,
            note: cp.sign(&signer)?,
        })
    };

    let mut checkpoints = Vec::new();
    for &size in CHECKPOINT_SIZES {
        checkpoints.push(sign(ORIGIN, size, &[])?);
    }

    let mut inclusion_proofs = Vec::new();
    let mut consistency_proofs = Vec::new();
    for &t in PROOF_SIZES {
        let mut picks = vec![0, t / 3, t / 2, t - 1];
        picks.dedup();
        for n in picks {
            inclusion_proofs.push(prove_record(t, n, &store)?);
        }
        let mut olds = vec![1, t / 2, t.saturating_sub(1), t];
        olds.retain(|&n| n >= 1);
        olds.dedup();
        for n in olds {
            consistency_proofs.push(prove_tree(t, n, &store)?);
        }
    }

    let mut tlog_proofs = Vec::new();
    for (size, index) in [(300u64, 0u64), (300, 211), (129, 128), (1, 0)] {
        let note = &checkpoints
            .iter()
            .find(|c| c.size == size)
            .ok_or("no checkpoint of that size")?
            .note;
        let inc = prove_record(size, index, &store)?;
        let mut p = TlogProof::new(&inc, note);
        if index == 211 {
            p.extra = Some(b"dasan event 211".to_vec());
        }
        tlog_proofs.push(p.to_text());
    }

    Ok(Data {
        origin: ORIGIN.to_owned(),
        vkey: signer.verifier().to_vkey(),
        test_only_skey: signer.to_skey().to_string(),
        entries: entries.iter().map(|e| b64.encode(e)).collect(),
        stored_hashes: store.hashes().to_vec(),
        checkpoints,
        go_sum_checkpoint: sign("go.sum database tree", 257, &[])?,
        extension_checkpoint: sign(
            ORIGIN,
            300,
            &["dasan:node=seq-1", "time 2026-05-01T00:00:00Z"],
        )?,
        inclusion_proofs,
        consistency_proofs,
        tlog_proofs,
    })
}

fn flip(h: &mut Hash) {
    h.0[7] ^= 0x20;
}

/// Corrupts one item of `d`; returns false for an unknown kind.
fn tamper(d: &mut Data, kind: &str) -> Result<bool, Box<dyn std::error::Error>> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    match kind {
        "inclusion-proof" => {
            let p = d
                .inclusion_proofs
                .iter_mut()
                .find(|p| p.hashes.len() > 3)
                .ok_or("no long proof")?;
            flip(&mut p.hashes[2]);
        }
        "consistency-proof" => {
            let p = d
                .consistency_proofs
                .iter_mut()
                .find(|p| p.hashes.len() > 3)
                .ok_or("no long proof")?;
            flip(&mut p.hashes[1]);
        }
        "checkpoint-root" | "checkpoint-size" => {
            // A forged checkpoint body under the original signature, JSON fields updated to
            // match, as an attacker rewriting history would.
            let c = d.checkpoints.last_mut().ok_or("no checkpoint")?;
            let (body, sig) = c.note.split_once("\n\n").ok_or("no signature")?;
            let mut cp = Checkpoint::parse(&format!("{body}\n"))?;
            if kind == "checkpoint-root" {
                flip(&mut cp.root);
            } else {
                cp.size -= 1;
            }
            c.note = format!("{}\n{sig}", cp.to_text()?);
            c.root = cp.root;
            c.size = cp.size;
        }
        "signature" => {
            let c = d.checkpoints.get_mut(5).ok_or("no checkpoint")?;
            let (text, sigs) = parse_note(c.note.as_bytes())?;
            let mut sig = sigs.first().ok_or("no signature")?.clone();
            if let Some(b) = sig.signature.get_mut(10) {
                *b ^= 1;
            }
            c.note = format!("{text}\n{}\n", sig.to_line());
        }
        "record" => {
            let e = d.entries.get_mut(150).ok_or("no record")?;
            *e = b64.encode(b"edited after the fact");
        }
        "stored-hash" => {
            let i = usize::try_from(stored_hash_index(4, 3).ok_or("index")?)?;
            flip(d.stored_hashes.get_mut(i).ok_or("no stored hash")?);
        }
        "tlog-proof" => {
            let p = d.tlog_proofs.get_mut(1).ok_or("no tlog-proof")?;
            let mut parsed = TlogProof::parse(p)?;
            parsed.index += 1;
            *p = parsed.to_text();
        }
        _ => return Ok(false),
    }
    Ok(true)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, kind) = match args.as_slice() {
        [out] => (out.clone(), None),
        [out, flag, kind] if flag == "--tamper" => (out.clone(), Some(kind.clone())),
        _ => {
            eprintln!("usage: conformance-data OUT.json [--tamper KIND]");
            return ExitCode::from(2);
        }
    };
    let result = build()
        .and_then(|mut d| {
            if let Some(k) = &kind
                && !tamper(&mut d, k)?
            {
                return Err(format!("unknown tamper kind {k:?}").into());
            }
            Ok(d)
        })
        .and_then(|d| Ok(serde_json::to_vec_pretty(&d)?))
        .and_then(|json| {
            std::fs::write(&out, json)?;
            Ok(())
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("conformance-data: {e}");
            ExitCode::FAILURE
        }
    }
}
