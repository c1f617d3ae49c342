//! Chapter 6, DELETE: the contract, checked over real HTTP.
//! Read `book/src/06_delete.md` for the table these tests follow.
//!
//! In URL mode other tests share the server, so every test here deletes only
//! products it created itself, under names from `kit::unique_name`.

use std::collections::{BTreeMap, BTreeSet};

use delete::app;
use kit::{Exchange, StatusCode, TestApp, Value, json};

const CHAPTER: &str = "06_delete";

async fn spawn() -> TestApp {
    TestApp::spawn(app, CHAPTER).await
}

#[tokio::test]
async fn delete_answers_204_with_an_empty_body() {
    // Arrange
    let app = spawn().await;
    let id = create(&app, &product_body(&kit::unique_name("delete-me"), 500)).await;

    // Act
    let res = app.delete(&format!("/products/{id}")).await;

    // Assert
    res.expect_status(
        StatusCode::NO_CONTENT,
        "DELETE removes the resource (RFC 9110 §9.3.5). When there is nothing useful to \
         send back, the answer is 204 No Content (§15.3.5), not 200 and not 202.",
    )
    .expect(
        res.body().is_empty(),
        "an empty body",
        format!("a body of {} bytes", res.body().len()),
        "A 204 response has no content by definition (RFC 9110 §15.3.5): a client \
         must not have to read or parse anything after it.",
    );
}

#[tokio::test]
async fn a_deleted_product_is_gone_from_get_and_the_list_and_its_neighbour_stays() {
    // Arrange: two products, so deleting the wrong one, or all, is caught.
    let app = spawn().await;
    let doomed = create(&app, &product_body(&kit::unique_name("doomed"), 700)).await;
    let kept_body = product_body(&kit::unique_name("kept"), 800);
    let kept = create(&app, &kept_body).await;

    // Act
    app.delete(&format!("/products/{doomed}"))
        .await
        .expect_status(
            StatusCode::NO_CONTENT,
            "Deleting a product that exists answers 204 No Content (RFC 9110 §15.3.5).",
        );

    // Assert
    app.get(&format!("/products/{doomed}")).await.expect_status(
        StatusCode::NOT_FOUND,
        "After a successful DELETE the resource no longer exists, so a GET on its \
         URL answers 404 Not Found (RFC 9110 §9.3.5).",
    );
    let list = app.get("/products").await;
    let products = list.json("GET /products answers a JSON array of products.");
    let ids = ids_in(&list, &products);
    list.expect(
        !ids.contains(&doomed),
        format!("a list without product {doomed}"),
        format!("a list with product {doomed}, ids {ids:?}"),
        "A deleted product is gone everywhere, not only from its own URL: the \
         collection must stop listing it too.",
    );
    list.expect(
        ids.contains(&kept),
        format!("a list that still has product {kept}"),
        format!("a list without it, ids {ids:?}"),
        "DELETE /products/{id} removes that one product and nothing else.",
    );
    app.get(&format!("/products/{kept}"))
        .await
        .expect_status(
            StatusCode::OK,
            "The other product was not deleted, so GET still finds it.",
        )
        .expect_json(
            &with_id(&kept_body, kept),
            "Deleting one product must leave every other product exactly as it was.",
        );
}

#[tokio::test]
async fn a_second_delete_answers_404_and_the_product_stays_gone() {
    // Arrange
    let app = spawn().await;
    let id = create(&app, &product_body(&kit::unique_name("twice"), 900)).await;
    let path = format!("/products/{id}");
    app.delete(&path).await.expect_status(
        StatusCode::NO_CONTENT,
        "The first DELETE of an existing product answers 204 No Content.",
    );

    // Act
    let again = app.delete(&path).await;

    // Assert
    again.expect_status(
        StatusCode::NOT_FOUND,
        "The second DELETE finds nothing to delete, so it answers 404 Not Found. \
         DELETE is still idempotent (RFC 9110 §9.2.2): idempotency is about the \
         state of the server, which is the same after one call or many, not about \
         the response being the same.",
    );
    app.get(&path).await.expect_status(
        StatusCode::NOT_FOUND,
        "However many times it is deleted, the product stays deleted.",
    );
}

#[tokio::test]
async fn deleting_a_product_that_never_existed_answers_404() {
    let app = spawn().await;
    let id = kit::unique_number();

    let res = app.delete(&format!("/products/{id}")).await;

    res.expect_status(
        StatusCode::NOT_FOUND,
        "No product has this id, so there is nothing to delete: 404 Not Found, never \
         204, which would claim a deletion that did not happen.",
    );
}

