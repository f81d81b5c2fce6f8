//! `spawn_app()`: the real server on a random port against a fresh database
//! (in the style of *Zero To Production in Rust*).

use dasan::Server;
use dasan_config::Config;
use dasan_store::Engine;
use dasan_store::testing::TestDatabase;
use std::net::SocketAddr;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestApp {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`
    pub address: String,
    /// Keeps cookies, does not follow redirects (tests look at them).
    pub client: reqwest::Client,
    pub db: TestDatabase,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

/// The configuration a test app starts with, on `db`.
pub fn test_config(db: &TestDatabase) -> Config {
    let mut config = Config::default();
    config.database.url = db.url.clone();
    config.server.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    config.server.shutdown_grace_secs = 10;
    // Each test's own key store; kept on disk for the rest of the run (a few KB), so that a
    // second app on the same database finds the same keys.
    let keys = tempfile::Builder::new()
        .prefix("dasan-test-keys-")
        .tempdir()
        .expect("a temporary key store folder")
        .keep();
    config.keys.dir = keys.join("store");
    config.keys.kek_file = keys.join("kek.bin");
    config.civil.attachments_dir = keys.join("attachments");
    config.procurement.documents_dir = keys.join("tender-documents");
    config.audit.sequence_interval_ms = 100;
    config.procurement.worker_interval_secs = 1;
    config
}

/// Starts the app on a fresh database of `engine` (the server applies the migrations).
pub async fn spawn_app(engine: Engine) -> TestApp {
    let db = TestDatabase::empty(engine).await;
    let config = test_config(&db);
    spawn_app_with(db, config).await
}

/// Starts the app with a given configuration on `db`.
pub async fn spawn_app_with(db: TestDatabase, config: Config) -> TestApp {
    let server = Server::build(&config).await.expect("the server starts");
    let addr = server.addr;
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    TestApp {
        addr,
        address: format!("http://{addr}"),
        client: client(),
        db,
        shutdown: Some(tx),
        server: Some(handle),
    }
}

/// The binary builds reqwest without a default TLS provider (it uses ring, like sqlx).
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn client() -> reqwest::Client {
    install_tls_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("an HTTP client")
}

/// Starts another app instance (another "node") on the same database.
pub async fn spawn_second_app(config: &Config) -> TestApp {
    let server = Server::build(config)
        .await
        .expect("the second server starts");
    let addr = server.addr;
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    TestApp {
        addr,
        address: format!("http://{addr}"),
        client: client(),
        db: TestDatabase::attach(&config.database.url).await,
        shutdown: Some(tx),
        server: Some(handle),
    }
}

impl TestApp {
    /// A fresh browser (its own cookies) for the same app.
    pub fn client_for(_app: &TestApp) -> reqwest::Client {
        client()
    }

    /// A view of the same app for another browser: shares the server and database, owns
    /// nothing (dropping it stops nothing).
    pub fn shallow(&self) -> TestApp {
        TestApp {
            addr: self.addr,
            address: self.address.clone(),
            client: client(),
            db: self.db.borrow(),
            shutdown: None,
            server: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request is answered")
    }

    /// GET asking for an HTML page in a language.
    pub async fn get_page(&self, path: &str, accept_language: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("accept", "text/html,application/xhtml+xml")
            .header("accept-language", accept_language)
            .send()
            .await
            .expect("request is answered")
    }

    /// The CSRF token of the form on `page` (fetching it also sets the pre-session cookie).
    pub async fn csrf_token(&self, page: &str) -> String {
        let html = self.get(page).await.text().await.expect("a page");
        csrf_of(&html)
    }

    /// Submits a form the way a browser does: token from `page`, then POST to `path`.
    pub async fn post_form(
        &self,
        page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf_token(page).await;
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .expect("request is answered")
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request is answered")
    }

    /// Starts shutdown without waiting for it to finish.
    pub fn begin_shutdown(&mut self) -> Option<JoinHandle<std::io::Result<()>>> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.server.take()
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        dasan_store::on_reader!(self.db.db, |p| dasan_store::sqlx::query_scalar::<_, i64>(
            sql
        )
        .fetch_one(p)
        .await)
        .expect("count query")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The value of the first `csrf_token` field in a page.
pub fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page has a CSRF token")
        .to_owned()
}

/// Asserts a response is a problem document of `status` and `code`, and returns it.
pub async fn assert_problem(
    response: reqwest::Response,
    status: u16,
    code: &str,
) -> serde_json::Value {
    assert_eq!(
        response.status().as_u16(),
        status,
        "status of {}",
        response.url()
    );
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
    );
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("every response has a request id")
        .to_owned();
    let body: serde_json::Value = response.json().await.expect("a JSON problem document");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.ends_with(&format!("/problems/{code}"))),
        "{body}"
    );
    assert!(
        body["title"]
            .as_str()
            .is_some_and(|t| !t.is_empty() && !t.starts_with("problem-")),
        "{body}"
    );
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|t| !t.is_empty() && !t.starts_with("problem-")),
        "{body}"
    );
    assert_eq!(body["request_id"], request_id.as_str(), "{body}");
    body
}
