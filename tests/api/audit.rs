//! The audit log over HTTP: what an outside auditor sees and checks.

use crate::helpers::{assert_problem, spawn_app, spawn_app_with, spawn_second_app, test_config};
use dasan_store::engine_tests;
use dasan_store::testing::TestDatabase;
use dasan_tlog::{Checkpoint, ConsistencyProof, Hash, InclusionProof, VerifierSet};
use serde_json::{Value, json};
use std::time::Duration;

async fn text(app: &crate::helpers::TestApp, path: &str) -> String {
    let r = app.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

fn hashes(v: &Value) -> Vec<Hash> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| Hash::from_base64(h.as_str().unwrap()).unwrap())
        .collect()
}

/// Waits until the sequencer has checkpointed at least `size` events.
async fn checkpoint_of_at_least(
    app: &crate::helpers::TestApp,
    verifiers: &VerifierSet,
    origin: &str,
    size: u64,
) -> (String, Checkpoint) {
    for _ in 0..100 {
        let r = app.get("/api/v1/audit/checkpoint").await;
        // Before the sequencer's first pass there is no checkpoint yet: a 404 to wait out.
        if r.status() == 404 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        assert_eq!(r.status(), 200);
        let note = r.text().await.unwrap();
        let (cp, _) = Checkpoint::open(&note, verifiers, origin).unwrap();
        if cp.size >= size {
            return (note, cp);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no checkpoint of size {size} within 10 s");
}

engine_tests! {
    async fn every_change_reaches_a_signed_checkpoint_with_proofs(engine) {
        let app = spawn_app(engine).await;
        let vkey = text(&app, "/api/v1/audit/key").await;
        let verifiers = VerifierSet::from_vkeys([vkey.trim()]).unwrap();
        let origin = format!("localhost:{}/audit", app.addr.port());

        let r = app.post_json("/api/v1/feedback", &json!({"page": "/", "helpful": true})).await;
        assert_eq!(r.status(), 201);
        let (old_note, old) = checkpoint_of_at_least(&app, &verifiers, &origin, 1).await;

        let id: (String,) = dasan_store::on_reader!(app.db.db, |p| sqlx::query_as(
            "SELECT id FROM audit_events WHERE action = 'feedback.submit'").fetch_one(p).await).unwrap();
        let mut proof = Value::Null;
        for _ in 0..100 {
            let r = app.get(&format!("/api/v1/audit/proof/inclusion?event={}", id.0)).await;
            if r.status() == 200 {
                proof = r.json().await.unwrap();
                break;
            }
            // Until the sequencer reaches it: a 409 that says when to retry.
            assert_eq!(r.headers()["retry-after"], "2");
            assert_problem(r, 409, "not-yet-sequenced").await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (cp, _) = Checkpoint::open(proof["checkpoint"].as_str().unwrap(), &verifiers, &origin).unwrap();
        InclusionProof {
            leaf_index: proof["leaf_index"].as_u64().unwrap(),
            tree_size: proof["tree_size"].as_u64().unwrap(),
            hashes: hashes(&proof["hashes"]),
        }
        .verify(&Hash::from_base64(proof["leaf_hash"].as_str().unwrap()).unwrap(), &cp.root)
        .unwrap();

        for page in ["/", "/about"] {
            let r = app.post_json("/api/v1/feedback", &json!({"page": page, "comment": "more"})).await;
            assert_eq!(r.status(), 201);
        }
        let (new_note, new) = checkpoint_of_at_least(&app, &verifiers, &origin, old.size + 2).await;
        let c: Value = app.get(&format!("/api/v1/audit/proof/consistency?from={}&to={}", old.size, new.size)).await.json().await.unwrap();
        let proof = ConsistencyProof { old_size: old.size, new_size: new.size, hashes: hashes(&c["hashes"]) };
        dasan_audit::check_extension(&old_note, &new_note, &proof, &verifiers, &origin).unwrap();

        let archive: Value = app.get("/api/v1/audit/checkpoints").await.json().await.unwrap();
        let sizes: Vec<u64> = archive["checkpoints"].as_array().unwrap().iter().map(|c| c["size"].as_u64().unwrap()).collect();
        assert!(sizes.windows(2).all(|w| w[0] < w[1]) && sizes.contains(&old.size) && sizes.contains(&new.size), "{sizes:?}");

        // Wrong questions get problem documents.
        assert_problem(app.get("/api/v1/audit/proof/inclusion?event=nope").await, 404, "unknown-event").await;
        // A NUL byte (which PostgreSQL refuses in text) names no event either: found by schemathesis.
        assert_problem(app.get("/api/v1/audit/proof/inclusion?event=%1C%00%C3%AB&size=3").await, 404, "unknown-event").await;
        // 40 characters but 120 bytes: within the schema's maxLength (characters), so not a 400.
        let devanagari = "%E0%A4%AA".repeat(40);
        assert_problem(app.get(&format!("/api/v1/audit/proof/inclusion?event={devanagari}")).await, 404, "unknown-event").await;
        assert_problem(app.get(&format!("/api/v1/audit/proof/consistency?from={}&to={}", new.size, old.size)).await, 404, "bad-tree-range").await;
        assert_problem(app.get("/api/v1/audit/proof/consistency?from=0&to=99999").await, 404, "unknown-checkpoint").await;
        assert_problem(app.get("/api/v1/audit/proof/consistency?from=x&to=1").await, 400, "bad-request").await;
    }

    async fn two_nodes_sequence_one_log(engine) {
        // Both nodes run a sequencer on the same database: the log stays one consistent tree.
        let db = TestDatabase::empty(engine).await;
        let mut config = test_config(&db);
        // Nodes of one deployment share the key store and the log's name.
        config.audit.origin = "test.dasan.example/audit".into();
        let app = spawn_app_with(db, config.clone()).await;
        let second = spawn_second_app(&config).await;
        for i in 0..10 {
            let node = if i % 2 == 0 { &app } else { &second };
            let r = node.post_json("/api/v1/feedback", &json!({"page": "/", "helpful": i % 3 == 0})).await;
            assert_eq!(r.status(), 201);
        }
        let vkey = text(&app, "/api/v1/audit/key").await;
        let verifiers = VerifierSet::from_vkeys([vkey.trim()]).unwrap();
        checkpoint_of_at_least(&app, &verifiers, "test.dasan.example/audit", 10).await;
        // One statement, one snapshot: the sequencers keep running meanwhile.
        let gaps = app.count("SELECT MAX(leaf_index) + 1 - COUNT(DISTINCT leaf_index) FROM audit_events WHERE leaf_index IS NOT NULL").await;
        assert_eq!(gaps, 0, "leaf indexes are dense");
    }
}

engine_tests! {
    async fn the_platform_pki_is_published_once_created(engine) {
        let db = TestDatabase::empty(engine).await;
        let config = test_config(&db);
        let app = spawn_app_with(db, config.clone()).await;
        assert_eq!(app.get("/pki/root.crt").await.status(), 404, "no PKI yet");

        let spec = dasan::demo::pki_spec(&app.address).unwrap();
        dasan::init_pki(&config, &app.db.db, spec.clone()).await.unwrap();
        let again = dasan::init_pki(&config, &app.db.db, spec).await;
        assert!(again.unwrap_err().to_string().contains("already exists"));
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'pki.init'").await, 1);

        let r = app.get("/pki/root.crt").await;
        assert_eq!(r.headers()["content-type"], "application/pkix-cert");
        let root = r.bytes().await.unwrap().to_vec();
        let cert = dasan_crypto::pki::IssuedCertificate::from_der(&root, None).unwrap();
        assert!(cert.subject.contains("Dasan Demo Root CA"), "{}", cert.subject);

        for crl in ["root.crl", "mois.crl", "pps.crl"] {
            let r = app.get(&format!("/pki/crl/{crl}")).await;
            assert_eq!(r.status(), 200, "{crl}");
            assert_eq!(r.headers()["content-type"], "application/pkix-crl");
        }
        assert_eq!(app.get("/pki/crl/nope.crl").await.status(), 404);

        // The trust list verifies against the published root, as an offline verifier would.
        let jws = app.get("/.well-known/dasan/trust-list.jws").await.text().await.unwrap();
        let list = dasan_crypto::trust_list::verify_trust_list(&jws, &root, std::time::SystemTime::now()).unwrap();
        assert!(!list.entries.is_empty());
    }
}
