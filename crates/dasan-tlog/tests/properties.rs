//! Property tests, and exhaustive comparison with a literal transcription of the RFC 9162
//! definitions (MTH, PATH, PROOF) over small trees.

use dasan_tlog::*;
use proptest::prelude::*;

// ---- RFC 9162 §2.1 reference model, written from the RFC text, recursive and slow ----------

fn k_of(n: usize) -> usize {
    // Largest power of two smaller than n.
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn mth(d: &[Hash]) -> Hash {
    match d.len() {
        0 => empty_root(),
        1 => d[0],
        n => {
            let k = k_of(n);
            node_hash(&mth(&d[..k]), &mth(&d[k..]))
        }
    }
}

fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
    let n = d.len();
    if n == 1 {
        return vec![];
    }
    let k = k_of(n);
    if m < k {
        let mut p = path(m, &d[..k]);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = path(m - k, &d[k..]);
        p.push(mth(&d[..k]));
        p
    }
}

fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { vec![] } else { vec![mth(d)] };
    }
    let k = k_of(n);
    if m <= k {
        let mut p = subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}

fn leaves(n: usize) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
        .collect()
}

#[test]
fn exhaustive_against_rfc_definitions_up_to_70() {
    let all = leaves(70);
    let mut store = MemoryHashStore::new();
    store.append(&all).expect("append");
    for t in 1..=70usize {
        let d = &all[..t];
        let tt = t as u64;
        let root = tree_hash(tt, &store).expect("root");
        assert_eq!(root, mth(d), "MTH({t})");
        for m in 0..t {
            let p = prove_record(tt, m as u64, &store).expect("prove");
            assert_eq!(p.hashes, path(m, d), "PATH({m}, {t})");
            p.verify(&d[m], &root).expect("verify");
        }
        for m in 1..=t {
            let p = prove_tree(tt, m as u64, &store).expect("prove");
            let want = if m == t { vec![] } else { subproof(m, d, true) };
            assert_eq!(p.hashes, want, "PROOF({m}, {t})");
            p.verify(&mth(&d[..m]), &root).expect("verify");
        }
    }
}

#[test]
fn stored_hash_index_is_a_bijection_onto_a_prefix() {
    // Every index below stored_hash_count(n) is hit exactly once by the nodes of complete
    // subtrees among the first n leaves.
    let n = 300u64;
    let count = stored_hash_count(n).expect("count");
    let mut seen = vec![false; usize::try_from(count).expect("small")];
    for level in 0..=8u8 {
        let mut pos = 0u64;
        while (pos + 1) << level <= n {
            let idx = stored_hash_index(level, pos).expect("index");
            let slot = &mut seen[usize::try_from(idx).expect("small")];
            assert!(!*slot, "index {idx} hit twice");
            *slot = true;
            assert_eq!(split_stored_hash_index(idx), Some((level, pos)));
            pos += 1;
        }
    }
    assert!(seen.iter().all(|s| *s));
}

fn flip(h: &Hash, bit: usize) -> Hash {
    let mut b = h.0;
    b[(bit / 8) % 32] ^= 1 << (bit % 8);
    Hash(b)
}

