//! The class dashboard of the restlings course.
//!
//! An instructor runs `cargo run -- class serve`; each learner runs
//! `cargo run -- class join URL --code CODE --name NAME` once, and from then
//! on the runner sends their status after each check. [`wire`] is the one
//! message, [`client`] the learner's side (always built: the runner links
//! it), and `server` the dashboard (the `server` feature, on by default; the
//! runner builds it as the `restlings-class` binary only when asked to serve).

pub mod client;
#[cfg(feature = "server")]
pub mod server;
pub mod wire;
