//! The `restlings` binary: `cargo run` at the course root starts here.

use clap::Parser;
use restlings::cli::Cli;
use std::process::ExitCode;

fn main() -> anyhow::Result<ExitCode> {
    match restlings::run(Cli::parse()) {
        Ok(code) => Ok(code),
        // Printed by hand rather than returned, so a learner who keeps
        // RUST_BACKTRACE=1 set reads the message, not the runner's backtrace.
        Err(error) => {
            eprintln!("{}", restlings::report::error(&error));
            Ok(ExitCode::FAILURE)
        }
    }
}
