//! Sealed bidding end to end: ceremony, sealing, signatures, bid box, opening, tampering.
#![allow(clippy::unwrap_used)]

use dasan_procurement::*;

struct Committee {
    members: Vec<(MemberSecretKey, MemberPublicKey)>,
    ceremony: KeyCeremony,
}

fn committee(tender: &str, t: u8, n: usize) -> Committee {
    let members: Vec<_> = (0..n).map(|_| MemberSecretKey::generate()).collect();
    let publics: Vec<_> = members.iter().map(|m| m.1).collect();
    let ceremony = run_key_ceremony(tender, t, &publics).unwrap();
    Committee { members, ceremony }
}

impl Committee {
    fn share(&self, index: u8) -> KeyShare {
        decrypt_share(
            &self.ceremony,
            index,
            &self.members[usize::from(index - 1)].0,
        )
        .unwrap()
    }

    fn key(&self, indexes: &[u8]) -> TenderSecretKey {
        let shares: Vec<_> = indexes.iter().map(|&i| self.share(i)).collect();
        reconstruct_tender_key(&self.ceremony, &shares).unwrap()
    }
}

fn payload(tender: &str, supplier: &str, amount: u64) -> BidPayload {
    BidPayload {
        tender_id: tender.into(),
        supplier_id: supplier.into(),
        lots: vec![
            LotPrice {
                lot_id: "lot-2".into(),
                currency: "KRW".into(),
                amount_minor: amount * 2,
            },
            LotPrice {
                lot_id: "lot-1".into(),
                currency: "KRW".into(),
                amount_minor: amount,
            },
        ],
        reserve_price_picks: Some([9, 4]),
        documents: vec![DocumentRef {
            name: "technical-proposal.pdf".into(),
            media_type: "application/pdf".into(),
            sha256: [0xab; 32],
        }],
        attachments: vec![Attachment {
            name: "price-breakdown.csv".into(),
            media_type: "text/csv".into(),
            content: b"item,qty,price\nA,1,100\n".to_vec(),
        }],
    }
}

fn stored(s: &SealedBid) -> StoredBid {
    StoredBid {
        bid_id: s.id(),
        envelope: s.as_bytes().to_vec(),
    }
}

#[test]
fn ceremony_parameters_are_validated() {
    let pks: Vec<_> = (0..3).map(|_| MemberSecretKey::generate().1).collect();
    assert_eq!(
        run_key_ceremony("T", 1, &pks).unwrap_err(),
        CeremonyError::ThresholdTooLow(1)
    );
    assert_eq!(
        run_key_ceremony("T", 4, &pks).unwrap_err(),
        CeremonyError::ThresholdAboveMembers {
            threshold: 4,
            members: 3
        }
    );
    assert_eq!(
        run_key_ceremony("T", 2, &[]).unwrap_err(),
        CeremonyError::NoMembers
    );
    let many: Vec<_> = (0..256).map(|_| MemberSecretKey::generate().1).collect();
    assert_eq!(
        run_key_ceremony("T", 2, &many).unwrap_err(),
        CeremonyError::TooManyMembers(256)
    );
    assert!(run_key_ceremony("T", 2, &many[..255]).is_ok());
    assert_eq!(
        run_key_ceremony("T", 2, &[pks[0], pks[1], pks[0]]).unwrap_err(),
        CeremonyError::DuplicateMember {
            first: 1,
            second: 3
        }
    );
    assert!(matches!(
        run_key_ceremony("", 2, &pks).unwrap_err(),
        CeremonyError::InvalidTenderId(_)
    ));
    assert!(matches!(
        run_key_ceremony("T\n1", 2, &pks).unwrap_err(),
        CeremonyError::InvalidTenderId(_)
    ));
    // A low-order point is not a usable member key.
    assert_eq!(
        MemberPublicKey::from_bytes([0; 32]).unwrap_err(),
        KeyError::LowOrder
    );
}

#[test]
fn ceremony_record_is_public_json_and_round_trips() {
    let c = committee("T-json", 2, 3);
    let json = serde_json::to_string(&c.ceremony).unwrap();
    let back: KeyCeremony = serde_json::from_str(&json).unwrap();
    assert_eq!(back, c.ceremony);
    // A member opens their share from the stored JSON.
    decrypt_share(&back, 2, &c.members[1].0).unwrap();
}

