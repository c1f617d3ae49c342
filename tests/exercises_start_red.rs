//! Every exercise, as shipped, compiles and fails its tests with the message
//! of one of its `todo!()`s: red for the right reason, never a compile error.
//!
//! The workspace's `default-members` leave the exercises out of `cargo test`,
//! so this test checks them with the runner's own checker, the one behind
//! `cargo run`: what it sees is what a learner sees.

use std::path::PathBuf;
use std::time::Duration;

use restlings::check::{Checker, Outcome};
use restlings::course::Course;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_exercise_compiles_and_fails_with_its_todo_message() {
    let course =
        Course::load(&root()).unwrap_or_else(|error| panic!("course.toml must load: {error:#}"));
    let outcomes = Checker::new(&course, Duration::from_secs(120))
        .check(course.exercises())
        .unwrap_or_else(|error| panic!("the runner's checker must run: {error:#}"));

    for (exercise, outcome) in course.exercises().iter().zip(&outcomes) {
        let output = outcome.details();
        assert!(
            !matches!(outcome, Outcome::DoesNotCompile { .. }),
            "{}: every exercise must compile as shipped: the learner starts from code that \
             builds and fails only when tested.\n{output}",
            exercise.name
        );
        assert!(
            !outcome.passes(),
            "{}: the exercise as shipped passes its tests, so the learner has nothing to do.",
            exercise.name
        );
        assert!(
            matches!(outcome, Outcome::Fails(_)) && output.contains("not yet implemented"),
            "{}: the exercise fails, but not with a todo!() message: the first failure a learner \
             sees must point at the code to write.\n{} {output}",
            exercise.name,
            outcome.label()
        );
    }
    assert_eq!(
        outcomes.len(),
        course.exercises().len(),
        "the checker must give one verdict per exercise"
    );
}
