//! Watch mode: it re-checks on save, keeps a pass on screen until `n`, shows
//! one compile error at a time, and answers `h`, `n` and `q`: as lines when
//! stdin is a pipe, as single keys under a pseudo-terminal.

use crate::fixture::Fixture;
use assert_cmd::cargo::cargo_bin;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The fixture's failing exercise, fixed.
const FIXED: &str = "pub fn answer() -> u32 {\n    42\n}\n";

/// A running `restlings watch`, killed when the test ends, pass or fail.
struct Watching(std::process::Child);

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Watching {
    /// Waits up to `within` for watch to exit, and says whether it succeeded.
    fn exits_within(&mut self, within: Duration) -> Option<bool> {
        let start = Instant::now();
        while start.elapsed() < within {
            if let Some(status) = self.0.try_wait().expect("poll watch") {
                return Some(status.success());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

/// The runner's `watch` with `args`, pointed at the fixture's copy.
fn command(fixture: &Fixture, args: &[&str]) -> Command {
    let mut command = Command::new(cargo_bin!("restlings"));
    command
        .args(["--timeout", "2", "--course"])
        .arg(&fixture.course)
        .arg("watch")
        .args(args)
        .current_dir(fixture.temp.path())
        .env("CARGO_TARGET_DIR", fixture.temp.path().join("target"))
        .env_remove("RESTLINGS_COURSE");
    command
}

/// Starts `restlings watch` on pipes and returns it with a channel of its stdout lines.
fn watch(fixture: &Fixture, args: &[&str]) -> (Watching, mpsc::Receiver<String>) {
    let mut child = command(fixture, args)
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

/// Reads lines until one contains `needle`, and returns them all; panics with
/// what was seen if that takes more than 60 s.
fn wait_for(lines: &mpsc::Receiver<String>, needle: &str) -> String {
    let mut seen = String::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(60)) {
        seen.push_str(&line);
        seen.push('\n');
        if line.contains(needle) {
            return seen;
        }
    }
    panic!("watch never printed {needle:?}; it printed:\n{seen}");
}

/// Every line printed within `during`.
fn lines_during(lines: &mpsc::Receiver<String>, during: Duration) -> String {
    let end = Instant::now() + during;
    let mut seen = String::new();
    while let Ok(line) = lines.recv_timeout(end.saturating_duration_since(Instant::now())) {
        seen.push_str(&line);
        seen.push('\n');
    }
    seen
}

#[test]
fn watch_rechecks_after_an_edit_and_moves_on_when_it_passes() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["01_passes", "03_fails"]);
    let (mut watching, lines) = watch(&fixture, &[]);
    wait_for(&lines, "Watching exercises/03_fails");
    let lib = fixture.course.join("exercises/03_fails/src/lib.rs");
    fs::write(&lib, FIXED).expect("fix the exercise");
    wait_for(&lines, "03_fails passes");
    wait_for(&lines, "Congratulations");
    let status = watching.0.wait().expect("watch exits");
    assert!(
        status.success(),
        "watch ends with success once every exercise passes"
    );
}

#[test]
fn a_save_during_a_check_shows_no_stale_verdict_and_is_checked_again() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["03_fails"]);
    let exercise = fixture.course.join("exercises/03_fails");
    // A test that says when the check has built the tests and runs them,
    // and then takes its time: a save now comes after the build read the
    // files, so only watch itself can notice it.
    let running = fixture.temp.path().join("tests-are-running");
    let slow = format!(
        "\n#[test]\nfn the_check_takes_a_second() {{\n    \
         std::fs::write({running:?}, \"\").expect(\"say the tests run\");\n    \
         std::thread::sleep(std::time::Duration::from_secs(1));\n}}\n"
    );
    let tests = exercise.join("tests/check.rs");
    let given = fs::read_to_string(&tests).expect("read the fixture's tests");
    fs::write(&tests, given + &slow).expect("add the slow test");
    let (_watching, lines) = watch(&fixture, &[]);
    wait_for(&lines, "Watching exercises/03_fails");

    let _ = fs::remove_file(&running);
    let lib = exercise.join("src/lib.rs");
    fs::write(&lib, "pub fn answer() -> u32 {\n    43\n}\n").expect("save a wrong answer");
    wait_for(&lines, "Checking 03_fails");
    let start = Instant::now();
    let mut meanwhile = String::new();
    while !running.exists() {
        meanwhile.extend(lines.try_iter().map(|line| line + "\n"));
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the check of the wrong answer never reached its tests; watch printed:\n{meanwhile}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    fs::write(&lib, FIXED).expect("save the right answer while the check runs");

    let seen = wait_for(&lines, "✓ 03_fails passes!");
    assert!(
        !seen.contains("03_fails: "),
        "the verdict on the wrong answer was about files saved again during its check, so \
         watch must not show it (the learner would read a failure for code they already \
         fixed); it printed:\n{seen}"
    );
    assert!(
        seen.contains("changed during the check: checking again"),
        "watch should say why it checks again; it printed:\n{seen}"
    );
}

#[test]
fn watch_shows_the_hint_on_h_and_quits_on_q() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["03_fails"]);
    let (mut watching, lines) = watch(&fixture, &[]);
    wait_for(&lines, "Watching exercises/03_fails");
    let mut stdin = watching.0.stdin.take().expect("watch's stdin");
    stdin.write_all(b"h\n").expect("type h and Enter");
    wait_for(&lines, "The answer is one more than you think.");
    stdin.write_all(b"q\n").expect("type q and Enter");
    assert_eq!(
        watching.exits_within(Duration::from_secs(10)),
        Some(true),
        "watch should quit, with success, within 10 s of q + Enter"
    );
}

