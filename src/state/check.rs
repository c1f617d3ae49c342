//! Checking with the state file: reuse each verdict whose files did not
//! change, check the rest, and save. Every command that checks goes through
//! here, so the state file is always the last word.

use super::{State, clock, fingerprint};
use crate::check::{Checker, Outcome};
use crate::course::{Course, Exercise};
use anyhow::Context;

/// The verdicts on `exercises`, in the same order: each recorded one whose
/// files did not change since, and a fresh check of the others.
pub fn check(
    course: &Course,
    checker: &Checker,
    exercises: &[Exercise],
) -> anyhow::Result<Vec<Outcome>> {
    check_with(course, checker, exercises, true)
}

/// The verdicts on `exercises`, every one checked again, and recorded.
pub fn recheck(
    course: &Course,
    checker: &Checker,
    exercises: &[Exercise],
) -> anyhow::Result<Vec<Outcome>> {
    check_with(course, checker, exercises, false)
}

fn check_with(
    course: &Course,
    checker: &Checker,
    exercises: &[Exercise],
    reuse: bool,
) -> anyhow::Result<Vec<Outcome>> {
    let root = course.root();
    // Before minutes of building, not after: a folder that cannot hold the
    // progress is said at once.
    super::folder(root)?;
    let (mut state, warning) = State::load(root);
    if let Some(warning) = warning {
        eprintln!("{} {warning}", console::style("warning:").yellow().bold());
    }
    let now = clock::now();
    state.credit_time(now);

    let timeout = checker.timeout().as_secs();
    let course_print = fingerprint::course(root, timeout);
    let mut stale = Vec::new();
    let mut files = Vec::new();
    for exercise in exercises {
        let own = fingerprint::files(root, exercise);
        let known = state
            .exercises
            .get(&exercise.name)
            .is_some_and(|record| record.fingerprint == fingerprint::combine(course_print, own));
        if !(reuse && known) {
            stale.push(exercise.clone());
            files.push(own);
        }
    }
    let verdicts = checker.verdicts(&stale)?;
    // The exercises' files as they were before the check (an edit made during
    // it is checked next time), the course's as the build left them: a first
    // build writes Cargo.lock.
    if !stale.is_empty() {
        let course_print = fingerprint::course(root, timeout);
        for ((exercise, own), verdict) in stale.iter().zip(files).zip(&verdicts) {
            let print = fingerprint::combine(course_print, own);
            state.record(&exercise.name, print, verdict, now);
        }
    }

    // The first exercise in course order that needs work; one never checked
    // needs work too.
    state.current = course
        .exercises()
        .iter()
        .find(|exercise| {
            state
                .exercises
                .get(&exercise.name)
                .is_none_or(|record| record.outcome().needs_work())
        })
        .map(|exercise| exercise.name.clone());
    state.updated_at = Some(clock::format(now));
    state.save(root)?;
    // After each check: `state` holds every learner's status from here on.
    crate::class::after_check(root, &state);

    // What was just checked is shown in full; the file keeps messages cut.
    let mut fresh: std::collections::HashMap<&String, Outcome> = stale
        .iter()
        .zip(verdicts)
        .map(|(exercise, verdict)| (&exercise.name, verdict.outcome))
        .collect();
    exercises
        .iter()
        .map(|exercise| match fresh.remove(&exercise.name) {
            Some(outcome) => Ok(outcome),
            None => state
                .exercises
                .get(&exercise.name)
                .map(super::Record::outcome)
                .with_context(|| {
                    format!(
                        "lost the verdict on `{}` just recorded: run `cargo run -- verify`",
                        exercise.name
                    )
                }),
        })
        .collect()
}
