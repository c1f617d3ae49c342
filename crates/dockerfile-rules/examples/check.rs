//! Prints the report for a directory: `cargo run -p restlings-dockerfile --example check -- DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

use dockerfile_rules::{Options, check_dir};

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    match check_dir(&dir, &Options::default()) {
        Ok(report) => {
            println!("{report}");
            if report.has_errors() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}
