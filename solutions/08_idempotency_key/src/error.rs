//! Every way a request can fail, and how each failure reaches the client:
//! always as an RFC 9457 problem, whether our code or axum noticed it.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::MAX_CLIENT_ID;
use crate::problem::Problem;

/// The largest request body the service reads: 64 KiB. Anything bigger is
/// refused with 413 before it is buffered, so a client cannot fill our memory.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

// ANCHOR: api_error
/// Everything that can go wrong in this service, and the status each one means.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("ids are positive integers, and {0:?} is not one")]
    InvalidId(String),
    #[error("there is no product with id {0}")]
    ProductNotFound(u64),
    #[error("send the body as JSON, with the header Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("the JSON does not have the expected fields and types: {0}")]
    WrongShape(String),
    #[error("{field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: String,
    },
    #[error("the body is larger than {MAX_BODY_BYTES} bytes, the most this service reads")]
    PayloadTooLarge,
    #[error("the body could not be read to the end; send the request again")]
    UnreadableBody,
    #[error("the query string could not be read: {0}")]
    InvalidQuery(String),
    #[error("there is no endpoint at {0}")]
    NoSuchRoute(String),
    #[error("{path} does not support {method}; the Allow header lists the methods it does")]
    MethodNotAllowed { method: Method, path: String },
    #[error(
        "a client may choose product ids up to {MAX_CLIENT_ID} (2^53 - 1, the largest \
         integer JSON carries safely), and {0} is above that"
    )]
    IdTooLarge(u64),
    #[error("every {0} id has been handed out")]
    IdsExhausted(&'static str),
    #[error("there is no order with id {0}")]
    OrderNotFound(u64),
    #[error(
        "POST /orders needs an Idempotency-Key header: a new value, such as a UUID, for \
         each new order, and the same value again when you retry that order"
    )]
    MissingKey,
    #[error("an Idempotency-Key is one value of 1 to 255 visible ASCII characters, no spaces")]
    InvalidKey,
    #[error("a request with this Idempotency-Key is still being processed; retry in a moment")]
    KeyInFlight,
    #[error(
        "this Idempotency-Key was already used for a different request; a new order needs \
         a new key"
    )]
    KeyReused,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidId(_)
            | ApiError::IdTooLarge(_)
            | ApiError::MalformedJson(_)
            | ApiError::UnreadableBody
            | ApiError::InvalidQuery(_)
            | ApiError::MissingKey
            | ApiError::InvalidKey => StatusCode::BAD_REQUEST,
            ApiError::ProductNotFound(_)
            | ApiError::OrderNotFound(_)
            | ApiError::NoSuchRoute(_) => StatusCode::NOT_FOUND,
            ApiError::KeyInFlight => StatusCode::CONFLICT,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::WrongShape(_) | ApiError::Invalid { .. } | ApiError::KeyReused => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::IdsExhausted(_) => StatusCode::INSUFFICIENT_STORAGE,
        }
    }
}

/// One door out for every error: the status from [`ApiError::status`], the
/// message as the problem's `detail`.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = Problem {
            status: self.status(),
            detail: self.to_string(),
        }
        .into_response();
        if let ApiError::PayloadTooLarge = self {
            // We stopped reading in the middle of the body, so the rest of it
            // is still on the wire: this connection cannot carry another
            // request. Saying so stops the client from reusing it.
            let close = HeaderValue::from_static("close");
            response.headers_mut().insert(header::CONNECTION, close);
        }
        response
    }
}
// ANCHOR_END: api_error

// ANCHOR: rejection
/// axum's `Json` extractor already tells the body mistakes apart; this keeps
/// its verdict and gives it our shape. Serde's own message starts with the
/// path of the field that was wrong, so a 422's `detail` names it.
impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
            JsonRejection::JsonSyntaxError(error) => ApiError::MalformedJson(detail(&error)),
            JsonRejection::JsonDataError(error) => ApiError::WrongShape(detail(&error)),
            // `DefaultBodyLimit` stopped reading: the body is over the limit.
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            // The connection failed mid-body. hyper's own words describe our
            // side of the socket, so they stay here; the client gets the gist.
            _ => ApiError::UnreadableBody,
        }
    }
}

/// What serde said, such as "price_cents: invalid type: string \"cheap\",
/// expected i64 at line 1 column 43", without axum's generic preamble.
fn detail(error: &dyn std::error::Error) -> String {
    match error.source() {
        Some(cause) => cause.to_string(),
        None => error.to_string(),
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::InvalidQuery(rejection.body_text())
    }
}
// ANCHOR_END: rejection

// ANCHOR: path_id
/// The `{id}` of a path such as `/products/{id}`, checked: a positive integer.
/// As an extractor, its rejection is an `ApiError`, so even `/products/%FF`
/// (not UTF-8 once decoded) is answered with a problem, not axum's plain text.
pub struct PathId(pub u64);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<PathId, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|rejection: PathRejection| ApiError::InvalidId(rejection.body_text()))?;
        parse_id(&raw).map(PathId)
    }
}

/// Only plain digits count: `u64::from_str` alone would also take `+5`.
fn parse_id(raw: &str) -> Result<u64, ApiError> {
    let invalid = || ApiError::InvalidId(raw.to_owned());
    if raw.is_empty() || !raw.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(invalid());
    }
    match raw.parse::<u64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(invalid()),
    }
}
// ANCHOR_END: path_id

// ANCHOR: fallbacks
/// `Router::fallback`: no route matches the path at all.
pub async fn route_not_found(uri: Uri) -> ApiError {
    ApiError::NoSuchRoute(uri.path().to_owned())
}

/// `Router::method_not_allowed_fallback`: the path exists, the method does
/// not. axum adds the `Allow` header to whatever this returns.
pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed {
        method,
        path: uri.path().to_owned(),
    }
}
// ANCHOR_END: fallbacks
