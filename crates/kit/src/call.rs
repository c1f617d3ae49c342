//! One request, built up and then sent with `.await`.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use reqwest::Method;
use serde_json::Value;

use crate::exchange::Exchange;
use crate::report::{self, Context, History, Place, Received, Sent};

/// A request to the server under test. Add headers or a body, then `.await`
/// it to get an [`Exchange`].
#[must_use = "a Call does nothing until you .await it"]
pub struct Call<'a> {
    client: &'a reqwest::Client,
    base_url: &'a str,
    context: Context,
    history: &'a History,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl<'a> Call<'a> {
    /// A request to `base_url` + `path`, sent with `client`; `context` is
    /// what its failure report needs to know about the test, and `history`
    /// the test's requests so far, which the request joins once it is sent.
    pub(crate) fn new(
        client: &'a reqwest::Client,
        base_url: &'a str,
        context: Context,
        history: &'a History,
        method: Method,
        path: &str,
    ) -> Call<'a> {
        Call {
            client,
            base_url,
            context,
            history,
            method,
            path: path.to_owned(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Adds a request header.
    pub fn header(mut self, name: &str, value: &str) -> Call<'a> {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sends `value` as the body with `Content-Type: application/json`.
    pub fn json(self, value: &Value) -> Call<'a> {
        self.header("content-type", "application/json")
            .body(value.to_string().into_bytes())
    }

    /// Sends raw bytes as the body, with whatever headers were set: the way
    /// to send malformed JSON or a wrong `Content-Type` on purpose.
    pub fn body(mut self, bytes: impl Into<Vec<u8>>) -> Call<'a> {
        self.body = Some(bytes.into());
        self
    }

    /// Sends the request and waits for the whole response. A refused,
    /// reset or timed-out connection fails the test with a diagnosis.
    pub async fn send(self) -> Exchange {
        let sent = Sent {
            url: format!("{}{}", self.base_url, self.path),
            method: self.method,
            path: self.path,
            headers: self.headers,
            body: self.body,
        };
        let mut request = self.client.request(sent.method.clone(), &sent.url);
        for (name, value) in &sent.headers {
            request = request.header(name, value);
        }
        if let Some(body) = &sent.body {
            request = request.body(body.clone());
        }
        let context = self.context;
        let history = self.history;
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => report::transport_failure(&context, history, &sent, &error),
        };
        let status = response.status();
        let headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(bytes) => bytes.to_vec(),
            Err(error) => report::transport_failure(&context, history, &sent, &error),
        };
        let index = history.record(&sent, status.to_string());
        Exchange::new(
            context,
            Place {
                history: history.clone(),
                index,
            },
            sent,
            Received {
                status,
                headers,
                body,
            },
        )
    }
}

impl<'a> IntoFuture for Call<'a> {
    type Output = Exchange;
    type IntoFuture = Pin<Box<dyn Future<Output = Exchange> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
