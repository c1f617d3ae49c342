//! `restlings list`: the progress table, without the next-step block.

use crate::check::Checker;
use crate::course::Course;
use crate::{report, state};
use std::process::ExitCode;

/// Checks every exercise and prints one line each, then the count.
pub fn run(course: &Course, checker: &Checker) -> anyhow::Result<ExitCode> {
    let exercises = course.exercises();
    let outcomes = state::check(course, checker, exercises)?;
    println!("{}", report::table(exercises, &outcomes));
    println!("{}", report::done(&outcomes));
    Ok(ExitCode::SUCCESS)
}
