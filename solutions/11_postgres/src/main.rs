//! The shop as a program, its state in PostgreSQL: `DATABASE_URL` (required),
//! `PORT` (8080 when unset), `API_KEY` or `API_KEY_FILE` (open when unset),
//! `LOG_LEVEL` (`info` when unset). At startup it applies the migrations the
//! database lacks; then it serves on `0.0.0.0` with every wait bounded, and
//! stops on SIGTERM or Ctrl-C within a grace period, as chapters 9 and 10
//! do. `--health-check` asks its own `GET /health` instead, which answers
//! 200 only while the database does.
//!
// ANCHOR: exercise //! Run it: `DATABASE_URL=postgres://… cargo run`, then `curl localhost:8080/products`.
// ANCHOR: exercise
// ANCHOR: exercise // Starting code leaves parts unused until you write them.
// ANCHOR: exercise #![allow(dead_code, unused_imports, unreachable_code)]
// ANCHOR: exercise #![allow(unused_variables, clippy::todo)]
//! Run it: `DATABASE_URL=postgres://… cargo run -p sol11_postgres`, then
//! `curl localhost:8080/products`.
// ANCHOR_END: exercise

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

// Chapter 9's answer: the signals, the bounded server, the health check.
use containerize::{
    HEALTH_CHECK_FLAG, Stopped, Timeouts, health_check_mode, serve, shutdown_signal,
};
use pg_shop::{Config, ConfigError, app, migrate, pool};
use sqlx::migrate::MigrateError;
use tokio::net::TcpListener;

/// Why the shop did not start.
#[derive(Debug, thiserror::Error)]
enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(
        "cannot prepare the database at DATABASE_URL: {0}. Is PostgreSQL running there, \
         and does the database exist?"
    )]
    Migrate(#[from] MigrateError),
    #[error(
        "cannot listen on {address}: {source}. Is another program using port {}? \
         Stop it, or set PORT to a free port",
        address.port()
    )]
    Bind {
        address: SocketAddr,
        source: io::Error,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    if std::env::args().skip(1).any(|arg| arg == HEALTH_CHECK_FLAG) {
        return health_check_mode();
    }
    match run().await {
        Ok(Stopped::Cleanly) => {
            tracing::info!("stopped cleanly");
            ExitCode::SUCCESS
        }
        Ok(Stopped::GraceExpired) => {
            tracing::warn!(
                "requests still in flight {} s after the signal were cut off; stopped",
                Timeouts::DEFAULT.shutdown_grace.as_secs()
            );
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("shop: {error}");
            ExitCode::FAILURE
        }
    }
}

// ANCHOR: run
async fn run() -> Result<Stopped, StartError> {
    let config = Config::from_env()?;
    tracing_subscriber::fmt()
        .with_max_level(config.log_level.filter())
        .with_writer(io::stderr)
        .init();

    // Listen for SIGTERM before anything that takes time: see `shutdown_signal`.
    let shutdown = shutdown_signal();
    let pool = pool(&config.database_url);
    // ANCHOR: exercise // TODO: bring the database up to date before serving a request:
    // ANCHOR: exercise //     `migrate(&pool).await?` (its error becomes `StartError::Migrate`).
    // ANCHOR: exercise //     On a new database it creates the tables and the seeds; on one that
    // ANCHOR: exercise //     has them, it does nothing, and the rows stay.
    // ANCHOR: exercise todo!("apply the migrations with migrate(&pool)");
    // Before listening: a replica that cannot reach its database, or finds
    // it in a state it does not understand, must fail here, visibly, not
    // answer 500 to every request.
    migrate(&pool).await?;
    // ANCHOR_END: exercise
    let address = SocketAddr::from((Ipv4Addr::UNSPECIFIED, config.port));
    let listener = TcpListener::bind(address)
        .await
        .map_err(|source| StartError::Bind { address, source })?;
    let auth = match config.api_key {
        Some(_) => "every endpoint but GET /health needs the API key",
        None => "no API key is set, so every endpoint is open",
    };
    tracing::info!("listening on http://{address}; {auth}");
    let stopped = serve(
        listener,
        app(pool.clone(), config.api_key),
        shutdown,
        Timeouts::DEFAULT,
    )
    .await;
    // Every connection back to PostgreSQL with a goodbye, rather than cut.
    pool.close().await;
    Ok(stopped)
}
// ANCHOR_END: run
