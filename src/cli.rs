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
    #[arg(long, global = true, value_name = "SECS",
          default_value_t = crate::check::DEFAULT_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check every exercise and show the progress table
    List,
    /// Show the next level of an exercise's hint (default: the one you are on)
    ///
    /// Each run shows one level more: a nudge first, then the API to reach
    /// for, then nearly the code. Which level you saw is kept in
    /// `.restlings/hints` at the course root; delete it to start over.
    Hint {
        /// The exercise, such as `02_endpoints`
        name: Option<String>,
        /// Show every level at once
        #[arg(long)]
        all: bool,
    },
    /// Check one exercise, or all of them; exit code 0 only if all pass (skipped is not passing)
    Verify {
        /// The exercise, such as `02_endpoints` [default: all]
        name: Option<String>,
    },
    /// Run one exercise's tests against a server that is already running, in any language
    ///
    /// URL mode: the tests send their requests to URL instead of to the
    /// exercise's own code, so an answer written with FastAPI, Flask or
    /// Express is checked by the same tests. Exit code 0 only if every test
    /// passes.
    Check {
        /// The exercise whose tests to run, such as `03_get`
        name: String,
        /// The server's address, such as `http://127.0.0.1:8000`
        #[arg(long, value_name = "URL")]
        url: String,
    },
    /// Put back an exercise's starting code, after copying your files to `.restlings/backups/`
    ///
    /// Shows what it will change and asks first; `--yes` answers for you (it
    /// must, without a terminal). The copy is complete before any file
    /// changes, and the path is printed.
    Reset {
        /// The exercise, such as `03_get`
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        name: Option<String>,
        /// Every exercise
        #[arg(long)]
        all: bool,
        /// Do not ask
        #[arg(long, short)]
        yes: bool,
    },
    /// Is this machine ready for the course? For a workshop's first ten minutes
    ///
    /// Checks the Rust toolchain against the course's `rust-version`, fetches
    /// and builds every dependency (so the rest of the day needs no network),
    /// looks for a container engine (chapters 9 and 10) and PostgreSQL,
    /// the ports the course uses and the free disk space. Prints one line per
    /// thing to fix; exit code 1 if anything would stop the workshop.
    Doctor,
    /// Your results: each exercise's status, each test and the time spent
    Report {
        /// Machine-readable, in the versioned schema `schemas/report.schema.json`
        #[arg(long)]
        json: bool,
    },
    /// Check the exercise you are on (or the one named) again each time you save a file in it
    ///
    /// In a terminal, single keys: h hint, n next, r check again, l list, q quit.
    /// A pass stays on the screen until you press n.
    Watch {
        /// The exercise, such as `02_endpoints` [default: the first that needs work]
        name: Option<String>,
    },
    /// Run an exercise's server on 127.0.0.1, to try it with curl (chapters 2 to 10)
    ///
    /// Builds the exercise's `app()` into a small server, prints its URL and a
    /// first curl line, and logs each request. A handler that is still a
    /// `todo!()` answers 500 with its message, as in the tests. Ctrl-C stops it.
    Serve {
        /// The exercise, such as `03_get` [default: the one you are on]
        name: Option<String>,
        /// The port to listen on (0: any free port)
        #[arg(long, default_value_t = 3000, value_parser = port_or_zero)]
        port: u16,
    },
    /// Read the book in your browser, on 127.0.0.1:3001 (3000 is `serve`'s)
    ///
    /// Builds the book with mdBook (nothing to install), prints its URL and
    /// serves it with your progress in the sidebar, the solutions shut until
    /// an exercise passes, Try-it panels that send to your `serve` server and
    /// a quiz per chapter. A page reloads when you save its Markdown. Ctrl-C
    /// stops it.
    Book {
        /// The port to listen on (0: any free port)
        #[arg(long, default_value_t = crate::book::DEFAULT_PORT, value_parser = port_or_zero)]
        port: u16,
        /// Read the progress from this file instead of .restlings/state.json (for tests)
        #[arg(long, hide = true, value_name = "FILE")]
        state: Option<PathBuf>,
    },
    /// The class dashboard: `class serve` for the instructor, `class join` for learners
    #[command(subcommand)]
    Class(ClassCommand),
    /// Check a Dockerfile against the course's rules (chapter 9)
    ///
    /// Prints each finding like a compiler: file:line, the rule, what is
    /// wrong, why it matters and how to fix it. Reads the ignore file Docker
    /// would: `Dockerfile.dockerignore` beside the Dockerfile, else
    /// `.dockerignore` in its folder. Exits 1 if a rule finds an error, 2 if
    /// the file cannot be read or parsed.
    Dockerfile {
        /// A Dockerfile, or the folder holding one, such as
        /// `exercises/09_containerize`
        path: PathBuf,
        /// The port the service listens on, which the image must EXPOSE
        #[arg(long, default_value_t = 8080, value_parser = port)]
        port: u16,
    },
    /// Deploy a service from its deploy.toml and check every endpoint it declares
    ///
    /// Checks the manifest, starts the service (its container image when a
    /// container engine runs and the image is built, else its binary, built
    /// with cargo from the package next to the manifest), waits for the health
    /// check, calls each endpoint without and with API_KEY, prints a table and
    /// stops the service. The values of the manifest's `env` come from this
    /// shell. Exits 1 if any check fails.
    ///
    /// A manifest that names a `stack` (chapter 12) is deployed on Docker
    /// Swarm instead: the stack file, API_KEY as a swarm secret, every
    /// replica waited for until healthy, each endpoint checked through the
    /// stack's proxy, and the stack removed afterwards.
    Deploy {
        /// The manifest, such as `exercises/10_deploy/deploy.toml`
        path: PathBuf,
        /// Where the service runs: a container if possible, else the binary
        #[arg(long, value_enum, default_value_t = DeployMode::Auto)]
        mode: DeployMode,
        /// The Cargo package that builds the binary [default: the folder
        /// holding the manifest]
        #[arg(long, value_name = "DIR")]
        package: Option<PathBuf>,
        /// Seconds to wait for the health check to answer 200
        #[arg(long, value_name = "SECS", default_value_t = 60,
              value_parser = clap::value_parser!(u64).range(1..))]
        wait: u64,
    },
    /// Commands for course authors: generate the exercises from the solutions
    #[command(subcommand)]
    Dev(DevCommand),
}

