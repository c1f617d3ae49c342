// Starting code generated from solutions/02_endpoints/src/lib.rs by `cargo run -- dev sync`.
//! Chapter 2, Endpoints: give the service its first endpoint.
//!
//! - `GET /health` — 200 with `{"status": "ok"}`
//! - `HEAD /health` — the same status and headers, no body
//! - any other method on `/health` — 405 with an `Allow` header
//! - any unknown path — 404
//!
//! Check it: `cargo test` in this directory. Read: `book/src/02_endpoints.md`.

// Starting code leaves parts unused until you write them.
#![allow(dead_code, unused_imports, clippy::todo)]

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

/// The whole service: one endpoint, `/health`, that answers GET.
pub fn app() -> Router {
    Router::new().route("/health", get(health))
}

// TODO: answer every GET /health with 200 and the JSON body {"status": "ok"}.
//     `axum::Json(value)` is a response: it sets `Content-Type: application/json`
//     and the status 200. Build the value with `serde_json::json!`.
async fn health() -> Json<Value> {
    todo!("return Json(json!({{\"status\": \"ok\"}}))")
}

// This chapter's tests, from tests/endpoints.rs, compiled into this crate:
// `cargo test` then compiles once per edit, not twice (BENCHMARKS.md).
// The alias lets them name this crate `endpoints`, as from outside.
extern crate self as endpoints;
#[cfg(test)]
#[path = "../tests/endpoints.rs"]
mod tests;
