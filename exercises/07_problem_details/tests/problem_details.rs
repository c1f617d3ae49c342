//! Chapter 7, Problem details: the contract, checked over real HTTP.
//! Read `book/src/07_problem_details.md` for the table these tests follow.
//!
//! In URL mode other tests share the server: these tests never change the
//! seeds. What a wrongly accepted request might create gets a name from
//! `kit::unique_name` or an id from `kit::unique_number`, so it collides with nothing.

use kit::{Method, StatusCode, TestApp, Value, json};
use problem_details::app;

const CHAPTER: &str = "07_problem_details";

/// The largest body the server must read: 64 KiB.
const MAX_BODY: usize = 65_536;

async fn spawn() -> TestApp {
    TestApp::spawn(app, CHAPTER).await
}

/// True when `detail` mentions `field` as a word of its own: `price_cents` in
/// "price_cents: must be zero or more", but not in "price_cents_total".
fn names_field(detail: &str, field: &str) -> bool {
    detail
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|word| word == field)
}

fn product_body(name: &str) -> Value {
    json!({ "name": name, "price_cents": 1250, "category": "problem-details" })
}

#[tokio::test]
async fn an_unknown_route_answers_a_404_problem() {
    let app = spawn().await;

    for path in ["/no-such-endpoint", "/products/1/reviews", "/HEALTH"] {
        let res = app.get(path).await;

        res.expect_problem(
            StatusCode::NOT_FOUND,
            "A path the API does not define is 404 Not Found (RFC 9110 §15.5.5), and like \
             every error it is a problem details body: the router's own \"no route\" answer \
             must not fall back to an empty or plain-text body.",
        );
    }
}

#[tokio::test]
async fn a_product_that_does_not_exist_answers_a_404_problem() {
    let app = spawn().await;
    let path = format!("/products/{}", kit::unique_number());

    for method in [Method::GET, Method::DELETE] {
        let res = app.request(method, &path).await;

        res.expect_problem(
            StatusCode::NOT_FOUND,
            "No product has this id, so the answer is 404 Not Found, in the problem details \
             format (RFC 9457 §3) like every other error.",
        );
    }
}

#[tokio::test]
async fn an_id_that_is_not_a_positive_integer_answers_a_400_problem() {
    let app = spawn().await;

    // %FF decodes to a byte that is not UTF-8: axum's own `Path` extractor
    // rejects it before any handler code runs.
    for raw in ["abc", "0", "-1", "1.5", "%FF"] {
        let path = format!("/products/{raw}");
        for res in [
            app.get(&path).await,
            app.delete(&path).await,
            app.put_json(&path, &product_body(&kit::unique_name("bad-id")))
                .await,
        ] {
            res.expect_problem(
                StatusCode::BAD_REQUEST,
                "Product ids are positive integers (chapter 3), so this request is malformed: \
                 400 Bad Request (RFC 9110 §15.5.1), as a problem details body. That holds \
                 even when the framework, not your handler, is the one that rejects the path.",
            );
        }
    }
}

#[tokio::test]
async fn a_put_to_an_id_above_2_to_the_53_minus_1_answers_a_400_problem() {
    let app = spawn().await;
    // 2^53, the first id a client may not choose (chapter 5), and u64::MAX.
    for id in [9_007_199_254_740_992_u64, u64::MAX] {
        let path = format!("/products/{id}");

        app.put_json(&path, &product_body(&kit::unique_name("too-large")))
            .await
            .expect_problem(
                StatusCode::BAD_REQUEST,
                "A client may choose product ids up to 2^53 - 1 only (chapter 5): above, \
                 JSON integers do not travel safely (RFC 7493 §2.2). This PUT is refused \
                 like any other id PUT cannot take, with 400 Bad Request as a problem \
                 details body.",
            );
        app.get(&path).await.expect_problem(
            StatusCode::NOT_FOUND,
            "The PUT was refused, so no product has this id: 404 Not Found, as a problem. \
             Not 400: the id is well-formed, and the server's own ids may go that high.",
        );
    }
}

