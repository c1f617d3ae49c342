//! What the dashboard knows: the newest report of each learner, and the
//! table it makes of them.
//!
//! Nothing is written to disk. Each report is a learner's whole status, so a
//! restarted dashboard is complete again after each learner's next check;
//! keeping the reports would only keep what the learners will say again.

use crate::wire::{Report, Status};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

/// How many of the most common failing tests to list per chapter.
pub const COMMON_SHOWN: usize = 5;

/// The newest report of each learner, by learner id.
#[derive(Debug, Default)]
pub struct Board {
    learners: HashMap<String, Received>,
    /// Reports taken since the dashboard started.
    pub received: u64,
}

#[derive(Debug)]
struct Received {
    report: Report,
    at: Instant,
}

/// Why a report was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum Full {
    /// The board holds as many learners as it may.
    TooManyLearners(usize),
}

impl Board {
    /// Keeps `report` as its learner's status, unless the board is full of
    /// other learners.
    pub fn take(&mut self, report: Report, max_learners: usize) -> Result<(), Full> {
        if !self.learners.contains_key(&report.learner) && self.learners.len() >= max_learners {
            return Err(Full::TooManyLearners(max_learners));
        }
        self.received += 1;
        self.learners.insert(
            report.learner.clone(),
            Received {
                report,
                at: Instant::now(),
            },
        );
        Ok(())
    }

    /// How many learners have a row.
    pub fn len(&self) -> usize {
        self.learners.len()
    }

    pub fn is_empty(&self) -> bool {
        self.learners.is_empty()
    }

    /// Whether `learner` already has a row.
    pub fn knows(&self, learner: &str) -> bool {
        self.learners.contains_key(learner)
    }

    /// The table, as the page and `GET /api/board` show it.
    pub fn view(&self, stuck_after: Duration) -> View {
        let now = Instant::now();
        let mut chapters = BTreeSet::new();
        let mut failing: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        let mut learners: Vec<Row> = self
            .learners
            .values()
            .map(|received| {
                let report = &received.report;
                let waited = now.duration_since(received.at).as_secs();
                let mut cells = BTreeMap::new();
                for exercise in &report.exercises {
                    chapters.insert(exercise.name.clone());
                    let counts = failing.entry(exercise.name.clone()).or_default();
                    if exercise.status == Status::Fails {
                        for test in &exercise.failing {
                            *counts.entry(test.clone()).or_default() += 1;
                        }
                    }
                    // Both times are the learner's clock: their difference is
                    // right even if that clock is not.
                    let same_for = exercise
                        .same_since
                        .map(|since| report.sent_at.saturating_sub(since) + waited);
                    let stuck = exercise.status.needs_work()
                        && same_for.is_some_and(|secs| secs >= stuck_after.as_secs());
                    cells.insert(
                        exercise.name.clone(),
                        Cell {
                            status: exercise.status,
                            label: exercise.status.label(),
                            passed: exercise.passed,
                            failed: exercise.failed,
                            first_failing: exercise.failing.first().cloned(),
                            same_for_secs: same_for,
                            stuck,
                        },
                    );
                }
                Row {
                    learner: report.learner.clone(),
                    name: report.name.clone(),
                    passes: report
                        .exercises
                        .iter()
                        .filter(|e| e.status == Status::Passes)
                        .count(),
                    stuck: cells.values().any(|cell| cell.stuck),
                    last_report_secs: waited,
                    cells,
                }
            })
            .collect();
        learners.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.learner.cmp(&b.learner))
        });
        let common_failures = failing
            .into_iter()
            .filter(|(_, counts)| !counts.is_empty())
            .map(|(chapter, counts)| {
                let mut tests: Vec<Common> = counts
                    .into_iter()
                    .map(|(test, learners)| Common { test, learners })
                    .collect();
                tests.sort_by(|a, b| b.learners.cmp(&a.learners).then(a.test.cmp(&b.test)));
                tests.truncate(COMMON_SHOWN);
                (chapter, tests)
            })
            .collect();
        View {
            stuck_minutes: stuck_after.as_secs() / 60,
            received: self.received,
            chapters: chapters.into_iter().collect(),
            learners,
            common_failures,
        }
    }
}

/// The whole table.
#[derive(Debug, Serialize)]
pub struct View {
    /// After how many minutes on one problem a learner counts as stuck.
    pub stuck_minutes: u64,
    /// Reports taken since the dashboard started.
    pub received: u64,
    /// Every exercise some learner reported, in name order.
    pub chapters: Vec<String>,
    /// One row per learner, by name.
    pub learners: Vec<Row>,
    /// Per chapter, the failing tests most learners share, most first.
    pub common_failures: BTreeMap<String, Vec<Common>>,
}

/// One learner.
#[derive(Debug, Serialize)]
pub struct Row {
    pub learner: String,
    pub name: String,
    /// How many exercises pass.
    pub passes: usize,
    /// Stuck on some exercise.
    pub stuck: bool,
    /// Seconds since their last report arrived.
    pub last_report_secs: u64,
    /// By exercise name.
    pub cells: BTreeMap<String, Cell>,
}

/// One learner's one exercise.
#[derive(Debug, Serialize)]
pub struct Cell {
    pub status: Status,
    pub label: &'static str,
    pub passed: Option<u32>,
    pub failed: Option<u32>,
    pub first_failing: Option<String>,
    /// Seconds on the same problem (status and first failing test).
    pub same_for_secs: Option<u64>,
    pub stuck: bool,
}

/// A failing test, and how many learners it fails for.
#[derive(Debug, Serialize)]
pub struct Common {
    pub test: String,
    pub learners: usize,
}
