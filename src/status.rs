//! `restlings` with no command: check everything, show the progress table,
//! then the next step.

use crate::check::Checker;
use crate::course::Course;
use crate::{report, state};
use std::process::ExitCode;

/// Checks every exercise and prints the table, the count and what to do next.
pub fn run(course: &Course, checker: &Checker) -> anyhow::Result<ExitCode> {
    let exercises = course.exercises();
    let outcomes = state::check(course, checker, exercises)?;
    println!("{}", report::table(exercises, &outcomes));
    println!("{}\n", report::done(&outcomes));
    match report::current(&outcomes) {
        Some(index) => println!(
            "{}",
            report::next_step(course, &exercises[index], &outcomes[index])
        ),
        None => println!("{}", report::finished(exercises, &outcomes)),
    }
    Ok(ExitCode::SUCCESS)
}
