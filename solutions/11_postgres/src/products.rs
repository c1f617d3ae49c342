//! The catalogue, in PostgreSQL: chapter 8's endpoints, with the same rules
//! (`shop::validate`) and the same answers, and the rows in the `products`
//! table instead of a `BTreeMap` behind a mutex.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use shop::{ApiError, MAX_CLIENT_ID, PathId, Product, ProductInput};
use sqlx::PgPool;

use crate::ServiceError;

/// A product row as the queries select it: `id, name, price_cents, category`.
pub type Row = (i64, String, i64, String);

/// The JSON shape of a row. Ids are positive in the table (a `CHECK`), so
/// `unsigned_abs` is the id itself.
pub fn product((id, name, price_cents, category): Row) -> Product {
    Product {
        id: id.unsigned_abs(),
        name,
        price_cents,
        category,
    }
}

/// A path's id as the table stores it. An id above `i64::MAX` fits no
/// `BIGINT`, so no row has it: it is simply not found.
pub fn stored_id(id: u64, not_found: ApiError) -> Result<i64, ApiError> {
    i64::try_from(id).map_err(|_| not_found)
}

#[derive(Deserialize)]
pub struct ListQuery {
    category: Option<String>,
}

/// `GET /products`: `ORDER BY id`, as the chapters before answered in id order.
pub async fn list_products(
    State(pool): State<PgPool>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<Product>>, ServiceError> {
    let Query(query) = query?;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, name, price_cents, category FROM products \
         WHERE $1::text IS NULL OR category = $1 ORDER BY id",
    )
    .bind(query.category)
    .fetch_all(&pool)
    .await?;
    Ok(Json(rows.into_iter().map(product).collect()))
}

/// `GET /products/{id}`.
pub async fn get_product(
    State(pool): State<PgPool>,
    PathId(id): PathId,
) -> Result<Json<Product>, ServiceError> {
    let stored = stored_id(id, ApiError::ProductNotFound(id))?;
    let row: Option<Row> =
        sqlx::query_as("SELECT id, name, price_cents, category FROM products WHERE id = $1")
            .bind(stored)
            .fetch_optional(&pool)
            .await?;
    row.map(|row| Json(product(row)))
        .ok_or(ServiceError::Api(ApiError::ProductNotFound(id)))
}

/// A product body that passed chapter 8's rules, as the table takes it.
pub struct NewProduct {
    pub name: String,
    pub price_cents: i64,
    pub category: String,
}

/// Chapter 8's rules, unchanged: `shop::validate` decides, and this keeps
/// the fields it checked.
pub fn checked(input: ProductInput) -> Result<NewProduct, ApiError> {
    let new = NewProduct {
        name: input.name.clone(),
        price_cents: input.price_cents,
        category: input.category.clone(),
    };
    shop::validate(input)?;
    Ok(new)
}

// ANCHOR: create
/// `POST /products`: the next id and the new row, in one transaction.
pub async fn create_product(
    State(pool): State<PgPool>,
    body: Result<Json<ProductInput>, JsonRejection>,
) -> Result<Response, ServiceError> {
    let Json(input) = body?;
    let new = checked(input)?;
    let product = create(&pool, new).await?;
    Ok(created(product))
}

// ANCHOR: exercise // TODO: in one transaction (`let mut tx = pool.begin().await?;`):
// ANCHOR: exercise //     1. take the next id: `sqlx::query_scalar("UPDATE product_ids SET last_id =
// ANCHOR: exercise //        last_id + 1 WHERE last_id < $1 RETURNING last_id")`, bound to `i64::MAX`,
// ANCHOR: exercise //        `.fetch_optional(&mut *tx)`: `None` means every id is taken,
// ANCHOR: exercise //        `ApiError::IdsExhausted("product")`. The UPDATE locks the row until
// ANCHOR: exercise //        the commit, so two POSTs, even on two instances, never get one id;
// ANCHOR: exercise //     2. `INSERT INTO products (id, name, price_cents, category) VALUES ($1, $2, $3, $4)`
// ANCHOR: exercise //        with `.bind(..)` for each value, `.execute(&mut *tx)`;
// ANCHOR: exercise //     3. `tx.commit().await?`, and return the `Product` (see `product` above).
// ANCHOR: exercise //     `?` turns a `sqlx::Error` into `ServiceError::Database` by itself.
// ANCHOR_END: exercise
/// Takes the next id from `product_ids` and inserts the row. The `UPDATE`
/// locks the counter's row until the commit, so two concurrent POSTs, on one
/// instance or two, take turns instead of taking the same id.
pub async fn create(pool: &PgPool, new: NewProduct) -> Result<Product, ServiceError> {
    // ANCHOR: exercise todo!("take the next id and insert the product, in one transaction")
    let mut tx = pool.begin().await?;
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE product_ids SET last_id = last_id + 1 WHERE last_id < $1 RETURNING last_id",
    )
    .bind(i64::MAX)
    .fetch_optional(&mut *tx)
    .await?;
    let id = id.ok_or(ApiError::IdsExhausted("product"))?;
    sqlx::query("INSERT INTO products (id, name, price_cents, category) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(&new.name)
        .bind(new.price_cents)
        .bind(&new.category)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(product((id, new.name, new.price_cents, new.category)))
    // ANCHOR_END: exercise
}
// ANCHOR_END: create

