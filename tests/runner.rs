//! The runner, end to end: the real binary against small fixture courses in
//! `tests/fixtures/`, one exercise per outcome (passes, skipped, fails, does
//! not compile, hangs). Each test copies its course to a temp dir and builds
//! there, so `tests/fixtures` stays clean.

// A test crate's root looks for modules next to it; these live in `runner/`.
#[path = "runner/commands.rs"]
mod commands;
#[path = "runner/fixture.rs"]
mod fixture;
#[path = "runner/reset.rs"]
mod reset;
#[path = "runner/state.rs"]
mod state;
#[path = "runner/watch.rs"]
mod watch;

use assert_cmd::cargo::cargo_bin_cmd;
use fixture::{Fixture, run, snapshot};
use std::fs;

#[test]
fn the_table_shows_each_outcome_and_the_count() {
    let fixture = Fixture::new("course");
    let ran = run(fixture.restlings(&[]));
    assert_eq!(
        ran.code, 0,
        "showing progress is not an error; stderr:\n{}",
        ran.stderr
    );
    for (mark, name, label) in [
        ("✓", "01_passes", "passes"),
        ("–", "02_skipped", "skipped"),
        ("✗", "03_fails", "fails"),
        ("!", "04_does_not_compile", "does not compile"),
        ("⏱", "05_hangs", "timed out"),
    ] {
        let line = ran.stdout.lines().find(|line| line.contains(name));
        let line = line.unwrap_or_else(|| panic!("the table should list {name}:\n{}", ran.stdout));
        assert!(
            line.trim_start().starts_with(mark) && line.trim_end().ends_with(label),
            "{name} should show as `{mark} … {label}`, got {line:?}"
        );
    }
    assert!(
        ran.stdout.contains("1/5 done"),
        "only a passing exercise counts as done, skipped does not:\n{}",
        ran.stdout
    );
}

#[test]
fn the_next_exercise_is_the_first_that_needs_work_with_its_failure() {
    let fixture = Fixture::new("course");
    let ran = run(fixture.restlings(&[]));
    assert!(
        ran.stdout.contains("Next: 03_fails"),
        "01 passes and 02 was skipped, so the learner works on 03 next:\n{}",
        ran.stdout
    );
    for expected in [
        "book/src/03_fails.md",
        "03_fails && cargo test",
        "cargo run -- hint",
        "the_answer_is_42",
        "the_answer_is_even",
    ] {
        assert!(
            ran.stdout.contains(expected),
            "the next step should mention {expected:?}:\n{}",
            ran.stdout
        );
    }
    assert!(
        !ran.stdout.contains("the_answer_is_positive"),
        "a passing test is not listed among the failures:\n{}",
        ran.stdout
    );
}

#[test]
fn hint_without_a_name_gives_the_hint_of_the_next_exercise() {
    let fixture = Fixture::new("course");
    let ran = run(fixture.restlings(&["hint"]));
    assert_eq!(
        ran.code, 0,
        "a hint is not an error; stderr:\n{}",
        ran.stderr
    );
    assert!(
        ran.stdout
            .contains("The answer is one more than you think."),
        "the current exercise is 03_fails, so its hint should show:\n{}",
        ran.stdout
    );
}

#[test]
fn hint_with_a_name_gives_that_hint_and_an_unknown_name_lists_the_valid_ones() {
    let fixture = Fixture::new("course");
    let ran = run(fixture.restlings(&["hint", "04_does_not_compile"]));
    assert!(
        ran.code == 0 && ran.stdout.contains("A number is not a string."),
        "`hint 04_does_not_compile` should print that exercise's hint:\n{}{}",
        ran.stdout,
        ran.stderr
    );
    let ran = run(fixture.restlings(&["hint", "99_nope"]));
    assert_ne!(ran.code, 0, "an unknown exercise is an error");
    assert!(
        ran.stderr.contains("99_nope") && ran.stderr.contains("03_fails"),
        "the error should name the unknown exercise and list the real ones:\n{}",
        ran.stderr
    );
}

#[test]
fn verify_exits_with_zero_only_for_an_exercise_that_passes() {
    let fixture = Fixture::new("course");
    let ran = run(fixture.restlings(&["verify", "01_passes"]));
    assert_eq!(
        ran.code, 0,
        "01_passes passes, so verify succeeds:\n{}",
        ran.stdout
    );
    for name in ["02_skipped", "03_fails", "04_does_not_compile", "05_hangs"] {
        let ran = run(fixture.restlings(&["verify", name]));
        assert_eq!(
            ran.code, 1,
            "{name} does not pass, so verify must fail:\n{}",
            ran.stdout
        );
    }
}

#[test]
fn verify_of_all_fails_when_any_exercise_does_not_pass_and_shows_why() {
    let fixture = Fixture::new("course");
    let ran = run(fixture.restlings(&["verify"]));
    assert_eq!(ran.code, 1, "four exercises do not pass:\n{}", ran.stdout);
    for expected in [
        "no container engine",
        "expected `u32`, found `&str`",
        "still running after 2 s",
        "the answer should be",
    ] {
        assert!(
            ran.stdout.contains(expected),
            "verify should explain each verdict, missing {expected:?}:\n{}",
            ran.stdout
        );
    }
}

