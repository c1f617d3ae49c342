//! `restlings serve [NAME] [--port N]`: an exercise's `app()` on
//! `127.0.0.1:N`, to try it by hand with the curl lines of the failure reports
//! and of the book's transcripts.
//!
//! The server is the package `crates/serve` (`restlings-serve`), with one
//! cargo feature per exercise it can serve; its `Cargo.toml` is the list.
//! This command builds it with that one feature, in the course's own target
//! dir, then becomes the server: on Unix it `exec`s the binary, so Ctrl-C and
//! SIGTERM reach the server itself, which stops cleanly. Nothing is added to
//! the exercises, so the learner's `cargo test` builds no more than before.

use crate::check::Checker;
use crate::course::{Course, Exercise};
use crate::report;
use anyhow::{Context, bail};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The server package, relative to the course root.
pub const PACKAGE_DIR: &str = "crates/serve";

/// The server package's name, as `cargo build -p` takes it.
const PACKAGE: &str = "restlings-serve";

/// Serves `name`, or the first exercise that needs work, on `port`.
pub fn run(
    course: &Course,
    checker: &Checker,
    name: Option<&str>,
    port: u16,
) -> anyhow::Result<ExitCode> {
    let servable = servable(course.root())?;
    let exercise = match name {
        Some(name) => course.exercise(name)?,
        None => {
            let exercises = course.exercises();
            let outcomes = crate::state::check(course, checker, exercises)?;
            match report::current(&outcomes) {
                Some(index) => &exercises[index],
                None => {
                    println!(
                        "{}\n\n{NOTHING_CURRENT} {}",
                        report::finished(exercises, &outcomes),
                        servable.exercises.join(", ")
                    );
                    return Ok(ExitCode::SUCCESS);
                }
            }
        }
    };
    if !servable.exercises.contains(&exercise.name) {
        let why = servable
            .not_served
            .get(&exercise.name)
            .map_or("its code is not a server's `app()`", String::as_str);
        bail!(
            "{} — {} — has no server to run: {why}. Test it with `cd {} && cargo test`. \
             `cargo run -- serve` works for {}.",
            exercise.name,
            exercise.title,
            exercise.dir.display(),
            servable.exercises.join(", ")
        );
    }
    // Refused before the build, so a busy port costs no waiting. The server
    // checks again when it binds, with the same message.
    if port != 0 {
        TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .map(drop)
            .with_context(|| port_in_use(exercise, port))?;
    }
    eprintln!(
        "Building the server of {} — {}...",
        exercise.name, exercise.title
    );
    let binary = build(course.root(), exercise)?;
    let mut server = Command::new(&binary);
    server
        .arg("--port")
        .arg(port.to_string())
        .current_dir(course.root());
    become_server(server, &binary)
}

/// What `crates/serve/Cargo.toml` says: the exercises it can serve (its
/// features), and why each of some others cannot be
/// (`[package.metadata.restlings.not_served]`).
#[derive(Debug, Default)]
pub struct Servable {
    pub exercises: Vec<String>,
    pub not_served: BTreeMap<String, String>,
}

/// Reads the server package's manifest under `root`.
pub fn servable(root: &Path) -> anyhow::Result<Servable> {
    let path = root.join(PACKAGE_DIR).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {}: this course has no server package, so `serve` has nothing to run",
            path.display()
        )
    })?;
    let manifest: toml::Table = toml::from_str(&text).with_context(|| {
        format!(
            "{} is not valid TOML: fix it, then run again",
            path.display()
        )
    })?;
    let features = manifest
        .get("features")
        .and_then(toml::Value::as_table)
        .with_context(|| {
            format!(
                "{} has no [features] table: it needs one feature per exercise to serve",
                path.display()
            )
        })?;
    let not_served = manifest
        .get("package")
        .and_then(|package| package.get("metadata"))
        .and_then(|metadata| metadata.get("restlings"))
        .and_then(|restlings| restlings.get("not_served"))
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
        .filter_map(|(name, why)| Some((name.clone(), why.as_str()?.to_owned())))
        .collect();
    Ok(Servable {
        exercises: features.keys().cloned().collect(),
        not_served,
    })
}

/// `cargo build -p restlings-serve --features NAME`; returns the binary's path.
fn build(root: &Path, exercise: &Exercise) -> anyhow::Result<PathBuf> {
    let args = ["-p", PACKAGE, "--features", &exercise.name].map(OsStr::new);
    crate::cargo::build_binary(root, &args, PACKAGE, || {
        format!(
            "{} does not build, so it cannot be served: fix the errors above (`cd {} && cargo \
             test` shows them too), then run `cargo run -- serve {}` again",
            exercise.name,
            exercise.dir.display(),
            exercise.name
        )
    })
}

/// Replaces this process with the server, so that signals reach it directly.
#[cfg(unix)]
fn become_server(mut server: Command, binary: &Path) -> anyhow::Result<ExitCode> {
    use std::os::unix::process::CommandExt as _;
    // `exec` returns only if it failed.
    let error = server.exec();
    Err(error).with_context(|| format!("cannot start the server {}", binary.display()))
}

/// Runs the server and waits for it: Ctrl-C reaches the whole console.
#[cfg(not(unix))]
fn become_server(mut server: Command, binary: &Path) -> anyhow::Result<ExitCode> {
    let status = server
        .status()
        .with_context(|| format!("cannot start the server {}", binary.display()))?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The message for a port another program holds. The server says the same.
fn port_in_use(exercise: &Exercise, port: u16) -> String {
    format!(
        "cannot listen on 127.0.0.1:{port}: is another program using port {port}? Stop it, or \
         choose another port with `--port`, such as `cargo run -- serve {} --port {}`",
        exercise.name,
        port.checked_add(1).unwrap_or(3001)
    )
}

const NOTHING_CURRENT: &str = "No exercise is left to work on, so there is no current one to \
                               serve. Name one: `cargo run -- serve NAME`, for one of";
