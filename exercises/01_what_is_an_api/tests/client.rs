//! Chapter 1, What is an API: your client, checked against a fake server.
//!
//! Each test starts its own wiremock `MockServer`: a real HTTP server on a free
//! port that answers what the test scripts and records every request it gets.
//! Your `Client` talks to it over real HTTP, so the tests see exactly what you
//! sent. Read `book/src/01_what_is_an_api.md` for the contract.

use std::fmt::{Display, Write};

use Call::{Get, List};
use api_client::{Client, ClientError, Product};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const BOOK: &str = "book/src/01_what_is_an_api.md";
const JSON: &str = "application/json";

const WHY_VERDICT: &str = "A status code is the server's verdict on the request (RFC 9110 \
     §15): 2xx means it worked, 4xx that the request was refused, 5xx that the server failed. \
     Read `response.status()` before the body: the body of an error is an error message, not \
     a product.";

#[tokio::test]
async fn list_products_sends_one_get_to_slash_products_and_decodes_the_seeds_in_order() {
    expect_success(List, "", "/products").await;
}

#[tokio::test]
async fn get_product_sends_one_get_to_slash_products_slash_the_id_and_decodes_it() {
    // One id is too big for 32 bits: the id must come from the argument, whole.
    for id in [2, 3, 9_007_199_254_740_993] {
        expect_success(Get(id), "", &format!("/products/{id}")).await;
    }
}

#[tokio::test]
async fn the_client_uses_the_base_url_it_was_given_prefix_and_all() {
    // Each case: what follows the fake server's address in the base URL, the
    // call, and the path the request must reach.
    let cases = [
        ("/", List, "/products"),
        ("/", Get(2), "/products/2"),
        ("/api", List, "/api/products"),
        ("/api", Get(3), "/api/products/3"),
        ("/api/", Get(1), "/api/products/1"),
        ("/shop/v1", List, "/shop/v1/products"),
    ];
    for (suffix, call, expected_path) in cases {
        expect_success(call, suffix, expected_path).await;
    }
}

#[tokio::test]
async fn every_call_asks_for_json_with_the_accept_header() {
    for call in [List, Get(2)] {
        let api = FakeApi::answering(&call.path(), call.success()).await;

        let result = call.run(&api.client()).await;

        let requests = api
            .expect_one_get(&call.to_string(), &call.path(), &show(&result))
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
            let why = "Accept is content negotiation (RFC 9110 §12.5.1): the client lists the \
                       media types it can read, and the server picks one. This client reads JSON \
                       only, so it sends `Accept: application/json`. Without it reqwest sends \
                       `Accept: */*`, and a server that also speaks HTML or XML may answer in a \
                       format this client cannot read.";
            let expected = "a request with the header Accept: application/json";
            api.fail(&call.to_string(), expected, got, why).await;
        }
        api.finish().await;
    }
}

#[tokio::test]
async fn a_404_for_one_product_is_not_found_with_that_same_id() {
    let cases = [
        (
            7,
            json(404, json!({ "error": "there is no product with id 7" })),
        ),
        (4242, raw(404, "text/plain", "")),
    ];
    for (id, answer) in cases {
        let why = "404 Not Found says nothing exists at this URL. For one product that is an \
                   answer, not a crash: `NotFound(id)` tells the caller which id was missing.";
        expect_error(Get(id), answer, Expected::NotFound(id), why).await;
    }
}

#[tokio::test]
async fn any_5xx_is_a_server_error_that_carries_the_status() {
    // Some of these bodies would decode: only the status tells the truth.
    let cases = [
        (List, json(500, json!([]))),
        (List, raw(503, "text/plain", "Service Unavailable")),
        (Get(2), json(500, product_json(2))),
        (Get(2), raw(502, "text/html", "<h1>Bad Gateway</h1>")),
        (
            Get(2),
            json(503, json!({ "error": "down for maintenance" })),
        ),
        (Get(2), raw(504, "text/plain", "")),
    ];
    for (call, answer) in cases {
        let why = "Every 5xx means the server failed, whatever the exact code (RFC 9110 §15.6), \
                   and the same request may work later. The caller needs that verdict and the \
                   status, not a decode error about an error page. Send the request once: \
                   retrying is the caller's choice.";
        let status = answer.status;
        expect_error(call, answer, Expected::Server(status), why).await;
    }
}

