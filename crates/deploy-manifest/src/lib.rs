//! `deploy.toml`, the deployment manifest of the restlings deploy chapter:
//! what to run, with which configuration, and which endpoints it must answer.
//!
//! ```toml
//! image = "restlings-shop:10"     # the container image to run
//! binary = "shop"                 # without an engine: this binary of the package next to the file
//! port = 8080                     # the port the service listens on (given to it as PORT)
//! health = "/health"              # answered without credentials
//! env = ["API_KEY", "LOG_LEVEL"]  # names only: the values come from the environment
//! stack = "stack.yml"             # optional: deploy this stack on Docker Swarm instead
//!
//! [[endpoints]]
//! method = "GET"
//! path = "/products/{id}"
//! ```
//!
//! [`load`] and [`parse`] check every field and report each problem with the
//! file, line, column and field, such as
//! `deploy.toml:3:8: port: 70000 is not a port: use a whole number from 1 to 65535`.
//! [`Manifest::probes`] turns the endpoints into requests to send, in an order
//! that lets a fresh, seeded service answer all of them. The `restlings deploy`
//! command and the chapter's tests share this crate, so they agree on what a
//! valid manifest is.

mod probe;
mod raw;
mod rules;

use std::fmt;
use std::path::{Path, PathBuf};

pub use probe::{PLACEHOLDER_VALUE, Probe};

/// The file name the course uses for a manifest.
pub const FILE_NAME: &str = "deploy.toml";

/// The HTTP methods an endpoint may declare, spelled as HTTP spells them.
pub const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// A manifest whose every field passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The container image, with a pinned tag, such as `restlings-shop:10`.
    pub image: String,
    /// The name of the binary target to run when no container engine is used.
    pub binary: String,
    /// The port the service listens on inside its container.
    pub port: u16,
    /// The path of the health check, such as `/health`.
    pub health: String,
    /// The variables the service needs, by name, in the order declared.
    pub env: Vec<EnvVar>,
    /// The endpoints the service exposes, in the order declared.
    pub endpoints: Vec<Endpoint>,
    /// A stack file (Compose Specification) beside the manifest, such as
    /// `stack.yml`: then the service is deployed on Docker Swarm, behind the
    /// stack's proxy, instead of as one container or binary (chapter 12).
    pub stack: Option<String>,
}

/// An environment variable the service needs, and where it is declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub at: Location,
}

/// One declared endpoint: a method and a path, which may hold placeholders
/// such as `{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub method: String,
    pub path: String,
    pub at: Location,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

impl Manifest {
    /// True when the manifest passes `name` to the service.
    pub fn needs(&self, name: &str) -> bool {
        self.env.iter().any(|var| var.name == name)
    }
}

/// A line and column in the manifest, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The line and column of byte `offset` in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Location {
        let before = text.get(..offset.min(text.len())).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before[line_start..].chars().count() + 1;
        Location { line, column }
    }
}

/// One thing wrong in a manifest: where, which field, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub at: Location,
    /// The field, such as `port` or `endpoints[2].method`.
    pub field: String,
    pub message: String,
}

/// A manifest that could be read but is not valid: every problem found, in
/// the order of the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Invalid {
    pub file: PathBuf,
    pub problems: Vec<Problem>,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        let noun = if count == 1 { "problem" } else { "problems" };
        write!(f, "{} has {count} {noun}:", self.file.display())?;
        for problem in &self.problems {
            write!(
                f,
                "\n  {}:{}:{}: {}: {}",
                self.file.display(),
                problem.at.line,
                problem.at.column,
                problem.field,
                problem.message
            )?;
        }
        Ok(())
    }
}

/// Why [`load`] gave no manifest.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}: {source}. Check the path: the manifest is usually {FILE_NAME} next to the package's Cargo.toml", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] Invalid),
}

/// Reads and checks the manifest at `path`.
pub fn load(path: &Path) -> Result<Manifest, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(parse(&text, path)?)
}

/// Checks the manifest `text`; `file` only names it in the problems.
pub fn parse(text: &str, file: &Path) -> Result<Manifest, Invalid> {
    raw::parse(text).map_err(|problems| Invalid {
        file: file.to_path_buf(),
        problems,
    })
}
