// Starting code generated from solutions/01_what_is_an_api/src/lib.rs by `cargo run -- dev sync`.
//! Chapter 1, What is an API: write a *client* for the shop's API.
//!
//! Before building APIs, use one. This crate is a small library that asks the
//! shop's API for its products over HTTP, the way any program that calls an
//! API does: send a request, read the status, then decode the body.
//!
//! - `Client::new(base_url)` — remembers where the API lives, such as
//!   `http://127.0.0.1:8000` or `https://shop.example/api`; a trailing slash is fine
//! - `list_products()` — sends `GET {base}/products`, returns every product
//! - `get_product(id)` — sends `GET {base}/products/{id}`, returns one product;
//!   a 404 is `ClientError::NotFound(id)`
//!
//! Both send `Accept: application/json`. Any 5xx is `ClientError::Server`, any
//! other non-2xx is `ClientError::UnexpectedStatus`, and a 2xx whose body is not
//! the expected JSON is `ClientError::Decode`. No answer, or a body cut off on
//! the way, is `ClientError::Transport`.
//!
//! The tests play the server: each starts a fake API (wiremock) on a free port
//! and checks what your client sent and what it made of the answer.
//!
//! Check it: `cargo test` in this directory. Read: `book/src/01_what_is_an_api.md`.

// Starting code leaves parts unused until you write them.
#![allow(dead_code, unused_imports, unused_variables, clippy::todo)]

use std::time::Duration;

use reqwest::header::ACCEPT;
use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

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

// TODO: read the status first, then the body:
//     `response.status()` gives a `StatusCode`; `status.is_server_error()` is
//     any 5xx, which is `Err(ClientError::Server(status))`; any other status
//     that is not `status.is_success()` is `Err(ClientError::UnexpectedStatus(status))`.
//     Only then read the body, in two steps, because they fail differently:
//     `response.bytes().await` reads it off the network (an error there is
//     `ClientError::Transport(error)`: the body was lost on the way), then
//     `serde_json::from_slice::<T>(&bytes)` parses it (`ClientError::Decode(error)`).
async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ClientError> {
    todo!("check the status, then decode the body as JSON")
}

/// reqwest waits forever by default. A client that may hang its caller is
/// worse than one that gives up, so every request has a deadline.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A client for the shop's API. Make one and reuse it: the inner
/// `reqwest::Client` keeps connections open between calls.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    /// Keep it without a trailing slash, so that `base_url + "/products"`
    /// never produces `//products`.
    base_url: String,
}

impl Client {
    // TODO: store the base URL without its trailing slash(es), and a fresh
    //     HTTP client:
    //         `base_url.into()` turns the argument into a `String`;
    //         `str::trim_end_matches('/')` drops the slashes, `.to_owned()` copies;
    //         `reqwest::Client::new()` makes the HTTP client.
    pub fn new(base_url: impl Into<String>) -> Client {
        todo!("return a Client with the base URL (no trailing slash) and a reqwest::Client")
    }
}

impl Client {
    // TODO: send one GET to `/products` with `self.send_get`, then hand the
    //     response to `read_json` (add `?` after `.await` to pass errors on).
    pub async fn list_products(&self) -> Result<Vec<Product>, ClientError> {
        todo!("send GET {{base}}/products and decode the list")
    }

    // TODO: build the URL (`format!("{}{path}", self.base_url)`), then send it:
    //         `self.http.get(url)` (that is `reqwest::Client::get`)
    //         `.header(ACCEPT, "application/json")` — say we read JSON
    //         `.timeout(TIMEOUT)` — give up rather than hang
    //         `.send().await` — its error means no answer at all, so
    //         `.map_err(ClientError::Transport)`.
    //     Return the response whatever its status: a 500 is still an answer.
    async fn send_get(&self, path: &str) -> Result<Response, ClientError> {
        todo!("send GET {{base}}{{path}} with Accept: application/json")
    }
}

impl Client {
    // TODO: send one GET to `/products/{id}` with `self.send_get`. If
    //     `response.status() == StatusCode::NOT_FOUND`, return
    //     `Err(ClientError::NotFound(id))`; otherwise hand it to `read_json`.
    pub async fn get_product(&self, id: u64) -> Result<Product, ClientError> {
        todo!("send GET {{base}}/products/{{id}}; a 404 is NotFound(id)")
    }
}

// This chapter's tests, from tests/client.rs, compiled into this crate:
// `cargo test` then compiles once per edit, not twice (BENCHMARKS.md).
// The alias lets them name this crate `api_client`, as from outside.
extern crate self as api_client;
#[cfg(test)]
#[path = "../tests/client.rs"]
mod tests;
