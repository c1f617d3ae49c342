// Starting code generated from solutions/07_problem_details/src/lib.rs by `cargo run -- dev sync`.
//! Chapter 7, Problem details: every error, one shape.
//!
//! - `GET /health` — 200 with `{"status": "ok"}` (chapter 2)
//! - `GET /products`, `GET /products/{id}`, `GET /optimizations/today` — reads (chapter 3)
//! - `POST /products` — 201 with `Location` and the new product (chapter 4)
//! - `POST /predictions` — 200 with the units a price is expected to sell (chapter 4)
//! - `PUT /products/{id}` — 201 when it creates, 200 when it replaces (chapter 5)
//! - `DELETE /products/{id}` — 204 with an empty body, 404 if there is no such product (chapter 6)
//! - every error, from any endpoint or from no endpoint at all, is an RFC 9457 problem:
//!   `Content-Type: application/problem+json` and `{"title", "status", "detail"}`, where
//!   `status` repeats the HTTP status and a 422's `detail` names the field that was wrong
//! - an unknown path is a 404 problem, a method the path lacks a 405 problem that keeps
//!   `Allow`, a bad id a 400 problem, a body over 64 KiB a 413 problem
//! - no input, however malformed, gets a 500 or a panic
//!
//! Start with `with_error_handling` below, then `src/problem.rs`, then `src/error.rs`.
//!
//! Check it: `cargo test` in this directory. Read: `book/src/07_problem_details.md`.

// Starting code leaves parts unused until you write them.
#![allow(dead_code, unused_imports, unused_variables, clippy::todo)]

mod catalogue;
mod error;
mod numbers;
pub mod problem;

pub use catalogue::{AppState, Product};
pub use error::{ApiError, MAX_BODY_BYTES, PathId};

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn app() -> Router {
    let routes = Router::new()
        .route("/health", get(health))
        .route("/products", get(list_products).post(create_product))
        .route(
            "/products/{id}",
            get(get_product).put(put_product).delete(delete_product),
        )
        .route("/optimizations/today", get(optimizations_today))
        .route("/predictions", post(predict));
    with_error_handling(routes).with_state(AppState::seeded())
}

