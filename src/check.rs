//! Checking exercises: build their tests with cargo, run each test binary
//! under a timeout, and turn what happened into an [`Outcome`].

mod build;
mod environment;
pub mod libtest;
mod run;

use crate::course::{Course, Exercise};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use libtest::Failure;
pub use libtest::{TestResult, TestStatus};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The default time a test binary may run before it counts as hung.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// How many failing test names to list.
const NAMES_SHOWN: usize = 5;

/// How many lines of a compile error to show.
const ERROR_LINES: usize = 30;

/// The verdict on one exercise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every test passes.
    Passes,
    /// Some test failed.
    Fails(Failure),
    /// The exercise (or something it needs) does not compile.
    DoesNotCompile { errors: String },
    /// A test binary ran longer than the timeout and was killed.
    TimedOut { after: Duration, output: String },
    /// The tests ran but said they could not check anything (`SKIPPED: …`).
    Skipped { reason: String },
}

impl Outcome {
    /// True only for [`Outcome::Passes`]: skipped never counts as passed.
    pub fn passes(&self) -> bool {
        matches!(self, Outcome::Passes)
    }

    /// True when the learner has something to do here: not passing, not skipped.
    pub fn needs_work(&self) -> bool {
        !matches!(self, Outcome::Passes | Outcome::Skipped { .. })
    }

    /// The one-character mark of the progress table.
    pub fn mark(&self) -> &'static str {
        match self {
            Outcome::Passes => "✓",
            Outcome::Fails(_) => "✗",
            Outcome::DoesNotCompile { .. } => "!",
            Outcome::TimedOut { .. } => "⏱",
            Outcome::Skipped { .. } => "–",
        }
    }

    /// A few words for the progress table.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Passes => "passes",
            Outcome::Fails(_) => "fails",
            Outcome::DoesNotCompile { .. } => "does not compile",
            Outcome::TimedOut { .. } => "timed out",
            Outcome::Skipped { .. } => "skipped",
        }
    }

    /// What went wrong, for the learner to read: empty when it passes.
    pub fn details(&self) -> String {
        match self {
            Outcome::Passes => String::new(),
            Outcome::Fails(failure) => {
                let mut names = String::new();
                if !failure.tests.is_empty() {
                    names = format!("Failing tests ({}):\n", failure.tests.len());
                    for name in failure.tests.iter().take(NAMES_SHOWN) {
                        names.push_str(&format!("  - {name}\n"));
                    }
                    if failure.tests.len() > NAMES_SHOWN {
                        let more = failure.tests.len() - NAMES_SHOWN;
                        names.push_str(&format!("  … and {more} more\n"));
                    }
                    names.push_str("\nThe first failure says:\n");
                }
                format!("{names}{}", failure.first_message)
            }
            Outcome::DoesNotCompile { errors } => errors.clone(),
            Outcome::TimedOut { after, output } => {
                let tail = libtest::tail(output, 10).trim().to_owned();
                format!(
                    "A test was still running after {} s, so it was stopped.\n{TIMED_OUT}\
                     {}{tail}",
                    after.as_secs(),
                    if tail.is_empty() {
                        ""
                    } else {
                        "\nLast output:\n"
                    }
                )
            }
            Outcome::Skipped { reason } => format!("Skipped: {reason}"),
        }
    }
}

/// The verdict on one exercise and the result of each of its tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub outcome: Outcome,
    /// Every test that ran, in the order libtest reported them; empty when
    /// nothing ran (it does not compile).
    pub tests: Vec<TestResult>,
}

/// Builds and runs exercise tests for one course.
#[derive(Debug, Clone)]
pub struct Checker {
    root: PathBuf,
    cargo: OsString,
    timeout: Duration,
    /// Set for the test binaries, such as `RESTLINGS_BASE_URL` in URL mode.
    envs: Vec<(String, OsString)>,
}

impl Checker {
    /// A checker for the course at `root`, using `$CARGO` (or `cargo`).
    pub fn new(course: &Course, timeout: Duration) -> Checker {
        Checker {
            root: course.root().to_path_buf(),
            cargo: crate::cargo::program(),
            timeout,
            envs: Vec::new(),
        }
    }

    /// The same checker, running the test binaries with `key` set to `value`.
    pub fn with_env(mut self, key: &str, value: impl Into<OsString>) -> Checker {
        self.envs.push((key.to_owned(), value.into()));
        self
    }