#[test]
fn shares_open_only_with_the_members_key_and_context() {
    let c = committee("T-shares", 2, 3);
    assert_eq!(
        decrypt_share(&c.ceremony, 1, &c.members[1].0).unwrap_err(),
        ShareError::WrongKey(1)
    );
    assert_eq!(
        decrypt_share(&c.ceremony, 9, &c.members[0].0).unwrap_err(),
        ShareError::NoSuchMember(9)
    );
    // Moved to another tender id: the AAD no longer matches.
    let mut moved = c.ceremony.clone();
    moved.tender_id = "T-other".into();
    assert_eq!(
        decrypt_share(&moved, 1, &c.members[0].0).unwrap_err(),
        ShareError::Decrypt(1)
    );
    // A lower threshold written into the record: the AAD no longer matches.
    let mut lowered = c.ceremony.clone();
    lowered.threshold = 1;
    assert_eq!(
        decrypt_share(&lowered, 1, &c.members[0].0).unwrap_err(),
        ShareError::Decrypt(1)
    );
    // A flipped ciphertext bit.
    let mut flipped = c.ceremony.clone();
    flipped.shares[0].ciphertext[3] ^= 1;
    assert_eq!(
        decrypt_share(&flipped, 1, &c.members[0].0).unwrap_err(),
        ShareError::Decrypt(1)
    );
}

#[test]
fn fewer_than_t_shares_cannot_open() {
    let c = committee("T-few", 3, 5);
    let err = reconstruct_tender_key(&c.ceremony, &[c.share(1), c.share(4)]).unwrap_err();
    assert_eq!(err, ReconstructError::NotEnoughShares { have: 2, need: 3 });
    assert_eq!(
        err.to_string(),
        "2 of the 3 shares needed to open were released"
    );
    // The same share twice does not count twice.
    assert_eq!(
        reconstruct_tender_key(&c.ceremony, &[c.share(1), c.share(1), c.share(2)]).unwrap_err(),
        ReconstructError::DuplicateShare(1)
    );
    // Any three work; so do all five.
    for set in [[1u8, 2, 3], [5, 1, 3], [2, 4, 5]] {
        assert_eq!(c.key(&set).public_key(), c.ceremony.public_key);
    }
    assert_eq!(c.key(&[1, 2, 3, 4, 5]).public_key(), c.ceremony.public_key);
}

#[test]
fn a_corrupted_or_foreign_share_is_detected() {
    let c = committee("T-bad", 2, 3);
    let other = committee("T-bad", 2, 3);
    let mut bytes = c.share(2).to_bytes().to_vec();
    bytes[7] ^= 0x40;
    let corrupted = KeyShare::from_bytes(&bytes).unwrap();
    assert_eq!(
        reconstruct_tender_key(&c.ceremony, &[c.share(1), corrupted]).unwrap_err(),
        ReconstructError::KeyMismatch
    );
    assert_eq!(
        reconstruct_tender_key(&c.ceremony, &[c.share(1), other.share(2)]).unwrap_err(),
        ReconstructError::KeyMismatch
    );
}

#[test]
fn seal_and_open_round_trip() {
    let tender = "T-2026-0042";
    let c = committee(tender, 2, 3);
    let bids: Vec<SealedBid> = (0..20)
        .map(|i| {
            seal_bid(
                &c.ceremony.public_key,
                &payload(tender, &format!("supplier-{i:02}"), 1_000_000 + i),
            )
            .unwrap()
        })
        .collect();
    let record = BidBoxRecord::new(tender, bids.iter().map(SealedBid::id)).unwrap();
    record.verify().unwrap();
    let key = c.key(&[3, 1]);
    let stored: Vec<_> = bids.iter().map(stored).collect();
    let opening = open_bids(&key, &record, &stored);
    assert!(opening.record.rejected.is_empty());
    assert!(opening.record.missing.is_empty());
    assert_eq!(opening.record.opened.len(), 20);
    for (i, bid) in bids.iter().enumerate() {
        let opened = opening
            .record
            .opened
            .iter()
            .find(|o| o.bid_id == bid.id())
            .unwrap();
        assert_eq!(opened.supplier_id, format!("supplier-{i:02}"));
        // Lots come back sorted by lot id.
        assert_eq!(opened.lots[0].lot_id, "lot-1");
        assert_eq!(opened.lots[0].amount_minor, 1_000_000 + i as u64);
        assert_eq!(opened.lots[1].amount_minor, 2 * (1_000_000 + i as u64));
        assert_eq!(opened.reserve_price_picks, Some([4, 9]));
        assert_eq!(opened.attachments[0].name, "price-breakdown.csv");
    }
    let (_, full) = &opening.payloads[0];
    assert_eq!(full.attachments[0].content, b"item,qty,price\nA,1,100\n");
    // The record is JSON for signing and publishing.
    let json = String::from_utf8(opening.record.to_json_bytes()).unwrap();
    assert!(json.contains("\"format\":\"dasan-procurement/opening-record/v1\""));
}

