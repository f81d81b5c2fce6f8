//! Open contracting data through the API, on both engines: the release and record pages, the
//! streamed bulk download and the daily package, with the deployment's own OCID prefix.

use crate::helpers::*;
use crate::procurement::{post, world};
use dasan_kernel::{Clock, SystemClock};
use dasan_store::engine_tests;
use dasan_store::testing::TestDatabase;
use serde_json::{Value, json};

async fn get_json(app: &TestApp, path: &str) -> Value {
    let r = app.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(r.headers()["content-type"], "application/json", "{path}");
    r.json().await.unwrap()
}

/// Packages name themselves by the portal's public address (here `localhost` and the port).
fn public(app: &TestApp, path: &str) -> String {
    format!("http://localhost:{}{path}", app.addr.port())
}

fn tags(package: &Value) -> Vec<String> {
    package["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["tag"][0].as_str().unwrap().to_owned())
        .collect()
}

engine_tests! {
    async fn tenders_are_published_as_ocds_pages_bulk_and_daily_packages(engine) {
        let db = TestDatabase::empty(engine).await;
        let mut config = test_config(&db);
        config.procurement.ocid_prefix = "ocds-213czf".into();
        let app = spawn_app_with(db, config).await;

        // Nothing yet: an empty, valid package without paging links.
        let empty = get_json(&app, "/api/v1/ocds/releases").await;
        assert_eq!(empty["releases"], json!([]));
        assert_eq!(empty["version"], "1.1");
        assert!(empty.get("links").is_none());

        let w = world(&app).await;
        let kept = w.publish(&app).await;
        let cancelled = w.publish(&app).await;
        let r = post(&app, &format!("/api/v1/procurement/tenders/{cancelled}/cancellation"), &w.officer,
            &json!({ "reason": "The budget was withdrawn." })).await;
        assert_eq!(r.status(), 204);

        let page = get_json(&app, "/api/v1/ocds/releases?page=1").await;
        assert_eq!(tags(&page), ["tender", "tender", "tenderCancellation"]);
        let releases = page["releases"].as_array().unwrap();
        assert_eq!(releases[0]["ocid"], format!("ocds-213czf-{kept}"));
        assert_eq!(releases[1]["ocid"], format!("ocds-213czf-{cancelled}"));
        assert_eq!(page["uri"], public(&app, "/api/v1/ocds/releases?page=1"));
        assert_eq!(page["extensions"].as_array().unwrap().len(), 2);
        let tender = &releases[0]["tender"];
        assert_eq!(tender["lots"].as_array().unwrap().len(), 2);
        assert_eq!(tender["items"][0]["classification"]["id"], "45233120");
        assert!(tender.get("value").is_none(), "the estimated value stays hidden before the opening");
        assert_eq!(releases[0]["parties"][0]["roles"], json!(["buyer", "procuringEntity"]));

        // Records: compiled releases, releases linked into the page of the same number.
        let records = get_json(&app, "/api/v1/ocds/records").await;
        let list = records["records"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1]["compiledRelease"]["tender"]["status"], "cancelled");
        assert_eq!(list[1]["compiledRelease"]["tag"], json!(["compiled"]));
        assert_eq!(list[1]["releases"][1]["url"], format!("{}#{}", public(&app, "/api/v1/ocds/releases?page=1"), releases[2]["id"].as_str().unwrap()));

        // Past the end: empty, with a link back.
        let after = get_json(&app, "/api/v1/ocds/releases?page=2").await;
        assert_eq!(after["releases"], json!([]));
        assert_eq!(after["links"]["prev"], public(&app, "/api/v1/ocds/releases?page=1"));
        assert!(after["links"].get("next").is_none());
        for bad in ["page=0", "page=-1", "page=x", "page=100000001", "size=3"] {
            assert_problem(app.get(&format!("/api/v1/ocds/releases?{bad}")).await, 400, "bad-request").await;
            assert_problem(app.get(&format!("/api/v1/ocds/records?{bad}")).await, 400, "bad-request").await;
        }

        // The bulk download: the same releases in one streamed package, or the records.
        let r = app.get("/api/v1/ocds/bulk").await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-disposition"], "attachment; filename=\"ocds-releases.json\"");
        let bulk: Value = r.json().await.unwrap();
        assert_eq!(bulk["releases"], page["releases"]);
        let bulk = get_json(&app, "/api/v1/ocds/bulk?package=records").await;
        assert_eq!(bulk["records"].as_array().unwrap().len(), 2);
        assert_eq!(bulk["records"][0]["compiledRelease"], list[0]["compiledRelease"]);
        assert_problem(app.get("/api/v1/ocds/bulk?package=everything").await, 400, "bad-request").await;

        // The daily package: today's releases; none on another day; 404 for what is not a day.
        let today = SystemClock.now().to_jiff().to_zoned(jiff::tz::TimeZone::UTC).date();
        let daily = get_json(&app, &format!("/api/v1/ocds/daily/{today}")).await;
        assert_eq!(tags(&daily), ["tender", "tender", "tenderCancellation"]);
        let old = get_json(&app, "/api/v1/ocds/daily/2000-01-01").await;
        assert_eq!(old["releases"], json!([]));
        for bad in ["2026-02-30", "2026-13-01", "20260101", "today", "2026-1-01"] {
            assert_problem(app.get(&format!("/api/v1/ocds/daily/{bad}")).await, 404, "not-found").await;
        }
        // `dasan ocds export` writes the same data offline, from the database.
        let dir = tempfile::tempdir().unwrap();
        let export = |args: &[&str]| {
            let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_dasan"));
            cmd.current_dir(dir.path())
                .env_remove("DASAN_CONFIG")
                .env("DASAN_DATABASE_URL", &app.db.url)
                .env("DASAN_PROCUREMENT_OCID_PREFIX", "ocds-213czf")
                .env("DASAN_KEYS_DIR", dir.path().join("keys"))
                .env("DASAN_KEYS_KEK_FILE", dir.path().join("kek.bin"))
                .env("RUST_LOG", "warn")
                .arg("ocds")
                .arg("export")
                .args(args);
            cmd
        };
        let out = export(&["--out", "releases.json"]).output().await.unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("wrote 3 releases of 2 procedures"));
        let file: Value = serde_json::from_slice(&std::fs::read(dir.path().join("releases.json")).unwrap()).unwrap();
        assert_eq!(file["releases"], page["releases"]);
        let out = export(&["--out", "records.json", "--records"]).output().await.unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let file: Value = serde_json::from_slice(&std::fs::read(dir.path().join("records.json")).unwrap()).unwrap();
        assert_eq!(file["records"][1]["compiledRelease"], list[1]["compiledRelease"]);
        let out = export(&["--out", "day.json", "--date", "2000-01-01"]).output().await.unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let file: Value = serde_json::from_slice(&std::fs::read(dir.path().join("day.json")).unwrap()).unwrap();
        assert_eq!(file["releases"], json!([]));
        let out = export(&["--out", "x.json", "--date", "2000-02-30"]).output().await.unwrap();
        assert!(!out.status.success());

        // Every endpoint is in the OpenAPI document.
        let doc = get_json(&app, "/api/v1/openapi.json").await;
        for path in ["/api/v1/ocds/releases", "/api/v1/ocds/records", "/api/v1/ocds/bulk", "/api/v1/ocds/daily/{date}"] {
            assert!(doc["paths"].get(path).is_some(), "{path} is documented");
        }
    }
}
