//! Idempotency keys in PostgreSQL, after Zero To Production's design: a
//! table whose primary key is the key, claimed with `INSERT … ON CONFLICT
//! DO NOTHING` inside the transaction that places the order.
//!
//! Chapter 8 decided under a `Mutex`, which one process holds. Two
//! instances of the service have two mutexes and would both place the
//! order. Here the database decides, and there is one database:
//!
//! - the first request inserts the key's row, and places the order in the
//!   same transaction; nobody else sees the row before it commits;
//! - a concurrent request with the same key meets the unique index, and
//!   PostgreSQL makes its `INSERT` wait for the first transaction to end.
//!   Committed: the insert does nothing, and the request reads the stored
//!   order and replays it. Rolled back (the first attempt failed): the
//!   insert goes through, and this request places the order itself;
//! - a request that waits longer than the transaction's `lock_timeout`
//!   gives up with chapter 8's 409: still in flight, retry in a moment.
//!
//! A process that dies mid-request loses its connection, and PostgreSQL
//! rolls its transaction back: a crash can never leave a key blocked.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use shop::ApiError;
use shop::orders::Order;
use sqlx::PgConnection;

use crate::ServiceError;
use crate::orders::OrderRequest;

// ANCHOR: key
/// A checked `Idempotency-Key`, as text for the table. The rules are
/// chapter 8's, from `shop::idempotency::IdempotencyKey`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        // Chapter 8 checks the header (one value, 1 to 255 visible ASCII
        // characters) and refuses it with the same problems as before ...
        shop::idempotency::IdempotencyKey::from_request_parts(parts, state).await?;
        // ... so the value is there, and is text.
        parts
            .headers
            .get(shop::idempotency::HEADER)
            .and_then(|value| value.to_str().ok())
            .map(|key| IdempotencyKey(key.to_owned()))
            .ok_or(ApiError::InvalidKey)
    }
}

impl IdempotencyKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
// ANCHOR_END: key

// ANCHOR: claim
/// What the database says about a key, inside the order's transaction.
#[derive(Debug)]
pub enum Claim {
    /// This request inserted the key's row: it places the order, in the same
    /// transaction, and [`record`]s it.
    New,
    /// The key's first request placed this order: answer it again.
    Replay(Order),
    /// The key was first used for another request: 422.
    Mismatch,
}

/// A key's row with its order, if it has one: `product_id, quantity` of the
/// request, then the order's `id, total_cents`.
pub type StoredKey = (i64, i64, Option<i64>, Option<i64>);

// ANCHOR: exercise // TODO: two statements, on `&mut *tx` (the transaction the order is placed in):
// ANCHOR: exercise //     1. `sqlx::query("INSERT INTO idempotency_keys (idempotency_key, product_id,
// ANCHOR: exercise //        quantity) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")`, bound to
// ANCHOR: exercise //        `key.as_str()`, `request.product_id` and `request.quantity`. If
// ANCHOR: exercise //        `.execute(..).await?.rows_affected()` is 1, the key is ours: `Claim::New`.
// ANCHOR: exercise //     2. Otherwise the row exists, committed by another request (the INSERT
// ANCHOR: exercise //        waited for it). Read it with `sqlx::query_as` into an
// ANCHOR: exercise //        `Option<StoredKey>`: `SELECT k.product_id, k.quantity, o.id, o.total_cents
// ANCHOR: exercise //        FROM idempotency_keys k LEFT JOIN orders o ON o.id = k.order_id
// ANCHOR: exercise //        WHERE k.idempotency_key = $1`, `.fetch_optional(..)`. Another product_id
// ANCHOR: exercise //        or quantity is `Claim::Mismatch`; an order is `Claim::Replay(Order { .. })`;
// ANCHOR: exercise //        no row, or no order yet, is `ApiError::KeyInFlight` (409: retry soon).
// ANCHOR_END: exercise
/// Claims `key` for `request`, or finds who already did. Race-free because
/// PostgreSQL checks the primary key: of any number of concurrent
/// transactions, on any number of instances, exactly one inserts the row.
pub async fn claim(
    tx: &mut PgConnection,
    key: &IdempotencyKey,
    request: &OrderRequest,
) -> Result<Claim, ServiceError> {
    // ANCHOR: exercise todo!("insert the key's row, or read the row that is there")
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (idempotency_key, product_id, quantity) \
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(key.as_str())
    .bind(request.product_id)
    .bind(request.quantity)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Claim::New);
    }
    // The INSERT found the key taken, and waited, if it had to, until the
    // transaction that took it committed. So the row and its order are there.
    let stored: Option<StoredKey> = sqlx::query_as(
        "SELECT k.product_id, k.quantity, o.id, o.total_cents FROM idempotency_keys k \
         LEFT JOIN orders o ON o.id = k.order_id WHERE k.idempotency_key = $1",
    )
    .bind(key.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    match stored {
        Some((product_id, quantity, _, _))
            if (product_id, quantity) != (request.product_id, request.quantity) =>
        {
            Ok(Claim::Mismatch)
        }
        Some((product_id, quantity, Some(id), Some(total_cents))) => Ok(Claim::Replay(Order {
            id: id.unsigned_abs(),
            product_id: product_id.unsigned_abs(),
            quantity,
            total_cents,
        })),
        // A row is never committed without its order: not seen yet, so in flight.
        _ => Err(ApiError::KeyInFlight.into()),
    }
    // ANCHOR_END: exercise
}
// ANCHOR_END: claim

/// Writes the order into the key's row, in the same transaction: from the
/// commit on, every retry replays it.
pub async fn record(
    tx: &mut PgConnection,
    key: &IdempotencyKey,
    order: &Order,
) -> Result<(), ServiceError> {
    let id = i64::try_from(order.id).map_err(|_| ApiError::IdsExhausted("order"))?;
    sqlx::query("UPDATE idempotency_keys SET order_id = $2 WHERE idempotency_key = $1")
        .bind(key.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
