// ANCHOR: exercise //! Chapter 1, What is an API: write a *client* for the shop's API.
// ANCHOR: exercise //!
// ANCHOR: exercise //! Before building APIs, use one. This crate is a small library that asks the
// ANCHOR: exercise //! shop's API for its products over HTTP, the way any program that calls an
// ANCHOR: exercise //! API does: send a request, read the status, then decode the body.
// ANCHOR: exercise //!
// ANCHOR: exercise //! - `Client::new(base_url)` — remembers where the API lives, such as
// ANCHOR: exercise //!   `http://127.0.0.1:8000` or `https://shop.example/api`; a trailing slash is fine
// ANCHOR: exercise //! - `list_products()` — sends `GET {base}/products`, returns every product
// ANCHOR: exercise //! - `get_product(id)` — sends `GET {base}/products/{id}`, returns one product;
// ANCHOR: exercise //!   a 404 is `ClientError::NotFound(id)`
// ANCHOR: exercise //!
// ANCHOR: exercise //! Both send `Accept: application/json`. Any 5xx is `ClientError::Server`, any
// ANCHOR: exercise //! other non-2xx is `ClientError::UnexpectedStatus`, and a 2xx whose body is not
// ANCHOR: exercise //! the expected JSON is `ClientError::Decode`. No answer, or a body cut off on
// ANCHOR: exercise //! the way, is `ClientError::Transport`.
// ANCHOR: exercise //!
// ANCHOR: exercise //! The tests play the server: each starts a fake API (wiremock) on a free port
// ANCHOR: exercise //! and checks what your client sent and what it made of the answer.
// ANCHOR: exercise //!
// ANCHOR: exercise //! Check it: `cargo test` in this directory. Read: `book/src/01_what_is_an_api.md`.
// ANCHOR: exercise
// ANCHOR: exercise // Starting code leaves parts unused until you write them.
// ANCHOR: exercise #![allow(dead_code, unused_imports, unused_variables, clippy::todo)]
//! Chapter 1, What is an API: the reference answer, a client for the shop's API.
//!
//! - `Client::new(base_url)` — where the API lives, such as `http://127.0.0.1:8000`
//!   or `https://shop.example/api`; a trailing slash is fine
//! - `list_products()` — sends `GET {base}/products`, returns every product
//! - `get_product(id)` — sends `GET {base}/products/{id}`, returns one product;
//!   404 is `ClientError::NotFound(id)`
//!
//! Both send `Accept: application/json`. Any 5xx is `ClientError::Server`, any
//! other non-2xx is `ClientError::UnexpectedStatus`, and a 2xx whose body is not
//! the expected JSON is `ClientError::Decode`. No answer, or a body cut off on
//! the way, is `ClientError::Transport`.
//!
//! Check it: `cargo test -p sol01_what_is_an_api`. Read: `book/src/01_what_is_an_api.md`.
// ANCHOR_END: exercise

use std::time::Duration;

use reqwest::header::ACCEPT;
use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

// ANCHOR: product
/// One product of the shop's catalogue, exactly as it travels in JSON:
/// `{"id": 1, "name": "Espresso beans 1kg", "price_cents": 1899, "category": "coffee"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: u64,
    pub name: String,
    /// Money in whole cents: floats cannot hold 0.10 exactly.
    pub price_cents: i64,
    pub category: String,
}
// ANCHOR_END: product