    /// How long a test binary may run.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The cargo this checker runs: `$CARGO`, or `cargo`.
    pub fn cargo(&self) -> &std::ffi::OsStr {
        &self.cargo
    }

    /// Checks `exercises`, returning one outcome each, in the same order.
    pub fn check(&self, exercises: &[Exercise]) -> anyhow::Result<Vec<Outcome>> {
        Ok(self
            .verdicts(exercises)?
            .into_iter()
            .map(|verdict| verdict.outcome)
            .collect())
    }

    /// Checks `exercises`, returning one verdict each, with every test's
    /// result, in the same order. A build that the machine stopped (a full or
    /// read-only disk, no toolchain) is an error that says so, not a compile
    /// error of every exercise.
    pub fn verdicts(&self, exercises: &[Exercise]) -> anyhow::Result<Vec<Verdict>> {
        let mut packages = Vec::new();
        let mut manifests = Vec::new();
        let mut outcomes: Vec<Option<Verdict>> = Vec::new();
        for exercise in exercises {
            let manifest = build::canonical(&self.root.join(&exercise.dir).join("Cargo.toml"));
            match exercise.package(&self.root) {
                Ok(package) => {
                    packages.push(package);
                    outcomes.push(None);
                }
                Err(error) => outcomes.push(Some(Verdict {
                    outcome: Outcome::DoesNotCompile {
                        errors: format!("{error:#}"),
                    },
                    tests: Vec::new(),
                })),
            }
            manifests.push(manifest);
        }

        let built = self.build(&packages)?;
        environment_failure(&built)?;

        let bar = ProgressBar::new(exercises.len() as u64).with_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} testing {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let mut results = Vec::new();
        for ((exercise, manifest), outcome) in exercises.iter().zip(&manifests).zip(outcomes) {
            bar.set_message(exercise.name.clone());
            let outcome = match outcome {
                Some(outcome) => outcome,
                None => self.judge(exercise, manifest, &manifests, &built)?,
            };
            results.push(outcome);
            bar.inc(1);
        }
        bar.finish_and_clear();
        Ok(results)
    }

    /// Builds the tests of `exercises` with the progress bar and runs none.
    /// Returns the names of those that do not compile; a build that the
    /// machine stopped is an error that says why.
    pub fn build_only(&self, exercises: &[Exercise]) -> anyhow::Result<Vec<String>> {
        let mut packages = Vec::new();
        let mut broken = Vec::new();
        for exercise in exercises {
            match exercise.package(&self.root) {
                Ok(package) => packages.push(package),
                Err(_) => broken.push(exercise.name.clone()),
            }
        }
        let built = self.build(&packages)?;
        environment_failure(&built)?;
        for exercise in exercises {
            let manifest = build::canonical(&self.root.join(&exercise.dir).join("Cargo.toml"));
            let compiled =
                built.executables.contains_key(&manifest) && !built.errors.contains_key(&manifest);
            if !compiled && !broken.contains(&exercise.name) {
                broken.push(exercise.name.clone());
            }
        }
        Ok(broken)
    }

