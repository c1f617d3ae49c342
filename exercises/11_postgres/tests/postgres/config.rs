//! Configuration: `DATABASE_URL` and `API_KEY_FILE` beside chapter 10's
//! variables, first as a pure function, then with the real binary.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kit::{StatusCode, TestApp, json};
use pg_shop::{Config, ConfigError};
use sqlx::migrate::{MigrationType, Migrator};

use crate::{CHAPTER, skip_in_url_mode};

const URL: &str = "postgres://shop:s3cret-pw@db.internal:5433/shop";
const KEY: &str = "test-key-7d41a0c2";

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_vars(vars.iter().copied())
}

#[test]
fn database_url_is_required_and_must_be_a_postgres_url() {
    if skip_in_url_mode("the configuration test") {
        return;
    }
    kit::quiet_panics();

    let read = config(&[("DATABASE_URL", URL)]).unwrap_or_else(|error| {
        panic!("DATABASE_URL={URL} is a PostgreSQL URL and must be accepted, got: {error}")
    });
    let printed = format!("{read:?}");
    assert!(
        printed.contains("db.internal") && !printed.contains("s3cret-pw"),
        "Debug output ends up in logs and panic messages: it may show the host, never the \
         database password. Got: {printed}"
    );
    assert_eq!(
        read.port, 8080,
        "an unset PORT is still 8080, as in chapters 9 and 10"
    );
    assert!(
        read.api_key.is_none(),
        "no API_KEY and no API_KEY_FILE: no key, an open API"
    );

    for (value, what) in [
        (None, "unset"),
        (Some(""), "empty"),
        (Some("mysql://shop@db/shop"), "another database's URL"),
        (Some("db.internal:5432/shop"), "a URL with no scheme"),
        (
            Some("postgres://shop@db.internal:notaport/shop"),
            "a URL whose port is not a number",
        ),
    ] {
        let vars: Vec<(&str, &str)> = value.map(|url| ("DATABASE_URL", url)).into_iter().collect();

        let result = config(&vars);

        match result {
            Ok(config) => panic!(
                "DATABASE_URL {what} ({value:?}) must stop the service at startup, but it was \
                 read as {config:?}. There is no sensible default database: guessing one would \
                 keep the orders somewhere nobody backs up."
            ),
            Err(error) => {
                let message = error.to_string();
                assert!(
                    message.contains("DATABASE_URL") && message.contains("postgres://"),
                    "the error for DATABASE_URL {what} must name DATABASE_URL and show what a \
                     good one looks like (postgres://…). Got: {message}"
                );
            }
        }
    }
}

#[test]
fn the_key_can_come_from_a_file_as_orchestrators_mount_secrets() {
    if skip_in_url_mode("the configuration test") {
        return;
    }
    kit::quiet_panics();
    let dir = tempfile::tempdir().expect("a temporary folder for the key file");
    let file = dir.path().join("api_key");
    // `echo key > file` ends the file with a line break, which is no part of the key.
    std::fs::write(&file, format!("{KEY}\n")).expect("the key file can be written");
    let path = file.display().to_string();

    let read = config(&[("DATABASE_URL", URL), ("API_KEY_FILE", &path)])
        .unwrap_or_else(|error| panic!("API_KEY_FILE={path} holds a good key, got: {error}"));

    let key = read.api_key.unwrap_or_else(|| {
        panic!("API_KEY_FILE names a file with a key: the service must demand that key")
    });
    assert!(
        key.matches(KEY) && !key.matches(&format!("{KEY}\n")),
        "the key is the file's text without its last line break"
    );
    let cases = [
        (
            vec![("API_KEY", KEY), ("API_KEY_FILE", path.as_str())],
            "API_KEY_FILE",
            "both set",
        ),
        (
            vec![("API_KEY_FILE", "/no/such/key/file")],
            "API_KEY_FILE",
            "a missing file",
        ),
    ];
    for (vars, name, what) in cases {
        let mut vars = vars;
        vars.push(("DATABASE_URL", URL));

        let result = config(&vars);

        let message = match result {
            Ok(config) => {
                panic!("{what} must stop the service at startup, but it was read as {config:?}")
            }
            Err(error) => error.to_string(),
        };
        assert!(
            message.contains(name),
            "the error for {what} must name {name}, so the operator knows what to fix. Got: \
             {message}"
        );
    }
}

