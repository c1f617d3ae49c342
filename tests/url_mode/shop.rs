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

impl Outcome {
    /// The outcome of one mutant run in several setups: it fails when any
    /// run failed, and names the setup of each failed test.
    pub fn any_failed(runs: Vec<(&str, Outcome)>) -> Outcome {
        if runs.len() == 1 {
            return runs
                .into_iter()
                .next()
                .map(|(_, outcome)| outcome)
                .expect("one run");
        }
        let mut all = Outcome {
            passed: true,
            output: String::new(),
            failed_tests: Vec::new(),
            took: Duration::ZERO,
        };
        for (setup, outcome) in runs {
            all.passed &= outcome.passed;
            all.output
                .push_str(&format!("--- {setup} ---\n{}\n", outcome.output));
            all.failed_tests.extend(
                outcome
                    .failed_tests
                    .iter()
                    .map(|test| format!("{test} ({setup})")),
            );
            all.took += outcome.took;
        }
        all
    }
}

/// One run of a chapter's tests against one shop.
pub struct Run<'a> {
    /// shop.py's arguments: `--break ID` for a mutant, `--absolute-locations`, …
    pub shop_args: Vec<&'a str>,
    /// The shop's environment, such as chapter 10's `API_KEY`.
    pub shop_env: &'a [(&'a str, &'a str)],
    /// The tests' environment besides the base URL, such as `RESTLINGS_API_KEY`.
    pub test_env: &'a [(&'a str, &'a str)],
    /// Tests not to run (libtest's `--skip`): those that check the learner's
    /// own files, not the server.
    pub skip: Vec<&'a str>,
    /// The tests on one thread (`--test-threads=1`), so that a mutant counts
    /// as killed only by a test that checks its line, never by another
    /// test's timing.
    pub one_at_a_time: bool,
}

/// Starts the shop as `run` says and runs `binary` against it.
pub fn run_against(python: &Path, binary: &Path, run: &Run) -> Outcome {
    let shop_args = &run.shop_args;
    let server = Server::start(python, run);
    let log = tempfile::NamedTempFile::new().expect("a temporary file for the test output");
    let mut child = Command::new(binary);
    if run.one_at_a_time {
        child.arg("--test-threads=1");
    }
    for name in &run.skip {
        child.args(["--skip", name]);
    }
    // Only what the run gives: a variable of the shell that runs this test
    // must not switch a chapter's tests to another mode.
    child.env_remove("RESTLINGS_API_KEY");
    child.envs(run.test_env.iter().copied());
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
    fn start(python: &Path, run: &Run) -> Server {
        let shop_args = &run.shop_args;
        let stderr = tempfile::tempfile().expect("a temporary file for the server log");
        let mut command = Command::new(python);
        command
            .arg(shop_py())
            .args(["--port", "0", "--exit-on-stdin-eof"])
            .args(shop_args)
            // The shop demands a key only when the run gives it one.
            .env_remove("API_KEY")
            .envs(run.shop_env.iter().copied());
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
