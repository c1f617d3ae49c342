//! Chapter 11, State in PostgreSQL: the contract, checked over real HTTP
//! against a real PostgreSQL. Read `book/src/11_postgres.md` for the table
//! these tests follow.
//!
//! - `postgres/contract.rs`: chapter 8's contract still holds, now on a
//!   database: products, orders, idempotency keys, problems, the health check.
//! - `postgres/state.rs`: what only a database gives: a restart keeps every
//!   product and order, and two instances on one database behave as one,
//!   down to 24 concurrent requests with one key placing one order.
//! - `postgres/config.rs`: `DATABASE_URL`, `API_KEY_FILE` and the rest, first
//!   as a pure function, then with the real binary, which migrates an empty
//!   database at startup and stops cleanly on SIGTERM.
//!
//! **The database.** Each test gets an empty database of its own, with the
//! migrations applied, on a throwaway PostgreSQL that the first test starts
//! from Debian's `postgresql` binaries and that stops when the tests end
//! (`crates/pg`). Without PostgreSQL installed the tests that need it print
//! `SKIPPED: no PostgreSQL (install Debian's postgresql)` and pass; with
//! `RESTLINGS_REQUIRE_POSTGRES=1`, as in CI, that is a failure.
//!
//! **URL mode** (`RESTLINGS_BASE_URL`): the tests use only HTTP, against your
//! server and its own database, started with no API key. The restart test
//! cannot restart your server, and the two-instance tests need a second
//! instance on the same database: give its address as
//! `RESTLINGS_SECOND_BASE_URL`, or they print `SKIPPED:`. The configuration
//! and binary tests check this crate's own code, so they skip too.

#[path = "postgres/config.rs"]
mod config;
#[path = "postgres/contract.rs"]
mod contract;
#[path = "postgres/state.rs"]
mod state;

use kit::{Exchange, Method, StatusCode, TestApp, Value, json};
use pg::TestDatabase;
use pg_shop::{DatabaseUrl, app, database_url, migrate, pool};

pub const CHAPTER: &str = "11_postgres";

/// The address of a second instance on the same database, in URL mode.
pub const SECOND_URL_VAR: &str = "RESTLINGS_SECOND_BASE_URL";

pub const DRAFT: &str = "the IETF httpapi draft \"The Idempotency-Key HTTP Header Field\"";

pub fn url_mode() -> bool {
    std::env::var_os(kit::BASE_URL_VAR).is_some_and(|url| !url.is_empty())
}

/// In URL mode, tests of this crate's own code have nothing to check.
pub fn skip_in_url_mode(what: &str) -> bool {
    if url_mode() {
        println!(
            "SKIPPED: {what} checks this crate's own code; URL mode tests the server at {}",
            kit::BASE_URL_VAR
        );
    }
    url_mode()
}

/// An empty database of this test's own, migrated as the service does it
/// at startup. `None` (the test then returns, having printed `SKIPPED:`)
/// when PostgreSQL is not installed.
pub async fn database() -> Option<TestDatabase> {
    kit::quiet_panics();
    let database = TestDatabase::create().await?;
    let url = checked_url(database.url());
    let migrations = pool(&url);
    migrate(&migrations).await.unwrap_or_else(|error| {
        panic!(
            "the migrations in migrations/ did not apply to an empty database: {error}. \
             They are given: put them back as they were"
        )
    });
    migrations.close().await;
    Some(database)
}

/// The test database's URL, read as the service reads `DATABASE_URL`.
pub fn checked_url(url: &str) -> DatabaseUrl {
    database_url(Some(url)).unwrap_or_else(|error| {
        panic!("DATABASE_URL={url} is a PostgreSQL URL, and database_url refused it: {error}")
    })
}

/// One instance of the service on `database`, open (no API key), served by
/// the kit on a loopback port. Several on one database are several
/// replicas; dropping one and spawning another is a restart.
pub async fn instance(database: &TestDatabase) -> TestApp {
    let url = checked_url(database.url());
    TestApp::spawn(move || app(pool(&url), None), CHAPTER).await
}

/// The shop under test: in URL mode the server at `RESTLINGS_BASE_URL`;
/// otherwise one instance on a database of its own.
pub async fn shop() -> Option<TestApp> {
    if url_mode() {
        return Some(TestApp::spawn(unreachable_app, CHAPTER).await);
    }
    let database = database().await?;
    Some(instance(&database).await)
}

/// What `TestApp::spawn` is given in URL mode: it never calls it.
fn unreachable_app() -> axum::Router {
    axum::Router::new()
}

/// Two instances of the service on one database: two kit servers here, or
/// in URL mode the servers at `RESTLINGS_BASE_URL` and
/// `RESTLINGS_SECOND_BASE_URL`. `None` when there is no second one to test.
pub async fn two_instances(what: &str) -> Option<(TestApp, TestApp)> {
    if url_mode() {
        let second = std::env::var(SECOND_URL_VAR)
            .ok()
            .filter(|url| !url.is_empty());
        let Some(second) = second else {
            println!(
                "SKIPPED: {what} needs two instances on one database; start a second one and \
                 give its address as {SECOND_URL_VAR}"
            );
            return None;
        };
        let first = TestApp::spawn(unreachable_app, CHAPTER).await;
        return Some((first, TestApp::connect(&second, CHAPTER)));
    }
    let database = database().await?;
    Some((instance(&database).await, instance(&database).await))
}

/// Creates a product at `price_cents` and returns its id.
pub async fn create_product(app: &TestApp, price_cents: i64) -> u64 {
    let body = json!({
        "name": kit::unique_name("stored"),
        "price_cents": price_cents,
        "category": "postgres",
    });
    let res = app.post_json("/products", &body).await;
    let why = "The test needs a product: POST /products answers 201 with the new product and \
               its id (chapter 4).";
    res.expect_status(StatusCode::CREATED, why);
    let created = res.json(why);
    match created["id"].as_u64() {
        Some(id) => id,
        None => res.fail(
            "a numeric \"id\"",
            format!("\"id\": {}", created["id"]),
            why,
        ),
    }
}

pub fn order_body(product_id: u64, quantity: i64) -> Value {
    json!({ "product_id": product_id, "quantity": quantity })
}

/// `POST /orders` with `body`, and the key when there is one.
pub async fn post_order(app: &TestApp, key: Option<&str>, body: &Value) -> Exchange {
    let mut call = app.request(Method::POST, "/orders").json(body);
    if let Some(key) = key {
        call = call.header("Idempotency-Key", key);
    }
    call.await
}

/// Checks a 201 for an order and returns its id.
#[track_caller]
pub fn expect_created_order(
    res: &Exchange,
    product_id: u64,
    quantity: i64,
    total_cents: i64,
) -> u64 {
    let why = "The first request with a new Idempotency-Key places the order: 201 Created \
               (RFC 9110 §15.3.2), with the order's id, product_id, quantity and total_cents, \
               where total_cents is quantity times the product's price at the time of the order.";
    res.expect_status(StatusCode::CREATED, why);
    let body = res.json(why);
    let Some(id) = body["id"].as_u64() else {
        res.fail("a numeric \"id\"", format!("\"id\": {}", body["id"]), why);
    };
    res.expect_json(
        &json!({
            "id": id,
            "product_id": product_id,
            "quantity": quantity,
            "total_cents": total_cents,
        }),
        why,
    )
    .expect_location(
        &format!("/orders/{id}"),
        "A 201 says where the new resource lives: Location: /orders/{id} (RFC 9110 §10.2.2).",
    );
    id
}