/// The migrations are embedded by a list in src/lib.rs (`MIGRATIONS`), not
/// by `sqlx::migrate!`: the list must say what sqlx's own reader finds in
/// `migrations/`, or a file added there would never run, and a version or
/// description that differs from the file's name would be recorded wrongly
/// in `_sqlx_migrations`.
#[tokio::test]
async fn the_embedded_migrations_are_the_migrations_folder_as_sqlx_reads_it() {
    if skip_in_url_mode("the migrations test") {
        return;
    }
    kit::quiet_panics();
    let folder =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exercises/11_postgres/migrations");

    let from_folder = Migrator::new(folder.as_path())
        .await
        .unwrap_or_else(|error| {
            panic!(
                "sqlx must read the migrations in {}: {error}",
                folder.display()
            )
        });
    let embedded = pg_shop::migrator();

    let names = |migrator: &Migrator| -> Vec<(i64, String, MigrationType, bool)> {
        migrator
            .iter()
            .map(|m| {
                (
                    m.version,
                    m.description.to_string(),
                    m.migration_type,
                    m.no_tx,
                )
            })
            .collect()
    };
    assert_eq!(
        names(&embedded),
        names(&from_folder),
        "MIGRATIONS in src/lib.rs must list every file in migrations/, with the version and \
         description of its name (`<version>_<description>.sql`, `_` read as a space), as \
         `sqlx::migrate!` would embed them. They are given: put them back as they were"
    );
    for (embedded, file) in embedded.iter().zip(from_folder.iter()) {
        assert!(
            embedded.checksum == file.checksum,
            "the SQL embedded for migration {} is not the file's: sqlx compares the checksum \
             with the one recorded in _sqlx_migrations and refuses a changed migration",
            embedded.version
        );
    }
}

// The real binary.

/// The package's binary, which cargo builds before it runs these tests.
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

/// Waits for the child to exit, for at most `limit`.
fn wait(child: &mut Child, limit: Duration, what: &str) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                panic!("{what}: the binary was still running after {limit:?}");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(error) => panic!("cannot wait for the binary: {error}"),
        }
    }
}

#[test]
fn without_database_url_the_binary_stops_at_startup_naming_it() {
    if skip_in_url_mode("the startup test") {
        return;
    }
    let binary = binary();
    let mut child = Command::new(&binary)
        .env_clear()
        .env("PORT", kit::free_port().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));

    let status = wait(&mut child, Duration::from_secs(10), "without DATABASE_URL");
    let stderr = child
        .wait_with_output()
        .map(|output| String::from_utf8_lossy(&output.stderr).into_owned())
        .unwrap_or_default();

    assert!(
        !status.success() && stderr.contains("DATABASE_URL") && !stderr.contains("panicked"),
        "without DATABASE_URL the binary must exit with a failure status and a message \
         naming DATABASE_URL, not panic; it exited with {status} and printed:\n{stderr}"
    );
}

#[tokio::test]
async fn the_binary_migrates_an_empty_database_serves_it_and_stops_cleanly_on_sigterm() {
    if skip_in_url_mode("the binary test") {
        return;
    }
    // An empty database: the binary itself must create the tables.
    let Some(database) = pg::TestDatabase::create().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary folder for the key file");
    let key_file = dir.path().join("api_key");
    std::fs::write(&key_file, format!("{KEY}\n")).expect("the key file can be written");
    let port = kit::free_port();
    let binary = binary();
    let mut child = Command::new(&binary)
        .env_clear()
        .env("DATABASE_URL", database.url())
        .env("PORT", port.to_string())
        .env("API_KEY_FILE", &key_file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
    let stderr = child.stderr.take().expect("stderr is piped");
    let log = std::thread::spawn(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
            .join("\n")
    });
    let app = TestApp::connect(&format!("http://127.0.0.1:{port}"), CHAPTER);
    let started = Instant::now();
    // Chapter 9's probe: GET /health on 127.0.0.1:<port>, a 200 or not.
    while containerize::health_check(port).is_err() {
        if started.elapsed() > Duration::from_secs(20) || child.try_wait().ok().flatten().is_some()
        {
            let _ = child.kill();
            let _ = child.wait();
            let log = log.join().unwrap_or_default();
            panic!(
                "the binary, started on an empty database, must apply its migrations and \
                 answer GET /health with 200 within 20 s. Its log:\n{log}"
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // It migrated: the seeds are there. And API_KEY_FILE's key guards them.
    app.get("/products/1").await.expect_problem(
        StatusCode::UNAUTHORIZED,
        "Started with API_KEY_FILE, the service demands the key in that file (chapter 10): \
         without it, 401.",
    );
    app.request(kit::Method::GET, "/products/1")
        .header("Authorization", &format!("Bearer {KEY}"))
        .await
        .expect_status(
            StatusCode::OK,
            "With the key, seed 1 is there: the binary applied the migrations at startup.",
        )
        .expect_json(
            &json!({ "id": 1, "name": "Espresso beans 1kg", "price_cents": 1899, "category": "coffee" }),
            "Seed 1, as the migration inserts it.",
        );

    // SIGTERM: a clean stop, as `docker stop` or a rolling update asks for it.
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("a pid fits an i32"));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM can be sent");
    let status = wait(&mut child, Duration::from_secs(10), "after SIGTERM");
    let log = log.join().unwrap_or_default();
    assert!(
        status.success(),
        "on SIGTERM with no request in flight the service stops cleanly, with status 0, as in \
         chapter 9; it exited with {status}. Its log:\n{log}"
    );
}