// ANCHOR: errors
/// Everything that can go wrong when asking the API, one variant per thing
/// the caller might want to handle differently.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No complete HTTP answer: nothing listening, a refused or reset
    /// connection, a timeout, a base URL that is not a URL, or a body cut
    /// off on the way.
    #[error("the request got no answer: is the server running, and is the base URL right?")]
    Transport(#[source] reqwest::Error),

    /// 404 on one product: the server is fine, the product does not exist.
    #[error("there is no product with id {0} (the server answered 404 Not Found)")]
    NotFound(u64),

    /// Any 5xx: the server admits the failure is on its side, so the same
    /// request may well work later.
    #[error("the server failed to answer ({0}); the fault is on its side, try again later")]
    Server(StatusCode),

    /// Any other non-2xx, such as 400, 401 or a 404 on the whole list: the
    /// server refused, for a reason this client has no special case for.
    #[error("the server answered {0}, which this client has no handling for")]
    UnexpectedStatus(StatusCode),

    /// A 2xx whose body arrived whole but is not the JSON this client expects.
    #[error("the server answered with success, but the body is not the JSON this client expects")]
    Decode(#[source] serde_json::Error),
}

// ANCHOR: exercise // TODO: read the status first, then the body:
// ANCHOR: exercise //     `response.status()` gives a `StatusCode`; `status.is_server_error()` is
// ANCHOR: exercise //     any 5xx, which is `Err(ClientError::Server(status))`; any other status
// ANCHOR: exercise //     that is not `status.is_success()` is `Err(ClientError::UnexpectedStatus(status))`.
// ANCHOR: exercise //     Only then read the body, in two steps, because they fail differently:
// ANCHOR: exercise //     `response.bytes().await` reads it off the network (an error there is
// ANCHOR: exercise //     `ClientError::Transport(error)`: the body was lost on the way), then
// ANCHOR: exercise //     `serde_json::from_slice::<T>(&bytes)` parses it (`ClientError::Decode(error)`).
/// Reads the server's verdict, then the body. The status comes first: the
/// body of an error response is an error message, and decoding it as a
/// product would hide what really happened.
// ANCHOR_END: exercise
async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ClientError> {
    // ANCHOR: exercise todo!("check the status, then decode the body as JSON")
    let status = response.status();
    if status.is_server_error() {
        return Err(ClientError::Server(status));
    }
    if !status.is_success() {
        return Err(ClientError::UnexpectedStatus(status));
    }
    // Two steps, because they fail for different reasons. Losing the
    // connection halfway through the body is a transport problem, which a
    // caller may retry; only a body that arrived whole and does not parse is
    // the server's bad JSON. (`response.json()` would do both, and report a
    // cut-off body as a decode error.)
    let bytes = response.bytes().await.map_err(ClientError::Transport)?;
    serde_json::from_slice(&bytes).map_err(ClientError::Decode)
    // ANCHOR_END: exercise
}
// ANCHOR_END: errors

/// reqwest waits forever by default. A client that may hang its caller is
/// worse than one that gives up, so every request has a deadline.
const TIMEOUT: Duration = Duration::from_secs(10);

// ANCHOR: client_new
/// A client for the shop's API. Make one and reuse it: the inner
/// `reqwest::Client` keeps connections open between calls.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    // ANCHOR: exercise /// Keep it without a trailing slash, so that `base_url + "/products"`
    /// Always without a trailing slash, so that `base_url + "/products"`
    // ANCHOR_END: exercise
    /// never produces `//products`.
    base_url: String,
}

impl Client {
    // ANCHOR: exercise // TODO: store the base URL without its trailing slash(es), and a fresh
    // ANCHOR: exercise //     HTTP client:
    // ANCHOR: exercise //         `base_url.into()` turns the argument into a `String`;
    // ANCHOR: exercise //         `str::trim_end_matches('/')` drops the slashes, `.to_owned()` copies;
    // ANCHOR: exercise //         `reqwest::Client::new()` makes the HTTP client.
    /// `base_url` is where the API lives, with or without a trailing slash:
    /// `http://127.0.0.1:8000`, `http://127.0.0.1:8000/` and
    /// `https://shop.example/api` all work.
    // ANCHOR_END: exercise
    pub fn new(base_url: impl Into<String>) -> Client {
        // ANCHOR: exercise todo!("return a Client with the base URL (no trailing slash) and a reqwest::Client")
        let base_url = base_url.into().trim_end_matches('/').to_owned();
        Client {
            // `reqwest::Client::new` only fails when a TLS backend cannot
            // start, and this workspace builds reqwest without TLS.
            http: reqwest::Client::new(),
            base_url,
        }
        // ANCHOR_END: exercise
    }
}
// ANCHOR_END: client_new

