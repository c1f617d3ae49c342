//! The Python shop as a child process, and one chapter's tests run against it.

use std::io::{BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const TEST_DEADLINE: Duration = Duration::from_secs(120);
const STARTUP_DEADLINE: Duration = Duration::from_secs(20);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn shop_py() -> PathBuf {
    root().join("tests/servers/shop.py")
}

/// The interpreter behind `python3`, resolved once: a version manager's
/// `python3` shim costs a tenth of a second per start, and there are many.
pub fn find_python() -> Option<PathBuf> {
    let output = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let path = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (output.status.success() && !path.is_empty()).then(|| PathBuf::from(path))
}

pub struct Outcome {
    pub passed: bool,
    pub output: String,
    pub failed_tests: Vec<String>,
    pub took: Duration,
}

/// Starts the shop with `shop_args` (`--break ID` for a mutant) and runs `binary` against it.
/// With `one_at_a_time`, the tests run on one thread (`--test-threads=1`), so
/// that a mutant counts as killed only by a test that checks its line, never
/// by another test's timing.
pub fn run_against(
    python: &Path,
    binary: &Path,
    shop_args: &[&str],
    one_at_a_time: bool,
) -> Outcome {
    let server = Server::start(python, shop_args);
    let log = tempfile::NamedTempFile::new().expect("a temporary file for the test output");
    let mut child = Command::new(binary);
    if one_at_a_time {
        child.arg("--test-threads=1");
    }
    let mut child = child
        .current_dir(root())
        .env("RESTLINGS_BASE_URL", &server.base_url)
        .env("RUST_BACKTRACE", "0")
        .stdout(log.reopen().expect("the output file must reopen"))
        .stderr(log.reopen().expect("the output file must reopen"))
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", binary.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("the test binary must be waitable") {
            break status;
        }
        if started.elapsed() > TEST_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{} against shop.py {shop_args:?} ran past {TEST_DEADLINE:?}: a test hangs",
                binary.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = started.elapsed();
    let mut output = String::new();
    let mut file = log.reopen().expect("the output file must reopen");
    file.read_to_string(&mut output)
        .expect("the test output must be readable");
    let failed_tests = output
        .lines()
        .filter_map(|line| line.strip_prefix("test ")?.strip_suffix(" ... FAILED"))
        .map(str::to_owned)
        .collect();
    output.push_str(&server.log());
    Outcome {
        passed: status.success(),
        output,
        failed_tests,
        took,
    }
}

/// A running shop.py. Dropping it stops the server, whatever happened.
struct Server {
    child: Child,
    base_url: String,
    stderr: std::fs::File,
    // Held open: shop.py runs with --exit-on-stdin-eof, so even if this test
    // process is killed before Drop runs, the server sees EOF and stops.
    _stdin: Option<ChildStdin>,
}

impl Server {
    fn start(python: &Path, shop_args: &[&str]) -> Server {
        let stderr = tempfile::tempfile().expect("a temporary file for the server log");
        let mut command = Command::new(python);
        command
            .arg(shop_py())
            .args(["--port", "0", "--exit-on-stdin-eof"])
            .args(shop_args);
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr.try_clone().expect("the log file must clone"))
            .spawn()
            .expect("python3 must start shop.py");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("shop.py's stdout is piped");
        let mut server = Server {
            child,
            base_url: String::new(),
            stderr,
            _stdin: stdin,
        };
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver.recv_timeout(STARTUP_DEADLINE).unwrap_or_default();
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            panic!(
                "shop.py {shop_args:?} did not say `listening on http://...` within \
                 {STARTUP_DEADLINE:?}; it said {line:?}.{}",
                server.log()
            );
        };
        server.base_url = url.to_owned();
        server
    }

    /// What the server wrote to stderr, if anything, for a failure report.
    fn log(&self) -> String {
        let mut file = &self.stderr;
        let mut text = String::new();
        if file.rewind().is_ok() {
            let _ = file.read_to_string(&mut text);
        }
        if text.is_empty() {
            String::new()
        } else {
            format!("\n--- shop.py stderr ---\n{text}")
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
