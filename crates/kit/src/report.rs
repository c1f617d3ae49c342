//! Failure reports: the lesson a learner reads when a check fails.
//!
//! This module is the bottom of the kit's request flow: it holds the plain
//! records of a request (`Sent`), its answer (`Received`) and the test's
//! settings (`Context`), and imports nothing of `call` or `exchange`, which
//! build on it.

use std::fmt::Write;
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

/// The full report of a failed check: expected and got, why it matters, the
/// exchange, a curl line and the book page.
pub(crate) fn render(
    context: &Context,
    sent: &Sent,
    received: &Received,
    expected: &str,
    actual: &str,
    why: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n──── {} {} ────", sent.method, sent.path);
    let body = String::from_utf8_lossy(&received.body);
    if received.status.as_u16() == 500
        && let Some(message) = body.strip_prefix(PANIC_PREFIX)
    {
        let _ = writeln!(
            out,
            "Your handler panicked: {message}\n\
             If that is a todo!(), this is the spot to write next.\n"
        );
    }
    let _ = writeln!(out, "Expected: {}", indent_rest(expected));
    let _ = writeln!(out, "Got:      {}", indent_rest(actual));
    let _ = writeln!(out, "\nWhy: {why}");
    let _ = writeln!(out, "\nRequest:");
    write_request(&mut out, sent);
    let _ = writeln!(out, "Response:");
    let _ = writeln!(out, "  {}", received.status);
    for (name, value) in &received.headers {
        if name == "date" {
            continue;
        }
        let _ = writeln!(out, "  {name}: {}", value.to_str().unwrap_or("<not text>"));
    }
    let _ = writeln!(out, "{}", show_body(&received.body));
    write_footer(&mut out, context, sent);
    out
}

/// The request never got a complete answer: refused, reset or timed out.
pub(crate) fn transport_failure(context: &Context, sent: &Sent, error: &reqwest::Error) -> ! {
    let mut out = String::new();
    let _ = writeln!(out, "\n──── {} {}: no answer ────", sent.method, sent.path);
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
    write_footer(&mut out, context, sent);
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

fn write_footer(out: &mut String, context: &Context, sent: &Sent) {
    let _ = writeln!(out, "\nReplay it with curl:\n  {}", curl(sent));
    if !context.url_mode {
        let _ = writeln!(
            out,
            "  (The test's own server stopped when the test ended: point curl at a \
             server you run, or set RESTLINGS_BASE_URL to test one.)"
        );
    }
    let chapter = context.chapter;
    let _ = writeln!(
        out,
        "\nRead: book/src/{chapter}.md (or run `mdbook serve book` and open \
         http://localhost:3000/{chapter}.html)"
    );
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
pub(crate) fn curl(sent: &Sent) -> String {
    let mut line = if sent.method == Method::HEAD {
        "curl -I".to_owned()
    } else {
        format!("curl -i -X {}", sent.method)
    };
    let _ = write!(line, " {}", shell_quote(&sent.url));
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
/// by the first `TestApp`.
pub(crate) fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or("<unnamed>");
            let message = info
                .payload_as_str()
                .unwrap_or("(a panic without a message)");
            match info.location() {
                Some(location) => eprintln!("\nthread '{name}' panicked at {location}:\n{message}"),
                None => eprintln!("\nthread '{name}' panicked:\n{message}"),
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

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
