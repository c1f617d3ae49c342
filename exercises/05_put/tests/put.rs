//! Chapter 5, PUT and idempotency: the contract, checked over real HTTP.
//! Read `book/src/05_put.md` for the table these tests follow.
//!
//! In URL mode other tests share the server, so every test PUTs to ids from
//! `kit::unique_number()`, which no other test uses.

use kit::{Exchange, StatusCode, TestApp, Value, json};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use put::app;

const CHAPTER: &str = "05_put";

async fn spawn() -> TestApp {
    TestApp::spawn(app, CHAPTER).await
}

#[tokio::test]
async fn put_to_a_free_id_creates_the_product_with_201_and_a_location() {
    // Arrange
    let app = spawn().await;
    let id = kit::unique_number();
    let path = format!("/products/{id}");
    let body = product_body(&kit::unique_name("created-by-put"), 1250, "tea");

    // Act
    let res = app.put_json(&path, &body).await;

    // Assert
    res.expect_status(
        StatusCode::CREATED,
        "PUT stores the body as the state of the resource at this URL (RFC 9110 \
         §9.3.4). When nothing was there, the PUT created it, and the server must say \
         so with 201 Created, not 200.",
    )
    .expect_json(
        &with_id(&body, id),
        "The body of the 201 is the product as stored, with the id from the path.",
    );
    res.expect_location(
        &path,
        "A 201 Created names the new resource in its Location header (RFC 9110 \
         §15.3.2), even when the client chose the URL itself.",
    );
    app.get(&path).await.expect_json(
        &with_id(&body, id),
        "After the PUT, a GET on the same URL returns what was PUT.",
    );
}

#[tokio::test]
async fn put_to_an_existing_id_replaces_the_product_and_answers_200() {
    // Arrange
    let app = spawn().await;
    let id = kit::unique_number();
    let path = format!("/products/{id}");
    let before = product_body(&kit::unique_name("before"), 1000, "coffee");
    put_expecting(&app, &path, &before, StatusCode::CREATED).await;
    let after = product_body(&kit::unique_name("after"), 2000, "tea");

    // Act
    let res = app.put_json(&path, &after).await;

    // Assert
    res.expect_status(
        StatusCode::OK,
        "The product already existed, so this PUT replaced it: 200 OK with the stored \
         product (RFC 9110 §9.3.4). 201 would claim a new resource was created.",
    )
    .expect_json(
        &with_id(&after, id),
        "The body of the 200 is the product as now stored.",
    );
}

#[tokio::test]
async fn put_replaces_every_field_and_merges_nothing() {
    // Arrange: the second body shares no value with the first.
    let app = spawn().await;
    let id = kit::unique_number();
    let path = format!("/products/{id}");
    let first = product_body(
        &kit::unique_name("first"),
        111,
        &kit::unique_name("first-cat"),
    );
    let second = product_body(
        &kit::unique_name("second"),
        222,
        &kit::unique_name("second-cat"),
    );
    put_expecting(&app, &path, &first, StatusCode::CREATED).await;

    // Act
    put_expecting(&app, &path, &second, StatusCode::OK).await;

    // Assert
    app.get(&path).await.expect_json(
        &with_id(&second, id),
        "PUT replaces the resource entirely: afterwards it is exactly the last body \
         sent, with nothing kept from the first. Changing only some fields is what \
         PATCH is for (RFC 5789), not PUT.",
    );
    let first_category = first["category"].as_str().unwrap_or_default();
    app.get(&format!("/products?category={first_category}"))
        .await
        .expect_json(
            &json!([]),
            "No product is left in the first body's category: the replaced version is \
             gone, not kept beside the new one.",
        );
}

