//! The course manifest, `course.toml`: the exercises in order, with their
//! names and titles. Everything else follows from the name, as in rustlings'
//! `info.toml`: the folder is `exercises/<name>`, the chapter page is
//! `book/src/<name>.md`, and the hint is `solutions/<name>/HINT.md`, the file
//! the book includes.
//!
//! [`Course::load`] reads and checks it in one go, so every command can trust
//! what it gets: names are unique, every exercise has a title and a hint, and
//! every folder and book page exists.

use anyhow::{Context, anyhow, bail};
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// The manifest's file name, at the root of the course.
pub const MANIFEST: &str = "course.toml";

/// The hint's file name, inside the exercise's solution folder.
pub const HINT_FILE: &str = "HINT.md";

/// A loaded, checked course.
#[derive(Debug, Clone)]
pub struct Course {
    root: PathBuf,
    exercises: Vec<Exercise>,
}

/// One exercise: its `course.toml` entry and what follows from its name.
/// Paths are relative to the course root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exercise {
    /// Short id, such as `02_endpoints`.
    pub name: String,
    /// Human title, such as `Endpoints`.
    pub title: String,
    /// The exercise's cargo package folder, `exercises/<name>`.
    pub dir: PathBuf,
    /// The chapter page, `book/src/<name>.md`.
    pub book: PathBuf,
    /// What to try when stuck: the text of `solutions/<name>/HINT.md`.
    pub hint: String,
    /// Seconds its tests may run before the runner calls them hung, when
    /// that is longer than the runner's `--timeout`: a first container image
    /// build takes minutes.
    pub timeout_secs: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(default)]
    exercises: Vec<Entry>,
}

/// One `[[exercises]]` table as written. The fields that follow from the name
/// are accepted only to be refused with a message that says so: an older
/// manifest gets told what changed instead of "unknown field".
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    title: String,
    #[serde(default)]
    timeout_secs: Option<u64>,
    #[serde(default)]
    dir: Option<IgnoredAny>,
    #[serde(default)]
    book: Option<IgnoredAny>,
    #[serde(default)]
    hint: Option<IgnoredAny>,
}

impl Entry {
    /// The exercise this entry names, with its derived paths; the hint is
    /// filled in once the name is known to be safe.
    fn exercise(&self) -> Exercise {
        Exercise {
            name: self.name.clone(),
            title: self.title.clone(),
            dir: Path::new("exercises").join(&self.name),
            book: Path::new("book/src").join(format!("{}.md", self.name)),
            hint: String::new(),
            timeout_secs: self.timeout_secs,
        }
    }
}

/// Reads `path` as text. A file that cannot be read gets the advice of
/// `unreadable`; one that can but is not UTF-8 is a different mistake, with a
/// different fix, so it says so, and where.
fn read_text(path: &Path, unreadable: impl FnOnce() -> String) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(unreadable)?;
    String::from_utf8(bytes).map_err(|error| {
        let at = error.utf8_error().valid_up_to();
        let bytes = error.as_bytes();
        let line = bytes[..at].iter().filter(|&&byte| byte == b'\n').count() + 1;
        let byte = bytes.get(at).copied().unwrap_or_default();
        anyhow!(
            "{} is not UTF-8 text: line {line} holds the byte 0x{byte:02x} (byte {at} of the \
             file), which UTF-8 does not allow there. {NOT_UTF8_FIX}",
            path.display()
        )
    })
}

