//! Running one test binary: capture everything it prints, and kill it when it
//! outlives the timeout.

use anyhow::Context;
use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How a test binary ended.
#[derive(Debug)]
pub enum Ended {
    /// It exited by itself.
    Exited(ExitStatus),
    /// It was still running at the deadline and was killed.
    Killed,
}

/// The result of one run: how it ended, and stdout and stderr as they came.
#[derive(Debug)]
pub struct Run {
    pub ended: Ended,
    pub output: String,
}

/// How often to look whether the child has exited.
const POLL: Duration = Duration::from_millis(20);
/// The most output kept from one test binary, in bytes.
const OUTPUT_LIMIT: usize = 4 << 20;
/// How long to wait for the output pipes to drain once the child is gone.
const DRAIN: Duration = Duration::from_secs(1);

/// Runs `program` in `dir` with `args` and `envs`, killing it after `timeout`.
pub fn run(
    program: &Path,
    args: &[&str],
    dir: &Path,
    envs: &[(&str, &OsStr)],
    timeout: Duration,
) -> anyhow::Result<Run> {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in envs {
        command.env(key, value);
    }
    let mut child = command.spawn().with_context(|| {
        format!(
            "cannot start the test binary {}: run the check again, it rebuilds what is missing",
            program.display()
        )
    })?;

    // Both pipes feed one buffer, so the output keeps roughly the order it was
    // printed in. A full pipe would block the child, hence a thread per pipe.
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let mut readers = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        readers.push(collect(stdout, Arc::clone(&buffer)));
    }
    if let Some(stderr) = child.stderr.take() {
        readers.push(collect(stderr, Arc::clone(&buffer)));
    }

    let deadline = Instant::now() + timeout;
    let ended = loop {
        if let Some(status) = child
            .try_wait()
            .context("lost track of a test process: run the check again")?
        {
            break Ended::Exited(status);
        }
        if Instant::now() >= deadline {
            // Ignore "already exited": it only means the race went the other way.
            let _ = child.kill();
            child
                .wait()
                .context("cannot reap a killed test process: run the check again")?;
            break Ended::Killed;
        }
        thread::sleep(POLL);
    };

    // A grandchild could hold the pipes open forever: wait a little, not forever.
    let drained_by = Instant::now() + DRAIN;
    while readers.iter().any(|reader| !reader.is_finished()) && Instant::now() < drained_by {
        thread::sleep(POLL);
    }
    let bytes = buffer.lock().map(|bytes| bytes.clone()).unwrap_or_default();
    Ok(Run {
        ended,
        output: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// Copies everything `pipe` yields into `buffer`, on a thread of its own.
fn collect(
    mut pipe: impl Read + Send + 'static,
    buffer: Arc<Mutex<Vec<u8>>>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut chunk = [0_u8; 8192];
        while let Ok(read) = pipe.read(&mut chunk) {
            if read == 0 {
                break;
            }
            if let Ok(mut buffer) = buffer.lock() {
                buffer.extend_from_slice(&chunk[..read]);
                // A test that prints in a loop must not eat the memory: keep
                // the end, where libtest writes its report.
                if buffer.len() > OUTPUT_LIMIT {
                    let excess = buffer.len() - OUTPUT_LIMIT / 2;
                    buffer.drain(..excess);
                }
            }
        }
    })
}
