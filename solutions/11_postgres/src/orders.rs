//! Orders in PostgreSQL: `POST /orders` claims its key and places the order
//! in one transaction; `GET /orders/{id}` reads one back.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use shop::orders::{Order, OrderInput};
use shop::{ApiError, PathId};
use sqlx::{PgConnection, PgPool};

use crate::ServiceError;
use crate::idempotency::{self, Claim, IdempotencyKey};
use crate::products::stored_id;

/// How long a request waits for another one holding its key before it
/// answers 409 "still in flight". Placing an order takes milliseconds, so a
/// wait this long means the other request is stuck.
pub const KEY_WAIT: &str = "5s";

/// An order body that passed the checks, as the tables store it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRequest {
    pub product_id: i64,
    pub quantity: i64,
}

/// Chapter 8's checks. A product id above `i64::MAX` names no row.
fn validate(input: OrderInput) -> Result<OrderRequest, ApiError> {
    if input.quantity < 1 {
        return Err(ApiError::Invalid {
            field: "quantity",
            problem: format!("must be at least 1, and {} is not", input.quantity),
        });
    }
    let no_such_product = ApiError::Invalid {
        field: "product_id",
        problem: format!("there is no product with id {}", input.product_id),
    };
    Ok(OrderRequest {
        product_id: stored_id(input.product_id, no_such_product)?,
        quantity: input.quantity,
    })
}

// ANCHOR: create_order
/// `POST /orders`: everything in one transaction, committed only when the
/// order and its key's row are both written. On any error the transaction
/// is rolled back, the key's row with it: the key is free for a retry.
pub async fn create_order(
    State(pool): State<PgPool>,
    key: IdempotencyKey,
    body: Result<Json<OrderInput>, JsonRejection>,
) -> Result<Response, ServiceError> {
    let Json(input) = body?;
    let request = validate(input)?;
    let mut tx = pool.begin().await?;
    match decide(&mut tx, &key, &request).await {
        Ok(Decided::Placed(order)) => {
            tx.commit().await?;
            Ok(created(order))
        }
        Ok(Decided::Replayed(order)) => {
            // Nothing was written: ending the transaction either way is the same.
            tx.rollback().await?;
            Ok(created(order))
        }
        Err(error) => {
            // Explicitly, before answering: a dropped transaction is rolled
            // back too, but only once its connection is used again, and until
            // then a retry with this key would wait on the row we inserted.
            tx.rollback().await?;
            Err(error)
        }
    }
}

/// What a request did with its key.
enum Decided {
    Placed(Order),
    Replayed(Order),
}

// ANCHOR: exercise // TODO: inside the transaction `tx`:
// ANCHOR: exercise //     - first `sqlx::query("SET LOCAL lock_timeout = '5s'")` (the text of
// ANCHOR: exercise //       `KEY_WAIT`), so a request never waits for ever on another one's key;
// ANCHOR: exercise //     - then `match idempotency::claim(tx, key, request).await?`:
// ANCHOR: exercise //       `Claim::Replay(order)` is `Decided::Replayed(order)`, `Claim::Mismatch`
// ANCHOR: exercise //       is `ApiError::KeyReused`, and `Claim::New` goes on: `place(tx, request)`,
// ANCHOR: exercise //       then `idempotency::record(tx, key, &order)`, then `Decided::Placed(order)`.
// ANCHOR: exercise //     A wait that ran out is a database error with code "55P03": turn it into
// ANCHOR: exercise //     `ApiError::KeyInFlight` with `in_flight` below (`.map_err(in_flight)`).
// ANCHOR_END: exercise
/// Claims the key, then replays, refuses, or places and records the order.
async fn decide(
    tx: &mut PgConnection,
    key: &IdempotencyKey,
    request: &OrderRequest,
) -> Result<Decided, ServiceError> {
    // ANCHOR: exercise todo!("claim the key, then place and record the order, or replay it")
    // A `SET` takes no bind parameters; this is our own constant text.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SET LOCAL lock_timeout = '{KEY_WAIT}'"
    )))
    .execute(&mut *tx)
    .await?;
    let claim = idempotency::claim(tx, key, request)
        .await
        .map_err(in_flight)?;
    match claim {
        Claim::Replay(order) => Ok(Decided::Replayed(order)),
        Claim::Mismatch => Err(ApiError::KeyReused.into()),
        Claim::New => {
            let order = place(tx, request).await?;
            idempotency::record(tx, key, &order).await?;
            Ok(Decided::Placed(order))
        }
    }
    // ANCHOR_END: exercise
}
// ANCHOR_END: create_order

/// `lock_not_available`, PostgreSQL's code for a `lock_timeout` that ran
/// out: another request holds the key and has not finished.
pub const LOCK_NOT_AVAILABLE: &str = "55P03";

/// A wait for the key that ran out is chapter 8's 409; anything else stays.
pub fn in_flight(error: ServiceError) -> ServiceError {
    match &error {
        ServiceError::Database(sqlx::Error::Database(db))
            if db.code().as_deref() == Some(LOCK_NOT_AVAILABLE) =>
        {
            ApiError::KeyInFlight.into()
        }
        _ => error,
    }
}

// ANCHOR: place
/// Prices the order at today's price and inserts it.
async fn place(tx: &mut PgConnection, request: &OrderRequest) -> Result<Order, ServiceError> {
    let price_cents: Option<i64> =
        sqlx::query_scalar("SELECT price_cents FROM products WHERE id = $1")
            .bind(request.product_id)
            .fetch_optional(&mut *tx)
            .await?;
    let price_cents = price_cents.ok_or_else(|| ApiError::Invalid {
        field: "product_id",
        problem: format!("there is no product with id {}", request.product_id),
    })?;
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
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO orders (product_id, quantity, total_cents) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(request.product_id)
    .bind(request.quantity)
    .bind(total_cents)
    .fetch_one(&mut *tx)
    .await?;
    Ok(Order {
        id: id.unsigned_abs(),
        product_id: request.product_id.unsigned_abs(),
        quantity: request.quantity,
        total_cents,
    })
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

/// `GET /orders/{id}`.
pub async fn get_order(
    State(pool): State<PgPool>,
    PathId(id): PathId,
) -> Result<Json<Order>, ServiceError> {
    let stored = stored_id(id, ApiError::OrderNotFound(id))?;
    let row: Option<(i64, i64, i64, i64)> =
        sqlx::query_as("SELECT id, product_id, quantity, total_cents FROM orders WHERE id = $1")
            .bind(stored)
            .fetch_optional(&pool)
            .await?;
    let (id, product_id, quantity, total_cents) =
        row.ok_or(ServiceError::Api(ApiError::OrderNotFound(id)))?;
    Ok(Json(Order {
        id: id.unsigned_abs(),
        product_id: product_id.unsigned_abs(),
        quantity,
        total_cents,
    }))
}