#[tokio::test]
async fn a_method_the_path_does_not_support_answers_a_405_problem_that_keeps_allow() {
    let app = spawn().await;
    let cases = [
        (Method::PATCH, "/products", &["GET", "POST"][..]),
        (Method::DELETE, "/products", &["GET", "POST"][..]),
        (Method::PATCH, "/products/1", &["GET", "PUT", "DELETE"][..]),
        (Method::GET, "/predictions", &["POST"][..]),
        (Method::POST, "/health", &["GET"][..]),
    ];

    for (method, path, expected) in cases {
        let res = app.request(method.clone(), path).await;

        res.expect_problem(
            StatusCode::METHOD_NOT_ALLOWED,
            "The path exists but not for this method: 405 Method Not Allowed (RFC 9110 \
             §15.5.6), as a problem details body.",
        );
        let allowed: Vec<String> = res
            .header_all("allow")
            .iter()
            .flat_map(|value| value.split(','))
            .map(|method| method.trim().to_ascii_uppercase())
            .collect();
        res.expect(
            expected.iter().all(|m| allowed.iter().any(|a| a == m))
                && !allowed.iter().any(|a| a == method.as_str()),
            format!(
                "an Allow header listing {} and not {method}",
                expected.join(", ")
            ),
            res.header_line("allow"),
            "RFC 9110 §15.5.6: a 405 response MUST carry an Allow header with the methods the \
             resource supports. Replacing the body with a problem must keep that header: \
             check that your 405 handler or middleware does not drop it.",
        );
    }
}

#[tokio::test]
async fn a_body_not_labelled_as_json_answers_a_415_problem() {
    let app = spawn().await;
    let body = product_body(&kit::unique_name("not-labelled")).to_string();
    let prediction = json!({ "product_id": 1, "price_cents": 1500 }).to_string();
    let put_path = format!("/products/{}", kit::unique_number());

    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let requests = [
            (Method::POST, "/products", &body),
            (Method::PUT, put_path.as_str(), &body),
            (Method::POST, "/predictions", &prediction),
        ];
        for (method, path, body) in requests {
            let mut call = app.request(method, path).body(body.clone());
            if let Some(content_type) = content_type {
                call = call.header("content-type", content_type);
            }
            let res = call.await;

            res.expect_problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "These endpoints read JSON, and the request did not say its body is JSON: \
                 415 Unsupported Media Type (RFC 9110 §15.5.16), as a problem details body.",
            );
        }
    }
}

#[tokio::test]
async fn json_that_does_not_parse_answers_a_400_problem() {
    let app = spawn().await;
    let cases = [
        (
            "JSON cut off half way",
            r#"{"name": "x", "price_cents": 12"#,
        ),
        (
            "JSON with a trailing comma",
            r#"{"name": "x", "price_cents": 12,}"#,
        ),
        ("JSON with single quotes", r#"{'name': 'x'}"#),
        ("a form, not JSON at all", "name=x&price_cents=12"),
        (
            "a JSON object with text after it",
            r#"{"name": "x", "price_cents": 12, "category": "c"} and more"#,
        ),
    ];

    for (what, body) in cases {
        let res = app
            .request(Method::POST, "/products")
            .header("content-type", "application/json")
            .body(body)
            .await;

        res.expect_problem(
            StatusCode::BAD_REQUEST,
            &format!(
                "The body is {what}: not valid JSON (RFC 8259), so it cannot be read at all: 400 Bad \
                 Request (RFC 9110 §15.5.1), as a problem details body. 422 is for JSON that \
                 parses but says something wrong."
            ),
        );
    }
}

#[tokio::test]
async fn a_wrong_field_answers_a_422_problem_whose_detail_names_the_field() {
    let app = spawn().await;
    let name = kit::unique_name("wrong-field");
    let put_path = format!("/products/{}", kit::unique_number());
    let cases = [
        (
            "POST",
            "/products",
            json!({"name": name, "price_cents": "12", "category": "c"}),
            "price_cents",
        ),
        (
            "POST",
            "/products",
            json!({"name": name, "price_cents": 12}),
            "category",
        ),
        (
            "POST",
            "/products",
            json!({"name": name, "price_cents": -5, "category": "c"}),
            "price_cents",
        ),
        (
            "POST",
            "/products",
            json!({"name": name, "price_cents": 12, "category": 7}),
            "category",
        ),
        (
            "PUT",
            put_path.as_str(),
            json!({"name": name, "price_cents": 1.5, "category": "c"}),
            "price_cents",
        ),
        (
            "PUT",
            put_path.as_str(),
            json!({"name": name, "price_cents": 12, "category": ""}),
            "category",
        ),
        (
            "POST",
            "/predictions",
            json!({"product_id": "one", "price_cents": 100}),
            "product_id",
        ),
        (
            "POST",
            "/predictions",
            json!({"product_id": 1, "price_cents": 0}),
            "price_cents",
        ),
        (
            "POST",
            "/predictions",
            json!({"product_id": 1}),
            "price_cents",
        ),
    ];

    for (method, path, body, field) in cases {
        let method = if method == "PUT" {
            Method::PUT
        } else {
            Method::POST
        };
        let res = app.request(method, path).json(&body).await;

        let problem = res.expect_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The body is valid JSON but a field is missing, has the wrong type or a value \
             the API refuses: 422 Unprocessable Content (RFC 9110 §15.5.21), as a problem \
             details body.",
        );
        let detail = problem["detail"].as_str().unwrap_or_default();
        res.expect(
            names_field(detail, field),
            format!("a detail that names the field `{field}`"),
            format!("\"detail\": {detail:?}"),
            "RFC 9457 §3.1.4: `detail` explains this occurrence of the problem, to help the \
             client correct it. \"Invalid input\" does not say which of the fields to fix; \
             the field's name does.",
        );
    }
}

