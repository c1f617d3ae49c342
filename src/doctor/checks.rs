//! The doctor's checks, one function each, each returning its line.

use super::Finding;
use crate::check::Checker;
use crate::course::Course;
use std::ffi::OsStr;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The ports the course uses, and what for.
pub const PORTS: [(u16, &str); 3] = [
    (3000, "`cargo run -- serve` runs your exercise there"),
    (
        3001,
        "the book is served there (`cargo run -- book`, `mdbook serve book --port 3001`)",
    ),
    (
        8080,
        "chapters 9 and 10 run the service there (`cargo run -- deploy`)",
    ),
];

/// Below this much free disk, the first build cannot finish.
const DISK_BLOCKS: u64 = 1 << 30;
/// Below this much, a first build from nothing may run out.
const DISK_WARNS: u64 = 3 << 30;

/// `rustc`'s version against the course's `rust-version`.
pub fn toolchain(root: &Path) -> Finding {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Some(version) = output(&rustc, &["--version"]) else {
        return Finding::block(format!(
            "no Rust compiler (`{} --version` did not run). Fix: install Rust from \
             https://rustup.rs, then open a new terminal",
            rustc.to_string_lossy()
        ));
    };
    let found = version.split_whitespace().nth(1).unwrap_or("").to_owned();
    let Some(needed) = rust_version(root) else {
        return Finding::ok(format!("Rust {found} (the course names no rust-version)"));
    };
    match (numbers(&found), numbers(&needed)) {
        (Some(have), Some(want)) if have >= want => {
            Finding::ok(format!("Rust {found} (the course needs {needed} or newer)"))
        }
        (Some(_), Some(_)) => Finding::block(format!(
            "Rust {found} is older than the {needed} the course needs. Fix: `rustup update \
             stable` (or install Rust from https://rustup.rs)"
        )),
        _ => Finding::warn(format!(
            "cannot compare Rust {found:?} with the course's rust-version {needed:?}: check \
             that `rustc --version` is {needed} or newer"
        )),
    }
}

/// `rust-version` of the root `Cargo.toml`: the package's, else the workspace's.
fn rust_version(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml")).ok()?;
    let manifest: toml::Table = toml::from_str(&text).ok()?;
    let of = |table: Option<&toml::Value>| table?.get("rust-version")?.as_str().map(str::to_owned);
    of(manifest.get("package")).or_else(|| {
        of(manifest
            .get("workspace")
            .and_then(|workspace| workspace.get("package")))
    })
}

/// `1.88` or `1.88.0` as numbers, missing parts 0.
fn numbers(version: &str) -> Option<(u64, u64, u64)> {
    let core = version.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|part| part.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().unwrap_or(Some(0))?;
    let patch = parts.next().unwrap_or(Some(0))?;
    Some((major, minor, patch))
}

/// Free space where `target/` lives.
pub fn disk(root: &Path) -> Finding {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let existing = target
        .ancestors()
        .find(|dir| dir.exists())
        .unwrap_or(root)
        .to_path_buf();
    let Some(free) = free_bytes(&existing) else {
        return Finding::warn(format!(
            "cannot tell the free space at {} (`df` did not answer): the first build needs \
             about 2 GB",
            existing.display()
        ));
    };
    let gigabytes = free as f64 / f64::from(1 << 30);
    if free < DISK_BLOCKS {
        Finding::block(format!(
            "only {gigabytes:.1} GB free at {}: the build needs about 2 GB. Fix: free some \
             space (`cargo clean` in other projects), then run again",
            existing.display()
        ))
    } else if free < DISK_WARNS && !target.join("debug").exists() {
        Finding::warn(format!(
            "{gigabytes:.1} GB free at {}: the first build takes about 2 GB, so it may run out. \
             Fix: free some space",
            existing.display()
        ))
    } else {
        Finding::ok(format!("{gigabytes:.1} GB free on the disk of target/"))
    }
}

/// Bytes available to this user at `path`, from `df -Pk`.
fn free_bytes(path: &Path) -> Option<u64> {
    let text = output(OsStr::new("df"), &["-Pk", &path.to_string_lossy()])?;
    let line = text.lines().nth(1)?;
    let kilobytes: u64 = line.split_whitespace().nth(3)?.parse().ok()?;
    Some(kilobytes * 1024)
}

