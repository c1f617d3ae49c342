// Starting code generated from solutions/03_get/src/lib.rs by `cargo run -- dev sync`.
//! Chapter 3, GET: read the shop's catalogue.
//!
//! - `GET /health` — 200 with `{"status": "ok"}` (done in chapter 2)
//! - `GET /products` — 200 with every product, sorted by id; `?category=X` keeps
//!   only that category, and no match is `[]`
//! - `GET /products/{id}` — 200 with the product, 404 if there is none, 400 if the id
//!   is not a positive integer
//! - `GET /optimizations/today` — 200 with `{"date": "YYYY-MM-DD", "recommendations": [...]}`,
//!   one `{"product_id", "price_cents"}` per product, at 90% of its price, rounded down
//!
//! Check it: `cargo test` in this directory. Read: `book/src/03_get.md`.

// Starting code leaves parts unused until you write them.
#![allow(dead_code, unused_imports, unused_variables, clippy::todo)]

mod catalogue;

pub use catalogue::{AppState, Product};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn app() -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/products", get(list_products))
        .route("/products/{id}", get(get_product))
        .route("/optimizations/today", get(optimizations_today))
        .with_state(AppState::seeded())
}

/// Everything that can go wrong in this service, and the status each one means.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("product ids are positive integers, and {0:?} is not one")]
    InvalidId(String),
    #[error("there is no product with id {0}")]
    ProductNotFound(u64),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // TODO: map each error to its status: an invalid id is the client's
        //     mistake in the request (`StatusCode::BAD_REQUEST`), a missing
        //     product is `StatusCode::NOT_FOUND`. Send the message as JSON:
        //     `(status, Json(json!({ "error": self.to_string() }))).into_response()`.
        todo!("turn an ApiError into a 400 or a 404 response")
    }
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

#[derive(Deserialize)]
struct ListQuery {
    category: Option<String>,
}

// TODO: answer with every product, sorted by id, keeping only
//     `query.category` when it is given. `state.products` is a `BTreeMap`,
//     so `.values()` already walks it in id order; `.filter(...)`,
//     `.cloned()` and `.collect()` do the rest.
async fn list_products(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Json<Vec<Product>> {
    todo!("return Json of the (filtered) products, sorted by id")
}

// TODO: parse the id with `parse_id` (the `?` operator turns its error into a
//     400), then look it up in `state.products`: found is `Ok(Json(product))`,
//     missing is `Err(ApiError::ProductNotFound(id))`.
async fn get_product(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
) -> Result<Json<Product>, ApiError> {
    todo!("return the product with this id, or the right ApiError")
}

// TODO: accept only a positive integer written in plain digits: "7" is fine;
//     "0", "-1", "+5", "1.5" and "abc" are `Err(ApiError::InvalidId(...))`.
//     `str::bytes`, `u8::is_ascii_digit` and `str::parse::<u64>` help.
fn parse_id(raw: &str) -> Result<u64, ApiError> {
    todo!("parse a positive integer id")
}

#[derive(Serialize)]
struct Optimizations {
    date: String,
    recommendations: Vec<Recommendation>,
}

#[derive(Serialize)]
struct Recommendation {
    product_id: u64,
    price_cents: i64,
}

// TODO: one recommendation per product, in id order, at `discounted` price,
//     and today's date in UTC: `time::OffsetDateTime::now_utc().date().to_string()`
//     prints it as YYYY-MM-DD.
async fn optimizations_today(State(state): State<AppState>) -> Json<Optimizations> {
    todo!("return today's date and one recommendation per product")
}

/// 90% of the price, rounded down. Computed in `i128` so that no stored price,
/// however large, can overflow.
fn discounted(price_cents: i64) -> i64 {
    let discounted = i128::from(price_cents) * 9 / 10;
    i64::try_from(discounted).unwrap_or(i64::MAX)
}

// This chapter's tests, from tests/get.rs, compiled into this crate:
// `cargo test` then compiles once per edit, not twice (BENCHMARKS.md).
// The alias lets them name this crate `get`, as from outside.
extern crate self as get;
#[cfg(test)]
#[path = "../tests/get.rs"]
mod tests;
