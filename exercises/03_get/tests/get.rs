//! Chapter 3, GET: the contract, checked over real HTTP.
//! Read `book/src/03_get.md` for the table these tests follow.
//!
//! These tests also run against any server in URL mode
//! (`RESTLINGS_BASE_URL=http://127.0.0.1:8000 cargo test`), where other tests
//! may share it: they only rely on the three read-only seed products.

use get::app;
use kit::{Exchange, StatusCode, TestApp, Value, json};

const CHAPTER: &str = "03_get";

async fn spawn() -> TestApp {
    TestApp::spawn(app, CHAPTER).await
}

fn seeds() -> Vec<Value> {
    vec![
        json!({"id": 1, "name": "Espresso beans 1kg", "price_cents": 1899, "category": "coffee"}),
        json!({"id": 2, "name": "Oat milk 1l", "price_cents": 249, "category": "dairy-free"}),
        json!({"id": 3, "name": "Paper filters x100", "price_cents": 399, "category": "accessories"}),
    ]
}

/// The body as a JSON array of products, or a failed test that says so.
#[track_caller]
fn product_list(res: &Exchange, why: &str) -> Vec<Value> {
    match res.json(why) {
        Value::Array(items) => items,
        other => res.fail(
            "a JSON array of products",
            format!("JSON that is not an array: {other}"),
            why,
        ),
    }
}

fn ids(items: &[Value]) -> Vec<Option<u64>> {
    items.iter().map(|item| item["id"].as_u64()).collect()
}

/// One field of each item, such as every id, for a report's "Got:" line.
fn field_of(items: &[Value], field: &str) -> Value {
    items.iter().map(|item| item[field].clone()).collect()
}

const LIST_WHY: &str = "GET /products is a collection: it answers 200 with a JSON array of every \
    product, sorted by id, so clients can page and compare lists reliably.";

#[tokio::test]
async fn get_products_lists_every_seed_sorted_by_id() {
    let app = spawn().await;

    let res = app.get("/products").await;

    res.expect_status(StatusCode::OK, LIST_WHY);
    let items = product_list(&res, LIST_WHY);
    let ids = ids(&items);
    res.expect(
        ids.iter().all(Option::is_some) && ids.windows(2).all(|pair| pair[0] < pair[1]),
        "every item has a numeric id, in increasing order",
        format!("the ids {}", field_of(&items, "id")),
        LIST_WHY,
    );
    if app.url_mode() {
        // Other tests may have added products: the seeds must still be there, intact.
        for seed in seeds() {
            res.expect(
                items.contains(&seed),
                format!("the list includes the seed {seed}"),
                format!("a list of {} products without it", items.len()),
                LIST_WHY,
            );
        }
    } else {
        res.expect_json(&Value::Array(seeds()), LIST_WHY);
    }
}

#[tokio::test]
async fn get_products_says_its_body_is_json() {
    let app = spawn().await;

    let res = app.get("/products").await;

    res.expect(
        res.header("content-type")
            .unwrap_or_default()
            .starts_with("application/json"),
        "Content-Type: application/json",
        res.header_line("content-type"),
        "The Content-Type header tells the client how to read the body (RFC 9110 §8.3).",
    );
}

#[tokio::test]
async fn a_category_filter_keeps_only_that_category() {
    let app = spawn().await;
    let why = "A query parameter narrows a collection: ?category=X answers 200 with exactly \
               the products of category X, still sorted by id.";

    for seed in seeds() {
        let category = seed["category"].as_str().unwrap_or_default();
        let res = app.get(&format!("/products?category={category}")).await;

        res.expect_status(StatusCode::OK, why);
        let items = product_list(&res, why);
        res.expect(
            items.contains(&seed),
            format!("the list includes {seed}"),
            format!("a list of {} products without it", items.len()),
            why,
        )
        .expect(
            items.iter().all(|item| item["category"] == category),
            format!("only products whose category is {category:?}"),
            format!("the categories {}", field_of(&items, "category")),
            why,
        )
        .expect(
            ids(&items).windows(2).all(|pair| pair[0] < pair[1]),
            "items sorted by id",
            format!("the ids {}", field_of(&items, "id")),
            why,
        );
    }
}

#[tokio::test]
async fn a_category_filter_matches_exactly_not_by_case_or_prefix() {
    let app = spawn().await;

    for asked in ["COFFEE", "Coffee", "coff", "dairy"] {
        let res = app.get(&format!("/products?category={asked}")).await;

        let why = format!(
            "The category match is exact: ?category={asked} keeps only products whose category \
             is exactly {asked:?}, so the seeds `coffee` and `dairy-free` are not among them. \
             Compare with `==`, not by lowercase or `starts_with`."
        );
        res.expect_status(StatusCode::OK, &why);
        let items = product_list(&res, &why);
        res.expect(
            items.iter().all(|item| item["category"] == asked),
            format!("only products whose category is exactly {asked:?}"),
            format!("the categories {}", field_of(&items, "category")),
            &why,
        );
    }
}

#[tokio::test]
async fn a_category_with_no_products_is_an_empty_list_not_an_error() {
    let app = spawn().await;

    let res = app.get("/products?category=no-such-category-here").await;

    let why = "A filter that matches nothing is still a successful query: the answer is 200 with \
               an empty array `[]`. A 404 would say the collection itself does not exist.";
    res.expect_status(StatusCode::OK, why)
        .expect_json(&json!([]), why);
}

#[tokio::test]
async fn get_one_product_answers_200_with_that_product() {
    let app = spawn().await;

    for seed in seeds() {
        let id = seed["id"].as_u64().unwrap_or_default();
        let res = app.get(&format!("/products/{id}")).await;

        let why = "GET /products/{id} names one resource. When it exists, the answer is 200 with \
                   its representation: the same JSON object the list shows.";
        res.expect_status(StatusCode::OK, why)
            .expect_json(&seed, why);
    }
}

