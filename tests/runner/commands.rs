//! `report --json` against its schema, `check --url` against real servers on
//! loopback, and `doctor`.

use crate::fixture::{Fixture, run};
use serde_json::Value;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

#[test]
fn report_json_validates_against_its_schema_and_gives_each_test_its_status_and_message() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["01_passes", "03_fails", "04_does_not_compile"]);

    let ran = run(fixture.restlings(&["report", "--json"]));

    assert_eq!(ran.code, 0, "a report is not an error:\n{}", ran.stderr);
    let report: Value = serde_json::from_str(&ran.stdout)
        .unwrap_or_else(|error| panic!("stdout should be JSON alone ({error}):\n{}", ran.stdout));
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.schema.json");
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(&schema_path).expect("the schema ships in schemas/"),
    )
    .expect("the schema is JSON");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let location = schema_path.display().to_string();
    compiler
        .add_resource(&location, schema)
        .unwrap_or_else(|error| panic!("the schema is a valid JSON Schema: {error:#}"));
    let index = compiler
        .compile(&location, &mut schemas)
        .unwrap_or_else(|error| panic!("the schema is a valid JSON Schema: {error:#}"));
    if let Err(error) = schemas.validate(&report, index) {
        // The alternate form lists every failed keyword, with its place in
        // the report (`I#/...`) and in the schema (`S#/...`).
        panic!(
            "the report must follow {}:\n{error:#}\n{}",
            schema_path.display(),
            ran.stdout
        );
    }

    let exercise = |name: &str| {
        report["exercises"]
            .as_array()
            .and_then(|all| all.iter().find(|exercise| exercise["name"] == name))
            .unwrap_or_else(|| panic!("the report should list {name}:\n{}", ran.stdout))
    };
    assert_eq!(exercise("01_passes")["status"], "pass", "01 passes");
    assert_eq!(
        exercise("04_does_not_compile")["status"],
        "compile_error",
        "04 does not compile"
    );
    let fails = exercise("03_fails");
    assert_eq!(fails["status"], "fail", "03 fails");
    let test = |name: &str| {
        fails["tests"]
            .as_array()
            .and_then(|tests| tests.iter().find(|test| test["name"] == name))
            .unwrap_or_else(|| panic!("03_fails should list the test {name}:\n{fails:#}"))
    };
    assert_eq!(
        test("the_answer_is_positive")["status"],
        "pass",
        "a passing test is listed as passing"
    );
    let even = test("the_answer_is_even");
    assert!(
        even["status"] == "fail"
            && even["message"]
                .as_str()
                .is_some_and(|message| message.contains("the answer should be even")),
        "a failing test carries its own first message:\n{even:#}"
    );
    assert_eq!(
        report["current"], "03_fails",
        "the current exercise is named"
    );
}

/// A one-request-at-a-time HTTP server on loopback that answers every request
/// with `status`, until the test ends. Returns its URL.
fn server(status: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            // Read the request head to its blank line, then answer.
            let mut request = Vec::new();
            let mut byte = [0_u8; 1];
            while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                request.push(byte[0]);
            }
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    url
}

/// Adds `06_url` to the course: its one test sends `GET /health` to
/// `RESTLINGS_BASE_URL` over plain TCP and wants a 200.
fn with_url_exercise(fixture: &Fixture) {
    let write = |path: &str, text: &str| {
        let path = fixture.course.join(path);
        fs::create_dir_all(path.parent().expect("a folder")).expect("create folders");
        fs::write(path, text).expect("write a file of the copy");
    };
    write(
        "exercises/06_url/Cargo.toml",
        "[package]\nname = \"fx06_url\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    );
    write("exercises/06_url/src/lib.rs", "");
    write(
        "exercises/06_url/tests/check.rs",
        r#"use std::io::{Read, Write};

#[test]
fn get_health_answers_200() {
    let url = std::env::var("RESTLINGS_BASE_URL").expect("URL mode sets RESTLINGS_BASE_URL");
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("the server listens");
    let request = format!("GET /health HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("send the request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "GET /health should answer 200, got {answer:?}");
}
"#,
    );
    write("book/src/06_url.md", "# URL\n");
    write("solutions/06_url/HINT.md", "Answer 200.\n");
    let manifest = fixture.course.join("course.toml");
    let mut text = fs::read_to_string(&manifest).expect("the copy's course.toml");
    text.push_str("\n[[exercises]]\nname = \"06_url\"\ntitle = \"URL\"\n");
    fs::write(&manifest, text).expect("add the exercise");
}

#[test]
fn check_with_a_url_runs_the_tests_against_that_server_and_exits_zero_only_if_all_pass() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["01_passes"]);
    with_url_exercise(&fixture);

    let good = server("200 OK");
    let ran = run(fixture.restlings(&["check", "06_url", "--url", &good]));
    assert_eq!(
        ran.code, 0,
        "every test passes against a server that answers 200:\n{}{}",
        ran.stdout, ran.stderr
    );
    assert!(
        ran.stdout
            .contains(&format!("06_url against {good}: 1 of 1 tests pass")),
        "the verdict names the server and the count:\n{}",
        ran.stdout
    );

    let bad = server("500 Internal Server Error");
    let ran = run(fixture.restlings(&["check", "06_url", "--url", &bad]));
    assert_eq!(
        ran.code, 1,
        "a failing test against the server means exit code 1:\n{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("get_health_answers_200") && ran.stdout.contains("500"),
        "the failure names the test and what the server said:\n{}",
        ran.stdout
    );

    let ran = run(fixture.restlings(&["check", "06_url", "--url", "localhost:8000"]));
    assert!(
        ran.code != 0 && ran.stderr.contains("http://"),
        "an address without http:// is refused with an example:\n{}",
        ran.stderr
    );
    assert!(
        !fixture.course.join(".restlings/state.json").exists(),
        "a URL-mode verdict is about that server, so it is not recorded as progress"
    );
}

#[test]
fn doctor_blocks_on_a_toolchain_older_than_the_course_needs_and_passes_otherwise() {
    let fixture = Fixture::new("course");
    fixture.keep_only(&["01_passes"]);
    let manifest = fixture.course.join("Cargo.toml");
    let text = fs::read_to_string(&manifest).expect("the fixture's Cargo.toml");

    fs::write(
        &manifest,
        format!("{text}\n[workspace.package]\nrust-version = \"999.0\"\n"),
    )
    .expect("ask for a Rust from the future");
    let ran = run(fixture.restlings(&["doctor"]));
    assert_eq!(
        ran.code, 1,
        "a toolchain too old stops the workshop:\n{}",
        ran.stdout
    );
    let line = ran
        .stdout
        .lines()
        .find(|line| line.contains("older than the 999.0"))
        .unwrap_or_else(|| panic!("one line should name the versions:\n{}", ran.stdout));
    assert!(
        line.contains("✗") && line.contains("rustup update"),
        "the line is marked as blocking and says how to fix it: {line:?}"
    );

    fs::write(
        &manifest,
        format!("{text}\n[workspace.package]\nrust-version = \"1.85\"\n"),
    )
    .expect("ask for a Rust this machine has");
    let ran = run(fixture.restlings(&["doctor"]));
    for expected in [
        "the course needs 1.85 or newer",
        "every dependency is downloaded",
        "every exercise builds",
        "port 3000",
        "free on the disk",
        "Ready:",
    ] {
        assert!(
            ran.stdout.contains(expected),
            "doctor should report {expected:?}:\n{}",
            ran.stdout
        );
    }
    assert_eq!(
        ran.code, 0,
        "nothing blocks on this machine (lines marked ! do not):\n{}",
        ran.stdout
    );
}
