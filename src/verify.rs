//! `restlings verify [NAME]`: check one exercise or all, for scripts and CI.

use crate::check::Checker;
use crate::course::Course;
use crate::{report, state};
use std::process::ExitCode;

/// Checks `name` (or every exercise), prints the verdicts and what went wrong.
/// Exits with 0 only when every checked exercise passes: skipped is not passed.
pub fn run(course: &Course, checker: &Checker, name: Option<&str>) -> anyhow::Result<ExitCode> {
    let exercises = match name {
        Some(name) => vec![course.exercise(name)?.clone()],
        None => course.exercises().to_vec(),
    };
    let outcomes = state::recheck(course, checker, &exercises)?;
    println!("{}", report::table(&exercises, &outcomes));
    for (exercise, outcome) in exercises.iter().zip(&outcomes) {
        let details = outcome.details();
        if !details.is_empty() {
            println!(
                "{} {}:\n{}\n",
                exercise.name,
                outcome.label(),
                report::indent(&details)
            );
        }
    }
    println!("{}", report::done(&outcomes));
    Ok(if outcomes.iter().all(|outcome| outcome.passes()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
