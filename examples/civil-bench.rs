//! Civil services under load, through HTTP, at the scale issue 8 names: a registry of
//! `--people` (1,000,000), `--applications` (100,000) already in the database, `--services`
//! in the catalogue, and `--users` (200) concurrent users, each a closed loop for `--seconds`:
//!
//! - **search**: anonymous citizens search the catalogue page (`/services?q=…`, en and ko words);
//! - **queue**: officials, signed in with two factors, open pages of their agency's work queue
//!   (`/agencies/MOIS-JONGNO/queue?page=…`);
//! - **submit**: citizens' scripts apply for the moving-in report through the API (one
//!   request: checked, started with registry facts, saved and submitted, with a receipt, an
//!   inbox message and an e-mail in the outbox; each a transaction with its audit events).
//!
//! Search and queue run twice: as people use them, each user pausing `--think-ms` on average
//! (uniformly half to one and a half times that) between requests — the targets are for this —
//! and at saturation (no pause), which shows the capacity. Submissions run at saturation (the
//! target is a throughput).
//!
//! The server runs in this process on the same cores as the load. The backlog of applications
//! is written straight into the tables (loading is not what is measured), and measuring starts
//! once the audit log has sequenced the loading's events, as in steady operation. Prints
//! Markdown rows for bench/RESULTS.md. Run with `bench/civil/run`.

use dasan_config::Config;
use dasan_identity::{AccountKind, Assurance, NewAccount, Permission, Principal, RoleGrant};
use dasan_kernel::{Actor, Clock, SystemClock};
use dasan_store::{Database, on_reader, on_tx, sqlx};
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

const PASSWORD: &str = "plum tractor ocean 47 lantern";
const WORDS: &[&str] = &[
    "certificate",
    "등본",
    "passport",
    "여권",
    "business",
    "사업자",
    "tax",
    "납세",
    "moving",
    "전입",
    "building",
    "건축",
    "birth",
    "출생",
    "land",
    "토지",
    "family",
    "가족관계",
    "resident registration",
    "주민등록",
];

struct Args {
    database_url: String,
    people: usize,
    applications: usize,
    services: usize,
    users: usize,
    seconds: u64,
    think_ms: u64,
}

fn args() -> Args {
    let mut a = Args {
        database_url: String::new(),
        people: 1_000_000,
        applications: 100_000,
        services: 3_000,
        users: 200,
        seconds: 15,
        think_ms: 1000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        let n = || value.parse().unwrap_or(0);
        match flag.as_str() {
            "--database-url" => a.database_url = value.clone(),
            "--people" => a.people = n(),
            "--applications" => a.applications = n(),
            "--services" => a.services = n(),
            "--users" => a.users = n(),
            "--seconds" => a.seconds = n() as u64,
            "--think-ms" => a.think_ms = n() as u64,
            other => fail(&format!("unknown flag {other}")),
        }
    }
    if a.database_url.is_empty() {
        fail("--database-url is required");
    }
    a
}

fn fail(message: &str) -> ! {
    eprintln!("civil-bench: {message}");
    std::process::exit(2)
}

