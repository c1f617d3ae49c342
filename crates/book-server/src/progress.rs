//! The learner's progress, as the sidebar shows it: each chapter's exercise is
//! done, current (the first that is not done) or pending.
//!
//! The book server never runs the tests itself (a page load must not start a
//! cargo build). It reads what the runner last recorded in its state file,
//! `.restlings/state.json` (format version 1, documented in the runner's
//! `src/state.rs`): an exercise whose `status` is `pass` is done, the file's
//! `current` is current, and the others are pending. Without a state file, or
//! with one of another version, every chapter is `unknown` and the page shows
//! no marks at all.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// The state file the runner writes, relative to the course root.
pub const STATE_FILE: &str = ".restlings/state.json";

/// The version of the state file's format this server reads.
pub const STATE_VERSION: u64 = 1;

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
    let recorded = read_state(state);
    let current = recorded.as_ref().and_then(|recorded| {
        recorded.current.clone().or_else(|| {
            // A state file without `current`: the first exercise not done.
            exercises
                .iter()
                .map(|(name, _)| name)
                .find(|name| !recorded.passed.contains(*name))
                .cloned()
        })
    });
    let entries = exercises
        .iter()
        .map(|(name, title)| {
            let status = match &recorded {
                None => Status::Unknown,
                Some(recorded) if recorded.passed.contains(name) => Status::Done,
                Some(_) if current.as_deref() == Some(name) => Status::Current,
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
        source: match recorded {
            Some(_) => state.display().to_string(),
            None => "none".to_owned(),
        },
        exercises: entries,
    }
}

/// What the book needs from the state file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The exercises whose last check passed.
    pub passed: BTreeSet<String>,
    /// The exercise to work on, as the runner chose it.
    pub current: Option<String>,
}

/// Reads the state file at `path`, or `None` if there is none, or it is not
/// JSON of the version this server knows.
pub fn read_state(path: &Path) -> Option<Recorded> {
    let bytes = std::fs::read(path).ok()?;
    parse_state(&bytes)
}

fn parse_state(bytes: &[u8]) -> Option<Recorded> {
    let state: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    if state.get("version")?.as_u64()? != STATE_VERSION {
        return None;
    }
    let passed = state
        .get("exercises")
        .and_then(serde_json::Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, record)| record.get("status").and_then(|s| s.as_str()) == Some("pass"))
        .map(|(name, _)| name.clone())
        .collect();
    let current = state
        .get("current")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned);
    Some(Recorded { passed, current })
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
    fn a_passing_exercise_is_done_the_current_one_current_and_the_rest_pending() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let state = dir.path().join("state.json");
        std::fs::write(
            &state,
            r#"{"version": 1, "current": "02_b", "exercises": {
                "01_a": {"status": "pass"}, "02_b": {"status": "fail"}}}"#,
        )
        .expect("write the state file");
        let statuses: Vec<Status> = progress(&course(), &state)
            .exercises
            .iter()
            .map(|entry| entry.status)
            .collect();
        assert_eq!(
            statuses,
            [Status::Done, Status::Current, Status::Pending],
            "01 passes and 02 is the runner's current, so 03 is pending"
        );
    }

    #[test]
    fn a_state_file_of_another_version_or_not_json_counts_as_none() {
        for text in [r#"{"version": 2, "exercises": {}}"#, "01_a passes", ""] {
            assert_eq!(
                parse_state(text.as_bytes()),
                None,
                "{text:?} is not version 1 of the state file: nothing is known"
            );
        }
        assert_eq!(
            parse_state(br#"{"version": 1, "exercises": {"01_a": {"status": "pass"}}}"#)
                .map(|recorded| recorded.passed),
            Some(BTreeSet::from(["01_a".to_owned()])),
            "without `current`, the passes still count"
        );
    }
}
