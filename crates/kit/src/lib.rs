//! The restlings test kit: every exercise's tests talk to a server through it.
//!
//! - [`TestApp::spawn`] serves an axum `Router` on `127.0.0.1:0` in a thread of
//!   its own and hands back a client bound to it.
//! - **URL mode**: when `RESTLINGS_BASE_URL` is set, the same tests talk to that
//!   server instead, whatever language it is written in.
//! - Every check takes a `why`: on failure the kit prints the request, the
//!   response, a `curl` line that replays it, the HTTP promise that was broken
//!   and the book page to read.
//!
//! ```ignore
//! let app = TestApp::spawn(app, "02_endpoints").await;
//! app.get("/health").await
//!     .expect_status(StatusCode::OK, "A health check answers 200 when the service is up.");
//! ```

// The modules depend on each other one way only, each on those before it:
// server, report, exchange, problem, call, raw, then this file. A report
// knows nothing of the exchange it describes, an exchange nothing of the call
// that made it, and a call nothing of `TestApp`.
mod call;
mod exchange;
mod problem;
mod raw;
mod report;
mod server;

pub use call::Call;
pub use exchange::Exchange;
pub use raw::RawResponse;
pub use report::quiet_panics;
pub use reqwest::{Method, StatusCode};
pub use serde_json::{Value, json};

use std::sync::Arc;
use std::time::Duration;

/// The variable that switches the tests to URL mode.
pub const BASE_URL_VAR: &str = "RESTLINGS_BASE_URL";
/// The variable that overrides the per-request timeout, in seconds.
pub const TIMEOUT_VAR: &str = "RESTLINGS_TIMEOUT_SECS";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// A server under test and a client bound to it. Clones share the server, so
/// a test can send concurrent requests from spawned tasks.
#[derive(Clone)]
pub struct TestApp {
    base_url: String,
    client: reqwest::Client,
    timeout: Duration,
    chapter: &'static str,
    url_mode: bool,
    // Every request of the test, for the failure reports; shared by clones.
    history: report::History,
    // Dropping it asks the in-process server to stop.
    _server: Option<Arc<server::Running>>,
}

impl TestApp {
    /// Serves the router that `app` builds on a free loopback port, or, in URL
    /// mode, targets `RESTLINGS_BASE_URL` and never calls `app`: a server in
    /// another language is judged without building a line of the exercise,
    /// whose unfinished `todo!()`s would otherwise panic first.
    ///
    /// `chapter` is the book page the failure messages point to, such as
    /// `"02_endpoints"` for `book/src/02_endpoints.md`.
    pub async fn spawn(app: impl FnOnce() -> axum::Router, chapter: &'static str) -> TestApp {
        report::quiet_panics();
        match base_url_from_env() {
            Some(url) => TestApp::connect(&url, chapter),
            None => TestApp::serve(app(), chapter).await,
        }
    }

    /// Serves `app` on a free loopback port. Not generic, so that its code is
    /// compiled once, in the kit, rather than in every test crate.
    async fn serve(app: axum::Router, chapter: &'static str) -> TestApp {
        let timeout = timeout_from_env();
        let running = server::Running::start(app).await;
        TestApp {
            base_url: running.base_url(),
            client: http_client(timeout),
            timeout,
            chapter,
            url_mode: false,
            history: report::History::default(),
            _server: Some(Arc::new(running)),
        }
    }

    /// Targets a server that is already running at `base_url`, such as a
    /// binary or a container a test started itself. Failure reports then
    /// print curl lines for that address, as in URL mode.
    pub fn connect(base_url: &str, chapter: &'static str) -> TestApp {
        report::quiet_panics();
        let timeout = timeout_from_env();
        TestApp {
            base_url: base_url.trim_end_matches('/').to_owned(),
            client: http_client(timeout),
            timeout,
            chapter,
            url_mode: true,
            history: report::History::default(),
            _server: None,
        }
    }