fn ok<T, E: std::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| fail(&format!("{what}: {e}")))
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
    let server = ok(dasan::Server::build(&config).await, "the server");
    let db = server.db.clone();
    let base = format!("http://{}", server.addr);
    let started = Instant::now();
    load_registry(&db, a.people).await;
    eprintln!("registry: {} people ({:.0?})", a.people, started.elapsed());
    let services = load_services(&db, a.services).await;
    eprintln!("catalogue: {services} services");
    let citizens = citizens(&db, a.users).await;
    let officials = officials(&db, 5).await;
    let t = Instant::now();
    load_applications(&db, a.applications, &citizens, &officials).await;
    eprintln!("applications: {} ({:.0?})", a.applications, t.elapsed());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let t = Instant::now();
    while count(
        &db,
        "SELECT COUNT(*) FROM audit_events WHERE leaf_index IS NULL",
    )
    .await
        > 100
    {
        if t.elapsed() > Duration::from_secs(1200) {
            fail("the audit log did not catch up within 20 minutes");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    eprintln!("audit log sequenced ({:.0?})", t.elapsed());
    let sessions = sign_in_officials(&base, &officials).await;
    let tokens = citizen_tokens(&db, &citizens).await;
    let engine = db.engine().to_string();
    let engine = engine.as_str();

    let users = a.users;
    // Each user keeps one connection (a browser or script does), for the whole run.
    let base: &'static str = Box::leak(base.into_boxed_str());
    let sessions: &'static [reqwest::Client] = Box::leak(sessions.into_boxed_slice());
    let tokens: &'static [String] = Box::leak(tokens.into_boxed_slice());
    let clients: &'static [reqwest::Client] = Box::leak(
        (0..users)
            .map(|_| plain_client())
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    let duration = Duration::from_secs(a.seconds);
    println!("| engine | what | users | pause | requests | per second | p50 | p99 | errors |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let search = move |i: usize, rng: &mut rand::rngs::StdRng| {
        let client = clients[i].clone();
        let word = WORDS[(i + rng.random_range(0..WORDS.len())) % WORDS.len()];
        let url = format!(
            "{base}/services?q={}",
            url::form_urlencoded::byte_serialize(word.as_bytes()).collect::<String>()
        );
        async move {
            client
                .get(url)
                .send()
                .await
                .map(|r| r.status().is_success())
        }
    };
    let pages = (a.applications / 5 / 50).clamp(1, 40);
    let queue = move |i: usize, rng: &mut rand::rngs::StdRng| {
        let client = sessions[i % sessions.len()].clone();
        let url = format!(
            "{base}/agencies/MOIS-JONGNO/queue?filter=open&page={}",
            rng.random_range(1..=pages)
        );
        async move {
            client
                .get(url)
                .send()
                .await
                .map(|r| r.status().is_success())
        }
    };
    for think in [a.think_ms, 0] {
        run(users, duration, think, search).await.print(
            engine,
            "catalogue search page",
            users,
            think,
        );
        run(users, duration, think, queue).await.print(
            engine,
            "official's queue page",
            users,
            think,
        );
    }
    let submit = move |i: usize, rng: &mut rand::rngs::StdRng| {
        let client = clients[i].clone();
        let token = tokens[i % tokens.len()].clone();
        let day = rng.random_range(1..=28);
        let body = serde_json::json!({
            "service": "moving-in-report",
            "answers": {
                "new_address": format!("서울특별시 종로구 세종대로 {}, {}층", rng.random_range(1..300), rng.random_range(1..20)),
                "moved_on": format!("2026-10-{day:02}"),
                "household": rng.random_range(1..6).to_string(),
            },
        });
        let url = format!("{base}/api/v1/applications");
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16() == 201)
        }
    };
    run(users, duration, 0, submit)
        .await
        .print(engine, "submit an application (API)", users, 0);
    let _ = stop.send(());
    let _ = handle.await;
}

