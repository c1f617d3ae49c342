//! Try it: the book's panels send their requests here, and the book server
//! sends them on to the learner's server. The browser talks only to the book's
//! own origin, so there is no CORS to set up in the learner's code.
//!
//! The proxy is not an open door:
//! - it forwards only to `127.0.0.1`, `::1` and `localhost` (which it resolves
//!   to 127.0.0.1 itself), over plain `http`, and refuses any other host;
//! - it follows no redirect, so a 3xx is shown, never followed elsewhere;
//! - the request it takes is at most [`MAX_REQUEST`] bytes, the response body
//!   it shows at most [`MAX_RESPONSE`] bytes, and the whole exchange at most
//!   [`TIMEOUT`];
//! - it takes only `Content-Type: application/json` from a page of the book's
//!   own host, so another web page cannot use it (the browser asks before
//!   sending such a request across origins, and the book says no).

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use reqwest::Url;
use serde::{Deserialize, Serialize};

/// The largest request a panel may send through the proxy, body included.
pub const MAX_REQUEST: usize = 64 * 1024;
/// The most of a response body the panel shows.
pub const MAX_RESPONSE: usize = 256 * 1024;
/// The longest the proxy waits for the learner's server.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// What a panel sends.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TryRequest {
    /// The learner's server, such as `http://127.0.0.1:3000`.
    pub base: String,
    pub method: String,
    /// The path and query, such as `/products?category=coffee`.
    pub path: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: String,
}

/// What the panel shows.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TryResponse {
    pub url: String,
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body was longer than [`MAX_RESPONSE`] and was cut.
    pub truncated: bool,
    /// The same request as one curl line.
    pub curl: String,
}

/// Why a request was not forwarded, or got no answer.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error(
        "the Try-it proxy forwards only to 127.0.0.1, ::1 and localhost, so it will not send to \
         {0}: run your server on this machine (`cargo run -- serve`) and use \
         http://127.0.0.1:3000"
    )]
    HostRefused(String),
    #[error("{0}")]
    BadRequest(String),
    #[error(
        "the request is over {} KiB: the Try-it proxy takes at most that, body and headers \
         together",
        MAX_REQUEST / 1024
    )]
    TooLarge,
    #[error(
        "the proxy takes only requests from the book's own pages (Content-Type: \
         application/json, from this host)"
    )]
    NotFromTheBook,
    #[error(
        "nothing answers at {0}: start your server with `cargo run -- serve` (it listens on \
         http://127.0.0.1:3000), or change the server URL in the panel"
    )]
    Unreachable(String),
    #[error(
        "{url} did not answer within {} s: is a handler stuck (a loop, a lock held across an \
         `.await`)? The proxy gave up",
        TIMEOUT.as_secs()
    )]
    TimedOut { url: String },
    #[error("sending to {url} failed: {why}")]
    Failed { url: String, why: String },
}

impl IntoResponse for ProxyError {
    fn into_response(self) -> Response {
        let status = match &self {
            ProxyError::HostRefused(_) | ProxyError::NotFromTheBook => StatusCode::FORBIDDEN,
            ProxyError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ProxyError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProxyError::Unreachable(_) | ProxyError::Failed { .. } => StatusCode::BAD_GATEWAY,
            ProxyError::TimedOut { .. } => StatusCode::GATEWAY_TIMEOUT,
        };
        let body = serde_json::json!({ "error": self.to_string() });
        (status, Json(body)).into_response()
    }
}

