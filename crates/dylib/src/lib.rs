//! The course's heavy dependencies, linked into one shared library: see
//! Cargo.toml. rustc links a dependency into a dylib only when the crate
//! names it, hence the re-exports.

pub use axum;
pub use hyper_util;
pub use reqwest;
pub use serde_json;
pub use tokio;
pub use tower_http;