#[tokio::test]
async fn delete_with_an_id_that_is_not_a_positive_integer_answers_400() {
    let app = spawn().await;

    for raw in ["abc", "0", "-1", "1.5", "+1"] {
        let res = app.delete(&format!("/products/{raw}")).await;

        res.expect_status(
            StatusCode::BAD_REQUEST,
            "Product ids are positive integers (chapter 3). An id that is not one is a \
             malformed request, 400 Bad Request, whatever the method.",
        );
    }
    app.get("/products/1").await.expect_status(
        StatusCode::OK,
        "A rejected DELETE must not delete anything: seed product 1 is still there.",
    );
}

#[tokio::test]
async fn a_post_after_deleting_the_newest_product_never_reuses_its_id() {
    // Arrange
    let app = spawn().await;
    let newest = create(&app, &product_body(&kit::unique_name("newest"), 1000)).await;
    app.delete(&format!("/products/{newest}"))
        .await
        .expect_status(
            StatusCode::NO_CONTENT,
            "Deleting a product that exists answers 204 No Content.",
        );

    // Act
    let next = app
        .post_json("/products", &product_body(&kit::unique_name("next"), 1100))
        .await;

    // Assert
    next.expect_status(
        StatusCode::CREATED,
        "POST /products creates a product: 201 Created.",
    );
    let next_id = id_of(&next);
    next.expect(
        next_id > newest,
        format!("an id above {newest}, the id just deleted"),
        format!("id {next_id}"),
        "An id names one resource forever. If the server handed out a deleted id \
         again, an old link, cache entry or retried DELETE aimed at the old product \
         would hit the new one. New ids come from the highest id ever assigned.",
    );
    if !app.url_mode() {
        next.expect(
            next_id == newest + 1,
            format!("id {}", newest + 1),
            format!("id {next_id}"),
            "Nothing else is creating products on this private server, so the next id \
             is one more than the highest ever assigned.",
        );
    }
}

#[tokio::test]
async fn a_post_after_deleting_the_highest_put_id_still_goes_above_it() {
    // Arrange: a PUT far above every id other tests use (they stay below
    // 2^52), so that this product is the newest on the server even when
    // other tests share it.
    let app = spawn().await;
    let top = 8_000_000_000_000_000 + kit::unique_number() % 1_000_000_000_000_000;
    let path = format!("/products/{top}");
    let body = product_body(&kit::unique_name("top"), 1300);
    app.put_json(&path, &body).await.expect_status(
        StatusCode::CREATED,
        "A PUT to an id that holds nothing creates the product: 201 Created (chapter 5).",
    );
    app.delete(&path).await.expect_status(
        StatusCode::NO_CONTENT,
        "Deleting a product that exists answers 204 No Content.",
    );

    // Act
    let next = app
        .post_json(
            "/products",
            &product_body(&kit::unique_name("after-top"), 1400),
        )
        .await;

    // Assert
    next.expect_status(StatusCode::CREATED, "POST /products answers 201 Created.");
    let next_id = id_of(&next);
    next.expect(
        next_id > top,
        format!("an id above {top}"),
        format!("id {next_id}"),
        &format!(
            "Product {top} was the highest id ever assigned, then it was deleted. The next \
             id is still one more than the highest ever assigned, not one more than the \
             highest still present: a server that looks only at the products it holds now \
             hands out ids that already named something."
        ),
    );
}

#[tokio::test]
async fn a_204_sends_no_bytes_after_its_headers() {
    // An HTTP client stops reading after a 204's headers, so the kit cannot
    // see stray bytes there; this test reads the raw response instead.
    let app = spawn().await;
    let id = create(&app, &product_body(&kit::unique_name("raw-204"), 1500)).await;
    let Some(raw) = app
        .raw(kit::Method::DELETE, &format!("/products/{id}"))
        .await
    else {
        return; // An https:// server: its raw bytes are encrypted, nothing to read here.
    };

    raw.expect(
        raw.status() == Some(204),
        "status 204",
        format!(
            "the status line {:?}",
            raw.head.lines().next().unwrap_or_default()
        ),
        "A DELETE of a product that exists answers 204 No Content (RFC 9110 §15.3.5).",
    )
    .expect(
        raw.after_head.is_empty(),
        "nothing after the headers",
        format!("{} bytes after the headers", raw.after_head.len()),
        "A 204 response ends with its headers (RFC 9110 §15.3.5): it cannot carry \
         content. A client that reuses the connection would read bytes sent after the \
         headers as the start of its next response.",
    );
}

