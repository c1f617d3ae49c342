//! Every exercise, as shipped, compiles and fails its tests with the message
//! of one of its `todo!()`s: red for the right reason, never a compile error.
//!
//! The workspace's `default-members` leave the exercises out of `cargo test`,
//! so this test builds them itself and runs their test binaries.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use restlings::course::Course;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The integration-test executables of the exercise packages, by exercise name.
fn build_exercise_tests(course: &Course) -> Vec<(String, PathBuf)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.current_dir(root()).args([
        "test",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    for exercise in course.exercises() {
        command.args(["-p", &format!("ex{}", exercise.name)]);
    }
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo must start to build the exercises");
    assert!(
        output.status.success(),
        "every exercise must compile as shipped: the learner starts from code that builds \
         and fails only when tested (see the compiler errors above)"
    );
    let mut binaries = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let is_test_target = message["target"]["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|kind| kind == "test"));
        let (Some(executable), Some(src_path)) = (
            message["executable"].as_str(),
            message["target"]["src_path"].as_str(),
        ) else {
            continue;
        };
        if !is_test_target {
            continue;
        }
        if let Some(exercise) = course
            .exercises()
            .iter()
            .find(|exercise| Path::new(src_path).starts_with(root().join(&exercise.dir)))
        {
            binaries.push((exercise.name.clone(), PathBuf::from(executable)));
        }
    }
    binaries
}

#[test]
fn every_exercise_compiles_and_fails_with_its_todo_message() {
    let course =
        Course::load(&root()).unwrap_or_else(|error| panic!("course.toml must load: {error:#}"));
    let binaries = build_exercise_tests(&course);

    for exercise in course.exercises() {
        let found: Vec<&PathBuf> = binaries
            .iter()
            .filter(|(name, _)| name == &exercise.name)
            .map(|(_, path)| path)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{}: expected one test binary built from {}/tests/, found {found:?}",
            exercise.name,
            exercise.dir.display()
        );

        let (passed, output) = run_with_timeout(
            found[0],
            &root().join(&exercise.dir),
            Duration::from_secs(120),
        );

        assert!(
            !passed,
            "{}: the exercise as shipped passes its tests, so the learner has nothing to do.\n{output}",
            exercise.name
        );
        assert!(
            output.contains("not yet implemented"),
            "{}: the exercise fails, but not with a todo!() message: the first failure a learner \
             sees must point at the code to write.\n{output}",
            exercise.name
        );
    }
}

/// Runs a test binary as the learner would, outside URL mode; returns whether
/// it passed and its combined output. Output goes to a file, not a pipe, so a
/// chatty test can never block on a full pipe and pass for a hung one.
fn run_with_timeout(binary: &Path, dir: &Path, limit: Duration) -> (bool, String) {
    let log = tempfile::NamedTempFile::new().expect("a temporary file for the test output");
    let stdout = log.reopen().expect("the output file must reopen");
    let stderr = log.reopen().expect("the output file must reopen");
    let mut child = Command::new(binary)
        .current_dir(dir)
        .env_remove("RESTLINGS_BASE_URL")
        .env("RUST_BACKTRACE", "0")
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", binary.display()));
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                panic!(
                    "{} ran for more than {limit:?}: a test hangs",
                    binary.display()
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(error) => panic!("cannot wait for {}: {error}", binary.display()),
        }
    };
    let text = std::fs::read(log.path())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_else(|error| panic!("cannot read the output of {}: {error}", binary.display()));
    (status.success(), text)
}
