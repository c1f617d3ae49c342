//! `restlings dockerfile PATH`: the course's Dockerfile rules (the
//! `dockerfile_rules` crate, the same checks chapter 9's tests run), printed
//! the way a compiler prints diagnostics.
//!
//! Exit status: 0 when no rule finds an error, 1 when one does, 2 when the
//! file cannot be read or is not a Dockerfile at all.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use console::style;
use dockerfile_rules::{Finding, Options, Report, RuleId, Severity};

/// The exit status for a file that cannot be checked at all.
const UNCHECKABLE: u8 = 2;

/// The files one check reads.
#[derive(Debug)]
struct Files {
    dockerfile: PathBuf,
    /// The ignore file Docker would use: `<Dockerfile>.dockerignore` beside
    /// the Dockerfile when there is one (BuildKit reads it first), else the
    /// `.dockerignore` in the Dockerfile's folder.
    ignore: PathBuf,
}

/// Checks the Dockerfile at `path` (a file, or a folder holding `Dockerfile`)
/// for a service listening on `port`, and prints the findings.
pub fn run(path: &Path, port: u16) -> anyhow::Result<ExitCode> {
    let checked = locate(path).and_then(|files| {
        let report = check(&files, port)?;
        Ok((files, report))
    });
    match checked {
        Ok((files, report)) => {
            print!("{}", render(&files, &report));
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

fn locate(path: &Path) -> anyhow::Result<Files> {
    let metadata = std::fs::metadata(path).with_context(|| {
        format!(
            "cannot read {}: give the path of a Dockerfile, or of the folder that holds one",
            path.display()
        )
    })?;
    let dockerfile = if metadata.is_dir() {
        let inside = path.join("Dockerfile");
        if !inside.is_file() {
            bail!(
                "{} holds no file named Dockerfile: give the Dockerfile's own path if it has another name",
                path.display()
            );
        }
        inside
    } else {
        path.to_path_buf()
    };
    let folder = dockerfile.parent().unwrap_or(Path::new("."));
    let mut own = dockerfile.clone().into_os_string();
    own.push(".dockerignore");
    let own = PathBuf::from(own);
    let ignore = if own.is_file() {
        own
    } else {
        folder.join(".dockerignore")
    };
    Ok(Files { dockerfile, ignore })
}

fn check(files: &Files, port: u16) -> anyhow::Result<Report> {
    let text = std::fs::read_to_string(&files.dockerfile).with_context(|| {
        format!(
            "cannot read {}: check that it is a readable text file",
            files.dockerfile.display()
        )
    })?;
    let ignore = match std::fs::read_to_string(&files.ignore) {
        Ok(text) => Some(text),
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(error) => {
            return Err(error).with_context(|| {
                format!(
                    "cannot read {}: check that it is a readable text file",
                    files.ignore.display()
                )
            });
        }
    };
    let folder = files.dockerfile.parent().unwrap_or(Path::new("."));
    let options = Options {
        port,
        has_lockfile: has_lockfile(folder),
    };
    dockerfile_rules::check(&text, ignore.as_deref(), &options).with_context(|| {
        format!(
            "{} cannot be checked: fix its syntax first (`docker build` would stop there too)",
            files.dockerfile.display()
        )
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

/// `path:line: error[DR004] final-stage-root: message`, then `why:` and
/// `fix:`, for each finding; then a summary.
fn render(files: &Files, report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let _ = writeln!(out, "{}\n", diagnostic(files, finding));
    }
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let checked = format!(
        "{} (ignore file: {})",
        files.dockerfile.display(),
        files.ignore.display()
    );
    let _ = match (errors, warnings) {
        (0, 0) => writeln!(
            out,
            "{} {checked}: no problems found",
            style("ok:").green().bold()
        ),
        _ => writeln!(
            out,
            "{checked}: {errors} {}, {warnings} {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        ),
    };
    out
}

fn diagnostic(files: &Files, finding: &Finding) -> String {
    let file = match finding.rule {
        RuleId::Dockerignore => &files.ignore,
        _ => &files.dockerfile,
    };
    let location = match finding.line {
        Some(line) => format!("{}:{line}", file.display()),
        None => file.display().to_string(),
    };
    let severity = match finding.severity {
        Severity::Error => style(format!("error[{}]", finding.rule.id())).red().bold(),
        Severity::Warning => style(format!("warning[{}]", finding.rule.id()))
            .yellow()
            .bold(),
    };
    format!(
        "{location}: {severity} {}: {}\n  why: {}\n  fix: {}",
        finding.rule.slug(),
        finding.message,
        finding.why,
        finding.fix
    )
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}
