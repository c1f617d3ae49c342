//! `restlings deploy`, end to end: the real runner deploys the chapter 10
//! solution (as a binary, so no container engine is needed), refuses broken
//! manifests with file:line:field errors, and fails the rows of endpoints the
//! service lacks or leaves open. Where an engine runs, it also deploys the
//! solution's container image.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use assert_cmd::cargo::cargo_bin_cmd;
use dockerfile_rules::engine;
use restlings::dev::markers;
use tempfile::TempDir;

const KEY: &str = "deploy-cmd-test-key";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn solution_dir() -> PathBuf {
    root().join("solutions/10_deploy")
}

fn solution_manifest() -> PathBuf {
    solution_dir().join("deploy.toml")
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn both(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout, self.stderr
        )
    }
}

/// `restlings deploy ARGS` with the variables of the solution's manifest set,
/// unless `env` overrides them (a `None` value unsets the variable).
fn deploy(args: &[&str], env: &[(&str, Option<&str>)]) -> Ran {
    let mut command = cargo_bin_cmd!("restlings");
    command
        .arg("deploy")
        .args(args)
        .current_dir(root())
        .env("API_KEY", KEY)
        .env("LOG_LEVEL", "info")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(600));
    for (name, value) in env {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let output = command.output().expect("the runner starts");
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The solution's manifest, changed by `edit`, written to a temp dir. It is
/// the answer as a learner writes it: without the lines that carry the
/// exercise's starting code, so that the line numbers below are the answer's.
fn edited_manifest(edit: impl Fn(&str) -> String) -> (TempDir, PathBuf) {
    let text = fs::read_to_string(solution_manifest()).expect("the solution has a deploy.toml");
    let text = markers::answer(&text, "#");
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("deploy.toml");
    fs::write(&path, edit(&text)).expect("write the edited manifest");
    (dir, path)
}

/// The table row of `METHOD path`, split into its words.
fn row<'a>(stdout: &'a str, method: &str, path: &str) -> Option<Vec<&'a str>> {
    stdout
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .find(|words| words.len() >= 2 && words[0] == method && words[1] == path)
}

#[test]
fn deploying_the_solution_binary_passes_every_check_and_prints_the_table() {
    let manifest = solution_manifest();

    let ran = deploy(
        &["--mode", "binary", manifest.to_str().expect("a UTF-8 path")],
        &[],
    );

    assert_eq!(
        ran.code,
        0,
        "the solution must deploy with every check passing:\n{}",
        ran.both()
    );
    assert!(
        ran.stdout.contains("METHOD")
            && ran.stdout.contains("NO KEY")
            && ran.stdout.contains("WITH KEY"),
        "the runner prints a table with a header row:\n{}",
        ran.both()
    );
    for (method, path, without, with) in [
        ("GET", "/health", "200", "-"),
        ("GET", "/products", "401", "200"),
        ("DELETE", "/products/{id}", "401", "400"),
        ("POST", "/orders", "401", "400"),
    ] {
        assert_eq!(
            row(&ran.stdout, method, path),
            Some(vec![method, path, without, with, "ok"]),
            "the table has the row `{method} {path} {without} {with} ok`: the health check open, \
             the rest 401 without the key and routed with it; placeholders probed with 0:\n{}",
            ran.both()
        );
    }
    assert!(
        ran.stdout.contains("stopped:") && ran.stdout.contains("every one of the 10 checks passed"),
        "the runner says it stopped the service and sums up:\n{}",
        ran.both()
    );
}

