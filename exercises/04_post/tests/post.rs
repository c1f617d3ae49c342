//! Chapter 4, POST: the contract, checked over real HTTP.
//! Read `book/src/04_post.md` for the table these tests follow.
//!
//! In URL mode other tests share the server, so each test checks only the
//! products it created (with names from `kit::unique_name`) and the seeds.

use kit::{Exchange, StatusCode, TestApp, Value, json};
use post::app;

const CHAPTER: &str = "04_post";

async fn spawn() -> TestApp {
    TestApp::spawn(app, CHAPTER).await
}

#[tokio::test]
async fn post_answers_201_with_a_location_and_the_created_product() {
    // Arrange
    let app = spawn().await;
    let body = json!({
        "name": kit::unique_name("grinder"),
        "price_cents": 4999,
        "category": "accessories",
    });

    // Act
    let res = app.post_json("/products", &body).await;

    // Assert
    res.expect_status(
        StatusCode::CREATED,
        "POST asks the server to create a resource from the body (RFC 9110 §9.3.3). \
         When it does, the answer is 201 Created (§15.3.2), not 200: the status alone \
         tells the client something new now exists.",
    );
    let id = id_of(&res);
    res.expect_json(
        &with_id(&body, id),
        "The body of a 201 is the created product: what was sent, plus the id the \
         server chose. The client learns its id without a second request.",
    );
    expect_location(&res, id);
    if !app.url_mode() {
        res.expect(
            id == 4,
            "id 4",
            format!("id {id}"),
            "The seeds hold ids 1 to 3, so the first product created on a fresh server \
             gets 4: one more than the highest id ever assigned.",
        );
    }
}

#[tokio::test]
async fn a_get_on_the_location_returns_the_created_product() {
    // Arrange
    let app = spawn().await;
    let category = kit::unique_name("category");
    let body =
        json!({ "name": kit::unique_name("kettle"), "price_cents": 3500, "category": category });
    let created = app.post_json("/products", &body).await;
    created.expect_status(StatusCode::CREATED, "POST /products answers 201 Created.");
    let id = id_of(&created);

    // Act
    let fetched = app.get(&location_path(&created)).await;

    // Assert
    fetched
        .expect_status(
            StatusCode::OK,
            "The Location of a 201 points at the new resource (RFC 9110 §15.3.2), so a \
             GET there finds it.",
        )
        .expect_json(
            &with_id(&body, id),
            "The product read back is the product that was created, field for field.",
        );
    app.get(&format!("/products?category={category}"))
        .await
        .expect_json(
            &json!([with_id(&body, id)]),
            "A created product joins the collection: the list, filtered by its own \
             category, shows it.",
        );
}

#[tokio::test]
async fn the_server_chooses_the_id_and_ignores_one_in_the_body() {
    // Arrange: a product of our own whose id a careless server might overwrite.
    let app = spawn().await;
    let first_body = product_body(&kit::unique_name("first"), 1500);
    let first = app.post_json("/products", &first_body).await;
    first.expect_status(StatusCode::CREATED, "POST /products answers 201 Created.");
    let first_id = id_of(&first);

    for sent_id in [json!(first_id), json!("my-own-id"), json!(-7)] {
        let mut body = product_body(&kit::unique_name("second"), 1600);
        body["id"] = sent_id;

        // Act
        let res = app.post_json("/products", &body).await;

        // Assert
        res.expect_status(
            StatusCode::CREATED,
            "An \"id\" in a POST body is ignored, whatever its value: the client asks \
             the server to create something, and the server alone names it.",
        );
        let id = id_of(&res);
        res.expect(
            id != first_id && id > 0,
            format!("a new positive id, not {first_id}"),
            format!("id {id}"),
            "With POST the server assigns the id (RFC 9110 §9.3.3). Taking the client's \
             would let one client overwrite another's product.",
        );
    }
    app.get(&format!("/products/{first_id}")).await.expect_json(
        &with_id(&first_body, first_id),
        "The product whose id was sent in a later POST body is untouched.",
    );
}

