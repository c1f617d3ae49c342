//! Chapter 1, What is an API: your client, checked against a fake server.
//!
//! Each test starts its own wiremock `MockServer`: a real HTTP server on a free
//! port that answers what the test scripts and records every request it gets.
//! Your `Client` talks to it over real HTTP, so the tests see exactly what you
//! sent. Read `book/src/01_what_is_an_api.md` for the contract.

use std::fmt::{Debug, Display, Write};

use api_client::{Client, ClientError, Product};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const BOOK: &str = "book/src/01_what_is_an_api.md";

const WHY_VERDICT: &str = "A status code is the server's verdict on the request (RFC 9110 §15): \
     2xx means it worked, 4xx that the request was refused, 5xx that the server failed. Read \
     `response.status()` before the body: the body of an error is an error message, not a product.";

// ---------------------------------------------------------------- requests

#[tokio::test]
async fn list_products_sends_one_get_request_to_slash_products() {
    let api = FakeApi::answering("/products", Answer::json(200, seeds())).await;

    let result = api.client().list_products().await;

    api.expect_one_get("client.list_products()", "/products", &show(&result))
        .await;
    api.finish().await;
}

#[tokio::test]
async fn get_product_sends_one_get_request_to_slash_products_slash_the_id() {
    // Several ids, one of them too big for 32 bits: the id must come from the
    // argument, whole.
    for id in [2, 3, 9_007_199_254_740_993] {
        let route = format!("/products/{id}");
        let api = FakeApi::answering(&route, Answer::json(200, product_json(id))).await;

        let result = api.client().get_product(id).await;

        let call = format!("client.get_product({id})");
        api.expect_one_get(&call, &route, &show(&result)).await;
        api.finish().await;
    }
}

#[tokio::test]
async fn every_call_asks_for_json_with_the_accept_header() {
    for call in [Call::List, Call::Get(2)] {
        let api = FakeApi::answering(&call.path(), call.success()).await;

        let result = call.run(&api.client()).await;

        let got = format!("{result:?}");
        let requests = api
            .expect_one_get(&call.to_string(), &call.path(), &got)
            .await;
        let accept: Vec<&str> = requests[0]
            .headers
            .get_all("accept")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        if !accepts_json(&accept) {
            let got = match accept.as_slice() {
                [] => "no Accept header".to_owned(),
                values => format!("Accept: {}", values.join(", ")),
            };
            api.fail(
                &call.to_string(),
                "a request with the header Accept: application/json",
                got,
                "Accept is content negotiation (RFC 9110 §12.5.1): the client lists the media \
                 types it can read and the server picks one. This client reads JSON only, so it \
                 sends `Accept: application/json`. Without it reqwest sends `Accept: */*`, and a \
                 server that also speaks HTML or XML may answer in a format this client cannot read.",
            )
            .await;
        }
        api.finish().await;
    }
}

#[tokio::test]
async fn the_client_uses_the_base_url_it_was_given_prefix_and_all() {
    // (what the learner passes to Client::new after the server's address, the call, the path
    // the server must see)
    let cases = [
        ("/", Call::List, "/products"),
        ("/", Call::Get(2), "/products/2"),
        ("/api", Call::List, "/api/products"),
        ("/api", Call::Get(3), "/api/products/3"),
        ("/api/", Call::Get(1), "/api/products/1"),
        ("/shop/v1", Call::List, "/shop/v1/products"),
    ];
    for (suffix, call, expected_path) in cases {
        let api = FakeApi::answering(expected_path, call.success()).await;
        let base_url = format!("{}{suffix}", api.server.uri());

        let result = call.run(&Client::new(base_url.clone())).await;

        let described = format!("Client::new({base_url:?}) then {call}");
        api.expect_one_get(&described, expected_path, &format!("{result:?}"))
            .await;
        if let Err(error) = &result {
            api.fail(
                &described,
                "Ok(..): the fake server answered 200 with the contract's JSON",
                show_error(error),
                "The request reached the right path and got a good answer, so the call should \
                 succeed.",
            )
            .await;
        }
        api.finish().await;
    }
}

