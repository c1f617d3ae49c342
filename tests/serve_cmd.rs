//! `restlings serve`, end to end: the real runner serves chapter 3's exercise
//! as shipped, which answers over HTTP where it is given code (`GET /health`)
//! and 500 with the `todo!()` message where it is not; a busy port is refused
//! with a message that names it and `--port`; Ctrl-C and SIGTERM stop it.
//!
//! Serving builds no dependency the root's `cargo test` did not, as
//! `tests/one_build.rs` proves for the exercises.
//!
//! Every server here is the same build (`restlings-serve` with the feature
//! `03_get`), so only the first test to get cargo's lock compiles anything.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// Long enough for the first build of the exercise and the server crate on a
/// busy 2-core machine; the other tests find it built.
const READY_WITHIN: Duration = Duration::from_secs(300);
const EXERCISE: &str = "03_get";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn restlings(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_restlings"));
    command
        .arg("--course")
        .arg(root())
        .args(args)
        .current_dir(root())
        .env_remove("RESTLINGS_COURSE");
    command
}

/// `restlings serve 03_get --port 0`, running: the system picks a free port,
/// and the server's first line says which.
struct Server {
    child: Child,
    url: String,
    stdout: Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start() -> Server {
        let mut child = restlings(&["serve", EXERCISE, "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the runner must start");
        let stdout = lines(child.stdout.take().expect("the server's stdout is piped"));
        let stderr = Arc::new(Mutex::new(String::new()));
        collect(
            child.stderr.take().expect("the server's stderr is piped"),
            Arc::clone(&stderr),
        );
        let mut server = Server {
            child,
            url: String::new(),
            stdout,
            stderr,
        };
        let banner = server.line_containing("Serving", READY_WITHIN);
        server.url = banner
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .map(|url| url.trim_end_matches('.').to_owned())
            .unwrap_or_else(|| panic!("the first line should give the server's URL: {banner:?}"));
        server
    }

    /// Waits for a line of the server's stdout that contains `text`.
    fn line_containing(&self, text: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stdout.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        panic!(
            "the server should print a line with {text:?} within {within:?}.\nstdout:\n{}\nstderr:\n{}",
            seen.join("\n"),
            self.stderr()
        );
    }

    fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn get(&self, path: &str) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .proxy(None)
            .build()
            .into();
        let url = format!("{}{path}", self.url);
        let mut response = agent
            .get(&url)
            .call()
            .unwrap_or_else(|error| panic!("GET {url} should get an answer: {error}"));
        let body = response
            .body_mut()
            .read_to_string()
            .unwrap_or_else(|error| panic!("the body of GET {url} should be text: {error}"));
        (response.status().as_u16(), body)
    }

    /// Sends `signal` and waits for the process to end.
    #[cfg(unix)]
    fn stop_with(mut self, signal: nix::sys::signal::Signal) -> (ExitStatus, Server) {
        let pid = i32::try_from(self.child.id()).expect("a pid fits in an i32");
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal)
            .unwrap_or_else(|error| panic!("{signal} should reach the server: {error}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return (status, self),
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
                Ok(None) => panic!(
                    "the server should stop within 10 s of {signal}; stderr:\n{}",
                    self.stderr()
                ),
                Err(error) => panic!("cannot wait for the server: {error}"),
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

fn collect(pipe: impl Read + Send + 'static, into: Arc<Mutex<String>>) {
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let mut text = into.lock().unwrap_or_else(PoisonError::into_inner);
            text.push_str(&line);
            text.push('\n');
        }
    });
}

