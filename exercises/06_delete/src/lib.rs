// Starting code generated from solutions/06_delete/src/lib.rs by `cargo run -- dev sync`.
//! Chapter 6, DELETE: remove a product, safely under concurrent requests.
//!
//! - `GET`, `POST` and `PUT` endpoints — as in chapters 2 to 5 (done)
//! - `DELETE /products/{id}` — 204 No Content with an empty body when the product was
//!   there; afterwards GET answers 404 and the list leaves it out. A second DELETE
//!   answers 404. 400 for an id that is not a positive integer. A deleted id is never
//!   handed out again by POST.
//! - Under 200 concurrent POST, PUT and DELETE requests, no acknowledged write is lost.
//!
//! Check it: `cargo test` in this directory. Read: `book/src/06_delete.md`.

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
        .route(
            "/products/{id}",
            get(get_product).put(put_product).delete(delete_product),
        )
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
    #[error(
        "a client may choose product ids up to {MAX_CLIENT_ID} (2^53 - 1, the largest \
         integer JSON carries safely), and {0} is above that"
    )]
    IdTooLarge(u64),
    #[error("the catalogue has used up every product id")]
    IdsExhausted,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidId(_) | ApiError::IdTooLarge(_) | ApiError::MalformedJson(_) => {
                StatusCode::BAD_REQUEST
            }
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

/// axum's `Json` extractor already tells the three body mistakes apart; this
/// keeps its verdict and gives it our error shape.
impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
            JsonRejection::JsonSyntaxError(error) => ApiError::MalformedJson(detail(&error)),
            JsonRejection::JsonDataError(error) => ApiError::WrongShape(detail(&error)),
            other => ApiError::UnreadableBody {
                status: other.status(),
                message: other.body_text(),
            },
        }
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
    Path(raw_id): Path<String>,
    body: Result<Json<ProductInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let id = parse_id(&raw_id)?;
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

// TODO: `let id = parse_id(&raw_id)?;`, then remove it from
//     `state.catalogue().products` with `BTreeMap::remove`, which returns the
//     removed value: `Some(_)` is `Ok(StatusCode::NO_CONTENT)` (204, no body),
//     `None` is `Err(ApiError::ProductNotFound(id))` (404). Leave `last_id`
//     alone: a deleted id stays used. Checking and removing in one call, under
//     one lock, is what lets exactly one of two racing DELETEs win.
async fn delete_product(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    todo!("remove the product: 204, or 404 if it was not there")
}

// This chapter's tests, from tests/delete.rs, compiled into this crate:
// `cargo test` then compiles once per edit, not twice (BENCHMARKS.md).
// The alias lets them name this crate `delete`, as from outside.
extern crate self as delete;
#[cfg(test)]
#[path = "../tests/delete.rs"]
mod tests;
