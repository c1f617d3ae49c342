//! A request and its response, with checks that explain themselves.

use std::fmt::Display;

use reqwest::StatusCode;
use serde_json::Value;

use crate::report::{self, Context, Place, Received, Sent};

/// One finished request/response pair. Every `expect_*` check takes a `why`:
/// the HTTP promise in a sentence or two, printed when the check fails.
#[derive(Debug)]
pub struct Exchange {
    context: Context,
    place: Place,
    sent: Sent,
    received: Received,
}

impl Exchange {
    pub(crate) fn new(context: Context, place: Place, sent: Sent, received: Received) -> Exchange {
        Exchange {
            context,
            place,
            sent,
            received,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.received.status
    }

    /// A response header, if present and readable as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.received
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
    }

    /// Every value of a response header that may repeat, such as `Allow`.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.received
            .headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect()
    }

    /// A header as a report's "Got:" line names it: `location: /products/4/`,
    /// or `no location header`. Values of a repeated header are joined with
    /// `, `.
    pub fn header_line(&self, name: &str) -> String {
        let values = self.header_all(name);
        if values.is_empty() {
            format!("no {name} header")
        } else {
            format!("{}: {}", name.to_ascii_lowercase(), values.join(", "))
        }
    }

    pub fn body(&self) -> &[u8] {
        &self.received.body
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.received.body).into_owned()
    }

    /// Fails the test unless the status is `expected`.
    #[track_caller]
    pub fn expect_status(&self, expected: StatusCode, why: &str) -> &Exchange {
        if self.received.status != expected {
            self.fail(
                format!("status {expected}"),
                format!("status {}", self.received.status),
                why,
            );
        }
        self
    }

    /// Fails the test unless `name` is present and equal to `expected`.
    #[track_caller]
    pub fn expect_header(&self, name: &str, expected: &str, why: &str) -> &Exchange {
        match self.header(name) {
            Some(actual) if actual == expected => self,
            Some(actual) => self.fail(
                format!("header {name}: {expected}"),
                format!("header {name}: {actual}"),
                why,
            ),
            None => self.fail(
                format!("header {name}: {expected}"),
                format!("no {name} header"),
                why,
            ),
        }
    }

    /// The `Location` header as a path on this server. RFC 9110 §10.2.2
    /// allows a relative reference (`/products/4`) or an absolute URL
    /// (`http://127.0.0.1:8000/products/4`, what FastAPI's `url_for` gives):
    /// an absolute one on the server the request went to is resolved to its
    /// path. An absolute URL elsewhere, or no header, is `None`.
    pub fn location(&self) -> Option<String> {
        let location = self.header("location")?;
        if location.starts_with('/') {
            return Some(location.to_owned());
        }
        let base = self.sent.url.strip_suffix(self.sent.path.as_str())?;
        let path = location.strip_prefix(base)?;
        path.starts_with('/').then(|| path.to_owned())
    }

    /// Fails the test unless `Location` names `path` on this server, as a
    /// path or as an absolute URL (see [`Exchange::location`]).
    #[track_caller]
    pub fn expect_location(&self, path: &str, why: &str) -> &Exchange {
        let expected =
            format!("header location: {path} (or the same as an absolute URL on this server)");
        match (self.header("location"), self.location()) {
            (_, Some(found)) if found == path => self,
            (Some(actual), _) => self.fail(expected, format!("header location: {actual}"), why),
            (None, _) => self.fail(expected, "no Location header", why),
        }
    }

    /// The body parsed as JSON. Fails the test unless the response says it is
    /// JSON (`application/json`, or a `+json` type such as
    /// `application/problem+json`) and the body parses.
    #[track_caller]
    pub fn json(&self, why: &str) -> Value {
        let content_type = self.header("content-type");
        if !content_type.is_some_and(is_json_media_type) {
            let actual = match content_type {
                Some(value) => format!("Content-Type: {value}"),
                None => "no Content-Type header".to_owned(),
            };
            self.fail(
                "Content-Type: application/json (or another JSON type, such as application/problem+json)",
                actual,
                &format!(
                    "{why}\nA JSON body must also say that it is JSON: the Content-Type header \
                     tells the client how to read the body (RFC 9110 §8.3), and many clients \
                     refuse to parse JSON that is labelled as something else."
                ),
            );
        }
        match serde_json::from_slice(&self.received.body) {
            Ok(value) => value,
            Err(error) => self.fail(
                "a JSON body",
                format!("a body that is not JSON ({error})"),
                why,
            ),
        }
    }

    /// Fails the test unless the body is JSON equal to `expected`. Key order
    /// and whitespace do not matter; values and types do.
    #[track_caller]
    pub fn expect_json(&self, expected: &Value, why: &str) -> &Exchange {
        let actual = self.json(why);
        if &actual != expected {
            self.fail(pretty(expected), pretty(&actual), why);
        }
        self
    }

    /// Fails the test unless `ok`. `expected` says in a few words what a
    /// correct server does, and `actual` what this one did, for the report:
    /// name what was there, such as `"no Location header"` or
    /// `"location: /products/4/"`.
    #[track_caller]
    pub fn expect(
        &self,
        ok: bool,
        expected: impl Display,
        actual: impl Display,
        why: &str,
    ) -> &Exchange {
        if !ok {
            self.fail_with(&expected, &actual, why);
        }
        self
    }

    /// Fails the test with the full report: what came before, what was
    /// expected, what came back, why it matters, the exchange, the replay
    /// script and the book page.
    #[track_caller]
    pub fn fail(&self, expected: impl Display, actual: impl Display, why: &str) -> ! {
        self.fail_with(&expected, &actual, why)
    }

    // Not generic, so that the report's code is compiled once, in the kit.
    #[track_caller]
    fn fail_with(&self, expected: &dyn Display, actual: &dyn Display, why: &str) -> ! {
        let report = report::render(
            &self.context,
            &self.place,
            &self.sent,
            &self.received.shown(),
            &expected.to_string(),
            &actual.to_string(),
            why,
        );
        panic!("{report}");
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// `application/json` or `application/<anything>+json`, with or without
/// parameters such as `; charset=utf-8`, in any letter case.
fn is_json_media_type(value: &str) -> bool {
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::is_json_media_type;

    #[test]
    fn json_media_types_are_recognised_with_parameters_and_any_case() {
        for value in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/problem+json",
        ] {
            assert!(is_json_media_type(value), "{value} is a JSON media type");
        }
        for value in [
            "text/plain",
            "text/json",
            "application/jsonp",
            "application/xml",
            "",
        ] {
            assert!(
                !is_json_media_type(value),
                "{value:?} is not a JSON media type"
            );
        }
    }
}
