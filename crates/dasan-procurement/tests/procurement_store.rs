//! The storage and service layer of e-procurement on both engines: a full tender from notice
//! through amendments and clarifications to opening; the bid deadline to the microsecond; a
//! debarred supplier; opening with fewer than t shares; an envelope altered after the deadline;
//! the per-hour deadline cap; the outage extension.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use dasan_crypto::{FileKeyStore, KekSource};
use dasan_identity::{AccountId, AccountKind, Assurance, NewAccount, Principal, RoleGrant};
use dasan_kernel::{Actor, Currency, ManualClock, Money, Timestamp};
use dasan_procurement::notice::*;
use dasan_procurement::*;
use dasan_registry::{BusinessId, Registry};
use dasan_store::testing::TestDatabase;
use dasan_store::{Database, engine_tests, on_reader, on_tx};
use sha2::Digest as _;

/// An hour far from the epoch's edge: 2027-01-14T08:00Z.
const H0: i64 = 500_000 * HOUR_US;

fn at(hours: i64, micros: i64) -> Timestamp {
    Timestamp::from_micros(H0 + hours * HOUR_US + micros)
}

struct Supplier {
    business: BusinessId,
    rep: Principal,
    key: ed25519_dalek::SigningKey,
}

struct Member {
    principal: Principal,
    secret: MemberSecretKey,
}

struct World {
    _t: TestDatabase,
    _keys: tempfile::TempDir,
    /// The key store the service signs with (shared with the contracts' PKI).
    keys: Arc<dyn dasan_crypto::KeyStore>,
    db: Database,
    clock: ManualClock,
    p: Procurement,
    officer: Principal,
    members: Vec<Member>,
    a: Supplier,
    b: Supplier,
    /// A business that never registered as a supplier.
    unregistered: Supplier,
}

