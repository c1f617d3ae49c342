//! No code: this crate exists for its dependencies' features. See Cargo.toml.
