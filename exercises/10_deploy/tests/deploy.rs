//! Chapter 10, Deploy: configuration, authentication and the manifest, checked.
//! Read `book/src/10_deploy.md` for the table these tests follow.
//!
//! - Configuration: `Config::from_vars` is a pure function of the variables,
//!   so every bad value is tried without touching the process environment;
//!   then the real binary is started with a few of them.
//! - Authentication, over real HTTP: the health check is open, everything else
//!   answers 401 without the key or with a wrong one, and works with it.
//! - The manifest: `deploy.toml` is valid (the same checks as `restlings
//!   deploy`), and declares exactly the endpoints the app serves.
//!
//! URL mode (`RESTLINGS_BASE_URL`): the tests cannot set your server's
//! environment, so start it with `API_KEY=<key>` and give the tests the same
//! key as `RESTLINGS_API_KEY=<key>`. Without `RESTLINGS_API_KEY` the tests that
//! need a key print `SKIPPED:` and pass; the open-API test runs only then. The
//! configuration and startup tests check this crate's own code, so they print
//! `SKIPPED:` in URL mode.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use deploy::{Config, ConfigError, DEFAULT_PORT, LogLevel, app};
use kit::{Exchange, Method, StatusCode, TestApp, json};

const CHAPTER: &str = "10_deploy";
/// The key of the in-process server.
const KEY: &str = "test-key-5c1f0b2e9a";
/// The variable that gives the tests the key of a server in URL mode.
const KEY_VAR: &str = "RESTLINGS_API_KEY";

/// The contract's endpoints, as `deploy.toml` declares them.
const CONTRACT: [(&str, &str); 10] = [
    ("GET", "/health"),
    ("GET", "/products"),
    ("POST", "/products"),
    ("GET", "/products/{id}"),
    ("PUT", "/products/{id}"),
    ("DELETE", "/products/{id}"),
    ("GET", "/optimizations/today"),
    ("POST", "/predictions"),
    ("POST", "/orders"),
    ("GET", "/orders/{id}"),
];

/// Every request that must carry the key: each endpoint but the health
/// check, plus paths and methods that do not exist, which must not tell a
/// caller without the key that they do not exist. `{id}` becomes 0, an id no
/// resource has, so that even with the key these requests change nothing.
fn guarded_requests() -> Vec<(Method, String)> {
    let mut requests: Vec<(Method, String)> = CONTRACT
        .iter()
        .filter(|(_, path)| *path != "/health")
        .map(|(method, path)| {
            let method =
                Method::from_bytes(method.as_bytes()).expect("the contract's methods are valid");
            (method, path.replace("{id}", "0"))
        })
        .collect();
    requests.push((Method::GET, "/no-such-endpoint".to_owned()));
    requests.push((Method::POST, "/health".to_owned()));
    requests
}

fn url_mode() -> bool {
    std::env::var_os(kit::BASE_URL_VAR).is_some_and(|url| !url.is_empty())
}

/// In URL mode, tests of this crate's own code have nothing to check.
fn skip_in_url_mode(what: &str) -> bool {
    if url_mode() {
        println!(
            "SKIPPED: {what} checks this crate's own code; URL mode tests the server at {}",
            kit::BASE_URL_VAR
        );
    }
    url_mode()
}

// ───────────────────────────── configuration ─────────────────────────────

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_vars(vars.iter().copied())
}

#[test]
fn with_no_variable_set_every_default_applies() {
    if skip_in_url_mode("the configuration test") {
        return;
    }

    let config = config(&[("HOME", "/root"), ("PATH", "/usr/bin")]);

    let config = config.unwrap_or_else(|error| {
        panic!("with PORT, API_KEY and LOG_LEVEL unset the service must start, but got: {error}")
    });
    assert_eq!(
        config.port, DEFAULT_PORT,
        "an unset PORT means 8080, as in chapter 9"
    );
    assert!(
        config.api_key.is_none(),
        "an unset API_KEY means no key: the API stays open, as in chapters 1 to 9"
    );
    assert_eq!(
        config.log_level,
        LogLevel::Info,
        "an unset LOG_LEVEL means info"
    );
}

