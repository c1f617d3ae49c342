//! Chapter 8's contract, on a database: the same requests, the same answers.
//! Chapter 8's own tests check every rule at its edge; these check that each
//! endpoint still keeps its promise once its rows live in PostgreSQL.

use kit::{StatusCode, json};

use crate::{DRAFT, create_product, expect_created_order, order_body, post_order, shop};

#[tokio::test]
async fn the_health_check_answers_200_while_the_database_answers() {
    let Some(app) = shop().await else { return };

    app.get("/health")
        .await
        .expect_status(
            StatusCode::OK,
            "GET /health answers 200 when the service can do its work: here, when a query \
             to its database succeeds.",
        )
        .expect_json(
            &json!({ "status": "ok" }),
            "The health check's body is chapter 2's.",
        );
}

#[tokio::test]
async fn the_seeds_are_there_from_the_first_start() {
    let Some(app) = shop().await else { return };

    let res = app.get("/products/1").await;

    res.expect_status(
        StatusCode::OK,
        "The migration inserts the three seed products, so a new database starts with them, \
         as the in-memory shop did.",
    )
    .expect_json(
        &json!({ "id": 1, "name": "Espresso beans 1kg", "price_cents": 1899, "category": "coffee" }),
        "Seed 1 is chapter 3's espresso beans.",
    );
}

#[tokio::test]
async fn post_put_get_and_delete_keep_their_promises_in_the_database() {
    let Some(app) = shop().await else { return };

    // POST: a new row with an id the server picks.
    let id = create_product(&app, 1200).await;
    app.get(&format!("/products/{id}"))
        .await
        .expect_status(StatusCode::OK, "A product POST created can be read back.");

    // PUT: replaces a row that exists (200), creates one that does not (201).
    let replacement =
        json!({ "name": kit::unique_name("put"), "price_cents": 900, "category": "postgres" });
    app.put_json(&format!("/products/{id}"), &replacement)
        .await
        .expect_status(
            StatusCode::OK,
            "PUT to a product that exists replaces it: 200 (RFC 9110 §9.3.4, chapter 5).",
        );
    let chosen = kit::unique_number();
    let res = app
        .put_json(&format!("/products/{chosen}"), &replacement)
        .await;
    res.expect_status(
        StatusCode::CREATED,
        "PUT to an id with no product creates it there: 201 Created (chapter 5).",
    );
    app.put_json(&format!("/products/{chosen}"), &replacement)
        .await
        .expect_status(
            StatusCode::OK,
            "The same PUT again replaces what the first one created: 200, and still one row.",
        )
        .expect_json(
            &json!({ "id": chosen, "name": replacement["name"], "price_cents": 900, "category": "postgres" }),
            "PUT stores the whole body under the path's id.",
        );

    // A POST after a PUT to a high id never collides with it.
    let after = create_product(&app, 100).await;
    assert!(
        after > chosen,
        "After a PUT to {chosen}, POST must hand out a higher id, never one a client chose \
         (chapter 5); it gave {after}"
    );

    // DELETE: 204, then 404, and gone.
    app.delete(&format!("/products/{id}")).await.expect_status(
        StatusCode::NO_CONTENT,
        "DELETE of a product that exists: 204 (chapter 6).",
    );
    app.delete(&format!("/products/{id}")).await.expect_problem(
        StatusCode::NOT_FOUND,
        "DELETE again: nothing is there any more, 404 as a problem (chapters 6 and 7).",
    );
    app.get(&format!("/products/{id}")).await.expect_problem(
        StatusCode::NOT_FOUND,
        "A deleted product is gone from the table.",
    );
}

#[tokio::test]
async fn ids_that_no_bigint_holds_are_404_and_never_a_500() {
    let Some(app) = shop().await else { return };

    for path in [
        "/products/18446744073709551615",
        "/orders/9223372036854775808",
    ] {
        app.get(path).await.expect_problem(
            StatusCode::NOT_FOUND,
            "An id above 2^63 - 1 fits no PostgreSQL BIGINT, so no row can have it: it is a \
             valid id that names nothing, 404, never a 500 from a failed conversion.",
        );
    }
}