#[test]
fn repeating_a_put_leaves_the_same_state_as_sending_it_once() {
    // proptest drives the cases; one runtime and one server serve them all.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the test could not start a tokio runtime");
    let app = runtime.block_on(spawn());
    // One plain case first: if PUT does not work at all, one report says so,
    // rather than one per case proptest tries.
    let plain = product_body(&kit::unique_name("plain"), 1999, &kit::unique_name("plain"));
    runtime.block_on(put_n_times(&app, plain, false, 2));

    let config = Config {
        cases: 24,
        max_shrink_iters: 16,
        // Keep the learner's tree clean: no proptest-regressions/ files.
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let cases = (
        "[a-zA-Z0-9 é☕-]{1,100}",
        0..=9_007_199_254_740_991_i64,
        "[a-z]{1,12}",
        any::<bool>(),
        2..=4_usize,
    );
    let result = runner.run(
        &cases,
        |(name, price_cents, category, with_body_id, times)| {
            let category = kit::unique_name(&category);
            let body = product_body(&name, price_cents, &category);
            runtime.block_on(put_n_times(&app, body, with_body_id, times));
            Ok(())
        },
    );
    if let Err(error) = result {
        panic!(
            "PUT is idempotent (RFC 9110 §9.2.2): sending the same PUT n times must leave \
             the server as one PUT does. proptest found a body for which it does not; \
             the report above shows the request. Smallest case found: {error}"
        );
    }
}

/// PUTs `body` to a fresh id `times` times and checks that every repeat
/// answers 200 with the same product and leaves the same state.
async fn put_n_times(app: &TestApp, mut body: Value, with_body_id: bool, times: usize) {
    let id = kit::unique_number();
    let path = format!("/products/{id}");
    if with_body_id {
        body["id"] = json!(id);
    }
    let expected = with_id(&body, id);
    put_expecting(app, &path, &body, StatusCode::CREATED).await;
    let once = app.get(&path).await;
    once.expect_json(
        &expected,
        "After one PUT, GET returns the body that was PUT.",
    );

    for _ in 1..times {
        app.put_json(&path, &body)
            .await
            .expect_status(
                StatusCode::OK,
                "The same PUT again finds the product it created and replaces it with \
                 an identical copy: 200 OK, not a second 201, because nothing new was \
                 created.",
            )
            .expect_json(
                &expected,
                "A repeated PUT answers with the same stored product.",
            );
        app.get(&path).await.expect_json(
            &expected,
            "After the same PUT n times the product is exactly as after one. That is \
             what makes PUT safe to retry when a response is lost (RFC 9110 §9.2.2).",
        );
    }
    let category = body["category"].as_str().unwrap_or_default();
    app.get(&format!("/products?category={category}"))
        .await
        .expect_json(
            &json!([expected]),
            "Repeating a PUT never makes a second copy: the list holds the product once.",
        );
}

#[tokio::test]
async fn an_id_in_the_body_must_match_the_path() {
    // Arrange
    let app = spawn().await;
    let id = kit::unique_number();
    let path = format!("/products/{id}");
    let original = product_body(&kit::unique_name("keep-me"), 4000, "coffee");
    put_expecting(&app, &path, &original, StatusCode::CREATED).await;

    let mut matching = product_body(&kit::unique_name("matching"), 4100, "coffee");
    matching["id"] = json!(id);
    put_expecting(&app, &path, &matching, StatusCode::OK).await;

    for other in [json!(id + 1), json!(id.to_string()), json!(-1)] {
        let mut body = product_body(&kit::unique_name("mismatch"), 4200, "coffee");
        body["id"] = other;

        // Act
        let res = app.put_json(&path, &body).await;

        // Assert
        res.expect_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The path says which product this is. A body that names another id \
             contradicts it; the server must refuse it with 422 rather than guess \
             which one the client meant.",
        );
    }
    app.get(&path).await.expect_json(
        &with_id(&matching, id),
        "A refused PUT leaves the product as it was.",
    );
}

