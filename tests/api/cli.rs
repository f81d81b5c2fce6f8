//! The `dasan` binary itself: configuration check, migrations, admin creation, serve --demo.

use dasan_store::engine_tests;
use dasan_store::testing::TestDatabase;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

fn dasan(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dasan"));
    cmd.current_dir(dir)
        .env_remove("DASAN_CONFIG")
        .env_remove("DASAN_DATABASE_URL")
        .env("RUST_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command, stdin: Option<&str>) -> (i32, String, String) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn config_check_masks_secrets_and_names_bad_keys() {
    let dir = tempfile_dir();
    let (code, out, _) = run(
        dasan(dir.path())
            .args(["config", "check"])
            .env(
                "DASAN_DATABASE_URL",
                "postgres://dasan:hunter2-secret@db/dasan",
            )
            .env("DASAN_DATABSE_URL", "x"),
        None,
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("postgres://dasan:********@db/dasan") && !out.contains("hunter2"),
        "{out}"
    );
    assert!(
        out.contains("DASAN_DATABSE_URL is not a configuration key"),
        "{out}"
    );

    std::fs::write(
        dir.path().join("dasan.toml"),
        "[server]\nbody_limit_bytes = 10\n",
    )
    .unwrap();
    let (code, _, err) = run(dasan(dir.path()).args(["config", "check"]), None);
    assert_eq!(code, 2);
    assert!(err.contains("server.body_limit_bytes"), "{err}");

    let (code, _, err) = run(
        dasan(dir.path()).args(["--config", "/nonexistent.toml", "config", "check"]),
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent.toml"), "{err}");
}

#[test]
fn version_prints_the_version() {
    let dir = tempfile_dir();
    let (code, out, _) = run(dasan(dir.path()).arg("version"), None);
    assert_eq!(
        (code, out.trim()),
        (0, format!("dasan {}", env!("CARGO_PKG_VERSION")).as_str())
    );
}

engine_tests! {
    async fn migrate_then_admin_create_makes_the_first_administrator(engine) {
        let t = TestDatabase::empty(engine).await;
        let dir = tempfile_dir();
        let (code, out, err) = run(dasan(dir.path()).arg("migrate").env("DASAN_DATABASE_URL", &t.url), None);
        assert_eq!(code, 0, "{out}{err}");
        let latest = t.db.migration_status().await.unwrap().applied.last().copied().unwrap();
        assert!(out.contains(&format!("database ({engine}) is at migration {latest}")), "{out}");
        assert!(!dasan_identity::platform_admin_exists(&t.db).await.unwrap());

        let create = |password: &str| {
            let mut cmd = dasan(dir.path());
            cmd.args(["admin", "create", "--email", "chief@mois.go.example", "--name", "Park Ji-hoon", "--password-stdin"])
                .env("DASAN_DATABASE_URL", &t.url);
            run(&mut cmd, Some(password))
        };
        let (code, _, err) = create("too short\n");
        assert_eq!(code, 1);
        assert!(err.contains("at least 12 characters"), "{err}");
        assert!(!dasan_identity::platform_admin_exists(&t.db).await.unwrap());

        let (code, out, err) = create("correct horse battery staple\n");
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("created platform administrator"));
        assert!(dasan_identity::platform_admin_exists(&t.db).await.unwrap());
        assert!(dasan_identity::verify_password(&t.db, "chief@mois.go.example", "correct horse battery staple").await.unwrap().is_some());
        assert!(!err.contains("correct horse"), "secrets never reach the logs");

        let (code, _, err) = create("another long password\n");
        assert_eq!(code, 1);
        assert!(err.contains("already exists"), "{err}");
    }

    async fn serve_demo_prints_its_url_and_accounts_and_stops_on_sigterm(engine) {
        let t = TestDatabase::empty(engine).await;
        let dir = tempfile_dir();
        let url = serve_and_stop(dir.path(), &t.url).await;
        assert!(url.starts_with("http://127.0.0.1:"));
        assert!(dasan_identity::verify_password(&t.db, "admin@demo.dasan.example", "dasan-demo-admin-2026").await.unwrap().is_some());
        assert!(dasan_identity::verify_password(&t.db, "citizen@demo.dasan.example", "dasan-demo-2026").await.unwrap().is_some());
        // Idempotent: a second start on the same database creates nothing new.
        serve_and_stop(dir.path(), &t.url).await;
        let accounts: i64 = dasan_store::on_reader!(t.db, |p| dasan_store::sqlx::query_scalar("SELECT COUNT(*) FROM accounts").fetch_one(p).await).unwrap();
        assert_eq!(accounts, (dasan::demo::ACCOUNTS.len() + dasan::demo::PROCUREMENT_ACCOUNTS.len()) as i64);
        // One open demo tender, still one after the second start.
        let tenders: i64 = dasan_store::on_reader!(t.db, |p| dasan_store::sqlx::query_scalar("SELECT COUNT(*) FROM procurement_tenders WHERE status = 'published'").fetch_one(p).await).unwrap();
        assert_eq!(tenders, 1);
    }

    async fn demo_data_is_refused_on_a_real_installation(engine) {
        let t = TestDatabase::migrated(engine).await;
        dasan_identity::create_account(&t.db, dasan_kernel::Actor::system(), dasan_identity::NewAccount {
            kind: dasan_identity::AccountKind::Official,
            email: "root@gov.example".into(),
            display_name: "Real Admin".into(),
            password: "a real long password".into(),
            roles: vec![dasan_identity::RoleGrant { role: dasan_identity::PLATFORM_ADMIN, scope: "platform".into() }],
            agency: None,
        }).await.unwrap();
        let dir = tempfile_dir();
        let (code, _, err) = run(
            dasan(dir.path()).args(["serve", "--demo", "--listen", "127.0.0.1:0"]).env("DASAN_DATABASE_URL", &t.url),
            None,
        );
        assert_eq!(code, 1);
        assert!(err.contains("--demo only runs on an empty database"), "{err}");
        assert!(!dasan_identity::account_exists(&t.db, "admin@demo.dasan.example").await.unwrap());
    }

    async fn doc_issue_issues_signed_pdfs_for_an_operator_token(engine) {
        use dasan_identity::{AccountKind, Assurance, Permission, Principal, RoleGrant};
        use dasan_store::{on_reader, sqlx};
        let t = TestDatabase::empty(engine).await;
        let dir = tempfile_dir();
        // The demo gives a country, the platform's PKI and key store in this directory, and
        // the Ministry's registrar (a civil-service officer of MOIS); the services' definitions
        // are read from ./services.
        std::os::unix::fs::symlink(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("services"), dir.path().join("services")).unwrap();
        serve_and_stop(dir.path(), &t.url).await;
        let account: String = on_reader!(t.db, |p| sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'registrar@mois.demo.dasan.example'").fetch_one(p).await).unwrap();
        let roles = vec![RoleGrant { role: "civil.officer", scope: "MOIS".into() }];
        let registrar = Principal {
            account: account.parse().unwrap(),
            kind: AccountKind::Official,
            display_name: "registrar".into(),
            agency: Some("MOIS".into()),
            person: None,
            business: None,
            roles,
            assurance: Assurance::Multi,
            scopes: None,
        };
        let (_, token) = dasan_identity::tokens::create(&t.db, &registrar, "batch", &[Permission::CivilReview], 1).await.unwrap();
        std::fs::write(dir.path().join("token.txt"), format!("{token}\n")).unwrap();
        let rrn: String = on_reader!(t.db, |p| sqlx::query_scalar("SELECT national_id FROM registry_people WHERE status = 'living' ORDER BY national_id LIMIT 1").fetch_one(p).await).unwrap();
        let issue = |args: &[&str], token_env: Option<&str>| {
            let mut cmd = dasan(dir.path());
            cmd.args(["doc", "issue"]).args(args).env("DASAN_DATABASE_URL", &t.url).env_remove("DASAN_OPERATOR_TOKEN");
            if let Some(token) = token_env {
                cmd.env("DASAN_OPERATOR_TOKEN", token);
            }
            run(&mut cmd, None)
        };
        let issued_by_operator = || async {
            on_reader!(t.db, |p| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events WHERE action = 'civil.document.issue-by-operator' AND actor_account = $1").bind(&account).fetch_one(p).await).unwrap()
        };

        // Without a token, or with one that names nobody, nothing is issued.
        let (code, _, err) = issue(&["--type", "resident-registration", "--subject", &rrn, "--out", "none.pdf"], None);
        assert_eq!(code, 1);
        assert!(err.contains("--token-file or DASAN_OPERATOR_TOKEN"), "{err}");
        let (code, _, err) = issue(&["--type", "resident-registration", "--subject", &rrn, "--out", "none.pdf"], Some("dsn_not-a-token"));
        assert_eq!(code, 1);
        assert!(err.contains("unknown, expired or revoked"), "{err}");
        assert!(!err.contains("dsn_not-a-token"), "secrets never reach the logs: {err}");
        assert!(!dir.path().join("none.pdf").exists());
        assert_eq!(issued_by_operator().await, 0);

        // One document, the token read from a file.
        let (code, out, err) = issue(&["--type", "resident-registration", "--subject", &rrn, "--out", "one.pdf", "--token-file", "token.txt"], None);
        assert_eq!(code, 0, "{out}{err}");
        let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        let number = line["issued"].as_str().expect("the issue number").to_owned();
        let pdf = std::fs::read(dir.path().join("one.pdf")).unwrap();
        dasan_docs::pades::verify_integrity(&pdf).unwrap();
        let stored: i64 = on_reader!(t.db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM civil_documents WHERE issue_number = $1").bind(&number).fetch_one(p).await).unwrap();
        assert_eq!(stored, 1);

        // A batch, the token from the environment: a bad row is reported and the rest issued.
        std::fs::create_dir(dir.path().join("batch")).unwrap();
        std::fs::write(dir.path().join("batch/rows.csv"), format!("type,subject,out\nresident-registration,{rrn},a.pdf\nresident-registration,000000-0000000,b.pdf\n")).unwrap();
        let (code, out, err) = issue(&["--batch", "batch/rows.csv"], Some(&token));
        assert_eq!(code, 3, "{out}{err}");
        let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(lines[0]["issued"].is_string() && lines[0]["issued"] != number.as_str(), "{out}");
        assert!(lines[1]["error"].is_string() && lines[1]["issued"].is_null(), "{out}");
        assert!(err.contains("1 issued, 1 failed"), "{err}");
        assert!(dir.path().join("batch/a.pdf").exists() && !dir.path().join("batch/b.pdf").exists());
        assert!(!out.contains(&token) && !err.contains(&token), "secrets never reach the logs");
        assert_eq!(issued_by_operator().await, 2);
    }
}

/// Starts `dasan serve --demo` on a random port, checks it answers, stops it with SIGTERM.
async fn serve_and_stop(dir: &std::path::Path, db_url: &str) -> String {
    let mut child = dasan(dir)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .env("DASAN_DATABASE_URL", db_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("Dasan is running at ")
        .expect(&first)
        .trim_end_matches('/')
        .to_owned();
    let accounts: Vec<String> = (0..3).map(|_| lines.next().unwrap().unwrap()).collect();
    assert!(accounts[0].starts_with("Demo accounts"), "{accounts:?}");
    assert!(
        accounts[1].contains("admin@demo.dasan.example")
            && accounts[1].contains("dasan-demo-admin-2026")
    );
    crate::helpers::install_tls_provider();
    let health = reqwest::get(format!("{url}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = std::time::Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "dasan did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "{exit:?}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l == "Dasan stopped."), "{rest:?}");
    url
}

fn tempfile_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Writes as an insider with database access would: outside the application.
async fn tamper(url: &str, sql: &str) {
    use sqlx::Connection;
    if url.starts_with("sqlite") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut c)
            .await
            .unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut c)
            .await
            .unwrap();
    }
}

engine_tests! {
    async fn audit_verify_finds_tampering_locally_and_remotely(engine) {
        let db = TestDatabase::empty(engine).await;
        let config = crate::helpers::test_config(&db);
        let url = db.url.clone();
        let app = crate::helpers::spawn_app_with(db, config.clone()).await;
        for page in ["/", "/about", "/"] {
            let r = app.post_json("/api/v1/feedback", &serde_json::json!({"page": page, "helpful": true})).await;
            assert_eq!(r.status(), 201);
        }
        // Wait for a checkpoint holding all three, and keep it as an auditor would.
        let mut note = String::new();
        for _ in 0..100 {
            note = app.get("/api/v1/audit/checkpoint").await.text().await.unwrap();
            if dasan_audit::unverified_head(&note).is_some_and(|h| h.size >= 3) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let dir = tempfile_dir();
        let kept = dir.path().join("kept.checkpoint");
        std::fs::write(&kept, &note).unwrap();
        let local = || {
            let mut cmd = dasan(dir.path());
            cmd.args(["audit", "verify"])
                .env("DASAN_DATABASE_URL", &url)
                .env("DASAN_KEYS_DIR", &config.keys.dir)
                .env("DASAN_KEYS_KEK_FILE", &config.keys.kek_file);
            cmd
        };
        let (code, out, err) = run(&mut local(), None);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("audit log OK"), "{out}");

        let remote = |file: &std::path::Path| {
            let mut cmd = dasan(dir.path());
            cmd.args(["audit", "verify", "--url", &app.address, "--checkpoint"]).arg(file);
            cmd
        };
        let (code, out, err) = run(&mut remote(&kept), None);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("append-only extension"), "{out}");

        // A kept checkpoint the log does not extend (another root at that size) fails.
        let forged = dir.path().join("forged.checkpoint");
        let mut lines: Vec<String> = note.lines().map(str::to_owned).collect();
        lines[2] = dasan_tlog::Hash([7; 32]).to_base64();
        std::fs::write(&forged, lines.join("\n") + "\n").unwrap();
        let (code, out, _) = run(&mut remote(&forged), None);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("FAILED"), "{out}");

        // An insider edits one event: the local check names it.
        let (index,): (i64,) = dasan_store::on_reader!(app.db.db, |p| sqlx::query_as(
            "SELECT leaf_index FROM audit_events WHERE action = 'feedback.submit' AND leaf_index IS NOT NULL ORDER BY leaf_index LIMIT 1 OFFSET 1"
        ).fetch_one(p).await).unwrap();
        tamper(&url, &format!("UPDATE audit_events SET detail = '{{\"page\":\"/forged\"}}' WHERE leaf_index = {index}")).await;
        let (code, out, _) = run(&mut local(), None);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains(&format!("the first event that differs is at index {index}")), "{out}");
    }
}

/// With `keys.backend = "pkcs11"` the checkpoint key is generated in, and signs inside, an HSM
/// (SoftHSM2 here): no key file is written.
#[tokio::test]
async fn checkpoints_are_signed_by_a_key_in_an_hsm() {
    let dir = tempfile_dir();
    let tokens = dir.path().join("tokens");
    std::fs::create_dir(&tokens).unwrap();
    let conf = dir.path().join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    let init = Command::new("softhsm2-util")
        .args([
            "--init-token",
            "--free",
            "--label",
            "dasan-keys",
            "--so-pin",
            "12345678",
            "--pin",
            "87654321",
        ])
        .env("SOFTHSM2_CONF", &conf)
        .output()
        .expect("softhsm2-util (Debian's softhsm2; scripts/test installs it)");
    assert!(init.status.success(), "{init:?}");
    let mut child = dasan(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env(
            "DASAN_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("dasan.db").display()),
        )
        .env("SOFTHSM2_CONF", &conf)
        .env("DASAN_KEYS_BACKEND", "pkcs11")
        .env(
            "DASAN_KEYS_PKCS11_MODULE",
            "/usr/lib/softhsm/libsofthsm2.so",
        )
        .env("DASAN_KEYS_PKCS11_TOKEN", "dasan-keys")
        .env("DASAN_PKCS11_PIN", "87654321")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().map(|l| l.unwrap()).unwrap_or_default();
    let url = first
        .strip_prefix("Dasan is running at ")
        .unwrap_or_else(|| {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            panic!("dasan did not start: {first} {err}")
        });
    let url = url.trim_end_matches('/').to_owned();
    let client = crate::helpers::client();
    let vkey = client
        .get(format!("{url}/api/v1/audit/key"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let verifiers = dasan_tlog::VerifierSet::from_vkeys([vkey.trim()]).unwrap();
    let mut note = String::new();
    for _ in 0..100 {
        let r = client
            .get(format!("{url}/api/v1/audit/checkpoint"))
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            note = r.text().await.unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let origin = note.lines().next().unwrap().to_owned();
    dasan_tlog::Checkpoint::open(&note, &verifiers, &origin).unwrap();
    assert!(
        !dir.path().join("dasan-data/keys").exists(),
        "no file key store"
    );
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}