    fn build(&self, packages: &[String]) -> anyhow::Result<build::Built> {
        if packages.is_empty() {
            return Ok(build::Built::default());
        }
        // A spinner until cargo says how many units there are, then a bar:
        // the first build compiles a few hundred crates, for minutes.
        let bar = ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {elapsed:>4} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar.set_message(BUILDING);
        let shown = bar.clone();
        let on_building = move |building: build::Building| match building {
            build::Building::Blocked => shown.set_message(format!("{BUILDING} {BLOCKED}")),
            build::Building::Progress { done, total, now } => {
                if shown.length().is_none() {
                    shown.set_style(
                        ProgressStyle::with_template(
                            "{elapsed:>4} [{bar:30}] {pos}/{len} {wide_msg}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                    );
                }
                shown.set_length(total);
                shown.set_position(done);
                let first = if total > FEW_UNITS { FIRST_TIME } else { "" };
                shown.set_message(format!("{BUILDING} {now} {first}"));
            }
        };
        let built = build::build(&self.cargo, &self.root, packages, on_building);
        bar.finish_and_clear();
        built
    }

    /// The outcome of one exercise, from the build's results and its test runs.
    fn judge(
        &self,
        exercise: &Exercise,
        manifest: &Path,
        manifests: &[PathBuf],
        built: &build::Built,
    ) -> anyhow::Result<Verdict> {
        let mut tests = Vec::new();
        let outcome = self.run_tests(exercise, manifest, manifests, built, &mut tests)?;
        Ok(Verdict { outcome, tests })
    }

    /// Runs the test binaries of `exercise`, adding each test's result to
    /// `tests`, and says what happened.
    fn run_tests(
        &self,
        exercise: &Exercise,
        manifest: &Path,
        manifests: &[PathBuf],
        built: &build::Built,
        tests: &mut Vec<TestResult>,
    ) -> anyhow::Result<Outcome> {
        if let Some(errors) = built.errors.get(manifest) {
            return Ok(compile_errors(errors));
        }
        let executables = built.executables.get(manifest).cloned().unwrap_or_default();
        if executables.is_empty() {
            // Its own code built, or it would have errors: something it needs
            // did not, such as a shared crate. Other exercises' errors are theirs.
            let others: Vec<String> = built
                .errors
                .iter()
                .filter(|(owner, _)| !manifests.contains(owner))
                .flat_map(|(_, errors)| errors.iter().cloned())
                .collect();
            if !others.is_empty() {
                return Ok(compile_errors(&others));
            }
            let errors = libtest::tail(&built.cargo_stderr, ERROR_LINES);
            return Ok(Outcome::DoesNotCompile {
                errors: if errors.is_empty() {
                    format!("cargo built no test binary for `{}`.", exercise.name)
                } else {
                    errors
                },
            });
        }

        let dir = self.root.join(&exercise.dir);
        let timeout = exercise.timeout_secs.map_or(self.timeout, |secs| {
            self.timeout.max(Duration::from_secs(secs))
        });
        let mut skipped = None;
        for executable in &executables {
            // `--show-output` is a libtest flag (every exercise uses the default
            // harness): it prints what passing tests printed, so a test that
            // skips itself can say so with a plain `println!("SKIPPED: …")`.
            let mut envs: Vec<(&str, &std::ffi::OsStr)> = vec![
                ("CARGO_MANIFEST_DIR", dir.as_os_str()),
                ("RUST_BACKTRACE", "0".as_ref()),
            ];
            envs.extend(
                self.envs
                    .iter()
                    .map(|(key, value)| (key.as_str(), value.as_os_str())),
            );
            let run = run::run(executable, &["--show-output"], &dir, &envs, timeout)
                .with_context(|| format!("while checking `{}`", exercise.name))?;
            tests.extend(libtest::results(&run.output));
            match run.ended {
                run::Ended::Killed => {
                    return Ok(Outcome::TimedOut {
                        after: timeout,
                        output: run.output,
                    });
                }
                run::Ended::Exited(status) if !status.success() => {
                    return Ok(Outcome::Fails(libtest::failure(&run.output)));
                }
                run::Ended::Exited(_) => {
                    if skipped.is_none() {
                        skipped = libtest::skipped_reason(&run.output).map(str::to_owned);
                    }
                }
            }
        }
        Ok(match skipped {
            Some(reason) => Outcome::Skipped { reason },
            None => Outcome::Passes,
        })
    }
}

/// An error when the build failed because of the machine, not the code.
fn environment_failure(built: &build::Built) -> anyhow::Result<()> {
    if built.success {
        return Ok(());
    }
    let said = built
        .errors
        .values()
        .flatten()
        .map(String::as_str)
        .chain([built.cargo_stderr.as_str()])
        .collect::<Vec<_>>()
        .join("\n");
    match environment::diagnose(&said) {
        Some(diagnosis) => anyhow::bail!("{diagnosis}"),
        None => Ok(()),
    }
}

/// The first compile errors, cut to a readable length.
fn compile_errors(errors: &[String]) -> Outcome {
    let all = errors.join("\n");
    let lines: Vec<&str> = all.lines().collect();
    let mut shown = lines[..lines.len().min(ERROR_LINES)].join("\n");
    if lines.len() > ERROR_LINES {
        shown.push_str(&format!(
            "\n… ({} more lines: run the exercise's `cargo test` to see them all)",
            lines.len() - ERROR_LINES
        ));
    }
    Outcome::DoesNotCompile { errors: shown }
}

const BUILDING: &str = "Building the exercises…";

const BLOCKED: &str = "waiting for another cargo (your editor's?) to finish with `target/`";

const FIRST_TIME: &str = "(the first time, the dependencies compile: a few minutes)";

/// More units than an edit rebuilds: the dependencies are compiling.
const FEW_UNITS: u64 = 20;

const TIMED_OUT: &str = "Look for a loop that never ends, a lock that is never released, \
                         or a server that waits for a request that never comes.";
