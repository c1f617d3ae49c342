// Starting code generated from solutions/09_containerize/src/lib.rs by `cargo run -- dev sync`.
//! Chapter 9, Containerize: ship the shop as an image.
//!
//! The shop of chapters 2 to 8 is done: it is chapter 8's answer,
//! `solutions/08_idempotency_key`, used here as the crate `shop` (see
//! `Cargo.toml`), and [`app`] is its `shop::app()`. What is left is what a
//! container asks of a program, and the files that build the image:
//!
//! - [`port`] below reads `PORT`: 8080 when it is unset, a clear startup error
//!   when it is not a port
//! - [`shutdown_signal`] below resolves on SIGTERM (what `docker stop` sends)
//!   or Ctrl-C
//! - [`serve`] in `src/serve.rs` serves [`app`] with every wait bounded: hyper's
//!   header-read timeout (with a timer), tower-http's body and request
//!   timeouts ([`with_timeouts`]), and a graceful shutdown with a deadline
//! - [`health_check`] in `src/health.rs` is `shop --health-check`: GET /health
//!   on its own port, for the image's `HEALTHCHECK`, since a slim image has no curl
//! - `src/main.rs` listens on `0.0.0.0`, every interface, and serves [`app`]
//!   until that signal, letting the requests in flight finish within the grace
//! - `Dockerfile` and `Dockerfile.dockerignore` in this folder build the image,
//!   from the course's root: `docker build -f exercises/09_containerize/Dockerfile .`
//!
//! The endpoints are chapter 8's, unchanged:
//!
//! - `GET /health` — 200 with `{"status": "ok"}` (chapter 2)
//! - `GET /products`, `GET /products/{id}`, `GET /optimizations/today` — reads (chapter 3)
//! - `POST /products`, `POST /predictions` (chapter 4), `PUT /products/{id}` (chapter 5),
//!   `DELETE /products/{id}` (chapter 6)
//! - every error is an RFC 9457 problem, `application/problem+json` (chapter 7)
//! - `POST /orders` with `Idempotency-Key`, `GET /orders/{id}` (chapter 8)
//!
//! Start with `port` and `shutdown_signal` below, then `src/serve.rs` and
//! `src/health.rs`, then `src/main.rs`, then the `Dockerfile` and
//! `Dockerfile.dockerignore`.
//! `restlings dockerfile exercises/09_containerize` checks the Dockerfile alone.
//!
//! Check it: `cargo test` in this directory. Read: `book/src/09_containerize.md`.

// Starting code leaves parts unused until you write them.
#![allow(dead_code, unused_imports, unused_variables, clippy::todo)]

mod health;
mod serve;

pub use health::{
    HEALTH_CHECK_FLAG, HEALTH_CHECK_STEP, HealthError, health_check, health_check_mode,
};
pub use serve::{Stopped, Timeouts, accept, request_timeout_problem, serve, with_timeouts};
/// The shop of chapters 2 to 8, exactly as chapter 8 left it.
pub use shop::app;

/// The port the service listens on when `PORT` is unset.
pub const DEFAULT_PORT: u16 = 8080;

/// Why the service refuses to start with the configuration it was given.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `PORT` is set, but not to a port a server can listen on.
    #[error(
        "PORT is {0:?}, which is not a port to listen on: give a whole number from 1 to 65535, \
         such as PORT=8080, or unset PORT to use 8080"
    )]
    BadPort(String),
}

/// The port to listen on, from the value of the `PORT` variable (`None` when
/// it is unset).
///
/// Unset means 8080. Anything else must be a port from 1 to 65535: a typo such
/// as `PORT=80800` stops the service at startup with a message, rather than
/// starting it somewhere nobody will look.
pub fn port(raw: Option<&str>) -> Result<u16, ConfigError> {
    // TODO: `None` is `Ok(DEFAULT_PORT)`. Otherwise trim the text and parse it:
    //     `raw.trim().parse::<u16>()` refuses anything outside 0..=65535.
    //     Refuse 0 as well (it means "any free port"), with
    //     `Err(ConfigError::BadPort(raw.to_owned()))`.
    todo!("read PORT: 8080 when unset, the port when it is one, ConfigError::BadPort otherwise")
}

/// Starts listening for a request to stop, and returns a future that resolves
/// when one comes: SIGTERM, which `docker stop` and Kubernetes send, or Ctrl-C
/// (SIGINT) in a terminal.
///
/// The handlers must be installed when this function is *called*, not when
/// the future is first polled: `main` calls it before saying it is listening,
/// so that a SIGTERM sent right after that line never meets the default
/// action, which kills the process on the spot.
///
/// Give the future to [`serve`]: the server then stops accepting connections,
/// lets the requests in flight finish within the grace period, and returns,
/// so that `main` can exit.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    // TODO: install both handlers now, then return an `async move` block
    //     that waits for whichever signal comes first:
    //     - `tokio::signal::unix::signal(SignalKind::terminate())` and
    //       `signal(SignalKind::interrupt())` each give a `Result` of a stream
    //       whose `.recv().await` resolves on the signal;
    //     - inside the block, `tokio::select!` over the two `.recv()`s.
    //     Either can fail to install: print why and wait on the other one (or
    //     on `std::future::pending::<()>()`). Never `unwrap` them.
    todo!("install the SIGTERM and Ctrl-C handlers, then return a future that waits for either");
    // Unreachable until you replace the todo!() above; it tells the compiler
    // what kind of future this function returns.
    #[allow(unreachable_code)]
    std::future::pending()
}

/// `PORT` as text, or `None` when it is unset. A value that is not UTF-8 is
/// passed on with its bad bytes replaced, so that `port` refuses it too.
pub fn port_variable() -> Option<String> {
    std::env::var_os("PORT").map(|value| value.to_string_lossy().into_owned())
}