#[test]
fn good_values_are_read_as_given() {
    if skip_in_url_mode("the configuration test") {
        return;
    }

    let config = config(&[("PORT", "3000"), ("API_KEY", KEY), ("LOG_LEVEL", "DEBUG")]);

    let config = config.unwrap_or_else(|error| {
        panic!("PORT=3000, a key and LOG_LEVEL=DEBUG are all valid, got: {error}")
    });
    assert_eq!(config.port, 3000, "PORT=3000 is port 3000");
    assert!(
        config.api_key.as_ref().is_some_and(|key| key.matches(KEY)),
        "API_KEY={KEY} is the key the service must then demand"
    );
    assert_eq!(
        config.log_level,
        LogLevel::Debug,
        "LOG_LEVEL is read in any case: DEBUG is debug"
    );
    for (level, expected) in [
        ("error", LogLevel::Error),
        ("warn", LogLevel::Warn),
        ("info", LogLevel::Info),
        ("trace", LogLevel::Trace),
    ] {
        let read = self::config(&[("LOG_LEVEL", level)]).map(|config| config.log_level);
        assert_eq!(
            read,
            Ok(expected),
            "LOG_LEVEL={level} is one of the five accepted levels"
        );
    }
}

#[test]
fn each_bad_value_stops_the_start_with_the_variable_and_what_it_accepts() {
    if skip_in_url_mode("the configuration test") {
        return;
    }
    // (variable, value, words the message must contain besides the name)
    let cases = [
        ("PORT", "abc", "1 to 65535"),
        ("PORT", "70000", "1 to 65535"),
        ("PORT", "0", "1 to 65535"),
        ("PORT", "-1", "1 to 65535"),
        ("PORT", "", "1 to 65535"),
        ("API_KEY", "", "unset API_KEY"),
        ("API_KEY", "two words", "letters, digits"),
        ("API_KEY", "key\"quote", "letters, digits"),
        ("LOG_LEVEL", "verbose", "error, warn, info, debug, trace"),
        ("LOG_LEVEL", "", "error, warn, info, debug, trace"),
    ];

    for (name, value, accepted) in cases {
        let result = config(&[(name, value)]);

        let message = match result {
            Ok(config) => panic!(
                "{name}={value:?} must stop the service at startup, but it was read as {config:?}. \
                 A bad value is never replaced by a default in silence: the operator would \
                 never learn that their setting was ignored."
            ),
            Err(error) => error.to_string(),
        };
        assert!(
            message.contains(name) && message.contains(accepted),
            "the error for {name}={value:?} must name {name} and say what it accepts ({accepted:?}), \
             so the operator can fix it without reading the code. Got: {message}"
        );
    }
}

#[test]
fn the_key_never_shows_in_debug_output_and_matches_only_itself() {
    if skip_in_url_mode("the configuration test") {
        return;
    }
    let config = config(&[("API_KEY", KEY)])
        .unwrap_or_else(|error| panic!("{KEY} is a valid key, got: {error}"));
    let Some(key) = config.api_key.clone() else {
        panic!("API_KEY={KEY} must give Some(key)");
    };

    let printed = format!("{config:?}");

    assert!(
        !printed.contains(KEY),
        "Debug output ends up in logs and panic messages, so it must not show the secret. \
         Got: {printed}"
    );
    assert!(key.matches(KEY), "the key matches itself");
    for wrong in [
        "",
        "test-key",
        &format!("{KEY}x"),
        &KEY.to_uppercase(),
        &KEY[1..],
    ] {
        assert!(
            !key.matches(wrong),
            "the key {KEY:?} must not match {wrong:?}"
        );
    }
}

// ─────────────────────────── startup, for real ───────────────────────────