#[tokio::test]
async fn a_product_that_does_not_exist_answers_404() {
    let app = spawn().await;

    // Ids far beyond anything another test creates.
    for id in ["999999999999", "9007199254740991"] {
        let res = app.get(&format!("/products/{id}")).await;

        res.expect_status(
            StatusCode::NOT_FOUND,
            "A well-formed id that names no product is 404 Not Found (RFC 9110 §15.5.5). \
             Not 200 with null, not 500: the client asked for something that is not there.",
        );
    }
}

#[tokio::test]
async fn an_id_that_is_not_a_positive_integer_answers_400() {
    let app = spawn().await;

    for id in [
        "abc", "0", "-1", "+5", "1.5", "1e3", "%20", "%201", "1%20", "0x1F", "%D9%A1",
    ] {
        let res = app.get(&format!("/products/{id}")).await;

        res.expect_status(
            StatusCode::BAD_REQUEST,
            "Product ids are positive integers. An id like this one is a malformed request, \
             which is the client's mistake: 400 Bad Request. 404 would claim it was a valid \
             id that names nothing.",
        );
    }
}

#[tokio::test]
async fn todays_optimizations_recommend_ninety_percent_of_each_price() {
    let app = spawn().await;
    let why = "GET /optimizations/today returns the pricing model's results for today: one \
               recommendation per product, sorted by product_id, at price_cents * 9 / 10 \
               rounded down (integer division).";

    let list = app.get("/products").await;
    let products = product_list(&list, LIST_WHY);
    let res = app.get("/optimizations/today").await;

    res.expect_status(StatusCode::OK, why);
    let body = res.json(why);
    let Some(recommendations) = body["recommendations"].as_array() else {
        res.fail(
            "a \"recommendations\" array",
            format!("\"recommendations\": {}", body["recommendations"]),
            why,
        );
    };
    let product_ids: Vec<Option<u64>> = recommendations
        .iter()
        .map(|r| r["product_id"].as_u64())
        .collect();
    res.expect(
        product_ids.iter().all(Option::is_some)
            && product_ids.windows(2).all(|pair| pair[0] < pair[1]),
        "recommendations sorted by product_id, each with a numeric product_id",
        format!(
            "the product_ids {}",
            field_of(recommendations, "product_id")
        ),
        why,
    );
    for seed in seeds() {
        let id = seed["id"].as_i64().unwrap_or_default();
        let expected = json!({
            "product_id": id,
            "price_cents": seed["price_cents"].as_i64().unwrap_or_default() * 9 / 10,
        });
        res.expect(
            recommendations.contains(&expected),
            format!("the recommendation {expected}"),
            format!("{} recommendations without it", recommendations.len()),
            why,
        );
    }
    if !app.url_mode() {
        res.expect(
            recommendations.len() == products.len(),
            format!(
                "exactly one recommendation per product ({})",
                products.len()
            ),
            format!("{} recommendations", recommendations.len()),
            why,
        );
    }
}

#[tokio::test]
async fn todays_optimizations_carry_todays_date_in_utc() {
    let app = spawn().await;
    let why = "The results are for a given day, so the body says which: \"date\" is today's date \
               in UTC, written YYYY-MM-DD (ISO 8601). UTC makes servers in every time zone agree.";

    let before = today_utc();
    let res = app.get("/optimizations/today").await;
    let after = today_utc();

    res.expect_status(StatusCode::OK, why);
    let body = res.json(why);
    let date = body["date"].as_str().unwrap_or_default();
    res.expect(
        date == before || date == after,
        format!("\"date\": \"{before}\""),
        format!("\"date\": {}", body["date"]),
        why,
    );
}

#[tokio::test]
async fn get_is_safe_repeating_it_changes_nothing() {
    let app = spawn().await;
    let why = "GET is safe (RFC 9110 §9.2.1): asking must not change anything. The same GET \
               twice answers the same thing.";

    for path in ["/products/1", "/products/2", "/optimizations/today"] {
        let first = app.get(path).await;
        let second = app.get(path).await;

        second.expect_status(first.status(), why);
        second.expect_json(&first.json(why), why);
    }
}

#[tokio::test]
async fn head_on_a_product_answers_like_get_without_a_body() {
    let app = spawn().await;

    let res = app.head("/products/1").await;

    res.expect_status(
        StatusCode::OK,
        "HEAD asks for what GET would answer, minus the body (RFC 9110 §9.3.2).",
    )
    .expect(
        res.body().is_empty(),
        "an empty body",
        format!("a body of {} bytes", res.body().len()),
        "A response to HEAD never carries a body.",
    );
}

/// Today's date in UTC as YYYY-MM-DD, read from the test machine's clock.
fn today_utc() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}

#[tokio::test]
async fn writing_to_the_optimizations_answers_405_with_allow() {
    let app = spawn().await;

    for method in [kit::Method::POST, kit::Method::PUT, kit::Method::DELETE] {
        let res = app.request(method.clone(), "/optimizations/today").await;

        let why = "Today's optimizations are the model's output, read-only: the path exists for \
                   GET only, so any other method is 405 Method Not Allowed, with an Allow header \
                   that lists GET (RFC 9110 §15.5.6).";
        res.expect_status(StatusCode::METHOD_NOT_ALLOWED, why);
        let allow = res.header_all("allow").join(",").to_ascii_uppercase();
        res.expect(
            allow.split(',').any(|m| m.trim() == "GET")
                && !allow.split(',').any(|m| m.trim() == method.as_str()),
            format!("an Allow header that lists GET and not {method}"),
            res.header_line("allow"),
            why,
        );
    }
}