#[tokio::test]
async fn one_client_serves_many_calls_with_one_request_each() {
    let server = MockServer::start().await;
    for call in [Call::List, Call::Get(1), Call::Get(3)] {
        Mock::given(method("GET"))
            .and(path(call.path()))
            .respond_with(call.success().template())
            .expect(1)
            .named(call.to_string())
            .mount(&server)
            .await;
    }
    let api = FakeApi {
        server,
        answer: "200 OK with the contract's JSON for each path".to_owned(),
    };
    let client = api.client();

    let mut outcomes = String::new();
    for call in [Call::List, Call::Get(1), Call::Get(3)] {
        let result = call.run(&client).await;
        let _ = writeln!(outcomes, "{call} -> {result:?}");
    }

    let seen: Vec<String> = api.requests().await.iter().map(request_line).collect();
    let expected = ["GET /products", "GET /products/1", "GET /products/3"];
    if seen != expected {
        api.fail(
            "list_products(), get_product(1), get_product(3) on one Client",
            expected.join(", "),
            format!("{}\n          {}", seen.join(", "), outcomes.trim_end()),
            "A client is made once and reused: reqwest keeps the connection open between calls. \
             Each call still sends exactly one request, in the order the caller asked.",
        )
        .await;
    }
    api.finish().await;
}

// --------------------------------------------------------------- successes

#[tokio::test]
async fn list_products_decodes_the_three_seed_products_in_order() {
    let api = FakeApi::answering("/products", Answer::json(200, seeds())).await;

    let result = api.client().list_products().await;

    api.expect_one_get("client.list_products()", "/products", &show(&result))
        .await;
    let expected = vec![
        product(1, "Espresso beans 1kg", 1899, "coffee"),
        product(2, "Oat milk 1l", 249, "dairy-free"),
        product(3, "Paper filters x100", 399, "accessories"),
    ];
    if !matches!(&result, Ok(products) if *products == expected) {
        api.fail(
            "client.list_products()",
            format!("Ok({expected:#?})"),
            show(&result),
            "The body is the contract's JSON array; the client turns each object into a \
             `Product` with the same fields, keeping the order the server chose.",
        )
        .await;
    }
    api.finish().await;
}

#[tokio::test]
async fn get_product_decodes_the_product_the_server_sent() {
    for id in [2, 3] {
        let route = format!("/products/{id}");
        let api = FakeApi::answering(&route, Answer::json(200, product_json(id))).await;

        let result = api.client().get_product(id).await;

        let call = format!("client.get_product({id})");
        api.expect_one_get(&call, &route, &show(&result)).await;
        let expected = seed(id);
        if !matches!(&result, Ok(got) if *got == expected) {
            api.fail(
                &call,
                format!("Ok({expected:#?})"),
                show(&result),
                "The body is one product as JSON; the client decodes exactly what the server \
                 sent, every field.",
            )
            .await;
        }
        api.finish().await;
    }
}

// ------------------------------------------------------------------ errors

#[tokio::test]
async fn a_404_for_one_product_is_not_found_with_that_same_id() {
    let cases = [
        (
            7,
            Answer::json(404, json!({ "error": "there is no product with id 7" })),
        ),
        (4242, Answer::text(404, "text/plain", "")),
    ];
    for (id, answer) in cases {
        let call = Call::Get(id);
        expect_error(
            call,
            answer,
            Expected::NotFound(id),
            "404 Not Found says nothing exists at this URL. For one product that is an answer, \
             not a crash: `NotFound(id)` tells the caller which id was missing.",
        )
        .await;
    }
}

#[tokio::test]
async fn any_5xx_is_a_server_error_that_carries_the_status() {
    // Some of these bodies would decode: only the status tells the truth.
    let cases = [
        (Call::List, Answer::json(500, json!([]))),
        (
            Call::List,
            Answer::text(503, "text/plain", "Service Unavailable"),
        ),
        (Call::Get(2), Answer::json(500, product_json(2))),
        (
            Call::Get(2),
            Answer::text(502, "text/html", "<h1>Bad Gateway</h1>"),
        ),
        (
            Call::Get(2),
            Answer::json(503, json!({ "error": "down for maintenance" })),
        ),
        (Call::Get(2), Answer::text(504, "text/plain", "")),
    ];
    for (call, answer) in cases {
        let status = answer.status;
        expect_error(
            call,
            answer,
            Expected::Server(status),
            "Every 5xx means the server failed, whatever the exact code (RFC 9110 §15.6): the \
             same request may work later. The caller needs that verdict and the status, not a \
             decode error about an error page. Send the request once; retrying is the caller's \
             choice.",
        )
        .await;
    }
}

