//! `restlings dev sync` and `restlings dev check`: commands for course authors.
//!
//! A chapter is written once, as its solution. Each exercise's `src/` is
//! derived from `solutions/<name>/src/`, and so are the files beside it (a
//! Dockerfile, its ignore file, a deploy manifest): the learner's parts,
//! marked in the solution (see [`markers`]), are replaced by the starting
//! code their markers carry. The solution's `Cargo.toml` and `HINT.md` are
//! its own. The derived files stay committed, so learners get plain
//! files; `dev check`, and the course's own `cargo test`, fail when one is
//! stale.

pub mod markers;

use crate::course::{Course, Exercise};
use anyhow::{Context, bail};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The command that regenerates the exercises.
pub const SYNC_COMMAND: &str = "cargo run -- dev sync";

/// The first line of every generated file, in the file's own comment syntax:
/// what it is, where it comes from, and the command that wrote it.
pub fn header(source: &Path, comment: &str) -> String {
    format!(
        "{comment}{HEADER_START}{} by `{SYNC_COMMAND}`.\n",
        slash_path(source)
    )
}

/// What every generated file's first line says after its comment token.
const HEADER_START: &str = " Starting code generated from ";

/// Files of a solution folder that are not derived: the package's own
/// manifest (the exercise's names its package and test file differently)
/// and the hint, which the runner and the book read from the solution.
const NOT_DERIVED: [&str; 2] = ["Cargo.toml", crate::course::HINT_FILE];

/// The line-comment token of a file the generator derives, by its name: `#`
/// for a Dockerfile, an ignore file, TOML, a stack file (YAML) and nginx's
/// configuration.
fn comment_token(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_str()?;
    if name.ends_with(".rs") {
        Some("//")
    } else if name.starts_with("Dockerfile")
        || name.ends_with(".dockerignore")
        || name.ends_with(".toml")
        || name.ends_with(".yml")
        || name.ends_with(".conf")
    {
        Some("#")
    } else {
        None
    }
}

/// One file an exercise should hold, derived from its solution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    /// Where it goes, relative to the course root.
    pub path: PathBuf,
    /// The solution file it comes from, relative to the course root.
    pub source: PathBuf,
    pub contents: String,
}

/// A derived file that is not what the solution says it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    /// The exercise lacks the file.
    Missing(PathBuf),
    /// The file's text differs; `line` is the first line that does.
    Differs { path: PathBuf, line: usize },
    /// A generated file whose solution file is gone.
    Orphan(PathBuf),
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stale::Missing(path) => write!(f, "{} is missing", slash_path(path)),
            Stale::Differs { path, line } => write!(
                f,
                "{}:{line} differs from what its solution generates",
                slash_path(path)
            ),
            Stale::Orphan(path) => write!(
                f,
                "{} was generated from a solution file that no longer exists",
                slash_path(path)
            ),
        }
    }
}

/// Every file the exercises' `src/` folders should hold, in course order.
pub fn derive(course: &Course) -> anyhow::Result<Vec<Derived>> {
    let mut derived = Vec::new();
    for exercise in course.exercises() {
        derived.extend(derive_exercise(course.root(), exercise)?);
    }
    Ok(derived)
}

fn derive_exercise(root: &Path, exercise: &Exercise) -> anyhow::Result<Vec<Derived>> {
    let solution = solution_dir(exercise);
    // `src/`, and the chapter's other files beside it: a Dockerfile, its
    // ignore file, a deploy manifest.
    let mut sources: Vec<PathBuf> = rust_files(root, &solution.join("src"))?
        .into_iter()
        .map(|relative| Path::new("src").join(relative))
        .collect();
    sources.extend(top_level_files(root, &solution)?);
    let mut derived = Vec::new();
    for relative in sources {
        let source = solution.join(&relative);
        let comment = comment_token(&source).with_context(|| {
            format!(
                "{}: the generator does not know this kind of file's comment syntax, so it \
                 cannot read its exercise markers; teach `comment_token` in src/dev.rs, or \
                 keep the file out of the solution folder",
                source.display()
            )
        })?;
        let text = fs::read_to_string(root.join(&source))
            .with_context(|| format!("cannot read the solution file {}", source.display()))?;
        let starting = markers::starting_code(&text, comment).with_context(|| {
            format!(
                "{}: the exercise markers are out of place",
                source.display()
            )
        })?;
        derived.push(Derived {
            path: exercise.dir.join(&relative),
            contents: format!("{}{starting}", header(&source, comment)),
            source,
        });
    }
    Ok(derived)
}

