//! URL mode, proven: the chapters' tests judge the contract, not our Rust code.
//!
//! `tests/servers/shop.py` is the shop written again in Python with the
//! standard library only. For each chapter below this test
//! 1. runs the chapter's test binary, built from `exercises/` as shipped
//!    (unfinished, as a learner who writes the chapter in another language
//!    runs it), against the Python shop in URL mode (`RESTLINGS_BASE_URL`),
//!    which must pass, and then
//! 2. runs it against every mutant of that chapter (`shop.py --break ID`, one
//!    broken contract line each), which must each fail, with the tests one at
//!    a time (`--test-threads=1`): a mutant is killed by a test that checks
//!    its line, never by another test's timing.
//!
//! Some chapters run in more than one setup (see `setups`): chapter 8 also
//! against the in-flight answers the contract allows, chapter 10 once with a
//! key and once without. The good shop must pass in every setup; a mutant is
//! killed when the tests fail in at least one of those it runs in.
//!
//! A mutant that survives is a contract line no test checks. Run it alone:
//! `python3 tests/servers/shop.py --port 8000 --break ID`, then
//! `cd exercises/NN_topic && RESTLINGS_BASE_URL=http://127.0.0.1:8000 cargo test`.
//! Known survivors are listed, with what is missing, in `url_mode/gaps.rs`.

#[path = "url_mode/gaps.rs"]
mod gaps;
#[path = "url_mode/shop.rs"]
mod shop;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use gaps::{Caught, KNOWN_GAPS};
use serde_json::Value;
use shop::{Outcome, Run, find_python, run_against, shop_py};

/// The chapters proven in URL mode. Adding one is one line: the exercise
/// package `ex<chapter>` must exist, and the mutants tagged with that chapter
/// in `tests/servers/mutants.py` are run against its tests.
const CHAPTERS: &[&str] = &[
    "02_endpoints",
    "03_get",
    "04_post",
    "05_put",
    "06_delete",
    "07_problem_details",
    "08_idempotency_key",
    "10_deploy",
    // Chapter 8's contract on a database; its restart and two-instance tests
    // skip here, with one in-memory shop (see its tests' header).
    "11_postgres",
];

/// How the shop is started for some runs of a chapter, and what its tests are
/// given besides the base URL.
struct Setup {
    /// What is different, for the reports: "with a key".
    name: &'static str,
    shop_args: &'static [&'static str],
    /// The shop's environment: chapter 10's `API_KEY`, as the contract says.
    shop_env: &'static [(&'static str, &'static str)],
    /// The tests' environment: chapter 10's `RESTLINGS_API_KEY`.
    test_env: &'static [(&'static str, &'static str)],
    /// Whether the chapter's mutants run in this setup too. Without, it is an
    /// alternative the contract allows, which only the good shop must pass.
    mutants: bool,
}

const AS_IS: Setup = Setup {
    name: "as is",
    shop_args: &[],
    shop_env: &[],
    test_env: &[],
    mutants: true,
};

/// The key of chapter 10's runs with a key.
const API_KEY: &str = "url-mode-key-7d3a9f";

/// The setups of `chapter`.
fn setups(chapter: &str) -> &'static [Setup] {
    match chapter {
        // A retry that finds its key in flight may get 409 or the first
        // answer. The shop answers 409 as is; slowed down, so that retries
        // really find the key in flight, it must pass both ways.
        "08_idempotency_key" => &[
            AS_IS,
            Setup {
                name: "orders kept in flight, retries answered 409",
                shop_args: &["--slow-orders"],
                mutants: false,
                ..AS_IS
            },
            Setup {
                name: "orders kept in flight, retries wait for the first answer",
                shop_args: &["--slow-orders", "--in-flight", "replay"],
                mutants: false,
                ..AS_IS
            },
        ],
        // In URL mode the tests cannot set the server's environment: the
        // shop is started with API_KEY and the tests are given the same key.
        // Without it, the tests that need a key skip and the open-API test runs.
        "10_deploy" => &[
            Setup {
                name: "with a key",
                shop_env: &[("API_KEY", API_KEY)],
                test_env: &[("RESTLINGS_API_KEY", API_KEY)],
                ..AS_IS
            },
            Setup {
                name: "without a key",
                ..AS_IS
            },
        ],
        _ => &[AS_IS],
    }
}

/// Tests that check the learner's own files rather than the server, which
/// the proof does not run: shipped unfinished, those files fail them, and no
/// server can change that. By chapter, libtest `--skip` filters.
fn not_the_server(chapter: &str) -> Vec<&'static str> {
    match chapter {
        // deploy.toml, shipped with `env = []` and two endpoints of ten. The
        // third manifest test probes the server and runs.
        "10_deploy" => vec!["manifest::the_manifest_"],
        _ => Vec::new(),
    }
}

