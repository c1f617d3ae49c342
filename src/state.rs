//! `.restlings/state.json`: the learner's progress, kept between runs.
//!
//! One small JSON file in the state folder at the course root (ignored by
//! git), written whole to a temporary file that is then renamed over it, so
//! a crash leaves the old file or the new one, never half of one. A missing,
//! unreadable or corrupt file is rebuilt by checking every exercise again,
//! with a one-line warning. Other tools may read it (the book server shows
//! done, current and pending from it); `report --json` is the documented,
//! versioned output for everyone else.
//!
//! # Format, version 1
//!
//! ```json
//! {
//!   "version": 1,
//!   "current": "03_get",
//!   "updated_at": "2026-12-04T09:30:00Z",
//!   "exercises": {
//!     "03_get": {
//!       "status": "fail",
//!       "tests": { "passed": 2, "failed": 3, "ignored": 0 },
//!       "failing": ["get_of_an_unknown_id_answers_404"],
//!       "message": "the first failure's message",
//!       "results": [{ "name": "…", "status": "fail", "message": "…" }],
//!       "fingerprint": "fnv1a64:6f1c0e9a2b3d4c5e",
//!       "first_checked": "2026-12-04T09:00:00Z",
//!       "last_checked": "2026-12-04T09:30:00Z",
//!       "passed_at": null,
//!       "time_spent_secs": 1800
//!     }
//!   }
//! }
//! ```
//!
//! - `current` is the exercise to work on: the first in course order that
//!   neither passes nor was skipped (`null` when none is left).
//! - `status` is `pass`, `fail`, `compile_error`, `timeout` or `skipped`.
//!   `message` is the first failure's text, the compile errors, the last
//!   lines before a timeout, or why it was skipped; `null` for a pass.
//! - `results` has one entry per test, `status` `pass`, `fail` or `ignored`,
//!   and for a failure its own message. Messages are cut to a few KB.
//! - `fingerprint` hashes the files the verdict depends on (see
//!   [`fingerprint`]): while it matches, the verdict is reused unchecked.
//! - `time_spent_secs` adds up, for the exercise that was current, the time
//!   from one run of the runner to the next, at most [`IDLE`] each: a
//!   learner who leaves for lunch does not get an hour added.
//! - Timestamps are RFC 3339 in UTC, to the second.

pub mod check;
pub mod clock;
pub mod fingerprint;

pub use check::{check, recheck};

use crate::check::{Outcome, TestStatus, Verdict, libtest::Failure};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The state folder, at the course root. `hint` keeps its levels there too.
pub const DIR: &str = crate::hint::state::DIR;
/// The state file, inside [`DIR`].
pub const FILE: &str = "state.json";
/// The format's version; a file of another version is rebuilt.
pub const VERSION: u32 = 1;
/// The most time one gap between two runs adds to `time_spent_secs`.
pub const IDLE: Duration = Duration::from_secs(10 * 60);
/// The longest message kept, in bytes.
const MESSAGE_LIMIT: usize = 8192;

/// Everything the runner remembers about the learner's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    /// The exercise to work on, so that a restart resumes there.
    pub current: Option<String>,
    /// When the runner last checked anything.
    pub updated_at: Option<String>,
    /// By exercise name.
    pub exercises: BTreeMap<String, Record>,
}

/// The last verdict on one exercise, and what it took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub status: Status,
    pub tests: Counts,
    /// The failing tests' names.
    pub failing: Vec<String>,
    pub message: Option<String>,
    pub results: Vec<TestRecord>,
    pub fingerprint: String,
    pub first_checked: String,
    pub last_checked: String,
    /// When it first passed.
    pub passed_at: Option<String>,
    pub time_spent_secs: u64,
    /// The limit a timed-out test ran into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timed_out_after_secs: Option<u64>,
}

/// An exercise's verdict, as the file spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    CompileError,
    Timeout,
    Skipped,
}

/// How many tests passed, failed and were ignored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub ignored: usize,
}

/// One test's last result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestRecord {
    pub name: String,
    pub status: TestState,
    pub message: Option<String>,
}

/// A test's result, as the file spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestState {
    Pass,
    Fail,
    Ignored,
}

impl Status {
    /// The word the file and `report --json` use.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::CompileError => "compile_error",
            Status::Timeout => "timeout",
            Status::Skipped => "skipped",
        }
    }
}

