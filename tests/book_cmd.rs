//! `cargo run -- book` end to end, without a browser: it prints its URL,
//! serves the book with the progress endpoint, refuses a busy port clearly,
//! and its Try-it proxy forwards to loopback only, within its limits.
//!
//! Run it: `cargo test --test book_cmd`.

mod book_server;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use book_server::{BookServer, root, state_dir, write_state};
use serde_json::{Value, json};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .proxy(None)
        .build()
        .into()
}

/// POSTs `body` to the proxy as the book's page would; returns the status
/// and the JSON answer.
fn try_it(book: &BookServer, body: &Value) -> (u16, Value) {
    let mut response = agent()
        .post(book.at("/__restlings/try"))
        .header("content-type", "application/json")
        .send(body.to_string())
        .expect("the book server answers");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    let answer = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("the proxy answered {status} with non-JSON: {text}"));
    (status, answer)
}

fn error_of(answer: &Value) -> &str {
    answer["error"].as_str().unwrap_or_default()
}

#[test]
fn the_book_prints_its_url_and_serves_pages_and_progress() {
    let (_dir, state) = state_dir();
    write_state(&state, &["01_what_is_an_api"], Some("02_endpoints"));
    let book = BookServer::start(&state);

    assert!(
        book.banner.iter().any(|line| line.contains("3000")),
        "the banner must say that `serve` keeps port 3000, got:\n{}",
        book.banner.join("\n")
    );
    let mut page = agent().get(book.at("/03_get.html")).call().expect("a page");
    assert_eq!(
        page.status().as_u16(),
        200,
        "GET /03_get.html must be the chapter"
    );
    let html = page.body_mut().read_to_string().unwrap_or_default();
    assert!(
        html.contains("restlings-try") && html.contains("restlings-quiz"),
        "the served chapter must carry its Try-it panel and its quiz"
    );
    let mut progress = agent()
        .get(book.at("/__restlings/progress"))
        .call()
        .expect("the progress endpoint answers");
    let progress: Value =
        serde_json::from_str(&progress.body_mut().read_to_string().unwrap_or_default())
            .expect("the progress is JSON");
    let statuses: Vec<(&str, &str)> = progress["exercises"]
        .as_array()
        .into_iter()
        .flatten()
        .take(3)
        .map(|entry| {
            (
                entry["name"].as_str().unwrap_or_default(),
                entry["status"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("01_what_is_an_api", "done"),
            ("02_endpoints", "current"),
            ("03_get", "pending")
        ],
        "the state file says 01 passes and 02 is current: {progress}"
    );
}

#[test]
fn a_port_in_use_is_refused_with_a_message_that_says_what_to_do() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = taken.local_addr().expect("its address").port();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_restlings"))
        .args(["book", "--port", &port.to_string()])
        .current_dir(root())
        .output()
        .expect("the runner runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "port {port} is taken: `book` must fail, not wait. stderr: {stderr}"
    );
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}"))
            && stderr.contains(&format!("--port {}", port + 1)),
        "the error must name the address and suggest another --port, got: {stderr}"
    );
}

#[test]
fn the_proxy_refuses_every_host_but_loopback_and_requests_not_from_the_book() {
    let (_dir, state) = state_dir();
    let book = BookServer::start(&state);

    for base in [
        "http://example.com",
        "http://10.1.2.3:3000",
        "http://127.0.0.2:3000",
    ] {
        let (status, answer) = try_it(
            &book,
            &json!({"base": base, "method": "GET", "path": "/products"}),
        );
        let host = base
            .trim_start_matches("http://")
            .split(':')
            .next()
            .unwrap_or(base);
        assert_eq!(
            status, 403,
            "{base} is not loopback: the proxy must refuse it, got {answer}"
        );
        assert!(
            error_of(&answer).contains(host)
                && error_of(&answer).contains("127.0.0.1, ::1 and localhost"),
            "the refusal must name {host} and the hosts allowed, got {answer}"
        );
    }

    // Another page cannot use the proxy: a form-like POST is refused.
    let mut response = agent()
        .post(book.at("/__restlings/try"))
        .header("content-type", "text/plain")
        .send(json!({"base": "http://127.0.0.1:3000", "method": "GET", "path": "/"}).to_string())
        .expect("the book server answers");
    assert_eq!(
        response.status().as_u16(),
        403,
        "a text/plain POST (what another web page may send without asking) must be refused: {}",
        response.body_mut().read_to_string().unwrap_or_default()
    );
}

