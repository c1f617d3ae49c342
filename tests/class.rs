//! `restlings class …` end to end: the real runner against a fixture course,
//! reporting to the real dashboard on loopback (in this process, from
//! `crates/class`), and `class serve` building and running the dashboard of
//! the course itself.
//!
//! The dashboard's own rules (codes, tokens, limits, escaping, 30 learners)
//! are tested in `crates/class/tests/dashboard.rs`; here, the runner's part:
//! a check sends the state file's verdicts, never waits for the network, and
//! queues what it cannot deliver.

#[path = "runner/fixture.rs"]
#[allow(dead_code)] // shared with tests/runner.rs, which uses all of it
mod fixture;

use fixture::{Fixture, run};
use restlings_class::server::{self, Options};
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const CODE: &str = "K7QM-2XFA";
const TOKEN: &str = "0123456789abcdef0123456789abcdef";

/// A dashboard on 127.0.0.1, in a runtime of its own; stops when dropped.
struct Dashboard {
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Dashboard {
    fn on(address: SocketAddr) -> Dashboard {
        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("a runtime for the dashboard");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(address)
                    .await
                    .expect("the dashboard binds its loopback port");
                let bound = listener.local_addr().expect("the bound address");
                let (router, _) = server::app(Options {
                    code: CODE.to_owned(),
                    token: TOKEN.to_owned(),
                    stuck_after: Duration::from_secs(600),
                    burst: 10,
                    every: Duration::from_secs(1),
                    max_learners: 100,
                });
                ready_tx
                    .send(bound)
                    .expect("the test waits for the address");
                server::serve(listener, router, async {
                    let _ = stopped.await;
                })
                .await
                .expect("the dashboard serves until stopped");
            });
        });
        let address = ready_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the dashboard listens within 10 s");
        Dashboard {
            url: format!("http://{address}"),
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `GET /api/board` with the token.
    fn board(&self) -> serde_json::Value {
        let (status, body) = get(&format!("{}/api/board?token={TOKEN}", self.url));
        assert_eq!(status, 200, "the token opens the board: {body}");
        serde_json::from_str(&body).expect("the board is JSON")
    }

    /// Waits up to 15 s for `ready` to hold of the board, which the
    /// runner's sender fills in the background.
    fn wait_for(
        &self,
        what: &str,
        ready: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let start = Instant::now();
        loop {
            let board = self.board();
            if ready(&board) {
                return board;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "within 15 s of the check, the dashboard shows {what}; it shows {board}"
            );
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn get(url: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .proxy(None)
        .build()
        .into();
    let mut response = agent.get(url).call().expect("the dashboard answers");
    let status = response.status().as_u16();
    (
        status,
        response.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// A fixture course with one passing and one failing exercise, checked once
/// so that later runs reuse the verdicts.
fn course() -> Fixture {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["01_passes", "03_fails"]);
    let ran = run(fixture.restlings(&["verify"]));
    assert_eq!(
        ran.code, 1,
        "one exercise fails, so verify exits 1: {}",
        ran.stderr
    );
    fixture
}

fn outbox(course: &Path) -> usize {
    std::fs::read_dir(course.join(".restlings/class/outbox"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "json"))
                .count()
        })
        .unwrap_or(0)
}

fn row<'a>(board: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    board["learners"]
        .as_array()?
        .iter()
        .find(|row| row["name"] == name)
}

#[test]
fn a_joined_learners_checks_reach_the_dashboard_with_statuses_and_failing_tests() {
    // Arrange
    let fixture = course();
    let dashboard = Dashboard::on(SocketAddr::from(([127, 0, 0, 1], 0)));

    // Act
    let joined = run(fixture.restlings(&[
        "class",
        "join",
        &dashboard.url,
        "--code",
        CODE,
        "--name",
        "Ada",
    ]));

    // Assert
    assert_eq!(
        joined.code, 0,
        "joining a running dashboard succeeds: {}",
        joined.stderr
    );
    assert!(
        joined
            .stdout
            .contains("The instructor sees your status now"),
        "join says the status went out: {}",
        joined.stdout
    );
    let board = dashboard.board();
    let ada =
        row(&board, "Ada").unwrap_or_else(|| panic!("join sends the status at once: {board}"));
    assert_eq!(
        ada["cells"]["01_passes"]["status"], "passes",
        "01_passes passes: {ada}"
    );
    assert_eq!(
        ada["cells"]["03_fails"]["status"], "fails",
        "03_fails fails: {ada}"
    );
    assert!(
        ada["cells"]["03_fails"]["first_failing"].is_string(),
        "the failing test's name is sent: {ada}"
    );
    assert!(
        !board.to_string().contains("should be"),
        "no failure message (which may quote code) is sent: {board}"
    );

    // Act: the learner fixes 03_fails' test... here, breaks 01_passes instead,
    // and the next plain `cargo run` sends the new status by itself.
    let lib = fixture.course.join("exercises/01_passes/src/lib.rs");
    let code = std::fs::read_to_string(&lib).expect("the fixture's lib.rs");
    std::fs::write(
        &lib,
        format!("{code}\ncompile_error!(\"broken on purpose\");\n"),
    )
    .expect("break the exercise");
    let ran = run(fixture.restlings(&[]));
    assert_ne!(ran.code, -1, "the runner ran: {}", ran.stderr);
    dashboard.wait_for("01_passes as does_not_compile", |board| {
        row(board, "Ada")
            .is_some_and(|ada| ada["cells"]["01_passes"]["status"] == "does_not_compile")
    });
    assert!(
        !std::fs::read_to_string(fixture.course.join(".restlings/class.toml"))
            .expect("class.toml")
            .is_empty(),
        "the membership is kept in .restlings/class.toml"
    );
}

#[test]
fn a_wrong_join_code_is_refused_and_nothing_is_kept() {
    let fixture = course();
    let dashboard = Dashboard::on(SocketAddr::from(([127, 0, 0, 1], 0)));
    let ran = run(fixture.restlings(&[
        "class",
        "join",
        &dashboard.url,
        "--code",
        "WRNG-CD99",
        "--name",
        "Ada",
    ]));
    assert_eq!(ran.code, 1, "a refused code exits 1: {}", ran.stdout);
    assert!(
        ran.stderr.contains("refused the join code") && ran.stderr.contains("WRNG-CD99"),
        "the error says the code was refused and shows it: {}",
        ran.stderr
    );
    assert!(
        !fixture.course.join(".restlings/class.toml").exists(),
        "a refused join keeps no membership"
    );
    assert_eq!(outbox(&fixture.course), 0, "and queues nothing");
    let board = dashboard.board();
    assert_eq!(
        board["learners"],
        serde_json::json!([]),
        "the dashboard stored nothing"
    );
}

/// The median of five runs of `cargo run`'s binary with nothing changed.
fn median_run(fixture: &Fixture) -> Duration {
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            let ran = run(fixture.restlings(&[]));
            let took = start.elapsed();
            assert_eq!(ran.code, 0, "the progress table exits 0: {}", ran.stderr);
            took
        })
        .collect();
    times.sort();
    times[2]
}

