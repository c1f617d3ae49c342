//! The course's shape: the manifest, the exercises, the solutions and the book
//! pages match one to one, and each pair of crates shares one test file.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use restlings::course::{Course, Exercise};
use restlings::dev::markers;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn course() -> Course {
    Course::load(&root()).unwrap_or_else(|error| panic!("course.toml must load: {error:#}"))
}

/// The chapter folders or pages under `dir`: names that start with two digits.
fn chapter_names(dir: &Path, strip_suffix: &str) -> BTreeSet<String> {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()));
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.len() > 3 && name.as_bytes()[..2].iter().all(u8::is_ascii_digit))
        .filter_map(|name| name.strip_suffix(strip_suffix).map(str::to_owned))
        .collect()
}

fn manifest_names() -> BTreeSet<String> {
    course()
        .exercises()
        .iter()
        .map(|exercise| exercise.name.clone())
        .collect()
}

fn read(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

fn cargo_toml(dir: &Path) -> toml::Table {
    let path = dir.join("Cargo.toml");
    read(&path)
        .parse()
        .unwrap_or_else(|error| panic!("{} is not valid TOML: {error}", path.display()))
}

fn package_name(manifest: &toml::Table) -> Option<&str> {
    manifest.get("package")?.get("name")?.as_str()
}

fn lib_name(manifest: &toml::Table) -> Option<&str> {
    manifest.get("lib")?.get("name")?.as_str()
}

fn solution_dir(exercise: &Exercise) -> PathBuf {
    root().join("solutions").join(&exercise.name)
}

#[test]
fn every_exercise_follows_the_mirrored_path_convention() {
    for (index, exercise) in course().exercises().iter().enumerate() {
        let number = format!("{:02}_", index + 1);
        assert!(
            exercise.name.starts_with(&number),
            "course.toml lists {} in position {}: names start with their position ({number}…), \
             so the order on disk is the order of the course",
            exercise.name,
            index + 1
        );
        assert_eq!(
            exercise.dir,
            Path::new("exercises").join(&exercise.name),
            "{}: the exercise folder is exercises/<name>",
            exercise.name
        );
        assert_eq!(
            exercise.book,
            Path::new("book/src").join(format!("{}.md", exercise.name)),
            "{}: the chapter page is book/src/<name>.md",
            exercise.name
        );
        let hint_path = exercise.hint_path();
        assert_eq!(
            hint_path,
            Path::new("solutions").join(&exercise.name).join("HINT.md"),
            "{}: the hint is solutions/<name>/HINT.md",
            exercise.name
        );
        let hint = read(&root().join(&hint_path));
        assert!(
            !hint.trim().is_empty(),
            "{} is empty: every exercise needs a hint, as in rustlings' info.toml",
            hint_path.display()
        );
        // Levels, as `cargo run -- hint` shows them one run at a time: a
        // nudge, the API to reach for, nearly the code.
        let levels = restlings::hint::levels(&hint);
        assert!(
            (2..=3).contains(&levels.len()),
            "{} has {} level(s): give it two or three, separated by a line that is just \
             `{}` (a nudge first, then the API to reach for, then nearly the code)",
            hint_path.display(),
            levels.len(),
            restlings::hint::LEVEL_SEPARATOR
        );
        let separator = format!("\n{}\n", restlings::hint::LEVEL_SEPARATOR);
        let pieces = hint.split(&separator);
        assert!(
            pieces.clone().count() == levels.len()
                && pieces.into_iter().all(|level| !level.trim().is_empty()),
            "{}: a level is empty: write text between every two `{}` lines",
            hint_path.display(),
            restlings::hint::LEVEL_SEPARATOR
        );
        for (number, line) in hint.lines().enumerate() {
            assert!(
                line.chars().count() <= 78,
                "{}:{}: wrap the hint at 78 columns, as the rest of the course's prose \
                 ({} columns here)",
                hint_path.display(),
                number + 1,
                line.chars().count()
            );
        }
    }
}

#[test]
fn manifest_exercises_solutions_and_book_pages_match_one_to_one() {
    let listed = manifest_names();
    let sources = [
        ("exercises/", chapter_names(&root().join("exercises"), "")),
        ("solutions/", chapter_names(&root().join("solutions"), "")),
        ("book/src/", chapter_names(&root().join("book/src"), ".md")),
    ];
    for (place, found) in sources {
        assert_eq!(
            found, listed,
            "{place} must hold exactly one entry per exercise in course.toml: add the missing \
             ones or list the extra ones in course.toml"
        );
    }
}

#[test]
fn the_book_summary_lists_every_chapter_once_in_course_order() {
    let summary = read(&root().join("book/src/SUMMARY.md"));
    let mut positions = Vec::new();
    for exercise in course().exercises() {
        let link = format!("({}.md)", exercise.name);
        let count = summary.matches(&link).count();
        assert_eq!(
            count, 1,
            "book/src/SUMMARY.md must link {link} exactly once, found {count}"
        );
        positions.push(summary.find(&link));
    }
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "book/src/SUMMARY.md must list the chapters in the order of course.toml"
    );
}

