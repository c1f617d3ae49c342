//! Building the exercises' tests in one cargo call:
//! `cargo build --tests --keep-going --message-format=json -p a -p b …`
//! (`--keep-going`: one exercise that does not compile must not stop the rest).
//!
//! One call is much faster than one `cargo test` per exercise (cargo starts,
//! resolves and locks once), and cargo's JSON messages say which package each
//! test binary and each compile error belongs to.

use anyhow::Context;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::thread;

/// What the build produced, keyed by each package's canonical `Cargo.toml` path.
#[derive(Debug, Default)]
pub struct Built {
    /// Did cargo build everything?
    pub success: bool,
    /// The test binaries of each package.
    pub executables: BTreeMap<PathBuf, Vec<PathBuf>>,
    /// The compile errors of each package, as rustc renders them.
    pub errors: BTreeMap<PathBuf, Vec<String>>,
    /// What cargo itself printed (its own errors, such as a bad `Cargo.toml`).
    pub cargo_stderr: String,
}

#[derive(Deserialize)]
struct Message {
    reason: String,
    #[serde(default)]
    manifest_path: Option<PathBuf>,
    #[serde(default)]
    executable: Option<PathBuf>,
    #[serde(default)]
    message: Option<Diagnostic>,
    #[serde(default)]
    success: Option<bool>,
}

#[derive(Deserialize)]
struct Diagnostic {
    level: String,
    #[serde(default)]
    rendered: Option<String>,
}

/// What cargo says on stderr while it builds, as it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Building {
    /// It waits for a lock that another cargo holds.
    Blocked,
    /// Its own progress line: `done` of `total` compile units, and the
    /// crates it compiles now.
    Progress { done: u64, total: u64, now: String },
}

/// Builds the tests of `packages`, calling `on_building` (from another
/// thread) with cargo's progress, so the caller can show a bar.
pub fn build(
    cargo: &OsStr,
    root: &Path,
    packages: &[String],
    on_building: impl Fn(Building) + Send + 'static,
) -> anyhow::Result<Built> {
    let mut command = crate::cargo::command(cargo);
    command
        .args(["build", "--tests", "--keep-going", "--message-format=json"])
        // cargo draws its progress bar only on a terminal; this asks for it
        // on the pipe too, where `progress` reads the counts from it.
        .env("CARGO_TERM_PROGRESS_WHEN", "always")
        .env("CARGO_TERM_PROGRESS_WIDTH", "200")
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for package in packages {
        command.args(["-p", package]);
    }
    let mut child = command.spawn().with_context(|| {
        format!(
            "cannot run `{}`: is Rust installed? Get it from https://rustup.rs",
            cargo.to_string_lossy()
        )
    })?;

    let stderr_reader = child.stderr.take().map(|stderr| {
        thread::spawn(move || {
            let mut text = String::new();
            // cargo ends a progress line with `\r`, every other line with
            // `\n`: either ends a segment, read as it comes.
            let mut segment = Vec::new();
            let handle = |segment: &[u8], text: &mut String| {
                let line = String::from_utf8_lossy(segment);
                let trimmed = line.trim();
                if trimmed.is_empty() {
                    return;
                }
                if let Some(progress) = progress(trimmed) {
                    return on_building(progress);
                }
                if trimmed.starts_with("Blocking waiting for file lock") {
                    on_building(Building::Blocked);
                }
                text.push_str(&line);
                text.push('\n');
            };
            for byte in BufReader::new(stderr).bytes().map_while(Result::ok) {
                if byte == b'\r' || byte == b'\n' {
                    handle(&segment, &mut text);
                    segment.clear();
                } else {
                    segment.push(byte);
                }
            }
            handle(&segment, &mut text);
            text
        })
    });

    let mut built = Built::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.context("lost cargo's output while building the exercises")?;
            // Lines that are not cargo messages (a build script's noise) are skipped.
            let Ok(message) = serde_json::from_str::<Message>(&line) else {
                continue;
            };
            record(&mut built, message);
        }
    }
    let status = child
        .wait()
        .context("lost track of cargo while building the exercises: run again")?;
    built.success = built.success && status.success();
    built.cargo_stderr = stderr_reader
        .and_then(|reader| reader.join().ok())
        .unwrap_or_default();
    Ok(built)
}

fn record(built: &mut Built, message: Message) {
    let manifest = message.manifest_path.as_deref().map(canonical);
    match message.reason.as_str() {
        "compiler-artifact" => {
            if let (Some(manifest), Some(executable)) = (manifest, message.executable) {
                built
                    .executables
                    .entry(manifest)
                    .or_default()
                    .push(executable);
            }
        }
        "compiler-message" => {
            let Some(diagnostic) = message.message else {
                return;
            };
            let Some(rendered) = diagnostic.rendered else {
                return;
            };
            let is_error = diagnostic.level.starts_with("error");
            // The closing "aborting due to N previous errors" adds nothing.
            if is_error && !rendered.starts_with("error: aborting due to") {
                // A lib's error shows again in its test build: keep one copy.
                let errors = built
                    .errors
                    .entry(manifest.unwrap_or_default())
                    .or_default();
                if !errors.contains(&rendered) {
                    errors.push(rendered);
                }
            }
        }
        "build-finished" => built.success = message.success.unwrap_or(false),
        _ => {}
    }
}

/// cargo's progress line, `Building [===>   ] 45/212: tokio, serde`.
fn progress(line: &str) -> Option<Building> {
    let rest = line.strip_prefix("Building [")?;
    let (_, rest) = rest.split_once("] ")?;
    let (counts, now) = rest.split_once(':').unwrap_or((rest, ""));
    let (done, total) = counts.trim().split_once('/')?;
    Some(Building::Progress {
        done: done.parse().ok()?,
        total: total.parse().ok()?,
        now: now
            .trim()
            .trim_end_matches('…')
            .trim_end_matches(',')
            .to_owned(),
    })
}

/// The canonical form of `path`, or `path` itself when it cannot be resolved.
pub fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargos_progress_line_gives_the_counts_and_the_crates_in_work() {
        assert_eq!(
            progress("Building [=====>          ] 45/212: tokio, serde(build)"),
            Some(Building::Progress {
                done: 45,
                total: 212,
                now: "tokio, serde(build)".to_owned()
            }),
            "the counts before the colon are units done and units in all"
        );
        assert_eq!(
            progress("Compiling tokio v1.48.0"),
            None,
            "a line that is not the progress bar is kept as cargo's output"
        );
    }
}