#[test]
fn a_dashboard_that_never_answers_does_not_slow_a_check_and_the_status_is_queued() {
    // Arrange: a port that takes connections and never answers them, the
    // worst case: no quick "connection refused" to go on.
    let fixture = course();
    let silent = TcpListener::bind("127.0.0.1:0").expect("a silent listener");
    let silent_url = format!("http://{}", silent.local_addr().expect("its address"));
    let closed = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let closed_url = format!("http://{}", closed.local_addr().expect("its address"));
    drop(closed);
    let alone = median_run(&fixture);

    // Act: join a dashboard that is not running, then point at the silent one.
    let joined = run(fixture.restlings(&[
        "class",
        "join",
        &closed_url,
        "--code",
        CODE,
        "--name",
        "Ada",
    ]));
    assert_eq!(
        joined.code, 0,
        "joining works with the dashboard down: {}",
        joined.stderr
    );
    assert!(
        joined.stdout.contains("does not answer yet"),
        "join says the dashboard did not answer, and that the status waits: {}",
        joined.stdout
    );
    let membership = fixture.course.join(".restlings/class.toml");
    let text = std::fs::read_to_string(&membership).expect("class.toml");
    std::fs::write(&membership, text.replace(&closed_url, &silent_url))
        .expect("rewrite class.toml");
    let joined_time = median_run(&fixture);

    // Assert
    println!(
        "`restlings` with nothing changed: {alone:?} alone, {joined_time:?} joined to a dashboard \
         that never answers (median of 5)"
    );
    assert!(
        joined_time < alone + Duration::from_millis(150),
        "a check joined to a silent dashboard takes {joined_time:?}, {alone:?} without: the \
         runner must not wait for the network"
    );
    assert_eq!(
        outbox(&fixture.course),
        1,
        "the status waits in the outbox, the newest only"
    );

    // Act: the dashboard comes up where the learner joined; the next check
    // delivers what was queued.
    let text = std::fs::read_to_string(&membership).expect("class.toml");
    std::fs::write(&membership, text.replace(&silent_url, &closed_url))
        .expect("rewrite class.toml");
    let address: SocketAddr = closed_url
        .trim_start_matches("http://")
        .parse()
        .expect("an address");
    let dashboard = Dashboard::on(address);
    let ran = run(fixture.restlings(&[]));
    assert_eq!(ran.code, 0, "the progress table exits 0: {}", ran.stderr);
    dashboard.wait_for("Ada, from the queue", |board| row(board, "Ada").is_some());
    let start = Instant::now();
    while outbox(&fixture.course) > 0 && start.elapsed() < Duration::from_secs(10) {
        thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        outbox(&fixture.course),
        0,
        "a delivered status leaves the outbox"
    );
    drop(silent);
}

