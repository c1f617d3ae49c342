// ANCHOR: exercise //! Chapter 2, Endpoints: give the service its first endpoint.
// ANCHOR: exercise //!
// ANCHOR: exercise //! - `GET /health` — 200 with `{"status": "ok"}`
// ANCHOR: exercise //! - `HEAD /health` — the same status and headers, no body
// ANCHOR: exercise //! - any other method on `/health` — 405 with an `Allow` header
// ANCHOR: exercise //! - any unknown path — 404
// ANCHOR: exercise //!
// ANCHOR: exercise //! Check it: `cargo test` in this directory. Read: `book/src/02_endpoints.md`.
// ANCHOR: exercise
// ANCHOR: exercise // Starting code leaves parts unused until you write them.
// ANCHOR: exercise #![allow(dead_code, unused_imports, clippy::todo)]
//! Chapter 2, Endpoints: the reference answer.
//!
//! - `GET /health` — 200 with `{"status": "ok"}`
//! - `HEAD /health` — the same status and headers, no body (axum answers it from the GET route)
//! - any other method on `/health` — 405 with `Allow: GET,HEAD`
//! - any unknown path — 404
//!
//! Check it: `cargo test -p sol02_endpoints`. Read: `book/src/02_endpoints.md`.
// ANCHOR_END: exercise

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

// ANCHOR: app
/// The whole service: one endpoint, `/health`, that answers GET.
pub fn app() -> Router {
    // ANCHOR: solution_only
    // `get(...)` registers GET, and axum answers HEAD from it too. Every other
    // method on this path gets 405 with an `Allow` header, and every path not
    // listed here gets 404: the router does both for us.
    // ANCHOR_END: exercise
    Router::new().route("/health", get(health))
}
// ANCHOR_END: app

// ANCHOR: health
// ANCHOR: exercise // TODO: answer every GET /health with 200 and the JSON body {"status": "ok"}.
// ANCHOR: exercise //     `axum::Json(value)` is a response: it sets `Content-Type: application/json`
// ANCHOR: exercise //     and the status 200. Build the value with `serde_json::json!`.
/// A load balancer or an orchestrator polls this to ask "are you up?".
// ANCHOR_END: exercise
async fn health() -> Json<Value> {
    // ANCHOR: exercise todo!("return Json(json!({{\"status\": \"ok\"}}))")
    Json(json!({ "status": "ok" }))
    // ANCHOR_END: exercise
}
// ANCHOR_END: health

// ANCHOR: exercise // This chapter's tests, from tests/endpoints.rs, compiled into this crate:
// ANCHOR: exercise // `cargo test` then compiles once per edit, not twice (BENCHMARKS.md).
// ANCHOR: exercise // The alias lets them name this crate `endpoints`, as from outside.
// ANCHOR: exercise extern crate self as endpoints;
// ANCHOR: exercise #[cfg(test)]
// ANCHOR: exercise #[path = "../tests/endpoints.rs"]
// ANCHOR: exercise mod tests;
// ANCHOR_END: exercise
