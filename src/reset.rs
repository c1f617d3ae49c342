//! `restlings reset EXERCISE` and `restlings reset --all`: put back the
//! starting code, after keeping a copy of the learner's files.
//!
//! What "the starting code" is:
//! - `src/` and the files beside it that the generator writes (a Dockerfile,
//!   a deploy manifest) are what `dev sync` derives from the solution. That
//!   needs no git, and is the same code the course shipped.
//! - The hand-written files (`Cargo.toml`, `tests/`) are the learner's to
//!   read, not to edit. In a git checkout they go back to the committed
//!   version; without git they are left as they are, and the output says so.
//! - Any other file in the exercise's folder (one the learner added) is
//!   removed; `target/` is build output and is left alone.
//!
//! Nothing is lost, in this order: every file of the exercise is copied to
//! `.restlings/backups/<time>-<name>/`, each file and folder synced to the
//! disk and read back byte for byte; only then is any file of the exercise
//! replaced, each one through a temporary file renamed over it. A reset that
//! stops half-way (a crash, a full disk, Ctrl-C) leaves every file either as
//! it was or as it ships, and the copy complete.

mod backup;

use crate::course::{Course, Exercise};
use crate::state::clock;
use anyhow::{Context, bail};
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// What a reset changes in one exercise, paths relative to the course root.
#[derive(Debug, Default)]
struct Plan {
    /// Files to write, with their starting bytes.
    write: BTreeMap<PathBuf, Vec<u8>>,
    /// Files to remove: not part of the starting code.
    remove: Vec<PathBuf>,
    /// Every file there is now: what the backup copies.
    current: Vec<PathBuf>,
    /// False when the hand-written files could not be compared (no git).
    knows_hand_written: bool,
}

