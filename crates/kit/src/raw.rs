//! Raw bytes on the wire, for what an HTTP client hides: an HTTP client stops
//! reading after the headers of a HEAD, 204 or 304 response, so bytes a server
//! wrongly sends after them can only be seen here.

use std::time::Duration;

use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A response as the server wrote it.
#[derive(Debug)]
pub struct RawResponse {
    /// The status line and headers, without the blank line that ends them.
    pub head: String,
    /// Every byte after the blank line, until the server closed the connection.
    pub after_head: Vec<u8>,
}

impl RawResponse {
    /// The status code from the status line, such as 204.
    pub fn status(&self) -> Option<u16> {
        self.head.split_whitespace().nth(1)?.parse().ok()
    }
}

/// Sends `METHOD path HTTP/1.1` with `Connection: close` to the server at
/// `base_url` on a fresh connection and reads until the server closes it,
/// waiting at most `timeout` (and at least a second). `None` for an
/// `https://` server, whose bytes are encrypted.
pub(crate) async fn send(
    base_url: &str,
    timeout: Duration,
    method: Method,
    path: &str,
) -> Option<RawResponse> {
    let rest = base_url.strip_prefix("http://")?;
    let (authority, prefix) = match rest.split_once('/') {
        Some((authority, prefix)) => (authority, format!("/{prefix}")),
        None => (rest, String::new()),
    };
    let request = format!(
        "{method} {prefix}{path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    );
    let exchange = async {
        let mut stream = TcpStream::connect(authority).await?;
        stream.write_all(request.as_bytes()).await?;
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).await?;
        Ok::<_, std::io::Error>(bytes)
    };
    let limit = timeout.max(Duration::from_secs(1));
    let bytes = match tokio::time::timeout(limit, exchange).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(error)) => panic!(
            "A raw {method} {path} to {authority} got no complete answer ({error}). With \
             `Connection: close`, the server must send its response and then close the \
             connection."
        ),
        Err(_) => panic!(
            "A raw {method} {path} to {authority} was still open after {} s. With \
             `Connection: close`, the server must send its response and then close the \
             connection; one that keeps it open may be sending a body it announced \
             but never finished.",
            limit.as_secs()
        ),
    };
    let split = bytes.windows(4).position(|window| window == b"\r\n\r\n");
    Some(match split {
        Some(end) => RawResponse {
            head: String::from_utf8_lossy(&bytes[..end]).into_owned(),
            after_head: bytes[end + 4..].to_vec(),
        },
        None => RawResponse {
            head: String::from_utf8_lossy(&bytes).into_owned(),
            after_head: Vec::new(),
        },
    })
}
