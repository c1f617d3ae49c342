// ANCHOR: exercise //! Chapter 10, Deploy: configuration from the environment, and an API key.
// ANCHOR: exercise //!
// ANCHOR: exercise //! The shop of chapter 9 runs in a container. To deploy it, the operator
// ANCHOR: exercise //! configures it from outside and keeps strangers out. The shop itself is
// ANCHOR: exercise //! chapter 8's answer, `solutions/08_idempotency_key`, used here as the crate
// ANCHOR: exercise //! `shop`; `src/main.rs` stops on SIGTERM with chapter 9's answer, the crate
// ANCHOR: exercise //! `containerize` (see `Cargo.toml`). What is left to write:
// ANCHOR: exercise //!
// ANCHOR: exercise //! - `src/config.rs` reads `PORT` (8080 when unset), `API_KEY` (no key when
// ANCHOR: exercise //!   unset) and `LOG_LEVEL` (`info` when unset); a bad value is a
// ANCHOR: exercise //!   [`ConfigError`] naming the variable and what it accepts, and the service
// ANCHOR: exercise //!   stops at startup with it
// ANCHOR: exercise //! - with a key, every request but `GET /health` needs `Authorization: Bearer
// ANCHOR: exercise //!   <key>`; without it, or with a wrong one, the answer is a 401 problem with
// ANCHOR: exercise //!   `WWW-Authenticate: Bearer` (`src/auth.rs`); the key is compared in
// ANCHOR: exercise //!   constant time
// ANCHOR: exercise //! - `deploy.toml` declares the image, the binary, the port, the variables and
// ANCHOR: exercise //!   every endpoint below, for `restlings deploy exercises/10_deploy/deploy.toml`
// ANCHOR: exercise //!
// ANCHOR: exercise //! The endpoints are chapter 8's, unchanged:
// ANCHOR: exercise //!
// ANCHOR: exercise //! - `GET /health` — 200 with `{"status": "ok"}`, open even with a key (chapter 2)
// ANCHOR: exercise //! - `GET /products`, `GET /products/{id}`, `GET /optimizations/today` — reads (chapter 3)
// ANCHOR: exercise //! - `POST /products`, `POST /predictions` (chapter 4), `PUT /products/{id}` (chapter 5),
// ANCHOR: exercise //!   `DELETE /products/{id}` (chapter 6)
// ANCHOR: exercise //! - every error is an RFC 9457 problem, `application/problem+json` (chapter 7)
// ANCHOR: exercise //! - `POST /orders` with `Idempotency-Key`, `GET /orders/{id}` (chapter 8)
// ANCHOR: exercise //!
// ANCHOR: exercise //! `src/logs.rs` is given: it keeps the log short however a client behaves.
// ANCHOR: exercise //!
// ANCHOR: exercise //! Start with `src/config.rs`, then `src/auth.rs` (the check, then the
// ANCHOR: exercise //! challenge) and the layer in `app` below; finish with `deploy.toml`.
// ANCHOR: exercise //!
// ANCHOR: exercise //! Check it: `cargo test` in this directory. Read: `book/src/10_deploy.md`.
// ANCHOR: exercise
// ANCHOR: exercise // Starting code leaves parts unused until you write them.
// ANCHOR: exercise #![allow(dead_code, unused_imports, unused_mut, unused_variables, clippy::todo)]
//! Chapter 10, Deploy: the reference answer.
//!
//! The shop is chapter 8's answer, `solutions/08_idempotency_key`, used here
//! as the crate `shop`; `src/main.rs` stops on SIGTERM with chapter 9's
//! answer, the crate `containerize` (see `Cargo.toml`). This crate configures
//! the shop from the environment and guards it with an API key:
//!
//! - [`Config::from_vars`] reads `PORT` (8080 when unset), `API_KEY` (no key
//!   when unset) and `LOG_LEVEL` (`info` when unset); a bad value is a
//!   [`ConfigError`] naming the variable and what it accepts, and `src/main.rs`
//!   stops with it at startup
//! - with a key, every request but `GET /health` needs `Authorization: Bearer
//!   <key>`; without it, or with a wrong one, the answer is a 401 problem with
//!   `WWW-Authenticate: Bearer` ([`auth`]); the key is compared in constant time
//! - a client cannot flood the log: what it sent is shortened, and a wrong key
//!   is logged once, then at most once per 10 s with a count ([`logs`])
//! - `deploy.toml` declares the image, the binary, the port, the variables and
//!   the endpoints below, for `restlings deploy`
//!
//! The endpoints are chapter 8's, unchanged:
//!
//! - `GET /health` — 200 with `{"status": "ok"}`, open even with a key (chapter 2)
//! - `GET /products`, `GET /products/{id}`, `GET /optimizations/today` — reads (chapter 3)
//! - `POST /products`, `POST /predictions` (chapter 4), `PUT /products/{id}` (chapter 5),
//!   `DELETE /products/{id}` (chapter 6)
//! - every error is an RFC 9457 problem, `application/problem+json` (chapter 7)
//! - `POST /orders` with `Idempotency-Key`, `GET /orders/{id}` (chapter 8)
//!
//! Check it: `cargo test -p sol10_deploy`. Read: `book/src/10_deploy.md`.
// ANCHOR_END: exercise

pub mod auth;
pub mod config;
pub mod logs;

pub use config::{ApiKey, Config, ConfigError, DEFAULT_PORT, LogLevel};

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;

// ANCHOR: app
/// The shop of chapter 8. With `Some(key)`, every request but the health
/// check must carry the key; with `None`, everything is open, as in chapters
/// 1 to 9.
pub fn app(api_key: Option<ApiKey>) -> Router {
    let app = shop::app();
    // Layers wrap what is already there, fallbacks included, and the last one
    // added runs first: the key is checked before routing, before any body is
    // read, and the log line sees every answer, 401s included.
    let app = match api_key {
        // ANCHOR: exercise // TODO: wrap `app` in the key check, so that it runs before routing:
        // ANCHOR: exercise //     `app.layer(middleware::from_fn_with_state(Arc::new(key), auth::require_api_key))`.
        // ANCHOR: exercise //     `from_fn_with_state` hands the key to the middleware as its `State`.
        // ANCHOR: exercise Some(key) => todo!("layer auth::require_api_key, with the key as its state"),
        Some(key) => app.layer(middleware::from_fn_with_state(
            Arc::new(key),
            auth::require_api_key,
        )),
        // ANCHOR_END: exercise
        None => app,
    };
    app.layer(middleware::from_fn(log_request))
}

/// One `debug` line per request: method, path (shortened), status. Never a
/// header, so a key can never end up in a log.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    tracing::debug!(
        method = %logs::shorten(method.as_str()),
        path = %logs::shorten(&path),
        status = response.status().as_u16(),
        "answered"
    );
    response
}
// ANCHOR_END: app
