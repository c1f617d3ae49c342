//! The exercises are generated from the solutions (`cargo run -- dev sync`),
//! and committed so that learners get plain files. These tests fail when a
//! committed exercise is not what its solution generates, and prove that
//! `dev check` and `dev sync` do what they say, with the real binary.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use restlings::course::Course;
use restlings::dev;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_exercise_is_what_its_solution_generates() {
    let course =
        Course::load(&root()).unwrap_or_else(|error| panic!("course.toml must load: {error:#}"));
    let stale = dev::stale(&course)
        .unwrap_or_else(|error| panic!("the exercises must be derivable: {error:#}"));
    assert!(
        stale.is_empty(),
        "{}\n(A solution changed and its exercise was not regenerated, or an exercise was \
         edited by hand.)",
        dev::stale_report(&stale)
    );
}

/// The parts of the course that `dev` reads, copied to a temp dir.
fn copy_of_the_course() -> tempfile::TempDir {
    let temp = tempfile::tempdir().expect("a temp dir for the course copy");
    let from = root();
    fs::copy(from.join("course.toml"), temp.path().join("course.toml")).expect("course.toml");
    copy_dir(&from.join("book/src"), &temp.path().join("book/src"));
    let course = Course::load(&from).expect("the course loads");
    for exercise in course.exercises() {
        copy_dir(&from.join(&exercise.dir), &temp.path().join(&exercise.dir));
        let solution = dev::solution_dir(exercise);
        copy_dir(&from.join(&solution), &temp.path().join(&solution));
    }
    temp
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|error| panic!("create {}: {error}", to.display()));
    let entries =
        fs::read_dir(from).unwrap_or_else(|error| panic!("list {}: {error}", from.display()));
    for entry in entries.filter_map(Result::ok) {
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            if entry.file_name() != "target" {
                copy_dir(&source, &target);
            }
        } else {
            fs::copy(&source, &target)
                .unwrap_or_else(|error| panic!("copy {}: {error}", source.display()));
        }
    }
}

fn restlings(course: &Path, args: &[&str]) -> (i32, String) {
    let output = cargo_bin_cmd!("restlings")
        .arg("--course")
        .arg(course)
        .args(args)
        .env_remove("RESTLINGS_COURSE")
        .output()
        .expect("the runner starts");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn dev_check_names_a_stale_file_and_dev_sync_regenerates_it() {
    // Arrange: one line of given code (outside any marker) changes in a solution.
    let temp = copy_of_the_course();
    let course = temp.path();
    let solution = course.join("solutions/04_post/src/lib.rs");
    let text = fs::read_to_string(&solution).expect("chapter 4's solution");
    let given = "pub const MAX_NAME_CHARS: usize = 100;";
    assert!(
        text.contains(given),
        "the test edits the line {given:?} of chapter 4's solution: update the test if it moved"
    );
    fs::write(
        &solution,
        text.replace(given, "pub const MAX_NAME_CHARS: usize = 99;"),
    )
    .expect("edit the solution");

    // Act and assert: check fails, naming the file and the fix.
    let (code, said) = restlings(course, &["dev", "check"]);
    assert_eq!(
        code, 1,
        "dev check must fail when an exercise is stale; it said:\n{said}"
    );
    assert!(
        said.contains("exercises/04_post/src/lib.rs:") && said.contains(dev::SYNC_COMMAND),
        "dev check must name the stale file and the command that fixes it; it said:\n{said}"
    );
    assert!(
        !said.contains("exercises/03_get"),
        "only the exercise whose solution changed is stale; it said:\n{said}"
    );

    // Sync writes the change through, and check is then satisfied.
    let (code, said) = restlings(course, &["dev", "sync"]);
    assert_eq!(code, 0, "dev sync must succeed; it said:\n{said}");
    let exercise = fs::read_to_string(course.join("exercises/04_post/src/lib.rs"))
        .expect("chapter 4's exercise");
    assert!(
        exercise.contains("pub const MAX_NAME_CHARS: usize = 99;"),
        "dev sync must carry the solution's given code into the exercise"
    );
    let (code, said) = restlings(course, &["dev", "check"]);
    assert_eq!(
        code, 0,
        "after dev sync, dev check passes; it said:\n{said}"
    );
}

#[test]
fn dev_sync_never_overwrites_a_hand_written_file_it_did_not_generate() {
    let temp = copy_of_the_course();
    let course = temp.path();
    let extra = course.join("exercises/02_endpoints/src/notes.rs");
    fs::write(&extra, "// my own notes\n").expect("a learner's extra file");
    let (code, said) = restlings(course, &["dev", "sync"]);
    assert_ne!(
        code, 0,
        "a hand-written file in a generated folder is an error; it said:\n{said}"
    );
    assert!(
        said.contains("notes.rs") && said.contains("written by hand"),
        "the error must name the file and say why; it said:\n{said}"
    );
    assert_eq!(
        fs::read_to_string(&extra).expect("the extra file is still there"),
        "// my own notes\n",
        "dev sync must leave a file it did not generate byte for byte as it was"
    );
}
