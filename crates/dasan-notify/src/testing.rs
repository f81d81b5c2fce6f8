//! A real SMTP server for tests: Python's `aiosmtpd`, storing what it receives in a Maildir.
//!
//! The interpreter comes from `DASAN_PYTHON` (set by `scripts/test` to a virtualenv with
//! `conformance/requirements.txt` installed), else `python3`; without `aiosmtpd` the test
//! fails with a message saying how to get it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A message as its recipient reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    pub to: String,
    pub subject: String,
    pub body: String,
}

pub struct SmtpServer {
    pub addr: SocketAddr,
    maildir: tempfile::TempDir,
    child: Option<Child>,
}

fn python() -> String {
    std::env::var("DASAN_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

impl SmtpServer {
    /// Starts a server on a free loopback port.
    pub fn start() -> SmtpServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut server = SmtpServer {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            maildir: tempfile::tempdir().expect("a Maildir folder"),
            child: None,
        };
        server.resume();
        server
    }

    /// The `smtp://` URL lettre connects to.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Stops the server (an outage): connections are refused until [`SmtpServer::resume`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(self.addr).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts (again) on the same port and Maildir.
    pub fn resume(&mut self) {
        let python = python();
        let child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(self.addr.to_string())
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            // A folder that does not exist yet: the Maildir is created with its tmp/new/cur.
            .arg(self.maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {python} -m aiosmtpd: {e}. Run scripts/test, or set DASAN_PYTHON to a Python with conformance/requirements.txt installed"));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(self.addr).is_err() {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                let mut err = String::new();
                if let Some(mut stderr) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut stderr, &mut err);
                }
                panic!(
                    "aiosmtpd exited ({status}): {err}\nInstall it: pip install -r conformance/requirements.txt (scripts/test does), and set DASAN_PYTHON"
                );
            }
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start on {}",
                self.addr
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every message received so far, as raw RFC 5322 text, oldest first.
    pub fn messages(&self) -> Vec<String> {
        let dir: PathBuf = self.maildir.path().join("mail").join("new");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    /// The messages received so far, decoded (MIME transfer encodings, encoded-word headers).
    pub fn received(&self) -> Vec<Received> {
        self.messages()
            .iter()
            .filter_map(|raw| {
                let message = mail_parser::MessageParser::default().parse(raw.as_bytes())?;
                Some(Received {
                    to: message
                        .to()
                        .and_then(|a| a.first())
                        .and_then(|a| a.address())
                        .unwrap_or_default()
                        .to_owned(),
                    subject: message.subject().unwrap_or_default().to_owned(),
                    body: message
                        .body_text(0)
                        .map(|b| b.into_owned())
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Waits until at least `n` messages have arrived.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n || Instant::now() > deadline {
                return messages;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A text message as an [`SmsGateway`] received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedSms {
    pub from: String,
    pub to: String,
    pub text: String,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
}

#[derive(Default)]
struct GatewayState {
    received: std::sync::Mutex<Vec<ReceivedSms>>,
    /// The status the gateway answers with (200 unless a test says otherwise).
    status: std::sync::atomic::AtomicU16,
}

/// A real HTTP SMS gateway on a loopback port, speaking what
/// [`crate::HttpSmsGateway`] sends. A test sets the status it answers with to play an outage
/// (503) or a refused number (400). Must be started within a Tokio runtime.
pub struct SmsGateway {
    pub addr: SocketAddr,
    state: std::sync::Arc<GatewayState>,
    server: tokio::task::JoinHandle<()>,
}

impl SmsGateway {
    pub async fn start() -> SmsGateway {
        use axum::http::{HeaderMap, StatusCode};
        let state = std::sync::Arc::new(GatewayState::default());
        state.status.store(200, std::sync::atomic::Ordering::SeqCst);
        let shared = state.clone();
        let app = axum::Router::new().route(
            "/send",
            axum::routing::post(
                move |headers: HeaderMap, axum::Json(body): axum::Json<serde_json::Value>| {
                    let state = shared.clone();
                    async move {
                        let status = state.status.load(std::sync::atomic::Ordering::SeqCst);
                        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                        if status.is_success() {
                            let text = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
                            state
                                .received
                                .lock()
                                .expect("not poisoned")
                                .push(ReceivedSms {
                                    from: text("from"),
                                    to: text("to"),
                                    text: text("text"),
                                    authorization: headers
                                        .get("authorization")
                                        .and_then(|v| v.to_str().ok())
                                        .map(str::to_owned),
                                });
                        }
                        status
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let addr = listener.local_addr().expect("an address");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        SmsGateway {
            addr,
            state,
            server,
        }
    }

    /// The URL to configure as the gateway.
    pub fn url(&self) -> String {
        format!("http://{}/send", self.addr)
    }

    /// Answers every further request with `status`.
    pub fn answer(&self, status: u16) {
        self.state
            .status
            .store(status, std::sync::atomic::Ordering::SeqCst);
    }

    /// The messages accepted so far, oldest first.
    pub fn received(&self) -> Vec<ReceivedSms> {
        self.state.received.lock().expect("not poisoned").clone()
    }
}

impl Drop for SmsGateway {
    fn drop(&mut self) {
        self.server.abort();
    }
}
