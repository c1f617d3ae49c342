//! Hostile clients against the chapter 10 binary, the service as it ships.
//!
//! Issue 11 probed `sol10_deploy` with raw sockets and found a service that a
//! patient client could starve (slowloris, a lying `Content-Length`). These
//! tests repeat those probes, and the other ways a client can send garbage,
//! and fail on any regression. Each test starts its own binary on a free
//! port, with an API key, and talks to it over raw TCP on loopback: what it
//! sends is exactly what goes on the wire, as an attacker's script would send
//! it. Every answer must be a 4xx or a closed connection, within a bound; never
//! a 5xx, a panic or a hang. Each test ends by checking that the process is
//! still running and serves a normal client.
//!
//! Every loop is bounded in count and every wait in time. The two probes of
//! the 10 s timeouts (header read and body read, chapter 9) set the pace: the
//! suite takes about as long as one of them, as the tests run in parallel.
//!
//! Run it: `cargo test --test hostile`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The key the binary is started with; the probes send it, so that what
/// they send reaches the shop's handlers and not only the key check.
const KEY: &str = "hostile-suite-key-3e9a";
/// Chapter 9's header-read timeout, which the binary uses (Timeouts::DEFAULT).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Chapter 9's body-read timeout.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// How much later than a timeout the drop may come: scheduling on a busy
/// 2-core machine, not a looser contract.
const SLACK: Duration = Duration::from_secs(4);
/// How long a normal request may take while the probes run.
const NORMAL: Duration = Duration::from_secs(3);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The chapter 10 binary, built once for all the tests by cargo itself.
/// Cargo releases its build lock before it runs tests, so this nested build
/// does not wait on the `cargo test` that runs it. `cargo test --no-run`
/// (not `cargo build`) asks for the features the rest of the course builds
/// with, so that nothing is built twice.
fn binary() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let output = restlings::cargo::command(restlings::cargo::program())
            .current_dir(root())
            .args([
                "test",
                "--no-run",
                "-p",
                "sol10_deploy",
                "--message-format=json-render-diagnostics",
            ])
            .stderr(Stdio::inherit())
            .output()
            .expect("cargo must start to build the chapter 10 binary");
        assert!(
            output.status.success(),
            "solutions/10_deploy must build (see cargo's errors above)"
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|message| {
                message["target"]["name"] == "sol10_deploy"
                    && message["target"]["kind"]
                        .as_array()
                        .is_some_and(|kinds| kinds.iter().any(|kind| kind == "bin"))
            })
            .and_then(|message| message["executable"].as_str().map(PathBuf::from))
            .expect("cargo names the executable of sol10_deploy's binary target")
    })
}

/// A running `sol10_deploy`, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary with the key on a free loopback port, and waits until
/// it accepts connections.
async fn start() -> Server {
    let binary = binary();
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("the system has a free port on loopback");
    let child = Command::new(binary)
        .env_clear()
        .env("PORT", port.to_string())
        .env("API_KEY", KEY)
        .env("LOG_LEVEL", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
    let mut server = Server { child, port };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("sol10_deploy exited with {status} before it listened on port {port}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "sol10_deploy did not listen on port {port} within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server
}

impl Server {
    async fn connect(&self) -> TcpStream {
        TcpStream::connect(("127.0.0.1", self.port))
            .await
            .unwrap_or_else(|error| panic!("cannot connect to the shop on {}: {error}", self.port))
    }

    /// A normal request, as a well-behaved client sends it, with the key.
    async fn normal_get(&self, path: &str) -> Answer {
        let mut stream = self.connect().await;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n\
             Connection: close\r\n\r\n"
        );
        // A failed write shows as the answer that follows: none.
        let _ = stream.write_all(request.as_bytes()).await;
        answer(&mut stream, NORMAL).await
    }

    /// Fails unless the process still runs and a normal client gets 200 from
    /// `GET /health` and `GET /products/1`.
    async fn expect_still_serving(&mut self, after: &str) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("after {after}, sol10_deploy exited with {status}: a client must never stop it");
        }
        for path in ["/health", "/products/1"] {
            let answer = self.normal_get(path).await;
            assert!(
                answer.status() == Some(200),
                "after {after}, a normal GET {path} got {answer}, not 200: the shop must keep \
                 serving everyone else while one client misbehaves"
            );
        }
    }
}

