//! Shared test helpers: fresh stores for both backends and a SoftHSM2 token per test.
//!
//! SoftHSM2 reads its configuration from the `SOFTHSM2_CONF` environment variable when the
//! module is initialised, once per process. Setting environment variables in-process needs
//! `unsafe` (forbidden in this workspace) and would race between parallel tests, so each
//! PKCS#11 test re-runs *itself* in a child process (`current_exe() <test> --exact`) with
//! `SOFTHSM2_CONF` pointing at a fresh temporary token directory. The parent checks that the
//! child really ran exactly one test and passed.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dasan_crypto::{FileKeyStore, KekSource, Pkcs11Config, Pkcs11KeyStore};
use secrecy::SecretString;

pub const SOFTHSM_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const CHILD_ENV: &str = "DASAN_TEST_SOFTHSM_CHILD";
const TOKEN_ENV: &str = "DASAN_TEST_SOFTHSM_TOKEN";
const PIN_ENV: &str = "DASAN_TEST_SOFTHSM_PIN";
pub const TOKEN_LABEL: &str = "dasan-test";
pub const USER_PIN: &str = "123456-user";
const SO_PIN: &str = "12345678-so";

/// A fixed "now" so tests are reproducible (2026-03-01T00:00:00Z).
pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_772_323_200)
}

/// A fresh file store with a random key file in a temporary directory.
pub fn file_store() -> (tempfile::TempDir, FileKeyStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let kek = dir.path().join("kek.bin");
    KekSource::create_key_file(&kek).expect("kek file");
    let store =
        FileKeyStore::create(dir.path().join("store"), &KekSource::KeyFile(kek)).expect("create");
    (dir, store)
}

pub fn key_file_kek(dir: &Path) -> KekSource {
    KekSource::KeyFile(dir.join("kek.bin"))
}

/// Fail (never skip) when SoftHSM2 is missing.
pub fn require_softhsm() {
    let util = Command::new("softhsm2-util").arg("--version").output();
    assert!(
        util.is_ok_and(|o| o.status.success()) && Path::new(SOFTHSM_MODULE).exists(),
        "SoftHSM2 is not installed (need softhsm2-util and {SOFTHSM_MODULE}). \
         Install it with: apt-get install softhsm2"
    );
}

/// A temporary SoftHSM2 configuration with one freshly initialised token.
pub struct SoftHsm {
    /// Owns the temporary directory (None for a borrowed configuration).
    pub dir: Option<tempfile::TempDir>,
    pub conf: PathBuf,
}

impl SoftHsm {
    pub fn fresh() -> SoftHsm {
        require_softhsm();
        let dir = tempfile::tempdir().expect("tempdir");
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).expect("token dir");
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
                tokens.display()
            ),
        )
        .expect("write softhsm2.conf");
        let out = Command::new("softhsm2-util")
            .args(["--init-token", "--free", "--label", TOKEN_LABEL])
            .args(["--pin", USER_PIN, "--so-pin", SO_PIN])
            .env("SOFTHSM2_CONF", &conf)
            .output()
            .expect("run softhsm2-util");
        assert!(
            out.status.success(),
            "softhsm2-util --init-token failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        SoftHsm {
            dir: Some(dir),
            conf,
        }
    }

    /// Another handle on an existing configuration (the owner keeps the directory alive).
    pub fn reuse(conf: PathBuf) -> SoftHsm {
        SoftHsm { dir: None, conf }
    }
}

pub fn pkcs11_config(token: &str, pin: &str) -> Pkcs11Config {
    Pkcs11Config {
        module: PathBuf::from(SOFTHSM_MODULE),
        token_label: token.to_owned(),
        user_pin: SecretString::from(pin.to_owned()),
    }
}

/// libtest's name for a test defined at `module_path` (which starts with the crate name).
pub fn test_name(module_path: &str, name: &str) -> String {
    match module_path.split_once("::") {
        Some((_, rest)) => format!("{rest}::{name}"),
        None => name.to_owned(),
    }
}

/// Whether this process is the SoftHSM child for `test`.
pub fn is_softhsm_child(test: &str) -> bool {
    std::env::var(CHILD_ENV).as_deref() == Ok(test)
}

/// Run `body` against a store on a fresh SoftHSM2 token, in a child process (see module docs).
pub fn in_softhsm(test: &str, body: impl FnOnce(&Pkcs11KeyStore)) {
    if is_softhsm_child(test) {
        let token = std::env::var(TOKEN_ENV).expect("token label env");
        let pin = std::env::var(PIN_ENV).expect("pin env");
        let store = Pkcs11KeyStore::open(&pkcs11_config(&token, &pin)).expect("open SoftHSM token");
        body(&store);
        return;
    }
    let hsm = SoftHsm::fresh();
    run_child(test, &hsm, &[]);
}

/// Exit code of a child process that found the SoftHSM token momentarily unreadable.
pub const TEMPFAIL: i32 = 75;

/// Re-run `test` in a child process with SoftHSM configured; extra env vars may be passed.
pub fn run_child(test: &str, hsm: &SoftHsm, extra_env: &[(&str, &str)]) {
    let mut cmd = Command::new(std::env::current_exe().expect("current exe"));
    cmd.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("SOFTHSM2_CONF", &hsm.conf)
        .env(CHILD_ENV, test)
        .env(TOKEN_ENV, TOKEN_LABEL)
        .env(PIN_ENV, USER_PIN);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut out = cmd.output().expect("spawn child test process");
    // A child that could not even see the token exits with EX_TEMPFAIL: start it afresh.
    for _ in 0..10 {
        if out.status.code() != Some(TEMPFAIL) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        out = cmd.output().expect("spawn child test process");
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    print!("{stdout}");
    eprint!("{stderr}");
    assert!(out.status.success(), "child test {test} failed");
    // Guard against a filter that matched nothing: "0 passed" would also exit 0.
    assert!(
        stdout.contains("1 passed"),
        "child process did not run {test}"
    );
}

/// Assert that `openssl` is available; tests that cross-check with it fail without it.
pub fn require_openssl() {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "openssl is not installed. Install it with: apt-get install openssl"
    );
}

/// Run a command, returning (success, stdout+stderr).
pub fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().expect("spawn command");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Which backend a parameterised test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    File,
    Pkcs11,
}

/// Run `body` on a fresh store of `backend` (a SoftHSM2 token in a child process for PKCS#11).
pub fn run_on(backend: Backend, test: &str, body: impl FnOnce(&dyn dasan_crypto::KeyStore)) {
    match backend {
        Backend::File => {
            let (_dir, store) = file_store();
            body(&store);
        }
        Backend::Pkcs11 => in_softhsm(test, |store| body(store)),
    }
}

/// Declare `#[test] fn file_<name>` and `#[test] fn pkcs11_<name>` running `body` on each.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, |$store:ident| $body:block) => {
        mod $name {
            use super::*;
            #[test]
            fn file() {
                let test = common::test_name(module_path!(), "file");
                common::run_on(common::Backend::File, &test, |$store| $body);
            }
            #[test]
            fn pkcs11() {
                let test = common::test_name(module_path!(), "pkcs11");
                common::run_on(common::Backend::Pkcs11, &test, |$store| $body);
            }
        }
    };
}