#[tokio::test]
async fn an_integer_too_large_for_its_field_answers_a_422_problem_that_says_so() {
    let app = spawn().await;
    let name = kit::unique_name("too-large");
    let put_path = format!("/products/{}", kit::unique_number());
    let huge = "99999999999999999999999";
    // The largest value of each field's 64-bit type. product_id may be signed
    // or unsigned; price_cents takes i64::MAX (chapter 4).
    let i64_max = ["9223372036854775807"];
    let id_max = ["18446744073709551615", "9223372036854775807"];
    let product = format!(r#""name": "{name}", "category": "too-large""#);
    let cases = [
        (
            Method::POST,
            "/products",
            format!(r#"{{{product}, "price_cents": {huge}}}"#),
            "price_cents",
            &i64_max[..],
        ),
        (
            Method::PUT,
            put_path.as_str(),
            format!(r#"{{{product}, "price_cents": {huge}}}"#),
            "price_cents",
            &i64_max[..],
        ),
        (
            Method::POST,
            "/predictions",
            format!(r#"{{"product_id": 1, "price_cents": {huge}}}"#),
            "price_cents",
            &i64_max[..],
        ),
        (
            Method::POST,
            "/predictions",
            format!(r#"{{"product_id": {huge}, "price_cents": 100}}"#),
            "product_id",
            &id_max[..],
        ),
    ];

    for (method, path, body, field, limits) in cases {
        let res = app
            .request(method, path)
            .header("content-type", "application/json")
            .body(body)
            .await;

        let problem = res.expect_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "{field} is {huge}, a JSON integer (RFC 8259 §6) too large for the field's 64 \
                 bits: valid JSON with a value the API cannot take, 422 Unprocessable Content \
                 (RFC 9110 §15.5.21), as a problem details body."
            ),
        );
        let detail = problem["detail"].as_str().unwrap_or_default();
        let lower = detail.to_lowercase();
        res.expect(
            names_field(detail, field)
                && lower.contains("too large")
                && !lower.contains("float")
                && limits.iter().any(|limit| detail.contains(limit)),
            format!(
                "a detail that names `{field}`, says the number is too large and gives the \
                 largest allowed, {}",
                limits.join(" or ")
            ),
            format!("\"detail\": {detail:?}"),
            "Many JSON parsers read an integer too long for 64 bits as a float, so the error \
             they give is \"invalid type: floating point `1e+23`\": the client sent no float, \
             and is left to guess. RFC 9457 §3.1.4: `detail` helps the client correct the \
             request, so say which field, that its number is too large, and what the range \
             is (I-JSON, RFC 7493 §2.2, on numbers that travel badly).",
        );
    }
}

/// A valid body for `path`, padded with spaces to exactly `size` bytes, so
/// that its size is the only thing that can be wrong with it.
fn padded_body(path: &str, size: usize) -> Vec<u8> {
    let value = if path == "/predictions" {
        json!({ "product_id": 1, "price_cents": 1500 })
    } else {
        product_body(&kit::unique_name("big-body"))
    };
    let mut body = value.to_string().into_bytes();
    body.resize(size.max(body.len()), b' ');
    body
}

#[tokio::test]
async fn a_body_over_64_kib_answers_a_413_problem_and_the_server_keeps_serving() {
    let app = spawn().await;
    let put_path = format!("/products/{}", kit::unique_number());
    let targets = [
        (Method::POST, "/products"),
        (Method::PUT, put_path.as_str()),
        (Method::POST, "/predictions"),
    ];

    for size in [MAX_BODY + 1, 256 * 1024] {
        for (method, path) in targets.clone() {
            let res = app
                .request(method, path)
                .header("content-type", "application/json")
                .body(padded_body(path, size))
                .await;

            res.expect_problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "This service reads at most 64 KiB (65536 bytes) of body. A bigger body is \
                 refused with 413 Content Too Large (RFC 9110 §15.5.14) before it is \
                 buffered, so no client can make the server hold megabytes in memory. The \
                 JSON itself is valid: only its size is wrong.",
            );
        }
    }

    app.get("/health").await.expect_status(
        StatusCode::OK,
        "After refusing big bodies the server must still be up and answering: a 413 is a \
         polite refusal, not a crash.",
    );
    app.post_json("/products", &product_body(&kit::unique_name("after-413")))
        .await
        .expect_status(
            StatusCode::CREATED,
            "A normal POST after the refused ones still creates its product (chapter 4).",
        );
}

#[tokio::test]
async fn a_refused_big_body_is_never_read_as_a_request_of_its_own() {
    // Arrange: a product, and a body over the limit that starts with a whole
    // HTTP request deleting it.
    let app = spawn().await;
    let res = app
        .post_json("/products", &product_body(&kit::unique_name("smuggled")))
        .await;
    let why = "POST /products creates a product to watch (chapter 4).";
    res.expect_status(StatusCode::CREATED, why);
    let created = res.json(why);
    let Some(id) = created["id"].as_u64() else {
        res.fail(
            "a numeric \"id\"",
            format!("\"id\": {}", created["id"]),
            why,
        );
    };
    let host = app.base_url().split("://").nth(1).unwrap_or_default();
    let smuggled =
        format!("DELETE /products/{id} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n");
    let mut body = smuggled.into_bytes();
    body.resize(MAX_BODY + 4096, b' ');

    // Act
    let res = app
        .request(Method::POST, "/products")
        .header("content-type", "application/json")
        .body(body)
        .await;

    // Assert
    res.expect_problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        "A body over 64 KiB is refused with 413 Content Too Large (RFC 9110 §15.5.14).",
    );
    // A server that reads the leftover body as the next request would have
    // run that DELETE by now; give it a moment to show.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    app.get(&format!("/products/{id}")).await.expect_status(
        StatusCode::OK,
        "The refused body began with the bytes of a request deleting this product, and the \
         product is gone: the server answered 413 without reading the body, kept the \
         connection open, and then read the body as the next request. That is request \
         smuggling. After a 413, either read and discard the rest of the body, or close \
         the connection (RFC 9110 §15.5.14: the server MAY close it; send \
         `Connection: close` to say so).",
    );
}

