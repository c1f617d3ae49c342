//! Chapter 8, Idempotency-Key: the contract, checked over real HTTP.
//! Read `book/src/08_idempotency_key.md` for the table these tests follow.
//!
//! In URL mode other tests share the server: every test orders products it
//! created itself, under keys from `kit::unique_name("key")`, and reads back
//! only the orders it placed. The seeds are only read.

use std::collections::{BTreeMap, BTreeSet};

use idempotency_key::app;
use kit::{Exchange, Method, StatusCode, TestApp, Value, json};

const CHAPTER: &str = "08_idempotency_key";

async fn spawn() -> TestApp {
    TestApp::spawn(app, CHAPTER).await
}

const DRAFT: &str = "the IETF httpapi draft \"The Idempotency-Key HTTP Header Field\"";

/// Creates a product at `price_cents` and returns its id.
async fn create_product(app: &TestApp, price_cents: i64) -> u64 {
    let body = json!({
        "name": kit::unique_name("orderable"),
        "price_cents": price_cents,
        "category": "orders",
    });
    let res = app.post_json("/products", &body).await;
    let why = "The test needs a product to order: POST /products answers 201 with the new \
               product and its id (chapter 4).";
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

fn order_body(product_id: u64, quantity: i64) -> Value {
    json!({ "product_id": product_id, "quantity": quantity })
}

/// `POST /orders` with `body`, and the key when there is one.
async fn post_order(app: &TestApp, key: Option<&str>, body: &Value) -> Exchange {
    let mut call = app.request(Method::POST, "/orders").json(body);
    if let Some(key) = key {
        call = call.header("Idempotency-Key", key);
    }
    call.await
}

/// Checks a 201 for an order and returns its id.
#[track_caller]
fn expect_created_order(res: &Exchange, product_id: u64, quantity: i64, total_cents: i64) -> u64 {
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

#[tokio::test]
async fn a_first_order_answers_201_with_location_and_the_total_at_todays_price() {
    // Arrange
    let app = spawn().await;
    let product = create_product(&app, 1250).await;
    let key = kit::unique_name("key");

    // Act
    let res = post_order(&app, Some(&key), &order_body(product, 3)).await;

    // Assert
    let id = expect_created_order(&res, product, 3, 3750);
    app.get(&format!("/orders/{id}"))
        .await
        .expect_status(
            StatusCode::OK,
            "The Location of a new order is a URL you can GET: 200 with the order.",
        )
        .expect_json(
            &res.json("the order"),
            "GET /orders/{id} answers the same order that POST created.",
        );
}

#[tokio::test]
async fn a_retry_with_the_same_key_and_body_gets_the_same_answer() {
    // Arrange: the first attempt, whose answer the client "lost".
    let app = spawn().await;
    let product = create_product(&app, 499).await;
    let key = kit::unique_name("key");
    let body = order_body(product, 2);
    let first = post_order(&app, Some(&key), &body).await;
    let id = expect_created_order(&first, product, 2, 998);

    for attempt in 1..=3 {
        // Act
        let retry = post_order(&app, Some(&key), &body).await;

        // Assert
        let why = format!(
            "Retry {attempt} repeats the same Idempotency-Key and body, so it is the same \
             operation, not a new one ({DRAFT}). The server answers what it answered the \
             first time: the same status, the same Location and the same body, with the same \
             order id. A different id means the retry placed a second order."
        );
        retry
            .expect_status(first.status(), &why)
            .expect_json(&first.json(&why), &why)
            .expect_location(&format!("/orders/{id}"), &why);
    }
}

#[tokio::test]
async fn a_retry_replays_the_original_total_even_after_the_price_changed() {
    // Arrange
    let app = spawn().await;
    let product = create_product(&app, 1000).await;
    let key = kit::unique_name("key");
    let body = order_body(product, 4);
    let first = post_order(&app, Some(&key), &body).await;
    let id = expect_created_order(&first, product, 4, 4000);
    let new_price = json!({
        "name": kit::unique_name("repriced"),
        "price_cents": 1500,
        "category": "orders",
    });
    app.put_json(&format!("/products/{product}"), &new_price)
        .await
        .expect_status(
            StatusCode::OK,
            "PUT replaces an existing product: 200 (chapter 5).",
        );

    // Act
    let retry = post_order(&app, Some(&key), &body).await;

    // Assert
    let why = "A retry is answered from what the server stored the first time, not by doing \
               the work again. The order was placed at 1000 cents each, so the replay still \
               says total_cents 4000, even though the price is now 1500.";
    retry
        .expect_status(StatusCode::CREATED, why)
        .expect_json(&first.json(why), why);
    app.get(&format!("/orders/{id}")).await.expect_json(
        &first.json(why),
        "An order keeps the price it was placed at: changing the product later does not \
         rewrite past orders.",
    );
    let fresh = post_order(&app, Some(&kit::unique_name("key")), &body).await;
    let fresh_id = expect_created_order(&fresh, product, 4, 6000);
    fresh.expect(
        fresh_id != id,
        format!("a new order, not order {id} again"),
        format!("order {fresh_id}"),
        "A new key is a new operation: it places a new order, at today's price.",
    );
}

#[tokio::test]
async fn the_same_key_with_a_different_body_answers_422_and_changes_nothing() {
    // Arrange
    let app = spawn().await;
    let product = create_product(&app, 250).await;
    let other = create_product(&app, 300).await;
    let key = kit::unique_name("key");
    let body = order_body(product, 1);
    let first = post_order(&app, Some(&key), &body).await;
    expect_created_order(&first, product, 1, 250);

    for changed in [order_body(product, 5), order_body(other, 1)] {
        // Act
        let res = post_order(&app, Some(&key), &changed).await;

        // Assert
        res.expect_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "The key was first used for another request. Reusing it with a different \
                 body is a client bug, and the server must not guess which one is meant: \
                 {DRAFT} says to answer 422, never 201, which would place a second order \
                 under a key that names the first."
            ),
        );
    }
    post_order(&app, Some(&key), &body)
        .await
        .expect_status(
            StatusCode::CREATED,
            "The refused reuse left the key as it was: a true retry still gets the first answer.",
        )
        .expect_json(
            &first.json("the first answer"),
            "The refused reuse must not overwrite the stored answer.",
        );
}

