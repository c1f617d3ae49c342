//! A fingerprint of what an exercise's verdict depends on, so that a verdict
//! is reused only while none of it changed.
//!
//! It hashes (64-bit FNV-1a, stable across Rust releases) the path and bytes
//! of every file in the exercise's folder, and a course part shared by every
//! exercise: the root `Cargo.toml` and `Cargo.lock`, `crates/` and
//! `solutions/` (chapters 9 and 10 build on earlier solutions, and every
//! exercise on the test kit), the runner's version, the timeout, and every
//! `RESTLINGS_*` variable that tests read (URL mode, the container engine).
//! Build output (`target/`), hidden files and editor backups (`~`) are left
//! out: they change without changing a verdict.

use crate::course::Exercise;
use std::path::Path;

/// The shared part, hashed once per run.
#[derive(Debug, Clone, Copy)]
pub struct Course(u64);

/// Hashes the parts of the course at `root` that every exercise depends on.
pub fn course(root: &Path, timeout_secs: u64) -> Course {
    let mut hash = Fnv::new();
    hash.write(env!("CARGO_PKG_VERSION").as_bytes());
    hash.write(&timeout_secs.to_le_bytes());
    let mut variables: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(key, value)| Some((key.into_string().ok()?, value)))
        .filter(|(key, _)| key.starts_with("RESTLINGS_") && key != "RESTLINGS_COURSE")
        .map(|(key, value)| (key, value.to_string_lossy().into_owned()))
        .collect();
    variables.sort();
    for (key, value) in variables {
        hash.write(key.as_bytes());
        hash.write(value.as_bytes());
    }
    for file in ["Cargo.toml", "Cargo.lock"] {
        hash_file(&mut hash, root, Path::new(file));
    }
    for dir in ["crates", "solutions"] {
        hash_dir(&mut hash, root, Path::new(dir));
    }
    Course(hash.0)
}

/// The exercise's own part: its folder and its timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Files(u64);

/// Hashes the folder of `exercise`.
pub fn files(root: &Path, exercise: &Exercise) -> Files {
    let mut hash = Fnv::new();
    hash.write(&exercise.timeout_secs.unwrap_or(0).to_le_bytes());
    hash_dir(&mut hash, root, &exercise.dir);
    Files(hash.0)
}

/// The fingerprint of an exercise, such as `fnv1a64:6f1c…`, from its two parts.
pub fn combine(course: Course, files: Files) -> String {
    let mut hash = Fnv::new();
    hash.write(&course.0.to_le_bytes());
    hash.write(&files.0.to_le_bytes());
    format!("fnv1a64:{:016x}", hash.0)
}

/// The fingerprint of `exercise` as its files are now.
pub fn exercise(root: &Path, exercise: &Exercise, course: Course) -> String {
    combine(course, files(root, exercise))
}

/// Every file under `root/dir`, in sorted order, path and bytes.
fn hash_dir(hash: &mut Fnv, root: &Path, dir: &Path) {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        hash.write(b"\0no folder\0");
        return;
    };
    let mut names: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| (entry.file_name(), entry.file_type().ok()))
        .filter(|(name, _)| {
            let name = name.to_string_lossy();
            !(name.starts_with('.') || name.ends_with('~') || name == "target")
        })
        .collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, kind) in names {
        let path = dir.join(&name);
        match kind {
            Some(kind) if kind.is_dir() => hash_dir(hash, root, &path),
            _ if name == "Cargo.lock" => {}
            _ => hash_file(hash, root, &path),
        }
    }
}

fn hash_file(hash: &mut Fnv, root: &Path, path: &Path) {
    hash.write(path.to_string_lossy().as_bytes());
    hash.write(b"\0");
    match std::fs::read(root.join(path)) {
        Ok(bytes) => {
            hash.write(&(bytes.len() as u64).to_le_bytes());
            hash.write(&bytes);
        }
        Err(_) => hash.write(b"\0unreadable\0"),
    }
}

/// 64-bit FNV-1a.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn an_edit_changes_the_fingerprint_and_build_output_does_not() {
        let root = tempfile::tempdir().expect("a temp dir");
        let dir = root.path().join("exercises/01_one");
        fs::create_dir_all(dir.join("src")).expect("an exercise folder");
        fs::write(dir.join("src/lib.rs"), "pub fn answer() -> u32 { 41 }\n").expect("code");
        let exercise = Exercise {
            name: "01_one".to_owned(),
            title: "One".to_owned(),
            dir: "exercises/01_one".into(),
            book: "book/src/01_one.md".into(),
            hint: String::new(),
            timeout_secs: None,
        };
        let print = || exercise_print(root.path(), &exercise);
        let first = print();
        assert_eq!(print(), first, "the same files give the same fingerprint");
        fs::create_dir_all(dir.join("target/debug")).expect("a build folder");
        fs::write(dir.join("target/debug/out"), "binary").expect("build output");
        fs::write(dir.join("src/.lib.rs.swp"), "swap").expect("an editor's swap file");
        assert_eq!(print(), first, "build output and hidden files are left out");
        fs::write(dir.join("src/lib.rs"), "pub fn answer() -> u32 { 42 }\n").expect("edit");
        assert_ne!(print(), first, "one changed byte changes the fingerprint");
    }

    fn exercise_print(root: &Path, exercise: &Exercise) -> String {
        super::exercise(root, exercise, course(root, 120))
    }
}