#[tokio::test]
async fn two_identical_posts_create_two_products() {
    // Arrange
    let app = spawn().await;
    let body = product_body(&kit::unique_name("twin"), 999);

    // Act
    let first = app.post_json("/products", &body).await;
    let second = app.post_json("/products", &body).await;

    // Assert
    first.expect_status(
        StatusCode::CREATED,
        "The first POST creates a product: 201.",
    );
    second.expect_status(
        StatusCode::CREATED,
        "POST is not idempotent (RFC 9110 §9.2.2): sending the same body again creates \
         another product, so the second POST is also a 201.",
    );
    let (first_id, second_id) = (id_of(&first), id_of(&second));
    second.expect(
        second_id > first_id,
        format!("an id above {first_id}"),
        format!("id {second_id}"),
        "Two POSTs make two resources, each with its own id; a new id is always higher \
         than every id assigned before it.",
    );
    if !app.url_mode() {
        second.expect(
            second_id == first_id + 1,
            format!("id {}", first_id + 1),
            format!("id {second_id}"),
            "On a private server nothing else creates products in between, so the next id \
             is exactly one more than the last one.",
        );
    }
    for id in [first_id, second_id] {
        app.get(&format!("/products/{id}"))
            .await
            .expect_json(&with_id(&body, id), "Both products exist after two POSTs.");
    }
}

#[tokio::test]
async fn back_to_back_posts_get_consecutive_ids() {
    // In URL mode another test may POST between our two, so a gap of more
    // than one is retried a few times; a server that skips ids never closes it.
    let app = spawn().await;
    let attempts = if app.url_mode() { 10 } else { 1 };
    let mut last = None;
    for _ in 0..attempts {
        // Act
        let first = app
            .post_json("/products", &product_body(&kit::unique_name("pair-a"), 10))
            .await;
        let second = app
            .post_json("/products", &product_body(&kit::unique_name("pair-b"), 20))
            .await;

        // Assert
        first.expect_status(StatusCode::CREATED, "POST /products answers 201 Created.");
        second.expect_status(StatusCode::CREATED, "POST /products answers 201 Created.");
        let (a, b) = (id_of(&first), id_of(&second));
        if b == a + 1 {
            return;
        }
        last = Some((a, second));
    }
    if let Some((a, second)) = last {
        second.expect(
            false,
            format!("id {}", a + 1),
            format!("id {}", id_of(&second)),
            "A new id is exactly one more than the highest id ever assigned, so a POST \
             right after another gets the next number. Ids that skip are not wrong in \
             HTTP terms, but they break this API's promise, and clients or reports that \
             rely on it.",
        );
    }
}