#[tokio::test]
async fn any_other_error_status_is_unexpected_status() {
    let cases = [
        (Get(2), json(400, product_json(2))),
        (Get(2), json(401, json!({ "error": "log in first" }))),
        (Get(2), raw(403, "text/plain", "Forbidden")),
        (Get(2), json(429, json!({ "error": "slow down" }))),
        (List, json(400, seeds())),
    ];
    for (call, answer) in cases {
        let why = "A status outside 2xx is a refusal, even when the body looks like data. This \
                   client has no special case for it, so `UnexpectedStatus(status)` hands the \
                   verdict to the caller.";
        let status = answer.status;
        expect_error(call, answer, Expected::Unexpected(status), why).await;
    }
}

#[tokio::test]
async fn a_404_on_the_list_is_unexpected_status_because_no_product_is_missing() {
    let why = "A 404 on /products has no id to report: the list itself is not there, so the \
               base URL most likely points at something that is not this API. `NotFound(..)` \
               would name a product nobody asked for.";
    let answer = json(404, json!({ "error": "no route" }));
    expect_error(List, answer, Expected::Unexpected(404), why).await;
}

#[tokio::test]
async fn a_success_whose_body_is_not_the_expected_json_is_a_decode_error() {
    let mut id_as_text = product_json(2);
    id_as_text["id"] = json!("2");
    let mut no_category = product_json(2);
    if let Some(fields) = no_category.as_object_mut() {
        fields.remove("category");
    }
    let cases = [
        (Get(2), raw(200, "text/html", "<html>Welcome!</html>")),
        (Get(2), raw(200, JSON, "")),
        (Get(2), json(200, id_as_text)),
        (Get(2), json(200, no_category)),
        (Get(2), json(200, seeds())),
        (List, json(200, json!({ "products": seeds() }))),
        (List, raw(200, JSON, r#"[{"id": 1, "name": "Espre"#)),
    ];
    for (call, answer) in cases {
        let why = "The status said success, but the body is not the JSON the contract promises: \
                   not JSON at all, a field of the wrong type, a missing field, or a list where \
                   one object belongs. The server broke the contract, and `Decode` says so.";
        expect_error(call, answer, Expected::Decode, why).await;
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

    for call in [List, Get(2)] {
        let result = call.run(&connect(base_url.clone())).await;

        let why = "Nothing listens at that address, so there is no HTTP answer at all, not even \
                   an error status. That is a transport failure, and the caller should hear it \
                   as one.";
        let sent = "nothing that arrived: the connection was refused";
        let described = format!("Client::new({base_url:?}) then {call}");
        let expected = "Err(ClientError::Transport(..))";
        assert!(
            matches!(result, Err(ClientError::Transport(_))),
            "{}",
            lesson(&described, expected, &show(&result), why, sent)
        );
    }
}

#[tokio::test]
async fn a_body_cut_off_in_transit_is_a_transport_error_not_a_decode_error() {
    // A server that promises 400 bytes of JSON, sends the first few, and then
    // closes the connection: a crash mid-answer, or a network that dropped.
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(error) => panic!("the test could not bind a free port ({error}); run it again"),
    };
    let base_url = match listener.local_addr() {
        Ok(address) => format!("http://{address}"),
        Err(error) => panic!("the test's port has no address ({error}); run it again"),
    };
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = [0_u8; 4096];
            let _ = stream.read(&mut request).await;
            let _ = stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                      content-length: 400\r\n\r\n[{\"id\": 1, \"name\": \"Espre",
                )
                .await;
            // Dropping the stream closes the connection, 375 bytes short.
        }
    });

    for call in [List, Get(2)] {
        let result = call.run(&connect(base_url.clone())).await;

        let why = "The status said 200 and the headers promised 400 bytes, but the connection \
                   closed after 25: the body was lost on the way, not malformed by the server. \
                   That is a transport failure, like a refused connection, and a caller may \
                   retry it; `Decode` would blame the server's JSON for a network problem. \
                   Read the body with `response.bytes()` first, then parse it.";
        let sent = "a GET, and the answer broke off after 25 of the 400 body bytes it promised";
        let described = format!("Client::new({base_url:?}) then {call}");
        let expected = "Err(ClientError::Transport(..))";
        assert!(
            matches!(result, Err(ClientError::Transport(_))),
            "{}",
            lesson(&described, expected, &show(&result), why, sent)
        );
    }
}

