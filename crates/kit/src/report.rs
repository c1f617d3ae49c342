//! Failure reports: the lesson a learner reads when a check fails.
//!
//! This module is the bottom of the kit's request flow: it holds the plain
//! records of a request (`Sent`), its answer (`Received`) and the test's
//! settings (`Context`), and imports nothing of `call` or `exchange`, which
//! build on it.

use std::fmt::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use crate::server::PANIC_PREFIX;

const BODY_LIMIT: usize = 600;

/// What a report needs to know about the test that sent the request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Context {
    pub(crate) chapter: &'static str,
    pub(crate) url_mode: bool,
    pub(crate) timeout: Duration,
}

/// What was sent, kept for the failure report.
#[derive(Clone, Debug)]
pub(crate) struct Sent {
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Vec<u8>>,
}

/// What came back: the whole response, read to its end.
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

/// The address of `cargo run -- serve`, where the replay script of an
/// in-process test points: the test's own server is gone by the time a
/// learner reads the report.
pub(crate) const SERVE_URL: &str = "http://127.0.0.1:3000";
/// How many requests the replay script shows at most; a longer test shows
/// its first and its last ones.
const REPLAY_LIMIT: usize = 40;

/// One request a test sent, and how it ended.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    pub(crate) sent: Sent,
    /// `201 Created`, or `no answer`.
    pub(crate) outcome: String,
}

/// Every request of one test, in the order they were sent, shared by the
/// clones of its `TestApp`. A failure report lists the requests before the
/// failing one, and ends with all of them as a replay script.
#[derive(Clone, Debug, Default)]
pub(crate) struct History(Arc<Mutex<Vec<Step>>>);

impl History {
    /// Records a finished request; returns its place in the history.
    pub(crate) fn record(&self, sent: &Sent, outcome: String) -> usize {
        let mut steps = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        steps.push(Step {
            sent: sent.clone(),
            outcome,
        });
        steps.len() - 1
    }

    fn steps(&self) -> Vec<Step> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Where a report's request sits in its test: the history and the place.
#[derive(Clone, Debug)]
pub(crate) struct Place {
    pub(crate) history: History,
    pub(crate) index: usize,
}

/// The response, as the report shows it.
pub(crate) struct Shown<'a> {
    /// The lines under `Response:`, already indented.
    pub(crate) text: String,
    /// The message of a handler's panic, when the kit's server caught one.
    pub(crate) panic: Option<&'a str>,
}

impl Received {
    /// The response as a report shows it: status, headers but `date`, body.
    pub(crate) fn shown(&self) -> Shown<'_> {
        let mut text = format!("  {}\n", self.status);
        for (name, value) in &self.headers {
            if name == "date" {
                continue;
            }
            let _ = writeln!(text, "  {name}: {}", value.to_str().unwrap_or("<not text>"));
        }
        let _ = write!(text, "{}", show_body(&self.body));
        let panic = if self.status.as_u16() == 500 {
            std::str::from_utf8(&self.body)
                .ok()
                .and_then(|body| body.strip_prefix(PANIC_PREFIX))
        } else {
            None
        };
        Shown { text, panic }
    }
}