impl State {
    /// Reads the state of the course at `root`. Anything but a good file of
    /// this version gives an empty state and the warning to print: every
    /// exercise is then checked again, which rebuilds it.
    pub fn load(root: &Path) -> (State, Option<String>) {
        let path = path(root);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let warning = format!(
                    "no progress saved yet ({} is missing): checking every exercise",
                    path.display()
                );
                return (State::new(), Some(warning));
            }
            Err(error) => {
                let warning = format!(
                    "cannot read {} ({error}): checking every exercise to rebuild it",
                    path.display()
                );
                return (State::new(), Some(warning));
            }
        };
        match serde_json::from_slice::<State>(&bytes) {
            Ok(state) if state.version == VERSION => (state, None),
            Ok(state) => {
                let warning = format!(
                    "{} is of version {}, this runner writes {VERSION}: checking every \
                     exercise to rebuild it",
                    path.display(),
                    state.version
                );
                (State::new(), Some(warning))
            }
            Err(error) => {
                let warning = format!(
                    "{} is corrupt ({error}): checking every exercise to rebuild it",
                    path.display()
                );
                (State::new(), Some(warning))
            }
        }
    }

    /// An empty state of this version.
    pub fn new() -> State {
        State {
            version: VERSION,
            ..State::default()
        }
    }

    /// Writes the state atomically: a temporary file of this process, synced,
    /// then renamed over the old one.
    pub fn save(&self, root: &Path) -> anyhow::Result<()> {
        let dir = folder(root)?;
        let path = path(root);
        let temporary = dir.join(format!("{FILE}.{}.tmp", std::process::id()));
        let mut text = serde_json::to_vec_pretty(self).context("cannot encode the progress")?;
        text.push(b'\n');
        crate::files::replace(&path, &temporary, &text).with_context(|| unwritable(&dir))
    }

    /// Records `verdict` as the last word on `name`, checked at `now` (seconds
    /// since the epoch), with the fingerprint of the files it was given.
    pub fn record(&mut self, name: &str, fingerprint: String, verdict: &Verdict, now: u64) {
        let now_text = clock::format(now);
        let old = self.exercises.get(name);
        let status = status(&verdict.outcome);
        let mut counts = Counts::default();
        let results = verdict
            .tests
            .iter()
            .map(|test| {
                let status = match test.status {
                    TestStatus::Pass => TestState::Pass,
                    TestStatus::Fail => TestState::Fail,
                    TestStatus::Ignored => TestState::Ignored,
                };
                match status {
                    TestState::Pass => counts.passed += 1,
                    TestState::Fail => counts.failed += 1,
                    TestState::Ignored => counts.ignored += 1,
                }
                TestRecord {
                    name: test.name.clone(),
                    status,
                    message: test.message.as_deref().map(cut),
                }
            })
            .collect();
        let (failing, message, timed_out_after_secs) = match &verdict.outcome {
            Outcome::Passes => (Vec::new(), None, None),
            Outcome::Fails(failure) => (
                failure.tests.clone(),
                Some(failure.first_message.as_str()),
                None,
            ),
            Outcome::DoesNotCompile { errors } => (Vec::new(), Some(errors.as_str()), None),
            Outcome::TimedOut { after, output } => {
                (Vec::new(), Some(output.as_str()), Some(after.as_secs()))
            }
            Outcome::Skipped { reason } => (Vec::new(), Some(reason.as_str()), None),
        };
        let message = message.map(|text| match verdict.outcome {
            Outcome::TimedOut { .. } => crate::check::libtest::tail(text, 10),
            _ => cut(text),
        });
        let passed_at = match (old.and_then(|old| old.passed_at.clone()), status) {
            (Some(first), _) => Some(first),
            (None, Status::Pass) => Some(now_text.clone()),
            (None, _) => None,
        };
        let record = Record {
            status,
            tests: counts,
            failing,
            message,
            results,
            fingerprint,
            first_checked: old.map_or_else(|| now_text.clone(), |old| old.first_checked.clone()),
            last_checked: now_text,
            passed_at,
            time_spent_secs: old.map_or(0, |old| old.time_spent_secs),
            timed_out_after_secs,
        };
        self.exercises.insert(name.to_owned(), record);
    }

    /// Adds the time since the last run, at most [`IDLE`], to the exercise
    /// that was current then.
    pub fn credit_time(&mut self, now: u64) {
        let Some(since) = self.updated_at.as_deref().and_then(clock::parse) else {
            return;
        };
        let Some(current) = self.current.as_deref() else {
            return;
        };
        let spent = now.saturating_sub(since).min(IDLE.as_secs());
        if let Some(record) = self.exercises.get_mut(current) {
            record.time_spent_secs += spent;
        }
    }
}