/// Resets `name`, or every exercise with `all`, asking first unless `yes`.
pub fn run(course: &Course, name: Option<&str>, all: bool, yes: bool) -> anyhow::Result<ExitCode> {
    let exercises: Vec<Exercise> = match (name, all) {
        (Some(_), true) => bail!("give an exercise or `--all`, not both"),
        (Some(name), false) => vec![course.exercise(name)?.clone()],
        (None, true) => course.exercises().to_vec(),
        (None, false) => bail!("{WHICH}"),
    };
    let root = course.root();
    let mut plans = Vec::new();
    for exercise in &exercises {
        plans.push((exercise, plan(course, exercise)?));
    }
    let changes: usize = plans
        .iter()
        .map(|(_, plan)| plan.write.len() + plan.remove.len())
        .sum();
    if changes == 0 {
        println!("{}", already_starting(&exercises));
        return Ok(ExitCode::SUCCESS);
    }

    let label = match name {
        Some(name) => name.to_owned(),
        None => "all".to_owned(),
    };
    let backups = crate::state::folder(root)?.join(BACKUPS);
    let backup = backup::fresh_dir(&backups, &format!("{}-{label}", stamp()))?;
    println!("{}", describe(&plans, root, &backup));
    if !yes && !confirm()? {
        println!("Nothing was changed.");
        return Ok(ExitCode::FAILURE);
    }

    let files: Vec<PathBuf> = plans
        .iter()
        .flat_map(|(_, plan)| plan.current.iter().cloned())
        .collect();
    backup::copy(root, &files, &backup).with_context(|| {
        format!(
            "could not keep a copy of your files in {}, so nothing of yours was changed",
            backup.display()
        )
    })?;

    for (exercise, plan) in &plans {
        apply(root, plan).with_context(|| {
            format!(
                "the reset of `{}` stopped half-way. Nothing is lost: every file of yours, as it \
                 was, is in {}. Fix the cause and run the reset again",
                exercise.name,
                backup.display()
            )
        })?;
    }
    println!(
        "Done: the starting code is back. Your files, as they were, are in\n  {}\nCopy back \
         anything you want to keep from there.",
        backup.display()
    );
    for (exercise, plan) in &plans {
        if !plan.knows_hand_written {
            println!(
                "Note: {} is not a git checkout, so the hand-written files of `{}` \
                 (Cargo.toml, tests/) were left as they are.",
                root.display(),
                exercise.name
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What resetting `exercise` writes and removes.
fn plan(course: &Course, exercise: &Exercise) -> anyhow::Result<Plan> {
    let root = course.root();
    let only = course.only(std::slice::from_ref(&exercise.name))?;
    let mut starting: BTreeMap<PathBuf, Vec<u8>> = crate::dev::derive(&only)
        .with_context(|| {
            format!(
                "cannot work out the starting code of `{}` from its solution",
                exercise.name
            )
        })?
        .into_iter()
        .map(|file| (file.path, file.contents.into_bytes()))
        .collect();
    let committed = committed(root, &exercise.dir);
    let knows_hand_written = committed.is_some();
    for (path, bytes) in committed.unwrap_or_default() {
        starting.entry(path).or_insert(bytes);
    }
    let current = files(root, &exercise.dir)?;
    let mut plan = Plan {
        knows_hand_written,
        ..Plan::default()
    };
    // Without git, only `src/` is known well enough to remove from.
    let src = exercise.dir.join("src");
    for path in &current {
        if !starting.contains_key(path) && (knows_hand_written || path.starts_with(&src)) {
            plan.remove.push(path.clone());
        }
    }
    for (path, bytes) in starting {
        if std::fs::read(root.join(&path)).ok().as_deref() != Some(&bytes[..]) {
            plan.write.insert(path, bytes);
        }
    }
    plan.current = current;
    Ok(plan)
}

/// Every file under `root/dir` but build output, relative to `root`, sorted.
fn files(root: &Path, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let full = root.join(dir);
    let entries =
        std::fs::read_dir(&full).with_context(|| format!("cannot list {}", full.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {}", full.display()))?;
        let path = dir.join(entry.file_name());
        let kind = entry
            .file_type()
            .with_context(|| format!("cannot inspect {}", path.display()))?;
        if kind.is_dir() {
            if entry.file_name() != "target" {
                found.extend(files(root, &path)?);
            }
        } else {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// The committed files under `dir` and their bytes at `HEAD`, or `None` when
/// the course is not a git checkout (or git is not installed).
fn committed(root: &Path, dir: &Path) -> Option<BTreeMap<PathBuf, Vec<u8>>> {
    let listed = git(root, &["ls-files", "-z", "--"], dir)?;
    let mut files = BTreeMap::new();
    for name in listed
        .split(|byte| *byte == 0)
        .filter(|name| !name.is_empty())
    {
        let path = PathBuf::from(String::from_utf8_lossy(name).into_owned());
        let spec = format!("HEAD:./{}", path.to_string_lossy());
        // A file added to the index but never committed has no HEAD version.
        if let Some(bytes) = git(root, &["show", &spec], Path::new("")) {
            files.insert(path, bytes);
        }
    }
    Some(files)
}

/// `git -C root ARGS [PATH]`'s output, or `None` if it fails.
fn git(root: &Path, args: &[&str], path: &Path) -> Option<Vec<u8>> {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(root)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    if !path.as_os_str().is_empty() {
        command.arg(path);
    }
    let output = command.output().ok()?;
    output.status.success().then_some(output.stdout)
}

/// Writes and removes what `plan` says, each write atomic.
fn apply(root: &Path, plan: &Plan) -> anyhow::Result<()> {
    for (path, bytes) in &plan.write {
        let full = root.join(path);
        backup::write_atomically(&full, bytes)
            .with_context(|| format!("cannot write {}", full.display()))?;
    }
    for path in &plan.remove {
        let full = root.join(path);
        std::fs::remove_file(&full).with_context(|| format!("cannot remove {}", full.display()))?;
    }
    Ok(())
}

/// What the reset will do, before it asks.
fn describe(plans: &[(&Exercise, Plan)], root: &Path, backup: &Path) -> String {
    let mut out = String::from("This puts back the starting code:\n");
    for (exercise, plan) in plans {
        for path in plan.write.keys() {
            let verb = if root.join(path).exists() {
                "rewrite"
            } else {
                "restore"
            };
            out.push_str(&format!("  {verb} {}\n", path.display()));
        }
        for path in &plan.remove {
            out.push_str(&format!("  remove  {}\n", path.display()));
        }
        if plan.write.is_empty() && plan.remove.is_empty() {
            out.push_str(&format!(
                "  {} is already at its starting code\n",
                exercise.name
            ));
        }
    }
    out.push_str(&format!(
        "First, every file of yours is copied to\n  {}",
        backup.display()
    ));
    out
}

/// Asks on the terminal; without one, refuses and says why.
fn confirm() -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!("{NO_TERMINAL}");
    }
    print!("Reset? Type y and Enter to go on, anything else to stop: ");
    std::io::stdout()
        .flush()
        .context("cannot write to the terminal")?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("cannot read your answer from the terminal")?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}

fn already_starting(exercises: &[Exercise]) -> String {
    match exercises {
        [one] => format!(
            "`{}` is already at its starting code: nothing to reset.",
            one.name
        ),
        _ => "Every exercise is already at its starting code: nothing to reset.".to_owned(),
    }
}

/// The backup folder's time, `2026-12-04T093000Z`: sortable, and a valid
/// file name on every system.
fn stamp() -> String {
    clock::format(clock::now()).replace(':', "")
}

/// Inside the state folder.
pub const BACKUPS: &str = "backups";

const WHICH: &str = "name the exercise to reset, such as `cargo run -- reset 03_get`, or reset \
                     every exercise with `cargo run -- reset --all`";

const NO_TERMINAL: &str = "reset replaces your code with the starting code, so it asks first, \
    and there is no terminal to ask in (the input is not a terminal). Your files would be \
    copied to .restlings/backups first; if that is what you want, run it again with `--yes`.";