#[test]
fn envelope_header_is_readable_and_bound() {
    let c = committee("T-aad", 2, 2);
    let sealed = seal_bid(&c.ceremony.public_key, &payload("T-aad", "S-1", 500)).unwrap();
    let parsed = SealedBid::parse(sealed.as_bytes()).unwrap();
    assert_eq!(parsed, sealed);
    assert_eq!(parsed.header().tender_id, "T-aad");
    assert_eq!(parsed.header().supplier_id, "S-1");
    assert_eq!(parsed.header().lot_ids, vec!["lot-1", "lot-2"]);
    assert_eq!(parsed.id(), BidId::of(sealed.as_bytes()));
    parsed
        .check_tender(
            "T-aad",
            &c.ceremony.public_key,
            &["lot-1", "lot-2", "lot-3"],
        )
        .unwrap();
    assert_eq!(
        parsed
            .check_tender("T-aad", &c.ceremony.public_key, &["lot-1"])
            .unwrap_err(),
        EnvelopeError::UnknownLot("lot-2".into())
    );
    assert_eq!(
        parsed
            .check_tender("T-other", &c.ceremony.public_key, &["lot-1", "lot-2"])
            .unwrap_err(),
        EnvelopeError::WrongTender("T-aad".into())
    );

    // Swap the supplier id in the header (same length, so it still parses): the AEAD refuses.
    let mut swapped = sealed.as_bytes().to_vec();
    let at = swapped.windows(3).position(|w| w == b"S-1").unwrap();
    swapped[at + 2] = b'2';
    let swapped_bid = SealedBid::parse(&swapped).unwrap();
    assert_eq!(swapped_bid.header().supplier_id, "S-2");

    // Tamper with one ciphertext byte.
    let mut tampered = sealed.as_bytes().to_vec();
    let last = tampered.len() - 5;
    tampered[last] ^= 0x01;

    // Both are recorded in the bid box as they are (as if accepted so), and still fail to open.
    let record = BidBoxRecord::new("T-aad", [BidId::of(&swapped), BidId::of(&tampered)]).unwrap();
    let opening = open_bids(
        &c.key(&[1, 2]),
        &record,
        &[
            StoredBid {
                bid_id: BidId::of(&swapped),
                envelope: swapped,
            },
            StoredBid {
                bid_id: BidId::of(&tampered),
                envelope: tampered,
            },
        ],
    );
    assert!(opening.record.opened.is_empty());
    assert_eq!(opening.record.rejected.len(), 2);
    for r in &opening.record.rejected {
        assert_eq!(r.reason, RejectionReason::DecryptionFailed);
    }
}