// ANCHOR: solution_only
// Each part of the client has an `impl` block of its own, so that the book
// can show them one at a time.
// ANCHOR_END: exercise
// ANCHOR: list_products
impl Client {
    // ANCHOR: exercise // TODO: send one GET to `/products` with `self.send_get`, then hand the
    // ANCHOR: exercise //     response to `read_json` (add `?` after `.await` to pass errors on).
    /// `GET {base}/products`: every product in the catalogue.
    // ANCHOR_END: exercise
    pub async fn list_products(&self) -> Result<Vec<Product>, ClientError> {
        // ANCHOR: exercise todo!("send GET {{base}}/products and decode the list")
        // A 404 here means the base URL points somewhere that is not this
        // API, not that a product is missing: `read_json` reports it as
        // `UnexpectedStatus(404)`.
        let response = self.send_get("/products").await?;
        read_json(response).await
        // ANCHOR_END: exercise
    }

    // ANCHOR: exercise // TODO: build the URL (`format!("{}{path}", self.base_url)`), then send it:
    // ANCHOR: exercise //         `self.http.get(url)` (that is `reqwest::Client::get`)
    // ANCHOR: exercise //         `.header(ACCEPT, "application/json")` — say we read JSON
    // ANCHOR: exercise //         `.timeout(TIMEOUT)` — give up rather than hang
    // ANCHOR: exercise //         `.send().await` — its error means no answer at all, so
    // ANCHOR: exercise //         `.map_err(ClientError::Transport)`.
    // ANCHOR: exercise //     Return the response whatever its status: a 500 is still an answer.
    /// Sends `GET {base}{path}` and returns whatever the server answered,
    /// error statuses included: an HTTP answer, even a 500, is not a
    /// transport failure.
    // ANCHOR_END: exercise
    async fn send_get(&self, path: &str) -> Result<Response, ClientError> {
        // ANCHOR: exercise todo!("send GET {{base}}{{path}} with Accept: application/json")
        let url = format!("{}{path}", self.base_url);
        self.http
            .get(url)
            // Content negotiation (RFC 9110 §12.5.1): we can only read JSON,
            // so we say so. Without it reqwest sends `Accept: */*`.
            .header(ACCEPT, "application/json")
            .timeout(TIMEOUT)
            .send()
            .await
            .map_err(ClientError::Transport)
        // ANCHOR_END: exercise
    }
}
// ANCHOR_END: list_products

// ANCHOR: get_product
impl Client {
    // ANCHOR: exercise // TODO: send one GET to `/products/{id}` with `self.send_get`. If
    // ANCHOR: exercise //     `response.status() == StatusCode::NOT_FOUND`, return
    // ANCHOR: exercise //     `Err(ClientError::NotFound(id))`; otherwise hand it to `read_json`.
    /// `GET {base}/products/{id}`: one product, or `NotFound(id)`.
    // ANCHOR_END: exercise
    pub async fn get_product(&self, id: u64) -> Result<Product, ClientError> {
        // ANCHOR: exercise todo!("send GET {{base}}/products/{{id}}; a 404 is NotFound(id)")
        let response = self.send_get(&format!("/products/{id}")).await?;
        // Only this call knows which id was missing, so it handles the 404
        // itself and leaves every other status to `read_json`.
        if response.status() == StatusCode::NOT_FOUND {
            return Err(ClientError::NotFound(id));
        }
        read_json(response).await
        // ANCHOR_END: exercise
    }
}
// ANCHOR_END: get_product

// ANCHOR: exercise // This chapter's tests, from tests/client.rs, compiled into this crate:
// ANCHOR: exercise // `cargo test` then compiles once per edit, not twice (BENCHMARKS.md).
// ANCHOR: exercise // The alias lets them name this crate `api_client`, as from outside.
// ANCHOR: exercise extern crate self as api_client;
// ANCHOR: exercise #[cfg(test)]
// ANCHOR: exercise #[path = "../tests/client.rs"]
// ANCHOR: exercise mod tests;
// ANCHOR_END: exercise
