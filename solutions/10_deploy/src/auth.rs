//! Bearer authentication (RFC 6750): when the service has an API key, every
//! request but the health check must carry `Authorization: Bearer <key>`.
//!
//! The health check stays open because the machines that call it, load
//! balancers and orchestrators, hold no credentials, and because it tells a
//! caller nothing but "up".

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::ApiError;
use crate::config::ApiKey;

/// The path that answers without credentials.
pub const HEALTH_PATH: &str = "/health";

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
    match check(request.headers(), &key) {
        Ok(()) => next.run(request).await,
        Err(error) => {
            let (method, path) = (request.method(), request.uri().path());
            // A missing key is routine (a client not set up yet); a wrong one
            // may be someone guessing, which an operator wants to see.
            match error {
                ApiError::WrongCredentials => {
                    tracing::warn!(%method, path, "refused: wrong API key")
                }
                _ => tracing::debug!(%method, path, "refused: no API key"),
            }
            error.into_response()
        }
    }
}

/// GET (and HEAD, its body-less twin) of the health path.
fn is_health_check(method: &Method, path: &str) -> bool {
    (method == Method::GET || method == Method::HEAD) && path == HEALTH_PATH
}
// ANCHOR_END: middleware

// ANCHOR: check
/// `Ok` when the headers carry `key` as a bearer token.
pub fn check(headers: &HeaderMap, key: &ApiKey) -> Result<(), ApiError> {
    let token = bearer_token(headers).ok_or(ApiError::MissingCredentials)?;
    if key.matches(token) {
        Ok(())
    } else {
        Err(ApiError::WrongCredentials)
    }
}

/// The token in `Authorization: Bearer <token>`, or `None` when there is no
/// such header, another scheme (`Basic …`), or no token. The scheme's name is
/// case-insensitive (RFC 9110 §11.1); the token is not.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
// ANCHOR_END: check
