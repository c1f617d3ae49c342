//! Raw bytes on the wire, for what an HTTP client hides: an HTTP client stops
//! reading after the headers of a HEAD, 204 or 304 response, so bytes a server
//! wrongly sends after them can only be seen here.

use std::fmt::Display;
use std::time::Duration;

use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::report::{self, Context, History, Place, Sent, Shown};

/// A response as the server wrote it.
#[derive(Debug)]
pub struct RawResponse {
    /// The status line and headers, without the blank line that ends them.
    pub head: String,
    /// Every byte after the blank line, until the server closed the connection.
    pub after_head: Vec<u8>,
    context: Context,
    place: Place,
    sent: Sent,
}

impl RawResponse {
    /// The status code from the status line, such as 204.
    pub fn status(&self) -> Option<u16> {
        self.head.split_whitespace().nth(1)?.parse().ok()
    }

    /// Fails the test unless `ok`, with the same report as
    /// [`Exchange::expect`](crate::Exchange::expect): `expected` and
    /// `actual` name what a correct server sends and what this one sent,
    /// and the response is shown byte for byte as it came.
    #[track_caller]
    pub fn expect(
        &self,
        ok: bool,
        expected: impl Display,
        actual: impl Display,
        why: &str,
    ) -> &RawResponse {
        if !ok {
            self.fail_with(&expected, &actual, why);
        }
        self
    }

    #[track_caller]
    fn fail_with(&self, expected: &dyn Display, actual: &dyn Display, why: &str) -> ! {
        let mut text = String::new();
        // The date changes on every run; the report leaves it out, as for any response.
        for line in self.head.lines().filter(|line| {
            !line
                .get(..5)
                .is_some_and(|name| name.eq_ignore_ascii_case("date:"))
        }) {
            text.push_str("  ");
            text.push_str(line);
            text.push('\n');
        }
        text.push_str(&match self.after_head.len() {
            0 => "  (nothing after the headers: the server closed the connection)".to_owned(),
            n => format!(
                "  then {n} bytes after the headers:\n  {}",
                String::from_utf8_lossy(&self.after_head).replace('\n', "\n  ")
            ),
        });
        let report = report::render(
            &self.context,
            &self.place,
            &self.sent,
            &Shown { text, panic: None },
            &expected.to_string(),
            &actual.to_string(),
            why,
        );
        panic!("{report}");
    }
}

/// Sends `METHOD path HTTP/1.1` with `Connection: close` to the server at
/// `base_url` on a fresh connection and reads until the server closes it,
/// waiting at most `timeout` (and at least a second). `None` for an
/// `https://` server, whose bytes are encrypted. The request joins the
/// test's `history`, so that reports list it and replay it.
pub(crate) async fn send(
    base_url: &str,
    context: Context,
    history: &History,
    method: Method,
    path: &str,
) -> Option<RawResponse> {
    let timeout = context.timeout;
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
    let (head, after_head) = match split {
        Some(end) => (
            String::from_utf8_lossy(&bytes[..end]).into_owned(),
            bytes[end + 4..].to_vec(),
        ),
        None => (String::from_utf8_lossy(&bytes).into_owned(), Vec::new()),
    };
    let sent = Sent {
        method,
        url: format!("{base_url}{path}"),
        path: path.to_owned(),
        headers: vec![("connection".to_owned(), "close".to_owned())],
        body: None,
    };
    let status_line = head.lines().next().unwrap_or_default();
    let outcome = status_line
        .split_once(' ')
        .map_or(status_line, |(_, status)| status)
        .to_owned();
    let index = history.record(&sent, outcome);
    Some(RawResponse {
        head,
        after_head,
        context,
        place: Place {
            history: history.clone(),
            index,
        },
        sent,
    })
}