#[test]
fn the_proxy_limits_the_body_and_the_time_and_says_when_nothing_answers() {
    let (_dir, state) = state_dir();
    let book = BookServer::start(&state);

    // Too large: over 64 KiB.
    let (status, answer) = try_it(
        &book,
        &json!({"base": "http://127.0.0.1:9", "method": "POST", "path": "/products",
                "body": "x".repeat(70_000)}),
    );
    assert_eq!(
        status, 413,
        "a 70,000-byte body is over the proxy's 64 KiB: {answer}"
    );

    // Nobody listens: a port bound and closed again.
    let free = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = free.local_addr().expect("its address").port();
    drop(free);
    let (status, answer) = try_it(
        &book,
        &json!({"base": format!("http://127.0.0.1:{port}"), "method": "GET", "path": "/"}),
    );
    assert_eq!(
        status, 502,
        "nothing listens on {port}: a 502, got {answer}"
    );
    assert!(
        error_of(&answer).contains("cargo run -- serve"),
        "the message must say how to start a server, got {answer}"
    );

    // A server that accepts and never answers: the proxy gives up.
    let silent = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = silent.local_addr().expect("its address").port();
    let holder = std::thread::spawn(move || {
        let connection = silent.accept();
        std::thread::sleep(Duration::from_secs(15));
        drop(connection);
    });
    let started = Instant::now();
    let (status, answer) = try_it(
        &book,
        &json!({"base": format!("http://localhost:{port}"), "method": "GET", "path": "/"}),
    );
    let waited = started.elapsed();
    assert_eq!(
        status, 504,
        "a server that never answers: a 504, got {answer}"
    );
    assert!(
        waited < Duration::from_secs(14),
        "the proxy must give up after its 10 s, it took {waited:?}"
    );
    drop(holder);

    // And a loopback server is reached: the book server's own progress.
    let book_port = book.url.rsplit(':').next().unwrap_or_default().to_owned();
    let (status, answer) = try_it(
        &book,
        &json!({"base": format!("http://[::1]:{book_port}"), "method": "GET",
                "path": "/__restlings/version"}),
    );
    // The book listens on 127.0.0.1 only, so ::1 finds nobody: still no refusal.
    assert_ne!(
        status, 403,
        "::1 is loopback: the proxy must not refuse it, got {answer}"
    );
    let (status, answer) = try_it(
        &book,
        &json!({"base": book.url, "method": "GET", "path": "/__restlings/version",
                "headers": [["Accept", "application/json"]]}),
    );
    assert_eq!(
        status, 200,
        "the proxy must reach a loopback server: {answer}"
    );
    assert_eq!(
        answer["status"], 200,
        "the forwarded GET answered 200: {answer}"
    );
    assert!(
        answer["curl"]
            .as_str()
            .is_some_and(|curl| curl.starts_with("curl -i -H 'Accept: application/json' ")),
        "the answer carries the curl line: {answer}"
    );
}

/// The build's version, as the page polls it.
fn version(book: &BookServer) -> u64 {
    let mut response = agent()
        .get(book.at("/__restlings/version"))
        .call()
        .expect("the version endpoint answers");
    let text = response.body_mut().read_to_string().unwrap_or_default();
    let version: Value = serde_json::from_str(&text).expect("the version is JSON");
    version["version"]
        .as_u64()
        .unwrap_or_else(|| panic!("no version in {text}"))
}

#[test]
fn saving_a_page_rebuilds_the_book_and_moves_its_version_on() {
    let (_dir, state) = state_dir();
    let book = BookServer::start(&state);
    let before = version(&book);

    // Act: "save" the glossary (its content unchanged, its time new).
    let page = root().join("book/src/glossary.md");
    std::fs::File::options()
        .append(true)
        .open(&page)
        .and_then(|file| file.set_modified(std::time::SystemTime::now()))
        .expect("the page's time can be set");

    // Assert: the page's script sees a new version, and reloads.
    let started = Instant::now();
    while version(&book) == before {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "20 s after {} changed, the book's version is still {before}: the server did not \
             rebuild, so an open page would not reload",
            page.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