/// The package's binary, which cargo builds before it runs these tests:
/// `target/debug/<package>`, next to the `deps/` folder this test runs from.
fn binary() -> PathBuf {
    let test = std::env::current_exe().expect("a test knows its own path");
    let dir = test
        .parent()
        .and_then(Path::parent)
        .expect("tests run from target/<profile>/deps");
    dir.join(format!(
        "{}{}",
        env!("CARGO_PKG_NAME"),
        std::env::consts::EXE_SUFFIX
    ))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("the test needs a free port on 127.0.0.1")
}

#[test]
fn a_bad_variable_stops_the_binary_at_startup_with_its_name() {
    if skip_in_url_mode("the startup test") {
        return;
    }
    let binary = binary();
    assert!(
        binary.is_file(),
        "cargo builds src/main.rs before the tests, as {}; it is not there",
        binary.display()
    );

    for (name, value) in [("PORT", "70000"), ("API_KEY", ""), ("LOG_LEVEL", "loud")] {
        let mut command = Command::new(&binary);
        command.env_clear().env(name, value);
        if name != "PORT" {
            // A free port: if the bad value were ignored, the service would
            // start and this test would say so, rather than fail to bind 8080.
            command.env("PORT", free_port().to_string());
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > Duration::from_secs(10) => {
                    let _ = child.kill();
                    panic!(
                        "with {name}={value:?} the binary was still running after 10 s: a bad \
                         value must stop it at startup, before it listens"
                    );
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(error) => panic!("cannot wait for the binary: {error}"),
            }
        };
        let stderr = child
            .wait_with_output()
            .map(|output| String::from_utf8_lossy(&output.stderr).into_owned())
            .unwrap_or_default();

        assert!(
            !status.success(),
            "with {name}={value:?} the binary must exit with a failure status, so an orchestrator \
             sees the deployment fail; it exited with {status}"
        );
        assert!(
            stderr.contains(name) && !stderr.contains("panicked"),
            "with {name}={value:?} the binary must print an error naming {name}, not panic. \
             It printed:\n{stderr}"
        );
    }
}

// ──────────────────────────── authentication ────────────────────────────

/// The server and the key it demands: in process, the app built with `KEY`;
/// in URL mode, `RESTLINGS_API_KEY`, or `None` (the test then skips).
async fn guarded() -> Option<(TestApp, String)> {
    if url_mode() {
        let Some(key) = std::env::var(KEY_VAR).ok().filter(|key| !key.is_empty()) else {
            println!(
                "SKIPPED: this test needs the server's key. Start your server with API_KEY=<key> \
                 and run the tests with {KEY_VAR}=<key>."
            );
            return None;
        };
        return Some((TestApp::spawn(app(None), CHAPTER).await, key));
    }
    let config = Config::from_vars([("API_KEY", KEY)])
        .unwrap_or_else(|error| panic!("{KEY} is a valid key, got: {error}"));
    Some((
        TestApp::spawn(app(config.api_key), CHAPTER).await,
        KEY.to_owned(),
    ))
}

const CHALLENGE_WHY: &str = "RFC 9110 §11.6.1: a 401 response MUST carry a `WWW-Authenticate` \
    header saying how to authenticate. For an API key sent as `Authorization: Bearer <key>` \
    that is the Bearer scheme of RFC 6750 §3, such as `WWW-Authenticate: Bearer realm=\"shop\"`.";
const PROBLEM_WHY: &str = "Every error of this service is an RFC 9457 problem (chapter 7), a 401 \
    too: `Content-Type: application/problem+json` with a `status` of 401 and a `detail` that says \
    how to send the key.";

