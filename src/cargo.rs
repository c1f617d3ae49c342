//! Starting cargo from a program that cargo started.
//!
//! `cargo run` and `cargo test` give the program they start variables a shell
//! does not have: `CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME` and the rest of the
//! package's description. A nested build that kept them would not be the
//! learner's build: build scripts may ask to rerun when one changes (ring's
//! tracks `CARGO_MANIFEST_DIR`), so the nested build would compile ring,
//! rustls and headless_chrome again, and the learner's next `cargo test`
//! would do it once more.

use anyhow::{Context, bail};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The cargo that started this program (`$CARGO`), or the one on `PATH`.
pub fn program() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// `cargo`, to run as if from the learner's shell: without the variables
/// cargo sets for the program it runs.
pub fn command(cargo: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(cargo);
    for (name, _) in std::env::vars_os() {
        if set_by_cargo(&name.to_string_lossy()) {
            command.env_remove(name);
        }
    }
    command
}

/// `cargo build ARGS` in `dir`, with cargo's errors on this program's
/// stderr; returns the executable cargo built for the binary target
/// `binary`. When the build fails, the error is `failed()`: what to do next.
pub fn build_binary(
    dir: &Path,
    args: &[&OsStr],
    binary: &str,
    failed: impl FnOnce() -> String,
) -> anyhow::Result<PathBuf> {
    let cargo = program();
    let output = command(&cargo)
        .current_dir(dir)
        .arg("build")
        .args(args)
        .arg("--message-format=json-render-diagnostics")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| {
            format!(
                "cannot run `{} build`: is cargo on your PATH?",
                cargo.display()
            )
        })?;
    if !output.status.success() {
        bail!(failed());
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == binary)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .with_context(|| format!("cargo built {binary} but reported no executable for it"))
}

/// Whether cargo sets `name` for a program it runs (`cargo run`, `cargo
/// test`), as opposed to a variable the learner set, such as
/// `CARGO_TARGET_DIR` or `CARGO_HOME`.
pub fn set_by_cargo(name: &str) -> bool {
    const PREFIXES: [&str; 5] = [
        "CARGO_MANIFEST_",
        "CARGO_PKG_",
        "CARGO_BIN_",
        "CARGO_CRATE_NAME",
        "CARGO_PRIMARY_PACKAGE",
    ];
    PREFIXES.iter().any(|prefix| name.starts_with(prefix))
        || ["CARGO_TARGET_TMPDIR", "OUT_DIR"].contains(&name)
}

#[cfg(test)]
mod tests {
    use super::set_by_cargo;

    #[test]
    fn the_packages_variables_are_dropped_and_the_learners_kept() {
        for name in [
            "CARGO_MANIFEST_DIR",
            "CARGO_PKG_NAME",
            "CARGO_BIN_EXE_restlings",
            "OUT_DIR",
        ] {
            assert!(
                set_by_cargo(name),
                "{name} is set by cargo run and cargo test"
            );
        }
        for name in [
            "CARGO_TARGET_DIR",
            "CARGO_HOME",
            "CARGO_BUILD_JOBS",
            "CARGO",
            "PATH",
        ] {
            assert!(!set_by_cargo(name), "{name} is the learner's setting, kept");
        }
    }
}