/// How many mutants run at once: each is a Python server plus a test binary.
const WORKERS: usize = 3;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_python_shop_passes_every_chapter_and_each_of_its_mutants_fails() {
    let Some(python) = python_or_skip() else {
        return;
    };
    let started = Instant::now();
    let binaries = build_chapter_tests();
    let built = started.elapsed();
    let mutants = list_mutants(&python);
    let mut problems = Vec::new();
    let mut summary = Vec::new();
    let mut kills = Vec::new();

    // The good shop first, in every setup of every chapter, once with relative
    // Locations (`/products/4`) and once with absolute ones
    // (`http://127.0.0.1:PORT/products/4`): RFC 9110 §10.2.2 allows both.
    // All runs share one pool, so no worker waits for a chapter's slowest.
    let good_runs: Vec<(&str, &Setup, &[&str], &str)> = CHAPTERS
        .iter()
        .flat_map(|chapter| setups(chapter).iter().map(move |setup| (*chapter, setup)))
        .flat_map(|(chapter, setup)| {
            [
                (chapter, setup, &[][..], "relative"),
                (chapter, setup, &["--absolute-locations"][..], "absolute"),
            ]
        })
        .collect();
    let goods = in_pool(&good_runs, |(chapter, setup, extra, _)| {
        let skip = not_the_server(chapter);
        run_against(
            &python,
            &binaries[*chapter],
            &run(setup, extra, &skip, false),
        )
    });
    for ((chapter, setup, _, locations), good) in good_runs.iter().zip(goods) {
        assert!(
            good.passed,
            "{chapter} ({}): the Python shop follows the contract ({locations} Locations), \
             yet the chapter's tests fail in URL mode. Either shop.py breaks the contract or \
             a test asks for more than the contract says.\n{}",
            setup.name, good.output
        );
    }

    // Then every mutant, in each setup of its chapter that runs mutants, with
    // one test at a time: each mutant is killed on its merits.
    let jobs: Vec<(&str, &str)> = CHAPTERS
        .iter()
        .flat_map(|chapter| {
            mutants
                .iter()
                .filter(move |(_, (tag, _))| tag == chapter)
                .map(move |(id, _)| (*chapter, id.as_str()))
        })
        .collect();
    let outcomes = in_pool(&jobs, |(chapter, id)| {
        let skip = not_the_server(chapter);
        let runs: Vec<(&str, Outcome)> = setups(chapter)
            .iter()
            .filter(|setup| setup.mutants)
            .map(|setup| {
                let run = run(setup, &["--break", id], &skip, true);
                (setup.name, run_against(&python, &binaries[*chapter], &run))
            })
            .collect();
        Outcome::any_failed(runs)
    });
    let mut killed: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (&(chapter, id), outcome) in jobs.iter().zip(outcomes) {
        kills.push(describe(chapter, id, &outcome));
        let (dead, all) = killed.entry(chapter).or_default();
        *dead += usize::from(!outcome.passed);
        *all += 1;
        if let Some(problem) = judge(chapter, id, &mutants[id].1, &outcome) {
            problems.push(problem);
        }
    }
    for chapter in CHAPTERS {
        let (dead, all) = killed.get(chapter).copied().unwrap_or_default();
        summary.push(format!("{chapter}: {dead} of {all} mutants killed"));
    }
    summary.extend(pending_chapters(&mutants));

    println!(
        "url mode: {} in {:.1} s (building the tests took {:.1} s)",
        summary.join("; "),
        started.elapsed().as_secs_f64(),
        built.as_secs_f64(),
    );
    println!("known gaps ({}):", KNOWN_GAPS.len());
    for gap in KNOWN_GAPS {
        println!(
            "  `{}` ({:?} caught): {}",
            gap.mutant, gap.caught, gap.missing
        );
    }
    println!("each mutant, how long its chapter's tests ran, and which tests failed:");
    println!("{}", kills.join("\n"));
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// The run of a chapter's tests in `setup`, with more shop arguments.
fn run<'a>(setup: &'a Setup, extra: &[&'a str], skip: &[&'a str], one_at_a_time: bool) -> Run<'a> {
    Run {
        shop_args: setup.shop_args.iter().chain(extra).copied().collect(),
        shop_env: setup.shop_env,
        test_env: setup.test_env,
        skip: skip.to_vec(),
        one_at_a_time,
    }
}