#[tokio::test]
async fn put_with_an_id_that_is_not_a_positive_integer_answers_400() {
    let app = spawn().await;
    let body = product_body(&kit::unique_name("bad-id"), 100, "coffee");

    for raw in ["abc", "0", "-1", "1.5", "+1"] {
        let res = app.put_json(&format!("/products/{raw}"), &body).await;

        res.expect_status(
            StatusCode::BAD_REQUEST,
            "Product ids are positive integers (chapter 3). A PUT to a URL with any \
             other id is a malformed request: 400 Bad Request.",
        );
    }
}

/// 2^53 - 1, the highest id a client may choose: I-JSON's safe integers
/// (RFC 7493 §2.2) end there.
const MAX_CLIENT_ID: u64 = 9_007_199_254_740_991;

#[tokio::test]
async fn put_with_an_id_above_2_to_the_53_minus_1_answers_400_and_creates_nothing() {
    let app = spawn().await;
    let body = product_body(&kit::unique_name("too-large"), 100, "coffee");

    for id in [MAX_CLIENT_ID + 1, u64::MAX] {
        let path = format!("/products/{id}");

        // Act
        let res = app.put_json(&path, &body).await;

        // Assert
        res.expect_status(
            StatusCode::BAD_REQUEST,
            &format!(
                "A client may choose ids from 1 to 2^53 - 1 = {MAX_CLIENT_ID}, and {id} is \
                 above that: 400 Bad Request, as for any other id PUT cannot take. Above \
                 2^53 - 1 JSON integers do not travel safely (I-JSON, RFC 7493 §2.2). And \
                 a server whose POST goes above the highest id ever assigned would have \
                 none left to give after one PUT to {}: every later POST refused, \
                 for every client.",
                u64::MAX
            ),
        );
        // On a shared server a POST may have been given 2^53 meanwhile (see
        // the next test): only u64::MAX is sure to stay free there.
        if id == u64::MAX || !app.url_mode() {
            app.get(&path).await.expect_status(
                StatusCode::NOT_FOUND,
                "The PUT was refused, so nothing is at its URL. A GET there answers 404, \
                 not 400: the id is well-formed, and the server's own ids may go that high.",
            );
        }
    }
}

#[tokio::test]
async fn a_put_to_the_highest_id_a_client_may_choose_leaves_post_working() {
    // Arrange
    let app = spawn().await;
    let path = format!("/products/{MAX_CLIENT_ID}");
    let body = product_body(&kit::unique_name("top-of-the-range"), 700, "tea");
    let res = app.put_json(&path, &body).await;
    // On a shared server an earlier run may have put it there already.
    let status = res.status();
    res.expect(
        status == StatusCode::CREATED || (app.url_mode() && status == StatusCode::OK),
        "201 Created",
        format!("{status}"),
        &format!(
            "{MAX_CLIENT_ID} = 2^53 - 1 is the highest id a client may choose, so a PUT \
             there creates the product like any other."
        ),
    );

    // Act
    let res = app
        .post_json(
            "/products",
            &product_body(&kit::unique_name("after-the-top"), 800, "tea"),
        )
        .await;

    // Assert
    res.expect_status(
        StatusCode::CREATED,
        &format!(
            "After a client took {MAX_CLIENT_ID}, the top of its range, POST must still \
             create products. The server's own ids go on above the clients' range (see the \
             table in book/src/05_put.md): if they stopped there, one PUT would deny \
             POST to everyone."
        ),
    );
    let id = res.json("A created product is JSON.")["id"]
        .as_u64()
        .unwrap_or(0);
    res.expect(
        id > MAX_CLIENT_ID,
        format!("an id above {MAX_CLIENT_ID}"),
        format!("id {id}"),
        "POST assigns one more than the highest id ever assigned, by POST or by PUT, \
         so it lands above the id the PUT took.",
    );
    app.get(&format!("/products/{id}")).await.expect_status(
        StatusCode::OK,
        &format!(
            "POST created product {id}, so GET /products/{id} finds it: an id the server \
             assigned is always one it can be asked for, even above the clients' range."
        ),
    );
}