#[tokio::test]
async fn malformed_json_answers_400() {
    let app = spawn().await;
    #[rustfmt::skip]
    let cases = [
        (r#"{"name": "Mug", "price_cents": 900,"#, "JSON that stops half way"),
        ("name=Mug&price_cents=900", "a form, not JSON"),
        ("", "empty"),
        (r#"{"name": 'Mug', "price_cents": 900, "category": "x"}"#, "JSON with single quotes"),
        (r#"{"name": "Mug", "price_cents": 900, "category": "x",}"#, "JSON with a trailing comma"),
    ];

    for (body, what) in cases {
        let res = app
            .request(kit::Method::POST, "/products")
            .header("content-type", "application/json")
            .body(body)
            .await;

        res.expect_status(
            StatusCode::BAD_REQUEST,
            &format!(
                "The body is {what}: the request says it is JSON (Content-Type: \
                 application/json), but the body does not parse. That is a malformed \
                 request, 400 Bad Request (RFC 9110 §15.5.1), not 422, which is for JSON \
                 that parses but does not fit."
            ),
        );
    }
}

#[tokio::test]
async fn a_body_that_is_not_declared_as_json_answers_415() {
    let app = spawn().await;
    let body = product_body(&kit::unique_name("not-json"), 100).to_string();
    #[rustfmt::skip]
    let cases = [
        (Some("text/plain"), "a text/plain body"),
        (Some("application/x-www-form-urlencoded"), "a form content type"),
        (Some("text/json"), "text/json, which is not the JSON media type"),
        (None, "no Content-Type header at all"),
    ];

    for (content_type, what) in cases {
        let mut request = app.request(kit::Method::POST, "/products");
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let res = request.body(body.clone()).await;

        res.expect_status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!(
                "The request carries {what}. This endpoint reads only application/json, \
                 so the answer is 415 Unsupported Media Type (RFC 9110 §15.5.16), even \
                 when the bytes happen to look like JSON."
            ),
        );
    }
}

#[tokio::test]
async fn a_json_content_type_with_a_charset_parameter_is_accepted() {
    let app = spawn().await;
    let body = product_body(&kit::unique_name("charset"), 250);

    let res = app
        .request(kit::Method::POST, "/products")
        .header("content-type", "application/json; charset=utf-8")
        .body(body.to_string())
        .await;

    res.expect_status(
        StatusCode::CREATED,
        "A media type may carry parameters (RFC 9110 §8.3.1): \
         \"application/json; charset=utf-8\" is still application/json, and many \
         clients send exactly that. Compare the type, not the whole header.",
    );
}

#[tokio::test]
async fn a_missing_field_or_a_wrong_type_answers_422() {
    let app = spawn().await;
    let name = kit::unique_name("shape");
    #[rustfmt::skip]
    let cases = [
        (json!({ "price_cents": 100, "category": "c" }), "the name is missing"),
        (json!({ "name": name, "category": "c" }), "the price is missing"),
        (json!({ "name": name, "price_cents": 100 }), "the category is missing"),
        (json!({ "name": name, "price_cents": "100", "category": "c" }), "the price is a string"),
        (json!({ "name": name, "price_cents": 12.5, "category": "c" }), "the price has a fraction"),
        (json!({ "name": name, "price_cents": true, "category": "c" }), "the price is a boolean"),
        (json!({ "name": name, "price_cents": null, "category": "c" }), "the price is null"),
        (json!({ "name": 42, "price_cents": 100, "category": "c" }), "the name is a number"),
        (json!({ "name": name, "price_cents": 100, "category": null }), "the category is null"),
        (json!("a product"), "the body is a string, not an object"),
    ];

    for (body, what) in cases {
        let res = app.post_json("/products", &body).await;

        res.expect_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "The JSON parses, but {what}. The syntax is fine and the content is not, \
                 which is what 422 Unprocessable Content means (RFC 9110 §15.5.21); 400 \
                 is for bodies that are not JSON at all."
            ),
        );
    }
}

#[tokio::test]
async fn a_value_that_breaks_the_rules_answers_422_and_creates_nothing() {
    let app = spawn().await;
    // A category of our own, to look for anything a broken server stored anyway.
    let category = kit::unique_name("rules");
    #[rustfmt::skip]
    let cases = [
        (json!(""), json!(100), json!(category), "the name is empty"),
        (json!("a".repeat(101)), json!(100), json!(category), "the name has 101 characters"),
        (json!("☕".repeat(101)), json!(100), json!(category), "the name has 101 characters (303 bytes)"),
        (json!("Mug"), json!(-1), json!(category), "the price is negative"),
        (json!("Mug"), json!(100), json!(""), "the category is empty"),
    ];

    for (name, price_cents, category, what) in cases {
        let body = json!({ "name": name, "price_cents": price_cents, "category": category });
        let res = app.post_json("/products", &body).await;

        res.expect_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "Every field is there with the right type, but {what}, which the rules \
                 forbid (a name of 1 to 100 characters, a price of 0 or more, a non-empty \
                 category). Well-formed content the server refuses to process is 422 \
                 (RFC 9110 §15.5.21)."
            ),
        );
    }
    app.get(&format!("/products?category={category}"))
        .await
        .expect_json(
            &json!([]),
            "A request that was refused changes nothing: none of the invalid products \
             may have been stored.",
        );
}

#[tokio::test]
async fn values_at_the_edge_of_the_rules_are_accepted() {
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
        let body = json!({ "name": name, "price_cents": price_cents, "category": "edge" });
        let res = app.post_json("/products", &body).await;

        res.expect_status(
            StatusCode::CREATED,
            &format!(
                "The body has {what}, which the rules allow. Limits are inclusive, and \
                 a length in characters is not a length in bytes: count with \
                 `.chars().count()`, not `.len()`."
            ),
        );
        let id = id_of(&res);
        res.expect_json(
            &with_id(&body, id),
            "The product is stored exactly as sent.",
        );
    }
}

