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

/// Many learners have `RUST_BACKTRACE=1` set. The runner turns it off for its
/// own checks, but a learner who types `cargo test` in an exercise's folder
/// gets it: the report must read the same, without 25 frames of tokio. Chapter
/// 1 (a client, checked with wiremock) and chapter 3 (a server, checked with
/// the kit) are run as a learner runs them.
#[test]
fn cargo_test_in_an_exercise_prints_no_backtrace_even_with_rust_backtrace_set() {
    let cargo = restlings::cargo::program();
    for exercise in ["01_what_is_an_api", "03_get"] {
        let dir = root().join("exercises").join(exercise);
        let output = restlings::cargo::command(&cargo)
            .args(["test", "--quiet"])
            .current_dir(&dir)
            .env("RUST_BACKTRACE", "1")
            .output()
            .unwrap_or_else(|error| panic!("cannot run cargo test in {}: {error}", dir.display()));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !output.status.success() && text.contains("not yet implemented"),
            "{exercise}: as shipped, `cargo test` fails with a todo!() message; got {:?}:\n{text}",
            output.status
        );
        assert!(
            !text.contains("stack backtrace"),
            "{exercise}: with RUST_BACKTRACE=1, `cargo test` printed a backtrace; the tests must \
             install the kit's quiet panic hook (`kit::quiet_panics()`) before their first \
             step:\n{text}"
        );
    }
}

/// The introduction teaches how to read a failure from one real report: the
/// one chapter 2 prints before any code is written. It must stay the report
/// the kit prints today, so it is compared with a fresh run (the test
/// server's port, which changes every run, aside).
#[test]
fn the_introductions_sample_report_is_what_chapter_2_prints_today() {
    let cargo = restlings::cargo::program();
    let dir = root().join("exercises/02_endpoints");
    let output = restlings::cargo::command(&cargo)
        .args(["test", "--quiet", "get_health_answers_200_with_status_ok"])
        .current_dir(&dir)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap_or_else(|error| panic!("cannot run cargo test in {}: {error}", dir.display()));
    let printed = String::from_utf8_lossy(&output.stdout);
    let report = |text: &str| -> Option<String> {
        let start = text.find("──── GET /health ────")?;
        let end = start + text[start..].find("\nRead: ")?;
        let end = end + 1 + text[end + 1..].find('\n').unwrap_or(text.len() - end - 1);
        let port = regex::Regex::new(r"127\.0\.0\.1:\d{5}").expect("a valid regex");
        Some(
            port.replace_all(&text[start..end], "127.0.0.1:PORT")
                .into_owned(),
        )
    };
    let fresh = report(&printed).unwrap_or_else(|| {
        panic!("chapter 2 as shipped must fail GET /health with a report; it printed:\n{printed}")
    });
    let page = root().join("book/src/introduction.md");
    let intro = std::fs::read_to_string(&page)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", page.display()));
    let shown = report(&intro).unwrap_or_else(|| {
        panic!(
            "{} must show chapter 2's report for GET /health",
            page.display()
        )
    });
    assert_eq!(
        shown,
        fresh,
        "the sample report in {} is not what chapter 2 prints today: run `cargo test \
         get_health_answers_200_with_status_ok` in exercises/02_endpoints and paste its report",
        page.display()
    );
}
