//! `restlings class …`: the class dashboard.
//!
//! - `class serve` (the instructor's) builds the package `crates/class`
//!   (`restlings-class`) with cargo and becomes its binary, as `serve` does
//!   with `crates/serve`. The runner itself links only the crate's client
//!   half, without an async runtime, so `cargo run` compiles no more before
//!   its first line than it did without a dashboard.
//! - `class join URL --code CODE --name NAME` (the learner's) keeps the three
//!   in `.restlings/class.toml` and sends the learner's status at once.
//! - After each check, [`after_check`] queues the status in
//!   `.restlings/class/outbox/` and starts `restlings class send` as a
//!   process of its own, which delivers it and is not waited for. A check
//!   never waits for the network: a dashboard that is down, or a Wi-Fi that
//!   drops every packet, costs the learner the start of one process
//!   (milliseconds), and the report waits in the outbox for the next check.
//!   A thread would die with a one-shot `cargo run` before it had sent
//!   anything; waiting for it, even a second, would be felt on every check.

use crate::cli::ClassCommand;
use crate::course::Course;
use crate::state::{self, State};
use anyhow::{Context, bail};
use restlings_class::client::{self, Delivery, Membership};
use restlings_class::wire;
use std::ffi::OsStr;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

/// The dashboard package, relative to the course root.
pub const PACKAGE_DIR: &str = "crates/class";

/// Its name and its binary's, as `cargo build -p` takes it.
const PACKAGE: &str = "restlings-class";

/// Where the dashboard keeps its join code and token, so that a restarted
/// dashboard takes the learners' reports again.
const SECRETS: &str = ".restlings/dashboard.toml";

/// How long `class join` and `class send` wait for the dashboard.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);

/// What `class serve` was asked.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: IpAddr,
    pub port: u16,
    pub stuck_minutes: u64,
    pub new_code: bool,
}

/// Runs one `class` command.
pub fn run(course: &Course, command: &ClassCommand) -> anyhow::Result<ExitCode> {
    match command {
        ClassCommand::Serve {
            bind,
            port,
            stuck_minutes,
            new_code,
        } => serve(
            course,
            &ServeOptions {
                bind: *bind,
                port: *port,
                stuck_minutes: *stuck_minutes,
                new_code: *new_code,
            },
        ),
        ClassCommand::Join { url, code, name } => join(course, url, code, name),
        ClassCommand::Leave => leave(course),
        ClassCommand::Send { quiet } => send(course, *quiet),
    }
}

/// `class serve`: builds the dashboard and becomes it.
pub fn serve(course: &Course, options: &ServeOptions) -> anyhow::Result<ExitCode> {
    let root = course.root();
    if !root.join(PACKAGE_DIR).join("Cargo.toml").is_file() {
        bail!(
            "this course has no {PACKAGE_DIR}, so there is no dashboard to serve: run `class \
             serve` in the restlings course itself"
        );
    }
    eprintln!("Building the class dashboard...");
    let binary = build(root)?;
    let mut server = Command::new(&binary);
    server
        .arg("--bind")
        .arg(options.bind.to_string())
        .arg("--port")
        .arg(options.port.to_string())
        .arg("--stuck-minutes")
        .arg(options.stuck_minutes.to_string())
        .arg("--secrets")
        .arg(root.join(SECRETS))
        .current_dir(root);
    if options.new_code {
        server.arg("--new-code");
    }
    become_server(server, &binary)
}

