//! `reset`: the starting code back, the learner's files kept byte for byte,
//! even when the reset stops half-way.

use crate::fixture::{Fixture, run, snapshot};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The solution of `03_fails` with `files` in its `src/`, so that the
/// generator has starting code to derive (the fixture ships only hints).
fn with_solution(fixture: &Fixture, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = fixture.course.join("solutions/03_fails/src").join(name);
        fs::create_dir_all(path.parent().expect("a folder")).expect("the solution's src/");
        fs::write(path, text).expect("a solution file");
    }
}

/// The backup folder a reset printed, from its output.
fn backup_named_in(output: &str, course: &Path) -> PathBuf {
    let backups = course.join(".restlings/backups");
    output
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with(&backups.display().to_string()))
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("the output should name a folder in {backups:?}:\n{output}"))
}

/// Every file of the exercise folder, by its path inside the course.
fn files_of(course: &Path, dir: &str) -> BTreeMap<PathBuf, Vec<u8>> {
    snapshot(&course.join(dir))
        .into_iter()
        .map(|(path, bytes)| {
            let inside = path.strip_prefix(course).expect("a path in the course");
            (inside.to_path_buf(), bytes)
        })
        .collect()
}

#[test]
fn reset_without_yes_and_without_a_terminal_refuses_says_why_and_changes_nothing() {
    let fixture = Fixture::new("course");
    with_solution(
        &fixture,
        &[("lib.rs", "pub fn answer() -> u32 {\n    42\n}\n")],
    );
    let before = snapshot(&fixture.course);

    let ran = run(fixture.restlings(&["reset", "03_fails"]));

    assert_ne!(ran.code, 0, "a reset nobody confirmed must not happen");
    assert!(
        ran.stderr.contains("there is no terminal to ask in") && ran.stderr.contains("--yes"),
        "the refusal should say why (no terminal to ask) and how to go on (--yes):\n{}",
        ran.stderr
    );
    assert_eq!(
        snapshot(&fixture.course),
        before,
        "a refused reset changes no file"
    );
}

#[test]
fn reset_puts_back_the_starting_code_after_a_byte_identical_copy_of_the_learners_files() {
    // Arrange: the learner rewrote lib.rs and added a file of their own.
    let fixture = Fixture::new("course");
    with_solution(
        &fixture,
        &[("lib.rs", "pub fn answer() -> u32 {\n    42\n}\n")],
    );
    let lib = fixture.course.join("exercises/03_fails/src/lib.rs");
    fs::write(&lib, "pub fn answer() -> u32 { 7 } // the learner's try\n").expect("edit");
    fs::write(
        fixture.course.join("exercises/03_fails/src/notes.rs"),
        b"// mine \xe2\x9c\x93\n",
    )
    .expect("a file of the learner's");
    let before = files_of(&fixture.course, "exercises/03_fails");

    // Act
    let ran = run(fixture.restlings(&["reset", "03_fails", "--yes"]));

    // Assert
    assert_eq!(
        ran.code, 0,
        "the reset succeeds:\n{}{}",
        ran.stdout, ran.stderr
    );
    let backup = backup_named_in(&ran.stdout, &fixture.course);
    let kept = files_of(&backup, "exercises/03_fails");
    assert_eq!(
        kept, before,
        "the backup in {backup:?} holds every file of the exercise as it was, byte for byte"
    );
    let starting = fs::read_to_string(&lib).expect("lib.rs is back");
    assert!(
        starting.starts_with("// Starting code generated from solutions/03_fails/src/lib.rs")
            && starting.contains("42"),
        "lib.rs is what `dev sync` generates from the solution, got:\n{starting}"
    );
    assert!(
        !fixture
            .course
            .join("exercises/03_fails/src/notes.rs")
            .exists(),
        "a file the exercise does not ship is removed (it is in the backup)"
    );
    assert!(
        ran.stdout.contains("not a git checkout"),
        "without git, the output says the hand-written files were left alone:\n{}",
        ran.stdout
    );
    let again = run(fixture.restlings(&["reset", "03_fails"]));
    assert!(
        again.code == 0 && again.stdout.contains("already at its starting code"),
        "a second reset has nothing to do, so it needs no confirmation:\n{}{}",
        again.stdout,
        again.stderr
    );
}

