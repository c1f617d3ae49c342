// Starting code generated from solutions/10_deploy/src/main.rs by `cargo run -- dev sync`.
//! The shop as a program, configured from the environment: `PORT` (8080 when
//! unset), `API_KEY` (open when unset), `LOG_LEVEL` (`info` when unset). It
//! listens on `0.0.0.0` with every wait bounded, and stops on SIGTERM or
//! Ctrl-C within a grace period. `--health-check` asks its own `GET /health`
//! instead, for the image's `HEALTHCHECK`.
//!
//! Run it: `API_KEY=s3cret cargo run -p sol10_deploy`, then
//! `curl -H 'Authorization: Bearer s3cret' localhost:8080/products`.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

// Chapter 9's answer: SIGTERM and Ctrl-C, handled from the moment it is
// called; serving with timeouts and a bounded shutdown; the health check.
use containerize::{
    HEALTH_CHECK_FLAG, Stopped, Timeouts, health_check_mode, serve, shutdown_signal,
};
use deploy::{Config, ConfigError, app};
use tokio::net::TcpListener;

/// Why the shop did not start.
#[derive(Debug, thiserror::Error)]
enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
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
        // As in chapter 9: status 0 would claim every request was answered.
        Ok(Stopped::GraceExpired) => {
            tracing::warn!(
                "requests still in flight {} s after the signal were cut off; stopped",
                Timeouts::DEFAULT.shutdown_grace.as_secs()
            );
            ExitCode::FAILURE
        }
        Err(error) => {
            // Printed directly, not logged: a startup error must show whatever
            // LOG_LEVEL says, even when LOG_LEVEL itself is the error.
            eprintln!("shop: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<Stopped, StartError> {
    // All of the configuration first: a bad value stops the service here,
    // before it binds a port or answers a single request.
    let config = Config::from_env()?;
    tracing_subscriber::fmt()
        .with_max_level(config.log_level.filter())
        .with_writer(io::stderr)
        .init();

    // Listen for SIGTERM before saying we are up: see `shutdown_signal`.
    let shutdown = shutdown_signal();
    let address = SocketAddr::from((Ipv4Addr::UNSPECIFIED, config.port));
    let listener = TcpListener::bind(address)
        .await
        .map_err(|source| StartError::Bind { address, source })?;
    let auth = match config.api_key {
        Some(_) => "every endpoint but GET /health needs the API key",
        None => "API_KEY is unset, so every endpoint is open",
    };
    tracing::info!("listening on http://{address}; {auth}");
    Ok(serve(listener, app(config.api_key), shutdown, Timeouts::DEFAULT).await)
}
