//! Chapter 12, Replicas and rolling updates: the shop on Docker Swarm, and
//! the client that keeps working while it is updated.
//!
//! The chapter's artifact is the stack file beside this crate, `stack.yml`:
//! three replicas of the shop behind nginx (configured by `nginx.conf`), one
//! PostgreSQL with a volume, the API key as a swarm secret. This file is the
//! other half of a deploy that loses no request: how a client decides, after
//! each attempt, whether to send the same request again.
//!
//! - a connection that fails, or a `502`, `503` or `504` from the proxy: the
//!   replica went away mid-update; try again, with the same Idempotency-Key;
//! - a `409` for an Idempotency-Key: its first request is still in flight,
//!   perhaps on another replica; try again a little later;
//! - a `429`: too many requests; try again a little later;
//! - anything else is the answer, even a `500` or a `4xx`: sending it again
//!   would get the same.
//!
//! Pauses double from 100 ms up to 2 s, and a request is tried at most
//! [`MAX_ATTEMPTS`] times.
//!
//! Start with `next`, then `pause`, then the marked spots of `stack.yml`. The real
//! swarm test runs where `docker info` answers.
//!
//! Check it: `cargo test` in this directory. Read: `book/src/12_swarm.md`.

// ANCHOR: exercise // Starting code leaves parts unused until you write them.
// ANCHOR: exercise #![allow(unused_variables, clippy::todo)]
// ANCHOR_END: exercise

use std::time::Duration;

/// How many times one request is sent, the first time included.
pub const MAX_ATTEMPTS: u32 = 6;
/// The pause before the second attempt; each later pause is twice the last.
pub const FIRST_PAUSE: Duration = Duration::from_millis(100);
/// No pause is longer than this.
pub const MAX_PAUSE: Duration = Duration::from_secs(2);

/// What one attempt got back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No HTTP answer: the connection was refused, reset or timed out.
    NoAnswer,
    /// An HTTP answer, with its status code.
    Status(u16),
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// The answer is the answer: hand it to the caller.
    Done,
    /// Send the same request again, Idempotency-Key and all, after this pause.
    RetryAfter(Duration),
    /// The last attempt failed too: report the failure.
    GiveUp,
}

// ANCHOR: next
/// What to do after attempt number `attempt` (the first is 1) got `outcome`.
pub fn next(attempt: u32, outcome: Outcome) -> Next {
    // ANCHOR: exercise // TODO: decide from the outcome whether to try again:
    // ANCHOR: exercise //     `Outcome::NoAnswer` and `Outcome::Status(409 | 429 | 502 | 503 | 504)`
    // ANCHOR: exercise //     are worth another attempt; any other status is `Next::Done`.
    // ANCHOR: exercise //     Past `MAX_ATTEMPTS` attempts, a retryable outcome is `Next::GiveUp`;
    // ANCHOR: exercise //     otherwise `Next::RetryAfter(pause(attempt))`.
    // ANCHOR: exercise todo!("decide: done, retry after a pause, or give up")
    let retryable = match outcome {
        // The replica went away, or the proxy found none to ask.
        Outcome::NoAnswer | Outcome::Status(502..=504) => true,
        // The key's first request is still in flight (chapter 8), or the
        // server asks for patience: the same request will do, a bit later.
        Outcome::Status(409 | 429) => true,
        Outcome::Status(_) => false,
    };
    if !retryable {
        Next::Done
    } else if attempt >= MAX_ATTEMPTS {
        Next::GiveUp
    } else {
        Next::RetryAfter(pause(attempt))
    }
    // ANCHOR_END: exercise
}
// ANCHOR_END: next

// ANCHOR: pause
/// The pause after attempt number `attempt`: 100 ms after the first, then
/// twice as long each time, never more than [`MAX_PAUSE`].
pub fn pause(attempt: u32) -> Duration {
    // ANCHOR: exercise // TODO: `FIRST_PAUSE` doubled `attempt - 1` times, capped at `MAX_PAUSE`:
    // ANCHOR: exercise //     `FIRST_PAUSE.saturating_mul(...)` with `2u32.saturating_pow(...)`,
    // ANCHOR: exercise //     then `.min(MAX_PAUSE)`. Attempt 0 counts as attempt 1.
    // ANCHOR: exercise todo!("100 ms, doubled after each attempt, at most 2 s")
    let doublings = attempt.saturating_sub(1);
    FIRST_PAUSE
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(MAX_PAUSE)
    // ANCHOR_END: exercise
}
// ANCHOR_END: pause
