//! `restlings watch`: check the exercise you are on each time you save a file
//! in it, and move on to the next one when it passes.
//!
//! Watch mode only reads: it never writes to the exercises.

use crate::check::{Checker, Outcome};
use crate::course::{Course, Exercise};
use crate::{hint, report};
use anyhow::Context;
use notify::{EventKind, RecursiveMode, Watcher};
use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

/// Saves often come in bursts (write, rename, touch): wait for this much quiet.
const DEBOUNCE: Duration = Duration::from_millis(300);

enum Event {
    /// A file under the watched exercise changed.
    Changed,
    /// A line typed on stdin.
    Input(String),
}

/// Runs watch mode until every exercise passes, `q` + Enter, or Ctrl-C.
pub fn run(course: &Course, checker: &Checker) -> anyhow::Result<ExitCode> {
    let (sender, events) = mpsc::channel();
    read_stdin(sender.clone());
    let exercises = course.exercises();
    let mut outcomes = checker.check(exercises)?;
    while let Some(index) = report::current(&outcomes) {
        let exercise = &exercises[index];
        // Dropping the watcher at the end of the iteration stops it.
        let _watcher = watch_dir(&course.root().join(&exercise.dir), sender.clone())?;
        println!("{}\n", report::done(&outcomes));
        show(exercise, &outcomes[index]);
        if !watch_one(checker, exercise, &events)? {
            return Ok(ExitCode::SUCCESS);
        }
        println!("\n✓ {} passes! On to the next exercise.\n", exercise.name);
        outcomes = checker.check(exercises)?;
        // Saves made while that ran were about the exercise just finished.
        while let Ok(event) = events.try_recv() {
            if let Event::Input(line) = event
                && line.trim() == "q"
            {
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
    println!("{}", report::finished(exercises, &outcomes));
    Ok(ExitCode::SUCCESS)
}

/// Re-checks `exercise` on every change until it is done (true) or the
/// learner quits (false).
fn watch_one(
    checker: &Checker,
    exercise: &Exercise,
    events: &Receiver<Event>,
) -> anyhow::Result<bool> {
    loop {
        let Ok(event) = events.recv() else {
            return Ok(false);
        };
        match event {
            Event::Input(line) => match line.trim() {
                "q" | "quit" | "exit" => return Ok(false),
                "h" | "hint" => {
                    println!("{}\n", hint::show(exercise));
                    continue;
                }
                "" | "r" => {}
                _ => {
                    println!("{KEYS}");
                    continue;
                }
            },
            Event::Changed => {
                if !settle(events) {
                    return Ok(false);
                }
            }
        }
        println!("Checking {}…", exercise.name);
        let outcome = checker
            .check(std::slice::from_ref(exercise))?
            .pop()
            .context("the check returned no verdict: run `cargo run -- verify` to see why")?;
        if !outcome.needs_work() {
            return Ok(true);
        }
        show(exercise, &outcome);
    }
}

/// Waits until changes stop for [`DEBOUNCE`]. False if the learner quit meanwhile.
fn settle(events: &Receiver<Event>) -> bool {
    loop {
        match events.recv_timeout(DEBOUNCE) {
            Ok(Event::Changed) => {}
            Ok(Event::Input(line)) if line.trim() == "q" => return false,
            Ok(Event::Input(_)) => {}
            Err(RecvTimeoutError::Timeout) => return true,
            Err(RecvTimeoutError::Disconnected) => return false,
        }
    }
}

fn show(exercise: &Exercise, outcome: &Outcome) {
    println!("{}: {} {}", exercise.name, outcome.mark(), outcome.label());
    let details = outcome.details();
    if !details.is_empty() {
        println!("{}", report::indent(&details));
    }
    println!(
        "\nWatching {}: save a file there to check again.\n{KEYS}",
        exercise.dir.display()
    );
}

/// Sends [`Event::Changed`] for edits under `dir`, ignoring build output and
/// hidden or backup files.
fn watch_dir(dir: &Path, sender: Sender<Event>) -> anyhow::Result<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let edits = matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
        ) && !matches!(
            event.kind,
            EventKind::Modify(notify::event::ModifyKind::Metadata(_))
        );
        if edits && event.paths.iter().any(|path| counts(path)) {
            let _ = sender.send(Event::Changed);
        }
    })
    .context(WATCH_FAILED)?;
    watcher
        .watch(dir, RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}. {WATCH_FAILED}", dir.display()))?;
    Ok(watcher)
}

/// False for files an edit of the exercise does not touch.
fn counts(path: &Path) -> bool {
    !path.components().any(|part| part.as_os_str() == "target")
        && path
            .file_name()
            .and_then(|name| name.to_str())
            .is_none_or(|name| !name.starts_with('.') && !name.ends_with('~'))
}

/// Forwards each line of stdin, on a thread of its own; stops at end of input.
fn read_stdin(sender: Sender<Event>) {
    thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if sender.send(Event::Input(line)).is_err() {
                break;
            }
        }
    });
}

const KEYS: &str = "Type q + Enter to quit, h + Enter for a hint, Enter to check now.";

const WATCH_FAILED: &str = "Watching files failed on this machine. Check by hand instead: \
                            `cargo run -- verify NAME` after each change.";
