// Starting code generated from solutions/04_post/src/lib.rs by `cargo run -- dev sync`.
//! Chapter 4, POST: create products, and ask for a prediction.
//!
//! - `GET /health`, `GET /products`, `GET /products/{id}`, `GET /optimizations/today` —
//!   as in chapters 2 and 3 (done)
//! - `POST /products` — takes `{"name", "price_cents", "category"}` and answers 201 Created
//!   with `Location: /products/{id}` and the new product. The server picks the id: one more
//!   than the highest id ever assigned; an `"id"` in the body is ignored. Malformed JSON is
//!   400, a body not sent as `application/json` is 415, a missing field or a wrong type is
//!   422, and so is a value that breaks the rules: `name` 1 to 100 characters,
//!   `price_cents` 0 or more, `category` not empty
//! - `POST /predictions` — takes `{"product_id", "price_cents"}` and answers 200 with
//!   `{"product_id", "price_cents", "predicted_units"}`, where predicted_units is
//!   `100 * list price / price_cents`, rounded down; 404 for an unknown product, 422 for
//!   a price of 0 or less
//!
//! `Catalogue::create`, which gives a new product its id and stores it, is in
//! `src/catalogue.rs`, with the rest of the catalogue.
//!
//! Check it: `cargo test` in this directory. Read: `book/src/04_post.md`.

// Starting code leaves parts unused until you write them.
#![allow(dead_code, unused_imports, unused_variables, clippy::todo)]

mod catalogue;
mod numbers;

pub use catalogue::{AppState, Product};

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn app() -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/products", get(list_products).post(create_product))
        .route("/products/{id}", get(get_product))
        .route("/optimizations/today", get(optimizations_today))
        .route("/predictions", post(predict))
        .with_state(AppState::seeded())
}

/// Everything that can go wrong in this service, and the status each one means.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("product ids are positive integers, and {0:?} is not one")]
    InvalidId(String),
    #[error("there is no product with id {0}")]
    ProductNotFound(u64),
    #[error("send the body as JSON, with the header Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("the JSON does not have the expected fields and types: {0}")]
    WrongShape(String),
    #[error("{field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: String,
    },
    #[error("the body could not be read: {message}")]
    UnreadableBody { status: StatusCode, message: String },
    #[error("the catalogue has used up every product id")]
    IdsExhausted,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidId(_) | ApiError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            ApiError::ProductNotFound(_) => StatusCode::NOT_FOUND,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::WrongShape(_) | ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::UnreadableBody { status, .. } => *status,
            ApiError::IdsExhausted => StatusCode::INSUFFICIENT_STORAGE,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status(), Json(json!({ "error": self.to_string() }))).into_response()
    }
}

// TODO: map axum's verdict on the body to our errors:
//     `JsonRejection::MissingJsonContentType(_)` is `ApiError::UnsupportedMediaType`,
//     `JsonRejection::JsonSyntaxError(error)` is `ApiError::MalformedJson(detail(&error))`,
//     `JsonRejection::JsonDataError(error)` is `ApiError::WrongShape(detail(&error))`.
//     The enum is `#[non_exhaustive]`: for `other`, keep axum's own status with
//     `ApiError::UnreadableBody { status: other.status(), message: other.body_text() }`.
impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        todo!("turn a JsonRejection into the matching ApiError")
    }
}

/// What serde said, such as "price_cents: invalid type: string \"cheap\",
/// expected i64 at line 1 column 43", without axum's generic preamble.
fn detail(error: &dyn std::error::Error) -> String {
    match error.source() {
        Some(cause) => cause.to_string(),
        None => error.to_string(),
    }
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
    Query(query): Query<ListQuery>,
) -> Json<Vec<Product>> {
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
    Json(products)
}

/// `GET /products/{id}`: 400 for an id that is not a positive integer, 404 for
/// one that names no product.
async fn get_product(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
) -> Result<Json<Product>, ApiError> {
    let id = parse_id(&raw_id)?;
    state
        .catalogue()
        .products
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or(ApiError::ProductNotFound(id))
}

/// Only plain digits count: `u64::from_str` alone would also take `+5`.
fn parse_id(raw: &str) -> Result<u64, ApiError> {
    let invalid = || ApiError::InvalidId(raw.to_owned());
    if raw.is_empty() || !raw.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(invalid());
    }
    match raw.parse::<u64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(invalid()),
    }
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
/// (a failure is a 422); [`validate`] checks the values. There is no `id`:
/// the server picks it, and serde skips any field the struct does not name.
/// `numbers::i64` reads the integer as serde does, but calls one beyond 64
/// bits "too large", where serde would call it a float.
#[derive(Deserialize)]
pub struct ProductInput {
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

// TODO: this is the one place the rules live (POST uses it now, PUT in
//     chapter 5). Check the values in this order and return the first problem as
//     `Err(ApiError::Invalid { field: "name", problem: "must not be empty".to_owned() })`:
//         name: not empty, at most `MAX_NAME_CHARS` characters
//             (count with `.chars().count()`: `.len()` counts bytes, and "☕" is 3)
//         price_cents: 0 or more
//         category: not empty
//     When all is well, move the three fields into `Ok(NewProduct { ... })`.
pub fn validate(input: ProductInput) -> Result<NewProduct, ApiError> {
    todo!("check the rules and build a NewProduct")
}

// TODO: take the body apart in three steps, each with `?`:
//         `let Json(input) = body?;`  (a `JsonRejection` becomes an `ApiError` via `From`)
//         `let new = validate(input)?;`
//         `let product = state.catalogue().create(new)?;`
//     then answer with `created(product)`.
async fn create_product(
    State(state): State<AppState>,
    body: Result<Json<ProductInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    todo!("parse, validate, store, and answer 201")
}

// TODO: answer `StatusCode::CREATED` with a `Location` header naming the new
//     product and the product as JSON. A tuple does it:
//         `(StatusCode::CREATED, [(header::LOCATION, location)], Json(product)).into_response()`
//     where `location` is `format!("/products/{}", product.id)`.
fn created(product: Product) -> Response {
    todo!("201 Created, a Location header and the product as JSON")
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

// TODO: `let Json(request) = body?;`, then refuse a `price_cents` of 0 or less
//     with `ApiError::Invalid { field: "price_cents", ... }` (422). Look the
//     product up in `state.catalogue().products` (`ApiError::ProductNotFound`
//     if it is not there) and answer `Json(Prediction { ... })`, with
//     `predicted_units(list_price, request.price_cents)`.
async fn predict(
    State(state): State<AppState>,
    body: Result<Json<PredictionRequest>, JsonRejection>,
) -> Result<Json<Prediction>, ApiError> {
    todo!("answer 200 with the predicted units")
}

/// `100 * list / price`, rounded down, in `i128`: `100 * i64::MAX` does not
/// fit in an `i64`. `price` is positive, checked by the caller.
fn predicted_units(list_price_cents: i64, price_cents: i64) -> i64 {
    let units = 100 * i128::from(list_price_cents) / i128::from(price_cents);
    i64::try_from(units).unwrap_or(i64::MAX)
}

// This chapter's tests, from tests/post.rs, compiled into this crate:
// `cargo test` then compiles once per edit, not twice (BENCHMARKS.md).
// The alias lets them name this crate `post`, as from outside.
extern crate self as post;
#[cfg(test)]
#[path = "../tests/post.rs"]
mod tests;
