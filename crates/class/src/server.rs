//! The instructor's dashboard: an axum app that takes the learners' reports
//! and shows them as a table.
//!
//! - `POST /api/reports`: a learner's [`Report`], with the join code as
//!   `Authorization: Bearer CODE`. 204 when taken; 401 for a wrong or missing
//!   code, 413 above [`MAX_BODY`], 422 for a report out of bounds, 429 when a
//!   learner sends too often or an address tries too many wrong codes.
//! - `GET /?token=TOKEN`: the page. `GET /board?token=TOKEN`: its table, which
//!   the page polls. `GET /api/board` (token as `?token=` or `Bearer`): the
//!   same as JSON. All three answer 401 without the instructor's token.
//! - `GET /dashboard.js`, `GET /dashboard.css`: the page's script and style,
//!   which hold no learner's data.
//!
//! Secrets are compared in constant time (`subtle`), so the time of a 401
//! tells nothing of how much of a guess was right.

mod board;
pub mod page;

pub use board::{Board, Cell, Common, Row, View};

use crate::wire::{MAX_BODY, Report};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use governor::clock::DefaultClock;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use subtle::ConstantTimeEq;
use tower_http::limit::RequestBodyLimitLayer;

/// How the dashboard runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The join code learners give to `class join`.
    pub code: String,
    /// The instructor's token, for the page.
    pub token: String,
    /// On one problem this long, a learner counts as stuck.
    pub stuck_after: Duration,
    /// Each learner's reports: this many at once...
    pub burst: u32,
    /// ...then one per this long. A check takes a second at least, so a
    /// learner's runner never comes near it; a script in a loop does.
    pub every: Duration,
    /// At most this many learners (rows), so no client fills the memory.
    pub max_learners: usize,
}

impl Options {
    /// Fresh secrets and the room's defaults.
    pub fn new(stuck_after: Duration) -> std::io::Result<Options> {
        Ok(Options {
            code: join_code()?,
            token: token()?,
            stuck_after,
            burst: 10,
            every: Duration::from_secs(1),
            max_learners: 500,
        })
    }
}

type Keyed<K> = RateLimiter<K, HashMapStateStore<K>, DefaultClock>;

/// The state the handlers share.
struct Shared {
    options: Options,
    board: Mutex<Board>,
    per_learner: Keyed<String>,
    wrong_codes: Keyed<IpAddr>,
}

/// A handle on a running app's board, for tests and for the log line.
#[derive(Clone)]
pub struct Dashboard(Arc<Shared>);

impl Dashboard {
    pub fn view(&self) -> View {
        let board = self.0.board.lock().unwrap_or_else(PoisonError::into_inner);
        board.view(self.0.options.stuck_after)
    }
}

/// The app, and a handle on its board.
pub fn app(options: Options) -> (Router, Dashboard) {
    let burst = NonZeroU32::new(options.burst.max(1)).unwrap_or(NonZeroU32::MIN);
    let quota = Quota::with_period(options.every.max(Duration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst);
    // Twenty wrong codes, then one a second: a learner's typo costs nothing,
    // and guessing a 40-bit code would take longer than a workshop by far.
    let wrong = Quota::per_second(NonZeroU32::MIN)
        .allow_burst(NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN));
    let shared = Arc::new(Shared {
        options,
        board: Mutex::new(Board::default()),
        per_learner: RateLimiter::hashmap(quota),
        wrong_codes: RateLimiter::hashmap(wrong),
    });
    let router = Router::new()
        .route(crate::wire::REPORTS_PATH, post(take_report))
        .route("/", get(show_page))
        .route("/board", get(show_fragment))
        .route("/api/board", get(show_json))
        .route("/dashboard.js", get(script))
        .route("/dashboard.css", get(style))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .with_state(shared.clone());
    (router, Dashboard(shared))
}