// TODO: chain three calls on `routes`:
//     `.method_not_allowed_fallback(error::method_not_allowed)` (it covers only
//     the routes added before it, so it comes after all of them),
//     `.fallback(error::route_not_found)`, and
//     `.layer(DefaultBodyLimit::max(MAX_BODY_BYTES))`.
/// The errors no handler sees: a path with no route, a method the path does
/// not support, a body too big to read. Each becomes an `ApiError`, so it
/// leaves as a problem like every other error.
fn with_error_handling(routes: Router<AppState>) -> Router<AppState> {
    todo!("add the 405 fallback, the 404 fallback and the 64 KiB body limit")
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

#[derive(Deserialize)]
struct ListQuery {
    category: Option<String>,
}

/// `GET /products`: a `BTreeMap` iterates in key order, so the list comes out
/// sorted by id without a sort.
async fn list_products(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<Product>>, ApiError> {
    let Query(query) = query?;
    let products = state
        .catalogue()
        .products
        .values()
        .filter(|product| match &query.category {
            Some(category) => &product.category == category,
            None => true,
        })
        .cloned()
        .collect();
    Ok(Json(products))
}

/// `GET /products/{id}`: 400 for an id that is not a positive integer, 404 for
/// one that names no product.
async fn get_product(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<Json<Product>, ApiError> {
    state
        .catalogue()
        .products
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or(ApiError::ProductNotFound(id))
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

/// `GET /optimizations/today`: the day's pricing "model", a 10% discount on
/// every product. The date is computed in UTC so every server agrees on it.
async fn optimizations_today(State(state): State<AppState>) -> Json<Optimizations> {
    let recommendations = state
        .catalogue()
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
}

/// 90% of the price, rounded down. Computed in `i128` so that no stored price,
/// however large, can overflow.
fn discounted(price_cents: i64) -> i64 {
    let discounted = i128::from(price_cents) * 9 / 10;
    i64::try_from(discounted).unwrap_or(i64::MAX)
}

/// A product as a client sends it. Serde checks the fields and their types
/// (a failure is a 422); [`validate`] checks the values.
#[derive(Deserialize)]
pub struct ProductInput {
    /// Whatever id the client sent: POST ignores it, PUT checks it.
    #[serde(default)]
    pub id: Option<Value>,
    pub name: String,
    #[serde(deserialize_with = "numbers::i64")]
    pub price_cents: i64,
    pub category: String,
}

/// A product body that passed every rule, still waiting for its id.
#[derive(Clone, Debug)]
pub struct NewProduct {
    name: String,
    price_cents: i64,
    category: String,
}

pub const MAX_NAME_CHARS: usize = 100;

/// The one place the rules live: POST and PUT both go through it.
pub fn validate(input: ProductInput) -> Result<NewProduct, ApiError> {
    let invalid = |field, problem: &str| ApiError::Invalid {
        field,
        problem: problem.to_owned(),
    };
    if input.name.is_empty() {
        return Err(invalid("name", "must not be empty"));
    }
    // Characters, not bytes: "☕" is one character but three bytes of UTF-8.
    if input.name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid("name", "must be at most 100 characters long"));
    }
    if input.price_cents < 0 {
        return Err(invalid("price_cents", "must be zero or more"));
    }
    if input.category.is_empty() {
        return Err(invalid("category", "must not be empty"));
    }
    Ok(NewProduct {
        name: input.name,
        price_cents: input.price_cents,
        category: input.category,
    })
}

/// `POST /products`: the server names the new resource and says where it is.
async fn create_product(
    State(state): State<AppState>,
    body: Result<Json<ProductInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(input) = body?;
    let new = validate(input)?;
    let product = state.catalogue().create(new)?;
    Ok(created(product))
}

/// 201 Created, with the new resource's address in `Location` and its
/// representation in the body.
fn created(product: Product) -> Response {
    let location = format!("/products/{}", product.id);
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(product),
    )
        .into_response()
}

#[derive(Deserialize)]
struct PredictionRequest {
    #[serde(deserialize_with = "numbers::u64")]
    product_id: u64,
    #[serde(deserialize_with = "numbers::i64")]
    price_cents: i64,
}

#[derive(Serialize)]
struct Prediction {
    product_id: u64,
    price_cents: i64,
    predicted_units: i64,
}

/// `POST /predictions`: a calculation, not a new resource, so 200 and no
/// `Location`. Demand falls as the price rises above the list price.
async fn predict(
    State(state): State<AppState>,
    body: Result<Json<PredictionRequest>, JsonRejection>,
) -> Result<Json<Prediction>, ApiError> {
    let Json(request) = body?;
    if request.price_cents <= 0 {
        return Err(ApiError::Invalid {
            field: "price_cents",
            problem: "must be more than zero".to_owned(),
        });
    }
    let list_price = state
        .catalogue()
        .products
        .get(&request.product_id)
        .map(|product| product.price_cents)
        .ok_or(ApiError::ProductNotFound(request.product_id))?;
    Ok(Json(Prediction {
        product_id: request.product_id,
        price_cents: request.price_cents,
        predicted_units: predicted_units(list_price, request.price_cents),
    }))
}

/// `100 * list / price`, rounded down, in `i128`: `100 * i64::MAX` does not
/// fit in an `i64`. `price` is positive, checked by the caller.
fn predicted_units(list_price_cents: i64, price_cents: i64) -> i64 {
    let units = 100 * i128::from(list_price_cents) / i128::from(price_cents);
    i64::try_from(units).unwrap_or(i64::MAX)
}

/// The highest id a client may choose with PUT: 2^53 - 1. I-JSON (RFC 7493
/// §2.2) warns that larger integers do not travel safely, since many JSON
/// parsers read numbers as doubles. Keeping clients below it also leaves
/// POST's own ids room above: a PUT can never use them all up.
pub const MAX_CLIENT_ID: u64 = (1 << 53) - 1;

/// `PUT /products/{id}`: the body is the whole new state of the resource.
/// Sending the same PUT again changes nothing more, which makes it safe to retry.
async fn put_product(
    State(state): State<AppState>,
    PathId(id): PathId,
    body: Result<Json<ProductInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    if id > MAX_CLIENT_ID {
        return Err(ApiError::IdTooLarge(id));
    }
    let Json(input) = body?;
    if let Some(body_id) = &input.id
        && body_id.as_u64() != Some(id)
    {
        return Err(ApiError::Invalid {
            field: "id",
            problem: format!(
                "is {body_id} but the path names product {id}; leave it out or make them equal"
            ),
        });
    }
    let product = validate(input)?.with_id(id);
    let was_new = state.catalogue().put(product.clone());
    if was_new {
        Ok(created(product))
    } else {
        Ok(Json(product).into_response())
    }
}

/// `DELETE /products/{id}`: 204 and no body when it was there, 404 when it
/// was not. Either way, afterwards it is gone: that is what makes DELETE
/// idempotent.
async fn delete_product(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    match state.catalogue().products.remove(&id) {
        Some(_) => Ok(StatusCode::NO_CONTENT),
        None => Err(ApiError::ProductNotFound(id)),
    }
}

// This chapter's tests, from tests/problem_details.rs, compiled into this crate:
// `cargo test` then compiles once per edit, not twice (BENCHMARKS.md).
// The alias lets them name this crate `problem_details`, as from outside.
extern crate self as problem_details;
#[cfg(test)]
#[path = "../tests/problem_details.rs"]
mod tests;