/// `restlings class serve --port 0` at the course root: builds the
/// dashboard, which prints its address, the join code and the page's URL.
#[test]
fn class_serve_prints_the_join_command_and_a_page_that_needs_its_token() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_restlings"))
        .arg("--course")
        .arg(root)
        .args(["class", "serve", "--port", "0", "--stuck-minutes", "5"])
        .current_dir(root)
        .env_remove("RESTLINGS_COURSE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the runner starts");
    let lines = lines(&mut child);
    let mut seen = Vec::new();
    let page = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(300))
            .unwrap_or_else(|_| panic!("class serve prints its page's URL; it printed {seen:?}"));
        seen.push(line.clone());
        if let Some(url) = line
            .trim()
            .strip_prefix("http://")
            .filter(|url| url.contains("token="))
        {
            break format!("http://{url}");
        }
    };
    let printed = seen.join("\n");
    let base = page.split("/?").next().unwrap_or_default().to_owned();
    assert!(
        printed.contains(&format!("cargo run -- class join {base} --code ")),
        "class serve prints the command learners run, with its URL and code: {printed}"
    );
    let (status, body) = get(&page);
    assert_eq!(status, 200, "the printed page URL opens the page: {body}");
    assert!(
        body.contains("Class dashboard"),
        "it is the dashboard: {body}"
    );
    let (status, _) = get(&format!("{base}/"));
    assert_eq!(status, 401, "the page without the token answers 401");
    let _ = child.kill();
    let _ = child.wait();
}

fn lines(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[test]
fn class_send_says_when_the_dashboard_is_down_and_class_leave_stops_the_reports() {
    let fixture = course();
    let closed = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", closed.local_addr().expect("its address"));
    drop(closed);
    let joined = run(fixture.restlings(&["class", "join", &url, "--code", CODE, "--name", "Ada"]));
    assert_eq!(
        joined.code, 0,
        "joining works with the dashboard down: {}",
        joined.stderr
    );

    let sent = run(fixture.restlings(&["class", "send"]));
    assert_eq!(
        sent.code, 1,
        "class send exits 1 when nothing could be delivered"
    );
    assert!(
        sent.stdout.contains("does not answer") && sent.stdout.contains("stays queued"),
        "class send says the dashboard is down and the status waits: {}",
        sent.stdout
    );
    assert_eq!(outbox(&fixture.course), 1, "the status is still queued");

    let left = run(fixture.restlings(&["class", "leave"]));
    assert_eq!(left.code, 0, "class leave succeeds: {}", left.stderr);
    assert!(
        left.stdout.contains("Left the class"),
        "class leave says so: {}",
        left.stdout
    );
    assert!(
        !fixture.course.join(".restlings/class.toml").exists(),
        "leaving removes the membership"
    );
    let ran = run(fixture.restlings(&[]));
    assert_eq!(ran.code, 0, "the progress table exits 0: {}", ran.stderr);
    assert_eq!(
        outbox(&fixture.course),
        0,
        "after leaving, a check queues nothing"
    );
    let again = run(fixture.restlings(&["class", "leave"]));
    assert!(
        again.stdout.contains("nothing to leave"),
        "leaving twice says there was nothing to leave: {}",
        again.stdout
    );
}