/// Checks a 401 with its challenge and its problem body.
fn expect_unauthorized(res: &Exchange, why: &str) {
    res.expect_status(StatusCode::UNAUTHORIZED, why);
    let challenge = res.header("www-authenticate").unwrap_or_default();
    res.expect(
        challenge
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("bearer"),
        "a header WWW-Authenticate: Bearer …",
        CHALLENGE_WHY,
    );
    let content_type = res.header("content-type").unwrap_or_default();
    res.expect(
        content_type.starts_with("application/problem+json"),
        "Content-Type: application/problem+json",
        PROBLEM_WHY,
    );
    let body = res.json(PROBLEM_WHY);
    res.expect(
        body["status"] == json!(401)
            && body["detail"]
                .as_str()
                .is_some_and(|detail| !detail.is_empty()),
        "a problem with \"status\": 401 and a non-empty \"detail\"",
        PROBLEM_WHY,
    );
}

#[tokio::test]
async fn the_health_check_answers_without_a_key() {
    let Some((app, _key)) = guarded().await else {
        return;
    };

    let res = app.get("/health").await;

    res.expect_status(
        StatusCode::OK,
        "GET /health stays open when the service has a key: load balancers and orchestrators \
         call it to decide whether to send traffic or restart the service, and they hold no \
         credentials. It reveals nothing but \"up\", so it needs no protection.",
    );
}

#[tokio::test]
async fn every_other_request_without_the_key_answers_401_with_a_bearer_challenge() {
    let Some((app, _key)) = guarded().await else {
        return;
    };

    for (method, path) in guarded_requests() {
        let res = app.request(method, &path).await;

        expect_unauthorized(
            &res,
            "With API_KEY set, every request but GET /health must carry the key. Without an \
             Authorization header the answer is 401 Unauthorized (RFC 9110 §15.5.2), checked \
             before routing: even a path that does not exist answers 401, so a caller without \
             the key cannot map the API.",
        );
    }
}

#[tokio::test]
async fn a_wrong_key_answers_401_too() {
    let Some((app, key)) = guarded().await else {
        return;
    };
    let wrong = [
        "Bearer wrong-key".to_owned(),
        format!("Bearer {key}x"),
        format!("Bearer {}", &key[..key.len() - 1]),
        format!("Basic {key}"),
        key.clone(),
        "Bearer".to_owned(),
    ];

    for header in wrong {
        let res = app.get("/products").header("authorization", &header).await;

        expect_unauthorized(
            &res,
            "Only `Authorization: Bearer <the exact key>` opens the API. A different key, the \
             key with a byte more or less, another scheme or no scheme at all is answered 401 \
             (RFC 6750 §3.1: error=\"invalid_token\" when a token came but is wrong).",
        );
    }
}

#[tokio::test]
async fn the_right_key_opens_every_endpoint() {
    let Some((app, key)) = guarded().await else {
        return;
    };
    let bearer = format!("Bearer {key}");

    for (method, path) in guarded_requests()
        .into_iter()
        .filter(|(_, path)| path != "/no-such-endpoint")
    {
        let res = app
            .request(method.clone(), &path)
            .header("authorization", &bearer)
            .await;

        res.expect(
            res.status() != StatusCode::UNAUTHORIZED,
            format!("anything but 401 for {method} {path} with the right key"),
            "With `Authorization: Bearer <key>` the request goes through to the endpoint, which \
             answers as in chapters 2 to 8.",
        );
    }
    let res = app
        .get("/products/1")
        .header("authorization", &bearer)
        .await;
    res.expect_status(
        StatusCode::OK,
        "With the key, GET /products/1 answers the seed product, as in chapter 3.",
    );
    let res = app
        .get("/products")
        .header("authorization", &format!("bearer {key}"))
        .await;
    res.expect_status(
        StatusCode::OK,
        "The name of an authentication scheme is case-insensitive (RFC 9110 §11.1): `bearer` \
         is `Bearer`. The key itself is compared exactly.",
    );
}

