//! Chapter 2, Endpoints: the reference answer.
//!
//! - `GET /health` — 200 with `{"status": "ok"}`
//! - `HEAD /health` — the same status and headers, no body (axum answers it from the GET route)
//! - any other method on `/health` — 405 with `Allow: GET,HEAD`
//! - any unknown path — 404
//!
//! Check it: `cargo test -p sol02_endpoints`. Read: `book/src/02_endpoints.md`.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

// ANCHOR: app
/// The whole service: one endpoint, `/health`, that answers GET.
pub fn app() -> Router {
    // `get(...)` registers GET, and axum answers HEAD from it too. Every other
    // method on this path gets 405 with an `Allow` header, and every path not
    // listed here gets 404: the router does both for us.
    Router::new().route("/health", get(health))
}
// ANCHOR_END: app

// ANCHOR: health
/// A load balancer or an orchestrator polls this to ask "are you up?".
async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}
// ANCHOR_END: health
