//! `restlings hint [NAME]`: the hint of one exercise.

use crate::check::Checker;
use crate::course::{Course, Exercise};
use crate::report;
use std::process::ExitCode;

/// Prints the hint of `name`, or of the first exercise that needs work (which
/// takes a check of every exercise to find).
pub fn run(course: &Course, checker: &Checker, name: Option<&str>) -> anyhow::Result<ExitCode> {
    let exercise = match name {
        Some(name) => course.exercise(name)?,
        None => {
            let exercises = course.exercises();
            let outcomes = checker.check(exercises)?;
            match report::current(&outcomes) {
                Some(index) => &exercises[index],
                None => {
                    println!(
                        "{}\n\n{NO_HINT_NEEDED}",
                        report::finished(exercises, &outcomes)
                    );
                    return Ok(ExitCode::SUCCESS);
                }
            }
        }
    };
    println!("{}", show(exercise));
    Ok(ExitCode::SUCCESS)
}

/// The hint, headed by the exercise and followed by its book page.
pub fn show(exercise: &Exercise) -> String {
    format!(
        "Hint for {} — {}:\n\n{}\n\nThe chapter explains more: {}",
        exercise.name,
        exercise.title,
        report::indent(exercise.hint.trim()),
        exercise.book.display()
    )
}

const NO_HINT_NEEDED: &str = "No hint needed. For a given exercise's hint, run \
                              `cargo run -- hint NAME`.";
