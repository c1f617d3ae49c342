//! The fixture courses of `tests/fixtures/`, copied to a temp dir, and the
//! runner pointed at them.

use assert_cmd::cargo::cargo_bin_cmd;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A fixture course copied into a temp dir, with its own cargo target dir.
pub struct Fixture {
    pub temp: TempDir,
    pub course: PathBuf,
}

impl Fixture {
    pub fn new(name: &str) -> Fixture {
        let temp = tempfile::tempdir().expect("a temp dir for the fixture course");
        let course = temp.path().join("course");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
            &course,
        );
        Fixture { temp, course }
    }

    /// The runner pointed at this course, with a 2 s timeout for the hang.
    pub fn restlings(&self, args: &[&str]) -> assert_cmd::Command {
        let mut command = cargo_bin_cmd!("restlings");
        command
            .args(["--timeout", "2", "--course"])
            .arg(&self.course)
            .args(args)
            .current_dir(self.temp.path())
            .env("CARGO_TARGET_DIR", self.temp.path().join("target"))
            .env_remove("RESTLINGS_COURSE");
        command
    }

    /// Keeps only the exercises named, in `course.toml` (of the copy).
    pub fn keep_only(&self, names: &[&str]) {
        let path = self.course.join("course.toml");
        let text = fs::read_to_string(&path).expect("the fixture's course.toml");
        let kept: Vec<&str> = text
            .split("[[exercises]]")
            .skip(1)
            .filter(|table| {
                names
                    .iter()
                    .any(|name| table.contains(&format!("name = \"{name}\"")))
            })
            .collect();
        fs::write(
            &path,
            format!("[[exercises]]{}", kept.join("[[exercises]]")),
        )
        .expect("rewrite the copy's course.toml");
    }
}

pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(mut command: assert_cmd::Command) -> Ran {
    let output = command.output().expect("the runner starts");
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create a folder in the temp dir");
    for entry in fs::read_dir(from).expect("read a fixture folder") {
        let entry = entry.expect("a fixture entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy a fixture file");
        }
    }
}

/// Every file under `dir` with its bytes, but the runner's own state folder
/// (`.restlings/`: progress, hint levels, backups).
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in fs::read_dir(dir).expect("read a course folder") {
        let path = entry.expect("a course entry").path();
        if path.file_name().is_some_and(|name| name == ".restlings") {
            continue;
        }
        if path.is_dir() {
            files.extend(snapshot(&path));
        } else {
            files.insert(path.clone(), fs::read(&path).expect("read a course file"));
        }
    }
    files
}
