//! The state file, `.restlings/state.json`: verdicts reused while nothing
//! changed, rebuilt when it is corrupt, a clear error when it cannot be
//! written; and the build failures that are the machine's, not the code's.

use crate::fixture::{Fixture, run};
use serde_json::Value;
use std::fs;

fn state(fixture: &Fixture) -> Value {
    let path = fixture.course.join(".restlings/state.json");
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{} should exist: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} should be JSON: {error}\n{text}", path.display()))
}

fn write_state(fixture: &Fixture, state: &Value) {
    let text = serde_json::to_string_pretty(state).expect("a state encodes");
    fs::write(fixture.course.join(".restlings/state.json"), text).expect("write the state");
}

#[test]
fn with_nothing_changed_the_verdicts_come_from_the_state_file_and_an_edit_rechecks_only_that_exercise()
 {
    // Arrange: a first run records both verdicts; then each record gets a
    // marker no real check would write, to see which ones a run reuses.
    let fixture = Fixture::new("course");
    fixture.keep_only(&["01_passes", "03_fails"]);
    let first = run(fixture.restlings(&["list"]));
    assert_eq!(first.code, 0, "the first run checks: {}", first.stderr);
    let mut saved = state(&fixture);
    for name in ["01_passes", "03_fails"] {
        let record = &mut saved["exercises"][name];
        record["status"] = "fail".into();
        record["failing"] = serde_json::json!([format!("marker_of_{name}")]);
        record["message"] = format!("MARKER: the recorded verdict of {name}").into();
    }
    write_state(&fixture, &saved);

    // Act and assert: nothing changed, so nothing is checked.
    let reused = run(fixture.restlings(&[]));
    assert!(
        reused
            .stdout
            .contains("MARKER: the recorded verdict of 01_passes")
            && reused.stdout.contains("0/2 done"),
        "with no file changed, `cargo run` shows the recorded verdicts and checks nothing:\n{}",
        reused.stdout
    );

    // One file of 03_fails changes: only 03_fails is checked again.
    let lib = fixture.course.join("exercises/03_fails/src/lib.rs");
    let mut code = fs::read_to_string(&lib).expect("the exercise's code");
    code.push_str("\n// an edit\n");
    fs::write(&lib, code).expect("edit the exercise");
    let after_edit = run(fixture.restlings(&["list"]));
    assert_eq!(
        after_edit.code, 0,
        "a check is no error: {}",
        after_edit.stderr
    );
    let saved = state(&fixture);
    let message = saved["exercises"]["03_fails"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("the answer should be"),
        "the edited exercise is checked again and holds its real failure, got {message:?}"
    );
    assert_eq!(
        saved["exercises"]["01_passes"]["message"], "MARKER: the recorded verdict of 01_passes",
        "01_passes did not change, so its recorded verdict stays unchecked"
    );
    assert_eq!(
        saved["exercises"]["03_fails"]["failing"],
        serde_json::json!(["the_answer_is_42", "the_answer_is_even"]),
        "the state file now holds 03_fails' real failing tests"
    );
    assert_eq!(
        saved["current"], "01_passes",
        "the current exercise is the first that needs work, here the marked 01_passes"
    );

    // `verify` always checks.
    let verified = run(fixture.restlings(&["verify"]));
    assert!(
        verified.stdout.contains("✓ 01_passes"),
        "verify checks everything again, so 01_passes passes once more:\n{}",
        verified.stdout
    );
}

