//! Serving with every wait bounded: a client that is slow, silent or stuck
//! costs the shop one connection for a few seconds, never for good, and never
//! stops it from shutting down.

use std::io;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use shop::problem::Problem;
use tokio::net::{TcpListener, TcpStream};
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

// ANCHOR: timeouts
/// How long the server waits for a client, at each stage of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From the moment the server waits for a request, on a new connection or
    /// on one kept alive after a response, until the request's whole head
    /// (the request line and every header) has arrived. Past it, hyper closes
    /// the connection. It is also the idle timeout: a kept-alive connection
    /// that sends no next request is closed when it runs out.
    pub header_read: Duration,
    /// The longest silence between two pieces of a request body. Past it the
    /// body fails to read, and the handler answers a 400 problem.
    pub body_read: Duration,
    /// The whole request, from its head to the response, however the client
    /// trickles its body: past it, a 408 problem and `Connection: close`.
    pub request: Duration,
    /// After SIGTERM: how long the requests in flight may take to finish
    /// before the shop closes their connections and exits.
    pub shutdown_grace: Duration,
}

impl Timeouts {
    /// The shop's values. A real client sends its head in one packet and its
    /// body as fast as the network goes, so 10 s of silence is a client that
    /// is gone or hostile; 30 s is far more than any request of this shop
    /// takes; and 5 s of grace leaves `docker stop` (SIGKILL after 10 s) time
    /// to see the shop exit by itself.
    pub const DEFAULT: Timeouts = Timeouts {
        header_read: Duration::from_secs(10),
        body_read: Duration::from_secs(10),
        request: Duration::from_secs(30),
        shutdown_grace: Duration::from_secs(5),
    };
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts::DEFAULT
    }
}
// ANCHOR_END: timeouts

/// How [`serve`] ended, after the shutdown signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Every request in flight finished within the grace period.
    Cleanly,
    /// The grace period ran out: the connections still open were closed,
    /// and their clients got no answer.
    GraceExpired,
}

// ANCHOR: with_timeouts
/// `app` with the two deadlines that hyper cannot set: one on the silence
/// between pieces of a body, one on the whole request.
pub fn with_timeouts(app: Router, timeouts: Timeouts) -> Router {
    // ANCHOR: exercise // TODO: add two layers from `tower_http::timeout` (a layer added later
    // ANCHOR: exercise //     wraps the ones before it):
    // ANCHOR: exercise //     - `RequestBodyTimeoutLayer::new(timeouts.body_read)`, so that a body
    // ANCHOR: exercise //       that stops arriving fails to read instead of waiting for ever;
    // ANCHOR: exercise //     - `TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT,
    // ANCHOR: exercise //       timeouts.request)`, the deadline on the whole request.
    // ANCHOR: exercise //     Then `.layer(axum::middleware::map_response(request_timeout_problem))`
    // ANCHOR: exercise //     on top, so that the 408 is a problem like every other error.
    // ANCHOR: exercise todo!("add RequestBodyTimeoutLayer and TimeoutLayer to the app")
    app.layer(RequestBodyTimeoutLayer::new(timeouts.body_read))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeouts.request,
        ))
        // Outermost, so that it sees the timeout layer's empty 408.
        .layer(axum::middleware::map_response(request_timeout_problem))
    // ANCHOR_END: exercise
}
// ANCHOR_END: with_timeouts

/// Turns `TimeoutLayer`'s empty 408 into a problem (chapter 7) that closes
/// the connection, as RFC 9110 §15.5.9 asks. Every other response passes.
pub async fn request_timeout_problem(response: Response) -> Response {
    let from_the_timeout = response.status() == StatusCode::REQUEST_TIMEOUT
        && !response.headers().contains_key(header::CONTENT_TYPE);
    if !from_the_timeout {
        return response;
    }
    let mut problem = Problem {
        status: StatusCode::REQUEST_TIMEOUT,
        detail: format!(
            "the request took longer than {} s from its first line to its answer; send it again, \
             faster",
            Timeouts::DEFAULT.request.as_secs()
        ),
    }
    .into_response();
    problem
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    problem
}