#[tokio::test]
async fn a_body_of_exactly_64_kib_is_not_refused_as_too_large() {
    let app = spawn().await;

    let res = app
        .request(Method::POST, "/products")
        .header("content-type", "application/json")
        .body(padded_body("/products", MAX_BODY))
        .await;

    res.expect_status(
        StatusCode::CREATED,
        "The limit is 64 KiB: a body of exactly 65536 bytes is allowed, and this one is a \
         valid product padded with spaces, so it is created (201, chapter 4). A 413 here \
         means the limit is one byte too small.",
    );
}

/// The request bodies a careless or hostile client might send. `num` is a
/// numeric field of the endpoint and `rest` its other fields, already valid.
fn malformed_bodies(num: &str, rest: &str) -> Vec<(String, Option<Vec<u8>>, bool)> {
    let text = |what: &str, body: String| (what.to_owned(), Some(body.into_bytes()), true);
    let deep_array = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_object = format!("{}1{}", r#"{"a":"#.repeat(5_000), "}".repeat(5_000));
    let mut non_utf8 = vec![0xFF, 0xFE];
    non_utf8.extend_from_slice(format!("{{{rest}, \"{num}\": 1}}").as_bytes());
    vec![
        text("truncated JSON", format!("{{{rest}, \"{num}\": 1")),
        text(
            "a string where a number goes",
            format!("{{{rest}, \"{num}\": \"12\"}}"),
        ),
        text(
            "a float where an integer goes",
            format!("{{{rest}, \"{num}\": 12.5}}"),
        ),
        text(
            "a number no float can hold",
            format!("{{{rest}, \"{num}\": 1e400}}"),
        ),
        text(
            "an integer over 64 bits",
            format!("{{{rest}, \"{num}\": 99999999999999999999999}}"),
        ),
        text(
            "an integer under i64::MIN",
            format!("{{{rest}, \"{num}\": -9223372036854775809}}"),
        ),
        text(
            "NaN, which JSON does not have",
            format!("{{{rest}, \"{num}\": NaN}}"),
        ),
        text(
            "a raw control character in a string",
            format!("{{{rest}, \"{num}\": 1, \"a\u{1}b\": 1}}"),
        ),
        ("bytes that are not UTF-8".to_owned(), Some(non_utf8), true),
        text("an empty body", String::new()),
        text("only whitespace", "  \n  ".to_owned()),
        ("no body and no Content-Type".to_owned(), None, false),
        text("an array instead of an object", "[1, 2, 3]".to_owned()),
        text("a bare string", "\"hello\"".to_owned()),
        text("a bare number", "42".to_owned()),
        text("null", "null".to_owned()),
        text("an empty object", "{}".to_owned()),
        text("arrays nested 10 000 deep", deep_array.clone()),
        text(
            "a field nested 10 000 deep",
            format!("{{{rest}, \"{num}\": {deep_array}}}"),
        ),
        text("objects nested 5 000 deep", deep_object),
    ]
}

#[tokio::test]
async fn malformed_input_answers_a_4xx_problem_never_a_500() {
    let app = spawn().await;
    let name = kit::unique_name("malformed");
    let product_rest = format!(r#""name": "{name}", "category": "malformed""#);
    let put_path = format!("/products/{}", kit::unique_number());
    let endpoints = [
        (Method::POST, "/products", product_rest.clone()),
        (Method::PUT, put_path.as_str(), product_rest.clone()),
        (
            Method::POST,
            "/predictions",
            r#""product_id": 1"#.to_owned(),
        ),
    ];

    for (method, path, rest) in endpoints {
        for (what, body, is_json) in malformed_bodies("price_cents", &rest) {
            let mut call = app.request(method.clone(), path);
            if is_json {
                call = call.header("content-type", "application/json");
            }
            if let Some(body) = body {
                call = call.body(body);
            }
            let res = call.await;

            res.expect(
                res.status().is_client_error(),
                format!("a 4xx status for {what}"),
                format!("status {}", res.status()),
                "Bad input is the client's mistake, so the answer is a 4xx: 400, 413, 415 or \
                 422. A 500 says the server broke, and a panic on input is how a service goes \
                 down under a fuzzer or an attacker. Parse, check, and refuse; never unwrap.",
            );
            res.expect_problem_shape();
        }
    }

    app.get("/health").await.expect_status(
        StatusCode::OK,
        "After all that malformed input the server is still up and answering.",
    );
}