/// `class join URL --code CODE --name NAME`.
pub fn join(course: &Course, url: &str, code: &str, name: &str) -> anyhow::Result<ExitCode> {
    let root = course.root();
    let mut membership = Membership::new(url, code, name).map_err(anyhow::Error::msg)?;
    // Joining again keeps the row: same dashboard, same learner.
    if let Ok(Some(old)) = Membership::load(root)
        && old.url == membership.url
    {
        membership.learner = old.learner;
    }
    let (state, _) = State::load(root);
    client::record(root, &membership, exercises(&state)).map_err(anyhow::Error::msg)?;
    match client::deliver_to(root, &membership, SEND_TIMEOUT).map_err(anyhow::Error::msg)? {
        Delivery::Refused { status: 401, .. } => {
            client::forget(root);
            bail!(
                "the dashboard at {} refused the join code {:?}: check it against the one the \
                 instructor shows, then join again",
                membership.url,
                membership.code
            );
        }
        Delivery::Refused { status, body } => {
            client::forget(root);
            bail!(
                "the dashboard at {} answered {status}: {body}",
                membership.url
            );
        }
        delivery => {
            let path = membership.save(root).map_err(anyhow::Error::msg)?;
            println!(
                "Joined the class at {} as {:?} (kept in {}).",
                membership.url,
                membership.name,
                path.display()
            );
            match delivery {
                Delivery::Unreachable(error) => println!(
                    "The dashboard does not answer yet ({error}): your status waits in {} and \
                     goes out after your next check.",
                    root.join(client::DIR).join("outbox").display()
                ),
                _ => println!("The instructor sees your status now."),
            }
            println!("{JOINED}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `class leave`.
pub fn leave(course: &Course) -> anyhow::Result<ExitCode> {
    let root = course.root();
    let left = Membership::leave(root).map_err(anyhow::Error::msg)?;
    client::forget(root);
    println!(
        "{}",
        if left {
            "Left the class: no more status is sent."
        } else {
            "You had not joined a class: nothing to leave."
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `class send`: delivers the queued status now.
pub fn send(course: &Course, quiet: bool) -> anyhow::Result<ExitCode> {
    let delivery = client::deliver(course.root(), SEND_TIMEOUT).map_err(anyhow::Error::msg)?;
    let (text, ok) = match &delivery {
        Delivery::Nothing => ("Nothing to send.".to_owned(), true),
        Delivery::Delivered(_) => ("Sent your status to the dashboard.".to_owned(), true),
        Delivery::Refused { status, body } => (
            format!("The dashboard refused your status ({status}): {body}"),
            false,
        ),
        Delivery::Unreachable(error) => (
            format!("The dashboard does not answer ({error}): your status stays queued."),
            false,
        ),
    };
    if !quiet {
        println!("{text}");
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// After each check, once the state is saved: queue the learner's status and
/// start a sender. Does nothing unless the learner joined a class; never
/// fails the check (a problem is one line on stderr).
pub fn after_check(root: &Path, state: &State) {
    let membership = match Membership::load(root) {
        Ok(Some(membership)) => membership,
        Ok(None) => return,
        Err(error) => {
            eprintln!("warning: class dashboard: {error}");
            return;
        }
    };
    if let Err(error) = client::record(root, &membership, exercises(state)) {
        eprintln!("warning: class dashboard: {error}");
        return;
    }
    if let Err(error) = start_sender(root) {
        eprintln!("warning: class dashboard: cannot start the sender: {error:#}");
    }
}

/// `restlings --course ROOT class send --quiet`, detached: in a process group
/// of its own, so Ctrl-C in the learner's terminal does not cut a send short,
/// and reaped by a thread, so watch mode leaves no zombies.
fn start_sender(root: &Path) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("cannot find the runner's own binary")?;
    let mut command = Command::new(exe);
    command
        .arg("--course")
        .arg(root)
        .args(["class", "send", "--quiet"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().context("cannot start `class send`")?;
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// The state file's verdicts, as the dashboard reads them: statuses, counts
/// and failing test names, never a message (messages quote code).
fn exercises(state: &State) -> Vec<wire::Exercise> {
    state
        .exercises
        .iter()
        .map(|(name, record)| wire::Exercise {
            name: name.clone(),
            status: match record.status {
                state::Status::Pass => wire::Status::Passes,
                state::Status::Fail => wire::Status::Fails,
                state::Status::CompileError => wire::Status::DoesNotCompile,
                state::Status::Timeout => wire::Status::TimedOut,
                state::Status::Skipped => wire::Status::Skipped,
            },
            passed: u32::try_from(record.tests.passed).ok(),
            failed: u32::try_from(record.tests.failed).ok(),
            failing: record.failing.clone(),
            checked_at: state::clock::parse(&record.last_checked).unwrap_or_else(client::now),
            same_since: None,
        })
        .collect()
}

/// `cargo build -p restlings-class`; returns the binary's path.
fn build(root: &Path) -> anyhow::Result<PathBuf> {
    let args = ["-p", PACKAGE, "--bin", PACKAGE].map(OsStr::new);
    crate::cargo::build_binary(root, &args, PACKAGE, || {
        format!("the class dashboard ({PACKAGE_DIR}) does not build: see cargo's errors above")
    })
}

/// Replaces this process with the dashboard, so that Ctrl-C reaches it.
#[cfg(unix)]
fn become_server(mut server: Command, binary: &Path) -> anyhow::Result<ExitCode> {
    use std::os::unix::process::CommandExt as _;
    let error = server.exec();
    Err(error).with_context(|| format!("cannot start the dashboard {}", binary.display()))
}

#[cfg(not(unix))]
fn become_server(mut server: Command, binary: &Path) -> anyhow::Result<ExitCode> {
    let status = server
        .status()
        .with_context(|| format!("cannot start the dashboard {}", binary.display()))?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

const JOINED: &str = "From now on, each check (`cargo run`, `verify`, `watch`) sends your \
                      status: which exercises pass and which tests fail, never your code. \
                      `cargo run -- class leave` stops it.";