// ANCHOR: serve
/// Serves `app` on `listener` until `shutdown` resolves, with every wait
/// bounded by `timeouts`; then stops accepting, gives the requests in flight
/// `timeouts.shutdown_grace` to finish, and returns how that went.
///
/// This is what `axum::serve(..).with_graceful_shutdown(..)` does, with the
/// two things it cannot do: a timer for hyper's header-read timeout, and a
/// deadline on the shutdown.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()>,
    timeouts: Timeouts,
) -> Stopped {
    // ANCHOR: exercise // TODO: serve connections yourself, with hyper-util, until `shutdown`.
    // ANCHOR: exercise //     - `let app = with_timeouts(app, timeouts);`
    // ANCHOR: exercise //     - `let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();`
    // ANCHOR: exercise //       then `builder.http1().timer(TokioTimer::new())
    // ANCHOR: exercise //       .header_read_timeout(timeouts.header_read);`: without the timer,
    // ANCHOR: exercise //       hyper's header-read timeout never fires.
    // ANCHOR: exercise //     - `let connections = GracefulShutdown::new();` and
    // ANCHOR: exercise //       `let mut shutdown = std::pin::pin!(shutdown);`
    // ANCHOR: exercise //     - loop: `tokio::select!` between `accept(&listener)` and
    // ANCHOR: exercise //       `&mut shutdown` (then `break`). For each stream:
    // ANCHOR: exercise //       `builder.serve_connection(TokioIo::new(stream),
    // ANCHOR: exercise //       TowerToHyperService::new(app.clone())).into_owned()`, wrapped in
    // ANCHOR: exercise //       `connections.watch(..)`, and `tokio::spawn` an `async move` that
    // ANCHOR: exercise //       awaits it (ignore its error: a client that left is no failure).
    // ANCHOR: exercise //     - After the loop, `drop(listener)`, then
    // ANCHOR: exercise //       `tokio::time::timeout(timeouts.shutdown_grace, connections.shutdown())`:
    // ANCHOR: exercise //       `Ok` is `Stopped::Cleanly`, `Err` is `Stopped::GraceExpired`.
    // ANCHOR: exercise todo!("serve with hyper-util and a timer until shutdown, then wait at most shutdown_grace")
    let app = with_timeouts(app, timeouts);
    // HTTP/1.1 only: the shop's clients speak it, hyper's header-read
    // timeout is an HTTP/1 setting, and no protocol sniffing comes first. The timer is what makes it fire: axum's
    // own `serve` sets none, so there a silent client waits for ever.
    let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read);

    let connections = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            stream = accept(&listener) => stream,
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(app.clone());
        // `serve_connection`, not `serve_connection_with_upgrades`: the
        // latter first reads the client's opening bytes to tell HTTP/1 from
        // HTTP/2, with no timeout at all, so a silent client would wait there
        // for ever. With `http1_only`, this one starts hyper's HTTP/1 at once.
        let connection = builder
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            // A client that hangs up or runs out of time ends its connection
            // with an error: that is the client's story, not the server's.
            let _ = connection.await;
        });
    }
    // Stop accepting: from here on a new client is refused at once, rather
    // than queued behind a server that will never answer it.
    drop(listener);
    // Each connection finishes the request it is reading or answering, then
    // closes; an idle one closes now. The deadline bounds the wait.
    match tokio::time::timeout(timeouts.shutdown_grace, connections.shutdown()).await {
        Ok(()) => Stopped::Cleanly,
        Err(_elapsed) => Stopped::GraceExpired,
    }
    // ANCHOR_END: exercise
}
// ANCHOR_END: serve

/// The next connection. An error that concerns one client (it reset the
/// connection before we took it) is skipped; any other, such as running out
/// of file descriptors, is printed and retried after a pause, as `axum::serve`
/// does, so that a full table does not spin the CPU.
pub async fn accept(listener: &TcpListener) -> TcpStream {
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => return stream,
            Err(error) if is_per_connection(&error) => {}
            Err(error) => {
                eprintln!("shop: accept error: {error}; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

fn is_per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