#[test]
fn a_pass_stays_on_screen_until_n_is_typed() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["03_fails", "04_does_not_compile"]);
    let (watching, lines) = watch(&fixture, &[]);
    wait_for(&lines, "Watching exercises/03_fails");
    let lib = fixture.course.join("exercises/03_fails/src/lib.rs");
    fs::write(&lib, FIXED).expect("fix the exercise");
    wait_for(&lines, "✓ 03_fails passes!");
    wait_for(&lines, "Press n for the next exercise: 04_does_not_compile");

    let meanwhile = lines_during(&lines, Duration::from_millis(1500));
    assert!(
        !meanwhile.contains("04_does_not_compile: !"),
        "the pass should stay the last thing on screen until the learner types n, \
         but watch went on to the next exercise by itself:\n{meanwhile}"
    );

    let mut stdin = watching.0.stdin.as_ref().expect("watch's stdin");
    stdin.write_all(b"n\n").expect("type n and Enter");
    wait_for(&lines, "04_does_not_compile: ! does not compile");
}

#[test]
fn watch_with_a_name_watches_it_and_shows_its_first_compile_error_then_counts_the_rest() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["03_fails", "04_does_not_compile"]);
    let lib = fixture
        .course
        .join("exercises/04_does_not_compile/src/lib.rs");
    fs::write(
        &lib,
        "pub fn answer() -> u32 {\n    \"forty-two\"\n}\n\n\
         pub fn half() -> u32 {\n    \"twenty-one\"\n}\n\n\
         pub fn double() -> u32 {\n    \"eighty-four\"\n}\n",
    )
    .expect("give the exercise three errors");

    let (_watching, lines) = watch(&fixture, &["04_does_not_compile"]);
    let seen = wait_for(&lines, "Watching exercises/");

    assert!(
        seen.contains("Watching exercises/04_does_not_compile"),
        "03_fails comes first and fails, but watch was asked for 04_does_not_compile:\n{seen}"
    );
    assert!(
        seen.contains("\"forty-two\""),
        "the first error is shown in full, with the line it points at:\n{seen}"
    );
    assert!(
        !seen.contains("\"twenty-one\"") && !seen.contains("\"eighty-four\""),
        "later errors are counted, not shown, so the screen holds one thing to fix:\n{seen}"
    );
    assert!(
        seen.contains("… and 2 more errors"),
        "after the first error, watch says how many more there are:\n{seen}"
    );
}

#[test]
fn watch_with_an_unknown_name_lists_the_valid_ones() {
    let fixture = Fixture::new("course");
    let output = command(&fixture, &["99_nope"])
        .stdin(Stdio::null())
        .output()
        .expect("run restlings watch");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains("03_fails"),
        "an unknown exercise is an error that names the valid ones; got {:?} and:\n{stderr}",
        output.status
    );
}

/// Under a pseudo-terminal, as a learner runs it: keys without Enter.
#[cfg(unix)]
mod terminal {
    use super::{FIXED, Fixture, Watching, command};
    use nix::pty::{OpenptyResult, Winsize, openpty};
    use nix::sys::termios::{LocalFlags, tcgetattr};
    use std::fs::{self, File};
    use std::io::{Read, Write};
    use std::os::fd::OwnedFd;
    use std::process::Stdio;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    /// What watch wrote to the terminal so far, read from the pty's master side.
    struct Screen {
        chunks: mpsc::Receiver<Vec<u8>>,
        bytes: Vec<u8>,
    }

