//! The command line. The doc comments below are the `--help` text.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Learn web APIs in Rust by building them.
///
/// Without a command, checks every exercise, shows your progress and tells
/// you what to do next.
#[derive(Debug, Parser)]
#[command(name = "restlings", version)]
pub struct Cli {
    /// The course folder, the one holding `course.toml` [default: the first
    /// folder holding it, from the current directory up]
    #[arg(long, global = true, env = "RESTLINGS_COURSE", value_name = "DIR")]
    pub course: Option<PathBuf>,

    /// Seconds a test binary may run before it counts as hung and is stopped
    #[arg(long, global = true, value_name = "SECS", default_value_t = 120,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check every exercise and show the progress table
    List,
    /// Show the hint of an exercise (default: the one you are on)
    Hint {
        /// The exercise, such as `02_endpoints`
        name: Option<String>,
    },
    /// Check one exercise, or all of them; the exit code is 0 only if all pass
    Verify {
        /// The exercise, such as `02_endpoints` [default: all]
        name: Option<String>,
    },
    /// Check the exercise you are on again each time you save a file in it
    Watch,
}
