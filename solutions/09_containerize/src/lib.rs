// ANCHOR: exercise //! Chapter 9, Containerize: ship the shop as an image.
// ANCHOR: exercise //!
// ANCHOR: exercise //! The shop of chapters 2 to 8 is done: it is chapter 8's answer,
// ANCHOR: exercise //! `solutions/08_idempotency_key`, used here as the crate `shop` (see
// ANCHOR: exercise //! `Cargo.toml`), and [`app`] is its `shop::app()`. What is left is what a
// ANCHOR: exercise //! container asks of a program, and the files that build the image:
// ANCHOR: exercise //!
// ANCHOR: exercise //! - [`port`] below reads `PORT`: 8080 when it is unset, a clear startup error
// ANCHOR: exercise //!   when it is not a port
// ANCHOR: exercise //! - [`shutdown_signal`] below resolves on SIGTERM (what `docker stop` sends)
// ANCHOR: exercise //!   or Ctrl-C
// ANCHOR: exercise //! - [`serve`] in `src/serve.rs` serves [`app`] with every wait bounded: hyper's
// ANCHOR: exercise //!   header-read timeout (with a timer), tower-http's body and request
// ANCHOR: exercise //!   timeouts ([`with_timeouts`]), and a graceful shutdown with a deadline
// ANCHOR: exercise //! - [`health_check`] in `src/health.rs` is `shop --health-check`: GET /health
// ANCHOR: exercise //!   on its own port, for the image's `HEALTHCHECK`, since a slim image has no curl
// ANCHOR: exercise //! - `src/main.rs` listens on `0.0.0.0`, every interface, and serves [`app`]
// ANCHOR: exercise //!   until that signal, letting the requests in flight finish within the grace
// ANCHOR: exercise //! - `Dockerfile` and `Dockerfile.dockerignore` in this folder build the image,
// ANCHOR: exercise //!   from the course's root: `docker build -f exercises/09_containerize/Dockerfile .`
// ANCHOR: exercise //!
// ANCHOR: exercise //! The endpoints are chapter 8's, unchanged:
// ANCHOR: exercise //!
// ANCHOR: exercise //! - `GET /health` — 200 with `{"status": "ok"}` (chapter 2)
// ANCHOR: exercise //! - `GET /products`, `GET /products/{id}`, `GET /optimizations/today` — reads (chapter 3)
// ANCHOR: exercise //! - `POST /products`, `POST /predictions` (chapter 4), `PUT /products/{id}` (chapter 5),
// ANCHOR: exercise //!   `DELETE /products/{id}` (chapter 6)
// ANCHOR: exercise //! - every error is an RFC 9457 problem, `application/problem+json` (chapter 7)
// ANCHOR: exercise //! - `POST /orders` with `Idempotency-Key`, `GET /orders/{id}` (chapter 8)
// ANCHOR: exercise //!
// ANCHOR: exercise //! Start with `port` and `shutdown_signal` below, then `src/serve.rs` and
// ANCHOR: exercise //! `src/health.rs`, then `src/main.rs`, then the `Dockerfile` and
// ANCHOR: exercise //! `Dockerfile.dockerignore`.
// ANCHOR: exercise //! `restlings dockerfile exercises/09_containerize` checks the Dockerfile alone.
// ANCHOR: exercise //!
// ANCHOR: exercise //! Check it: `cargo test` in this directory. Read: `book/src/09_containerize.md`.
// ANCHOR: exercise
// ANCHOR: exercise // Starting code leaves parts unused until you write them.
// ANCHOR: exercise #![allow(dead_code, unused_imports, unused_variables, clippy::todo)]
//! Chapter 9, Containerize: the reference answer.
//!
//! The shop is chapter 8's answer, `solutions/08_idempotency_key`, used here
//! as the crate `shop` (see `Cargo.toml`): [`app`] is its `shop::app()`. This
//! crate adds what a container asks of a program:
//!
//! - [`port`] reads `PORT`: 8080 when it is unset, a clear startup error when
//!   it is not a port
//! - [`shutdown_signal`] resolves on SIGTERM (what `docker stop` sends) or Ctrl-C
//! - [`serve`] serves [`app`] with every wait bounded ([`Timeouts`]): hyper's
//!   header-read timeout, tower-http's body and request timeouts, and a
//!   graceful shutdown with a deadline
//! - [`health_check`] is `shop --health-check`, the image's `HEALTHCHECK`
//! - `src/main.rs` listens on `0.0.0.0`, every interface, and serves [`app`]
//!   until that signal, letting the requests in flight finish within the grace
//! - `Dockerfile` and `Dockerfile.dockerignore` build the image, from the
//!   course's root: `docker build -f solutions/09_containerize/Dockerfile .`
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
//! Check it: `cargo test -p sol09_containerize`. Read: `book/src/09_containerize.md`.
// ANCHOR_END: exercise

mod health;
mod serve;