async fn account(
    db: &Database,
    email: &str,
    kind: AccountKind,
    roles: &[(&'static str, &str)],
) -> AccountId {
    dasan_identity::create_account(
        db,
        Actor::system(),
        NewAccount {
            kind,
            email: email.into(),
            display_name: email.into(),
            password: "plum tractor ocean 47 lantern".into(),
            roles: roles
                .iter()
                .map(|(role, scope)| RoleGrant {
                    role,
                    scope: (*scope).to_owned(),
                })
                .collect(),
            agency: roles.first().map(|(_, s)| (*s).to_owned()),
        },
    )
    .await
    .unwrap()
}

fn official(account: AccountId, roles: &[(&'static str, &str)]) -> Principal {
    Principal {
        account,
        kind: AccountKind::Official,
        display_name: "official".into(),
        agency: Some("PPS".into()),
        person: None,
        business: None,
        roles: roles
            .iter()
            .map(|(role, scope)| RoleGrant {
                role,
                scope: (*scope).to_owned(),
            })
            .collect(),
        assurance: Assurance::Multi,
        scopes: None,
    }
}

fn details(email: &str, categories: &[&str]) -> SupplierDetails {
    SupplierDetails {
        categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        licences: vec![Licence {
            kind: "construction.general".into(),
            number: "L-1".into(),
            issuer: "MOLIT".into(),
            valid_until: None,
        }],
        bank_account: BankAccount {
            bank: "Dasan Bank".into(),
            account_number: "100-200-300".into(),
            holder: "Supplier".into(),
        },
        contact_email: email.into(),
    }
}

async fn world(engine: dasan_store::Engine, config: ProcurementConfig) -> World {
    let mut t = TestDatabase::migrated(engine).await;
    let clock = ManualClock::new(at(-48, 0));
    assert!(t.db.configure(
        Arc::new(dasan_store::TableAuditHook),
        Arc::new(clock.clone())
    ));
    let db = t.db.clone();
    let registry = Registry::new(db.clone());
    dasan_registry::demo::load(
        &registry,
        Actor::system(),
        &dasan_registry::demo::DemoSpec {
            people: 30,
            businesses: 8,
            seed: 11,
        },
    )
    .await
    .unwrap();
    let businesses: Vec<(String, String)> = on_reader!(db, |p| sqlx::query_as(
        "SELECT id, representative_id FROM registry_businesses WHERE status = 'active' ORDER BY id LIMIT 3"
    )
    .fetch_all(p)
    .await)
    .unwrap();
    assert_eq!(businesses.len(), 3, "the demo has three active businesses");
    let keys_dir = tempfile::tempdir().unwrap();
    let keys = FileKeyStore::create(
        keys_dir.path().join("keys"),
        &KekSource::Key(zeroize::Zeroizing::new([7u8; 32])),
    )
    .unwrap();
    let keys: Arc<dyn dasan_crypto::KeyStore> = Arc::new(keys);
    let p = Procurement::new(db.clone(), registry, keys.clone(), config)
        .with_documents(&keys_dir.path().join("documents"))
        .unwrap();

    let mut suppliers = Vec::new();
    for (i, (business, person)) in businesses.iter().enumerate() {
        let acc = account(
            &db,
            &format!("rep{i}@supplier{i}.kr"),
            AccountKind::Citizen,
            &[],
        )
        .await;
        dasan_identity::link_person(&db, Actor::system(), acc, person)
            .await
            .unwrap();
        let rep = Principal {
            account: acc,
            kind: AccountKind::Citizen,
            display_name: "rep".into(),
            agency: None,
            person: Some(person.clone()),
            business: None,
            roles: vec![],
            assurance: Assurance::Multi,
            scopes: None,
        };
        suppliers.push(Supplier {
            business: business.parse().unwrap(),
            rep,
            key: ed25519_dalek::SigningKey::from_bytes(&[i as u8 + 1; 32]),
        });
    }
    let unregistered = suppliers.pop().unwrap();
    let b = suppliers.pop().unwrap();
    let a = suppliers.pop().unwrap();
    for (s, email, cats) in [
        (
            &a,
            "bids@a.example.kr",
            &["cpv:45233120", "unspsc:72141000"][..],
        ),
        (&b, "bids@b.example.kr", &["cpv:45000000"][..]),
    ] {
        p.register_supplier(&s.rep, s.business, details(email, cats))
            .await
            .unwrap();
        use ed25519_dalek::pkcs8::EncodePublicKey;
        let spki = s.key.verifying_key().to_public_key_der().unwrap();
        p.authorise_bidder(&s.rep, s.business, s.rep.account, Some(spki.as_bytes()))
            .await
            .unwrap();
    }

    let o = account(
        &db,
        "officer@pps.go.kr",
        AccountKind::Official,
        &[("procurement.officer", "PPS")],
    )
    .await;
    let officer = official(o, &[("procurement.officer", "PPS")]);
    p.upload_document(&officer, "specification.pdf", SPECIFICATION.to_vec())
        .await
        .unwrap();
    let mut members = Vec::new();
    for i in 0..3 {
        let acc = account(
            &db,
            &format!("member{i}@pps.go.kr"),
            AccountKind::Official,
            &[("procurement.evaluator", "PPS")],
        )
        .await;
        let principal = official(acc, &[("procurement.evaluator", "PPS")]);
        let (secret, public) = MemberSecretKey::generate();
        p.register_member_key(&principal, public).await.unwrap();
        members.push(Member { principal, secret });
    }
    World {
        _t: t,
        _keys: keys_dir,
        keys,
        db,
        clock,
        p,
        officer,
        members,
        a,
        b,
        unregistered,
    }
}

/// The specification every fixture notice lists; the world's officer uploads it.
const SPECIFICATION: &[u8] = b"%PDF-1.7\n% Specification of the repaving works\n%%EOF\n";

fn notice(deadline_hours: i64) -> TenderNotice {
    TenderNotice {
        title: "Repaving of Sejong-daero".into(),
        description: "Road works, two lots.".into(),
        method: Method::Open,
        invited: vec![],
        lots: vec![
            Lot {
                id: "1".into(),
                title: "North section".into(),
                items: vec![Item {
                    description: "Asphalt paving".into(),
                    classification: "CPV:45233120-6".into(),
                    quantity: 12_000,
                    unit: "MTK".into(),
                }],
            },
            Lot {
                id: "2".into(),
                title: "South section".into(),
                items: vec![Item {
                    description: "Road markings".into(),
                    classification: "cpv:45233221".into(),
                    quantity: 3,
                    unit: "KMT".into(),
                }],
            },
        ],
        estimated_value: Some(Money::new(
            1_000_000_000,
            "KRW".parse::<Currency>().unwrap(),
        )),
        estimated_value_public: false,
        eligibility: Eligibility {
            categories: vec!["cpv:45".into()],
            licences: vec!["construction.general".into()],
            criteria: vec![],
        },
        evaluation: Evaluation {
            method: EvaluationMethod::BestValue(BestValueRule {
                criteria: vec![Criterion {
                    name: "experience".into(),
                    weight_bp: 3_000,
                    max_points: 10,
                }],
                price_weight_bp: 7_000,
                price_formula: PriceFormula::Proportional,
                abnormally_low: None,
            }),
            tie_break: TieBreak::EarliestSubmission,
        },
        bid_security: Some(BidSecurity {
            rate_bp: 500,
            forms: vec!["guarantee".into()],
        }),
        documents: vec![TenderDocument {
            name: "specification.pdf".into(),
            media_type: "application/pdf".into(),
            sha256: hex::encode(sha2::Sha256::digest(SPECIFICATION)),
            size: SPECIFICATION.len() as u64,
        }],
        timeline: Timeline {
            clarification_deadline: at(deadline_hours - 24, 0),
            bid_deadline: at(deadline_hours, 0),
            opening_at: at(deadline_hours + 1, 0),
        },
        amendment_rule: AmendmentRule {
            material_extension_hours: 72,
        },
        reserve_price: Some(ReserveRule {
            base_amount: 950_000_000,
            band_bp: 200,
        }),
    }
}

impl World {
    async fn publish(&self, deadline_hours: i64) -> Result<TenderId, ProcurementError> {
        self.p
            .publish(
                &self.officer,
                PublishRequest {
                    notice: notice(deadline_hours),
                    committee: self.members.iter().map(|m| m.principal.account).collect(),
                    threshold: 2,
                },
            )
            .await
    }

    fn signed_bid(
        &self,
        s: &Supplier,
        tender: TenderId,
        key: &TenderPublicKey,
        price: u64,
        picks: [u8; 2],
    ) -> Vec<u8> {
        let json = serde_json::json!({
            "tender_id": tender.to_string(),
            "supplier_id": s.business.to_string(),
            "lots": [
                {"lot_id": "1", "currency": "KRW", "amount_minor": price},
                {"lot_id": "2", "currency": "KRW", "amount_minor": price / 10}
            ],
            "reserve_price_picks": picks,
        })
        .to_string();
        seal_bid_file(key, &json, &s.key).unwrap()
    }

    fn form_payload(&self, price: u64) -> BidPayload {
        BidPayload {
            tender_id: String::new(),
            supplier_id: String::new(),
            lots: vec![LotPrice {
                lot_id: "1".into(),
                currency: "KRW".into(),
                amount_minor: price,
            }],
            reserve_price_picks: Some([1, 15]),
            documents: vec![],
            attachments: vec![],
        }
    }

    async fn release(&self, tender: TenderId, members: &[usize]) {
        let t = self.p.tender(tender).await.unwrap();
        for &i in members {
            let share = decrypt_share(&t.ceremony, (i + 1) as u8, &self.members[i].secret).unwrap();
            self.p
                .release_share(&self.members[i].principal, tender, &share)
                .await
                .unwrap();
        }
    }

    async fn count(&self, sql: &'static str) -> i64 {
        on_reader!(self.db, |p| sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(p)
            .await)
        .unwrap()
    }
}

engine_tests! {
    async fn a_full_tender_from_notice_through_amendments_and_clarifications_to_opening(engine) {
        let w = world(engine, ProcurementConfig::default()).await;
        // A follows road works by e-mail.
        w.p.add_alert(&w.a.rep, w.a.business, "cpv:4523", "alerts@a.example.kr").await.unwrap();
        let alerts_before = w.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'alerts@a.example.kr'").await;
        let id = w.publish(0).await.unwrap();
        assert_eq!(
            w.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'alerts@a.example.kr'").await,
            alerts_before + 1,
            "the category alert was mailed"
        );
        let t = w.p.tender(id).await.unwrap();
        assert_eq!(t.status, TenderStatus::Published);
        assert_eq!(t.notice.estimated_value, None, "the estimated value is hidden until opening");
        assert_eq!(t.notice.lots[0].items[0].classification, "cpv:45233120");
        assert_eq!(t.ceremony.threshold, 2);
        assert_eq!(t.ceremony.shares.len(), 3);
        assert!(t.seed_commitment.is_some());
        assert!(w.p.tender_for_agency(&w.officer, id).await.unwrap().notice.estimated_value.is_some());
        // Search by category.
        assert_eq!(w.p.search("cpv:45").await.unwrap().len(), 1);
        assert_eq!(w.p.search("cpv:4523").await.unwrap()[0].id, id);
        assert!(w.p.search("unspsc:72").await.unwrap().is_empty());
        assert!(matches!(w.p.search("cpv:%").await, Err(ProcurementError::Invalid(_))));

        // Clarifications: asked by A, anonymous to others, answered publicly, A is told.
        w.p.register_interest(&w.b.rep, w.b.business, id).await.unwrap();
        let q = w.p.ask(&w.a.rep, w.a.business, id, "Is night work allowed?").await.unwrap();
        let public = w.p.clarifications(id).await.unwrap();
        assert_eq!(public.len(), 1);
        let text = serde_json::to_string(&public).unwrap();
        assert!(!text.contains(&w.a.business.to_string()), "who asked is not public");
        let mails = w.count("SELECT COUNT(*) FROM outbox").await;
        w.p.answer(&w.officer, q, "Yes, from 22:00 to 06:00.").await.unwrap();
        assert_eq!(w.count("SELECT COUNT(*) FROM outbox").await, mails + 2, "A and B are told");
        assert_eq!(w.p.clarifications(id).await.unwrap()[0].answer.as_deref(), Some("Yes, from 22:00 to 06:00."));

        // Bids before the amendment: A seals and signs on its side; B uses the form.
        let key = t.ceremony.public_key;
        let first = w.signed_bid(&w.a, id, &key, 480_000_000, [2, 9]);
        let r1 = w.p.submit_signed_bid(&w.a.rep, w.a.business, id, &first).await.unwrap();
        r1.verify().unwrap();
        assert_eq!(r1.receipt.tender_id, id.to_string());
        let rb = w.p.submit_form_bid(&w.b.rep, w.b.business, id, w.form_payload(470_000_000)).await.unwrap();
        rb.verify().unwrap();

        // A material amendment moves the deadline by the tender's rule (72 h after now).
        w.clock.set(at(-30, 600_000_000));
        let mut amended = notice(0);
        amended.description = "Road works, two lots; night work allowed.".into();
        let mails = w.count("SELECT COUNT(*) FROM outbox").await;
        let v = w.p.amend(&w.officer, id, amended, true, "Night work allowed; more time to price it.").await.unwrap();
        assert_eq!(v, 2);
        assert_eq!(w.count("SELECT COUNT(*) FROM outbox").await, mails + 2, "every interested or bidding supplier is told");
        let t = w.p.tender(id).await.unwrap();
        assert_eq!(t.notice.timeline.bid_deadline, at(-30 + 73, 0));
        assert_eq!(t.notice.timeline.opening_at, at(-30 + 74, 0));
        // A minor amendment keeps the deadline.
        let mut minor = t.notice.clone();
        minor.estimated_value = w.p.tender_for_agency(&w.officer, id).await.unwrap().notice.estimated_value;
        minor.documents[0].name = "specification-v2.pdf".into();
        assert_eq!(w.p.amend(&w.officer, id, minor, false, "Corrected file name.").await.unwrap(), 3);
        let versions = w.p.notice_versions(id).await.unwrap();
        assert_eq!(versions.iter().map(|v| v.kind.as_str()).collect::<Vec<_>>(), ["publication", "amendment", "amendment"]);
        let deadline = w.p.tender(id).await.unwrap().notice.timeline.bid_deadline;

        // A replaces its bid; the old one is no longer counted.
        let second = w.signed_bid(&w.a, id, &key, 460_000_000, [3, 9]);
        let r2 = w.p.submit_signed_bid(&w.a.rep, w.a.business, id, &second).await.unwrap();
        assert_ne!(r1.receipt.bid_id, r2.receipt.bid_id);
        // A bid signed with a key not registered for the bidder is refused.
        let stranger = ed25519_dalek::SigningKey::from_bytes(&[99; 32]);
        let json = serde_json::json!({"tender_id": id.to_string(), "supplier_id": w.a.business.to_string(),
            "lots": [{"lot_id": "1", "currency": "KRW", "amount_minor": 1}]}).to_string();
        let forged = seal_bid_file(&key, &json, &stranger).unwrap();
        assert!(matches!(w.p.submit_signed_bid(&w.a.rep, w.a.business, id, &forged).await, Err(ProcurementError::UnknownSigningKey)));
        // An envelope naming another supplier is refused.
        let other = w.signed_bid(&w.b, id, &key, 1, [1, 2]);
        assert!(w.p.submit_signed_bid(&w.a.rep, w.a.business, id, &other).await.is_err());

        // The deadline: the box closes, the record is signed, receipts are in it.
        w.clock.set(deadline);
        let bx = w.p.close_bid_box(id).await.unwrap();
        bx.verify().unwrap();
        assert_eq!(bx.record.tree_size, 2);
        assert!(bx.record.contains(&r2.receipt.bid_id));
        assert!(bx.record.contains(&rb.receipt.bid_id));
        assert!(!bx.record.contains(&r1.receipt.bid_id), "the replaced bid is not counted");
        let proof = bx.record.inclusion_proof(&r2.receipt.bid_id).unwrap();
        verify_inclusion(&r2.receipt.bid_id, &proof, &bx.record.tree_head()).unwrap();
        assert_eq!(w.p.bid_box(id).await.unwrap(), bx);

        // Opening: two of three members release their shares after the opening time.
        let opening_at = w.p.tender(id).await.unwrap().notice.timeline.opening_at;
        w.clock.set(opening_at);
        w.release(id, &[0, 2]).await;
        let opened = w.p.open(&w.officer, id).await.unwrap();
        opened.signature.verify(&opened.record.to_json_bytes()).unwrap();
        assert_eq!(opened.record.opened.len(), 2);
        assert!(opened.record.rejected.is_empty());
        assert!(opened.record.missing.is_empty());
        let a_bid = opened.record.opened.iter().find(|o| o.supplier_id == w.a.business.to_string()).unwrap();
        assert_eq!(a_bid.lots[0].amount_minor, 460_000_000);
        let b_bid = opened.record.opened.iter().find(|o| o.supplier_id == w.b.business.to_string()).unwrap();
        assert_eq!(b_bid.lots[0].amount_minor, 470_000_000);
        // The reserve price draw: recomputable from its published inputs.
        let draw = opened.reserve.clone().unwrap();
        assert_eq!(draw.input.picks.len(), 2);
        assert_eq!(commit_seed(&draw.input.seed), draw.input.seed_commitment);
        assert_eq!(hex::encode(draw.input.seed_commitment), t.seed_commitment.clone().unwrap());
        assert_eq!(reserve_price_draw(&draw.input).unwrap(), draw.draw);
        assert_eq!(draw.input.bid_box_root, bx.record.root.0);
        // Stored, published, and the estimated value is now public.
        assert_eq!(w.p.opening(id).await.unwrap(), opened);
        let t = w.p.tender(id).await.unwrap();
        assert_eq!(t.status, TenderStatus::Opened);
        assert!(t.notice.estimated_value.is_some());
        assert_eq!(w.count("SELECT COUNT(*) FROM procurement_share_releases WHERE share IS NOT NULL").await, 0, "shares are erased");
        assert_eq!(w.count("SELECT COUNT(*) FROM procurement_share_releases").await, 2, "the releases stay on record");
        // Every act is audited.
        for action in ["procurement.tender.publish", "procurement.tender.amend", "procurement.clarification.ask",
            "procurement.clarification.answer", "procurement.bid.submit", "procurement.bidbox.close",
            "procurement.share.release", "procurement.tender.open", "procurement.supplier.register"] {
            let n: i64 = on_reader!(w.db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1")
                .bind(action).fetch_one(p).await).unwrap();
            assert!(n > 0, "{action} is audited");
        }
        // Nothing of a bid's content is in the audit log.
        let details: Vec<String> = on_reader!(w.db, |p| sqlx::query_scalar("SELECT detail FROM audit_events")
            .fetch_all(p).await).unwrap();
        assert!(!details.iter().any(|d| d.contains("470000000") || d.contains("460000000")));
        // A second opening is not possible.
        assert!(matches!(w.p.open(&w.officer, id).await, Err(ProcurementError::Transition { .. })));
    }

    async fn a_bid_at_the_deadline_is_refused_to_the_microsecond(engine) {
        let w = world(engine, ProcurementConfig::default()).await;
        let id = w.publish(0).await.unwrap();
        let key = w.p.tender(id).await.unwrap().ceremony.public_key;
        // One microsecond before the deadline: accepted, and the receipt says so.
        w.clock.set(at(0, -1));
        let bid = w.signed_bid(&w.a, id, &key, 100, [1, 2]);
        let r = w.p.submit_signed_bid(&w.a.rep, w.a.business, id, &bid).await.unwrap();
        assert_eq!(r.receipt.received_at_us, at(0, -1).as_micros());
        // Closing one microsecond early is refused.
        assert!(matches!(w.p.close_bid_box(id).await, Err(ProcurementError::TooEarly(_))));
        // At the deadline: refused, whichever path, and so is a withdrawal.
        w.clock.set(at(0, 0));
        let late = w.signed_bid(&w.b, id, &key, 90, [1, 2]);
        let e = w.p.submit_signed_bid(&w.b.rep, w.b.business, id, &late).await.unwrap_err();
        assert!(matches!(e, ProcurementError::DeadlinePassed { deadline, received } if deadline == at(0, 0) && received == at(0, 0)), "{e:?}");
        assert_eq!(dasan_kernel::Problem::code(&e), "bid-deadline-passed");
        assert!(matches!(w.p.submit_form_bid(&w.b.rep, w.b.business, id, w.form_payload(90)).await, Err(ProcurementError::DeadlinePassed { .. })));
        assert!(matches!(w.p.withdraw_bid(&w.a.rep, w.a.business, id).await, Err(ProcurementError::DeadlinePassed { .. })));
        // After closing, still refused.
        assert_eq!(w.p.close_due().await.unwrap(), vec![id]);
        w.clock.set(at(0, 1));
        assert!(matches!(w.p.submit_signed_bid(&w.b.rep, w.b.business, id, &late).await, Err(ProcurementError::DeadlinePassed { .. })));
        assert_eq!(w.p.bid_box(id).await.unwrap().record.tree_size, 1);
        assert_eq!(w.count("SELECT COUNT(*) FROM procurement_bids").await, 1, "nothing of the refused bids was stored");
    }

    async fn a_withdrawn_bid_is_not_in_the_box(engine) {
        let w = world(engine, ProcurementConfig::default()).await;
        let id = w.publish(0).await.unwrap();
        w.clock.set(at(-1, 0));
        w.p.submit_form_bid(&w.a.rep, w.a.business, id, w.form_payload(5)).await.unwrap();
        let withdrawn = w.p.withdraw_bid(&w.a.rep, w.a.business, id).await.unwrap();
        assert!(matches!(w.p.withdraw_bid(&w.a.rep, w.a.business, id).await, Err(ProcurementError::NotFound)));
        w.clock.set(at(0, 0));
        let bx = w.p.close_bid_box(id).await.unwrap();
        assert!(!bx.record.contains(&withdrawn));
        assert_eq!(bx.record.tree_size, 0);
    }

    async fn a_debarred_or_unregistered_supplier_cannot_bid(engine) {
        let w = world(engine, ProcurementConfig::default()).await;
        let id = w.publish(0).await.unwrap();
        let key = w.p.tender(id).await.unwrap().ceremony.public_key;
        w.clock.set(at(-10, 0));
        let debarment = w.p.debar(&w.officer, w.b.business, at(-20, 0), Some(at(1000, 0)), "Collusion in tender 2026-77").await.unwrap();
        let e = w.p.submit_form_bid(&w.b.rep, w.b.business, id, w.form_payload(7)).await.unwrap_err();
        match &e {
            ProcurementError::Debarred { reason, until, .. } => {
                assert_eq!(reason, "Collusion in tender 2026-77");
                assert_eq!(*until, Some(at(1000, 0)));
            }
            other => panic!("expected Debarred, got {other:?}"),
        }
        assert_eq!(dasan_kernel::Problem::code(&e), "supplier-debarred");
        let signed = w.signed_bid(&w.b, id, &key, 7, [1, 2]);
        assert!(matches!(w.p.submit_signed_bid(&w.b.rep, w.b.business, id, &signed).await, Err(ProcurementError::Debarred { .. })));
        assert_eq!(w.p.supplier(w.b.business).await.unwrap().debarments.len(), 1);
        // Not registered at all.
        let e = w.p.submit_form_bid(&w.unregistered.rep, w.unregistered.business, id, w.form_payload(7)).await.unwrap_err();
        assert!(matches!(e, ProcurementError::NotRegistered), "{e:?}");
        // Lifted: bids again.
        w.p.lift_debarment(&w.officer, debarment, "Court annulled the decision").await.unwrap();
        w.p.submit_signed_bid(&w.b.rep, w.b.business, id, &signed).await.unwrap();
        // Someone else's supplier: not acting for it.
        assert!(matches!(w.p.submit_form_bid(&w.a.rep, w.b.business, id, w.form_payload(7)).await, Err(ProcurementError::Forbidden(_))));
        // Interest needs a registration too.
        assert!(matches!(w.p.register_interest(&w.unregistered.rep, w.unregistered.business, id).await, Err(ProcurementError::NotRegistered)));
        // Registering twice is refused.
        assert!(matches!(w.p.register_supplier(&w.a.rep, w.a.business, details("x@a.kr", &["cpv:45000000"])).await, Err(ProcurementError::AlreadyRegistered)));
    }

    async fn opening_with_fewer_than_t_shares_is_impossible(engine) {
        let w = world(engine, ProcurementConfig::default()).await;
        let id = w.publish(0).await.unwrap();
        w.clock.set(at(-1, 0));
        w.p.submit_form_bid(&w.a.rep, w.a.business, id, w.form_payload(5)).await.unwrap();
        w.clock.set(at(0, 0));
        w.p.close_bid_box(id).await.unwrap();
        // Before the opening time no share may be released, and nothing opens.
        let t = w.p.tender(id).await.unwrap();
        let share = decrypt_share(&t.ceremony, 1, &w.members[0].secret).unwrap();
        assert!(matches!(w.p.release_share(&w.members[0].principal, id, &share).await, Err(ProcurementError::TooEarly(_))));
        assert!(matches!(w.p.open(&w.officer, id).await, Err(ProcurementError::TooEarly(_))));
        w.clock.set(at(1, 0));
        // A member cannot release another member's share.
        assert!(matches!(w.p.release_share(&w.members[1].principal, id, &share).await, Err(ProcurementError::Forbidden(_))));
        w.release(id, &[0]).await;
        let e = w.p.open(&w.officer, id).await.unwrap_err();
        assert!(matches!(e, ProcurementError::NotEnoughShares { have: 1, need: 2 }), "{e:?}");
        assert_eq!(dasan_kernel::Problem::code(&e), "not-enough-shares");
        assert_eq!(w.p.tender(id).await.unwrap().status, TenderStatus::Closed, "nothing changed");
        // Releasing twice is refused; a member not on the committee cannot release.
        assert!(matches!(w.p.release_share(&w.members[0].principal, id, &share).await, Err(ProcurementError::Transition { .. })));
        assert!(matches!(w.p.release_share(&w.officer, id, &share).await, Err(ProcurementError::Forbidden(_))));
        // With a second share it opens.
        w.release(id, &[1]).await;
        assert_eq!(w.p.open(&w.officer, id).await.unwrap().record.opened.len(), 1);
    }

    async fn a_bid_altered_in_the_database_after_the_deadline_is_detected_at_opening(engine) {
        let w = world(engine, ProcurementConfig::default()).await;
        let id = w.publish(0).await.unwrap();
        let key = w.p.tender(id).await.unwrap().ceremony.public_key;
        w.clock.set(at(-1, 0));
        let ra = w.p.submit_signed_bid(&w.a.rep, w.a.business, id, &w.signed_bid(&w.a, id, &key, 300, [4, 5])).await.unwrap();
        let rb = w.p.submit_form_bid(&w.b.rep, w.b.business, id, w.form_payload(310)).await.unwrap();
        w.clock.set(at(0, 0));
        w.p.close_bid_box(id).await.unwrap();
        // An insider swaps A's envelope for another one sealed to the same key at a lower price.
        let forged = seal_bid(&key, &BidPayload {
            tender_id: id.to_string(),
            supplier_id: w.a.business.to_string(),
            lots: vec![LotPrice { lot_id: "1".into(), currency: "KRW".into(), amount_minor: 1 }],
            reserve_price_picks: Some([4, 5]),
            documents: vec![],
            attachments: vec![],
        }).unwrap();
        let mut tx = w.db.begin(Actor::system()).await.unwrap();
        on_tx!(tx, |c| sqlx::query("UPDATE procurement_bids SET envelope = $1 WHERE id = $2")
            .bind(forged.as_bytes().to_vec())
            .bind(ra.receipt.bid_id.to_hex())
            .execute(c).await.map(drop)).unwrap();
        tx.record("test.tamper", "bid", serde_json::json!({}));
        tx.commit().await.unwrap();
        w.clock.set(at(1, 0));
        w.release(id, &[1, 2]).await;
        let opened = w.p.open(&w.officer, id).await.unwrap();
        assert_eq!(opened.record.opened.len(), 1);
        assert_eq!(opened.record.opened[0].bid_id, rb.receipt.bid_id);
        assert_eq!(opened.record.rejected.len(), 1);
        let rejected = &opened.record.rejected[0];
        assert_eq!(rejected.bid_id, ra.receipt.bid_id);
        assert_eq!(rejected.reason, RejectionReason::AlteredAfterDeadline);
        assert_eq!(rejected.reason.code(), "altered_after_deadline");
        assert_eq!(rejected.supplier_id.as_deref(), Some(w.a.business.to_string().as_str()));
        // The reserve draw counts only the opened bid's picks.
        assert_eq!(opened.reserve.unwrap().input.picks, vec![[1, 15]]);
    }

    async fn at_most_the_configured_number_of_tenders_close_in_one_hour(engine) {
        let w = world(engine, ProcurementConfig { max_tenders_per_hour: 2, ..ProcurementConfig::default() }).await;
        let first = w.publish(0).await.unwrap();
        w.publish(0).await.unwrap();
        // The hour after is full too.
        w.publish(1).await.unwrap();
        w.publish(1).await.unwrap();
        let e = w.publish(0).await.unwrap_err();
        match &e {
            ProcurementError::HourFull { hour, cap, next_free } => {
                assert_eq!(*hour, at(0, 0));
                assert_eq!(*cap, 2);
                assert_eq!(next_free[..3], [at(2, 0), at(3, 0), at(4, 0)]);
                assert!(e.to_string().contains(&at(2, 0).to_string()), "{e}");
            }
            other => panic!("expected HourFull, got {other:?}"),
        }
        assert_eq!(dasan_kernel::Problem::code(&e), "deadline-hour-full");
        assert_eq!(w.p.free_hours(at(0, 0), 2).await.unwrap(), vec![at(2, 0), at(3, 0)]);
        assert_eq!(w.count("SELECT COUNT(*) FROM procurement_tenders").await, 4, "the refused one left nothing");
        // Deadlines only on the hour.
        let mut n = notice(5);
        n.timeline.bid_deadline = at(5, 1);
        let e = w.p.publish(&w.officer, PublishRequest { notice: n, committee: w.members.iter().map(|m| m.principal.account).collect(), threshold: 2 }).await.unwrap_err();
        assert!(matches!(&e, ProcurementError::Invalid(f) if f.iter().any(|f| f.field == "timeline.bid_deadline")), "{e:?}");
        // Cancelling frees a place.
        w.p.cancel(&w.officer, first, "Budget withdrawn").await.unwrap();
        w.publish(0).await.unwrap();
        assert!(matches!(w.publish(0).await, Err(ProcurementError::HourFull { .. })));
        let t = w.p.tender(first).await.unwrap();
        assert_eq!(t.status, TenderStatus::Cancelled);
        assert_eq!(t.cancel_reason.as_deref(), Some("Budget withdrawn"));
    }

    async fn an_outage_before_the_deadline_extends_it(engine) {
        let w = world(engine, ProcurementConfig {
            outage_window: Duration::from_secs(3600),
            outage_max_gap: Duration::from_secs(300),
            outage_extension_hours: 2,
            ..ProcurementConfig::default()
        }).await;
        let hit = w.publish(0).await.unwrap();
        let spared = w.publish(5).await.unwrap();
        w.p.register_interest(&w.a.rep, w.a.business, hit).await.unwrap();
        // Heartbeats every minute from 2 h before the deadline, then nothing from 40 min before
        // it to 15 min before it (an outage of 25 minutes).
        let minute = 60_000_000;
        let mut t = at(-2, 0).as_micros();
        while t <= at(0, -15 * minute).as_micros() {
            if !(at(0, -40 * minute).as_micros() < t && t < at(0, -15 * minute).as_micros()) {
                w.clock.set(Timestamp::from_micros(t));
                record_heartbeat(&w.db, "node-1").await.unwrap();
            }
            t += minute;
        }
        let mails = w.count("SELECT COUNT(*) FROM outbox").await;
        let ext = w.p.apply_outage_rule().await.unwrap();
        assert_eq!(ext.len(), 1, "{ext:?}");
        let e = &ext[0];
        assert_eq!(e.tender, hit);
        assert_eq!(e.old_deadline, at(0, 0));
        assert_eq!(e.gap_from, at(0, -40 * minute));
        assert_eq!(e.gap_to, at(0, -15 * minute));
        assert_eq!(e.new_deadline, at(2, 0));
        assert_eq!(e.new_opening_at, at(3, 0));
        let tender = w.p.tender(hit).await.unwrap();
        assert_eq!(tender.notice.timeline.bid_deadline, at(2, 0));
        assert_eq!(tender.notice_version, 2);
        let versions = w.p.notice_versions(hit).await.unwrap();
        assert_eq!(versions[1].kind, "outage_extension");
        assert_eq!(w.count("SELECT COUNT(*) FROM outbox").await, mails + 1, "the interested supplier is told");
        assert_eq!(w.count("SELECT COUNT(*) FROM audit_events WHERE action = 'procurement.tender.outage_extension'").await, 1);
        // The far tender is untouched; running again extends nothing (the same outage).
        assert_eq!(w.p.tender(spared).await.unwrap().notice.timeline.bid_deadline, at(5, 0));
        assert!(w.p.apply_outage_rule().await.unwrap().is_empty());
        // A bid at the old deadline is now accepted; the box closes at the new one.
        w.clock.set(at(0, 0));
        record_heartbeat(&w.db, "node-1").await.unwrap();
        w.p.submit_form_bid(&w.a.rep, w.a.business, hit, w.form_payload(9)).await.unwrap();
        assert!(w.p.close_due().await.unwrap().is_empty());
        // Without an outage nothing moves.
        let mut t = at(0, 0).as_micros();
        while t <= at(2, 0).as_micros() {
            w.clock.set(Timestamp::from_micros(t));
            record_heartbeat(&w.db, "node-2").await.unwrap();
            if (t - H0) % (20 * minute) == 0 {
                assert!(w.p.apply_outage_rule().await.unwrap().is_empty());
            }
            t += minute;
        }
        assert_eq!(w.p.close_due().await.unwrap(), vec![hit]);
    }
}

engine_tests! {
    async fn concurrent_publications_never_exceed_the_hour_cap(engine) {
        let w = Arc::new(world(engine, ProcurementConfig { max_tenders_per_hour: 3, ..ProcurementConfig::default() }).await);
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let w = w.clone();
                tokio::spawn(async move { w.publish(0).await })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(ProcurementError::HourFull { .. }) => {}
                // SQLite's single writer may time out a waiting transaction; never a fourth place.
                Err(ProcurementError::Store(dasan_store::StoreError::Unavailable(_))) => {}
                Err(e) => panic!("{e:?}"),
            }
        }
        assert_eq!(ok, 3);
        assert_eq!(w.count("SELECT COUNT(*) FROM procurement_tenders").await, 3);
        assert_eq!(w.count("SELECT MAX(used) FROM procurement_deadline_slots").await, 3);
    }

    async fn a_bid_racing_the_close_is_in_the_box_or_refused(engine) {
        let w = Arc::new(world(engine, ProcurementConfig::default()).await);
        for round in 0..8i64 {
            w.clock.set(at(round * 48 - 30, 0));
            let id = w.publish(round * 48).await.unwrap();
            w.clock.set(at(round * 48, -1));
            let key = w.p.tender(id).await.unwrap().ceremony.public_key;
            let bids = [
                (0, w.signed_bid(&w.a, id, &key, 10, [1, 2])),
                (1, w.signed_bid(&w.b, id, &key, 11, [1, 2])),
            ];
            let tasks: Vec<_> = bids
                .into_iter()
                .map(|(who, bytes)| {
                    let w = w.clone();
                    tokio::spawn(async move {
                        let s = if who == 0 { &w.a } else { &w.b };
                        w.p.submit_signed_bid(&s.rep, s.business, id, &bytes).await
                    })
                })
                .collect();
            // Time reaches the deadline while the bids are in flight (a little later each round,
            // so some rounds catch them mid-way); the worker closes.
            tokio::time::sleep(Duration::from_millis(round as u64 * 4)).await;
            w.clock.set(at(round * 48, 0));
            let closed = loop {
                match w.p.close_bid_box(id).await {
                    Ok(b) => break b,
                    Err(ProcurementError::Store(dasan_store::StoreError::Unavailable(_))) => continue,
                    Err(e) => panic!("{e:?}"),
                }
            };
            for t in tasks {
                match t.await.unwrap() {
                    Ok(receipt) => {
                        assert!(
                            closed.record.contains(&receipt.receipt.bid_id),
                            "a receipt was given for a bid outside the box"
                        )
                    }
                    Err(ProcurementError::DeadlinePassed { .. }) => {
                    }
                    Err(ProcurementError::Store(dasan_store::StoreError::Unavailable(_))) => {}
                    Err(e) => panic!("{e:?}"),
                }
            }
            let stored: i64 = on_reader!(w.db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM procurement_bids WHERE tender_id = $1")
                .bind(id.to_string()).fetch_one(p).await).unwrap();
            assert_eq!(stored as u64, closed.record.tree_size, "every stored bid is in the box");
        }
    }

    async fn one_supplier_racing_itself_keeps_exactly_one_active_bid(engine) {
        let w = Arc::new(world(engine, ProcurementConfig::default()).await);
        w.clock.set(at(-30, 0));
        let id = w.publish(0).await.unwrap();
        let key = w.p.tender(id).await.unwrap().ceremony.public_key;
        let tasks: Vec<_> = (0..8u64)
            .map(|i| {
                let w = w.clone();
                let bytes = w.signed_bid(&w.a, id, &key, 100 + i, [1, 2]);
                tokio::spawn(async move { w.p.submit_signed_bid(&w.a.rep, w.a.business, id, &bytes).await })
            })
            .collect();
        let mut receipts = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                Ok(r) => receipts.push(r.receipt.bid_id),
                // SQLite's single writer may time out a waiting transaction.
                Err(ProcurementError::Store(dasan_store::StoreError::Unavailable(_))) => {}
                Err(e) => panic!("replacing raced: {e:?}"),
            }
        }
        assert!(!receipts.is_empty());
        let active: Vec<String> = on_reader!(w.db, |p| sqlx::query_scalar(
            "SELECT id FROM procurement_bids WHERE tender_id = $1 AND status = 'active'")
            .bind(id.to_string()).fetch_all(p).await).unwrap();
        assert_eq!(active.len(), 1, "exactly one active bid");
        assert!(receipts.iter().any(|r| r.to_hex() == active[0]));
        let all = w.count("SELECT COUNT(*) FROM procurement_bids").await;
        assert_eq!(all as usize, receipts.len(), "every receipted bid is stored, nothing else");
    }
}