#[tokio::test]
async fn a_prediction_answers_200_with_the_predicted_units() {
    // Seed product 1 costs 1899 cents; predicted units are 100 * 1899 / price.
    let app = spawn().await;
    #[rustfmt::skip]
    let cases = [
        (1799, 105),
        (1899, 100),
        (3798, 50),
        (949, 200),
        (1, 189_900),
    ];

    for (price_cents, units) in cases {
        let body = json!({ "product_id": 1, "price_cents": price_cents });
        let res = app.post_json("/predictions", &body).await;

        res.expect_status(
            StatusCode::OK,
            "A prediction is a calculation: it creates no resource, so it answers 200 OK, \
             not 201. POST is the method for \"process this\" as well as for \"create\" \
             (RFC 9110 §9.3.3).",
        )
        .expect_json(
            &json!({ "product_id": 1, "price_cents": price_cents, "predicted_units": units }),
            "predicted_units = 100 * list price / asked price, rounded down, where the \
             list price is the product's stored price_cents (1899 for product 1).",
        );
    }
}

#[tokio::test]
async fn a_prediction_creates_nothing_so_it_has_no_location() {
    let app = spawn().await;
    let body = json!({ "product_id": 1, "price_cents": 1799 });

    let res = app.post_json("/predictions", &body).await;

    res.expect_status(StatusCode::OK, "A prediction answers 200 OK.");
    res.expect(
        res.header("location").is_none(),
        "no Location header",
        res.header_line("location"),
        "Location names a resource the request created (RFC 9110 §10.2.2, §15.3.2). A \
         prediction is only a calculation: nothing new exists afterwards, so there is \
         nowhere to point, and a client that follows the header would find nothing.",
    );
}

#[tokio::test]
async fn a_prediction_uses_the_products_stored_price() {
    // Arrange: a product with a price no seed has.
    let app = spawn().await;
    let list_price = 1_000 + (kit::unique_number() % 9_000) as i64;
    let created = app
        .post_json(
            "/products",
            &product_body(&kit::unique_name("priced"), list_price),
        )
        .await;
    created.expect_status(StatusCode::CREATED, "POST /products answers 201 Created.");
    let id = id_of(&created);

    for price_cents in [list_price, list_price / 3 + 1, list_price * 2 + 7] {
        // Act
        let res = app
            .post_json(
                "/predictions",
                &json!({ "product_id": id, "price_cents": price_cents }),
            )
            .await;

        // Assert
        res.expect_status(
            StatusCode::OK,
            "A prediction for a product that exists answers 200.",
        )
        .expect_json(
            &json!({
                "product_id": id,
                "price_cents": price_cents,
                "predicted_units": 100 * list_price / price_cents,
            }),
            &format!(
                "This product's list price is {list_price} cents, so the prediction is \
                     100 * {list_price} / {price_cents}, rounded down."
            ),
        );
    }
}

#[tokio::test]
async fn a_prediction_with_a_huge_price_does_not_overflow() {
    // 100 * this price no longer fits in an i64.
    let app = spawn().await;
    let huge = i64::MAX / 100 + 1;
    let created = app
        .post_json("/products", &product_body(&kit::unique_name("huge"), huge))
        .await;
    created.expect_status(StatusCode::CREATED, "Any price of 0 or more is valid.");
    let id = id_of(&created);

    let res = app
        .post_json(
            "/predictions",
            &json!({ "product_id": id, "price_cents": huge }),
        )
        .await;

    res.expect_status(
        StatusCode::OK,
        "100 * list price overflows a 64-bit integer here. Compute in a wider type \
         (i128) so that no valid input can crash the server or wrap around.",
    );
    let units = res.json("A prediction is a JSON object.")["predicted_units"].clone();
    res.expect(
        units == json!(100),
        "predicted_units: 100",
        format!("predicted_units: {units}"),
        "Asking the list price predicts 100 units, however big the price is.",
    );
}

#[tokio::test]
async fn a_prediction_for_an_unknown_product_answers_404() {
    let app = spawn().await;
    let body = json!({ "product_id": kit::unique_number(), "price_cents": 500 });

    let res = app.post_json("/predictions", &body).await;

    res.expect_status(
        StatusCode::NOT_FOUND,
        "The body names a product that does not exist, so there is no list price to \
         predict from: 404 Not Found.",
    );
}

