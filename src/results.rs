//! `restlings report [--json]`: the learner's results, for them or for an
//! instructor's script.
//!
//! The JSON follows `schemas/report.schema.json` (version [`VERSION`]), in
//! the spirit of Exercism's `results.json` version 3: each exercise has a
//! status and a message, each test a name, a status and its first message,
//! plus when it was checked and the time spent on it. A field is added only
//! with a new version; a reader should ignore fields it does not know.

use crate::check::Checker;
use crate::course::Course;
use crate::state::{self, Record, State, clock};
use serde::Serialize;
use std::process::ExitCode;

/// The version of the report's schema.
pub const VERSION: u32 = 1;

/// The schema's path in the course.
pub const SCHEMA: &str = "schemas/report.schema.json";

#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub version: u32,
    pub runner_version: &'static str,
    pub generated_at: String,
    pub current: Option<&'a str>,
    pub summary: Summary,
    pub exercises: Vec<ExerciseReport<'a>>,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub exercises: usize,
    pub passed: usize,
    pub tests_passed: usize,
    pub tests_failed: usize,
    pub time_spent_secs: u64,
}

#[derive(Debug, Serialize)]
pub struct ExerciseReport<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub status: &'static str,
    pub message: Option<&'a str>,
    pub failing: &'a [String],
    pub tests: &'a [state::TestRecord],
    pub counts: state::Counts,
    pub first_checked: &'a str,
    pub last_checked: &'a str,
    pub passed_at: Option<&'a str>,
    pub time_spent_secs: u64,
}

/// Checks what changed, then prints the results as a table, or as JSON.
pub fn run(course: &Course, checker: &Checker, json: bool) -> anyhow::Result<ExitCode> {
    let outcomes = state::check(course, checker, course.exercises())?;
    let (saved, _) = State::load(course.root());
    if json {
        let report = build(course, &saved, clock::now());
        let text = serde_json::to_string_pretty(&report)
            .map_err(|error| anyhow::anyhow!("cannot encode the report: {error}"))?;
        println!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    let exercises = course.exercises();
    println!("{}", crate::report::table(exercises, &outcomes));
    for exercise in exercises {
        if let Some(record) = saved.exercises.get(&exercise.name) {
            let total = record.tests.passed + record.tests.failed;
            println!(
                "  {:<24} {:>3}/{:<3} tests pass   {:>4} min spent",
                exercise.name,
                record.tests.passed,
                total,
                record.time_spent_secs / 60
            );
        }
    }
    println!("\n{}", crate::report::done(&outcomes));
    println!("For a script: `cargo run -- report --json` ({SCHEMA}).");
    Ok(ExitCode::SUCCESS)
}

/// The report of `state`, every exercise of `course` in course order.
pub fn build<'a>(course: &'a Course, state: &'a State, now: u64) -> Report<'a> {
    let mut summary = Summary::default();
    let exercises: Vec<ExerciseReport> = course
        .exercises()
        .iter()
        .filter_map(|exercise| {
            let record: &Record = state.exercises.get(&exercise.name)?;
            summary.exercises += 1;
            summary.passed += usize::from(record.status == state::Status::Pass);
            summary.tests_passed += record.tests.passed;
            summary.tests_failed += record.tests.failed;
            summary.time_spent_secs += record.time_spent_secs;
            Some(ExerciseReport {
                name: &exercise.name,
                title: &exercise.title,
                status: record.status.as_str(),
                message: record.message.as_deref(),
                failing: &record.failing,
                tests: &record.results,
                counts: record.tests,
                first_checked: &record.first_checked,
                last_checked: &record.last_checked,
                passed_at: record.passed_at.as_deref(),
                time_spent_secs: record.time_spent_secs,
            })
        })
        .collect();
    Report {
        version: VERSION,
        runner_version: env!("CARGO_PKG_VERSION"),
        generated_at: clock::format(now),
        current: state.current.as_deref(),
        summary,
        exercises,
    }
}