/// What came back on a connection.
#[derive(Debug)]
enum Answer {
    /// A response head: the status line and headers, and what came after
    /// them in the same reads.
    Response {
        status: u16,
        head: String,
        rest: Vec<u8>,
    },
    /// The server closed the connection (or reset it) without a response.
    Closed { after: Duration },
    /// Nothing, and the connection still open, when the wait ran out.
    Silence,
}

impl Answer {
    fn status(&self) -> Option<u16> {
        match self {
            Answer::Response { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A 4xx, or a connection the server closed: the two ways to refuse.
    fn is_refusal(&self) -> bool {
        match self {
            Answer::Response { status, .. } => (400..500).contains(status),
            Answer::Closed { .. } => true,
            Answer::Silence => false,
        }
    }
}

impl std::fmt::Display for Answer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Response { head, .. } => {
                let status_line = head.lines().next().unwrap_or_default();
                write!(formatter, "the response `{status_line}`")
            }
            Answer::Closed { after } => write!(
                formatter,
                "the connection closed without a response after {:.1} s",
                after.as_secs_f64()
            ),
            Answer::Silence => write!(formatter, "no answer, the connection still open"),
        }
    }
}

/// Reads until a whole response head has come, the connection closes, or
/// `wait` runs out.
async fn answer(stream: &mut TcpStream, wait: Duration) -> Answer {
    let started = Instant::now();
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let Some(left) = wait.checked_sub(started.elapsed()) else {
            return Answer::Silence;
        };
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_) => return Answer::Silence,
            Ok(Ok(0)) | Ok(Err(_)) => {
                return head_of(&bytes).unwrap_or(Answer::Closed {
                    after: started.elapsed(),
                });
            }
            Ok(Ok(read)) => {
                bytes.extend_from_slice(&buffer[..read]);
                if let Some(answer) = head_of(&bytes) {
                    return answer;
                }
            }
        }
    }
}