#[tokio::test]
async fn an_order_without_a_valid_key_answers_400() {
    let app = spawn().await;
    let product = create_product(&app, 100).await;
    let body = order_body(product, 1);
    let too_long = "k".repeat(256);
    let cases = [
        ("no Idempotency-Key header", None),
        ("an empty key", Some("")),
        ("a key of 256 characters", Some(too_long.as_str())),
        ("a key with a space", Some("two words")),
    ];

    for (what, key) in cases {
        let res = post_order(&app, key, &body).await;

        res.expect_problem(
            StatusCode::BAD_REQUEST,
            &format!(
                "POST /orders is not safe to retry without a key, so this API requires one: \
                 a request with {what} is malformed, 400 Bad Request ({DRAFT}; RFC 9110 §15.5.1). \
                 A key is 1 to 255 visible ASCII characters. Accepting the order anyway \
                 would make a retry of it place a second order."
            ),
        );
    }
}

#[tokio::test]
async fn two_idempotency_key_headers_answer_400_and_use_up_neither_key() {
    let app = spawn().await;
    let product = create_product(&app, 100).await;
    let body = order_body(product, 1);
    let (first, second) = (kit::unique_name("key"), kit::unique_name("key"));
    let cases = [
        ("two different keys", &first, &second),
        ("the same key twice", &first, &first),
    ];

    for (what, one, other) in cases {
        let res = app
            .request(Method::POST, "/orders")
            .json(&body)
            .header("Idempotency-Key", one)
            .header("Idempotency-Key", other)
            .await;

        res.expect_problem(
            StatusCode::BAD_REQUEST,
            &format!(
                "The request carries {what} in two Idempotency-Key headers. A key is one value \
                 ({DRAFT}), and RFC 9110 §5.3 forbids repeating a field that is not a list: \
                 the request is malformed, 400 Bad Request. Taking the first key would let a \
                 proxy that takes the last one see another operation. Chapter 10 answers two \
                 Authorization headers the same way."
            ),
        );
    }
    // Bodies other than the refused one: a key the refused requests used up
    // would now answer 422, a reuse with another body.
    let res = post_order(&app, Some(&first), &order_body(product, 3)).await;
    expect_created_order(&res, product, 3, 300);
    let res = post_order(&app, Some(&second), &order_body(product, 2)).await;
    expect_created_order(&res, product, 2, 200);
}