#[test]
fn a_bid_altered_after_the_deadline_is_detected_at_opening() {
    let tender = "T-alter";
    let c = committee(tender, 2, 3);
    let honest = seal_bid(&c.ceremony.public_key, &payload(tender, "S-honest", 900)).unwrap();
    let victim = seal_bid(&c.ceremony.public_key, &payload(tender, "S-victim", 800)).unwrap();
    let lost = seal_bid(&c.ceremony.public_key, &payload(tender, "S-lost", 850)).unwrap();
    let record = BidBoxRecord::new(tender, [honest.id(), victim.id(), lost.id()]).unwrap();

    // After the deadline someone with database access replaces the victim's envelope with a
    // freshly sealed, perfectly valid, higher bid under the same stored id.
    let replacement = seal_bid(
        &c.ceremony.public_key,
        &payload(tender, "S-victim", 999_999),
    )
    .unwrap();
    // And injects a bid that was never in the box.
    let injected = seal_bid(&c.ceremony.public_key, &payload(tender, "S-late", 1)).unwrap();
    let stored = vec![
        stored(&honest),
        StoredBid {
            bid_id: victim.id(),
            envelope: replacement.as_bytes().to_vec(),
        },
        stored(&injected),
        stored(&honest),
    ];
    let opening = open_bids(&c.key(&[1, 2]), &record, &stored);
    let r = &opening.record;
    assert_eq!(r.opened.len(), 1);
    assert_eq!(r.opened[0].supplier_id, "S-honest");
    let reason_of = |id: BidId| {
        r.rejected
            .iter()
            .filter(|x| x.bid_id == id)
            .map(|x| x.reason)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        reason_of(victim.id()),
        vec![RejectionReason::AlteredAfterDeadline]
    );
    assert_eq!(reason_of(injected.id()), vec![RejectionReason::NotInBidBox]);
    assert_eq!(reason_of(honest.id()), vec![RejectionReason::Duplicate]);
    let altered = r.rejected.iter().find(|x| x.bid_id == victim.id()).unwrap();
    assert_eq!(altered.stored_hash, replacement.id());
    assert_eq!(altered.supplier_id.as_deref(), Some("S-victim"));
    assert_eq!(r.missing, vec![lost.id()]);
}

#[test]
fn bids_for_another_tender_or_key_are_rejected() {
    let a = committee("T-a", 2, 2);
    let b = committee("T-b", 2, 2);
    // Sealed to tender b's key but naming tender a.
    let wrong_key = seal_bid(&b.ceremony.public_key, &payload("T-a", "S-1", 1)).unwrap();
    // Sealed to a's key, naming tender b.
    let wrong_tender = seal_bid(&a.ceremony.public_key, &payload("T-b", "S-2", 1)).unwrap();
    let record = BidBoxRecord::new("T-a", [wrong_key.id(), wrong_tender.id()]).unwrap();
    let opening = open_bids(
        &a.key(&[1, 2]),
        &record,
        &[stored(&wrong_key), stored(&wrong_tender)],
    );
    let mut reasons: Vec<_> = opening.record.rejected.iter().map(|r| r.reason).collect();
    reasons.sort_by_key(|r| r.code());
    assert_eq!(
        reasons,
        vec![RejectionReason::WrongKey, RejectionReason::WrongTender]
    );
}

#[test]
fn bid_box_inclusion_proofs() {
    let c = committee("T-box", 2, 2);
    let bids: Vec<_> = (0..13)
        .map(|i| {
            seal_bid(
                &c.ceremony.public_key,
                &payload("T-box", &format!("S{i}"), 10),
            )
            .unwrap()
            .id()
        })
        .collect();
    let record = BidBoxRecord::new("T-box", bids.clone()).unwrap();
    assert_eq!(record.tree_size, 13);
    let head = record.tree_head();
    let all = record.all_inclusion_proofs().unwrap();
    for id in &bids {
        let proof = record.inclusion_proof(id).unwrap();
        verify_inclusion(id, &proof, &head).unwrap();
        assert_eq!(all[proof.leaf_index as usize], proof);
        // A changed hash does not verify.
        let mut other = *id;
        other.0[0] ^= 1;
        assert!(verify_inclusion(&other, &proof, &head).is_err());
    }
    // A changed root does not verify either.
    let mut bad_head = head;
    bad_head.root.0[5] ^= 1;
    let proof = record.inclusion_proof(&bids[0]).unwrap();
    assert!(verify_inclusion(&bids[0], &proof, &bad_head).is_err());
    // Not in the box: no proof.
    let mut absent = bids[0];
    absent.0[31] ^= 0xff;
    assert!(record.inclusion_proof(&absent).is_none());

    // The root is the RFC 9162 root over the sorted ids: the same as dasan-tlog's for the
    // same leaves, whatever order the ids came in.
    let mut shuffled = bids.clone();
    shuffled.reverse();
    assert_eq!(BidBoxRecord::new("T-box", shuffled).unwrap(), record);
    let mut sorted = bids.clone();
    sorted.sort();
    let mut store = dasan_tlog::MemoryHashStore::new();
    let leaves: Vec<_> = sorted
        .iter()
        .map(|id| dasan_tlog::leaf_hash(&id.0))
        .collect();
    assert_eq!(store.append(&leaves).unwrap().root, record.root);

    // Duplicates are refused; an edited record fails verification.
    assert_eq!(
        BidBoxRecord::new("T-box", [bids[0], bids[0]]).unwrap_err(),
        BidBoxError::Duplicate(bids[0])
    );
    let mut edited = record.clone();
    edited.bid_ids[3].0[0] ^= 1;
    assert!(edited.verify().is_err());
    let json = serde_json::to_string(&record).unwrap();
    let back: BidBoxRecord = serde_json::from_str(&json).unwrap();
    back.verify().unwrap();

    // Signed as a C2SP checkpoint with the platform's note key.
    let signer = dasan_tlog::Ed25519NoteSigner::new(
        "dasan.example/tender/T-box/bid-box",
        ed25519_dalek::SigningKey::from_bytes(&[9; 32]),
    )
    .unwrap();
    let note = record
        .checkpoint("dasan.example/tender/T-box/bid-box")
        .sign(&signer)
        .unwrap();
    let verifiers = dasan_tlog::VerifierSet::single(signer.verifier());
    let (cp, _) =
        dasan_tlog::Checkpoint::open(&note, &verifiers, "dasan.example/tender/T-box/bid-box")
            .unwrap();
    assert_eq!(cp.root, record.root);
}