/// The response head at the start of `bytes`, once it is all there.
fn head_of(bytes: &[u8]) -> Option<Answer> {
    let end = bytes.windows(4).position(|window| window == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let rest = bytes[end + 4..].to_vec();
    Some(Answer::Response { status, head, rest })
}

/// Sends `request` whole on a fresh connection and waits `wait` for the answer.
async fn send(server: &Server, request: &[u8], wait: Duration) -> Answer {
    let mut stream = server.connect().await;
    let _ = stream.write_all(request).await;
    answer(&mut stream, wait).await
}

/// Sends `head`, then `size` bytes of `filler`, then `tail`, on a fresh
/// connection, while reading the answer: the server may answer, and close,
/// long before the last byte is through. The writing gives up after
/// [`FLOOD_WAIT`], when the server has stopped reading without closing.
async fn flood(server: &Server, head: &[u8], filler: u8, size: usize, tail: &[u8]) -> Answer {
    let mut stream = server.connect().await;
    let (mut reader, mut writer) = stream.split();
    let write = async {
        let chunk = vec![filler; 64 * 1024];
        let _ = writer.write_all(head).await;
        for _ in 0..size.div_ceil(chunk.len()) {
            if writer.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = writer.write_all(tail).await;
    };
    let read = async {
        let started = Instant::now();
        let mut bytes = Vec::new();
        let mut buffer = [0u8; 8192];
        loop {
            match tokio::time::timeout(FLOOD_WAIT, reader.read(&mut buffer)).await {
                Err(_) => return Answer::Silence,
                Ok(Ok(0)) | Ok(Err(_)) => {
                    return head_of(&bytes).unwrap_or(Answer::Closed {
                        after: started.elapsed(),
                    });
                }
                Ok(Ok(read)) => {
                    bytes.extend_from_slice(&buffer[..read]);
                    if let Some(answer) = head_of(&bytes) {
                        return answer;
                    }
                }
            }
        }
    };
    let (_, answer) = tokio::join!(tokio::time::timeout(FLOOD_WAIT, write), read);
    answer
}

/// How long [`flood`] writes and waits.
const FLOOD_WAIT: Duration = Duration::from_secs(5);

/// A POST of `body` to `path` with the key, its `Content-Length` right.
fn post(path: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\nIdempotency-Key: {}\r\n\
         Connection: close\r\n\r\n",
        body.len(),
        next_key()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

/// A fresh Idempotency-Key, so that a POST /orders reaches its body.
fn next_key() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("hostile-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

#[track_caller]
fn expect_refused(answer: &Answer, what: &str) {
    assert!(
        answer.is_refusal(),
        "{what}: got {answer}. A client's mistake or attack is answered with a 4xx (or the \
         connection is closed), never a 5xx, which says the server broke, and never silence, \
         which holds a connection for good."
    );
}

#[tokio::test]
async fn a_client_that_trickles_its_headers_is_dropped_after_the_header_timeout() {
    // Arrange
    let mut server = start().await;
    let mut slow = server.connect().await;
    let started = Instant::now();
    let _ = slow
        .write_all(b"GET /products HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await;

    // Act: one more header byte per second, as slowloris sends them, until
    // the server closes the connection; bounded by the timeout and its slack.
    let mut dropped = None;
    let mut normal_served = false;
    for _ in 0..(HEADER_TIMEOUT + SLACK).as_secs() {
        let mut byte = [0u8; 1];
        match tokio::time::timeout(Duration::from_secs(1), slow.read(&mut byte)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                dropped = Some(started.elapsed());
                break;
            }
            Ok(Ok(_)) => {
                // A response: let the check below judge what it is.
                dropped = Some(started.elapsed());
                break;
            }
            Err(_) => {
                if slow.write_all(b"a").await.is_err() {
                    dropped = Some(started.elapsed());
                    break;
                }
            }
        }
        if !normal_served && started.elapsed() > Duration::from_secs(2) {
            // Assert: while the slow client hangs on, others are served.
            let answer = server.normal_get("/health").await;
            assert!(
                answer.status() == Some(200),
                "while one client trickles its headers, a normal GET /health got {answer}: a \
                 slow client must cost one connection, not the whole service"
            );
            normal_served = true;
        }
    }

    // Assert
    let Some(after) = dropped else {
        panic!(
            "a client that sends one header byte per second was still connected after {} s. \
             The header-read timeout ({} s, chapter 9) must close a connection whose request \
             head has not arrived in time, or a few hundred such clients (slowloris) hold \
             every file descriptor the service has.",
            started.elapsed().as_secs(),
            HEADER_TIMEOUT.as_secs()
        );
    };
    assert!(
        after <= HEADER_TIMEOUT + SLACK,
        "the slow client was dropped after {:.1} s, later than the header-read timeout of {} s",
        after.as_secs_f64(),
        HEADER_TIMEOUT.as_secs()
    );
    assert!(normal_served, "the normal client was never tried");
    server
        .expect_still_serving("a client trickled its headers")
        .await;
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_is_refused_within_the_body_timeout() {
    // Arrange: a head that promises 1,000 bytes, 10 of them, then silence.
    let mut server = start().await;
    let mut stream = server.connect().await;
    let head = format!(
        "POST /products HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"name\": "
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let started = Instant::now();

    // Act
    let answer = answer(&mut stream, BODY_TIMEOUT + SLACK).await;

    // Assert
    expect_refused(
        &answer,
        &format!(
            "a body that stops 990 bytes short of its Content-Length, then silence, must be \
             refused within the body-read timeout ({} s, chapter 9)",
            BODY_TIMEOUT.as_secs()
        ),
    );
    assert!(
        started.elapsed() <= BODY_TIMEOUT + SLACK,
        "the stuck body was refused only after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    server
        .expect_still_serving("a body stopped short of its Content-Length")
        .await;
}

#[tokio::test]
async fn a_thousand_headers_are_refused() {
    let mut server = start().await;
    let mut request =
        format!("GET /products/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n");
    for index in 0..1_000 {
        request.push_str(&format!("X-Header-{index}: {index}\r\n"));
    }
    request.push_str("Connection: close\r\n\r\n");

    let answer = send(&server, request.as_bytes(), NORMAL).await;

    expect_refused(
        &answer,
        "a request with 1,000 headers (hyper keeps at most 100) must be refused, \
         431 Request Header Fields Too Large (RFC 6585 §5) or another 4xx",
    );
    server
        .expect_still_serving("a request with 1,000 headers")
        .await;
}

#[tokio::test]
async fn a_one_megabyte_header_is_refused() {
    let mut server = start().await;
    let head = format!(
        "GET /products/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\nX-Big: "
    );

    let answer = flood(
        &server,
        head.as_bytes(),
        b'a',
        1024 * 1024,
        b"\r\nConnection: close\r\n\r\n",
    )
    .await;

    expect_refused(
        &answer,
        "a request with a 1 MB header must be refused before it is buffered: 431 Request \
         Header Fields Too Large (RFC 6585 §5), another 4xx, or a closed connection",
    );
    server.expect_still_serving("a 1 MB header").await;
}

#[tokio::test]
async fn bad_chunked_encoding_is_refused() {
    let mut server = start().await;
    let head = format!(
        "POST /products HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    #[rustfmt::skip]
    let cases: [(&str, &str); 4] = [
        ("a chunk size that is not hexadecimal", "zz\r\n{}\r\n0\r\n\r\n"),
        ("a chunk longer than its size says", "2\r\n{\"name\": \"x\"}\r\n0\r\n\r\n"),
        ("a chunk size too big for 64 bits", "fffffffffffffffffffff\r\n{}\r\n0\r\n\r\n"),
        ("a chunk size line with no CRLF", "5 {}0\r\n\r\n"),
    ];

    for (what, body) in cases {
        let request = format!("{head}{body}");

        let answer = send(&server, request.as_bytes(), NORMAL).await;

        expect_refused(
            &answer,
            &format!("a chunked body with {what} (RFC 9112 §7.1) must be refused"),
        );
    }
    server.expect_still_serving("bad chunked encoding").await;
}

#[tokio::test]
async fn invalid_utf8_in_the_path_or_the_body_is_refused() {
    let mut server = start().await;
    let raw_path = {
        let mut request = b"GET /products/\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\n".to_vec();
        request.extend_from_slice(
            format!("Authorization: Bearer {KEY}\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        request
    };
    let encoded_path = format!(
        "GET /products/%FF%FE HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n\
         Connection: close\r\n\r\n"
    );
    let mut body = b"{\"name\": \"\xff\xfe\", \"price_cents\": 1, \"category\": \"c\"}".to_vec();
    body.extend_from_slice(b" ");
    let cases: [(&str, Vec<u8>); 3] = [
        ("raw bytes 0xFF 0xFE in the path", raw_path),
        (
            "%FF%FE in the path, not UTF-8 once decoded",
            encoded_path.into_bytes(),
        ),
        (
            "a JSON body whose name is the bytes 0xFF 0xFE",
            post("/products", "application/json", &body),
        ),
    ];

    for (what, request) in cases {
        let answer = send(&server, &request, NORMAL).await;

        expect_refused(&answer, &format!("a request with {what} must be refused"));
        assert!(
            answer.status().is_some(),
            "a request with {what}: got {answer}, where a 400 is due: the request came whole, \
             so the server can say what is wrong with it"
        );
    }
    server.expect_still_serving("invalid UTF-8").await;
}

#[tokio::test]
async fn deeply_nested_json_is_refused() {
    let mut server = start().await;
    let arrays = format!("{}{}", "[".repeat(30_000), "]".repeat(30_000));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
    let in_a_field = format!(
        r#"{{"name": "deep", "category": "c", "price_cents": {}1{}}}"#,
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let cases = [
        ("arrays nested 30,000 deep", arrays),
        ("objects nested 10,000 deep", objects),
        ("a field nested 20,000 deep", in_a_field),
    ];

    for (what, body) in cases {
        for path in ["/products", "/predictions", "/orders"] {
            let answer = send(
                &server,
                &post(path, "application/json", body.as_bytes()),
                NORMAL,
            )
            .await;

            expect_refused(
                &answer,
                &format!(
                    "POST {path} with {what}: a parser that recurses once per level runs out \
                     of stack and takes the process down. It must be refused"
                ),
            );
        }
    }
    server.expect_still_serving("deeply nested JSON").await;
}

#[tokio::test]
async fn huge_numbers_are_refused_and_said_to_be_too_large() {
    let mut server = start().await;
    let cases = [
        (
            "/products",
            r#"{"name": "huge", "category": "c", "price_cents": 99999999999999999999999}"#,
            true,
        ),
        (
            "/predictions",
            r#"{"product_id": 99999999999999999999999, "price_cents": 100}"#,
            true,
        ),
        (
            "/products",
            r#"{"name": "huge", "category": "c", "price_cents": 1e400}"#,
            false,
        ),
        (
            "/products",
            r#"{"name": "huge", "category": "c", "price_cents": -99999999999999999999999}"#,
            false,
        ),
    ];

    for (path, body, too_large) in cases {
        let mut stream = server.connect().await;
        let _ = stream
            .write_all(&post(path, "application/json", body.as_bytes()))
            .await;
        let answer = answer(&mut stream, NORMAL).await;
        expect_refused(&answer, &format!("POST {path} with {body} must be refused"));
        if too_large {
            let mut rest = match &answer {
                Answer::Response { rest, .. } => rest.clone(),
                _ => Vec::new(),
            };
            let _ = tokio::time::timeout(NORMAL, stream.read_to_end(&mut rest)).await;
            let rest = String::from_utf8_lossy(&rest);
            assert!(
                answer.status() == Some(422) && rest.contains("too large"),
                "POST {path} with {body}: got {answer} and the body {rest:?}, where a 422 \
                 problem whose detail says the number is too large is due (chapter 7)"
            );
        }
    }
    server.expect_still_serving("huge numbers").await;
}

#[tokio::test]
async fn a_ten_megabyte_body_answers_413() {
    let mut server = start().await;
    let size = 10 * 1024 * 1024;
    let head = format!(
        "POST /products HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
    );

    let answer = flood(&server, head.as_bytes(), b' ', size, b"").await;

    assert!(
        answer.status() == Some(413),
        "a POST with a 10 MB body got {answer}, where 413 Content Too Large (RFC 9110 \
         §15.5.14) is due: the service reads at most 64 KiB of body (chapter 7), and says so"
    );
    server.expect_still_serving("a 10 MB body").await;
}

#[tokio::test]
async fn two_hundred_slow_clients_at_once_do_not_stop_a_normal_client() {
    // Arrange: 200 connections, each with half a request line, all held open.
    let mut server = start().await;
    let mut slow = Vec::new();
    for _ in 0..200 {
        let mut stream = server.connect().await;
        let _ = stream.write_all(b"GET /prod").await;
        slow.push(stream);
    }

    // Act
    let started = Instant::now();
    let answer = server.normal_get("/products/1").await;

    // Assert
    assert!(
        answer.status() == Some(200) && started.elapsed() < NORMAL,
        "with 200 slow clients connected, a normal GET /products/1 got {answer} after {:.1} s: \
         each connection must be served on its own, so that slow clients cost a connection \
         each and never the service",
        started.elapsed().as_secs_f64()
    );
    drop(slow);
    server.expect_still_serving("200 slow clients").await;
}