fn tree_of(n: usize) -> (Vec<Hash>, MemoryHashStore) {
    let l = leaves(n);
    let mut s = MemoryHashStore::new();
    s.append(&l).expect("append");
    (l, s)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn inclusion_proofs_verify_and_detect_any_bit_flip(
        size in 1usize..400,
        pick in any::<prop::sample::Index>(),
        bit in 0usize..256,
        which in any::<prop::sample::Index>(),
    ) {
        let (l, s) = tree_of(size);
        let n = pick.index(size);
        let t = size as u64;
        let root = tree_hash(t, &s).expect("root");
        let proof = prove_record(t, n as u64, &s).expect("prove");
        prop_assert!(proof.verify(&l[n], &root).is_ok());
        // Sans-I/O path gives the same proof.
        let idx = record_proof_indexes(t, n as u64).expect("indexes");
        let got = s.read_hashes(&idx).expect("read");
        prop_assert_eq!(&record_proof_from_hashes(t, n as u64, &got).expect("proof"), &proof);

        prop_assert!(proof.verify(&flip(&l[n], bit), &root).is_err());
        prop_assert!(proof.verify(&l[n], &flip(&root, bit)).is_err());
        if !proof.hashes.is_empty() {
            let mut bad = proof.clone();
            let i = which.index(bad.hashes.len());
            bad.hashes[i] = flip(&bad.hashes[i], bit);
            prop_assert!(bad.verify(&l[n], &root).is_err());
            let mut short = proof.clone();
            short.hashes.pop();
            prop_assert!(short.verify(&l[n], &root).is_err());
        }
        let mut long = proof.clone();
        long.hashes.push(root);
        prop_assert!(long.verify(&l[n], &root).is_err());
        // The same proof does not work for a neighbouring index.
        if n + 1 < size {
            let mut moved = proof.clone();
            moved.leaf_index += 1;
            prop_assert!(moved.verify(&l[n], &root).is_err());
        }
    }

    #[test]
    fn consistency_proofs_verify_and_detect_any_bit_flip(
        size in 1usize..400,
        pick in any::<prop::sample::Index>(),
        bit in 0usize..256,
        which in any::<prop::sample::Index>(),
    ) {
        let (_, s) = tree_of(size);
        let t = size as u64;
        let n = pick.index(size) as u64 + 1; // 1..=size
        let root_t = tree_hash(t, &s).expect("root");
        let root_n = tree_hash(n, &s).expect("root");
        let proof = prove_tree(t, n, &s).expect("prove");
        prop_assert!(proof.verify(&root_n, &root_t).is_ok());
        let idx = tree_proof_indexes(t, n).expect("indexes");
        let got = s.read_hashes(&idx).expect("read");
        prop_assert_eq!(&tree_proof_from_hashes(t, n, &got).expect("proof"), &proof);

        prop_assert!(proof.verify(&flip(&root_n, bit), &root_t).is_err());
        prop_assert!(proof.verify(&root_n, &flip(&root_t, bit)).is_err());
        if !proof.hashes.is_empty() {
            let mut bad = proof.clone();
            let i = which.index(bad.hashes.len());
            bad.hashes[i] = flip(&bad.hashes[i], bit);
            prop_assert!(bad.verify(&root_n, &root_t).is_err());
        }
        if n < t {
            // A tree that differs in any single leaf is not an extension.
            let (mut l2, _) = tree_of(size);
            let j = which.index(n as usize);
            l2[j] = flip(&l2[j], bit);
            let mut s2 = MemoryHashStore::new();
            s2.append(&l2).expect("append");
            let forged_t = tree_hash(t, &s2).expect("root");
            let forged = prove_tree(t, n, &s2).expect("prove");
            prop_assert!(forged.verify(&root_n, &forged_t).is_err());
        }
    }

    #[test]
    fn batch_append_equals_one_by_one(
        size in 0usize..400,
        cuts in prop::collection::vec(0usize..400, 0..8),
    ) {
        let l = leaves(size);
        let mut one = MemoryHashStore::new();
        for (i, h) in l.iter().enumerate() {
            let new = stored_hashes_for_record_hash(i as u64, *h, &one).expect("append");
            let mut v = one.hashes().to_vec();
            v.extend(new);
            one = MemoryHashStore::from_hashes(v);
        }
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(size)).collect();
        cuts.push(0);
        cuts.push(size);
        cuts.sort_unstable();
        let mut batched = MemoryHashStore::new();
        let mut frontier = Frontier::new();
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            // Sans-I/O: read exactly the frontier, append, store.
            let idx = tree_hash_indexes(a as u64).expect("indexes");
            let f = batched.read_hashes(&idx).expect("read");
            let appended = append_leaves(a as u64, &f, &l[a..b]).expect("append");
            prop_assert_eq!(appended.first_index, stored_hash_count(a as u64).expect("count"));
            prop_assert_eq!(appended.root, tree_hash(b as u64, &one).expect("root"));
            batched.apply(&appended).expect("apply");
            for h in &l[a..b] {
                frontier.push(*h, &mut Vec::new()).expect("push");
            }
            prop_assert_eq!(frontier.root(), appended.root);
        }
        prop_assert_eq!(one.hashes(), batched.hashes());
        prop_assert_eq!(batched.len(), stored_hash_count(size as u64).expect("count"));
    }

    #[test]
    fn checkpoint_round_trip(
        origin in "[a-z0-9./_-]{1,40}",
        size in any::<u64>(),
        root in any::<[u8; 32]>(),
        ext in prop::collection::vec("[ -~]{1,30}", 0..3),
    ) {
        let cp = Checkpoint { origin, size, root: Hash(root), extensions: ext };
        let text = cp.to_text().expect("format");
        prop_assert_eq!(Checkpoint::parse(&text).expect("parse"), cp);
    }

    #[test]
    fn checkpoint_parser_never_panics(text in "\\PC*") {
        let _ = Checkpoint::parse(&text);
        let _ = TlogProof::parse(&text);
        let _ = parse_note(text.as_bytes());
        let _ = NoteVerifier::from_vkey(&text);
    }

    #[test]
    fn note_parser_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_note(&bytes);
        let _ = open_note(&bytes, &VerifierSet::default());
    }

    #[test]
    fn note_sign_verify_and_tamper(
        seed in any::<[u8; 32]>(),
        name in "[a-z0-9.]{1,20}(/[a-z0-9]{1,10})?",
        text in "([ -~]{0,40}\n){1,5}",
        byte in any::<prop::sample::Index>(),
    ) {
        let signer = Ed25519NoteSigner::new(&name, ed25519_dalek::SigningKey::from_bytes(&seed))
            .expect("signer");
        let verifiers = VerifierSet::single(signer.verifier());
        let signed = sign_note(&text, &signer).expect("sign");
        let opened = open_note(signed.as_bytes(), &verifiers).expect("open");
        prop_assert_eq!(&opened.text, &text);
        prop_assert_eq!(opened.verified.len(), 1);

        // vkey round trip.
        let vkey = signer.verifier().to_vkey();
        prop_assert_eq!(NoteVerifier::from_vkey(&vkey).expect("vkey"), signer.verifier());

        // Changing any single byte of the text breaks the note (or its syntax).
        let mut t = text.clone().into_bytes();
        let i = byte.index(t.len());
        t[i] = if t[i] == b'x' { b'y' } else { b'x' };
        let tampered = format!("{}\n{}", String::from_utf8(t).expect("ascii"), &signed[text.len() + 1..]);
        prop_assert!(open_note(tampered.as_bytes(), &verifiers).is_err());

        // A different key with the same name is unknown, so the note has no known signature.
        let mut other_seed = seed;
        other_seed[0] ^= 1;
        let other = Ed25519NoteSigner::new(&name, ed25519_dalek::SigningKey::from_bytes(&other_seed))
            .expect("signer");
        let err = open_note(signed.as_bytes(), &VerifierSet::single(other.verifier()));
        let unknown_only = matches!(err, Err(NoteError::NoKnownSignature { .. }));
        prop_assert!(unknown_only, "{:?}", err);
    }

    #[test]
    fn note_signature_bit_flips_are_rejected(
        seed in any::<[u8; 32]>(),
        bit in 0usize..(64 * 8),
    ) {
        let signer = Ed25519NoteSigner::new("log.example", ed25519_dalek::SigningKey::from_bytes(&seed))
            .expect("signer");
        let verifiers = VerifierSet::single(signer.verifier());
        let text = "log.example\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        let signed = sign_note(text, &signer).expect("sign");
        let (_, sigs) = parse_note(signed.as_bytes()).expect("parse");
        let mut sig = sigs[0].clone();
        sig.signature[bit / 8] ^= 1 << (bit % 8);
        let forged = format!("{text}\n{}\n", sig.to_line());
        let invalid = matches!(
            open_note(forged.as_bytes(), &verifiers),
            Err(NoteError::InvalidSignature { .. })
        );
        prop_assert!(invalid);
    }
}