#[test]
fn empty_bid_box() {
    let record = BidBoxRecord::new("T-empty", []).unwrap();
    assert_eq!(record.tree_size, 0);
    assert_eq!(record.root, dasan_tlog::empty_root());
    record.verify().unwrap();
}

#[test]
fn signed_submissions_ed25519_and_p256() {
    let c = committee("T-sig", 2, 2);
    let json = payload("T-sig", "S-9", 77).to_json();
    let ed = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
    let p = p256::ecdsa::SigningKey::from_slice(&[5; 32]).unwrap();
    for signer in [&ed as &dyn BidSigner, &p as &dyn BidSigner] {
        let bytes = seal_bid_file(&c.ceremony.public_key, &json, signer).unwrap();
        let signed = SignedBid::parse_and_verify(&bytes).unwrap();
        assert_eq!(signed.algorithm, signer.algorithm());
        assert_eq!(signed.signer_spki, signer.public_key_spki().unwrap());
        assert_eq!(signed.to_bytes(), bytes);
        // The bid id is the envelope's hash, independent of the signature.
        assert_eq!(signed.sealed.id(), BidId::of(signed.sealed.as_bytes()));

        // A signature over another bid, or a flipped byte anywhere, is refused.
        let mut bad = bytes.clone();
        let n = bad.len();
        bad[n - 3] ^= 1;
        assert!(SignedBid::parse_and_verify(&bad).is_err());
        let mut bad = bytes.clone();
        bad[60] ^= 1;
        assert!(SignedBid::parse_and_verify(&bad).is_err());
    }
    // A receipt names the bid.
    let bytes = seal_bid_file(&c.ceremony.public_key, &json, &ed).unwrap();
    let signed = SignedBid::parse_and_verify(&bytes).unwrap();
    let receipt = BidReceipt::new(&signed.sealed, 1_790_000_000_000_000);
    assert_eq!(receipt.bid_id, signed.sealed.id());
    assert!(
        String::from_utf8(receipt.to_json_bytes())
            .unwrap()
            .contains(&signed.sealed.id().to_hex())
    );
}

#[test]
fn signing_keys_load_from_pkcs8() {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    let ed = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
    let pem = ed.to_pkcs8_pem(Default::default()).unwrap();
    let loaded = load_signing_key(pem.as_bytes()).unwrap();
    assert_eq!(loaded.public_key_spki(), ed.public_key_spki());
    let p = p256::ecdsa::SigningKey::from_slice(&[5; 32]).unwrap();
    let der = p256::pkcs8::EncodePrivateKey::to_pkcs8_der(&p).unwrap();
    let loaded = load_signing_key(der.as_bytes()).unwrap();
    assert_eq!(loaded.algorithm(), dasan_crypto::Algorithm::EcdsaP256Sha256);
    assert!(load_signing_key(b"not a key").is_err());
}

