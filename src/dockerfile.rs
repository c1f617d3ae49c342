//! `restlings dockerfile PATH`: the course's Dockerfile rules (the
//! `dockerfile_rules` crate, the same checks chapter 9's tests run), printed
//! the way a compiler prints diagnostics.
//!
//! Exit status: 0 when no rule finds an error, 1 when one does, 2 when the
//! file cannot be read or is not a Dockerfile at all.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use console::style;
use dockerfile_rules::{CheckError, Options, Report, Tone};

/// The exit status for a file that cannot be checked at all.
const UNCHECKABLE: u8 = 2;

/// Checks the Dockerfile at `path` (a file, or a folder holding `Dockerfile`)
/// for a service listening on `port`, and prints the findings. The build
/// context is the Dockerfile's folder, so the ignore file is the one
/// [`dockerfile_rules::ignore_file`] finds there.
pub fn run(path: &Path, port: u16) -> anyhow::Result<ExitCode> {
    match locate(path).and_then(|dockerfile| check(&dockerfile, port)) {
        Ok(report) => {
            println!("{}", report.painted(paint));
            Ok(if report.has_errors() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Err(error) => {
            eprintln!("{}", crate::report::error(&error));
            Ok(ExitCode::from(UNCHECKABLE))
        }
    }
}

/// The Dockerfile `path` names: the file itself, or `Dockerfile` in a folder.
fn locate(path: &Path) -> anyhow::Result<PathBuf> {
    let metadata = std::fs::metadata(path).with_context(|| {
        format!(
            "cannot read {}: give the path of a Dockerfile, or of the folder that holds one",
            path.display()
        )
    })?;
    if !metadata.is_dir() {
        return Ok(path.to_path_buf());
    }
    let inside = path.join("Dockerfile");
    if !inside.is_file() {
        bail!(
            "{} holds no file named Dockerfile: give the Dockerfile's own path if it has another name",
            path.display()
        );
    }
    Ok(inside)
}

fn check(dockerfile: &Path, port: u16) -> anyhow::Result<Report> {
    let folder = dockerfile.parent().unwrap_or(Path::new("."));
    let options = Options {
        port,
        has_lockfile: has_lockfile(folder),
    };
    dockerfile_rules::check_file(dockerfile, folder, &options).map_err(|error| match error {
        CheckError::Read { path, source } => anyhow::Error::new(source).context(format!(
            "cannot read {}: check that it is a readable text file",
            path.display()
        )),
        parse @ CheckError::Parse { .. } => anyhow::Error::new(parse).context(format!(
            "{} cannot be checked: fix its syntax first (`docker build` would stop there too)",
            dockerfile.display()
        )),
    })
}

/// Whether a `Cargo.lock` sits in `folder` or above it, as in a workspace
/// whose lock file is at its root.
fn has_lockfile(folder: &Path) -> bool {
    let absolute = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
    absolute
        .ancestors()
        .any(|dir| dir.join("Cargo.lock").is_file())
}

/// The report's labels as a compiler colours them, when the terminal shows
/// colours: errors red, warnings yellow, `ok:` green.
fn paint(tone: Tone, text: &str) -> String {
    let styled = match tone {
        Tone::Error => style(text).red(),
        Tone::Warning => style(text).yellow(),
        Tone::Ok => style(text).green(),
    };
    styled.bold().to_string()
}
