//! What a check finds: rule ids, findings and the report that prints them.

use std::fmt;

/// A rule, with a stable id (`DR004`) and a short slug (`final-stage-root`).
///
/// Ids never change meaning once published: tests, the book and learners'
/// notes refer to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleId {
    /// A build stage with the Rust toolchain, and a final stage without it.
    MultiStage,
    /// Every `FROM` image pinned to a tag or digest, never `latest`.
    UnpinnedImage,
    /// `cargo build --release`, and `--locked` when there is a `Cargo.lock`.
    CargoBuildFlags,
    /// The final stage switches to a non-root `USER`.
    FinalStageRoot,
    /// The final stage `EXPOSE`s the service's port.
    MissingExpose,
    /// `CMD` and `ENTRYPOINT` in exec (JSON) form.
    ShellFormCommand,
    /// `COPY`, not `ADD`, for local files.
    AddLocalFiles,
    /// No secrets in `ENV` or `ARG` names.
    SecretInEnv,
    /// A `.dockerignore` that keeps `target/` and `.git` out of the context.
    Dockerignore,
    /// `apt-get install --no-install-recommends`, and the lists removed.
    AptGetHygiene,
    /// `ADD` of a URL.
    AddUrl,
}

impl RuleId {
    /// Every rule, in id order.
    pub const ALL: [RuleId; 11] = [
        RuleId::MultiStage,
        RuleId::UnpinnedImage,
        RuleId::CargoBuildFlags,
        RuleId::FinalStageRoot,
        RuleId::MissingExpose,
        RuleId::ShellFormCommand,
        RuleId::AddLocalFiles,
        RuleId::SecretInEnv,
        RuleId::Dockerignore,
        RuleId::AptGetHygiene,
        RuleId::AddUrl,
    ];

    /// The stable id, such as `"DR004"`.
    pub fn id(self) -> &'static str {
        match self {
            RuleId::MultiStage => "DR001",
            RuleId::UnpinnedImage => "DR002",
            RuleId::CargoBuildFlags => "DR003",
            RuleId::FinalStageRoot => "DR004",
            RuleId::MissingExpose => "DR005",
            RuleId::ShellFormCommand => "DR006",
            RuleId::AddLocalFiles => "DR007",
            RuleId::SecretInEnv => "DR008",
            RuleId::Dockerignore => "DR009",
            RuleId::AptGetHygiene => "DR010",
            RuleId::AddUrl => "DR011",
        }
    }

    /// The short name, such as `"final-stage-root"`.
    pub fn slug(self) -> &'static str {
        match self {
            RuleId::MultiStage => "multi-stage",
            RuleId::UnpinnedImage => "unpinned-image",
            RuleId::CargoBuildFlags => "cargo-build-flags",
            RuleId::FinalStageRoot => "final-stage-root",
            RuleId::MissingExpose => "missing-expose",
            RuleId::ShellFormCommand => "shell-form-command",
            RuleId::AddLocalFiles => "add-local-files",
            RuleId::SecretInEnv => "secret-in-env",
            RuleId::Dockerignore => "dockerignore",
            RuleId::AptGetHygiene => "apt-get-hygiene",
            RuleId::AddUrl => "add-url",
        }
    }

    /// The file the rule reads: `.dockerignore` for [`RuleId::Dockerignore`],
    /// `Dockerfile` for every other rule.
    pub fn file(self) -> &'static str {
        match self {
            RuleId::Dockerignore => ".dockerignore",
            _ => "Dockerfile",
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id(), self.slug())
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Fix it before shipping: the image is unsafe, fragile or broken.
    Error,
    /// Worth fixing: the image works but is bigger or slower than it needs to be.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem, where it is, why it matters and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule that found it.
    pub rule: RuleId,
    /// How much it matters.
    pub severity: Severity,
    /// The 1-based line in the rule's file, when there is one to point at.
    pub line: Option<usize>,
    /// What is wrong, in this file.
    pub message: String,
    /// Why it matters, in one sentence.
    pub why: String,
    /// What to do, in one sentence.
    pub fix: String,
}

impl fmt::Display for Finding {
    /// `Dockerfile:12: DR004 final-stage-root: …`, then indented `why:` and
    /// `fix:` lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rule.file())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(
            f,
            ": {}: {}\n  why: {}\n  fix: {}",
            self.rule, self.message, self.why, self.fix
        )
    }
}

/// Everything a check found, in file order: the Dockerfile by line, then the
/// `.dockerignore`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The findings; empty when the Dockerfile passes every rule.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether any finding is an [`Severity::Error`].
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// How many findings have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    }
}

impl fmt::Display for Report {
    /// Each finding, a blank line between them, then a one-line summary.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            writeln!(f, "{finding}\n")?;
        }
        let errors = self.count(Severity::Error);
        let warnings = self.count(Severity::Warning);
        match (errors, warnings) {
            (0, 0) => write!(f, "No problems found: the Dockerfile passes every rule."),
            _ => write!(
                f,
                "{errors} {}, {warnings} {}",
                plural(errors, "error"),
                plural(warnings, "warning")
            ),
        }
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}
