//! `cargo run -- book`: the course's book, built with mdBook as a library and
//! served on 127.0.0.1 with what plain `mdbook serve` cannot give:
//!
//! - the learner's progress in the sidebar ([`progress`]), from the state
//!   file the runner writes;
//! - Try it panels that send requests to the learner's server through a
//!   loopback-only proxy ([`proxy`]);
//! - the questions at the end of each chapter ([`quiz`]);
//! - a page reloads when its Markdown changes ([`watch`]).
//!
//! The pages' script, `book/theme/restlings.js`, asks this server for the
//! progress first; without an answer (plain `mdbook serve`, or the HTML
//! opened from disk) it leaves the page as mdBook made it.

pub mod progress;
pub mod proxy;
pub mod quiz;
pub mod render;
pub mod server;
pub mod watch;
