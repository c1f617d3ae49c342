//! The one message a learner's runner sends: `POST /api/reports`, with the
//! join code as `Authorization: Bearer CODE` and a [`Report`] as JSON.
//!
//! A report is the learner's whole current status, never a change: the
//! dashboard keeps only the newest report of each learner, so a report can be
//! sent twice, arrive late or be lost without harm, and a restarted dashboard
//! is whole again once each learner has sent one more. Statuses only: test
//! names and counts, never a line of the learner's code, nor the failure
//! messages (which quote it). Unknown fields are refused, so nothing else can
//! be stored by mistake.

use serde::{Deserialize, Serialize};

/// The path the runner posts reports to.
pub const REPORTS_PATH: &str = "/api/reports";

/// The version of this format, in every report.
pub const VERSION: u32 = 1;

/// The largest report body the dashboard reads, in bytes. Ten exercises with
/// [`MAX_FAILING`] names of [`MAX_TEST_NAME`] characters each fit in 64 KiB
/// with room to spare.
pub const MAX_BODY: usize = 64 * 1024;

/// At most this many exercises in a report.
pub const MAX_EXERCISES: usize = 64;

/// At most this many failing test names per exercise; the rest are counted.
pub const MAX_FAILING: usize = 20;

/// The longest test or exercise name kept, in characters.
pub const MAX_TEST_NAME: usize = 200;

/// The longest learner's name, in characters.
pub const MAX_NAME: usize = 60;

/// What a learner's runner knows of their progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// [`VERSION`].
    pub version: u32,
    /// A random id chosen at `class join`, so two learners of the same name
    /// stay two rows.
    pub learner: String,
    /// The name the learner gave at `class join`, shown in the table.
    pub name: String,
    /// When the report left, in seconds since 1970 by the learner's clock.
    /// The dashboard only subtracts the learner's own times from it, so a
    /// laptop whose clock is wrong is still measured right.
    pub sent_at: u64,
    /// One entry per exercise checked so far.
    pub exercises: Vec<Exercise>,
}

/// One exercise's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// Its name in `course.toml`, such as `04_post`.
    pub name: String,
    pub status: Status,
    /// Tests that passed, when the runner counted them.
    #[serde(default)]
    pub passed: Option<u32>,
    /// Tests that failed, when the runner counted them.
    #[serde(default)]
    pub failed: Option<u32>,
    /// The failing tests' names, in libtest's order, at most [`MAX_FAILING`].
    #[serde(default)]
    pub failing: Vec<String>,
    /// When it was last checked (learner's clock, seconds since 1970).
    pub checked_at: u64,
    /// Since when the exercise has shown the same problem: the same status
    /// and the same first failing test (learner's clock). `None` when it
    /// passes or was skipped.
    #[serde(default)]
    pub same_since: Option<u64>,
}

/// The runner's verdict on an exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passes,
    Fails,
    DoesNotCompile,
    TimedOut,
    Skipped,
}

impl Status {
    /// True when the learner has something to do: not passing, not skipped.
    pub fn needs_work(self) -> bool {
        !matches!(self, Status::Passes | Status::Skipped)
    }

    /// A few words for the table, as the runner's own progress table says them.
    pub fn label(self) -> &'static str {
        match self {
            Status::Passes => "passes",
            Status::Fails => "fails",
            Status::DoesNotCompile => "does not compile",
            Status::TimedOut => "timed out",
            Status::Skipped => "skipped",
        }
    }
}

impl Exercise {
    /// What "the same problem" means for [`Exercise::same_since`]: the status
    /// and the first failing test.
    pub fn problem(&self) -> Option<(Status, Option<&str>)> {
        self.status
            .needs_work()
            .then(|| (self.status, self.failing.first().map(String::as_str)))
    }
}

impl Report {
    /// Why the dashboard would refuse this report, if it would: the limits
    /// above, which keep one learner from filling the instructor's memory.
    pub fn problem(&self) -> Option<String> {
        if self.version != VERSION {
            return Some(format!(
                "this report has version {}, the dashboard reads version {VERSION}: update the \
                 course",
                self.version
            ));
        }
        if self.name.trim().is_empty() || self.name.chars().count() > MAX_NAME {
            return Some(format!("a name has 1 to {MAX_NAME} characters"));
        }
        if self.learner.is_empty() || self.learner.len() > 64 {
            return Some("a learner id has 1 to 64 characters".to_owned());
        }
        if self.exercises.len() > MAX_EXERCISES {
            return Some(format!("a report has at most {MAX_EXERCISES} exercises"));
        }
        for exercise in &self.exercises {
            if exercise.name.is_empty() || exercise.name.chars().count() > MAX_TEST_NAME {
                return Some(format!(
                    "an exercise name has 1 to {MAX_TEST_NAME} characters"
                ));
            }
            if exercise.failing.len() > MAX_FAILING {
                return Some(format!(
                    "{} lists {} failing tests: at most {MAX_FAILING}",
                    exercise.name,
                    exercise.failing.len()
                ));
            }
            if exercise
                .failing
                .iter()
                .any(|test| test.chars().count() > MAX_TEST_NAME)
            {
                return Some(format!(
                    "a test name has at most {MAX_TEST_NAME} characters"
                ));
            }
        }
        None
    }
}
