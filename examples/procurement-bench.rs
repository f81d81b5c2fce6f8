//! The deadline rush of issue 10, through HTTP, and the opening of a large bid box.
//!
//! **Rush.** `--suppliers` (500) registered suppliers, each with its representative's API token
//! and bidder key, bid on `2 × --tenders` (80) open tenders, sealed and signed on the client side
//! beforehand (as `dasan bid seal` does; the client's work is not the server's), then sent by
//! `--suppliers` concurrent clients to `POST /api/v1/procurement/tenders/{id}/bids`, in two
//! phases of `--suppliers × --tenders` (20,000) bids each:
//! - **saturation**: each client a closed loop over its bids (the next as soon as the last is
//!   answered), which measures the most the server sustains. With 500 clients always waiting,
//!   the latency here is mostly queueing (Little's law: 500 / throughput), so it is not the
//!   latency figure;
//! - **paced**: the clients together offer `--rate` (1,000) bids per second, each bid sent at its
//!   scheduled moment, latency counted from that moment (no coordinated omission): the latency a
//!   bidder sees at that load.
//!
//! After each phase every receipt's bid id is looked up: the stored active bids must be exactly
//! the receipted ones (none lost, none twice).
//!
//! **Opening.** One tender with `--open-bids` (10,000) bids: the suppliers and sealed envelopes
//! are written straight into the tables (loading is not what is measured), the clock is moved
//! past the deadline (a second `Database` handle with a manual clock), the box is closed and
//! signed, two of three committee members release their shares, and `Procurement::open` is
//! timed: rebuild the key, check every envelope against the bid-box record, decrypt, draw the
//! reserve price, sign and store the opening record, in one transaction.
//!
//! The server runs in this process on the same cores as the clients. Prints Markdown rows for
//! bench/RESULTS.md. Run with `bench/procurement/run`.

use base64::Engine as _;
use dasan_config::Config;
use dasan_identity::{AccountId, AccountKind, Assurance, NewAccount, Principal, RoleGrant};
use dasan_kernel::{Actor, Clock, ManualClock, SystemClock, Timestamp};
use dasan_procurement::notice::*;
use dasan_procurement::{
    BidPayload, LotPrice, MemberSecretKey, Procurement, PublishRequest, SupplierDetails, TenderId,
    decrypt_share, ed25519_dalek, seal_bid, seal_bid_file,
};
use dasan_store::{Database, DatabaseOptions, on_reader, on_tx, sqlx};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "plum tractor ocean 47 lantern";

struct Args {
    database_url: String,
    suppliers: usize,
    tenders: usize,
    open_bids: usize,
    rate: f64,
}

fn args() -> Args {
    let mut a = Args {
        database_url: String::new(),
        suppliers: 500,
        tenders: 40,
        open_bids: 10_000,
        rate: 1000.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        let n = || value.parse().unwrap_or(0);
        match flag.as_str() {
            "--database-url" => a.database_url = value.clone(),
            "--suppliers" => a.suppliers = n(),
            "--tenders" => a.tenders = n(),
            "--open-bids" => a.open_bids = n(),
            "--rate" => a.rate = value.parse().unwrap_or(1000.0),
            other => fail(&format!("unknown flag {other}")),
        }
    }
    if a.database_url.is_empty() {
        fail("--database-url is required");
    }
    a
}

fn fail(message: &str) -> ! {
    eprintln!("procurement-bench: {message}");
    std::process::exit(2)
}

fn ok<T, E: std::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| fail(&format!("{what}: {e}")))
}