#[test]
fn a_course_where_everything_passes_ends_with_congratulations() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["01_passes"]);
    let ran = run(fixture.restlings(&[]));
    assert!(
        ran.stdout.contains("1/1 done") && ran.stdout.contains("Congratulations"),
        "with every exercise passing the learner is congratulated:\n{}",
        ran.stdout
    );
    let ran = run(fixture.restlings(&["verify"]));
    assert_eq!(
        ran.code, 0,
        "verify of an all-passing course succeeds:\n{}",
        ran.stdout
    );
}

#[test]
fn a_skipped_exercise_is_named_at_the_end_instead_of_congratulations() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["01_passes", "02_skipped"]);
    let ran = run(fixture.restlings(&[]));
    assert!(
        !ran.stdout.contains("Congratulations")
            && ran.stdout.contains("02_skipped: no container engine"),
        "a skipped exercise is not done: the end should name it and why:\n{}",
        ran.stdout
    );
}

#[test]
fn a_shared_crate_that_does_not_compile_is_blamed_in_the_exercise_that_needs_it() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["01_passes"]);
    let write = |path: &str, text: &str| {
        let path = fixture.course.join(path);
        fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folders");
        fs::write(path, text).expect("write a file of the copy");
    };
    write(
        "crates/helper/Cargo.toml",
        "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    );
    write("crates/helper/src/lib.rs", "pub fn helps() -> bool { 7 }\n");
    write(
        "exercises/06_needs_helper/Cargo.toml",
        "[package]\nname = \"fx06_needs_helper\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [dependencies]\nhelper = { path = \"../../crates/helper\" }\n",
    );
    write(
        "exercises/06_needs_helper/src/lib.rs",
        "pub use helper::helps;\n",
    );
    write("book/src/06_needs_helper.md", "# Needs helper\n");
    write("solutions/06_needs_helper/HINT.md", "Fix the helper.\n");
    let manifest = fixture.course.join("course.toml");
    let mut text = fs::read_to_string(&manifest).expect("the copy's course.toml");
    text.push_str("\n[[exercises]]\nname = \"06_needs_helper\"\ntitle = \"Needs helper\"\n");
    fs::write(&manifest, text).expect("add the exercise to the copy's course.toml");

    let ran = run(fixture.restlings(&["verify"]));
    assert!(
        ran.stdout.contains("✓ 01_passes"),
        "a broken crate elsewhere must not stop other exercises from passing:\n{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("06_needs_helper does not compile")
            && ran.stdout.contains("crates/helper/src/lib.rs"),
        "the exercise should show the compile error of the crate it needs:\n{}",
        ran.stdout
    );
}

#[test]
fn a_broken_course_toml_gives_a_clear_error_not_a_panic() {
    let fixture = Fixture::new("broken_course");
    let ran = run(fixture.restlings(&["list"]));
    assert_ne!(ran.code, 0, "a broken manifest is an error");
    for expected in [
        "course.toml",
        "exercise `01_one`: its hint solutions/01_one/HINT.md is empty",
        "exercise `01_one` is listed twice",
        "exercises/02_missing does not exist",
        "book/src/02_missing.md does not exist",
        "solutions/02_missing/HINT.md does not exist",
    ] {
        assert!(
            ran.stderr.contains(expected),
            "the error should say {expected:?}:\n{}",
            ran.stderr
        );
    }
    fs::write(
        fixture.course.join("course.toml"),
        "[[exercises]\nname = 1\n",
    )
    .expect("write bad TOML");
    let ran = run(fixture.restlings(&["list"]));
    assert!(
        ran.code != 0
            && ran.stderr.contains("not a valid course manifest")
            && !ran.stderr.contains("panicked"),
        "invalid TOML should be reported as such, without a panic:\n{}",
        ran.stderr
    );
}

#[test]
fn a_course_toml_that_is_not_utf8_says_so_instead_of_blaming_the_folder() {
    // Arrange: the fixture's course.toml with a title in Latin-1, as an old
    // editor saves it: `é` is the single byte 0xe9, which UTF-8 never allows.
    let fixture = Fixture::new("course");
    let path = fixture.course.join("course.toml");
    let mut bytes = fs::read(&path).expect("the fixture has a course.toml");
    bytes.extend_from_slice(b"# caf\xe9\n");
    fs::write(&path, bytes).expect("write the Latin-1 course.toml");

    // Act
    let ran = run(fixture.restlings(&["list"]));

    // Assert
    assert!(
        ran.code != 0 && !ran.stderr.contains("panicked"),
        "a course.toml that is not UTF-8 is an error, not a panic:\n{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("is not UTF-8") && ran.stderr.contains("0xe9"),
        "the error must say what is wrong with the file, that it is not UTF-8, and point at \
         the byte, so the learner knows to save it again as UTF-8:\n{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains("run restlings from inside the course"),
        "restlings is inside the course, so telling the learner to go there sends them the \
         wrong way:\n{}",
        ran.stderr
    );
}

