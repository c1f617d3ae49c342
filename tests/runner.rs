//! The runner, end to end: the real binary against small fixture courses in
//! `tests/fixtures/`, one exercise per outcome (passes, skipped, fails, does
//! not compile, hangs). Each test copies its course to a temp dir and builds
//! there, so `tests/fixtures` stays clean.

use assert_cmd::cargo::{cargo_bin, cargo_bin_cmd};
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use tempfile::TempDir;

/// A fixture course copied into a temp dir, with its own cargo target dir.
struct Fixture {
    temp: TempDir,
    course: PathBuf,
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        let temp = tempfile::tempdir().expect("a temp dir for the fixture course");
        let course = temp.path().join("course");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
            &course,
        );
        Fixture { temp, course }
    }

    /// The runner pointed at this course, with a 2 s timeout for the hang.
    fn restlings(&self, args: &[&str]) -> assert_cmd::Command {
        let mut command = cargo_bin_cmd!("restlings");
        command
            .args(["--timeout", "2", "--course"])
            .arg(&self.course)
            .args(args)
            .current_dir(self.temp.path())
            .env("CARGO_TARGET_DIR", self.temp.path().join("target"))
            .env_remove("RESTLINGS_COURSE");
        command
    }

    /// Keeps only the exercises named, in `course.toml` (of the copy).
    fn keep_only(&self, names: &[&str]) {
        let path = self.course.join("course.toml");
        let text = fs::read_to_string(&path).expect("the fixture's course.toml");
        let kept: Vec<&str> = text
            .split("[[exercises]]")
            .skip(1)
            .filter(|table| {
                names
                    .iter()
                    .any(|name| table.contains(&format!("name = \"{name}\"")))
            })
            .collect();
        fs::write(
            &path,
            format!("[[exercises]]{}", kept.join("[[exercises]]")),
        )
        .expect("rewrite the copy's course.toml");
    }
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(mut command: assert_cmd::Command) -> Ran {
    let output = command.output().expect("the runner starts");
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create a folder in the temp dir");
    for entry in fs::read_dir(from).expect("read a fixture folder") {
        let entry = entry.expect("a fixture entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy a fixture file");
        }
    }
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in fs::read_dir(dir).expect("read a course folder") {
        let path = entry.expect("a course entry").path();
        if path.is_dir() {
            files.extend(snapshot(&path));
        } else {
            files.insert(path.clone(), fs::read(&path).expect("read a course file"));
        }
    }
    files
}

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
        "book/03_fails.md",
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
fn a_broken_course_toml_gives_a_clear_error_not_a_panic() {
    let fixture = Fixture::new("broken_course");
    let ran = run(fixture.restlings(&["list"]));
    assert_ne!(ran.code, 0, "a broken manifest is an error");
    for expected in [
        "course.toml",
        "exercise `01_one` has an empty `hint`",
        "exercise `01_one` is listed twice",
        "exercises/02_missing does not exist",
        "book/02_missing.md does not exist",
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
    // The first build writes Cargo.lock, which is cargo's file, not the learner's.
    run(fixture.restlings(&["list"]));
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

/// A running `restlings watch`, killed when the test ends, pass or fail.
struct Watching(std::process::Child);

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `restlings watch` and returns it with a channel of its stdout lines.
fn watch(fixture: &Fixture) -> (Watching, mpsc::Receiver<String>) {
    let mut child = Command::new(cargo_bin!("restlings"))
        .args(["--timeout", "2", "--course"])
        .arg(&fixture.course)
        .arg("watch")
        .current_dir(fixture.temp.path())
        .env("CARGO_TARGET_DIR", fixture.temp.path().join("target"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start restlings watch");
    let stdout = child.stdout.take().expect("watch's stdout");
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    (Watching(child), lines)
}

/// Reads lines until one contains `needle`; panics with what was seen if not within 60 s.
fn wait_for(lines: &mpsc::Receiver<String>, needle: &str) {
    let mut seen = String::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(60)) {
        if line.contains(needle) {
            return;
        }
        seen.push_str(&line);
        seen.push('\n');
    }
    panic!("watch never printed {needle:?}; it printed:\n{seen}");
}

#[test]
fn watch_rechecks_after_an_edit_and_moves_on_when_it_passes() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["01_passes", "03_fails"]);
    let (mut watching, lines) = watch(&fixture);
    wait_for(&lines, "Watching exercises/03_fails");
    let lib = fixture.course.join("exercises/03_fails/src/lib.rs");
    fs::write(&lib, "pub fn answer() -> u32 {\n    42\n}\n").expect("fix the exercise");
    wait_for(&lines, "03_fails passes");
    wait_for(&lines, "Congratulations");
    let status = watching.0.wait().expect("watch exits");
    assert!(
        status.success(),
        "watch ends with success once every exercise passes"
    );
}

#[test]
fn watch_shows_the_hint_on_h_and_quits_on_q() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["03_fails"]);
    let (mut watching, lines) = watch(&fixture);
    wait_for(&lines, "Watching exercises/03_fails");
    let child = &mut watching.0;
    let mut stdin = child.stdin.take().expect("watch's stdin");
    stdin.write_all(b"h\n").expect("type h and Enter");
    wait_for(&lines, "The answer is one more than you think.");
    stdin.write_all(b"q\n").expect("type q and Enter");
    for _ in 0..100 {
        if let Some(status) = child.try_wait().expect("poll watch") {
            assert!(status.success(), "quitting watch is not an error");
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("watch should quit within 10 s of q + Enter");
}