/// The full report of a failed check: what came before, expected and got,
/// why it matters, the exchange, the replay script and the book page.
pub(crate) fn render(
    context: &Context,
    place: &Place,
    sent: &Sent,
    response: &Shown<'_>,
    expected: &str,
    actual: &str,
    why: &str,
) -> String {
    let steps = place.history.steps();
    let mut out = String::new();
    let _ = writeln!(out, "\n──── {} {} ────", sent.method, sent.path);
    write_before(&mut out, &steps, place.index);
    if let Some(message) = response.panic {
        let _ = writeln!(out, "Your handler panicked: {message}");
        if message.starts_with(TODO_PREFIX) {
            let _ = writeln!(out, "That is a todo!(): this is the spot to write next.");
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "Expected: {}", indent_rest(expected));
    let _ = writeln!(out, "Got:      {}", indent_rest(actual));
    let _ = writeln!(out, "\nWhy: {why}");
    let _ = writeln!(out, "\nRequest:");
    write_request(&mut out, sent);
    let _ = writeln!(out, "Response:\n{}", response.text);
    write_footer(&mut out, context, &steps, place.index);
    out
}

/// What `todo!("…")` panics with.
const TODO_PREFIX: &str = "not yet implemented";

/// "Before this:", one line for each earlier request of the test, so that a
/// failure that depends on state a test created first says so.
fn write_before(out: &mut String, steps: &[Step], index: usize) {
    let before = &steps[..index.min(steps.len())];
    if before.is_empty() {
        return;
    }
    let _ = writeln!(out, "Before this:");
    let skipped = before.len().saturating_sub(REPLAY_LIMIT);
    if skipped > 0 {
        let _ = writeln!(
            out,
            "  … {skipped} earlier requests (in the replay script below)"
        );
    }
    for step in &before[skipped..] {
        let _ = writeln!(
            out,
            "  {} {} → {}",
            step.sent.method, step.sent.path, step.outcome
        );
    }
    let _ = writeln!(out);
}

/// The request never got a complete answer: refused, reset or timed out.
pub(crate) fn transport_failure(
    context: &Context,
    history: &History,
    sent: &Sent,
    error: &reqwest::Error,
) -> ! {
    let index = history.record(sent, "no answer".to_owned());
    let steps = history.steps();
    let mut out = String::new();
    let _ = writeln!(out, "\n──── {} {}: no answer ────", sent.method, sent.path);
    write_before(&mut out, &steps, index);
    let chain = error_chain(error);
    let diagnosis = if error.is_timeout() {
        format!(
            "The server did not answer within {} s.\n\
             Likely causes: a handler stuck in a loop, a deadlock (a lock held while \
             waiting for the same lock, or a std::sync::Mutex guard held across .await), \
             or a server busy with something else.",
            context.timeout.as_secs()
        )
    } else if error.is_connect() {
        if context.url_mode {
            "Nothing accepted the connection. Is your server running, and on the port \
             in RESTLINGS_BASE_URL? Start it first, then run the tests."
                .to_owned()
        } else {
            "Nothing accepted the connection: the test's server was not listening. \
             It may have crashed while starting."
                .to_owned()
        }
    } else {
        "The connection closed before a full response arrived. The server probably \
         crashed or aborted the request (a panic outside a handler, a process exit, \
         or a response whose Content-Length does not match its body)."
            .to_owned()
    };
    let _ = writeln!(out, "{diagnosis}\nThe client said: {chain}");
    let _ = writeln!(out, "\nRequest:");
    write_request(&mut out, sent);
    write_footer(&mut out, context, &steps, index);
    panic!("{out}");
}

fn write_request(out: &mut String, sent: &Sent) {
    let _ = writeln!(out, "  {} {}", sent.method, sent.url);
    for (name, value) in &sent.headers {
        let _ = writeln!(out, "  {name}: {value}");
    }
    match &sent.body {
        Some(body) => {
            let _ = writeln!(out, "{}", show_body(body));
        }
        None => {
            let _ = writeln!(out, "  (no body)");
        }
    }
}

/// The replay script, every request of the test in order, then the page.
fn write_footer(out: &mut String, context: &Context, steps: &[Step], failed: usize) {
    let chapter = context.chapter;
    if context.url_mode {
        let _ = writeln!(
            out,
            "\nReplay the test, every request in order, against the same server:"
        );
    } else {
        let _ = writeln!(
            out,
            "\nReplay the test, every request in order, against your code: run \
             `cargo run -- serve {chapter}` from the course's root, then paste"
        );
    }
    let shown: Vec<(usize, &Step)> = if steps.len() > REPLAY_LIMIT {
        let tail = REPLAY_LIMIT / 2;
        let mut picked: Vec<(usize, &Step)> =
            steps.iter().enumerate().take(REPLAY_LIMIT - tail).collect();
        picked.extend(steps.iter().enumerate().skip(steps.len() - tail));
        picked
    } else {
        steps.iter().enumerate().collect()
    };
    let mut previous = None;
    for (index, step) in shown {
        if previous.is_some_and(|last| index > last + 1) {
            let _ = writeln!(
                out,
                "  # … {} more requests of the test, left out here",
                index - previous.unwrap_or(0) - 1
            );
        }
        previous = Some(index);
        let line = curl_to(&step.sent, &replay_url(context, &step.sent));
        if index == failed {
            let _ = writeln!(out, "  {line}  # the request that failed");
        } else {
            let _ = writeln!(out, "  {line}");
        }
    }
    let _ = writeln!(
        out,
        "\nRead: book/src/{chapter}.md (or run `cargo run -- book` and open \
         http://127.0.0.1:3001/{chapter}.html)"
    );
}

/// Where a replayed request goes: the same server in URL mode, else the
/// address of `cargo run -- serve`, the test's own server being gone.
fn replay_url(context: &Context, sent: &Sent) -> String {
    if context.url_mode {
        sent.url.clone()
    } else {
        format!("{SERVE_URL}{}", sent.path)
    }
}

fn show_body(body: &[u8]) -> String {
    if body.is_empty() {
        return "  (empty body)".to_owned();
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return format!("  ({} bytes that are not UTF-8 text)", body.len());
    };
    let shown: String = text.chars().take(BODY_LIMIT).collect();
    let cut = if shown.len() < text.len() {
        format!("… ({} bytes in all)", body.len())
    } else {
        String::new()
    };
    format!("  {}{cut}", indent_rest(&shown))
}

/// The request as a shell command a learner can paste.
#[cfg(test)]
pub(crate) fn curl(sent: &Sent) -> String {
    curl_to(sent, &sent.url)
}

/// The request as a shell command, sent to `url`.
fn curl_to(sent: &Sent, url: &str) -> String {
    let mut line = if sent.method == Method::HEAD {
        "curl -I".to_owned()
    } else {
        format!("curl -i -X {}", sent.method)
    };
    let _ = write!(line, " {}", shell_quote(url));
    for (name, value) in &sent.headers {
        let _ = write!(line, " -H {}", shell_quote(&format!("{name}: {value}")));
    }
    if let Some(body) = &sent.body {
        match std::str::from_utf8(body) {
            Ok(text) if text.len() <= 2_000 => {
                let _ = write!(line, " --data-binary {}", shell_quote(text));
            }
            _ => {
                let _ = write!(
                    line,
                    " --data-binary @body.bin  # a {}-byte body",
                    body.len()
                );
            }
        }
    }
    line
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn indent_rest(text: &str) -> String {
    text.replace('\n', "\n  ")
}

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    parts.join(": ")
}

/// Makes every panic print as its message and location, never with a
/// backtrace, whatever `RUST_BACKTRACE` says: many learners have it set, and
/// a failure report under 30 frames of tokio reads as a crash, not a lesson.
/// The location is the test's own line (the checks are `#[track_caller]`),
/// or the learner's `todo!()` for a handler that panicked. Installed once,
/// by the first `TestApp`; tests that need no `TestApp`, such as chapter 1's
/// client tests, call it themselves before their first step.
pub fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or("<unnamed>");
            let message = info
                .payload_as_str()
                .unwrap_or("(a panic without a message)");
            match info.location() {
                Some(location) => eprintln!(
                    "\nthread '{name}' panicked at {}:{}:{}:\n{message}",
                    tidy_path(location.file()),
                    location.line(),
                    location.column()
                ),
                None => eprintln!("\nthread '{name}' panicked:\n{message}"),
            }
        }));
    });
}

