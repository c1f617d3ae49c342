//! The `restlings` binary: `cargo run` at the course root starts here.

use clap::Parser;
use restlings::cli::Cli;
use std::process::ExitCode;

fn main() -> anyhow::Result<ExitCode> {
    restlings::run(Cli::parse())
}
