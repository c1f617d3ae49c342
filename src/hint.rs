//! `restlings hint [NAME] [--all]`: the hint of one exercise, a level at a time.
//!
//! A `HINT.md` holds two or three levels, separated by a line that is just
//! `---`: a nudge first, then the API to reach for, then nearly the code.
//! Each run shows the next level, up to the last; `--all` shows every level.
//! Which level was shown is remembered per exercise in `.restlings/hints`
//! at the course root (see [`state`]).

pub mod state;

use crate::check::Checker;
use crate::course::{Course, Exercise};
use crate::report;
use std::process::ExitCode;

/// The line that separates two levels in a `HINT.md`.
pub const LEVEL_SEPARATOR: &str = "---";

/// Prints the next level of the hint of `name`, or of the first exercise that
/// needs work (which takes a check of every exercise to find); with `all`,
/// every level.
pub fn run(
    course: &Course,
    checker: &Checker,
    name: Option<&str>,
    all: bool,
) -> anyhow::Result<ExitCode> {
    let exercise = match name {
        Some(name) => course.exercise(name)?,
        None => {
            let exercises = course.exercises();
            let outcomes = crate::state::check(course, checker, exercises)?;
            match report::current(&outcomes) {
                Some(index) => &exercises[index],
                None => {
                    println!(
                        "{}\n\n{NO_HINT_NEEDED}",
                        report::finished(exercises, &outcomes)
                    );
                    return Ok(ExitCode::SUCCESS);
                }
            }
        }
    };
    let text = if all {
        show(exercise)
    } else {
        show_next(course, exercise)?
    };
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// The levels of a hint, in order, each trimmed; empty levels are dropped.
pub fn levels(hint: &str) -> Vec<&str> {
    let mut levels = Vec::new();
    let mut rest = hint;
    loop {
        let (level, after) = match find_separator(rest) {
            Some((start, end)) => (&rest[..start], Some(&rest[end..])),
            None => (rest, None),
        };
        if !level.trim().is_empty() {
            levels.push(level.trim());
        }
        match after {
            Some(after) => rest = after,
            None => return levels,
        }
    }
}

/// The byte range of the first separator line in `text`, newline included.
fn find_separator(text: &str) -> Option<(usize, usize)> {
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == LEVEL_SEPARATOR {
            return Some((start, start + line.len()));
        }
        start += line.len();
    }
    None
}

/// Every level of the hint, headed by the exercise and followed by its book
/// page. Watch mode's `h` key shows this.
pub fn show(exercise: &Exercise) -> String {
    let levels = levels(&exercise.hint);
    let count = levels.len();
    let body = levels
        .iter()
        .enumerate()
        .map(|(index, level)| {
            format!(
                "{}:\n\n{}",
                level_name(index + 1, count),
                report::indent(level)
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    format!(
        "Hints for {} — {}:\n\n{body}\n\nThe chapter explains more: {}",
        exercise.name,
        exercise.title,
        exercise.book.display()
    )
}

/// The level after the last one shown (the last level again once all were
/// shown), and remembers it in the course's state file.
pub fn show_next(course: &Course, exercise: &Exercise) -> anyhow::Result<String> {
    let levels = levels(&exercise.hint);
    let count = levels.len().max(1);
    let mut shown = state::Shown::load(course.root());
    let level = (shown.get(&exercise.name) + 1).min(count);
    shown.set(&exercise.name, level);
    shown.save(course.root())?;
    let text = levels.get(level - 1).copied().unwrap_or_default();
    let next = if level < count {
        format!(
            "Still stuck? Run the same command again for hint {} of {count}, or add `--all` \
             to see every level.",
            level + 1
        )
    } else {
        LAST_LEVEL.to_owned()
    };
    Ok(format!(
        "{} for {} — {}:\n\n{}\n\n{next}\nThe chapter explains more: {}",
        level_name(level, count),
        exercise.name,
        exercise.title,
        report::indent(text),
        exercise.book.display()
    ))
}

fn level_name(level: usize, count: usize) -> String {
    format!("Hint {level} of {count}")
}

const LAST_LEVEL: &str = "That was the last hint. The folded solution after the chapter's \
                          exercise shows one answer in full.";

const NO_HINT_NEEDED: &str = "No hint needed. For a given exercise's hint, run \
                              `cargo run -- hint NAME`.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_split_at_lines_that_are_just_three_dashes() {
        assert_eq!(
            levels("A nudge.\n\n---\n\nThe API.\n---\nNearly the code:\n`a --- b`\n"),
            vec!["A nudge.", "The API.", "Nearly the code:\n`a --- b`"],
            "a `---` line separates levels; `---` inside a line does not"
        );
        assert_eq!(
            levels("Only one level.\n"),
            vec!["Only one level."],
            "a hint without separators is one level"
        );
    }
}
