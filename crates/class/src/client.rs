//! The learner's side: `.restlings/class.toml`, the outbox, and sending.
//!
//! After each check the runner [`record`]s the verdicts: they are merged into
//! the last report (`.restlings/class/last.json`), and the new whole report is
//! put in the outbox (`.restlings/class/outbox/`). Then [`deliver`] posts the
//! newest report of the outbox, and empties the outbox up to it once the
//! dashboard has taken it. A report that cannot be delivered stays in the
//! outbox for the next try: that is the queue of an unreachable dashboard.
//!
//! The outbox keeps only its newest report. Each report is the learner's
//! whole status, so an older one says nothing the newer does not; a
//! dashboard that was away for an hour needs one report, not sixty. Each
//! report is a file of its own, named by the time it was written, so that
//! the runner adding a report and a sender removing the ones it delivered
//! never write the same file.

use crate::wire::{Exercise, MAX_FAILING, MAX_NAME, MAX_TEST_NAME, REPORTS_PATH, Report, VERSION};
use serde::{Deserialize, Serialize};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The learner's membership, relative to the course root.
pub const MEMBERSHIP: &str = ".restlings/class.toml";

/// The last report and the outbox, relative to the course root.
pub const DIR: &str = ".restlings/class";

/// What `class join URL --code CODE --name NAME` stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The dashboard, such as `http://192.168.1.20:4000`, without a trailing `/`.
    pub url: String,
    /// The join code the instructor gave.
    pub code: String,
    /// The name shown in the instructor's table.
    pub name: String,
    /// A random id, so two learners of one name are two rows.
    pub learner: String,
}

/// Why a membership or a report could not be read or written.
#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

fn io_error(what: &str, path: &Path, error: &io::Error) -> Error {
    Error(format!("cannot {what} {}: {error}", path.display()))
}

impl Membership {
    /// A new membership with a fresh learner id, after checking its parts.
    pub fn new(url: &str, code: &str, name: &str) -> Result<Membership, Error> {
        let url = url.trim().trim_end_matches('/');
        if !url.starts_with("http://") || url.len() <= "http://".len() {
            return Err(Error(format!(
                "{url:?} is not the dashboard's address: give the one the instructor shows, \
                 such as http://192.168.1.20:4000 (plain http: the dashboard runs on the room's \
                 network)"
            )));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Err(Error(format!(
                "a name has 1 to {MAX_NAME} characters, such as --name \"Ada L\""
            )));
        }
        // The code is Crockford's base32, which reads a lowercase letter, an
        // O and an I or L as the characters they look like on a projector.
        let code: String = code
            .trim()
            .chars()
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            })
            .collect();
        if code.is_empty() {
            return Err(Error(
                "the join code is empty: give the one the instructor shows".to_owned(),
            ));
        }
        Ok(Membership {
            url: url.to_owned(),
            code,
            name: name.to_owned(),
            learner: random_id(),
        })
    }

    /// The membership of the course at `root`, or `None` if the learner never
    /// joined (the one cost of the feature to everyone else: a missing file).
    pub fn load(root: &Path) -> Result<Option<Membership>, Error> {
        let path = root.join(MEMBERSHIP);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io_error("read", &path, &error)),
        };
        toml::from_str(&text).map(Some).map_err(|error| {
            Error(format!(
                "{} is not a class membership ({error}): join again with `cargo run -- class \
                 join URL --code CODE --name NAME`",
                path.display()
            ))
        })
    }

    /// Writes `.restlings/class.toml` under `root`, atomically.
    pub fn save(&self, root: &Path) -> Result<PathBuf, Error> {
        let path = root.join(MEMBERSHIP);
        let text = toml::to_string(self)
            .map_err(|error| Error(format!("cannot write the membership as TOML: {error}")))?;
        write_atomically(&path, text.as_bytes())?;
        Ok(path)
    }

    /// Forgets the membership: no more reports are sent.
    pub fn leave(root: &Path) -> Result<bool, Error> {
        let path = root.join(MEMBERSHIP);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(error) => Err(io_error("remove", &path, &error)),
        }
    }
}