#[tokio::test]
async fn any_other_error_status_is_unexpected_status() {
    let cases = [
        (Call::Get(2), Answer::json(400, product_json(2))),
        (
            Call::Get(2),
            Answer::json(401, json!({ "error": "log in first" })),
        ),
        (Call::Get(2), Answer::text(403, "text/plain", "Forbidden")),
        (
            Call::Get(2),
            Answer::json(429, json!({ "error": "slow down" })),
        ),
        (Call::List, Answer::json(400, seeds())),
    ];
    for (call, answer) in cases {
        let status = answer.status;
        expect_error(
            call,
            answer,
            Expected::Unexpected(status),
            "A status outside 2xx is a refusal even when the body looks like data. This client \
             has no special case for it, so `UnexpectedStatus(status)` hands the verdict to \
             the caller.",
        )
        .await;
    }
}

#[tokio::test]
async fn a_404_on_the_list_is_unexpected_status_because_no_product_is_missing() {
    expect_error(
        Call::List,
        Answer::json(404, json!({ "error": "no route" })),
        Expected::Unexpected(404),
        "A 404 on /products has no id to report: the list itself is not there, so the base URL \
         most likely points at something that is not this API. `NotFound(..)` would name a \
         product that nobody asked for.",
    )
    .await;
}

#[tokio::test]
async fn a_success_whose_body_is_not_the_expected_json_is_a_decode_error() {
    let cases = [
        (
            Call::Get(2),
            Answer::text(200, "text/html", "<html>Welcome!</html>"),
        ),
        (Call::Get(2), Answer::text(200, "application/json", "")),
        (
            Call::Get(2),
            Answer::json(
                200,
                json!({ "id": "2", "name": "Oat milk 1l", "price_cents": 249, "category": "dairy-free" }),
            ),
        ),
        (
            Call::Get(2),
            Answer::json(
                200,
                json!({ "id": 2, "name": "Oat milk 1l", "price_cents": 249 }),
            ),
        ),
        (Call::Get(2), seeds_answer()),
        (
            Call::List,
            Answer::json(200, json!({ "products": seeds() })),
        ),
        (
            Call::List,
            Answer::text(200, "application/json", "[{\"id\": 1,"),
        ),
    ];
    for (call, answer) in cases {
        expect_error(
            call,
            answer,
            Expected::Decode,
            "The status said success, but the body is not the JSON the contract promises: not \
             JSON at all, a field of the wrong type, a missing field, or a list where one object \
             belongs. The server broke the contract, and `Decode` says so.",
        )
        .await;
    }
}

#[tokio::test]
async fn a_server_that_is_not_there_is_a_transport_error() {
    // Bind a free port, then close it: nothing listens there any more.
    let address = match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(address) => address,
        Err(error) => panic!("the test could not find a free port ({error}); run it again"),
    };
    let base_url = format!("http://{address}");

    let result = Client::new(base_url.clone()).list_products().await;

    assert!(
        matches!(result, Err(ClientError::Transport(_))),
        "{}",
        lesson(
            &format!("Client::new({base_url:?}).list_products()"),
            "Err(ClientError::Transport(..))",
            &show(&result),
            "Nothing listens at that address, so there is no HTTP answer at all, not even an \
             error status. That is a transport failure, and the caller should hear it as one.",
            "nothing: the connection was refused before a request could be sent",
        )
    );
}

// ---------------------------------------------------------------- the kit of this file

/// One call to the client, for table-driven tests.
#[derive(Clone, Copy, Debug)]
enum Call {
    List,
    Get(u64),
}

impl Call {
    fn path(self) -> String {
        match self {
            Call::List => "/products".to_owned(),
            Call::Get(id) => format!("/products/{id}"),
        }
    }

    /// A 200 with the contract's JSON for this call.
    fn success(self) -> Answer {
        match self {
            Call::List => seeds_answer(),
            Call::Get(id) => Answer::json(200, product_json(id)),
        }
    }

