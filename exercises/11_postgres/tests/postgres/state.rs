//! What the database gives that memory could not: state that outlives the
//! process, and one state for every instance of the service.

use std::collections::BTreeSet;

use kit::{StatusCode, TestApp, Value, json};
use pg_shop::{app, pool};

use crate::{
    CHAPTER, DRAFT, checked_url, create_product, database, expect_created_order, instance,
    order_body, post_order, skip_in_url_mode, two_instances, url_mode,
};

#[tokio::test]
async fn after_a_restart_every_product_and_order_is_still_there() {
    if url_mode() {
        println!("SKIPPED: the restart test stops and starts the service, which URL mode cannot");
        return;
    }
    let Some(database) = database().await else {
        return;
    };
    // Arrange: a product, a replaced seed, a deleted seed and an order, then
    // the process's memory is gone: the instance stops, its pool with it.
    let before = instance(&database).await;
    let product = create_product(&before, 640).await;
    let repriced =
        json!({ "name": "Espresso beans 1kg", "price_cents": 2100, "category": "coffee" });
    before
        .put_json("/products/1", &repriced)
        .await
        .expect_status(StatusCode::OK, "PUT replaces seed 1: 200 (chapter 5).");
    before.delete("/products/2").await.expect_status(
        StatusCode::NO_CONTENT,
        "DELETE removes seed 2: 204 (chapter 6).",
    );
    let key = kit::unique_name("key");
    let placed = post_order(&before, Some(&key), &order_body(product, 3)).await;
    let order = expect_created_order(&placed, product, 3, 1920);
    let products = before
        .get("/products")
        .await
        .json("the products before the restart");
    drop(before);

    // Act: a new instance, a new process's worth of memory, the same database.
    let after = instance(&database).await;

    // Assert
    after
        .get("/products")
        .await
        .expect_status(StatusCode::OK, "The restarted service answers.")
        .expect_json(
            &products,
            "Every product the first instance created, replaced or deleted is as it left it: \
             the rows are in PostgreSQL, not in the memory of a process that is gone.",
        );
    after
        .get(&format!("/orders/{order}"))
        .await
        .expect_status(
            StatusCode::OK,
            "The order placed before the restart is still there.",
        )
        .expect_json(
            &placed.json("the order"),
            "It is the same order, total and all.",
        );
    post_order(&after, Some(&key), &order_body(product, 3))
        .await
        .expect_status(
            StatusCode::CREATED,
            "A retry that arrives after the restart replays the stored answer: the key's row \
             outlived the process too.",
        )
        .expect_json(
            &placed.json("the order"),
            &format!("The replay is the first answer ({DRAFT}), not a second order."),
        );
    let next = create_product(&after, 10).await;
    assert!(
        next > product,
        "POST after the restart must hand out an id above every id handed out before \
         ({product}); it gave {next}. The highest id is state too."
    );
}

#[tokio::test]
async fn a_retry_sent_to_the_other_instance_replays_the_same_order() {
    let Some((one, other)) = two_instances("the two-instance retry test").await else {
        return;
    };
    let product = create_product(&one, 815).await;
    let key = kit::unique_name("key");
    let body = order_body(product, 2);

    // The first attempt reaches one instance; the client never sees the
    // answer, and its retry goes, through the load balancer, to the other.
    let first = post_order(&one, Some(&key), &body).await;
    let id = expect_created_order(&first, product, 2, 1630);
    let retry = post_order(&other, Some(&key), &body).await;

    let why = format!(
        "Both instances share one database, so they share one idempotency store: the other \
         instance finds the key's row and replays its order ({DRAFT}). An in-memory store \
         would not know the key there, and would place a second order."
    );
    retry
        .expect_status(StatusCode::CREATED, &why)
        .expect_json(&first.json(&why), &why)
        .expect_location(&format!("/orders/{id}"), &why);
    other.get(&format!("/orders/{id}")).await.expect_status(
        StatusCode::OK,
        "The order placed on one instance reads back on the other.",
    );
    post_order(&other, Some(&key), &order_body(product, 3))
        .await
        .expect_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The other instance also knows what the key was first used for: another body is 422.",
        );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_four_concurrent_requests_with_one_key_on_two_instances_place_one_order() {
    let Some((one, other)) = two_instances("the concurrent two-instance test").await else {
        return;
    };
    let product = create_product(&one, 777).await;
    let key = kit::unique_name("key");
    let body = order_body(product, 2);

    // Act: 24 copies at once, every other one to the other instance.
    let mut tasks = Vec::new();
    for n in 0..24 {
        let app = if n % 2 == 0 {
            one.clone()
        } else {
            other.clone()
        };
        let (key, body) = (key.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            post_order(&app, Some(&key), &body).await
        }));
    }
    let mut answers: Vec<Value> = Vec::new();
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
            answers.push(res.json("an answer"));
        }
    }

    // Assert
    let Some(first) = answers.first() else {
        panic!("none of 24 requests placed the order: every one answered 409, so no order exists");
    };
    let ids: BTreeSet<String> = answers
        .iter()
        .map(|answer| answer["id"].to_string())
        .collect();
    assert!(
        ids.len() == 1,
        "24 concurrent requests with one key, over two instances, are one operation ({DRAFT}): \
         exactly one order. They got {} different orders, ids {ids:?}. A mutex in each process \
         protects nothing here, since there are two processes' worth of mutexes: the claim \
         must happen in the database, with the key as a primary key and INSERT … ON CONFLICT.",
        ids.len()
    );
    let id = first["id"].as_u64().unwrap_or_default();
    for app in [&one, &other] {
        app.get(&format!("/orders/{id}"))
            .await
            .expect_status(StatusCode::OK, "The one order exists, on either instance.")
            .expect_json(first, "It is the order every 201 named.");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_posts_on_two_instances_never_share_an_id() {
    let Some((one, other)) = two_instances("the concurrent POST test").await else {
        return;
    };

    let mut tasks = Vec::new();
    for n in 0..20 {
        let app: TestApp = if n % 2 == 0 {
            one.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(
            async move { create_product(&app, 100 + n).await },
        ));
    }
    let mut ids = BTreeSet::new();
    for task in tasks {
        let Ok(id) = task.await else {
            panic!("a request task panicked; its report is printed above");
        };
        assert!(
            ids.insert(id),
            "two POSTs, one on each instance, got the same id {id}: one product overwrote \
             the other. Take the next id in the database, under the counter row's lock \
             (UPDATE … RETURNING), never from a counter in the process's memory"
        );
    }
}

#[tokio::test]
async fn without_its_database_the_health_check_answers_503() {
    if skip_in_url_mode("the unreachable-database test") {
        return;
    }
    let Some(database) = database().await else {
        return;
    };
    // The same server, a database that does not exist: every connection fails.
    let gone = database.url().replace(database.name(), "no_such_database");
    let url = checked_url(&gone);
    let app = TestApp::spawn(move || app(pool(&url), None), CHAPTER).await;

    let res = app.get("/health").await;

    res.expect_problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "An instance that cannot reach its database cannot place a single order. Its health \
         check must say so, 503 Service Unavailable (RFC 9110 §15.6.4), so that the load \
         balancer or orchestrator stops sending it requests; a 200 here would be a lie.",
    );
    app.get("/products/1").await.expect_problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "A request that needs the database it cannot reach is a 503 problem too: temporary, \
         retry later. The database's own error stays in the log.",
    );
}
