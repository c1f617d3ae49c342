// Starting code generated from solutions/11_postgres/src/lib.rs by `cargo run -- dev sync`.
//! Chapter 11, State in PostgreSQL: state that outlives the process.
//!
//! Until now the shop kept its products, orders and idempotency keys in
//! memory: a restart lost them all, and two instances of the service were two
//! shops that knew nothing of each other. Here they move into PostgreSQL.
//! The endpoints, rules and answers are chapter 8's and chapter 10's
//! (`shop::validate`, `shop::ApiError`, `deploy::auth`), plus:
//!
//! - after a restart, every product and order is still there;
//! - two instances on one database behave as one: a retry sent to the other
//!   instance replays the same order;
//! - 24 concurrent requests with one key, spread over two instances, place
//!   exactly one order;
//! - `GET /health` answers 200 only when the database answers, 503 otherwise.
//!
//! The tables are given, in `migrations/`, embedded with `include_str!` and
//! applied at startup. The program (`src/main.rs`) reads `DATABASE_URL`,
//! `PORT`, `API_KEY` or `API_KEY_FILE`, and `LOG_LEVEL` (`src/config.rs`).
//!
//! Work in this order: `database_url` in `src/config.rs`; `health` below;
//! `create` in `src/products.rs`; `claim` in `src/idempotency.rs`; `decide`
//! in `src/orders.rs`; the migration in `src/main.rs`.
//!
//! Check it: `cargo test` in this directory (it starts a throwaway PostgreSQL:
//! install Debian's `postgresql`). Read: `book/src/11_postgres.md`.

// Starting code leaves parts unused until you write them.
#![allow(dead_code, unused_imports, unused_mut, unused_variables, clippy::todo)]

pub mod config;
mod error;
pub mod idempotency;
pub mod orders;
pub mod products;

pub use config::{Config, ConfigError, DatabaseUrl, database_url};
pub use error::{ServiceError, is_unavailable};

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use deploy::ApiKey;
use serde_json::json;
use shop::problem::Problem;
use shop::{ApiError, MAX_BODY_BYTES};
use sqlx::migrate::{MigrateError, Migration, MigrationType, Migrator};
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, SqlSafeStr};

/// `migrations/20261204000001_shop.sql`, compiled into the binary.
const SHOP_SQL: &str = include_str!("../migrations/20261204000001_shop.sql");

/// The tables, from `migrations/`, compiled into the binary: the service
/// needs no files beside it to set up an empty database. Each migration is
/// the version and the description that sqlx reads from its file's name
/// (`<version>_<description>.sql`), and the file's SQL (`SHOP_SQL`, read
/// by `include_str!`).
pub const MIGRATIONS: [(i64, &str, &str); 1] = [(20261204000001, "shop", SHOP_SQL)];

/// sqlx's migrator for [`MIGRATIONS`]: what `sqlx::migrate!` would build
/// from the folder, without the proc macro (and a second build of sqlx for
/// it) in the course's compile. A file that starts with
/// `-- no-transaction` runs outside a transaction, as sqlx's own reader
/// decides it.
pub fn migrator() -> Migrator {
    let migrations = MIGRATIONS.iter().map(|&(version, description, sql)| {
        let no_tx = sql.starts_with("-- no-transaction");
        let sql = sql.into_sql_str();
        Migration::new(
            version,
            description.into(),
            MigrationType::Simple,
            sql,
            no_tx,
        )
    });
    Migrator::with_migrations(migrations.collect())
}

/// Applies the migrations the database does not have yet, and records them
/// in its `_sqlx_migrations` table. sqlx holds a PostgreSQL advisory lock
/// meanwhile, so replicas starting together take turns instead of creating
/// the same table twice.
pub async fn migrate(pool: &PgPool) -> Result<(), MigrateError> {
    migrator().run(pool).await
}

/// The most connections one instance opens. PostgreSQL's default limit is
/// 100 for every client together: three replicas at 10 leave room.
pub const MAX_CONNECTIONS: u32 = 10;

/// How long a request waits for a free connection before it gives up with
/// a 503: a database that cannot give one in 5 s is down or overloaded.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// A pool of connections to `url`, opened as requests need them, so that
/// building it needs no database and cannot fail.
pub fn pool(url: &DatabaseUrl) -> PgPool {
    PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_lazy_with(url.options())
}

/// The shop on `pool`. With `Some(key)`, every request but the health check
/// must carry the key (chapter 10); with `None`, everything is open.
pub fn app(pool: PgPool, api_key: Option<ApiKey>) -> Router {
    let routes = Router::new()
        .route("/health", get(health))
        .route(
            "/products",
            get(products::list_products).post(products::create_product),
        )
        .route(
            "/products/{id}",
            get(products::get_product)
                .put(products::put_product)
                .delete(products::delete_product),
        )
        .route("/optimizations/today", get(products::optimizations_today))
        .route("/predictions", post(products::predict))
        .route("/orders", post(orders::create_order))
        .route("/orders/{id}", get(orders::get_order))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(route_not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(pool);
    match api_key {
        Some(key) => routes.layer(middleware::from_fn_with_state(
            Arc::new(key),
            deploy::auth::require_api_key,
        )),
        None => routes,
    }
}

/// How long the health check waits for the database.
pub const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);

// TODO: ask the database a question that touches no table:
//     `sqlx::query("SELECT 1").execute(&pool)`, bounded by
//     `tokio::time::timeout(HEALTH_TIMEOUT, ..)`. `Ok(Ok(_))` is
//     `Json(json!({"status": "ok"})).into_response()`; an error or a timeout is a
//     `Problem { status: StatusCode::SERVICE_UNAVAILABLE, detail: .. }` (log the
//     error with `tracing::warn!`, and keep it out of the detail).
/// `GET /health`: 200 when the database answers within [`HEALTH_TIMEOUT`],
/// 503 otherwise. An instance that cannot reach its database cannot serve
/// a single order: a load balancer should send requests elsewhere.
async fn health(State(pool): State<PgPool>) -> Response {
    todo!("answer 200 when SELECT 1 succeeds within HEALTH_TIMEOUT, 503 otherwise")
}

/// No route has this path: a 404 problem, as in chapter 7.
async fn route_not_found(uri: Uri) -> ApiError {
    ApiError::NoSuchRoute(uri.path().to_owned())
}

/// The path exists, the method does not: a 405 problem; axum adds `Allow`.
async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed {
        method,
        path: uri.path().to_owned(),
    }
}
