//! The client's side of a deploy that loses no request: which outcomes are
//! worth another attempt, and how long to wait before it.

use std::time::Duration;

use swarm::{FIRST_PAUSE, MAX_ATTEMPTS, MAX_PAUSE, Next, Outcome, next, pause};

use crate::BOOK;

#[test]
fn an_answer_that_another_attempt_would_repeat_is_final() {
    kit::quiet_panics();
    let cases = [
        (200, "the request worked"),
        (
            201,
            "the order exists: sending it again would only replay it",
        ),
        (204, "the deletion happened"),
        (
            400,
            "the request is malformed; it will be just as malformed next time",
        ),
        (401, "the key is wrong; it will still be wrong"),
        (404, "there is no such resource"),
        (
            422,
            "the body breaks a rule, or the key was used for another body",
        ),
        (
            500,
            "the service has a bug: retrying a bug piles load on a sick service",
        ),
    ];
    for (status, why) in cases {
        assert_eq!(
            next(1, Outcome::Status(status)),
            Next::Done,
            "After a {status}, `next(1, Outcome::Status({status}))` must be `Next::Done`: {why}. \
             Only outcomes that say \"not now\" or \"not here\" are worth another attempt. \
             See {BOOK}, \"Retries need idempotency\"."
        );
    }
}

#[test]
fn a_lost_connection_or_a_gateway_error_is_tried_again_after_a_pause() {
    kit::quiet_panics();
    let cases = [
        (
            Outcome::NoAnswer,
            "no answer: the replica was stopped, or killed, mid-request; the order may or may \
             not exist, and only a retry with the same Idempotency-Key can tell",
        ),
        (
            Outcome::Status(502),
            "502 Bad Gateway: the proxy reached a replica that went away",
        ),
        (
            Outcome::Status(503),
            "503 Service Unavailable: no replica could take it just now",
        ),
        (
            Outcome::Status(504),
            "504 Gateway Timeout: the replica did not answer the proxy in time",
        ),
        (
            Outcome::Status(409),
            "409 Conflict for an Idempotency-Key: its first request is still in flight, \
             perhaps on another replica (chapter 8)",
        ),
        (
            Outcome::Status(429),
            "429 Too Many Requests: the server asks for patience",
        ),
    ];
    for (outcome, why) in cases {
        assert_eq!(
            next(1, outcome),
            Next::RetryAfter(pause(1)),
            "After {outcome:?} on the first attempt, `next` must be \
             `Next::RetryAfter(pause(1))`: {why}. See {BOOK}, \"Retries need idempotency\"."
        );
    }
}

#[test]
fn pauses_double_from_100_ms_and_stop_growing_at_2_s() {
    kit::quiet_panics();
    let expected = [
        (1, 100),
        (2, 200),
        (3, 400),
        (4, 800),
        (5, 1_600),
        (6, 2_000),
        (40, 2_000),
    ];
    for (attempt, millis) in expected {
        assert_eq!(
            pause(attempt),
            Duration::from_millis(millis),
            "pause({attempt}) must be {millis} ms: {FIRST_PAUSE:?} after the first attempt, \
             twice as long after each next one, never more than {MAX_PAUSE:?}. Doubling gives a \
             replica that is starting up room to breathe, where a fixed short pause hammers it \
             with every client's retries at once. See {BOOK}."
        );
    }
    assert_eq!(
        pause(u32::MAX),
        MAX_PAUSE,
        "pause(u32::MAX) must be {MAX_PAUSE:?}, not overflow: a doubling that is not saturated \
         panics in a debug build, or wraps to a tiny pause in a release build."
    );
}

#[test]
fn after_the_last_attempt_a_retryable_outcome_gives_up() {
    kit::quiet_panics();
    assert_eq!(
        next(MAX_ATTEMPTS - 1, Outcome::NoAnswer),
        Next::RetryAfter(pause(MAX_ATTEMPTS - 1)),
        "Attempt {} of {MAX_ATTEMPTS} got no answer: one attempt is left, so `next` must be \
         `Next::RetryAfter(pause({}))`.",
        MAX_ATTEMPTS - 1,
        MAX_ATTEMPTS - 1
    );
    for outcome in [Outcome::NoAnswer, Outcome::Status(503)] {
        assert_eq!(
            next(MAX_ATTEMPTS, outcome),
            Next::GiveUp,
            "Attempt {MAX_ATTEMPTS} of {MAX_ATTEMPTS} got {outcome:?}: `next` must be \
             `Next::GiveUp`. A client that retries for ever turns an outage into a flood of \
             retries the moment the service comes back. See {BOOK}."
        );
    }
    assert_eq!(
        next(MAX_ATTEMPTS, Outcome::Status(201)),
        Next::Done,
        "An answer on the last attempt is still the answer: `next(MAX_ATTEMPTS, \
         Outcome::Status(201))` must be `Next::Done`, not `Next::GiveUp`."
    );
}
