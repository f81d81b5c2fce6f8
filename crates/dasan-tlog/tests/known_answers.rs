//! Known-answer tests: the RFC 6962 / Certificate Transparency test tree (8 leaves) whose roots
//! and proofs are published with the CT reference implementations (as carried in
//! transparency-dev/merkle's `proof/verify_test.go`), and Go's `sumdb/tlog` storage layout.

use dasan_tlog::*;

fn h(hex: &str) -> Hash {
    Hash::from_hex(hex).expect("test vector hex")
}

fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

fn leaves() -> Vec<Vec<u8>> {
    [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
    .iter()
    .map(|s| bytes(s))
    .collect()
}

/// Roots of the trees of the first 1..=8 leaves.
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (leaf index, tree size, audit path)
fn inclusion_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
    vec![
        (0, 1, vec![]),
        (
            0,
            8,
            vec![
                h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ],
        ),
        (
            5,
            8,
            vec![
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
        (
            2,
            3,
            vec![h(
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            )],
        ),
        (
            1,
            5,
            vec![
                h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            ],
        ),
    ]
}

/// (old size, new size, consistency proof)
fn consistency_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
    vec![
        (1, 1, vec![]),
        (
            1,
            8,
            vec![
                h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ],
        ),
        (
            6,
            8,
            vec![
                h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
        (
            2,
            5,
            vec![
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            ],
        ),
        (
            6,
            7,
            vec![
                h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
    ]
}

fn store() -> MemoryHashStore {
    let mut s = MemoryHashStore::new();
    let hashes: Vec<Hash> = leaves().iter().map(|l| leaf_hash(l)).collect();
    s.append(&hashes).expect("append");
    s
}

fn root(size: u64) -> Hash {
    h(ROOTS[usize::try_from(size - 1).expect("small")])
}

#[test]
fn roots_match_rfc6962_vectors() {
    let s = store();
    for size in 1..=8u64 {
        assert_eq!(
            tree_hash(size, &s).expect("root"),
            root(size),
            "size {size}"
        );
    }
    assert_eq!(tree_hash(0, &s).expect("empty"), empty_root());
    // Growing the tree batch by batch reports the same roots.
    let mut grown = MemoryHashStore::new();
    for (i, l) in leaves().iter().enumerate() {
        let a = grown.append(&[leaf_hash(l)]).expect("append");
        assert_eq!(a.root, h(ROOTS[i]));
    }
}

#[test]
fn inclusion_proofs_match_vectors() {
    let s = store();
    for (index, size, path) in inclusion_vectors() {
        let proof = prove_record(size, index, &s).expect("prove");
        assert_eq!(proof.hashes, path, "index {index} size {size}");
        let leaf = leaf_hash(&leaves()[usize::try_from(index).expect("small")]);
        check_record(&path, size, &root(size), index, &leaf).expect("vector verifies");
    }
}

#[test]
fn consistency_proofs_match_vectors() {
    let s = store();
    for (old, new, path) in consistency_vectors() {
        let proof = prove_tree(new, old, &s).expect("prove");
        assert_eq!(proof.hashes, path, "{old} -> {new}");
        check_tree(&path, new, &root(new), old, &root(old)).expect("vector verifies");
    }
}

/// The corruptions of transparency-dev's `corruptInclusionProof`: each must be rejected.
#[test]
fn corrupted_inclusion_vectors_are_rejected() {
    let some = h("abacaba000000000000000000000000000000000000000000060061e00123456");
    for (index, size, path) in inclusion_vectors() {
        let r = root(size);
        let leaf = leaf_hash(&leaves()[usize::try_from(index).expect("small")]);
        let mut probes: Vec<(u64, u64, Hash, Hash, Vec<Hash>)> = vec![
            (index.wrapping_sub(1), size, r, leaf, path.clone()),
            (index + 1, size, r, leaf, path.clone()),
            (index ^ 2, size, r, leaf, path.clone()),
            (index, size * 2, r, leaf, path.clone()),
            (index, size / 2, r, leaf, path.clone()),
            (index, size, r, leaf_hash(b"WrongLeaf"), path.clone()),
            (index, size, empty_root(), leaf, path.clone()),
            (index, size, some, leaf, path.clone()),
            (index, size, r, leaf, [path.clone(), vec![r]].concat()),
            (index, size, r, leaf, [vec![r], path.clone()].concat()),
        ];
        for i in 0..path.len() {
            let mut p = path.clone();
            p[i].0[0] ^= 8;
            probes.push((index, size, r, leaf, p));
        }
        if !path.is_empty() {
            probes.push((index, size, r, leaf, path[..path.len() - 1].to_vec()));
        }
        if path.len() > 1 {
            let mut p = vec![path[0], some];
            p.extend_from_slice(&path[1..]);
            probes.push((index, size, r, leaf, p));
        }
        for (i, t, root, leaf, p) in probes {
            // `index ^ 2` can land on another valid index with the same path length; it must
            // still fail because the leaf is in a different position.
            assert!(
                check_record(&p, t, &root, i, &leaf).is_err(),
                "accepted corrupt probe index {i} size {t} (vector {index}/{size})"
            );
        }
    }
}

/// The corruptions of transparency-dev's `corruptConsistencyProof`: each must be rejected.
#[test]
fn corrupted_consistency_vectors_are_rejected() {
    for (old, new, path) in consistency_vectors() {
        if path.is_empty() {
            continue;
        }
        let (r1, r2) = (root(old), root(new));
        let wrong = leaf_hash(b"WrongRoot");
        let mut probes: Vec<(u64, u64, Hash, Hash, Vec<Hash>)> = vec![
            (old - 1, new, r1, r2, path.clone()),
            (old + 1, new, r1, r2, path.clone()),
            (old ^ 2, new, r1, r2, path.clone()),
            (old, new * 2, r1, r2, path.clone()),
            (old, new / 2, r1, r2, path.clone()),
            (old, new, wrong, r2, path.clone()),
            (old, new, r1, wrong, path.clone()),
            (old, new, r2, r1, path.clone()),
            (old, new, r1, r2, vec![]),
            (old, new, r1, r2, [path.clone(), vec![r1]].concat()),
            (old, new, r1, r2, [path.clone(), vec![r2]].concat()),
            (old, new, r1, r2, [vec![r1], path.clone()].concat()),
            (old, new, r1, r2, [vec![r2], path.clone()].concat()),
            (old, new, r1, r2, [vec![path[0]], path.clone()].concat()),
            (old, new, r1, r2, path[..path.len() - 1].to_vec()),
        ];
        for i in 0..path.len() {
            let mut p = path.clone();
            p[i].0[0] ^= 16;
            probes.push((old, new, r1, r2, p));
        }
        for (o, n, a, b, p) in probes {
            assert!(
                check_tree(&p, n, &b, o, &a).is_err(),
                "accepted corrupt probe {o}->{n} (vector {old}->{new})"
            );
        }
    }
}

#[test]
fn trivial_consistency_cases() {
    let s = store();
    // n == t: empty proof, equal roots.
    check_tree(&[], 5, &root(5), 5, &root(5)).expect("same tree");
    assert!(check_tree(&[], 5, &root(5), 5, &root(4)).is_err());
    assert!(check_tree(&[root(5)], 5, &root(5), 5, &root(5)).is_err());
    // From the empty tree: empty proof and the empty root.
    check_tree(&[], 5, &root(5), 0, &empty_root()).expect("from empty");
    assert!(check_tree(&[], 5, &root(5), 0, &root(1)).is_err());
    assert!(prove_tree(5, 0, &s).expect("prove").hashes.is_empty());
    // Old size larger than new.
    assert!(check_tree(&[], 4, &root(4), 5, &root(5)).is_err());
    assert!(check_record(&[], 0, &empty_root(), 0, &empty_root()).is_err());
    // Two empty trees: both roots must be the empty root.
    check_tree(&[], 0, &empty_root(), 0, &empty_root()).expect("empty to empty");
    assert!(check_tree(&[], 0, &root(1), 0, &empty_root()).is_err());
    assert!(check_tree(&[], 0, &empty_root(), 0, &root(1)).is_err());
}

/// Go's `sumdb/tlog` layout: the first stored hashes of the 8-leaf tree, in order.
#[test]
fn stored_hashes_follow_go_layout() {
    let s = store();
    let l: Vec<Hash> = leaves().iter().map(|x| leaf_hash(x)).collect();
    let n01 = node_hash(&l[0], &l[1]);
    let n23 = node_hash(&l[2], &l[3]);
    let n45 = node_hash(&l[4], &l[5]);
    let n67 = node_hash(&l[6], &l[7]);
    let n03 = node_hash(&n01, &n23);
    let n47 = node_hash(&n45, &n67);
    let n07 = node_hash(&n03, &n47);
    let want = vec![
        l[0], l[1], n01, l[2], l[3], n23, n03, l[4], l[5], n45, l[6], l[7], n67, n47, n07,
    ];
    assert_eq!(s.hashes(), want.as_slice());
    assert_eq!(stored_hash_count(8), Some(15));
    assert_eq!(n07, root(8));
}
