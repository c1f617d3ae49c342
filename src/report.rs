//! What the commands print: the progress table, the next step, the details
//! of a failure. Plain strings, so every command words things the same way.

use crate::check::Outcome;
use crate::course::{Course, Exercise};
use console::style;
use std::fmt::Write as _;
use std::path::Path;

/// One line per exercise: mark, name, title and verdict.
pub fn table(exercises: &[Exercise], outcomes: &[Outcome]) -> String {
    let name_width = exercises.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let title_width = exercises
        .iter()
        .map(|e| e.title.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (exercise, outcome) in exercises.iter().zip(outcomes) {
        let mark = match outcome {
            Outcome::Passes => style(outcome.mark()).green(),
            Outcome::Skipped { .. } => style(outcome.mark()).yellow(),
            _ => style(outcome.mark()).red(),
        };
        let _ = writeln!(
            out,
            "  {mark} {:<name_width$}  {:<title_width$}  {}",
            exercise.name,
            exercise.title,
            outcome.label()
        );
    }
    out
}

/// `N/M done`, counting only exercises that pass.
pub fn done(outcomes: &[Outcome]) -> String {
    let passed = outcomes.iter().filter(|outcome| outcome.passes()).count();
    format!("{passed}/{} done", outcomes.len())
}

/// The exercise to work on: the first that neither passes nor was skipped.
pub fn current(outcomes: &[Outcome]) -> Option<usize> {
    outcomes.iter().position(Outcome::needs_work)
}

/// What to do next about `exercise`: its verdict, its page, the command.
pub fn next_step(course: &Course, exercise: &Exercise, outcome: &Outcome) -> String {
    let mut out = String::new();
    let details = outcome.details();
    if !details.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            style(format!("{}: {}", exercise.name, outcome.label())).bold()
        );
        let _ = writeln!(out, "{}\n", indent(&details));
    }
    let _ = writeln!(
        out,
        "Next: {} — {}",
        style(&exercise.name).bold(),
        exercise.title
    );
    let _ = writeln!(out, "  Read:   {}", exercise.book.display());
    let _ = writeln!(
        out,
        "  Test:   cd {} && cargo test",
        shown_dir(course.root(), &exercise.dir).display()
    );
    let _ = write!(out, "  Stuck?  cargo run -- hint");
    out
}

/// The closing words when nothing is left to do: all passed, or some skipped.
pub fn finished(exercises: &[Exercise], outcomes: &[Outcome]) -> String {
    let skipped: Vec<String> = exercises
        .iter()
        .zip(outcomes)
        .filter_map(|(exercise, outcome)| match outcome {
            Outcome::Skipped { reason } => Some(format!("  – {}: {reason}", exercise.name)),
            _ => None,
        })
        .collect();
    if skipped.is_empty() {
        ALL_DONE.to_owned()
    } else {
        format!("{SOME_SKIPPED}\n{}", skipped.join("\n"))
    }
}

/// `dir` as the learner should type it: relative when they stand at the root.
fn shown_dir(root: &Path, dir: &Path) -> std::path::PathBuf {
    let at_root = std::env::current_dir()
        .ok()
        .and_then(|cwd| cwd.canonicalize().ok())
        .zip(root.canonicalize().ok())
        .is_some_and(|(cwd, root)| cwd == root);
    if at_root {
        dir.to_path_buf()
    } else {
        root.join(dir)
    }
}

/// Indents every line by four spaces.
pub fn indent(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("    {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// An error and its causes, one paragraph each, for the terminal.
pub fn error(error: &anyhow::Error) -> String {
    let mut out = format!("{} {error}", style("error:").red().bold());
    for cause in error.chain().skip(1) {
        let _ = write!(out, "\n\nCaused by:\n{}", indent(&cause.to_string()));
    }
    out
}

const ALL_DONE: &str = "🎉 Every exercise passes: you built the whole course. Congratulations!\n\
                        The reference answers are in `solutions/`, if you want to compare.";

const SOME_SKIPPED: &str = "Everything else passes! These could not be checked on this machine, \
                            so they do not count as done yet:";