// ------------------------------------------------------------ this file's helpers

/// One call to the client, so that tables can list both.
#[derive(Clone, Copy, Debug)]
enum Call {
    List,
    Get(u64),
}

/// What a call returned on success.
#[derive(Debug, PartialEq)]
enum Outcome {
    List(Vec<Product>),
    One(Product),
}

impl Call {
    fn path(self) -> String {
        match self {
            List => "/products".to_owned(),
            Get(id) => format!("/products/{id}"),
        }
    }

    /// A 200 with the contract's JSON for this call.
    fn success(self) -> Answer {
        match self {
            List => json(200, seeds()),
            Get(id) => json(200, product_json(id)),
        }
    }

    /// What the call returns for `success()`.
    fn decoded(self) -> Outcome {
        match self {
            List => Outcome::List(vec![seed(1), seed(2), seed(3)]),
            Get(id) => Outcome::One(seed(id)),
        }
    }

    async fn run(self, client: &Client) -> Result<Outcome, ClientError> {
        match self {
            List => client.list_products().await.map(Outcome::List),
            Get(id) => client.get_product(id).await.map(Outcome::One),
        }
    }
}

impl Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            List => write!(f, "client.list_products()"),
            Get(id) => write!(f, "client.get_product({id})"),
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

/// `Client::new(base_url)`, the first step of every test. It first makes
/// panics print as their message and place only: with `RUST_BACKTRACE=1`, as
/// many learners have it set, a `todo!()` or a failed check would otherwise
/// come with 25 frames of tokio under it.
fn connect(base_url: String) -> Client {
    kit::quiet_panics();
    Client::new(base_url)
}

/// Serves the contract's JSON at `expected_path`, points a client at the
/// fake server's address plus `suffix`, and checks the request and the result.
async fn expect_success(call: Call, suffix: &str, expected_path: &str) {
    let api = FakeApi::answering(expected_path, call.success()).await;
    let base_url = format!("{}{suffix}", api.server.uri());

    let result = call.run(&connect(base_url.clone())).await;

    let described = format!("Client::new({base_url:?}) then {call}");
    let got = show(&result);
    api.expect_one_get(&described, expected_path, &got).await;
    let expected = call.decoded();
    if !matches!(&result, Ok(outcome) if *outcome == expected) {
        let why = "The status said 200 and the body is the contract's JSON, so the call returns \
                   it decoded: `Product` values with the same fields, in the server's order.";
        api.fail(&described, show(&Ok(expected)), got, why).await;
    }
    api.finish().await;
}