/// The URL `request` goes to, if the proxy may send it there.
pub fn target(request: &TryRequest) -> Result<Url, ProxyError> {
    let base = request.base.trim().trim_end_matches('/');
    let path = request.path.trim();
    if !path.starts_with('/') {
        return Err(ProxyError::BadRequest(format!(
            "the path {path:?} must start with `/`, such as /products"
        )));
    }
    let url = Url::parse(&format!("{base}{path}")).map_err(|error| {
        ProxyError::BadRequest(format!(
            "{base}{path} is not a URL ({error}): give the server as http://127.0.0.1:3000"
        ))
    })?;
    // Checked on the whole URL, not the base alone: a path such as
    // `@example.com/` would otherwise move the host.
    let host = url.host_str().unwrap_or_default().to_owned();
    // The parser writes every form of an address one way (`0x7f.1` is
    // 127.0.0.1, `[0::1]` is [::1]), so comparing the text is exact.
    let loopback = matches!(
        host.to_ascii_lowercase().as_str(),
        "127.0.0.1" | "[::1]" | "localhost"
    );
    if !loopback {
        return Err(ProxyError::HostRefused(if host.is_empty() {
            url.to_string()
        } else {
            host
        }));
    }
    if url.scheme() != "http" {
        return Err(ProxyError::BadRequest(format!(
            "the proxy speaks plain http only, not {}: use http://127.0.0.1:3000",
            url.scheme()
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ProxyError::BadRequest(
            "put no user name or password in the server URL: send an Authorization header"
                .to_owned(),
        ));
    }
    Ok(url)
}

/// The proxy's client: no redirects, `localhost` pinned to 127.0.0.1.
pub fn client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .resolve("localhost", SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .no_proxy()
        .build()
}

/// Checks that the request comes from one of the book's pages: its
/// `Content-Type` is JSON and its `Host` (and `Origin`, if any) is the
/// book's own loopback address.
pub fn from_the_book(headers: &HeaderMap) -> Result<(), ProxyError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let local = |authority: &str| {
        let name = authority
            .rsplit_once(':')
            .map_or(authority, |(name, _)| name);
        matches!(name, "127.0.0.1" | "localhost" | "[::1]")
    };
    let origin_ok = match headers.get(header::ORIGIN).map(HeaderValue::to_str) {
        None => true,
        Some(Ok(origin)) => origin
            .strip_prefix("http://")
            .is_some_and(|authority| authority == host),
        Some(Err(_)) => false,
    };
    if json && local(host) && origin_ok {
        Ok(())
    } else {
        Err(ProxyError::NotFromTheBook)
    }
}

/// Sends `request` to the learner's server and reads the answer.
pub async fn forward(
    client: &reqwest::Client,
    request: TryRequest,
) -> Result<TryResponse, ProxyError> {
    let url = target(&request)?;
    let method = Method::from_bytes(request.method.trim().as_bytes()).map_err(|_| {
        ProxyError::BadRequest(format!(
            "{:?} is not an HTTP method: use GET, POST, PUT, DELETE, …",
            request.method
        ))
    })?;
    let mut headers = HeaderMap::new();
    for (name, value) in &request.headers {
        if name.trim().is_empty() {
            continue;
        }
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| ProxyError::BadRequest(format!("{name:?} is not a header name")))?;
        let value = HeaderValue::from_str(value.trim()).map_err(|_| {
            ProxyError::BadRequest(format!("the value of {name} is not a header value"))
        })?;
        headers.append(name, value);
    }
    let curl = curl_line(&method, &url, &request.headers, &request.body);
    let mut builder = client.request(method, url.clone()).headers(headers);
    if !request.body.is_empty() {
        builder = builder.body(request.body.clone());
    }
    let shown = url.to_string();
    let mut response = builder
        .send()
        .await
        .map_err(|error| failure(&shown, &error))?;
    let status = response.status();
    let response_headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut body = Vec::new();
    let mut truncated = false;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| failure(&shown, &error))?
    {
        let room = MAX_RESPONSE - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            truncated = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(TryResponse {
        url: shown,
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or_default().to_owned(),
        headers: response_headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        truncated,
        curl,
    })
}

fn failure(url: &str, error: &reqwest::Error) -> ProxyError {
    if error.is_timeout() {
        ProxyError::TimedOut {
            url: url.to_owned(),
        }
    } else if error.is_connect() {
        ProxyError::Unreachable(url.to_owned())
    } else {
        ProxyError::Failed {
            url: url.to_owned(),
            why: error.to_string(),
        }
    }
}