/// `restlings dev …`: the solutions are the one hand-written source of each
/// chapter, and each exercise's `src/` is generated from them.
#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Write each exercise's `src/` from its solution's, markers applied
    Sync {
        /// Only these exercises, such as `04_post` [default: all]
        names: Vec<String>,
    },
    /// Exit 1, naming each file, if an exercise is not what its solution generates
    Check {
        /// Only these exercises, such as `04_post` [default: all]
        names: Vec<String>,
    },
}

/// `restlings class …`: a live table of the room's progress for the
/// instructor, fed by the learners' runners.
#[derive(Debug, Subcommand)]
pub enum ClassCommand {
    /// Run the dashboard (the instructor): prints the join code, the command
    /// learners run, and your page's URL with its token
    ///
    /// The page shows learners × chapters, updated every few seconds, marks
    /// who has been on the same failing test too long and lists the most
    /// common failing tests per chapter. The join code and the token are kept
    /// in `.restlings/dashboard.toml`, so a restarted dashboard takes the
    /// learners' reports again. Ctrl-C stops it.
    Serve {
        /// The address to listen on: loopback for this machine only; the
        /// room's LAN address, or 0.0.0.0, in a workshop
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The port to listen on (0: any free port)
        #[arg(long, default_value_t = 4000, value_parser = port_or_zero)]
        port: u16,
        /// Minutes on the same failing test before a learner is marked stuck
        #[arg(long, value_name = "MINUTES", default_value_t = 10,
              value_parser = clap::value_parser!(u64).range(1..=1440))]
        stuck_minutes: u64,
        /// Make a new join code and token (learners must join again)
        #[arg(long)]
        new_code: bool,
    },
    /// Join a class (a learner): after each check, your status goes to the
    /// instructor's dashboard
    ///
    /// Sends which exercises pass and the names of failing tests, never your
    /// code. If the dashboard cannot be reached, the status waits in
    /// `.restlings/class/` and goes out later; a check never waits for it.
    Join {
        /// The dashboard's address, as the instructor shows it, such as
        /// http://192.168.1.20:4000
        url: String,
        /// The join code the instructor shows
        #[arg(long)]
        code: String,
        /// Your name, as the instructor's table shows it
        #[arg(long)]
        name: String,
    },
    /// Stop sending your status
    Leave,
    /// Send your status now (the runner does it after each check)
    Send {
        /// Print nothing; the exit code says if it was delivered
        #[arg(long)]
        quiet: bool,
    },
}

/// Where `restlings deploy` runs the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeployMode {
    /// The container when an engine runs and the image is built, else the binary
    Auto,
    /// The manifest's `binary`, built with cargo
    Binary,
    /// The manifest's `image`, with docker or podman
    Container,
}

/// A port to listen on, or 0 for any free one. clap's own parser would answer
/// `8080.5` with "invalid digit found in string".
fn port_or_zero(text: &str) -> Result<u16, String> {
    text.trim().parse().map_err(|_| {
        format!("{text:?} is not a port: give a whole number from 0 to 65535 (0: any free port)")
    })
}

/// A port a service listens on: 1 to 65535.
fn port(text: &str) -> Result<u16, String> {
    match text.trim().parse() {
        Ok(0) | Err(_) => Err(format!(
            "{text:?} is not a port: give a whole number from 1 to 65535, such as 8080"
        )),
        Ok(port) => Ok(port),
    }
}