impl Course {
    /// Reads `<root>/course.toml` and checks it. The error lists every problem
    /// found, each with the exercise it belongs to.
    pub fn load(root: &Path) -> anyhow::Result<Course> {
        let path = root.join(MANIFEST);
        let text = read_text(&path, || {
            format!(
                "cannot read the course manifest {}: run restlings from inside the course, \
                 or point it at the course with `--course DIR`",
                path.display()
            )
        })?;
        let manifest: Manifest = toml::from_str(&text).with_context(|| {
            format!(
                "{} is not a valid course manifest: fix the spot shown below",
                path.display()
            )
        })?;
        let (exercises, problems) = check(root, &manifest.exercises);
        if !problems.is_empty() {
            let mut message = format!("{} has {} problem(s):", path.display(), problems.len());
            for problem in &problems {
                let _ = write!(message, "\n  - {problem}");
            }
            bail!("{message}\nFix {MANIFEST} (or add the missing files), then run again.");
        }
        Ok(Course {
            root: root.to_path_buf(),
            exercises,
        })
    }

    /// Walks up from `start` to the first directory holding `course.toml`.
    pub fn find_root(start: &Path) -> anyhow::Result<PathBuf> {
        let start = std::path::absolute(start)
            .with_context(|| format!("cannot resolve the path {}", start.display()))?;
        start
            .ancestors()
            .find(|dir| dir.join(MANIFEST).is_file())
            .map(Path::to_path_buf)
            .with_context(|| {
                format!(
                    "no {MANIFEST} in {} or any folder above it: run restlings from inside \
                     the course folder, or pass `--course DIR`",
                    start.display()
                )
            })
    }

    /// The folder holding `course.toml`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The exercises, in course order.
    pub fn exercises(&self) -> &[Exercise] {
        &self.exercises
    }

    /// The same course with only the exercises called `names`, in course
    /// order; all of them when `names` is empty. An unknown name is an error.
    pub fn only(&self, names: &[String]) -> anyhow::Result<Course> {
        if names.is_empty() {
            return Ok(self.clone());
        }
        for name in names {
            self.exercise(name)?;
        }
        Ok(Course {
            root: self.root.clone(),
            exercises: self
                .exercises
                .iter()
                .filter(|exercise| names.contains(&exercise.name))
                .cloned()
                .collect(),
        })
    }

    /// The exercise called `name`, or an error listing the valid names.
    pub fn exercise(&self, name: &str) -> anyhow::Result<&Exercise> {
        self.exercises
            .iter()
            .find(|exercise| exercise.name == name)
            .with_context(|| {
                let names: Vec<&str> = self.exercises.iter().map(|e| e.name.as_str()).collect();
                let guess = match did_you_mean(name, &names) {
                    Some(guess) => format!(" Did you mean `{guess}`?"),
                    None => String::new(),
                };
                format!(
                    "there is no exercise called `{name}`.{guess} The exercises are: {}",
                    names.join(", ")
                )
            })
    }
}

impl Exercise {
    /// Where the hint lives: `solutions/<name>/HINT.md`.
    pub fn hint_path(&self) -> PathBuf {
        hint_path(&self.name)
    }

    /// The cargo package name, read from `<dir>/Cargo.toml`.
    pub fn package(&self, root: &Path) -> anyhow::Result<String> {
        #[derive(Deserialize)]
        struct CargoToml {
            package: Option<Package>,
        }
        #[derive(Deserialize)]
        struct Package {
            name: String,
        }
        let path = root.join(&self.dir).join("Cargo.toml");
        let text = read_text(&path, || {
            format!(
                "cannot read {} for exercise `{}`: {} must be a cargo package",
                path.display(),
                self.name,
                self.dir.display()
            )
        })?;
        let cargo: CargoToml = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid Cargo.toml", path.display()))?;
        cargo.package.map(|package| package.name).with_context(|| {
            format!(
                "{} has no [package] table: an exercise must be a cargo package",
                path.display()
            )
        })
    }
}

/// `solutions/<name>/HINT.md`, relative to the course root.
fn hint_path(name: &str) -> PathBuf {
    Path::new("solutions").join(name).join(HINT_FILE)
}