    impl Screen {
        fn new(mut master: File) -> Screen {
            let (sender, chunks) = mpsc::channel();
            std::thread::spawn(move || {
                let mut buffer = [0_u8; 4096];
                while let Ok(read) = master.read(&mut buffer) {
                    if read == 0 || sender.send(buffer[..read].to_vec()).is_err() {
                        break;
                    }
                }
            });
            Screen {
                chunks,
                bytes: Vec::new(),
            }
        }

        fn text(&self) -> String {
            String::from_utf8_lossy(&self.bytes).into_owned()
        }

        /// Waits until the output contains `needle`, and returns the length of
        /// the output up to it and past it; panics with the output after 60 s.
        fn wait_for(&mut self, needle: &str) -> usize {
            let end = Instant::now() + Duration::from_secs(60);
            loop {
                if let Some(at) = self.text().find(needle) {
                    return at + needle.len();
                }
                let left = end.saturating_duration_since(Instant::now());
                match self.chunks.recv_timeout(left) {
                    Ok(chunk) => self.bytes.extend(chunk),
                    Err(_) => panic!(
                        "watch never showed {needle:?} in the terminal; it showed:\n{}",
                        self.text()
                    ),
                }
            }
        }

        /// Reads whatever comes within `during`.
        fn settle(&mut self, during: Duration) {
            let end = Instant::now() + during;
            while let Ok(chunk) = self
                .chunks
                .recv_timeout(end.saturating_duration_since(Instant::now()))
            {
                self.bytes.extend(chunk);
            }
        }
    }

    /// True when the terminal is in its usual line mode: echo on, lines edited.
    fn cooked(slave: &OwnedFd) -> bool {
        let flags = tcgetattr(slave)
            .expect("read the terminal's settings")
            .local_flags;
        flags.contains(LocalFlags::ICANON | LocalFlags::ECHO)
    }

    /// "Clear the whole screen", as crossterm writes it.
    const CLEAR: &str = "\x1b[2J";

    #[test]
    fn in_a_terminal_single_keys_drive_watch_and_q_restores_the_terminal() {
        let size = Winsize {
            ws_row: 40,
            ws_col: 120,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let Ok(OpenptyResult { master, slave }) = openpty(&size, None) else {
            eprintln!(
                "SKIPPED: no pseudo-terminal on this machine, so single keys were not tested"
            );
            return;
        };
        assert!(cooked(&slave), "a new pseudo-terminal starts in line mode");
        let fixture = Fixture::new("course");
        fixture.keep_only(&["03_fails", "04_does_not_compile"]);
        let tty = || Stdio::from(slave.try_clone().expect("share the pty with watch"));
        let mut watching = Watching(
            command(&fixture, &[])
                .stdin(tty())
                .stdout(tty())
                .stderr(tty())
                .spawn()
                .expect("start restlings watch"),
        );
        let mut keyboard = master.try_clone().map(File::from).expect("the pty's input");
        let mut screen = Screen::new(File::from(master));

        // Arrange: watch shows the failure on a cleared screen, in raw mode.
        let verdict = screen.wait_for("03_fails: ✗ fails");
        screen.wait_for("Keys: h hint");
        assert!(
            screen.text()[..verdict].contains(CLEAR),
            "watch clears the screen before a verdict:\n{}",
            screen.text()
        );
        assert!(
            !cooked(&slave),
            "watch turns raw mode on, so keys work without Enter"
        );

        // Act and assert: h, with no Enter, shows the hint.
        keyboard.write_all(b"h").expect("press h");
        screen.wait_for("The answer is one more than you think.");

        // A fix passes, and the pass stays until n.
        fs::write(fixture.course.join("exercises/03_fails/src/lib.rs"), FIXED)
            .expect("fix the exercise");
        let passed = screen.wait_for("✓ 03_fails passes!");
        screen.wait_for("Press n for the next exercise: 04_does_not_compile");
        screen.settle(Duration::from_millis(1500));
        let after_pass = screen.text()[passed..].to_owned();
        assert!(
            !after_pass.contains(CLEAR) && !after_pass.contains("04_does_not_compile: !"),
            "the pass should stay on screen until n, but watch cleared it or moved on:\n{after_pass}"
        );

        keyboard.write_all(b"n").expect("press n");
        let next = screen.wait_for("04_does_not_compile: ! does not compile");
        assert!(
            screen.text()[passed..next].contains(CLEAR),
            "n clears the pass away before the next verdict:\n{}",
            screen.text()
        );

        // q quits cleanly and gives the terminal back in line mode.
        keyboard.write_all(b"q").expect("press q");
        assert_eq!(
            watching.exits_within(Duration::from_secs(5)),
            Some(true),
            "watch should quit, with success, within 5 s of q:\n{}",
            screen.text()
        );
        assert!(
            cooked(&slave),
            "after q the terminal is back in line mode (raw mode off, echo on)"
        );
    }
}
