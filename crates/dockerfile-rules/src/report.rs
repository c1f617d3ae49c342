//! What a check finds: rule ids, findings and the report that prints them.
//!
//! A report prints one way only, like a compiler's diagnostics: the
//! `restlings dockerfile` command, chapter 9's tests and this crate's
//! `Display` all write it with [`Report::painted`] (plain text is the
//! painting that changes nothing).

use std::fmt;
use std::path::{Path, PathBuf};

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
    /// The final image has a `HEALTHCHECK`.
    MissingHealthcheck,
    /// The ignore file keeps `.env` and key files out of the context.
    IgnoreSecrets,
    /// Every `FROM` tag names one build, not a release that is rebuilt.
    MovingTag,
}

impl RuleId {
    /// Every rule, in id order.
    pub const ALL: [RuleId; 14] = [
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
        RuleId::MissingHealthcheck,
        RuleId::IgnoreSecrets,
        RuleId::MovingTag,
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
            RuleId::MissingHealthcheck => "DR012",
            RuleId::IgnoreSecrets => "DR013",
            RuleId::MovingTag => "DR014",
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
            RuleId::MissingHealthcheck => "missing-healthcheck",
            RuleId::IgnoreSecrets => "ignore-secrets",
            RuleId::MovingTag => "moving-tag",
        }
    }

    /// The file the rule reads: `.dockerignore` for [`RuleId::Dockerignore`]
    /// and [`RuleId::IgnoreSecrets`], `Dockerfile` for every other rule.
    pub fn file(self) -> &'static str {
        match self {
            RuleId::Dockerignore | RuleId::IgnoreSecrets => ".dockerignore",
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

impl Finding {
    /// `file:12: error[DR004] final-stage-root: …`, then indented `why:` and
    /// `fix:` lines.
    fn write(&self, f: &mut fmt::Formatter<'_>, file: &Path, paint: Paint) -> fmt::Result {
        write!(f, "{}", file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        let tone = match self.severity {
            Severity::Error => Tone::Error,
            Severity::Warning => Tone::Warning,
        };
        let label = format!("{}[{}]", self.severity, self.rule.id());
        write!(
            f,
            ": {} {}: {}\n  why: {}\n  fix: {}",
            paint(tone, &label),
            self.rule.slug(),
            self.message,
            self.why,
            self.fix
        )
    }
}

impl fmt::Display for Finding {
    /// `Dockerfile:12: error[DR004] final-stage-root: …`, then indented
    /// `why:` and `fix:` lines, naming the file by [`RuleId::file`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, Path::new(self.rule.file()), plain)
    }
}

/// The two files a check reads, as its report names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    /// The Dockerfile.
    pub dockerfile: PathBuf,
    /// The ignore file Docker uses for it (see [`crate::ignore_file`]),
    /// which may be missing.
    pub ignore: PathBuf,
}

impl Default for Files {
    /// `Dockerfile` and `.dockerignore`, for text checked without a path.
    fn default() -> Self {
        Files {
            dockerfile: PathBuf::from("Dockerfile"),
            ignore: PathBuf::from(".dockerignore"),
        }
    }
}

impl Files {
    /// The file `rule` reads: the ignore file for the rules about it
    /// ([`RuleId::file`]), the Dockerfile for every other rule.
    pub fn of(&self, rule: RuleId) -> &Path {
        if rule.file() == ".dockerignore" {
            &self.ignore
        } else {
            &self.dockerfile
        }
    }
}

/// Everything a check found, in file order: the Dockerfile by line, then the
/// `.dockerignore`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The findings; empty when the Dockerfile passes every rule.
    pub findings: Vec<Finding>,
    /// The files that were checked, named in the printed report.
    pub files: Files,
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

    /// The report as it prints, with `paint` to colour its labels (a
    /// terminal's red `error[DR004]`, say).
    pub fn painted(&self, paint: Paint) -> Painted<'_> {
        Painted {
            report: self,
            paint,
        }
    }
}

/// The parts of a printed report that a terminal may colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// `error[DR004]`.
    Error,
    /// `warning[DR010]`.
    Warning,
    /// `ok:`, before a summary without findings.
    Ok,
}

/// Turns a label into what is printed, such as the label in red.
pub type Paint = fn(Tone, &str) -> String;

/// The painting that changes nothing.
fn plain(_: Tone, text: &str) -> String {
    text.to_owned()
}

/// A [`Report`] with its painting, ready to print; see [`Report::painted`].
#[derive(Clone, Copy)]
pub struct Painted<'a> {
    report: &'a Report,
    paint: Paint,
}

impl fmt::Display for Painted<'_> {
    /// Each finding, a blank line between them, then a one-line summary that
    /// names both files: `Dockerfile (ignore file: .dockerignore): 2 errors,
    /// 0 warnings`, or `ok: … no problems found`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Painted { report, paint } = *self;
        for finding in &report.findings {
            finding.write(f, report.files.of(finding.rule), paint)?;
            f.write_str("\n\n")?;
        }
        let checked = format!(
            "{} (ignore file: {})",
            report.files.dockerfile.display(),
            report.files.ignore.display()
        );
        let errors = report.count(Severity::Error);
        let warnings = report.count(Severity::Warning);
        match (errors, warnings) {
            (0, 0) => write!(f, "{} {checked}: no problems found", paint(Tone::Ok, "ok:")),
            _ => write!(
                f,
                "{checked}: {errors} {}, {warnings} {}",
                plural(errors, "error"),
                plural(warnings, "warning")
            ),
        }
    }
}

impl fmt::Display for Report {
    /// The report in plain text; see [`Painted`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.painted(plain).fmt(f)
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}