#[test]
fn payload_rules_and_canonical_encoding() {
    let p = payload("T", "S", 1);
    let bytes = p.to_bytes().unwrap();
    let back = BidPayload::from_bytes(&bytes).unwrap();
    // Canonical: lots sorted, picks ascending; re-encoding gives the same bytes.
    assert_eq!(back.lots[0].lot_id, "lot-1");
    assert_eq!(back.reserve_price_picks, Some([4, 9]));
    assert_eq!(back.to_bytes().unwrap(), bytes);
    assert!(BidPayload::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut trailing = bytes.clone();
    trailing.push(0);
    let err = BidPayload::from_bytes(&trailing).unwrap_err();
    assert!(err.to_string().contains("trailing"), "{err}");

    let mut bad = p.clone();
    bad.reserve_price_picks = Some([3, 3]);
    assert_eq!(bad.validate().unwrap_err(), PayloadError::Picks);
    bad.reserve_price_picks = Some([0, 3]);
    assert_eq!(bad.validate().unwrap_err(), PayloadError::Picks);
    bad.reserve_price_picks = Some([1, 16]);
    assert_eq!(bad.validate().unwrap_err(), PayloadError::Picks);
    let mut bad = p.clone();
    bad.lots[1].lot_id = "lot-2".into();
    assert_eq!(
        bad.validate().unwrap_err(),
        PayloadError::DuplicateLot("lot-2".into())
    );
    let mut bad = p.clone();
    bad.lots[0].currency = "krw".into();
    assert!(matches!(bad.validate(), Err(PayloadError::Currency(_))));
    let mut bad = p.clone();
    bad.lots.clear();
    assert_eq!(bad.validate().unwrap_err(), PayloadError::NoLots);

    // The JSON form round-trips, and unknown fields are refused.
    assert_eq!(BidPayload::from_json(&p.to_json()).unwrap(), p);
    assert!(
        BidPayload::from_json(r#"{"tender_id":"T","supplier_id":"S","lots":[],"x":1}"#).is_err()
    );
}

#[test]
fn malformed_envelopes_report_the_offset() {
    let c = committee("T-parse", 2, 2);
    let sealed = seal_bid(&c.ceremony.public_key, &payload("T-parse", "S", 1)).unwrap();
    let bytes = sealed.as_bytes();
    let err = SealedBid::parse(&bytes[..40]).unwrap_err();
    assert!(
        matches!(err, EnvelopeError::Decode(ref d) if d.offset > 0),
        "{err}"
    );
    let mut other_suite = bytes.to_vec();
    other_suite[10] = 0x01; // AEAD id → 0x0101
    assert!(matches!(
        SealedBid::parse(&other_suite).unwrap_err(),
        EnvelopeError::Suite { .. }
    ));
    assert!(SealedBid::parse(b"DSBX").is_err());
}

#[test]
fn key_store_keys_sign_bids() {
    use dasan_crypto::{Algorithm, FileKeyStore, KekSource, KeyStore, StoreSigner};
    let dir = tempfile::tempdir().unwrap();
    let kek = dir.path().join("kek.bin");
    KekSource::create_key_file(&kek).unwrap();
    let store = FileKeyStore::create(dir.path().join("store"), &KekSource::KeyFile(kek)).unwrap();
    let c = committee("T-store", 2, 2);
    let json = payload("T-store", "S-store", 5).to_json();
    for alg in [Algorithm::Ed25519, Algorithm::EcdsaP256Sha256] {
        let info = store
            .generate(
                &format!("bidder-{alg}"),
                alg,
                std::time::SystemTime::UNIX_EPOCH,
            )
            .unwrap();
        let signer = StoreSigner::new(&store, &info.id).unwrap();
        let bytes = seal_bid_file(&c.ceremony.public_key, &json, &signer).unwrap();
        let signed = SignedBid::parse_and_verify(&bytes).unwrap();
        assert_eq!(signed.algorithm, alg);
        assert_eq!(signed.signer_spki, store.public_key(&info.id).unwrap());
    }
    // RSA keys are not accepted for bids.
    let info = store
        .generate(
            "bidder-rsa",
            Algorithm::Rsa2048PssSha256,
            std::time::SystemTime::UNIX_EPOCH,
        )
        .unwrap();
    let signer = StoreSigner::new(&store, &info.id).unwrap();
    assert!(matches!(
        seal_bid_file(&c.ceremony.public_key, &json, &signer),
        Err(SealError::Sign(_))
    ));
}