#[tokio::test]
async fn a_key_of_255_visible_characters_is_accepted() {
    let app = spawn().await;
    let product = create_product(&app, 100).await;
    // Visible ASCII runs from '!' to '~'; this key uses all of it, then fills up.
    let prefix = kit::unique_name("key");
    let all_visible: String = ('!'..='~').collect();
    let key: String = format!("{prefix}{all_visible}")
        .chars()
        .cycle()
        .take(255)
        .collect();

    let res = post_order(&app, Some(&key), &order_body(product, 1)).await;

    expect_created_order(&res, product, 1, 100);
}

#[tokio::test]
async fn an_order_for_a_product_that_does_not_exist_answers_422() {
    let app = spawn().await;
    let missing = kit::unique_number();

    let res = post_order(
        &app,
        Some(&kit::unique_name("key")),
        &order_body(missing, 1),
    )
    .await;

    let problem = res.expect_problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "The request is well formed but names a product that does not exist: 422 \
         Unprocessable Content (RFC 9110 §15.5.21). Not 404: the URL /orders exists.",
    );
    res.expect(
        problem["detail"]
            .as_str()
            .is_some_and(|detail| detail.contains("product_id")),
        "a detail that names product_id",
        format!("\"detail\": {}", problem["detail"]),
        "A 422's detail names the field to fix (RFC 9457 §3.1.4, chapter 7).",
    );
}

#[tokio::test]
async fn a_product_id_that_is_not_an_integer_answers_422_naming_product_id() {
    // Each of these could be misread as a product that exists: ours, or seed 1.
    let app = spawn().await;
    let product = create_product(&app, 100).await;

    for (product_id, what) in [
        (json!(product.to_string()), "a string of digits"),
        (json!(product as f64 + 0.5), "a number with a fraction"),
        (json!(true), "a boolean"),
        (json!(null), "null"),
    ] {
        let body = json!({ "product_id": product_id, "quantity": 1 });
        let res = post_order(&app, Some(&kit::unique_name("key")), &body).await;

        let problem = res.expect_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "product_id is {what}, and it must be a JSON integer: valid JSON with a value \
                 of the wrong type is 422 Unprocessable Content (RFC 9110 §15.5.21). Reading \
                 it as a number anyway would place an order for a product the client never \
                 named."
            ),
        );
        res.expect(
            problem["detail"]
                .as_str()
                .is_some_and(|detail| detail.contains("product_id")),
            "a detail that names product_id",
            format!("\"detail\": {}", problem["detail"]),
            "A 422's detail names the field to fix (RFC 9457 §3.1.4, chapter 7).",
        );
    }
}

#[tokio::test]
async fn a_quantity_below_one_or_not_an_integer_answers_422_naming_quantity() {
    let app = spawn().await;
    let product = create_product(&app, 100).await;

    for quantity in [
        json!(0),
        json!(-3),
        json!("2"),
        json!(1.5),
        json!(true),
        json!(null),
    ] {
        let body = json!({ "product_id": product, "quantity": quantity });
        let res = post_order(&app, Some(&kit::unique_name("key")), &body).await;

        let problem = res.expect_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "quantity is a whole number of at least 1; anything else is valid JSON with a \
             wrong value: 422 Unprocessable Content (RFC 9110 §15.5.21).",
        );
        res.expect(
            problem["detail"]
                .as_str()
                .is_some_and(|detail| detail.contains("quantity")),
            "a detail that names quantity",
            format!("\"detail\": {}", problem["detail"]),
            "A 422's detail names the field to fix (RFC 9457 §3.1.4, chapter 7).",
        );
    }
}

