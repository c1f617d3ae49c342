// ANCHOR: exercise //! Chapter 3, GET: read the shop's catalogue.
// ANCHOR: exercise //!
// ANCHOR: exercise //! - `GET /health` — 200 with `{"status": "ok"}` (done in chapter 2)
// ANCHOR: exercise //! - `GET /products` — 200 with every product, sorted by id; `?category=X` keeps
// ANCHOR: exercise //!   only that category, and no match is `[]`
// ANCHOR: exercise //! - `GET /products/{id}` — 200 with the product, 404 if there is none, 400 if the id
// ANCHOR: exercise //!   is not a positive integer
// ANCHOR: exercise //! - `GET /optimizations/today` — 200 with `{"date": "YYYY-MM-DD", "recommendations": [...]}`,
// ANCHOR: exercise //!   one `{"product_id", "price_cents"}` per product, at 90% of its price, rounded down
// ANCHOR: exercise //!
// ANCHOR: exercise //! Check it: `cargo test` in this directory. Read: `book/src/03_get.md`.
// ANCHOR: exercise
// ANCHOR: exercise // Starting code leaves parts unused until you write them.
// ANCHOR: exercise #![allow(dead_code, unused_imports, unused_variables, clippy::todo)]
//! Chapter 3, GET: the reference answer.
//!
//! - `GET /health` — 200 with `{"status": "ok"}` (chapter 2)
//! - `GET /products` — 200 with every product, sorted by id; `?category=X` filters
//! - `GET /products/{id}` — 200 with the product, 404 if there is none, 400 if the id
//!   is not a positive integer
//! - `GET /optimizations/today` — 200 with today's price recommendations
//!
//! Check it: `cargo test -p sol03_get`. Read: `book/src/03_get.md`.
// ANCHOR_END: exercise

mod catalogue;

pub use catalogue::{AppState, Product};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

// ANCHOR: app
pub fn app() -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/products", get(list_products))
        .route("/products/{id}", get(get_product))
        .route("/optimizations/today", get(optimizations_today))
        .with_state(AppState::seeded())
}
// ANCHOR_END: app

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
        // ANCHOR: exercise // TODO: map each error to its status: an invalid id is the client's
        // ANCHOR: exercise //     mistake in the request (`StatusCode::BAD_REQUEST`), a missing
        // ANCHOR: exercise //     product is `StatusCode::NOT_FOUND`. Send the message as JSON:
        // ANCHOR: exercise //     `(status, Json(json!({ "error": self.to_string() }))).into_response()`.
        // ANCHOR: exercise todo!("turn an ApiError into a 400 or a 404 response")
        let status = match self {
            ApiError::InvalidId(_) => StatusCode::BAD_REQUEST,
            ApiError::ProductNotFound(_) => StatusCode::NOT_FOUND,
        };
        (status, Json(json!({ "error": self.to_string() }))).into_response()
        // ANCHOR_END: exercise
    }
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

// ANCHOR: list
#[derive(Deserialize)]
struct ListQuery {
    category: Option<String>,
}

// ANCHOR: exercise // TODO: answer with every product, sorted by id, keeping only
// ANCHOR: exercise //     `query.category` when it is given. `state.products` is a `BTreeMap`,
// ANCHOR: exercise //     so `.values()` already walks it in id order; `.filter(...)`,
// ANCHOR: exercise //     `.cloned()` and `.collect()` do the rest.
/// `GET /products`: a `BTreeMap` iterates in key order, so the list comes out
/// sorted by id without a sort.
// ANCHOR_END: exercise
async fn list_products(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Json<Vec<Product>> {
    // ANCHOR: exercise todo!("return Json of the (filtered) products, sorted by id")
    let products = state
        .products
        .values()
        .filter(|product| match &query.category {
            Some(category) => &product.category == category,
            None => true,
        })
        .cloned()
        .collect();
    Json(products)
    // ANCHOR_END: exercise
}
// ANCHOR_END: list

// ANCHOR: get_one
// ANCHOR: exercise // TODO: parse the id with `parse_id` (the `?` operator turns its error into a
// ANCHOR: exercise //     400), then look it up in `state.products`: found is `Ok(Json(product))`,
// ANCHOR: exercise //     missing is `Err(ApiError::ProductNotFound(id))`.
/// `GET /products/{id}`: 400 for an id that is not a positive integer, 404 for
/// one that names no product.
// ANCHOR_END: exercise
async fn get_product(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
) -> Result<Json<Product>, ApiError> {
    // ANCHOR: exercise todo!("return the product with this id, or the right ApiError")
    let id = parse_id(&raw_id)?;
    state
        .products
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or(ApiError::ProductNotFound(id))
    // ANCHOR_END: exercise
}
// ANCHOR_END: get_one

// ANCHOR: exercise // TODO: accept only a positive integer written in plain digits: "7" is fine;
// ANCHOR: exercise //     "0", "-1", "+5", "1.5" and "abc" are `Err(ApiError::InvalidId(...))`.
// ANCHOR: exercise //     `str::bytes`, `u8::is_ascii_digit` and `str::parse::<u64>` help.
/// Only plain digits count: `u64::from_str` alone would also take `+5`.
// ANCHOR_END: exercise
fn parse_id(raw: &str) -> Result<u64, ApiError> {
    // ANCHOR: exercise todo!("parse a positive integer id")
    let invalid = || ApiError::InvalidId(raw.to_owned());
    if raw.is_empty() || !raw.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(invalid());
    }
    match raw.parse::<u64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(invalid()),
    }
    // ANCHOR_END: exercise
}

// ANCHOR: optimizations
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

// ANCHOR: exercise // TODO: one recommendation per product, in id order, at `discounted` price,
// ANCHOR: exercise //     and today's date in UTC: `time::OffsetDateTime::now_utc().date().to_string()`
// ANCHOR: exercise //     prints it as YYYY-MM-DD.
/// `GET /optimizations/today`: the day's pricing "model", a 10% discount on
/// every product. The date is computed in UTC so every server agrees on it.
// ANCHOR_END: exercise
async fn optimizations_today(State(state): State<AppState>) -> Json<Optimizations> {
    // ANCHOR: exercise todo!("return today's date and one recommendation per product")
    let recommendations = state
        .products
        .values()
        .map(|product| Recommendation {
            product_id: product.id,
            price_cents: discounted(product.price_cents),
        })
        .collect();
    Json(Optimizations {
        date: time::OffsetDateTime::now_utc().date().to_string(),
        recommendations,
    })
    // ANCHOR_END: exercise
}
// ANCHOR_END: optimizations

/// 90% of the price, rounded down. Computed in `i128` so that no stored price,
/// however large, can overflow.
fn discounted(price_cents: i64) -> i64 {
    let discounted = i128::from(price_cents) * 9 / 10;
    i64::try_from(discounted).unwrap_or(i64::MAX)
}

// ANCHOR: exercise // This chapter's tests, from tests/get.rs, compiled into this crate:
// ANCHOR: exercise // `cargo test` then compiles once per edit, not twice (BENCHMARKS.md).
// ANCHOR: exercise // The alias lets them name this crate `get`, as from outside.
// ANCHOR: exercise extern crate self as get;
// ANCHOR: exercise #[cfg(test)]
// ANCHOR: exercise #[path = "../tests/get.rs"]
// ANCHOR: exercise mod tests;
// ANCHOR_END: exercise
