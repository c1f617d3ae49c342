//! `cargo run -- book`, started for a test: the real runner, which builds
//! `crates/book-server` and becomes it. Shared by tests/book_cmd.rs and
//! tests/browser.rs.

#![allow(dead_code)] // each test file uses a part

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The course's root, which holds the book.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// How long the runner may take to build the book server and the book.
const STARTUP: Duration = Duration::from_secs(300);

/// A running `restlings book`, stopped when dropped.
pub struct BookServer {
    child: Child,
    /// Such as `http://127.0.0.1:41234`, without a trailing slash.
    pub url: String,
    /// Every line it printed on stdout up to its URL.
    pub banner: Vec<String>,
}

impl BookServer {
    /// Starts `restlings book --port 0`, reading the progress from `state`.
    pub fn start(state: &Path) -> BookServer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_restlings"))
            .args(["book", "--port", "0", "--state"])
            .arg(state)
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the runner starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (err_tx, err_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            let _ = err_tx.send(text);
        });
        let mut banner = Vec::new();
        loop {
            match rx.recv_timeout(STARTUP) {
                Ok(line) => {
                    let url = line.strip_prefix("The book: ").map(|rest| {
                        let url = rest.split_whitespace().next().unwrap_or(rest);
                        url.trim_end_matches('/').to_owned()
                    });
                    banner.push(line);
                    if let Some(url) = url {
                        // Keep draining stdout so the server never blocks on it.
                        std::thread::spawn(move || for _ in rx {});
                        return BookServer { child, url, banner };
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let stderr = err_rx
                        .recv_timeout(Duration::from_secs(5))
                        .unwrap_or_default();
                    panic!(
                        "`cargo run -- book --port 0` printed no `The book: <url>` line within \
                         {} s. Its output:\n{}\nIts errors:\n{stderr}",
                        STARTUP.as_secs(),
                        banner.join("\n")
                    );
                }
            }
        }
    }

    /// The URL of `path` on this server.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

impl Drop for BookServer {
    /// SIGTERM first, as Ctrl-C would, so the server removes its build
    /// folder; then SIGKILL if it has not stopped within 5 s.
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Ok(pid) = i32::try_from(self.child.id()) {
            use nix::sys::signal::{Signal, kill};
            let _ = kill(nix::unistd::Pid::from_raw(pid), Signal::SIGTERM);
            let started = std::time::Instant::now();
            while started.elapsed() < Duration::from_secs(5) {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A state file for the book to read, in the runner's format (version 1,
/// src/state.rs): the exercises in `passed` pass, `current` is current.
pub fn write_state(path: &Path, passed: &[&str], current: Option<&str>) {
    let exercises: serde_json::Map<String, serde_json::Value> = passed
        .iter()
        .map(|name| ((*name).to_owned(), serde_json::json!({ "status": "pass" })))
        .chain(current.map(|name| (name.to_owned(), serde_json::json!({ "status": "fail" }))))
        .collect();
    let state = serde_json::json!({
        "version": 1,
        "current": current,
        "exercises": exercises,
    });
    // Written whole, then renamed, as the runner does: the server never reads half.
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, state.to_string()).expect("write the state file");
    std::fs::rename(&temporary, path).expect("rename the state file");
}

/// A folder for the test's state file.
pub fn state_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let state = dir.path().join("state.json");
    (dir, state)
}