#[test]
fn serving_an_exercise_answers_over_http_and_shows_a_curl_line() {
    // Arrange
    let server = Server::start();

    // Act
    let curl = server.line_containing("curl", Duration::from_secs(5));
    let (status, body) = server.get("/health");

    // Assert
    assert_eq!(
        curl.trim(),
        format!("Try it: curl -i {}/products", server.url),
        "the server should show a first curl line against its own URL"
    );
    assert_eq!(
        (status, body.as_str()),
        (200, r#"{"status":"ok"}"#),
        "chapter 3 ships GET /health written, so its server should answer it with 200"
    );
    server.line_containing("GET /health -> 200 OK", Duration::from_secs(5));
}

#[test]
fn a_todo_handler_answers_500_with_its_message() {
    let server = Server::start();

    let (status, body) = server.get("/products");

    assert_eq!(
        status, 500,
        "GET /products is still a todo!() as shipped, and a panicking handler should answer \
         500, as in the tests; body: {body:?}"
    );
    assert!(
        body.starts_with("handler panicked: not yet implemented: "),
        "the 500's body should carry the todo!() message, as the tests' reports do; got {body:?}"
    );
    server.line_containing("GET /products -> 500", Duration::from_secs(5));
}

#[test]
fn a_port_in_use_is_refused_with_its_number_and_the_port_flag() {
    // Arrange: hold a port, as another program would.
    let taken = TcpListener::bind("127.0.0.1:0").expect("a free port for the test");
    let port = taken
        .local_addr()
        .expect("the test listener's address")
        .port();

    // Act
    let output = restlings(&["serve", EXERCISE, "--port", &port.to_string()])
        .output()
        .expect("the runner must start");

    // Assert
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "a busy port is an error; stderr:\n{stderr}"
    );
    for expected in [format!("port {port}"), "--port".to_owned()] {
        assert!(
            stderr.contains(&expected),
            "the error should say {expected:?}, so the learner knows which port is busy and how \
             to choose another:\n{stderr}"
        );
    }
}

#[test]
fn chapter_one_is_refused_because_it_is_a_client() {
    let output = restlings(&["serve", "01_what_is_an_api"])
        .output()
        .expect("the runner must start");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "chapter 1 has no server to run, which is an error; stderr:\n{stderr}"
    );
    assert!(
        stderr.contains("HTTP client") && stderr.contains("cargo test"),
        "the error should say chapter 1 is a client and how to test it instead:\n{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_and_sigterm_stop_the_server_cleanly() {
    use nix::sys::signal::Signal;
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        let server = Server::start();

        let (status, server) = server.stop_with(signal);

        assert!(
            status.success(),
            "{signal} should stop the server with exit code 0, got {status}; stderr:\n{}",
            server.stderr()
        );
        server.line_containing("Stopped.", Duration::from_secs(5));
    }
}

#[test]
fn serving_builds_no_dependency_that_the_root_does_not() {
    let at_root = registry_artifacts(&["test", "--no-run"]);
    assert!(
        !at_root.is_empty(),
        "the root's build lists no dependency at all: the check would be empty"
    );

    let for_serve = registry_artifacts(&["build", "-p", "restlings-serve", "--features", EXERCISE]);

    let rebuilt: Vec<&str> = for_serve
        .iter()
        .filter(|(id, files)| at_root.get(*id).is_none_or(|known| !files.is_subset(known)))
        .map(|(id, _)| id.rsplit('#').next().unwrap_or(id))
        .collect();
    assert!(
        rebuilt.is_empty(),
        "`cargo run -- serve` builds these dependencies with other features than `cargo test` at \
         the root, so a learner would compile them a second time: {rebuilt:?}. Ask for the \
         root's features in crates/serve/Cargo.toml (compare the two builds' \
         `--message-format=json`)."
    );
}

/// The files of every crates.io dependency that `cargo ARGS` at the root
/// compiles, by package id (as in `tests/one_build.rs`).
fn registry_artifacts(args: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let output = restlings::cargo::command(restlings::cargo::program())
        .current_dir(root())
        .args(args)
        .arg("--message-format=json")
        .output()
        .unwrap_or_else(|error| panic!("cargo must start at the root: {error}"));
    assert!(
        output.status.success(),
        "`cargo {}` must succeed at the root:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut artifacts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let Some(id) = message["package_id"].as_str() else {
            continue;
        };
        if message["reason"] != "compiler-artifact" || !id.starts_with("registry+") {
            continue;
        }
        let files = message["filenames"].as_array().into_iter().flatten();
        artifacts
            .entry(id.to_owned())
            .or_default()
            .extend(files.filter_map(Value::as_str).map(str::to_owned));
    }
    artifacts
}

#[test]
fn a_port_that_is_not_a_whole_number_is_refused_with_the_range() {
    let output = restlings(&["serve", EXERCISE, "--port", "8080.5"])
        .output()
        .expect("the runner must start");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(2),
        "a bad --port is a usage error, found before anything is built; stderr:\n{stderr}"
    );
    assert!(
        stderr.contains("8080.5") && stderr.contains("whole number from 0 to 65535"),
        "the error must say what a port is, a whole number from 0 to 65535, rather than \
         \"invalid digit found in string\":\n{stderr}"
    );
}