/// Every dependency downloaded: offline if it already is, else from the network.
pub fn fetch(cargo: &OsStr, root: &Path) -> Finding {
    if cargo_quietly(cargo, root, &["fetch", "--offline"]).is_ok() {
        return Finding::ok("every dependency is downloaded: the course needs no network");
    }
    println!("    downloading the dependencies (cargo fetch)…");
    match cargo_quietly(cargo, root, &["fetch"]) {
        Ok(()) => Finding::ok("every dependency is downloaded now: the course needs no network"),
        Err(said) => Finding::block(format!(
            "the dependencies are not downloaded, and downloading failed: {said}. Fix: connect \
             to the network (or a local mirror) and run `cargo fetch` at the course root"
        )),
    }
}

/// Every exercise's tests built, with the progress bar, so that no check
/// of the day compiles a dependency.
pub fn build(course: &Course, checker: &Checker) -> Finding {
    let started = Instant::now();
    match checker.build_only(course.exercises()) {
        Ok(broken) if broken.is_empty() => Finding::ok(format!(
            "every exercise builds ({} s): no dependency is left to compile",
            started.elapsed().as_secs()
        )),
        Ok(broken) => Finding::warn(format!(
            "the dependencies are built, but your code of {} does not compile: that is the \
             exercise's to fix, `cargo run` shows the errors",
            broken.join(", ")
        )),
        Err(error) => Finding::block(format!("{error:#}")),
    }
}

/// A container engine that answers, for chapters 9 and 10.
pub fn container_engine() -> Finding {
    match dockerfile_rules::engine::find() {
        Ok(program) => Finding::ok(format!(
            "container engine: {program} answers (chapters 9 and 10)"
        )),
        Err(error) => Finding::warn(format!(
            "no container engine answers ({error}): chapters 9 and 10 will be skipped. Fix: \
             install Docker or Podman and start it, or set RESTLINGS_CONTAINER_ENGINE"
        )),
    }
}

/// PostgreSQL's server programs, for chapter 11.
pub fn postgres() -> Finding {
    let mut places: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    if let Ok(versions) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut found: Vec<PathBuf> = versions
            .filter_map(Result::ok)
            .map(|entry| entry.path().join("bin"))
            .collect();
        found.sort();
        places.extend(found.into_iter().rev());
    }
    let found = places
        .iter()
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file());
    match found {
        Some(dir) => Finding::ok(format!(
            "PostgreSQL: initdb and pg_ctl in {}",
            dir.display()
        )),
        None => Finding::warn(
            "no PostgreSQL server programs (initdb, pg_ctl): the PostgreSQL chapter will be \
             skipped. Fix: `sudo apt install postgresql` on Debian or Ubuntu, `brew install \
             postgresql` on macOS",
        ),
    }
}

/// Each port the course listens on, free or not.
pub fn ports() -> Vec<Finding> {
    PORTS
        .iter()
        .map(
            |(port, what)| match TcpListener::bind((Ipv4Addr::LOCALHOST, *port)) {
                Ok(_) => Finding::ok(format!("port {port} is free: {what}")),
                Err(error) => Finding::warn(format!(
                    "port {port} is taken ({error}): {what}. Fix: stop the program that holds it \
                 (`lsof -i :{port}` names it), or pass `--port`"
                )),
            },
        )
        .collect()
}

/// Runs `program ARGS` and returns its stdout, if it succeeds.
fn output(program: &OsStr, args: &[&str]) -> Option<String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs cargo in `root`; on failure, its first error line.
fn cargo_quietly(cargo: &OsStr, root: &Path, args: &[&str]) -> Result<(), String> {
    let output = Command::new(cargo)
        .args(args)
        .current_dir(root)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(stderr
        .lines()
        .find(|line| line.trim_start().starts_with("error"))
        .unwrap_or("cargo failed without a message")
        .trim()
        .to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_number_not_by_text() {
        assert!(
            numbers("1.100.0") > numbers("1.88"),
            "1.100 is newer than 1.88, though it sorts first as text"
        );
        assert_eq!(
            numbers("1.95.0-nightly"),
            Some((1, 95, 0)),
            "a pre-release tag is not part of the number"
        );
        assert_eq!(numbers("one"), None, "text that is no version is no number");
    }
}
