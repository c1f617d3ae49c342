// Starting code generated from solutions/10_deploy/src/logs.rs by `cargo run -- dev sync`.
//! A log that a client cannot flood.
//!
//! Every log line a request can cause is a line an attacker can make the
//! service write, as often and as long as they like: a wrong key sent in a
//! loop, with a 60 KB path, fills a disk with megabytes a second and buries
//! the lines an operator needs. So what a client sends is shortened before it
//! is logged ([`shorten`]), and a refusal that repeats is logged once, then at
//! most once per interval with the number left out ([`Throttle`]).

use std::fmt::Write as _;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// The most characters of a client's text (a path, a method) that a log line
/// shows: enough to recognise `/products/1`, too few to flood a line.
pub const MAX_LOGGED_CHARS: usize = 80;

/// How often, at most, the service logs a wrong key once the first one has
/// been logged.
pub const WRONG_KEY_INTERVAL: Duration = Duration::from_secs(10);

/// `text` as a log line may show it: at most [`MAX_LOGGED_CHARS`] characters,
/// control characters escaped (`\n`, `\u{1b}`) so that a client cannot start
/// a fake line of its own or recolour the terminal, and, when cut, how much
/// was left out.
pub fn shorten(text: &str) -> String {
    let mut shown = String::new();
    let (mut shown_chars, mut kept_bytes) = (0, 0);
    for c in text.chars() {
        let escaped: Vec<char> = if c.is_control() {
            c.escape_default().collect()
        } else {
            vec![c]
        };
        if shown_chars + escaped.len() > MAX_LOGGED_CHARS {
            break;
        }
        shown.extend(&escaped);
        shown_chars += escaped.len();
        kept_bytes += c.len_utf8();
    }
    let left_out = text.len() - kept_bytes;
    if left_out > 0 {
        // Writing to a String cannot fail.
        let _ = write!(shown, "…(+{left_out} bytes)");
    }
    shown
}

/// Lets one event of a kind through per interval, and counts the others.
/// The rate itself is `governor`'s, a well-tested limiter (GCRA); this type
/// adds the count, so that the line it lets through can say how many it
/// held back.
#[derive(Debug)]
pub struct Throttle {
    limiter: DefaultDirectRateLimiter,
    suppressed: AtomicU64,
}

impl Throttle {
    /// At most one event per `interval`, the first one at once.
    pub fn new(interval: Duration) -> Throttle {
        let one = NonZeroU32::MIN;
        // `with_period` refuses only a zero interval: one a second then.
        let quota = Quota::with_period(interval)
            .unwrap_or_else(|| Quota::per_second(one))
            .allow_burst(one);
        Throttle {
            limiter: RateLimiter::direct(quota),
            suppressed: AtomicU64::new(0),
        }
    }

    /// `Some(n)` when this event is to be logged, `n` being how many were
    /// held back since the last one that was; `None` when it is held back.
    pub fn admit(&self) -> Option<u64> {
        match self.limiter.check() {
            Ok(()) => Some(self.suppressed.swap(0, Ordering::Relaxed)),
            Err(_) => {
                self.suppressed.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }
}
