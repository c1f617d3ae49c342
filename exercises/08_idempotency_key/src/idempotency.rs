// Starting code generated from solutions/08_idempotency_key/src/idempotency.rs by `cargo run -- dev sync`.
//! The `Idempotency-Key` request header (IETF httpapi draft
//! "The Idempotency-Key HTTP Header Field"): the client names each operation
//! once, and the server remembers what it answered, so that a retry gets that
//! answer again instead of doing the work twice.
//!
//! One key goes through three states: unknown, in flight (its first request
//! is being handled), done (the answer is stored). The lock around them is
//! held only inside this module's methods, never while a handler works and
//! never across an `.await`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::ApiError;

/// The request header's name. HTTP field names are case-insensitive.
pub const HEADER: &str = "idempotency-key";

/// The longest key this service accepts, in characters.
pub const MAX_KEY_LEN: usize = 255;

/// A checked `Idempotency-Key`: 1 to 255 visible ASCII characters, from `!`
/// to `~`. Spaces, control characters and anything outside ASCII are refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let mut values = parts.headers.get_all(HEADER).iter();
        match (values.next(), values.next()) {
            (None, _) => Err(ApiError::MissingKey),
            (Some(value), None) => parse_key(value.as_bytes()),
            // Two keys name two operations: there is no telling which one is meant.
            (Some(_), Some(_)) => Err(ApiError::InvalidKey),
        }
    }
}

// TODO: accept 1 to `MAX_KEY_LEN` bytes, each visible ASCII (`b'!'..=b'~'`,
//     so no space); anything else is `Err(ApiError::InvalidKey)`. Then
//     `String::from_utf8(raw.to_vec())` gives the text: map it into
//     `IdempotencyKey`, and its error (impossible after the check, but never
//     unwrap input) into `ApiError::InvalidKey`.
fn parse_key(raw: &[u8]) -> Result<IdempotencyKey, ApiError> {
    todo!("check the key and wrap it in IdempotencyKey")
}

/// What the store knows about one key: the request it was first used for,
/// and the answer once there is one. `None` means "in flight".
struct Entry<Req, Res> {
    request: Req,
    response: Option<Res>,
}

/// Every key seen so far, shared by all requests. `Req` is the checked
/// request a retry must repeat exactly; `Res` is the answer to replay.
pub struct IdempotencyStore<Req, Res> {
    entries: Arc<Mutex<HashMap<IdempotencyKey, Entry<Req, Res>>>>,
}

/// What to do with a request, decided in one step under the lock.
pub enum Begin<Req, Res> {
    /// The key is new: do the work, then hand the answer to the claim.
    Proceed(Claim<Req, Res>),
    /// The key's first request already finished: send its answer again.
    Replay(Res),
    /// The key's first request is still being handled: 409, try again soon.
    InFlight,
    /// The key was first used for a different request: 422.
    Mismatch,
}

impl<Req: Clone + PartialEq, Res: Clone> IdempotencyStore<Req, Res> {
    // TODO: lock once (`self.lock()`) and decide while holding it:
    //     - the key is stored with a different request: `Begin::Mismatch`;
    //     - stored with a response: `Begin::Replay(response.clone())`;
    //     - stored without one (in flight): `Begin::InFlight`;
    //     - not stored: insert `Entry { request: request.clone(), response: None }`
    //       and return `Begin::Proceed(Claim { store: self.clone(), key: Some(key) })`.
    //     Checking and inserting under one lock is what stops two concurrent
    //     requests with the same key from both proceeding.
    /// Looks the key up and, if it is new, marks it in flight, all under one
    /// lock: two requests with the same key can never both get `Proceed`.
    pub fn begin(&self, key: IdempotencyKey, request: &Req) -> Begin<Req, Res> {
        todo!("decide: proceed, replay, in flight or mismatch")
    }
}

impl<Req, Res> IdempotencyStore<Req, Res> {
    /// A panic elsewhere while the lock was held cannot leave an entry half
    /// written: every change is one map operation. So carry on.
    fn lock(&self) -> MutexGuard<'_, HashMap<IdempotencyKey, Entry<Req, Res>>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<Req, Res> Default for IdempotencyStore<Req, Res> {
    fn default() -> Self {
        IdempotencyStore {
            entries: Arc::new(Mutex::new(HashMap::new())),
        }
    }
}

impl<Req, Res> Clone for IdempotencyStore<Req, Res> {
    fn clone(&self) -> Self {
        IdempotencyStore {
            entries: Arc::clone(&self.entries),
        }
    }
}

/// The right, and the duty, to answer a key's first request. `finish` stores
/// the answer for every retry. Dropping the claim unfinished (an error was
/// returned, the handler panicked, the client hung up) releases the key, so a
/// failed first attempt never blocks the key for good.
pub struct Claim<Req, Res> {
    store: IdempotencyStore<Req, Res>,
    key: Option<IdempotencyKey>,
}

impl<Req, Res> Claim<Req, Res> {
    // TODO: take the key out of `self.key` (`.take()`, so that `drop` below
    //     leaves the entry alone), find its entry in `self.store.lock()` and
    //     set its `response` to `Some(response)`: from now on, retries replay it.
    pub fn finish(mut self, response: Res) {
        todo!("store the answer for every retry")
    }
}

impl<Req, Res> Drop for Claim<Req, Res> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let mut entries = self.store.lock();
            if entries
                .get(&key)
                .is_some_and(|entry| entry.response.is_none())
            {
                entries.remove(&key);
            }
        }
    }
}
