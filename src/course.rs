//! The course manifest, `course.toml`: the exercises in order, with their
//! titles, folders, book pages and hints.
//!
//! [`Course::load`] reads and checks it in one go, so every command can trust
//! what it gets: names are unique, every exercise has a title and a hint, and
//! every folder and book page exists.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// The manifest's file name, at the root of the course.
pub const MANIFEST: &str = "course.toml";

/// A loaded, checked course.
#[derive(Debug, Clone)]
pub struct Course {
    root: PathBuf,
    exercises: Vec<Exercise>,
}

/// One exercise, as `course.toml` lists it. Paths are relative to the course root.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// Short id, such as `02_endpoints`.
    pub name: String,
    /// Human title, such as `Endpoints`.
    pub title: String,
    /// The exercise's cargo package folder, such as `exercises/02_endpoints`.
    pub dir: PathBuf,
    /// The chapter page, such as `book/src/02_endpoints.md`.
    pub book: PathBuf,
    /// What to try when stuck.
    pub hint: String,
    /// Seconds its tests may run before the runner calls them hung, when
    /// that is longer than the runner's `--timeout`: a first container image
    /// build takes minutes.
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(default)]
    exercises: Vec<Exercise>,
}

impl Course {
    /// Reads `<root>/course.toml` and checks it. The error lists every problem
    /// found, each with the exercise it belongs to.
    pub fn load(root: &Path) -> anyhow::Result<Course> {
        let path = root.join(MANIFEST);
        let text = std::fs::read_to_string(&path).with_context(|| {
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
        let problems = problems(root, &manifest.exercises);
        if !problems.is_empty() {
            let mut message = format!("{} has {} problem(s):", path.display(), problems.len());
            for problem in &problems {
                let _ = write!(message, "\n  - {problem}");
            }
            bail!("{message}\nFix {MANIFEST} (or add the missing files), then run again.");
        }
        Ok(Course {
            root: root.to_path_buf(),
            exercises: manifest.exercises,
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
                format!(
                    "there is no exercise called `{name}`. The exercises are: {}",
                    names.join(", ")
                )
            })
    }
}

impl Exercise {
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
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {} for exercise `{}`: check its `dir` in {MANIFEST}",
                path.display(),
                self.name
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

/// Everything wrong with the manifest's exercise list, one sentence each.
fn problems(root: &Path, exercises: &[Exercise]) -> Vec<String> {
    let mut problems = Vec::new();
    if exercises.is_empty() {
        problems.push("it lists no exercises: add an [[exercises]] table".to_owned());
    }
    let mut seen = HashSet::new();
    for (index, exercise) in exercises.iter().enumerate() {
        let who = if exercise.name.trim().is_empty() {
            format!("exercise #{}", index + 1)
        } else {
            format!("exercise `{}`", exercise.name)
        };
        if exercise.name.trim().is_empty() {
            problems.push(format!("{who} has an empty `name`"));
        } else if !seen.insert(exercise.name.as_str()) {
            problems.push(format!("{who} is listed twice: names must be unique"));
        }
        if exercise.title.trim().is_empty() {
            problems.push(format!("{who} has an empty `title`"));
        }
        if exercise.hint.trim().is_empty() {
            problems.push(format!(
                "{who} has an empty `hint`: every exercise needs one"
            ));
        }
        for (field, path, want_dir) in [
            ("dir", &exercise.dir, true),
            ("book", &exercise.book, false),
        ] {
            if !is_inside(path) {
                problems.push(format!(
                    "{who}: `{field}` must be a relative path inside the course, not {}",
                    path.display()
                ));
                continue;
            }
            let full = root.join(path);
            let exists = if want_dir {
                full.is_dir()
            } else {
                full.is_file()
            };
            if !exists {
                problems.push(format!(
                    "{who}: its `{field}` {} does not exist",
                    path.display()
                ));
            }
        }
    }
    problems
}

/// True for a relative path that does not climb out of the course.
fn is_inside(path: &Path) -> bool {
    !path.as_os_str().is_empty()
        && path
            .components()
            .all(|component| matches!(component, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A course with one exercise, `01_one`, whose fields come from `extra`.
    fn course_with(extra: &str) -> tempfile::TempDir {
        let temp = tempfile::tempdir().expect("a temp dir");
        let root = temp.path();
        fs::create_dir_all(root.join("exercises/01_one")).expect("exercise folder");
        fs::create_dir_all(root.join("book")).expect("book folder");
        fs::write(root.join("book/01_one.md"), "# One").expect("book page");
        fs::write(
            root.join("exercises/01_one/Cargo.toml"),
            "[package]\nname = \"ex01_one\"\nversion = \"0.1.0\"\n",
        )
        .expect("exercise manifest");
        fs::write(
            root.join(MANIFEST),
            format!("[[exercises]]\nname = \"01_one\"\ntitle = \"One\"\nhint = \"Try.\"\n{extra}"),
        )
        .expect("course.toml");
        temp
    }

    #[test]
    fn a_good_course_loads_with_its_package_name() {
        let temp = course_with("dir = \"exercises/01_one\"\nbook = \"book/01_one.md\"\n");
        let course = Course::load(temp.path()).expect("a correct course loads");
        let exercise = &course.exercises()[0];
        assert_eq!(
            exercise.dir,
            Path::new("exercises/01_one"),
            "dir stays relative"
        );
        assert_eq!(
            exercise.package(temp.path()).expect("the package name"),
            "ex01_one",
            "the package name comes from the exercise's Cargo.toml"
        );
    }

    #[test]
    fn a_path_that_climbs_out_of_the_course_is_refused() {
        let temp = course_with("dir = \"../elsewhere\"\nbook = \"/etc/passwd\"\n");
        let error = format!(
            "{:#}",
            Course::load(temp.path()).expect_err("paths must stay inside")
        );
        assert!(
            error.contains("`dir` must be a relative path")
                && error.contains("`book` must be a relative path"),
            "both escaping paths should be named, got: {error}"
        );
    }

    #[test]
    fn an_unknown_field_is_refused_rather_than_ignored() {
        let temp =
            course_with("dir = \"exercises/01_one\"\nbook = \"book/01_one.md\"\nhnit = \"typo\"\n");
        let error = format!(
            "{:#}",
            Course::load(temp.path()).expect_err("typos must not pass")
        );
        assert!(
            error.contains("hnit"),
            "the misspelt field should be named, got: {error}"
        );
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
