//! Bearer authentication (RFC 6750): when the service has an API key, every
//! request but the health check must carry `Authorization: Bearer <key>`.
//!
//! The health check stays open because the machines that call it, load
//! balancers and orchestrators, hold no credentials, and because it tells a
//! caller nothing but "up".

use std::sync::{Arc, LazyLock};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shop::problem::Problem;

use crate::config::ApiKey;
use crate::logs::{Throttle, WRONG_KEY_INTERVAL, shorten};

/// The path that answers without credentials.
pub const HEALTH_PATH: &str = "/health";

/// The wrong keys that get a log line. One for the whole process, as there is
/// one log: a flood spread over several apps is still one flood on stderr.
static WRONG_KEYS: LazyLock<Throttle> = LazyLock::new(|| Throttle::new(WRONG_KEY_INTERVAL));

// ANCHOR: middleware
/// Lets the request through when it carries the key, or when it is the health
/// check; answers 401 otherwise. It runs before routing, so an unknown path
/// gets 401 too: without the key, a caller cannot even learn which paths exist.
pub async fn require_api_key(
    State(key): State<Arc<ApiKey>>,
    request: Request,
    next: Next,
) -> Response {
    if is_health_check(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    // RFC 9110 §5.3: a sender must not repeat a field that is not a list,
    // and Authorization is not one. Two of them are two credentials: reading
    // the first, as `headers.get` does, lets a proxy that reads the last one
    // and this service disagree on who is calling. Refuse the request, as
    // chapter 8 refuses two Idempotency-Keys.
    if request
        .headers()
        .get_all(header::AUTHORIZATION)
        .iter()
        .nth(1)
        .is_some()
    {
        return repeated_authorization();
    }
    match check(request.headers(), &key) {
        Ok(()) => next.run(request).await,
        Err(error) => {
            let (method, path) = (request.method().as_str(), request.uri().path());
            // A missing key is routine (a client not set up yet); a wrong one
            // may be someone guessing, which an operator wants to see, but
            // not 50,000 times a second: the first at once, then one line per
            // interval that counts the others. What the client sent is
            // shortened, so that no request makes a long line.
            match error {
                AuthError::WrongCredentials => {
                    if let Some(suppressed) = WRONG_KEYS.admit() {
                        tracing::warn!(
                            method = %shorten(method),
                            path = %shorten(path),
                            suppressed,
                            "refused: wrong API key"
                        );
                    }
                }
                AuthError::MissingCredentials => {
                    tracing::debug!(
                        method = %shorten(method),
                        path = %shorten(path),
                        "refused: no API key"
                    )
                }
            }
            error.into_response()
        }
    }
}

/// 400 for a request with more than one `Authorization` header: a malformed
/// request, which RFC 6750 §3.1 calls `invalid_request` ("uses more than one
/// method for including an access token"), not a wrong key.
fn repeated_authorization() -> Response {
    let mut response = Problem {
        status: StatusCode::BAD_REQUEST,
        detail: "send one Authorization header: this request has more than one, so it names \
                 more than one caller"
            .to_owned(),
    }
    .into_response();
    let challenge = HeaderValue::from_static("Bearer realm=\"shop\", error=\"invalid_request\"");
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, challenge);
    response
}

/// GET (and HEAD, its body-less twin) of the health path.
fn is_health_check(method: &Method, path: &str) -> bool {
    // ANCHOR: exercise // TODO: true for GET and HEAD (compare with `Method::GET`, `Method::HEAD`)
    // ANCHOR: exercise //     of exactly `HEALTH_PATH`; false for any other method or path.
    // ANCHOR: exercise todo!("is this the health check?")
    (method == Method::GET || method == Method::HEAD) && path == HEALTH_PATH
    // ANCHOR_END: exercise
}
// ANCHOR_END: middleware

// ANCHOR: check
/// `Ok` when the headers carry `key` as a bearer token.
pub fn check(headers: &HeaderMap, key: &ApiKey) -> Result<(), AuthError> {
    // ANCHOR: exercise // TODO: no bearer token (`bearer_token(headers)` is `None`) is
    // ANCHOR: exercise //     `AuthError::MissingCredentials`; a token that `key.matches` is `Ok(())`;
    // ANCHOR: exercise //     any other token is `AuthError::WrongCredentials`.
    // ANCHOR: exercise todo!("check the bearer token against the key")
    let token = bearer_token(headers).ok_or(AuthError::MissingCredentials)?;
    if key.matches(token) {
        Ok(())
    } else {
        Err(AuthError::WrongCredentials)
    }
    // ANCHOR_END: exercise
}

/// The token in `Authorization: Bearer <token>`, or `None` when there is no
/// such header, another scheme (`Basic …`), or no token. The scheme's name is
/// case-insensitive (RFC 9110 §11.1); the token is not.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    // ANCHOR: exercise // TODO: read `headers.get(header::AUTHORIZATION)` as text (`.to_str().ok()`),
    // ANCHOR: exercise //     split it once at the first space (`.split_once(' ')`) into scheme and
    // ANCHOR: exercise //     token, and return the trimmed token when the scheme is "bearer" in any
    // ANCHOR: exercise //     case (`eq_ignore_ascii_case`) and the token is not empty. `?` on an
    // ANCHOR: exercise //     `Option` returns `None` early.
    // ANCHOR: exercise todo!("find the token of Authorization: Bearer <token>")
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    // ANCHOR_END: exercise
}
// ANCHOR_END: check

// ANCHOR: auth_error
/// Why a request was refused. The shop's `ApiError` knows nothing of keys, so
/// the 401s have their own error, which leaves as the same RFC 9457 problem.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("this endpoint needs the API key: send it as the header `Authorization: Bearer <key>`")]
    MissingCredentials,
    #[error("the API key in the Authorization header is not the right one")]
    WrongCredentials,
}

/// A 401 problem, with the status's reason phrase as its title and the
/// message as its `detail`, plus the challenge.
impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let mut response = Problem {
            status: StatusCode::UNAUTHORIZED,
            detail: self.to_string(),
        }
        .into_response();
        // A 401 must say which credentials would work (RFC 9110 §11.6.1).
        // ANCHOR: exercise // TODO: insert the header `header::WWW_AUTHENTICATE` into
        // ANCHOR: exercise //     `response.headers_mut()`. RFC 6750 §3.1: with no credentials at
        // ANCHOR: exercise //     all (`AuthError::MissingCredentials`), `Bearer realm="shop"`;
        // ANCHOR: exercise //     with a wrong key, `Bearer realm="shop", error="invalid_token"`.
        // ANCHOR: exercise //     Build it with `HeaderValue::from_static(...)`.
        // ANCHOR: exercise todo!("add the WWW-Authenticate: Bearer challenge");
        // ANCHOR: exercise #[allow(unreachable_code)]
        // RFC 6750 §3.1: no error code when no credentials came at all,
        // `invalid_token` when the token is wrong.
        let challenge = match self {
            AuthError::MissingCredentials => HeaderValue::from_static("Bearer realm=\"shop\""),
            AuthError::WrongCredentials => {
                HeaderValue::from_static("Bearer realm=\"shop\", error=\"invalid_token\"")
            }
        };
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
        // ANCHOR_END: exercise
        response
    }
}
// ANCHOR_END: auth_error