#[test]
fn a_broken_manifest_is_refused_with_file_line_and_field() {
    // (what to replace, by what, the `line:column: field` the error must name)
    let cases = [
        (
            "port = 8080",
            "port = 70000",
            "9:8: port: 70000 is not a port",
        ),
        (
            "port = 8080",
            "port = \"8080\"",
            "9:8: port: expected a number",
        ),
        (
            "port = 8080",
            "port = 8080.5",
            "9:8: port: 8080.5 is not a port: use a whole number from 1 to 65535",
        ),
        (
            "image = \"restlings-shop:10\"",
            "image = \"restlings-shop\"",
            "5:9: image:",
        ),
        ("\"LOG_LEVEL\"", "\"log-level\"", "13:19: env[1]:"),
        ("method = \"PUT\"", "method = \"put\"", "write \"PUT\""),
        (
            "health = \"/health\"",
            "healthcheck = \"/health\"",
            ": healthcheck: unknown field",
        ),
    ];

    for (from, to, expected) in cases {
        let (_dir, path) = edited_manifest(|text| text.replacen(from, to, 1));

        let ran = deploy(
            &["--mode", "binary", path.to_str().expect("a UTF-8 path")],
            &[],
        );

        assert_eq!(
            ran.code,
            1,
            "`{to}` makes the manifest invalid, so deploy must exit 1:\n{}",
            ran.both()
        );
        let located = format!("{}:", path.display());
        assert!(
            ran.stderr.contains(&located) && ran.stderr.contains(expected),
            "for `{to}` the error must give the file, line, column and field ({expected:?}):\n{}",
            ran.both()
        );
        assert!(
            !ran.stdout.contains("started:") && !ran.stderr.contains("panicked"),
            "an invalid manifest stops the deploy before anything starts, without a panic:\n{}",
            ran.both()
        );
    }
}

#[test]
fn an_unknown_field_is_reported_with_every_other_problem_at_once() {
    // Arrange: a misspelt field at the top and in an endpoint, plus three
    // values that are wrong.
    let (_dir, path) = edited_manifest(|text| {
        text.replacen("health = \"/health\"", "healthcheck = \"/health\"", 1)
            .replacen("port = 8080", "port = 70000", 1)
            .replacen(
                "image = \"restlings-shop:10\"",
                "image = \"restlings-shop\"",
                1,
            )
            .replacen("method = \"PUT\"", "method = \"PUT\"\nmetod = \"PUT\"", 1)
    });

    // Act
    let ran = deploy(
        &["--mode", "binary", path.to_str().expect("a UTF-8 path")],
        &[],
    );

    // Assert
    assert_eq!(
        ran.code,
        1,
        "the manifest is invalid, so deploy must exit 1:\n{}",
        ran.both()
    );
    for expected in [
        "has 5 problems",
        "5:9: image:",
        "9:8: port: 70000 is not a port",
        "11:1: healthcheck: unknown field",
        "health: missing",
        ".metod: unknown field",
    ] {
        assert!(
            ran.stderr.contains(expected),
            "one run must report every problem of the manifest, the unknown fields among them, \
             so that the learner fixes them all at once rather than one per run. Expected \
             {expected:?} in:\n{}",
            ran.both()
        );
    }
}

#[test]
fn a_variable_the_shell_does_not_set_is_named_with_its_line() {
    let manifest = solution_manifest();
    let text = fs::read_to_string(&manifest).expect("the solution has a deploy.toml");
    let env_line = text
        .lines()
        .position(|line| line.starts_with("env = "))
        .expect("the solution's deploy.toml declares `env = [...]`")
        + 1;
    let located = format!("deploy.toml:{env_line}:8: env: API_KEY is not set");

    let ran = deploy(
        &["--mode", "binary", manifest.to_str().expect("a UTF-8 path")],
        &[("API_KEY", None)],
    );

    assert_eq!(
        ran.code,
        1,
        "without API_KEY in the shell the deploy cannot start:\n{}",
        ran.both()
    );
    assert!(
        ran.stderr.contains(&located)
            && ran
                .stderr
                .contains("API_KEY=… LOG_LEVEL=… restlings deploy"),
        "the error names the variable, where the manifest declares it, and the command to run:\n{}",
        ran.both()
    );
}

#[test]
fn a_service_that_refuses_its_configuration_fails_the_deploy_with_its_own_words() {
    let manifest = solution_manifest();

    let ran = deploy(
        &["--mode", "binary", manifest.to_str().expect("a UTF-8 path")],
        &[("LOG_LEVEL", Some("loud"))],
    );

    assert_eq!(
        ran.code,
        1,
        "LOG_LEVEL=loud stops the service at startup, so the deploy fails:\n{}",
        ran.both()
    );
    assert!(
        ran.stderr.contains("never became healthy")
            && ran
                .stderr
                .contains("LOG_LEVEL is \"loud\", which is not a log level"),
        "the runner shows what the service printed, which names the variable:\n{}",
        ran.both()
    );
}