#[test]
fn outside_a_course_the_error_says_how_to_point_at_one() {
    let empty = tempfile::tempdir().expect("an empty temp dir");
    let mut command = cargo_bin_cmd!("restlings");
    command
        .current_dir(empty.path())
        .env_remove("RESTLINGS_COURSE");
    let ran = run(command);
    assert!(
        ran.code != 0 && ran.stderr.contains("--course"),
        "without a course.toml above the current folder, say how to pass one:\n{}",
        ran.stderr
    );
}

/// Gives `04_does_not_compile` a hint in three levels, and returns its name:
/// asking for a named exercise's hint checks nothing, so these tests build
/// nothing.
fn three_level_hint(fixture: &Fixture) -> &'static str {
    let hint = fixture.course.join("solutions/04_does_not_compile/HINT.md");
    fs::write(
        &hint,
        "Level one.\n\n---\n\nLevel two.\n\n---\n\nLevel three.\n",
    )
    .expect("write a hint in three levels");
    "04_does_not_compile"
}

#[test]
fn each_hint_run_shows_the_next_level_and_all_shows_every_level() {
    let fixture = Fixture::new("course");
    let name = three_level_hint(&fixture);
    for (run_number, level, text) in [
        (1, "Hint 1 of 3", "Level one."),
        (2, "Hint 2 of 3", "Level two."),
        (3, "Hint 3 of 3", "Level three."),
        (4, "Hint 3 of 3", "Level three."),
    ] {
        let ran = run(fixture.restlings(&["hint", name]));
        assert!(
            ran.code == 0 && ran.stdout.contains(level) && ran.stdout.contains(text),
            "run {run_number} of `hint {name}` should show {level:?}, {text:?}:\n{}{}",
            ran.stdout,
            ran.stderr
        );
        let others = ["Level one.", "Level two.", "Level three."]
            .into_iter()
            .filter(|other| *other != text);
        for other in others {
            assert!(
                !ran.stdout.contains(other),
                "run {run_number} shows one level, {text:?}, and not {other:?}:\n{}",
                ran.stdout
            );
        }
    }
    let ran = run(fixture.restlings(&["hint", name]));
    assert!(
        ran.stdout.contains("last hint"),
        "after the last level the hint says there is no more:\n{}",
        ran.stdout
    );
    let ran = run(fixture.restlings(&["hint", name, "--all"]));
    for text in ["Level one.", "Level two.", "Level three."] {
        assert!(
            ran.code == 0 && ran.stdout.contains(text),
            "`hint {name} --all` should show every level, {text:?} too:\n{}{}",
            ran.stdout,
            ran.stderr
        );
    }
    let state = fixture.course.join(".restlings/hints");
    assert!(
        state.is_file() && !fixture.course.join(".restlings/hints.tmp").exists(),
        "the level shown is kept in {}, written through a temporary file that is renamed",
        state.display()
    );
}

#[test]
fn a_corrupt_hint_state_file_starts_again_at_level_one() {
    let fixture = Fixture::new("course");
    let name = three_level_hint(&fixture);
    let dir = fixture.course.join(".restlings");
    fs::create_dir_all(&dir).expect("create the state folder");
    fs::write(
        dir.join("hints"),
        b"\xff\xfe not a state file\n04_does_not_compile many\n",
    )
    .expect("write a corrupt state file");
    let ran = run(fixture.restlings(&["hint", name]));
    assert!(
        ran.code == 0 && ran.stdout.contains("Hint 1 of 3") && ran.stdout.contains("Level one."),
        "a state file the runner cannot read means level 1, not a crash:\n{}{}",
        ran.stdout,
        ran.stderr
    );
    let ran = run(fixture.restlings(&["hint", name]));
    assert!(
        ran.stdout.contains("Hint 2 of 3"),
        "the run after that wrote a good state file again, so level 2 comes next:\n{}{}",
        ran.stdout,
        ran.stderr
    );
}

#[test]
fn the_course_can_come_from_the_environment_variable() {
    let fixture = Fixture::new("course");
    let mut command = cargo_bin_cmd!("restlings");
    command
        .args(["hint", "01_passes"])
        .current_dir(fixture.temp.path())
        .env("RESTLINGS_COURSE", &fixture.course);
    let ran = run(command);
    assert!(
        ran.code == 0 && ran.stdout.contains("Nothing to do here."),
        "RESTLINGS_COURSE should point the runner at the course:\n{}{}",
        ran.stdout,
        ran.stderr
    );
}

#[test]
fn the_learner_files_are_byte_identical_after_a_run() {
    let fixture = Fixture::new("course");
    // The first build writes Cargo.lock, which is cargo's file, not the learner's,
    // and the first hint writes .restlings/hints, the runner's own state.
    run(fixture.restlings(&["list"]));
    run(fixture.restlings(&["hint"]));
    let before = snapshot(&fixture.course);
    run(fixture.restlings(&[]));
    run(fixture.restlings(&["verify"]));
    run(fixture.restlings(&["hint"]));
    assert_eq!(
        snapshot(&fixture.course),
        before,
        "checking must never change a learner's files"
    );
}