/// The files directly in a solution folder that its exercise derives.
fn top_level_files(root: &Path, solution: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let full = root.join(solution);
    let entries = fs::read_dir(&full).with_context(|| format!("cannot list {}", full.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {}", full.display()))?;
        let kind = entry
            .file_type()
            .with_context(|| format!("cannot inspect {}", entry.path().display()))?;
        let name = PathBuf::from(entry.file_name());
        if kind.is_file() && !NOT_DERIVED.iter().any(|skip| name == Path::new(skip)) {
            files.push(name);
        }
    }
    files.sort();
    Ok(files)
}

/// The solution folder of an exercise, relative to the course root.
pub fn solution_dir(exercise: &Exercise) -> PathBuf {
    Path::new("solutions").join(&exercise.name)
}

/// What differs between the exercises on disk and what their solutions generate.
pub fn stale(course: &Course) -> anyhow::Result<Vec<Stale>> {
    let root = course.root();
    let derived = derive(course)?;
    let mut stale = Vec::new();
    for file in &derived {
        match fs::read_to_string(root.join(&file.path)) {
            Ok(text) if text == file.contents => {}
            Ok(text) => stale.push(Stale::Differs {
                path: file.path.clone(),
                line: first_difference(&text, &file.contents),
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                stale.push(Stale::Missing(file.path.clone()));
            }
            Err(error) => {
                return Err(error).with_context(|| format!("cannot read {}", file.path.display()));
            }
        }
    }
    for orphan in orphans(course, &derived)? {
        stale.push(Stale::Orphan(orphan));
    }
    Ok(stale)
}

/// Generated files in the exercises that no solution file generates any more.
/// A file without the generated header is the author's to move: it is an
/// error, never deleted.
fn orphans(course: &Course, derived: &[Derived]) -> anyhow::Result<Vec<PathBuf>> {
    let root = course.root();
    let mut orphans = Vec::new();
    for exercise in course.exercises() {
        let src = exercise.dir.join("src");
        for relative in rust_files(root, &src)? {
            let path = src.join(&relative);
            if derived.iter().any(|file| file.path == path) {
                continue;
            }
            let text = fs::read_to_string(root.join(&path))
                .with_context(|| format!("cannot read {}", path.display()))?;
            if !is_generated(&text) {
                bail!(
                    "{} is written by hand, but {} is generated from {}: move the file into the \
                     solution (with markers for the learner's parts), then run `{SYNC_COMMAND}`",
                    path.display(),
                    src.display(),
                    solution_dir(exercise).join("src").display()
                );
            }
            orphans.push(path);
        }
        // Beside `src/`, only what the generator wrote is its to remove: the
        // manifest and the tests are written by hand.
        for name in top_level_files(root, &exercise.dir)? {
            let path = exercise.dir.join(&name);
            if derived.iter().any(|file| file.path == path) {
                continue;
            }
            let text = fs::read_to_string(root.join(&path)).unwrap_or_default();
            if is_generated(&text) {
                orphans.push(path);
            }
        }
    }
    Ok(orphans)
}

/// True when the text opens with the generated-file line, in any comment syntax.
fn is_generated(text: &str) -> bool {
    ["//", "#"].iter().any(|comment| {
        text.strip_prefix(comment)
            .is_some_and(|rest| rest.starts_with(HEADER_START))
    })
}

/// `dev sync`: writes every stale exercise file and removes orphans.
pub fn sync(course: &Course) -> anyhow::Result<ExitCode> {
    let root = course.root();
    let derived = derive(course)?;
    let stale = stale(course)?;
    for entry in &stale {
        match entry {
            Stale::Missing(path) | Stale::Differs { path, .. } => {
                let Some(file) = derived.iter().find(|file| &file.path == path) else {
                    continue;
                };
                let full = root.join(path);
                if let Some(parent) = full.parent() {
                    fs::create_dir_all(parent)
                        .with_context(|| format!("cannot create {}", parent.display()))?;
                }
                fs::write(&full, &file.contents)
                    .with_context(|| format!("cannot write {}", full.display()))?;
                println!("wrote   {}", slash_path(path));
            }
            Stale::Orphan(path) => {
                let full = root.join(path);
                fs::remove_file(&full)
                    .with_context(|| format!("cannot remove {}", full.display()))?;
                println!("removed {}", slash_path(path));
            }
        }
    }
    println!(
        "{} exercise file(s) checked, {} updated.",
        derived.len(),
        stale.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `dev check`: exits 1, listing each stale file, when an exercise is not what
/// its solution generates.
pub fn check(course: &Course) -> anyhow::Result<ExitCode> {
    let stale = stale(course)?;
    if stale.is_empty() {
        println!(
            "Every exercise is what its solution generates ({} files).",
            derive(course)?.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", stale_report(&stale));
    Ok(ExitCode::FAILURE)
}

/// The lines that tell an author what is stale and how to fix it.
pub fn stale_report(stale: &[Stale]) -> String {
    let mut report = String::from(
        "The exercises are generated from the solutions, and these are out of date:\n",
    );
    for entry in stale {
        report.push_str(&format!("  - {entry}\n"));
    }
    report.push_str(&format!(
        "Run `{SYNC_COMMAND}` at the course root to regenerate them, and commit the result. \
         Edit the solution, never the exercise: the exercise is overwritten."
    ));
    report
}

/// The `.rs` files under `root/dir`, relative to it, sorted; none when it does not exist.
fn rust_files(root: &Path, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let base = root.join(dir);
    if !base.is_dir() {
        return Ok(files);
    }
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let full = base.join(&relative);
        let entries =
            fs::read_dir(&full).with_context(|| format!("cannot list {}", full.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list {}", full.display()))?;
            let path = relative.join(entry.file_name());
            let kind = entry
                .file_type()
                .with_context(|| format!("cannot inspect {}", base.join(&path).display()))?;
            if kind.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The 1-based number of the first line where `a` and `b` differ.
fn first_difference(a: &str, b: &str) -> usize {
    let mut left = a.lines();
    let mut right = b.lines();
    let mut number = 1;
    loop {
        match (left.next(), right.next()) {
            (Some(x), Some(y)) if x == y => number += 1,
            (None, None) => return number,
            _ => return number,
        }
    }
}

/// A relative path with `/` separators, as the course writes paths everywhere.
fn slash_path(path: &Path) -> String {
    path.components()
        .map(|component| component.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
