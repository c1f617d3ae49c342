// Starting code generated from solutions/08_idempotency_key/src/orders.rs by `cargo run -- dev sync`.
//! Orders: `POST /orders` places one, safely retried thanks to its
//! `Idempotency-Key`; `GET /orders/{id}` reads one back.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::idempotency::{Begin, IdempotencyKey};
use crate::{ApiError, AppState, PathId};

/// An order as it travels in JSON. Its total is computed once, at the price
/// of the moment: a later price change does not rewrite past orders.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Order {
    pub id: u64,
    pub product_id: u64,
    pub quantity: i64,
    pub total_cents: i64,
}

/// An order body as a client sends it.
#[derive(Deserialize)]
pub struct OrderInput {
    #[serde(deserialize_with = "crate::numbers::u64")]
    pub product_id: u64,
    #[serde(deserialize_with = "crate::numbers::i64")]
    pub quantity: i64,
}

/// An order body that passed the checks: what a retry must repeat exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderRequest {
    product_id: u64,
    quantity: i64,
}

/// Every order, and the highest id handed out.
#[derive(Default)]
pub struct Orders {
    orders: BTreeMap<u64, Order>,
    last_id: u64,
}

// TODO: a quantity below 1 is `ApiError::Invalid { field: "quantity", problem: ... }`
//     (a 422 whose detail names the field); otherwise copy both fields into an
//     `OrderRequest`.
fn validate(input: OrderInput) -> Result<OrderRequest, ApiError> {
    todo!("check the quantity")
}

// TODO: read the body (`body?`) and `validate` it. Then match
//     `state.idempotency.begin(key, &request)`: `Begin::Replay(order)` answers
//     `created(order)` again, `Begin::InFlight` is `ApiError::KeyInFlight`,
//     `Begin::Mismatch` is `ApiError::KeyReused`, and `Begin::Proceed(claim)`
//     goes on: `place` the order, `claim.finish(order.clone())`, and answer
//     `created(order)`. If `place` fails, let `?` return: dropping the claim
//     releases the key.
/// `POST /orders`. The key is checked before the body, and the store decides
/// in one step whether this request does the work, replays an answer, or is
/// refused. Only a request that gets a `Claim` places an order.
pub async fn create_order(
    State(state): State<AppState>,
    key: IdempotencyKey,
    body: Result<Json<OrderInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    todo!("validate, ask the idempotency store, then place the order or answer from the store")
}

// TODO: look up the product's `price_cents` in `state.catalogue()` (none is
//     `ApiError::Invalid { field: "product_id", .. }`, a 422), multiply with
//     `i64::checked_mul` (`None` is a 422 on "quantity", never a panic), then
//     lock `state.orders()`, take `last_id + 1` (`checked_add`, or
//     `ApiError::IdsExhausted("order")`), store the `Order` and return it.
/// Reads the price, then stores the order: two short locks, one after the
/// other, never one inside the other, so no two requests can deadlock.
fn place(state: &AppState, request: &OrderRequest) -> Result<Order, ApiError> {
    todo!("price the order and store it under a new id")
}

/// 201 Created with the order's address, for the first answer and every replay.
fn created(order: Order) -> Response {
    let location = format!("/orders/{}", order.id);
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(order),
    )
        .into_response()
}

// TODO: like `get_product`: look `id` up in `state.orders().orders`.
/// `GET /orders/{id}`.
pub async fn get_order(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<Json<Order>, ApiError> {
    todo!("return the order with this id, or ApiError::OrderNotFound")
}