impl Record {
    /// The verdict as the runner shows it, rebuilt from the file.
    pub fn outcome(&self) -> Outcome {
        let message = self.message.clone().unwrap_or_default();
        match self.status {
            Status::Pass => Outcome::Passes,
            Status::Fail => Outcome::Fails(Failure {
                tests: self.failing.clone(),
                first_message: message,
            }),
            Status::CompileError => Outcome::DoesNotCompile { errors: message },
            Status::Timeout => Outcome::TimedOut {
                after: Duration::from_secs(self.timed_out_after_secs.unwrap_or_default()),
                output: message,
            },
            Status::Skipped => Outcome::Skipped { reason: message },
        }
    }
}

/// The file's word for `outcome`.
pub fn status(outcome: &Outcome) -> Status {
    match outcome {
        Outcome::Passes => Status::Pass,
        Outcome::Fails(_) => Status::Fail,
        Outcome::DoesNotCompile { .. } => Status::CompileError,
        Outcome::TimedOut { .. } => Status::Timeout,
        Outcome::Skipped { .. } => Status::Skipped,
    }
}

/// `<root>/.restlings/state.json`.
pub fn path(root: &Path) -> PathBuf {
    root.join(DIR).join(FILE)
}

/// The state folder, created if need be; an error that names it if it cannot be.
pub fn folder(root: &Path) -> anyhow::Result<PathBuf> {
    let dir = root.join(DIR);
    std::fs::create_dir_all(&dir).with_context(|| unwritable(&dir))?;
    Ok(dir)
}

fn unwritable(dir: &Path) -> String {
    format!(
        "cannot write the progress file in {}: the runner keeps your progress there. Make \
         that folder writable (or delete it if it is a file), check that the disk is not \
         full, and run again",
        dir.display()
    )
}

/// `text`, cut to [`MESSAGE_LIMIT`] bytes at a character boundary.
fn cut(text: &str) -> String {
    if text.len() <= MESSAGE_LIMIT {
        return text.to_owned();
    }
    let mut end = MESSAGE_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n… (cut: run the exercise's `cargo test` for the rest)",
        &text[..end]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::TestResult;

    fn failing() -> Verdict {
        Verdict {
            outcome: Outcome::Fails(Failure {
                tests: vec!["b".to_owned()],
                first_message: "b failed".to_owned(),
            }),
            tests: vec![
                TestResult {
                    name: "a".to_owned(),
                    status: TestStatus::Pass,
                    message: None,
                },
                TestResult {
                    name: "b".to_owned(),
                    status: TestStatus::Fail,
                    message: Some("b failed".to_owned()),
                },
            ],
        }
    }

    #[test]
    fn a_saved_state_loads_again_with_its_verdicts_and_no_temporary_file_is_left() {
        let root = tempfile::tempdir().expect("a temp dir");
        let mut state = State::new();
        state.record("03_get", "fnv1a64:1".to_owned(), &failing(), 1_796_376_645);
        state.current = Some("03_get".to_owned());
        state.save(root.path()).expect("the state is written");
        let (loaded, warning) = State::load(root.path());
        assert_eq!(warning, None, "a good file loads without a warning");
        assert_eq!(loaded, state, "what is saved is what is loaded again");
        let record = &loaded.exercises["03_get"];
        assert_eq!(
            record.tests,
            Counts {
                passed: 1,
                failed: 1,
                ignored: 0
            },
            "the counts come from the tests' results"
        );
        assert_eq!(
            record.outcome(),
            failing().outcome,
            "the verdict is rebuilt from the file as it was"
        );
        let left: Vec<_> = std::fs::read_dir(root.path().join(DIR))
            .expect("the state folder")
            .map(|entry| entry.expect("an entry").file_name())
            .collect();
        assert_eq!(
            left,
            [FILE],
            "only the state file is left, no temporary one"
        );
    }

    #[test]
    fn time_between_runs_goes_to_the_current_exercise_at_most_the_idle_limit() {
        let mut state = State::new();
        state.record("03_get", "fnv1a64:1".to_owned(), &failing(), 1000);
        state.current = Some("03_get".to_owned());
        state.updated_at = Some(clock::format(1000));
        state.credit_time(1090);
        assert_eq!(
            state.exercises["03_get"].time_spent_secs, 90,
            "90 s between two runs are 90 s spent on the current exercise"
        );
        state.updated_at = Some(clock::format(1090));
        state.credit_time(1090 + 3 * 3600);
        assert_eq!(
            state.exercises["03_get"].time_spent_secs,
            90 + IDLE.as_secs(),
            "a three-hour gap counts as the idle limit, not three hours"
        );
    }
}
