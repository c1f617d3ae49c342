// Starting code generated from solutions/07_problem_details/src/problem.rs by `cargo run -- dev sync`.
//! RFC 9457 problem details: the one shape every error response takes.
//!
//! ```json
//! {"type": "about:blank", "title": "Not Found", "status": 404,
//!  "detail": "there is no product with id 42"}
//! ```
//!
//! With `type` left at `about:blank`, RFC 9457 §4.2.1 asks for the status's
//! own reason phrase as `title`, so a `Problem` needs only a status and a detail.
//! The member order does not matter: `serde_json` happens to sort them.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The media type of a problem details body (RFC 9457 §3).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One error, ready to send: the status and a sentence for the human reading it.
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub detail: String,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        // TODO: answer `self.status` with a JSON object of four members:
        //     "type": "about:blank", "title": the status's reason phrase
        //     (`title(self.status)`, below), "status": the
        //     number (`self.status.as_u16()`) and "detail": `self.detail`.
        //     `Json(...)` would label it `application/json`; send the text of
        //     `json!({...})` yourself with the header
        //     `(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))`:
        //     `(status, [(name, value)], body_text).into_response()`.
        todo!("answer with an application/problem+json body")
    }
}

/// The status's reason phrase as RFC 9110 §15 names it. The `http` crate
/// still uses the older names of RFC 7231 for 413 and 422.
fn title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "Content Too Large",
        StatusCode::UNPROCESSABLE_ENTITY => "Unprocessable Content",
        other => other.canonical_reason().unwrap_or("Error"),
    }
}