#[tokio::test]
async fn an_order_is_placed_once_and_a_retry_replays_it() {
    let Some(app) = shop().await else { return };
    let product = create_product(&app, 499).await;
    let key = kit::unique_name("key");
    let body = order_body(product, 2);

    let first = post_order(&app, Some(&key), &body).await;
    let id = expect_created_order(&first, product, 2, 998);
    let retry = post_order(&app, Some(&key), &body).await;

    let why = format!(
        "A retry repeats the Idempotency-Key and the body, so it is the same operation \
         ({DRAFT}): the same 201, Location and body, from the key's row in the database. \
         A different id means the retry placed a second order."
    );
    retry
        .expect_status(StatusCode::CREATED, &why)
        .expect_json(&first.json(&why), &why)
        .expect_location(&format!("/orders/{id}"), &why);
    app.get(&format!("/orders/{id}"))
        .await
        .expect_status(StatusCode::OK, "The order can be read back: 200.")
        .expect_json(
            &first.json(&why),
            "GET /orders/{id} answers the order POST created.",
        );
}

#[tokio::test]
async fn the_same_key_with_another_body_answers_422_and_the_stored_answer_stays() {
    let Some(app) = shop().await else { return };
    let product = create_product(&app, 250).await;
    let key = kit::unique_name("key");
    let first = post_order(&app, Some(&key), &order_body(product, 1)).await;
    expect_created_order(&first, product, 1, 250);

    let res = post_order(&app, Some(&key), &order_body(product, 5)).await;

    res.expect_problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        &format!(
            "The key's row holds the request it was first used for, and this body is another \
             one: a client bug, 422 ({DRAFT}), never a second order."
        ),
    );
    post_order(&app, Some(&key), &order_body(product, 1))
        .await
        .expect_status(
            StatusCode::CREATED,
            "A true retry still replays the first answer.",
        )
        .expect_json(
            &first.json("the first answer"),
            "The refused reuse left the stored answer as it was.",
        );
}

#[tokio::test]
async fn an_order_without_a_key_answers_400_and_a_failed_attempt_frees_its_key() {
    let Some(app) = shop().await else { return };
    let product = create_product(&app, 100).await;

    post_order(&app, None, &order_body(product, 1))
        .await
        .expect_problem(
            StatusCode::BAD_REQUEST,
            &format!("POST /orders without an Idempotency-Key is malformed: 400 ({DRAFT})."),
        );

    let key = kit::unique_name("key");
    let missing = order_body(kit::unique_number(), 1);
    for attempt in ["first", "second"] {
        post_order(&app, Some(&key), &missing).await.expect_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "The {attempt} attempt orders a product that does not exist: 422. The first \
                 attempt's transaction was rolled back, its key's row with it, so the second \
                 is not 409 \"in flight\": a failed attempt must never block its key."
            ),
        );
    }
    let res = post_order(&app, Some(&key), &order_body(product, 1)).await;
    expect_created_order(&res, product, 1, 100);
}

#[tokio::test]
async fn errors_are_still_problems_and_the_body_limit_still_holds() {
    let Some(app) = shop().await else { return };

    app.get("/no-such-endpoint").await.expect_problem(
        StatusCode::NOT_FOUND,
        "A path with no route is a 404 problem (chapter 7).",
    );
    let res = app.request(kit::Method::DELETE, "/orders").await;
    res.expect_problem(
        StatusCode::METHOD_NOT_ALLOWED,
        "/orders takes POST only: another method is a 405 problem (chapter 7).",
    );
    app.post_json(
        "/products",
        &json!({ "name": "x".repeat(70_000), "price_cents": 1, "category": "big" }),
    )
    .await
    .expect_problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        "A body over 64 KiB is refused before it is read: 413 (chapter 7).",
    );
}