engine_tests! {
    async fn a_staff_business_user_bids_once_the_representative_authorises_them(engine) {
        let w = world(engine, ProcurementConfig::default()).await;
        let registry = Registry::new(w.db.clone());
        let staff = dasan_identity::business::invite_staff(
            &w.db, &registry, &w.a.rep, w.a.business, "clerk@a.example.kr", "Clerk", "http://localhost/invite/",
        )
        .await
        .unwrap();
        let clerk = Principal {
            account: staff,
            kind: AccountKind::Business,
            display_name: "Clerk".into(),
            agency: None,
            person: None,
            business: Some(w.a.business.to_string()),
            roles: vec![],
            assurance: Assurance::Single,
            scopes: None,
        };
        let id = w.publish(0).await.unwrap();
        w.clock.set(at(-1, 0));
        // Staff, but not yet an authorised bidder.
        assert!(matches!(
            w.p.submit_form_bid(&clerk, w.a.business, id, w.form_payload(3)).await,
            Err(ProcurementError::Forbidden(_))
        ));
        // Only the representative authorises, and only the business's own staff.
        assert!(matches!(
            w.p.authorise_bidder(&w.b.rep, w.a.business, staff, None).await,
            Err(ProcurementError::Forbidden(_))
        ));
        assert!(matches!(
            w.p.authorise_bidder(&w.b.rep, w.b.business, staff, None).await,
            Err(ProcurementError::Invalid(_))
        ));
        w.p.authorise_bidder(&w.a.rep, w.a.business, staff, None).await.unwrap();
        w.p.submit_form_bid(&clerk, w.a.business, id, w.form_payload(3)).await.unwrap();
        // Without a registered signing key, supplier-sealed bids are refused for this bidder.
        let key = w.p.tender(id).await.unwrap().ceremony.public_key;
        let signed = w.signed_bid(&w.a, id, &key, 4, [1, 2]);
        assert!(matches!(
            w.p.submit_signed_bid(&clerk, w.a.business, id, &signed).await,
            Err(ProcurementError::UnknownSigningKey)
        ));
        // Removed: no longer bids.
        w.p.remove_bidder(&w.a.rep, w.a.business, staff).await.unwrap();
        assert!(matches!(
            w.p.withdraw_bid(&clerk, w.a.business, id).await,
            Err(ProcurementError::Forbidden(_))
        ));
    }

    async fn stored_tenders_are_published_as_ocds_procedures(engine) {
        let w = world(engine, ProcurementConfig::default()).await;
        let id = w.publish(0).await.unwrap();
        let cancelled = w.publish(24).await.unwrap();
        let key = w.p.tender(id).await.unwrap().ceremony.public_key;
        let bid = w.signed_bid(&w.a, id, &key, 460_000_000, [3, 9]);
        let ra = w.p.submit_signed_bid(&w.a.rep, w.a.business, id, &bid).await.unwrap();
        w.p.submit_form_bid(&w.b.rep, w.b.business, id, w.form_payload(470_000_000)).await.unwrap();
        w.clock.set(at(-30, 0));
        let mut amended = notice(0);
        amended.description = "Road works, two lots; night work allowed.".into();
        w.p.amend(&w.officer, id, amended, false, "Night work allowed.").await.unwrap();
        w.p.cancel(&w.officer, cancelled, "The budget was withdrawn.").await.unwrap();

        // Before the opening: no bids, and the estimated value stays hidden.
        let before = w.p.ocds_procedure(id).await.unwrap();
        assert!(before.opening.is_none());
        assert!(before.tender.iter().all(|v| v.spec.estimated_value.is_none()));

        w.clock.set(at(0, 0));
        w.p.close_bid_box(id).await.unwrap();
        w.clock.set(at(1, 0));
        w.release(id, &[0, 1]).await;
        w.p.open(&w.officer, id).await.unwrap();

        // Pages by offset, and the walk by cursor, see both tenders in publication order.
        assert_eq!(w.p.ocds_count().await.unwrap(), 2);
        let page = w.p.ocds_page(0, 10).await.unwrap();
        assert_eq!(page.iter().map(|p| p.tender_id.clone()).collect::<Vec<_>>(), [id.to_string(), cancelled.to_string()]);
        assert_eq!(w.p.ocds_page(1, 10).await.unwrap().len(), 1);
        assert!(w.p.ocds_page(2, 10).await.unwrap().is_empty());
        let (first, next) = w.p.ocds_after(None, 1).await.unwrap();
        assert_eq!(first[0].tender_id, id.to_string());
        let (second, next) = w.p.ocds_after(next.as_ref(), 1).await.unwrap();
        assert_eq!(second[0].tender_id, cancelled.to_string());
        let (rest, end) = w.p.ocds_after(next.as_ref(), 1).await.unwrap();
        assert!(rest.is_empty() && end.is_none());

        // The opened tender: publication, amendment, opening with both bids.
        let prefix = &w.p.config().ocid_prefix;
        let opened = w.p.ocds_procedure(id).await.unwrap();
        assert_eq!(opened, page[0]);
        let rs = dasan_ocds::releases(prefix, &opened).unwrap();
        use dasan_ocds::codelist::ReleaseTag;
        assert_eq!(rs.iter().map(|r| r.tag[0]).collect::<Vec<_>>(),
            [ReleaseTag::Tender, ReleaseTag::TenderAmendment, ReleaseTag::TenderUpdate]);
        assert_eq!(rs[0].ocid, format!("ocds-dasan0-{id}"));
        let compiled = serde_json::to_value(dasan_ocds::compile(&rs).unwrap()).unwrap();
        let tender = &compiled["tender"];
        assert_eq!(tender["amendments"][0]["rationale"], "Night work allowed.");
        assert_eq!(tender["description"], "Road works, two lots; night work allowed.");
        assert_eq!(tender["value"]["amount"], 1_000_000_000, "public once opened");
        assert_eq!(tender["mainProcurementCategory"], "works");
        assert_eq!(tender["items"][0]["classification"]["scheme"], "CPV");
        assert_eq!(tender["items"][0]["classification"]["id"], "45233120");
        assert_eq!(tender["numberOfTenderers"], 2);
        let bids = compiled["bids"]["details"].as_array().unwrap();
        let a_lot1 = bids.iter().find(|b| b["id"] == format!("{}-1", ra.receipt.bid_id)).unwrap();
        assert_eq!(a_lot1["value"]["amount"], 460_000_000);
        assert_eq!(a_lot1["value"]["currency"], "KRW");
        assert_eq!(a_lot1["status"], "pending");
        assert_eq!(bids.len(), 3, "A priced two lots, B one");
        let parties = compiled["parties"].as_array().unwrap();
        assert_eq!(parties.len(), 3);
        assert!(parties.iter().any(|p| p["id"] == "agency-PPS" && p["roles"] == serde_json::json!(["buyer", "procuringEntity"])));
        assert!(parties.iter().filter(|p| p["identifier"]["scheme"] == "KR-BRN").all(|p| p["roles"] == serde_json::json!(["tenderer"])));

        // The cancelled tender.
        let rs = dasan_ocds::releases(prefix, &page[1]).unwrap();
        assert_eq!(rs.iter().map(|r| r.tag[0]).collect::<Vec<_>>(), [ReleaseTag::Tender, ReleaseTag::TenderCancellation]);
        let compiled = serde_json::to_value(dasan_ocds::compile(&rs).unwrap()).unwrap();
        assert_eq!(compiled["tender"]["status"], "cancelled");
        assert_eq!(compiled["tender"]["documents"][1]["description"], "The budget was withdrawn.");
        assert!(compiled["tender"].get("value").is_none(), "never opened: the estimate stays hidden");

        // The export walks everything; a window keeps only the releases dated in it.
        let mut all = OcdsExport::all(prefix.clone());
        let mut seen = Vec::new();
        while let Some(batch) = all.next_batch(&w.p).await.unwrap() {
            seen.extend(batch.into_iter().flatten().map(|r| r.id));
        }
        assert_eq!(seen.len(), 5);
        let mut hour = OcdsExport::between(prefix.clone(), at(1, 0), at(2, 0));
        let mut seen = Vec::new();
        while let Some(batch) = hour.next_batch(&w.p).await.unwrap() {
            seen.extend(batch.into_iter().flatten().map(|r| r.id));
        }
        assert_eq!(seen, [format!("ocds-dasan0-{id}-opening")]);
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation, award, standstill and complaints (issue 11)

impl World {
    /// A tender opened with two bids: A prices lot 1 at 460 000 000 and lot 2 at 46 000 000
    /// (signed on its side), B lot 1 at 470 000 000 (the form).
    async fn opened_tender(&self) -> TenderId {
        let id = self.publish(0).await.unwrap();
        let t = self.p.tender(id).await.unwrap();
        let key = t.ceremony.public_key;
        let a = self.signed_bid(&self.a, id, &key, 460_000_000, [2, 9]);
        self.p
            .submit_signed_bid(&self.a.rep, self.a.business, id, &a)
            .await
            .unwrap();
        self.p
            .submit_form_bid(
                &self.b.rep,
                self.b.business,
                id,
                self.form_payload(470_000_000),
            )
            .await
            .unwrap();
        self.clock.set(t.notice.timeline.bid_deadline);
        self.p.close_bid_box(id).await.unwrap();
        self.clock.set(t.notice.timeline.opening_at);
        self.release(id, &[0, 1]).await;
        self.p.open(&self.officer, id).await.unwrap();
        id
    }

    /// Evaluator `i`'s full sheet: `a` points for A on both lots, `b` for B.
    async fn sheet(&self, id: TenderId, a: u32, b: u32) -> Vec<SheetEntry> {
        let opening = self.p.opening(id).await.unwrap().record;
        opening
            .opened
            .iter()
            .flat_map(|o| {
                let points = if o.supplier_id == self.a.business.to_string() {
                    a
                } else {
                    b
                };
                o.lots.iter().map(move |l| SheetEntry {
                    bid_id: o.bid_id,
                    lot_id: l.lot_id.clone(),
                    criterion: "experience".into(),
                    points,
                })
            })
            .collect()
    }

    async fn reviewer(&self) -> Principal {
        let acc = account(
            &self.db,
            "review@pps.go.kr",
            AccountKind::Official,
            &[("procurement.officer", "platform")],
        )
        .await;
        official(acc, &[("procurement.officer", "platform")])
    }

    async fn audited(&self, action: &str) -> i64 {
        on_reader!(self.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_events WHERE action = $1"
        )
        .bind(action)
        .fetch_one(p)
        .await)
        .unwrap()
    }
}

engine_tests! {
    async fn blind_scores_a_signed_evaluation_an_award_a_complaint_and_finality(engine) {
        let w = world(engine, ProcurementConfig::default()).await;
        let id = w.opened_tender().await;
        let (m0, m1, m2) = (&w.members[0].principal, &w.members[1].principal, &w.members[2].principal);

        // Best value needs the panel's sheets first.
        assert!(matches!(w.p.evaluate(&w.officer, id).await, Err(ProcurementError::Transition { .. })));
        w.p.appoint_evaluators(&w.officer, id, &[m0.account, m1.account]).await.unwrap();
        assert!(matches!(
            w.p.appoint_evaluators(&w.officer, id, &[m2.account]).await,
            Err(ProcurementError::Transition { .. })
        ));
        let full = w.sheet(id, 6, 10).await;
        assert_eq!(full.len(), 3, "A on two lots, B on one");
        assert!(matches!(w.p.submit_scores(m2, id, full.clone()).await, Err(ProcurementError::Forbidden(_))));
        assert!(matches!(
            w.p.submit_scores(m0, id, full[..2].to_vec()).await,
            Err(ProcurementError::Invalid(_))
        ));
        let mut over = full.clone();
        over[0].points = 11;
        assert!(matches!(w.p.submit_scores(m0, id, over).await, Err(ProcurementError::Invalid(_))));
        w.p.submit_scores(m0, id, full.clone()).await.unwrap();
        assert!(matches!(w.p.submit_scores(m0, id, full.clone()).await, Err(ProcurementError::Transition { .. })));

        // Blind: m0 sees only their own sheet, m1 and the entity nothing, until all are in.
        let v0 = w.p.scores(m0, id).await.unwrap();
        assert!(!v0.complete);
        assert_eq!(v0.scores.len(), 3);
        assert!(v0.scores.iter().all(|s| s.evaluator == m0.account.to_string()));
        assert!(w.p.scores(m1, id).await.unwrap().scores.is_empty());
        assert!(w.p.scores(&w.officer, id).await.unwrap().scores.is_empty());
        assert!(matches!(w.p.scores(m2, id).await, Err(ProcurementError::NotFound)));
        assert!(matches!(w.p.evaluate(&w.officer, id).await, Err(ProcurementError::Transition { .. })));
        w.p.submit_scores(m1, id, w.sheet(id, 6, 10).await).await.unwrap();
        let all = w.p.scores(&w.officer, id).await.unwrap();
        assert!(all.complete);
        assert_eq!(all.scores.len(), 6);

        // Evaluation. Lot 1: A 30 × 6/10 + 70 × 1 = 88; B 30 + 70 × 460/470 = 98.5106…: B.
        // Lot 2: only A, 18 + 70 = 88.
        let ev = w.p.evaluate(&w.officer, id).await.unwrap();
        ev.signature.verify(&ev.report.to_json_bytes()).unwrap();
        ev.report.recompute().unwrap();
        let opening = w.p.opening(id).await.unwrap().record;
        ev.report.check_opening(&opening).unwrap();
        assert_eq!(ev.version, 1);
        let winners = ev.report.result.winners();
        assert_eq!(winners.len(), 2);
        assert_eq!((winners[0].0, winners[0].2), ("1", w.b.business.to_string().as_str()));
        assert_eq!((winners[1].0, winners[1].2), ("2", w.a.business.to_string().as_str()));
        let lot1 = &ev.report.result.lots[0];
        assert_eq!(lot1.bids[0].score.as_ref().unwrap().total.decimal, "98.5106");
        assert_eq!(lot1.bids[1].score.as_ref().unwrap().total.exact, "88");
        assert_eq!(w.p.evaluation(id).await.unwrap(), ev);
        assert_eq!(w.p.tender(id).await.unwrap().status, TenderStatus::Evaluated);

        // No complaint before the award; the award tells both bidders.
        assert!(matches!(
            w.p.file_complaint(&w.a.rep, w.a.business, id, "too early").await,
            Err(ProcurementError::Transition { .. })
        ));
        let mails = w.count("SELECT COUNT(*) FROM outbox").await;
        let now = w.db.clock().now();
        let award = w.p.award(&w.officer, id).await.unwrap();
        assert_eq!(w.count("SELECT COUNT(*) FROM outbox").await, mails + 2, "A and B get the notice of award");
        assert_eq!(award.status, AwardStatus::Standstill);
        assert_eq!(award.standstill_ends_at.as_micros(), now.as_micros() + 10 * 86_400_000_000);
        assert_eq!(award.lots.len(), 2);
        assert_eq!(w.p.tender(id).await.unwrap().status, TenderStatus::Awarded);
        assert!(w.p.finalise_due().await.unwrap().is_empty(), "still in standstill");

        // A complains within the standstill: the award is suspended.
        let c = w.p.file_complaint(&w.a.rep, w.a.business, id, "B's experience was overrated.").await.unwrap();
        assert!(matches!(
            w.p.file_complaint(&w.unregistered.rep, w.unregistered.business, id, "I did not bid").await,
            Err(ProcurementError::Forbidden(_))
        ));
        assert!(w.p.award_of(id).await.unwrap().suspended);
        w.clock.set(award.standstill_ends_at);
        assert!(matches!(
            w.p.file_complaint(&w.b.rep, w.b.business, id, "late").await,
            Err(ProcurementError::StandstillOver(_))
        ));
        assert!(w.p.finalise_due().await.unwrap().is_empty(), "an open complaint suspends finality");
        assert_eq!(w.p.award_of(id).await.unwrap().status, AwardStatus::Standstill);

        // The entity answers; only the review body decides.
        let reviewer = w.reviewer().await;
        assert!(matches!(
            w.p.decide_complaint(&reviewer, c, ComplaintDecision::Dismissed, "No ground.").await,
            Err(ProcurementError::Transition { .. })
        ));
        w.p.answer_complaint(&w.officer, c, "Both evaluators scored B's record of ten similar works.").await.unwrap();
        assert!(matches!(
            w.p.decide_complaint(&w.officer, c, ComplaintDecision::Dismissed, "No ground.").await,
            Err(ProcurementError::Forbidden(_))
        ));
        w.p.decide_complaint(&reviewer, c, ComplaintDecision::Dismissed, "The scores are reasoned.").await.unwrap();
        let complaints = w.p.complaints(id).await.unwrap();
        assert_eq!(complaints.len(), 1);
        assert_eq!(complaints[0].decision, Some(ComplaintDecision::Dismissed));
        assert!(!w.p.award_of(id).await.unwrap().suspended);

        // Standstill over, no open complaint: final, and no longer cancellable.
        assert_eq!(w.p.finalise_due().await.unwrap(), vec![id]);
        let award = w.p.award_of(id).await.unwrap();
        assert_eq!(award.status, AwardStatus::Final);
        assert!(award.final_at.is_some());
        assert!(matches!(w.p.cancel(&w.officer, id, "changed our mind").await, Err(ProcurementError::Transition { .. })));
        for action in ["procurement.evaluators.appoint", "procurement.scores.submit", "procurement.tender.evaluate",
            "procurement.tender.award", "procurement.complaint.file", "procurement.complaint.answer",
            "procurement.complaint.decide", "procurement.award.final"] {
            assert!(w.audited(action).await > 0, "{action} is audited");
        }
        // Sheets are audited by hash, never by points.
        let details: Vec<String> = on_reader!(w.db, |p| sqlx::query_scalar(
            "SELECT detail FROM audit_events WHERE action = 'procurement.scores.submit'"
        ).fetch_all(p).await).unwrap();
        assert!(details.iter().all(|d| d.contains("sheet_sha256") && !d.contains("\"points\"")));
    }

    async fn an_upheld_complaint_annuls_the_award_and_a_tender_is_cancelled_with_reasons(engine) {
        let w = world(engine, ProcurementConfig { standstill_days: 5, ..ProcurementConfig::default() }).await;
        let id = w.opened_tender().await;
        let (m0, m1) = (&w.members[0].principal, &w.members[1].principal);
        w.p.appoint_evaluators(&w.officer, id, &[m0.account, m1.account]).await.unwrap();
        w.p.submit_scores(m0, id, w.sheet(id, 6, 10).await).await.unwrap();
        w.p.submit_scores(m1, id, w.sheet(id, 6, 10).await).await.unwrap();
        w.p.evaluate(&w.officer, id).await.unwrap();
        let award = w.p.award(&w.officer, id).await.unwrap();
        assert_eq!(
            award.standstill_ends_at.as_micros() - award.awarded_at.as_micros(),
            5 * 86_400_000_000,
            "the configured standstill"
        );
        let c = w.p.file_complaint(&w.a.rep, w.a.business, id, "The price formula was misapplied.").await.unwrap();
        w.p.answer_complaint(&w.officer, c, "We disagree.").await.unwrap();
        let reviewer = w.reviewer().await;
        let mails = w.count("SELECT COUNT(*) FROM outbox").await;
        w.p.decide_complaint(&reviewer, c, ComplaintDecision::Upheld, "Evaluate again.").await.unwrap();
        assert_eq!(w.count("SELECT COUNT(*) FROM outbox").await, mails + 2, "bidders are told");
        let annulled = w.p.award_of(id).await.unwrap();
        assert_eq!(annulled.status, AwardStatus::Annulled);
        assert_eq!(annulled.end_reason.as_deref(), Some("Evaluate again."));
        assert_eq!(w.p.tender(id).await.unwrap().status, TenderStatus::Opened);
        // A new evaluation (version 2) and a new award.
        let ev = w.p.evaluate(&w.officer, id).await.unwrap();
        assert_eq!(ev.version, 2);
        let again = w.p.award(&w.officer, id).await.unwrap();
        assert_eq!(again.evaluation_version, 2);
        // Cancelled during the standstill, with a reason: the award ends, nothing becomes final.
        w.p.cancel(&w.officer, id, "The budget was withdrawn.").await.unwrap();
        let t = w.p.tender(id).await.unwrap();
        assert_eq!(t.status, TenderStatus::Cancelled);
        assert_eq!(t.cancel_reason.as_deref(), Some("The budget was withdrawn."));
        assert_eq!(w.p.award_of(id).await.unwrap().status, AwardStatus::Cancelled);
        w.clock.set(Timestamp::from_micros(again.standstill_ends_at.as_micros() + 1));
        assert!(w.p.finalise_due().await.unwrap().is_empty());
        assert!(matches!(w.p.evaluate(&w.officer, id).await, Err(ProcurementError::Transition { .. })));
    }
}

// ---------------------------------------------------------------------------------------------
// The OCDS award stage from stored awards (issue 11)

engine_tests! {
    async fn an_awarded_tender_is_published_with_its_awards_bids_and_estimate(engine) {
        let w = world(engine, ProcurementConfig {
            public_url: Some("https://dasan.example/".into()),
            ..ProcurementConfig::default()
        })
        .await;
        let id = w.opened_tender().await;
        let (m0, m1) = (&w.members[0].principal, &w.members[1].principal);
        w.p.appoint_evaluators(&w.officer, id, &[m0.account, m1.account]).await.unwrap();
        w.p.submit_scores(m0, id, w.sheet(id, 6, 10).await).await.unwrap();
        w.p.submit_scores(m1, id, w.sheet(id, 6, 10).await).await.unwrap();
        w.p.evaluate(&w.officer, id).await.unwrap();
        let award = w.p.award(&w.officer, id).await.unwrap();
        let opening = w.p.opening(id).await.unwrap().record;
        let bid_of = |business: BusinessId| {
            opening.opened.iter().find(|o| o.supplier_id == business.to_string()).unwrap().bid_id.to_hex()
        };
        let prefix = w.p.config().ocid_prefix.clone();
        use dasan_ocds::codelist::ReleaseTag;

        // During the standstill (tender status `awarded`): the bids and the estimate are still
        // public, and both lots' awards are pending.
        let p = w.p.ocds_procedure(id).await.unwrap();
        assert_eq!(p.awards.len(), 2);
        let rs = dasan_ocds::releases(&prefix, &p).unwrap();
        assert_eq!(rs.iter().map(|r| r.tag[0]).collect::<Vec<_>>(),
            [ReleaseTag::Tender, ReleaseTag::TenderUpdate, ReleaseTag::Award, ReleaseTag::Award]);
        let c = serde_json::to_value(dasan_ocds::compile(&rs).unwrap()).unwrap();
        assert_eq!(c["tender"]["value"]["amount"], 1_000_000_000, "opened: the estimate stays public");
        assert_eq!(c["bids"]["details"].as_array().unwrap().len(), 3, "the opened bids stay published");
        let awards = c["awards"].as_array().unwrap();
        assert!(awards.iter().all(|a| a["status"] == "pending"));

        // Final after the standstill: active, dated when it became final.
        w.clock.set(award.standstill_ends_at);
        assert_eq!(w.p.finalise_due().await.unwrap(), vec![id]);
        let final_at = w.p.award_of(id).await.unwrap().final_at.unwrap();
        let p = w.p.ocds_procedure(id).await.unwrap();
        let rs = dasan_ocds::releases(&prefix, &p).unwrap();
        assert_eq!(rs.iter().map(|r| r.tag[0]).collect::<Vec<_>>(),
            [ReleaseTag::Tender, ReleaseTag::TenderUpdate, ReleaseTag::Award, ReleaseTag::Award,
             ReleaseTag::AwardUpdate, ReleaseTag::AwardUpdate]);
        let c = serde_json::to_value(dasan_ocds::compile(&rs).unwrap()).unwrap();
        assert_eq!(c["tender"]["status"], "complete", "every lot is awarded");
        let lot1 = c["awards"].as_array().unwrap().iter().find(|a| a["id"] == "1-1").unwrap();
        assert_eq!(lot1["status"], "active");
        assert_eq!(lot1["date"], serde_json::to_value(dasan_ocds::model::DateTime(final_at)).unwrap());
        assert_eq!(lot1["value"]["amount"], 470_000_000, "B won lot 1 at its price");
        assert_eq!(lot1["value"]["currency"], "KRW");
        assert_eq!(lot1["relatedLots"], serde_json::json!(["1"]));
        assert_eq!(lot1["relatedBids"], serde_json::json!([format!("{}-1", bid_of(w.b.business))]));
        assert_eq!(lot1["items"][0]["relatedLot"], "1");
        assert_eq!(lot1["items"][0]["classification"]["id"], "45233120");
        let doc = &lot1["documents"][0];
        assert_eq!(doc["documentType"], "evaluationReports");
        assert_eq!(doc["url"], format!("https://dasan.example/api/v1/procurement/tenders/{id}/evaluation"));
        let supplier = lot1["suppliers"][0]["id"].as_str().unwrap();
        let party = c["parties"].as_array().unwrap().iter().find(|p| p["id"] == supplier).unwrap();
        assert_eq!(party["roles"], serde_json::json!(["tenderer", "supplier"]));
        let lot2 = c["awards"].as_array().unwrap().iter().find(|a| a["id"] == "1-2").unwrap();
        assert_eq!(lot2["value"]["amount"], 46_000_000, "A won lot 2");
        assert_eq!(lot2["relatedBids"], serde_json::json!([format!("{}-2", bid_of(w.a.business))]));
    }

    async fn an_award_cancelled_with_its_tender_is_published_cancelled_with_the_reason(engine) {
        let w = world(engine, ProcurementConfig::default()).await;
        let id = w.opened_tender().await;
        let (m0, m1) = (&w.members[0].principal, &w.members[1].principal);
        w.p.appoint_evaluators(&w.officer, id, &[m0.account, m1.account]).await.unwrap();
        w.p.submit_scores(m0, id, w.sheet(id, 6, 10).await).await.unwrap();
        w.p.submit_scores(m1, id, w.sheet(id, 6, 10).await).await.unwrap();
        w.p.evaluate(&w.officer, id).await.unwrap();
        w.p.award(&w.officer, id).await.unwrap();
        w.clock.set(Timestamp::from_micros(w.db.clock().now().as_micros() + HOUR_US));
        w.p.cancel(&w.officer, id, "The budget was withdrawn.").await.unwrap();
        let p = w.p.ocds_procedure(id).await.unwrap();
        let rs = dasan_ocds::releases(&w.p.config().ocid_prefix, &p).unwrap();
        let c = serde_json::to_value(dasan_ocds::compile(&rs).unwrap()).unwrap();
        for a in c["awards"].as_array().unwrap() {
            assert_eq!(a["status"], "cancelled");
            assert_eq!(a["description"], "The budget was withdrawn.");
        }
        assert_eq!(c["tender"]["status"], "cancelled");
        assert_eq!(c["tender"]["value"]["amount"], 1_000_000_000, "opened before it was cancelled");
        // No link without a configured public address.
        assert!(c["awards"][0]["documents"][0].get("url").is_none());
    }
}

// ---------------------------------------------------------------------------------------------
// E-contracts (issue 11)

impl World {
    /// A tender awarded (B wins lot 1 at 470 000 000, A lot 2 at 46 000 000) and the award made
    /// final after the standstill; the platform PKI in the world's key store, and the service
    /// able to sign contract documents.
    async fn final_award(&mut self) -> TenderId {
        let id = self.opened_tender().await;
        let (m0, m1) = (&self.members[0].principal, &self.members[1].principal);
        self.p
            .appoint_evaluators(&self.officer, id, &[m0.account, m1.account])
            .await
            .unwrap();
        self.p
            .submit_scores(m0, id, self.sheet(id, 6, 10).await)
            .await
            .unwrap();
        self.p
            .submit_scores(m1, id, self.sheet(id, 6, 10).await)
            .await
            .unwrap();
        self.p.evaluate(&self.officer, id).await.unwrap();
        let award = self.p.award(&self.officer, id).await.unwrap();
        // Not before the award is final.
        assert!(matches!(
            self.p
                .create_contract(&self.officer, id, contract_request(self.b.business))
                .await,
            Err(ProcurementError::Transition { .. })
        ));
        self.clock.set(award.standstill_ends_at);
        assert_eq!(self.p.finalise_due().await.unwrap(), vec![id]);

        let spec = dasan_crypto::pki::PkiSpec {
            label_prefix: "pki".into(),
            root: dasan_crypto::pki::DistinguishedName {
                country: Some("KR".into()),
                organization: Some("Dasan Test".into()),
                common_name: "Dasan Test Root".into(),
                ..Default::default()
            },
            root_algorithm: Default::default(),
            ca_algorithm: Default::default(),
            agencies: vec![
                dasan_crypto::pki::AgencySpec {
                    code: "MOIS".into(),
                    name: "Ministry of the Interior and Safety".into(),
                    purposes: vec![
                        dasan_crypto::pki::Purpose::DocumentSigning,
                        dasan_crypto::pki::Purpose::TimeStamping,
                    ],
                    algorithms: Default::default(),
                },
                dasan_crypto::pki::AgencySpec {
                    code: "PPS".into(),
                    name: "Public Procurement Service".into(),
                    purposes: vec![dasan_crypto::pki::Purpose::DocumentSigning],
                    algorithms: Default::default(),
                },
            ],
            crl_base_url: "http://127.0.0.1:9/crl".into(),
            validity: Default::default(),
            border_test: None,
        };
        let layout =
            dasan_crypto::pki::pki_init(&*self.keys, &spec, std::time::SystemTime::now()).unwrap();
        dasan_crypto::published::save_layout(
            self.db.begin(Actor::system()).await.unwrap(),
            &layout,
        )
        .await
        .unwrap();
        self.p = self
            .p
            .clone()
            .with_contract_documents(ContractDocuments::new(
                std::path::Path::new("/usr/share/fonts/truetype/nanum"),
                "MOIS",
                "PPS",
            ));
        id
    }
}

fn date(s: &str) -> jiff::civil::Date {
    s.parse().unwrap()
}

fn contract_request(business: BusinessId) -> ContractRequest {
    ContractRequest {
        business_id: business,
        period_start: date("2027-02-01"),
        period_end: date("2027-12-31"),
        payment_term_days: 14,
        milestones: vec![
            MilestoneInput {
                title: "Base course".into(),
                due_on: date("2027-06-30"),
                amount_minor: 200_000_000,
            },
            MilestoneInput {
                title: "Surface course and completion".into(),
                due_on: date("2027-12-31"),
                amount_minor: 270_000_000,
            },
        ],
        language: ContractLanguage::Ko,
    }
}

engine_tests! {
    async fn a_contract_from_the_award_signed_by_both_amended_delivered_and_paid_late(engine) {
        let mut w = world(engine, ProcurementConfig::default()).await;
        let id = w.final_award().await;
        let (a, b) = (&w.a, &w.b);

        // Only the entity makes it, only for a winner, with milestones that sum to the value.
        assert!(matches!(
            w.p.create_contract(&b.rep, id, contract_request(b.business)).await,
            Err(ProcurementError::Forbidden(_))
        ));
        assert!(matches!(
            w.p.create_contract(&w.officer, id, contract_request(w.unregistered.business)).await,
            Err(ProcurementError::Invalid(_))
        ));
        let mut short = contract_request(b.business);
        short.milestones[1].amount_minor -= 1;
        match w.p.create_contract(&w.officer, id, short).await {
            Err(ProcurementError::Invalid(f)) => assert!(f.iter().any(|e| e.message == "procurement-error-milestones-sum")),
            other => panic!("{other:?}"),
        }
        let c = w.p.create_contract(&w.officer, id, contract_request(b.business)).await.unwrap();
        assert_eq!(c.status, ContractStatus::Draft);
        assert_eq!(c.versions[0].terms.value_minor, 470_000_000, "the awarded price of B's lot");
        assert_eq!(c.versions[0].terms.lots.len(), 1);
        assert!(matches!(
            w.p.create_contract(&w.officer, id, contract_request(b.business)).await,
            Err(ProcurementError::Transition { .. })
        ));
        let other = w.p.create_contract(&w.officer, id, ContractRequest {
            milestones: vec![MilestoneInput { title: "All".into(), due_on: date("2027-06-30"), amount_minor: 46_000_000 }],
            ..contract_request(a.business)
        }).await.unwrap();
        assert_eq!(w.p.contracts_of(id).await.unwrap().len(), 2);

        // The supplier cannot sign first; nobody signs twice; A cannot sign B's contract.
        assert!(matches!(w.p.sign_contract_as_supplier(&b.rep, c.id).await, Err(ProcurementError::Transition { .. })));
        assert!(matches!(w.p.sign_contract_as_entity(&b.rep, c.id).await, Err(ProcurementError::Forbidden(_))));
        let c1 = w.p.sign_contract_as_entity(&w.officer, c.id).await.unwrap();
        assert_eq!(c1.status, ContractStatus::EntitySigned);
        assert!(matches!(w.p.sign_contract_as_entity(&w.officer, c.id).await, Err(ProcurementError::Transition { .. })));
        assert!(matches!(w.p.sign_contract_as_supplier(&a.rep, c.id).await, Err(ProcurementError::Forbidden(_))));
        let entity_pdf = w.p.contract_pdf(c.id, None).await.unwrap();
        assert_eq!(dasan_docs::pades::verify_integrity_all(&entity_pdf).unwrap().len(), 1);
        let c2 = w.p.sign_contract_as_supplier(&b.rep, c.id).await.unwrap();
        assert_eq!(c2.status, ContractStatus::Active);
        assert!(c2.signed_at.is_some());
        assert!(matches!(w.p.sign_contract_as_supplier(&b.rep, c.id).await, Err(ProcurementError::Transition { .. })));

        // Two signatures, the second an incremental update over the first file.
        let pdf = w.p.contract_pdf(c.id, Some(1)).await.unwrap();
        assert!(pdf.starts_with(&entity_pdf), "the supplier's signature is appended");
        let sigs = dasan_docs::pades::verify_integrity_all(&pdf).unwrap();
        assert_eq!(sigs.len(), 2);
        assert_ne!(sigs[0].signer_certificate, sigs[1].signer_certificate);
        assert!(sigs.iter().all(|s| s.time_stamp.is_some()));
        // A changed byte inside what both signed is detected.
        let mut tampered = pdf.clone();
        tampered[entity_pdf.len() / 3] ^= 0x01;
        let err = dasan_docs::pades::verify_integrity_all(&tampered).unwrap_err().to_string();
        assert!(err.contains("changed after signing"), "{err}");

        // An amendment: more value, a bigger second milestone; signed again by both.
        let amend = AmendmentRequest {
            reason: "Additional drainage works on the north section.".into(),
            value_minor: Some(480_000_000),
            period_end: None,
            milestones: Some(vec![
                MilestoneInput { title: "Base course".into(), due_on: date("2027-06-30"), amount_minor: 200_000_000 },
                MilestoneInput { title: "Surface course, drainage and completion".into(), due_on: date("2027-12-31"), amount_minor: 280_000_000 },
            ]),
        };
        assert!(matches!(w.p.amend_contract(&b.rep, c.id, amend.clone()).await, Err(ProcurementError::Forbidden(_))));
        let bad = AmendmentRequest { value_minor: Some(490_000_000), ..amend.clone() };
        assert!(matches!(w.p.amend_contract(&w.officer, c.id, bad).await, Err(ProcurementError::Invalid(_))));
        let c3 = w.p.amend_contract(&w.officer, c.id, amend.clone()).await.unwrap();
        assert_eq!(c3.versions.len(), 2);
        assert_eq!(c3.current().unwrap().version, 1, "in force once both have signed");
        assert!(matches!(w.p.amend_contract(&w.officer, c.id, amend.clone()).await, Err(ProcurementError::Transition { .. })));
        assert!(matches!(w.p.sign_contract_as_supplier(&b.rep, c.id).await, Err(ProcurementError::Transition { .. })));
        w.p.sign_contract_as_entity(&w.officer, c.id).await.unwrap();
        let c4 = w.p.sign_contract_as_supplier(&b.rep, c.id).await.unwrap();
        assert_eq!(c4.current().unwrap().version, 2);
        assert_eq!(c4.current().unwrap().terms.value_minor, 480_000_000);
        assert_eq!(dasan_docs::pades::verify_integrity_all(&w.p.contract_pdf(c.id, Some(2)).await.unwrap()).unwrap().len(), 2);

        // Delivery: a rejection needs notes; then acceptance; payment 20 days later is 6 days late.
        assert!(matches!(w.p.accept_delivery(&w.officer, c.id, "1", false, " ").await, Err(ProcurementError::Invalid(_))));
        assert!(matches!(w.p.accept_delivery(&w.officer, c.id, "9", true, "").await, Err(ProcurementError::Invalid(_))));
        assert!(matches!(w.p.accept_delivery(&b.rep, c.id, "1", true, "").await, Err(ProcurementError::Forbidden(_))));
        w.p.accept_delivery(&w.officer, c.id, "1", false, "Compaction below specification.").await.unwrap();
        let today = dasan_procurement::contracts::kst_date(w.db.clock().now());
        assert!(matches!(
            w.p.record_payment(&w.officer, c.id, "1", 1, today).await,
            Err(ProcurementError::Transition { .. })
        ));
        w.p.accept_delivery(&w.officer, c.id, "1", true, "Re-tested: compliant.").await.unwrap();
        let accepted_on = today;
        w.clock.set(Timestamp::from_micros(w.db.clock().now().as_micros() + 20 * 86_400_000_000));
        let paid_on = dasan_procurement::contracts::kst_date(w.db.clock().now());
        match w.p.record_payment(&w.officer, c.id, "1", 200_000_001, paid_on).await {
            Err(ProcurementError::Invalid(f)) => assert_eq!(f[0].message, "procurement-error-overpayment"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(w.p.record_payment(&w.officer, c.id, "2", 1, paid_on).await, Err(ProcurementError::Transition { .. })));
        let c5 = w.p.record_payment(&w.officer, c.id, "1", 200_000_000, paid_on).await.unwrap();
        let p = &c5.payments[0];
        assert_eq!(p.due_on, dasan_procurement::contracts::payment_due(accepted_on, 14));
        assert_eq!(p.late_days, 6);
        assert_eq!(c5.status, ContractStatus::Active);

        // The last milestone accepted and paid on time: completed; nothing changes after.
        w.p.accept_delivery(&w.officer, c.id, "2", true, "").await.unwrap();
        let c6 = w.p.record_payment(&w.officer, c.id, "2", 280_000_000, paid_on).await.unwrap();
        assert_eq!(c6.payments[1].late_days, 0);
        assert_eq!(c6.status, ContractStatus::Completed);
        assert!(matches!(w.p.record_payment(&w.officer, c.id, "2", 1, paid_on).await, Err(ProcurementError::Transition { .. })));
        assert!(matches!(w.p.terminate_contract(&w.officer, c.id, "late").await, Err(ProcurementError::Transition { .. })));

        // A's contract ends early, with a reason.
        let t = w.p.terminate_contract(&w.officer, other.id, "The supplier withdrew.").await.unwrap();
        assert_eq!(t.status, ContractStatus::Terminated);
        assert!(matches!(w.p.sign_contract_as_entity(&w.officer, other.id).await, Err(ProcurementError::Transition { .. })));

        for action in ["procurement.contract.create", "procurement.contract.sign.entity", "procurement.contract.sign.supplier",
            "procurement.supplier.seal.issue", "procurement.contract.amend", "procurement.contract.delivery.accept",
            "procurement.contract.delivery.reject", "procurement.contract.payment", "procurement.contract.complete",
            "procurement.contract.terminate"] {
            assert!(w.audited(action).await > 0, "{action} is audited");
        }
        assert_eq!(w.audited("procurement.supplier.seal.issue").await, 1, "one e-seal per supplier");
    }
}

// ---------------------------------------------------------------------------------------------
engine_tests! {
    async fn tender_documents_are_uploaded_by_the_entity_listed_and_served_only_when_listed(engine) {
        let w = world(engine, ProcurementConfig::default()).await;
        let uploads = "SELECT COUNT(*) FROM audit_events WHERE action = 'procurement.document.upload'";
        let audited = w.count(uploads).await;
        // The officer's upload: the content decides the type, the name is cleaned.
        let drawing = b"%PDF-1.4\n% drawing of lot 2\n%%EOF\n".to_vec();
        let doc = w.p.upload_document(&w.officer, "C:\\plans\\drawing.pdf", drawing.clone()).await.unwrap();
        assert_eq!(doc.name, "drawing.pdf");
        assert_eq!(doc.media_type, "application/pdf");
        assert_eq!(doc.size, drawing.len() as u64);
        assert_eq!(doc.sha256, hex::encode(sha2::Sha256::digest(&drawing)));
        assert_eq!(w.count(uploads).await, audited + 1, "the upload is audited");

        // Refused uploads: empty, too large, not an accepted type; a supplier; an evaluator.
        let field = |r: Result<TenderDocument, ProcurementError>| match r {
            Err(ProcurementError::Invalid(f)) => f[0].message,
            other => panic!("expected a field error, got {other:?}"),
        };
        assert_eq!(field(w.p.upload_document(&w.officer, "e.pdf", vec![]).await), "procurement-error-document-empty");
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(documents::MAX_DOCUMENT_BYTES as usize + 1, b' ');
        assert_eq!(field(w.p.upload_document(&w.officer, "big.pdf", big).await), "procurement-error-document-too-large");
        assert_eq!(field(w.p.upload_document(&w.officer, "x.pdf", b"<html><script>alert(1)</script>".to_vec()).await), "procurement-error-document-type");
        assert_eq!(field(w.p.upload_document(&w.officer, "setup.pdf", b"MZ\x90\0\x03\0\0\0\x04\0".to_vec()).await), "procurement-error-document-type");
        assert!(matches!(w.p.upload_document(&w.a.rep, "a.pdf", drawing.clone()).await, Err(ProcurementError::Forbidden(_))));
        assert!(matches!(w.p.upload_document(&w.members[0].principal, "a.pdf", drawing.clone()).await, Err(ProcurementError::Forbidden(_))), "an evaluator does not manage tenders");

        // Publishing a notice that lists bytes never uploaded is refused, naming the document.
        let mut missing = notice(0);
        missing.documents.push(TenderDocument { name: "ghost.pdf".into(), media_type: "application/pdf".into(), sha256: "cd".repeat(32), size: 10 });
        let request = |notice: TenderNotice| PublishRequest {
            notice,
            committee: w.members.iter().map(|m| m.principal.account).collect(),
            threshold: 2,
        };
        match w.p.publish(&w.officer, request(missing)).await {
            Err(ProcurementError::Invalid(f)) => {
                assert_eq!(f[0].field, "documents[1].sha256");
                assert_eq!(f[0].message, "procurement-error-document-missing");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        // Listed with another type or size than its content has: refused too.
        let mut wrong = notice(0);
        wrong.documents.push(TenderDocument { media_type: "image/png".into(), ..doc.clone() });
        assert!(matches!(w.p.publish(&w.officer, request(wrong)).await, Err(ProcurementError::Invalid(f)) if f[0].message == "procurement-error-document-mismatch"));
        // The same document twice: refused by the notice's own rules.
        let mut twice = notice(0);
        twice.documents.push(doc.clone());
        twice.documents.push(doc.clone());
        assert!(matches!(w.p.publish(&w.officer, request(twice)).await, Err(ProcurementError::Invalid(f)) if f[0].message == "procurement-error-document-twice"));
        assert_eq!(w.count("SELECT COUNT(*) FROM procurement_tenders").await, 0, "nothing was published");

        // Published with the fixture's specification: anyone downloads exactly its bytes.
        let id = w.publish(0).await.unwrap();
        let spec = w.p.tender(id).await.unwrap().notice.documents[0].clone();
        let (meta, bytes) = w.p.tender_document(id, &spec.sha256).await.unwrap();
        assert_eq!(bytes, SPECIFICATION);
        assert_eq!(meta.name, "specification.pdf");
        assert_eq!(meta.media_type, "application/pdf");
        // Uploaded but not listed, unknown, or not a hash: not found.
        assert!(matches!(w.p.tender_document(id, &doc.sha256).await, Err(ProcurementError::NotFound)));
        assert!(matches!(w.p.tender_document(id, &"0".repeat(64)).await, Err(ProcurementError::NotFound)));
        assert!(matches!(w.p.tender_document(id, "../../etc/passwd").await, Err(ProcurementError::NotFound)));
        assert!(matches!(w.p.tender_document(TenderId::new(), &spec.sha256).await, Err(ProcurementError::NotFound)));

        // An amendment may add an uploaded document (then served), never a missing one.
        let mut amended = w.p.tender_for_agency(&w.officer, id).await.unwrap().notice;
        let mut ghost = amended.clone();
        ghost.documents.push(TenderDocument { name: "ghost.pdf".into(), media_type: "application/pdf".into(), sha256: "cd".repeat(32), size: 10 });
        assert!(matches!(w.p.amend(&w.officer, id, ghost, false, "ghost").await, Err(ProcurementError::Invalid(f)) if f[0].message == "procurement-error-document-missing"));
        amended.documents.push(doc.clone());
        w.p.amend(&w.officer, id, amended, false, "Drawing added").await.unwrap();
        let (_, served) = w.p.tender_document(id, &doc.sha256).await.unwrap();
        assert_eq!(served, drawing);

        // Another agency cannot list the PPS's upload in its own notice.
        let other = Principal {
            agency: Some("MOIS".into()),
            roles: vec![RoleGrant { role: "procurement.officer", scope: "MOIS".into() }],
            ..w.officer.clone()
        };
        let mut foreign = notice(0);
        foreign.documents = vec![doc.clone()];
        assert!(matches!(w.p.publish(&other, PublishRequest { notice: foreign, committee: vec![], threshold: 2 }).await, Err(ProcurementError::Invalid(f)) if f[0].message == "procurement-error-document-missing"));
    }
}