#[tokio::test]
async fn a_prediction_with_a_bad_body_answers_400_415_or_422() {
    let app = spawn().await;
    let json = "application/json";
    #[rustfmt::skip]
    let cases = [
        (json, r#"{"product_id": 1, "price_cents": 0}"#, StatusCode::UNPROCESSABLE_ENTITY, "a price of 0, which would divide by zero"),
        (json, r#"{"product_id": 1, "price_cents": -100}"#, StatusCode::UNPROCESSABLE_ENTITY, "a negative price"),
        (json, r#"{"product_id": 1}"#, StatusCode::UNPROCESSABLE_ENTITY, "no price"),
        (json, r#"{"price_cents": 100}"#, StatusCode::UNPROCESSABLE_ENTITY, "no product_id"),
        (json, r#"{"product_id": "one", "price_cents": 100}"#, StatusCode::UNPROCESSABLE_ENTITY, "a product_id that is a string"),
        (json, r#"{"product_id": "1", "price_cents": 100}"#, StatusCode::UNPROCESSABLE_ENTITY, "a product_id that is a string of digits"),
        (json, r#"{"product_id": 1.5, "price_cents": 100}"#, StatusCode::UNPROCESSABLE_ENTITY, "a product_id with a fraction"),
        (json, r#"{"product_id": true, "price_cents": 100}"#, StatusCode::UNPROCESSABLE_ENTITY, "a product_id that is a boolean"),
        (json, r#"{"product_id": null, "price_cents": 100}"#, StatusCode::UNPROCESSABLE_ENTITY, "a product_id that is null"),
        (json, r#"{"product_id": 1, "price_cents": "100"}"#, StatusCode::UNPROCESSABLE_ENTITY, "a price that is a string"),
        (json, r#"{"product_id": 1, "price_cents": 949.5}"#, StatusCode::UNPROCESSABLE_ENTITY, "a price with a fraction"),
        (json, r#"{"product_id": 1, "price_cents": true}"#, StatusCode::UNPROCESSABLE_ENTITY, "a price that is a boolean"),
        (json, r#"{"product_id": 1, "price_cents": null}"#, StatusCode::UNPROCESSABLE_ENTITY, "a price that is null"),
        (json, r#"{"product_id": 1, "price_cents": "#, StatusCode::BAD_REQUEST, "JSON cut off half way"),
        (json, r#"{"product_id": 1, "price_cents": 100,}"#, StatusCode::BAD_REQUEST, "JSON with a trailing comma"),
        ("text/plain", r#"{"product_id": 1, "price_cents": 100}"#, StatusCode::UNSUPPORTED_MEDIA_TYPE, "a text/plain body"),
    ];

    for (content_type, body, status, what) in cases {
        let res = app
            .request(kit::Method::POST, "/predictions")
            .header("content-type", content_type)
            .body(body)
            .await;

        res.expect_status(
            status,
            &format!(
                "The request has {what}. Bodies follow one set of rules across the API: \
                 not JSON is 400, not declared as JSON is 415, JSON with the wrong shape \
                 or values is 422. Both fields are JSON integers: a string, a fraction, a \
                 boolean or null is the wrong type, even where it could be read as a \
                 number."
            ),
        );
    }
}

fn product_body(name: &str, price_cents: i64) -> Value {
    json!({ "name": name, "price_cents": price_cents, "category": "test-post" })
}

fn with_id(body: &Value, id: u64) -> Value {
    let mut product = body.clone();
    product["id"] = json!(id);
    product
}

#[track_caller]
fn id_of(res: &Exchange) -> u64 {
    let product = res.json("A created product comes back as JSON.");
    match product.get("id").and_then(Value::as_u64) {
        Some(id) if id > 0 => id,
        _ => res.fail(
            "a body with a positive integer \"id\"",
            match product.get("id") {
                Some(id) => format!("\"id\": {id}"),
                None => "no \"id\" member".to_owned(),
            },
            "The created product's representation includes the id the server gave it.",
        ),
    }
}

/// The `Location` header must name the new product: `/products/{id}`, or the
/// same as an absolute URL on this server.
#[track_caller]
fn expect_location(res: &Exchange, id: u64) {
    res.expect_location(
        &format!("/products/{id}"),
        "A 201 Created carries a Location header with the URL of the new resource \
         (RFC 9110 §15.3.2), so the client knows where to find it. It must be the id \
         in the body, not the collection and not some other product.",
    );
}

#[track_caller]
fn location_path(res: &Exchange) -> String {
    let id = id_of(res);
    expect_location(res, id);
    format!("/products/{id}")
}