pub use health::{
    HEALTH_CHECK_FLAG, HEALTH_CHECK_STEP, HealthError, health_check, health_check_mode,
};
pub use serve::{Stopped, Timeouts, accept, request_timeout_problem, serve, with_timeouts};
/// The shop of chapters 2 to 8, exactly as chapter 8 left it.
pub use shop::app;

// ANCHOR: port
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
    // ANCHOR: exercise // TODO: `None` is `Ok(DEFAULT_PORT)`. Otherwise trim the text and parse it:
    // ANCHOR: exercise //     `raw.trim().parse::<u16>()` refuses anything outside 0..=65535.
    // ANCHOR: exercise //     Refuse 0 as well (it means "any free port"), with
    // ANCHOR: exercise //     `Err(ConfigError::BadPort(raw.to_owned()))`.
    // ANCHOR: exercise todo!("read PORT: 8080 when unset, the port when it is one, ConfigError::BadPort otherwise")
    let Some(raw) = raw else {
        return Ok(DEFAULT_PORT);
    };
    match raw.trim().parse::<u16>() {
        // Port 0 asks the system for any free port: nobody could find the
        // service there, least of all `docker run -p`.
        Ok(0) | Err(_) => Err(ConfigError::BadPort(raw.to_owned())),
        Ok(port) => Ok(port),
    }
    // ANCHOR_END: exercise
}
// ANCHOR_END: port

// ANCHOR: shutdown
/// Starts listening for a request to stop, and returns a future that resolves
/// when one comes: SIGTERM, which `docker stop` and Kubernetes send, or Ctrl-C
/// (SIGINT) in a terminal.
///
// ANCHOR: exercise /// The handlers must be installed when this function is *called*, not when
// ANCHOR: exercise /// the future is first polled: `main` calls it before saying it is listening,
// ANCHOR: exercise /// so that a SIGTERM sent right after that line never meets the default
// ANCHOR: exercise /// action, which kills the process on the spot.
/// The handlers are installed when this function is *called*, not when the
/// future is first polled: call it before the server says it is listening, or
/// a SIGTERM sent right after that line would meet no handler and kill the
/// process on the spot, in-flight requests and all.
// ANCHOR_END: exercise
///
/// Give the future to [`serve`]: the server then stops accepting connections,
/// lets the requests in flight finish within the grace period, and returns,
/// so that `main` can exit.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    // ANCHOR: exercise // TODO: install both handlers now, then return an `async move` block
    // ANCHOR: exercise //     that waits for whichever signal comes first:
    // ANCHOR: exercise //     - `tokio::signal::unix::signal(SignalKind::terminate())` and
    // ANCHOR: exercise //       `signal(SignalKind::interrupt())` each give a `Result` of a stream
    // ANCHOR: exercise //       whose `.recv().await` resolves on the signal;
    // ANCHOR: exercise //     - inside the block, `tokio::select!` over the two `.recv()`s.
    // ANCHOR: exercise //     Either can fail to install: print why and wait on the other one (or
    // ANCHOR: exercise //     on `std::future::pending::<()>()`). Never `unwrap` them.
    // ANCHOR: exercise todo!("install the SIGTERM and Ctrl-C handlers, then return a future that waits for either");
    // ANCHOR: exercise // Unreachable until you replace the todo!() above; it tells the compiler
    // ANCHOR: exercise // what kind of future this function returns.
    // ANCHOR: exercise #[allow(unreachable_code)]
    // ANCHOR: exercise std::future::pending()
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let terminate = signal(SignalKind::terminate());
        let interrupt = signal(SignalKind::interrupt());
        async move {
            match (terminate, interrupt) {
                (Ok(mut terminate), Ok(mut interrupt)) => {
                    tokio::select! {
                        _ = terminate.recv() => {},
                        _ = interrupt.recv() => {},
                    }
                }
                (Ok(mut only), Err(error)) | (Err(error), Ok(mut only)) => {
                    eprintln!("shop: cannot listen for one of SIGTERM and Ctrl-C ({error})");
                    only.recv().await;
                }
                (Err(error), Err(_)) => {
                    eprintln!(
                        "shop: cannot listen for SIGTERM or Ctrl-C ({error}); kill it to stop it"
                    );
                    std::future::pending::<()>().await;
                }
            }
        }
    }
    // Windows has no SIGTERM: Ctrl-C is the only polite way to stop there.
    #[cfg(not(unix))]
    async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            eprintln!("shop: cannot listen for Ctrl-C ({error}); kill it to stop it");
            std::future::pending::<()>().await;
        }
    }
    // ANCHOR_END: exercise
}
// ANCHOR_END: shutdown

/// `PORT` as text, or `None` when it is unset. A value that is not UTF-8 is
/// passed on with its bad bytes replaced, so that `port` refuses it too.
pub fn port_variable() -> Option<String> {
    std::env::var_os("PORT").map(|value| value.to_string_lossy().into_owned())
}
