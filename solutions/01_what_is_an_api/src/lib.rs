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
//! the expected JSON is `ClientError::Decode`.
//!
//! Check it: `cargo test -p sol01_what_is_an_api`. Read: `book/src/01_what_is_an_api.md`.

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
    /// No HTTP answer at all: nothing listening, a refused or reset
    /// connection, a timeout, or a base URL that is not a URL.
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

    /// A 2xx whose body is not the JSON this client expects.
    #[error("the server answered with success, but the body is not the JSON this client expects")]
    Decode(#[source] reqwest::Error),
}

/// Reads the server's verdict, then the body. The status comes first: the
/// body of an error response is an error message, and decoding it as a
/// product would hide what really happened.
async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ClientError> {
    let status = response.status();
    if status.is_server_error() {
        return Err(ClientError::Server(status));
    }
    if !status.is_success() {
        return Err(ClientError::UnexpectedStatus(status));
    }
    response.json::<T>().await.map_err(|error| {
        // `.json()` first reads the body off the network, then parses it.
        // Only a parse failure is the server's bad JSON; losing the
        // connection halfway through the body is a transport problem.
        if error.is_decode() {
            ClientError::Decode(error)
        } else {
            ClientError::Transport(error)
        }
    })
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
    /// Always without a trailing slash, so that `base_url + "/products"`
    /// never produces `//products`.
    base_url: String,
}

impl Client {
    /// `base_url` is where the API lives, with or without a trailing slash:
    /// `http://127.0.0.1:8000`, `http://127.0.0.1:8000/` and
    /// `https://shop.example/api` all work.
    pub fn new(base_url: impl Into<String>) -> Client {
        let base_url = base_url.into().trim_end_matches('/').to_owned();
        Client {
            // `reqwest::Client::new` only fails when a TLS backend cannot
            // start, and this workspace builds reqwest without TLS.
            http: reqwest::Client::new(),
            base_url,
        }
    }
}
// ANCHOR_END: client_new

// Each part of the client has an `impl` block of its own, so that the book
// can show them one at a time.
// ANCHOR: list_products
impl Client {
    /// `GET {base}/products`: every product in the catalogue.
    pub async fn list_products(&self) -> Result<Vec<Product>, ClientError> {
        // A 404 here means the base URL points somewhere that is not this
        // API, not that a product is missing: `read_json` reports it as
        // `UnexpectedStatus(404)`.
        let response = self.send_get("/products").await?;
        read_json(response).await
    }

    /// Sends `GET {base}{path}` and returns whatever the server answered,
    /// error statuses included: an HTTP answer, even a 500, is not a
    /// transport failure.
    async fn send_get(&self, path: &str) -> Result<Response, ClientError> {
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
    }
}
// ANCHOR_END: list_products

// ANCHOR: get_product
impl Client {
    /// `GET {base}/products/{id}`: one product, or `NotFound(id)`.
    pub async fn get_product(&self, id: u64) -> Result<Product, ClientError> {
        let response = self.send_get(&format!("/products/{id}")).await?;
        // Only this call knows which id was missing, so it handles the 404
        // itself and leaves every other status to `read_json`.
        if response.status() == StatusCode::NOT_FOUND {
            return Err(ClientError::NotFound(id));
        }
        read_json(response).await
    }
}
// ANCHOR_END: get_product
