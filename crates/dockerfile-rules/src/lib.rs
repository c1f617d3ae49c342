//! Static checks of a Dockerfile for a Rust web service: the rules of the
//! restlings containerize chapter, each with a stable id, a line, a reason and
//! a fix.
//!
//! ```ignore
//! let report = dockerfile_rules::check_dir(Path::new("."), &Options::default())?;
//! print!("{report}");
//! // Dockerfile:12: error[DR004] final-stage-root: the final stage never sets `USER`, …
//! //   why: …
//! //   fix: …
//! ```
//!
//! The Dockerfile is parsed by the `parse-dockerfile` crate (multi-stage,
//! heredocs, exec and shell forms); the rules live in `rules/`, one function
//! each, and every rule id is listed in [`RuleId::ALL`].
//!
//! The crate also holds the facts that the runner and chapters 9 and 10 share
//! about building and running an image here, so that each has one
//! implementation: which ignore file Docker reads ([`ignore_file`]), which
//! container engine runs ([`engine`]), and a free port ([`free_port`]).

pub mod engine;
mod port;
mod report;
mod rules;
mod run_spec;
mod view;

use std::io;
use std::path::{Path, PathBuf};

pub use port::free_port;
pub use report::{Files, Finding, Paint, Painted, Report, RuleId, Severity, Tone};
pub use run_spec::{Invocation, RunSpec, run_spec};

/// What the checked project promises, for the rules that depend on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The port the service listens on, which the final stage must `EXPOSE`.
    pub port: u16,
    /// Whether the project has a `Cargo.lock`, so the build must be `--locked`.
    pub has_lockfile: bool,
}

impl Default for Options {
    /// Port 8080, with a `Cargo.lock`: the course's services.
    fn default() -> Self {
        Options {
            port: 8080,
            has_lockfile: true,
        }
    }
}

/// Why a check could not run at all. Problems *in* the Dockerfile are
/// [`Finding`]s, not errors.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The Dockerfile is not valid Dockerfile syntax.
    #[error(
        "the Dockerfile does not parse{}: {message}",
        line.map(|line| format!(" (line {line})")).unwrap_or_default()
    )]
    Parse {
        /// The parser's message.
        message: String,
        /// The 1-based line the parser stopped at, when it knows.
        line: Option<usize>,
    },
    /// A file could not be read.
    #[error("could not read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
}

/// Checks the text of a Dockerfile and, when there is one, of its
/// `.dockerignore`.
pub fn check(
    dockerfile: &str,
    dockerignore: Option<&str>,
    options: &Options,
) -> Result<Report, CheckError> {
    let parsed = parse_dockerfile::parse(dockerfile).map_err(|error| CheckError::Parse {
        // `{:#}` is the message alone; the line is its own field.
        message: format!("{error:#}"),
        line: (error.line() > 0).then(|| error.line()),
    })?;
    let ctx = view::Ctx::new(dockerfile, &parsed, dockerignore, options);
    let mut findings = rules::all(&ctx);
    findings.sort_by_key(|f| (f.rule.file() != "Dockerfile", f.line, f.rule));
    Ok(Report {
        findings,
        files: Files::default(),
    })
}

/// The ignore file Docker reads when it builds `dockerfile` with `context` as
/// the build context. BuildKit's rule: `<Dockerfile name>.dockerignore`
/// beside the Dockerfile when that file exists (`Dockerfile.dockerignore`,
/// `app.Dockerfile.dockerignore`), else `.dockerignore` at the root of the
/// context, which may be missing too.
pub fn ignore_file(dockerfile: &Path, context: &Path) -> PathBuf {
    let mut beside = dockerfile.as_os_str().to_owned();
    beside.push(".dockerignore");
    let beside = PathBuf::from(beside);
    if beside.is_file() {
        beside
    } else {
        context.join(".dockerignore")
    }
}

/// Checks the Dockerfile at `dockerfile`, built with `context` as its build
/// context, with the ignore file Docker would use for it ([`ignore_file`]).
/// The report names both files.
pub fn check_file(
    dockerfile: &Path,
    context: &Path,
    options: &Options,
) -> Result<Report, CheckError> {
    let text = std::fs::read_to_string(dockerfile).map_err(|source| CheckError::Read {
        path: dockerfile.to_path_buf(),
        source,
    })?;
    let ignore = ignore_file(dockerfile, context);
    let ignore_text = match std::fs::read_to_string(&ignore) {
        Ok(text) => Some(text),
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(CheckError::Read {
                path: ignore,
                source,
            });
        }
    };
    let report = check(&text, ignore_text.as_deref(), options)?;
    Ok(Report {
        files: Files {
            dockerfile: dockerfile.to_path_buf(),
            ignore,
        },
        ..report
    })
}

/// Checks `dir/Dockerfile` with `dir` as the build context: see
/// [`check_file`].
pub fn check_dir(dir: &Path, options: &Options) -> Result<Report, CheckError> {
    check_file(&dir.join("Dockerfile"), dir, options)
}
