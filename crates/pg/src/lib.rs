//! A throwaway PostgreSQL for the course's tests: a real server, never a mock.
//!
//! The first call to [`TestDatabase::create`] in a test binary starts one
//! server from Debian's `postgresql` binaries (`initdb`, then `pg_ctl start`)
//! in a temporary folder, listening on 127.0.0.1 only, on a free port, with
//! `trust` authentication and durability off (`fsync=off`: a test database
//! that a power cut loses costs nothing). Every call then creates a database
//! of its own on it (`CREATE DATABASE … TEMPLATE template0`), as Zero To
//! Production's `spawn_app` does, so tests run in parallel and never see each
//! other's rows.
//!
//! **No server outlives its test binary.** A static cannot run code when the
//! process ends, so the server is watched by a reaper: a small `sh` started
//! beside it in a session of its own (`setsid`, so that Ctrl-C or a killed
//! process group does not take it along), ignoring signals, and blocked
//! reading a pipe whose only writer is the test binary. However the binary
//! ends, by returning, panicking or `kill -9`, the kernel closes the pipe; the
//! reaper reads end-of-file, runs `pg_ctl stop -m immediate` and removes the
//! folder. The server is gone a fraction of a second after the binary.
//!
//! **Root.** `initdb` refuses to run as root, and CI runs as root. Then every
//! PostgreSQL command runs as the `postgres` user that Debian's package
//! creates (`runuser -u postgres --`), in a folder handed to that user.
//!
//! **No PostgreSQL.** Without the binaries, [`TestDatabase::create`] prints
//! [`SKIPPED`] and returns `None`, and the test passes having checked nothing;
//! with `RESTLINGS_REQUIRE_POSTGRES=1` (CI sets it) that is a failure instead.

mod server;

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{AssertSqlSafe, Connection, PgConnection};

pub use server::Server;

/// Set to `1`, a test that finds no PostgreSQL fails instead of skipping.
pub const REQUIRE_VAR: &str = "RESTLINGS_REQUIRE_POSTGRES";

/// What a test prints when it skips for want of PostgreSQL.
pub const SKIPPED: &str = "SKIPPED: no PostgreSQL (install Debian's postgresql)";

/// One empty database on the test binary's server, for one test.
#[derive(Debug, Clone)]
pub struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    /// A new, empty database, or `None` when PostgreSQL is not installed
    /// (after printing [`SKIPPED`]; a panic instead with
    /// `RESTLINGS_REQUIRE_POSTGRES=1`). Any other trouble is a panic that says
    /// what went wrong: a test must not pass on a server that failed to start.
    pub async fn create() -> Option<TestDatabase> {
        let server = Server::shared()?;
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let name = format!("test_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let admin_url = server.url("postgres");
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|error| {
                panic!(
                    "the test PostgreSQL at {admin_url} refused a connection: {error}. \
                     Its log: {}",
                    server.log_path().display()
                )
            });
        // template0, not template1: nobody ever connects to it, so parallel
        // tests never meet "source database is being accessed by other users".
        // The name is ours (test_<n>), so formatting it into the SQL is safe.
        let create = format!("CREATE DATABASE {name} TEMPLATE template0");
        sqlx::query(AssertSqlSafe(create))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|error| panic!("CREATE DATABASE {name} failed: {error}"));
        let _ = admin.close().await;
        Some(TestDatabase {
            url: server.url(&name),
            name,
        })
    }

    /// `postgres://postgres@127.0.0.1:<port>/<name>`: what the service reads
    /// from `DATABASE_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name, such as `test_3`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// True when `RESTLINGS_REQUIRE_POSTGRES` is set to anything but empty or `0`.
pub fn required() -> bool {
    std::env::var(REQUIRE_VAR).is_ok_and(|value| !value.is_empty() && value != "0")
}