/// 201 Created, with the new product's address.
fn created(product: Product) -> Response {
    let location = format!("/products/{}", product.id);
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(product),
    )
        .into_response()
}

// ANCHOR: put
/// `PUT /products/{id}`: 201 when the row is new, 200 when it replaced one.
pub async fn put_product(
    State(pool): State<PgPool>,
    PathId(id): PathId,
    body: Result<Json<ProductInput>, JsonRejection>,
) -> Result<Response, ServiceError> {
    if id > MAX_CLIENT_ID {
        return Err(ApiError::IdTooLarge(id).into());
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
        }
        .into());
    }
    let new = checked(input)?;
    // At most MAX_CLIENT_ID, so it fits a BIGINT.
    let stored = stored_id(id, ApiError::IdTooLarge(id))?;
    let mut tx = pool.begin().await?;
    // The counter first, as POST does: two transactions that lock the same
    // rows in the same order wait for each other, and never deadlock.
    sqlx::query("UPDATE product_ids SET last_id = GREATEST(last_id, $1)")
        .bind(stored)
        .execute(&mut *tx)
        .await?;
    // `xmax = 0` is PostgreSQL's way of saying "this row was inserted, not
    // updated" in the row that `ON CONFLICT DO UPDATE` returns.
    let inserted: bool = sqlx::query_scalar(
        "INSERT INTO products (id, name, price_cents, category) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, \
         price_cents = EXCLUDED.price_cents, category = EXCLUDED.category \
         RETURNING xmax = 0",
    )
    .bind(stored)
    .bind(&new.name)
    .bind(new.price_cents)
    .bind(&new.category)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let product = product((stored, new.name, new.price_cents, new.category));
    if inserted {
        Ok(created(product))
    } else {
        Ok(Json(product).into_response())
    }
}
// ANCHOR_END: put

/// `DELETE /products/{id}`: 204, or 404 when no row had the id.
pub async fn delete_product(
    State(pool): State<PgPool>,
    PathId(id): PathId,
) -> Result<StatusCode, ServiceError> {
    let stored = stored_id(id, ApiError::ProductNotFound(id))?;
    let deleted = sqlx::query("DELETE FROM products WHERE id = $1")
        .bind(stored)
        .execute(&pool)
        .await?;
    if deleted.rows_affected() == 1 {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::ProductNotFound(id).into())
    }
}

#[derive(Serialize)]
pub struct Optimizations {
    date: String,
    recommendations: Vec<Recommendation>,
}

#[derive(Serialize)]
struct Recommendation {
    product_id: u64,
    price_cents: i64,
}

/// `GET /optimizations/today`: 10% off every product, rounded down.
pub async fn optimizations_today(
    State(pool): State<PgPool>,
) -> Result<Json<Optimizations>, ServiceError> {
    let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT id, price_cents FROM products ORDER BY id")
        .fetch_all(&pool)
        .await?;
    let recommendations = rows
        .into_iter()
        .map(|(id, price_cents)| Recommendation {
            product_id: id.unsigned_abs(),
            // In i128, so that no price can overflow; 90% of an i64 fits one.
            price_cents: i64::try_from(i128::from(price_cents) * 9 / 10).unwrap_or(i64::MAX),
        })
        .collect();
    Ok(Json(Optimizations {
        date: time::OffsetDateTime::now_utc().date().to_string(),
        recommendations,
    }))
}

#[derive(Deserialize)]
pub struct PredictionRequest {
    product_id: u64,
    price_cents: i64,
}

#[derive(Serialize)]
pub struct Prediction {
    product_id: u64,
    price_cents: i64,
    predicted_units: i64,
}

/// `POST /predictions`: `100 * list price / price` units, as in chapter 4.
pub async fn predict(
    State(pool): State<PgPool>,
    body: Result<Json<PredictionRequest>, JsonRejection>,
) -> Result<Json<Prediction>, ServiceError> {
    let Json(request) = body?;
    if request.price_cents <= 0 {
        return Err(ApiError::Invalid {
            field: "price_cents",
            problem: "must be more than zero".to_owned(),
        }
        .into());
    }
    let not_found = || ApiError::ProductNotFound(request.product_id);
    let stored = stored_id(request.product_id, not_found())?;
    let list_price: Option<i64> =
        sqlx::query_scalar("SELECT price_cents FROM products WHERE id = $1")
            .bind(stored)
            .fetch_optional(&pool)
            .await?;
    let list_price = list_price.ok_or_else(not_found)?;
    let units = 100 * i128::from(list_price) / i128::from(request.price_cents);
    Ok(Json(Prediction {
        product_id: request.product_id,
        price_cents: request.price_cents,
        predicted_units: i64::try_from(units).unwrap_or(i64::MAX),
    }))
}
