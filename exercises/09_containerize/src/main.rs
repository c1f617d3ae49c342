// Starting code generated from solutions/09_containerize/src/main.rs by `cargo run -- dev sync`.
//! The shop as a program, ready for a container: it listens on `0.0.0.0`, at
//! the port in `PORT` (8080 when unset), and stops cleanly on SIGTERM or Ctrl-C.
//!
//! Run it: `cargo run`, then `curl localhost:8080/health`.

// Starting code leaves parts unused until you write them.
#![allow(dead_code, unused_imports, unused_variables, clippy::todo)]

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use containerize::{
    ConfigError, HEALTH_CHECK_FLAG, Stopped, Timeouts, app, health_check_mode, port, port_variable,
    serve, shutdown_signal,
};
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
        // Blocking I/O on the runtime's thread is fine here: this process
        // makes one request and exits.
        return health_check_mode();
    }
    match run().await {
        Ok(Stopped::Cleanly) => {
            eprintln!("shop: stopped cleanly");
            ExitCode::SUCCESS
        }
        // Status 0 would say that every request accepted was answered. Some
        // were cut off, so say so, where `docker inspect` and systemd look.
        Ok(Stopped::GraceExpired) => {
            eprintln!(
                "shop: requests still in flight {} s after the signal were cut off; stopped",
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

async fn run() -> Result<Stopped, StartError> {
    let port = port(port_variable().as_deref())?;
    // TODO: listen and serve until asked to stop.
    //     - First `let shutdown = shutdown_signal();`, so SIGTERM is handled
    //       from before the moment you print that you are listening.
    //     - The address is every interface, `Ipv4Addr::UNSPECIFIED` (0.0.0.0),
    //       never 127.0.0.1: `SocketAddr::from((Ipv4Addr::UNSPECIFIED, port))`.
    //     - `tokio::net::TcpListener::bind(address).await`; turn its error into
    //       `StartError::Bind { address, source }` with `map_err`, then `?`.
    //     - `serve(listener, app(), shutdown, Timeouts::DEFAULT).await`, from
    //       src/serve.rs, and return what it returns in `Ok`: `main` turns
    //       `Stopped::Cleanly` into status 0.
    todo!("bind 0.0.0.0:{port} and serve app() until the shutdown future resolves")
}
