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
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
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
    target: Option<Target>,
    #[serde(default)]
    message: Option<Diagnostic>,
    #[serde(default)]
    success: Option<bool>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
}

#[derive(Deserialize)]
struct Diagnostic {
    level: String,
    #[serde(default)]
    rendered: Option<String>,
}

/// Builds the tests of `packages`, calling `on_artifact` with the name of each
/// crate as it finishes (dependencies included) so the caller can show progress,
/// and `on_blocked` (from another thread) when cargo waits for a lock that
/// another cargo holds.
pub fn build(
    cargo: &OsStr,
    root: &Path,
    packages: &[String],
    on_artifact: &mut dyn FnMut(&str),
    on_blocked: impl Fn() + Send + 'static,
) -> anyhow::Result<Built> {
    let mut command = Command::new(cargo);
    command
        .args(["build", "--tests", "--keep-going", "--message-format=json"])
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
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line
                    .trim_start()
                    .starts_with("Blocking waiting for file lock")
                {
                    on_blocked();
                }
                text.push_str(&line);
                text.push('\n');
            }
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
            record(&mut built, message, on_artifact);
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

fn record(built: &mut Built, message: Message, on_artifact: &mut dyn FnMut(&str)) {
    let manifest = message.manifest_path.as_deref().map(canonical);
    match message.reason.as_str() {
        "compiler-artifact" => {
            if let Some(target) = &message.target {
                on_artifact(&target.name);
            }
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

/// The canonical form of `path`, or `path` itself when it cannot be resolved.
pub fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}