fn grants(roles: &[(&'static str, &str)]) -> Vec<RoleGrant> {
    roles
        .iter()
        .map(|(role, scope)| RoleGrant {
            role,
            scope: (*scope).to_owned(),
        })
        .collect()
}

async fn official(db: &Database, email: &str, roles: &[(&'static str, &str)]) -> Principal {
    let account = ok(
        dasan_identity::create_account(
            db,
            Actor::system(),
            NewAccount {
                kind: AccountKind::Official,
                email: email.into(),
                display_name: email.into(),
                password: PASSWORD.into(),
                roles: grants(roles),
                agency: Some("PPS".into()),
            },
        )
        .await,
        "an official",
    );
    Principal {
        account,
        kind: AccountKind::Official,
        display_name: email.into(),
        agency: Some("PPS".into()),
        person: None,
        business: None,
        roles: grants(roles),
        assurance: Assurance::Multi,
        scopes: None,
    }
}

fn notice(title: String, deadline: Timestamp) -> TenderNotice {
    let d = deadline.as_micros();
    TenderNotice {
        title,
        description: "Deadline rush benchmark.".into(),
        method: Method::Open,
        invited: Vec::new(),
        lots: vec![Lot {
            id: "1".into(),
            title: "Works".into(),
            items: vec![Item {
                description: "Asphalt paving".into(),
                classification: "cpv:45233120".into(),
                quantity: 1000,
                unit: "MTK".into(),
            }],
        }],
        estimated_value: None,
        estimated_value_public: false,
        eligibility: Eligibility::default(),
        evaluation: Evaluation {
            method: EvaluationMethod::LowestPrice {
                abnormally_low: None,
            },
            tie_break: TieBreak::EarliestSubmission,
        },
        bid_security: None,
        documents: Vec::new(),
        timeline: Timeline {
            clarification_deadline: Timestamp::from_micros(d - HOUR_US),
            bid_deadline: deadline,
            opening_at: Timestamp::from_micros(d + HOUR_US),
        },
        amendment_rule: AmendmentRule {
            material_extension_hours: 72,
        },
        reserve_price: Some(ReserveRule {
            base_amount: 100_000_000,
            band_bp: 200,
        }),
    }
}

struct Committee {
    officer: Principal,
    members: Vec<(Principal, MemberSecretKey)>,
}

async fn committee(db: &Database, p: &Procurement) -> Committee {
    let officer = official(
        db,
        "officer@pps.bench.example",
        &[("procurement.officer", "PPS")],
    )
    .await;
    let mut members = Vec::new();
    for i in 0..3 {
        let m = official(
            db,
            &format!("member{i}@pps.bench.example"),
            &[("procurement.evaluator", "PPS")],
        )
        .await;
        let (secret, public) = MemberSecretKey::generate();
        ok(p.register_member_key(&m, public).await, "a member key");
        members.push((m, secret));
    }
    Committee { officer, members }
}

impl Committee {
    async fn publish(&self, p: &Procurement, title: String, deadline: Timestamp) -> TenderId {
        ok(
            p.publish(
                &self.officer,
                PublishRequest {
                    notice: notice(title, deadline),
                    committee: self.members.iter().map(|(m, _)| m.account).collect(),
                    threshold: 2,
                },
            )
            .await,
            "publishing a tender",
        )
    }
}

struct Bidder {
    business: String,
    token: String,
    key: ed25519_dalek::SigningKey,
}

/// Registers `n` trading businesses of the demo registry as suppliers, each with its
/// representative's account, bidder key and API token.
async fn suppliers(db: &Database, p: &Procurement, n: usize) -> Vec<Bidder> {
    let rows: Vec<(String, String)> = ok(
        on_reader!(db, |pool| {
            sqlx::query_as(
            "SELECT id, representative_id FROM registry_businesses WHERE status = 'active' ORDER BY id"
        )
        .fetch_all(pool)
        .await
        }),
        "businesses",
    );
    if rows.len() < n {
        fail(&format!("only {} trading businesses", rows.len()));
    }
    let mut out = Vec::new();
    for (i, (business, person)) in rows.into_iter().take(n).enumerate() {
        let account: AccountId = ok(
            dasan_identity::create_account(
                db,
                Actor::system(),
                NewAccount {
                    kind: AccountKind::Citizen,
                    email: format!("rep{i}@bench.example"),
                    display_name: format!("rep {i}"),
                    password: PASSWORD.into(),
                    roles: Vec::new(),
                    agency: None,
                },
            )
            .await,
            "a representative",
        );
        ok(
            dasan_identity::link_person(db, Actor::system(), account, &person).await,
            "linking",
        );
        let rep = Principal {
            account,
            kind: AccountKind::Citizen,
            display_name: format!("rep {i}"),
            agency: None,
            person: Some(person),
            business: None,
            roles: Vec::new(),
            assurance: Assurance::Multi,
            scopes: None,
        };
        let id = ok(business.parse(), "a business id");
        ok(
            p.register_supplier(
                &rep,
                id,
                SupplierDetails {
                    categories: vec!["cpv:45000000".into()],
                    licences: Vec::new(),
                    bank_account: dasan_procurement::BankAccount {
                        bank: "Dasan Bank".into(),
                        account_number: format!("100-{i}"),
                        holder: "Supplier".into(),
                    },
                    contact_email: format!("bids{i}@bench.example"),
                },
            )
            .await,
            "registering a supplier",
        );
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        use ed25519_dalek::pkcs8::EncodePublicKey;
        let spki = ok(key.verifying_key().to_public_key_der(), "an SPKI");
        ok(
            p.authorise_bidder(&rep, id, account, Some(spki.as_bytes()))
                .await,
            "authorising a bidder",
        );
        let (_, token) = ok(
            dasan_identity::tokens::create(db, &rep, "bench", &[], 30).await,
            "a token",
        );
        out.push(Bidder {
            business,
            token,
            key,
        });
    }
    out
}

/// Each client's bids, sealed and signed as `dasan bid seal` would: (URL, JSON body).
async fn seal_work(
    p: &Procurement,
    base: &str,
    bidders: &[Bidder],
    tenders: &[TenderId],
) -> Vec<Vec<(String, String)>> {
    let mut keys = Vec::new();
    for tender in tenders {
        keys.push(ok(p.tender(*tender).await, "a tender").ceremony.public_key);
    }
    let mut work = Vec::new();
    for (i, b) in bidders.iter().enumerate() {
        let mut mine = Vec::new();
        for (j, (tender, key)) in tenders.iter().zip(&keys).enumerate() {
            let json = serde_json::json!({
                "tender_id": tender.to_string(),
                "supplier_id": b.business,
                "lots": [{ "lot_id": "1", "currency": "KRW", "amount_minor": 90_000_000 + (i * 1000 + j) as u64 }],
                "reserve_price_picks": [1 + (i % 7) as u8, 8 + (j % 8) as u8],
            })
            .to_string();
            let bytes = ok(seal_bid_file(key, &json, &b.key), "sealing");
            let body = serde_json::json!({
                "submission": base64::engine::general_purpose::STANDARD.encode(bytes)
            })
            .to_string();
            mine.push((
                format!("{base}/api/v1/procurement/tenders/{tender}/bids"),
                body,
            ));
        }
        work.push(mine);
    }
    work
}

struct Run {
    latencies: Vec<Duration>,
    receipts: Vec<String>,
    errors: usize,
    elapsed: Duration,
}

/// Sends every client's bids, one after the other on its own connection. Without a rate each
/// client is a closed loop (the next bid as soon as the last is answered): that measures the
/// most the server sustains. With a rate the clients together offer `rate` bids per second,
/// each bid at its scheduled moment, and latency runs from that moment, not from when a late
/// client got round to sending it (no coordinated omission): that measures the latency a
/// bidder sees at that load.
async fn rush(work: Vec<Vec<(String, String)>>, bidders: &[Bidder], rate: Option<f64>) -> Run {
    let clients = work.len();
    let started = tokio::time::Instant::now();
    let mut tasks = Vec::new();
    for (i, (mine, b)) in work.into_iter().zip(bidders).enumerate() {
        let token = b.token.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut latencies = Vec::new();
            let mut receipts = Vec::new();
            let mut errors = 0usize;
            for (k, (url, body)) in mine.into_iter().enumerate() {
                let due = match rate {
                    Some(rate) => {
                        let due =
                            started + Duration::from_secs_f64((k * clients + i) as f64 / rate);
                        tokio::time::sleep_until(due).await;
                        due
                    }
                    None => tokio::time::Instant::now(),
                };
                let r = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                let good = match r {
                    Ok(r) if r.status().as_u16() == 201 => r
                        .json::<serde_json::Value>()
                        .await
                        .ok()
                        .and_then(|v| v["bid_id"].as_str().map(str::to_owned)),
                    _ => None,
                };
                latencies.push(due.elapsed());
                match good {
                    Some(id) => receipts.push(id),
                    None => errors += 1,
                }
            }
            (latencies, receipts, errors)
        }));
    }
    let mut run = Run {
        latencies: Vec::new(),
        receipts: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
    };
    for task in tasks {
        let (l, r, e) = ok(task.await, "a client");
        run.latencies.extend(l);
        run.receipts.extend(r);
        run.errors += e;
    }
    run.elapsed = started.elapsed();
    run.latencies.sort();
    run
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted
        .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let a = args();
    let scratch = ok(tempfile::tempdir(), "a scratch folder");
    let mut config = Config::default();
    config.database.url = a.database_url.clone();
    config.database.max_connections = 32;
    config.server.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    config.keys.dir = scratch.path().join("keys");
    config.keys.kek_file = scratch.path().join("kek.bin");
    config.civil.attachments_dir = scratch.path().join("attachments");
    config.procurement.documents_dir = scratch.path().join("tender-documents");
    let server = ok(dasan::Server::build(&config).await, "the server");
    let db = server.db.clone();
    let p = server.procurement().clone();
    let base = format!("http://{}", server.addr);
    let engine = db.engine().to_string();
    let t = Instant::now();
    let registry = dasan_registry::Registry::new(db.clone());
    ok(
        dasan_registry::demo::load(
            &registry,
            Actor::system(),
            &dasan_registry::demo::DemoSpec {
                people: a.suppliers * 8,
                businesses: a.suppliers * 13 / 10 + 10,
                seed: 10,
            },
        )
        .await,
        "the demo registry",
    );
    let c = committee(&db, &p).await;
    let deadline = ceil_hour(Timestamp::from_micros(
        SystemClock.now().as_micros() + 2 * HOUR_US,
    ));
    let mut tenders = Vec::new();
    for j in 0..2 * a.tenders {
        tenders.push(c.publish(&p, format!("Rush tender {j}"), deadline).await);
    }
    let bidders = suppliers(&db, &p, a.suppliers).await;
    eprintln!(
        "set up: {} suppliers, {} tenders ({:.0?})",
        bidders.len(),
        tenders.len(),
        t.elapsed()
    );

    // Sealed and signed on the clients' side, before the rush: one set of tenders for each phase.
    let t = Instant::now();
    let saturation = seal_work(&p, &base, &bidders, &tenders[..a.tenders]).await;
    let paced = seal_work(&p, &base, &bidders, &tenders[a.tenders..]).await;
    eprintln!(
        "sealed {} bids on the client side ({:.0?})",
        2 * a.suppliers * a.tenders,
        t.elapsed()
    );

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(500)).await;

    println!(
        "| engine | phase | clients | bids | time | submissions/s | p50 | p99 | errors | lost | duplicated | stored without receipt |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut receipts = Vec::new();
    for (phase, work, rate) in [
        ("saturation (closed loop)", saturation, None),
        ("paced", paced, Some(a.rate)),
    ] {
        let run = rush(work, &bidders, rate).await;
        let stored: Vec<String> = ok(
            on_reader!(db, |pool| sqlx::query_scalar(
                "SELECT id FROM procurement_bids WHERE status = 'active'"
            )
            .fetch_all(pool)
            .await),
            "stored bids",
        );
        receipts.extend(run.receipts.iter().cloned());
        let stored_set: HashSet<&String> = stored.iter().collect();
        let receipt_set: HashSet<&String> = receipts.iter().collect();
        let lost = receipt_set.difference(&stored_set).count();
        let unreceipted = stored_set.difference(&receipt_set).count();
        let duplicated = receipts.len() - receipt_set.len();
        let phase = match rate {
            Some(r) => format!("{phase} at {r}/s offered"),
            None => phase.to_owned(),
        };
        println!(
            "| {engine} | {phase} | {} | {} | {:.1} s | {:.0} | {:.1} ms | {:.1} ms | {} | {lost} | {duplicated} | {unreceipted} |",
            a.suppliers,
            run.latencies.len(),
            run.elapsed.as_secs_f64(),
            run.receipts.len() as f64 / run.elapsed.as_secs_f64(),
            quantile(&run.latencies, 0.50).as_secs_f64() * 1e3,
            quantile(&run.latencies, 0.99).as_secs_f64() * 1e3,
            run.errors,
        );
    }
    let _ = stop.send(());
    let _ = handle.await;

    if a.open_bids > 0 {
        open_bench(&config, &engine, a.open_bids).await;
    }
}

/// One tender with `n` bids written straight into the tables, then closed and opened with a
/// manual clock.
async fn open_bench(config: &Config, engine: &str, n: usize) {
    let clock = ManualClock::new(SystemClock.now());
    let mut options = DatabaseOptions::new(&config.database.url);
    options.max_connections = 8;
    let mut db = ok(
        Database::connect(&options).await,
        "a second database handle",
    );
    if !db.configure(
        Arc::new(dasan_store::TableAuditHook),
        Arc::new(clock.clone()),
    ) {
        fail("cannot give the second database handle its clock");
    }
    let keys = ok(dasan::open_key_store(config), "the key store");
    let p = Procurement::new(
        db.clone(),
        dasan_registry::Registry::new(db.clone()),
        keys,
        dasan::procurement_config(config),
    );
    let c = Committee {
        officer: official(
            &db,
            "opener@pps.bench.example",
            &[("procurement.officer", "PPS")],
        )
        .await,
        members: {
            let mut v = Vec::new();
            for i in 0..3 {
                let m = official(
                    &db,
                    &format!("opener{i}@pps.bench.example"),
                    &[("procurement.evaluator", "PPS")],
                )
                .await;
                let (secret, public) = MemberSecretKey::generate();
                ok(p.register_member_key(&m, public).await, "a member key");
                v.push((m, secret));
            }
            v
        },
    };
    let deadline = ceil_hour(Timestamp::from_micros(
        clock.now().as_micros() + 3 * HOUR_US,
    ));
    let tender = c.publish(&p, "Opening benchmark".into(), deadline).await;
    let key = ok(p.tender(tender).await, "the tender").ceremony.public_key;
    let t = Instant::now();
    let tender_text = tender.to_string();
    let now = clock.now().as_micros();
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut tx = ok(db.begin(Actor::system()).await, "a transaction");
        for &i in chunk {
            let business = dasan_registry::BusinessId::new().to_string();
            let sealed = ok(
                seal_bid(
                    &key,
                    &BidPayload {
                        tender_id: tender_text.clone(),
                        supplier_id: business.clone(),
                        lots: vec![LotPrice {
                            lot_id: "1".into(),
                            currency: "KRW".into(),
                            amount_minor: 90_000_000 + i as u64,
                        }],
                        reserve_price_picks: Some([1 + (i % 7) as u8, 8 + (i % 8) as u8]),
                        documents: Vec::new(),
                        attachments: Vec::new(),
                    },
                ),
                "sealing",
            );
            let id = sealed.id().to_hex();
            ok(
                on_tx!(tx, |conn| {
                    sqlx::query(
                    "INSERT INTO procurement_suppliers (business_id, categories, category_index, licences, bank_account, \
                        contact_email, registered_at, updated_at, version) VALUES ($1, '[]', ' ', '[]', '{}', 'x@bench.example', $2, $2, 1)"
                )
                .bind(&business)
                .bind(now)
                .execute(conn)
                .await
                .map(drop)
                }),
                "a supplier row",
            );
            ok(
                on_tx!(tx, |conn| {
                    sqlx::query(
                    "INSERT INTO procurement_bids (id, tender_id, business_id, envelope, sealed_by, submitted_by, status, received_at, receipt) \
                     VALUES ($1, $2, $3, $4, 'server', 'bench', 'active', $5, '{}')"
                )
                .bind(&id)
                .bind(&tender_text)
                .bind(&business)
                .bind(sealed.as_bytes())
                .bind(now)
                .execute(conn)
                .await
                .map(drop)
                }),
                "a bid row",
            );
        }
        tx.record(
            "bench.load",
            format!("tender:{tender_text}"),
            serde_json::json!({ "bids": chunk.len() }),
        );
        ok(tx.commit().await, "loading bids");
    }
    eprintln!("loaded {n} sealed bids ({:.0?})", t.elapsed());
    clock.set(deadline);
    let t = Instant::now();
    let record = ok(p.close_bid_box(tender).await, "closing the box");
    let close_time = t.elapsed();
    assert_eq!(record.record.tree_size as usize, n);
    clock.set(Timestamp::from_micros(deadline.as_micros() + HOUR_US));
    let ceremony = ok(p.tender(tender).await, "the tender").ceremony;
    for (i, (m, secret)) in c.members.iter().enumerate().take(2) {
        let share = ok(
            decrypt_share(&ceremony, (i + 1) as u8, secret),
            "decrypting a share",
        );
        ok(
            p.release_share(m, tender, &share).await,
            "releasing a share",
        );
    }
    let t = Instant::now();
    let opened = ok(p.open(&c.officer, tender).await, "opening");
    let open_time = t.elapsed();
    println!();
    println!(
        "| engine | bids in the box | close and sign the box | open (rebuild key, check, decrypt, draw, sign, store) | opened | rejected |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| {engine} | {n} | {:.2} s | {:.2} s | {} | {} |",
        close_time.as_secs_f64(),
        open_time.as_secs_f64(),
        opened.record.opened.len(),
        opened.record.rejected.len(),
    );
    db.close().await;
}
