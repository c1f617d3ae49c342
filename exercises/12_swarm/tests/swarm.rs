//! Chapter 12, Replicas and rolling updates: the shop on Docker Swarm.
//! Read `book/src/12_swarm.md` for the contract these tests follow.
//!
//! Three kinds of checks, the cheapest first:
//!
//! 1. `swarm/retry.rs`: the client's retry rule in `src/lib.rs`, a pure
//!    function, tried on every kind of outcome.
//! 2. `swarm/stack.rs`: `stack.yml` read as YAML and checked field by field:
//!    the replicas, the health check, the rolling update, the grace period,
//!    the secret, the volume, the proxy's config and port. No engine needed.
//! 3. `swarm/live.rs`: where `docker info` answers, the real thing on a
//!    one-node swarm: deploy the stack, wait for 3 healthy replicas, run a
//!    smoke suite through the proxy, roll out a new image version under a
//!    stream of orders, kill a replica, then remove everything. Without an
//!    engine it prints `SKIPPED: …` and passes; with
//!    `RESTLINGS_REQUIRE_CONTAINER=1` (CI) it fails instead.

#[path = "swarm/live.rs"]
mod live;
#[path = "swarm/retry.rs"]
mod retry;
#[path = "swarm/stack.rs"]
mod stack;

use std::path::PathBuf;

pub const CHAPTER: &str = "12_swarm";
pub const BOOK: &str = "book/src/12_swarm.md";

/// This crate's folder: the exercise's, or the solution's when it runs these tests.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The course's root, the build context of the shop's image.
pub fn course_root() -> PathBuf {
    let root = crate_dir().join("../..");
    std::fs::canonicalize(&root).unwrap_or(root)
}

/// Writes straight to the terminal, past libtest's capture, so the swarm's
/// progress and figures show in every log, CI's included.
pub fn announce(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "[{CHAPTER}] {text}");
}