    /// Runs the call; a success keeps only its `Debug` text, so that both
    /// calls fit in one table.
    async fn run(self, client: &Client) -> Result<String, ClientError> {
        match self {
            Call::List => client.list_products().await.map(|ok| format!("{ok:?}")),
            Call::Get(id) => client.get_product(id).await.map(|ok| format!("{ok:?}")),
        }
    }
}

impl Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Call::List => write!(f, "client.list_products()"),
            Call::Get(id) => write!(f, "client.get_product({id})"),
        }
    }
}

/// The error a call must return.
#[derive(Clone, Copy, Debug)]
enum Expected {
    NotFound(u64),
    Server(u16),
    Unexpected(u16),
    Decode,
}

impl Expected {
    fn matches(self, error: &ClientError) -> bool {
        match (self, error) {
            (Expected::NotFound(want), ClientError::NotFound(got)) => want == *got,
            (Expected::Server(want), ClientError::Server(got)) => want == got.as_u16(),
            (Expected::Unexpected(want), ClientError::UnexpectedStatus(got)) => {
                want == got.as_u16()
            }
            (Expected::Decode, ClientError::Decode(_)) => true,
            _ => false,
        }
    }
}

impl Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::NotFound(id) => write!(f, "Err(ClientError::NotFound({id}))"),
            Expected::Server(code) => write!(f, "Err(ClientError::Server({code}))"),
            Expected::Unexpected(code) => write!(f, "Err(ClientError::UnexpectedStatus({code}))"),
            Expected::Decode => write!(f, "Err(ClientError::Decode(..))"),
        }
    }
}

/// Scripts `answer` for `call`, runs it, and fails unless exactly one GET
/// went to the right path and the call returned `expected`.
async fn expect_error(call: Call, answer: Answer, expected: Expected, why: &str) {
    let api = FakeApi::answering(&call.path(), answer).await;

    let result = call.run(&api.client()).await;

    let got = match &result {
        Ok(debug) => format!("Ok({debug})"),
        Err(error) => show_error(error),
    };
    api.expect_one_get(&call.to_string(), &call.path(), &got)
        .await;
    let ok = matches!(&result, Err(error) if expected.matches(error));
    if !ok {
        let why = format!("{why}\n     {WHY_VERDICT}");
        api.fail(&call.to_string(), expected, got, &why).await;
    }
    api.finish().await;
}

/// A scripted response: status, content type and body.
struct Answer {
    status: u16,
    content_type: &'static str,
    body: String,
}

impl Answer {
    fn json(status: u16, body: Value) -> Answer {
        Answer::text(status, "application/json", &body.to_string())
    }

    fn text(status: u16, content_type: &'static str, body: &str) -> Answer {
        Answer {
            status,
            content_type,
            body: body.to_owned(),
        }
    }

    fn template(&self) -> ResponseTemplate {
        ResponseTemplate::new(self.status).set_body_raw(self.body.clone(), self.content_type)
    }

    fn describe(&self) -> String {
        let reason = reqwest::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|status| status.canonical_reason())
            .unwrap_or("");
        let body = if self.body.is_empty() {
            "(empty body)"
        } else {
            &self.body
        };
        format!(
            "{} {reason}, Content-Type: {}\n  {body}",
            self.status, self.content_type
        )
    }
}

/// A fake API that answers one scripted response to `GET {route}`, once.
struct FakeApi {
    server: MockServer,
    answer: String,
}

impl FakeApi {
    async fn answering(route: &str, answer: Answer) -> FakeApi {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(answer.template())
            // One call, one request: checked again by `finish`.
            .expect(1)
            .named(format!("GET {route}"))
            .mount(&server)
            .await;
        FakeApi {
            server,
            answer: format!("GET {route} with:\n  {}", answer.describe()),
        }
    }

    /// A client pointed at this fake server, the way the learner's code is
    /// told where the API lives.
    fn client(&self) -> Client {
        Client::new(self.server.uri())
    }