/// The exercises the manifest lists, with their hints read, and everything
/// wrong with them, one sentence each.
fn check(root: &Path, entries: &[Entry]) -> (Vec<Exercise>, Vec<String>) {
    let mut exercises = Vec::new();
    let mut problems = Vec::new();
    if entries.is_empty() {
        problems.push("it lists no exercises: add an [[exercises]] table".to_owned());
    }
    let mut seen = HashSet::new();
    for (index, entry) in entries.iter().enumerate() {
        let mut exercise = entry.exercise();
        let name = exercise.name.as_str();
        let who = if name.trim().is_empty() {
            format!("exercise #{}", index + 1)
        } else {
            format!("exercise `{name}`")
        };
        for (field, present) in [("dir", entry.dir.is_some()), ("book", entry.book.is_some())] {
            if present {
                problems.push(format!(
                    "{who}: `{field}` is derived from the name now ({}): delete that line",
                    if field == "dir" {
                        &exercise.dir
                    } else {
                        &exercise.book
                    }
                    .display()
                ));
            }
        }
        if entry.hint.is_some() {
            problems.push(format!(
                "{who}: `hint` is read from {} now: move its text into that file and \
                 delete the line",
                hint_path(name).display()
            ));
        }
        if exercise.title.trim().is_empty() {
            problems.push(format!("{who} has an empty `title`"));
        }
        if name.trim().is_empty() {
            problems.push(format!("{who} has an empty `name`"));
            continue;
        }
        if !is_plain_name(name) {
            problems.push(format!(
                "{who}: the name must be a plain folder name such as `02_endpoints`, \
                 since the paths follow from it"
            ));
            continue;
        }
        if !seen.insert(name.to_owned()) {
            // Its paths are the first entry's, already checked.
            problems.push(format!("{who} is listed twice: names must be unique"));
            continue;
        }
        if !root.join(&exercise.dir).is_dir() {
            problems.push(format!(
                "{who}: its folder {} does not exist",
                exercise.dir.display()
            ));
        }
        if !root.join(&exercise.book).is_file() {
            problems.push(format!(
                "{who}: its chapter page {} does not exist",
                exercise.book.display()
            ));
        }
        let hint = exercise.hint_path();
        match std::fs::read_to_string(root.join(&hint)) {
            Ok(text) if text.trim().is_empty() => problems.push(format!(
                "{who}: its hint {} is empty: every exercise needs one",
                hint.display()
            )),
            Ok(text) => exercise.hint = text.trim().to_owned(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                problems.push(format!(
                    "{who}: its hint {} does not exist: every exercise needs one",
                    hint.display()
                ));
            }
            Err(error) => problems.push(format!(
                "{who}: cannot read its hint {}: {error}",
                hint.display()
            )),
        }
        exercises.push(exercise);
    }
    (exercises, problems)
}

/// The name among `names` that `typed` most likely meant: the same but for
/// case and dashes, the one it begins (`04` for `04_post`), or one within a
/// few typos.
pub fn did_you_mean<'a>(typed: &str, names: &[&'a str]) -> Option<&'a str> {
    let plain = |text: &str| text.to_lowercase().replace(['-', ' '], "_");
    let typed = plain(typed.trim());
    if typed.is_empty() {
        return None;
    }
    if let Some(name) = names.iter().find(|name| plain(name) == typed) {
        return Some(name);
    }
    let starting: Vec<&&str> = names
        .iter()
        .filter(|name| plain(name).starts_with(&typed))
        .collect();
    if let [only] = starting.as_slice() {
        return Some(only);
    }
    // The topic alone, as in `post` for `04_post`.
    let by_topic: Vec<&&str> = names
        .iter()
        .filter(|name| {
            plain(name)
                .split_once('_')
                .is_some_and(|(_, topic)| topic == typed)
        })
        .collect();
    if let [only] = by_topic.as_slice() {
        return Some(only);
    }
    let limit = (typed.chars().count() / 3).max(2);
    names
        .iter()
        .map(|name| (distance(&plain(name), &typed), name))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| *name)
}

