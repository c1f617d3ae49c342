// Starting code generated from solutions/10_deploy/src/lib.rs by `cargo run -- dev sync`.
//! Chapter 10, Deploy: configuration from the environment, and an API key.
//!
//! The shop of chapter 9 runs in a container. To deploy it, the operator
//! configures it from outside and keeps strangers out. The shop itself is
//! chapter 8's answer, `solutions/08_idempotency_key`, used here as the crate
//! `shop`; `src/main.rs` stops on SIGTERM with chapter 9's answer, the crate
//! `containerize` (see `Cargo.toml`). What is left to write:
//!
//! - `src/config.rs` reads `PORT` (8080 when unset), `API_KEY` (no key when
//!   unset) and `LOG_LEVEL` (`info` when unset); a bad value is a
//!   [`ConfigError`] naming the variable and what it accepts, and the service
//!   stops at startup with it
//! - with a key, every request but `GET /health` needs `Authorization: Bearer
//!   <key>`; without it, or with a wrong one, the answer is a 401 problem with
//!   `WWW-Authenticate: Bearer` (`src/auth.rs`); the key is compared in
//!   constant time
//! - `deploy.toml` declares the image, the binary, the port, the variables and
//!   every endpoint below, for `restlings deploy exercises/10_deploy/deploy.toml`
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
//! `src/logs.rs` is given: it keeps the log short however a client behaves.
//!
//! Start with `src/config.rs`, then `src/auth.rs` (the check, then the
//! challenge) and the layer in `app` below; finish with `deploy.toml`.
//!
//! Check it: `cargo test` in this directory. Read: `book/src/10_deploy.md`.

// Starting code leaves parts unused until you write them.
#![allow(dead_code, unused_imports, unused_mut, unused_variables, clippy::todo)]

pub mod auth;
pub mod config;
pub mod logs;

pub use config::{ApiKey, Config, ConfigError, DEFAULT_PORT, LogLevel};

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;

/// The shop of chapter 8. With `Some(key)`, every request but the health
/// check must carry the key; with `None`, everything is open, as in chapters
/// 1 to 9.
pub fn app(api_key: Option<ApiKey>) -> Router {
    let app = shop::app();
    // Layers wrap what is already there, fallbacks included, and the last one
    // added runs first: the key is checked before routing, before any body is
    // read, and the log line sees every answer, 401s included.
    let app = match api_key {
        // TODO: wrap `app` in the key check, so that it runs before routing:
        //     `app.layer(middleware::from_fn_with_state(Arc::new(key), auth::require_api_key))`.
        //     `from_fn_with_state` hands the key to the middleware as its `State`.
        Some(key) => todo!("layer auth::require_api_key, with the key as its state"),
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
