//! How this chapter's failures reach the client: chapter 8's `ApiError`
//! for everything a client can get wrong, plus one thing it cannot, a
//! database that failed. Both leave as RFC 9457 problems (chapter 7).

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shop::ApiError;
use shop::problem::Problem;

// ANCHOR: service_error
/// Everything that can go wrong in a request of this service.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The client's mistake, or the shop's rules: chapter 8's answers.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The database failed or could not be reached. What it said is for
    /// the log, never for the client: it can name tables, columns and hosts.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        match self {
            ServiceError::Api(error) => error.into_response(),
            ServiceError::Database(error) => {
                tracing::error!(%error, "a request failed in the database");
                // No connection to be had (PostgreSQL down, restarting, or
                // every connection busy) is temporary: 503 tells a client or
                // a load balancer to try again. Anything else is our bug.
                let (status, detail) = if is_unavailable(&error) {
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the database is unavailable right now; retry in a moment",
                    )
                } else {
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "the request failed inside the server; its log says why",
                    )
                };
                Problem {
                    status,
                    detail: detail.to_owned(),
                }
                .into_response()
            }
        }
    }
}
// ANCHOR_END: service_error

/// True for the errors that say "no database to talk to", not "the query
/// was wrong".
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    let unavailable_code = |code: &str| {
        // 57P01 admin_shutdown, 57P03 cannot_connect_now, 3D000 no such database.
        ["57P01", "57P03", "3D000"].contains(&code)
    };
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| unavailable_code(&code)),
        _ => false,
    }
}

/// A body axum could not read is chapter 8's problem, unchanged.
impl From<JsonRejection> for ServiceError {
    fn from(rejection: JsonRejection) -> ServiceError {
        ServiceError::Api(rejection.into())
    }
}

impl From<QueryRejection> for ServiceError {
    fn from(rejection: QueryRejection) -> ServiceError {
        ServiceError::Api(rejection.into())
    }
}