#[tokio::test]
async fn a_put_after_a_delete_creates_the_product_again() {
    // Arrange
    let app = spawn().await;
    let id = kit::unique_number();
    let path = format!("/products/{id}");
    let body = product_body(&kit::unique_name("phoenix"), 1200);
    app.put_json(&path, &body).await.expect_status(
        StatusCode::CREATED,
        "A PUT to an id that holds nothing creates the product: 201 Created (chapter 5).",
    );
    app.delete(&path).await.expect_status(
        StatusCode::NO_CONTENT,
        "Deleting a product that exists answers 204 No Content.",
    );

    // Act
    let res = app.put_json(&path, &body).await;

    // Assert
    res.expect_status(
        StatusCode::CREATED,
        "After a DELETE the id holds nothing, so the next PUT creates the product \
         anew: 201 Created, not 200 (RFC 9110 §9.3.4).",
    )
    .expect_location(
        &path,
        "A 201 Created says where the new resource is, in a Location header (RFC 9110 \
         §15.3.2), also when it is created anew after a DELETE.",
    );
    app.get(&path).await.expect_json(
        &with_id(&body, id),
        "The product PUT back after the delete is stored as sent.",
    );
}

// ANCHOR: concurrent
/// Many clients at once: every acknowledged write must be in the final state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_writes_lose_no_update() {
    // Arrange: 40 products of our own, half to replace and half to delete.
    let app = spawn().await;
    let mut targets = Vec::new();
    for n in 0..40 {
        let body = product_body(&kit::unique_name("target"), 100 + n);
        targets.push((create(&app, &body).await, body));
    }

    // Act: 200 requests in flight together.
    let mut tasks = Vec::new();
    for n in 0..60 {
        let body = product_body(&kit::unique_name("burst-post"), 2000 + n);
        tasks.push(spawn_write(&app, Write::Post(body)));
    }
    for n in 0..40 {
        let body = product_body(&kit::unique_name("burst-put"), 3000 + n);
        tasks.push(spawn_write(&app, Write::Put(kit::unique_number(), body)));
    }
    for (n, (id, _)) in targets[..20].iter().enumerate() {
        let body = product_body(&kit::unique_name("replaced"), 4000 + n as i64);
        tasks.push(spawn_write(&app, Write::Put(*id, body)));
    }
    for (id, _) in &targets[20..] {
        // Each one four times: exactly one of them may report the deletion.
        for _ in 0..4 {
            tasks.push(spawn_write(&app, Write::Delete(*id)));
        }
    }
    let mut done = Vec::new();
    for task in tasks {
        match task.await {
            Ok(pair) => done.push(pair),
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }

    // Assert: each answer, then the state those answers promised.
    let mut expected: BTreeMap<u64, Value> = targets
        .iter()
        .map(|(id, body)| (*id, with_id(body, *id)))
        .collect();
    let mut posted = BTreeSet::new();
    let mut deletions: BTreeMap<u64, u32> = BTreeMap::new();
    for (write, res) in &done {
        match write {
            Write::Post(body) => {
                res.expect_status(StatusCode::CREATED, "Each POST creates a product: 201.");
                let id = id_of(res);
                res.expect(
                    posted.insert(id) && !expected.contains_key(&id),
                    format!("a fresh id, not {id} again"),
                    format!("id {id}, already given out"),
                    "Two concurrent POSTs got the same id, or a POST took an id already in \
                     use. Choosing the next id and storing the product must happen as \
                     one step under the lock, or two requests both read the same \"last id\".",
                );
                expected.insert(id, with_id(body, id));
            }
            Write::Put(id, body) => {
                let was_there = expected.contains_key(id);
                let status = if was_there {
                    StatusCode::OK
                } else {
                    StatusCode::CREATED
                };
                res.expect_status(
                    status,
                    "A PUT answers 201 when it creates the product and 200 when it replaces it.",
                );
                expected.insert(*id, with_id(body, *id));
            }
            Write::Delete(id) => {
                let statuses = [StatusCode::NO_CONTENT, StatusCode::NOT_FOUND];
                res.expect(
                    statuses.contains(&res.status()),
                    "status 204 or 404",
                    format!("status {}", res.status()),
                    "A DELETE of a product that exists answers 204; a DELETE that finds it \
                     already gone answers 404.",
                );
                if res.status() == StatusCode::NO_CONTENT {
                    let count = deletions.entry(*id).or_default();
                    *count += 1;
                    res.expect(
                        *count == 1,
                        format!("only one 204 for product {id}"),
                        format!("{count} DELETEs of product {id} answered 204"),
                        "Two DELETEs of the same product both answered 204: both claim to \
                         have removed it. Checking that it exists and removing it must be \
                         one step, or both requests see it before either removes it.",
                    );
                }
            }
        }
    }
    for (id, _) in &targets[20..] {
        expected.remove(id);
        let first = done
            .iter()
            .find(|(write, _)| matches!(write, Write::Delete(d) if d == id));
        if let Some((_, res)) = first {
            res.expect(
                deletions.get(id) == Some(&1),
                format!("one 204 among the four DELETEs of product {id}"),
                format!(
                    "{} of them answered 204",
                    deletions.get(id).copied().unwrap_or(0)
                ),
                "The product existed, so exactly one of the DELETEs removed it (204); \
                 the others found it gone (404).",
            );
        }
    }
    check_final_state(&app, &expected, &targets[20..]).await;
}
// ANCHOR_END: concurrent