/// The axum handler behind `POST /__restlings/try`.
pub async fn handle(
    client: &reqwest::Client,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Json<TryResponse>, ProxyError> {
    from_the_book(headers)?;
    if body.len() > MAX_REQUEST {
        return Err(ProxyError::TooLarge);
    }
    let request: TryRequest = serde_json::from_slice(&body).map_err(|error| {
        ProxyError::BadRequest(format!(
            "the panel sent something the proxy cannot read ({error}): reload the page"
        ))
    })?;
    forward(client, request).await.map(Json)
}

/// `request` as a curl command line a shell takes as it is.
pub fn curl_line(method: &Method, url: &Url, headers: &[(String, String)], body: &str) -> String {
    let mut line = String::from("curl -i");
    if method == Method::HEAD {
        line.push_str(" --head");
    } else if method != Method::GET || !body.is_empty() {
        line.push_str(" -X ");
        line.push_str(method.as_str());
    }
    for (name, value) in headers {
        if name.trim().is_empty() {
            continue;
        }
        line.push_str(" -H ");
        line.push_str(&quote(&format!("{}: {}", name.trim(), value.trim())));
    }
    if !body.is_empty() {
        line.push_str(" --data-raw ");
        line.push_str(&quote(body));
    }
    line.push(' ');
    line.push_str(&quote(url.as_str()));
    line
}

/// Single quotes for a POSIX shell.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(base: &str, path: &str) -> TryRequest {
        TryRequest {
            base: base.to_owned(),
            method: "GET".to_owned(),
            path: path.to_owned(),
            headers: Vec::new(),
            body: String::new(),
        }
    }

    #[test]
    fn loopback_hosts_are_forwarded() {
        for base in [
            "http://127.0.0.1:3000",
            "http://localhost:3000/",
            "http://[::1]:8080",
        ] {
            let url = target(&request(base, "/products?category=coffee"));
            assert!(
                url.is_ok(),
                "{base} is a loopback server: the proxy must forward to it, got {url:?}"
            );
        }
    }

    #[test]
    fn every_other_host_is_refused_by_name() {
        for (base, path, host) in [
            ("http://example.com", "/", "example.com"),
            ("http://10.0.0.1:3000", "/", "10.0.0.1"),
            ("http://127.0.0.2:3000", "/", "127.0.0.2"),
            ("http://0.0.0.0:3000", "/", "0.0.0.0"),
            ("http://localhost.example.com", "/", "localhost.example.com"),
            // A path may not move the host: this URL's host is example.com.
            ("http://127.0.0.1:3000", "@example.com/", "example.com"),
        ] {
            let refused = target(&request(base, path));
            let message = match &refused {
                Err(error @ ProxyError::HostRefused(_)) => error.to_string(),
                Err(ProxyError::BadRequest(why)) if path.starts_with('@') => why.clone(),
                other => panic!(
                    "{base}{path} is not on this machine's loopback: the proxy must refuse \
                     it, got {other:?}"
                ),
            };
            assert!(
                message.contains(host) || path.starts_with('@'),
                "the refusal must name the host {host}, got: {message}"
            );
        }
    }

    #[test]
    fn https_and_passwords_in_the_url_are_refused() {
        assert!(
            matches!(
                target(&request("https://127.0.0.1:3000", "/")),
                Err(ProxyError::BadRequest(_))
            ),
            "the learner's server speaks plain http: https must be refused"
        );
        assert!(
            matches!(
                target(&request("http://user:pw@127.0.0.1:3000", "/")),
                Err(ProxyError::BadRequest(_))
            ),
            "a password in the URL must be refused"
        );
    }

    #[test]
    fn the_curl_line_quotes_what_a_shell_would_expand() {
        let url = Url::parse("http://127.0.0.1:3000/products?category=tea").expect("a URL");
        let line = curl_line(
            &Method::POST,
            &url,
            &[("Content-Type".to_owned(), "application/json".to_owned())],
            r#"{"name":"it's"}"#,
        );
        assert_eq!(
            line,
            r#"curl -i -X POST -H 'Content-Type: application/json' --data-raw '{"name":"it'\''s"}' 'http://127.0.0.1:3000/products?category=tea'"#,
            "the curl line must paste into a shell as it is"
        );
    }
}
