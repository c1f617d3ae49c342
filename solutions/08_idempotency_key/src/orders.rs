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

// ANCHOR: exercise // TODO: a quantity below 1 is `ApiError::Invalid { field: "quantity", problem: ... }`
// ANCHOR: exercise //     (a 422 whose detail names the field); otherwise copy both fields into an
// ANCHOR: exercise //     `OrderRequest`.
// ANCHOR_END: exercise
fn validate(input: OrderInput) -> Result<OrderRequest, ApiError> {
    // ANCHOR: exercise todo!("check the quantity")
    if input.quantity < 1 {
        return Err(ApiError::Invalid {
            field: "quantity",
            problem: format!("must be at least 1, and {} is not", input.quantity),
        });
    }
    Ok(OrderRequest {
        product_id: input.product_id,
        quantity: input.quantity,
    })
    // ANCHOR_END: exercise
}

// ANCHOR: create_order
// ANCHOR: exercise // TODO: read the body (`body?`) and `validate` it. Then match
// ANCHOR: exercise //     `state.idempotency.begin(key, &request)`: `Begin::Replay(order)` answers
// ANCHOR: exercise //     `created(order)` again, `Begin::InFlight` is `ApiError::KeyInFlight`,
// ANCHOR: exercise //     `Begin::Mismatch` is `ApiError::KeyReused`, and `Begin::Proceed(claim)`
// ANCHOR: exercise //     goes on: `place` the order, `claim.finish(order.clone())`, and answer
// ANCHOR: exercise //     `created(order)`. If `place` fails, let `?` return: dropping the claim
// ANCHOR: exercise //     releases the key.
// ANCHOR_END: exercise
/// `POST /orders`. The key is checked before the body, and the store decides
/// in one step whether this request does the work, replays an answer, or is
/// refused. Only a request that gets a `Claim` places an order.
pub async fn create_order(
    State(state): State<AppState>,
    key: IdempotencyKey,
    body: Result<Json<OrderInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    // ANCHOR: exercise todo!("validate, ask the idempotency store, then place the order or answer from the store")
    let Json(input) = body?;
    let request = validate(input)?;
    let claim = match state.idempotency.begin(key, &request) {
        Begin::Proceed(claim) => claim,
        Begin::Replay(order) => return Ok(created(order)),
        Begin::InFlight => return Err(ApiError::KeyInFlight),
        Begin::Mismatch => return Err(ApiError::KeyReused),
    };
    // On an error, `?` returns early and drops `claim`: the key is released.
    let order = place(&state, &request)?;
    claim.finish(order.clone());
    Ok(created(order))
    // ANCHOR_END: exercise
}
// ANCHOR_END: create_order

// ANCHOR: place
// ANCHOR: exercise // TODO: look up the product's `price_cents` in `state.catalogue()` (none is
// ANCHOR: exercise //     `ApiError::Invalid { field: "product_id", .. }`, a 422), multiply with
// ANCHOR: exercise //     `i64::checked_mul` (`None` is a 422 on "quantity", never a panic), then
// ANCHOR: exercise //     lock `state.orders()`, take `last_id + 1` (`checked_add`, or
// ANCHOR: exercise //     `ApiError::IdsExhausted("order")`), store the `Order` and return it.
// ANCHOR_END: exercise
/// Reads the price, then stores the order: two short locks, one after the
/// other, never one inside the other, so no two requests can deadlock.
fn place(state: &AppState, request: &OrderRequest) -> Result<Order, ApiError> {
    // ANCHOR: exercise todo!("price the order and store it under a new id")
    let price_cents = state
        .catalogue()
        .products
        .get(&request.product_id)
        .map(|product| product.price_cents)
        .ok_or_else(|| ApiError::Invalid {
            field: "product_id",
            problem: format!("there is no product with id {}", request.product_id),
        })?;
    // A plain `*` would panic in a debug build, and wrap around to a wrong,
    // maybe negative, total in release. `checked_mul` says "does not fit".
    let total_cents =
        price_cents
            .checked_mul(request.quantity)
            .ok_or_else(|| ApiError::Invalid {
                field: "quantity",
                problem: format!(
                    "is too large: {} times {price_cents} cents does not fit in total_cents",
                    request.quantity
                ),
            })?;
    let mut orders = state.orders();
    let id = orders
        .last_id
        .checked_add(1)
        .ok_or(ApiError::IdsExhausted("order"))?;
    let order = Order {
        id,
        product_id: request.product_id,
        quantity: request.quantity,
        total_cents,
    };
    orders.last_id = id;
    orders.orders.insert(id, order.clone());
    Ok(order)
    // ANCHOR_END: exercise
}
// ANCHOR_END: place

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

// ANCHOR: exercise // TODO: like `get_product`: look `id` up in `state.orders().orders`.
// ANCHOR_END: exercise
/// `GET /orders/{id}`.
pub async fn get_order(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<Json<Order>, ApiError> {
    // ANCHOR: exercise todo!("return the order with this id, or ApiError::OrderNotFound")
    state
        .orders()
        .orders
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or(ApiError::OrderNotFound(id))
    // ANCHOR_END: exercise
}