#[tokio::test]
async fn without_api_key_every_endpoint_stays_open() {
    if url_mode() && std::env::var_os(KEY_VAR).is_some() {
        println!("SKIPPED: {KEY_VAR} is set, so the server in URL mode demands a key");
        return;
    }
    let app = TestApp::spawn(app(None), CHAPTER).await;

    let res = app.get("/products").await;

    res.expect_status(
        StatusCode::OK,
        "With API_KEY unset the service has no key to demand: it stays open, as in chapters 1 \
         to 9, so that nothing changes for a deployment that does not opt in.",
    );
    let res = app
        .post_json("/predictions", &json!({ "price_cents": 1899 }))
        .await;
    res.expect(
        res.status() != StatusCode::UNAUTHORIZED,
        "anything but 401",
        "With API_KEY unset no endpoint asks for credentials.",
    );
}

// ───────────────────────────── the manifest ─────────────────────────────

fn manifest_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(deploy_manifest::FILE_NAME)
}

fn manifest() -> deploy_manifest::Manifest {
    deploy_manifest::load(&manifest_path()).unwrap_or_else(|error| {
        panic!(
            "deploy.toml must pass the same checks as `restlings deploy`:\n{error}\n\
             Each line gives the file, line, column and field to fix."
        )
    })
}

#[test]
fn the_manifest_describes_the_service_as_it_runs() {
    let manifest = manifest();

    assert_eq!(
        manifest.port, DEFAULT_PORT,
        "deploy.toml: `port` is the port the service listens on in its container: 8080, the \
         default of PORT and the port the Dockerfile EXPOSEs"
    );
    assert_eq!(
        manifest.health, "/health",
        "deploy.toml: `health` is the open health check, /health"
    );
    assert_eq!(
        manifest.binary,
        env!("CARGO_PKG_NAME"),
        "deploy.toml: `binary` names the program src/main.rs builds, which cargo names after the package"
    );
    assert!(
        manifest.needs("API_KEY"),
        "deploy.toml: `env` must list API_KEY, or the deployment never receives a key and runs \
         with the API open to anyone"
    );
}

#[test]
fn the_manifest_declares_exactly_the_endpoints_of_the_contract() {
    let manifest = manifest();
    let declared: Vec<(String, String)> = manifest
        .endpoints
        .iter()
        .map(|endpoint| (endpoint.method.clone(), endpoint.path.clone()))
        .collect();

    let missing: Vec<String> = CONTRACT
        .iter()
        .filter(|(method, path)| !declared.iter().any(|(m, p)| m == method && p == path))
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    let extra: Vec<String> = declared
        .iter()
        .filter(|(method, path)| !CONTRACT.iter().any(|(m, p)| m == method && p == path))
        .map(|(method, path)| format!("{method} {path}"))
        .collect();

    assert!(
        missing.is_empty(),
        "deploy.toml must declare every endpoint the service exposes, so that a deployment is \
         checked against all of them. Add an [[endpoints]] table for each of: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "deploy.toml declares endpoints the contract does not have: {extra:?}. Write the path \
         as the router does, with {{id}} for the id."
    );
}

#[tokio::test]
async fn every_declared_endpoint_is_served_and_guarded() {
    let manifest = manifest();
    let Some((app, key)) = guarded().await else {
        return;
    };
    let bearer = format!("Bearer {key}");

    for probe in manifest.probes() {
        let method =
            Method::from_bytes(probe.method.as_bytes()).expect("the manifest checked the method");
        let without = app.request(method.clone(), &probe.path).await;
        if probe.open {
            without.expect_status(
                StatusCode::OK,
                "The health check answers without credentials.",
            );
            continue;
        }
        expect_unauthorized(
            &without,
            "Each endpoint the manifest declares demands the key, as `restlings deploy` checks.",
        );

        let with = app
            .request(method, &probe.path)
            .header("authorization", &bearer)
            .await;

        with.expect(
            ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&with.status()),
            format!("not 404 or 405 for {} {}", probe.method, probe.declared),
            "deploy.toml must declare only what the service serves: with the key, a declared \
             endpoint must reach a route (placeholders such as {id} are sent as 0, which the \
             shop answers with 400 since ids are positive). 404 means no route has this path, \
             405 means the path has no such method.",
        );
    }
}