#[test]
fn a_reset_that_stops_half_way_loses_nothing() {
    // Arrange: the solution has two files, and where the second must go the
    // learner has a folder, so the second write fails after the first one
    // succeeded: a reset interrupted half-way, at a known point.
    let fixture = Fixture::new("course");
    with_solution(
        &fixture,
        &[
            ("lib.rs", "mod more;\npub fn answer() -> u32 {\n    42\n}\n"),
            ("more.rs", "pub fn more() {}\n"),
        ],
    );
    let exercise = fixture.course.join("exercises/03_fails");
    fs::write(exercise.join("src/lib.rs"), "// my own lib.rs\n").expect("edit lib.rs");
    fs::create_dir_all(exercise.join("src/more.rs")).expect("a folder in the way");
    fs::write(exercise.join("src/more.rs/notes.txt"), "my notes\n").expect("a note");
    let before = files_of(&fixture.course, "exercises/03_fails");

    // Act
    let ran = run(fixture.restlings(&["reset", "03_fails", "--yes"]));

    // Assert
    assert_ne!(ran.code, 0, "the reset could not finish, so it is an error");
    assert!(
        ran.stderr.contains("stopped half-way") && ran.stderr.contains("Nothing is lost"),
        "the error says the reset stopped and that nothing is lost:\n{}",
        ran.stderr
    );
    let backup = backup_named_in(&ran.stdout, &fixture.course);
    assert!(
        ran.stderr.contains(&backup.display().to_string()),
        "the error names the backup folder {backup:?}:\n{}",
        ran.stderr
    );
    assert_eq!(
        files_of(&backup, "exercises/03_fails"),
        before,
        "the backup is complete and byte-identical, though the reset stopped"
    );
    let now = files_of(&fixture.course, "exercises/03_fails");
    for (path, bytes) in &before {
        let unchanged = now.get(path) == Some(bytes);
        let restored_from_solution = path.ends_with("src/lib.rs");
        assert!(
            unchanged || restored_from_solution,
            "{path:?} changed though the reset never got to it"
        );
    }
    let leftovers: Vec<&PathBuf> = now
        .keys()
        .filter(|path| path.to_string_lossy().contains("restlings-reset.tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary file is left in the exercise: {leftovers:?}"
    );
}

/// In a terminal, reset asks, and only `y` goes on.
#[cfg(unix)]
#[test]
fn in_a_terminal_reset_asks_first_and_only_y_changes_anything() {
    use assert_cmd::cargo::cargo_bin;
    use nix::pty::openpty;
    use std::fs::File;
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let fixture = Fixture::new("course");
    with_solution(
        &fixture,
        &[("lib.rs", "pub fn answer() -> u32 {\n    42\n}\n")],
    );
    let lib = fixture.course.join("exercises/03_fails/src/lib.rs");
    let mine = fs::read(&lib).expect("the learner's lib.rs");
    for (answer, changes) in [("n", false), ("y", true)] {
        let Ok(pty) = openpty(None, None) else {
            eprintln!(
                "SKIPPED: no pseudo-terminal on this machine, so the question was not tested"
            );
            return;
        };
        let tty = || Stdio::from(pty.slave.try_clone().expect("share the pty"));
        let mut child = Command::new(cargo_bin!("restlings"))
            .args(["--course"])
            .arg(&fixture.course)
            .args(["reset", "03_fails"])
            .env_remove("RESTLINGS_COURSE")
            .stdin(tty())
            .stdout(tty())
            .stderr(tty())
            .spawn()
            .expect("start restlings reset");
        let mut keyboard = File::from(pty.master.try_clone().expect("the pty's input"));
        let mut screen = File::from(pty.master);
        let (sender, chunks) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut buffer = [0_u8; 4096];
            while let Ok(read) = screen.read(&mut buffer) {
                if read == 0 || sender.send(buffer[..read].to_vec()).is_err() {
                    break;
                }
            }
        });
        let mut text = String::new();
        let until = Instant::now() + Duration::from_secs(30);
        while !text.contains("Type y and Enter") && Instant::now() < until {
            if let Ok(chunk) = chunks.recv_timeout(Duration::from_millis(200)) {
                text.push_str(&String::from_utf8_lossy(&chunk));
            }
        }
        assert!(
            text.contains("Type y and Enter"),
            "in a terminal, reset asks before it changes anything:\n{text}"
        );
        keyboard
            .write_all(format!("{answer}\n").as_bytes())
            .expect("answer the question");
        let status = child.wait().expect("reset ends");
        assert_eq!(
            status.success(),
            changes,
            "answering {answer:?} should {} the reset",
            if changes { "go on with" } else { "stop" }
        );
        let now = fs::read(&lib).expect("lib.rs is there");
        assert_eq!(
            now != mine,
            changes,
            "after {answer:?}, lib.rs should be {}",
            if changes {
                "the starting code"
            } else {
                "the learner's, untouched"
            }
        );
    }
}