/// A chapter's tests are a module of its library, declared in `src/lib.rs`
/// with `#[path = "../tests/..."]`, so rustc names their file
/// `exercises/03_get/src/../tests/get.rs`. The learner reads, and opens,
/// `exercises/03_get/tests/get.rs`.
fn tidy_path(file: &str) -> std::borrow::Cow<'_, str> {
    if file.contains("src/../tests/") {
        file.replacen("src/../tests/", "tests/", 1).into()
    } else {
        file.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_modules_path_reads_as_the_file_in_tests() {
        assert_eq!(
            tidy_path("exercises/03_get/src/../tests/get.rs"),
            "exercises/03_get/tests/get.rs",
            "the panic location must name the test file as the learner sees it"
        );
        assert_eq!(
            tidy_path("exercises/03_get/src/lib.rs"),
            "exercises/03_get/src/lib.rs",
            "other paths stay as rustc gives them"
        );
    }

    fn sent(method: Method, body: Option<&str>) -> Sent {
        Sent {
            method,
            url: "http://127.0.0.1:3000/products".into(),
            path: "/products".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.map(|text| text.as_bytes().to_vec()),
        }
    }

    #[test]
    fn curl_quotes_single_quotes_in_the_body() {
        let line = curl(&sent(Method::POST, Some(r#"{"name":"Bob's"}"#)));
        assert_eq!(
            line,
            r#"curl -i -X POST 'http://127.0.0.1:3000/products' -H 'content-type: application/json' --data-binary '{"name":"Bob'\''s"}'"#,
            "the curl line must survive a paste into a POSIX shell"
        );
    }

    #[test]
    fn curl_uses_dash_capital_i_for_head() {
        let line = curl(&sent(Method::HEAD, None));
        assert!(
            line.starts_with("curl -I "),
            "HEAD is `curl -I`, got {line}"
        );
    }

    #[test]
    fn long_bodies_are_shortened() {
        let body = "x".repeat(BODY_LIMIT * 3);
        let shown = show_body(body.as_bytes());
        assert!(
            shown.len() < BODY_LIMIT + 100 && shown.contains("bytes in all"),
            "a long body is cut and says its size, got {} chars",
            shown.len()
        );
    }
}
