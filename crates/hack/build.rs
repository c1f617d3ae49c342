//! Present so that Cargo resolves the build-dependencies, whose features are
//! the point of this crate (see Cargo.toml).
fn main() {}