#[test]
fn a_corrupt_state_file_is_rebuilt_by_checking_again_with_a_one_line_warning() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["01_passes", "03_fails"]);
    let dir = fixture.course.join(".restlings");
    fs::create_dir_all(&dir).expect("the state folder");
    fs::write(
        dir.join("state.json"),
        b"{\"version\": 1, \"exercises\": \xff",
    )
    .expect("garbage");

    let ran = run(fixture.restlings(&["list"]));

    assert_eq!(
        ran.code, 0,
        "a corrupt state file is not an error:\n{}",
        ran.stderr
    );
    let warnings: Vec<&str> = ran
        .stderr
        .lines()
        .filter(|line| line.contains("warning:"))
        .collect();
    assert!(
        warnings.len() == 1 && warnings[0].contains("state.json is corrupt"),
        "one warning line should say the file was corrupt and is being rebuilt:\n{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains("panicked"),
        "never a crash:\n{}",
        ran.stderr
    );
    let saved = state(&fixture);
    assert_eq!(saved["version"], 1, "the file is rebuilt in version 1");
    assert_eq!(
        saved["exercises"]["01_passes"]["status"], "pass",
        "the rebuilt file holds the fresh verdicts"
    );
    let again = run(fixture.restlings(&["list"]));
    assert!(
        !again.stderr.contains("warning:"),
        "once rebuilt, the file loads without a warning:\n{}",
        again.stderr
    );
}

#[test]
fn a_state_folder_that_cannot_be_written_gives_an_error_that_names_it() {
    // Arrange: `.restlings` is a file, so no state can go in it. (Tests run
    // as root in CI, where permission bits would not stop a write.)
    let fixture = Fixture::new("course");
    fixture.keep_only(&["01_passes"]);
    let blocked = fixture.course.join(".restlings");
    fs::write(&blocked, "not a folder").expect("a file where the folder goes");

    let ran = run(fixture.restlings(&["list"]));

    assert_ne!(ran.code, 0, "progress that cannot be kept is an error");
    assert!(
        ran.stderr.contains(&blocked.display().to_string())
            && ran.stderr.contains("cannot write the progress file")
            && !ran.stderr.contains("panicked"),
        "the error names the folder and says what it is for, without a panic:\n{}",
        ran.stderr
    );
}

#[test]
fn a_target_folder_that_cannot_be_created_is_the_machines_fault_not_a_compile_error() {
    // A build folder under a regular file cannot exist, as on a read-only
    // disk: cargo fails before compiling anything.
    let fixture = Fixture::new("course");
    fixture.keep_only(&["01_passes", "03_fails"]);
    let file = fixture.temp.path().join("a-file");
    fs::write(&file, "in the way").expect("a file where the target folder goes");

    let mut command = fixture.restlings(&["list"]);
    command.env("CARGO_TARGET_DIR", file.join("target"));
    let ran = run(command);

    assert_ne!(ran.code, 0, "a build that cannot run is an error");
    assert!(
        ran.stderr.contains("not because of your code")
            && ran.stderr.contains("failed to create directory"),
        "the error should blame the machine and quote the cause:\n{}",
        ran.stderr
    );
    assert!(
        !ran.stdout.contains("does not compile"),
        "no exercise is marked `does not compile` for a build that never ran:\n{}",
        ran.stdout
    );
}

#[test]
fn a_missing_toolchain_is_named_as_such() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["01_passes"]);
    let mut command = fixture.restlings(&["list"]);
    command.env("CARGO", fixture.temp.path().join("no-cargo-here"));
    let ran = run(command);
    assert!(
        ran.code != 0 && ran.stderr.contains("is Rust installed?"),
        "without cargo the runner says Rust is missing, and where to get it:\n{}",
        ran.stderr
    );
}

#[test]
fn an_unknown_exercise_name_gets_a_did_you_mean_in_every_command_that_takes_one() {
    let fixture = Fixture::new("course");
    for args in [
        &["hint", "03-fails"][..],
        &["verify", "03-fails"],
        &["watch", "03-fails"],
        &["reset", "03-fails", "--yes"],
        &["check", "03-fails", "--url", "http://127.0.0.1:9"],
    ] {
        let ran = run(fixture.restlings(args));
        assert!(
            ran.code != 0 && ran.stderr.contains("Did you mean `03_fails`?"),
            "`{}` should name the exercise it most likely means:\n{}",
            args.join(" "),
            ran.stderr
        );
    }
}
