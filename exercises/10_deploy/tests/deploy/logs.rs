//! The log under attack: a client that sends wrong keys in a loop, with long
//! paths, gets a few short lines written, not one long line per request.

use std::io::Read;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use deploy::logs::{MAX_LOGGED_CHARS, Throttle, WRONG_KEY_INTERVAL, shorten};
use kit::{StatusCode, TestApp};

use crate::config::binary;
use crate::{CHAPTER, KEY, skip_in_url_mode};

/// Wrong-key requests in the flood.
const FLOOD: usize = 300;
/// The length of each request's path, in bytes.
const PATH_LEN: usize = 10_000;
/// The longest log line a request may cause: a timestamp, a level, a target,
/// the message and a shortened path fit in it many times over.
const MAX_LINE: usize = 300;

#[test]
fn a_long_path_is_cut_and_control_characters_are_escaped_before_they_are_logged() {
    if skip_in_url_mode("the log test") {
        return;
    }
    let long = format!("/{}", "a".repeat(PATH_LEN));

    let cut = shorten(&long);
    let escaped = shorten("/x\n2026-01-01T00:00:00Z  INFO fake line\u{1b}[31m");

    assert!(
        cut.starts_with("/aaaa") && cut.chars().count() <= MAX_LOGGED_CHARS + 20,
        "a {PATH_LEN}-byte path is logged as its first {MAX_LOGGED_CHARS} characters and how \
         much was left out, so no request makes a long log line. Got {} characters: {cut}",
        cut.chars().count()
    );
    assert!(
        cut.contains(&format!("{} bytes", long.len() - MAX_LOGGED_CHARS)),
        "the shortened path says how many bytes were left out, so the operator knows it was \
         cut. Got: {cut}"
    );
    assert!(
        !escaped.contains('\n') && !escaped.contains('\u{1b}') && escaped.contains("\\n"),
        "a newline or an escape character from a client is written escaped (`\\n`, \
         `\\u{{1b}}`): raw, it would start a fake log line or recolour the operator's \
         terminal. Got: {escaped:?}"
    );
    assert_eq!(
        shorten("/products/1"),
        "/products/1",
        "a short, plain path is logged as it came"
    );
}

#[test]
fn the_throttle_lets_the_first_event_through_then_one_per_interval_with_a_count() {
    if skip_in_url_mode("the log test") {
        return;
    }
    let interval = Duration::from_millis(300);
    let throttle = Throttle::new(interval);

    let first = throttle.admit();
    let burst: Vec<Option<u64>> = (0..99).map(|_| throttle.admit()).collect();
    std::thread::sleep(interval + Duration::from_millis(100));
    let after = throttle.admit();

    assert_eq!(
        first,
        Some(0),
        "the first event is logged at once, with nothing held back before it"
    );
    assert!(
        burst.iter().all(Option::is_none),
        "within the interval every further event is held back, however many come. Got: \
         {burst:?}"
    );
    assert_eq!(
        after,
        Some(99),
        "after the interval one event is logged again, and it says how many were held back \
         since the last line (99), so the operator still learns the size of the attack"
    );
}

#[tokio::test]
async fn a_flood_of_wrong_keys_with_long_paths_writes_a_few_short_log_lines() {
    if skip_in_url_mode("the log test") {
        return;
    }
    // Arrange: the real binary, with a key, logging at the default level.
    let port = kit::free_port();
    let (mut service, stderr) = start(port);
    let app = TestApp::connect(&format!("http://127.0.0.1:{port}"), CHAPTER);
    let path = format!("/{}", "x".repeat(PATH_LEN - 1));

    // Act
    let started = Instant::now();
    for _ in 0..FLOOD {
        let res = app
            .get(&path)
            .header("authorization", "Bearer wrong-key")
            .await;
        res.expect_status(
            StatusCode::UNAUTHORIZED,
            "a wrong key is answered 401, however many times it comes",
        );
    }
    let elapsed = started.elapsed();
    let _ = service.kill();
    let _ = service.wait();
    let log = stderr.join().unwrap_or_default();

    // Assert
    let lines: Vec<&str> = log.lines().collect();
    // The startup line, the first wrong key, and one per whole interval after.
    let allowed = 2 + (elapsed.as_secs() / WRONG_KEY_INTERVAL.as_secs()) as usize;
    assert!(
        lines.len() <= allowed,
        "{FLOOD} wrong keys in {elapsed:.1?} must not write a line each: an attacker would \
         fill the disk and bury the lines that matter. Log the first at once, then at most \
         one line per {WRONG_KEY_INTERVAL:?} that counts the others. Expected at most \
         {allowed} lines; got {}:\n{}",
        lines.len(),
        excerpt(&log)
    );
    let longest = lines.iter().map(|line| line.chars().count()).max();
    assert!(
        longest.unwrap_or(0) <= MAX_LINE,
        "a {PATH_LEN}-byte path must not make a {PATH_LEN}-byte log line: shorten what the \
         client sent (`logs::shorten`). Expected lines of at most {MAX_LINE} characters; got \
         {longest:?}:\n{}",
        excerpt(&log)
    );
    assert!(
        lines.iter().any(|line| line.contains("wrong API key")),
        "the operator must still see that wrong keys came: the first one is logged. Got:\n{}",
        excerpt(&log)
    );
}

/// Starts the binary on `port` with the key, and waits until it accepts
/// connections. The thread returns all it wrote to stderr once it stops; it
/// reads as the service writes, so a full pipe never blocks the service.
fn start(port: u16) -> (Child, JoinHandle<String>) {
    let binary = binary();
    let mut child = Command::new(&binary)
        .env_clear()
        .env("PORT", port.to_string())
        .env("API_KEY", KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
    let mut pipe = child.stderr.take().expect("stderr was piped");
    let stderr = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            let printed = stderr.join().unwrap_or_default();
            panic!(
                "the binary, started with PORT={port} and API_KEY set, exited with {status} \
                 before it listened. It printed:\n{printed}"
            );
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("the binary did not listen on port {port} within 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, stderr)
}

/// The first lines of a log, each cut to a readable length.
fn excerpt(log: &str) -> String {
    let mut shown: Vec<String> = log
        .lines()
        .take(5)
        .map(|line| match line.char_indices().nth(200) {
            Some((at, _)) => format!("    {}… ({} characters)", &line[..at], line.chars().count()),
            None => format!("    {line}"),
        })
        .collect();
    let more = log.lines().count().saturating_sub(5);
    if more > 0 {
        shown.push(format!("    … and {more} more lines"));
    }
    shown.join("\n")
}
