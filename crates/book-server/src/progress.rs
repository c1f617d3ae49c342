//! The learner's progress, as the sidebar shows it: each chapter's exercise is
//! done, current (the first that is not done) or pending.
//!
//! The book server never runs the tests itself (a page load must not start a
//! cargo build). It reads what the runner last recorded in the state file
//! (see [`read_passed`]). Without a state file every chapter is `unknown`, and
//! the page shows no marks at all.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// The state file the runner writes, relative to the course root.
pub const STATE_FILE: &str = ".restlings/state";

/// One chapter's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Done,
    Current,
    Pending,
    /// No state file: nothing is known.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub name: String,
    pub title: String,
    /// The chapter's page in the built book, such as `03_get.html`.
    pub page: String,
    pub status: Status,
}

/// What `GET /__restlings/progress` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Where the statuses come from: the state file's path, or `none`.
    pub source: String,
    pub exercises: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct CourseFile {
    exercises: Vec<CourseEntry>,
}

#[derive(Debug, Deserialize)]
struct CourseEntry {
    name: String,
    title: String,
}

/// The course's exercises, in order, as `(name, title)`.
pub fn exercises(root: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let path = root.join("course.toml");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {}: run `cargo run -- book` at the course root",
            path.display()
        )
    })?;
    let course: CourseFile = toml::from_str(&text)
        .with_context(|| format!("{} is not the course's manifest", path.display()))?;
    Ok(course
        .exercises
        .into_iter()
        .map(|entry| (entry.name, entry.title))
        .collect())
}

/// The progress of `exercises`, given the state file at `state` (if any).
pub fn progress(exercises: &[(String, String)], state: &Path) -> Progress {
    let passed = read_passed(state);
    let mut current_seen = false;
    let entries = exercises
        .iter()
        .map(|(name, title)| {
            let status = match &passed {
                None => Status::Unknown,
                Some(passed) if passed.contains(name) => Status::Done,
                Some(_) if !current_seen => {
                    current_seen = true;
                    Status::Current
                }
                Some(_) => Status::Pending,
            };
            Entry {
                name: name.clone(),
                title: title.clone(),
                page: format!("{name}.html"),
                status,
            }
        })
        .collect();
    Progress {
        source: match passed {
            Some(_) => state.display().to_string(),
            None => "none".to_owned(),
        },
        exercises: entries,
    }
}

/// The exercises the state file at `path` records as passing, or `None` if
/// there is no state file or it cannot be read.
///
/// The file holds one exercise a line. A line `NAME passes` (or a bare
/// `NAME`, or `NAME done`) marks it done; any other word after the name
/// (`fails`, `does-not-compile`, …) does not; blank lines and lines starting
/// with `#` are ignored.
pub fn read_passed(path: &Path) -> Option<BTreeSet<String>> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(parse_passed(&text))
}

fn parse_passed(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next()?;
            match words.next() {
                None | Some("passes" | "passed" | "done") => Some(name.to_owned()),
                Some(_) => None,
            }
        })
        .collect()
}

/// The state file of the course at `root`.
pub fn default_state_file(root: &Path) -> PathBuf {
    root.join(STATE_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course() -> Vec<(String, String)> {
        ["01_a", "02_b", "03_c"]
            .iter()
            .map(|name| ((*name).to_owned(), format!("title of {name}")))
            .collect()
    }

    #[test]
    fn without_a_state_file_every_chapter_is_unknown() {
        let progress = progress(&course(), Path::new("/nonexistent/restlings/state"));
        assert_eq!(progress.source, "none", "no file: the source is none");
        assert!(
            progress
                .exercises
                .iter()
                .all(|entry| entry.status == Status::Unknown),
            "no file: nothing is known, got {:?}",
            progress.exercises
        );
    }

    #[test]
    fn the_first_exercise_not_done_is_current_and_the_rest_pending() {
        let passed = parse_passed("# restlings state\n01_a passes\n02_b fails\n");
        assert_eq!(
            passed,
            BTreeSet::from(["01_a".to_owned()]),
            "only the passing line counts"
        );
        let dir = tempfile::tempdir().expect("a temporary folder");
        let state = dir.path().join("state");
        std::fs::write(&state, "01_a passes\n").expect("write the state file");
        let statuses: Vec<Status> = progress(&course(), &state)
            .exercises
            .iter()
            .map(|entry| entry.status)
            .collect();
        assert_eq!(
            statuses,
            [Status::Done, Status::Current, Status::Pending],
            "01 passes, so 02 is current and 03 pending"
        );
    }
}