    /// The same server, with another per-request timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> TestApp {
        self.timeout = timeout;
        self.client = http_client(timeout);
        self
    }

    /// True when the tests target `RESTLINGS_BASE_URL` instead of an in-process
    /// app. Other tests may then share the server, so only check what this test
    /// itself created, plus the read-only seeds.
    pub fn url_mode(&self) -> bool {
        self.url_mode
    }

    /// The server's address, such as `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Starts a request with any method.
    pub fn request(&self, method: Method, path: &str) -> Call<'_> {
        let context = self.context();
        Call::new(
            &self.client,
            &self.base_url,
            context,
            &self.history,
            method,
            path,
        )
    }

    fn context(&self) -> report::Context {
        report::Context {
            chapter: self.chapter,
            url_mode: self.url_mode,
            timeout: self.timeout,
        }
    }

    /// Sends `METHOD path HTTP/1.1` with `Connection: close` on a fresh
    /// connection and reads until the server closes it. `None` for an
    /// `https://` server, whose bytes are encrypted.
    pub async fn raw(&self, method: Method, path: &str) -> Option<RawResponse> {
        raw::send(&self.base_url, self.context(), &self.history, method, path).await
    }

    pub fn get(&self, path: &str) -> Call<'_> {
        self.request(Method::GET, path)
    }

    pub fn head(&self, path: &str) -> Call<'_> {
        self.request(Method::HEAD, path)
    }

    pub fn delete(&self, path: &str) -> Call<'_> {
        self.request(Method::DELETE, path)
    }

    /// `POST path` with `body` as JSON and `Content-Type: application/json`.
    pub fn post_json(&self, path: &str, body: &Value) -> Call<'_> {
        self.request(Method::POST, path).json(body)
    }

    /// `PUT path` with `body` as JSON and `Content-Type: application/json`.
    pub fn put_json(&self, path: &str, body: &Value) -> Call<'_> {
        self.request(Method::PUT, path).json(body)
    }
}

fn http_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        // Tests look at redirects themselves; following them would hide a 3xx.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the kit could not build its HTTP client: this is a bug in restlings-kit")
}

fn base_url_from_env() -> Option<String> {
    let raw = std::env::var(BASE_URL_VAR).ok()?;
    let trimmed = raw.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return None;
    }
    if !(trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
        panic!(
            "{BASE_URL_VAR} is set to {raw:?}, which is not an http:// URL.\n\
             Set it to the address of your running server, for example\n  \
             {BASE_URL_VAR}=http://127.0.0.1:8000 cargo test\n\
             or unset it to test this exercise's own code."
        );
    }
    Some(trimmed.to_owned())
}

fn timeout_from_env() -> Duration {
    match std::env::var(TIMEOUT_VAR) {
        Err(_) => DEFAULT_TIMEOUT,
        Ok(raw) => match raw.trim().parse::<u64>() {
            Ok(secs) if secs > 0 => Duration::from_secs(secs),
            _ => panic!("{TIMEOUT_VAR} is {raw:?}; give a whole number of seconds, such as 5."),
        },
    }
}

/// A number no other test in any running test process is likely to pick:
/// for ids and names of resources a test creates, so that tests sharing one
/// server in URL mode never touch each other's data. It stays below 2^53, so
/// JavaScript servers read it exactly, and far above the seeds' ids.
pub fn unique_number() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or(0);
    let mix = u64::from(std::process::id())
        .wrapping_mul(1_000_003)
        .wrapping_add(u64::from(nanos))
        .wrapping_add(COUNTER.fetch_add(1, Ordering::Relaxed).wrapping_mul(7_919));
    1_000_000 + mix % 4_000_000_000_000_000
}

/// A port nothing listens on right now, on any interface, for a server the
/// test starts itself (a binary, a container). The system picks it; see
/// [`dockerfile_rules::free_port`], the course's one way to find one.
#[track_caller]
pub fn free_port() -> u16 {
    dockerfile_rules::free_port()
        .unwrap_or_else(|error| panic!("the test could not find a free port: {error}"))
}

/// A name for a resource this test creates, such as `"test-put-8812731"`.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", unique_number())
}

// Linked for its shared library only: see crates/kit/Cargo.toml.
#[cfg(not(windows))]
use restlings_dylib as _;