/// Each acknowledged product reads back exactly as acknowledged, each
/// deleted one is gone, and the list agrees.
async fn check_final_state(
    app: &TestApp,
    expected: &BTreeMap<u64, Value>,
    deleted: &[(u64, Value)],
) {
    for (id, product) in expected {
        app.get(&format!("/products/{id}")).await.expect_json(
            product,
            "The server acknowledged this write, so it must be in the final state. A \
             missing or older product means an update was lost: two requests each read \
             the catalogue, changed their copy and wrote it back, and the second erased \
             the first. Change the shared state under one lock, in one step.",
        );
    }
    for (id, _) in deleted {
        app.get(&format!("/products/{id}")).await.expect_status(
            StatusCode::NOT_FOUND,
            "This product's DELETE answered 204, so it must stay gone.",
        );
    }
    let list = app.get("/products").await;
    let products = list.json("GET /products answers a JSON array of products.");
    let listed: BTreeMap<u64, &Value> = products
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|p| Some((p.get("id")?.as_u64()?, p)))
                .collect()
        })
        .unwrap_or_default();
    for (id, product) in expected {
        list.expect(
            listed.get(id) == Some(&product),
            format!("product {id} listed as {product}"),
            match listed.get(id) {
                Some(found) => format!("product {id} listed as {found}"),
                None => format!("no product {id} in the list"),
            },
            "The list shows the same state as the single GETs: every acknowledged \
             product, as last written.",
        );
    }
    for (id, _) in deleted {
        list.expect(
            !listed.contains_key(id),
            format!("no product {id} in the list"),
            match listed.get(id) {
                Some(found) => format!("product {id} listed as {found}"),
                None => format!("no product {id} in the list"),
            },
            "A deleted product must not come back in the list.",
        );
    }
    if !app.url_mode() {
        let extra: Vec<_> = listed
            .keys()
            .filter(|id| **id > 3 && !expected.contains_key(id))
            .collect();
        list.expect(
            extra.is_empty(),
            "no product besides the seeds and the acknowledged ones",
            format!("also the products with ids {extra:?}"),
            "Nothing else writes to this private server, so the list is exactly the \
             seeds plus what the server acknowledged: no phantom products.",
        );
    }
}

enum Write {
    Post(Value),
    Put(u64, Value),
    Delete(u64),
}

fn spawn_write(app: &TestApp, write: Write) -> tokio::task::JoinHandle<(Write, Exchange)> {
    let app = app.clone();
    tokio::spawn(async move {
        let res = match &write {
            Write::Post(body) => app.post_json("/products", body).await,
            Write::Put(id, body) => app.put_json(&format!("/products/{id}"), body).await,
            Write::Delete(id) => app.delete(&format!("/products/{id}")).await,
        };
        (write, res)
    })
}

fn product_body(name: &str, price_cents: i64) -> Value {
    json!({ "name": name, "price_cents": price_cents, "category": "test-delete" })
}

fn with_id(body: &Value, id: u64) -> Value {
    let mut product = body.clone();
    product["id"] = json!(id);
    product
}

/// POSTs `body` and returns the new id, failing the test unless it was created.
async fn create(app: &TestApp, body: &Value) -> u64 {
    let res = app.post_json("/products", body).await;
    res.expect_status(
        StatusCode::CREATED,
        "This test first creates the product it deletes, with POST /products (chapter 4), \
         which answers 201 Created.",
    );
    id_of(&res)
}

#[track_caller]
fn id_of(res: &Exchange) -> u64 {
    let product = res.json("A created product comes back as JSON.");
    match product.get("id").and_then(Value::as_u64) {
        Some(id) => id,
        None => res.fail(
            "a body with a positive integer \"id\"",
            match product.get("id") {
                Some(id) => format!("\"id\": {id}"),
                None => "no \"id\" member".to_owned(),
            },
            "The created product's representation includes the id the server gave it.",
        ),
    }
}

#[track_caller]
fn ids_in(res: &Exchange, products: &Value) -> Vec<u64> {
    match products.as_array() {
        Some(all) => all.iter().filter_map(|p| p.get("id")?.as_u64()).collect(),
        None => res.fail(
            "a JSON array",
            format!("JSON that is not an array: {products}"),
            "GET /products answers an array.",
        ),
    }
}
