//! Chapter 10, Deploy: configuration, authentication and the manifest, checked.
//! Read `book/src/10_deploy.md` for the table these tests follow.
//!
//! - Configuration: `Config::from_vars` is a pure function of the variables,
//!   so every bad value is tried without touching the process environment;
//!   then the real binary is started with a few of them.
//! - Authentication, over real HTTP: the health check is open, everything else
//!   answers 401 without the key or with a wrong one, and works with it.
//! - The manifest: `deploy.toml` is valid (the same checks as `restlings
//!   deploy`), and declares exactly the endpoints the app serves.
//!
//! URL mode (`RESTLINGS_BASE_URL`): the tests cannot set your server's
//! environment, so start it with `API_KEY=<key>` and give the tests the same
//! key as `RESTLINGS_API_KEY=<key>`. Without `RESTLINGS_API_KEY` the tests that
//! need a key print `SKIPPED:` and pass; the open-API test runs only then. The
//! configuration and startup tests check this crate's own code, so they print
//! `SKIPPED:` in URL mode.
//!
//! The tests live in `deploy/config.rs`, `deploy/auth.rs` and
//! `deploy/manifest.rs`; this file holds what they share.

#[path = "deploy/auth.rs"]
mod auth;
#[path = "deploy/config.rs"]
mod config;
#[path = "deploy/logs.rs"]
mod logs;
#[path = "deploy/manifest.rs"]
mod manifest;

use kit::Method;

pub const CHAPTER: &str = "10_deploy";
/// The key of the in-process server.
pub const KEY: &str = "test-key-5c1f0b2e9a";
/// The variable that gives the tests the key of a server in URL mode.
pub const KEY_VAR: &str = "RESTLINGS_API_KEY";

/// The contract's endpoints, as `deploy.toml` declares them.
pub const CONTRACT: [(&str, &str); 10] = [
    ("GET", "/health"),
    ("GET", "/products"),
    ("POST", "/products"),
    ("GET", "/products/{id}"),
    ("PUT", "/products/{id}"),
    ("DELETE", "/products/{id}"),
    ("GET", "/optimizations/today"),
    ("POST", "/predictions"),
    ("POST", "/orders"),
    ("GET", "/orders/{id}"),
];

/// Every request that must carry the key: each endpoint but the health
/// check, plus paths and methods that do not exist, which must not tell a
/// caller without the key that they do not exist. `{id}` becomes 0, an id no
/// resource has, so that even with the key these requests change nothing.
pub fn guarded_requests() -> Vec<(Method, String)> {
    let mut requests: Vec<(Method, String)> = CONTRACT
        .iter()
        .filter(|(_, path)| *path != "/health")
        .map(|(method, path)| {
            let method =
                Method::from_bytes(method.as_bytes()).expect("the contract's methods are valid");
            (method, path.replace("{id}", "0"))
        })
        .collect();
    requests.push((Method::GET, "/no-such-endpoint".to_owned()));
    requests.push((Method::POST, "/health".to_owned()));
    requests
}

pub fn url_mode() -> bool {
    std::env::var_os(kit::BASE_URL_VAR).is_some_and(|url| !url.is_empty())
}

/// In URL mode, tests of this crate's own code have nothing to check.
pub fn skip_in_url_mode(what: &str) -> bool {
    if url_mode() {
        println!(
            "SKIPPED: {what} checks this crate's own code; URL mode tests the server at {}",
            kit::BASE_URL_VAR
        );
    }
    url_mode()
}