#[test]
fn each_solution_runs_the_exercise_test_file_and_no_other() {
    for exercise in course().exercises() {
        let exercise_dir = root().join(&exercise.dir);
        let exercise_manifest = cargo_toml(&exercise_dir);
        let solution_manifest = cargo_toml(&solution_dir(exercise));
        let name = &exercise.name;

        assert_eq!(
            package_name(&exercise_manifest),
            Some(format!("ex{name}").as_str()),
            "{name}: the exercise package is named ex{name}"
        );
        assert_eq!(
            package_name(&solution_manifest),
            Some(format!("sol{name}").as_str()),
            "{name}: the solution package is named sol{name}"
        );
        assert!(
            lib_name(&exercise_manifest).is_some()
                && lib_name(&exercise_manifest) == lib_name(&solution_manifest),
            "{name}: the exercise and the solution need the same [lib] name, so that one test file serves both"
        );

        let test_files: Vec<String> = fs::read_dir(exercise_dir.join("tests"))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|entry| entry.file_name().into_string().ok())
                    .filter(|file| file.ends_with(".rs"))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            test_files.len(),
            1,
            "{name}: an exercise has exactly one test file in tests/ (fewer test binaries make \
             the edit-to-verdict loop faster), found {test_files:?}"
        );
        let expected_path = format!("../../exercises/{name}/tests/{}", test_files[0]);
        let tests = solution_manifest
            .get("test")
            .and_then(toml::Value::as_array);
        let paths: Vec<&str> = tests
            .into_iter()
            .flatten()
            .filter_map(|test| test.get("path")?.as_str())
            .collect();
        assert_eq!(
            paths,
            vec![expected_path.as_str()],
            "{name}: the solution's only [[test]] must point at the exercise's test file, \
             so the solution passes the very tests the learner runs"
        );
        assert!(
            !solution_dir(exercise).join("tests").exists(),
            "{name}: a solution has no tests/ of its own: one copy of each test, never two"
        );
    }
}

#[test]
fn exercises_mark_every_spot_to_edit_and_solutions_leave_none() {
    for exercise in course().exercises() {
        let name = &exercise.name;
        let starting = read(&root().join(&exercise.dir).join("src/lib.rs"));
        assert!(
            starting.contains("// TODO:") && starting.contains("todo!("),
            "{name}: the starting code marks each spot to edit with `// TODO:` and a `todo!(\"…\")`"
        );
        // The first line says the file is generated; the chapter's header follows.
        let header = starting.lines().skip(1).collect::<Vec<_>>().join("\n");
        assert!(
            header.starts_with("//!") && header.contains(&exercise.book.display().to_string()),
            "{name}: src/lib.rs opens, below its generated-from line, with a //! header that \
             names the book page {}",
            exercise.book.display()
        );
        for file in rust_files(&solution_dir(exercise).join("src")) {
            // The starting code rides in the exercise markers; the answer is the rest.
            let answer = markers::answer(&read(&file), "//");
            assert!(
                !answer.contains("TODO")
                    && !answer.contains("todo!(")
                    && !answer.contains("unimplemented!("),
                "{}: a solution is finished code: no TODO, todo!() or unimplemented!() outside \
                 its `// ANCHOR: exercise` markers",
                file.display()
            );
        }
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

/// The dev profile compiles incrementally only what a learner edits
/// (BENCHMARKS.md): every exercise package, and nothing else.
#[test]
fn exactly_the_exercises_compile_incrementally() {
    let workspace = cargo_toml(&root());
    let dev = &workspace["profile"]["dev"];
    assert_eq!(
        dev.get("incremental").and_then(toml::Value::as_bool),
        Some(false),
        "Cargo.toml's [profile.dev] must set `incremental = false`: the runner, kit and solutions \
         are built once, and their incremental caches only fill target/"
    );
    let overrides: BTreeSet<String> = dev
        .get("package")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
        .filter(|(_, settings)| {
            settings.get("incremental").and_then(toml::Value::as_bool) == Some(true)
        })
        .map(|(package, _)| package.clone())
        .collect();
    let exercises: BTreeSet<String> = course()
        .exercises()
        .iter()
        .filter_map(|exercise| {
            package_name(&cargo_toml(&root().join(&exercise.dir))).map(str::to_owned)
        })
        .collect();
    assert_eq!(
        overrides, exercises,
        "Cargo.toml needs `[profile.dev.package.<name>] incremental = true` for each exercise \
         package and for no other: an exercise without it recompiles from scratch at every edit"
    );
}