/// Scripts `answer` for `call`, runs it, and fails unless exactly one GET
/// went to the right path and the call returned `expected`.
async fn expect_error(call: Call, answer: Answer, expected: Expected, why: &str) {
    let api = FakeApi::answering(&call.path(), answer).await;

    let result = call.run(&api.client()).await;

    let got = show(&result);
    api.expect_one_get(&call.to_string(), &call.path(), &got)
        .await;
    if !matches!(&result, Err(error) if expected.matches(error)) {
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

fn json(status: u16, body: Value) -> Answer {
    raw(status, JSON, &body.to_string())
}

fn raw(status: u16, content_type: &'static str, body: &str) -> Answer {
    let body = body.to_owned();
    Answer {
        status,
        content_type,
        body,
    }
}

/// A fake API that answers one scripted response to `GET {route}`, once.
struct FakeApi {
    server: MockServer,
    /// The scripted answer, in words, for failure reports.
    answer: String,
}

impl FakeApi {
    async fn answering(route: &str, answer: Answer) -> FakeApi {
        let server = MockServer::start().await;
        let template = ResponseTemplate::new(answer.status)
            .set_body_raw(answer.body.clone(), answer.content_type);
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(template)
            .expect(1) // One call, one request: `finish` checks it.
            .named(format!("GET {route}"))
            .mount(&server)
            .await;
        let reason = reqwest::StatusCode::from_u16(answer.status)
            .ok()
            .and_then(|status| status.canonical_reason())
            .unwrap_or("");
        let body = if answer.body.is_empty() {
            "(empty body)"
        } else {
            &answer.body
        };
        let answer = format!(
            "GET {route} with:\n  {} {reason}, Content-Type: {}\n  {body}\n\
             and any other request with 404 and an empty body.",
            answer.status, answer.content_type
        );
        FakeApi { server, answer }
    }

    /// A client pointed at this fake server, the way a program is told where
    /// the API lives.
    fn client(&self) -> Client {
        connect(self.server.uri())
    }

    /// Fails unless the client sent exactly one request, a GET, to
    /// `expected_path`; `got` is what the call returned. Returns the requests.
    async fn expect_one_get(&self, call: &str, expected_path: &str, got: &str) -> Vec<Request> {
        let requests = self.server.received_requests().await.unwrap_or_default();
        let expected = format!("exactly one request: GET {expected_path}");
        if requests.len() != 1 {
            let why = if requests.is_empty() {
                "One call, one request, sent to the base URL the client was given. Nothing \
                 arrived here: is a host or port hard-coded, or did the call return early?"
            } else {
                "One call, one request. A second request doubles the load and may repeat \
                 something the server already did; retrying is the caller's choice."
            };
            let got = format!("{} requests, and the call returned {got}", requests.len());
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

    /// Fails the test with the report: the call, expected and got, why it
    /// matters, every request the client sent and what the server answered.
    async fn fail(&self, call: &str, expected: impl Display, got: impl Display, why: &str) -> ! {
        let requests = self.server.received_requests().await.unwrap_or_default();
        let mut sent = match requests.len() {
            0 => "no request at all.".to_owned(),
            count => format!("{count} request(s):"),
        };
        for request in &requests {
            let _ = write!(sent, "\n  {}", request_line(request));
            for (name, value) in &request.headers {
                let value = value.to_str().unwrap_or("<not text>");
                let _ = write!(sent, "\n    {name}: {value}");
            }
        }
        let _ = write!(
            sent,
            "\n\nThe fake server was scripted to answer {}",
            self.answer
        );
        panic!(
            "{}",
            lesson(call, &expected.to_string(), &got.to_string(), why, &sent)
        );
    }

    /// wiremock's own check of `.expect(1)`: the scripted request arrived once.
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
        .any(|range| range.eq_ignore_ascii_case(JSON))
}

fn show(result: &Result<Outcome, ClientError>) -> String {
    match result {
        Ok(Outcome::List(products)) => format!("Ok({products:#?})"),
        Ok(Outcome::One(product)) => format!("Ok({product:#?})"),
        Err(error) => format!("Err({error:?})\n          which reads: {error}"),
    }
}

/// The seed product with this id, or a made-up one for any other id.
fn seed(id: u64) -> Product {
    let (name, price_cents, category) = match id {
        1 => ("Espresso beans 1kg", 1899, "coffee"),
        2 => ("Oat milk 1l", 249, "dairy-free"),
        3 => ("Paper filters x100", 399, "accessories"),
        _ => ("Gift card", 2500, "gifts"),
    };
    let (name, category) = (name.to_owned(), category.to_owned());
    Product {
        id,
        name,
        price_cents,
        category,
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