#[tokio::test]
async fn a_put_body_follows_the_same_rules_as_a_post_body() {
    // Arrange: an existing product that no refused PUT may change.
    let app = spawn().await;
    let id = kit::unique_number();
    let path = format!("/products/{id}");
    let original = product_body(&kit::unique_name("rules"), 300, "coffee");
    put_expecting(&app, &path, &original, StatusCode::CREATED).await;
    let valid = product_body(&kit::unique_name("valid"), 300, "coffee").to_string();
    let json = "application/json";
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    #[rustfmt::skip]
    let cases = [
        (json, r#"{"name": "Mug", "price_cents": "#.to_owned(), StatusCode::BAD_REQUEST, "JSON cut off half way"),
        (json, r#"{"name": "Mug", "price_cents": 1, "category": "c",}"#.to_owned(), StatusCode::BAD_REQUEST, "JSON with a trailing comma"),
        ("text/plain", valid.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "a text/plain content type"),
        (json, r#"{"name": "Mug", "category": "c"}"#.to_owned(), unprocessable, "no price"),
        (json, r#"{"name": "Mug", "price_cents": 1}"#.to_owned(), unprocessable, "no category"),
        (json, r#"{"price_cents": 1, "category": "c"}"#.to_owned(), unprocessable, "no name"),
        (json, r#"{"name": "Mug", "price_cents": 1.5, "category": "c"}"#.to_owned(), unprocessable, "a price with a fraction"),
        (json, r#"{"name": "Mug", "price_cents": "100", "category": "c"}"#.to_owned(), unprocessable, "a price that is a string"),
        (json, r#"{"name": "Mug", "price_cents": true, "category": "c"}"#.to_owned(), unprocessable, "a price that is a boolean"),
        (json, r#"{"name": "Mug", "price_cents": null, "category": "c"}"#.to_owned(), unprocessable, "a price that is null"),
        (json, r#"{"name": 42, "price_cents": 1, "category": "c"}"#.to_owned(), unprocessable, "a name that is a number"),
        (json, r#"{"name": "Mug", "price_cents": 1, "category": null}"#.to_owned(), unprocessable, "a category that is null"),
        (json, r#""a product""#.to_owned(), unprocessable, "a JSON string instead of an object"),
        (json, json!({"name": "", "price_cents": 1, "category": "c"}).to_string(), unprocessable, "an empty name"),
        (json, json!({"name": "a".repeat(101), "price_cents": 1, "category": "c"}).to_string(), unprocessable, "a name of 101 characters"),
        (json, json!({"name": "☕".repeat(101), "price_cents": 1, "category": "c"}).to_string(), unprocessable, "a name of 101 characters (303 bytes)"),
        (json, json!({"name": "Mug", "price_cents": -1, "category": "c"}).to_string(), unprocessable, "a price of -1"),
        (json, json!({"name": "Mug", "price_cents": -250, "category": "c"}).to_string(), unprocessable, "a negative price"),
        (json, json!({"name": "Mug", "price_cents": 1, "category": ""}).to_string(), unprocessable, "an empty category"),
    ];

    for (content_type, body, status, what) in cases {
        // Act
        let res = app
            .request(kit::Method::PUT, &path)
            .header("content-type", content_type)
            .body(body)
            .await;

        // Assert
        res.expect_status(
            status,
            &format!(
                "The request has {what}. PUT takes the same product body as POST, with \
                 the same answers: 400 for broken JSON, 415 for a body not declared as \
                 application/json (RFC 9110 §15.5.16), 422 for a wrong shape or a value \
                 that breaks the rules (§15.5.21)."
            ),
        );
    }
    app.get(&path).await.expect_json(
        &with_id(&original, id),
        "Every one of those PUTs was refused, so the product is unchanged.",
    );
}

#[tokio::test]
async fn a_put_body_at_the_edge_of_the_rules_is_accepted() {
    let app = spawn().await;
    #[rustfmt::skip]
    let cases = [
        ("a".repeat(100), 1, "a name of exactly 100 characters"),
        ("☕".repeat(100), 1, "a name of 100 characters that takes 300 bytes"),
        ("x".to_owned(), 1, "a name of one character"),
        (kit::unique_name("free"), 0, "a price of 0, a free product"),
        (kit::unique_name("max"), i64::MAX, "a price of i64::MAX, the largest an i64 holds"),
    ];

    for (name, price_cents, what) in cases {
        let id = kit::unique_number();
        let body = product_body(&name, price_cents, "edge");

        // Act
        let res = app.put_json(&format!("/products/{id}"), &body).await;

        // Assert
        res.expect_status(
            StatusCode::CREATED,
            &format!(
                "The body has {what}, which the rules allow: PUT takes the same product \
                 body as POST (chapter 4), limits included. Nothing was at this id, so the \
                 PUT creates it: 201 Created."
            ),
        )
        .expect_json(
            &with_id(&body, id),
            "The product is stored exactly as sent, with the id from the path.",
        );
    }
}

#[tokio::test]
async fn a_refused_put_to_a_free_id_creates_nothing() {
    let app = spawn().await;
    let path = format!("/products/{}", kit::unique_number());
    let body = json!({ "name": "", "price_cents": 1, "category": "c" });

    app.put_json(&path, &body).await.expect_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        "An empty name breaks the rules: 422.",
    );

    app.get(&path).await.expect_status(
        StatusCode::NOT_FOUND,
        "The PUT was refused, so nothing may exist at its URL afterwards.",
    );
}

#[tokio::test]
async fn a_json_content_type_with_a_charset_is_accepted_by_put() {
    let app = spawn().await;
    let path = format!("/products/{}", kit::unique_number());
    let body = product_body(&kit::unique_name("charset"), 100, "tea");

    let res = app
        .request(kit::Method::PUT, &path)
        .header("content-type", "application/json; charset=utf-8")
        .body(body.to_string())
        .await;

    res.expect_status(
        StatusCode::CREATED,
        "\"application/json; charset=utf-8\" is application/json with a parameter \
         (RFC 9110 §8.3.1); the PUT creates the product.",
    );
}

#[tokio::test]
async fn a_post_after_a_put_gets_an_id_above_the_put_one() {
    // Arrange
    let app = spawn().await;
    let put_id = kit::unique_number();
    let body = product_body(&kit::unique_name("put-first"), 500, "tea");
    put_expecting(
        &app,
        &format!("/products/{put_id}"),
        &body,
        StatusCode::CREATED,
    )
    .await;

    // Act
    let res = app
        .post_json(
            "/products",
            &product_body(&kit::unique_name("post-after"), 600, "tea"),
        )
        .await;

    // Assert
    res.expect_status(StatusCode::CREATED, "POST /products answers 201 Created.");
    let id = res.json("A created product is JSON.")["id"]
        .as_u64()
        .unwrap_or(0);
    res.expect(
        id > put_id,
        format!("an id above {put_id}"),
        format!("id {id}"),
        "An id chosen with PUT is still an id in use. POST assigns one more than the \
         highest id ever assigned, by POST or by PUT, so it can never land on a \
         product a client created at a URL of its choosing.",
    );
    if !app.url_mode() {
        res.expect(
            id == put_id + 1,
            format!("id {}", put_id + 1),
            format!("id {id}"),
            "On a private server nothing else was created in between.",
        );
    }
}

async fn put_expecting(app: &TestApp, path: &str, body: &Value, status: StatusCode) -> Exchange {
    let res = app.put_json(path, body).await;
    res.expect_status(
        status,
        "A PUT answers 201 Created when it creates the product and 200 OK when it \
         replaces one that exists (RFC 9110 §9.3.4).",
    );
    res
}

fn product_body(name: &str, price_cents: i64, category: &str) -> Value {
    json!({ "name": name, "price_cents": price_cents, "category": category })
}

fn with_id(body: &Value, id: u64) -> Value {
    let mut product = body.clone();
    product["id"] = json!(id);
    product
}