struct Measured {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl Measured {
    fn print(mut self, engine: &str, what: &str, users: usize, think_ms: u64) {
        self.latencies.sort();
        let q = |p: f64| {
            self.latencies
                .get(
                    ((self.latencies.len() as f64 * p) as usize)
                        .min(self.latencies.len().saturating_sub(1)),
                )
                .copied()
                .unwrap_or_default()
        };
        let n = self.latencies.len();
        let pause = if think_ms == 0 {
            "none".to_owned()
        } else {
            format!("{:.1} s", think_ms as f64 / 1000.0)
        };
        println!(
            "| {engine} | {what} | {users} | {pause} | {n} | {:.0} | {:.1} ms | {:.1} ms | {} |",
            n as f64 / self.elapsed.as_secs_f64(),
            q(0.50).as_secs_f64() * 1e3,
            q(0.99).as_secs_f64() * 1e3,
            self.errors
        );
    }
}

/// `users` closed loops for `duration` (after a 2 s warm-up that is not counted), each pausing
/// about `think_ms` between requests.
async fn run<F, Fut>(users: usize, duration: Duration, think_ms: u64, request: F) -> Measured
where
    F: Fn(usize, &mut rand::rngs::StdRng) -> Fut + Send + Sync + 'static + Copy,
    Fut: std::future::Future<Output = reqwest::Result<bool>> + Send + 'static,
{
    let warm_until = Instant::now() + Duration::from_secs(2);
    let until = warm_until + duration;
    let mut tasks = Vec::new();
    for i in 0..users {
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(i as u64);
            let mut latencies = Vec::new();
            let mut errors = 0;
            loop {
                let t = Instant::now();
                if t >= until {
                    break;
                }
                let good = request(i, &mut rng).await.unwrap_or(false);
                if t >= warm_until {
                    latencies.push(t.elapsed());
                    if !good {
                        errors += 1;
                    }
                }
                if think_ms > 0 {
                    let pause = rng.random_range(think_ms / 2..=think_ms + think_ms / 2);
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Measured {
        latencies: Vec::new(),
        errors: 0,
        elapsed: duration,
    };
    for task in tasks {
        let (l, e) = ok(task.await, "a user");
        all.latencies.extend(l);
        all.errors += e;
    }
    all
}

fn plain_client() -> reqwest::Client {
    ok(
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build(),
        "an HTTP client",
    )
}

async fn count(db: &Database, sql: &'static str) -> i64 {
    ok(
        on_reader!(db, |p| sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await),
        "a count",
    )
}

async fn load_registry(db: &Database, people: usize) {
    if count(db, "SELECT COUNT(*) FROM registry_people").await >= people as i64 {
        return;
    }
    let registry = dasan_registry::Registry::new(db.clone());
    ok(
        dasan_registry::demo::load(
            &registry,
            Actor::system(),
            &dasan_registry::demo::DemoSpec {
                people,
                businesses: (people / 20).max(10),
                seed: 2026,
            },
        )
        .await,
        "the demo registry",
    );
}

/// The demo services plus variants of them (other offices' versions), so that search looks
/// through a catalogue of national size.
async fn load_services(db: &Database, extra: usize) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("services");
    let demo = dasan_civil::catalogue::read_dir(&dir)
        .unwrap_or_else(|e| fail(&format!("services: {} problems", e.len())));
    let mut defs = demo.clone();
    for i in 0..extra {
        let mut d = demo[i % demo.len()].clone();
        d.code = format!("{}-v{i}", d.code);
        for (locale, name) in d.name.iter_mut() {
            name.push_str(if locale == "ko" {
                " (지역 "
            } else {
                " (region "
            });
            name.push_str(&format!("{i})"));
        }
        defs.push(d);
    }
    let civil = dasan_civil::Civil::new(db.clone(), dasan_registry::Registry::new(db.clone()), 19);
    ok(civil.load(Actor::system(), &defs).await, "the catalogue");
    defs.len()
}

async fn new_account(
    db: &Database,
    email: &str,
    kind: AccountKind,
    roles: Vec<RoleGrant>,
) -> dasan_identity::AccountId {
    let agency = roles.first().map(|r| r.scope.clone());
    ok(
        dasan_identity::create_account(
            db,
            Actor::system(),
            NewAccount {
                kind,
                email: email.into(),
                display_name: email.into(),
                password: PASSWORD.into(),
                roles,
                agency,
            },
        )
        .await,
        "an account",
    )
}

/// Citizens linked to living people of the registry.
async fn citizens(db: &Database, n: usize) -> Vec<(dasan_identity::AccountId, String)> {
    let people: Vec<String> = ok(
        on_reader!(db, |p| {
            sqlx::query_scalar(
            "SELECT id FROM registry_people WHERE status = 'living' AND parent1_id IS NULL ORDER BY id LIMIT $1"
        )
        .bind(n as i64)
        .fetch_all(p)
        .await
        }),
        "people",
    );
    let mut out = Vec::new();
    for (i, person) in people.into_iter().enumerate() {
        let id = new_account(
            db,
            &format!("bench{i}@example.kr"),
            AccountKind::Citizen,
            Vec::new(),
        )
        .await;
        ok(
            dasan_identity::link_person(db, Actor::system(), id, &person).await,
            "a link",
        );
        out.push((id, person));
    }
    out
}

async fn officials(db: &Database, n: usize) -> Vec<(dasan_identity::AccountId, String)> {
    let mut out = Vec::new();
    for i in 0..n {
        let email = format!("desk{i}@jongno.go.kr");
        let grant = RoleGrant {
            role: "civil.officer",
            scope: "MOIS-JONGNO".into(),
        };
        out.push((
            new_account(db, &email, AccountKind::Official, vec![grant]).await,
            email,
        ));
    }
    out
}

async fn citizen_tokens(
    db: &Database,
    citizens: &[(dasan_identity::AccountId, String)],
) -> Vec<String> {
    let mut out = Vec::new();
    for (account, person) in citizens {
        let principal = Principal {
            account: *account,
            kind: AccountKind::Citizen,
            display_name: String::new(),
            agency: None,
            person: Some(person.clone()),
            business: None,
            roles: Vec::new(),
            assurance: Assurance::Single,
            scopes: None,
        };
        let scopes: &[Permission] = &[];
        let (_, secret) = ok(
            dasan_identity::tokens::create(db, &principal, "bench", scopes, 30).await,
            "a token",
        );
        out.push(secret);
    }
    out
}

/// A backlog of applications across the review services: most decided long ago, the rest
/// waiting in queues (a fifth of them at the Jongno office the officials work in).
async fn load_applications(
    db: &Database,
    n: usize,
    citizens: &[(dasan_identity::AccountId, String)],
    officials: &[(dasan_identity::AccountId, String)],
) {
    if count(db, "SELECT COUNT(*) FROM civil_applications").await >= n as i64 {
        return;
    }
    let services: Vec<(String, String)> = ok(
        on_reader!(db, |p| {
            sqlx::query_as(
            "SELECT code, agency FROM civil_services WHERE issuance = 'review' AND code NOT LIKE '%-v%' ORDER BY code"
        )
        .fetch_all(p)
        .await
        }),
        "services",
    );
    let jongno = services
        .iter()
        .position(|(_, a)| a == "MOIS-JONGNO")
        .unwrap_or_else(|| fail("no MOIS-JONGNO service"));
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let now = SystemClock.now().as_micros();
    let day = 86_400_000_000i64;
    let mut made = 0;
    while made < n {
        let batch = (n - made).min(500);
        let mut tx = ok(db.begin(Actor::system()).await, "a transaction");
        let mut rows = Vec::with_capacity(batch);
        for k in 0..batch {
            let (code, agency) = if rng.random_range(0..5) == 0 {
                services[jongno].clone()
            } else {
                services[rng.random_range(0..services.len())].clone()
            };
            let (applicant, person) = &citizens[rng.random_range(0..citizens.len())];
            let status = match rng.random_range(0..100) {
                0..60 => "issued",
                60..70 => "rejected",
                70..85 => "submitted",
                85..93 => "in_review",
                _ => "info_requested",
            };
            let assigned = matches!(status, "in_review" | "info_requested").then(|| {
                officials[rng.random_range(0..officials.len())]
                    .0
                    .to_string()
            });
            let submitted = now - rng.random_range(0..400) * day - rng.random_range(0..day);
            let decided = matches!(status, "issued" | "rejected").then_some(submitted + 3 * day);
            rows.push((
                uuid::Uuid::now_v7().to_string(),
                format!("BENCH-{:012}", made + k),
                code,
                agency,
                applicant.to_string(),
                person.clone(),
                status,
                assigned,
                submitted,
                decided,
            ));
        }
        ok(
            on_tx!(tx, |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO civil_applications (id, receipt, service, service_version, agency, applicant, subject_person, basis, \
                     status, answers, prefilled, assigned_to, version, created_at, submitted_at, due_at, decided_at, updated_at, decision_reason) ",
                );
                q.push_values(&rows, |mut b, r| {
                    b.push_bind(&r.0)
                        .push_bind(&r.1)
                        .push_bind(&r.2)
                        .push_bind(1i64)
                        .push_bind(&r.3)
                        .push_bind(&r.4)
                        .push_bind(&r.5)
                        .push_bind("own")
                        .push_bind(r.6)
                        .push_bind("{}")
                        .push_bind("{}")
                        .push_bind(&r.7)
                        .push_bind(3i64)
                        .push_bind(r.8)
                        .push_bind(r.8)
                        .push_bind(r.8 + 14 * day)
                        .push_bind(r.9)
                        .push_bind(r.9.unwrap_or(r.8))
                        .push_bind(None::<String>);
                });
                q.build().execute(c).await.map(drop)
            }),
            "applications",
        );
        tx.record(
            "bench.applications.load",
            "civil:applications",
            serde_json::json!({ "rows": batch }),
        );
        ok(tx.commit().await, "a commit");
        made += batch;
    }
    // Fresh statistics, as a real database has after a day of work.
    let _ = on_reader!(db, |p| sqlx::query("ANALYZE").execute(p).await.map(drop));
}

/// A signed-in session (password and TOTP) per official, each in its own cookie jar.
async fn sign_in_officials(
    base: &str,
    officials: &[(dasan_identity::AccountId, String)],
) -> Vec<reqwest::Client> {
    let mut out = Vec::new();
    for (_, email) in officials {
        let client = ok(
            reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build(),
            "an HTTP client",
        );
        let post = |path: &'static str, page: &'static str, fields: Vec<(&'static str, String)>| {
            let client = client.clone();
            let (path, page) = (format!("{base}{path}"), format!("{base}{page}"));
            async move {
                let html = ok(
                    ok(client.get(page).send().await, "a page").text().await,
                    "a page",
                );
                let csrf = html
                    .split("name=\"csrf_token\" value=\"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .unwrap_or_default()
                    .to_owned();
                let mut form = vec![("csrf_token", csrf)];
                form.extend(fields);
                ok(client.post(path).form(&form).send().await, "a form")
            }
        };
        post(
            "/sign-in",
            "/sign-in",
            vec![("email", email.clone()), ("password", PASSWORD.into())],
        )
        .await;
        let page = ok(
            post(
                "/account/two-factor/begin",
                "/account/two-factor",
                Vec::new(),
            )
            .await
            .text()
            .await,
            "the two-factor page",
        );
        let secret = page
            .split("class=\"secret\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap_or_else(|| fail("no TOTP secret shown"))
            .to_owned();
        let code = ok(
            dasan_identity::totp::code_at(&secret, SystemClock.now()),
            "a TOTP code",
        );
        let done = post(
            "/account/two-factor/confirm",
            "/account/two-factor",
            vec![("code", code)],
        )
        .await;
        if done.status().as_u16() != 303 {
            fail("an official could not finish two-factor enrolment");
        }
        let queue = ok(
            client
                .get(format!("{base}/agencies/MOIS-JONGNO/queue"))
                .send()
                .await,
            "the queue",
        );
        if !queue.status().is_success() {
            fail(&format!("the queue answered {}", queue.status()));
        }
        out.push(client);
    }
    out
}
