//! The service as a binary: built by cargo from the package next to the
//! manifest, run on a free port with only the variables the manifest declares.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use anyhow::Context;

use super::{Kind, Running};

pub(super) fn start_binary(
    package_dir: &Path,
    binary: &str,
    values: &[(String, String)],
) -> anyhow::Result<Running> {
    let path = build(package_dir, binary)?;
    // The manifest's port is the one inside a container; on this machine it
    // may be taken, so the binary gets a free one.
    let port = dockerfile_rules::free_port()
        .context("cannot find a free port on this machine for the service")?;
    let mut command = Command::new(&path);
    // Only what the manifest declares, as in a container: a variable the
    // service needs but the manifest forgot shows up here, not in production.
    command.env_clear().env("PORT", port.to_string());
    for (name, value) in values {
        command.env(name, value);
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| {
            format!(
                "cannot start {}: check that it is a program",
                path.display()
            )
        })?;
    let output = Arc::new(Mutex::new(String::new()));
    if let Some(stdout) = child.stdout.take() {
        collect(stdout, Arc::clone(&output));
    }
    if let Some(stderr) = child.stderr.take() {
        collect(stderr, Arc::clone(&output));
    }
    Ok(Running {
        base_url: format!("http://127.0.0.1:{port}"),
        kind: Kind::Binary {
            child,
            output,
            path,
        },
        stopped: false,
    })
}

/// Copies a pipe into `output`, line by line, until it closes.
fn collect(pipe: impl Read + Send + 'static, output: Arc<Mutex<String>>) {
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let mut text = output.lock().unwrap_or_else(PoisonError::into_inner);
            text.push_str(&line);
            text.push('\n');
        }
    });
}

/// `cargo build` of one binary target; returns the executable's path.
fn build(package_dir: &Path, binary: &str) -> anyhow::Result<PathBuf> {
    let manifest_path = package_dir.join("Cargo.toml");
    let args = [
        OsStr::new("--bin"),
        OsStr::new(binary),
        OsStr::new("--manifest-path"),
        manifest_path.as_os_str(),
    ];
    // From this process's own folder, as `cargo` typed here would run.
    crate::cargo::build_binary(Path::new("."), &args, binary, || {
        format!(
            "`cargo build --bin {binary}` failed for {} (its errors are above). If the binary is \
             called something else, fix `binary` in the manifest.",
            manifest_path.display()
        )
    })
}