#[tokio::test]
async fn a_quantity_too_large_for_64_bits_answers_422_saying_it_is_too_large() {
    let app = spawn().await;
    let product = create_product(&app, 100).await;
    let body = format!(r#"{{"product_id": {product}, "quantity": 99999999999999999999999}}"#);

    let res = app
        .request(Method::POST, "/orders")
        .header("content-type", "application/json")
        .header("Idempotency-Key", &kit::unique_name("key"))
        .body(body)
        .await;

    let problem = res.expect_problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "quantity is 99999999999999999999999, a JSON integer too large for 64 bits: valid JSON \
         with a value the API cannot take, 422 Unprocessable Content (RFC 9110 §15.5.21).",
    );
    let detail = problem["detail"].as_str().unwrap_or_default();
    res.expect(
        detail.contains("quantity")
            && detail.to_lowercase().contains("too large")
            && !detail.to_lowercase().contains("float"),
        "a detail that names quantity and says the number is too large",
        format!("\"detail\": {detail:?}"),
        "A parser that reads long integers as floats says \"invalid type: floating point\", \
         which sends the client looking for a fraction it never sent. Say the number is too \
         large, as chapter 7 does for every integer field.",
    );
}

#[tokio::test]
async fn a_total_too_big_for_64_bits_answers_422_never_a_crash() {
    let app = spawn().await;
    // Seed product 1 costs 1899 cents: times 9e18 is far past i64::MAX.
    let body = order_body(1, 9_000_000_000_000_000_000);

    let res = post_order(&app, Some(&kit::unique_name("key")), &body).await;

    res.expect_problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "quantity times price does not fit in a 64-bit total_cents. A plain `*` panics in a \
         debug build and wraps to a wrong total in release; `checked_mul` turns it into a \
         422, the client's value being too large, never a 500.",
    );
    app.get("/health").await.expect_status(
        StatusCode::OK,
        "After refusing the order the server is still up.",
    );
}

#[tokio::test]
async fn a_failed_first_attempt_does_not_block_its_key() {
    let app = spawn().await;
    let key = kit::unique_name("key");
    let body = order_body(kit::unique_number(), 1);
    let first = post_order(&app, Some(&key), &body).await;
    first.expect_problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "The product does not exist, so the first attempt fails with 422.",
    );

    let retry = post_order(&app, Some(&key), &body).await;

    retry.expect_problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "The first attempt is over, so its key is no longer in flight: retrying gets the \
         same 422, not 409 Conflict. A server that marks a key \"in flight\" and forgets to \
         clear it when the request fails blocks that key for good.",
    );
}

#[tokio::test]
async fn get_order_answers_404_or_400_problems_and_other_methods_405() {
    let app = spawn().await;

    let missing = app.get(&format!("/orders/{}", kit::unique_number())).await;
    missing.expect_problem(
        StatusCode::NOT_FOUND,
        "No order has this id: 404 Not Found, as a problem (chapter 7).",
    );
    for raw in ["abc", "0", "-1"] {
        let res = app.get(&format!("/orders/{raw}")).await;
        res.expect_problem(
            StatusCode::BAD_REQUEST,
            "Order ids, like product ids, are positive integers: anything else is 400.",
        );
    }
    let res = app.request(Method::DELETE, "/orders").await;
    res.expect_problem(
        StatusCode::METHOD_NOT_ALLOWED,
        "/orders takes POST only: another method is a 405 problem, like on every other \
         path (RFC 9110 §15.5.6, chapter 7).",
    );
    res.expect(
        res.header_all("allow")
            .iter()
            .any(|allow| allow.contains("POST")),
        "an Allow header that lists POST",
        res.header_line("allow"),
        "RFC 9110 §15.5.6: a 405 response MUST list the methods the resource supports.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_four_concurrent_requests_with_one_key_place_exactly_one_order() {
    // Arrange
    let app = spawn().await;
    let product = create_product(&app, 777).await;
    let key = kit::unique_name("key");
    let body = order_body(product, 2);

    // Act: the same request, 24 times at once, as a client retrying in a loop might.
    let mut tasks = Vec::new();
    for _ in 0..24 {
        let (app, key, body) = (app.clone(), key.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            post_order(&app, Some(&key), &body).await
        }));
    }
    let mut created = Vec::new();
    for task in tasks {
        let Ok(res) = task.await else {
            panic!("a request task panicked; its report is printed above");
        };
        if res.status() == StatusCode::CONFLICT {
            res.expect_problem(
                StatusCode::CONFLICT,
                "409 is allowed while the first request with this key is still in flight.",
            );
        } else {
            expect_created_order(&res, product, 2, 1554);
            created.push(res);
        }
    }

    // Assert
    let Some(first) = created.first() else {
        panic!("none of 24 requests placed the order: every one answered 409, so no order exists");
    };
    let why = format!(
        "Concurrent requests with one key are one operation ({DRAFT}): exactly one order \
         is placed. Each request gets that order's answer or 409 Conflict while the first \
         is still in flight (RFC 9110 §15.5.10). Two different ids mean two orders: check \
         and mark the key under one lock."
    );
    let answer = first.json(&why);
    for res in &created {
        res.expect_json(&answer, &why);
    }
    let id = answer["id"].as_u64().unwrap_or_default();
    post_order(&app, Some(&key), &body)
        .await
        .expect_status(
            StatusCode::CREATED,
            "Once all are done, a retry replays the answer.",
        )
        .expect_json(&answer, &why);
    app.get(&format!("/orders/{id}"))
        .await
        .expect_status(StatusCode::OK, "The one order exists.")
        .expect_json(&answer, &why);
}

