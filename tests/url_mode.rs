//! URL mode, proven: the chapters' tests judge the contract, not our Rust code.
//!
//! `tests/servers/shop.py` is the shop written again in Python with the
//! standard library only. For each chapter below this test
//! 1. runs the chapter's test binary against the Python shop in URL mode
//!    (`RESTLINGS_BASE_URL`), which must pass, and then
//! 2. runs it against every mutant of that chapter (`shop.py --break ID`, one
//!    broken contract line each), which must each fail.
//!
//! A mutant that survives is a contract line no test checks. Run it alone:
//! `python3 tests/servers/shop.py --port 8000 --break ID`, then
//! `RESTLINGS_BASE_URL=http://127.0.0.1:8000 cargo test -p solNN_topic`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The chapters proven in URL mode. Adding one is one line: the solution
/// package `sol<chapter>` must exist, and the mutants tagged with that chapter
/// in `tests/servers/mutants.py` are run against its tests.
const CHAPTERS: &[&str] = &["02_endpoints", "03_get"];

/// Contract lines no chapter test checks yet, so their mutants survive. Each
/// says what is missing and where. When a test closes the gap, this test fails
/// until the line is removed here: the list stays true.
const KNOWN_GAPS: &[(&str, &str)] = &[
    (
        "head-with-body",
        "exercises/02_endpoints/tests/endpoints.rs: `head.body().is_empty()` cannot fail, because \
         an HTTP client drops whatever follows a HEAD response; only a raw TCP read of the \
         response (or a GET on the same connection) can see the stray body",
    ),
    (
        "plus-sign-id-accepted",
        "exercises/03_get/tests/get.rs: an_id_that_is_not_a_positive_integer_answers_400 tries no \
         id with a sign, such as \"+1\"",
    ),
    (
        "unicode-digit-id-accepted",
        "exercises/03_get/tests/get.rs: an_id_that_is_not_a_positive_integer_answers_400 tries no \
         non-ASCII digit, such as \"%D9%A1\" (Arabic-Indic one)",
    ),
];

/// How many mutants run at once: each is a Python server plus a test binary.
const WORKERS: usize = 3;
const TEST_DEADLINE: Duration = Duration::from_secs(120);
const STARTUP_DEADLINE: Duration = Duration::from_secs(20);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shop_py() -> PathBuf {
    root().join("tests/servers/shop.py")
}

#[test]
fn the_python_shop_passes_every_chapter_and_each_of_its_mutants_fails() {
    if !python_available() {
        return;
    }
    let started = Instant::now();
    let binaries = build_chapter_tests();
    let built = started.elapsed();
    let mutants = list_mutants();
    let mut problems = Vec::new();
    let mut summary = Vec::new();

    for chapter in CHAPTERS {
        let binary = &binaries[*chapter];
        let good = run_against(binary, None);
        assert!(
            good.passed,
            "{chapter}: the Python shop follows the contract, yet the chapter's tests fail in \
             URL mode. Either shop.py breaks the contract or a test asks for more than the \
             contract says.\n{}",
            good.output
        );
        let ids: Vec<&str> = mutants
            .iter()
            .filter(|(_, (tag, _))| tag == chapter)
            .map(|(id, _)| id.as_str())
            .collect();
        let verdicts = in_pool(&ids, |id| run_against(binary, Some(id)));
        let mut killed = 0;
        for (id, outcome) in ids.iter().zip(verdicts) {
            let line = &mutants[*id].1;
            let gap = KNOWN_GAPS.iter().find(|(gap_id, _)| gap_id == id);
            match (outcome.passed, gap) {
                (false, None) => killed += 1,
                (true, Some(_)) => {}
                (true, None) => problems.push(format!(
                    "{chapter}: mutant `{id}` survived: the tests pass against a server where \
                     {line}. Add a check for that line to the chapter's tests.\n{}",
                    outcome.output
                )),
                (false, Some(_)) => problems.push(format!(
                    "{chapter}: mutant `{id}` is listed in KNOWN_GAPS but the tests now catch it \
                     ({}). Remove it from KNOWN_GAPS in tests/url_mode.rs.",
                    outcome.failed_tests.join(", ")
                )),
            }
        }
        summary.push(format!(
            "{chapter}: {killed} of {} mutants killed",
            ids.len()
        ));
    }

    let unknown: Vec<&String> = mutants
        .iter()
        .filter(|(_, (tag, _))| !CHAPTERS.contains(&tag.as_str()))
        .map(|(id, _)| id)
        .collect();
    assert!(
        unknown.is_empty(),
        "mutants.py tags these mutants with chapters missing from CHAPTERS: {unknown:?}"
    );
    println!(
        "url mode: {} in {:.1} s (building the tests took {:.1} s); known gaps: {}",
        summary.join("; "),
        started.elapsed().as_secs_f64(),
        built.as_secs_f64(),
        KNOWN_GAPS.len()
    );
    for (id, missing) in KNOWN_GAPS {
        println!("  known gap `{id}`: {missing}");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// True when python3 runs. Without it the test is skipped locally, but on CI
/// (`CI` set) a missing python3 is a broken machine, not a reason to skip.
fn python_available() -> bool {
    let found = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 not found, and CI is set: install Python 3.11+ on the CI machine"
        );
        println!("SKIPPED: python3 not found; install Python 3.11+ to prove URL mode");
    }
    found
}

