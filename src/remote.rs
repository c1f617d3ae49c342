//! `restlings check EXERCISE --url URL`: one exercise's tests in URL mode,
//! against a server that is already running, whatever it is written in.
//!
//! The tests read `RESTLINGS_BASE_URL` (see the test kit) and send their
//! requests there instead of to the exercise's own `app()`. The verdict is
//! about that server, not the learner's Rust, so it is not recorded in the
//! state file.

use crate::check::{Checker, Outcome, TestStatus};
use crate::course::Course;
use crate::report;
use anyhow::bail;
use std::process::ExitCode;

/// The variable the test kit reads.
pub const BASE_URL_VAR: &str = "RESTLINGS_BASE_URL";

/// Runs `name`'s tests against `url`; exit code 0 only if every test passes.
pub fn run(course: &Course, checker: &Checker, name: &str, url: &str) -> anyhow::Result<ExitCode> {
    let exercise = course.exercise(name)?;
    let url = url.trim().trim_end_matches('/');
    let host = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    if host.is_none_or(str::is_empty) {
        bail!(
            "{url:?} is not a server's address: give one starting with http:// or https://, \
             such as `--url http://127.0.0.1:8000`"
        );
    }
    let checker = checker.clone().with_env(BASE_URL_VAR, url);
    let verdict = checker
        .verdicts(std::slice::from_ref(exercise))?
        .pop()
        .unwrap_or_else(|| crate::check::Verdict {
            outcome: Outcome::DoesNotCompile {
                errors: "the check returned no verdict".to_owned(),
            },
            tests: Vec::new(),
        });
    let count = |status| {
        verdict
            .tests
            .iter()
            .filter(|test| test.status == status)
            .count()
    };
    let (passed, failed) = (count(TestStatus::Pass), count(TestStatus::Fail));
    let details = verdict.outcome.details();
    // A test that checks the crate's own files (a Dockerfile, a manifest)
    // says `SKIPPED:` in URL mode and passes: nothing failed at the server.
    let all_pass = match &verdict.outcome {
        Outcome::Passes => true,
        Outcome::Skipped { .. } => failed == 0 && passed > 0,
        _ => false,
    };
    println!(
        "{} {} against {url}: {passed} of {} tests pass",
        verdict.outcome.mark(),
        exercise.name,
        passed + failed
    );
    if !details.is_empty() {
        println!("\n{}", report::indent(&details));
    }
    if all_pass {
        println!("\nEvery test of {} passes against {url}.", exercise.name);
        Ok(ExitCode::SUCCESS)
    } else {
        if matches!(verdict.outcome, Outcome::Fails(_)) {
            println!("\n{}", unreachable_hint(url));
        }
        Ok(ExitCode::FAILURE)
    }
}

fn unreachable_hint(url: &str) -> String {
    format!(
        "If every request failed to connect, is your server running at {url}? Start it, check \
         the port, then run this again."
    )
}
