//! One build of each dependency serves the whole course.
//!
//! Cargo picks a shared dependency's features from the packages a command
//! selects, so `cargo test` inside one exercise could ask for tokio, hyper or
//! axum with other features than `cargo test` at the root, and build them all
//! again: minutes on a 2-core laptop, and another gigabyte in `target/`.
//! `crates/hack` evens the features out; this test proves it still does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use restlings::course::Course;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files of every crates.io dependency that `cargo test --no-run` in
/// `dir` compiles, by package id.
fn registry_artifacts(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let output = restlings::cargo::command(restlings::cargo::program())
        .current_dir(dir)
        .args(["test", "--no-run", "--message-format=json"])
        .output()
        .unwrap_or_else(|error| panic!("cargo must start in {}: {error}", dir.display()));
    assert!(
        output.status.success(),
        "`cargo test --no-run` must succeed in {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut artifacts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let Some(id) = message["package_id"].as_str() else {
            continue;
        };
        if message["reason"] != "compiler-artifact" || !id.starts_with("registry+") {
            continue;
        }
        let files = message["filenames"].as_array().into_iter().flatten();
        artifacts
            .entry(id.to_owned())
            .or_default()
            .extend(files.filter_map(Value::as_str).map(str::to_owned));
    }
    artifacts
}

#[test]
fn every_exercise_reuses_the_dependencies_the_root_builds() {
    let course =
        Course::load(&root()).unwrap_or_else(|error| panic!("course.toml must load: {error:#}"));
    let at_root = registry_artifacts(&root());
    assert!(
        !at_root.is_empty(),
        "the root's build lists no dependency at all: the check would be empty"
    );

    for exercise in course.exercises() {
        let in_exercise = registry_artifacts(&root().join(&exercise.dir));
        let rebuilt: Vec<&str> = in_exercise
            .iter()
            .filter(|(id, files)| at_root.get(*id).is_none_or(|known| !files.is_subset(known)))
            .map(|(id, _)| id.rsplit('#').next().unwrap_or(id))
            .collect();
        assert!(
            rebuilt.is_empty(),
            "`cargo test` in {} builds these dependencies with other features than `cargo test` \
             at the root, so a learner would compile them a second time: {rebuilt:?}. Add the \
             features the root uses to crates/hack/Cargo.toml (compare with \
             `cargo test --no-run --message-format=json` in both places).",
            exercise.dir.display()
        );
    }
}
