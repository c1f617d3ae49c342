//! The throwaway server keeps its two promises: a database per test, and no
//! server left running once the test binary has ended, however it ended.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pg::{Server, TestDatabase};
use sqlx::{Connection, PgConnection};

#[tokio::test]
async fn each_test_gets_an_empty_database_of_its_own() {
    let (Some(first), Some(second)) = (TestDatabase::create().await, TestDatabase::create().await)
    else {
        return;
    };
    assert_ne!(first.name(), second.name(), "two calls, two databases");

    let mut one = PgConnection::connect(first.url())
        .await
        .unwrap_or_else(|error| panic!("cannot connect to {}: {error}", first.url()));
    sqlx::query("CREATE TABLE only_here (id BIGINT)")
        .execute(&mut one)
        .await
        .unwrap_or_else(|error| panic!("CREATE TABLE in {} failed: {error}", first.name()));
    let mut other = PgConnection::connect(second.url())
        .await
        .unwrap_or_else(|error| panic!("cannot connect to {}: {error}", second.url()));
    let seen: Option<String> = sqlx::query_scalar("SELECT to_regclass('only_here')::text")
        .fetch_one(&mut other)
        .await
        .unwrap_or_else(|error| panic!("the query in {} failed: {error}", second.name()));

    assert_eq!(
        seen,
        None,
        "a table created in {} must not exist in {}: each test has a database of its own",
        first.name(),
        second.name()
    );
}

/// Run by the test below as a child process: starts the server, prints
/// where it lives, then ends as told by `RESTLINGS_PG_CHILD_ENDS`.
#[tokio::test]
#[ignore = "a helper: the test below runs it in a process of its own"]
async fn helper_starts_the_server_and_reports_it() {
    let Some(database) = TestDatabase::create().await else {
        return;
    };
    let server = Server::shared().expect("the server is up: it just made a database");
    let pid = std::fs::read_to_string(server.root().join("data/postmaster.pid"))
        .ok()
        .and_then(|text| text.lines().next().map(str::to_owned))
        .unwrap_or_default();
    println!(
        "SERVER {pid} {} {}",
        server.root().display(),
        database.name()
    );
    if std::env::var("RESTLINGS_PG_CHILD_ENDS").as_deref() == Ok("waiting") {
        std::thread::sleep(Duration::from_secs(60));
    }
}

fn alive(pid: &str) -> bool {
    Path::new("/proc").join(pid).exists()
}

#[test]
fn no_server_outlives_its_test_binary_whether_it_returns_or_is_killed() {
    let me = std::env::current_exe().expect("a test knows its own path");
    for ending in ["returning", "waiting"] {
        let mut child = Command::new(&me)
            .args([
                "--ignored",
                "--exact",
                "helper_starts_the_server_and_reports_it",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("RESTLINGS_PG_CHILD_ENDS", ending)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", me.display()));
        let stdout = child.stdout.take().expect("stdout is piped");
        // libtest prints `test <name> ... ` and then, on the same line, what
        // the helper prints: look for the helper's words anywhere.
        let mut line = String::new();
        let mut lines = BufReader::new(stdout);
        loop {
            let mut read = String::new();
            if lines.read_line(&mut read).unwrap_or(0) == 0 {
                break;
            }
            if let Some(start) = read.find("SERVER ").or_else(|| read.find("SKIPPED")) {
                line = read[start..].to_owned();
                break;
            }
        }
        if line.starts_with("SKIPPED") {
            println!("{}", line.trim());
            let _ = child.kill();
            let _ = child.wait();
            return;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, pid, root, _name] = fields[..] else {
            panic!("the helper must print `SERVER <pid> <folder> <database>`, printed {line:?}");
        };
        assert!(
            alive(pid),
            "the helper's server (pid {pid}) runs while the helper does"
        );
        if ending == "waiting" {
            child.kill().expect("the helper can be killed");
        }
        let _ = child.wait();

        let ended = Instant::now();
        while (alive(pid) || PathBuf::from(root).exists())
            && ended.elapsed() < Duration::from_secs(15)
        {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(
            !alive(pid),
            "the helper ended by {ending}, and its PostgreSQL (pid {pid}) still runs {:?} later: \
             the reaper must stop the server when the test binary is gone",
            ended.elapsed()
        );
        assert!(
            !Path::new(root).exists(),
            "the helper ended by {ending}, and its folder {root} is still there: the reaper \
             removes it after stopping the server"
        );
    }
}