#[test]
fn an_endpoint_the_service_lacks_fails_its_row_and_the_deploy() {
    let (_dir, path) = edited_manifest(|text| {
        format!(
            "{text}\n[[endpoints]]\nmethod = \"GET\"\npath = \"/reviews\"\n\n[[endpoints]]\nmethod = \"PATCH\"\npath = \"/products/{{id}}\"\n"
        )
    });
    let package = solution_dir();

    let ran = deploy(
        &[
            "--mode",
            "binary",
            "--package",
            package.to_str().expect("a UTF-8 path"),
            path.to_str().expect("a UTF-8 path"),
        ],
        &[],
    );

    assert_eq!(
        ran.code,
        1,
        "a declared endpoint the service lacks must fail the deploy:\n{}",
        ran.both()
    );
    assert_eq!(
        row(&ran.stdout, "GET", "/reviews"),
        Some(vec!["GET", "/reviews", "401", "404", "FAIL"]),
        "GET /reviews answers 404 with the key: its row fails:\n{}",
        ran.both()
    );
    assert_eq!(
        row(&ran.stdout, "PATCH", "/products/{id}"),
        Some(vec!["PATCH", "/products/{id}", "401", "405", "FAIL"]),
        "PATCH /products/{{id}} answers 405 with the key: its row fails:\n{}",
        ran.both()
    );
    assert_eq!(
        row(&ran.stdout, "GET", "/products"),
        Some(vec!["GET", "/products", "401", "200", "ok"]),
        "the endpoints the service has still pass:\n{}",
        ran.both()
    );
    assert!(
        ran.stdout
            .contains(&format!("{}:58: GET /reviews", path.display()))
            && ran.stdout.contains("2 of 12 checks failed"),
        "each failure is spelled out with the manifest line that declares it:\n{}",
        ran.both()
    );
}

#[test]
fn a_service_that_ignores_the_key_fails_every_guarded_row() {
    // Chapter 9's shop reads PORT but knows nothing of API_KEY: every endpoint
    // answers without credentials, which is exactly what deploy must catch.
    let (_dir, path) = edited_manifest(|text| text.replace("sol10_deploy", "sol09_containerize"));
    let package = root().join("solutions/09_containerize");

    let ran = deploy(
        &[
            "--mode",
            "binary",
            "--package",
            package.to_str().expect("a UTF-8 path"),
            path.to_str().expect("a UTF-8 path"),
        ],
        &[],
    );

    assert_eq!(
        ran.code,
        1,
        "endpoints that answer without the key must fail the deploy:\n{}",
        ran.both()
    );
    assert_eq!(
        row(&ran.stdout, "GET", "/products"),
        Some(vec!["GET", "/products", "200", "200", "FAIL"]),
        "GET /products answers 200 without the key: its row fails:\n{}",
        ran.both()
    );
    assert_eq!(
        row(&ran.stdout, "GET", "/health"),
        Some(vec!["GET", "/health", "200", "-", "ok"]),
        "the health check is open in any case:\n{}",
        ran.both()
    );
    assert!(
        ran.stdout.contains("so anyone can call it"),
        "the failure explains that the endpoint is unprotected:\n{}",
        ran.both()
    );
}

#[test]
fn the_solution_image_deploys_in_a_container_where_an_engine_runs() {
    // The engine the runner itself would pick: `RESTLINGS_CONTAINER_ENGINE`,
    // or docker, then podman.
    let engine = match engine::find() {
        Ok(engine) => engine,
        Err(reason) if engine::required() => panic!(
            "{}=1, but there is no container engine: {reason}",
            engine::REQUIRE_VAR
        ),
        Err(reason) => {
            println!("SKIPPED: no container engine ({reason})");
            return;
        }
    };
    let dockerfile = solution_dir().join("Dockerfile");
    let image = "restlings-shop:10";
    let built = Command::new(&engine)
        // The Dockerfile uses `RUN --mount`, which needs BuildKit.
        .env("DOCKER_BUILDKIT", "1")
        .args(["build", "--tag", image, "--file"])
        .arg(&dockerfile)
        .arg(".")
        .current_dir(root())
        .status()
        .expect("the engine starts");
    assert!(
        built.success(),
        "`{engine} build -f {}` must build the image",
        dockerfile.display()
    );
    let manifest = solution_manifest();

    let ran = deploy(
        &[
            "--mode",
            "container",
            manifest.to_str().expect("a UTF-8 path"),
        ],
        &[],
    );

    // Straight to stderr, past libtest's capture: CI's log shows the table.
    for line in ran.stdout.lines() {
        let _ = writeln!(std::io::stderr(), "[10_deploy] {line}");
    }
    assert_eq!(
        ran.code,
        0,
        "the solution's container must pass every check:\n{}",
        ran.both()
    );
    assert!(
        ran.stdout.contains(&format!("the container image {image}"))
            && ran.stdout.contains("stopped: container"),
        "the runner deploys the container, not the binary, and removes it afterwards:\n{}",
        ran.both()
    );
}