    async fn requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }

    /// Fails unless the client sent exactly one request, a GET, to
    /// `expected_path`. Returns the requests for further checks.
    async fn expect_one_get(&self, call: &str, expected_path: &str, got: &str) -> Vec<Request> {
        let requests = self.requests().await;
        let expected = format!("exactly one request: GET {expected_path}");
        if requests.len() != 1 {
            let why = "One call, one request. A call that sends none never reached the base URL \
                       it was given (is a host or port hard-coded?); one that sends two doubles \
                       the load and may repeat something the server already did.";
            let got = format!("{} requests; the call returned {got}", requests.len());
            self.fail(call, expected, got, why).await;
        }
        let request = &requests[0];
        if request.method.as_str() != "GET" {
            let why = "GET asks for a representation of a resource and changes nothing on the \
                       server (RFC 9110 §9.3.1). Reading the catalogue is a GET.";
            self.fail(call, expected, request_line(request), why).await;
        }
        if request.url.path() != expected_path {
            let why = "An endpoint is a method plus a path, added to the end of the base URL: \
                       keep any prefix such as /api, and add no second slash when the base URL \
                       ends in one.";
            self.fail(call, expected, request_line(request), why).await;
        }
        requests
    }

    /// Fails the test with a report: the call, the verdict, why it matters,
    /// the requests the client sent and what the fake server answered.
    async fn fail(&self, call: &str, expected: impl Display, got: impl Display, why: &str) -> ! {
        let requests = self.requests().await;
        let mut sent = format!("{} request(s):", requests.len());
        for request in &requests {
            let _ = write!(sent, "\n  {}", request_line(request));
            for (name, value) in &request.headers {
                let value = value.to_str().unwrap_or("<not text>");
                let _ = write!(sent, "\n    {name}: {value}");
            }
        }
        let answered = format!(
            "{}\n(for any other request: 404 with an empty body)",
            self.answer
        );
        let report = lesson(call, &expected.to_string(), &got.to_string(), why, &sent);
        panic!("{report}\nThe fake server was scripted to answer {answered}\n");
    }

    /// Checks wiremock's own count: the scripted request arrived exactly once.
    async fn finish(self) {
        self.server.verify().await;
    }
}

/// The failure report every test in this file prints.
fn lesson(call: &str, expected: &str, got: &str, why: &str, sent: &str) -> String {
    format!(
        "\n──── 01_what_is_an_api: {call} ────\n\
         Expected: {expected}\n\
         Got:      {got}\n\n\
         Why: {why}\n\n\
         Your client sent {sent}\n\n\
         Read: {BOOK}\n"
    )
}

fn request_line(request: &Request) -> String {
    match request.url.query() {
        Some(query) => format!("{} {}?{query}", request.method, request.url.path()),
        None => format!("{} {}", request.method, request.url.path()),
    }
}

/// True if one of the Accept values lists `application/json` (parameters
/// such as `;q=1` allowed, letter case ignored).
fn accepts_json(values: &[&str]) -> bool {
    values
        .iter()
        .flat_map(|value| value.split(','))
        .map(|range| range.split(';').next().unwrap_or("").trim())
        .any(|range| range.eq_ignore_ascii_case("application/json"))
}

fn show<T: Debug>(result: &Result<T, ClientError>) -> String {
    match result {
        Ok(value) => format!("Ok({value:?})"),
        Err(error) => show_error(error),
    }
}

fn show_error(error: &ClientError) -> String {
    format!("Err({error:?})\n          which reads: {error}")
}

fn product(id: u64, name: &str, price_cents: i64, category: &str) -> Product {
    Product {
        id,
        name: name.to_owned(),
        price_cents,
        category: category.to_owned(),
    }
}

/// The seed product with this id, or a made-up one for other ids.
fn seed(id: u64) -> Product {
    match id {
        1 => product(1, "Espresso beans 1kg", 1899, "coffee"),
        2 => product(2, "Oat milk 1l", 249, "dairy-free"),
        3 => product(3, "Paper filters x100", 399, "accessories"),
        _ => product(id, "Gift card", 2500, "gifts"),
    }
}

fn product_json(id: u64) -> Value {
    let product = seed(id);
    json!({
        "id": product.id,
        "name": product.name,
        "price_cents": product.price_cents,
        "category": product.category,
    })
}

fn seeds() -> Value {
    json!([product_json(1), product_json(2), product_json(3)])
}

fn seeds_answer() -> Answer {
    Answer::json(200, seeds())
}