/// The Levenshtein distance between `a` and `b`, in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// True for a name that is one plain path component, so that the paths made
/// from it stay inside the course.
fn is_plain_name(name: &str) -> bool {
    let mut components = Path::new(name).components();
    matches!(components.next(), Some(Component::Normal(part)) if part == name)
        && components.next().is_none()
}

/// The fix for a file that is not UTF-8, the only encoding TOML allows.
const NOT_UTF8_FIX: &str = "TOML files must be UTF-8: save it again with the encoding UTF-8 \
    (an editor that saved it as Latin-1, Windows-1252 or UTF-16 offers it under \"Save with \
    encoding\"), then run again";

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A course with one exercise, `01_one`, with its folder, chapter page and
    /// hint, whose `course.toml` entry ends with `extra`.
    fn course_with(extra: &str) -> tempfile::TempDir {
        let temp = tempfile::tempdir().expect("a temp dir");
        let root = temp.path();
        fs::create_dir_all(root.join("exercises/01_one")).expect("exercise folder");
        fs::create_dir_all(root.join("book/src")).expect("book folder");
        fs::create_dir_all(root.join("solutions/01_one")).expect("solution folder");
        fs::write(root.join("book/src/01_one.md"), "# One").expect("book page");
        fs::write(
            root.join("solutions/01_one/HINT.md"),
            "Try.\nThen try again.\n",
        )
        .expect("hint");
        fs::write(
            root.join("exercises/01_one/Cargo.toml"),
            "[package]\nname = \"ex01_one\"\nversion = \"0.1.0\"\n",
        )
        .expect("exercise manifest");
        fs::write(
            root.join(MANIFEST),
            format!("[[exercises]]\nname = \"01_one\"\ntitle = \"One\"\n{extra}"),
        )
        .expect("course.toml");
        temp
    }

    fn load_error(temp: &tempfile::TempDir, why: &str) -> String {
        format!("{:#}", Course::load(temp.path()).expect_err(why))
    }

    #[test]
    fn a_good_course_loads_with_paths_derived_from_the_name() {
        let temp = course_with("");
        let course = Course::load(temp.path()).expect("a correct course loads");
        let exercise = &course.exercises()[0];
        assert_eq!(
            exercise.dir,
            Path::new("exercises/01_one"),
            "dir is exercises/<name>, relative to the course root"
        );
        assert_eq!(
            exercise.book,
            Path::new("book/src/01_one.md"),
            "book is book/src/<name>.md, relative to the course root"
        );
        assert_eq!(
            exercise.hint, "Try.\nThen try again.",
            "the hint is the text of solutions/<name>/HINT.md, without the final newline"
        );
        assert_eq!(
            exercise.hint_path(),
            Path::new("solutions/01_one/HINT.md"),
            "the hint's file is solutions/<name>/HINT.md"
        );
        assert_eq!(
            exercise.package(temp.path()).expect("the package name"),
            "ex01_one",
            "the package name comes from the exercise's Cargo.toml"
        );
    }

    #[test]
    fn the_timeout_is_read_from_the_entry() {
        let temp = course_with("timeout_secs = 900\n");
        let course = Course::load(temp.path()).expect("a timeout is a known field");
        assert_eq!(
            course.exercises()[0].timeout_secs,
            Some(900),
            "timeout_secs should come through from course.toml"
        );
    }

    #[test]
    fn a_name_that_climbs_out_of_the_course_is_refused() {
        for name in ["../elsewhere", "/etc/passwd", "a/b", "."] {
            let temp = course_with("");
            fs::write(
                temp.path().join(MANIFEST),
                format!("[[exercises]]\nname = \"{name}\"\ntitle = \"Out\"\n"),
            )
            .expect("course.toml");
            let error = load_error(&temp, "paths made from the name must stay inside");
            assert!(
                error.contains("must be a plain folder name"),
                "the name {name:?} would put its paths outside exercises/, book/src/ or \
                 solutions/, so it should be refused; got: {error}"
            );
        }
    }

    #[test]
    fn the_old_path_and_hint_fields_are_refused_as_derived_now() {
        let temp = course_with(
            "dir = \"exercises/01_one\"\nbook = \"book/src/01_one.md\"\nhint = \"Try.\"\n",
        );
        let error = load_error(&temp, "an old manifest must not pass silently");
        for expected in [
            "`dir` is derived from the name now (exercises/01_one): delete that line",
            "`book` is derived from the name now (book/src/01_one.md): delete that line",
            "`hint` is read from solutions/01_one/HINT.md now",
        ] {
            assert!(
                error.contains(expected),
                "an old manifest should be told what changed, {expected:?}; got: {error}"
            );
        }
    }

    #[test]
    fn an_unknown_field_is_refused_rather_than_ignored() {
        let temp = course_with("hnit = \"typo\"\n");
        let error = load_error(&temp, "typos must not pass");
        assert!(
            error.contains("hnit"),
            "the misspelt field should be named, got: {error}"
        );
    }

    #[test]
    fn a_missing_or_empty_hint_file_is_named() {
        let temp = course_with("");
        let hint = temp.path().join("solutions/01_one/HINT.md");
        fs::write(&hint, " \n\n").expect("empty the hint");
        let error = load_error(&temp, "an empty hint must not pass");
        assert!(
            error.contains("exercise `01_one`: its hint solutions/01_one/HINT.md is empty"),
            "an empty HINT.md should be named with its path, got: {error}"
        );
        fs::remove_file(&hint).expect("remove the hint");
        let error = load_error(&temp, "a missing hint must not pass");
        assert!(
            error.contains("exercise `01_one`: its hint solutions/01_one/HINT.md does not exist"),
            "a missing HINT.md should be named with its path, got: {error}"
        );
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        let temp = course_with("");
        let mut manifest = fs::read_to_string(temp.path().join(MANIFEST)).expect("course.toml");
        manifest.push_str(
            "\n[[exercises]]\nname = \"01_one\"\ntitle = \"Again\"\n\
             \n[[exercises]]\nname = \"02_two\"\ntitle = \" \"\n\
             \n[[exercises]]\nname = \"\"\ntitle = \"Nameless\"\n",
        );
        fs::write(temp.path().join(MANIFEST), manifest).expect("course.toml");
        let error = load_error(&temp, "four broken entries must not load");
        for expected in [
            "exercise `01_one` is listed twice: names must be unique",
            "exercise `02_two` has an empty `title`",
            "exercise `02_two`: its folder exercises/02_two does not exist",
            "exercise `02_two`: its chapter page book/src/02_two.md does not exist",
            "exercise `02_two`: its hint solutions/02_two/HINT.md does not exist",
            "exercise #4 has an empty `name`",
        ] {
            assert!(
                error.contains(expected),
                "the error should list {expected:?} with the others; got: {error}"
            );
        }
    }

    #[test]
    fn a_mistyped_name_is_matched_to_the_exercise_it_most_likely_means() {
        let names = ["02_endpoints", "03_get", "04_post", "05_put"];
        for (typed, meant) in [
            ("04-post", Some("04_post")),
            ("04_POST", Some("04_post")),
            ("04", Some("04_post")),
            ("post", Some("04_post")),
            ("03_gte", Some("03_get")),
            ("02_endpoint", Some("02_endpoints")),
            ("0", None),
            ("99_nothing_like_it", None),
        ] {
            assert_eq!(
                did_you_mean(typed, &names),
                meant,
                "`{typed}` should suggest {meant:?}"
            );
        }
    }

    #[test]
    fn find_root_walks_up_to_the_folder_holding_course_toml() {
        let temp = course_with("");
        let nested = temp.path().join("exercises/01_one");
        let root = Course::find_root(&nested).expect("the root is found from below");
        assert_eq!(
            root.canonicalize().expect("root exists"),
            temp.path().canonicalize().expect("temp exists"),
            "the root is the folder with course.toml, not the one we started in"
        );
    }
}