// ------------------------------------------------------------ a stack ----
// One test only deploys on a swarm: two tests of one binary run at once, and
// must never start or leave one swarm together. Chapter 12's own test is in
// another binary, which cargo runs before or after this one, never alongside.

#[test]
fn the_chapter_12_stack_deploys_on_a_swarm_and_passes_every_check_through_its_proxy() {
    let engine = match engine::find() {
        Ok(engine) => engine,
        Err(reason) if engine::required() => panic!(
            "{}=1, but there is no container engine: {reason}",
            engine::REQUIRE_VAR
        ),
        Err(reason) => {
            println!("SKIPPED: no container engine ({reason})");
            return;
        }
    };
    let dir = root().join("solutions/12_swarm");
    let image = "restlings-shop:12";
    let built = Command::new(&engine)
        .env("DOCKER_BUILDKIT", "1")
        .args(["build", "--tag", image, "--file"])
        .arg(dir.join("Dockerfile"))
        .arg(".")
        .current_dir(root())
        .status()
        .expect("the engine starts");
    assert!(built.success(), "`{engine} build` must build {image}");
    let manifest = dir.join("deploy.toml");

    let ran = deploy(&[manifest.to_str().expect("a UTF-8 path")], &[]);

    for line in ran.stdout.lines() {
        let _ = writeln!(std::io::stderr(), "[12_swarm deploy] {line}");
    }
    assert_eq!(
        ran.code,
        0,
        "chapter 12's stack must pass every check through its proxy:\n{}",
        ran.both()
    );
    assert!(
        ran.stdout.contains("on Docker Swarm")
            && ran
                .stdout
                .contains("healthy: every replica is healthy: restlings_api 3/3")
            && ran
                .stdout
                .contains("every one of the 10 checks passed through the proxy")
            && ran.stdout.contains("removed: the stack `restlings`"),
        "the runner deploys the stack, waits for 3 healthy replicas, checks through the proxy \
         and removes the stack:\n{}",
        ran.both()
    );
    let stacks = Command::new(&engine)
        .args(["stack", "ls", "--format", "{{.Name}}"])
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    assert!(
        !stacks.lines().any(|name| name == "restlings"),
        "after `restlings deploy` the stack `restlings` must be gone; `{engine} stack ls` \
         says:\n{stacks}"
    );
}

#[test]
fn a_manifest_whose_stack_file_is_missing_says_where_it_looked() {
    let (dir, path) = edited_manifest(|text| format!("stack = \"stack.yml\"\n{text}"));
    let ran = deploy(&[path.to_str().expect("a UTF-8 temp path")], &[]);
    let expected = dir.path().join("stack.yml");
    assert!(
        ran.code == 1
            && ran.stderr.contains("names the stack stack.yml")
            && ran.stderr.contains(&expected.display().to_string()),
        "a manifest naming a stack file that is not beside it must fail with the path it \
         looked for ({}) before anything starts; got exit {}:\n{}",
        expected.display(),
        ran.code,
        ran.both()
    );
}

#[test]
fn a_manifest_with_a_stack_refuses_mode_binary() {
    let manifest = root().join("solutions/12_swarm/deploy.toml");
    let ran = deploy(
        &["--mode", "binary", manifest.to_str().expect("a UTF-8 path")],
        &[],
    );
    assert!(
        ran.code == 1
            && ran
                .stderr
                .contains("names a stack, which runs on Docker Swarm"),
        "chapter 12's manifest names a stack: --mode binary has nothing to run and must say so; \
         got exit {}:\n{}",
        ran.code,
        ran.both()
    );
}