/// Serves `router` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn take_report(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !bearer_is(&headers, &shared.options.code) {
        if shared.wrong_codes.check_key(&peer.ip()).is_err() {
            return problem(
                StatusCode::TOO_MANY_REQUESTS,
                "too many wrong join codes from this address: wait a minute, then join again \
                 with the code the instructor shows",
            );
        }
        return problem(
            StatusCode::UNAUTHORIZED,
            "wrong or missing join code: join again with the code the instructor shows, \
             `cargo run -- class join URL --code CODE --name NAME`",
        );
    }
    let report: Report = match serde_json::from_slice(&body) {
        Ok(report) => report,
        Err(error) => {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("this is not a report: {error}"),
            );
        }
    };
    if let Some(why) = report.problem() {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, &why);
    }
    {
        let board = shared.board.lock().unwrap_or_else(PoisonError::into_inner);
        if !board.knows(&report.learner) && board.len() >= shared.options.max_learners {
            return problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "the dashboard holds as many learners as it may",
            );
        }
    }
    if shared.per_learner.check_key(&report.learner).is_err() {
        return problem(
            StatusCode::TOO_MANY_REQUESTS,
            "this learner reports too often: the runner reports after each check, no more",
        );
    }
    let mut board = shared.board.lock().unwrap_or_else(PoisonError::into_inner);
    match board.take(report, shared.options.max_learners) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "the dashboard holds as many learners as it may",
        ),
    }
}

async fn show_page(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !instructor(&shared, &query, &headers) {
        return no_token();
    }
    let view = board_view(&shared);
    private(Html(page::page(&view)).into_response())
}

async fn show_fragment(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !instructor(&shared, &query, &headers) {
        return no_token();
    }
    let view = board_view(&shared);
    private(Html(page::fragment(&view)).into_response())
}

async fn show_json(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !instructor(&shared, &query, &headers) {
        return no_token();
    }
    private(axum::Json(board_view(&shared)).into_response())
}

async fn script() -> Response {
    let script = page::SCRIPT.replace("POLL_MS", &(page::POLL_SECS * 1000).to_string());
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        script,
    )
        .into_response()
}

async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        page::STYLE,
    )
        .into_response()
}

fn board_view(shared: &Shared) -> View {
    let board = shared.board.lock().unwrap_or_else(PoisonError::into_inner);
    board.view(shared.options.stuck_after)
}

/// The instructor's token, as `?token=` (the URL printed at start) or as
/// `Authorization: Bearer`.
fn instructor(shared: &Shared, query: &HashMap<String, String>, headers: &HeaderMap) -> bool {
    let token = &shared.options.token;
    query
        .get("token")
        .is_some_and(|given| same(given.as_bytes(), token.as_bytes()))
        || bearer_is(headers, token)
}

fn bearer_is(headers: &HeaderMap, secret: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .is_some_and(|given| same(given.trim().as_bytes(), secret.as_bytes()))
}

/// Constant time in the contents; only the lengths, which are public (the
/// code's format is printed on the screen), may differ.
fn same(given: &[u8], secret: &[u8]) -> bool {
    given.ct_eq(secret).into()
}

fn no_token() -> Response {
    let mut response = problem(
        StatusCode::UNAUTHORIZED,
        "this page needs the instructor's token: open the URL `class serve` printed, the one \
         with ?token=",
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// An RFC 9457 problem: the status and what to do.
fn problem(status: StatusCode, detail: &str) -> Response {
    let body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

/// The instructor's views: never cached, never sent on as a referrer (the
/// token is in the URL), no script but the dashboard's own.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
             frame-ancestors 'none'",
        ),
    );
    response
}

/// Eight characters of Crockford's base32 (no I, L, O or U to misread), as
/// two groups: 40 bits, easy to copy from a projector.
pub fn join_code() -> std::io::Result<String> {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0_u8; 8];
    getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(byte % 32)]))
        .collect();
    Ok(format!(
        "{}-{}",
        chars[..4].iter().collect::<String>(),
        chars[4..].iter().collect::<String>()
    ))
}

/// 128 random bits, as hex: the instructor's token.
pub fn token() -> std::io::Result<String> {
    let mut bytes = [0_u8; 16];
    getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}