/// What is wrong with this mutant's outcome, if anything.
fn judge(chapter: &str, id: &str, line: &str, outcome: &Outcome) -> Option<String> {
    match (outcome.passed, gaps::find(id)) {
        (false, None) => None,
        (true, Some(_)) => None,
        (false, Some(gap)) if gap.caught == Caught::Sometimes => None,
        (true, None) => Some(format!(
            "{chapter}: mutant `{id}` survived: the tests pass against a server where {line}. \
             Add a check for that line to the chapter's tests.\n{}",
            outcome.output
        )),
        (false, Some(_)) => Some(format!(
            "{chapter}: mutant `{id}` is a known gap that is never caught, but the tests now \
             catch it ({}). Remove it from tests/url_mode/gaps.rs.",
            outcome.failed_tests.join(", ")
        )),
    }
}

fn describe(chapter: &str, id: &str, outcome: &Outcome) -> String {
    let verdict = if outcome.passed {
        "SURVIVED".to_owned()
    } else {
        format!("killed by {}", outcome.failed_tests.join(", "))
    };
    let took = outcome.took.as_secs_f64();
    format!("  {chapter} {id} ({took:.1} s): {verdict}")
}

/// Mutants may be written ahead of their chapter. Once the chapter's solution
/// exists, it must be in CHAPTERS.
fn pending_chapters(mutants: &BTreeMap<String, (String, String)>) -> Vec<String> {
    let mut pending: BTreeMap<&str, usize> = BTreeMap::new();
    for (chapter, _) in mutants.values() {
        if !CHAPTERS.contains(&chapter.as_str()) {
            *pending.entry(chapter.as_str()).or_default() += 1;
        }
    }
    for (chapter, count) in &pending {
        assert!(
            !root().join("solutions").join(chapter).exists(),
            "solutions/{chapter} exists and mutants.py has {count} mutants for it: add \
             \"{chapter}\" to CHAPTERS in tests/url_mode.rs"
        );
    }
    pending
        .iter()
        .map(|(chapter, count)| format!("{chapter}: {count} mutants wait for its solution"))
        .collect()
}

/// The Python interpreter, or None to skip. Without python3 the test is skipped
/// locally, but on CI (`CI` set) a missing python3 is a broken machine.
fn python_or_skip() -> Option<PathBuf> {
    let python = find_python();
    if python.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 not found, and CI is set: install Python 3.11+ on the CI machine"
        );
        println!("SKIPPED: python3 not found; install Python 3.11+ to prove URL mode");
    }
    python
}

/// Builds the chapters' test binaries once, from the exercises as shipped:
/// in URL mode they must judge a server without ever running the unfinished
/// exercise code they are linked with. Returns them by chapter.
/// Cargo releases its build lock before it runs tests, so this nested build
/// does not wait on the `cargo test` that runs it.
fn build_chapter_tests() -> BTreeMap<String, PathBuf> {
    let mut command = restlings::cargo::command(restlings::cargo::program());
    command.current_dir(root()).args([
        "test",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    for chapter in CHAPTERS {
        command.args(["-p", &format!("ex{chapter}")]);
    }
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo must start to build the exercises' tests");
    assert!(
        output.status.success(),
        "the exercises' tests must build as shipped (see cargo's errors above)"
    );
    let mut binaries = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        // Chapters 1-8 run their tests as a module of the library (a
        // unit-test binary), chapters 9-12 as an integration test: either
        // way, the one artifact built with the test profile.
        let is_test = message["profile"]["test"] == true;
        let (Some(executable), Some(manifest)) = (
            message["executable"].as_str(),
            message["manifest_path"].as_str(),
        ) else {
            continue;
        };
        let Some(chapter) = CHAPTERS.iter().find(|chapter| {
            Path::new(manifest) == root().join("exercises").join(chapter).join("Cargo.toml")
        }) else {
            continue;
        };
        if is_test {
            let previous = binaries.insert((*chapter).to_owned(), PathBuf::from(executable));
            assert!(
                previous.is_none(),
                "ex{chapter} has more than one test binary; url_mode.rs expects one"
            );
        }
    }
    for chapter in CHAPTERS {
        assert!(
            binaries.contains_key(*chapter),
            "cargo built no test binary for ex{chapter}: check its tests/ folder"
        );
    }
    binaries
}

/// `id -> (chapter, contract line)`, from `shop.py --list-mutants`.
fn list_mutants(python: &Path) -> BTreeMap<String, (String, String)> {
    let output = Command::new(python)
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
    for gap in KNOWN_GAPS {
        assert!(
            mutants.contains_key(gap.mutant),
            "tests/url_mode/gaps.rs names `{}`, which shop.py does not have",
            gap.mutant
        );
    }
    mutants
}

/// Runs `job` on every item, `WORKERS` at a time; results in the items' order.
fn in_pool<I: Sync, T: Send>(items: &[I], job: impl Fn(&I) -> T + Sync) -> Vec<T> {
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
