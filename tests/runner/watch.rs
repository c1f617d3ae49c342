//! Watch mode: it re-checks on save, moves on when an exercise passes, and
//! answers `h` and `q` on stdin.

use crate::fixture::Fixture;
use assert_cmd::cargo::cargo_bin;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

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