/// One request of the mixed load, and what it must answer.
enum Load {
    New { key: String, quantity: i64 },
    Retry { key: String, answer: Value },
    Read { id: u64, answer: Value },
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_mixed_requests_lose_no_order() {
    // Arrange: ten orders already placed, to retry and read during the storm.
    let app = spawn().await;
    let product = create_product(&app, 150).await;
    let mut placed = Vec::new();
    for quantity in 1..=10 {
        let key = kit::unique_name("key");
        let res = post_order(&app, Some(&key), &order_body(product, quantity)).await;
        let id = expect_created_order(&res, product, quantity, quantity * 150);
        placed.push((key, id, res.json("the placed order")));
    }
    let mut load = Vec::new();
    for n in 0..200_i64 {
        let (key, id, answer) = &placed[(n % 10) as usize];
        load.push(match n % 4 {
            0 | 1 => Load::New {
                key: kit::unique_name("key"),
                quantity: n + 1,
            },
            2 => Load::Retry {
                key: key.clone(),
                answer: answer.clone(),
            },
            _ => Load::Read {
                id: *id,
                answer: answer.clone(),
            },
        });
    }

    // Act
    let mut tasks = Vec::new();
    for item in load {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let res = match &item {
                Load::New { key, quantity } => {
                    post_order(&app, Some(key), &order_body(product, *quantity)).await
                }
                Load::Retry { key, answer } => {
                    let quantity = answer["quantity"].as_i64().unwrap_or_default();
                    post_order(&app, Some(key), &order_body(product, quantity)).await
                }
                Load::Read { id, .. } => app.get(&format!("/orders/{id}")).await,
            };
            (item, res)
        }));
    }

    // Assert: every new order got its own id and its own total.
    let old_ids: BTreeSet<u64> = placed.iter().map(|(_, id, _)| *id).collect();
    let mut new_orders: BTreeMap<u64, Value> = BTreeMap::new();
    for task in tasks {
        let Ok((item, res)) = task.await else {
            panic!("a request task panicked; its report is printed above");
        };
        match item {
            Load::New { quantity, .. } => {
                let id = expect_created_order(&res, product, quantity, quantity * 150);
                res.expect(
                    !old_ids.contains(&id) && !new_orders.contains_key(&id),
                    format!("a fresh order id, not {id} again"),
                    format!("order id {id}, already given out"),
                    "Every new key places its own order with its own id. Two orders with \
                     one id mean one overwrote the other: pick the id and store the order \
                     in one step under the lock.",
                );
                new_orders.insert(id, res.json("the new order"));
            }
            Load::Retry { answer, .. } => {
                res.expect_status(
                    StatusCode::CREATED,
                    "A retry of a finished order replays its 201.",
                )
                .expect_json(
                    &answer,
                    "A retry under load still replays the first answer.",
                );
            }
            Load::Read { answer, .. } => {
                res.expect_status(StatusCode::OK, "GET /orders/{id} finds a placed order.")
                    .expect_json(&answer, "Orders placed earlier are unchanged by the load.");
            }
        }
    }
    for (id, answer) in new_orders {
        app.get(&format!("/orders/{id}"))
            .await
            .expect_status(
                StatusCode::OK,
                "Every order that was answered 201 exists afterwards.",
            )
            .expect_json(
                &answer,
                "No order placed under load was lost or overwritten.",
            );
    }
}
