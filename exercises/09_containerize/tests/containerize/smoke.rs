//! The contract smoke suite: one request or two for each chapter's promise,
//! against a server this test started (the binary, or the container). It
//! creates and touches only its own product and order, so it may run twice
//! against one server.

use kit::{Method, StatusCode, TestApp, json};

/// Runs every check, in the order of the chapters; panics with the kit's
/// report at the first broken promise.
pub async fn contract(app: &TestApp) {
    health(app).await;
    let id = product_lifecycle(app).await;
    order_retry(app, id).await;
}

async fn health(app: &TestApp) {
    app.get("/health")
        .await
        .expect_status(
            StatusCode::OK,
            "GET /health answers 200 when the service is up (chapter 2).",
        )
        .expect_json(
            &json!({"status": "ok"}),
            "The health body is {\"status\": \"ok\"} (chapter 2).",
        );
    let list = app.get("/products").await;
    let why = "GET /products answers 200 with a JSON array holding the seed products (chapter 3).";
    list.expect_status(StatusCode::OK, why);
    let products = list.json(why);
    let seeded = products
        .as_array()
        .is_some_and(|products| products.iter().any(|product| product["id"] == json!(1)));
    list.expect(
        seeded,
        "an array that holds the seed product 1",
        match products.as_array() {
            Some(all) => format!("an array of {} products without it", all.len()),
            None => format!("JSON that is not an array: {products}"),
        },
        why,
    );
}

/// POST, PUT, GET and DELETE one product of the test's own; returns the id of
/// a second product left in place for the order.
async fn product_lifecycle(app: &TestApp) -> u64 {
    let created = app
        .post_json(
            "/products",
            &json!({"name": kit::unique_name("boxed"), "price_cents": 500, "category": "smoke"}),
        )
        .await;
    let why = "POST /products answers 201 Created with the new product and its id (chapter 4).";
    created.expect_status(StatusCode::CREATED, why);
    let Some(id) = created.json(why)["id"].as_u64() else {
        created.fail("a numeric \"id\"", created.text(), why);
    };
    created.expect_location(
        &format!("/products/{id}"),
        "A 201 says where the new product lives: Location: /products/{id} (chapter 4).",
    );

    let name = kit::unique_name("reboxed");
    let replaced = json!({"id": id, "name": name, "price_cents": 700, "category": "smoke"});
    app.put_json(&format!("/products/{id}"), &replaced)
        .await
        .expect_status(
            StatusCode::OK,
            "PUT on a product that exists replaces it: 200 (chapter 5).",
        )
        .expect_json(
            &replaced,
            "PUT stores the whole new product and answers with it (chapter 5).",
        );

    app.delete(&format!("/products/{id}")).await.expect_status(
        StatusCode::NO_CONTENT,
        "DELETE of a product that exists answers 204 (chapter 6).",
    );
    let gone = app.get(&format!("/products/{id}")).await;
    let why = "A deleted product is gone: GET answers a 404 problem, with \
               Content-Type: application/problem+json (chapters 6 and 7).";
    gone.expect_status(StatusCode::NOT_FOUND, why)
        .expect_header("content-type", "application/problem+json", why);
    let status = gone.json(why)["status"].clone();
    gone.expect(
        status == json!(404),
        "a problem body whose \"status\" is 404",
        format!("\"status\": {status}"),
        why,
    );

    let kept = app
        .post_json(
            "/products",
            &json!({"name": kit::unique_name("orderable"), "price_cents": 250, "category": "smoke"}),
        )
        .await;
    kept.expect_status(
        StatusCode::CREATED,
        "POST /products answers 201 (chapter 4).",
    );
    match kept.json("POST /products answers JSON (chapter 4).")["id"].as_u64() {
        Some(id) => id,
        None => kept.fail(
            "a numeric \"id\"",
            kept.text(),
            "POST /products answers its id (chapter 4).",
        ),
    }
}

/// One order, then its retry under the same key: the same answer, no second order.
async fn order_retry(app: &TestApp, product_id: u64) {
    let key = kit::unique_name("smoke-key");
    let body = json!({"product_id": product_id, "quantity": 3});
    let first = app
        .request(Method::POST, "/orders")
        .header("Idempotency-Key", &key)
        .json(&body)
        .await;
    let why = "POST /orders with a new Idempotency-Key places the order: 201, with \
               total_cents = quantity x price (chapter 8).";
    first.expect_status(StatusCode::CREATED, why);
    let order = first.json(why);
    first.expect(
        order["total_cents"] == json!(750),
        "\"total_cents\": 750 (3 x 250)",
        format!("\"total_cents\": {}", order["total_cents"]),
        why,
    );

    let retry = app
        .request(Method::POST, "/orders")
        .header("Idempotency-Key", &key)
        .json(&body)
        .await;
    retry
        .expect_status(
            StatusCode::CREATED,
            "A retry with the same key and body gets the same status (chapter 8).",
        )
        .expect_json(
            &order,
            "A retry gets the very same order back, and no second order is placed (chapter 8).",
        );
}
