//! Checks for RFC 9457 problem details, the error format from chapter 7 on.

use reqwest::StatusCode;
use serde_json::Value;

use crate::exchange::Exchange;

const MEDIA_TYPE_WHY: &str = "RFC 9457 §3: an error body in the problem details format says \
    so with `Content-Type: application/problem+json`, so a client knows how to read it \
    without guessing from the body.";
const MEMBERS_WHY: &str = "RFC 9457 §3.1: a problem is a JSON object whose `title` is a short \
    summary of the kind of problem (a string) and whose `detail` explains this occurrence \
    (a string), so a human can tell what went wrong without reading the server's logs.";
const STATUS_MEMBER_WHY: &str = "RFC 9457 §3.1.2: the `status` member repeats the HTTP status \
    code as a number, and it MUST be the same code as the response's own status. A client \
    that stored the body without the headers still knows what happened.";

impl Exchange {
    /// Fails the test unless the response is an RFC 9457 problem, whatever
    /// its status: `application/problem+json`, a non-empty string `title`
    /// and `detail`, and a `status` member equal to the HTTP status.
    /// Returns the body, for checks of its own.
    #[track_caller]
    pub fn expect_problem_shape(&self) -> Value {
        let content_type = self.header("content-type").unwrap_or_default();
        let media_type = content_type.split(';').next().unwrap_or_default().trim();
        self.expect(
            media_type.eq_ignore_ascii_case("application/problem+json"),
            "Content-Type: application/problem+json",
            match self.header("content-type") {
                Some(value) => format!("Content-Type: {value}"),
                None => "no Content-Type header".to_owned(),
            },
            MEDIA_TYPE_WHY,
        );
        let body = self.json(MEMBERS_WHY);
        let is_text = |member: &str| {
            body[member]
                .as_str()
                .is_some_and(|text| !text.trim().is_empty())
        };
        self.expect(
            body.is_object() && is_text("title"),
            "a JSON object with a non-empty string \"title\"",
            if body.is_object() {
                member(&body, "title")
            } else {
                format!("a JSON {}, not an object", kind(&body))
            },
            MEMBERS_WHY,
        )
        .expect(
            is_text("detail"),
            "a non-empty string \"detail\"",
            member(&body, "detail"),
            MEMBERS_WHY,
        )
        .expect(
            body["status"].as_u64() == Some(u64::from(self.status().as_u16())),
            format!(
                "\"status\": {}, the number of the HTTP status",
                self.status().as_u16()
            ),
            member(&body, "status"),
            STATUS_MEMBER_WHY,
        );
        body
    }

    /// Fails the test unless the status is `status` and the body is an RFC
    /// 9457 problem; returns the body.
    #[track_caller]
    pub fn expect_problem(&self, status: StatusCode, why: &str) -> Value {
        self.expect_status(status, why);
        self.expect_problem_shape()
    }
}

/// A member of a problem as the report's "Got:" line names it.
fn member(body: &Value, name: &str) -> String {
    match body.get(name) {
        Some(value) => format!("\"{name}\": {value}"),
        None => format!("no \"{name}\" member"),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