/// Merges `checked` into the last report and puts the result in the outbox.
/// Each entry's `same_since` is computed here, from the previous report:
/// callers leave it `None`. Returns the report queued.
pub fn record(
    root: &Path,
    membership: &Membership,
    checked: Vec<Exercise>,
) -> Result<Report, Error> {
    let last_path = root.join(DIR).join("last.json");
    let mut report = std::fs::read(&last_path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Report>(&bytes).ok())
        .filter(|last| last.learner == membership.learner)
        .unwrap_or_else(|| Report {
            version: VERSION,
            learner: membership.learner.clone(),
            name: membership.name.clone(),
            sent_at: 0,
            exercises: Vec::new(),
        });
    report.name.clone_from(&membership.name);
    for mut exercise in checked {
        exercise.failing.truncate(MAX_FAILING);
        for name in &mut exercise.failing {
            if name.chars().count() > MAX_TEST_NAME {
                *name = name.chars().take(MAX_TEST_NAME).collect();
            }
        }
        let previous = report
            .exercises
            .iter()
            .position(|e| e.name == exercise.name);
        exercise.same_since = match (exercise.problem(), previous) {
            (None, _) => None,
            (Some(problem), Some(index)) if report.exercises[index].problem() == Some(problem) => {
                report.exercises[index]
                    .same_since
                    .or(Some(exercise.checked_at))
            }
            (Some(_), _) => Some(exercise.checked_at),
        };
        match previous {
            Some(index) => report.exercises[index] = exercise,
            None => report.exercises.push(exercise),
        }
    }
    report.exercises.sort_by(|a, b| a.name.cmp(&b.name));
    report.sent_at = now();
    let bytes = serde_json::to_vec(&report)
        .map_err(|error| Error(format!("cannot write the report as JSON: {error}")))?;
    write_atomically(&last_path, &bytes)?;
    let outbox = root.join(DIR).join("outbox");
    let name = format!("{:020}-{}.json", now_nanos(), std::process::id());
    write_atomically(&outbox.join(&name), &bytes)?;
    // The older reports are superseded by this one.
    for older in queued(&outbox)
        .into_iter()
        .filter(|path| path.file_name() < Some(name.as_ref()))
    {
        let _ = std::fs::remove_file(older);
    }
    Ok(report)
}

/// The reports in the outbox, oldest first.
pub fn queued(outbox: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(outbox)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
}

/// What became of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The outbox was empty, or the learner never joined.
    Nothing,
    /// The dashboard took the report (its status code).
    Delivered(u16),
    /// The dashboard answered, but refused it: the report stays queued.
    Refused { status: u16, body: String },
    /// No answer in time: the report stays queued.
    Unreachable(String),
}

/// Sends the newest report of the outbox under `root`, waiting at most
/// `timeout`; on success removes it and anything older.
pub fn deliver(root: &Path, timeout: Duration) -> Result<Delivery, Error> {
    match Membership::load(root)? {
        Some(membership) => deliver_to(root, &membership, timeout),
        None => Ok(Delivery::Nothing),
    }
}

/// [`deliver`], as `membership` (which `class join` has not saved yet).
pub fn deliver_to(
    root: &Path,
    membership: &Membership,
    timeout: Duration,
) -> Result<Delivery, Error> {
    let outbox = root.join(DIR).join("outbox");
    let queue = queued(&outbox);
    let Some(newest) = queue.last() else {
        return Ok(Delivery::Nothing);
    };
    let Ok(bytes) = std::fs::read(newest) else {
        // Another sender delivered it in the meantime.
        return Ok(Delivery::Nothing);
    };
    let mut report: Report = match serde_json::from_slice(&bytes) {
        Ok(report) => report,
        Err(_) => {
            let _ = std::fs::remove_file(newest);
            return Ok(Delivery::Nothing);
        }
    };
    report.sent_at = now();
    let delivery = send(&membership.url, &membership.code, &report, timeout);
    if let Delivery::Delivered(_) = delivery {
        for path in &queue {
            let _ = std::fs::remove_file(path);
        }
    }
    Ok(delivery)
}

/// Empties the outbox and forgets the last report: for `class leave`, and
/// for a join the dashboard refused.
pub fn forget(root: &Path) {
    let _ = std::fs::remove_dir_all(root.join(DIR));
}

/// Posts one report to the dashboard at `url`, waiting at most `timeout`.
pub fn send(url: &str, code: &str, report: &Report, timeout: Duration) -> Delivery {
    let body = match serde_json::to_string(report) {
        Ok(body) => body,
        Err(error) => return Delivery::Unreachable(format!("cannot write the report: {error}")),
    };
    post(url, code, body, timeout)
}

/// Posts `body` as a report, as it is: the tests send wrong ones with it.
pub fn post(url: &str, code: &str, body: String, timeout: Duration) -> Delivery {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .proxy(None)
        .max_redirects(0)
        .build()
        .into();
    let answer = agent
        .post(format!("{url}{REPORTS_PATH}"))
        .header("authorization", format!("Bearer {code}"))
        .header("content-type", "application/json")
        .send(body);
    match answer {
        Ok(mut response) => {
            let status = response.status().as_u16();
            if (200..300).contains(&status) {
                Delivery::Delivered(status)
            } else {
                let body = response
                    .body_mut()
                    .with_config()
                    .limit(4096)
                    .read_to_string()
                    .unwrap_or_default();
                Delivery::Refused { status, body }
            }
        }
        Err(error) => Delivery::Unreachable(error.to_string()),
    }
}

/// Seconds since 1970 by this machine's clock.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

fn now_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos())
}

/// Sixteen hex digits from std's randomly seeded hasher: an id, not a secret.
fn random_id() -> String {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(now_nanos());
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path`, so a reader never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|error| {
        Error(format!(
            "cannot create {}: {error}. Check that the course folder is writable",
            dir.display()
        ))
    })?;
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    std::fs::write(&temporary, bytes).map_err(|error| io_error("write", &temporary, &error))?;
    std::fs::rename(&temporary, path).map_err(|error| {
        let _ = std::fs::remove_file(&temporary);
        io_error("replace", path, &error)
    })
}