/// Builds the chapters' solution test binaries once; returns them by chapter.
fn build_chapter_tests() -> BTreeMap<String, PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.current_dir(root()).args([
        "test",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    for chapter in CHAPTERS {
        command.args(["-p", &format!("sol{chapter}")]);
    }
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo must start to build the solutions' tests");
    assert!(
        output.status.success(),
        "the solutions' tests must build (see cargo's errors above)"
    );
    let mut binaries = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let is_test = message["target"]["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|kind| kind == "test"));
        let (Some(executable), Some(manifest)) = (
            message["executable"].as_str(),
            message["manifest_path"].as_str(),
        ) else {
            continue;
        };
        let Some(chapter) = CHAPTERS.iter().find(|chapter| {
            Path::new(manifest) == root().join("solutions").join(chapter).join("Cargo.toml")
        }) else {
            continue;
        };
        if is_test {
            let previous = binaries.insert((*chapter).to_owned(), PathBuf::from(executable));
            assert!(
                previous.is_none(),
                "sol{chapter} has more than one test target; url_mode.rs expects one"
            );
        }
    }
    for chapter in CHAPTERS {
        assert!(
            binaries.contains_key(*chapter),
            "cargo built no test binary for sol{chapter}: check its [[test]] section"
        );
    }
    binaries
}

/// `id -> (chapter, contract line)`, from `shop.py --list-mutants`.
fn list_mutants() -> BTreeMap<String, (String, String)> {
    let output = Command::new("python3")
        .arg(shop_py())
        .arg("--list-mutants")
        .output()
        .expect("python3 must run shop.py");
    assert!(
        output.status.success(),
        "shop.py --list-mutants failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut mutants = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let mut fields = line.splitn(3, '\t');
        let (Some(id), Some(chapter), Some(text)) = (fields.next(), fields.next(), fields.next())
        else {
            panic!("shop.py --list-mutants printed {line:?}, not id<TAB>chapter<TAB>line");
        };
        mutants.insert(id.to_owned(), (chapter.to_owned(), text.to_owned()));
    }
    for (id, _) in KNOWN_GAPS {
        assert!(
            mutants.contains_key(*id),
            "KNOWN_GAPS names `{id}`, which shop.py does not have"
        );
    }
    mutants
}

/// Runs `job` on every item, `WORKERS` at a time; results in the items' order.
fn in_pool<T: Send>(items: &[&str], job: impl Fn(&str) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(item) = items.get(index) else { break };
                    let result = job(item);
                    results.lock().expect("a worker panicked")[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("a worker panicked")
        .into_iter()
        .map(|result| result.expect("every item ran"))
        .collect()
}

struct Outcome {
    passed: bool,
    output: String,
    failed_tests: Vec<String>,
}

/// Starts the shop (broken by `mutant`, if any) and runs `binary` against it.
fn run_against(binary: &Path, mutant: Option<&str>) -> Outcome {
    let server = Server::start(mutant);
    let log = tempfile::NamedTempFile::new().expect("a temporary file for the test output");
    let mut child = Command::new(binary)
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
                "{} against {mutant:?} ran past {TEST_DEADLINE:?}: a test hangs",
                binary.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
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
    fn start(mutant: Option<&str>) -> Server {
        let stderr = tempfile::tempfile().expect("a temporary file for the server log");
        let mut command = Command::new("python3");
        command
            .arg(shop_py())
            .args(["--port", "0", "--exit-on-stdin-eof"]);
        if let Some(id) = mutant {
            command.args(["--break", id]);
        }
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
                "shop.py {mutant:?} did not say `listening on http://...` within \
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
